"""Where a head is drawn when the knobs combine races the figure never drew together.

The heads of the race as run are the figure's own (racers.py's ``head_moves``). Once a
knob swaps one racer's race, the player places the heads itself, as the figure does: each
on its path's shown point, except where the figure's own rules put it elsewhere — a head
outside the picture waits at the edge where its trail left, a diverged one's ✗ at the
edge — which this module computes per race with the figure's functions; then every group
of close heads is fanned out on a ring, held inside the goal circle of an arrived head
(the circles, in pixels, are here too).
"""

from __future__ import annotations

import numpy as np

from ..figure.racers import EXIT_INSET, exit_point, outside_at_edge
from ..figure.racers3d import inset_bounds, screen_circles, to_pixels
from .views import view_kinds


def goal_circles(figure) -> list[list[list[float]]]:
    """Per view, per goal: (centre x, centre y, radius) in canvas pixels, as the view's
    fan-out holds an arrived head's ring in it."""
    result, height = figure.result, figure.style.height
    if not result.goals or result.goal_radius is None:
        return [[] for _ in view_kinds(figure)]
    circles = np.array([[*goal, result.goal_radius] for goal in result.goals], dtype=float)
    found = []
    for kind in view_kinds(figure):
        if kind == "3d":
            shown = screen_circles(figure.ax3d, figure.terrain, circles)
        else:
            ax = figure.ax
            centres = ax.transData.transform(circles[:, :2])
            per_unit = np.abs(np.diag(ax.transData.get_affine().get_matrix())[:2]).min()
            shown = np.column_stack([centres, circles[:, 2] * per_unit])
        found.append(
            [
                [round(float(x), 3), round(float(height - y), 3), round(float(r), 3)]
                for x, y, r in shown
            ]
        )
    return found


def unfanned_moves(
    figure, paths: np.ndarray, losses: np.ndarray, shown: np.ndarray, diverged: int | None
) -> list[list[list[float]]]:
    """Per view, the runs [first step, last step, x, y] (canvas pixels) where the head of
    a race with these ``paths`` and ``losses`` (its points up to where it is shown),
    shown at path index ``shown[k]`` after step k, is placed off its point before the
    fan-out; ``diverged``: the step it diverged at, when it ends diverged."""
    height = figure.style.height
    steps = len(shown)
    full = np.full((steps, 2), np.nan)
    full[: len(paths)] = paths
    at = paths[shown]
    moves = []
    for kind in view_kinds(figure):
        if kind == "3d":
            low, high = inset_bounds(figure.terrain)
        else:
            (x0, x1), (y0, y1) = figure.ax.get_xlim(), figure.ax.get_ylim()
            inset = EXIT_INSET * np.array([x1 - x0, y1 - y0])
            low, high = np.array([x0, y0]) + inset, np.array([x1, y1]) - inset
        placed = outside_at_edge(full[None], at[None].copy(), low, high)[0]
        if diverged is not None:
            placed[diverged:] = exit_point(paths[: max(diverged, 1)], low, high)
        moved = np.any(placed != at, axis=-1) & np.isfinite(placed).all(axis=-1)
        if kind == "3d":
            terrain = figure.terrain
            heights = terrain.lifted(losses[shown])
            heights[moved] = terrain.height_at(placed[moved, 0], placed[moved, 1]) + terrain.lift
            pixels = to_pixels(figure.ax3d, np.column_stack([placed, heights]))
        else:
            pixels = figure.ax.transData.transform(placed)
        runs: list[list] = []
        for k in np.flatnonzero(moved):
            # A thousandth of a pixel is exact enough, and short in the page.
            x, y = round(float(pixels[k, 0]), 3), round(float(height - pixels[k, 1]), 3)
            if runs and runs[-1][1] == k - 1 and runs[-1][2:] == [x, y]:
                runs[-1][1] = int(k)
            else:
                runs.append([int(k), int(k), x, y])
        moves.append(runs)
    return moves


def shown_rule(steps: int, arrival: int | None, diverged: int | None, noisy: bool) -> np.ndarray:
    """The path index shown after each step (racers.py's shown_steps, for one race)."""
    shown = np.arange(steps + 1)
    if diverged is not None:
        shown[diverged:] = max(diverged - 1, 0)
    if arrival is not None and not noisy:
        shown[arrival:] = arrival
    return shown
