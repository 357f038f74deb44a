"""A 2-variable loss surface: the function, its gradient and what a picture of it needs.

Gradients are exact when the user gives one. Otherwise they come from complex-step
differentiation, df/dx = Im f(x + ih, y) / h, which has no subtractive cancellation and
so is accurate to machine precision for any analytic numpy expression. Code that is not
complex-analytic (abs, sign, casts to float, functions that refuse complex input) is
detected once by comparing against a central difference, and then central differences
are used instead, with a GradientWarning.
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Surface", "GradientWarning"]

#: A point (x, y), as anim gives it back.
Point = tuple[float, float]
#: ((xmin, xmax), (ymin, ymax)), as anim gives it back.
Bounds = tuple[Point, Point]
#: A point as anim takes it: a pair of numbers, or an array of shape (2,).
PointLike = Sequence[float] | np.ndarray
#: Bounds as anim takes them: a pair of (min, max) pairs, or an array of shape (2, 2).
BoundsLike = Sequence[Sequence[float]] | np.ndarray
#: f(x, y) -> z. x and y are numpy arrays (float64, or complex128 for the complex-step
#: gradient); z broadcasts to their shape.
LossFunction = Callable[[Any, Any], ArrayLike]
#: grad(x, y) -> (gx, gy), or one array of shape (2, ...).
GradientFunction = Callable[[Any, Any], ArrayLike]
# One gradient component per axis, each shaped like x and y.
_Gradient = tuple[np.ndarray, np.ndarray]

# Small enough that h**2 vanishes next to f at double precision, far above the
# smallest normal number so h * f'(x) does not underflow for ordinary gradients.
_COMPLEX_STEP = 1e-20

# Central-difference step relative to max(1, |x|): roughly balances truncation
# (h**2 f''') against rounding (eps |f| / h) in double precision.
_CENTRAL_STEP = 1e-6

# A genuine complex step gives Im f = h * f'. An imaginary part this large relative to
# f would mean |f'| > 1e15 (1 + |f|), which in practice only happens when x lies outside
# the real domain of f (log or sqrt of a negative number), where the real f is NaN.
_OFF_DOMAIN_IMAG = 1e-5

# Generic fractions of the bounds box: irrational-looking so the probe avoids the
# symmetric points (0, integers, centres) where abs, sign or ties hide their kinks.
_PROBE_FRACTIONS = np.array(
    [
        [0.2137, 0.6513],
        [0.7231, 0.3187],
        [0.4519, 0.8743],
        [0.8911, 0.1329],
        [0.3571, 0.4421],
    ]
)
_PROBE_RTOL = 1e-4
_PROBE_ATOL = 1e-6
# Below this h * f' is subnormal and the complex step loses digits; such gradients are
# zero for every practical purpose, so they never count as a disagreement.
_PROBE_FLOOR = 1e4 * np.finfo(np.float64).tiny / _COMPLEX_STEP


class GradientWarning(UserWarning):
    """The gradient of a surface is only approximated (central differences)."""


def _show(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def finite_point(value: object) -> Point | None:
    """(x, y) as a tuple of finite floats, or None if `value` is not such a point."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if arr.shape != (2,) or not np.all(np.isfinite(arr)):
        return None
    return (float(arr[0]), float(arr[1]))


def _first_caller_outside_anim() -> int:
    """The ``stacklevel`` that makes a warning point at the user's code (their scene file
    or script), however deep inside anim it was raised."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame: FrameType | None = sys._getframe(1)
    level = 1  # the function that calls warnings.warn
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    return level


class Surface:
    """A loss surface f(x, y) with its gradient, plotting bounds, minima and a start point.

    Parameters
    ----------
    f : callable
        f(x, y) -> z, broadcasting over numpy arrays.
    grad : callable, optional
        grad(x, y) -> (gx, gy) or an array of shape (2, ...). Computed automatically
        when omitted (complex step, or central differences if f is not complex-analytic).
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        Region to draw.
    minimum : (x, y) or list of (x, y), optional
        Every global minimum; stored as `minima`.
    name : str, optional
        Defaults to ``f.__name__`` unless f is a lambda.
    start : (x, y), optional
        Recommended starting point for a race.
    formula : str, optional
        Textbook formula for titles, e.g. ``"x²/20 + y²"``.
    """

    def __init__(
        self,
        f: LossFunction,
        grad: GradientFunction | None = None,
        bounds: BoundsLike | None = None,
        minimum: PointLike | Sequence[PointLike] | None = None,
        name: str | None = None,
        start: PointLike | None = None,
        formula: str | None = None,
    ) -> None:
        if name is not None and not isinstance(name, str):
            raise ValueError(
                f"surface name must be a string or None, got {_show(name)} ({type(name).__name__})"
            )
        if name is None:
            default = getattr(f, "__name__", None)
            if isinstance(default, str) and default != "<lambda>":
                name = default
        self.name: str | None = name
        where = f"surface {name!r}: " if name else ""

        if not callable(f):
            raise ValueError(
                f"{where}f must be a callable f(x, y), got {_show(f)} ({type(f).__name__})"
            )
        if grad is not None and not callable(grad):
            raise ValueError(
                f"{where}grad must be None or a callable grad(x, y) -> (gx, gy), "
                f"got {_show(grad)} ({type(grad).__name__})"
            )
        if formula is not None and not isinstance(formula, str):
            raise ValueError(
                f"{where}formula must be a string or None, "
                f"got {_show(formula)} ({type(formula).__name__})"
            )

        self.f: LossFunction = f
        self._grad_fn = grad
        self.bounds: Bounds | None = None if bounds is None else self._check_bounds(bounds, where)
        self.minima: tuple[Point, ...] = self._check_minima(minimum, where)
        self.start: Point | None
        if start is None:
            self.start = None
        else:
            self.start = finite_point(start)
            if self.start is None:
                raise ValueError(
                    f"{where}start must be a point (x, y) with finite coordinates, "
                    f"got {_show(start)}"
                )
        self.formula: str | None = formula
        self._method: str | None = "analytic" if grad is not None else None

    @staticmethod
    def _check_bounds(bounds: object, where: str) -> Bounds:
        try:
            arr = np.asarray(bounds, dtype=np.float64)
        except (TypeError, ValueError):
            arr = None
        if (
            arr is None
            or arr.shape != (2, 2)
            or not np.all(np.isfinite(arr))
            or not np.all(arr[:, 0] < arr[:, 1])
        ):
            raise ValueError(
                f"{where}bounds must be ((xmin, xmax), (ymin, ymax)) with finite numbers, "
                f"xmin < xmax and ymin < ymax, got {_show(bounds)}"
            )
        return ((float(arr[0, 0]), float(arr[0, 1])), (float(arr[1, 0]), float(arr[1, 1])))

    @staticmethod
    def _check_minima(minimum: object, where: str) -> tuple[Point, ...]:
        if minimum is None:
            return ()
        expected = (
            f"{where}minimum must be None, a point (x, y) or a list of points (x, y) "
            f"with finite coordinates, got {_show(minimum)}"
        )
        try:
            arr = np.asarray(minimum, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(expected) from None
        if arr.size == 0:
            return ()
        if arr.shape == (2,):
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != 2 or not np.all(np.isfinite(arr)):
            raise ValueError(expected)
        return tuple((float(x), float(y)) for x, y in arr)

    # ------------------------------------------------------------------ values

    @property
    def _label(self) -> str:
        return repr(self.name) if self.name else "unnamed surface"

    def _eval(self, x: np.ndarray, y: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        z = np.asarray(self.f(x, y))
        return z if z.shape == shape else self._broadcast(z, shape)

    def _broadcast(self, z: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        try:
            return np.broadcast_to(z, shape)
        except ValueError:
            raise ValueError(
                f"f of {self._label} returned shape {z.shape}, expected shape {shape}"
            ) from None

    def __call__(self, x: ArrayLike, y: ArrayLike) -> np.ndarray:
        """f(x, y) evaluated on float64 arrays, broadcast to the shape of the inputs."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        shape = np.broadcast_shapes(x.shape, y.shape)
        return np.asarray(self._eval(x, y, shape), dtype=np.float64)

    # --------------------------------------------------------------- gradient

    @property
    def gradient_method(self) -> str:
        """How the gradient is computed: "analytic", "complex-step" or "central-difference".

        Without a user gradient, the first access (or first gradient) probes f once.
        """
        return self._resolved_method()

    def grad(self, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """(gx, gy): float64 arrays broadcast to the shape of x and y."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        shape = np.broadcast_shapes(x.shape, y.shape)
        if self._grad_fn is not None:
            return self._analytic(self._grad_fn, x, y, shape)
        if self._resolved_method() == "complex-step":
            gx, gy = self._complex_step(x, y, shape)
        else:
            _, gx, gy = self._central(x, y, shape, with_value=False)
        return gx, gy

    def value_and_grad_at(self, points: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """f and its gradient at `points` of shape (n, 2): (values (n,), grads (n, 2))."""
        pts = np.asarray(points, dtype=np.float64)
        if pts.ndim == 0 or pts.shape[-1] != 2:
            raise ValueError(f"points must have shape (n, 2), got shape {pts.shape}")
        x, y = pts[..., 0], pts[..., 1]
        shape = x.shape
        if self._grad_fn is not None:
            values = np.asarray(self._eval(x, y, shape), dtype=np.float64)
            gx, gy = self._analytic(self._grad_fn, x, y, shape)
        elif self._resolved_method() == "complex-step":
            values = np.asarray(self._eval(x, y, shape), dtype=np.float64)
            gx, gy = self._complex_step(x, y, shape)
            # Outside the real domain of f the complex extension still has a value.
            bad = ~np.isfinite(values)
            if bad.any():
                gx = np.where(bad, np.nan, gx)
                gy = np.where(bad, np.nan, gy)
        else:
            values, gx, gy = self._central(x, y, shape, with_value=True)
        grads = np.empty(shape + (2,))
        grads[..., 0] = gx
        grads[..., 1] = gy
        return values, grads

    def _analytic(
        self, grad: GradientFunction, x: np.ndarray, y: np.ndarray, shape: tuple[int, ...]
    ) -> _Gradient:
        g = grad(x, y)
        expected = f"expected a pair (gx, gy), each of shape {shape}"
        if isinstance(g, (tuple, list)):
            if len(g) != 2:
                raise ValueError(f"gradient of {self._label} returned {len(g)} values, {expected}")
            parts = [np.asarray(c, dtype=np.float64) for c in g]
        else:
            arr = np.asarray(g, dtype=np.float64)
            if arr.ndim == 0 or arr.shape[0] != 2:
                raise ValueError(
                    f"gradient of {self._label} returned one array of shape {arr.shape}, {expected}"
                )
            parts = [arr[0], arr[1]]
        try:
            gx, gy = (c if c.shape == shape else np.broadcast_to(c, shape) for c in parts)
        except ValueError:
            got = (
                f"shapes {tuple(c.shape for c in parts)}"
                if isinstance(g, (tuple, list))
                else f"one array of shape {np.shape(g)}"
            )
            raise ValueError(f"gradient of {self._label} returned {got}, {expected}") from None
        return gx, gy

    def _complex_step(self, x: np.ndarray, y: np.ndarray, shape: tuple[int, ...]) -> _Gradient:
        """(gx, gy) from one call of f on a stacked complex batch."""
        h = _COMPLEX_STEP
        xs = np.empty((2,) + shape, dtype=np.complex128)
        ys = np.empty((2,) + shape, dtype=np.complex128)
        xs[0] = x + 1j * h
        xs[1] = x
        ys[0] = y
        ys[1] = y + 1j * h
        z = self._eval(xs, ys, (2,) + shape)
        if np.iscomplexobj(z):
            re, im = z.real, z.imag
        else:
            re, im = z.astype(np.float64, copy=False), np.zeros(z.shape)
        gx = im[0] / h
        gy = im[1] / h
        off = np.abs(im) > _OFF_DOMAIN_IMAG * (1.0 + np.abs(re))
        if off.any():
            off = off[0] | off[1]
            gx = np.where(off, np.nan, gx)
            gy = np.where(off, np.nan, gy)
        return gx, gy

    @overload
    def _central(
        self, x: np.ndarray, y: np.ndarray, shape: tuple[int, ...], with_value: Literal[True]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...
    @overload
    def _central(
        self, x: np.ndarray, y: np.ndarray, shape: tuple[int, ...], with_value: Literal[False]
    ) -> tuple[None, np.ndarray, np.ndarray]: ...

    def _central(
        self, x: np.ndarray, y: np.ndarray, shape: tuple[int, ...], with_value: bool
    ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        """(f or None, gx, gy) from one call of f on a stacked batch of shifted points."""
        if x.shape != shape or y.shape != shape:
            x, y = np.broadcast_to(x, shape), np.broadcast_to(y, shape)
        hx = _CENTRAL_STEP * np.maximum(1.0, np.abs(x))
        hy = _CENTRAL_STEP * np.maximum(1.0, np.abs(y))
        xp, xm, yp, ym = x + hx, x - hx, y + hy, y - hy
        xs = [xp, xm, x, x]
        ys = [y, y, yp, ym]
        if with_value:
            xs.append(x)
            ys.append(y)
        z = np.asarray(self._eval(np.stack(xs), np.stack(ys), (len(xs),) + shape), dtype=np.float64)
        # Dividing by the representable spacing xp - xm, not 2h, removes the error of
        # rounding x + h.
        gx = (z[0] - z[1]) / (xp - xm)
        gy = (z[2] - z[3]) / (yp - ym)
        return (z[4] if with_value else None), gx, gy

    def _resolved_method(self) -> str:
        if self._method is None:
            reason = self._probe()
            if reason is None:
                self._method = "complex-step"
            else:
                self._method = "central-difference"
                warnings.warn(
                    f"gradient of {self._label} is approximated by central differences because "
                    f"f is not complex-differentiable ({reason}); "
                    "pass grad= for an exact gradient",
                    GradientWarning,
                    stacklevel=_first_caller_outside_anim(),
                )
        return self._method

    def _probe_points(self) -> _Gradient:
        if self.bounds is not None:
            lo = np.array([self.bounds[0][0], self.bounds[1][0]])
            hi = np.array([self.bounds[0][1], self.bounds[1][1]])
            pts = lo + _PROBE_FRACTIONS * (hi - lo)
        else:
            centre = np.array(self.start or (self.minima[0] if self.minima else (0.0, 0.0)))
            pts = centre + np.maximum(1.0, np.abs(centre)) * (2.0 * _PROBE_FRACTIONS - 1.0)
        return pts[:, 0], pts[:, 1]

    def _probe(self) -> str | None:
        """None if the complex step agrees with a central difference, else why it does not.

        Points one at a time: a point outside f's real domain (where f itself raises or is
        NaN) says nothing about complex-differentiability and is skipped.
        """
        x, y = self._probe_points()
        verdict = None
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for px, py in zip(x, y):
                point = (np.array([px]), np.array([py]))
                try:
                    value, gx_c, gy_c = self._central(*point, (1,), with_value=True)
                except Exception:  # f's own domain: the start check reports it properly
                    continue
                try:
                    gx_s, gy_s = self._complex_step(*point, (1,))
                except Exception as exc:  # anything f raises on complex input means "cannot"
                    return f"it raised {type(exc).__name__} on complex input"
                verdict = verdict or self._disagreement(point, value, (gx_c, gy_c), (gx_s, gy_s))
        return verdict

    @staticmethod
    def _disagreement(
        point: _Gradient, value: np.ndarray, central: _Gradient, stepped: _Gradient
    ) -> str | None:
        values = (value, *central, *stepped)
        if not all(np.isfinite(v[0]) for v in values):
            return None
        scale = abs(value[0])
        for g_s, g_c, coord in zip(stepped, central, point):
            tol = _PROBE_RTOL * max(abs(g_s[0]), abs(g_c[0]))
            tol += _PROBE_ATOL * scale / max(1.0, abs(coord[0])) + _PROBE_FLOOR
            if abs(g_s[0] - g_c[0]) > tol:
                return (
                    f"complex-step gradient ({stepped[0][0]:.6g}, {stepped[1][0]:.6g}) "
                    f"differs from central difference ({central[0][0]:.6g}, "
                    f"{central[1][0]:.6g}) at ({point[0][0]:.6g}, {point[1][0]:.6g})"
                )
        return None

    # ------------------------------------------------------------------ misc

    def nearest_minimum(self, point: PointLike) -> Point | None:
        """The declared minimum closest to `point`, or None if there is none."""
        p = finite_point(point)
        if p is None:
            raise ValueError(
                f"point must be a point (x, y) with finite coordinates, got {_show(point)}"
            )
        if not self.minima:
            return None
        return min(self.minima, key=lambda m: math.hypot(m[0] - p[0], m[1] - p[1]))

    def replace(self, **changes: Any) -> Surface:
        """A copy with some constructor arguments changed, e.g. ``s.replace(start=(0, 1))``."""
        args: dict[str, Any] = dict(
            f=self.f,
            grad=self._grad_fn,
            bounds=self.bounds,
            minimum=list(self.minima),
            name=self.name,
            start=self.start,
            formula=self.formula,
        )
        unknown = set(changes) - set(args)
        if unknown:
            raise TypeError(f"replace() got unexpected argument(s): {', '.join(sorted(unknown))}")
        args.update(changes)
        return Surface(**args)

    def __repr__(self) -> str:
        parts = [repr(self.name) if self.name else "unnamed"]
        if self.bounds is not None:
            parts.append(f"bounds={self.bounds}")
        if self.minima:
            parts.append(f"minima={self.minima}")
        if self.start is not None:
            parts.append(f"start={self.start}")
        return f"Surface({', '.join(parts)})"
