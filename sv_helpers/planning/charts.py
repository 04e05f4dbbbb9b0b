"""The planning gain charts: where the money went this year and the CIL spending scenarios by infrastructure type
(SVG, each with its text alternative and data table), the same on screen and in the notebook.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sv_helpers.core.formatting import format_money
from sv_helpers.core.scenario import Result
from sv_helpers.planning import allocation
from sv_helpers.reports import charts, svgcharts


def _source_caption(result: Result) -> str:
    if result.detail.is_example:
        return "Fictional example ledgers (real parish names, invented amounts)."
    names = ", ".join(Path(p).name for p in result.settings.input_paths().values())
    return f"Your ledgers: {names}."


def money_flow_chart(result: Result) -> str:
    """The main chart: where the year's CIL goes (small enough to sit beside the headline)."""
    s, d = result.summary, result.detail
    labels = ["Passed to parish councils", "Kept for unparished areas", "Administration", "Strategic CIL"]
    values = [
        s["neighbourhood_portion"],
        s["neighbourhood_kept"],
        s["administration"],
        max(0.0, d.receipts - s["neighbourhood_portion"] - s["neighbourhood_kept"] - s["administration"]),
    ]
    plot = svgcharts.hbar_chart(
        labels,
        [(None, values, [charts.PALETTE[i] for i in (0, 4, 1, 2)], "")],
        title=f"Where the CIL received in {d.financial_year} goes",
        value_format=format_money,
        width=640,
        height=260,
        legend=None,
    )
    alt = (
        f"Bar chart of the {format_money(d.receipts)} of CIL received in {d.financial_year}: "
        + charts.describe_values(labels, [format_money(v) for v in values])
        + "."
    )
    data = pd.DataFrame({"Share": labels, "Amount": [format_money(v) for v in values]})
    return svgcharts.figure_html(plot.svg(), alt=alt, caption=_source_caption(result), data=data)


def allocation_chart(result: Result) -> str:
    by_type = result.detail.by_type
    if len(by_type) == 0:
        return "<p>No bids for strategic CIL were loaded.</p>"
    plot = svgcharts.hbar_chart(
        by_type["infrastructure_type"].astype(str).tolist(),
        [
            (
                allocation.METHOD_LABELS[method],
                by_type[f"awarded_{method}"].tolist(),
                charts.PALETTE[i],
                charts.HATCHES[i],
            )
            for i, method in enumerate(allocation.METHODS)
        ],
        mode="grouped",
        title="Strategic CIL awarded by infrastructure type, by method",
        value_format=format_money,
        width=700,
        row_height=44,
        legend="bottom",
    )
    data = pd.DataFrame(
        {
            "Infrastructure type": by_type["infrastructure_type"],
            **{allocation.METHOD_LABELS[m]: by_type[f"awarded_{m}"].map(format_money) for m in allocation.METHODS},
        }
    )
    alt = (
        "Grouped bar chart of strategic CIL awarded to each infrastructure type under the three methods. "
        + "; ".join(
            f"{r['infrastructure_type']}: "
            + ", ".join(f"{allocation.METHOD_LABELS[m]} {format_money(r[f'awarded_{m}'])}" for m in allocation.METHODS)
            for _, r in by_type.iterrows()
        )
        + "."
    )
    return svgcharts.figure_html(plot.svg(), alt=alt, caption=_source_caption(result), data=data)
