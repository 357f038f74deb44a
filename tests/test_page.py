"""The HTML page's file and data (its behaviour in a browser: test_browser.py)."""

import base64
import html
import io
import json
import re

import numpy as np
import pytest
from PIL import Image

import anim
from anim import Scene, surfaces
from anim.optimizers import GD, Adam, Momentum, RMSProp
from anim.page import background_image, compact_script, page_data
from anim.renderer import _figure, resolve_options

from conftest import run_anim


def ravine_scene(steps=40, **kwargs):
    return Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=0.4), Momentum(lr=0.4), RMSProp(lr=0.4)],
        start=(-7, 2),
        steps=steps,
        **kwargs,
    )


def crowded_scene():
    """Twins on one path, racers arriving together, one flying off: every head fan-out."""
    return Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=0.4), GD(lr=0.4), RMSProp(lr=0.4), GD(lr=1.5), Adam(lr=0.5)],
        start=(-7, 2),
        steps=80,
    )


def figure_for(scene, **options):
    request = resolve_options(scene, **options)
    result = scene.race(request.steps)
    return _figure(scene, result, request, fast=False, still=True), request


def embedded(page: str, name: str) -> str:
    return re.search(rf'class="{name}">(.*?)</script>', page, re.S).group(1)


def test_render_writes_one_self_contained_page(tmp_path):
    path = anim.render(ravine_scene(), tmp_path / "race.html", size="480x360", progress=False)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # Nothing to fetch: no link, no external script, style, font or image.
    assert "<link" not in page and "@import" not in page and "url(" not in page
    sources = re.findall(r'\bsrc="([^"]*)"', page)
    assert sources and all(s.startswith("data:image/") for s in sources)
    assert not re.search(r"https?://", page)
    assert "fetch(" not in page and "XMLHttpRequest" not in page
    data = json.loads(html.unescape(embedded(page, "anim-data")))
    assert data["width"] == 480 and data["height"] == 360 and data["steps"] == 40
    assert [r["label"] for r in data["racers"]] == [
        "GD lr=0.4",
        "Momentum lr=0.4 β=0.9",
        "RMSProp lr=0.4 ρ=0.9",
    ]


def test_the_background_is_the_still_without_anything_that_moves():
    figure, _ = figure_for(ravine_scene(), size="480x360")
    mime, data = background_image(figure)
    picture = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=float)
    for artist in (*figure.moving, *figure.occasional, figure.scoreboard.counter_frame):
        artist.set_visible(False)
    figure.canvas.draw()
    static = np.asarray(figure.canvas.buffer_rgba())[..., :3].astype(float)
    assert mime in ("image/webp", "image/png") and picture.shape == static.shape
    mse = np.mean((picture - static) ** 2)
    assert 10 * np.log10(255**2 / max(mse, 1e-12)) >= 40  # the GIF's fidelity target
    # Nothing that moves is in it: the start ring, drawn every frame, is not.
    x, y = figure.ax.transData.transform(figure.result.start)
    ring = static[round(360 - y) - 2 : round(360 - y) + 3, round(x) - 2 : round(x) + 3]
    assert np.all(ring.min(axis=-1) < 250)  # the surface's colour, not the white ring


def test_the_scene_runs_survive_the_trip():
    """Positions (float32) and losses (float64) as raced; a racer's shown steps follow
    from its arrival and divergence as the player computes them."""
    figure, request = figure_for(crowded_scene(), size="640x480")
    data = page_data(figure, request.fps, 6)
    result = figure.result
    count, steps = len(result.optimizers), result.steps
    paths = np.frombuffer(base64.b64decode(data["runs"]["arrays"]["paths"]), "<f4").reshape(
        count, steps + 1, 2
    )
    np.testing.assert_array_equal(paths, result.paths.astype("<f4"))
    losses = np.frombuffer(base64.b64decode(data["runs"]["arrays"]["losses"]), "<f8")
    np.testing.assert_array_equal(losses.reshape(count, steps + 1), result.losses)
    k = np.arange(steps + 1)
    for meta, shown in zip(data["runs"]["meta"], figure.racers.shown):
        rule = k.copy()  # player/race.js shown(): stop at an arrival, or before a divergence
        if meta["arrival"] is not None and not data["noisy"]:
            rule = np.where(k >= meta["arrival"], meta["arrival"], rule)
        elif meta["diverged"] is not None:
            rule = np.where(k >= meta["diverged"], max(meta["diverged"] - 1, 0), rule)
        np.testing.assert_array_equal(rule, shown)
    states = [m["arrival"] is not None or m["diverged"] is not None for m in data["runs"]["meta"]]
    assert all(states[:3]) and data["runs"]["meta"][3]["diverged"] is not None


def test_the_heads_the_figure_moves_off_their_points_are_carried():
    """Fanned out at the start, a diverged one's ✗ at the edge: the page carries where the
    figure draws them."""
    figure, request = figure_for(crowded_scene(), size="640x480")
    data = page_data(figure, request.fps, 6)
    moves = data["runs"]["heads"][0]
    runs = np.frombuffer(base64.b64decode(moves["runs"]), "<i4").reshape(-1, 3)
    points = np.frombuffer(base64.b64decode(moves["points"]), "<f4").reshape(-1, 2)
    expected = figure.ax.transData.transform(figure.racers.head_positions.reshape(-1, 2))
    expected = expected.reshape(figure.racers.head_positions.shape)
    expected[..., 1] = 480 - expected[..., 1]
    for (i, first, last), point in zip(runs, points):
        np.testing.assert_allclose(
            expected[i, first : last + 1], np.tile(point, (last - first + 1, 1)), atol=1e-3
        )
    diverged = figure.result.diverged_step[3]  # GD at lr 1.5 flies off
    assert any(
        i == 3 and first <= diverged and last == figure.result.steps for i, first, last in runs
    )
    assert any(first == 0 for _, first, _ in runs)  # every head fanned out at the start


def test_plot_transform_maps_data_to_canvas_pixels():
    figure, request = figure_for(ravine_scene(), size="800x600")
    view = page_data(figure, request.fps, 6)["views"][-1]
    a, b, c, d = view["toPixel"]
    x0, y0, width, height = view["box"]
    (left, right), (bottom, top) = figure.ax.get_xlim(), figure.ax.get_ylim()
    assert a * left + b == pytest.approx(x0, abs=1e-3)
    assert a * right + b == pytest.approx(x0 + width, abs=2e-3)
    assert c * top + d == pytest.approx(y0, abs=1e-3)
    assert c * bottom + d == pytest.approx(y0 + height, abs=2e-3)


def test_the_3d_projection_lands_on_the_figures_pixels():
    """One affine map (the camera is fixed and orthographic) takes (x, y, lifted f) to
    the pixels where the 3D layer draws every trail point."""
    figure, request = figure_for(ravine_scene(view="both"), size="800x600")
    data = page_data(figure, request.fps, 6)
    view = data["views"][0]
    assert [v["kind"] for v in data["views"]] == ["3d", "2d"]
    layer = figure.racers3d
    heights = view["height"]
    for i in range(len(figure.result.optimizers)):
        x, y = figure.result.paths[i].T
        f = figure.result.losses[i]
        z = (
            np.log10(np.maximum(f - heights["lowest"], 0) + heights["delta"])
            if heights["log"]
            else f
        ) + heights["lift"]
        mine = np.array(view["project"]) @ np.vstack([x, y, z, np.ones_like(x)])
        drawn = figure.ax3d.transData.transform(layer.drawn_points[i])
        drawn[:, 1] = 600 - drawn[:, 1]
        inside = np.isfinite(drawn[:, 0])
        assert inside.sum() > 10
        np.testing.assert_allclose(mine.T[inside], drawn[inside], atol=1e-6)


def test_the_tooltip_says_yes_and_no():
    from anim.pagedata.racers import hyperparameters_text

    text = hyperparameters_text(Adam(lr=0.1, amsgrad=True))
    assert "amsgrad yes" in text and "True" not in text
    assert "amsgrad no" in hyperparameters_text(Adam(lr=0.1))


def test_compact_script_drops_only_comments_and_whitespace():
    source = (
        "/* a\n * b\n */\n(function () {\n  // note\n  var a = 1, b = '  // x ';\n"
        "  var r = /\\/\\/ not a comment/;\n\n})();\n"
    )
    compact = compact_script(source)
    assert "note" not in compact and "* b" not in compact
    assert "'  // x '" in compact and "/\\/\\/ not a comment/" in compact
    assert compact == "(function(){var a=1,b='  // x ';var r=/\\/\\/ not a comment/;})();"


def test_cli_renders_html_and_refuses_what_a_page_cannot_do(write_scene, tmp_path):
    scene = write_scene()
    result = run_anim("render", scene, "-o", tmp_path / "race.html", "--quiet", "--sidecar")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "race.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    sidecar = json.loads((tmp_path / "race.html.json").read_text())
    assert "hold" not in sidecar["options"] and "loop" not in sidecar["options"]
    result = run_anim("render", scene, "-o", tmp_path / "loop.html", "--loop", "2")
    assert result.returncode == 2 and "--loop applies to GIF output only" in result.stderr
    assert not (tmp_path / "loop.html").exists()


def test_a_scene_in_jupyter_is_the_player_in_an_iframe():
    shown = ravine_scene(steps=10)._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and "image/gif" not in shown
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', shown).group(1))
    assert 'class="anim-player"' in page and "animPlayer" in page
    assert "data-anim-fit" in shown and "max-width:800px" in shown


def test_the_same_scene_makes_the_same_page(tmp_path):
    first = anim.render(ravine_scene(), tmp_path / "a.html", size="480x360", progress=False)
    second = anim.render(ravine_scene(), tmp_path / "b.html", size="480x360", progress=False)
    assert first.read_bytes() == second.read_bytes()
