"""Reading the raw cells of an officer's CSV or Excel file, within the bounds of :mod:`.limits`.

Nothing here knows a schema: :mod:`.tables` checks the cells against one. Excel formulas are read as their
cached results (a formula without one is refused), text is decoded from UTF-8 (with or without its mark) or
Windows-1252, and every refusal names the file, the sheet and the row.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sv_helpers.core.errors import InputError
from sv_helpers.core.limits import (
    _BYTES_PER_MB,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_PROBLEMS_LISTED,
    MAX_UNPACK_RATIO,
    UploadLimits,
    _cell_too_long,
    _column_letter,
    _size_text,
    _too_many_rows,
    check_upload_size,
    upload_limits,
)


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    if value is pd.NaT:
        return True
    return isinstance(value, str) and value.strip() == ""


def _header_names(header: list[Any]) -> list[Any]:
    """Give blank headings a name (``column C``) and repeated ones a number (``price (2)``)."""
    names: list[Any] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(header):
        name: Any = f"column {_column_letter(i)}" if _is_blank(cell) else cell
        key = str(name).strip()
        if key in seen:
            seen[key] += 1
            name = f"{key} ({seen[key]})"
        else:
            seen[key] = 1
        names.append(name.strip() if isinstance(name, str) else name)
    return names


def _normalise_header(text: Any) -> str:
    s = str(text).strip().lower()
    s = re.sub(r"\(.*?\)", "", s)  # "Price (£)" -> "price"
    s = re.sub(r"[^0-9a-z]+", "_", s).strip("_")
    return s


def _place(filename: str, sheet: str | None) -> str:
    return f"{filename}, sheet '{sheet}'" if sheet else filename


_CSV_LIMIT_LOCK = threading.Lock()


@contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    """Let the csv module read fields up to ``limit`` characters (the cell length is checked by us, with its place)."""
    with _CSV_LIMIT_LOCK:
        old = csv.field_size_limit(max(limit, csv.field_size_limit()))
        try:
            yield
        finally:
            csv.field_size_limit(old)


def _decode_text(data: bytes, filename: str) -> str:
    if b"\x00" in data[:4096]:
        raise InputError(
            f"{filename} could not be read: it is not a text (CSV) file. Save it from Excel as 'CSV UTF-8' and "
            "load it again."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    # cp1252 leaves five bytes undefined; latin-1 reads every byte.
    return data.decode("latin-1")


def _unclosed_quote(text: str, start_line: int) -> bool:
    """Whether the record that starts on physical line ``start_line`` (1-based) opens a quote it never closes."""
    lines = text.splitlines(keepends=True)
    tail = "".join(lines[start_line - 1 :])
    try:
        with _csv_field_limit(len(tail) + 1):
            for _ in csv.reader(io.StringIO(tail, newline=""), strict=True):
                pass
    except csv.Error as err:
        return "unexpected end of data" in str(err)
    return False


def _read_csv_bytes(data: bytes, filename: str, limits: UploadLimits | None = None) -> pd.DataFrame:
    limits = limits or upload_limits()
    text = _decode_text(data, filename)
    if not text.strip():
        raise InputError(f"{filename} is empty: it has no header row and no data.")
    header: list[Any] | None = None
    body: list[list[str]] = []
    numbers: list[int] = []
    starts: list[int] = []
    # newline="" lets the csv module see every line ending: Windows, Unix and old Mac (CR only).
    reader = csv.reader(io.StringIO(text, newline=""))
    with _csv_field_limit(len(text) + 1):
        record = 0
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            record += 1
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                while row and not row[-1].strip():
                    row = row[:-1]
                if len(row) > MAX_COLUMNS:
                    raise InputError(
                        f"{filename}, row {record}: the header has {len(row):,} columns, more than the "
                        f"{MAX_COLUMNS:,} a table may have."
                    )
                header = _header_names(row)
                for i, cell in enumerate(row):
                    if len(cell) > MAX_CELL_CHARS:
                        raise _cell_too_long(filename, record, _column_letter(i), len(cell))
                continue
            extra = [c for c in row[len(header) :] if c.strip()]
            if extra:
                raise InputError(
                    f"{filename}, row {record}: the row has more cells than the header has columns. "
                    "Check for an unquoted comma in a text or money value (write 1234.50, not 1,234.50, or put "
                    "the value in quotes). "
                    "The file could not be read as a CSV table."
                )
            for i, cell in enumerate(row[: len(header)]):
                if len(cell) > MAX_CELL_CHARS:
                    if ("\n" in cell or "\r" in cell) and _unclosed_quote(text, start):
                        break
                    raise _cell_too_long(filename, record, header[i], len(cell))
            body.append((row + [""] * len(header))[: len(header)])
            numbers.append(record)
            starts.append(start)
            if len(body) > limits.max_rows:
                raise _too_many_rows(filename, limits)
    if header is None:
        raise InputError(f"{filename} has no header row: every cell in it is empty.")
    if body and any("\n" in c or "\r" in c for c in body[-1]) and _unclosed_quote(text, starts[-1]):
        last = body[-1]
        column = next(header[i] for i in range(len(last) - 1, -1, -1) if "\n" in last[i] or "\r" in last[i])
        raise InputError(
            f"{filename}, row {numbers[-1]}, column '{column}': this value begins with a double quote (\") that "
            "is never closed, "
            "so the rest of the file would be read as one value. Close the quote or remove it, and load the file again."
        )
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame.attrs["row_numbers"] = numbers
    return frame


#: Excel's error values, shown in a cell whose formula could not be worked out.
EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)

_NOT_A_WORKBOOK = (
    "{name} could not be read as an Excel workbook: the file is damaged or is not an .xlsx file. "
    "Open it in Excel and save it as 'Excel Workbook (.xlsx)'."
)


def _open_workbook(data: bytes, filename: str, *, formulas: bool = False) -> Any:
    """Open an .xlsx file read-only (cached values; with ``formulas`` the formulas instead)."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputError(_NOT_A_WORKBOOK.format(name=filename))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(_NOT_A_WORKBOOK.format(name=filename)) from None
    if unpacked > max(MAX_UNPACK_RATIO * len(data), 64 * _BYTES_PER_MB):
        raise InputError(
            f"{filename} unpacks to {_size_text(unpacked)}, far more than a workbook of its size should; it is refused "
            "as it may be built to exhaust the server. Save the table from Excel again, or as 'CSV UTF-8'."
        )
    import openpyxl  # loaded when a workbook is read

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise InputError(_NOT_A_WORKBOOK.format(name=filename)) from None


def _excel_value(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _sheet_frame(
    book: Any, sheet: str, *, filename: str = "", data: bytes | None = None, limits: UploadLimits | None = None
) -> pd.DataFrame:
    """Read one sheet into raw cells: the first non-empty row is the header; empty rows are skipped.

    Text is kept as it is (``NA``, ``None`` and ``null`` are names, not blanks).
    Error values (``#DIV/0!``) and formulas saved without their result are
    refused, naming the row and column.
    """
    limits = limits or upload_limits()
    place = _place(filename, sheet)
    header: list[Any] | None = None
    width = 0
    body: list[list[Any]] = []
    numbers: list[int] = []
    problems: list[str] = []
    empty_cells: set[tuple[int, int]] = set()
    try:
        rows = book[sheet].iter_rows()
        for cells in rows:
            row_number = next((c.row for c in cells if getattr(c, "row", None)), None)
            values = [_excel_value(c.value) for c in cells]
            if row_number is None or all(_is_blank(v) for v in values):
                continue
            if header is None:
                while values and _is_blank(values[-1]):
                    values.pop()
                if len(values) > MAX_COLUMNS:
                    raise InputError(
                        f"{place}, row {row_number}: the header has {len(values):,} columns, more than the "
                        f"{MAX_COLUMNS:,} a table may have."
                    )
                header = _header_names(values)
                width = len(header)
                continue
            if any(not _is_blank(v) for v in values[width:]):
                width = max(width, max(i + 1 for i, v in enumerate(values) if not _is_blank(v)))
            for i in range(width):
                cell = cells[i] if i < len(cells) else None
                value = values[i] if i < len(values) else None
                name = header[i] if i < len(header) else f"column {_column_letter(i)}"
                if cell is not None and getattr(cell, "data_type", None) == "e":
                    problems.append(
                        f"{place}, row {row_number}, column '{name}': the cell shows Excel's error "
                        f"{cell.value}, so its formula has no result. "
                        "Correct the formula (or type the value) and save the file again."
                    )
                    values[i] = None
                elif value is None:
                    empty_cells.add((row_number, i))
                elif isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                    raise _cell_too_long(place, row_number, name, len(value))
            body.append(values)
            numbers.append(row_number)
            if len(body) > limits.max_rows:
                raise _too_many_rows(place, limits)
    except InputError:
        raise
    except Exception:  # a damaged sheet inside a valid zip
        raise InputError(_NOT_A_WORKBOOK.format(name=filename)) from None
    if header is None:
        return pd.DataFrame()
    header = header + [f"column {_column_letter(i)}" for i in range(len(header), width)]
    if empty_cells and data is not None:
        problems += _formulas_without_results(data, filename, sheet, header, empty_cells)
    if problems:
        shown = problems[:MAX_PROBLEMS_LISTED]
        more = len(problems) - len(shown)
        raise InputError(
            "\n".join(shown) + (f"\n... and {more} more problem{'s' if more != 1 else ''} in {place}." if more else "")
        )
    frame = pd.DataFrame([(v + [None] * width)[:width] for v in body], columns=header, dtype=object)
    unnamed = [
        c
        for c in frame.columns
        if isinstance(c, str) and re.fullmatch(r"column [A-Z]+", c) and frame[c].map(_is_blank).all()
    ]
    frame = frame.drop(columns=unnamed)
    frame.attrs["row_numbers"] = numbers
    return frame


def _formulas_without_results(
    data: bytes, filename: str, sheet: str, header: list[Any], empty_cells: set[tuple[int, int]]
) -> list[str]:
    """Name the empty-looking cells that hold a formula Excel never calculated (a program other than Excel wrote it)."""
    book = _open_workbook(data, filename, formulas=True)
    place = _place(filename, sheet)
    problems = []
    try:
        for cells in book[sheet].iter_rows():
            for i, cell in enumerate(cells):
                row = getattr(cell, "row", None)
                if row is not None and (row, i) in empty_cells and cell.data_type == "f":
                    formula = str(cell.value)
                    shown = formula if len(formula) <= 40 else formula[:37] + "..."
                    problems.append(
                        f"{place}, row {row}, column '{header[i]}': the cell holds the formula {shown} but no "
                        "result was saved with it "
                        "(the file was written by a program that does not calculate). Open the file in Excel, "
                        "let it calculate, "
                        "and save it again, or type the value."
                    )
    finally:
        book.close()
    return problems


def _source_bytes(
    source: str | Path | bytes, filename: str | None, limits: UploadLimits | None = None
) -> tuple[bytes, str]:
    limits = limits or upload_limits()
    if isinstance(source, (bytes, bytearray, memoryview)):
        if not filename:
            raise ValueError("filename is needed when the source is bytes")
        check_upload_size(len(source), filename, max_upload_mb=limits.max_upload_mb)
        return bytes(source), filename
    path = Path(source)
    name = filename or path.name
    if not path.exists():
        raise InputError(f"{name} was not found (looked for {path}).")
    if path.is_dir():
        raise InputError(f"{name} is a folder, not a file.")
    check_upload_size(path.stat().st_size, name, max_upload_mb=limits.max_upload_mb)
    return path.read_bytes(), name


def _suffix(filename: str) -> str:
    return Path(filename).suffix.lower()


def read_raw_table(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    sheet: str | None = None,
    max_upload_mb: float | None = None,
    max_rows: int | None = None,
) -> tuple[pd.DataFrame, str | None]:
    """Read a CSV or .xlsx file into a DataFrame of raw cells, without checking it against a schema.

    The file's size is checked before it is read and its rows are counted as
    they are read (see :func:`upload_limits`); text is kept as it is.

    Returns the frame and the sheet it came from (``None`` for CSV).
    """
    limits = upload_limits(max_upload_mb, max_rows)
    data, name = _source_bytes(source, filename, limits)
    suffix = _suffix(name)
    if suffix in (".csv", ".txt"):
        return _read_csv_bytes(data, name, limits), None
    if suffix in (".xlsx", ".xlsm"):
        book = _open_workbook(data, name)
        try:
            if sheet is None or sheet not in book.sheetnames:
                if sheet is not None and len(book.sheetnames) > 1:
                    raise InputError(
                        f"{name} has no sheet called '{sheet}'. Its sheets are: {', '.join(book.sheetnames)}."
                    )
                sheet = book.sheetnames[0]
            return _sheet_frame(book, sheet, filename=name, data=data, limits=limits), sheet
        finally:
            book.close()
    if suffix == ".xls":
        raise InputError(
            f"{name} is an old-style Excel file (.xls). Open it in Excel and save it as 'Excel Workbook (.xlsx)'."
        )
    raise InputError(f"{name} cannot be read: only .csv and .xlsx files are accepted.")
