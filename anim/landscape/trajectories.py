"""Real training runs on one shared plane: :func:`trajectories`.

Several recorded runs (say SGD, Momentum and Adam from the same initial weights) are
projected onto one plane, by default the PCA plane of all of them together, so the runs
of different optimizers are compared on one landscape. Each becomes a
:class:`~anim.landscape.replay.ProjectedRun` that a scene animates in lockstep over the
slice's contours, with its true loss on the scoreboard and, in the fidelity panels, how
far each recorded point lies from the plane and how far the slice's loss under its
projection is from its true loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from ..optimizers.base import Color
from .record import Runs, as_runs
from .replay import Fidelity, ProjectedRun
from .slice import ModelSlice, PlaneChoice, from_model
from .torch_types import Data, LossFunction, Model

if TYPE_CHECKING:
    from ..scene import Scene

T = TypeVar("T")

__all__ = ["Trajectories", "trajectories"]


@dataclass(frozen=True)
class Trajectories:
    """The slice (``surface``) and the projected runs on it (``runs``, racers)."""

    surface: ModelSlice
    runs: tuple[ProjectedRun, ...]

    @property
    def start(self) -> tuple[float, float]:
        """Where every run starts on the plane (they share their initial weights)."""
        return self.runs[0].start

    @property
    def steps(self) -> int:
        """Recorded steps of the longest run."""
        return max(run.steps for run in self.runs)

    def scene(self, **options: Any) -> Scene:
        """A :class:`~anim.Scene` that animates the runs over the slice, from their start,
        for all their steps, with no finish line (a projection reaching the slice's lowest
        point is no arrival) and a title that says these are projections of real runs.
        ``options`` go to ``Scene`` (``title``, ``fps``, ``theme``...)."""
        from ..scene import Scene

        surface = self.surface
        if surface.minima:  # a goal would count arrivals that are artefacts of the plane
            surface = surface.replace(minimum=None)
        options.setdefault("title", self.title())
        options.setdefault("steps", self.steps)
        for refused in ("goal", "start", "starts"):
            if refused in options:
                raise ValueError(
                    f"a scene of projected runs takes no {refused}=: the runs "
                    "start where they started and have no finish line"
                )
        return Scene(surface=surface, optimizers=list(self.runs), start=self.start, **options)

    def title(self) -> str:
        """ "Real training runs projected on their PCA plane (98.6 % + 1.1 % of their
        variance)" or the like."""
        plane = self.surface.plane
        kind = plane.kind
        where = {
            "pca": "their PCA plane",
            "random": "a random plane",
            "points": "the plane through 3 points",
            "directions": "a plane",
        }.get(kind, "a plane")
        title = f"Real training runs, projected on {where}"
        if kind == "pca" and plane.variance is not None:
            first, second = (100 * share for share in plane.variance)
            title += f" ({first:.1f} % + {second:.1f} % of their variance)"
        every = max(run.every for run in self.runs)
        if every > 1:
            title += f", a step per {every} training steps"
        return title


def trajectories(
    runs: Runs,
    model: Model | None = None,
    loss_fn: LossFunction | None = None,
    data: Data | None = None,
    *,
    surface: ModelSlice | None = None,
    plane: PlaneChoice = "pca",
    labels: Sequence[str] | None = None,
    colors: Sequence[Color] | None = None,
    **slice_options: Any,
) -> Trajectories:
    """Project recorded ``runs`` (from :func:`anim.record`: a recording, a list, or a dict
    label -> recording) onto one plane and make each a racer that replays its projection.

    Either give the model, ``loss_fn`` and ``data`` (a slice is made with
    :func:`anim.surfaces.from_model`, ``plane="pca"`` of all runs together by default,
    ``slice_options`` passed on), or ``surface=`` a slice made before. The runs must start
    from the same parameters (they are drawn from one start). ``labels`` and ``colors``
    (lists) name and colour the racers; by default each run's own label.

    Each run's true loss L(θ) at its recorded points is evaluated over the slice's data
    (the loss the loop reported is kept in ``fidelity.reported_loss``)."""
    if surface is None:
        if model is None or loss_fn is None or data is None:
            raise ValueError(
                "trajectories needs the model, loss_fn and data (or surface=, "
                "a slice from anim.surfaces.from_model)"
            )
        recorded = as_runs(runs)
        surface = from_model(model, loss_fn, data, plane=plane, runs=recorded, **slice_options)
    elif slice_options or plane != "pca" or model is not None:
        raise ValueError(
            "give either surface= or the model, loss_fn, data and slice options, not both"
        )
    if not isinstance(surface, ModelSlice):
        raise ValueError(
            "surface= must be a model slice (from anim.surfaces.from_model), "
            f"got {type(surface).__name__}"
        )
    loss, chosen = surface.loss, surface.plane
    recorded = as_runs(runs, loss.size)
    first = recorded[0].params[0]
    for run in recorded[1:]:
        if not np.array_equal(run.params[0], first):
            apart = float(np.linalg.norm(run.params[0] - first))
            raise ValueError(
                f"runs {recorded[0].label!r} and {run.label!r} start from "
                f"different parameters ({apart:.3g} apart): anim draws runs "
                "from one start; train them from the same initial weights "
                "(e.g. copy.deepcopy(model) before training)"
            )
    names: list[str | None] = _each(labels, len(recorded), "labels")
    looks: list[Color | None] = _each(colors, len(recorded), "colors")
    counts = np.cumsum([0] + [len(run) for run in recorded])
    everything = np.concatenate([run.params for run in recorded])
    coordinates, distances = chosen.project(everything)
    true_losses = loss.losses(everything)
    slice_losses = surface.values_at(coordinates)
    # One start, one point: the same parameters must not differ in the last bits of a
    # matrix product's rounding.
    for series in (coordinates, distances, true_losses, slice_losses):
        series[counts[:-1]] = series[0]
    racers = []
    for index, run in enumerate(recorded):
        part = slice(counts[index], counts[index + 1])
        fidelity = Fidelity(
            run.steps.copy(),
            true_losses[part],
            slice_losses[part],
            distances[part],
            run.losses.copy(),
        )
        racers.append(
            ProjectedRun(
                coordinates[part],
                fidelity,
                name=run.label or "run",
                every=run.every,
                label=names[index],
                color=looks[index],
            )
        )
    return Trajectories(surface, tuple(racers))


def _each(values: Sequence[T] | None, count: int, what: str) -> list[T | None]:
    """``values``, one per run (None: none given, each run's own)."""
    if values is None:
        return [None] * count
    given: list[T | None] = list(values)
    if len(given) != count:
        raise ValueError(f"{what} has {len(given)} entries for {count} runs")
    return given
