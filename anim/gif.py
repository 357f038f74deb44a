"""A streaming GIF89a encoder: one global palette, only the changed rectangle per frame.

Frames are written as they arrive, so memory does not grow with their number (Pillow's
own multi-frame GIF writer keeps every frame until the end). Pillow still does the
palette mapping and the LZW compression.
"""

from __future__ import annotations

import struct

import numpy as np
from PIL import GifImagePlugin, Image

#: Palette index reserved for "unchanged since the previous frame".
TRANSPARENT = 255
#: A GIF frame delay is a 16-bit count of centiseconds.
MAX_DELAY_CS = 0xFFFF
_DISPOSAL_KEEP, _DISPOSAL_CLEAR = 1, 2
#: A packed pixel that shows nothing (every opaque pixel packs with alpha 0xFF).
CLEAR = np.uint32(0)


def frame_delay_cs(index: int, fps: float) -> int:
    """Delay of frame ``index`` in centiseconds, rounded so frames 0..k end at (k+1)/fps.

    At 30 fps the delays run 3, 4, 3, 3, 4, 3, ... instead of a constant 3 (33 fps).
    """
    return round((index + 1) * 100 / fps) - round(index * 100 / fps)


#: Palette slots given to the most frequent exact colours before median cut fills the rest:
#: small but flat areas (a goal star, a marker) keep their true colour.
EXACT_SLOTS = 128


def build_palette(sample: np.ndarray, keep=()) -> np.ndarray:
    """At most 255 colours (k, 3) for ``sample`` (..., 3): exact when it has that few.

    Otherwise the colours in ``keep`` (RGB triples, e.g. the picture's marker colours)
    that occur in the sample and then the most frequent ones are kept exactly, and median
    cut approximates the rest (antialiased edges), which on its own would merge a small
    gold star into the orange of a nearby trail.
    """
    packed = _pack(np.ascontiguousarray(sample, dtype=np.uint8).reshape(1, -1, 3))[0]
    keys, counts = np.unique(packed, return_counts=True)
    if keys.size <= TRANSPARENT:
        return _unpack(keys)
    wanted = _pack(np.array(keep, dtype=np.uint8).reshape(1, -1, 3))[0]
    pinned = keys[np.isin(keys, wanted)][:EXACT_SLOTS]
    by_count = keys[np.argsort(-counts, kind="stable")]
    frequent = by_count[~np.isin(by_count, pinned)][: EXACT_SLOTS - pinned.size]
    exact = np.concatenate([pinned, frequent])
    rest = packed[~np.isin(packed, exact)]
    strip = Image.fromarray(np.ascontiguousarray(_unpack(rest))[None])
    quantized = strip.quantize(
        TRANSPARENT - EXACT_SLOTS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    used = np.unique(np.asarray(quantized))  # the palette entries the pixels use
    approximate = np.array(quantized.getpalette(), dtype=np.uint8).reshape(-1, 3)[used]
    return np.concatenate([_unpack(exact), approximate])


#: New colours are matched this many at a time: 4096 × 255 distances stay at ~12 MB however
#: many antialiased shades a first frame holds.
CHUNK = 4096


class NearestColor:
    """Maps packed colours to the index of the nearest palette colour, exactly.

    Pillow's own mapping goes through a coarse colour cache and loses a few dB; here each
    distinct colour is matched once by true Euclidean distance and remembered, so later
    frames, which mostly repeat colours, cost a sort and a lookup.
    """

    def __init__(self, palette: np.ndarray):
        self._palette = palette.astype(np.int32)
        self._keys = np.empty(0, dtype=np.uint32)
        self._indices = np.empty(0, dtype=np.uint8)

    def _nearest(self, rgb: np.ndarray) -> np.ndarray:
        return ((rgb[:, None, :] - self._palette[None]) ** 2).sum(axis=2).argmin(axis=1)

    def __call__(self, packed: np.ndarray) -> np.ndarray:
        keys, inverse = np.unique(packed, return_inverse=True)
        position = np.minimum(np.searchsorted(self._keys, keys), max(self._keys.size - 1, 0))
        known = self._keys[position] == keys if self._keys.size else np.zeros(keys.size, bool)
        indices = np.empty(keys.size, dtype=np.uint8)
        indices[known] = self._indices[position[known]]
        if not known.all():
            fresh = keys[~known]
            indices[~known] = np.concatenate(
                [
                    self._nearest(_unpack(chunk).astype(np.int32))
                    for chunk in np.array_split(fresh, -(-fresh.size // CHUNK))
                ]
            )
            merged = np.concatenate([self._keys, fresh])
            order = np.argsort(merged, kind="stable")
            self._keys = merged[order]
            self._indices = np.concatenate([self._indices, indices[~known]])[order]
        return indices[inverse.reshape(packed.shape)]


def _sub_blocks(data: bytes) -> bytes:
    chunks = [data[i : i + 255] for i in range(0, len(data), 255)]
    return b"".join(bytes([len(chunk)]) + chunk for chunk in chunks) + b"\0"


class GifStream:
    """Write an animated GIF frame by frame to an open binary file.

    ``palette_sample`` (H, W, 3 or 4 uint8) should contain every colour the animation will
    show (e.g. its first and last frames stacked); all frames are mapped to it, and the
    colours in ``keep`` that it contains are kept exactly.
    ``loop`` is the number of plays, 0 for forever. Identical consecutive frames are
    merged into one frame with the summed delay.

    With ``transparent``, pixels whose alpha is below one half are left clear (GIF has
    no partial transparency). A GIF frame can only paint over what is shown, so when a
    pixel must turn clear again, the frame before it is disposed ("restore to
    background" over its rectangle, widened to cover that pixel) and the next frame
    repaints what stays.
    """

    def __init__(
        self,
        file,
        size: tuple[int, int],
        palette_sample: np.ndarray,
        loop: int = 0,
        comment: str | None = None,
        keep=(),
        transparent: bool = False,
    ):
        self._file = file
        self._size = size
        self._transparent = transparent
        self._palette = build_palette(_opaque_pixels(palette_sample), keep)
        self._nearest = NearestColor(self._palette)
        width, height = size
        #: What a viewer shows before the pending frame is drawn (CLEAR where nothing is).
        self._screen = np.full((height, width), CLEAR, dtype=np.uint32)
        self._pending: _Frame | None = None
        self._write_header(loop, comment)

    def _write_header(self, loop, comment):
        width, height = self._size
        # Global colour table of 256 entries, 8 bits of colour resolution.
        header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0)
        header += self._palette.tobytes().ljust(768, b"\0")
        if loop != 1:
            # NETSCAPE2.0 counts repeats after the first play; 0 repeats forever.
            repeats = 0 if loop == 0 else loop - 1
            header += b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", repeats) + b"\0"
        if comment:
            header += b"!\xfe" + _sub_blocks(comment.encode("utf-8"))
        self._file.write(header)

    def write(self, rgba: np.ndarray, delay_cs: int):
        """Add a frame (H, W, 3 or 4 uint8) shown for ``delay_cs`` centiseconds."""
        height, width = rgba.shape[:2]
        if (width, height) != self._size:
            raise ValueError(
                f"frame is {width}x{height}, the GIF is {self._size[0]}x{self._size[1]}"
            )
        packed = _pack(rgba)
        if self._transparent and rgba.shape[-1] == 4:
            packed[rgba[..., 3] < 128] = CLEAR
        pending = self._pending
        if pending is not None:
            changed = packed != pending.pixels
            if not changed.any():
                self._extend_pending(pending, delay_cs)
                return
            cleared = changed & (packed == CLEAR)
            if cleared.any():
                pending.box = _union(pending.box, _bounding_box(cleared))
                pending.disposal = _DISPOSAL_CLEAR
            self._flush_pending()
        box = _bounding_box(packed != self._screen)
        self._pending = _Frame(packed, box or (0, 0, 1, 1), delay_cs)

    def _extend_pending(self, pending: _Frame, delay_cs: int) -> None:
        if pending.delay + delay_cs > MAX_DELAY_CS:
            self._flush_pending()
            # A frame that changes nothing carries the rest of the hold.
            self._pending = pending = _Frame(self._screen.copy(), (0, 0, 1, 1), 0)
        pending.delay += delay_cs

    def _flush_pending(self):
        pending = self._pending
        if pending is None:
            return
        left, top, right, bottom = pending.box
        region = pending.pixels[top:bottom, left:right]
        paint = region != self._screen[top:bottom, left:right]
        indices = np.full(region.shape, TRANSPARENT, dtype=np.uint8)
        indices[paint] = self._nearest(region[paint])
        image = Image.fromarray(indices, "P")
        for chunk in GifImagePlugin.getdata(
            image,
            (left, top),
            duration=pending.delay * 10,
            transparency=TRANSPARENT,
            disposal=pending.disposal,
        ):
            self._file.write(chunk)
        self._screen = pending.pixels
        if pending.disposal == _DISPOSAL_CLEAR:
            self._screen = self._screen.copy()
            self._screen[top:bottom, left:right] = CLEAR
        self._pending = None

    def close(self):
        """Write the last frame and the trailer (the file itself stays open)."""
        self._flush_pending()
        self._file.write(b";")


class _Frame:
    """A frame waiting to be written: the next frame may still widen and dispose it."""

    def __init__(self, pixels, box, delay):
        self.pixels, self.box, self.delay = pixels, box, delay
        self.disposal = _DISPOSAL_KEEP


def _bounding_box(mask: np.ndarray):
    """(left, top, right, bottom) of the True pixels of ``mask``, None if there are none."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask[rows[0] : rows[-1] + 1].any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _union(box, other):
    return (
        min(box[0], other[0]),
        min(box[1], other[1]),
        max(box[2], other[2]),
        max(box[3], other[3]),
    )


def _opaque_pixels(sample: np.ndarray) -> np.ndarray:
    """The RGB of the pixels of ``sample`` that a transparent GIF would show."""
    if sample.shape[-1] == 4:
        return sample[..., :3][sample[..., 3] >= 128]
    return sample[..., :3]


def _pack(image: np.ndarray) -> np.ndarray:
    """One uint32 per pixel (R, G, B in the low bytes), so a pixel compares in one step."""
    if image.shape[-1] == 4 and image.flags.c_contiguous:
        return image.view(np.uint32)[..., 0] | np.uint32(0xFF000000)
    rgb = image[..., :3].astype(np.uint32)
    return rgb[..., 0] | (rgb[..., 1] << 8) | (rgb[..., 2] << 16) | np.uint32(0xFF000000)


def _unpack(packed: np.ndarray) -> np.ndarray:
    """(N,) packed colours -> (N, 3) uint8 RGB."""
    return np.ascontiguousarray(packed, dtype=np.uint32).view(np.uint8).reshape(-1, 4)[:, :3]
