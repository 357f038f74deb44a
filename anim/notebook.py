"""How a scene shows in a notebook: the interactive player, a PNG of its final frame,
and a line of text.

A live notebook shows the player. A static viewer (a notebook on GitHub, nbconvert to
Markdown or PDF) drops the player's iframe and script, so the bundle also carries the
final frame as ``image/png``, and the HTML itself starts with that picture: a small
script, which only a live notebook runs, takes it away when the player is there.
"""

from __future__ import annotations

import base64
import hashlib
import html
import tempfile
from pathlib import Path

from . import display, gallery


def player_html(scene, **options) -> str | None:
    """The player in an ``<iframe srcdoc>``, or None when the page cannot draw the scene.
    In a docs gallery build the page comes from the render cache."""
    from .renderer import to_html

    if not gallery.page_can_show(scene, **options):
        return None
    if gallery.collecting():
        return gallery.player_html(scene, options)
    # One line: a docs page indents what it embeds, which must not reach into the page.
    return to_html(scene, **options).replace("\n", "&#10;")


def final_frame_png(scene) -> bytes:
    """The scene's last step as a PNG (what ``anim.still(scene)`` writes)."""
    from .renderer import still

    with tempfile.TemporaryDirectory() as folder:
        return still(scene, Path(folder) / "final.png").read_bytes()


def with_still(player: str, png: bytes, alt: str) -> str:
    """``player`` preceded by the still ``png``, which a script right after the player
    removes. Viewers that run no script (and drop iframes) keep the picture; a live
    notebook shows only the player."""
    digest = hashlib.sha256(png).hexdigest()[:16]
    picture = base64.b64encode(png).decode()
    return (
        f'<div class="anim-scene"><img id="anim-still-{digest}" alt="{html.escape(alt)}" '
        f'style="max-width:100%;height:auto" src="data:image/png;base64,{picture}">'
        f"{player}<script>(function () {{ var still = document.getElementById("
        f"'anim-still-{digest}'); if (still) still.remove(); }})();</script></div>"
    )


def mimebundle(scene) -> dict:
    """``text/plain``, ``image/png`` (the final frame) and, when the page can draw the
    scene, ``text/html`` (the still, then the player)."""
    png = final_frame_png(scene)
    bundle = {"text/plain": repr(scene), "image/png": base64.b64encode(png).decode()}
    player = player_html(scene)
    if player is not None:
        bundle["text/html"] = with_still(player, png, gallery.describe_picture(scene))
    return bundle


display.provide("html", player_html)
display.provide("mimebundle", mimebundle)
