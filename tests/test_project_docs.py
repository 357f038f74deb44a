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
    section = README[README.index("## Documentation"):]
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
        cwd=ROOT, capture_output=True, text=True, timeout=1500,
        env={**os.environ, "ANIM_CACHE_DIR": str(tmp_path / "cache")})
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
    for name in ("anim.Scene", "anim.render", "anim.RaceResult", "anim.optimizers.Adam",
                 "anim.surfaces.rosenbrock"):
        assert f'id="{name}"' in api, name
    for page in ("tour", "galleries", "page", "rendering", "troubleshooting"):
        assert (out / f"{page}.html").is_file()
