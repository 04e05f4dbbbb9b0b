"""Climate targets: the scenario core (``Settings``, ``load``, ``run``) and one scenario end to end.

A scenario puts together the area's modules: :mod:`.pathways` (the pathway, the trend, the budget and
the headline's words), :mod:`.estate` (the council's own emissions), :mod:`.interventions` (the wedges,
the plan's verdict and the cost curve) and :mod:`.peers` (similar authorities and the Kent districts).
Model layer: no widgets, no charts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from sv_helpers.climate import per_person as pp
from sv_helpers.climate.emissions import EmissionsData
from sv_helpers.climate.interventions import (
    INTERVENTIONS_SCHEMA,
    assess_plan,
    check_interventions,
    load_interventions,
    marginal_abatement_cost_curve,
    wedge_table,
)
from sv_helpers.climate.pathways import (
    PATHWAY_METHODS,
    _parameter,
    actual_totals,
    check_pathway_settings,
    national_milestones,
    pathway_output_table,
    pathway_to_target,
    summary_output,
    summary_sentences,
)
from sv_helpers.climate.peers import (
    comparable_authorities,
    kent_district_codes,
    peer_comparison,
    similar_authorities,
)
from sv_helpers.core.errors import Finding, InputError, raise_for_errors
from sv_helpers.core.exports import json_text
from sv_helpers.core.scenario import Inputs, Result, SettingsBase, Spec, coerce, make_provenance, setting

# --------------------------------------------------------------------------- one scenario, end to end

SCOPES: tuple[str, ...] = ("district", "council estate")


@dataclass
class Scenario:
    """Everything one set of choices produces: the tables, the headline figures and the words."""

    authority_code: str
    authority_name: str
    scope: str
    series: EmissionsData
    sectors: list[str]
    actual: pd.Series
    table: pd.DataFrame
    summary: dict[str, Any]
    milestones: pd.DataFrame
    interventions: pd.DataFrame
    wedges: pd.DataFrame
    plan: dict[str, Any] | None
    macc: pd.DataFrame
    peers: pd.DataFrame | None
    findings: list[Finding]
    sentences: list[str]
    carbon_budget_source: str = ""
    #: Input role -> whether the file is the shipped example (for notes on screen and in the report).
    is_example: dict[str, bool] = field(default_factory=dict)
    #: The authority's territorial emissions per person by year (:func:`.per_person.authority_series`), district only.
    per_person: pd.DataFrame | None = None
    #: The authority, its similar authorities and the Kent districts per person in the latest year.
    per_person_peers: pd.DataFrame | None = None


def compute_scenario(
    series: EmissionsData,
    *,
    authority_code: str,
    scope: str = "district",
    pathway: str = "linear",
    target_year: int = 2050,
    annual_reduction_pct: float | None = None,
    carbon_budget_kt: float | None = None,
    carbon_budget_source: str = "",
    trend_start_year: int = 2015,
    sectors: Iterable[str] | None = None,
    interventions: pd.DataFrame | None = None,
    similarity: pd.DataFrame | None = None,
    peer_count: int = 5,
    per_person: pp.PerPerson | None = None,
) -> Scenario:
    """Compute a whole scenario: pathway, trend, summary, wedges, plan verdict, cost curve and peers.

    Parameters
    ----------
    series : EmissionsData
        The district series, or the council estate's (``scope="council estate"``).
    authority_code : str
        The authority (ignored for the council estate).
    interventions : DataFrame, optional
        Actions for this scope; those in sectors left out are dropped.
    similarity : DataFrame, optional
        mySociety's similarity inputs; peers are compared when given (district only).
    per_person : PerPerson, optional
        Territorial emissions per person, 2005 to 2023 (district only): the headline starts with the latest
        year, and the authority, its similar authorities and the Kent districts are compared on it.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        For an unknown authority, bad pathway settings or malformed interventions.
    """
    from sv_helpers.climate.emissions import ESTATE_CODE, resolve_authority_code

    if scope not in SCOPES:
        raise InputError(f"The scope '{scope}' is not known; choose 'district' or 'council estate'.")
    code = ESTATE_CODE if scope == "council estate" else resolve_authority_code(series, authority_code)
    name = str(series.authorities.get(code, code))
    chosen = list(series.sectors if sectors is None else [s for s in series.sectors if s in set(sectors)])
    actual = actual_totals(series, code, chosen)
    findings = list(series.warnings)
    findings += [
        f
        for f in check_pathway_settings(
            int(actual.index.max()),
            pathway=pathway,
            target_year=target_year,
            annual_reduction_pct=annual_reduction_pct,
            carbon_budget_kt=carbon_budget_kt if (carbon_budget_kt or pathway == "budget") else None,
            trend_start_year=trend_start_year,
            first_actual_year=int(actual.index.min()),
        )
        if not f.is_error
    ]
    table, summary = pathway_to_target(
        actual,
        pathway=pathway,
        target_year=target_year,
        annual_reduction_pct=annual_reduction_pct,
        carbon_budget_kt=carbon_budget_kt,
        trend_start_year=trend_start_year,
    )
    if carbon_budget_source:
        summary["carbon_budget_source"] = carbon_budget_source
    summary.update(
        {
            "authority_code": code,
            "authority_name": name,
            "scope": scope,
            "sectors": chosen,
            "series": series.series_name,
            "unit": series.unit,
        }
    )
    if interventions is None:
        interventions = pd.DataFrame(columns=[c.name for c in INTERVENTIONS_SCHEMA.columns])
    plan_rows = (
        interventions[interventions["sector"].isin(chosen) | ~interventions["sector"].isin(series.sectors)]
        if len(interventions)
        else interventions
    )
    checks = (
        check_interventions(plan_rows, sectors=series.sectors, last_actual_year=summary["last_actual_year"])
        if len(plan_rows)
        else []
    )
    raise_for_errors(checks)
    findings += checks
    wedges = wedge_table(summary["last_actual_year"], summary["last_actual_kt"], plan_rows, int(target_year))
    plan = assess_plan(wedges, table, int(target_year)) if len(plan_rows) else None
    if plan is not None:
        summary["plan_meets_target"] = plan["meets_target"]
        summary["plan_shortfall_kt"] = plan["shortfall_kt"]
    macc = marginal_abatement_cost_curve(plan_rows)
    peers = None
    if scope == "district" and similarity is not None and len(series.context):
        key = ("peers", code, tuple(chosen), int(peer_count), id(similarity))
        if key not in series.memo:  # the same for every pathway setting: worked out once per series
            similar = similar_authorities(
                similarity, code, among=comparable_authorities(series).index, count=peer_count
            )
            try:
                series.memo[key] = (
                    peer_comparison(
                        series,
                        code,
                        similar=similar["authority_code"],
                        kent=kent_district_codes(series),
                        sectors=chosen,
                    ),
                    None,
                )
            except InputError as exc:
                series.memo[key] = None, str(exc)
        peers, problem = series.memo[key]
        if problem:
            findings.append(Finding("warning", problem))
    own_per_person = peers_per_person = None
    lead: list[str] = []
    if scope == "district" and per_person is not None:
        key = ("per_person", code, int(peer_count), id(similarity), id(per_person))
        if key not in series.memo:  # the same for every pathway setting
            own = pp.authority_series(per_person, code)
            similar = (
                similar_authorities(similarity, code, among=comparable_authorities(series).index, count=peer_count)
                if similarity is not None
                else pd.DataFrame({"authority_code": []})
            )
            groups = pp.groups_of(code, similar["authority_code"], kent_district_codes(series))
            series.memo[key] = own, (pp.compared(per_person, groups) if len(own) else None)
        own_per_person, peers_per_person = series.memo[key]
        if len(own_per_person):
            lead = [pp.latest_sentence(own_per_person, name)]
        else:
            own_per_person = None
            findings.append(
                Finding(
                    "warning",
                    f"{name} ({code}) is not in the per-person greenhouse gas series (2005 to 2023), so only the "
                    "sector series is shown.",
                )
            )
    place = name if scope == "district" else "Council estate"
    if lead:  # the sector detail's series, named so the two figures are not read as one
        from sv_helpers.climate.emissions import MYSOCIETY_ATTRIBUTION

        place = (
            "Sector detail (CO2 within the scope of influence, DESNZ 2005 to 2020 release)"
            if series.attribution == MYSOCIETY_ATTRIBUTION
            else f"Sector detail ({series.series_name})"
        )
    sentences = lead + summary_sentences(summary, place=place, unit=series.unit, plan=plan)
    return Scenario(
        code,
        name,
        scope,
        series,
        chosen,
        actual,
        table,
        summary,
        national_milestones(actual),
        plan_rows,
        wedges,
        plan,
        macc,
        peers,
        findings,
        sentences,
        carbon_budget_source,
        per_person=own_per_person,
        per_person_peers=peers_per_person,
    )


def scenario_tables(scenario: Scenario) -> dict[str, pd.DataFrame]:
    """The tables a scenario exports, keyed by file stem (``pathway`` is exactly the four columns)."""
    summary = summary_output(scenario.summary)
    tables = {
        "pathway": pathway_output_table(scenario.table),
        "summary": pd.DataFrame(
            {
                "item": list(summary),
                "value": [", ".join(map(str, v)) if isinstance(v, list) else v for v in summary.values()],
            }
        ),
        "trend_gap": scenario.table.loc[
            scenario.table["pathway_kt"].notna(), ["year", "pathway_kt", "trend_kt", "gap_kt"]
        ].reset_index(drop=True),
        "milestones": scenario.milestones,
    }
    if len(scenario.interventions):
        tables["wedges"] = scenario.wedges
        tables["cost_curve"] = scenario.macc
    if scenario.peers is not None:
        tables["peers"] = scenario.peers
    if scenario.per_person is not None:
        tables["emissions_per_person"] = scenario.per_person
    if scenario.per_person_peers is not None:
        tables["peers_per_person"] = scenario.per_person_peers
    return tables


# ------------------------------------------------------------------------ the scenario core: Settings, load, run, write

#: The largest carbon budget a setting may hold (kt): ten million kt is 25 years of the UK's whole
#: territorial emissions.
MAX_CARBON_BUDGET_KT = 10_000_000.0
#: The latest target year a setting may hold (issue 12); the earliest is the year after the last actual
#: year of the data.
LAST_TARGET_YEAR = 2100
#: The summary figures of a run (the columns of a sweep).
SUMMARY_FIGURES: tuple[str, ...] = (
    "required_annual_reduction_pct",
    "cumulative_to_target_kt",
    "trend_net_zero_year",
    "budget_exhausted_year",
)


def _ticks(value: Mapping[str, Any], spec: Spec) -> dict[str, bool]:
    """Check a mapping of names to ticked (yes/no); keep only the names left unticked (the rest are included)."""
    flag = Spec(spec.name, spec.label, "bool", True)
    out: dict[str, bool] = {}
    for key, ticked in value.items():
        name = str(key).strip()
        if not name:
            raise InputError(f"The setting '{spec.label}' ({spec.name}) has an item with no name.")
        if len(name) > 200:
            raise InputError(f"The setting '{spec.label}' ({spec.name}) has a name longer than 200 characters.")
        try:
            included = coerce(ticked, flag)
        except InputError:
            raise InputError(
                f"In '{spec.label}', '{name[:60]}' must be ticked (yes) or not (no), not {ticked!r}."
            ) from None
        if not included:
            out[name] = False
    if len(out) > 1000:
        raise InputError(f"The setting '{spec.label}' ({spec.name}) leaves out more than 1,000 names.")
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class Settings(SettingsBase):
    """Every setting of one climate run: the notebook's parameters and what the app's ticks change.

    ``sectors`` and ``interventions`` name what is left out (``{"Transport": False}``);
    everything not named is included, so the defaults hold for any data.
    """

    AREA: ClassVar[str] = "climate"
    NOTEBOOK: ClassVar[str] = "climate_targets.ipynb"

    authority_code: str = setting("SEV", label="Authority")
    emissions_path: str = setting("data/emissions/local_authority_emissions.csv", kind="path", label="Emissions file")
    scope: str = setting("district", label="Scope", choices=SCOPES)
    estate_path: str = setting("data/climate/council_estate_example.csv", kind="path", label="Council estate data")
    factors_path: str = setting(
        "data/climate/official_factor_ids.csv", kind="path", label="Emission factors (official IDs or values)"
    )
    interventions_path: str | None = setting(
        "data/climate/interventions_example.csv", kind="path", optional=True, label="Interventions file"
    )
    # the budget comes before the pathway, so a link that sets both (in this order) can choose the budget pathway
    carbon_budget_kt: float = setting(
        0.0, label="Carbon budget (kt)", minimum=0, maximum=MAX_CARBON_BUDGET_KT, unit="kt"
    )
    pathway: str = setting("linear", label="Pathway", choices=PATHWAY_METHODS)
    target_year: int = setting(
        parameter="climate.uk_net_zero_year", label="Target year", kind="int", minimum=1990, maximum=LAST_TARGET_YEAR
    )
    annual_reduction_pct: float = setting(10.0, label="Annual reduction (%)", minimum=0, maximum=100, unit="%")
    carbon_budget_source: str = setting("", label="Source of the carbon budget")
    trend_start_year: int = setting(
        parameter="climate.trend_start_year",
        label="Trend from year",
        kind="int",
        minimum=1990,
        maximum=LAST_TARGET_YEAR,
    )
    sectors: dict = setting({}, label="Sectors included", kind="mapping", check=_ticks)
    interventions: dict = setting({}, label="Interventions included", kind="mapping", check=_ticks)

    def check(self) -> None:
        """Checks that need no data: a budget pathway needs a budget; an emissions file is named."""
        if self.pathway == "budget" and self.carbon_budget_kt <= 0:
            raise InputError(
                "The carbon budget must be more than 0 kt for the budget pathway; 0 kt was given. Enter the budget "
                "from its source (for example a Tyndall Centre local carbon budget)."
            )
        if not str(self.emissions_path or "").strip():
            raise InputError("The setting 'Emissions file' (emissions_path) is empty: give the emissions CSV to use.")

    @property
    def carbon_budget(self) -> float | None:
        """The budget the pathway uses, or ``None`` when none is given (0 means none)."""
        return self.carbon_budget_kt if (self.carbon_budget_kt > 0 or self.pathway == "budget") else None


#: Settings that change what ``load`` reads besides the file paths (the app reloads when they change).
LOAD_SETTINGS: tuple[str, ...] = ("scope",)


@lru_cache(maxsize=1)
def _similarity() -> pd.DataFrame:
    from sv_helpers.climate.emissions import read_similarity

    return read_similarity()


def _is_example(path: Any) -> bool:
    return "example" in Path(str(path)).name.lower()


def load(settings: Settings) -> Inputs:
    """Read the files the settings name: the series for the scope, the interventions, and the similarity inputs.

    Returns
    -------
    Inputs
        ``values``: ``series`` (:class:`EmissionsData`), ``interventions`` (every scope, or None),
        ``similarity`` (district only), ``scope`` and ``is_example`` (role → whether the file is example data);
        ``sources``: each file read, by role, for provenance.

    Raises
    ------
    InputError
        For a missing or malformed file, naming the file, row and column.
    """
    from sv_helpers.climate import emissions as em
    from sv_helpers.climate import estate as es
    from sv_helpers.core.paths import resolve_path

    values: dict[str, Any] = {"scope": settings.scope, "similarity": None, "per_person": None}
    sources: dict[str, Any] = {}
    examples: dict[str, bool] = {}
    if settings.scope == "council estate":
        estate_path = resolve_path(settings.estate_path, setting="estate_path", expect="file")
        estate, sheet_factors = es.load_estate_workbook(estate_path)
        sources["council_estate"] = estate_path
        examples["council_estate"] = _is_example(estate_path)
        factors = sheet_factors
        if factors is None:
            factors_path = resolve_path(settings.factors_path, setting="factors_path", expect="file")
            factors = es.load_emission_factors(factors_path)
            sources["emission_factors"] = factors_path
            examples["emission_factors"] = _is_example(factors_path)
        values["series"] = es.estate_emissions(estate, factors)
    else:
        emissions_path = resolve_path(settings.emissions_path, setting="emissions_path", expect="file")
        values["series"] = em.load_emissions(emissions_path)
        values["similarity"] = _similarity()
        values["per_person"] = pp.load_per_person()
        sources["emissions"] = emissions_path
        sources["emissions_per_person"] = pp.PER_PERSON_PATH
        examples["emissions"] = False
        examples["emissions_per_person"] = False
    values["interventions"] = None
    if settings.interventions_path:
        plan_path = resolve_path(settings.interventions_path, setting="interventions_path", expect="file")
        values["interventions"] = load_interventions(plan_path)
        sources["interventions"] = plan_path
        examples["interventions"] = _is_example(plan_path)
    values["is_example"] = examples
    return Inputs(values=values, sources=sources)


def inputs_summary(inputs: Inputs) -> pd.DataFrame:
    """What was loaded, one row per file: role, file name, rows, years and whether it is example data."""
    series: EmissionsData = inputs["series"]
    rows = []
    for role, path in inputs.sources.items():
        if role in ("emissions", "council_estate"):
            what = (
                f"{series.series_name}: {len(series.authorities):,} authorities, {len(series.sectors)} sectors, "
                f"{min(series.years)} to {max(series.years)}"
            )
        elif role == "emissions_per_person":
            data = inputs["per_person"]
            what = f"{pp.SERIES}: {data.rows['gss_code'].nunique():,} areas, {int(data.rows['year'].min())} to {data.last_year}"
        elif role == "interventions":
            plan = inputs["interventions"]
            counts = ", ".join(f"{n} {s}" for s, n in plan["scope"].value_counts().items())
            what = f"{len(plan)} planned actions ({counts})"
        else:
            what = "emission factors for the council estate's activity data"
        rows.append(
            {
                "input": role.replace("_", " "),
                "file": Path(str(path)).name,
                "holds": what,
                "example_data": "yes" if inputs["is_example"].get(role) else "no",
            }
        )
    return pd.DataFrame(rows)


def check(settings: Settings, inputs: Inputs) -> list[Finding]:
    """The checks of the settings against the loaded data: errors stop a run, warnings are shown beside it.

    Covers the authority (is it in the series?), the sectors and interventions
    named (are they in the data?), the target year (after the last actual year,
    up to 2100), the trend's first year and the interventions file.
    """
    from sv_helpers.climate.emissions import ESTATE_CODE, resolve_authority_code

    series: EmissionsData = inputs["series"]
    findings: list[Finding] = list(series.warnings)
    if settings.scope == "council estate":
        code = ESTATE_CODE
    else:
        try:
            code = resolve_authority_code(series, settings.authority_code)
        except InputError as exc:
            return findings + [Finding("error", str(exc))]
    for name in settings.sectors:
        if name not in series.sectors:
            findings.append(
                Finding(
                    "warning",
                    f"The sector '{name}' left out by the settings is not a sector of this series "
                    f"({', '.join(series.sectors)}), so nothing was left out for it.",
                )
            )
    chosen = [s for s in series.sectors if settings.sectors.get(s, True)]
    if not chosen:
        return findings + [Finding("error", "No sector is chosen: tick at least one sector to include.")]
    actual = actual_totals(series, code, chosen).dropna()
    last, first = int(actual.index.max()), int(actual.index.min())
    findings += check_pathway_settings(
        last,
        pathway=settings.pathway,
        target_year=settings.target_year,
        annual_reduction_pct=settings.annual_reduction_pct,
        carbon_budget_kt=settings.carbon_budget,
        trend_start_year=settings.trend_start_year,
        first_actual_year=first,
    )
    plan = inputs["interventions"]
    if plan is not None:
        for name in settings.interventions:
            if name not in set(plan["intervention"]):
                findings.append(
                    Finding(
                        "warning",
                        f"The intervention '{name}' left out by the settings is not in the "
                        "interventions file, so nothing was left out for it.",
                    )
                )
        rows = _plan_rows(settings, plan, series)
        if len(rows):
            findings += check_interventions(rows, sectors=series.sectors, last_actual_year=last)
    return findings


def _plan_rows(settings: Settings, plan: pd.DataFrame | None, series: EmissionsData) -> pd.DataFrame | None:
    """The interventions of the settings' scope that are ticked (sector filtering happens in the scenario)."""
    if plan is None:
        return None
    rows = plan[
        (plan["scope"] == settings.scope) & plan["intervention"].map(lambda n: settings.interventions.get(n, True))
    ]
    return rows.reset_index(drop=True)


def run(settings: Settings, inputs: Inputs | None = None) -> Result:
    """Run one climate scenario: pathway, trend, summary, wedges, plan verdict, cost curve and peers.

    Pure: no widgets, no charts, no files written.  ``inputs`` are loaded from the
    settings when not given (or when they were loaded for another scope).

    Raises
    ------
    InputError
        When a check fails (unknown authority, target year not after the last
        actual year, malformed interventions, ...).

    Examples
    --------
    >>> result = run(Settings.from_parameters({"target_year": 2040}))
    >>> result.summary["required_annual_reduction_pct"]
    5.0
    """
    if inputs is None or inputs.get("scope") != settings.scope:
        inputs = load(settings)
    findings = check(settings, inputs)
    raise_for_errors(findings)
    series: EmissionsData = inputs["series"]
    scenario = compute_scenario(
        series,
        authority_code=settings.authority_code,
        scope=settings.scope,
        pathway=settings.pathway,
        target_year=settings.target_year,
        annual_reduction_pct=settings.annual_reduction_pct,
        carbon_budget_kt=settings.carbon_budget,
        carbon_budget_source=settings.carbon_budget_source.strip(),
        trend_start_year=settings.trend_start_year,
        sectors=[s for s in series.sectors if settings.sectors.get(s, True)],
        interventions=_plan_rows(settings, inputs["interventions"], series),
        similarity=inputs["similarity"],
        peer_count=int(_parameter("climate.similar_authority_count")),
        per_person=inputs.get("per_person"),
    )
    scenario.is_example = dict(inputs["is_example"])
    warnings = list(
        dict.fromkeys([f.message for f in findings if not f.is_error] + [f.message for f in scenario.findings])
    )
    scenario.findings = [Finding("warning", m) for m in warnings]
    return Result(
        settings=settings,
        tables=scenario_tables(scenario),
        findings=scenario.findings,
        headline=" ".join(scenario.sentences),
        provenance=make_provenance(settings, inputs.sources),
        summary={k: scenario.summary.get(k) for k in SUMMARY_FIGURES},
        files={"summary.json": json_text(summary_output(scenario.summary))},
        detail=scenario,
    )


def findings_table(findings: Iterable[Finding]) -> pd.DataFrame:
    """The checks' findings as a table (``level``, ``message``); one row saying so when there are none."""
    rows = [{"level": f.level, "message": f.message} for f in findings]
    return pd.DataFrame(rows or [{"level": "ok", "message": "No problems found: the settings fit the data."}])


def compare(first: Result, second: Result) -> pd.DataFrame:
    """The headline figures of two runs side by side, with the difference (second minus first) where numeric."""
    keys = [
        "last_actual_kt",
        "target_year",
        "required_annual_reduction_pct",
        "cumulative_to_target_kt",
        "pathway_kt_in_target_year",
        "trend_net_zero_year",
        "budget_exhausted_year",
        "plan_shortfall_kt",
    ]
    a, b = first.detail.summary, second.detail.summary
    rows = []
    for key in keys:
        x, y = a.get(key), b.get(key)
        if x is None and y is None:
            continue
        numeric = isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool)
        rows.append({"figure": key, "first": x, "second": y, "difference": (y - x) if numeric else None})
    return pd.DataFrame(rows)


def demand_table(scenario: Scenario) -> pd.DataFrame:
    """What the pathway demands each year, to the target year: emissions, the fall from the year before (kt and %)."""
    last_kt = scenario.summary["last_actual_kt"]
    path = scenario.table.loc[scenario.table["pathway_kt"].notna(), ["year", "pathway_kt"]].reset_index(drop=True)
    previous = np.concatenate([[last_kt], path["pathway_kt"].to_numpy()[:-1]])
    path["reduction_kt"] = previous - path["pathway_kt"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        path["reduction_pct"] = np.where(previous > 0, 100.0 * path["reduction_kt"] / previous, 0.0)
    path["cumulative_kt"] = path["pathway_kt"].cumsum()
    return path
