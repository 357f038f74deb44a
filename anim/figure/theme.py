"""The bottom of the figure package: themes, drawing order and sizes every layer shares.

A theme is a set of colours chosen together (page, text, surface colormap, racers), not
an inverted picture: the dark theme darkens the valleys and keeps the racers bright.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matplotlib import colormaps
from matplotlib.colors import Colormap, LinearSegmentedColormap

from ..palette import PALETTES

#: Drawing order: surface, goal circle, trails (3 + 0.01 i), finished heads, the goal star
#: and start ring (never buried by a finisher), racing heads on top.
SURFACE_Z, GOAL_CIRCLE_Z, TRAIL_Z, FINISHED_Z, LANDMARK_Z, HEAD_Z = 0.5, 0.9, 3.0, 3.5, 3.8, 4.0
#: Head marker size in points; heads closer than this are fanned out (see racers.py).
HEAD_SIZE = 8.0
#: Font sizes in points at the design size (800 x 600 px, 100 dpi).
TITLE_FONT, TEXT_FONT, TICK_FONT = 12.0, 9.0, 8.0


@dataclass(frozen=True)
class Theme:
    name: str
    page: str  # the figure's background (unless transparent)
    text: str  # titles, labels, the scoreboard
    muted: str  # ticks, spines, the step counter's frame
    surface: tuple[str, ...]  # the surface colormap, from low to high f
    contour: str  # contour lines
    contour_alpha: float
    head_edge: str  # the rim that separates a head from what is under it
    start_face: str
    start_edge: str
    grid: str  # grid lines of the panels
    goal: str = "#ffd21f"
    goal_edge: str = "#6b5200"

    @property
    def palette(self) -> tuple[str, ...]:
        return PALETTES[self.name]

    @property
    def goal_star(self) -> dict[str, Any]:
        """The goal's star as Line2D keywords: the same in the contour and the 3D view."""
        return dict(
            marker="*",
            markersize=15,
            color=self.goal,
            markeredgecolor=self.goal_edge,
            markeredgewidth=0.9,
            zorder=LANDMARK_Z,
            linestyle="",
        )

    @property
    def start_mark(self) -> dict[str, Any]:
        """The race's start as Line2D keywords, in the contour and the 3D view."""
        return dict(
            marker="o",
            markersize=7,
            markerfacecolor=self.start_face,
            markeredgecolor=self.start_edge,
            markeredgewidth=1.2,
            zorder=LANDMARK_Z,
            linestyle="",
        )

    def colormap(self, name: str | None = None) -> Colormap:
        """The scene's colormap by matplotlib name, or the theme's own."""
        if name is not None:
            return colormaps[name]
        return LinearSegmentedColormap.from_list(f"anim_{self.name}", list(self.surface))


THEMES = {
    "light": Theme(
        name="light",
        page="#ffffff",
        text="#1a1a1a",
        muted="#4d4d4d",
        surface=("#fbfbf8", "#e4e9ee", "#c3cfdb", "#98abbf", "#6d86a0"),
        contour="#4a5a6a",
        contour_alpha=0.55,
        head_edge="#ffffff",
        start_face="#ffffff",
        start_edge="#222222",
        grid="#dddddd",
    ),
    "dark": Theme(
        name="dark",
        page="#15181e",
        text="#e8e8e8",
        muted="#a9b0ba",
        surface=("#0f1218", "#18202b", "#233040", "#314358", "#425a74"),
        contour="#8fa3b8",
        contour_alpha=0.35,
        head_edge="#0b0d11",
        start_face="#15181e",
        start_edge="#f2f2f2",
        grid="#343b46",
    ),
}


def theme_named(name: str) -> Theme:
    """The theme called ``name``, or a ValueError listing the themes."""
    if name not in THEMES:
        raise ValueError(f"Invalid theme: {name!r} (choose from {', '.join(THEMES)})")
    return THEMES[name]
