"""The examples the README and the guide teach run as written, wherever they live: the
scene a newcomer writes first, a surface of their own, an optimizer of their own, the
torch and optax adapters, and every other self-contained Python example."""

import ast
import builtins
import os

import numpy as np
import pytest
from docs_text import ROOT, Block, fenced_block, fenced_blocks

import anim


def test_the_scene_example_runs(tmp_path):
    example = fenced_block("python", "# scenes/my_race.py").code
    path = tmp_path / "my_race.py"
    path.write_text(example)
    scene = anim.load_scene(path)
    assert [o.name for o in scene.optimizers] == ["GD", "Momentum", "Adam"]
    assert scene.loss_panel and scene.steps == 300
    # The first scene a newcomer writes should have someone on the finish board.
    assert scene.race().finish_order()


def test_the_surface_example_runs():
    namespace = {}
    exec(fenced_block("python", "from anim import Surface").code, namespace)
    gx, gy = namespace["bowl"].grad(1.0, 0.5)
    # d/dx log(1 + x² + 4y²) = 2x / (1 + x² + 4y²), d/dy = 8y / (...): at (1, 0.5), 2/3 and 4/3.
    assert abs(gx - 2 / 3) < 1e-12 and abs(gy - 4 / 3) < 1e-12
    assert namespace["bowl"].gradient_method == "complex-step"


def test_the_own_optimizer_example_races_the_builtin():
    namespace = {}
    exec(
        fenced_block("python", "import numpy as np\nfrom anim import Scene, optimizer").code,
        namespace,
    )
    scene = namespace["scene"]
    assert [o.name for o in scene.optimizers] == ["HandRMSProp", "RMSProp", "GD"]
    result = scene.race()
    np.testing.assert_allclose(result.paths[0], result.paths[1], rtol=1e-14, atol=1e-15)
    assert result.arrival_step[0] == result.arrival_step[1] == 18
    # the gallery scene is the guide's example
    gallery = (ROOT / "scenes" / "own_rmsprop.py").read_text(encoding="utf-8")
    assert "def HandRMSProp(x, g, state, *, lr, rho, eps):" in gallery
    assert "optimizers=[HandRMSProp(lr=0.4), RMSProp(lr=0.4), GD(lr=0.4)]" in gallery


def test_the_adapter_examples_run():
    exec(fenced_block("python", "import pytorch_optimizer, torch").code, {})


# ---------------------------------------------------------------- every runnable example


def free_names(tree: ast.AST) -> set[str]:
    """Names the code reads but neither binds nor gets from builtins."""
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return read - bound - set(dir(builtins))


def is_self_contained(block: Block) -> bool:
    """An example claims to run when it is whole: it defines every name it uses and holds
    no ``...`` standing for code left out. The others are sketches around a user's own
    objects (a model, its data), shown for their shape."""
    tree = ast.parse(block.code)
    placeholder = any(
        isinstance(node, ast.Constant) and node.value is Ellipsis for node in ast.walk(tree)
    )
    return not placeholder and not free_names(tree)


PYTHON = fenced_blocks("python")
RUNNABLE = [block for block in PYTHON if is_self_contained(block)]


#: The files that show a sketch around a user's own objects: a swarm's optimizers left
#: out, a training loop of the user's model.
SKETCHES = {"README.md", "docs/swarms.md"}


def test_the_examples_are_python_and_the_sketches_are_meant():
    for block in PYTHON:
        ast.parse(block.code)  # a sketch, too, is valid Python
    sketches = {str(b.path.relative_to(ROOT)) for b in PYTHON if b not in RUNNABLE}
    assert sketches == SKETCHES, "an example uses a name it does not define, or holds ..."
    assert len(RUNNABLE) >= 6


@pytest.mark.parametrize("block", RUNNABLE, ids=str)
def test_a_self_contained_example_runs(block, tmp_path, monkeypatch):
    # The examples speak of scenes/ and output/ from the project's root, and a gallery
    # example of ../scenes from its examples folder: both are there.
    work = tmp_path / "project"
    (work / "output").mkdir(parents=True)
    for folder in (work, tmp_path):
        os.symlink(ROOT / "scenes", folder / "scenes")
    monkeypatch.chdir(work)
    exec(compile(block.code, str(block), "exec"), {"__name__": "__example__"})
