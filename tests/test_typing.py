"""The public API is typed for its users: the wheel ships ``py.typed``, a script that uses
anim as documented type-checks cleanly, and a wrong call is reported where it is made.

mypy reads anim here as a user's checker does: from an installed wheel (PEP 561), not
from this source tree.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import get_args

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Scenes, optimizers, schedules and start points as the README and the docs use them.
# torch and optax are left out of the script (their classes and factories come in as
# arguments), so that the check does not analyse those libraries.
USER_SCRIPT = """\
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import anim
from anim import RaceResult, Scene, Surface, SwarmResult, schedules, starts, surfaces
from anim.landscape import ModelSlice, Recorder, Recording, Trajectories
from anim.optimizers import (GD, OPTIMIZERS, Adam, Momentum, Optimizer, RMSProp,
                             from_optax, from_torch, optimizer)


def bowl(x, y):
    return x**2 / 20 + y**2


def gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x / 10, 2 * y


valley = Surface(bowl, grad=gradient, bounds=((-8, 8), (-3, 3)), minimum=(0, 0),
                 start=(-7, 2), formula="x²/20 + y²")
shifted: Surface = valley.replace(start=(-6.0, 1.5))


@optimizer(lr=0.1, rho=0.9, eps=1e-8)
def HandRMSProp(x, g, state, *, lr, rho, eps):
    h = rho * state.get("h", 0.0) + (1 - rho) * g * g
    return x - lr * g / (np.sqrt(h) + eps), {"h": h, "second_moment": h}


def race_torch(optimizer_class: type) -> Optimizer:
    return from_torch(optimizer_class, 0.05, betas=(0.9, 0.99), label="Lion",
                      elementwise=True)


def race_optax(factory: Callable[..., Any]) -> Optimizer:
    return from_optax(factory, lr=schedules.exponential(0.1, 0.99), name="Adam")


racers: list[Optimizer] = [
    GD(0.4),
    Momentum(0.4, momentum=0.9, color="tab:orange"),
    RMSProp(schedules.warmup_cosine(0.4, warmup_steps=10, steps=100), rho=0.9, label="RMSProp"),
    Adam(lr=lambda step: 0.1 / (1 + step), betas=(0.9, 0.99), amsgrad=True),
    HandRMSProp(0.4),
    OPTIMIZERS["AdaGrad"](0.4),
]
tuned: Optimizer = racers[2].with_lr(0.2, note="(tuned)")
label: str = tuned.label
settings: dict[str, Any] = tuned.hyperparameters

points = np.array([[-7.0, 2.0]])
state = racers[0].init(points)
points, state = racers[0].update(valley.value_and_grad_at(points)[1], state, points)

result: RaceResult = anim.simulate(valley, racers, steps=100, goal_radius=0.1)
order: list[int] = result.finish_order()
arrival: int | None = result.arrival_step[0]
decided: int = result.decided_step()
final: float | None = result.final_loss(0)

grid = starts.resolve_starts(starts.grid(5), valley)
swarm: SwarmResult = anim.simulate_swarm(valley, racers[:2], grid, steps=50, noise=0.1,
                                         seed=1)
median: int | None = swarm.median_arrival_step(0)
rings: starts.StartPoints = starts.ring((0, 0), 1.5, 8)

scene = anim.Scene(surface=valley, optimizers=racers, steps=100)
loaded = anim.load_scene("scenes/rmsprop_vs_adagrad.py")
gif: Path = anim.render(scene, "output/valley.gif")
png: Path = anim.still(scene, Path("output/valley.png"), frame=20)

banana: Surface = surfaces.rosenbrock(a=1, b=100.0)
bowls: list[Surface] = [surfaces.ravine(scale=10), surfaces.rastrigin(a=5.0),
                        surfaces.himmelblau(), surfaces.SURFACES["beale"]()]
shown = Scene(surface=banana, optimizers=(GD(1e-3), Adam(0.05)), start=(-1.5, 2), steps=300,
              title="Banana", goal=(1, 1), goal_radius=0.05, fps=25, loss_panel=True,
              theme="dark", colormap="magma", colorbar=True, explain=["Adam"],
              lr_panel=True, noise=0.1, seed=None, view="both", camera="30,-60",
              font="DejaVu Sans", language="ja")
anywhere = Scene(surface=surfaces.himmelblau(), optimizers=racers, start=(0, 0), goal="any",
                 explain=True, camera=(30, -60), font=Path("fonts/Noto.otf"))
swarms = [Scene(surface=valley, optimizers=racers[:2], starts=starts.grid(4), view="3d"),
          Scene(surface=valley, optimizers=racers[:2], starts=[(-7, 2), (-6, 1)]),
          Scene(surface=valley, optimizers=racers[:2], starts=np.zeros((3, 2)))]
outcome: RaceResult | SwarmResult = shown.race(steps=10, noise=0.0, seed=1, explain=True)


# A torch model, its loss and its optimizer come in as arguments (see above).
def landscape(model: Any, loss_fn: Any, optimizer: Any, inputs: np.ndarray,
              targets: np.ndarray) -> Scene:
    recorder: Recorder = anim.record(model, optimizer, every=2, label="Adam")
    with anim.record(model, label="SGD") as run:
        run.note_loss(0.5)
        run.step(0.25)
    recording: Recording = recorder.finish()
    slice_: ModelSlice = surfaces.from_model(model, loss_fn, (inputs, targets), plane="pca",
                                             runs=[recording, run], resolution=31,
                                             minimum="search", dtype="float64", cache=False)
    view: Trajectories = anim.trajectories({"Adam": recording}, surface=slice_,
                                           labels=["Adam"], colors=["tab:blue"])
    return view.scene(fps=20, theme="dark")
"""

# Each line a mistake, with the error code mypy must give it.
WRONG_CALLS = """\
import numpy as np

import anim
from anim import Surface, schedules, starts, surfaces
from anim.optimizers import GD, Adam, RMSProp, from_torch, optimizer

valley = Surface(lambda x, y: x**2 + y**2, bounds=((-1, 1), (-1, 1)))
RMSProp(lr="fast")  # arg-type
GD(0.1, momentum=0.9)  # call-arg
Adam(0.1, betas=0.9)  # arg-type
schedules.cosine("0.5", steps=100)  # arg-type
from_torch("Adam", lr=0.1)  # arg-type
Surface(lambda x, y: x + y, bounds="wide")  # arg-type
starts.grid("4")  # arg-type
anim.simulate(valley, [GD(0.1)], steps="many")  # arg-type
anim.simulate(valley, GD(0.1))  # arg-type
optimizer(lr="fast")  # call-overload
anim.Scene(surface=1, optimizers=[GD(0.1)])  # arg-type
surfaces.rosenbrock(b="steep")  # arg-type
anim.Scene(surface=valley, optimizers=[GD(0.1)], view="4d")  # arg-type
anim.Scene(surface=valley, optimizers=[GD(0.1)], starts=4)  # arg-type
path: str = anim.render(anim.Scene(surface=valley, optimizers=[GD(0.1)]))  # assignment
anim.record(np.zeros(3))  # arg-type
name: int = GD(0.1).label  # assignment
order: list[str] = anim.simulate(valley, [GD(0.1)]).finish_order()  # assignment
params = np.zeros((1, 2))
GD(0.1).update(params, GD(0.1).init(params))  # call-arg
"""


# The landscape's torch objects for real: a model, its optimizer, losses and tensors fit
# the types anim names for them (which never import torch).
TORCH_SCRIPT = """\
import torch

import anim
from anim import surfaces

model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
inputs, targets = torch.randn(64, 2), torch.randn(64, 1)
with anim.record(model, optimizer, label="Momentum") as run:
    for _ in range(3):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        run.note_loss(loss)
        optimizer.step()
manual = anim.record(model, every=2)
manual.step(torch.tensor(0.5))
checkpoints = (model.state_dict(), list(model.parameters()), torch.zeros(33))
slice_ = surfaces.from_model(model, torch.nn.MSELoss(), (inputs, targets), runs=[run],
                             plane=checkpoints, dtype=torch.float64, device="cpu")
view = anim.trajectories([run, manual], model, torch.nn.functional.mse_loss,
                         [inputs, targets], device=torch.device("cpu"))
"""


@pytest.fixture(scope="module")
def mypy_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Kept between runs in pytest's cache when it has one: a second run takes seconds."""
    cache = getattr(request.config, "cache", None)
    return cache.mkdir("mypy-user") if cache is not None else tmp_path_factory.mktemp("mypy")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """anim's wheel, built from a copy of the project (the build leaves its files there)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT / "anim", source / "anim", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "--wheel-dir",
            str(work / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (path,) = (work / "dist").glob("anim-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel: Path) -> Path:
    """The wheel unpacked as a folder of installed packages."""
    site = wheel.parent.parent / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def check(
    scripts: dict[str, str], site: Path, cache: Path, where: Path
) -> tuple[int, list[tuple[str, int, str]]]:
    """mypy's exit status and its errors (file, line, code) on ``scripts``, with anim
    found in ``site`` as an installed package (PYTHONPATH is where mypy looks for them)."""
    for name, text in scripts.items():
        (where / name).write_text(text, encoding="utf-8")
    environment = {key: value for key, value in os.environ.items() if key != "MYPYPATH"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--cache-dir",
            str(cache),
            "--no-error-summary",
            "--python-version",
            "3.11",
            *scripts,
        ],
        cwd=where,
        capture_output=True,
        text=True,
        check=False,
        env={**environment, "PYTHONPATH": str(site)},
    )
    errors = [
        (match[1], int(match[2]), match[3])
        for match in re.finditer(r"^(\S+?):(\d+): error: .*\[([a-z-]+)\]$", result.stdout, re.M)
    ]
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.returncode, errors


def test_the_wheel_ships_py_typed(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "anim/py.typed" in names
    assert "anim/optimizers/base.py" in names


def test_a_user_script_type_checks(installed: Path, mypy_cache: Path, tmp_path: Path) -> None:
    status, errors = check({"user.py": USER_SCRIPT}, installed, mypy_cache, tmp_path)
    assert errors == []
    assert status == 0


def test_wrong_calls_are_reported_where_they_are_made(
    installed: Path, mypy_cache: Path, tmp_path: Path
) -> None:
    expected = [
        ("wrong.py", number, line.rsplit("# ", 1)[1])
        for number, line in enumerate(WRONG_CALLS.splitlines(), start=1)
        if "  # " in line
    ]
    status, errors = check({"wrong.py": WRONG_CALLS}, installed, mypy_cache, tmp_path)
    assert status == 1
    # Every wrong line, with its code, and nothing else.
    assert sorted(set(errors)) == sorted(expected)


def test_torch_objects_fit_the_landscape_api(
    installed: Path, mypy_cache: Path, tmp_path: Path
) -> None:
    status, errors = check({"torch_user.py": TORCH_SCRIPT}, installed, mypy_cache, tmp_path)
    assert errors == []
    assert status == 0


def test_the_scene_literals_are_the_tables_it_is_checked_against() -> None:
    from anim.palette import PALETTES
    from anim.scene import ThemeName
    from anim.settings import VIEWS, View
    from anim.words import LANGUAGES, Language

    assert get_args(ThemeName) == tuple(PALETTES)
    assert get_args(Language) == tuple(LANGUAGES)
    assert get_args(View) == VIEWS == ("2d", "3d", "both")


def test_without_py_typed_the_api_is_untyped(
    installed: Path, mypy_cache: Path, tmp_path: Path
) -> None:
    # The marker is what makes the types visible: without it, mypy refuses the package.
    (installed / "anim" / "py.typed").rename(tmp_path / "py.typed")
    try:
        _, errors = check({"plain.py": "import anim\n"}, installed, mypy_cache, tmp_path)
    finally:
        (tmp_path / "py.typed").rename(installed / "anim" / "py.typed")
    assert errors == [("plain.py", 1, "import-untyped")]
