"""Text in any language: real glyphs from installed fonts, one warning line when none has
them, a named font, the words of a language, and the page's own fonts in Chromium.

The test extra installs anim[cjk] (Noto Sans CJK JP), so these draw with the real font.
``hidden_fonts`` takes every font that covers some characters out of the fallback search
(by coverage, as the search itself works), to see what a machine without them shows.
"""

import dataclasses
import io
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.text import Text
from PIL import Image

import anim
from anim import FontWarning, Scene, board, fonts, surfaces
from anim.figure import FrameStyle, RaceFigure
from anim.optimizers import GD, Momentum
from anim.renderer import _figure, resolve_options
from anim.words import ENGLISH, JAPANESE, LANGUAGES

from conftest import assert_one_error_line

ROOT = Path(__file__).resolve().parent.parent
#: Ideographs of one Unicode block only: without a font matplotlib draws the same box for
#: each of them, so the two orders give identical pixels; with a font they cannot.
TITLE, REORDERED = "学習率比較", "較比率習学"


def ravine_scene(title=TITLE, language="en", labels=("GD", "Momentum"), **fields):
    return Scene(
        surface=surfaces.ravine(),
        start=(-7, 2),
        steps=40,
        title=title,
        language=language,
        optimizers=[GD(lr=0.4, label=labels[0]), Momentum(lr=0.4, label=labels[1])],
        **fields,
    )


def japanese_scene():
    return anim.load_scene(ROOT / "scenes" / "rmsprop_vs_adagrad_ja.py")


@pytest.fixture
def hidden_fonts(monkeypatch):
    """hidden_fonts(chars): no fallback candidate has any of ``chars`` from now on."""

    def hide(chars, installed=True):
        every = font_manager.fontManager.ttflist
        kept = [
            entry
            for entry in fonts.candidates()
            if not any(ord(c) in (fonts.charmap(entry.fname, entry.index) or ()) for c in chars)
        ]
        # Something was hidden (the test means something), where such a font is installed.
        assert len(kept) < len(every) or not installed
        monkeypatch.setattr(fonts, "candidates", lambda: kept)
        fonts._typeface.cache_clear()

    yield hide
    fonts._typeface.cache_clear()


def title_band(path) -> np.ndarray:
    image = np.asarray(Image.open(path).convert("RGB"), dtype=int)
    return image[: image.shape[0] // 12]


def glyph_warnings(caught) -> list[str]:
    return [
        str(w.message)
        for w in caught
        if "missing from font" in str(w.message) or issubclass(w.category, FontWarning)
    ]


# --- real glyphs --------------------------------------------------------------------
@pytest.mark.parametrize("theme, view", [("light", "2d"), ("dark", "3d")])
def test_a_japanese_title_shows_real_glyphs_and_no_warning(tmp_path, theme, view):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = anim.still(
            ravine_scene(TITLE), tmp_path / "a.png", size="480x360", theme=theme, view=view
        )
        second = anim.still(
            ravine_scene(REORDERED), tmp_path / "b.png", size="480x360", theme=theme, view=view
        )
    assert glyph_warnings(caught) == []
    a, b = title_band(first), title_band(second)
    assert (np.abs(a - b).sum(axis=-1) > 48).sum() > 100  # different glyphs, not boxes
    ink = np.abs(a - a[0, 0]).sum(axis=-1) > 96
    assert ink.sum() > 200  # and the title is drawn at all


def test_without_a_covering_font_the_two_orders_look_the_same(tmp_path, hidden_fonts):
    """The control of the test above: boxes are boxes, in any order."""
    hidden_fonts(TITLE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = anim.still(ravine_scene(TITLE), tmp_path / "a.png", size="480x360")
        second = anim.still(ravine_scene(REORDERED), tmp_path / "b.png", size="480x360")
    np.testing.assert_array_equal(title_band(first), title_band(second))


def test_the_gallery_scene_renders_every_output_without_a_glyph_warning(tmp_path):
    scene = japanese_scene()
    assert scene.language == "ja"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gif = anim.render(scene, tmp_path / "ja.gif", size="480x360", duration=1, progress=False)
        page = anim.render(scene, tmp_path / "ja.html", size="480x360", progress=False)
        still = anim.still(scene, tmp_path / "ja.png", size="480x360", view="both", loss_panel=True)
    assert glyph_warnings(caught) == []
    assert gif.stat().st_size and page.stat().st_size and still.stat().st_size


def all_texts(figure: RaceFigure) -> list[Text]:
    return [text for text in figure.figure.findobj(Text) if text.get_text().strip()]


@pytest.mark.parametrize(
    "options",
    [
        dict(view="2d", loss_panel=True, lr_panel=True, explain=(0, 1), colorbar=True),
        dict(view="3d", colorbar=True, theme="dark"),
        dict(view="both", loss_panel=True),
    ],
)
def test_every_text_of_the_figure_draws_with_the_fallback_fonts(options):
    scene = ravine_scene(TITLE, language="ja", labels=("勾配降下法", "慣性項つき"))
    result = scene.race(explain=True)
    figure = RaceFigure(
        result,
        FrameStyle(width=640, height=480, dpi=80, language="ja", **options),
        title=scene.title,
        fast=False,
    )
    typeface = figure.stage.typeface
    assert typeface.fallbacks == ("Noto Sans CJK JP",) and typeface.missing == ""
    figure.draw_frame(20)  # tick labels made while drawing copy the first one's font
    texts = all_texts(figure)
    assert any("ステップ" in text.get_text() for text in texts)
    coverages = [fonts.charmap(*fonts._family_file(family)) for family in typeface.mono]
    for text in texts:
        assert tuple(text.get_fontfamily()) in (typeface.sans, typeface.mono), text
        lacking = [
            c
            for c in text.get_text()
            if not c.isspace() and not any(ord(c) in drawn for drawn in coverages)
        ]
        assert lacking == [], (text.get_text(), lacking)
    figure.close()


def test_the_layout_measures_with_the_fallback_font():
    """Rows of label and status side by side: a label measured without the Japanese font
    (as boxes) would be too narrow, and run into its status."""
    scene = ravine_scene(labels=("勾配降下法（学習率）", "慣性項つきの勾配降下法"))
    figure = RaceFigure(
        scene.race(), FrameStyle(width=800, height=600), title=scene.title, fast=False
    )
    figure.draw_frame(40)
    renderer = figure.canvas.get_renderer()
    labels = [
        t
        for t in all_texts(figure)
        if t.get_text() in ("勾配降下法（学習率）", "慣性項つきの勾配降下法")
    ]
    assert len(labels) == 2
    noto = font_manager.FontProperties(family="Noto Sans CJK JP", size=labels[0].get_fontsize())
    for label, status in zip(labels, figure.scoreboard.statuses):
        box = label.get_window_extent(renderer)
        width, _, _ = renderer.get_text_width_height_descent(label.get_text(), noto, False)
        assert box.width == pytest.approx(width, abs=1)  # the real glyphs' width
        if not figure.layout.two_line_rows:
            assert box.x1 < status.get_window_extent(renderer).x0
    figure.close()


# --- one warning line ---------------------------------------------------------------
def test_no_covering_font_gives_one_warning_line_for_a_whole_animation(tmp_path, hidden_fonts):
    hidden_fonts("学習率比較")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # matplotlib's own would show once per glyph and frame
        anim.render(ravine_scene(), tmp_path / "race.gif", size="320x240", progress=False)
    assert len(caught) == 1, [str(w.message) for w in caught]
    message = str(caught[0].message)
    assert issubclass(caught[0].category, FontWarning)
    for char in TITLE:
        assert f"{char} (U+{ord(char):04X})" in message
    assert "pip install 'anim[cjk]'" in message and "fonts-noto-cjk" in message
    assert "\n" not in message


def test_the_command_line_says_it_in_one_line(cli, write_scene, tmp_path, hidden_fonts):
    hidden_fonts("学習")
    scene = write_scene("""\
        from anim import Scene, surfaces
        from anim.optimizers import GD
        scene = Scene(surface=surfaces.ravine(), optimizers=[GD(lr=0.4, label="学習")],
                      start=(-7, 2), steps=20)
        """)
    code, _, err = cli("render", scene, "-o", tmp_path / "race.gif", "--size", "320x240", "--quiet")
    assert code == 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and (tmp_path / "race.gif").stat().st_size, err
    assert lines[0].startswith("anim: warning: no installed font has 学 (U+5B66), 習 (U+7FD2)")
    assert "pip install 'anim[cjk]'" in lines[0]


def test_other_scripts_point_to_their_fonts(hidden_fonts):
    hidden_fonts("नमस्ते", installed=False)  # on a machine that has one
    missing = fonts.typeface(["नमस्ते"]).missing
    assert set(missing) == set("नमस्ते")
    message = fonts.missing_message(missing)
    assert "fonts-noto-core" in message and "anim[cjk]" not in message


# --- naming a font ----------------------------------------------------------------
def dejavu_serif_file() -> str:
    return font_manager.findfont(font_manager.FontProperties(family="DejaVu Serif"))


@pytest.mark.parametrize("font", ["DejaVu Serif", "dejavu serif", dejavu_serif_file()])
def test_a_named_font_is_the_main_font_and_keeps_the_fallbacks(font, tmp_path):
    scene = ravine_scene("Ravine 学習率", font=font)
    figure = RaceFigure(scene.race(), FrameStyle(font=scene.font), title=scene.title, fast=False)
    typeface = figure.stage.typeface
    # The glyph key's arrows, which DejaVu Serif lacks, come from DejaVu Sans.
    assert typeface.sans[0] == "DejaVu Serif" and "Noto Sans CJK JP" in typeface.fallbacks
    title = next(t for t in all_texts(figure) if t.get_text() == scene.title)
    assert tuple(title.get_fontfamily()) == typeface.sans
    figure.close()
    serif = title_band(anim.still(scene, tmp_path / "serif.png", size="480x360"))
    sans = title_band(
        anim.still(ravine_scene("Ravine 学習率"), tmp_path / "sans.png", size="480x360")
    )
    assert (np.abs(serif - sans).sum(axis=-1) > 48).sum() > 50


@pytest.mark.parametrize(
    "font, expected",
    [
        ("Comic Snas", "no installed font is called that"),
        ("DejaVu Sanz", "did you mean 'DejaVu Sans'"),
        ("missing/font.ttf", "no such file"),
        (str(ROOT / "README.md"), "not a font file"),
    ],
)
def test_a_bad_font_in_a_scene_is_one_clear_error(font, expected):
    with pytest.raises(ValueError, match=re.escape(expected)) as raised:
        ravine_scene(font=font)
    assert str(raised.value).startswith(f"Invalid font: {font!r}")


@pytest.mark.parametrize(
    "font, expected",
    [
        ("Comic Snas", "no installed font is called that"),
        ("/no/such/font.otf", "no such file"),
        (str(ROOT / "README.md"), "not a font file"),
    ],
)
def test_the_font_option_with_a_bad_name_or_path_is_one_line(
    cli, write_scene, tmp_path, font, expected
):
    code, _, err = cli("still", write_scene(), "--font", font, "-o", tmp_path / "x.png")
    assert code == 2
    assert_one_error_line(err, str(tmp_path / "x.png"), f"Invalid font: {font!r}", expected)
    assert not (tmp_path / "x.png").exists()


def test_the_font_option_names_the_main_font(cli, write_scene, tmp_path):
    code, _, err = cli(
        "still",
        write_scene(),
        "--font",
        "DejaVu Serif",
        "--size",
        "320x240",
        "--sidecar",
        "-o",
        tmp_path / "x.png",
    )
    assert code == 0, err
    sidecar = (tmp_path / "x.png.json").read_text()
    assert '"font": "DejaVu Serif"' in sidecar and '"language": "en"' in sidecar


# --- the words of a language ----------------------------------------------------------
def test_every_language_keeps_the_rules_of_the_words_table():
    for language, words in LANGUAGES.items():
        assert set(words.as_dict()) == {f.name for f in dataclasses.fields(ENGLISH)}
        assert words.place == "{ordinal}" or "{n}" in words.place, language
        before, after = words.counter.split("{step}")
        assert after.isascii() and "{steps}" in after, language  # see anim/words.py


def test_japanese_statuses():
    result = japanese_scene().race()
    places = board.places(result)
    texts = [board.status(result, i, result.steps, places.get(i), words=JAPANESE) for i in range(4)]
    assert texts[0] == "3位 · 68ステップ" and texts[1] == "2位 · 24ステップ"
    assert texts[2] == f"f = {result.losses[2, -1]:.3g}" and texts[3] == "1位 · 18ステップ"
    assert board.arrived(1, 18, JAPANESE) == "1位 · 18ステップ"
    assert board.arrived(23, 18, ENGLISH) == "23rd · step 18"
    assert JAPANESE.diverged.format(step=3) == "✗ 3ステップで発散"


def test_a_bad_language_is_refused():
    with pytest.raises(ValueError, match=r"Invalid language: 'fr' \(choose from en, ja\)"):
        ravine_scene(language="fr")


# --- anim doctor --------------------------------------------------------------------
def test_doctor_reports_scripts_and_extras(cli):
    code, out, _ = cli("doctor")
    assert code == 0
    fonts_line = next(line for line in out.splitlines() if line.startswith("· fonts:"))
    assert "Japanese, Chinese, Korean (Noto Sans CJK JP)" in fonts_line
    assert "Latin" in fonts_line and "Cyrillic" in fonts_line
    extras = next(line for line in out.splitlines() if line.startswith("· extras:"))
    for part in (
        "anim[torch] (torch ",
        "anim[optax] (jax ",
        "anim[cjk] (noto-cjk-sans-jp",
        "Chromium for the page tests: ",
    ):
        assert part in extras, extras


def test_doctor_says_how_to_get_missing_scripts(cli, hidden_fonts):
    hidden_fonts("学한")
    code, out, _ = cli("doctor")
    assert code == 0  # optional: reported, never a failure
    fonts_line = next(line for line in out.splitlines() if line.startswith("· fonts:"))
    assert "none for" in fonts_line and "Japanese" in fonts_line
    assert "pip install 'anim[cjk]'" in fonts_line


# --- the page's own fonts, in Chromium ------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from anim.doctor import chromium_path

    path = chromium_path()
    if path is None:
        pytest.fail("Chromium not found: apt-get install -y chromium, or set ANIM_CHROMIUM")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path, args=["--headless", "--no-sandbox"]
        )
        yield chromium
        chromium.close()


def open_page(browser, path: Path, step: int, width: int, height: int):
    context = browser.new_context(
        viewport={"width": width, "height": height + 100}, device_scale_factor=1
    )
    page = context.new_page()
    requests = []
    page.on("request", lambda r: r.url.startswith(("file:", "data:")) or requests.append(r.url))
    page.goto(path.resolve().as_uri() + f"#step={step}")
    page.wait_for_function("window.animPlayer !== undefined")
    page.evaluate("animPlayer.fontsLoaded()")
    page.evaluate(f"animPlayer.setStep({step})")
    shot = page.locator(".anim-stage").screenshot()
    assert requests == []
    return context, page, np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"), dtype=int)


def ink_widths(image: np.ndarray, boxes) -> np.ndarray:
    """The width of the ink in each box (x0, y0, x1, y1), in image pixels."""
    widths = []
    for x0, y0, x1, y1 in boxes:
        region = np.abs(image[y0:y1, x0:x1] - image[y0, x0]).sum(axis=-1) > 150
        columns = np.flatnonzero(region.any(axis=0))
        widths.append(int(columns[-1] - columns[0]) if columns.size else 0)
    return np.array(widths)


def test_the_page_draws_its_japanese_text_with_its_own_font(browser, tmp_path):
    scene = japanese_scene()
    path = anim.render(scene, tmp_path / "ja.html", size="800x600", progress=False)
    html = path.read_text(encoding="utf-8")
    assert html.count("@font-face") == 2 and '<html lang="ja">' in html
    assert len(html.encode()) < 250_000  # subsets, not the 16 MB font
    still = np.asarray(
        Image.open(anim.still(scene, tmp_path / "ja.png", size="800x600", frame=150)).convert(
            "RGB"
        ),
        dtype=int,
    )
    # Where the still writes each status and the counter (the page writes them there too).
    request = resolve_options(scene, size="800x600")
    figure = _figure(scene, scene.race(), request, fast=False, still=True)
    figure.draw_frame(150)
    renderer = figure.canvas.get_renderer()
    boxes = []
    for text in (*figure.scoreboard.statuses, figure.scoreboard.step_text):
        x0, y0, x1, y1 = text.get_window_extent(renderer).extents
        boxes.append(
            (
                int(x0) - 60 if text is figure.scoreboard.step_text else int(x0) - 4,
                600 - int(y1) - 3,
                800,
                600 - int(y0) + 3,
            )
        )
    figure.close()
    expected = ink_widths(still, boxes)
    # Agg rounds each glyph's advance to whole pixels, a browser does not: up to half a
    # pixel per glyph apart.
    tolerance = 2 + 0.06 * expected
    context, page, shown = open_page(browser, path, 150, 800, 600)
    assert page.evaluate("animPlayer.statusText(3, 150)") == "1位 · 18ステップ"
    assert page.evaluate("animPlayer.counterText(150)") == "ステップ 150 / 150"
    families = page.evaluate("[...document.fonts].map(f => f.family + ' ' + f.status)")
    assert families == ["anim-text-1 loaded", "anim-text-1 loaded"]
    context.close()
    # The same glyphs: each text as wide as matplotlib's.
    assert np.all(np.abs(ink_widths(shown, boxes) - expected) <= tolerance), (
        ink_widths(shown, boxes),
        expected,
    )
    # The control: the same page without its fonts, on this machine without a Japanese
    # font, draws boxes of other widths.
    bare = tmp_path / "bare.html"
    bare.write_text(re.sub(r"@font-face\{[^}]*\}", "", html), encoding="utf-8")
    context, page, boxed = open_page(browser, bare, 150, 800, 600)
    context.close()
    assert np.any(np.abs(ink_widths(boxed, boxes) - expected) > 2 * tolerance), (
        ink_widths(boxed, boxes),
        expected,
    )


def test_an_english_page_embeds_no_font(tmp_path):
    path = anim.render(
        anim.load_scene(ROOT / "scenes" / "rmsprop_vs_adagrad.py"),
        tmp_path / "en.html",
        size="480x360",
        progress=False,
    )
    html = path.read_text(encoding="utf-8")
    assert "@font-face" not in html and '<html lang="en">' in html


# --- the charts beside the animation ------------------------------------------------
def test_the_basin_chart_draws_japanese_labels(cli, tmp_path, hidden_fonts):
    scene = ROOT / "scenes" / "rmsprop_vs_adagrad_ja.py"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, _, err = cli("basins", scene, "-o", tmp_path / "a.png", "--resolution", "12")
    assert code == 0 and glyph_warnings(caught) == [] and "warning" not in err
    hidden_fonts("勾配降下法慣性")
    code, _, err = cli("basins", scene, "-o", tmp_path / "b.png", "--resolution", "12")
    warned = [line for line in err.splitlines() if line.startswith("anim: warning:")]
    assert code == 0 and len(warned) == 1 and "勾 (U+52FE)" in warned[0], err
