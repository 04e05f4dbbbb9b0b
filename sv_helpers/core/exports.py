"""Write results as CSV and Excel, always with their provenance record.

Every table a user downloads or a notebook writes goes through this module,
so text that came from a supplier or an applicant can never become a live
spreadsheet formula (CWE-1236, "CSV injection"):

- in Excel workbooks every text cell is stored as text, never as a formula,
  whatever it begins with (the text itself is kept exactly);
- in CSV files a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return gets an apostrophe in front (OWASP's advice), so a
  spreadsheet shows it as text.  Numbers stay numbers: ``-5`` in a number
  column is written as it is.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sv_helpers.core.numerics import at_stated_precision, json_at_stated_precision
from sv_helpers.core.provenance import json_dumps, json_safe, provenance_table, write_provenance

#: The first characters that make a spreadsheet read a CSV cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

#: CSV rows end with CR LF (RFC 4180): then a carriage return inside a cell is quoted, so it can never start a new row.
CSV_LINE_END = "\r\n"

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def safe_text_cell(value: Any) -> Any:
    """Return a CSV cell that no spreadsheet will run as a formula.

    Text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    (or their full-width forms) gets an apostrophe in front; text that is
    just a number (``-5``, ``+44``) and every non-text value are returned as
    they are.

    Examples
    --------
    >>> safe_text_cell("=1+2")
    "'=1+2"
    >>> safe_text_cell(-5.0), safe_text_cell("-5")
    (-5.0, '-5')
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a table for CSV: every text cell (and header) passed through :func:`safe_text_cell`.

    Columns of numbers, dates and booleans are not touched.
    """
    out = table.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            out.isetitem(position, column.map(safe_text_cell))
    out.columns = [safe_text_cell(c) for c in out.columns]
    return out


def _store_text_as_text(sheet: Any) -> None:
    """Mark every cell openpyxl took for a formula (text beginning ``=``) as plain text."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def excel_bytes(tables: Mapping[str, pd.DataFrame], provenance: Mapping[str, Any] | None = None) -> bytes:
    """Return an .xlsx workbook with one sheet per table, plus a 'provenance' sheet.

    Sheet names are cut to Excel's 31 characters (and made unique, without the
    characters Excel refuses).  Index columns are not written.  Control
    characters an .xlsx file cannot hold are shown as \ufffd.
    Text is stored as text: a cell holding ``=HYPERLINK(...)`` shows those
    characters and is never a formula (see the module's notes).
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        names = _sheet_names([*tables, *(["provenance"] if provenance is not None else [])])
        for sheet, table in zip(names, tables.values(), strict=False):
            _excel_ready(table).to_excel(writer, sheet_name=sheet, index=False)
        if provenance is not None:
            _excel_ready(provenance_table(provenance)).to_excel(writer, sheet_name=names[-1], index=False)
        for sheet in writer.book.worksheets:
            _store_text_as_text(sheet)
    return buffer.getvalue()


#: Characters an .xlsx file (XML) cannot hold: control characters other than tab, line feed and carriage return.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_ILLEGAL = re.compile(r"[\[\]:*?/\\]")


def _xml_text(value: Any) -> Any:
    return _XML_ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value


def _sheet_names(names: list[str]) -> list[str]:
    """Excel sheet names: no ``[]:*?/\\``, at most 31 characters, not blank, none repeated."""
    out: list[str] = []
    for name in names:
        base = _SHEET_ILLEGAL.sub("_", _XML_ILLEGAL.sub("", str(name))).strip("'").strip() or "Sheet"
        candidate, n = base[:31], 1
        while candidate.lower() in {o.lower() for o in out}:
            n += 1
            candidate = f"{base[: 31 - len(str(n)) - 1]}~{n}"
        out.append(candidate)
    return out


def _excel_ready(table: pd.DataFrame) -> pd.DataFrame:
    """A copy fit for openpyxl: dates without time zones, text without the control characters XML cannot hold."""
    out = table.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            out.isetitem(position, column.dt.tz_localize(None))
        elif column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            out.isetitem(position, column.map(_xml_text))
    out.columns = [_xml_text(c) for c in out.columns]
    return out


def csv_bytes(table: pd.DataFrame) -> bytes:
    """Return a table as UTF-8 CSV bytes (with a byte-order mark, so Excel shows £ signs).

    Text that a spreadsheet would run as a formula gets an apostrophe in front (:func:`neutralise_formulas`);
    rows end with CR LF, so a line break inside a cell is always quoted; numbers are written at the stated
    precision (:func:`sv_helpers.core.numerics.decimals_for`: money to the penny), so the bytes are the same on any machine.
    """
    return _csv_text(table).encode("utf-8-sig")


def _csv_text(table: pd.DataFrame) -> str:
    return neutralise_formulas(at_stated_precision(table)).to_csv(index=False, lineterminator=CSV_LINE_END)


def output_csv_bytes(table: pd.DataFrame) -> bytes:
    """The exact bytes of a table's output file (``<name>.csv`` of a batch run): the store hashes these.

    As :func:`csv_bytes` without the byte-order mark: formulas neutralised, numbers at the stated precision.
    """
    return _csv_text(table).encode("utf-8")


def write_outputs(
    output_dir: str | Path,
    tables: Mapping[str, pd.DataFrame],
    provenance: Mapping[str, Any],
    *,
    excel_name: str | None = None,
    extra_files: Mapping[str, bytes | str] | None = None,
) -> list[Path]:
    """Write each table as ``<name>.csv``, optionally all of them as one workbook, and ``provenance.json``.

    Parameters
    ----------
    output_dir : str or Path
        The folder to write into; made if missing.
    tables : mapping of str to DataFrame
        The results, keyed by file stem (``ranking`` becomes ``ranking.csv``).
    provenance : mapping
        The record from :func:`sv_helpers.core.provenance.provenance_record`.
    excel_name : str, optional
        When given, also write every table into this .xlsx file.
    extra_files : mapping of str to bytes or str, optional
        Other files to write as they are (``summary.json``, ``report.html``).

    Returns
    -------
    list of Path
        The files written, provenance last.
    """
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        path = out / f"{name}.csv"
        path.write_bytes(output_csv_bytes(table))
        written.append(path)
    if excel_name:
        path = out / excel_name
        path.write_bytes(excel_bytes(tables, provenance))
        written.append(path)
    for name, content in (extra_files or {}).items():
        path = out / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        written.append(path)
    written.append(write_provenance(out, provenance))
    return written


def json_text(data: Mapping[str, Any]) -> str:
    """Return pretty JSON of plain values (numpy and dates converted; NaN and infinity as ``null``): valid JSON.

    Numbers are written at the stated precision of their key (:func:`sv_helpers.core.numerics.decimals_for`).
    """
    return json_dumps(json_at_stated_precision(json_safe(data)), indent=2) + "\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def markdown_text(text: Any) -> str:
    """Return user text safe to put in a Markdown document: shown as written, never as markup.

    HTML is escaped (``<script>`` shows as text), Markdown's punctuation gets a
    backslash (a bidder called ``**Winner**`` or ``[click](http://x)`` is
    not bold and not a link), and line breaks become spaces, so the text
    cannot start a heading or a list.

    Examples
    --------
    >>> markdown_text("<b>Acme</b> [x](http://e.vil)")
    '&lt;b&gt;Acme&lt;/b&gt; \\\\[x\\\\]\\\\(http://e\\\\.vil\\\\)'
    """
    value = " ".join(str(text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)
