"""A swarm on the 3D surface: every start's trail and small head lying on it, lifted as
the single-start racers are, and the start points as small rings.

The swarm layer (swarm.py) draws them, given their points projected once for a fixed
camera (thousands of trails cost no more than in the contour view); the stretches a hill
hides from the camera are drawn apart, dotted and faint, as racers3d.py draws them. With
an orbiting camera the surface is redrawn every frame, so the trails are too: projected
and split again for each frame's camera.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from mpl_toolkits.mplot3d import Axes3D

from .layer import Stage, required
from .racers3d import add_projected, flattened, projected
from .swarm import SwarmLayer, inside, swarm_shown_steps
from .terrain import Terrain, choose_camera

#: The default camera looks at this many starts' paths per racer (spread over the starts).
CAMERA_STARTS = 24


def lifted_paths(result, terrain: Terrain) -> np.ndarray:
    """(optimizers, starts, steps + 1, 3): every step of every path on the surface."""
    return np.concatenate([result.paths, terrain.lifted(result.losses)[..., None]], axis=-1)


def lifted_heads(result, terrain: Terrain) -> np.ndarray:
    """(optimizers, starts, steps + 1, 3): where each start's head is drawn at each point of
    its path: on the surface, at the edge of the picture while the path is outside."""
    placed = inside(result.paths, terrain.bounds)
    heights = terrain.lifted(result.losses)
    moved = np.any(placed != result.paths, axis=-1) & np.isfinite(placed).all(axis=-1)
    heights[moved] = terrain.height_at(placed[moved, 0], placed[moved, 1]) + terrain.lift
    return np.concatenate([placed, heights[..., None]], axis=-1)


def split_hidden(points: np.ndarray, hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``points`` (..., steps + 1, 2) as the trails in sight and the trails behind the
    surface, each with the other's points NaN (gaps); a segment with one end hidden
    belongs to the hidden part (as racers3d.py splits one trail)."""
    behind_segment = hidden.copy()
    behind_segment[..., :-1] |= hidden[..., 1:]
    behind_segment[..., 1:] |= hidden[..., :-1]
    seen = np.where(hidden[..., None], np.nan, points)
    behind = np.where(behind_segment[..., None], points, np.nan)
    return seen, behind


def default_swarm_camera(result, terrain: Terrain) -> tuple[float, float]:
    """The camera (terrain.choose_camera) that shows the goals, the starts' final heads and
    a spread of CAMERA_STARTS paths per racer best."""
    shown = swarm_shown_steps(result)
    picked = np.unique(
        np.linspace(0, result.count - 1, min(result.count, CAMERA_STARTS)).astype(int)
    )
    trails = lifted_paths(result, terrain)[:, picked]
    last = shown[:, picked, -1]
    heads = np.take_along_axis(
        lifted_heads(result, terrain)[:, picked], last[..., None, None], axis=2
    )[:, :, 0].reshape(-1, 3)
    goals = [(*goal, float(terrain.height_at(*goal)) + terrain.lift) for goal in result.goals]
    landmarks = np.vstack([np.array(goals).reshape(-1, 3), heads])
    paths = [
        trails[i, s, : last[i, s] + 1]
        for i in range(trails.shape[0])
        for s in range(trails.shape[1])
    ]
    return choose_camera(terrain, landmarks, paths)


class Swarm3DLayer(SwarmLayer):
    def axes(self, stage: Stage) -> Axes3D:
        return required(stage.plot3d, "3D axes")

    def build(self, stage: Stage) -> None:
        self.stage = stage
        self.ax, self.terrain = self.axes(stage), required(stage.terrain, "terrain")
        self.fixed = not stage.style.orbit
        self.points3d = lifted_paths(self.result, self.terrain)
        self.heads3d = lifted_heads(self.result, self.terrain)
        self.view: tuple[float, float] | None = None
        super().build(stage)
        if not self.fixed:
            # The surface is drawn again every frame, and everything on it with it.
            self.moving = [*self.occasional, self.start_rings, *self.moving]
            self.occasional = []

    def geometry(self, stage: Stage):
        self.view = (self.ax.elev, self.ax.azim)
        drawn = flattened(self.ax, self.points3d, self.terrain)
        hidden = self.terrain.hidden(self.points3d.reshape(-1, 3), *self.view).reshape(
            self.points3d.shape[:-1]
        )
        heads = projected(self.ax, np.nan_to_num(self.heads3d))
        heads = np.where(np.isfinite(self.heads3d).all(axis=-1, keepdims=True), heads, np.nan)
        if self.fixed and not hidden.any():
            return drawn, None, heads
        seen, behind = split_hidden(drawn, hidden)
        return seen, behind, heads

    def starts(self, stage: Stage) -> np.ndarray:
        starts = self.result.starts
        heights = self.terrain.height_at(starts[:, 0], starts[:, 1]) + self.terrain.lift
        return projected(self.ax, np.column_stack([starts, heights]))

    def add(self, ax, artist):
        if isinstance(artist, LineCollection):
            add_projected(ax, artist)
        else:
            ax.add_artist(artist)  # not add_line: that would rescale the 3D limits
        return artist

    def update(self, step: int):
        if not self.fixed and (self.ax.elev, self.ax.azim) != self.view:
            self.trails, self.behind, self.head_points = self.geometry(self.stage)
            starts = self.starts(self.stage)
            self.start_rings.set_data(starts[:, 0], starts[:, 1])
            self.baked_step = None  # every trail is placed again
        return super().update(step)
