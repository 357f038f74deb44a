"""anim: animate optimizers racing on a 2-variable loss surface.

A scene (surface + optimizers) races in lockstep, one step per frame, and is filmed
into a GIF, an MP4 or a PNG. Rendering imports matplotlib lazily, so the race engine
(``anim.race``, ``anim.optimizers``, ``anim.surfaces``) stays pure numpy.
"""

__version__ = "0.1.0"

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import (
    notebook,  # noqa: F401  (registers how a scene shows in a notebook or docs)
    optimizers,
    schedules,
    starts,
    surfaces,
)
from .errors import (
    AnimError,
    FontWarning,
    LengthWarning,
    OptimizerError,
    RenderError,
    RequestError,
    SceneError,
)
from .landscape import record, trajectories
from .loader import load_scene, load_scenes
from .optimizers import optimizer
from .race import RaceResult, simulate
from .scene import Scene
from .surface import GradientWarning, Surface
from .swarm import SwarmResult, simulate_swarm


def render(scene: Scene, output: str | os.PathLike[str] | None = None, **options: Any) -> Path:
    """Film ``scene`` into ``output`` (.gif, .mp4, .png or .html); see
    :func:`anim.renderer.render`."""
    from . import gallery

    if gallery.collecting():  # a docs gallery build: from the cache, shown on the page
        return gallery.render(scene, output, **options)
    from .renderer import render as _render

    return _render(scene, output, **options)


def still(scene: Scene, output: str | os.PathLike[str] | None = None, **options: Any) -> Path:
    """Write one frame of ``scene`` as a PNG; see :func:`anim.renderer.still`."""
    from . import gallery

    if gallery.collecting():
        return gallery.still(scene, output, **options)
    from .renderer import still as _still

    return _still(scene, output, **options)


def _get_sg_image_scraper() -> Callable[..., str]:
    """The image scraper that sphinx-gallery and mkdocs-gallery use for
    ``image_scrapers=('matplotlib', 'anim')``; see :mod:`anim.gallery`."""
    from .gallery import scraper

    return scraper()


__all__ = [
    "AnimError",
    "FontWarning",
    "GradientWarning",
    "LengthWarning",
    "OptimizerError",
    "RaceResult",
    "RenderError",
    "RequestError",
    "Scene",
    "SceneError",
    "Surface",
    "load_scene",
    "load_scenes",
    "optimizer",
    "optimizers",
    "record",
    "render",
    "schedules",
    "simulate",
    "simulate_swarm",
    "starts",
    "still",
    "surfaces",
    "SwarmResult",
    "trajectories",
]


# Hidden from type checkers, which would otherwise accept any name as anim's attribute.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """A name that lives one level down (``anim.from_torch``, ``anim.GD``, ``anim.grid``)
        says where it is, instead of a bare AttributeError."""
        for module in (optimizers, schedules, starts, surfaces):
            if name in getattr(module, "__all__", ()):
                raise AttributeError(
                    f"module 'anim' has no attribute {name!r}: it is {module.__name__}.{name}"
                )
        raise AttributeError(f"module 'anim' has no attribute {name!r}")
