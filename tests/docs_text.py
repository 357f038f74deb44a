"""Where the tests find what the README and the guide teach: the fenced blocks of
README.md and docs/*.md, and the README's regions that the guide's pages include.

The README holds a few sections the guide shows too (the showcase, the combination
table, ...); each lies between ``<!-- begin: NAME -->`` and ``<!-- end: NAME -->``, and
a page of docs/ includes it with MyST's ``{include}`` instead of keeping a copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
GUIDE = ROOT / "docs"


def documents() -> list[Path]:
    """README.md, then the guide's Markdown pages in name order."""
    return [README, *sorted(GUIDE.glob("*.md"))]


@dataclass(frozen=True)
class Block:
    """A fenced code block: where it is, its info string and its text."""

    path: Path
    line: int
    language: str
    code: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```$", flags=re.S | re.M)


def fenced_blocks(language: str | None = None) -> list[Block]:
    """Every fenced block of the README and the guide (of one language, if given)."""
    blocks = []
    for path in documents():
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            info = match.group(1).strip()
            if language is None or info == language:
                line = text.count("\n", 0, match.start()) + 1
                blocks.append(Block(path, line, info, match.group(2)))
    return blocks


def fenced_block(language: str, starting: str) -> Block:
    """The one block of that language, wherever it lives, whose text starts so."""
    found = [b for b in fenced_blocks(language) if b.code.startswith(starting)]
    assert len(found) == 1, (
        f"{len(found)} {language} blocks start with {starting!r} "
        "in README.md and docs/*.md (expected exactly one)"
    )
    return found[0]


REGION = re.compile(r"^<!-- begin: ([a-z0-9-]+) -->\n(.*?)^<!-- end: \1 -->$", flags=re.S | re.M)


def readme_regions() -> dict[str, str]:
    """The README's included regions: name -> text between its markers."""
    return dict(REGION.findall(README.read_text(encoding="utf-8")))
