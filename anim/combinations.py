"""What combines with what: the one table of combinations anim refuses, and why.

A render is a choice on independent axes — the optimizer's kind, the starts (one, a
swarm, with or without noise), the command, the view and the output with its overlays.
Every combination works except the few below, which cannot mean anything; each is refused
before any work, in one line that says why and what to do instead. The renderer, the CLI,
the README's table and the tests all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Combination", "MESSAGES", "RULES", "message", "refusal"]


@dataclass(frozen=True)
class Combination:
    """The axes of one request, as far as a refusal depends on them."""

    suffix: str = ".gif"  # ".gif", ".mp4", ".png", ".html"
    starts: int | None = None  # a swarm's number of starts; None for one start
    view: str = "2d"
    explain: bool = False
    lr_panel: bool = False
    transparent: bool = False
    orbit: bool = False
    still: bool = False
    #: The page's knobs: set (by the scene or the request), and asked for in the request.
    knobs: bool = False
    knobs_asked: bool = False


#: Every refusal: key -> its one-line message (the README's table lists them by key);
#: the messages may use the fields of a Combination, or ``{label}`` (the optimizer's).
MESSAGES = {
    "mp4-transparent": "an MP4 cannot be transparent (use .gif or .png)",
    "swarm-explain": "explain draws one racer's arrows at its head, and a swarm of {starts} "
    "starts has {starts} heads per racer: explain a race from one start "
    "(start=...)",
    "png-orbit": "--orbit turns the 3D camera over a video, and a still is one frame: set "
    "its angle with --camera ELEV,AZIM",
    "html-orbit": "--orbit turns the 3D camera over a video, and the page shows the 3D view "
    "from one camera: render .gif or .mp4 for the orbit, or set the page's "
    "angle with --camera ELEV,AZIM",
    # The knobs are the page's: races precomputed at many rates from one start.
    "knobs-swarm": "the knobs race one start at many learning rates, and a swarm has "
    "{starts} starts: give knobs to a race from one start (start=...)",
    "knobs-output": "--knobs gives the interactive page its sliders: render .html for them, "
    "or leave --knobs out",
    # tune and render --tuned rebuild an optimizer at other learning rates.
    "optax-not-tunable": "{label} is an optax transformation already built, with no learning "
    "rate to change: race the factory form, e.g. from_optax(optax.adam, "
    "lr=0.1)",
    "custom-schedule-not-tunable": "{label}: its lr is a custom schedule, which has no base "
    "rate to tune; use one of anim.schedules",
    "no-lr": "{label} has no learning rate (lr) to tune",
    # A recorded training run, projected on a slice (anim.trajectories), is replayed.
    "projected-lr": "{label} is a recorded training run, with no learning rate to change",
    "projected-panels": "projected training runs bring their own panels (distance from the "
    "plane, L(θ) − f(x, y)): the loss panel and the lr panel do not go "
    "with them",
    "projected-explain": "{label} is a projected training run, replayed rather than stepped "
    "on the slice: --explain does not apply to it (name the other "
    "racers)",
    "projected-starts": "{label} is a recorded training run: it replays its own path from "
    "its own start, so it races no swarm and maps no basins",
}

#: The refusals a render request is checked against, in order: key -> does it apply?
RULES = {
    "mp4-transparent": lambda c: c.suffix == ".mp4" and c.transparent,
    "swarm-explain": lambda c: c.starts is not None and c.explain,
    "knobs-swarm": lambda c: c.knobs and c.starts is not None,
    "png-orbit": lambda c: c.orbit and c.suffix == ".png",
    "html-orbit": lambda c: c.orbit and c.suffix == ".html",
    "knobs-output": lambda c: c.knobs_asked and c.suffix != ".html",
}


def refusal(combination: Combination) -> str | None:
    """The message of the first refusal that applies to ``combination``, or None."""
    for key, applies in RULES.items():
        if applies(combination):
            return MESSAGES[key].format(**vars(combination))
    return None


def message(key: str, **fields) -> str:
    """The refusal ``key``'s message, filled in."""
    return MESSAGES[key].format(**fields)
