"""A race from many starts, for the page: per view, what the swarm layer draws — every
start's trail and head in the view's pixels (the 3D view's projected, with the
stretches a hill hides), as the layer computed them once — packed compactly
(encoding.py); per start its arrival and divergence, from which the player counts the
scoreboard's rows; the panels' medians and bands (panels.py)."""

from __future__ import annotations

import numpy as np

from .encoding import PIXEL_SHARE, Packer, floats
from .geometry import marker
from .views import view_kinds

#: Pixels are kept to this share of a pixel (as the knobs' races).
SHARE = PIXEL_SHARE


def _canvas(figure, ax, points: np.ndarray) -> np.ndarray:
    """Points (..., 2) in ``ax``'s coordinates as canvas pixels; NaN stays NaN."""
    finite = np.isfinite(points).all(axis=-1)
    flat = ax.transData.transform(np.where(finite[..., None], points, 0.0).reshape(-1, 2))
    flat = flat.reshape(points.shape)
    flat[~finite] = np.nan
    return np.stack([flat[..., 0], figure.style.height - flat[..., 1]], axis=-1)


def _layers(figure):
    """(kind, layer, axes) of every view, in the order of views.py."""
    return [
        ("3d", figure.racers3d, figure.ax3d) if kind == "3d" else ("2d", figure.racers, figure.ax)
        for kind in view_kinds(figure)
    ]


def _style(collection) -> dict:
    offset, dashes = collection.get_linestyle()[0]
    return {
        "width": float(collection.get_linewidth()[0]),
        "alpha": collection.get_alpha(),
        "z": collection.get_zorder(),
        "dashes": None if not dashes else [float(d) for d in dashes],
    }


def swarm_looks(figure) -> list[dict]:
    """Per racer, its small head (for the tooltip's hit test and the scoreboard)."""
    _, layer, _ = _layers(figure)[-1]
    looks = []
    for head, finished in zip(layer.heads, layer.finished):
        racing = marker(head)
        looks.append({"racing": racing, "arrived": marker(finished), "diverged": racing})
    return looks


def swarm_data(figure) -> dict:
    """Per view: every start's trail (the points in sight, and those behind a hill) and
    head up to where it stops, packed in the order the player reads them (view, racer,
    start: x, y, [in sight, behind,] [head x, head y]); the trails' and heads' looks and
    drawing order; the starts' arrivals and divergences (racers, starts)."""
    result = figure.result
    packer = Packer()
    views = []
    for _, layer, ax in _layers(figure):
        trails = _canvas(figure, ax, layer.trails)
        behind = None if layer.behind is None else _canvas(figure, ax, layer.behind)
        heads = _canvas(figure, ax, layer.head_points)
        last = layer.shown[..., -1]
        moved = []
        for i in range(len(result.optimizers)):
            for s in range(result.count):
                end = int(last[i, s]) + 1
                seen = trails[i, s, :end]
                points = (
                    seen
                    if behind is None
                    else np.where(np.isfinite(seen), seen, behind[i, s, :end])
                )
                packer.linear(points[:, 0], SHARE)
                packer.linear(points[:, 1], SHARE)
                if behind is not None:
                    packer.flags(np.isfinite(seen[:, 0]))
                    packer.flags(np.isfinite(behind[i, s, :end, 0]))
                head = heads[i, s, :end]
                with np.errstate(invalid="ignore"):
                    differs = ~(np.abs(head - points) <= 1e-3).all(axis=-1)
                if np.any(differs & np.isfinite(head).all(axis=-1)):
                    moved.append(i * result.count + s)
                    packer.linear(head[:, 0], SHARE)
                    packer.linear(head[:, 1], SHARE)
        views.append(
            {
                "trails": [_style(c) for c in layer.baked],
                "behind": [_style(c) for c in layer.baked_behind] if behind is not None else None,
                "heads": [marker(line) for line in layer.heads],
                "finished": [marker(line) for line in layer.finished],
                "movedHeads": moved,
            }
        )
    return {
        "count": result.count,
        "share": SHARE,
        "views": views,
        "held": not bool(getattr(result, "noise", 0.0)),
        "arrival": floats(result.arrival_step, "<i4"),
        "diverged": floats(result.diverged_step, "<i4"),
        "packed": packer.packed(),
    }
