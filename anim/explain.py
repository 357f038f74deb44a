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
A torch or optax optimizer shows the gradient and step arrows only (its state is the
library's own). Each family computes its glyphs in its ``step_glyphs`` method.
"""

from __future__ import annotations


def current_lr(optimizer, step: int) -> float:
    """The learning rate of the step ``optimizer`` took from step ``step`` (0-based),
    schedules included; NaN when it does not say (an optax transformation)."""
    return optimizer.lr_at(step)


def velocity_and_scale(optimizer, state, step: int):
    """(velocity step −lr·v, per-axis scale) from the state after update ``step + 1``,
    each an (n, 2) array or None where the optimizer has no such thing: each optimizer
    family answers for its own state (``Optimizer.step_glyphs``)."""
    return optimizer.step_glyphs(state, step)
