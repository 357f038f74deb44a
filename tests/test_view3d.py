"""The 3D view: the surface in 3D, racers on it, cameras, 'both', errors."""

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

import anim
from anim import Scene, Surface, simulate, surfaces
from anim.figure import FrameStyle, RaceFigure
from anim.figure.racers3d import to_pixels
from anim.figure.terrain import LIFT, Terrain
from anim.figure.theme import HEAD_SIZE
from anim.optimizers import GD, Momentum, RMSProp
from anim.renderer import resolve_options

from conftest import assert_one_error_line, run_anim

GALLERY = [
    "adam_family",
    "beale",
    "himmelblau",
    "momentum_overshoot",
    "rmsprop_vs_adagrad",
    "rosenbrock_valley",
    "saddle_escape",
]


def quick_scene(steps=30):
    return Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=1.5), Momentum(lr=0.4), RMSProp(lr=0.4)],
        start=(-7, 2),
        steps=steps,
    )


@pytest.mark.parametrize(
    "view, orbit, transparent, explain",
    [
        ("3d", 0.0, False, ()),
        ("both", 0.0, False, ()),
        ("3d", 90.0, False, ()),
        ("both", -40.0, False, ()),
        ("3d", 0.0, True, ()),
        ("3d", 0.0, False, (1, 2)),
        ("both", 0.0, False, (2,)),
        ("3d", 90.0, False, (1, 2)),
    ],
)
def test_fast_path_draws_the_same_pixels_as_a_full_redraw(view, orbit, transparent, explain):
    scene = quick_scene()
    result = simulate(
        scene.surface, scene.optimizers, start=scene.start, steps=scene.steps, explain=True
    )
    style = FrameStyle(
        400,
        300,
        50.0,
        loss_panel=True,
        view=view,
        orbit=orbit,
        frames=result.steps + 4,
        transparent=transparent,
        text_plates=transparent,
        explain=explain,
        lr_panel=bool(explain),
    )
    fast, full = RaceFigure(result, style, fast=True), RaceFigure(result, style, fast=False)
    for frame in (0, 1, 5, result.steps, result.steps + 3):
        np.testing.assert_array_equal(
            fast.draw_frame(frame), full.draw_frame(frame), err_msg=f"frame {frame}"
        )


def test_with_a_fixed_camera_only_the_racers_and_landmarks_are_drawn_each_frame():
    figure = RaceFigure(quick_scene().race(), FrameStyle(400, 300, 50.0, view="3d"))
    drawn = [a for a in figure.ax3d.get_children() if a.get_visible()]
    racers = figure.racers3d.trails + figure.racers3d.heads + figure.racers3d.behind
    assert sorted(a.get_marker() for a in drawn if a not in racers) == ["*", "o"]
    assert len([a for a in drawn if a not in racers]) == 2
    assert set(map(id, drawn)) <= set(map(id, figure.moving))


def test_stretches_of_trail_behind_a_hill_are_drawn_apart_dotted():
    scene = anim.load_scene("scenes/rmsprop_vs_adagrad.py")
    result = scene.race()
    # matplotlib's usual camera looks at the valley over its near wall.
    figure = RaceFigure(result, FrameStyle(400, 300, 50.0, view="3d", camera=(30, -60)), fast=False)
    figure.update(result.steps)
    racers = figure.racers3d
    hidden = racers.hidden_points()
    assert sum(map(len, hidden)) > 0.9 * sum(racers.shown[:, -1] + 1)
    for i, steps in enumerate(hidden):
        seen_z = np.asarray(racers.trails[i].get_data()[0], dtype=float)
        behind_z = np.asarray(racers.behind[i].get_data()[0], dtype=float)
        assert np.isnan(seen_z[steps]).all() and np.isfinite(behind_z[steps]).all()
        assert racers.behind[i].get_linestyle() != "-"
        shown = np.setdiff1d(np.arange(racers.shown[i, -1] + 1), steps)
        assert np.isfinite(seen_z[shown]).all()
    default = RaceFigure(result, FrameStyle(400, 300, 50.0, view="3d"), fast=False)
    default.update(result.steps)
    assert not any(line.get_visible() for line in default.racers3d.behind)


def test_an_orbit_redraws_the_surface_and_turns_the_camera_by_the_given_degrees():
    result = quick_scene().race()
    figure = RaceFigure(
        result, FrameStyle(400, 300, 50.0, view="3d", orbit=90.0, frames=result.steps + 11)
    )
    surface = next(a for a in figure.ax3d.collections if a.get_visible())
    assert surface in figure.surface3d.moving
    figure.update(0)
    first = figure.ax3d.azim
    figure.update(result.steps + 10)  # the last frame of the video, in the hold
    assert figure.ax3d.azim - first == pytest.approx(90.0)
    assert figure.ax3d.elev == figure.stage.camera[0]


def test_trails_and_heads_are_drawn_over_the_surface():
    figure = RaceFigure(quick_scene().race(), FrameStyle(400, 300, 50.0, view="3d"), fast=False)
    assert figure.ax3d.computed_zorder is False
    surface_z = max(c.get_zorder() for c in figure.ax3d.collections)
    racers = figure.racers3d
    assert min(t.get_zorder() for t in racers.trails) > surface_z
    figure.update(0)
    assert min(h.get_zorder() for h in racers.heads) > max(t.get_zorder() for t in racers.trails)


@pytest.mark.parametrize("name", GALLERY)
def test_no_hill_hides_a_trail_from_the_default_camera(name):
    scene = anim.load_scene(f"scenes/{name}.py")
    result = scene.race()
    figure = RaceFigure(result, FrameStyle(400, 300, 50.0, view="3d"), fast=False)
    figure.update(result.steps)
    hidden = figure.racers3d.hidden_points()
    assert [len(h) for h in hidden] == [0] * len(hidden)
    elev, azim = figure.stage.camera
    start = (*result.start, float(figure.terrain.height_at(*result.start)) + figure.terrain.lift)
    assert not figure.terrain.hidden(np.array([start]), elev, azim).any()


def test_a_point_behind_a_wall_is_hidden_and_one_before_it_is_not():
    xs, ys = np.meshgrid(np.linspace(-1, 1, 101), np.linspace(-1, 1, 101))
    wall = np.where(np.abs(ys) < 0.1, 10.0, 0.0)  # a wall along x at y = 0
    terrain = Terrain(xs, ys, wall, np.array([0.0, 5.0, 10.0]), False)
    behind = np.array([[0.0, 0.5, terrain.lift]])
    before = np.array([[0.0, -0.5, terrain.lift]])
    # A camera at azimuth -90 looks from -y: the wall stands between it and y > 0.
    assert terrain.hidden(behind, 30, -90).all()
    assert not terrain.hidden(before, 30, -90).any()
    assert not terrain.hidden(behind, 30, 90).any()  # seen from the other side
    assert not terrain.hidden(behind, 90, -90).any()  # or from straight above


def test_log_surfaces_are_drawn_as_log_of_f_minus_its_minimum():
    scene = anim.load_scene("scenes/rosenbrock_valley.py")
    result = scene.race(5)
    figure = RaceFigure(result, FrameStyle(400, 300, 50.0, view="3d"), fast=False)
    terrain = figure.terrain
    assert terrain.logarithmic
    assert figure.ax3d.get_zlabel().startswith("log₁₀(f − min f + ")
    figure.update(0)
    x, y = result.start
    f = (1 - x) ** 2 + 100 * (y - x * x) ** 2  # 12.5 at (-1.5, 2)
    expected = np.log10(f - terrain.lowest + terrain.delta) + terrain.lift
    assert figure.racers3d.trail_points[0, 0, 2] == pytest.approx(expected, rel=1e-12)
    assert terrain.lift == pytest.approx(LIFT * (terrain.high - terrain.low))
    lowest = float(np.min(result.surface(terrain.grid_x, terrain.grid_y)))
    assert terrain.lowest == pytest.approx(lowest)
    assert not Terrain(
        terrain.grid_x, terrain.grid_y, terrain.grid_x**2, np.linspace(0, 4, 19), False
    ).label.startswith("log")


def _visible(pixels, color, centre, radius):
    x, y = np.round(centre).astype(int)
    height = pixels.shape[0]
    window = pixels[
        max(height - y - radius, 0) : height - y + radius, max(x - radius, 0) : x + radius, :3
    ].astype(float)
    distance = np.linalg.norm(window - 255 * np.array(to_rgb(color)), axis=-1)
    return int((distance < 40).sum())


@pytest.mark.parametrize("view", ["3d", "both"])
def test_every_racer_shows_in_the_first_middle_and_last_frames(view):
    scene = anim.load_scene("scenes/rmsprop_vs_adagrad.py")
    result = scene.race()
    figure = RaceFigure(result, FrameStyle(view=view), title=scene.title)
    racers = figure.racers3d
    for step in (0, result.steps // 2, result.steps):
        pixels = figure.draw_frame(step)
        for i, racer in enumerate(figure.stage.racers):
            head = racers.heads[i]  # where the last draw put it, in pixels
            centre = head.get_transform().transform(np.column_stack(head.get_data()).astype(float))[
                0
            ]
            expected = to_pixels(figure.ax3d, racers.heads_at[i, step])[0]
            assert np.linalg.norm(centre - expected) < 3 * HEAD_SIZE  # fanned a little
            assert _visible(pixels, racer.color, centre, round(HEAD_SIZE)) >= 6, (step, racer.label)


def test_both_views_sit_side_by_side_in_the_frame():
    result = quick_scene().race()
    figure = RaceFigure(result, FrameStyle(view="both", loss_panel=True), fast=False)
    three, two = figure.layout.plots
    assert three.x + three.width < two.x
    assert three.y == two.y and three.height == two.height
    for box in (three, two):
        assert box.x >= 0 and box.x + box.width <= 800 and box.y + box.height <= 600
    assert figure.ax is not figure.ax3d and figure.ax.name == "rectilinear"
    figure.draw_frame(result.steps)


def test_still_view_3d_from_the_command_line(tmp_path):
    out = tmp_path / "race.png"
    done = run_anim(
        "still",
        "scenes/rmsprop_vs_adagrad.py",
        "--view",
        "3d",
        "--camera",
        "30,-60",
        "-o",
        out,
        "--size",
        "480x360",
    )
    assert done.returncode == 0, done.stderr
    with Image.open(out) as image:
        assert image.size == (480, 360)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--view", "4d"], "argument --view: invalid choice: '4d'"),
        (["--view", "3d", "--camera", "30"], "Invalid camera: '30' (expected ELEV,AZIM"),
        (["--view", "3d", "--camera", "high,left"], "Invalid camera: 'high,left'"),
        (["--view", "3d", "--camera", "30,-60,2"], "Invalid camera: '30,-60,2'"),
        (["--view", "3d", "--camera", "95,0"], "the elevation 95 must be from -90 to 90"),
        (["--view", "3d", "--camera", "nan,0"], "Invalid camera: 'nan,0'"),
        (["--camera", "30,-60"], "--camera turns the 3D view: add --view 3d or --view both"),
        (["--orbit", "90"], "--orbit turns the 3D view"),
        (["--view", "3d", "--orbit", "1e9"], "Invalid orbit: 1000000000.0"),
        (["--view", "3d", "--orbit", "lots"], "argument --orbit: invalid float value: 'lots'"),
    ],
)
def test_bad_views_and_cameras_are_one_line_errors(write_scene, tmp_path, extra, message):
    out = tmp_path / "race.gif"
    done = run_anim("render", write_scene(), "-o", out, *extra)
    assert done.returncode == 2
    assert_one_error_line(done.stderr, message)
    assert not out.exists()


def test_scene_view_and_camera_are_checked_and_used():
    with pytest.raises(ValueError, match="Invalid view: 'xyz' \\(choose from 2d, 3d, both\\)"):
        Scene(surface=surfaces.ravine(), optimizers=[GD(lr=0.1)], start=(-7, 2), view="xyz")
    with pytest.raises(ValueError, match="Invalid camera"):
        Scene(surface=surfaces.ravine(), optimizers=[GD(lr=0.1)], start=(-7, 2), camera=(30,))
    scene = Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=0.1)],
        start=(-7, 2),
        view="3d",
        camera=(20, 45),
        steps=3,
    )
    request = resolve_options(scene)
    assert (request.view, request.camera) == ("3d", (20.0, 45.0))
    assert resolve_options(scene, view="2d").view == "2d"  # the scene's camera is unused
    figure = RaceFigure(scene.race(), request.style, fast=False)
    assert (figure.ax3d.elev, figure.ax3d.azim) == (20.0, 45.0)


def test_a_surface_without_bounds_and_a_diverging_racer_in_3d():
    bowl = Surface(lambda x, y: x**2 + y**2, minimum=(0, 0))
    scene = Scene(surface=bowl, optimizers=[GD(lr=3.0), GD(lr=0.1)], start=(1, 1), steps=40)
    result = scene.race()
    assert result.diverged_step[0] is not None
    figure = RaceFigure(result, FrameStyle(400, 300, 50.0, view="3d"), fast=False)
    figure.update(result.steps)
    heads = figure.racers3d.heads
    assert heads[0].get_marker() == "X"
    (x0, x1), (y0, y1) = figure.terrain.bounds
    x, y, _ = figure.racers3d.heads_at[0, -1]
    assert x0 <= x <= x1 and y0 <= y <= y1  # the ✗ is inside the picture


def test_a_fixed_camera_projects_once_where_matplotlib_projects_at_every_draw():
    from mpl_toolkits.mplot3d import proj3d

    result = quick_scene().race()
    figure = RaceFigure(result, FrameStyle(400, 300, 50.0, view="3d"))
    figure.draw_frame(result.steps)  # the draw sets the axes' projection matrix M
    racers = figure.racers3d
    for i, trail in enumerate(racers.trails):
        x, y, z = racers.trail_points[i, : racers.shown[i, -1] + 1].T
        px, py, _ = proj3d.proj_transform(x, y, z, figure.ax3d.M)
        drawn_x, drawn_y = trail.get_data()
        kept = np.isfinite(drawn_x)
        assert kept.sum() >= 2
        np.testing.assert_allclose(drawn_x[kept], px[kept], rtol=0, atol=1e-12)
        np.testing.assert_allclose(drawn_y[kept], py[kept], rtol=0, atol=1e-12)
