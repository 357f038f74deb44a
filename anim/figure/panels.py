"""Side panels that grow in lockstep with the race: the loss panel (log f above the goal
against the step, one curve per racer, an arrival marked with the racer's outline)."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from ..race import RaceResult
from .layer import Layer, Stage
from .racers import shown_steps
from .surface import style_axes
from .theme import TEXT_FONT, TRAIL_Z


class LossPanel(Layer):
    def __init__(self, result: RaceResult):
        super().__init__()
        self.result = result
        self.shown = shown_steps(result)
        last = self.shown[:, -1]
        self.origin, self.reference = self._reference(last)
        losses = result.losses - self.origin
        # Exactly on the reference: drawn at the floor of the axis instead of dropped.
        self.values = np.where(losses <= 0, 1e-300, losses)
        self.step_numbers = np.arange(result.steps + 1)

    def _reference(self, last) -> tuple[float, str]:
        """What the panel measures from, and the word of its axis label: f at the goal,
        unless the racers went lower (a goal that is no minimum); then the lowest f shown."""
        result = self.result
        shown = [result.losses[i, :last[i] + 1] for i in range(len(result.optimizers))]
        lowest = float(np.nanmin(np.concatenate(shown)))
        if result.goal is not None:
            at_goal = float(result.surface(*result.goal))
            if at_goal <= lowest:
                return at_goal, "loss_to_goal"
        return lowest, "loss_to_lowest"

    def build(self, stage: Stage, ax=None):
        ax = ax if ax is not None else stage.panels[0]
        result, theme = self.result, stage.theme
        last = self.shown[:, -1]
        values = self.values[np.arange(result.steps + 1) <= last[:, None]]
        finite = values[np.isfinite(values) & (values > 1e-300)]
        ax.set_xlim(0, result.steps)
        if finite.size:
            high = float(finite.max())
            ax.set_yscale("log")
            ax.set_ylim(max(float(finite.min()), high * 1e-16) / 2, high * 2)
        ax.set_xlabel(stage.words.step_axis, fontsize=TEXT_FONT, labelpad=2, color=theme.text)
        ax.set_ylabel(getattr(stage.words, self.reference), fontsize=TEXT_FONT, labelpad=2,
                      color=theme.text)
        style_axes(ax, theme)
        ax.grid(True, which="major", color=theme.grid, linewidth=0.5)
        self.ax = ax
        self.lines = []
        for i, racer in enumerate(stage.racers):
            # An arrival ends its loss curve with the same outline as on the map.
            line = Line2D([], [], color=racer.color, linewidth=1.4, zorder=TRAIL_Z + 0.01 * i,
                          marker=racer.marker, markersize=6, markerfacecolor="none",
                          markeredgewidth=1.2, markevery=[])
            ax.add_line(line)
            self.lines.append(line)
        self.moving += self.lines

    def update(self, step: int):
        for i, line in enumerate(self.lines):
            last = self.shown[i, step]
            line.set_data(self.step_numbers[:last + 1], self.values[i, :last + 1])
            arrived = self.result.status(i, step) == "arrived"
            line.set_markevery([self.result.arrival_step[i]] if arrived else [])
        return self.lines


class LearningRatePanel(Layer):
    """The effective learning rate |Δx_i| / |g_i| of each step, log scale, one curve per
    racer and axis (x solid, y dashed): AdaGrad's falls for ever, RMSProp's recovers.
    When some racers are explained, only theirs."""

    def __init__(self, result: RaceResult, racers: tuple[int, ...] = ()):
        super().__init__()
        self.result = result
        self.chosen = tuple(racers) or tuple(range(len(result.optimizers)))
        self.shown = shown_steps(result)
        self.rates = result.effective_lr
        self.step_numbers = np.arange(result.steps)

    def build(self, stage: Stage, ax=None):
        ax = ax if ax is not None else stage.panels[-1]
        result, theme = self.result, stage.theme
        last = np.minimum(self.shown[:, -1], result.steps - 1)
        visible = self.rates[list(self.chosen)][
            np.arange(result.steps) <= last[list(self.chosen), None]]
        finite = visible[np.isfinite(visible) & (visible > 0)]
        ax.set_xlim(0, max(result.steps - 1, 1))
        if finite.size:
            low, high = float(finite.min()), float(finite.max())
            ax.set_yscale("log")
            ax.set_ylim(max(low, high * 1e-12) / 1.5, high * 1.5)
        ax.set_xlabel(stage.words.step_axis, fontsize=TEXT_FONT, labelpad=2, color=theme.text)
        ax.set_ylabel(stage.words.effective_lr, fontsize=TEXT_FONT, labelpad=2,
                      color=theme.text)
        style_axes(ax, theme)
        ax.grid(True, which="major", color=theme.grid, linewidth=0.5)
        self.ax = ax
        self.lines = []
        for i in self.chosen:
            racer = stage.racers[i]
            for axis, dashes in ((0, "-"), (1, (0, (3, 1.5)))):
                line = Line2D([], [], color=racer.color, linewidth=1.3, linestyle=dashes,
                              zorder=TRAIL_Z + 0.01 * i)
                ax.add_line(line)
                self.lines.append((i, axis, line))
        self.moving += [line for _, _, line in self.lines]

    def update(self, step: int):
        for i, axis, line in self.lines:
            last = min(self.shown[i, step], self.result.steps) - 1
            line.set_data(self.step_numbers[:last + 1], self.rates[i, :last + 1, axis])
        return self.moving
