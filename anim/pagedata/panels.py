"""The side panels for the page: the loss panel and the effective-lr panel, their boxes,
scales and line styles; the effective learning rates of the race as an array."""

from __future__ import annotations

import numpy as np

from .encoding import floats
from .geometry import box, line_style, marker


def _frame(figure, panel) -> dict:
    ax = panel.ax
    return {"box": box(figure.style.height, ax), "xlim": list(ax.get_xlim()),
            "ylim": list(ax.get_ylim()), "yscale": ax.get_yscale()}


def loss_panel(figure) -> dict | None:
    panel = figure.loss_panel
    if panel is None:
        return None
    line = panel.lines[0]
    return {"kind": "loss", **_frame(figure, panel), "origin": float(panel.origin),
            "lines": [{"racer": i, **line_style(line)} for i, line in enumerate(panel.lines)],
            "marker": {"size": line.get_markersize(), "width": line.get_markeredgewidth()}}


def lr_panel(figure) -> dict | None:
    """The effective-lr panel: a line per chosen racer and axis (x solid, y dashed), its
    range (a value beyond it is drawn on the edge, where a triangle points out)."""
    panel = figure.lr_panel
    if panel is None:
        return None
    marks = {}
    for i, _, mark, edge in panel.marks:
        marks.setdefault(str(i), []).append({**marker(mark), "edge": float(edge)})
    return {"kind": "lr", **_frame(figure, panel), "racers": list(panel.chosen),
            "low": float(panel.low), "high": float(panel.high) if np.isfinite(panel.high)
            else None,
            "lines": [{"racer": i, "axis": axis, **line_style(line)}
                      for i, axis, line in panel.lines],
            "marks": marks,
            "rates": floats(panel.rates[list(panel.chosen)], "<f4")}


def panels(figure) -> list[dict]:
    """In the figure's order: the loss panel, then the lr panel."""
    return [p for p in (loss_panel(figure), lr_panel(figure)) if p is not None]
