"""The HTML page in a real browser: headless Chromium driven by Playwright.

Every page is opened with all requests routed through a guard that refuses anything but
the page's own file and data: URLs, and with its console watched; a test fails on any
refused request, console error or uncaught exception.
"""

from pathlib import Path

import numpy as np
import pytest
from pages import (
    MAX_DIFFERING_SHARE,
    best_shift,
    differing_share,
    expected_heads,
    screenshot,
    still_image,
)

import anim
from anim import Scene, board, surfaces
from anim.optimizers import GD, Adam, Momentum, RMSProp
from anim.page import notebook_html

ROOT = Path(__file__).resolve().parent.parent


def showcase():
    return anim.load_scene(ROOT / "scenes" / "rmsprop_vs_adagrad.py")


def mixed_scene():
    """Arrivals, a divergence and the loss panel."""
    return Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=0.4), Momentum(lr=0.4), RMSProp(lr=0.4), GD(lr=1.5), Adam(lr=0.5)],
        start=(-7, 2),
        steps=80,
        loss_panel=True,
    )


def any_goal_scene():
    return Scene(
        surface=surfaces.himmelblau(),
        optimizers=[GD(lr=0.01), Adam(lr=0.1), Momentum(lr=0.01, momentum=0.9)],
        start=(0.0, 0.0),
        goal="any",
        steps=120,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Pages and stills, made once: {name: (scene, folder, options)}."""
    folder = tmp_path_factory.mktemp("pages")
    made = {}
    for name, make, options in [
        ("showcase", showcase, {"size": "800x600"}),
        ("mixed", mixed_scene, {"size": "720x560", "theme": "dark"}),
        ("any", any_goal_scene, {"size": "640x480"}),
    ]:
        scene = make()
        anim.render(scene, folder / f"{name}.html", progress=False, **options)
        made[name] = (scene, folder, options)
    return made


@pytest.mark.parametrize(
    "name, steps",
    [("showcase", (0, 1, 18, 40, 150)), ("mixed", (0, 3, 25, 80)), ("any", (0, 60, 120))],
)
def test_step_in_the_address_shows_the_still_of_that_step(watched, files, name, steps):
    scene, folder, options = files[name]
    width, height = (int(v) for v in options["size"].split("x"))
    page = watched(width=width, height=height + 100).open(folder / f"{name}.html")
    for step in steps:
        page.evaluate(f"location.hash = '#step={step}'")
        page.wait_for_function(f"animPlayer.step() === {step}")
        assert not page.evaluate("animPlayer.playing()")
        heads, plot = expected_heads(scene, step, **options)
        np.testing.assert_allclose(page.evaluate("animPlayer.headPixels()"), heads, atol=0.01)
        shown, still = screenshot(page, width, height), still_image(scene, folder, step, **options)
        assert differing_share(shown, still) <= MAX_DIFFERING_SHARE, f"step {step}"
        x, y, w, h = (int(round(v)) for v in plot)
        assert (
            differing_share(shown[y : y + h, x : x + w], still[y : y + h, x : x + w])
            <= MAX_DIFFERING_SHARE
        ), f"plot area at step {step}"
        for hx, hy in heads:
            if not (x + 6 <= hx <= x + w - 6 and y + 6 <= hy <= y + h - 6):
                continue  # flying off, outside the plot: clipped in both pictures
            dx, dy = best_shift(shown, still, hx, hy)
            assert abs(dx) <= 2 and abs(dy) <= 2, (step, (hx, hy), dx, dy)


def test_opening_at_a_step_is_paused_there(watched, files):
    scene, folder, _ = files["showcase"]
    page = watched().open(folder / "showcase.html", "#step=40")
    page.wait_for_timeout(300)
    assert page.evaluate("animPlayer.step()") == 40 and not page.evaluate("animPlayer.playing()")
    assert page.locator(".anim-scrubber").input_value() == "40"
    assert page.evaluate("animPlayer.counterText(40)") == "step  40 / 150"


def test_the_scrubber_moves_every_head_to_its_step(watched, files):
    scene, folder, options = files["showcase"]
    page = watched().open(folder / "showcase.html", "#step=0")
    scrubber = page.locator(".anim-scrubber")
    box = scrubber.bounding_box()
    page.mouse.click(box["x"] + 0.6 * box["width"], box["y"] + box["height"] / 2)
    step = page.evaluate("animPlayer.step()")
    assert 70 <= step <= 110 and scrubber.input_value() == str(step)
    heads, _ = expected_heads(scene, step, **options)
    np.testing.assert_allclose(page.evaluate("animPlayer.headPixels()"), heads, atol=0.01)
    scrubber.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("animPlayer.step()") == step + 1  # the slider's own keys: one step


def test_play_advances_and_space_pauses(watched, files):
    _, folder, _ = files["showcase"]
    page = watched().open(folder / "showcase.html", "#step=0")
    page.keyboard.press(" ")
    assert page.evaluate("animPlayer.playing()")
    page.wait_for_timeout(600)
    page.keyboard.press(" ")
    stopped = page.evaluate("animPlayer.step()")
    assert 5 <= stopped < 150 and not page.evaluate("animPlayer.playing()")
    page.wait_for_timeout(300)
    assert page.evaluate("animPlayer.step()") == stopped
    page.click(".anim-play")
    page.wait_for_function("animPlayer.step() === 150 && !animPlayer.playing()", timeout=15000)


def test_keyboard_and_buttons_step(watched, files):
    _, folder, _ = files["showcase"]
    page = watched().open(folder / "showcase.html", "#step=20")
    keys = [
        ("ArrowRight", 21),
        ("ArrowLeft", 20),
        ("Shift+ArrowRight", 30),
        ("End", 150),
        ("ArrowRight", 150),
        ("Home", 0),
        ("ArrowLeft", 0),
    ]
    for key, expected in keys:
        page.keyboard.press(key)
        assert page.evaluate("animPlayer.step()") == expected, key
    page.click(".anim-forward")
    page.click(".anim-forward")
    page.click(".anim-back")
    assert page.evaluate("animPlayer.step()") == 1
    # The focused step button does not take space for itself: space still plays.
    page.keyboard.press(" ")
    assert page.evaluate("animPlayer.playing()")
    page.keyboard.press(" ")
    assert not page.evaluate("animPlayer.playing()")
    page.select_option(".anim-speed", "4")
    page.keyboard.press("Home")
    page.keyboard.press(" ")
    page.wait_for_timeout(500)
    page.keyboard.press(" ")
    assert page.evaluate("animPlayer.step()") >= 25  # 4 × 30 steps a second, not 30


def test_statuses_and_numbers_match_the_scoreboard(watched, files):
    for name in ("showcase", "mixed", "any"):
        scene, folder, options = files[name]
        result = scene.race()
        places = board.places(result)
        page = watched().open(folder / f"{name}.html", "#step=0")
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
        assert shown == expected, name
        assert any(text.startswith("1st") for text in shown)
    values = [
        0.0,
        -0.0,
        1.0,
        1.125,
        2.375,
        0.0625,
        999.5,
        1000.0,
        0.00012345,
        0.0001,
        9.995e-5,
        123456.0,
        -7.25,
        1e-300,
        3.14159,
        2.5,
        0.15,
        1.005,
        99.95,
        1e21,
        *np.random.default_rng(0).lognormal(0, 8, 300).tolist(),
    ]
    got = page.evaluate("values => values.map(v => animPlayer.formatG(v, 3))", values)
    assert got == [format(v, ".3g") for v in values]


def test_hovering_a_head_or_a_trail_tells_its_story(watched, files):
    _, folder, _ = files["showcase"]
    page = watched().open(folder / "showcase.html", "#step=40")
    x, y = page.evaluate("animPlayer.headPixels()")[2]  # AdaGrad, still racing
    page.mouse.move(x, y)
    tip = page.locator(".anim-tip")
    assert tip.is_visible()
    text = tip.inner_text()
    assert "AdaGrad lr=0.4" in text and "lr 0.4" in text and "step 40" in text
    assert "f = " in text and "(x, y) = (" in text
    # A point on Momentum's trail: step 5, far from any head.
    point = page.evaluate("""() => { const d = JSON.parse(
        document.querySelector('.anim-data').textContent); return d; }""")
    a, b, c, d = point["views"][-1]["toPixel"]
    result = showcase().race()
    px, py = result.paths[1, 5]
    page.mouse.move(a * px + b, c * py + d)
    assert tip.is_visible() and "Momentum" in tip.inner_text() and "step 5 " in tip.inner_text()
    page.mouse.move(5, 5)
    assert not tip.is_visible()


def test_the_page_fits_its_container_at_any_pixel_ratio(watched, files):
    scene, folder, options = files["showcase"]
    page = watched(width=400, height=500, scale=2).open(folder / "showcase.html", "#step=40")
    stage = page.locator(".anim-stage").bounding_box()
    assert stage["width"] == 400 and stage["height"] == 300
    assert page.evaluate(
        "[document.querySelector('.anim-racers').width, "
        "document.querySelector('.anim-racers').height]"
    ) == [800, 600]
    # 400 CSS pixels at ratio 2 are the render's 800 pixels: the still, pixel for pixel.
    shown, still = screenshot(page, 800, 600), still_image(scene, folder, 40, **options)
    assert differing_share(shown, still) <= MAX_DIFFERING_SHARE
    for head in expected_heads(scene, 40, **options)[0]:
        dx, dy = best_shift(shown, still, *head)
        assert abs(dx) <= 2 and abs(dy) <= 2
    # A wide container: the page grows no larger than it was rendered.
    page.set_viewport_size({"width": 1200, "height": 800})
    page.wait_for_timeout(100)
    assert page.locator(".anim-stage").bounding_box()["width"] == 800


def test_without_a_step_it_plays_and_reduced_motion_shows_the_end(watched, files):
    _, folder, _ = files["showcase"]
    page = watched().open(folder / "showcase.html")
    page.wait_for_function("animPlayer.step() > 3 && animPlayer.playing()")
    calm = watched(reduced_motion="reduce").open(folder / "showcase.html")
    calm.wait_for_timeout(300)
    assert calm.evaluate("animPlayer.step()") == 150
    assert not calm.evaluate("animPlayer.playing()")


def test_the_notebook_player_works_inside_its_iframe(watched):
    scene = showcase()
    watcher = watched(width=900, height=900)
    page = watcher.page
    page.set_content("<div style='width: 600px'>" + scene._repr_html_() + "</div>")
    frame = page.frame_locator("iframe")
    frame.locator(".anim-racers").wait_for()
    inner = page.frames[1]
    inner.wait_for_function("window.animPlayer !== undefined")
    # The frame takes the page's height: the 600-px-wide picture and its controls.
    page.wait_for_function("document.querySelector('iframe').getBoundingClientRect().height > 480")
    height = page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
    assert 490 <= height <= 560
    inner.evaluate("animPlayer.setStep(18)")
    assert inner.evaluate("animPlayer.statusText(3, 18)") == "1st · step 18"
    assert page.evaluate("window.animPlayer") is None  # nothing leaks into the notebook


def test_notebook_html_escapes_the_page():
    shown = notebook_html('<p class="x">"&</p>', 800, 600)
    assert 'srcdoc="&lt;p class=&quot;x&quot;&gt;&quot;&amp;&lt;/p&gt;"' in shown


@pytest.mark.parametrize("name, step", [("showcase", 40), ("mixed", 60)])
def test_a_playing_frame_shows_what_the_paused_one_does(watched, files, name, step):
    """While playing, the trails grow in a canvas of their own, a few segments a frame."""
    scene, folder, options = files[name]
    width, height = (int(v) for v in options["size"].split("x"))
    page = watched(width=width, height=height + 100).open(folder / f"{name}.html", "#step=0")
    page.evaluate(
        f"for (let k = 0; k <= {step}; k += 1 + k % 3) animPlayer.showAsPlaying(k);"
        f"animPlayer.showAsPlaying({step})"
    )
    playing = screenshot(page, width, height)
    page.evaluate(f"animPlayer.setStep({step})")
    paused = screenshot(page, width, height)
    assert differing_share(playing, paused) <= 0.005
    assert (
        differing_share(playing, still_image(scene, folder, step, **options)) <= MAX_DIFFERING_SHARE
    )


@pytest.mark.parametrize(
    "scene",
    [
        Scene(surface=surfaces.ravine(), optimizers=[GD(lr=0.4)], start=(-7, 2), steps=1),
        Scene(
            surface=anim.Surface(lambda x, y: x**2 + 3 * y**2, bounds=((-2, 2), (-2, 2))),
            optimizers=[GD(lr=0.1), Adam(lr=0.3)],
            start=(1.5, 1.5),
            steps=30,
        ),
        Scene(
            surface=surfaces.ravine(), optimizers=[GD(lr=3.0), GD(lr=2.5)], start=(-7, 2), steps=20
        ),
    ],
    ids=["one step", "no finish line", "everyone flies off"],
)
def test_edge_races_play_without_errors(watched, tmp_path, scene):
    path = anim.render(scene, tmp_path / "edge.html", size="480x360", progress=False)
    page = watched(width=480, height=460).open(path, "#step=0")
    page.keyboard.press("End")
    page.keyboard.press("Home")
    page.keyboard.press(" ")
    page.wait_for_function(
        "animPlayer.step() === animPlayer.steps && !animPlayer.playing()", timeout=10000
    )
    x, y = page.evaluate("animPlayer.headPixels()")[0]
    page.mouse.move(x, y)
    result = scene.race()
    places = board.places(result)
    assert page.evaluate(f"animPlayer.statusText(0, {result.steps})") == board.status(
        result, 0, result.steps, places.get(0)
    )


def test_the_buttons_stay_put_when_play_turns_to_pause(watched, files):
    _, folder, _ = files["showcase"]
    page = watched().open(folder / "showcase.html", "#step=0")
    controls = [
        ".anim-play",
        ".anim-back",
        ".anim-forward",
        ".anim-scrubber",
        ".anim-step",
        ".anim-speed",
    ]

    def boxes():
        return [page.locator(selector).bounding_box() for selector in controls]

    paused = boxes()
    page.evaluate("animPlayer.setSpeed(0.25); animPlayer.play()")
    assert page.evaluate("animPlayer.playing()") and page.inner_text(".anim-play") == "❚❚"
    assert boxes() == paused


@pytest.mark.parametrize("width", [360, 420])
def test_every_control_is_reachable_on_a_narrow_page(watched, files, width):
    _, folder, _ = files["showcase"]
    page = watched(width=width, height=700).open(folder / "showcase.html", "#step=30")
    stage = page.locator(".anim-stage").bounding_box()
    for selector in (
        ".anim-play",
        ".anim-back",
        ".anim-forward",
        ".anim-scrubber",
        ".anim-step",
        ".anim-speed",
    ):
        box = page.locator(selector).bounding_box()
        assert page.locator(selector).is_visible(), selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)
        assert box["y"] >= stage["y"] + stage["height"], (selector, "under the picture")
        # Nothing covers it: a click there reaches it.
        hit = page.evaluate(f"""() => {{ const e = document.elementFromPoint(
            {box["x"] + box["width"] / 2}, {box["y"] + box["height"] / 2});
            return e.closest('{selector}') !== null; }}""")
        assert hit, selector
    page.click(".anim-forward")
    assert page.evaluate("animPlayer.step()") == 31
    page.select_option(".anim-speed", "2")
    assert page.locator(".anim-step").inner_text() == "31 / 150"


def test_the_step_is_written_to_the_address_while_paused(watched, files):
    _, folder, _ = files["showcase"]
    page = watched().open(folder / "showcase.html", "#step=10")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("location.hash === '#step=11'")
    page.evaluate("animPlayer.setSpeed(0.25); animPlayer.play()")
    page.wait_for_function("animPlayer.step() >= 14")
    assert page.evaluate("location.hash") == "#step=11"  # not while playing
    page.keyboard.press(" ")
    stopped = page.evaluate("animPlayer.step()")
    page.wait_for_function(f"location.hash === '#step={stopped}'")
