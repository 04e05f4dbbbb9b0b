"""The Infrastructure Funding Statement as a page for committee papers, in the workbook's report look.

Interface side: it builds HTML with :func:`sv_helpers.reports.document.render_document`
(which uses the charts module's accessible tables) and prints the PDF with
Chromium, so it imports those only inside its functions; the model modules of
this package never import it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sv_helpers.core.formatting import format_date, format_money, format_number
from sv_helpers.core.scenario import Result
from sv_helpers.reports.document import write_report

#: Columns shown as money on screen and in the report.
MONEY_COLUMNS = frozenset(
    {
        "cil_receipts",
        "receipts_at_25pct",
        "receipts_at_15pct",
        "cap",
        "neighbourhood_portion",
        "due_by_28_october",
        "due_by_28_april",
        "unspent",
        "amount_requested",
        "awarded_rank",
        "awarded_pro_rata",
        "awarded_optimal",
        "amount_agreed",
        "amount_received",
        "amount_spent",
        "amount_repaid",
        "held",
        "budget",
        "total_awarded",
        "unallocated",
        "unfunded_demand",
        "s106_received",
        "cil_spent",
        "total",
        "amount",
        "portion",
        "share_before_cap",
        "capped_by",
    }
)
#: IFS paragraphs whose amount is a count, not money.
COUNT_PARAGRAPHS = frozenset({"3(d)(i)", "3(d)(ii)"})
LEGISLATION = "https://www.legislation.gov.uk/uksi/2010/948"


def display_table(table: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A table ready to show: money as £1,234 (pence where there are any), dates as 31 March 2026, screen labels."""
    from sv_helpers.reports.document import screen_label

    columns = list(columns) if columns is not None else list(table.columns)
    out = {}
    for col in columns:
        values = []
        for i, v in zip(table.index, table[col].tolist(), strict=True):
            if col == "amount" and "paragraph" in table.columns and table.at[i, "paragraph"] in COUNT_PARAGRAPHS:
                values.append(format_number(v))
            elif col in MONEY_COLUMNS and isinstance(v, (int, float)):
                values.append("" if pd.isna(v) else format_money(v, 0 if float(v).is_integer() else 2))
            elif isinstance(v, pd.Timestamp):
                values.append(format_date(v))
            elif col == "spend_by_date" and isinstance(v, str) and v:
                values.append(format_date(v))
            elif isinstance(v, float):
                values.append("" if pd.isna(v) else format_number(v, 0 if v.is_integer() else 1))
            else:
                values.append("" if v is None else str(v))
        out[screen_label(col)] = values
    return pd.DataFrame(out)


def html_table(table: pd.DataFrame, caption: str, columns: Iterable[str] | None = None) -> str:
    """An accessible HTML table of ``table`` (see :func:`display_table`)."""
    from sv_helpers.reports.charts import table_html

    if len(table) == 0:
        return f"<p>{html.escape(caption)}: none.</p>"
    return table_html(display_table(table, columns), caption=caption)


def render_statement(result: Result) -> str:
    """The Infrastructure Funding Statement, with the neighbourhood portion, S106 at risk and CIL scenarios, as HTML."""
    from sv_helpers.planning.model import EXAMPLE_NOTE
    from sv_helpers.reports.document import render_document

    d = result.detail
    t = result.tables
    fy = d.financial_year
    not_recorded = "".join(f"<li>{html.escape(p)}: {html.escape(text)}</li>" for p, text in d.not_recorded)
    sections = [
        (
            "Infrastructure list",
            "<p>Regulation 121A(1)(a): the infrastructure the council intends may be funded by CIL. "
            "This draft gathers the projects already allocated strategic CIL and those bidding for it; "
            "the council decides its list.</p>" + html_table(d.infrastructure_list, f"Draft infrastructure list, {fy}"),
        ),
        (
            "CIL report",
            f'<p>Schedule 2, paragraph 1 of the <a href="{LEGISLATION}/schedule/2">CIL Regulations 2010</a>, '
            f"for the reported year {html.escape(fy)}.</p>"
            + html_table(t["ifs_cil"], f"CIL report {fy}")
            + f"<p>Items the ledgers do not record, to add by hand:</p><ul>{not_recorded}</ul>",
        ),
        (
            "Section 106 report",
            "<p>Schedule 2, paragraph 3. Amounts in pounds except the numbers of homes and school places.</p>"
            + html_table(t["ifs_s106"], f"Section 106 report {fy}")
            + html_table(d.s106_by_obligation, "Section 106 money by obligation type (all years to date)")
            + html_table(d.s106_by_ward, "Section 106 money by ward (all years to date)"),
        ),
        (
            "Neighbourhood portion",
            f'<p>Regulations <a href="{LEGISLATION}/regulation/59A">59A</a> and '
            f'<a href="{LEGISLATION}/regulation/59D">59D</a>: 25% where a neighbourhood plan was in effect when '
            "permission was first granted; otherwise 15%, capped at £100 per council tax dwelling a year; "
            "receipts of April to September are due "
            "by 28 October, of October to March by 28 April.</p>"
            + html_table(t["neighbourhood_portion"], f"Neighbourhood portion by parish, {fy}"),
        ),
        (
            "Section 106 money at risk",
            f"<p>Money received and not spent whose deadline falls within "
            f"{result.settings.at_risk_months} months of {format_date(d.as_of)}, or has passed.</p>"
            + html_table(t["s106_at_risk"], f"S106 money at risk at {format_date(d.as_of)}"),
        ),
        (
            "Strategic CIL spending scenarios",
            f"<p>Strategic CIL available: {format_money(d.strategic_available)} (the year's "
            f"receipts less the neighbourhood portion and administration of {format_money(d.administration)}, plus "
            f"{format_money(d.carried_forward)} carried forward). Bids allocated with the grants area's rules.</p>"
            + html_table(d.methods, "The allocation methods compared")
            + html_table(t["cil_allocation"], "Awards to each bid under each method"),
        ),
    ]
    return render_document(
        f"Infrastructure Funding Statement {fy}",
        sections,
        result.provenance,
        intro=(
            f"Community Infrastructure Levy and section 106 planning obligations, financial year {fy} "
            f"(1 April to 31 March), as at {format_date(d.as_of)}. To be published by 31 December (regulation 121A)."
        ),
        example_note=EXAMPLE_NOTE if d.is_example else None,
        summary=[result.headline],
        warnings=result.warnings,
    )


def statement_pdf(page: str) -> bytes:
    """The PDF of the statement, printed by Chromium (raises ``FileNotFoundError`` when it is not installed)."""
    from sv_helpers.reports.document import pdf_bytes

    return pdf_bytes(page)


def write(result: Result, output_dir: str | Path) -> list[Path]:
    """Write the batch outputs: the five CSV tables, ``report.html`` and ``report.pdf`` (the Infrastructure Funding
    Statement; without Chromium one line says so) and ``provenance.json``."""
    return write_report(result, output_dir, render_statement(result))
