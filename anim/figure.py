"""The picture of a race: a matplotlib figure built once whose frames only move artists.

Everything static (filled contours, contour lines, goal, start, axes, legend, titles) is
drawn once and kept as pixels; each frame restores those pixels and draws only the
trails, heads, step counter, finish board and loss lines on top.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm, LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle
from matplotlib.patheffects import Normal, Stroke

from . import board
from .race import RaceResult

#: Okabe & Ito's colour-blind-safe palette, most distinct first (yellow is too faint on
#: the light surface, so it comes last); marker shapes add a second cue.
COLORS = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
          "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "p", "h")  # "X" is kept for "diverged"
SURFACE_CMAP = LinearSegmentedColormap.from_list(
    "anim_surface", ["#fbfbf8", "#e4e9ee", "#c3cfdb", "#98abbf", "#6d86a0"])
CONTOUR_LINE_COLOR = "#4a5a6a"
GOAL_COLOR, GOAL_EDGE_COLOR, START_EDGE_COLOR = "#ffd21f", "#6b5200", "#222222"
#: Drawing order: trails at 3 + 0.01 i, goal and start above them, then finished heads
#: (the later finisher, drawn smaller, above the earlier), racing heads on top.
TRAIL_Z, LANDMARK_Z, FINISHED_Z, HEAD_Z = 3.0, 3.5, 3.8, 4.0
HEAD_SIZE = 8.0
HALO = Stroke(linewidth=2.4, foreground="white")
#: Trail dots closer than this (points) to the previous dot are left out.
DOT_GAP = 2.5
#: Log-spaced contour levels when evenly spaced ones would leave more than this share of
#: the picture inside the lowest band (Rosenbrock's valley, Beale's plateaus).
LOWEST_BAND_SHARE = 0.10
LEVELS = 18
GRID_POINTS = 240
#: The finish board's column, as fractions of the figure width: it starts at BOARD_X, or
#: further left (but BOARD_GAP clear of the legend) when its longest row needs the room.
BOARD_X, BOARD_RIGHT, BOARD_GAP = 0.60, 0.975, 0.04
BOARD_FONTSIZE = 9
#: Layout is designed at 800 x 600 px and 100 dpi, and scales with the figure.
BASE_SIZE = (800, 600)
BASE_DPI = 100


#: Vertical layout in 10-pt lines: the title band above the plot, the axis labels below
#: it, and the legend strip (a header row and a row per optimizer, plus a margin).
TITLE_LINES, AXIS_LABEL_LINES, ROW_LINES, STRIP_MARGIN_LINES = 3.2, 3.4, 1.55, 1.0
#: The plot must keep at least this share of the figure height.
MIN_PLOT_SHARE = 0.2


class SurfaceDrawingError(ValueError):
    """The surface cannot be drawn (no finite value anywhere in the picture)."""


@dataclass(frozen=True)
class FrameStyle:
    """Pixel size, resolution and layout options of the picture."""

    width: int = 800
    height: int = 600
    dpi: float = 100.0
    loss_panel: bool = False


def _vertical_layout(style: FrameStyle, optimizers: int) -> tuple[float, float, float]:
    """(strip top, plot bottom, plot top) as fractions of the figure height."""
    em = 10 * style.dpi / 72 / style.height
    strip = ((optimizers + 1) * ROW_LINES + STRIP_MARGIN_LINES) * em
    return strip, strip + AXIS_LABEL_LINES * em, 1 - TITLE_LINES * em


def check_layout(style: FrameStyle, optimizers: int):
    """Raise ValueError when text at this dpi leaves no room for the plot."""
    _, bottom, top = _vertical_layout(style, optimizers)
    if top - bottom >= MIN_PLOT_SHARE:
        return
    lines = TITLE_LINES + AXIS_LABEL_LINES + STRIP_MARGIN_LINES + ROW_LINES * (optimizers + 1)
    best = math.floor((1 - MIN_PLOT_SHARE) / lines * 72 * style.height / 10)
    raise ValueError(f"the text of {optimizers} optimizer(s) at dpi {style.dpi:g} leaves no "
                     f"room for the plot in {style.width}x{style.height}; use a larger size "
                     f"or a dpi of at most {best}")


def default_dpi(width: int, height: int) -> float:
    """The dpi that keeps text and lines the same relative size at any pixel size."""
    return BASE_DPI * min(width / BASE_SIZE[0], height / BASE_SIZE[1])


def contour_levels(z: np.ndarray, count: int = LEVELS) -> tuple[np.ndarray, bool]:
    """Contour levels for ``z`` and whether they are log-spaced above the minimum.

    Values that span decades squeeze the interesting low region into one band of evenly
    spaced levels; then the levels are spaced geometrically from the 2nd percentile.
    """
    finite = z[np.isfinite(z)]
    low, high = float(finite.min()), float(finite.max())
    if high <= low:
        return np.array([low - 1, low, low + 1]), False
    offsets = finite - low
    crowded = np.percentile(offsets, 100 * LOWEST_BAND_SHARE) < (high - low) / count
    floor = float(np.percentile(offsets[offsets > 0], 2))
    if crowded and 0 < floor < high - low:
        return low + np.concatenate([[0.0], np.geomspace(floor, high - low, count)]), True
    return np.linspace(low, high, count + 1), False


def _plot_bounds(result: RaceResult):
    """The surface bounds, or the extent of the finite paths with a margin."""
    if result.surface.bounds is not None:
        return result.surface.bounds
    points = result.paths.reshape(-1, 2)
    points = points[np.all(np.isfinite(points), axis=1)]
    extras = [p for p in (result.start, result.goal, *result.surface.minima) if p is not None]
    points = np.vstack([points, extras])
    low, high = points.min(axis=0), points.max(axis=0)
    pad = np.maximum(0.1 * (high - low), 0.5)
    return ((low[0] - pad[0], high[0] + pad[0]), (low[1] - pad[1], high[1] + pad[1]))


class _Backdrop(Artist):
    """Every static pixel of the figure, captured once, restored in one copy per frame."""

    def __init__(self, region):
        super().__init__()
        self.region = region
        self.set_zorder(-math.inf)

    def draw(self, renderer):
        renderer.restore_region(self.region)


class RaceFigure:
    """The figure for one race; ``draw_frame(k)`` moves every artist to frame ``k``.

    Frame ``k`` shows the race after ``min(k, steps)`` steps, so frames past the last
    step hold the final picture.
    """

    def __init__(self, result: RaceResult, style: FrameStyle = FrameStyle(),
                 title: str | None = None, fast: bool = True):
        self.result = result
        self.style = style
        # A thousandth of a pixel over, so that inches × dpi cannot round down to one
        # pixel short (matplotlib truncates the canvas size).
        self.figure = Figure(figsize=((style.width + 1e-3) / style.dpi,
                                      (style.height + 1e-3) / style.dpi),
                             dpi=style.dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.figure)
        self._em = 10 * style.dpi / 72 / style.height  # one 10-pt line as a figure fraction
        self._dynamic: list[Artist] = []
        self._build(title)
        self._frozen = False
        self._board_rows = None
        if fast:
            self.freeze()

    # --- building -------------------------------------------------------------------
    def _build(self, title):
        check_layout(self.style, len(self.result.optimizers))
        strip, bottom, top = _vertical_layout(self.style, len(self.result.optimizers))
        right = 0.60 if self.style.loss_panel else 0.975
        self.ax = self.figure.add_axes((0.085, bottom, right - 0.085, top - bottom))
        self._draw_surface(self.ax)
        if self.style.loss_panel:
            # As tall as the contour plot really is once its aspect is applied, so a wide
            # surface does not sit beside a loss panel twice its height.
            self.ax.apply_aspect()
            box = self.ax.get_position()
            left = box.x1 + 0.11
            self.loss_ax = self.figure.add_axes((left, box.y0, 0.975 - left, box.height))
            self._draw_loss_axes(self.loss_ax)
        else:
            self.loss_ax = None

        heading = title or self._default_title()
        self._fit(self.figure.text(0.5, 1 - 1.5 * self._em, heading, ha="center",
                                   va="center", fontsize=12, weight="bold"), 0.95)
        # Monospace, so the changing digits (drawn every frame) fill the blank left for
        # them in the static "step ___ / N" (drawn once): far fewer glyphs per frame.
        digits, total = len(str(self.result.steps)), f" / {self.result.steps}"
        counter = dict(ha="right", va="top", fontsize=9, family="monospace")
        self.figure.text(0.975, strip - 0.4 * self._em, f"step {' ' * digits}{total}",
                         **counter)
        self.step_text = self.figure.text(0.975, strip - 0.4 * self._em, "", **counter)
        self._step_format = f"{{:>{digits}}}{' ' * len(total)}"
        self._build_trails()
        self._build_legend_and_board(strip)

    def _fit(self, text, width: float, smallest: float = 6.0):
        """Shrink ``text``'s font until it spans at most ``width`` of the figure."""
        renderer = self.canvas.get_renderer()
        limit = width * self.style.width
        while (text.get_fontsize() > smallest
               and text.get_window_extent(renderer).width > limit):
            text.set_fontsize(text.get_fontsize() - 0.5)
        return text

    def _default_title(self):
        surface = self.result.surface
        name = (surface.name or "").replace("_", " ")
        name = name[:1].upper() + name[1:]
        formula = f"f = {surface.formula}" if surface.formula else ""
        return "   ".join(part for part in (name, formula) if part) or "Optimizer race"

    def _draw_surface(self, ax):
        result = self.result
        (x0, x1), (y0, y1) = _plot_bounds(result)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        # A diverged head is drawn this far inside the edge, so its whole ✗ shows.
        inset = 0.025 * np.array([x1 - x0, y1 - y0])
        self._view_low, self._view_high = np.array([x0, y0]) + inset, np.array([x1, y1]) - inset
        ratio = (y1 - y0) / (x1 - x0)
        if 1 / 3 <= ratio <= 3:
            ax.set_aspect("equal", adjustable="box")
        xs, ys = np.linspace(x0, x1, GRID_POINTS), np.linspace(y0, y1, GRID_POINTS)
        grid_x, grid_y = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            z = np.asarray(result.surface.f(grid_x, grid_y), dtype=float)
        z = np.broadcast_to(z, grid_x.shape)
        if not np.isfinite(z).any():
            raise SurfaceDrawingError(
                f"f is not finite anywhere in the plotted region x in [{x0:g}, {x1:g}], "
                f"y in [{y0:g}, {y1:g}]: give the surface bounds where it is defined")
        levels, _ = contour_levels(z)
        norm = BoundaryNorm(levels, SURFACE_CMAP.N, extend="both")
        ax.contourf(grid_x, grid_y, z, levels=levels, cmap=SURFACE_CMAP, norm=norm,
                    extend="both", zorder=0.5)
        # A line at every other band edge: as readable, and far fewer antialiased pixels
        # for the GIF encoder.
        ax.contour(grid_x, grid_y, z, levels=levels[1::2], colors=CONTOUR_LINE_COLOR,
                   linewidths=0.5, alpha=0.55, zorder=0.6, negative_linestyles="solid")
        ax.tick_params(labelsize=8, length=3, direction="out")
        ax.set_xlabel("x", fontsize=9, labelpad=2)
        ax.set_ylabel("y", fontsize=9, labelpad=2)
        for spine in ax.spines.values():
            spine.set_linewidth(0.6)
        # Goal stars and the start ring sit above the trails (below the heads), so a
        # trail that loops over them cannot bury them; they are redrawn every frame.
        for goal in result.goals:
            ax.add_patch(_goal_circle(goal, result.goal_radius))
            self._dynamic += ax.plot(*goal, marker="*", markersize=17, color=GOAL_COLOR,
                                     markeredgecolor=GOAL_EDGE_COLOR, markeredgewidth=0.9,
                                     zorder=LANDMARK_Z, linestyle="")
        self._dynamic += ax.plot(*result.start, marker="o", markersize=7,
                                 markerfacecolor="white", markeredgecolor=START_EDGE_COLOR,
                                 markeredgewidth=1.2, zorder=LANDMARK_Z, linestyle="")

    def _draw_loss_axes(self, ax):
        result = self.result
        self._loss_origin, label = self._loss_reference()
        losses = self._loss_curves()
        shown = np.arange(result.steps + 1) <= np.array(
            [self._last_shown_step(i) for i in range(len(result.optimizers))])[:, None]
        losses = losses[shown]
        finite = losses[np.isfinite(losses) & (losses > 0)]
        ax.set_xlim(0, result.steps)
        if finite.size:
            high = float(finite.max())
            ax.set_yscale("log")
            ax.set_ylim(max(float(finite.min()), high * 1e-16) / 2, high * 2)
        ax.set_xlabel("step", fontsize=9, labelpad=2)
        ax.set_ylabel(label, fontsize=9, labelpad=2)
        ax.tick_params(labelsize=8, length=3)
        ax.grid(True, which="major", color="#dddddd", linewidth=0.5)
        for spine in ax.spines.values():
            spine.set_linewidth(0.6)

    def _loss_reference(self) -> tuple[float, str]:
        """What the loss panel measures from, and its axis label: f at the goal, unless
        the racers went lower (a goal that is no minimum); then the lowest f shown."""
        shown = [self.result.losses[i, :self._last_shown_step(i) + 1]
                 for i in range(len(self.result.optimizers))]
        lowest = float(np.nanmin(np.concatenate(shown)))
        if self.result.goal is not None:
            at_goal = float(self.result.surface(*self.result.goal))
            if at_goal <= lowest:
                return at_goal, "f − f(goal)"
        return lowest, "f − lowest f reached"

    def _loss_curves(self) -> np.ndarray:
        """Loss above the reference (positive, for a log axis), per optimizer and step."""
        losses = self.result.losses - self._loss_origin
        # Exactly on the reference: drawn at the floor of the axis instead of dropped.
        return np.where(losses <= 0, 1e-300, losses)

    def _build_trails(self):
        self._trails, self._heads, self._loss_lines = [], [], []
        self._head_states: list[str] = []
        for i, _ in enumerate(self.result.optimizers):
            color = COLORS[i % len(COLORS)]
            # Above the spines (2.5), so a full redraw matches the fast path; every head
            # above every trail, so no trail hides a head.
            z = TRAIL_Z + i * 0.01
            # A dot per step: the spacing shows each optimizer's step size (steps too
            # small to see apart share one dot, or a crawl would be a solid band).
            trail = Line2D([], [], color=color, linewidth=1.6, alpha=0.9, zorder=z,
                           marker="o", markersize=2.4, markeredgewidth=0,
                           solid_capstyle="round", solid_joinstyle="round")
            head = Line2D([], [], color=color, linestyle="")
            _style_head(head, i, "racing")
            self._head_states.append("racing")
            self.ax.add_line(trail)
            self.ax.add_line(head)
            self._trails.append(trail)
            self._heads.append(head)
            if self.loss_ax is not None:
                # An arrival ends its loss curve with the same outline as on the map.
                line = Line2D([], [], color=color, linewidth=1.4, zorder=z,
                              marker=MARKERS[i % len(MARKERS)], markersize=6,
                              markerfacecolor="none", markeredgewidth=1.2, markevery=[])
                self.loss_ax.add_line(line)
                self._loss_lines.append(line)
        self._dynamic += [*self._trails, *self._heads, *self._loss_lines, self.step_text]
        self._loss_values = self._loss_curves() if self.loss_ax is not None else None
        self._step_numbers = np.arange(self.result.steps + 1)
        self._places = {index: place for place, index in enumerate(self.result.finish_order())}
        self.ax.apply_aspect()
        self._dots = [_spaced(self.ax.transData.transform(path), DOT_GAP * self.style.dpi / 72)
                      for path in self.result.paths]
        # Only finite points (a divergence at step 0 leaves just the start to go by).
        self._exits = [None if step is None else
                       _exit_point(self.result.paths[i, :max(step, 1)], self._view_low,
                                   self._view_high)
                       for i, step in enumerate(self.result.diverged_step)]

    def _build_legend_and_board(self, strip):
        fig, em = self.figure, self._em
        y = strip - 0.4 * em
        fig.text(0.085, y, "Optimizers", fontsize=9, weight="bold", va="top")
        header = fig.text(BOARD_X, y, "Finish", fontsize=9, weight="bold", va="top")
        self._board, labels = [], []
        self._board_names = board.short_names(self.result.optimizers)
        self._text_colors = [board.readable_on_white(COLORS[i % len(COLORS)])
                             for i in range(len(self.result.optimizers))]
        # The board changes only at an arrival, a divergence and the last step: one
        # version of its rows per such step, made once.
        result, rows = self.result, len(self.result.optimizers)
        events = (*result.arrival_step, *result.diverged_step)
        self._board_steps = sorted({0, result.steps, *(s for s in events if s is not None)})
        self._board_versions = [
            tuple(version + [board.EMPTY_ROW] * (rows - len(version)))
            for version in (board.rows_at(result, self._board_names, self._text_colors, s)
                            for s in self._board_steps)]
        for i, optimizer in enumerate(self.result.optimizers):
            row_y = y - (i + 1) * ROW_LINES * em
            color, marker = COLORS[i % len(COLORS)], MARKERS[i % len(MARKERS)]
            fig.add_artist(Line2D([0.095], [row_y - 0.5 * em], color=color, marker=marker,
                                  markersize=7, markeredgecolor="white",
                                  markeredgewidth=0.8, transform=fig.transFigure))
            fig.add_artist(Line2D([0.075, 0.115], [row_y - 0.5 * em] * 2, color=color,
                                  linewidth=1.8, transform=fig.transFigure, zorder=1.9))
            labels.append(self._fit(fig.text(0.13, row_y, optimizer.label, fontsize=9,
                                             va="top"), 0.45))
            self._board.append(fig.text(BOARD_X, row_y, "", fontsize=BOARD_FONTSIZE,
                                        va="top", color=color, weight="bold"))
        self._place_board(header, labels)

    def _place_board(self, header, labels):
        """One font size for every finish-board row: the largest at which the longest
        final row fits. A board too wide for its column first moves left, up to the
        legend, and only then shrinks."""
        renderer, width = self.canvas.get_renderer(), self.style.width
        for text, (content, _, bold) in zip(self._board,
                                            self._board_rows_at(self.result.steps)):
            text.set_text(content)
            text.set_fontweight("bold" if bold else "normal")

        def widest() -> float:
            return max(text.get_window_extent(renderer).width for text in self._board) / width

        legend_right = max(label.get_window_extent(renderer).x1 for label in labels) / width
        left = min(BOARD_X, max(legend_right + BOARD_GAP, BOARD_RIGHT - widest()))
        self._board_fontsize = float(BOARD_FONTSIZE)
        while self._board_fontsize > 6 and widest() > BOARD_RIGHT - left:
            self._board_fontsize -= 0.5
            for text in self._board:
                text.set_fontsize(self._board_fontsize)
        for text in (header, *self._board):
            text.set_x(left)
        for text in self._board:
            text.set_text("")

    # --- the fast path --------------------------------------------------------------
    def freeze(self):
        """Draw the static parts once, keep their pixels, and stop drawing them.

        The finish board changes a handful of times per race, so it is baked into the
        kept pixels whenever it changes instead of being drawn every frame.
        """
        if self._frozen:
            return
        for artist in (*self._dynamic, *self._board):
            artist.set_visible(False)
        self.canvas.draw()
        self._static_region = self.canvas.copy_from_bbox(self.figure.bbox)
        self._backdrop = _Backdrop(self._static_region)
        moving = set(map(id, self._dynamic))
        for axes in self.figure.axes:
            for child in axes.get_children():
                if id(child) not in moving:
                    child.set_visible(False)
            axes.set_axis_off()
        for child in self.figure.get_children():
            if id(child) not in moving and child not in self.figure.axes:
                child.set_visible(False)
        self.figure.add_artist(self._backdrop)
        for artist in self._dynamic:
            artist.set_visible(True)
        self._frozen = True
        self._board_rows = None
        self._show_board(self._board_rows_at(0))

    def _show_board(self, rows):
        """Set the finish board's rows; when frozen, bake them into the backdrop."""
        if rows == self._board_rows:
            return
        self._board_rows = rows
        for text, (content, color, bold) in zip(self._board, rows):
            text.set_text(content)
            text.set_color(color)
            text.set_fontweight("bold" if bold else "normal")
            text.set_fontsize(self._board_fontsize)
        if not self._frozen:
            return
        renderer = self.canvas.get_renderer()
        renderer.restore_region(self._static_region)
        for text in self._board:
            text.set_visible(True)
            text.draw(renderer)
            text.set_visible(False)
        self._backdrop.region = self.canvas.copy_from_bbox(self.figure.bbox)

    def _board_rows_at(self, step: int) -> tuple:
        return self._board_versions[bisect.bisect_right(self._board_steps, step) - 1]

    @property
    def key_colors(self) -> list[tuple[int, int, int]]:
        """The picture's solid colours (markers, board text), which a GIF keeps exactly."""
        named = [GOAL_COLOR, GOAL_EDGE_COLOR, START_EDGE_COLOR, "white", "black",
                 *COLORS[:len(self.result.optimizers)], *self._text_colors]
        return [tuple(round(255 * c) for c in to_rgb(color)) for color in named]

    # --- frames ---------------------------------------------------------------------
    def _last_shown_step(self, index: int, step: int | None = None) -> int:
        """The step optimizer ``index`` is drawn at: it stops on arrival or divergence."""
        step = self.result.steps if step is None else step
        status = self.result.status(index, step)
        if status == "arrived":
            return self.result.arrival_step[index]
        if status == "diverged":
            return self.result.diverged_step[index] - 1
        return step

    def update(self, frame: int) -> list:
        """Move every dynamic artist to ``frame`` (clamped to the last step)."""
        result = self.result
        step = min(max(int(frame), 0), result.steps)
        for i, (trail, head) in enumerate(zip(self._trails, self._heads)):
            state = result.status(i, step)
            last = self._last_shown_step(i, step)
            points = result.paths[i, :last + 1]
            trail.set_data(points[:, 0], points[:, 1])
            dots = self._dots[i]
            trail.set_markevery(dots[:np.searchsorted(dots, last, side="right")])
            # One that flew off is marked where its trail leaves the picture.
            tip = self._exits[i] if state == "diverged" else points[-1]
            head.set_data([tip[0]], [tip[1]])
            if state != self._head_states[i]:
                _style_head(head, i, state, self._places.get(i, 0))
                self._head_states[i] = state
            if self._loss_lines:
                self._loss_lines[i].set_data(self._step_numbers[:last + 1],
                                             self._loss_values[i, :last + 1])
                self._loss_lines[i].set_markevery([last] if state == "arrived" else [])
        self._show_board(self._board_rows_at(step))
        self.step_text.set_text(self._step_format.format(step))
        return []

    def draw_frame(self, frame: int) -> np.ndarray:
        """Render ``frame`` and return the canvas as an (height, width, 4) uint8 view."""
        self.update(frame)
        self.canvas.draw()
        return np.asarray(self.canvas.buffer_rgba())

    def close(self):
        self.figure.clear()


def _style_head(head: Line2D, index: int, state: str, place: int = 0):
    """Racing heads are filled; a diverged one becomes a ✗. An arrived head turns into
    an outline, the smaller the later it arrived, so heads that finished at nearly the
    same point nest instead of hiding each other."""
    color = COLORS[index % len(COLORS)]
    marker = "X" if state == "diverged" else MARKERS[index % len(MARKERS)]
    hollow = state == "arrived"
    if head.get_marker() != marker:
        head.set_marker(marker)
    head.set_markerfacecolor("none" if hollow else color)
    head.set_markeredgecolor(color if hollow else "white")
    head.set_markeredgewidth(1.3 if hollow else 1.0)
    head.set_markersize(max(HEAD_SIZE + 3 - 1.5 * place, HEAD_SIZE) if hollow else HEAD_SIZE)
    # A white rim, like the racing heads' edge, keeps an outline visible on its own trail.
    head.set_path_effects([HALO, Normal()] if hollow else [])
    head.set_zorder(FINISHED_Z + 0.01 * place if hollow else HEAD_Z + 0.01 * index)


def _spaced(pixels: np.ndarray, gap: float) -> np.ndarray:
    """Indices of the points (k, 2) kept when each must be ``gap`` from the last kept one;
    the first point is always kept, non-finite ones never."""
    kept, last = [0], pixels[0]
    for index in range(1, len(pixels)):
        if np.hypot(*(pixels[index] - last)) >= gap:
            kept.append(index)
            last = pixels[index]
    return np.array(kept)


def _exit_point(path: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Where ``path`` (its finite points) last leaves the box [low, high]: on the edge,
    on the segment that crosses it; the last point itself if that is inside."""
    inside = np.flatnonzero(np.all((path >= low) & (path <= high), axis=1))
    if inside.size == 0:
        return np.clip(path[0], low, high)
    last_inside = inside[-1]
    if last_inside == len(path) - 1:
        return path[-1]
    start, direction = path[last_inside], path[last_inside + 1] - path[last_inside]
    with np.errstate(all="ignore"):  # a tiny or zero step gives inf: never the nearest edge
        to_edge = np.where(direction > 0, (high - start) / direction,
                           np.where(direction < 0, (low - start) / direction, np.inf))
    return start + min(1.0, float(to_edge.min())) * direction


def _goal_circle(goal, radius):
    return Circle(goal, radius, fill=False, linestyle=(0, (2, 2)),
                  linewidth=0.8, edgecolor=GOAL_EDGE_COLOR, alpha=0.8, zorder=0.9)
