"""The project's own documentation builds with the one command the README gives, with
warnings as errors: every scene of scenes/ in the gallery, filmed by anim's scraper, and
the API reference from the docstrings."""

import os
import re
import shlex
import subprocess
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def documented_command() -> list[str]:
    """The build command of the README's Documentation section, after the install."""
    section = README[README.index("## Documentation") :]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S).group(1).strip()
    build = block.split("&&")[-1].strip()
    assert build.startswith(".venv/bin/python -m sphinx -W "), block
    return shlex.split(build)


def test_the_documentation_builds_with_warnings_as_errors(tmp_path):
    command = documented_command()
    assert command[-2:] == ["docs", "docs/_build/html"]
    out = tmp_path / "html"
    import sys

    result = subprocess.run(
        [sys.executable, *command[1:-1], str(out), "-d", str(tmp_path / "doctrees")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1500,
        env={**os.environ, "ANIM_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    index = (out / "gallery" / "index.html").read_text(encoding="utf-8")
    scenes = sorted(path.stem for path in (ROOT / "scenes").glob("*.py"))
    for stem in scenes:
        assert f"_images/sphx_glr_{stem}_thumb.png" in index, stem
        page = (out / "gallery" / f"{stem}.html").read_text(encoding="utf-8")
        gif = out / "_images" / f"sphx_glr_{stem}_001.gif"
        assert f'src="../_images/{gif.name}"' in page, stem
        with Image.open(gif) as image:
            assert image.n_frames > 10
    api = (out / "api.html").read_text(encoding="utf-8")
    for name in (
        "anim.Scene",
        "anim.render",
        "anim.RaceResult",
        "anim.optimizers.Adam",
        "anim.surfaces.rosenbrock",
    ):
        assert f'id="{name}"' in api, name
    guide = sorted(path.stem for path in (ROOT / "docs").glob("*.md"))
    assert {"tour", "real_loss", "languages", "combinations", "developing"} <= set(guide)
    for page in guide:
        html = (out / f"{page}.html").read_text(encoding="utf-8")
        for source in re.findall(r'<img [^>]*src="([^"]+)"', html):
            assert (out / source).is_file(), f"{page}.html shows {source}: no such file"
        for target in re.findall(r'<a [^>]*href="(_downloads/[^"]+)"', html):
            assert (out / target).is_file(), f"{page}.html links {target}: no such file"
        # An interactive page opens in the browser rather than being saved.
        assert not re.search(r'download="" href="[^"]+\.html"', html), page
    # The README's regions bring their pictures along (their paths rewritten for docs/).
    for page, picture in (
        ("index", "rmsprop_vs_adagrad.gif"),
        ("real_loss", "real_mlp.gif"),
        ("real_loss", "real_mlp_race.gif"),
        ("languages", "rmsprop_vs_adagrad_ja.gif"),
        ("explain", "why_rmsprop.gif"),
        ("tune", "rmsprop_vs_adagrad_tuned.gif"),
    ):
        html = (out / f"{page}.html").read_text(encoding="utf-8")
        assert re.search(rf'<img [^>]*src="_images/{re.escape(picture)}"', html), (page, picture)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="_downloads/[0-9a-f]+/rmsprop_vs_adagrad\.html"', index)
