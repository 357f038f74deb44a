"""The races a page's knobs can reach, precomputed: the page is one offline file with no
server, so every setting a reader can pick is raced here (as Panel's ``embed=True`` does).

``knobs=["lr"]`` races each racer from the scene's start at every learning rate ``anim
tune`` tries for it (its log grid from 1e-4 to 10 and the refinements around the best),
the tuned optimum among them, plus every racer's own rate in the scene (so "the same rate
for all" can move every racer to one rate of the grid or of the scene). Each racer's
rates are one batch (:func:`~anim.optimizers.sweep.rate_sweep`), so a racer costs one
race, vectorised over its rates. ``knobs=["lr", "momentum"]`` (or ``rho``, ``beta1``,
``beta2``) adds, for the first racer that has that hyperparameter, a pad: the grid of
tune's first learning rates (and its own) × :data:`SECOND_VALUES` of the other.

A racer whose learning rate cannot change (an optax transformation already built, a
custom schedule) keeps its path; :attr:`RacerKnobs.reason` says why. Pure numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .engine import NO_STEP, race_starts
from .optimizers import Optimizer
from .optimizers.sweep import rate_sweep
from .tune import HIGH_LR, LOW_LR, PER_DECADE, _readable, race_goals, tune_optimizer

__all__ = [
    "KNOBS",
    "SECOND_VALUES",
    "Run",
    "RacerKnobs",
    "Pad",
    "check_knobs",
    "knob_races",
    "base_lr",
    "with_hyperparameter",
]

#: The second knob's values on the pad, per hyperparameter (the scene's own is added).
SECOND_VALUES = {
    "momentum": (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99),
    "beta1": (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99),
    "rho": (0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999),
    "beta2": (0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999),
}
#: What ``knobs=`` may name: the learning rate, then at most one of these.
KNOBS = ("lr", *SECOND_VALUES)
#: Pad hyperparameters as the legend writes them.
SYMBOLS = {"momentum": "β", "beta1": "β₁", "rho": "ρ", "beta2": "β₂"}


def check_knobs(knobs) -> tuple[str, ...]:
    """``knobs`` as a tuple of names: None/False/empty -> (); "lr" or "lr,momentum" or
    ["lr", "momentum"]. ValueError for anything else, naming what is accepted."""
    if knobs is None or knobs is False:
        return ()
    names = knobs.split(",") if isinstance(knobs, str) else knobs
    try:
        names = tuple(str(name).strip() for name in names)
    except TypeError:
        raise ValueError(
            f"Invalid knobs: {knobs!r} (a list of names such as ['lr'] or 'lr,momentum')"
        ) from None
    names = tuple(name for name in names if name)
    if not names:
        return ()
    if (
        names[0] != "lr"
        or len(names) > 2
        or any(n not in KNOBS for n in names)
        or len(set(names)) != len(names)
    ):
        raise ValueError(
            f"Invalid knobs: {','.join(names)!r} (lr, optionally followed by "
            f"one of {', '.join(SECOND_VALUES)}: e.g. lr or lr,momentum)"
        )
    return names


def base_lr(optimizer: Optimizer) -> float | None:
    """The learning rate ``optimizer`` races at (a schedule's base rate), or None when it
    does not say (an optax transformation, a torch default)."""
    lr = optimizer.hyperparameters.get("lr")
    if isinstance(lr, dict):
        lr = lr.get("lr")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)):
        return None
    return float(lr)


def second_value(optimizer: Optimizer, name: str) -> float | None:
    """The value of pad hyperparameter ``name`` of ``optimizer``, or None if it has none."""
    spec = getattr(optimizer, "_spec", {})
    values = getattr(optimizer, "_hp", {})
    if name in ("beta1", "beta2"):
        if "betas" not in spec:
            return None
        return float(values["betas"][0 if name == "beta1" else 1])
    return float(values[name]) if name in spec else None


def with_hyperparameter(optimizer: Optimizer, name: str, value: float) -> Optimizer:
    """A copy of a built-in or ``@anim.optimizer`` optimizer with hyperparameter ``name``
    (``beta1``/``beta2``: one of ``betas``) set to ``value``, its colour and own label
    kept. ValueError when the value is not valid for it."""
    settings = dict(optimizer._hp)
    if name in ("beta1", "beta2"):
        betas = list(settings["betas"])
        betas[0 if name == "beta1" else 1] = value
        settings["betas"] = tuple(betas)
    else:
        settings[name] = value
    own = optimizer.label if optimizer.label != optimizer.generated_label else None
    return type(optimizer)(**settings, color=optimizer.color, label=own)


@dataclass
class Run:
    """One racer raced at one setting: its path up to where the picture stops showing it
    (its arrival, its last finite point, or the last step; with noise, every step)."""

    lr: float | None
    second: float | None
    optimizer: Optimizer
    paths: np.ndarray  # (n, 2)
    losses: np.ndarray  # (n,)
    grads: np.ndarray  # (n, 2), the gradients stepped with (noisy with noise)
    arrival: int | None
    diverged: int | None
    arrived_at: int | None  # index into the race's goals
    velocities: np.ndarray | None = None  # (min(n, steps), 2) with explain
    step_scales: np.ndarray | None = None

    @property
    def label(self) -> str:
        return self.optimizer.label

    def lr_steps(self) -> np.ndarray:
        """(n,) the learning rate of the step from each point (a schedule read per step)."""
        return np.array([self.optimizer.lr_at(k) for k in range(len(self.paths))], dtype=float)


@dataclass
class Pad:
    """The grid of learning rate × ``name`` for one racer: ``runs[j][k]`` at ``lrs[k]``
    and ``values[j]`` (None where that pair is not a valid optimizer)."""

    name: str
    lrs: np.ndarray
    values: np.ndarray
    runs: list[list[Run | None]]
    scene_value: float


@dataclass
class RacerKnobs:
    """What racer ``index``'s knobs can reach."""

    index: int
    #: Why its rate cannot change (its path is fixed), or None.
    reason: str | None = None
    scene_lr: float | None = None
    tuned_lr: float | None = None
    #: The last rate, going up, before the first one that diverges (None: none diverges).
    edge_lr: float | None = None
    #: Ascending rates and their runs; the run at the scene's own rate is the scene's
    #: (``scene_run`` its index), raced again here only as the check that it is the same.
    runs: list[Run] = field(default_factory=list)
    scene_run: int | None = None
    pad: Pad | None = None

    @property
    def lrs(self) -> np.ndarray:
        return np.array([run.lr for run in self.runs])


def first_grid() -> np.ndarray:
    """The log grid ``anim tune`` starts from (before refining around the best)."""
    count = int(round(PER_DECADE * np.log10(HIGH_LR / LOW_LR))) + 1
    return _readable(np.geomspace(LOW_LR, HIGH_LR, count))


@dataclass(frozen=True)
class _Setting:
    """What every race of the knobs shares: the scene's start, goals, steps and noise."""

    scene: Any  # a Scene (anim.scene imports this module)
    steps: int
    noise: float
    seed: int | None


def _race_rates(
    setting: _Setting, optimizer: Optimizer, lrs, explain: bool, second: float | None = None
) -> list[Run]:
    """``optimizer`` at every rate of ``lrs`` from the scene's start, in one batch."""
    scene, steps = setting.scene, setting.steps
    points, goals, radius = race_goals(scene)
    lrs = np.asarray(lrs, dtype=float)
    noisy = setting.noise > 0
    sweep = rate_sweep(optimizer, lrs, 1)
    race = race_starts(
        scene.surface,
        sweep,
        np.repeat(points[:1], len(lrs), axis=0),
        steps,
        goals,
        radius,
        noise=setting.noise,
        seed=setting.seed,
        noise_rows=np.zeros(len(lrs), dtype=int),
        noise_starts=1,
        keep_paths=True,
        stop_when_finished=not noisy,
        explain=explain,
    )
    runs = []
    velocities, scales = race.velocities, race.step_scales
    for row, lr in enumerate(lrs):
        arrival, diverged = int(race.arrival_step[row]), int(race.diverged_step[row])
        # As the figure shows it: stopped at an arrival (without noise), else at the last
        # finite point before a divergence, else the whole race.
        if arrival != NO_STEP and not noisy:
            last = arrival
        elif diverged != NO_STEP:
            last = max(diverged - 1, 0)
        else:
            last = steps
        runs.append(
            Run(
                float(lr),
                second,
                optimizer.with_lr(float(lr)),
                _rows(race.paths, row, last),
                _rows(race.losses, row, last),
                _rows(race.grads, row, last),
                None if arrival == NO_STEP else arrival,
                None if diverged == NO_STEP else diverged,
                None if race.arrived_at[row] == NO_STEP else int(race.arrived_at[row]),
                # The glyphs of every point shown, the last one's too (NaN if it never stepped).
                None if velocities is None else _rows(velocities, row, last),
                None if scales is None else _rows(scales, row, last),
            )
        )
    return runs


def _rows(values: np.ndarray | None, row: int, last: int) -> np.ndarray:
    """Race row ``row``'s values up to index ``last`` (the race kept them all)."""
    assert values is not None
    return values[row, : last + 1].copy()


def _edge(runs: list[Run]) -> float | None:
    for k, run in enumerate(runs):
        if run.diverged is not None and run.arrival is None:
            return runs[k - 1].lr if k else None
    return None


def knob_races(
    scene,
    knobs,
    steps: int | None = None,
    explained=(),
    noise: float | None = None,
    seed: int | None = None,
) -> list[RacerKnobs]:
    """Per racer of ``scene``, the races its knobs reach (see the module docstring), for
    ``steps`` steps with gradient ``noise`` and ``seed`` (default: the scene's);
    ``explained`` racers also record what the step glyphs draw. ValueError when the
    scene has no goal (the chart and the snaps need a finish line) or no racer has the
    second knob."""
    knobs = check_knobs(knobs)
    if not knobs:
        return []
    if scene.starts is not None:
        raise ValueError("knobs race one start at many rates; a swarm (starts=...) has none")
    setting = _Setting(
        scene,
        scene.steps if steps is None else steps,
        scene.noise if noise is None else noise,
        scene.seed if seed is None else seed,
    )
    steps = setting.steps
    points, goals, radius = race_goals(scene)
    optimizers = scene.optimizers
    own_rates = {lr for lr in map(base_lr, optimizers) if lr is not None}
    # The lock moves every racer to a rate they all have: the grid and the scene's rates.
    shared = np.union1d(first_grid(), sorted(own_rates))
    found = []
    for index, optimizer in enumerate(optimizers):
        entry = RacerKnobs(index, reason=optimizer.not_tunable, scene_lr=base_lr(optimizer))
        found.append(entry)
        if entry.reason:
            continue
        tuned = tune_optimizer(
            scene.surface,
            optimizer,
            points,
            steps,
            goals,
            radius,
            noise=setting.noise,
            seed=setting.seed,
        )
        entry.tuned_lr = tuned.best_lr
        lrs = np.union1d(tuned.lrs, shared)
        lrs = np.array([lr for lr in lrs if _buildable(optimizer, lr)])
        entry.runs = _race_rates(setting, optimizer, lrs, index in explained)
        if entry.scene_lr is not None:
            entry.scene_run = int(np.argmin(np.abs(np.log(lrs / entry.scene_lr))))
        entry.edge_lr = _edge(entry.runs)
    if len(knobs) == 2:
        _add_pad(setting, found, knobs[1], explained)
    return found


def _buildable(optimizer: Optimizer, lr: float) -> bool:
    try:
        optimizer.with_lr(float(lr))
    except ValueError:  # a constraint between lr and another hyperparameter
        return False
    return True


def _add_pad(setting: _Setting, found: list[RacerKnobs], name: str, explained):
    scene = setting.scene
    for entry in found:
        optimizer = scene.optimizers[entry.index]
        value = second_value(optimizer, name)
        if entry.reason is None and value is not None:
            break
    else:
        raise ValueError(
            f"no racer has a {name} to turn (the racers: "
            f"{', '.join(o.label for o in scene.optimizers)})"
        )
    lrs = np.union1d(first_grid(), [entry.scene_lr] if entry.scene_lr else [])
    values = np.union1d(SECOND_VALUES[name], [value])
    rows: list[list[Run | None]] = []
    for second in values:
        try:
            changed = with_hyperparameter(optimizer, name, float(second))
        except ValueError:
            rows.append([None] * len(lrs))
            continue
        usable = [lr for lr in lrs if _buildable(changed, lr)]
        raced = dict(
            zip(
                usable,
                _race_rates(setting, changed, usable, entry.index in explained, float(second)),
            )
        )
        rows.append([raced.get(lr) for lr in lrs])
    entry.pad = Pad(name, lrs, values, rows, value)
