"""How a scene shows itself in a notebook or a docs page, supplied from above.

A :class:`~anim.scene.Scene` is data; showing it means racing and drawing it, which is
the renderer's work, several floors up. So the scene asks this module, and
:mod:`anim.notebook` (imported with the package) registers what draws the player and the
bundle. The scene never imports the renderer, and nothing here imports anything of
anim's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_PROVIDERS: dict[str, Callable[..., Any]] = {}


def provide(kind: str, function: Callable[..., Any]) -> None:
    """Register ``function(scene)`` as what shows ``kind`` ("html", "mimebundle")."""
    _PROVIDERS[kind] = function


def show(kind: str, scene) -> Any:
    """What the registered provider of ``kind`` shows for ``scene``."""
    try:
        provider = _PROVIDERS[kind]
    except KeyError:
        raise LookupError(
            f"nothing shows a scene as {kind!r}: import anim (its notebook "
            "module registers the player)"
        ) from None
    return provider(scene)
