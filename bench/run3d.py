"""Benchmark anim's 3D view against the blog-style 3D baseline (bench/baseline3d.py).

Run from the repository root with the environment anim is installed in:

    python bench/run3d.py [--rounds N] [--quick]

Both programs film the showcase race (scenes/rmsprop_vs_adagrad.py) in 3D: 151 frames,
800x600, 30 fps, GIF. Every measurement is a whole process, and baseline and anim runs
alternate (which goes first swaps every round), as in bench/run.py. Also printed: the
cost per frame of drawing with a fixed camera and with an orbiting one (the surface is
redrawn every frame), measured in this process. Exit status 0 when the target passes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
import time
from dataclasses import asdict

from run import OUT, PYTHON, ROOT, fmt_bytes, fmt_s, gif_info, run, verdict

SCENE = "scenes/rmsprop_vs_adagrad.py"
STEPS, FPS = 150, 30
GIF_SPEEDUP = 5.0
ORBIT_DEGREES = 90.0


def baseline_cmd(output) -> list[str]:
    return [PYTHON, "bench/baseline3d.py", str(output)]


def anim_cmd(output, orbit: float = 0.0) -> list[str]:
    cmd = [
        PYTHON,
        "-m",
        "anim",
        "render",
        SCENE,
        "--view",
        "3d",
        "-o",
        str(output),
        "--quiet",
        "--hold",
        "0",
        "--size",
        "800x600",
        "--fps",
        str(FPS),
    ]
    return cmd + ["--orbit", str(orbit)] if orbit else cmd


def frame_costs() -> dict[str, float]:
    """Milliseconds per frame (drawing only, no encoding) for a fixed and an orbiting
    camera, and for the 2D view, on the showcase at 800x600."""
    import anim
    from anim.renderer import _figure, resolve_options

    scene = anim.load_scene(str(ROOT / SCENE))
    result = scene.race()
    costs = {}
    for name, options in (
        ("2d", {}),
        ("3d fixed camera", {"view": "3d"}),
        (f"3d orbit {ORBIT_DEGREES:g}°", {"view": "3d", "orbit": ORBIT_DEGREES}),
    ):
        request = resolve_options(scene, size="800x600", fps=FPS, hold=0, **options)
        figure = _figure(scene, result, request)
        start = time.perf_counter()
        for index in range(request.total_frames):
            figure.draw_frame(index)
        costs[name] = 1000 * (time.perf_counter() - start) / request.total_frames
        figure.close()
    return costs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each program (median)")
    parser.add_argument("--quick", action="store_true", help="one round")
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else args.rounds
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    OUT.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now()
    print(
        f"anim 3D benchmark, {started:%Y-%m-%d %H:%M}: {SCENE} --view 3d, "
        f"{STEPS + 1} frames, 800x600, GIF; {rounds} round(s)",
        flush=True,
    )
    out = {
        "baseline": OUT / "baseline3d.gif",
        "anim": OUT / "anim3d.gif",
        "anim orbit": OUT / "anim3d-orbit.gif",
    }
    commands = {
        "baseline": baseline_cmd(out["baseline"]),
        "anim": anim_cmd(out["anim"]),
        "anim orbit": anim_cmd(out["anim orbit"], ORBIT_DEGREES),
    }
    samples = {name: [] for name in commands}
    for round_index in range(rounds):
        order = list(commands) if round_index % 2 == 0 else list(commands)[::-1]
        for name in order:
            sample = run(commands[name], out[name], OUT / f"{name.replace(' ', '-')}3d.log")
            samples[name].append(sample)
            print(
                f"  round {round_index + 1}  {name:<11} {fmt_s(sample.wall):>8}  "
                f"cpu {fmt_s(sample.cpu):>8}  {fmt_bytes(sample.size):>8}",
                flush=True,
            )
    wall = {name: statistics.median(s.wall for s in runs) for name, runs in samples.items()}
    cpu = {name: statistics.median(s.cpu for s in runs) for name, runs in samples.items()}
    size = {name: statistics.median(s.size for s in runs) for name, runs in samples.items()}
    speedup = wall["baseline"] / wall["anim"]
    passed = speedup >= GIF_SPEEDUP
    for name in out:
        frames, _ = gif_info(out[name])
        print(f"  {name:<11} GIF: {frames} frames, {fmt_bytes(size[name])}")
    print(
        f"\n3D GIF wall time: baseline {fmt_s(wall['baseline'])}, anim {fmt_s(wall['anim'])}"
        f" -> {speedup:.1f}x faster (target >= {GIF_SPEEDUP:g}x)  {verdict(passed)}"
    )
    print(
        f"  CPU time: baseline {fmt_s(cpu['baseline'])}, anim {fmt_s(cpu['anim'])} "
        f"({cpu['baseline'] / cpu['anim']:.1f}x)"
    )
    print(
        f"  anim with --orbit {ORBIT_DEGREES:g}: {fmt_s(wall['anim orbit'])} "
        f"({wall['anim orbit'] / wall['anim']:.1f}x the fixed camera)"
    )
    costs = frame_costs()
    print(
        "  drawing cost per frame, this process: "
        + ", ".join(f"{name} {ms:.1f} ms" for name, ms in costs.items())
    )
    record = {
        "date": started.isoformat(timespec="seconds"),
        "rounds": rounds,
        "samples": {name: [asdict(s) for s in runs] for name, runs in samples.items()},
        "speedup": speedup,
        "frame_ms": costs,
        "passed": passed,
    }
    (OUT / "results3d.json").write_text(json.dumps(record, indent=2) + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    sys.exit(main())
