"""The racers on the 3D surface: each trail and head lies on the surface (z = f(x, y) in
the terrain's heights), lifted just enough to stay above it.

mplot3d gives every artist one z-order, so the view is drawn with
``computed_zorder=False``: the surface first, then the trails, then the heads — a trail is
never buried in the surface it lies on. What that order cannot do is hide a trail behind a
hill, so the parts of a trail that a hill hides from the camera (terrain.py casts a ray
from each step towards the viewer) are drawn apart, dotted and faint, as seen through the
hill; the default camera is chosen so that there are none. The heads are always drawn.

Heads that would cover each other on the screen are fanned out as in the 2D view, in
pixels, for the camera of each frame.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.transforms import Affine2D
from mpl_toolkits.mplot3d import proj3d

from ..race import RaceResult
from .layer import Layer, Stage, required
from .racers import (
    CIRCLE_MARGIN,
    DOT_GAP,
    EXIT_INSET,
    FAN_GAP,
    arrived_circles,
    exit_point,
    fan_out,
    outside_at_edge,
    shown_steps,
    spaced,
    style_head,
)
from .terrain import Terrain, choose_camera
from .theme import HEAD_SIZE, TRAIL_Z


def inset_bounds(terrain: Terrain) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) corners of the box a head is kept in: the bounds, less EXIT_INSET."""
    (x0, x1), (y0, y1) = terrain.bounds
    inset = EXIT_INSET * np.array([x1 - x0, y1 - y0])
    return np.array([x0, y0]) + inset, np.array([x1, y1]) - inset


def head_points(result: RaceResult, terrain: Terrain, shown: np.ndarray) -> np.ndarray:
    """(optimizers, steps + 1, 3): where each head is after each step, on the surface; a
    head that left the picture where its trail left it (a diverged one for good, one
    that went out and may come back while it is out), on the surface's edge."""
    paths = np.take_along_axis(result.paths, shown[..., None], axis=1)
    heights = terrain.lifted(np.take_along_axis(result.losses, shown, axis=1))
    low, high = inset_bounds(terrain)
    placed = outside_at_edge(result.paths, paths, low, high)
    for i in range(len(result.optimizers)):
        diverged = result.diverged_step[i]
        if diverged is not None and result.status(i, result.steps) == "diverged":
            placed[i, diverged:] = exit_point(result.paths[i, : max(diverged, 1)], low, high)
    moved = np.any(placed != paths, axis=-1) & np.isfinite(placed).all(axis=-1)
    heights[moved] = terrain.height_at(placed[moved, 0], placed[moved, 1]) + terrain.lift
    return np.concatenate([placed, heights[..., None]], axis=-1)


def screen_circles(ax, terrain: Terrain, circles: np.ndarray) -> np.ndarray:
    """``circles`` (..., 3) of (x, y, radius) in data units as the camera of ``ax`` shows
    them, in pixels: (centre x, centre y, the ring's smallest radius on the screen), NaN
    where NaN. The ring is the level goal circle the 3D view draws."""
    shown = np.full(circles.shape, np.nan)
    finite = np.isfinite(circles).all(axis=-1)
    for circle in np.unique(circles[finite], axis=0):
        ring = to_pixels(ax, terrain.goal_ring(circle[:2], circle[2], points=37))
        centre = to_pixels(ax, terrain.goal_ring(circle[:2], 0.0, points=1))[0]
        radius = float(np.min(np.hypot(*(ring - centre).T)))
        shown[finite & np.all(circles == circle, axis=-1)] = (*centre, radius)
    return shown


def trail_points(result: RaceResult, terrain: Terrain) -> np.ndarray:
    """(optimizers, steps + 1, 3): every step of every path, lifted onto the surface."""
    return np.concatenate([result.paths, terrain.lifted(result.losses)[..., None]], axis=-1)


def projected(ax, points: np.ndarray) -> np.ndarray:
    """The 2D coordinates (..., 2) in ``ax`` of data points (..., 3), seen from its
    current camera: what a ``Line3D`` computes every time it is drawn."""
    points = np.asarray(points, dtype=float)
    flat = points.reshape(-1, 3)
    ax.apply_aspect()
    x, y, _ = proj3d.proj_transform(flat[:, 0], flat[:, 1], flat[:, 2], ax.get_proj())
    return np.column_stack([x, y]).reshape(points.shape[:-1] + (2,))


def to_pixels(ax, points: np.ndarray) -> np.ndarray:
    """Pixels (n, 2) of data points (n, 3) seen from ``ax``'s current camera."""
    return ax.transData.transform(projected(ax, points).reshape(-1, 2))


def new_line(ax, fixed: bool, **style):
    """A line in the 3D axes ``ax``. With a fixed camera it is a plain ``Line2D`` given
    projected points once (``place``): a ``Line3D`` would project them again at every
    draw, the larger part of a frame's cost. Points outside the box are left out, as
    ``axlim_clip`` does."""
    if fixed:
        line = Line2D([], [], **style)
        ax.add_artist(line)  # not add_line: that would rescale the 3D limits
        return line
    (line,) = ax.plot([], [], [], axlim_clip=True, **style)
    return line


def add_projected(ax, collection):
    """Add to the 3D axes ``ax`` a collection whose points are already projected (or in
    pixels): mplot3d projects every collection before drawing it, and a plain one has
    nothing to project."""
    collection.do_3d_projection = lambda: 0.0
    ax.add_collection(collection, autolim=False)
    return collection


def place(line, points: np.ndarray):
    """Give ``line`` its points: projected (k, 2) for a fixed camera, else (k, 3)."""
    if points.shape[-1] == 2:
        line.set_data(points[:, 0], points[:, 1])
    else:
        line.set_data_3d(points[:, 0], points[:, 1], points[:, 2])


def flattened(ax, points: np.ndarray, terrain: Terrain) -> np.ndarray:
    """``points`` (..., 3) projected for a fixed camera, NaN where outside the box."""
    (x0, x1), (y0, y1) = terrain.bounds
    z0, z1 = terrain.zlim
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    with np.errstate(invalid="ignore"):
        inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1) & (z >= z0) & (z <= z1)
    return np.where(inside[..., None], projected(ax, np.nan_to_num(points)), np.nan)


class Racers3DLayer(Layer):
    def __init__(self, result: RaceResult):
        super().__init__()
        self.result = result
        self.shown = shown_steps(result)

    def build(self, stage: Stage) -> None:
        ax, result = required(stage.plot3d, "3D axes"), self.result
        terrain = required(stage.terrain, "terrain")
        self.ax, self.theme, self.racers = ax, stage.theme, stage.racers
        self.fixed = not stage.style.orbit
        self.gap = FAN_GAP * HEAD_SIZE * stage.scale
        self.trail_points = trail_points(result, terrain)
        self.heads_at = head_points(result, terrain, self.shown)
        self.terrain = terrain
        self.trails, self.heads, self.offsets, self.behind = [], [], [], []
        self._hidden_view: tuple[float, float] | None = None
        self.hidden: np.ndarray | None = None
        for i, racer in enumerate(stage.racers):
            behind = new_line(
                ax,
                self.fixed,
                color=racer.color,
                linewidth=1.2,
                alpha=0.45,
                linestyle=(0, (1, 2)),
                zorder=TRAIL_Z - 0.5 + i * 0.01,
            )
            trail = new_line(
                ax,
                self.fixed,
                color=racer.color,
                linewidth=1.6,
                alpha=0.9,
                zorder=TRAIL_Z + i * 0.01,
                marker="o",
                markersize=2.4,
                markeredgewidth=0,
                solid_capstyle="round",
                solid_joinstyle="round",
            )
            head = new_line(ax, self.fixed, color=racer.color, linestyle="")
            offset = Affine2D()
            head.set_transform(ax.transData + offset)
            self.behind.append(behind)
            self.trails.append(trail)
            self.heads.append(head)
            self.offsets.append(offset)
        self.moving += [*self.behind, *self.trails, *self.heads]
        self.head_states: list[str | None] = [None] * len(self.heads)
        self.dots = [
            spaced(to_pixels(ax, np.nan_to_num(points)), DOT_GAP * stage.scale)
            for points in self.trail_points
        ]
        self.circles = arrived_circles(result, self.shown)
        self.margin = CIRCLE_MARGIN * stage.scale
        if self.fixed:  # everything projected once
            self.drawn_points = flattened(ax, self.trail_points, terrain)
            pixels = to_pixels(ax, self.heads_at.reshape(-1, 3)).reshape(
                (*self.heads_at.shape[:2], 2)
            )
            fanned = fan_out(
                pixels, self.gap, screen_circles(ax, terrain, self.circles), self.margin
            )
            self.drawn_heads = (
                ax.transData.inverted().transform(fanned.reshape(-1, 2)).reshape(fanned.shape)
            )
            self._hidden_steps()
        else:
            self.drawn_points = self.trail_points

    def _hidden_steps(self) -> np.ndarray:
        """(optimizers, steps + 1): which steps a hill hides from the current camera
        (computed again only when the camera moves)."""
        view = (self.ax.elev, self.ax.azim)
        if self.hidden is None or view != self._hidden_view:
            points = self.trail_points.reshape(-1, 3)
            self.hidden = self.terrain.hidden(points, *view).reshape(self.trail_points.shape[:2])
            self._hidden_view = view
        return self.hidden

    def _heads(self, step: int) -> np.ndarray:
        """Where the heads are drawn after ``step``: projected and fanned out once for a
        fixed camera; for a moving one, on the surface, with the pixel offsets that fan
        them out from this frame's camera."""
        if self.fixed:
            return self.drawn_heads[:, step]
        positions = self.heads_at[:, step]
        pixels = to_pixels(self.ax, positions)
        circles = screen_circles(self.ax, self.terrain, self.circles[:, step : step + 1])
        shift = fan_out(pixels[:, None, :], self.gap, circles, self.margin)[:, 0] - pixels
        for offset, (dx, dy) in zip(self.offsets, shift):
            offset.clear().translate(dx, dy)
        return positions

    def update(self, step: int):
        result = self.result
        hidden = self._hidden_steps()
        heads = self._heads(step)
        for i, (trail, head) in enumerate(zip(self.trails, self.heads)):
            last = self.shown[i, step]
            seen, behind = _split(self.drawn_points[i, : last + 1], hidden[i, : last + 1])
            place(trail, seen)
            place(self.behind[i], behind)
            self.behind[i].set_visible(len(behind) > 0)  # nothing to project and draw
            dots = self.dots[i]
            trail.set_markevery(dots[: np.searchsorted(dots, last, side="right")])
            place(head, heads[i][None])
            state = result.status(i, step)
            if state != self.head_states[i]:
                style_head(head, self.racers[i], self.theme, state, i)
                self.head_states[i] = state
        return self.moving

    def hidden_points(self, step: int | None = None) -> list[np.ndarray]:
        """Per racer, the indices of its trail points up to ``step`` (default: the last)
        that the surface hides from the current camera."""
        step = self.result.steps if step is None else step
        hidden = self._hidden_steps()
        return [
            np.flatnonzero(hidden[i, : self.shown[i, step] + 1]) for i in range(len(self.trails))
        ]


def _split(points: np.ndarray, hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``points`` (k, 2 or 3) as the trail in sight and the trail behind the surface: each a
    copy with the other's points NaN (a gap in the line); a segment with one end hidden
    belongs to the hidden part."""
    if not hidden.any():
        return points, np.empty((0, points.shape[1]))
    behind_segment = hidden.copy()
    behind_segment[:-1] |= hidden[1:]
    behind_segment[1:] |= hidden[:-1]
    seen = np.where(hidden[:, None], np.nan, points)
    behind = np.where(behind_segment[:, None], points, np.nan)
    return seen, behind


def default_camera(result: RaceResult, terrain: Terrain) -> tuple[float, float]:
    """The camera that shows the start, the goals, the final heads and the paths best
    (terrain.choose_camera)."""
    shown = shown_steps(result)
    heads = head_points(result, terrain, shown)[:, -1]
    marks = [
        (*point, float(terrain.height_at(*point)) + terrain.lift)
        for point in (result.start, *result.goals)
    ]
    landmarks = np.vstack([np.array(marks), heads])
    trails = trail_points(result, terrain)
    paths = [trails[i, : shown[i, -1] + 1] for i in range(len(result.optimizers))]
    return choose_camera(terrain, landmarks, paths)
