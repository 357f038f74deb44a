"""Learning-rate schedules: closed forms, torch's lr_scheduler, optax's schedules, the legend."""

import json
import math

import jax
import numpy as np
import optax
import pytest
import torch

from anim import OptimizerError, optimizer, simulate, surfaces
from anim.optimizers import GD, AdaGrad, Adam, AdamW, Momentum, NAdam, RMSProp
from anim.schedules import constant, cosine, exponential, step_decay, warmup_cosine

from conftest import assert_one_error_line


def test_closed_forms():
    assert [step_decay(0.5, 2, 0.1)(t) for t in range(5)] == pytest.approx(
        [0.5, 0.5, 0.05, 0.05, 0.005], rel=1e-15
    )
    assert exponential(0.5, 0.9)(3) == pytest.approx(0.5 * 0.729, rel=1e-15)
    c = cosine(0.5, 100)
    assert (c(0), c(100), c(150)) == (0.5, 0.0, 0.0)
    assert c(50) == pytest.approx(0.25, rel=1e-15)
    assert cosine(0.5, 100, end=0.1)(50) == pytest.approx(0.3, rel=1e-15)
    w = warmup_cosine(0.5, 10, 110)
    assert (w(0), w(5), w(10), w(110), w(500)) == (0.0, 0.25, 0.5, 0.0, 0.0)
    assert w(60) == pytest.approx(0.25, rel=1e-15)
    assert warmup_cosine(0.5, 10, 110, start=0.1)(5) == pytest.approx(0.3, rel=1e-15)
    assert constant(0.3)(1000) == 0.3


@pytest.mark.parametrize(
    "schedule, text",
    [
        (constant(0.3), "0.3"),
        (step_decay(0.5, 30, 0.1), "0.5×0.1/30"),
        (exponential(0.5, 0.99), "0.5×0.99ᵗ"),
        (cosine(0.5, 100), "cos 0.5→0"),
        (warmup_cosine(0.5, 10, 100, end=0.01), "warm-up 10, cos 0.5→0.01"),
    ],
)
def test_legend_text(schedule, text):
    assert schedule.describe() == text
    assert Adam(schedule).label == f"Adam lr={text}"
    hyper = Adam(schedule).hyperparameters
    assert json.loads(json.dumps(hyper)) == hyper and hyper["lr"] == schedule.as_dict()


def test_any_callable_is_a_schedule():
    def halving(step):
        return 0.4 / 2**step

    opt = GD(halving)
    assert opt.label == "GD lr=halving"
    assert opt.hyperparameters["lr"] == {"schedule": "custom", "function": "halving"}
    assert GD(lambda step: 0.1).label == "GD lr=schedule"
    params = np.array([[1.0, 1.0]])
    state = opt.init(params)
    for expected in ([0.6, 0.6], [0.4, 0.4], [0.3, 0.3]):
        params, state = opt.update(np.ones((1, 2)), state, params)
        np.testing.assert_allclose(params, [expected], rtol=1e-15)


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda: cosine(-0.5, 10),
            r"^Invalid learning rate: -0\.5 \(must be a finite number > 0\)$",
        ),
        (lambda: cosine(0.5, 0), r"^Invalid steps: 0 \(must be an integer >= 1\)$"),
        (lambda: cosine(0.5, 10, end=-1), r"^Invalid end: -1 \(must be a finite number >= 0\)$"),
        (lambda: step_decay(0.5, 2.5), r"^Invalid step_size: 2\.5 \(must be an integer >= 1\)$"),
        (lambda: exponential(0.5, float("nan")), r"^Invalid gamma: nan"),
        (
            lambda: warmup_cosine(0.5, 10, 10),
            r"^Invalid warmup_steps: 10 \(must be < steps = 10\)$",
        ),
        (lambda: GD("fast"), r"^Invalid learning rate: 'fast' \(must be a real number\)$"),
    ],
)
def test_invalid_settings(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# --------------------------------------------------------------------------- torch parity


def rosenbrock_grad(p):
    x, y = p[:, 0], p[:, 1]
    return np.stack([-2 * (1 - x) - 20 * x * (y - x * x), 10 * (y - x * x)], axis=1)


STARTS = np.array([[-1.2, 1.0], [0.5, -0.8], [1.5, 2.0]])
STEPS = 80

# name -> (lr -> (our schedule from lr, torch's scheduler for base lr ``lr``))
SCHEDULERS = {
    "StepLR": lambda lr: (
        step_decay(lr, 15, 0.5),
        lambda opt: torch.optim.lr_scheduler.StepLR(opt, 15, gamma=0.5),
    ),
    "ExponentialLR": lambda lr: (
        exponential(lr, 0.97),
        lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, 0.97),
    ),
    "CosineAnnealingLR": lambda lr: (
        cosine(lr, STEPS, end=lr / 25),
        lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=STEPS, eta_min=lr / 25),
    ),
    "LambdaLR": lambda lr: (
        warmup_cosine(lr, 10, 70, start=lr / 10, end=lr / 50),
        lambda opt: torch.optim.lr_scheduler.LambdaLR(
            opt, lambda step: warmup_cosine(lr, 10, 70, start=lr / 10, end=lr / 50)(step) / lr
        ),
    ),
}

# ours, its other hyperparameters, the torch.optim class
OPTIMIZERS = [
    (GD, {}, torch.optim.SGD, {}),
    (Momentum, {"momentum": 0.9}, torch.optim.SGD, {"momentum": 0.9}),
    (AdaGrad, {"lr_decay": 0.01}, torch.optim.Adagrad, {"lr_decay": 0.01}),
    (RMSProp, {}, torch.optim.RMSprop, {"alpha": 0.9}),
    (Adam, {}, torch.optim.Adam, {}),
    (AdamW, {"weight_decay": 0.1}, torch.optim.AdamW, {"weight_decay": 0.1}),
    (NAdam, {}, torch.optim.NAdam, {}),
]


@pytest.mark.parametrize("scheduler", SCHEDULERS)
@pytest.mark.parametrize(
    "ours, hyper, theirs, torch_hyper", OPTIMIZERS, ids=[case[0].name for case in OPTIMIZERS]
)
def test_builtins_with_a_schedule_follow_torch(scheduler, ours, hyper, theirs, torch_hyper):
    lr = 0.05 if ours not in (GD, Momentum) else 0.002  # GD's walls need a small step
    schedule, make_scheduler = SCHEDULERS[scheduler](lr)
    opt = ours(schedule, **hyper)
    params, state, path = STARTS, opt.init(STARTS), []
    for _ in range(STEPS):
        params, state = opt.update(rosenbrock_grad(params), state, params)
        path.append(params)

    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        param = torch.tensor(STARTS, requires_grad=True)
        torch_opt = theirs([param], lr=lr, foreach=False, **torch_hyper)
        torch_scheduler = make_scheduler(torch_opt)
        expected, lrs = [], []
        for _ in range(STEPS):
            lrs.append(torch_opt.param_groups[0]["lr"])
            param.grad = torch.from_numpy(rosenbrock_grad(param.detach().numpy()))
            torch_opt.step()
            torch_scheduler.step()  # after the step, as torch asks
            expected.append(param.detach().numpy().copy())
    finally:
        torch.set_default_dtype(previous)
    # the learning rate each update used: schedule(t) for update t + 1
    np.testing.assert_allclose([schedule(t) for t in range(STEPS)], lrs, rtol=1e-12, atol=1e-17)
    assert np.abs(expected[-1] - STARTS).max() > 0.01
    np.testing.assert_allclose(path, expected, rtol=1e-11, atol=1e-13)


# --------------------------------------------------------------------------- optax parity


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (
            step_decay(0.5, 7, 0.3),
            optax.exponential_decay(0.5, transition_steps=7, decay_rate=0.3, staircase=True),
        ),
        (exponential(0.5, 0.97), optax.exponential_decay(0.5, transition_steps=1, decay_rate=0.97)),
        (cosine(0.5, 60, end=0.05), optax.cosine_decay_schedule(0.5, 60, alpha=0.1)),
        (
            warmup_cosine(0.5, 10, 60, start=0.01, end=0.02),
            optax.warmup_cosine_decay_schedule(0.01, 0.5, 10, 60, end_value=0.02),
        ),
    ],
    ids=["step_decay", "exponential", "cosine", "warmup_cosine"],
)
def test_schedules_equal_optax(ours, theirs):
    with jax.enable_x64(True):
        expected = [float(theirs(t)) for t in range(80)]
    np.testing.assert_allclose([ours(t) for t in range(80)], expected, rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------- in a race


def test_own_optimizer_reads_the_scheduled_lr():
    seen = []

    @optimizer(lr=0.1)
    def Recorder(x, g, state, *, lr):
        seen.append(lr)
        return x - lr * g, state

    simulate(surfaces.ravine(), [Recorder(cosine(0.4, 4))], start=(-7, 2), steps=6)
    np.testing.assert_allclose(
        seen,
        [0.4, 0.2 + 0.2 * math.cos(math.pi / 4), 0.2, 0.2 - 0.2 * math.cos(math.pi / 4), 0.0, 0.0],
        atol=1e-16,
    )


def test_a_bad_schedule_is_one_line_from_the_cli(write_scene, cli):
    path = write_scene("""\
        from anim import Scene, surfaces
        from anim.optimizers import GD

        scene = Scene(surface=surfaces.ravine(), start=(-7, 2),
                      optimizers=[GD(lambda step: 0.1 if step < 3 else -0.5)])
        """)
    code, _, err = cli("race", path)
    assert code == 2
    assert_one_error_line(
        err,
        "scene.py: GD's learning-rate schedule returned -0.5 for step 4 "
        "(must be a finite number >= 0)",
    )


def test_a_schedule_that_raises_is_an_optimizer_error():
    opt = Adam(lambda step: 1 / (3 - step))
    params = np.array([[1.0, 1.0]])
    state = opt.init(params)
    with pytest.raises(
        OptimizerError,
        match=r"^Adam's learning-rate schedule failed at step 4: "
        r"ZeroDivisionError",
    ):
        for _ in range(5):
            params, state = opt.update(np.ones((1, 2)), state, params)
