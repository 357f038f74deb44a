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
from .errors import AnimError, RequestError, SceneError, UsageError, one_line

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 128 + signal.SIGTERM


class _Parser(argparse.ArgumentParser):
    """argparse whose mistakes are reported like every other error: one ``anim: error:`` line."""

    def error(self, message):
        raise UsageError(f"{message} (see `{self.prog} --help`)")


class _Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so the same cleanup runs on the way out."""


def _add_scene_arguments(parser):
    parser.add_argument("file", help="scene file (a Python file defining a Scene)")
    parser.add_argument("--scene", metavar="NAME", help="which scene, when the file has several")


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
    parser.add_argument("--view", choices=("2d", "3d", "both"),
                        help="2d: contours; 3d: the shaded surface in 3D; both: side by "
                             "side (default: the scene's, 2d)")
    parser.add_argument("--camera", metavar="ELEV,AZIM",
                        help="the 3D view's elevation and azimuth in degrees, e.g. 30,-60 "
                             "(default: chosen so no hill hides the race)")


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
    race.add_argument("file", help="scene file (a Python file defining a Scene)")
    race.add_argument("--scene", metavar="NAME", help="only this scene")
    race.add_argument("--json", action="store_true", help="print JSON instead of a table")
    race.add_argument("--steps", type=int, help="override the scenes' number of steps")

    render = add("render", help="write the race as a GIF or MP4")
    _add_scene_arguments(render)
    render.add_argument("-o", "--output", metavar="OUT",
                        help="output file; its suffix picks the format: .gif, .mp4 or .png "
                             "(default: output/<file stem>.gif)")
    render.add_argument("--fps", type=float, help="frames (= steps) per second (default: "
                        "the scene's, 30)")
    render.add_argument("--quality", choices=("low", "medium", "high"),
                        help="preset size and fps: low 480x360@15, medium 800x600@30, "
                             "high 1440x1080@30")
    render.add_argument("--hold", type=float, metavar="SECONDS",
                        help="hold the last frame this long (default 2)")
    render.add_argument("--loop", type=int, metavar="N",
                        help="GIF plays N times; 0 loops forever (default 0)")
    _add_picture_arguments(render)
    render.add_argument("--orbit", type=float, metavar="DEGREES",
                        help="turn the 3D camera by this many degrees over the video")
    render.add_argument("--sidecar", action="store_true",
                        help="also write OUT.json: scene, options, versions, results")
    render.add_argument("--quiet", action="store_true", help="no progress bar")

    still = add("still", help="write one frame as a PNG")
    _add_scene_arguments(still)
    still.add_argument("-o", "--output", metavar="OUT.png",
                       help="output PNG (default: output/<file stem>.png)")
    still.add_argument("--frame", type=int, help="which step to show (default: the last)")
    _add_picture_arguments(still)
    still.add_argument("--sidecar", action="store_true",
                       help="also write OUT.json: scene, options, versions, results")

    add("doctor", help="check that rendering works on this machine")
    return parser


def _format_loss(value) -> str:
    return "—" if value is None else f"{value:.3g}"


def _race_table(name, summary) -> str:
    head = f"{name}: {summary['steps']} steps from {tuple(summary['start'])}"
    if len(summary["goals"]) > 1:
        head += f", goal: any of {len(summary['goals'])} minima " \
                f"(radius {summary['goal_radius']:.3g})"
    elif summary["goal"] is not None:
        head += f", goal {tuple(round(v, 6) for v in summary['goal'])} " \
                f"(radius {summary['goal_radius']:.3g})"
    any_goal = len(summary["goals"]) > 1
    rows = [("optimizer", "label", "arrival", *(("at",) if any_goal else ()), "diverged",
             "final loss")]
    for entry in summary["optimizers"]:
        reached = entry["arrived_at"]
        at = ("—" if reached is None else "({:.4g}, {:.4g})".format(*reached),)
        rows.append((entry["name"], entry["label"],
                     "—" if entry["arrival_step"] is None else str(entry["arrival_step"]),
                     *(at if any_goal else ()),
                     "—" if entry["diverged_step"] is None else str(entry["diverged_step"]),
                     _format_loss(entry["final_loss"])))
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = [head] + ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                      for row in rows]
    lines.insert(2, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def cmd_race(args) -> int:
    from .loader import load_scenes, pick_scene
    from .palette import racer_styles
    from .scene import MAX_STEPS

    if args.steps is not None and not 1 <= args.steps <= MAX_STEPS:
        raise RequestError(f"{args.file}: Invalid steps: {args.steps} (must be an integer "
                           f"from 1 to {MAX_STEPS})")
    scenes = load_scenes(args.file)
    if args.scene is not None:
        scenes = {args.scene: pick_scene(args.file, scenes, args.scene)}
    reports = []
    for name, scene in scenes.items():
        summary = scene.race(args.steps).summary()
        for entry, (color, _) in zip(summary["optimizers"],
                                     racer_styles(scene.optimizers, scene.theme)):
            entry["color"] = color
        if args.json:
            reports.append({"scene": name, **summary})
        else:
            reports.append(_race_table(name, summary))
    if args.json:
        print(json.dumps(reports[0] if len(reports) == 1 else reports, ensure_ascii=False))
    else:
        print("\n\n".join(reports))
    return 0


def _fingerprint(path):
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def _remember_output(args, scene, still: bool):
    """Note the output file as it is now, to say after Ctrl-C whether it changed."""
    from .renderer import output_path

    args.output_path = output_path(scene, args.output, still=still)
    args.output_before = _fingerprint(args.output_path)


def cmd_render(args) -> int:
    from .loader import load_scene
    from .renderer import render

    scene = load_scene(args.file, args.scene)
    _remember_output(args, scene, still=False)
    path = render(scene, args.output, fps=args.fps, size=args.size, dpi=args.dpi,
                  quality=args.quality, steps=args.steps, hold=args.hold, loop=args.loop,
                  loss_panel=args.loss_panel, theme=args.theme, transparent=args.transparent,
                  colorbar=args.colorbar, view=args.view, camera=args.camera,
                  orbit=args.orbit, progress=not args.quiet, sidecar=args.sidecar)
    if not args.quiet:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_still(args) -> int:
    from .loader import load_scene
    from .renderer import still

    scene = load_scene(args.file, args.scene)
    _remember_output(args, scene, still=True)
    path = still(scene, args.output, frame=args.frame, size=args.size, dpi=args.dpi,
                 loss_panel=args.loss_panel, steps=args.steps, theme=args.theme,
                 transparent=args.transparent, colorbar=args.colorbar, view=args.view,
                 camera=args.camera, sidecar=args.sidecar)
    print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_doctor(args) -> int:
    from .doctor import run_checks

    return run_checks(sys.stdout)


COMMANDS = {"race": cmd_race, "render": cmd_render, "still": cmd_still, "doctor": cmd_doctor}


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
def _terminate_cleanly():
    """Turn SIGTERM into an exception, so partial files are removed as on Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigterm(signum, frame):
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


#: Import names of what ``pip install anim`` brings: missing, it is the installation's fault.
DEPENDENCIES = frozenset({"numpy", "matplotlib", "PIL", "imageio", "imageio_ffmpeg", "tqdm"})


def _unexpected(exc: Exception, scene_file, output=None, debug: bool = False) -> int:
    """Report an exception anim did not anticipate; blame the scene when it was its code."""
    from .loader import scene_line

    if isinstance(exc, ModuleNotFoundError) and exc.name in DEPENDENCIES:
        _error(f"{exc.name} is not installed for {sys.executable}: install anim with its "
               "dependencies (pip install -e . in its folder), or run the Python it is "
               "installed in (e.g. .venv/bin/python -m anim ...)")
        return 1
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    line = scene_line(scene_file, exc) if scene_file else None
    if line is not None:
        error = SceneError(scene_file, f"the scene's code failed (line {line}): {detail}")
        _error(str(error))
        return error.exit_code
    where = f"{output or scene_file}: " if output or scene_file else ""
    hint = "" if debug else " (run with --debug for the traceback)"
    _error(f"{where}unexpected {detail}{hint}")
    return 1


def _print_traceback(exc: BaseException):
    # Errors re-raised `from None` hide the scene's own exception, which --debug is for.
    exc.__suppress_context__ = False
    traceback.print_exception(exc, file=sys.stderr)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        _error(str(exc))
        return exc.exit_code
    except SystemExit as exc:  # --help and --version print and stop; not an error
        return exc.code if isinstance(exc.code, int) else 0
    scene_file = getattr(args, "file", None)
    try:
        with _terminate_cleanly(), _one_line_warnings(scene_file, enabled=not args.debug):
            return COMMANDS[args.command](args)
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error to report.
        sys.stdout = open(os.devnull, "w")
        return 1
    except (KeyboardInterrupt, _Terminated) as exc:
        if args.debug:
            _print_traceback(exc)
        what = "interrupted" if isinstance(exc, KeyboardInterrupt) else "terminated"
        output = getattr(args, "output_path", None)
        if output is None:
            kept = "no output file was changed"
        elif args.output_before is None and _fingerprint(output) is None:
            kept = f"{output} was not written"
        elif _fingerprint(output) == args.output_before:
            kept = f"{output} was not changed"
        else:  # the signal came after the finished file was moved into place
            kept = f"{output} had already been written"
        _error(f"{what}; {kept}")
        return EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else EXIT_TERMINATED
    except AnimError as exc:
        if args.debug:
            _print_traceback(exc)
        _error(str(exc))
        return exc.exit_code
    except Exception as exc:  # the last line of defence: one line, not a traceback
        if args.debug:
            _print_traceback(exc)
        return _unexpected(exc, scene_file, getattr(args, "output_path", None), args.debug)
