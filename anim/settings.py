"""The settings a scene and a render share, validated: step budget, frame rate, view,
camera and which racers are explained. Both :mod:`anim.scene` and :mod:`anim.renderer`
read them from here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np

from .optimizers import Optimizer

__all__ = [
    "MAX_STEPS",
    "MAX_FPS",
    "VIEWS",
    "View",
    "check_view",
    "parse_camera",
    "validate_fps",
    "explained_racers",
]

#: More steps than this is almost certainly a typo (and an hours-long render).
MAX_STEPS = 100_000
#: GIF frame delays are whole centiseconds and browsers slow down delays under 2 cs.
MAX_FPS = 50


#: The contour view, the surface in perspective, or both side by side.
View = Literal["2d", "3d", "both"]
VIEWS: tuple[View, ...] = get_args(View)


def check_view(view: object) -> View:
    if view not in VIEWS:
        raise ValueError(f"Invalid view: {view!r} (choose from {', '.join(VIEWS)})")
    return view


def parse_camera(value: str | Sequence[float] | None) -> tuple[float, float] | None:
    """``"30,-60"`` or (30, -60) -> (elevation, azimuth) in degrees, validated; None
    stays None (the camera is then chosen from the race)."""
    if value is None:
        return None
    expected = "ELEV,AZIM in degrees, e.g. 30,-60"
    if isinstance(value, str):
        try:
            elev, azim = (float(part) for part in value.split(","))
        except ValueError:
            raise ValueError(f"Invalid camera: {value!r} (expected {expected})") from None
    else:
        try:
            elev, azim = value
            elev, azim = float(elev), float(azim)
        except (TypeError, ValueError):
            raise ValueError(f"Invalid camera: {value!r} (expected {expected})") from None
    if not (np.isfinite(elev) and np.isfinite(azim)):
        raise ValueError(f"Invalid camera: {value!r} (expected finite {expected})")
    if not -90 <= elev <= 90:
        raise ValueError(
            f"Invalid camera: {value!r} (the elevation {elev:g} must be from -90 to 90 degrees)"
        )
    return elev, azim


def validate_fps(fps: float) -> float:
    if (
        isinstance(fps, bool)
        or not isinstance(fps, (int, float, np.integer, np.floating))
        or not (np.isfinite(fps) and 1 <= fps <= MAX_FPS)
    ):
        raise ValueError(f"Invalid fps: {fps!r} (must be a number from 1 to {MAX_FPS})")
    return fps


def explained_racers(
    explain: bool | str | Sequence[str] | None, optimizers: Sequence[Optimizer]
) -> tuple[int, ...]:
    """Indices of the racers ``explain`` names: True (all), False/None (none), or names,
    each a racer's label or an optimizer name (every racer of that name), in any case
    (torch's spellings ``RMSprop``, ``Adagrad`` name the built-ins too); a name may be a
    comma-separated list of them."""
    if explain is None or explain is False:
        return ()
    if explain is True:
        return tuple(range(len(optimizers)))
    names = [explain] if isinstance(explain, str) else list(explain)
    chosen = set()

    def matching(name: str) -> list[int]:
        wanted = name.strip().casefold()
        return [
            i for i, o in enumerate(optimizers) if wanted in (o.label.casefold(), o.name.casefold())
        ]

    for name in names:
        matches = matching(str(name))
        if not matches and "," in str(name):
            # "RMSProp,AdaGrad" as --format and --knobs take lists (a label with a comma
            # in it was tried whole first).
            parts = [matching(part) for part in str(name).split(",")]
            matches = [i for part in parts for i in part] if all(parts) else []
        if not matches:
            known = ", ".join(dict.fromkeys(o.label for o in optimizers))
            raise ValueError(
                f"Invalid explain: {name!r} names no racer (the racers: "
                f"{known}; give a label or an optimizer name)"
            )
        chosen.update(matches)
    return tuple(sorted(chosen))
