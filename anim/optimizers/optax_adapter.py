"""Race any optax optimizer: :func:`from_optax`.

jax and optax are imported only when it is called. Every start point has its own optax
state (batched, stepped by one compiled, vmapped call), so a global-norm clip sees only
its own gradient.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol

import numpy as np
from numpy.typing import ArrayLike

from ..combinations import message
from ..schedules import Schedule, as_schedule
from .adapters import _Adapter, _require
from .arrays import _as_points
from .base import Color, LearningRate, ValueAndGrad
from .checks import step_lr

# jax and optax are imported only when an adapter is made, so here their objects (arrays,
# optax states) are typed Any.


class GradientTransformationLike(Protocol):
    """An optax ``GradientTransformation``: a pair of pure functions."""

    @property
    def init(self) -> Callable[..., Any]: ...
    @property
    def update(self) -> Callable[..., Any]: ...


class OptaxState(NamedTuple):
    """Steps taken; the optax state of every row the race started with, batched along a
    first axis (a pytree of arrays); and which of those rows still race. Finished rows
    stay in the batch (unread), so the compiled step keeps one shape for the whole race."""

    step: int
    states: Any
    rows: np.ndarray


class OptaxOptimizer(_Adapter):
    """An optax ``GradientTransformation`` racing in float64; made by :func:`from_optax`,
    from a transformation (``optax.adam(0.1)``) or from a factory and its settings
    (``optax.adam, lr=0.1``), which can be built again at another learning rate."""

    State = OptaxState
    #: One learning rate per row, in a copy made by :meth:`_at_rates`.
    _rates: np.ndarray | None = None

    def __init__(
        self,
        transformation: GradientTransformationLike | Callable[..., Any],
        name: str | None = None,
        label: str | None = None,
        color: Color | None = None,
        lr: LearningRate | None = None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        self._jax = _require("jax", "optax", "from_optax")
        self._optax = _require("optax", "optax", "from_optax")
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"Invalid name for from_optax: {name!r} (must be a non-empty string)")
        self._factory: Callable[..., Any] | None = None
        self._settings = dict(settings or {})
        self._compiled: dict[str, Any] = {}
        hyperparameters: dict[str, Any] = {}
        built: GradientTransformationLike
        if isinstance(transformation, self._optax.GradientTransformation):
            if lr is not None or settings:
                raise TypeError(
                    "from_optax takes settings only with a factory such as "
                    "optax.adam, not with a transformation already built"
                )
            built = transformation
        elif callable(transformation):
            built, hyperparameters = self._build(transformation, lr, settings or {})
            name = name or f"optax {transformation.__name__}"
        else:
            raise ValueError(
                "from_optax needs an optax GradientTransformation such as "
                f"optax.adam(0.1), or a factory and its learning rate such as "
                f"from_optax(optax.adam, lr=0.1); got {transformation!r}"
            )
        self._transformation = built
        #: A factory with a constant rate is built inside the compiled step with each row's
        #: own rate, so a rate sweep is one batch.
        self._rates_per_row = self._factory is not None and self._schedule is None
        self._setup(name or "optax", hyperparameters, label, color)

    def _build(
        self, factory: Callable[..., Any], lr: LearningRate | None, settings: dict[str, Any]
    ) -> tuple[GradientTransformationLike, dict[str, Any]]:
        """The factory's transformation at ``lr``, and the hyperparameters to show."""
        self._factory = factory
        accepted: Mapping[str, inspect.Parameter]
        try:
            accepted = inspect.signature(factory).parameters
        except (TypeError, ValueError):
            accepted = {}
        if accepted and "learning_rate" not in accepted:
            raise TypeError(
                f"from_optax: {getattr(factory, '__name__', factory)!r} takes no "
                "learning_rate; build the transformation yourself and pass it"
            )
        if lr is None:
            raise TypeError(
                f"from_optax({factory.__name__}, ...) needs lr=, the learning rate to build it with"
            )
        unknown = [key for key in settings if accepted and key not in accepted]
        if unknown:
            known = [key for key in accepted if key != "learning_rate"]
            raise TypeError(
                f"optax {factory.__name__} has no setting {unknown[0]!r}; its "
                f"settings are: {', '.join(known)}"
            )
        schedule = as_schedule(lr) if callable(lr) and not isinstance(lr, numbers.Real) else None
        if schedule is None and (
            isinstance(lr, bool)
            or not isinstance(lr, numbers.Real)
            or not math.isfinite(lr)
            or lr <= 0
        ):
            raise ValueError(f"Invalid learning rate: {lr!r} (must be > 0 or a schedule)")
        self._schedule = schedule
        # A schedule is read by the race at each step and handed to the compiled step as
        # that step's constant rate, so the state never depends on it.
        first = float(lr) if schedule is None else step_lr(schedule, 0, factory.__name__)
        try:
            built = factory(learning_rate=first, **settings)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"optax {factory.__name__}: {exc}") from None
        if not isinstance(built, self._optax.GradientTransformation):
            raise ValueError(
                f"from_optax: {factory.__name__}(...) returned {built!r}, not "
                "an optax GradientTransformation"
            )
        return built, {"lr": schedule if schedule is not None else float(lr), **settings}

    #: The packages whose code runs the steps.
    libraries = ("jax", "optax")

    @property
    def not_tunable(self) -> str | None:
        if self._factory is None:
            return message("optax-not-tunable", label=self.label)
        return None

    def _rebuilt(self, lr: float | Schedule) -> OptaxOptimizer:
        factory = self._factory
        if factory is None:  # with_lr asks not_tunable first
            raise ValueError(message("optax-not-tunable", label=self.label))
        name = self.name if self.name != f"optax {factory.__name__}" else None
        return OptaxOptimizer(factory, name=name, color=self.color, lr=lr, settings=self._settings)

    def __repr__(self) -> str:
        args = [
            f"{key}={value!r}"
            for key, value in (("name", self.name), ("label", self._label), ("color", self.color))
            if value is not None
        ]
        if self._factory is not None:
            settings = [f"{key}={value!r}" for key, value in self._given.items()]
            return (
                f"from_optax({self._factory.__module__}.{self._factory.__name__}, "
                f"{', '.join(settings + args)})"
            )
        return f"from_optax(<GradientTransformation>, {', '.join(args)})"

    def _x64(self) -> contextlib.AbstractContextManager[Any]:
        # Only inside: switching x64 on for good would change the user's other jax code.
        if hasattr(self._jax, "enable_x64"):
            return self._jax.enable_x64(True)
        # jax before the config context managers; today's jax no longer has this one.
        from jax.experimental import enable_x64  # type: ignore[attr-defined]

        return enable_x64()

    def _at_rates(self, rates: np.ndarray) -> OptaxOptimizer | None:
        if not self._rates_per_row:
            return None
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy._rates = rates
        return copy

    def _kernel(self) -> Callable[..., Any]:
        """The step of every row at once, compiled once: ``jit(vmap(update))``, each row
        with its own state (and, for a factory, its own learning rate)."""
        kernel = self._compiled.get("step")  # a dict shared with every _at_rates copy
        if kernel is not None:
            return kernel
        jax, optax, factory, settings = self._jax, self._optax, self._factory, self._settings
        transformation = self._transformation

        def one(lr: Any, grad: Any, state: Any, x: Any) -> tuple[Any, Any]:
            tx = transformation if factory is None else factory(learning_rate=lr, **settings)
            updates, state = tx.update(grad, state, x)
            return optax.apply_updates(x, updates), state

        kernel = self._compiled["step"] = jax.jit(jax.vmap(one))
        return kernel

    def init(self, params: ArrayLike) -> OptaxState:
        """The optax state of every row, batched; every row racing."""
        points = _as_points(params, "params")
        jax, jnp = self._jax, self._jax.numpy
        with self._x64():
            states = jax.vmap(self._transformation.init)(jnp.asarray(points))
        return OptaxState(0, states, np.arange(len(points)))

    def select(self, state: OptaxState, keep: ArrayLike) -> OptaxState:
        return state._replace(rows=state.rows[np.asarray(keep, dtype=bool)])

    def update(
        self,
        grads: ArrayLike,
        state: OptaxState,
        params: ArrayLike,
        *,
        value_and_grad: ValueAndGrad | None = None,
    ) -> tuple[np.ndarray, OptaxState]:
        """``updates, s = tx.update(g, s, x); x = optax.apply_updates(x, updates)`` for
        every row, as one compiled, vectorized call."""
        points = _as_points(params, "params")
        gradients = _as_points(grads, "grads")
        if not isinstance(state, OptaxState) or len(state.rows) != len(points):
            raise ValueError(
                f"{self.name} needs a state from its own init() for {len(points)} point(s)"
            )
        jnp, step = self._jax.numpy, state.step + 1
        size = (
            int(self._jax.tree_util.tree_leaves(state.states)[0].shape[0])
            if self._jax.tree_util.tree_leaves(state.states)
            else len(points)
        )
        full_x, full_g = np.zeros((size, 2)), np.zeros((size, 2))
        full_x[state.rows], full_g[state.rows] = points, gradients
        lrs = np.ones(size)
        if self._factory is not None:
            lrs[state.rows] = (
                np.ravel(self._rates) if self._rates is not None else self.lr_at(state.step)
            )
        with self._x64():
            try:
                moved, states = self._kernel()(
                    jnp.asarray(lrs), jnp.asarray(full_g), state.states, jnp.asarray(full_x)
                )
                moved = np.asarray(moved)
            except Exception as exc:  # the transformation's code: reported, with its step
                raise self._failed(step, exc) from exc
        return moved[state.rows].copy(), OptaxState(step, states, state.rows)


def from_optax(
    transformation: GradientTransformationLike | Callable[..., Any],
    lr: LearningRate | None = None,
    /,
    *,
    name: str | None = None,
    label: str | None = None,
    color: Color | None = None,
    **settings: Any,
) -> OptaxOptimizer:
    """Race an optax optimizer, built or as a factory and its settings::

        from_optax(optax.adam(0.1), name="Adam")      # a GradientTransformation
        from_optax(optax.adam, lr=0.1, b1=0.95)       # a factory: optax.adam(0.1, b1=0.95)

    (``learning_rate=``, optax's own keyword, is taken for ``lr=`` as well.)

    The factory form can be built again at another learning rate, so ``anim tune`` and
    ``render --tuned`` work with it (``lr`` may be a schedule); its default name is
    "optax adam". A built transformation's default name is "optax".

    In float64 (x64 switched on only while it steps), each start point with its own state,
    so a global-norm clip sees only its own gradient. The path equals a plain
    ``init``/``update``/``apply_updates`` loop with x64 enabled. ``name`` names it in the
    legend and in JSON. Needs ``pip install 'anim[optax]'``.
    """
    # lr as anim's optimizers call it, or learning_rate as optax's factories do.
    for keyword in ("lr", "learning_rate"):
        if keyword in settings:
            if lr is not None:
                raise TypeError(
                    f"from_optax got the learning rate twice (again as "
                    f"{keyword}=): give it once, as lr="
                )
            lr = settings.pop(keyword)
    return OptaxOptimizer(
        transformation, name=name, label=label, color=color, lr=lr, settings=settings
    )
