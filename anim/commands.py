"""What each command of ``python -m anim`` does with its parsed arguments: race, render,
still, doctor, tune and basins. Errors are raised, not reported: :mod:`anim.cli` turns
them into one line and an exit status."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

from .errors import RequestError, one_line
from .failures import failure_message


def report_error(message: str):
    """One ``anim: error:`` line on stderr, for a failure that does not stop the command
    (one file of several)."""
    print(f"anim: error: {one_line(message)}", file=sys.stderr)


def _progress(args):
    """True, False, or None (a bar only when stderr is a terminal)."""
    if args.quiet and args.progress:
        raise RequestError("--progress and --quiet contradict each other; give one")
    return False if args.quiet else args.progress


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
        for index, (entry, (color, _)) in enumerate(
            zip(summary["optimizers"], racer_styles(scene.optimizers, scene.theme))
        ):
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
        raise RequestError(
            f"{where}Invalid steps: {args.steps} (must be an integer from 1 to {MAX_STEPS})"
        )
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
        raise RequestError(
            "--scene picks a scene of one file; with several files every scene of every file races"
        )
    status, everything = 0, []
    for file, problem in scene_files(args.file, alone_is_error=True):
        try:
            if problem is not None:
                raise problem
            reports = _race_reports(args, file, noise, seed)
        except Exception as exc:  # one file's failure does not stop the others
            message, _ = failure_message(exc, file)
            report_error(message)
            status = 1
            continue
        if args.json:
            everything += [{"file": file, **report} for report in reports]
        else:
            print(f"{file}\n" + "\n\n".join(reports) + "\n", flush=True)
    if args.json:
        print(json.dumps(everything, ensure_ascii=False))
    return status


def fingerprint(path):
    """(inode, size, mtime) of ``path``, or None: enough to tell whether a file changed."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def _remember_output(args, scene, output, still: bool):
    """Note the output file as it is now, to say after Ctrl-C whether it changed."""
    from .request import output_path

    args.output_path = output_path(scene, output, still=still)
    args.output_before = fingerprint(args.output_path)


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
        raise RequestError(
            f"Invalid format: {args.format!r} (choose from {', '.join(allowed)}, comma-separated)"
        )
    return tuple(dict.fromkeys(f".{f}" for f in formats))


def _single_output(args, scene, allowed, still: bool = False):
    """-o, or the default output with --format's suffix."""
    from .request import output_path

    if args.format is None:
        return args.output
    formats = _formats(args, allowed)
    if args.output is not None:
        raise RequestError(
            "--format picks the format of several files, or of the default "
            "output; with one file give -o NAME.SUFFIX instead"
        )
    path = output_path(scene, still=still).with_suffix(formats[0])
    with contextlib.suppress(OSError):  # the default folder; a failure is reported later
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _render_options(args) -> dict:
    return dict(
        fps=args.fps,
        size=args.size,
        dpi=args.dpi,
        quality=args.quality,
        steps=args.steps,
        hold=args.hold,
        loop=args.loop,
        loss_panel=args.loss_panel,
        every=args.every,
        duration=args.duration,
        full=args.full,
        noise=args.noise,
        seed=args.seed,
        sidecar=args.sidecar,
        max_size=args.max_size,
        orbit=args.orbit,
        knobs=args.knobs,
        **_picture_options(args),
    )


def _still_options(args) -> dict:
    return dict(
        frame=args.frame,
        size=args.size,
        dpi=args.dpi,
        loss_panel=args.loss_panel,
        steps=args.steps,
        noise=args.noise,
        seed=args.seed,
        sidecar=args.sidecar,
        orbit=args.orbit,
        **_picture_options(args),
    )


def _picture_options(args) -> dict:
    return dict(
        theme=args.theme,
        transparent=args.transparent,
        colorbar=args.colorbar,
        explain=_explain(args),
        lr_panel=args.lr_panel,
        view=args.view,
        camera=args.camera,
        font=args.font,
        language=args.language,
    )


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
    path = render(scene, output, progress=_progress(args), notify=_notice, **_render_options(args))
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
        raise RequestError(
            "--scene picks a scene of one file; with several files every "
            "scene of every file is rendered"
        )
    jobs = (os.cpu_count() or 1) if args.jobs is None else args.jobs
    if jobs < 1:
        raise RequestError(f"Invalid jobs: {args.jobs} (must be an integer >= 1)")
    options = _render_options(args) if command == "render" else _still_options(args)
    batch.check_options(options)
    folder = batch.output_folder(args.output)
    files, problems = batch.runnable(args.file)
    for problem in problems:
        report_error(str(problem))
    if not files:
        return 1
    # Kept on args, so that after Ctrl-C main() can say what was finished.
    args.batch_outcome = outcome = batch.Outcome()
    batch.run(
        batch.Job(command, str(folder), formats, options),
        files,
        jobs,
        progress=_progress(args),
        outcome=outcome,
        report=lambda line: tqdm.write(line, file=sys.stderr),
    )
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


COMMANDS = {
    "race": cmd_race,
    "render": cmd_render,
    "still": cmd_still,
    "doctor": cmd_doctor,
    "tune": cmd_tune,
    "basins": cmd_basins,
}
