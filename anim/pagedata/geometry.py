"""Where and how the figure draws things, in the page's terms: canvas pixels at the
render's size (origin top left, y down), colours as #rrggbb, marker outlines as path
segments, text spots."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_hex
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path as MplPath


def hex_color(color) -> str:
    return to_hex(color, keep_alpha=False)


def outline(symbol: str) -> dict:
    """A marker's outline at size 1 (points), y pointing down: segments [letter, x, y,
    ...] (M, L, Q, C, Z), its line join, and whether Agg snaps it to the pixel grid
    (outlines of horizontal and vertical lines only)."""
    style = MarkerStyle(symbol)
    path = style.get_path().transformed(style.get_transform())
    letters = {
        MplPath.MOVETO: "M",
        MplPath.LINETO: "L",
        MplPath.CURVE3: "Q",
        MplPath.CURVE4: "C",
        MplPath.CLOSEPOLY: "Z",
    }
    segments, snaps, last = [], True, None
    for vertices, code in path.iter_segments(simplify=False, curves=True):
        points = np.asarray(vertices, dtype=float).reshape(-1, 2) * (1, -1)
        segments.append(
            [letters[code]]
            + (
                []
                if code == MplPath.CLOSEPOLY
                else [round(float(v), 6) + 0.0 for v in points.ravel()]
            )
        )
        if code in (MplPath.CURVE3, MplPath.CURVE4):
            snaps = False
        elif code == MplPath.LINETO and last is not None:
            dx, dy = np.abs(points[-1] - last)
            snaps &= bool(dx < 1e-9 or dy < 1e-9)
        if code != MplPath.CLOSEPOLY:
            last = points[-1]
    return {"segments": segments, "join": style.get_joinstyle(), "snaps": snaps}


def marker(line, symbol=None) -> dict:
    """How a Line2D draws its marker: shape, size and edge in points, colours, z-order."""
    face = line.get_markerfacecolor()
    rim = None
    for effect in line.get_path_effects():
        stroke = getattr(effect, "_gc", None)  # a Stroke under the marker (a rim)
        if stroke:
            rim = {"width": stroke["linewidth"], "color": hex_color(stroke["foreground"])}
    alpha = line.get_alpha()
    return {
        "symbol": symbol or line.get_marker(),
        "size": line.get_markersize(),
        "face": None if str(face).lower() == "none" else hex_color(face),
        "edge": hex_color(line.get_markeredgecolor()),
        "width": line.get_markeredgewidth(),
        "rim": rim,
        "alpha": 1 if alpha is None else alpha,
        "z": line.get_zorder(),
    }


def canvas_point(height: float, x: float, y: float) -> list[float]:
    """Display pixels (origin bottom left) -> canvas pixels (origin top left)."""
    return [round(float(x), 3), round(height - float(y), 3)]


def box(height: float, axes) -> list[float]:
    """The axes' box in canvas pixels: [left, top, width, height]."""
    x0, y0, width, tall = axes.bbox.bounds
    return [*canvas_point(height, x0, y0 + tall), round(width, 3), round(tall, 3)]


def text_spot(height: float, text) -> dict:
    x, y = text.get_transform().transform(text.get_position())
    return {"at": canvas_point(height, x, y), "align": text.get_horizontalalignment()}


def line_style(line) -> dict:
    """A Line2D's stroke: width (points), opacity and dashes (points, as drawn)."""
    _, dashes = line._dash_pattern  # already scaled by the width, as Agg draws them
    alpha = line.get_alpha()
    return {
        "width": line.get_linewidth(),
        "alpha": 1 if alpha is None else alpha,
        "dashes": None if not dashes else [float(d) for d in dashes],
        "dot": line.get_markersize() if line.get_marker() not in (None, "None", "") else 0,
    }
