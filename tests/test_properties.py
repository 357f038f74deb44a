"""Under load: random valid scenes never crash the race or the renderer, and nothing leaks."""

import gc
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import anim
import anim.cli
from anim import Scene, Surface
from anim import optimizers as opt
from anim.figure import FrameStyle, RaceFigure
from anim.loader import load_scenes
from anim.renderer import frames

ROOT = Path(__file__).resolve().parent.parent
BOUNDS = ((-4.0, 4.0), (-3.0, 3.0))

unit = st.floats(0.0, 0.99)
HYPERPARAMETERS = {
    # Up to lr = 5 on curvatures up to 2 * 10: plenty of runs diverge on purpose.
    "lr": st.floats(1e-4, 5.0),
    "momentum": unit,
    "dampening": st.sampled_from([0.0, 0.5]),
    "weight_decay": st.sampled_from([0.0, 0.01]),
    "lr_decay": st.floats(0.0, 0.1),
    "initial_accumulator_value": st.floats(0.0, 1.0),
    "eps": st.floats(1e-10, 1e-3),
    "rho": unit,
    "betas": st.tuples(unit, st.floats(0.0, 0.999)),
    "momentum_decay": st.floats(0.0, 0.01),
    "amsgrad": st.booleans(),
    "centered": st.booleans(),
    "decoupled_weight_decay": st.booleans(),
}
CLASSES = [
    opt.GD,
    opt.Momentum,
    opt.Nesterov,
    opt.AdaGrad,
    opt.RMSProp,
    opt.AdaDelta,
    opt.Adam,
    opt.AdamW,
    opt.NAdam,
    opt.RAdam,
    opt.Adamax,
]


@st.composite
def optimizers(draw):
    cls = draw(st.sampled_from(CLASSES))
    values = {key: draw(HYPERPARAMETERS[key]) for key in cls._spec}
    if cls is opt.Nesterov:  # Nesterov momentum needs momentum > 0 and no dampening
        values.update(momentum=draw(st.floats(0.01, 0.99)), dampening=0.0)
    return cls(**values)


@st.composite
def quadratics(draw):
    """a x² + b y² + c xy with a, b > 0 and 4ab > c²: one minimum, at the origin."""
    a, b = draw(st.floats(0.05, 10.0)), draw(st.floats(0.05, 10.0))
    limit = 2 * np.sqrt(a * b)
    c = draw(st.floats(-0.95, 0.95)) * limit
    return Surface(
        lambda x, y: a * x**2 + b * y**2 + c * x * y,
        grad=lambda x, y: (2 * a * x + c * y, 2 * b * y + c * x),
        bounds=BOUNDS,
        minimum=(0, 0),
    )


starts = st.tuples(st.floats(*BOUNDS[0]), st.floats(*BOUNDS[1]))


@st.composite
def scenes(draw, max_steps=60):
    return Scene(
        surface=draw(quadratics()),
        optimizers=draw(st.lists(optimizers(), min_size=1, max_size=4)),
        start=draw(starts),
        steps=draw(st.integers(1, max_steps)),
    )


def check_race(result, steps, count):
    assert result.paths.shape == (count, steps + 1, 2)
    assert result.losses.shape == (count, steps + 1)
    np.testing.assert_array_equal(result.paths[:, 0], [result.start] * count)
    goal, radius = np.array(result.goal), result.goal_radius
    for i in range(count):
        diverged, arrived = result.diverged_step[i], result.arrival_step[i]
        end = steps + 1 if diverged is None else diverged
        assert 1 <= end <= steps + 1
        assert np.all(np.isfinite(result.paths[i, :end]))
        assert np.all(np.isfinite(result.losses[i, :end]))
        assert np.all(np.isnan(result.paths[i, end:]))
        assert np.all(np.isnan(result.losses[i, end:]))
        distance = np.hypot(*(result.paths[i, :end] - goal).T)
        if arrived is None:
            assert np.all(distance > radius)
        else:
            assert 0 <= arrived <= steps and arrived < end
            assert distance[arrived] <= radius
            assert np.all(distance[:arrived] > radius)  # the first time it got there
        np.testing.assert_allclose(
            result.losses[i, :end], result.surface(*result.paths[i, :end].T), rtol=1e-12
        )


@settings(max_examples=60, deadline=None)
@given(scene=scenes(max_steps=200))
def test_simulate_never_raises_and_keeps_its_invariants(scene):
    result = anim.simulate(scene.surface, scene.optimizers, start=scene.start, steps=scene.steps)
    check_race(result, scene.steps, len(scene.optimizers))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scene=scenes(max_steps=25),
    hold=st.floats(0.0, 1.0),
    fps=st.integers(1, 50),
    loss_panel=st.booleans(),
    full=st.booleans(),
)
def test_frames_never_raise_and_count_decided_steps_plus_hold(scene, hold, fps, loss_panel, full):
    count = 0
    for frame in frames(
        scene, size=(320, 240), hold=hold, fps=fps, loss_panel=loss_panel, full=full
    ):
        assert frame.shape == (240, 320, 3) and frame.dtype == np.uint8
        count += 1
    last = scene.steps if full else scene.race().decided_step()
    assert count == last + 1 + round(hold * fps)


@settings(max_examples=10, deadline=None)
@given(scene=scenes(max_steps=40), picks=st.lists(st.integers(0, 50), min_size=1, max_size=4))
def test_draw_frame_any_step(scene, picks):
    result = scene.race()
    check_race(result, scene.steps, len(scene.optimizers))
    figure = RaceFigure(result, FrameStyle(width=320, height=240, dpi=72))
    try:
        for k in picks:
            pixels = figure.draw_frame(k)
            assert pixels.shape == (240, 320, 4)
    finally:
        figure.close()


# ------------------------------------------------------------------------------ leaks


def _live_figures():
    from matplotlib.figure import Figure

    gc.collect()
    return {id(o) for o in gc.get_objects() if isinstance(o, Figure)}


def _gallery():
    return [
        (path, name)
        for path in sorted((ROOT / "scenes").glob("*.py"))
        for name in load_scenes(path)
    ]


def test_rendering_the_gallery_leaks_no_figures(tmp_path):
    import matplotlib.pyplot as plt

    gallery = _gallery()
    assert gallery
    before = _live_figures()
    for path, name in gallery:
        for suffix in (".gif", ".png"):
            code = anim.cli.main(
                [
                    "render",
                    str(path),
                    "--scene",
                    name,
                    "-o",
                    str(tmp_path / f"{path.stem}-{name}{suffix}"),
                    "--steps",
                    "20",
                    "--size",
                    "480x360",
                    "--hold",
                    "0",
                    "--quiet",
                ]
            )
            assert code == 0, path
    assert plt.get_fignums() == []
    assert _live_figures() - before == set()


def _rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads RSS from /proc")
def test_repeated_renders_do_not_grow_memory(tmp_path):
    # One leaked 320x240 figure holds about 4.5 MB: six renders would add ~27 MB.
    path, name = _gallery()[0]
    args = [
        "render",
        str(path),
        "--scene",
        name,
        "-o",
        str(tmp_path / "again.gif"),
        "--steps",
        "20",
        "--size",
        "320x240",
        "--hold",
        "0",
        "--quiet",
    ]
    for _ in range(3):
        assert anim.cli.main(args) == 0
    gc.collect()
    baseline = _rss_mb()
    for _ in range(6):
        assert anim.cli.main(args) == 0
    gc.collect()
    assert _rss_mb() - baseline < 9
