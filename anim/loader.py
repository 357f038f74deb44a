"""Load scene modules: Python files that define module-level :class:`~anim.Scene` objects."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import sys
import tokenize
import traceback
from importlib.machinery import ModuleSpec
from pathlib import Path

from .errors import SceneError
from .scene import Scene


def _read_source(path: Path) -> bytes:
    if not path.exists():
        raise SceneError(path, "no such file")
    if path.is_dir():
        raise SceneError(path, "is a directory, not a scene file (a .py file)")
    if not path.is_file():
        # A FIFO or a device such as /dev/zero would block or never end.
        raise SceneError(path, "is not a regular file, not a scene file (a .py file)")
    try:
        source = path.read_bytes()
    except OSError as exc:
        raise SceneError(path, f"cannot be read: {exc.strerror or exc}") from None
    if b"\0" in source:
        raise SceneError(path, "is a binary file, not a Python scene file")
    bad_cookie: str | None = None
    try:
        # Honours a PEP 263 coding cookie, like Python itself; UTF-8 otherwise.
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    except SyntaxError as exc:  # undecodable first lines, or an unknown coding cookie
        encoding, bad_cookie = "utf-8", exc.msg
    try:
        source.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SceneError(
            path,
            f"is not a {encoding.upper()} text file (byte {exc.start}): a scene is a Python file",
        ) from None
    if bad_cookie is not None:
        raise SceneError(path, f"has a bad encoding declaration: {bad_cookie}")
    return source


def scene_line(path: str | os.PathLike[str], exc: BaseException) -> int | None:
    """The deepest line of the scene file ``path`` in the exception's traceback."""
    resolved = Path(path).resolve()
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename) == resolved:
            line = frame.lineno
    return line


def load_scenes(path: str | os.PathLike[str]) -> dict[str, Scene]:
    """Run the scene module at ``path`` and return its scenes by variable name.

    Raises :class:`~anim.errors.SceneError` naming the file and the cause when the file
    is missing, not Python, fails to compile or to run, or defines no Scene.
    """
    display = str(path)
    path = Path(path).resolve()
    source = _read_source(Path(display))
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as exc:
        where = f"line {exc.lineno}" if exc.lineno else "unknown line"
        message = f"syntax error at {where}: {exc.msg}"
        if path.suffix.lower() not in (".py", ".pyw"):
            message = f"is not a Python scene file (a .py file): {message}"
        raise SceneError(display, message) from None
    except ValueError as exc:  # e.g. "source code string cannot contain null bytes"
        raise SceneError(display, f"cannot be compiled: {exc}") from None

    module_name = f"anim_scene_{hashlib.sha1(str(path).encode()).hexdigest()[:12]}"
    spec = ModuleSpec(module_name, None, origin=str(path))
    module = importlib.util.module_from_spec(spec)
    module.__file__ = str(path)
    # Scene files may import helpers that sit beside them.
    sys.path.insert(0, str(path.parent))
    sys.modules[module_name] = module
    try:
        exec(code, module.__dict__)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # the scene's own code: anything it raises is reported
        line = scene_line(path, exc)
        where = f" (line {line})" if line else ""
        if isinstance(exc, SystemExit):
            detail = f"called exit({exc.code!r})"
        else:
            detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise SceneError(display, f"error while loading{where}: {detail}") from None
    finally:
        sys.modules.pop(module_name, None)
        if sys.path and sys.path[0] == str(path.parent):
            del sys.path[0]

    scenes: dict[str, Scene] = {}
    seen: set[int] = set()
    for name, value in vars(module).items():
        # A second name for the same Scene (default = scene) is not a second scene.
        if isinstance(value, Scene) and not name.startswith("_") and id(value) not in seen:
            scenes[name] = value
            seen.add(id(value))
    if not scenes:
        raise SceneError(
            display, "defines no Scene (write e.g. `scene = Scene(...)` at module level)"
        )
    for name, scene in scenes.items():
        scene.name = name
        # Two scenes of one file must not overwrite each other's default output.
        scene.output_stem = path.stem if len(scenes) == 1 else f"{path.stem}-{name}"
        scene.source_path = str(path)
        scene.source_sha256 = hashlib.sha256(source).hexdigest()
    return scenes


def pick_scene(path: str | os.PathLike[str], scenes: dict[str, Scene], name: str | None) -> Scene:
    """The scene called ``name``, or the only one; asks for --scene when there are several."""
    display = str(path)
    if name is not None:
        if name not in scenes:
            raise SceneError(
                display, f"has no scene named {name!r}; its scenes are: {', '.join(scenes)}"
            )
        return scenes[name]
    if len(scenes) > 1:
        raise SceneError(
            display,
            f"defines {len(scenes)} scenes; pick one with --scene NAME "
            f"(name= in Python): {', '.join(scenes)}",
        )
    return next(iter(scenes.values()))


def load_scene(path: str | os.PathLike[str], name: str | None = None) -> Scene:
    """Load the scene module at ``path`` and return the scene ``name`` (or the only one)."""
    return pick_scene(path, load_scenes(path), name)
