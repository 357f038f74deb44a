"""The race as one self-contained HTML page: play, pause, scrub, hover, turn the knobs.

The page shows the same picture as the GIF. Everything that does not move (title,
surface, axes, the scoreboard's names, the glyphs' key) is drawn once by matplotlib and
embedded as a lossless image (WebP, which every current browser shows; PNG where Pillow
lacks it); the few static things the figure draws *over* the trails (the glyphs' key) are
a second, transparent image laid over them. ``player/*.js`` (hand-written, no library)
draws the trails, heads, glyphs, goal and start markers, panel curves, statuses and step
counter on a canvas between the two, from the race's numbers and the figure's own
geometry (:mod:`anim.pagedata`): at the render's size a head lands on the same pixels as
in ``anim still --frame K``.

Nothing is loaded from anywhere: the pictures, the numbers and the script are inline, and
so are the glyphs of the page's own text that the main font lacks (a browser does not see
the fonts anim draws with): see :mod:`anim.webfonts`.
"""

from __future__ import annotations

import base64
import html
import io
import json
from importlib import resources

import numpy as np
from matplotlib.artist import Artist
from PIL import Image, features

from .figure import RaceFigure
from .figure.theme import TRAIL_Z
from .gif import NearestColor, _pack, build_palette
from .pagedata import DATA_VERSION, MONO, SANS, SPEEDS, page_data
from .webfonts import embedded_fonts, with_families

#: The controls' and tooltip's fonts (as in player.css).
PLAYER_FONTS = 'system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif'

__all__ = [
    "DATA_VERSION",
    "background_image",
    "compact_script",
    "notebook_html",
    "overlay_artists",
    "page_data",
    "page_html",
    "player_script",
]


# --- the pictures that do not move --------------------------------------------------
def overlay_artists(figure: RaceFigure) -> list:
    """Static artists the figure draws above the trails (the glyphs' key): the page lays
    them over its canvas, as a picture of their own."""
    moving = {id(a) for a in (*figure.moving, *figure.occasional)}
    axes = [ax for ax in (getattr(figure, "ax", None), getattr(figure, "ax3d", None)) if ax]
    found = []
    for ax in dict.fromkeys(axes):
        for child in ax.get_children():
            if id(child) in moving or not child.get_visible() or child.get_zorder() <= TRAIL_Z:
                continue
            if hasattr(child, "get_text") and not child.get_text():
                continue
            found.append(child)
    return found


def _drawn(figure: RaceFigure, hidden: list) -> np.ndarray:
    """The figure's pixels (RGBA) with ``hidden`` artists left out."""
    visible = [artist.get_visible() for artist in hidden]
    for artist in hidden:
        artist.set_visible(False)
    try:
        figure.canvas.draw()
        return np.asarray(figure.canvas.buffer_rgba()).copy()
    finally:
        for artist, was in zip(hidden, visible):
            artist.set_visible(was)


def background_image(figure: RaceFigure, also_hidden=()) -> tuple[str, bytes]:
    """(MIME type, bytes): the frame with every moving and occasional artist hidden, and
    the overlay and ``also_hidden`` ones, as a lossless image. An opaque one is mapped,
    like the GIF, to one palette of 255 colours that keeps the picture's marker and text
    colours exactly."""
    hidden = [
        *figure.moving,
        *figure.occasional,
        figure.scoreboard.counter_frame,
        *overlay_artists(figure),
        *also_hidden,
    ]
    rgba = _drawn(figure, hidden)
    if figure.style.transparent:
        return encode_image(Image.fromarray(rgba, "RGBA"))
    palette = build_palette(rgba[..., :3], figure.key_colors)
    # Each distinct colour is matched once, then spread to its pixels.
    colors, where = np.unique(_pack(rgba[..., :3]), return_inverse=True)
    indices = NearestColor(palette)(colors)[where].reshape(rgba.shape[:2])
    image = Image.fromarray(indices.astype(np.uint8), "P")
    image.putpalette(palette.astype(np.uint8).ravel().tolist())
    return encode_image(image)


def overlay_image(figure: RaceFigure) -> tuple[str, bytes] | None:
    """(MIME type, bytes) of the overlay artists alone on a clear picture, or None."""
    shown = overlay_artists(figure)
    if not shown:
        return None
    keep = {id(a) for a in shown}
    hidden: list[Artist] = [figure.figure.patch]
    for ax in figure.figure.axes:
        hidden += [ax.patch, *ax.spines.values()]
        hidden += [child for child in ax.get_children() if id(child) not in keep]
    hidden += [
        child
        for child in figure.figure.get_children()
        if child not in figure.figure.axes and child is not figure.figure.patch
    ]
    rgba = _drawn(figure, hidden)
    return encode_image(Image.fromarray(rgba, "RGBA"))


def encode_image(image: Image.Image) -> tuple[str, bytes]:
    """(MIME type, bytes): lossless WebP, a sixth smaller than PNG for these pictures,
    or PNG where Pillow was built without WebP. (Method 3 at half effort: a few per cent
    larger than the slowest setting, in a tenth of its time.)"""
    buffer = io.BytesIO()
    if features.check("webp"):
        image.convert("RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB").save(
            buffer, format="WEBP", lossless=True, quality=50, method=3
        )
        return "image/webp", buffer.getvalue()
    image.save(buffer, format="PNG", optimize=True)
    return "image/png", buffer.getvalue()


def _data_uri(picture: tuple[str, bytes]) -> str:
    mime, data = picture
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


# --- the glyphs the reader's fonts may lack ------------------------------------------
def _page_text(figure: RaceFigure, data: dict) -> str:
    """Every character the page's script and controls write in the browser: the words
    of the language (statuses, counter, tooltip, speed), labels, hyperparameters, and
    what the knobs write (their labels, digits of rates)."""
    texts = [
        *figure.stage.words.as_dict().values(),
        *(racer["label"] + racer["hyperparameters"] for racer in data["racers"]),
        *(panel.get("label", "") for panel in data["panels"]),  # the tooltip's
        *(meta.get("lossSymbol") or "" for meta in (data["runs"] or {}).get("meta", ())),
    ]
    knobs = data.get("knobs")
    if knobs:
        texts.append("0123456789.e−-+ ")
        for racer in knobs["racers"]:
            for key in ("labels", "hypers"):
                value = racer.get(key, "")
                texts += [value] if isinstance(value, str) else value
            texts.append(racer.get("fixed") or "")
        for key in ("labels", "hypers"):
            for value in (knobs.get("pad") or {}).get(key, []):
                texts += [value] if isinstance(value, str) else value
    return "".join(texts)


# --- the page ---------------------------------------------------------------------
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


#: The player's parts, joined in this order into one function (they share its variables);
#: each optional one only when the page's data has its part (key -> file).
SCRIPT_PARTS = ("player/race.js", "player/views.js", "player/draw.js")
OPTIONAL_PARTS = {
    "glyphs": ("player/glyphs.js",),
    "panels": ("player/panels.js",),
    "packed": ("player/packed.js",),
    "swarm": ("player/swarm.js",),
    "pad": ("player/pad.js",),
    "knobs": ("player/heads.js", "player/sliders.js", "player/chart.js", "player/knobs.js"),
}
LAST_PART = "player/controls.js"


def player_script(data: dict | None = None) -> str:
    """The player for a page with ``data`` (None: every part): its parts inside one
    function, so nothing leaks into the page but ``window.animPlayer``."""
    parts = [
        *SCRIPT_PARTS,
        *(
            path
            for key, paths in OPTIONAL_PARTS.items()
            for path in paths
            if data is None
            or data.get(key)
            or (key == "pad" and (data.get("knobs") or {}).get("pad"))
            or (key == "packed" and (data.get("knobs") or data.get("swarm")))
        ),
        LAST_PART,
    ]
    return '(function () {\n"use strict";\n' + "".join(map(_asset, parts)) + "})();\n"


def compact_script(source: str) -> str:
    """``source`` without comments and the whitespace the language does not need (rjsmin,
    a well-kept minifier that understands regular expressions and strings; names are
    kept, so the page's script stays readable to a curious reader): a third of the bytes."""
    import rjsmin

    return rjsmin.jsmin(source)


def _script_json(data: dict) -> str:
    """JSON that cannot end the <script> element it sits in."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def page_html(
    figure: RaceFigure,
    *,
    fps: float,
    loss_refresh: int,
    title: str,
    comment: str = "",
    optimizers=None,
    knobs=None,
) -> str:
    """The complete page for ``figure`` (built at the render's size, as for a still);
    ``optimizers`` are the scene's, ``knobs`` the races of :func:`anim.knobs.knob_races`."""
    style, theme = figure.style, figure.stage.theme
    data = page_data(figure, fps, loss_refresh, optimizers, knobs)
    fonts, families, faces = embedded_fonts(figure.stage.typeface, _page_text(figure, data))
    data["font"].update(
        sans=with_families(SANS, families), mono=with_families(MONO, families), embedded=faces
    )
    drawn_labels = [
        figure.scoreboard.label_texts[racer["racer"]]
        for racer in (data["knobs"] or {}).get("racers", ())
        if not racer["fixed"]
    ]
    background = _data_uri(background_image(figure, drawn_labels))
    overlay = overlay_image(figure)
    page = "transparent" if style.transparent else theme.page
    css = (
        _asset("player/player.css")
        .replace("$PAGE", page)
        .replace("$TEXT", theme.text)
        .replace("$MUTED", theme.muted)
    )
    if families:
        player = with_families(PLAYER_FONTS, families)
        css += f"\n{fonts}\n.anim-player {{ font-family: {player}; }}"
    speeds = "".join(
        f'<option value="{s}"{" selected" if s == 1 else ""}>{s:g}×</option>' for s in SPEEDS
    )
    names = [racer["label"] for racer in data["racers"]]
    alt = html.escape(f"{title}: " + ", ".join(names))
    size = f'width="{style.width}" height="{style.height}"'
    over = (
        ""
        if overlay is None
        else f'<img class="anim-overlay" {size} alt="" src="{_data_uri(overlay)}">\n'
    )
    return f"""<!DOCTYPE html>
<html lang="{style.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{html.escape(comment)}">
<title>{html.escape(title)}</title>
<style>{css}</style>
</head>
<body>
<div class="anim-player" style="max-width:{style.width}px">
<div class="anim-stage" style="aspect-ratio:{style.width}/{style.height}">
<img class="anim-background" {size} alt="{alt}" src="{background}">
<canvas class="anim-racers" aria-hidden="true"></canvas>
{over}<div class="anim-tip" role="tooltip" hidden></div>
</div>
<div class="anim-controls">
<div class="anim-buttons">
<button type="button" class="anim-play" aria-label="Play (space)"
 title="Play / pause (space)">▶&#xFE0E;</button>
<button type="button" class="anim-back" aria-label="Step back (←)"
 title="Step back (←)">←</button>
<button type="button" class="anim-forward" aria-label="Step forward (→)"
 title="Step forward (→)">→</button>
</div>
<input type="range" class="anim-scrubber" min="0" max="{data["steps"]}" step="1" value="0"
 aria-label="Step">
<div class="anim-readouts">
<output class="anim-step">0 / {data["steps"]}</output>
<label class="anim-speed-label">{html.escape(figure.stage.words.speed)}
 <select class="anim-speed">{speeds}</select></label>
</div>
</div>
<div class="anim-knobs" hidden></div>
<script type="application/json" class="anim-data">{_script_json(data)}</script>
<script>{compact_script(player_script(data))}</script>
</div>
</body>
</html>
"""


def notebook_html(page: str, width: int, height: int) -> str:
    """``page`` in an ``<iframe srcdoc>``: its script, styles and key bindings stay
    inside, whatever the notebook around it does; the page sets the frame's height."""
    return (
        f'<iframe srcdoc="{html.escape(page, quote=True)}" data-anim-fit '
        f'style="width:100%;max-width:{width}px;height:{height + 48}px;border:0" '
        f'title="anim race"></iframe>'
    )
