"""The race loop: one optimizer from many starts at once, vectorized over the starts.

Every race anim runs goes through :func:`race_starts` — the single-start race of
:mod:`anim.race` (a batch of one start per optimizer), swarms (:mod:`anim.swarm`), basin
maps, the learning-rate search and its sweeps — whatever the optimizer's kind (built-in,
``@anim.optimizer``, ``from_torch``, ``from_optax``, a rate sweep). It speaks only the
batch protocol of :mod:`anim.optimizers.base`: ``init``, ``update`` (always given
``value_and_grad``) and ``select``, which drops a finished start's state rows with it.
Pure numpy.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .optimizers import Optimizer
from .surface import Point, Surface

__all__ = [
    "NO_STEP",
    "StartsRace",
    "race_starts",
    "divergence_limits",
    "gradient_noise",
    "resolve_seed",
]

#: The step of something that did not happen (no arrival, no divergence).
NO_STEP = -1
#: A position farther than this many bound-spans outside the bounds counts as diverged.
DIVERGENCE_SPANS = 100.0
#: Without bounds, a coordinate larger than this in magnitude counts as diverged.
DIVERGENCE_ABSOLUTE = 1e12


def divergence_limits(surface: Surface) -> tuple[np.ndarray, np.ndarray]:
    """Per-axis (low, high) outside which a position counts as having flown off."""
    if surface.bounds is None:
        return np.array([-DIVERGENCE_ABSOLUTE] * 2), np.array([DIVERGENCE_ABSOLUTE] * 2)
    bounds = np.asarray(surface.bounds, dtype=float)
    margin = DIVERGENCE_SPANS * (bounds[:, 1] - bounds[:, 0])
    return bounds[:, 0] - margin, bounds[:, 1] + margin


def gradient_noise(noise: float, seed: int, starts: int = 1) -> Iterator[np.ndarray]:
    """Yield, step after step, the noise added to the gradients: an array of shape
    (starts, 2) with standard deviation ``noise``, one row per start point.

    Every optimizer racing from the same start gets the same row at the same step
    (common random numbers), so their comparison is not a matter of luck.
    """
    generator = np.random.default_rng(seed)
    while True:
        yield noise * generator.standard_normal((starts, 2))


def resolve_seed(noise: float, seed: int | None) -> int | None:
    """The seed a race draws its noise with: None without noise; a fresh one (recorded in
    the result) when none is given."""
    if noise == 0:
        return None
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    return seed


@dataclass
class StartsRace:
    """One optimizer from many starts: arrays over the starts (``NO_STEP`` where a thing
    did not happen); ``paths``, ``losses``, ``grads`` (and with ``explain`` the glyphs'
    ``velocities``/``step_scales``) per start and step when kept."""

    arrival_step: np.ndarray
    diverged_step: np.ndarray
    arrived_at: np.ndarray
    final_losses: np.ndarray
    final_positions: np.ndarray
    paths: np.ndarray | None = None
    losses: np.ndarray | None = None
    grads: np.ndarray | None = None
    velocities: np.ndarray | None = None
    step_scales: np.ndarray | None = None


def race_starts(
    surface: Surface,
    optimizer: Optimizer,
    starts: np.ndarray,
    steps: int,
    goals: Sequence[Point] = (),
    goal_radius: float | None = None,
    *,
    noise: float = 0.0,
    seed: int | None = None,
    noise_rows: np.ndarray | None = None,
    noise_starts: int | None = None,
    keep_paths: bool = True,
    stop_when_finished: bool = False,
    explain: bool = False,
) -> StartsRace:
    """Race ``optimizer`` from every row of ``starts`` (n, 2) for ``steps`` steps.

    Each start is an independent race. A start whose position, f or gradient becomes
    non-finite, or that leaves the bounds by more than ``DIVERGENCE_SPANS`` spans, has
    diverged and stops. One within ``goal_radius`` of a goal has arrived (at the first
    goal listed that it reached); it keeps stepping unless ``stop_when_finished``, which
    is all a basin map or a learning-rate search needs (its final loss and position are
    then the arrival's). A stopped start is dropped from the batch, with its state rows
    (``optimizer.select``), so every optimizer's state always follows its own start.

    ``noise`` > 0 adds Gaussian noise to every gradient the optimizer steps with (the
    recorded ``grads`` are those noisy ones; f and the checks stay exact), drawn by
    :func:`gradient_noise` from ``seed``, the same for every optimizer from the same
    start. Each step draws one (``noise_starts``, 2) array (default: one row per start)
    and row ``noise_rows[i]`` of it goes to start ``i`` (default: ``i``): a rate sweep
    races each start at many rates, all with that start's noise. ``explain`` records what
    the step glyphs draw (``optimizer.step_glyphs``).
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
    # Kept only when asked for; without, the arrays are empty and never written.
    kept, glyphs = (steps + 1 if keep_paths else 0), (steps if explain else 0)
    paths = np.full((count if keep_paths else 0, kept, 2), np.nan)
    losses = np.full((count if keep_paths else 0, kept), np.nan)
    gradients = np.full((count if keep_paths else 0, kept, 2), np.nan)
    velocities = np.full((count if explain else 0, glyphs, 2), np.nan)
    scales = np.full((count if explain else 0, glyphs, 2), np.nan)
    if noise_rows is None:
        noise_rows = np.arange(count)
    noise_rows = np.asarray(noise_rows)
    if noise_starts is None:
        noise_starts = int(noise_rows.max()) + 1
    noises = gradient_noise(noise, 0 if seed is None else seed, noise_starts) if noise else None

    rows = np.arange(count)  # which starts are still racing, in the arrays below
    params = starts.copy()
    state = optimizer.init(params)
    with np.errstate(all="ignore"):  # a racer flying off overflows: that is divergence
        for step in range(steps + 1):
            if rows.size == 0:
                break
            # Drawn at every step for every start, so that a start's noise at step k does
            # not depend on how many others stopped before it.
            step_noise = next(noises) if noises is not None and step < steps else None
            values, grads = surface.value_and_grad_at(params)
            # NaN fails every comparison, so a non-finite position is never inside.
            good = (
                np.isfinite(values)
                & np.isfinite(grads).all(axis=1)
                & ((params >= low) & (params <= high)).all(axis=1)
            )
            if not good.all():
                diverged[rows[~good]] = step
            at = rows[good]
            final_positions[at] = params[good]
            final_losses[at] = values[good]
            if keep_paths:
                paths[at, step] = params[good]
                losses[at, step] = values[good]
                gradients[at, step] = grads[good]
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
            if step == steps:
                break
            keep = waiting if stop_when_finished else good
            if not keep.all():
                rows, params, grads = rows[keep], params[keep], grads[keep]
                state = optimizer.select(state, keep)
                if rows.size == 0:
                    break
            if step_noise is not None:
                grads = grads + step_noise[noise_rows[rows]]
                if keep_paths:
                    gradients[rows, step] = grads
            params, state = optimizer.update(
                grads, state, params, value_and_grad=surface.value_and_grad_at
            )
            if explain:
                velocity, scale = optimizer.step_glyphs(state, step)
                if velocity is not None:
                    velocities[rows, step] = velocity
                if scale is not None:
                    scales[rows, step] = scale
    return StartsRace(
        arrival,
        diverged,
        reached,
        final_losses,
        final_positions,
        paths if keep_paths else None,
        losses if keep_paths else None,
        gradients if keep_paths else None,
        velocities if explain else None,
        scales if explain else None,
    )
