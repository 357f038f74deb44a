"""Plain matplotlib charts beside the animation: the learning-rate sensitivity chart of
``anim tune`` and the basin maps of ``anim basins``. Written as PNG, replacing an existing
file only once the new one is complete."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .palette import racer_styles


def _figure(width_in: float, height_in: float, dpi: float = 100):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_in, height_in), dpi=dpi, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def save_png(figure, path: Path):
    """Write ``figure`` to ``path`` through a temporary file in the same folder."""
    from .fonts import quiet_missing_glyphs, use_fonts
    from .writers import replacing

    use_fonts(figure)  # labels in any language: see anim.fonts
    with replacing(path) as tmp, quiet_missing_glyphs():
        figure.savefig(tmp, format="png", facecolor=figure.get_facecolor())


def sensitivity_chart(results, title: str | None = None):
    """Arrival step against learning rate (log x), one curve per optimizer; a learning rate
    whose median start does not arrive is an × on the "no arrival" line above the curves."""
    rows = -(-len(results) // 2)
    figure = _figure(7.5, 4.4 + 0.22 * rows)
    bottom = (0.75 + 0.2 * rows) / figure.get_figheight()
    ax = figure.add_axes((0.09, bottom, 0.87, 0.93 - bottom))
    steps = results[0].steps
    styles = racer_styles([r.optimizer for r in results], "light")
    for result, (color, marker) in zip(results, styles):
        arrivals = result.arrivals()
        ax.plot(
            result.lrs,
            arrivals,
            color=color,
            marker=marker,
            markersize=3.5,
            linewidth=1.4,
            label=f"{result.optimizer.label}  → best lr {result.best_lr:.3g}",
        )
        missing = np.isnan(arrivals)
        ax.plot(
            result.lrs[missing],
            np.full(missing.sum(), steps * 1.08),
            linestyle="",
            marker="x",
            markersize=3.5,
            color=color,
            alpha=0.7,
        )
        if result.arrival_step is not None:
            ax.plot(
                [result.best_lr],
                [result.arrival_step],
                marker="*",
                markersize=13,
                color=color,
                markeredgecolor="black",
                markeredgewidth=0.6,
                linestyle="",
            )
    ax.axhline(steps * 1.08, color="0.6", linewidth=0.6, linestyle=":")
    ax.text(results[0].lrs.min(), steps * 1.11, "no arrival", fontsize=8, color="0.4")
    ax.set_xscale("log")
    ax.set_ylim(0, steps * 1.18)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("median arrival step")
    ax.grid(True, which="major", color="0.9", linewidth=0.6)
    ax.set_title(title or "Arrival step against learning rate (★ the tuned lr)", fontsize=11)
    figure.legend(
        *ax.get_legend_handles_labels(), loc="lower center", ncol=2, fontsize=8, frameon=False
    )
    return figure


#: Colours of the minima on a basin map (a colour-blind-safe set, none of them grey).
BASIN_COLORS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#F0E442",
    "#7f3c8d",
    "#11a579",
    "#3969ac",
)
NONE_COLOR, DIVERGED_COLOR = "#d9d9d9", "#404040"
#: How far the slowest arrivals fade towards white.
FADE = 0.8


def basin_pixels(basin) -> np.ndarray:
    """(resolution, resolution, 3) RGB: the colour of the minimum reached, paler the more
    steps it took (log scale, from step 0 to the step budget); grey for no arrival, dark
    grey for a divergence."""
    from matplotlib.colors import to_rgb

    colors = np.array(
        [to_rgb(BASIN_COLORS[i % len(BASIN_COLORS)]) for i in range(len(basin.goals))]
    )
    reached = basin.reached
    fade = np.log1p(np.maximum(basin.arrival_step, 0)) / np.log1p(max(basin.steps, 1))
    base = colors[np.maximum(reached, 0)]
    pixels = base + (1 - base) * (FADE * fade)[..., None]
    pixels[reached < 0] = to_rgb(NONE_COLOR)
    pixels[basin.diverged] = to_rgb(DIVERGED_COLOR)
    return pixels


def basins_chart(maps, surface, title: str | None = None):
    """Small multiples: one basin map per optimizer, with the surface's contour lines."""
    from matplotlib.patches import Patch

    from .figure.surface import contour_levels

    count = len(maps)
    columns = count if count <= 3 else int(np.ceil(np.sqrt(count)))
    rows = -(-count // columns)
    (x0, x1), (y0, y1) = maps[0].bounds
    aspect = (y1 - y0) / (x1 - x0)
    panel = 3.3
    figure = _figure(
        columns * panel + 0.4, rows * (0.85 * panel * min(max(aspect, 0.4), 2.5) + 0.6) + 1.1
    )
    grid_x, grid_y = np.meshgrid(np.linspace(x0, x1, 160), np.linspace(y0, y1, 160))
    with np.errstate(all="ignore"):
        z = np.asarray(surface.f(grid_x, grid_y), dtype=float)
    axes = figure.subplots(rows, columns, squeeze=False)
    for ax, basin in zip(axes.flat, maps):
        ax.imshow(
            basin_pixels(basin),
            origin="lower",
            extent=(x0, x1, y0, y1),
            interpolation="nearest",
            aspect="equal",
        )
        if np.isfinite(z).any():
            levels, _ = contour_levels(z)
            ax.contour(
                grid_x,
                grid_y,
                z,
                levels=levels[1::2],
                colors="black",
                linewidths=0.35,
                alpha=0.35,
                negative_linestyles="solid",
            )
        for goal in basin.goals:
            ax.plot(
                *goal,
                marker="*",
                markersize=10,
                color="#ffd21f",
                markeredgecolor="#6b5200",
                markeredgewidth=0.7,
                linestyle="",
            )
        median = basin.median_arrival_step()
        share = basin.arrived_share
        shown = f"{share:.0%}" if share in (0.0, 1.0) else f"{min(max(share, 0.001), 0.999):.1%}"
        ax.set_title(
            f"{basin.optimizer.label}\n{shown} arrive"
            + ("" if median is None else f" · median step {median:g}"),
            fontsize=9,
        )
        ax.tick_params(labelsize=7, length=2)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
    for ax in list(axes.flat)[count:]:
        ax.set_axis_off()
    handles = [
        Patch(color=BASIN_COLORS[i % len(BASIN_COLORS)], label=f"({goal[0]:.3g}, {goal[1]:.3g})")
        for i, goal in enumerate(maps[0].goals)
    ]
    handles += [
        Patch(color=NONE_COLOR, label="no arrival"),
        Patch(color=DIVERGED_COLOR, label="diverged"),
    ]
    figure.legend(
        handles=handles,
        loc="lower center",
        ncol=min(len(handles), 6),
        fontsize=8,
        frameon=False,
        title="minimum reached from each start (paler: more steps)",
        title_fontsize=8,
    )
    name = (surface.name or "").replace("_", " ")
    default = f"Basins on {name[:1].upper() + name[1:]}" if name else "Basins"
    figure.suptitle(title or f"{default}: where each start ends up", fontsize=11)
    figure.subplots_adjust(
        left=0.07,
        right=0.97,
        top=1 - 0.75 / figure.get_figheight(),
        bottom=0.9 / figure.get_figheight(),
        wspace=0.25,
        hspace=0.3,
    )
    return figure
