"""A fair race: for each optimizer, the learning rate that arrives soonest.

Pure numpy. Each learning rate races the optimizer (its other hyperparameters as written)
from the scene's start(s) with the scene's step budget. The objective of a learning rate is
the median over the starts of each start's rank: its arrival step if it arrived, else
after every arrival, ordered by its final distance to the goal (a divergence last). The
search is a log grid, then finer grids around the best, twice.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from .engine import NO_STEP, race_starts
from .optimizers import Optimizer
from .optimizers.sweep import rate_sweep
from .race import check_any_goal, default_goal_radius
from .swarm import swarm_goals

__all__ = ["LOW_LR", "HIGH_LR", "TuneResult", "lr_score", "tune", "tuned_scene", "with_lr"]

LOW_LR, HIGH_LR = 1e-4, 10.0
#: The first grid's points per decade, and each refinement's points between the best
#: learning rate's neighbours.
PER_DECADE, REFINE_POINTS, REFINE_ROUNDS = 4, 8, 2


@dataclass(frozen=True)
class TuneResult:
    """The search for one optimizer: every learning rate tried (ascending) and its score."""

    optimizer: Optimizer
    best_lr: float
    #: The median arrival step at ``best_lr`` (None: the median start did not arrive).
    arrival_step: int | None
    lrs: np.ndarray
    scores: np.ndarray
    #: How many learning rates of the first (log) grid arrive at all, of how many.
    grid_arrivals: int
    grid_size: int
    steps: int

    def arrivals(self) -> np.ndarray:
        """The median arrival step of every learning rate tried, NaN where none."""
        return np.where(self.scores <= self.steps, self.scores, np.nan)

    def summary(self) -> dict:
        return {
            "name": self.optimizer.name,
            "label": self.optimizer.label,
            "best_lr": self.best_lr,
            "arrival_step": self.arrival_step,
            "grid_arrivals": self.grid_arrivals,
            "grid_size": self.grid_size,
        }


def with_lr(optimizer: Optimizer, lr: float, note: str | None = None) -> Optimizer:
    """A copy of ``optimizer`` with learning rate ``lr``, its other hyperparameters, colour
    and own label kept; with ``note``, its label ends with it (e.g. "(tuned)"). Every kind
    answers for itself (:meth:`~anim.optimizers.Optimizer.with_lr`)."""
    return optimizer.with_lr(lr, note)


def race_goals(scene):
    """(start points (n, 2), goals, goal radius) the scene's race is judged by."""
    surface = scene.surface
    if scene.starts is not None:
        points = scene.starts
        _, goals, radius = swarm_goals(surface, points, scene.goal, scene.goal_radius)
    else:
        points = np.array([scene.start])
        if check_any_goal(scene.goal, surface):
            goals = tuple(surface.minima)
        elif scene.goal is None:
            nearest = surface.nearest_minimum(scene.start)
            goals = () if nearest is None else (nearest,)
        else:
            goals = (scene.goal,)
        radius = scene.goal_radius
    if not goals:
        raise ValueError(
            "tuning needs a goal: give the scene goal=(x, y), or a surface with minimum="
        )
    if radius is None:  # one start's default (swarm_goals gives a swarm's)
        nearest = surface.nearest_minimum(scene.start) if len(goals) > 1 else goals[0]
        radius = default_goal_radius(surface, scene.start, nearest)
    return points, goals, float(radius)


def _ranks(race, steps: int, goals) -> np.ndarray:
    """Each start's rank: its arrival step; else ``steps + 1 + d / (1 + d)`` for a final
    distance ``d`` to the nearest goal; ``steps + 2`` for a divergence."""
    targets = np.asarray(goals, dtype=float)
    offsets = race.final_positions[:, None, :] - targets[None]
    distance = np.min(np.hypot(offsets[..., 0], offsets[..., 1]), axis=1)
    ranks = np.where(
        race.arrival_step != NO_STEP,
        race.arrival_step,
        np.where(race.diverged_step != NO_STEP, steps + 2.0, steps + 1 + distance / (1 + distance)),
    )
    return np.nan_to_num(ranks, nan=steps + 2.0)


def _lower_median(ranks: np.ndarray) -> np.ndarray:
    """The lower median along the last axis: always one start's own rank."""
    return np.sort(ranks, axis=-1)[..., (ranks.shape[-1] - 1) // 2]


def lr_score(
    surface,
    optimizer: Optimizer,
    points,
    steps: int,
    goals,
    radius,
    noise: float = 0.0,
    seed: int | None = None,
) -> float:
    """The objective of ``optimizer`` (lower is better): the lower median over the starts
    of each start's rank — its arrival step; else ``steps + 1 + d / (1 + d)`` for a final
    distance ``d`` to the nearest goal; ``steps + 2`` for a divergence."""
    race = race_starts(
        surface,
        optimizer,
        points,
        steps,
        goals,
        radius,
        noise=noise,
        seed=seed,
        keep_paths=False,
        stop_when_finished=True,
    )
    return float(_lower_median(_ranks(race, steps, goals)))


def _scores(
    surface, optimizer, lrs, points, steps, goals, radius, noise=0.0, seed=None
) -> np.ndarray:
    """The score of every learning rate of ``lrs``, all raced in one batch (a rate sweep,
    every start at every rate, each start with its own noise at every rate)."""
    scores = np.full(len(lrs), np.inf)
    buildable = []
    for k, lr in enumerate(lrs):
        try:
            optimizer.with_lr(float(lr))
        except ValueError:  # a constraint between lr and another hyperparameter
            continue
        buildable.append(k)
    if not buildable:
        return scores
    points = np.asarray(points, dtype=float)
    sweep = rate_sweep(optimizer, np.asarray(lrs)[buildable], len(points))
    race = race_starts(
        surface,
        sweep,
        np.tile(points, (len(buildable), 1)),
        steps,
        goals,
        radius,
        noise=noise,
        seed=seed,
        noise_rows=np.tile(np.arange(len(points)), len(buildable)),
        keep_paths=False,
        stop_when_finished=True,
    )
    ranks = _ranks(race, steps, goals).reshape(len(buildable), len(points))
    scores[buildable] = _lower_median(ranks)
    return scores


def _readable(lrs: np.ndarray) -> np.ndarray:
    """Learning rates rounded to 3 significant digits, so a legend can show the very
    number that was raced ("lr=0.945"), without duplicates."""
    return np.unique([float(f"{lr:.3g}") for lr in lrs])


def _best(lrs: np.ndarray, scores: np.ndarray) -> int:
    """Index of the best score; among equal ones the middle of them (by lr), the one
    farthest from both sides' worse rates."""
    tied = np.flatnonzero(scores == scores.min())
    return int(tied[(len(tied) - 1) // 2])


def tune_optimizer(
    surface,
    optimizer: Optimizer,
    points,
    steps: int,
    goals,
    radius,
    low: float = LOW_LR,
    high: float = HIGH_LR,
    noise: float = 0.0,
    seed: int | None = None,
) -> TuneResult:
    count = int(round(PER_DECADE * np.log10(high / low))) + 1
    grid = _readable(np.geomspace(low, high, count))
    scores = _scores(surface, optimizer, grid, points, steps, goals, radius, noise, seed)
    lrs = grid
    for _ in range(REFINE_ROUNDS):
        best = _best(lrs, scores)
        left = lrs[max(best - 1, 0)]
        right = lrs[min(best + 1, len(lrs) - 1)]
        finer = _readable(np.geomspace(left, right, REFINE_POINTS + 2)[1:-1])
        finer = finer[~np.isin(finer, lrs)]
        lrs = np.concatenate([lrs, finer])
        scores = np.concatenate(
            [scores, _scores(surface, optimizer, finer, points, steps, goals, radius, noise, seed)]
        )
        order = np.argsort(lrs)
        lrs, scores = lrs[order], scores[order]
    best = _best(lrs, scores)
    arrival = int(scores[best]) if scores[best] <= steps else None
    grid_scores = scores[np.isin(lrs, grid)]
    return TuneResult(
        optimizer,
        float(lrs[best]),
        arrival,
        lrs,
        scores,
        int(np.sum(grid_scores <= steps)),
        len(grid),
        steps,
    )


def tune(
    scene, steps: int | None = None, low: float = LOW_LR, high: float = HIGH_LR
) -> list[TuneResult]:
    """The learning-rate search for every optimizer of ``scene``, from its start(s), with its
    step budget (``steps`` overrides it)."""
    if not (0 < low < high):
        raise ValueError(f"Invalid lr range: {low!r} to {high!r} (must be 0 < low < high)")
    for optimizer in scene.optimizers:
        reason = optimizer.not_tunable
        if reason:  # before any race: one that cannot take another learning rate
            raise ValueError(reason)
    points, goals, radius = race_goals(scene)
    steps = scene.steps if steps is None else steps
    return [
        tune_optimizer(
            scene.surface,
            optimizer,
            points,
            steps,
            goals,
            radius,
            low,
            high,
            scene.noise,
            scene.seed,
        )
        for optimizer in scene.optimizers
    ]


def tuned_scene(scene, results: list[TuneResult] | None = None):
    """A copy of ``scene`` whose optimizers race at their tuned learning rates, each
    labelled "(tuned)"."""
    results = tune(scene) if results is None else results
    tuned = copy.copy(scene)
    tuned.optimizers = [with_lr(r.optimizer, r.best_lr, "(tuned)") for r in results]
    tuned.title = "Each optimizer at its tuned learning rate"
    return tuned
