"""The racers layer: one trail and one head per optimizer.

A trail is a line through every step with a dot per step (dots closer than a few points
merge, so a crawl reads as a line). A head races filled, stops as an outline where its
optimizer arrived, and turns into a ✗ where a diverged trail leaves the picture.

Heads that would cover each other — all of them at the start, racers that arrive or fly
off at the same place, twins on one path — are fanned out on a small ring around their
common point, so every racer stays visible; a ring with an arrived head on it is moved
inside that head's goal circle, so no finisher looks as if it stopped short. A head that
leaves the picture without diverging waits at the edge where its trail left, until it
comes back. Where each head is drawn at each step is computed once for the whole race
(``head_positions``), in data coordinates, so any other view of the race can put the
heads on the same pixels.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patheffects import Normal, Stroke

from ..race import RaceResult
from .layer import Layer, Stage, required
from .theme import FINISHED_Z, HEAD_SIZE, HEAD_Z, TRAIL_Z

#: Trail dots closer than this (points) to the previous dot are left out.
DOT_GAP = 2.5
#: Heads whose centres are closer than this many head sizes are fanned out.
FAN_GAP = 1.1
#: A diverged head is drawn this share of the view inside the edge, so its ✗ shows whole.
EXIT_INSET = 0.025
#: A fanned ring of heads with a finished one on it lies this far (points) inside the
#: goal circle: its heads' centres are inside; the circle is often smaller than the ring
#: of outlines, so the outlines may cross it.
CIRCLE_MARGIN = 2.0


def shown_steps(result: RaceResult) -> np.ndarray:
    """(optimizers, steps + 1): the path index each optimizer is drawn at after each step.
    It stops where it arrived, and at its last finite point when it diverged."""
    count, steps = len(result.optimizers), result.steps
    shown = np.tile(np.arange(steps + 1), (count, 1))
    for i in range(count):
        arrived, diverged = result.arrival_step[i], result.diverged_step[i]
        if diverged is not None:
            shown[i, diverged:] = max(diverged - 1, 0)
        if arrived is not None and not keeps_moving(result):
            shown[i, arrived:] = arrived
    return shown


def arrived_circles(result: RaceResult, shown: np.ndarray) -> np.ndarray:
    """(optimizers, steps + 1, 3): the goal circle (x, y, radius) in data units each head
    is held in after each step — where it arrived and is drawn stopped — else NaN."""
    circles = np.full((*shown.shape, 3), np.nan)
    if keeps_moving(result):  # a noisy racer moves on: nothing holds it
        return circles
    for i, goal in enumerate(result.arrived_at):
        arrived = result.arrival_step[i]
        if goal is not None and arrived is not None:
            circles[i, arrived:] = (*goal, result.goal_radius)
    return circles


def keeps_moving(result: RaceResult) -> bool:
    """With noisy gradients a racer goes on moving after its first arrival."""
    return bool(getattr(result, "noise", 0.0))


def exit_point(path: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
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
        to_edge = np.where(
            direction > 0,
            (high - start) / direction,
            np.where(direction < 0, (low - start) / direction, np.inf),
        )
    return start + min(1.0, float(to_edge.min())) * direction


def spaced(pixels: np.ndarray, gap: float) -> np.ndarray:
    """Indices of the points (k, 2) kept when each must be ``gap`` from the last kept one;
    the first point is always kept, non-finite ones never."""
    kept, last = [0], pixels[0]
    for index in range(1, len(pixels)):
        if np.hypot(*(pixels[index] - last)) >= gap:
            kept.append(index)
            last = pixels[index]
    return np.array(kept)


def fan_out(
    pixels: np.ndarray, gap: float, circles: np.ndarray | None = None, margin: float = 0.0
) -> np.ndarray:
    """``pixels`` (heads, steps, 2) with every group of heads closer than ``gap`` (chains
    included) spread evenly on a ring around the group's centre, ``gap`` apart, in the
    heads' order; lone heads stay where they are.

    ``circles`` (heads, steps, 3): (x, y, radius) in pixels of a circle a head must stay
    in (an arrived head's goal circle), NaN where there is none. A ring with such a head
    on it is moved towards that circle's centre until the whole ring lies ``margin``
    inside the circle (onto the centre when it is too large for that)."""
    count = pixels.shape[0]
    if count < 2:
        return pixels
    points = np.nan_to_num(pixels.transpose(1, 0, 2), nan=1e12)  # (steps, heads, 2)
    distance = np.linalg.norm(points[:, :, None] - points[:, None, :], axis=-1)
    linked = (distance < gap).astype(np.float64)
    for _ in range(int(np.ceil(np.log2(count)))):  # transitive closure by squaring
        linked = (linked @ linked > 0).astype(np.float64)
    group = linked > 0
    size = group.sum(axis=-1)
    rank = (group & np.tri(count, k=-1, dtype=bool)[None]).sum(axis=-1)
    centre = (group[..., None] * points[:, None, :, :]).sum(axis=2) / size[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        radius = np.where(size > 1, gap / (2 * np.sin(np.pi / size)), 0.0)
    if circles is not None:
        centre = _inside_circles(centre, radius, group, circles.transpose(1, 0, 2), margin)
    angle = np.pi + 2 * np.pi * rank / size
    ring = centre + radius[..., None] * np.stack([np.cos(angle), np.sin(angle)], axis=-1)
    fanned = np.where((size > 1)[..., None], ring, points).transpose(1, 0, 2)
    return np.where(np.isfinite(pixels), fanned, pixels)


def _inside_circles(
    centre: np.ndarray, ring: np.ndarray, group: np.ndarray, circles: np.ndarray, margin: float
) -> np.ndarray:
    """Ring centres (steps, heads, 2) moved so that each ring of radius ``ring`` lies
    inside the circle (steps, heads, 3) of the first member of its ``group`` that has
    one; unchanged for groups without a circle and for lone heads."""
    bound = np.isfinite(circles[..., 2])
    members = group & bound[:, None, :]
    first = np.argmax(members, axis=-1)  # the lowest index of a bound member
    circle = np.take_along_axis(circles, first[..., None], axis=1)
    offset = centre - circle[..., :2]
    distance = np.hypot(offset[..., 0], offset[..., 1])
    room = np.maximum(circle[..., 2] - margin - ring, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        shrink = np.where(distance > room, room / distance, 1.0)
    moved = circle[..., :2] + offset * shrink[..., None]
    applies = members.any(axis=-1) & (group.sum(axis=-1) > 1)
    return np.where(applies[..., None], moved, centre)


def outside_at_edge(
    paths: np.ndarray, positions: np.ndarray, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """``positions`` (heads, steps + 1, 2) with every finite point outside the box [low,
    high] replaced by where its trail (``paths``, the same shape) last left the box."""
    positions = positions.copy()
    with np.errstate(invalid="ignore"):
        outside = np.isfinite(positions).all(axis=-1) & np.any(
            (positions < low) | (positions > high), axis=-1
        )
    for i, k in zip(*np.nonzero(outside)):
        trail = paths[i, : k + 1]
        positions[i, k] = exit_point(trail[np.isfinite(trail).all(axis=1)], low, high)
    return positions


class RacersLayer(Layer):
    def __init__(self, result: RaceResult):
        super().__init__()
        self.result = result
        self.shown = shown_steps(result)

    def build(self, stage: Stage):
        result, ax, theme = self.result, required(stage.plot, "plot axes"), stage.theme
        self.theme = theme
        self.racers = stage.racers
        self.trails, self.heads = [], []
        for i, racer in enumerate(stage.racers):
            # Above the spines (2.5), so a full redraw matches the fast path.
            trail = Line2D(
                [],
                [],
                color=racer.color,
                linewidth=1.6,
                alpha=0.9,
                zorder=TRAIL_Z + i * 0.01,
                marker="o",
                markersize=2.4,
                markeredgewidth=0,
                solid_capstyle="round",
                solid_joinstyle="round",
            )
            head = Line2D([], [], color=racer.color, linestyle="")
            ax.add_line(trail)
            ax.add_line(head)
            self.trails.append(trail)
            self.heads.append(head)
        self.moving += [*self.trails, *self.heads]
        self.head_states = ["racing"] * len(self.heads)
        for i in range(len(self.heads)):
            self._style_head(i, "racing")
        ax.apply_aspect()
        to_pixels = ax.transData
        self.dots = [
            spaced(to_pixels.transform(path), DOT_GAP * stage.scale) for path in result.paths
        ]
        self.head_positions = self._head_positions(ax, stage.scale)

    def _head_positions(self, ax, scale) -> np.ndarray:
        """(optimizers, steps + 1, 2): where each head is drawn, in data coordinates."""
        result = self.result
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        inset = EXIT_INSET * np.array([x1 - x0, y1 - y0])
        low, high = np.array([x0, y0]) + inset, np.array([x1, y1]) - inset
        positions = np.take_along_axis(result.paths, self.shown[..., None], axis=1).copy()
        positions = outside_at_edge(result.paths, positions, low, high)
        for i in range(len(result.optimizers)):
            diverged = result.diverged_step[i]
            if diverged is not None and result.status(i, result.steps) == "diverged":
                positions[i, diverged:] = exit_point(result.paths[i, : max(diverged, 1)], low, high)
        pixels = ax.transData.transform(positions.reshape(-1, 2)).reshape(positions.shape)
        goals = arrived_circles(result, self.shown)
        centres = ax.transData.transform(goals[..., :2].reshape(-1, 2)).reshape(pixels.shape)
        # The circle's smaller radius on the screen, should the plot be stretched.
        per_unit = np.abs(np.diag(ax.transData.get_affine().get_matrix())[:2]).min()
        circles = np.concatenate([centres, goals[..., 2:] * per_unit], axis=-1)
        fanned = fan_out(pixels, FAN_GAP * HEAD_SIZE * scale, circles, margin=CIRCLE_MARGIN * scale)
        moved = np.any(fanned != pixels, axis=-1)  # the others keep their exact position
        positions[moved] = ax.transData.inverted().transform(fanned[moved])
        return positions

    def update(self, step: int):
        result = self.result
        for i, (trail, head) in enumerate(zip(self.trails, self.heads)):
            last = self.shown[i, step]
            points = result.paths[i, : last + 1]
            trail.set_data(points[:, 0], points[:, 1])
            dots = self.dots[i]
            # An index array, which matplotlib takes (its stub says a list).
            trail.set_markevery(dots[: np.searchsorted(dots, last, side="right")])  # type: ignore[arg-type]
            x, y = self.head_positions[i, step]
            head.set_data([x], [y])
            state = result.status(i, step)
            if state != self.head_states[i]:
                self._style_head(i, state)
                self.head_states[i] = state
        return self.moving

    def _style_head(self, index: int, state: str):
        style_head(self.heads[index], self.racers[index], self.theme, state, index)


def style_head(head, racer, theme, state: str, index: int):
    """Racing heads are filled; an arrived one becomes an outline with a rim, a diverged
    one a ✗. Shared by every view of the race."""
    hollow = state == "arrived"
    head.set_marker("X" if state == "diverged" else racer.marker)
    head.set_markerfacecolor("none" if hollow else racer.color)
    head.set_markeredgecolor(racer.color if hollow else theme.head_edge)
    head.set_markeredgewidth(1.6 if hollow else 1.0)
    head.set_markersize(HEAD_SIZE + 1 if hollow else HEAD_SIZE)
    head.set_path_effects(
        [Stroke(linewidth=3.0, foreground=theme.head_edge), Normal()] if hollow else []
    )
    head.set_zorder((FINISHED_Z if hollow else HEAD_Z) + 0.01 * index)
