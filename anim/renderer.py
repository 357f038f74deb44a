"""Film a scene: race it, build its figure, animate it and write GIF, MP4, PNG or an
interactive HTML page."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .combinations import Combination, refusal
from .errors import FontWarning, RenderError, RequestError, SceneError
from .figure import (
    THEMES,
    FrameStyle,
    LayoutError,
    RaceFigure,
    SurfaceDrawingError,
    check_layout,
    default_dpi,
    figure_texts,
    plot_aspect,
)
from .figure.fidelity import refusal as projected_runs_refusal
from .fitting import TooLarge, byte_limit, film_to_fit, warn_if_long
from .knobs import check_knobs
from .length import every_for_duration, race_steps
from .progress import show_progress
from .provenance import describe, png_metadata, provenance_comment
from .race import check_noise, check_seed
from .settings import MAX_FPS, MAX_STEPS, check_view, explained_racers, parse_camera
from .words import check_language
from .writers import GifWriter, Mp4Writer, ffmpeg_problem, replacing

if TYPE_CHECKING:
    from .scene import Scene

FORMATS = (".gif", ".mp4", ".png", ".html")
#: Presets in the spirit of manim's -ql / -qm / -qh: (width, height, fps).
QUALITY = {"low": (480, 360, 15), "medium": (800, 600, 30), "high": (1440, 1080, 30)}
#: Frame sizes that give a readable picture: each side, and the width / height ratio.
MIN_SIZE, MAX_SIZE = (320, 240), (3840, 2160)
MIN_RATIO, MAX_RATIO = 0.5, 3.0
MIN_DPI, MAX_DPI = 10, 1200
MAX_HOLD = 600.0
DEFAULT_HOLD = 2.0
#: How often per second the scoreboard's loss column changes in an animation.
LOSS_REFRESH_HZ = 4
#: Turns of the orbiting camera beyond this many degrees are surely a typo.
MAX_ORBIT = 3600.0


@dataclass(frozen=True)
class RenderOptions:
    """A validated render request: everything but the scene and the output path."""

    width: int
    height: int
    dpi: float
    fps: float
    steps: int
    hold: float
    loop: int
    loss_panel: bool
    theme: str = "light"
    transparent: bool = False
    colorbar: bool = False
    colormap: str | None = None
    explain: tuple[int, ...] = ()
    lr_panel: bool = False
    #: Steps per frame asked for (--every), or the play time of the race (--duration).
    every: int | None = None
    duration: float | None = None
    #: Film every requested step instead of ending when the race is decided.
    full: bool = False
    #: Overrides of the scene's gradient noise and its seed.
    noise: float | None = None
    seed: int | None = None
    #: The last step filmed; known once the race has run (see :meth:`for_race`).
    end: int | None = None
    view: str = "2d"
    camera: tuple[float, float] | None = None
    orbit: float = 0.0
    #: The page's knobs (anim.knobs): () or ("lr",) or ("lr", "momentum").
    knobs: tuple[str, ...] = ()
    #: The main font (family name or file) and the language of the figure's words.
    font: str | None = None
    language: str = "en"

    @property
    def hold_frames(self) -> int:
        return round(self.hold * self.fps)

    def for_race(self, result) -> RenderOptions:
        """These options for the race ``result``: where the video ends (when the race is
        decided, or the last step with ``full``) and how many steps each frame advances."""
        return self.with_end(self.steps if self.full else
                             min(self.steps, result.decided_step()))

    def with_end(self, end: int) -> RenderOptions:
        """These options for a video that ends at step ``end``."""
        every = self.every or 1
        if self.duration is not None:
            try:
                every = every_for_duration(end, self.fps, self.duration)
            except ValueError as exc:
                raise RequestError(str(exc)) from None
        return replace(self, end=end, every=every)

    def frame_steps(self) -> np.ndarray:
        """The step each frame shows: every ``every``-th step up to ``end`` (always
        including ``end``), then the hold, which repeats ``end``."""
        end = self.steps if self.end is None else self.end
        shown = race_steps(end, self.every or 1)
        return np.concatenate([shown, np.full(self.hold_frames, end, dtype=shown.dtype)])

    @property
    def race_frames(self) -> int:
        end = self.steps if self.end is None else self.end
        return len(race_steps(end, self.every or 1))

    @property
    def total_frames(self) -> int:
        return self.race_frames + self.hold_frames

    @property
    def style(self) -> FrameStyle:
        return FrameStyle(self.width, self.height, self.dpi, self.loss_panel, self.theme,
                          self.transparent, self.colorbar, self.colormap,
                          loss_refresh=max(1, round(self.fps / LOSS_REFRESH_HZ)),
                          every=self.every or 1,
                          text_plates=self.transparent, explain=self.explain,
                          lr_panel=self.lr_panel, view=self.view, camera=self.camera,
                          orbit=self.orbit, frames=self.total_frames, font=self.font,
                          language=self.language)


def _number(value, name, low, high, integer=False):
    kind = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise RequestError(f"Invalid {name}: {value!r} (must be {kind} from {low} to {high})")
    if not (math.isfinite(value) and low <= value <= high) or integer and int(value) != value:
        raise RequestError(f"Invalid {name}: {value!r} (must be {kind} from {low} to {high})")
    return int(value) if integer else float(value)


def parse_size(text) -> tuple[int, int]:
    """``"800x600"`` (or a (w, h) pair) -> (800, 600), validated."""
    if isinstance(text, str):
        parts = text.lower().replace("×", "x").split("x")
        try:
            width, height = (int(p) for p in parts)
        except ValueError:
            raise RequestError(f"Invalid size: {text!r} (expected WIDTHxHEIGHT, "
                               "e.g. 800x600)") from None
    else:
        try:
            width, height = text
        except (TypeError, ValueError):
            raise RequestError(f"Invalid size: {text!r} (expected (width, height))") from None
    limits = f"from {MIN_SIZE[0]}x{MIN_SIZE[1]} to {MAX_SIZE[0]}x{MAX_SIZE[1]}"
    for side, low, high in zip((width, height), MIN_SIZE, MAX_SIZE):
        if isinstance(side, bool) or not isinstance(side, (int, np.integer)) or not (
                low <= side <= high):
            raise RequestError(f"Invalid size: {width}x{height} (must be whole pixels "
                               f"{limits})")
    if not MIN_RATIO <= width / height <= MAX_RATIO:
        raise RequestError(f"Invalid size: {width}x{height} (width / height must be from "
                           f"1:2 to 3:1, this is {width / height:.2g}:1)")
    return int(width), int(height)


def resolve_options(scene: Scene, *, fps=None, size=None, dpi=None, quality=None,
                    steps=None, hold=None, loop=None, loss_panel=None, theme=None,
                    transparent=None, colorbar=None, explain=None, lr_panel=None,
                    every=None, duration=None, full=False, noise=None, seed=None,
                    view=None, camera=None, orbit=None, knobs=None, font=None,
                    language=None) -> RenderOptions:
    """Merge quality preset, scene fields and explicit options; raise RequestError."""
    if quality is not None and quality not in QUALITY:
        raise RequestError(f"Invalid quality: {quality!r} (choose from {', '.join(QUALITY)})")
    preset = QUALITY[quality] if quality else None
    width, height = parse_size(size) if size is not None else (
        preset[:2] if preset else QUALITY["medium"][:2])
    fps = _number(fps if fps is not None else (preset[2] if preset else scene.fps),
                  "fps", 1, MAX_FPS)
    dpi = default_dpi(width, height) if dpi is None else _number(dpi, "dpi", MIN_DPI, MAX_DPI)
    steps = scene.steps if steps is None else _number(steps, "steps", 1, MAX_STEPS, True)
    hold = DEFAULT_HOLD if hold is None else _number(hold, "hold", 0, MAX_HOLD)
    loop = 0 if loop is None else _number(loop, "loop", 0, 65535, True)
    loss_panel = scene.loss_panel if loss_panel is None else bool(loss_panel)
    theme = scene.theme if theme is None else theme
    if theme not in THEMES:
        raise RequestError(f"Invalid theme: {theme!r} (choose from {', '.join(THEMES)})")
    colorbar = scene.colorbar if colorbar is None else bool(colorbar)
    try:
        explained = (scene.explain if explain is None
                     else explained_racers(explain, scene.optimizers))
        view = scene.view if view is None else check_view(view)
        asked = parse_camera(camera)
        knobs = scene.knobs if knobs is None else check_knobs(knobs)
    except ValueError as exc:
        raise RequestError(str(exc)) from None
    orbit = 0.0 if orbit is None else _number(orbit, "orbit", -MAX_ORBIT, MAX_ORBIT)
    if view == "2d" and (asked is not None or orbit):
        what = "--camera" if asked is not None else "--orbit"
        raise RequestError(f"{what} turns the 3D view: add --view 3d or --view both")
    camera = scene.camera if asked is None else asked
    lr_panel = scene.lr_panel if lr_panel is None else bool(lr_panel)
    if every is not None:
        every = _number(every, "every", 1, MAX_STEPS, True)
    if duration is not None:
        if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not (
                math.isfinite(duration) and duration > 0):
            raise RequestError(f"Invalid duration: {duration!r} (must be a number of "
                               "seconds > 0)")
        duration = float(duration)
        try:
            every_for_duration(1, fps, duration)
        except ValueError as exc:
            raise RequestError(str(exc)) from None
        if every is not None:
            raise RequestError("--every and --duration both set the steps per frame; "
                               "give one of them")
    try:
        noise = None if noise is None else check_noise(noise)
        seed = None if seed is None else check_seed(seed)
        language = check_language(scene.language if language is None else language)
        if font is not None:
            from .fonts import resolve_font

            resolve_font(font)
            font = str(font)
    except ValueError as exc:
        raise RequestError(str(exc)) from None
    return RenderOptions(width, height, dpi, fps, steps, hold, loop, loss_panel, theme,
                         bool(transparent), colorbar, scene.colormap, explained, lr_panel,
                         every, duration, bool(full), noise, seed, view=view, camera=camera,
                         orbit=orbit, knobs=knobs, font=scene.font if font is None else font,
                         language=language)


#: Every option ``render``, ``still`` and ``frames`` accept besides their own arguments.
OPTIONS = ("fps", "size", "dpi", "quality", "steps", "hold", "loop", "loss_panel", "theme",
           "transparent", "colorbar", "explain", "lr_panel", "every", "duration", "full",
           "noise", "seed", "view", "camera", "orbit", "knobs", "font", "language")


def check_option_names(options: dict, own: tuple[str, ...] = ()):
    """A RequestError naming an unknown option and every accepted one (the caller's
    ``own`` keywords too)."""
    for name in options:
        if name not in OPTIONS:
            accepted = ", ".join((*own, *OPTIONS))
            raise RequestError(f"unknown option {name!r} (accepted: {accepted})")


def output_path(scene: Scene, output=None, *, still: bool = False) -> Path:
    """``output`` as a Path, or the default ``output/<scene file stem>.gif`` (``.png``)."""
    if output is not None:
        return Path(output)
    stem = scene.output_stem or scene.name or "scene"
    return Path("output") / f"{stem}{'.png' if still else '.gif'}"


def check_folder(path: Path, default: bool):
    """Fail unless a file can be written in ``path``'s folder; with ``default``, make the
    folder (and its parents) when it is missing."""
    folder = path.parent
    if default:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RequestError(f"cannot create the folder {str(folder)!r}: "
                               f"{exc.strerror or exc}") from None
    if not folder.is_dir():
        raise RequestError(f"the folder {str(folder)!r} does not exist")
    # Really create a file: os.access says yes to root on read-only mounts.
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.stem}.", suffix=".probe"):
            pass
    except OSError as exc:
        raise RequestError(f"cannot write in the folder {str(folder)!r}: "
                           f"{exc.strerror or exc}") from None


def prepare(scene: Scene, output=None, *, still: bool = False, frame=None, max_size=None,
            **options) -> tuple[Path, RenderOptions, int | None]:
    """Check a request completely before any rendering; return (path, options, frame).

    Raises :class:`RequestError` naming the output for a bad format, option, layout or
    folder, and :class:`RenderError` when MP4 is asked for but ffmpeg cannot make it.
    Creates the default ``output/`` folder when it is the one used.
    """
    check_option_names(options, ("frame", "sidecar") if still else
                       ("progress", "sidecar", "max_size", "notify"))
    path = output_path(scene, output, still=still)
    suffix = path.suffix.lower()
    allowed = (".png",) if still else FORMATS
    try:
        if path.is_dir():
            raise RequestError("is a folder; give a file name such as race.gif")
        if suffix not in allowed:
            raise RequestError(f"unknown output format {path.suffix or '(no suffix)'!r} "
                               f"(use {', '.join(allowed)})")
        request = resolve_options(scene, **options)
        if options.get("loop") is not None and suffix != ".gif":
            raise RequestError("--loop applies to GIF output only (video players loop "
                               "with their own setting)")
        if suffix == ".png":
            # One frame: fps and hold have no effect (but a typo is still reported).
            request = replace(request, hold=0.0)
            frame = request.steps if frame is None else _number(frame, "frame", 0,
                                                                request.steps, True)
        if max_size is not None:
            if suffix not in (".gif", ".mp4"):
                raise RequestError("--max-size applies to GIF and MP4 output only")
            byte_limit(max_size)
        if suffix == ".mp4" and (request.width % 2 or request.height % 2):
            raise RequestError(f"MP4 needs an even width and height, got "
                               f"{request.width}x{request.height}")
        refused = refusal(Combination(
            suffix=suffix, starts=None if scene.starts is None else len(scene.starts),
            view=request.view, explain=bool(request.explain), lr_panel=request.lr_panel,
            transparent=request.transparent, orbit=bool(request.orbit), still=still,
            knobs=bool(request.knobs), knobs_asked=bool(options.get("knobs"))))
        if refused:
            raise RequestError(refused)
        problem = projected_runs_refusal(scene.optimizers, loss_panel=request.loss_panel,
                                         lr_panel=request.lr_panel, explain=request.explain)
        if problem:
            raise RequestError(problem)
        try:
            check_layout(request.style, scene.optimizers, request.steps,
                         any_goal=scene.goal == "any",
                         aspect=plot_aspect(scene.surface.bounds) if scene.surface.bounds
                         else 1.0, starts=None if scene.starts is None else len(scene.starts))
        except LayoutError as exc:
            raise RequestError(str(exc)) from None
        # A missing folder is made, as a batch makes its -o folder.
        check_folder(path, default=True)
    except RequestError as exc:
        raise RequestError(f"{path}: {exc}") from None
    warn_missing_glyphs(scene, request)
    if suffix == ".mp4":
        problem = ffmpeg_problem()
        if problem:
            # Never fall back to another format or encoder: H.264 MP4 was asked for.
            raise RenderError(f"{path}: MP4 needs ffmpeg with libx264: {problem} "
                              "(`python -m anim doctor` checks the setup)")
    return path, request, frame


def warn_missing_glyphs(scene: Scene, request: RenderOptions):
    """One :class:`FontWarning` line, before anything is drawn, naming the characters of
    the picture's texts that no installed font has and how to get one (matplotlib's own
    warnings, one per glyph and draw, are silenced while anim draws)."""
    from .fonts import missing_message, typeface

    texts = figure_texts([optimizer.label for optimizer in scene.optimizers], scene.title,
                         scene.surface, request.language)
    missing = typeface(texts, request.font).missing
    if missing:
        warnings.warn(FontWarning(missing_message(missing)), stacklevel=3)


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
    return tqdm(total=total, disable=not show_progress(enabled), unit="frame",
                desc=description, file=sys.stderr, leave=True, dynamic_ncols=True)


def _figure(scene: Scene, result, request: RenderOptions, fast: bool = True,
            still: bool = False) -> RaceFigure:
    style = request.style
    if still:  # one frame shows the loss at that very step, and no text changes
        style = replace(style, loss_refresh=1, every=1, text_plates=False)
    try:
        return RaceFigure(result, style, title=scene.title, fast=fast)
    except SurfaceDrawingError as exc:
        raise SceneError(scene.source_path or scene.name or "scene",
                         str(exc)) from None
    except LayoutError as exc:  # the check before the race estimates the text; rarely short
        raise RequestError(str(exc)) from None


def render(scene: Scene, output=None, *, progress: bool | None = None, sidecar: bool = False,
           max_size=None, notify=None, **options) -> Path:
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
    result = scene.race(request.steps, noise=request.noise, seed=request.seed,
                        explain=bool(request.explain))
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


def _film(scene: Scene, result, request: RenderOptions, target: Path, name: str,
          progress, limit: int | None = None):
    """Draw the frames of ``request.frame_steps()`` and encode them into ``target``."""
    figure = _figure(scene, result, request)
    try:
        comment = provenance_comment(scene)
        if target.suffix.lower() == ".gif":
            writer = GifWriter(request.fps, loop=request.loop, comment=comment,
                               palette_sample=_palette_sample(figure, request),
                               keep=figure.key_colors, transparent=request.transparent)
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


def _save(figure: RaceFigure, writer, target: Path, name: str, request: RenderOptions,
          progress, limit: int | None = None):
    """Encode the frames; with ``limit``, stop with TooLarge as soon as the file being
    written is larger than ``limit`` bytes, projecting the whole file's size."""
    from matplotlib.animation import FuncAnimation

    from .fonts import quiet_missing_glyphs

    steps = [int(step) for step in request.frame_steps()]
    animation = FuncAnimation(figure.figure, lambda frame: figure.update(*frame),
                              frames=[(step, index) for index, step in enumerate(steps)],
                              init_func=lambda: [], interval=1000 / request.fps, blit=False,
                              repeat=False, cache_frame_data=False)
    # The hold of a GIF is merged into one frame and costs nothing.
    costly = request.race_frames if target.suffix.lower() == ".gif" else len(steps)

    def on_frame(done, total):
        bar.update(1)
        if limit is not None and done % 10 == 9 and done + 1 < costly:
            written = target.stat().st_size
            if written > limit:
                raise TooLarge(written * costly / (done + 1))

    with (_progress(len(steps), progress, name) as bar, _without_matplotlib_notes(),
          quiet_missing_glyphs()):
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


def still(scene: Scene, output=None, *, frame: int | None = None, sidecar: bool = False,
          **options) -> Path:
    """Write one frame of ``scene`` (default: the last step) as a PNG.

    ``options``: size, dpi, quality, steps and loss_panel, as for :func:`render`.
    """
    path, request, frame = prepare(scene, output, still=True, frame=frame, **options)
    return _write_still(scene, path, request, frame, sidecar)


def _write_still(scene, path: Path, request: RenderOptions, frame: int, sidecar: bool):
    import imageio.v3 as iio

    result = scene.race(request.steps, noise=request.noise, seed=request.seed,
                        explain=bool(request.explain))
    figure = _figure(scene, result, request, fast=False, still=True)
    try:
        pixels = figure.draw_frame(frame)
        with _writing(path), replacing(path) as tmp:
            # Pillow writes it; the provenance goes into the PNG's text chunks.
            iio.imwrite(tmp, pixels if request.transparent else pixels[..., :3],
                        extension=".png", plugin="pillow",
                        pnginfo=png_metadata(scene))
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
    result = scene.race(request.steps, noise=request.noise, seed=request.seed,
                        explain=bool(request.explain))
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
        tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False)
                       + "\n", encoding="utf-8")


def page(scene: Scene, result=None, request: RenderOptions | None = None) -> str:
    """The interactive page of ``scene`` as HTML text (see :mod:`anim.page`), with the
    knobs of ``request.knobs`` (their races precomputed by :mod:`anim.knobs`)."""
    from .fonts import quiet_missing_glyphs
    from .page import page_html

    request = request or resolve_options(scene)
    if result is None:
        result = scene.race(request.steps, noise=request.noise, seed=request.seed,
                            explain=bool(request.explain))
    found = None
    shown = result
    if request.knobs:
        from .knobs import knob_races

        try:
            found = knob_races(scene, request.knobs, request.steps, request.explain,
                               noise=request.noise, seed=request.seed)
        except ValueError as exc:
            raise RequestError(str(exc)) from None
        shown = replace(result, optimizers=_widest_labels(result.optimizers, found))
    # Built exactly as a still is, so the page's heads land on the still's pixels.
    figure = _figure(scene, shown, request, fast=False, still=True)
    try:
        with quiet_missing_glyphs():
            return page_html(figure, fps=request.fps,
                             loss_refresh=request.style.loss_refresh,
                             title=scene.title or figure._default_title(),
                             comment=provenance_comment(scene),
                             optimizers=result.optimizers, knobs=found)
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
            longest = max([longest, *(run.label for row in entry.pad.runs for run in row
                                      if run is not None)], key=len)
        stand_in = copy.copy(optimizer)
        stand_in._label = longest
        labelled.append(stand_in)
    return tuple(labelled)


def _write_page(scene: Scene, path: Path, request: RenderOptions, sidecar: bool) -> Path:
    result = scene.race(request.steps, noise=request.noise, seed=request.seed,
                        explain=bool(request.explain))
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
