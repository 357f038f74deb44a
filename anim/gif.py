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
_DISPOSAL_KEEP = 1


def frame_delay_cs(index: int, fps: float) -> int:
    """Delay of frame ``index`` in centiseconds, rounded so frames 0..k end at (k+1)/fps.

    At 30 fps the delays run 3, 4, 3, 3, 4, 3, ... instead of a constant 3 (33 fps).
    """
    return round((index + 1) * 100 / fps) - round(index * 100 / fps)


def build_palette(sample: np.ndarray) -> Image.Image:
    """A 255-colour palette image fitted to ``sample`` (H, W, 3); slot 255 stays free."""
    quantized = Image.fromarray(np.ascontiguousarray(sample)).quantize(
        TRANSPARENT, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    colors = np.array(quantized.getpalette()[:3 * TRANSPARENT], dtype=np.uint8).reshape(-1, 3)
    table = np.zeros((256, 3), dtype=np.uint8)
    table[:len(colors)] = colors
    # Slot 255 repeats colour 0 so nearest-colour search never prefers it over a real slot.
    table[len(colors):] = colors[0]
    palette = Image.new("P", (1, 1))
    palette.putpalette(table.tobytes())
    return palette


def _sub_blocks(data: bytes) -> bytes:
    chunks = [data[i:i + 255] for i in range(0, len(data), 255)]
    return b"".join(bytes([len(chunk)]) + chunk for chunk in chunks) + b"\0"


class GifStream:
    """Write an animated GIF frame by frame to an open binary file.

    ``palette_sample`` (H, W, 3 uint8) should contain every colour the animation will
    show (e.g. its first and last frames stacked); all frames are mapped to it.
    ``loop`` is the number of plays, 0 for forever. Identical consecutive frames are
    merged into one frame with the summed delay.
    """

    def __init__(self, file, size: tuple[int, int], palette_sample: np.ndarray,
                 loop: int = 0, comment: str | None = None):
        self._file = file
        self._size = size
        self._palette = build_palette(palette_sample)
        self._previous: np.ndarray | None = None
        self._pending: tuple[Image.Image, tuple[int, int], int] | None = None
        self.frames_written = 0
        self._write_header(loop, comment)

    def _write_header(self, loop, comment):
        width, height = self._size
        # Global colour table of 256 entries, 8 bits of colour resolution.
        header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0)
        header += self._palette.palette.tobytes()[:768].ljust(768, b"\0")
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
            raise ValueError(f"frame is {width}x{height}, the GIF is "
                             f"{self._size[0]}x{self._size[1]}")
        packed = _pack(rgba)
        if self._previous is None:
            changed, box = None, (0, 0, width, height)
        else:
            changed = packed != self._previous
            rows = np.flatnonzero(changed.any(axis=1))
            if rows.size == 0:
                self._extend_pending(delay_cs)
                return
            cols = np.flatnonzero(changed[rows[0]:rows[-1] + 1].any(axis=0))
            box = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
            changed = changed[box[1]:box[3], box[0]:box[2]]
        left, top, right, bottom = box
        region = Image.fromarray(np.ascontiguousarray(rgba[top:bottom, left:right, :3]))
        indices = np.asarray(region.quantize(palette=self._palette, dither=Image.Dither.NONE))
        indices = np.where(indices == TRANSPARENT, 0, indices)
        if changed is not None:
            indices = np.where(changed, indices, TRANSPARENT)
        self._flush_pending()
        self._pending = (Image.fromarray(indices.astype(np.uint8), "P"), (left, top), delay_cs)
        self._previous = packed.copy()

    def _extend_pending(self, delay_cs):
        image, offset, delay = self._pending
        if delay + delay_cs > MAX_DELAY_CS:
            self._flush_pending()
            # A fully transparent 1x1 frame carries the rest of the hold.
            image, offset, delay = Image.new("P", (1, 1), TRANSPARENT), (0, 0), 0
        self._pending = (image, offset, delay + delay_cs)

    def _flush_pending(self):
        if self._pending is None:
            return
        image, offset, delay = self._pending
        for chunk in GifImagePlugin.getdata(image, offset, duration=delay * 10,
                                            transparency=TRANSPARENT,
                                            disposal=_DISPOSAL_KEEP):
            self._file.write(chunk)
        self.frames_written += 1
        self._pending = None

    def close(self):
        """Write the last frame and the trailer (the file itself stays open)."""
        self._flush_pending()
        self._file.write(b";")


def _pack(rgba: np.ndarray) -> np.ndarray:
    """One uint32 per pixel, so a frame difference is a single comparison."""
    if rgba.shape[2] == 4:
        return np.ascontiguousarray(rgba).view(np.uint32)[..., 0]
    rgb = rgba.astype(np.uint32)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
