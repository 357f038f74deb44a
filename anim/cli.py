"""``python -m anim``: race, render, still and doctor. The only place exceptions become exit codes."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import traceback

from . import __version__
from .errors import AnimError

EXIT_INTERRUPTED = 130


def _add_scene_arguments(parser):
    parser.add_argument("file", help="scene file (a Python file defining a Scene)")
    parser.add_argument("--scene", metavar="NAME", help="which scene, when the file has several")


def _add_picture_arguments(parser):
    parser.add_argument("--size", metavar="WxH", help="frame size in pixels (default 800x600)")
    parser.add_argument("--dpi", type=float, help="resolution: scales text and lines "
                        "(default: 100 at 800x600, proportional to --size)")
    parser.add_argument("--loss-panel", action="store_true", default=None,
                        help="add a loss-vs-step panel beside the contour plot")
    parser.add_argument("--steps", type=int, help="override the scene's number of steps")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="anim", description="Animate optimizers racing on "
                                     "a 2-variable loss surface.")
    parser.add_argument("--version", action="version", version=f"anim {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show full tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add = lambda name, **kw: commands.add_parser(name, parents=[common], **kw)  # noqa: E731

    race = add("race", help="run the race and print who arrived when")
    race.add_argument("file", help="scene file (a Python file defining a Scene)")
    race.add_argument("--scene", metavar="NAME", help="only this scene")
    race.add_argument("--json", action="store_true", help="print JSON instead of a table")

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


def _format_loss(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{value:.3g}"


def _race_table(name, scene, summary) -> str:
    head = f"{name}: {scene.steps} steps from {tuple(summary['start'])}"
    if summary["goal"] is not None:
        head += f", goal {tuple(round(v, 6) for v in summary['goal'])} " \
                f"(radius {summary['goal_radius']:.3g})"
    rows = [("optimizer", "label", "arrival", "diverged", "final loss")]
    for entry in summary["optimizers"]:
        rows.append((entry["name"], entry["label"],
                     "—" if entry["arrival_step"] is None else str(entry["arrival_step"]),
                     "—" if entry["diverged_step"] is None else str(entry["diverged_step"]),
                     _format_loss(entry["final_loss"])))
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = [head] + ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                      for row in rows]
    lines.insert(2, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _json_safe(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def cmd_race(args) -> int:
    from .loader import load_scenes, pick_scene

    scenes = load_scenes(args.file)
    if args.scene is not None:
        scenes = {args.scene: pick_scene(args.file, scenes, args.scene)}
    reports = []
    for name, scene in scenes.items():
        summary = scene.race().summary()
        if args.json:
            reports.append(_json_safe({"scene": name, **summary}))
        else:
            reports.append(_race_table(name, scene, summary))
    if args.json:
        print(json.dumps(reports[0] if len(reports) == 1 else reports, ensure_ascii=False))
    else:
        print("\n\n".join(reports))
    return 0


def cmd_render(args) -> int:
    from .loader import load_scene
    from .renderer import render

    scene = load_scene(args.file, args.scene)
    path = render(scene, args.output, fps=args.fps, size=args.size, dpi=args.dpi,
                  quality=args.quality, steps=args.steps, hold=args.hold, loop=args.loop,
                  loss_panel=args.loss_panel, progress=not args.quiet, sidecar=args.sidecar)
    if not args.quiet:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_still(args) -> int:
    from .loader import load_scene
    from .renderer import still

    scene = load_scene(args.file, args.scene)
    path = still(scene, args.output, frame=args.frame, size=args.size, dpi=args.dpi,
                 loss_panel=args.loss_panel, steps=args.steps, sidecar=args.sidecar)
    print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_doctor(args) -> int:
    from .doctor import run_checks

    return run_checks(sys.stdout)


COMMANDS = {"race": cmd_race, "render": cmd_render, "still": cmd_still, "doctor": cmd_doctor}


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error to report.
        sys.stdout = open(os.devnull, "w")
        return 1
    except KeyboardInterrupt:
        if args.debug:
            traceback.print_exc()
        print("anim: interrupted; no output was changed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except AnimError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"anim: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # the last line of defence: one line, not a traceback
        if args.debug:
            traceback.print_exc()
        print(f"anim: unexpected error: {type(exc).__name__}: {exc} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return 1
