"""The impact report as a static page for committee papers: self-contained HTML, and a PDF printed from it.

The HTML holds no code and makes no outside request: charts come in as the
``<figure>`` fragments made by :func:`sv_helpers.charts.figure_html` (PNG as
data URIs, with alt text and a data table), styles are inline, and the
provenance record is printed at the end.  The PDF is printed from that HTML
by Debian's headless Chromium run as a subprocess.

Interface side (``tests/test_layers.py`` lists it with ``ui`` and ``charts``):
it builds strings with the charts module's accessible tables and runs a
subprocess; it never imports ipywidgets.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from sv_helpers.charts import table_html
from sv_helpers.formatting import format_date, format_money, format_number, format_pct
from sv_helpers.impact import SOURCE_LABELS, ImpactReport
from sv_helpers.provenance import provenance_table

#: Where Debian installs Chromium.
CHROMIUM_CANDIDATES: tuple[str, ...] = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium", "chromium-browser")

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
        parts.append(f'<p class="sv-example" role="note"><strong>Example data.</strong> {html.escape(example_note)}</p>')
    if summary:
        parts.append('<h2>Summary</h2><div class="sv-summary">' + "".join(f"<p>{html.escape(s)}</p>" for s in summary) + "</div>")
    if warnings:
        parts.append("<h3>Points to check</h3><ul>" + "".join(f"<li>{html.escape(w)}</li>" for w in warnings) + "</ul>")
    for heading, body in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(body)
    if provenance is not None:
        parts.append("<h2>Provenance</h2><p>How this report was made: its settings, the SHA-256 of every input file "
                     "and the code's version.</p>")
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
    """Render the impact report as one self-contained HTML page.

    Parameters
    ----------
    report : ImpactReport
        From :func:`sv_helpers.impact.build_impact_report`.
    figures : sequence of str
        Chart fragments from :func:`sv_helpers.charts.figure_html`, shown
        after the summary in the order given.
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
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Financial year {html.escape(report.financial_year)}; contract delivery measured to {format_date(report.as_of)}.</p>",
    ]
    if example_note:
        parts.append(f'<p class="sv-example" role="note"><strong>Example data.</strong> {html.escape(example_note)}</p>')
    parts.append('<h2>Summary</h2><div class="sv-summary">' + "".join(f"<p>{html.escape(s)}</p>" for s in report.summary) + "</div>")
    if report.warnings:
        parts.append("<h3>Points to check</h3><ul>" + "".join(f"<li>{html.escape(w)}</li>" for w in report.warnings) + "</ul>")

    parts.append("<h2>Social value by theme and source</h2>")
    parts.append("<p>Values in pounds use the measures library's proxy values; figures without an adopted value are counted, not monetised.</p>")
    parts.append(_table(report.by_theme, f"Social value by source and theme, {report.financial_year}"))
    parts.extend(figures)

    parts.append("<h2>Contracts</h2>")
    parts.append(_table(report.status_counts, "Contracts by status"))
    parts.append(_table(report.status, f"Contract status: social value delivered against expected to {format_date(report.as_of)}", ["contract_id", "contract", "supplier", "delivered_value_gbp", "expected_value_gbp", "pct_of_expected", "status"]))
    parts.append(
        _table(
            report.delivery,
            "Delivery by contract and measure, to date",
            ["contract_id", "measure_code", "theme", "unit", "committed_quantity", "delivered_quantity", "expected_quantity", "delivered_value_gbp", "expected_value_gbp"],
        )
    )
    if len(report.replaced_returns):
        parts.append(_table(report.replaced_returns, "Returns replaced by a later return (kept for the record)", ["contract_id", "period_end", "measure_code", "quantity_delivered", "source_file", "source_row", "replaced_by_file", "replaced_by_row"]))

    parts.append("<h2>Community grants</h2>")
    if report.grants is not None:
        parts.append(_table(report.grants, "Funded grants and their outcomes by scheme theme"))
    else:
        parts.append("<p>Grant results were not provided for this report.</p>")

    parts.append("<h2>The council's own activities</h2>")
    if report.activities is not None:
        parts.append(_table(report.activities, f"The council as employer, partnerships and planning, {report.financial_year}", ["source", "activity", "indicator", "quantity", "unit", "theme", "ward", "value_gbp"]))
        if report.planning is not None and len(report.planning):
            parts.append(_table(report.planning, "Money secured through planning, by infrastructure type and ward"))
    else:
        parts.append("<p>The council's activities were not provided for this report.</p>")

    parts.append("<h2>Climate progress</h2>")
    if report.climate is not None:
        c = report.climate
        rows = pd.DataFrame(
            {
                "item": ["Latest year with actual emissions", "Actual emissions (kt CO2)", f"Chosen pathway in {c.get('pathway_year') or 'that year'} (kt CO2)", "Required annual reduction", "Trend reaches net zero in", "Carbon budget used up in"],
                "value": [
                    str(c["year"]),
                    format_number(c["actual_kt"], 1),
                    format_number(c["pathway_kt"], 1),
                    format_pct(c["required_annual_reduction_pct"], 1) if c.get("required_annual_reduction_pct") is not None else "\u2013",
                    str(c["trend_net_zero_year"]) if c.get("trend_net_zero_year") is not None else "not on the current trend",
                    str(c["budget_exhausted_year"]) if c.get("budget_exhausted_year") is not None else "\u2013",
                ],
            }
        )
        parts.append(_table(rows, "Climate progress from the climate targets notebook"))
        if c.get("series"):
            parts.append(f"<p>Emissions series: {html.escape(str(c['series']))}.</p>")
    else:
        parts.append("<p>Climate results were not provided for this report.</p>")

    parts.append("<h2>Provenance</h2><p>How this report was made: its parameters, the SHA-256 of every input file and the package version.</p>")
    parts.append(_table(provenance_table(provenance), "Provenance record"))
    parts.append("</main></body></html>")
    return "\n".join(parts)


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


def pdf_bytes(html_text: str, *, chromium: str | None = None) -> bytes:
    """Return the PDF of an HTML page as bytes (see :func:`html_to_pdf`)."""
    with tempfile.TemporaryDirectory(prefix="sv-pdf-") as tmp:
        return html_to_pdf(html_text, Path(tmp) / "report.pdf", chromium=chromium).read_bytes()
