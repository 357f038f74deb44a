"""How long and how large: the video ends when the race is decided, --every, --duration,
--max-size and the warning about very long or large outputs."""

import math
import warnings

import numpy as np
import pytest
from PIL import Image

import anim
import anim.renderer
from anim import LengthWarning, Scene, surfaces
from anim.errors import RequestError
from anim.length import (
    every_for_duration,
    parse_byte_size,
    race_steps,
    size_ladder,
)
from anim.optimizers import GD, AdaGrad, Momentum, RMSProp
from anim.renderer import frames, resolve_options

from conftest import assert_one_error_line, scene_source

SMALL = "320x240"


def decided_scene(steps=150):
    """The showcase's race: RMSProp 18, Momentum 24, GD 68, and AdaGrad 205 (or never)."""
    return Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=0.4), Momentum(lr=0.4), RMSProp(lr=0.4)],
        start=(-7, 2),
        steps=steps,
    )


def gif_frames(path):
    image = Image.open(path)
    durations = []
    for index in range(image.n_frames):
        image.seek(index)
        durations.append(image.info["duration"])
    return durations


def test_race_steps_take_every_kth_step_and_always_the_last():
    assert race_steps(10, 3).tolist() == [0, 3, 6, 9, 10]
    assert race_steps(10, 5).tolist() == [0, 5, 10]
    assert race_steps(4, 1).tolist() == [0, 1, 2, 3, 4]
    assert race_steps(0, 7).tolist() == [0]
    assert race_steps(3, 100).tolist() == [0, 3]


@pytest.mark.parametrize("end", [1, 2, 17, 68, 150, 3000, 99999])
@pytest.mark.parametrize("fps, seconds", [(30, 10), (30, 0.1), (12.5, 3.3), (50, 600)])
def test_duration_picks_the_fewest_steps_per_frame_that_fit(end, fps, seconds):
    every = every_for_duration(end, fps, seconds)
    assert len(race_steps(end, every)) <= seconds * fps + 1e-9
    if every > 1:  # one step fewer per frame would not fit
        assert len(race_steps(end, every - 1)) > seconds * fps


def test_duration_too_short_for_two_frames_is_refused():
    with pytest.raises(
        ValueError,
        match=r"Invalid duration: 0.05 \(at 30 fps the race needs "
        r"at least 2 frames, so at least 0.0667 s\)",
    ):
        every_for_duration(100, 30, 0.05)


def test_the_video_ends_when_the_race_is_decided(tmp_path):
    scene = decided_scene()
    result = scene.race()
    assert result.decided_step() == 68 == max(result.arrival_step)
    request = resolve_options(scene, hold=0.5, fps=20).for_race(result)
    assert request.end == 68 and request.race_frames == 69
    assert request.frame_steps().tolist() == list(range(69)) + [68] * 10
    full = resolve_options(scene, hold=0.5, fps=20, full=True).for_race(result)
    assert full.end == 150 and full.total_frames == 151 + 10
    # In the GIF: 69 frames of the race, the last one holding 0.5 s longer.
    path = anim.render(scene, tmp_path / "race.gif", size=SMALL, hold=0.5, fps=20, progress=False)
    durations = gif_frames(path)
    assert len(durations) == 69 and sum(durations) == 69 * 50 + 500


def test_a_racer_still_moving_keeps_the_video_going():
    scene = Scene(
        surface=surfaces.ravine(),
        optimizers=[RMSProp(lr=0.4), AdaGrad(lr=0.4)],
        start=(-7, 2),
        steps=150,
    )
    result = scene.race()
    assert result.arrival_step[1] is None
    assert resolve_options(scene).for_race(result).end == 150


def test_every_k_shows_every_kth_step_with_trails_through_every_step():
    from dataclasses import replace

    from anim.figure import RaceFigure

    scene = decided_scene()
    every = list(frames(scene, size=SMALL, hold=0, every=10))
    assert len(every) == len(race_steps(68, 10)) == 8
    # Frame j of --every 10 is exactly the frame of step 10 j of a video of every step
    # whose scoreboard refreshes at the same steps (same trail, same counter, same text):
    # only the frames in between are left out.
    result = scene.race()
    style = resolve_options(scene, size=SMALL, hold=0, every=10).for_race(result).style
    assert style.refresh_steps == 8 * 10  # 30 fps / 4 refreshes a second, in frames
    full = RaceFigure(result, replace(style, every=1, loss_refresh=80))
    for frame, step in zip(every, race_steps(68, 10)):
        np.testing.assert_array_equal(frame, full.draw_frame(int(step))[..., :3])


@pytest.mark.parametrize("every", [1, 3, 10, 40])
def test_the_scoreboard_refreshes_four_times_a_second_of_video_whatever_k(every):
    """The loss column changes every 8th frame at 30 fps, however many steps a frame
    advances, so the statuses are drawn into the kept pixels as rarely with --every."""
    scene = Scene(surface=surfaces.rosenbrock(), optimizers=[GD(lr=1e-4), GD(lr=2e-4)], steps=1200)
    result = scene.race()
    request = resolve_options(scene, size=SMALL, hold=0, every=every, full=True)
    request = request.for_race(result)
    from anim.figure import RaceFigure

    figure = RaceFigure(result, request.style)
    texts, bakes = [], 0
    for frame, step in enumerate(request.frame_steps()):
        before = figure._baked
        figure.update(int(step), frame)
        bakes += figure._baked is not before
        texts.append(figure.scoreboard.statuses[0].get_text())
    changes = [k for k in range(1, len(texts)) if texts[k] != texts[k - 1]]
    assert len(changes) >= 3
    assert all(k % 8 == 0 or k == len(texts) - 1 for k in changes)
    assert bakes <= len(texts) // 8 + 2


def test_duration_limits_the_race_play_time(tmp_path):
    scene = decided_scene(steps=3000)
    path = anim.render(
        scene,
        tmp_path / "race.gif",
        size=SMALL,
        duration=1.5,
        fps=20,
        hold=1,
        full=True,
        progress=False,
    )
    durations = gif_frames(path)
    assert sum(durations) - 1000 <= 1500
    request = resolve_options(scene, duration=1.5, fps=20, full=True).for_race(scene.race())
    assert request.every == every_for_duration(3000, 20, 1.5) == 104
    assert request.race_frames == 30


@pytest.mark.parametrize(
    "text, size",
    [
        ("2MB", 2_000_000),
        ("500kB", 500_000),
        ("1.5 MiB", 1_572_864),
        ("300", 300),
        ("10KB", 10_000),
        ("1gb", 10**9),
    ],
)
def test_byte_sizes(text, size):
    assert parse_byte_size(text) == size


@pytest.mark.parametrize("text", ["3XB", "", "MB", "-1MB", "0kB", "1e3B", "two MB"])
def test_bad_byte_sizes(text):
    with pytest.raises(ValueError, match="Invalid max-size"):
        parse_byte_size(text)


def test_size_ladder_lowers_frames_then_fps_then_pixels():
    ladder = size_ladder(3000, 1, 30, 800, 600)
    assert ladder[0] == (1, 30, 800, 600)
    everies, rates, widths = zip(*[(k, f, w) for k, f, w, _ in ladder])
    assert list(everies) == sorted(everies) and list(rates) == sorted(rates, reverse=True)
    assert list(widths) == sorted(widths, reverse=True)
    first_fps_drop = rates.index(24)
    first_shrink = widths.index(max(w for w in widths if w < 800))
    assert everies[first_fps_drop - 1] > 1  # frames per step went first
    assert first_fps_drop < first_shrink
    assert all(r == 30 and w == 800 for _, r, w, _ in ladder[:first_fps_drop])
    # The race still plays 2 s: at 10 fps, 20 frames.
    smallest = ladder[-1]
    assert smallest[1] == 10 and len(race_steps(3000, smallest[0])) == 20
    assert min(smallest[2:]) >= 120 and all(side % 2 == 0 for side in smallest[2:])


@pytest.mark.parametrize("end", [30, 68, 150, 3000, 100000])
@pytest.mark.parametrize("fps", [10, 24, 30, 50])
def test_max_size_never_makes_the_race_play_shorter_than_two_seconds(end, fps):
    """Every setting the ladder tries plays the race at least 2 s (a race shorter than
    that keeps its steps per frame), and each one's steps per frame is the most that
    does: one more step per frame would play it shorter."""
    for every, rate, _, _ in size_ladder(end, 1, fps, 800, 600):
        played = len(race_steps(end, every)) / rate
        if len(race_steps(end, 1)) / rate < 2:
            assert every == 1
            continue
        assert played >= 2 - 1e-9, (every, rate, played)
    for every, rate, _, _ in size_ladder(end, 1, fps, 800, 600)[1:]:
        if every > 1:
            assert len(race_steps(end, every + 1)) / rate < 2 or rate == fps


def test_max_size_fits_and_says_what_it_chose(tmp_path):
    scene = decided_scene(steps=600)
    full = anim.render(scene, tmp_path / "full.gif", size="320x240", full=True, progress=False)
    limit = full.stat().st_size // 3
    notes = []
    path = anim.render(
        scene,
        tmp_path / "fit.gif",
        size="320x240",
        full=True,
        max_size=limit,
        progress=False,
        notify=notes.append,
    )
    assert path.stat().st_size <= limit
    assert len(notes) == 1 and "fits in" in notes[0] and "asked: every 1 step" in notes[0]
    assert sorted(tmp_path.iterdir()) == sorted([full, path])


def test_max_size_that_already_fits_changes_nothing(tmp_path):
    scene = decided_scene()
    plain = anim.render(scene, tmp_path / "plain.gif", size=SMALL, progress=False)
    notes = []
    fitted = anim.render(
        scene,
        tmp_path / "fit.gif",
        size=SMALL,
        max_size="10MB",
        progress=False,
        notify=notes.append,
    )
    assert fitted.read_bytes() == plain.read_bytes()
    assert notes[0].endswith("as requested")


def test_max_size_that_cannot_fit_keeps_the_old_file(cli, write_scene, tmp_path):
    output = tmp_path / "race.mp4"
    output.write_bytes(b"old")
    code, _, err = cli(
        "render", write_scene(scene_source(steps=200)), "-o", output, "--max-size", "1kB", "--quiet"
    )
    assert code == 2
    assert_one_error_line(
        err, str(output), "cannot fit in 1 kB: even the smallest setting", "the old file is kept"
    )
    assert output.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.mp4", "scenes"]


def test_a_very_long_request_is_warned_about_before_drawing(monkeypatch, tmp_path):
    def no_drawing(*args, **kwargs):
        raise AssertionError("drew frames")

    monkeypatch.setattr(anim.renderer, "_film", no_drawing)
    scene = Scene(surface=surfaces.ravine(), optimizers=[GD(lr=1e-4)], start=(-7, 2), steps=30000)
    with (
        pytest.warns(
            LengthWarning,
            match=r"30001 frames of 30000 steps will play 16 min "
            r"42 s .* --duration SECONDS",
        ),
        pytest.raises(AssertionError, match="drew frames"),
    ):
        anim.render(scene, tmp_path / "long.gif", progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AssertionError, match="drew frames"):
            anim.render(scene, tmp_path / "long.gif", duration=60, progress=False)


def test_the_warning_is_one_line_from_the_cli(cli, write_scene, tmp_path, monkeypatch):
    monkeypatch.setattr(
        anim.renderer,
        "_film",
        lambda scene, result, request, target, *args: target.write_bytes(b""),
    )
    path = write_scene(scene_source(optimizers="GD(lr=1e-5)", steps=20000))
    code, _, err = cli(
        "render", path, "-o", tmp_path / "long.mp4", "--size", "1920x1080", "--quiet"
    )
    lines = err.strip().splitlines()
    assert lines[0].startswith("anim: warning: ") and "will play 11 min 9 s" in lines[0]
    assert "--duration" in lines[0] and len(lines) == 1


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--every", "0"], "Invalid every: 0 (must be an integer from 1 to 100000)"),
        (["--duration", "-1"], "Invalid duration: -1.0 (must be a number of seconds > 0)"),
        (["--duration", "0.01"], "Invalid duration: 0.01 (at 30 fps the race needs at least 2"),
        (["--duration", "5", "--every", "2"], "--every and --duration both set"),
        (["--max-size", "3XB"], "Invalid max-size: '3XB' (expected a size such as 2MB"),
        (["--noise", "nan"], "Invalid noise: nan (must be a finite number >= 0)"),
        (["--noise", "-1"], "Invalid noise: -1.0"),
        (["--seed", "-3", "--noise", "1"], "Invalid seed: -3 (must be an integer >= 0)"),
        (["--every", "two"], "argument --every: invalid int value: 'two'"),
    ],
    ids=[
        "every-0",
        "duration-negative",
        "duration-too-short",
        "every-and-duration",
        "max-size-unit",
        "noise-nan",
        "noise-negative",
        "seed-negative",
        "every-text",
    ],
)
def test_bad_values_are_refused_in_one_line(cli, write_scene, tmp_path, extra, message):
    output = tmp_path / "race.gif"
    code, _, err = cli("render", write_scene(), "-o", output, *extra, "--quiet")
    assert code == 2
    assert_one_error_line(err, message)
    assert not output.exists()


def test_noise_from_the_cli_is_reproducible(cli, write_scene, tmp_path):
    scene = write_scene()
    outputs = []
    for name, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        output = tmp_path / f"{name}.gif"
        code, _, err = cli(
            "render",
            scene,
            "-o",
            output,
            "--size",
            SMALL,
            "--noise",
            "0.5",
            "--seed",
            seed,
            "--quiet",
            "--full",
        )
        assert code == 0, err
        outputs.append(output.read_bytes())
    assert outputs[0] == outputs[1] != outputs[2]
    code, out, _ = cli("race", scene, "--noise", "0.5", "--seed", "1", "--json")
    import json

    report = json.loads(out)
    assert report["noise"] == 0.5 and report["seed"] == 1
    assert math.isfinite(report["optimizers"][0]["final_loss"])


def test_resolve_options_refuses_bad_values_from_python():
    scene = decided_scene()
    with pytest.raises(RequestError, match="Invalid every: 2.5"):
        resolve_options(scene, every=2.5)
    with pytest.raises(RequestError, match="Invalid duration: nan"):
        resolve_options(scene, duration=float("nan"))


def test_the_long_gallery_race_plays_in_twelve_seconds():
    from pathlib import Path

    scene = anim.load_scene(Path(__file__).parent.parent / "scenes" / "long_race.py")
    result = scene.race()
    assert result.arrival_step == (556, 579, 2110, 2211, None)
    assert result.decided_step() == 3000
    request = resolve_options(scene, duration=12).for_race(result)
    assert request.every == 9 and request.race_frames == 335
    assert request.race_frames / request.fps == pytest.approx(11.17, abs=0.01)


def test_with_full_the_warning_comes_before_the_race(monkeypatch, tmp_path):
    scene = Scene(surface=surfaces.ravine(), optimizers=[GD(lr=1e-4)], start=(-7, 2), steps=30000)

    def no_race(*args, **kwargs):
        raise AssertionError("raced")

    monkeypatch.setattr(Scene, "race", no_race)
    with (
        pytest.warns(LengthWarning, match="30001 frames"),
        pytest.raises(AssertionError, match="raced"),
    ):
        anim.render(scene, tmp_path / "long.gif", full=True, progress=False)
