"""Everything the page's script draws from, as JSON-ready data, gathered layer by layer.

Each module exports one part of the figure in the page's terms (canvas pixels at the
render's size, origin top left): ``views`` the plot views (contours and/or 3D) with
their transforms, trail styles and landmarks; ``racers`` the racers' looks and the race
as run; ``panels`` the loss and effective-lr panels; ``glyphs`` the step glyphs;
``swarm`` a race from many starts; ``knobs`` the precomputed races of the knobs. A new
layer reaches the page by adding its module here and its drawing to the player.
"""

from __future__ import annotations

from .. import board
from ..figure.racers import CIRCLE_MARGIN
from .geometry import outline, text_spot
from .glyphs import glyphs
from .heads import goal_circles, shown_rule, unfanned_moves
from .knobs import knobs_data
from .panels import panels
from .racers import racer_entries, scene_runs
from .swarm import swarm_data, swarm_looks
from .views import views

#: Bumped when the data the script reads changes shape.
DATA_VERSION = 3
#: The browser's fonts closest to matplotlib's (DejaVu ships with most Linux systems).
SANS = '"DejaVu Sans", "Bitstream Vera Sans", Verdana, "Segoe UI", Arial, sans-serif'
MONO = '"DejaVu Sans Mono", "Bitstream Vera Sans Mono", Menlo, Consolas, monospace'
SPEEDS = (0.25, 0.5, 1, 2, 4, 8)

__all__ = ["DATA_VERSION", "MONO", "SANS", "SPEEDS", "page_data"]


def page_data(figure, fps: float, loss_refresh: int, optimizers=None, knobs=None) -> dict:
    """Everything the script needs, JSON-ready. ``optimizers`` are the scene's (default:
    the figure's); ``knobs`` the races of :func:`anim.knobs.knob_races`."""
    result = figure.result
    style, theme = figure.style, figure.stage.theme
    for ax in {
        id(a): a
        for a in (getattr(figure, "ax", None), getattr(figure, "ax3d", None))
        if a is not None
    }.values():
        ax.apply_aspect()  # the axes' final box: its transform is what the page draws with
    optimizers = list(optimizers or result.optimizers)
    swarm = board.is_swarm(result)
    drawn_labels = {entry.index for entry in knobs or () if not entry.reason}
    racers = racer_entries(figure, optimizers, drawn_labels)
    if swarm:  # its heads are the swarm's own (swarm.py)
        for racer, look in zip(racers, swarm_looks(figure)):
            racer["head"] = look
    plot_views = views(figure)
    symbols = {"o", "X", "*"} | {racer["marker"] for racer in racers}
    symbols |= {mark["symbol"] for view in plot_views for mark in view["landmarks"]}
    symbols |= {"^", "v"}  # the lr panel's marks of values beyond its range
    data = {
        "version": DATA_VERSION,
        "width": style.width,
        "height": style.height,
        "scale": style.dpi / 72,
        "fps": fps,
        "lossRefresh": loss_refresh,
        "steps": result.steps,
        "speeds": SPEEDS,
        "transparent": style.transparent,
        "noisy": bool(result.keeps_moving_after_arrival()),
        "colors": {"page": theme.page, "text": theme.text, "muted": theme.muted},
        "font": {
            "size": figure.scoreboard.statuses[0].get_fontsize() * style.dpi / 72,
            "sans": SANS,
            "mono": MONO,
        },
        "words": figure.stage.words.as_dict(),
        "markers": {symbol: outline(symbol) for symbol in sorted(symbols)},
        "goals": [list(map(float, goal)) for goal in result.goals],
        "counter": {
            **text_spot(style.height, figure.scoreboard.step_text),
            "digits": len(str(result.steps)),
        },
        "views": plot_views,
        "racers": racers,
        "panels": panels(figure),
        "glyphs": None if swarm else glyphs(figure),
        "swarm": swarm_data(figure) if swarm else None,
        "runs": None if swarm else scene_runs(figure),
        "knobs": knobs_data(figure, knobs, optimizers) if knobs else None,
    }
    if knobs and not swarm:  # the player places the heads of races it combines itself
        data["heads"] = {"circles": goal_circles(figure), "margin": CIRCLE_MARGIN * style.dpi / 72}
        for i, meta in enumerate(data["runs"]["meta"]):
            ended = result.status(i, result.steps) == "diverged"
            meta["unfanned"] = unfanned_moves(
                figure,
                result.paths[i],
                result.losses[i],
                shown_rule(
                    result.steps, result.arrival_step[i], result.diverged_step[i], data["noisy"]
                ),
                result.diverged_step[i] if ended else None,
            )
    return data
