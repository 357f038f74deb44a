"""anim as an image scraper for sphinx-gallery and mkdocs-gallery.

With ``image_scrapers: ('matplotlib', 'anim')`` in a gallery's configuration, every
scene an example renders (``anim.render``, ``anim.still``) or displays (a bare ``scene``
as the last line of a code block) appears on the example's page, right after the block:

- a rendered GIF or MP4 as a GIF, a rendered ``.html`` as the interactive page, a still
  as its PNG;
- a displayed scene as the player (the gallery shows it through ``Scene._repr_html_``),
  or as a GIF where the page cannot draw it;

and the gallery's thumbnail (the example's first picture, as usual) is a still of the
scene's final frame. A scene neither rendered nor displayed is not shown.

Both galleries resolve the name "anim" by calling ``anim._get_sg_image_scraper()``;
that call turns on collecting for the build's process. From then on ``anim.render`` and
``anim.still`` take their files from the render cache (:mod:`anim.cache`, rendering
only what is not there), still write the file the example asked for, and note the
scene for the scraper, which runs after each code block. Nothing of a progress bar
reaches the page: renders in a gallery draw none.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from . import cache
from .errors import RequestError
from .scene import Scene

#: The gallery build's collector, once a gallery has asked for the scraper.
_ACTIVE: Gallery | None = None
#: Options that change a film but not a still of one of its frames.
FILM_ONLY = ("fps", "hold", "loop", "every", "duration", "full")


def scraper():
    """The scraper, and from now on every render in this process is collected."""
    global _ACTIVE
    if _ACTIVE is None:
        _ACTIVE = Gallery()
    return _ACTIVE.scrape


def collecting() -> bool:
    return _ACTIVE is not None


def _collecting() -> Gallery:
    if _ACTIVE is None:
        raise RuntimeError("no docs gallery is collecting renders: ask collecting() first")
    return _ACTIVE


def render(scene, output=None, **options) -> Path:
    return _collecting().render(scene, output, **options)


def still(scene, output=None, **options) -> Path:
    return _collecting().still(scene, output, **options)


def player_html(scene, options: dict) -> str:
    return _collecting().player_html(scene, options)


@dataclass
class Shown:
    """A scene to show on an example's page."""

    scene: Scene
    #: "animation" (GIF or MP4), "page" (.html), "still" (.png) or "displayed".
    kind: str
    options: dict = field(default_factory=dict)
    #: The GIF's size limit, when the example asked for a GIF with one.
    max_size: object = None
    #: The step a still shows (None: the last).
    frame: int | None = None
    #: The example file that asked, resolved, and the digest of its code.
    example: str | None = None
    digest: str | None = None


def _calling_example() -> tuple[str | None, str | None]:
    """The file of the example being run, and its code's digest: the innermost frame of
    code run as ``__main__`` (both galleries run an example so, compiled with its file name)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__") == "__main__":
            name = frame.f_code.co_filename
            if os.path.isfile(name):
                return str(Path(name).resolve()), cache.code_digest(name)
            return None, None
        frame = frame.f_back
    return None, None


def _displayed(block, example_globals) -> Scene | None:
    """The scene a code block ends with as a bare expression (the galleries keep that
    value as ``___``; a block that ends otherwise leaves an older one there)."""
    try:
        body = ast.parse(block[1]).body
    except (SyntaxError, ValueError, TypeError, IndexError):
        return None
    if not body or not isinstance(body[-1], ast.Expr):
        return None
    value = example_globals.get("___")
    return value if isinstance(value, Scene) else None


class Gallery:
    """The scenes rendered or displayed since the last code block was scraped."""

    def __init__(self):
        self.pending: list[Shown] = []

    # --- what examples call -------------------------------------------------------
    def render(
        self,
        scene,
        output=None,
        *,
        progress=None,
        sidecar=False,
        max_size=None,
        notify=None,
        **options,
    ) -> Path:
        """``anim.render`` during a gallery build: the same checks and the same file,
        from the cache; no progress bar."""
        from .request import prepare

        path, _, _ = prepare(scene, output, max_size=max_size, **options)
        example, digest = _calling_example()
        suffix = path.suffix.lower()
        if suffix == ".png":  # a render to .png is a still of the last step
            return self.still(scene, output, sidecar=sidecar, **options)
        film = self._film(scene, suffix, options, max_size, digest, notify)
        cache.copy_to(film, path)
        if sidecar:
            _copy_sidecar(film, path)
        kind = "page" if suffix == ".html" else "animation"
        self.pending.append(
            Shown(
                scene,
                kind,
                options,
                max_size if suffix == ".gif" else None,
                example=example,
                digest=digest,
            )
        )
        return path

    def still(self, scene, output=None, *, frame=None, sidecar=False, **options) -> Path:
        """``anim.still`` during a gallery build: the same checks and file, cached."""
        from .request import prepare

        path, _, frame = prepare(scene, output, still=True, frame=frame, **options)
        example, digest = _calling_example()
        picture = self._still(scene, options, frame, digest)
        cache.copy_to(picture, path)
        if sidecar:
            _copy_sidecar(picture, path)
        self.pending.append(
            Shown(scene, "still", options, frame=frame, example=example, digest=digest)
        )
        return path

    def player_html(self, scene, options: dict, digest=None) -> str:
        """The player in an iframe, on one line (a page indents what it embeds, which
        must not reach into the player's text), its page from the cache.
        ``Scene._repr_html_`` calls it during a gallery build."""
        from .page import notebook_html
        from .request import resolve_options

        if digest is None:
            _, digest = _calling_example()
        page = self._film(scene, ".html", options, None, digest)
        request = resolve_options(scene, **options)
        return notebook_html(
            page.read_text(encoding="utf-8"), request.width, request.height
        ).replace("\n", "&#10;")

    # --- the cache ----------------------------------------------------------------
    def _film(self, scene, suffix, options, max_size, digest, notify=None) -> Path:
        """The cached GIF, MP4 or page of ``scene`` (with its sidecar beside it)."""
        from .renderer import render as film

        key = cache.scene_key(scene, suffix, {**options, "max_size": max_size}, digest)
        return cache.cached(
            key,
            suffix,
            lambda target: film(
                scene,
                target,
                progress=False,
                sidecar=True,
                max_size=max_size,
                notify=notify,
                **options,
            ),
        )

    def _still(self, scene, options, frame, digest) -> Path:
        from .renderer import still

        options = {name: value for name, value in options.items() if name not in FILM_ONLY}
        key = cache.scene_key(scene, ".png", {**options, "frame": frame}, digest)
        return cache.cached(
            key, ".png", lambda target: still(scene, target, frame=frame, sidecar=True, **options)
        )

    def _final_step(self, scene, options) -> int | None:
        """The step a film of ``scene`` ends on (when the race is decided, or the last;
        None: the last)."""
        from .request import resolve_options

        request = resolve_options(scene, **options)
        result = scene.race(request.steps, noise=request.noise, seed=request.seed)
        return request.for_race(result).end

    # --- the scraper ----------------------------------------------------------------
    def scrape(self, block, block_vars, gallery_conf=None) -> str:
        """sphinx-gallery calls ``scraper(block, block_vars, gallery_conf)`` and wants
        reStructuredText; mkdocs-gallery calls ``scraper(block, script)`` and wants
        Markdown. Returns the markup of every scene to show after this block."""
        markup: _Markdown | _ReST
        if gallery_conf is None:
            script = block_vars
            markup = _Markdown(script)
            paths = script.run_vars.image_path_iterator
            example_globals = script.run_vars.example_globals
            source = script.src_py_file
        else:
            markup = _ReST(gallery_conf)
            paths = block_vars["image_path_iterator"]
            example_globals = block_vars["example_globals"]
            source = block_vars["src_file"]
        source = str(Path(source).resolve())
        # Scenes another file rendered (conf.py, an extension) are not this page's.
        shown = [item for item in self.pending if item.example == source]
        self.pending = []
        scene = _displayed(block, example_globals)
        if scene is not None:
            shown.append(
                Shown(scene, "displayed", example=source, digest=cache.code_digest(source))
            )
        return "".join(self._show(item, Path(next(paths)), markup) for item in shown)

    def _show(self, item: Shown, image: Path, markup) -> str:
        """Write ``image`` (a PNG path of the gallery: the thumbnail's candidate) and
        return the markup that shows ``item``. A film's GIF goes beside it, with the same
        name and ``.gif``; both galleries look for a PNG first, so the thumbnail is the
        still of the final frame while the page shows the animation."""
        scene, options, alt = item.scene, item.options, describe_picture(item.scene)
        if item.kind == "still":
            cache.copy_to(self._still(scene, options, item.frame, item.digest), image)
            return markup.image(image, alt)
        if item.kind == "page" or item.kind == "displayed" and page_can_show(scene):
            cache.copy_to(self._still(scene, options, None, item.digest), image)
            if item.kind == "displayed":  # the gallery shows the player (_repr_html_)
                return ""
            return markup.html(self.player_html(scene, options, item.digest))
        final = self._still(scene, options, self._final_step(scene, options), item.digest)
        cache.copy_to(final, image)
        gif = image.with_suffix(".gif")
        cache.copy_to(self._film(scene, ".gif", options, item.max_size, item.digest), gif)
        return markup.image(gif, alt)


def page_can_show(scene, **options) -> bool:
    """Whether the interactive page draws ``scene`` (it refuses, e.g., the 3D view and
    swarms; the same checks as ``anim.render(scene, "x.html")``)."""
    from .request import prepare

    with tempfile.TemporaryDirectory() as folder:
        try:
            prepare(scene, Path(folder) / "scene.html", **options)
        except RequestError:
            return False
    return True


def describe_picture(scene) -> str:
    """Alt text: the title and the racers."""
    title = scene.title or scene.surface.name or "anim race"
    return f"{title}: " + ", ".join(optimizer.label for optimizer in scene.optimizers)


def _copy_sidecar(cached: Path, output: Path):
    """The cached file's sidecar beside ``output``, naming ``output``."""
    record = json.loads(cached.with_name(cached.name + ".json").read_text(encoding="utf-8"))
    record["output"] = output.name
    sidecar = output.with_name(output.name + ".json")
    from .writers import replacing

    with replacing(sidecar) as tmp:
        tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


class _ReST:
    """sphinx-gallery's markup: its own image directive (srcset, classes)."""

    def __init__(self, gallery_conf):
        self.source_dir = gallery_conf["src_dir"]

    def image(self, path: Path, alt: str) -> str:
        from sphinx_gallery.scrapers import figure_rst

        return figure_rst([str(path)], self.source_dir, alt)

    def html(self, text: str) -> str:
        return "\n\n.. raw:: html\n\n    " + text + "\n\n"


class _Markdown:
    """mkdocs-gallery's markup."""

    def __init__(self, script):
        self.script = script

    def image(self, path: Path, alt: str) -> str:
        from mkdocs_gallery.scrapers import figure_md_or_html

        return figure_md_or_html([path], self.script, alt) + "\n"

    def html(self, text: str) -> str:
        return '\n\n<div class="anim-page">' + text + "</div>\n\n"
