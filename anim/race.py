"""The lockstep race: every optimizer takes one step per frame from the same start.

Pure numpy; the renderer only reads the :class:`RaceResult` this module produces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .engine import (
    DIVERGENCE_ABSOLUTE,
    DIVERGENCE_SPANS,
    NO_STEP,
    divergence_limits,
    gradient_noise,
    race_starts,
    resolve_seed,
)
from .optimizers import Optimizer
from .surface import Point, PointLike, Surface, finite_point

__all__ = [
    "RaceResult",
    "simulate",
    "default_goal_radius",
    "divergence_limits",
    "gradient_noise",
    "DIVERGENCE_SPANS",
    "DIVERGENCE_ABSOLUTE",
]

#: Default goal radius as a fraction of the diagonal of the surface bounds.
GOAL_RADIUS_FRACTION_OF_BOUNDS = 0.02
#: Without bounds, the default goal radius is this fraction of the start-goal distance.
GOAL_RADIUS_FRACTION_OF_DISTANCE = 0.05


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class RaceResult:
    """Everything the race produced, indexed by optimizer in the order given.

    ``paths[i, k]`` is optimizer ``i``'s position after ``k`` steps (row 0 is the start);
    ``losses[i, k]`` is f there. Rows from ``diverged_step[i]`` on are NaN.
    """

    surface: Surface
    optimizers: tuple[Optimizer, ...]
    start: Point
    steps: int
    paths: np.ndarray
    losses: np.ndarray
    goal: Point | None
    goal_radius: float | None
    arrival_step: tuple[int | None, ...]
    diverged_step: tuple[int | None, ...]
    #: Every point that counts as a finish: ``(goal,)``, or all minima for goal="any".
    goals: tuple[Point, ...] = ()
    #: Per optimizer, the goal it reached (None if it did not arrive).
    arrived_at: tuple[Point | None, ...] = ()
    #: ``grads[i, k]``: the gradient optimizer ``i`` was given after ``k`` steps.
    grads: np.ndarray = field(kw_only=True)
    #: With ``simulate(explain=True)``, after each step ``k`` (shape (optimizers, steps, 2),
    #: NaN where an optimizer has none): the velocity as the step it stands for (−lr·v)
    #: and the per-axis step scale lr/(√h + ε); see :mod:`anim.explain`.
    velocities: np.ndarray | None = None
    step_scales: np.ndarray | None = None

    @property
    def effective_lr(self) -> np.ndarray:
        """(optimizers, steps, 2): |Δx_i| / |g_i| of each step, per axis — how far one
        unit of gradient moved the point. NaN where the gradient component is 0 and
        after an optimizer stopped (diverged)."""
        step = np.abs(np.diff(self.paths, axis=1))
        gradient = np.abs(self.grads[:, :-1])
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(gradient > 0, step / gradient, np.nan)

    def trace(self, index: int) -> list[dict[str, Any]]:
        """Optimizer ``index``'s race step by step: position, loss, gradient and the
        effective learning rate of the step taken from there (JSON-ready, None for NaN)."""
        return trace_rows(
            self.paths[index], self.losses[index], self.grads[index], self.effective_lr[index]
        )

    #: Standard deviation of the Gaussian noise added to each gradient component (0: none).
    noise: float = 0.0
    #: The seed the noise was drawn with (None when there is no noise).
    seed: int | None = None

    def keeps_moving_after_arrival(self) -> bool:
        """With noisy gradients an arrival is a first arrival: the optimizer is drawn
        moving on after it (without noise it is drawn where it arrived)."""
        return self.noise > 0

    def decided_step(self) -> int:
        """The step at which the race is decided: when the last optimizer arrives or
        diverges; all the steps when one does neither."""
        ends = []
        for arrived, diverged in zip(self.arrival_step, self.diverged_step):
            if arrived is not None:
                ends.append(arrived)
            elif diverged is not None:
                ends.append(diverged)
            else:
                return self.steps
        return max(ends)

    def finish_order(self) -> list[int]:
        """Indices of the optimizers that arrived, by arrival step (ties keep list order)."""
        arrived = [(step, i) for i, step in enumerate(self.arrival_step) if step is not None]
        return [i for _, i in sorted(arrived)]

    def status(self, index: int, step: int) -> str:
        """ "arrived", "diverged" or "racing" after ``step`` steps. An arrival is final:
        the optimizer keeps stepping, but a divergence after it does not count."""
        arrived, diverged = self.arrival_step[index], self.diverged_step[index]
        if arrived is not None and arrived <= step:
            return "arrived"
        if diverged is not None and diverged <= step:
            return "diverged"
        return "racing"

    def final_loss(self, index: int) -> float | None:
        """Loss at the last step, or at the last finite step before a divergence."""
        finite = self.losses[index][np.isfinite(self.losses[index])]
        return float(finite[-1]) if finite.size else None

    def summary(self) -> dict[str, Any]:
        """The race as plain JSON-ready data: goal, and per optimizer its results."""
        return {
            "steps": self.steps,
            "start": list(self.start),
            "goal": None if self.goal is None else list(self.goal),
            "goals": [list(g) for g in self.goals],
            "goal_radius": self.goal_radius,
            "noise": self.noise,
            "seed": self.seed,
            "optimizers": [
                {
                    "name": opt.name,
                    "label": opt.label,
                    "hyperparameters": opt.hyperparameters,
                    "arrival_step": self.arrival_step[i],
                    "arrived_at": None if reached is None else list(reached),
                    "diverged_step": self.diverged_step[i],
                    "final_loss": self.final_loss(i),
                }
                for i, (opt, reached) in enumerate(zip(self.optimizers, self.arrived_at))
            ],
        }

    def __repr__(self) -> str:
        """A few lines: where the race went, then per racer its arrival or divergence
        step and final loss (``anim race``'s table), not the arrays."""
        from .summary import text_table

        return text_table("RaceResult", self.summary())

    def _repr_html_(self) -> str:
        """The same table in a notebook."""
        from .summary import html_table

        return html_table("RaceResult", self.summary())


def trace_rows(
    path: np.ndarray, losses: np.ndarray, grads: np.ndarray, rates: np.ndarray
) -> list[dict[str, Any]]:
    """One race's steps as JSON-ready rows, up to its last finite step."""
    rows: list[dict[str, Any]] = []
    steps = len(path) - 1
    for k in range(steps + 1):
        if not np.isfinite(losses[k]):
            break
        rows.append(
            {
                "step": k,
                "position": _plain(path[k]),
                "loss": float(losses[k]),
                "gradient": _plain(grads[k]),
                "effective_lr": _plain(rates[k]) if k < steps else None,
            }
        )
    return rows


def _plain(values: Iterable[float]) -> list[float | None]:
    return [float(v) if np.isfinite(v) else None for v in values]


def default_goal_radius(surface: Surface, start: PointLike, goal: PointLike) -> float:
    """2 % of the bounds' diagonal; without bounds, 5 % of the start-goal distance."""
    if surface.bounds is not None:
        (x0, x1), (y0, y1) = surface.bounds
        return GOAL_RADIUS_FRACTION_OF_BOUNDS * float(np.hypot(x1 - x0, y1 - y0))
    distance = float(np.hypot(goal[0] - start[0], goal[1] - start[1]))
    return GOAL_RADIUS_FRACTION_OF_DISTANCE * distance if distance > 0 else 1e-3


def require_point(value: object, what: str) -> Point:
    """``value`` as a finite (x, y), or a ValueError naming ``what``."""
    point = finite_point(value)
    if point is None:
        raise ValueError(f"{what} must be a finite point (x, y), got {value!r}")
    return point


def check_steps(steps: object, most: int | None = None) -> int:
    """``steps`` as an int from 1 (to ``most``), or a ValueError saying so."""
    if (
        isinstance(steps, bool)
        or not isinstance(steps, (int, np.integer))
        or steps < 1
        or most is not None
        and steps > most
    ):
        expected = ">= 1" if most is None else f"from 1 to {most}"
        raise ValueError(f"Invalid steps: {steps!r} (must be an integer {expected})")
    return int(steps)


def check_goal_radius(radius: float | None) -> float | None:
    """``radius`` if it is None or a finite number > 0, else a ValueError."""
    if radius is not None and not (
        isinstance(radius, (int, float, np.number))
        and not isinstance(radius, bool)
        and np.isfinite(radius)
        and radius > 0
    ):
        raise ValueError(f"Invalid goal_radius: {radius!r} (must be > 0)")
    return radius


def check_noise(noise: object) -> float:
    """``noise`` as a float that is finite and >= 0, or a ValueError saying so."""
    if (
        isinstance(noise, bool)
        or not isinstance(noise, (int, float, np.integer, np.floating))
        or not (np.isfinite(noise) and noise >= 0)
    ):
        raise ValueError(f"Invalid noise: {noise!r} (must be a finite number >= 0)")
    return float(noise)


def check_seed(seed: object) -> int | None:
    """``seed`` as an int >= 0 (or None), or a ValueError saying so."""
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
    ):
        raise ValueError(f"Invalid seed: {seed!r} (must be an integer >= 0)")
    return None if seed is None else int(seed)


def check_any_goal(goal: object, surface: Surface) -> bool:
    """Whether ``goal`` is the string "any" (which needs a surface with minima)."""
    if not isinstance(goal, str):
        return False
    if goal != "any":
        raise ValueError(f'Invalid goal: {goal!r} (a point (x, y), "any" or None)')
    if not surface.minima:
        raise ValueError('goal="any" needs a surface with minima; this one declares none')
    return True


def simulate(
    surface: Surface,
    optimizers: Iterable[Optimizer],
    start: PointLike | None = None,
    steps: int = 150,
    goal: PointLike | str | None = None,
    goal_radius: float | None = None,
    noise: float = 0.0,
    seed: int | None = None,
    explain: bool = False,
) -> RaceResult:
    """Race ``optimizers`` on ``surface`` from ``start`` for ``steps`` steps in lockstep.

    The goal defaults to the surface minimum nearest the start (no goal for a surface
    without minima); ``goal="any"`` counts an arrival at any of the surface's minima.
    ``goal_radius`` defaults to :func:`default_goal_radius`. An optimizer whose position,
    f or gradient becomes non-finite, or that leaves the bounds by more than
    ``DIVERGENCE_SPANS`` spans, is marked diverged and stops; the others race on. One that
    arrived keeps stepping (its path goes on), but it has finished.

    ``noise`` > 0 adds Gaussian noise of that standard deviation to each component of
    every gradient an optimizer steps with (SGD-style; f, the divergence checks and the
    losses stay exact), drawn by :func:`gradient_noise` from ``seed`` (None: a fresh
    seed, recorded in the result). ``noise=0`` draws nothing: exactly the noiseless race.
    """
    optimizers = tuple(optimizers)
    if not optimizers:
        raise ValueError("a race needs at least one optimizer")
    start = require_point(surface.start if start is None else start, "start")
    steps = check_steps(steps)
    any_minimum = check_any_goal(goal, surface)
    if goal is None or any_minimum:
        goal = surface.nearest_minimum(start)
    goal = None if goal is None else require_point(goal, "goal")
    goals = tuple(surface.minima) if any_minimum else (() if goal is None else (goal,))
    check_goal_radius(goal_radius)
    if goal is not None and goal_radius is None:
        goal_radius = default_goal_radius(surface, start, goal)
    noise = check_noise(noise)
    seed = resolve_seed(noise, check_seed(seed))
    # One batch of one start per optimizer: the same loop as every other race.
    races = [
        race_starts(
            surface,
            optimizer,
            np.array([start]),
            steps,
            goals,
            goal_radius,
            noise=noise,
            seed=seed,
            explain=explain,
        )
        for optimizer in optimizers
    ]

    def stacked(name: str) -> np.ndarray:
        return np.stack([getattr(race, name)[0] for race in races])

    def step_or_none(value: int) -> int | None:
        return None if value == NO_STEP else int(value)

    return RaceResult(
        surface=surface,
        optimizers=optimizers,
        start=start,
        steps=steps,
        paths=stacked("paths"),
        losses=stacked("losses"),
        goal=goal,
        goal_radius=None if goal_radius is None else float(goal_radius),
        arrival_step=tuple(step_or_none(r.arrival_step[0]) for r in races),
        diverged_step=tuple(step_or_none(r.diverged_step[0]) for r in races),
        goals=goals,
        arrived_at=tuple(
            None if r.arrived_at[0] == NO_STEP else goals[r.arrived_at[0]] for r in races
        ),
        grads=stacked("grads"),
        velocities=stacked("velocities") if explain else None,
        step_scales=stacked("step_scales") if explain else None,
        noise=noise,
        seed=seed,
    )
