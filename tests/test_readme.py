"""The README's promises: its two commands first, valid links on GitHub, one line per page
of the guide, and the sections the guide includes from it rather than copies."""

import re
from pathlib import Path

from docs_text import GUIDE, README, ROOT, readme_regions

TEXT = README.read_text(encoding="utf-8")


def shell_blocks():
    return re.findall(r"```sh\n(.*?)```", TEXT, flags=re.S)


def test_readme_starts_with_the_render_and_test_commands():
    render, tests = (block.strip() for block in shell_blocks()[:2])
    assert "pip install" in render and "anim render scenes/rmsprop_vs_adagrad.py" in render
    assert "'.[test]'" in tests and "pytest" in tests
    assert TEXT.index(render) < 600


def test_ci_runs_exactly_the_readme_test_command():
    tests = shell_blocks()[1].strip()
    ci_lines = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci_lines[-1] == tests


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    return {github_anchor(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


def links(text: str, images: bool = True) -> list[str]:
    """Targets of the Markdown links (and images, unless told) outside code."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    text = re.sub(r"`[^`\n]*`", "", text)
    return re.findall(
        r"(?:^|[^!])\[[^\]]*\]\(([^)\s]+)\)" if not images else r"\]\(([^)\s]+)\)", text, flags=re.M
    )


def test_every_relative_link_of_the_readme_works_on_github():
    checked = 0
    for target in links(TEXT):
        if re.match(r"[a-z]+://", target):
            continue
        path, _, anchor = target.partition("#")
        file = (ROOT / path) if path else README
        assert file.exists(), f"README links {target!r}: no such file"
        if anchor and file.suffix == ".md" and file.parent in (ROOT, GUIDE):
            assert anchor in anchors(file), f"README links {target!r}: no such heading"
        checked += 1
    assert checked > 40


def guide_pages() -> list[str]:
    """The pages of the guide's table of contents, in its order."""
    index = (GUIDE / "index.md").read_text(encoding="utf-8")
    toc = re.search(r"```\{toctree\}\n(?::[^\n]*\n)*\n?(.*?)```", index, flags=re.S).group(1)
    return toc.split()


def test_the_documentation_section_links_every_page_of_the_guide_in_its_order():
    start = TEXT.index("## Documentation")
    section = TEXT[start : TEXT.index("\n## ", start)]
    listed = re.findall(r"^- \[[^\]]+\]\(docs/([a-z_]+)\.md\)", section, flags=re.M)
    assert listed == guide_pages()
    assert guide_pages()[0] == "tour"
    assert set(listed) == {p.stem for p in GUIDE.glob("*.md")} - {"index"}


INCLUDE = re.compile(
    r"```\{include\} \.\./README\.md\n:start-after: <!-- begin: ([a-z0-9-]+) -->\n"
    r":end-before: <!-- end: \1 -->\n"
)


def test_every_region_is_whole_and_shown_by_a_page_of_the_guide():
    regions = readme_regions()
    assert TEXT.count("<!-- begin: ") == TEXT.count("<!-- end: ") == len(regions)
    assert {"showcase", "combinations", "japanese", "real-loss", "knobs"} <= set(regions)
    included = {
        name
        for page in GUIDE.glob("*.md")
        for name in INCLUDE.findall(page.read_text(encoding="utf-8"))
    }
    assert included == set(regions)


def test_links_in_the_regions_resolve_from_the_guide_too():
    # The pages include the regions with ':relative-docs: ./', which rewrites only the
    # links that start with ./ (images are rewritten by ':relative-images:').
    for name, text in readme_regions().items():
        for target in links(text, images=False):
            if not re.match(r"[a-z]+://", target):
                assert target.startswith("./"), (
                    f"region {name!r} links {target!r}: write "
                    f"./{target} so the guide's copy finds it"
                )


def test_every_gallery_scene_has_its_gif_mp4_and_page_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for scene in sorted((ROOT / "scenes").glob("*.py")):
        for suffix in (".gif", ".mp4", ".html"):
            assert (ROOT / "output" / f"{scene.stem}{suffix}").is_file(), (scene.name, suffix)
        assert f"(output/{scene.stem}.html)" in readme, scene.name
