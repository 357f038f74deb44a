"""Your own update rule as an optimizer: ``@anim.optimizer(lr=..., ...)`` on a step function."""

from __future__ import annotations

import inspect
import numbers
import os
import traceback
from collections.abc import Callable
from typing import Any, NamedTuple, overload

import numpy as np
from numpy.typing import ArrayLike

from ..errors import OptimizerError
from .arrays import _as_points
from .base import Optimizer, StepGlyphs, ValueAndGrad
from .checks import _flag, _Hyper, _learning_rate, _real

#: Your update rule: ``step(x, g, state, **hyperparameters) -> (new_x, new_state)``, x and
#: g float64 arrays of shape (n, 2), state the dict the previous call returned.
StepFunction = Callable[..., tuple[ArrayLike, dict[str, Any]]]
#: A hyperparameter's default: a number, True/False, a tuple of numbers, or for ``lr`` a
#: schedule (any callable step -> lr).
Default = float | bool | tuple[float, ...] | list[float] | Callable[[int], float]


class StepFunctionState(NamedTuple):
    """The state of an optimizer made by :func:`optimizer`: how many steps it took, and
    the dict the step function returned last (``{}`` before the first step)."""

    step: int
    values: dict[str, Any]


class StepFunctionOptimizer(Optimizer):
    """Base of the classes :func:`optimizer` makes; runs the user's step function."""

    State = StepFunctionState

    @staticmethod
    def _step_function(
        x: np.ndarray, g: np.ndarray, state: dict[str, Any], **hyperparameters: Any
    ) -> tuple[ArrayLike, dict[str, Any]]:
        raise NotImplementedError  # each class made by the decorator has its own

    def init(self, params: ArrayLike) -> StepFunctionState:
        """The state before the first step: no steps taken, an empty dict."""
        _as_points(params, "params")
        return StepFunctionState(0, {})

    def update(
        self,
        grads: ArrayLike,
        state: StepFunctionState,
        params: ArrayLike,
        *,
        value_and_grad: ValueAndGrad | None = None,
    ) -> tuple[np.ndarray, StepFunctionState]:
        """One call of the step function, its result checked: ``(new_params, new_state)``."""
        params = _as_points(params, "params")
        grads = _as_points(grads, "grads")
        if grads.shape != params.shape:
            raise ValueError(f"grads has shape {grads.shape} but params has shape {params.shape}")
        if not isinstance(state, StepFunctionState):
            raise ValueError(
                f"{self.name} needs a state from its own init(), got {type(state).__name__}"
            )
        step = state.step + 1
        hyperparameters = self._at_step(state.step)
        function = self._step_function
        try:
            # Copies: a step that updates x or g in place must not change the race's arrays.
            result = function(params.copy(), grads.copy(), dict(state.values), **hyperparameters)
        except Exception as exc:  # the user's code: whatever it raises is reported
            raise OptimizerError(
                f"{self.name} step {step} raised {type(exc).__name__}: "
                f"{exc} ({_where(exc, function)})"
            ) from exc
        new_params, new_values = self._checked(result, step, params.shape)
        return new_params, StepFunctionState(step, new_values)

    def moments(self, state: StepFunctionState) -> dict[str, np.ndarray]:
        """The state dict's ``velocity`` and ``second_moment`` entries, where it has them."""
        return {
            key: np.asarray(state.values[key])
            for key in ("velocity", "second_moment")
            if key in state.values
        }

    def step_glyphs(self, state: StepFunctionState, step: int) -> StepGlyphs:
        """−lr·velocity and lr/√second_moment from the state dict's entries of those names."""
        moments, lr = self.moments(state), self.lr_at(step)
        velocity, second = moments.get("velocity"), moments.get("second_moment")
        return (
            None if velocity is None else -lr * velocity,
            None if second is None else lr / np.sqrt(second),
        )

    def _checked(
        self, result: object, step: int, shape: tuple[int, ...]
    ) -> tuple[np.ndarray, dict[str, Any]]:
        what = f"{self.name} step {step} returned"
        if not isinstance(result, tuple) or len(result) != 2:
            raise OptimizerError(f"{what} {_describe(result)}, expected a pair (new_x, new_state)")
        new_x, new_state = result
        array = (
            np.asarray(new_x)
            if isinstance(new_x, (np.ndarray, list, tuple, numbers.Real))
            else None
        )
        if array is None or not (
            np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)
        ):
            raise OptimizerError(
                f"{what} x as {_describe(new_x)}, expected a float array of shape {shape}"
            )
        if array.shape != shape:
            raise OptimizerError(f"{what} x of shape {array.shape}, expected {shape}")
        if not isinstance(new_state, dict):
            raise OptimizerError(
                f"{what} a state of type {type(new_state).__name__}, expected "
                "a dict (return {} if the rule keeps no state)"
            )
        return np.array(array, dtype=np.float64), new_state


def _describe(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}"
    return f"a {type(value).__name__}"


def _where(exc: BaseException, function: StepFunction) -> str:
    """``file, line N`` of the step function's code where ``exc`` was raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [frame for frame in frames if frame.filename == function.__code__.co_filename]
    frame = (own or frames)[-1]
    filename = frame.filename
    try:
        relative = os.path.relpath(filename)
        if not relative.startswith(os.pardir):
            filename = relative
    except ValueError:  # another drive on Windows
        pass
    return f"{filename}, line {frame.lineno}"


def _real_tuple(name: str, value: object) -> tuple[float, ...]:
    if not isinstance(value, (tuple, list)):
        raise ValueError(f"Invalid {name}: {value!r} (must be a tuple of numbers)")
    return tuple(_real(f"{name}[{i}]", item) for i, item in enumerate(value))


def _checker(name: str, default: object) -> Callable[[str, Any], Any]:
    if name == "lr":
        return _learning_rate
    if isinstance(default, (bool, np.bool_)):
        return _flag
    if isinstance(default, numbers.Real):
        return _real
    if isinstance(default, (tuple, list)):
        return _real_tuple
    raise TypeError(
        f"default of {name} must be a number, True/False or a tuple of numbers, got {default!r}"
    )


@overload
def optimizer(
    step_function: StepFunction, /, **defaults: Default
) -> type[StepFunctionOptimizer]: ...
@overload
def optimizer(
    step_function: None = None, /, **defaults: Default
) -> Callable[[StepFunction], type[StepFunctionOptimizer]]: ...


def optimizer(
    step_function: StepFunction | None = None, /, **defaults: Default
) -> type[StepFunctionOptimizer] | Callable[[StepFunction], type[StepFunctionOptimizer]]:
    """Make a step function into an optimizer class, hyperparameters and their defaults given::

        @optimizer(lr=0.01, rho=0.9, eps=1e-8)
        def HandRMSProp(x, g, state, *, lr, rho, eps):
            h = rho * state.get("h", 0.0) + (1 - rho) * g * g
            return x - lr * g / (np.sqrt(h) + eps), {"h": h}

        HandRMSProp(0.4)   # an optimizer, like RMSProp(0.4)

    Hyperparameters may instead be declared as keyword defaults of the function
    (``def MyGD(x, g, state, *, lr=0.1)`` with a bare ``@optimizer``); the decorator's
    values win where both are given.

    The function gets ``x`` and ``g`` (float64 arrays of shape (n, 2): n points and the
    gradient there), ``state`` (a dict: what the previous call returned, ``{}`` at the
    first step) and the hyperparameters by name (``lr`` read from its schedule at this
    step, if it is one), and returns ``(new_x, new_state)``. The class is named after the
    function and documented by its docstring; its hyperparameters are validated like the
    built-ins' (finite numbers; ``lr`` > 0 or a schedule). Name state entries
    ``velocity`` and ``second_moment`` where the rule has them, so pictures that explain
    a step can find them.
    """
    if step_function is not None:
        return _make(step_function, defaults)
    return lambda function: _make(function, defaults)


def _keyword_defaults(function: StepFunction) -> dict[str, Any]:
    """The hyperparameters a step function declares with defaults (``*, lr=0.1``)."""
    try:
        parameters = list(inspect.signature(function).parameters.values())[3:]
    except (TypeError, ValueError):
        return {}
    return {
        p.name: p.default
        for p in parameters
        if p.default is not inspect.Parameter.empty
        and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    }


def _check_positionals(function: StepFunction, name: str) -> None:
    """The step is called as f(x, g, state, **hyperparameters): a function whose first
    three parameters cannot take x, g and state (too few, or one of them a hyperparameter
    with a default) would read a hyperparameter as the state."""
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return
    positional = [
        p
        for p in parameters[:3]
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        and p.default is inspect.Parameter.empty
    ]
    if len(positional) < 3 and not any(p.kind == p.VAR_POSITIONAL for p in parameters):
        raise TypeError(
            f"{name}{inspect.signature(function)} must take (x, g, state) first, "
            "then its hyperparameters by keyword, e.g. "
            f"def {name}(x, g, state, *, lr=0.1)"
        )


def _make(function: StepFunction, defaults: dict[str, Any]) -> type[StepFunctionOptimizer]:
    if not callable(function) or not hasattr(function, "__code__"):
        raise TypeError(
            f"@optimizer decorates a function (x, g, state, **hyperparameters), got {function!r}"
        )
    name = function.__name__
    _check_positionals(function, name)
    # `@anim.optimizer` bare, or hyperparameters left out of the decorator: the function's
    # own keyword defaults declare them.
    defaults = {**_keyword_defaults(function), **defaults}
    required = [
        p.name
        for p in list(inspect.signature(function).parameters.values())[3:]
        if p.default is inspect.Parameter.empty
        and p.name not in defaults
        and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if required:
        raise TypeError(
            f"{name}'s hyperparameter(s) {', '.join(required)} have no default: "
            f"give them in the decorator, e.g. @anim.optimizer("
            f"{', '.join(f'{key}=0.1' for key in required)}), or as keyword "
            "defaults of the function"
        )
    spec = {}
    for key, default in defaults.items():
        check = _checker(key, default)
        check(key, default)  # a bad default fails here, not at the first race
        spec[key] = _Hyper(default, check)
    try:
        inspect.signature(function).bind(None, None, None, **dict.fromkeys(defaults))
    except TypeError as exc:
        raise TypeError(
            f"{name}{inspect.signature(function)} cannot be called as "
            f"{name}(x, g, state, {', '.join(f'{k}=...' for k in defaults)}): "
            f"{exc}"
        ) from None
    title = name

    class Made(StepFunctionOptimizer):
        __doc__ = function.__doc__
        __module__ = function.__module__
        __qualname__ = function.__qualname__
        name = title
        _spec = spec
        _label_keys = ("lr",)
        _step_function = staticmethod(function)

    Made.__name__ = title
    return Made
