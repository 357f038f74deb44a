"""The surface layer: filled contours, contour lines, an optional colorbar, the goal and
the start. All static except the goal star and start ring, which are drawn every frame
above the trails so that no trail or finished head buries them."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm
from matplotlib.contour import QuadContourSet
from matplotlib.patches import Circle
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from ..board import number
from ..race import RaceResult
from ..surface import Bounds
from .layer import Layer, Stage, required
from .layout import Box
from .theme import GOAL_CIRCLE_Z, SURFACE_Z, TICK_FONT, Theme

#: Log-spaced contour levels when evenly spaced ones would leave more than this share of
#: the picture inside the lowest band (Rosenbrock's valley, Beale's plateaus).
LOWEST_BAND_SHARE = 0.10
LEVELS = 18
GRID_POINTS = 240
#: Surfaces whose sides differ by more than this ratio are drawn stretched, not to scale.
MAX_EQUAL_ASPECT = 3.0


class SurfaceDrawingError(ValueError):
    """The surface cannot be drawn (no finite value anywhere in the picture)."""


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


def plot_bounds(result: RaceResult) -> Bounds:
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


def tick_labels(low: float, high: float) -> list[str]:
    """The labels matplotlib's default locator puts on an axis from ``low`` to ``high``."""
    ticks = np.asarray(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10]).tick_values(low, high))
    ticks = ticks[(ticks >= low - 1e-9) & (ticks <= high + 1e-9)]
    decimals = max((len(f"{t:.6f}".rstrip("0").split(".")[1]) for t in ticks), default=0)
    return [f"{t:.{decimals}f}".replace("-", "−") for t in ticks]


def plot_aspect(bounds: Bounds) -> float | None:
    """The plot's height / width for surface ``bounds`` ((x0, x1), (y0, y1)) drawn to
    scale, or None when their sides differ too much and the plot is stretched to fit."""
    (x0, x1), (y0, y1) = bounds
    ratio = (y1 - y0) / (x1 - x0)
    return ratio if 1 / MAX_EQUAL_ASPECT <= ratio <= MAX_EQUAL_ASPECT else None


class SurfaceLayer(Layer):
    """Evaluates the surface on a grid at construction (the layout needs its aspect and
    its tick labels); draws it in ``build``."""

    def __init__(self, result: RaceResult, colormap: str | None = None) -> None:
        super().__init__()
        self.result = result
        self.colormap_name = colormap
        (x0, x1), (y0, y1) = self.bounds = plot_bounds(result)
        self.aspect = plot_aspect(self.bounds)
        # A surface that is costly to evaluate (a model's loss) says how fine a grid it wants.
        points = getattr(result.surface, "grid_points", None) or GRID_POINTS
        xs, ys = np.linspace(x0, x1, points), np.linspace(y0, y1, points)
        self.grid_x, self.grid_y = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            z = np.asarray(result.surface.f(self.grid_x, self.grid_y), dtype=float)
        self.z = np.broadcast_to(z, self.grid_x.shape)
        if not np.isfinite(self.z).any():
            raise SurfaceDrawingError(
                f"f is not finite anywhere in the plotted region x in [{x0:g}, {x1:g}], "
                f"y in [{y0:g}, {y1:g}]: give the surface bounds where it is defined"
            )
        self.levels, self.logarithmic = contour_levels(self.z)

    def tick_texts(self) -> tuple[list[str], list[str]]:
        (x0, x1), (y0, y1) = self.bounds
        return tick_labels(x0, x1), tick_labels(y0, y1)

    def colorbar_texts(self) -> list[str]:
        return [number(level) for level in self.levels[::2]]

    def build(self, stage: Stage) -> None:
        ax, theme, result = required(stage.plot, "plot axes"), stage.theme, self.result
        layout = required(stage.layout, "layout")
        (x0, x1), (y0, y1) = self.bounds
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        if self.aspect is not None:
            ax.set_aspect("equal", adjustable="box")
        cmap = theme.colormap(self.colormap_name)
        norm = BoundaryNorm(self.levels, cmap.N, extend="both")
        filled = ax.contourf(
            self.grid_x,
            self.grid_y,
            self.z,
            levels=self.levels,
            cmap=cmap,
            norm=norm,
            extend="both",
            zorder=SURFACE_Z,
        )
        # A line at every other band edge: as readable, and far fewer antialiased pixels
        # for the GIF encoder.
        ax.contour(
            self.grid_x,
            self.grid_y,
            self.z,
            levels=self.levels[1::2],
            colors=theme.contour,
            linewidths=0.5,
            alpha=theme.contour_alpha,
            zorder=SURFACE_Z + 0.1,
            negative_linestyles="solid",
        )
        style_axes(ax, theme)
        if layout.colorbar is not None:
            self._colorbar(stage, layout.colorbar, filled)
        radius = result.goal_radius  # set whenever there are goals
        for goal in result.goals:
            if radius is not None:
                ax.add_patch(
                    Circle(
                        goal,
                        radius,
                        fill=False,
                        linestyle=(0, (2, 2)),
                        linewidth=0.8,
                        edgecolor=theme.goal_edge,
                        alpha=0.8,
                        zorder=GOAL_CIRCLE_Z,
                    )
                )
            self.moving += ax.plot(*goal, **theme.goal_star)
        if result.start is None:  # a swarm: its layer draws the starts
            return
        self.moving += ax.plot(*result.start, **theme.start_mark)

    def _colorbar(self, stage: Stage, box: Box, filled: QuadContourSet) -> None:
        bar_axes = stage.axes_at(box)
        bar = stage.figure.colorbar(filled, cax=bar_axes, spacing="uniform")
        bar.set_ticks(FixedLocator(self.levels[::2].tolist()))
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: number(value)))
        bar.ax.tick_params(labelsize=TICK_FONT, length=3, colors=stage.theme.muted)
        bar.outline.set_linewidth(0.6)
        bar.outline.set_edgecolor(stage.theme.muted)


def style_axes(ax: Axes, theme: Theme) -> None:
    """Ticks, tick labels and spines in the theme's muted colour."""
    ax.tick_params(labelsize=TICK_FONT, length=3, direction="out", colors=theme.muted, pad=2)
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
        spine.set_edgecolor(theme.muted)
