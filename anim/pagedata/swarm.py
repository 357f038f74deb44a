"""A race from many starts, for the page (filled in with the swarm layer's export)."""

from __future__ import annotations


def swarm_data(figure) -> dict:
    raise ValueError("the page draws one start; a swarm (starts=...) renders as .gif, "
                     ".mp4 or .png")
