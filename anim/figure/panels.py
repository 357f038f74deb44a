"""Side panels that grow in lockstep with the race: the loss panel (log f above the goal
against the step, one curve per racer, an arrival marked with the racer's outline) and
the effective-lr panel (|Δx|/|g| of each step, per axis).

For a swarm (many starts) a racer's curve is the median over its starts, with the
interquartile range as a band around it. A start that arrived holds its arrival (it is
drawn stopped there), unless noisy gradients keep it moving; a start that flew off
leaves the statistics from its divergence on (the scoreboard counts it). A racer's curve
ends where the last of its starts stopped, with its outline once one of them arrived.
"""

from __future__ import annotations

import warnings

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.typing import LineStyleType

from .. import board
from ..race import RaceResult
from .layer import Layer, Stage
from .racers import shown_steps
from .surface import style_axes
from .swarm import held_at_arrival, swarm_shown_steps
from .theme import TEXT_FONT, TICK_FONT, TRAIL_Z

#: Opacity of a swarm's interquartile band, and where it is drawn: under the curves,
#: over the spines (2.5; a tie would draw them in another order in a full redraw).
BAND_ALPHA, BAND_Z = 0.2, TRAIL_Z - 0.4
#: The lr panel's range reaches this many decades beyond the 5th and 95th percentiles of
#: all it shows (as far as the values go), and spans at least MIN_DECADES.
REACH, MIN_DECADES = 1.5, 1.0
#: The share of the lr panel's height kept free above the range for the key.
KEY_BAND = 0.16
#: A dash pattern readable at a line width of 1.3 points: the y-axis curves.
DASHED: LineStyleType = (0, (3, 1.5))


def over_starts(values: np.ndarray) -> np.ndarray:
    """(3, optimizers, ...): the 25th, 50th and 75th percentiles over axis 1 (the starts)
    of ``values`` (optimizers, starts, ...), ignoring NaN (numpy's linear interpolation);
    NaN where no start has a value."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: NaN, as meant
        return np.nanpercentile(values, [25, 50, 75], axis=1)


def gone(result) -> np.ndarray:
    """(optimizers, starts, steps + 1): True from the step a start flew off, unless it
    had arrived before and is drawn stopped there."""
    steps = np.arange(result.steps + 1)
    diverged = result.diverged_step
    flew_off = (diverged >= 0) & ~held_at_arrival(result)
    return flew_off[..., None] & (steps >= diverged[..., None])


def swarm_finish(result) -> np.ndarray:
    """(optimizers,): the step by which each racer's starts have all arrived or flown
    off (its last step when one of them does neither)."""
    ends = np.where(
        result.arrival_step >= 0,
        result.arrival_step,
        np.where(result.diverged_step >= 0, result.diverged_step, result.steps),
    )
    return ends.max(axis=1)


def drawn_until(result) -> np.ndarray:
    """(optimizers, steps + 1): the last step of each racer's curve drawn after each step:
    where it stopped (one start), or where its last start stopped (a swarm)."""
    if not board.is_swarm(result):
        return shown_steps(result)
    last = swarm_shown_steps(result)[..., -1].max(axis=1)
    return np.minimum(np.arange(result.steps + 1)[None, :], last[:, None])


def robust_range(values: np.ndarray) -> tuple[float, float] | None:
    """(low, high) of the positive finite ``values`` on a log scale: from the smallest to
    the largest, but at most REACH decades beyond their 5th and 95th percentiles, so a
    few values far off (a rate of 1e10 where the gradient is almost 0) cannot squeeze
    the rest into a sliver, while a curve that really falls or climbs over decades keeps
    its range; at least MIN_DECADES wide. None when there are no such values."""
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return None
    logs = np.log10(values)
    p5, p95 = np.percentile(logs, [5, 95])
    # The extreme values themselves where they are in reach, not 10 ** log10 of them:
    # that can round below the largest value and mark it as beyond the range.
    low = float(values.min()) if logs.min() >= p5 - REACH else 10.0 ** (p5 - REACH)
    high = float(values.max()) if logs.max() <= p95 + REACH else 10.0 ** (p95 + REACH)
    if np.log10(high / low) < MIN_DECADES:
        middle = np.sqrt(high * low)
        low, high = middle / 10 ** (0.5 * MIN_DECADES), middle * 10 ** (0.5 * MIN_DECADES)
    return low, high


def band_outline(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The polygon (k, 2) between ``low`` and ``high`` over ``x``, where both are finite."""
    finite = np.isfinite(low) & np.isfinite(high)
    x, low, high = x[finite], low[finite], high[finite]
    if not x.size:
        return np.zeros((0, 2))
    return np.column_stack([np.concatenate([x, x[::-1]]), np.concatenate([high, low[::-1]])])


def _band(ax, color, zorder) -> Polygon:
    band = Polygon(
        np.zeros((0, 2)),
        closed=True,
        facecolor=color,
        alpha=BAND_ALPHA,
        edgecolor="none",
        zorder=zorder,
    )
    ax.add_patch(band)
    return band


def _frame_panel(ax, stage: Stage, ylabel: str):
    theme = stage.theme
    ax.set_xlabel(stage.words.step_axis, fontsize=TEXT_FONT, labelpad=2, color=theme.text)
    ax.set_ylabel(ylabel, fontsize=TEXT_FONT, labelpad=2, color=theme.text)
    style_axes(ax, theme)
    ax.grid(True, which="major", color=theme.grid, linewidth=0.5)


class LossPanel(Layer):
    def __init__(self, result: RaceResult):
        super().__init__()
        self.result = result
        self.swarm = board.is_swarm(result)
        self.until = drawn_until(result)
        if self.swarm:
            held = np.take_along_axis(result.losses, swarm_shown_steps(result), axis=2)
            low, middle, high = over_starts(np.where(gone(result), np.nan, held))
            self.finish = swarm_finish(result)
        else:
            middle, low, high = result.losses, None, None
        self.origin, self.reference = self._reference(middle if low is None else low)
        #: (optimizers, steps + 1): each curve's values (the median for a swarm) and
        #: the band's edges (None for one start), above the reference.
        self.values = self._above(middle)
        self.bands = None if low is None else (self._above(low), self._above(high))
        self.step_numbers = np.arange(result.steps + 1)

    def _above(self, losses: np.ndarray) -> np.ndarray:
        values = losses - self.origin
        # Exactly on the reference: drawn at the floor of the axis instead of dropped.
        return np.where(values <= 0, 1e-300, values)

    def _reference(self, lowest_curves: np.ndarray) -> tuple[float, str]:
        """What the panel measures from, and the word of its axis label: f at the goal,
        unless the racers went lower (a goal that is no minimum); then the lowest f shown."""
        result, last = self.result, self.until[:, -1]
        shown = [lowest_curves[i, : last[i] + 1] for i in range(len(result.optimizers))]
        lowest = float(np.nanmin(np.concatenate(shown)))
        goals = result.goals or ((result.goal,) if result.goal is not None else ())
        if goals:
            at_goal = min(float(result.surface(*goal)) for goal in goals)
            if at_goal <= lowest:
                return at_goal, "loss_to_goal"
        return lowest, "loss_to_lowest"

    def build(self, stage: Stage, ax=None):
        ax = ax if ax is not None else stage.panels[0]
        result = self.result
        drawn = np.arange(result.steps + 1) <= self.until[:, -1][:, None]
        values = (
            self.values[drawn]
            if self.bands is None
            else np.concatenate([self.values[drawn], self.bands[0][drawn], self.bands[1][drawn]])
        )
        finite = values[np.isfinite(values) & (values > 1e-300)]
        ax.set_xlim(0, result.steps)
        if finite.size:
            high = float(finite.max())
            ax.set_yscale("log")
            ax.set_ylim(max(float(finite.min()), high * 1e-16) / 2, high * 2)
        _frame_panel(ax, stage, getattr(stage.words, self.reference))
        self.ax = ax
        self.lines, self.band_patches = [], []
        for i, racer in enumerate(stage.racers):
            # An arrival ends its loss curve with the same outline as on the map.
            line = Line2D(
                [],
                [],
                color=racer.color,
                linewidth=1.4,
                zorder=TRAIL_Z + 0.01 * i,
                marker=racer.marker,
                markersize=6,
                markerfacecolor="none",
                markeredgewidth=1.2,
                markevery=[],
            )
            ax.add_line(line)
            self.lines.append(line)
            if self.bands is not None:
                self.band_patches.append(_band(ax, racer.color, BAND_Z + 0.01 * i))
        self.moving += [*self.band_patches, *self.lines]

    def _arrival_mark(self, index: int, step: int) -> list[int]:
        """Where racer ``index``'s outline sits on its curve after ``step`` steps."""
        result = self.result
        if result.status(index, step) != "arrived":
            return []
        if not self.swarm:
            arrival = result.arrival_step[index]
            return [] if arrival is None else [arrival]
        return [int(min(self.finish[index], self.until[index, step]))]

    def update(self, step: int):
        for i, line in enumerate(self.lines):
            last = self.until[i, step]
            line.set_data(self.step_numbers[: last + 1], self.values[i, : last + 1])
            line.set_markevery(self._arrival_mark(i, step))
            if self.bands is not None:
                low, high = self.bands
                self.band_patches[i].set_xy(
                    band_outline(
                        self.step_numbers[: last + 1], low[i, : last + 1], high[i, : last + 1]
                    )
                )
        return self.moving


def swarm_rates(result) -> np.ndarray:
    """(optimizers, starts, steps, 2): |Δx_i| / |g_i| of every start's every step, NaN
    where the gradient component is 0 and from where the start is drawn stopped. The
    gradients are the race's (``result.grads``); a race that did not keep them was
    noiseless, so they are the surface's own at each point."""
    grads = getattr(result, "grads", None)
    if grads is None:
        if getattr(result, "noise", 0.0):
            raise ValueError("the lr panel of a noisy swarm needs the race's gradients")
        points = result.paths[:, :, :-1].reshape(-1, 2)
        finite = np.isfinite(points).all(axis=1)
        flat = np.full(points.shape, np.nan)
        with np.errstate(all="ignore"):
            flat[finite] = result.surface.value_and_grad_at(points[finite])[1]
        grads = flat.reshape(result.paths[:, :, :-1].shape)
    else:
        grads = grads[:, :, :-1]
    step = np.abs(np.diff(result.paths, axis=2))
    gradient = np.abs(grads)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(gradient > 0, step / gradient, np.nan)
    stopped = np.arange(result.steps)[None, None, :] >= swarm_shown_steps(result)[..., -1:]
    return np.where(stopped[..., None], np.nan, rates)


class LearningRatePanel(Layer):
    """The effective learning rate |Δx_i| / |g_i| of each step, log scale, one curve per
    racer and axis (x solid, y dashed, as the key says): AdaGrad's falls for ever,
    RMSProp's recovers. When some racers are explained, only theirs.

    The range is chosen robustly (``robust_range``): where the gradient is near 0 a rate
    can reach 1e10 (Lion's sign steps), which would squeeze every other curve into the
    bottom of the axis or push it off.
    A value beyond the range is drawn on its edge, with a small triangle pointing out."""

    def __init__(self, result: RaceResult, racers: tuple[int, ...] = ()):
        super().__init__()
        self.result = result
        self.chosen = tuple(racers) or tuple(range(len(result.optimizers)))
        self.until = drawn_until(result)
        self.bands: tuple[np.ndarray, np.ndarray] | None
        if board.is_swarm(result):
            low, middle, high = over_starts(swarm_rates(result))
            self.rates, self.bands = middle, (low, high)
        else:
            self.rates, self.bands = result.effective_lr, None
        self.step_numbers = np.arange(result.steps)

    def _shown(self) -> np.ndarray:
        """Every value the panel shows over the race (curves and bands, chosen racers)."""
        chosen = list(self.chosen)
        drawn = self.step_numbers[None, :] < self.until[chosen, -1][:, None]
        parts = [self.rates[chosen][drawn]]
        if self.bands is not None:
            parts += [band[chosen][drawn] for band in self.bands]
        return np.concatenate([part.ravel() for part in parts])

    def build(self, stage: Stage, ax=None):
        ax = ax if ax is not None else stage.panels[-1]
        result, theme = self.result, stage.theme
        ax.set_xlim(0, max(result.steps - 1, 1))
        limits = robust_range(self._shown())
        self.low, self.high = (0.0, np.inf) if limits is None else limits
        if limits is not None:
            ax.set_yscale("log")
            # A free band above the range for the key, which no curve enters.
            decades = np.log10(self.high / self.low) + 2 * np.log10(1.5)
            ax.set_ylim(self.low / 1.5, self.high * 1.5 * 10 ** (KEY_BAND * decades))
        _frame_panel(ax, stage, stage.words.effective_lr)
        self.ax = ax
        self._key(ax, theme)
        self.lines, self.band_patches, self.marks = [], [], []
        with np.errstate(invalid="ignore"):
            self.clipped = np.clip(self.rates, self.low, self.high)
            self.bands_clipped = (
                None
                if self.bands is None
                else tuple(np.clip(band, self.low, self.high) for band in self.bands)
            )
        for i in self.chosen:
            racer = stage.racers[i]
            styles: tuple[tuple[int, LineStyleType], ...] = ((0, "-"), (1, DASHED))
            for axis, dashes in styles:
                # Butt ends: a steep curve's projecting end would look like a clip mark.
                line = Line2D(
                    [],
                    [],
                    color=racer.color,
                    linewidth=1.3,
                    linestyle=dashes,
                    solid_capstyle="butt",
                    zorder=TRAIL_Z + 0.01 * i,
                )
                ax.add_line(line)
                self.lines.append((i, axis, line))
                if self.bands is not None:
                    self.band_patches.append((i, axis, _band(ax, racer.color, BAND_Z + 0.01 * i)))
            self.marks += self._clip_marks(ax, i, racer.color)
        self.moving += [patch for _, _, patch in self.band_patches]
        self.moving += [line for _, _, line in self.lines]
        self.moving += [mark for _, _, mark, _ in self.marks]

    def _key(self, ax, theme):
        handles = [
            Line2D([], [], color=theme.text, linewidth=1.3),
            Line2D([], [], color=theme.text, linewidth=1.3, linestyle=DASHED),
        ]
        key = ax.legend(
            handles,
            ["x", "y"],
            loc="upper right",
            ncol=2,
            fontsize=TICK_FONT,
            handlelength=1.8,
            handletextpad=0.4,
            columnspacing=1.0,
            borderpad=0.3,
            frameon=True,
            framealpha=0.8,
            facecolor=theme.page,
            edgecolor="none",
        )
        for text in key.get_texts():
            text.set_color(theme.text)
        key.set_zorder(TRAIL_Z - 1)

    def _clip_marks(self, ax, index: int, color) -> list[tuple]:
        """[(index, steps, mark, edge), ...]: for each edge of the range, the steps
        (sorted) at which one of racer ``index``'s values lies beyond it, and the line of
        triangles (pointing out of the range) that marks them on that edge."""
        values = self.rates[index]
        marks = []
        with np.errstate(invalid="ignore"):
            beyond = ((values > self.high).any(axis=1), (values < self.low).any(axis=1))
        for outside, edge, marker in zip(beyond, (self.high, self.low), ("^", "v")):
            steps = np.flatnonzero(outside)
            mark = Line2D(
                [],
                [],
                color=color,
                linestyle="",
                marker=marker,
                markersize=3.5,
                markeredgewidth=0,
                zorder=TRAIL_Z + 0.5,
                clip_on=False,
            )
            ax.add_line(mark)
            marks.append((index, steps, mark, edge))
        return marks

    def update(self, step: int):
        for i, axis, line in self.lines:
            last = min(self.until[i, step], self.result.steps) - 1
            line.set_data(self.step_numbers[: last + 1], self.clipped[i, : last + 1, axis])
        if self.bands_clipped is not None:  # the bands of a swarm's starts
            low, high = self.bands_clipped
            for i, axis, patch in self.band_patches:
                last = min(self.until[i, step], self.result.steps) - 1
                patch.set_xy(
                    band_outline(
                        self.step_numbers[: last + 1],
                        low[i, : last + 1, axis],
                        high[i, : last + 1, axis],
                    )
                )
        for i, steps, mark, edge in self.marks:
            last = min(self.until[i, step], self.result.steps) - 1
            shown = steps[: np.searchsorted(steps, last, side="right")]
            mark.set_data(shown, np.full(len(shown), edge))
        return self.moving
