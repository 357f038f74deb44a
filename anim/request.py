"""A render request, checked completely before any work: the options merged from the
quality preset, the scene and the caller; the output's path, format and folder; and the
one table of refusals (:mod:`anim.combinations`). :func:`prepare` is what every writer
asks first; nothing here races or draws."""

from __future__ import annotations

import math
import tempfile
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .combinations import Combination, refusal
from .errors import FontWarning, RenderError, RequestError
from .figure import (
    THEMES,
    FrameStyle,
    LayoutError,
    check_layout,
    default_dpi,
    figure_texts,
    plot_aspect,
)
from .figure.fidelity import refusal as projected_runs_refusal
from .fitting import byte_limit
from .knobs import check_knobs
from .length import every_for_duration, race_steps
from .race import check_noise, check_seed
from .settings import MAX_FPS, MAX_STEPS, check_view, explained_racers, parse_camera
from .words import check_language
from .writers import ffmpeg_problem

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
        return self.with_end(self.steps if self.full else min(self.steps, result.decided_step()))

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
        return FrameStyle(
            self.width,
            self.height,
            self.dpi,
            self.loss_panel,
            self.theme,
            self.transparent,
            self.colorbar,
            self.colormap,
            loss_refresh=max(1, round(self.fps / LOSS_REFRESH_HZ)),
            every=self.every or 1,
            text_plates=self.transparent,
            explain=self.explain,
            lr_panel=self.lr_panel,
            view=self.view,
            camera=self.camera,
            orbit=self.orbit,
            frames=self.total_frames,
            font=self.font,
            language=self.language,
        )


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
            raise RequestError(
                f"Invalid size: {text!r} (expected WIDTHxHEIGHT, e.g. 800x600)"
            ) from None
    else:
        try:
            width, height = text
        except (TypeError, ValueError):
            raise RequestError(f"Invalid size: {text!r} (expected (width, height))") from None
    limits = f"from {MIN_SIZE[0]}x{MIN_SIZE[1]} to {MAX_SIZE[0]}x{MAX_SIZE[1]}"
    for side, low, high in zip((width, height), MIN_SIZE, MAX_SIZE):
        if (
            isinstance(side, bool)
            or not isinstance(side, (int, np.integer))
            or not (low <= side <= high)
        ):
            raise RequestError(f"Invalid size: {width}x{height} (must be whole pixels {limits})")
    if not MIN_RATIO <= width / height <= MAX_RATIO:
        raise RequestError(
            f"Invalid size: {width}x{height} (width / height must be from "
            f"1:2 to 3:1, this is {width / height:.2g}:1)"
        )
    return int(width), int(height)


def resolve_options(
    scene: Scene,
    *,
    fps=None,
    size=None,
    dpi=None,
    quality=None,
    steps=None,
    hold=None,
    loop=None,
    loss_panel=None,
    theme=None,
    transparent=None,
    colorbar=None,
    explain=None,
    lr_panel=None,
    every=None,
    duration=None,
    full=False,
    noise=None,
    seed=None,
    view=None,
    camera=None,
    orbit=None,
    knobs=None,
    font=None,
    language=None,
) -> RenderOptions:
    """Merge quality preset, scene fields and explicit options; raise RequestError."""
    if quality is not None and quality not in QUALITY:
        raise RequestError(f"Invalid quality: {quality!r} (choose from {', '.join(QUALITY)})")
    preset = QUALITY[quality] if quality else None
    width, height = (
        parse_size(size) if size is not None else (preset[:2] if preset else QUALITY["medium"][:2])
    )
    fps = _number(
        fps if fps is not None else (preset[2] if preset else scene.fps), "fps", 1, MAX_FPS
    )
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
        explained = (
            scene.explain if explain is None else explained_racers(explain, scene.optimizers)
        )
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
        if (
            isinstance(duration, bool)
            or not isinstance(duration, (int, float))
            or not (math.isfinite(duration) and duration > 0)
        ):
            raise RequestError(f"Invalid duration: {duration!r} (must be a number of seconds > 0)")
        duration = float(duration)
        try:
            every_for_duration(1, fps, duration)
        except ValueError as exc:
            raise RequestError(str(exc)) from None
        if every is not None:
            raise RequestError(
                "--every and --duration both set the steps per frame; give one of them"
            )
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
    return RenderOptions(
        width,
        height,
        dpi,
        fps,
        steps,
        hold,
        loop,
        loss_panel,
        theme,
        bool(transparent),
        colorbar,
        scene.colormap,
        explained,
        lr_panel,
        every,
        duration,
        bool(full),
        noise,
        seed,
        view=view,
        camera=camera,
        orbit=orbit,
        knobs=knobs,
        font=scene.font if font is None else font,
        language=language,
    )


#: Every option ``render``, ``still`` and ``frames`` accept besides their own arguments.
OPTIONS = (
    "fps",
    "size",
    "dpi",
    "quality",
    "steps",
    "hold",
    "loop",
    "loss_panel",
    "theme",
    "transparent",
    "colorbar",
    "explain",
    "lr_panel",
    "every",
    "duration",
    "full",
    "noise",
    "seed",
    "view",
    "camera",
    "orbit",
    "knobs",
    "font",
    "language",
)


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
            raise RequestError(
                f"cannot create the folder {str(folder)!r}: {exc.strerror or exc}"
            ) from None
    if not folder.is_dir():
        raise RequestError(f"the folder {str(folder)!r} does not exist")
    # Really create a file: os.access says yes to root on read-only mounts.
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.stem}.", suffix=".probe"):
            pass
    except OSError as exc:
        raise RequestError(
            f"cannot write in the folder {str(folder)!r}: {exc.strerror or exc}"
        ) from None


def prepare(
    scene: Scene, output=None, *, still: bool = False, frame=None, max_size=None, **options
) -> tuple[Path, RenderOptions, int | None]:
    """Check a request completely before any rendering; return (path, options, frame).

    Raises :class:`RequestError` naming the output for a bad format, option, layout or
    folder, and :class:`RenderError` when MP4 is asked for but ffmpeg cannot make it.
    Creates the default ``output/`` folder when it is the one used.
    """
    check_option_names(
        options, ("frame", "sidecar") if still else ("progress", "sidecar", "max_size", "notify")
    )
    path = output_path(scene, output, still=still)
    suffix = path.suffix.lower()
    allowed = (".png",) if still else FORMATS
    try:
        if path.is_dir():
            raise RequestError("is a folder; give a file name such as race.gif")
        if suffix not in allowed:
            raise RequestError(
                f"unknown output format {path.suffix or '(no suffix)'!r} (use {', '.join(allowed)})"
            )
        request = resolve_options(scene, **options)
        if options.get("loop") is not None and suffix != ".gif":
            raise RequestError(
                "--loop applies to GIF output only (video players loop with their own setting)"
            )
        if suffix == ".png":
            # One frame: fps and hold have no effect (but a typo is still reported).
            request = replace(request, hold=0.0)
            frame = (
                request.steps if frame is None else _number(frame, "frame", 0, request.steps, True)
            )
        if max_size is not None:
            if suffix not in (".gif", ".mp4"):
                raise RequestError("--max-size applies to GIF and MP4 output only")
            byte_limit(max_size)
        if suffix == ".mp4" and (request.width % 2 or request.height % 2):
            raise RequestError(
                f"MP4 needs an even width and height, got {request.width}x{request.height}"
            )
        refused = refusal(
            Combination(
                suffix=suffix,
                starts=None if scene.starts is None else len(scene.starts),
                view=request.view,
                explain=bool(request.explain),
                lr_panel=request.lr_panel,
                transparent=request.transparent,
                orbit=bool(request.orbit),
                still=still,
                knobs=bool(request.knobs),
                knobs_asked=bool(options.get("knobs")),
            )
        )
        if refused:
            raise RequestError(refused)
        problem = projected_runs_refusal(
            scene.optimizers,
            loss_panel=request.loss_panel,
            lr_panel=request.lr_panel,
            explain=request.explain,
        )
        if problem:
            raise RequestError(problem)
        try:
            check_layout(
                request.style,
                scene.optimizers,
                request.steps,
                any_goal=scene.goal == "any",
                aspect=plot_aspect(scene.surface.bounds) if scene.surface.bounds else 1.0,
                starts=None if scene.starts is None else len(scene.starts),
            )
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
            raise RenderError(
                f"{path}: MP4 needs ffmpeg with libx264: {problem} "
                "(`python -m anim doctor` checks the setup)"
            )
    return path, request, frame


def warn_missing_glyphs(scene: Scene, request: RenderOptions):
    """One :class:`FontWarning` line, before anything is drawn, naming the characters of
    the picture's texts that no installed font has and how to get one (matplotlib's own
    warnings, one per glyph and draw, are silenced while anim draws)."""
    from .fonts import missing_message, typeface

    texts = figure_texts(
        [optimizer.label for optimizer in scene.optimizers],
        scene.title,
        scene.surface,
        request.language,
    )
    missing = typeface(texts, request.font).missing
    if missing:
        warnings.warn(FontWarning(missing_message(missing)), stacklevel=3)
