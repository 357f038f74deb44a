"""The step glyphs on the 3D surface: the arrows and boxes of glyphs.py, laid in the
surface's tangent plane at the head and projected with the 3D view's camera.

An arrow (vx, vy) of the contour view becomes (vx, vy, ∇h·(vx, vy)), h being the height
the 3D view draws (f, or log₁₀(f − min f + δ) for a log-scaled surface): it lies in the
plane that touches the drawn surface under the head, so a step down a wall points down
the wall. The box of half-sides (sx, sy) becomes the parallelogram of that plane above
it. Arrows and boxes share the contour view's magnifications, so both views show the
same numbers; the arrow heads are drawn in pixels, one size whatever the arrow's length.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.transforms import Bbox, IdentityTransform

from ..race import RaceResult
from .glyphs import BOX_DASHES, GLYPH_Z, GlyphLayer, key_style
from .layer import Stage, required
from .racers3d import add_projected, to_pixels
from .terrain import Terrain


def height_gradient(result: RaceResult, terrain: Terrain, points: np.ndarray) -> np.ndarray:
    """(n, 2): the gradient of the drawn height h at points (n, 2) — the surface's exact
    gradient ∇f, times dh/df = 1 / ((f − min f + δ)·ln 10) on a log-scaled surface."""
    with np.errstate(all="ignore"):
        values, grads = result.surface.value_and_grad_at(np.asarray(points, dtype=float))
    if not terrain.logarithmic:
        return grads
    shifted = np.maximum(values - terrain.lowest, 0.0) + terrain.delta
    return grads / (shifted * np.log(10.0))[:, None]


def in_tangent_plane(vectors: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """``vectors`` (..., 2) lifted into the plane of gradient ``slope`` (..., 2): (..., 3)
    with z = slope · (x, y)."""
    return np.concatenate([vectors, np.sum(vectors * slope, axis=-1, keepdims=True)], axis=-1)


class Glyph3DLayer(GlyphLayer):
    """``key``: write the glyphs' key in the 3D view (alone; beside the contour view the
    key is there)."""

    # One collection of every racer's box (the contour view: one patch per racer).
    boxes: PolyCollection  # type: ignore[assignment]

    def __init__(self, result: RaceResult, explained: tuple[int, ...], key: bool = True):
        super().__init__(result, explained)
        self.with_key = key

    def build(self, stage: Stage) -> None:
        ax, result = required(stage.plot3d, "3D axes"), self.result
        terrain = required(stage.terrain, "terrain")
        self.ax, self.terrain = ax, terrain
        (x0, x1), (y0, y1) = terrain.bounds
        self.low, self.high = np.array([x0, y0]), np.array([x1, y1])
        # As the contour view chooses them, so that both views show the same glyphs.
        self.magnify, self.box_scale = self._scales(x1 - x0)
        #: Per explained racer, after each step: the head's point on the surface (steps,
        #: 3) and the drawn height's gradient there (steps, 2).
        self.origins: dict[int, np.ndarray] = {}
        self.slopes: dict[int, np.ndarray] = {}
        for i in self.explained:
            points = result.paths[i, :-1]
            finite = np.isfinite(points).all(axis=1)
            slope = np.full(points.shape, np.nan)
            slope[finite] = height_gradient(result, terrain, points[finite])
            with np.errstate(invalid="ignore"):
                heights = terrain.lifted(result.losses[i, :-1])
            self.origins[i] = np.column_stack([points, heights])
            self.slopes[i] = slope
        self._arrow_styles(stage)
        add_projected(ax, self.arrows)  # drawn in pixels
        self.boxes = add_projected(
            ax,
            PolyCollection(
                [],
                closed=True,
                transform=IdentityTransform(),
                facecolors="none",
                linewidths=1.0,
                linestyles=[BOX_DASHES],
                zorder=GLYPH_Z,
            ),
        )
        # Within the 3D view's own box: a steep tangent plane can throw an arrow far up the
        # screen, and beside the contour view it must not reach into it.
        area = required(stage.layout, "layout").plots[0]
        for collection in (self.arrows, self.boxes):
            collection.set_clip_box(Bbox.from_bounds(area.x, area.y, area.width, area.height))
        self.moving += [self.arrows, self.boxes]
        self.box_colors = {i: stage.racers[i].color for i in self.explained}
        if self.with_key:  # in the 3D axes, so that it is drawn in zorder with the trails
            size = stage.style
            key = ax.text2D(
                (area.x + 0.01 * area.width) / size.width,
                (area.y + 0.99 * area.height) / size.height,
                self.key_text(stage, area.width),
                transform=stage.figure.transFigure,
                **key_style(stage),
            )
            if size.orbit:  # the surface is drawn every frame: the key over it, too
                self.moving.append(key)

    def vectors_at(self, step: int) -> dict[tuple[int, str], tuple[np.ndarray, np.ndarray]]:
        """(origin, vector) in 3D data coordinates of every arrow drawn after ``step``
        steps: the contour view's arrow (magnified, shortened to stay over the surface)
        lifted into the tangent plane at the head; none for a racer that stopped."""
        drawn = {}
        for (i, kind), (_, vector) in super().vectors_at(step).items():
            shown = self.shown[i, step]
            slope = self.slopes[i][shown]
            if np.all(np.isfinite(slope)):
                drawn[i, kind] = self.origins[i][shown], in_tangent_plane(vector, slope)
        return drawn

    def boxes_at(self, step: int) -> dict[int, np.ndarray]:
        """The corners (4, 3) in 3D data coordinates of every racer's step-scale box after
        ``step`` steps, in the tangent plane at its head."""
        result = self.result
        corners: dict[int, np.ndarray] = {}
        if result.step_scales is None:
            return corners
        for i in self.explained:
            shown = self.shown[i, step]
            if result.status(i, step) != "racing" or shown >= result.steps:
                continue
            half = result.step_scales[i, shown] * self.box_scale
            slope = self.slopes[i][shown]
            if not (np.all(np.isfinite(half)) and np.all(np.isfinite(slope))):
                continue
            signs = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float)
            corners[i] = self.origins[i][shown] + in_tangent_plane(signs * half, slope)
        return corners

    def update(self, step: int):
        drawn = self.vectors_at(step)
        polygons, faces, edges = [], [], []
        for i, kind, face, edge in self.arrow_styles:
            if (i, kind) in drawn:
                origin, vector = drawn[i, kind]
                start, end = to_pixels(self.ax, np.array([origin, origin + vector]))
                polygons.append(self.arrow(start, end - start))
                faces.append(face)
                edges.append(edge)
        self.arrows.set_verts(polygons)
        self.arrows.set_facecolor(faces)
        self.arrows.set_edgecolor(edges)
        boxes = self.boxes_at(step)
        self.boxes.set_verts([to_pixels(self.ax, corners) for corners in boxes.values()])
        self.boxes.set_edgecolor([self.box_colors[i] for i in boxes])
        return self.moving
