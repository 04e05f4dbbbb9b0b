"""The hostile-input corpus for the shared helpers (issue 12): exports, loaders, uploads, charts,
provenance and paths.

Each case is one hostile or malformed input and the outcome a user relies on:
either the correct result (nothing the user entered lost), or a plain-English
message that names the file, row and column (or the setting), never the
"something went wrong inside the workbook" notice of a program fault.

Hostile names are in ``tests/hostile/formula_names.json`` (fictional).
"""

from __future__ import annotations

import csv
import decimal
import hashlib
import io
import json
import logging
import math
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import openpyxl
import pandas as pd
import pytest

from sv_helpers.apps import widgets as ui
from sv_helpers.core import exports, tables
from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import REPO_ROOT, resolve_path
from sv_helpers.core.provenance import provenance_record, provenance_table, write_provenance
from sv_helpers.grants import threesixtygiving
from sv_helpers.reports import charts

HERE = Path(__file__).parent
FORMULA_NAMES = json.loads((HERE / "hostile" / "formula_names.json").read_text(encoding="utf-8"))["names"]
NAME_IDS = [n["id"] for n in FORMULA_NAMES]

BIDS = tables.TableSchema(
    "bids",
    (
        tables.Column("bidder", unique=True),
        tables.Column("price", "money", minimum=0),
        tables.Column("notes", required=False, allow_blank=True, default=""),
    ),
)


# --------------------------------------------------------------------------- helpers


def strict_json(text: str) -> Any:
    """Parse JSON refusing NaN and Infinity, as a strict reader (a browser, jq) would."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def formula_cells(data: bytes) -> list[str]:
    """Return the cells of an .xlsx file stored as formulas (``data_type == 'f'``)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [
        f"{ws.title}!{c.coordinate}"
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]


def xlsx_values(data: bytes, sheet: str | None = None) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book[sheet] if sheet else book.worksheets[0]
    return [[c.value for c in row] for row in ws.iter_rows()]


def as_in_xml(text: str) -> str:
    """Text as an .xlsx file gives it back: XML reads a carriage return as a line feed."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def workbook(rows: list[list[Any]], title: str = "bids") -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def patched_sheet(data: bytes, old: str, new: str) -> bytes:
    """Return an .xlsx file with one piece of its first sheet's XML replaced (to craft what Excel writes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = content.decode("utf-8")
                assert old in text, text
                content = text.replace(old, new).encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def outcome(fn: Callable[[], Any]) -> tuple[str, Any]:
    """Run what an app's handler would run: ("ok", result) or ("refused", the banner's message).

    A program fault (any exception other than InputError) is what the user
    would see as "Something went wrong inside the workbook": the case fails.
    """
    banner = ui.ErrorBanner()
    result = ui.run_guarded(banner, fn)
    if banner.message == ui.UNEXPECTED_MESSAGE:
        return "fault", None
    if banner.message:
        return "refused", banner.message
    return "ok", result


# --------------------------------------------------------------------------- 1. formula injection in exports


def hostile_table(text: str) -> pd.DataFrame:
    return pd.DataFrame({"bidder": [text, "Acme Ltd"], "total_score": [-12.5, 80.0], "rank": [2, 1]})


@pytest.mark.parametrize("name", FORMULA_NAMES, ids=NAME_IDS)
def test_excel_export_stores_a_hostile_name_as_text(name):
    data = exports.excel_bytes(
        {"ranking": hostile_table(name["text"])}, provenance_record({"scenario": name["text"]}, {})
    )
    assert formula_cells(data) == []
    rows = xlsx_values(data, "ranking")
    assert rows[1][0] == as_in_xml(name["text"])  # kept, as text
    assert rows[1][1] == -12.5 and rows[2][1] == 80  # numbers stay numbers


@pytest.mark.parametrize("name", FORMULA_NAMES, ids=NAME_IDS)
def test_csv_export_puts_an_apostrophe_before_a_hostile_name(name):
    rows = csv_rows(exports.csv_bytes(hostile_table(name["text"])))
    assert rows[1][0] == "'" + name["text"]
    assert rows[1][1] == "-12.5" and rows[2][0] == "Acme Ltd"  # a negative number is not text


@pytest.mark.parametrize("name", FORMULA_NAMES, ids=NAME_IDS)
def test_written_outputs_hold_no_live_formula(name, tmp_path):
    record = provenance_record({"scenario": name["text"]}, {})
    exports.write_outputs(tmp_path, {"ranking": hostile_table(name["text"])}, record, excel_name="results.xlsx")
    rows = csv_rows((tmp_path / "ranking.csv").read_bytes())
    assert rows[1][0] == "'" + name["text"] and rows[1][1] == "-12.5"
    data = (tmp_path / "results.xlsx").read_bytes()
    assert formula_cells(data) == [] and xlsx_values(data, "ranking")[1][0] == as_in_xml(name["text"])
    assert strict_json((tmp_path / "provenance.json").read_text())["parameters"]["scenario"] == name["text"]


def test_a_carriage_return_in_a_name_cannot_start_a_new_csv_row():
    rows = csv_rows(exports.csv_bytes(pd.DataFrame({"bidder": ["Acme\r=1+1", "Beta\n@x"], "price": [1.0, 2.0]})))
    assert rows[1:] == [["Acme\r=1+1", "1.0"], ["Beta\n@x", "2.0"]]


def test_numbers_and_number_like_text_are_left_alone_in_csv():
    table = pd.DataFrame({"label": ["-5", "+44", "Acme"], "change": [-5.0, 3.0, -0.5], "count": [-1, 2, 3]})
    rows = csv_rows(exports.csv_bytes(table))
    assert rows[1:] == [["-5", "-5.0", "-1"], ["+44", "3.0", "2"], ["Acme", "-0.5", "3"]]


def test_a_hostile_column_heading_is_neither_a_formula_nor_live_in_csv():
    table = pd.DataFrame({'=HYPERLINK("http://e.vil")': ["x"], "price": [1.0]})
    assert formula_cells(exports.excel_bytes({"t": table})) == []
    assert csv_rows(exports.csv_bytes(table))[0][0] == '\'=HYPERLINK("http://e.vil")'


def test_control_characters_in_a_name_do_not_stop_the_excel_export():
    table = pd.DataFrame({"bidder": ["Acme\x00Ltd", "Beta\x1b[31mRed", "Tab\there"], "price": [1.0, 2.0, 3.0]})
    rows = xlsx_values(exports.excel_bytes({"bids": table}))
    assert rows[1][0] == "Acme\ufffdLtd" and rows[2][0] == "Beta\ufffd[31mRed" and rows[3][0] == "Tab\there"


def test_hostile_and_clashing_sheet_names_still_give_a_workbook():
    data = exports.excel_bytes(
        {"a/b:c?": pd.DataFrame({"x": [1]}), "x" * 40: pd.DataFrame({"x": [2]}), "x" * 41: pd.DataFrame({"x": [3]})}
    )
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert len(names) == 3 and len(set(names)) == 3 and all(len(n) <= 31 for n in names)


def _allocation(names: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "application_id": [f"A{i}" for i in range(len(names))],
            "organisation": names,
            "project": [f"{n} project" for n in names],
            "theme": ["Health"] * len(names),
            "ward": ["Sevenoaks Town and St John's"] * len(names),
            "amount_requested": [1000.0] * len(names),
            "awarded": [1000.0] * len(names),
        }
    )


def test_360giving_spreadsheet_holds_no_live_formula_and_the_json_keeps_the_text():
    names = [n["text"] for n in FORMULA_NAMES]
    package = threesixtygiving.grants_package(_allocation(names), award_date="2026-04-01")
    assert [g["recipientOrganization"][0]["name"] for g in package["grants"]] == names  # JSON: text as it is
    data = exports.excel_bytes({"grants": threesixtygiving.grants_spreadsheet(package)}, provenance_record({}, {}))
    assert formula_cells(data) == []
    sheet = xlsx_values(data, "grants")
    column = sheet[0].index("Recipient Org:Name")
    assert [row[column] for row in sheet[1:]] == [as_in_xml(n) for n in names]


def test_markdown_text_shows_markup_as_written():
    assert exports.markdown_text("<script>alert(1)</script>") == "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"
    assert (
        exports.markdown_text("**Winner** [click](http://e.vil)")
        == "\\*\\*Winner\\*\\* \\[click\\]\\(http://e\\.vil\\)"
    )
    assert exports.markdown_text("Acme\n# Heading\n- item") == "Acme \\# Heading \\- item"


# --------------------------------------------------------------------------- 2 and 3. loaders and upload bounds


@dataclass(frozen=True)
class Load:
    """One file given to the loader and what the user must see."""

    id: str
    filename: str
    data: Callable[[], bytes]
    refused: tuple[str, ...] = ()  # parts the message must contain; empty means it loads
    check: Callable[[pd.DataFrame], bool] | None = None
    kwargs: tuple[tuple[str, Any], ...] = ()


def csv_of(text: str, encoding: str = "utf-8") -> Callable[[], bytes]:
    return lambda: text.encode(encoding)


def many_rows(n: int) -> Callable[[], bytes]:
    return lambda: b"bidder,price\n" + b"".join(b"Bidder %d,%d\n" % (i, i) for i in range(n))


def names_are(*names: str) -> Callable[[pd.DataFrame], bool]:
    return lambda t: t["bidder"].tolist() == list(names)


NA_WORDS = ["NA", "None", "N/A", "null", "NaN", "nan", "#N/A", "<NA>", "n/a", "NULL"]


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * (80 * 1024 * 1024))
    return out.getvalue()


def _not_a_workbook_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


def _cached_formula() -> bytes:
    data = workbook([["bidder", "price"], ["Acme", 7]])
    return patched_sheet(data, '<c r="B2" t="n"><v>7</v></c>', '<c r="B2"><f>3+4</f><v>7</v></c>')


LOADS: list[Load] = [
    # line endings and layout
    Load(
        "cr-only-line-endings", "bids.csv", csv_of("bidder,price\rAcme,10\rBeta,20\r"), check=names_are("Acme", "Beta")
    ),
    Load(
        "crlf-line-endings",
        "bids.csv",
        csv_of("bidder,price\r\nAcme,10\r\nBeta,20\r\n"),
        check=names_are("Acme", "Beta"),
    ),
    Load(
        "mixed-line-endings",
        "bids.csv",
        csv_of("bidder,price\r\nAcme,10\nBeta,20\rGamma,30"),
        check=names_are("Acme", "Beta", "Gamma"),
    ),
    Load("only-commas", "bids.csv", csv_of(",,,\n,,,\n,,,\n"), refused=("bids.csv", "no header row")),
    Load("only-blank-lines", "bids.csv", csv_of("  \n\t\n\n"), refused=("bids.csv", "empty")),
    Load("empty-file", "bids.csv", csv_of(""), refused=("bids.csv is empty",)),
    Load("header-only", "bids.csv", csv_of("bidder,price\n"), refused=("bids.csv has no rows of data",)),
    Load(
        "duplicate-header",
        "bids.csv",
        csv_of("bidder,price,bidder\nAcme,1,Beta\n"),
        refused=("bids.csv", "'bidder' appears twice", "columns A and C"),
    ),
    Load(
        "duplicate-header-by-label",
        "bids.csv",
        csv_of("bidder,price,Price (£)\nAcme,1,2\n"),
        refused=("'price' appears twice", "columns B and C"),
    ),
    Load(
        "duplicate-extra-header",
        "bids.csv",
        csv_of("bidder,price,comment,comment\nAcme,1,x,y\n"),
        check=lambda t: t["comment"].tolist() == ["x"] and t.iloc[0, -1] == "y",
    ),
    Load(
        "blank-middle-header-with-data",
        "bids.csv",
        csv_of("bidder,,price,\nAcme,x,1\n"),
        check=lambda t: t["column_b"].tolist() == ["x"],
    ),
    Load(
        "data-beyond-the-last-header",
        "bids.csv",
        csv_of("bidder,price,,\nAcme,1,x,y\n"),
        refused=("bids.csv, row 2", "more cells than the header"),
    ),
    Load(
        "many-blank-headers",
        "bids.csv",
        csv_of("bidder,,,price\nAcme,,,1\n"),
        check=lambda t: t["price"].tolist() == [1.0],
    ),
    Load(
        "repeated-header-row",
        "bids.csv",
        csv_of("bidder,price\nAcme,1\nbidder,price\nBeta,2\n"),
        refused=("bids.csv, row 3", "repeats the column headings"),
    ),
    Load(
        "ragged-row",
        "bids.csv",
        csv_of("bidder,price\nAcme,1,000,extra\n"),
        refused=("bids.csv, row 2", "more cells than the header"),
    ),
    Load(
        "blank-lines-counted-in-row-numbers",
        "bids.csv",
        csv_of("bidder,price\n\nAcme,1\n\nBeta,x\n"),
        refused=("bids.csv, row 5, column 'price'",),
    ),
    Load(
        "too-many-columns",
        "bids.csv",
        lambda: (",".join(f"c{i}" for i in range(20_000)) + "\n1\n").encode(),
        refused=("bids.csv, row 1", "16,384"),
    ),
    # cells
    Load(
        "cell-over-128kb",
        "bids.csv",
        lambda: b"bidder,price\n" + b"A" * 200_000 + b",1\n",
        refused=("bids.csv, row 2, column 'bidder'", "131,072"),
    ),
    Load(
        "header-cell-over-128kb",
        "bids.csv",
        lambda: b"bidder," + b"p" * 140_000 + b"\nAcme,1\n",
        refused=("bids.csv, row 1", "131,072"),
    ),
    Load("one-endless-line", "bids.csv", lambda: b"x" * 3_000_000, refused=("bids.csv, row 1", "131,072")),
    Load(
        "unbalanced-quote-in-first-column",
        "bids.csv",
        csv_of('bidder,price\nAcme,1\n"Beta,2\nGamma,3\n'),
        refused=("bids.csv, row 3, column 'bidder'", "never closed"),
    ),
    Load(
        "unbalanced-quote-in-last-column",
        "bids.csv",
        csv_of('bidder,price\nAcme,"1\nBeta,2\n'),
        refused=("bids.csv, row 2, column 'price'", "never closed"),
    ),
    Load(
        "quote-inside-a-name",
        "bids.csv",
        csv_of('bidder,price\nAcme "The Best" Ltd,1\n'),
        check=names_are('Acme "The Best" Ltd'),
    ),
    Load(
        "quoted-name-with-line-break",
        "bids.csv",
        csv_of('bidder,price\n"Acme\nLtd",1\nBeta,2\n'),
        check=names_are("Acme\nLtd", "Beta"),
    ),
    Load(
        "html-in-a-name",
        "bids.csv",
        csv_of("bidder,price\n<img src=x onerror=alert(1)>,1\n"),
        check=names_are("<img src=x onerror=alert(1)>"),
    ),
    Load(
        "formula-in-a-name-kept-as-text",
        "bids.csv",
        csv_of('bidder,price\n"=HYPERLINK(""http://e.vil"")",1\n'),
        check=names_are('=HYPERLINK("http://e.vil")'),
    ),
    Load(
        "nul-inside-a-name",
        "bids.csv",
        lambda: b"bidder,price\n" + b"x" * 5000 + b",1\nAc\x00me,2\n",
        check=lambda t: t["bidder"].iloc[1] == "Ac\x00me",
    ),
    Load(
        "right-to-left-override-name",
        "bids.csv",
        csv_of("bidder,price\nAcme\u202egnp.exe,1\n"),
        check=names_are("Acme\u202egnp.exe"),
    ),
    # numbers
    Load(
        "formula-in-a-money-cell",
        "bids.csv",
        csv_of("bidder,price\nAcme,=1+1\n"),
        refused=("bids.csv, row 2, column 'price'", "'=1+1' is not an amount of money"),
    ),
    Load(
        "nan-in-a-money-cell",
        "bids.csv",
        csv_of("bidder,price\nAcme,NaN\n"),
        refused=("row 2, column 'price'", "'NaN' is not an amount of money"),
    ),
    Load(
        "inf-in-a-money-cell",
        "bids.csv",
        csv_of("bidder,price\nAcme,inf\n"),
        refused=("row 2, column 'price'", "'inf' is not"),
    ),
    Load(
        "infinity-in-a-money-cell",
        "bids.csv",
        csv_of("bidder,price\nAcme,-Infinity\n"),
        refused=("row 2, column 'price'", "is not"),
    ),
    Load(
        "overflowing-number",
        "bids.csv",
        csv_of("bidder,price\nAcme,1" + "0" * 400 + "\n"),
        refused=("row 2, column 'price'",),
    ),
    Load(
        "negative-money",
        "bids.csv",
        csv_of("bidder,price\nAcme,-5\n"),
        refused=("row 2, column 'price'", "below the lowest allowed value"),
    ),
    # encodings
    Load("utf8-byte-order-mark", "bids.csv", lambda: "\ufeffbidder,price\nAcme,1\n".encode(), check=names_are("Acme")),
    Load(
        "windows-1252-pound",
        "bids.csv",
        csv_of('bidder,price\nAcme,"£1,200"\n', "cp1252"),
        check=lambda t: t["price"].tolist() == [1200.0],
    ),
    Load(
        "byte-undefined-in-windows-1252",
        "bids.csv",
        lambda: b"bidder,price\nAc\x81me,1\n",
        check=lambda t: t["bidder"].iloc[0] == "Ac\x81me",
    ),
    Load(
        "utf16-file",
        "bids.csv",
        csv_of("bidder,price\nAcme,1\n", "utf-16"),
        refused=("bids.csv", "not a text (CSV) file"),
    ),
    Load("binary-as-csv", "bids.csv", lambda: bytes(range(256)) * 10, refused=("bids.csv", "not a text (CSV) file")),
    Load(
        "workbook-named-csv",
        "bids.csv",
        lambda: workbook([["bidder", "price"], ["Acme", 1]]),
        refused=("bids.csv", "not a text (CSV) file"),
    ),
    Load("pdf-file", "bids.pdf", lambda: b"%PDF-1.7", refused=("bids.pdf", "only .csv and .xlsx")),
    Load("old-excel-file", "bids.xls", lambda: b"\xd0\xcf\x11\xe0", refused=("bids.xls", "old-style Excel file")),
    # bounds
    Load("100001-rows", "bids.csv", many_rows(100_001), refused=("bids.csv", "more than 100,000 rows", "SV_MAX_ROWS")),
    Load("1000000-rows", "bids.csv", many_rows(1_000_000), refused=("bids.csv", "more than 100,000 rows")),
    Load("100000-rows-load", "bids.csv", many_rows(100_000), check=lambda t: len(t) == 100_000),
    Load(
        "rows-over-an-argument-limit",
        "bids.csv",
        many_rows(3),
        refused=("bids.csv", "more than 2 rows"),
        kwargs=(("max_rows", 2),),
    ),
    Load(
        "bytes-over-an-argument-limit",
        "bids.csv",
        many_rows(200),
        refused=("bids.csv is", "larger than the 1 KB", "SV_MAX_UPLOAD_MB"),
        kwargs=(("max_upload_mb", 1 / 1024),),
    ),
    # Excel workbooks
    Load(
        "excel-formula-without-result",
        "bids.xlsx",
        lambda: workbook([["bidder", "price"], ["Acme", "=1/0"]]),
        refused=("bids.xlsx, sheet 'bids', row 2, column 'price'", "formula =1/0", "no result was saved"),
    ),
    Load("excel-formula-with-result", "bids.xlsx", _cached_formula, check=lambda t: t["price"].tolist() == [7.0]),
    Load(
        "excel-div0",
        "bids.xlsx",
        lambda: workbook([["bidder", "price"], ["Acme", "#DIV/0!"]]),
        refused=("bids.xlsx, sheet 'bids', row 2, column 'price'", "#DIV/0!"),
    ),
    Load(
        "excel-ref-error-in-name",
        "bids.xlsx",
        lambda: workbook([["bidder", "price"], ["#REF!", 1]]),
        refused=("row 2, column 'bidder'", "#REF!"),
    ),
    Load(
        "excel-value-error",
        "bids.xlsx",
        lambda: workbook([["bidder", "price"], ["Acme", 1], ["Beta", "#VALUE!"]]),
        refused=("row 3, column 'price'", "#VALUE!"),
    ),
    Load(
        "excel-duplicate-header",
        "bids.xlsx",
        lambda: workbook([["bidder", "price", "bidder"], ["Acme", 1, "Beta"]]),
        refused=("bids.xlsx, sheet 'bids'", "'bidder' appears twice", "columns A and C"),
    ),
    Load(
        "excel-repeated-header-row",
        "bids.xlsx",
        lambda: workbook([["bidder", "price"], ["Acme", 1], ["Bidder", "Price"]]),
        refused=("sheet 'bids', row 3", "repeats the column headings"),
    ),
    Load(
        "excel-blank-rows-counted",
        "bids.xlsx",
        lambda: workbook([["bidder", "price"], [], ["Acme", 1], [None, None], ["Beta", "x"]]),
        refused=("sheet 'bids', row 5, column 'price'",),
    ),
    Load(
        "excel-header-below-blank-rows",
        "bids.xlsx",
        lambda: workbook([[], [None], ["bidder", "price"], ["Acme", 1]]),
        check=lambda t: t.index.tolist() == [4],
    ),
    Load("excel-empty-workbook", "bids.xlsx", lambda: workbook([]), refused=("bids.xlsx, sheet 'bids'", "missing")),
    Load(
        "excel-header-only",
        "bids.xlsx",
        lambda: workbook([["bidder", "price"]]),
        refused=("bids.xlsx, sheet 'bids' has no rows of data",),
    ),
    Load(
        "excel-not-a-zip",
        "bids.xlsx",
        lambda: b"this is not a workbook",
        refused=("bids.xlsx could not be read as an Excel workbook",),
    ),
    Load(
        "excel-zip-but-not-a-workbook",
        "bids.xlsx",
        _not_a_workbook_zip,
        refused=("bids.xlsx could not be read as an Excel workbook",),
    ),
    Load("excel-zip-bomb", "bids.xlsx", _zip_bomb, refused=("bids.xlsx unpacks to", "refused")),
    Load(
        "excel-rows-over-the-limit",
        "bids.xlsx",
        lambda: workbook([["bidder", "price"]] + [[f"B{i}", i] for i in range(6)]),
        refused=("sheet 'bids'", "more than 5 rows"),
        kwargs=(("max_rows", 5),),
    ),
    Load(
        "excel-truncated-file",
        "bids.xlsx",
        lambda: workbook([["bidder", "price"], ["Acme", 1]])[:-200],
        refused=("bids.xlsx could not be read as an Excel workbook",),
    ),
]
LOADS += [
    Load(f"csv-name-{w}", "bids.csv", csv_of(f"bidder,price\n{w},1\nAcme,2\n"), check=names_are(w, "Acme"))
    for w in NA_WORDS
]
LOADS += [
    Load(
        f"excel-name-{w}",
        "bids.xlsx",
        (lambda w=w: workbook([["bidder", "price"], [w, 1], ["Acme", 2]])),
        check=names_are(w, "Acme"),
    )
    for w in NA_WORDS
    if w != "#N/A"
]
LOADS += [
    Load(
        "excel-text-#N/A",
        "bids.xlsx",
        lambda: workbook([["bidder", "price"], ["Acme", "#N/A"]]),
        refused=("row 2, column 'price'", "#N/A"),
    )
]


@pytest.mark.parametrize("case", LOADS, ids=[c.id for c in LOADS])
def test_loader(case: Load):
    data = case.data()
    kind, value = outcome(lambda: tables.load_table(data, BIDS, filename=case.filename, **dict(case.kwargs)))
    assert kind != "fault", "the user would see 'Something went wrong inside the workbook'"
    if case.refused:
        assert kind == "refused", f"expected a refusal, got {value!r}"
        for part in case.refused:
            assert part in value
    else:
        assert kind == "ok", value
        assert case.check is None or case.check(value)


def test_row_limit_from_the_environment(monkeypatch):
    monkeypatch.setenv("SV_MAX_ROWS", "2")
    with pytest.raises(InputError, match="more than 2 rows"):
        tables.load_table(many_rows(3)(), BIDS, filename="bids.csv")


def test_size_limit_from_the_environment(monkeypatch):
    monkeypatch.setenv("SV_MAX_UPLOAD_MB", "0.001")
    with pytest.raises(InputError, match=r"bids.csv is .* larger than the 1 KB a file may be"):
        tables.load_table(many_rows(200)(), BIDS, filename="bids.csv")


def test_a_nonsense_limit_in_the_environment_is_ignored(monkeypatch):
    monkeypatch.setenv("SV_MAX_ROWS", "lots")
    monkeypatch.setenv("SV_MAX_UPLOAD_MB", "-1")
    assert len(tables.load_table(many_rows(3)(), BIDS, filename="bids.csv")) == 3


def test_a_file_on_disk_over_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_bytes(many_rows(2000)())
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    with pytest.raises(InputError, match="big.csv is .* larger than the 1 KB"):
        tables.load_table(path, BIDS, max_upload_mb=1 / 1024)


def test_a_workbook_of_sheets_keeps_na_names_and_names_the_sheet_of_a_fault():
    book = openpyxl.Workbook()
    book.active.title = "bids"
    for row in [["bidder", "price"], ["None", 1], ["NA", 2]]:
        book.active.append(row)
    other = book.create_sheet("settings")
    for row in [["key", "value"], ["max_score", "#DIV/0!"]]:
        other.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    schemas = {
        "bids": BIDS,
        "settings": tables.TableSchema("settings", (tables.Column("key"), tables.Column("value", "number"))),
    }
    with pytest.raises(
        InputError, match=r"t.xlsx, sheet 'settings', row 2, column 'value': the cell shows Excel's error #DIV/0!"
    ):
        tables.load_tables(buffer.getvalue(), schemas, filename="t.xlsx")
    assert tables.load_tables(buffer.getvalue(), {"bids": BIDS}, filename="t.xlsx")["bids"]["bidder"].tolist() == [
        "None",
        "NA",
    ]


class FakeUpload:
    def __init__(self, name: str, content: bytes, size: int | None = None) -> None:
        self.value = ({"name": name, "content": memoryview(content), "size": len(content) if size is None else size},)


def test_an_upload_over_the_limit_is_refused_naming_file_and_limit():
    with pytest.raises(InputError, match=r"huge.csv is 2.0 MB, larger than the 1 MB a file may be"):
        ui.uploaded_file(FakeUpload("huge.csv", b"x" * (2 * 1024 * 1024)), max_upload_mb=1)
    assert ui.uploaded_file(FakeUpload("ok.csv", b"a,b\n")) == ("ok.csv", b"a,b\n")


# --------------------------------------------------------------------------- JSON files (summary.json)


@dataclass(frozen=True)
class Json:
    id: str
    data: bytes
    refused: tuple[str, ...] = ()


SUMMARY_FIELDS = {"last_actual_year": "integer", "last_actual_kt": "number", "series": "text"}

JSONS = [
    Json("good", b'{"last_actual_year": 2022, "last_actual_kt": 512.5, "series": "mySociety"}'),
    Json("good-with-bom", '\ufeff{"last_actual_year": 2022, "last_actual_kt": 512}'.encode()),
    Json(
        "syntax-error",
        b'{"last_actual_year": 2022,\n "last_actual_kt": }',
        ("summary.json, line 2, column", "not valid JSON"),
    ),
    Json("truncated", b'{"last_actual_year": 20', ("summary.json, line 1",)),
    Json("absurd-nesting", b"[" * 200_000 + b"]" * 200_000, ("summary.json", "nests")),
    Json("deep-nesting", b'{"a":' * 40 + b"1" + b"}" * 40, ("summary.json", "40 levels deep")),
    Json("nan-constant", b'{"last_actual_year": 2022, "last_actual_kt": NaN}', ("summary.json", "NaN", "not a number")),
    Json("infinity-constant", b'{"last_actual_year": 2022, "last_actual_kt": Infinity}', ("Infinity",)),
    Json("minus-infinity-constant", b'{"last_actual_year": 2022, "last_actual_kt": -Infinity}', ("-Infinity",)),
    Json(
        "text-for-a-year",
        b'{"last_actual_year": "twenty", "last_actual_kt": 1}',
        ("summary.json, value 'last_actual_year'", "not a whole number"),
    ),
    Json(
        "fraction-for-a-year",
        b'{"last_actual_year": 2022.5, "last_actual_kt": 1}',
        ("'last_actual_year'", "whole number"),
    ),
    Json(
        "boolean-for-a-number",
        b'{"last_actual_year": 2022, "last_actual_kt": true}',
        ("'last_actual_kt'", "not a number"),
    ),
    Json(
        "object-for-text",
        b'{"last_actual_year": 2022, "last_actual_kt": 1, "series": {"a": 1}}',
        ("'series'", "not text"),
    ),
    Json("list-at-the-top", b"[1, 2, 3]", ("summary.json should hold named values",)),
    Json("number-at-the-top", b"42", ("summary.json should hold named values", "a single value")),
    Json("missing-a-value", b'{"last_actual_year": 2022}', ("summary.json lacks", "last_actual_kt")),
    Json("empty-file", b"", ("summary.json is empty",)),
    Json("not-utf8", b'{"series": "\xff\xfe"}', ("summary.json", "not a UTF-8")),
]


@pytest.mark.parametrize("case", JSONS, ids=[c.id for c in JSONS])
def test_json_reader(case: Json):
    kind, value = outcome(
        lambda: tables.read_json(
            case.data, filename="summary.json", fields=SUMMARY_FIELDS, required=("last_actual_year", "last_actual_kt")
        )
    )
    assert kind != "fault"
    if case.refused:
        assert kind == "refused"
        for part in case.refused:
            assert part in value
    else:
        assert kind == "ok" and value["last_actual_year"] == 2022


def test_a_json_file_over_the_size_limit_is_refused():
    with pytest.raises(InputError, match="summary.json is .* larger than the 1 KB"):
        tables.read_json(b'{"a": "' + b"x" * 5000 + b'"}', filename="summary.json", max_upload_mb=1 / 1024)


# --------------------------------------------------------------------------- 4. text is never interpreted


CHART_LABELS = [
    "Beta $\\foo$ Ltd",
    "$$",
    "Cost $5 and $",
    "$\\frac{1}{0}$",
    "Back\\slash_and^caret",
    "x" * 500,
    "Line one\nLine two",
    "",
    "\U0001f333 Trees for Kent",
    "<b>bold</b> &amp;",
]


@pytest.mark.parametrize("label", CHART_LABELS, ids=[f"label-{i}" for i in range(len(CHART_LABELS))])
def test_a_chart_draws_any_bidder_name_as_written(label):
    before = set(plt.get_fignums())
    fig = charts.bar_chart([label, "Acme"], [1000, 2000], title=f"Scores for {label}", xlabel=label)
    fig.canvas.draw()
    assert label.replace("\n", "") in "".join(t.get_text() for t in fig.axes[0].get_yticklabels()).replace("\n", "")
    page = charts.figure_html(
        fig, alt=f"Bar chart: {label} and Acme", data=pd.DataFrame({"bidder": [label], "score": [1]})
    )
    assert "<b>" not in page and "data:image/png;base64," in page
    assert set(plt.get_fignums()) == before


def test_report_tables_escape_user_text():
    page = charts.table_html(
        pd.DataFrame({"supplier": ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>']}), caption="<i>c</i>"
    )
    assert "<script>" not in page and "<img" not in page and "<i>" not in page
    assert "&lt;script&gt;" in page


# --------------------------------------------------------------------------- 5. handler errors reach the server's log


def test_a_handler_fault_shows_the_plain_notice_and_logs_its_traceback(caplog):
    banner = ui.ErrorBanner()
    with caplog.at_level(logging.ERROR, logger="sv_helpers"):
        ui.run_guarded(banner, lambda: {}["missing"])
    assert banner.message == ui.UNEXPECTED_MESSAGE and "KeyError" not in banner.value
    record = next(r for r in caplog.records if r.name == "sv_helpers")
    assert record.exc_info and record.exc_info[0] is KeyError


def test_the_server_log_handler_is_installed_once():
    ui.install_server_log()
    ui.install_server_log()
    assert sum(isinstance(h, ui.ServerLogHandler) for h in logging.getLogger("sv_helpers").handlers) == 1


# --------------------------------------------------------------------------- 6. provenance


ODD_PARAMETERS = {
    "nan": float("nan"),
    "inf": float("inf"),
    "minus_inf": float("-inf"),
    "numpy_nan": np.float64("nan"),
    "numpy_inf": np.float32("inf"),
    "decimal_nan": decimal.Decimal("NaN"),
    "nat": pd.NaT,
    "na": pd.NA,
    "set": {"b", "a"},
    "path": Path("data/measures.csv"),
    "array": np.array([1.0, np.nan]),
    "object": object(),
    "hostile": "=cmd|' /C calc'!A0",
}


@pytest.mark.parametrize("key", list(ODD_PARAMETERS), ids=list(ODD_PARAMETERS))
def test_provenance_is_strict_json_whatever_the_parameters(key, tmp_path):
    record = provenance_record({key: ODD_PARAMETERS[key]}, {})
    path = write_provenance(tmp_path, record)
    value = strict_json(path.read_text(encoding="utf-8"))["parameters"][key]
    if key in ("nan", "inf", "minus_inf", "numpy_nan", "numpy_inf", "decimal_nan", "nat", "na"):
        assert value is None
    assert formula_cells(exports.excel_bytes({}, record)) == []


def test_provenance_records_the_code_commit_parameter_files_numpy_and_lock_file(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("numpy==2.0.0\n")
    record = provenance_record({}, {}, lock_path=lock)
    strict_json(json.dumps(record, allow_nan=False))
    assert record["numpy"] == np.__version__
    assert record["lock_file"] == {"name": "requirements.lock", "sha256": hashlib.sha256(b"numpy==2.0.0\n").hexdigest()}
    files = {f["path"]: f for f in record["parameter_files"]}
    shipped = sorted((REPO_ROOT / "data" / "parameters").rglob("*.yaml"))
    assert len(files) == len(shipped) > 0
    first = shipped[0]
    entry = files[first.relative_to(REPO_ROOT / "data" / "parameters").as_posix()]
    assert entry["sha256"] == hashlib.sha256(first.read_bytes()).hexdigest() and entry["values"]
    if (REPO_ROOT / ".git").exists():
        assert len(record["code"]["commit"]) == 40 and isinstance(record["code"]["dirty"], bool)
    items = provenance_table(record)["item"].tolist()
    assert "code commit" in items and "lock file" in items and "numpy" in items


def test_provenance_without_a_lock_file_or_a_checkout_says_so(tmp_path):
    record = provenance_record({}, {}, lock_path=tmp_path / "none.lock", code_root=tmp_path)
    assert record["lock_file"] is None and record["code"] == {"commit": None, "dirty": None}


def test_json_text_export_is_strict():
    text = exports.json_text({"budget": math.inf, "weight": np.float64("nan"), "year": np.int64(2030)})
    assert strict_json(text) == {"budget": None, "weight": None, "year": 2030}


# --------------------------------------------------------------------------- 7. paths from settings


def test_a_file_an_officer_names_outside_the_workbook_is_read_where_it_is(tmp_path):
    own = tmp_path / "srv" / "tenders" / "2026-05" / "bids.csv"
    own.parent.mkdir(parents=True)
    own.write_text("bidder,price\n")
    assert resolve_path(own, setting="tender_path", expect="file") == own
    assert resolve_path(str(own)) == own


def test_a_missing_file_or_a_folder_where_a_file_is_expected_is_named_with_its_setting(tmp_path):
    kind, message = outcome(lambda: resolve_path(tmp_path / "nope.csv", setting="applications_path", expect="file"))
    assert kind == "refused"
    assert "The setting 'applications_path' names a file that does not exist" in message and "nope.csv" in message
    kind, message = outcome(lambda: resolve_path(tmp_path, setting="tender_path", expect="file"))
    assert kind == "refused" and "The setting 'tender_path' names a folder" in message and "not a file" in message
    (tmp_path / "f.csv").write_text("x")
    kind, message = outcome(lambda: resolve_path(tmp_path / "f.csv", setting="planning_dir", expect="folder"))
    assert kind == "refused" and "names a file" in message and "not a folder" in message


def test_a_link_still_cannot_set_a_path_setting():
    from sv_helpers import grants

    settings, notices = grants.Settings.from_query("applications_path=/etc/passwd&budget=1000")
    assert settings.applications_path == grants.Settings().applications_path
    assert settings.budget == 1000
    assert any("applications_path" in n or "file" in n.lower() for n in notices)


@pytest.mark.parametrize("given", ["a\x00b.csv", "", "x" * 5000], ids=["nul", "blank", "too-long"])
def test_a_path_that_is_no_path_is_refused_plainly(given):
    kind, message = outcome(lambda: resolve_path(given, setting="tender_path"))
    assert kind == "refused" and "The setting 'tender_path'" in message


def test_paths_inside_the_workbook_and_the_officers_own_run_still_work(tmp_path):
    assert resolve_path("data/measures.csv").exists()
    own = tmp_path / "bids.csv"
    own.write_text("bidder,price\n")
    assert resolve_path(own) == own
    cwd = os.getcwd()
    try:
        os.chdir(REPO_ROOT / "notebooks")
        assert resolve_path("../data/measures.csv").exists()
    finally:
        os.chdir(cwd)
