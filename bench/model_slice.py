"""Benchmark a model slice: a 51 × 51 grid of a real MLP's loss, anim against a plain loop.

Run from the repository root with the environment anim is installed in (with torch):

    python bench/model_slice.py [--rounds N] [--quick]

The model is a 2-96-96-2 tanh MLP (9,794 parameters, float32) on 2,000 two-moons samples
with cross-entropy; the plane is anim's random filter-normalised one around it, bounds
(-1, 1)². anim evaluates the grid's points as a picture does (``ModelSlice.grid`` without the disk
cache). The baseline is the loop the existing tools run: for each point, set every
parameter to w + x·d₁ + y·d₂ in place, run the model on all the data under no_grad and
read the loss. Both run in this process, in turns, block by block of the grid, so a busy
stretch of a shared machine slows both alike; a round's time is the sum of its blocks,
and the table shows the medians of the rounds. Both grids must agree to 1e-5 (relative).
Exit status 0 when anim's median is at most the 10 s target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from anim.landscape import from_model  # noqa: E402

OUT = ROOT / "bench" / "out"
SIDE = 51
TARGET_SECONDS = 10.0
SAMPLES = 2000
AGREEMENT = 1e-5
FEW_SAMPLES = 200
#: The grid's 2,601 points are timed in this many blocks, anim and the loop taking turns.
BLOCKS = 17


def two_moons(count, seed=0):
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, np.pi, count)
    label = rng.integers(0, 2, count)
    x = np.where(label == 0, np.cos(angle), 1 - np.cos(angle))
    y = np.where(label == 0, np.sin(angle), 0.5 - np.sin(angle))
    points = np.column_stack([x, y]) + 0.15 * rng.standard_normal((count, 2))
    return torch.from_numpy(points.astype(np.float32)), torch.from_numpy(label)


def mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(2, 96),
        torch.nn.Tanh(),
        torch.nn.Linear(96, 96),
        torch.nn.Tanh(),
        torch.nn.Linear(96, 2),
    )


class Anim:
    """anim's evaluation of the grid's points, as ``ModelSlice.grid`` does it (no cache)."""

    def __init__(self, surface):
        self.surface = surface

    def __call__(self, points):
        plane = self.surface.plane
        return self.surface.loss.along(plane.origin, plane.directions, points, False)[0]


class PlainLoop:
    """The loop the existing tools run: for each point, set every parameter to
    w + x·d₁ + y·d₂ in place, run the model on all the data, read the loss."""

    def __init__(self, model, loss_fn, data, plane):
        self.net = copy.deepcopy(model).eval()
        self.params = list(self.net.parameters())
        self.loss_fn, (self.inputs, self.targets) = loss_fn, data
        cuts = np.cumsum([0] + [p.numel() for p in self.params])

        def split(vector):
            return [
                torch.tensor(vector[a:b], dtype=torch.float32).reshape(p.shape)
                for a, b, p in zip(cuts[:-1], cuts[1:], self.params)
            ]

        self.weights = split(plane.origin)
        self.d1, self.d2 = (split(d) for d in plane.directions)

    def __call__(self, points):
        values = np.empty(len(points))
        with torch.no_grad():
            for k, (x, y) in enumerate(points):
                for p, w, u, v in zip(self.params, self.weights, self.d1, self.d2):
                    p.copy_(w + float(x) * u + float(y) * v)
                values[k] = self.loss_fn(self.net(self.inputs), self.targets).item()
        return values


def timed(evaluate, points):
    wall, cpu = time.perf_counter(), time.process_time()
    values = evaluate(points)
    return time.perf_counter() - wall, time.process_time() - cpu, values


def compare(model, loss_fn, data, rounds: int, label: str = ""):
    """Both over the 51 x 51 grid, ``rounds`` times: ({"anim": [...], "loop": [...]} of
    {"wall", "cpu"} seconds, the largest relative difference between their values)."""
    surface = from_model(model, loss_fn, data, resolution=SIDE, cache=False, progress=False)
    (x0, x1), (y0, y1) = surface.bounds
    grid_x, grid_y = np.meshgrid(np.linspace(x0, x1, SIDE), np.linspace(y0, y1, SIDE))
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    contenders = {"anim": Anim(surface), "loop": PlainLoop(model, loss_fn, data, surface.plane)}
    samples = {"anim": [], "loop": []}
    disagreement = 0.0
    for round_ in range(rounds):
        # The grid in blocks, the two taking turns block by block (who goes first swaps),
        # so that a busy stretch of a shared machine slows both alike.
        totals = {who: [0.0, 0.0] for who in contenders}
        values = {who: [] for who in contenders}
        for index, block in enumerate(np.array_split(points, BLOCKS)):
            order = ("anim", "loop") if (index + round_) % 2 == 0 else ("loop", "anim")
            for who in order:
                wall, cpu, part = timed(contenders[who], block)
                totals[who][0] += wall
                totals[who][1] += cpu
                values[who].append(part)
        ours, theirs = (np.concatenate(values[who]) for who in ("anim", "loop"))
        disagreement = max(disagreement, float(np.max(np.abs(ours - theirs) / np.abs(theirs))))
        for who, (wall, cpu) in totals.items():
            samples[who].append({"wall": wall, "cpu": cpu})
            print(
                f"  {label}round {round_ + 1}: {who:4s} {wall:6.2f} s wall, {cpu:6.2f} s CPU",
                flush=True,
            )
    return samples, disagreement


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round")
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else args.rounds
    model, loss_fn, data = mlp(), torch.nn.CrossEntropyLoss(), two_moons(SAMPLES)
    parameters = sum(p.numel() for p in model.parameters())
    print(
        f"model slice: {SIDE}x{SIDE} grid of a 2-96-96-2 MLP ({parameters:,} parameters, "
        f"float32) on {SAMPLES:,} samples; torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, {os.cpu_count()} CPUs; {rounds} round(s)",
        flush=True,
    )
    samples, disagreement = compare(model, loss_fn, data, rounds)
    ours_wall = statistics.median(s["wall"] for s in samples["anim"])
    loop_wall = statistics.median(s["wall"] for s in samples["loop"])
    ours_cpu = statistics.median(s["cpu"] for s in samples["anim"])
    loop_cpu = statistics.median(s["cpu"] for s in samples["loop"])
    points = SIDE * SIDE
    passed = ours_wall <= TARGET_SECONDS and disagreement <= AGREEMENT
    print()
    print(f"{'':28s}{'anim':>10s}{'plain loop':>12s}")
    print(f"{'51x51 grid, wall (median)':28s}{ours_wall:9.2f}s{loop_wall:11.2f}s")
    print(f"{'51x51 grid, CPU (median)':28s}{ours_cpu:9.2f}s{loop_cpu:11.2f}s")
    print(
        f"{'per 100 points, wall':28s}{100 * ours_wall / points:9.3f}s"
        f"{100 * loop_wall / points:11.3f}s"
    )
    print(
        f"ratio (plain loop / anim): {loop_wall / ours_wall:.2f}x wall, "
        f"{loop_cpu / ours_cpu:.2f}x CPU"
    )
    print(
        f"largest relative difference between the two grids: {disagreement:.2g} "
        f"(must be <= {AGREEMENT:g})"
    )
    # Where one point's forward pass is small, vectorizing saves the per-call overhead.
    print(f"\nthe same grid on {FEW_SAMPLES} samples (information, no target):", flush=True)
    few, few_disagreement = compare(
        model, loss_fn, two_moons(FEW_SAMPLES), rounds, label=f"{FEW_SAMPLES} samples, "
    )
    few_ours = statistics.median(s["wall"] for s in few["anim"])
    few_loop = statistics.median(s["wall"] for s in few["loop"])
    print(
        f"{FEW_SAMPLES} samples: anim {few_ours:.2f} s, plain loop {few_loop:.2f} s, "
        f"ratio {few_loop / few_ours:.2f}x wall (values agree to {few_disagreement:.2g})"
    )
    print(
        f"\n{'PASS' if passed else 'FAIL'}: anim's 51x51 slice in {ours_wall:.2f} s "
        f"(target <= {TARGET_SECONDS:g} s)"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "model_slice.json").write_text(
        json.dumps(
            {
                "samples": samples,
                "disagreement": disagreement,
                "passed": passed,
                "few_samples": few,
                "parameters": parameters,
                "threads": torch.get_num_threads(),
            },
            indent=2,
        )
        + "\n"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
