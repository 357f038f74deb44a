"""The optimizer protocol, hyperparameter validation and the base class of the built-ins.

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
import numbers
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, NamedTuple, Protocol

import numpy as np
from numpy.typing import ArrayLike

from ..combinations import message
from ..errors import OptimizerError
from ..schedules import Schedule, as_schedule

#: A learning rate: a number > 0, a schedule (:mod:`anim.schedules`), or any callable
#: ``step -> lr``.
LearningRate = float | Schedule | Callable[[int], float]
#: A matplotlib colour: a name (``"tab:red"``), ``"#rrggbb"``, or an RGB(A) tuple.
Color = str | tuple[float, float, float] | tuple[float, float, float, float]
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


# --------------------------------------------------------------------------- validation


def _shown(value: object) -> str:
    if isinstance(value, np.generic):
        value = value.item()  # np.float64(0.1) would print as "np.float64(0.1)"
    return repr(value)


def _invalid(name: str, value: object, expectation: str) -> ValueError:
    what = "learning rate" if name == "lr" else name
    return ValueError(f"Invalid {what}: {_shown(value)} ({expectation})")


def _real(name: str, value: object) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise _invalid(name, value, "must be a number, not a bool")
    if not isinstance(value, numbers.Real):
        raise _invalid(name, value, "must be a real number")
    try:
        number = float(value)
    except OverflowError:  # an int beyond the float range
        number = math.inf
    if not math.isfinite(number):
        raise _invalid(name, value, "must be finite")
    return number


def _ranged(test: Callable[[float], bool], expectation: str) -> Callable[[str, object], float]:
    def check(name: str, value: object) -> float:
        number = _real(name, value)
        if not test(number):
            raise _invalid(name, value, expectation)
        return number

    return check


_positive = _ranged(lambda x: x > 0, "must be > 0")


def _learning_rate(name: str, value: object) -> float | Schedule:
    """A number > 0, or a schedule (any callable step -> lr)."""
    if callable(value) and not isinstance(value, numbers.Real):
        return as_schedule(value)
    return _positive(name, value)


_non_negative = _ranged(lambda x: x >= 0, "must be >= 0")
# A decay rate of 1 would freeze its running average at the initial value.
_unit = _ranged(lambda x: 0 <= x < 1, "must be in [0, 1)")
_fraction = _ranged(lambda x: 0 <= x <= 1, "must be in [0, 1]")


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise _invalid(name, value, "must be True or False")
    return bool(value)


def _betas(name: str, value: object) -> tuple[float, float]:
    if (
        isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim == 1)
    ) and len(value) == 2:
        return _unit("beta1", value[0]), _unit("beta2", value[1])
    raise _invalid(name, value, "must be a pair (beta1, beta2)")


class _Hyper(NamedTuple):
    default: Any
    check: Callable[[str, Any], Any]


# Legend symbols, as the literature writes them.
_SYMBOLS = {
    "lr": "lr",
    "momentum": "β",
    "dampening": "τ",
    "rho": "ρ",
    "eps": "ε",
    "weight_decay": "wd",
    "lr_decay": "lr_decay",
    "initial_accumulator_value": "h₀",
    "momentum_decay": "ψ",
    "amsgrad": "AMSGrad",
    "centered": "centered",
    "decoupled_weight_decay": "decoupled",
}


# --------------------------------------------------------------------------- arithmetic
# Each helper spells out the operation order of the torch kernel it stands for.


def _lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """``start.lerp_(end, weight)``: ATen switches formula at |weight| = 0.5."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


def _ema_square(avg: np.ndarray, grad: np.ndarray, decay: float) -> np.ndarray:
    """``avg.mul_(decay).addcmul_(grad, grad, value=1 - decay)``."""
    return avg * decay + ((1.0 - decay) * grad) * grad


def _as_points(value: ArrayLike, what: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a float array of shape (n, 2), got {value!r}") from None
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{what} must have shape (n, 2), got shape {array.shape}")
    return array


def _frozen(array: ArrayLike) -> np.ndarray:
    # A private read-only copy: the state can never alias, or be changed through, the
    # caller's arrays, which is what lets a race keep every past state.
    array = np.array(array, dtype=np.float64)
    array.flags.writeable = False
    return array


def _zeros(shape: tuple[int, ...]) -> np.ndarray:
    return _frozen(np.zeros(shape))


def select_rows(state: OptimizerState, keep: ArrayLike) -> OptimizerState:
    """``state`` with only the start rows where ``keep`` (bool, one per row) is True.

    Every per-start part of a state is cut the same way: an array whose first axis has
    one entry per row, a tuple holding one object per row (a torch optimizer, an optax
    state), and the same inside NamedTuples and dicts (an own optimizer's state dict).
    Scalars (the step count) and anything else are kept as they are.
    """
    rows = np.asarray(keep, dtype=bool)
    count = len(rows)

    def cut(value: Any) -> Any:
        if isinstance(value, np.ndarray):
            if value.ndim >= 1 and value.shape[0] == count:
                return value[rows]
            return value
        if isinstance(value, tuple) and hasattr(value, "_fields"):  # a NamedTuple
            return type(value)(*(cut(item) for item in value))
        if isinstance(value, tuple) and len(value) == count:
            return tuple(item for item, kept in zip(value, rows) if kept)
        if isinstance(value, dict):
            return {key: cut(item) for key, item in value.items()}
        return value

    return cut(state)


# --------------------------------------------------------------------------- label and colour


def check_label(label: object, owner: str) -> str | None:
    if label is not None and not isinstance(label, str):
        raise ValueError(f"Invalid label for {owner}: {label!r} (must be a string or None)")
    return label


def check_color(color: Color | None, owner: str) -> str | None:
    """``color`` as ``'#rrggbb'``, or None; a ValueError for anything matplotlib cannot draw."""
    if color is None:
        return None
    from matplotlib.colors import to_hex  # only when a colour is given: the race needs none

    try:
        return to_hex(color, keep_alpha=False)
    except (ValueError, TypeError):
        raise ValueError(
            f"Invalid color for {owner}: {color!r} (must be a matplotlib colour "
            "such as 'tab:red', 'crimson' or '#1f77b4')"
        ) from None


def step_lr(schedule: Schedule, step: int, owner: str) -> float:
    """The learning rate of update ``step + 1``, checked: a schedule is user code."""
    try:
        lr = schedule(step)
    except Exception as exc:  # the user's schedule: whatever it raises is reported
        raise OptimizerError(
            f"{owner}'s learning-rate schedule failed at step {step + 1}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    valid = isinstance(lr, numbers.Real) and not isinstance(lr, bool) and math.isfinite(lr)
    if not valid or lr < 0:
        raise OptimizerError(
            f"{owner}'s learning-rate schedule returned {_shown(lr)} for "
            f"step {step + 1} (must be a finite number >= 0)"
        )
    return float(lr)


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
