"""The planning gain area on the scenario core: ``Settings`` → ``load`` → ``run`` → ``write`` (model layer).

One run takes the CIL receipts, the parishes, the CIL spending ledger, the
section 106 ledger and the bids for strategic CIL (each optional) for one
financial year and gives the neighbourhood portion by parish with its
instalments, the S106 money at risk, the Infrastructure Funding Statement
(CIL and S106 reports) and the CIL spending scenarios compared side by side.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from sv_helpers import grants
from sv_helpers.core.errors import Finding, InputError
from sv_helpers.core.formatting import financial_year_bounds, format_date, format_money, parse_financial_year
from sv_helpers.core.parameters import parameter_value
from sv_helpers.core.paths import resolve_path
from sv_helpers.core.scenario import (
    Inputs,
    Result,
    SettingsBase,
    Spec,
    make_provenance,
    numbers_mapping,
    setting,
)
from sv_helpers.core.tables import check_table, load_table, parse_date
from sv_helpers.planning import allocation, ifs, neighbourhood, s106
from sv_helpers.planning.administration import administration_amount
from sv_helpers.planning.schemas import SCHEMAS

EXAMPLE_DIR = "data/planning"
EXAMPLE_NOTE = (
    "This is the FICTIONAL example ledger: the parish and town council names are the real councils of Sevenoaks "
    "District, but every amount, date, dwelling count, neighbourhood plan date, development, agreement and bid is "
    "invented (each development and bid says '(example)'). Load the council's own ledgers before quoting any figure."
)
#: The input settings, in order, with the ledger each reads.
INPUTS: dict[str, str] = {
    "cil_receipts_path": "cil_receipts",
    "parishes_path": "parishes",
    "cil_spend_path": "cil_spend",
    "s106_path": "s106",
    "cil_bids_path": "cil_bids",
}


def _financial_year(value: str, spec: Spec) -> str:
    start = parse_financial_year(value)
    if not 2010 <= start <= 2100:
        raise InputError(
            f"The setting '{spec.label}' ({spec.name}) must be a financial year from 2010/11 (when CIL began) "
            f"to 2100/01; '{value}' is not."
        )
    return f"{start}/{(start + 1) % 100:02d}"


def _date_or_blank(value: str, spec: Spec) -> str:
    if not value.strip():
        return ""
    try:
        date = parse_date(value)
        if not 2000 <= date.year <= 2100:
            raise ValueError
        return date.strftime("%Y-%m-%d")
    except (ValueError, OverflowError):
        raise InputError(
            f"The setting '{spec.label}' ({spec.name}) must be a date from 2000 to 2100 such as "
            f"2026-03-31, or blank for the end of the financial year; '{value[:40]}' is not a date."
        ) from None


@dataclass(frozen=True)
class Settings(SettingsBase):
    """Every setting of a planning gain run (the notebook's papermill parameters and the app's controls)."""

    AREA: ClassVar[str] = "planning"
    NOTEBOOK: ClassVar[str] = "planning_gain.ipynb"

    cil_receipts_path: str = setting(
        f"{EXAMPLE_DIR}/example_cil_receipts.csv", label="CIL receipts", kind="path", optional=True
    )
    parishes_path: str = setting(f"{EXAMPLE_DIR}/example_parishes.csv", label="Parishes", kind="path", optional=True)
    cil_spend_path: str = setting(
        f"{EXAMPLE_DIR}/example_cil_spend.csv", label="CIL spending ledger", kind="path", optional=True
    )
    s106_path: str = setting(f"{EXAMPLE_DIR}/example_s106.csv", label="Section 106 ledger", kind="path", optional=True)
    cil_bids_path: str = setting(
        f"{EXAMPLE_DIR}/example_cil_bids.csv", label="Bids for strategic CIL", kind="path", optional=True
    )
    financial_year: str = setting("2025/26", label="Financial year", check=_financial_year)
    as_of: str = setting("", label="As-of date (blank: the end of the year)", check=_date_or_blank)
    admin_share_pct: float = setting(
        parameter="planning.admin_share_pct",
        kind="float",
        minimum=0,
        maximum=float(parameter_value("planning.admin_share_max_pct")),
    )
    at_risk_months: int = setting(parameter="planning.at_risk_months", kind="int", minimum=1, maximum=120)
    carried_forward: float | None = setting(
        None,
        label="Strategic CIL carried forward (£; blank: from the ledger)",
        kind="float",
        minimum=0,
        maximum=1e10,
        optional=True,
    )
    min_score: float = setting(0.0, label="Lowest bid score funded", minimum=0, maximum=100)
    partial: bool = setting(False, label="Optimal: allow partial awards down to the minimum award")
    type_floors: dict = setting(
        {},
        label="Optimal: least share of the budget per infrastructure type",
        kind="mapping",
        check=numbers_mapping(0, 1, key_label="infrastructure type"),
    )
    ward_cap: float | None = setting(
        None, label="Optimal: most to any one ward (£)", kind="float", minimum=0, maximum=1e10, optional=True
    )

    def check(self) -> None:
        if sum(self.type_floors.values()) > 1 + 1e-9:
            raise InputError(
                "The least shares of the infrastructure types add up to more than the whole budget; "
                "lower them so they add up to 100% or less."
            )

    @property
    def as_of_date(self) -> pd.Timestamp:
        """The as-of date: the setting, or 31 March at the end of the financial year."""
        return pd.Timestamp(self.as_of) if self.as_of else financial_year_bounds(self.financial_year)[1]

    @property
    def is_example(self) -> bool:
        example_dir = resolve_path(EXAMPLE_DIR).resolve()
        return all(
            resolve_path(p).resolve().parent == example_dir and Path(p).name.startswith("example_")
            for p in self.input_paths().values()
        )


@dataclass
class PlanningDetail:
    """What the app and the report show beyond the output tables."""

    financial_year: str
    as_of: pd.Timestamp
    receipts: float
    by_receipt: pd.DataFrame
    administration: float
    strategic_available: float
    carried_forward: float
    s106_by_obligation: pd.DataFrame
    s106_by_ward: pd.DataFrame
    methods: pd.DataFrame
    by_type: pd.DataFrame
    infrastructure_list: pd.DataFrame
    ward_money: pd.DataFrame
    is_example: bool
    not_recorded: tuple = ifs.NOT_RECORDED


# --------------------------------------------------------------------------- load


def _empty(name: str) -> pd.DataFrame:
    schema = dataclasses.replace(SCHEMAS[name], min_rows=0)
    return check_table(pd.DataFrame(columns=schema.column_names), schema, filename=name)


def _match_wards(table: pd.DataFrame, filename: str) -> tuple[pd.DataFrame, list[Finding]]:
    """Official ward names where a ward is recognised; a warning (not an error) for one that is not."""
    out, findings = table.copy(), []
    for row, ward in table["ward"].items():
        if isinstance(ward, str) and ward.strip():
            official = grants.match_ward(ward)
            if official is None:
                findings.append(
                    Finding(
                        "warning",
                        f"{filename}, row {row}, column 'ward': '{ward}' is not a Sevenoaks ward "
                        "(2013 names), so it is left off the ward map.",
                    )
                )
            else:
                out.at[row, "ward"] = official
    return out, findings


def load(settings: Settings) -> Inputs:
    """Read the ledgers the settings name (a blank path gives an empty ledger).

    Raises
    ------
    InputError
        Naming the file, row and column of a problem.
    """
    values: dict[str, Any] = {"findings": []}
    sources: dict[str, Path | bytes] = {}
    for setting_name, name in INPUTS.items():
        path = getattr(settings, setting_name)
        if not path:
            values[name] = _empty(name)
            continue
        resolved = resolve_path(path, setting=setting_name, expect="file")
        table = load_table(resolved, SCHEMAS[name], filename=Path(path).name)
        if "ward" in table.columns:
            table, found = _match_wards(table, Path(path).name)
            values["findings"] += found
        values[name] = table
        sources[name] = resolved
    neighbourhood.require_parishes(values["cil_receipts"], values["parishes"])
    values["findings"] += neighbourhood.check_receipts(
        values["cil_receipts"], values["parishes"], filename=Path(settings.cil_receipts_path or "receipts").name
    )
    return Inputs(values=values, sources=sources)


# --------------------------------------------------------------------------- run


def _ward_money(s106_table: pd.DataFrame, spend: pd.DataFrame, financial_year: str) -> pd.DataFrame:
    """S106 money received and CIL spent in the year, by ward (every ward of the district)."""
    start, end = financial_year_bounds(financial_year)
    wards = pd.DataFrame({"ward": grants.ward_names()})
    received = s106_table[(s106_table["date_received"] >= start) & (s106_table["date_received"] <= end)]
    s = received.groupby("ward")["amount_received"].sum()
    spent = spend[(spend["entry"] == "spent") & (spend["date"] >= start) & (spend["date"] <= end)]
    c = spent.groupby("ward")["amount"].sum()
    wards["s106_received"] = wards["ward"].map(s).fillna(0.0).round(2)
    wards["cil_spent"] = wards["ward"].map(c).fillna(0.0).round(2)
    wards["total"] = (wards["s106_received"] + wards["cil_spent"]).round(2)
    return wards


def headline(
    financial_year: str,
    receipts: float,
    portion_passed: float,
    councils: int,
    at_risk: pd.DataFrame,
    at_risk_months: int,
) -> str:
    """The answer in one or two sentences, as the issue gives it."""
    text = (
        f"In {financial_year} the council received {format_money(receipts)} of CIL; {format_money(portion_passed)} "
        f"passes to {councils} parish {'council' if councils == 1 else 'councils'}; "
    )
    risk = at_risk[at_risk["status"] == s106.AT_RISK]
    past = at_risk[at_risk["status"] == s106.PAST_DEADLINE]
    if len(risk):
        last = pd.Timestamp(risk["spend_by_date"].max())
        text += f"{format_money(risk['unspent'].sum())} of S106 money must be spent by {format_date(last)} or repaid."
    else:
        text += f"no S106 money has to be spent within {at_risk_months} months or repaid."
    if len(past):
        text += f" {format_money(past['unspent'].sum())} of S106 money is already past its deadline."
    return text


def run(settings: Settings, inputs: Inputs | None = None) -> Result:
    """Run the planning gain rules for the settings' financial year (pure: no files written).

    Raises
    ------
    InputError
        For a ledger that does not fit its rules, or allocation rules that cannot all be met.
    """
    inputs = inputs if inputs is not None else load(settings)
    receipts, parishes, spend = inputs["cil_receipts"], inputs["parishes"], inputs["cil_spend"]
    s106_table, bids = inputs["s106"], inputs["cil_bids"]
    fy, as_of = settings.financial_year, settings.as_of_date
    findings = [f for f in inputs.get("findings", []) if not f.is_error]

    # What depends only on the ledgers and the year is made once per year (a redraw changes one setting).
    by_parish, by_receipt = inputs.remember(
        ("neighbourhood_portion", fy), lambda: neighbourhood.neighbourhood_portion(receipts, parishes, fy)
    )
    findings += [Finding("warning", m) for m in neighbourhood.describe_cap(by_receipt)]
    total = round(float(by_receipt["amount"].sum()), 2)
    admin = administration_amount(total, settings.admin_share_pct)
    parished = by_parish[by_parish["parish"] != neighbourhood.UNPARISHED]
    passed = round(float(parished["neighbourhood_portion"].sum()), 2)
    kept = round(float(by_parish["neighbourhood_portion"].sum()) - passed, 2)
    councils = int((parished["neighbourhood_portion"] > 0).sum())

    # Each year's portion by receipt, kept with the inputs: the report's earlier years are worked out once.
    by_year = inputs.remember(("portion_by_year",), dict)
    by_year.setdefault(fy, by_receipt)
    cil_report = ifs.ifs_cil(receipts, parishes, spend, fy, settings.admin_share_pct, cache=by_year)
    s106_report = inputs.remember(("ifs_s106", fy), lambda: ifs.ifs_s106(s106_table, fy))
    at_risk = inputs.remember(
        ("s106_at_risk", as_of, settings.at_risk_months),
        lambda: s106.s106_at_risk(s106_table, as_of, settings.at_risk_months),
    )

    if settings.carried_forward is None:
        items = cil_report.set_index("paragraph")["amount"]
        carried = round(float(items.get("1(c)", 0.0)), 2)
    else:
        carried = float(settings.carried_forward)
    budget = round(total - passed - kept - admin + carried, 2)
    rules = {
        "min_score": settings.min_score,
        "partial": settings.partial,
        "type_floors": settings.type_floors,
        "ward_cap": settings.ward_cap,
    }
    if len(bids) and budget <= 0:
        findings.append(
            Finding("warning", f"There is no strategic CIL to allocate ({format_money(budget)}), so no bid is funded.")
        )
        cil_allocation = allocation.compare_methods(bids.iloc[0:0], 0.0)
    else:
        cil_allocation = allocation.compare_methods(bids, budget, **rules)

    text = headline(fy, total, passed, councils, at_risk, settings.at_risk_months)
    summary = {
        "cil_receipts": total,
        "neighbourhood_portion": passed,
        "parish_councils_paid": councils,
        "neighbourhood_kept": kept,
        "administration": admin,
        "strategic_available": budget,
        "s106_at_risk": round(float(at_risk.loc[at_risk["status"] == s106.AT_RISK, "unspent"].sum()), 2),
        "s106_past_deadline": round(float(at_risk.loc[at_risk["status"] == s106.PAST_DEADLINE, "unspent"].sum()), 2),
        "s106_held": round(float(s106.unspent(s106_table).sum()), 2),
    }
    detail = PlanningDetail(
        financial_year=fy,
        as_of=as_of,
        receipts=total,
        by_receipt=by_receipt,
        administration=admin,
        strategic_available=budget,
        carried_forward=carried,
        s106_by_obligation=inputs.remember(
            ("s106_by", "obligation"), lambda: s106.s106_totals(s106_table, "obligation")
        ),
        s106_by_ward=inputs.remember(("s106_by", "ward"), lambda: s106.s106_totals(s106_table, "ward")),
        methods=allocation.method_summary(cil_allocation, budget),
        by_type=allocation.awarded_by_type(cil_allocation),
        infrastructure_list=inputs.remember(("infrastructure_list",), lambda: ifs.infrastructure_list(spend, bids)),
        ward_money=inputs.remember(("ward_money", fy), lambda: _ward_money(s106_table, spend, fy)),
        is_example=settings.is_example,
    )
    tables = {
        "neighbourhood_portion": by_parish,
        "s106_at_risk": at_risk,
        "ifs_cil": cil_report,
        "ifs_s106": s106_report,
        "cil_allocation": cil_allocation,
    }
    return Result(
        settings=settings,
        tables=tables,
        findings=findings,
        headline=text,
        provenance=make_provenance(settings, inputs.sources),
        summary=summary,
        detail=detail,
    )


# --------------------------------------------------------------------------- write


# --------------------------------------------------------------------------- for the notebook


def describe_inputs(settings: Settings, inputs: Inputs) -> pd.DataFrame:
    """One row per ledger: the file read (or 'none') and how many rows it has."""
    rows = []
    for setting_name, name in INPUTS.items():
        path = getattr(settings, setting_name)
        rows.append(
            {
                "ledger": SCHEMAS[name].description.rstrip("."),
                "file": Path(path).name if path else "none",
                "rows": int(len(inputs[name])),
            }
        )
    return pd.DataFrame(rows)


def compare_results(first: Result, second: Result, names: tuple[str, str] = ("first", "second")) -> pd.DataFrame:
    """The summary figures of two runs side by side, with the difference (second less first)."""
    keys = [k for k in first.summary if isinstance(first.summary[k], (int, float))]
    return pd.DataFrame(
        {
            "figure": keys,
            names[0]: [first.summary[k] for k in keys],
            names[1]: [second.summary.get(k) for k in keys],
            "difference": [round(float(second.summary.get(k, 0)) - float(first.summary[k]), 2) for k in keys],
        }
    )
