"""One optimizer at many learning rates in one batch: what ``tune`` and the page's
learning-rate knobs race.

:func:`rate_sweep` returns an optimizer over ``len(lrs) × per_rate`` rows whose rows
``k·per_rate … (k+1)·per_rate − 1`` step at ``lrs[k]``. A built-in with a constant rate
takes the rates as one (n, 1) column in its own update rule (its arithmetic is the same
per element, so every row's path is exactly the path of that rate raced alone; the column
is part of the state, so dropping finished rows drops their rates); any other
optimizer — an own rule, a scheduled rate, a torch or optax one — is built once per rate
with :meth:`~anim.optimizers.Optimizer.with_lr` and stepped group by group.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .arrays import _as_points
from .base import Optimizer, OptimizerState, StepGlyphs, ValueAndGrad


class RatesState(NamedTuple):
    """Steps taken, each row's learning rate (n, 1), and the optimizer's own state."""

    step: int
    rates: np.ndarray
    inner: OptimizerState


class PerRowRates(Optimizer):
    """A built-in whose rows step at their own constant learning rates, in one batch. The
    rates are part of the state, so dropping finished rows drops their rates too."""

    State = RatesState

    def __init__(self, optimizer: Optimizer, rates: ArrayLike) -> None:
        self.inner = optimizer
        self.rates = np.asarray(rates, dtype=np.float64).reshape(-1, 1)
        self.name = optimizer.name
        self._set_look(None, optimizer.color)

    def init(self, params: ArrayLike) -> RatesState:
        params = _as_points(params, "params")
        if len(params) != len(self.rates):
            raise ValueError(f"{len(self.rates)} rates need as many rows, got {len(params)}")
        return RatesState(0, self.rates, self.inner.init(params))

    def _at(self, rates: np.ndarray) -> Optimizer:
        at_rates = self.inner._at_rates(rates)
        if at_rates is None:  # rate_sweep makes one only for an optimizer that can
            raise ValueError(f"{self.name} cannot step at one learning rate per row")
        return at_rates

    def update(
        self,
        grads: ArrayLike,
        state: RatesState,
        params: ArrayLike,
        *,
        value_and_grad: ValueAndGrad | None = None,
    ) -> tuple[np.ndarray, RatesState]:
        new_params, inner = self._at(state.rates).update(grads, state.inner, params)
        return new_params, RatesState(state.step + 1, state.rates, inner)

    def select(self, state: RatesState, keep: ArrayLike) -> RatesState:
        rows = np.asarray(keep, dtype=bool)
        return RatesState(state.step, state.rates[rows], self.inner.select(state.inner, rows))

    def step_glyphs(self, state: RatesState, step: int) -> StepGlyphs:
        return self._at(state.rates).step_glyphs(state.inner, step)


class GroupsState(NamedTuple):
    """Steps taken; per group, its rows still racing and its member's state."""

    step: int
    sizes: tuple[int, ...]
    states: tuple[OptimizerState, ...]


class RateGroups(Optimizer):
    """Members stepped on consecutive groups of rows, each with its own state."""

    State = GroupsState

    def __init__(self, members: Sequence[Optimizer], per_rate: int) -> None:
        self.members = list(members)
        self.per_rate = int(per_rate)
        self.name = members[0].name
        self._set_look(None, members[0].color)

    def init(self, params: ArrayLike) -> GroupsState:
        params = _as_points(params, "params")
        if len(params) != len(self.members) * self.per_rate:
            raise ValueError(
                f"a sweep of {len(self.members)} rates × {self.per_rate} "
                f"starts needs {len(self.members) * self.per_rate} rows, got "
                f"{len(params)}"
            )
        sizes = (self.per_rate,) * len(self.members)
        states = tuple(
            member.init(rows)
            for member, rows in zip(self.members, np.split(params, np.cumsum(sizes)[:-1]))
        )
        return GroupsState(0, sizes, states)

    def _groups(self, state: GroupsState, *arrays: np.ndarray) -> Iterator[tuple[Any, ...]]:
        edges = np.cumsum(state.sizes)[:-1]
        return zip(self.members, state.states, *(np.split(a, edges) for a in arrays))

    def update(
        self,
        grads: ArrayLike,
        state: GroupsState,
        params: ArrayLike,
        *,
        value_and_grad: ValueAndGrad | None = None,
    ) -> tuple[np.ndarray, GroupsState]:
        points = _as_points(params, "params")
        gradients = _as_points(grads, "grads")
        moved: list[np.ndarray] = []
        states: list[OptimizerState] = []
        for member, member_state, rows, member_grads in self._groups(state, points, gradients):
            if len(rows) == 0:
                moved.append(rows)
                states.append(member_state)
                continue
            new_rows, new_state = member.update(
                member_grads, member_state, rows, value_and_grad=value_and_grad
            )
            moved.append(new_rows)
            states.append(new_state)
        return np.concatenate(moved), GroupsState(state.step + 1, state.sizes, tuple(states))

    def select(self, state: GroupsState, keep: ArrayLike) -> GroupsState:
        sizes: list[int] = []
        states: list[OptimizerState] = []
        for member, member_state, member_keep in self._groups(state, np.asarray(keep, dtype=bool)):
            sizes.append(int(member_keep.sum()))
            states.append(
                member_state if member_keep.all() else member.select(member_state, member_keep)
            )
        return GroupsState(state.step, tuple(sizes), tuple(states))

    def step_glyphs(self, state: GroupsState, step: int) -> StepGlyphs:
        velocities: list[np.ndarray] = []
        scales: list[np.ndarray] = []
        for member, member_state, size in zip(self.members, state.states, state.sizes):
            velocity, scale = member.step_glyphs(member_state, step) if size else (None, None)
            velocities.append(
                np.full((size, 2), np.nan)
                if velocity is None
                else np.broadcast_to(velocity, (size, 2))
            )
            scales.append(
                np.full((size, 2), np.nan) if scale is None else np.broadcast_to(scale, (size, 2))
            )
        return np.concatenate(velocities), np.concatenate(scales)


def rate_sweep(optimizer: Optimizer, lrs: ArrayLike, per_rate: int = 1) -> Optimizer:
    """``optimizer`` at each learning rate of ``lrs``, ``per_rate`` rows each (the starts),
    as one optimizer of ``len(lrs) × per_rate`` rows. ValueError if it cannot take another
    learning rate (its message says why)."""
    rates = np.asarray(lrs, dtype=float).ravel()
    reason = optimizer.not_tunable
    if reason:
        raise ValueError(reason)
    if optimizer._at_rates(rates) is not None:
        return PerRowRates(optimizer, np.repeat(rates, per_rate))
    return RateGroups([optimizer.with_lr(float(lr)) for lr in rates], per_rate)
