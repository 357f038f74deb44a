"""Every kind of picture the video shows, on the page: at ``#step=K`` and the render's
size every head lands within 2 px of ``anim still --frame K`` (on the same pixels as the
figure's own head positions), and the picture matches the still's. Each kind is one
scene: step glyphs with the lr panel, the 3D view, both views, noise with the loss
panel, a dark transparent page with a colorbar, heads fanned out everywhere, and an lr
panel whose values leave its range (drawn on the edge, a triangle pointing out)."""

from pathlib import Path

import numpy as np
import pytest
from pages import MAX_DIFFERING_SHARE, best_shift, differing_share, expected_heads, screenshot
from PIL import Image

import anim
from anim import Scene, board, surfaces
from anim.optimizers import GD, Adam, RMSProp

ROOT = Path(__file__).resolve().parent.parent


def scene_file(name):
    return lambda: anim.load_scene(ROOT / "scenes" / f"{name}.py")


def crowded():
    """Twins on one path, racers arriving together, one flying off: every fan-out."""
    return Scene(surface=surfaces.ravine(),
                 optimizers=[GD(lr=0.4), GD(lr=0.4), RMSProp(lr=0.4), GD(lr=1.5),
                             Adam(lr=0.5)], start=(-7, 2), steps=80)


KINDS = {  # name: (scene, options, steps to compare)
    "explain": (scene_file("why_rmsprop"), {"size": "720x540"}, (0, 3, 12, 40, 150)),
    "3d": (scene_file("rmsprop_3d"), {"size": "640x480"}, (0, 10, 60, 150)),
    "explain in 3D": (scene_file("why_rmsprop"), {"size": "720x540", "view": "3d"},
                      (0, 5, 30)),
    "explain in both": (scene_file("why_rmsprop"), {"size": "960x720", "view": "both"},
                        (0, 5, 30)),
    "both": (scene_file("rosenbrock_both"), {"size": "800x600"}, (0, 40, 400)),
    "noise": (scene_file("noisy_gradients"), {"size": "640x480", "loss_panel": True},
              (0, 20, 120, 200)),
    "dark transparent colorbar": (scene_file("rmsprop_vs_adagrad"),
                                  {"size": "640x480", "theme": "dark", "transparent": True,
                                   "colorbar": True}, (0, 18, 150)),
    "fanned out": (crowded, {"size": "640x480"}, (0, 1, 30, 80)),
    "lr panel beyond its range": (scene_file("saddle_escape"),
                                  {"size": "720x540", "lr_panel": True}, (0, 12, 60)),
    "swarm": (scene_file("himmelblau_swarm"), {"size": "640x480"}, (0, 5, 20, 150)),
    "swarm in both views with panels": (scene_file("himmelblau_swarm"),
                                        {"size": "960x720", "view": "both",
                                         "loss_panel": True, "lr_panel": True},
                                        (0, 20, 150)),
}
#: A swarm's thousands of faded, overlapping trails are antialiased a little differently
#: by the browser than by Agg: more pixels differ slightly (each trail is checked by the
#: heads on it, to 2 px, as everywhere).
SWARM_DIFFERING_SHARE = 0.03


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kinds")
    made = {}
    for name, (make, options, _) in KINDS.items():
        scene = make()
        path = anim.render(scene, folder / f"{name.replace(' ', '_')}.html", progress=False,
                           **options)
        made[name] = (scene, path, options)
    return made


def still(scene, folder, step, options) -> np.ndarray:
    path = anim.still(scene, folder / f"still-{step}.png", frame=step, **options)
    image = Image.open(path).convert("RGBA")
    if options.get("transparent"):  # as the page shows it: on the browser's white
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        white.alpha_composite(image)
        image = white
    return np.asarray(image.convert("RGB"), dtype=float)


@pytest.mark.parametrize("name", list(KINDS))
def test_each_kind_at_a_step_is_the_still_of_that_step(watched, pages, name, tmp_path):
    scene, path, options = pages[name]
    width, height = (int(v) for v in options["size"].split("x"))
    page = watched(width=width, height=height + 140).open(path)
    swarm = scene.starts is not None
    for step in KINDS[name][2]:
        page.evaluate(f"location.hash = '#step={step}'")
        page.wait_for_function(f"animPlayer.step() === {step}")
        heads, box = (swarm_heads if swarm else expected_heads)(scene, step, **options)
        shown_heads = page.evaluate("animPlayer.headPixels()")
        if swarm:
            assert [h is None for h in shown_heads] == [h is None for h in heads]
            shown_heads = [h for h in shown_heads if h is not None]
            heads = np.array([h for h in heads if h is not None])
        np.testing.assert_allclose(shown_heads, heads, atol=0.13 if swarm else 0.01)
        shown, expected = screenshot(page, width, height), still(scene, tmp_path, step, options)
        assert differing_share(shown, expected) <= (
            SWARM_DIFFERING_SHARE if swarm else MAX_DIFFERING_SHARE), (name, step)
        if swarm:
            heads = heads[::7]  # every seventh head is enough to check the picture
        x, y, w, h = (int(round(v)) for v in box)
        for hx, hy in heads:
            if not (x + 6 <= hx <= x + w - 6 and y + 6 <= hy <= y + h - 6):
                continue  # flying off, outside the plot: clipped in both pictures
            dx, dy = best_shift(shown, expected, hx, hy)
            assert abs(dx) <= 2 and abs(dy) <= 2, (name, step, (hx, hy), dx, dy)


def swarm_heads(scene, step, **options):
    """Every head the swarm layer of the still's contour view (3D view alone: its 3D view)
    draws at ``step`` — racer by racer, start by start; None where none is drawn — in
    canvas pixels, and that view's box."""
    from anim.figure.swarm import held_at_arrival

    request = anim.renderer.resolve_options(scene, **options)
    result = scene.race(request.steps)
    figure = anim.renderer._figure(scene, result, request, fast=False, still=True)
    layer, ax = ((figure.racers3d, figure.ax3d) if request.view == "3d"
                 else (figure.racers, figure.ax))
    ax.apply_aspect()
    held = held_at_arrival(result)
    arrival = np.where(held, result.arrival_step, result.steps + 1)
    gone = np.where((result.diverged_step >= 0) & ~held, result.diverged_step,
                    result.steps + 1)
    heads = []
    for i in range(len(result.optimizers)):
        for s in range(result.count):
            if arrival[i, s] <= step or gone[i, s] > step:
                point = layer.head_points[i, s, layer.shown[i, s, step]]
                x, y = ax.transData.transform(point)
                heads.append([x, request.height - y])
            else:
                heads.append(None)
    box = ax.bbox.bounds
    figure.close()
    return heads, (box[0], request.height - box[1] - box[3], box[2], box[3])


def test_both_views_put_the_heads_where_each_view_draws_them(watched, pages):
    """In "both", the 3D view's heads too (the contour view's are checked above)."""
    scene, path, options = pages["both"]
    page = watched(width=800, height=740).open(path, "#step=40")
    request = anim.renderer.resolve_options(scene, **options)
    figure = anim.renderer._figure(scene, scene.race(request.steps), request, fast=False,
                                   still=True)
    expected = figure.ax3d.transData.transform(figure.racers3d.drawn_heads[:, 40])
    expected[:, 1] = 600 - expected[:, 1]
    figure.close()
    np.testing.assert_allclose(page.evaluate("animPlayer.headPixels(0)"), expected, atol=0.01)


def test_noisy_racers_keep_moving_and_the_board_shows_their_loss(watched, pages):
    scene, path, _ = pages["noise"]
    result = scene.race()
    places = board.places(result)
    page = watched().open(path, "#step=0")
    shown = page.evaluate(f"""() => {{
        const out = [];
        for (let i = 0; i < {len(result.optimizers)}; i++)
            for (let k = 0; k <= {result.steps}; k++) out.push(animPlayer.statusText(i, k));
        return out; }}""")
    expected = [board.status(result, i, k, places.get(i))
                for i in range(len(result.optimizers)) for k in range(result.steps + 1)]
    assert shown == expected
    arrived = [text for text in shown if "· step" in text and "f = " in text]
    assert arrived  # "1st · step 16 · f = 0.0123": after the arrival, where it is now
    # The head goes on moving after its first arrival.
    first = result.arrival_step[2]
    page.evaluate(f"animPlayer.setStep({first + 5})")
    later = page.evaluate("animPlayer.headPixels()")[2]
    page.evaluate(f"animPlayer.setStep({first + 30})")
    assert page.evaluate("animPlayer.headPixels()")[2] != later
