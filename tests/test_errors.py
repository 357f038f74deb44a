"""Bad input gets one clear ``anim: error:`` line and a non-zero exit, never a traceback."""

import os

import pytest

import anim.renderer

from conftest import assert_one_error_line, run_anim, scene_source

# ----------------------------------------------------------------- the real command line
# A representative set through a fresh interpreter: exit status, stderr, no traceback.


def test_missing_file_subprocess(tmp_path):
    result = run_anim("race", "nowhere.py", cwd=tmp_path)
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "nowhere.py", "no such file")


def test_syntax_error_names_file_and_line_subprocess(write_scene):
    path = write_scene("from anim import Scene\n\nx = 1\ny = = 2\n")
    result = run_anim("render", path, "--quiet")
    assert result.returncode == 2
    assert_one_error_line(result.stderr, str(path), "syntax error at line 4")


def test_exception_while_loading_reports_message_and_line_subprocess(write_scene):
    path = write_scene("import math\n\nvalue = 1\nraise RuntimeError('the data file is gone')\n")
    result = run_anim("race", path)
    assert result.returncode == 2
    assert_one_error_line(
        result.stderr,
        str(path),
        "error while loading (line 4): RuntimeError: the data file is gone",
    )


def test_several_scenes_without_scene_lists_them_subprocess(write_scene, tmp_path):
    path = write_scene(
        scene_source() + "fast = Scene(surface=surface, optimizers=[GD(lr=0.3)], start=(1, 1))\n"
    )
    result = run_anim("render", path, "-o", tmp_path / "out.gif", "--quiet")
    assert result.returncode == 2
    assert_one_error_line(result.stderr, str(path), "--scene", "scene, fast")
    assert not (tmp_path / "out.gif").exists()


def test_unknown_output_format_subprocess(write_scene, tmp_path):
    result = run_anim("render", write_scene(), "-o", tmp_path / "out.avi")
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "out.avi", "unknown output format '.avi'", ".gif")


def test_bad_fps_is_one_line_not_argparse_usage_subprocess(write_scene, tmp_path):
    result = run_anim("render", write_scene(), "-o", tmp_path / "out.gif", "--fps", "fast")
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "--fps", "'fast'")


def test_debug_shows_the_scene_traceback_subprocess(write_scene):
    path = write_scene("raise RuntimeError('kaput')\n")
    result = run_anim("race", path, "--debug")
    assert result.returncode == 2
    assert "Traceback" in result.stderr and str(path) in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("anim: error: ")


# ----------------------------------------------------------------------- scene files


def test_directory(cli, tmp_path):
    code, _, err = cli("race", tmp_path)
    assert code == 2
    assert_one_error_line(err, str(tmp_path), "is a directory")


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "binary file"),
        (b"\xff\xfe\x00\x00garbage", "binary file"),
        (b"caf\xe9 = 1\n", "is not a UTF-8 text file (byte 3)"),
    ],
)
def test_binary_or_undecodable_file(cli, write_scene, content, fragment):
    path = write_scene(content)
    code, _, err = cli("render", path)
    assert code == 2
    assert_one_error_line(err, str(path), fragment)


def test_text_file_that_is_not_python(cli, write_scene):
    path = write_scene("Meeting notes: render the ravine at 30 fps.\n", name="notes.txt")
    code, _, err = cli("race", path)
    assert code == 2
    assert_one_error_line(err, str(path), "not a Python scene file", "line 1")


def test_coding_cookie_is_honoured(cli, write_scene):
    source = "# -*- coding: latin-1 -*-\n" + scene_source() + "title = 'caf\xe9'\n"
    path = write_scene(source.encode("latin-1"))
    code, out, err = cli("race", path)
    assert code == 0, err
    assert "scene: 20 steps" in out


def test_not_a_regular_file(cli):
    code, _, err = cli("race", "/dev/null")
    assert code == 2
    assert_one_error_line(err, "/dev/null", "not a regular file")


def test_module_without_scene(cli, write_scene):
    path = write_scene("from anim import Scene\nx = 1\n")
    code, _, err = cli("race", path)
    assert code == 2
    assert_one_error_line(err, str(path), "defines no Scene")


def test_unknown_scene_name(cli, write_scene, tmp_path):
    path = write_scene(
        scene_source() + "slow = Scene(surface=surface, optimizers=[GD(lr=0.01)], start=(1, 1))\n"
    )
    code, _, err = cli("render", path, "--scene", "fast", "-o", tmp_path / "out.gif")
    assert code == 2
    assert_one_error_line(err, str(path), "no scene named 'fast'", "scene, slow")


def test_exit_called_by_the_scene(cli, write_scene):
    path = write_scene("import sys\nsys.exit(3)\n")
    code, _, err = cli("race", path)
    assert code == 2
    assert_one_error_line(err, str(path), "(line 2)", "exit(3)")


def test_multi_line_exception_message_stays_on_one_line(cli, write_scene):
    path = write_scene("raise ValueError('first line\\nsecond line')\n")
    code, _, err = cli("race", path)
    assert code == 2
    assert_one_error_line(err, "first line | second line")


# --------------------------------------------------------------- invalid scene contents

LOAD_ERRORS = {
    "negative lr": (
        dict(optimizers="GD(lr=-0.1)"),
        "ValueError: Invalid learning rate: -0.1 (must be > 0)",
    ),
    "rho is 1": (
        dict(optimizers="RMSProp(lr=0.1, rho=1.0)"),
        "ValueError: Invalid rho: 1.0 (must be in [0, 1))",
    ),
    "beta2 is 1": (
        dict(optimizers="Adam(betas=(0.9, 1.0))"),
        "ValueError: Invalid beta2: 1.0 (must be in [0, 1))",
    ),
    "negative beta1": (
        dict(optimizers="Adam(betas=(-0.1, 0.99))"),
        "ValueError: Invalid beta1: -0.1 (must be in [0, 1))",
    ),
    "negative eps": (
        dict(optimizers="Adam(eps=-1e-8)"),
        "ValueError: Invalid eps: -1e-08 (must be >= 0)",
    ),
    "no optimizers": (dict(optimizers=""), "optimizers is empty"),
    "zero steps": (dict(steps=0), "Invalid steps: 0"),
    "absurd steps": (
        dict(steps=100_001),
        "Invalid steps: 100001 (must be an integer from 1 to 100000)",
    ),
    "nan start": (dict(start="(float('nan'), 0)"), "start must be a finite point"),
    "inf start": (dict(start="(1, float('inf'))"), "start must be a finite point"),
    "3-d start": (dict(start="(1, 2, 3)"), "start must be a finite point"),
    "start off in space": (dict(start="(1e6, 0)"), "is outside the surface's bounds"),
    "nan at the start": (
        dict(
            surface="Surface(lambda x, y: np.log(x) + y**2, bounds=((-3, 3), (-3, 3)))",
            start="(-1, 1)",
        ),
        "not finite at the start (-1.0, 1.0)",
    ),
    "raises at the start": (
        dict(surface="Surface(lambda x, y: 1 / 0, bounds=((-3, 3), (-3, 3)))"),
        "fails at the start (2.5, 2.0): ZeroDivisionError",
    ),
    "math instead of numpy": (
        dict(
            surface="Surface(lambda x, y: __import__('math').sin(x) "
            "+ y**2, bounds=((-3, 3), (-3, 3)))"
        ),
        "works on single numbers but fails on numpy arrays (TypeError",
    ),
    "if/else instead of np.where": (
        dict(surface="Surface(lambda x, y: x**2 if x > 0 else y**2, bounds=((-3, 3), (-3, 3)))"),
        "use numpy's functions (np.sin, np.where(...))",
    ),
    "gradient of the wrong shape": (
        dict(surface="Surface(lambda x, y: x**2 + y**2, grad=lambda x, y: (x, y, x))"),
        "gradient of unnamed surface returned 3 values",
    ),
}


@pytest.mark.parametrize("fields, message", LOAD_ERRORS.values(), ids=LOAD_ERRORS.keys())
def test_invalid_scene_is_reported_with_its_line(cli, write_scene, tmp_path, fields, message):
    path = write_scene(scene_source(**fields))
    code, _, err = cli("render", path, "-o", tmp_path / "out.gif", "--quiet")
    assert code == 2
    assert_one_error_line(err, f"{path}: error while loading (line 6): ", message)
    assert not (tmp_path / "out.gif").exists()


def test_scene_code_failing_during_the_race_is_blamed_with_its_line(cli, write_scene, tmp_path):
    path = write_scene(
        scene_source(
            surface="Surface(lambda x, y: x**2 + y**2, grad=grad, bounds=((-3, 3), (-3, 3)))"
        ).replace(
            "surface = Surface",
            """\
calls = []
def grad(x, y):
    calls.append(1)
    if len(calls) > 3:
        raise ArithmeticError("the gradient gave up")
    return 2 * x, 2 * y
surface = Surface""",
        )
    )
    code, _, err = cli("render", path, "-o", tmp_path / "out.gif", "--quiet")
    assert code == 2
    assert_one_error_line(err, str(path), "(line 9)", "ArithmeticError: the gradient gave up")


def test_warnings_are_one_line(cli, write_scene):
    # abs() is not complex-differentiable: the surface warns that it falls back to
    # central differences.
    path = write_scene(
        scene_source(surface="Surface(lambda x, y: abs(x) + y**2, bounds=((-3, 3), (-3, 3)))")
    )
    code, _, err = cli("race", path)
    assert code == 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("anim: warning: "), err
    assert "central differences" in lines[0]
    # It points at the scene's line that made the surface race, not into anim.
    assert lines[0].startswith(f"anim: warning: {path}: line 6: "), err


# -------------------------------------------------------------- requests, before rendering


@pytest.fixture
def no_rendering(monkeypatch):
    """Fail the test if racing or rendering starts: request errors must be found before."""

    def refuse(*args, **kwargs):
        raise AssertionError("rendering started for an invalid request")

    monkeypatch.setattr(anim.scene.Scene, "race", refuse)
    monkeypatch.setattr(anim.renderer, "RaceFigure", refuse)
    monkeypatch.setattr("matplotlib.animation.FuncAnimation.save", refuse)


REQUEST_ERRORS = {
    "unknown suffix": (["-o", "{out}/race.webm"], "unknown output format '.webm'"),
    "no suffix": (["-o", "{out}/race"], "unknown output format '(no suffix)'"),
    "folder under a file": (["-o", "{out}/plain.txt/race.gif"], "cannot create the folder"),
    "output is a folder": (["-o", "{out}/taken.gif"], "is a folder"),
    "fps zero": (["--fps", "0"], "Invalid fps: 0.0"),
    "fps too high": (["--fps", "1000"], "Invalid fps: 1000.0 (must be a number from 1 to 50)"),
    "fps nan": (["--fps", "nan"], "Invalid fps: nan"),
    "fps not a number": (["--fps", "30fps"], "argument --fps: invalid float value: '30fps'"),
    "fps for a png": (["-o", "{out}/race.png", "--fps", "-3"], "Invalid fps: -3.0"),
    "size garbage": (["--size", "big"], "Invalid size: 'big' (expected WIDTHxHEIGHT"),
    "size tiny": (["--size", "10x10"], "Invalid size: 10x10"),
    "size absurd": (["--size", "100000x100000"], "Invalid size: 100000x100000"),
    "size negative": (["--size=-800x600"], "Invalid size: -800x600"),
    "odd mp4 size": (["-o", "{out}/race.mp4", "--size", "401x301"], "even width and height"),
    "dpi negative": (["--dpi", "-1"], "Invalid dpi: -1.0"),
    "dpi absurd": (["--dpi", "1e9"], "Invalid dpi"),
    "dpi too big for the size": (
        ["--size", "400x300", "--dpi", "300"],
        "leaves no room for the plot in 400x300",
    ),
    "dpi not a number": (["--dpi", "high"], "argument --dpi: invalid float value: 'high'"),
    "steps zero": (["--steps", "0"], "Invalid steps: 0"),
    "steps absurd": (
        ["--steps", "1000000"],
        "Invalid steps: 1000000 (must be an integer from 1 to 100000)",
    ),
    "hold negative": (["--hold", "-1"], "Invalid hold: -1.0"),
    "loop negative": (["--loop", "-2"], "Invalid loop: -2"),
    "unknown option": (
        ["--colour", "red"],
        "unrecognized arguments: --colour red (see `anim render --help`)",
    ),
    "negative camera": (
        ["--view", "3d", "--camera", "-10,30"],
        "a value that starts with '-': write --camera=-10,30",
    ),
}


@pytest.mark.parametrize("extra, message", REQUEST_ERRORS.values(), ids=REQUEST_ERRORS.keys())
def test_request_errors_before_rendering(cli, write_scene, tmp_path, no_rendering, extra, message):
    out = tmp_path / "out"
    out.mkdir()
    (out / "taken.gif").mkdir()
    (out / "plain.txt").write_text("a file, not a folder")
    args = [a.format(out=out) for a in extra]
    if "-o" not in args:
        args += ["-o", out / "race.gif"]
    code, _, err = cli("render", write_scene(), *args)
    assert code == 2
    line = assert_one_error_line(err, message)
    if not line.startswith("anim: error: argument") and "unrecognized" not in line:
        assert line.startswith(f"anim: error: {args[args.index('-o') + 1]}: "), line
    assert sorted(p.name for p in out.iterdir()) == ["plain.txt", "taken.gif"]


def test_one_output_into_a_missing_folder_creates_it_as_a_batch_does(cli, write_scene, tmp_path):
    single = tmp_path / "one" / "deeper" / "race.png"
    code, _, err = cli("still", write_scene(), "-o", single, "--size", "320x240")
    assert code == 0, err
    assert single.is_file()
    folder = tmp_path / "many" / "deeper"
    code, _, err = cli(
        "still", write_scene(), write_scene(name="other.py"), "-o", folder, "--size", "320x240"
    )
    assert code == 0, err
    assert sorted(p.suffix for p in folder.iterdir()) == [".png", ".png"]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--frame", "21"], "Invalid frame: 21 (must be an integer from 0 to 20)"),
        (["-o", "{out}/race.gif"], "unknown output format '.gif' (use .png)"),
        (["--size", "64"], "Invalid size: '64'"),
    ],
)
def test_still_request_errors_before_rendering(
    cli, write_scene, tmp_path, no_rendering, extra, message
):
    out = tmp_path / "out"
    out.mkdir()
    args = [a.format(out=out) for a in extra]
    if "-o" not in args:
        args += ["-o", out / "race.png"]
    code, _, err = cli("still", write_scene(), *args)
    assert code == 2
    assert_one_error_line(err, message)
    assert list(out.iterdir()) == []


def test_unwritable_folder_is_found_before_rendering(cli, write_scene, tmp_path, no_rendering):
    if os.geteuid() == 0:
        # Root ignores permission bits; /proc refuses new files even to root, while
        # os.access("/proc", W_OK) still says yes.
        if not os.path.isdir("/proc/self"):
            pytest.skip("needs /proc")
        target, folder = "/proc/race.gif", None
    else:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o555)
        target = folder / "race.gif"
    try:
        code, _, err = cli("render", write_scene(), "-o", target)
    finally:
        if folder is not None:
            folder.chmod(0o755)
    assert code == 2
    assert_one_error_line(
        err, f"{target}: cannot write in the folder" if folder is None else str(target)
    )
    assert not os.path.exists(target)


def test_default_output_folder_is_created(cli, write_scene, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(
        "render", write_scene(), "--size", "320x240", "--steps", "3", "--hold", "0", "--quiet"
    )
    assert code == 0, err
    assert (tmp_path / "output" / "scene.gif").exists()


def test_a_missing_dependency_is_an_installation_problem_not_a_scene_error(
    cli, write_scene, monkeypatch
):
    import anim.renderer

    def without_matplotlib(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'matplotlib'", name="matplotlib")

    monkeypatch.setattr(anim.renderer, "render", without_matplotlib)
    monkeypatch.setattr(anim.renderer, "prepare", without_matplotlib)
    code, _, err = cli("render", write_scene(), "--quiet")
    assert code == 1
    line = assert_one_error_line(err, "matplotlib is not installed for ", "pip install -e .")
    assert "unexpected" not in line


def test_two_names_for_one_scene_are_one_scene(write_scene):
    path = write_scene(scene_source() + "default = scene\n")
    scenes = anim.load_scenes(path)
    assert list(scenes) == ["scene"]


def test_a_scene_parameter_that_does_not_exist_is_one_line(cli, write_scene):
    path = write_scene(scene_source().replace("steps=20)", "steps=20, name='mine')"))
    code, _, err = cli("render", path)
    assert code == 2
    assert_one_error_line(
        err,
        "Scene has no parameter 'name' (a scene is named by the "
        "variable it is assigned to in its file); its parameters are: "
        "surface, optimizers, start, steps",
    )


def test_render_lists_every_option_it_accepts(write_scene):
    from anim import render
    from anim.loader import load_scene

    scene = load_scene(str(write_scene()))
    with pytest.raises(anim.errors.RequestError) as error:
        render(scene, "x.gif", bogus=1)
    assert (
        "unknown option 'bogus' (accepted: progress, sidecar, max_size, notify, fps, "
        "size" in str(error.value)
    )
