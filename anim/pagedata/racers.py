"""The racers of a race from one start, for the page: how each looks (its colour, its
head in each state, its scoreboard row) and its race as the scene ran it, exactly
(float32 positions, float64 losses), with the numbers every view, the glyphs and the
panels draw from it, and the loss each scoreboard row shows where that is not the
slice's f (a projected training run's true loss L, :func:`anim.board.racer_loss`)."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from .. import board
from ..figure.racers import style_head
from ..figure.racers3d import projected
from ..figure.scoreboard import MAX_LABEL_SHARE
from .encoding import floats
from .geometry import hex_color, marker, text_spot
from .views import view_kinds

STATES = ("racing", "arrived", "diverged")


def hyperparameters_text(optimizer) -> str:
    """ "lr 0.4 · ρ 0.9 · centered no": every hyperparameter, as the tooltip lists them."""

    def value(v):
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, (list, tuple)):
            return "(" + ", ".join(value(x) for x in v) + ")"
        if isinstance(v, dict):  # a schedule's settings
            kind = v.get("schedule", "schedule")
            rest = ", ".join(f"{k} {value(x)}" for k, x in v.items() if k != "schedule")
            return f"{kind} ({rest})"
        return f"{v:g}" if isinstance(v, float) else str(v)

    return " · ".join(f"{key} {value(v)}" for key, v in optimizer.hyperparameters.items())


def head_looks(figure, index: int) -> dict:
    """The head of racer ``index`` racing, arrived and diverged, as the figure draws it."""
    racer, theme = figure.stage.racers[index], figure.stage.theme
    looks = {}
    for state in STATES:
        head = Line2D([], [], color=racer.color, linestyle="")
        style_head(head, racer, theme, state, index)
        looks[state] = marker(head)
    return looks


def racer_entries(figure, optimizers, drawn_labels=()) -> list[dict]:
    """Per racer: label, name, colour, hyperparameters, heads, where its status (and,
    for the racers in ``drawn_labels``, its label) is written."""
    height = figure.style.height
    board = figure.scoreboard
    entries = []
    for i, (optimizer, racer) in enumerate(zip(optimizers, figure.stage.racers)):
        entry = {
            "label": optimizer.label,
            "name": optimizer.name,
            "color": hex_color(racer.color),
            "marker": racer.marker,
            "hyperparameters": hyperparameters_text(optimizer),
            "head": head_looks(figure, i),
            "status": text_spot(height, board.statuses[i]),
            "labelSpot": None,
        }
        if i in drawn_labels:
            entry["labelSpot"] = text_spot(height, board.label_texts[i])
            entry["labelLimit"] = MAX_LABEL_SHARE * figure.style.width
        entries.append(entry)
    return entries


def reported_losses(result) -> tuple[list[str | None], np.ndarray]:
    """(per racer the symbol of its board's own loss, or None where the board shows f
    from the race's losses; those racers' losses after every step, (k, steps + 1)), as
    the scoreboard writes them (:func:`anim.board.racer_loss`)."""
    symbols: list[str | None] = []
    rows = []
    for i, optimizer in enumerate(result.optimizers):
        if getattr(optimizer, "reported_loss", None) is None:
            symbols.append(None)
            continue
        shown = [board.racer_loss(result, i, step) for step in range(result.steps + 1)]
        symbols.append(shown[0][1])
        rows.append([value for value, _ in shown])
    return symbols, np.array(rows, dtype=np.float64).reshape(len(rows), result.steps + 1)


def scene_runs(figure) -> dict:
    """The race as run: per racer its arrival, divergence, goal reached, per view the
    trail's dots, and the symbol of the loss its board row shows when that is its own
    (``lossSymbol``, its row in ``reported``); the paths and losses as arrays (racers,
    steps + 1, ...), the reported losses, the steps a hill hides (3D), and where the
    figure draws a head off its point (``head_moves``)."""
    result = figure.result
    kinds = view_kinds(figure)
    symbols, reported = reported_losses(result)
    rows = iter(range(len(reported)))
    meta = []
    for i in range(len(result.optimizers)):
        arrived_at = result.arrived_at[i]
        meta.append(
            {
                "arrival": result.arrival_step[i],
                "diverged": result.diverged_step[i],
                "arrivedAt": None
                if arrived_at is None
                else [j for j, goal in enumerate(result.goals) if tuple(goal) == tuple(arrived_at)][
                    0
                ],
                "dots": [
                    (figure.racers3d if kind == "3d" else figure.racers).dots[i].tolist()
                    for kind in kinds
                ],
                "lossSymbol": symbols[i],
                "reported": None if symbols[i] is None else next(rows),
            }
        )
    arrays = {"paths": floats(result.paths, "<f4"), "losses": floats(result.losses, "<f8")}
    if len(reported):
        arrays["reported"] = floats(reported, "<f8")
    if "3d" in kinds:
        arrays["hidden"] = floats(figure.racers3d.hidden, "u1")
    heads = []
    for kind in kinds:
        runs, points = head_moves(figure, kind)
        heads.append({"runs": floats(runs, "<i4"), "points": floats(points, "<f4")})
    return {"meta": meta, "arrays": arrays, "heads": heads}


def _canvas(figure, ax, points: np.ndarray) -> np.ndarray:
    flat = ax.transData.transform(points.reshape(-1, 2)).reshape(points.shape)
    return np.stack([flat[..., 0], figure.style.height - flat[..., 1]], axis=-1)


def head_moves(figure, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Where the view's layer draws a head off its path's shown point (fanned out, at the
    edge, held in its goal circle), as runs (racer, first step, last step) (m, 3) and
    their canvas pixels (m, 2): the script draws every other head on its point, so the
    heads of the race as run are the layer's own, whatever rules place them."""
    result = figure.result
    if kind == "3d":
        layer, ax = figure.racers3d, figure.ax3d
        heads = _canvas(figure, ax, layer.drawn_heads)
        f = np.take_along_axis(result.losses, layer.shown, axis=1)
        at = np.take_along_axis(result.paths, layer.shown[..., None], axis=1)
        on_path = _canvas(
            figure,
            ax,
            projected(ax, np.concatenate([at, figure.terrain.lifted(f)[..., None]], axis=-1)),
        )
    else:
        layer, ax = figure.racers, figure.ax
        heads = _canvas(figure, ax, layer.head_positions)
        on_path = _canvas(
            figure, ax, np.take_along_axis(result.paths, layer.shown[..., None], axis=1)
        )
    with np.errstate(invalid="ignore"):
        moved = ~np.all(np.abs(heads - on_path) <= 1e-3, axis=-1)
    runs: list[list[int]] = []
    points: list[np.ndarray] = []
    for i in range(len(result.optimizers)):
        for k in np.flatnonzero(moved[i]):
            if (
                runs
                and runs[-1][0] == i
                and runs[-1][2] == k - 1
                and np.array_equal(points[-1], heads[i, k])
            ):
                runs[-1][2] = int(k)
            else:
                runs.append([i, int(k), int(k)])
                points.append(heads[i, k])
    return (
        np.array(runs, dtype=np.int32).reshape(-1, 3),
        np.array(points, dtype=np.float64).reshape(-1, 2),
    )
