"""Film a scene: race it, build its figure, animate it and write GIF, MP4 or PNG."""

from __future__ import annotations

import base64
import contextlib
import html
import json
import math
import sys
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from .errors import RenderError, RequestError, SceneError
from .figure import (
    THEMES,
    FrameStyle,
    LayoutError,
    RaceFigure,
    SurfaceDrawingError,
    check_layout,
    default_dpi,
    plot_aspect,
)
from .provenance import describe, png_metadata, provenance_comment
from .scene import MAX_FPS, MAX_STEPS, Scene, check_view, parse_camera
from .writers import GifWriter, Mp4Writer, ffmpeg_problem, replacing

FORMATS = (".gif", ".mp4", ".png")
#: Presets in the spirit of manim's -ql / -qm / -qh: (width, height, fps).
QUALITY = {"low": (480, 360, 15), "medium": (800, 600, 30), "high": (1440, 1080, 30)}
#: Frame sizes that give a readable picture: each side, and the width / height ratio.
MIN_SIZE, MAX_SIZE = (320, 240), (3840, 2160)
MIN_RATIO, MAX_RATIO = 0.5, 3.0
MIN_DPI, MAX_DPI = 10, 1200
MAX_HOLD = 600.0
DEFAULT_HOLD = 2.0
#: How often per second the scoreboard's loss column changes in an animation.
LOSS_REFRESH_HZ = 5
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
    view: str = "2d"
    camera: tuple[float, float] | None = None
    orbit: float = 0.0

    @property
    def hold_frames(self) -> int:
        return round(self.hold * self.fps)

    @property
    def total_frames(self) -> int:
        return self.steps + 1 + self.hold_frames

    @property
    def style(self) -> FrameStyle:
        return FrameStyle(self.width, self.height, self.dpi, self.loss_panel, self.theme,
                          self.transparent, self.colorbar, self.colormap,
                          loss_refresh=max(1, round(self.fps / LOSS_REFRESH_HZ)),
                          text_plates=self.transparent, view=self.view,
                          camera=self.camera, orbit=self.orbit, frames=self.total_frames)


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
                    transparent=None, colorbar=None, view=None, camera=None,
                    orbit=None) -> RenderOptions:
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
        view = scene.view if view is None else check_view(view)
        asked = parse_camera(camera)
    except ValueError as exc:
        raise RequestError(str(exc)) from None
    orbit = 0.0 if orbit is None else _number(orbit, "orbit", -MAX_ORBIT, MAX_ORBIT)
    if view == "2d" and (asked is not None or orbit):
        what = "--camera" if asked is not None else "--orbit"
        raise RequestError(f"{what} turns the 3D view: add --view 3d or --view both")
    camera = scene.camera if asked is None else asked
    return RenderOptions(width, height, dpi, fps, steps, hold, loop, loss_panel, theme,
                         bool(transparent), colorbar, scene.colormap, view, camera, orbit)


#: Every option ``render``, ``still`` and ``frames`` accept besides their own arguments.
OPTIONS = ("fps", "size", "dpi", "quality", "steps", "hold", "loop", "loss_panel", "theme",
           "transparent", "colorbar", "view", "camera", "orbit")


def check_option_names(options: dict):
    """A RequestError naming an unknown option and the accepted ones."""
    for name in options:
        if name not in OPTIONS:
            raise RequestError(f"unknown option {name!r} (accepted: {', '.join(OPTIONS)})")


def output_path(scene: Scene, output=None, *, still: bool = False) -> Path:
    """``output`` as a Path, or the default ``output/<scene file stem>.gif`` (``.png``)."""
    if output is not None:
        return Path(output)
    stem = scene.output_stem or scene.name or "scene"
    return Path("output") / f"{stem}{'.png' if still else '.gif'}"


def _check_folder(path: Path, default: bool):
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


def prepare(scene: Scene, output=None, *, still: bool = False, frame=None,
            **options) -> tuple[Path, RenderOptions, int | None]:
    """Check a request completely before any rendering; return (path, options, frame).

    Raises :class:`RequestError` naming the output for a bad format, option, layout or
    folder, and :class:`RenderError` when MP4 is asked for but ffmpeg cannot make it.
    Creates the default ``output/`` folder when it is the one used.
    """
    check_option_names(options)
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
        if suffix == ".mp4" and (request.width % 2 or request.height % 2):
            raise RequestError(f"MP4 needs an even width and height, got "
                               f"{request.width}x{request.height}")
        if suffix == ".mp4" and request.transparent:
            raise RequestError("an MP4 cannot be transparent (use .gif or .png)")
        try:
            check_layout(request.style, scene.optimizers, request.steps,
                         any_goal=scene.goal == "any",
                         aspect=plot_aspect(scene.surface.bounds) if scene.surface.bounds
                         else 1.0)
        except LayoutError as exc:
            raise RequestError(str(exc)) from None
        _check_folder(path, default=output is None)
    except RequestError as exc:
        raise RequestError(f"{path}: {exc}") from None
    if suffix == ".mp4":
        problem = ffmpeg_problem()
        if problem:
            # Never fall back to another format or encoder: H.264 MP4 was asked for.
            raise RenderError(f"{path}: MP4 needs ffmpeg with libx264: {problem} "
                              "(`python -m anim doctor` checks the setup)")
    return path, request, frame


def _progress(total, enabled, description):
    from tqdm import tqdm

    return tqdm(total=total, disable=not enabled, unit="frame", desc=description,
                file=sys.stderr, leave=True, dynamic_ncols=True)


def _figure(scene: Scene, result, request: RenderOptions, fast: bool = True,
            still: bool = False) -> RaceFigure:
    style = request.style
    if still:  # one frame shows the loss at that very step, and no text changes
        style = replace(style, loss_refresh=1, text_plates=False)
    try:
        return RaceFigure(result, style, title=scene.title, fast=fast)
    except SurfaceDrawingError as exc:
        raise SceneError(scene.source_path or scene.name or "scene",
                         str(exc)) from None
    except LayoutError as exc:  # the check before the race estimates the text; rarely short
        raise RequestError(str(exc)) from None


def render(scene: Scene, output=None, *, progress: bool = True, sidecar: bool = False,
           **options) -> Path:
    """Film ``scene`` into ``output`` (.gif, .mp4 or .png) and return the path written.

    ``options``: fps, size ("800x600" or (w, h)), dpi, quality ("low"/"medium"/"high"),
    steps, hold (seconds the last frame is held), loop (GIF plays, 0 = forever) and
    loss_panel. Every option is checked before rendering starts; an existing file is
    replaced only once the new one is complete.
    """
    path, request, frame = prepare(scene, output, **options)
    if path.suffix.lower() == ".png":
        return _write_still(scene, path, request, frame, sidecar)
    result = scene.race(request.steps)
    figure = _figure(scene, result, request)
    try:
        comment = provenance_comment(scene)
        if path.suffix.lower() == ".gif":
            writer = GifWriter(request.fps, loop=request.loop, comment=comment,
                               palette_sample=_palette_sample(figure, request),
                               keep=figure.key_colors, transparent=request.transparent)
        else:
            writer = Mp4Writer(request.fps, comment=comment)
        _save(figure, writer, path, request, progress)
    finally:
        figure.close()
    if sidecar:
        _write_sidecar(path, scene, request, result)
    return path


def _palette_sample(figure: RaceFigure, request: RenderOptions) -> np.ndarray:
    """First and last frames stacked: between them they show every colour of the GIF."""
    last = figure.draw_frame(request.total_frames - 1).copy()
    first = figure.draw_frame(0)
    return np.concatenate([first, last])


def _save(figure: RaceFigure, writer, output: Path, request: RenderOptions, progress: bool):
    from matplotlib.animation import FuncAnimation

    animation = FuncAnimation(figure.figure, figure.update, frames=range(request.total_frames),
                              init_func=lambda: [], interval=1000 / request.fps, blit=False,
                              repeat=False, cache_frame_data=False)
    with (_progress(request.total_frames, progress, output.name) as bar,
          _writing(output), replacing(output) as tmp):
        animation.save(tmp, writer=writer, dpi=request.dpi,
                       progress_callback=lambda done, total: bar.update(1))


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

    result = scene.race(request.steps)
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
    figure = _figure(scene, scene.race(request.steps), request, fast=fast)
    try:
        for index in range(request.total_frames):
            yield figure.draw_frame(index)[..., :3].copy()
    finally:
        figure.close()


def _write_sidecar(output: Path, scene: Scene, request: RenderOptions, result, **extra):
    record = describe(scene, result)
    record["output"] = output.name
    options = asdict(request)
    if output.suffix.lower() != ".gif":
        options.pop("loop")
    if output.suffix.lower() == ".png":
        for moving in ("fps", "hold"):
            options.pop(moving)
    record["options"] = {**options, **extra}
    sidecar = output.with_name(output.name + ".json")
    with _writing(sidecar), replacing(sidecar) as tmp:
        tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False)
                       + "\n", encoding="utf-8")


def to_html(scene: Scene, **options) -> str:
    """The animation as an inline GIF ``<img>``, for notebooks."""
    with tempfile.TemporaryDirectory() as folder:
        path = render(scene, Path(folder) / "scene.gif", progress=False, **options)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:image/gif;base64,{data}" alt="{html.escape(repr(scene))}"/>'
