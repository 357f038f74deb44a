"""from_torch and from_optax against plain torch and optax loops (the real libraries)."""

import json
import subprocess
import sys
from importlib import metadata

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import pytorch_optimizer
import torch

import anim
from anim import Scene, simulate, surfaces
from anim.errors import OptimizerError
from anim.optimizers import Adam, from_optax, from_torch

from conftest import assert_one_error_line

ROSENBROCK = surfaces.rosenbrock()
START = (-1.5, 2.0)


def torch_loop(optimizer_class, hyperparameters, start, steps, surface=ROSENBROCK):
    """What a torch user writes: one tensor, one optimizer, step(closure)."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        param = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = optimizer_class([param], **hyperparameters)

        def closure():
            opt.zero_grad()
            value, grad = surface.value_and_grad_at(param.detach().numpy()[None].copy())
            param.grad = torch.from_numpy(grad[0].copy())
            return torch.tensor(value[0])

        path = [param.detach().numpy().copy()]
        for _ in range(steps):
            opt.step(closure)
            path.append(param.detach().numpy().copy())
    finally:
        torch.set_default_dtype(previous)
    return np.array(path)


TORCH_CASES = [
    (torch.optim.Adam, {"lr": 0.05}),
    (torch.optim.SGD, {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
    (torch.optim.NAdam, {"lr": 0.05}),
    (torch.optim.LBFGS, {"lr": 1, "line_search_fn": "strong_wolfe"}),
    (torch.optim.LBFGS, {"lr": 0.1, "max_iter": 5}),
    (pytorch_optimizer.Lion, {"lr": 0.01}),
    (pytorch_optimizer.AdaBelief, {"lr": 0.05}),
    (pytorch_optimizer.Lamb, {"lr": 0.05}),
]


@pytest.mark.parametrize(
    "optimizer_class, hyper",
    TORCH_CASES,
    ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(TORCH_CASES)],
)
def test_from_torch_equals_a_plain_torch_loop(optimizer_class, hyper):
    steps = 60
    result = simulate(
        ROSENBROCK,
        [from_torch(optimizer_class, **hyper)],
        start=START,
        steps=steps,
        goal_radius=1e-9,
    )
    expected = torch_loop(optimizer_class, hyper, START, steps)
    assert result.diverged_step == (None,)
    assert np.abs(expected[-1] - expected[0]).max() > 0.05  # it went somewhere
    np.testing.assert_array_equal(result.paths[0], expected)


def test_lbfgs_uses_the_closure_many_times_per_step():
    calls = []
    surface = surfaces.rosenbrock()
    plain = surface.value_and_grad_at

    def counted(points):
        calls.append(len(points))
        return plain(points)

    opt = from_torch(torch.optim.LBFGS, lr=1, line_search_fn="strong_wolfe")
    params = np.array([START])
    state = opt.init(params)
    values, grads = plain(params)
    new, state = opt.update(grads, state, params, value_and_grad=counted)
    assert len(calls) > 2 and state.step == 1
    assert plain(new)[0][0] < values[0]


def test_from_torch_keeps_start_points_apart():
    # Lamb's trust ratio is per parameter tensor: one tensor of all starts would couple them.
    starts = np.array([[-1.5, 2.0], [0.5, -0.5], [1.8, 1.0]])
    opt = from_torch(pytorch_optimizer.Lamb, lr=0.05)
    together, state = starts, opt.init(starts)
    for _ in range(20):
        _, grads = ROSENBROCK.value_and_grad_at(together)
        together, state = opt.update(
            grads, state, together, value_and_grad=ROSENBROCK.value_and_grad_at
        )
    for row, start in enumerate(starts):
        alone = torch_loop(pytorch_optimizer.Lamb, {"lr": 0.05}, tuple(start), 20)
        np.testing.assert_array_equal(together[row], alone[-1])


def test_from_torch_names_labels_and_validates():
    opt = from_torch(
        pytorch_optimizer.Lion, 0.01, betas=(0.9, 0.99), label="Lion!", color="tab:green"
    )
    assert opt.name == "Lion" and opt.label == "Lion!" and opt.color == "#2ca02c"
    assert opt.generated_label == "Lion lr=0.01 β₁=0.9 β₂=0.99"
    assert opt.hyperparameters == {"lr": 0.01, "betas": [0.9, 0.99]}
    assert json.loads(json.dumps(opt.hyperparameters)) == opt.hyperparameters
    # torch's own classes say where they come from: never mistaken for anim's Adam.
    adam = from_torch(torch.optim.Adam, lr=0.1)
    assert adam.label == "torch Adam lr=0.1" and adam.name == "torch Adam"
    with pytest.raises(ValueError, match=r"^torch Adam: Invalid learning rate: -0\.1$"):
        from_torch(torch.optim.Adam, lr=-0.1)
    # A typo lists the class's real keywords.
    with pytest.raises(
        TypeError,
        match=r"^torch Adam has no hyperparameter 'alpha'; its "
        r"hyperparameters are: lr, betas, eps, weight_decay",
    ):
        from_torch(torch.optim.Adam, lr=0.1, alpha=0.9)
    with pytest.raises(
        ValueError,
        match=r"^from_torch needs a torch\.optim\.Optimizer subclass "
        r"such as torch\.optim\.Adam, got",
    ):
        from_torch(torch.optim.Adam([torch.zeros(2, requires_grad=True)]))
    with pytest.raises(ValueError, match=r"^Invalid color for torch Adam: 'blurple'"):
        from_torch(torch.optim.Adam, lr=0.1, color="blurple")
    with pytest.raises(TypeError, match="lr twice"):
        from_torch(torch.optim.Adam, 0.1, lr=0.2)


def test_from_torch_needs_value_and_grad_only_to_evaluate_again():
    params = np.array([START])
    adam = from_torch(torch.optim.Adam, lr=0.1)
    moved, _ = adam.update(np.ones((1, 2)), adam.init(params), params)
    np.testing.assert_allclose(moved, params - 0.1, rtol=1e-8)  # Adam's eps
    lbfgs = from_torch(torch.optim.LBFGS, lr=1)
    with pytest.raises(
        OptimizerError,
        match=r"evaluates f again inside its step: pass "
        r"value_and_grad=",
    ):
        lbfgs.update(np.ones((1, 2)), lbfgs.init(params), params)


def test_torch_default_dtype_is_left_alone():
    before = torch.get_default_dtype()
    simulate(ROSENBROCK, [from_torch(torch.optim.NAdam, lr=0.05)], start=START, steps=5)
    assert torch.get_default_dtype() == before


# --------------------------------------------------------------------------- optax


def optax_loop(transformation, start, steps, surface=ROSENBROCK):
    """What an optax user writes, with x64 enabled: a jitted step."""

    @jax.jit
    def step(grad, state, x):
        updates, state = transformation.update(grad, state, x)
        return optax.apply_updates(x, updates), state

    with jax.enable_x64(True):
        x = jnp.asarray(start, dtype=jnp.float64)
        state = transformation.init(x)
        path = [np.asarray(x)]
        for _ in range(steps):
            _, grad = surface.value_and_grad_at(np.asarray(x)[None])
            x, state = step(jnp.asarray(grad[0]), state, x)
            path.append(np.asarray(x))
    return np.array(path)


OPTAX_CASES = {
    "adam": lambda: optax.adam(0.05),
    "adabelief": lambda: optax.adabelief(0.05),
    "lion": lambda: optax.lion(0.01),
    "clipped-sgd": lambda: optax.chain(optax.clip_by_global_norm(1.0), optax.sgd(0.01, 0.9)),
    "scheduled-adamw": lambda: optax.adamw(optax.cosine_decay_schedule(0.05, 60), 0.01),
}


@pytest.mark.parametrize("name", OPTAX_CASES)
def test_from_optax_equals_a_plain_optax_loop(name):
    steps = 60
    result = simulate(
        ROSENBROCK,
        [from_optax(OPTAX_CASES[name](), name=name)],
        start=START,
        steps=steps,
        goal_radius=1e-9,
    )
    expected = optax_loop(OPTAX_CASES[name](), START, steps)
    assert expected.dtype == np.float64 and result.diverged_step == (None,)
    assert np.abs(expected[-1] - expected[0]).max() > 0.05
    if name == "clipped-sgd":
        # The global norm's sum of two squares may round once differently in the batch.
        np.testing.assert_allclose(result.paths[0], expected, rtol=1e-13, atol=1e-15)
    else:
        np.testing.assert_array_equal(result.paths[0], expected)


def test_from_optax_keeps_start_points_apart():
    # A global-norm clip over all starts would shrink each by the others' gradients.
    starts = np.array([[-1.5, 2.0], [0.5, -0.5], [1.8, 1.0]])
    make = lambda: optax.chain(optax.clip_by_global_norm(1.0), optax.sgd(0.01))  # noqa: E731
    opt = from_optax(make())
    together, state = starts, opt.init(starts)
    for _ in range(20):
        _, grads = ROSENBROCK.value_and_grad_at(together)
        together, state = opt.update(grads, state, together)
    for row, start in enumerate(starts):
        # Coupled, a clip would move a start by whole units; the batch's compiled sum of
        # two squares may round its last bit differently from a batch of one.
        np.testing.assert_allclose(
            together[row], optax_loop(make(), tuple(start), 20)[-1], rtol=1e-13, atol=1e-15
        )


def test_x64_does_not_leak_into_the_users_process():
    code = """
import jax, jax.numpy as jnp, optax
from anim import simulate, surfaces
from anim.optimizers import from_optax
result = simulate(surfaces.rosenbrock(), [from_optax(optax.adam(0.05))], start=(-1.5, 2.0),
                  steps=5)
print(jax.config.jax_enable_x64, jnp.asarray(1.0).dtype, result.paths.dtype)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "float32", "float64"]


def test_from_optax_names_labels_and_validates():
    opt = from_optax(optax.adam(0.1), name="optax Adam", color="navy")
    assert opt.name == opt.label == "optax Adam" and opt.color == "#000080"
    assert opt.hyperparameters == {}
    assert from_optax(optax.sgd(0.1)).name == "optax"
    assert from_optax(optax.sgd(0.1), label="SGD 0.1").label == "SGD 0.1"
    with pytest.raises(
        ValueError,
        match=r"^from_optax needs an optax GradientTransformation "
        r"such as optax\.adam\(0\.1\), or a factory",
    ):
        from_optax("adam")
    with pytest.raises(TypeError, match=r"^from_optax\(adam, \.\.\.\) needs lr="):
        from_optax(optax.adam)
    with pytest.raises(ValueError, match=r"^Invalid name for from_optax: ''"):
        from_optax(optax.adam(0.1), name="")
    # optax's own keyword for the rate works as lr= does, once.
    by_optax_name = from_optax(optax.rmsprop, learning_rate=0.05)
    assert by_optax_name.hyperparameters == from_optax(optax.rmsprop, lr=0.05).hyperparameters
    assert by_optax_name.with_lr(0.2).hyperparameters["lr"] == 0.2
    with pytest.raises(
        TypeError,
        match=r"^from_optax got the learning rate twice \(again as "
        r"learning_rate=\): give it once, as lr=$",
    ):
        from_optax(optax.adam, 0.1, learning_rate=0.1)


def test_missing_packages_say_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(
        ImportError,
        match=r"^from_torch needs torch, which is not installed "
        r"here: pip install 'anim\[torch\]'$",
    ):
        from_torch(object, lr=0.1)
    monkeypatch.setitem(sys.modules, "optax", None)
    with pytest.raises(ImportError, match=r"pip install 'anim\[optax\]'$"):
        from_optax(None)


def test_a_failing_torch_step_is_one_line(write_scene, cli):
    path = write_scene("""\
        import torch
        from anim import Scene, surfaces
        from anim.optimizers import from_torch

        class Broken(torch.optim.Optimizer):
            def __init__(self, params, lr=0.1):
                super().__init__(params, {"lr": lr})
            def step(self, closure=None):
                raise RuntimeError("no step today")

        scene = Scene(surface=surfaces.ravine(), start=(-7, 2),
                      optimizers=[from_torch(Broken, lr=0.1)])
        """)
    code, out, err = cli("race", path)
    assert code == 2
    assert_one_error_line(err, "scene.py: Broken step 1 raised RuntimeError: no step today")


def test_race_json_for_all_three_kinds(write_scene, cli):
    path = write_scene("""\
        import numpy as np
        import optax
        import pytorch_optimizer
        import torch
        from anim import Scene, optimizer, surfaces
        from anim.optimizers import from_optax, from_torch

        @optimizer(lr=0.01)
        def Mine(x, g, state, *, lr):
            return x - lr * g, state

        scene = Scene(surface=surfaces.ravine(), start=(-7, 2), steps=30, optimizers=[
            Mine(0.5), from_torch(pytorch_optimizer.Lion, lr=0.5),
            from_torch(torch.optim.Adam, lr=0.5, label="torch Adam"),
            from_optax(optax.adam(0.5), name="optax Adam")])
        """)
    code, out, err = cli("race", path, "--json")
    assert code == 0, err
    entries = json.loads(out)["optimizers"]
    assert [e["name"] for e in entries] == ["Mine", "Lion", "torch Adam", "optax Adam"]
    assert [e["label"] for e in entries] == [
        "Mine lr=0.5",
        "Lion lr=0.5",
        "torch Adam",
        "optax Adam",
    ]
    assert entries[1]["hyperparameters"] == {"lr": 0.5}
    assert all(e["final_loss"] is not None for e in entries)


def test_torch_adam_races_like_the_builtin():
    result = simulate(
        ROSENBROCK, [from_torch(torch.optim.Adam, lr=0.05), Adam(0.05)], start=START, steps=100
    )
    np.testing.assert_allclose(result.paths[0], result.paths[1], rtol=1e-12, atol=1e-14)


def test_scene_accepts_adapters():
    scene = Scene(
        surface=ROSENBROCK,
        start=START,
        steps=3,
        optimizers=[from_torch(torch.optim.SGD, lr=1e-3), from_optax(optax.sgd(1e-3))],
    )
    result = scene.race()
    np.testing.assert_array_equal(result.paths[0], result.paths[1])


def test_from_torch_with_a_schedule_equals_torch_with_its_scheduler():
    from anim.schedules import cosine

    steps = 60
    opt = from_torch(torch.optim.Adam, lr=cosine(0.05, steps, end=0.002))
    assert opt.label == "torch Adam lr=cos 0.05→0.002"
    assert opt.hyperparameters["lr"] == {
        "schedule": "cosine",
        "lr": 0.05,
        "steps": steps,
        "end": 0.002,
    }
    result = simulate(
        ROSENBROCK,
        [opt, Adam(cosine(0.05, steps, end=0.002))],
        start=START,
        steps=steps,
        goal_radius=1e-9,
    )

    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        param = torch.tensor(START, requires_grad=True)
        plain = torch.optim.Adam([param], lr=0.05)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(plain, T_max=steps, eta_min=0.002)
        expected = [param.detach().numpy().copy()]
        for _ in range(steps):
            _, grad = ROSENBROCK.value_and_grad_at(param.detach().numpy()[None].copy())
            param.grad = torch.from_numpy(grad[0].copy())
            plain.step()
            scheduler.step()
            expected.append(param.detach().numpy().copy())
    finally:
        torch.set_default_dtype(previous)
    assert np.abs(expected[-1] - expected[0]).max() > 0.05
    np.testing.assert_allclose(result.paths[0], expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(result.paths[1], expected, rtol=1e-12, atol=1e-14)


def test_an_optax_scene_renders_to_mp4_without_warnings(write_scene, cli, tmp_path):
    # JAX warns about any fork once imported; ffmpeg is started with a fork + exec.
    path = write_scene("""\
        import optax
        from anim import Scene, surfaces
        from anim.optimizers import from_optax

        scene = Scene(surface=surfaces.ravine(), start=(-7, 2), steps=5,
                      optimizers=[from_optax(optax.adam(0.5), name="optax Adam")])
        """)
    out = tmp_path / "race.mp4"
    code, _, err = cli("render", path, "-o", out, "--size", "320x240", "--quiet", "--hold", "0")
    assert code == 0 and err == "" and out.stat().st_size > 0


def test_the_sidecar_records_the_raced_libraries(write_scene, cli, tmp_path):
    path = write_scene("""\
        import optax
        import pytorch_optimizer
        from anim import Scene, surfaces
        from anim.optimizers import GD, from_optax, from_torch

        scene = Scene(surface=surfaces.ravine(), start=(-7, 2), steps=3, optimizers=[
            GD(0.1), from_torch(pytorch_optimizer.Lion, lr=0.1), from_optax(optax.sgd(0.1))])
        """)
    out = tmp_path / "race.png"
    code, _, err = cli("still", path, "-o", out, "--size", "320x240", "--sidecar")
    assert code == 0, err
    versions = json.loads((tmp_path / "race.png.json").read_text())["versions"]
    # Like with like: the sidecar records the installed distributions' versions, which
    # may differ from a module's __version__ (torch's "+cu130" local tag is only there).
    for package in ("torch", "optax", "jax", "pytorch_optimizer"):
        assert versions[package] == metadata.version(package)
    gd_only = write_scene(
        """\
        from anim import Scene, surfaces
        from anim.optimizers import GD
        scene = Scene(surface=surfaces.ravine(), start=(-7, 2), steps=3, optimizers=[GD(0.1)])
        """,
        name="gd.py",
    )
    assert cli("still", gd_only, "-o", out, "--size", "320x240", "--sidecar")[0] == 0
    versions = json.loads((tmp_path / "race.png.json").read_text())["versions"]
    assert not {"torch", "jax", "optax", "pytorch_optimizer"} & set(versions)


# ------------------------------------------------------------------------ every kind, many starts

ELEMENTWISE_CASES = {
    "Adam": dict(lr=0.1),
    "AdamW": dict(lr=0.1, weight_decay=0.1),
    "SGD": dict(lr=0.01, momentum=0.9, nesterov=True),
    "Adamax": dict(lr=0.1),
    "NAdam": dict(lr=0.05),
    "RAdam": dict(lr=0.1),
    "Adagrad": dict(lr=0.5),
    "RMSprop": dict(lr=0.01, centered=True, momentum=0.5),
    "Adadelta": dict(lr=1.0),
    "Rprop": dict(lr=0.01),
    "ASGD": dict(lr=0.01),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE_CASES))
def test_an_elementwise_torch_class_races_its_starts_as_one_tensor_exactly(name):
    """Rows of one tensor with one optimizer take exactly the paths of one optimizer per
    start, also when finished starts are dropped (their optimizer state rows with them)."""
    from anim.engine import race_starts
    from anim.optimizers.torch_adapter import ELEMENTWISE

    assert set(ELEMENTWISE_CASES) == ELEMENTWISE
    cls = getattr(torch.optim, name)
    batched = from_torch(cls, **ELEMENTWISE_CASES[name])
    alone = from_torch(cls, elementwise=False, **ELEMENTWISE_CASES[name])
    assert batched.elementwise and not alone.elementwise
    surface = surfaces.himmelblau()
    points = np.random.default_rng(0).uniform(-5, 5, (24, 2))
    for stop in (False, True):
        a = race_starts(surface, batched, points, 40, surface.minima, 0.3, stop_when_finished=stop)
        b = race_starts(surface, alone, points, 40, surface.minima, 0.3, stop_when_finished=stop)
        np.testing.assert_array_equal(a.paths, b.paths)
        np.testing.assert_array_equal(a.arrival_step, b.arrival_step)
    assert not from_torch(pytorch_optimizer.Lion, lr=0.1).elementwise
    assert not from_torch(torch.optim.LBFGS, lr=1).elementwise


def test_every_kind_races_a_swarm_with_noise_each_start_as_alone():
    """A torch (per start and elementwise), optax and own optimizer from many starts, with
    noise: every start's path is the one it takes raced alone with the same noise."""
    from anim.engine import race_starts

    @anim.optimizer(lr=0.01, rho=0.9, eps=1e-8)
    def HandRMSProp(x, g, state, *, lr, rho, eps):
        h = rho * state.get("h", 0.0) + (1 - rho) * g * g
        return x - lr * g / (np.sqrt(h) + eps), {"h": h}

    surface = surfaces.himmelblau()
    points = np.array([[-4.0, 4.0], [0.0, 0.0], [4.5, -4.5], [1.0, 3.0]])
    for optimizer in (
        from_torch(pytorch_optimizer.Lion, lr=0.05),
        from_torch(torch.optim.Adam, lr=0.1),
        HandRMSProp(0.1),
        from_optax(optax.adam, lr=0.1),
        from_optax(optax.lion(0.05)),
    ):
        together = race_starts(
            surface,
            optimizer,
            points,
            30,
            surface.minima,
            0.3,
            noise=0.5,
            seed=3,
            stop_when_finished=True,
        )
        arrived = together.arrival_step >= 0
        assert arrived.any() and not arrived.all(), optimizer.name  # rows really dropped
        for row, point in enumerate(points):
            alone = race_starts(
                surface,
                optimizer,
                point[None],
                30,
                surface.minima,
                0.3,
                noise=0.5,
                seed=3,
                noise_rows=np.array([row]),
                noise_starts=len(points),
                stop_when_finished=True,
            )
            np.testing.assert_allclose(
                together.paths[row], alone.paths[0], rtol=1e-13, atol=1e-15, err_msg=optimizer.name
            )
