"""The impact report's contents: what it holds for one financial year, social value by source and theme, the
plain-English summary, the checks of its inputs and :func:`build_impact_report`, which puts them together.

Sources of social value: ``contracts`` (suppliers' returns), ``grants``
(the grants app's allocations and grant monitoring returns), ``employer``,
``partnerships`` and ``planning`` (the council's activities table).  Grant,
activity and climate inputs are optional: the report says plainly when one
is not provided.

Model layer: pure functions on pandas objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sv_helpers.core import valuation as val
from sv_helpers.core.errors import Finding, InputError, raise_for_errors
from sv_helpers.core.formatting import (
    financial_year_bounds,
    format_date,
    format_money,
    format_number,
    format_pct,
    sentence_list,
)
from sv_helpers.core.measures import THEMES
from sv_helpers.impact import activities as act
from sv_helpers.impact import delivery as dlv
from sv_helpers.impact import social_value as sv
from sv_helpers.impact.climate_results import climate_progress, climate_sentence
from sv_helpers.impact.grant_results import check_grant_monitoring, grant_outcomes, grant_social_value
from sv_helpers.impact.planning_gain import planning_figures, planning_sentence

#: The sources of social value, in the order the report shows them.
SOURCES: tuple[str, ...] = ("contracts", "grants", "employer", "partnerships", "planning")


BY_THEME_COLUMNS = ["source", "theme", "value_gbp", "figures", "figures_valued"]


@dataclass
class ImpactReport:
    """Everything the impact report shows for one financial year.

    Tables are plain DataFrames with the names used in files and on screen;
    ``summary`` is the plain-English summary, one sentence per item.
    """

    financial_year: str
    as_of: pd.Timestamp
    delivery: pd.DataFrame
    delivery_in_year: pd.DataFrame
    status: pd.DataFrame
    status_counts: pd.DataFrame
    replaced_returns: pd.DataFrame
    by_theme: pd.DataFrame
    activities: pd.DataFrame | None = None
    volunteering: dict[str, float] | None = None
    planning: pd.DataFrame | None = None
    planning_ifs: pd.DataFrame | None = None
    planning_figures: dict[str, float] | None = None
    grants: pd.DataFrame | None = None
    grants_monitored: bool = False
    climate: dict[str, Any] | None = None
    summary: list[str] = field(default_factory=list)
    not_provided: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    green: float = 90.0
    amber: float = 70.0
    contracts: pd.DataFrame | None = None
    climate_pathway: pd.DataFrame | None = None
    contract_id: str = ""
    profile: pd.DataFrame | None = None
    example_note: str | None = None
    sources_note: str = ""
    by_measure: pd.DataFrame | None = None
    evidence: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    basis: val.Discounting | None = None
    is_adjusted: bool = False
    grant_value: pd.DataFrame | None = None
    grant_return: dict[str, float] | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """The report's tables for download and batch output, by file stem."""
        out = {
            "delivery": self.delivery,
            "contract_status": self.status,
            "impact_by_theme": self.by_theme,
            "delivery_in_year": self.delivery_in_year,
            "replaced_returns": self.replaced_returns,
        }
        if self.activities is not None:
            out["activities"] = self.activities
        if self.planning is not None:
            out["planning_money"] = self.planning
        if self.planning_ifs is not None:
            out["planning_ifs"] = self.planning_ifs
        if self.grants is not None:
            out["grant_outcomes"] = self.grants
        if self.by_measure is not None:
            out["social_value_by_measure"] = self.by_measure
        if self.evidence is not None:
            out["social_value_evidence"] = self.evidence
        if self.sensitivity is not None:
            out["social_value_sensitivity"] = self.sensitivity
        if self.grant_value is not None:
            out["grant_social_value"] = self.grant_value
        return out

    @property
    def method_note(self) -> str:
        """How social value is counted, and which discounting was used (every page that shows it says so)."""
        return val.method_note(self.basis or val.discounting())

    @property
    def summary_text(self) -> str:
        return " ".join(self.summary)


def by_theme_table(
    delivery_in_year: pd.DataFrame,
    activities: pd.DataFrame | None,
    grants_allocations: pd.DataFrame | None,
    contract_values: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Social value in pounds by source and theme, with the number of figures behind each.

    Parameters
    ----------
    delivery_in_year : DataFrame
        Contracts' delivery in the year (:func:`sv_helpers.impact.delivery.delivery_table` with ``since``).
    activities : DataFrame, optional
        Valued activities for the year (:func:`sv_helpers.impact.activities.value_activities`).
    grants_allocations : DataFrame, optional
        The grant allocations; funded grants are counted under their theme
        when it is one of the three, and are not monetised.
    contract_values : DataFrame, optional
        Gross, net and present value of each row of ``delivery_in_year``
        (:func:`sv_helpers.core.valuation.value_items`); without it, all three are the gross value.

    Returns
    -------
    DataFrame
        :data:`BY_THEME_COLUMNS` then ``gross_value_gbp`` and ``net_value_gbp``: a row for every source and theme
        (value 0 where nothing is valued); ``value_gbp`` is the present value (the one rule,
        :mod:`sv_helpers.core.valuation`), ``figures`` counts the rows behind the cell, ``figures_valued`` those
        with a value in pounds.
    """
    parts = []
    delivered = (delivery_in_year["delivered_quantity"] > 0).to_numpy()
    contracts = delivery_in_year[delivered]
    gross = contracts["delivered_value_gbp"].to_numpy()
    values = contract_values[delivered] if contract_values is not None else None
    parts.append(
        pd.DataFrame(
            {
                "source": "contracts",
                "theme": contracts["theme"].to_numpy(),
                "value_gbp": values["present_value_gbp"].to_numpy() if values is not None else gross,
                "gross_value_gbp": gross,
                "net_value_gbp": values["net_value_gbp"].to_numpy() if values is not None else gross,
            }
        )
    )
    if activities is not None and len(activities):
        own_gross = activities["value_gbp"].to_numpy()
        parts.append(
            pd.DataFrame(
                {
                    "source": activities["source"].to_numpy(),
                    "theme": activities["theme"].to_numpy(),
                    "value_gbp": activities["present_value_gbp"].to_numpy()
                    if "present_value_gbp" in activities.columns
                    else own_gross,
                    "gross_value_gbp": own_gross,
                    "net_value_gbp": activities["net_value_gbp"].to_numpy()
                    if "net_value_gbp" in activities.columns
                    else own_gross,
                }
            )
        )
    if grants_allocations is not None and len(grants_allocations):
        funded = grants_allocations[grants_allocations["funded"].astype(bool).to_numpy()]
        themed = funded[funded["theme"].astype(str).str.lower().isin(THEMES)]
        parts.append(
            pd.DataFrame(
                {
                    "source": "grants",
                    "theme": themed["theme"].astype(str).str.lower().to_numpy(),
                    "value_gbp": np.nan,
                    "gross_value_gbp": np.nan,
                    "net_value_gbp": np.nan,
                }
            )
        )
    rows = pd.concat(parts, ignore_index=True)
    for column in ("value_gbp", "gross_value_gbp", "net_value_gbp"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce").astype("float64")
    rows["valued"] = rows["value_gbp"].notna()
    grid = pd.MultiIndex.from_product([SOURCES, THEMES], names=["source", "theme"])
    grouped = rows.groupby(["source", "theme"]).agg(
        value_gbp=("value_gbp", lambda s: s.sum(min_count=0)),
        figures=("valued", "size"),
        figures_valued=("valued", "sum"),
        gross_value_gbp=("gross_value_gbp", lambda s: s.sum(min_count=0)),
        net_value_gbp=("net_value_gbp", lambda s: s.sum(min_count=0)),
    )
    out = grouped.reindex(grid).reset_index()
    for column in ("value_gbp", "gross_value_gbp", "net_value_gbp"):
        out[column] = out[column].fillna(0.0).astype("float64")
    out["figures"] = out["figures"].fillna(0).astype(int)
    out["figures_valued"] = out["figures_valued"].fillna(0).astype(int)
    return out[BY_THEME_COLUMNS + ["gross_value_gbp", "net_value_gbp"]]


def summary_sentences(report: ImpactReport) -> list[str]:
    """Write the plain-English summary from the report's figures (no figure is stated that is not in a table)."""
    fy = report.financial_year
    out: list[str] = []
    in_year = float(report.delivery_in_year["delivered_value_gbp"].sum(min_count=0))
    delivered = float(report.status["delivered_value_gbp"].sum())
    expected = float(report.status["expected_value_gbp"].sum())
    counts = dict(zip(report.status_counts["status"], report.status_counts["contracts"], strict=False))
    pct = format_pct(100.0 * delivered / expected, 0) if expected > 0 else None
    n = len(report.status)
    status_words = sentence_list([f"{counts[s]} {s}" for s in dlv.STATUSES if counts.get(s)])
    first = f"In {fy} contracts delivered {format_money(in_year)} of social value."
    if report.is_adjusted:
        contracts_year = report.by_theme[report.by_theme["source"] == "contracts"]
        first = (
            f"In {fy} contracts delivered {format_money(contracts_year['value_gbp'].sum())} of social value in "
            f"present value ({format_money(in_year)} gross; {format_money(contracts_year['net_value_gbp'].sum())} "
            "net, after what would have happened anyway, others' share and what moved from elsewhere; present "
            "value adds the later years it lasts, discounted)."
        )
    if pct:
        first += (
            f" Since they began, the {n} contract{'s' if n != 1 else ''} tracked have delivered "
            f"{format_money(delivered)}{' gross' if report.is_adjusted else ''}, "
            f"{pct} of the {format_money(expected)} expected by {format_date(report.as_of)} ({status_words})."
        )
    else:
        first += (
            f" No monetised delivery was expected from the {n} contract{'s' if n != 1 else ''} tracked by "
            f"{format_date(report.as_of)}."
        )
    out.append(first)

    if report.activities is not None:
        own = report.by_theme[report.by_theme["source"].isin(act.ACTIVITY_SOURCES)]
        valued = float(own["value_gbp"].sum())
        counted = int(own["figures"].sum() - own["figures_valued"].sum())
        text = (
            "The council's own activities as an employer, through partnerships and through planning added "
            f"{format_money(valued)} of valued social value, with {counted} further "
            f"figure{'s' if counted != 1 else ''} reported as counts."
        )
        vol = report.volunteering or {}
        if np.isfinite(vol.get("hours", np.nan)):
            text += f" Staff gave {format_number(vol['hours'])} volunteering hours"
            if np.isfinite(vol.get("take_up_pct", np.nan)):
                text += (
                    f"; {format_number(vol['volunteers'])} of {format_number(vol['headcount'])} staff "
                    f"({format_pct(vol['take_up_pct'], 0)}) took part"
                )
            if np.isfinite(vol.get("pct_of_entitlement", np.nan)):
                text += f", using {format_pct(vol['pct_of_entitlement'], 0)} of the volunteering leave available"
            text += "."
        if report.planning is not None and len(report.planning) and report.planning_figures is None:
            ind = report.planning["indicator"].str.lower()
            received = float(report.planning.loc[ind.str.contains("received").to_numpy(), "amount_gbp"].sum())
            spent = float(report.planning.loc[ind.str.contains("spent").to_numpy(), "amount_gbp"].sum())
            text += (
                f" Planning secured {format_money(received)} in Community Infrastructure Levy and developer "
                f"contributions, and {format_money(spent)} was spent."
            )
        out.append(text)

    if report.planning_figures is not None:
        out.append(planning_sentence(report.planning_figures))

    if report.grants is not None:
        total = report.grants.iloc[-1]
        n = int(total["grants_funded"])
        text = (
            f"{n} community grant{'s' if n != 1 else ''} worth {format_money(total['awarded_gbp'])} "
            f"{'were' if n != 1 else 'was'} funded"
        )
        if report.grants_monitored:
            extras = []
            if pd.notna(total["volunteer_hours"]):
                extras.append(f"{format_number(total['volunteer_hours'])} volunteer hours")
            if pd.notna(total["beneficiaries"]):
                extras.append(f"{format_number(total['beneficiaries'])} beneficiaries")
            text += f"; monitoring returns report {sentence_list(extras)}" if extras else ""
        elif pd.notna(total["beneficiaries"]):
            text += (
                f", expected at award to benefit {format_number(total['beneficiaries'])} people "
                "(no monitoring returns were given)"
            )
        out.append(text + ".")
        if report.grant_return is not None:
            g = report.grant_return
            ratio = g["sroi_ratio"]
            out.append(
                f"The outcomes the grant monitoring returns name are worth {format_money(g['present_value_gbp'])} in "
                f"present value ({format_money(g['gross_value_gbp'])} gross)"
                + (
                    f": {format_money(ratio, 2)} of social value for each pound granted, a social return on "
                    f"investment of {format_number(ratio, 2)} to 1."
                    if ratio is not None
                    else "."
                )
            )

    if report.climate is not None:
        out.append(climate_sentence(report.climate))

    if report.evidence is not None and len(report.evidence) > 1:
        total = report.evidence.iloc[-1]
        out.append(
            f"Suppliers committed {format_money(total['committed_gbp'])} of social value in present value "
            f"({format_pct(total['committed_pct_of_contract_value'], 1)} of the contracts' value); returns to "
            f"{format_date(report.as_of)} claim {format_money(total['claimed_gbp'])}, of which "
            f"{format_money(total['validated_gbp'])} ({format_pct(total['validated_pct_of_contract_value'], 1)}) "
            "has validated evidence. Rejected returns count nowhere."
        )

    theme_totals = report.by_theme.groupby("theme")["value_gbp"].sum()
    label = "By theme, in present value: " if report.is_adjusted else "By theme: "
    out.append(label + sentence_list([f"{t} {format_money(theme_totals.get(t, 0.0))}" for t in THEMES]) + ".")
    if report.not_provided:
        out.append(f"Not provided for this report: {sentence_list(report.not_provided)}.")
    return out


def check_report_inputs(
    contracts: pd.DataFrame,
    commitments: pd.DataFrame,
    returns: dlv.Returns | pd.DataFrame | Sequence[pd.DataFrame],
    measures: pd.DataFrame,
    activities: pd.DataFrame | None = None,
    grant_allocations: pd.DataFrame | None = None,
    grant_monitoring: pd.DataFrame | None = None,
) -> list[Finding]:
    """Every check the report makes of its inputs, before it is built (errors stop the report; warnings are shown).

    ``returns`` may be the loaded returns or a :class:`~sv_helpers.impact.delivery.Returns` already resolved; replaced
    returns are checked too.
    """
    resolved = returns if isinstance(returns, dlv.Returns) else dlv.resolve_returns(returns)
    all_returns = (
        pd.concat([resolved.current, resolved.replaced], ignore_index=True)
        if len(resolved.replaced)
        else resolved.current
    )
    findings = dlv.check_delivery_inputs(contracts, commitments, all_returns, measures)
    if activities is not None:
        findings += act.check_activities(activities, measures)
    if grant_monitoring is not None and grant_allocations is None:
        findings.append(
            Finding(
                "warning",
                "Grant monitoring returns were given without the grant allocations, so they "
                "are not used. Load the grants app's allocations.csv as well.",
            )
        )
    if grant_monitoring is not None and grant_allocations is not None:
        findings += check_grant_monitoring(grant_allocations, grant_monitoring, measures)
    return findings


def build_impact_report(
    financial_year: str,
    *,
    contracts: pd.DataFrame,
    commitments: pd.DataFrame,
    returns: pd.DataFrame | Sequence[pd.DataFrame],
    measures: pd.DataFrame,
    as_of: pd.Timestamp | str | dt.date | None = None,
    activities: pd.DataFrame | None = None,
    grant_allocations: pd.DataFrame | None = None,
    grant_monitoring: pd.DataFrame | None = None,
    climate_summary: Mapping[str, Any] | None = None,
    climate_pathway: pd.DataFrame | None = None,
    green: float | None = None,
    amber: float | None = None,
    planning_ifs: Mapping[str, Any] | None = None,
    basis: val.Discounting | None = None,
) -> ImpactReport:
    """Check every input and build the impact report for a financial year.

    Parameters
    ----------
    financial_year : str
        ``2025/26``.
    contracts, commitments, returns, measures : DataFrame
        Contract delivery inputs (see :mod:`sv_helpers.impact.delivery`).
    as_of : date, optional
        The date delivery is measured to; default the last day of the year.
    activities : DataFrame, optional
        The council's activities table (all years; the year's rows are used).
    grant_allocations, grant_monitoring : DataFrame, optional
        The grants app's allocations and the monitoring returns.
    climate_summary, climate_pathway : optional
        The climate app's ``summary.json`` (as a dict) and ``pathway.csv``.
    green, amber : float, optional
        The status thresholds (percent of the value expected); default the
        ``impact.status_*_threshold`` parameters in force on ``as_of``.
    planning_ifs : mapping, optional
        The planning gain notebook's Infrastructure Funding Statement (:func:`load_planning_ifs`); when given,
        the report's planning figures come from it instead of the activities table's counts.
    basis : Discounting, optional
        The discount rate and convention of present values (default the Green Book's, from
        ``data/parameters/impact/discount_rate_pct.yaml``).

    Returns
    -------
    ImpactReport

    Raises
    ------
    InputError
        Listing every error in the inputs.
    """
    start, end = financial_year_bounds(financial_year)
    as_of = pd.Timestamp(as_of) if as_of is not None and str(as_of).strip() else end
    if as_of < start:
        raise InputError(
            f"The date to measure delivery to ({format_date(as_of)}) is before the financial year {financial_year} "
            f"begins ({format_date(start)}). Choose a date in or after the year."
        )
    resolved = dlv.resolve_returns(returns)
    findings = check_report_inputs(
        contracts, commitments, resolved, measures, activities, grant_allocations, grant_monitoring
    )
    raise_for_errors(findings)

    delivery = dlv.delivery_table(contracts, commitments, resolved.current, measures, as_of)
    in_year = dlv.delivery_table(contracts, commitments, resolved.current, measures, min(as_of, end), since=start)
    if green is None or amber is None:
        in_force = dlv.status_thresholds(as_of)
        green = in_force[0] if green is None else green
        amber = in_force[1] if amber is None else amber
    green, amber = float(green), float(amber)
    status = dlv.contract_status(delivery, contracts, green=green, amber=amber)
    basis = basis or val.discounting()
    by_measure = sv.value_by_measure(delivery, measures, basis)
    status["social_value_pct_of_contract_value"] = sv.pct_of_contract_value(
        sv.present_value_by_contract(by_measure), contracts
    ).to_numpy()
    in_year_values = val.value_items(in_year, measures, "delivered_quantity", basis)

    not_provided = []
    year_activities = volunteering = planning = None
    if activities is not None:
        year_activities = act.value_activities(act.activities_for_year(activities, financial_year), measures, basis)
        if not len(year_activities):
            findings.append(
                Finding(
                    "warning",
                    f"The activities file has no rows for {financial_year}; the council's own activities are left out.",
                )
            )
            year_activities = None
            not_provided.append(f"the council's own activities for {financial_year}")
        else:
            volunteering = act.volunteering_summary(year_activities, financial_year)
            planning = act.planning_money(year_activities)
    else:
        not_provided.append("the council's own activities")
    grants = grant_value = None
    if grant_allocations is not None:
        grant_value = grant_social_value(grant_allocations, grant_monitoring, measures, basis)
        grants = grant_outcomes(grant_allocations, grant_monitoring if grant_monitoring is not None else None)
        if grant_monitoring is None:
            not_provided.append("grant monitoring returns (beneficiaries are those expected at award)")
    else:
        not_provided.append("grant results")
    climate = None
    if climate_summary is not None:
        climate = climate_progress(climate_summary, climate_pathway)
    else:
        not_provided.append("climate results")

    ifs_figures = ifs_table = None
    if planning_ifs is not None:
        ifs_figures, ifs_table = planning_figures(planning_ifs)
        stated = planning_ifs.get("financial_year")
        if stated and stated != financial_year:
            findings.append(
                Finding(
                    "warning",
                    f"The planning figures are the Infrastructure Funding Statement for "
                    f"{stated} (its provenance.json), not {financial_year}.",
                )
            )

    report = ImpactReport(
        financial_year=financial_year,
        as_of=as_of,
        delivery=delivery,
        delivery_in_year=in_year,
        status=status,
        status_counts=dlv.status_counts(status),
        replaced_returns=resolved.replaced,
        by_theme=by_theme_table(in_year, year_activities, grant_allocations, in_year_values),
        activities=year_activities,
        volunteering=volunteering,
        planning=planning,
        planning_ifs=ifs_table,
        planning_figures=ifs_figures,
        grants=grants,
        grants_monitored=grant_allocations is not None and grant_monitoring is not None,
        climate=climate,
        not_provided=not_provided,
        warnings=[f.message for f in findings if not f.is_error],
        green=green,
        amber=amber,
        by_measure=by_measure,
        evidence=sv.evidence_gap(contracts, commitments, resolved.current, measures, as_of, basis),
        sensitivity=val.sensitivity(sv.valued_items(in_year, year_activities), measures, "quantity", basis),
        basis=basis,
        is_adjusted=val.has_adjustments(measures),
        grant_value=grant_value[0] if grant_value else None,
        grant_return=grant_value[1] if grant_value else None,
    )
    report.summary = summary_sentences(report)
    return report
