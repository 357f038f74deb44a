"""The optimizer protocol and the base class of every optimizer.

Every optimizer — built in, ``@anim.optimizer``, ``from_torch``, ``from_optax`` — offers
the same batch protocol on float64 arrays of shape (n, 2), n start points racing at once,
one state row per start:

- ``init(params) -> state``;
- ``update(grads, state, params, *, value_and_grad=None) -> (new_params, new_state)``,
  where ``value_and_grad(points) -> (f, grad)`` lets a closure-based optimizer (LBFGS)
  evaluate the surface again; the race always passes it;
- ``select(state, keep) -> state``: the state of the rows where the boolean ``keep`` is
  True, so that a race can drop finished starts whatever the optimizer's kind;
- ``with_lr(lr) -> optimizer``: the same optimizer at another learning rate (tuning);
- ``step_glyphs(state, step)``: what the step glyphs draw, per family;

plus ``name``, ``label`` (legend text), ``color`` (None or ``'#rrggbb'``) and
``hyperparameters`` (JSON-ready). ``label`` and ``color`` only change how it is drawn.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, NamedTuple, Protocol

import numpy as np
from numpy.typing import ArrayLike

from ..combinations import message
from ..schedules import Schedule
from .arrays import _as_points, _frozen, select_rows
from .checks import _SYMBOLS, Color, _Hyper, check_color, check_label, step_lr

#: A learning rate: a number > 0, a schedule (:mod:`anim.schedules`), or any callable
#: ``step -> lr``.
LearningRate = float | Schedule | Callable[[int], float]
#: An optimizer's state, each family's own: a NamedTuple of arrays (built-ins), the step
#: function's dict (``@anim.optimizer``), torch optimizers or optax states (adapters).
#: Only the optimizer that made it reads it.
OptimizerState = Any
#: ``value_and_grad(points) -> (f, grad)`` at points of shape (n, 2): shapes (n,), (n, 2).
ValueAndGrad = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
#: What the step glyphs draw after a step: the velocity as the step it stands for and the
#: per-axis step scale, each (n, 2), or None where the algorithm has none.
StepGlyphs = tuple[np.ndarray | None, np.ndarray | None]


class StepCountingState(Protocol):
    """A built-in's state: a NamedTuple whose first field, ``step``, counts the updates."""

    @property
    def step(self) -> int: ...
    @property
    def _fields(self) -> tuple[str, ...]: ...
    def __iter__(self) -> Iterator[Any]: ...


# --------------------------------------------------------------------------- base class


def _accept_value_and_grad(cls: type[Optimizer]) -> None:
    """Let an own subclass's ``update(grads, state, params)`` be called as the race calls
    every optimizer, with ``value_and_grad=`` (which it does not need)."""
    update = vars(cls).get("update")
    if update is None:
        return
    try:
        parameters = inspect.signature(update).parameters.values()
    except (TypeError, ValueError):
        return
    if any(p.name == "value_and_grad" or p.kind is p.VAR_KEYWORD for p in parameters):
        return

    @functools.wraps(update)
    def accepting(
        self: Optimizer,
        grads: ArrayLike,
        state: OptimizerState,
        params: ArrayLike,
        *,
        value_and_grad: ValueAndGrad | None = None,
    ) -> tuple[np.ndarray, OptimizerState]:
        return update(self, grads, state, params)

    # Replacing a method of the class being made is what this hook is for.
    cls.update = accepting  # type: ignore[method-assign]


class Optimizer:
    """Base class of every optimizer: the protocol, label and colour.

    The built-ins declare ``name``, ``_spec`` (hyperparameter name -> default and
    validator, in torch's argument order), ``_label_keys`` (the hyperparameters always
    shown in the legend), a ``State`` NamedTuple whose first field is the step count,
    ``_init_state`` and ``_step``. Optimizers made with :func:`anim.optimizer`,
    :func:`from_torch` and :func:`from_optax` are subclasses too; your own update rule is
    best written as a function decorated with ``@anim.optimizer``.
    """

    #: Set per class (the class name by default), or per instance (the adapters).
    name: str = "Optimizer"
    _spec: ClassVar[dict[str, _Hyper]] = {}
    _label_keys: ClassVar[tuple[str, ...]] = ("lr",)
    _decoupled: ClassVar[bool] = False  # AdamW: weight decay shrinks the params directly
    _renamed: ClassVar[dict[str, str]] = {}  # torch's name -> ours
    #: Whether ``lr`` may be an (n, 1) array, one rate per row, in the update rule: the
    #: built-ins' rules are plain numpy arithmetic, so a rate sweep is one batch.
    _rates_per_row: bool = False
    #: True for a racer that replays one recorded path from its own start (a projected
    #: training run): it races no swarm and maps no basins.
    replays_one_path: ClassVar[bool] = False
    #: Which state field holds the velocity (first moment) and the second moment.
    _moment_fields: ClassVar[dict[str, str]] = {}
    State: ClassVar[type[StepCountingState]]
    __signature__: ClassVar[inspect.Signature]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        inside_anim = (cls.__module__ or "").split(".")[0] == "anim"
        if not inside_anim and cls.update is Optimizer.update and cls._step is Optimizer._step:
            raise TypeError(
                f"{cls.__name__} subclasses anim's Optimizer without an update "
                "rule: write your rule as a function decorated with "
                "@anim.optimizer(lr=...) instead (see the README, 'Write your "
                "own optimizer')"
            )
        if "name" not in vars(cls):
            cls.name = cls.__name__
        _accept_value_and_grad(cls)
        # So that help() and inspect.signature() list the real hyperparameters.
        params = [
            inspect.Parameter(
                key,
                inspect.Parameter.POSITIONAL_OR_KEYWORD
                if key == "lr"
                else inspect.Parameter.KEYWORD_ONLY,
                default=hyper.default,
            )
            for key, hyper in cls._spec.items()
        ]
        params.sort(key=lambda p: p.kind)  # lr first: the only positional one
        params += [
            inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=None)
            for key in ("label", "color")
        ]
        cls.__signature__ = inspect.Signature(params)

    def __init__(
        self,
        *args: Any,
        label: str | None = None,
        color: Color | None = None,
        **hyperparameters: Any,
    ) -> None:
        if args:
            if "lr" not in self._spec or len(args) > 1:
                takes = "only lr" if "lr" in self._spec else "no"
                raise TypeError(
                    f"{self.name} takes {takes} positional argument, got "
                    f"{len(args)}: pass the others by name"
                )
            if "lr" in hyperparameters:
                raise TypeError(f"{self.name} got lr twice: positionally and by name")
            hyperparameters["lr"] = args[0]
        unknown = [key for key in hyperparameters if key not in self._spec]
        if unknown:
            renamed = self._renamed.get(unknown[0])
            hint = f" (torch's {unknown[0]} is called {renamed} here)" if renamed else ""
            known = (
                f"its hyperparameters are: {', '.join(self._spec)}"
                if self._spec
                else "it takes none"
            )
            raise TypeError(f"{self.name} has no hyperparameter {unknown[0]!r}{hint}; {known}")
        values = {key: hyper.default for key, hyper in self._spec.items()}
        values.update(hyperparameters)
        self._hp = {key: self._spec[key].check(key, value) for key, value in values.items()}
        self._check()
        self._set_look(label, color)

    def _set_look(self, label: str | None, color: Color | None) -> None:
        self._label = check_label(label, self.name)
        self._color = check_color(color, self.name)

    def _check(self) -> None:
        """Constraints between hyperparameters; raises ValueError."""

    @property
    def color(self) -> str | None:
        """The colour asked for, as ``'#rrggbb'``; None lets the picture choose."""
        return getattr(self, "_color", None)

    @property
    def hyperparameters(self) -> dict[str, Any]:
        """Every hyperparameter as plain JSON-ready Python values (betas as a list, a
        schedule as a dict of its settings)."""
        return {
            key: list(value)
            if isinstance(value, tuple)
            else value.as_dict()
            if isinstance(value, Schedule)
            else value
            for key, value in getattr(self, "_hp", {}).items()
        }

    @property
    def label(self) -> str:
        """Legend text: the label given at construction, else :attr:`generated_label`."""
        label = getattr(self, "_label", None)
        return self.generated_label if label is None else label

    @property
    def generated_label(self) -> str:
        """The name, the main hyperparameters, then any other that is not the default."""
        parts = [self.name]
        for key, value in getattr(self, "_hp", {}).items():
            default = self._spec[key].default
            if key not in self._label_keys and value == default:
                continue
            if isinstance(value, Schedule):
                parts.append(f"{_SYMBOLS.get(key, key)}={value.describe()}")
            elif key == "betas":
                parts += [
                    f"β{sub}={beta:g}"
                    for sub, beta, base in zip("₁₂", value, default)
                    if key in self._label_keys or beta != base
                ]
            elif isinstance(value, bool):
                symbol = _SYMBOLS.get(key, key)
                parts.append(symbol if value else f"no {symbol}")
            elif isinstance(value, float):
                parts.append(f"{_SYMBOLS.get(key, key)}={value:g}")
            else:
                parts.append(f"{_SYMBOLS.get(key, key)}={value}")
        return " ".join(parts)

    def __repr__(self) -> str:
        args = [f"{key}={value!r}" for key, value in getattr(self, "_hp", {}).items()]
        args += [
            f"{key}={value!r}"
            for key, value in (("label", getattr(self, "_label", None)), ("color", self.color))
            if value is not None
        ]
        return f"{type(self).__name__}({', '.join(args)})"

    def init(self, params: ArrayLike) -> OptimizerState:
        """The state before the first step, for ``params`` of shape (n, 2)."""
        return self._init_state(_as_points(params, "params").shape)

    def update(
        self,
        grads: ArrayLike,
        state: OptimizerState,
        params: ArrayLike,
        *,
        value_and_grad: ValueAndGrad | None = None,
    ) -> tuple[np.ndarray, OptimizerState]:
        """One step: ``(new_params, new_state)``; the arguments are left as they were.
        ``value_and_grad`` is not needed by the built-ins."""
        params = _as_points(params, "params")
        grads = _as_points(grads, "grads")
        if grads.shape != params.shape:
            raise ValueError(f"grads has shape {grads.shape} but params has shape {params.shape}")
        if not isinstance(state, self.State):
            raise ValueError(
                f"{self.name} needs a state from its own init(), got {type(state).__name__}"
            )
        for field, value in zip(state._fields, state):
            if isinstance(value, np.ndarray) and value.shape != params.shape:
                raise ValueError(
                    f"state.{field} has shape {value.shape} but params has "
                    f"shape {params.shape}: the state belongs to other params"
                )
        new_params, new_state = self._step(grads, state, params, self._at_step(state.step))
        new_state = new_state._replace(
            **{
                field: _frozen(value)
                for field, value in zip(new_state._fields, new_state)
                if isinstance(value, np.ndarray)
            }
        )
        return np.array(new_params, dtype=np.float64), new_state

    def select(self, state: OptimizerState, keep: ArrayLike) -> OptimizerState:
        """The state of only the rows where ``keep`` is True (see :func:`select_rows`)."""
        return select_rows(state, keep)

    def step_glyphs(self, state: OptimizerState, step: int) -> StepGlyphs:
        """(velocity as the step it stands for, −lr·v; per-axis step scale lr/(√h + ε))
        after update ``step + 1``, each (n, 2) or None where the algorithm has none.
        Each family says what its own state means (:mod:`anim.explain`)."""
        return None, None

    @property
    def not_tunable(self) -> str | None:
        """Why :meth:`with_lr` cannot give this optimizer another learning rate, or None."""
        if "lr" not in self._spec:
            return message("no-lr", label=self.label)
        lr = getattr(self, "_hp", {}).get("lr")
        if isinstance(lr, Schedule) and not lr.rescalable:
            return message("custom-schedule-not-tunable", label=self.label)
        return None

    def with_lr(self, lr: float, note: str | None = None) -> Optimizer:
        """A copy at learning rate ``lr`` (a schedule is scaled so that its base rate is
        ``lr``), its other hyperparameters, colour and own label kept; with ``note``, the
        label ends with it (e.g. "(tuned)"). ValueError when it cannot be done."""
        reason = self.not_tunable
        if reason:
            raise ValueError(reason)
        current = self._hp["lr"]
        new_lr = current.with_lr(lr) if isinstance(current, Schedule) else lr
        own = self.label if self.label != self.generated_label else None
        settings = {**self._hp, "lr": new_lr}
        changed = type(self)(**settings, color=self.color, label=own)
        if note:
            changed._label = f"{own or changed.generated_label} {note}"
        return changed

    def _at_rates(self, rates: np.ndarray) -> Optimizer | None:
        """A copy whose update rule reads ``lr`` as ``rates`` (an (n, 1) column, one rate
        per row), or None when the rule cannot (see :mod:`anim.optimizers.sweep`)."""
        if not self._rates_per_row or isinstance(self._hp.get("lr"), Schedule):
            return None
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy._hp = {**self._hp, "lr": rates}
        return copy

    def moments(self, state: OptimizerState) -> dict[str, np.ndarray]:
        """The state's ``velocity`` (running average of the gradient, or momentum buffer)
        and ``second_moment`` (running average of its square; AdaGrad: the sum), each of
        shape (n, 2), where the algorithm has them and after a first step; ``{}`` else."""
        if getattr(state, "step", 0) == 0:
            return {}
        hp = getattr(self, "_hp", {})
        return {
            moment: np.asarray(getattr(state, field))
            for moment, field in self._moment_fields.items()
            if not (field == "momentum_buffer" and hp.get("momentum", 0) == 0)
        }

    def lr_at(self, step: int) -> float | np.ndarray:
        """The learning rate of update ``step + 1`` (a schedule read at ``step``); an
        (n, 1) array for a copy that races one rate per row."""
        lr = getattr(self, "_hp", {}).get("lr")
        if isinstance(lr, Schedule):
            return step_lr(lr, step, self.name)
        if isinstance(lr, np.ndarray):
            return lr
        return math.nan if lr is None else float(lr)

    def _at_step(self, step: int) -> dict[str, Any]:
        """The hyperparameters for update ``step + 1``: a scheduled lr read at ``step``."""
        lr = self._hp.get("lr")
        if not isinstance(lr, Schedule):
            return self._hp
        return {**self._hp, "lr": step_lr(lr, step, self.name)}

    def _init_state(self, shape: tuple[int, ...]) -> NamedTuple:
        raise NotImplementedError

    def _step(
        self, grads: np.ndarray, state: Any, params: np.ndarray, hp: dict[str, Any]
    ) -> tuple[np.ndarray, NamedTuple]:
        raise NotImplementedError

    def _weight_decay(
        self, grads: np.ndarray, params: np.ndarray, hp: dict[str, Any]
    ) -> tuple[np.ndarray, np.ndarray]:
        """L2 penalty added to the gradient, or (decoupled) the params shrunk by lr·wd."""
        wd = hp.get("weight_decay", 0.0)
        if wd == 0:
            return grads, params
        if self._decoupled or hp.get("decoupled_weight_decay", False):
            return grads, params * (1 - hp["lr"] * wd)
        return grads + wd * params, params
