"""The 3D surface layer: the surface shaded with the scene's colormap under a light, its
contour lines projected on the floor, the goal star and the start ring lying on it, the
goal circle level around the star. The box, with its tick labels, is zoomed and placed
to fill the layout's box for the 3D view.

With a fixed camera everything but the goal star and start ring is static, so the fast
path draws the surface once and keeps its pixels. With an orbiting camera the surface,
its floor contours and the goal circle move: they are redrawn every frame (at a coarser
mesh), and the box with its ticks is left out.
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LightSource, Normalize, to_rgb
from matplotlib.ticker import FixedLocator, MaxNLocator
from matplotlib.transforms import Bbox
from mpl_toolkits.mplot3d.art3d import Poly3DCollection

from ..race import RaceResult
from ..surface import Point
from .layer import Layer, Stage, required
from .layout import Box, Layout
from .racers3d import flattened, new_line, place, to_pixels
from .terrain import Terrain
from .theme import GOAL_CIRCLE_Z, SURFACE_Z, TEXT_FONT, TICK_FONT

#: Mesh cells per side: fine when the surface is drawn once, coarser when it is redrawn
#: every frame of an orbit.
FIXED_CELLS, ORBIT_CELLS = 120, 60
#: Where the light comes from (degrees), as matplotlib's LightSource measures it.
LIGHT_AZIMUTH, LIGHT_ALTITUDE = 315.0, 45.0
FLOOR_LEVELS = 12
#: The box with its tick labels and axis names fills this share of the plot's box (the
#: 2D plot fills its own); matplotlib's default leaves room for the box at any angle.
FILL = 0.97
#: mplot3d draws into the largest square inside its axes: the axes get a square this much
#: larger than the plot's longer side (slack for centring what the labels push aside).
SQUARE = 1.25
FIT_ROUNDS = 3
#: A z tick label nearer than this (points) to an x or y tick label is left out.
Z_TICK_GAP = 6.0


class Surface3DLayer(Layer):
    """Draws ``stage.terrain`` into ``stage.plot3d`` seen from ``stage.camera``."""

    def __init__(self, result: RaceResult):
        super().__init__()
        self.result = result

    def build(self, stage: Stage) -> None:
        ax, theme = required(stage.plot3d, "3D axes"), stage.theme
        terrain, layout = required(stage.terrain, "terrain"), required(stage.layout, "layout")
        style = stage.style
        self.stage, self.terrain, self.theme = stage, terrain, theme
        self.ax, self.style = ax, style
        self.camera = required(stage.camera, "3D camera")
        self.orbit = style.orbit
        self.frames = max(int(style.frames or self.result.steps + 1), 1)
        (x0, x1), (y0, y1) = terrain.bounds
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_zlim(*terrain.zlim)
        ax.view_init(*self.camera)
        self._style_axes(stage, terrain)
        if self.orbit:
            ax.set_axis_off()
        self._fit(stage, layout)
        if not self.orbit:
            self._drop_crowded_z_ticks(stage)
        cmap = stage.theme.colormap(style.colormap)
        per_side = ORBIT_CELLS if self.orbit else FIXED_CELLS
        stride = max(1, round((terrain.heights.shape[0] - 1) / per_side))
        quads, colors = _cells(terrain, self._shade(terrain, cmap), stride)
        surface = Poly3DCollection(
            quads, facecolors=colors, linewidths=0, antialiased=False, zorder=SURFACE_Z
        )
        ax.add_collection3d(surface, autolim=False)
        floor = ax.contour(
            terrain.grid_x,
            terrain.grid_y,
            terrain.heights,
            levels=np.linspace(terrain.low, terrain.high, FLOOR_LEVELS + 2)[1:-1],
            zdir="z",
            offset=terrain.low,
            colors=theme.contour,
            linewidths=0.5,
            alpha=theme.contour_alpha,
            zorder=SURFACE_Z - 0.1,
        )
        radius = self.result.goal_radius
        circles = (
            []
            if radius is None
            else [self._goal_circle(goal, radius) for goal in self.result.goals]
        )
        if self.orbit:
            self.moving += [surface, floor, *circles]
        if stage.plot is None and layout.colorbar is not None:
            self._colorbar(
                stage,
                layout.colorbar,
                ScalarMappable(Normalize(terrain.low, terrain.high), cmap),
                terrain,
            )
        for goal in self.result.goals:
            self.moving.append(self._line(self._on_surface([goal]), **theme.goal_star))
        if self.result.start is None:  # a swarm: its layer draws the starts
            return
        self.moving.append(self._line(self._on_surface([self.result.start]), **theme.start_mark))

    # --- filling the plot's box -------------------------------------------------------
    def _fit(self, stage: Stage, layout: Layout) -> None:
        """Place the axes and zoom the box so that the box, with its tick labels and
        axis names, fills the layout's box for the 3D view, centred in it; one zoom for
        the whole orbit, so the surface keeps its size as it turns.

        mplot3d draws into the largest square inside its axes and centres the box in it,
        whatever the box looks like from the camera; so the axes get a square larger than
        the layout's box, moved so that what the labels add on one side stays centred."""
        box = layout.plots[0]
        side = SQUARE * max(box.width, box.height)
        target = np.array([box.x + 0.5 * box.width, box.y + 0.5 * box.height])
        centre, zoom = target.copy(), 1.0
        for _ in range(FIT_ROUNDS):
            self._place(stage, centre, side, zoom)
            content = self._content(stage)
            scale = FILL * min(box.width / content.width, box.height / content.height)
            middle = np.array([0.5 * (content.x0 + content.x1), 0.5 * (content.y0 + content.y1)])
            # Everything drawn scales about the square's centre.
            centre, zoom = target - (middle - centre) * scale, zoom * scale
        self._place(stage, centre, side, zoom)

    def _place(self, stage: Stage, centre: np.ndarray, side: float, zoom: float) -> None:
        width, height = stage.style.width, stage.style.height
        self.ax.set_position(
            (
                (centre[0] - 0.5 * side) / width,
                (centre[1] - 0.5 * side) / height,
                side / width,
                side / height,
            )
        )
        self.ax.set_box_aspect(self.terrain.box, zoom=zoom)
        self.ax.apply_aspect()
        self.ax.M = self.ax.get_proj()  # as a draw sets it, for the labels' positions

    def _content(self, stage: Stage) -> Bbox:
        """What the 3D view draws, in pixels: the box from every camera of the video,
        and its tick labels and axis names (a fixed camera)."""
        ax = self.ax
        turns = np.linspace(0, 1, 13) if self.orbit else [0.0]
        seen = []
        for turn in turns:
            ax.view_init(self.camera[0], self.camera[1] + self.orbit * turn)
            seen.append(to_pixels(ax, self.terrain.corners()))
        ax.view_init(*self.camera)
        ax.M = ax.get_proj()
        corners = np.vstack(seen)
        boxes = [Bbox([corners.min(axis=0), corners.max(axis=0)])]
        if not self.orbit:
            renderer = stage.canvas.get_renderer()
            boxes += [
                box
                for axis in (ax.xaxis, ax.yaxis, ax.zaxis)
                if (box := axis.get_tightbbox(renderer)) is not None
            ]
        return Bbox.union(boxes)

    def _drop_crowded_z_ticks(self, stage: Stage) -> None:
        """Leave out the z tick labels that would overlap or touch an x or y tick label or
        axis name: where the z axis rises from the corner the y axis starts at, their
        lowest labels fall on each other."""
        ax, renderer = self.ax, stage.canvas.get_renderer()
        ax.draw(renderer)  # lays the ticks out (the surface is not added yet)
        others = [
            label.get_window_extent(renderer)
            for axis in (ax.xaxis, ax.yaxis)
            for _, label in (*drawn_tick_labels(axis), (None, axis.label))
        ]
        # Labels closer than this read as one.
        gap = Z_TICK_GAP * stage.scale
        kept = [
            location
            for location, label in drawn_tick_labels(ax.zaxis)
            if not any(
                label.get_window_extent(renderer).padded(gap).overlaps(other) for other in others
            )
        ]
        ax.zaxis.set_major_locator(FixedLocator(kept))

    def _shade(self, terrain: Terrain, cmap) -> np.ndarray:
        """Colours of the grid's cells: the colormap of the height, lit from the upper
        left, with the slopes measured in the box the surface is drawn in."""
        light = LightSource(azdeg=LIGHT_AZIMUTH, altdeg=LIGHT_ALTITUDE)
        rows, cols = terrain.heights.shape
        box_x, box_y, box_z = terrain.box
        scaled = (terrain.heights - terrain.low) / (terrain.high - terrain.low) * box_z
        # LightSource reads row 0 as the top of an image; here it is the lowest y.
        rgba = light.shade(
            scaled[::-1],
            cmap=cmap,
            norm=Normalize(0, box_z),
            blend_mode="soft",
            dx=box_x / (cols - 1),
            dy=box_y / (rows - 1),
        )
        return rgba[::-1]

    def _on_surface(self, points) -> np.ndarray:
        """Points (k, 2) lifted onto the surface: (k, 3)."""
        points = np.asarray(points, dtype=float)
        heights = self.terrain.height_at(points[:, 0], points[:, 1]) + self.terrain.lift
        return np.column_stack([points, heights])

    def _line(self, points: np.ndarray, **style):
        """A line through ``points`` (k, 3), projected once when the camera is fixed."""
        fixed = not self.orbit
        line = new_line(self.ax, fixed, **style)
        place(line, flattened(self.ax, points, self.terrain) if fixed else points)
        return line

    def _goal_circle(self, goal: Point, radius: float) -> Artist:
        """The goal circle, level at the height of the goal star: it rings the star as in
        the contour view. (Laid on the surface it would climb the walls of a pit, and float
        above the star as a few dashes.)"""
        return self._line(
            self.terrain.goal_ring(goal, radius),
            linestyle=(0, (2, 2)),
            linewidth=1.0,
            color=self.theme.goal_edge,
            alpha=0.9,
            zorder=GOAL_CIRCLE_Z,
        )

    def _style_axes(self, stage: Stage, terrain: Terrain) -> None:
        ax, theme = self.ax, stage.theme
        for axis, label in ((ax.xaxis, "x"), (ax.yaxis, "y"), (ax.zaxis, terrain.label)):
            axis.set_pane_color((*to_rgb(theme.page), 0.0))
            axis.pane.set_edgecolor(theme.grid)
            # mplot3d has no public setter for one axis's grid lines.
            axis._axinfo["grid"].update(color=theme.grid, linewidth=0.5)
            axis.line.set_color(theme.muted)
            axis.line.set_linewidth(0.6)
            axis.set_label_text(label, fontsize=TEXT_FONT, color=theme.text)
            axis.labelpad = 0
        ax.tick_params(labelsize=TICK_FONT, colors=theme.muted, pad=0)
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))

    def _colorbar(self, stage: Stage, box: Box, mappable: ScalarMappable, terrain: Terrain) -> None:
        bar_axes = stage.axes_at(box)
        bar = stage.figure.colorbar(mappable, cax=bar_axes)
        bar.set_label(terrain.label, fontsize=TICK_FONT, color=stage.theme.text)
        bar.ax.tick_params(labelsize=TICK_FONT, length=3, colors=stage.theme.muted)
        bar.outline.set_linewidth(0.6)
        bar.outline.set_edgecolor(stage.theme.muted)

    def view_at(self, frame: int) -> tuple[float, float]:
        """(elevation, azimuth) at ``frame``: the orbit turns evenly over the video."""
        elev, azim = self.camera
        if not self.orbit:
            return elev, azim
        return elev, azim + self.orbit * min(frame, self.frames - 1) / max(self.frames - 1, 1)

    def update(self, step: int) -> list[Artist]:
        if self.orbit:
            self.ax.view_init(*self.view_at(self.stage.frame))
        return self.moving


def drawn_tick_labels(axis) -> list:
    """(location, label) of the major ticks of a 3D ``axis`` that are drawn: within its
    limits and labelled (mplot3d keeps the others, unplaced)."""
    low, high = sorted(axis.get_view_interval())
    return [
        (location, tick.label1)
        for location, tick in zip(axis.get_majorticklocs(), axis.get_major_ticks())
        if low <= location <= high and tick.label1.get_visible() and tick.label1.get_text()
    ]


def _cells(terrain: Terrain, colors: np.ndarray, stride: int):
    """The mesh as quadrilaterals (n, 4, 3) every ``stride`` grid points, and each one's
    colour (n, 4): built at once, not cell by cell as ``plot_surface`` does."""
    rows = np.arange(0, terrain.heights.shape[0], stride)
    cols = np.arange(0, terrain.heights.shape[1], stride)
    if rows[-1] != terrain.heights.shape[0] - 1:
        rows = np.append(rows, terrain.heights.shape[0] - 1)
    if cols[-1] != terrain.heights.shape[1] - 1:
        cols = np.append(cols, terrain.heights.shape[1] - 1)
    points = np.stack([terrain.grid_x, terrain.grid_y, terrain.heights], axis=-1)
    points = points[np.ix_(rows, cols)]
    corners = np.stack([points[:-1, :-1], points[:-1, 1:], points[1:, 1:], points[1:, :-1]], axis=2)
    # Each cell takes the colour of its centre.
    centre_rows = (rows[:-1] + rows[1:]) // 2
    centre_cols = (cols[:-1] + cols[1:]) // 2
    return corners.reshape(-1, 4, 3), colors[np.ix_(centre_rows, centre_cols)].reshape(-1, 4)
