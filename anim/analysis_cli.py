"""``python -m anim tune`` and ``python -m anim basins``: the analyses beside the
animation, each printing a table or writing a PNG chart."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .errors import RenderError, RequestError, SceneError


def check_steps(args):
    from .settings import MAX_STEPS

    if args.steps is not None and not 1 <= args.steps <= MAX_STEPS:
        raise RequestError(
            f"{args.file}: Invalid steps: {args.steps} (must be an integer from 1 to {MAX_STEPS})"
        )


def tune_for(args, scene):
    """The learning-rate search of ``scene``; a scene that cannot be tuned is its error."""
    from .tune import tune

    file = args.file if isinstance(args.file, str) else args.file[0]
    try:
        return tune(scene, steps=args.steps)
    except ValueError as exc:
        raise SceneError(file, str(exc)) from None


def _png_output(args, path, default: bool):
    """``path`` checked like every output: a .png in a folder that exists."""
    from .request import check_folder

    path = Path(path)
    try:
        if path.is_dir():
            raise RequestError("is a folder; give a file name such as chart.png")
        if path.suffix.lower() != ".png":
            raise RequestError(f"unknown output format {path.suffix or '(no suffix)'!r} (use .png)")
        check_folder(path, default=default)
    except RequestError as exc:
        raise RequestError(f"{path}: {exc}") from None
    return path


def _write_chart(figure, path):
    from .charts import save_png

    try:
        save_png(figure, path)
    except OSError as exc:
        raise RenderError(f"{path}: writing failed: {exc}") from exc


def _tune_table(name, results) -> str:
    rows = [("optimizer", "label", "best lr", "arrival step", "grid lrs that arrive")]
    for r in results:
        rows.append(
            (
                r.optimizer.name,
                r.optimizer.label,
                f"{r.best_lr:.3g}",
                "—" if r.arrival_step is None else f"{r.arrival_step:g}",
                f"{r.grid_arrivals}/{r.grid_size}",
            )
        )
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = [f"{name}: learning rates from 1e-4 to 10, {results[0].steps} steps"]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(2, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def tune_command(args) -> int:
    from .loader import load_scene

    check_steps(args)
    scene = load_scene(args.file, args.scene)
    plot = None if args.plot is None else _png_output(args, args.plot, default=False)
    results = tune_for(args, scene)
    if plot is not None:
        from .charts import sensitivity_chart

        _write_chart(sensitivity_chart(results), plot)
    if args.json:
        print(json.dumps([r.summary() for r in results], ensure_ascii=False))
    else:
        print(_tune_table(scene.name or Path(args.file).stem, results))
    if plot is not None:
        print(f"wrote {plot}", file=sys.stderr)
    return 0


def basins_command(args) -> int:
    from .basins import basin_maps, check_resolution
    from .loader import load_scene

    check_steps(args)
    try:
        resolution = check_resolution(args.resolution)
    except ValueError as exc:
        raise RequestError(f"{args.file}: {exc}") from None
    scene = load_scene(args.file, args.scene)
    default = args.output is None
    stem = scene.output_stem or Path(args.file).stem
    path = _png_output(
        args, Path("output") / f"{stem}_basins.png" if default else args.output, default
    )
    try:
        maps = basin_maps(scene, resolution, steps=args.steps)
    except ValueError as exc:
        raise SceneError(args.file, str(exc)) from None
    from .charts import basins_chart

    _write_chart(basins_chart(maps, scene.surface), path)
    print(f"wrote {path}", file=sys.stderr)
    return 0
