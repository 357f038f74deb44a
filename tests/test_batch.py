"""Many files at once: every scene of every file, N worker processes, one line per file,
a failing file does not stop the others, Ctrl-C leaves nothing half-written."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from conftest import run_anim, scene_source
from test_interrupt import GrowingPartials, _alive, _children

TWO_SCENES = (
    scene_source() + "fast = Scene(surface=surface, optimizers=[GD(lr=0.3)], "
    "start=(1, 1), steps=10)\n"
)


@pytest.fixture
def gallery(tmp_path):
    folder = tmp_path / "scenes"
    folder.mkdir()
    (folder / "one.py").write_text(scene_source(steps=15))
    (folder / "two.py").write_text(TWO_SCENES)
    (folder / "notes.txt").write_text("not a scene")
    return folder


def test_a_folder_renders_every_scene_of_every_file_in_two_processes(gallery, tmp_path):
    out = tmp_path / "out"
    result = run_anim(
        "render",
        gallery,
        "-o",
        out,
        "--jobs",
        "2",
        "--size",
        "320x240",
        "--format",
        "gif,mp4",
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "one.gif",
        "one.mp4",
        "two-fast.gif",
        "two-fast.mp4",
        "two-scene.gif",
        "two-scene.mp4",
    ]
    lines = result.stderr.strip().splitlines()
    assert sorted(line.split(":")[0] for line in lines) == [
        str(gallery / "one.py"),
        str(gallery / "two.py"),
    ]
    assert all(" wrote " in line and " kB)" in line for line in lines)


def test_the_same_bytes_in_parallel_as_alone(gallery, tmp_path):
    run_anim(
        "render", gallery, "-o", tmp_path / "many", "--jobs", "2", "--size", "320x240", "--quiet"
    )
    alone = tmp_path / "alone.gif"
    run_anim("render", gallery / "one.py", "-o", alone, "--size", "320x240", "--quiet")
    assert (tmp_path / "many" / "one.gif").read_bytes() == alone.read_bytes()


def test_a_failing_file_is_one_line_and_the_others_go_on(cli, gallery, tmp_path):
    broken = gallery / "broken.py"
    broken.write_text("from anim import Scene\nraise RuntimeError('no data')\n")
    out = tmp_path / "out"
    code, _, err = cli(
        "render",
        gallery,
        gallery / "missing.py",
        "-o",
        out,
        "--jobs",
        "1",
        "--size",
        "320x240",
        "--quiet",
    )
    assert code == 1
    errors = [line for line in err.splitlines() if line.startswith("anim: error: ")]
    assert errors == [
        f"anim: error: {gallery / 'missing.py'}: no such file",
        f"anim: error: {broken}: error while loading (line 2): RuntimeError: no data",
    ] or sorted(errors) == sorted(
        [
            f"anim: error: {gallery / 'missing.py'}: no such file",
            f"anim: error: {broken}: error while loading (line 2): RuntimeError: no data",
        ]
    )
    assert "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["one.gif", "two-fast.gif", "two-scene.gif"]


def test_a_failing_file_in_a_worker_is_reported_too(gallery, tmp_path):
    (gallery / "broken.py").write_text("x = 1\n")
    result = run_anim(
        "render", gallery, "-o", tmp_path / "out", "--jobs", "2", "--size", "320x240", "--quiet"
    )
    assert result.returncode == 1
    assert f"anim: error: {gallery / 'broken.py'}: defines no Scene" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(list((tmp_path / "out").iterdir())) == 3


def test_bad_options_are_refused_once_before_any_file(cli, gallery, tmp_path):
    code, _, err = cli("render", gallery, "-o", tmp_path / "out", "--every", "0")
    assert code == 2
    assert err.strip() == "anim: error: Invalid every: 0 (must be an integer from 1 to 100000)"
    assert not (tmp_path / "out").exists()


def test_o_must_be_a_folder_and_scene_is_refused(cli, gallery, tmp_path):
    code, _, err = cli("render", gallery, "-o", tmp_path / "race.gif")
    assert code == 2 and "-o names a folder" in err
    code, _, err = cli("render", gallery, "--scene", "fast", "-o", tmp_path / "out")
    assert code == 2 and "--scene picks a scene of one file" in err
    code, _, err = cli("render", gallery, "--jobs", "0", "-o", tmp_path / "out")
    assert code == 2
    assert err.strip() == "anim: error: Invalid jobs: 0 (must be an integer >= 1)"


def test_two_files_with_one_name_would_overwrite_each_other(cli, gallery, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "one.py").write_text(scene_source())
    code, _, err = cli(
        "render",
        gallery / "one.py",
        other / "one.py",
        "-o",
        tmp_path / "out",
        "--jobs",
        "1",
        "--size",
        "320x240",
        "--quiet",
    )
    assert code == 1
    assert f"{other / 'one.py'}: its output would overwrite that of {gallery / 'one.py'}" in err
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["one.gif"]


def test_still_and_race_take_several_files(cli, gallery, tmp_path):
    code, _, err = cli(
        "still", gallery, "-o", tmp_path / "stills", "--size", "320x240", "--jobs", "2", "--quiet"
    )
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "stills").iterdir()) == [
        "one.png",
        "two-fast.png",
        "two-scene.png",
    ]
    code, out, _ = cli("race", gallery / "one.py", gallery / "two.py", "--json")
    assert code == 0
    reports = json.loads(out)
    assert [(r["file"].split("/")[-1], r["scene"]) for r in reports] == [
        ("one.py", "scene"),
        ("two.py", "scene"),
        ("two.py", "fast"),
    ]
    code, out, err = cli("race", gallery / "one.py", gallery / "nothing.py")
    assert code == 1 and "nothing.py: no such file" in err and "optimizer" in out


def test_an_empty_folder_is_an_error(cli, tmp_path):
    code, _, err = cli("render", tmp_path)
    assert code == 2 and "is a directory with no scene files" in err


LONG = scene_source(optimizers="GD(lr=0.001), Adam(lr=0.001)", steps=3000)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc to find workers")
@pytest.mark.parametrize(
    "suffix, whole_group, signum",
    [
        (".gif", False, signal.SIGINT),
        (".mp4", True, signal.SIGINT),
        (".gif", False, signal.SIGTERM),
    ],
    ids=["gif-sigint-parent", "mp4-ctrl-c-group", "gif-sigterm-parent"],
)
def test_ctrl_c_stops_every_worker_and_leaves_no_partial_file(
    tmp_path, suffix, whole_group, signum, ctrl_c_reaches_children
):
    folder = tmp_path / "scenes"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.py").write_text(LONG)
    out = tmp_path / "out"
    out.mkdir()
    old = out / f"a{suffix}"
    old.write_bytes(b"previous")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "anim",
            "render",
            folder,
            "-o",
            out,
            "--jobs",
            "2",
            "--size",
            "320x240",
            "--full",
            "--format",
            suffix[1:],
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    stderr = []
    chunks = iter(lambda: os.read(process.stderr.fileno(), 4096), b"")
    reader = threading.Thread(target=lambda: stderr.extend(chunks))
    reader.start()
    partials = GrowingPartials(out)
    try:
        # Generous: on a loaded machine workers take long to start; only a failure waits.
        deadline = time.monotonic() + 300
        # Both workers mid-render: two temporary files, each with frames being written.
        while partials.growing() < 2:
            assert process.poll() is None, b"".join(stderr).decode()
            assert time.monotonic() < deadline, "the workers never got going"
            time.sleep(0.05)
        workers = _children(process.pid)
        grandchildren = [pid for worker in workers for pid in _children(worker)]
        assert len(workers) >= 2
        if suffix == ".mp4":
            assert grandchildren, "each worker should be running ffmpeg"
        if whole_group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(timeout=10)
    err = b"".join(stderr).decode()
    assert code == (130 if signum == signal.SIGINT else 128 + signal.SIGTERM), err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    what = "interrupted" if signum == signal.SIGINT else "terminated"
    assert last.startswith(f"anim: error: {what}; ") and "no partial file" in last, err
    assert old.read_bytes() == b"previous"
    assert [p.name for p in out.iterdir()] == [old.name]
    time.sleep(0.3)
    assert not [pid for pid in workers + grandchildren if _alive(pid)], (
        "a worker or its ffmpeg outlived the render"
    )


def test_one_file_in_two_formats_and_format_for_the_default_output(
    cli, gallery, tmp_path, monkeypatch
):
    code, _, err = cli(
        "render",
        gallery / "one.py",
        "--format",
        "gif,mp4",
        "-o",
        tmp_path / "both",
        "--size",
        "320x240",
        "--quiet",
        "--jobs",
        "1",
    )
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "both").iterdir()) == ["one.gif", "one.mp4"]
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(
        "render", gallery / "one.py", "--format", "mp4", "--size", "320x240", "--quiet"
    )
    assert code == 0, err
    assert [p.name for p in (tmp_path / "output").iterdir()] == ["one.mp4"]
    code, _, err = cli("render", gallery / "one.py", "--format", "webm")
    assert code == 2 and "Invalid format: 'webm' (choose from gif, mp4" in err


@pytest.mark.parametrize("formats", ["mp4,gif", "gif,mp4"])
def test_a_refused_format_does_not_drop_the_files_other_formats(cli, gallery, tmp_path, formats):
    """Whatever the order of the formats, the one a scene cannot have is one error line
    and every other format of the file is written."""
    out = tmp_path / "out"
    code, _, err = cli(
        "render",
        gallery / "one.py",
        "--format",
        formats,
        "-o",
        out,
        "--transparent",
        "--size",
        "320x240",
        "--quiet",
        "--jobs",
        "1",
    )
    assert code == 1
    errors = [line for line in err.splitlines() if line.startswith("anim: error: ")]
    assert len(errors) == 1 and "one.mp4: an MP4 cannot be transparent" in errors[0], err
    assert sorted(p.name for p in out.iterdir()) == ["one.gif"]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc to find workers")
def test_a_worker_that_dies_fails_its_file_and_the_others_finish(tmp_path):
    folder = tmp_path / "scenes"
    folder.mkdir()
    (folder / "a_long.py").write_text(LONG)
    for name in ("b", "c"):
        (folder / f"{name}.py").write_text(scene_source(steps=15))
    out = tmp_path / "out"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "anim",
            "render",
            folder,
            "-o",
            out,
            "--jobs",
            "2",
            "--size",
            "320x240",
            "--full",
            "--quiet",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        # The long race goes first (longest first); kill its worker mid-render.
        while not (out.is_dir() and any(p.name.startswith(".a_long.") for p in out.iterdir())):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        partial = next(p for p in out.iterdir() if p.name.startswith(".a_long."))
        worker = int(partial.name.split(".")[2])
        os.kill(worker, signal.SIGKILL)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 1, err
    assert (
        f"anim: error: {folder / 'a_long.py'}: the worker rendering it died (exit code -9)" in err
    )
    assert sorted(p.name for p in out.iterdir()) == ["b.gif", "c.gif"]
