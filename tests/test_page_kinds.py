"""Every kind of picture the video shows, on the page: at ``#step=K`` and the render's
size every head lands within 2 px of ``anim still --frame K`` (on the same pixels as the
figure's own head positions), and the picture matches the still's. Each kind is one
scene: step glyphs with the lr panel, the 3D view, both views, noise with the loss
panel, a dark transparent page with a colorbar, heads fanned out everywhere, an lr
panel whose values leave its range (drawn on the edge, a triangle pointing out), swarms,
and real training runs of a small MLP projected on their PCA plane (the board's true
loss, the fidelity panels, the tooltip)."""

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
    return Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=0.4), GD(lr=0.4), RMSProp(lr=0.4), GD(lr=1.5), Adam(lr=0.5)],
        start=(-7, 2),
        steps=80,
    )


def projected_runs():
    """Two real training runs of a small MLP (8-8 tanh, three classes of two moons) from
    the same weights, projected on their PCA plane; the Adam run is the shorter, so it
    holds its last point (and its panel values) for the last steps."""
    import torch

    from test_landscape import LOSS, X, Y, mlp, train

    model = mlp(8)
    runs = {
        "SGD": train(model, lambda p: torch.optim.SGD(p, lr=0.3), steps=24),
        "Adam": train(model, lambda p: torch.optim.Adam(p, lr=0.05), steps=16),
    }
    return anim.trajectories(
        runs, model, LOSS, (X, Y), dtype="float64", cache=False, resolution=31
    ).scene()


KINDS = {  # name: (scene, options, steps to compare)
    "explain": (scene_file("why_rmsprop"), {"size": "720x540"}, (0, 3, 12, 40, 150)),
    "3d": (scene_file("rmsprop_3d"), {"size": "640x480"}, (0, 10, 60, 150)),
    "explain in 3D": (scene_file("why_rmsprop"), {"size": "720x540", "view": "3d"}, (0, 5, 30)),
    "explain in both": (scene_file("why_rmsprop"), {"size": "960x720", "view": "both"}, (0, 5, 30)),
    "both": (scene_file("rosenbrock_both"), {"size": "800x600"}, (0, 40, 400)),
    "noise": (
        scene_file("noisy_gradients"),
        {"size": "640x480", "loss_panel": True},
        (0, 20, 120, 200),
    ),
    "dark transparent colorbar": (
        scene_file("rmsprop_vs_adagrad"),
        {"size": "640x480", "theme": "dark", "transparent": True, "colorbar": True},
        (0, 18, 150),
    ),
    "fanned out": (crowded, {"size": "640x480"}, (0, 1, 30, 80)),
    "lr panel beyond its range": (
        scene_file("saddle_escape"),
        {"size": "720x540", "lr_panel": True},
        (0, 12, 60),
    ),
    "swarm": (scene_file("himmelblau_swarm"), {"size": "640x480"}, (0, 5, 20, 150)),
    "swarm in both views with panels": (
        scene_file("himmelblau_swarm"),
        {"size": "960x720", "view": "both", "loss_panel": True, "lr_panel": True},
        (0, 20, 150),
    ),
    "projected training runs": (projected_runs, {"size": "720x540"}, (0, 7, 16, 24)),
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
        path = anim.render(
            scene, folder / f"{name.replace(' ', '_')}.html", progress=False, **options
        )
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
            SWARM_DIFFERING_SHARE if swarm else MAX_DIFFERING_SHARE
        ), (name, step)
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
    layer, ax = (
        (figure.racers3d, figure.ax3d) if request.view == "3d" else (figure.racers, figure.ax)
    )
    ax.apply_aspect()
    held = held_at_arrival(result)
    arrival = np.where(held, result.arrival_step, result.steps + 1)
    gone = np.where((result.diverged_step >= 0) & ~held, result.diverged_step, result.steps + 1)
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
    figure = anim.renderer._figure(
        scene, scene.race(request.steps), request, fast=False, still=True
    )
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
    expected = [
        board.status(result, i, k, places.get(i))
        for i in range(len(result.optimizers))
        for k in range(result.steps + 1)
    ]
    assert shown == expected
    arrived = [text for text in shown if "· step" in text and "f = " in text]
    assert arrived  # "1st · step 16 · f = 0.0123": after the arrival, where it is now
    # The head goes on moving after its first arrival.
    first = result.arrival_step[2]
    page.evaluate(f"animPlayer.setStep({first + 5})")
    later = page.evaluate("animPlayer.headPixels()")[2]
    page.evaluate(f"animPlayer.setStep({first + 30})")
    assert page.evaluate("animPlayer.headPixels()")[2] != later


def number4(value: float) -> str:
    """The tooltip's four significant digits, with a true minus sign."""
    return f"{value:.4g}".replace("-", "\u2212")


def test_projected_runs_show_their_true_loss_panels_and_what_they_are(watched, pages):
    """The board's "L = …" at every step is anim.board's; each fidelity panel's curve ends
    at step K on the pixel matplotlib puts its last point on, at the run's own distance
    from the plane and L − f; hovering a run says it is projected and gives both."""
    from anim.figure.fidelity import FidelityPanel
    from anim.words import ENGLISH

    scene, path, options = pages["projected training runs"]
    result = scene.race()
    runs = scene.optimizers
    page = watched(width=720, height=680).open(path, "#step=0")
    shown = page.evaluate(f"""() => {{
        const out = [];
        for (let i = 0; i < {len(runs)}; i++)
            for (let k = 0; k <= {result.steps}; k++) out.push(animPlayer.statusText(i, k));
        return out; }}""")
    expected = [
        board.status(result, i, k, None) for i in range(len(runs)) for k in range(result.steps + 1)
    ]
    assert shown == expected
    # The true loss L of each run, not the slice's f under it (they differ off the plane).
    assert shown[0] == f"L = {board.number(runs[0].fidelity.true_loss[0])}"
    assert shown[-1] == f"L = {board.number(runs[1].fidelity.true_loss[-1])}"
    assert board.number(result.losses[0, 7]) != board.number(runs[0].fidelity.true_loss[7])

    step = 20  # the Adam run (16 recorded steps) holds its last point
    page.evaluate(f"animPlayer.setStep({step})")
    request = anim.renderer.resolve_options(scene, **options)
    figure = anim.renderer._figure(scene, result, request, fast=False, still=True)
    try:
        figure.update(step)
        layers = [layer for layer in figure.layers if isinstance(layer, FidelityPanel)]
        assert [layer.quantity for layer in layers] == ["distance", "gap"]
        for p, layer in enumerate(layers):
            for i, line in layer.lines:
                curve = page.evaluate(f"animPlayer.fidelityCurve({p}, {i})")
                series = getattr(runs[i].fidelity, layer.quantity)
                held = series[np.minimum(np.arange(step + 1), len(series) - 1)]
                assert curve["values"] == held.tolist()
                x, y = layer.ax.transData.transform(line.get_xydata()[-1])
                assert len(curve["x"]) == step + 1
                assert abs(curve["x"][-1] - x) <= 0.01
                assert abs(curve["y"][-1] - (request.height - y)) <= 0.01
    finally:
        figure.close()

    # Hovering the Adam run's head.
    x, y = page.evaluate("animPlayer.headPixels()")[1]
    stage = page.locator(".anim-stage").bounding_box()
    page.mouse.move(stage["x"] + x * stage["width"] / 720, stage["y"] + y * stage["height"] / 540)
    page.wait_for_selector(".anim-tip:not([hidden])")
    tip = page.locator(".anim-tip").inner_text().splitlines()
    fidelity = runs[1].fidelity
    assert tip[0] == "Adam"
    assert tip[1] == ENGLISH.tip_projected
    assert tip[2].startswith(f"step {step} ")
    assert tip[3] == (
        f"L = {number4(fidelity.true_loss[-1])} · f = {number4(result.losses[1, step])}"
    )
    assert tip[4] == f"‖θ − plane‖ = {number4(fidelity.distance[-1])}"
    assert tip[5] == f"L(θ) − f(x, y) = {number4(fidelity.gap[-1])}"


def test_a_projected_run_keeps_its_path_under_the_knobs(watched, tmp_path):
    """A recording has no learning rate: beside a racer with a slider, each run keeps its
    path, and its row and tooltip say why."""
    runs = projected_runs()
    scene = Scene(
        surface=runs.surface,
        optimizers=[*runs.optimizers, GD(0.5)],
        start=runs.start,
        steps=runs.steps,
        goal=(0.0, 0.0),
        knobs=["lr"],
    )
    path = anim.render(scene, tmp_path / "knobs.html", size="720x540", progress=False)
    page = watched(width=760, height=900).open(path, "#step=10")
    assert page.locator(".anim-rate").count() == 1
    reason = "SGD is a recorded training run, with no learning rate to change"
    assert reason in page.locator(".anim-knob-fixed").first.inner_text()
    before = page.evaluate("animPlayer.headPixels()")
    rate = page.evaluate("animPlayer.knobs.rate(2)")
    page.evaluate(f"animPlayer.knobs.setRate(2, {rate * 4})")
    after = page.evaluate("animPlayer.headPixels()")
    assert after[:2] == before[:2] and after[2] != before[2]
    x, y = after[0]
    stage = page.locator(".anim-stage").bounding_box()
    page.mouse.move(stage["x"] + x * stage["width"] / 720, stage["y"] + y * stage["height"] / 540)
    page.wait_for_selector(".anim-tip:not([hidden])")
    tip = page.locator(".anim-tip").inner_text().splitlines()
    assert tip[0] == "SGD" and tip[-1] == f"fixed path: {reason}"
