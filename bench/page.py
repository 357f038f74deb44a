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

Exit status 0 when both targets of part 1 pass. Outputs go to bench/out/.
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
BYTES_RATIO = 0.5
TIME_RATIO = 0.5
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def render_cmd(scene: str, output: Path) -> list[str]:
    return [PYTHON, "-m", "anim", "render", scene, "-o", str(output), "--quiet",
            "--size", "800x600"]


def play_in_browser(page_path: Path, seconds: float, chromium: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 800, "height": 700})
        page.goto(page_path.resolve().as_uri() + "#step=0")
        page.wait_for_function("window.animPlayer !== undefined")
        # Counts the browser's display frames, to compare with the frames the player draws.
        page.evaluate("window.displayFrames = 0; (function count() { window.displayFrames++;"
                      " requestAnimationFrame(count); })()")
        results = {}
        runs = [("1x from the start", 0, 1), ("8x from the start", 0, 8),
                ("8x over the last 1,000 steps", "animPlayer.steps - 1000", 8)]
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
                "reached_step": step}
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
            "max": durations[-1]}
        browser.close()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round")
    parser.add_argument("--seconds", type=float, default=4.0,
                        help="how long the browser plays at each speed")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else args.rounds
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / "page-stderr.log"
    gif, page = OUT / "showcase.gif", OUT / "showcase.html"
    import subprocess

    subprocess.run([PYTHON, "-c", "import matplotlib.pyplot, anim.renderer, anim.page"],
                   cwd=ROOT, check=True)  # untimed: bytecode, font cache, disk cache
    samples: dict[str, list[Sample]] = {"gif": [], "html": []}
    for index in range(rounds):
        order = ["gif", "html"] if index % 2 == 0 else ["html", "gif"]
        for kind in order:
            output = gif if kind == "gif" else page
            sample = run(render_cmd(SHOWCASE, output), output, log)
            samples[kind].append(sample)
            print(f"  round {index + 1}/{rounds}  {kind:<4} {fmt_s(sample.wall):>8}  "
                  f"{fmt_bytes(sample.size):>8}", flush=True)
    wall = {kind: statistics.median(s.wall for s in runs) for kind, runs in samples.items()}
    size = {kind: statistics.median(s.size for s in runs) for kind, runs in samples.items()}
    time_ok = wall["html"] <= TIME_RATIO * wall["gif"]
    bytes_ok = size["html"] <= BYTES_RATIO * size["gif"]
    print(f"\nshowcase at 800x600, {rounds} round(s), medians of whole-process runs")
    print(f"  wall time  GIF {fmt_s(wall['gif'])}  HTML {fmt_s(wall['html'])}  "
          f"ratio {wall['html'] / wall['gif']:.2f}  (target <= {TIME_RATIO})  "
          f"{verdict(time_ok)}")
    print(f"  bytes      GIF {fmt_bytes(size['gif'])}  HTML {fmt_bytes(size['html'])}  "
          f"ratio {size['html'] / size['gif']:.2f}  (target <= {BYTES_RATIO})  "
          f"{verdict(bytes_ok)}")

    load = OUT / "twelve_racers.html"
    sample = run(render_cmd(LOAD_TEST, load), load, log)
    print(f"\n12 optimizers x 3,000 steps with the loss panel: page written in "
          f"{fmt_s(sample.wall)}, {fmt_bytes(sample.size)}")
    played = play_in_browser(load, args.seconds, args.chromium)
    for name, entry in played.items():
        if name == "draw_ms_at_the_end":
            continue
        print(f"  playing {name}: {entry['frames_per_second']:.1f} frames/s drawn "
              f"(browser: {entry['display_frames_per_second']:.1f} display frames/s), "
              f"{entry['mean_draw_ms']:.2f} ms per frame, at step {entry['reached_step']} "
              f"after {args.seconds:g} s")
    end = played["draw_ms_at_the_end"]
    print(f"  one frame at the end (longest trails): median {end['median']:.2f} ms, "
          f"p95 {end['p95']:.2f} ms, max {end['max']:.2f} ms")
    (OUT / "page-results.json").write_text(json.dumps({
        "rounds": rounds,
        "showcase": {kind: [vars(s) for s in runs] for kind, runs in samples.items()},
        "twelve_racers": {"wall": sample.wall, "bytes": sample.size, **played},
    }, indent=2) + "\n")
    return 0 if time_ok and bytes_ok else 1


if __name__ == "__main__":
    sys.exit(main())
