"""The picture where two features meet: a swarm with the panels, noise, 3D and 'both';
step glyphs in 3D; the lr panel's range; arrived heads and goal circles; 3D margins,
ticks and heads at the edge."""

from dataclasses import dataclass, fields

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.text import Text

import anim
from anim import Scene, simulate, starts, surfaces
from anim.board import status
from anim.figure import FrameStyle, RaceFigure
from anim.figure.panels import robust_range
from anim.figure.racers3d import to_pixels
from anim.figure.surface3d import drawn_tick_labels
from anim.optimizers import GD, Adam, Momentum, RMSProp
from anim.swarm import SwarmResult

from conftest import assert_one_error_line

SMALL = dict(width=480, height=360, dpi=60.0)


@dataclass(frozen=True, eq=False)
class FullSwarm(SwarmResult):
    """A SwarmResult with the fields the race engine is adding (gradients, noise)."""

    grads: np.ndarray | None = None
    noise: float = 0.0
    seed: int | None = None


def extended(result, **changes):
    return FullSwarm(
        **{**{f.name: getattr(result, f.name) for f in fields(SwarmResult)}, **changes}
    )


def small_swarm(steps=40, **extra):
    return Scene(
        surface=surfaces.himmelblau(),
        optimizers=[GD(lr=0.01), Momentum(lr=0.01, momentum=0.9), Adam(lr=0.1)],
        starts=starts.grid(5),
        goal="any",
        steps=steps,
        **extra,
    )


def swarm_gradients(result):
    points = result.paths.reshape(-1, 2)
    grads = np.full(points.shape, np.nan)
    finite = np.isfinite(points).all(axis=1)
    grads[finite] = result.surface.value_and_grad_at(points[finite])[1]
    return grads.reshape(result.paths.shape)


def noisy_swarm(sigma=0.3, seed=4):
    """A swarm as the noisy engine will give it: every start keeps moving after its first
    arrival (here: jittered after it), with the noise recorded."""
    result = small_swarm().race()
    rng = np.random.default_rng(seed)
    steps = np.arange(result.steps + 1)
    after = (result.arrival_step >= 0)[..., None] & (steps > result.arrival_step[..., None])
    jitter = rng.normal(0, sigma, result.paths.shape) * after[..., None]
    paths = result.paths + np.cumsum(jitter, axis=2)
    losses = result.surface(paths[..., 0], paths[..., 1])
    return extended(
        result, paths=paths, losses=losses, noise=sigma, seed=seed, grads=swarm_gradients(result)
    )


# --- a swarm's panels -------------------------------------------------------------------
def test_swarm_loss_panel_is_the_median_over_starts_with_the_interquartile_band():
    result = small_swarm().race()
    figure = RaceFigure(result, FrameStyle(**SMALL, loss_panel=True), fast=False)
    panel = figure.loss_panel
    assert panel.ax.get_ylabel() == "f − f(goal)" and panel.origin == 0.0
    for step in (0, 3, 10, 25):
        figure.update(step)
        for i in range(3):
            # Each start's loss where it is drawn: held where it arrived, none once flown off.
            values = []
            for s in range(result.count):
                arrival, diverged = result.arrival_step[i, s], result.diverged_step[i, s]
                if diverged >= 0 and diverged <= step and not (0 <= arrival < diverged):
                    continue
                k = step if arrival < 0 else min(step, arrival)
                values.append(result.losses[i, s, k])
            x, y = panel.lines[i].get_data()
            assert x[-1] == min(step, panel.until[i, -1])
            np.testing.assert_allclose(y[-1], np.median(values), rtol=1e-12)
            band = panel.band_patches[i].get_xy()
            low, high = np.percentile(values, [25, 75])
            column = band[np.isclose(band[:, 0], x[-1])][:, 1]  # a closed polygon
            np.testing.assert_allclose([column.min(), column.max()], [low, high], rtol=1e-12)


def test_a_swarm_loss_curve_ends_where_its_last_start_stopped_with_its_outline():
    result = small_swarm(steps=150).race()
    figure = RaceFigure(result, FrameStyle(**SMALL, loss_panel=True), fast=False)
    figure.update(result.steps)
    gd = figure.loss_panel.lines[0]
    assert result.status(0, result.steps) == "arrived"
    last = int(result.arrival_step[0].max())
    assert gd.get_xdata()[-1] == last
    assert list(gd.get_markevery()) == [last]
    assert gd.get_marker() == figure.racers.heads[0].get_marker()
    figure.update(last - 1)
    assert list(gd.get_markevery()) == []


@pytest.mark.parametrize("recorded", [True, False])
def test_swarm_lr_panel_is_the_median_rate_over_the_racing_starts(recorded):
    result = small_swarm().race()
    grads = swarm_gradients(result)
    if recorded:  # the race's own gradients, as the engine will keep them
        result = extended(result, grads=grads)
    figure = RaceFigure(result, FrameStyle(**SMALL, lr_panel=True), fast=False)
    panel = figure.lr_panel
    figure.update(12)
    for i, axis, line in panel.lines:
        x, y = line.get_data()
        for k in (0, 3, int(x[-1])):
            rates = []
            for s in range(result.count):
                stop = result.arrival_step[i, s] if result.arrival_step[i, s] >= 0 else 10**9
                if k < stop and grads[i, s, k, axis] != 0:
                    step = abs(result.paths[i, s, k + 1, axis] - result.paths[i, s, k, axis])
                    rates.append(step / abs(grads[i, s, k, axis]))
            if rates:
                expected = np.clip(np.median(rates), panel.low, panel.high)
                np.testing.assert_allclose(y[k], expected, rtol=1e-10)


def test_robust_range_keeps_the_curves_and_leaves_out_far_off_spikes():
    rng = np.random.default_rng(0)
    curves = 10 ** rng.uniform(-3, 0, 500)
    spikes = np.array([1e10, 3e9])
    low, high = robust_range(np.concatenate([curves, spikes]))
    assert low == curves.min() and high < 1e2
    # A curve that really falls over decades keeps its whole range.
    falling = np.geomspace(0.4, 1e-4, 150)
    assert robust_range(falling) == (falling.min(), falling.max())
    # A constant rate gets a readable decade around it.
    low, high = robust_range(np.full(20, 0.4))
    assert low < 0.4 < high and high / low == pytest.approx(10)


def test_lr_panel_range_is_not_set_by_one_racers_spikes_and_marks_what_it_clips():
    scene = anim.load_scene("scenes/why_rmsprop.py")
    result = simulate(scene.surface, scene.optimizers, start=scene.start, steps=60, explain=True)
    # GD's gradient almost vanishes at a few steps: |Δx|/|g| of 1e10 there, as Lion's.
    grads = result.grads.copy()
    grads[0, [5, 20, 21], 0] = 1e-12
    spiky = type(result)(
        **{**{f.name: getattr(result, f.name) for f in fields(result)}, "grads": grads}
    )
    figure = RaceFigure(spiky, FrameStyle(lr_panel=True), fast=False)
    panel = figure.lr_panel
    bottom, top = panel.ax.get_ylim()
    rates = spiky.effective_lr
    assert rates[0, 5, 0] > 1e9 and top < 1e3
    figure.update(3)  # early frames show the racers inside the axis
    for _, _, line in panel.lines:
        y = np.asarray(line.get_ydata())
        assert len(y) == 3 and np.all((y >= bottom) & (y <= top))
    figure.update(60)
    gd_top = next(mark for i, steps, mark, edge in panel.marks if i == 0 and edge == panel.high)
    assert list(gd_top.get_xdata()) == [5, 20, 21]
    assert np.all(gd_top.get_ydata() == panel.high) and gd_top.get_marker() == "^"
    x_line = next(line for i, axis, line in panel.lines if i == 0 and axis == 0)
    assert x_line.get_ydata()[5] == panel.high  # drawn on the edge
    key = panel.ax.get_legend()
    assert [t.get_text() for t in key.get_texts()] == ["x", "y"]
    solid, dashed = key.legend_handles
    assert solid.get_linestyle() == "-" and dashed.get_linestyle() == "--"


# --- the scoreboard of a swarm -------------------------------------------------------------
def test_a_swarm_row_shows_the_lower_median_and_no_median_before_a_start_arrived():
    points = [(3.0, 2.0), (2.0, 1.0), (1.0, 0.5), (-1.0, -1.0)]  # the first is in the goal
    result = Scene(
        surface=surfaces.himmelblau(), optimizers=[GD(lr=0.01)], starts=points, goal="any", steps=60
    ).race()
    arrivals = np.sort(result.arrival_step[0])
    assert arrivals[0] == 0 and np.all(arrivals >= 0)
    assert status(result, 0, 0, None) == "1/4 arrived"  # not "median step 0"
    text = status(result, 0, result.steps, None)
    lower = int(arrivals[1])  # of 4: the 2nd smallest, one start's own step
    assert text == f"4/4 arrived · median step {lower}"
    assert np.median(arrivals) != lower  # numpy's median would be between two steps


# --- a noisy swarm ------------------------------------------------------------------------
def test_a_noisy_swarm_keeps_moving_after_its_first_arrival():
    result = noisy_swarm()
    figure = RaceFigure(result, FrameStyle(**SMALL, loss_panel=True, lr_panel=True), fast=False)
    step = 35
    figure.update(step)
    layer = figure.racers
    for i in range(3):
        racing = (result.diverged_step[i] < 0) | (result.diverged_step[i] > step)
        heads = np.column_stack(layer.heads[i].get_data())
        assert len(heads) == racing.sum() and len(layer.finished[i].get_xdata()) == 0
        expected = np.clip(result.paths[i, racing, step], -5 + 0.1, 5 - 0.1)
        np.testing.assert_allclose(heads, expected)
    # The median loss follows every start where it is now, not where it arrived.
    gd = figure.loss_panel.lines[0].get_ydata()
    assert len(gd) == step + 1
    np.testing.assert_allclose(gd[-1], np.median(result.losses[0, :, step]), rtol=1e-12)


def test_a_noisy_swarm_in_3d_and_the_fast_path():
    result = noisy_swarm()
    for view in ("3d", "both"):
        style = FrameStyle(**SMALL, view=view, loss_panel=True, loss_refresh=4)
        fast, full = RaceFigure(result, style), RaceFigure(result, style, fast=False)
        for step in (0, 9, 35, result.steps):
            np.testing.assert_array_equal(
                fast.draw_frame(step), full.draw_frame(step), err_msg=f"{view} step {step}"
            )


# --- a swarm in 3D ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "view, orbit, panels",
    [("2d", 0.0, True), ("3d", 0.0, True), ("both", 0.0, False), ("3d", 60.0, False)],
)
def test_swarm_fast_path_draws_what_a_full_redraw_draws(view, orbit, panels):
    result = small_swarm().race()
    style = FrameStyle(
        **SMALL,
        view=view,
        orbit=orbit,
        frames=result.steps + 1,
        loss_panel=panels,
        lr_panel=panels,
        loss_refresh=4,
    )
    fast, full = RaceFigure(result, style), RaceFigure(result, style, fast=False)
    for step in (0, 1, 6, 17, result.steps):
        np.testing.assert_array_equal(
            fast.draw_frame(step), full.draw_frame(step), err_msg=f"step {step}"
        )


def test_swarm_in_3d_has_a_head_per_start_on_the_surface():
    result = small_swarm().race()
    figure = RaceFigure(result, FrameStyle(**SMALL, view="3d", loss_refresh=1), fast=False)
    layer, ax = figure.racers3d, figure.ax3d
    step = 6
    pixels = figure.draw_frame(step)
    for i, racer in enumerate(figure.stage.racers):
        heads = np.vstack(
            [
                np.column_stack(layer.finished[i].get_data()),
                np.column_stack(layer.heads[i].get_data()),
            ]
        ).astype(float)
        assert len(heads) == result.count
        shown = layer.shown[i, :, step]
        x, y = result.paths[i, np.arange(result.count), shown].T
        on_surface = np.column_stack([x, y, figure.terrain.lifted(result.surface(x, y))])
        expected = ax.transData.inverted().transform(to_pixels(ax, on_surface))
        np.testing.assert_allclose(np.unique(heads, axis=0), np.unique(expected, axis=0), atol=1e-9)
        # ... and drawn: the racer's colour shows in the frame.
        colour = 255 * np.array(to_rgb(racer.color))
        assert (np.linalg.norm(pixels[..., :3] - colour, axis=-1) < 40).sum() >= 5


def test_swarm_trails_a_hill_hides_are_drawn_apart_and_dotted():
    result = small_swarm().race()
    # From low over Himmelblau's side, its hills hide some of the valleys behind them.
    figure = RaceFigure(
        result, FrameStyle(**SMALL, view="3d", camera=(15, -100), loss_refresh=1), fast=False
    )
    figure.update(result.steps)
    layer = figure.racers3d
    assert layer.behind is not None
    hidden = figure.terrain.hidden(layer.points3d.reshape(-1, 3), 15, -100).reshape(
        layer.points3d.shape[:-1]
    )
    assert hidden.any() and not hidden.all()
    # A hidden point is a gap in the trails in sight and a point of the trails behind.
    assert np.isnan(layer.trails[hidden]).all()
    assert np.isfinite(layer.behind[hidden]).all()
    dotted = layer.baked_behind[0].get_linestyle()[0]
    assert dotted[1] is not None and len(dotted[1]) == 2  # dots, not a solid line


def test_swarm_in_3d_and_both_from_the_command_line(cli, write_scene, tmp_path):
    path = write_scene("""
        from anim import Scene, surfaces, starts
        from anim.optimizers import GD, Adam
        scene = Scene(surface=surfaces.himmelblau(), optimizers=[GD(lr=0.01), Adam(lr=0.1)],
                      starts=starts.grid(4), goal="any", steps=30, view="both",
                      loss_panel=True, lr_panel=True)
    """)
    code, _, err = cli("still", path, "-o", tmp_path / "swarm.png", "--size", "480x360")
    assert code == 0, err
    code, _, err = cli(
        "render",
        path,
        "-o",
        tmp_path / "swarm.gif",
        "--view",
        "3d",
        "--size",
        "480x360",
        "--quiet",
        "--hold",
        "0",
    )
    assert code == 0, err
    code, _, err = cli("render", path, "-o", tmp_path / "x.gif", "--explain")
    assert code == 2
    assert_one_error_line(err, "x.gif", "a swarm of 16 starts has 16 heads per racer")


# --- step glyphs in 3D ----------------------------------------------------------------------
def test_3d_glyphs_lie_in_the_surfaces_tangent_plane():
    scene = anim.load_scene("scenes/why_rmsprop.py")
    result = simulate(scene.surface, scene.optimizers, start=scene.start, steps=60, explain=True)
    figure = RaceFigure(result, FrameStyle(view="3d", explain=(1, 2, 3)), fast=False)
    glyphs, terrain = figure.glyphs3d, figure.terrain
    assert terrain.logarithmic
    checked = 0
    for step in range(0, 60, 5):
        figure.update(step)
        for origin, vector in glyphs.vectors_at(step).values():
            x, y = origin[:2]
            # f = x²/20 + y²: its gradient, and the drawn height's: log10(f − min + δ).
            f = x * x / 20 + y * y
            slope = np.array([x / 10, 2 * y]) / ((f - terrain.lowest + terrain.delta) * np.log(10))
            assert vector[2] == pytest.approx(slope @ vector[:2], abs=1e-9)
            assert origin[2] == pytest.approx(terrain.lifted(f), abs=1e-9)
            checked += 1
        for corners in glyphs.boxes_at(step).values():
            x, y = corners.mean(axis=0)[:2]
            f = x * x / 20 + y * y
            slope = np.array([x / 10, 2 * y]) / ((f - terrain.lowest + terrain.delta) * np.log(10))
            edges = np.diff(corners, axis=0)
            np.testing.assert_allclose(edges[:, 2], edges[:, :2] @ slope, atol=1e-9)
    assert checked > 30
    # The same arrows as the contour view's, in (x, y).
    flat = RaceFigure(result, FrameStyle(explain=(1, 2, 3)), fast=False)
    for key, (_, vector) in flat.glyphs.vectors_at(20).items():
        lifted = glyphs.vectors_at(20)[key]
        np.testing.assert_allclose(lifted[1][:2], vector, rtol=1e-12)


@pytest.mark.parametrize("view", ["3d", "both"])
def test_3d_explain_draws_its_arrows_and_boxes_never_nothing(view):
    scene = anim.load_scene("scenes/why_rmsprop.py")
    result = simulate(scene.surface, scene.optimizers, start=scene.start, steps=40, explain=True)
    style = FrameStyle(view=view, explain=(2, 3), lr_panel=True)
    figure = RaceFigure(result, style, fast=False)
    plain = RaceFigure(result, FrameStyle(view=view, lr_panel=True), fast=False)
    for step in (1, 10, 30):
        shown = figure.draw_frame(step).copy()
        racing = [i for i in (2, 3) if result.status(i, step) == "racing"]
        assert racing  # AdaGrad races on; RMSProp arrives at step 18
        # A gradient arrow and a step arrow each (and RMSProp's boxes), as in 2D.
        assert len(figure.glyphs3d.arrows.get_paths()) == 2 * len(racing)
        assert len(figure.glyphs3d.boxes.get_paths()) == len(racing)
        for polygon in figure.glyphs3d.arrows.get_paths():
            box = figure.ax3d.get_window_extent()
            assert box.x0 - 1 <= polygon.vertices[:, 0].min() <= box.x1 + 1
        assert (shown != plain.draw_frame(step)).any(axis=-1).sum() > 50
    keys = [t for t in figure.figure.findobj(Text) if t.get_text().startswith("arrows ×")]
    assert len(keys) == 1  # one key: in the 3D view alone, else in the contour view
    assert keys[0].axes is (figure.ax3d if view == "3d" else figure.ax)
    fast = RaceFigure(result, style)
    for step in (0, 1, 10, 40):
        np.testing.assert_array_equal(fast.draw_frame(step), figure.draw_frame(step))


# --- arrivals, goal circles, heads at the edge ----------------------------------------------
@pytest.mark.parametrize("view", ["2d", "3d"])
def test_an_arrived_head_stays_inside_its_goal_circle(view):
    scene = anim.load_scene("scenes/rmsprop_vs_adagrad.py")
    result = scene.race()
    figure = RaceFigure(result, FrameStyle(view=view), fast=False)
    middle = result.steps // 2
    figure.draw_frame(middle)
    arrived = [i for i in range(4) if result.status(i, middle) == "arrived"]
    assert len(arrived) == 3  # GD (68), Momentum and RMSProp
    for i in arrived:
        if view == "2d":
            head = figure.racers.heads[i]
            centre = head.get_transform().transform(np.column_stack(head.get_data()))[0]
            goal, edge = figure.ax.transData.transform(
                [result.goal, np.add(result.goal, (result.goal_radius, 0))]
            )
            radius = np.hypot(*(edge - goal))
        else:
            head = figure.racers3d.heads[i]
            centre = head.get_transform().transform(np.column_stack(head.get_data()).astype(float))[
                0
            ]
            ring = to_pixels(figure.ax3d, figure.terrain.goal_ring(result.goal, result.goal_radius))
            goal = to_pixels(figure.ax3d, figure.terrain.goal_ring(result.goal, 0.0, 1))[0]
            radius = np.hypot(*(ring - goal).T).min()
        assert np.hypot(*(centre - goal)) <= radius, (view, i)


def test_the_3d_goal_circle_rings_the_star():
    scene = anim.load_scene("scenes/rmsprop_vs_adagrad.py")
    figure = RaceFigure(scene.race(20), FrameStyle(view="3d"), fast=False)
    terrain, ax = figure.terrain, figure.ax3d
    ring = terrain.goal_ring(scene.surface.minima[0], 0.447)
    assert np.ptp(ring[:, 2]) == 0  # level, at the star's height
    star = next(line for line in figure.surface3d.moving if line.get_marker() == "*")
    star_pixels = star.get_transform().transform(np.column_stack(star.get_data()))[0]
    circle = next(line for line in ax.lines if line.get_linestyle() == "--")
    drawn = circle.get_transform().transform(np.column_stack(circle.get_data()))
    np.testing.assert_allclose(drawn[:-1].mean(axis=0), star_pixels, atol=0.5)


@pytest.mark.parametrize("view", ["2d", "3d"])
def test_a_racer_outside_the_bounds_keeps_its_head_at_the_edge(view):
    # lr 1.05 on x²/20 + y²: y flips and grows; it leaves the bounds long before it counts
    # as diverged (100 spans out).
    scene = Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=1.05), RMSProp(lr=0.4)],
        start=(-7, 2),
        steps=30,
    )
    result = scene.race()
    assert result.diverged_step[0] is None and abs(result.paths[0, -1, 1]) > 5
    figure = RaceFigure(result, FrameStyle(**SMALL, view=view), fast=False)
    pixels = figure.draw_frame(30)
    ax = figure.ax3d if view == "3d" else figure.ax
    head = (figure.racers3d if view == "3d" else figure.racers).heads[0]
    centre = head.get_transform().transform(np.column_stack(head.get_data()).astype(float))[0]
    assert np.all(np.isfinite(centre))
    box = ax.get_window_extent()
    assert box.x0 <= centre[0] <= box.x1 and box.y0 <= centre[1] <= box.y1
    colour = 255 * np.array(to_rgb(figure.stage.racers[0].color))
    x, y = np.round(centre).astype(int)
    window = pixels[pixels.shape[0] - y - 6 : pixels.shape[0] - y + 6, x - 6 : x + 6, :3]
    assert (np.linalg.norm(window - colour, axis=-1) < 40).sum() >= 6


# --- the 3D view's margins and ticks ---------------------------------------------------------
@pytest.mark.parametrize("name", ["rmsprop_vs_adagrad", "himmelblau", "beale"])
def test_the_3d_view_fills_its_box(name):
    scene = anim.load_scene(f"scenes/{name}.py")
    result = scene.race(30)
    figure = RaceFigure(result, FrameStyle(view="3d"), fast=False)
    figure.draw_frame(0)
    box = figure.layout.plots[0]
    surface = figure.surface3d
    content = surface._content(figure.stage)
    # Inside the box, and as wide or as tall as it (a 2% margin).
    assert content.x0 >= box.x - 1 and content.x1 <= box.x + box.width + 1
    assert content.y0 >= box.y - 1 and content.y1 <= box.y + box.height + 1
    assert max(content.width / box.width, content.height / box.height) >= 0.95
    # The surface's own box takes a third or more of the frame (matplotlib's default
    # margins left it a fifth).
    corners = to_pixels(figure.ax3d, figure.terrain.corners())
    width, height = np.ptp(corners, axis=0)
    assert width * height >= 0.33 * 800 * 600


@pytest.mark.parametrize("camera", [None, (30, -60), (30, 0), (20, 90), (60, 180)])
@pytest.mark.parametrize("view", ["3d", "both"])
def test_z_tick_labels_stay_clear_of_the_other_axes_labels(camera, view):
    scene = anim.load_scene("scenes/rmsprop_vs_adagrad.py")
    figure = RaceFigure(scene.race(20), FrameStyle(view=view, camera=camera), fast=False)
    figure.draw_frame(0)
    renderer, ax = figure.canvas.get_renderer(), figure.ax3d
    gap = 6.0 * 100 / 72 - 0.5
    z = [label.get_window_extent(renderer) for _, label in drawn_tick_labels(ax.zaxis)]
    others = [
        label.get_window_extent(renderer)
        for axis in (ax.xaxis, ax.yaxis)
        for _, label in drawn_tick_labels(axis)
    ]
    assert len(z) >= 2
    assert not any(a.padded(gap).overlaps(b) for a in z for b in others)
