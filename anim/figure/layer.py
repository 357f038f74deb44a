"""What every layer of the figure shares: the stage it draws on and the layer protocol.

A layer builds its artists once (``build``), says which of them move (``moving``: drawn
every frame) and which change only now and then (``occasional``: drawn into the kept
pixels again when ``occasional_key()`` changes); everything else it draws is kept as pixels
by the fast path. ``update(step)`` moves them to a step and returns the artists it moved.
Layers read the race result and the stage; they never call the surface or an optimizer,
nor each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..fonts import Typeface
from ..words import Words
from .layout import Box, Layout
from .theme import Theme

if TYPE_CHECKING:
    from mpl_toolkits.mplot3d import Axes3D

    from .terrain import Terrain

T = TypeVar("T")


def required(value: T | None, what: str) -> T:
    """``value``, which the frame sets on the stage before any layer builds (the layout,
    the axes, the 3D view's terrain and camera); a RuntimeError naming ``what`` if not."""
    if value is None:
        raise RuntimeError(f"the stage has no {what}: the frame sets it before the layers build")
    return value


@dataclass(frozen=True)
class FrameStyle:
    """Pixel size, resolution and the options that change the picture."""

    width: int = 800
    height: int = 600
    dpi: float = 100.0
    loss_panel: bool = False
    theme: str = "light"
    transparent: bool = False
    colorbar: bool = False
    colormap: str | None = None
    #: The scoreboard's loss column changes every this many video frames: a number that
    #: changes at the frame rate cannot be read (places and steps still show when they
    #: happen).
    loss_refresh: int = 1
    #: Race steps per video frame (--every K): the refresh counts frames, not steps.
    every: int = 1
    #: Page-coloured plates under the changing text of a transparent animation: a GIF
    #: can only make a pixel clear again by repainting the whole previous frame.
    text_plates: bool = False
    #: Racers (by index) whose step glyphs are drawn, and the effective-lr panel.
    explain: tuple[int, ...] = ()
    lr_panel: bool = False
    #: "2d" (contours), "3d" (the surface in perspective) or "both", side by side.
    view: str = "2d"
    #: (elevation, azimuth) in degrees of the 3D view; None: chosen from the race.
    camera: tuple[float, float] | None = None
    #: Degrees the 3D camera turns over the animation's ``frames`` frames.
    orbit: float = 0.0
    frames: int | None = None
    #: The main font (an installed family name or a font file; None: matplotlib's
    #: default) and the language of the words the figure writes (see anim.words).
    font: str | None = None
    language: str = "en"

    @property
    def refresh_steps(self) -> int:
        """The race steps between two refreshes of the scoreboard's changing text."""
        return max(int(self.loss_refresh), 1) * max(int(self.every), 1)


@dataclass(frozen=True)
class Racer:
    """How one optimizer is drawn."""

    color: str
    marker: str
    label: str


@dataclass
class Stage:
    """The figure being built and what every layer needs to draw on it."""

    figure: Figure
    canvas: FigureCanvasAgg
    style: FrameStyle
    theme: Theme
    racers: list[Racer]
    #: The families every text is drawn with (the main font, then fallbacks for the
    #: characters it lacks) and the words the figure writes: the one place that decides.
    typeface: Typeface
    words: Words
    layout: Layout | None = None
    plot: Axes | None = None
    panels: list[Axes] = field(default_factory=list)
    #: The 3D view: its axes, the surface as it draws it, its camera (elev, azim).
    plot3d: Axes3D | None = None
    terrain: Terrain | None = None
    camera: tuple[float, float] | None = None
    #: The frame being drawn (the step, unclamped: frames past the race hold it).
    frame: int = 0

    @property
    def scale(self) -> float:
        """Pixels per point."""
        return self.style.dpi / 72

    def axes_at(self, box: Box, **kwargs: Any) -> Axes:
        return self.figure.add_axes(box.fraction(self.style.width, self.style.height), **kwargs)

    def text_width(
        self, text: str, size: float, weight: str = "normal", mono: bool = False
    ) -> float:
        """Width in pixels of ``text`` at ``size`` points, in the figure's fonts (the
        fallbacks included)."""
        renderer = self.canvas.get_renderer()
        font = self.typeface.properties(size, weight, mono)
        width, _, _ = renderer.get_text_width_height_descent(text, font, ismath=False)
        return width


class Layer:
    """Base of the figure's layers; see the module docstring."""

    moving: list[Artist]
    occasional: list[Artist]

    def __init__(self) -> None:
        self.moving = []
        self.occasional = []

    def occasional_key(self) -> object:
        """Anything that changes exactly when an occasional artist does."""
        return None

    def build(self, stage: Stage) -> None:
        raise NotImplementedError

    def update(self, step: int) -> list[Artist]:
        return []
