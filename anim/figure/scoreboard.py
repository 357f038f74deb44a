"""The scoreboard layer: one row per racer, in the scene's order — its marker and colour,
its label, and a live status (the loss while it races, its place and step once it
arrives, ✗ and the step once it diverges) — under the step counter."""

from __future__ import annotations

from typing import Any

from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from .. import board
from ..race import RaceResult
from .layer import Layer, Stage, required
from .layout import GLYPH, STATUS_GAP
from .theme import TEXT_FONT

#: A label wider than this share of the frame is shortened with an ellipsis.
MAX_LABEL_SHARE = 0.42


class ScoreboardLayer(Layer):
    def __init__(self, result: RaceResult) -> None:
        super().__init__()
        self.result = result
        self.places = board.places(result)

    # --- sizes the layout needs ---------------------------------------------------------
    def measure(self, stage: Stage) -> tuple[list[float], float, float]:
        """(label widths, widest status, counter width) in pixels; shortens labels that
        would not fit."""
        limit = MAX_LABEL_SHARE * stage.style.width
        self.labels = [_shortened(stage, racer.label, limit) for racer in stage.racers]
        self.words = stage.words
        widths = [stage.text_width(label, TEXT_FONT) for label in self.labels]
        status = max(
            stage.text_width(text, TEXT_FONT, weight="bold")
            for i in range(len(self.labels))
            for text in board.widest_candidates(self.result, i, self.words)
        )
        counter = stage.text_width(self._counter_text(self.result.steps), TEXT_FONT, mono=True)
        self.status_width, self.counter_width = status, counter
        return widths, status, counter

    def _counter_parts(self) -> tuple[str, str]:
        """The counter's text before and after the step number ("step ", " / 150")."""
        before, after = self.words.counter.split("{step}", 1)
        return before, after.format(steps=self.result.steps)

    def _counter_text(self, step: int) -> str:
        before, after = self._counter_parts()
        return f"{before}{step:>{len(str(self.result.steps))}}{after}"

    # --- drawing ------------------------------------------------------------------------
    def build(self, stage: Stage) -> None:
        figure, theme = stage.figure, stage.theme
        layout = required(stage.layout, "layout")
        width, height, scale = stage.style.width, stage.style.height, stage.scale
        self.theme = theme
        self.refresh = stage.style.refresh_steps

        def at(x: float, y: float) -> tuple[float, float]:  # pixels -> figure fraction
            return x / width, y / height

        self.statuses: list[Text] = []
        #: The labels' texts (static; the page draws a label itself when it can change).
        self.label_texts: list[Text] = []
        for i, (racer, label) in enumerate(zip(stage.racers, self.labels)):
            x, y = layout.row_origin(i)
            middle = y - 0.5 * layout.line
            glyph = GLYPH * scale
            figure.add_artist(
                Line2D(
                    [at(x + 0.12 * glyph, 0)[0], at(x + 0.78 * glyph, 0)[0]],
                    [middle / height] * 2,
                    color=racer.color,
                    linewidth=1.8,
                    transform=figure.transFigure,
                )
            )
            figure.add_artist(
                Line2D(
                    [at(x + 0.45 * glyph, 0)[0]],
                    [middle / height],
                    color=racer.color,
                    marker=racer.marker,
                    markersize=7,
                    markeredgecolor=theme.head_edge,
                    markeredgewidth=0.8,
                    transform=figure.transFigure,
                )
            )
            text: dict[str, Any] = dict(fontsize=TEXT_FONT, va="center", color=theme.text)
            self.label_texts.append(figure.text(*at(x + glyph, middle), label, **text))
            if layout.two_line_rows:
                spot = at(x + glyph, middle - layout.line)
            else:
                spot = at(x + glyph + layout.label_width + STATUS_GAP * scale, middle)
            self.statuses.append(figure.text(*spot, "", **text))
            if stage.style.text_plates:
                self._plate(stage, spot[0] * width, spot[1] * height, self.status_width)
        top = layout.board.y + layout.board.height - 0.5 * layout.line
        right = layout.board.x + layout.board.width
        counter: dict[str, Any] = dict(
            ha="right",
            va="center",
            fontsize=TEXT_FONT,
            family=list(stage.typeface.mono),
            color=theme.text,
        )
        # Monospace, so the changing digits (drawn every frame) fill the blank left for
        # them in the static "step ___ / N" (drawn once): far fewer glyphs per frame.
        # (Hence a language's words after the number are ASCII, as wide as blanks.)
        digits = len(str(self.result.steps))
        before, total = self._counter_parts()
        self.counter_frame = figure.text(
            *at(right, top), f"{before}{' ' * digits}{total}", **counter
        )
        if stage.style.text_plates:
            self._plate(stage, right - self.counter_width, top, self.counter_width)
        self.step_text = figure.text(*at(right, top), "", **counter)
        self._step_format = f"{{:>{digits}}}{' ' * len(total)}"
        # The statuses change every few frames: baked into the kept pixels when they do.
        self.occasional += self.statuses
        self.moving.append(self.step_text)
        #: Each row's state as last drawn ("racing", "arrived", "diverged"; None: not yet).
        self.states: list[str | None] = [None] * len(self.statuses)

    def _plate(self, stage: Stage, x: float, middle: float, text_width: float) -> None:
        line, pad = required(stage.layout, "layout").line, 2 * stage.scale
        stage.figure.add_artist(
            Rectangle(
                ((x - pad) / stage.style.width, (middle - 0.5 * line) / stage.style.height),
                (text_width + 2 * pad) / stage.style.width,
                line / stage.style.height,
                transform=stage.figure.transFigure,
                facecolor=stage.theme.page,
                edgecolor="none",
                zorder=0.5,
            )
        )

    def occasional_key(self) -> object:
        return tuple(text.get_text() for text in self.statuses)

    def update(self, step: int) -> list[Artist]:
        loss_step = step if step == self.result.steps else step - step % self.refresh
        for i, text in enumerate(self.statuses):
            text.set_text(
                board.status(self.result, i, step, self.places.get(i), loss_step, self.words)
            )
            state = self.result.status(i, step)
            if state != self.states[i]:
                text.set_fontweight("bold" if state == "arrived" else "normal")
                text.set_color(self.theme.muted if state == "diverged" else self.theme.text)
                self.states[i] = state
        self.step_text.set_text(self._step_format.format(step))
        return [*self.statuses, self.step_text]


def _shortened(stage: Stage, label: str, limit: float) -> str:
    """``label``, cut with an ellipsis to at most ``limit`` pixels."""
    if stage.text_width(label, TEXT_FONT) <= limit:
        return label
    while len(label) > 1 and stage.text_width(label + "…", TEXT_FONT) > limit:
        label = label[:-1]
    return label.rstrip() + "…"
