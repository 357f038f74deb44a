"""The linter and the type checker pass: ruff and mypy, with the settings in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The modules held to ruff and mypy so far. The list grows until it is all of anim/ (and
# ruff's tests/, bench/ and scenes/); then both run as `ruff check anim tests bench scenes`
# and a bare `mypy` (pyproject.toml names the files).
CHECKED = [
    "anim/analysis_cli.py",
    "anim/basins.py",
    "anim/batch.py",
    "anim/cache.py",
    "anim/charts.py",
    "anim/combinations.py",
    "anim/doctor.py",
    "anim/engine.py",
    "anim/errors.py",
    "anim/explain.py",
    "anim/failures.py",
    "anim/figure/__init__.py",
    "anim/figure/fidelity.py",
    "anim/figure/glyphs.py",
    "anim/figure/glyphs3d.py",
    "anim/figure/layer.py",
    "anim/figure/layout.py",
    "anim/figure/panels.py",
    "anim/figure/racers.py",
    "anim/figure/racers3d.py",
    "anim/figure/surface3d.py",
    "anim/figure/swarm.py",
    "anim/figure/swarm3d.py",
    "anim/figure/terrain.py",
    "anim/figure/theme.py",
    "anim/fitting.py",
    "anim/fonts.py",
    "anim/gallery.py",
    "anim/gif.py",
    "anim/knobs.py",
    "anim/landscape/replay.py",
    "anim/length.py",
    "anim/loader.py",
    "anim/notebook.py",
    "anim/optimizers/__init__.py",
    "anim/optimizers/adam.py",
    "anim/optimizers/adapters.py",
    "anim/optimizers/base.py",
    "anim/optimizers/builtin.py",
    "anim/optimizers/custom.py",
    "anim/optimizers/sweep.py",
    "anim/pagedata/__init__.py",
    "anim/pagedata/encoding.py",
    "anim/pagedata/geometry.py",
    "anim/pagedata/glyphs.py",
    "anim/pagedata/heads.py",
    "anim/pagedata/knobs.py",
    "anim/pagedata/panels.py",
    "anim/pagedata/racers.py",
    "anim/pagedata/swarm.py",
    "anim/pagedata/views.py",
    "anim/palette.py",
    "anim/progress.py",
    "anim/provenance.py",
    "anim/race.py",
    "anim/schedules.py",
    "anim/settings.py",
    "anim/starts.py",
    "anim/summary.py",
    "anim/surface.py",
    "anim/swarm.py",
    "anim/tune.py",
    "anim/webfonts.py",
    "anim/words.py",
    "anim/writers.py",
]


def run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=cwd, capture_output=True,
                          text=True, check=False)


@pytest.fixture(scope="module")
def mypy_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
               ) -> Path:
    """Kept between runs in pytest's cache when it has one: a second run takes seconds."""
    cache = getattr(request.config, "cache", None)
    return cache.mkdir("mypy") if cache is not None else tmp_path_factory.mktemp("mypy")


def test_the_checked_modules_exist() -> None:
    missing = [path for path in CHECKED if not (ROOT / path).is_file()]
    assert not missing


def test_ruff_passes() -> None:
    result = run("ruff", "check", "--no-cache", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_reads_the_project_rules(tmp_path: Path) -> None:
    # The rule set of pyproject.toml, not ruff's defaults (E4, E7, E9, F): import order,
    # bugbear, pyupgrade and the line length are on.
    sample = tmp_path / "sample.py"
    sample.write_text("import sys\nimport os\nfrom typing import List\n\n\n"
                      "def first(items: List[int] = []) -> int:\n"
                      f"    return items[0] + len(sys.argv) + len(os.sep)  # {'x' * 50}\n")
    result = run("ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
                 "--output-format", "concise", str(sample))
    codes = {line.split(" ")[1] for line in result.stdout.splitlines() if ": " in line
             and line.startswith(str(sample))}
    assert {"I001", "UP006", "UP035", "B006", "E501"} <= codes, result.stdout


def test_mypy_passes(mypy_cache: Path) -> None:
    # follow-imports=silent: the modules not listed yet are read for their types, but
    # their own errors are not reported here.
    result = run("mypy", "--cache-dir", str(mypy_cache), "--follow-imports=silent", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"no issues found in {len(CHECKED)} source files" in result.stdout
