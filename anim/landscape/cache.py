"""The disk cache of evaluated slices: a grid of a model's loss is computed once.

A slice's values at a set of points are stored under a key that hashes everything they
depend on: the model's code and parameters, its buffers, the data, the loss function,
the plane, the dtype, the device type and the points themselves. The folder is
``$ANIM_CACHE_DIR``, else ``$XDG_CACHE_HOME/anim``, else ``~/.cache/anim``; its
``slices/`` subfolder holds one ``.npy`` file per grid. Delete it at any time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["cache_folder", "load", "store", "Fingerprint"]

#: Bumped when what a stored file means changes.
FORMAT = 1
ENVIRONMENT = "ANIM_CACHE_DIR"


def cache_folder() -> Path:
    """Where anim keeps evaluated slices (see the module docstring)."""
    own = os.environ.get(ENVIRONMENT)
    if own:
        return Path(own).expanduser() / "slices"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "anim" / "slices"


class Fingerprint:
    """A running SHA-256 over the things a slice depends on."""

    def __init__(self):
        self._hash = hashlib.sha256(f"anim slice cache {FORMAT}".encode())

    def text(self, value: str) -> Fingerprint:
        data = value.encode("utf-8", "surrogatepass")
        self._hash.update(len(data).to_bytes(8, "little") + data)
        return self

    def array(self, value) -> Fingerprint:
        array = np.ascontiguousarray(value)
        self.text(f"{array.dtype.str}{array.shape}")
        self._hash.update(array.data if array.size else b"")
        return self

    def copy(self) -> Fingerprint:
        twin = Fingerprint.__new__(Fingerprint)
        twin._hash = self._hash.copy()
        return twin

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def load(key: str, count: int) -> np.ndarray | None:
    """The stored values for ``key`` (``count`` of them), or None (absent, unreadable,
    or not what was stored: then the slice is simply evaluated again)."""
    path = cache_folder() / f"{key}.npy"
    try:
        values = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if values.shape != (count,) or values.dtype != np.float64:
        return None
    return values


def store(key: str, values: np.ndarray) -> None:
    """Keep ``values`` under ``key``, written whole or not at all. A cache that cannot be
    written (read-only home, full disk) costs only the time to evaluate again."""
    folder, temporary = cache_folder(), None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=folder, prefix=f".{key[:16]}.", suffix=".tmp", delete=False
        ) as handle:
            np.save(handle, np.asarray(values, dtype=np.float64), allow_pickle=False)
            temporary = handle.name
        os.replace(temporary, folder / f"{key}.npy")
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
