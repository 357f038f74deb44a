"""Which fonts draw a picture's text: the main font, then installed fonts for what it lacks.

matplotlib (3.6+) draws each character with the first font of a text's family list that
has it. anim puts the main font first — matplotlib's default sans-serif (DejaVu Sans), or
the one a scene names with ``font=`` / ``--font`` (an installed family name or a font
file) — and after it, for the characters of the picture's texts that the main font lacks,
installed fonts chosen by reading their character maps: coverage decides, not a list of
names. Candidates are tried best first: the fonts of the ``anim[cjk]`` extra (Noto Sans
CJK JP, regular and bold: Japanese, Chinese and Korean), then upright regular sans-serif
fonts, then the rest, and the search stops as soon as every character is covered. An
ASCII picture needs no search at all.

Characters that no installed font has are reported once per picture, in one line that
names them and the fix (:func:`missing_message`); matplotlib's own warning per glyph and
per draw is silenced while anim draws (:func:`quiet_missing_glyphs`).

It imports matplotlib: what draws (the figure, the page, the charts), ``anim doctor`` and a
scene that names a font import it, the race never does.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import importlib.util
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib import font_manager, ft2font

#: The extra that brings a font for Japanese, Chinese and Korean, and its packages (each
#: ships its font file beside its ``__init__``; they are found, never imported).
EXTRA = "cjk"
EXTRA_PACKAGES = ("noto_cjk_sans_jp_regular", "noto_cjk_sans_jp_bold")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
#: A font that maps this many times more code points than it has glyphs draws
#: placeholders, not letters (real fonts map about one code point per glyph).
PLACEHOLDER_RATIO = 4
#: What matplotlib warns, once per missing glyph and draw.
GLYPH_WARNING = r"Glyph \d+ .*missing from font"
#: A few letters of each script, to tell which scripts the installed fonts draw.
SCRIPTS = {
    "Latin": "AaßéŁ",
    "Greek": "ΑαΩω",
    "Cyrillic": "ДдЖж",
    "Arabic": "بتث",
    "Hebrew": "אבג",
    "Devanagari": "कखग",
    "Thai": "กขค",
    "Japanese": "あアー学習",
    "Chinese": "学们們國",
    "Korean": "한국어",
}


# --- the installed fonts --------------------------------------------------------------
def extra_font_files() -> list[Path]:
    """The font files of the ``anim[cjk]`` extra's packages that are installed."""
    files = []
    for package in EXTRA_PACKAGES:
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            files += sorted(
                path for path in Path(folder).iterdir() if path.suffix.lower() in FONT_SUFFIXES
            )
    return files


@functools.cache
def register_extra_fonts() -> tuple[str, ...]:
    """Add the extra's font files to matplotlib's font list (once per process; they live
    in site-packages, where matplotlib does not look); their paths."""
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    paths = []
    for path in extra_font_files():
        if str(path) not in known:
            font_manager.fontManager.addfont(str(path))
        paths.append(str(path))
    return tuple(paths)


@functools.cache
def _added_file(path: str) -> str:
    """Add a font file to matplotlib's font list (unless it is there); its family name."""

    def known():
        return next(
            (entry.name for entry in font_manager.fontManager.ttflist if entry.fname == path), None
        )

    if known() is None:
        font_manager.fontManager.addfont(path)
    return known()


class Coverage:
    """The code points a font has glyphs for, kept compact (a CJK font has 45,000: as a
    set of ints they would take megabytes, for every font a search reads)."""

    __slots__ = ("codes",)

    def __init__(self, codes=()):
        self.codes = np.unique(np.fromiter(codes, dtype=np.uint32))

    def __contains__(self, code) -> bool:
        at = int(np.searchsorted(self.codes, code))
        return at < self.codes.size and int(self.codes[at]) == code

    def __len__(self) -> int:
        return int(self.codes.size)


@functools.cache
def charmap(path: str, index: int = 0) -> Coverage | None:
    """The code points font ``path`` (face ``index`` of a collection) has glyphs for; None
    for a font matplotlib cannot draw at any size (bitmap-only colour emoji) or read, and
    for a placeholder font (matplotlib's Last Resort maps every code point to a few boxes
    that name the script: no real glyphs)."""
    try:
        font = ft2font.FT2Font(str(path), face_index=index) if index else ft2font.FT2Font(str(path))
    except (OSError, RuntimeError, ValueError, TypeError):
        return None
    flags = getattr(ft2font, "FaceFlags", None)
    scalable = (
        flags.SCALABLE in font.face_flags
        if flags is not None
        # matplotlib before 3.10, whose stubs knew this constant
        else bool(font.face_flags & ft2font.SCALABLE)  # type: ignore[attr-defined]
    )
    codes = font.get_charmap()
    if not scalable or len(codes) > PLACEHOLDER_RATIO * max(font.num_glyphs, 1):
        return None
    return Coverage(codes)


def _weight(entry) -> int:
    weight = entry.weight
    return font_manager.weight_dict.get(weight, 400) if isinstance(weight, str) else int(weight)


def candidates() -> list:
    """matplotlib's fonts, best fallback first: the extra's, then upright regular
    sans-serif ones, then the rest (by name, so the choice is the same on every run)."""
    extra = set(register_extra_fonts())

    def rank(entry):
        name = entry.name.lower()
        regular = entry.style == "normal" and 350 <= _weight(entry) <= 500
        return (
            entry.fname not in extra,
            not regular,
            "sans" not in name and "gothic" not in name,
            entry.name,
            entry.fname,
            getattr(entry, "index", 0),
        )

    return sorted(font_manager.fontManager.ttflist, key=rank)


def _family_file(family: str, weight: str = "normal") -> tuple[str, int]:
    """The file (and face) matplotlib draws ``family`` from at ``weight``."""
    found = font_manager.findfont(
        font_manager.FontProperties(family=family, weight=weight), fallback_to_default=False
    )
    return str(found), getattr(found, "face_index", 0)


def _family_draws(family: str, weight: str = "normal") -> Coverage:
    return charmap(*_family_file(family, weight)) or Coverage()


def default_family(generic: str | None = None) -> str:
    """The family matplotlib uses for ``generic`` ("monospace"), or for text by default
    (its ``font.family`` setting: DejaVu Sans unless configured otherwise)."""
    properties = (
        font_manager.FontProperties(family=generic) if generic else font_manager.FontProperties()
    )
    path = font_manager.findfont(properties)
    for entry in font_manager.fontManager.ttflist:
        if entry.fname == path:
            return entry.name
    return font_manager.get_font(path).family_name


def resolve_font(font) -> str:
    """The family name of ``font``: an installed family name (any case), or the path of
    a font file, which is added to matplotlib's fonts. A ValueError says what is wrong."""
    usage = "give an installed font's family name, e.g. 'DejaVu Sans', or a font file's path"
    if not isinstance(font, (str, Path)) or not str(font).strip():
        raise ValueError(f"Invalid font: {font!r} ({usage})")
    text = str(font)
    path = Path(text).expanduser()
    if (
        isinstance(font, Path)
        or path.suffix.lower() in FONT_SUFFIXES
        or "/" in text
        or "\\" in text
        or path.is_file()
    ):
        if not path.is_file():
            raise ValueError(f"Invalid font: {text!r} (no such file; {usage})")
        resolved = str(path.resolve())
        if charmap(resolved) is None:
            raise ValueError(
                f"Invalid font: {text!r} (not a font file that can be drawn "
                "at any size: use a .ttf, .otf or .ttc outline font)"
            )
        try:
            return _added_file(resolved)
        except (RuntimeError, OSError, ValueError, StopIteration) as exc:
            raise ValueError(f"Invalid font: {text!r} (matplotlib cannot read it: {exc})") from None
    register_extra_fonts()
    names = {entry.name.lower(): entry.name for entry in font_manager.fontManager.ttflist}
    if text.lower() in names:
        return names[text.lower()]
    close = difflib.get_close_matches(text.lower(), names, n=3, cutoff=0.6)
    if close:
        usage = f"did you mean {' or '.join(repr(names[c]) for c in close)}? Or {usage}"
    raise ValueError(f"Invalid font: {text!r} (no installed font is called that; {usage})")


# --- the fonts of a picture -----------------------------------------------------------
@dataclass(frozen=True)
class Typeface:
    """The family lists a picture's text is drawn with."""

    #: The main family, then the fallbacks for the characters it lacks.
    sans: tuple[str, ...]
    #: The monospaced family (the step counter), then the main family and the fallbacks.
    mono: tuple[str, ...]
    #: The characters no installed font has, in order of first appearance.
    missing: str = ""

    @property
    def main(self) -> str:
        return self.sans[0]

    @property
    def fallbacks(self) -> tuple[str, ...]:
        return self.sans[1:]

    def context(self):
        """matplotlib's settings while a figure is built: every text created inside gets
        these families (tick labels included, which copy the first one's font)."""
        import matplotlib

        return matplotlib.rc_context({"font.family": list(self.sans)})

    def properties(
        self, size: float, weight: str = "normal", mono: bool = False
    ) -> font_manager.FontProperties:
        return font_manager.FontProperties(
            family=list(self.mono if mono else self.sans), size=size, weight=weight
        )

    def fallback_files(self, text: str, weight: str = "normal") -> list[tuple[str, str, int, str]]:
        """Where the characters of ``text`` that the main font lacks are drawn from at
        ``weight``: (family, font file, face index, those characters), one per file."""
        main = _family_draws(self.main, weight)
        found: dict[tuple[str, str, int], str] = {}
        for char in dict.fromkeys(text):
            if ord(char) in main or char.isspace():
                continue
            for family in self.fallbacks:
                path, index = _family_file(family, weight)
                if ord(char) in (charmap(path, index) or ()):
                    found[family, path, index] = found.get((family, path, index), "") + char
                    break
        return [(*key, chars) for key, chars in found.items()]


def typeface(texts, font=None) -> Typeface:
    """The families that draw ``texts`` (strings) with ``font`` (a family name or a font
    file; default: matplotlib's default font) as the main font."""
    main = resolve_font(font) if font is not None else default_family()
    chars = "".join(
        dict.fromkeys(
            char
            for text in texts
            for char in str(text)
            if char.isprintable() and not char.isspace()
        )
    )
    return _typeface(main, default_family("monospace"), chars)


@functools.lru_cache(maxsize=256)
def _typeface(main: str, mono: str, chars: str) -> Typeface:
    drawn = _family_draws(main)
    lacking = [char for char in chars if ord(char) not in drawn]
    fallbacks: list[str] = []
    if lacking:
        for entry in candidates():
            if not lacking:
                break
            if entry.name == main or entry.name in fallbacks:
                continue
            has = charmap(entry.fname, getattr(entry, "index", 0))
            if has and any(ord(char) in has for char in lacking):
                fallbacks.append(entry.name)
                lacking = [char for char in lacking if ord(char) not in has]
    families = (main, *fallbacks)
    mono_families = tuple(dict.fromkeys((mono, *families)))
    return Typeface(families, mono_families, "".join(lacking))


# --- when characters have no font -----------------------------------------------------
def is_cjk(char: str) -> bool:
    """Kana, Hangul, CJK ideographs, CJK symbols and full-width forms."""
    code = ord(char)
    return any(
        low <= code <= high
        for low, high in (
            (0x1100, 0x11FF),
            (0x2E80, 0x2FDF),
            (0x3000, 0x33FF),
            (0x3400, 0x4DBF),
            (0x4E00, 0x9FFF),
            (0xA960, 0xA97F),
            (0xAC00, 0xD7FF),
            (0xF900, 0xFAFF),
            (0xFE30, 0xFE4F),
            (0xFF00, 0xFFEF),
            (0x20000, 0x3FFFF),
        )
    )


def missing_message(chars: str) -> str:
    """One line: which characters no installed font has, and how to get one."""
    shown = ", ".join(f"{char} (U+{ord(char):04X})" for char in chars[:10])
    if len(chars) > 10:
        shown += f" and {len(chars) - 10} more"
    if any(is_cjk(char) for char in chars):
        fix = (
            f"pip install 'anim[{EXTRA}]' (Japanese, Chinese, Korean) or apt install "
            "fonts-noto-cjk, or name a font that has them"
        )
    else:
        fix = "install a font that has them (e.g. apt install fonts-noto-core) or name one"
    return f"no installed font has {shown}: they show as boxes; {fix} with --font (Scene(font=...))"


@contextlib.contextmanager
def quiet_missing_glyphs():
    """Silence matplotlib's warning per missing glyph and draw while anim draws: a
    picture reports its missing characters once, with :func:`missing_message`."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=GLYPH_WARNING, category=UserWarning)
        yield


def use_fonts(figure, font=None) -> Typeface:
    """Give every text of a finished ``figure`` (a chart drawn once) the families that
    draw it, and warn once about characters no installed font has."""
    from matplotlib.text import Text

    from .errors import FontWarning

    texts = [text for text in figure.findobj(Text) if text.get_text()]
    found = typeface([text.get_text() for text in texts], font)
    for text in texts:
        text.set_fontfamily(list(found.sans))
    if found.missing:
        warnings.warn(FontWarning(missing_message(found.missing)), stacklevel=3)
    return found


def script_coverage() -> dict[str, tuple[str, ...]]:
    """Script -> the families that draw its sample letters (the main font first when it
    draws them alone), or () when no installed font does."""
    coverage = {}
    for script, letters in SCRIPTS.items():
        found = typeface([letters])
        coverage[script] = () if found.missing else (found.fallbacks or (found.main,))
    return coverage
