"""A scene and a race in a notebook: the player for a live notebook, the final frame for
a static viewer (a notebook on GitHub, nbconvert to Markdown), a short table for a
result. The notebook is executed for real (nbclient, an IPython kernel) and exported
with nbconvert; the exports are opened in headless Chromium."""

import base64
import html
import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter, MarkdownExporter
from pages import CHROMIUM_ARGS, chromium_path

import anim
from anim import Scene, surfaces
from anim.optimizers import GD, Adam, RMSProp

SCENE = """\
import anim
from anim import Scene, Surface
from anim.optimizers import GD, Adam

bowl = Surface(lambda x, y: x**2 + 2 * y**2, bounds=((-3, 3), (-3, 3)), minimum=(0, 0))
scene = Scene(surface=bowl, optimizers=[GD(lr=0.1), Adam(lr=0.3)], start=(2.5, 2.0),
              steps=20, title="A bowl")
"""


def small_scene(**fields):
    return Scene(
        surface=surfaces.ravine(),
        optimizers=[GD(lr=0.4), RMSProp(lr=0.4)],
        start=(-7, 2),
        steps=30,
        **fields,
    )


def test_a_scene_carries_the_player_its_final_frame_and_text(tmp_path):
    scene = small_scene()
    bundle = scene._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "image/png"}
    assert bundle["text/plain"] == repr(scene)
    png = base64.b64decode(bundle["image/png"])
    assert png == anim.still(scene, tmp_path / "final.png").read_bytes()
    shown = bundle["text/html"]
    still = re.search(r'<img id="(anim-still-\w+)"[^>]*src="data:image/png;base64,([^"]+)"', shown)
    assert still and base64.b64decode(still.group(2)) == png
    # The still comes first, then the player, then the script that removes the still.
    assert shown.index("<img") < shown.index("<iframe") < shown.index(still.group(1), 60)
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', shown).group(1))
    assert page == anim.render(scene, tmp_path / "race.html").read_text(encoding="utf-8")
    assert "\n" not in shown


@pytest.mark.parametrize(
    "fields",
    [{"view": "3d"}, {"explain": True, "lr_panel": True}, {"starts": [(-7, 2), (-6, 1)]}],
    ids=["3d", "explain", "swarm"],
)
def test_every_kind_of_picture_carries_its_player(fields):
    if "starts" in fields:
        scene = Scene(surface=surfaces.ravine(), optimizers=[GD(lr=0.4)], steps=30, **fields)
    else:
        scene = small_scene(**fields)
    bundle = scene._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "image/png"}
    assert "<iframe" in bundle["text/html"]


def test_projected_training_runs_carry_their_player_and_final_frame(tmp_path):
    """The page draws projected runs (their fidelity panels too), so a notebook shows
    their player, with the final frame for viewers that run no script."""
    import torch

    from anim.landscape import trajectories

    from test_landscape import LOSS, X, Y, mlp, train

    model = mlp(8)
    runs = {"sgd": train(model, lambda p: torch.optim.SGD(p, lr=0.1), steps=4)}
    scene = trajectories(
        runs, model, LOSS, (X, Y), dtype="float64", cache=False, resolution=12
    ).scene()
    bundle = scene._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "image/png"}
    assert (
        "<iframe" in bundle["text/html"]
        and "&quot;kind&quot;:&quot;fidelity&quot;" in bundle["text/html"]
    )
    assert (
        base64.b64decode(bundle["image/png"])
        == anim.still(scene, tmp_path / "final.png").read_bytes()
    )


def test_results_print_in_a_few_lines_and_as_a_table():
    result = small_scene().race()
    text = repr(result)
    lines = text.splitlines()
    assert len(lines) == 3 + 2 and len(text) < 600
    assert lines[0] == ("RaceResult: 30 steps from (-7.0, 2.0), goal (0.0, 0.0) (radius 0.447)")
    assert lines[3].split() == ["GD", "GD", "lr=0.4", "—", "—", f"{result.final_loss(0):.3g}"]
    assert lines[4].split()[:5] == ["RMSProp", "RMSProp", "lr=0.4", "ρ=0.9", "18"]
    table = result._repr_html_()
    assert table.count("<tr>") == 3 and "<td>RMSProp lr=0.4 ρ=0.9</td><td>18</td>" in table
    swarm = Scene(
        surface=surfaces.himmelblau(),
        optimizers=[GD(lr=0.01), Adam(lr=0.1)],
        starts=anim.starts.grid(4),
        goal="any",
        steps=60,
    ).race()
    lines = repr(swarm).splitlines()
    assert len(lines) == 5 and lines[0].startswith("SwarmResult: 60 steps from 16 starts")
    entry = swarm.summary()["optimizers"][0]
    assert lines[3].split()[:4] == ["GD", "GD", "lr=0.01", f"{entry['arrived']}/16"]
    assert f"{entry['median_final_loss']:.3g}" in lines[3]
    assert swarm._repr_html_().count("<tr>") == 3


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebook")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(SCENE + "scene"),
        nbformat.v4.new_code_cell("scene.race()"),
        nbformat.v4.new_code_cell('path = anim.render(scene, "race.gif", size="320x240")'),
    ]
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    return notebook, folder


def test_a_real_notebook_shows_the_player_the_picture_and_the_table(executed):
    notebook, folder = executed
    (scene_output,) = notebook.cells[0].outputs
    assert set(scene_output["data"]) == {"text/plain", "text/html", "image/png"}
    (result_output,) = notebook.cells[1].outputs
    assert result_output["data"]["text/html"].startswith('<table class="anim-result">')
    assert len(result_output["data"]["text/plain"].splitlines()) == 5
    # No progress bar in the notebook: its stderr is no terminal.
    assert notebook.cells[2].outputs == []
    assert (folder / "race.gif").is_file()


def test_a_markdown_export_keeps_the_final_frame(executed, tmp_path):
    notebook, _ = executed
    body, _ = MarkdownExporter().from_notebook_node(notebook)
    still = re.search(r'<img id="anim-still-\w+"[^>]*src="data:image/png;base64,([^"]+)"', body)
    assert still, body[:500]
    png = base64.b64decode(still.group(1))
    assert png == base64.b64decode(notebook.cells[0].outputs[0]["data"]["image/png"])
    assert '<table class="anim-result">' in body
    # A static viewer (GitHub) drops scripts and iframes: the picture is what remains.
    import markdown

    shown = markdown.markdown(body, extensions=["fenced_code"])
    shown = re.sub(r"<script.*?</script>|<iframe.*?</iframe>", "", shown, flags=re.S)
    (tmp_path / "static.html").write_text(shown, encoding="utf-8")
    with browser_page() as page:
        page.goto((tmp_path / "static.html").as_uri())
        width = page.evaluate("document.querySelector('img[id^=anim-still]').naturalWidth")
        assert width == 800


def test_an_html_export_plays_the_race(executed, tmp_path):
    notebook, _ = executed
    body, _ = HTMLExporter().from_notebook_node(notebook)
    (tmp_path / "notebook.html").write_text(body, encoding="utf-8")
    with browser_page() as page:
        page.goto((tmp_path / "notebook.html").as_uri())
        page.wait_for_function("document.querySelector('iframe[data-anim-fit]') !== null")
        player = page.frame_locator("iframe[data-anim-fit]")
        player.locator(".anim-racers").wait_for()
        # The script that runs with the player took the still away.
        assert page.evaluate("document.querySelector('img[id^=anim-still]')") is None


class browser_page:
    """A headless Chromium page that may load only local files and data: URLs (an
    export's links to CDNs are refused, as offline)."""

    def __enter__(self):
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        page = self.browser.new_page(viewport={"width": 1000, "height": 900})
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("file:", "data:", "about:"))
                else route.abort()
            ),
        )
        return page

    def __exit__(self, *exc):
        self.browser.close()
        self.playwright.stop()
