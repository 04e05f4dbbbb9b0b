"""Contract delivery tracking (sv_helpers.impact.delivery): hand-worked cases named after the rule, and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import data_path
from sv_helpers.impact import delivery as dlv


def _measures() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure_code": ["JOB", "VOL", "TALK"],
            "theme": ["economic", "social", "social"],
            "outcome": ["jobs", "communities", "careers"],
            "description": ["d"] * 3,
            "unit": ["job", "hour", "talk"],
            "proxy_value_gbp": [20000.0, 10.0, np.nan],
            "source": ["example"] * 3,
            "year": [2025] * 3,
        }
    )


def _contracts(start="2025-04-01", end="2026-04-01") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "contract_id": ["C1"],
            "contract": ["Cleaning"],
            "supplier": ["Acme"],
            "start_date": [pd.Timestamp(start)],
            "end_date": [pd.Timestamp(end)],
            "contract_value": [100000.0],
        },
        index=pd.RangeIndex(2, 3),
    )


def _commitments(rows=(("C1", "VOL", 100.0),)) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=["contract_id", "measure_code", "committed_quantity"])
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return frame


def _returns(rows, source_file="returns.csv") -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=["contract_id", "period_end", "measure_code", "quantity_delivered"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    frame["evidence"] = ""
    frame["source_file"] = source_file
    frame["source_row"] = np.arange(2, 2 + len(frame))
    return frame


# --------------------------------------------------------------------------- the expected profile


def test_nothing_is_expected_on_the_start_date_and_everything_on_the_end_date():
    start, end = pd.Timestamp("2025-04-01"), pd.Timestamp("2026-04-01")
    assert dlv.fraction_elapsed(start, end, start) == 0.0
    assert dlv.fraction_elapsed(start, end, end) == 1.0
    assert dlv.fraction_elapsed(start, end, pd.Timestamp("2024-01-01")) == 0.0
    assert dlv.fraction_elapsed(start, end, pd.Timestamp("2030-01-01")) == 1.0


def test_expected_delivery_is_the_commitment_times_the_days_elapsed_over_the_term():
    # 1 April 2025 to 1 April 2026 is 365 days; 30 September 2025 is 182 days in.
    table = dlv.delivery_table(_contracts(), _commitments(), _returns([]), _measures(), "2025-09-30")
    row = table.iloc[0]
    assert row["expected_quantity"] == pytest.approx(100 * 182 / 365)
    assert row["expected_value_gbp"] == pytest.approx(10 * 100 * 182 / 365)


def test_delivered_to_a_date_sums_the_returns_whose_period_ends_on_or_before_it():
    returns = _returns(
        [("C1", "2025-06-30", "VOL", 20.0), ("C1", "2025-09-30", "VOL", 30.0), ("C1", "2025-12-31", "VOL", 40.0)]
    )
    table = dlv.delivery_table(_contracts(), _commitments(), returns, _measures(), "2025-09-30")
    assert table.loc[0, "delivered_quantity"] == 50.0
    assert table.loc[0, "delivered_value_gbp"] == 500.0


def test_delivery_in_a_window_counts_only_returns_and_expectation_in_it():
    returns = _returns([("C1", "2025-06-30", "VOL", 20.0), ("C1", "2025-09-30", "VOL", 30.0)])
    window = dlv.delivery_table(_contracts(), _commitments(), returns, _measures(), "2025-09-30", since="2025-07-01")
    assert window.loc[0, "delivered_quantity"] == 30.0
    # 1 July 2025 is day 91; 30 September is day 182: the window holds 91 of 365 days
    assert window.loc[0, "expected_quantity"] == pytest.approx(100 * (182 - 90) / 365)


def test_a_measure_without_a_proxy_value_is_counted_not_monetised():
    commitments = _commitments((("C1", "VOL", 100.0), ("C1", "TALK", 8.0)))
    returns = _returns([("C1", "2025-06-30", "TALK", 3.0)])
    table = dlv.delivery_table(_contracts(), commitments, returns, _measures(), "2025-06-30").set_index("measure_code")
    assert table.loc["TALK", "delivered_quantity"] == 3.0
    assert np.isnan(table.loc["TALK", "delivered_value_gbp"])
    status = dlv.contract_status(table.reset_index(), _contracts(), green=90, amber=70)
    assert status.loc[0, "delivered_value_gbp"] == 0.0  # the talk adds nothing in pounds


def test_a_delivered_measure_that_was_not_committed_is_listed_with_a_zero_commitment():
    returns = _returns([("C1", "2025-06-30", "JOB", 1.0)])
    table = dlv.delivery_table(_contracts(), _commitments(), returns, _measures(), "2025-06-30").set_index(
        "measure_code"
    )
    assert table.loc["JOB", "committed_quantity"] == 0.0
    assert table.loc["JOB", "delivered_value_gbp"] == 20000.0


# --------------------------------------------------------------------------- replaced returns


def test_a_later_row_for_the_same_contract_period_and_measure_replaces_the_earlier_and_is_recorded():
    returns = _returns(
        [("C1", "2025-06-30", "VOL", 20.0), ("C1", "2025-09-30", "VOL", 30.0), ("C1", "2025-06-30", "VOL", 25.0)]
    )
    resolved = dlv.resolve_returns(returns)
    assert len(resolved.current) == 2
    assert resolved.current.set_index("period_end").loc[pd.Timestamp("2025-06-30"), "quantity_delivered"] == 25.0
    assert resolved.replaced["quantity_delivered"].tolist() == [20.0]
    assert resolved.replaced["source_row"].tolist() == [2]
    assert resolved.replaced["replaced_by_row"].tolist() == [4]
    table = dlv.delivery_table(_contracts(), _commitments(), resolved.current, _measures(), "2025-09-30")
    assert table.loc[0, "delivered_quantity"] == 55.0


def test_a_return_in_a_later_file_replaces_the_one_in_an_earlier_file():
    first = _returns([("C1", "2025-06-30", "VOL", 20.0)], "q1.csv")
    second = _returns([("C1", "2025-06-30", "VOL", 18.0)], "q1-corrected.csv")
    resolved = dlv.resolve_returns([first, second])
    assert resolved.current["quantity_delivered"].tolist() == [18.0]
    assert resolved.replaced["replaced_by_file"].tolist() == ["q1-corrected.csv"]


# --------------------------------------------------------------------------- status


@pytest.mark.parametrize(
    ("pct", "status"),
    [
        (120.0, "green"),
        (90.0, "green"),
        (89.99, "amber"),
        (70.0, "amber"),
        (69.99, "red"),
        (0.0, "red"),
        (float("nan"), "not due yet"),
    ],
)
def test_status_is_green_at_90_percent_amber_at_70_and_red_below(pct, status):
    assert dlv.status_of(pct, 90.0, 70.0) == status


def test_shipped_thresholds_are_90_and_70_percent():
    assert dlv.status_thresholds(pd.Timestamp("2026-03-31")) == (90.0, 70.0)


def test_contract_status_divides_delivered_by_expected_value_to_date():
    # half the term has passed (day 182 of 365): expected £500 of £1,000 committed; delivered £400
    returns = _returns([("C1", "2025-06-30", "VOL", 40.0)])
    table = dlv.delivery_table(_contracts(), _commitments(), returns, _measures(), "2025-09-30")
    status = dlv.contract_status(table, _contracts(), green=90, amber=70)
    assert status.loc[0, "pct_of_expected"] == pytest.approx(100 * 400 / (1000 * 182 / 365))
    assert status.loc[0, "status"] == "amber"
    assert list(status.columns[:5]) == dlv.STATUS_COLUMNS


def test_a_contract_that_has_not_started_is_not_due_yet():
    table = dlv.delivery_table(_contracts(), _commitments(), _returns([]), _measures(), "2025-03-31")
    status = dlv.contract_status(table, _contracts(), green=90, amber=70)
    assert status.loc[0, "status"] == "not due yet"
    assert np.isnan(status.loc[0, "pct_of_expected"])


# --------------------------------------------------------------------------- checks


def _errors(findings):
    return [f.message for f in findings if f.is_error]


def test_a_return_for_an_unknown_contract_is_an_error_naming_file_and_row():
    returns = _returns([("C9", "2025-06-30", "VOL", 1.0)])
    [message] = _errors(dlv.check_delivery_inputs(_contracts(), _commitments(), returns, _measures()))
    assert message.startswith("returns.csv, row 2: the contract 'C9' is not in the contracts file")


def test_an_unknown_measure_in_a_return_is_an_error():
    returns = _returns([("C1", "2025-06-30", "XYZ", 1.0)])
    [message] = _errors(dlv.check_delivery_inputs(_contracts(), _commitments(), returns, _measures()))
    assert "XYZ" in message and "measures library" in message


def test_a_negative_quantity_is_an_error():
    returns = _returns([("C1", "2025-06-30", "VOL", 1.0), ("C1", "2025-09-30", "VOL", -5.0)])
    [message] = _errors(dlv.check_delivery_inputs(_contracts(), _commitments(), returns, _measures()))
    assert message.startswith("returns.csv, row 3: the quantity delivered is negative (-5)")


def test_a_period_end_outside_the_contract_term_is_an_error():
    returns = _returns(
        [("C1", "2025-03-31", "VOL", 1.0), ("C1", "2026-06-30", "VOL", 1.0), ("C1", "2026-03-31", "VOL", 1.0)]
    )
    messages = _errors(dlv.check_delivery_inputs(_contracts(end="2026-02-15"), _commitments(), returns, _measures()))
    assert len(messages) == 2  # the quarter ending 31 March 2026 holds the end date, so it is in
    assert "31 March 2025 is outside the term of contract C1" in messages[0]
    assert "30 June 2026" in messages[1]


def test_an_end_date_before_the_start_date_is_an_error():
    [message] = _errors(
        dlv.check_delivery_inputs(_contracts("2025-04-01", "2024-04-01"), _commitments(), _returns([]), _measures())
    )
    assert message.startswith("Contract C1: the end date (1 April 2024) is before the start date (1 April 2025)")


def test_a_commitment_listed_twice_is_an_error():
    commitments = _commitments((("C1", "VOL", 10.0), ("C1", "VOL", 5.0)))
    [message] = _errors(dlv.check_delivery_inputs(_contracts(), commitments, _returns([]), _measures()))
    assert "rows 2, 3" in message


def test_a_period_end_that_is_not_a_quarter_end_is_a_warning_only():
    findings = dlv.check_delivery_inputs(
        _contracts(), _commitments(), _returns([("C1", "2025-07-15", "VOL", 1.0)]), _measures()
    )
    assert _errors(findings) == []
    assert "not the end of a financial quarter" in findings[0].message


def test_check_and_measure_raises_one_plain_error_listing_every_problem():
    returns = _returns([("C9", "2025-06-30", "VOL", 1.0), ("C1", "2025-06-30", "VOL", -1.0)])
    with pytest.raises(InputError) as err:
        dlv.check_and_measure(_contracts(), _commitments(), returns, _measures(), "2026-03-31")
    assert "C9" in str(err.value) and "negative" in str(err.value)


# --------------------------------------------------------------------------- files


def test_commitments_import_from_a_winning_bid_with_a_quantity_column():
    table = dlv.load_commitments(b"contract_id,measure_code,quantity\nC1,VOL,12\n", filename="winning_bid.csv")
    assert table["committed_quantity"].tolist() == [12.0]


def test_a_return_with_a_text_quantity_names_file_row_and_column():
    data = b"contract_id,period_end,measure_code,quantity_delivered\nC1,30/06/2025,VOL,lots\n"
    with pytest.raises(InputError, match=r"q1\.csv, row 2, column 'quantity_delivered': 'lots' is not a number"):
        dlv.load_returns(data, filename="q1.csv")


def test_example_files_measure_to_every_status_but_not_due_yet():
    from sv_helpers.core.measures import load_measures

    contracts = dlv.load_contracts(data_path("impact", "example_contracts.csv"))
    commitments = dlv.load_commitments(data_path("impact", "example_commitments.csv"))
    returns = dlv.load_returns(data_path("impact", "example_returns.csv"))
    delivery, status, resolved, warnings = dlv.check_and_measure(
        contracts, commitments, returns, load_measures(), "2026-03-31"
    )
    assert list(delivery.columns[:7]) == dlv.DELIVERY_COLUMNS
    assert set(status["status"]) == {"green", "amber", "red"}
    assert len(resolved.replaced) == 1 and warnings == []


# --------------------------------------------------------------------------- properties

quantities = st.floats(min_value=0, max_value=1e6, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    delivered=st.lists(
        st.tuples(
            st.sampled_from(["2025-06-30", "2025-09-30", "2025-12-31", "2026-03-31"]),
            st.sampled_from(["JOB", "VOL", "TALK"]),
            quantities,
        ),
        max_size=12,
    ),
    as_of=st.dates(min_value=pd.Timestamp("2025-01-01").date(), max_value=pd.Timestamp("2026-12-31").date()),
)
def test_delivered_value_never_goes_negative(delivered, as_of):
    returns = _returns([("C1", p, m, q) for p, m, q in delivered])
    table = dlv.delivery_table(_contracts(), _commitments(), dlv.resolve_returns(returns).current, _measures(), as_of)
    assert (table["delivered_value_gbp"].dropna() >= 0).all()
    assert (table["expected_value_gbp"].dropna() >= 0).all()
    status = dlv.contract_status(table, _contracts(), green=90, amber=70)
    assert (status["delivered_value_gbp"] >= 0).all()


@settings(max_examples=200, deadline=None)
@given(
    pct=st.floats(min_value=0, max_value=500),
    amber=st.floats(min_value=0, max_value=100),
    gap=st.floats(min_value=0, max_value=100),
)
def test_statuses_follow_the_thresholds(pct, amber, gap):
    green = amber + gap
    status = dlv.status_of(pct, green, amber)
    assert status == ("green" if pct >= green else "amber" if pct >= amber else "red")


@settings(max_examples=40, deadline=None)
@given(
    delivered=st.floats(min_value=0, max_value=2000),
    committed=st.floats(min_value=1, max_value=2000),
    as_of=st.dates(min_value=pd.Timestamp("2025-04-02").date(), max_value=pd.Timestamp("2026-12-31").date()),
)
def test_contract_status_matches_status_of_its_own_percentage(delivered, committed, as_of):
    returns = _returns([("C1", "2025-06-30", "VOL", delivered)])
    table = dlv.delivery_table(_contracts(), _commitments((("C1", "VOL", committed),)), returns, _measures(), as_of)
    row = dlv.contract_status(table, _contracts(), green=90, amber=70).iloc[0]
    assert row["status"] == dlv.status_of(row["pct_of_expected"], 90, 70)


@settings(max_examples=60, deadline=None)
@given(
    days=st.lists(st.integers(min_value=-400, max_value=900), min_size=2, max_size=2),
    term=st.integers(min_value=0, max_value=2000),
)
def test_the_expected_fraction_stays_between_0_and_1_and_never_falls(days, term):
    start = pd.Timestamp("2025-04-01")
    end = start + pd.Timedelta(days=term)
    early, late = sorted(start + pd.Timedelta(days=d) for d in days)
    a, b = dlv.fraction_elapsed(start, end, early), dlv.fraction_elapsed(start, end, late)
    assert 0.0 <= a <= b <= 1.0
    contracts = _contracts(start, end)
    assert dlv.fractions_elapsed(contracts, late).iloc[0] == pytest.approx(b)


def test_returns_from_several_files_are_read_in_order_and_a_later_file_replaces_an_earlier(tmp_path):
    header = "contract_id,period_end,measure_code,quantity_delivered\n"
    first = (header + "C1,30/06/2025,VOL,20\nC1,30/09/2025,VOL,30\n").encode()
    second = (header + "C1,30/06/2025,VOL,22\n").encode()
    combined = dlv.load_returns_files([(first, "returns-2025-q2.csv"), (second, "returns-2025-q2-corrected.csv")])
    resolved = dlv.resolve_returns(combined)
    assert sorted(resolved.current["quantity_delivered"]) == [22.0, 30.0]
    assert resolved.replaced[["source_file", "source_row", "replaced_by_file", "replaced_by_row"]].values.tolist() == [
        ["returns-2025-q2.csv", 2, "returns-2025-q2-corrected.csv", 2]
    ]
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / "b.csv").write_bytes(second)
    (folder / "a.csv").write_bytes(first)
    from_folder = dlv.resolve_returns(dlv.load_returns_files([folder]))
    assert from_folder.replaced["source_file"].tolist() == ["a.csv"]


def test_an_empty_folder_of_returns_is_refused_plainly(tmp_path):
    with pytest.raises(InputError, match="holds no returns"):
        dlv.load_returns_files([tmp_path])


def test_the_winning_bids_commitments_become_the_contracts_commitments():
    bid = pd.DataFrame(
        {
            "bidder": ["Bidder A", "Bidder B", "Bidder B", "Bidder B"],
            "measure_code": ["VOL", "VOL", "JOB", "VOL"],
            "quantity": [5.0, 100.0, 2.0, 20.0],
        }
    )
    commitments = dlv.commitments_from_bid(bid, "Bidder B", "C1")
    assert commitments.values.tolist() == [["C1", "VOL", 120.0], ["C1", "JOB", 2.0]]
    assert dlv.check_delivery_inputs(_contracts(), commitments, _returns([]), _measures()) == []
    with pytest.raises(InputError, match="no social value commitments from 'Bidder C'"):
        dlv.commitments_from_bid(bid, "Bidder C", "C1")


def test_a_returns_file_with_no_rows_yet_means_nothing_delivered():
    returns = dlv.load_returns(b"contract_id,period_end,measure_code,quantity_delivered\n", filename="returns.csv")
    table = dlv.delivery_table(
        _contracts(), _commitments(), dlv.resolve_returns(returns).current, _measures(), "2025-09-30"
    )
    assert table.loc[0, "delivered_value_gbp"] == 0.0
    assert dlv.contract_status(table, _contracts(), green=90, amber=70).loc[0, "status"] == "red"


def test_the_profile_is_cumulative_at_each_quarter_end():
    returns = _returns([("C1", "2025-06-30", "VOL", 20.0), ("C1", "2025-09-30", "VOL", 30.0)])
    profile = dlv.delivery_profile("C1", _contracts(), _commitments(), returns, _measures(), "2025-11-15")
    assert [d.date().isoformat() for d in profile["period_end"]] == ["2025-06-30", "2025-09-30", "2025-11-15"]
    assert profile["delivered_value_gbp"].tolist() == [200.0, 500.0, 500.0]
    # 30 June 2025 is day 90 of 365: expected £1,000 x 90/365
    assert profile["expected_value_gbp"].iloc[0] == pytest.approx(1000 * 90 / 365)
    assert profile["expected_value_gbp"].is_monotonic_increasing


@settings(max_examples=25, deadline=None)
@given(
    delivered=st.lists(
        st.tuples(
            st.sampled_from(["2025-06-30", "2025-09-30", "2025-12-31", "2026-03-31", "2026-06-30"]),
            st.sampled_from(["JOB", "VOL", "TALK"]),
            quantities,
        ),
        max_size=8,
    ),
    as_of=st.dates(min_value=pd.Timestamp("2025-04-02").date(), max_value=pd.Timestamp("2026-12-31").date()),
)
def test_the_profile_ends_where_the_delivery_table_stands(delivered, as_of):
    returns = dlv.resolve_returns(_returns([("C1", p, m, q) for p, m, q in delivered])).current
    commitments = _commitments((("C1", "VOL", 100.0), ("C1", "JOB", 1.0), ("C1", "TALK", 3.0)))
    profile = dlv.delivery_profile("C1", _contracts(), commitments, returns, _measures(), as_of)
    table = dlv.delivery_table(
        _contracts(), commitments, returns, _measures(), min(pd.Timestamp(as_of), pd.Timestamp("2026-06-30"))
    )
    assert profile["delivered_value_gbp"].iloc[-1] == pytest.approx(table["delivered_value_gbp"].sum())
    assert profile["expected_value_gbp"].iloc[-1] == pytest.approx(table["expected_value_gbp"].sum())
    assert profile["delivered_value_gbp"].is_monotonic_increasing
