"""Classic optimization test surfaces, each with a hand-written gradient.

Formulas, bounds and minima follow the optimization test-function literature
(Jamil & Yang 2013; Wikipedia, "Test functions for optimization"); the bounds of a few
are narrowed so that the interesting part fills the picture. Minima given to full
double precision were refined with Newton's method in 50-digit arithmetic.

Every factory returns a new `Surface`; `SURFACES` maps each name to its factory.
`from_model` (a slice of a torch model's loss, from :mod:`anim.landscape`) is not in
`SURFACES`: it needs a model.
"""

from __future__ import annotations

import math

import numpy as np

from .landscape.slice import from_model
from .surface import Surface

__all__ = [
    "SURFACES",
    "ackley",
    "beale",
    "booth",
    "from_model",
    "goldstein_price",
    "himmelblau",
    "levi13",
    "matyas",
    "monkey_saddle",
    "rastrigin",
    "ravine",
    "rosenbrock",
    "saddle",
    "six_hump_camel",
]

_TAU = 2.0 * np.pi


def _num(value: float) -> str:
    """A parameter as it should read in a formula: 100, not 100.0; a real minus sign."""
    return f"{value:g}".replace("-", "−")


def _finite(name: str, value: float, positive: bool = False) -> float:
    expected = "a finite number > 0" if positive else "a finite number"
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid {name}: {value!r} (must be {expected})") from None
    if not math.isfinite(number) or positive and number <= 0:
        raise ValueError(f"Invalid {name}: {number!r} (must be {expected})")
    return number


def _positive(name: str, value: float) -> float:
    return _finite(name, value, positive=True)


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    """Rosenbrock's banana valley: (a − x)² + b(y − x²)², minimum 0 at (a, a²)."""
    a = _finite("a", a)
    b = _positive("b", b)

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        valley = y - x * x
        return -2.0 * (a - x) - 4.0 * b * x * valley, 2.0 * b * valley

    half_width = max(2.0, abs(a) + 1.0)
    first = "x²" if a == 0 else f"({_num(a)} − x)²" if a > 0 else f"(x + {_num(-a)})²"
    second = "(y − x²)²" if b == 1 else f"{_num(b)}(y − x²)²"
    return Surface(
        f,
        grad=grad,
        bounds=((-half_width, half_width), (-1.0, max(3.0, a * a + 1.0))),
        minimum=(a, a * a),
        name="rosenbrock",
        # On the far side of the valley from the minimum: the race is along the banana.
        start=(-1.5, 2.0) if a >= 0 else (1.5, 2.0),
        formula=f"{first} + {second}",
    )


def beale() -> Surface:
    """Beale's function: flat plateaus and steep walls, minimum 0 at (3, 0.5)."""

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2

    def grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t1 = 1.5 - x + x * y
        t2 = 2.25 - x + x * y**2
        t3 = 2.625 - x + x * y**3
        gx = 2.0 * (t1 * (y - 1.0) + t2 * (y**2 - 1.0) + t3 * (y**3 - 1.0))
        gy = 2.0 * x * (t1 + 2.0 * t2 * y + 3.0 * t3 * y**2)
        return gx, gy

    return Surface(
        f,
        grad=grad,
        bounds=((-4.5, 4.5), (-4.5, 4.5)),
        minimum=(3.0, 0.5),
        name="beale",
        start=(1.0, 1.5),
        formula="(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
    )


def himmelblau() -> Surface:
    """Himmelblau's function: four global minima, all 0."""

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2

    def grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u = x * x + y - 11.0
        v = x + y * y - 7.0
        return 4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v

    return Surface(
        f,
        grad=grad,
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
        minimum=[
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.2831859912861696),
            (3.5844283403304917, -1.8481265269644036),
        ],
        name="himmelblau",
        # Just off the local maximum at (-0.2708, -0.9230): from here optimizers with
        # different dynamics roll into different basins.
        start=(-0.27, -0.9),
        formula="(x² + y − 11)² + (x + y² − 7)²",
    )


def booth() -> Surface:
    """Booth's function: a tilted quadratic bowl, minimum 0 at (1, 3)."""

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2

    def grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u = x + 2.0 * y - 7.0
        v = 2.0 * x + y - 5.0
        return 2.0 * u + 4.0 * v, 4.0 * u + 2.0 * v

    return Surface(
        f,
        grad=grad,
        bounds=((-10.0, 10.0), (-10.0, 10.0)),
        minimum=(1.0, 3.0),
        name="booth",
        start=(-7.0, -8.0),
        formula="(x + 2y − 7)² + (2x + y − 5)²",
    )


def goldstein_price() -> Surface:
    """Goldstein–Price function: values from 3 to about 10⁶, minimum 3 at (0, −1)."""

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        u = x + y + 1.0
        p = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y
        v = 2.0 * x - 3.0 * y
        q = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y
        return (1.0 + u * u * p) * (30.0 + v * v * q)

    def grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u = x + y + 1.0
        p = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y
        v = 2.0 * x - 3.0 * y
        q = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y
        big_a = 1.0 + u * u * p
        big_b = 30.0 + v * v * q
        # dp/dx = dp/dy = −14 + 6x + 6y.
        da = 2.0 * u * p + u * u * (-14.0 + 6.0 * x + 6.0 * y)
        db_dx = 4.0 * v * q + v * v * (-32.0 + 24.0 * x - 36.0 * y)
        db_dy = -6.0 * v * q + v * v * (48.0 - 36.0 * x + 54.0 * y)
        return da * big_b + big_a * db_dx, da * big_b + big_a * db_dy

    return Surface(
        f,
        grad=grad,
        bounds=((-2.0, 2.0), (-2.0, 2.0)),
        minimum=(0.0, -1.0),
        name="goldstein_price",
        # Plain descent reaches (0, -1); adaptive methods tend to stop in the local
        # minimum f = 30 at (-0.6, -0.4).
        start=(-1.5, -1.5),
        formula=(
            "[1 + (x + y + 1)²(19 − 14x + 3x² − 14y + 6xy + 3y²)]"
            "·[30 + (2x − 3y)²(18 − 32x + 12x² + 48y − 36xy + 27y²)]"
        ),
    )


def rastrigin(a: float = 10.0) -> Surface:
    """Rastrigin's function in 2-D: a bowl covered in local minima, minimum 0 at (0, 0)."""
    a = _finite("a", a)
    if a < 0:
        raise ValueError(f"Invalid a: {a!r} (must be a finite number >= 0)")

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return 2.0 * a + (x * x - a * np.cos(_TAU * x)) + (y * y - a * np.cos(_TAU * y))

    def grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return 2.0 * x + _TAU * a * np.sin(_TAU * x), 2.0 * y + _TAU * a * np.sin(_TAU * y)

    if a == 0:
        formula = "x² + y²"
    else:
        formula = f"{_num(2 * a)} + x² − {_num(a)}cos(2πx) + y² − {_num(a)}cos(2πy)"
    return Surface(
        f,
        grad=grad,
        bounds=((-5.12, 5.12), (-5.12, 5.12)),
        minimum=(0.0, 0.0),
        name="rastrigin",
        start=(-4.5, 4.2),
        formula=formula,
    )


def ackley() -> Surface:
    """Ackley's function: a nearly flat, rippled plateau around a sharp funnel at (0, 0)."""

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r = np.sqrt(0.5 * (x * x + y * y))
        return (
            -20.0 * np.exp(-0.2 * r)
            - np.exp(0.5 * (np.cos(_TAU * x) + np.cos(_TAU * y)))
            + np.e
            + 20.0
        )

    def grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.asarray(x)
        y = np.asarray(y)
        r = np.sqrt(0.5 * (x * x + y * y))
        # The funnel tip is a cone point; 0 is the subgradient that keeps it a fixed point.
        tip = r == 0
        funnel = np.where(tip, 0.0, 2.0 * np.exp(-0.2 * r) / np.where(tip, 1.0, r))
        ripple = np.pi * np.exp(0.5 * (np.cos(_TAU * x) + np.cos(_TAU * y)))
        return funnel * x + ripple * np.sin(_TAU * x), funnel * y + ripple * np.sin(_TAU * y)

    return Surface(
        f,
        grad=grad,
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
        minimum=(0.0, 0.0),
        name="ackley",
        start=(2.2, 1.4),
        formula="−20exp(−0.2√(0.5(x² + y²))) − exp(0.5(cos 2πx + cos 2πy)) + e + 20",
    )


def six_hump_camel() -> Surface:
    """Six-hump camel function: two global minima ±(0.0898, −0.7127), f = −1.0316."""

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        x2 = x * x
        y2 = y * y
        return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2

    def grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x2 = x * x
        return 8.0 * x - 8.4 * x * x2 + 2.0 * x * x2 * x2 + y, x - 8.0 * y + 16.0 * y * y * y

    return Surface(
        f,
        grad=grad,
        # The literature's (-3, 3) x (-2, 2) is dominated by the walls; this shows the humps.
        bounds=((-2.0, 2.0), (-1.0, 1.0)),
        minimum=[
            (0.08984201310031806, -0.7126564030207396),
            (-0.08984201310031806, 0.7126564030207396),
        ],
        name="six_hump_camel",
        # Between a global and two local minima: step size decides where a racer lands.
        start=(-1.3, -0.95),
        formula="(4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²",
    )


def matyas() -> Surface:
    """Matyas function: a flat valley along x = y, minimum 0 at (0, 0)."""

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return 0.26 * (x * x + y * y) - 0.48 * x * y

    def grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x

    return Surface(
        f,
        grad=grad,
        bounds=((-10.0, 10.0), (-10.0, 10.0)),
        minimum=(0.0, 0.0),
        name="matyas",
        start=(8.0, 3.0),
        formula="0.26(x² + y²) − 0.48xy",
    )


def levi13() -> Surface:
    """Lévi function N.13: ripples on a bowl, minimum 0 at (1, 1)."""

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (
            np.sin(3.0 * np.pi * x) ** 2
            + (x - 1.0) ** 2 * (1.0 + np.sin(3.0 * np.pi * y) ** 2)
            + (y - 1.0) ** 2 * (1.0 + np.sin(2.0 * np.pi * y) ** 2)
        )

    def grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # d/dt sin²(kt) = k sin(2kt)
        sin2_3y = np.sin(3.0 * np.pi * y) ** 2
        sin2_2y = np.sin(2.0 * np.pi * y) ** 2
        gx = 3.0 * np.pi * np.sin(6.0 * np.pi * x) + 2.0 * (x - 1.0) * (1.0 + sin2_3y)
        gy = (
            3.0 * np.pi * (x - 1.0) ** 2 * np.sin(6.0 * np.pi * y)
            + 2.0 * (y - 1.0) * (1.0 + sin2_2y)
            + 2.0 * np.pi * (y - 1.0) ** 2 * np.sin(4.0 * np.pi * y)
        )
        return gx, gy

    return Surface(
        f,
        grad=grad,
        # The literature's (-10, 10)² holds 60 ripples per axis: too busy for a frame.
        bounds=((-4.0, 6.0), (-4.0, 6.0)),
        minimum=(1.0, 1.0),
        name="levi13",
        start=(-3.0, 4.5),
        formula="sin²(3πx) + (x − 1)²(1 + sin²(3πy)) + (y − 1)²(1 + sin²(2πy))",
    )


def saddle() -> Surface:
    """The saddle x² − y²: no minimum; a start near the ridge shows who escapes first."""

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return x * x - y * y

    def grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return 2.0 * x, -2.0 * y

    return Surface(
        f,
        grad=grad,
        bounds=((-2.0, 2.0), (-2.0, 2.0)),
        minimum=None,
        name="saddle",
        start=(-1.8, 0.05),
        formula="x² − y²",
    )


def monkey_saddle() -> Surface:
    """The monkey saddle x³ − 3xy²: three valleys meeting at a flat point, no minimum."""

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return x**3 - 3.0 * x * y * y

    def grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return 3.0 * (x * x - y * y), -6.0 * x * y

    return Surface(
        f,
        grad=grad,
        bounds=((-2.0, 2.0), (-2.0, 2.0)),
        minimum=None,
        name="monkey_saddle",
        start=(1.5, 0.1),
        formula="x³ − 3xy²",
    )


def ravine(scale: float = 20.0) -> Surface:
    """The elongated bowl x²/scale + y²: steep across, shallow along; minimum 0 at (0, 0)."""
    scale = _positive("scale", scale)

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return x * x / scale + y * y

    def grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return 2.0 * x / scale, 2.0 * y

    return Surface(
        f,
        grad=grad,
        bounds=((-10.0, 10.0), (-5.0, 5.0)),
        minimum=(0.0, 0.0),
        name="ravine",
        start=(-7.0, 2.0),
        formula="x² + y²" if scale == 1 else f"x²/{_num(scale)} + y²",
    )


SURFACES = {
    "rosenbrock": rosenbrock,
    "beale": beale,
    "himmelblau": himmelblau,
    "booth": booth,
    "goldstein_price": goldstein_price,
    "rastrigin": rastrigin,
    "ackley": ackley,
    "six_hump_camel": six_hump_camel,
    "matyas": matyas,
    "levi13": levi13,
    "saddle": saddle,
    "monkey_saddle": monkey_saddle,
    "ravine": ravine,
}
