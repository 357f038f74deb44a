"""The race as one self-contained HTML page: play, pause, scrub and hover.

The page shows the same picture as the GIF. Everything that does not move (title,
surface, axes, the scoreboard's names) is drawn once by matplotlib and embedded as a
lossless image (WebP, which every current browser shows; PNG where Pillow lacks it);
``player/*.js`` (hand-written, no library) draws the trails, heads, goal and start markers,
loss curves, statuses and step counter on a canvas over it, from the race's numbers and
the figure's own geometry: the plot's data-to-pixel transform, where the figure draws each
head at each step (``RacersLayer.head_positions``, already fanned out), the marker shapes,
line widths and text positions. So at the render's size a head lands on the same pixels
as in ``anim still --frame K``.

Nothing is loaded from anywhere: the picture, the numbers and the script are inline, and
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
from matplotlib.colors import to_hex
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path as MplPath
from PIL import Image, features

from . import board
from .figure import RaceFigure
from .gif import NearestColor, _pack, build_palette
from .race import RaceResult
from .webfonts import embedded_fonts, with_families

#: Bumped when the data the script reads changes shape.
DATA_VERSION = 2
#: The browser's fonts closest to matplotlib's (DejaVu ships with most Linux systems).
SANS = '"DejaVu Sans", "Bitstream Vera Sans", Verdana, "Segoe UI", Arial, sans-serif'
MONO = '"DejaVu Sans Mono", "Bitstream Vera Sans Mono", Menlo, Consolas, monospace'
SPEEDS = (0.25, 0.5, 1, 2, 4, 8)
#: The controls' and tooltip's fonts (as in player.css).
PLAYER_FONTS = 'system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif'


# --- the picture that does not move -------------------------------------------------
def background_image(figure: RaceFigure) -> tuple[str, bytes]:
    """(MIME type, bytes): the frame with every moving and occasional artist hidden
    (title, surface, axes, the scoreboard's names), as a lossless image. An opaque one is
    mapped, like the GIF, to one palette of 255 colours that keeps the picture's marker
    and text colours exactly."""
    hidden = [*figure.moving, *figure.occasional, figure.scoreboard.counter_frame]
    visible = [artist.get_visible() for artist in hidden]
    for artist in hidden:
        artist.set_visible(False)
    try:
        figure.canvas.draw()
        rgba = np.asarray(figure.canvas.buffer_rgba()).copy()
    finally:
        for artist, was in zip(hidden, visible):
            artist.set_visible(was)
    if figure.style.transparent:
        image = Image.fromarray(rgba, "RGBA")
    else:
        palette = build_palette(rgba[..., :3], figure.key_colors)
        # Each distinct colour is matched once, then spread to its pixels.
        colors, where = np.unique(_pack(rgba[..., :3]), return_inverse=True)
        indices = NearestColor(palette)(colors)[where].reshape(rgba.shape[:2])
        image = Image.fromarray(indices.astype(np.uint8), "P")
        image.putpalette(palette.astype(np.uint8).ravel().tolist())
    return encode_image(image)


def encode_image(image: Image.Image) -> tuple[str, bytes]:
    """(MIME type, bytes): lossless WebP, a sixth smaller than PNG for these pictures,
    or PNG where Pillow was built without WebP. (Method 3 at half effort: a few per cent
    larger than the slowest setting, in a tenth of its time.)"""
    buffer = io.BytesIO()
    if features.check("webp"):
        image.convert("RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB").save(
            buffer, format="WEBP", lossless=True, quality=50, method=3)
        return "image/webp", buffer.getvalue()
    image.save(buffer, format="PNG", optimize=True)
    return "image/png", buffer.getvalue()


# --- the geometry and numbers the script draws from ---------------------------------
def _hex(color) -> str:
    return to_hex(color, keep_alpha=False)


def _outline(symbol: str) -> dict:
    """A marker's outline at size 1 (points), y pointing down: segments [letter, x, y,
    ...] (M, L, Q, C, Z), its line join, and whether Agg snaps it to the pixel grid
    (outlines of horizontal and vertical lines only)."""
    style = MarkerStyle(symbol)
    path = style.get_path().transformed(style.get_transform())
    letters = {MplPath.MOVETO: "M", MplPath.LINETO: "L", MplPath.CURVE3: "Q",
               MplPath.CURVE4: "C", MplPath.CLOSEPOLY: "Z"}
    segments, snaps, last = [], True, None
    for vertices, code in path.iter_segments(simplify=False, curves=True):
        points = np.asarray(vertices, dtype=float).reshape(-1, 2) * (1, -1)
        segments.append([letters[code]] + ([] if code == MplPath.CLOSEPOLY else
                                           [round(float(v), 6) + 0.0 for v in points.ravel()]))
        if code in (MplPath.CURVE3, MplPath.CURVE4):
            snaps = False
        elif code == MplPath.LINETO and last is not None:
            dx, dy = np.abs(points[-1] - last)
            snaps &= bool(dx < 1e-9 or dy < 1e-9)
        if code != MplPath.CLOSEPOLY:
            last = points[-1]
    return {"segments": segments, "join": style.get_joinstyle(), "snaps": snaps}


def _marker(line, symbol=None) -> dict:
    """How a Line2D draws its marker: shape, size and edge in points, colours."""
    face = line.get_markerfacecolor()
    rim = None
    for effect in line.get_path_effects():
        stroke = getattr(effect, "_gc", None)  # a Stroke under the marker (a rim)
        if stroke:
            rim = {"width": stroke["linewidth"], "color": _hex(stroke["foreground"])}
    return {"symbol": symbol or line.get_marker(), "size": line.get_markersize(),
            "face": None if str(face).lower() == "none" else _hex(face),
            "edge": _hex(line.get_markeredgecolor()), "width": line.get_markeredgewidth(),
            "rim": rim}


def _canvas_point(figure: RaceFigure, x: float, y: float) -> list[float]:
    """Display pixels (origin bottom left) -> canvas pixels (origin top left)."""
    return [round(float(x), 3), round(figure.style.height - float(y), 3)]


def _box(figure: RaceFigure, axes) -> list[float]:
    x0, y0, width, height = axes.bbox.bounds
    return [*_canvas_point(figure, x0, y0 + height), round(width, 3), round(height, 3)]


def _text_spot(figure: RaceFigure, text) -> dict:
    x, y = text.get_transform().transform(text.get_position())
    return {"at": _canvas_point(figure, x, y), "align": text.get_horizontalalignment()}


def _shown_rule(row: np.ndarray) -> tuple[int, int]:
    """``shown`` of one racer as (from, at): step k shows path index k before ``from``
    and ``at`` from then on (where it arrived, or its last point before diverging)."""
    steps = np.arange(row.size)
    moved = np.flatnonzero(row != steps)
    start = int(moved[0]) if moved.size else row.size
    at = int(row[start]) if moved.size else row.size - 1
    expected = np.where(steps < start, steps, at)
    if not np.array_equal(expected, row):
        raise ValueError("a racer's shown steps are not 'move, then stay': the page "
                         "cannot show them")
    return start, at


def _hyperparameters(optimizer) -> str:
    def value(v):
        if isinstance(v, (list, tuple)):
            return "(" + ", ".join(value(x) for x in v) + ")"
        return f"{v:g}" if isinstance(v, float) else str(v)

    return " · ".join(f"{key} {value(v)}" for key, v in optimizer.hyperparameters.items())


def _array(values: np.ndarray, dtype: str) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode()


def page_data(figure: RaceFigure, fps: float, loss_refresh: int) -> dict:
    """Everything the script needs, JSON-ready; positions in canvas pixels at the
    render's size (origin top left)."""
    result: RaceResult = figure.result
    style, theme, racers_layer = figure.style, figure.stage.theme, figure.racers
    height = style.height
    ax = figure.ax
    matrix = ax.transData.get_matrix()
    if ax.get_xscale() != "linear" or ax.get_yscale() != "linear":
        raise ValueError("the page draws on linear axes only")
    to_pixel = [float(matrix[0, 0]), float(matrix[0, 2]), -float(matrix[1, 1]),
                height - float(matrix[1, 2])]
    runs, run_points = _head_runs(figure)
    places = board.places(result)
    symbols = {"o", "X", "*"}
    racers = []
    for i, (optimizer, racer) in enumerate(zip(result.optimizers, figure.stage.racers)):
        head = racers_layer.heads[i]
        looks = {}
        for state in ("racing", "arrived", "diverged"):
            racers_layer._style_head(i, state)
            looks[state] = _marker(head)
            looks[state]["z"] = head.get_zorder()
        racers_layer._style_head(i, racers_layer.head_states[i])
        trail = racers_layer.trails[i]
        shown_from, shown_at = _shown_rule(racers_layer.shown[i])
        symbols.add(racer.marker)
        racers.append({
            "label": racer.label, "name": optimizer.name, "color": _hex(racer.color),
            "hyperparameters": _hyperparameters(optimizer),
            "trail": {"width": trail.get_linewidth(), "alpha": trail.get_alpha(),
                      "dot": trail.get_markersize(),
                      "dots": racers_layer.dots[i].tolist()},
            "head": looks,
            "status": _text_spot(figure, figure.scoreboard.statuses[i]),
            "arrival": result.arrival_step[i], "diverged": result.diverged_step[i],
            "place": places.get(i),
            "arrivedAt": None if result.arrived_at[i] is None
            else [float(v) for v in result.arrived_at[i]],
            "shownFrom": shown_from, "shownAt": shown_at,
        })
    landmarks = []
    for line in figure.surface.moving:  # the goal stars, then the start ring
        x, y = ax.transData.transform(np.column_stack(line.get_data())[0])
        landmarks.append({**_marker(line), "at": _canvas_point(figure, x, y)})
        symbols.add(line.get_marker())
    return {
        "version": DATA_VERSION,
        "width": style.width, "height": height, "scale": style.dpi / 72,
        "fps": fps, "lossRefresh": loss_refresh, "steps": result.steps,
        "speeds": SPEEDS, "transparent": style.transparent,
        "colors": {"page": _hex(theme.page), "text": _hex(theme.text),
                   "muted": _hex(theme.muted)},
        "font": {"size": figure.scoreboard.statuses[0].get_fontsize() * style.dpi / 72,
                 "sans": SANS, "mono": MONO},
        "words": figure.stage.words.as_dict(),
        "plot": {"box": _box(figure, ax), "toPixel": to_pixel,
                 "xlim": list(ax.get_xlim()), "ylim": list(ax.get_ylim())},
        "markers": {symbol: _outline(symbol) for symbol in sorted(symbols)},
        "landmarks": landmarks,
        "landmarkZ": max(line.get_zorder() for line in figure.surface.moving),
        "goals": len(result.goals),
        "counter": {**_text_spot(figure, figure.scoreboard.step_text),
                    "digits": len(str(result.steps))},
        "racers": racers,
        "panel": _panel(figure),
        "arrays": {"paths": _array(result.paths, "<f4"),
                   "losses": _array(result.losses, "<f8"),
                   "headRuns": _array(runs, "<i4"), "headPoints": _array(run_points, "<f4")},
    }


def _head_runs(figure: RaceFigure) -> tuple[np.ndarray, np.ndarray]:
    """Where a head is not drawn on its path's point (fanned out, or a ✗ at the edge),
    as runs (racer, first step, last step) (m, 3) and their canvas pixels (m, 2): the
    script draws every other head at its path's point."""
    result, layer = figure.result, figure.racers
    height = figure.style.height

    def pixels(points):
        flat = figure.ax.transData.transform(points.reshape(-1, 2)).reshape(points.shape)
        return np.stack([flat[..., 0], height - flat[..., 1]], axis=-1)

    heads = pixels(layer.head_positions)
    on_path = pixels(np.take_along_axis(result.paths, layer.shown[..., None], axis=1))
    with np.errstate(invalid="ignore"):
        moved = ~np.all(np.abs(heads - on_path) <= 1e-3, axis=-1)
    runs, points = [], []
    for i in range(len(result.optimizers)):
        steps = np.flatnonzero(moved[i])
        for k in steps:
            if runs and runs[-1][0] == i and runs[-1][2] == k - 1 and np.array_equal(
                    points[-1], heads[i, k]):
                runs[-1][2] = k
            else:
                runs.append([i, int(k), int(k)])
                points.append(heads[i, k])
    return (np.array(runs, dtype=np.int32).reshape(-1, 3),
            np.array(points, dtype=np.float64).reshape(-1, 2))


def _panel(figure: RaceFigure):
    panel = figure.loss_panel
    if panel is None:
        return None
    line = panel.lines[0]
    return {"box": _box(figure, panel.ax), "xlim": list(panel.ax.get_xlim()),
            "ylim": list(panel.ax.get_ylim()), "yscale": panel.ax.get_yscale(),
            "origin": float(panel.origin), "width": line.get_linewidth(),
            "marker": {"size": line.get_markersize(), "width": line.get_markeredgewidth()}}


# --- the glyphs the reader's fonts may lack ------------------------------------------
def _page_text(figure: RaceFigure) -> str:
    """Every character the page's script and controls write in the browser: the words
    of the language (statuses, counter, tooltip, speed), labels, hyperparameters."""
    racers = zip(figure.result.optimizers, figure.stage.racers)
    return "".join([*figure.stage.words.as_dict().values(),
                    *(racer.label + _hyperparameters(optimizer) for optimizer, racer in racers)])


# --- the page ---------------------------------------------------------------------
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


#: The player's parts, joined in this order into one function (they share its variables).
SCRIPT_PARTS = ("player/race.js", "player/draw.js", "player/controls.js")


def player_script() -> str:
    """The player: its parts inside one function, so nothing leaks into the page but
    ``window.animPlayer``."""
    return "(function () {\n\"use strict\";\n" + "".join(map(_asset, SCRIPT_PARTS)) + "})();\n"


def compact_script(source: str) -> str:
    """``source`` without indentation, blank lines and whole-line comments (a quarter
    fewer bytes); lines stay lines, so no statement can run into the next."""
    kept = []
    for line in source.splitlines():
        line = line.strip()
        if line and not line.startswith(("//", "/*", "*")):
            kept.append(line)
    return "\n".join(kept)


def _script_json(data: dict) -> str:
    """JSON that cannot end the <script> element it sits in."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def page_html(figure: RaceFigure, *, fps: float, loss_refresh: int, title: str,
              comment: str = "") -> str:
    """The complete page for ``figure`` (built at the render's size, as for a still)."""
    style, theme = figure.style, figure.stage.theme
    data = page_data(figure, fps, loss_refresh)
    fonts, families, faces = embedded_fonts(figure.stage.typeface, _page_text(figure))
    data["font"].update(sans=with_families(SANS, families),
                        mono=with_families(MONO, families), embedded=faces)
    mime, picture = background_image(figure)
    image = base64.b64encode(picture).decode()
    page = "transparent" if style.transparent else theme.page
    css = (_asset("player/player.css").replace("$PAGE", page).replace("$TEXT", theme.text)
           .replace("$MUTED", theme.muted))
    if families:
        player = with_families(PLAYER_FONTS, families)
        css += f"\n{fonts}\n.anim-player {{ font-family: {player}; }}"
    speeds = "".join(f'<option value="{s}"{" selected" if s == 1 else ""}>{s:g}×</option>'
                     for s in SPEEDS)
    alt = html.escape(f"{title}: " + ", ".join(r.label for r in figure.stage.racers))
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
<img class="anim-background" width="{style.width}" height="{style.height}" alt="{alt}" src="data:{mime};base64,{image}">
<canvas class="anim-racers" aria-hidden="true"></canvas>
<div class="anim-tip" role="tooltip" hidden></div>
</div>
<div class="anim-controls">
<button type="button" class="anim-play" aria-label="Play (space)" title="Play / pause (space)">▶&#xFE0E;</button>
<button type="button" class="anim-back" aria-label="Step back (←)" title="Step back (←)">←</button>
<button type="button" class="anim-forward" aria-label="Step forward (→)" title="Step forward (→)">→</button>
<input type="range" class="anim-scrubber" min="0" max="{data['steps']}" step="1" value="0" aria-label="Step">
<output class="anim-step">0 / {data['steps']}</output>
<label class="anim-speed-label">{html.escape(figure.stage.words.speed)} <select class="anim-speed">{speeds}</select></label>
</div>
<script type="application/json" class="anim-data">{_script_json(data)}</script>
<script>{compact_script(player_script())}</script>
</div>
</body>
</html>
"""


def notebook_html(page: str, width: int, height: int) -> str:
    """``page`` in an ``<iframe srcdoc>``: its script, styles and key bindings stay
    inside, whatever the notebook around it does; the page sets the frame's height."""
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" data-anim-fit '
            f'style="width:100%;max-width:{width}px;height:{height + 48}px;border:0" '
            f'title="anim race"></iframe>')
