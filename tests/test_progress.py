"""Progress bars draw on a terminal or when asked; a log, a pipe or a docs build gets
only the render's one line."""

import fcntl
import io
import logging
import os
import pty
import re
import struct
import subprocess
import sys
import termios

import pytest

import anim

from conftest import run_anim, scene_source

BAR = re.compile(r"\| *\d+/\d+ \[")


@pytest.fixture
def scene_file(write_scene):
    return write_scene(scene_source(steps=12))


def test_a_pipe_gets_one_line_and_no_bar(scene_file, tmp_path):
    output = tmp_path / "race.gif"
    result = run_anim("render", scene_file, "-o", output, "--size", "320x240")
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"wrote {output}\n"


def test_progress_asks_for_the_bar_in_a_pipe(scene_file, tmp_path):
    output = tmp_path / "race.gif"
    result = run_anim("render", scene_file, "-o", output, "--size", "320x240", "--progress")
    assert result.returncode == 0, result.stderr
    assert BAR.search(result.stderr), result.stderr
    assert result.stderr.rstrip().endswith(f"wrote {output}")


def test_a_terminal_gets_the_bar_and_no_progress_drops_it(scene_file, tmp_path):
    def on_a_terminal(*extra):
        controller, terminal = pty.openpty()
        # A terminal has a size; tqdm fits the bar to its width.
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "anim",
                    "render",
                    scene_file,
                    "-o",
                    tmp_path / "race.gif",
                    "--size",
                    "320x240",
                    *extra,
                ],
                stderr=terminal,
                stdout=subprocess.DEVNULL,
            )
            os.close(terminal)
            shown = b""
            while True:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # the terminal closed: the render ended
                    break
                if not chunk:
                    break
                shown += chunk
            assert process.wait(timeout=120) == 0, shown
        finally:
            os.close(controller)
        return shown.decode()

    assert BAR.search(on_a_terminal()), "a terminal should see the bar"
    shown = on_a_terminal("--no-progress")
    assert not BAR.search(shown) and "wrote " in shown


def test_quiet_and_progress_contradict(cli, scene_file, tmp_path):
    code, _, err = cli("render", scene_file, "-o", tmp_path / "race.gif", "--quiet", "--progress")
    assert code == 2
    assert err.strip() == ("anim: error: --progress and --quiet contradict each other; give one")


def test_several_files_in_a_pipe_get_one_line_each(scene_file, tmp_path):
    (scene_file.parent / "other.py").write_text(scene_source(steps=8))
    result = run_anim(
        "render", scene_file.parent, "-o", tmp_path / "out", "--jobs", "1", "--size", "320x240"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(": wrote " in line for line in lines), result.stderr
    assert "\r" not in result.stderr


@pytest.mark.parametrize(
    "stderr",
    [
        io.StringIO(),
        type("NoIsatty", (), {"write": lambda self, text: len(text), "flush": lambda self: None})(),
    ],
    ids=["not-a-terminal", "no-isatty"],
)
def test_python_render_draws_no_bar_off_a_terminal(scene_file, tmp_path, monkeypatch, stderr):
    # A docs build replaces stderr with an object that may not even have isatty().
    written = []
    if isinstance(stderr, io.StringIO):
        written = stderr
    else:
        stderr.write = lambda text: written.append(text) or len(text)
    monkeypatch.setattr(sys, "stderr", stderr)
    anim.render(anim.load_scene(scene_file), tmp_path / "race.gif", size="320x240")
    text = written.getvalue() if isinstance(written, io.StringIO) else "".join(written)
    assert text == ""
    anim.render(anim.load_scene(scene_file), tmp_path / "race.gif", size="320x240", progress=True)
    text = written.getvalue() if isinstance(written, io.StringIO) else "".join(written)
    assert BAR.search(text)


def test_a_log_at_info_hears_nothing_of_matplotlib_during_a_render(scene_file, tmp_path, caplog):
    # A docs theme configures logging at INFO; matplotlib would log every save there.
    caplog.set_level(logging.INFO)
    anim.render(anim.load_scene(scene_file), tmp_path / "race.gif", size="320x240")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("matplotlib")] == []
    import matplotlib.animation  # noqa: F401  (the filter is gone after the render)

    logging.getLogger("matplotlib.animation").info("Animation.save using something")
    assert caplog.records[-1].getMessage() == "Animation.save using something"
