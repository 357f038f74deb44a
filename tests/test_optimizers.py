"""Tests of anim.optimizers: hand-derived reference steps, purity, validation, torch parity."""

import inspect
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anim import optimizers as O
from anim.optimizers import (
    GD,
    OPTIMIZERS,
    AdaDelta,
    AdaGrad,
    Adam,
    Adamax,
    AdamW,
    Momentum,
    NAdam,
    Nesterov,
    Optimizer,
    RAdam,
    RMSProp,
)

ALL = [GD, Momentum, Nesterov, AdaGrad, RMSProp, AdaDelta, Adam, AdamW, NAdam, RAdam, Adamax]

# f(x, y) = x² + 3y²: ∂f/∂x = 2x and ∂f/∂y = 6y, so each coordinate evolves on its own
# and a reference rule can be written for one scalar at a time.
BOWL = (2.0, 6.0)
START = (1.0, -2.0)


def bowl_grad(params):
    return params * np.array(BOWL)


def trajectory(opt, steps=3, start=START, grads=None):
    """Our params after each step: on the bowl, or fed the fixed per-step ``grads``."""
    params = np.array([start], dtype=float)
    state = opt.init(params)
    out = []
    for t in range(steps):
        g = bowl_grad(params) if grads is None else np.array([grads[t]], dtype=float)
        params, state = opt.update(g, state, params)
        out.append(params[0])
    return np.array(out)


def reference(rule, steps=3, start=START, grads=None, **hyper):
    """Apply the scalar reference ``rule(x0, grad_of, steps, **hyper)`` to each coordinate.

    ``grad_of(x, t)`` is the gradient at step t (1-based) for that coordinate.
    """
    columns = []
    for i, x0 in enumerate(start):
        if grads is None:

            def grad_of(x, t, c=BOWL[i]):
                return c * x
        else:

            def grad_of(x, t, i=i):
                return grads[t - 1][i]

        columns.append(rule(x0, grad_of, steps, **hyper))
    return np.array(columns).T


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-14, atol=0)


# --------------------------------------------------------------------------- scalar rules
# Written from the published update rules (torch's documentation), one coordinate at a time.


def sgd_rule(x, grad_of, steps, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    out, b = [], None
    for t in range(1, steps + 1):
        g = grad_of(x, t) + weight_decay * x
        if momentum:
            b = g if t == 1 else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        x = x - lr * g
        out.append(x)
    return out


def adagrad_rule(
    x, grad_of, steps, lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10
):
    out, h = [], initial_accumulator_value
    for t in range(1, steps + 1):
        g = grad_of(x, t) + weight_decay * x
        h = h + g * g
        x = x - lr / (1 + (t - 1) * lr_decay) * g / (math.sqrt(h) + eps)
        out.append(x)
    return out


def rmsprop_rule(
    x, grad_of, steps, lr, rho=0.9, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False
):
    out, v, g_avg, b = [], 0.0, 0.0, 0.0
    for t in range(1, steps + 1):
        g = grad_of(x, t) + weight_decay * x
        v = rho * v + (1 - rho) * g * g
        v_tilde = v
        if centered:
            g_avg = rho * g_avg + (1 - rho) * g
            v_tilde = v - g_avg * g_avg
        if momentum > 0:
            b = momentum * b + g / (math.sqrt(v_tilde) + eps)
            x = x - lr * b
        else:
            x = x - lr * g / (math.sqrt(v_tilde) + eps)
        out.append(x)
    return out


def adadelta_rule(x, grad_of, steps, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
    out, v, u = [], 0.0, 0.0
    for t in range(1, steps + 1):
        g = grad_of(x, t) + weight_decay * x
        v = v * rho + g * g * (1 - rho)
        dx = math.sqrt(u + eps) / math.sqrt(v + eps) * g
        u = u * rho + dx * dx * (1 - rho)
        x = x - lr * dx
        out.append(x)
    return out


def adam_rule(
    x,
    grad_of,
    steps,
    lr,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    decoupled=False,
):
    (b1, b2), out, m, v, v_max = betas, [], 0.0, 0.0, 0.0
    for t in range(1, steps + 1):
        g = grad_of(x, t)
        if decoupled:
            x = x - lr * weight_decay * x
        else:
            g = g + weight_decay * x
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        v_max = max(v_max, v)
        v_hat = (v_max if amsgrad else v) / (1 - b2**t)
        x = x - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(x)
    return out


def nadam_rule(
    x,
    grad_of,
    steps,
    lr,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    momentum_decay=4e-3,
    decoupled_weight_decay=False,
):
    (b1, b2), out, m, v, mu_prod = betas, [], 0.0, 0.0, 1.0

    def mu(t):
        return b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))

    for t in range(1, steps + 1):
        g = grad_of(x, t)
        if decoupled_weight_decay:
            x = x - lr * weight_decay * x
        else:
            g = g + weight_decay * x
        mu_prod *= mu(t)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = mu(t + 1) * m / (1 - mu_prod * mu(t + 1)) + (1 - mu(t)) * g / (1 - mu_prod)
        v_hat = v / (1 - b2**t)
        x = x - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(x)
    return out


def radam_rho(t, beta2):
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf - 2 * t * beta2**t / (1 - beta2**t)


def radam_rule(
    x,
    grad_of,
    steps,
    lr,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    decoupled_weight_decay=False,
):
    (b1, b2), out, m, v = betas, [], 0.0, 0.0
    rho_inf = 2 / (1 - b2) - 1
    for t in range(1, steps + 1):
        g = grad_of(x, t)
        if decoupled_weight_decay:
            x = x - lr * weight_decay * x
        else:
            g = g + weight_decay * x
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        rho_t = radam_rho(t, b2)
        if rho_t > 5:
            l_t = math.sqrt(1 - b2**t) / (math.sqrt(v) + eps)
            r_t = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            x = x - lr * m_hat * r_t * l_t
        else:
            x = x - lr * m_hat
        out.append(x)
    return out


def adamax_rule(x, grad_of, steps, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    (b1, b2), out, m, u = betas, [], 0.0, 0.0
    for t in range(1, steps + 1):
        g = grad_of(x, t) + weight_decay * x
        m = b1 * m + (1 - b1) * g
        u = max(b2 * u, abs(g) + eps)
        x = x - lr * m / ((1 - b1**t) * u)
        out.append(x)
    return out


# A fixed gradient sequence for the rules whose interesting cases need gradients that do
# not follow the params (e.g. a shrinking second moment for AMSGrad).
SEQUENCE = [(3.0, -1.0), (0.1, 2.0), (0.1, 0.01), (-0.5, 0.3)]

REFERENCE_CASES = [
    (GD, {"lr": 0.1}, sgd_rule, {}),
    (GD, {"lr": 0.1, "weight_decay": 0.5}, sgd_rule, {}),
    (Momentum, {"lr": 0.1, "momentum": 0.9}, sgd_rule, {}),
    (Momentum, {"lr": 0.05, "momentum": 0.8, "dampening": 0.5, "weight_decay": 0.1}, sgd_rule, {}),
    (Nesterov, {"lr": 0.05, "momentum": 0.9}, sgd_rule, {"nesterov": True}),
    (Nesterov, {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.2}, sgd_rule, {"nesterov": True}),
    (AdaGrad, {"lr": 0.5}, adagrad_rule, {}),
    (
        AdaGrad,
        {
            "lr": 0.5,
            "lr_decay": 0.5,
            "weight_decay": 0.1,
            "initial_accumulator_value": 0.25,
            "eps": 1e-3,
        },
        adagrad_rule,
        {},
    ),
    (RMSProp, {"lr": 0.01}, rmsprop_rule, {}),
    (RMSProp, {"lr": 0.01, "rho": 0.8, "centered": True}, rmsprop_rule, {}),
    (RMSProp, {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.1}, rmsprop_rule, {}),
    (
        RMSProp,
        {"lr": 0.01, "rho": 0.5, "momentum": 0.5, "centered": True, "eps": 1e-3},
        rmsprop_rule,
        {},
    ),
    (AdaDelta, {}, adadelta_rule, {}),
    (AdaDelta, {"lr": 2.0, "rho": 0.5, "eps": 1e-2, "weight_decay": 0.1}, adadelta_rule, {}),
    (Adam, {"lr": 0.1}, adam_rule, {}),
    (Adam, {"lr": 0.1, "betas": (0.8, 0.9), "eps": 1e-3, "weight_decay": 0.3}, adam_rule, {}),
    (AdamW, {"lr": 0.1}, adam_rule, {"decoupled": True, "weight_decay": 1e-2}),
    (AdamW, {"lr": 0.1, "weight_decay": 0.5, "betas": (0.5, 0.9)}, adam_rule, {"decoupled": True}),
    (NAdam, {"lr": 0.1}, nadam_rule, {}),
    (NAdam, {"lr": 0.1, "momentum_decay": 0.2, "weight_decay": 0.1}, nadam_rule, {}),
    (NAdam, {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True}, nadam_rule, {}),
    (RAdam, {"lr": 0.1}, radam_rule, {}),
    (RAdam, {"lr": 0.1, "betas": (0.9, 0.5), "weight_decay": 0.1}, radam_rule, {}),
    (
        RAdam,
        {"lr": 0.1, "betas": (0.9, 0.5), "weight_decay": 0.1, "decoupled_weight_decay": True},
        radam_rule,
        {},
    ),
    (Adamax, {"lr": 0.1}, adamax_rule, {}),
    (Adamax, {"lr": 0.1, "betas": (0.5, 0.5), "eps": 1e-2, "weight_decay": 0.1}, adamax_rule, {}),
]


def _case_id(case):
    cls, hyper = case[0], case[1]
    return cls.name + "-" + ",".join(f"{k}={v}" for k, v in hyper.items())


@pytest.mark.parametrize(
    "cls, hyper, rule, extra", REFERENCE_CASES, ids=[_case_id(c) for c in REFERENCE_CASES]
)
@pytest.mark.parametrize("source", ["bowl", "sequence"])
def test_matches_published_rule(cls, hyper, rule, extra, source):
    grads = SEQUENCE if source == "sequence" else None
    expected = reference(rule, steps=4, grads=grads, **{**hyper, **extra})
    close(trajectory(cls(**hyper), steps=4, grads=grads), expected)


# --------------------------------------------------------------------------- first steps by hand


def test_gd_on_the_bowl_shrinks_each_coordinate_geometrically():
    # x ← x − lr·2x = 0.8x and y ← y − lr·6y = 0.4y for lr = 0.1
    expected = [[0.8, -0.8], [0.64, -0.32], [0.512, -0.128]]
    close(trajectory(GD(lr=0.1)), expected)


def test_momentum_buffer_starts_at_the_gradient_even_with_dampening():
    opt = Momentum(lr=0.1, momentum=0.9, dampening=0.5)
    g1, g2 = np.array([[1.0, -2.0]]), np.array([[0.5, 3.0]])
    p0 = np.array([[0.0, 0.0]])
    p1, s1 = opt.update(g1, opt.init(p0), p0)
    close(s1.momentum_buffer, g1)  # b₁ = g₁, not (1 − τ)g₁ = 0.5g₁
    close(p1, [[-0.1, 0.2]])  # a full step: −lr·g₁
    p2, s2 = opt.update(g2, s1, p1)
    close(s2.momentum_buffer, [[0.9 * 1.0 + 0.5 * 0.5, 0.9 * -2.0 + 0.5 * 3.0]])
    close(p2, [[-0.1 - 0.1 * 1.15, 0.2 - 0.1 * -0.3]])


def test_momentum_zero_ignores_dampening_like_plain_sgd():
    close(trajectory(Momentum(lr=0.1, momentum=0.0, dampening=0.5)), trajectory(GD(lr=0.1)))


def test_momentum_equals_the_blog_form():
    # v ← αv − η∇f, x ← x + v: torch's b with v = −lr·b
    alpha, eta, x, v, expected = 0.9, 0.05, np.array(START), np.zeros(2), []
    for _ in range(5):
        v = alpha * v - eta * x * np.array(BOWL)
        x = x + v
        expected.append(x)
    np.testing.assert_allclose(
        trajectory(Momentum(lr=eta, momentum=alpha), steps=5), expected, rtol=1e-14, atol=1e-15
    )


def test_nesterov_first_step_looks_ahead():
    # b₁ = g, step = lr·(g + μ·b₁) = lr·(1 + μ)·g
    p1 = trajectory(Nesterov(lr=0.1, momentum=0.9), steps=1)
    close(p1, [[1.0 - 0.1 * 1.9 * 2.0, -2.0 - 0.1 * 1.9 * -12.0]])


def test_adagrad_puts_eps_outside_the_square_root():
    opt = AdaGrad(lr=0.5, eps=1.0)
    p1 = trajectory(opt, steps=1)
    close(p1, [[1.0 - 0.5 * 2.0 / (2.0 + 1.0), -2.0 - 0.5 * -12.0 / (12.0 + 1.0)]])
    inside = 1.0 - 0.5 * 2.0 / math.sqrt(4.0 + 1.0)
    assert abs(p1[0, 0] - inside) > 0.1


def test_adagrad_first_step_is_lr_times_sign():
    close(trajectory(AdaGrad(lr=0.5, eps=0.0), steps=1), [[0.5, -1.5]])


def test_adagrad_lr_decay_scales_step_t_by_one_over_one_plus_t_minus_one_decay():
    steps = trajectory(AdaGrad(lr=0.5, lr_decay=1.0, eps=0.0), steps=2, grads=[(1.0, 1.0)] * 2)
    # step 1: 0.5·1/√1; step 2: 0.5/(1 + 1)·1/√2
    close(steps[:, 0], [1.0 - 0.5, 1.0 - 0.5 - 0.25 / math.sqrt(2.0)])


def test_rmsprop_equals_the_blog_form_when_eps_is_zero():
    # h ← ρh + (1 − ρ)g², x ← x − η g/√h
    rho, eta, x, h, expected = 0.9, 0.01, np.array(START), np.zeros(2), []
    for _ in range(3):
        g = x * np.array(BOWL)
        h = rho * h + (1 - rho) * g * g
        x = x - eta * g / np.sqrt(h)
        expected.append(x)
    close(trajectory(RMSProp(lr=eta, rho=rho, eps=0.0)), expected)


def test_rmsprop_first_step():
    # v₁ = (1 − ρ)g², so the step is lr·g/(√(1 − ρ)|g| + ε)
    g = np.array([2.0, -12.0])
    expected = np.array(START) - 0.01 * g / (math.sqrt(0.1) * np.abs(g) + 1e-8)
    close(trajectory(RMSProp(lr=0.01), steps=1), [expected])


def test_rmsprop_centered_first_step_divides_by_the_variance():
    # ḡ₁ = (1 − ρ)g and v₁ = (1 − ρ)g², so ṽ₁ = ρ(1 − ρ)g²
    g = np.array([2.0, -12.0])
    expected = np.array(START) - 0.01 * g / (math.sqrt(0.8 * 0.2) * np.abs(g) + 1e-8)
    close(trajectory(RMSProp(lr=0.01, rho=0.8, centered=True), steps=1), [expected])


def test_adam_first_step_is_about_lr_times_sign():
    p1 = trajectory(Adam(lr=0.1), steps=1)[0]
    g = np.array([2.0, -12.0])
    close(p1, np.array(START) - 0.1 * g / (np.abs(g) + 1e-8))
    np.testing.assert_allclose(np.array(START) - p1, 0.1 * np.sign(g), rtol=1e-8)


def test_amsgrad_keeps_the_largest_second_moment():
    grads = [(3.0, 3.0), (0.1, 0.1), (0.1, 0.1)]
    hyper = {"lr": 0.1, "betas": (0.9, 0.5)}
    plain = trajectory(Adam(**hyper), grads=grads)
    ams = trajectory(Adam(**hyper, amsgrad=True), grads=grads)
    close(ams, reference(adam_rule, grads=grads, amsgrad=True, **hyper))
    assert np.all(np.abs(ams[1:] - plain[1:]) > 1e-3)
    # step 2 by hand: v₁ = 4.5 stays the max over v₂ = 2.255
    m2, v_max = 0.9 * 0.3 + 0.1 * 0.1, 4.5
    step2 = 0.1 * (m2 / (1 - 0.9**2)) / (math.sqrt(v_max / (1 - 0.5**2)) + 1e-8)
    close(ams[1, 0] - ams[0, 0], -step2)


def test_amsgrad_state_tracks_the_running_max():
    opt = AdamW(lr=0.1, betas=(0.9, 0.5), amsgrad=True)
    params = np.array([[1.0, 1.0]])
    state = opt.init(params)
    for g in [(3.0, 1.0), (0.1, 2.0)]:
        params, state = opt.update(np.array([g]), state, params)
    close(state.exp_avg_sq, [[0.5 * 4.5 + 0.5 * 0.01, 0.5 * 0.5 + 0.5 * 4.0]])
    close(state.max_exp_avg_sq, [[4.5, 2.25]])


def test_adamw_decays_the_params_before_the_adam_step():
    g = np.array([2.0, -12.0])
    decayed = np.array(START) * (1 - 0.1 * 0.5)
    expected = decayed - 0.1 * g / (np.abs(g) + 1e-8)
    close(trajectory(AdamW(lr=0.1, weight_decay=0.5), steps=1), [expected])


def test_radam_is_unrectified_while_rho_t_is_at_most_5():
    # with β₂ = 0.999, ρ_t ≈ t for small t: steps 1-5 are bias-corrected momentum SGD
    assert [radam_rho(t, 0.999) > 5 for t in range(1, 8)] == [False] * 5 + [True] * 2
    path = trajectory(RAdam(lr=0.1), steps=6, grads=[(1.0, -2.0)] * 6)
    # a constant gradient g gives m̂_t = g, so each early step is exactly lr·g
    close(path[:5], [[1.0 - 0.1 * t, -2.0 + 0.2 * t] for t in range(1, 6)])
    rho6, rho_inf = radam_rho(6, 0.999), 2 / 0.001 - 1
    r6 = math.sqrt((rho6 - 4) * (rho6 - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho6))
    v6 = 1 - 0.999**6  # times g²
    l6 = math.sqrt(1 - 0.999**6) / (math.sqrt(v6) * np.array([1.0, 2.0]) + 1e-8)
    close(path[5], path[4] - 0.1 * np.array([1.0, -2.0]) * r6 * l6)
    assert r6 < 0.1  # the rectified step is much shorter than the plain one


def test_adamax_first_step_and_eps_inside_the_max():
    # m₁ = (1 − β₁)g, u₁ = |g| + ε, step = lr·m₁/((1 − β₁)u₁) = lr·g/(|g| + ε)
    p1 = trajectory(Adamax(lr=0.1, eps=0.5), steps=1)
    close(p1, [[1.0 - 0.1 * 2.0 / 2.5, -2.0 - 0.1 * -12.0 / 12.5]])


def test_adadelta_first_step_is_sqrt_eps_over_rms():
    g = np.array([2.0, -12.0])
    dx = math.sqrt(1e-6) / np.sqrt(0.1 * g * g + 1e-6) * g
    close(trajectory(AdaDelta(), steps=1), [np.array(START) - dx])


def test_nadam_first_step_by_hand():
    b1, psi, lr = 0.9, 4e-3, 0.1
    mu1 = b1 * (1 - 0.5 * 0.96 ** (1 * psi))
    mu2 = b1 * (1 - 0.5 * 0.96 ** (2 * psi))
    g = np.array([2.0, -12.0])
    m_hat = mu2 * (1 - b1) * g / (1 - mu1 * mu2) + (1 - mu1) * g / (1 - mu1)
    expected = np.array(START) - lr * m_hat / (np.abs(g) + 1e-8)
    close(trajectory(NAdam(lr=lr), steps=1), [expected])


def test_step_counts_and_nadam_mu_product():
    opt = NAdam()
    params = np.zeros((1, 2))
    state = opt.init(params)
    assert state.step == 0 and state.mu_product == 1.0
    params, state = opt.update(np.ones((1, 2)), state, params)
    assert state.step == 1
    assert state.mu_product == pytest.approx(0.9 * (1 - 0.5 * 0.96**0.004), rel=1e-15)


# --------------------------------------------------------------------------- vectorization, purity

VARIANTS = [
    GD(lr=0.05, weight_decay=0.1),
    Momentum(lr=0.02, momentum=0.8, dampening=0.3),
    Nesterov(lr=0.02, momentum=0.9, weight_decay=0.1),
    AdaGrad(lr=0.3, lr_decay=0.1, initial_accumulator_value=0.1),
    RMSProp(lr=0.01, momentum=0.5, centered=True),
    AdaDelta(weight_decay=0.1),
    Adam(lr=0.1, amsgrad=True, weight_decay=0.1),
    AdamW(lr=0.1, amsgrad=True),
    NAdam(lr=0.1, decoupled_weight_decay=True, weight_decay=0.1),
    RAdam(lr=0.1, betas=(0.9, 0.9)),
    Adamax(lr=0.1, weight_decay=0.1),
]


@given(points=st.lists(st.tuples(*[st.floats(-5, 5, allow_nan=False)] * 2), min_size=1, max_size=6))
@settings(max_examples=15, deadline=None)
def test_rows_step_independently(points):
    starts = np.array(points)
    for opt in VARIANTS:
        together, state = starts, opt.init(starts)
        singles = [(row[None, :], opt.init(row[None, :])) for row in starts]
        for _ in range(8):
            together, state = opt.update(bowl_grad(together), state, together)
            singles = [opt.update(bowl_grad(p), s, p) for p, s in singles]
        np.testing.assert_array_equal(
            together, np.concatenate([p for p, _ in singles]), err_msg=repr(opt)
        )


@pytest.mark.parametrize("opt", VARIANTS, ids=lambda o: o.name)
def test_update_is_pure(opt):
    params = np.array([[1.0, -2.0], [0.5, 0.25]])
    state = opt.init(params)
    for _ in range(2):  # past the first step, whose buffers start specially
        params, state = opt.update(bowl_grad(params), state, params)
    grads = bowl_grad(params)
    before = (params.copy(), grads.copy(), [np.copy(v) for v in state])
    new_params, new_state = opt.update(grads, state, params)
    again, again_state = opt.update(grads, state, params)
    np.testing.assert_array_equal(params, before[0])
    np.testing.assert_array_equal(grads, before[1])
    for old, kept in zip(before[2], state):
        np.testing.assert_array_equal(kept, old)
    np.testing.assert_array_equal(again, new_params)  # same inputs, same answer
    assert new_state.step == state.step + 1 == again_state.step
    assert not np.shares_memory(new_params, params) and not np.shares_memory(new_params, grads)
    for value in new_state:
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float64 and not value.flags.writeable
            assert not np.shares_memory(value, grads) and not np.shares_memory(value, params)
    assert new_params.dtype == np.float64 and new_params.flags.writeable


def test_state_is_an_immutable_namedtuple():
    state = Adam().init(np.zeros((3, 2)))
    assert state._fields == ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    assert state.step == 0 and state.exp_avg.shape == (3, 2)
    with pytest.raises(AttributeError):
        state.step = 1
    with pytest.raises(ValueError):
        state.exp_avg[0, 0] = 1.0


def test_first_momentum_buffer_does_not_alias_the_gradient():
    opt = Momentum(lr=0.1)
    params, grads = np.zeros((1, 2)), np.array([[1.0, 2.0]])
    _, state = opt.update(grads, opt.init(params), params)
    grads[0, 0] = 99.0
    close(state.momentum_buffer, [[1.0, 2.0]])


def test_integer_and_list_inputs_become_float64():
    opt = GD(lr=0.5)
    state = opt.init([[1, 2]])
    new, _ = opt.update([[1, 1]], state, [[1, 2]])
    assert new.dtype == np.float64
    close(new, [[0.5, 1.5]])


@pytest.mark.parametrize(
    "bad", [np.zeros(2), np.zeros((2, 3)), np.zeros((1, 2, 2)), 1.0, [["a", "b"]]]
)
def test_init_requires_shape_n_by_2(bad):
    with pytest.raises(ValueError, match=r"params must"):
        GD().init(bad)


def test_update_checks_shapes_and_state():
    opt = Adam()
    params = np.zeros((2, 2))
    state = opt.init(params)
    with pytest.raises(ValueError, match=r"grads has shape \(1, 2\) but params has shape \(2, 2\)"):
        opt.update(np.zeros((1, 2)), state, params)
    with pytest.raises(ValueError, match=r"grads must have shape \(n, 2\)"):
        opt.update(np.zeros(2), state, params)
    with pytest.raises(ValueError, match=r"state.exp_avg has shape \(3, 2\)"):
        opt.update(np.zeros((2, 2)), opt.init(np.zeros((3, 2))), params)
    with pytest.raises(ValueError, match=r"Adam needs a state from its own init\(\), got RAdamS"):
        opt.update(np.zeros((2, 2)), RAdam().init(params), params)


# --------------------------------------------------------------------------- validation

INVALID = [
    (GD, {"lr": -0.1}, r"^Invalid learning rate: -0\.1 \(must be > 0\)$"),
    (GD, {"lr": 0}, r"^Invalid learning rate: 0 \(must be > 0\)$"),
    (GD, {"lr": True}, r"^Invalid learning rate: True \(must be a number, not a bool\)$"),
    (GD, {"lr": "0.1"}, r"^Invalid learning rate: '0\.1' \(must be a real number\)$"),
    (GD, {"lr": None}, r"^Invalid learning rate: None \(must be a real number\)$"),
    (GD, {"lr": float("nan")}, r"^Invalid learning rate: nan \(must be finite\)$"),
    (GD, {"lr": float("inf")}, r"^Invalid learning rate: inf \(must be finite\)$"),
    (GD, {"lr": np.float64(-0.5)}, r"^Invalid learning rate: -0\.5 \(must be > 0\)$"),
    (GD, {"weight_decay": -1}, r"^Invalid weight_decay: -1 \(must be >= 0\)$"),
    (Momentum, {"momentum": -0.5}, r"^Invalid momentum: -0\.5 \(must be >= 0\)$"),
    (Momentum, {"dampening": 1.5}, r"^Invalid dampening: 1\.5 \(must be in \[0, 1\]\)$"),
    (Momentum, {"momentum": False}, r"^Invalid momentum: False \(must be a number, not a bool\)$"),
    (
        Nesterov,
        {"momentum": 0.0},
        r"^Invalid momentum: 0\.0 \(must be > 0 for Nesterov momentum\)$",
    ),
    (
        Nesterov,
        {"dampening": 0.1},
        r"^Invalid dampening: 0\.1 \(must be 0 for Nesterov momentum\)$",
    ),
    (Nesterov, {"momentum": -1.0}, r"^Invalid momentum: -1\.0 \(must be >= 0\)$"),
    (AdaGrad, {"lr_decay": -0.1}, r"^Invalid lr_decay: -0\.1 \(must be >= 0\)$"),
    (
        AdaGrad,
        {"initial_accumulator_value": -1.0},
        r"^Invalid initial_accumulator_value: -1\.0 \(must be >= 0\)$",
    ),
    (AdaGrad, {"eps": -1e-10}, r"^Invalid eps: -1e-10 \(must be >= 0\)$"),
    (RMSProp, {"rho": 1.5}, r"^Invalid rho: 1\.5 \(must be in \[0, 1\)\)$"),
    (RMSProp, {"rho": 1.0}, r"^Invalid rho: 1\.0 \(must be in \[0, 1\)\)$"),
    (RMSProp, {"eps": -1e-8}, r"^Invalid eps: -1e-08 \(must be >= 0\)$"),
    (RMSProp, {"momentum": -0.1}, r"^Invalid momentum: -0\.1 \(must be >= 0\)$"),
    (RMSProp, {"centered": 1}, r"^Invalid centered: 1 \(must be True or False\)$"),
    (AdaDelta, {"rho": -0.1}, r"^Invalid rho: -0\.1 \(must be in \[0, 1\)\)$"),
    (AdaDelta, {"eps": float("-inf")}, r"^Invalid eps: -inf \(must be finite\)$"),
    (Adam, {"betas": (1.0, 0.999)}, r"^Invalid beta1: 1\.0 \(must be in \[0, 1\)\)$"),
    (Adam, {"betas": (0.9, -0.1)}, r"^Invalid beta2: -0\.1 \(must be in \[0, 1\)\)$"),
    (Adam, {"betas": (0.9,)}, r"^Invalid betas: \(0\.9,\) \(must be a pair \(beta1, beta2\)\)$"),
    (Adam, {"betas": 0.9}, r"^Invalid betas: 0\.9 \(must be a pair \(beta1, beta2\)\)$"),
    (Adam, {"betas": "ab"}, r"must be a pair"),
    (Adam, {"betas": (0.9, "x")}, r"^Invalid beta2: 'x' \(must be a real number\)$"),
    (Adam, {"amsgrad": "yes"}, r"^Invalid amsgrad: 'yes' \(must be True or False\)$"),
    (AdamW, {"weight_decay": -0.01}, r"^Invalid weight_decay: -0\.01 \(must be >= 0\)$"),
    (NAdam, {"momentum_decay": -4e-3}, r"^Invalid momentum_decay: -0\.004 \(must be >= 0\)$"),
    (
        NAdam,
        {"decoupled_weight_decay": None},
        r"^Invalid decoupled_weight_decay: None \(must be True or False\)$",
    ),
    (RAdam, {"betas": [0.9, 1.0]}, r"^Invalid beta2: 1\.0 \(must be in \[0, 1\)\)$"),
    (Adamax, {"eps": -1.0}, r"^Invalid eps: -1\.0 \(must be >= 0\)$"),
]


@pytest.mark.parametrize(
    "cls, hyper, message",
    INVALID,
    ids=[f"{c.name}-{next(iter(h))}-{i}" for i, (c, h, _) in enumerate(INVALID)],
)
def test_invalid_hyperparameters(cls, hyper, message):
    with pytest.raises(ValueError, match=message):
        cls(**hyper)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.name)
@pytest.mark.parametrize("lr", [-1.0, 0.0, float("nan"), "fast", True])
def test_every_class_rejects_bad_learning_rates(cls, lr):
    with pytest.raises(ValueError, match=r"^Invalid learning rate: "):
        cls(lr=lr)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.name)
def test_every_class_rejects_negative_weight_decay_and_eps(cls):
    with pytest.raises(ValueError, match=r"^Invalid weight_decay: -0\.5 \(must be >= 0\)$"):
        cls(weight_decay=-0.5)
    if "eps" in cls().hyperparameters:
        with pytest.raises(ValueError, match=r"^Invalid eps: -1e-08 \(must be >= 0\)$"):
            cls(eps=-1e-8)


def test_unknown_hyperparameter_is_a_type_error_naming_the_valid_ones():
    with pytest.raises(
        TypeError,
        match=r"^Adam has no hyperparameter 'beta1'; its hyperparameters "
        r"are: lr, betas, eps, weight_decay, amsgrad$",
    ):
        Adam(beta1=0.9)
    with pytest.raises(TypeError, match=r"torch's alpha is called rho here"):
        RMSProp(alpha=0.99)
    with pytest.raises(TypeError, match="nesterov"):
        Momentum(nesterov=True)
    with pytest.raises(TypeError, match=r"^GD takes only lr positional argument, got 2"):
        GD(0.1, 0.0)  # only lr is positional
    with pytest.raises(TypeError, match=r"^Adam got lr twice"):
        Adam(0.1, lr=0.2)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.name)
def test_lr_is_positional_too(cls):
    assert cls(0.25).hyperparameters == cls(lr=0.25).hyperparameters


def test_boundary_values_are_accepted():
    Momentum(momentum=0.0, dampening=1.0)
    RMSProp(rho=0.0, eps=0.0)
    Adam(betas=(0.0, 0.0), eps=0.0)
    Adam(betas=np.array([0.5, 0.5]), amsgrad=np.bool_(True))
    GD(lr=np.float32(0.5), weight_decay=np.int64(0))
    GD(lr=1e-300)


# --------------------------------------------------------------------------- metadata

TORCH_DEFAULTS = {
    GD: {"lr": 1e-3, "weight_decay": 0.0},
    Momentum: {"lr": 1e-3, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0},
    Nesterov: {"lr": 1e-3, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0},
    AdaGrad: {
        "lr": 1e-2,
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    },
    RMSProp: {
        "lr": 1e-2,
        "rho": 0.9,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": False,
    },
    AdaDelta: {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
    Adam: {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False},
    AdamW: {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 1e-2, "amsgrad": False},
    NAdam: {
        "lr": 2e-3,
        "betas": [0.9, 0.999],
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum_decay": 4e-3,
        "decoupled_weight_decay": False,
    },
    RAdam: {
        "lr": 1e-3,
        "betas": [0.9, 0.999],
        "eps": 1e-8,
        "weight_decay": 0.0,
        "decoupled_weight_decay": False,
    },
    Adamax: {"lr": 2e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0},
}


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.name)
def test_default_hyperparameters(cls):
    hyper = cls().hyperparameters
    assert hyper == TORCH_DEFAULTS[cls]
    assert list(hyper) == list(TORCH_DEFAULTS[cls])  # torch's argument order
    assert json.loads(json.dumps(hyper)) == hyper
    for value in hyper.values():
        assert type(value) in (float, bool, list)


def test_hyperparameters_are_plain_python_values_and_a_copy():
    opt = Adam(lr=np.float32(0.5), betas=np.array([0.8, 0.9]), amsgrad=np.bool_(True))
    hyper = opt.hyperparameters
    assert hyper == {
        "lr": 0.5,
        "betas": [0.8, 0.9],
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": True,
    }
    assert type(hyper["lr"]) is float and type(hyper["amsgrad"]) is bool
    assert all(type(b) is float for b in hyper["betas"])
    hyper["lr"] = 99.0
    hyper["betas"].append(1.0)
    assert opt.hyperparameters["lr"] == 0.5 and opt.hyperparameters["betas"] == [0.8, 0.9]


@pytest.mark.parametrize(
    "opt, label",
    [
        (GD(lr=0.1), "GD lr=0.1"),
        (Momentum(lr=0.1, momentum=0.9), "Momentum lr=0.1 β=0.9"),
        (Nesterov(lr=0.05, momentum=0.95), "Nesterov lr=0.05 β=0.95"),
        (AdaGrad(lr=0.5), "AdaGrad lr=0.5"),
        (RMSProp(lr=0.1), "RMSProp lr=0.1 ρ=0.9"),
        (
            RMSProp(lr=0.1, rho=0.99, momentum=0.9, centered=True),
            "RMSProp lr=0.1 ρ=0.99 β=0.9 centered",
        ),
        (AdaDelta(), "AdaDelta lr=1 ρ=0.9"),
        (Adam(lr=0.1), "Adam lr=0.1"),
        (Adam(lr=0.1, betas=(0.8, 0.999), amsgrad=True), "Adam lr=0.1 β₁=0.8 AMSGrad"),
        (Adam(lr=1e-3, eps=1e-6, weight_decay=0.1), "Adam lr=0.001 ε=1e-06 wd=0.1"),
        (AdamW(lr=0.1), "AdamW lr=0.1 wd=0.01"),
        (NAdam(lr=0.002), "NAdam lr=0.002"),
        (
            NAdam(lr=0.1, momentum_decay=0.01, decoupled_weight_decay=True, weight_decay=0.1),
            "NAdam lr=0.1 wd=0.1 ψ=0.01 decoupled",
        ),
        (RAdam(lr=0.1, betas=(0.9, 0.99)), "RAdam lr=0.1 β₂=0.99"),
        (Adamax(lr=0.25), "Adamax lr=0.25"),
    ],
)
def test_label(opt, label):
    assert opt.label == label


@pytest.mark.parametrize(
    "opt, text",
    [
        (
            RMSProp(lr=0.1),
            "RMSProp(lr=0.1, rho=0.9, eps=1e-08, weight_decay=0.0, momentum=0.0, centered=False)",
        ),
        (Adam(), "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, amsgrad=False)"),
        (GD(lr=1), "GD(lr=1.0, weight_decay=0.0)"),
    ],
)
def test_repr(opt, text):
    assert repr(opt) == text


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.name)
def test_repr_round_trips(cls):
    opt = cls(lr=0.25)
    again = eval(repr(opt), vars(O))
    assert type(again) is cls and again.hyperparameters == opt.hyperparameters


def test_exports():
    assert set(O.__all__) == {c.__name__ for c in ALL} | {
        "Optimizer",
        "OPTIMIZERS",
        "optimizer",
        "from_torch",
        "from_optax",
    }
    assert all(getattr(O, name) is not None for name in O.__all__)
    assert {c.name: c for c in ALL} == OPTIMIZERS
    assert list(OPTIMIZERS) == [
        "GD",
        "Momentum",
        "Nesterov",
        "AdaGrad",
        "RMSProp",
        "AdaDelta",
        "Adam",
        "AdamW",
        "NAdam",
        "RAdam",
        "Adamax",
    ]
    for name, cls in OPTIMIZERS.items():
        assert issubclass(cls, Optimizer) and cls.__name__ == name
        assert isinstance(cls(), Optimizer)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.name)
def test_signature_lists_the_hyperparameters(cls):
    params = inspect.signature(cls).parameters
    assert list(params) == list(TORCH_DEFAULTS[cls]) + ["label", "color"]
    assert params["lr"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for key, p in params.items() if key != "lr")


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.name)
def test_docstring_gives_rule_and_defaults(cls):
    doc = cls.__doc__
    assert "θ_t ←" in doc and "Defaults:" in doc
    for name in TORCH_DEFAULTS[cls]:
        assert f"{name}=" in doc


def test_blog_forms_are_documented():
    assert "v ← α v − η ∇f" in Momentum.__doc__
    assert "h ← ρ h + (1 − ρ) g²" in RMSProp.__doc__ and "(√h + ε)" in RMSProp.__doc__
    assert "h += g²" in AdaGrad.__doc__ and "(√h + ε)" in AdaGrad.__doc__
    assert "x −= η ∇f" in GD.__doc__


def test_race_engine_imports_neither_matplotlib_nor_torch_nor_jax():
    import subprocess
    import sys

    code = (
        "import sys, anim.race, anim.optimizers, anim.schedules; "
        "anim.optimizers.GD(0.1, label='x'); "
        "print(sorted(m for m in ('matplotlib', 'torch', 'jax', 'optax') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- torch parity


def rosenbrock_grad(p):
    """∇ of (1 − x)² + 5(y − x²)²: curved valley, minimum at (1, 1)."""
    x, y = p[:, 0], p[:, 1]
    return np.stack([-2 * (1 - x) - 20 * x * (y - x * x), 10 * (y - x * x)], axis=1)


PARITY_STARTS = np.array([[-1.2, 1.0], [0.5, -0.8], [1.5, 2.0]])

# (ours, its hyperparameters, the torch.optim class). Settings are
# kept where the trajectory is well conditioned: in a chaotic one, a 1-ulp change of the
# start moves step 100 by far more than 1e-12, whichever library computes it.
PARITY = [
    (GD, {"lr": 0.02}, "SGD"),
    (GD, {"lr": 0.02, "weight_decay": 0.1}, "SGD"),
    (Momentum, {"lr": 0.01, "momentum": 0.9}, "SGD"),
    (Momentum, {"lr": 0.01, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05}, "SGD"),
    (Momentum, {"lr": 0.01, "momentum": 0.0, "dampening": 0.5}, "SGD"),
    (Nesterov, {"lr": 0.01, "momentum": 0.9}, "SGD"),
    (Nesterov, {"lr": 0.01, "momentum": 0.7, "weight_decay": 0.1}, "SGD"),
    (AdaGrad, {"lr": 0.3}, "Adagrad"),
    (
        AdaGrad,
        {
            "lr": 0.3,
            "lr_decay": 0.01,
            "weight_decay": 0.05,
            "initial_accumulator_value": 0.1,
            "eps": 1e-6,
        },
        "Adagrad",
    ),
    (RMSProp, {"lr": 0.01}, "RMSprop"),
    (RMSProp, {"lr": 0.01, "rho": 0.99, "centered": True}, "RMSprop"),
    (RMSProp, {"lr": 0.005, "momentum": 0.8, "weight_decay": 0.1}, "RMSprop"),
    (RMSProp, {"lr": 0.002, "rho": 0.95, "momentum": 0.5, "centered": True}, "RMSprop"),
    (AdaDelta, {}, "Adadelta"),
    (AdaDelta, {"lr": 2.0, "rho": 0.95, "eps": 1e-4, "weight_decay": 0.1}, "Adadelta"),
    (Adam, {"lr": 0.05}, "Adam"),
    (Adam, {"lr": 0.05, "betas": (0.8, 0.99), "amsgrad": True, "weight_decay": 0.1}, "Adam"),
    (AdamW, {"lr": 0.05}, "AdamW"),
    (AdamW, {"lr": 0.05, "weight_decay": 0.5, "amsgrad": True, "eps": 1e-3}, "AdamW"),
    (NAdam, {"lr": 0.05}, "NAdam"),
    (NAdam, {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.01}, "NAdam"),
    (NAdam, {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}, "NAdam"),
    (RAdam, {"lr": 0.05}, "RAdam"),
    (RAdam, {"lr": 0.05, "betas": (0.9, 0.9), "weight_decay": 0.1}, "RAdam"),
    (RAdam, {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}, "RAdam"),
    (Adamax, {"lr": 0.05}, "Adamax"),
    (Adamax, {"lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.1, "eps": 1e-3}, "Adamax"),
]


@pytest.fixture
def torch64():
    import torch  # part of the test extra: these tests must run, never skip

    previous = torch.get_default_dtype()
    # NAdam keeps its running product of μ_t in the default dtype: under float32 it drifts
    # from the float64 algorithm by ~1e-9 within 100 steps.
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(previous)


def torch_trajectory(torch, opt, name, nesterov, steps):
    """The same race run by torch.optim, handed every one of ``opt``'s hyperparameters."""
    hyper = {
        "alpha" if key == "rho" and name == "RMSprop" else key: tuple(value)
        if isinstance(value, list)
        else value
        for key, value in opt.hyperparameters.items()
    }
    if nesterov:
        hyper["nesterov"] = True
    param = torch.tensor(PARITY_STARTS, dtype=torch.float64, requires_grad=True)
    torch_opt = getattr(torch.optim, name)([param], foreach=False, **hyper)
    out = []
    for _ in range(steps):
        param.grad = torch.from_numpy(rosenbrock_grad(param.detach().numpy()))
        torch_opt.step()
        out.append(param.detach().numpy().copy())
    return np.array(out)


@pytest.mark.parametrize("cls, hyper, name", PARITY, ids=[_case_id(c) for c in PARITY])
def test_matches_torch(torch64, cls, hyper, name):
    steps = 100
    opt = cls(**hyper)
    params, state, ours = PARITY_STARTS, opt.init(PARITY_STARTS), []
    for _ in range(steps):
        params, state = opt.update(rosenbrock_grad(params), state, params)
        ours.append(params)
    theirs = torch_trajectory(torch64, opt, name, cls is Nesterov, steps)
    assert np.all(np.isfinite(theirs)) and np.abs(theirs[-1] - PARITY_STARTS).max() > 0.01
    # atol covers coordinates that pass near 0 on their way to the minimum (1, 1)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_torch_defaults_match(torch64):
    torch = torch64
    names = {
        GD: "SGD",
        Momentum: "SGD",
        Nesterov: "SGD",
        AdaGrad: "Adagrad",
        RMSProp: "RMSprop",
        AdaDelta: "Adadelta",
        Adam: "Adam",
        AdamW: "AdamW",
        NAdam: "NAdam",
        RAdam: "RAdam",
        Adamax: "Adamax",
    }
    renamed = {"rho": "alpha"}
    own_defaults = {(Momentum, "momentum"), (Nesterov, "momentum"), (RMSProp, "rho")}
    for cls, name in names.items():
        signature = inspect.signature(getattr(torch.optim, name)).parameters
        for key, value in cls().hyperparameters.items():
            if (cls, key) in own_defaults:
                continue
            torch_key = renamed.get(key, key) if cls is RMSProp else key
            expected = signature[torch_key].default
            assert value == (list(expected) if isinstance(expected, tuple) else expected), (
                cls.name,
                key,
            )


def test_the_typed_signatures_editors_see_match_the_hyperparameters():
    """Each built-in declares, for type checkers, the signature its hyperparameters have
    at run time: the same names, in order, and the same defaults."""
    import ast
    import inspect

    from anim.optimizers import OPTIMIZERS

    for name, cls in OPTIMIZERS.items():
        tree = ast.parse(inspect.getsource(cls))
        stub = next(
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name == "__init__"
        )
        names = [a.arg for a in stub.args.args[1:] + stub.args.kwonlyargs]
        defaults = [ast.literal_eval(d) for d in stub.args.defaults + stub.args.kw_defaults]
        assert names == [*cls._spec, "label", "color"], name
        assert defaults == [h.default for h in cls._spec.values()] + [None, None], name
        assert list(inspect.signature(cls).parameters) == names, name
