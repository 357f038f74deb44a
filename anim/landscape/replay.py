"""A recorded training run as a racer: it replays its projection on the plane.

A :class:`ProjectedRun` is an optimizer kind like the built-ins, so a scene races it in
lockstep with the others and every view, panel and writer draws it unchanged; but it
ignores the gradient it is given and steps to the next recorded point. It is a picture of
a real run's shadow on the slice, not a race on the slice. It carries, per recorded step,
what the picture needs to say how far that shadow can be trusted (:class:`Fidelity`):
the run's true loss L(θ), the slice's loss f(x, y) under its projection, and how far θ
lies from the plane. The scoreboard shows the true loss (as "L = …"), the fidelity panels
the rest. Pure numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ..combinations import message
from ..errors import OptimizerError
from ..optimizers.arrays import _as_points
from ..optimizers.base import Color, Optimizer, ValueAndGrad
from ..optimizers.checks import _Hyper, check_label

__all__ = ["Fidelity", "ProjectedRun", "RunState"]


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Fidelity:
    """Per recorded step of a run (all of shape (k,)): ``training_steps`` (the training
    step each recorded point was taken after), ``true_loss`` L(θ) over the whole data,
    ``slice_loss`` f(x, y) at its projection, ``distance`` ‖θ − θ̂‖ from the plane, and
    ``reported_loss``, what the training loop itself reported there (NaN where nothing)."""

    training_steps: np.ndarray
    true_loss: np.ndarray
    slice_loss: np.ndarray
    distance: np.ndarray
    reported_loss: np.ndarray

    @property
    def gap(self) -> np.ndarray:
        """L(θ) − f(x, y): how much higher the true loss is than the picture says."""
        return self.true_loss - self.slice_loss


class RunState(NamedTuple):
    """How many recorded steps a projected run has replayed."""

    step: int


def _frozen(values: ArrayLike) -> np.ndarray:
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


class ProjectedRun(Optimizer):
    """A recorded run replayed along its projection ``path`` (k, 2) on the plane; made by
    :func:`anim.trajectories`. After its last recorded point it stays there."""

    State = RunState
    _spec: ClassVar[dict[str, _Hyper]] = {}
    replays_one_path = True
    #: The scoreboard writes this run's loss as "L = …": the true loss, not the slice's f.
    loss_symbol = "L"

    def __init__(
        self,
        path: ArrayLike,
        fidelity: Fidelity,
        *,
        name: str,
        every: int = 1,
        label: str | None = None,
        color: Color | None = None,
    ) -> None:
        path = _frozen(path)
        if path.ndim != 2 or path.shape[1] != 2 or len(path) < 2:
            raise ValueError(
                f"a projected run's path must have shape (k, 2), k >= 2, got {path.shape}"
            )
        self.name = check_label(name, "a projected run") or "run"
        self.path = path
        self.fidelity = fidelity
        self.every = int(every)
        self._hp = {}
        self._set_look(label, color)

    @property
    def steps(self) -> int:
        """Recorded steps it replays."""
        return len(self.path) - 1

    @property
    def start(self) -> tuple[float, float]:
        return float(self.path[0, 0]), float(self.path[0, 1])

    def init(self, params: ArrayLike) -> RunState:
        """The state before the first step; the race must start where the run did."""
        points = _as_points(params, "params")
        if len(points) > 1:
            raise OptimizerError(message("projected-starts", label=self.label))
        scale = max(1.0, float(np.max(np.abs(self.path))))
        if not np.allclose(points, self.path[0], rtol=0, atol=1e-9 * scale):
            where = tuple(float(v) for v in points[0])
            raise OptimizerError(
                f"{self.label} is a recorded run that starts at {self.start}, "
                f"but the race starts at {where}: race it from its own start "
                "(Trajectories.scene() does)"
            )
        return RunState(0)

    def update(
        self,
        grads: ArrayLike,
        state: RunState,
        params: ArrayLike,
        *,
        value_and_grad: ValueAndGrad | None = None,
    ) -> tuple[np.ndarray, RunState]:
        """The next recorded point, whatever the gradient (which it ignores)."""
        rows = len(_as_points(params, "params"))
        following = min(state.step + 1, len(self.path) - 1)
        return np.tile(self.path[following], (rows, 1)), RunState(state.step + 1)

    def select(self, state: RunState, rows: ArrayLike) -> RunState:
        """Every start row replays the same run: the state is shared."""
        return state

    @property
    def not_tunable(self) -> str:
        """A recording has no rate to change: tune refuses it, the page's knobs keep its
        path (and its tooltip says why)."""
        return message("projected-lr", label=self.label)

    def with_lr(self, lr: float, note: str | None = None) -> Optimizer:
        raise ValueError(self.not_tunable)

    def lr_at(self, step: int) -> float:
        return math.nan

    def moments(self, state: RunState) -> dict[str, np.ndarray]:
        return {}

    def reported_loss(self, step: int) -> float:
        """What the scoreboard shows after ``step`` steps: the run's true loss there."""
        return float(self.fidelity.true_loss[min(step, self.steps)])

    def __repr__(self) -> str:
        return f"ProjectedRun({self.label!r}, {self.steps} steps)"
