"""Hyperparameters, labels and colours checked where an optimizer is made, with the value
and the expectation in the message (``Invalid learning rate: -0.1 (must be > 0)``), and a
schedule's learning rate checked at every step (a schedule is user code)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ..errors import OptimizerError
from ..schedules import Schedule, as_schedule

#: A matplotlib colour: a name (``"tab:red"``), ``"#rrggbb"``, or an RGB(A) tuple.
Color = str | tuple[float, float, float] | tuple[float, float, float, float]


def _shown(value: object) -> str:
    if isinstance(value, np.generic):
        value = value.item()  # np.float64(0.1) would print as "np.float64(0.1)"
    return repr(value)


def _invalid(name: str, value: object, expectation: str) -> ValueError:
    what = "learning rate" if name == "lr" else name
    return ValueError(f"Invalid {what}: {_shown(value)} ({expectation})")


def _real(name: str, value: object) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise _invalid(name, value, "must be a number, not a bool")
    if not isinstance(value, numbers.Real):
        raise _invalid(name, value, "must be a real number")
    try:
        number = float(value)
    except OverflowError:  # an int beyond the float range
        number = math.inf
    if not math.isfinite(number):
        raise _invalid(name, value, "must be finite")
    return number


def _ranged(test: Callable[[float], bool], expectation: str) -> Callable[[str, object], float]:
    def check(name: str, value: object) -> float:
        number = _real(name, value)
        if not test(number):
            raise _invalid(name, value, expectation)
        return number

    return check


_positive = _ranged(lambda x: x > 0, "must be > 0")


def _learning_rate(name: str, value: object) -> float | Schedule:
    """A number > 0, or a schedule (any callable step -> lr)."""
    if callable(value) and not isinstance(value, numbers.Real):
        return as_schedule(value)
    return _positive(name, value)


_non_negative = _ranged(lambda x: x >= 0, "must be >= 0")
# A decay rate of 1 would freeze its running average at the initial value.
_unit = _ranged(lambda x: 0 <= x < 1, "must be in [0, 1)")
_fraction = _ranged(lambda x: 0 <= x <= 1, "must be in [0, 1]")


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise _invalid(name, value, "must be True or False")
    return bool(value)


def _betas(name: str, value: object) -> tuple[float, float]:
    if (
        isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim == 1)
    ) and len(value) == 2:
        return _unit("beta1", value[0]), _unit("beta2", value[1])
    raise _invalid(name, value, "must be a pair (beta1, beta2)")


class _Hyper(NamedTuple):
    default: Any
    check: Callable[[str, Any], Any]


# Legend symbols, as the literature writes them.
_SYMBOLS = {
    "lr": "lr",
    "momentum": "β",
    "dampening": "τ",
    "rho": "ρ",
    "eps": "ε",
    "weight_decay": "wd",
    "lr_decay": "lr_decay",
    "initial_accumulator_value": "h₀",
    "momentum_decay": "ψ",
    "amsgrad": "AMSGrad",
    "centered": "centered",
    "decoupled_weight_decay": "decoupled",
}


def check_label(label: object, owner: str) -> str | None:
    if label is not None and not isinstance(label, str):
        raise ValueError(f"Invalid label for {owner}: {label!r} (must be a string or None)")
    return label


def check_color(color: Color | None, owner: str) -> str | None:
    """``color`` as ``'#rrggbb'``, or None; a ValueError for anything matplotlib cannot draw."""
    if color is None:
        return None
    from matplotlib.colors import to_hex  # only when a colour is given: the race needs none

    try:
        return to_hex(color, keep_alpha=False)
    except (ValueError, TypeError):
        raise ValueError(
            f"Invalid color for {owner}: {color!r} (must be a matplotlib colour "
            "such as 'tab:red', 'crimson' or '#1f77b4')"
        ) from None


def step_lr(schedule: Schedule, step: int, owner: str) -> float:
    """The learning rate of update ``step + 1``, checked: a schedule is user code."""
    try:
        lr = schedule(step)
    except Exception as exc:  # the user's schedule: whatever it raises is reported
        raise OptimizerError(
            f"{owner}'s learning-rate schedule failed at step {step + 1}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    valid = isinstance(lr, numbers.Real) and not isinstance(lr, bool) and math.isfinite(lr)
    if not valid or lr < 0:
        raise OptimizerError(
            f"{owner}'s learning-rate schedule returned {_shown(lr)} for "
            f"step {step + 1} (must be a finite number >= 0)"
        )
    return float(lr)
