"""The swarm layer: every optimizer from many starts — thin faded trails and small heads
in the racer's colour, the start points as small rings. A head stops where its start
arrived, unless noisy gradients keep it moving after its first arrival (as one racer's
does), and disappears where its start flew off.

Fast at thousands of trails: each racer's trails up to the last scoreboard refresh are one
LineCollection, an occasional artist (drawn into the kept pixels when it grows; its trails'
overlaps add up to a denser colour); only the few newest steps of each trail are drawn
every frame, as one line broken at NaNs per racer (one path, not one per start).
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from .layer import Layer, Stage
from .theme import HEAD_Z, TRAIL_Z

#: Trail width (points) and opacity: many overlapping trails add up to a dense colour, so
#: the opacity falls with the number of starts (as 1/√n beyond FEW_STARTS, to a floor).
TRAIL_WIDTH, TRAIL_ALPHA, MIN_TRAIL_ALPHA, FEW_STARTS = 0.8, 0.45, 0.15, 64
#: Head and start marker sizes in points.
SWARM_HEAD_SIZE, START_SIZE = 3.2, 2.6


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


class SwarmLayer(Layer):
    def __init__(self, result, refresh: int = 1):
        super().__init__()
        self.result = result
        self.refresh = max(int(refresh), 1)
        self.shown = swarm_shown_steps(result)
        #: After this step no trail grows and no head moves: nothing left to redraw.
        self.settled = int(self.shown[..., -1].max())
        self.baked_step = None

    def build(self, stage: Stage):
        result, ax, theme = self.result, stage.plot, stage.theme
        self.refresh = stage.style.refresh_steps
        self.baked, self.fresh, self.heads, self.finished = [], [], [], []
        alpha = float(np.clip(TRAIL_ALPHA * np.sqrt(FEW_STARTS / result.count),
                              MIN_TRAIL_ALPHA, TRAIL_ALPHA))
        # The racer with the most ink (total trail length) is drawn lowest, so one that
        # roams the board does not bury the short, direct trails of another.
        ink = [np.nansum(np.hypot(*np.diff(result.paths[i], axis=1).T))
               for i in range(len(stage.racers))]
        level = {i: rank for rank, i in enumerate(np.argsort(ink, kind="stable")[::-1])}
        # Drawing order, the same in the kept pixels and in a full redraw: trails so far,
        # the heads that had arrived by then, the newest steps of the trails, racing heads.
        for i, racer in enumerate(stage.racers):
            baked = LineCollection([], colors=[racer.color], linewidths=TRAIL_WIDTH,
                                   alpha=alpha, zorder=TRAIL_Z + 0.01 * level[i],
                                   capstyle="round", joinstyle="round")
            fresh = Line2D([], [], color=racer.color, linewidth=TRAIL_WIDTH, alpha=alpha,
                           zorder=TRAIL_Z + 0.1 + 0.01 * level[i], solid_capstyle="round",
                           solid_joinstyle="round")
            heads = dict(linestyle="", marker=racer.marker, markersize=SWARM_HEAD_SIZE,
                         markerfacecolor=racer.color, markeredgecolor=theme.head_edge,
                         markeredgewidth=0.3)
            finished = Line2D([], [], zorder=TRAIL_Z + 0.05 + 0.001 * i, **heads)
            head = Line2D([], [], zorder=HEAD_Z + 0.01 * i, **heads)
            ax.add_collection(baked, autolim=False)
            for line in (fresh, finished, head):
                ax.add_line(line)
            self.baked.append(baked)
            self.fresh.append(fresh)
            self.finished.append(finished)
            self.heads.append(head)
        ax.plot(result.starts[:, 0], result.starts[:, 1], linestyle="", marker="o",
                markersize=START_SIZE, markerfacecolor="none",
                markeredgecolor=theme.start_edge, markeredgewidth=0.5, alpha=0.35,
                zorder=TRAIL_Z - 0.5)  # under the trails: kept as static pixels
        # Kept pixels are drawn in list order: the trails bottom (most ink) first.
        self.occasional += [*sorted(self.baked, key=lambda c: c.get_zorder()), *self.finished]
        self.moving += [*self.fresh, *self.heads]
        arrival, diverged = result.arrival_step, result.diverged_step
        held = held_at_arrival(result)
        # A head stops at its arrival (kept with the trails from the next refresh on), ...
        self.arrival = np.where(held, arrival, result.steps + 1)
        # ... and is hidden from its divergence on.
        self.gone = np.where((diverged >= 0) & ~held, diverged, result.steps + 1)
        self.every = np.arange(result.count)

    def _trails(self, index: int, first: int, last: int) -> np.ndarray:
        """(starts, last - first + 1, 2): each trail of racer ``index`` from step ``first``
        to ``last``, its points past where it stops repeated (zero-length, not drawn)."""
        steps = np.minimum(np.arange(first, last + 1)[None, :], self.shown[index, :, last:last + 1])
        return np.take_along_axis(self.result.paths[index], steps[..., None], axis=1)

    def _heads(self, index: int, step: int, chosen: np.ndarray):
        at = self.result.paths[index, self.every[chosen], self.shown[index, chosen, step]]
        return at[:, 0], at[:, 1]

    def occasional_key(self):
        return self.baked_step

    def update(self, step: int):
        result = self.result
        refreshed = step if step == result.steps else step - step % self.refresh
        baked = min(refreshed, self.settled)
        if baked != self.baked_step:
            for i, (collection, finished) in enumerate(zip(self.baked, self.finished)):
                collection.set_segments(self._trails(i, 0, baked) if baked else [])
                finished.set_data(*self._heads(i, baked, self.arrival[i] <= baked))
            self.baked_step = baked
        newest = min(step, self.settled)
        for i, (fresh, head) in enumerate(zip(self.fresh, self.heads)):
            if newest > baked:
                trails = self._trails(i, baked, newest)
                gaps = np.full((len(trails), 1, 2), np.nan)
                points = np.concatenate([trails, gaps], axis=1).reshape(-1, 2)
                fresh.set_data(points[:, 0], points[:, 1])
            else:
                fresh.set_data([], [])
            racing = (self.arrival[i] > baked) & (self.gone[i] > step)
            head.set_data(*self._heads(i, step, racing))
        return self.moving
