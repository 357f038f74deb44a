"""``anim doctor``: what rendering needs, and whether it works on this machine."""

from __future__ import annotations

import os
import platform
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np

from .errors import one_line


def _require(module: str, package: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise RuntimeError(f"{package} is not installed ({exc}): pip install {package}") from exc


def _check_matplotlib():
    matplotlib = _require("matplotlib", "matplotlib")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1), dpi=50)
    FigureCanvasAgg(figure).draw()
    return (
        f"matplotlib {matplotlib.__version__}, Agg backend draws off-screen "
        "(anim never needs a display or MPLBACKEND)"
    )


def _check_pillow():
    PIL = _require("PIL", "pillow")
    from PIL import Image, features

    from .gif import GifStream

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "check.gif"
        frame = np.zeros((8, 8, 3), dtype=np.uint8)
        with open(path, "wb") as file:
            stream = GifStream(file, (8, 8), frame)
            stream.write(frame, 4)
            stream.close()
        Image.open(path).load()
    if not features.check("zlib"):
        raise RuntimeError(
            f"Pillow {PIL.__version__} was built without zlib: PNG output "
            "fails; reinstall it with pip install --force-reinstall pillow"
        )
    return f"Pillow {PIL.__version__}, GIF encodes and decodes, PNG (zlib) available"


def _check_tqdm():
    tqdm = _require("tqdm", "tqdm")
    return f"tqdm {tqdm.__version__} (progress bar)"


def _check_ffmpeg():
    _require("imageio_ffmpeg", "imageio-ffmpeg")
    from .writers import check_ffmpeg

    return check_ffmpeg()


def _check_mp4():
    """The path a render takes: anim's MP4 writer fed from a matplotlib canvas, with the
    file read back and its frames counted."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .writers import Mp4Writer

    figure = Figure(figsize=(0.64, 0.48), dpi=100)
    canvas = FigureCanvasAgg(figure)
    writer = Mp4Writer(fps=10)
    with tempfile.TemporaryDirectory() as folder:
        try:
            with writer.saving(figure, Path(folder) / "check.mp4", dpi=100):
                for shade in ("0.0", "0.5", "1.0"):
                    figure.set_facecolor(shade)
                    canvas.draw()
                    writer.grab_frame()
        except OSError as exc:
            raise RuntimeError(
                f"writing a 3-frame MP4 failed ({one_line(exc)}): the ffmpeg "
                "in use is broken; reinstall imageio-ffmpeg"
            ) from exc
    return "a 3-frame H.264 MP4 is written by anim's writer and reads back whole"


def _fonts_info():
    """Which scripts the installed fonts draw, and how to get the others."""
    from .fonts import EXTRA, script_coverage

    coverage = script_coverage()
    drawn: dict[str, list[str]] = {}
    for script, families in coverage.items():
        if families:
            drawn.setdefault(" + ".join(families), []).append(script)
    text = "; ".join(f"{', '.join(scripts)} ({families})" for families, scripts in drawn.items())
    missing = [script for script, families in coverage.items() if not families]
    if missing:
        fixes = []
        if {"Japanese", "Chinese", "Korean"} & set(missing):
            fixes.append(f"pip install 'anim[{EXTRA}]'")
        if set(missing) - {"Japanese", "Chinese", "Korean"}:
            fixes.append("apt install fonts-noto-core")
        text += f"; none for {', '.join(missing)}, drawn as boxes ({' or '.join(fixes)})"
    return text


#: anim's extras and the distributions each brings.
EXTRAS = (
    ("torch", ("torch", "pytorch_optimizer")),
    ("optax", ("jax", "optax")),
    ("cjk", ("noto-cjk-sans-jp-regular", "noto-cjk-sans-jp-bold")),
)


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def chromium_path() -> str | None:
    """The Chromium the page tests drive (``ANIM_CHROMIUM``, else the system's)."""
    for path in (
        os.environ.get("ANIM_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        "/usr/bin/chromium",
    ):
        if path and os.access(path, os.X_OK):
            return path
    return None


def _extras_info():
    """Which extras are installed, with their versions, and Chromium for the page tests."""
    parts = []
    for extra, distributions in EXTRAS:
        versions = {name: _version(name) for name in distributions}
        if all(versions.values()):
            parts.append(f"anim[{extra}] ({', '.join(f'{n} {v}' for n, v in versions.items())})")
        else:
            parts.append(f"anim[{extra}] not installed (pip install 'anim[{extra}]')")
    chromium, playwright = chromium_path(), _version("playwright")
    if chromium and playwright:
        parts.append(f"Chromium for the page tests: {chromium} (playwright {playwright})")
    else:
        parts.append(
            "the page tests need Chromium (apt install chromium) and playwright "
            f"(pip install -e '.[test]'): {'found' if chromium else 'no'} Chromium, "
            f"{'playwright ' + playwright if playwright else 'no playwright'}"
        )
    return "; ".join(parts)


#: What is reported but never fails: optional parts.
INFO = (("fonts", _fonts_info), ("extras", _extras_info))


CHECKS = (
    ("matplotlib", _check_matplotlib),
    ("Pillow / GIF / PNG", _check_pillow),
    ("tqdm", _check_tqdm),
    ("ffmpeg", _check_ffmpeg),
    ("MP4", _check_mp4),
)
#: A check that cannot work when an earlier one failed is skipped, not run into a crash.
NEEDS = {"MP4": ("matplotlib", "ffmpeg")}


def run_checks(out) -> int:
    """Print one line per check; return 0 when everything works, 1 otherwise."""
    from . import __version__

    print(
        f"anim {__version__}, Python {platform.python_version()} on {platform.system()}", file=out
    )
    failed: set[str] = set()
    for name, check in CHECKS:
        missing = [need for need in NEEDS.get(name, ()) if need in failed]
        if missing:
            failed.add(name)
            print(f"✗ {name}: skipped, needs {' and '.join(missing)} (see above)", file=out)
            continue
        try:
            detail = check()
        except Exception as exc:  # every failure is a finding to report, not a crash
            failed.add(name)
            print(f"✗ {name}: {one_line(exc) or type(exc).__name__}", file=out)
        else:
            print(f"✓ {name}: {detail}", file=out)
    for name, info in INFO:
        if name == "fonts" and "matplotlib" in failed:
            continue
        try:
            print(f"· {name}: {info()}", file=out)
        except Exception as exc:  # telling what is optional must never stop the report
            print(f"· {name}: cannot tell ({one_line(exc) or type(exc).__name__})", file=out)
    if not failed:
        print("everything rendering needs works here", file=out)
    else:
        gif = (
            "GIF/PNG output does not work"
            if failed & {"matplotlib", "Pillow / GIF / PNG", "tqdm"}
            else "GIF/PNG output works"
        )
        print(f"{len(failed)} check(s) failed: {gif}; MP4 needs ffmpeg with libx264", file=out)
    return 1 if failed else 0
