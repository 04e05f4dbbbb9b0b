"""The Infrastructure Funding Statement against a ledger worked by hand (Schedule 2, paragraphs 1 and 3)."""

from __future__ import annotations

import pandas as pd
import pytest

from sv_helpers.planning import ifs

FY = "2025/26"


def _dates(table, *cols):
    for c in cols:
        table[c] = pd.to_datetime(table[c])
    return table


@pytest.fixture
def cil():
    receipts = _dates(
        pd.DataFrame(
            [
                # 2024/25: Seal 15% of £40,000 = £6,000 (due 28 Oct 2024);
                # Otford (plan 1 Jan 2024) 25% of £20,000 = £5,000 (due 28 Apr 2025)
                ("P1", "2024-06-01", "Seal", "2023-01-01", 40_000.0),
                ("P2", "2025-02-01", "Otford", "2024-02-01", 20_000.0),
                # 2025/26: Seal 15% of £100,000 = £15,000, capped at 100 dwellings x £100 = £10,000 (due 28 Oct 2025);
                # unparished 15% of £50,000 = £7,500 kept (59F);
                # Otford, permission before its plan: 15% of £10,000 = £1,500 (due 28 Apr 2026)
                ("C1", "2025-05-01", "Seal", "2024-01-01", 100_000.0),
                ("C2", "2025-11-01", None, "2024-01-01", 50_000.0),
                ("C3", "2025-12-01", "Otford", "2023-06-01", 10_000.0),
            ],
            columns=["receipt_id", "date_received", "parish", "permission_date", "amount"],
        ),
        "date_received",
        "permission_date",
    )
    parishes = _dates(
        pd.DataFrame(
            [("Seal", 100, None), ("Otford", 1000, "2024-01-01")],
            columns=["parish", "council_tax_dwellings", "neighbourhood_plan_made"],
        ),
        "neighbourhood_plan_made",
    )
    spend = _dates(
        pd.DataFrame(
            [
                ("A1", "2024-09-01", "Project X", "Highways", "strategic", "allocated", 30_000.0, False),
                ("S1", "2025-03-01", "Project X", "Highways", "strategic", "spent", 10_000.0, False),
                ("A2", "2025-06-01", "Project Y", "Education", "strategic", "allocated", 50_000.0, False),
                ("S2", "2025-07-01", "Project X", "Highways", "strategic", "spent", 15_000.0, False),
                ("S3", "2025-08-01", "Project Y", "Education", "strategic", "spent", 20_000.0, False),
                ("S4", "2025-09-01", "Loan L", "Community facilities", "strategic", "spent", 5_000.0, True),
                (
                    "N1",
                    "2026-01-10",
                    "Village green",
                    "Community facilities",
                    "neighbourhood",
                    "allocated",
                    3_000.0,
                    False,
                ),
                ("N2", "2026-02-10", "Village green", "Community facilities", "neighbourhood", "spent", 2_000.0, False),
            ],
            columns=[
                "entry_id",
                "date",
                "project",
                "infrastructure_type",
                "fund",
                "entry",
                "amount",
                "repays_borrowing",
            ],
        ),
        "date",
    )
    spend["ward"] = None
    return receipts, parishes, spend


def items(table: pd.DataFrame) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for _, row in table.iterrows():
        out.setdefault(row["paragraph"], []).append(row["amount"])
    return out


def test_the_cil_report_matches_the_hand_worked_ledger(cil):
    receipts, parishes, spend = cil
    report = ifs.ifs_cil(receipts, parishes, spend, FY, admin_share_pct=5)
    got = items(report)
    # Strategic fund: 2024/25 £60,000 - £11,000 passed - £3,000 admin = £46,000; £30,000 allocated before the year,
    # so £16,000 of earlier receipts was unallocated and the year's £53,000 of allocations used it first.
    assert got["1(b)"] == [160_000]
    assert got["1(c)"] == [0] and got["1(d)"] == [16_000]
    assert got["1(e)"] == [15_000 + 20_000 + 5_000 + 2_000 + 8_000]  # spending plus 5% administration
    assert got["1(f)"] == [5_000 + 30_000 + 1_000]
    assert sorted(got["1(g)(i)"]) == [2_000, 15_000, 20_000]
    assert got["1(g)(ii)"] == [5_000]
    assert got["1(g)(iii)"] == [8_000]
    assert "5.0% of CIL collected" in report.set_index("paragraph").loc["1(g)(iii)", "item"]
    assert sorted(got["1(h)"]) == [1_000, 5_000, 30_000]
    assert got["1(i)(i)"] == [5_000 + 10_000]  # instalments due 28 April 2025 and 28 October 2025
    assert got["1(j)(i)"] == [7_500] and got["1(j)(ii)"] == [2_000]
    # Held at the end, oldest money spent first: strategic £179,000 in less £50,000 spent; 59F £7,500 less £2,000.
    assert got["1(l)(i)"] == [129_000] and got["1(l)(ii)"] == [0]
    assert got["1(l)(iii)"] == [5_500] and got["1(l)(iv)"] == [0]
    assert list(report.columns) == ["item", "paragraph", "amount"]


def test_administration_recorded_in_the_ledger_is_reported_instead_of_the_chosen_share(cil):
    receipts, parishes, spend = cil
    admin = pd.DataFrame(
        [
            {
                "entry_id": "AD",
                "date": pd.Timestamp("2025-12-01"),
                "project": "Administration",
                "infrastructure_type": "Administration",
                "fund": "administration",
                "entry": "spent",
                "amount": 4_000.0,
                "repays_borrowing": False,
                "ward": None,
            }
        ]
    )
    report = ifs.ifs_cil(receipts, parishes, pd.concat([spend, admin], ignore_index=True), FY, admin_share_pct=5)
    row = report.set_index("paragraph").loc["1(g)(iii)"]
    assert row["amount"] == 4_000 and "2.5% of CIL collected" in row["item"] and "as recorded" in row["item"]


def test_the_section_106_report_matches_the_hand_worked_ledger():
    s106 = _dates(
        pd.DataFrame(
            [
                (
                    "S1",
                    "Affordable housing",
                    "2025-05-01",
                    100_000,
                    60_000,
                    "2025-06-01",
                    30_000,
                    10_000,
                    "2025-09-01",
                    0,
                    "2030-01-01",
                    10,
                    None,
                ),
                (
                    "S2",
                    "Open space",
                    "2020-01-01",
                    50_000,
                    50_000,
                    "2021-01-01",
                    0,
                    0,
                    None,
                    0,
                    "2027-01-01",
                    None,
                    None,
                ),
                (
                    "S3",
                    "Education",
                    "2019-01-01",
                    20_000,
                    20_000,
                    "2019-06-01",
                    0,
                    20_000,
                    "2024-05-01",
                    0,
                    None,
                    None,
                    40,
                ),
                (
                    "S4",
                    "Monitoring",
                    "2025-07-01",
                    1_000,
                    1_000,
                    "2025-07-15",
                    1_000,
                    1_000,
                    "2025-08-01",
                    0,
                    None,
                    None,
                    5,
                ),
                (
                    "S5",
                    "Health",
                    "2017-01-01",
                    10_000,
                    10_000,
                    "2018-01-01",
                    0,
                    0,
                    None,
                    10_000,
                    "2023-01-01",
                    None,
                    None,
                ),
            ],
            columns=[
                "agreement_id",
                "obligation",
                "date_agreed",
                "amount_agreed",
                "amount_received",
                "date_received",
                "amount_allocated",
                "amount_spent",
                "date_spent",
                "amount_repaid",
                "spend_by_date",
                "affordable_homes",
                "school_places",
            ],
        ),
        "date_agreed",
        "date_received",
        "date_spent",
        "spend_by_date",
    )
    s106["purpose"] = None
    for col in ("amount_agreed", "amount_received", "amount_allocated", "amount_spent", "amount_repaid"):
        s106[col] = s106[col].astype(float)
    got = items(ifs.ifs_s106(s106, FY))
    assert got["3(a)"] == [101_000]
    assert got["3(b)"] == [61_000]
    assert got["3(c)"] == [50_000]  # S2 only: S3 was spent and S5 repaid
    assert got["3(d)(i)"] == [10] and got["3(d)(ii)"] == [5]  # S3's 40 places were agreed before the year
    assert got["3(e)"] == [20_000] and got["3(g)"] == [20_000]
    assert got["3(f)"] == [11_000]
    assert got["3(h)(i)"] == [10_000] and got["3(h)(iii)"] == [1_000]
    assert got["3(i)"] == [100_000]
    assert got["-"] == [10_000]


def test_every_paragraph_label_is_one_schedule_2_uses():
    known = {
        "1(b)",
        "1(c)",
        "1(d)",
        "1(e)",
        "1(f)",
        "1(g)(i)",
        "1(g)(ii)",
        "1(g)(iii)",
        "1(h)",
        "1(i)(i)",
        "1(j)(i)",
        "1(j)(ii)",
        "1(l)(i)",
        "1(l)(ii)",
        "1(l)(iii)",
        "1(l)(iv)",
        "3(a)",
        "3(b)",
        "3(c)",
        "3(d)(i)",
        "3(d)(ii)",
        "3(e)",
        "3(f)",
        "3(g)",
        "3(h)(i)",
        "3(h)(iii)",
        "3(i)",
        "-",
    }
    from sv_helpers import planning

    result = planning.run(planning.Settings())
    used = set(result.tables["ifs_cil"]["paragraph"]) | set(result.tables["ifs_s106"]["paragraph"])
    assert used <= known
    assert {p for p, _ in ifs.NOT_RECORDED}.isdisjoint(used)


def test_a_report_kept_between_administration_shares_is_the_same_as_one_worked_out_afresh(cil):
    # The app keeps the ledger's items for a year and works out only the administration share's on each change;
    # moving the share up and down must give exactly the report a fresh run gives.
    receipts, parishes, spend = cil
    kept: dict = {}
    for share in (5, 0, 2.5, 5, 3.25, 0):
        again = ifs.ifs_cil(receipts, parishes, spend, FY, admin_share_pct=share, cache=kept)
        afresh = ifs.ifs_cil(receipts, parishes, spend, FY, admin_share_pct=share)
        pd.testing.assert_frame_equal(again, afresh)
    assert items(ifs.ifs_cil(receipts, parishes, spend, FY, admin_share_pct=0, cache=kept))["1(g)(iii)"] == [0]
