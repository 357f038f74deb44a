"""The knobs' races for the page (:mod:`anim.knobs` races them): per racer its rates,
the scene's own, the tuned one and the last before divergence, each race's outcome, its
label, and its numbers in one compact string (encoding.py), in the order the player
reads them: per race its x, y and loss at every step shown, per 3D view which of those
steps a hill hides, for an explained racer its glyph vectors, for a racer of the lr panel
its effective learning rates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..figure.glyphs3d import height_gradient
from ..knobs import SYMBOLS, RacerKnobs, Run
from .encoding import LOG_QUANTUM, PIXEL_SHARE, Packer
from .heads import shown_rule, unfanned_moves
from .racers import hyperparameters_text
from .views import hidden_steps, view_kinds


def quanta(figure) -> dict:
    """The resolution positions are kept at: a quarter of a pixel of the plot."""
    if figure.style.view != "3d":
        ax = figure.ax
        matrix = ax.transData.get_matrix()
        per_x, per_y = abs(matrix[0, 0]), abs(matrix[1, 1])
    else:
        (x0, x1), (y0, y1) = figure.terrain.bounds
        width = figure.ax3d.bbox.width
        per_x, per_y = width / (x1 - x0), width / (y1 - y0)
    x, y = PIXEL_SHARE / per_x, PIXEL_SHARE / per_y
    entry = {"x": x, "y": y, "log": LOG_QUANTUM}
    glyphs = figure.glyphs if figure.glyphs is not None else figure.glyphs3d
    if glyphs is not None:
        entry["arrow"] = [x / glyphs.magnify, y / glyphs.magnify]
        entry["box"] = [x / glyphs.box_scale, y / glyphs.box_scale]
    return entry


def _template(texts: list[str], lrs) -> str | list[str]:
    """One text with ``{lr}`` where each run's rate goes (as Python's ``:g`` writes it),
    when that rebuilds every text; else the texts."""
    for text, lr in zip(texts, lrs):
        for spelled in (f"={lr:g}", f" {lr:g}"):
            if spelled in text:
                template = text.replace(spelled, spelled[0] + "{lr}", 1)
                break
        else:
            template = text
        if all(template.replace("{lr}", f"{r:g}") == t for t, r in zip(texts, lrs)):
            return template
        break
    return texts


class _Runs:
    """Packs runs and describes them, in the order the player reads them."""

    def __init__(self, figure, explained: set[int], lr_panel: set[int]):
        self.figure = figure
        self.kinds = view_kinds(figure)
        self.quanta = quanta(figure)
        self.explained, self.lr_panel = explained, lr_panel
        self.packer = Packer()

    def add(self, index: int, run: Run, pack: bool = True) -> dict:
        """Describe ``run`` and (with ``pack``) pack its numbers: the race at the scene's
        own rate is the scene's, which the page has exactly already."""
        figure, packer, q = self.figure, self.packer, self.quanta
        n = len(run.paths)
        if not pack:
            return self._described(run)
        packer.linear(run.paths[:, 0], q["x"])
        packer.linear(run.paths[:, 1], q["y"])
        packer.log(run.losses)
        if "3d" in self.kinds:
            packer.flags(hidden_steps(figure, run.paths, run.losses))
        if index in self.explained:
            shown = min(n, figure.result.steps)
            lrs = run.lr_steps()
            gradient = -lrs[:shown, None] * run.grads[:shown]
            missing = np.full((shown, 2), np.nan)  # an explained race records both
            for vectors, quantum in (
                (gradient, q["arrow"]),
                (missing if run.velocities is None else run.velocities, q["arrow"]),
                (missing if run.step_scales is None else run.step_scales, q["box"]),
            ):
                vectors = vectors[:shown]
                packer.linear(vectors[:, 0], quantum[0])
                packer.linear(vectors[:, 1], quantum[1])
            if figure.glyphs3d is not None:  # the drawn surface's slope under each point
                slopes = np.full((shown, 2), np.nan)
                finite = np.isfinite(run.paths[:shown]).all(axis=1)
                slopes[finite] = height_gradient(
                    figure.result, figure.terrain, run.paths[:shown][finite]
                )
                packer.log(slopes[:, 0])
                packer.log(slopes[:, 1])
        if index in self.lr_panel:
            with np.errstate(divide="ignore", invalid="ignore"):
                steps = np.abs(np.diff(run.paths, axis=0))
                gradient = np.abs(run.grads[:-1])
                rates = np.where(gradient > 0, steps / gradient, np.nan)
            packer.log(rates[:, 0])
            packer.log(rates[:, 1])
        return self._described(run)

    def _described(self, run: Run) -> dict:
        figure = self.figure
        diverged_at_end = run.diverged is not None and run.arrival is None
        noisy = bool(figure.result.keeps_moving_after_arrival())
        shown = shown_rule(figure.result.steps, run.arrival, run.diverged, noisy)
        moves = unfanned_moves(
            figure, run.paths, run.losses, shown, run.diverged if diverged_at_end else None
        )
        return {
            "lr": run.lr,
            "arrival": run.arrival,
            "diverged": run.diverged,
            "arrivedAt": run.arrived_at,
            "moves": moves if any(moves) else None,
        }


def columns(runs: Sequence[dict | None]) -> dict:
    """Runs described column by column (a few bytes a run): rates, arrivals and
    divergences (null where none), the goal reached when there are several, and by index
    the steps where a head is placed off its point (heads.py). A missing run (an invalid
    pad cell) is a null rate. The player counts each run's points from its arrival and
    divergence, as anim/knobs.py cut them."""
    present = [run for run in runs if run is not None]
    table = {
        "lr": [None if run is None else run["lr"] for run in runs],
        "arrival": [None if run is None else run["arrival"] for run in runs],
        "diverged": [None if run is None else run["diverged"] for run in runs],
        "moves": {
            str(k): run["moves"]
            for k, run in enumerate(runs)
            if run is not None and run["moves"] is not None
        },
    }
    if any(run["arrivedAt"] not in (None, 0) for run in present):
        table["arrivedAt"] = [None if run is None else run["arrivedAt"] for run in runs]
    return table


def knobs_data(figure, found: list[RacerKnobs], optimizers) -> dict:
    style = figure.style
    explained = (
        set(style.explain) if (figure.glyphs is not None or figure.glyphs3d is not None) else set()
    )
    lr_panel = set(figure.lr_panel.chosen) if figure.lr_panel is not None else set()
    packing = _Runs(figure, explained, lr_panel)
    racers: list[dict] = []
    everything: list[float] = []
    for entry in found:
        optimizer = optimizers[entry.index]
        described: dict[str, Any] = {"racer": entry.index, "fixed": entry.reason}
        racers.append(described)
        if entry.reason:
            continue
        runs = [
            packing.add(entry.index, run, pack=k != entry.scene_run)
            for k, run in enumerate(entry.runs)
        ]
        lrs = [float(run.lr) for run in entry.runs if run.lr is not None]
        everything += lrs
        described.update(
            {
                "sceneLr": entry.scene_lr,
                "tunedLr": entry.tuned_lr,
                "edgeLr": entry.edge_lr,
                "sceneRun": entry.scene_run,
                "runs": columns(runs),
                "labels": _template([run.label for run in entry.runs], lrs),
                "hypers": _template(
                    [hyperparameters_text(run.optimizer) for run in entry.runs], lrs
                ),
                "fixedLabel": optimizer.label != optimizer.generated_label,
            }
        )
    pad = None
    for entry in found:
        if entry.pad is None:
            continue
        grid = entry.pad
        cells = [
            None if run is None else packing.add(entry.index, run)
            for row in grid.runs
            for run in row
        ]

        def texts(row, make):
            present = [(run.lr, make(run)) for run in row if run is not None]
            if not present:
                return ""
            lrs, made = zip(*present)
            return _template(list(made), lrs)

        pad = {
            "racer": entry.index,
            "name": grid.name,
            "symbol": SYMBOLS[grid.name],
            "lrs": grid.lrs.tolist(),
            "values": grid.values.tolist(),
            "sceneValue": grid.scene_value,
            "cells": columns(cells),
            "labels": [texts(row, lambda run: run.label) for row in grid.runs],
            "hypers": [
                texts(row, lambda run: hyperparameters_text(run.optimizer)) for row in grid.runs
            ],
        }
        everything += grid.lrs.tolist()
    tunable = [entry for entry in found if not entry.reason]
    own = {entry.scene_lr for entry in tunable}
    low, high = (min(everything), max(everything)) if everything else (1e-4, 10.0)
    return {
        "racers": racers,
        "pad": pad,
        "quanta": packing.quanta,
        "range": [low, high],
        "steps": figure.result.steps,
        # The seed's setting: every racer at one rate; the lock keeps it so.
        "lock": len(tunable) > 1 and len(own) == 1,
        "packed": packing.packer.packed(),
        "series": packing.packer.count,
    }
