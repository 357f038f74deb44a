"""What the finish board says: who arrived when, who diverged, and how the rest ended.

Pure text and colour; ``anim.figure`` places the rows and draws them.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.colors import to_hex, to_rgb

from .race import RaceResult

#: A board row: its text, its colour and whether it is bold.
Row = tuple[str, str, bool]
EMPTY_ROW: Row = ("", "black", True)


def rows_at(result: RaceResult, names: list[str], colors: list[str], step: int) -> list[Row]:
    """The board after ``step`` steps: arrivals by step (numbered), then divergences;
    after the last step, those that did neither, by the loss they ended at (not bold)."""
    finished, unfinished = [], []
    for i, name in enumerate(names):
        status = result.status(i, step)
        arrived, diverged = result.arrival_step[i], result.diverged_step[i]
        if status == "arrived":
            where = ""
            if len(result.goals) > 1:
                x, y = (number(v) for v in result.arrived_at[i])
                where = f" at ({x}, {y})"
            finished.append((arrived, i, f"{name} — step {arrived}{where}"))
        elif status == "diverged":
            finished.append((math.inf, i, f"✗ {name} diverged at step {diverged}"))
        elif step == result.steps:
            loss = result.final_loss(i)
            outcome = ["not arrived"] if result.goals else []
            outcome += [] if loss is None else [f"f = {number(loss)}"]
            unfinished.append((math.inf if loss is None else loss, i,
                               f"{name} — {', '.join(outcome)}"))
    finished.sort(key=lambda item: item[:2])
    unfinished.sort(key=lambda item: item[:2])
    rows = [(f"{place}. {text}" if math.isfinite(arrived) else text, colors[i], True)
            for place, (arrived, i, text) in enumerate(finished, start=1)]
    return rows + [(text, colors[i], False) for _, i, text in unfinished]


def short_names(optimizers) -> list[str]:
    """Names for the board: two Momentums also show the settings that differ, and two
    that still read the same are numbered in the order given."""
    labels = [optimizer.label.split() for optimizer in optimizers]
    names = []
    for optimizer, label in zip(optimizers, labels):
        twins = [other for other, o in zip(labels, optimizers)
                 if o.name == optimizer.name and other is not label]
        differing = [part for part in label[1:] if any(part not in twin for twin in twins)]
        names.append(" ".join([optimizer.name, *differing]))
    for name in set(names):
        if names.count(name) > 1:
            numbers = iter(range(1, len(names) + 1))
            names = [f"{n} #{next(numbers)}" if n == name else n for n in names]
    return names


def readable_on_white(color: str) -> str:
    """``color``, darkened until text in it has a contrast of at least 4.5:1 on white
    (WCAG AA), so the pale members of the palette stay readable as board text."""
    rgb = np.array(to_rgb(color))
    for scale in np.linspace(1, 0, 51):
        shade = rgb * scale
        linear = np.where(shade <= 0.04045, shade / 12.92, ((shade + 0.055) / 1.055) ** 2.4)
        if 1.05 / (linear @ [0.2126, 0.7152, 0.0722] + 0.05) >= 4.5:
            return to_hex(shade)
    return "#000000"


def number(value: float) -> str:
    """Three significant digits with a true minus sign."""
    return f"{value:.3g}".replace("-", "−")
