"""A race's results as a few lines of text or an HTML table: one row per racer, with
its arrival or divergence step and its final loss (the median over the starts for a
swarm). ``anim race`` prints these tables; a RaceResult or SwarmResult shows them in a
console or a notebook.

Pure Python: it reads ``result.summary()`` and imports neither numpy nor matplotlib.
"""

from __future__ import annotations

import html

__all__ = ["html_table", "text_table"]

NONE = "—"


def _loss(value) -> str:
    return NONE if value is None else f"{value:.3g}"


def _goal_text(summary) -> str:
    if len(summary["goals"]) > 1:
        return f"goal: any of {len(summary['goals'])} minima (radius {summary['goal_radius']:.3g})"
    if summary["goal"] is not None:
        return (
            f"goal {tuple(round(v, 6) for v in summary['goal'])} "
            f"(radius {summary['goal_radius']:.3g})"
        )
    return ""


def _is_swarm(summary) -> bool:
    return "start_points" in summary


def head(name: str, summary: dict) -> str:
    """``name: 150 steps from (-7.0, 2.0), goal (0.0, 0.0) (radius 0.289)``."""
    where = (
        f"{len(summary['start_points'])} starts"
        if _is_swarm(summary)
        else str(tuple(summary["start"]))
    )
    goal = _goal_text(summary)
    return f"{name}: {summary['steps']} steps from {where}" + (f", {goal}" if goal else "")


def rows(summary: dict) -> list[tuple[str, ...]]:
    """The column names, then one row of text per racer."""
    any_goal = len(summary["goals"]) > 1
    if _is_swarm(summary):
        table = [
            (
                "optimizer",
                "label",
                "arrived",
                "median step",
                "diverged",
                "median final loss",
                *(("minima reached",) if any_goal else ()),
            )
        ]
        for entry in summary["optimizers"]:
            median = entry["median_arrival_step"]
            table.append(
                (
                    entry["name"],
                    entry["label"],
                    f"{entry['arrived']}/{entry['starts']}",
                    NONE if median is None else f"{median:g}",
                    str(entry["diverged"]),
                    _loss(entry["median_final_loss"]),
                    *((" ".join(map(str, entry["minima_reached"])),) if any_goal else ()),
                )
            )
        return table
    table = [
        ("optimizer", "label", "arrival", *(("at",) if any_goal else ()), "diverged", "final loss")
    ]
    for entry in summary["optimizers"]:
        reached = entry["arrived_at"]
        at = (NONE if reached is None else "({:.4g}, {:.4g})".format(*reached),)
        table.append(
            (
                entry["name"],
                entry["label"],
                NONE if entry["arrival_step"] is None else str(entry["arrival_step"]),
                *(at if any_goal else ()),
                NONE if entry["diverged_step"] is None else str(entry["diverged_step"]),
                _loss(entry["final_loss"]),
            )
        )
    return table


def text_table(name: str, summary: dict) -> str:
    """The head line and the racers as aligned columns (what ``anim race`` prints)."""
    table = rows(summary)
    widths = [max(len(row[c]) for row in table) for c in range(len(table[0]))]
    lines = [head(name, summary)] + [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table
    ]
    lines.insert(2, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def html_table(name: str, summary: dict) -> str:
    """The same table as HTML, the head line as its caption."""
    table = rows(summary)
    header = "".join(f"<th>{html.escape(cell)}</th>" for cell in table[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
        for row in table[1:]
    )
    return (
        f'<table class="anim-result"><caption style="text-align:left">'
        f"{html.escape(head(name, summary))}</caption>"
        f"<thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
    )
