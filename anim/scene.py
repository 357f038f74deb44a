"""A scene: one surface, the optimizers racing on it, and how to film the race."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar

import numpy as np

from . import display
from .combinations import Combination, message, refusal
from .knobs import check_knobs
from .optimizers import Optimizer
from .palette import PALETTES as THEMES
from .race import (
    RaceResult,
    check_any_goal,
    check_goal_radius,
    check_noise,
    check_seed,
    check_steps,
    divergence_limits,
    require_point,
    simulate,
)
from .settings import (  # noqa: F401  (re-exported: scenes and tests import them from here)
    MAX_FPS,
    MAX_STEPS,
    VIEWS,
    View,
    check_view,
    explained_racers,
    parse_camera,
    validate_fps,
)
from .starts import StartPoints, resolve_starts
from .surface import Bounds, Point, PointLike, Surface
from .words import Language, check_language

if TYPE_CHECKING:
    from .swarm import SwarmResult

P = ParamSpec("P")
R = TypeVar("R")

#: The colour themes (the keys of ``anim.palette.PALETTES``).
ThemeName = Literal["light", "dark"]


def _known_keywords(init: Callable[P, R]) -> Callable[P, R]:
    """A keyword ``Scene`` does not take is one line that lists those it does (Python's
    own message names neither)."""
    names = [name for name in inspect.signature(init).parameters if name != "self"]

    @functools.wraps(init)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        unknown = [key for key in kwargs if key not in names]
        if unknown:
            hint = (
                " (a scene is named by the variable it is assigned to in its file)"
                if unknown[0] == "name"
                else ""
            )
            raise TypeError(
                f"Scene has no parameter {unknown[0]!r}{hint}; its parameters "
                f"are: {', '.join(names)}"
            )
        return init(*args, **kwargs)

    return checked


class Scene:
    """What to race and how to show it.

    A scene module is a Python file that defines one or more module-level ``Scene``
    instances; ``python -m anim render FILE`` films it.

    >>> from anim import Scene, surfaces, optimizers as opt
    >>> scene = Scene(surface=surfaces.ravine(), optimizers=[opt.GD(lr=0.9)], steps=50)
    """

    @_known_keywords
    def __init__(
        self,
        surface: Surface,
        optimizers: Sequence[Optimizer],
        start: PointLike | None = None,
        steps: int = 150,
        title: str | None = None,
        goal: PointLike | Literal["any"] | None = None,
        goal_radius: float | None = None,
        fps: float = 30,
        loss_panel: bool = False,
        theme: ThemeName = "light",
        colormap: str | None = None,
        colorbar: bool = False,
        explain: bool | str | Sequence[str] = False,
        lr_panel: bool = False,
        noise: float = 0.0,
        seed: int | None = 0,
        view: View = "2d",
        camera: str | Sequence[float] | None = None,
        starts: StartPoints | Sequence[PointLike] | np.ndarray | None = None,
        font: str | Path | None = None,
        language: Language = "en",
        knobs: str | Sequence[str] | None = None,
    ) -> None:
        if not isinstance(surface, Surface):
            raise ValueError(f"surface must be an anim.Surface, got {type(surface).__name__}")
        if not isinstance(optimizers, (list, tuple)):
            raise ValueError(
                f"optimizers must be a list of optimizers, got {type(optimizers).__name__}"
            )
        racers = list(optimizers)
        if not racers:
            raise ValueError("optimizers is empty (a race needs at least one optimizer)")
        for item in racers:
            if not isinstance(item, Optimizer):
                raise ValueError(_not_an_optimizer(item))
        if starts is not None:
            if start is not None:
                raise ValueError(
                    "give start=(x, y) for one race or starts=[...] for a swarm, not both"
                )
        elif start is None and surface.start is None:
            raise ValueError("start is missing (the surface recommends none): pass start=(x, y)")
        #: The swarm's start points, (n, 2), or None for a race from one start.
        self.starts: np.ndarray | None = None if starts is None else resolve_starts(starts, surface)
        #: The start of a race from one start (None for a swarm).
        self.start: Point | None = None
        if self.starts is None:
            self.start = require_point(surface.start if start is None else start, "start")
            if surface.bounds is not None:
                _check_in_bounds(self.start, "start", surface.bounds)
            else:
                low, high = divergence_limits(surface)
                if np.any(np.array(self.start) < low) or np.any(np.array(self.start) > high):
                    raise ValueError(
                        f"start {self.start} is beyond ±{high[0]:g}: every "
                        "optimizer would count as diverged before its first step"
                    )
        self.surface = surface
        self.optimizers = racers
        self.steps = check_steps(steps, MAX_STEPS)
        self.title = title
        #: The goal: a point, "any" (any of the surface's minima) or None (the default).
        self.goal: Point | Literal["any"] | None
        if check_any_goal(goal, surface):
            self.goal = "any"
        else:
            self.goal = None if goal is None else require_point(goal, "goal")
            if self.goal is not None and surface.bounds is not None:
                _check_in_bounds(self.goal, "goal", surface.bounds)
        self.goal_radius = check_goal_radius(goal_radius)
        self.fps = validate_fps(fps)
        self.loss_panel = bool(loss_panel)
        if theme not in THEMES:
            raise ValueError(f"Invalid theme: {theme!r} (choose from {', '.join(THEMES)})")
        self.theme = theme
        self.colormap = _check_colormap(colormap)
        self.colorbar = bool(colorbar)
        self.explain = explained_racers(explain, racers)
        #: The interactive page's knobs: () or ("lr",), ("lr", "momentum"), ... (anim.knobs).
        self.knobs = check_knobs(knobs)
        refused = refusal(
            Combination(
                starts=None if self.starts is None else len(self.starts),
                explain=bool(self.explain),
                knobs=bool(self.knobs),
            )
        )
        if refused:
            raise ValueError(refused)
        replaying = [o for o in racers if o.replays_one_path]
        if replaying and self.starts is not None:
            raise ValueError(message("projected-starts", label=replaying[0].label))
        self.lr_panel = bool(lr_panel)
        self.noise = check_noise(noise)
        self.seed = check_seed(seed)
        self.view = check_view(view)
        self.camera = parse_camera(camera)
        #: The main font: an installed family name or a font file (None: matplotlib's
        #: default); characters it lacks come from installed fonts that have them.
        self.font = _check_font(font)
        #: The language of the words the picture writes itself (see anim.words).
        self.language = check_language(language)
        # Set by the loader for a scene read from a file: its variable name, the default
        # output's stem, and the file with its SHA-256 (for the provenance record).
        self.name: str | None = None
        self.output_stem: str | None = None
        self.source_path: str | None = None
        self.source_sha256: str | None = None
        self._check_start()

    def _check_start(self) -> None:
        """Fail at construction, not mid-render, when the surface is broken at the start
        (at any start of a swarm)."""
        label = repr(self.surface.name) if self.surface.name else "the surface"
        points = np.array([self.start]) if self.starts is None else self.starts
        try:
            with np.errstate(all="ignore"):
                values, grads = self.surface.value_and_grad_at(points)
        except Exception as exc:  # the user's f: any exception is a scene error
            if _works_on_numbers(self.surface.f, tuple(points[0])):
                raise ValueError(
                    f"{label} works on single numbers but fails on numpy arrays "
                    f"({type(exc).__name__}: {exc}): f gets arrays of points, so use "
                    "numpy's functions (np.sin, np.where(...)) instead of math.sin or "
                    "if/else"
                ) from exc
            raise ValueError(
                f"{label} fails at the start {self.start}: {type(exc).__name__}: {exc}"
            ) from exc
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise ValueError(
                f"{label} is not finite at the start {self._start_text(bad[0])}: "
                f"f = {float(values[bad[0]])}"
            )
        bad = np.flatnonzero(~np.all(np.isfinite(grads), axis=1))
        if bad.size:
            raise ValueError(
                f"the gradient of {label} is not finite at the start "
                f"{self._start_text(bad[0])}: "
                f"{tuple(float(g) for g in grads[bad[0]])}"
            )

    def _start_text(self, index: int) -> str:
        if self.starts is None:
            return str(self.start)
        return f"starts[{index}] {tuple(float(v) for v in self.starts[index])}"

    @property
    def is_swarm(self) -> bool:
        return self.starts is not None

    def race(
        self,
        steps: int | None = None,
        noise: float | None = None,
        seed: int | None = None,
        explain: bool = False,
    ) -> RaceResult | SwarmResult:
        """Run the race (``steps``, ``noise`` and ``seed`` override the scene's;
        ``explain`` records what the step glyphs show): a :class:`RaceResult`, or for a
        swarm (``starts=``) a :class:`~anim.swarm.SwarmResult`."""
        if self.starts is not None:
            from .swarm import simulate_swarm

            return simulate_swarm(
                self.surface,
                self.optimizers,
                self.starts,
                steps=self.steps if steps is None else steps,
                goal=self.goal,
                goal_radius=self.goal_radius,
                noise=self.noise if noise is None else noise,
                seed=self.seed if seed is None else seed,
                explain=explain,
            )
        return simulate(
            self.surface,
            self.optimizers,
            start=self.start,
            steps=self.steps if steps is None else steps,
            goal=self.goal,
            goal_radius=self.goal_radius,
            noise=self.noise if noise is None else noise,
            seed=self.seed if seed is None else seed,
            explain=explain,
        )

    def __repr__(self) -> str:
        names = ", ".join(o.name for o in self.optimizers)
        return (
            f"Scene({self.name or self.title or self.surface.name or 'unnamed'}: "
            f"[{names}], "
            + (f"start={self.start}" if self.starts is None else f"{len(self.starts)} starts")
            + f", steps={self.steps})"
        )

    def _repr_html_(self) -> str | None:
        """The interactive player (no animation is rendered), or None where the page
        cannot draw this scene (3D view, swarm, step glyphs)."""
        return display.show("html", self)

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, Any]:
        """What a notebook shows: the player, the final frame as a PNG for viewers that
        run no script, and the text; see :mod:`anim.notebook`."""
        return display.show("mimebundle", self)


def _check_colormap(name: object) -> str | None:
    """``name`` if matplotlib has a colormap of that name (or it is None)."""
    if name is None:
        return None
    from matplotlib import colormaps  # only a scene that names a colormap pays for it

    if not isinstance(name, str) or name not in colormaps:
        raise ValueError(
            f"Invalid colormap: {name!r} (a matplotlib colormap name, such as 'viridis' or 'magma')"
        )
    return name


def _check_font(font: object) -> str | None:
    """``font`` if matplotlib can draw with it (or it is None), as a string."""
    if font is None:
        return None
    from .fonts import resolve_font  # only a scene that names a font pays for matplotlib

    resolve_font(font)
    return str(font)


def _works_on_numbers(f: Callable[..., Any], point: tuple[float, ...]) -> bool:
    try:
        float(f(*point))
    except Exception:  # the user's f: whatever it raises, the answer is no
        return False
    return True


def _check_in_bounds(point: Point, what: str, bounds: Bounds) -> None:
    """The picture shows the bounds: a start or goal outside them would not be seen."""
    (x0, x1), (y0, y1) = bounds
    if not (x0 <= point[0] <= x1 and y0 <= point[1] <= y1):
        raise ValueError(
            f"{what} {point} is outside the surface's bounds x in [{x0:g}, "
            f"{x1:g}], y in [{y0:g}, {y1:g}]: put it inside them, or widen "
            "them with surface.replace(bounds=...)"
        )


def _not_an_optimizer(item: object) -> str:
    """What is wrong with ``item`` in ``optimizers=``, and how to make it an optimizer."""
    head = "optimizers must hold anim optimizers, got "
    if isinstance(item, type) and issubclass(item, Optimizer):
        return f"{head}the class {item.__name__}: call it, e.g. {item.__name__}(0.1)"
    module = getattr(type(item) if not isinstance(item, type) else item, "__module__", "") or ""
    if module.split(".")[0] in ("torch", "pytorch_optimizer") or "Optimizer" in [
        base.__name__ for base in getattr(item, "__mro__", ())[1:]
    ]:
        return (
            f"{head}{getattr(item, '__name__', type(item).__name__)} from torch: race it "
            "with anim.optimizers.from_torch(OptimizerClass, lr=...)"
        )
    if module.split(".")[0] in ("optax", "jax"):
        return f"{head}an optax object: race it with anim.optimizers.from_optax(optax.adam(0.1))"
    if callable(item) and hasattr(item, "__code__"):
        name = getattr(item, "__name__", type(item).__name__)
        return (
            f"{head}the function {name}: make an update rule into an optimizer "
            f"with the decorator @anim.optimizer(lr=...), then call it: {name}(0.1)"
        )
    shown = repr(item)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return (
        f"{head}{shown} ({type(item).__name__}): use the built-ins (anim.optimizers), "
        "a step function decorated with @anim.optimizer, or from_torch/from_optax"
    )
