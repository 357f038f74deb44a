"""Race any torch or optax optimizer: :func:`from_torch` and :func:`from_optax`.

torch and jax are imported only when one of these is called. Each start point gets its own
optimizer (torch) or state (optax) over its own (2,) float64 parameter, so nothing couples
start points: not a per-parameter normalisation, not a norm over all parameters.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import math
import numbers
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType
from typing import Any, NamedTuple, Protocol

import numpy as np
from numpy.typing import ArrayLike

from ..combinations import message
from ..errors import OptimizerError
from ..schedules import Schedule, as_schedule
from .base import (
    _SYMBOLS,
    Color,
    LearningRate,
    Optimizer,
    OptimizerState,
    ValueAndGrad,
    _as_points,
    check_label,
    step_lr,
)

# torch, jax and optax are imported only when an adapter is made, so here their objects
# (tensors, torch optimizers, optax states) are typed Any.


class GradientTransformationLike(Protocol):
    """An optax ``GradientTransformation``: a pair of pure functions."""

    @property
    def init(self) -> Callable[..., Any]: ...
    @property
    def update(self) -> Callable[..., Any]: ...


def _require(module: str, extra: str, caller: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(
            f"{caller} needs {module}, which is not installed here: pip install 'anim[{extra}]'"
        ) from None


def _plain(value: object) -> Any:
    """A hyperparameter as a JSON-ready value."""
    if isinstance(value, Schedule):
        return value.as_dict()
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return repr(value)


def _label(name: str, hyperparameters: dict[str, Any]) -> str:
    parts = [name]
    for key, value in hyperparameters.items():
        symbol = _SYMBOLS.get(key, key)
        if key == "betas" and isinstance(value, list) and len(value) == 2:
            parts += [f"β{sub}={beta:g}" for sub, beta in zip("₁₂", value)]
        elif isinstance(value, bool):
            parts.append(symbol if value else f"no {symbol}")
        elif isinstance(value, float):
            parts.append(f"{symbol}={value:g}")
        else:
            parts.append(f"{symbol}={value}")
    return " ".join(parts)


class _Adapter(Optimizer):
    """What the adapters share: name, label and colour, hyperparameters as given."""

    _schedule: Schedule | None = None

    def _setup(
        self, name: str, hyperparameters: dict[str, Any], label: str | None, color: Color | None
    ) -> None:
        self.name = name
        self._given = {key: _plain(value) for key, value in hyperparameters.items()}
        self._set_look(label, color)

    @property
    def hyperparameters(self) -> dict[str, Any]:
        return {
            key: list(value) if isinstance(value, list) else value
            for key, value in self._given.items()
        }

    def lr_at(self, step: int) -> float:
        """The learning rate of update ``step + 1``; NaN when it is not known (optax)."""
        if self._schedule is not None:
            return step_lr(self._schedule, step, self.name)
        lr = self._given.get("lr")
        return float(lr) if isinstance(lr, numbers.Real) and not isinstance(lr, bool) else math.nan

    @property
    def generated_label(self) -> str:
        schedule = self._schedule
        if schedule is None:
            return _label(self.name, self._given)
        rest = _label(self.name, {k: v for k, v in self._given.items() if k != "lr"})
        tail = rest[len(self.name) :].strip()
        return " ".join(part for part in (self.name, f"lr={schedule.describe()}", tail) if part)

    def _failed(self, step: int, exc: Exception) -> OptimizerError:
        return OptimizerError(f"{self.name} step {step} raised {type(exc).__name__}: {exc}")

    def _rebuilt(self, lr: float | Schedule) -> _Adapter:
        raise NotImplementedError

    def with_lr(self, lr: float, note: str | None = None) -> _Adapter:
        """The same library optimizer built again with learning rate ``lr`` (a schedule
        scaled so that its base rate is ``lr``), its name, colour and own label kept."""
        reason = self.not_tunable
        if reason:
            raise ValueError(reason)
        schedule = self._schedule
        changed = self._rebuilt(schedule.with_lr(lr) if schedule is not None else float(lr))
        own = self._label
        changed._label = own if not note else f"{own or changed.generated_label} {note}"
        return changed


# --------------------------------------------------------------------------- torch


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


# --------------------------------------------------------------------------- optax


class OptaxState(NamedTuple):
    """Steps taken; the optax state of every row the race started with, batched along a
    first axis (a pytree of arrays); and which of those rows still race. Finished rows
    stay in the batch (unread), so the compiled step keeps one shape for the whole race."""

    step: int
    states: Any
    rows: np.ndarray


class OptaxOptimizer(_Adapter):
    """An optax ``GradientTransformation`` racing in float64; made by :func:`from_optax`,
    from a transformation (``optax.adam(0.1)``) or from a factory and its settings
    (``optax.adam, lr=0.1``), which can be built again at another learning rate."""

    State = OptaxState
    #: One learning rate per row, in a copy made by :meth:`_at_rates`.
    _rates: np.ndarray | None = None

    def __init__(
        self,
        transformation: GradientTransformationLike | Callable[..., Any],
        name: str | None = None,
        label: str | None = None,
        color: Color | None = None,
        lr: LearningRate | None = None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        self._jax = _require("jax", "optax", "from_optax")
        self._optax = _require("optax", "optax", "from_optax")
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"Invalid name for from_optax: {name!r} (must be a non-empty string)")
        self._factory: Callable[..., Any] | None = None
        self._settings = dict(settings or {})
        self._compiled: dict[str, Any] = {}
        hyperparameters: dict[str, Any] = {}
        built: GradientTransformationLike
        if isinstance(transformation, self._optax.GradientTransformation):
            if lr is not None or settings:
                raise TypeError(
                    "from_optax takes settings only with a factory such as "
                    "optax.adam, not with a transformation already built"
                )
            built = transformation
        elif callable(transformation):
            built, hyperparameters = self._build(transformation, lr, settings or {})
            name = name or f"optax {transformation.__name__}"
        else:
            raise ValueError(
                "from_optax needs an optax GradientTransformation such as "
                f"optax.adam(0.1), or a factory and its learning rate such as "
                f"from_optax(optax.adam, lr=0.1); got {transformation!r}"
            )
        self._transformation = built
        #: A factory with a constant rate is built inside the compiled step with each row's
        #: own rate, so a rate sweep is one batch.
        self._rates_per_row = self._factory is not None and self._schedule is None
        self._setup(name or "optax", hyperparameters, label, color)

    def _build(
        self, factory: Callable[..., Any], lr: LearningRate | None, settings: dict[str, Any]
    ) -> tuple[GradientTransformationLike, dict[str, Any]]:
        """The factory's transformation at ``lr``, and the hyperparameters to show."""
        self._factory = factory
        accepted: Mapping[str, inspect.Parameter]
        try:
            accepted = inspect.signature(factory).parameters
        except (TypeError, ValueError):
            accepted = {}
        if accepted and "learning_rate" not in accepted:
            raise TypeError(
                f"from_optax: {getattr(factory, '__name__', factory)!r} takes no "
                "learning_rate; build the transformation yourself and pass it"
            )
        if lr is None:
            raise TypeError(
                f"from_optax({factory.__name__}, ...) needs lr=, the learning rate to build it with"
            )
        unknown = [key for key in settings if accepted and key not in accepted]
        if unknown:
            known = [key for key in accepted if key != "learning_rate"]
            raise TypeError(
                f"optax {factory.__name__} has no setting {unknown[0]!r}; its "
                f"settings are: {', '.join(known)}"
            )
        schedule = as_schedule(lr) if callable(lr) and not isinstance(lr, numbers.Real) else None
        if schedule is None and (
            isinstance(lr, bool)
            or not isinstance(lr, numbers.Real)
            or not math.isfinite(lr)
            or lr <= 0
        ):
            raise ValueError(f"Invalid learning rate: {lr!r} (must be > 0 or a schedule)")
        self._schedule = schedule
        # A schedule is read by the race at each step and handed to the compiled step as
        # that step's constant rate, so the state never depends on it.
        first = float(lr) if schedule is None else step_lr(schedule, 0, factory.__name__)
        try:
            built = factory(learning_rate=first, **settings)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"optax {factory.__name__}: {exc}") from None
        if not isinstance(built, self._optax.GradientTransformation):
            raise ValueError(
                f"from_optax: {factory.__name__}(...) returned {built!r}, not "
                "an optax GradientTransformation"
            )
        return built, {"lr": schedule if schedule is not None else float(lr), **settings}

    #: The packages whose code runs the steps.
    libraries = ("jax", "optax")

    @property
    def not_tunable(self) -> str | None:
        if self._factory is None:
            return message("optax-not-tunable", label=self.label)
        return None

    def _rebuilt(self, lr: float | Schedule) -> OptaxOptimizer:
        factory = self._factory
        if factory is None:  # with_lr asks not_tunable first
            raise ValueError(message("optax-not-tunable", label=self.label))
        name = self.name if self.name != f"optax {factory.__name__}" else None
        return OptaxOptimizer(factory, name=name, color=self.color, lr=lr, settings=self._settings)

    def __repr__(self) -> str:
        args = [
            f"{key}={value!r}"
            for key, value in (("name", self.name), ("label", self._label), ("color", self.color))
            if value is not None
        ]
        if self._factory is not None:
            settings = [f"{key}={value!r}" for key, value in self._given.items()]
            return (
                f"from_optax({self._factory.__module__}.{self._factory.__name__}, "
                f"{', '.join(settings + args)})"
            )
        return f"from_optax(<GradientTransformation>, {', '.join(args)})"

    def _x64(self) -> contextlib.AbstractContextManager[Any]:
        # Only inside: switching x64 on for good would change the user's other jax code.
        if hasattr(self._jax, "enable_x64"):
            return self._jax.enable_x64(True)
        # jax before the config context managers; today's jax no longer has this one.
        from jax.experimental import enable_x64  # type: ignore[attr-defined]

        return enable_x64()

    def _at_rates(self, rates: np.ndarray) -> OptaxOptimizer | None:
        if not self._rates_per_row:
            return None
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy._rates = rates
        return copy

    def _kernel(self) -> Callable[..., Any]:
        """The step of every row at once, compiled once: ``jit(vmap(update))``, each row
        with its own state (and, for a factory, its own learning rate)."""
        kernel = self._compiled.get("step")  # a dict shared with every _at_rates copy
        if kernel is not None:
            return kernel
        jax, optax, factory, settings = self._jax, self._optax, self._factory, self._settings
        transformation = self._transformation

        def one(lr: Any, grad: Any, state: Any, x: Any) -> tuple[Any, Any]:
            tx = transformation if factory is None else factory(learning_rate=lr, **settings)
            updates, state = tx.update(grad, state, x)
            return optax.apply_updates(x, updates), state

        kernel = self._compiled["step"] = jax.jit(jax.vmap(one))
        return kernel

    def init(self, params: ArrayLike) -> OptaxState:
        """The optax state of every row, batched; every row racing."""
        points = _as_points(params, "params")
        jax, jnp = self._jax, self._jax.numpy
        with self._x64():
            states = jax.vmap(self._transformation.init)(jnp.asarray(points))
        return OptaxState(0, states, np.arange(len(points)))

    def select(self, state: OptaxState, keep: ArrayLike) -> OptaxState:
        return state._replace(rows=state.rows[np.asarray(keep, dtype=bool)])

    def update(
        self,
        grads: ArrayLike,
        state: OptaxState,
        params: ArrayLike,
        *,
        value_and_grad: ValueAndGrad | None = None,
    ) -> tuple[np.ndarray, OptaxState]:
        """``updates, s = tx.update(g, s, x); x = optax.apply_updates(x, updates)`` for
        every row, as one compiled, vectorized call."""
        points = _as_points(params, "params")
        gradients = _as_points(grads, "grads")
        if not isinstance(state, OptaxState) or len(state.rows) != len(points):
            raise ValueError(
                f"{self.name} needs a state from its own init() for {len(points)} point(s)"
            )
        jnp, step = self._jax.numpy, state.step + 1
        size = (
            int(self._jax.tree_util.tree_leaves(state.states)[0].shape[0])
            if self._jax.tree_util.tree_leaves(state.states)
            else len(points)
        )
        full_x, full_g = np.zeros((size, 2)), np.zeros((size, 2))
        full_x[state.rows], full_g[state.rows] = points, gradients
        lrs = np.ones(size)
        if self._factory is not None:
            lrs[state.rows] = (
                np.ravel(self._rates) if self._rates is not None else self.lr_at(state.step)
            )
        with self._x64():
            try:
                moved, states = self._kernel()(
                    jnp.asarray(lrs), jnp.asarray(full_g), state.states, jnp.asarray(full_x)
                )
                moved = np.asarray(moved)
            except Exception as exc:  # the transformation's code: reported, with its step
                raise self._failed(step, exc) from exc
        return moved[state.rows].copy(), OptaxState(step, states, state.rows)


def from_optax(
    transformation: GradientTransformationLike | Callable[..., Any],
    lr: LearningRate | None = None,
    /,
    *,
    name: str | None = None,
    label: str | None = None,
    color: Color | None = None,
    **settings: Any,
) -> OptaxOptimizer:
    """Race an optax optimizer, built or as a factory and its settings::

        from_optax(optax.adam(0.1), name="Adam")      # a GradientTransformation
        from_optax(optax.adam, lr=0.1, b1=0.95)       # a factory: optax.adam(0.1, b1=0.95)

    (``learning_rate=``, optax's own keyword, is taken for ``lr=`` as well.)

    The factory form can be built again at another learning rate, so ``anim tune`` and
    ``render --tuned`` work with it (``lr`` may be a schedule); its default name is
    "optax adam". A built transformation's default name is "optax".

    In float64 (x64 switched on only while it steps), each start point with its own state,
    so a global-norm clip sees only its own gradient. The path equals a plain
    ``init``/``update``/``apply_updates`` loop with x64 enabled. ``name`` names it in the
    legend and in JSON. Needs ``pip install 'anim[optax]'``.
    """
    # lr as anim's optimizers call it, or learning_rate as optax's factories do.
    for keyword in ("lr", "learning_rate"):
        if keyword in settings:
            if lr is not None:
                raise TypeError(
                    f"from_optax got the learning rate twice (again as "
                    f"{keyword}=): give it once, as lr="
                )
            lr = settings.pop(keyword)
    return OptaxOptimizer(
        transformation, name=name, label=label, color=color, lr=lr, settings=settings
    )
