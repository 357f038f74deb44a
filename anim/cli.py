"""``python -m anim``: the one place where errors become exit codes.

:mod:`anim.cli_parser` reads the command line, :mod:`anim.commands` does the work; this
module runs the command, turns Ctrl-C and SIGTERM into a clean stop, warnings into
``anim: warning:`` lines and every failure into one ``anim: error:`` line and a status."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import traceback
import warnings
from pathlib import Path

from .cli_parser import parse
from .commands import COMMANDS, fingerprint
from .errors import AnimError, OptimizerError, UsageError, one_line
from .failures import failure_message

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 128 + signal.SIGTERM


class _Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so the same cleanup runs on the way out."""


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


def _interruption(exc: BaseException) -> BaseException | None:
    """The Ctrl-C or SIGTERM behind ``exc``, if it was raised while one was unwinding (a
    library's cleanup that fails half-way, e.g. on a half-drawn figure), else None."""
    seen = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, (KeyboardInterrupt, _Terminated)):
            return link
        seen.add(id(link))
        link = link.__cause__ or link.__context__
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
        kept = (
            f"{done} file(s) had been written; the others were not started or "
            "were stopped, and no partial file is left"
        )
    elif output is None:
        kept = "no output file was changed"
    elif args.output_before is None and fingerprint(output) is None:
        kept = f"{output} was not written"
    elif fingerprint(output) == args.output_before:
        kept = f"{output} was not changed"
    else:  # the signal came after the finished file was moved into place
        kept = f"{output} had already been written"
    _error(f"{what}; {kept}")
    return EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else EXIT_TERMINATED


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = parse(argv)
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
        with _terminate_cleanly(received), _one_line_warnings(scene_file, enabled=not args.debug):
            code = COMMANDS[args.command](args)
        if received:  # the signal's exception was dropped on the way: still a stop
            return _interrupted(received[0], args)
        return code
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error to report.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (stdout from now on: never closed)
        return 1
    except (KeyboardInterrupt, _Terminated) as exc:
        return _interrupted(exc, args)
    except AnimError as exc:
        stop = received[0] if received else _interruption(exc)
        if stop is not None:
            return _interrupted(stop, args)
        if args.debug:
            _print_traceback(exc)
        # An optimizer fails during the race, after loading: name the scene it is in.
        _error(
            f"{scene_file}: {exc}" if isinstance(exc, OptimizerError) and scene_file else str(exc)
        )
        return exc.exit_code
    except Exception as exc:  # the last line of defence: one line, not a traceback
        stop = received[0] if received else _interruption(exc)
        if stop is not None:
            return _interrupted(stop, args)
        if args.debug:
            _print_traceback(exc)
        return _unexpected(exc, scene_file, getattr(args, "output_path", None), args.debug)
