"""A scene: one surface, the optimizers racing on it, and how to film the race."""

from __future__ import annotations

import numpy as np

from .optimizers import Optimizer
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
from .palette import PALETTES as THEMES
from .starts import resolve_starts
from .surface import Surface

#: More steps than this is almost certainly a typo (and an hours-long render).
MAX_STEPS = 100_000
#: GIF frame delays are whole centiseconds and browsers slow down delays under 2 cs.
MAX_FPS = 50


VIEWS = ("2d", "3d", "both")


def check_view(view) -> str:
    if view not in VIEWS:
        raise ValueError(f"Invalid view: {view!r} (choose from {', '.join(VIEWS)})")
    return view


def parse_camera(value) -> tuple[float, float] | None:
    """``"30,-60"`` or (30, -60) -> (elevation, azimuth) in degrees, validated; None
    stays None (the camera is then chosen from the race)."""
    if value is None:
        return None
    expected = "ELEV,AZIM in degrees, e.g. 30,-60"
    if isinstance(value, str):
        try:
            elev, azim = (float(part) for part in value.split(","))
        except ValueError:
            raise ValueError(f"Invalid camera: {value!r} (expected {expected})") from None
    else:
        try:
            elev, azim = value
            elev, azim = float(elev), float(azim)
        except (TypeError, ValueError):
            raise ValueError(f"Invalid camera: {value!r} (expected {expected})") from None
    if not (np.isfinite(elev) and np.isfinite(azim)):
        raise ValueError(f"Invalid camera: {value!r} (expected finite {expected})")
    if not -90 <= elev <= 90:
        raise ValueError(f"Invalid camera: {value!r} (the elevation {elev:g} must be from "
                         "-90 to 90 degrees)")
    return elev, azim


def validate_fps(fps) -> int | float:
    if (isinstance(fps, bool) or not isinstance(fps, (int, float, np.integer, np.floating))
            or not (np.isfinite(fps) and 1 <= fps <= MAX_FPS)):
        raise ValueError(f"Invalid fps: {fps!r} (must be a number from 1 to {MAX_FPS})")
    return fps


class Scene:
    """What to race and how to show it.

    A scene module is a Python file that defines one or more module-level ``Scene``
    instances; ``python -m anim render FILE`` films it.

    >>> from anim import Scene, surfaces, optimizers as opt
    >>> scene = Scene(surface=surfaces.ravine(), optimizers=[opt.GD(lr=0.9)], steps=50)
    """

    def __init__(self, surface: Surface, optimizers, start=None, steps: int = 150,
                 title: str | None = None, goal=None, goal_radius=None, fps: float = 30,
                 loss_panel: bool = False, theme: str = "light", colormap: str | None = None,
                 colorbar: bool = False, explain=False, lr_panel: bool = False,
                 noise: float = 0.0, seed: int = 0, view: str = "2d", camera=None,
                 starts=None):
        if not isinstance(surface, Surface):
            raise ValueError(f"surface must be an anim.Surface, got {type(surface).__name__}")
        optimizers = list(optimizers) if isinstance(optimizers, (list, tuple)) else optimizers
        if not isinstance(optimizers, list):
            raise ValueError("optimizers must be a list of optimizers, "
                             f"got {type(optimizers).__name__}")
        if not optimizers:
            raise ValueError("optimizers is empty (a race needs at least one optimizer)")
        for item in optimizers:
            if not isinstance(item, Optimizer):
                raise ValueError(_not_an_optimizer(item))
        if starts is not None:
            if start is not None:
                raise ValueError("give start=(x, y) for one race or starts=[...] for a swarm, "
                                 "not both")
            if explain:
                raise ValueError("explain follows one start; a swarm (starts=...) draws no "
                                 "step glyphs")
            if noise:
                raise ValueError("noise follows one start; a swarm (starts=...) races "
                                 "exact gradients")
        elif start is None and surface.start is None:
            raise ValueError("start is missing (the surface recommends none): "
                             "pass start=(x, y)")
        #: The swarm's start points, (n, 2), or None for a race from one start.
        self.starts = None if starts is None else resolve_starts(starts, surface)
        if self.starts is not None:
            start = None
        else:
            start = require_point(surface.start if start is None else start, "start")
        if start is None:
            pass
        elif surface.bounds is not None:
            _check_in_bounds(start, "start", surface.bounds)
        else:
            low, high = divergence_limits(surface)
            if np.any(np.array(start) < low) or np.any(np.array(start) > high):
                raise ValueError(f"start {start} is beyond ±{high[0]:g}: every optimizer "
                                 "would count as diverged before its first step")
        self.surface = surface
        self.optimizers = optimizers
        self.start = start
        self.steps = check_steps(steps, MAX_STEPS)
        self.title = title
        if check_any_goal(goal, surface):
            self.goal = goal
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
        self.explain = explained_racers(explain, optimizers)
        self.lr_panel = bool(lr_panel)
        self.noise = check_noise(noise)
        self.seed = check_seed(seed)
        self.view = check_view(view)
        self.camera = parse_camera(camera)
        # Set by the loader for a scene read from a file: its variable name, the default
        # output's stem, and the file with its SHA-256 (for the provenance record).
        self.name: str | None = None
        self.output_stem: str | None = None
        self.source_path: str | None = None
        self.source_sha256: str | None = None
        self._check_start()

    def _check_start(self):
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
                    "if/else") from exc
            raise ValueError(f"{label} fails at the start {self.start}: "
                             f"{type(exc).__name__}: {exc}") from exc
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise ValueError(f"{label} is not finite at the start {self._start_text(bad[0])}: "
                             f"f = {float(values[bad[0]])}")
        bad = np.flatnonzero(~np.all(np.isfinite(grads), axis=1))
        if bad.size:
            raise ValueError(f"the gradient of {label} is not finite at the start "
                             f"{self._start_text(bad[0])}: "
                             f"{tuple(float(g) for g in grads[bad[0]])}")

    def _start_text(self, index: int) -> str:
        if self.starts is None:
            return str(self.start)
        return f"starts[{index}] {tuple(float(v) for v in self.starts[index])}"

    @property
    def is_swarm(self) -> bool:
        return self.starts is not None

    def race(self, steps: int | None = None, noise: float | None = None,
             seed: int | None = None, explain: bool = False):
        """Run the race (``steps``, ``noise`` and ``seed`` override the scene's;
        ``explain`` records what the step glyphs show): a :class:`RaceResult`, or for a
        swarm (``starts=``) a :class:`~anim.swarm.SwarmResult`."""
        if self.starts is not None:
            from .swarm import simulate_swarm

            if noise:
                raise ValueError("noise follows one start; a swarm (starts=...) races "
                                 "exact gradients")
            return simulate_swarm(self.surface, self.optimizers, self.starts,
                                  steps=self.steps if steps is None else steps,
                                  goal=self.goal, goal_radius=self.goal_radius)
        return simulate(self.surface, self.optimizers, start=self.start,
                        steps=self.steps if steps is None else steps, goal=self.goal,
                        goal_radius=self.goal_radius,
                        noise=self.noise if noise is None else noise,
                        seed=self.seed if seed is None else seed, explain=explain)

    def __repr__(self):
        names = ", ".join(o.name for o in self.optimizers)
        return (f"Scene({self.name or self.title or self.surface.name or 'unnamed'}: "
                f"[{names}], "
                + (f"start={self.start}" if self.starts is None else f"{len(self.starts)} starts")
                + f", steps={self.steps})")

    def _repr_html_(self):
        """Jupyter shows a scene as its interactive player (no animation is rendered)."""
        from .renderer import to_html

        return to_html(self)


def explained_racers(explain, optimizers) -> tuple[int, ...]:
    """Indices of the racers ``explain`` names: True (all), False/None (none), or names,
    each a racer's label or an optimizer name (every racer of that name)."""
    if explain is None or explain is False:
        return ()
    if explain is True:
        return tuple(range(len(optimizers)))
    names = [explain] if isinstance(explain, str) else list(explain)
    chosen = set()
    for name in names:
        matches = [i for i, o in enumerate(optimizers) if name in (o.label, o.name)]
        if not matches:
            known = ", ".join(dict.fromkeys(o.label for o in optimizers))
            raise ValueError(f"Invalid explain: {name!r} names no racer (the racers: "
                             f"{known}; give a label or an optimizer name)")
        chosen.update(matches)
    return tuple(sorted(chosen))


def _check_colormap(name):
    """``name`` if matplotlib has a colormap of that name (or it is None)."""
    if name is None:
        return None
    from matplotlib import colormaps  # only a scene that names a colormap pays for it

    if not isinstance(name, str) or name not in colormaps:
        raise ValueError(f"Invalid colormap: {name!r} (a matplotlib colormap name, such as "
                         "'viridis' or 'magma')")
    return name


def _works_on_numbers(f, point) -> bool:
    try:
        float(f(*point))
    except Exception:  # the user's f: whatever it raises, the answer is no
        return False
    return True


def _check_in_bounds(point, what: str, bounds):
    """The picture shows the bounds: a start or goal outside them would not be seen."""
    (x0, x1), (y0, y1) = bounds
    if not (x0 <= point[0] <= x1 and y0 <= point[1] <= y1):
        raise ValueError(f"{what} {point} is outside the surface's bounds x in [{x0:g}, "
                         f"{x1:g}], y in [{y0:g}, {y1:g}]: put it inside them, or widen "
                         "them with surface.replace(bounds=...)")


def _not_an_optimizer(item) -> str:
    """What is wrong with ``item`` in ``optimizers=``, and how to make it an optimizer."""
    head = "optimizers must hold anim optimizers, got "
    if isinstance(item, type) and issubclass(item, Optimizer):
        return f"{head}the class {item.__name__}: call it, e.g. {item.__name__}(0.1)"
    module = getattr(type(item) if not isinstance(item, type) else item, "__module__", "") or ""
    if module.split(".")[0] in ("torch", "pytorch_optimizer") or "Optimizer" in [
            base.__name__ for base in getattr(item, "__mro__", ())[1:]]:
        return (f"{head}{getattr(item, '__name__', type(item).__name__)} from torch: race it "
                "with anim.optimizers.from_torch(OptimizerClass, lr=...)")
    if module.split(".")[0] in ("optax", "jax"):
        return f"{head}an optax object: race it with anim.optimizers.from_optax(optax.adam(0.1))"
    if callable(item) and hasattr(item, "__code__"):
        return (f"{head}the function {item.__name__}: make an update rule into an optimizer "
                "with the decorator @anim.optimizer(lr=...), then call it: "
                f"{item.__name__}(0.1)")
    shown = repr(item)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return (f"{head}{shown} ({type(item).__name__}): use the built-ins (anim.optimizers), "
            "a step function decorated with @anim.optimizer, or from_torch/from_optax")
