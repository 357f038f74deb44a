import struct

import numpy as np
import pytest
from PIL import Image

import anim
from anim import Scene, Surface, surfaces
from anim.errors import RequestError
from anim.figure import FrameStyle, RaceFigure, contour_levels
from anim.optimizers import GD, Adam, Momentum, RMSProp
from anim.renderer import QUALITY, frames, resolve_options

SMALL = "320x240"


def quick_scene(steps=12, **kwargs):
    return Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=0.4), Momentum(lr=0.4), RMSProp(lr=0.4)],
        start=(-7, 2),
        steps=steps,
        **kwargs,
    )


def diverging_scene():
    return Scene(
        surface=surfaces.ravine(), optimizers=[GD(lr=1.5), RMSProp(lr=0.5)], start=(-7, 2), steps=30
    )


@pytest.mark.parametrize(
    "make, loss_panel", [(quick_scene, False), (quick_scene, True), (diverging_scene, True)]
)
def test_fast_path_draws_the_same_pixels_as_a_full_redraw(make, loss_panel):
    result = make().race()
    style = FrameStyle(400, 300, 50.0, loss_panel)
    fast = RaceFigure(result, style, fast=True)
    full = RaceFigure(result, style, fast=False)
    for frame in (0, 1, 5, result.steps, result.steps + 3):
        np.testing.assert_array_equal(
            fast.draw_frame(frame), full.draw_frame(frame), err_msg=f"frame {frame}"
        )


def test_fast_path_does_not_redraw_static_artists():
    figure = RaceFigure(quick_scene().race(), FrameStyle(400, 300, 50.0))
    drawn = [a for a in figure.ax.get_children() if a.get_visible()]
    landmarks = [a for a in drawn if a not in figure.racers.trails + figure.racers.heads]
    # Only what moves, and the goal star and start ring, which sit above the trails.
    assert sorted(a.get_marker() for a in landmarks) == ["*", "o"]
    assert len(drawn) == 2 * 3 + 2


def test_goal_and_start_are_drawn_above_trails_and_finished_heads_below_racing_heads():
    result = quick_scene(steps=60).race()
    figure = RaceFigure(result, FrameStyle(400, 300, 50.0))
    star = next(a for a in figure.ax.lines if a.get_marker() == "*")
    heads = figure.racers.heads
    assert max(t.get_zorder() for t in figure.racers.trails) < star.get_zorder()
    figure.update(0)
    assert star.get_zorder() < min(h.get_zorder() for h in heads)
    figure.update(result.steps)
    finished = [heads[i] for i in result.finish_order()]
    assert finished and max(h.get_zorder() for h in finished) < star.get_zorder()


def test_contour_levels_go_logarithmic_when_values_span_decades():
    x, y = np.meshgrid(np.linspace(-2, 2, 100), np.linspace(-1, 3, 100))
    rosenbrock_levels, rosen_log = contour_levels((1 - x) ** 2 + 100 * (y - x**2) ** 2)
    assert rosen_log
    gaps = np.diff(rosenbrock_levels[1:])
    assert gaps[-1] / gaps[0] > 100
    saddle_levels, saddle_log = contour_levels(x**2 - y**2)
    assert not saddle_log
    np.testing.assert_allclose(np.diff(saddle_levels), np.diff(saddle_levels)[0])


def decode_gif(path):
    image = Image.open(path)
    out = []
    for index in range(image.n_frames):
        image.seek(index)
        out.append((np.asarray(image.convert("RGB")), image.info.get("duration")))
    return image, out


def test_gif_matches_rendered_frames_and_holds_the_last(tmp_path):
    scene = quick_scene()
    path = anim.render(scene, tmp_path / "race.gif", size=SMALL, hold=1.0, fps=20, progress=False)
    image, decoded = decode_gif(path)
    rendered = list(frames(scene, size=SMALL, hold=1.0, fps=20))
    assert len(rendered) == scene.steps + 1 + 20
    # Identical hold frames are merged into the last frame's delay.
    assert len(decoded) == scene.steps + 1
    assert decoded[-1][1] == 1050  # 5 cs + 1 s hold, in ms as Pillow reports it
    assert image.info["loop"] == 0
    for (pixels, _), expected in zip(decoded, rendered):
        mse = np.mean((pixels.astype(float) - expected) ** 2)
        assert 10 * np.log10(255**2 / max(mse, 1e-12)) > 40


def test_gif_delays_add_up_to_the_frame_rate(tmp_path):
    path = anim.render(
        quick_scene(steps=29), tmp_path / "race.gif", size=SMALL, fps=30, hold=0, progress=False
    )
    _, decoded = decode_gif(path)
    assert sum(duration for _, duration in decoded) == 1000  # 30 frames at 30 fps = 1 s
    assert {duration for _, duration in decoded} <= {30, 40}


@pytest.mark.parametrize("loop, netscape", [(0, 0), (3, 2), (1, None)])
def test_gif_loop_count(tmp_path, loop, netscape):
    path = anim.render(
        quick_scene(steps=3), tmp_path / "race.gif", size=SMALL, loop=loop, progress=False
    )
    assert Image.open(path).info.get("loop") == netscape


def mp4_boxes(data):
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        boxes.append(kind.decode("latin-1"))
        if size < 8:
            break
        offset += size
    return boxes


def test_mp4_is_h264_yuv420p_faststart(tmp_path):
    import imageio.v2 as imageio

    scene = quick_scene()
    path = anim.render(scene, tmp_path / "race.mp4", size=SMALL, hold=0.5, fps=20, progress=False)
    boxes = mp4_boxes(path.read_bytes())
    assert boxes.index("moov") < boxes.index("mdat")  # faststart
    reader = imageio.get_reader(path, format="FFMPEG")
    meta = reader.get_meta_data()
    assert meta["codec"] == "h264"
    assert "yuv420p" in meta["pix_fmt"]
    assert meta["size"] == (320, 240)
    decoded = [frame for frame in reader]
    reader.close()
    assert len(decoded) == scene.steps + 1 + 10


def test_mp4_needs_even_dimensions(tmp_path):
    with pytest.raises(RequestError, match="even width and height"):
        anim.render(quick_scene(), tmp_path / "race.mp4", size="321x240", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_still_writes_the_requested_frame(tmp_path):
    scene = quick_scene()
    path = anim.still(scene, tmp_path / "still.png", frame=4, size=SMALL)
    pixels = np.asarray(Image.open(path).convert("RGB"))
    # At 5 fps an animation's loss column changes every frame, as a still's does.
    expected = list(frames(scene, size=SMALL, hold=0, fps=5))[4]
    np.testing.assert_array_equal(pixels, expected)
    assert "anim" in Image.open(path).text["Software"]


def test_loss_panel_adds_a_log_axis():
    figure = RaceFigure(quick_scene().race(), FrameStyle(800, 600, 100.0, loss_panel=True))
    assert figure.loss_panel.ax.get_yscale() == "log"
    figure.update(5)
    x, y = figure.loss_panel.lines[0].get_data()
    assert list(x) == list(range(6)) and np.all(np.asarray(y) > 0)


def test_scoreboard_rows_keep_the_scene_order_with_live_status():
    result = diverging_scene().race()
    figure = RaceFigure(result, FrameStyle(400, 300, 50.0), fast=False)
    statuses = figure.scoreboard.statuses
    figure.update(0)
    loss = result.losses[0, 0]
    assert [t.get_text() for t in statuses] == [f"f = {loss:.3g}"] * 2
    figure.update(result.steps)
    assert statuses[0].get_text() == f"✗ step {result.diverged_step[0]}"
    assert statuses[1].get_text() == f"1st · step {result.arrival_step[1]}"
    assert statuses[1].get_fontweight() == "bold"
    figure.update(3)
    assert statuses[0].get_text() == f"f = {result.losses[0, 3]:.3g}".replace("-", "−")


def test_arrived_head_stops_at_its_arrival_point():
    result = quick_scene(steps=60).race()
    figure = RaceFigure(result, FrameStyle(400, 300, 50.0), fast=False)
    index = result.finish_order()[0]
    arrival = result.arrival_step[index]
    figure.update(result.steps)
    x, y = figure.racers.heads[index].get_data()
    # Where it arrived, unless another head finished on the same pixels: then fanned out
    # on a ring that is moved inside the goal circle.
    position = result.paths[index, arrival]
    head, arrived, goal, edge = figure.ax.transData.transform(
        [[x[0], y[0]], position, result.goal, np.add(result.goal, (result.goal_radius, 0))]
    )
    gap = 8.0 * 50 / 72 * 1.1
    assert np.hypot(*(head - arrived)) <= gap + np.hypot(*(arrived - goal))
    assert np.hypot(*(head - goal)) <= np.hypot(*(edge - goal))


def test_arrived_heads_turn_hollow_in_their_colour():
    result = quick_scene(steps=60).race()
    figure = RaceFigure(result, FrameStyle(400, 300, 50.0), fast=False)
    first, second = result.finish_order()[:2]
    heads = figure.racers.heads
    figure.update(result.arrival_step[first] - 1)
    assert heads[first].get_markerfacecolor() != "none"
    figure.update(result.steps)
    assert heads[first].get_markerfacecolor() == heads[second].get_markerfacecolor() == "none"
    assert heads[first].get_markeredgecolor() == figure.racers.trails[first].get_color()


def test_a_diverged_head_is_marked_where_its_trail_leaves_the_picture():
    from anim.figure.racers import exit_point as _exit_point

    low, high = np.array([0.0, 0.0]), np.array([10.0, 10.0])
    path = np.array([[5.0, 5.0], [8.0, 6.0], [14.0, 8.0], [40.0, -30.0]])
    np.testing.assert_allclose(_exit_point(path, low, high), [10.0, 6 + 2 / 6 * 2])
    # Jumped straight to NaN from inside: marked where it was last seen.
    np.testing.assert_allclose(_exit_point(path[:2], low, high), [8.0, 6.0])


def test_a_racer_that_never_arrives_ends_with_its_final_loss():
    scene = anim.load_scene("scenes/rmsprop_vs_adagrad.py")
    result = scene.race()
    figure = RaceFigure(result, FrameStyle(800, 600, 100.0), fast=False)
    figure.update(result.steps)
    statuses = figure.scoreboard.statuses
    assert statuses[2].get_text() == f"f = {result.final_loss(2):.3g}"
    assert statuses[2].get_fontweight() == "normal"
    assert [statuses[i].get_text() for i in (3, 1, 0)] == [
        "1st · step 18",
        "2nd · step 24",
        "3rd · step 68",
    ]


def test_scoreboard_text_fits_the_frame_and_leaves_the_plot_alone():
    scene = anim.load_scene("scenes/himmelblau.py")
    result = scene.race()
    for size in ((800, 600), (480, 360), (1200, 400)):
        figure = RaceFigure(result, FrameStyle(*size, anim.figure.default_dpi(*size)), fast=False)
        figure.update(result.steps)
        renderer = figure.canvas.get_renderer()
        plot = figure.ax.get_window_extent(renderer)
        texts = [t for t in figure.figure.texts if t.get_text()]
        assert len(texts) >= 2 * len(result.optimizers)
        for text in texts:
            box = text.get_window_extent(renderer)
            assert box.x0 >= 0 and box.x1 <= size[0] and box.y0 >= 0 and box.y1 <= size[1]
            assert not box.overlaps(plot), text.get_text()


def test_quality_presets_and_defaults():
    scene = quick_scene()
    low = resolve_options(scene, quality="low")
    assert (low.width, low.height, low.fps) == QUALITY["low"]
    medium = resolve_options(scene)
    assert (medium.width, medium.height, medium.fps, medium.dpi) == (800, 600, 30, 100)
    assert medium.hold == 2.0 and medium.loop == 0
    assert medium.total_frames == scene.steps + 1 + 60
    explicit = resolve_options(scene, quality="low", fps=24, size="640x480")
    assert (explicit.width, explicit.height, explicit.fps) == (640, 480, 24)
    assert explicit.dpi == pytest.approx(80)  # text keeps its relative size


def test_default_output_is_output_slash_stem_gif(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "output").mkdir()
    (tmp_path / "tiny.py").write_text(
        "from anim import Scene, surfaces\nfrom anim.optimizers import GD\n"
        "scene = Scene(surface=surfaces.ravine(), optimizers=[GD(lr=0.4)], steps=3)\n"
    )
    path = anim.render(anim.load_scene("tiny.py"), size=SMALL, progress=False)
    assert str(path) == "output/tiny.gif" and path.exists()


def test_progress_bar_on_stderr(tmp_path, capsys):
    # Captured stderr is no terminal: a bar only when asked (tests/test_progress.py).
    anim.render(quick_scene(steps=5), tmp_path / "race.gif", size=SMALL, hold=0, progress=True)
    err = capsys.readouterr().err
    assert "6/6" in err and "frame" in err
    anim.render(quick_scene(steps=5), tmp_path / "race.gif", size=SMALL, hold=0)
    assert capsys.readouterr().err == ""


def test_surface_without_bounds_is_framed_by_its_paths(tmp_path):
    surface = Surface(lambda x, y: (x - 1) ** 2 + (y + 2) ** 2, minimum=(1, -2))
    scene = Scene(surface=surface, optimizers=[Adam(lr=0.2)], start=(-3, 3), steps=20)
    figure = RaceFigure(scene.race(), FrameStyle(400, 300, 50.0))
    (x0, x1), (y0, y1) = figure.ax.get_xlim(), figure.ax.get_ylim()
    assert x0 < -3 and x1 > 1 and y0 < -2 and y1 > 3


def test_a_diverged_head_is_marked_inside_the_picture():
    result = diverging_scene().race()
    figure = RaceFigure(result, FrameStyle(400, 300, 50.0), fast=False)
    figure.update(result.steps)
    x, y = figure.racers.heads[0].get_data()
    assert figure.racers.heads[0].get_marker() == "X"
    (x0, x1), (y0, y1) = figure.ax.get_xlim(), figure.ax.get_ylim()
    assert x0 <= x[0] <= x1 and y0 <= y[0] <= y1


def test_heads_are_drawn_above_every_trail():
    figure = RaceFigure(quick_scene().race(), FrameStyle(400, 300, 50.0))
    assert min(h.get_zorder() for h in figure.racers.heads) > max(
        t.get_zorder() for t in figure.racers.trails
    )


def test_two_scenes_of_one_file_get_their_own_default_output(tmp_path, monkeypatch):
    from anim.renderer import output_path

    monkeypatch.chdir(tmp_path)
    (tmp_path / "pair.py").write_text(
        "from anim import Scene, surfaces\nfrom anim.optimizers import GD\n"
        "fast = Scene(surface=surfaces.ravine(), optimizers=[GD(lr=0.9)], steps=3)\n"
        "slow = Scene(surface=surfaces.ravine(), optimizers=[GD(lr=0.1)], steps=3)\n"
    )
    scenes = anim.load_scenes("pair.py")
    assert str(output_path(scenes["fast"])) == "output/pair-fast.gif"
    assert str(output_path(scenes["slow"], still=True)) == "output/pair-slow.png"


def test_loss_panel_without_a_goal_measures_from_the_lowest_value_reached():
    surface = Surface(lambda x, y: x**2 - y**2 + 0 * x, bounds=((-2, 2), (-2, 2)))
    scene = Scene(
        surface=surface, optimizers=[GD(lr=0.05), Adam(lr=0.05)], start=(-1, 0.01), steps=40
    )
    figure = RaceFigure(scene.race(), FrameStyle(400, 300, 50.0, loss_panel=True))
    figure.update(40)
    for line in figure.loss_panel.lines:
        values = np.asarray(line.get_data()[1])
        assert np.all(values > 0) and len(values) == 41
    assert "lowest" in figure.loss_panel.ax.get_ylabel()


def test_cli_switches_the_scene_loss_panel_off_and_races_fewer_steps(tmp_path, capsys):
    from anim.cli import main

    (tmp_path / "s.py").write_text(
        "from anim import Scene, surfaces\nfrom anim.optimizers import GD\n"
        "scene = Scene(surface=surfaces.ravine(), optimizers=[GD(lr=0.9)], steps=30,"
        " loss_panel=True)\n"
    )
    assert (
        main(
            [
                "still",
                str(tmp_path / "s.py"),
                "-o",
                str(tmp_path / "a.png"),
                "--no-loss-panel",
                "--size",
                "480x360",
            ]
        )
        == 0
    )
    assert (
        main(["still", str(tmp_path / "s.py"), "-o", str(tmp_path / "b.png"), "--size", "480x360"])
        == 0
    )
    without = np.asarray(Image.open(tmp_path / "a.png"))
    with_panel = np.asarray(Image.open(tmp_path / "b.png"))
    assert not np.array_equal(without, with_panel)
    capsys.readouterr()
    assert main(["race", str(tmp_path / "s.py"), "--json", "--steps", "7"]) == 0
    assert '"steps": 7' in capsys.readouterr().out


def test_output_that_is_a_folder_is_refused_before_rendering(tmp_path):
    with pytest.raises(RequestError, match="is a folder"):
        anim.render(quick_scene(), tmp_path, progress=False)


def test_gif_palette_keeps_the_pictures_key_colours_however_rare():
    from anim.gif import build_palette

    rng = np.random.default_rng(1)
    # 4000 distinct frequent colours, and a gold star of 20 pixels among them.
    common = rng.integers(0, 256, (4000, 3), dtype=np.uint8).repeat(30, axis=0)
    gold = np.array([[255, 210, 31]] * 20, dtype=np.uint8)
    sample = np.concatenate([common, gold])[None]
    assert not (build_palette(sample) == gold[0]).all(axis=1).any()
    kept = build_palette(sample, keep=[(255, 210, 31), (1, 2, 3)])
    assert (kept == gold[0]).all(axis=1).sum() == 1
    assert not (kept == [1, 2, 3]).all(axis=1).any()  # absent from the picture: no slot
    assert len(kept) <= 255


def test_rendered_gif_shows_the_goal_star_in_its_true_colour(tmp_path):
    scene = anim.load_scene("scenes/momentum_overshoot.py")
    path = anim.render(scene, tmp_path / "race.gif", hold=0, progress=False)
    image = Image.open(path)
    image.seek(image.n_frames - 1)
    pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    assert (pixels == [255, 210, 31]).all(axis=1).sum() > 20


def test_trail_dots_of_steps_too_small_to_see_apart_are_merged():
    from anim.figure.racers import spaced as _spaced

    pixels = np.array([[0, 0], [1, 0], [2, 0], [5, 0], [5.5, 0], [20, 0], [np.nan, np.nan]])
    np.testing.assert_array_equal(_spaced(pixels, 3.0), [0, 3, 5])
    result = quick_scene(steps=60).race()
    figure = RaceFigure(result, FrameStyle(400, 300, 50.0), fast=False)
    figure.update(result.steps)
    for trail, dots in zip(figure.racers.trails, figure.racers.dots):
        shown = np.asarray(trail.get_markevery())
        assert shown[0] == 0 and np.all(np.diff(shown) > 0)
        assert shown[-1] < len(trail.get_xdata()) and len(shown) <= len(dots)


def test_an_optimizer_that_arrives_and_later_diverges_stays_arrived():
    # Arrives at step 0 (inside a wide finish circle), then grows 10 % per step in y.
    scene = Scene(
        surface=surfaces.ravine(), optimizers=[GD(lr=1.05)], start=(-7, 2), goal_radius=8, steps=400
    )
    result = scene.race()
    assert result.arrival_step[0] == 0 and result.diverged_step[0] is not None
    figure = RaceFigure(result, FrameStyle(400, 300, 50.0), fast=False)
    figure.update(result.steps)
    head = figure.racers.heads[0]
    assert head.get_marker() == "o" and head.get_markerfacecolor() == "none"
    np.testing.assert_array_equal(np.ravel(head.get_data()), result.paths[0, 0])
    assert [t.get_text() for t in figure.scoreboard.statuses] == ["1st · step 0"]


@pytest.mark.parametrize("size", [(400, 402), (320, 241), (801, 599), (333, 665)])
def test_the_canvas_has_exactly_the_requested_pixels(size):
    from anim.figure import default_dpi

    result = quick_scene(steps=2).race()
    figure = RaceFigure(result, FrameStyle(*size, default_dpi(*size)))
    assert figure.draw_frame(0).shape[:2] == size[::-1]


@pytest.mark.parametrize("option", ["steps", "hold", "loop", "fps"])
def test_non_finite_numbers_are_request_errors(option):
    with pytest.raises(RequestError, match=f"Invalid {option}: nan"):
        resolve_options(quick_scene(), **{option: float("nan")})


def test_loss_panel_measures_from_the_goal_unless_the_racers_go_lower():
    bowl = RaceFigure(
        quick_scene(steps=30).race(), FrameStyle(800, 600, 100.0, loss_panel=True), fast=False
    )
    assert bowl.loss_panel.ax.get_ylabel() == "f − f(goal)"
    # A goal off the valley floor, which the racers pass by and go lower than.
    scene = Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=0.4), Momentum(lr=0.4)],
        start=(-7, 2),
        goal=(-3, 1),
        goal_radius=0.1,
        steps=60,
    )
    result = scene.race()
    assert result.arrival_step == (None, None)
    past = RaceFigure(result, FrameStyle(800, 600, 100.0, loss_panel=True), fast=False)
    assert past.loss_panel.ax.get_ylabel() == "f − lowest f reached"
    curves = past.loss_panel.values
    assert np.sum(curves <= 1e-300) == 1  # only the lowest point itself sits on the floor


def test_an_arrival_ends_its_loss_curve_with_its_marker():
    result = quick_scene(steps=60).race()
    figure = RaceFigure(result, FrameStyle(800, 600, 100.0, loss_panel=True), fast=False)
    first = result.finish_order()[0]
    figure.update(result.arrival_step[first] - 1)
    assert list(figure.loss_panel.lines[first].get_markevery()) == []
    figure.update(result.steps)
    line = figure.loss_panel.lines[first]
    assert list(line.get_markevery()) == [len(line.get_xdata()) - 1]
    assert line.get_marker() == figure.racers.heads[first].get_marker()
