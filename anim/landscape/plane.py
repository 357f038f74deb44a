"""A plane through parameter space: an origin and two directions, and the coordinates
(x, y) of any parameter vector in it. Pure numpy.

A model's loss on the plane, f(x, y) = L(origin + x·d₁ + y·d₂), is the surface anim
draws and races on. Four ways to choose the plane:

- :func:`random_plane`: two filter-normalised random directions around the model's
  parameters (Li et al., 2018, "Visualizing the loss landscape of neural nets"): each
  filter's direction (a row of a weight: one output unit of a linear layer, one output
  channel of a convolution) is scaled to that filter's norm in the weights, so the
  picture does not depend on how each layer happens to be scaled;
- :func:`pca_plane`: the plane through the mean of recorded training runs, spanned by
  their first two principal directions (orthonormal);
- :func:`plane_through`: the plane through three parameter vectors θ₀, θ₁, θ₂ (e.g.
  checkpoints), θ₀ at (0, 0), θ₁ at (1, 0) and θ₂ at (0, 1);
- :func:`plane_along`: an origin and two explicit directions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Plane", "pca_plane", "plane_along", "plane_through", "random_plane"]

#: Two directions whose sine of the angle between them is below this span a line.
PARALLEL_SINE = 1e-6
#: PCA: a second singular value below this share of the first means the runs move on a line.
FLAT_SHARE = 1e-9


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Plane:
    """``origin`` (P,) and ``directions`` (2, P), float64; ``kind`` says how it was made
    ("random", "pca", "points", "directions") and ``formula`` how a title writes a point
    of it. ``variance`` (PCA only): the share of the runs' variance each direction holds."""

    origin: np.ndarray
    directions: np.ndarray
    kind: str
    formula: str
    variance: tuple[float, float] | None = None
    #: directions @ directions.T, which every projection solves with.
    _gram: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        origin = np.array(self.origin, dtype=np.float64)
        directions = np.array(self.directions, dtype=np.float64)
        origin.flags.writeable = directions.flags.writeable = False
        object.__setattr__(self, "origin", origin)
        object.__setattr__(self, "directions", directions)
        gram = directions @ directions.T
        object.__setattr__(self, "_gram", gram)

    @property
    def size(self) -> int:
        """How many parameters the plane lives among."""
        return self.origin.size

    def point(self, x: float, y: float) -> np.ndarray:
        """The parameter vector at (x, y): origin + x·d₁ + y·d₂."""
        return self.origin + x * self.directions[0] + y * self.directions[1]

    def points(self, coordinates: ArrayLike) -> np.ndarray:
        """(n, P) parameter vectors at coordinates (n, 2)."""
        points = np.asarray(coordinates, dtype=np.float64).reshape(-1, 2)
        return self.origin + points @ self.directions

    def project(self, thetas: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """(coordinates (n, 2), distances (n,)) of parameter vectors ``thetas`` (n, P):
        the point of the plane nearest each (least squares), and how far each lies from it."""
        vectors = np.atleast_2d(np.asarray(thetas, dtype=np.float64))
        if vectors.shape[1] != self.size:
            raise ValueError(
                f"parameter vectors of size {vectors.shape[1]} cannot be projected "
                f"on a plane among {self.size} parameters"
            )
        offsets = vectors - self.origin
        coordinates = np.linalg.solve(self._gram, self.directions @ offsets.T).T
        residual = offsets - coordinates @ self.directions
        return coordinates, np.sqrt(np.einsum("ij,ij->i", residual, residual))


def _check_directions(directions: np.ndarray, what: tuple[str, str]) -> None:
    """A one-line ValueError when a direction is zero, not finite, or both are parallel."""
    for name, direction in zip(what, directions):
        if not np.all(np.isfinite(direction)):
            raise ValueError(f"{name} is not finite (it holds NaN or infinity)")
        if not np.any(direction):
            raise ValueError(f"{name} is zero: a plane needs two directions of non-zero length")
    norms = np.linalg.norm(directions, axis=1)
    cosine = float(directions[0] @ directions[1] / (norms[0] * norms[1]))
    if 1.0 - min(abs(cosine), 1.0) ** 2 < PARALLEL_SINE**2:
        raise ValueError(
            f"{what[0]} and {what[1]} are parallel (cosine {cosine:.9g}): they "
            "span a line, not a plane"
        )


def _vector(value: ArrayLike, size: int, what: str) -> np.ndarray:
    vector = np.asarray(value, dtype=np.float64).reshape(-1)
    if vector.size != size:
        raise ValueError(f"{what} has {vector.size} numbers, but the model has {size} parameters")
    return vector


def plane_along(origin: ArrayLike, d1: ArrayLike, d2: ArrayLike) -> Plane:
    """The plane through ``origin`` along the directions ``d1`` and ``d2`` (flat vectors)."""
    start = np.asarray(origin, dtype=np.float64).reshape(-1)
    directions = np.stack(
        [_vector(d1, start.size, "direction 1"), _vector(d2, start.size, "direction 2")]
    )
    _check_directions(directions, ("direction 1", "direction 2"))
    return Plane(start, directions, "directions", "L(θ₀ + x·d₁ + y·d₂)")


def plane_through(theta0: ArrayLike, theta1: ArrayLike, theta2: ArrayLike) -> Plane:
    """The plane through three parameter vectors: θ₀ + x(θ₁ − θ₀) + y(θ₂ − θ₀)."""
    origin = np.asarray(theta0, dtype=np.float64).reshape(-1)
    first = _vector(theta1, origin.size, "θ₁")
    second = _vector(theta2, origin.size, "θ₂")
    if not np.all(np.isfinite(origin)):
        raise ValueError("θ₀ is not finite (it holds NaN or infinity)")
    for name, point in (("θ₁", first), ("θ₂", second)):
        if np.array_equal(point, origin):
            raise ValueError(f"{name} equals θ₀: three different points make a plane")
    if np.array_equal(first, second):
        raise ValueError("θ₂ equals θ₁: three different points make a plane")
    directions = np.stack([first - origin, second - origin])
    try:
        _check_directions(directions, ("θ₁ − θ₀", "θ₂ − θ₀"))
    except ValueError as exc:
        if "parallel" in str(exc):
            raise ValueError("θ₀, θ₁ and θ₂ lie on one line: they span no plane") from None
        raise
    return Plane(origin, directions, "points", "L(θ₀ + x(θ₁ − θ₀) + y(θ₂ − θ₀))")


def filter_normalized(
    weights: Sequence[np.ndarray], generator: np.random.Generator, biases: str
) -> np.ndarray:
    """One random direction, flat, scaled filter by filter to the weights' norms.

    A parameter of two or more dimensions is a stack of filters along its first axis; each
    filter's random direction gets that filter's norm in the weights. Parameters of one
    dimension (biases, the scales and shifts of norm layers) get a zero direction with
    ``biases="ignore"`` (Li et al.'s default: the picture varies the weights only), or with
    ``biases="include"`` a random direction scaled to the whole parameter's norm.
    """
    parts = []
    for weight in weights:
        direction = generator.standard_normal(weight.shape)
        if weight.ndim <= 1:
            if biases == "ignore":
                direction = np.zeros(weight.shape)
            else:
                direction *= np.linalg.norm(weight) / np.linalg.norm(direction)
        else:
            rows = direction.reshape(len(direction), -1)
            scale = np.linalg.norm(weight.reshape(len(weight), -1), axis=1) / np.linalg.norm(
                rows, axis=1
            )
            direction = (rows * scale[:, None]).reshape(weight.shape)
        parts.append(direction.reshape(-1))
    return np.concatenate(parts)


def random_plane(
    weights: Sequence[ArrayLike], seed: int = 0, biases: Literal["ignore", "include"] = "ignore"
) -> Plane:
    """Two filter-normalised random directions around ``weights`` (the model's parameters,
    in order), drawn from numpy's generator seeded with ``seed``."""
    if biases not in ("ignore", "include"):
        raise ValueError(f"Invalid biases: {biases!r} (choose 'ignore' or 'include')")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"Invalid seed: {seed!r} (must be an integer >= 0)")
    arrays = [np.asarray(w, dtype=np.float64) for w in weights]
    generator = np.random.default_rng(int(seed))
    directions = np.stack([filter_normalized(arrays, generator, biases) for _ in range(2)])
    origin = np.concatenate([w.reshape(-1) for w in arrays])
    if not np.any(directions[0]):
        raise ValueError(
            "the random directions are zero: the model has no weight of two or "
            "more dimensions (use biases='include', or another plane)"
        )
    _check_directions(directions, ("direction 1", "direction 2"))
    return Plane(origin, directions, "random", "L(θ₀ + x·δ₁ + y·δ₂)")


def pca_plane(paths: Sequence[ArrayLike]) -> Plane:
    """The plane through the mean of every recorded point of ``paths`` (each (k, P)),
    spanned by their first two principal directions: PCA of all runs together, so runs
    of different optimizers share one plane.

    Each direction is oriented so that the first run moves along it from its start to its
    end (x and y grow along the first run).
    """
    runs = [np.asarray(p, dtype=np.float64) for p in paths]
    points = np.concatenate(runs)
    mean = points.mean(axis=0)
    centred = points - mean
    # The right singular vectors are the principal directions; there are at most as many
    # as points, so the thin SVD of the (points, P) matrix is cheap for any P.
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    if singular.size < 2 or singular[0] == 0:
        raise ValueError(
            "the recorded runs never move: their parameters are the same at "
            "every step, so they span no plane"
        )
    if singular[1] <= FLAT_SHARE * singular[0]:
        raise ValueError(
            "the recorded runs move along one line in parameter space: their "
            "PCA has a single direction, so it spans no plane (use "
            "plane='random' or three checkpoints)"
        )
    directions = vt[:2].copy()
    travel = runs[0][-1] - runs[0][0]
    for row in directions:
        if row @ travel < 0:
            row *= -1
    variance = singular**2 / np.sum(singular**2)
    return Plane(
        mean,
        directions,
        "pca",
        "L(θ̄ + x·pc₁ + y·pc₂)",
        variance=(float(variance[0]), float(variance[1])),
    )
