"""Film a scene: race it, build its figure, animate it and write GIF, MP4, PNG or an
interactive HTML page."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import RenderError, RequestError, SceneError
from .figure import (
    LayoutError,
    RaceFigure,
    SurfaceDrawingError,
)
from .fitting import TooLarge, byte_limit, film_to_fit, warn_if_long
from .progress import show_progress
from .provenance import describe, png_metadata, provenance_comment
from .request import (  # noqa: F401  (the request's names, as callers knew them here)
    FORMATS,
    OPTIONS,
    QUALITY,
    RenderOptions,
    check_folder,
    check_option_names,
    output_path,
    parse_size,
    prepare,
    resolve_options,
    warn_missing_glyphs,
)
from .writers import GifWriter, Mp4Writer, replacing

if TYPE_CHECKING:
    from .scene import Scene


class _Reporter:
    """A progress bar's stand-in that reports frames to ``send(kind, count)``, at most
    every REPORT_SECONDS (a message per frame would keep a batch's parent busy)."""

    REPORT_SECONDS = 0.1

    def __init__(self, send, total):
        self.send, self.pending, self.last = send, 0, time.monotonic()
        send("total", total)

    def update(self, count):
        self.pending += count
        if time.monotonic() - self.last >= self.REPORT_SECONDS:
            self.flush()

    def flush(self):
        if self.pending:
            self.send("frames", self.pending)
        self.pending, self.last = 0, time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.flush()
        return False


def _progress(total, enabled, description):
    """A tqdm bar on stderr (see :func:`show_progress`); ``enabled`` may instead be a
    callable that hears the frames."""
    from tqdm import tqdm

    if callable(enabled):
        return _Reporter(enabled, total)
    return tqdm(
        total=total,
        disable=not show_progress(enabled),
        unit="frame",
        desc=description,
        file=sys.stderr,
        leave=True,
        dynamic_ncols=True,
    )


def _figure(
    scene: Scene, result, request: RenderOptions, fast: bool = True, still: bool = False
) -> RaceFigure:
    style = request.style
    if still:  # one frame shows the loss at that very step, and no text changes
        style = replace(style, loss_refresh=1, every=1, text_plates=False)
    try:
        return RaceFigure(result, style, title=scene.title, fast=fast)
    except SurfaceDrawingError as exc:
        raise SceneError(scene.source_path or scene.name or "scene", str(exc)) from None
    except LayoutError as exc:  # the check before the race estimates the text; rarely short
        raise RequestError(str(exc)) from None


def render(
    scene: Scene,
    output=None,
    *,
    progress: bool | None = None,
    sidecar: bool = False,
    max_size=None,
    notify=None,
    **options,
) -> Path:
    """Film ``scene`` into ``output`` (.gif, .mp4, .png or .html) and return the path
    written. An .html file is one self-contained page that plays the race (see
    :mod:`anim.page`); ``hold`` does not apply to it.

    ``options``: fps, size ("800x600" or (w, h)), dpi, quality ("low"/"medium"/"high"),
    steps, hold (seconds the last frame is held), loop (GIF plays, 0 = forever),
    loss_panel, every (steps per frame), duration (seconds the race plays; chooses
    every), full (film every step, not only until the race is decided), noise and seed,
    font (the main font: a family name or a font file) and language ("en", "ja": of the
    words the picture writes).
    ``max_size`` ("2MB", or bytes) makes a GIF or MP4 fit (see
    :func:`anim.fitting.film_to_fit`); ``notify(text)`` hears what it chose. Every
    option is checked before rendering starts; an existing file is replaced only once
    the new one is complete. ``progress``: a bar of frames on stderr; None draws it only
    when stderr is a terminal.
    """
    path, request, frame = prepare(scene, output, max_size=max_size, **options)
    if path.suffix.lower() == ".png":
        return _write_still(scene, path, request, frame, sidecar)
    if path.suffix.lower() == ".html":
        return _write_page(scene, path, request, sidecar)
    limit = None if max_size is None else byte_limit(max_size)
    if limit is None and request.full:
        # The length is known before the race (which can take a while): warn first.
        warn_if_long(path, request.with_end(request.steps))
    result = scene.race(
        request.steps, noise=request.noise, seed=request.seed, explain=bool(request.explain)
    )
    try:
        request = request.for_race(result)
    except RequestError as exc:
        raise RequestError(f"{path}: {exc}") from None
    if limit is None:
        if not request.full:
            warn_if_long(path, request)
        with _writing(path), replacing(path) as tmp:
            _film(scene, result, request, tmp, path.name, progress)
    else:

        def film(options, target, name, limit):
            _film(scene, result, options, target, name, progress, limit)

        with _writing(path):
            request = film_to_fit(film, request, path, limit, notify)
    if sidecar:
        _write_sidecar(path, scene, request, result)
    return path


def _film(
    scene: Scene,
    result,
    request: RenderOptions,
    target: Path,
    name: str,
    progress,
    limit: int | None = None,
):
    """Draw the frames of ``request.frame_steps()`` and encode them into ``target``."""
    figure = _figure(scene, result, request)
    try:
        comment = provenance_comment(scene)
        writer: GifWriter | Mp4Writer
        if target.suffix.lower() == ".gif":
            writer = GifWriter(
                request.fps,
                loop=request.loop,
                comment=comment,
                palette_sample=_palette_sample(figure, request),
                keep=figure.key_colors,
                transparent=request.transparent,
            )
        else:
            writer = Mp4Writer(request.fps, comment=comment)
        _save(figure, writer, target, name, request, progress, limit)
    finally:
        figure.close()


def _palette_sample(figure: RaceFigure, request: RenderOptions) -> np.ndarray:
    """First and last frames stacked: between them they show every colour of the GIF."""
    steps = request.frame_steps()
    last = figure.draw_frame(int(steps[-1])).copy()
    first = figure.draw_frame(int(steps[0]))
    return np.concatenate([first, last])


def _save(
    figure: RaceFigure,
    writer,
    target: Path,
    name: str,
    request: RenderOptions,
    progress,
    limit: int | None = None,
):
    """Encode the frames; with ``limit``, stop with TooLarge as soon as the file being
    written is larger than ``limit`` bytes, projecting the whole file's size."""
    from matplotlib.animation import FuncAnimation

    from .fonts import quiet_missing_glyphs

    steps = [int(step) for step in request.frame_steps()]
    animation = FuncAnimation(
        figure.figure,
        lambda frame: figure.update(*frame),
        frames=[(step, index) for index, step in enumerate(steps)],
        init_func=lambda: [],
        interval=1000 / request.fps,
        blit=False,
        repeat=False,
        cache_frame_data=False,
    )
    # The hold of a GIF is merged into one frame and costs nothing.
    costly = request.race_frames if target.suffix.lower() == ".gif" else len(steps)

    def on_frame(done, total):
        bar.update(1)
        if limit is not None and done % 10 == 9 and done + 1 < costly:
            written = target.stat().st_size
            if written > limit:
                raise TooLarge(written * costly / (done + 1))

    with (
        _progress(len(steps), progress, name) as bar,
        _without_matplotlib_notes(),
        quiet_missing_glyphs(),
    ):
        animation.save(target, writer=writer, dpi=request.dpi, progress_callback=on_frame)


class _MatplotlibNote(logging.Filter):
    def filter(self, record):
        return record.levelno > logging.INFO


@contextlib.contextmanager
def _without_matplotlib_notes():
    """matplotlib logs "Animation.save using ..." at INFO, which a log configured at INFO
    (a docs theme does that) would print for every render: how anim writes is its own
    business, and a render says what it wrote in one line."""
    logger, note = logging.getLogger("matplotlib.animation"), _MatplotlibNote()
    logger.addFilter(note)
    try:
        yield
    finally:
        logger.removeFilter(note)


@contextlib.contextmanager
def _writing(output: Path):
    """Turn a failure to write ``output`` (a full disk, ffmpeg failing) into a RenderError."""
    try:
        yield
    except OSError as exc:
        raise RenderError(f"{output}: writing failed: {exc}") from exc


def still(
    scene: Scene, output=None, *, frame: int | None = None, sidecar: bool = False, **options
) -> Path:
    """Write one frame of ``scene`` (default: the last step) as a PNG.

    ``options``: size, dpi, quality, steps and loss_panel, as for :func:`render`.
    """
    path, request, frame = prepare(scene, output, still=True, frame=frame, **options)
    return _write_still(scene, path, request, frame, sidecar)


def _write_still(scene, path: Path, request: RenderOptions, frame: int | None, sidecar: bool):
    """The PNG of step ``frame`` (the last step when None)."""
    import imageio.v3 as iio

    frame = request.steps if frame is None else frame
    result = scene.race(
        request.steps, noise=request.noise, seed=request.seed, explain=bool(request.explain)
    )
    figure = _figure(scene, result, request, fast=False, still=True)
    try:
        pixels = figure.draw_frame(frame)
        with _writing(path), replacing(path) as tmp:
            # Pillow writes it; the provenance goes into the PNG's text chunks.
            iio.imwrite(
                tmp,
                pixels if request.transparent else pixels[..., :3],
                extension=".png",
                plugin="pillow",
                pnginfo=png_metadata(scene),
            )
    finally:
        figure.close()
    if sidecar:
        _write_sidecar(path, scene, request, result, frame=frame)
    return path


def frames(scene: Scene, *, fast: bool = True, **options):
    """Yield every frame of the animation as an (height, width, 3) uint8 array."""
    check_option_names(options)
    request = resolve_options(scene, **options)
    warn_missing_glyphs(scene, request)
    result = scene.race(
        request.steps, noise=request.noise, seed=request.seed, explain=bool(request.explain)
    )
    request = request.for_race(result)
    figure = _figure(scene, result, request, fast=fast)
    try:
        for step in request.frame_steps():
            yield figure.draw_frame(int(step))[..., :3].copy()
    finally:
        figure.close()


def _write_sidecar(output: Path, scene: Scene, request: RenderOptions, result, **extra):
    record = describe(scene, result)
    record["output"] = output.name
    options = asdict(request)
    if output.suffix.lower() != ".gif":
        options.pop("loop")
    if output.suffix.lower() == ".html":
        options.pop("hold")
    if output.suffix.lower() == ".png":
        for moving in ("fps", "hold", "every", "duration", "full", "end"):
            options.pop(moving)
    record["options"] = {**options, **extra}
    sidecar = output.with_name(output.name + ".json")
    with _writing(sidecar), replacing(sidecar) as tmp:
        tmp.write_text(
            json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False) + "\n",
            encoding="utf-8",
        )


def page(scene: Scene, result=None, request: RenderOptions | None = None) -> str:
    """The interactive page of ``scene`` as HTML text (see :mod:`anim.page`), with the
    knobs of ``request.knobs`` (their races precomputed by :mod:`anim.knobs`)."""
    from .fonts import quiet_missing_glyphs
    from .page import page_html

    request = request or resolve_options(scene)
    if result is None:
        result = scene.race(
            request.steps, noise=request.noise, seed=request.seed, explain=bool(request.explain)
        )
    found = None
    shown = result
    if request.knobs:
        from .knobs import knob_races

        try:
            found = knob_races(
                scene,
                request.knobs,
                request.steps,
                request.explain,
                noise=request.noise,
                seed=request.seed,
            )
        except ValueError as exc:
            raise RequestError(str(exc)) from None
        shown = replace(result, optimizers=_widest_labels(result.optimizers, found))
    # Built exactly as a still is, so the page's heads land on the still's pixels.
    figure = _figure(scene, shown, request, fast=False, still=True)
    try:
        with quiet_missing_glyphs():
            return page_html(
                figure,
                fps=request.fps,
                loss_refresh=request.style.loss_refresh,
                title=scene.title or figure._default_title(),
                comment=provenance_comment(scene),
                optimizers=result.optimizers,
                knobs=found,
            )
    finally:
        figure.close()


def _widest_labels(optimizers, found) -> tuple:
    """The optimizers, each labelled with the longest label its knobs can give it, so the
    scoreboard leaves room for every one (the page draws the label it shows)."""
    import copy

    labelled = []
    for optimizer, entry in zip(optimizers, found):
        longest = max([optimizer.label, *(run.label for run in entry.runs)], key=len)
        if entry.pad is not None:
            longest = max(
                [longest, *(run.label for row in entry.pad.runs for run in row if run is not None)],
                key=len,
            )
        stand_in = copy.copy(optimizer)
        stand_in._label = longest
        labelled.append(stand_in)
    return tuple(labelled)


def _write_page(scene: Scene, path: Path, request: RenderOptions, sidecar: bool) -> Path:
    result = scene.race(
        request.steps, noise=request.noise, seed=request.seed, explain=bool(request.explain)
    )
    try:
        text = page(scene, result, request)
    except RequestError as exc:
        raise RequestError(f"{path}: {exc}") from None
    with _writing(path), replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    if sidecar:
        _write_sidecar(path, scene, request, result)
    return path


def to_html(scene: Scene, **options) -> str:
    """The interactive player for notebooks: the page in an ``<iframe srcdoc>``, so its
    script and key bindings stay inside it; no animation is rendered."""
    from .page import notebook_html

    check_option_names(options)
    request = resolve_options(scene, **options)
    warn_missing_glyphs(scene, request)
    return notebook_html(page(scene, request=request), request.width, request.height)
