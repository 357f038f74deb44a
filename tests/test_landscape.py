"""Slices of real torch models: f and its gradient against direct evaluation, the planes,
PCA of several recorded runs, the disk cache, and one-line refusals of bad input."""

import copy
import subprocess
import sys

import numpy as np
import pytest
import torch

import anim
from anim import Scene, surfaces
from anim.landscape import (
    Plane,
    Recording,
    from_model,
    pca_plane,
    plane_through,
    random_plane,
    record,
    torch_model,
    trajectories,
)
from anim.optimizers import GD, Adam, from_optax, from_torch


def two_moons(count=96, seed=0):
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, np.pi, count)
    label = rng.integers(0, 2, count)
    x = np.where(label == 0, np.cos(angle), 1 - np.cos(angle))
    y = np.where(label == 0, np.sin(angle), 0.5 - np.sin(angle))
    return np.column_stack([x, y]) + 0.1 * rng.standard_normal((count, 2)), label


X, Y = two_moons()


def mlp(seed=0, dtype=torch.float32):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(2, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 3),
    ).to(dtype)


LOSS = torch.nn.CrossEntropyLoss()


def direct(model, theta, dtype=torch.float64, loss_fn=LOSS, data=(X, Y)):
    """The loss and its full gradient with the model's parameters set to ``theta``: a copy
    of the model, one forward and backward pass, no anim code."""
    twin = copy.deepcopy(model).to(dtype).eval()
    torch.nn.utils.vector_to_parameters(torch.tensor(theta, dtype=dtype), twin.parameters())
    inputs = torch.as_tensor(data[0]).to(dtype)
    targets = torch.as_tensor(data[1])
    targets = targets.to(dtype) if targets.is_floating_point() else targets
    loss = loss_fn(twin(inputs), targets)
    grads = torch.autograd.grad(loss, list(twin.parameters()))
    return loss.item(), torch.cat([g.reshape(-1) for g in grads]).double().numpy()


def train(model, make_optimizer, steps=12, every=1, label=None):
    net = copy.deepcopy(model)
    optimizer = make_optimizer(net.parameters())
    inputs, targets = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(Y)
    with record(net, optimizer, every=every, label=label) as run:
        for _ in range(steps):
            optimizer.zero_grad()
            loss = LOSS(net(inputs), targets)
            loss.backward()
            run.note_loss(loss)
            optimizer.step()
    return run.recording


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ANIM_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "slices"


# ------------------------------------------------------------------ f and its gradient


@pytest.mark.parametrize("dtype, tolerance", [("float64", 1e-10), ("float32", 1e-5)])
def test_f_and_gradient_equal_direct_evaluation(dtype, tolerance):
    model = mlp(1)
    surface = from_model(model, LOSS, (X, Y), dtype=dtype, cache=False)
    points = np.random.default_rng(2).uniform(-1, 1, (5, 2))
    values, grads = surface.value_and_grad_at(points)
    torch_dtype = getattr(torch, dtype)
    for point, value, grad in zip(points, values, grads):
        theta = surface.plane.point(*point)
        loss, full = direct(model, theta, torch_dtype)
        assert abs(value - loss) <= tolerance * abs(loss)
        projected = surface.plane.directions @ full
        np.testing.assert_allclose(
            grad, projected, rtol=tolerance, atol=tolerance * np.linalg.norm(projected)
        )
    # A grid-sized call (cached, chunked) gives the same numbers as the race's calls.
    grid = np.random.default_rng(3).uniform(-1, 1, (300, 2))
    grid[:5] = points
    threads = torch.get_num_threads()
    np.testing.assert_allclose(surface.values_at(grid)[:5], values, rtol=tolerance)
    assert torch.get_num_threads() == threads  # shared among threads, then given back
    np.testing.assert_allclose(surface(points[:, 0], points[:, 1]), values, rtol=tolerance)
    gx, gy = surface.grad(points[:, 0], points[:, 1])
    np.testing.assert_allclose(
        np.column_stack([gx, gy]), grads, rtol=tolerance, atol=tolerance * np.abs(grads).max()
    )
    assert surface.gradient_method == "autograd"


def test_a_conv_net_too():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 3, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(3 * 4 * 4, 2)
    )
    images = np.random.default_rng(0).standard_normal((20, 1, 6, 6))
    labels = np.arange(20) % 2
    surface = from_model(model, LOSS, (images, labels), dtype="float64", cache=False)
    value, grad = surface.value_and_grad_at(np.array([[0.3, -0.2]]))
    loss, full = direct(model, surface.plane.point(0.3, -0.2), data=(images, labels))
    assert abs(value[0] - loss) <= 1e-10 * loss
    np.testing.assert_allclose(grad[0], surface.plane.directions @ full, rtol=1e-10)


def test_batches_of_rows_give_the_same_value():
    model = mlp(2)
    whole = from_model(model, LOSS, (X, Y), dtype="float64", cache=False)
    batched = from_model(model, LOSS, (X, Y), dtype="float64", batch_size=10, cache=False)
    points = np.array([[0.2, -0.7], [-0.5, 0.5]])
    for a, b in zip(whole.value_and_grad_at(points), batched.value_and_grad_at(points)):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    # A loss summed over the rows is summed over the batches.
    summed = torch.nn.CrossEntropyLoss(reduction="sum")
    value = from_model(model, summed, (X, Y), dtype="float64", batch_size=7, cache=False).values_at(
        points
    )
    np.testing.assert_allclose(value, len(X) * whole.values_at(points), rtol=1e-12)


def test_the_model_is_evaluated_in_eval_mode_and_left_as_it_was():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 16), torch.nn.Dropout(0.5), torch.nn.Linear(16, 3)
    )
    model.train()
    surface = from_model(model, LOSS, (X, Y), dtype="float64", cache=False)
    first, second = surface.values_at([[0.1, 0.1]]), surface.values_at([[0.1, 0.1]])
    assert first == second  # no dropout: a deterministic function of the parameters
    assert model.training and model[1].training
    assert abs(first[0] - direct(model, surface.plane.point(0.1, 0.1))[0]) <= 1e-10 * first[0]


def test_a_slice_of_a_linear_model_is_its_closed_form_quadratic():
    """MSE of a linear model on a plane is a quadratic in (x, y): f, the gradient and the
    minimum the search finds all against the closed form."""
    rng = np.random.default_rng(5)
    inputs, weights = rng.standard_normal((50, 3)), np.array([[1.5, -2.0, 0.5]])
    targets = inputs @ weights.T + 0.3 + 0.1 * rng.standard_normal((50, 1))
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1).double()
    surface = from_model(
        model,
        torch.nn.MSELoss(),
        (inputs, targets),
        dtype="float64",
        bounds=((-30, 30), (-30, 30)),
        cache=False,
        biases="include",
    )
    design = np.column_stack([inputs, np.ones(50)])  # θ = (w1, w2, w3, b)
    r0 = design @ surface.plane.origin - targets[:, 0]
    r1, r2 = design @ surface.plane.directions[0], design @ surface.plane.directions[1]

    def closed(x, y):
        residual = r0 + x * r1 + y * r2
        return np.mean(residual**2), 2 * np.array([residual @ r1, residual @ r2]) / 50

    for point in [(0.0, 0.0), (3.0, -2.0), (-7.5, 11.0)]:
        value, grad = surface.value_and_grad_at(np.array([point]))
        expected, expected_grad = closed(*point)
        assert abs(value[0] - expected) <= 1e-12 * expected
        np.testing.assert_allclose(grad[0], expected_grad, rtol=1e-10)
    normal = np.array([[r1 @ r1, r1 @ r2], [r1 @ r2, r2 @ r2]])
    lowest = np.linalg.solve(normal, -np.array([r0 @ r1, r0 @ r2]))
    found = surface.replace(minimum="search", resolution=31).minima[0]
    np.testing.assert_allclose(found, lowest, rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------------ planes


def test_random_directions_are_filter_normalised():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(2, 4, 3),
        torch.nn.BatchNorm2d(4),
        torch.nn.Flatten(),
        torch.nn.Linear(4 * 9, 5),
    )
    weights = [p.detach().double().numpy() for p in model.parameters()]
    for biases in ("ignore", "include"):
        plane = random_plane(weights, seed=7, biases=biases)
        for direction in plane.directions:
            start = 0
            for weight in weights:
                part = direction[start : start + weight.size].reshape(weight.shape)
                start += weight.size
                if weight.ndim > 1:  # one filter per output channel or unit
                    np.testing.assert_allclose(
                        np.linalg.norm(part.reshape(len(part), -1), axis=1),
                        np.linalg.norm(weight.reshape(len(weight), -1), axis=1),
                        rtol=1e-12,
                    )
                elif biases == "ignore":
                    assert not part.any()
                else:
                    assert np.isclose(np.linalg.norm(part), np.linalg.norm(weight), rtol=1e-12)
        np.testing.assert_array_equal(plane.origin, np.concatenate([w.ravel() for w in weights]))
    same = random_plane(weights, seed=7).directions
    np.testing.assert_array_equal(same, random_plane(weights, seed=7).directions)
    assert not np.allclose(same, random_plane(weights, seed=8).directions)
    slice_ = from_model(
        model, LOSS, (np.zeros((4, 2, 5, 5)), np.arange(4) % 5), seed=7, cache=False
    )
    np.testing.assert_array_equal(slice_.plane.directions, same)
    assert slice_.bounds == ((-1.0, 1.0), (-1.0, 1.0)) and slice_.start == (0.0, 0.0)


def test_three_checkpoints_land_exactly_at_their_coordinates():
    model = mlp(3)
    first = train(model, lambda p: torch.optim.SGD(p, lr=0.5), steps=4)
    second = train(model, lambda p: torch.optim.Adam(p, lr=0.05), steps=4)
    checkpoints = [
        copy.deepcopy(model).state_dict(),  # a state dict
        first.params[-1],  # a flat vector
        second.params[-1],
    ]
    surface = from_model(model, LOSS, (X, Y), plane=checkpoints, dtype="float64", cache=False)
    thetas = [surface.plane.origin, first.params[-1], second.params[-1]]
    coordinates, distances = surface.plane.project(thetas)
    np.testing.assert_allclose(coordinates, [[0, 0], [1, 0], [0, 1]], atol=1e-12)
    assert np.all(distances <= 1e-12 * np.linalg.norm(thetas[1]))
    for point, theta in zip(coordinates, thetas):
        assert abs(surface(*point) - direct(model, theta)[0]) <= 1e-10 * direct(model, theta)[0]
    assert surface.bounds == ((-0.5, 1.5), (-0.5, 1.5))
    # A model of the same architecture and a list of tensors name the same points.
    twin = mlp(3)
    torch.nn.utils.vector_to_parameters(
        torch.tensor(first.params[-1], dtype=torch.float32), twin.parameters()
    )
    tensors = [torch.tensor(p) for p in surface.loss.weights()]
    other = from_model(
        model, LOSS, (X, Y), plane=(tensors, twin, second.params[-1]), dtype="float64", cache=False
    )
    np.testing.assert_allclose(other.plane.directions, surface.plane.directions, atol=1e-7)


def test_two_explicit_directions_around_the_model():
    model = mlp(4)
    size = sum(p.numel() for p in model.parameters())
    rng = np.random.default_rng(0)
    d1, d2 = rng.standard_normal(size) * 0.1, rng.standard_normal(size) * 0.1
    surface = from_model(
        model, LOSS, (X, Y), plane=(d1, torch.tensor(d2)), dtype="float64", cache=False
    )
    theta0 = surface.loss.flat()
    assert abs(surface(0, 0) - direct(model, theta0)[0]) <= 1e-10 * surface(0, 0)
    assert abs(surface(1, -2) - direct(model, theta0 + d1 - 2 * d2)[0]) <= 1e-10 * surface(1, -2)
    assert surface.plane.kind == "directions" and surface.bounds == ((-1.0, 1.0), (-1.0, 1.0))


def test_pca_of_several_runs_is_the_pca_of_all_their_points():
    model = mlp(5)
    runs = [
        train(model, lambda p: torch.optim.SGD(p, lr=0.5), label="SGD"),
        train(model, lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9), label="Momentum"),
        train(model, lambda p: torch.optim.Adam(p, lr=0.05), label="Adam"),
    ]
    view = trajectories(runs, model, LOSS, (X, Y), dtype="float64", cache=False)
    plane = view.surface.plane
    points = np.concatenate([run.params for run in runs])
    mean = points.mean(axis=0)
    np.testing.assert_allclose(plane.origin, mean, rtol=1e-14, atol=1e-15)
    # Independently: the eigenvectors of the scatter matrix.
    scatter = (points - mean).T @ (points - mean)
    eigenvalues, eigenvectors = np.linalg.eigh(scatter)
    top = eigenvectors[:, ::-1][:, :2].T
    np.testing.assert_allclose(np.abs(np.sum(top * plane.directions, axis=1)), 1, rtol=1e-9)
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-12)
    shares = eigenvalues[::-1][:2] / eigenvalues.sum()
    np.testing.assert_allclose(plane.variance, shares, rtol=1e-9)
    for run, racer in zip(runs, view.runs):
        offsets = run.params - mean
        expected = offsets @ plane.directions.T
        np.testing.assert_allclose(racer.path, expected, rtol=1e-12, atol=1e-12)
        residual = offsets - expected @ plane.directions
        np.testing.assert_allclose(
            racer.fidelity.distance, np.linalg.norm(residual, axis=1), rtol=1e-9, atol=1e-12
        )
        # The start and end of the run are where its first and last parameters project.
        assert np.allclose(racer.path[[0, -1]], expected[[0, -1]], atol=1e-12)
        for k in (0, len(run) - 1):
            truth = direct(model, run.params[k])[0]
            assert abs(racer.fidelity.true_loss[k] - truth) <= 1e-10 * truth
            assert abs(racer.fidelity.slice_loss[k] - view.surface(*racer.path[k])) <= 1e-10
        np.testing.assert_array_equal(racer.fidelity.training_steps, run.steps)
        np.testing.assert_array_equal(racer.fidelity.reported_loss[:-1], run.losses[:-1])
    assert [r.label for r in view.runs] == ["SGD", "Momentum", "Adam"]
    assert all(tuple(r.path[0]) == view.start for r in view.runs)
    # Oriented so that the first run moves towards +x.
    assert view.runs[0].path[-1, 0] > view.runs[0].path[0, 0]
    # The default bounds hold every projected point with room around it.
    (x0, x1), (y0, y1) = view.surface.bounds
    every = np.concatenate([r.path for r in view.runs])
    assert x0 < every[:, 0].min() and every[:, 0].max() < x1
    assert y0 < every[:, 1].min() and every[:, 1].max() < y1


def test_runs_that_lie_in_a_plane_are_reproduced_exactly():
    model = mlp(6)
    origin = torch.nn.utils.parameters_to_vector(model.parameters()).double().detach().numpy()
    rng = np.random.default_rng(1)
    u, v = rng.standard_normal((2, origin.size)) * 0.05
    curve = np.array([[np.cos(t), np.sin(2 * t)] for t in np.linspace(0, 2, 9)])
    params = origin + curve @ np.stack([u, v])
    run = Recording(params, np.arange(9), np.full(9, np.nan), label="in the plane")
    view = trajectories([run], model, LOSS, (X, Y), dtype="float64", cache=False)
    fidelity = view.runs[0].fidelity
    assert np.all(fidelity.distance <= 1e-12)
    assert np.all(np.abs(fidelity.gap) <= 1e-10 * fidelity.true_loss)
    # The plane reproduces each recorded vector from its coordinates.
    np.testing.assert_allclose(
        view.surface.plane.points(view.runs[0].path), params, rtol=1e-12, atol=1e-12
    )


def test_record_every_kth_step_with_its_start_and_end():
    model = mlp(7)
    net = copy.deepcopy(model)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.3)
    inputs, targets = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(Y)
    snapshots, losses = [], []
    run = record(net, every=3, label="by hand")
    for _ in range(10):
        snapshots.append(
            torch.nn.utils.parameters_to_vector(net.parameters()).double().detach().numpy()
        )
        optimizer.zero_grad()
        loss = LOSS(net(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        run.step(loss)
    snapshots.append(
        torch.nn.utils.parameters_to_vector(net.parameters()).double().detach().numpy()
    )
    recording = run.finish()
    np.testing.assert_array_equal(recording.steps, [0, 3, 6, 9, 10])
    np.testing.assert_array_equal(recording.params, np.stack(snapshots)[[0, 3, 6, 9, 10]])
    np.testing.assert_allclose(recording.losses[:4], np.array(losses)[[0, 3, 6, 9]], rtol=1e-6)
    assert np.isnan(recording.losses[4]) and recording.label == "by hand"
    with pytest.raises(RuntimeError, match="finished"):
        run.step()
    # With the optimizer, its step() records by itself; the label is its class name.
    hooked = train(model, lambda p: torch.optim.Adam(p, lr=0.01), steps=5, every=2)
    np.testing.assert_array_equal(hooked.steps, [0, 2, 4, 5])
    assert hooked.label == "Adam" and hooked.training_steps == 5
    # Following an optimizer, it must not be stepped twice.
    follower = record(net, torch.optim.SGD(net.parameters(), lr=0.1))
    with pytest.raises(RuntimeError, match="by itself"):
        follower.step()
    follower.finish()


# ------------------------------------------------------------------ projected runs race


def test_a_scene_of_projected_runs_replays_them_with_their_true_loss(tmp_path):
    import base64
    import json

    from anim import board
    from anim.figure import RaceFigure
    from anim.tune import tune

    model = mlp(8)
    runs = {
        "slow": train(model, lambda p: torch.optim.SGD(p, lr=0.1), steps=8),
        "fast": train(model, lambda p: torch.optim.Adam(p, lr=0.05), steps=6),
    }
    view = trajectories(runs, model, LOSS, (X, Y), dtype="float64", cache=False, resolution=15)
    scene = view.scene()
    assert scene.steps == 8 and "projected" in scene.title and scene.surface.minima == ()
    result = scene.race()
    assert result.goals == () and result.arrival_step == (None, None)
    np.testing.assert_array_equal(result.paths[0], view.runs[0].path)
    # The shorter run holds its last point.
    np.testing.assert_array_equal(result.paths[1, :7], view.runs[1].path)
    assert np.all(result.paths[1, 7:] == view.runs[1].path[-1])
    # The board shows each run's true loss L, not the slice's f under it.
    truth = view.runs[1].fidelity.true_loss
    assert board.status(result, 1, 3, None) == f"L = {board.number(truth[3])}"
    assert board.status(result, 1, 8, None) == f"L = {board.number(truth[-1])}"
    figure = RaceFigure(result)
    try:
        distance, gap = (
            panel for panel in figure.layers if type(panel).__name__ == "FidelityPanel"
        )
        figure.update(5)
        for panel, series in ((distance, "distance"), (gap, "gap")):
            for i, line in panel.lines:
                values = getattr(view.runs[i].fidelity, series)
                np.testing.assert_array_equal(line.get_ydata(), values[:6])
    finally:
        figure.close()
    with pytest.raises(ValueError, match="takes no goal="):
        view.scene(goal=(0, 0))
    path = anim.still(scene, tmp_path / "runs.png", size=(480, 360))
    assert path.stat().st_size > 0
    # The page draws them too: its data carries both panels' values and the true losses.
    page = anim.render(scene, tmp_path / "runs.html", size=(480, 360)).read_text("utf-8")
    data = json.loads(page.split('class="anim-data">')[1].split("</script>")[0])
    fidelity = [panel for panel in data["panels"] if panel["kind"] == "fidelity"]
    assert [panel["quantity"] for panel in fidelity] == ["distance", "gap"]
    for panel in fidelity:
        values = np.frombuffer(base64.b64decode(panel["values"]), "<f8").reshape(2, 9)
        for i in panel["racers"]:
            series = getattr(view.runs[i].fidelity, panel["quantity"])
            np.testing.assert_array_equal(
                values[i], series[np.minimum(np.arange(9), len(series) - 1)]
            )
    reported = np.frombuffer(base64.b64decode(data["runs"]["arrays"]["reported"]), "<f8")
    np.testing.assert_array_equal(reported[9:], truth[np.minimum(np.arange(9), 6)])
    assert [meta["lossSymbol"] for meta in data["runs"]["meta"]] == ["L", "L"]
    # A recording has no learning rate: tune refuses it, the page's knobs keep its path.
    with pytest.raises(
        ValueError, match="slow is a recorded training run, with no learning rate to change"
    ):
        tune(scene)
    with pytest.raises(anim.RequestError, match="the loss panel and the lr panel do not go"):
        anim.still(scene, tmp_path / "x.png", loss_panel=True)
    with pytest.raises(anim.RequestError, match="slow is a projected training run"):
        anim.still(scene, tmp_path / "x.png", explain=True)
    # Beside anim's own racers, only theirs are explained.
    mixed = Scene(
        surface=view.surface, optimizers=[*view.runs, GD(0.5)], start=view.start, steps=8, goal=None
    )
    assert anim.still(mixed, tmp_path / "mixed.png", explain=["GD"], size=(480, 360)).exists()
    with pytest.raises(
        ValueError,
        match="slow is a recorded training run: it replays its "
        "own path from its own start, so it races no swarm",
    ):
        Scene(
            surface=view.surface,
            optimizers=list(view.runs),
            steps=3,
            starts=[view.start, (0.0, 0.0)],
        )
    with pytest.raises(anim.OptimizerError, match="slow is a recorded run that starts at"):
        Scene(surface=view.surface, optimizers=list(view.runs), steps=3, start=(0.0, 0.0)).race()


RUNS_SCENE = """\
import copy, numpy as np, torch, anim

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.Tanh(), torch.nn.Linear(6, 2))
rng = np.random.default_rng(0)
inputs = torch.tensor(rng.standard_normal((40, 2)), dtype=torch.float32)
labels = torch.tensor((rng.standard_normal(40) > 0).astype(np.int64))
loss_fn = torch.nn.CrossEntropyLoss()
runs = []
for make in (lambda p: torch.optim.SGD(p, lr=0.5), lambda p: torch.optim.Adam(p, lr=0.05)):
    net = copy.deepcopy(model)
    optimizer = make(net.parameters())
    with anim.record(net, optimizer) as run:
        for _ in range(6):
            optimizer.zero_grad()
            loss_fn(net(inputs), labels).backward()
            optimizer.step()
    runs.append(run.recording)
scene = anim.trajectories(runs, model, loss_fn, (inputs, labels), resolution=11,
                          cache=False).scene()
"""


def test_race_reports_the_true_loss_of_projected_runs(cli, write_scene):
    import json

    path = write_scene(RUNS_SCENE)
    code, out, err = cli("race", path, "--json")
    assert code == 0, err
    report = json.loads(out)
    scene = anim.load_scene(path)
    assert [o["label"] for o in report["optimizers"]] == ["SGD", "Adam"]
    assert [o["final_loss"] for o in report["optimizers"]] == [
        run.fidelity.true_loss[-1] for run in scene.optimizers
    ]
    assert all(o["arrival_step"] is None for o in report["optimizers"])


def test_every_capability_works_on_a_slice(tmp_path):
    model = mlp(9)
    trained = train(model, lambda p: torch.optim.Adam(p, lr=0.05), steps=150)
    torch.nn.utils.vector_to_parameters(
        torch.tensor(trained.params[-1], dtype=torch.float32), model.parameters()
    )
    # Around trained weights, the lowest point of a random plane is near the middle.
    surface = from_model(
        model,
        LOSS,
        (X, Y),
        resolution=15,
        minimum="search",
        bounds=((-2, 2), (-2, 2)),
        cache=False,
        dtype="float64",
    )
    assert surfaces.from_model.__doc__ and len(surface.minima) == 1
    scene = Scene(
        surface=surface,
        start=(1.5, -1.5),
        steps=15,
        optimizers=[GD(0.5), Adam(0.1), from_torch(torch.optim.Adam, lr=0.1)],
    )
    result = scene.race()
    np.testing.assert_allclose(result.paths[1], result.paths[2], rtol=1e-6, atol=1e-6)
    # GD's path is x - lr·∇f with the slice's gradient.
    _, grads = surface.value_and_grad_at(result.paths[0, :-1])
    np.testing.assert_allclose(result.paths[0, 1:], result.paths[0, :-1] - 0.5 * grads, rtol=1e-12)
    swarm = Scene(surface=surface, starts=anim.starts.grid(2), steps=5, optimizers=[GD(0.5)]).race()
    assert swarm.paths.shape == (1, 4, 6, 2)
    # An own optimizer, an optax one, the basin map and the tuner on the same slice.
    import optax

    from anim.basins import basin_maps
    from anim.tune import tune

    @anim.optimizer(lr=0.1)
    def HandGD(x, g, state, *, lr):
        return x - lr * g, state

    mixed = Scene(
        surface=surface,
        start=(1.5, -1.5),
        steps=8,
        optimizers=[HandGD(0.5), GD(0.5), from_optax(optax.sgd(0.5))],
    )
    paths = mixed.race().paths  # one vectorized call per step: equal to rounding
    np.testing.assert_allclose(paths[0], paths[1], rtol=1e-9)
    np.testing.assert_allclose(paths[2], paths[1], rtol=1e-6)
    (basins,) = basin_maps(
        Scene(surface=surface, start=(1.5, -1.5), steps=6, optimizers=[GD(0.5)]), resolution=3
    )
    assert basins.reached.shape == (3, 3)
    (tuned,) = tune(
        Scene(surface=surface, start=(1.5, -1.5), steps=6, optimizers=[GD(0.5)]), low=0.1, high=1.0
    )
    assert 0.1 <= tuned.best_lr <= 1.0
    for view in ("2d", "3d"):
        assert (
            anim.still(
                scene,
                tmp_path / f"{view}.png",
                size=(480, 360),
                view=view,
                explain=True,
                lr_panel=True,
            )
            .stat()
            .st_size
            > 0
        )
    assert "<canvas" in anim.render(scene, tmp_path / "race.html", size=(480, 360)).read_text()


# ------------------------------------------------------------------ the cache


def test_grids_are_cached_on_disk_by_model_data_plane_and_points(cache_dir, monkeypatch):
    model = mlp(10)
    first = from_model(model, LOSS, (X, Y), dtype="float64", resolution=21)
    values = first.grid()[2]
    assert len(list(cache_dir.glob("*.npy"))) == 1
    calls = []
    real = torch_model.ModelLoss.along

    def counted(self, *args, **kwargs):
        calls.append(args[2].shape)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(torch_model.ModelLoss, "along", counted)
    again = from_model(model, LOSS, (X, Y), dtype="float64", resolution=21)
    np.testing.assert_array_equal(again.grid()[2], values)
    assert calls == []  # read from disk, nothing evaluated
    # Another plane, other data, other parameters, another grid: evaluated afresh.
    from_model(model, LOSS, (X, Y), dtype="float64", resolution=21, seed=1).grid()
    from_model(model, LOSS, (X * 2, Y), dtype="float64", resolution=21).grid()
    changed = copy.deepcopy(model)
    with torch.no_grad():
        changed[0].weight[0, 0] += 1e-3
    from_model(changed, LOSS, (X, Y), dtype="float64", resolution=21).grid()
    from_model(model, LOSS, (X, Y), dtype="float64", resolution=23).grid()
    assert len(calls) == 4
    assert len(list(cache_dir.glob("*.npy"))) == 5
    # cache=False writes nothing; a damaged file is evaluated again.
    from_model(model, LOSS, (X, Y), dtype="float64", resolution=25, cache=False).grid()
    assert len(list(cache_dir.glob("*.npy"))) == 5
    for path in cache_dir.glob("*.npy"):
        path.write_bytes(b"not numpy")
    np.testing.assert_array_equal(
        from_model(model, LOSS, (X, Y), dtype="float64", resolution=21).grid()[2], values
    )
    assert len(calls) == 6


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    from anim.landscape.cache import cache_folder

    monkeypatch.setenv("ANIM_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_folder() == tmp_path / "mine" / "slices"
    monkeypatch.delenv("ANIM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "anim" / "slices"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder() == tmp_path / "home" / ".cache" / "anim" / "slices"


# ------------------------------------------------------------------ bad input


def _one_step_run():
    return train(mlp(0), lambda p: torch.optim.SGD(p, lr=0.1), steps=1, label="short")


def _size():
    return sum(p.numel() for p in mlp(0).parameters())


BAD = {
    "shape mismatch": (
        lambda: dict(data=(np.zeros((96, 3)), Y)),
        "the model (Sequential) cannot take the inputs of shape (96, 3)",
    ),
    "rows mismatch": (
        lambda: dict(data=(X, Y[:-1])),
        "inputs and targets do not fit: 96 input rows",
    ),
    "loss not a scalar": (
        lambda: dict(loss_fn=torch.nn.CrossEntropyLoss(reduction="none")),
        "loss_fn must return one number for the batch (a scalar), got a tensor of shape (96,)",
    ),
    "loss that fails": (lambda: dict(data=(X, Y + 5)), "loss_fn cannot compare"),
    "parallel directions": (
        lambda: dict(plane=(np.ones(_size()), -2 * np.ones(_size()))),
        "direction 1 and direction 2 are parallel",
    ),
    "zero direction": (
        lambda: dict(plane=(np.ones(_size()), np.zeros(_size()))),
        "direction 2 is zero",
    ),
    "collinear points": (
        lambda: dict(plane=(np.zeros(_size()), np.ones(_size()), 2 * np.ones(_size()))),
        "θ₀, θ₁ and θ₂ lie on one line",
    ),
    "same points": (
        lambda: dict(plane=(np.ones(_size()), np.ones(_size()), np.zeros(_size()))),
        "θ₁ equals θ₀",
    ),
    "wrong size": (
        lambda: dict(plane=(np.ones(5), np.ones(5))),
        f"direction 1 has 5 numbers, but the model has {_size()} parameters",
    ),
    "pca without runs": (lambda: dict(plane="pca"), "plane='pca' needs the recorded runs"),
    "run of one step": (
        lambda: dict(plane="pca", runs=[_one_step_run()]),
        "run 'short' recorded 1 step: a trajectory needs at least 2 steps",
    ),
    "missing device": (lambda: dict(device="cuda:99"), "device 'cuda:99' is missing"),
    "meta device": (lambda: dict(model=mlp(0).to("meta")), "on the meta device"),
    "bad dtype": (lambda: dict(dtype="float16"), "Invalid dtype: 'float16'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_before_any_grid_is_evaluated(case, monkeypatch):
    def evaluated(*args, **kwargs):
        raise AssertionError("a grid was evaluated")

    monkeypatch.setattr(torch_model.ModelLoss, "along", evaluated)
    monkeypatch.setattr(torch_model.ModelLoss, "losses", evaluated)
    make, message = BAD[case]
    arguments = dict(model=mlp(0), loss_fn=LOSS, data=(X, Y), cache=False)
    arguments.update(make())
    with pytest.raises(ValueError) as caught:
        from_model(
            arguments.pop("model"), arguments.pop("loss_fn"), arguments.pop("data"), **arguments
        )
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_runs_from_different_starts_are_refused():
    runs = [
        train(mlp(0), lambda p: torch.optim.SGD(p, lr=0.1), label="a"),
        train(mlp(1), lambda p: torch.optim.SGD(p, lr=0.1), label="b"),
    ]
    with pytest.raises(ValueError, match="runs 'a' and 'b' start from different parameters"):
        trajectories(runs, mlp(0), LOSS, (X, Y), cache=False)


def test_runs_that_move_on_one_line_span_no_plane():
    origin = np.zeros(_size())
    line = Recording(
        origin + np.linspace(0, 1, 5)[:, None] * np.ones(_size()), np.arange(5), np.full(5, np.nan)
    )
    with pytest.raises(ValueError, match="move along one line"):
        pca_plane([line.params])


def test_a_bad_model_in_a_scene_file_is_one_line(cli, write_scene):
    path = write_scene("""\
        import numpy as np, torch
        from anim import Scene, surfaces
        from anim.optimizers import GD

        model = torch.nn.Linear(2, 1)
        inputs, targets = np.zeros((10, 3)), np.zeros((10, 1))
        surface = surfaces.from_model(model, torch.nn.MSELoss(), (inputs, targets))
        scene = Scene(surface=surface, optimizers=[GD(0.1)])
        """)
    code, _, err = cli("race", path)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith(
        f"anim: error: {path}: error while loading (line 7): "
        "ValueError: the model (Linear) cannot take the inputs of "
        "shape (10, 3)"
    )


def test_import_anim_does_not_import_torch():
    code = (
        "import sys, anim, anim.race, anim.landscape, anim.surfaces; "
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_plane_is_checked_where_it_is_made():
    with pytest.raises(ValueError, match="Invalid biases"):
        random_plane([np.ones((2, 2))], biases="sometimes")
    with pytest.raises(ValueError, match="θ₂ equals θ₁"):
        plane_through(np.zeros(3), np.ones(3), np.ones(3))
    plane = Plane(np.zeros(3), np.eye(3)[:2], "directions", "L")
    with pytest.raises(ValueError, match="cannot be projected"):
        plane.project(np.zeros((1, 4)))


# ------------------------------------------------------------------ the gallery and README


def test_the_gallery_slices_say_what_the_readme_says():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    runs = anim.load_scene(root / "scenes" / "real_mlp.py")
    first, second = (100 * share for share in runs.surface.plane.variance)
    assert f"{first:.1f} % and {second:.1f} %" in readme
    assert f"({first:.1f} % + {second:.1f} % of their variance)" in runs.title
    start = runs.optimizers[0].fidelity
    assert (
        f"stand {start.distance[0]:.2f} away" in readme
        and f"read {start.slice_loss[0]:.2f} where the true loss is {start.true_loss[0]:.2f}"
        in readme
    )
    result = runs.race()
    assert result.goals == () and all(step is None for step in result.arrival_step)
    finals = {o.name.split()[0]: o.fidelity.true_loss[-1] for o in runs.optimizers}
    assert (
        f"SGD at L = {finals['SGD']:.3f}, Adam at {finals['Adam']:.3f}, Momentum at "
        f"{finals['Momentum']:.3f}"
    ) in readme
    worst = max(abs(o.fidelity.gap[-1]) for o in runs.optimizers)
    assert f"within {worst:.3f} of every run's loss" in readme
    race = anim.load_scene(root / "scenes" / "real_mlp_race.py").race()
    assert race.arrival_step == (None, None, 101) and "arrives at step 101" in readme
    first_step = np.linalg.norm(race.paths[0, 1] - race.paths[0, 0])
    assert f"GD's first step is {first_step:.3f} long" in readme


def test_runs_recorded_every_kth_step_say_so():
    from anim.figure import RaceFigure

    model = mlp(11)
    runs = [
        train(model, lambda p: torch.optim.SGD(p, lr=0.5), steps=10, every=3),
        train(model, lambda p: torch.optim.Adam(p, lr=0.05), steps=10, every=3),
    ]
    view = trajectories(runs, model, LOSS, (X, Y), cache=False, resolution=11)
    assert view.title().endswith(", a step per 3 training steps")
    np.testing.assert_array_equal(view.runs[0].fidelity.training_steps, [0, 3, 6, 9, 10])
    figure = RaceFigure(view.scene().race())
    try:
        labels = [
            layer.ax.get_xlabel()
            for layer in figure.layers
            if type(layer).__name__ == "FidelityPanel"
        ]
        assert labels == ["step (×3 training steps)"] * 2
    finally:
        figure.close()
