"""The side panels for the page: the loss panel, the effective-lr panel and the fidelity
panels of projected training runs, their boxes, scales and line styles; the effective
learning rates of the race, and the fidelity panels' values, as arrays. For a swarm, the
curves the panels draw themselves — each racer's median over its starts and the
interquartile band — and where each curve ends, as the layers computed them.

What a panel draws once (axes, ticks, labels, grid, the gap panel's zero line) is in the
page's background picture; the data carries only what moves."""

from __future__ import annotations

import numpy as np

from ..figure.fidelity import QUANTITIES, FidelityPanel
from .encoding import floats
from .geometry import box, line_style, marker


def _frame(figure, panel) -> dict:
    ax = panel.ax
    return {
        "box": box(figure.style.height, ax),
        "xlim": list(ax.get_xlim()),
        "ylim": list(ax.get_ylim()),
        "yscale": ax.get_yscale(),
    }


def loss_panel(figure) -> dict | None:
    panel = figure.loss_panel
    if panel is None:
        return None
    line = panel.lines[0]
    data = {
        "kind": "loss",
        **_frame(figure, panel),
        "origin": float(panel.origin),
        "lines": [{"racer": i, **line_style(line)} for i, line in enumerate(panel.lines)],
        "marker": {"size": line.get_markersize(), "width": line.get_markeredgewidth()},
    }
    if panel.bands is not None:  # a swarm: the medians, their bands, where curves end
        data["swarm"] = {
            "values": floats(panel.values, "<f4"),
            "low": floats(panel.bands[0], "<f4"),
            "high": floats(panel.bands[1], "<f4"),
            "last": panel.until[:, -1].tolist(),
            "finish": [int(v) for v in panel.finish],
            "band": _band_style(panel.band_patches[0]),
        }
    return data


def _band_style(patch) -> dict:
    return {"alpha": patch.get_alpha(), "z": patch.get_zorder()}


def lr_panel(figure) -> dict | None:
    """The effective-lr panel: a line per chosen racer and axis (x solid, y dashed), its
    range (a value beyond it is drawn on the edge, where a triangle points out)."""
    panel = figure.lr_panel
    if panel is None:
        return None
    marks: dict[str, list[dict]] = {}
    for i, _, mark, edge in panel.marks:
        marks.setdefault(str(i), []).append({**marker(mark), "edge": float(edge)})
    data = {
        "kind": "lr",
        **_frame(figure, panel),
        "racers": list(panel.chosen),
        "low": float(panel.low),
        "high": float(panel.high) if np.isfinite(panel.high) else None,
        "lines": [{"racer": i, "axis": axis, **line_style(line)} for i, axis, line in panel.lines],
        "marks": marks,
        "rates": floats(panel.rates[list(panel.chosen)], "<f4"),
    }
    if panel.bands is not None:  # a swarm: medians (the rates above) and their bands
        chosen = list(panel.chosen)
        data["swarm"] = {
            "low": floats(panel.bands[0][chosen], "<f4"),
            "high": floats(panel.bands[1][chosen], "<f4"),
            "last": panel.until[chosen, -1].tolist(),
            "band": _band_style(panel.band_patches[0][2]),
        }
    return data


#: matplotlib's line ends as a canvas calls them.
CANVAS_CAPS = {"butt": "butt", "round": "round", "projecting": "square"}


def fidelity_panels(figure) -> list[dict]:
    """The fidelity panels of projected training runs (distance from the plane, then the
    gap L(θ) − f(x, y)), or none: per panel its quantity and axis label, a line per
    projected run, and each run's value after every step (float64, (runs, steps + 1),
    in the order of ``racers``: the layer's own, a shorter run holding its last value)."""
    found = []
    for panel in figure.layers:
        if not isinstance(panel, FidelityPanel):
            continue
        chosen = list(panel.chosen)
        found.append(
            {
                "kind": "fidelity",
                **_frame(figure, panel),
                "quantity": panel.quantity,
                "label": QUANTITIES[panel.quantity],
                "racers": chosen,
                "lines": [
                    {"racer": i, **line_style(line), "cap": CANVAS_CAPS[line.get_solid_capstyle()]}
                    for i, line in panel.lines
                ],
                "values": floats(panel.values[chosen], "<f8"),
            }
        )
    return found


def panels(figure) -> list[dict]:
    """In the figure's order: the loss panel, the lr panel, the fidelity panels."""
    return [p for p in (loss_panel(figure), lr_panel(figure)) if p is not None] + fidelity_panels(
        figure
    )
