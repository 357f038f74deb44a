"""Learning-rate schedules: the learning rate as a function of the step.

Pass one as ``lr`` to any optimizer::

    from anim import schedules
    Adam(schedules.cosine(0.5, steps=100))      # legend: "Adam lr=cos 0.5→0"

A schedule is called with the number of updates already made: ``schedule(0)`` is the
learning rate of the first step, ``schedule(t)`` that of step t + 1. This is torch's
convention, where ``scheduler.step()`` runs after each ``optimizer.step()``, and optax's,
where the schedule is read with the count of updates so far. Each schedule equals the
``torch.optim.lr_scheduler`` named in its docstring (tests pin this), and any callable
``step -> lr`` works as a schedule too.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

__all__ = [
    "Schedule",
    "constant",
    "step_decay",
    "exponential",
    "cosine",
    "warmup_cosine",
    "as_schedule",
]


class Schedule:
    """A learning rate per step, with a short text for the legend and JSON-ready settings."""

    def __init__(self, rule: Callable[[int], float], text: str, settings: dict[str, Any]) -> None:
        self._rule = rule
        self._text = text
        self._settings = settings

    def __call__(self, step: int) -> float:
        return self._rule(step)

    def describe(self) -> str:
        """Short legend text, e.g. ``cos 0.5→0``."""
        return self._text

    def as_dict(self) -> dict[str, Any]:
        """The schedule's kind and settings as plain JSON-ready values."""
        return dict(self._settings)

    @property
    def rescalable(self) -> bool:
        """Whether :meth:`with_lr` can scale it: every schedule of this module can; a
        custom callable has no base rate to scale."""
        return self._settings.get("schedule") in _KINDS

    def with_lr(self, lr: float) -> Schedule:
        """The same shape scaled so that its base rate ``lr`` setting is ``lr`` (its
        start and end scale with it): what tuning a scheduled learning rate changes."""
        settings = dict(self._settings)
        kind = settings.pop("schedule")
        if kind not in _KINDS:
            raise ValueError(
                f"the custom schedule {self._text!r} has no base rate to scale; "
                "use one of anim.schedules"
            )
        lr = _number("lr", lr)
        factor = lr / settings["lr"]
        settings["lr"] = lr
        for key in ("start", "end"):
            if key in settings:
                settings[key] = settings[key] * factor
        return _KINDS[kind](**settings)

    def __repr__(self) -> str:
        settings = dict(self._settings)
        kind = settings.pop("schedule")
        if kind == "custom":
            return f"as_schedule({settings['function']})"
        return f"{kind}({', '.join(f'{key}={value!r}' for key, value in settings.items())})"


def _number(name: str, value: object, low: float = 0.0, strict: bool = True) -> float:
    number = (
        float(value)
        if isinstance(value, numbers.Real) and not isinstance(value, bool)
        else math.nan
    )
    if not (math.isfinite(number) and (number > low if strict else number >= low)):
        what = "learning rate" if name == "lr" else name
        sign = ">" if strict else ">="
        raise ValueError(f"Invalid {what}: {value!r} (must be a finite number {sign} {low:g})")
    return number


def _count(name: str, value: object, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"Invalid {name}: {value!r} (must be an integer >= {low})")
    return int(value)


def constant(lr: float) -> Schedule:
    """The same learning rate at every step (``torch.optim.lr_scheduler.ConstantLR`` with
    factor 1, i.e. no scheduler)."""
    lr = _number("lr", lr)
    return Schedule(lambda step: lr, f"{lr:g}", {"schedule": "constant", "lr": lr})


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """``lr · gamma^⌊t / step_size⌋``: multiplied by ``gamma`` every ``step_size`` steps
    (``torch.optim.lr_scheduler.StepLR``)."""
    lr, step_size = _number("lr", lr), _count("step_size", step_size)
    gamma = _number("gamma", gamma)

    def rule(step: int) -> float:
        return lr * gamma ** (step // step_size)

    return Schedule(
        rule,
        f"{lr:g}×{gamma:g}/{step_size}",
        {"schedule": "step_decay", "lr": lr, "step_size": step_size, "gamma": gamma},
    )


def exponential(lr: float, gamma: float) -> Schedule:
    """``lr · gamma^t`` (``torch.optim.lr_scheduler.ExponentialLR``)."""
    lr, gamma = _number("lr", lr), _number("gamma", gamma)
    return Schedule(
        lambda step: lr * gamma**step,
        f"{lr:g}×{gamma:g}ᵗ",
        {"schedule": "exponential", "lr": lr, "gamma": gamma},
    )


def _cosine(lr: float, end: float, steps: int, step: int) -> float:
    # torch's closed form; held at `end` after `steps` (torch's would rise again)
    step = min(step, steps)
    return end + (lr - end) * (1 + math.cos(math.pi * step / steps)) / 2


def cosine(lr: float, steps: int, end: float = 0.0) -> Schedule:
    """Half a cosine from ``lr`` down to ``end`` over ``steps`` steps, then ``end``:
    ``end + (lr − end)(1 + cos(π t / steps)) / 2``
    (``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=steps, eta_min=end)``)."""
    lr, steps = _number("lr", lr), _count("steps", steps)
    end = _number("end", end, strict=False)
    return Schedule(
        lambda step: _cosine(lr, end, steps, step),
        f"cos {lr:g}→{end:g}",
        {"schedule": "cosine", "lr": lr, "steps": steps, "end": end},
    )


def warmup_cosine(
    lr: float, warmup_steps: int, steps: int, start: float = 0.0, end: float = 0.0
) -> Schedule:
    """A linear warm-up from ``start`` to ``lr`` over ``warmup_steps`` steps, then a cosine
    from ``lr`` to ``end`` until step ``steps`` (which counts the warm-up), then ``end``;
    as ``optax.warmup_cosine_decay_schedule`` and, in torch, a ``LambdaLR`` with this rule."""
    lr, end = _number("lr", lr), _number("end", end, strict=False)
    start = _number("start", start, strict=False)
    warmup_steps = _count("warmup_steps", warmup_steps, low=0)
    steps = _count("steps", steps)
    if warmup_steps >= steps:
        raise ValueError(f"Invalid warmup_steps: {warmup_steps} (must be < steps = {steps})")

    def rule(step: int) -> float:
        if step < warmup_steps:
            return start + (lr - start) * step / warmup_steps
        return _cosine(lr, end, steps - warmup_steps, step - warmup_steps)

    return Schedule(
        rule,
        f"warm-up {warmup_steps}, cos {lr:g}→{end:g}",
        {
            "schedule": "warmup_cosine",
            "lr": lr,
            "warmup_steps": warmup_steps,
            "steps": steps,
            "start": start,
            "end": end,
        },
    )


def as_schedule(rule: Callable[[int], float]) -> Schedule:
    """Any callable ``step -> lr`` as a :class:`Schedule` (a Schedule is returned as is)."""
    if isinstance(rule, Schedule):
        return rule
    if not callable(rule):
        raise ValueError(
            f"Invalid learning rate: {rule!r} (must be a number > 0 or a "
            "schedule, a callable step -> lr)"
        )
    name = getattr(rule, "__name__", type(rule).__name__)
    text = "schedule" if name == "<lambda>" else name
    return Schedule(rule, text, {"schedule": "custom", "function": text})


_KINDS: dict[str, Callable[..., Schedule]] = {
    "constant": constant,
    "step_decay": step_decay,
    "exponential": exponential,
    "cosine": cosine,
    "warmup_cosine": warmup_cosine,
}
