import subprocess
import sys

import numpy as np
import pytest

import anim
from anim import Scene, Surface, simulate, surfaces
from anim.optimizers import GD, AdaGrad, Adam, Momentum, RMSProp
from anim.race import DIVERGENCE_SPANS, default_goal_radius


def bowl():
    return Surface(
        lambda x, y: x**2 + 3 * y**2,
        grad=lambda x, y: (2 * x, 6 * y),
        bounds=((-4, 4), (-4, 4)),
        minimum=(0, 0),
        name="bowl",
    )


def test_paths_start_at_start_and_follow_the_optimizer_step_by_step():
    result = simulate(bowl(), [GD(lr=0.1)], start=(2.0, -1.0), steps=5)
    assert result.paths.shape == (1, 6, 2)
    assert result.losses.shape == (1, 6)
    expected = np.array([2.0, -1.0])
    for k in range(6):
        np.testing.assert_allclose(result.paths[0, k], expected, rtol=1e-15)
        expected = expected - 0.1 * np.array([2 * expected[0], 6 * expected[1]])
    np.testing.assert_allclose(
        result.losses[0], result.paths[0, :, 0] ** 2 + 3 * result.paths[0, :, 1] ** 2
    )


def test_lockstep_race_equals_separate_races():
    optimizers = [GD(lr=0.05), Momentum(lr=0.05, momentum=0.9), Adam(lr=0.3)]
    together = simulate(bowl(), optimizers, start=(3, 2), steps=40)
    for i, optimizer in enumerate(optimizers):
        alone = simulate(bowl(), [optimizer], start=(3, 2), steps=40)
        np.testing.assert_array_equal(together.paths[i], alone.paths[0])


def test_arrival_is_the_first_step_within_the_goal_radius():
    result = simulate(bowl(), [GD(lr=0.1), GD(lr=0.01)], start=(3, 0), steps=30, goal_radius=0.5)
    distance = np.hypot(*result.paths[0].T)
    first = int(np.flatnonzero(distance <= 0.5)[0])
    assert result.arrival_step[0] == first
    assert distance[first - 1] > 0.5
    assert result.arrival_step[1] is None  # lr 0.01 needs ~90 steps
    assert result.finish_order() == [0]


def test_goal_defaults_to_the_nearest_minimum_and_a_documented_radius():
    surface = surfaces.himmelblau()
    result = simulate(surface, [Adam(lr=0.1)], start=(3.5, -1.5), steps=5)
    assert result.goal == pytest.approx(surface.nearest_minimum((3.5, -1.5)))
    assert result.goal == pytest.approx((3.584428340330492, -1.848126526964404))
    (x0, x1), (y0, y1) = surface.bounds
    assert result.goal_radius == pytest.approx(0.02 * np.hypot(x1 - x0, y1 - y0))
    assert default_goal_radius(surface, (3.5, -1.5), result.goal) == result.goal_radius


def test_goal_any_counts_every_minimum():
    surface = surfaces.himmelblau()
    result = simulate(
        surface, [Adam(lr=0.1), Adam(lr=0.1)], start=(0.0, 0.0), steps=300, goal="any"
    )
    assert len(result.goals) == 4
    for i in range(2):
        assert result.arrival_step[i] is not None
        assert result.arrived_at[i] in result.goals


def test_no_minimum_means_no_goal_and_no_arrival():
    result = simulate(surfaces.saddle(), [GD(lr=0.1)], start=(1.0, 0.1), steps=10)
    assert result.goal is None and result.goal_radius is None
    assert result.arrival_step == (None,)


@pytest.mark.parametrize("lr", [5.0, 1e6])
def test_a_diverging_optimizer_is_marked_and_the_race_goes_on(lr):
    result = simulate(bowl(), [GD(lr=lr), GD(lr=0.1)], start=(1, 1), steps=200)
    step = result.diverged_step[0]
    assert step is not None
    assert np.all(np.isfinite(result.paths[0, :step]))
    assert np.all(np.isnan(result.paths[0, step:]))
    assert np.all(np.isnan(result.losses[0, step:]))
    assert result.diverged_step[1] is None
    assert np.all(np.isfinite(result.paths[1]))
    # Flying off: the last finite point is inside the divergence limit, the next is not.
    last = result.paths[0, step - 1]
    assert np.all(np.abs(last) <= 4 + DIVERGENCE_SPANS * 8)


def test_nan_gradient_mid_race_is_a_divergence():
    surface = Surface(
        lambda x, y: np.sqrt(x) + y**2,
        bounds=((0, 4), (-2, 2)),
        grad=lambda x, y: (0.5 / np.sqrt(x), 2 * y),
        name="root",
    )
    result = simulate(surface, [GD(lr=3.0)], start=(1, 1), steps=20)
    assert result.diverged_step[0] is not None


def test_summary_is_json_ready():
    result = simulate(bowl(), [RMSProp(lr=0.1)], start=(2, 2), steps=100)
    summary = result.summary()
    assert summary["steps"] == 100 and summary["goal"] == [0.0, 0.0]
    entry = summary["optimizers"][0]
    assert entry["name"] == "RMSProp" and entry["hyperparameters"]["rho"] == 0.9
    assert entry["arrival_step"] == result.arrival_step[0]
    assert entry["final_loss"] == pytest.approx(result.losses[0, -1])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"optimizers": []}, "at least one optimizer"),
        ({"steps": 0}, "Invalid steps: 0"),
        ({"start": (np.nan, 1)}, "finite point"),
        ({"goal_radius": -1}, "Invalid goal_radius"),
    ],
)
def test_simulate_validates(kwargs, message):
    arguments = {"optimizers": [GD(lr=0.1)], "start": (1, 1), "steps": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        simulate(bowl(), **arguments)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"start": (50, 0)}, r"start \(50.0, 0.0\) is outside the surface's bounds"),
        ({"goal": (500, 500)}, r"goal \(500.0, 500.0\) is outside the surface's bounds"),
    ],
)
def test_scene_start_and_goal_must_be_in_the_picture(kwargs, message):
    with pytest.raises(ValueError, match=message):
        anim.Scene(surface=anim.surfaces.ravine(), optimizers=[GD(lr=0.1)], **kwargs)


def test_showcase_rmsprop_arrives_first_while_adagrad_creeps():
    scene = anim.load_scene("scenes/rmsprop_vs_adagrad.py")
    names = [o.name for o in scene.optimizers]
    assert names == ["GD", "Momentum", "AdaGrad", "RMSProp"]
    assert len({o.hyperparameters["lr"] for o in scene.optimizers}) == 1
    result = scene.race()
    order = [names[i] for i in result.finish_order()]
    assert order[0] == "RMSProp"
    assert "AdaGrad" not in order
    adagrad = result.paths[names.index("AdaGrad")]
    steps = np.hypot(*np.diff(adagrad, axis=0).T)
    assert steps[-1] < steps[10] / 5  # still creeping: its steps keep shrinking


def test_import_race_does_not_import_matplotlib():
    code = (
        "import sys, anim, anim.race, anim.scene, anim.loader, anim.swarm, anim.starts; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_api():
    assert sorted(anim.__all__) == sorted(
        [
            "AnimError",
            "FontWarning",
            "GradientWarning",
            "LengthWarning",
            "OptimizerError",
            "RaceResult",
            "RenderError",
            "RequestError",
            "Scene",
            "SceneError",
            "Surface",
            "SwarmResult",
            "load_scene",
            "load_scenes",
            "optimizer",
            "optimizers",
            "record",
            "render",
            "schedules",
            "simulate",
            "simulate_swarm",
            "starts",
            "still",
            "surfaces",
            "trajectories",
        ]
    )
    for name in anim.__all__:
        assert hasattr(anim, name), name


def test_a_name_one_level_down_says_where_it_is():
    with pytest.raises(
        AttributeError,
        match=r"^module 'anim' has no attribute 'from_torch': "
        r"it is anim\.optimizers\.from_torch$",
    ):
        anim.from_torch  # noqa: B018
    with pytest.raises(AttributeError, match=r"it is anim\.starts\.grid$"):
        anim.grid  # noqa: B018
    with pytest.raises(AttributeError, match=r"^module 'anim' has no attribute 'nothing'$"):
        anim.nothing  # noqa: B018
    assert not hasattr(anim, "GD")


def test_scene_validation_messages():
    with pytest.raises(ValueError, match="optimizers is empty"):
        Scene(surface=bowl(), optimizers=[], start=(1, 1))
    with pytest.raises(ValueError, match="Invalid steps: 0"):
        Scene(surface=bowl(), optimizers=[GD(lr=0.1)], start=(1, 1), steps=0)
    with pytest.raises(ValueError, match="finite point"):
        Scene(surface=bowl(), optimizers=[GD(lr=0.1)], start=(1, np.inf))
    with pytest.raises(ValueError, match="from 1 to 100000"):
        Scene(surface=bowl(), optimizers=[GD(lr=0.1)], start=(1, 1), steps=10**9)
    with pytest.raises(ValueError, match="Invalid fps"):
        Scene(surface=bowl(), optimizers=[GD(lr=0.1)], start=(1, 1), fps=0)
    with pytest.raises(ValueError, match="not finite at the start"):
        Scene(
            surface=Surface(lambda x, y: np.log(x) + y, bounds=((-1, 1), (-1, 1))),
            optimizers=[AdaGrad(lr=0.1)],
            start=(-0.5, 0),
        )


def test_status_an_arrival_is_final_even_if_a_divergence_follows():
    scene = Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=1.05), GD(lr=0.1)],
        start=(-7, 2),
        goal_radius=8,
        steps=400,
    )
    result = scene.race()
    assert result.arrival_step[0] == 0 and result.diverged_step[0] is not None
    assert result.status(0, 0) == result.status(0, result.steps) == "arrived"
    late = Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=1.05)],
        start=(-7, 2),
        goal_radius=0.01,
        steps=400,
    ).race()
    assert late.status(0, 0) == "racing"
    assert late.status(0, late.diverged_step[0]) == "diverged"
