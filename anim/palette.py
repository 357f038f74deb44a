"""Racer colours and marker shapes: which racer is drawn how, for every theme.

Pure Python, so ``race --json`` can name each racer's colour without drawing anything.
Seven colours of Okabe & Ito's colour-blind-safe set and eight marker shapes: racer ``i``
gets colour ``i % 7`` and marker ``i % 8``, so the first 56 racers all differ in the pair,
and the first seven differ in colour alone.
"""

from __future__ import annotations

#: Most distinct first. On light surfaces yellow is too faint, so black takes its place;
#: on dark ones the deep blue and black vanish, so near-white and yellow take theirs
#: (yellow last: it is nearest the gold of the goal star).
PALETTES = {
    "light": ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"),
    "dark": ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#F2F2F2", "#F0E442"),
}
#: "X" is kept for "diverged", "*" for the goal.
MARKERS = ("o", "s", "^", "D", "v", "P", "p", "h")


def racer_styles(optimizers, theme: str = "light") -> list[tuple[str, str]]:
    """(colour as '#rrggbb', marker) per optimizer: its own ``color`` if it has one, else
    the palette's next; no two racers share both colour and marker."""
    palette = PALETTES[theme]
    taken: set[tuple[str, str]] = set()
    styles = []
    for index, optimizer in enumerate(optimizers):
        color = (getattr(optimizer, "color", None) or palette[index % len(palette)]).lower()
        shift = 0
        while shift < len(MARKERS) and (color, MARKERS[(index + shift) % len(MARKERS)]) in taken:
            shift += 1  # an own colour that repeats a palette colour: change the shape
        marker = MARKERS[(index + shift) % len(MARKERS)]
        taken.add((color, marker))
        styles.append((color, marker))
    return styles
