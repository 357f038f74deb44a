"""Surface: automatic gradients, validation, and the library of classic test surfaces."""

import ast
import math
import pathlib
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anim.surface import GradientWarning, Surface
from anim.surfaces import SURFACES

ANIM = pathlib.Path(__file__).resolve().parent.parent / "anim"

# Textbook global minimum values; every other surface with minima has minimum 0.
MINIMUM_VALUE = {"goldstein_price": 3.0, "six_hump_camel": -1.031628453489877}
NO_MINIMUM = {"saddle", "monkey_saddle"}


def random_points(bounds, n, seed=0):
    (x0, x1), (y0, y1) = bounds
    rng = np.random.default_rng(seed)
    return rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)


def grid(bounds, n=601):
    (x0, x1), (y0, y1) = bounds
    return np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))


@pytest.fixture(params=sorted(SURFACES))
def surface(request):
    return SURFACES[request.param]()


# --------------------------------------------------------------- the library


def test_library_lists_every_factory():
    import anim.surfaces as lib

    assert set(SURFACES) <= set(lib.__all__)
    assert "SURFACES" in lib.__all__
    assert set(SURFACES) == {
        "rosenbrock",
        "beale",
        "himmelblau",
        "booth",
        "goldstein_price",
        "rastrigin",
        "ackley",
        "six_hump_camel",
        "matyas",
        "levi13",
        "saddle",
        "monkey_saddle",
        "ravine",
    }


def test_metadata(surface):
    assert surface.name in SURFACES
    assert isinstance(surface.formula, str) and surface.formula
    assert surface.bounds is not None
    assert surface.start is not None
    assert surface.gradient_method == "analytic"
    if surface.name in NO_MINIMUM:
        assert surface.minima == ()
    else:
        assert len(surface.minima) >= 1


def test_value_at_minima(surface):
    expected = MINIMUM_VALUE.get(surface.name, 0.0)
    for m in surface.minima:
        assert float(surface(*m)) == pytest.approx(expected, abs=1e-13)


def test_gradient_vanishes_at_minima(surface):
    for m in surface.minima:
        gx, gy = surface.grad(*m)
        assert math.hypot(gx, gy) < 1e-9


def newton(surface, x, y, iterations=30, h=1e-6):
    """Stationary points reached by Newton's method from (x, y), Hessian from the gradient."""
    for _ in range(iterations):
        gx, gy = surface.grad(x, y)
        hxx, hyx = (np.stack(surface.grad(x + h, y)) - np.stack(surface.grad(x - h, y))) / (2 * h)
        hxy, hyy = (np.stack(surface.grad(x, y + h)) - np.stack(surface.grad(x, y - h))) / (2 * h)
        det = hxx * hyy - hxy * hyx
        with np.errstate(all="ignore"):
            x, y = x - (hyy * gx - hxy * gy) / det, y - (hxx * gy - hyx * gx) / det
    return x, y


def test_declared_minima_are_all_the_global_minima(surface):
    if not surface.minima:
        return
    gx, gy = grid(surface.bounds)
    z = surface(gx, gy)
    fmin = float(surface(*surface.minima[0]))
    assert z.min() >= fmin - 1e-9
    # Grid points no higher than their 8 neighbours: every basin shows up as one. Those
    # nearly as low as the minimum are polished by Newton's method.
    core = z[1:-1, 1:-1]
    is_min = np.ones(core.shape, dtype=bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                is_min &= core <= z[1 + di : z.shape[0] - 1 + di, 1 + dj : z.shape[1] - 1 + dj]
    low = is_min & (core <= fmin + 0.05 * (1 + abs(fmin)))
    x, y = newton(surface, gx[1:-1, 1:-1][low], gy[1:-1, 1:-1][low])
    with np.errstate(all="ignore"):
        best = np.isfinite(x) & np.isfinite(y) & (surface(x, y) <= fmin + 1e-9)
    minima = np.array(surface.minima)
    distance = np.hypot(x[best, None] - minima[:, 0], y[best, None] - minima[:, 1])
    assert np.all(distance.min(axis=1) < 1e-6), "an undeclared global minimum"
    assert np.all(distance.min(axis=0) < 1e-6), "a declared minimum the grid does not find"


def test_bounds_contain_minima_and_start(surface):
    (x0, x1), (y0, y1) = surface.bounds
    for x, y in (*surface.minima, surface.start):
        assert x0 < x < x1 and y0 < y < y1


def test_analytic_gradient_matches_complex_step(surface):
    auto = Surface(surface.f, bounds=surface.bounds)
    x, y = random_points(surface.bounds, 500)
    x = np.append(x, surface.start[0])
    y = np.append(y, surface.start[1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", GradientWarning)
        expected = np.stack(surface.grad(x, y))
        got = np.stack(auto.grad(x, y))
        assert auto.gradient_method == "complex-step"
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14 * np.abs(expected).max())


def test_value_and_grad_at_agrees_with_f_and_grad(surface):
    x, y = random_points(surface.bounds, 7, seed=1)
    values, grads = surface.value_and_grad_at(np.column_stack([x, y]))
    np.testing.assert_allclose(values, surface(x, y), rtol=1e-15)
    np.testing.assert_allclose(grads, np.column_stack(surface.grad(x, y)), rtol=1e-15)


def test_himmelblau_nearest_minimum():
    s = SURFACES["himmelblau"]()
    assert s.nearest_minimum((3.1, 2.1)) == (3.0, 2.0)
    assert s.nearest_minimum((-3, -3)) == (-3.779310253377747, -3.2831859912861696)
    assert SURFACES["saddle"]().nearest_minimum((0, 0)) is None


def test_parameters_move_the_minimum_and_formula():
    s = SURFACES["rosenbrock"](a=2, b=10)
    assert s.minima == ((2.0, 4.0),)
    assert float(s(2, 4)) == 0.0
    assert s.formula == "(2 − x)² + 10(y − x²)²"
    (x0, x1), (y0, y1) = s.bounds
    assert x0 < 2 < x1 and y0 < 4 < y1
    assert SURFACES["ravine"](scale=5).formula == "x²/5 + y²"
    assert SURFACES["ravine"]().formula == "x²/20 + y²"
    assert SURFACES["rastrigin"](a=5).formula.startswith("10 + x²")
    with pytest.raises(ValueError, match=r"Invalid scale: -1.0 \(must be a finite number > 0\)"):
        SURFACES["ravine"](scale=-1)
    with pytest.raises(ValueError, match=r"Invalid b: 0.0 \(must be a finite number > 0\)"):
        SURFACES["rosenbrock"](b=0)


def test_modules_do_not_import_matplotlib():
    for name in ("surface.py", "surfaces.py"):
        tree = ast.parse((ANIM / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            assert not any(m.split(".")[0] == "matplotlib" for m in modules), name


# ----------------------------------------------------------- automatic gradient

EXPRESSIONS = [
    (
        lambda x, y: np.sin(x) * np.cos(y),
        lambda x, y: (np.cos(x) * np.cos(y), -np.sin(x) * np.sin(y)),
    ),
    (
        lambda x, y: np.exp(0.5 * x * y),
        lambda x, y: (0.5 * y * np.exp(0.5 * x * y), 0.5 * x * np.exp(0.5 * x * y)),
    ),
    (
        lambda x, y: np.log(1 + x**2 + y**2),
        lambda x, y: (2 * x / (1 + x**2 + y**2), 2 * y / (1 + x**2 + y**2)),
    ),
    (
        lambda x, y: np.sqrt(1 + x**2 + 2 * y**2),
        lambda x, y: (x / np.sqrt(1 + x**2 + 2 * y**2), 2 * y / np.sqrt(1 + x**2 + 2 * y**2)),
    ),
    (
        lambda x, y: x**3 * y**2 - x**5 + 7 * y,
        lambda x, y: (3 * x**2 * y**2 - 5 * x**4, 2 * x**3 * y + 7),
    ),
    (
        lambda x, y: (1 + x**2) ** 1.5 * y,
        lambda x, y: (3 * x * (1 + x**2) ** 0.5 * y, (1 + x**2) ** 1.5),
    ),
    (
        lambda x, y: np.arctan(x * y),
        lambda x, y: (y / (1 + (x * y) ** 2), x / (1 + (x * y) ** 2)),
    ),
    (
        lambda x, y: np.tanh(x - 2 * y),
        lambda x, y: (1 - np.tanh(x - 2 * y) ** 2, -2 * (1 - np.tanh(x - 2 * y) ** 2)),
    ),
    (
        lambda x, y: np.sin(np.exp(x / 2) + y**2),
        lambda x, y: (
            np.cos(np.exp(x / 2) + y**2) * np.exp(x / 2) / 2,
            np.cos(np.exp(x / 2) + y**2) * 2 * y,
        ),
    ),
    (
        lambda x, y: x / (1 + y**2) + np.exp(-(x**2) - y**2) * np.cos(3 * x),
        lambda x, y: (
            1 / (1 + y**2) + np.exp(-(x**2) - y**2) * (-2 * x * np.cos(3 * x) - 3 * np.sin(3 * x)),
            -2 * x * y / (1 + y**2) ** 2 - 2 * y * np.exp(-(x**2) - y**2) * np.cos(3 * x),
        ),
    ),
]


@pytest.mark.parametrize("f, grad", EXPRESSIONS)
def test_autograd_of_expressions_is_exact(f, grad):
    s = Surface(f, bounds=((-2, 2), (-2, 2)))
    x, y = random_points(s.bounds, 300, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = np.stack(s.grad(x, y))
    assert s.gradient_method == "complex-step"
    expected = np.stack(grad(x, y))
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14 * np.abs(expected).max())


def test_autograd_keeps_broadcast_shape_and_dtype():
    s = Surface(lambda x, y: x**2 * y)
    gx, gy = s.grad(np.arange(3)[:, None], np.arange(4))
    assert gx.shape == gy.shape == (3, 4)
    assert gx.dtype == gy.dtype == np.float64
    np.testing.assert_array_equal(gx, 2 * np.arange(3)[:, None] * np.arange(4))
    gx, gy = s.grad(3, 2)
    assert gx.shape == () and float(gx) == 12.0 and float(gy) == 9.0


def test_autograd_of_a_constant():
    s = Surface(lambda x, y: 4.0)
    gx, gy = s.grad(np.ones(3), 0.0)
    np.testing.assert_array_equal(gx, np.zeros(3))
    np.testing.assert_array_equal(gy, np.zeros(3))
    assert s.gradient_method == "complex-step"


def test_np_maximum_and_where_stay_exact():
    # numpy orders complex numbers by real part first, so a branch chooses the same arm
    # as in real arithmetic and the complex step remains valid.
    s = Surface(
        lambda x, y: np.maximum(x, 0.5 * y) ** 2 + np.where(y > 0, y**3, -y),
        bounds=((-2, 2), (-2, 2)),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", GradientWarning)
        gx, gy = s.grad(np.array([1.0, -1.0]), np.array([0.5, 1.0]))
    assert s.gradient_method == "complex-step"
    np.testing.assert_allclose(gx, [2.0, 0.0], rtol=1e-14)
    np.testing.assert_allclose(gy, [0.75, 0.5 + 3.0], rtol=1e-14)


def test_outside_the_real_domain_gives_nan_not_garbage():
    s = Surface(lambda x, y: np.log(x) + np.sqrt(y))
    with np.errstate(all="ignore"):
        values, grads = s.value_and_grad_at([[1.0, 4.0], [-1.0, 1.0], [1.0, -4.0]])
        gx, gy = s.grad(-1.0, 1.0)
    np.testing.assert_allclose(grads[0], [1.0, 0.25])
    assert np.isnan(values[1:]).all() and np.isnan(grads[1:]).all()
    assert np.isnan(gx) and np.isnan(gy)


def test_gradient_is_probed_lazily():
    calls = []

    def bowl(x, y):
        calls.append(np.asarray(x).dtype)
        return x**2 + y**2

    s = Surface(bowl)
    assert calls == []
    s.grad(1.0, 2.0)
    assert s.gradient_method == "complex-step"
    n = len(calls)
    s.grad(1.0, 2.0)
    assert len(calls) == n + 1  # one stacked complex call per gradient, no re-probing


@given(
    st.lists(st.floats(-10, 10, allow_nan=False), min_size=5, max_size=5),
    st.floats(-100, 100, allow_nan=False),
    st.floats(-100, 100, allow_nan=False),
)
@settings(max_examples=150, deadline=None)
def test_autograd_of_random_quadratics(coefficients, x, y):
    a, b, c, d, e = coefficients
    s = Surface(lambda x, y: a * x**2 + b * x * y + c * y**2 + d * x + e * y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", GradientWarning)
        gx, gy = s.grad(x, y)
    assert s.gradient_method == "complex-step"
    terms_x = abs(2 * a * x) + abs(b * y) + abs(d)
    terms_y = abs(b * x) + abs(2 * c * y) + abs(e)
    # h * gradient underflows below ~1e-288; nothing on a plot is that flat.
    assert float(gx) == pytest.approx(
        2 * a * x + b * y + d, rel=1e-10, abs=1e-14 * terms_x + 1e-280
    )
    assert float(gy) == pytest.approx(
        b * x + 2 * c * y + e, rel=1e-10, abs=1e-14 * terms_y + 1e-280
    )


# ------------------------------------------------------ central-difference fallback


def refuses_complex(x, y):
    if np.iscomplexobj(x) or np.iscomplexobj(y):
        raise TypeError("real numbers only")
    return np.sin(x) + x * y**2


def with_abs(x, y):
    return np.abs(x) * y + y**2


def casts_to_real(x, y):
    return np.asarray(x, dtype=np.float64) ** 2 + 3 * np.asarray(y, dtype=np.float64)


FALLBACKS = [
    (refuses_complex, lambda x, y: (np.cos(x) + y**2, 2 * x * y), "TypeError"),
    (with_abs, lambda x, y: (np.sign(x) * y, np.abs(x) + 2 * y), "differs"),
    (casts_to_real, lambda x, y: (2 * x, 3 + 0 * y), "differs"),
    (
        lambda x, y: x * np.sign(x) + np.hypot(1, y),
        lambda x, y: (np.sign(x), y / np.hypot(1, y)),
        "on complex input",
    ),
]


@pytest.mark.parametrize("f, grad, reason", FALLBACKS)
def test_fallback_warns_once_and_uses_central_differences(f, grad, reason):
    s = Surface(f, bounds=((-3, 3), (-2, 2)), name="odd")
    x, y = random_points(s.bounds, 50, seed=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = np.stack(s.grad(x, y))
        s.grad(x, y)
        _, grads = s.value_and_grad_at(np.column_stack([x, y]))
        assert s.gradient_method == "central-difference"
    assert len(caught) == 1
    w = caught[0]
    assert w.category is GradientWarning and issubclass(GradientWarning, UserWarning)
    message = str(w.message)
    assert "'odd'" in message and "central differences" in message
    assert "not complex-differentiable" in message and "grad=" in message and reason in message
    assert w.filename == __file__
    expected = np.stack(grad(x, y))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(grads, expected.T, rtol=1e-5, atol=1e-5)


def test_fallback_warning_is_per_surface_and_mentioned_by_the_property():
    with pytest.warns(GradientWarning, match="unnamed surface"):
        assert Surface(lambda x, y: np.abs(x + y)).gradient_method == "central-difference"
    with pytest.warns(GradientWarning, match="'with_abs'"):
        Surface(with_abs).grad(1.0, 1.0)


def test_central_differences_evaluate_f_on_float64():
    dtypes = set()

    def f(x, y):
        dtypes.add(np.asarray(x).dtype)
        return np.abs(x) + y

    s = Surface(f)
    with pytest.warns(GradientWarning):
        s.grad(1, 2)
    dtypes.clear()
    s.grad(np.arange(3), 2)
    s.value_and_grad_at([[1, 2]])
    s(np.arange(3), 1)
    assert dtypes == {np.dtype(np.float64)}


def test_central_difference_step_scales_with_x():
    s = Surface(lambda x, y: np.abs(x) ** 3 + 0 * y)
    with pytest.warns(GradientWarning):
        gx, _ = s.grad(np.array([1e-3, 1.0, 1e4]), 0.0)
    np.testing.assert_allclose(gx, 3 * np.array([1e-3, 1.0, 1e4]) ** 2, rtol=1e-6)


# -------------------------------------------------------------------- user grad


def bowl(x, y):
    return x**2 + y**2


def test_user_grad_tuple_array_and_broadcast():
    s = Surface(bowl, grad=lambda x, y: np.array([2 * x, 2 * y]))
    gx, gy = s.grad(np.array([1, 2]), np.array([3, 3]))
    np.testing.assert_array_equal(gx, [2.0, 4.0])
    np.testing.assert_array_equal(gy, [6.0, 6.0])
    assert gx.dtype == np.float64
    s = Surface(bowl, grad=lambda x, y: (2 * x, 0))
    gx, gy = s.grad(np.ones((2, 3)), np.ones((2, 3)))
    assert gx.shape == gy.shape == (2, 3) and gy.dtype == np.float64
    assert s.gradient_method == "analytic"


@pytest.mark.parametrize(
    "bad, x, message",
    [
        (
            lambda x, y: np.zeros(3),
            1.0,
            "gradient of 'bowl' returned one array of shape (3,), expected a pair (gx, gy), "
            "each of shape ()",
        ),
        (
            lambda x, y: 5.0,
            1.0,
            "gradient of 'bowl' returned one array of shape (), expected a pair (gx, gy), "
            "each of shape ()",
        ),
        (
            lambda x, y: (x, y, x),
            1.0,
            "gradient of 'bowl' returned 3 values, expected a pair (gx, gy), each of shape ()",
        ),
        (
            lambda x, y: (np.zeros(3), np.zeros(3)),
            np.zeros(2),
            "gradient of 'bowl' returned shapes ((3,), (3,)), expected a pair (gx, gy), "
            "each of shape (2,)",
        ),
        (
            lambda x, y: np.zeros((2, 5)),
            np.zeros(2),
            "gradient of 'bowl' returned one array of shape (2, 5), expected a pair (gx, gy), "
            "each of shape (2,)",
        ),
    ],
)
def test_user_grad_of_wrong_shape(bad, x, message):
    s = Surface(bowl, grad=bad)
    with pytest.raises(ValueError) as info:
        s.grad(x, 1.0)
    assert str(info.value) == message


def test_f_of_wrong_shape():
    s = Surface(lambda x, y: np.zeros(5), name="flat")
    with pytest.raises(
        ValueError, match=r"f of 'flat' returned shape \(5,\), expected shape \(3,\)"
    ):
        s(np.zeros(3), 0.0)


# ------------------------------------------------------------- value_and_grad_at


@pytest.mark.parametrize(
    "make",
    [
        lambda: Surface(bowl, grad=lambda x, y: (2 * x, 2 * y)),
        lambda: Surface(bowl),
        lambda: Surface(lambda x, y: np.abs(x) ** 2 + y**2),
    ],
    ids=["analytic", "complex-step", "central-difference"],
)
def test_value_and_grad_at_shapes(make):
    s = make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GradientWarning)
        values, grads = s.value_and_grad_at(np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]]))
        assert values.shape == (3,) and grads.shape == (3, 2)
        assert values.dtype == grads.dtype == np.float64
        np.testing.assert_allclose(values, [5.0, 10.0, 0.25])
        np.testing.assert_allclose(
            grads, [[2.0, 4.0], [6.0, -2.0], [1.0, 0.0]], rtol=1e-7, atol=1e-9
        )
        values, grads = s.value_and_grad_at([[1, 1]])
        assert values.shape == (1,) and grads.shape == (1, 2)
        values, grads = s.value_and_grad_at(np.empty((0, 2)))
        assert values.shape == (0,) and grads.shape == (0, 2)
        with pytest.raises(ValueError, match=r"points must have shape \(n, 2\), got shape \(3,\)"):
            s.value_and_grad_at([1.0, 2.0, 3.0])


def test_value_and_grad_at_is_one_vectorized_batch():
    calls = []

    def counted(x, y):
        calls.append(np.shape(x))
        return x**2 + y**2

    s = Surface(counted)
    assert s.gradient_method == "complex-step"  # probed outside the count
    calls.clear()
    s.value_and_grad_at(np.ones((6, 2)))
    assert len(calls) == 2  # f itself, then one stacked complex-step batch


# -------------------------------------------------------------------- validation


def test_defaults_and_normalisation():
    s = Surface(bowl)
    assert s.name == "bowl"
    assert s.bounds is None and s.start is None and s.formula is None
    assert s.minima == ()
    assert Surface(lambda x, y: x).name is None
    s = Surface(
        bowl,
        bounds=np.array([[-1, 1], [-2, 2]]),
        minimum=(0, 0),
        start=np.array([1, 1]),
        formula="x² + y²",
    )
    assert s.bounds == ((-1.0, 1.0), (-2.0, 2.0)) and isinstance(s.bounds[0][0], float)
    assert s.minima == ((0.0, 0.0),) and s.start == (1.0, 1.0)
    assert Surface(bowl, minimum=[(0, 1), (2, 3)]).minima == ((0.0, 1.0), (2.0, 3.0))
    assert Surface(bowl, minimum=[]).minima == ()
    assert Surface(bowl, name="custom").name == "custom"


def test_call_evaluates_on_float64_and_broadcasts():
    seen = []

    def f(x, y):
        seen.append((x.dtype, y.dtype))
        return 1.0 + 0 * x

    z = Surface(f)(np.arange(3)[:, None], np.arange(2))
    assert seen == [(np.float64, np.float64)]
    assert z.shape == (3, 2) and z.dtype == np.float64


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"f": 3}, r"f must be a callable f\(x, y\), got 3 \(int\)"),
        (
            {"grad": "slope"},
            r"grad must be None or a callable grad\(x, y\) -> \(gx, gy\), got 'slope' \(str\)",
        ),
        (
            {"bounds": ((1, 0), (0, 1))},
            r"bounds must be \(\(xmin, xmax\), \(ymin, ymax\)\).*got \(\(1, 0\), \(0, 1\)\)",
        ),
        ({"bounds": ((0, 1), (0, 0))}, r"xmin < xmax and ymin < ymax, got \(\(0, 1\), \(0, 0\)\)"),
        (
            {"bounds": ((0, math.inf), (0, 1))},
            r"bounds must be .* finite numbers.*got \(\(0, inf\), \(0, 1\)\)",
        ),
        ({"bounds": (0, 1)}, r"bounds must be .*got \(0, 1\)"),
        ({"bounds": "wide"}, r"bounds must be .*got 'wide'"),
        (
            {"minimum": (1, 2, 3)},
            r"minimum must be None, a point \(x, y\) or a list of points .*got \(1, 2, 3\)",
        ),
        (
            {"minimum": [(0, 0), (1, math.nan)]},
            r"minimum must be .*finite coordinates, got \[\(0, 0\), \(1, nan\)\]",
        ),
        ({"minimum": "origin"}, r"minimum must be .*got 'origin'"),
        ({"start": (0,)}, r"start must be a point \(x, y\) with finite coordinates, got \(0,\)"),
        ({"start": (math.inf, 0)}, r"start must be a point .*got \(inf, 0\)"),
        ({"start": "here"}, r"start must be a point .*got 'here'"),
        ({"name": 3}, r"surface name must be a string or None, got 3 \(int\)"),
        ({"formula": 2}, r"formula must be a string or None, got 2 \(int\)"),
    ],
)
def test_validation(kwargs, message):
    args = {"f": bowl, **kwargs}
    with pytest.raises(ValueError, match=message):
        Surface(**args)


def test_validation_messages_name_the_surface():
    with pytest.raises(ValueError, match=r"^surface 'bowl': start must be"):
        Surface(bowl, start=(1, 2, 3))


def test_nearest_minimum_and_replace():
    s = Surface(bowl, minimum=[(0, 0), (5, 5)], start=(1, 1), bounds=((-9, 9), (-9, 9)))
    assert s.nearest_minimum((4, 4.5)) == (5.0, 5.0)
    assert s.nearest_minimum(np.array([0.1, -0.2])) == (0.0, 0.0)
    assert Surface(bowl).nearest_minimum((1, 1)) is None
    with pytest.raises(ValueError, match="point must be a point"):
        s.nearest_minimum((1, 2, 3))
    t = s.replace(start=(2, 3))
    assert t.start == (2.0, 3.0) and t.minima == s.minima and t.bounds == s.bounds and t.f is s.f
    lib = SURFACES["rosenbrock"]().replace(bounds=((-3, 3), (-3, 3)))
    assert lib.gradient_method == "analytic" and lib.name == "rosenbrock"
    with pytest.raises(TypeError, match="colour"):
        s.replace(colour="red")
    assert "bowl" in repr(s)
