"""The plot views the page draws on — the contour view and the 3D view, one or both — as
the player needs them: how a point of the race becomes a canvas pixel, how trails and
heads look there, the goal and start markers, and, per race shown, the numbers that
belong to a view (a diverged head's place at the edge, the steps a hill hides).

The contour view maps (x, y) with one affine transform. The 3D view's camera is fixed
and orthographic, so a point (x, y, z) becomes a pixel by one affine transform too
(matplotlib's projection and its axes' transform composed); z is the height the figure
lifts a point of loss f to (terrain.py).
"""

from __future__ import annotations

import numpy as np

from .. import board
from ..figure.racers import FAN_GAP
from ..figure.racers3d import to_pixels
from ..figure.theme import HEAD_SIZE
from .geometry import box, canvas_point, line_style, marker


def fan_gap(figure) -> float:
    """Heads closer than this (pixels) are fanned out, as the figure does."""
    return FAN_GAP * HEAD_SIZE * figure.style.dpi / 72


def views(figure) -> list[dict]:
    """The views in the figure, left to right (the 3D view first in "both")."""
    shown = []
    if figure.style.view != "2d":
        shown.append(view_3d(figure))
    if figure.style.view != "3d":
        shown.append(view_2d(figure))
    return shown


def _landmarks(figure, lines, ax) -> list[dict]:
    height = figure.style.height
    found = []
    for line in lines:
        x, y = ax.transData.transform(np.column_stack(line.get_data())[0])
        found.append({**marker(line), "at": canvas_point(height, x, y)})
    return found


def view_2d(figure) -> dict:
    ax, layer, height = figure.ax, figure.racers, figure.style.height
    if ax.get_xscale() != "linear" or ax.get_yscale() != "linear":
        raise ValueError("the page draws on linear axes only")
    matrix = ax.transData.get_matrix()
    # One line per racer (a swarm's trails are the swarm's: swarm.py).
    trails = [] if board.is_swarm(figure.result) else [line_style(t) for t in layer.trails]
    return {
        "kind": "2d",
        "box": box(height, ax),
        "toPixel": [
            float(matrix[0, 0]),
            float(matrix[0, 2]),
            -float(matrix[1, 1]),
            height - float(matrix[1, 2]),
        ],
        "xlim": list(ax.get_xlim()),
        "ylim": list(ax.get_ylim()),
        "trails": trails,
        "fanGap": fan_gap(figure),
        "landmarks": _landmarks(figure, figure.surface.moving, ax),
    }


def projection(figure) -> list[list[float]]:
    """The 2 × 4 matrix taking (x, y, z, 1) to canvas pixels in the fixed 3D view."""
    ax, height = figure.ax3d, figure.style.height
    corners = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    z0, z1 = ax.get_zlim()
    scale = np.array([x1 - x0, y1 - y0, z1 - z0])
    points = np.array([x0, y0, z0]) + corners * scale
    pixels = to_pixels(ax, points)
    pixels[:, 1] = height - pixels[:, 1]
    origin = pixels[0]
    axes = (pixels[1:] - origin) / scale[:, None]  # pixels per data unit along x, y, z
    offset = origin - np.array([x0, y0, z0]) @ axes
    return [
        [float(axes[0, 0]), float(axes[1, 0]), float(axes[2, 0]), float(offset[0])],
        [float(axes[0, 1]), float(axes[1, 1]), float(axes[2, 1]), float(offset[1])],
    ]


def view_3d(figure) -> dict:
    if figure.style.orbit:
        raise ValueError("the page shows the 3D view from one camera; an orbit is a video")
    ax, height, terrain, layer = figure.ax3d, figure.style.height, figure.terrain, figure.racers3d
    swarm = board.is_swarm(figure.result)
    (x0, x1), (y0, y1) = terrain.bounds
    z0, z1 = terrain.zlim
    return {
        "kind": "3d",
        "box": box(height, ax),
        "project": projection(figure),
        "clip": [float(v) for v in (x0, x1, y0, y1, z0, z1)],
        "height": {
            "log": terrain.logarithmic,
            "lowest": terrain.lowest,
            "delta": terrain.delta,
            "lift": terrain.lift,
        },
        "trails": [] if swarm else [line_style(trail) for trail in layer.trails],
        "behind": [] if swarm else [line_style(line) for line in layer.behind],
        "fanGap": fan_gap(figure),
        "landmarks": _landmarks(figure, figure.surface3d.moving, ax),
    }


# --- per race: the numbers of a path that depend on the view ------------------------------
def view_kinds(figure) -> list[str]:
    """The kinds of the views, in the order of :func:`views`."""
    return {"2d": ["2d"], "3d": ["3d"], "both": ["3d", "2d"]}[figure.style.view]


def hidden_steps(figure, paths: np.ndarray, losses: np.ndarray) -> np.ndarray:
    """Which points of ``paths`` (k, 2) with ``losses`` (k,) a hill hides from the 3D
    view's camera (as racers3d.py finds them for its trails)."""
    terrain = figure.terrain
    points = np.column_stack([paths, terrain.lifted(losses)])
    return terrain.hidden(points, *figure.stage.camera)
