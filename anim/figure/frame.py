"""The picture of a race: lays out the frame, asks each layer to build, then moves them.

Everything static (surface, contour lines, axes, labels, the scoreboard's names) is drawn
once and kept as pixels; each frame restores those pixels and draws only what the layers
say moves (trails, heads, statuses, the step counter, panel curves) on top.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from .. import board
from ..fonts import quiet_missing_glyphs, typeface
from ..optimizers import Optimizer
from ..palette import racer_styles
from ..race import RaceResult
from ..settings import VIEWS
from ..surface import Surface
from ..words import words_for
from .fidelity import FidelityPanel, fidelity_panels, projected_runs
from .glyphs import GlyphLayer
from .glyphs3d import Glyph3DLayer
from .layer import FrameStyle, Layer, Racer, Stage
from .layout import Layout, TextSizes, plan
from .panels import LearningRatePanel, LossPanel
from .racers import RacersLayer
from .racers3d import Racers3DLayer, default_camera
from .scoreboard import ScoreboardLayer
from .surface import SurfaceLayer
from .surface3d import Surface3DLayer
from .swarm import SwarmLayer
from .swarm3d import Swarm3DLayer, default_swarm_camera
from .terrain import Terrain
from .theme import TEXT_FONT, TICK_FONT, TITLE_FONT, theme_named

#: Layout is designed at 800 x 600 px and 100 dpi, and scales with the figure; below this
#: dpi text would be too small to read, so small frames keep it and get relatively more.
BASE_SIZE, BASE_DPI, MIN_DEFAULT_DPI = (800, 600), 100.0, 72.0
#: Height / width of the box the 3D view gets when its camera is not known yet (the
#: check before the race); once it is, the box takes the shape of the surface's box as
#: that camera sees it (``view_aspect``), within these bounds.
ASPECT_3D = 0.8
MIN_ASPECT_3D, MAX_ASPECT_3D = 0.5, 1.6
DEFAULT_STYLE = FrameStyle()
#: What the figure writes besides the scene's texts and the language's words: numbers
#: (a true minus), tick labels, the 3D view's log axis.
FIGURE_CHARACTERS = "0123456789.,:()+−-=×·/|e log₁₀ δ"


def plot_shape(view: str, aspect: float | None, aspect3d: float | None = None) -> dict[str, Any]:
    """The layout's arguments for the plot of ``view``, given the 2D plot's aspect and
    the 3D view's (None: not known yet)."""
    aspect3d = ASPECT_3D if aspect3d is None else aspect3d
    if view == "3d":
        return {"aspect": aspect3d}
    if view == "both":
        return {"aspect": None, "split": (aspect3d, aspect or 1.0)}
    return {"aspect": aspect}


def view_aspect(terrain: Terrain, camera: tuple[float, float], orbit: float) -> float:
    """Height / width of the box the 3D view should get: the surface's box as the camera
    sees it (over the whole orbit), with room for its tick labels."""
    width, height = terrain.screen_extent(*camera, orbit=orbit)
    labels = 0.0 if orbit else 0.12  # tick labels and axis names, in box units
    return float(np.clip((height + labels) / (width + 2 * labels), MIN_ASPECT_3D, MAX_ASPECT_3D))


class LayoutError(ValueError):
    """The text leaves no room for the plot at this size and dpi."""


def default_dpi(width: int, height: int) -> float:
    """The dpi that keeps text and lines the same relative size at any pixel size, but
    never smaller than readable."""
    return max(BASE_DPI * min(width / BASE_SIZE[0], height / BASE_SIZE[1]), MIN_DEFAULT_DPI)


def figure_texts(
    labels: Sequence[str], title: str | None, surface: Surface | None, language: str = "en"
) -> list[str]:
    """Every text a figure can write, for choosing its fonts: the title (or the surface's
    name and formula, the default title), the racers' labels, the language's words."""
    return [
        title or "",
        getattr(surface, "name", None) or "",
        getattr(surface, "formula", None) or "",
        *labels,
        FIGURE_CHARACTERS,
        *words_for(language).as_dict().values(),
    ]


def _new_stage(
    optimizers: Sequence[Optimizer],
    surface: Surface | None,
    style: FrameStyle,
    title: str | None = None,
) -> Stage:
    """The figure and what every layer draws with, for these racers on ``surface`` (None:
    a race not run yet, whose layout is only checked)."""
    theme = theme_named(style.theme)
    # A thousandth of a pixel over, so that inches × dpi cannot round down to one pixel
    # short (matplotlib truncates the canvas size).
    figure = Figure(
        figsize=((style.width + 1e-3) / style.dpi, (style.height + 1e-3) / style.dpi),
        dpi=style.dpi,
        facecolor="none" if style.transparent else theme.page,
    )
    racers = [
        Racer(color, marker, optimizer.label)
        for (color, marker), optimizer in zip(racer_styles(optimizers, theme.name), optimizers)
    ]
    fonts = typeface(
        figure_texts([racer.label for racer in racers], title, surface, style.language), style.font
    )
    return Stage(
        figure, FigureCanvasAgg(figure), style, theme, racers, fonts, words_for(style.language)
    )


def _plan(
    stage: Stage,
    surface: SurfaceLayer,
    scoreboard: ScoreboardLayer,
    panels: int,
    aspect3d: float | None = None,
) -> Layout:
    labels, status, counter = scoreboard.measure(stage)
    x_ticks, y_ticks = surface.tick_texts()
    sizes = TextSizes(
        labels=tuple(labels),
        status=status,
        counter=counter,
        tick_width=max(stage.text_width(t, TICK_FONT) for t in y_ticks),
        last_x_tick=stage.text_width(x_ticks[-1], TICK_FONT) if x_ticks else 0.0,
        tick_height=TICK_FONT * stage.scale * 1.2,
        panel_tick_width=stage.text_width("10−16", TICK_FONT),
        colorbar_tick_width=max(stage.text_width(t, TICK_FONT) for t in surface.colorbar_texts()),
    )
    style = stage.style
    layout = plan(
        style.width,
        style.height,
        style.dpi,
        sizes,
        panels=panels,
        colorbar=style.colorbar,
        **plot_shape(style.view, surface.aspect, aspect3d),
    )
    if layout is None:
        raise LayoutError(_no_room(style, len(labels)))
    return layout


def _no_room(style: FrameStyle, racers: int) -> str:
    return (
        f"the text of {racers} optimizer(s) at dpi {style.dpi:g} leaves no room for the "
        f"plot in {style.width}x{style.height}; use a larger size or a smaller dpi"
    )


class _Backdrop(Artist):
    """Every static pixel of the figure, captured once, restored in one copy per frame,
    and the occasional artists' pixels as last drawn on top of them."""

    def __init__(self, region: object) -> None:
        super().__init__()
        self.region = region
        self.patches: list[object] = []
        self.set_zorder(-math.inf)

    def draw(self, renderer):  # the Agg renderer (RendererBase has no restore_region)
        renderer.restore_region(self.region)
        for patch in self.patches:
            renderer.restore_region(patch)


class RaceFigure:
    """The figure for one race; ``draw_frame(step)`` shows the race after ``step`` steps
    (clamped to the last step, so later frames hold the final picture)."""

    def __init__(
        self,
        result: RaceResult,
        style: FrameStyle = DEFAULT_STYLE,
        title: str | None = None,
        fast: bool = True,
    ) -> None:
        self.result = result
        self.style = style
        stage = self.stage = _new_stage(result.optimizers, result.surface, style, title)
        self.figure, self.canvas = stage.figure, stage.canvas
        # Every text created while building gets the stage's fonts.
        with stage.typeface.context(), quiet_missing_glyphs():
            self._build(title, fast)

    def _build(self, title: str | None, fast: bool) -> None:
        result, style, stage = self.result, self.style, self.stage
        if style.view not in VIEWS:
            raise ValueError(f"Invalid view: {style.view!r} (choose from {', '.join(VIEWS)})")
        # The contour view's grid also sizes the layout and gives the 3D view its heights.
        self.surface = SurfaceLayer(result, style.colormap)
        swarm = board.is_swarm(result)
        # A swarm (many starts) draws thin trails and small heads instead.
        self.racers = SwarmLayer(result) if swarm else RacersLayer(result)
        self.scoreboard = ScoreboardLayer(result)
        self.loss_panel = LossPanel(result) if style.loss_panel else None
        self.lr_panel = LearningRatePanel(result, style.explain) if style.lr_panel else None
        explained = style.explain
        # Step glyphs on each view shown; their key once, in the contour view if there is one.
        self.glyphs = GlyphLayer(result, explained) if explained and style.view != "3d" else None
        self.glyphs3d = (
            Glyph3DLayer(result, explained, key=style.view == "3d")
            if explained and style.view != "2d"
            else None
        )
        # Each panel builds on the panel axes the layout gives it.
        panels: list[LossPanel | LearningRatePanel | FidelityPanel] = [
            layer for layer in (self.loss_panel, self.lr_panel) if layer is not None
        ]
        panels += fidelity_panels(result)  # projected training runs: how far to trust them
        aspect3d = None
        if style.view != "2d":
            surface = self.surface
            stage.terrain = self.terrain = Terrain(
                surface.grid_x, surface.grid_y, surface.z, surface.levels, surface.logarithmic
            )
            stage.camera = style.camera or (default_swarm_camera if swarm else default_camera)(
                result, self.terrain
            )
            aspect3d = view_aspect(self.terrain, stage.camera, style.orbit)
        stage.layout = self.layout = _plan(
            stage, self.surface, self.scoreboard, len(panels), aspect3d
        )
        page = "none" if style.transparent else stage.theme.page
        views: list[Layer] = []
        if style.view != "2d":
            stage.plot3d = self.ax3d = stage.figure.add_axes(
                self.layout.plots[0].fraction(style.width, style.height),
                projection="3d",
                computed_zorder=False,
                proj_type="ortho",
                facecolor=page,
            )
            self.surface3d = Surface3DLayer(result)
            self.racers3d = Swarm3DLayer(result) if swarm else Racers3DLayer(result)
            views += [self.surface3d, self.racers3d]
            if self.glyphs3d is not None:
                views.append(self.glyphs3d)
        if style.view != "3d":
            stage.plot = self.ax = stage.axes_at(self.layout.plots[-1], facecolor=stage.theme.page)
            views = [self.surface, self.racers, *views]
            if self.glyphs is not None:
                views.append(self.glyphs)
        else:
            self.ax = self.ax3d
        stage.panels = [stage.axes_at(box, facecolor=page) for box in self.layout.panels]
        self._title(title or self._default_title())
        self.layers: list[Layer] = [*views, self.scoreboard]
        for layer in self.layers:
            layer.build(stage)
        for layer, ax in zip(panels, stage.panels):
            layer.build(stage, ax)
        self.layers += panels
        # Asking for every text makes the axes' tick labels, which matplotlib creates
        # when first asked for: made now, they get the stage's fonts too (the ones made
        # later copy their font).
        self.figure.findobj(Text)
        self._frozen = False
        if fast:
            self.freeze()

    @property
    def moving(self) -> list[Artist]:
        return [artist for layer in self.layers for artist in layer.moving]

    @property
    def occasional(self) -> list[Artist]:
        return [artist for layer in self.layers for artist in layer.occasional]

    def _title(self, text: str) -> None:
        box, theme = self.layout.title, self.stage.theme
        size = TITLE_FONT
        title = self.figure.text(
            0.5,
            (box.y + 0.5 * box.height) / self.style.height,
            text,
            ha="center",
            va="center",
            fontsize=size,
            weight="bold",
            color=theme.text,
        )
        renderer, limit = self.canvas.get_renderer(), 0.96 * self.style.width
        while size > TEXT_FONT and title.get_window_extent(renderer).width > limit:
            size -= 0.5
            title.set_fontsize(size)

    def _default_title(self) -> str:
        surface = self.result.surface
        name = (surface.name or "").replace("_", " ")
        name = name[:1].upper() + name[1:]
        formula = f"f = {surface.formula}" if surface.formula else ""
        return "   ".join(part for part in (name, formula) if part) or "Optimizer race"

    # --- the fast path --------------------------------------------------------------
    def freeze(self) -> None:
        """Draw the static parts once, keep their pixels, and stop drawing them; the
        occasional artists are drawn into those pixels whenever they change."""
        if self._frozen:
            return
        moving = self.moving
        for artist in (*moving, *self.occasional):
            artist.set_visible(False)
        with quiet_missing_glyphs():
            self.canvas.draw()
        self._static_region = self.canvas.copy_from_bbox(self.figure.bbox)
        self._backdrop = _Backdrop(self._static_region)
        self._baked = object()  # no occasional artist baked in yet
        kept = set(map(id, moving))
        for axes in self.figure.axes:
            for child in axes.get_children():
                if id(child) not in kept:
                    child.set_visible(False)
            axes.set_axis_off()
        for child in self.figure.get_children():
            if id(child) not in kept and child not in self.figure.axes:
                child.set_visible(False)
        self.figure.add_artist(self._backdrop)
        for artist in moving:
            artist.set_visible(True)
        self._frozen = True

    @property
    def key_colors(self) -> list[tuple[int, int, int]]:
        """The picture's solid colours (markers, text), which a GIF keeps exactly."""
        theme = self.stage.theme
        named = [
            theme.goal,
            theme.goal_edge,
            theme.start_face,
            theme.start_edge,
            theme.page,
            theme.text,
            theme.muted,
            theme.head_edge,
            *(racer.color for racer in self.stage.racers),
        ]
        return [_bytes(to_rgb(color)) for color in named]

    # --- frames ---------------------------------------------------------------------
    def update(self, step: int, frame: int | None = None) -> list[Artist]:
        """Move every layer to ``step`` (clamped to the race's steps); ``frame`` is the
        frame's number in the video (default: the step), which turns an orbiting camera."""
        self.stage.frame = max(int(step if frame is None else frame), 0)
        step = min(max(int(step), 0), self.result.steps)
        moved: list[Artist] = []
        for layer in self.layers:
            moved += layer.update(step)
        if self._frozen:
            key = tuple(layer.occasional_key() for layer in self.layers)
            if key != self._baked:
                self._bake()
                self._baked = key
        return moved

    def _bake(self) -> None:
        """Keep the occasional artists' pixels as they are now: drawn over the static
        pixels of the boxes they cover, and kept as patches of those boxes."""
        with quiet_missing_glyphs():
            self._draw_occasional()

    def _draw_occasional(self) -> None:
        renderer = self.canvas.get_renderer()
        renderer.restore_region(self._static_region)
        boxes = []
        for artist in self.occasional:
            artist.set_visible(True)
            artist.draw(renderer)
            boxes.append(artist.get_window_extent(renderer).padded(2))
            artist.set_visible(False)
        if boxes:
            area = Bbox.intersection(Bbox.union(boxes), self.figure.bbox)
            self._backdrop.patches = [] if area is None else [self.canvas.copy_from_bbox(area)]

    def draw_frame(self, step: int) -> np.ndarray:
        """Render ``step`` and return the canvas as an (height, width, 4) uint8 view."""
        with quiet_missing_glyphs():
            self.update(step)
            self.canvas.draw()
        return np.asarray(self.canvas.buffer_rgba())

    def close(self) -> None:
        self.figure.clear()


def _bytes(rgb: tuple[float, float, float]) -> tuple[int, int, int]:
    """An RGB colour of floats in [0, 1] as bytes."""
    red, green, blue = rgb
    return round(255 * red), round(255 * green), round(255 * blue)


def check_layout(
    style: FrameStyle,
    optimizers: Sequence[Optimizer],
    steps: int,
    any_goal: bool = False,
    aspect: float | None = 1.0,
    starts: int | None = None,
) -> None:
    """Raise LayoutError when the text of this race leaves no room for the plot, before
    anything is raced or drawn; the widest texts are estimated from the step count."""
    with quiet_missing_glyphs():
        _check_layout(style, optimizers, steps, any_goal, aspect, starts)


def _check_layout(
    style: FrameStyle,
    optimizers: Sequence[Optimizer],
    steps: int,
    any_goal: bool,
    aspect: float | None,
    starts: int | None,
) -> None:
    stage = _new_stage(optimizers, None, style)
    words = stage.words
    labels = [stage.text_width(racer.label, TEXT_FONT) for racer in stage.racers]
    count = len(labels)
    statuses = [
        board.arrived(count, steps, words),
        "f = −8.88e−88",
        words.diverged.format(step=steps),
    ]
    if any_goal:
        statuses[0] += words.arrived_at.format(x="−8.8", y="8.8")
    if starts is not None:
        statuses.append(
            words.swarm_arrived.format(arrived=starts, count=starts)
            + words.swarm_median.format(median=steps)
            + words.swarm_diverged.format(count=starts)
        )
    status = max(stage.text_width(text, TEXT_FONT, weight="bold") for text in statuses)
    sizes = TextSizes(
        tuple(min(w, 0.42 * style.width) for w in labels),
        status,
        stage.text_width(words.counter.format(step=steps, steps=steps), TEXT_FONT, mono=True),
        tick_width=stage.text_width("−88.8", TICK_FONT),
        tick_height=TICK_FONT * stage.scale * 1.2,
        panel_tick_width=stage.text_width("10−16", TICK_FONT),
        colorbar_tick_width=stage.text_width("−8.88e+08", TICK_FONT),
        last_x_tick=stage.text_width("−88.8", TICK_FONT),
    )
    if (
        plan(
            style.width,
            style.height,
            style.dpi,
            sizes,
            panels=int(style.loss_panel)
            + int(style.lr_panel)
            + (2 if projected_runs(optimizers) else 0),
            colorbar=style.colorbar,
            **plot_shape(style.view, aspect),
        )
        is None
    ):
        raise LayoutError(_no_room(style, count))
