"""Where the plot, its panels and the scoreboard go in a frame of a given size.

The layout tries every place the scoreboard can take — beside the plot (rows of one or
two lines) or below it (in one or more columns) — fits the plot (at its surface's aspect),
the colorbar and the side panels into what is left, and keeps the arrangement in which the
plot gets the most pixels. A square surface so gets the board beside it, a wide one below.
Pure arithmetic on pixel sizes: the text is measured by the caller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Spacing, in points (scaled by dpi / 72 to pixels).
PAD = 6.0  # between blocks and around the frame's edge
TITLE_BAND = 24.0  # the title's line
LINE = 14.0  # one line of the scoreboard (9-pt text)
GLYPH = 21.0  # the scoreboard's marker column
STATUS_GAP = 10.0  # between a row's label and its status
COLUMN_GAP = 16.0  # between scoreboard columns
TICK_PAD = 6.0  # tick length and the gap to its label
PANEL_LABEL = 13.0  # a panel's axis label (9-pt text)
PANEL_MIN_WIDTH = 150.0  # or this share of the frame's width, if less
PANEL_MIN_SHARE = 0.3
PANEL_MIN_HEIGHT = 80.0  # a panel under the plot
COLORBAR_WIDTH = 10.0
#: The plot must keep this share of the frame, or the request is refused.
MIN_PLOT_SHARE = 0.12


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels, origin at the frame's bottom left."""

    x: float
    y: float
    width: float
    height: float

    @property
    def area(self) -> float:
        return self.width * self.height

    def fraction(self, width: float, height: float) -> tuple[float, float, float, float]:
        """(left, bottom, width, height) as fractions of a ``width`` x ``height`` frame."""
        return (self.x / width, self.y / height, self.width / width, self.height / height)


@dataclass(frozen=True)
class TextSizes:
    """What the layout must make room for, measured in pixels by the caller."""

    labels: tuple[float, ...]  # each racer's label
    status: float  # the widest status any racer shows
    counter: float  # "step 150 / 150"
    tick_width: float  # the plot's widest y tick label
    tick_height: float  # the plot's x tick labels
    panel_tick_width: float  # a panel's widest y tick label
    colorbar_tick_width: float = 0.0
    last_x_tick: float = 0.0  # the x axis's last tick label, centred on its right edge


@dataclass(frozen=True)
class Layout:
    title: Box
    plot: Box
    panels: tuple[Box, ...]
    colorbar: Box | None
    board: Box
    board_side: str  # "right" or "below"
    columns: int  # scoreboard columns
    two_line_rows: bool  # label above status (beside a plot)
    line: float  # the height of one scoreboard line, px
    label_width: float  # room for the widest label, px
    rows: int  # racers on the board
    column_gap: float  # px between board columns
    #: The plot box split for two views side by side (3D left, contours right), or
    #: just ``(plot,)``.
    plots: tuple[Box, ...] = ()

    def row_origin(self, index: int) -> tuple[float, float]:
        """Top-left pixel of racer ``index``'s row (rows fill the columns top to bottom),
        below the board's first line, which holds the step counter."""
        per_column = math.ceil(self.rows / self.columns)
        column, row = divmod(index, per_column)
        height = self.line * (2 if self.two_line_rows else 1)
        column_width = (self.board.width + self.column_gap) / self.columns
        return (
            self.board.x + column * column_width,
            self.board.y + self.board.height - self.line - row * height,
        )


def plan(
    width: int,
    height: int,
    dpi: float,
    sizes: TextSizes,
    *,
    aspect: float | None,
    panels: int = 0,
    colorbar: bool = False,
    split: tuple[float, float] | None = None,
) -> Layout | None:
    """The layout that gives the plot the most room, or None if none leaves it enough.

    ``aspect`` is the plot's height / width when its axes must be equal, None when the plot
    may take any shape; ``panels`` side panels (loss, learning rate) stack beside the plot.
    ``split``: two plots side by side instead, of these aspects (``aspect`` is ignored);
    the second gets room for its tick labels on its left.
    """
    scale = dpi / 72
    if split is not None:
        aspect = 1 / (1 / split[0] + 1 / split[1])
    rows = len(sizes.labels)
    label = max(sizes.labels)
    line, glyph = LINE * scale, GLYPH * scale
    header = line  # the step counter's line
    title = TITLE_BAND * scale
    one_line_row = glyph + label + STATUS_GAP * scale + sizes.status
    candidates = []
    # Beside the plot: one line per racer if it is narrow enough, else label above status.
    for two_lines in (False, True):
        row_width = glyph + max(label, sizes.status) if two_lines else one_line_row
        board_width = max(row_width, sizes.counter)
        board_height = header + rows * line * (2 if two_lines else 1)
        region = Box(0, 0, width - board_width - 2 * PAD * scale, height - title)
        candidates.append(("right", 1, two_lines, board_width, board_height, region))
    # Below the plot: as many columns as fit, each option tried.
    for two_lines in (False, True):
        row_width = glyph + max(label, sizes.status) if two_lines else one_line_row
        for columns in range(1, rows + 1):
            board_width = columns * row_width + (columns - 1) * COLUMN_GAP * scale
            if board_width > width - 2 * PAD * scale:
                break
            board_height = header + math.ceil(rows / columns) * line * (2 if two_lines else 1)
            region = Box(
                0,
                board_height + 2 * PAD * scale,
                width,
                height - title - board_height - 2 * PAD * scale,
            )
            candidates.append(("below", columns, two_lines, board_width, board_height, region))

    if panels:
        # Under a wide plot: the panels, and the board beside them.
        for two_lines in (False, True):
            row_width = glyph + max(label, sizes.status) if two_lines else one_line_row
            board_height = header + rows * line * (2 if two_lines else 1)
            candidates.append(
                (
                    "corner",
                    1,
                    two_lines,
                    max(row_width, sizes.counter),
                    board_height,
                    Box(0, 0, width, height - title),
                )
            )

    best = None
    arrangements = [
        (c, below)
        for c in candidates
        for below in (
            (False, True)
            if panels and c[0] != "corner"
            else (True,)
            if c[0] == "corner"
            else (False,)
        )
    ]
    for (side, columns, two_lines, board_width, board_height, region), below in arrangements:
        if side == "right" and board_height > height - title - 2 * PAD * scale:
            continue
        corner = (board_width, board_height) if side == "corner" else None
        content = _fit_content(region, scale, sizes, aspect, panels, colorbar, below, corner)
        if content is None:
            continue
        plot, panel_boxes, bar, used_width, used_height = content
        score = plot.area + 0.5 * sum(box.area for box in panel_boxes)
        if best is None or score > best[0] + 1e-6:
            best = (score, side, columns, two_lines, board_width, board_height, region, content)
    if best is None:
        return None
    _, side, columns, two_lines, board_width, board_height, region, content = best
    plot, panel_boxes, bar, used_width, used_height = content
    if plot.area < MIN_PLOT_SHARE * width * height:
        return None

    # Centre the composition: the content and the board side by side, or one over the other.
    gap = 2 * PAD * scale
    if side == "corner":
        dx, dy = (width - used_width) / 2, (height - title - used_height) / 2
        panel_band = panel_boxes[-1]
        board = Box(
            plot.x + plot.width - board_width + dx,
            panel_band.y + panel_band.height - board_height + dy,
            board_width,
            board_height,
        )
    elif side == "right":
        total = used_width + gap + board_width
        dx = (width - total) / 2
        dy = (region.height - used_height) / 2
        board = Box(
            dx + used_width + gap - PAD * scale,
            max(PAD * scale, dy + plot.y + plot.height - board_height),
            board_width,
            board_height,
        )
    else:
        dx = (width - used_width) / 2
        total = used_height + gap + board_height
        dy = (height - title - total) / 2 - region.y + board_height + gap
        # Under the plot and as wide (the step counter ends at its right edge), or
        # centred when the board is the wider.
        board_width = max(board_width, plot.width)
        board = Box(dx + plot.x, dy + region.y - gap - board_height, board_width, board_height)
        if board.x + board_width > width - PAD * scale:
            board = Box((width - board_width) / 2, board.y, board_width, board_height)

    def moved(box):
        return None if box is None else Box(box.x + dx, box.y + dy, box.width, box.height)

    layout = Layout(
        title=Box(0, height - title, width, title),
        plot=moved(plot),
        panels=tuple(moved(b) for b in panel_boxes),
        colorbar=moved(bar),
        board=board,
        board_side=side,
        columns=columns,
        two_line_rows=two_lines,
        line=line,
        label_width=label,
        rows=rows,
        column_gap=COLUMN_GAP * scale,
        plots=(moved(plot),) if split is None else _split(moved(plot), split, sizes, scale),
    )
    return layout


def _split(
    plot: Box, aspects: tuple[float, float], sizes: TextSizes, scale: float
) -> tuple[Box, Box]:
    """``plot`` cut into two boxes side by side, as wide as their aspects ask, with the
    second one's tick labels between them."""
    gap = sizes.tick_width + TICK_PAD * scale + 2 * PAD * scale
    usable = plot.width - gap
    first = usable * (1 / aspects[0]) / (1 / aspects[0] + 1 / aspects[1])
    return (
        Box(plot.x, plot.y, first, plot.height),
        Box(plot.x + first + gap, plot.y, usable - first, plot.height),
    )


def _fit_content(
    region: Box,
    scale: float,
    sizes: TextSizes,
    aspect,
    panels: int,
    colorbar: bool,
    panels_below: bool = False,
    corner=None,
):
    """Plot, panels and colorbar inside ``region`` (offsets relative to the frame), with
    the width and height they use; None when the plot would be too small to read."""
    if panels and panels_below:
        return _fit_content_panels_below(region, scale, sizes, aspect, panels, colorbar, corner)
    pad = PAD * scale
    left = sizes.tick_width + TICK_PAD * scale + 0.5 * pad
    bottom = sizes.tick_height + TICK_PAD * scale + pad
    top = pad
    bar = (
        COLORBAR_WIDTH * scale + TICK_PAD * scale + sizes.colorbar_tick_width + 2 * pad
        if colorbar
        else 0.0
    )
    panel_left = (
        sizes.panel_tick_width + TICK_PAD * scale + PANEL_LABEL * scale + 2 * pad if panels else 0.0
    )
    if panels:
        bottom = max(bottom, sizes.tick_height + TICK_PAD * scale + PANEL_LABEL * scale + pad)
    panel_min = min(PANEL_MIN_WIDTH * scale, PANEL_MIN_SHARE * region.width) if panels else 0.0
    right = max(0.5 * pad, 0.5 * sizes.last_x_tick)  # that label is centred on the edge
    free_height = region.height - bottom - top
    free_width = region.width - left - bar - panel_left - panel_min - right
    if free_height <= 0 or free_width <= 0:
        return None
    if aspect is not None:
        plot_height = min(free_height, free_width * aspect)
        plot_width = plot_height / aspect
    else:
        plot_height = free_height
        plot_width = (
            free_width
            if not panels
            else min(free_width, 0.62 * (region.width - left - bar - panel_left - right))
        )
    if min(plot_width, plot_height) < 48 * scale:
        return None
    panel_width = 0.0
    if panels:
        rest = region.width - left - plot_width - bar - panel_left - right
        panel_width = min(rest, max(panel_min, plot_width))
    plot = Box(region.x + left, region.y + bottom, plot_width, plot_height)
    colorbar_box = (
        Box(plot.x + plot_width + 2 * pad, plot.y, COLORBAR_WIDTH * scale, plot_height)
        if colorbar
        else None
    )
    panel_boxes = []
    if panels:
        x = plot.x + plot_width + bar + panel_left
        gap = (bottom + pad) if panels > 1 else 0.0
        each = (plot_height - gap * (panels - 1)) / panels
        for k in range(panels):
            panel_boxes.append(Box(x, plot.y + (panels - 1 - k) * (each + gap), panel_width, each))
    used_width = left + plot_width + bar + (panel_left + panel_width if panels else 0) + right
    used_height = bottom + plot_height + top
    return plot, tuple(panel_boxes), colorbar_box, used_width, used_height


def _fit_content_panels_below(
    region: Box, scale: float, sizes: TextSizes, aspect, panels: int, colorbar: bool, corner=None
):
    """As ``_fit_content``, with the panels side by side under the plot (a wide plot);
    ``corner`` (width, height) keeps room for the board at the right of the panels."""
    pad = PAD * scale
    left = (
        max(sizes.tick_width, sizes.panel_tick_width + PANEL_LABEL * scale) + TICK_PAD * scale + pad
    )
    tick_band = sizes.tick_height + TICK_PAD * scale + pad
    panel_bottom = tick_band + PANEL_LABEL * scale
    bar = (
        COLORBAR_WIDTH * scale + TICK_PAD * scale + sizes.colorbar_tick_width + 2 * pad
        if colorbar
        else 0.0
    )
    panel_min = PANEL_MIN_HEIGHT * scale
    if corner is not None:
        panel_min = max(panel_min, corner[1] - panel_bottom)
    right = max(0.5 * pad, 0.5 * sizes.last_x_tick)
    free_width = region.width - left - bar - right
    free_height = region.height - pad - tick_band - panel_min - panel_bottom
    if free_width <= 0 or free_height <= 0:
        return None
    if aspect is not None:
        plot_height = min(free_height, free_width * aspect)
        plot_width = plot_height / aspect
    else:
        plot_width, plot_height = free_width, free_height
    if min(plot_width, plot_height) < 48 * scale:
        return None
    panel_height = min(
        region.height - pad - tick_band - plot_height - panel_bottom,
        max(panel_min, 0.6 * plot_height),
    )
    panel_gap = sizes.panel_tick_width + PANEL_LABEL * scale + TICK_PAD * scale + 2 * pad
    room = plot_width - (corner[0] + 2 * pad if corner is not None else 0.0)
    panel_width = (room - panel_gap * (panels - 1)) / panels
    if panel_width < min(PANEL_MIN_WIDTH * scale, PANEL_MIN_SHARE * region.width):
        return None
    panel_y = region.y + panel_bottom
    plot = Box(region.x + left, panel_y + panel_height + tick_band, plot_width, plot_height)
    colorbar_box = (
        Box(plot.x + plot_width + 2 * pad, plot.y, COLORBAR_WIDTH * scale, plot_height)
        if colorbar
        else None
    )
    panel_boxes = tuple(
        Box(plot.x + k * (panel_width + panel_gap), panel_y, panel_width, panel_height)
        for k in range(panels)
    )
    used_width = left + plot_width + bar + right
    used_height = panel_bottom + panel_height + tick_band + plot_height + pad
    return plot, panel_boxes, colorbar_box, used_width, used_height
