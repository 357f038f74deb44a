"""A swarm race: every optimizer from many starts at once, vectorized over the starts.

Pure numpy, like :mod:`anim.race`. Where the single-start :class:`~anim.race.RaceResult`
says ``None`` ("did not arrive"), a :class:`SwarmResult` holds integer arrays with ``-1``:
``arrival_step[i, s] == -1`` means optimizer ``i`` from start ``s`` never arrived.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .optimizers import Optimizer
from .race import (
    check_any_goal,
    check_goal_radius,
    check_steps,
    default_goal_radius,
    divergence_limits,
    require_point,
)
from .surface import Surface

__all__ = ["SwarmResult", "NO_STEP", "simulate_swarm", "race_starts", "swarm_goals"]

#: The step of something that did not happen (no arrival, no divergence).
NO_STEP = -1


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class SwarmResult:
    """Every optimizer raced from every start, indexed (optimizer, start).

    ``paths[i, s, k]``: optimizer ``i`` from start ``s`` after ``k`` steps (NaN from its
    divergence on); ``arrival_step``/``diverged_step`` (optimizers, starts) int arrays with
    ``NO_STEP`` (-1) where it did not happen; ``arrived_at[i, s]`` the index into ``goals``
    of the minimum reached (-1: none); ``final_losses`` f at the last step (or the last
    finite one before a divergence).
    """

    surface: Surface
    optimizers: tuple[Optimizer, ...]
    starts: np.ndarray
    steps: int
    paths: np.ndarray
    losses: np.ndarray
    goal: tuple[float, float] | None
    goal_radius: float | None
    goals: tuple[tuple[float, float], ...]
    arrival_step: np.ndarray
    diverged_step: np.ndarray
    arrived_at: np.ndarray
    final_losses: np.ndarray
    final_positions: np.ndarray

    #: A swarm has no single start; the figure draws every start itself.
    start = None
    is_swarm = True

    @property
    def count(self) -> int:
        """How many starts."""
        return len(self.starts)

    def arrived_by(self, index: int, step: int) -> np.ndarray:
        """Arrival steps (<= ``step``) of optimizer ``index``'s starts that arrived by then."""
        arrivals = self.arrival_step[index]
        return arrivals[(arrivals >= 0) & (arrivals <= step)]

    def diverged_by(self, index: int, step: int) -> int:
        """How many of optimizer ``index``'s starts diverged by ``step`` without arriving."""
        diverged, arrivals = self.diverged_step[index], self.arrival_step[index]
        return int(np.sum((diverged >= 0) & (diverged <= step)
                          & ~((arrivals >= 0) & (arrivals < diverged))))

    def status(self, index: int, step: int) -> str:
        """"arrived" once every start of optimizer ``index`` arrived or diverged and at least
        one arrived, "diverged" once all diverged, else "racing"."""
        arrived = len(self.arrived_by(index, step))
        diverged = self.diverged_by(index, step)
        if arrived + diverged < self.count:
            return "racing"
        return "arrived" if arrived else "diverged"

    def median_arrival_step(self, index: int) -> float | None:
        arrivals = self.arrival_step[index][self.arrival_step[index] >= 0]
        return float(np.median(arrivals)) if arrivals.size else None

    def decided_step(self) -> int:
        """The step by which every start of every optimizer has arrived or diverged; all
        the steps when one does neither."""
        ends = np.where(self.arrival_step >= 0, self.arrival_step,
                        np.where(self.diverged_step >= 0, self.diverged_step, self.steps))
        return int(ends.max())

    def finish_order(self) -> list[int]:
        """Optimizers with at least one arrival, by median arrival step (ties keep order)."""
        medians = {i: self.median_arrival_step(i) for i in range(len(self.optimizers))}
        return sorted((i for i, m in medians.items() if m is not None), key=medians.get)

    def summary(self) -> dict:
        """JSON-ready: the goal(s) and, per optimizer, how many starts arrived and when."""
        any_goal = len(self.goals) > 1
        entries = []
        for i, opt in enumerate(self.optimizers):
            arrived = int(np.sum(self.arrival_step[i] >= 0))
            entry = {"name": opt.name, "label": opt.label,
                     "hyperparameters": opt.hyperparameters,
                     "starts": self.count, "arrived": arrived,
                     "diverged": self.diverged_by(i, self.steps),
                     "median_arrival_step": self.median_arrival_step(i),
                     "median_final_loss": _median_finite(self.final_losses[i])}
            if any_goal:
                entry["minima_reached"] = [int(np.sum(self.arrived_at[i] == g))
                                           for g in range(len(self.goals))]
            entries.append(entry)
        return {"steps": self.steps, "start": None, "start_points": self.starts.tolist(),
                "goal": None if self.goal is None else list(self.goal),
                "goals": [list(g) for g in self.goals], "goal_radius": self.goal_radius,
                "optimizers": entries}


    def __repr__(self) -> str:
        """A few lines: where the race went, then per racer its arrival or divergence
        step and final loss (``anim race``'s table), not the arrays."""
        from .summary import text_table

        return text_table("SwarmResult", self.summary())

    def _repr_html_(self) -> str:
        """The same table in a notebook."""
        from .summary import html_table

        return html_table("SwarmResult", self.summary())

def _median_finite(values) -> float | None:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else None


def swarm_goals(surface: Surface, starts: np.ndarray, goal=None, goal_radius=None):
    """(goal, goals, radius) of a swarm race: ``goal="any"`` and, for a surface with
    minima, no goal (a swarm has no one nearest minimum) count an arrival at any minimum;
    a point is the one finish line."""
    any_minimum = check_any_goal(goal, surface)
    check_goal_radius(goal_radius)
    if goal is None or any_minimum:
        goals = tuple(surface.minima)
        goal = surface.nearest_minimum(tuple(starts[0])) if goals else None
    else:
        goal = require_point(goal, "goal")
        goals = (goal,)
    if goal is not None and goal_radius is None:
        goal_radius = default_goal_radius(surface, tuple(starts[0]), goal)
    return goal, goals, None if goal_radius is None else float(goal_radius)


@dataclass
class StartsRace:
    """One optimizer from many starts (arrays over the starts); see :func:`race_starts`."""

    arrival_step: np.ndarray
    diverged_step: np.ndarray
    arrived_at: np.ndarray
    final_losses: np.ndarray
    final_positions: np.ndarray
    paths: np.ndarray | None = None
    losses: np.ndarray | None = None


def race_starts(surface: Surface, optimizer: Optimizer, starts: np.ndarray, steps: int,
                goals=(), goal_radius: float | None = None, keep_paths: bool = True,
                stop_when_finished: bool = False) -> StartsRace:
    """Race one optimizer from every row of ``starts`` (n, 2), vectorized over the starts.

    Each start is an independent race, exactly as :func:`anim.race.simulate` runs it. With
    ``stop_when_finished`` a start stops at its arrival (its final loss and position are
    then the arrival's) and the race ends when every start has arrived or diverged, which
    is all a basin map or a learning-rate search needs.
    """
    starts = np.asarray(starts, dtype=float)
    count = len(starts)
    targets = np.asarray(goals, dtype=float).reshape(-1, 2)
    low, high = divergence_limits(surface)
    arrival = np.full(count, NO_STEP)
    diverged = np.full(count, NO_STEP)
    reached = np.full(count, NO_STEP)
    final_losses = np.full(count, np.nan)
    final_positions = np.full((count, 2), np.nan)
    paths = np.full((count, steps + 1, 2), np.nan) if keep_paths else None
    losses = np.full((count, steps + 1), np.nan) if keep_paths else None

    rows = np.arange(count)  # which starts are still racing, in the arrays below
    params = starts.copy()
    state = optimizer.init(params)
    with np.errstate(all="ignore"):  # a racer flying off overflows: that is divergence
        for step in range(steps + 1):
            if rows.size == 0:
                break
            values, grads = surface.value_and_grad_at(params)
            # NaN fails every comparison, so a non-finite position is never inside.
            good = (np.isfinite(values) & np.isfinite(grads).all(axis=1)
                    & ((params >= low) & (params <= high)).all(axis=1))
            if not good.all():
                diverged[rows[~good]] = step
            at = rows[good]
            final_positions[at] = params[good]
            final_losses[at] = values[good]
            if keep_paths:
                paths[at, step] = params[good]
                losses[at, step] = values[good]
            waiting = good & (arrival[rows] == NO_STEP)
            if targets.size and waiting.any():
                offsets = params[waiting, None, :] - targets[None]
                within = np.hypot(offsets[..., 0], offsets[..., 1]) <= goal_radius
                hit = within.any(axis=1)
                if hit.any():
                    newly = rows[waiting][hit]
                    arrival[newly] = step
                    reached[newly] = np.argmax(within[hit], axis=1)  # the first goal listed
                    waiting[np.flatnonzero(waiting)[hit]] = False
            keep = waiting if stop_when_finished else good
            if step == steps:
                break
            if not keep.all():
                rows, params, grads = rows[keep], params[keep], grads[keep]
                state = state._replace(**{
                    field: value[keep] for field, value in zip(state._fields, state)
                    if isinstance(value, np.ndarray) and value.shape[:1] == (len(keep),)})
                if rows.size == 0:
                    break
            params, state = optimizer.update(grads, state, params)
    return StartsRace(arrival, diverged, reached, final_losses, final_positions, paths, losses)


def check_starts_array(starts) -> np.ndarray:
    points = np.asarray(starts, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"starts must be an (n, 2) array of points, got shape {points.shape}")
    if not np.all(np.isfinite(points)):
        raise ValueError("starts must be finite points (x, y)")
    return points


def simulate_swarm(surface: Surface, optimizers, starts, steps: int = 150, goal=None,
                   goal_radius=None) -> SwarmResult:
    """Race every optimizer from every start in ``starts`` (n, 2) for ``steps`` steps.

    The goal: a point, or ``"any"`` (and, on a surface with minima, by default) any of the
    surface's minima; ``goal_radius`` as in :func:`anim.race.simulate` (default
    2 % of the bounds' diagonal). Each (optimizer, start) pair races exactly as the
    single-start race would.
    """
    optimizers = tuple(optimizers)
    if not optimizers:
        raise ValueError("a race needs at least one optimizer")
    points = check_starts_array(starts)
    steps = check_steps(steps)
    goal, goals, radius = swarm_goals(surface, points, goal, goal_radius)
    races = [race_starts(surface, opt, points, steps, goals, radius) for opt in optimizers]

    def stacked(name):
        return np.stack([getattr(race, name) for race in races])

    return SwarmResult(surface=surface, optimizers=optimizers, starts=points, steps=steps,
                       paths=stacked("paths"), losses=stacked("losses"), goal=goal,
                       goal_radius=radius, goals=goals, arrival_step=stacked("arrival_step"),
                       diverged_step=stacked("diverged_step"),
                       arrived_at=stacked("arrived_at"), final_losses=stacked("final_losses"),
                       final_positions=stacked("final_positions"))

