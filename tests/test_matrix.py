"""Every capability with every other: the product of the axes, sampled so that every pair
of values meets at least once, each cell working or refused as the README's table says.

The axes: the optimizer's kind × the starts × the command × the view × one overlay. The
analysis commands (race, tune, basins) have no view or overlay: for them the whole product
of kind × starts × command runs. The picture commands run a pairwise sample (every pair of
values of any two axes in at least one cell). A cell works (exit 0, an output that decodes,
with the right shape of data) or is refused in one line with the README's message for it.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from conftest import ROOT, assert_one_error_line

KINDS = {
    "built-in": "RMSProp(0.3)",
    "schedule": "Adam(schedules.cosine(0.3, steps=12))",
    "own": "HandRMSProp(0.3)",
    "torch": "from_torch(torch.optim.Adam, lr=0.3)",
    "torch-lbfgs": "from_torch(torch.optim.LBFGS, lr=0.3, max_iter=3)",
    "optax": "from_optax(optax.adam(0.3))",
    "optax-factory": "from_optax(optax.adam, lr=0.3)",
}
STARTS = {
    "one": "start=(-1.0, 1.0)",
    "swarm": "starts=anim.starts.grid(2)",
    "noise": "start=(-1.0, 1.0), noise=0.5",
    "swarm+noise": "starts=anim.starts.grid(2), noise=0.5",
}
PICTURES = {  # command -> (subcommand, output suffix, extra arguments)
    "render gif": ("render", ".gif", []),
    "render mp4": ("render", ".mp4", []),
    "render html": ("render", ".html", []),
    "still": ("still", ".png", []),
    "render --tuned": ("render", ".gif", ["--tuned"]),
}
ANALYSES = {
    "race": ["race"],
    "race --json": ["race", "--json"],
    "race --json --trace": ["race", "--json", "--trace"],
    "tune": ["tune"],
    "basins": ["basins", "--resolution", "6"],
}
VIEWS = {
    "2d": [],
    "3d": ["--view", "3d"],
    "both": ["--view", "both"],
    "both --orbit": ["--view", "both", "--orbit", "30"],
}
OVERLAYS = {
    "none": [],
    "--explain": ["--explain"],
    "--lr-panel": ["--lr-panel"],
    "--loss-panel": ["--loss-panel"],
    "--theme dark": ["--theme", "dark"],
    "--transparent": ["--transparent"],
    "--colorbar": ["--colorbar"],
}

SCENE = """\
import numpy as np
import optax
import torch
import anim
from anim import Scene, schedules, surfaces
from anim.optimizers import GD, RMSProp, Adam, from_optax, from_torch


@anim.optimizer(lr=0.01, rho=0.9, eps=1e-8)
def HandRMSProp(x, g, state, *, lr, rho, eps):
    h = rho * state.get("h", 0.0) + (1 - rho) * g * g
    return x - lr * g / (np.sqrt(h) + eps), {{"h": h}}


scene = Scene(surface=surfaces.himmelblau(), optimizers=[GD(0.01), {optimizer}],
              {starts}, steps=12)
"""


def pairwise(axes: dict[str, list]) -> list[dict]:
    """A small set of cells in which every pair of values of any two axes appears at
    least once (greedy, deterministic)."""
    names = list(axes)
    needed = {
        ((a, x), (b, y))
        for a, b in itertools.combinations(names, 2)
        for x in axes[a]
        for y in axes[b]
    }
    cells = []
    while needed:
        best, best_count = None, -1
        for values in itertools.product(*(axes[n] for n in names)):
            cell = dict(zip(names, values))
            count = sum(
                ((a, cell[a]), (b, cell[b])) in needed for a, b in itertools.combinations(names, 2)
            )
            if count > best_count:
                best, best_count = cell, count
        cells.append(best)
        needed -= {((a, best[a]), (b, best[b])) for a, b in itertools.combinations(names, 2)}
    return cells


PICTURE_CELLS = pairwise(
    {
        "kind": list(KINDS),
        "starts": list(STARTS),
        "command": list(PICTURES),
        "view": list(VIEWS),
        "overlay": list(OVERLAYS),
    }
)
ANALYSIS_CELLS = [
    dict(kind=k, starts=s, command=c) for k, s, c in itertools.product(KINDS, STARTS, ANALYSES)
]


def readme_refusals() -> dict[str, str]:
    """The README table's refusals: footnote key -> message."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^- `([a-z0-9-]+)`: “(.+)”$", text, flags=re.MULTILINE))


def expected_refusal(cell: dict) -> str | None:
    """Which of the README's refusals this cell must get (None: it must work)."""
    command, view, overlay = cell["command"], cell.get("view", "2d"), cell.get("overlay")
    swarm = cell["starts"].startswith("swarm")
    suffix = PICTURES[command][1] if command in PICTURES else None
    if command in ("tune", "render --tuned") and cell["kind"] == "optax":
        return "optax-not-tunable"
    if suffix == ".mp4" and overlay == "--transparent":
        return "mp4-transparent"
    if swarm and overlay == "--explain":
        return "swarm-explain"
    if suffix == ".png" and "--orbit" in VIEWS[view]:
        return "png-orbit"
    if suffix == ".html" and "--orbit" in VIEWS[view]:
        return "html-orbit"
    return None


@pytest.fixture(scope="module")
def scene_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("matrix")
    files = {}
    for (kind, optimizer), (starts, placed) in itertools.product(KINDS.items(), STARTS.items()):
        path = folder / f"{kind}_{starts.replace('+', '_')}.py"
        path.write_text(SCENE.format(optimizer=optimizer, starts=placed))
        files[kind, starts] = path
    return files


def _check_refused(cell, code, err, refusals):
    key = expected_refusal(cell)
    assert code == 2, (cell, err)
    line = assert_one_error_line(err)
    assert key in refusals, f"the README's table has no refusal {key!r}"
    message = refusals[key]
    variable = {"swarm-explain": r"\d+", "knobs-swarm": r"\d+"}
    pattern = re.escape(message)
    for placeholder in ("\\{starts\\}", "\\{view!r\\}", "\\{label\\}"):
        pattern = pattern.replace(placeholder, variable.get(key, ".+"))
    assert re.search(pattern, line), (message, line)


@pytest.mark.parametrize(
    "cell",
    ANALYSIS_CELLS,
    ids=[f"{c['kind']}-{c['starts']}-{c['command']}" for c in ANALYSIS_CELLS],
)
def test_analysis_cell(cell, scene_files, cli, tmp_path):
    path = scene_files[cell["kind"], cell["starts"]]
    args = [*ANALYSES[cell["command"]][:1], path, *ANALYSES[cell["command"]][1:]]
    if cell["command"] == "basins":
        args += ["-o", tmp_path / "basins.png"]
    code, out, err = cli(*args)
    if expected_refusal(cell):
        _check_refused(cell, code, err, readme_refusals())
        return
    assert code == 0, (cell, err)
    swarm = cell["starts"].startswith("swarm")
    if cell["command"] == "race":
        assert "GD lr=0.01" in out and out.count("\n") >= 4
    elif cell["command"].startswith("race --json"):
        report = json.loads(out)
        assert len(report["optimizers"]) == 2
        if cell["command"].endswith("--trace"):
            trace = report["optimizers"][1]["trace"]
            if swarm:
                assert len(trace) == 4 and all(row[0]["step"] == 0 for row in trace)
            else:
                assert trace[0]["step"] == 0 and len(trace) <= 13
    elif cell["command"] == "tune":
        assert re.search(r"best lr", out) and out.count("\n") >= 4
    else:
        picture = iio.imread(tmp_path / "basins.png")
        assert picture.ndim == 3 and picture.shape[0] > 100


@pytest.mark.parametrize(
    "cell",
    PICTURE_CELLS,
    ids=[
        f"{c['kind']}-{c['starts']}-{c['command']}-{c['view']}-{c['overlay']}"
        for c in PICTURE_CELLS
    ],
)
def test_picture_cell(cell, scene_files, cli, tmp_path):
    path = scene_files[cell["kind"], cell["starts"]]
    command, suffix, extra = PICTURES[cell["command"]]
    output = tmp_path / f"out{suffix}"
    # Two views side by side, with a panel, need a frame larger than the smallest.
    width, height = (480, 360) if cell["view"].startswith("both") else (320, 240)
    args = [
        command,
        path,
        "-o",
        output,
        "--size",
        f"{width}x{height}",
        *extra,
        *VIEWS[cell["view"]],
        *OVERLAYS[cell["overlay"]],
    ]
    if command == "render":
        args += ["--fps", "10", "--hold", "0"]
    code, _, err = cli(*args)
    if expected_refusal(cell):
        _check_refused(cell, code, err, readme_refusals())
        assert not output.exists()
        return
    assert code == 0, (cell, err)
    if suffix == ".html":
        page = output.read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and "anim-data" in page
        return
    frames = iio.imread(output, index=None) if suffix != ".png" else iio.imread(output)[None]
    assert frames.shape[1:3] == (height, width), frames.shape
    transparent = cell["overlay"] == "--transparent"
    assert frames.shape[-1] == (4 if transparent and suffix == ".png" else frames.shape[-1])
    assert np.ptp(frames[..., :3]) > 50  # a picture, not a blank frame
    if suffix != ".png":
        assert len(frames) >= 2


def test_the_sample_covers_every_pair_and_the_readme_lists_every_refusal():
    axes = {
        "kind": KINDS,
        "starts": STARTS,
        "command": PICTURES,
        "view": VIEWS,
        "overlay": OVERLAYS,
    }
    for a, b in itertools.combinations(axes, 2):
        seen = {(cell[a], cell[b]) for cell in PICTURE_CELLS}
        assert seen == set(itertools.product(axes[a], axes[b])), (a, b)
    from anim.combinations import MESSAGES

    refusals = readme_refusals()
    assert refusals == MESSAGES
    keys = {expected_refusal(c) for c in [*PICTURE_CELLS, *ANALYSIS_CELLS]} - {None}
    assert keys <= set(refusals)
    total = len(KINDS) * len(STARTS) * (len(PICTURES) * len(VIEWS) * len(OVERLAYS) + len(ANALYSES))
    assert total == 7 * 4 * (5 * 4 * 7 + 5)
    assert Path(ROOT / "README.md").read_text(encoding="utf-8").count("combines with") >= 1
