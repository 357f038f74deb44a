"""Benchmark optimizers: 1,000 start points × 1,000 steps, your own rule against the built-in.

Run from the repository root with the environment anim is installed in:

    python bench/optimizers.py [--rounds N] [--points N] [--steps N] [--no-torch]

Each optimizer's ``init``/``update`` runs on all start points at once, shape (points, 2),
with the surface's vectorized ``value_and_grad_at`` giving the gradients, as a multi-start
race would. Timed: the whole loop, gradients included (the same work for every
optimizer). The built-in ``RMSProp`` and ``HandRMSProp`` (the README's @anim.optimizer
step function, the same rule) alternate over the rounds; medians are compared. Exit
status 0 when HandRMSProp takes at most 2× the built-in's time, 1 otherwise.
``from_torch(torch.optim.RMSprop)`` (one torch optimizer per start point) is timed once
and reported, without a target.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from anim import optimizer, surfaces
from anim.optimizers import RMSProp

OWN_TARGET = 2.0
LR, RHO = 0.05, 0.9


@optimizer(lr=0.01, rho=0.9, eps=1e-8)
def HandRMSProp(x, g, state, *, lr, rho, eps):
    h = rho * state.get("h", 0.0) + (1 - rho) * g * g
    return x - lr * g / (np.sqrt(h) + eps), {"h": h}


def starts(points: int, surface) -> np.ndarray:
    """``points`` start points spread over the surface's bounds (a fixed seed)."""
    (x0, x1), (y0, y1) = surface.bounds
    rng = np.random.default_rng(0)
    return np.column_stack([rng.uniform(x0, x1, points), rng.uniform(y0, y1, points)])


def race(opt, params: np.ndarray, steps: int, surface) -> tuple[float, np.ndarray]:
    """Seconds for ``steps`` updates of every point, and the final points."""
    extra = {"value_and_grad": surface.value_and_grad_at} if opt.needs_value_and_grad else {}
    begin = time.perf_counter()
    state = opt.init(params)
    for _ in range(steps):
        _, grads = surface.value_and_grad_at(params)
        params, state = opt.update(grads, state, params, **extra)
    return time.perf_counter() - begin, params


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--no-torch", action="store_true", help="skip from_torch")
    args = parser.parse_args(argv)

    surface = surfaces.ravine()
    points = starts(args.points, surface)
    builtin, own = RMSProp(LR, rho=RHO), HandRMSProp(LR, rho=RHO)
    times: dict[str, list[float]] = {"RMSProp (built-in)": [], "HandRMSProp (@optimizer)": []}
    for round_ in range(args.rounds):
        order = [(builtin, "RMSProp (built-in)"), (own, "HandRMSProp (@optimizer)")]
        for opt, name in order if round_ % 2 == 0 else order[::-1]:
            seconds, final = race(opt, points, args.steps, surface)
            times[name].append(seconds)
            if opt is builtin:
                reference = final
            else:
                mine = final
    same = float(np.abs(mine - reference).max())

    base = statistics.median(times["RMSProp (built-in)"])
    print(
        f"{args.points} start points × {args.steps} steps on {surface.name}, "
        f"{args.rounds} rounds (median; gradients included)"
    )
    for name, samples in times.items():
        median = statistics.median(samples)
        print(
            f"  {name:28s} {median:8.3f} s   {median / base:5.2f}× built-in   "
            f"{median / (args.points * args.steps) * 1e9:7.1f} ns per point-step"
        )
    ratio = statistics.median(times["HandRMSProp (@optimizer)"]) / base
    print(f"  largest difference between the two final points: {same:.2e}")

    if not args.no_torch:
        import torch

        opt = __import__("anim").optimizers.from_torch(torch.optim.RMSprop, lr=LR, alpha=RHO)
        seconds, final = race(opt, points, args.steps, surface)
        print(
            f"  {'from_torch(RMSprop)':28s} {seconds:8.3f} s   {seconds / base:5.2f}× built-in   "
            f"{seconds / (args.points * args.steps) * 1e9:7.1f} ns per point-step "
            f"(one round; reported, no target)"
        )
        print(
            f"  largest difference from the built-in's final points: "
            f"{float(np.abs(final - reference).max()):.2e}"
        )

    passed = ratio <= OWN_TARGET
    print(
        f"target: HandRMSProp ≤ {OWN_TARGET:g}× the built-in: {ratio:.2f}× "
        f"{'PASS' if passed else 'FAIL'}"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
