"""The frame: layout, scoreboard, racer styles, themes, transparency, nothing hidden."""

import json
import os
import stat

import numpy as np
import pytest
from PIL import Image

import anim
from anim import Scene, Surface, surfaces
from anim.errors import RequestError
from anim.figure import FrameStyle, RaceFigure, default_dpi
from anim.figure.theme import HEAD_SIZE, THEMES
from anim.optimizers import GD, AdaGrad, Adam, Momentum, RMSProp
from anim.palette import MARKERS, PALETTES, racer_styles

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def plot_share(figure, *axes):
    width, height = figure.style.width, figure.style.height
    renderer = figure.canvas.get_renderer()
    return sum(
        ax.get_window_extent(renderer).width * ax.get_window_extent(renderer).height for ax in axes
    ) / (width * height)


def twelve():
    return [GD(lr=0.01 * (k + 1)) for k in range(6)] + [
        Momentum(lr=0.01),
        Adam(lr=0.1),
        RMSProp(lr=0.01),
        AdaGrad(lr=0.5),
        Adam(lr=0.05),
        Momentum(lr=0.02),
    ]


def test_the_plot_owns_the_frame_at_800x600():
    showcase = anim.load_scene("scenes/rmsprop_vs_adagrad.py")
    wide = RaceFigure(showcase.race(), FrameStyle(), fast=False)
    assert wide.layout.board_side == "below"
    assert plot_share(wide, wide.ax) >= 0.60
    square_scene = anim.load_scene("scenes/himmelblau.py")
    square = RaceFigure(square_scene.race(), FrameStyle(), fast=False)
    assert square.layout.board_side == "right"
    assert plot_share(square, square.ax) >= 0.50
    with_panel = RaceFigure(showcase.race(), FrameStyle(loss_panel=True), fast=False)
    assert plot_share(with_panel, with_panel.ax, with_panel.loss_panel.ax) >= 0.50
    crowded = Scene(surface=surfaces.himmelblau(), optimizers=twelve(), start=(0, 0), steps=30)
    many = RaceFigure(crowded.race(), FrameStyle(), fast=False)
    assert plot_share(many, many.ax) >= 0.40


def test_twelve_racers_differ_in_colour_and_marker_from_a_colour_blind_safe_set():
    styles = racer_styles(twelve())
    assert len(set(styles)) == 12
    assert {color for color, _ in styles} <= OKABE_ITO
    assert len({color for color, _ in styles[:7]}) == 7  # the first seven by colour alone
    for theme in PALETTES:
        assert len(set(racer_styles(twelve() * 4, theme))) == 48
    assert {marker for _, marker in styles} <= set(MARKERS) and "X" not in MARKERS


@pytest.mark.parametrize(
    "size", ["2000x100", "319x240", "3841x2160", "3840x2161", "1000x2100", "1000x300"]
)
def test_sizes_outside_the_readable_range_are_refused_before_drawing(size, tmp_path):
    with pytest.raises(RequestError, match="Invalid size"):
        anim.render(
            anim.load_scene("scenes/rmsprop_vs_adagrad.py"),
            tmp_path / "x.gif",
            size=size,
            progress=False,
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("size", [(320, 240), (480, 960), (1200, 400), (1920, 1080)])
def test_every_size_in_range_gives_a_frame_with_all_its_text_inside(size):
    scene = anim.load_scene("scenes/rmsprop_vs_adagrad.py")
    result = scene.race()
    figure = RaceFigure(result, FrameStyle(*size, default_dpi(*size)), fast=False)
    assert figure.draw_frame(result.steps).shape[:2] == size[::-1]
    renderer = figure.canvas.get_renderer()
    plot = figure.ax.get_window_extent(renderer)
    assert plot.width * plot.height >= 0.12 * size[0] * size[1]
    for text in figure.figure.texts:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= size[0] and box.y0 >= 0 and box.y1 <= size[1]
        assert box.height >= 8 or not text.get_text()  # at least 8 px tall: readable


def test_every_head_is_visible_at_the_start():
    scene = Scene(surface=surfaces.himmelblau(), optimizers=twelve(), start=(0, 0), steps=5)
    figure = RaceFigure(scene.race(), FrameStyle(), fast=False)
    figure.update(0)
    pixels = np.array(
        [figure.ax.transData.transform(np.ravel(h.get_data())) for h in figure.racers.heads]
    )
    gaps = np.linalg.norm(pixels[:, None] - pixels[None], axis=-1)
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() >= HEAD_SIZE * 100 / 72  # no head covers another's centre
    start = figure.ax.transData.transform(scene.start)
    assert np.linalg.norm(pixels - start, axis=1).max() < 6 * HEAD_SIZE  # still at the start


def test_twins_that_diverge_at_the_same_place_both_show():
    scene = Scene(
        surface=surfaces.ravine(), optimizers=[GD(lr=1.5), GD(lr=1.5)], start=(-7, 2), steps=40
    )
    result = scene.race()
    assert result.diverged_step[0] == result.diverged_step[1] is not None
    figure = RaceFigure(result, FrameStyle(), fast=False)
    figure.update(result.steps)
    a, b = (figure.ax.transData.transform(np.ravel(h.get_data())) for h in figure.racers.heads)
    assert np.linalg.norm(a - b) >= HEAD_SIZE * 100 / 72
    assert all(h.get_marker() == "X" for h in figure.racers.heads)


def test_the_goal_star_stays_on_top_of_every_finisher(tmp_path):
    scene = anim.load_scene("scenes/momentum_overshoot.py")
    result = scene.race()
    figure = RaceFigure(result, FrameStyle(), fast=False)
    figure.update(result.steps)
    star = next(line for line in figure.ax.lines if line.get_marker() == "*")
    finished = [figure.racers.heads[i] for i in result.finish_order()]
    assert len(finished) >= 3
    assert all(head.get_zorder() < star.get_zorder() for head in finished)
    # ... and the star's gold is in the last frame of the GIF.
    path = anim.render(scene, tmp_path / "race.gif", hold=0, progress=False)
    image = Image.open(path)
    image.seek(image.n_frames - 1)
    gold = np.all(np.asarray(image.convert("RGB")) == [255, 210, 31], axis=-1)
    assert gold.sum() > 40


def test_dark_theme_is_dark_and_readable():
    from matplotlib.colors import to_rgb

    def luminance(color):
        c = np.array(to_rgb(color))
        return float(
            np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
            @ [0.2126, 0.7152, 0.0722]
        )

    def contrast(a, b):
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    for theme in THEMES.values():
        assert contrast(theme.text, theme.page) >= 7
        assert contrast(theme.muted, theme.page) >= 4.5
        # Every racer's scoreboard glyph stands out from the page.
        for color in PALETTES[theme.name]:
            assert contrast(color, theme.page) >= 2, (theme.name, color)
    scene = anim.load_scene("scenes/rmsprop_vs_adagrad.py")
    figure = RaceFigure(scene.race(), FrameStyle(theme="dark"), fast=False)
    pixels = figure.draw_frame(0)[..., :3].astype(float)
    assert pixels.mean() < 80  # a dark picture, not a light one
    corner = pixels[2, 2]
    np.testing.assert_array_equal(corner, [round(255 * c) for c in to_rgb("#15181e")])


def test_transparent_png_is_clear_outside_the_plot_only(tmp_path):
    scene = anim.load_scene("scenes/rmsprop_vs_adagrad.py")
    path = anim.still(scene, tmp_path / "t.png", transparent=True)
    rgba = np.asarray(Image.open(path))
    assert rgba.shape[-1] == 4
    figure = RaceFigure(scene.race(), FrameStyle(), fast=False)
    box = figure.ax.get_window_extent(figure.canvas.get_renderer())
    top = 600 - int(box.y1) + 2
    inside = rgba[top : 600 - int(box.y0) - 2, int(box.x0) + 2 : int(box.x1) - 2, 3]
    assert inside.min() == 255
    assert rgba[0, 0, 3] == 0 and (rgba[..., 3] == 0).mean() > 0.2


def test_transparent_gif_shows_exactly_the_opaque_pixels_of_every_frame(tmp_path):
    scene = Scene(
        surface=surfaces.ravine(), optimizers=[GD(lr=0.4), RMSProp(lr=0.4)], start=(-7, 2), steps=24
    )
    path = anim.render(
        scene, tmp_path / "t.gif", transparent=True, hold=0, fps=10, size="480x360", progress=False
    )
    result = scene.race()
    figure = RaceFigure(
        result, anim.renderer.resolve_options(scene, size="480x360", fps=10, transparent=True).style
    )
    image = Image.open(path)
    assert image.n_frames == result.steps + 1
    for k in range(image.n_frames):
        image.seek(k)
        shown = np.asarray(image.convert("RGBA"))
        expected = figure.draw_frame(k)
        clear = expected[..., 3] < 128
        assert np.array_equal(shown[..., 3] == 0, clear), f"frame {k}"


def test_mp4_cannot_be_transparent(tmp_path):
    with pytest.raises(RequestError, match="MP4 cannot be transparent"):
        anim.render(
            anim.load_scene("scenes/rmsprop_vs_adagrad.py"),
            tmp_path / "x.mp4",
            transparent=True,
            progress=False,
        )


def test_colormap_and_colorbar():
    scene = Scene(
        surface=surfaces.beale(),
        optimizers=[Adam(lr=0.1)],
        steps=20,
        colormap="viridis",
        colorbar=True,
    )
    figure = RaceFigure(scene.race(), anim.renderer.resolve_options(scene).style, fast=False)
    assert len(figure.figure.axes) == 2  # the plot and its colorbar
    bar = figure.figure.axes[1]
    assert bar.get_window_extent().x0 > figure.ax.get_window_extent().x1
    with pytest.raises(ValueError, match="Invalid colormap: 'nope'"):
        Scene(surface=surfaces.beale(), optimizers=[Adam()], colormap="nope")
    with pytest.raises(ValueError, match="Invalid theme: 'sepia'"):
        Scene(surface=surfaces.beale(), optimizers=[Adam()], theme="sepia")


def test_scoreboard_loss_column_refreshes_four_times_a_second():
    scene = anim.load_scene("scenes/rmsprop_vs_adagrad.py")
    result = scene.race()
    style = anim.renderer.resolve_options(scene, fps=30).style
    assert style.loss_refresh == 8  # 30 fps / 4 Hz, rounded
    figure = RaceFigure(result, style)
    figure.update(10)
    adagrad = figure.scoreboard.statuses[2]
    assert adagrad.get_text() == f"f = {result.losses[2, 8]:.3g}"
    figure.update(result.steps)
    assert adagrad.get_text() == f"f = {result.losses[2, result.steps]:.3g}"


def test_race_json_names_each_racers_label_and_colour(cli, tmp_path):
    status, out, _ = cli("race", "scenes/rmsprop_vs_adagrad.py", "--json")
    assert status == 0
    entries = json.loads(out)["optimizers"]
    assert [e["label"] for e in entries] == [
        "GD lr=0.4",
        "Momentum lr=0.4 β=0.9",
        "AdaGrad lr=0.4",
        "RMSProp lr=0.4 ρ=0.9",
    ]
    assert [e["color"] for e in entries] == [
        c for c, _ in racer_styles(anim.load_scene("scenes/rmsprop_vs_adagrad.py").optimizers)
    ]
    assert all(len(e["color"]) == 7 and e["color"].startswith("#") for e in entries)


def test_a_replaced_output_keeps_its_permission_bits(cli, write_scene, tmp_path):
    output = tmp_path / "race.gif"
    output.write_bytes(b"old")
    os.chmod(output, 0o444)
    status, _, _ = cli(
        "render",
        write_scene(),
        "-o",
        output,
        "--quiet",
        "--steps",
        "3",
        "--size",
        "320x240",
        "--hold",
        "0",
    )
    assert status == 0 and output.read_bytes()[:6] == b"GIF89a"
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o444


def test_an_unknown_option_is_named_with_the_accepted_ones(tmp_path):
    with pytest.raises(
        RequestError,
        match=r"unknown option 'bogus' \(accepted: progress, "
        r"sidecar, max_size, notify, fps, size",
    ):
        anim.render(anim.load_scene("scenes/rmsprop_vs_adagrad.py"), tmp_path / "x.gif", bogus=1)


def test_debug_errors_do_not_suggest_debug(cli, write_scene, monkeypatch, tmp_path):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(anim.renderer, "_save", broken)
    status, _, err = cli("--debug", "render", write_scene(), "-o", tmp_path / "x.gif", "--quiet")
    assert status == 1 and "unexpected ZeroDivisionError: a bug" in err
    assert "run with --debug" not in err


def test_surface_far_wider_than_tall_is_stretched_to_fill():
    surface = Surface(lambda x, y: x**2 / 100 + y**2, bounds=((-50, 50), (-2, 2)), minimum=(0, 0))
    scene = Scene(surface=surface, optimizers=[GD(lr=0.4)], start=(-40, 1), steps=10)
    figure = RaceFigure(scene.race(), FrameStyle(), fast=False)
    assert plot_share(figure, figure.ax) >= 0.5


def test_own_label_and_colour_reach_the_picture_and_the_json(cli, write_scene):
    path = write_scene("""\
        from anim import Scene, surfaces
        from anim.optimizers import GD, RMSProp

        scene = Scene(surface=surfaces.ravine(), start=(-7, 2), steps=20, optimizers=[
            GD(0.4, label="plain descent", color="tab:purple"), RMSProp(0.4)])
        """)
    code, out, _ = cli("race", path, "--json")
    entries = json.loads(out)["optimizers"]
    assert entries[0]["label"] == "plain descent" and entries[0]["color"] == "#9467bd"
    assert "label" not in entries[0]["hyperparameters"]
    scene = anim.load_scene(path)
    figure = RaceFigure(scene.race(), FrameStyle(), fast=False)
    assert figure.racers.trails[0].get_color() == "#9467bd"
    assert "plain descent" in [t.get_text() for t in figure.figure.texts]
    # An own colour equal to a palette colour changes the shape, never both.
    twins = [GD(0.1, color="#d55e00"), GD(0.2)]
    assert len(set(racer_styles(twins))) == 2
