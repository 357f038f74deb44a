"""The README's promises: its two commands, and the scene example it teaches."""

import re
from pathlib import Path

import numpy as np

import anim

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def shell_blocks():
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def test_readme_starts_with_the_render_and_test_commands():
    render, tests = (block.strip() for block in shell_blocks()[:2])
    assert "pip install" in render and "anim render scenes/rmsprop_vs_adagrad.py" in render
    assert "'.[test]'" in tests and "pytest" in tests
    assert README.index(render) < 600


def test_ci_runs_exactly_the_readme_test_command():
    tests = shell_blocks()[1].strip()
    ci_lines = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci_lines[-1] == tests


def test_the_readme_scene_example_runs(tmp_path):
    example = re.search(r"```python\n(# scenes/my_race.py.*?)```", README, flags=re.S).group(1)
    path = tmp_path / "my_race.py"
    path.write_text(example)
    scene = anim.load_scene(path)
    assert [o.name for o in scene.optimizers] == ["GD", "Momentum", "Adam"]
    assert scene.loss_panel and scene.steps == 300
    # The first scene a newcomer writes should have someone on the finish board.
    assert scene.race().finish_order()


def test_the_readme_surface_example_runs():
    example = re.search(r"```python\n(from anim import Surface.*?)```", README,
                        flags=re.S).group(1)
    namespace = {}
    exec(example, namespace)
    gx, gy = namespace["bowl"].grad(1.0, 0.5)
    assert abs(gx - 2 / 3) < 1e-12 and abs(gy - 4 / 3) < 1e-12
    assert namespace["bowl"].gradient_method == "complex-step"


def test_the_readme_own_optimizer_example_races_the_builtin():
    example = re.search(r"```python\n(import numpy as np\nfrom anim import Scene, optimizer.*?)```",
                        README, flags=re.S).group(1)
    namespace = {}
    exec(example, namespace)
    scene = namespace["scene"]
    assert [o.name for o in scene.optimizers] == ["HandRMSProp", "RMSProp", "GD"]
    result = scene.race()
    np.testing.assert_allclose(result.paths[0], result.paths[1], rtol=1e-14, atol=1e-15)
    assert result.arrival_step[0] == result.arrival_step[1] == 18
    # the gallery scene is the README's example
    gallery = (ROOT / "scenes" / "own_rmsprop.py").read_text(encoding="utf-8")
    assert "def HandRMSProp(x, g, state, *, lr, rho, eps):" in gallery
    assert "optimizers=[HandRMSProp(lr=0.4), RMSProp(lr=0.4), GD(lr=0.4)]" in gallery


def test_the_readme_adapter_examples_run():
    example = re.search(r"```python\n(import pytorch_optimizer, torch.*?)```", README,
                        flags=re.S).group(1)
    exec(example, {})
