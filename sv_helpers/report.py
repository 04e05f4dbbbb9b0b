"""Reports as static pages for committee papers, one look for every area: self-contained HTML, and its PDF.

:func:`render_document` renders any area's report; the impact report's page,
sections and charts are here too (:func:`impact_report_page`, :func:`report_figures`).

The HTML holds no code and makes no outside request: charts come in as the
``<figure>`` fragments made by :func:`sv_helpers.svgcharts.figure_html` or
:func:`sv_helpers.charts.figure_html` (SVG or PNG as data URIs, with alt text
and a data table; the impact report's own charts are SVG, drawn in a few
milliseconds, and Chromium prints them as vectors), styles are inline, and the
provenance record is printed at the end.  The PDF is printed from that HTML
by Debian's headless Chromium run as a subprocess.

Interface side (``tests/test_layers.py`` lists it with ``ui`` and ``charts``):
it builds strings with the charts module's accessible tables and runs a
subprocess; it never imports ipywidgets.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sv_helpers import charts, svgcharts
from sv_helpers import impact as imp
from sv_helpers.charts import table_html
from sv_helpers.formatting import format_date, format_money, format_number, format_pct
from sv_helpers.impact import SOURCE_LABELS, ImpactReport
from sv_helpers.measures import THEMES
from sv_helpers.provenance import provenance_table

#: Where Debian installs Chromium.
CHROMIUM_CANDIDATES: tuple[str, ...] = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "chromium",
    "chromium-browser",
)

PDF_NEEDS_CHROMIUM = (
    "The PDF could not be made because the Chromium web browser is not installed on this server "
    "(it prints the report to PDF). Download the HTML report instead and print it from your browser, "
    "or ask an administrator to install it with 'apt-get install chromium'."
)

_LABELS = {
    "contract_id": "Contract ID",
    "measure_code": "Measure code",
    "value_gbp": "Value (£)",
    "pct_of_expected": "Delivered as % of expected",
    "amount_gbp": "Amount (£)",
    "awarded_gbp": "Awarded (£)",
    "proxy_value_gbp": "Proxy value (£)",
    "actual_kt": "Actual (kt CO2)",
    "pathway_kt": "Pathway (kt CO2)",
    "trend_kt": "Trend (kt CO2)",
    # climate (the climate app's tables and the climate progress report)
    "gap_kt": "Trend minus pathway (kt)",
    "reduction_kt": "Fall from the year before (kt)",
    "reduction_pct": "Fall from the year before (%)",
    "cumulative_kt": "Running total (kt)",
    "baseline_kt": "Baseline (kt)",
    "total_abatement_kt": "Total saving (kt)",
    "residual_kt": "Residual emissions (kt)",
    "emissions_kt": "Emissions (kt)",
    "local_equivalent_kt": "Local equivalent (kt)",
    "pct_below_base": "% below the base year",
    "per_person_t": "Tonnes per person",
    "per_km2_t": "Tonnes per km²",
    "annual_abatement_tco2e": "Annual saving (tCO2e)",
    "lifetime_abatement_tco2e": "Lifetime saving (tCO2e)",
    "cumulative_abatement_tco2e": "Cumulative saving (tCO2e)",
    "cost": "Cost (£)",
    "cost_per_tco2e": "Cost per tonne (£/tCO2e)",
    "authority_name": "Authority",
    "lifetime_years": "Lifetime (years)",
    # planning gain (CIL and section 106)
    "cil_receipts": "CIL receipts",
    "receipts_at_25pct": "Receipts at 25%",
    "receipts_at_15pct": "Receipts at 15%",
    "cap": "Cap (£100 per dwelling)",
    "due_by_28_october": "Due by 28 October",
    "due_by_28_april": "Due by 28 April",
    "spend_by_date": "Spend by",
    "paragraph": "Schedule 2 paragraph",
    "awarded_rank": "Awarded: rank by score",
    "awarded_pro_rata": "Awarded: pro rata",
    "awarded_optimal": "Awarded: optimal",
    "s106_received": "S106 received",
    "cil_spent": "CIL spent",
    "infrastructure_type": "Infrastructure type",
    "bid_id": "Bid ID",
    "agreement_id": "Agreement ID",
    # grants
    "application_id": "Application ID",
    "imd_decile": "IMD decile",
    "ward_imd_decile": "Ward IMD decile",
    "weighted_score": "Weighted score",
    "fraction_funded": "Share of request funded",
    # tender scoring (sv_helpers.scoring_report)
    "evaluators_scores": "Evaluators' scores",
    "value_per_pound": "Social value per £ of price",
    "measures_not_monetised": "Commitments not monetised",
    "removed_bidder": "Bid removed",
    "new_winner": "Winner without it",
    "order_changed": "Order of the others changed",
    "changes": "What changes",
    "mean_total_score": "Average total score",
    "winning_score": "Winning bid's score",
    "winning_reasons": "Winning bid's reasons",
}


def screen_label(column: str) -> str:
    """The screen label of a column: ``delivered_value_gbp`` is "Delivered value (£)"."""
    if column in _LABELS:
        return _LABELS[column]
    if column.endswith("_gbp"):
        return column[:-4].replace("_", " ").capitalize() + " (£)"
    return column.replace("_", " ").capitalize()


def _cell(column: str, value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return format_date(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if column.endswith("_gbp"):
            return format_money(value)
        if column.startswith("pct_") or column.endswith("_pct"):
            return format_pct(value, 0)
        if column in ("year", "source_row", "replaced_by_row"):
            return "\u2013" if pd.isna(value) else str(int(value))
        if pd.isna(value):
            return "\u2013"
        return format_number(value, 0 if float(value).is_integer() else 2)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if column == "source":
        return SOURCE_LABELS.get(str(value), str(value))
    return str(value)


def screen_table(table: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Return a table ready to show: UK-formatted values as text, screen labels as headers."""
    columns = list(columns) if columns is not None else list(table.columns)
    out = pd.DataFrame({screen_label(c): [_cell(c, v) for v in table[c].tolist()] for c in columns})
    return out


def _table(table: pd.DataFrame, caption: str, columns: Sequence[str] | None = None) -> str:
    return table_html(screen_table(table, columns), caption=caption)


_CSS = """
body{font-family:Arial,Helvetica,sans-serif;font-size:11pt;line-height:1.45;color:#1a1a1a;max-width:60em;margin:1.5em auto;padding:0 1em}
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.3em;margin-top:1.6em;border-bottom:2px solid #0072B2}
h3{font-size:1.1em}
.sv-example{border:2px solid #E69F00;background:#fff7e6;padding:.5em .8em;margin:1em 0}
.sv-summary p{margin:.4em 0}
table.sv-table{border-collapse:collapse;margin:.8em 0;font-size:.92em}
table.sv-table caption{text-align:left;font-weight:bold;padding:.3em 0}
table.sv-table th,table.sv-table td{border:1px solid #767676;padding:.25em .5em;text-align:left;vertical-align:top}
table.sv-table th{background:#eef3f8}
figure{margin:1em 0;page-break-inside:avoid}figcaption{font-size:.9em;color:#333}
details summary{cursor:pointer}
@media print{details{display:block}details>summary{display:none}h2{page-break-after:avoid}}
"""


def render_document(
    title: str,
    sections: Sequence[tuple[str, str]],
    provenance: Mapping[str, Any] | None = None,
    *,
    intro: str = "",
    example_note: str | None = None,
    summary: Sequence[str] = (),
    warnings: Sequence[str] = (),
) -> str:
    """Render any area's report as one self-contained HTML page in the workbook's report look.

    Parameters
    ----------
    title : str
        The page title and its one ``<h1>``.
    sections : sequence of (heading, html)
        Each section's heading (plain text, escaped here) and its body, already
        HTML (tables from :func:`sv_helpers.charts.table_html`, figures from
        :func:`sv_helpers.charts.figure_html`; user text must be escaped by the caller).
    provenance : mapping, optional
        The provenance record, printed last.
    intro : str
        A plain-text paragraph under the title (escaped here).
    example_note : str, optional
        Shown at the top when the report is built from example data.
    summary : sequence of str
        The headline sentences (escaped here), shown first under "Summary".
    warnings : sequence of str
        Points to check, listed under the summary.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if intro:
        parts.append(f"<p>{html.escape(intro)}</p>")
    if example_note:
        parts.append(
            f'<p class="sv-example" role="note"><strong>Example data.</strong> {html.escape(example_note)}</p>'
        )
    if summary:
        parts.append(
            '<h2>Summary</h2><div class="sv-summary">' + "".join(f"<p>{html.escape(s)}</p>" for s in summary) + "</div>"
        )
    if warnings:
        parts.append("<h3>Points to check</h3><ul>" + "".join(f"<li>{html.escape(w)}</li>" for w in warnings) + "</ul>")
    for heading, body in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(body)
    if provenance is not None:
        parts.append(
            "<h2>Provenance</h2><p>How this report was made: its settings, the SHA-256 of every input file "
            "and the code's version.</p>"
        )
        parts.append(_table(provenance_table(provenance), "Provenance record"))
    parts.append("</main></body></html>")
    return "\n".join(parts)


def render_report_html(
    report: ImpactReport,
    figures: Sequence[str],
    provenance: Mapping[str, Any],
    *,
    title: str | None = None,
    example_note: str | None = None,
) -> str:
    """Render the impact report as one self-contained HTML page (through :func:`render_document`).

    Parameters
    ----------
    report : ImpactReport
        From :func:`sv_helpers.impact.build_impact_report`.
    figures : sequence of str
        Chart fragments from :func:`sv_helpers.svgcharts.figure_html`, shown
        after the table of social value by theme, in the order given.
    provenance : mapping
        The provenance record, printed at the end of the page.
    title : str, optional
        The page title; default "Social value impact report 2025/26".
    example_note : str, optional
        When the report is built from example files, the note to show at the top.

    Returns
    -------
    str
        The HTML document.
    """
    title = title or f"Social value impact report {report.financial_year}"
    sections = [
        (
            "Social value by theme and source",
            "<p>Values in pounds use the measures library's proxy values; figures without an adopted value are "
            "counted, not monetised.</p>"
            + _table(report.by_theme, f"Social value by source and theme, {report.financial_year}")
            + "".join(figures),
        ),
        ("Contracts", _contracts_section(report)),
        (
            "Community grants",
            _table(report.grants, "Funded grants and their outcomes by scheme theme")
            if report.grants is not None
            else "<p>Grant results were not provided for this report.</p>",
        ),
        ("The council's own activities", _activities_section(report)),
        *([("Planning gain", _table(report.planning_ifs, _IFS_CAPTION))] if report.planning_ifs is not None else []),
        ("Climate progress", _climate_section(report)),
    ]
    intro = f"Financial year {report.financial_year}; contract delivery measured to {format_date(report.as_of)}."
    return render_document(
        title,
        sections,
        provenance,
        intro=intro,
        example_note=example_note,
        summary=report.summary,
        warnings=report.warnings,
    )


_IFS_CAPTION = (
    "The Infrastructure Funding Statement's items (CIL Regulations 2010, regulation 121A and Schedule 2), "
    "from the planning gain notebook"
)


#: The columns the impact report shows of its main tables (report page and app alike).
STATUS_SHOWN = (
    "contract_id",
    "contract",
    "supplier",
    "delivered_value_gbp",
    "expected_value_gbp",
    "pct_of_expected",
    "status",
)
DELIVERY_SHOWN = (
    "contract_id",
    "measure_code",
    "theme",
    "unit",
    "committed_quantity",
    "delivered_quantity",
    "expected_quantity",
    "delivered_value_gbp",
    "expected_value_gbp",
)
ACTIVITIES_SHOWN = ("source", "activity", "indicator", "quantity", "unit", "theme", "ward", "value_gbp")


def _contracts_section(report: ImpactReport) -> str:
    parts = [
        _table(report.status_counts, "Contracts by status"),
        _table(
            report.status,
            f"Contract status: social value delivered against expected to {format_date(report.as_of)}",
            STATUS_SHOWN,
        ),
        _table(report.delivery, "Delivery by contract and measure, to date", DELIVERY_SHOWN),
    ]
    if len(report.replaced_returns):
        parts.append(
            _table(
                report.replaced_returns,
                "Returns replaced by a later return (kept for the record)",
                [
                    "contract_id",
                    "period_end",
                    "measure_code",
                    "quantity_delivered",
                    "source_file",
                    "source_row",
                    "replaced_by_file",
                    "replaced_by_row",
                ],
            )
        )
    return "".join(parts)


def _activities_section(report: ImpactReport) -> str:
    if report.activities is None:
        return "<p>The council's activities were not provided for this report.</p>"
    out = _table(
        report.activities,
        f"The council as employer, partnerships and planning, {report.financial_year}",
        ACTIVITIES_SHOWN,
    )
    if report.planning is not None and len(report.planning):
        out += _table(report.planning, "Money secured through planning, by infrastructure type and ward")
    return out


def _climate_section(report: ImpactReport) -> str:
    c = report.climate
    if c is None:
        return "<p>Climate results were not provided for this report.</p>"
    pct = c.get("required_annual_reduction_pct")
    rows = pd.DataFrame(
        {
            "item": [
                "Latest year with actual emissions",
                "Actual emissions (kt CO2)",
                f"Chosen pathway in {c.get('pathway_year') or 'that year'} (kt CO2)",
                "Required annual reduction",
                "Trend reaches net zero in",
                "Carbon budget used up in",
            ],
            "value": [
                str(c["year"]),
                format_number(c["actual_kt"], 1),
                format_number(c["pathway_kt"], 1),
                format_pct(pct, 1) if pct is not None else "\u2013",
                str(c["trend_net_zero_year"])
                if c.get("trend_net_zero_year") is not None
                else "not on the current trend",
                str(c["budget_exhausted_year"]) if c.get("budget_exhausted_year") is not None else "\u2013",
            ],
        }
    )
    out = _table(rows, "Climate progress from the climate targets notebook")
    if c.get("series"):
        out += f"<p>Emissions series: {html.escape(str(c['series']))}.</p>"
    return out


def find_chromium() -> str | None:
    """Return the path of a Chromium executable, or ``None`` when none is installed."""
    override = os.environ.get("SV_CHROMIUM")
    if override is not None:
        return override if override and Path(override).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def html_to_pdf(html_text: str, pdf_path: str | Path, *, chromium: str | None = None, timeout: float = 120.0) -> Path:
    """Print an HTML page to PDF with headless Chromium (a subprocess; no network).

    Parameters
    ----------
    html_text : str
        A self-contained HTML document.
    pdf_path : str or Path
        Where to write the PDF.
    chromium : str, optional
        The browser to use; default :func:`find_chromium`.
    timeout : float
        Seconds to wait for the browser.

    Returns
    -------
    Path
        ``pdf_path``.

    Raises
    ------
    FileNotFoundError
        When Chromium is not installed (the message is :data:`PDF_NEEDS_CHROMIUM`).
    RuntimeError
        When Chromium ran but wrote no PDF.
    """
    browser = chromium or find_chromium()
    if not browser:
        raise FileNotFoundError(PDF_NEEDS_CHROMIUM)
    pdf_path = Path(pdf_path).resolve()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sv-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html_text, encoding="utf-8")
        out = Path(tmp) / "report.pdf"
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={out}",
            "--no-pdf-header-footer",
            page.as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        if not out.exists() or out.stat().st_size == 0:
            detail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise RuntimeError(f"Chromium did not write the PDF (exit code {result.returncode}): {detail[0]}")
        shutil.copyfile(out, pdf_path)
    return pdf_path


#: The one line every area says when a report's PDF cannot be printed (the HTML report is written all the same).
PDF_SKIPPED = "report.pdf was not written: " + PDF_NEEDS_CHROMIUM


def write_pdf(page: str, pdf_path: str | Path) -> Path | None:
    """Print a report page to ``pdf_path``; without Chromium, say :data:`PDF_SKIPPED` once (a warning) and return None.

    Every area's ``write`` calls this, so a missing browser gives the same plain line in a notebook, the
    command line, a rerun and a sweep, and never stops the other files being written.
    """
    import logging

    try:
        return html_to_pdf(page, pdf_path)
    except FileNotFoundError:
        logging.getLogger("sv_helpers").warning(PDF_SKIPPED)
        return None


def pdf_bytes(html_text: str, *, chromium: str | None = None) -> bytes:
    """Return the PDF of an HTML page as bytes (see :func:`html_to_pdf`)."""
    with tempfile.TemporaryDirectory(prefix="sv-pdf-") as tmp:
        return html_to_pdf(html_text, Path(tmp) / "report.pdf", chromium=chromium).read_bytes()


def report_table(table: pd.DataFrame, caption: str, columns: Sequence[str] | None = None) -> str:
    """A table for a report: screen labels for its columns, formatted values, its caption (every area uses it)."""
    return _table(table, caption, columns)


# --------------------------------------------------------------------------- the impact report's charts and page

STATUS_LABELS = {
    "green": "Green: on track",
    "amber": "Amber: behind",
    "red": "Red: well behind",
    "not due yet": "Not due yet",
}
_STATUS_COLOURS = {
    "green": charts.PALETTE[2],
    "amber": charts.PALETTE[1],
    "red": charts.PALETTE[5],
    "not due yet": "#767676",
}
_STATUS_CAPTION = (
    "Status: green at or above the green threshold, amber at or above the amber threshold, red below "
    "(defaults in data/parameters/impact)."
)
#: Above this many contracts the status chart shows counts by status instead of one bar per contract.
MAX_CONTRACT_BARS = 25

#: Charts drawn lately, by what they show: a redraw, or the app after the notebook's charts, draws nothing twice.
_DRAWN: dict[tuple, str] = {}
_DRAWN_LIMIT = 48


def _content_key(*parts: Any) -> tuple:
    key = []
    for part in parts:
        if isinstance(part, pd.DataFrame):
            digest = hashlib.sha256(pd.util.hash_pandas_object(part, index=True).to_numpy().tobytes())
            digest.update(repr(list(part.columns)).encode())
            key.append(digest.hexdigest())
        else:
            key.append(repr(part))
    return tuple(key)


def _drawn(key: tuple, draw: Any) -> str:
    if key in _DRAWN:
        _DRAWN[key] = _DRAWN.pop(key)  # most recently used last
        return _DRAWN[key]
    figure = draw()
    _DRAWN[key] = figure
    while len(_DRAWN) > _DRAWN_LIMIT:
        _DRAWN.pop(next(iter(_DRAWN)))
    return figure


def _pixels(size: tuple[float, float]) -> dict[str, float]:
    """A chart's size in inches (as matplotlib took it) as the SVG chart's pixels, at 100 pixels an inch."""
    return {"width": float(size[0]) * 100, "height": float(size[1]) * 100}


def source_theme_figure(report: ImpactReport, *, size: tuple[float, float] = (8.0, 4.2)) -> str:
    """Social value in pounds in the year, by source, stacked by theme (an accessible HTML figure)."""
    key = _content_key(report.by_theme, report.grants, report.financial_year, size)
    return _drawn(("source_theme", *key), lambda: _draw_source_theme_figure(report, size))


def _draw_source_theme_figure(report: ImpactReport, size: tuple[float, float]) -> str:
    table = (
        report.by_theme.pivot(index="source", columns="theme", values="value_gbp")
        .reindex(index=list(imp.SOURCES), columns=list(THEMES))
        .fillna(0.0)
    )
    labels = [imp.SOURCE_LABELS[s] for s in table.index]
    left = table.sum(axis=1).tolist()
    figures = report.by_theme.groupby("source")["figures"].sum().reindex(list(imp.SOURCES)).fillna(0)
    if report.grants is not None:  # grants carry the scheme's themes, so they may not sit under the three
        figures["grants"] = max(figures["grants"], report.grants["grants_funded"].iloc[-1])
    notes = [
        "" if total > 0 else " (counted, not valued)" if count > 0 else " (none given)"
        for total, count in zip(left, figures, strict=False)
    ]
    plot = svgcharts.hbar_chart(
        labels,
        [
            (theme.capitalize(), table[theme].tolist(), charts.THEME_COLOURS[theme], charts.HATCHES[i])
            for i, theme in enumerate(THEMES)
        ],
        title=f"Social value by source and theme, {report.financial_year}",
        x_label="Social value (£)",
        value_format=format_money,
        end_labels=[format_money(total) + note for total, note in zip(left, notes, strict=False)],
        legend_title="Theme",
        **_pixels(size),
    )
    totals = dict(zip(table.index, left, strict=False))
    alt = (
        f"Stacked bar chart of social value valued in pounds in {report.financial_year}, by source, split by theme. "
        + charts.describe_values([imp.SOURCE_LABELS[s] for s in totals], [format_money(v) for v in totals.values()])
        + ". Sources with figures reported only as counts show £0; the table below lists them."
    )
    caption = "Values use the measures library's proxy values (example values unless the council has loaded its own)."
    return svgcharts.figure_html(plot.svg(), alt=alt, caption=caption, data=screen_table(report.by_theme))


def status_figure(report: ImpactReport, *, size: tuple[float, float] | None = None) -> str:
    """Each contract's value delivered as a percentage of expected, coloured by status (counts when there are many)."""
    key = _content_key(report.status, report.status_counts, report.as_of, report.green, report.amber, size)
    return _drawn(("status", *key), lambda: _draw_status_figure(report, size))


def _draw_status_figure(report: ImpactReport, size: tuple[float, float] | None) -> str:
    status = report.status
    pixels = _pixels(size) if size is not None else {}
    if len(status) > MAX_CONTRACT_BARS:
        counts = report.status_counts
        plot = svgcharts.hbar_chart(
            [STATUS_LABELS[s] for s in counts["status"]],
            [(None, counts["contracts"].tolist(), [_STATUS_COLOURS[s] for s in counts["status"]], "")],
            title=f"Contracts by status, {format_date(report.as_of)}",
            x_label="Contracts",
            legend=None,
            **pixels,
        )
        alt = (
            f"Bar chart of the {len(status)} contracts by status on {format_date(report.as_of)}: "
            + charts.describe_values(counts["status"], [str(n) for n in counts["contracts"]])
            + "."
        )
        data = screen_table(counts)
    else:
        pairs = list(zip(status["contract_id"], status["status"], strict=True))
        labels = [f"{c} ({STATUS_LABELS[s].split(':')[0]})" for c, s in pairs]
        plot = svgcharts.hbar_chart(
            labels,
            [
                (
                    None,
                    status["pct_of_expected"].fillna(0.0).tolist(),
                    [_STATUS_COLOURS[s] for s in status["status"]],
                    "",
                )
            ],
            title=f"Social value delivered as a percentage of expected, to {format_date(report.as_of)}",
            x_label="Delivered as % of expected value",
            value_format=lambda v: format_pct(v, 0),
            **pixels,
        )
        for threshold, style, name in ((report.green, "--", "Green"), (report.amber, ":", "Amber")):
            plot.vline(threshold, colour="#000000", dash=style, width=1.5, label=f"{name} threshold ({threshold:g}%)")
        plot.x_max = max(plot.x_max or 0.0, report.green * 1.05, report.amber * 1.05)
        alt = (
            f"Bar chart of each contract's social value delivered as a percentage of the value expected to "
            f"{format_date(report.as_of)}, with lines at the green ({report.green:g}%) and amber ({report.amber:g}%) "
            "thresholds. "
            + charts.describe_values(
                [f"{c} {s}" for c, s in pairs], [format_pct(p, 0) for p in status["pct_of_expected"]]
            )
            + "."
        )
        data = screen_table(
            status,
            ["contract_id", "supplier", "delivered_value_gbp", "expected_value_gbp", "pct_of_expected", "status"],
        )
    return svgcharts.figure_html(plot.svg(), alt=alt, caption=_STATUS_CAPTION, data=data)


def climate_figure(report: ImpactReport, pathway: pd.DataFrame) -> str:
    """District emissions: actual, the chosen pathway and the trend (from the climate notebook's outputs)."""
    key = _content_key(pathway, sorted((k, str(v)) for k, v in (report.climate or {}).items()))
    return _drawn(("climate", *key), lambda: _draw_climate_figure(report, pathway))


def _draw_climate_figure(report: ImpactReport, pathway: pd.DataFrame) -> str:
    plot = svgcharts.Plot(
        title="District emissions against the chosen pathway",
        y_label="Emissions (kt CO2)",
        x_format=lambda v: f"{v:.0f}",
        y_format=lambda v: format_number(v, 0 if abs(v) >= 10 or v == 0 else 1),
        width=800,
        height=400,
    )
    styles = (
        ("actual_kt", "Actual", "-", charts.PALETTE[0]),
        ("pathway_kt", "Chosen pathway", "--", charts.PALETTE[2]),
        ("trend_kt", "Trend", ":", charts.PALETTE[5]),
    )
    for column, label, style, colour in styles:
        series = pathway[["year", column]].dropna()
        if len(series):
            plot.line(series["year"].astype(int), series[column], colour=colour, dash=style, width=2, label=label)
    c = report.climate or {}
    alt = (
        "Line chart of district CO2 emissions in kilotonnes: actual emissions, the chosen pathway and the current "
        "trend. " + imp.climate_sentence(c)
    )
    series = str(c.get("series") or "")
    caption = "From the climate targets notebook (pathway.csv and summary.json)." + (f" {series}." if series else "")
    if "mySociety" in series:
        caption += (
            " Contains public sector information licensed under the Open Government Licence v3.0; "
            "transformed by mySociety (CC BY 4.0)."
        )
    return svgcharts.figure_html(plot.svg(), alt=alt, caption=caption, data=screen_table(pathway))


def profile_figure(contract: Mapping[str, Any], profile: pd.DataFrame) -> str:
    """One contract's cumulative delivered value against the expected profile, by quarter."""
    key = _content_key(profile, {k: str(v) for k, v in dict(contract).items()})
    return _drawn(("profile", *key), lambda: _draw_profile_figure(contract, profile))


def _draw_profile_figure(contract: Mapping[str, Any], profile: pd.DataFrame) -> str:
    dates = pd.to_datetime(profile["period_end"])
    days = [d.toordinal() for d in dates]
    plot = svgcharts.Plot(
        title=f"{contract['contract_id']}: delivered against expected",
        y_label="Social value (£), cumulative",
        y_format=format_money,
        x_ticks=[(day, f"{d:%b %Y}") for day, d in zip(days, dates, strict=True)],
        x_pad=20.0,
        y_min=0.0,
        width=800,
        height=380,
        legend="bottom",
    )
    plot.line(
        days, profile["expected_value_gbp"], colour=charts.PALETTE[7], dash="--", width=2, label="Expected to date"
    )
    plot.line(
        days, profile["delivered_value_gbp"], colour=charts.PALETTE[0], width=2, marker="o", label="Delivered to date"
    )
    last = profile.iloc[-1]
    alt = (
        f"Line chart of the social value of contract {contract['contract_id']} ({contract['contract']}), cumulative at "
        f"each quarter end: delivered against expected. By {format_date(last['period_end'])} it delivered "
        f"{format_money(last['delivered_value_gbp'])} of {format_money(last['expected_value_gbp'])} expected "
        f"({format_pct(last['pct_of_expected'], 0)})."
    )
    return svgcharts.figure_html(
        plot.svg(),
        alt=alt,
        caption="Expected: the commitment times the share of the contract term elapsed, in days.",
        data=screen_table(profile),
    )


def report_figures(report: ImpactReport, climate_pathway: pd.DataFrame | None = None) -> list[str]:
    """The report's charts as accessible HTML figures (alt text, caption and data table each).

    ``climate_pathway`` defaults to the one the report was built with.  A chart
    already drawn for the same figures is not drawn again.
    """
    figures = [source_theme_figure(report), status_figure(report)]
    pathway = climate_pathway if climate_pathway is not None else report.climate_pathway
    if report.climate is not None and pathway is not None and len(pathway):
        figures.append(climate_figure(report, pathway))
    return figures


def impact_report_page(result: Any) -> str:
    """The impact report page of a :func:`sv_helpers.impact.run` result (what ``report.html`` holds)."""
    report = result.detail
    return render_report_html(report, report_figures(report), result.provenance, example_note=report.example_note)
