"""The figure of a race, as a stack of layers.

``layout`` places the plot, panels and scoreboard for a frame size; ``theme`` holds the
colours, drawing order and sizes; each layer (``surface``, ``racers`` or ``swarm``,
``glyphs``, ``scoreboard``, ``panels``, and for the 3D view ``surface3d``, ``racers3d``
or ``swarm3d`` and ``glyphs3d`` on the heights and camera of ``terrain``) builds its
artists once and moves them per step; ``frame`` assembles them and keeps the static
pixels (the fast path).
"""

from .frame import LayoutError, RaceFigure, check_layout, default_dpi, figure_texts
from .layer import FrameStyle, Layer, Racer, Stage
from .surface import SurfaceDrawingError, contour_levels, plot_aspect
from .theme import THEMES, Theme

__all__ = [
    "FrameStyle",
    "Layer",
    "LayoutError",
    "RaceFigure",
    "Racer",
    "Stage",
    "SurfaceDrawingError",
    "THEMES",
    "Theme",
    "check_layout",
    "contour_levels",
    "default_dpi",
    "figure_texts",
    "plot_aspect",
]
