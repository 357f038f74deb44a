"""Record a real training loop: its parameters at every step (or every k-th), with its loss.

::

    with anim.record(model, optimizer, label="Adam") as run:   # records after each step()
        for step in range(200):
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            run.note_loss(loss)                                 # optional
            optimizer.step()

    run = anim.record(model, label="SGD")                      # or call it yourself
    for ...:
        ...
        optimizer.step()
        run.step(loss)                                          # after optimizer.step()
    run.finish()

The parameters before the first step are recorded when recording starts; those after the
last step when it finishes (leaving the ``with`` block, or ``finish()``), so a recording
always holds the run's start and end. Each is a float64 copy, on the CPU. No torch import:
it only reads ``model.parameters()``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, SupportsFloat

import numpy as np

from .torch_types import Model, StepHooks

__all__ = ["Recorder", "Recording", "Runs", "record", "as_runs"]


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Recording:
    """A recorded training run: ``params[j]`` (float64, flat, in the order of
    ``model.parameters()``) after ``steps[j]`` training steps, and ``losses[j]`` the loss the
    loop reported there (the loss computed before step ``steps[j] + 1``; NaN where none)."""

    params: np.ndarray
    steps: np.ndarray
    losses: np.ndarray
    every: int = 1
    label: str | None = None

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def training_steps(self) -> int:
        """How many training steps the run took."""
        return int(self.steps[-1])


def _loss_value(loss: SupportsFloat | None) -> float:
    if loss is None:
        return math.nan
    if hasattr(loss, "detach"):
        loss = loss.detach()
    try:
        return float(loss)
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(
            f"the loss to record must be one number, got "
            f"{type(loss).__name__} of shape {getattr(loss, 'shape', '?')}"
        ) from None


def _snapshot(model: Model) -> np.ndarray:
    return np.concatenate(
        [p.detach().reshape(-1).cpu().double().numpy() for p in model.parameters()]
    )


class Recorder:
    """Records ``model``'s parameters; see the module docstring. With ``optimizer`` (a
    ``torch.optim.Optimizer``), it records after each of its ``step()`` calls by itself."""

    def __init__(
        self,
        model: Model,
        optimizer: StepHooks | None = None,
        *,
        every: int = 1,
        label: str | None = None,
    ) -> None:
        if not hasattr(model, "parameters") or not callable(model.parameters):
            raise ValueError(
                f"record needs a torch model (an nn.Module), got {type(model).__name__}"
            )
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"Invalid every: {every!r} (must be an integer >= 1)")
        if label is not None and not isinstance(label, str):
            raise ValueError(f"Invalid label: {label!r} (must be a string or None)")
        self.model, self.every = model, int(every)
        self.label = label if label is not None or optimizer is None else type(optimizer).__name__
        start = _snapshot(model)
        if start.size == 0:
            raise ValueError(f"the model ({type(model).__name__}) has no parameters to record")
        self._params, self._steps = [start], [0]
        #: The loss noted at each training step (those that keep their parameters).
        self._losses: dict[int, float] = {}
        self._step = 0
        self._finished = False
        #: The optimizer's hook handle (torch's RemovableHandle), while it is followed.
        self._hook: Any = None
        if optimizer is not None:
            if not hasattr(optimizer, "register_step_post_hook"):
                raise ValueError(
                    f"record's optimizer must be a torch.optim.Optimizer, got "
                    f"{type(optimizer).__name__}"
                )
            self._hook = optimizer.register_step_post_hook(lambda *_: self._after_step())

    def step(self, loss: SupportsFloat | None = None) -> None:
        """Call after ``optimizer.step()``; ``loss``: the loss that step computed (at the
        parameters before it), if you want it kept."""
        self._check_open()
        if self._hook is not None:
            raise RuntimeError(
                "this recording follows its optimizer's step() by itself: do "
                "not call step(); note_loss(loss) keeps the loss"
            )
        self.note_loss(loss)
        self._after_step()

    __call__ = step

    def _check_open(self) -> None:
        if self._finished:
            raise RuntimeError("this recording is finished: start a new anim.record(model)")

    def _after_step(self) -> None:
        self._check_open()
        self._step += 1
        if self._step % self.every == 0:
            self._params.append(_snapshot(self.model))
            self._steps.append(self._step)

    def note_loss(self, loss: SupportsFloat | None) -> None:
        """Keep ``loss`` as the loss at the current parameters (call it before
        ``optimizer.step()``)."""
        self._check_open()
        if loss is not None and self._step % self.every == 0:
            self._losses[self._step] = _loss_value(loss)

    def finish(self) -> Recording:
        """Record the parameters after the last step (if not recorded yet), stop listening
        to the optimizer, and return the :class:`Recording`."""
        if not self._finished:
            if self._steps[-1] != self._step:
                self._params.append(_snapshot(self.model))
                self._steps.append(self._step)
            if self._hook is not None:
                self._hook.remove()
                self._hook = None
            self._finished = True
        return self.recording

    @property
    def recording(self) -> Recording:
        """What is recorded so far, ending with the current parameters."""
        params, steps = list(self._params), list(self._steps)
        if steps[-1] != self._step:
            params.append(_snapshot(self.model))
            steps.append(self._step)
        losses = np.array([self._losses.get(step, math.nan) for step in steps])
        return Recording(np.stack(params), np.array(steps), losses, self.every, self.label)

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self.finish()
        return False


def record(
    model: Model, optimizer: StepHooks | None = None, *, every: int = 1, label: str | None = None
) -> Recorder:
    """Start recording ``model``'s training (see :mod:`anim.landscape.record`): a
    :class:`Recorder`, usable as a context manager or by calling ``step()`` after each
    ``optimizer.step()``; with ``optimizer``, it hooks into its ``step()`` itself.
    ``every``: keep every k-th step (the start and the end always). ``label``: the run's
    name in pictures (default: the optimizer's class name)."""
    return Recorder(model, optimizer, every=every, label=label)


#: A trajectory needs at least this many recorded points (two steps).
MIN_POINTS = 3


#: Recorded runs as anim takes them: one, a list, or a dict label -> one.
Runs = Recording | Recorder | Sequence[Recording | Recorder] | Mapping[str, Recording | Recorder]


def as_runs(runs: Runs, size: int | None = None) -> list[Recording]:
    """``runs`` (a Recording or Recorder, a list of them, or a dict label -> one) as a list
    of Recordings, each with a label, checked: at least two steps, ``size`` parameters."""
    items: list[tuple[str | None, object]]
    if isinstance(runs, (Recording, Recorder)):
        items = [(None, runs)]
    elif isinstance(runs, dict):
        items = list(runs.items())
    elif isinstance(runs, (list, tuple)):
        items = [(None, run) for run in runs]
    else:
        raise ValueError(f"runs must be recordings (from anim.record), got {type(runs).__name__}")
    if not items:
        raise ValueError("runs is empty: record at least one training run with anim.record")
    out = []
    for index, (label, run) in enumerate(items):
        if isinstance(run, Recorder):
            run = run.recording
        if not isinstance(run, Recording):
            raise ValueError(
                f"runs[{index}] is {type(run).__name__}, not a recording "
                "(anim.record(model) makes one)"
            )
        label = label or run.label or f"run {index + 1}"
        if len(run) < MIN_POINTS:
            steps = len(run) - 1
            raise ValueError(
                f"run {label!r} recorded {steps} step{'' if steps == 1 else 's'}: "
                "a trajectory needs at least 2 steps"
            )
        if size is not None and run.params.shape[1] != size:
            raise ValueError(
                f"run {label!r} recorded {run.params.shape[1]} parameters, but the model has {size}"
            )
        if not np.all(np.isfinite(run.params)):
            first = int(np.flatnonzero(~np.all(np.isfinite(run.params), axis=1))[0])
            raise ValueError(
                f"run {label!r} has non-finite parameters after "
                f"{int(run.steps[first])} steps (the training diverged)"
            )
        out.append(Recording(run.params, run.steps, run.losses, run.every, label))
    return out
