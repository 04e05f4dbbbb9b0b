"""The tender's charts: the scores, social value by theme and the winner over a grid of weights (SVG, each
with its text alternative and data table), the same on screen and in the tender evaluation report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sv_helpers.core.formatting import format_money, format_number
from sv_helpers.core.measures import THEMES
from sv_helpers.core.scenario import Result
from sv_helpers.reports import charts, svgcharts
from sv_helpers.reports.document import screen_table
from sv_helpers.scoring import explain
from sv_helpers.scoring.scenario import Settings
from sv_helpers.scoring.sensitivity import Evaluation
from sv_helpers.scoring.tender import GROUP_LABELS, GROUPS

GROUP_COLOURS = {"price": charts.PALETTE[0], "quality": charts.PALETTE[1], "social_value": charts.PALETTE[2]}
GROUP_HATCHES = {"price": "", "quality": "//", "social_value": ".."}


def _what_is_loaded(settings: Settings, tender_name: str) -> str:
    return "The EXAMPLE tender (fictional)." if settings.is_example else f"Evaluation workbook: {tender_name}."


def score_chart_svg(ranking: pd.DataFrame) -> str:
    """The stacked score bars as SVG text (drawn directly: a redraw costs microseconds, not a matplotlib render)."""
    n = len(ranking)
    left, right, top, bar, gap = 170.0, 640.0, 58.0, 24.0, 10.0
    width, height = 700, int(top + n * (bar + gap) + 48)
    scale = (right - left) / 105.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="Arial, Helvetica, sans-serif" font-size="13" fill="#0b0c0c">',
        '<defs><pattern id="q" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{GROUP_COLOURS["quality"]}"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" '
        'stroke-width="1.5"/></pattern><pattern id="s" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{GROUP_COLOURS["social_value"]}"/>'
        '<circle cx="3" cy="3" r="1.2" fill="#fff"/>'
        "</pattern></defs>",
        '<rect width="100%" height="100%" fill="#fff"/>',
        svgcharts.text_element(
            4, 18, "Score of each bid by price, quality and social value", font_size="15", font_weight="bold"
        ),
    ]
    fills = {"price": GROUP_COLOURS["price"], "quality": "url(#q)", "social_value": "url(#s)"}
    x = left
    for group in GROUPS:
        parts.append(
            f'<rect x="{x:.1f}" y="30" width="14" height="14" fill="{fills[group]}" '
            'stroke="#0b0c0c" stroke-width="0.5"/>'
        )
        parts.append(svgcharts.text_element(x + 19, 42, GROUP_LABELS[group]))
        x += 19 + 8.5 * len(GROUP_LABELS[group]) + 18
    axis_y = top + n * (bar + gap)
    for tick in range(0, 101, 20):
        tx = left + tick * scale
        parts.append(f'<line x1="{tx:.1f}" y1="{top - 4:.1f}" x2="{tx:.1f}" y2="{axis_y:.1f}" stroke="#d8d8d8"/>')
        parts.append(svgcharts.text_element(tx, axis_y + 16, str(tick), text_anchor="middle", font_size="12"))
    parts.append(svgcharts.text_element((left + right) / 2, axis_y + 36, "Score out of 100", text_anchor="middle"))
    for i, row in enumerate(ranking.itertuples(index=False)):
        y = top + i * (bar + gap)
        name = str(row.bidder) if len(str(row.bidder)) <= 16 else str(row.bidder)[:15] + "…"
        parts.append(svgcharts.text_element(left - 8, y + bar * 0.68, f"{name} (rank {row.rank})", text_anchor="end"))
        x = left
        for group in GROUPS:
            w = max(float(getattr(row, f"{group}_score")), 0.0) * scale
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar}" fill="{fills[group]}"/>')
            x += w
        parts.append(
            svgcharts.text_element(x + 5, y + bar * 0.68, format_number(float(row.total_score), 1), font_size="12")
        )
    parts.append(f'<line x1="{left}" y1="{top - 4:.1f}" x2="{left}" y2="{axis_y:.1f}" stroke="#0b0c0c"/></svg>')
    return "".join(parts)


def score_chart(result: Result) -> str:
    """Stacked bar chart of each bid's score by price, quality and social value (the main chart)."""
    scored = result.detail.result
    r = scored.ranking
    labels = [f"{b} (rank {k})" for b, k in zip(r["bidder"], r["rank"], strict=True)]
    totals = r["total_score"].to_numpy(dtype=float)
    weights = scored.tender.weights.groupby(scored.tender.groups).sum()
    alt = (
        "Stacked bar chart of each bid's total score out of 100, split into price, quality and social value, best bid "
        "first. "
        + charts.describe_values(labels, [format_number(v, 1) for v in totals])
        + ". Weights: "
        + ", ".join(f"{GROUP_LABELS[g].lower()} {format_number(weights.get(g, 0), 1)}" for g in GROUPS)
        + "."
    )
    data = charts.table_html(
        screen_table(r, ["bidder", "price_score", "quality_score", "social_value_score", "total_score", "rank"])
    )
    caption = (
        _what_is_loaded(result.settings, scored.tender.name)
        + " Scores use the weights and price method chosen in the settings."
    )
    return svgcharts.figure_html(score_chart_svg(r), alt, caption, data)


def theme_chart(result: Result) -> str:
    """Stacked bar chart of the social value each bid commits, by theme."""
    evaluation: Evaluation = result.detail
    sv = evaluation.result.social_value.reindex(evaluation.result.ranking["bidder"])
    names = [str(b) for b in sv.index]
    left = sv.reindex(columns=list(THEMES)).fillna(0.0).sum(axis=1).to_numpy(dtype=float)
    plot = svgcharts.hbar_chart(
        names,
        [
            (theme.capitalize(), sv[theme].fillna(0.0).tolist(), charts.THEME_COLOURS[theme], charts.HATCHES[i])
            for i, theme in enumerate(THEMES)
        ],
        title="Social value committed by each bid, by theme",
        x_label="Social value committed (£)",
        value_format=format_money,
        width=700,
        legend_title="Theme",
        label_share=0.35,  # a bidder's name as long as it likes is cut on the chart (the table has it in full)
    )
    alt = (
        "Stacked bar chart of the social value each bid commits to, in pounds, split into the social, economic and "
        "environmental themes. " + charts.describe_values(names, [format_money(v) for v in left]) + "."
    )
    caption = "Proxy values from the measures library" + (
        " (EXAMPLE values for illustration only)." if result.settings.measures_is_example else " you loaded."
    )
    return svgcharts.figure_html(
        plot.svg(), alt=alt, caption=caption, data=screen_table(explain.social_value_frame(evaluation))
    )


def _svg_marker(kind: int, x: float, y: float, colour: str, r: float = 5.0) -> str:
    """One of eight marker shapes (shape as well as colour tells the winners apart)."""
    style = f'fill="{colour}" stroke="#fff" stroke-width="0.8"'
    shapes = (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" {style}/>',
        f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" {style}/>',
        f'<polygon points="{x:.1f},{y - r - 1:.1f} {x + r:.1f},{y + r:.1f} {x - r:.1f},{y + r:.1f}" {style}/>',
        f'<polygon points="{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y:.1f} {x:.1f},{y + r + 1:.1f} '
        f'{x - r - 1:.1f},{y:.1f}" {style}/>',
        f'<polygon points="{x - r:.1f},{y - r:.1f} {x + r:.1f},{y - r:.1f} {x:.1f},{y + r + 1:.1f}" {style}/>',
        f'<path d="M{x - r:.1f},{y:.1f}H{x + r:.1f}M{x:.1f},{y - r:.1f}V{y + r:.1f}" '
        f'stroke="{colour}" stroke-width="3.5"/>',
        f'<path d="M{x - r:.1f},{y - r:.1f}L{x + r:.1f},{y + r:.1f}M{x + r:.1f},{y - r:.1f}L{x - r:.1f},{y + r:.1f}" '
        f'stroke="{colour}" stroke-width="3.5"/>',
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r - 1}" fill="#fff" stroke="{colour}" stroke-width="3"/>',
    )
    return shapes[kind % len(shapes)]


#: The winner grid's plot area (pixels): left and top edges and the side of the square.
_GRID_LEFT, _GRID_TOP, _GRID_SIZE = 60.0, 40.0, 340.0


def _grid_at(p: float, v: float) -> tuple[float, float]:
    """Where a price weight ``p`` and social value weight ``v`` fall on the winner grid."""
    left, top, size = _GRID_LEFT, _GRID_TOP, _GRID_SIZE
    return left + (p + 3) / 106 * size, top + size - (v + 3) / 106 * size


def grid_chart_svg(grid: pd.DataFrame, winners: list[str], p0: float, v0: float) -> str:
    """The winner at each grid point as SVG text, with the current weights circled."""
    return with_current_weights(grid_base_svg(grid, winners), p0, v0)


def with_current_weights(base: str, p0: float, v0: float) -> str:
    """The winner grid (:func:`grid_base_svg`) with the current weights circled.

    The grid itself changes only when a winner does, so an app keeps it and adds the circle when a weight moves.
    """
    x, y = _grid_at(p0, v0)
    circle = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="11" fill="none" stroke="#0b0c0c" stroke-width="2.5"/>'
    return base[: -len("</svg>")] + circle + "</svg>"


def grid_base_svg(grid: pd.DataFrame, winners: list[str]) -> str:
    """The winner at each grid point and the legend as SVG text, without the current weights' circle."""
    left, top, size = _GRID_LEFT, _GRID_TOP, _GRID_SIZE
    legend_x = left + size + 30
    width, height = int(legend_x + 230), int(top + size + 50)
    at = _grid_at

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="Arial, Helvetica, sans-serif" font-size="13" fill="#0b0c0c">',
        '<rect width="100%" height="100%" fill="#fff"/>',
        svgcharts.text_element(
            4,
            18,
            "Which bid wins at each price and social value weight (quality takes the rest)",
            font_size="14",
            font_weight="bold",
        ),
    ]
    for tick in range(0, 101, 20):
        x, _ = at(tick, 0)
        _, y = at(0, tick)
        parts.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{top + size:.1f}" stroke="#e4e4e4"/>')
        parts.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + size:.1f}" y2="{y:.1f}" stroke="#e4e4e4"/>')
        parts.append(svgcharts.text_element(x, top + size + 16, str(tick), text_anchor="middle", font_size="12"))
        parts.append(svgcharts.text_element(left - 6, y + 4, str(tick), text_anchor="end", font_size="12"))
    parts.append(
        svgcharts.text_element(left + size / 2, top + size + 38, "Price weight (points)", text_anchor="middle")
    )
    parts.append(
        svgcharts.text_element(
            16,
            top + size / 2,
            "Social value weight (points)",
            text_anchor="middle",
            transform=f"rotate(-90 16 {top + size / 2:.1f})",
        )
    )
    index = {w: i for i, w in enumerate(winners)}
    for p, v, w in zip(grid["price_weight"], grid["social_value_weight"], grid["winner"], strict=True):
        x, y = at(float(p), float(v))
        parts.append(_svg_marker(index[w], x, y, charts.colour(index[w])))
    for i, w in enumerate([*winners, "Current weights"]):
        ly = top + 10 + 22 * i
        name = w if len(w) <= 26 else w[:25] + "…"
        if i < len(winners):
            parts.append(_svg_marker(i, legend_x + 6, ly, charts.colour(i)))
        else:
            parts.append(
                f'<circle cx="{legend_x + 6:.1f}" cy="{ly:.1f}" r="8" fill="none" stroke="#0b0c0c" stroke-width="2.5"/>'
            )
        parts.append(svgcharts.text_element(legend_x + 20, ly + 4, name))
    parts.append("</svg>")
    return "".join(parts)


def grid_chart(result: Result, keep: dict | None = None) -> str:
    """The winner at each combination of price and social value weights.

    ``keep`` (a dict, optional) holds the drawn grid and its data table between calls: moving a weight then
    only moves the circle round the current weights, unless it changes a winner somewhere on the grid.
    """
    evaluation: Evaluation = result.detail
    grid = evaluation.grid
    tender = evaluation.result.tender
    weights = tender.weights.groupby(tender.groups).sum()
    p0, v0 = float(weights.get("price", 0.0)), float(weights.get("social_value", 0.0))
    winners = list(dict.fromkeys(grid["winner"]))
    order = {b: i for i, b in enumerate(tender.bidders)}
    winners.sort(key=lambda w: order.get(w.split(" and ")[0], 99))
    counts = grid["winner"].value_counts()
    here = grid[(np.isclose(grid["price_weight"], p0)) & (np.isclose(grid["social_value_weight"], v0))]
    alt = (
        "Chart of the winning bid over a grid of price weights (across) and social value weights (up), with quality "
        "taking the rest. "
        + charts.describe_values(winners, [f"wins at {counts[w]} of {len(grid)} weight combinations" for w in winners])
        + f". At the current weights (price {format_number(p0, 1)}, social value {format_number(v0, 1)}) the winner is "
        f"{evaluation.result.winner}." + ("" if len(here) else " The current weights fall between grid points.")
    )
    key = (
        tuple(tender.bidders),
        tuple(grid["price_weight"]),
        tuple(grid["social_value_weight"]),
        tuple(grid["winner"]),
    )
    if keep is None or keep.get("key") != key:
        drawn = {"key": key, "svg": grid_base_svg(grid, winners), "table": charts.table_html(screen_table(grid))}
        if keep is None:
            keep = drawn
        else:
            keep.clear()
            keep.update(drawn)
    return svgcharts.figure_html(
        with_current_weights(keep["svg"], p0, v0),
        alt,
        "Each group's criteria keep their proportions within the group.",
        keep["table"],
    )


def report_figures(result: Result) -> dict[str, str]:
    """The charts the tender evaluation report carries."""
    return {"scores": score_chart(result), "themes": theme_chart(result)}
