"""When to draw a progress bar: on a terminal, or when asked."""

from __future__ import annotations

import sys


def show_progress(progress) -> bool:
    """Whether to draw a progress bar: ``progress`` when it is True or False; for None,
    only when stderr is a terminal. A CI log, a pipe or a docs build would keep every
    redraw of the bar as text; a stderr without ``isatty`` (a docs build's capture) is
    no terminal."""
    if progress is not None:
        return bool(progress)
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False
