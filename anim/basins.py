"""Basin maps: which minimum each start point leads an optimizer to, and how fast.

Pure numpy: every pixel of an n × n grid over the surface's bounds is a start, and all of
them race at once (in chunks, so memory stays bounded at any resolution).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .combinations import message
from .engine import NO_STEP, race_starts
from .optimizers import Optimizer
from .race import default_goal_radius
from .starts import grid_points
from .swarm import lower_median

__all__ = ["BasinMap", "DEFAULT_RESOLUTION", "basin_maps"]

DEFAULT_RESOLUTION = 200
MIN_RESOLUTION, MAX_RESOLUTION = 2, 2000
#: Starts raced at once: bounds the memory of a large map.
CHUNK = 65536


@dataclass(frozen=True)
class BasinMap:
    """One optimizer's map; arrays (resolution, resolution), row 0 at the bottom (y low)."""

    optimizer: Optimizer
    bounds: tuple
    goals: tuple[tuple[float, float], ...]
    #: Index into ``goals`` of the minimum reached, -1 for none.
    reached: np.ndarray
    #: The arrival step, -1 where it did not arrive.
    arrival_step: np.ndarray
    #: True where it diverged (and never arrived).
    diverged: np.ndarray
    steps: int

    @property
    def arrived_share(self) -> float:
        return float(np.mean(self.reached >= 0))

    def median_arrival_step(self) -> int | None:
        """The lower median arrival step (one start's own step), None if none arrived."""
        return lower_median(self.arrival_step[self.arrival_step >= 0])


def check_resolution(resolution) -> int:
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, (int, np.integer))
        or not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION
    ):
        raise ValueError(
            f"Invalid resolution: {resolution!r} (must be an integer from "
            f"{MIN_RESOLUTION} to {MAX_RESOLUTION})"
        )
    return int(resolution)


def basin_goals(scene):
    """Every minimum of the surface (or the scene's goal when it declares none) and the
    radius that counts as reaching one."""
    surface = scene.surface
    if surface.minima:
        goals = tuple(surface.minima)
    elif isinstance(scene.goal, tuple):
        goals = (scene.goal,)
    else:
        raise ValueError(
            "a basin map needs minima: declare the surface's minimum= (or give the scene a goal)"
        )
    radius = scene.goal_radius
    if radius is None:
        radius = default_goal_radius(surface, goals[0], goals[0])
    return goals, float(radius)


def basin_maps(
    scene, resolution: int = DEFAULT_RESOLUTION, steps: int | None = None
) -> list[BasinMap]:
    """A basin map per optimizer of ``scene``, over its surface's bounds, ``resolution``²
    starts, the scene's step budget (or ``steps``), with the scene's gradient noise (each
    start's noise the same for every optimizer)."""
    resolution = check_resolution(resolution)
    surface = scene.surface
    if surface.bounds is None:
        raise ValueError(
            "a basin map covers the surface's bounds, and this surface has none: give it bounds="
        )
    replaying = [o for o in scene.optimizers if o.replays_one_path]
    if replaying:
        raise ValueError(message("projected-starts", label=replaying[0].label))
    goals, radius = basin_goals(scene)
    steps = scene.steps if steps is None else steps
    points = grid_points(surface.bounds, resolution)
    maps = []
    for optimizer in scene.optimizers:
        reached = np.empty(len(points), dtype=int)
        arrival = np.empty(len(points), dtype=int)
        diverged = np.empty(len(points), dtype=bool)
        for number, first in enumerate(range(0, len(points), CHUNK)):
            chunk = slice(first, first + CHUNK)
            race = race_starts(
                surface,
                optimizer,
                points[chunk],
                steps,
                goals,
                radius,
                noise=scene.noise,
                seed=None if scene.seed is None else scene.seed + number,
                keep_paths=False,
                stop_when_finished=True,
            )
            reached[chunk] = race.arrived_at
            arrival[chunk] = race.arrival_step
            diverged[chunk] = (race.diverged_step != NO_STEP) & (race.arrival_step == NO_STEP)
        shape = (resolution, resolution)
        maps.append(
            BasinMap(
                optimizer,
                surface.bounds,
                goals,
                reached.reshape(shape),
                arrival.reshape(shape),
                diverged.reshape(shape),
                steps,
            )
        )
    return maps
