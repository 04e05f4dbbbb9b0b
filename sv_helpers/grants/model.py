"""Community grant allocation on the scenario core: ``Settings`` → ``load`` → ``run`` → ``Result`` → ``write``.

The rules live in their modules: :mod:`.allocation` (the one allocator, also used by planning),
:mod:`.applications` (the applications file and its checks), :mod:`.outcomes` (the results of one allocation),
:mod:`.deprivation` (IMD deciles and wards).  This module holds the settings and the scenario core.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from sv_helpers.core.errors import Finding, InputError, raise_for_errors
from sv_helpers.core.formatting import format_money
from sv_helpers.core.parameters import parameter_value
from sv_helpers.core.paths import resolve_path
from sv_helpers.core.scenario import (
    Inputs,
    Result,
    SettingsBase,
    Spec,
    coerce,
    make_provenance,
    numbers_mapping,
    setting,
)
from sv_helpers.core.tables import load_table
from sv_helpers.grants import deprivation
from sv_helpers.grants.allocation import METHOD_LABELS, METHODS, AllocationRules, check_rules
from sv_helpers.grants.applications import (
    APPLICATIONS,
    EXAMPLE_APPLICATIONS,
    check_applications,
    criterion_weights,
    prepare_applications,
)
from sv_helpers.grants.outcomes import (
    compare_scenarios,
    funding_by,
    funding_by_decile,
    funding_by_ward,
    headline,
    most_deprived_threshold,
    summarise_allocation,
    why_not_funded,
)

log = logging.getLogger("sv_helpers")

#: The largest sum of money a setting accepts (£100 million: far above any round, small enough to stay exact).
MAX_MONEY = 100_000_000.0
#: The most scenarios one comparison holds (each is a full allocation: a link must not ask for hundreds).
MAX_COMPARED = 6

#: The settings an allocation rule is made of (what a compared scenario may change).
RULE_SETTINGS: tuple[str, ...] = (
    "budget",
    "committed_items",
    "method",
    "max_award",
    "min_score",
    "equity_weight",
    "decile_factors",
    "partial",
    "theme_floors",
    "ward_cap",
)


# --------------------------------------------------------------------------- settings


def _left_after_sla() -> float:
    """The scheme's budget less the Citizens Advice SLA (both from ``data/parameters/grants``)."""
    return float(parameter_value("grants.scheme_budget")) - float(parameter_value("grants.citizens_advice_sla"))


def _decile_number(value: Any) -> int | None:
    """Return a decile 1 to 10 given as a number or as text ("3", from papermill or a link), else ``None``."""
    text = str(value).strip()
    return int(text) if text.isdigit() and 1 <= int(text) <= 10 else None


def _check_decile_factors(value: Mapping[str, Any], spec: Spec) -> dict[str, float]:
    for key in value:
        if _decile_number(key) is None:
            raise InputError(
                f"In '{spec.label}', '{key}' is not an IMD decile; deciles are whole numbers from "
                "1 (most deprived) to 10."
            )
    factors = numbers_mapping(0.01, 10, key_label="decile")(value, spec)
    return {str(_decile_number(k)): v for k, v in sorted(factors.items(), key=lambda kv: int(kv[0]))}


def _check_date(value: str, spec: Spec) -> str:
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise InputError(
            f"The setting '{spec.label}' ({spec.name}) must be a date written as 2026-04-01; '{value[:40]}' is not."
        ) from None


def _check_compare(value: Mapping[str, Any], spec: Spec) -> dict[str, dict[str, Any]]:
    if len(value) > MAX_COMPARED:
        raise InputError(
            f"The setting '{spec.label}' ({spec.name}) holds {len(value)} scenarios; "
            f"at most {MAX_COMPARED} can be compared at once."
        )
    specs = Settings.specs()
    out: dict[str, dict[str, Any]] = {}
    for name, changes in value.items():
        name = str(name).strip()
        if not name or len(name) > 80:
            raise InputError(f"Each scenario compared needs a name of 1 to 80 characters; '{name[:80]}' is not one.")
        if not isinstance(changes, Mapping):
            raise InputError(f"The scenario '{name}' must list the settings it changes, not {changes!r}.")
        checked: dict[str, Any] = {}
        for key, item in changes.items():
            if key not in RULE_SETTINGS:
                raise InputError(
                    f"The scenario '{name}' changes '{key}', which a compared scenario cannot change; "
                    f"it can change {', '.join(RULE_SETTINGS)}."
                )
            try:
                checked[key] = _plain_value(coerce(item, specs[key]))
            except InputError as exc:
                raise InputError(f"In the scenario '{name}': {exc}") from None
        out[name] = {k: checked[k] for k in RULE_SETTINGS if k in checked}
    return out


def _plain_value(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else value


@dataclass(frozen=True)
class Settings(SettingsBase):
    """Every setting of one grants round: the notebook's parameters and what the app changes.

    Policy defaults come from ``data/parameters/grants``: the budget is the
    scheme's budget less the Citizens Advice service-level agreement, the
    minimum score and the equity weight have their own files.  ``compare``
    holds the other scenarios compared with this one: name → the settings
    that scenario changes (of :data:`RULE_SETTINGS`), applied to these.
    """

    AREA: ClassVar[str] = "grants"
    NOTEBOOK: ClassVar[str] = "grant_allocation.ipynb"
    #: Scenarios saved before the deprivation edition was a setting were computed on IMD 2019.
    ADDED_SETTINGS: ClassVar[dict[str, Any]] = {"deprivation_edition": 2019}

    applications_path: str = setting(EXAMPLE_APPLICATIONS, label="Applications file", kind="path")
    #: Which English Indices of Deprivation the deciles come from: 2025 (2021 LSOAs, 2024/25 wards) or 2019
    #: (2011 LSOAs, 2013 wards), so a round decided on 2019 figures reruns to the same result.
    deprivation_edition: int = setting(parameter="grants.deprivation_edition", kind="int", choices=deprivation.EDITIONS)
    budget: float = setting(_left_after_sla(), label="Budget (£)", minimum=0, maximum=MAX_MONEY, unit="currency-GBP")
    committed_items: dict = setting(
        {},
        label="Committed items (£)",
        kind="mapping",
        unit="currency-GBP",
        check=numbers_mapping(0, MAX_MONEY, key_label="name"),
    )
    method: str = setting("rank", label="Method", choices=METHODS)
    max_award: float | None = setting(
        None, label="Maximum award (£)", kind="float", optional=True, minimum=0, maximum=MAX_MONEY, unit="currency-GBP"
    )
    min_score: float = setting(parameter="grants.min_score", kind="float", minimum=0, maximum=100)
    equity_weight: float = setting(parameter="grants.equity_weight", kind="float", minimum=1, maximum=2)
    decile_factors: dict = setting({}, label="Score factor per IMD decile", kind="mapping", check=_check_decile_factors)
    award_date: str = setting("2026-04-01", label="Award date", check=_check_date)
    seed: int = setting(0, label="Seed", kind="int", minimum=0, maximum=2**32 - 1)
    partial: bool = setting(False, label="Optimal: allow partial awards down to the minimum award")
    theme_floors: dict = setting(
        {}, label="Optimal: minimum share per theme", kind="mapping", check=numbers_mapping(0, 1, key_label="theme")
    )
    ward_cap: float | None = setting(
        None,
        label="Optimal: maximum per ward (£)",
        kind="float",
        optional=True,
        minimum=0,
        maximum=MAX_MONEY,
        unit="currency-GBP",
    )
    compare: dict = setting({}, label="Scenarios compared", kind="mapping", check=_check_compare)

    # ------------------------------------------------------------------ derived

    @property
    def name(self) -> str:
        """The scenario's name on screen: its method's."""
        return METHOD_LABELS.get(self.method, self.method)

    @property
    def committed_total(self) -> float:
        return float(sum(self.committed_items.values()))

    @property
    def available(self) -> float:
        """The budget left for grants after committed items."""
        return float(self.budget) - self.committed_total

    def equity_factors(self) -> dict[int, float] | None:
        """The score multiplier per IMD decile (``None`` for no weighting); decile factors replace the taper."""
        if self.decile_factors:
            return {_decile_number(k): float(v) for k, v in self.decile_factors.items()}
        if self.equity_weight != 1:
            return deprivation.equity_factors(self.equity_weight)
        return None

    def rules(self, name: str | None = None) -> AllocationRules:
        """These settings as the allocator's rules."""
        return AllocationRules(
            method=self.method,
            available=self.available,
            max_award=self.max_award,
            min_score=float(self.min_score),
            decile_factors=self.equity_factors(),
            partial=bool(self.partial),
            group_floors={str(k): float(v) for k, v in self.theme_floors.items()},
            ward_cap=self.ward_cap,
            name=name or self.name,
        )

    def compared(self) -> dict[str, Settings]:
        """The scenarios compared with this one, by name, each a full ``Settings`` (with no comparison of its own)."""
        return {name: self.replace(**changes, compare={}) for name, changes in self.compare.items()}

    def check(self) -> None:
        """Refuse a budget used up by committed items, minimum shares over 100%, and compared scenarios that fail."""
        if self.budget <= 0:
            raise InputError(
                f"The budget is {format_money(self.budget)}; it must be more than £0. "
                "Enter the money available for this round."
            )
        if self.available <= 0:
            raise InputError(
                f"The committed items ({format_money(self.committed_total)}) use up the whole budget "
                f"({format_money(self.budget)}), leaving nothing to allocate. "
                "Raise the budget or remove a committed item."
            )
        if self.max_award is not None and self.max_award <= 0:
            raise InputError("The maximum award must be more than £0 (leave it empty for no cap).")
        if self.ward_cap is not None and self.ward_cap <= 0:
            raise InputError("The maximum per ward must be more than £0 (leave it empty for no cap).")
        if sum(self.theme_floors.values()) > 1 + 1e-9:
            raise InputError(
                "The minimum shares of the themes add up to more than the whole budget; "
                "lower them so they add up to 100% or less."
            )
        if self.compare:
            if self.name in self.compare:
                raise InputError(
                    f"A compared scenario is called '{self.name}', the name of the current scenario; "
                    "give it another name."
                )
            for name in self.compare:
                try:
                    self.compared_one(name)
                except InputError as exc:
                    raise InputError(f"The compared scenario '{name}' cannot be used: {exc}") from None

    def compared_one(self, name: str) -> Settings:
        return self.replace(**self.compare[name], compare={})


#: Settings that change what ``load`` reads besides the file paths (the app reloads when they change).
LOAD_SETTINGS: tuple[str, ...] = ("deprivation_edition",)


#: Kept for callers written before the scenario core (``Scenario(budget=100)`` is a ``Settings``).
Scenario = Settings


def default_scenario(**changes: Any) -> Settings:
    """The default settings (from ``data/parameters/grants``), with ``changes`` (checked)."""
    return Settings.from_parameters(changes)


def settings_findings(settings: Settings) -> list[Finding]:
    """Warnings about settings that are used but may not do what the officer expects."""
    out = [f for f in check_rules(settings.rules()) if not f.is_error]
    if settings.decile_factors and settings.equity_weight != 1:
        out.append(
            Finding("warning", "Factors are given for each decile, so they are used and the equity weight is not.")
        )
    return out


# --------------------------------------------------------------------------- the scenario core


@dataclass
class Allocation:
    """What one grants run found, for the app's views and the report (``Result.detail``)."""

    applications: pd.DataFrame
    allocation: pd.DataFrame
    summary: dict[str, Any]
    not_funded: pd.DataFrame
    by_theme: pd.DataFrame
    by_decile: pd.DataFrame
    by_ward: pd.DataFrame
    comparison: pd.DataFrame
    differences: pd.DataFrame
    is_example: bool
    source_name: str
    #: The IMD edition of the deciles and wards (:data:`sv_helpers.grants.deprivation.EDITIONS`).
    deprivation_edition: int | None = None


def load(settings: Settings) -> Inputs:
    """Load, check and prepare the applications file the settings name.

    Raises
    ------
    InputError
        With the file, row and column of each problem.
    """
    path = resolve_path(settings.applications_path, setting="applications_path")
    if not path.is_file():
        raise InputError(
            f"The applications file '{settings.applications_path}' was not found. Give the path of a "
            "CSV or Excel file, or leave the setting out to use the example round."
        )
    table = load_table(path, APPLICATIONS)
    edition = settings.deprivation_edition
    findings = check_applications(table, filename=path.name, edition=edition)
    raise_for_errors(findings)
    applications = prepare_applications(table, edition=edition)
    example = path.resolve() == resolve_path(EXAMPLE_APPLICATIONS).resolve()
    return Inputs(
        values={
            "applications": applications,
            "is_example": example,
            "filename": path.name,
            "findings": [f for f in findings if not f.is_error],
            "deprivation_edition": edition,
        },
        sources={
            "applications": path,
            "ward_deprivation": deprivation.data_files(edition)["wards"],
            "lsoa_deprivation": deprivation.data_files(edition)["lsoas"],
            "lsoa_ward_lookup": deprivation.data_files(edition)["lookup"],
        },
    )


def run(settings: Settings, inputs: Inputs | None = None) -> Result:
    """Allocate the round under the settings, and compare the scenarios they name (pure: nothing is written).

    Returns
    -------
    Result
        ``tables``: ``allocations``, ``allocation_summary`` (and, when scenarios
        are compared, ``scenario_comparison`` and ``scenario_differences``);
        ``summary``: ``total_awarded, n_funded, unfunded_demand, share_most_deprived``;
        ``detail``: an :class:`Allocation`.
    """
    if (
        inputs is None
        or inputs.get("deprivation_edition", settings.deprivation_edition) != settings.deprivation_edition
    ):
        inputs = load(settings)  # the deciles are the edition's: inputs loaded for another edition are read again
    applications = inputs["applications"]
    findings = list(inputs.get("findings", [])) + settings_findings(settings)
    scenarios = {settings.name: settings, **settings.compared()}
    comparison, allocations, differences = compare_scenarios(applications, scenarios)
    allocation = allocations[settings.name]
    row = comparison.iloc[0].to_dict()
    summary_row = summarise_allocation(allocation, settings)
    tables = {"allocations": allocation, "allocation_summary": pd.DataFrame([summary_row])}
    if settings.compare:
        tables["scenario_comparison"] = comparison
        tables["scenario_differences"] = differences
    if not allocation["funded"].any():
        findings.append(
            Finding(
                "warning", "No application is funded under these settings, so there is no 360Giving file to publish."
            )
        )
    detail = Allocation(
        applications=applications,
        allocation=allocation,
        summary=row,
        not_funded=why_not_funded(allocation, settings),
        by_theme=funding_by(allocation, "theme").sort_values(["awarded", "theme"], ascending=[False, True]),
        by_decile=funding_by_decile(allocation),
        by_ward=funding_by_ward(allocation, edition=settings.deprivation_edition),
        comparison=comparison,
        differences=differences,
        is_example=bool(inputs.get("is_example", False)),
        source_name=str(inputs.get("filename", "")),
        deprivation_edition=settings.deprivation_edition,
    )
    return Result(
        settings=settings,
        tables=tables,
        findings=findings,
        headline=headline(summary_row),
        provenance=_provenance(settings, inputs),
        summary={
            "total_awarded": summary_row["total_awarded"],
            "n_funded": summary_row["number_funded"],
            "unfunded_demand": summary_row["unfunded_demand"],
            "share_most_deprived": summary_row["most_deprived_share"],
            # What the optimal method maximises: the (equity-weighted) score of each award times the share funded.
            "total_score_funded": round(float((allocation["weighted_score"] * allocation["fraction_funded"]).sum()), 6),
        },
        detail=detail,
    )


def _provenance(settings: Settings, inputs: Inputs) -> dict[str, Any]:
    # The input files are hashed once per load, not on every run (the app runs on every change).
    hashed = inputs.values.get("_hashed_inputs")
    record = make_provenance(settings, {} if hashed is not None else inputs.sources)
    if hashed is None:
        inputs.values["_hashed_inputs"] = hashed = record["inputs"]
    record["inputs"] = [dict(item) for item in hashed]
    # Beside the settings (so ``parameters`` stays exactly what ``Settings.from_parameters`` takes back):
    record["policy_parameters"] = {
        "available": settings.available,
        "criterion_weights": criterion_weights(),
        "most_deprived_decile": most_deprived_threshold(),
        "deprivation": deprivation.attribution(settings.deprivation_edition),
    }
    return record


def threesixtygiving_files(result: Result) -> dict[str, str | bytes]:
    """The awards in the 360Giving Data Standard (``360giving.json`` and ``360giving.xlsx``), validated first, and
    ``data_quality_360giving.txt``: what 360Giving's Data Quality tool would flag (:func:`~sv_helpers.grants.
    threesixtygiving.quality_problems`).

    Empty when nothing is funded.
    """
    from sv_helpers.core import exports
    from sv_helpers.grants import threesixtygiving as tsg

    detail: Allocation = result.detail
    if not detail.allocation["funded"].any():
        return {}
    package = tsg.grants_package(
        detail.allocation,
        detail.applications,
        award_date=result.settings.award_date,
        ward_codes=deprivation.ward_codes(result.settings.deprivation_edition),
    )
    tsg.validate_package(package)
    problems = tsg.quality_problems(package)
    quality = "\n".join(
        [
            "360Giving data quality: the checks of 360Giving's Data Quality tool on 360giving.json",
            "",
            *([f"- {p['message']} ({p['check']})" for p in problems] or ["None of the checks would flag a grant."]),
        ]
    )
    return {
        "360giving.json": exports.json_text(package),
        "360giving.xlsx": exports.excel_bytes({"grants": tsg.grants_spreadsheet(package)}, result.provenance),
        "data_quality_360giving.txt": quality + "\n",
    }


def describe_applications(inputs: Inputs) -> pd.DataFrame:
    """A short summary of a loaded round (what was loaded), as ``item, value`` rows."""
    apps = inputs["applications"]
    computed = int((apps["score_source"] == "computed from criterion scores").sum()) if "score_source" in apps else 0
    rows = [
        (
            "File",
            str(inputs.get("filename", "")) + (" (the fictional example round)" if inputs.get("is_example") else ""),
        ),
        ("Applications", f"{len(apps)}"),
        ("Amount requested", format_money(float(apps["amount_requested"].sum()))),
        ("Themes", f"{apps['theme'].nunique()}: {', '.join(sorted(apps['theme'].astype(str).unique()))}"),
        ("Wards", f"{apps['ward'].nunique()} of {len(deprivation.ward_names())}"),
        ("Deprivation", deprivation.attribution(inputs.get("deprivation_edition"))),
        (
            "Scores",
            f"{apps['score'].min():g} to {apps['score'].max():g}"
            + (f" ({computed} computed from the criterion scores)" if computed else ""),
        ),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])
