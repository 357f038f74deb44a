"""The page's own fonts: the glyphs of its text that the reader's fonts may lack.

The page's script writes statuses, the step counter and tooltips in the browser, which
does not see the fonts anim draws with (installed by pip, or named with ``--font``). For
the characters of that text that the main font lacks, the page carries the glyphs itself:
subsets of the fallback fonts the picture draws them with, regular and bold, with only
those characters, as WOFF in data: URLs (the page stays one offline file). An English
page with the default font carries none.
"""

from __future__ import annotations

import base64
import functools
import io

from .fonts import Typeface


def embedded_fonts(typeface: Typeface, text: str) -> tuple[str, list[str], list[str]]:
    """(@font-face rules, their CSS family names, the fonts to load as CSS shorthands)
    for the characters of ``text`` that ``typeface``'s main font lacks."""
    rules: list[str] = []
    families: dict[str, str] = {}
    faces: list[str] = []
    for weight, number in (("normal", 400), ("bold", 700)):
        for family, path, index, chars in typeface.fallback_files(text, weight):
            name = families.setdefault(family, f"anim-text-{len(families) + 1}")
            data = base64.b64encode(font_subset(path, index, chars)).decode()
            rules.append(
                f'@font-face{{font-family:"{name}";font-weight:{number};'
                f'src:url(data:font/woff;base64,{data}) format("woff")}}'
            )
            faces.append(f'{number} 16px "{name}"')
    return "\n".join(rules), list(families.values()), faces


@functools.lru_cache(maxsize=32)
def font_subset(path: str, index: int, chars: str) -> bytes:
    """A WOFF font with only ``chars`` of the font file ``path`` (face ``index``)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor, options.hinting, options.desubroutinize = "woff", False, True
    # No OpenType layout: matplotlib applies none (no GPOS kerning), so neither may the
    # browser, or its text would come out narrower than the picture's.
    options.layout_features, options.drop_tables = [], [*options.drop_tables, "GSUB", "GPOS"]
    collection = path.lower().endswith((".ttc", ".otc"))
    # No new timestamp: the same scene gives the same page, byte for byte.
    font = TTFont(path, fontNumber=index if collection else -1, lazy=True, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def with_families(fonts: str, families: list[str]) -> str:
    """A CSS font list with ``families`` put before its last, generic family."""
    if not families:
        return fonts
    head, generic = fonts.rsplit(", ", 1)
    return ", ".join([head, *(f'"{family}"' for family in families), generic])
