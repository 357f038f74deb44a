"""Movie writers that plug into ``matplotlib.animation.Animation.save``.

``Animation.save`` draws the whole figure before every ``grab_frame``; these writers take
that frame straight from the Agg canvas instead of drawing it a second time through
``savefig`` as matplotlib's own writers do, and stream it to the encoder. Also here: the
replace-only-when-complete temporary file, and whether ffmpeg can write MP4 at all.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import subprocess
import warnings
from pathlib import Path

import numpy as np
from matplotlib.animation import AbstractMovieWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .errors import one_line
from .gif import GifStream, frame_delay_cs

#: x264 settings: "animation" tuning suits flat colours and thin lines; +faststart moves
#: the index to the front so browsers start playing before the download ends.
H264_PARAMS = ("-preset", "veryfast", "-tune", "animation", "-crf", "18", "-movflags", "+faststart")


class _CanvasWriter(AbstractMovieWriter):
    """Base of the writers below: the current frame is whatever the canvas holds."""

    def __init__(self, fps: float, comment: str | None = None):
        # matplotlib's stub says int; its writers take any frame rate, as ours do.
        super().__init__(fps=fps)  # type: ignore[arg-type]
        self.comment = comment
        self.frames = 0

    def setup(self, fig, outfile, dpi=None):
        super().setup(fig, outfile, dpi)
        self._open()

    @contextlib.contextmanager
    def saving(self, fig, outfile, dpi, *args, **kwargs):
        """Like matplotlib's, but a failed or interrupted save is abandoned, not finished."""
        self.setup(fig, outfile, dpi, *args, **kwargs)
        try:
            yield self
        except BaseException:
            self._abort()
            raise
        self.finish()

    def _abort(self):
        raise NotImplementedError

    def grab_frame(self, **savefig_kwargs):
        canvas = self.fig.canvas
        if not isinstance(canvas, FigureCanvasAgg):
            raise TypeError(
                f"the figure must draw on an Agg canvas (its pixels are read), "
                f"got {type(canvas).__name__}"
            )
        if canvas.get_width_height() != self.frame_size:
            raise ValueError(
                f"the figure is {canvas.get_width_height()} pixels, the movie {self.frame_size}"
            )
        self._write(np.asarray(canvas.buffer_rgba()))
        self.frames += 1

    def _open(self):
        raise NotImplementedError

    def _write(self, rgba):
        raise NotImplementedError


class GifWriter(_CanvasWriter):
    """Streams frames into a GIF with one palette fitted to ``palette_sample``, keeping
    the colours in ``keep`` exactly."""

    def __init__(
        self,
        fps: float,
        loop: int = 0,
        comment: str | None = None,
        palette_sample: np.ndarray | None = None,
        keep=(),
        transparent: bool = False,
    ):
        super().__init__(fps, comment)
        self.loop = loop
        self.palette_sample = palette_sample
        self.keep = keep
        self.transparent = transparent

    def _open(self):
        self._file = open(self.outfile, "wb")  # noqa: SIM115 (finish or _abort closes it)
        self._stream = None

    def _write(self, rgba):
        if self._stream is None:
            sample = self.palette_sample if self.palette_sample is not None else rgba
            self._stream = GifStream(
                self._file,
                self.frame_size,
                sample,
                loop=self.loop,
                comment=self.comment,
                keep=self.keep,
                transparent=self.transparent,
            )
        self._stream.write(rgba, frame_delay_cs(self.frames, self.fps))

    def finish(self):
        try:
            if self._stream is not None:
                self._stream.close()
        finally:
            self._file.close()

    def _abort(self):
        self._file.close()


class _Abandon(BaseException):
    """Thrown into imageio-ffmpeg's frame writer: it kills ffmpeg instead of finishing."""


class Mp4Writer(_CanvasWriter):
    """H.264 in yuv420p with faststart, through imageio-ffmpeg's frame writer."""

    def _open(self):
        import imageio_ffmpeg

        width, height = self.frame_size
        if width % 2 or height % 2:
            raise ValueError(f"MP4 (yuv420p) needs an even width and height, got {width}x{height}")
        params = list(H264_PARAMS)
        if self.comment:
            params += ["-metadata", f"comment={self.comment}"]
        # bitexact keeps encoder version strings out, so equal frames give equal files.
        params += ["-fflags", "+bitexact", "-flags:v", "+bitexact"]
        # RGBA straight from the canvas: ffmpeg converts it, no copy in Python.
        self._encoder = imageio_ffmpeg.write_frames(
            str(self.outfile),
            (width, height),
            fps=self.fps,
            codec="libx264",
            pix_fmt_in="rgba",
            pix_fmt_out="yuv420p",
            quality=None,
            macro_block_size=1,
            ffmpeg_log_level="error",
            output_params=params,
        )
        with warnings.catch_warnings():
            # imageio-ffmpeg starts ffmpeg with a preexec_fn (os.setpgrp), i.e. a fork
            # followed at once by exec, which is safe; JAX, once a scene imported it
            # (from_optax), warns about any fork all the same.
            warnings.filterwarnings(
                "ignore", message=r"os\.fork\(\) was called", category=RuntimeWarning
            )
            self._encoder.send(None)

    def _write(self, rgba):
        self._encoder.send(rgba)

    def finish(self):
        self._encoder.close()
        # imageio-ffmpeg does not report how ffmpeg ended, so a full disk would pass
        # silently: read the file back and count its frames.
        written = mp4_frame_count(self.outfile)
        if written != self.frames:
            raise OSError(f"ffmpeg wrote {written} of {self.frames} frames (is the disk full?)")

    def _abort(self):
        with contextlib.suppress(_Abandon):
            self._encoder.throw(_Abandon())


def mp4_frame_count(path) -> int:
    """Frames of the video at ``path`` as ffmpeg reads them back (stream copy, no decoding).

    A truncated file counts only the frames that survived; an unreadable one raises
    OSError.
    """
    import imageio_ffmpeg

    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-nostdin",
        "-v",
        "error",
        "-stats",
        "-i",
        str(path),
        "-map",
        "0:v:0",
        "-c",
        "copy",
        "-f",
        "null",
        "-",
    ]
    done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    counts = re.findall(r"frame=\s*(\d+)", done.stderr)
    if done.returncode != 0 or not counts:
        last_line = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise OSError(f"ffmpeg cannot read the video back: {last_line}")
    return int(counts[-1])


@contextlib.contextmanager
def replacing(path: Path):
    """Yield a temporary path beside ``path``; move it into place only on success.

    On any failure or interrupt the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.partial{path.suffix}")
    try:
        yield temporary
        with contextlib.suppress(OSError):  # a replaced file keeps its permission bits
            os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def check_ffmpeg() -> str:
    """What ffmpeg MP4 output will use; RuntimeError saying what to do when it cannot."""
    import imageio_ffmpeg

    try:
        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise RuntimeError(
            f"no ffmpeg found ({one_line(exc)}): reinstall it with pip "
            "install --force-reinstall imageio-ffmpeg, or set "
            "IMAGEIO_FFMPEG_EXE to an ffmpeg binary"
        ) from exc
    try:
        run = subprocess.run(
            [exe, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(
            f"ffmpeg at {exe} cannot be run ({one_line(exc)}): reinstall "
            "imageio-ffmpeg, or point IMAGEIO_FFMPEG_EXE to a working ffmpeg"
        ) from exc
    if "libx264" not in run.stdout:
        raise RuntimeError(
            f"{exe} has no libx264 (H.264) encoder: MP4 output is not "
            "possible; install an ffmpeg built with libx264 and set "
            "IMAGEIO_FFMPEG_EXE to it"
        )
    try:
        version = imageio_ffmpeg.get_ffmpeg_version()
    except Exception:  # the version is a detail; the encoder list already proved it runs
        version = "(version unknown)"
    return f"ffmpeg {version} at {exe}, with the libx264 (H.264) encoder"


def ffmpeg_problem() -> str | None:
    """Why MP4 output cannot work here (one actionable sentence), or None when it can."""
    try:
        check_ffmpeg()
    except RuntimeError as exc:
        return one_line(exc)
    return None
