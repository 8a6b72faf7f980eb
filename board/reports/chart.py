"""The opening summary's chart: tiltag per fase for each pejlemærke, as a
horizontal stacked bar chart (matplotlib, Agg backend: no display, safe in a
web worker). Phases differ by hatch pattern as well as by shade, so the
chart reads in black and white and without colour vision (WCAG 1.4.1); the
numbers are written on the bars, and the documents give a text alternative
(`Summary.alt_text`) and the same numbers as a table."""

from __future__ import annotations

import io
import textwrap

from .document import Summary

# Shades of one blue, light to dark, one per phase in board order; hatches too.
SHADES = ("#dbe4ee", "#9fb7d1", "#5c84ad", "#274b73")
HATCHES = ("", "///", "...", "")


def summary_chart_png(summary: Summary, *, width_in: float = 9.0, dpi: int = 150) -> bytes:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    lines = summary.lines or []
    height_in = 0.9 + 0.42 * max(1, len(lines))
    figure = Figure(figsize=(width_in, height_in), dpi=dpi)
    axes = figure.add_subplot()
    labels = [textwrap.shorten(line.title, 38, placeholder="…") for line in lines]
    positions = range(len(lines))
    left = [0] * len(lines)
    for index, (value, label) in enumerate(summary.stage_labels):
        counts = [line.by_stage.get(value, 0) for line in lines]
        bars = axes.barh(
            positions,
            counts,
            left=left,
            label=label,
            color=SHADES[index % 4],
            hatch=HATCHES[index % 4],
            edgecolor="#1f2d3d",
            linewidth=0.6,
        )
        for bar, count in zip(bars, counts, strict=True):
            if count:
                axes.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    str(count),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="black",
                    # A white label over any hatch or shade: readable in print.
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none"},
                )
        left = [a + b for a, b in zip(left, counts, strict=True)]
    axes.set_yticks(list(positions), labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("Antal tiltag", fontsize=8)
    axes.tick_params(axis="x", labelsize=8)
    axes.xaxis.get_major_locator().set_params(integer=True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.legend(
        fontsize=8,
        ncols=len(summary.stage_labels),
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        frameon=False,
    )
    figure.tight_layout(pad=0.4)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=dpi)
    return out.getvalue()
