"""The built-in optimizers: pure functions over numpy arrays, in the style of optax.

Here the SGD family and the adaptive rates; the Adam family is in :mod:`.adam`;
``OPTIMIZERS`` lists all eleven by name.

An optimizer holds only its hyperparameters. ``init(params)`` returns a fresh state and
``update(grads, state, params)`` returns ``(new_params, new_state)`` without touching its
arguments, so a race can keep every intermediate state and replay any step::

    opt = RMSProp(lr=0.1)
    params = np.array([[-1.5, 2.0]])            # shape (n, 2): n points on the surface
    state = opt.init(params)
    for _ in range(100):
        params, state = opt.update(grad(params), state, params)

Each class reproduces, step for step in float64, the trajectory of the ``torch.optim``
class of the same algorithm (torch 2.x, single-tensor code path): same defaults (except
where a class docstring says otherwise), same placement of eps, same bias corrections and
the same order of floating-point operations, so the two agree to a few ulps per step.
torch computes some steps with fused multiply-adds and with a square root that is not
always correctly rounded, which numpy cannot reproduce bit for bit. Hyperparameters carry
torch's names; ``maximize``, ``foreach``, ``capturable``, ``differentiable`` and ``fused``
are not supported. Every invalid hyperparameter value raises ``ValueError`` at
construction; an unknown hyperparameter name raises ``TypeError`` as Python does for an
unknown keyword argument. ``lr`` may also be a schedule (:mod:`anim.schedules`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import numpy as np

from .adam import Adam, Adamax, AdamW, NAdam, RAdam
from .arrays import _ema_square, _frozen, _lerp, _zeros
from .base import Color, LearningRate, Optimizer, StepGlyphs
from .checks import _flag, _fraction, _Hyper, _invalid, _learning_rate, _non_negative, _unit

# --------------------------------------------------------------------------- SGD family


class SGDState(NamedTuple):
    step: int
    momentum_buffer: np.ndarray


class _SGD(Optimizer):
    _rates_per_row = True
    _nesterov: ClassVar[bool] = False
    State = SGDState
    _moment_fields = {"velocity": "momentum_buffer"}

    def _init_state(self, shape: tuple[int, ...]) -> SGDState:
        return SGDState(0, _zeros(shape))

    def _step(
        self, grads: np.ndarray, state: SGDState, params: np.ndarray, hp: dict[str, Any]
    ) -> tuple[np.ndarray, SGDState]:
        grads, _ = self._weight_decay(grads, params, hp)
        momentum = hp.get("momentum", 0.0)
        buf = state.momentum_buffer
        if momentum != 0:
            if state.step == 0:
                buf = grads  # not (1 - dampening)·g: torch starts the buffer at g
            else:
                buf = buf * momentum + (1 - hp["dampening"]) * grads
            grads = grads + momentum * buf if self._nesterov else buf
        return params + (-hp["lr"]) * grads, SGDState(state.step + 1, buf)

    def step_glyphs(self, state: SGDState, step: int) -> StepGlyphs:
        """The momentum buffer as the step it stands for, −lr·b; no step scale."""
        if self._hp.get("momentum", 0.0) == 0 or state.step == 0:
            return None, None
        return -self.lr_at(step) * np.asarray(state.momentum_buffer), None


class GD(_SGD):
    """Plain gradient descent, ``torch.optim.SGD`` with momentum 0.

    Update (torch's documentation, λ = weight_decay, γ = lr)::

        g_t ← ∇f(θ_{t-1}) + λ θ_{t-1}
        θ_t ← θ_{t-1} − γ g_t

    Defaults: lr=1e-3, weight_decay=0. With λ = 0 this is the blog form x −= η ∇f.
    """

    if TYPE_CHECKING:  # the signature editors and type checkers see

        def __init__(
            self,
            lr: LearningRate = 1e-3,
            *,
            weight_decay: float = 0.0,
            label: str | None = None,
            color: Color | None = None,
        ) -> None: ...

    name = "GD"
    _spec = {"lr": _Hyper(1e-3, _learning_rate), "weight_decay": _Hyper(0.0, _non_negative)}


class Momentum(_SGD):
    """Heavy-ball momentum, ``torch.optim.SGD(momentum=μ, dampening=τ, nesterov=False)``.

    Update (torch's documentation, λ = weight_decay, γ = lr)::

        g_t ← ∇f(θ_{t-1}) + λ θ_{t-1}
        b_t ← g_t                          at t = 1
        b_t ← μ b_{t-1} + (1 − τ) g_t      at t > 1
        θ_t ← θ_{t-1} − γ b_t

    Defaults: lr=1e-3, momentum=0.9 (torch's default 0 would make this plain GD),
    dampening=0, weight_decay=0.

    The blog form v ← α v − η ∇f, x ← x + v is the same path: with τ = 0 and λ = 0 it
    is torch's rule with v = −γ b, α = μ, η = γ. The first buffer is g itself, not
    (1 − τ) g, so with τ ≠ 0 the first step is a full gradient step.
    """

    if TYPE_CHECKING:  # the signature editors and type checkers see

        def __init__(
            self,
            lr: LearningRate = 1e-3,
            *,
            momentum: float = 0.9,
            dampening: float = 0.0,
            weight_decay: float = 0.0,
            label: str | None = None,
            color: Color | None = None,
        ) -> None: ...

    name = "Momentum"
    _spec = {
        "lr": _Hyper(1e-3, _learning_rate),
        "momentum": _Hyper(0.9, _non_negative),
        "dampening": _Hyper(0.0, _fraction),
        "weight_decay": _Hyper(0.0, _non_negative),
    }
    _label_keys = ("lr", "momentum")


class Nesterov(_SGD):
    """Nesterov momentum, ``torch.optim.SGD(momentum=μ, nesterov=True)``.

    Update (torch's documentation, λ = weight_decay, γ = lr)::

        g_t ← ∇f(θ_{t-1}) + λ θ_{t-1}
        b_t ← g_t                          at t = 1
        b_t ← μ b_{t-1} + g_t              at t > 1
        θ_t ← θ_{t-1} − γ (g_t + μ b_t)

    This is Sutskever et al.'s look-ahead step rewritten to need the gradient at θ only.
    Defaults: lr=1e-3, momentum=0.9 (must be > 0), dampening=0 (must be 0, as torch
    requires), weight_decay=0.
    """

    if TYPE_CHECKING:  # the signature editors and type checkers see

        def __init__(
            self,
            lr: LearningRate = 1e-3,
            *,
            momentum: float = 0.9,
            dampening: float = 0.0,
            weight_decay: float = 0.0,
            label: str | None = None,
            color: Color | None = None,
        ) -> None: ...

    name = "Nesterov"
    _nesterov = True
    _spec = Momentum._spec
    _label_keys = ("lr", "momentum")

    def _check(self) -> None:
        if self._hp["momentum"] <= 0:
            raise _invalid("momentum", self._hp["momentum"], "must be > 0 for Nesterov momentum")
        if self._hp["dampening"] != 0:
            raise _invalid("dampening", self._hp["dampening"], "must be 0 for Nesterov momentum")


# --------------------------------------------------------------------------- adaptive rates


class AdaGradState(NamedTuple):
    step: int
    sum: np.ndarray


class AdaGrad(Optimizer):
    """AdaGrad, ``torch.optim.Adagrad``.

    Update (torch's documentation, γ = lr, η = lr_decay, λ = weight_decay,
    τ = initial_accumulator_value)::

        state_sum_0 ← τ
        γ̃ ← γ / (1 + (t − 1) η)
        g_t ← ∇f(θ_{t-1}) + λ θ_{t-1}
        state_sum_t ← state_sum_{t-1} + g_t²
        θ_t ← θ_{t-1} − γ̃ g_t / (√state_sum_t + ε)

    Defaults: lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10. The blog form h += g², x −= η g / (√h + ε) is the same path (η = lr,
    h = state_sum, lr_decay = 0): ε sits outside the square root.
    """

    if TYPE_CHECKING:  # the signature editors and type checkers see

        def __init__(
            self,
            lr: LearningRate = 1e-2,
            *,
            lr_decay: float = 0.0,
            weight_decay: float = 0.0,
            initial_accumulator_value: float = 0.0,
            eps: float = 1e-10,
            label: str | None = None,
            color: Color | None = None,
        ) -> None: ...

    name = "AdaGrad"
    _rates_per_row = True
    _spec = {
        "lr": _Hyper(1e-2, _learning_rate),
        "lr_decay": _Hyper(0.0, _non_negative),
        "weight_decay": _Hyper(0.0, _non_negative),
        "initial_accumulator_value": _Hyper(0.0, _non_negative),
        "eps": _Hyper(1e-10, _non_negative),
    }
    State = AdaGradState
    _moment_fields = {"second_moment": "sum"}  # a sum, not an average

    def _init_state(self, shape: tuple[int, ...]) -> AdaGradState:
        return AdaGradState(0, _frozen(np.full(shape, self._hp["initial_accumulator_value"])))

    def _step(
        self, grads: np.ndarray, state: AdaGradState, params: np.ndarray, hp: dict[str, Any]
    ) -> tuple[np.ndarray, AdaGradState]:
        step = state.step + 1
        grads, _ = self._weight_decay(grads, params, hp)
        clr = hp["lr"] / (1 + (step - 1) * hp["lr_decay"])
        total = state.sum + grads * grads
        std = np.sqrt(total) + hp["eps"]
        return params + (-clr * grads) / std, AdaGradState(step, total)

    def step_glyphs(self, state: AdaGradState, step: int) -> StepGlyphs:
        """No velocity; the step scale lr/(√Σg² + ε), which only shrinks."""
        if state.step == 0:
            return None, None
        return None, self.lr_at(step) / (np.sqrt(state.sum) + self._hp["eps"])


class RMSPropState(NamedTuple):
    step: int
    square_avg: np.ndarray
    grad_avg: np.ndarray
    momentum_buffer: np.ndarray


class RMSProp(Optimizer):
    """RMSProp, ``torch.optim.RMSprop`` with its smoothing constant α called ``rho``.

    Update (torch's documentation, γ = lr, ρ = rho (torch's α), μ = momentum,
    λ = weight_decay)::

        g_t ← ∇f(θ_{t-1}) + λ θ_{t-1}
        v_t ← ρ v_{t-1} + (1 − ρ) g_t²
        ṽ_t ← v_t
        if centered:  ḡ_t ← ρ ḡ_{t-1} + (1 − ρ) g_t;  ṽ_t ← ṽ_t − ḡ_t²
        if μ > 0:     b_t ← μ b_{t-1} + g_t / (√ṽ_t + ε);  θ_t ← θ_{t-1} − γ b_t
        else:         θ_t ← θ_{t-1} − γ g_t / (√ṽ_t + ε)

    Defaults: lr=1e-2, rho=0.9 (Hinton's recommendation; torch's alpha defaults to 0.99),
    eps=1e-8, weight_decay=0, momentum=0, centered=False.

    The blog form h ← ρ h + (1 − ρ) g², x −= η g / √h is the same path, except that
    torch adds ε outside the square root: g / (√h + ε).
    """

    if TYPE_CHECKING:  # the signature editors and type checkers see

        def __init__(
            self,
            lr: LearningRate = 1e-2,
            *,
            rho: float = 0.9,
            eps: float = 1e-8,
            weight_decay: float = 0.0,
            momentum: float = 0.0,
            centered: bool = False,
            label: str | None = None,
            color: Color | None = None,
        ) -> None: ...

    name = "RMSProp"
    _rates_per_row = True
    _spec = {
        "lr": _Hyper(1e-2, _learning_rate),
        "rho": _Hyper(0.9, _unit),
        "eps": _Hyper(1e-8, _non_negative),
        "weight_decay": _Hyper(0.0, _non_negative),
        "momentum": _Hyper(0.0, _non_negative),
        "centered": _Hyper(False, _flag),
    }
    _label_keys = ("lr", "rho")
    _renamed = {"alpha": "rho"}
    State = RMSPropState
    _moment_fields = {"velocity": "momentum_buffer", "second_moment": "square_avg"}

    def _init_state(self, shape: tuple[int, ...]) -> RMSPropState:
        return RMSPropState(0, _zeros(shape), _zeros(shape), _zeros(shape))

    def _step(
        self, grads: np.ndarray, state: RMSPropState, params: np.ndarray, hp: dict[str, Any]
    ) -> tuple[np.ndarray, RMSPropState]:
        grads, _ = self._weight_decay(grads, params, hp)
        square_avg = _ema_square(state.square_avg, grads, hp["rho"])
        grad_avg = state.grad_avg
        if hp["centered"]:
            grad_avg = _lerp(grad_avg, grads, 1 - hp["rho"])
            avg = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg = avg + hp["eps"]
        buf = state.momentum_buffer
        if hp["momentum"] > 0:
            buf = buf * hp["momentum"] + grads / avg
            new_params = params + (-hp["lr"]) * buf
        else:
            new_params = params + (-hp["lr"] * grads) / avg
        return new_params, RMSPropState(state.step + 1, square_avg, grad_avg, buf)

    def step_glyphs(self, state: RMSPropState, step: int) -> StepGlyphs:
        """The momentum buffer (with momentum > 0) as −lr·b, and the step scale
        lr/(√h + ε) of the running average h, which grows back when the slope flattens."""
        if state.step == 0:
            return None, None
        lr = self.lr_at(step)
        velocity = -lr * np.asarray(state.momentum_buffer) if self._hp["momentum"] else None
        return velocity, lr / (np.sqrt(state.square_avg) + self._hp["eps"])


class AdaDeltaState(NamedTuple):
    step: int
    square_avg: np.ndarray
    acc_delta: np.ndarray


class AdaDelta(Optimizer):
    """AdaDelta, ``torch.optim.Adadelta``.

    Update (torch's documentation, γ = lr, λ = weight_decay)::

        g_t ← ∇f(θ_{t-1}) + λ θ_{t-1}
        v_t ← ρ v_{t-1} + (1 − ρ) g_t²
        Δx_t ← √(u_{t-1} + ε) / √(v_t + ε) · g_t
        u_t ← ρ u_{t-1} + (1 − ρ) Δx_t²
        θ_t ← θ_{t-1} − γ Δx_t

    Defaults: lr=1.0, rho=0.9, eps=1e-6, weight_decay=0. ε sits inside both square
    roots and sets the size of the first steps: about γ √(ε / (1 − ρ)) · sign(g).
    """

    if TYPE_CHECKING:  # the signature editors and type checkers see

        def __init__(
            self,
            lr: LearningRate = 1.0,
            *,
            rho: float = 0.9,
            eps: float = 1e-6,
            weight_decay: float = 0.0,
            label: str | None = None,
            color: Color | None = None,
        ) -> None: ...

    name = "AdaDelta"
    _rates_per_row = True
    _spec = {
        "lr": _Hyper(1.0, _learning_rate),
        "rho": _Hyper(0.9, _unit),
        "eps": _Hyper(1e-6, _non_negative),
        "weight_decay": _Hyper(0.0, _non_negative),
    }
    _label_keys = ("lr", "rho")
    State = AdaDeltaState
    _moment_fields = {"second_moment": "square_avg"}

    def _init_state(self, shape: tuple[int, ...]) -> AdaDeltaState:
        return AdaDeltaState(0, _zeros(shape), _zeros(shape))

    def _step(
        self, grads: np.ndarray, state: AdaDeltaState, params: np.ndarray, hp: dict[str, Any]
    ) -> tuple[np.ndarray, AdaDeltaState]:
        grads, _ = self._weight_decay(grads, params, hp)
        square_avg = _ema_square(state.square_avg, grads, hp["rho"])
        std = np.sqrt(square_avg + hp["eps"])
        delta = np.sqrt(state.acc_delta + hp["eps"]) / std * grads
        acc_delta = _ema_square(state.acc_delta, delta, hp["rho"])
        return params + (-hp["lr"]) * delta, AdaDeltaState(state.step + 1, square_avg, acc_delta)

    def step_glyphs(self, state: AdaDeltaState, step: int) -> StepGlyphs:
        """No velocity; AdaDelta's own ratio lr·√(u + ε)/√(h + ε) as the step scale."""
        if state.step == 0:
            return None, None
        eps = self._hp["eps"]
        return None, self.lr_at(step) * (
            np.sqrt(state.acc_delta + eps) / np.sqrt(state.square_avg + eps)
        )


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls
    for cls in (
        GD,
        Momentum,
        Nesterov,
        AdaGrad,
        RMSProp,
        AdaDelta,
        Adam,
        AdamW,
        NAdam,
        RAdam,
        Adamax,
    )
}
