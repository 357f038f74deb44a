"""What the browser tests share: headless Chromium driven by Playwright, a page watched
for requests and console errors, and the comparisons of a page with ``anim still``.

Every page is opened with all requests routed through a guard that refuses anything but
the page's own file and data: URLs, and with its console watched; a test fails on any
refused request, console error or uncaught exception.
"""

import io
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import anim
from anim.renderer import _figure, resolve_options

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The still and the page differ only in antialiasing and in the browser's font: at most
#: this share of pixels differs by more than 48 (sum over RGB). One pixel of shift: 3 %.
MAX_DIFFERING_SHARE = 0.015


def chromium_path() -> str:
    path = os.environ.get("ANIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            f"Chromium not found at {path}: install it (apt-get install -y chromium) "
            "or set ANIM_CHROMIUM to its path"
        )
    return path


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page, its refused requests and its console errors."""

    def __init__(self, browser, width=800, height=700, scale=1, reduced_motion=None):
        self.context = browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=scale,
            reduced_motion=reduced_motion,
        )
        self.page = self.context.new_page()
        self.refused, self.errors = [], []
        self.page.route("**/*", self._guard)
        self.page.on(
            "console", lambda message: message.type == "error" and self.errors.append(message.text)
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on(
            "request",
            lambda request: (
                None
                if request.url.startswith(("file:", "data:", "about:"))
                else self.refused.append(request.url)
            ),
        )

    def _guard(self, route):
        if route.request.url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()

    def open(self, path: Path, fragment: str = ""):
        self.page.goto(path.resolve().as_uri() + fragment)
        self.page.wait_for_function("window.animPlayer !== undefined")
        return self.page

    def check(self):
        assert self.refused == [], f"network requests: {self.refused}"
        assert self.errors == [], f"console errors: {self.errors}"
        self.context.close()


@pytest.fixture
def watched(browser):
    pages = []

    def make(**kwargs):
        pages.append(Watched(browser, **kwargs))
        return pages[-1]

    yield make
    for page in pages:
        page.check()


def expected_heads(scene, step, **options):
    """Where the still's figure draws every head at ``step`` in its contour view (in its
    3D view when it has no other), in canvas pixels, and that view's box."""
    request = resolve_options(scene, **options)
    result = scene.race(request.steps, explain=bool(request.explain))
    figure = _figure(scene, result, request, fast=False, still=True)
    if request.view == "3d":
        ax, heads = figure.ax3d, figure.racers3d.drawn_heads[:, step]
    else:
        ax, heads = figure.ax, figure.racers.head_positions[:, step]
    pixels = ax.transData.transform(heads)
    pixels[:, 1] = request.height - pixels[:, 1]
    box = ax.bbox.bounds
    figure.close()
    return pixels, (box[0], request.height - box[1] - box[3], box[2], box[3])


def screenshot(page, width, height) -> np.ndarray:
    shot = page.locator(".anim-stage").screenshot()
    image = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"), dtype=float)
    assert image.shape[:2] == (height, width), image.shape
    return image


def differing_share(a: np.ndarray, b: np.ndarray) -> float:
    return float((np.abs(a - b).sum(axis=-1) > 48).mean())


def best_shift(page_image, still_image, x, y, radius=9, reach=4):
    """The shift (dx, dy) of the page's picture around (x, y) that matches the still best."""
    x, y = int(round(x)), int(round(y))
    height, width = still_image.shape[:2]
    radius = min(radius, x - reach, y - reach, width - 1 - x - reach, height - 1 - y - reach)
    target = still_image[y - radius : y + radius + 1, x - radius : x + radius + 1]
    errors = {
        (dx, dy): np.mean(
            (
                page_image[
                    y - radius + dy : y + radius + 1 + dy, x - radius + dx : x + radius + 1 + dx
                ]
                - target
            )
            ** 2
        )
        for dx in range(-reach, reach + 1)
        for dy in range(-reach, reach + 1)
    }
    return min(errors, key=errors.get)


def still_image(scene, folder, step, **options) -> np.ndarray:
    path = anim.still(scene, folder / f"still-{step}.png", frame=step, **options)
    return np.asarray(Image.open(path).convert("RGB"), dtype=float)
