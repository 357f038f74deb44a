"""Benchmark anim against the blog-style baseline (bench/baseline.py).

Run from the repository root with the environment anim is installed in:

    python bench/run.py [--rounds N] [--quick] [--baseline-memory]

Every measurement is a whole process (interpreter start, imports, race, drawing,
encoding), because that is what a user waits for. Baseline and anim runs alternate, so
a slow stretch of a shared machine hits both and the ratios stay fair. Exit status 0
when every target passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
SCENE = "bench/reference_scene.py"
PYTHON = sys.executable
STEPS, FPS = 150, 30
LONG_STEPS = 600
#: --every on a long race, and the gallery in parallel.
EVERY_STEPS, EVERY = 3000, 10
#: --every where the scoreboard is a large share of each frame: the gallery's 3,000-step
#: race of 5 racers (with its loss panel) in a small frame.
BOARD_SCENE, BOARD_SIZE = "scenes/long_race.py", "480x360"
GALLERY, GALLERY_JOBS = "scenes", 2

GIF_SPEEDUP = 8.0
MP4_SPEEDUP = 5.0
GIF_BYTES_RATIO = 10.0
MIN_PSNR_DB = 40.0
RSS_GROWTH = 1.15
#: The showcase with every racer explained and the effective-lr panel, against without.
EXPLAIN_SLOWDOWN = 1.5
SHOWCASE = "scenes/rmsprop_vs_adagrad.py"
EVERY_TIME_RATIO = 1 / 5
JOBS_SPEEDUP = 1.6
#: Swarms, basins, tuning: against the GIF of the same scene from one start.
SWARM_SCENE = "bench/swarm_scene.py"
SWARM_SLOWDOWN, BASINS_SLOWDOWN, TUNE_SLOWDOWN = 3.0, 5.0, 1.0


@dataclass
class Sample:
    wall: float  # seconds, whole process
    cpu: float  # user + system seconds of the process and the processes it waited for
    rss: int  # peak resident set size in bytes (the largest single process, not a sum)
    size: int  # bytes of the output file


def run(cmd: list[str], output: Path, log: Path, folder: Path | None = None) -> Sample:
    """Run ``cmd`` to completion and measure it.

    ``os.wait4`` reports the rusage of this one child (including ffmpeg, which it reaps
    itself), unlike ``RUSAGE_CHILDREN``, which mixes in every child before it.
    """
    if folder is not None:  # a whole folder of outputs: size is their sum
        for old in folder.glob("*"):
            old.unlink()
    else:
        output.unlink(missing_ok=True)
    with open(log, "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 or not (folder or output).exists():
        tail = log.read_text(errors="replace")[-2000:]
        sys.exit(f"bench: {' '.join(cmd)} failed (exit {process.returncode}):\n{tail}")
    size = (
        sum(p.stat().st_size for p in folder.glob("*"))
        if folder is not None
        else output.stat().st_size
    )
    # Linux reports ru_maxrss in KiB.
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, size)


def baseline_cmd(output: Path, steps: int = STEPS) -> list[str]:
    cmd = [PYTHON, "bench/baseline.py", str(output)]
    return cmd if steps == STEPS else cmd + ["--steps", str(steps)]


def anim_cmd(
    output: Path, steps: int | None = None, hold: bool = False, every: int | None = None
) -> list[str]:
    # --full: every step, as the baseline draws them (anim would otherwise stop when the
    # race is decided).
    cmd = [PYTHON, "-m", "anim", "render", SCENE, "-o", str(output), "--quiet", "--full"]
    if not hold:
        cmd += ["--hold", "0", "--size", "800x600", "--fps", str(FPS)]
    if every is not None:
        cmd += ["--every", str(every)]
    return cmd if steps is None else cmd + ["--steps", str(steps)]


def board_cmd(output: Path, every: int | None = None) -> list[str]:
    cmd = [
        PYTHON,
        "-m",
        "anim",
        "render",
        BOARD_SCENE,
        "-o",
        str(output),
        "--quiet",
        "--full",
        "--hold",
        "0",
        "--size",
        BOARD_SIZE,
        "--fps",
        str(FPS),
    ]
    return cmd if every is None else cmd + ["--every", str(every)]


def showcase_cmd(output: Path, *extra: str) -> list[str]:
    return [
        PYTHON,
        "-m",
        "anim",
        "render",
        SHOWCASE,
        "-o",
        str(output),
        "--quiet",
        "--hold",
        "0",
        *extra,
    ]


def swarm_jobs(log: Path) -> tuple[dict, list[tuple[str, str]]]:
    """The swarm GIF (4 optimizers x 256 starts x 300 steps), the basin map at 200 x 200
    and the learning-rate search, each with the single-start GIF of the same scene."""
    out = {name: OUT / name for name in ("swarm-single.gif", "swarm.gif", "basins.png", "tune.png")}
    anim = [PYTHON, "-m", "anim"]
    render = [*anim, "render", SWARM_SCENE, "--quiet", "--hold", "0", "--full"]
    jobs = {
        "swarm single": lambda: run(
            [*render, "--scene", "single", "-o", str(out["swarm-single.gif"])],
            out["swarm-single.gif"],
            log,
        ),
        "swarm gif": lambda: run(
            [*render, "--scene", "swarm", "-o", str(out["swarm.gif"])], out["swarm.gif"], log
        ),
        "basins 200": lambda: run(
            [*anim, "basins", SWARM_SCENE, "--scene", "single", "-o", str(out["basins.png"])],
            out["basins.png"],
            log,
        ),
        "tune": lambda: run(
            [*anim, "tune", SWARM_SCENE, "--scene", "single", "--plot", str(out["tune.png"])],
            out["tune.png"],
            log,
        ),
    }
    return jobs, [("swarm single", "swarm gif"), ("basins 200", "tune")]


def swarm_rows(m: dict) -> list[tuple]:
    single = m["swarm single"]["wall"]
    rows = []
    for name, what, target in (
        ("swarm gif", "swarm GIF 4x256 starts vs 1 start", SWARM_SLOWDOWN),
        ("basins 200", "basins 200x200 vs 1-start GIF", BASINS_SLOWDOWN),
        ("tune", "tune vs 1-start GIF", TUNE_SLOWDOWN),
    ):
        ratio = m[name]["wall"] / single
        rows.append(
            (
                what,
                fmt_s(single),
                fmt_s(m[name]["wall"]),
                f"{ratio:.2f}x the time",
                f"<= {target:g}x",
                ratio <= target,
            )
        )
    return rows


def gallery_cmd(folder: Path, jobs: int) -> list[str]:
    # The README's gallery command (GIF only): --duration 12 shortens only long_race.py.
    return [
        PYTHON,
        "-m",
        "anim",
        "render",
        GALLERY,
        "-o",
        str(folder),
        "--jobs",
        str(jobs),
        "--duration",
        "12",
        "--quiet",
    ]


def process_cpu(cmd: list[str]) -> tuple[float, list[float]]:
    """Run ``cmd`` once and return the CPU seconds of its own process and of each of its
    child processes (read from /proc while they run): what the run would take on free
    cores is about the parent's share plus the busiest child's, whatever else the
    machine is doing."""
    tick = os.sysconf("SC_CLK_TCK")
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: dict[int, float] = {}
    while process.poll() is None:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(entry) == process.pid or int(fields[1]) == process.pid:
                seen[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
        time.sleep(0.1)
    parent = seen.pop(process.pid, 0.0)
    return parent, sorted(seen.values(), reverse=True)


def median(samples: list[Sample], field: str) -> float:
    return statistics.median(getattr(s, field) for s in samples)


# --- output checks ------------------------------------------------------------------
def psnr(mse: float) -> float:
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def gif_fidelity(gif: Path) -> dict:
    """Compare anim's GIF with the frames anim renders, frame by frame.

    The GIF merges identical consecutive frames into one longer frame, so the decoded
    frame advances only where the rendered frame differs from the one before; the
    merged frame's delay must then equal the sum of the merged frames' delays.
    """
    import numpy as np
    from PIL import Image, ImageSequence

    import anim
    from anim.renderer import frames

    scene = anim.load_scene(str(ROOT / SCENE))
    image = Image.open(gif)
    decoded = ImageSequence.Iterator(image)

    def next_frame():
        frame = next(decoded)
        return np.asarray(frame.convert("RGB")), frame.info.get("duration", 0)

    rendered_count, runs, decoded_count, delay_errors = 0, 0, 0, []
    worst, total_se, pixels = math.inf, 0.0, 0
    run_start, previous, current, duration = 0, None, None, 0

    def check_delay(end):
        # Delays are whole centiseconds, rounded so frames 0..k end at (k + 1) / fps.
        expected = (round(end * 100 / FPS) - round(run_start * 100 / FPS)) * 10
        if duration != expected:
            delay_errors.append((decoded_count - 1, duration, expected))

    for index, rendered in enumerate(frames(scene, hold=0, full=True)):
        if previous is None or not np.array_equal(rendered, previous):
            runs += 1
            if current is not None:
                check_delay(index)
            try:
                current, duration = next_frame()
            except StopIteration:
                current = None
            else:
                decoded_count += 1
                run_start = index
        rendered_count += 1
        previous = rendered
        if current is None:
            continue  # a frame the GIF lacks; counted below
        if current.shape != rendered.shape:
            raise SystemExit(f"bench: {gif} is {current.shape}, frames are {rendered.shape}")
        se = float(np.sum((current.astype(np.int32) - rendered.astype(np.int32)) ** 2))
        total_se += se
        pixels += rendered.size
        worst = min(worst, psnr(se / rendered.size))
    if current is not None:
        check_delay(rendered_count)
    extra = sum(1 for _ in decoded) if current is not None else 0
    return {
        "rendered_frames": rendered_count,
        "gif_frames": decoded_count + extra,
        "expected_gif_frames": runs,
        "frames_missing": current is None,
        "delay_errors": delay_errors,
        "min_psnr_db": worst,
        "overall_psnr_db": psnr(total_se / pixels) if pixels else math.nan,
    }


def gif_info(path: Path) -> tuple[int, int]:
    """(frames, total duration in ms) of a GIF."""
    from PIL import Image, ImageSequence

    with Image.open(path) as image:
        durations = [frame.info.get("duration", 0) for frame in ImageSequence.Iterator(image)]
    return len(durations), sum(durations)


def mp4_frames(path: Path) -> int:
    import imageio_ffmpeg

    return imageio_ffmpeg.count_frames_and_secs(str(path))[0]


# --- report -------------------------------------------------------------------------
def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def fmt_bytes(size: float) -> str:
    return f"{size / 1e6:.2f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"


def fmt_mb(size: float) -> str:
    return f"{size / 2**20:.0f} MiB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each program (median)")
    parser.add_argument("--quick", action="store_true", help="one round")
    parser.add_argument(
        "--baseline-memory",
        action="store_true",
        help=f"also run the baseline at {LONG_STEPS + 1} frames (~2 min)",
    )
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else args.rounds
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    OUT.mkdir(parents=True, exist_ok=True)

    import matplotlib
    import numpy
    import PIL

    import anim

    started = datetime.datetime.now()
    print(
        f"anim benchmark, {started:%Y-%m-%d %H:%M}: {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"anim {anim.__version__}, matplotlib {matplotlib.__version__}, "
        f"Pillow {PIL.__version__}, numpy {numpy.__version__}"
    )
    print(
        f"reference race: {STEPS + 1} frames, 800x600, {FPS} fps; {rounds} round(s), "
        "medians of whole-process runs\n",
        flush=True,
    )

    # Untimed: compiles bytecode, builds matplotlib's font cache, warms the disk cache.
    subprocess.run(
        [PYTHON, "-c", "import matplotlib.pyplot, anim.renderer, PIL.Image"], cwd=ROOT, check=True
    )

    out = {
        name: OUT / name
        for name in (
            "baseline.gif",
            "anim.gif",
            "baseline.mp4",
            "anim.mp4",
            f"anim-{LONG_STEPS}.gif",
            "anim-default.gif",
            f"baseline-{LONG_STEPS}.gif",
            f"anim-{EVERY_STEPS}.gif",
            f"anim-{EVERY_STEPS}-every-{EVERY}.gif",
            "board.gif",
            f"board-every-{EVERY}.gif",
            "gallery-jobs-1",
            "gallery-jobs-2",
            "showcase.gif",
            "showcase-explained.gif",
        )
    }
    for name in ("gallery-jobs-1", "gallery-jobs-2"):
        out[name].mkdir(exist_ok=True)
    log = OUT / "stderr.log"
    jobs = {
        "baseline gif": lambda: run(baseline_cmd(out["baseline.gif"]), out["baseline.gif"], log),
        "anim gif": lambda: run(anim_cmd(out["anim.gif"]), out["anim.gif"], log),
        "baseline mp4": lambda: run(baseline_cmd(out["baseline.mp4"]), out["baseline.mp4"], log),
        "anim mp4": lambda: run(anim_cmd(out["anim.mp4"]), out["anim.mp4"], log),
        "anim gif long": lambda: run(
            anim_cmd(out[f"anim-{LONG_STEPS}.gif"], LONG_STEPS), out[f"anim-{LONG_STEPS}.gif"], log
        ),
        "anim default": lambda: run(
            anim_cmd(out["anim-default.gif"], hold=True), out["anim-default.gif"], log
        ),
        "anim 3000": lambda: run(
            anim_cmd(out[f"anim-{EVERY_STEPS}.gif"], EVERY_STEPS),
            out[f"anim-{EVERY_STEPS}.gif"],
            log,
        ),
        "anim 3000/10": lambda: run(
            anim_cmd(out[f"anim-{EVERY_STEPS}-every-{EVERY}.gif"], EVERY_STEPS, every=EVERY),
            out[f"anim-{EVERY_STEPS}-every-{EVERY}.gif"],
            log,
        ),
        "board 3000": lambda: run(board_cmd(out["board.gif"]), out["board.gif"], log),
        "board 3000/10": lambda: run(
            board_cmd(out[f"board-every-{EVERY}.gif"], EVERY), out[f"board-every-{EVERY}.gif"], log
        ),
        "gallery jobs 1": lambda: run(
            gallery_cmd(out["gallery-jobs-1"], 1), out["gallery-jobs-1"], log, out["gallery-jobs-1"]
        ),
        "gallery jobs 2": lambda: run(
            gallery_cmd(out["gallery-jobs-2"], GALLERY_JOBS),
            out["gallery-jobs-2"],
            log,
            out["gallery-jobs-2"],
        ),
        "showcase": lambda: run(showcase_cmd(out["showcase.gif"]), out["showcase.gif"], log),
        "explained": lambda: run(
            showcase_cmd(out["showcase-explained.gif"], "--explain", "--lr-panel"),
            out["showcase-explained.gif"],
            log,
        ),
    }
    more_jobs, more_pairs = swarm_jobs(log)
    jobs.update(more_jobs)
    results: dict[str, list[Sample]] = {name: [] for name in jobs}
    pairs = [
        ("baseline gif", "anim gif"),
        ("baseline mp4", "anim mp4"),
        ("anim 3000", "anim 3000/10"),
        ("board 3000", "board 3000/10"),
        ("gallery jobs 1", "gallery jobs 2"),
        ("showcase", "explained"),
        *more_pairs,
    ]
    for round_index in range(rounds):
        order = []
        for first, second in pairs:
            # Swap who goes first each round so neither always gets the warmer machine.
            order += [first, second] if round_index % 2 == 0 else [second, first]
        order += ["anim gif long", "anim default"]
        for name in order:
            sample = jobs[name]()
            results[name].append(sample)
            print(
                f"  round {round_index + 1}/{rounds}  {name:<14} {fmt_s(sample.wall):>8}  "
                f"cpu {fmt_s(sample.cpu):>8}  peak RSS {fmt_mb(sample.rss):>8}  "
                f"{fmt_bytes(sample.size):>8}",
                flush=True,
            )
    if args.baseline_memory:
        name = "baseline gif long"
        sample = run(
            baseline_cmd(out[f"baseline-{LONG_STEPS}.gif"], LONG_STEPS),
            out[f"baseline-{LONG_STEPS}.gif"],
            log,
        )
        results[name] = [sample]
        print(
            f"  once           {name:<14} {fmt_s(sample.wall):>8}  cpu {fmt_s(sample.cpu):>8}"
            f"  peak RSS {fmt_mb(sample.rss):>8}  {fmt_bytes(sample.size):>8}",
            flush=True,
        )

    critical = None
    if os.path.isdir("/proc/self"):
        print("\nreading the CPU time of the --jobs 2 workers ...", flush=True)
        parent, workers = process_cpu(gallery_cmd(out["gallery-jobs-2"], GALLERY_JOBS))
        critical = (parent, workers)

    print("\nchecking anim's GIF against the frames anim renders ...", flush=True)
    fidelity = gif_fidelity(out["anim.gif"])

    m = {
        name: {field: median(samples, field) for field in ("wall", "cpu", "rss", "size")}
        for name, samples in results.items()
    }
    gif_speedup = m["baseline gif"]["wall"] / m["anim gif"]["wall"]
    mp4_speedup = m["baseline mp4"]["wall"] / m["anim mp4"]["wall"]
    bytes_ratio = m["baseline gif"]["size"] / m["anim gif"]["size"]
    rss_growth = m["anim gif long"]["rss"] / m["anim gif"]["rss"]
    explain_slowdown = m["explained"]["wall"] / m["showcase"]["wall"]
    every_ratio = m["anim 3000/10"]["wall"] / m["anim 3000"]["wall"]
    board_ratio = m["board 3000/10"]["wall"] / m["board 3000"]["wall"]
    jobs_speedup = m["gallery jobs 1"]["wall"] / m["gallery jobs 2"]["wall"]
    frames_ok = (
        not fidelity["frames_missing"]
        and fidelity["gif_frames"] == fidelity["expected_gif_frames"]
        and not fidelity["delay_errors"]
    )
    psnr_ok = frames_ok and fidelity["min_psnr_db"] >= MIN_PSNR_DB

    rows = [
        (
            "GIF wall time",
            fmt_s(m["baseline gif"]["wall"]),
            fmt_s(m["anim gif"]["wall"]),
            f"{gif_speedup:.1f}x faster",
            f">= {GIF_SPEEDUP:g}x",
            gif_speedup >= GIF_SPEEDUP,
        ),
        (
            "MP4 wall time",
            fmt_s(m["baseline mp4"]["wall"]),
            fmt_s(m["anim mp4"]["wall"]),
            f"{mp4_speedup:.1f}x faster",
            f">= {MP4_SPEEDUP:g}x",
            mp4_speedup >= MP4_SPEEDUP,
        ),
        (
            "GIF bytes",
            fmt_bytes(m["baseline gif"]["size"]),
            fmt_bytes(m["anim gif"]["size"]),
            f"1/{bytes_ratio:.1f}",
            f"<= 1/{GIF_BYTES_RATIO:g}",
            bytes_ratio >= GIF_BYTES_RATIO,
        ),
        (
            "GIF fidelity (min PSNR)",
            "",
            f"{fidelity['min_psnr_db']:.1f} dB",
            f"overall {fidelity['overall_psnr_db']:.1f} dB",
            f">= {MIN_PSNR_DB:g} dB",
            psnr_ok,
        ),
        (
            f"peak RSS {LONG_STEPS + 1} vs {STEPS + 1} frames",
            (
                f"{fmt_mb(m['baseline gif long']['rss'])} vs {fmt_mb(m['baseline gif']['rss'])}"
                if "baseline gif long" in m
                else f"- vs {fmt_mb(m['baseline gif']['rss'])}"
            ),
            f"{fmt_mb(m['anim gif long']['rss'])} vs {fmt_mb(m['anim gif']['rss'])}",
            f"{rss_growth:.3f}x",
            f"<= {RSS_GROWTH:g}x",
            rss_growth <= RSS_GROWTH,
        ),
        (
            "--explain --lr-panel vs plain",
            fmt_s(m["showcase"]["wall"]),
            fmt_s(m["explained"]["wall"]),
            f"{explain_slowdown:.2f}x the time",
            f"<= {EXPLAIN_SLOWDOWN:g}x",
            explain_slowdown <= EXPLAIN_SLOWDOWN,
        ),
        (
            f"{EVERY_STEPS}-step GIF: --every {EVERY} vs every step",
            "",
            f"{fmt_s(m['anim 3000/10']['wall'])} vs {fmt_s(m['anim 3000']['wall'])}",
            f"1/{1 / every_ratio:.1f} of the time",
            f"<= 1/{1 / EVERY_TIME_RATIO:g}",
            every_ratio <= EVERY_TIME_RATIO,
        ),
        (
            f"5 racers, {BOARD_SIZE}: --every {EVERY} vs every step",
            "",
            f"{fmt_s(m['board 3000/10']['wall'])} vs {fmt_s(m['board 3000']['wall'])}",
            f"1/{1 / board_ratio:.1f} of the time",
            f"<= 1/{1 / EVERY_TIME_RATIO:g}",
            board_ratio <= EVERY_TIME_RATIO,
        ),
        (
            f"gallery ({GALLERY}/): --jobs {GALLERY_JOBS} vs --jobs 1",
            "",
            f"{fmt_s(m['gallery jobs 2']['wall'])} vs {fmt_s(m['gallery jobs 1']['wall'])}",
            f"{jobs_speedup:.2f}x faster",
            f">= {JOBS_SPEEDUP:g}x",
            jobs_speedup >= JOBS_SPEEDUP,
        ),
        *swarm_rows(m),
    ]
    header = ("", "baseline", "anim", "anim vs baseline", "target", "")
    widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(5)]
    print()
    for row in [header] + rows:
        cells = [str(cell).ljust(width) for cell, width in zip(row[:5], widths)]
        status = row[5] if isinstance(row[5], str) else verdict(row[5])
        print("  ".join(cells) + "  " + status)

    print("\ninformation only:")
    print(
        f"  CPU time (user+sys, incl. ffmpeg): GIF baseline {fmt_s(m['baseline gif']['cpu'])}"
        f", anim {fmt_s(m['anim gif']['cpu'])}; MP4 baseline "
        f"{fmt_s(m['baseline mp4']['cpu'])}, anim {fmt_s(m['anim mp4']['cpu'])}"
    )
    print(
        f"  peak RSS at {STEPS + 1} frames: GIF baseline {fmt_mb(m['baseline gif']['rss'])}, "
        f"anim {fmt_mb(m['anim gif']['rss'])}; MP4 baseline "
        f"{fmt_mb(m['baseline mp4']['rss'])}, anim {fmt_mb(m['anim mp4']['rss'])}"
    )
    if "baseline gif long" not in m:
        print(f"  baseline at {LONG_STEPS + 1} frames not run (--baseline-memory runs it)")
    print(
        f"  MP4 bytes: baseline {fmt_bytes(m['baseline mp4']['size'])}, "
        f"anim {fmt_bytes(m['anim mp4']['size'])}"
    )
    print(
        f"  anim GIF at {LONG_STEPS + 1} frames: {fmt_s(m['anim gif long']['wall'])}, "
        f"{fmt_bytes(m['anim gif long']['size'])}"
    )
    if critical is not None:
        parent, workers = critical
        free = parent + (workers[0] if workers else 0.0)
        print(
            f"  gallery --jobs {GALLERY_JOBS} CPU: parent {fmt_s(parent)}, workers "
            f"{', '.join(fmt_s(w) for w in workers)}; on {GALLERY_JOBS} free cores about "
            f"{fmt_s(free)} against {fmt_s(m['gallery jobs 1']['cpu'])} of CPU for "
            f"--jobs 1 ({m['gallery jobs 1']['cpu'] / free:.2f}x)"
        )
    default_frames, default_ms = gif_info(out["anim-default.gif"])
    print(
        f"  anim default render (2 s hold, {STEPS + 1 + 2 * FPS} frames): "
        f"{fmt_s(m['anim default']['wall'])}, {fmt_bytes(m['anim default']['size'])}, "
        f"{default_frames} GIF frames, plays {default_ms / 1000:.2f} s"
    )
    base_frames, base_ms = gif_info(out["baseline.gif"])
    anim_frames, anim_ms = gif_info(out["anim.gif"])
    print(
        f"  GIF frames: baseline {base_frames} playing {base_ms / 1000:.2f} s, anim "
        f"{anim_frames} playing {anim_ms / 1000:.2f} s ({STEPS + 1} frames at {FPS} fps "
        f"last {(STEPS + 1) / FPS:.2f} s)"
    )
    print(
        f"  MP4 frames: baseline {mp4_frames(out['baseline.mp4'])}, "
        f"anim {mp4_frames(out['anim.mp4'])}"
    )
    print(
        f"  fidelity: {fidelity['rendered_frames']} rendered frames, "
        f"{fidelity['gif_frames']} GIF frames (expected {fidelity['expected_gif_frames']}"
        f"{', GIF ends early' if fidelity['frames_missing'] else ''}), "
        f"{len(fidelity['delay_errors'])} frame delay(s) off"
    )
    for index, got, expected in fidelity["delay_errors"][:5]:
        print(f"    GIF frame {index}: {got} ms, expected {expected} ms")

    passed = all(row[5] for row in rows)
    print(
        f"\n{'all targets PASS' if passed else 'some targets FAIL'} "
        f"({(datetime.datetime.now() - started).total_seconds():.0f} s)"
    )
    record = {
        "date": started.isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "rounds": rounds,
        "samples": {name: [asdict(s) for s in samples] for name, samples in results.items()},
        "fidelity": fidelity,
        "passed": passed,
    }
    (OUT / "results.json").write_text(json.dumps(record, indent=2, default=str) + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
