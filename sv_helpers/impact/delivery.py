"""Contract delivery tracking: what suppliers committed, what they delivered, and each contract's status.

A contract's social value commitments are rows of ``contract_id,
measure_code, committed_quantity`` (the winning bid's commitments from the
tender scoring app import straight in).  Suppliers send quarterly returns of
``contract_id, period_end, measure_code, quantity_delivered, evidence``.

* A later return for the same contract, period and measure replaces the
  earlier one; within one file the later row wins.  Replaced rows are kept in
  a table of their own (:attr:`Returns.replaced`), never dropped silently.
* Delivered to a date sums the returns whose period ends on or before it.
* Expected to a date is the commitment times the fraction of the contract
  term elapsed by that date, counted in days from the start date to the end
  date and held between 0 and 1.
* Values are quantities times the measures library's proxy values
  (:func:`sv_helpers.core.measures.social_value`); measures without a proxy value
  are counted, not monetised.
* Status compares delivered with expected value to date: green at or above
  the green threshold, amber at or above the amber threshold, red below
  (``data/parameters/impact/status_*_threshold.yaml``).

Model layer: pure functions on pandas objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sv_helpers.core.errors import Finding, InputError, raise_for_errors
from sv_helpers.core.formatting import format_date
from sv_helpers.core.measures import social_value, unknown_measure_codes
from sv_helpers.core.parameters import parameter_value
from sv_helpers.core.tables import Column, TableSchema, load_table

# --------------------------------------------------------------------------- schemas

CONTRACTS_SCHEMA = TableSchema(
    "contracts",
    (
        Column(
            "contract_id",
            "text",
            unique=True,
            description="The council's reference for the contract, unique in the file.",
        ),
        Column("contract", "text", description="What the contract is for."),
        Column("supplier", "text", description="The supplier's name."),
        Column("start_date", "date", description="The first day of the contract term."),
        Column("end_date", "date", description="The last day of the contract term."),
        Column(
            "contract_value",
            "money",
            minimum=0,
            label="Contract value (£)",
            description="The contract's total value in pounds.",
        ),
    ),
    description="One row per contract whose social value is tracked.",
)

COMMITMENTS_SCHEMA = TableSchema(
    "commitments",
    (
        Column("contract_id", "text", description="The contract the commitment belongs to (as in the contracts file)."),
        Column("measure_code", "text", description="The measure committed to, from the measures library."),
        Column(
            "committed_quantity",
            "number",
            description="How much the supplier committed over the whole contract, in the measure's unit.",
        ),
    ),
    description="The social value committed in each contract: one row per contract and measure.",
    # a scored tender's winning bid lists its commitments as measure_code, quantity
    aliases={"quantity": "committed_quantity"},
)

RETURNS_SCHEMA = TableSchema(
    "returns",
    (
        Column("contract_id", "text", description="The contract the return is for (as in the contracts file)."),
        Column(
            "period_end",
            "date",
            description="The last day of the quarter reported: 30 June, 30 September, 31 December or 31 March.",
        ),
        Column("measure_code", "text", description="The measure delivered, from the measures library."),
        Column(
            "quantity_delivered", "number", description="How much was delivered in the quarter, in the measure's unit."
        ),
        Column(
            "evidence",
            "text",
            required=False,
            allow_blank=True,
            default="",
            description="A reference to the evidence, or a short note.",
        ),
        Column(
            "evidence_status",
            "category",
            required=False,
            allow_blank=True,
            allowed=("submitted", "validated", "rejected"),
            default="submitted",
            description=(
                "Where the council's check of the evidence stands: submitted (blank means this), validated or "
                "rejected. A rejected return counts nowhere."
            ),
        ),
    ),
    min_rows=0,
    description="Suppliers' quarterly returns: one row per contract, quarter and measure.",
)

#: The evidence statuses a return may have; ``claimed`` counts the first two, ``validated`` the second only.
EVIDENCE_STATUSES: tuple[str, ...] = ("submitted", "validated", "rejected")

#: The status names, best first.
STATUSES: tuple[str, ...] = ("green", "amber", "red", "not due yet")

DELIVERY_COLUMNS = [
    "contract_id",
    "measure_code",
    "committed_quantity",
    "delivered_quantity",
    "expected_quantity",
    "delivered_value_gbp",
    "expected_value_gbp",
]

STATUS_COLUMNS = ["contract_id", "delivered_value_gbp", "expected_value_gbp", "pct_of_expected", "status"]

_KEY = ["contract_id", "period_end", "measure_code"]


# --------------------------------------------------------------------------- loading


def load_contracts(source: str | Path | bytes, *, filename: str | None = None) -> pd.DataFrame:
    """Load a contracts file (CSV or .xlsx) against :data:`CONTRACTS_SCHEMA`."""
    return load_table(source, CONTRACTS_SCHEMA, filename=filename)


def load_commitments(source: str | Path | bytes, *, filename: str | None = None) -> pd.DataFrame:
    """Load a commitments file (CSV or .xlsx) against :data:`COMMITMENTS_SCHEMA`."""
    return load_table(source, COMMITMENTS_SCHEMA, filename=filename)


def load_returns(source: str | Path | bytes, *, filename: str | None = None) -> pd.DataFrame:
    """Load one file of suppliers' quarterly returns (CSV or .xlsx).

    Returns
    -------
    DataFrame
        The columns of :data:`RETURNS_SCHEMA` plus ``source_file`` and
        ``source_row`` (the spreadsheet row), which say where each figure came
        from when one return replaces another.
    """
    table = load_table(source, RETURNS_SCHEMA, filename=filename)
    name = filename or Path(str(source)).name
    shown = [c for c in RETURNS_SCHEMA.column_names if c != "evidence_status"]
    out = table[shown].copy()
    out["source_file"] = name
    out["source_row"] = table.index.to_numpy()
    out["evidence_status"] = table["evidence_status"].fillna("submitted").replace("", "submitted").to_numpy()
    return out.reset_index(drop=True)


def evidence_status(returns: pd.DataFrame) -> pd.Series:
    """Each return's evidence status (``submitted`` where the returns have none)."""
    if "evidence_status" not in returns.columns:
        return pd.Series("submitted", index=returns.index, dtype=object)
    return returns["evidence_status"].fillna("submitted").replace("", "submitted").astype(str)


def counted_returns(returns: pd.DataFrame) -> pd.DataFrame:
    """The returns that count: every one but those whose evidence was rejected (a rejected return counts nowhere)."""
    return returns[(evidence_status(returns) != "rejected").to_numpy()]


def commitments_from_bid(bid_commitments: pd.DataFrame, bidder: str, contract_id: str) -> pd.DataFrame:
    """Turn the winning bid's commitments from a scored tender into a contract's commitments.

    Parameters
    ----------
    bid_commitments : DataFrame
        The tender's commitments sheet: ``bidder, measure_code, quantity``
        (:data:`sv_helpers.scoring.COMMITMENTS_SCHEMA`).
    bidder : str
        The winning bidder, as named in the tender.
    contract_id : str
        The reference of the contract awarded to it.

    Returns
    -------
    DataFrame
        ``contract_id, measure_code, committed_quantity``, one row per measure
        (quantities for a measure listed twice are added).

    Raises
    ------
    InputError
        When the tender holds no commitments from that bidder.
    """
    rows = bid_commitments[bid_commitments["bidder"].astype(str).str.strip() == str(bidder).strip()]
    if rows.empty:
        names = ", ".join(sorted(set(bid_commitments["bidder"].astype(str)))) or "none"
        raise InputError(
            f"The tender has no social value commitments from '{bidder}'. The bidders with commitments are: {names}."
        )
    out = (
        rows.groupby("measure_code", sort=False, as_index=False)["quantity"]
        .sum()
        .rename(columns={"quantity": "committed_quantity"})
    )
    out.insert(0, "contract_id", str(contract_id))
    out["committed_quantity"] = out["committed_quantity"].astype("float64")
    return out


def load_returns_files(sources: Sequence[str | Path | tuple[bytes, str]]) -> pd.DataFrame:
    """Load several files of returns, in the order they were received, into one table.

    Parameters
    ----------
    sources : sequence
        Paths, or uploads as ``(bytes, file name)``, oldest first; a figure
        in a later file replaces the same contract, period and measure in an
        earlier one (see :func:`resolve_returns`).  A folder path stands for
        every .csv and .xlsx file in it, in name order.
    """
    frames = []
    for source in sources:
        if isinstance(source, tuple):
            frames.append(load_returns(source[0], filename=source[1]))
        elif Path(source).is_dir():
            files = sorted(
                p
                for p in Path(source).iterdir()
                if p.suffix.lower() in (".csv", ".xlsx") and not p.name.startswith(("~", "."))
            )
            if not files:
                raise InputError(f"The folder {Path(source).name} holds no returns (.csv or .xlsx files).")
            frames.extend(load_returns(p) for p in files)
        else:
            frames.append(load_returns(source))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- returns


@dataclass(frozen=True)
class Returns:
    """Returns after replacements: the figures in force and the ones replaced.

    Attributes
    ----------
    current : DataFrame
        One row per contract, period end and measure: the latest return.
    replaced : DataFrame
        Every earlier row that a later one replaced, with ``replaced_by_file``
        and ``replaced_by_row`` naming the row now in force.
    """

    current: pd.DataFrame
    replaced: pd.DataFrame


def resolve_returns(returns: pd.DataFrame | Sequence[pd.DataFrame]) -> Returns:
    """Apply replacements: a later return for the same contract, period and measure wins.

    Parameters
    ----------
    returns : DataFrame or sequence of DataFrame
        Returns in the order they were received: files in order, rows within
        a file in order (the later row is the later return).

    Returns
    -------
    Returns
        The rows in force and the rows replaced (kept, not lost).

    Examples
    --------
    >>> r = pd.DataFrame({"contract_id": ["C1", "C1"], "period_end": pd.to_datetime(["2025-06-30"] * 2),
    ...                   "measure_code": ["M", "M"], "quantity_delivered": [5.0, 7.0]})
    >>> resolved = resolve_returns(r)
    >>> resolved.current["quantity_delivered"].tolist(), resolved.replaced["quantity_delivered"].tolist()
    ([7.0], [5.0])
    """
    frames = [returns] if isinstance(returns, pd.DataFrame) else list(returns)
    combined = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RETURNS_SCHEMA.column_names)
    if "source_file" not in combined.columns:
        combined["source_file"] = "returns"
    if "source_row" not in combined.columns:
        combined["source_row"] = np.arange(2, 2 + len(combined))
    combined = combined.reset_index(drop=True)
    is_latest = ~combined.duplicated(_KEY, keep="last")
    current = combined[is_latest].reset_index(drop=True)
    replaced = combined[~is_latest].copy()
    if len(replaced):
        winner = current.set_index(_KEY)[["source_file", "source_row"]]
        keys = pd.MultiIndex.from_frame(replaced[_KEY])
        replaced["replaced_by_file"] = winner["source_file"].reindex(keys).to_numpy()
        replaced["replaced_by_row"] = winner["source_row"].reindex(keys).to_numpy()
    else:
        replaced["replaced_by_file"] = pd.Series(dtype=object)
        replaced["replaced_by_row"] = pd.Series(dtype="float64")
    if "evidence_status" in replaced.columns:  # an addition: kept last, after the columns the table had before it
        replaced = replaced[[c for c in replaced.columns if c != "evidence_status"] + ["evidence_status"]]
    return Returns(current=current, replaced=replaced.reset_index(drop=True))


# --------------------------------------------------------------------------- the profile


def fraction_elapsed(start: pd.Timestamp, end: pd.Timestamp, on: pd.Timestamp) -> float:
    """Return the fraction of a contract term elapsed by a date, between 0 and 1.

    Counted in days from the start date to the end date: on the start date
    nothing is expected, on the end date everything is.

    Examples
    --------
    >>> fraction_elapsed(pd.Timestamp("2025-04-01"), pd.Timestamp("2026-04-01"), pd.Timestamp("2025-10-01"))
    0.5013698630136987
    """
    start, end, on = pd.Timestamp(start), pd.Timestamp(end), pd.Timestamp(on)
    term = (end - start).days
    if term <= 0:
        return 1.0 if on >= end else 0.0
    return float(min(1.0, max(0.0, (on - start).days / term)))


def fractions_elapsed(contracts: pd.DataFrame, on: pd.Timestamp) -> pd.Series:
    """Return :func:`fraction_elapsed` for every contract, indexed by ``contract_id``."""
    on = pd.Timestamp(on)
    start = pd.to_datetime(contracts["start_date"])
    end = pd.to_datetime(contracts["end_date"])
    term = (end - start).dt.days.astype("float64").to_numpy()
    elapsed = (on - start).dt.days.astype("float64").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(term > 0, elapsed / np.where(term > 0, term, 1.0), np.where(on >= end, 1.0, 0.0))
    return pd.Series(
        np.clip(frac, 0.0, 1.0), index=contracts["contract_id"].astype(str).to_numpy(), name="fraction_elapsed"
    )


def quarter_end_on_or_after(date: pd.Timestamp) -> pd.Timestamp:
    """Return the end of the UK financial quarter holding a date (30 June, 30 September, 31 December or 31 March)."""
    return pd.Timestamp(date) + pd.offsets.QuarterEnd(0, startingMonth=3)


def is_quarter_end(date: pd.Timestamp) -> bool:
    """Whether a date is the last day of a UK financial quarter."""
    date = pd.Timestamp(date)
    return date == quarter_end_on_or_after(date)


# --------------------------------------------------------------------------- checks


def _rows(frame: pd.DataFrame, mask: pd.Series) -> str:
    rows = [str(r) for r in frame.index[mask.to_numpy()]]
    shown = ", ".join(rows[:8]) + (f" and {len(rows) - 8} more" if len(rows) > 8 else "")
    return ("row " if len(rows) == 1 else "rows ") + shown


def _return_place(returns: pd.DataFrame, i: int) -> str:
    row = returns.iloc[i]
    if "source_file" in returns.columns and "source_row" in returns.columns:
        return f"{row['source_file']}, row {row['source_row']}"
    return f"The returns, row {returns.index[i]}"


def _more(mask: pd.Series, problem: str, shown: int = 5) -> list[Finding]:
    extra = int(mask.sum()) - shown
    return (
        [Finding("error", f"... and {extra} more return row{'s' if extra != 1 else ''} {problem}.")]
        if extra > 0
        else []
    )


def check_delivery_inputs(
    contracts: pd.DataFrame,
    commitments: pd.DataFrame,
    returns: pd.DataFrame,
    measures: pd.DataFrame,
) -> list[Finding]:
    """Check contracts, commitments and returns before delivery is measured.

    Errors: an end date before a start date; a commitment or return for a
    contract not in the contracts file; a measure code not in the measures
    library; a negative quantity; a commitment listed twice; a return whose
    period ends before the contract starts or after the end of the quarter
    in which it ends.  Warnings: a period end that is not a quarter end.

    Parameters
    ----------
    contracts, commitments, returns : DataFrame
        As loaded by :func:`load_contracts`, :func:`load_commitments` and
        :func:`load_returns` (several return files may be concatenated).
    measures : DataFrame
        The measures library.

    Returns
    -------
    list of Finding
    """
    findings: list[Finding] = []
    bad_term = pd.to_datetime(contracts["end_date"]) < pd.to_datetime(contracts["start_date"])
    for _, row in contracts[bad_term.to_numpy()].iterrows():
        findings.append(
            Finding(
                "error",
                f"Contract {row['contract_id']}: the end date ({format_date(row['end_date'])}) is before the start date "
                f"({format_date(row['start_date'])}). Correct the dates in the contracts file.",
            )
        )
    known = set(contracts["contract_id"].astype(str))

    unknown = ~commitments["contract_id"].astype(str).isin(known)
    if unknown.any():
        ids = sorted(set(commitments.loc[unknown.to_numpy(), "contract_id"].astype(str)))
        findings.append(
            Finding(
                "error",
                f"The commitments file names contract {', '.join(ids)} ({_rows(commitments, unknown)}), which is not in the contracts file. Add the contract or correct its reference.",
            )
        )
    codes = unknown_measure_codes(commitments, measures)
    if codes:
        findings.append(
            Finding(
                "error",
                f"The commitments file uses the measure code {', '.join(codes)}, which is not in the measures library. Correct the code, or load the library that defines it.",
            )
        )
    negative = pd.to_numeric(commitments["committed_quantity"], errors="coerce") < 0
    if negative.any():
        findings.append(
            Finding(
                "error",
                f"The commitments file has a negative committed quantity ({_rows(commitments, negative)}). Quantities must be zero or more.",
            )
        )
    twice = commitments.duplicated(["contract_id", "measure_code"], keep=False)
    if twice.any():
        findings.append(
            Finding(
                "error",
                f"The commitments file lists the same contract and measure more than once ({_rows(commitments, twice)}). Keep one row per contract and measure with the total committed.",
            )
        )

    if len(returns):
        ids = returns["contract_id"].astype(str)
        unknown_return = ~ids.isin(known)
        for i in np.flatnonzero(unknown_return.to_numpy())[:5]:
            findings.append(
                Finding(
                    "error",
                    f"{_return_place(returns, i)}: the contract '{ids.iloc[i]}' is not in the contracts file. Add the contract or correct its reference.",
                )
            )
        findings += _more(unknown_return, "name a contract that is not in the contracts file")
        codes = unknown_measure_codes(returns, measures)
        if codes:
            findings.append(
                Finding(
                    "error",
                    f"The returns use the measure code {', '.join(codes)}, which is not in the measures library. Correct the code, or load the library that defines it.",
                )
            )
        quantity = pd.to_numeric(returns["quantity_delivered"], errors="coerce")
        for i in np.flatnonzero((quantity < 0).to_numpy())[:5]:
            findings.append(
                Finding(
                    "error",
                    f"{_return_place(returns, i)}: the quantity delivered is negative ({quantity.iloc[i]:g}). Quantities must be zero or more; to correct an earlier return, send the corrected total for that quarter.",
                )
            )
        findings += _more(quantity < 0, "have a negative quantity")
        terms = contracts.drop_duplicates("contract_id").set_index(
            contracts.drop_duplicates("contract_id")["contract_id"].astype(str)
        )
        starts = ids.map(terms["start_date"])
        ends = ids.map(terms["end_date"])
        period = pd.to_datetime(returns["period_end"])
        last_allowed = pd.to_datetime(ends).map(lambda d: quarter_end_on_or_after(d) if pd.notna(d) else d)
        outside = (period < pd.to_datetime(starts)) | (period > last_allowed)
        for i in np.flatnonzero(outside.fillna(False).to_numpy())[:5]:
            findings.append(
                Finding(
                    "error",
                    f"{_return_place(returns, i)}: the period ending {format_date(period.iloc[i])} is outside the term of contract {ids.iloc[i]} "
                    f"({format_date(starts.iloc[i])} to {format_date(ends.iloc[i])}). Check the period end date or the contract reference.",
                )
            )
        findings += _more(outside.fillna(False), "have a period end outside their contract's term")
        odd = ~period.map(is_quarter_end)
        if odd.any():
            first = int(np.flatnonzero(odd.to_numpy())[0])
            findings.append(
                Finding(
                    "warning",
                    f"{int(odd.sum())} return row(s) have a period end that is not the end of a financial quarter (first: {_return_place(returns, first)}, "
                    f"{format_date(period.iloc[first])}). Quarters end on 30 June, 30 September, 31 December and 31 March; the rows are used as given.",
                )
            )
    return findings


# --------------------------------------------------------------------------- delivery and status


def delivery_table(
    contracts: pd.DataFrame,
    commitments: pd.DataFrame,
    returns: pd.DataFrame,
    measures: pd.DataFrame,
    as_of: pd.Timestamp | str | dt.date,
    *,
    since: pd.Timestamp | str | dt.date | None = None,
) -> pd.DataFrame:
    """Committed, delivered and expected quantities and values, per contract and measure.

    Parameters
    ----------
    contracts, commitments : DataFrame
        As loaded (checked with :func:`check_delivery_inputs`).
    returns : DataFrame
        The returns in force (``resolve_returns(...).current``); rejected ones are left out.
    measures : DataFrame
        The measures library.
    as_of : date
        Delivery is measured to this date: returns whose period ends on or
        before it are summed, and the expected share of each commitment is
        the fraction of the contract term elapsed by it.
    since : date, optional
        When given, only the window from ``since`` to ``as_of`` is measured:
        returns whose period ends in the window, and the share of each
        commitment expected in it (used for one financial year's report).

    Returns
    -------
    DataFrame
        One row per contract and measure (committed, or delivered without a
        commitment), sorted by contract and measure, with
        :data:`DELIVERY_COLUMNS` then ``contract``, ``supplier``, ``theme``,
        ``outcome``, ``unit`` and ``proxy_value_gbp``.  Values are NaN for
        measures that are not monetised.
    """
    as_of = pd.Timestamp(as_of)
    returns = counted_returns(returns)
    committed = commitments[["contract_id", "measure_code", "committed_quantity"]].copy()
    committed["contract_id"] = committed["contract_id"].astype(str)
    committed["measure_code"] = committed["measure_code"].astype(str)
    committed["committed_quantity"] = pd.to_numeric(committed["committed_quantity"]).astype("float64")
    committed = committed.groupby(["contract_id", "measure_code"], as_index=False)["committed_quantity"].sum()

    period = pd.to_datetime(returns["period_end"]) if len(returns) else pd.Series(dtype="datetime64[ns]")
    in_window = period <= as_of
    if since is not None:
        in_window &= period >= pd.Timestamp(since)
    delivered = returns.loc[in_window.to_numpy(), ["contract_id", "measure_code", "quantity_delivered"]].copy()
    delivered["contract_id"] = delivered["contract_id"].astype(str)
    delivered["measure_code"] = delivered["measure_code"].astype(str)
    delivered["quantity_delivered"] = pd.to_numeric(delivered["quantity_delivered"]).astype("float64")
    delivered = (
        delivered.groupby(["contract_id", "measure_code"], as_index=False)["quantity_delivered"]
        .sum()
        .rename(columns={"quantity_delivered": "delivered_quantity"})
    )

    table = committed.merge(delivered, on=["contract_id", "measure_code"], how="outer")
    table["committed_quantity"] = table["committed_quantity"].fillna(0.0)
    table["delivered_quantity"] = table["delivered_quantity"].fillna(0.0)
    fraction = fractions_elapsed(contracts, as_of)
    if since is not None:
        fraction = fraction - fractions_elapsed(contracts, pd.Timestamp(since) - pd.Timedelta(days=1))
    table["expected_quantity"] = table["committed_quantity"] * table["contract_id"].map(fraction).fillna(0.0).astype(
        "float64"
    )

    valued = social_value(table, measures, quantity_column="delivered_quantity")
    proxy = valued["proxy_value_gbp"].astype("float64")
    table["delivered_value_gbp"] = valued["value_gbp"].astype("float64")
    table["expected_value_gbp"] = table["expected_quantity"] * proxy
    names = contracts.drop_duplicates("contract_id").set_index(
        contracts.drop_duplicates("contract_id")["contract_id"].astype(str)
    )
    table["contract"] = table["contract_id"].map(names["contract"]).astype(object)
    table["supplier"] = table["contract_id"].map(names["supplier"]).astype(object)
    for column in ("theme", "outcome", "unit"):
        table[column] = valued[column].to_numpy()
    table["proxy_value_gbp"] = proxy
    table = table.sort_values(["contract_id", "measure_code"], kind="stable").reset_index(drop=True)
    return table[DELIVERY_COLUMNS + ["contract", "supplier", "theme", "outcome", "unit", "proxy_value_gbp"]]


def quarter_ends(start: pd.Timestamp, end: pd.Timestamp) -> list[pd.Timestamp]:
    """The UK financial quarter ends from the one holding ``start`` to the last on or before ``end``."""
    first = quarter_end_on_or_after(pd.Timestamp(start))
    return list(pd.date_range(first, pd.Timestamp(end), freq=pd.offsets.QuarterEnd(startingMonth=3)))


def delivery_profile(
    contract_id: str,
    contracts: pd.DataFrame,
    commitments: pd.DataFrame,
    returns: pd.DataFrame,
    measures: pd.DataFrame,
    as_of: pd.Timestamp | str | dt.date,
) -> pd.DataFrame:
    """One contract's delivered and expected value, cumulative, at each quarter end to a date.

    Parameters
    ----------
    contract_id : str
        The contract.
    contracts, commitments, returns, measures : DataFrame
        As for :func:`delivery_table` (returns in force).
    as_of : date
        The last date of the profile; quarters ending after it are left out,
        and ``as_of`` itself is the last point when it is not a quarter end.

    Returns
    -------
    DataFrame
        ``period_end, delivered_value_gbp, expected_value_gbp,
        pct_of_expected`` (NaN where nothing was expected yet).
    """
    contract = contracts[contracts["contract_id"].astype(str) == str(contract_id)]
    if contract.empty:
        raise InputError(f"There is no contract '{contract_id}' in the contracts file.")
    start = pd.Timestamp(contract["start_date"].iloc[0])
    end = min(
        pd.Timestamp(as_of), quarter_end_on_or_after(pd.Timestamp(contract["end_date"].iloc[0]))
    )  # the last return may cover the quarter the term ends in
    dates = quarter_ends(start, end)
    if not dates or dates[-1] < end:
        dates.append(end)
    mine_commitments = commitments[commitments["contract_id"].astype(str) == str(contract_id)]
    returns = counted_returns(returns)
    mine_returns = returns[returns["contract_id"].astype(str) == str(contract_id)]
    committed = social_value(
        mine_commitments.assign(measure_code=mine_commitments["measure_code"].astype(str)),
        measures,
        quantity_column="committed_quantity",
    )
    committed_value = float(committed["value_gbp"].sum(min_count=0))
    if len(mine_returns):
        delivered = social_value(
            mine_returns.assign(measure_code=mine_returns["measure_code"].astype(str)),
            measures,
            quantity_column="quantity_delivered",
        )
        period = pd.to_datetime(delivered["period_end"]).to_numpy()
        value = delivered["value_gbp"].fillna(0.0).to_numpy(dtype="float64")
    else:
        period, value = np.array([], dtype="datetime64[ns]"), np.array([], dtype="float64")
    out = pd.DataFrame({"period_end": dates})
    out["delivered_value_gbp"] = [float(value[period <= np.datetime64(d)].sum()) for d in dates]
    out["expected_value_gbp"] = [
        committed_value * fraction_elapsed(start, pd.Timestamp(contract["end_date"].iloc[0]), d) for d in dates
    ]
    expected = out["expected_value_gbp"]
    out["pct_of_expected"] = np.where(
        expected > 0, 100.0 * out["delivered_value_gbp"] / expected.where(expected > 0, 1.0), np.nan
    )
    return out


def status_thresholds(on: pd.Timestamp | dt.date | None = None) -> tuple[float, float]:
    """Return the green and amber thresholds (percent of expected value) in force on a date."""
    day = pd.Timestamp(on).date() if on is not None else None
    return float(parameter_value("impact.status_green_threshold", day)), float(
        parameter_value("impact.status_amber_threshold", day)
    )


def status_of(pct_of_expected: float, green: float, amber: float) -> str:
    """Return a contract's status from its delivered value as a percentage of expected value.

    Examples
    --------
    >>> [status_of(p, 90, 70) for p in (95.0, 90.0, 89.9, 70.0, 12.0, float("nan"))]
    ['green', 'green', 'amber', 'amber', 'red', 'not due yet']
    """
    if pct_of_expected is None or not np.isfinite(pct_of_expected):
        return "not due yet"
    if pct_of_expected >= green:
        return "green"
    if pct_of_expected >= amber:
        return "amber"
    return "red"


def contract_status(delivery: pd.DataFrame, contracts: pd.DataFrame, *, green: float, amber: float) -> pd.DataFrame:
    """Each contract's delivered and expected value to date, the percentage, and its status.

    Parameters
    ----------
    delivery : DataFrame
        From :func:`delivery_table` (measured to date, without ``since``).
    contracts : DataFrame
        Every contract is listed, in the contracts file's order, even one
        with no commitments.
    green, amber : float
        Thresholds in percent: green at ``pct_of_expected >= green``, amber at
        ``>= amber``, red below.  A contract with nothing monetised expected
        yet (expected value 0) is "not due yet" and has no percentage.

    Returns
    -------
    DataFrame
        :data:`STATUS_COLUMNS` plus ``contract`` and ``supplier``.
    """
    values = delivery.groupby("contract_id")[["delivered_value_gbp", "expected_value_gbp"]].sum(min_count=0)
    ids = contracts["contract_id"].astype(str)
    out = pd.DataFrame({"contract_id": ids.to_numpy()})
    out["delivered_value_gbp"] = ids.map(values["delivered_value_gbp"]).fillna(0.0).astype("float64").to_numpy()
    out["expected_value_gbp"] = ids.map(values["expected_value_gbp"]).fillna(0.0).astype("float64").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(
            out["expected_value_gbp"] > 0,
            100.0 * out["delivered_value_gbp"] / out["expected_value_gbp"].where(out["expected_value_gbp"] > 0, 1.0),
            np.nan,
        )
    out["pct_of_expected"] = pct
    out["status"] = [status_of(p, green, amber) for p in pct]
    out["contract"] = contracts["contract"].to_numpy()
    out["supplier"] = contracts["supplier"].to_numpy()
    return out


def status_counts(status: pd.DataFrame) -> pd.DataFrame:
    """Count contracts by status, in :data:`STATUSES` order (every status listed, 0 where none)."""
    counts = status["status"].value_counts()
    return pd.DataFrame({"status": list(STATUSES), "contracts": [int(counts.get(s, 0)) for s in STATUSES]})


def check_and_measure(
    contracts: pd.DataFrame,
    commitments: pd.DataFrame,
    returns: pd.DataFrame | Sequence[pd.DataFrame],
    measures: pd.DataFrame,
    as_of: pd.Timestamp | str | dt.date,
) -> tuple[pd.DataFrame, pd.DataFrame, Returns, list[Finding]]:
    """Check the inputs, apply replacements, and measure delivery and status to a date.

    Returns
    -------
    delivery : DataFrame
        :func:`delivery_table` to ``as_of``.
    status : DataFrame
        :func:`contract_status` with the thresholds in force on ``as_of``.
    resolved : Returns
        The returns in force and those replaced.
    warnings : list of Finding
        Warnings to show beside the results.

    Raises
    ------
    InputError
        Listing every error found by :func:`check_delivery_inputs`.
    """
    resolved = resolve_returns(returns)
    all_rows = (
        pd.concat([resolved.current, resolved.replaced], ignore_index=True)
        if len(resolved.replaced)
        else resolved.current
    )
    findings = check_delivery_inputs(contracts, commitments, all_rows, measures)
    raise_for_errors(findings)
    delivery = delivery_table(contracts, commitments, resolved.current, measures, as_of)
    green, amber = status_thresholds(pd.Timestamp(as_of))
    status = contract_status(delivery, contracts, green=green, amber=amber)
    return delivery, status, resolved, [f for f in findings if not f.is_error]
