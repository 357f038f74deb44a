"""``anim doctor``: what rendering needs, and whether it works on this machine."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np


def _check_matplotlib():
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1), dpi=50)
    FigureCanvasAgg(figure).draw()
    return f"matplotlib {matplotlib.__version__}, Agg canvas draws (anim never needs a display)"


def _check_pillow():
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
    zlib = "with zlib (PNG)" if features.check("zlib") else "WITHOUT zlib: PNG output fails"
    import PIL

    return f"Pillow {PIL.__version__}, GIF encodes and decodes, {zlib}"


def _check_ffmpeg():
    try:
        import imageio_ffmpeg
    except ImportError as exc:
        raise RuntimeError("imageio-ffmpeg is not installed: pip install imageio-ffmpeg") from exc
    try:
        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise RuntimeError(f"no ffmpeg found ({exc}); reinstall imageio-ffmpeg, or set "
                           "IMAGEIO_FFMPEG_EXE to an ffmpeg binary") from exc
    encoders = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True,
                              text=True, timeout=30).stdout
    if "libx264" not in encoders:
        raise RuntimeError(f"{exe} has no libx264 (H.264) encoder: MP4 output is not "
                           "possible; install an ffmpeg built with libx264 and set "
                           "IMAGEIO_FFMPEG_EXE to it")
    version = imageio_ffmpeg.get_ffmpeg_version()
    return f"ffmpeg {version} at {exe}, with the libx264 (H.264) encoder"


def _check_mp4():
    import imageio.v2 as imageio

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "check.mp4"
        writer = imageio.get_writer(path, format="FFMPEG", fps=10, codec="libx264",
                                    pixelformat="yuv420p", macro_block_size=1,
                                    ffmpeg_log_level="error")
        for value in (0, 128, 255):
            writer.append_data(np.full((16, 16, 3), value, dtype=np.uint8))
        writer.close()
        frames = len(list(imageio.get_reader(path, format="FFMPEG")))
    if frames != 3:
        raise RuntimeError(f"an MP4 of 3 frames read back as {frames} frames")
    return "a 3-frame H.264 MP4 encodes and decodes"


CHECKS = (("matplotlib", _check_matplotlib), ("Pillow / GIF", _check_pillow),
          ("ffmpeg", _check_ffmpeg), ("MP4", _check_mp4))


def run_checks(out) -> int:
    """Print one line per check; return 0 when everything works, 1 otherwise."""
    failed = 0
    for name, check in CHECKS:
        try:
            detail = check()
        except Exception as exc:  # every failure is a finding to report, not a crash
            failed += 1
            print(f"✗ {name}: {exc}", file=out)
        else:
            print(f"✓ {name}: {detail}", file=out)
    print("everything rendering needs works here" if not failed else
          f"{failed} check(s) failed: GIF/PNG still work unless Pillow failed; "
          "MP4 needs ffmpeg with libx264", file=out)
    return 1 if failed else 0
