"""A 2D slice of a real model's loss as an ordinary :class:`~anim.Surface`.

``from_model(model, loss_fn, data, plane=...)`` returns a :class:`ModelSlice`:
f(x, y) = L(θ₀ + x·d₁ + y·d₂) over the whole data, with the exact gradient
(d₁·∇L, d₂·∇L) from autograd. Everything that races on a surface races on it unchanged.

Two kinds of evaluation, two policies. The race asks for f and its gradient at a few new
points per step: evaluated fresh, every time, in one vectorized call. A picture asks for
f on a grid of ``resolution`` × ``resolution`` points: evaluated once, with a progress bar
on a terminal, and kept on disk (see :mod:`anim.landscape.cache`) and in memory, so the
next render of the same slice draws at once.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import ArrayLike

from ..surface import Bounds, BoundsLike, PointLike, Surface, finite_point
from . import cache
from .plane import Plane, pca_plane, plane_along, plane_through, random_plane
from .record import Recording, Runs, as_runs
from .torch_types import Data, LossFunction, Model

__all__ = ["ModelSlice", "from_model", "DEFAULT_RESOLUTION"]

#: The side of the grid a picture evaluates a model slice on (a surface formula gets 240).
DEFAULT_RESOLUTION = 101
#: Calls with at least this many points are grids: cached, and shown with a progress bar.
GRID_CALL = 256
#: Margin around the recorded runs in the default bounds, as a share of their extent.
RUN_MARGIN = 0.3
#: The default bounds are widened so that no side is less than this share of the other.
MIN_SIDE_SHARE = 0.5


#: How ``from_model`` is told the plane: a name, three parameter vectors (θ₀, θ₁, θ₂) or two
#: directions (d₁, d₂) (each a state dict, a model, a list of tensors or a flat vector), or
#: a :class:`Plane`.
PlaneChoice = Plane | Literal["random", "pca"] | Sequence[Any]
#: A slice's minimum: a point, several, "search" (found numerically) or None.
MinimumChoice = PointLike | Sequence[PointLike] | Literal["search"] | None


def _require_torch() -> None:
    try:
        import torch  # noqa: F401
    except ImportError:
        raise ImportError(
            "from_model needs torch, which is not installed here: pip install 'anim[torch]'"
        ) from None


class PlaneLoss(Protocol):
    """What a slice asks of its loss (:class:`~anim.landscape.torch_model.ModelLoss`):
    L(θ) over flat parameter vectors of ``size`` numbers."""

    size: int

    def along(
        self,
        origin: np.ndarray,
        directions: np.ndarray,
        points: ArrayLike,
        gradient: bool,
        progress: Callable[[int], object] | None = None,
    ) -> tuple[np.ndarray, np.ndarray | None]: ...

    def losses(
        self, thetas: np.ndarray, progress: Callable[[int], object] | None = None
    ) -> np.ndarray: ...

    def fingerprint(self) -> cache.Fingerprint: ...

    def flat(self) -> np.ndarray: ...

    def weights(self) -> list[np.ndarray]: ...

    def vector(self, value: object, what: str) -> np.ndarray: ...


class ModelSlice(Surface):
    """A :class:`~anim.Surface` whose f is a model's loss on a plane of its parameters.

    ``plane`` is the :class:`~anim.landscape.Plane`; ``loss`` evaluates the model
    (:class:`~anim.landscape.torch_model.ModelLoss`); ``resolution`` is the side of the
    grid a picture evaluates. ``values_at``, ``value_and_grad_at`` and f itself take any
    number of points in one call. ``replace(minimum="search")`` finds the minimum. A slice
    always has bounds: the picture's grid covers them.
    """

    bounds: Bounds

    def __init__(
        self,
        loss: PlaneLoss,
        plane: Plane,
        *,
        bounds: BoundsLike,
        minimum: MinimumChoice = None,
        name: str | None = None,
        start: PointLike | None = None,
        formula: str | None = None,
        resolution: int = DEFAULT_RESOLUTION,
        cache_grids: bool = True,
        progress: bool | None = None,
        memo: dict[str, np.ndarray] | None = None,
    ) -> None:
        if bounds is None:
            raise ValueError("a model slice needs bounds ((xmin, xmax), (ymin, ymax))")
        self.loss, self.plane = loss, plane
        self.resolution = _check_resolution(resolution)
        self.cache_grids = bool(cache_grids)
        self.progress = progress
        self._memo = {} if memo is None else memo
        searched = isinstance(minimum, str)
        if searched and minimum != "search":
            raise ValueError(
                f"Invalid minimum: {minimum!r} (a point (x, y), a list of points, 'search' or None)"
            )
        super().__init__(
            self._f,
            grad=self._grad,
            bounds=bounds,
            minimum=None if isinstance(minimum, str) else minimum,
            name=name,
            start=start,
            formula=formula,
        )
        self._method = "autograd"
        if searched:
            self.minima = (self.search_minimum(),)

    # --- what a picture and the race ask for ---------------------------------------------
    @property
    def grid_points(self) -> int:
        """The side of the grid a picture evaluates this surface on."""
        return self.resolution

    @property
    def gradient_method(self) -> str:
        return "autograd"

    def values_at(self, points: ArrayLike) -> np.ndarray:
        """f at ``points`` (n, 2), float64; a grid-sized call is cached."""
        points = np.ascontiguousarray(np.asarray(points, dtype=np.float64).reshape(-1, 2))
        if len(points) < GRID_CALL:
            return self.loss.along(self.plane.origin, self.plane.directions, points, False)[0]
        key = self._key(points)
        values = self._memo.get(key)
        if values is None and self.cache_grids:
            values = cache.load(key, len(points))
        if values is None:
            with self._progress_bar(len(points)) as advance:
                values, _ = self.loss.along(
                    self.plane.origin, self.plane.directions, points, False, progress=advance
                )
            if self.cache_grids:
                cache.store(key, values)
        self._memo[key] = values
        return values.copy()

    def value_and_grad_at(self, points: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """f and its gradient at ``points`` (n, 2): (values (n,), grads (n, 2)), evaluated
        fresh in one vectorized call (the race's question: new points every step)."""
        pts = np.asarray(points, dtype=np.float64)
        if pts.ndim == 0 or pts.shape[-1] != 2:
            raise ValueError(f"points must have shape (n, 2), got shape {pts.shape}")
        values, grads = self.loss.along(
            self.plane.origin, self.plane.directions, pts.reshape(-1, 2), True
        )
        if grads is None:
            raise RuntimeError("the model's loss gave no gradient where one was asked for")
        return values.reshape(pts.shape[:-1]), grads.reshape(pts.shape)

    def _f(self, x: ArrayLike, y: ArrayLike) -> np.ndarray:
        if np.iscomplexobj(x) or np.iscomplexobj(y):
            raise TypeError("a model slice is evaluated at real points only")
        xs, ys = np.broadcast_arrays(
            np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        )
        return self.values_at(np.stack([xs.ravel(), ys.ravel()], axis=1)).reshape(xs.shape)

    def _grad(self, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = np.broadcast_arrays(
            np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        )
        _, grads = self.value_and_grad_at(np.stack([xs.ravel(), ys.ravel()], axis=1))
        return grads[:, 0].reshape(xs.shape), grads[:, 1].reshape(xs.shape)

    def grad(self, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        return self._grad(x, y)

    def _key(self, points: np.ndarray) -> str:
        mark = self.loss.fingerprint()
        mark.array(self.plane.origin).array(self.plane.directions).array(points)
        return mark.hexdigest()

    @contextlib.contextmanager
    def _progress_bar(self, total: int) -> Iterator[Callable[[int], object]]:
        """A tqdm bar on stderr (on a terminal, unless ``progress`` says otherwise); yields
        the function that advances it."""
        from tqdm import tqdm

        shown = sys.stderr.isatty() if self.progress is None else self.progress
        with tqdm(
            total=total,
            disable=not shown,
            unit="point",
            leave=False,
            desc=f"anim: {self.name or 'model loss'}",
            file=sys.stderr,
            dynamic_ncols=True,
        ) as bar:
            yield bar.update

    # --- the picture's grid and the minimum ----------------------------------------------
    def grid(self, resolution: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(xs, ys, values): the ``resolution`` × ``resolution`` grid over the bounds (the
        one a picture draws) and f on it, rows along y."""
        side = self.resolution if resolution is None else _check_resolution(resolution)
        (x0, x1), (y0, y1) = self.bounds
        xs, ys = np.linspace(x0, x1, side), np.linspace(y0, y1, side)
        grid_x, grid_y = np.meshgrid(xs, ys)
        return xs, ys, self._f(grid_x, grid_y)

    def search_minimum(self) -> tuple[float, float]:
        """The lowest point of the slice inside its bounds: the lowest point of the picture's
        grid, refined by L-BFGS (torch's, with a strong-Wolfe line search) on the exact
        gradient. A lowest grid point on the edge of the bounds is no minimum of the
        slice: a ValueError says to widen them."""
        import torch

        xs, ys, values = self.grid()
        if not np.isfinite(values).any():
            raise ValueError("the loss is not finite anywhere in the bounds: no minimum")
        row, column = np.unravel_index(np.nanargmin(values), values.shape)
        side = len(xs)
        if row in (0, side - 1) or column in (0, side - 1):
            raise ValueError(
                f"the slice's lowest point in its bounds, ({xs[column]:.4g}, "
                f"{ys[row]:.4g}), is on their edge: it is no minimum; widen "
                "bounds= to hold one"
            )
        best = np.array([xs[column], ys[row]])
        best_value = float(values[row, column])
        position = torch.tensor(best, dtype=torch.float64, requires_grad=True)
        search = torch.optim.LBFGS(
            [position],
            lr=1,
            max_iter=200,
            tolerance_grad=1e-12,
            tolerance_change=1e-15,
            line_search_fn="strong_wolfe",
        )

        def closure() -> torch.Tensor:
            value, grad = self.value_and_grad_at(position.detach().numpy()[None])
            position.grad = torch.from_numpy(grad[0].copy())
            return torch.tensor(float(value[0]), dtype=torch.float64)

        search.step(closure)
        refined = position.detach().numpy().copy()
        (x0, x1), (y0, y1) = self.bounds
        inside = x0 <= refined[0] <= x1 and y0 <= refined[1] <= y1
        if inside and np.all(np.isfinite(refined)):
            value = self.value_and_grad_at(refined[None])[0][0]
            if value <= best_value:
                best = refined
        return float(best[0]), float(best[1])

    def replace(self, **changes: Any) -> ModelSlice:
        """A copy with some of bounds, minimum (``"search"`` too), name, start, formula,
        resolution changed; f and its gradient come from the model and stay."""
        fixed = {"f", "grad"} & set(changes)
        if fixed:
            raise TypeError(
                f"replace() cannot change {', '.join(sorted(fixed))} of a model "
                "slice: they come from the model"
            )
        args: dict[str, Any] = dict(
            bounds=self.bounds,
            minimum=list(self.minima),
            name=self.name,
            start=self.start,
            formula=self.formula,
            resolution=self.resolution,
        )
        unknown = set(changes) - set(args)
        if unknown:
            raise TypeError(f"replace() got unexpected argument(s): {', '.join(sorted(unknown))}")
        args.update(changes)
        return ModelSlice(
            self.loss,
            self.plane,
            cache_grids=self.cache_grids,
            progress=self.progress,
            memo=self._memo,
            **args,
        )

    def __repr__(self) -> str:
        return (
            f"ModelSlice({self.name!r}, plane={self.plane.kind}, "
            f"{self.loss.size} parameters, bounds={self.bounds})"
        )


def _check_resolution(resolution: object) -> int:
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, (int, np.integer))
        or not 3 <= resolution <= 1000
    ):
        raise ValueError(f"Invalid resolution: {resolution!r} (must be an integer from 3 to 1000)")
    return int(resolution)


# --- from_model ----------------------------------------------------------------------
def make_plane(
    plane: PlaneChoice,
    loss: PlaneLoss,
    runs: Sequence[Recording],
    seed: int,
    biases: Literal["ignore", "include"],
) -> Plane:
    """The :class:`Plane` that ``plane=`` names (see :func:`from_model`)."""
    if isinstance(plane, Plane):
        if plane.size != loss.size:
            raise ValueError(
                f"the plane lies among {plane.size} parameters, but the model has {loss.size}"
            )
        return plane
    if isinstance(plane, str):
        if plane == "random":
            return random_plane(loss.weights(), seed=seed, biases=biases)
        if plane == "pca":
            if not runs:
                raise ValueError(
                    "plane='pca' needs the recorded runs: pass runs=[...] "
                    "(anim.record(model) records them)"
                )
            return pca_plane([run.params for run in runs])
        raise ValueError(
            f"Invalid plane: {plane!r} ('random', 'pca', three parameter "
            "vectors (θ₀, θ₁, θ₂), or two directions (d₁, d₂))"
        )
    if isinstance(plane, (tuple, list)) and len(plane) == 3:
        return plane_through(*(loss.vector(v, name) for v, name in zip(plane, ("θ₀", "θ₁", "θ₂"))))
    if isinstance(plane, (tuple, list)) and len(plane) == 2:
        return plane_along(
            loss.flat(), loss.vector(plane[0], "direction 1"), loss.vector(plane[1], "direction 2")
        )
    raise ValueError(
        f"Invalid plane: {type(plane).__name__} ('random', 'pca', three "
        "parameter vectors (θ₀, θ₁, θ₂), or two directions (d₁, d₂))"
    )


def default_bounds(plane: Plane, run_points: Sequence[np.ndarray]) -> Bounds:
    """What the plane should show: the recorded runs' projections (and the plane's own
    landmarks: its origin, and the three points it was made through) with a margin,
    widened so that neither side is less than half the other. Without runs: (−1, 1)²
    around the origin, or (−0.5, 1.5)² around three points."""
    landmarks = {"points": [(0, 0), (1, 0), (0, 1)], "pca": []}.get(plane.kind, [(0, 0)])
    if not run_points:
        return ((-0.5, 1.5), (-0.5, 1.5)) if plane.kind == "points" else ((-1.0, 1.0),) * 2
    points = np.concatenate(
        [np.asarray(landmarks, dtype=float).reshape(-1, 2)]
        + [plane.project(p)[0] for p in run_points]
    )
    low, high = points.min(axis=0), points.max(axis=0)
    margin = RUN_MARGIN * max(float(np.max(high - low)), 1e-12)
    low, high = low - margin, high + margin
    grow = np.maximum(MIN_SIDE_SHARE * np.max(high - low) - (high - low), 0) / 2
    low, high = low - grow, high + grow
    return ((float(low[0]), float(high[0])), (float(low[1]), float(high[1])))


def from_model(
    model: Model,
    loss_fn: LossFunction,
    data: Data,
    *,
    plane: PlaneChoice = "random",
    runs: Runs | None = None,
    seed: int = 0,
    biases: Literal["ignore", "include"] = "ignore",
    bounds: BoundsLike | None = None,
    resolution: int = DEFAULT_RESOLUTION,
    minimum: MinimumChoice = None,
    start: PointLike | None = None,
    name: str | None = None,
    dtype: object = None,
    device: object = None,
    batch_size: int | None = None,
    chunk_size: int | None = None,
    cache: bool = True,
    progress: bool | None = None,
) -> ModelSlice:
    """A 2D slice of a torch model's loss: a :class:`~anim.Surface` with
    f(x, y) = L(θ₀ + x·d₁ + y·d₂), L = ``loss_fn(model(inputs), targets)`` over all of
    ``data = (inputs, targets)``, and its exact gradient (d₁·∇L, d₂·∇L) by autograd.

    ``plane``:
      - ``"random"`` (default): two filter-normalised random directions around the
        model's parameters (Li et al.), drawn with ``seed``; ``biases="ignore"`` leaves
        one-dimensional parameters (biases, norm layers) out of them, ``"include"`` varies
        them too;
      - ``"pca"``: the plane through the mean of the recorded ``runs`` (from
        :func:`anim.record`), along their first two principal directions;
      - three parameter vectors ``(θ₀, θ₁, θ₂)`` (checkpoints: state dicts, models of the
        same architecture, lists of tensors or flat vectors): the plane through them,
        θ₀ at (0, 0), θ₁ at (1, 0), θ₂ at (0, 1);
      - two directions ``(d₁, d₂)`` around the model's parameters;
      - a :class:`~anim.landscape.Plane`.

    ``bounds`` default to what the plane should show: the runs' projections with a margin,
    (−1, 1)² around the model for random directions. ``minimum``: None (the default: a
    race without a finish line, unless the scene sets a goal), a point, or ``"search"``
    (the lowest point in the bounds, found numerically). ``start``: default the first
    run's start, else the plane's origin. ``resolution``: the side of the grid a picture
    evaluates (101). ``dtype``: float32 or float64 (default: the model's). ``device``:
    default the model's. ``batch_size``: rows per forward pass (memory; the value is
    the same); ``chunk_size``: parameter vectors per vectorized call (default: as many
    as hold about 4,096 rows of data in all, at most 64; one, without vmap, when fewer
    than 4 would). ``cache``: keep
    evaluated grids on disk. ``progress``: a progress bar for grids (default: on a terminal).
    The model, data, loss and plane are checked first: what does not fit fails in one line
    before anything is evaluated.
    """
    _require_torch()
    from .torch_model import ModelLoss  # imports torch: only making a slice needs it

    loss = ModelLoss(
        model,
        loss_fn,
        data,
        dtype=dtype,
        device=device,
        batch_size=batch_size,
        chunk_size=chunk_size,
    )
    recorded = as_runs(runs, loss.size) if runs is not None else []
    chosen = make_plane(plane, loss, recorded, seed, biases)
    if bounds is None:
        bounds = default_bounds(chosen, [run.params for run in recorded])
    if start is None:
        start = (
            tuple(chosen.project(recorded[0].params[0])[0][0])
            if recorded
            else tuple(chosen.project(loss.flat())[0][0])
        )
    point = finite_point(start)
    if point is None:
        raise ValueError(f"start must be a point (x, y) with finite coordinates, got {start!r}")
    formula = chosen.formula
    return ModelSlice(
        loss,
        chosen,
        bounds=bounds,
        minimum=minimum,
        name=name or f"{type(model).__name__} loss",
        start=point,
        formula=formula,
        resolution=resolution,
        cache_grids=cache,
        progress=progress,
    )
