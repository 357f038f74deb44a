"""The step glyphs for the page: which racers are explained, the arrows' and boxes'
magnifications and shapes (glyphs.py and glyphs3d.py draw them so), and the race's vectors
as arrays: per explained racer and step, −lr·∇f, −lr·v and the step scale lr/√h (the step
taken is the path's own difference). In the 3D view the glyphs lie in the tangent plane
of the drawn surface at the head, whose slope (the drawn height's gradient there) the
page carries too; the player lifts and projects them."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgba

from ..figure.glyphs import BOX_DASHES
from .encoding import floats
from .geometry import hex_color
from .views import view_kinds


def _view(figure, kind: str) -> dict | None:
    """What the glyphs of view ``kind`` need besides the shared numbers, or None."""
    if kind == "2d" and figure.glyphs is not None:
        layer = figure.glyphs
        return {"kind": "2d", "low": layer.low.tolist(), "high": layer.high.tolist()}
    if kind == "3d" and figure.glyphs3d is not None:
        layer = figure.glyphs3d
        area = figure.layout.plots[0]  # the 3D view's own box: glyphs are clipped to it
        height = figure.style.height
        slopes = np.stack([layer.slopes[i] for i in layer.explained])
        return {
            "kind": "3d",
            "low": layer.low.tolist(),
            "high": layer.high.tolist(),
            "area": [area.x, height - area.y - area.height, area.width, area.height],
            "slopes": floats(slopes),
        }
    return None


def _box_width(layer) -> float:
    boxes = layer.boxes
    if isinstance(boxes, dict):  # the contour view's: a dashed rectangle per racer
        return float(next(iter(boxes.values())).get_linewidth()) if boxes else 1.0
    return float(boxes.get_linewidth()[0])


def glyphs(figure) -> dict | None:
    layer = figure.glyphs if figure.glyphs is not None else figure.glyphs3d
    if layer is None:
        return None
    result = figure.result
    explained = list(layer.explained)
    steps = result.steps

    def stacked(kind):
        return np.stack([layer.vectors[i][kind] for i in explained])

    scales = (
        result.step_scales[explained]
        if result.step_scales is not None
        else np.full((len(explained), steps, 2), np.nan)
    )
    colors = {i: to_rgba(figure.stage.racers[i].color) for i in explained}
    faded = {kind: face for i, kind, face, _ in layer.arrow_styles}["velocity"]
    return {
        "racers": explained,
        "magnify": layer.magnify,
        "boxScale": layer.box_scale,
        "views": {
            str(v): entry
            for v, entry in enumerate(_view(figure, kind) for kind in view_kinds(figure))
            if entry is not None
        },
        "shaft": layer.shaft,
        "headWidth": layer.head_width,
        "headLength": layer.head_length,
        "lineWidth": float(layer.arrows.get_linewidth()[0]),
        "faded": float(faded[3]),
        "z": layer.arrows.get_zorder(),
        "box": {"width": _box_width(layer), "dashes": list(BOX_DASHES[1])},
        "colors": [hex_color(colors[i]) for i in explained],
        "arrays": {
            "gradient": floats(stacked("gradient")),
            "velocity": floats(stacked("velocity")),
            "scale": floats(scales),
        },
    }
