"""The fidelity panels of projected training runs: how far the 2D picture can be trusted.

A racer that replays a real run's projection on a plane (it carries a ``fidelity``
record, see :mod:`anim.landscape.replay`) gets two curves growing in lockstep with the
race, one panel each:

- the distance of the run's parameters from the plane, ‖θ − θ̂‖: where it is large, the
  point on the contours is far from where the run really is;
- the true loss minus the slice's loss at the projected point, L(θ) − f(x, y): what the
  contours under the head get wrong about the run's loss (0 on the plane).

Both on linear axes, a zero line across the second, one curve per run in its colour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ..combinations import message
from ..optimizers import Optimizer
from ..race import RaceResult
from .layer import Layer, Stage
from .surface import style_axes
from .theme import TEXT_FONT, TRAIL_Z

if TYPE_CHECKING:
    from ..landscape.replay import Fidelity

#: (attribute of the fidelity record, the panel's axis label).
QUANTITIES = {"distance": "‖θ − plane‖", "gap": "L(θ) − f(x, y)"}


def fidelity_records(optimizers: Iterable[Optimizer]) -> dict[int, Fidelity]:
    """Racer index -> its fidelity record, for the racers that replay a recorded run's
    projection (they carry one)."""
    return {
        i: record
        for i, optimizer in enumerate(optimizers)
        if (record := getattr(optimizer, "fidelity", None)) is not None
    }


def projected_runs(optimizers: Iterable[Optimizer]) -> list[int]:
    """Indices of the racers that replay a recorded run's projection."""
    return list(fidelity_records(optimizers))


def refusal(
    optimizers: Sequence[Optimizer], *, loss_panel: bool, lr_panel: bool, explain: Iterable[int]
) -> str | None:
    """Why a picture of these racers cannot have what was asked, or None. Projected runs
    are replayed, not stepped on the slice: the step glyphs say nothing about them; their
    panels take the room of the loss and lr panels (whose curves the gap panel replaces).
    Every output draws them, the page too (:mod:`anim.pagedata.panels`)."""
    projected = projected_runs(optimizers)
    if not projected:
        return None
    if loss_panel or lr_panel:
        return message("projected-panels")
    named = [optimizers[i].label for i in explain if i in projected]
    if named:
        return message("projected-explain", label=named[0])
    return None


def fidelity_panels(result: RaceResult) -> list[FidelityPanel]:
    """The two fidelity panels when the race has projected runs, else none."""
    if not projected_runs(result.optimizers):
        return []
    return [FidelityPanel(result, quantity) for quantity in QUANTITIES]


class FidelityPanel(Layer):
    def __init__(self, result: RaceResult, quantity: str) -> None:
        super().__init__()
        self.result = result
        self.quantity = quantity
        records = fidelity_records(result.optimizers)
        self.chosen = list(records)
        steps = result.steps
        self.values = np.full((len(result.optimizers), steps + 1), np.nan)
        for i, record in records.items():
            series = np.asarray(getattr(record, quantity), dtype=float)
            held = np.minimum(np.arange(steps + 1), len(series) - 1)  # a shorter run holds
            self.values[i] = series[held]
        self.step_numbers = np.arange(steps + 1)

    def build(self, stage: Stage, ax: Axes | None = None) -> None:
        ax = ax if ax is not None else stage.panels[-1]
        theme, steps = stage.theme, self.result.steps
        shown = self.values[self.chosen]
        finite = shown[np.isfinite(shown)]
        low = min(float(finite.min()), 0.0) if finite.size else 0.0
        high = max(float(finite.max()), 0.0) if finite.size else 1.0
        pad = 0.08 * (high - low) if high > low else max(abs(high), 1.0) * 0.1
        ax.set_xlim(0, max(steps, 1))
        # The panels may sit at the frame's right edge: no tick label centred on it.
        ticks = MaxNLocator(nbins=5, integer=True).tick_values(0, max(steps, 1))
        ax.set_xticks([t for t in ticks if 0 <= t <= 0.9 * max(steps, 1)])
        ax.set_ylim(low - pad, high + pad)
        every = max(getattr(self.result.optimizers[i], "every", 1) for i in self.chosen)
        xlabel = "step" if every == 1 else f"step (×{every} training steps)"
        ax.set_xlabel(xlabel, fontsize=TEXT_FONT, labelpad=2, color=theme.text)
        ax.set_ylabel(QUANTITIES[self.quantity], fontsize=TEXT_FONT, labelpad=2, color=theme.text)
        style_axes(ax, theme)
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4), useMathText=True)
        ax.yaxis.get_offset_text().set_fontsize(TEXT_FONT - 1)
        ax.grid(True, which="major", color=theme.grid, linewidth=0.5)
        if self.quantity == "gap":
            ax.axhline(0.0, color=theme.muted, linewidth=0.8, zorder=TRAIL_Z - 0.5)
        self.ax = ax
        self.lines: list[tuple[int, Line2D]] = []
        for i in self.chosen:
            line = Line2D(
                [], [], color=stage.racers[i].color, linewidth=1.4, zorder=TRAIL_Z + 0.01 * i
            )
            ax.add_line(line)
            self.lines.append((i, line))
        self.moving += [line for _, line in self.lines]

    def update(self, step: int) -> list[Artist]:
        for i, line in self.lines:
            line.set_data(self.step_numbers[: step + 1], self.values[i, : step + 1])
        return self.moving
