"""The arithmetic the built-ins share, each helper in the operation order of the torch
kernel it stands for, and the state arrays: float64, (n, 2), read-only, cut by row."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

# Each helper spells out the operation order of the torch kernel it stands for.


def _lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """``start.lerp_(end, weight)``: ATen switches formula at |weight| = 0.5."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


def _ema_square(avg: np.ndarray, grad: np.ndarray, decay: float) -> np.ndarray:
    """``avg.mul_(decay).addcmul_(grad, grad, value=1 - decay)``."""
    return avg * decay + ((1.0 - decay) * grad) * grad


def _as_points(value: ArrayLike, what: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a float array of shape (n, 2), got {value!r}") from None
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{what} must have shape (n, 2), got shape {array.shape}")
    return array


def _frozen(array: ArrayLike) -> np.ndarray:
    # A private read-only copy: the state can never alias, or be changed through, the
    # caller's arrays, which is what lets a race keep every past state.
    array = np.array(array, dtype=np.float64)
    array.flags.writeable = False
    return array


def _zeros(shape: tuple[int, ...]) -> np.ndarray:
    return _frozen(np.zeros(shape))


def select_rows(state: Any, keep: ArrayLike) -> Any:
    """``state`` with only the start rows where ``keep`` (bool, one per row) is True.

    Every per-start part of a state is cut the same way: an array whose first axis has
    one entry per row, a tuple holding one object per row (a torch optimizer, an optax
    state), and the same inside NamedTuples and dicts (an own optimizer's state dict).
    Scalars (the step count) and anything else are kept as they are.
    """
    rows = np.asarray(keep, dtype=bool)
    count = len(rows)

    def cut(value: Any) -> Any:
        if isinstance(value, np.ndarray):
            if value.ndim >= 1 and value.shape[0] == count:
                return value[rows]
            return value
        if isinstance(value, tuple) and hasattr(value, "_fields"):  # a NamedTuple
            return type(value)(*(cut(item) for item in value))
        if isinstance(value, tuple) and len(value) == count:
            return tuple(item for item, kept in zip(value, rows) if kept)
        if isinstance(value, dict):
            return {key: cut(item) for key, item in value.items()}
        return value

    return cut(state)
