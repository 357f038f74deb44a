"""Real networks: a 2D slice of a torch model's loss as a Surface, and real training runs
projected onto it.

- :func:`from_model` (also ``anim.surfaces.from_model``): the slice, a
  :class:`~anim.Surface` that races, draws and caches like any other;
- :func:`record` (also ``anim.record``): record a real training loop's parameters;
- :func:`trajectories` (also ``anim.trajectories``): project recorded runs onto one
  shared plane and replay them as racers over the slice;
- :class:`Plane` and its makers: the plane a slice lies in.

Importing this package does not import torch: only making a slice does.
"""

from .plane import Plane, pca_plane, plane_along, plane_through, random_plane
from .record import Recorder, Recording, record
from .replay import Fidelity, ProjectedRun
from .slice import ModelSlice, from_model
from .trajectories import Trajectories, trajectories

__all__ = [
    "Fidelity",
    "ModelSlice",
    "Plane",
    "ProjectedRun",
    "Recorder",
    "Recording",
    "Trajectories",
    "from_model",
    "pca_plane",
    "plane_along",
    "plane_through",
    "random_plane",
    "record",
    "trajectories",
]
