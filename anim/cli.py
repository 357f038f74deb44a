"""``python -m anim``: race, render, still, doctor. The only place errors become exit codes."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import traceback
import warnings
from pathlib import Path

from . import __version__
from .errors import AnimError, OptimizerError, RequestError, UsageError, one_line
from .failures import failure_message
from .words import LANGUAGES

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 128 + signal.SIGTERM


class _Parser(argparse.ArgumentParser):
    """argparse whose mistakes are reported like every other error: one ``anim: error:`` line."""

    def error(self, message):
        raise UsageError(f"{message} (see `{self.prog} --help`)")


class _Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so the same cleanup runs on the way out."""


def _add_scene_arguments(parser):
    parser.add_argument("file", nargs="+", metavar="FILE",
                        help="scene file (a Python file defining a Scene); several files or "
                             "a folder (its *.py) make every scene of every file")
    parser.add_argument("--scene", metavar="NAME", help="which scene, when the file has several")


def _add_one_scene_arguments(parser):
    parser.add_argument("file", metavar="FILE",
                        help="scene file (a Python file defining a Scene)")
    parser.add_argument("--scene", metavar="NAME", help="which scene, when the file has several")


def _add_noise_arguments(parser):
    parser.add_argument("--noise", type=float, metavar="SIGMA",
                        help="Gaussian noise of this standard deviation on every gradient "
                             "component, the same for every optimizer (default: the scene's)")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="seed of the noise (default: the scene's, 0)")


def _add_batch_arguments(parser, formats: str, default: str):
    parser.add_argument("--jobs", "-j", type=int, metavar="N",
                        help="with several files: render in N processes (default: the "
                             f"number of CPUs, {os.cpu_count()})")
    parser.add_argument("--format", metavar="LIST",
                        help=f"with several files or no -o: the format(s), from {formats}, "
                             f"comma-separated (default {default})")


def _add_progress_arguments(parser, quiet: str):
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="a progress bar on stderr (default: only when stderr is a "
                             "terminal, so a CI log or a pipe gets none)")
    parser.add_argument("--quiet", action="store_true", help=quiet)


def _progress(args):
    """True, False, or None (a bar only when stderr is a terminal)."""
    if args.quiet and args.progress:
        raise RequestError("--progress and --quiet contradict each other; give one")
    return False if args.quiet else args.progress


def _add_picture_arguments(parser):
    parser.add_argument("--size", metavar="WxH", help="frame size in pixels (default 800x600)")
    parser.add_argument("--dpi", type=float, help="resolution: scales text and lines "
                        "(default: 100 at 800x600, proportional to --size)")
    parser.add_argument("--loss-panel", action=argparse.BooleanOptionalAction, default=None,
                        help="a loss-vs-step panel beside the contour plot (default: the "
                             "scene's loss_panel)")
    parser.add_argument("--steps", type=int, help="override the scene's number of steps")
    parser.add_argument("--theme", choices=("light", "dark"),
                        help="colours for a light or a dark page (default: the scene's, light)")
    parser.add_argument("--transparent", action="store_true",
                        help="no background outside the plot (PNG, GIF; not MP4)")
    parser.add_argument("--colorbar", action=argparse.BooleanOptionalAction, default=None,
                        help="a colorbar with the values of f beside the plot")
    parser.add_argument("--explain", action="append", nargs="?", const=True, metavar="NAME",
                        help="draw why each racer moves: gradient, step and velocity arrows "
                             "and the step-scale box; alone for every racer, or a label or "
                             "optimizer name (repeatable)")
    parser.add_argument("--no-explain", dest="explain", action="store_const", const=[False],
                        help="no step glyphs, whatever the scene says")
    parser.add_argument("--lr-panel", action=argparse.BooleanOptionalAction, default=None,
                        help="a panel of each step's effective learning rate |Δx|/|g|")
    parser.add_argument("--view", choices=("2d", "3d", "both"),
                        help="2d: contours; 3d: the shaded surface in 3D; both: side by "
                             "side (default: the scene's, 2d)")
    parser.add_argument("--camera", metavar="ELEV,AZIM",
                        help="the 3D view's elevation and azimuth in degrees, e.g. 30,-60 "
                             "(default: chosen so no hill hides the race)")
    parser.add_argument("--font", metavar="NAME_OR_PATH",
                        help="the main font: an installed family name or a .ttf/.otf/.ttc "
                             "file (default: the scene's, else matplotlib's); characters it "
                             "lacks come from installed fonts that have them")
    parser.add_argument("--language", choices=tuple(LANGUAGES),
                        help="the language of the statuses, step counter and panel labels "
                             "(default: the scene's, en)")
    parser.add_argument("--orbit", type=float, metavar="DEGREES",
                        help="turn the 3D camera by this many degrees over the video (a "
                             "still, one frame, takes --camera instead)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="anim", description="Animate optimizers racing on "
                     "a 2-variable loss surface.")
    parser.add_argument("--version", action="version", version=f"anim {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks")
    common = _Parser(add_help=False)
    # SUPPRESS: a subcommand default would otherwise undo `anim --debug render ...`.
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show full tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, **kwargs):
        return commands.add_parser(name, parents=[common], **kwargs)

    race = add("race", help="run the race and print who arrived when")
    race.add_argument("file", nargs="+", metavar="FILE",
                      help="scene file(s) (Python files defining Scenes), or folders of them")
    race.add_argument("--scene", metavar="NAME", help="only this scene")
    race.add_argument("--json", action="store_true", help="print JSON instead of a table")
    race.add_argument("--trace", action="store_true",
                      help="with --json: every step's position, loss, gradient and "
                           "effective learning rate, per optimizer (for a swarm, a list "
                           "per start)")
    race.add_argument("--steps", type=int, help="override the scenes' number of steps")
    _add_noise_arguments(race)

    render = add("render", help="write the race as a GIF, an MP4 or an interactive HTML page")
    _add_scene_arguments(render)
    render.add_argument("-o", "--output", metavar="OUT",
                        help="output file; its suffix picks the format: .gif, .mp4, .png or "
                             ".html "
                             "(default: output/<file stem>.gif); with several files, the "
                             "folder for all of them (default output/)")
    render.add_argument("--fps", type=float, help="frames per second (default: the "
                        "scene's, 30); a frame is a step unless --every or --duration says")
    render.add_argument("--quality", choices=("low", "medium", "high"),
                        help="preset size and fps: low 480x360@15, medium 800x600@30, "
                             "high 1440x1080@30")
    render.add_argument("--hold", type=float, metavar="SECONDS",
                        help="hold the last frame this long (default 2)")
    render.add_argument("--loop", type=int, metavar="N",
                        help="GIF plays N times; 0 loops forever (default 0)")
    render.add_argument("--every", type=int, metavar="K",
                        help="one frame every K steps (trails still pass through every step)")
    render.add_argument("--duration", type=float, metavar="SECONDS",
                        help="choose K so that the race (without the hold) plays at most "
                             "this long")
    render.add_argument("--full", action="store_true",
                        help="film every step, not only until the race is decided")
    render.add_argument("--max-size", metavar="SIZE",
                        help="make the GIF/MP4 at most SIZE (e.g. 2MB, 500kB): fewer frames, "
                             "then a lower fps, then fewer pixels, until it fits")
    _add_noise_arguments(render)
    _add_picture_arguments(render)
    render.add_argument("--sidecar", action="store_true",
                        help="also write OUT.json: scene, options, versions, results")
    _add_progress_arguments(render, "no progress bar and no \"wrote\" line")
    render.add_argument("--tuned", action="store_true",
                        help="race each optimizer at its tuned learning rate (see `anim "
                             "tune`); the legend says (tuned)")
    _add_batch_arguments(render, "gif, mp4, html", "gif")

    still = add("still", help="write one frame as a PNG")
    _add_scene_arguments(still)
    still.add_argument("-o", "--output", metavar="OUT.png",
                       help="output PNG (default: output/<file stem>.png); with several "
                            "files, the folder for all of them (default output/)")
    still.add_argument("--frame", type=int, help="which step to show (default: the last)")
    _add_noise_arguments(still)
    _add_picture_arguments(still)
    still.add_argument("--sidecar", action="store_true",
                       help="also write OUT.json: scene, options, versions, results")
    _add_progress_arguments(still, "no progress bar")
    _add_batch_arguments(still, "png", "png")

    tune = add("tune", help="find each optimizer's learning rate that arrives soonest")
    _add_one_scene_arguments(tune)
    tune.add_argument("--json", action="store_true", help="print JSON instead of a table")
    tune.add_argument("--plot", metavar="OUT.png",
                      help="write the sensitivity chart: arrival step against lr")
    tune.add_argument("--steps", type=int, help="override the scene's step budget")

    basins = add("basins", help="map where each start point leads each optimizer")
    _add_one_scene_arguments(basins)
    basins.add_argument("-o", "--output", metavar="OUT.png",
                        help="output PNG (default: output/<file stem>_basins.png)")
    basins.add_argument("--resolution", type=int, default=200, metavar="N",
                        help="N x N start points per optimizer (default 200)")
    basins.add_argument("--steps", type=int, help="override the scene's step budget")

    add("doctor", help="check that rendering works on this machine")
    return parser


def _is_batch(args) -> bool:
    """Several files, a folder, or several formats: every scene of every file."""
    several_formats = "," in (getattr(args, "format", None) or "")
    return len(args.file) > 1 or Path(args.file[0]).is_dir() or several_formats


def _race_reports(args, file, noise, seed) -> list:
    from .loader import load_scenes, pick_scene
    from .palette import racer_styles
    from .summary import text_table

    scenes = load_scenes(file)
    if args.scene is not None:
        scenes = {args.scene: pick_scene(file, scenes, args.scene)}
    reports = []
    for name, scene in scenes.items():
        result = scene.race(args.steps, noise=noise, seed=seed)
        summary = result.summary()
        for index, (entry, (color, _)) in enumerate(zip(
                summary["optimizers"], racer_styles(scene.optimizers, scene.theme))):
            entry["color"] = color
            reported = getattr(scene.optimizers[index], "reported_loss", None)
            if reported is not None and scene.starts is None:
                # A projected training run: its true loss, as its scoreboard row shows.
                entry["final_loss"] = reported(result.steps)
            if args.trace:
                entry["trace"] = result.trace(index)
        reports.append({"scene": name, **summary} if args.json else text_table(name, summary))
    return reports


def cmd_race(args) -> int:
    from .batch import scene_files
    from .race import check_noise, check_seed
    from .settings import MAX_STEPS

    several = _is_batch(args)
    where = "" if several else f"{args.file[0]}: "
    if args.trace and not args.json:
        raise RequestError(f"{where}--trace goes with --json")
    if args.steps is not None and not 1 <= args.steps <= MAX_STEPS:
        raise RequestError(f"{where}Invalid steps: {args.steps} (must be an integer "
                           f"from 1 to {MAX_STEPS})")
    try:
        noise = None if args.noise is None else check_noise(args.noise)
        seed = None if args.seed is None else check_seed(args.seed)
    except ValueError as exc:
        raise RequestError(f"{where}{exc}") from None
    if not several:
        reports = _race_reports(args, args.file[0], noise, seed)
        if args.json:
            print(json.dumps(reports[0] if len(reports) == 1 else reports, ensure_ascii=False))
        else:
            print("\n\n".join(reports))
        return 0
    # Several files: every file's report, one after the other; a failing file is one
    # error line and exit status 1, the others still report.
    if args.scene is not None:
        raise RequestError("--scene picks a scene of one file; with several files every "
                           "scene of every file races")
    status, everything = 0, []
    for file, problem in scene_files(args.file, alone_is_error=True):
        try:
            if problem is not None:
                raise problem
            reports = _race_reports(args, file, noise, seed)
        except Exception as exc:  # one file's failure does not stop the others
            message, _ = failure_message(exc, file)
            _error(message)
            status = 1
            continue
        if args.json:
            everything += [{"file": file, **report} for report in reports]
        else:
            print(f"{file}\n" + "\n\n".join(reports) + "\n", flush=True)
    if args.json:
        print(json.dumps(everything, ensure_ascii=False))
    return status


def _fingerprint(path):
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def _remember_output(args, scene, output, still: bool):
    """Note the output file as it is now, to say after Ctrl-C whether it changed."""
    from .renderer import output_path

    args.output_path = output_path(scene, output, still=still)
    args.output_before = _fingerprint(args.output_path)


def _explain(args):
    """``--explain`` alone means every racer; with names, those racers."""
    if args.explain is None:
        return None
    if False in args.explain:
        return False
    return True if True in args.explain else args.explain


def _formats(args, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if args.format is None:
        return (f".{allowed[0]}",)
    formats = tuple(f.strip().lower().lstrip(".") for f in args.format.split(","))
    bad = [f for f in formats if f not in allowed]
    if bad or not formats:
        raise RequestError(f"Invalid format: {args.format!r} (choose from "
                           f"{', '.join(allowed)}, comma-separated)")
    return tuple(dict.fromkeys(f".{f}" for f in formats))


def _single_output(args, scene, allowed, still: bool = False):
    """-o, or the default output with --format's suffix."""
    from .renderer import output_path

    if args.format is None:
        return args.output
    formats = _formats(args, allowed)
    if args.output is not None:
        raise RequestError("--format picks the format of several files, or of the default "
                           "output; with one file give -o NAME.SUFFIX instead")
    path = output_path(scene, still=still).with_suffix(formats[0])
    with contextlib.suppress(OSError):  # the default folder; a failure is reported later
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _render_options(args) -> dict:
    return dict(fps=args.fps, size=args.size, dpi=args.dpi, quality=args.quality,
                steps=args.steps, hold=args.hold, loop=args.loop, loss_panel=args.loss_panel,
                every=args.every, duration=args.duration, full=args.full, noise=args.noise,
                seed=args.seed, sidecar=args.sidecar, max_size=args.max_size,
                orbit=args.orbit, **_picture_options(args))


def _still_options(args) -> dict:
    return dict(frame=args.frame, size=args.size, dpi=args.dpi, loss_panel=args.loss_panel,
                steps=args.steps, noise=args.noise, seed=args.seed, sidecar=args.sidecar,
                orbit=args.orbit, **_picture_options(args))


def _picture_options(args) -> dict:
    return dict(theme=args.theme, transparent=args.transparent, colorbar=args.colorbar,
                explain=_explain(args), lr_panel=args.lr_panel, view=args.view,
                camera=args.camera, font=args.font, language=args.language)


def _notice(text):
    print(f"anim: {text}", file=sys.stderr)


def cmd_render(args) -> int:
    from .loader import load_scene
    from .renderer import render

    if _is_batch(args):
        if args.tuned:
            raise RequestError("--tuned renders one scene file (tuning is per scene)")
        return _run_batch(args, "render", _formats(args, ("gif", "mp4", "html")))
    scene = load_scene(args.file[0], args.scene)
    if args.tuned:
        from .analysis_cli import tune_for
        from .tune import tuned_scene

        scene = tuned_scene(scene, tune_for(args, scene))
    output = _single_output(args, scene, ("gif", "mp4", "html"))
    _remember_output(args, scene, output, still=False)
    path = render(scene, output, progress=_progress(args), notify=_notice,
                  **_render_options(args))
    if not args.quiet:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_still(args) -> int:
    from .loader import load_scene
    from .renderer import still

    if _is_batch(args):
        return _run_batch(args, "still", _formats(args, ("png",)))
    scene = load_scene(args.file[0], args.scene)
    output = _single_output(args, scene, ("png",), still=True)
    _remember_output(args, scene, output, still=True)
    path = still(scene, output, **_still_options(args))
    print(f"wrote {path}", file=sys.stderr)
    return 0


def _run_batch(args, command: str, formats) -> int:
    from tqdm import tqdm

    from . import batch

    if args.scene is not None:
        raise RequestError("--scene picks a scene of one file; with several files every "
                           "scene of every file is rendered")
    jobs = (os.cpu_count() or 1) if args.jobs is None else args.jobs
    if jobs < 1:
        raise RequestError(f"Invalid jobs: {args.jobs} (must be an integer >= 1)")
    options = _render_options(args) if command == "render" else _still_options(args)
    batch.check_options(options)
    folder = batch.output_folder(args.output)
    files, problems = batch.runnable(args.file)
    for problem in problems:
        _error(str(problem))
    if not files:
        return 1
    # Kept on args, so that after Ctrl-C main() can say what was finished.
    args.batch_outcome = outcome = batch.Outcome()
    batch.run(batch.Job(command, str(folder), formats, options), files, jobs,
              progress=_progress(args), outcome=outcome,
              report=lambda line: tqdm.write(line, file=sys.stderr))
    return 1 if problems or outcome.failed else 0


def cmd_doctor(args) -> int:
    from .doctor import run_checks

    return run_checks(sys.stdout)


def cmd_tune(args) -> int:
    from .analysis_cli import tune_command

    return tune_command(args)


def cmd_basins(args) -> int:
    from .analysis_cli import basins_command

    return basins_command(args)


COMMANDS = {"race": cmd_race, "render": cmd_render, "still": cmd_still, "doctor": cmd_doctor,
            "tune": cmd_tune, "basins": cmd_basins}


def _error(message: str):
    print(f"anim: error: {one_line(message)}", file=sys.stderr)


@contextlib.contextmanager
def _one_line_warnings(scene_file, enabled: bool = True):
    """Warnings as ``anim: warning:`` lines, pointing into the scene file when they come from it."""
    if not enabled:
        yield
        return
    scene_path = Path(scene_file).resolve() if scene_file else None

    def show(message, category, filename, lineno, file=None, line=None):
        where = ""
        if scene_path is not None and Path(filename) == scene_path:
            where = f"{scene_file}: line {lineno}: "
        print(f"anim: warning: {where}{one_line(message)}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


@contextlib.contextmanager
def _terminate_cleanly(received: list):
    """Turn SIGTERM into an exception, so partial files are removed as on Ctrl-C.

    Each signal's exception is also appended to ``received``: raised inside a weakref
    callback or ``__del__`` (matplotlib's transforms have such callbacks), Python prints
    and drops it, and the command would go on, or fail later for another reason."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigterm(signum, frame):
        received.append(_Terminated())
        raise received[-1]

    def on_sigint(signum, frame):
        received.append(KeyboardInterrupt())
        raise received[-1]

    def unraisable(info):
        # Already in `received`: the report is the one line main() prints.
        if not isinstance(info.exc_value, (_Terminated, KeyboardInterrupt)):
            previous_hook(info)

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    # Only where Ctrl-C would raise KeyboardInterrupt anyway (not when it is ignored).
    previous_int = signal.getsignal(signal.SIGINT)
    if previous_int is signal.default_int_handler:
        signal.signal(signal.SIGINT, on_sigint)
    previous_hook, sys.unraisablehook = sys.unraisablehook, unraisable
    try:
        yield
    finally:
        sys.unraisablehook = previous_hook
        signal.signal(signal.SIGTERM, previous)
        if previous_int is signal.default_int_handler:
            signal.signal(signal.SIGINT, previous_int)


def _unexpected(exc: Exception, scene_file, output=None, debug: bool = False) -> int:
    """Report an exception anim did not anticipate; blame the scene when it was its code."""
    message, code = failure_message(exc, scene_file, output, debug)
    _error(message)
    return code


def _print_traceback(exc: BaseException):
    # Errors re-raised `from None` hide the scene's own exception, which --debug is for.
    exc.__suppress_context__ = False
    traceback.print_exception(exc, file=sys.stderr)


def _interruption(exc: BaseException):
    """The Ctrl-C or SIGTERM behind ``exc``, if it was raised while one was unwinding (a
    library's cleanup that fails half-way, e.g. on a half-drawn figure), else None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (KeyboardInterrupt, _Terminated)):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _interrupted(exc: BaseException, args) -> int:
    """Report Ctrl-C or SIGTERM: one line saying what became of the output file."""
    if args.debug:
        _print_traceback(exc)
    what = "interrupted" if isinstance(exc, KeyboardInterrupt) else "terminated"
    output = getattr(args, "output_path", None)
    outcome = getattr(args, "batch_outcome", None)
    if outcome is not None:
        done = sum(len(written) for written in outcome.written.values())
        kept = (f"{done} file(s) had been written; the others were not started or "
                "were stopped, and no partial file is left")
    elif output is None:
        kept = "no output file was changed"
    elif args.output_before is None and _fingerprint(output) is None:
        kept = f"{output} was not written"
    elif _fingerprint(output) == args.output_before:
        kept = f"{output} was not changed"
    else:  # the signal came after the finished file was moved into place
        kept = f"{output} had already been written"
    _error(f"{what}; {kept}")
    return EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else EXIT_TERMINATED


def _parse(argv: list[str]):
    """The command line's arguments; a mistake is a UsageError that points at the help of
    the command it was made in."""
    try:
        args, unknown = build_parser().parse_known_args(argv)
    except UsageError as exc:
        raise UsageError(_negative_value_hint(str(exc), argv)) from None
    if unknown:
        raise UsageError(f"unrecognized arguments: {' '.join(unknown)} "
                         f"(see `anim {args.command} --help`)")
    return args


def _negative_value_hint(message: str, argv: list[str]) -> str:
    """argparse reads ``--camera -10,30`` as two options: say to join them with '='."""
    for option, value in zip(argv, argv[1:]):
        if (option.startswith("--") and f"argument {option}" in message
                and "expected one argument" in message and value.startswith("-")):
            return (f"argument {option}: a value that starts with '-': write "
                    f"{option}={value} (see `anim {argv[0]} --help`)")
    return message


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = _parse(argv)
    except UsageError as exc:
        _error(str(exc))
        return exc.exit_code
    except SystemExit as exc:  # --help and --version print and stop; not an error
        return exc.code if isinstance(exc.code, int) else 0
    files = getattr(args, "file", None) or []
    files = [files] if isinstance(files, str) else files  # tune and basins take one file
    # One scene file: warnings and failures point into it.
    scene_file = files[0] if len(files) == 1 else None
    received: list[BaseException] = []
    try:
        with _terminate_cleanly(received), _one_line_warnings(scene_file,
                                                             enabled=not args.debug):
            code = COMMANDS[args.command](args)
        if received:  # the signal's exception was dropped on the way: still a stop
            return _interrupted(received[0], args)
        return code
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error to report.
        sys.stdout = open(os.devnull, "w")
        return 1
    except (KeyboardInterrupt, _Terminated) as exc:
        return _interrupted(exc, args)
    except AnimError as exc:
        if received or _interruption(exc) is not None:
            return _interrupted(received[0] if received else _interruption(exc), args)
        if args.debug:
            _print_traceback(exc)
        # An optimizer fails during the race, after loading: name the scene it is in.
        _error(f"{scene_file}: {exc}" if isinstance(exc, OptimizerError) and scene_file
               else str(exc))
        return exc.exit_code
    except Exception as exc:  # the last line of defence: one line, not a traceback
        if received or _interruption(exc) is not None:
            return _interrupted(received[0] if received else _interruption(exc), args)
        if args.debug:
            _print_traceback(exc)
        return _unexpected(exc, scene_file, getattr(args, "output_path", None), args.debug)
