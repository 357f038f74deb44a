"""Benchmark the HTML page against the GIF, and the player in a browser.

Run from the repository root with the environment anim is installed in:

    python bench/page.py [--rounds N] [--quick] [--seconds S]

1. The showcase (scenes/rmsprop_vs_adagrad.py) at 800x600, rendered as a GIF and as an
   HTML page by `python -m anim render` (whole processes: interpreter start, imports,
   race, drawing, encoding), alternately, medians of --rounds runs. Targets: the page at
   most half the GIF's bytes and at most half its wall time.
2. A race of 12 optimizers x 3,000 steps with the loss panel (bench/twelve_racers.py),
   played in headless Chromium: frames drawn per second while playing (at 1x and 8x
   from the start, and at 8x over the last 1,000 steps, where the trails are longest)
   against the display frames the browser shows meanwhile, and the time one frame takes
   to draw at the race's end.

3. The knobs: the showcase for 300 steps as a page with and without ``--knobs lr`` (4
   racers × 38 learning rates: tune's 37 and the scene's own), alternately, medians.
   Targets: the knobs add at most 40 kB, and writing the page with them takes at most 2×
   the time without. Then, in headless Chromium, every slider moved to every rate
   (dispatched input events, the canvas flushed with a pixel read): the time from the
   event to a drawn picture. Target: the 95th percentile within 16 ms (a frame at 60 fps).
4. The swarm's page (bench/swarm_scene.py, 4 optimizers × 256 starts × 300 steps) played
   in headless Chromium at 1× and 4×: frames drawn per second.

Exit status 0 when every target passes. Outputs go to bench/out/.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import OUT, PYTHON, ROOT, Sample, fmt_bytes, fmt_s, run, verdict

SHOWCASE = "scenes/rmsprop_vs_adagrad.py"
LOAD_TEST = "bench/twelve_racers.py"
SWARM_SCENE = "bench/swarm_scene.py"
BYTES_RATIO = 0.5
TIME_RATIO = 0.5
KNOB_STEPS = 300
KNOB_BYTES = 40_000
KNOB_TIME_RATIO = 2.0
KNOB_REDRAW_MS = 16.0
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def render_cmd(scene: str, output: Path, *extra: str) -> list[str]:
    return [
        PYTHON,
        "-m",
        "anim",
        "render",
        scene,
        "-o",
        str(output),
        "--quiet",
        "--size",
        "800x600",
        *extra,
    ]


def slider_redraws(page_path: Path, chromium: str) -> list[float]:
    """Milliseconds from a slider's input event to a drawn picture, for every rate of
    every racer (each racer alone: the lock off)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 820, "height": 1100})
        page.goto(page_path.resolve().as_uri() + "#step=100")
        page.wait_for_function("window.animPlayer !== undefined")
        page.click(".anim-lock")
        durations = page.evaluate("""() => {
            const k = animPlayer.knobs, out = [];
            const canvas = document.querySelector('.anim-racers').getContext('2d');
            document.querySelectorAll('.anim-rate').forEach((slider) => {
                const racer = +slider.dataset.racer;
                for (const lr of k.rates(racer)) {
                    const began = performance.now();
                    slider.value = String(k.position(lr));
                    slider.dispatchEvent(new Event('input'));
                    canvas.getImageData(0, 0, 1, 1);  // the drawing done, not only queued
                    out.push(performance.now() - began);
                }
            });
            return out; }""")
        browser.close()
    return durations


def play_swarm(page_path: Path, seconds: float, chromium: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 800, "height": 700})
        page.goto(page_path.resolve().as_uri() + "#step=0")
        page.wait_for_function("window.animPlayer !== undefined")
        results = {}
        for speed in (1, 4):
            page.evaluate(f"animPlayer.setStep(0); animPlayer.setSpeed({speed})")
            before = page.evaluate("animPlayer.stats()")
            page.evaluate("animPlayer.play()")
            page.wait_for_timeout(seconds * 1000)
            after = page.evaluate("animPlayer.stats()")
            page.evaluate("animPlayer.pause()")
            frames = after["frames"] - before["frames"]
            results[f"{speed}x"] = {
                "frames_per_second": frames / seconds,
                "mean_draw_ms": (after["drawMs"] - before["drawMs"]) / max(frames, 1),
            }
        browser.close()
    return results


def play_in_browser(page_path: Path, seconds: float, chromium: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 800, "height": 700})
        page.goto(page_path.resolve().as_uri() + "#step=0")
        page.wait_for_function("window.animPlayer !== undefined")
        # Counts the browser's display frames, to compare with the frames the player draws.
        page.evaluate(
            "window.displayFrames = 0; (function count() { window.displayFrames++;"
            " requestAnimationFrame(count); })()"
        )
        results = {}
        runs = [
            ("1x from the start", 0, 1),
            ("8x from the start", 0, 8),
            ("8x over the last 1,000 steps", "animPlayer.steps - 1000", 8),
        ]
        for name, start, speed in runs:
            page.evaluate(f"animPlayer.setStep({start}); animPlayer.setSpeed({speed})")
            before = page.evaluate("[animPlayer.stats(), window.displayFrames]")
            page.evaluate("animPlayer.play()")
            page.wait_for_timeout(seconds * 1000)
            after = page.evaluate("[animPlayer.stats(), window.displayFrames]")
            step = page.evaluate("animPlayer.step()")
            page.evaluate("animPlayer.pause()")
            frames = after[0]["frames"] - before[0]["frames"]
            results[name] = {
                "frames_per_second": frames / seconds,
                "display_frames_per_second": (after[1] - before[1]) / seconds,
                "mean_draw_ms": (after[0]["drawMs"] - before[0]["drawMs"]) / max(frames, 1),
                "reached_step": step,
            }
        # One frame at a time near the end, where every trail is longest.
        durations = page.evaluate("""() => {
            const out = [];
            for (let k = animPlayer.steps - 60; k <= animPlayer.steps; k++) {
                const t = performance.now(); animPlayer.setStep(k); out.push(performance.now() - t);
            }
            return out; }""")
        durations.sort()
        results["draw_ms_at_the_end"] = {
            "median": statistics.median(durations),
            "p95": durations[int(0.95 * (len(durations) - 1))],
            "max": durations[-1],
        }
        browser.close()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round")
    parser.add_argument(
        "--seconds", type=float, default=4.0, help="how long the browser plays at each speed"
    )
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else args.rounds
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / "page-stderr.log"
    gif, page = OUT / "showcase.gif", OUT / "showcase.html"
    import subprocess

    subprocess.run(
        [PYTHON, "-c", "import matplotlib.pyplot, anim.renderer, anim.page"], cwd=ROOT, check=True
    )  # untimed: bytecode, font cache, disk cache
    samples: dict[str, list[Sample]] = {"gif": [], "html": []}
    for index in range(rounds):
        order = ["gif", "html"] if index % 2 == 0 else ["html", "gif"]
        for kind in order:
            output = gif if kind == "gif" else page
            sample = run(render_cmd(SHOWCASE, output), output, log)
            samples[kind].append(sample)
            print(
                f"  round {index + 1}/{rounds}  {kind:<4} {fmt_s(sample.wall):>8}  "
                f"{fmt_bytes(sample.size):>8}",
                flush=True,
            )
    wall = {kind: statistics.median(s.wall for s in runs) for kind, runs in samples.items()}
    size = {kind: statistics.median(s.size for s in runs) for kind, runs in samples.items()}
    time_ok = wall["html"] <= TIME_RATIO * wall["gif"]
    bytes_ok = size["html"] <= BYTES_RATIO * size["gif"]
    print(f"\nshowcase at 800x600, {rounds} round(s), medians of whole-process runs")
    print(
        f"  wall time  GIF {fmt_s(wall['gif'])}  HTML {fmt_s(wall['html'])}  "
        f"ratio {wall['html'] / wall['gif']:.2f}  (target <= {TIME_RATIO})  "
        f"{verdict(time_ok)}"
    )
    print(
        f"  bytes      GIF {fmt_bytes(size['gif'])}  HTML {fmt_bytes(size['html'])}  "
        f"ratio {size['html'] / size['gif']:.2f}  (target <= {BYTES_RATIO})  "
        f"{verdict(bytes_ok)}"
    )

    load = OUT / "twelve_racers.html"
    sample = run(render_cmd(LOAD_TEST, load), load, log)
    print(
        f"\n12 optimizers x 3,000 steps with the loss panel: page written in "
        f"{fmt_s(sample.wall)}, {fmt_bytes(sample.size)}"
    )
    played = play_in_browser(load, args.seconds, args.chromium)
    for name, entry in played.items():
        if name == "draw_ms_at_the_end":
            continue
        print(
            f"  playing {name}: {entry['frames_per_second']:.1f} frames/s drawn "
            f"(browser: {entry['display_frames_per_second']:.1f} display frames/s), "
            f"{entry['mean_draw_ms']:.2f} ms per frame, at step {entry['reached_step']} "
            f"after {args.seconds:g} s"
        )
    end = played["draw_ms_at_the_end"]
    print(
        f"  one frame at the end (longest trails): median {end['median']:.2f} ms, "
        f"p95 {end['p95']:.2f} ms, max {end['max']:.2f} ms"
    )
    knobs = {"plain": [], "knobs": []}
    plain_page, knob_page = OUT / "showcase300.html", OUT / "showcase300-knobs.html"
    for index in range(rounds):
        order = ["plain", "knobs"] if index % 2 == 0 else ["knobs", "plain"]
        for kind in order:
            output = plain_page if kind == "plain" else knob_page
            extra = ["--steps", str(KNOB_STEPS)] + (["--knobs", "lr"] if kind == "knobs" else [])
            measured = run(render_cmd(SHOWCASE, output, *extra), output, log)
            knobs[kind].append(measured)
            print(
                f"  round {index + 1}/{rounds}  {kind:<6} {fmt_s(measured.wall):>8}  "
                f"{fmt_bytes(measured.size):>8}",
                flush=True,
            )
    knob_wall = {kind: statistics.median(s.wall for s in runs) for kind, runs in knobs.items()}
    knob_size = {kind: statistics.median(s.size for s in runs) for kind, runs in knobs.items()}
    added = knob_size["knobs"] - knob_size["plain"]
    added_ok = added <= KNOB_BYTES
    knob_time_ok = knob_wall["knobs"] <= KNOB_TIME_RATIO * knob_wall["plain"]
    redraws = sorted(slider_redraws(knob_page, args.chromium))
    p95 = redraws[int(0.95 * (len(redraws) - 1))]
    redraw_ok = p95 <= KNOB_REDRAW_MS
    print(f"\nknobs: the showcase for {KNOB_STEPS} steps, --knobs lr (4 racers x 38 rates)")
    print(
        f"  bytes added  {fmt_bytes(knob_size['plain'])} -> {fmt_bytes(knob_size['knobs'])}: "
        f"+{added / 1000:.1f} kB  (target <= {KNOB_BYTES / 1000:.0f} kB)  {verdict(added_ok)}"
    )
    print(
        f"  write time   {fmt_s(knob_wall['plain'])} -> {fmt_s(knob_wall['knobs'])}: ratio "
        f"{knob_wall['knobs'] / knob_wall['plain']:.2f}  (target <= {KNOB_TIME_RATIO})  "
        f"{verdict(knob_time_ok)}"
    )
    print(
        f"  slider to picture, {len(redraws)} moves: median "
        f"{statistics.median(redraws):.2f} ms, p95 {p95:.2f} ms, max {redraws[-1]:.2f} ms  "
        f"(target p95 <= {KNOB_REDRAW_MS:.0f} ms)  {verdict(redraw_ok)}"
    )

    swarm_page = OUT / "swarm.html"
    swarm = run(render_cmd(SWARM_SCENE, swarm_page, "--scene", "swarm"), swarm_page, log)
    swarm_played = play_swarm(swarm_page, args.seconds, args.chromium)
    print(
        f"\nswarm (4 x 256 starts x 300 steps): page {fmt_bytes(swarm.size)}, written in "
        f"{fmt_s(swarm.wall)}"
    )
    for name, entry in swarm_played.items():
        print(
            f"  playing at {name}: {entry['frames_per_second']:.1f} frames/s drawn, "
            f"{entry['mean_draw_ms']:.2f} ms per frame"
        )

    (OUT / "page-results.json").write_text(
        json.dumps(
            {
                "rounds": rounds,
                "showcase": {kind: [vars(s) for s in runs] for kind, runs in samples.items()},
                "twelve_racers": {"wall": sample.wall, "bytes": sample.size, **played},
                "knobs": {kind: [vars(s) for s in runs] for kind, runs in knobs.items()},
                "slider_redraw_ms": redraws,
                "swarm": {"wall": swarm.wall, "bytes": swarm.size, **swarm_played},
            },
            indent=2,
        )
        + "\n"
    )
    return 0 if all((time_ok, bytes_ok, added_ok, knob_time_ok, redraw_ok)) else 1


if __name__ == "__main__":
    sys.exit(main())
