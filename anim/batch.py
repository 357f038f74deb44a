"""Many scene files at once: every scene of every file, in worker processes.

The parent hands out files one at a time to N workers and draws one progress bar from
the frames they report; a file that fails is reported in one line and the others go on.
On Ctrl-C (or SIGTERM) the parent stops every worker with SIGTERM, which unwinds the
worker like an interrupt: its temporary file is removed and its ffmpeg is stopped, so
no partial file is left.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RequestError, SceneError, one_line
from .length import format_bytes

#: Seconds a stopped worker gets to clean up before it is killed.
STOP_TIMEOUT = 10.0


class WorkerStopped(BaseException):
    """SIGTERM in a worker: unwinds like KeyboardInterrupt, so partial files are removed."""


def scene_files(paths, alone_is_error: bool = False) -> list[tuple[str, SceneError | None]]:
    """Each path as a scene file; a folder stands for its ``*.py`` files, sorted. A folder
    without any comes back with its error, so it is reported like a failing file (or,
    ``alone_is_error``, raised when it is the only path)."""
    files: list[tuple[str, SceneError | None]] = []
    for path in map(str, paths):
        if Path(path).is_dir():
            found = sorted(str(p) for p in Path(path).glob("*.py") if p.is_file())
            if not found:
                files.append(
                    (path, SceneError(path, "is a directory with no scene files (no *.py in it)"))
                )
            files += [(f, None) for f in found]
        else:
            files.append((path, None))
    if alone_is_error and len(files) == 1 and files[0][1] is not None:
        raise files[0][1]
    return files


def runnable(paths) -> tuple[list[str], list[Exception]]:
    """The scene files of ``paths`` to run, and the problems of those that cannot be:
    folders without scene files, and a file whose outputs would overwrite another's."""
    listed = scene_files(paths, alone_is_error=True)
    clashes = output_clashes([file for file, problem in listed if problem is None])
    files: list[str] = []
    problems: list[Exception] = []
    for file, found in listed:
        problem: Exception | None = found
        if problem is None and file in clashes:
            problem = RequestError(
                f"{file}: its output would overwrite that of "
                f"{clashes[file]} (same name); render it on its own "
                "with -o"
            )
        if problem is None:
            files.append(file)
        else:
            problems.append(problem)
    return files, problems


def output_folder(output) -> Path:
    """``-o`` as the folder for every output (default ``output/``), created if missing."""
    folder = Path(output or "output")
    if folder.suffix.lower() in (".gif", ".mp4", ".png", ".html") and not folder.is_dir():
        raise RequestError(f"{folder}: with several files -o names a folder, not a file")
    if folder.exists() and not folder.is_dir():
        raise RequestError(f"{folder}: with several files -o names a folder; this is a file")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RequestError(
            f"cannot create the folder {str(folder)!r}: {exc.strerror or exc}"
        ) from None
    return folder


def check_options(options: dict):
    """The options are the same for every file: check them once, before any file runs
    (on a small built-in scene), so a typo is one line, not one per file."""
    from .fitting import byte_limit
    from .optimizers import GD
    from .request import resolve_options
    from .scene import Scene
    from .surfaces import ravine

    probe = Scene(surface=ravine(), optimizers=[GD(lr=0.1)], start=(-7, 2))
    resolve_options(
        probe,
        **{
            key: value
            for key, value in options.items()
            if key not in ("sidecar", "max_size", "frame")
        },
    )
    if options.get("max_size") is not None:
        byte_limit(options["max_size"])


def output_clashes(files) -> dict[str, str]:
    """Files whose outputs would overwrite another file's: {later file: earlier file}."""
    seen: dict[str, str] = {}
    clashes: dict[str, str] = {}
    for file in files:
        stem = Path(file).stem
        if stem in seen:
            clashes[file] = seen[stem]
        else:
            seen[stem] = file
    return clashes


@dataclass
class Job:
    """What to do with every scene of a file: ``command`` is "render" or "still"."""

    command: str
    folder: str
    formats: tuple[str, ...]
    options: dict = field(default_factory=dict)


#: Scenes the parent loaded before forking its workers, by file: a worker finds them
#: here instead of running the file a second time (under spawn it loads them itself).
_LOADED: dict[str, dict] = {}


def run_file(job: Job, file: str, send) -> list[str]:
    """Render every scene of ``file`` into ``job.folder``; report through ``send``.

    ``send(kind, payload)``: ("total", frames to come), ("frames", frames done),
    ("note", text), ("refused", (file, message)) for an output whose request is refused
    (a format this scene cannot have): the file's other outputs are still written.
    Returns the paths written; other exceptions propagate.
    """
    from .loader import load_scenes
    from .renderer import render, still

    written = []
    scenes = _LOADED[file] if file in _LOADED else load_scenes(file)
    for scene in scenes.values():
        for suffix in job.formats:
            output = Path(job.folder) / f"{scene.output_stem}{suffix}"
            try:
                if job.command == "still":
                    send("total", 1)
                    written.append(str(still(scene, output, **job.options)))
                    send("frames", 1)
                else:
                    written.append(
                        str(
                            render(
                                scene,
                                output,
                                progress=send,
                                notify=lambda text: send("note", text),
                                **job.options,
                            )
                        )
                    )
            except RequestError as exc:  # refused before any work: the next format
                send("refused", (file, one_line(exc)))
    return written


def _failure(exc: BaseException, file: str) -> tuple[str, int]:
    from .failures import failure_message

    return failure_message(exc, file)


def _worker(job: Job, tasks, results, index: int):
    """A worker process: take files until the sentinel None, report every event."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it sends SIGTERM

    def stop(signum, frame):
        raise WorkerStopped

    signal.signal(signal.SIGTERM, stop)

    def send(kind, payload):
        results.put((index, kind, payload))

    def show(message, category, filename, lineno, file=None, line=None):
        send("warning", one_line(message))

    try:
        warnings.simplefilter("always")  # the same warning for the next file is news too
        warnings.showwarning = show
        while (file := tasks.get()) is not None:
            send("start", file)
            try:
                send("done", (file, run_file(job, file, send)))
            except Exception as exc:  # any failure of one file is reported, the rest go on
                send("failed", (file, *_failure(exc, file)))
    except WorkerStopped:
        results.cancel_join_thread()
        os._exit(1)


@dataclass
class Outcome:
    written: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def run(
    job: Job,
    files: list[str],
    jobs: int,
    *,
    progress: bool | None,
    report,
    outcome: Outcome | None = None,
) -> Outcome:
    """Run ``job`` on ``files`` in ``jobs`` processes (1: in this process).

    ``report(line)`` prints a line without breaking the bar; ``progress`` None draws
    the bar only when stderr is a terminal. Ctrl-C or SIGTERM stop every worker before
    the exception goes on.
    """
    from tqdm import tqdm

    from .progress import show_progress

    outcome = Outcome() if outcome is None else outcome
    # No tqdm monitor thread: the workers are forked while the bar is on screen.
    tqdm.monitor_interval = 0
    jobs = max(1, min(jobs, len(files)))
    unit = "frame" if job.command == "render" else "picture"
    bar = tqdm(
        total=0,
        disable=not show_progress(progress),
        unit=unit,
        desc=f"{len(files)} files",
        file=sys.stderr,
        dynamic_ncols=True,
    )

    def handle(kind, payload):
        if kind == "total":
            bar.total += payload
            bar.refresh()
        elif kind == "frames":
            bar.update(payload)
        elif kind in ("note", "warning"):
            report(f"anim: {'warning: ' if kind == 'warning' else ''}{payload}")
        elif kind == "done":
            file, written = payload
            outcome.written[file] = written
            sizes = [f"{path} ({format_bytes(os.path.getsize(path))})" for path in written]
            report(f"{file}: wrote {', '.join(sizes)}")
        elif kind == "failed":
            file, message, _ = payload
            outcome.failed[file] = message
            report(f"anim: error: {message}")
        elif kind == "refused":
            file, message = payload
            outcome.failed[file] = message
            report(f"anim: error: {message}")

    with bar:
        if jobs == 1:
            _run_here(job, files, handle)
        else:
            _run_in_workers(job, files, jobs, handle)
    return outcome


def _run_here(job: Job, files, handle):
    for file in files:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                warnings.showwarning = lambda message, *args, **kwargs: handle(
                    "warning", one_line(message)
                )
                handle("done", (file, run_file(job, file, handle)))
        except Exception as exc:  # one file's failure does not stop the others
            handle("failed", (file, *_failure(exc, file)))


def _longest_first(files, handle) -> list[str]:
    """Load every file here (a failure is reported at once) and order the others by the
    frames they may take, most first, so that no worker is left with a long one at the
    end while the others idle."""
    from .loader import load_scenes

    cost = {}
    for file in files:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                warnings.showwarning = lambda message, *args, **kwargs: handle(
                    "warning", one_line(message)
                )
                _LOADED[file] = load_scenes(file)
        except Exception as exc:  # reported like any failure of one file
            handle("failed", (file, *_failure(exc, file)))
            continue
        cost[file] = sum(scene.steps + 1 for scene in _LOADED[file].values())
    return sorted(cost, key=lambda file: -cost[file])


def _run_in_workers(job: Job, files, jobs: int, handle):
    # fork: the workers start at once with anim imported and the scenes loaded.
    context = (
        multiprocessing.get_context("fork")
        if "fork" in multiprocessing.get_all_start_methods()
        else multiprocessing.get_context("spawn")
    )
    files = _longest_first(files, handle)
    if not files:
        return
    tasks, results = context.Queue(), context.Queue()
    for file in files:
        tasks.put(file)
    for _ in range(jobs):
        tasks.put(None)
    workers = [
        context.Process(target=_worker, args=(job, tasks, results, index), daemon=True)
        for index in range(jobs)
    ]
    current: dict[int, str | None] = {}
    remaining = set(files)
    try:
        for worker in workers:
            worker.start()
        while remaining:
            try:
                index, kind, payload = results.get(timeout=0.5)
            except queue.Empty:
                _check_alive(workers, current, remaining, handle, Path(job.folder))
                continue
            if kind == "start":
                current[index] = payload
                continue
            if kind in ("done", "failed"):
                current[index] = None
                remaining.discard(payload[0])
            handle(kind, payload)
    except BaseException:
        _stop(workers)
        raise
    finally:
        _LOADED.clear()
    for worker in workers:
        worker.join()


def _check_alive(workers, current, remaining, handle, folder: Path):
    """A worker that died (killed, out of memory) fails the file it was on; its
    unfinished temporary file, which it could not remove itself, is removed here."""
    for index, worker in enumerate(workers):
        if not worker.is_alive() and current.get(index):
            file = current[index]
            current[index] = None
            remaining.discard(file)
            for partial in folder.glob(f".*.{worker.pid}.partial.*"):
                partial.unlink(missing_ok=True)
            handle(
                "failed",
                (file, f"{file}: the worker rendering it died (exit code {worker.exitcode})", 1),
            )
    if remaining and not any(worker.is_alive() for worker in workers):
        for file in sorted(remaining):
            handle("failed", (file, f"{file}: not rendered: every worker died", 1))
        remaining.clear()


def _stop(workers):
    """SIGTERM every worker, wait for it to clean up, kill what is left."""
    for worker in workers:
        if worker.is_alive():
            os.kill(worker.pid, signal.SIGTERM)
    for worker in workers:
        worker.join(STOP_TIMEOUT)
        if worker.is_alive():
            worker.kill()
            worker.join()
