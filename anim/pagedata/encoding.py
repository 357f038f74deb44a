"""How the page carries its numbers: exact arrays as base64, and the many precomputed
runs of the knobs and of a swarm as one compact string.

The compact form quantises each series (positions to a quarter of a pixel of the plot,
losses and rates to a relative 1e-4 on a log scale: the board's three digits), codes each
value as its second difference along the steps (a path that glides or settles has
differences near zero), writes the integers as zig-zag varints, deflates them (zlib) and
writes the result in base 85 (RFC 1924's alphabet: no quote, backslash or slash, so it
sits in JSON in a script element as it is; a sixteenth shorter than base64). The player
inflates it with the browser's own ``DecompressionStream``: no library, no request.

Each series starts with a header: 0 every value finite, 1 none (nothing follows),
2 some: a mask of the missing ones (first differences) comes first, then the values
with each missing one standing in for the last finite value before it.
"""

from __future__ import annotations

import base64
import math
import zlib

import numpy as np

#: A log-coded value is exp(LOG_FLOOR + (|code| − 1) · LOG_QUANTUM) · sign(code); 0 is 0.
LOG_QUANTUM = 1e-4
LOG_FLOOR = math.log(1e-300)
#: Positions are kept to this share of a pixel.
PIXEL_SHARE = 1 / 4
ALL, NONE, SOME = 0, 1, 2
LIMIT = 2**50  # every code stays an exact integer in a JavaScript number


def floats(values, dtype: str = "<f4") -> str:
    """``values`` as little-endian ``dtype`` bytes, base64."""
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode()


def ints(values, dtype: str = "<i4") -> str:
    return floats(values, dtype)


def _zigzag_varints(values: np.ndarray) -> bytes:
    """Zig-zag varints of int64 ``values``, vectorised: seven bits a byte, low first."""
    values = np.asarray(values, dtype=np.int64)
    unsigned = ((values << 1) ^ (values >> 63)).astype(np.uint64)
    # How many bytes each needs, then every byte at once.
    lengths = np.ones(len(unsigned), dtype=np.int64)
    rest = unsigned >> np.uint64(7)
    while np.any(rest):
        lengths += rest > 0
        rest >>= np.uint64(7)
    ends = np.cumsum(lengths)
    out = np.zeros(int(ends[-1]) if len(ends) else 0, dtype=np.uint8)
    starts = ends - lengths
    for k in range(int(lengths.max()) if len(lengths) else 0):
        has = lengths > k
        chunk = (unsigned[has] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = (lengths[has] > k + 1).astype(np.uint64) << np.uint64(7)
        out[starts[has] + k] = (chunk | more).astype(np.uint8)
    return out.tobytes()


class Packer:
    """Series of numbers, added in the order the player reads them, as one string."""

    def __init__(self):
        self._parts: list[np.ndarray] = []
        self.count = 0

    def _series(self, codes: np.ndarray, missing: np.ndarray, order: int):
        if missing.all():
            self._parts.append(np.array([NONE]))
            return
        if missing.any():
            self._parts.append(np.array([SOME]))
            self._parts.append(np.diff(missing.astype(np.int64), prepend=0))
            codes = codes.copy()
            last = 0
            for k in range(len(codes)):  # rare: a series with gaps
                if missing[k]:
                    codes[k] = last
                else:
                    last = codes[k]
        else:
            self._parts.append(np.array([ALL]))
        for _ in range(order):
            codes = np.diff(codes, prepend=0)
        self._parts.append(codes)
        self.count += 1

    def linear(self, values, quantum: float, order: int = 2):
        """``values`` to the nearest multiple of ``quantum``."""
        values = np.asarray(values, dtype=float)
        missing = ~np.isfinite(values)
        with np.errstate(invalid="ignore", over="ignore"):
            codes = np.clip(np.nan_to_num(np.round(values / quantum)), -LIMIT, LIMIT)
        self._series(codes.astype(np.int64), missing, order)

    def log(self, values, order: int = 2):
        """``values`` to a relative LOG_QUANTUM, sign kept; 0 stays 0."""
        values = np.asarray(values, dtype=float)
        missing = ~np.isfinite(values)
        with np.errstate(divide="ignore", invalid="ignore"):
            magnitude = np.log(np.maximum(np.abs(values), 1e-300))
            codes = np.where(
                values == 0,
                0,
                np.sign(values) * (1 + np.round((magnitude - LOG_FLOOR) / LOG_QUANTUM)),
            )
        self._series(np.nan_to_num(codes).astype(np.int64), missing, order)

    def flags(self, values):
        """Booleans (first differences: runs of one value cost next to nothing)."""
        self._series(np.asarray(values, dtype=np.int64), np.zeros(len(values), bool), 1)

    def packed(self) -> str:
        joined = np.concatenate(self._parts) if self._parts else np.zeros(0, np.int64)
        return base64.b85encode(zlib.compress(_zigzag_varints(joined), 9)).decode()


def unpack(text: str) -> np.ndarray:
    """The integers of a packed string (for tests: the player decodes it itself)."""
    data = zlib.decompress(base64.b85decode(text))
    values, shift, current = [], 0, 0
    for byte in data:
        current |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
        else:
            values.append((current >> 1) ^ -(current & 1))
            current, shift = 0, 0
    return np.array(values, dtype=np.int64)
