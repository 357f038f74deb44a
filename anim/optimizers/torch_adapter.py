"""Race any torch optimizer: :func:`from_torch`.

torch is imported only when it is called. Each start point gets its own optimizer over its
own (2,) float64 parameter, or, for the optimizers whose update is elementwise, one
optimizer over all the points (the same numbers, one tensor operation per step).
"""

from __future__ import annotations

import contextlib
import inspect
import numbers
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ..combinations import message
from ..schedules import Schedule, as_schedule
from .adapters import _Adapter, _require
from .arrays import _as_points
from .base import Color, LearningRate, OptimizerState, ValueAndGrad
from .checks import check_label, step_lr

# torch is imported only when an adapter is made, so here its objects (tensors, torch
# optimizers) are typed Any.


class TorchState(NamedTuple):
    """Steps taken, and per start point its parameter tensor and torch optimizer (both
    advanced in place by :meth:`TorchOptimizer.update`: an old state cannot be replayed)."""

    step: int
    tensors: tuple[Any, ...]
    optimizers: tuple[Any, ...]


class TorchBatchState(NamedTuple):
    """Steps taken, and every start point's parameters as the rows of one (n, 2) tensor
    with one torch optimizer over it (an elementwise optimizer: rows never meet)."""

    step: int
    tensor: Any
    optimizer: Any


#: torch.optim's classes that update every coordinate on its own (no norm, no line search
#: over a tensor): racing all starts as the rows of one tensor is exactly racing each alone.
ELEMENTWISE = frozenset(
    {
        "SGD",
        "Adam",
        "AdamW",
        "Adamax",
        "NAdam",
        "RAdam",
        "RMSprop",
        "Adagrad",
        "Adadelta",
        "Rprop",
        "ASGD",
    }
)


@contextlib.contextmanager
def _float64(torch: ModuleType) -> Iterator[None]:
    # Some optimizers keep scalars in the default dtype (NAdam's μ product): float64 too.
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


def _torch_name(optimizer_class: type) -> str:
    """ "torch Adam" for torch's own classes, so the adapter never passes for anim's
    built-in of the same name; a third party's class by its name, prefixed with its
    package where anim has a built-in of that name too."""
    from .builtin import OPTIMIZERS

    package = (optimizer_class.__module__ or "").split(".")[0]
    name = optimizer_class.__name__
    if package == "torch" or name.lower() in {key.lower() for key in OPTIMIZERS}:
        return f"{package} {name}"
    return name


def _keywords(optimizer_class: type) -> list[str]:
    """The keyword arguments ``optimizer_class(params, ...)`` accepts."""
    try:
        parameters = inspect.signature(optimizer_class).parameters.values()
    except (TypeError, ValueError):
        return []
    return [
        p.name
        for p in parameters
        if p.name not in ("self", "params") and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


class TorchOptimizer(_Adapter):
    """A ``torch.optim.Optimizer`` subclass racing in float64; made by :func:`from_torch`."""

    State = TorchState

    def __init__(
        self,
        optimizer_class: type,
        hyperparameters: dict[str, Any],
        label: str | None = None,
        color: Color | None = None,
        elementwise: bool | None = None,
    ) -> None:
        torch = _require("torch", "torch", "from_torch")
        if not (
            isinstance(optimizer_class, type) and issubclass(optimizer_class, torch.optim.Optimizer)
        ):
            raise ValueError(
                "from_torch needs a torch.optim.Optimizer subclass such as "
                f"torch.optim.Adam, got {optimizer_class!r}"
            )
        self._torch = torch
        self._class = optimizer_class
        if elementwise is None:
            elementwise = (
                optimizer_class.__module__.startswith("torch.optim")
                and optimizer_class.__name__ in ELEMENTWISE
            )
        elif not isinstance(elementwise, bool):
            raise ValueError(f"Invalid elementwise: {elementwise!r} (must be True or False)")
        #: Whether every start steps as a row of one tensor (see :data:`ELEMENTWISE`).
        self.elementwise = elementwise
        self._hyperparameters = dict(hyperparameters)
        lr = hyperparameters.get("lr")
        # A schedule sets the param group's lr before each step, as torch's LambdaLR does.
        self._schedule = (
            as_schedule(lr) if callable(lr) and not isinstance(lr, numbers.Real) else None
        )
        if self._schedule is not None:
            hyperparameters = {**hyperparameters, "lr": self._schedule}
            self._hyperparameters["lr"] = step_lr(self._schedule, 0, optimizer_class.__name__)
        self._setup(_torch_name(optimizer_class), hyperparameters, label, color)
        known = _keywords(optimizer_class)
        unknown = [key for key in self._hyperparameters if known and key not in known]
        if unknown:
            raise TypeError(
                f"{self.name} has no hyperparameter {unknown[0]!r}; its "
                f"hyperparameters are: {', '.join(known)}"
            )
        # Invalid hyperparameters fail here, with torch's own message.
        probe = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        try:
            with _float64(torch):
                optimizer_class([probe], **self._hyperparameters)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{self.name}: {exc}") from None

    @property
    def not_tunable(self) -> str | None:
        if "lr" not in self._hyperparameters and "lr" not in _keywords(self._class):
            return message("no-lr", label=self.label)
        return None

    def _rebuilt(self, lr: float | Schedule) -> TorchOptimizer:
        return TorchOptimizer(
            self._class,
            {**self._hyperparameters, "lr": lr},
            color=self.color,
            elementwise=self.elementwise,
        )

    @property
    def libraries(self) -> tuple[str, ...]:
        """The packages whose code runs the steps: torch and the class's own."""
        package = self._class.__module__.split(".")[0]
        return ("torch",) if package == "torch" else ("torch", package)

    def __repr__(self) -> str:
        args = [f"{self._class.__module__}.{self._class.__qualname__}"]
        hyperparameters = {
            **self._hyperparameters,
            **({"lr": self._schedule} if self._schedule is not None else {}),
        }
        args += [f"{key}={value!r}" for key, value in hyperparameters.items()]
        args += [
            f"{key}={value!r}"
            for key, value in (("label", self._label), ("color", self.color))
            if value is not None
        ]
        return f"from_torch({', '.join(args)})"

    def init(self, params: ArrayLike) -> TorchState | TorchBatchState:
        """One float64 tensor and one torch optimizer per start point; for an elementwise
        optimizer, the starts as the rows of one tensor with one optimizer."""
        torch = self._torch
        points = _as_points(params, "params")
        if self.elementwise:
            with _float64(torch):
                tensor = torch.tensor(points, dtype=torch.float64, requires_grad=True)
                return TorchBatchState(0, tensor, self._class([tensor], **self._hyperparameters))
        with _float64(torch):
            tensors = tuple(
                torch.tensor(row, dtype=torch.float64, requires_grad=True) for row in points
            )
            optimizers = tuple(self._class([tensor], **self._hyperparameters) for tensor in tensors)
        return TorchState(0, tensors, optimizers)

    def select(
        self, state: TorchState | TorchBatchState, keep: ArrayLike
    ) -> TorchState | TorchBatchState:
        """The rows where ``keep`` is True: for one tensor of rows, a new tensor and a new
        optimizer whose per-parameter state holds those rows of the old one's."""
        if not isinstance(state, TorchBatchState):
            return super().select(state, keep)
        torch = self._torch
        kept = np.asarray(keep, dtype=bool)
        rows = torch.from_numpy(np.flatnonzero(kept))
        with _float64(torch), torch.no_grad():
            tensor = state.tensor.detach()[rows].clone().requires_grad_(True)
            optimizer = self._class([tensor], **self._hyperparameters)
            optimizer.param_groups[0].update(
                {k: v for k, v in state.optimizer.param_groups[0].items() if k != "params"}
            )
            old = state.optimizer.state.get(state.tensor, {})
            optimizer.state[tensor] = {
                key: value[rows].clone()
                if torch.is_tensor(value) and value.dim() >= 1 and value.shape[0] == len(kept)
                else (value.clone() if torch.is_tensor(value) else value)
                for key, value in old.items()
            }
        return TorchBatchState(state.step, tensor, optimizer)

    def _update_rows(
        self, grads: np.ndarray, state: OptimizerState, params: np.ndarray
    ) -> tuple[np.ndarray, TorchBatchState]:
        """One ``step`` of the one optimizer over the tensor of every start's row."""
        torch = self._torch
        if not isinstance(state, TorchBatchState) or state.tensor.shape[0] != len(params):
            raise ValueError(
                f"{self.name} needs a state from its own init() for {len(params)} point(s)"
            )
        step = state.step + 1
        with _float64(torch):
            with torch.no_grad():
                state.tensor.copy_(torch.from_numpy(np.array(params, dtype=np.float64)))
            if self._schedule is not None:
                for group in state.optimizer.param_groups:
                    group["lr"] = step_lr(self._schedule, state.step, self.name)
            gradient = torch.from_numpy(np.array(grads, dtype=np.float64))

            def closure() -> Any:  # an elementwise optimizer does not read the loss
                state.tensor.grad = gradient.clone()
                return torch.tensor(float("nan"), dtype=torch.float64)

            try:
                state.optimizer.step(closure)
            except Exception as exc:  # the optimizer's code: reported, with its step
                raise self._failed(step, exc) from exc
        return state.tensor.detach().numpy().copy(), state._replace(step=step)

    def update(
        self,
        grads: ArrayLike,
        state: TorchState | TorchBatchState,
        params: ArrayLike,
        *,
        value_and_grad: ValueAndGrad | None = None,
    ) -> tuple[np.ndarray, TorchState | TorchBatchState]:
        """``step(closure)`` of each start point's optimizer. The closure's first call gives
        ``grads`` (at ``params``) and f there; further calls (LBFGS's line search)
        recompute both at the tensor's current value with ``value_and_grad(points) ->
        (values, grads)``, which the race always passes."""
        torch = self._torch
        points = _as_points(params, "params")
        gradients = _as_points(grads, "grads")
        if self.elementwise:
            return self._update_rows(gradients, state, points)
        if not isinstance(state, TorchState) or len(state.tensors) != len(points):
            raise ValueError(
                f"{self.name} needs a state from its own init() for {len(points)} point(s)"
            )
        if not points.flags.writeable or not points.flags.c_contiguous:
            points = np.ascontiguousarray(points).copy()  # torch.from_numpy wants writeable
        values = (
            np.full(len(points), np.nan) if value_and_grad is None else value_and_grad(points)[0]
        )
        step = state.step + 1
        lr = None if self._schedule is None else step_lr(self._schedule, state.step, self.name)
        with _float64(torch):
            for row, (tensor, optimizer) in enumerate(zip(state.tensors, state.optimizers)):
                with torch.no_grad():
                    tensor.copy_(torch.from_numpy(points[row]))
                if lr is not None:
                    for group in optimizer.param_groups:
                        group["lr"] = lr
                closure = self._closure(tensor, values[row], gradients[row], value_and_grad)
                try:
                    optimizer.step(closure)
                except Exception as exc:  # the optimizer's code: reported, with its step
                    raise self._failed(step, exc) from exc
        new_params = np.array(
            [tensor.detach().numpy() for tensor in state.tensors], dtype=np.float64
        ).reshape(points.shape)
        return new_params, state._replace(step=step)

    def _closure(
        self, tensor: Any, value: float, grad: np.ndarray, value_and_grad: ValueAndGrad | None
    ) -> Callable[[], Any]:
        torch = self._torch
        first = [True]

        def closure() -> Any:
            if first[0]:
                first[0] = False
                loss, gradient = value, grad
            elif value_and_grad is None:
                raise TypeError(
                    f"{self.name} evaluates f again inside its step: pass "
                    "value_and_grad=, a function of points (n, 2) returning "
                    "(f, gradient) there"
                )
            else:
                point = tensor.detach().numpy().reshape(1, 2).copy()
                losses, gradients = value_and_grad(point)
                loss, gradient = losses[0], gradients[0]
            tensor.grad = torch.tensor(gradient, dtype=torch.float64)
            return torch.tensor(float(loss), dtype=torch.float64)

        return closure


def from_torch(
    optimizer_class: type,
    lr: LearningRate | None = None,
    /,
    *,
    label: str | None = None,
    color: Color | None = None,
    elementwise: bool | None = None,
    **hyperparameters: Any,
) -> TorchOptimizer:
    """Race a ``torch.optim.Optimizer`` subclass, torch's own or a third party's::

        from_torch(torch.optim.Adam, lr=0.1)
        from_torch(pytorch_optimizer.Lion, 0.05, betas=(0.9, 0.99), label="Lion")
        from_torch(torch.optim.LBFGS, lr=1, line_search_fn="strong_wolfe")

    In float64, each start point with its own optimizer over its own (2,) tensor. Each
    step calls ``optimizer.step(closure)`` with a closure that sets the gradient and
    returns f at the tensor's current value, so LBFGS's line search works. The path is
    the one a plain torch loop over the same tensor takes. ``lr`` may be a schedule
    (:mod:`anim.schedules`): it sets the param group's lr before each step, as torch's
    ``LambdaLR`` would. Needs ``pip install 'anim[torch]'``.

    ``elementwise``: whether the optimizer updates every coordinate on its own (no norm
    or line search across a tensor). Then all starts race as the rows of one tensor with
    one optimizer — the same numbers as one optimizer per start, many times faster for a
    swarm, a basin map or a learning-rate search. Default: True for torch.optim's
    elementwise classes (SGD, Adam, AdamW, Adamax, NAdam, RAdam, RMSprop, Adagrad,
    Adadelta, Rprop, ASGD), False for any other class (say True for one you know is
    elementwise, such as Lion).
    """
    if lr is not None:
        if "lr" in hyperparameters:
            raise TypeError("from_torch got lr twice: positionally and by name")
        hyperparameters = {"lr": lr, **hyperparameters}
    check_label(label, getattr(optimizer_class, "__name__", "from_torch"))
    return TorchOptimizer(
        optimizer_class, hyperparameters, label=label, color=color, elementwise=elementwise
    )
