"""Planning gain in the impact report: the planning gain notebook's Infrastructure Funding Statement.

The loader for its output folder (``ifs_cil.csv``, ``ifs_s106.csv`` and the year from ``provenance.json``), the
figures the report states and the sentence saying them.

Model layer: pure functions on pandas objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sv_helpers.core.errors import InputError
from sv_helpers.core.formatting import format_money
from sv_helpers.core.tables import Column, TableSchema, load_table

IFS_SCHEMA = TableSchema(
    "ifs",
    (
        Column("item", "text", description="The Schedule 2 item, in words."),
        Column("paragraph", "text", description="Its paragraph of Schedule 2, e.g. 1(b)."),
        Column("amount", "number", description="The amount in pounds (or a count, where the item is one)."),
    ),
    description="The planning gain notebook's ifs_cil.csv or ifs_s106.csv (papermill output).",
)

#: The Infrastructure Funding Statement items the report uses: file → {paragraph: figure name} (CIL Regulations 2010,
#: regulation 121A and Schedule 2: 1(b) CIL receipts, 1(e) CIL expenditure, 3(b) section 106 money received, 3(f)
#: spent, 3(i) retained at the end of the year).
IFS_ITEMS: dict[str, dict[str, str]] = {
    "ifs_cil.csv": {"1(b)": "cil_received", "1(e)": "cil_spent"},
    "ifs_s106.csv": {"3(b)": "s106_received", "3(f)": "s106_spent"},
}
IFS_OPTIONAL_ITEMS: dict[str, dict[str, str]] = {"ifs_s106.csv": {"3(i)": "s106_held"}}


def load_planning_ifs(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Load the planning gain notebook's Infrastructure Funding Statement from its output folder.

    Returns
    -------
    dict
        ``ifs_cil.csv`` and ``ifs_s106.csv`` (``item, paragraph, amount``) by file name, and the statement's
        ``financial_year`` from the folder's ``provenance.json`` when it has one (else None).

    Raises
    ------
    InputError
        When the folder or either file is missing, or a file is not a statement.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(
            f"The planning folder {folder} was not found: give the folder the planning gain notebook "
            "wrote its outputs to (its output_dir)."
        )
    out: dict[str, Any] = {}
    for name in IFS_ITEMS:
        path = folder / name
        if not path.is_file():
            raise InputError(
                f"The planning folder {folder.name} has no {name}: give the folder the planning gain "
                "notebook wrote its outputs to (its output_dir)."
            )
        out[name] = load_table(path, IFS_SCHEMA)
    out["financial_year"] = None
    record = folder / "provenance.json"
    if record.is_file():
        try:
            out["financial_year"] = json.loads(record.read_text(encoding="utf-8"))["parameters"]["financial_year"]
        except (ValueError, KeyError, TypeError):
            out["financial_year"] = None
    return out


def planning_figures(ifs: Mapping[str, Any]) -> tuple[dict[str, float], pd.DataFrame]:
    """The planning figures the report states, and the statement's items as one table (``statement`` first).

    Raises
    ------
    InputError
        When a file lacks an item the report needs, naming the file and the paragraph.
    """
    figures: dict[str, float] = {}
    for name, wanted in IFS_ITEMS.items():
        table = ifs[name]
        for paragraph, figure in {**wanted, **IFS_OPTIONAL_ITEMS.get(name, {})}.items():
            rows = table[table["paragraph"].astype(str).str.strip() == paragraph]
            if rows.empty:
                if paragraph in wanted:
                    raise InputError(
                        f"{name} has no item {paragraph} (Schedule 2 of the CIL Regulations 2010), which "
                        "the impact report needs. Use the files the planning gain notebook wrote."
                    )
                continue
            figures[figure] = float(rows["amount"].sum())
    parts = [ifs[name].assign(statement="CIL" if "cil" in name else "Section 106") for name in IFS_ITEMS]
    table = pd.concat(parts, ignore_index=True)[["statement", "item", "paragraph", "amount"]]
    return figures, table


def planning_sentence(figures: Mapping[str, float]) -> str:
    """Say what the Infrastructure Funding Statement reports (from :func:`planning_figures`)."""
    text = (
        f"Planning, from the Infrastructure Funding Statement: {format_money(figures['cil_received'])} of Community "
        f"Infrastructure Levy received and {format_money(figures['cil_spent'])} spent; "
        f"{format_money(figures['s106_received'])} of section 106 money received and "
        f"{format_money(figures['s106_spent'])} spent"
    )
    if "s106_held" in figures:
        text += f", with {format_money(figures['s106_held'])} held at the year's end"
    return text + "."
