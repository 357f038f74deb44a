"""The surface as a 3D view sees it: heights on a grid, the box they are drawn in, the
camera, and which points a hill hides from it.

Pure numpy. Heights are f, or log₁₀(f − min f + δ) for surfaces whose contour levels are
log-spaced (Rosenbrock, Beale: evenly spaced heights would flatten the whole valley into
one plane); δ is the lowest log-spaced level above the minimum, so the minimum itself has
a finite height.

The default camera is chosen from the surface and the race (``choose_camera``): of the
cameras at elevations 25°–65° and every 15° of azimuth (but not along an axis), keep
those from which the fewest landmarks (start, goals, final heads) and then the fewest
path points are hidden behind the surface, and among them the one that shows the paths
largest on the screen, less a penalty for each degree away from 35° of elevation (a view
from high above looks flat). The projection is orthographic, so "hidden" is exact up to
the grid: a point is hidden when the straight line from it towards the viewer passes
under the surface.
"""

from __future__ import annotations

import math

import numpy as np

#: Trails, heads and landmarks float this share of the height range above the surface.
LIFT = 0.012
#: The 3D box: its longer horizontal side is 1, its height this.
BOX_HEIGHT = 0.45
#: Horizontal sides that differ more than this are drawn stretched to this ratio.
MAX_BOX_RATIO = 3.0
ELEVATIONS = (25.0, 35.0, 45.0, 55.0, 65.0)
#: Every 15°, but never along an axis: there matplotlib draws the z axis's labels over
#: another axis's.
AZIMUTHS = tuple(float(a) for a in range(-165, 180, 15) if a % 90)
PREFERRED_ELEVATION = 35.0
#: 10° more elevation than preferred costs as much as a quarter of the paths' size.
ELEVATION_SCALE = 40.0
#: Samples of the surface per unit length of the box (its longer side is 1) along the
#: rays towards the viewer and across them.
RAY_SAMPLES = 80


class Terrain:
    """Heights of the surface on the 2D view's grid, as the 3D view draws them."""

    def __init__(
        self,
        grid_x: np.ndarray,
        grid_y: np.ndarray,
        f_grid: np.ndarray,
        levels: np.ndarray,
        logarithmic: bool,
    ):
        self.xs, self.ys = grid_x[0].astype(float), grid_y[:, 0].astype(float)
        self.grid_x, self.grid_y = grid_x, grid_y
        self.logarithmic = bool(logarithmic)
        self.lowest = float(levels[0])
        self.delta = float(levels[1] - levels[0]) if self.logarithmic else 0.0
        heights = self.height_of(f_grid)
        finite = heights[np.isfinite(heights)]
        self.low, self.high = float(finite.min()), float(finite.max())
        if self.high <= self.low:
            self.high = self.low + 1.0
        # Non-finite cells drawn at the top, so they never look like a valley.
        self.heights = np.where(np.isfinite(heights), heights, self.high)
        self.lift = LIFT * (self.high - self.low)
        if self.logarithmic:
            self.label = f"log₁₀(f − min f + {self.delta:.1g})".replace("-", "−")
        else:
            self.label = "f"
        width, depth = self.xs[-1] - self.xs[0], self.ys[-1] - self.ys[0]
        ratio = min(max(depth / width, 1 / MAX_BOX_RATIO), MAX_BOX_RATIO)
        self.box = (1.0, ratio, BOX_HEIGHT) if ratio <= 1 else (1.0 / ratio, 1.0, BOX_HEIGHT)

    @property
    def bounds(self):
        return (self.xs[0], self.xs[-1]), (self.ys[0], self.ys[-1])

    @property
    def zlim(self) -> tuple[float, float]:
        return self.low, self.high + 2 * self.lift

    def height_of(self, f) -> np.ndarray:
        """The drawn height of values ``f`` of the surface."""
        f = np.asarray(f, dtype=float)
        if not self.logarithmic:
            return f
        with np.errstate(all="ignore"):
            return np.log10(np.maximum(f - self.lowest, 0.0) + self.delta)

    def lifted(self, f) -> np.ndarray:
        """The height at which a point where the surface is ``f`` is drawn: just above."""
        return self.height_of(f) + self.lift

    def height_at(self, x, y) -> np.ndarray:
        """The drawn surface height at points (x, y), bilinear on the grid; NaN outside."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        xs, ys = self.xs, self.ys
        fx = (x - xs[0]) / (xs[-1] - xs[0]) * (len(xs) - 1)
        fy = (y - ys[0]) / (ys[-1] - ys[0]) * (len(ys) - 1)
        inside = (fx >= 0) & (fx <= len(xs) - 1) & (fy >= 0) & (fy <= len(ys) - 1)
        fx = np.clip(np.nan_to_num(fx), 0, len(xs) - 1.000001)
        fy = np.clip(np.nan_to_num(fy), 0, len(ys) - 1.000001)
        i, j = fy.astype(int), fx.astype(int)
        u, v = fx - j, fy - i
        h = self.heights
        value = (
            (1 - u) * (1 - v) * h[i, j]
            + u * (1 - v) * h[i, j + 1]
            + (1 - u) * v * h[i + 1, j]
            + u * v * h[i + 1, j + 1]
        )
        return np.where(inside, value, np.nan)

    # --- the camera ---------------------------------------------------------------------
    def hidden(self, points: np.ndarray, elev: float, azim: float) -> np.ndarray:
        """For points (n, 3) in data coordinates: is the surface between it and the
        viewer? Points outside the box or not finite count as not hidden.

        The camera is orthographic, so every ray towards the viewer runs the same way:
        along u (the horizontal direction to the viewer), rising ``tan(elev)`` per unit.
        A point at (u, v, z) is hidden when, further along u on its line v, the surface
        rises above its ray: when max over u' > u of (h(u', v) − u'·tan e) exceeds
        z − u·tan e. That maximum is a running maximum from the viewer's side of a
        height map resampled along u and v (RAY_SAMPLES per unit of box), made once per
        camera, so each point costs one look-up (thousands of trails in a swarm)."""
        points = np.asarray(points, dtype=float).reshape(-1, 3)
        finite = np.all(np.isfinite(points), axis=1)
        if elev >= 90.0 - 1e-9:  # from straight above nothing lies under the surface
            return np.zeros(len(points), dtype=bool)
        (x0, x1), (y0, y1) = self.bounds
        z0, z1 = self.zlim
        box = np.array(self.box)
        spans = np.array([x1 - x0, y1 - y0, z1 - z0])
        scaled = (np.where(finite[:, None], points, 0.0) - (x0, y0, z0)) / spans * box
        e, a = math.radians(elev), math.radians(azim)
        toward, across = np.array([math.cos(a), math.sin(a)]), np.array([-math.sin(a), math.cos(a)])
        rise = math.tan(e)
        corners = np.array([[0, 0], [box[0], 0], [0, box[1]], [box[0], box[1]]])
        spacing = 1.0 / RAY_SAMPLES
        us = np.arange((corners @ toward).min(), (corners @ toward).max() + spacing, spacing)
        vs = np.arange((corners @ across).min(), (corners @ across).max() + spacing, spacing)
        u, v = np.meshgrid(us, vs)
        with np.errstate(invalid="ignore"):
            ground = self.height_at(
                x0 + (u * toward[0] + v * across[0]) / box[0] * spans[0],
                y0 + (u * toward[1] + v * across[1]) / box[1] * spans[1],
            )
        # Outside the bounds nothing hides anything: very low, but finite to interpolate.
        above_ray = np.where(
            np.isfinite(ground), (ground - z0) / spans[2] * box[2] - u * rise, -1e12
        )
        highest = np.maximum.accumulate(above_ray[:, ::-1], axis=1)[:, ::-1]
        highest = np.concatenate([highest, np.full((len(vs), 1), -1e12)], axis=1)
        along, side = scaled[:, :2] @ toward, scaled[:, :2] @ across
        # From half a sample on: a point is not hidden by the slope right under it.
        first = np.clip(np.ceil((along - us[0]) / spacing + 0.5).astype(int), 0, len(us))
        row = np.clip((side - vs[0]) / spacing, 0, len(vs) - 1.000001)
        below, weight = row.astype(int), row - row.astype(int)
        blocking = (1 - weight) * highest[below, first] + weight * highest[
            np.minimum(below + 1, len(vs) - 1), first
        ]
        # Half a lift of slack: a point drawn lifted over a gentle slope is not hidden
        # by the slope it sits on.
        slack = 0.5 * self.lift / spans[2] * box[2]
        return (blocking > scaled[:, 2] - along * rise + slack) & finite

    def screen(self, points: np.ndarray, elev: float, azim: float) -> np.ndarray:
        """Orthographic screen coordinates (n, 2) of points (n, 3), in box units."""
        (x0, x1), (y0, y1) = self.bounds
        z0, z1 = self.zlim
        box = np.array(self.box)
        scaled = (points - np.array([x0, y0, z0])) / np.array([x1 - x0, y1 - y0, z1 - z0])
        scaled = scaled * box
        e, a = math.radians(elev), math.radians(azim)
        right = np.array([-math.sin(a), math.cos(a), 0.0])
        up = np.array([-math.sin(e) * math.cos(a), -math.sin(e) * math.sin(a), math.cos(e)])
        return np.stack([scaled @ right, scaled @ up], axis=-1)

    def screen_extent(self, elev: float, azim: float, orbit: float = 0.0) -> tuple[float, float]:
        """(width, height) in box units of the box seen from the camera, the largest over
        an orbit of ``orbit`` degrees from it."""
        turns = np.linspace(0.0, 1.0, 13) if orbit else [0.0]
        extents = [
            np.ptp(self.screen(self.corners(), elev, azim + orbit * turn), axis=0) for turn in turns
        ]
        width, height = np.max(extents, axis=0)
        return float(width), float(height)

    def goal_ring(self, goal, radius: float, points: int = 73) -> np.ndarray:
        """(points, 3): the circle of ``radius`` around ``goal``, level at the height the
        goal star is drawn at (the surface's at the goal, lifted)."""
        angle = np.linspace(0, 2 * np.pi, points)
        height = float(self.height_at(*goal)) + self.lift
        return np.column_stack(
            [
                goal[0] + radius * np.cos(angle),
                goal[1] + radius * np.sin(angle),
                np.full(points, height),
            ]
        )

    def corners(self) -> np.ndarray:
        (x0, x1), (y0, y1) = self.bounds
        z0, z1 = self.zlim
        return np.array([[x, y, z] for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)])


def choose_camera(
    terrain: Terrain, landmarks: np.ndarray, paths: list[np.ndarray]
) -> tuple[float, float]:
    """The (elevation, azimuth) that hides the fewest ``landmarks`` (n, 3), then the
    fewest points of ``paths`` (each (k, 3), weighted so every path counts the same),
    and shows the paths largest; see the module docstring."""
    paths = [p[np.all(np.isfinite(p), axis=1)] for p in paths]
    paths = [p[np.linspace(0, len(p) - 1, min(len(p), 40)).astype(int)] for p in paths if len(p)]
    path_points = np.concatenate(paths) if paths else np.zeros((0, 3))
    weights = np.concatenate([np.full(len(p), 1 / len(p)) for p in paths]) if paths else np.zeros(0)
    candidates = []
    for elev in ELEVATIONS:
        for azim in AZIMUTHS:
            landmarks_hidden = int(terrain.hidden(landmarks, elev, azim).sum())
            path_hidden = float(weights[terrain.hidden(path_points, elev, azim)].sum())
            spread = 0.0
            if len(path_points) > 1:
                # In box units: matplotlib draws the box at one scale from every angle.
                shown = terrain.screen(path_points, elev, azim)
                spread = float(np.prod(np.ptp(shown, axis=0)))
            candidates.append((landmarks_hidden, round(path_hidden, 3), spread, elev, azim))
    largest = max(c[2] for c in candidates) or 1.0
    best = min(
        candidates,
        key=lambda c: (
            c[0],
            c[1],
            -c[2] / largest + abs(c[3] - PREFERRED_ELEVATION) / ELEVATION_SCALE,
        ),
    )
    return best[3], best[4]
