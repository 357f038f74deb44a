"""Many start points for one race: a grid, a random sample or a ring.

``grid`` and ``random`` cover the surface's bounds, which the scene knows, so they are
recipes the scene turns into points (:func:`resolve_starts`); a plain sequence of points
works as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .race import divergence_limits
from .surface import Bounds, PointLike, Surface

__all__ = ["StartPoints", "grid", "random", "ring", "resolve_starts"]


@dataclass(frozen=True)
class StartPoints:
    """A recipe for start points; ``points(bounds)`` makes them, shape (n, 2)."""

    kind: str
    count: int
    seed: int = 0
    center: tuple[float, float] = (0.0, 0.0)
    radius: float = 1.0

    def points(self, bounds: Bounds | None) -> np.ndarray:
        if self.kind == "ring":
            angle = 2 * np.pi * np.arange(self.count) / self.count
            return np.column_stack(
                [
                    self.center[0] + self.radius * np.cos(angle),
                    self.center[1] + self.radius * np.sin(angle),
                ]
            )
        if bounds is None:
            raise ValueError(
                f"starts={self.kind}(...) covers the surface's bounds, and this "
                "surface has none: give the points, or a bounded surface"
            )
        (x0, x1), (y0, y1) = bounds
        if self.kind == "grid":
            return grid_points(bounds, self.count)
        rng = np.random.default_rng(self.seed)
        return np.column_stack([rng.uniform(x0, x1, self.count), rng.uniform(y0, y1, self.count)])

    def __repr__(self) -> str:
        if self.kind == "grid":
            return f"grid({self.count})"
        if self.kind == "random":
            return f"random({self.count}, seed={self.seed})"
        return f"ring({self.center}, {self.radius:g}, {self.count})"


def _count(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"Invalid {what}: {n!r} (must be an integer >= 1)")
    return int(n)


def grid_points(bounds: Bounds, n: int) -> np.ndarray:
    """n × n points at the centres of an n × n tiling of ``bounds`` (row by row, y up):
    none on the edge, and each stands for its cell (a pixel of a basin map)."""
    (x0, x1), (y0, y1) = bounds
    xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n
    ys = y0 + (np.arange(n) + 0.5) * (y1 - y0) / n
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def grid(n: int) -> StartPoints:
    """n × n starts over the surface's bounds, at the centres of an n × n tiling."""
    return StartPoints("grid", _count(n, "grid size"))


def random(n: int, seed: int = 0) -> StartPoints:
    """``n`` starts drawn uniformly over the surface's bounds (numpy's default generator
    seeded with ``seed``: the same points every time)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Invalid seed: {seed!r} (must be an integer)")
    return StartPoints("random", _count(n, "number of starts"), seed=int(seed))


def ring(center: PointLike, radius: float, n: int) -> StartPoints:
    """``n`` starts evenly spaced on the circle of ``radius`` around ``center``, the first
    to the right of it, counter-clockwise."""
    from .race import require_point

    center = require_point(center, "ring center")
    if (
        isinstance(radius, bool)
        or not isinstance(radius, (int, float, np.number))
        or not np.isfinite(radius)
        or radius <= 0
    ):
        raise ValueError(f"Invalid ring radius: {radius!r} (must be > 0)")
    return StartPoints("ring", _count(n, "number of starts"), center=center, radius=float(radius))


def resolve_starts(
    starts: StartPoints | Sequence[PointLike] | np.ndarray, surface: Surface
) -> np.ndarray:
    """``starts`` (a recipe or a sequence of points) as an (n, 2) float array inside the
    surface's bounds, or a ValueError that says which start is wrong and why."""
    if isinstance(starts, StartPoints):
        points = starts.points(surface.bounds)
    else:
        if isinstance(starts, (str, bytes)) or not hasattr(starts, "__len__"):
            raise ValueError(
                f"starts must be a sequence of points (x, y) or "
                f"anim.starts.grid/random/ring, got {starts!r}"
            )
        if len(starts) == 0:
            raise ValueError("starts is empty (give at least one point (x, y))")
        shown = repr(starts) if len(repr(starts)) <= 60 else repr(starts)[:57] + "..."
        try:
            points = np.array(starts, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"starts must be points (x, y), got {shown}") from None
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"starts must be points (x, y), got {shown}")
    bad = np.flatnonzero(~np.all(np.isfinite(points), axis=1))
    if bad.size:
        raise ValueError(
            f"starts[{bad[0]}] must be a finite point (x, y), got {tuple(points[bad[0]].tolist())}"
        )
    if surface.bounds is not None:
        (x0, x1), (y0, y1) = surface.bounds
        low, high = np.array([x0, y0]), np.array([x1, y1])
        where = f"the surface's bounds x in [{x0:g}, {x1:g}], y in [{y0:g}, {y1:g}]"
    else:
        low, high = divergence_limits(surface)
        where = f"±{high[0]:g}"
    outside = np.flatnonzero(np.any((points < low) | (points > high), axis=1))
    if outside.size:
        point = tuple(round(float(v), 6) for v in points[outside[0]])
        raise ValueError(
            f"starts[{outside[0]}] {point} is outside {where} "
            f"({outside.size} of {len(points)} starts are)"
        )
    return points
