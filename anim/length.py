"""How long a video plays and how many bytes it takes: which step each frame shows,
the frames per step a duration asks for, byte sizes, and the settings ``--max-size``
tries. Pure arithmetic: no matplotlib.
"""

from __future__ import annotations

import math
import re

import numpy as np

#: A request that plays longer than this (seconds) or would be larger than this (bytes)
#: is warned about before rendering.
LONG_PLAY_SECONDS = 600.0
LARGE_BYTES = 100e6
#: --max-size never makes the race (without the hold) play shorter than this, in seconds,
#: and never lowers the fps below MIN_FPS; the pixel size shrinks by SIZE_FACTOR per try
#: until the shorter side would drop below MIN_SHORT_SIDE pixels.
MIN_RACE_SECONDS = 2.0
FPS_STEPS = (24, 20, 15, 12, 10)
MIN_FPS = FPS_STEPS[-1]
SIZE_FACTOR = 0.8
MIN_SHORT_SIDE = 120
#: Bytes per pixel and frame, the upper end of the gallery's GIFs and MP4s at 800x600
#: (0.001 to 0.0027 per GIF frame after a first frame of about 0.25; 0.0008 to 0.0013 per
#: MP4 frame): a GIF stores only the rectangles that change, and merges its hold into
#: one frame. Only for the warning about huge outputs.
GIF_BYTES_PER_PIXEL_FRAME = 0.0025
GIF_BYTES_PER_PIXEL = 0.25  # the first, full frame
MP4_BYTES_PER_PIXEL_FRAME = 0.0015

_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}


def race_steps(end: int, every: int) -> np.ndarray:
    """The steps the race frames show: 0, K, 2K, ... and always ``end`` itself."""
    shown = np.arange(0, end + 1, every)
    return shown if shown[-1] == end else np.append(shown, end)


def every_for_duration(end: int, fps: float, seconds: float) -> int:
    """The fewest steps per frame that make the race (steps 0 to ``end``) play in at most
    ``seconds`` at ``fps``; ValueError when that leaves fewer than two frames."""
    frames = math.floor(seconds * fps + 1e-9)
    if frames < 2 and end > 0:
        raise ValueError(
            f"Invalid duration: {seconds:g} (at {fps:g} fps the race needs at "
            f"least 2 frames, so at least {2 / fps:.3g} s)"
        )
    return max(1, math.ceil(end / (frames - 1))) if end > 0 else 1


def slowest_every(end: int, fps: float, seconds: float, every: int = 1) -> int:
    """The most steps per frame (at least ``every``) that still make the race (steps 0 to
    ``end``) play at least ``seconds`` at ``fps``: ``every`` itself when even that plays
    shorter."""
    frames_needed = math.ceil(seconds * fps - 1e-9)

    def plays_long_enough(k: int) -> bool:
        return len(race_steps(end, k)) >= frames_needed

    if end <= 0 or not plays_long_enough(every):
        return every
    low, high = every, max(end, every)  # plays_long_enough(low) holds
    while low < high:  # frames fall as k grows: the last k that keeps enough of them
        middle = (low + high + 1) // 2
        if plays_long_enough(middle):
            low = middle
        else:
            high = middle - 1
    return low


def parse_byte_size(text) -> int:
    """``"2MB"``, ``"500kB"``, ``"1.5 MiB"`` -> bytes (kB = 1000 B, KiB = 1024 B)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*", str(text), re.IGNORECASE)
    unit = match and (match.group(2).lower() or "b")
    if not match or unit not in _UNITS or float(match.group(1)) * _UNITS[unit] < 1:
        raise ValueError(
            f"Invalid max-size: {text!r} (expected a size such as 2MB or "
            "500kB; units B, kB, MB, GB, KiB, MiB, GiB)"
        )
    return int(float(match.group(1)) * _UNITS[unit])


def format_bytes(size: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size:.0f} B"


def format_seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.3g} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    return f"{minutes // 60} h {minutes % 60} min"


def estimate_bytes(
    suffix: str, width: int, height: int, race_frames: int, hold_frames: int
) -> float:
    """A rough size of the output, to warn before rendering something huge."""
    pixels = width * height
    if suffix == ".gif":
        return pixels * (GIF_BYTES_PER_PIXEL + GIF_BYTES_PER_PIXEL_FRAME * race_frames)
    return pixels * MP4_BYTES_PER_PIXEL_FRAME * (race_frames + hold_frames)


def even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def size_ladder(end: int, every: int, fps: float, width: int, height: int):
    """The settings ``--max-size`` tries, as (every, fps, width, height), from the request
    down to the smallest, in this order: more steps per frame (down to a race that still
    plays MIN_RACE_SECONDS, never shorter), then a lower fps (down to MIN_FPS, keeping
    those seconds, so again more steps per frame), then a smaller picture (SIZE_FACTOR per
    try). A race that plays shorter already keeps its steps per frame."""

    def floor_every(rate):
        return slowest_every(end, rate, MIN_RACE_SECONDS, every)

    ladder = [(every, fps, width, height)]
    k = every
    while True:
        k = max(k + 1, math.ceil(k * 1.5))
        if k >= floor_every(fps):
            break
        ladder.append((k, fps, width, height))
    if floor_every(fps) != every:
        ladder.append((floor_every(fps), fps, width, height))
    for rate in FPS_STEPS:
        if rate < fps:
            ladder.append((floor_every(rate), rate, width, height))
    last_every, last_fps = ladder[-1][:2]
    scale = SIZE_FACTOR
    while min(width, height) * scale >= MIN_SHORT_SIDE:
        ladder.append((last_every, last_fps, even(width * scale), even(height * scale)))
        scale *= SIZE_FACTOR
    return ladder
