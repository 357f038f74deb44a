"""A swarm race: every optimizer from many starts at once, vectorized over the starts.

Pure numpy, like :mod:`anim.race`. Where the single-start :class:`~anim.race.RaceResult`
says ``None`` ("did not arrive"), a :class:`SwarmResult` holds integer arrays with ``-1``:
``arrival_step[i, s] == -1`` means optimizer ``i`` from start ``s`` never arrived.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .engine import NO_STEP, StartsRace, race_starts, resolve_seed
from .optimizers import Optimizer
from .race import (
    check_any_goal,
    check_goal_radius,
    check_noise,
    check_seed,
    check_steps,
    default_goal_radius,
    require_point,
)
from .surface import Point, PointLike, Surface

__all__ = [
    "SwarmResult",
    "NO_STEP",
    "simulate_swarm",
    "race_starts",
    "StartsRace",
    "swarm_goals",
    "lower_median",
]


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
    goal: Point | None
    goal_radius: float | None
    goals: tuple[Point, ...]
    arrival_step: np.ndarray
    diverged_step: np.ndarray
    arrived_at: np.ndarray
    final_losses: np.ndarray
    final_positions: np.ndarray
    #: ``grads[i, s, k]``: the gradient optimizer ``i`` from start ``s`` stepped with after
    #: ``k`` steps (noisy with noise); NaN where it had stopped.
    grads: np.ndarray
    #: Gaussian noise on every gradient component (0: none) and the seed it was drawn with.
    noise: float = 0.0
    seed: int | None = None
    #: With ``explain``: per (optimizer, start, step) the glyphs' vectors, as in RaceResult.
    velocities: np.ndarray | None = None
    step_scales: np.ndarray | None = None

    #: A swarm has no single start; the figure draws every start itself.
    start = None
    is_swarm = True

    @property
    def count(self) -> int:
        """How many starts."""
        return len(self.starts)

    @property
    def effective_lr(self) -> np.ndarray:
        """(optimizers, starts, steps, 2): |Δx_i| / |g_i| of each step, per axis; NaN
        where the gradient component is 0 and after a start stopped."""
        step = np.abs(np.diff(self.paths, axis=2))
        gradient = np.abs(self.grads[:, :, :-1])
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(gradient > 0, step / gradient, np.nan)

    def trace(self, index: int) -> list[list[dict[str, Any]]]:
        """Optimizer ``index``'s race from each start, step by step, as
        :meth:`anim.race.RaceResult.trace` gives it for one start: a list per start."""
        from .race import trace_rows

        rates = self.effective_lr[index]
        return [
            trace_rows(self.paths[index, s], self.losses[index, s], self.grads[index, s], rates[s])
            for s in range(self.count)
        ]

    def keeps_moving_after_arrival(self) -> bool:
        """With noisy gradients an arrival is a first arrival: its start moves on."""
        return self.noise > 0

    def arrived_by(self, index: int, step: int) -> np.ndarray:
        """Arrival steps (<= ``step``) of optimizer ``index``'s starts that arrived by then."""
        arrivals = self.arrival_step[index]
        return arrivals[(arrivals >= 0) & (arrivals <= step)]

    def diverged_by(self, index: int, step: int) -> int:
        """How many of optimizer ``index``'s starts diverged by ``step`` without arriving."""
        diverged, arrivals = self.diverged_step[index], self.arrival_step[index]
        return int(
            np.sum(
                (diverged >= 0) & (diverged <= step) & ~((arrivals >= 0) & (arrivals < diverged))
            )
        )

    def status(self, index: int, step: int) -> str:
        """ "arrived" once every start of optimizer ``index`` arrived or diverged and at least
        one arrived, "diverged" once all diverged, else "racing"."""
        arrived = len(self.arrived_by(index, step))
        diverged = self.diverged_by(index, step)
        if arrived + diverged < self.count:
            return "racing"
        return "arrived" if arrived else "diverged"

    def median_arrival_step(self, index: int) -> int | None:
        """The lower median of the arrival steps of optimizer ``index``'s starts that
        arrived: always one start's own step (None before any arrived)."""
        return lower_median(self.arrival_step[index][self.arrival_step[index] >= 0])

    def decided_step(self) -> int:
        """The step by which every start of every optimizer has arrived or diverged; all
        the steps when one does neither."""
        ends = np.where(
            self.arrival_step >= 0,
            self.arrival_step,
            np.where(self.diverged_step >= 0, self.diverged_step, self.steps),
        )
        return int(ends.max())

    def finish_order(self) -> list[int]:
        """Optimizers with at least one arrival, by median arrival step (ties keep order)."""
        medians = [(self.median_arrival_step(i), i) for i in range(len(self.optimizers))]
        return [i for _, i in sorted((m, i) for m, i in medians if m is not None)]

    def summary(self) -> dict[str, Any]:
        """JSON-ready: the goal(s) and, per optimizer, how many starts arrived and when."""
        any_goal = len(self.goals) > 1
        entries = []
        for i, opt in enumerate(self.optimizers):
            arrived = int(np.sum(self.arrival_step[i] >= 0))
            entry: dict[str, Any] = {
                "name": opt.name,
                "label": opt.label,
                "hyperparameters": opt.hyperparameters,
                "starts": self.count,
                "arrived": arrived,
                "diverged": self.diverged_by(i, self.steps),
                "median_arrival_step": self.median_arrival_step(i),
                "median_final_loss": _median_finite(self.final_losses[i]),
            }
            if any_goal:
                entry["minima_reached"] = [
                    int(np.sum(self.arrived_at[i] == g)) for g in range(len(self.goals))
                ]
            entries.append(entry)
        return {
            "steps": self.steps,
            "start": None,
            "start_points": self.starts.tolist(),
            "goal": None if self.goal is None else list(self.goal),
            "goals": [list(g) for g in self.goals],
            "goal_radius": self.goal_radius,
            "optimizers": entries,
        }

    def __repr__(self) -> str:
        """A few lines: where the race went, then per racer its arrival or divergence
        step and final loss (``anim race``'s table), not the arrays."""
        from .summary import text_table

        return text_table("SwarmResult", self.summary())

    def _repr_html_(self) -> str:
        """The same table in a notebook."""
        from .summary import html_table

        return html_table("SwarmResult", self.summary())


def lower_median(values: ArrayLike) -> int | None:
    """The lower median of integer ``values`` (the ((n − 1) // 2)-th smallest), or None."""
    ordered = np.sort(np.asarray(values).ravel())
    return int(ordered[(len(ordered) - 1) // 2]) if ordered.size else None


def _median_finite(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else None


def swarm_goals(
    surface: Surface,
    starts: np.ndarray,
    goal: PointLike | str | None = None,
    goal_radius: float | None = None,
) -> tuple[Point | None, tuple[Point, ...], float | None]:
    """(goal, goals, radius) of a swarm race: ``goal="any"`` and, for a surface with
    minima, no goal (a swarm has no one nearest minimum) count an arrival at any minimum;
    a point is the one finish line."""
    any_minimum = check_any_goal(goal, surface)
    check_goal_radius(goal_radius)
    finish: Point | None
    if goal is None or any_minimum:
        goals = tuple(surface.minima)
        finish = surface.nearest_minimum(tuple(starts[0])) if goals else None
    else:
        finish = require_point(goal, "goal")
        goals = (finish,)
    if finish is not None and goal_radius is None:
        goal_radius = default_goal_radius(surface, tuple(starts[0]), finish)
    return finish, goals, None if goal_radius is None else float(goal_radius)


def check_starts_array(starts: ArrayLike) -> np.ndarray:
    points = np.asarray(starts, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"starts must be an (n, 2) array of points, got shape {points.shape}")
    if not np.all(np.isfinite(points)):
        raise ValueError("starts must be finite points (x, y)")
    return points


def simulate_swarm(
    surface: Surface,
    optimizers: Iterable[Optimizer],
    starts: ArrayLike,
    steps: int = 150,
    goal: PointLike | str | None = None,
    goal_radius: float | None = None,
    noise: float = 0.0,
    seed: int | None = None,
    explain: bool = False,
) -> SwarmResult:
    """Race every optimizer from every start in ``starts`` (n, 2) for ``steps`` steps.

    The goal: a point, or ``"any"`` (and, on a surface with minima, by default) any of the
    surface's minima; ``goal_radius`` as in :func:`anim.race.simulate` (default
    2 % of the bounds' diagonal). Each (optimizer, start) pair races exactly as the
    single-start race would. ``noise``/``seed`` as in :func:`anim.race.simulate`: each
    start draws its own noise, the same for every optimizer from that start.
    """
    optimizers = tuple(optimizers)
    if not optimizers:
        raise ValueError("a race needs at least one optimizer")
    points = check_starts_array(starts)
    steps = check_steps(steps)
    goal, goals, radius = swarm_goals(surface, points, goal, goal_radius)
    noise = check_noise(noise)
    seed = resolve_seed(noise, check_seed(seed))
    races = [
        race_starts(
            surface, opt, points, steps, goals, radius, noise=noise, seed=seed, explain=explain
        )
        for opt in optimizers
    ]

    def stacked(name: str) -> np.ndarray:
        return np.stack([getattr(race, name) for race in races])

    return SwarmResult(
        surface=surface,
        optimizers=optimizers,
        starts=points,
        steps=steps,
        paths=stacked("paths"),
        losses=stacked("losses"),
        goal=goal,
        goal_radius=radius,
        goals=goals,
        arrival_step=stacked("arrival_step"),
        diverged_step=stacked("diverged_step"),
        arrived_at=stacked("arrived_at"),
        final_losses=stacked("final_losses"),
        final_positions=stacked("final_positions"),
        grads=stacked("grads"),
        noise=noise,
        seed=seed,
        velocities=stacked("velocities") if explain else None,
        step_scales=stacked("step_scales") if explain else None,
    )
