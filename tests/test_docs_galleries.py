"""anim as the image scraper of real sphinx-gallery and mkdocs-gallery builds: each site
is configured with nothing but the scraper line; its pages show every scene the
examples render or display, the thumbnails are stills of the final frames, and a
rebuild renders nothing."""

import html
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import anim
import anim.writers
from anim.renderer import resolve_options

#: Each example: (file name, the code that builds its scene, what it then does).
SCENE_A = """\
import anim
from anim import Scene, Surface
from anim.optimizers import GD, Adam

bowl = Surface(lambda x, y: x**2 + 2 * y**2, bounds=((-3, 3), (-3, 3)), minimum=(0, 0))
scene = Scene(surface=bowl, optimizers=[GD(lr=0.1), Adam(lr=0.3)], start=(2.5, 2.0),
              steps=20, title="A bowl")
"""
SCENE_B = """\
from anim import Scene, Surface
from anim.optimizers import GD, Momentum

bowl = Surface(lambda x, y: x**2 + 2 * y**2, bounds=((-3, 3), (-3, 3)), minimum=(0, 0))
scene = Scene(surface=bowl, optimizers=[GD(lr=0.1), Momentum(lr=0.05)], start=(-2.5, 2.0),
              steps=25, title="Displayed")
"""
OPTIONS_A = {"size": "320x240"}
EXAMPLES = {
    "plot_a": (
        '"""\nA rendered GIF\n==============\n\nGD and Adam on a bowl.\n"""\n',
        SCENE_A,
        'anim.render(scene, "bowl.gif", size="320x240")\n',
    ),
    "plot_b": (
        '"""\nA displayed scene\n=================\n\nThe player.\n"""\n',
        SCENE_B,
        "scene\n",
    ),
}
#: A third example for the sphinx-gallery site: a page, a still and an MP4 (shown as GIF).
OTHER_OUTPUTS = (
    '"""\nA page, a still, a video\n========================\n"""\n',
    SCENE_A,
    'anim.render(scene, "bowl.html", size="320x240")\n\n# %%\n# A still\n'
    'anim.still(scene, "bowl.png", frame=5, size="320x240")\n\n# %%\n'
    '# A video\nanim.render(scene, "bowl.mp4", size="320x240")\n',
)
PROGRESS = re.compile(r"\d+/\d+ \[|it/s|frame/s")


def build_scene(code):
    namespace = {}
    exec(code, namespace)
    return namespace["scene"]


def write_examples(folder: Path, header: str):
    folder.mkdir(parents=True)
    (folder / header).write_text("Races\n=====\n" if header.endswith(".txt") else "# Races\n")
    for name, (docstring, code, action) in EXAMPLES.items():
        (folder / f"{name}.py").write_text(docstring + code + action)


def cache_state(folder: Path) -> dict:
    """Every cache file with its inode and mtime: a render makes a new file."""
    return {
        str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def run(command, cwd, cache):
    result = subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "ANIM_CACHE_DIR": str(cache)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def gif_frames(path):
    with Image.open(path) as image:
        return image.n_frames


def expected_thumbnail(scene, frame, scale, thumb_size, tmp_path, **options):
    """The gallery's own thumbnail scaling, ``scale(source, target, width, height)``, to
    ``thumb_size`` applied to a still of ``frame``."""
    still = anim.still(scene, tmp_path / f"final-{frame}.png", frame=frame, **options)
    thumbnail = tmp_path / f"expected-{frame}.png"
    scale(still, thumbnail, *thumb_size)
    return np.asarray(Image.open(thumbnail).convert("RGB"), dtype=float)


def final_step(scene, **options):
    request = resolve_options(scene, **options)
    return request.for_race(scene.race(request.steps)).end


def assert_thumbnail(path, expected, first):
    shown = np.asarray(Image.open(path).convert("RGB"), dtype=float)
    assert shown.shape == expected.shape
    # The final frame, not the first: the heads are elsewhere at the start.
    assert np.abs(shown - expected).mean() < 0.5
    assert np.abs(shown - first).mean() > 4 * np.abs(shown - expected).mean() + 0.1


def iframe_page(text: str) -> str:
    return html.unescape(re.search(r'<iframe srcdoc="([^"]*)"', text).group(1))


@pytest.fixture(scope="module")
def scenes():
    return build_scene(SCENE_A), build_scene(SCENE_B)


def test_sphinx_gallery_shows_each_scene_and_thumbnails_its_final_frame(tmp_path, scenes):
    from sphinx_gallery.utils import scale_image

    def scale(source, target, width, height):
        scale_image(str(source), str(target), width, height)

    source, cache = tmp_path / "site", tmp_path / "cache"
    write_examples(source / "examples", "README.txt")
    (source / "examples" / "plot_c.py").write_text("".join(OTHER_OUTPUTS))
    (source / "conf.py").write_text(
        textwrap.dedent("""\
        extensions = ["sphinx_gallery.gen_gallery"]
        sphinx_gallery_conf = {"examples_dirs": "examples", "gallery_dirs": "gallery",
                               "image_scrapers": ("matplotlib", "anim")}
        """)
    )
    (source / "index.rst").write_text("Demo\n====\n\n.. toctree::\n\n   gallery/index\n")
    out = source / "_build"
    command = [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(source), str(out)]
    run(command, source, cache)
    scene_a, scene_b = scenes

    page_a = (out / "gallery" / "plot_a.html").read_text(encoding="utf-8")
    gif = re.search(r'<img[^>]+src="(\.\./_images/sphx_glr_plot_a_001\.gif)"', page_a)
    assert gif, page_a
    shown = out / "gallery" / gif.group(1)
    assert gif_frames(shown) > 10
    alone = anim.render(scene_a, tmp_path / "alone.gif", **OPTIONS_A)
    assert shown.read_bytes() == alone.read_bytes()
    # The example's own output file, as it asked.
    assert (source / "examples" / "bowl.gif").read_bytes() == alone.read_bytes()

    page_b = (out / "gallery" / "plot_b.html").read_text(encoding="utf-8")
    player = iframe_page(page_b)
    assert player == anim.render(scene_b, tmp_path / "b.html").read_text(encoding="utf-8")
    # A page as the player, a still as its PNG, an MP4 as a GIF of the same options; the
    # example's own files as it asked.
    page_c = (out / "gallery" / "plot_c.html").read_text(encoding="utf-8")
    examples = source / "examples"
    assert iframe_page(page_c) == (examples / "bowl.html").read_text(encoding="utf-8")
    assert (examples / "bowl.html").read_text(encoding="utf-8") == anim.render(
        scene_a, tmp_path / "c.html", **OPTIONS_A
    ).read_text(encoding="utf-8")
    still = re.search(r'<img[^>]+src="\.\./_images/(sphx_glr_plot_c_002\.png)"', page_c)
    assert (
        still
        and (out / "_images" / still.group(1)).read_bytes()
        == (examples / "bowl.png").read_bytes()
        == anim.still(scene_a, tmp_path / "c.png", frame=5, **OPTIONS_A).read_bytes()
    )
    assert re.search(r'<img[^>]+src="\.\./_images/sphx_glr_plot_c_003\.gif"', page_c)
    assert (out / "_images" / "sphx_glr_plot_c_003.gif").read_bytes() == alone.read_bytes()
    assert anim.writers.mp4_frame_count(examples / "bowl.mp4") == final_step(
        scene_a, **OPTIONS_A
    ) + 1 + round(2 * scene_a.fps)
    for page in (page_a, page_b, page_c):
        assert not PROGRESS.search(page)

    index = (out / "gallery" / "index.html").read_text(encoding="utf-8")
    images = out / "_images"
    for name, scene, frame, options in [
        ("plot_a", scene_a, final_step(scene_a, **OPTIONS_A), OPTIONS_A),
        ("plot_b", scene_b, None, {}),
    ]:
        thumb = f"sphx_glr_{name}_thumb.png"
        assert f"_images/{thumb}" in index
        thumb_size = Image.open(images / thumb).size
        expected = expected_thumbnail(scene, frame, scale, thumb_size, tmp_path, **options)
        first = expected_thumbnail(scene, 0, scale, thumb_size, tmp_path, **options)
        assert_thumbnail(images / thumb, expected, first)

    # Built again from scratch (the generated gallery and the site removed): the
    # examples run again, and every picture comes from the cache.
    before, pictures = cache_state(cache), {p.name: p.read_bytes() for p in images.iterdir()}
    subprocess.run(["rm", "-rf", str(out), str(source / "gallery")], check=True)
    run(command, source, cache)
    assert cache_state(cache) == before
    assert {p.name: p.read_bytes() for p in images.iterdir()} == pictures

    # An example whose text changed runs again and renders nothing; one whose code
    # changed renders again; the other one is not even run.
    example = source / "examples" / "plot_a.py"
    example.write_text(
        example.read_text().replace(
            "GD and Adam on a bowl.", "GD and Adam, in a bowl.\n\n# A comment"
        )
    )
    run(command, source, cache)
    assert cache_state(cache) == before
    assert "GD and Adam, in a bowl." in (out / "gallery" / "plot_a.html").read_text()
    example.write_text(example.read_text().replace("steps=20", "steps=15"))
    run(command, source, cache)
    after = cache_state(cache)
    assert {name: after[name] for name in before} == before
    assert len(after) > len(before)


# mkdocs-gallery's helpers import a deprecated mkdocs name.
@pytest.mark.filterwarnings("ignore:warning_filter:DeprecationWarning")
def test_mkdocs_gallery_shows_each_scene_and_thumbnails_its_final_frame(tmp_path, scenes):
    from mkdocs_gallery.utils import rescale_image

    site, cache = tmp_path / "site", tmp_path / "cache"
    write_examples(site / "examples", "README.md")
    (site / "docs").mkdir()
    (site / "docs" / "index.md").write_text("# Demo\n")
    (site / "mkdocs.yml").write_text(
        textwrap.dedent("""\
        site_name: demo
        theme: material
        plugins:
          - gallery:
              examples_dirs: examples
              gallery_dirs: docs/generated/gallery
              image_scrapers: [matplotlib, anim]
        nav:
          - Home: index.md
          - Gallery: generated/gallery
        """)
    )
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"]
    run(command, site, cache)
    scene_a, scene_b = scenes
    built = site / "site" / "generated" / "gallery"

    page_a = (built / "plot_a" / "index.html").read_text(encoding="utf-8")
    gif = re.search(r'<img[^>]+src="(\.\./images/mkd_glr_plot_a_001\.gif)"', page_a)
    assert gif, page_a
    shown = (built / "plot_a" / gif.group(1)).resolve()
    alone = anim.render(scene_a, tmp_path / "alone.gif", **OPTIONS_A)
    assert shown.read_bytes() == alone.read_bytes() and gif_frames(shown) > 10

    page_b = (built / "plot_b" / "index.html").read_text(encoding="utf-8")
    assert iframe_page(page_b) == anim.render(scene_b, tmp_path / "b.html").read_text(
        encoding="utf-8"
    )
    for page in (page_a, page_b):
        assert not PROGRESS.search(page)

    index = (built / "index.html").read_text(encoding="utf-8")
    for name, scene, frame, options in [
        ("plot_a", scene_a, final_step(scene_a, **OPTIONS_A), OPTIONS_A),
        ("plot_b", scene_b, None, {}),
    ]:
        thumb = f"mkd_glr_{name}_thumb.png"
        assert f"images/thumb/{thumb}" in index
        path = built / "images" / "thumb" / thumb
        thumb_size = Image.open(path).size
        assert_thumbnail(
            path,
            expected_thumbnail(scene, frame, rescale_image, thumb_size, tmp_path, **options),
            expected_thumbnail(scene, 0, rescale_image, thumb_size, tmp_path, **options),
        )

    before = cache_state(cache)
    subprocess.run(["rm", "-rf", str(site / "site"), str(site / "docs" / "generated")], check=True)
    run(command, site, cache)
    assert cache_state(cache) == before
    assert (built / "plot_a" / gif.group(1)).resolve().read_bytes() == alone.read_bytes()


def test_a_scene_neither_rendered_nor_displayed_is_not_shown(tmp_path):
    source, cache = tmp_path / "site", tmp_path / "cache"
    folder = source / "examples"
    folder.mkdir(parents=True)
    (folder / "README.txt").write_text("Races\n=====\n")
    # The scene stays in the globals while later blocks run; none of them shows it.
    (folder / "plot_quiet.py").write_text(
        '"""\nQuiet\n=====\n"""\n' + SCENE_A + "\n# %%\n# Text, then more code\nx = 1\n"
    )
    (source / "conf.py").write_text(
        'extensions = ["sphinx_gallery.gen_gallery"]\n'
        'sphinx_gallery_conf = {"examples_dirs": "examples", "gallery_dirs": "gallery",\n'
        '                       "image_scrapers": ("matplotlib", "anim")}\n'
    )
    (source / "index.rst").write_text("Demo\n====\n\n.. toctree::\n\n   gallery/index\n")
    run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "-q",
            "-b",
            "html",
            str(source),
            str(source / "_build"),
        ],
        source,
        cache,
    )
    assert not list((source / "gallery" / "images").glob("sphx_glr_plot_quiet_*"))
    assert not cache.exists() or not list(cache.rglob("*.*"))
