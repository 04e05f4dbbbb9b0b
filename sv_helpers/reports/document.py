"""Reports as static pages for committee papers, one look for every area: self-contained HTML, and its PDF.

:func:`render_document` renders any area's report; :func:`write_report` writes a run's tables with it.

The HTML holds no code and makes no outside request: charts come in as the
``<figure>`` fragments made by :func:`sv_helpers.reports.svgcharts.figure_html` or
:func:`sv_helpers.reports.charts.figure_html` (SVG or PNG as data URIs, with alt text
and a data table; the impact report's own charts are SVG, drawn in a few
milliseconds, and Chromium prints them as vectors), styles are inline, and the
provenance record is printed at the end.  The PDF is printed from that HTML
by Debian's headless Chromium run as a subprocess.

The reports layer (``docs/DEVELOPING.md``, "The house plan"): it imports ``core`` only, builds strings
with the charts module's accessible tables and runs a subprocess; it never imports ipywidgets.
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

from sv_helpers.core.formatting import format_date, format_money, format_number, format_pct
from sv_helpers.core.provenance import provenance_table
from sv_helpers.reports.charts import table_html

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

#: Where social value comes from, as the impact report and its app name it.
SOURCE_LABELS: dict[str, str] = {
    "contracts": "Contracts",
    "grants": "Community grants",
    "employer": "The council as employer",
    "partnerships": "Partnerships",
    "planning": "Planning",
}

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
    # tender scoring (sv_helpers.scoring.report)
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
        HTML (tables from :func:`sv_helpers.reports.charts.table_html`, figures from
        :func:`sv_helpers.reports.charts.figure_html`; user text must be escaped by the caller).
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


def write_report(
    result: Any,
    output_dir: str | Path,
    page: str,
    *,
    excel_name: str | None = None,
    extra_files: Mapping[str, str | bytes] | None = None,
) -> list[Path]:
    """Every area's ``write``: the tables (CSV, and one workbook when ``excel_name`` is given), the extra files,
    ``report.html``, ``report.pdf`` (:func:`write_pdf`: without Chromium one line says so) and ``provenance.json``.

    Returns
    -------
    list of Path
        The files written, provenance last.
    """
    from sv_helpers.core.scenario import write_result

    written = write_result(
        result, output_dir, excel_name=excel_name, extra_files={**dict(extra_files or {}), "report.html": page}
    )
    pdf = write_pdf(page, Path(output_dir) / "report.pdf")
    return [*written[:-1], pdf, written[-1]] if pdf else written


def pdf_bytes(html_text: str, *, chromium: str | None = None) -> bytes:
    """Return the PDF of an HTML page as bytes (see :func:`html_to_pdf`)."""
    with tempfile.TemporaryDirectory(prefix="sv-pdf-") as tmp:
        return html_to_pdf(html_text, Path(tmp) / "report.pdf", chromium=chromium).read_bytes()


def report_table(table: pd.DataFrame, caption: str, columns: Sequence[str] | None = None) -> str:
    """A table for a report: screen labels for its columns, formatted values, its caption (every area uses it)."""
    return _table(table, caption, columns)


# --------------------------------------------------------------------------- the impact report's charts and page

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
