"""What the torch and optax adapters share (:mod:`.torch_adapter`, :mod:`.optax_adapter`):
the import of an optional library with the extra to install, hyperparameters as plain
values, the default label, and the adapter base class.

torch, jax and optax are imported only when an adapter is made. Each start point gets its
own optimizer (torch) or state (optax), so nothing couples start points: not a
per-parameter normalisation, not a norm over all parameters.
"""

from __future__ import annotations

import importlib
import math
import numbers
from types import ModuleType
from typing import Any

from ..errors import OptimizerError
from ..schedules import Schedule
from .base import Color, Optimizer
from .checks import _SYMBOLS, step_lr

# torch, jax and optax are imported only when an adapter is made, so here their objects
# (tensors, torch optimizers, optax states) are typed Any.


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
