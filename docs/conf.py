"""Sphinx configuration of anim's documentation.

The pages are Markdown (MyST), the API reference comes from the docstrings, and the
gallery is made from ``scenes/`` by anim's own image scraper: each scene file becomes a
gallery example (its docstring, its code, then a line that films it), written into
``docs/_scenes/`` when the build starts.

Build: ``python -m sphinx -W -b html docs docs/_build/html``.
"""

import ast
import shutil
import sys
from pathlib import Path

from sphinx.writers.html5 import HTML5Translator

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # this checkout's anim, installed or not

import anim  # noqa: E402

project = "anim"
author = "the anim authors"
copyright = "the anim authors"
version = release = anim.__version__

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx_gallery.gen_gallery"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_scenes"]
myst_heading_anchors = 3
html_theme = "furo"
html_title = f"anim {release}"
html_static_path = ["_static"]
html_css_files = ["anim.css"]
# Option names (--orbit), messages quoted word for word (start=...) and the README's own
# typography stay as written: no -- to en dash, no ... to an ellipsis.
smartquotes = False
autodoc_member_order = "bysource"
autodoc_typehints = "none"

SCENES = ROOT / "scenes"
EXAMPLES = DOCS / "_scenes"
#: Every scene is filmed as the README's gallery is: --duration 12 only shortens the
#: 3,000-step race.
FILM = "duration=12"


def absolute_values(text: str) -> str:
    """anim's docstrings write |x| for an absolute value, which reStructuredText would
    read as a substitution."""
    return text.replace("|", "\\|")


def escape_docstring(app, what, name, obj, options, lines):
    lines[:] = [absolute_values(line) for line in lines]


class PageLinkTranslator(HTML5Translator):
    """Links to anim's interactive pages open them. A linked file that is not a page of
    the site (``../output/race.html``) is copied into ``_downloads/`` and its link marked
    ``download``, which would save the page instead of playing it."""

    def visit_download_reference(self, node):
        super().visit_download_reference(node)
        if node.get("filename", "").endswith(".html") and self.body:
            self.body[-1] = self.body[-1].replace(' download=""', "")


def setup(app):
    app.connect("autodoc-process-docstring", escape_docstring)
    app.set_translator("html", PageLinkTranslator)


def gallery_example(path: Path) -> str:
    """A scene file as a sphinx-gallery example: its docstring's first line as the
    title, the rest as the text, the code, then a block that films each scene."""
    source = path.read_text(encoding="utf-8")
    module = ast.parse(source)
    docstring = ast.get_docstring(module) or path.stem
    title, _, text = docstring.partition("\n")
    title = title.rstrip(".")
    code = "\n".join(source.splitlines()[module.body[0].end_lineno :]).strip("\n")
    names = list(anim.load_scenes(path))
    films = "\n".join(
        f'anim.render({name}, "{path.stem if len(names) == 1 else f"{path.stem}-{name}"}'
        f'.gif", {FILM})'
        for name in names
    )
    text = absolute_values(text.strip())
    return (
        f'r"""\n{title}\n{"=" * len(title)}\n\n{text}\n\n'
        f'The scene file: ``scenes/{path.name}``.\n"""\n\n{code}\n\n'
        "# %%\n# The race, filmed:\n\nimport anim\n\n" + films + "\n"
    )


def write_gallery_examples():
    if EXAMPLES.exists():
        shutil.rmtree(EXAMPLES)
    EXAMPLES.mkdir()
    (EXAMPLES / "GALLERY_HEADER.rst").write_text(
        "Gallery\n=======\n\nEvery scene of ``scenes/``, filmed by anim's own image scraper "
        "(see :doc:`/galleries`). Each page shows the scene file and its race.\n",
        encoding="utf-8",
    )
    for path in sorted(SCENES.glob("*.py")):
        text = gallery_example(path)
        target = EXAMPLES / path.name
        target.write_text(text, encoding="utf-8")


write_gallery_examples()

sphinx_gallery_conf = {
    "examples_dirs": "_scenes",
    "gallery_dirs": "gallery",
    "filename_pattern": r".*",
    "image_scrapers": ("matplotlib", "anim"),
    # anim.render returns the path it wrote: not worth a line on the page.
    "ignore_repr_types": r"pathlib",
    "download_all_examples": False,
    "show_memory": False,
    "within_subsection_order": "FileNameSortKey",
}
