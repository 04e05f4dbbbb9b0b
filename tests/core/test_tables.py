"""The loader: a clean table, or one plain-English error naming file, sheet, row and column."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_helpers.core.errors import InputError
from sv_helpers.core.tables import Column, TableSchema, load_table, load_tables, write_template

BIDS = TableSchema(
    "bids",
    (
        Column("bidder", unique=True),
        Column("price", "money", minimum=0.01),
        Column("lot", "category", allowed=("A", "B"), required=False, default="A"),
        Column("submitted", "date", required=False),
        Column("is_sme", "boolean", required=False, default=False),
        Column("staff", "integer", required=False, minimum=0),
    ),
)


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def error_of(*args, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        load_table(*args, **kwargs)
    return str(info.value)


# --------------------------------------------------------------------------- good files


def test_clean_csv_is_typed_and_keeps_spreadsheet_row_numbers():
    data = 'Bidder,Price (£),lot,submitted,is_sme,staff\nAcme,"£120,000",b,31/03/2026,yes,12\nBeta,99500.50,A,2026-04-01,no,\n'.encode()
    table = load_table(data, BIDS, filename="bids.csv")
    assert table["price"].tolist() == [120000.0, 99500.50]
    assert table["lot"].tolist() == ["B", "A"]
    assert table["submitted"].tolist() == [pd.Timestamp(2026, 3, 31), pd.Timestamp(2026, 4, 1)]
    assert table["is_sme"].tolist() == [True, False]
    assert table.index.tolist() == [2, 3]


def test_optional_column_absent_gets_its_default():
    table = load_table(b"bidder,price\nAcme,10\n", BIDS, filename="bids.csv")
    assert table["lot"].tolist() == ["A"]
    assert table["is_sme"].tolist() == [False]


def test_excel_sheet_named_after_the_table_is_read(tmp_path):
    path = tmp_path / "tender.xlsx"
    path.write_bytes(
        xlsx_bytes({"notes": pd.DataFrame({"x": [1]}), "bids": pd.DataFrame({"bidder": ["Acme"], "price": [5000]})})
    )
    table = load_table(path, BIDS)
    assert table["price"].tolist() == [5000.0]


def test_windows_excel_csv_with_pound_sign_in_cp1252_is_read():
    data = "bidder,price\nAcme,£1,000\n".replace("£1,000", '"£1,000"').encode("cp1252")
    assert load_table(data, BIDS, filename="bids.csv")["price"].tolist() == [1000.0]


# --------------------------------------------------------------------------- bad files: one message, file/sheet/row/column


def test_text_in_a_money_field_names_file_sheet_row_and_column():
    rows = pd.DataFrame({"bidder": [f"B{i}" for i in range(6)], "price": [100, 200, 300, 400, 500, "TBC"]})
    message = error_of(xlsx_bytes({"bids": rows}), BIDS, filename="bids.xlsx")
    assert message == "bids.xlsx, sheet 'bids', row 7, column 'price': 'TBC' is not an amount of money."


def test_missing_column_lists_what_was_found():
    message = error_of(b"bidder,cost\nAcme,10\n", BIDS, filename="bids.csv")
    assert message == "bids.csv: the column 'price' is missing. The columns found were: 'bidder', 'cost'."


def test_negative_money_is_below_the_minimum():
    message = error_of(b"bidder,price\nAcme,-5\n", BIDS, filename="bids.csv")
    assert message == "bids.csv, row 2, column 'price': -5 is below the lowest allowed value, £0.01."


def test_empty_required_cell():
    message = error_of(b"bidder,price\n,10\n", BIDS, filename="bids.csv")
    assert message == "bids.csv, row 2, column 'bidder': the cell is empty; a value is needed."


def test_duplicate_in_a_unique_column_names_both_rows():
    message = error_of(b"bidder,price\nAcme,10\nBeta,20\nAcme,30\n", BIDS, filename="bids.csv")
    assert "row 4, column 'bidder': 'Acme' appears more than once (also in row 2)" in message


def test_value_outside_the_allowed_categories():
    message = error_of(b"bidder,price,lot\nAcme,10,C\n", BIDS, filename="bids.csv")
    assert message == "bids.csv, row 2, column 'lot': 'C' is not one of the allowed values ('A', 'B')."


def test_bad_date_and_bad_whole_number():
    assert "is not a date" in error_of(b"bidder,price,submitted\nAcme,10,next week\n", BIDS, filename="bids.csv")
    assert "'2.5' is not a whole number" in error_of(b"bidder,price,staff\nAcme,10,2.5\n", BIDS, filename="bids.csv")


def test_several_problems_are_listed_first_one_first():
    message = error_of(b"bidder,price\nA,x\nB,y\nC,z\nD,w\nE,v\nF,u\nG,t\n", BIDS, filename="bids.csv")
    lines = message.split("\n")
    assert lines[0] == "bids.csv, row 2, column 'price': 'x' is not an amount of money."
    assert lines[-1] == "... and 2 more problems in bids.csv."


def test_a_file_that_is_not_really_excel():
    message = error_of(b"this is not a workbook", BIDS, filename="bids.xlsx")
    assert message.startswith("bids.xlsx could not be read as an Excel workbook")


def test_binary_data_in_a_csv():
    message = error_of(b"\x00\x01\x02PK\x00", BIDS, filename="bids.csv")
    assert message.startswith("bids.csv could not be read: it is not a text (CSV) file.")


def test_empty_file_and_header_only_file():
    assert error_of(b"", BIDS, filename="bids.csv") == "bids.csv is empty: it has no header row and no data."
    assert error_of(b"bidder,price\n", BIDS, filename="bids.csv") == "bids.csv has no rows of data under its header."


def test_ragged_csv_row():
    message = error_of(b"bidder,price\nAcme,1,000,extra\n", BIDS, filename="bids.csv")
    assert "could not be read as a CSV table" in message


def test_unsupported_file_types():
    assert "only .csv and .xlsx files are accepted" in error_of(b"%PDF", BIDS, filename="bids.pdf")
    assert "old-style Excel file (.xls)" in error_of(b"\xd0\xcf", BIDS, filename="bids.xls")


def test_missing_path(tmp_path):
    assert error_of(tmp_path / "nope.csv", BIDS).startswith("nope.csv was not found")


def test_html_in_a_cell_is_kept_as_text_not_markup():
    table = load_table(b"bidder,price\n<script>alert(1)</script>,10\n", BIDS, filename="bids.csv")
    assert table["bidder"].iloc[0] == "<script>alert(1)</script>"


# --------------------------------------------------------------------------- workbooks and folders

SCHEMAS = {"bids": BIDS, "settings": TableSchema("settings", (Column("key"), Column("value")))}


def test_workbook_missing_a_sheet_says_which_are_needed():
    with pytest.raises(InputError) as info:
        load_tables(xlsx_bytes({"Sheet1": pd.DataFrame({"a": [1]})}), SCHEMAS, filename="tender.xlsx")
    assert (
        str(info.value)
        == "tender.xlsx has no sheet called 'bids'. The sheets needed are: bids, settings; this workbook has: Sheet1."
    )


def test_workbook_optional_sheet_may_be_absent():
    tables = load_tables(
        xlsx_bytes({"Bids": pd.DataFrame({"bidder": ["A"], "price": [1]})}),
        SCHEMAS,
        filename="t.xlsx",
        optional=("settings",),
    )
    assert list(tables) == ["bids"]


def test_folder_of_csv_files(tmp_path):
    (tmp_path / "bids.csv").write_text("bidder,price\nA,1\n")
    with pytest.raises(InputError, match="has no file called settings.csv"):
        load_tables(tmp_path, SCHEMAS)
    (tmp_path / "settings.csv").write_text("key,value\nmax_score,5\n")
    assert set(load_tables(tmp_path, SCHEMAS)) == {"bids", "settings"}


def test_blank_template_round_trips_headers(tmp_path):
    path = write_template(tmp_path / "template.xlsx", SCHEMAS)
    book = pd.ExcelFile(path)
    assert book.sheet_names == ["bids", "settings", "guidance"]
    assert list(pd.read_excel(book, sheet_name="bids").columns) == BIDS.column_names


# --------------------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value="0.01", max_value="999999999.99", places=2))
def test_money_written_the_uk_way_reads_back_exactly(amount):
    text = f'"£{amount:,}"'
    table = load_table(f"bidder,price\nA,{text}\n".encode(), BIDS, filename="bids.csv")
    assert table["price"].iloc[0] == pytest.approx(float(amount))


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=20).filter(lambda s: s.strip() and not any(c in s for c in '\r\n"')))
def test_any_text_in_a_money_cell_either_parses_or_gives_the_plain_message(cell):
    data = ("bidder,price\nA," + '"' + cell + '"' + "\n").encode()
    try:
        load_table(data, BIDS, filename="bids.csv")
    except InputError as err:
        assert str(err).startswith("bids.csv")


def test_extra_columns_whose_names_clash_once_simplified_are_kept():
    data = b"bidder,price,Road Transport (A roads),Road Transport (Minor roads)\nAcme,10,1,2\n"
    table = load_table(data, BIDS, filename="bids.csv")
    assert table["price"].tolist() == [10.0]
    assert list(table.columns[-2:]) == ["road_transport", "Road Transport (Minor roads)"]


def test_a_schema_column_given_twice_is_refused():
    assert "the column 'price' appears twice" in error_of(
        b"bidder,price,Price (GBP)\nAcme,10,11\n", BIDS, filename="bids.csv"
    )
