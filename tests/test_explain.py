"""Why an optimizer moves: effective learning rates, step glyphs and their panel."""

import json

import numpy as np
import pytest

import anim
from anim import Scene, Surface, simulate, surfaces
from anim.figure import FrameStyle, RaceFigure
from anim.optimizers import GD, AdaGrad, Adam, Momentum, RMSProp


def seed_race(steps=40):
    scene = anim.load_scene("scenes/why_rmsprop.py")
    return scene, simulate(
        scene.surface, scene.optimizers, start=scene.start, steps=steps, explain=True
    )


def test_effective_lr_of_adagrad_and_rmsprop_follow_their_closed_forms():
    _, result = seed_race()
    grads = result.grads[:, :-1]
    lr, eps = 0.4, 1e-10
    adagrad = lr / (np.sqrt(np.cumsum(grads[2] ** 2, axis=0)) + eps)
    np.testing.assert_allclose(result.effective_lr[2], adagrad, rtol=1e-12)
    h, rmsprop = np.zeros(2), []
    for g in grads[3]:
        h = 0.9 * h + 0.1 * g * g
        rmsprop.append(lr / (np.sqrt(h) + 1e-8))
    valid = np.isfinite(result.effective_lr[3])
    np.testing.assert_allclose(result.effective_lr[3][valid], np.array(rmsprop)[valid], rtol=1e-12)
    # GD's effective learning rate is its learning rate.
    np.testing.assert_allclose(result.effective_lr[0], lr, rtol=1e-12)
    # AdaGrad's only falls; RMSProp's recovers once the gradient gets small.
    assert np.all(np.diff(result.effective_lr[2], axis=0) <= 0)
    assert result.effective_lr[3, 17, 1] > 1.5 * result.effective_lr[3, :17, 1].min()


def test_step_scales_are_the_adaptive_per_axis_scales():
    _, result = seed_race()
    np.testing.assert_allclose(result.step_scales[2], result.effective_lr[2], rtol=1e-12)
    np.testing.assert_allclose(result.step_scales[3][:17], result.effective_lr[3][:17], rtol=1e-12)
    assert np.isnan(result.step_scales[0]).all()  # plain GD has no step scale
    # Momentum's velocity, as the step it stands for, is exactly the step it takes.
    np.testing.assert_allclose(result.velocities[1], np.diff(result.paths[1], axis=0), atol=1e-12)


def test_effective_lr_is_nan_where_the_gradient_is_zero_and_after_a_divergence():
    flat_in_y = Surface(lambda x, y: x**2 + 0 * y, bounds=((-2, 2), (-2, 2)))
    result = simulate(flat_in_y, [GD(lr=0.1), GD(lr=1.5)], start=(1, 1), steps=30, goal=(0, 1))
    assert np.isnan(result.effective_lr[:, :, 1]).all()
    assert np.isfinite(result.effective_lr[0, :, 0]).all()
    diverged = result.diverged_step[1]
    assert diverged is not None and np.isnan(result.effective_lr[1, diverged:]).all()
    assert result.effective_lr.shape == (2, 30, 2)


def test_glyphs_draw_the_gradient_step_the_step_taken_and_the_box():
    scene, result = seed_race()
    figure = RaceFigure(result, FrameStyle(explain=(2, 3), lr_panel=True), fast=False)
    glyphs = figure.glyphs
    k = 6
    figure.update(k)
    drawn = glyphs.vectors_at(k)
    assert len(glyphs.arrows.get_paths()) == len(drawn) == 4  # no velocity for these two
    for i in (2, 3):
        origin, step = drawn[i, "step"]
        np.testing.assert_allclose(origin, result.paths[i, k])
        expected = (result.paths[i, k + 1] - result.paths[i, k]) * glyphs.magnify
        np.testing.assert_allclose(step, expected, rtol=1e-9)
        _, gradient = drawn[i, "gradient"]
        np.testing.assert_allclose(gradient, -0.4 * result.grads[i, k] * glyphs.magnify, rtol=1e-9)
        box = glyphs.boxes[i]
        np.testing.assert_allclose(
            [box.get_width(), box.get_height()], 2 * result.step_scales[i, k] * glyphs.box_scale
        )
    # AdaGrad's box collapses, RMSProp's does not.
    figure.update(2)
    early = glyphs.boxes[2].get_width(), glyphs.boxes[3].get_width()
    figure.update(16)
    assert glyphs.boxes[3].get_width() > 0.9 * early[1]
    figure.update(36)
    assert glyphs.boxes[2].get_width() < 0.5 * early[0]
    lines = figure.lr_panel.lines
    assert {i for i, _, _ in lines} == {2, 3} and len(lines) == 4


def test_arrows_never_leave_the_plot():
    scene = anim.load_scene("scenes/rosenbrock_valley.py")
    result = scene.race(60, explain=True)
    figure = RaceFigure(result, FrameStyle(explain=tuple(range(4))), fast=False)
    (x0, x1), (y0, y1) = figure.ax.get_xlim(), figure.ax.get_ylim()
    clipped = 0
    for k in range(0, 60, 3):
        for origin, vector in figure.glyphs.vectors_at(k).values():
            tip = origin + vector
            assert x0 - 1e-9 <= tip[0] <= x1 + 1e-9 and y0 - 1e-9 <= tip[1] <= y1 + 1e-9
            clipped += (
                min(abs(tip[0] - x0), abs(tip[0] - x1), abs(tip[1] - y0), abs(tip[1] - y1)) < 1e-9
            )
    assert clipped  # some arrows would have left the plot, and were shortened


@pytest.mark.parametrize("loss_panel", [False, True])
def test_explained_fast_path_matches_a_full_redraw(loss_panel):
    _, result = seed_race(30)
    style = FrameStyle(640, 480, 80.0, loss_panel=loss_panel, explain=(1, 2, 3), lr_panel=True)
    fast, full = RaceFigure(result, style), RaceFigure(result, style, fast=False)
    for k in (0, 3, 17, 30):
        np.testing.assert_array_equal(fast.draw_frame(k), full.draw_frame(k))


def test_explain_and_lr_panel_from_the_cli(cli, tmp_path):
    out = tmp_path / "why.png"
    code, _, err = cli(
        "still",
        "scenes/rmsprop_vs_adagrad.py",
        "--explain",
        "AdaGrad",
        "--explain",
        "RMSProp lr=0.4 ρ=0.9",
        "--lr-panel",
        "-o",
        out,
    )
    assert code == 0 and out.exists(), err
    code, _, err = cli(
        "render", "scenes/rmsprop_vs_adagrad.py", "--explain", "Lion", "-o", tmp_path / "x.gif"
    )
    assert code == 2 and not (tmp_path / "x.gif").exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Invalid explain: 'Lion' names no racer" in lines[0]
    assert "GD lr=0.4, Momentum lr=0.4 β=0.9, AdaGrad lr=0.4, RMSProp lr=0.4 ρ=0.9" in lines[0]


def test_race_json_trace_gives_every_step(cli):
    code, out, _ = cli("race", "scenes/rmsprop_vs_adagrad.py", "--json", "--trace", "--steps", "12")
    assert code == 0
    report = json.loads(out)
    scene = anim.load_scene("scenes/rmsprop_vs_adagrad.py")
    result = scene.race(12)
    for i, entry in enumerate(report["optimizers"]):
        trace = entry["trace"]
        assert [row["step"] for row in trace] == list(range(13))
        np.testing.assert_allclose([row["position"] for row in trace], result.paths[i])
        np.testing.assert_allclose([row["gradient"] for row in trace], result.grads[i])
        np.testing.assert_allclose([row["loss"] for row in trace], result.losses[i])
        np.testing.assert_allclose(
            [row["effective_lr"] for row in trace[:-1]], result.effective_lr[i]
        )
        assert trace[-1]["effective_lr"] is None
    code, _, err = cli("race", "scenes/rmsprop_vs_adagrad.py", "--trace")
    assert code == 2 and "--trace goes with --json" in err


def test_scene_explain_names_must_name_racers():
    with pytest.raises(ValueError, match="Invalid explain: 'Adam' names no racer"):
        Scene(surface=surfaces.ravine(), optimizers=[GD(lr=0.1)], start=(-7, 2), explain=["Adam"])
    scene = Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=0.1), Momentum(lr=0.1), Adam(lr=0.1), RMSProp(lr=0.1)],
        start=(-7, 2),
        explain=True,
        lr_panel=True,
    )
    assert scene.explain == (0, 1, 2, 3) and scene.lr_panel
    only = Scene(
        surface=surfaces.ravine(),
        optimizers=[AdaGrad(lr=0.1), AdaGrad(lr=0.2)],
        start=(-7, 2),
        explain="AdaGrad",
    )
    assert only.explain == (0, 1)
    # torch's spellings, and any case, name the built-ins too.
    torchish = Scene(
        surface=surfaces.ravine(),
        optimizers=[AdaGrad(0.1), RMSProp(0.1), GD(0.1)],
        start=(-7, 2),
        explain=["Adagrad", "RMSprop"],
    )
    assert torchish.explain == (0, 1)
    # A comma-separated list, as --format and --knobs take; every part must name a racer.
    listed = Scene(
        surface=surfaces.ravine(),
        optimizers=[AdaGrad(0.1), RMSProp(0.1), GD(0.1)],
        start=(-7, 2),
        explain="RMSProp, GD",
    )
    assert listed.explain == (1, 2)
    with pytest.raises(ValueError, match=r"^Invalid explain: 'RMSProp,Adam' names no racer"):
        Scene(
            surface=surfaces.ravine(),
            optimizers=[RMSProp(0.1), GD(0.1)],
            start=(-7, 2),
            explain="RMSProp,Adam",
        )


def test_an_own_optimizer_gets_velocity_and_box_from_its_state_entries():
    @anim.optimizer(lr=0.1, beta=0.9, rho=0.9, eps=1e-8)
    def HandAdamish(x, g, state, *, lr, beta, rho, eps):
        velocity = beta * state.get("velocity", 0.0) + (1 - beta) * g
        second = rho * state.get("second_moment", 0.0) + (1 - rho) * g * g
        return x - lr * velocity / (np.sqrt(second) + eps), {
            "velocity": velocity,
            "second_moment": second,
        }

    scene = Scene(
        surface=surfaces.ravine(),
        optimizers=[HandAdamish(lr=0.3), GD(0.3)],
        start=(-7, 2),
        steps=20,
        explain=True,
        lr_panel=True,
    )
    result = scene.race(explain=True)
    own_velocity = np.array([[0.0, 0.0]])
    for k in range(5):
        own_velocity = 0.9 * own_velocity + 0.1 * result.grads[0, k]
        np.testing.assert_allclose(result.velocities[0, k], -0.3 * own_velocity[0])
    assert np.isfinite(result.step_scales[0]).all() and np.isnan(result.step_scales[1]).all()
    figure = RaceFigure(result, anim.renderer.resolve_options(scene).style, fast=False)
    figure.update(3)
    assert {kind for (i, kind) in figure.glyphs.vectors_at(3)} == {"gradient", "step", "velocity"}
    assert figure.glyphs.boxes[0].get_visible() and not figure.glyphs.boxes[1].get_visible()


def test_the_page_draws_the_glyphs_and_the_3d_view_but_no_orbit(cli, tmp_path):
    out = tmp_path / "why.html"
    code, _, err = cli("render", "scenes/why_rmsprop.py", "-o", out)
    assert code == 0 and '"glyphs":{"racers":[2,3]' in out.read_text(encoding="utf-8"), err
    code, _, err = cli("render", "scenes/rmsprop_3d.py", "-o", tmp_path / "x.html")
    assert code == 0 and '"kind":"3d"' in (tmp_path / "x.html").read_text(encoding="utf-8")
    code, _, err = cli("render", "scenes/rmsprop_3d.py", "-o", tmp_path / "o.html", "--orbit", "90")
    assert code == 2 and "the page shows the 3D view from one camera" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "o.html").exists()
