"""Fitting a video to ``--max-size`` and warning about very long or large ones.

``film_to_fit`` films into one temporary file until it fits, trying the settings of
:func:`anim.length.size_ladder`; the drawing itself is the renderer's ``film`` callable.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

from .errors import LengthWarning, RequestError
from .length import (
    LARGE_BYTES,
    LONG_PLAY_SECONDS,
    estimate_bytes,
    format_bytes,
    format_seconds,
    parse_byte_size,
    size_ladder,
)
from .writers import replacing


def byte_limit(max_size) -> int:
    """``max_size`` ("2MB", "500kB" or a number of bytes) in bytes, or a RequestError."""
    if isinstance(max_size, (int, np.integer)) and not isinstance(max_size, bool):
        if max_size < 1:
            raise RequestError(f"Invalid max-size: {max_size!r} (must be >= 1 byte)")
        return int(max_size)
    try:
        return parse_byte_size(max_size)
    except ValueError as exc:
        raise RequestError(str(exc)) from None


def warn_if_long(path: Path, request):
    """One warning, before any frame is drawn, for a video over 10 minutes or ~100 MB."""
    seconds = request.total_frames / request.fps
    size = estimate_bytes(
        path.suffix.lower(), request.width, request.height, request.race_frames, request.hold_frames
    )
    if seconds <= LONG_PLAY_SECONDS and size <= LARGE_BYTES:
        return
    warnings.warn(
        LengthWarning(
            f"{path}: {request.race_frames} frames of {request.end} steps will play "
            f"{format_seconds(seconds)} and take about {format_bytes(size)}; shorten it with "
            "--duration SECONDS (or --every K), cap it with --max-size SIZE, or use fewer "
            "--steps"
        ),
        stacklevel=3,
    )


def describe_setting(request) -> str:
    step = "step" if request.every == 1 else "steps"
    return f"every {request.every} {step}, {request.fps:g} fps, {request.width}x{request.height}"


def film_to_fit(film, request, path: Path, limit: int, notify):
    """Film into a temporary file until it is at most ``limit`` bytes, trying the
    settings of :func:`anim.length.size_ladder` (more steps per frame, then a lower fps,
    then fewer pixels). Each try predicts from the last measured size which setting will
    fit and skips those that cannot. Returns the options used; RequestError (the old
    file kept) when even the smallest setting is too large."""
    ladder = [
        replace(
            request,
            every=every,
            fps=fps,
            width=width,
            height=height,
            dpi=request.dpi * width / request.width,
        )
        for every, fps, width, height in size_ladder(
            request.end, request.every, request.fps, request.width, request.height
        )
    ]
    index = 0
    with replacing(path) as tmp:
        while True:
            current = ladder[index]
            try:
                film(current, tmp, f"{path.name} ({describe_setting(current)})", limit)
            except TooLarge as exc:
                measured, finished = exc.projected, False
            else:
                measured, finished = tmp.stat().st_size, True
                if measured <= limit:
                    break
            if index == len(ladder) - 1:
                projected = "" if finished else "about "
                raise RequestError(
                    f"{path}: cannot fit in {format_bytes(limit)}: even the smallest setting "
                    f"({describe_setting(current)}) takes {projected}"
                    f"{format_bytes(measured)}; the old file is kept"
                )
            index = _next_try(ladder, index, measured, limit, path.suffix.lower())
    if notify is not None:
        how = (
            "as requested"
            if index == 0
            else (f"with {describe_setting(current)} (asked: {describe_setting(request)})")
        )
        notify(f"{path}: {format_bytes(measured)} fits in {format_bytes(limit)} {how}")
    return current


class TooLarge(Exception):
    """A try under --max-size outgrew the limit before its last frame: stop it early."""

    def __init__(self, projected: float):
        super().__init__(f"projected {projected:.0f} bytes")
        self.projected = projected


def _next_try(ladder, index: int, measured: float, limit: int, suffix: str) -> int:
    """The first setting after ``index`` predicted to fit (bytes scale with the frames
    that change and with the pixels), or the smallest one."""

    def weight(options) -> float:
        frames = options.race_frames + (0 if suffix == ".gif" else options.hold_frames)
        return frames * options.width * options.height

    for later in range(index + 1, len(ladder)):
        if measured * weight(ladder[later]) / weight(ladder[index]) <= 0.95 * limit:
            return later
    return len(ladder) - 1
