"""Swarms: many starts at once, each racing exactly as it would alone."""

import json

import numpy as np
import pytest

from anim import Scene, starts, surfaces
from anim.board import status, widest_candidates
from anim.optimizers import GD, Adam, Momentum
from anim.race import gradient_noise, simulate
from anim.swarm import NO_STEP, simulate_swarm

from conftest import assert_one_error_line


def himmelblau_swarm(**extra):
    return Scene(
        surface=surfaces.himmelblau(),
        optimizers=[GD(lr=0.01), Momentum(lr=0.005, momentum=0.9), Adam(lr=0.1)],
        starts=starts.grid(6),
        goal="any",
        steps=80,
        **extra,
    )


def test_every_start_races_exactly_as_alone():
    scene = himmelblau_swarm()
    swarm = scene.race()
    assert swarm.paths.shape == (3, 36, 81, 2)
    assert swarm.arrival_step.shape == swarm.diverged_step.shape == (3, 36)
    for s in (0, 7, 20, 35):
        alone = simulate(
            scene.surface,
            scene.optimizers,
            start=tuple(scene.starts[s]),
            steps=80,
            goal="any",
            goal_radius=swarm.goal_radius,
        )
        np.testing.assert_array_equal(alone.paths, swarm.paths[:, s])
        np.testing.assert_array_equal(alone.losses, swarm.losses[:, s])
        for i in range(3):
            expected = alone.arrival_step[i]
            assert swarm.arrival_step[i, s] == (NO_STEP if expected is None else expected)
            reached = swarm.arrived_at[i, s]
            assert (alone.arrived_at[i] is None) == (reached == NO_STEP)
            if reached != NO_STEP:
                assert swarm.goals[reached] == alone.arrived_at[i]


def test_divergence_is_per_start_and_minus_one_without_it():
    # lr 1.05 on x²/20 + y²: y flips and grows; a start on y = 0 never sees it.
    result = simulate_swarm(
        surfaces.ravine(),
        [GD(lr=1.05)],
        [(-7, 2), (-7, 0)],
        steps=2000,
        goal=(0, 0),
        goal_radius=0.01,
    )
    assert result.diverged_step[0, 0] > 0 and result.diverged_step[0, 1] == NO_STEP
    assert np.all(np.isnan(result.paths[0, 0, result.diverged_step[0, 0] :]))
    alone = simulate(
        surfaces.ravine(), [GD(lr=1.05)], start=(-7, 2), steps=2000, goal=(0, 0), goal_radius=0.01
    )
    assert alone.diverged_step[0] == result.diverged_step[0, 0]
    assert result.summary()["optimizers"][0]["diverged"] == 1


def test_summary_counts_arrivals_medians_and_minima():
    result = himmelblau_swarm().race()
    summary = result.summary()
    assert summary["start"] is None and len(summary["start_points"]) == 36
    for i, entry in enumerate(summary["optimizers"]):
        arrivals = result.arrival_step[i][result.arrival_step[i] >= 0]
        assert entry["starts"] == 36
        assert entry["arrived"] == arrivals.size
        # The lower median: one start's own arrival step.
        assert entry["median_arrival_step"] == int(np.sort(arrivals)[(arrivals.size - 1) // 2])
        assert entry["median_arrival_step"] in arrivals
        assert sum(entry["minima_reached"]) == entry["arrived"]
        assert entry["minima_reached"] == [int(np.sum(result.arrived_at[i] == g)) for g in range(4)]
    json.dumps(summary)


def test_no_arrival_gives_null_median():
    result = simulate_swarm(surfaces.ravine(), [GD(lr=1e-4)], [(-7, 2), (5, 1)], steps=5)
    entry = result.summary()["optimizers"][0]
    assert entry["arrived"] == 0 and entry["median_arrival_step"] is None
    assert "minima_reached" not in entry  # one goal: nothing to split


def test_scoreboard_text_counts_arrivals_by_the_step():
    result = himmelblau_swarm().race()
    arrivals = result.arrival_step[2]
    step = int(np.median(arrivals[arrivals >= 0]))
    by_then = arrivals[(arrivals >= 0) & (arrivals <= step)]
    lower_median = int(np.sort(by_then)[(by_then.size - 1) // 2])  # one start's own step
    assert lower_median in by_then
    assert status(result, 2, step, None) == (
        f"{by_then.size}/36 arrived · median step {lower_median}"
    )
    # Before any start arrived by stepping there is no median to show.
    assert status(result, 2, 0, None) == f"{np.sum(arrivals == 0)}/36 arrived"
    assert all("arrived" in text for text in widest_candidates(result, 2))


def test_grid_random_ring():
    bounds = ((-2, 2), (0, 1))
    points = starts.grid(4).points(bounds)
    assert points.shape == (16, 2)
    np.testing.assert_allclose(np.unique(points[:, 0]), [-1.5, -0.5, 0.5, 1.5])
    np.testing.assert_allclose(np.unique(points[:, 1]), [0.125, 0.375, 0.625, 0.875])
    sample = starts.random(50, seed=3).points(bounds)
    np.testing.assert_array_equal(sample, starts.random(50, seed=3).points(bounds))
    assert np.all(
        (sample[:, 0] >= -2) & (sample[:, 0] <= 2) & (sample[:, 1] >= 0) & (sample[:, 1] <= 1)
    )
    ring = starts.ring((1, 2), 0.5, 8).points(None)
    np.testing.assert_allclose(np.hypot(ring[:, 0] - 1, ring[:, 1] - 2), 0.5)
    np.testing.assert_allclose(ring[0], (1.5, 2))


@pytest.mark.parametrize(
    "extra, message",
    [
        (dict(starts=[]), "starts is empty"),
        (dict(starts=[(1, 2, 3)]), "starts must be points (x, y)"),
        (dict(starts="abc"), "starts must be a sequence of points"),
        (dict(starts=[(0, 0), (9, 0)]), "starts[1] (9.0, 0.0) is outside the surface's bounds"),
        (dict(starts=[(0, np.nan)]), "starts[0] must be a finite point"),
        (dict(starts=[(0, 0)], start=(1, 1)), "not both"),
        (
            dict(starts=[(0, 0), (1, 1)], explain=True),
            "a swarm of 2 starts has 2 heads per racer: explain a race from one start",
        ),
    ],
)
def test_bad_starts_are_clear_errors(extra, message):
    with pytest.raises(ValueError) as error:
        Scene(surface=surfaces.himmelblau(), optimizers=[GD(lr=0.01)], **extra)
    assert message in str(error.value)


def test_bad_starts_from_the_cli_are_one_line(write_scene, cli):
    path = write_scene("""
        from anim import Scene, surfaces
        from anim.optimizers import GD
        scene = Scene(surface=surfaces.himmelblau(), optimizers=[GD(lr=0.01)],
                      starts=[(0, 0), (40, 1)])
    """)
    code, _, err = cli("race", path)
    assert code == 2
    assert_one_error_line(err, str(path), "starts[1] (40.0, 1.0) is outside")


def test_race_json_and_table_for_a_swarm(write_scene, cli):
    path = write_scene("""
        from anim import Scene, surfaces, starts
        from anim.optimizers import GD, Adam
        scene = Scene(surface=surfaces.himmelblau(), optimizers=[GD(lr=0.01), Adam(lr=0.1)],
                      starts=starts.grid(5), goal="any", steps=60)
    """)
    code, out, _ = cli("race", path, "--json")
    assert code == 0
    report = json.loads(out)
    assert [e["starts"] for e in report["optimizers"]] == [25, 25]
    assert all(
        len(e["minima_reached"]) == 4 and "median_arrival_step" in e for e in report["optimizers"]
    )
    code, out, _ = cli("race", path)
    assert code == 0 and "from 25 starts" in out and "/25" in out
    code, out, err = cli("race", path, "--json", "--trace")
    assert code == 0, err
    traced = json.loads(out)["optimizers"][1]["trace"]
    assert len(traced) == 25  # one trace per start
    result = simulate_swarm(
        surfaces.himmelblau(),
        [Adam(lr=0.1)],
        starts.grid(5).points(surfaces.himmelblau().bounds),
        steps=60,
        goal="any",
    )
    for s in (0, 12, 24):
        np.testing.assert_allclose(
            [row["position"] for row in traced[s]], result.paths[0, s][: len(traced[s])]
        )
        np.testing.assert_allclose(
            [row["effective_lr"] for row in traced[s][:-1]],
            result.effective_lr[0, s][: len(traced[s]) - 1],
        )


def test_swarm_frame_draws_trails_heads_and_the_board(tmp_path):
    from anim.figure import FrameStyle, RaceFigure
    from anim.figure.swarm import SwarmLayer

    result = himmelblau_swarm().race()
    figure = RaceFigure(result, FrameStyle(width=640, height=480, dpi=80))
    assert isinstance(figure.racers, SwarmLayer)
    first = figure.draw_frame(0).copy()
    later = figure.draw_frame(30).copy()
    assert not np.array_equal(first, later)
    texts = [t.get_text() for t in figure.scoreboard.statuses]
    assert all("/36 arrived" in text for text in texts)
    # The fast path draws what a full redraw draws.
    slow = RaceFigure(result, FrameStyle(width=640, height=480, dpi=80), fast=False)
    np.testing.assert_array_equal(slow.draw_frame(30), later)
    # Heads stop at their arrival (those that had arrived by the last refresh are kept
    # with the trails); every start has one head.
    layer = figure.racers
    heads = np.vstack(
        [np.column_stack(layer.finished[2].get_data()), np.column_stack(layer.heads[2].get_data())]
    )
    arrival = result.arrival_step[2]
    ends = result.paths[2, np.arange(36), np.where(arrival >= 0, np.minimum(arrival, 30), 30)]
    assert len(heads) == 36
    np.testing.assert_allclose(np.unique(heads, axis=0), np.unique(ends, axis=0))


def test_swarm_frames_after_every_arrival_redraw_nothing_but_the_counter():
    from anim.figure import FrameStyle, RaceFigure

    result = himmelblau_swarm().race()
    assert np.all(result.arrival_step >= 0)
    figure = RaceFigure(result, FrameStyle(width=640, height=480, dpi=80, loss_refresh=6))
    settled = figure.racers.settled
    assert settled == result.arrival_step.max() < result.steps
    figure.draw_frame(settled + 6)  # the first refresh after it
    key = figure.racers.occasional_key()
    figure.draw_frame(result.steps)
    assert figure.racers.occasional_key() == key
    assert all(len(line.get_xdata()) == 0 for line in figure.racers.fresh)
    assert all(len(line.get_xdata()) == 0 for line in figure.racers.heads)


def test_the_gallery_swarm_says_what_its_docstring_says():
    from pathlib import Path

    import anim

    scene = anim.load_scene(
        Path(__file__).resolve().parent.parent / "scenes" / "himmelblau_swarm.py"
    )
    entries = scene.race().summary()["optimizers"]
    assert [(e["arrived"], e["median_arrival_step"], e["diverged"]) for e in entries] == [
        (256, 4, 0),
        (255, 13, 1),
        (255, 19, 1),
        (256, 20, 0),
    ]
    assert entries[0]["minima_reached"] == [66, 66, 62, 62]


def test_grid_and_random_need_bounds():
    from anim import Surface

    bowl = Surface(lambda x, y: x**2 + y**2, minimum=(0, 0))
    with pytest.raises(ValueError, match="covers the surface's bounds, and this surface has none"):
        Scene(surface=bowl, optimizers=[GD(lr=0.1)], starts=starts.grid(3))
    scene = Scene(surface=bowl, optimizers=[GD(lr=0.1)], starts=starts.ring((0, 0), 2, 4))
    assert scene.race().arrival_step.shape == (1, 4)


def test_a_noisy_swarm_draws_each_starts_noise_for_every_optimizer():
    """Common random numbers: every optimizer from start s gets start s's noise, and a
    start's noise does not depend on how many other starts stopped."""
    points = [(-3.0, -3.0), (0.5, 0.5), (3.5, -1.5)]
    result = simulate_swarm(
        surfaces.himmelblau(), [GD(lr=0.01), Adam(lr=0.05)], points, steps=30, noise=0.5, seed=7
    )
    assert result.noise == 0.5 and result.seed == 7 and result.keeps_moving_after_arrival()
    draws = gradient_noise(0.5, 7, 3)
    noise = np.stack([next(draws) for _ in range(30)], axis=1)  # (starts, steps, 2)
    exact = np.stack(
        [surfaces.himmelblau().value_and_grad_at(result.paths[0, s, :30])[1] for s in range(3)]
    )
    np.testing.assert_allclose(result.grads[0, :, :30], exact + noise, rtol=1e-12)
    exact = np.stack(
        [surfaces.himmelblau().value_and_grad_at(result.paths[1, s, :30])[1] for s in range(3)]
    )
    np.testing.assert_allclose(result.grads[1, :, :30], exact + noise, rtol=1e-12)


def test_a_swarm_refuses_explain_and_knobs_but_has_its_page(write_scene, cli, tmp_path):
    path = write_scene("""
        from anim import Scene, surfaces, starts
        from anim.optimizers import GD
        scene = Scene(surface=surfaces.himmelblau(), optimizers=[GD(lr=0.01)],
                      starts=starts.grid(3), steps=20)
    """)
    code, _, err = cli("render", path, "-o", tmp_path / "swarm.html")
    assert code == 0 and '"swarm":{"count":9' in (tmp_path / "swarm.html").read_text(), err
    code, _, err = cli("render", path, "-o", tmp_path / "knobs.html", "--knobs", "lr")
    assert code == 2
    assert_one_error_line(err, "knobs.html", "a swarm has 9 starts")
    code, _, err = cli("render", path, "-o", tmp_path / "swarm.gif", "--explain")
    assert code == 2
    assert_one_error_line(err, "swarm.gif", "a swarm of 9 starts has 9 heads per racer")
    code, _, err = cli("render", path, "-o", tmp_path / "swarm.gif", "--noise", "0.5")
    assert code == 0, err
