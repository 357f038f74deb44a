"""The swarm layer: every optimizer from many starts — thin faded trails and small heads
in the racer's colour, the start points as small rings. A head stops where its start
arrived, unless noisy gradients keep it moving after its first arrival (as one racer's
does), disappears where its start flew off, and waits at the edge of the picture while
its start is outside it.

Fast at thousands of trails: each racer's trails up to the last scoreboard refresh are one
LineCollection, an occasional artist (drawn into the kept pixels when it grows; its trails'
overlaps add up to a denser colour); only the few newest steps of each trail are drawn
every frame, as one line broken at NaNs per racer (one path, not one per start).

The layer draws points it is given in its axes' coordinates (``geometry``): the paths
themselves in the contour view; the 3D view (swarm3d.py) gives them projected, with the
stretches a hill hides apart, drawn dotted and faint.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from .layer import Layer, Stage, required
from .theme import HEAD_Z, TRAIL_Z

#: Trail width (points) and opacity: many overlapping trails add up to a dense colour, so
#: the opacity falls with the number of starts (as 1/√n beyond FEW_STARTS, to a floor).
TRAIL_WIDTH, TRAIL_ALPHA, MIN_TRAIL_ALPHA, FEW_STARTS = 0.8, 0.45, 0.15, 64
#: Head and start marker sizes in points.
SWARM_HEAD_SIZE, START_SIZE = 3.2, 2.6
#: A head outside the picture waits this share of the view inside its edge.
EDGE_INSET = 0.01
#: Stretches behind a hill: as faint, relative to the trails, and dotted.
BEHIND_ALPHA, BEHIND_DOTS = 0.5, (0, (1, 2))


def held_at_arrival(result) -> np.ndarray:
    """(optimizers, starts): the starts drawn stopped where they arrived — those that
    arrived before any divergence, unless noisy gradients keep them moving after their
    first arrival."""
    arrival, diverged = result.arrival_step, result.diverged_step
    held = (arrival >= 0) & ((diverged < 0) | (arrival < diverged))
    return held & (not getattr(result, "noise", 0.0))


def swarm_shown_steps(result) -> np.ndarray:
    """(optimizers, starts, steps + 1): the path index each trail is drawn up to after each
    step — it stops at an arrival (see ``held_at_arrival``), and at the last finite point
    before a divergence."""
    steps = np.arange(result.steps + 1)
    arrival, diverged = result.arrival_step, result.diverged_step
    limit = np.full(arrival.shape, result.steps)
    limit = np.where(diverged >= 0, np.maximum(diverged - 1, 0), limit)
    limit = np.where(held_at_arrival(result), arrival, limit)
    return np.minimum(steps[None, None, :], limit[..., None])


def inside(points: np.ndarray, bounds) -> np.ndarray:
    """``points`` (..., 2) moved into ``bounds`` ((x0, x1), (y0, y1)) less EDGE_INSET:
    a head outside the picture waits at its edge."""
    (x0, x1), (y0, y1) = bounds
    inset = EDGE_INSET * np.array([x1 - x0, y1 - y0])
    return np.clip(points, np.array([x0, y0]) + inset, np.array([x1, y1]) - inset)


class SwarmLayer(Layer):
    def __init__(self, result, refresh: int = 1):
        super().__init__()
        self.result = result
        self.refresh = max(int(refresh), 1)
        self.shown = swarm_shown_steps(result)
        #: After this step no trail grows and no head moves: nothing left to redraw.
        self.settled = int(self.shown[..., -1].max())
        self.baked_step: int | None = None
        self.behind: np.ndarray | None = None

    # --- what is drawn where: overridden by the 3D view --------------------------------
    def axes(self, stage: Stage) -> Axes:
        return required(stage.plot, "plot axes")

    def geometry(self, stage: Stage):
        """(trails, behind, heads), each (optimizers, starts, steps + 1, 2) in the axes'
        coordinates: the points each trail passes through (NaN: a gap), the stretches
        behind a hill (None: there are none), and where each head is drawn at each point
        of its path."""
        paths = self.result.paths
        ax = self.axes(stage)
        return paths, None, inside(paths, (ax.get_xlim(), ax.get_ylim()))

    def starts(self, stage: Stage) -> np.ndarray:
        """The start points (n, 2) in the axes' coordinates."""
        return self.result.starts

    def add(self, ax, artist):
        if isinstance(artist, LineCollection):
            ax.add_collection(artist, autolim=False)
        else:
            ax.add_line(artist)
        return artist

    # --- building -------------------------------------------------------------------------
    def build(self, stage: Stage):
        result, ax, theme = self.result, self.axes(stage), stage.theme
        self.refresh = stage.style.refresh_steps
        self.trails, self.behind, self.head_points = self.geometry(stage)
        self.baked, self.fresh, self.heads, self.finished = [], [], [], []
        self.baked_behind: list[LineCollection] = []
        self.fresh_behind: list[Line2D] = []
        alpha = float(
            np.clip(TRAIL_ALPHA * np.sqrt(FEW_STARTS / result.count), MIN_TRAIL_ALPHA, TRAIL_ALPHA)
        )
        # The racer with the most ink (total trail length) is drawn lowest, so one that
        # roams the board does not bury the short, direct trails of another.
        ink = [
            np.nansum(np.hypot(*np.diff(result.paths[i], axis=1).T))
            for i in range(len(stage.racers))
        ]
        level = {i: rank for rank, i in enumerate(np.argsort(ink, kind="stable")[::-1])}
        # Drawing order, the same in the kept pixels and in a full redraw: trails so far,
        # the heads that had arrived by then, the newest steps of the trails, racing heads.
        for i, racer in enumerate(stage.racers):
            line: dict[str, Any] = dict(color=racer.color, linewidth=TRAIL_WIDTH, alpha=alpha)
            self.baked.append(
                self.add(
                    ax,
                    LineCollection(
                        [],
                        colors=[racer.color],
                        linewidths=TRAIL_WIDTH,
                        alpha=alpha,
                        zorder=TRAIL_Z + 0.01 * level[i],
                        capstyle="round",
                        joinstyle="round",
                    ),
                )
            )
            self.fresh.append(
                self.add(
                    ax,
                    Line2D(
                        [],
                        [],
                        zorder=TRAIL_Z + 0.1 + 0.01 * level[i],
                        solid_capstyle="round",
                        solid_joinstyle="round",
                        **line,
                    ),
                )
            )
            if self.behind is not None:
                faint: dict[str, Any] = dict(
                    line, alpha=BEHIND_ALPHA * alpha, linestyle=BEHIND_DOTS
                )
                self.baked_behind.append(
                    self.add(
                        ax,
                        LineCollection(
                            [],
                            colors=[racer.color],
                            linewidths=TRAIL_WIDTH,
                            alpha=faint["alpha"],
                            linestyles=[BEHIND_DOTS],
                            zorder=TRAIL_Z - 0.2 + 0.01 * level[i],
                        ),
                    )
                )
                self.fresh_behind.append(
                    self.add(ax, Line2D([], [], zorder=TRAIL_Z - 0.1 + 0.01 * level[i], **faint))
                )
            heads: dict[str, Any] = dict(
                linestyle="",
                marker=racer.marker,
                markersize=SWARM_HEAD_SIZE,
                markerfacecolor=racer.color,
                markeredgecolor=theme.head_edge,
                markeredgewidth=0.3,
            )
            self.finished.append(
                self.add(ax, Line2D([], [], zorder=TRAIL_Z + 0.05 + 0.001 * i, **heads))
            )
            self.heads.append(self.add(ax, Line2D([], [], zorder=HEAD_Z + 0.01 * i, **heads)))
        starts = self.starts(stage)
        self.start_rings = self.add(
            ax,
            Line2D(
                starts[:, 0],
                starts[:, 1],
                linestyle="",
                marker="o",
                markersize=START_SIZE,
                markerfacecolor="none",
                markeredgecolor=theme.start_edge,
                markeredgewidth=0.5,
                alpha=0.35,
                zorder=TRAIL_Z - 0.5,
            ),
        )  # under the trails: kept as static pixels
        # Kept pixels are drawn in list order: the trails bottom (most ink) first.
        self.occasional += [
            *sorted(self.baked_behind, key=lambda c: c.get_zorder()),
            *sorted(self.baked, key=lambda c: c.get_zorder()),
            *self.finished,
        ]
        self.moving += [*self.fresh_behind, *self.fresh, *self.heads]
        arrival, diverged = result.arrival_step, result.diverged_step
        held = held_at_arrival(result)
        # A head stops at its arrival (kept with the trails from the next refresh on), ...
        self.arrival = np.where(held, arrival, result.steps + 1)
        # ... and is hidden from its divergence on.
        self.gone = np.where((diverged >= 0) & ~held, diverged, result.steps + 1)
        self.every = np.arange(result.count)

    # --- moving -------------------------------------------------------------------------
    def _segments(self, points: np.ndarray, index: int, first: int, last: int) -> np.ndarray:
        """(starts, last - first + 1, 2): each trail of racer ``index`` in ``points`` from
        step ``first`` to ``last``, its points past where it stops repeated (zero-length,
        not drawn)."""
        steps = np.minimum(
            np.arange(first, last + 1)[None, :], self.shown[index, :, last : last + 1]
        )
        return np.take_along_axis(points[index], steps[..., None], axis=1)

    def _heads(self, index: int, step: int, chosen: np.ndarray):
        at = self.head_points[index, self.every[chosen], self.shown[index, chosen, step]]
        return at[:, 0], at[:, 1]

    def occasional_key(self):
        return self.baked_step

    def update(self, step: int):
        result = self.result
        refreshed = step if step == result.steps else step - step % self.refresh
        baked = min(refreshed, self.settled)
        if baked != self.baked_step:
            for i, (collection, finished) in enumerate(zip(self.baked, self.finished)):
                collection.set_segments(self._segments(self.trails, i, 0, baked) if baked else [])
                if self.behind is not None:
                    # An (n, k, 2) array is n segments to matplotlib; its stub asks a list.
                    self.baked_behind[i].set_segments(
                        self._segments(self.behind, i, 0, baked)  # type: ignore[arg-type]
                        if baked
                        else []
                    )
                finished.set_data(*self._heads(i, baked, self.arrival[i] <= baked))
            self.baked_step = baked
        newest = min(step, self.settled)
        for i, (fresh, head) in enumerate(zip(self.fresh, self.heads)):
            _newest_steps(
                fresh, self._segments(self.trails, i, baked, newest) if newest > baked else None
            )
            if self.behind is not None:
                _newest_steps(
                    self.fresh_behind[i],
                    self._segments(self.behind, i, baked, newest) if newest > baked else None,
                )
            racing = (self.arrival[i] > baked) & (self.gone[i] > step)
            head.set_data(*self._heads(i, step, racing))
        return self.moving


def _newest_steps(line: Line2D, trails: np.ndarray | None):
    """Give ``line`` the trails (starts, k, 2) as one path broken at NaNs (or nothing)."""
    if trails is None:
        line.set_data([], [])
        return
    gaps = np.full((len(trails), 1, 2), np.nan)
    points = np.concatenate([trails, gaps], axis=1).reshape(-1, 2)
    line.set_data(points[:, 0], points[:, 1])
