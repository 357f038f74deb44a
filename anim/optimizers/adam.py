"""The Adam family of built-in optimizers: Adam, AdamW, NAdam, RAdam, Adamax.

Each equals its ``torch.optim`` class step for step in float64; see :mod:`.builtin`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .arrays import _ema_square, _lerp, _zeros
from .base import Color, LearningRate, Optimizer, StepGlyphs
from .checks import _betas, _flag, _Hyper, _learning_rate, _non_negative

# --------------------------------------------------------------------------- Adam family


def _bias_corrected_glyphs(
    optimizer: Optimizer,
    state: AdamState | NAdamState | RAdamState,
    step: int,
    second_moment: bool = True,
) -> StepGlyphs:
    """−lr·m̂ and lr/(√v̂ + ε) with Adam's bias corrections, after a first step."""
    if state.step == 0:
        return None, None
    beta1, beta2 = optimizer._hp["betas"]
    lr = optimizer.lr_at(step)
    velocity = -lr * np.asarray(state.exp_avg) / (1.0 - beta1**state.step)
    if not second_moment:
        return velocity, None
    second = np.asarray(state.exp_avg_sq) / (1.0 - beta2**state.step)
    return velocity, lr / (np.sqrt(second) + optimizer._hp["eps"])


_BETAS = (0.9, 0.999)


class AdamState(NamedTuple):
    step: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    max_exp_avg_sq: np.ndarray


class Adam(Optimizer):
    """Adam, ``torch.optim.Adam``; with ``amsgrad=True``, AMSGrad.

    Update (torch's documentation, γ = lr, λ = weight_decay)::

        g_t ← ∇f(θ_{t-1}) + λ θ_{t-1}
        m_t ← β₁ m_{t-1} + (1 − β₁) g_t
        v_t ← β₂ v_{t-1} + (1 − β₂) g_t²
        m̂_t ← m_t / (1 − β₁ᵗ)
        if amsgrad:  v_t^max ← max(v_{t-1}^max, v_t);  v̂_t ← v_t^max / (1 − β₂ᵗ)
        else:        v̂_t ← v_t / (1 − β₂ᵗ)
        θ_t ← θ_{t-1} − γ m̂_t / (√v̂_t + ε)

    Defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False.
    The bias corrections make the first step γ g / (|g| + ε) ≈ γ·sign(g) per coordinate.
    """

    if TYPE_CHECKING:  # the signature editors and type checkers see

        def __init__(
            self,
            lr: LearningRate = 1e-3,
            *,
            betas: tuple[float, float] = (0.9, 0.999),
            eps: float = 1e-8,
            weight_decay: float = 0.0,
            amsgrad: bool = False,
            label: str | None = None,
            color: Color | None = None,
        ) -> None: ...

    name = "Adam"
    _rates_per_row = True

    def step_glyphs(self, state: AdamState, step: int) -> StepGlyphs:
        """The bias-corrected first moment as −lr·m̂, the step scale lr/(√v̂ + ε)."""
        return _bias_corrected_glyphs(self, state, step)

    _spec = {
        "lr": _Hyper(1e-3, _learning_rate),
        "betas": _Hyper(_BETAS, _betas),
        "eps": _Hyper(1e-8, _non_negative),
        "weight_decay": _Hyper(0.0, _non_negative),
        "amsgrad": _Hyper(False, _flag),
    }
    State = AdamState
    _moment_fields = {"velocity": "exp_avg", "second_moment": "exp_avg_sq"}

    def _init_state(self, shape: tuple[int, ...]) -> AdamState:
        return AdamState(0, _zeros(shape), _zeros(shape), _zeros(shape))

    def _step(
        self, grads: np.ndarray, state: AdamState, params: np.ndarray, hp: dict[str, Any]
    ) -> tuple[np.ndarray, AdamState]:
        step = state.step + 1
        beta1, beta2 = hp["betas"]
        grads, params = self._weight_decay(grads, params, hp)
        exp_avg = _lerp(state.exp_avg, grads, 1 - beta1)
        exp_avg_sq = _ema_square(state.exp_avg_sq, grads, beta2)
        step_size = hp["lr"] / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        max_exp_avg_sq = state.max_exp_avg_sq
        if hp["amsgrad"]:
            max_exp_avg_sq = np.maximum(max_exp_avg_sq, exp_avg_sq)
            denom = np.sqrt(max_exp_avg_sq) / bias_correction2_sqrt + hp["eps"]
        else:
            denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + hp["eps"]
        new_params = params + (-step_size * exp_avg) / denom
        return new_params, AdamState(step, exp_avg, exp_avg_sq, max_exp_avg_sq)


class AdamW(Adam):
    """AdamW, ``torch.optim.AdamW``: Adam with decoupled weight decay.

    Update (torch's documentation, γ = lr, λ = weight_decay)::

        θ_t ← θ_{t-1} − γ λ θ_{t-1}
        m_t, v_t, m̂_t, v̂_t as in Adam, from the undecayed gradient g_t
        θ_t ← θ_t − γ m̂_t / (√v̂_t + ε)

    Defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False.
    """

    if TYPE_CHECKING:  # the signature editors and type checkers see

        def __init__(
            self,
            lr: LearningRate = 1e-3,
            *,
            betas: tuple[float, float] = (0.9, 0.999),
            eps: float = 1e-8,
            weight_decay: float = 1e-2,
            amsgrad: bool = False,
            label: str | None = None,
            color: Color | None = None,
        ) -> None: ...

    name = "AdamW"
    _spec = {**Adam._spec, "weight_decay": _Hyper(1e-2, _non_negative)}
    _label_keys = ("lr", "weight_decay")
    _decoupled = True


class NAdamState(NamedTuple):
    step: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    mu_product: float


class NAdam(Optimizer):
    """NAdam (Adam with Nesterov momentum), ``torch.optim.NAdam``.

    Update (torch's documentation, γ = lr, λ = weight_decay, ψ = momentum_decay)::

        if decoupled_weight_decay:  θ_{t-1} ← θ_{t-1} − γ λ θ_{t-1}
        else:                       g_t ← g_t + λ θ_{t-1}
        μ_t ← β₁ (1 − ½ · 0.96^(t ψ))
        μ_{t+1} ← β₁ (1 − ½ · 0.96^((t+1) ψ))
        m_t ← β₁ m_{t-1} + (1 − β₁) g_t
        v_t ← β₂ v_{t-1} + (1 − β₂) g_t²
        m̂_t ← μ_{t+1} m_t / (1 − ∏_{i≤t+1} μ_i)
              + (1 − μ_t) g_t / (1 − ∏_{i≤t} μ_i)
        v̂_t ← v_t / (1 − β₂ᵗ)
        θ_t ← θ_{t-1} − γ m̂_t / (√v̂_t + ε)

    Defaults: lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    momentum_decay=4e-3, decoupled_weight_decay=False.
    """

    if TYPE_CHECKING:  # the signature editors and type checkers see

        def __init__(
            self,
            lr: LearningRate = 2e-3,
            *,
            betas: tuple[float, float] = (0.9, 0.999),
            eps: float = 1e-8,
            weight_decay: float = 0.0,
            momentum_decay: float = 4e-3,
            decoupled_weight_decay: bool = False,
            label: str | None = None,
            color: Color | None = None,
        ) -> None: ...

    name = "NAdam"
    _rates_per_row = True

    def step_glyphs(self, state: NAdamState, step: int) -> StepGlyphs:
        """The bias-corrected first moment as −lr·m̂, the step scale lr/(√v̂ + ε)."""
        return _bias_corrected_glyphs(self, state, step)

    _spec = {
        "lr": _Hyper(2e-3, _learning_rate),
        "betas": _Hyper(_BETAS, _betas),
        "eps": _Hyper(1e-8, _non_negative),
        "weight_decay": _Hyper(0.0, _non_negative),
        "momentum_decay": _Hyper(4e-3, _non_negative),
        "decoupled_weight_decay": _Hyper(False, _flag),
    }
    State = NAdamState
    _moment_fields = {"velocity": "exp_avg", "second_moment": "exp_avg_sq"}

    def _init_state(self, shape: tuple[int, ...]) -> NAdamState:
        return NAdamState(0, _zeros(shape), _zeros(shape), 1.0)

    def _step(
        self, grads: np.ndarray, state: NAdamState, params: np.ndarray, hp: dict[str, Any]
    ) -> tuple[np.ndarray, NAdamState]:
        step = state.step + 1
        lr, (beta1, beta2), psi = hp["lr"], hp["betas"], hp["momentum_decay"]
        bias_correction2 = 1 - beta2**step
        grads, params = self._weight_decay(grads, params, hp)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
        mu_product = state.mu_product * mu
        mu_product_next = mu_product * mu_next
        exp_avg = _lerp(state.exp_avg, grads, 1 - beta1)
        exp_avg_sq = _ema_square(state.exp_avg_sq, grads, beta2)
        denom = np.sqrt(exp_avg_sq / bias_correction2) + hp["eps"]
        params = params + ((-lr * (1.0 - mu) / (1.0 - mu_product)) * grads) / denom
        params = params + ((-lr * mu_next) / (1.0 - mu_product_next) * exp_avg) / denom
        return params, NAdamState(step, exp_avg, exp_avg_sq, mu_product)


class RAdamState(NamedTuple):
    step: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray


class RAdam(Optimizer):
    """Rectified Adam, ``torch.optim.RAdam``.

    Update (torch's documentation, γ = lr, λ = weight_decay)::

        if decoupled_weight_decay:  θ_{t-1} ← θ_{t-1} − γ λ θ_{t-1}
        else:                       g_t ← g_t + λ θ_{t-1}
        ρ_∞ ← 2 / (1 − β₂) − 1
        m_t ← β₁ m_{t-1} + (1 − β₁) g_t
        v_t ← β₂ v_{t-1} + (1 − β₂) g_t²
        m̂_t ← m_t / (1 − β₁ᵗ)
        ρ_t ← ρ_∞ − 2 t β₂ᵗ / (1 − β₂ᵗ)
        if ρ_t > 5:
            l_t ← √(1 − β₂ᵗ) / (√v_t + ε)
            r_t ← √((ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t))
            θ_t ← θ_{t-1} − γ m̂_t r_t l_t
        else:
            θ_t ← θ_{t-1} − γ m̂_t          (plain momentum SGD while v is unreliable)

    With β₂ = 0.999 the first 5 steps are un-rectified. Note ε is added to √v_t, before
    the bias correction, unlike Adam. Defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
    weight_decay=0, decoupled_weight_decay=False.
    """

    if TYPE_CHECKING:  # the signature editors and type checkers see

        def __init__(
            self,
            lr: LearningRate = 1e-3,
            *,
            betas: tuple[float, float] = (0.9, 0.999),
            eps: float = 1e-8,
            weight_decay: float = 0.0,
            decoupled_weight_decay: bool = False,
            label: str | None = None,
            color: Color | None = None,
        ) -> None: ...

    name = "RAdam"
    _rates_per_row = True

    def step_glyphs(self, state: RAdamState, step: int) -> StepGlyphs:
        """The bias-corrected first moment as −lr·m̂, the step scale lr/(√v̂ + ε)."""
        return _bias_corrected_glyphs(self, state, step)

    _spec = {
        "lr": _Hyper(1e-3, _learning_rate),
        "betas": _Hyper(_BETAS, _betas),
        "eps": _Hyper(1e-8, _non_negative),
        "weight_decay": _Hyper(0.0, _non_negative),
        "decoupled_weight_decay": _Hyper(False, _flag),
    }
    State = RAdamState
    _moment_fields = {"velocity": "exp_avg", "second_moment": "exp_avg_sq"}

    def _init_state(self, shape: tuple[int, ...]) -> RAdamState:
        return RAdamState(0, _zeros(shape), _zeros(shape))

    def _step(
        self, grads: np.ndarray, state: RAdamState, params: np.ndarray, hp: dict[str, Any]
    ) -> tuple[np.ndarray, RAdamState]:
        step = state.step + 1
        lr, (beta1, beta2) = hp["lr"], hp["betas"]
        grads, params = self._weight_decay(grads, params, hp)
        exp_avg = _lerp(state.exp_avg, grads, 1 - beta1)
        exp_avg_sq = _ema_square(state.exp_avg_sq, grads, beta2)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        bias_corrected_exp_avg = exp_avg / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        if rho_t > 5.0:
            rect = (
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            ) ** 0.5
            # torch evaluates float / tensor as reciprocal(tensor) * float
            adaptive_lr = (1.0 / (np.sqrt(exp_avg_sq) + hp["eps"])) * bias_correction2**0.5
            new_params = params - bias_corrected_exp_avg * lr * adaptive_lr * rect
        else:
            new_params = params - bias_corrected_exp_avg * lr
        return new_params, RAdamState(step, exp_avg, exp_avg_sq)


class AdamaxState(NamedTuple):
    step: int
    exp_avg: np.ndarray
    exp_inf: np.ndarray


class Adamax(Optimizer):
    """Adamax (Adam with the infinity norm), ``torch.optim.Adamax``.

    Update (torch's documentation, γ = lr, λ = weight_decay)::

        g_t ← ∇f(θ_{t-1}) + λ θ_{t-1}
        m_t ← β₁ m_{t-1} + (1 − β₁) g_t
        u_t ← max(β₂ u_{t-1}, |g_t| + ε)
        θ_t ← θ_{t-1} − γ m_t / ((1 − β₁ᵗ) u_t)

    ε sits inside the max, so u_t ≥ ε. Defaults: lr=2e-3, betas=(0.9, 0.999), eps=1e-8,
    weight_decay=0.
    """

    if TYPE_CHECKING:  # the signature editors and type checkers see

        def __init__(
            self,
            lr: LearningRate = 2e-3,
            *,
            betas: tuple[float, float] = (0.9, 0.999),
            eps: float = 1e-8,
            weight_decay: float = 0.0,
            label: str | None = None,
            color: Color | None = None,
        ) -> None: ...

    name = "Adamax"
    _rates_per_row = True

    def step_glyphs(self, state: AdamaxState, step: int) -> StepGlyphs:
        """−lr·m̂, and the step scale lr/((1 − β₁ᵗ)·u) of the infinity norm u."""
        if state.step == 0:
            return None, None
        beta1, _ = self._hp["betas"]
        lr, correction = self.lr_at(step), 1.0 - beta1**state.step
        return (
            -lr * np.asarray(state.exp_avg) / correction,
            lr / correction / np.asarray(state.exp_inf),
        )

    _spec = {
        "lr": _Hyper(2e-3, _learning_rate),
        "betas": _Hyper(_BETAS, _betas),
        "eps": _Hyper(1e-8, _non_negative),
        "weight_decay": _Hyper(0.0, _non_negative),
    }
    State = AdamaxState
    _moment_fields = {"velocity": "exp_avg"}

    def _init_state(self, shape: tuple[int, ...]) -> AdamaxState:
        return AdamaxState(0, _zeros(shape), _zeros(shape))

    def _step(
        self, grads: np.ndarray, state: AdamaxState, params: np.ndarray, hp: dict[str, Any]
    ) -> tuple[np.ndarray, AdamaxState]:
        step = state.step + 1
        beta1, beta2 = hp["betas"]
        grads, _ = self._weight_decay(grads, params, hp)
        exp_avg = _lerp(state.exp_avg, grads, 1 - beta1)
        exp_inf = np.maximum(state.exp_inf * beta2, np.abs(grads) + hp["eps"])
        clr = hp["lr"] / (1 - beta1**step)
        return params + (-clr * exp_avg) / exp_inf, AdamaxState(step, exp_avg, exp_inf)
