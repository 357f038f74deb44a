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
    return Scene(surface=surfaces.ravine(), optimizers=[GD(lr=0.4), Momentum(lr=0.4),
                                                       RMSProp(lr=0.4)],
                 start=(-7, 2), steps=steps, **kwargs)


def crowded_scene():
    """Twins on one path, racers arriving together, one flying off: every head fan-out."""
    return Scene(surface=surfaces.ravine(),
                 optimizers=[GD(lr=0.4), GD(lr=0.4), RMSProp(lr=0.4),
                             GD(lr=1.5), Adam(lr=0.5)],
                 start=(-7, 2), steps=80)


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
    assert [r["label"] for r in data["racers"]] == ["GD lr=0.4", "Momentum lr=0.4 β=0.9",
                                                     "RMSProp lr=0.4 ρ=0.9"]


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
    assert 10 * np.log10(255 ** 2 / max(mse, 1e-12)) >= 40  # the GIF's fidelity target
    # Nothing that moves is in it: the start ring, drawn every frame, is not.
    x, y = figure.ax.transData.transform(figure.result.start)
    ring = static[round(360 - y) - 2:round(360 - y) + 3, round(x) - 2:round(x) + 3]
    assert np.all(ring.min(axis=-1) < 250)  # the surface's colour, not the white ring


def heads_as_the_script_draws_them(data, paths):
    """The page's head positions rebuilt like player.js does: on the path's shown point,
    except the runs the figure moved."""
    steps, (a, b, c, d) = data["steps"], data["plot"]["toPixel"]
    paths = np.frombuffer(base64.b64decode(data["arrays"]["paths"]), "<f4").reshape(
        len(data["racers"]), steps + 1, 2).astype(float)
    heads = np.empty_like(paths)
    for i, racer in enumerate(data["racers"]):
        shown = np.where(np.arange(steps + 1) < racer["shownFrom"], np.arange(steps + 1),
                         racer["shownAt"])
        heads[i] = np.column_stack([a * paths[i, shown, 0] + b, c * paths[i, shown, 1] + d])
    runs = np.frombuffer(base64.b64decode(data["arrays"]["headRuns"]), "<i4").reshape(-1, 3)
    points = np.frombuffer(base64.b64decode(data["arrays"]["headPoints"]), "<f4").reshape(-1, 2)
    for (i, first, last), point in zip(runs, points):
        heads[i, first:last + 1] = point
    return heads


@pytest.mark.parametrize("make", [ravine_scene, crowded_scene])
def test_the_page_puts_every_head_where_the_figure_draws_it(make):
    figure, request = figure_for(make(), size="640x480")
    data = page_data(figure, request.fps, 6)
    heads = heads_as_the_script_draws_them(data, figure.result.paths)
    layer = figure.racers
    expected = figure.ax.transData.transform(layer.head_positions.reshape(-1, 2)).reshape(
        heads.shape)
    expected[..., 1] = 480 - expected[..., 1]
    np.testing.assert_allclose(heads, expected, atol=0.01)
    runs = np.frombuffer(base64.b64decode(data["arrays"]["headRuns"]), "<i4")
    assert runs.size  # the start fans every head out, so some runs exist


def test_shown_steps_survive_the_trip():
    figure, request = figure_for(crowded_scene(), size="640x480")
    data = page_data(figure, request.fps, 6)
    steps = np.arange(figure.result.steps + 1)
    for racer, shown in zip(data["racers"], figure.racers.shown):
        np.testing.assert_array_equal(
            np.where(steps < racer["shownFrom"], steps, racer["shownAt"]), shown)
    states = [r["arrival"] is not None or r["diverged"] is not None for r in data["racers"]]
    assert all(states[:3]) and data["racers"][3]["diverged"] is not None


def test_plot_transform_maps_data_to_canvas_pixels():
    figure, request = figure_for(ravine_scene(), size="800x600")
    data = page_data(figure, request.fps, 6)
    a, b, c, d = data["plot"]["toPixel"]
    x0, y0, width, height = data["plot"]["box"]
    (left, right), (bottom, top) = figure.ax.get_xlim(), figure.ax.get_ylim()
    assert a * left + b == pytest.approx(x0, abs=1e-3)
    assert a * right + b == pytest.approx(x0 + width, abs=2e-3)
    assert c * top + d == pytest.approx(y0, abs=1e-3)
    assert c * bottom + d == pytest.approx(y0 + height, abs=2e-3)


def test_compact_script_drops_only_comments_and_indentation():
    source = "/* a\n * b\n */\n(function () {\n  // note\n  var a = 1; // kept\n\n})();\n"
    assert compact_script(source) == "(function () {\nvar a = 1; // kept\n})();"


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
