"""The torch objects the landscape is given, as the types a checker sees.

anim reads a model through its ``parameters()`` (a slice also calls it functionally),
follows an optimizer through ``register_step_post_hook``, and calls the loss with the
model's outputs and the targets. These protocols say so without importing torch: a type
check of a script that imports anim then never has to analyse all of torch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

__all__ = ["Data", "LossFunction", "Model", "StepHooks"]


class Model(Protocol):
    """A ``torch.nn.Module``: what matters here is that ``parameters()`` are its tensors."""

    def parameters(self) -> Iterable[Any]: ...


class StepHooks(Protocol):
    """A ``torch.optim.Optimizer``, which calls a hook after each of its ``step()`` calls."""

    def register_step_post_hook(self, hook: Callable[..., None]) -> Any: ...


#: ``loss_fn(outputs, targets)`` -> a scalar tensor: a torch loss module or a function.
LossFunction = Callable[[Any, Any], Any]
#: ``(inputs, targets)``: tensors or arrays, one row per sample.
Data = tuple[Any, Any] | list[Any]
