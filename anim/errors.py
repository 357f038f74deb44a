"""Exceptions anim raises on purpose; only the CLI turns them into exit codes."""

from __future__ import annotations

import os


class AnimError(Exception):
    """Base class of every error anim reports to a user."""

    exit_code = 1


class SceneError(AnimError):
    """A scene file cannot be loaded or describes an invalid scene (exit status 2)."""

    exit_code = 2

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


class RequestError(AnimError):
    """The command-line request itself is invalid: output path, format, size... (exit status 2)."""

    exit_code = 2


class UsageError(RequestError):
    """The command line does not parse: unknown option, missing argument, not a number."""


class RenderError(AnimError):
    """Something failed while rendering or encoding (exit status 1)."""

    exit_code = 1


class LengthWarning(UserWarning):
    """The requested video would play very long or be very large."""


class FontWarning(UserWarning):
    """Some characters of a picture's text have no installed font: they show as boxes."""


def one_line(text: object) -> str:
    """``text`` with its lines joined, for a message that must fit on one line of stderr.

    Exception texts from scenes, ffmpeg or imageio often span several lines; a report that
    spills onto the next line looks like a traceback and breaks ``grep``.
    """
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return " | ".join(lines)


class OptimizerError(AnimError, ValueError):
    """An optimizer failed during a race: a step function that raised or returned something
    that is not ``(new_x, new_state)`` of the right shape, a schedule that did (exit status 2:
    the scene's code must be fixed). A step that returns NaN or infinity is not an error but
    a divergence."""

    exit_code = 2
