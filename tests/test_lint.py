"""The linter and the type checker pass: ruff and mypy, with the settings in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: What ruff checks (and formats); mypy checks anim/ (pyproject.toml names it).
CHECKED = ["anim", "tests", "bench", "scenes", "docs/conf.py"]


def run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def mypy_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Kept between runs in pytest's cache when it has one: a second run takes seconds."""
    cache = getattr(request.config, "cache", None)
    return cache.mkdir("mypy") if cache is not None else tmp_path_factory.mktemp("mypy")


def test_ruff_passes() -> None:
    result = run("ruff", "check", "--no-cache", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_every_file_as_it_is() -> None:
    result = run("ruff", "format", "--check", "--no-cache", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_readme_command_covers_what_the_tests_check() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    checked = " ".join(CHECKED)
    assert f"ruff format {checked} && .venv/bin/ruff check {checked}" in readme


def test_ruff_reads_the_project_rules(tmp_path: Path) -> None:
    # The rule set of pyproject.toml, not ruff's defaults (E4, E7, E9, F): import order,
    # bugbear, pyupgrade and the line length are on.
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import sys\nimport os\nfrom typing import List\n\n\n"
        "def first(items: List[int] = []) -> int:\n"
        f"    return items[0] + len(sys.argv) + len(os.sep)  # {'x' * 50}\n"
    )
    result = run(
        "ruff",
        "check",
        "--no-cache",
        "--config",
        str(ROOT / "pyproject.toml"),
        "--output-format",
        "concise",
        str(sample),
    )
    codes = {
        line.split(" ")[1]
        for line in result.stdout.splitlines()
        if ": " in line and line.startswith(str(sample))
    }
    assert {"I001", "UP006", "UP035", "B006", "E501"} <= codes, result.stdout


def test_mypy_passes(mypy_cache: Path) -> None:
    result = run("mypy", "--cache-dir", str(mypy_cache))
    assert result.returncode == 0, result.stdout + result.stderr
    modules = len(list((ROOT / "anim").rglob("*.py")))
    assert f"no issues found in {modules} source files" in result.stdout
