"""Helpers for the tests that drive ``python -m anim`` like a user would."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import anim.cli

#: The browser fixtures (a headless Chromium, a page watched for errors and requests).
pytest_plugins = ["pages"]

ROOT = Path(__file__).resolve().parent.parent

#: A valid scene file; the tests format it with one broken piece each.
SCENE_TEMPLATE = """\
import numpy as np
from anim import Scene, Surface
from anim.optimizers import GD, Adam, Momentum, RMSProp

surface = Surface(lambda x, y: x**2 + 2 * y**2, bounds=((-3, 3), (-3, 3)), minimum=(0, 0))
scene = Scene(surface={surface}, optimizers=[{optimizers}], start={start}, steps={steps})
"""


def scene_source(
    surface="surface", optimizers="GD(lr=0.1), Adam(lr=0.3)", start="(2.5, 2.0)", steps=20
) -> str:
    return SCENE_TEMPLATE.format(surface=surface, optimizers=optimizers, start=start, steps=steps)


@pytest.fixture(autouse=True, scope="session")
def slice_cache(tmp_path_factory):
    """Slices of real models are kept on disk: in the tests, in a folder of their own (for
    the scene files run in subprocesses too), never in the user's cache."""
    folder = tmp_path_factory.mktemp("anim-cache")
    previous = os.environ.get("ANIM_CACHE_DIR")
    os.environ["ANIM_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("ANIM_CACHE_DIR", None)
    else:
        os.environ["ANIM_CACHE_DIR"] = previous


@pytest.fixture
def write_scene(tmp_path):
    """write_scene(text, name="scene.py") -> path of a scene file in its own folder."""
    folder = tmp_path / "scenes"
    folder.mkdir()

    def write(text=None, name="scene.py"):
        path = folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if text is not None else scene_source())
        return path

    return write


@pytest.fixture
def cli(capsys):
    """cli(*args) -> (exit code, stdout, stderr) of anim.cli.main, run in this process."""

    def run(*args):
        code = anim.cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def run_anim(*args, cwd=None, env=None, timeout=120):
    """The real command line: ``python -m anim ARGS`` in a fresh interpreter."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "anim", *map(str, args)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_error_line(err: str, *fragments: str) -> str:
    """stderr holds exactly one line, ``anim: error: ...`` containing every fragment."""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("anim: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, err)
    return lines[0]


@pytest.fixture
def ctrl_c_reaches_children():
    """Children started in the test get Ctrl-C as from a terminal. A suite launched in the
    background (``cmd &`` in a script, nohup) inherits SIGINT ignored, and so would every
    render it starts: Python keeps an ignored SIGINT ignored. A handler in this process is
    reset to the default at exec, so the children install Python's own."""
    before = signal.getsignal(signal.SIGINT)
    if before == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)
