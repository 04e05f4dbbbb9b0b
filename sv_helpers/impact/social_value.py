"""Contracts' social value as practitioners count it: gross, net and present value by contract and measure,
as a share of the contract's value, committed against claimed and validated, and how much the answer rests on
the assumptions.

Every value comes from the one valuation rule (:mod:`sv_helpers.core.valuation`) with the measures library's
adjustments. Delivery counts the returns in force up to the report's date (a corrected return replacing the
one it corrects), as the contract status does; a return whose evidence was rejected counts nowhere.

Model layer: pure functions on pandas objects.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sv_helpers.core import valuation as val
from sv_helpers.impact import delivery as dlv

BY_MEASURE_COLUMNS = [
    "contract_id",
    "measure_code",
    "quantity_delivered",
    "gross_value_gbp",
    "net_value_gbp",
    "present_value_gbp",
]

EVIDENCE_COLUMNS = [
    "contract_id",
    "contract_value",
    "committed_gbp",
    "committed_pct_of_contract_value",
    "claimed_gbp",
    "claimed_pct_of_contract_value",
    "validated_gbp",
    "validated_pct_of_contract_value",
]

#: The row of :func:`evidence_gap` that totals every contract.
ALL_CONTRACTS = "All contracts"


def value_by_measure(delivery: pd.DataFrame, measures: pd.DataFrame, basis: val.Discounting) -> pd.DataFrame:
    """Gross, net and present value of what each contract delivered of each measure.

    Parameters
    ----------
    delivery : DataFrame
        :func:`sv_helpers.impact.delivery.delivery_table` to the report's date.
    measures : DataFrame
        The measures library (its adjustments, where it has them).
    basis : Discounting
        The discount rate and convention.

    Returns
    -------
    DataFrame
        :data:`BY_MEASURE_COLUMNS`, one row for each contract and measure with a quantity delivered, in the
        delivery table's order; values blank for a measure counted but not monetised.
    """
    delivered = delivery[delivery["delivered_quantity"] > 0]
    values = val.value_items(delivered, measures, "delivered_quantity", basis)
    out = pd.DataFrame(
        {
            "contract_id": delivered["contract_id"].to_numpy(),
            "measure_code": delivered["measure_code"].to_numpy(),
            "quantity_delivered": delivered["delivered_quantity"].astype("float64").to_numpy(),
        }
    )
    for column in val.VALUE_COLUMNS:
        out[column] = values[column].to_numpy()
    return out[BY_MEASURE_COLUMNS]


def _sum(values: pd.Series) -> float:
    return math.fsum(v for v in values.tolist() if isinstance(v, float) and np.isfinite(v))


def pct_of_contract_value(present: pd.Series, contracts: pd.DataFrame) -> pd.Series:
    """Present value delivered ÷ the contract's value × 100, by the contracts' order (blank for a £0 contract)."""
    ids = contracts["contract_id"].astype(str)
    value = pd.to_numeric(contracts["contract_value"], errors="coerce").astype("float64").to_numpy()
    pv = ids.map(present).fillna(0.0).astype("float64").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.Series(np.where(value > 0, 100.0 * pv / np.where(value > 0, value, 1.0), np.nan), index=ids.index)


def present_value_by_contract(by_measure: pd.DataFrame) -> pd.Series:
    """Total present value delivered by contract, from :func:`value_by_measure`."""
    if not len(by_measure):
        return pd.Series(dtype="float64")
    return by_measure.groupby("contract_id")["present_value_gbp"].agg(_sum)


def evidence_gap(
    contracts: pd.DataFrame,
    commitments: pd.DataFrame,
    returns: pd.DataFrame,
    measures: pd.DataFrame,
    as_of: pd.Timestamp,
    basis: val.Discounting,
) -> pd.DataFrame:
    """Social value committed, claimed (submitted and validated returns) and validated, per contract and in total.

    All three are present values by the one rule: committed from the whole commitment, claimed and validated
    from the returns in force whose period ends by ``as_of``. Rejected returns count nowhere.

    Returns
    -------
    DataFrame
        :data:`EVIDENCE_COLUMNS`, a row per contract in the contracts file's order and a last row
        :data:`ALL_CONTRACTS`; percentages of the contract value (blank for a £0 contract).

    Examples
    --------
    A £1m contract with £200k committed, returns worth £80k validated, £40k submitted and £10k rejected:

    >>> m = pd.DataFrame({"measure_code": ["M"], "proxy_value_gbp": [1000.0]})
    >>> c = pd.DataFrame({"contract_id": ["C"], "contract_value": [1_000_000.0]})
    >>> k = pd.DataFrame({"contract_id": ["C"], "measure_code": ["M"], "committed_quantity": [200.0]})
    >>> r = pd.DataFrame({"contract_id": ["C"] * 3, "measure_code": ["M"] * 3,
    ...                   "period_end": pd.to_datetime(["2025-06-30"] * 3), "quantity_delivered": [80.0, 40.0, 10.0],
    ...                   "evidence_status": ["validated", "submitted", "rejected"]})
    >>> row = evidence_gap(c, k, r, m, pd.Timestamp("2026-03-31"), val.Discounting(3.5)).iloc[0]
    >>> float(row["committed_pct_of_contract_value"]), float(row["claimed_gbp"]), float(row["validated_gbp"])
    (20.0, 120000.0, 80000.0)
    """
    ids = contracts["contract_id"].astype(str)
    committed = commitments.assign(contract_id=commitments["contract_id"].astype(str))
    committed_pv = committed.assign(
        pv=val.value_items(committed, measures, "committed_quantity", basis)["present_value_gbp"].to_numpy()
    )
    in_time = returns[(pd.to_datetime(returns["period_end"]) <= pd.Timestamp(as_of)).to_numpy()]
    status = dlv.evidence_status(in_time)
    valued = in_time.assign(
        contract_id=in_time["contract_id"].astype(str),
        pv=val.value_items(in_time, measures, "quantity_delivered", basis)["present_value_gbp"].to_numpy(),
        status=status.to_numpy(),
    )

    def by_contract(frame: pd.DataFrame) -> pd.Series:
        totals = frame.groupby("contract_id")["pv"].agg(_sum) if len(frame) else pd.Series(dtype="float64")
        return ids.map(totals).fillna(0.0).astype("float64")

    out = pd.DataFrame({"contract_id": ids.to_numpy()})
    out["contract_value"] = pd.to_numeric(contracts["contract_value"], errors="coerce").astype("float64").to_numpy()
    out["committed_gbp"] = by_contract(committed_pv).to_numpy()
    out["claimed_gbp"] = by_contract(valued[valued["status"].isin(["submitted", "validated"]).to_numpy()]).to_numpy()
    out["validated_gbp"] = by_contract(valued[(valued["status"] == "validated").to_numpy()]).to_numpy()
    total = {"contract_id": ALL_CONTRACTS}
    for column in ("contract_value", "committed_gbp", "claimed_gbp", "validated_gbp"):
        total[column] = math.fsum(out[column].tolist())
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    value = out["contract_value"].to_numpy()
    for name in ("committed", "claimed", "validated"):
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"{name}_pct_of_contract_value"] = np.where(
                value > 0, 100.0 * out[f"{name}_gbp"].to_numpy() / np.where(value > 0, value, 1.0), np.nan
            )
    return out[EVIDENCE_COLUMNS]


def valued_items(delivery_in_year: pd.DataFrame, activities: pd.DataFrame | None) -> pd.DataFrame:
    """The items the year's social value is made of (contracts' delivery in the year and valued activities), as
    ``measure_code, quantity`` for :func:`sv_helpers.core.valuation.sensitivity`."""
    parts = [
        pd.DataFrame(
            {
                "measure_code": delivery_in_year["measure_code"].astype(str).to_numpy(),
                "quantity": delivery_in_year["delivered_quantity"].astype("float64").to_numpy(),
            }
        )
    ]
    if activities is not None and len(activities):
        codes = activities["measure_code"].fillna("").astype(str).str.strip()
        named = activities[(codes != "").to_numpy()]
        parts.append(
            pd.DataFrame(
                {
                    "measure_code": codes[codes != ""].to_numpy(),
                    "quantity": pd.to_numeric(named["quantity"], errors="coerce").astype("float64").to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
