"""The command line's grammar: ``anim``'s commands, their arguments and their help.

A mistake in the command line is a :class:`~anim.errors.UsageError` that points at the
help of the command it was made in; :func:`parse` is all the CLI asks of this module.
"""

from __future__ import annotations

import argparse
import os

from . import __version__
from .errors import UsageError
from .words import LANGUAGES

__all__ = ["build_parser", "parse"]


class _Parser(argparse.ArgumentParser):
    """argparse whose mistakes are reported like every other error: one ``anim: error:`` line."""

    def error(self, message):
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _add_scene_arguments(parser):
    parser.add_argument(
        "file",
        nargs="+",
        metavar="FILE",
        help="scene file (a Python file defining a Scene); several files or "
        "a folder (its *.py) make every scene of every file",
    )
    parser.add_argument("--scene", metavar="NAME", help="which scene, when the file has several")


def _add_one_scene_arguments(parser):
    parser.add_argument("file", metavar="FILE", help="scene file (a Python file defining a Scene)")
    parser.add_argument("--scene", metavar="NAME", help="which scene, when the file has several")


def _add_noise_arguments(parser):
    parser.add_argument(
        "--noise",
        type=float,
        metavar="SIGMA",
        help="Gaussian noise of this standard deviation on every gradient "
        "component, the same for every optimizer (default: the scene's)",
    )
    parser.add_argument(
        "--seed", type=int, metavar="N", help="seed of the noise (default: the scene's, 0)"
    )


def _add_batch_arguments(parser, formats: str, default: str):
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        help="with several files: render in N processes (default: the "
        f"number of CPUs, {os.cpu_count()})",
    )
    parser.add_argument(
        "--format",
        metavar="LIST",
        help=f"with several files or no -o: the format(s), from {formats}, "
        f"comma-separated (default {default})",
    )


def _add_progress_arguments(parser, quiet: str):
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr (default: only when stderr is a "
        "terminal, so a CI log or a pipe gets none)",
    )
    parser.add_argument("--quiet", action="store_true", help=quiet)


def _add_picture_arguments(parser):
    parser.add_argument("--size", metavar="WxH", help="frame size in pixels (default 800x600)")
    parser.add_argument(
        "--dpi",
        type=float,
        help="resolution: scales text and lines (default: 100 at 800x600, proportional to --size)",
    )
    parser.add_argument(
        "--loss-panel",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a loss-vs-step panel beside the contour plot (default: the scene's loss_panel)",
    )
    parser.add_argument("--steps", type=int, help="override the scene's number of steps")
    parser.add_argument(
        "--theme",
        choices=("light", "dark"),
        help="colours for a light or a dark page (default: the scene's, light)",
    )
    parser.add_argument(
        "--transparent",
        action="store_true",
        help="no background outside the plot (PNG, GIF; not MP4)",
    )
    parser.add_argument(
        "--colorbar",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a colorbar with the values of f beside the plot",
    )
    parser.add_argument(
        "--explain",
        action="append",
        nargs="?",
        const=True,
        metavar="NAME",
        help="draw why each racer moves: gradient, step and velocity arrows "
        "and the step-scale box; alone for every racer, or a label or "
        "optimizer name, or a comma-separated list (repeatable)",
    )
    parser.add_argument(
        "--no-explain",
        dest="explain",
        action="store_const",
        const=[False],
        help="no step glyphs, whatever the scene says",
    )
    parser.add_argument(
        "--lr-panel",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a panel of each step's effective learning rate |Δx|/|g|",
    )
    parser.add_argument(
        "--view",
        choices=("2d", "3d", "both"),
        help="2d: contours; 3d: the shaded surface in 3D; both: side by "
        "side (default: the scene's, 2d)",
    )
    parser.add_argument(
        "--camera",
        metavar="ELEV,AZIM",
        help="the 3D view's elevation and azimuth in degrees, e.g. 30,-60 "
        "(default: chosen so no hill hides the race)",
    )
    parser.add_argument(
        "--font",
        metavar="NAME_OR_PATH",
        help="the main font: an installed family name or a .ttf/.otf/.ttc "
        "file (default: the scene's, else matplotlib's); characters it "
        "lacks come from installed fonts that have them",
    )
    parser.add_argument(
        "--language",
        choices=tuple(LANGUAGES),
        help="the language of the statuses, step counter and panel labels "
        "(default: the scene's, en)",
    )
    parser.add_argument(
        "--orbit",
        type=float,
        metavar="DEGREES",
        help="turn the 3D camera by this many degrees over the video (a "
        "still, one frame, takes --camera instead)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="anim", description="Animate optimizers racing on a 2-variable loss surface."
    )
    parser.add_argument("--version", action="version", version=f"anim {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks")
    common = _Parser(add_help=False)
    # SUPPRESS: a subcommand default would otherwise undo `anim --debug render ...`.
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show full tracebacks"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, **kwargs):
        return commands.add_parser(name, parents=[common], **kwargs)

    race = add("race", help="run the race and print who arrived when")
    race.add_argument(
        "file",
        nargs="+",
        metavar="FILE",
        help="scene file(s) (Python files defining Scenes), or folders of them",
    )
    race.add_argument("--scene", metavar="NAME", help="only this scene")
    race.add_argument("--json", action="store_true", help="print JSON instead of a table")
    race.add_argument(
        "--trace",
        action="store_true",
        help="with --json: every step's position, loss, gradient and "
        "effective learning rate, per optimizer (for a swarm, a list "
        "per start)",
    )
    race.add_argument("--steps", type=int, help="override the scenes' number of steps")
    _add_noise_arguments(race)

    render = add("render", help="write the race as a GIF, an MP4 or an interactive HTML page")
    _add_scene_arguments(render)
    render.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file; its suffix picks the format: .gif, .mp4, .png or "
        ".html "
        "(default: output/<file stem>.gif); with several files, the "
        "folder for all of them (default output/)",
    )
    render.add_argument(
        "--fps",
        type=float,
        help="frames per second (default: the "
        "scene's, 30); a frame is a step unless --every or --duration says",
    )
    render.add_argument(
        "--quality",
        choices=("low", "medium", "high"),
        help="preset size and fps: low 480x360@15, medium 800x600@30, high 1440x1080@30",
    )
    render.add_argument(
        "--hold", type=float, metavar="SECONDS", help="hold the last frame this long (default 2)"
    )
    render.add_argument(
        "--loop", type=int, metavar="N", help="GIF plays N times; 0 loops forever (default 0)"
    )
    render.add_argument(
        "--every",
        type=int,
        metavar="K",
        help="one frame every K steps (trails still pass through every step)",
    )
    render.add_argument(
        "--duration",
        type=float,
        metavar="SECONDS",
        help="choose K so that the race (without the hold) plays at most this long",
    )
    render.add_argument(
        "--full", action="store_true", help="film every step, not only until the race is decided"
    )
    render.add_argument(
        "--max-size",
        metavar="SIZE",
        help="make the GIF/MP4 at most SIZE (e.g. 2MB, 500kB): fewer frames, "
        "then a lower fps, then fewer pixels, until it fits",
    )
    _add_noise_arguments(render)
    _add_picture_arguments(render)
    render.add_argument(
        "--sidecar",
        action="store_true",
        help="also write OUT.json: scene, options, versions, results",
    )
    _add_progress_arguments(render, 'no progress bar and no "wrote" line')
    render.add_argument(
        "--tuned",
        action="store_true",
        help="race each optimizer at its tuned learning rate (see `anim "
        "tune`); the legend says (tuned)",
    )
    render.add_argument(
        "--knobs",
        metavar="LIST",
        help="the page's knobs: lr (a learning-rate slider per racer, the "
        "sensitivity chart), or lr,momentum (or rho, beta1, beta2: a "
        "2D pad for one racer); .html only",
    )
    render.add_argument(
        "--no-knobs",
        dest="knobs",
        action="store_const",
        const="",
        help="no knobs, whatever the scene says",
    )
    _add_batch_arguments(render, "gif, mp4, html", "gif")

    still = add("still", help="write one frame as a PNG")
    _add_scene_arguments(still)
    still.add_argument(
        "-o",
        "--output",
        metavar="OUT.png",
        help="output PNG (default: output/<file stem>.png); with several "
        "files, the folder for all of them (default output/)",
    )
    still.add_argument("--frame", type=int, help="which step to show (default: the last)")
    _add_noise_arguments(still)
    _add_picture_arguments(still)
    still.add_argument(
        "--sidecar",
        action="store_true",
        help="also write OUT.json: scene, options, versions, results",
    )
    _add_progress_arguments(still, "no progress bar")
    _add_batch_arguments(still, "png", "png")

    tune = add("tune", help="find each optimizer's learning rate that arrives soonest")
    _add_one_scene_arguments(tune)
    tune.add_argument("--json", action="store_true", help="print JSON instead of a table")
    tune.add_argument(
        "--plot", metavar="OUT.png", help="write the sensitivity chart: arrival step against lr"
    )
    tune.add_argument("--steps", type=int, help="override the scene's step budget")

    basins = add("basins", help="map where each start point leads each optimizer")
    _add_one_scene_arguments(basins)
    basins.add_argument(
        "-o",
        "--output",
        metavar="OUT.png",
        help="output PNG (default: output/<file stem>_basins.png)",
    )
    basins.add_argument(
        "--resolution",
        type=int,
        default=200,
        metavar="N",
        help="N x N start points per optimizer (default 200)",
    )
    basins.add_argument("--steps", type=int, help="override the scene's step budget")

    add("doctor", help="check that rendering works on this machine")
    return parser


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line's arguments; a mistake is a UsageError that points at the help of
    the command it was made in."""
    try:
        args, unknown = build_parser().parse_known_args(argv)
    except UsageError as exc:
        raise UsageError(_negative_value_hint(str(exc), argv)) from None
    if unknown:
        raise UsageError(
            f"unrecognized arguments: {' '.join(unknown)} (see `anim {args.command} --help`)"
        )
    return args


def _negative_value_hint(message: str, argv: list[str]) -> str:
    """argparse reads ``--camera -10,30`` as two options: say to join them with '='."""
    for option, value in zip(argv, argv[1:]):
        if (
            option.startswith("--")
            and f"argument {option}" in message
            and "expected one argument" in message
            and value.startswith("-")
        ):
            return (
                f"argument {option}: a value that starts with '-': write "
                f"{option}={value} (see `anim {argv[0]} --help`)"
            )
    return message
