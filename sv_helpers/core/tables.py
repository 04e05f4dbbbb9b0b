"""Load a user's table from CSV or Excel against a declared schema (the loader).

The raw cells come from :mod:`.reading`, within the bounds of :mod:`.limits`; this module declares the schema
(:class:`Column`, :class:`TableSchema`), parses each cell by its kind and checks the table.

Every app reads officers' files through :func:`load_table` (one table) or
:func:`load_tables` (a workbook of sheets, or a folder of CSV files with the
same names).  A file that does not fit its schema raises one
:class:`~sv_helpers.core.errors.InputError` whose first line names the file, the
sheet, the row and the column, for example::

    bids.xlsx, sheet 'bids', row 7, column 'price': 'TBC' is not an amount of money.

Row numbers are the spreadsheet's own: the header is row 1, the first data
row is row 2.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sv_helpers.core.errors import InputError
from sv_helpers.core.limits import (  # noqa: F401 - the loader's bounds are part of its interface
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_UPLOAD_MB,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_JSON_DEPTH,
    MAX_PROBLEMS_LISTED,
    UploadLimits,
    _column_letter,
    check_upload_size,
    upload_limits,
)
from sv_helpers.core.reading import (
    _header_names,
    _is_blank,
    _normalise_header,
    _open_workbook,
    _place,
    _sheet_frame,
    _source_bytes,
    _suffix,
    read_raw_table,  # noqa: F401 - part of the loader's interface
)

Kind = Literal["text", "money", "number", "integer", "date", "category", "boolean"]


_KIND_NOUN = {
    "money": "an amount of money",
    "number": "a number",
    "integer": "a whole number",
    "date": "a date (use the form 31/03/2026 or 2026-03-31)",
    "boolean": "yes or no",
}


@dataclass(frozen=True)
class Column:
    """One column of a table schema.

    Parameters
    ----------
    name : str
        The column's name in files and code (``amount_requested``).
    kind : str
        ``text``, ``money`` (pounds), ``number``, ``integer``, ``date``,
        ``category`` (one of ``allowed``) or ``boolean``.
    required : bool
        Whether the column must be present in the file.
    allow_blank : bool
        Whether a cell may be left empty.  Blank cells of an optional column
        become ``default``.
    allowed : tuple of str, optional
        For ``category``: the allowed values (matched ignoring case and spaces).
    minimum, maximum : float, optional
        Inclusive bounds for numeric kinds.
    unique : bool
        Whether each value may appear only once.
    default : object
        The value used when an optional column is absent or a cell is blank.
    label : str, optional
        The screen label; defaults to the name in sentence case.
    description : str
        What the column holds, for templates and documentation.
    """

    name: str
    kind: Kind = "text"
    required: bool = True
    allow_blank: bool = False
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    unique: bool = False
    default: Any = None
    label: str | None = None
    description: str = ""

    @property
    def screen_label(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class TableSchema:
    """The columns a table must have.

    Parameters
    ----------
    name : str
        The table's name: the Excel sheet name and the CSV file stem.
    columns : tuple of Column
        The declared columns, in the order results are returned.
    min_rows : int
        The fewest data rows accepted.
    """

    name: str
    columns: tuple[Column, ...]
    min_rows: int = 1
    description: str = ""
    aliases: Mapping[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def template(self) -> pd.DataFrame:
        """Return an empty DataFrame with the schema's columns, for blank templates."""
        return pd.DataFrame({c.name: pd.Series(dtype="object") for c in self.columns})


# --------------------------------------------------------------------------- parsing cells


_MONEY_RE = re.compile(r"^\(?-?£?-?\s*[0-9][0-9,]*(\.[0-9]+)?\)?$")


def _parse_number(value: Any, kind: Kind) -> float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
    else:
        text = str(value).strip().replace("\u2212", "-").replace(" ", "")
        negative = text.startswith("(") and text.endswith(")")
        if kind == "money":
            if not _MONEY_RE.match(text):
                raise ValueError
            text = text.strip("()").replace("£", "")
        else:
            if text.endswith("%"):
                text = text[:-1]
            if not re.match(r"^-?[0-9][0-9,]*(\.[0-9]+)?$|^-?\.[0-9]+$", text):
                raise ValueError
        if "," in text and not re.match(r"^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$", text):
            raise ValueError
        number = float(text.replace(",", ""))
        if negative:
            number = -number
    if not np.isfinite(number):
        raise ValueError
    if kind == "integer" and not float(number).is_integer():
        raise ValueError
    return number


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d %H:%M:%S")


def parse_date(value: Any) -> pd.Timestamp:
    """Read one date the way the loader does: a date object, 2026-03-31, 31/03/2026 or 31 March 2026.

    Raises ``ValueError`` when the value is not a date in one of those forms.
    """
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return pd.Timestamp(value).normalize()
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return pd.Timestamp(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise ValueError


_TRUE = {"yes", "y", "true", "1", "t"}
_FALSE = {"no", "n", "false", "0", "f"}


def _parse_boolean(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = str(value).strip().lower()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(int(value)) if float(value).is_integer() else text
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError


def _category_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _format_bound(column: Column, bound: float) -> str:
    if column.kind == "money":
        return f"£{bound:,.0f}" if float(bound).is_integer() else f"£{bound:,.2f}"
    return f"{bound:g}"


# --------------------------------------------------------------------------- the loaders


def _repeated_header_rows(frame: pd.DataFrame, place: str) -> tuple[list[str], list[int]]:
    """Name the rows that repeat the column headings (two files pasted one under the other)."""
    if frame.shape[1] < 2 or not len(frame):
        return [], []
    keys = [_normalise_header(c) for c in frame.columns]
    first = frame.iloc[:, 0]
    candidates = first.map(lambda v: isinstance(v, str) and len(v) < 200 and _normalise_header(v) == keys[0])
    problems, rows = [], []
    for row in frame.index[candidates.to_numpy(dtype=bool)]:
        cells = frame.loc[row].tolist()
        filled = [(k, v) for k, v in zip(keys, cells, strict=False) if not _is_blank(v)]
        if len(filled) >= 2 and all(isinstance(v, str) and _normalise_header(v) == k for k, v in filled):
            problems.append(
                f"{place}, row {row}: the row repeats the column headings. Delete it (two tables pasted one "
                "under the other?)."
            )
            rows.append(row)
    return problems, rows


def check_table(frame: pd.DataFrame, schema: TableSchema, *, filename: str, sheet: str | None = None) -> pd.DataFrame:
    """Check raw cells against a schema and return the clean, typed table.

    Parameters
    ----------
    frame : DataFrame
        Raw cells as read from the file (strings, or Excel's own types).
    schema : TableSchema
        What the table must hold.
    filename, sheet : str
        Where the table came from, for messages.

    Returns
    -------
    DataFrame
        The schema's columns, in order, typed (money and numbers as float,
        integers as Int64, dates as datetime64, booleans as bool, text as
        str), followed by any extra columns the file had.  The index holds the
        spreadsheet row numbers.

    Raises
    ------
    InputError
        Naming the file, sheet, row and column of the first problem found,
        followed by up to four more.
    """
    place = _place(filename, sheet)
    row_numbers = frame.attrs.get("row_numbers")
    frame = frame.copy()
    if frame.columns.duplicated().any():
        frame.columns = _header_names(list(frame.columns))
    rename: dict[Any, str] = {}
    position: dict[str, int] = {}
    known = {c.name: c for c in schema.columns}
    label_map = {_normalise_header(c.screen_label): c.name for c in schema.columns}
    alias_map = {_normalise_header(k): v for k, v in schema.aliases.items()}
    for i, col in enumerate(frame.columns):
        key = _normalise_header(col)
        target = key if key in known else label_map.get(key) or alias_map.get(key)
        if target is None:  # a column the schema does not use: keep it, under a name that does not clash
            target = key if key not in rename.values() and key not in known else str(col)
        elif target in rename.values():
            raise InputError(
                f"{place}: the column '{target}' appears twice (columns {_column_letter(position[target])} and "
                f"{_column_letter(i)}). "
                "Delete or rename one of them."
            )
        rename[col] = target
        position[target] = i
    frame = frame.rename(columns=rename)
    missing = [c.name for c in schema.columns if c.required and c.name not in frame.columns]
    if missing:
        found = ", ".join(f"'{c}'" for c in frame.columns) or "none"
        noun = "column" if len(missing) == 1 else "columns"
        names = ", ".join(f"'{m}'" for m in missing)
        raise InputError(
            f"{place}: the {noun} {names} {'is' if len(missing) == 1 else 'are'} missing. The columns found "
            f"were: {found}."
        )
    if len(frame) < schema.min_rows:
        raise InputError(
            f"{place} has no rows of data under its header."
            if len(frame) == 0
            else f"{place} needs at least {schema.min_rows} rows of data."
        )

    if isinstance(row_numbers, list) and len(row_numbers) == len(frame):
        frame.index = pd.Index(row_numbers, dtype="int64")  # the spreadsheet's own row numbers, blank rows counted
    else:
        frame.index = pd.RangeIndex(2, 2 + len(frame))  # spreadsheet row numbers
    problems, header_rows = _repeated_header_rows(frame, place)
    frame = frame.drop(index=header_rows)
    clean: dict[str, pd.Series] = {}
    for column in schema.columns:
        if column.name not in frame.columns:
            clean[column.name] = pd.Series([column.default] * len(frame), index=frame.index, dtype=object)
            continue
        values = []
        for row, raw in frame[column.name].items():
            where = f"{place}, row {row}, column '{column.name}'"
            if _is_blank(raw):
                if not column.allow_blank and column.required:
                    problems.append(f"{where}: the cell is empty; a value is needed.")
                values.append(column.default)
                continue
            try:
                if column.kind in ("money", "number", "integer"):
                    value: Any = _parse_number(raw, column.kind)
                elif column.kind == "date":
                    value = parse_date(raw)
                elif column.kind == "boolean":
                    value = _parse_boolean(raw)
                elif column.kind == "category":
                    lookup = {_category_key(a): a for a in column.allowed or ()}
                    key = _category_key(str(raw))
                    if key not in lookup:
                        choices = ", ".join(f"'{a}'" for a in column.allowed or ())
                        problems.append(f"{where}: '{_show(raw)}' is not one of the allowed values ({choices}).")
                        values.append(None)
                        continue
                    value = lookup[key]
                else:
                    value = _show(raw) if isinstance(raw, float) else str(raw).strip()
            except ValueError:
                problems.append(f"{where}: '{_show(raw)}' is not {_KIND_NOUN[column.kind]}.")
                values.append(None)
                continue
            if column.kind in ("money", "number", "integer"):
                if column.minimum is not None and value < column.minimum:
                    problems.append(
                        f"{where}: {_show(raw)} is below the lowest allowed value, "
                        f"{_format_bound(column, column.minimum)}."
                    )
                elif column.maximum is not None and value > column.maximum:
                    problems.append(
                        f"{where}: {_show(raw)} is above the highest allowed value, "
                        f"{_format_bound(column, column.maximum)}."
                    )
            values.append(value)
        series = pd.Series(values, index=frame.index, dtype=object)
        if column.unique:
            seen: dict[Any, int] = {}
            for row, value in series.items():
                if value is None:
                    continue
                if value in seen:
                    problems.append(
                        f"{place}, row {row}, column '{column.name}': '{_show(value)}' appears more than once "
                        f"(also in row {seen[value]}); each value must be unique."
                    )
                else:
                    seen[value] = row
        clean[column.name] = series

    if problems:
        shown = problems[:MAX_PROBLEMS_LISTED]
        more = len(problems) - len(shown)
        message = "\n".join(shown)
        if more:
            message += f"\n... and {more} more problem{'s' if more != 1 else ''} in {place}."
        raise InputError(message)

    out = pd.DataFrame(index=frame.index)
    for column in schema.columns:
        s = clean[column.name]
        if column.kind in ("money", "number"):
            s = pd.to_numeric(s, errors="coerce").astype("float64")
        elif column.kind == "integer":
            s = pd.to_numeric(s, errors="coerce").astype("Int64")
        elif column.kind == "date":
            s = pd.to_datetime(s, errors="coerce")
        elif column.kind == "boolean":
            s = s.astype("boolean") if s.isna().any() else s.astype(bool)
        else:
            s = s.where(s.notna(), None)
        out[column.name] = s
    for extra in frame.columns:
        if extra not in known:
            out[extra] = frame[extra]
    out.index.name = "row"
    return out


def load_table(
    source: str | Path | bytes,
    schema: TableSchema,
    *,
    filename: str | None = None,
    sheet: str | None = None,
    max_upload_mb: float | None = None,
    max_rows: int | None = None,
) -> pd.DataFrame:
    """Load one table from a CSV or .xlsx file (a path, or an upload's bytes).

    Parameters
    ----------
    source : str, Path or bytes
        The file's path, or its contents as uploaded.
    schema : TableSchema
        What the table must hold.
    filename : str, optional
        The file's name; needed when ``source`` is bytes.
    sheet : str, optional
        For Excel: the sheet to read; defaults to ``schema.name`` when the
        workbook has such a sheet, else the first sheet.
    max_upload_mb, max_rows : optional
        The upload bounds (see :func:`upload_limits`): a larger file is
        refused before it is read, a longer table as soon as its rows pass the limit.

    Returns
    -------
    DataFrame
        See :func:`check_table`.

    Raises
    ------
    InputError
        When the file is missing, unreadable or does not fit the schema.

    Examples
    --------
    >>> from sv_helpers.core.tables import Column, TableSchema, load_table
    >>> schema = TableSchema("bids", (Column("bidder"), Column("price", "money", minimum=0.01)))
    >>> load_table("bidder,price\\nAcme,\\"\\u00a3120,000\\"\\n".encode(), schema, filename="bids.csv")["price"].tolist()
    [120000.0]
    """
    frame, used_sheet = read_raw_table(
        source, filename=filename, sheet=sheet or schema.name, max_upload_mb=max_upload_mb, max_rows=max_rows
    )
    name = filename or Path(str(source)).name
    return check_table(frame, schema, filename=name, sheet=used_sheet)


def load_tables(
    source: str | Path | bytes,
    schemas: Mapping[str, TableSchema],
    *,
    filename: str | None = None,
    optional: tuple[str, ...] = (),
    max_upload_mb: float | None = None,
    max_rows: int | None = None,
) -> dict[str, pd.DataFrame]:
    """Load several tables: the sheets of one .xlsx workbook, or a folder of CSV files.

    Parameters
    ----------
    source : str, Path or bytes
        An .xlsx workbook (path or uploaded bytes), or a folder holding one
        ``<name>.csv`` per table.
    schemas : mapping of str to TableSchema
        The tables to read, keyed by sheet name / CSV file stem.
    filename : str, optional
        The workbook's name when ``source`` is bytes.
    optional : tuple of str
        Tables that may be absent; they are left out of the result.
    max_upload_mb, max_rows : optional
        The upload bounds for each file and each table (see :func:`upload_limits`).

    Returns
    -------
    dict of str to DataFrame

    Raises
    ------
    InputError
        When a required sheet or file is missing, or any table does not fit.
    """
    if not isinstance(source, (bytes, bytearray, memoryview)) and Path(source).is_dir():
        folder = Path(source)
        tables: dict[str, pd.DataFrame] = {}
        for name, schema in schemas.items():
            path = folder / f"{name}.csv"
            if not path.exists():
                if name in optional:
                    continue
                raise InputError(
                    f"The folder {folder.name} has no file called {name}.csv; the tables needed are: "
                    f"{', '.join(n + '.csv' for n in schemas)}."
                )
            tables[name] = load_table(path, schema, max_upload_mb=max_upload_mb, max_rows=max_rows)
        return tables

    limits = upload_limits(max_upload_mb, max_rows)
    data, name = _source_bytes(source, filename, limits)
    if _suffix(name) not in (".xlsx", ".xlsm"):
        if _suffix(name) == ".csv":
            raise InputError(
                f"{name} is a single CSV file, but this needs a workbook with the sheets {', '.join(schemas)} "
                "(or a folder of CSV files with those names)."
            )
        read_raw_table(
            data, filename=name, max_upload_mb=limits.max_upload_mb, max_rows=limits.max_rows
        )  # raises the plain-English reason
        raise InputError(f"{name} cannot be read: only .xlsx workbooks or folders of CSV files are accepted.")
    book = _open_workbook(data, name)
    try:
        lookup = {s.strip().lower(): s for s in book.sheetnames}
        tables = {}
        for table, schema in schemas.items():
            sheet = lookup.get(table.lower())
            if sheet is None:
                if table in optional:
                    continue
                raise InputError(
                    f"{name} has no sheet called '{table}'. The sheets needed are: {', '.join(schemas)}; this "
                    f"workbook has: {', '.join(book.sheetnames)}."
                )
            frame = _sheet_frame(book, sheet, filename=name, data=data, limits=limits)
            tables[table] = check_table(frame, schema, filename=name, sheet=sheet)
    finally:
        book.close()
    return tables


def write_template(path: str | Path, schemas: Mapping[str, TableSchema]) -> Path:
    """Write a blank .xlsx template with one sheet per schema and a 'guidance' sheet."""
    path = Path(path)
    guidance = pd.DataFrame(
        [
            {
                "sheet": name,
                "column": c.name,
                "required": "yes" if c.required and not c.allow_blank else "no",
                "kind": c.kind,
                "allowed values": ", ".join(c.allowed) if c.allowed else "",
                "description": c.description,
            }
            for name, schema in schemas.items()
            for c in schema.columns
        ]
    )
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, schema in schemas.items():
            schema.template().to_excel(writer, sheet_name=name, index=False)
        guidance.to_excel(writer, sheet_name="guidance", index=False)
    return path


# --------------------------------------------------------------------------- JSON files

_JSON_KINDS: dict[str, tuple[str, Any]] = {
    "number": ("a number", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)),
    "integer": (
        "a whole number",
        lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    ),
    "text": ("text", lambda v: isinstance(v, str)),
    "boolean": ("true or false", lambda v: isinstance(v, bool)),
    "list": ("a list", lambda v: isinstance(v, list)),
    "object": ("a set of named values", lambda v: isinstance(v, dict)),
}


def _json_depth(value: Any) -> int:
    """Return how deeply lists and objects nest in a parsed JSON value (a number is 0), without recursion."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
            deepest = max(deepest, depth + 1)
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
            deepest = max(deepest, depth + 1)
    return deepest


def _refuse_constant(name: str) -> Any:
    def refuse(constant: str) -> Any:
        raise InputError(
            f"{name} holds the value {constant}, which is not a number. Write the number, or null where there is none."
        )

    return refuse


def read_json(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    fields: Mapping[str, str] | None = None,
    required: tuple[str, ...] = (),
    max_upload_mb: float | None = None,
    max_depth: int = MAX_JSON_DEPTH,
) -> dict[str, Any]:
    """Read a JSON file of named values (such as ``summary.json``) safely, or say plainly what is wrong.

    Parameters
    ----------
    source : str, Path or bytes
        The file's path, or its contents as uploaded.
    filename : str, optional
        The file's name; needed when ``source`` is bytes.
    fields : mapping of str to str, optional
        The kind each named value must have when present: ``number``,
        ``integer``, ``text``, ``boolean``, ``list`` or ``object``.  ``null``
        is accepted for any of them.
    required : tuple of str
        Names that must be present.
    max_upload_mb : float, optional
        The size limit (see :func:`upload_limits`).
    max_depth : int
        The deepest nesting of lists and objects accepted.

    Returns
    -------
    dict
        The file's named values.

    Raises
    ------
    InputError
        Naming the file and, where it helps, the line and column of a syntax
        error or the name of a value of the wrong kind.  ``NaN`` and
        ``Infinity`` are refused: they are not numbers JSON allows.
    """
    limits = upload_limits(max_upload_mb)
    data, name = _source_bytes(source, filename, limits)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name} could not be read: it is not a UTF-8 text (JSON) file.") from None
    if not text.strip():
        raise InputError(f"{name} is empty: a JSON file of named values was expected.")
    try:
        value = json.loads(text, parse_constant=_refuse_constant(name))
    except json.JSONDecodeError as err:
        raise InputError(
            f"{name}, line {err.lineno}, column {err.colno}: this is not valid JSON ({err.msg.lower()})."
        ) from None
    except RecursionError:
        raise InputError(
            f"{name} nests lists or objects more deeply than the {max_depth} levels accepted; it is refused."
        ) from None
    depth = _json_depth(value)
    if depth > max_depth:
        raise InputError(
            f"{name} nests lists or objects {depth} levels deep, more than the {max_depth} accepted; it is refused."
        )
    if not isinstance(value, dict):
        raise InputError(
            f"{name} should hold named values (a JSON object, {{...}}), but it holds "
            f"{_JSON_KINDS['list'][0] if isinstance(value, list) else 'a single value'}."
        )
    missing = [k for k in required if k not in value]
    if missing:
        raise InputError(
            f"{name} lacks the value{'s' if len(missing) > 1 else ''} {', '.join(repr(k) for k in missing)}."
        )
    problems = []
    for key, kind in (fields or {}).items():
        if key not in value or value[key] is None:
            continue
        noun, fits = _JSON_KINDS[kind]
        if not fits(value[key]):
            problems.append(
                f"{name}, value '{key}': {_show(json.dumps(value[key], ensure_ascii=False))} is not {noun}."
            )
    if problems:
        raise InputError(
            "\n".join(problems[:MAX_PROBLEMS_LISTED])
            + (
                f"\n... and {len(problems) - MAX_PROBLEMS_LISTED} more problems in {name}."
                if len(problems) > MAX_PROBLEMS_LISTED
                else ""
            )
        )
    return value
