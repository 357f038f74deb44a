"""Why an optimizer moves as it does: its velocity and its per-axis step scale, read from
its state after each step. Pure numpy; the glyph layer draws what this computes.

For every optimizer, the race knows the gradient step plain gradient descent would take
(−lr·∇f) and the step actually taken. Beyond those, an optimizer may have

- a **velocity**: the running direction it steps along (Momentum's and Nesterov's buffer,
  RMSProp's momentum buffer, the Adam family's first moment, bias-corrected). It is shown
  as the step it stands for, −lr·v, so it compares with −lr·∇f;
- a **per-axis step scale** lr/(√h + ε) from a second moment h (AdaGrad's sum of squared
  gradients, RMSProp's and AdaDelta's running averages, the Adam family's bias-corrected
  second moment; Adamax's infinity norm; AdaDelta's own ratio √(Δ + ε)/√(h + ε)). It is
  how far one unit of gradient moves the point along each axis: AdaGrad's only shrinks.

An own optimizer (``@anim.optimizer``) that keeps state entries named ``velocity`` and
``second_moment`` gets the same glyphs from them: −lr·velocity and lr/√second_moment.
"""

from __future__ import annotations

import numpy as np

from . import optimizers as builtin
from .optimizers.custom import StepFunctionState


def current_lr(optimizer, step: int) -> float:
    """The learning rate of the step ``optimizer`` took from step ``step`` (0-based),
    schedules included; NaN when it does not say (an optax transformation)."""
    return optimizer.lr_at(step)


def _field(state, name):
    value = getattr(state, name, None)
    return None if value is None else np.asarray(value, dtype=float)


def _bias(beta: float, step: int) -> float:
    return 1.0 - beta ** step


def velocity_and_scale(optimizer, state, lr: float):
    """(velocity step −lr·v, per-axis scale) from the state after a step, each an (n, 2)
    array or None when the optimizer has no such thing."""
    hp = getattr(optimizer, "hyperparameters", {})
    if isinstance(state, StepFunctionState):  # an own optimizer
        moments = optimizer.moments(state)
        velocity, second = moments.get("velocity"), moments.get("second_moment")
        return (None if velocity is None else -lr * velocity,
                None if second is None else lr / np.sqrt(second))
    step = getattr(state, "step", 0)
    eps = hp.get("eps", 0.0)
    if isinstance(optimizer, (builtin.GD, builtin.Momentum, builtin.Nesterov)):
        if hp.get("momentum", 0.0) == 0:
            return None, None
        return -lr * _field(state, "momentum_buffer"), None
    if isinstance(optimizer, builtin.AdaGrad):
        return None, lr / (np.sqrt(_field(state, "sum")) + eps)
    if isinstance(optimizer, builtin.RMSProp):
        velocity = (-lr * _field(state, "momentum_buffer")
                    if hp.get("momentum", 0.0) else None)
        return velocity, lr / (np.sqrt(_field(state, "square_avg")) + eps)
    if isinstance(optimizer, builtin.AdaDelta):
        return None, lr * (np.sqrt(_field(state, "acc_delta") + eps)
                           / np.sqrt(_field(state, "square_avg") + eps))
    if isinstance(optimizer, (builtin.Adam, builtin.NAdam, builtin.RAdam)):
        beta1, beta2 = hp.get("betas", (0.9, 0.999))
        if step == 0:
            return None, None
        first = _field(state, "exp_avg") / _bias(beta1, step)
        second = _field(state, "exp_avg_sq") / _bias(beta2, step)
        return -lr * first, lr / (np.sqrt(second) + eps)
    if isinstance(optimizer, builtin.Adamax):
        beta1, _ = hp.get("betas", (0.9, 0.999))
        if step == 0:
            return None, None
        return (-lr * _field(state, "exp_avg") / _bias(beta1, step),
                lr / _bias(beta1, step) / _field(state, "exp_inf"))
    return None, None
