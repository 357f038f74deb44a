"""Nothing lost: a failed or interrupted render leaves the previous file as it was."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

import anim
import anim.cli
import anim.writers

from conftest import assert_one_error_line, scene_source

OLD = b"the previous render, which must survive\n"
LONG_SCENE = scene_source(optimizers="GD(lr=0.001), Adam(lr=0.001)", steps=3000)


def _children(pid):
    """Pids of the live child processes of ``pid`` (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


class GrowingPartials:
    """Watches a folder for unfinished outputs (``.partial`` files) that are being written:
    a file counts once it has grown since it was first seen, i.e. frames are reaching it.
    Unlike a progress bar on stderr, this does not depend on what is printed or how fast a
    busy machine gets to print it."""

    def __init__(self, folder):
        self.folder, self.first_size = folder, {}

    def growing(self) -> int:
        count = 0
        for path in self.folder.iterdir():
            if ".partial" not in path.name:
                continue
            try:
                size = path.stat().st_size
            except FileNotFoundError:  # finished or removed between listing and stat
                continue
            first = self.first_size.setdefault(path.name, size)
            count += size > first
        return count


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc to find ffmpeg")
@pytest.mark.parametrize(
    "suffix, signum, whole_group",
    [
        (".gif", signal.SIGINT, False),
        (".mp4", signal.SIGINT, False),
        # Ctrl-C in a terminal signals the whole process group: ffmpeg gets it too.
        (".mp4", signal.SIGINT, True),
        (".gif", signal.SIGTERM, False),
    ],
    ids=["gif-sigint", "mp4-sigint", "mp4-ctrl-c-group", "gif-sigterm"],
)
def test_real_signal_mid_render_keeps_the_old_file(
    tmp_path, suffix, signum, whole_group, ctrl_c_reaches_children
):
    scene = tmp_path / "long.py"
    scene.write_text(LONG_SCENE)
    folder = tmp_path / "out"
    folder.mkdir()
    output = folder / f"race{suffix}"
    output.write_bytes(OLD)
    process = subprocess.Popen(
        [sys.executable, "-m", "anim", "render", scene, "-o", output, "--size", "400x300"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    stderr = []
    chunks = iter(lambda: os.read(process.stderr.fileno(), 4096), b"")
    reader = threading.Thread(target=lambda: stderr.extend(chunks))
    reader.start()
    partials = GrowingPartials(folder)
    try:
        # Generous: on a loaded machine a render takes long to start; only a failure waits.
        deadline = time.monotonic() + 300
        # Mid-render: the temporary file exists and frames are being written to it.
        while partials.growing() < 1:
            assert process.poll() is None, b"".join(stderr).decode()
            assert time.monotonic() < deadline, "the render never got going"
            time.sleep(0.05)
        encoders = _children(process.pid)
        if suffix == ".mp4":
            assert encoders, "ffmpeg should be running as a child of the render"
        if whole_group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(timeout=10)
    err = b"".join(stderr).decode()
    assert code == (130 if signum == signal.SIGINT else 128 + signal.SIGTERM), err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("anim: error: ") and "was not changed" in last, err
    assert output.read_bytes() == OLD
    assert [p.name for p in folder.iterdir()] == [output.name]
    time.sleep(0.2)
    assert not [pid for pid in encoders if _alive(pid)], "ffmpeg outlived the render"


@pytest.fixture
def scene_file(write_scene):
    return write_scene(scene_source(steps=40))


@pytest.mark.parametrize(
    "writer, suffix", [(anim.writers.GifWriter, ".gif"), (anim.writers.Mp4Writer, ".mp4")]
)
@pytest.mark.parametrize(
    "failure, code, message",
    [
        (OSError(28, "No space left on device"), 1, "writing failed: [Errno 28] No space left"),
        (ZeroDivisionError("a bug"), 1, "unexpected ZeroDivisionError: a bug"),
        (KeyboardInterrupt(), 130, "interrupted;"),
    ],
    ids=["disk-full", "bug", "ctrl-c"],
)
def test_failure_mid_render_keeps_the_old_file(
    cli, scene_file, tmp_path, monkeypatch, writer, suffix, failure, code, message
):
    folder = tmp_path / "out"
    folder.mkdir()
    output = folder / f"race{suffix}"
    output.write_bytes(OLD)
    write = writer._write
    seen = []

    def failing_write(self, rgba):
        seen.append(os.listdir(folder))
        if len(seen) == 5:
            raise failure
        write(self, rgba)

    monkeypatch.setattr(writer, "_write", failing_write)
    status, _, err = cli("render", scene_file, "-o", output, "--size", "320x240", "--quiet")
    assert status == code
    assert_one_error_line(err, str(output), message)
    assert len(seen) == 5 and any(".partial" in name for name in seen[-1])
    assert output.read_bytes() == OLD
    assert os.listdir(folder) == [output.name]


def test_an_mp4_that_ffmpeg_cut_short_is_a_failure_and_keeps_the_old_file(
    cli, scene_file, tmp_path, monkeypatch
):
    # ffmpeg ends as if all went well, but the file on disk is cut short, as a full disk
    # leaves it: only reading the file back shows that frames are missing.
    import imageio_ffmpeg

    encode = imageio_ffmpeg.write_frames

    def cut_short(path, *args, **kwargs):
        encoder = encode(path, *args, **kwargs)
        encoder.send(None)
        try:
            while True:
                encoder.send((yield))
        except GeneratorExit:
            encoder.close()
            os.truncate(path, os.path.getsize(path) // 2)

    monkeypatch.setattr(imageio_ffmpeg, "write_frames", cut_short)
    output = tmp_path / "race.mp4"
    output.write_bytes(OLD)
    status, _, err = cli("render", scene_file, "-o", output, "--size", "320x240", "--quiet")
    assert status == 1
    assert_one_error_line(err, str(output), "writing failed: ffmpeg wrote ")
    assert output.read_bytes() == OLD
    assert sorted(os.listdir(tmp_path)) == ["race.mp4", "scenes"]


def test_mp4_frame_count_reads_the_file_back(scene_file, tmp_path):
    scene = anim.load_scene(scene_file)
    path = anim.render(scene, tmp_path / "race.mp4", size="320x240", hold=0, progress=False)
    assert anim.writers.mp4_frame_count(path) == scene.steps + 1
    path.write_bytes(b"not a video")
    with pytest.raises(OSError, match="cannot read the video back"):
        anim.writers.mp4_frame_count(path)


def test_failure_writing_a_png_keeps_the_old_file(cli, scene_file, tmp_path, monkeypatch):
    from PIL import Image

    output = tmp_path / "still.png"
    output.write_bytes(OLD)

    def failing_save(self, fp, *args, **kwargs):
        fp.write(b"half a PNG")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", failing_save)
    status, _, err = cli("still", scene_file, "-o", output, "--size", "320x240")
    assert status == 1
    assert_one_error_line(err, str(output), "writing failed: [Errno 28] No space left")
    assert output.read_bytes() == OLD
    assert sorted(os.listdir(tmp_path)) == ["scenes", "still.png"]


def test_interrupt_after_the_file_is_in_place_says_so(cli, scene_file, tmp_path, monkeypatch):
    import anim.renderer

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(anim.renderer, "_write_sidecar", interrupted)
    output = tmp_path / "race.gif"
    output.write_bytes(OLD)
    status, _, err = cli(
        "render", scene_file, "-o", output, "--size", "320x240", "--quiet", "--sidecar"
    )
    assert status == 130
    assert_one_error_line(err, f"interrupted; {output} had already been written")
    assert output.read_bytes() != OLD


@pytest.mark.parametrize("then", ["fails", "finishes"])
def test_a_signal_dropped_in_a_finalizer_still_stops_with_one_line(cli, monkeypatch, then):
    # A signal handler that raises inside __del__ or a weakref callback (matplotlib's
    # transforms have those) sees its exception printed and dropped by Python; the
    # command then fails for an unrelated reason (half-updated state) or even finishes.
    class Dropper:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGTERM)

    def command(args):
        Dropper()
        if then == "fails":
            raise ValueError("Invalid bounding box")
        return 0

    monkeypatch.setitem(anim.cli.COMMANDS, "doctor", command)
    code, out, err = cli("doctor")
    assert code == 128 + signal.SIGTERM
    assert_one_error_line(err, "terminated; no output file was changed")
