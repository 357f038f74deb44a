"""What an exception means to the user: the one line and the exit status the CLI reports
for it (a batch reports each failing file the same way)."""

from __future__ import annotations

import sys

from .errors import AnimError, SceneError, one_line

#: Import names of what ``pip install anim`` brings: missing, it is the installation's fault.
DEPENDENCIES = frozenset({"numpy", "matplotlib", "PIL", "imageio", "imageio_ffmpeg", "tqdm"})


def failure_message(
    exc: BaseException, scene_file, output=None, debug: bool = False
) -> tuple[str, int]:
    """The one line (without ``anim: error:``) and exit status for an exception."""
    from .loader import scene_line

    if isinstance(exc, AnimError):
        return one_line(exc), exc.exit_code
    if isinstance(exc, ModuleNotFoundError) and exc.name in DEPENDENCIES:
        return (
            f"{exc.name} is not installed for {sys.executable}: install anim with its "
            "dependencies (pip install -e . in its folder), or run the Python it is "
            "installed in (e.g. .venv/bin/python -m anim ...)"
        ), 1
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    line = scene_line(scene_file, exc) if scene_file else None
    if line is not None:
        error = SceneError(scene_file, f"the scene's code failed (line {line}): {detail}")
        return one_line(error), error.exit_code
    where = f"{output or scene_file}: " if output or scene_file else ""
    hint = "" if debug else " (run with --debug for the traceback)"
    return one_line(f"{where}unexpected {detail}{hint}"), 1
