"""Your own update rule (@anim.optimizer), label= and color=, and the mistakes a user makes."""

import json
import pydoc

import numpy as np
import pytest

import anim
from anim import OptimizerError, optimizer, simulate, surfaces
from anim.optimizers import GD, OPTIMIZERS, Adam, Optimizer, RMSProp

from conftest import assert_one_error_line


@optimizer(lr=0.01, rho=0.9, eps=1e-8)
def HandRMSProp(x, g, state, *, lr, rho, eps):
    """RMSProp from scratch: h ← ρh + (1 − ρ)g², x ← x − lr·g / (√h + ε)."""
    h = rho * state.get("h", 0.0) + (1 - rho) * g * g
    return x - lr * g / (np.sqrt(h) + eps), {"h": h}


def test_hand_rmsprop_follows_the_builtin():
    result = simulate(
        surfaces.ravine(), [HandRMSProp(lr=0.4), RMSProp(lr=0.4)], start=(-7, 2), steps=150
    )
    np.testing.assert_allclose(result.paths[0], result.paths[1], rtol=1e-14, atol=1e-15)
    assert result.arrival_step[0] == result.arrival_step[1] is not None
    assert np.abs(result.paths[0, -1] - result.paths[0, 0]).max() > 1


def test_the_class_is_named_after_the_function_and_documented():
    opt = HandRMSProp(0.4)
    assert isinstance(opt, Optimizer) and type(opt).__name__ == "HandRMSProp"
    assert opt.name == "HandRMSProp"
    assert opt.hyperparameters == {"lr": 0.4, "rho": 0.9, "eps": 1e-8}
    assert opt.label == "HandRMSProp lr=0.4"
    assert HandRMSProp(0.4, rho=0.5).label == "HandRMSProp lr=0.4 ρ=0.5"
    assert repr(opt) == "HandRMSProp(lr=0.4, rho=0.9, eps=1e-08)"
    assert "RMSProp from scratch" in pydoc.render_doc(HandRMSProp)
    assert "HandRMSProp" not in OPTIMIZERS  # the built-ins' registry stays the built-ins


def test_hyperparameters_are_validated_like_the_builtins():
    with pytest.raises(
        TypeError,
        match=r"^HandRMSProp has no hyperparameter 'beta'; its "
        r"hyperparameters are: lr, rho, eps$",
    ):
        HandRMSProp(beta=0.9)
    with pytest.raises(ValueError, match=r"^Invalid learning rate: -0\.1 \(must be > 0\)$"):
        HandRMSProp(-0.1)
    with pytest.raises(ValueError, match=r"^Invalid rho: nan \(must be finite\)$"):
        HandRMSProp(rho=float("nan"))
    with pytest.raises(ValueError, match=r"^Invalid eps: 'small' \(must be a real number\)$"):
        HandRMSProp(eps="small")


def test_flags_and_tuples_as_hyperparameters():
    @optimizer(lr=0.1, betas=(0.9, 0.99), nesterov=False)
    def Rule(x, g, state, *, lr, betas, nesterov):
        assert isinstance(betas, tuple) and isinstance(nesterov, bool)
        return x - lr * betas[0] * g, state

    opt = Rule(betas=[0.5, 0.6], nesterov=True)
    assert opt.hyperparameters == {"lr": 0.1, "betas": [0.5, 0.6], "nesterov": True}
    assert json.loads(json.dumps(opt.hyperparameters)) == opt.hyperparameters
    with pytest.raises(ValueError, match=r"must be True or False"):
        Rule(nesterov=1)
    params = np.array([[1.0, 2.0]])
    new, _ = opt.update(np.ones((1, 2)), opt.init(params), params)
    np.testing.assert_allclose(new, [[0.95, 1.95]])


def test_decoration_mistakes_fail_at_once():
    with pytest.raises(TypeError, match=r"default of rho must be a number"):
        optimizer(lr=0.1, rho="high")(lambda x, g, state, lr, rho: (x, state))
    with pytest.raises(ValueError, match=r"^Invalid learning rate: 0 \(must be > 0\)$"):
        optimizer(lr=0)(lambda x, g, state, lr: (x, state))
    with pytest.raises(
        TypeError,
        match=r"cannot be called as Bad\(x, g, state, lr=\.\.\., "
        r"rho=\.\.\.\)",
    ):

        @optimizer(lr=0.1, rho=0.9)
        def Bad(x, g, state, *, lr):
            return x, state


def test_bare_decorator_makes_an_optimizer_without_hyperparameters():
    @optimizer
    def Halve(x, g, state):
        return x / 2, state

    result = simulate(surfaces.ravine(), [Halve()], start=(-7, 2), steps=3)
    np.testing.assert_allclose(result.paths[0, -1], [-7 / 8, 2 / 8])
    assert Halve().label == "Halve" and Halve().hyperparameters == {}


def test_the_step_function_sees_n_points_and_its_own_state():
    seen = []

    @optimizer(lr=0.5)
    def Recorder(x, g, state, *, lr):
        seen.append((x.shape, g.shape, x.dtype, dict(state)))
        x -= lr * g  # in place: must not change the caller's arrays
        return x, {"calls": state.get("calls", 0) + 1}

    opt = Recorder()
    params = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    grads = np.ones_like(params)
    state = opt.init(params)
    new, state = opt.update(grads, state, params)
    new, state = opt.update(grads, state, new)
    assert seen == [((3, 2), (3, 2), np.float64, {}), ((3, 2), (3, 2), np.float64, {"calls": 1})]
    np.testing.assert_array_equal(params, [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_array_equal(new, params - 1.0)
    assert state.step == 2 and state.values == {"calls": 2}


def test_nan_from_a_step_is_a_divergence_not_an_error():
    @optimizer(lr=0.1)
    def Explodes(x, g, state, *, lr):
        n = state.get("n", 0) + 1
        return (x * np.nan if n == 4 else x - lr * g), {"n": n}

    result = simulate(surfaces.ravine(), [Explodes(), GD(0.1)], start=(-7, 2), steps=10)
    assert result.diverged_step == (4, None)


@pytest.mark.parametrize(
    "body, message",
    [
        ("return (x - lr * g)[0], state", "Wrong step 1 returned x of shape (2,), expected (1, 2)"),
        (
            "return x - lr * g",
            "Wrong step 1 returned an array of dtype float64, expected a pair (new_x, new_state)",
        ),
        ("return x, state, 1", "Wrong step 1 returned a tuple of 3, expected a pair"),
        (
            "return 'x', state",
            "Wrong step 1 returned x as a str, expected a float array of shape (1, 2)",
        ),
        (
            "return x.astype(complex), state",
            "Wrong step 1 returned x as an array of dtype complex128",
        ),
        ("return x, [1]", "Wrong step 1 returned a state of type list, expected a dict"),
        (
            "return x - lr * g / state['h'], state",
            "Wrong step 1 raised KeyError: 'h' (scene.py, line 7)",
        ),
    ],
)
def test_a_misbehaving_step_is_one_line_from_the_cli(write_scene, cli, monkeypatch, body, message):
    path = write_scene(f"""\
        import numpy as np
        from anim import Scene, optimizer, surfaces

        @optimizer(lr=0.1)
        def Wrong(x, g, state, *, lr):
            # the next line is line 7
            {body}

        scene = Scene(surface=surfaces.ravine(), start=(-7, 2), optimizers=[Wrong()])
        """)
    monkeypatch.chdir(path.parent)
    for command in (
        ["race", "scene.py"],
        ["race", "scene.py", "--json"],
        ["still", "scene.py", "-o", "out.png"],
    ):
        code, out, err = cli(*command)
        assert code == 2 and out == ""
        assert_one_error_line(err, f"scene.py: {message}")
    assert not (path.parent / "out.png").exists()


def test_a_later_step_is_named(write_scene, cli):
    path = write_scene("""\
        from anim import Scene, optimizer, surfaces

        @optimizer(lr=0.1)
        def Late(x, g, state, *, lr):
            n = state.get("n", 0) + 1
            if n == 5:
                raise RuntimeError("tired")
            return x - lr * g, {"n": n}

        scene = Scene(surface=surfaces.ravine(), start=(-7, 2), optimizers=[Late()])
        """)
    code, out, err = cli("race", path)
    assert code == 2
    line = assert_one_error_line(err, "Late step 5 raised RuntimeError: tired (", "line 7)")
    assert str(path) in line


@pytest.mark.parametrize(
    "item, message",
    [
        (
            "plain",
            "got the function plain: make an update rule into an optimizer with the "
            "decorator @anim.optimizer(lr=...)",
        ),
        ("GD", "got the class GD: call it, e.g. GD(0.1)"),
        ("torch.optim.Adam", "Adam from torch: race it with anim.optimizers.from_torch("),
        (
            "Duck()",
            "(Duck): use the built-ins (anim.optimizers), a step function decorated with "
            "@anim.optimizer",
        ),
        ("'Adam'", "got 'Adam' (str)"),
    ],
)
def test_other_objects_in_optimizers_say_how_to_make_one(write_scene, cli, item, message):
    path = write_scene(f"""\
        import torch
        from anim import Scene, surfaces
        from anim.optimizers import GD

        def plain(x, g, state):
            return x, state

        class Duck:
            name = label = "duck"
            def init(self, params): return None
            def update(self, grads, state, params): return params, state

        scene = Scene(surface=surfaces.ravine(), start=(-7, 2), optimizers=[{item}])
        """)
    code, out, err = cli("race", path)
    assert code == 2
    assert_one_error_line(
        err,
        "error while loading (line 13): ValueError: optimizers must hold anim optimizers",
        message,
    )


def test_subclassing_optimizer_without_a_rule_says_what_to_do(write_scene, cli):
    path = write_scene("""\
        from anim.optimizers import Optimizer

        class Mine(Optimizer):
            pass
        """)
    code, _, err = cli("race", path)
    assert code == 2
    assert_one_error_line(
        err,
        "(line 3): TypeError: Mine subclasses anim's Optimizer without "
        "an update rule: write your rule as a function decorated with "
        "@anim.optimizer(lr=...)",
    )


def test_a_subclass_with_its_own_init_and_update_races():
    class Halver(Optimizer):
        def init(self, params):
            return 0

        def update(self, grads, state, params):
            return params / 2, state + 1

    result = simulate(surfaces.ravine(), [Halver()], start=(-7, 2), steps=2)
    np.testing.assert_allclose(result.paths[0, -1], [-1.75, 0.5])
    assert Halver().label == "Halver" and Halver().hyperparameters == {}
    assert Halver().color is None


# --------------------------------------------------------------------------- label and color


@pytest.mark.parametrize(
    "make",
    [lambda **kw: GD(0.1, **kw), lambda **kw: Adam(0.1, **kw), lambda **kw: HandRMSProp(0.4, **kw)],
    ids=["GD", "Adam", "HandRMSProp"],
)
def test_label_and_color_are_not_hyperparameters(make):
    plain, styled = make(), make(label="mine", color="tab:red")
    assert styled.label == "mine" and plain.label == styled.generated_label
    assert styled.color == "#d62728" and plain.color is None
    assert styled.hyperparameters == plain.hyperparameters
    assert "label" not in styled.hyperparameters and "mine" not in styled.generated_label


@pytest.mark.parametrize(
    "color, hex_",
    [
        ("red", "#ff0000"),
        ("#00FF00", "#00ff00"),
        ((0, 0, 1), "#0000ff"),
        ((0, 0, 1, 0.5), "#0000ff"),
        ("C0", "#1f77b4"),
        ("0.5", "#808080"),
    ],
)
def test_any_matplotlib_colour_becomes_rrggbb(color, hex_):
    assert GD(0.1, color=color).color == hex_


def test_bad_label_or_colour_is_a_value_error():
    with pytest.raises(
        ValueError,
        match=r"^Invalid color for GD: 'blurple' \(must be a "
        r"matplotlib colour",
    ):
        GD(0.1, color="blurple")
    with pytest.raises(ValueError, match=r"^Invalid color for HandRMSProp: 7 "):
        HandRMSProp(color=7)
    with pytest.raises(ValueError, match=r"^Invalid label for Adam: 3 \(must be a string"):
        Adam(label=3)


def test_the_label_reaches_race_json(write_scene, cli):
    path = write_scene("""\
        import numpy as np
        from anim import Scene, optimizer, surfaces
        from anim.optimizers import RMSProp

        @optimizer(lr=0.01, rho=0.9, eps=1e-8)
        def HandRMSProp(x, g, state, *, lr, rho, eps):
            h = rho * state.get("h", 0.0) + (1 - rho) * g * g
            return x - lr * g / (np.sqrt(h) + eps), {"h": h}

        scene = Scene(surface=surfaces.ravine(), start=(-7, 2), steps=40,
                      optimizers=[HandRMSProp(0.4, label="mine", color="k"), RMSProp(0.4)])
        """)
    code, out, err = cli("race", path, "--json")
    assert code == 0, err
    first, second = json.loads(out)["optimizers"]
    assert first["name"] == "HandRMSProp" and first["label"] == "mine"
    assert first["hyperparameters"] == {"lr": 0.4, "rho": 0.9, "eps": 1e-8}
    assert first["arrival_step"] == second["arrival_step"] == 18


def test_optimizer_error_is_exported():
    assert issubclass(OptimizerError, anim.AnimError) and issubclass(OptimizerError, ValueError)
    assert OptimizerError.exit_code == 2


# --------------------------------------------------------------------------- moments


def test_moments_name_velocity_and_second_moment():
    params, grads = np.array([[1.0, -2.0]]), np.array([[0.5, 4.0]])

    def after_one_step(opt):
        state = opt.init(params)
        assert opt.moments(state) == {}
        return opt.moments(opt.update(grads, state, params)[1])

    adam = after_one_step(Adam(0.1))
    np.testing.assert_allclose(adam["velocity"], 0.1 * grads)
    np.testing.assert_allclose(adam["second_moment"], 0.001 * grads**2)
    rms = after_one_step(RMSProp(0.1))
    assert set(rms) == {"second_moment"}
    np.testing.assert_allclose(rms["second_moment"], 0.1 * grads**2)
    assert set(after_one_step(RMSProp(0.1, momentum=0.9))) == {"velocity", "second_moment"}
    np.testing.assert_allclose(after_one_step(anim.optimizers.Momentum(0.1))["velocity"], grads)
    assert after_one_step(GD(0.1)) == {}

    @optimizer(lr=0.1, beta=0.9)
    def HeavyBall(x, g, state, *, lr, beta):
        v = beta * state.get("velocity", 0.0) + g
        return x - lr * v, {"velocity": v, "other": 1}

    np.testing.assert_allclose(after_one_step(HeavyBall())["velocity"], grads)
    assert set(after_one_step(HeavyBall())) == {"velocity"}


def test_a_bare_decorator_takes_the_hyperparameters_from_the_keyword_defaults():
    @optimizer
    def MyGD(x, g, state, *, lr=0.1):
        return x - lr * g, state

    assert MyGD().hyperparameters == {"lr": 0.1} and MyGD(0.3).label == "MyGD lr=0.3"
    result = simulate(surfaces.ravine(), [MyGD(0.3), GD(0.3)], start=(-7, 2), steps=20)
    np.testing.assert_array_equal(result.paths[0], result.paths[1])

    with pytest.raises(
        TypeError,
        match=r"^NoDefault's hyperparameter\(s\) lr have no default: "
        r"give them in the decorator, e\.g\. "
        r"@anim\.optimizer\(lr=0\.1\)",
    ):

        @optimizer
        def NoDefault(x, g, state, *, lr):
            return x - lr * g, state


def test_a_step_function_without_x_g_state_first_is_refused_where_it_is_decorated():
    # (g, state, lr=...) would read lr as the state; the decorator says what it expects.
    with pytest.raises(
        TypeError,
        match=r"^signum\(g, state, lr=0\.05\) must take \(x, g, "
        r"state\) first, then its hyperparameters by keyword, "
        r"e\.g\. def signum\(x, g, state, \*, lr=0\.1\)$",
    ):

        @optimizer
        def signum(g, state, lr=0.05):
            return -lr * np.sign(g), state

    @optimizer(lr=0.1)
    def Flexible(*arrays, lr):
        x, g, state = arrays
        return x - lr * g, state

    assert Flexible(0.2).hyperparameters == {"lr": 0.2}
