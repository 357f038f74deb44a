"""Noisy gradients: Gaussian, shared by every racer at a step (common random numbers),
reproducible from the seed, and exactly the noiseless race at noise=0."""

import numpy as np
import pytest

from anim import Scene, Surface, simulate
from anim.optimizers import GD, Adam, RMSProp
from anim.race import gradient_noise


def bowl():
    return Surface(
        lambda x, y: x**2 + 3 * y**2,
        grad=lambda x, y: (2 * x, 6 * y),
        bounds=((-4, 4), (-4, 4)),
        minimum=(0, 0),
        name="bowl",
    )


def test_noise_zero_is_exactly_the_noiseless_race():
    optimizers = [GD(lr=0.1), Adam(lr=0.3), RMSProp(lr=0.1)]
    plain = simulate(bowl(), optimizers, start=(3, 2), steps=60)
    zero = simulate(bowl(), optimizers, start=(3, 2), steps=60, noise=0.0, seed=7)
    np.testing.assert_array_equal(plain.paths, zero.paths)
    np.testing.assert_array_equal(plain.losses, zero.losses)
    assert zero.noise == 0 and zero.seed is None and not zero.keeps_moving_after_arrival()


def test_gd_with_noise_follows_the_closed_form_with_the_seeded_draws():
    sigma, seed, lr = 0.5, 3, 0.1
    result = simulate(bowl(), [GD(lr=lr)], start=(2.0, -1.0), steps=20, noise=sigma, seed=seed)
    generator = np.random.default_rng(seed)
    point = np.array([2.0, -1.0])
    for k in range(21):
        np.testing.assert_allclose(result.paths[0, k], point, rtol=1e-13, atol=1e-15)
        noise = sigma * generator.standard_normal((1, 2))[0]
        point = point - lr * (np.array([2 * point[0], 6 * point[1]]) + noise)
    # f is exact: the noise is in the gradient only.
    np.testing.assert_allclose(
        result.losses[0], result.paths[0, :, 0] ** 2 + 3 * result.paths[0, :, 1] ** 2
    )
    assert result.noise == sigma and result.seed == seed
    assert result.keeps_moving_after_arrival()


def test_every_racer_gets_the_same_noise_at_the_same_step():
    # Two identical optimizers stay identical: the noise is common, not per racer.
    result = simulate(
        bowl(), [GD(lr=0.05), GD(lr=0.05), Adam(lr=0.2)], start=(3, 2), steps=50, noise=1.0, seed=1
    )
    np.testing.assert_array_equal(result.paths[0], result.paths[1])


def test_a_racer_that_diverges_does_not_change_the_others_noise():
    alone = simulate(bowl(), [GD(lr=0.05)], start=(3, 2), steps=50, noise=0.8, seed=2)
    crowded = simulate(bowl(), [GD(lr=2.0), GD(lr=0.05)], start=(3, 2), steps=50, noise=0.8, seed=2)
    assert crowded.diverged_step[0] is not None
    np.testing.assert_array_equal(alone.paths[0], crowded.paths[1])


def test_same_seed_same_race_other_seed_other_race():
    def run(seed):
        return simulate(bowl(), [Adam(lr=0.2)], start=(3, 2), steps=40, noise=0.5, seed=seed).paths

    np.testing.assert_array_equal(run(4), run(4))
    assert not np.array_equal(run(4), run(5))


def test_without_a_seed_the_drawn_seed_is_recorded_and_replays_the_race():
    first = simulate(bowl(), [GD(lr=0.1)], start=(3, 2), steps=30, noise=0.5)
    assert isinstance(first.seed, int)
    again = simulate(bowl(), [GD(lr=0.1)], start=(3, 2), steps=30, noise=0.5, seed=first.seed)
    np.testing.assert_array_equal(first.paths, again.paths)


def test_noise_has_the_asked_standard_deviation_per_component():
    draws = gradient_noise(0.3, seed=0, starts=4)
    sample = np.concatenate([next(draws) for _ in range(5000)])
    assert sample.shape == (20000, 2)
    np.testing.assert_allclose(sample.std(axis=0), 0.3, rtol=0.03)
    np.testing.assert_allclose(sample.mean(axis=0), 0, atol=0.01)


def test_arrival_is_the_first_arrival_and_the_racer_moves_on():
    result = simulate(
        bowl(), [GD(lr=0.1)], start=(3, 2), steps=150, noise=2.0, seed=0, goal_radius=0.3
    )
    arrived = result.arrival_step[0]
    assert arrived is not None
    distance = np.hypot(*result.paths[0].T)
    assert distance[arrived] <= 0.3 and np.all(distance[:arrived] > 0.3)
    # It keeps moving and (with this much noise) leaves the circle again.
    assert np.any(distance[arrived:] > 0.3)


def test_summary_and_scene_carry_noise_and_seed():
    scene = Scene(
        surface=bowl(), optimizers=[GD(lr=0.1)], start=(3, 2), steps=10, noise=0.25, seed=9
    )
    summary = scene.race().summary()
    assert summary["noise"] == 0.25 and summary["seed"] == 9
    assert scene.race(noise=0).summary()["seed"] is None
    np.testing.assert_array_equal(scene.race().paths, scene.race(seed=9).paths)


@pytest.mark.parametrize("noise", [float("nan"), float("inf"), -0.1, "big", True])
def test_bad_noise_is_refused(noise):
    with pytest.raises(ValueError, match=r"Invalid noise: .* \(must be a finite number >= 0\)"):
        Scene(surface=bowl(), optimizers=[GD(lr=0.1)], start=(3, 2), noise=noise)


@pytest.mark.parametrize("seed", [-1, 1.5, "0"])
def test_bad_seed_is_refused(seed):
    with pytest.raises(ValueError, match=r"Invalid seed: .* \(must be an integer >= 0\)"):
        simulate(bowl(), [GD(lr=0.1)], start=(3, 2), noise=0.1, seed=seed)


def test_decided_step_is_the_last_arrival_or_divergence():
    result = simulate(bowl(), [GD(lr=0.1), GD(lr=0.15), GD(lr=0.05)], start=(3, 2), steps=150)
    assert all(step is not None for step in result.arrival_step)
    assert result.decided_step() == max(result.arrival_step) < 150
    diverging = simulate(bowl(), [GD(lr=0.1), GD(lr=2.0)], start=(3, 2), steps=150)
    assert diverging.decided_step() == max(diverging.arrival_step[0], diverging.diverged_step[1])
    creeping = simulate(bowl(), [GD(lr=0.1), GD(lr=1e-4)], start=(3, 2), steps=150)
    assert creeping.arrival_step[1] is None and creeping.decided_step() == 150


def test_the_noisy_gallery_scene_tells_the_story_its_docstring_tells():
    from pathlib import Path

    import anim

    scene = anim.load_scene(Path(__file__).parent.parent / "scenes" / "noisy_gradients.py")
    result = scene.race()
    assert result.noise == 1.0 and result.seed == 0
    assert result.arrival_step == (55, 143, 16, 20)
    late = result.losses[:, 100:].mean(axis=1)
    assert np.argmax(late) == 2 and round(late[2], 2) == 0.52  # Momentum swings most
    assert np.argmin(late) == 1 and round(late[1], 3) == 0.058  # GD lr 0.1 settles best
