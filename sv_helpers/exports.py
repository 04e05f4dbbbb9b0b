"""Write results as CSV and Excel, always with their provenance record."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from sv_helpers.provenance import json_safe, provenance_table, write_provenance


def excel_bytes(tables: Mapping[str, pd.DataFrame], provenance: Mapping[str, Any] | None = None) -> bytes:
    """Return an .xlsx workbook with one sheet per table, plus a 'provenance' sheet.

    Sheet names are cut to Excel's 31 characters.  Index columns are not written.
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in tables.items():
            _excel_ready(table).to_excel(writer, sheet_name=name[:31], index=False)
        if provenance is not None:
            provenance_table(provenance).to_excel(writer, sheet_name="provenance", index=False)
    return buffer.getvalue()


def _excel_ready(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
    return out


def csv_bytes(table: pd.DataFrame) -> bytes:
    """Return a table as UTF-8 CSV bytes (with a byte-order mark, so Excel shows £ signs)."""
    return table.to_csv(index=False).encode("utf-8-sig")


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
        The record from :func:`sv_helpers.provenance.provenance_record`.
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
        table.to_csv(path, index=False)
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
    """Return pretty JSON of plain values (numpy and dates converted)."""
    return json.dumps(json_safe(data), indent=2, ensure_ascii=False) + "\n"
