"""What a model slice is given, checked and converted: dtype, device, data tensors, and
what identifies code for the cache. Imports torch (only when a slice is made)."""

from __future__ import annotations

import contextlib
import inspect

import numpy as np
import torch

__all__ = [
    "as_tensor",
    "code_identity",
    "first_line",
    "numpy_array",
    "resolve_device",
    "resolve_dtype",
    "shape_text",
]

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def shape_text(value) -> str:
    return str(tuple(value.shape)) if hasattr(value, "shape") else type(value).__name__


def resolve_dtype(dtype, model) -> torch.dtype:
    """float32 or float64 from ``dtype`` (a torch or numpy dtype or its name); None: the
    model's own floating dtype (float32 unless it is float64)."""
    if dtype is None:
        floating = [p.dtype for p in model.parameters() if p.is_floating_point()]
        return torch.float64 if floating and floating[0] == torch.float64 else torch.float32
    if isinstance(dtype, torch.dtype) and dtype in DTYPES.values():
        return dtype
    with contextlib.suppress(TypeError):
        name = np.dtype(dtype).name
        if name in DTYPES:
            return DTYPES[name]
    raise ValueError(f"Invalid dtype: {dtype!r} (choose float32 or float64)")


def resolve_device(model, device) -> torch.device:
    """The device to evaluate on: ``device``, or the one the model's parameters are on;
    a one-line ValueError when that device is not there."""
    parameters = list(model.parameters())
    if not parameters:
        raise ValueError(
            f"the model ({type(model).__name__}) has no parameters: there is nothing to vary"
        )
    try:
        where = torch.device(device) if device is not None else parameters[0].device
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"Invalid device: {device!r} ({first_line(exc)})") from None
    if where.type == "meta":
        raise ValueError(
            "the model's parameters are on the meta device, which holds no "
            "values: load its weights (or give device='cpu') first"
        )
    try:
        torch.empty(1, device=where)
    except (RuntimeError, AssertionError) as exc:
        raise ValueError(
            f"device {str(where)!r} is missing on this machine: {first_line(exc)}"
        ) from None
    return where


def as_tensor(value, what: str, dtype, device) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        try:
            value = torch.tensor(np.asarray(value))
        except (TypeError, ValueError, RuntimeError):
            raise ValueError(
                f"{what} must be a tensor or an array, got {type(value).__name__}"
            ) from None
    if value.is_floating_point():
        value = value.to(dtype)
    return value.detach().to(device)


def code_identity(function) -> str:
    """What a function or module class is, as text: its name and, where Python has it,
    its source (so the cache tells an edited model or loss from the old one)."""
    target = (
        function if inspect.isfunction(function) or inspect.isclass(function) else type(function)
    )
    name = f"{getattr(target, '__module__', '')}.{getattr(target, '__qualname__', '')}"
    try:
        return name + "\n" + inspect.getsource(target)
    except (OSError, TypeError):
        code = getattr(function, "__code__", None)
        return name + ("" if code is None else code.co_code.hex())


def numpy_array(value) -> np.ndarray:
    """A tensor or array as a numpy array on the CPU; floating values as float64."""
    if isinstance(value, torch.Tensor):
        value = value.detach().to("cpu")
        return (value.to(torch.float64) if value.is_floating_point() else value).numpy()
    array = np.asarray(value)
    return array.astype(np.float64) if array.dtype.kind == "f" else array
