"""Renders kept by content, so that a docs build renders a scene only when something
that shows in the picture changed.

A key is the SHA-256 of: anim's version; the scene's content (for a scene read from a
file, the file's SHA-256 and the scene's name; for a scene built in Python, the code of
the file that built it, without its docstring and comments); a description of the scene's
values (surface, optimizers, start, steps, look), so that a scene changed after loading
gets another key; the kind of output and its options. The folder is ``$ANIM_CACHE_DIR``, else
``$XDG_CACHE_HOME/anim`` (``~/.cache/anim``); deleting it at any time is safe.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import sys
import types
from pathlib import Path
from typing import Any

from . import __version__

#: How deep the description follows attributes (a closure inside a surface, ...).
DEPTH = 6


def cache_dir() -> Path:
    """Where renders are kept: $ANIM_CACHE_DIR, else the user's cache folder."""
    explicit = os.environ.get("ANIM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "anim"


def _code_digest(code: types.CodeType) -> str:
    """What a function does, without where it sits in memory."""
    parts = [code.co_code, repr(code.co_names).encode(), repr(code.co_varnames).encode()]
    for constant in code.co_consts:
        parts.append(
            _code_digest(constant).encode()
            if isinstance(constant, types.CodeType)
            else repr(constant).encode()
        )
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def describe(value, depth: int = DEPTH, seen: frozenset = frozenset()):
    """``value`` as JSON-ready data that is the same in every run for the same content:
    arrays by their bytes, functions by their code (and closure), objects by their
    attributes, and no memory addresses."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if id(value) in seen or depth <= 0:
        return type(value).__qualname__
    seen = seen | {id(value)}
    deeper = depth - 1
    if isinstance(value, (list, tuple)):
        return [describe(item, deeper, seen) for item in value]
    if isinstance(value, dict):
        return {str(key): describe(item, deeper, seen) for key, item in value.items()}
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray):
        return {
            "array": value.dtype.str,
            "shape": list(value.shape),
            "sha256": hashlib.sha256(numpy.ascontiguousarray(value).tobytes()).hexdigest(),
        }
    if numpy is not None and isinstance(value, numpy.generic):
        return value.item()
    if isinstance(value, types.FunctionType):
        closure = [cell.cell_contents for cell in value.__closure__ or () if _filled(cell)]
        return {
            "function": value.__qualname__,
            "code": _code_digest(value.__code__),
            "defaults": describe(value.__defaults__, deeper, seen),
            "closure": describe(closure, deeper, seen),
        }
    if isinstance(value, (types.ModuleType, type)):
        return getattr(value, "__qualname__", value.__name__)
    kind = type(value)
    described: dict[str, Any] = {
        "type": f"{kind.__module__.split('.')[0]}.{kind.__qualname__}",
        "repr": re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value)),
    }
    attributes = getattr(value, "__dict__", None)
    if attributes:
        described["attributes"] = {
            key: describe(item, deeper, seen) for key, item in attributes.items()
        }
    return described


def _filled(cell) -> bool:
    try:
        _ = cell.cell_contents
    except ValueError:  # a closure variable not assigned yet
        return False
    return True


def scene_key(scene, kind: str, options: dict, example: str | None = None) -> str:
    """The key of ``kind`` (an output suffix such as ".gif", or a name) made from
    ``scene`` with ``options``. ``example``: the SHA-256 of the file whose code built the
    scene, for a scene that has no file of its own."""
    fields = {key: value for key, value in vars(scene).items() if key != "source_path"}
    record = {
        "anim": __version__,
        "source": scene.source_sha256 or example,
        "file": Path(scene.source_path).name if scene.source_path else None,
        "scene": describe(fields),
        "kind": kind,
        "options": describe(dict(sorted(options.items()))),
    }
    text = json.dumps(record, sort_keys=True, ensure_ascii=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def code_digest(path) -> str | None:
    """The SHA-256 of the Python code in ``path``: its syntax tree without the module's
    docstring, so that editing an example's text or comments keeps its renders."""
    try:
        source = Path(path).read_bytes()
    except OSError:
        return None
    try:
        module = ast.parse(source)
    except (SyntaxError, ValueError):
        return hashlib.sha256(source).hexdigest()
    if ast.get_docstring(module, clean=False) is not None:
        module.body = module.body[1:]
    return hashlib.sha256(ast.dump(module).encode()).hexdigest()


def entry(key: str, suffix: str) -> Path:
    """The cache file for ``key``: ``<cache>/<first two hex digits>/<key><suffix>``."""
    return cache_dir() / key[:2] / f"{key}{suffix}"


def cached(key: str, suffix: str, make) -> Path:
    """The cache file of ``key``, made by ``make(path)`` first if it is not there.
    ``make`` must write ``path`` completely or not at all (anim's writers do)."""
    path = entry(key, suffix)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        make(path)
    return path


def copy_to(source: Path, target: Path):
    """Copy ``source`` over ``target``, replacing it only once the copy is complete."""
    from .writers import replacing

    with replacing(Path(target)) as tmp:
        shutil.copyfile(source, tmp)
