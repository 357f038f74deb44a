"""Reproducible and traceable: same scene and options, same file; each file says where
it came from."""

import hashlib
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import anim

from conftest import scene_source

OPTIONS = ["--size", "320x240", "--hold", "0.5", "--steps", "25"]
FILES = ("race.gif", "race.png", "race.mp4")
SCENE = scene_source(
    optimizers="GD(lr=0.1), Momentum(lr=0.05, momentum=0.9), Adam(lr=0.3)", steps=40
)


def render_all(folder, scene, runner):
    folder.mkdir()
    for name in FILES:
        runner(["render", scene, "-o", folder / name, "--quiet", "--sidecar", *OPTIONS])


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    """The same scene rendered twice: here, and from a copy in a fresh interpreter."""
    root = tmp_path_factory.mktemp("reproducible")
    first_scene, second_scene = root / "one" / "scene.py", root / "two" / "scene.py"
    first_scene.parent.mkdir()
    second_scene.parent.mkdir()
    first_scene.write_text(SCENE)
    shutil.copy(first_scene, second_scene)

    def here(args):
        assert anim.cli.main([str(a) for a in args]) == 0

    render_all(root / "first", first_scene, here)
    # Another process, another hash seed, another path to an identical scene file.
    script = (
        "import sys, anim.cli\n"
        f"for name in {FILES!r}:\n"
        f"    code = anim.cli.main(['render', {str(second_scene)!r}, '-o', "
        f"{str(root / 'second')!r} + '/' + name, '--quiet', '--sidecar', *{OPTIONS!r}])\n"
        "    assert code == 0, code\n"
    )
    (root / "second").mkdir()
    subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        timeout=120,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    return root, hashlib.sha256(SCENE.encode()).hexdigest()


@pytest.mark.parametrize("name", ["race.gif", "race.png"])
def test_gif_and_png_are_byte_identical(renders, name):
    root, _ = renders
    first, second = (root / "first" / name).read_bytes(), (root / "second" / name).read_bytes()
    assert len(first) > 1000
    assert first == second


def test_mp4_frames_are_identical(renders):
    import imageio.v2 as imageio

    root, _ = renders
    decoded = []
    for folder in ("first", "second"):
        with imageio.get_reader(root / folder / "race.mp4", format="FFMPEG") as reader:
            decoded.append(np.stack([frame for frame in reader]))  # len() is inf
    assert decoded[0].shape == (26 + 15, 240, 320, 3)
    np.testing.assert_array_equal(decoded[0], decoded[1])


def _provenance(path):
    if path.suffix == ".gif":
        return Image.open(path).info["comment"].decode("utf-8")
    if path.suffix == ".png":
        text = Image.open(path).text
        assert text["Software"] == f"anim {anim.__version__}"
        return text["Comment"]
    from imageio_ffmpeg import get_ffmpeg_exe

    metadata = subprocess.run(
        [get_ffmpeg_exe(), "-v", "error", "-i", path, "-f", "ffmetadata", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return next(
        line.split("=", 1)[1] for line in metadata.splitlines() if line.startswith("comment=")
    )


@pytest.mark.parametrize("name", FILES)
def test_each_file_records_anim_version_and_scene_hash(renders, name):
    root, digest = renders
    comment = _provenance(root / "first" / name)
    assert f"anim {anim.__version__}" in comment
    assert f"sha256:{digest}" in comment


@pytest.mark.parametrize("name", FILES)
def test_sidecar_describes_scene_options_versions_and_results(renders, name):
    root, digest = renders
    record = json.loads((root / "first" / f"{name}.json").read_text())
    assert record["anim"] == anim.__version__
    assert record["output"] == name
    assert record["scene"] == {
        "file": str(root / "one" / "scene.py"),
        "name": "scene",
        "sha256": digest,
    }
    options = record["options"]
    assert (options["width"], options["height"], options["steps"]) == (320, 240, 25)
    if name != "race.png":
        assert options["hold"] == 0.5 and options["fps"] == 30
    for package in ("numpy", "matplotlib", "pillow", "imageio", "imageio-ffmpeg"):
        assert record["versions"][package]
    race = record["race"]
    assert race["steps"] == 25 and race["start"] == [2.5, 2.0] and race["goal"] == [0, 0]
    assert [o["name"] for o in race["optimizers"]] == ["GD", "Momentum", "Adam"]
    gd = race["optimizers"][0]
    assert gd["hyperparameters"]["lr"] == 0.1
    assert gd["arrival_step"] == 13 and gd["diverged_step"] is None
    assert set(race["optimizers"][2]) >= {"arrival_step", "diverged_step", "final_loss"}


def test_diverging_optimizer_is_shown_and_the_render_succeeds(cli, write_scene, tmp_path):
    path = write_scene(scene_source(optimizers="GD(lr=50.0), GD(lr=0.1)", steps=30))
    code, out, err = cli("race", path, "--json")
    assert code == 0, err
    race = json.loads(out)
    assert race["optimizers"][0]["diverged_step"] == 2
    assert race["optimizers"][0]["arrival_step"] is None
    assert race["optimizers"][1]["diverged_step"] is None
    assert race["optimizers"][1]["arrival_step"] is not None

    code, _, err = cli(
        "render", path, "-o", tmp_path / "race.gif", "--size", "320x240", "--quiet", "--sidecar"
    )
    assert code == 0, err
    assert err == ""
    sidecar = json.loads((tmp_path / "race.gif.json").read_text())
    assert sidecar["race"]["optimizers"][0]["diverged_step"] == 2
    assert Image.open(tmp_path / "race.gif").n_frames > 1
