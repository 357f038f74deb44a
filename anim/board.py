"""What the scoreboard says about each racer at each step. Pure text, no drawing.

While a racer races its row shows the loss where it is; once it arrives, its place and
step ("1st · step 18"); once it flies off, "✗ step 3". Racers that arrive at the same
step share the place. A swarm's row counts its starts instead: "87/100 arrived · median
step 23" (and "· 3 ✗" for starts that flew off). The median is the lower median of the
arrival steps so far, so it is always one start's own step, and it is shown only once a
start has arrived by stepping (starts that begin inside the goal count as arrived at
step 0, but say nothing about how fast a racer is).
"""

from __future__ import annotations

import re

import numpy as np

from .race import RaceResult
from .swarm import lower_median
from .words import ENGLISH, Words


def ordinal(place: int, words: Words = ENGLISH) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd" (in English)."""
    return words.ordinal(place)


def places(result: RaceResult) -> dict[int, int]:
    """Optimizer index -> finishing place (1 = first); a tie shares the place. A swarm
    has no places (its rows count arrivals)."""
    if is_swarm(result):
        return {}
    steps = [step for step in result.arrival_step if step is not None]
    return {
        i: 1 + sum(other < step for other in steps)
        for i, step in enumerate(result.arrival_step)
        if step is not None
    }


def is_swarm(result: object) -> bool:
    return bool(getattr(result, "is_swarm", False))


def swarm_status(result, index: int, step: int, words: Words = ENGLISH) -> str:
    """ "87/100 arrived · median step 23 · 3 ✗" after ``step`` steps: how many of racer
    ``index``'s starts arrived so far, the lower median of their arrival steps (once one
    arrived by stepping), how many flew off."""
    arrivals = result.arrived_by(index, step)
    text = words.swarm_arrived.format(arrived=len(arrivals), count=result.count)
    if np.any(arrivals > 0):
        text += words.swarm_median.format(median=lower_median(arrivals))
    diverged = result.diverged_by(index, step)
    if diverged:
        text += words.swarm_diverged.format(count=diverged)
    return text


def number(value: float) -> str:
    """Three significant digits with a true minus sign."""
    return f"{value:.3g}".replace("-", "−")


def loss_text(value: float, symbol: str = "f") -> str:
    return f"{symbol} = —" if value != value else f"{symbol} = {number(value)}"


def racer_loss(result: RaceResult, index: int, step: int) -> tuple[float, str]:
    """(the loss racer ``index``'s row shows after ``step`` steps, its symbol): f where it
    is, or for a racer that reports a loss of its own (a projected training run: its true
    loss L, not the slice's f under its projection) that one."""
    optimizer = result.optimizers[index]
    reported = getattr(optimizer, "reported_loss", None)
    if reported is None:
        return float(result.losses[index, step]), "f"
    return reported(step), getattr(optimizer, "loss_symbol", "f")


def arrived(place: int, step: int, words: Words = ENGLISH) -> str:
    """ "1st · step 18"."""
    return words.arrived.format(place=words.ordinal(place), step=step)


def status(
    result: RaceResult,
    index: int,
    step: int,
    place: int | None,
    loss_step: int | None = None,
    words: Words = ENGLISH,
) -> str:
    """The status column of racer ``index`` after ``step`` steps; while it races, the
    loss after ``loss_step`` steps (default ``step``). ``place``: its finishing place
    (None: it has none, or look it up in ``places(result)``)."""
    if is_swarm(result):  # its counts change every few frames too, to be readable
        return swarm_status(result, index, step if loss_step is None else loss_step, words)
    state = result.status(index, step)
    arrival = result.arrival_step[index]
    if state == "arrived" and arrival is not None:  # an arrival always has its step
        finish = places(result)[index] if place is None else place
        text = arrived(finish, arrival, words)
        goal = result.arrived_at[index]
        if len(result.goals) > 1 and goal is not None:
            x, y = (number(v) for v in goal)
            text += words.arrived_at.format(x=x, y=y)
        if result.keeps_moving_after_arrival():  # noisy: it goes on moving, say where
            shown = step if loss_step is None else loss_step
            text += " · " + loss_text(*racer_loss(result, index, shown))
        return text
    if state == "diverged":
        return words.diverged.format(step=result.diverged_step[index])
    return loss_text(*racer_loss(result, index, step if loss_step is None else loss_step))


def widest_candidates(result: RaceResult, index: int, words: Words = ENGLISH) -> list[str]:
    """Every status text racer ``index`` can show whose width could be the largest: the
    digits of the sans-serif font are equally wide, so the longest strings suffice."""
    if is_swarm(result):
        texts = {swarm_status(result, index, step, words) for step in range(result.steps + 1)}
        longest = max(map(len, texts))
        shapes = {re.sub("[0-9]", "0", t): t for t in texts if len(t) >= longest - 1}
        return sorted(shapes.values())
    finish = places(result).get(index)
    texts = {
        status(result, index, step, finish, words=words)
        for step in (
            0,
            result.steps,
            *(
                s
                for s in (result.arrival_step[index], result.diverged_step[index])
                if s is not None
            ),
        )
    }
    if getattr(result.optimizers[index], "reported_loss", None) is None:
        losses = set(map(loss_text, result.losses[index].tolist()))
    else:
        losses = {loss_text(*racer_loss(result, index, step)) for step in range(result.steps + 1)}
    texts.update(losses)
    arrival = result.arrival_step[index]
    if result.keeps_moving_after_arrival() and finish is not None and arrival is not None:
        first = arrived(finish, arrival, words)
        texts.update(f"{first} · {loss}" for loss in losses)
    longest = max(map(len, texts))
    # One string per shape: digits are equally wide, so "f = 0.123" stands for them all.
    shapes = {re.sub("[0-9]", "0", t): t for t in texts if len(t) >= longest - 1}
    return sorted(shapes.values())
