"""The knobs' races (anim/knobs.py) and how the page carries them (pagedata/encoding.py,
pagedata/knobs.py): every race the page can switch to is the race ``simulate`` runs at
that setting, kept to a quarter of a pixel; the snaps are the scene's rate, ``tune``'s
optimum and the last rate before divergence; what cannot be done is refused in one line."""

import numpy as np
import pytest

import anim
from anim import Scene, simulate, surfaces
from anim.knobs import check_knobs, first_grid, knob_races, with_hyperparameter
from anim.optimizers import GD, AdaGrad, Momentum, RMSProp
from anim.pagedata.encoding import LOG_FLOOR, LOG_QUANTUM, Packer, unpack
from anim.renderer import _figure, resolve_options
from anim.tune import tune

from conftest import assert_one_error_line


def showcase(steps=60, **kwargs):
    return Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(0.4), Momentum(0.4), AdaGrad(0.4), RMSProp(0.4)],
        start=(-7, 2),
        steps=steps,
        **kwargs,
    )


@pytest.fixture(scope="module")
def raced():
    scene = showcase()
    return scene, knob_races(scene, ["lr"])


def shown_part(result, index):
    """The path of racer ``index`` as the figure shows it: to its arrival, or its last
    finite point, or the end."""
    arrival, diverged = result.arrival_step[index], result.diverged_step[index]
    last = (
        arrival
        if arrival is not None
        else (max(diverged - 1, 0) if diverged is not None else result.steps)
    )
    return result.paths[index, : last + 1], result.losses[index, : last + 1]


def test_knob_names_are_checked():
    assert check_knobs(None) == () and check_knobs("") == () and check_knobs(False) == ()
    assert check_knobs("lr") == ("lr",) and check_knobs("lr, momentum") == ("lr", "momentum")
    assert check_knobs(["lr", "rho"]) == ("lr", "rho")
    for wrong in ("momentum", "lr,lr", "lr,momentum,rho", "lr,wd", ["lr", 3]):
        with pytest.raises(ValueError, match=r"Invalid knobs: .* \(lr, optionally followed"):
            check_knobs(wrong)


def test_every_knob_race_is_the_race_at_that_rate(raced):
    scene, found = raced
    assert [entry.reason for entry in found] == [None] * 4
    for entry in found:
        optimizer = scene.optimizers[entry.index]
        lrs = entry.lrs
        assert np.all(np.diff(lrs) > 0) and set(first_grid()) <= set(lrs)
        assert 0.4 in lrs  # the scene's rate
        for k in range(0, len(lrs), 5):
            alone = simulate(
                scene.surface,
                [optimizer.with_lr(float(lrs[k]))],
                start=scene.start,
                steps=scene.steps,
            )
            paths, losses = shown_part(alone, 0)
            run = entry.runs[k]
            np.testing.assert_array_equal(run.paths, paths)
            np.testing.assert_array_equal(run.losses, losses)
            assert (run.arrival, run.diverged) == (alone.arrival_step[0], alone.diverged_step[0])


def test_the_snaps_are_the_scenes_rate_the_tuned_optimum_and_the_edge(raced):
    scene, found = raced
    tuned = tune(scene)
    for entry, search in zip(found, tuned):
        assert entry.scene_lr == 0.4 and entry.runs[entry.scene_run].lr == 0.4
        assert entry.tuned_lr == search.best_lr and entry.tuned_lr in entry.lrs
        assert set(search.lrs) <= set(entry.lrs)  # every rate tune tried is on the slider
        diverging = [run.lr for run in entry.runs if run.diverged is not None]
        if diverging:
            below = [lr for lr in entry.lrs if lr < min(diverging)]
            assert entry.edge_lr == max(below)
        else:
            assert entry.edge_lr is None
    assert found[0].edge_lr is not None  # GD's steep axis flips past lr = 1


def test_the_lock_has_every_rate_for_every_racer(raced):
    _, found = raced
    shared = set(first_grid()) | {0.4}
    for entry in found:
        assert shared <= set(entry.lrs)


def test_a_pad_is_the_grid_of_both_hyperparameters():
    scene = showcase(steps=40)
    found = knob_races(scene, ["lr", "momentum"])
    pad = found[1].pad  # Momentum: the first racer with a momentum
    assert pad is not None and all(entry.pad is None for entry in found if entry.index != 1)
    assert 0.9 in pad.values and 0.4 in pad.lrs and set(first_grid()) <= set(pad.lrs)
    j, k = list(pad.values).index(0.5), list(pad.lrs).index(0.4)
    alone = simulate(
        scene.surface,
        [with_hyperparameter(Momentum(0.4), "momentum", 0.5)],
        start=scene.start,
        steps=40,
    )
    np.testing.assert_array_equal(pad.runs[j][k].paths, shown_part(alone, 0)[0])
    with pytest.raises(ValueError, match="no racer has a beta2"):
        knob_races(scene, ["lr", "beta2"])


def test_a_racer_that_cannot_change_its_rate_keeps_its_path():
    import optax

    from anim.optimizers import from_optax

    scene = Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(0.4), from_optax(optax.adam(0.3))],
        start=(-7, 2),
        steps=30,
    )
    found = knob_races(scene, "lr")
    assert found[0].reason is None and found[0].runs
    assert "optax transformation already built" in found[1].reason and not found[1].runs


def test_noise_gives_every_rate_the_scenes_noise():
    scene = showcase(steps=40, noise=0.5, seed=3)
    entry = knob_races(scene, ["lr"])[3]
    run = entry.runs[entry.scene_run]
    result = scene.race()
    assert len(run.paths) == 41  # with noise it moves on after arriving
    np.testing.assert_array_equal(run.paths, result.paths[3])


# --- the compact form -----------------------------------------------------------------
def read_series(codes, at, n, order):
    """One series as encoding.py writes it: header, optional mask, differences."""
    header = codes[at]
    at += 1
    if header == 1:
        return np.full(n, np.nan), at
    missing = None
    if header == 2:
        missing = np.cumsum(codes[at : at + n]).astype(bool)
        at += n
    values = codes[at : at + n].astype(float)
    for _ in range(order):
        values = np.cumsum(values)
    if missing is not None:
        values[missing] = np.nan
    return values, at + n


def test_packed_series_come_back_to_their_quantum():
    rng = np.random.default_rng(0)
    path = np.cumsum(rng.normal(size=300)) * 3.7
    losses = np.abs(rng.lognormal(0, 5, 300)) * np.where(rng.random(300) < 0.1, -1, 1)
    losses[7] = 0.0
    gaps = rng.normal(size=50)
    gaps[[3, 4, 40]] = np.nan
    flags = rng.random(80) < 0.3
    packer = Packer()
    packer.linear(path, 0.01)
    packer.log(losses)
    packer.linear(gaps, 0.5)
    packer.linear(np.full(20, np.nan), 1.0)
    packer.flags(flags)
    codes = unpack(packer.packed())
    got, at = read_series(codes, 0, 300, 2)
    assert np.max(np.abs(got * 0.01 - path)) <= 0.005 + 1e-12
    got, at = read_series(codes, at, 300, 2)
    signs, magnitudes = np.sign(got), np.abs(got)
    decoded = np.where(got == 0, 0, signs * np.exp(LOG_FLOOR + (magnitudes - 1) * LOG_QUANTUM))
    assert decoded[7] == 0
    np.testing.assert_allclose(decoded, losses, rtol=LOG_QUANTUM)
    got, at = read_series(codes, at, 50, 2)
    assert np.array_equal(np.isnan(got), np.isnan(gaps))
    assert np.nanmax(np.abs(got * 0.5 - gaps)) <= 0.25
    got, at = read_series(codes, at, 20, 2)
    assert np.all(np.isnan(got))
    got, at = read_series(codes, at, 80, 1)
    assert np.array_equal(got.astype(bool), flags) and at == len(codes)


def test_the_page_carries_every_knob_race_to_a_quarter_of_a_pixel():
    from anim.pagedata import page_data

    scene = showcase(steps=60)
    request = resolve_options(scene, size="640x480")
    figure = _figure(scene, scene.race(request.steps), request, fast=False, still=True)
    found = knob_races(scene, ["lr"])
    data = page_data(figure, request.fps, 8, scene.optimizers, found)["knobs"]
    codes = unpack(data["packed"])
    quantum = data["quanta"]
    a, _, c, _ = page_data(figure, request.fps, 8)["views"][0]["toPixel"]
    at = 0
    for described, entry in zip(data["racers"], found):
        optimizer = scene.optimizers[entry.index]
        table = described["runs"]
        for k, lr in enumerate(table["lr"]):
            if k == described["sceneRun"]:
                continue  # the page has the scene's own race exactly
            meta = {"lr": lr, "arrival": table["arrival"][k]}
            alone = simulate(
                scene.surface, [optimizer.with_lr(meta["lr"])], start=scene.start, steps=60
            )
            paths, _ = shown_part(alone, 0)
            n = len(paths)
            xs, at = read_series(codes, at, n, 2)
            ys, at = read_series(codes, at, n, 2)
            losses, at = read_series(codes, at, n, 2)
            assert np.max(np.abs(xs * quantum["x"] - paths[:, 0])) * abs(a) <= 1 / 8 + 1e-9
            assert np.max(np.abs(ys * quantum["y"] - paths[:, 1])) * abs(c) <= 1 / 8 + 1e-9
            assert meta["arrival"] == alone.arrival_step[0]
    assert at == len(codes)
    assert [r["labels"] for r in data["racers"]][3] == "RMSProp lr={lr} ρ=0.9"
    figure.close()


# --- refusals ---------------------------------------------------------------------------
def test_knobs_are_the_pages_and_a_swarms_are_refused(cli, write_scene, tmp_path):
    path = write_scene()
    code, _, err = cli("render", path, "-o", tmp_path / "race.gif", "--knobs", "lr")
    assert code == 2
    assert_one_error_line(err, "--knobs gives the interactive page its sliders")
    code, _, err = cli("render", path, "-o", tmp_path / "race.html", "--knobs", "lr,wd")
    assert code == 2 and "Invalid knobs: 'lr,wd'" in err
    with pytest.raises(
        ValueError,
        match="the knobs race one start at many learning rates, and a swarm has 4 starts",
    ):
        Scene(
            surface=surfaces.himmelblau(),
            optimizers=[GD(0.01)],
            starts=anim.starts.grid(2),
            knobs=["lr"],
        )


def test_knobs_need_a_finish_line(cli, write_scene, tmp_path):
    path = write_scene("""
        from anim import Scene, Surface
        from anim.optimizers import GD
        scene = Scene(surface=Surface(lambda x, y: x**2 + y**2, bounds=((-2, 2), (-2, 2))),
                      optimizers=[GD(0.1)], start=(1, 1), steps=10)
    """)
    code, _, err = cli("render", path, "-o", tmp_path / "race.html", "--knobs", "lr")
    assert code == 2
    assert_one_error_line(err, "race.html: tuning needs a goal")
    assert not (tmp_path / "race.html").exists()


@pytest.mark.parametrize(
    "kind", ["built-in", "schedule", "own", "torch", "torch-lbfgs", "optax", "optax-factory"]
)
def test_every_optimizer_kind_gets_knobs_or_says_why_not(kind, cli, tmp_path):
    """Every kind tune can rebuild gets a slider; an optax transformation already built
    keeps its path, and the page says why."""
    import html
    import json
    import re

    from test_matrix import KINDS, SCENE

    path = tmp_path / "scene.py"
    path.write_text(SCENE.format(optimizer=KINDS[kind], starts="start=(-1.0, 1.0)"))
    code, _, err = cli(
        "render", path, "-o", tmp_path / "race.html", "--knobs", "lr", "--size", "480x360"
    )
    assert code == 0, err
    page = (tmp_path / "race.html").read_text(encoding="utf-8")
    data = json.loads(
        html.unescape(re.search(r'class="anim-data">(.*?)</script>', page, re.S).group(1))
    )
    racer = data["knobs"]["racers"][1]
    if kind == "optax":
        assert "optax transformation already built" in racer["fixed"]
    else:
        assert racer["fixed"] is None and len(racer["runs"]["lr"]) >= 22
        assert racer["runs"]["lr"][racer["sceneRun"]] == 0.3
