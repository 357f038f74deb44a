"""Fair races: the tuned learning rate, checked against a brute-force fine grid."""

import json

import numpy as np
import pytest

from anim import Scene, starts, surfaces
from anim.optimizers import GD, Adam, Momentum, RMSProp
from anim.race import simulate
from anim.tune import lr_score, race_goals, tune, tuned_scene, with_lr

from conftest import assert_one_error_line


def ravine_scene(**extra):
    return Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=0.4), RMSProp(lr=0.4)],
        start=(-7, 2),
        steps=150,
        **extra,
    )


def test_score_of_one_start_is_its_arrival_step():
    scene = ravine_scene()
    points, goals, radius = race_goals(scene)
    for lr in (0.2, 0.4, 0.9):
        alone = simulate(scene.surface, [GD(lr=lr)], start=(-7, 2), steps=150)
        score = lr_score(scene.surface, GD(lr=lr), points, 150, goals, radius)
        assert alone.arrival_step[0] is not None and score == alone.arrival_step[0]
    # No arrival: after every arrival, ordered by the final distance to the goal.
    slow = lr_score(scene.surface, GD(lr=1e-3), points, 150, goals, radius)
    slower = lr_score(scene.surface, GD(lr=1e-4), points, 150, goals, radius)
    assert 151 < slow < slower < 152
    assert lr_score(scene.surface, GD(lr=5.0), points, 150, goals, radius) == 152


@pytest.mark.parametrize(
    "optimizer", [GD(lr=0.4), RMSProp(lr=0.4), Adam(lr=0.1), Momentum(lr=0.1, momentum=0.9)]
)
def test_best_lr_against_a_brute_force_fine_grid(optimizer):
    scene = Scene(surface=surfaces.ravine(), optimizers=[optimizer], start=(-7, 2), steps=150)
    result = tune(scene)[0]
    points, goals, radius = race_goals(scene)
    fine = np.geomspace(1e-4, 10, 400)
    brute = np.array(
        [lr_score(scene.surface, with_lr(optimizer, lr), points, 150, goals, radius) for lr in fine]
    )
    best_score = lr_score(
        scene.surface, with_lr(optimizer, result.best_lr), points, 150, goals, radius
    )
    assert best_score == result.arrival_step
    # As good as the best of 400 log-spaced rates, to one step.
    assert best_score <= brute.min() + 1
    # And the brute force's best lies within the refined neighbourhood of ours.
    assert abs(np.log10(fine[np.argmin(brute)] / result.best_lr)) < 1.0


def test_other_hyperparameters_stay_and_tuned_label():
    opt = Adam(lr=0.1, betas=(0.8, 0.95), eps=1e-6)
    copy = with_lr(opt, 0.3, "(tuned)")
    assert copy.hyperparameters == {**opt.hyperparameters, "lr": 0.3}
    assert copy.label == "Adam lr=0.3 β₁=0.8 β₂=0.95 ε=1e-06 (tuned)"
    assert isinstance(copy, Adam) and copy.name == "Adam"
    scene = tuned_scene(ravine_scene())
    assert all(o.label.endswith("(tuned)") for o in scene.optimizers)


def test_swarm_objective_is_the_median_over_starts():
    scene = Scene(
        surface=surfaces.himmelblau(),
        optimizers=[GD(lr=0.01)],
        starts=starts.ring((0, 0), 1.0, 5),
        goal="any",
        steps=100,
    )
    points, goals, radius = race_goals(scene)
    score = lr_score(scene.surface, GD(lr=0.01), points, 100, goals, radius)
    each = scene.race().arrival_step[0]
    assert score == np.sort(each)[2]


def test_tune_cli_table_json_plot(write_scene, cli, tmp_path):
    path = write_scene("""
        from anim import Scene, surfaces
        from anim.optimizers import GD, RMSProp
        scene = Scene(surface=surfaces.ravine(), optimizers=[GD(lr=0.4), RMSProp(lr=0.4)],
                      start=(-7, 2), steps=80)
    """)
    code, out, _ = cli("tune", path, "--json")
    assert code == 0
    report = json.loads(out)
    assert [r["name"] for r in report] == ["GD", "RMSProp"]
    assert all(set(r) >= {"name", "label", "best_lr", "arrival_step"} for r in report)
    code, out, err = cli("tune", path, "--plot", tmp_path / "sens.png")
    assert code == 0 and "best lr" in out and (tmp_path / "sens.png").stat().st_size > 1000
    code, _, err = cli("tune", path, "--plot", tmp_path / "sens.gif")
    assert code == 2
    assert_one_error_line(err, "sens.gif", "unknown output format")


def test_render_tuned_says_tuned(write_scene, cli, tmp_path):
    path = write_scene("""
        from anim import Scene, surfaces
        from anim.optimizers import GD
        scene = Scene(surface=surfaces.ravine(), optimizers=[GD(lr=0.4)], start=(-7, 2),
                      steps=40)
    """)
    out = tmp_path / "tuned.png"
    code, _, err = cli("render", path, "--tuned", "-o", out, "--sidecar")
    assert code == 0, err
    record = json.loads(out.with_name("tuned.png.json").read_text())
    assert "(tuned)" in json.dumps(record, ensure_ascii=False)


def test_the_readme_tune_table_of_the_showcase():
    from pathlib import Path

    import anim

    root = Path(__file__).resolve().parent.parent
    results = tune(anim.load_scene(root / "scenes" / "rmsprop_vs_adagrad.py"))
    table = [
        (r.optimizer.name, r.best_lr, r.arrival_step, r.grid_arrivals, r.grid_size) for r in results
    ]
    assert table == [
        ("GD", 0.945, 28, 2, 21),
        ("Momentum", 1.45, 12, 9, 21),
        ("AdaGrad", 6.81, 3, 6, 21),
        ("RMSProp", 1.94, 4, 10, 21),
    ]
    readme = (root / "README.md").read_text(encoding="utf-8")
    for name, lr, step, arrive, size in table:
        assert f"{lr:<7g}  {step:<12}  {arrive}/{size}" in readme, name


def test_own_label_and_colour_are_kept():
    opt = GD(lr=0.1, label="plain GD", color="#123456")
    tuned = with_lr(opt, 0.5, "(tuned)")
    assert tuned.label == "plain GD (tuned)" and tuned.color == "#123456"
    assert tuned.hyperparameters["lr"] == 0.5
    assert with_lr(GD(lr=0.1), 0.5).label == "GD lr=0.5"
