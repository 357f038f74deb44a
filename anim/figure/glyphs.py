"""The glyph layer: why an explained racer moves as it does, drawn at its head.

Three arrows from the head — the step plain gradient descent would take (−lr·∇f, an
outline), the step the optimizer actually takes to its next point (solid), and, for
optimizers with one, its velocity as the step it stands for (−lr·v, translucent) — and,
for adaptive optimizers, a dashed box whose half-sides are the per-axis step scale
lr/√h: AdaGrad's box collapses as its sum of squared gradients grows; RMSProp's does not.

All arrows share one magnification and all boxes one scale, chosen once per video from
the longest arrows and largest boxes, and said in a key; an arrow is shortened so it
never leaves the plot.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle
from matplotlib.transforms import IdentityTransform

from ..explain import current_lr
from ..race import RaceResult
from .layer import Layer, Stage, required
from .racers import shown_steps
from .theme import HEAD_Z, TICK_FONT, TRAIL_Z

#: The longest arrows (90th percentile) are drawn this share of the plot's width, ...
ARROW_SHARE = 0.10
#: ... and the largest boxes (90th percentile) this share, in half-side.
BOX_SHARE = 0.06
KINDS = ("gradient", "step", "velocity")
#: Above trails and finished heads, below racing heads.
GLYPH_Z = HEAD_Z - 0.5
BOX_DASHES = (0, (3, 2))


def nice(value: float) -> float:
    """The 1-2-5 number nearest below ``value`` (a readable magnification)."""
    if not np.isfinite(value) or value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return max(m for m in (1, 2, 5, 10) if m * power <= value * (1 + 1e-9)) * power


def key_style(stage: Stage) -> dict:
    """How the glyphs' key is written: small, on a translucent plate of the page colour,
    under the trails (it is kept as static pixels, which every trail is drawn over)."""
    return dict(
        ha="left",
        va="top",
        fontsize=TICK_FONT,
        color=stage.theme.text,
        zorder=TRAIL_Z - 0.1,
        bbox=dict(
            boxstyle="round,pad=0.3", facecolor=stage.theme.page, edgecolor="none", alpha=0.8
        ),
    )


def explained_vectors(result: RaceResult, index: int) -> dict[str, np.ndarray]:
    """(steps, 2) per kind for racer ``index``: the vectors drawn at its head after each
    step (NaN where there is none)."""
    optimizer = result.optimizers[index]
    lrs = np.array([current_lr(optimizer, k) for k in range(result.steps)])
    gradient = -lrs[:, None] * result.grads[index, :-1]
    step = np.diff(result.paths[index], axis=0)
    velocity = (
        result.velocities[index] if result.velocities is not None else np.full_like(step, np.nan)
    )
    return {"gradient": gradient, "step": step, "velocity": velocity}


class GlyphLayer(Layer):
    def __init__(self, result: RaceResult, explained: tuple[int, ...]):
        super().__init__()
        self.result = result
        self.explained = tuple(explained)
        self.shown = shown_steps(result)
        self.vectors = {i: explained_vectors(result, i) for i in self.explained}

    def _scales(self, width: float) -> tuple[float, float]:
        """(arrow magnification, box scale): the 90th-percentile arrow and box sized to
        their share of the plot's ``width`` (data units), rounded to readable numbers."""
        arrow_lengths, box_sides = [], []
        for i in self.explained:
            last = self.shown[i, -1]
            for vectors in self.vectors[i].values():
                arrow_lengths.append(np.hypot(*vectors[:last].T))
            if self.result.step_scales is not None:
                box_sides.append(np.abs(self.result.step_scales[i, :last]).ravel())
        lengths = np.concatenate(arrow_lengths) if arrow_lengths else np.empty(0)
        lengths = lengths[np.isfinite(lengths) & (lengths > 0)]
        boxes = np.concatenate(box_sides) if box_sides else np.empty(0)
        boxes = boxes[np.isfinite(boxes) & (boxes > 0)]
        magnify = nice(ARROW_SHARE * width / np.percentile(lengths, 90)) if lengths.size else 1
        box = nice(BOX_SHARE * width / np.percentile(boxes, 90)) if boxes.size else 1
        return magnify, box

    def build(self, stage: Stage) -> None:
        ax = required(stage.plot, "plot axes")
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        self.low, self.high = np.array([x0, y0]), np.array([x1, y1])
        self.magnify, self.box_scale = self._scales(x1 - x0)
        ax.apply_aspect()
        # The plot never moves: arrows are built in pixels from one affine, so their heads
        # keep one size however long they are.
        self.to_pixels = ax.transData.get_matrix()[:2].copy()
        self._arrow_styles(stage)
        ax.add_collection(self.arrows, autolim=False)
        self.moving.append(self.arrows)
        self.boxes: dict[int, Rectangle] = {}
        for i in self.explained:
            box = Rectangle(
                (0, 0),
                0,
                0,
                fill=False,
                edgecolor=stage.racers[i].color,
                linewidth=1.0,
                linestyle=BOX_DASHES,
                zorder=GLYPH_Z,
            )
            ax.add_patch(box)
            self.boxes[i] = box
            self.moving.append(box)
        self._key(stage, ax)

    def _arrow_styles(self, stage: Stage):
        """The arrows' sizes in pixels, their colours, and the collection that draws them."""
        self.shaft, self.head_width, self.head_length = (
            1.6 * stage.scale,
            6.0 * stage.scale,
            7.0 * stage.scale,
        )
        self.arrow_styles = []  # (racer, kind, face, edge) in drawing order
        for i in self.explained:
            color = to_rgba(stage.racers[i].color)
            faded = (*color[:3], 0.45)
            for kind, face in (("velocity", faded), ("gradient", (0, 0, 0, 0)), ("step", color)):
                self.arrow_styles.append((i, kind, face, color))
        self.arrows = PolyCollection(
            [], closed=True, transform=IdentityTransform(), linewidths=0.9, zorder=GLYPH_Z
        )

    def key_text(self, stage: Stage, width: float) -> str:
        """What the glyphs mean and their scales, in lines that fit ``width`` pixels where
        they can (the arrows' line is broken before the velocity)."""
        words = stage.words
        lines = [words.key_arrows.format(magnify=f"{self.magnify:g}")]
        arrows, gap, velocity = lines[0].rpartition("   ▶")
        if gap and stage.text_width(lines[0], TICK_FONT) > 0.97 * width:
            lines = [arrows, "▶" + velocity]
        if (
            self.result.step_scales is not None
            and np.isfinite(self.result.step_scales[list(self.explained)]).any()
        ):
            lines.append(words.key_box.format(scale=f"{self.box_scale:g}"))
        return "\n".join(lines)

    def _key(self, stage: Stage, ax: Axes) -> None:
        """The key, in the plot's top left corner."""
        width = ax.get_window_extent(stage.canvas.get_renderer()).width
        ax.text(0.01, 0.99, self.key_text(stage, width), transform=ax.transAxes, **key_style(stage))

    def _clipped(self, origin: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """``vector`` shortened so that ``origin + vector`` stays inside the plot."""
        if not np.all(np.isfinite(vector)):
            return np.zeros(2)
        with np.errstate(divide="ignore", invalid="ignore"):
            room = np.where(
                vector > 0,
                (self.high - origin) / vector,
                np.where(vector < 0, (self.low - origin) / vector, np.inf),
            )
        return vector * float(np.clip(np.min(room), 0.0, 1.0))

    def vectors_at(self, step: int) -> dict[tuple[int, str], tuple[np.ndarray, np.ndarray]]:
        """(origin, vector) in data coordinates of every arrow drawn after ``step`` steps,
        magnified and shortened to stay in the plot; none for a racer that stopped."""
        result, drawn = self.result, {}
        for i in self.explained:
            shown = self.shown[i, step]
            if result.status(i, step) != "racing" or shown >= result.steps:
                continue
            origin = result.paths[i, shown]
            for kind in KINDS:
                vector = self._clipped(origin, self.vectors[i][kind][shown] * self.magnify)
                if np.any(vector != 0):
                    drawn[i, kind] = origin, vector
        return drawn

    def _polygon(self, origin: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """An arrow from ``origin`` along ``vector`` (data), as a pixel polygon."""
        start = self.to_pixels[:, :2] @ origin + self.to_pixels[:, 2]
        return self.arrow(start, self.to_pixels[:, :2] @ vector)

    def arrow(self, start: np.ndarray, along: np.ndarray) -> np.ndarray:
        """An arrow from pixel ``start`` along the pixel vector ``along``: a polygon whose
        head keeps one size however long the arrow is."""
        length = float(np.hypot(*along))
        if length == 0:
            return np.repeat(start[None], 3, axis=0)
        direction = along / length
        normal = np.array([-direction[1], direction[0]])
        head = min(self.head_length, length)
        neck = start + direction * (length - head)
        shaft, wing = 0.5 * self.shaft * normal, 0.5 * self.head_width * normal
        return np.array(
            [
                start + shaft,
                neck + shaft,
                neck + wing,
                start + along,
                neck - wing,
                neck - shaft,
                start - shaft,
            ]
        )

    def update(self, step: int):
        result = self.result
        drawn = self.vectors_at(step)
        polygons, faces, edges = [], [], []
        for i, kind, face, edge in self.arrow_styles:
            if (i, kind) in drawn:
                polygons.append(self._polygon(*drawn[i, kind]))
                faces.append(face)
                edges.append(edge)
        self.arrows.set_verts(polygons)
        self.arrows.set_facecolor(faces)
        self.arrows.set_edgecolor(edges)
        for i, box in self.boxes.items():
            shown = self.shown[i, step]
            racing = result.status(i, step) == "racing" and shown < result.steps
            scale = (
                result.step_scales[i, shown] * self.box_scale
                if racing and result.step_scales is not None
                else np.full(2, np.nan)
            )
            if np.all(np.isfinite(scale)):
                box.set_visible(True)
                box.set_xy(result.paths[i, shown] - scale)
                box.set_width(2 * scale[0])
                box.set_height(2 * scale[1])
            else:
                box.set_visible(False)
        return self.moving
