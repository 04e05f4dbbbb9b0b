"""What the grants app, the notebook and the grant allocation report show: tables on screen, the charts
(SVG: a bar chart in well under a millisecond where a matplotlib PNG took a tenth of a second or more), and the report.

Interface layer (no widgets): used by :mod:`sv_helpers.apps.grants` and, for ``report.html``, by
:func:`sv_helpers.grants.write`.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sv_helpers.core.formatting import format_money, format_number, format_pct
from sv_helpers.core.scenario import Result
from sv_helpers.grants import deprivation, outcomes
from sv_helpers.grants import model as grants
from sv_helpers.grants.allocation import METHOD_LABELS
from sv_helpers.grants.applications import criterion_weights
from sv_helpers.reports import charts, maps, svgcharts
from sv_helpers.reports import document as rep
from sv_helpers.reports.document import write_report

EXAMPLE_NOTE = (
    "You are looking at the example round: 48 fictional applications (every organisation's name ends '(example)'). "
    "Wards and deprivation deciles are real; the applications are not. Upload the council's own file to replace them."
)
FACTS_NOTE = (
    "For scale: in 2012/13 the Community Grant Scheme had £153,331, of which £98,540 went to Citizens Advice under a "
    "service-level agreement, leaving about £54,790; 38 applications asked for £105,672 (Sevenoaks District Council "
    "Cabinet minutes)."
)
METHOD_REASONS = {
    "rank": "Rank by score funds the highest-scoring applications first, skipping any that no longer fit in what is "
    "left: simple to explain, and every funded group gets what it asked for.",
    "pro_rata": "Pro rata gives every eligible application the same fraction of its request: every group gets "
    "something, none gets all it asked for.",
    "optimal": "Optimal finds the awards with the best total score that fit the budget (an exact integer programme), "
    "and can meet a minimum share per theme and a maximum per ward.",
}


def format_theme_floors(floors: dict[str, float]) -> str:
    return "; ".join(
        f"{k}: {format_number(100 * v, 0 if float(100 * v).is_integer() else 2)}%" for k, v in floors.items()
    )


def format_decile_factors(factors: dict[str, float]) -> str:
    return "; ".join(f"{k}: {v:g}" for k, v in factors.items())


# --------------------------------------------------------------------------- tables and charts (app, notebook, report)


def _money(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = table.copy()
    for col in columns:
        if col in out.columns:
            out[col] = out[col].map(format_money)
    return out


def screen(
    table: pd.DataFrame, columns: list[str], money: tuple[str, ...] = ("amount_requested", "awarded")
) -> pd.DataFrame:
    """A table ready for the screen and the report: £ for money, the workbook's column labels."""
    return rep.screen_table(_money(table[columns], money))


def allocation_screen_table(allocation: pd.DataFrame) -> pd.DataFrame:
    """An allocation for the screen: funded applications first, money with £."""
    table = allocation.sort_values(["awarded", "weighted_score", "application_id"], ascending=[False, False, True])
    table = table.assign(
        score=table["score"].map(lambda v: format_number(v, 1)),
        weighted_score=table["weighted_score"].map(lambda v: format_number(v, 1)),
    )
    return screen(
        table,
        [
            "application_id",
            "organisation",
            "theme",
            "ward",
            "imd_decile",
            "score",
            "weighted_score",
            "amount_requested",
            "awarded",
        ],
    )


def summary_screen_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The scenario comparison, one column per scenario, figures formatted."""
    decile = outcomes.most_deprived_threshold()
    rows: list[tuple[str, Callable[[Any], str]]] = [
        ("Method", lambda s: METHOD_LABELS[s["method"]]),
        ("Budget", lambda s: format_money(s["budget"])),
        ("Committed items", lambda s: format_money(s["committed"])),
        ("Available to allocate", lambda s: format_money(s["available"])),
        ("Total awarded", lambda s: format_money(s["total_awarded"])),
        ("Number funded", lambda s: f"{s['number_funded']} of {s['number_of_applications']}"),
        ("Unfunded demand", lambda s: format_money(s["unfunded_demand"])),
        (
            f"Share to the most deprived areas (IMD deciles 1 to {decile})",
            lambda s: format_pct(s["most_deprived_share"]),
        ),
        ("Wards reached", lambda s: str(s["wards_reached"])),
    ]
    data = {"Figure": [r[0] for r in rows]}
    for _, s in summary.iterrows():
        data[str(s["scenario"])] = [fn(s) for _, fn in rows]
    return pd.DataFrame(data)


def differences_screen_table(differences: pd.DataFrame) -> pd.DataFrame:
    return screen(differences, list(differences.columns), money=("amount_requested", *differences.columns[4:]))


def source_caption(detail: grants.Allocation) -> str:
    """What the charts show: the example round, or the file uploaded."""
    if detail.is_example:
        return "Example applications (fictional)."
    return f"Applications from {detail.source_name}."


def bar_chart_svg(
    labels: list[str],
    values: list[float],
    *,
    title: str,
    colour: str = charts.PALETTE[0],
    value_format: Callable[[float], str] = format_money,
    width: float = 640.0,
) -> str:
    """A horizontal bar chart as SVG text: each bar labelled with its value (drawn in well under a millisecond,
    where a matplotlib PNG takes a tenth of a second or more)."""
    row, top_pad = 30.0, 34.0
    label_w = min(7.2 * max((len(str(t)) for t in labels), default=0) + 12, width * 0.45)
    plot_w = width - label_w - 80
    most = max([v for v in values if v > 0], default=1.0)
    height = top_pad + row * len(labels) + 12
    esc = maps._esc
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" font-family="DejaVu Sans, Arial, sans-serif">',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        f'<text x="0" y="18" font-size="15" fill="#1a1a1a">{esc(title)}</text>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top_pad + row * i
        w = plot_w * max(float(value), 0.0) / most
        parts.append(
            f'<text x="{label_w - 8:.1f}" y="{y + row / 2 + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="#1a1a1a">{esc(label)}</text>'
        )
        parts.append(
            f'<rect x="{label_w:.1f}" y="{y + 4:.1f}" width="{w:.1f}" height="{row - 8:.1f}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{label_w + w + 5:.1f}" y="{y + row / 2 + 4:.1f}" font-size="12" '
            f'fill="#1a1a1a">{esc(value_format(float(value)))}</text>'
        )
    parts.append(
        f'<line x1="{label_w:.1f}" y1="{top_pad:.1f}" x2="{label_w:.1f}" y2="{height - 10:.1f}" '
        'stroke="#1a1a1a" stroke-width="1"/></svg>'
    )
    return "".join(parts)


def theme_chart(detail: grants.Allocation, name: str) -> str:
    """Funding by theme as an accessible figure (the app's main chart)."""
    table = detail.by_theme
    svg = bar_chart_svg(
        table["theme"].astype(str).tolist(), table["awarded"].tolist(), title=f"Funding by theme: {name}"
    )
    alt = (
        "Bar chart of the amount awarded by theme. "
        + charts.describe_values(table["theme"], [format_money(v) for v in table["awarded"]])
        + "."
    )
    data = screen(table, ["theme", "awarded", "number_funded", "amount_requested"])
    return svgcharts.figure_html(svg, alt=alt, caption=source_caption(detail), data=data)


def decile_chart(detail: grants.Allocation, name: str) -> str:
    """Funding by IMD decile as an accessible figure."""
    table = detail.by_decile
    imd = deprivation.edition(detail.deprivation_edition)
    labels = [
        f"Decile {d}" + (" (most deprived)" if d == 1 else " (least deprived)" if d == 10 else "")
        for d in table["imd_decile"]
    ]
    svg = bar_chart_svg(
        labels, table["awarded"].tolist(), title=f"Funding by IMD decile of the area: {name}", colour=charts.PALETTE[5]
    )
    funded = table[table["awarded"] > 0]
    alt = (
        f"Bar chart of the amount awarded by the IMD {imd.year} decile of each application's area (1 = most deprived "
        "10% in England). "
        + (
            charts.describe_values(
                [f"decile {d}" for d in funded["imd_decile"]], [format_money(v) for v in funded["awarded"]]
            )
            if len(funded)
            else "Nothing is awarded."
        )
        + ". Other deciles receive nothing."
    )
    data = screen(table, ["imd_decile", "awarded", "number_funded", "applications"])
    return svgcharts.figure_html(svg, alt=alt, caption=source_caption(detail) + " " + imd.attribution, data=data)


def ward_map_html(detail: grants.Allocation, name: str) -> str:
    """Funding by ward as an accessible map."""
    table = detail.by_ward
    imd = deprivation.edition(detail.deprivation_edition)
    svg = maps.ward_map_svg(
        table.set_index("ward")["awarded"],
        title=f"Funding by ward: {name}",
        legend_label="Awarded (£)",
        boundaries=imd.boundaries,
    )
    top = table[table["awarded"] > 0].sort_values("awarded", ascending=False)
    none = int((table["awarded"] == 0).sum())
    alt = (
        f"Map of the 26 wards of Sevenoaks District ({imd.boundaries_label}) shaded by the amount awarded; {none} wards "
        "receive nothing and are hatched grey. "
        + (
            "Largest: " + charts.describe_values(top["ward"], [format_money(v) for v in top["awarded"]], limit=5) + "."
            if len(top)
            else ""
        )
    )
    data = screen(
        table.rename(columns={"imd_decile": "ward_imd_decile"}),
        ["ward", "ward_imd_decile", "awarded", "number_funded", "applications"],
    )
    return svgcharts.figure_html(svg, alt=alt, caption=maps.attribution(imd.boundaries) + " " + imd.method, data=data)


def not_funded_table(detail: grants.Allocation) -> pd.DataFrame:
    return screen(
        detail.not_funded.assign(score=detail.not_funded["score"].map(lambda v: format_number(v, 1))),
        ["application_id", "organisation", "theme", "ward", "amount_requested", "score", "reason"],
    )


def score_note(applications: pd.DataFrame) -> str:
    """Say where the scores came from: moderated, or computed from criterion scores with which weights."""
    computed = (
        int((applications["score_source"] == "computed from criterion scores").sum())
        if "score_source" in applications
        else 0
    )
    if not computed:
        return "the moderated scores in the file."
    weights = criterion_weights()
    described = ", ".join(
        f"{k.replace('_', ' ')} {format_pct(100 * v / sum(weights.values()), 0)}" for k, v in weights.items()
    )
    return (
        f"{computed} of {len(applications)} scores computed from the assessors' criterion scores "
        f"with the declared weights ({described})."
    )


def rules_table(settings: grants.Settings) -> pd.DataFrame:
    """The rule used, in plain English, one row per setting that shapes it."""
    factors = settings.equity_factors()
    rows = [
        ("Method", METHOD_LABELS[settings.method]),
        ("Maximum award", format_money(settings.max_award) if settings.max_award else "No cap"),
        ("Minimum score", format_number(settings.min_score, 0)),
        (
            "Equity weighting",
            ("Factors per IMD decile: " + format_decile_factors(settings.decile_factors))
            if settings.decile_factors
            else f"Score × {settings.equity_weight:g} in decile 1, tapering to × 1 in decile 10"
            if factors
            else "None",
        ),
    ]
    if settings.method == "optimal":
        rows += [
            (
                "Partial awards",
                "Allowed down to each application's minimum award" if settings.partial else "No: all or nothing",
            ),
            ("Minimum share per theme", format_theme_floors(settings.theme_floors) or "None"),
            ("Maximum per ward", format_money(settings.ward_cap) if settings.ward_cap else "No cap"),
        ]
    return pd.DataFrame(rows, columns=["Rule", "Setting"])


def budget_table(settings: grants.Settings) -> pd.DataFrame:
    rows = [("Budget for the round", format_money(settings.budget))]
    rows += [(f"Committed: {name}", "− " + format_money(amount)) for name, amount in settings.committed_items.items()]
    rows.append(("Available to allocate", format_money(settings.available)))
    return pd.DataFrame(rows, columns=["Item", "Amount"])


def comparison_html(detail: grants.Allocation) -> str:
    """The scenarios side by side, and the applications whose award differs."""
    if len(detail.comparison) < 2:
        return (
            "<p>No other scenario is compared yet: set the rules, name the scenario and press “Add this scenario to "
            "the comparison”; change the rules and the two are shown side by side.</p>"
        )
    parts = [
        charts.table_html(
            summary_screen_table(detail.comparison),
            caption="Scenarios side by side (the first is the current settings)",
        )
    ]
    if detail.differences.empty:
        parts.append("<p>Every application has the same outcome in all these scenarios.</p>")
    else:
        parts.append(
            _scroll(
                charts.table_html(
                    differences_screen_table(detail.differences),
                    caption=f"The {len(detail.differences)} applications whose award differs between scenarios",
                ),
                "Applications whose outcome differs",
            )
        )
    return "".join(parts)


def _scroll(inner: str, label: str) -> str:
    return (
        f'<div class="sv-scroll" role="region" tabindex="0" aria-label="{html.escape(label, quote=True)}" '
        f'style="max-height:28em;overflow:auto">{inner}</div>'
    )


# --------------------------------------------------------------------------- the report


def report_html(result: Result) -> str:
    """The grant allocation report for committee papers, as one self-contained HTML page."""
    settings: grants.Settings = result.settings
    detail: grants.Allocation = result.detail
    name = settings.name
    funded = detail.allocation[detail.allocation["funded"]]
    recommendation = (
        f"<p>Award {format_money(result.summary['total_awarded'])} to {result.summary['n_funded']} applications, as "
        "listed "
        f"under “Awards”, using the rule “{html.escape(name)}”. {format_money(result.summary['unfunded_demand'])} of "
        "requests cannot be met from this budget.</p>"
    )
    sections = [
        ("Recommendation", recommendation),
        ("The budget and committed items", charts.table_html(budget_table(settings), caption="Budget for this round")),
        (
            "The rule used and why",
            f"<p>{html.escape(METHOD_REASONS[settings.method])}</p>"
            + charts.table_html(rules_table(settings), caption="The rule's settings")
            + f"<p>Scores: {html.escape(score_note(detail.applications))}</p>",
        ),
        (
            "Awards",
            charts.table_html(
                screen(
                    funded.sort_values(["awarded", "application_id"], ascending=[False, True]),
                    ["application_id", "organisation", "project", "theme", "ward", "amount_requested", "awarded"],
                ),
                caption=f"The {len(funded)} applications funded",
            ),
        ),
        (
            "Not funded, and why",
            charts.table_html(not_funded_table(detail), caption=f"The {len(detail.not_funded)} applications not funded")
            if len(detail.not_funded)
            else "<p>Every application is funded.</p>",
        ),
        ("Funding by theme", theme_chart(detail, name)),
        ("Funding by deprivation decile", decile_chart(detail, name)),
        ("Funding by ward", ward_map_html(detail, name)),
        ("Scenarios compared", comparison_html(detail)),
    ]
    return rep.render_document(
        "Grant allocation report",
        sections,
        result.provenance,
        intro=f"Community Grant Scheme: the proposed allocation of {format_money(settings.available)} "
        f"(award date {settings.award_date}).",
        example_note=EXAMPLE_NOTE if detail.is_example else None,
        summary=[result.headline],
        warnings=result.warnings,
    )


def frontier_chart(swept: pd.DataFrame) -> str:
    """A sweep's scenarios: share to the most deprived areas against the total score funded, the frontier marked."""
    from sv_helpers.core.frontier import frontier

    ok = swept[swept["error"].fillna("") == ""]
    best = frontier(ok, "total_score_funded", "share_most_deprived")
    fig, ax = charts.new_figure(7.0, 4.0)
    ax.scatter(ok["total_score_funded"], ok["share_most_deprived"], s=18, color=charts.PALETTE[7], label="Scenario")
    ax.plot(
        best["total_score_funded"],
        best["share_most_deprived"],
        marker="o",
        color=charts.PALETTE[5],
        label="Frontier: no scenario does better on both",
    )
    ax.set_xlabel("Total score funded (equity-weighted score × share funded)")
    ax.set_ylabel("Share to the most deprived areas (%)")
    ax.set_title("Each scenario of the sweep, and the frontier", loc="left", fontsize=11)
    ax.legend(frameon=False, fontsize=9)
    alt = (
        f"Scatter chart of {len(ok)} scenarios: the total score funded across, the share of the money going to the "
        f"most deprived areas up. {len(best)} scenarios are on the frontier, from "
        f"{format_number(best['total_score_funded'].min(), 0)} points with "
        f"{format_pct(best['share_most_deprived'].max())} to the most deprived areas, to "
        f"{format_number(best['total_score_funded'].max(), 0)} points with {format_pct(best['share_most_deprived'].min())}."
    )
    shown = best.drop(columns=["error"], errors="ignore")
    return charts.figure_html(fig, alt=alt, caption="Scenarios of the sweep above.", data=shown)


def write(result: Result, output_dir: str | Path) -> list[Path]:
    """Write the batch outputs of a run.

    ``allocations.csv`` (:data:`~sv_helpers.grants.allocation.ALLOCATION_COLUMNS`), ``allocation_summary.csv``,
    ``allocations.xlsx`` (every table and the provenance sheet), ``360giving.json`` and ``360giving.xlsx``
    (when something is funded), ``report.html`` with its charts, ``report.pdf`` (printed by Chromium; without
    it one line says so) and ``provenance.json``; with compared scenarios also ``scenario_comparison.csv``
    and ``scenario_differences.csv``.

    Returns
    -------
    list of Path
        The files written, provenance last.
    """
    return write_report(
        result,
        output_dir,
        report_html(result),
        excel_name="allocations.xlsx",
        extra_files=grants.threesixtygiving_files(result),
    )
