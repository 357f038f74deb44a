"""The step glyphs for the page: which racers are explained, the arrows' and boxes'
magnifications and shapes (glyphs.py draws them so), and the race's vectors as arrays:
per explained racer and step, −lr·∇f, −lr·v and the step scale lr/√h (the step taken is
the path's own difference)."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgba

from .encoding import floats
from .geometry import hex_color


def glyphs(figure) -> dict | None:
    layer = figure.glyphs
    if layer is None or figure.style.view == "3d":
        return None
    result = figure.result
    explained = list(layer.explained)
    steps = result.steps

    def stacked(kind):
        return np.stack([layer.vectors[i][kind] for i in explained])

    scales = (result.step_scales[explained] if result.step_scales is not None
              else np.full((len(explained), steps, 2), np.nan))
    colors = {i: to_rgba(figure.stage.racers[i].color) for i in explained}
    return {
        "racers": explained, "magnify": layer.magnify, "boxScale": layer.box_scale,
        "low": layer.low.tolist(), "high": layer.high.tolist(),
        "shaft": layer.shaft, "headWidth": layer.head_width, "headLength": layer.head_length,
        "lineWidth": layer.arrows.get_linewidth()[0] if len(layer.arrows.get_linewidth())
        else 0.9,
        "faded": 0.45, "z": layer.arrows.get_zorder(),
        "box": {"width": next(iter(layer.boxes.values())).get_linewidth()
                if layer.boxes else 1.0,
                "dashes": list(next(iter(layer.boxes.values()))._dash_pattern[1])
                if layer.boxes else [3.0, 2.0]},
        "colors": [hex_color(colors[i]) for i in explained],
        "arrays": {"gradient": floats(stacked("gradient")),
                   "velocity": floats(stacked("velocity")),
                   "scale": floats(scales)},
    }
