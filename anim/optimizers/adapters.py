"""Race any torch or optax optimizer: :func:`from_torch` and :func:`from_optax`.

torch and jax are imported only when one of these is called. Each start point gets its own
optimizer (torch) or state (optax) over its own (2,) float64 parameter, so nothing couples
start points: not a per-parameter normalisation, not a norm over all parameters.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import numbers
from typing import NamedTuple

import numpy as np

from ..errors import OptimizerError
from ..schedules import Schedule, as_schedule
from .base import _SYMBOLS, Optimizer, _as_points, check_label, step_lr


def _require(module: str, extra: str, caller: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{caller} needs {module}, which is not installed here: "
                          f"pip install 'anim[{extra}]'") from None


def _plain(value):
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


def _label(name: str, hyperparameters: dict) -> str:
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

    def _setup(self, name: str, hyperparameters: dict, label, color) -> None:
        self.name = name
        self._given = {key: _plain(value) for key, value in hyperparameters.items()}
        self._set_look(label, color)

    @property
    def hyperparameters(self) -> dict:
        return {key: list(value) if isinstance(value, list) else value
                for key, value in self._given.items()}

    def lr_at(self, step: int) -> float:
        """The learning rate of update ``step + 1``; NaN when it is not known (optax)."""
        schedule = getattr(self, "_schedule", None)
        if schedule is not None:
            return step_lr(schedule, step, self.name)
        lr = self._given.get("lr")
        return float(lr) if isinstance(lr, numbers.Real) and not isinstance(lr, bool) \
            else math.nan

    @property
    def generated_label(self) -> str:
        schedule = getattr(self, "_schedule", None)
        if schedule is None:
            return _label(self.name, self._given)
        rest = _label(self.name, {k: v for k, v in self._given.items() if k != "lr"})
        head, _, tail = rest.partition(" ")
        return " ".join(part for part in (head, f"lr={schedule.describe()}", tail) if part)

    def _failed(self, step: int, exc: Exception) -> OptimizerError:
        return OptimizerError(f"{self.name} step {step} raised {type(exc).__name__}: {exc}")


# --------------------------------------------------------------------------- torch

class TorchState(NamedTuple):
    """Steps taken, and per start point its parameter tensor and torch optimizer (both
    advanced in place by :meth:`TorchOptimizer.update`: an old state cannot be replayed)."""

    step: int
    tensors: tuple
    optimizers: tuple


@contextlib.contextmanager
def _float64(torch):
    # Some optimizers keep scalars in the default dtype (NAdam's μ product): float64 too.
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


class TorchOptimizer(_Adapter):
    """A ``torch.optim.Optimizer`` subclass racing in float64; made by :func:`from_torch`."""

    needs_value_and_grad = True
    State = TorchState

    def __init__(self, optimizer_class, hyperparameters: dict, label=None, color=None):
        torch = _require("torch", "torch", "from_torch")
        if not (isinstance(optimizer_class, type)
                and issubclass(optimizer_class, torch.optim.Optimizer)):
            raise ValueError("from_torch needs a torch.optim.Optimizer subclass such as "
                             f"torch.optim.Adam, got {optimizer_class!r}")
        self._torch = torch
        self._class = optimizer_class
        self._hyperparameters = dict(hyperparameters)
        lr = hyperparameters.get("lr")
        # A schedule sets the param group's lr before each step, as torch's LambdaLR does.
        self._schedule = (as_schedule(lr) if callable(lr) and not isinstance(lr, numbers.Real)
                          else None)
        if self._schedule is not None:
            hyperparameters = {**hyperparameters, "lr": self._schedule}
            self._hyperparameters["lr"] = step_lr(self._schedule, 0, optimizer_class.__name__)
        self._setup(optimizer_class.__name__, hyperparameters, label, color)
        # Invalid or unknown hyperparameters fail here, with torch's own message.
        probe = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        try:
            with _float64(torch):
                optimizer_class([probe], **self._hyperparameters)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{self.name}: {exc}") from None

    @property
    def libraries(self) -> tuple[str, ...]:
        """The packages whose code runs the steps: torch and the class's own."""
        package = self._class.__module__.split(".")[0]
        return ("torch",) if package == "torch" else ("torch", package)

    def __repr__(self) -> str:
        args = [f"{self._class.__module__}.{self._class.__qualname__}"]
        hyperparameters = {**self._hyperparameters, **(
            {"lr": self._schedule} if self._schedule is not None else {})}
        args += [f"{key}={value!r}" for key, value in hyperparameters.items()]
        args += [f"{key}={value!r}" for key, value in
                 (("label", self._label), ("color", self.color)) if value is not None]
        return f"from_torch({', '.join(args)})"

    def init(self, params) -> TorchState:
        """One float64 tensor and one torch optimizer per start point."""
        torch = self._torch
        params = _as_points(params, "params")
        with _float64(torch):
            tensors = tuple(torch.tensor(row, dtype=torch.float64, requires_grad=True)
                            for row in params)
            optimizers = tuple(self._class([tensor], **self._hyperparameters)
                               for tensor in tensors)
        return TorchState(0, tensors, optimizers)

    def update(self, grads, state, params, *, value_and_grad=None):
        """``step(closure)`` of each start point's optimizer. The closure's first call gives
        ``grads`` (at ``params``); further calls (LBFGS) recompute f and its gradient at
        the tensor's current value with ``value_and_grad(points) -> (values, grads)``."""
        torch = self._torch
        params = _as_points(params, "params")
        grads = _as_points(grads, "grads")
        if value_and_grad is None:
            raise TypeError(f"{self.name} (from_torch) needs value_and_grad=, a function of "
                            "points (n, 2) returning (f, gradient) there, for its closure")
        if not isinstance(state, TorchState) or len(state.tensors) != len(params):
            raise ValueError(f"{self.name} needs a state from its own init() for "
                             f"{len(params)} point(s)")
        if not params.flags.writeable or not params.flags.c_contiguous:
            params = np.ascontiguousarray(params).copy()  # torch.from_numpy wants writeable
        values, _ = value_and_grad(params)
        step = state.step + 1
        if self._schedule is not None:
            lr = step_lr(self._schedule, state.step, self.name)
        with _float64(torch):
            for row, (tensor, optimizer) in enumerate(zip(state.tensors, state.optimizers)):
                with torch.no_grad():
                    tensor.copy_(torch.from_numpy(params[row]))
                if self._schedule is not None:
                    for group in optimizer.param_groups:
                        group["lr"] = lr
                closure = self._closure(tensor, values[row], grads[row], value_and_grad)
                try:
                    optimizer.step(closure)
                except Exception as exc:  # the optimizer's code: reported, with its step
                    raise self._failed(step, exc) from exc
        new_params = np.array([tensor.detach().numpy() for tensor in state.tensors],
                              dtype=np.float64).reshape(params.shape)
        return new_params, state._replace(step=step)

    def _closure(self, tensor, value, grad, value_and_grad):
        torch = self._torch
        first = [True]

        def closure():
            if first[0]:
                first[0] = False
                loss, gradient = value, grad
            else:
                point = tensor.detach().numpy().reshape(1, 2).copy()
                losses, gradients = value_and_grad(point)
                loss, gradient = losses[0], gradients[0]
            tensor.grad = torch.tensor(gradient, dtype=torch.float64)
            return torch.tensor(float(loss), dtype=torch.float64)

        return closure


def from_torch(optimizer_class, lr=None, /, *, label=None, color=None, **hyperparameters):
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
    """
    if lr is not None:
        if "lr" in hyperparameters:
            raise TypeError("from_torch got lr twice: positionally and by name")
        hyperparameters = {"lr": lr, **hyperparameters}
    check_label(label, getattr(optimizer_class, "__name__", "from_torch"))
    return TorchOptimizer(optimizer_class, hyperparameters, label=label, color=color)


# --------------------------------------------------------------------------- optax

class OptaxState(NamedTuple):
    """Steps taken, and per start point its optax state."""

    step: int
    states: tuple


class OptaxOptimizer(_Adapter):
    """An optax ``GradientTransformation`` racing in float64; made by :func:`from_optax`."""

    State = OptaxState

    def __init__(self, transformation, name=None, label=None, color=None):
        self._jax = _require("jax", "optax", "from_optax")
        self._optax = _require("optax", "optax", "from_optax")
        if not isinstance(transformation, self._optax.GradientTransformation):
            raise ValueError("from_optax needs an optax GradientTransformation such as "
                             f"optax.adam(0.1), got {transformation!r}")
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"Invalid name for from_optax: {name!r} (must be a non-empty "
                             "string)")
        self._transformation = transformation
        self._setup(name or "optax", {}, label, color)

    #: The packages whose code runs the steps.
    libraries = ("jax", "optax")

    def __repr__(self) -> str:
        args = [f"{key}={value!r}" for key, value in
                (("name", self.name), ("label", self._label), ("color", self.color))
                if value is not None]
        return f"from_optax(<GradientTransformation>, {', '.join(args)})"

    def _x64(self):
        # Only inside: switching x64 on for good would change the user's other jax code.
        if hasattr(self._jax, "enable_x64"):
            return self._jax.enable_x64(True)
        from jax.experimental import enable_x64  # jax before the config context managers

        return enable_x64()

    def init(self, params) -> OptaxState:
        """One optax state per start point."""
        params = _as_points(params, "params")
        jnp = self._jax.numpy
        with self._x64():
            states = tuple(self._transformation.init(jnp.asarray(row)) for row in params)
        return OptaxState(0, states)

    def update(self, grads, state, params):
        """``updates, s = tx.update(g, s, x); x = optax.apply_updates(x, updates)`` per point."""
        params = _as_points(params, "params")
        grads = _as_points(grads, "grads")
        if not isinstance(state, OptaxState) or len(state.states) != len(params):
            raise ValueError(f"{self.name} needs a state from its own init() for "
                             f"{len(params)} point(s)")
        jnp, step = self._jax.numpy, state.step + 1
        new_params, new_states = np.empty_like(params), []
        with self._x64():
            for row, optax_state in enumerate(state.states):
                x = jnp.asarray(params[row])
                try:
                    updates, optax_state = self._transformation.update(
                        jnp.asarray(grads[row]), optax_state, x)
                    new_params[row] = np.asarray(self._optax.apply_updates(x, updates))
                except Exception as exc:  # the transformation's code: reported, with its step
                    raise self._failed(step, exc) from exc
                new_states.append(optax_state)
        return new_params, OptaxState(step, tuple(new_states))


def from_optax(transformation, *, name=None, label=None, color=None):
    """Race an optax ``GradientTransformation``: ``from_optax(optax.adam(0.1), name="Adam")``.

    In float64 (x64 switched on only while it steps), each start point with its own state,
    so a global-norm clip sees only its own gradient. The path equals a plain
    ``init``/``update``/``apply_updates`` loop with x64 enabled. ``name`` (default
    "optax") names it in the legend and in JSON. Needs ``pip install 'anim[optax]'``.
    """
    return OptaxOptimizer(transformation, name=name, label=label, color=color)
