"""The knobs in a real browser: a slider dragged with the mouse or moved with the keys
puts that racer's head where the race at the new rate is at this step (raced here by
``simulate`` and placed by the figure's own functions); the lock moves every racer; the
snaps are on the sliders; the address carries what the reader set; the chart and the
pad set rates; a racer that cannot change says so."""

from pathlib import Path

import numpy as np
import pytest

import anim
from anim import Scene, simulate, surfaces
from anim.figure.racers import EXIT_INSET, FAN_GAP, exit_point, fan_out, shown_steps
from anim.figure.theme import HEAD_SIZE
from anim.knobs import with_hyperparameter
from anim.optimizers import GD, Momentum

ROOT = Path(__file__).resolve().parent.parent
THUMB = 18  # px: the slider thumb's width (player.css)


@pytest.fixture(scope="module")
def knob_page(tmp_path_factory):
    scene = anim.load_scene(ROOT / "scenes" / "rmsprop_vs_adagrad.py")
    path = anim.render(
        scene,
        tmp_path_factory.mktemp("knobs") / "race.html",
        size="800x600",
        knobs=["lr"],
        progress=False,
    )
    return scene, path


def page_view(page):
    return page.evaluate("JSON.parse(document.querySelector('.anim-data').textContent).views[0]")


def heads_expected(scene, optimizers, step, view, height=600, dpi=100):
    """Where the figure would draw every head at ``step`` with these optimizers: the
    figure's own shown steps, exit points and fan-out, in the page's plot transform."""
    result = simulate(scene.surface, optimizers, start=scene.start, steps=scene.steps)
    shown = shown_steps(result)
    positions = np.take_along_axis(result.paths, shown[..., None], axis=1)[:, step].copy()
    (x0, x1), (y0, y1) = view["xlim"], view["ylim"]
    inset = EXIT_INSET * np.array([x1 - x0, y1 - y0])
    for i in range(len(optimizers)):
        diverged = result.diverged_step[i]
        if (
            diverged is not None
            and result.status(i, result.steps) == "diverged"
            and step >= diverged
        ):
            positions[i] = exit_point(
                result.paths[i, : max(diverged, 1)],
                np.array([x0, y0]) + inset,
                np.array([x1, y1]) - inset,
            )
    a, b, c, d = view["toPixel"]
    display = np.column_stack([a * positions[:, 0] + b, height - (c * positions[:, 1] + d)])
    fanned = fan_out(display[:, None, :], FAN_GAP * HEAD_SIZE * dpi / 72)[:, 0]
    return np.column_stack([fanned[:, 0], height - fanned[:, 1]])


def slider_x(page, index, value):
    """The page x of slider ``index``'s thumb at ``value`` (0..1000)."""
    box = page.locator(".anim-rate").nth(index).bounding_box()
    return box["x"] + THUMB / 2 + (box["width"] - THUMB) * value / 1000, box["y"] + box[
        "height"
    ] / 2


def drag(page, index, value):
    x, y = slider_x(
        page, index, page.evaluate(f"animPlayer.knobs.position(animPlayer.knobs.rate({index}))")
    )
    page.mouse.move(x, y)
    page.mouse.down()
    tx, ty = slider_x(page, index, value)
    page.mouse.move(tx, ty, steps=6)
    page.mouse.up()


def rates_now(page, count=4):
    return [page.evaluate(f"animPlayer.knobs.rate({i})") for i in range(count)]


def test_dragging_a_slider_swaps_that_racers_race(watched, knob_page):
    scene, path = knob_page
    page = watched(width=820, height=1100).open(path, "#step=30")
    page.click(".anim-lock")  # each racer on its own
    assert not page.evaluate("animPlayer.knobs.locked()")
    wanted = page.evaluate("animPlayer.knobs.position(0.05)")
    drag(page, 3, wanted)
    lr = page.evaluate("animPlayer.knobs.rate(3)")
    rates = page.evaluate("animPlayer.knobs.rates(3)")
    assert lr in rates and lr == min(rates, key=lambda r: abs(np.log(r / 0.05)))
    assert rates_now(page)[:3] == [0.4, 0.4, 0.4]
    optimizers = list(scene.optimizers)
    optimizers[3] = optimizers[3].with_lr(lr)
    expected = heads_expected(scene, optimizers, 30, page_view(page))
    np.testing.assert_allclose(page.evaluate("animPlayer.headPixels()"), expected, atol=0.13)
    assert page.evaluate("animPlayer.step()") == 30 and not page.evaluate("animPlayer.playing()")
    caption = page.locator(".anim-knob-value").nth(3).inner_text()
    assert caption.startswith(f"lr {lr:.3g}")
    # The keys: one rate up, then the highest.
    page.locator(".anim-rate").nth(3).focus()
    page.keyboard.press("ArrowRight")
    up = rates[rates.index(lr) + 1]
    assert page.evaluate("animPlayer.knobs.rate(3)") == up
    optimizers[3] = scene.optimizers[3].with_lr(up)
    expected = heads_expected(scene, optimizers, 30, page_view(page))
    np.testing.assert_allclose(page.evaluate("animPlayer.headPixels()"), expected, atol=0.13)
    page.keyboard.press("End")
    assert page.evaluate("animPlayer.knobs.rate(3)") == max(rates)
    assert page.evaluate("animPlayer.step()") == 30  # the keys moved the knob, not the step


def test_the_lock_moves_every_racer_to_one_rate(watched, knob_page):
    scene, path = knob_page
    page = watched(width=820, height=1100).open(path, "#step=60")
    assert page.evaluate("animPlayer.knobs.locked()")  # the seed's setting: one rate for all
    drag(page, 1, page.evaluate("animPlayer.knobs.position(0.1)"))
    rates = rates_now(page)
    assert len(set(rates)) == 1 and rates[0] != 0.4
    optimizers = [optimizer.with_lr(rates[0]) for optimizer in scene.optimizers]
    expected = heads_expected(scene, optimizers, 60, page_view(page))
    np.testing.assert_allclose(page.evaluate("animPlayer.headPixels()"), expected, atol=0.13)


def test_the_snaps_are_on_the_sliders_and_catch_the_thumb(watched, knob_page):
    scene, path = knob_page
    page = watched(width=820, height=1100).open(path, "#step=0")
    page.click(".anim-lock")
    tuned = anim.tune.tune(scene)
    for i, search in enumerate(tuned):
        specials = page.evaluate(f"animPlayer.knobs.specials({i})")
        assert specials["scene"] == 0.4 and specials["best"] == search.best_lr
    assert page.evaluate("animPlayer.knobs.specials(0)")["edge"] == 1.0  # GD: 1.05 flies off
    marks = page.locator(".anim-knob-track").nth(0).locator(".anim-mark").all_inner_texts()
    assert "edge" in " ".join(marks) and "best" in " ".join(marks)
    # Let go a little beside the optimum: the thumb lands on it.
    best = tuned[3].best_lr
    near = page.evaluate(f"animPlayer.knobs.position({best})") + 12
    drag(page, 3, near)
    assert page.evaluate("animPlayer.knobs.rate(3)") == best


def test_the_address_carries_the_knobs(watched, knob_page):
    _, path = knob_page
    page = watched(width=820, height=1100).open(path, "#step=0")
    page.click(".anim-lock")
    page.evaluate("animPlayer.knobs.setRate(3, 1.94); animPlayer.setStep(40)")
    page.wait_for_function("location.hash === '#step=40&lr.RMSProp=1.94&lock=0'")
    address = page.evaluate("location.hash")
    heads = page.evaluate("animPlayer.headPixels()")
    again = watched(width=820, height=1100).open(path, address)
    assert again.evaluate("animPlayer.step()") == 40
    assert rates_now(again) == [0.4, 0.4, 0.4, 1.94]
    assert not again.evaluate("animPlayer.knobs.locked()")
    assert again.evaluate("animPlayer.headPixels()") == heads
    # Stepping while paused writes the step back; playing does not.
    again.keyboard.press("ArrowRight")
    again.wait_for_function("location.hash === '#step=41&lr.RMSProp=1.94&lock=0'")


def test_a_knob_moved_while_playing_plays_on(watched, knob_page):
    _, path = knob_page
    page = watched(width=820, height=1100).open(path, "#step=0")
    page.evaluate("animPlayer.setSpeed(0.5); animPlayer.play()")
    page.wait_for_function("animPlayer.step() >= 5")
    before = page.evaluate("animPlayer.step()")
    drag(page, 2, page.evaluate("animPlayer.knobs.position(3)"))
    assert page.evaluate("animPlayer.playing()")
    assert page.evaluate("animPlayer.step()") >= before
    page.wait_for_timeout(400)
    assert page.evaluate("location.hash") == "#step=0"  # not written while playing


def test_clicking_the_chart_sets_a_rate(watched, knob_page):
    _, path = knob_page
    page = watched(width=820, height=1100).open(path, "#step=0")
    box = page.locator(".anim-chart").bounding_box()
    value = page.evaluate("animPlayer.knobs.position(0.01)")
    page.mouse.click(box["x"] + THUMB / 2 + (box["width"] - THUMB) * value / 1000, box["y"] + 20)
    rates = rates_now(page)
    assert len(set(rates)) == 1 and abs(np.log10(rates[0] / 0.01)) < 0.2  # locked: all


def test_the_pad_sets_two_hyperparameters(watched, tmp_path):
    scene = Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(0.4), Momentum(0.4)],
        start=(-7, 2),
        steps=60,
        knobs=["lr", "momentum"],
    )
    path = anim.render(scene, tmp_path / "pad.html", size="640x480", progress=False)
    page = watched(width=700, height=1200).open(path, "#step=25")
    data = page.evaluate("JSON.parse(document.querySelector('.anim-data').textContent).knobs.pad")
    assert data["racer"] == 1 and data["name"] == "momentum"
    j, k = data["values"].index(0.5), data["lrs"].index(0.4)
    page.evaluate(f"animPlayer.knobs.setPad({j}, {k})")
    assert page.evaluate("animPlayer.knobs.rate(1)") == 0.4
    assert page.evaluate("animPlayer.knobs.second(1)") == 0.5
    optimizers = [GD(0.4), with_hyperparameter(Momentum(0.4), "momentum", 0.5)]
    expected = heads_expected(
        scene, optimizers, 25, page_view(page), height=480, dpi=anim.figure.default_dpi(640, 480)
    )
    np.testing.assert_allclose(page.evaluate("animPlayer.headPixels()"), expected, atol=0.13)
    page.wait_for_function("location.hash.includes('momentum.Momentum=0.5')")
    # The keys move the pad's cell: one value up.
    page.locator(".anim-pad").focus()
    page.keyboard.press("ArrowUp")
    assert page.evaluate("animPlayer.knobs.second(1)") == data["values"][j + 1]


def test_a_racer_with_a_fixed_path_says_so(watched, tmp_path):
    import optax

    from anim.optimizers import from_optax

    scene = Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(0.4), from_optax(optax.adam(0.5))],
        start=(-7, 2),
        steps=40,
        knobs=["lr"],
    )
    path = anim.render(scene, tmp_path / "fixed.html", size="640x480", progress=False)
    page = watched(width=700, height=900).open(path, "#step=10")
    assert page.locator(".anim-rate").count() == 1
    assert "optax transformation already built" in page.locator(".anim-knob-fixed").inner_text()
    x, y = page.evaluate("animPlayer.headPixels()")[1]
    page.mouse.move(x, y)
    assert "fixed path: " in page.locator(".anim-tip").inner_text()


def test_the_knobs_turn_the_3d_view_too(watched, tmp_path):
    """In the 3D view a new rate's head is projected like the figure projects its own:
    on the surface (its loss lifted), seen from the page's fixed camera."""
    scene = anim.load_scene(ROOT / "scenes" / "rmsprop_3d.py")
    path = anim.render(
        scene, tmp_path / "race3d.html", size="640x480", knobs=["lr"], progress=False
    )
    page = watched(width=700, height=1000).open(path, "#step=12")
    page.click(".anim-lock")
    page.evaluate("animPlayer.knobs.setRate(1, 0.1)")
    lr = page.evaluate("animPlayer.knobs.rate(1)")
    optimizers = list(scene.optimizers)
    optimizers[1] = optimizers[1].with_lr(lr)
    result = simulate(scene.surface, optimizers, start=scene.start, steps=scene.steps)
    shown = shown_steps(result)[:, 12]
    view = page_view(page)
    h = view["height"]
    points = result.paths[np.arange(len(optimizers)), shown]
    f = result.losses[np.arange(len(optimizers)), shown]
    z = (np.log10(np.maximum(f - h["lowest"], 0) + h["delta"]) if h["log"] else f) + h["lift"]
    pixels = (np.array(view["project"]) @ np.vstack([points.T, z, np.ones(len(z))])).T
    display = np.column_stack([pixels[:, 0], 480 - pixels[:, 1]])
    fanned = fan_out(display[:, None, :], view["fanGap"])[:, 0]
    expected = np.column_stack([fanned[:, 0], 480 - fanned[:, 1]])
    np.testing.assert_allclose(page.evaluate("animPlayer.headPixels()"), expected, atol=0.13)


def test_a_knob_swaps_the_glyphs_and_the_lr_panel_too(watched, tmp_path):
    """why_rmsprop with knobs: at other rates, the arrows and boxes are those the glyph
    layer draws for the race at those rates (at the page's one magnification), the lr
    panel's rates are that race's |Δx|/|g|, and the labels say the rates."""
    from anim.figure.glyphs import GlyphLayer

    scene = anim.load_scene(ROOT / "scenes" / "why_rmsprop.py")
    path = anim.render(scene, tmp_path / "why.html", size="720x540", knobs=["lr"], progress=False)
    page = watched(width=760, height=1100).open(path, "#step=0")
    page.click(".anim-lock")
    page.evaluate(
        "animPlayer.knobs.setRate(2, 1.78); animPlayer.knobs.setRate(3, 0.178);"
        "animPlayer.setStep(12)"
    )
    optimizers = list(scene.optimizers)
    optimizers[2], optimizers[3] = optimizers[2].with_lr(1.78), optimizers[3].with_lr(0.178)
    result = simulate(scene.surface, optimizers, start=scene.start, steps=scene.steps, explain=True)
    glyph_data = page.evaluate(
        "JSON.parse(document.querySelector('.anim-data').textContent).glyphs"
    )
    layer = GlyphLayer(result, (2, 3))
    layer.magnify, layer.box_scale = glyph_data["magnify"], glyph_data["boxScale"]
    view = glyph_data["views"]["0"]
    layer.low, layer.high = np.array(view["low"]), np.array(view["high"])
    expected = layer.vectors_at(12)
    shown = page.evaluate("animPlayer.glyphs()")
    arrows = {(a["racer"], a["kind"]): a for a in shown["arrows"]}
    assert set(arrows) == set(expected) and len(arrows) >= 4
    for key, (origin, vector) in expected.items():
        np.testing.assert_allclose(arrows[key]["origin"], origin, atol=0.01)
        np.testing.assert_allclose(arrows[key]["vector"], vector, atol=0.02)
    for box in shown["boxes"]:
        i = box["racer"]
        np.testing.assert_allclose(
            box["half"], result.step_scales[i, 12] * layer.box_scale, rtol=1e-3, atol=0.01
        )
    run = page.evaluate("animPlayer.run(3)")
    assert run["label"] == "RMSProp lr=0.178 ρ=0.9"
    rates = np.array(run["rates"], dtype=float).reshape(-1, 2)
    truth = result.effective_lr[3, : len(rates)]
    assert np.array_equal(np.isnan(rates), np.isnan(truth))
    np.testing.assert_allclose(rates[~np.isnan(rates)], truth[~np.isnan(truth)], rtol=1e-4)


@pytest.mark.parametrize(
    "name, make, options",
    [
        (
            "crowded",
            lambda: Scene(
                surface=surfaces.ravine(),
                optimizers=[GD(0.4), GD(0.4), Momentum(0.4), GD(1.5)],
                start=(-7, 2),
                steps=60,
            ),
            {"size": "640x480"},
        ),
        (
            "himmelblau",
            lambda: anim.load_scene(ROOT / "scenes" / "himmelblau.py"),
            {"size": "640x480"},
        ),
        ("3d", lambda: anim.load_scene(ROOT / "scenes" / "rmsprop_3d.py"), {"size": "640x480"}),
    ],
    ids=["fanned and flown off", "held in goal circles", "3d"],
)
def test_the_player_places_heads_as_the_figure_does(watched, tmp_path, name, make, options):
    """With knobs the player places heads itself (a knob combines races the figure never
    drew together): for the races as run, its heads are the figure's, step by step."""
    scene = make()
    path = anim.render(scene, tmp_path / f"{name}.html", knobs=["lr"], progress=False, **options)
    page = watched(width=700, height=1000).open(path, "#step=0")
    steps = scene.steps
    for step in sorted({0, 1, 2, 5, steps // 4, steps // 2, steps}):
        page.evaluate(f"animPlayer.setStep({step})")
        np.testing.assert_allclose(
            page.evaluate("animPlayer.headPixelsPlaced()"),
            page.evaluate("animPlayer.headPixels()"),
            atol=0.01,
            err_msg=f"step {step}",
        )
