"""Community grant allocation on the scenario core: ``Settings`` → ``load`` → ``run`` → ``Result`` → ``write``.

Three named allocation methods:

``rank``
    Applications with ``score >= min_score``, in descending (equity-weighted)
    score, ties by ``application_id``; each gets its request (capped at
    ``max_award``) if it fits in what is left of the budget, else it is
    skipped and the next is tried.
``pro_rata``
    Every application with ``score >= min_score`` gets the same fraction of
    its capped request: the largest fraction, at most 1, that fits the budget.
``optimal``
    The awards that maximise the total (equity-weighted) score of funded
    applications within the budget, solved exactly as an integer programme
    with ``scipy.optimize.milp`` (HiGHS).  Optional: partial awards between
    ``minimum_award`` and the capped request (score weighted by the fraction
    funded), a minimum share of the budget per theme, and a maximum per ward.

The allocator, :func:`allocate`, takes any table of bids and an
:class:`AllocationRules` (or a :class:`Settings`), with the grouping column for
floors and the ward column for caps configurable, so the planning area's
CIL bids are allocated by the same code.

Money is in pounds.  Awards are rounded down to whole pence.

Examples
--------
>>> bids = pd.DataFrame({"application_id": ["A", "B", "C"], "theme": ["x", "x", "y"], "ward": ["Hextable"] * 3,
...                      "amount_requested": [100.0, 50.0, 50.0], "score": [90.0, 80.0, 70.0]})
>>> allocate(bids, AllocationRules(method="rank", available=100))["awarded"].tolist()
[100.0, 0.0, 0.0]
>>> allocate(bids, AllocationRules(method="optimal", available=100))["awarded"].tolist()
[0.0, 50.0, 50.0]
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from sv_helpers.core.errors import Finding, InputError, raise_for_errors
from sv_helpers.core.formatting import format_money, sentence_list
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
from sv_helpers.core.tables import Column, TableSchema, load_table
from sv_helpers.grants import deprivation

log = logging.getLogger("sv_helpers")

METHODS: tuple[str, ...] = ("rank", "pro_rata", "optimal")
METHOD_LABELS: dict[str, str] = {
    "rank": "Rank by score",
    "pro_rata": "Pro rata",
    "optimal": "Optimal (best total score)",
}
CRITERIA: tuple[str, ...] = ("need", "community_benefit", "deliverability", "value_for_money")

#: Tolerance for comparing sums of money (pounds).
PENNY = 0.005
#: The largest sum of money a setting accepts (£100 million: far above any round, small enough to stay exact).
MAX_MONEY = 100_000_000.0
#: The most scenarios one comparison holds (each is a full allocation: a link must not ask for hundreds).
MAX_COMPARED = 6
#: The shipped example round (fictional applications, real wards).
EXAMPLE_APPLICATIONS = "data/grants/example_applications.csv"

APPLICATIONS = TableSchema(
    "applications",
    (
        Column("application_id", "text", unique=True, description="A unique reference for the application."),
        Column("organisation", "text", description="The applying group's name."),
        Column("project", "text", description="What the grant would pay for."),
        Column("theme", "text", description="The scheme theme the project serves, e.g. Older people."),
        Column(
            "ward",
            "text",
            required=False,
            allow_blank=True,
            description="The Sevenoaks ward (2013 names) where the project's beneficiaries live; or give lsoa_code.",
        ),
        Column(
            "lsoa_code",
            "text",
            required=False,
            allow_blank=True,
            label="LSOA code",
            description="The LSOA (2011 code) of the project, used for its deprivation decile when given.",
        ),
        Column("amount_requested", "money", minimum=1, description="The grant asked for, in pounds."),
        Column(
            "score",
            "number",
            required=False,
            allow_blank=True,
            minimum=0,
            maximum=100,
            description="The moderated assessment score, 0 to 100; computed from the criterion scores when blank.",
        ),
        Column(
            "minimum_award",
            "money",
            required=False,
            allow_blank=True,
            minimum=0,
            description="The least that keeps the project viable; blank means the full request (all or nothing).",
        ),
        Column(
            "beneficiaries",
            "integer",
            required=False,
            allow_blank=True,
            minimum=0,
            description="The number of people the project would benefit.",
        ),
        Column(
            "need",
            "number",
            required=False,
            allow_blank=True,
            minimum=0,
            maximum=100,
            description="Assessors' score for need, 0 to 100.",
        ),
        Column(
            "community_benefit",
            "number",
            required=False,
            allow_blank=True,
            minimum=0,
            maximum=100,
            description="Assessors' score for community benefit, 0 to 100.",
        ),
        Column(
            "deliverability",
            "number",
            required=False,
            allow_blank=True,
            minimum=0,
            maximum=100,
            description="Assessors' score for deliverability, 0 to 100.",
        ),
        Column(
            "value_for_money",
            "number",
            required=False,
            allow_blank=True,
            minimum=0,
            maximum=100,
            description="Assessors' score for value for money, 0 to 100.",
        ),
        Column(
            "charity_number", "text", required=False, allow_blank=True, description="Registered charity number, if any."
        ),
        Column("postcode", "text", required=False, allow_blank=True, description="The organisation's postcode."),
    ),
    description="One row per grant application.",
)

#: Columns of every allocation table, in order (the impact report reads these from allocations.csv).
ALLOCATION_COLUMNS: tuple[str, ...] = (
    "application_id",
    "organisation",
    "project",
    "theme",
    "ward",
    "imd_decile",
    "amount_requested",
    "minimum_award",
    "capped_request",
    "score",
    "weighted_score",
    "eligible",
    "awarded",
    "funded",
    "fraction_funded",
    "beneficiaries",
)

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


# --------------------------------------------------------------------------- the rules of one allocation


@dataclass(frozen=True)
class AllocationRules:
    """The rules of one allocation, whatever is being allocated (grant applications, CIL bids).

    Parameters
    ----------
    method : str
        ``rank``, ``pro_rata`` or ``optimal``.
    available : float
        The money to allocate, in pounds (after any committed items).
    max_award : float or None
        The largest award to any one bid; ``None`` for no cap.
    min_score : float
        The lowest score considered (0 considers every bid).
    decile_factors : mapping of int to float or None
        A score multiplier per IMD decile (bids need an ``imd_decile`` column); ``None`` for no weighting.
    partial : bool
        ``optimal`` only: allow awards between ``minimum_award`` and the capped request.
    group_floors : mapping of str to float
        ``optimal`` only: the least share (0 to 1) of ``available`` for each value of the grouping column.
    ward_cap : float or None
        ``optimal`` only: the most awarded in any one ward, in pounds.
    name : str
        Shown in comparisons.
    """

    method: str
    available: float
    max_award: float | None = None
    min_score: float = 0.0
    decile_factors: Mapping[int, float] | None = None
    partial: bool = False
    group_floors: Mapping[str, float] = field(default_factory=dict)
    ward_cap: float | None = None
    name: str = "Scenario"


def check_rules(rules: AllocationRules) -> list[Finding]:
    """Check allocation rules: a known method, money to allocate, sensible caps and shares.

    Returns
    -------
    list of Finding
        Errors for an unknown method, nothing to allocate, a cap of zero or
        less, shares outside 0 to 1 or adding up to more than 1, a factor of
        zero or less; a warning when rules only the optimal method uses are
        given to another method.
    """
    out: list[Finding] = []
    if rules.method not in METHODS:
        out.append(
            Finding("error", f"The method '{rules.method}' is not known; choose one of {sentence_list(list(METHODS))}.")
        )
    if not np.isfinite(rules.available) or rules.available <= 0:
        out.append(
            Finding("error", f"The money to allocate is {format_money(rules.available)}; it must be more than £0.")
        )
    if rules.max_award is not None and (not np.isfinite(rules.max_award) or rules.max_award <= 0):
        out.append(
            Finding(
                "error",
                f"The maximum award is {format_money(rules.max_award)}; it must be more than £0 (leave it empty for "
                "no cap).",
            )
        )
    if not 0 <= rules.min_score <= 100:
        out.append(Finding("error", f"The minimum score is {rules.min_score:g}; it must be between 0 and 100."))
    for decile, factor in (rules.decile_factors or {}).items():
        if not np.isfinite(factor) or factor <= 0:
            out.append(
                Finding(
                    "error",
                    f"The factor for decile {decile} is {factor:g}; it must be more than 0 (1 leaves the score "
                    "unchanged).",
                )
            )
    if rules.ward_cap is not None and (not np.isfinite(rules.ward_cap) or rules.ward_cap <= 0):
        out.append(
            Finding(
                "error",
                f"The maximum per ward is {format_money(rules.ward_cap)}; it must be more than £0 (leave it empty "
                "for no cap).",
            )
        )
    for group, share in rules.group_floors.items():
        if not 0 <= share <= 1:
            out.append(
                Finding(
                    "error",
                    f"The minimum share for '{group}' is {share:g}; give it as a fraction between 0 and 1 (0.2 for "
                    "20%).",
                )
            )
    if sum(rules.group_floors.values()) > 1 + 1e-9:
        out.append(
            Finding(
                "error",
                "The minimum shares add up to more than the whole budget; lower them so they add up to 100% or less.",
            )
        )
    if rules.method != "optimal" and (
        rules.partial or any(v > 0 for v in rules.group_floors.values()) or rules.ward_cap is not None
    ):
        out.append(
            Finding(
                "warning",
                "Partial awards, minimum shares and ward caps are used by the optimal method only; "
                f"'{rules.name}' uses {METHOD_LABELS.get(rules.method, rules.method)}, which ignores them.",
            )
        )
    return out


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

    applications_path: str = setting(EXAMPLE_APPLICATIONS, label="Applications file", kind="path")
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


#: Kept for callers written before the scenario core (``Scenario(budget=100)`` is a ``Settings``).
Scenario = Settings


def default_scenario(**changes: Any) -> Settings:
    """The default settings (from ``data/parameters/grants``), with ``changes`` (checked)."""
    return Settings.from_parameters(changes)


@lru_cache(maxsize=1)
def _criterion_weights() -> tuple[tuple[str, float], ...]:
    return tuple((c, float(parameter_value(f"grants.criterion_weight_{c}"))) for c in CRITERIA)


def criterion_weights() -> dict[str, float]:
    """Return the declared weights of the four criterion scores (from ``data/parameters/grants``, read once)."""
    return dict(_criterion_weights())


@lru_cache(maxsize=1)
def most_deprived_threshold() -> int:
    """The highest IMD decile counted as most deprived (``data/parameters/grants``, read once)."""
    return int(parameter_value("grants.most_deprived_decile"))


def settings_findings(settings: Settings) -> list[Finding]:
    """Warnings about settings that are used but may not do what the officer expects."""
    out = [f for f in check_rules(settings.rules()) if not f.is_error]
    if settings.decile_factors and settings.equity_weight != 1:
        out.append(
            Finding("warning", "Factors are given for each decile, so they are used and the equity weight is not.")
        )
    return out


# --------------------------------------------------------------------------- loading and checks


def check_applications(applications: pd.DataFrame, *, filename: str = "the applications file") -> list[Finding]:
    """Check loaded applications beyond what the loader checks.

    Finds unknown wards and LSOA codes, rows with neither, a minimum award
    above the request, and rows with no score and incomplete criterion scores.
    The loader itself refuses duplicate ids, non-numeric or negative amounts
    and scores outside 0 to 100.

    Parameters
    ----------
    applications : DataFrame
        As returned by :func:`sv_helpers.core.tables.load_table` with :data:`APPLICATIONS`
        (its index holds the spreadsheet row numbers).
    filename : str
        The file's name, for messages.

    Returns
    -------
    list of Finding
    """
    out: list[Finding] = []
    lsoas = deprivation.lsoa_deciles().set_index("lsoa_code")
    for row, app in applications.iterrows():
        where = f"{filename}, row {row} ({app['application_id']})"
        ward, lsoa = app.get("ward"), app.get("lsoa_code")
        has_ward = isinstance(ward, str) and ward.strip() != ""
        has_lsoa = isinstance(lsoa, str) and lsoa.strip() != ""
        if not has_ward and not has_lsoa:
            out.append(
                Finding("error", f"{where}: give the ward (a Sevenoaks ward name) or the lsoa_code; both are empty.")
            )
        if has_ward and deprivation.match_ward(ward) is None:
            out.append(
                Finding(
                    "error",
                    f"{where}, column 'ward': '{ward}' is not a Sevenoaks ward (2013 ward names). Check the spelling "
                    "against the template's ward list.",
                )
            )
        if has_lsoa and lsoa.strip().upper() not in lsoas.index:
            out.append(
                Finding(
                    "error",
                    f"{where}, column 'lsoa_code': '{lsoa}' is not a Sevenoaks LSOA (2011 codes start E010...). "
                    "Leave it empty and give the ward instead.",
                )
            )
        elif has_lsoa and has_ward and deprivation.match_ward(ward) is not None:
            lsoa_ward = lsoas.loc[lsoa.strip().upper(), "ward"]
            if lsoa_ward != deprivation.match_ward(ward):
                out.append(
                    Finding(
                        "warning",
                        f"{where}: LSOA {lsoa} lies in {lsoa_ward}, not {ward}; the ward given is used for the map "
                        "and the LSOA for deprivation.",
                    )
                )
        minimum = app.get("minimum_award")
        if minimum is not None and pd.notna(minimum) and minimum > app["amount_requested"] + PENNY:
            out.append(
                Finding(
                    "error",
                    f"{where}: the minimum award ({format_money(minimum, 2)}) is more than the amount requested "
                    f"({format_money(app['amount_requested'], 2)}); it must be at most the request.",
                )
            )
        score = app.get("score")
        if score is None or pd.isna(score):
            missing = [c for c in CRITERIA if c not in applications.columns or pd.isna(app.get(c))]
            if missing:
                out.append(
                    Finding(
                        "error",
                        f"{where}: the score is empty and the criterion scores "
                        f"{sentence_list([repr(m) for m in missing])} are missing too; "
                        "give the moderated score or all four criterion scores.",
                    )
                )
    return out


def prepare_applications(applications: pd.DataFrame, weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Return checked applications with official ward names, a score for every row and each area's IMD decile.

    A blank ``score`` is computed from the criterion scores with ``weights``
    (default: :func:`criterion_weights`), divided by the sum of the weights.
    The decile is the LSOA's when ``lsoa_code`` is given, else the ward's.

    Raises
    ------
    InputError
        When :func:`check_applications` finds an error.
    """
    raise_for_errors(check_applications(applications))
    weights = dict(weights or criterion_weights())
    out = applications.copy()
    lsoas = deprivation.lsoa_deciles().set_index("lsoa_code")
    wards = deprivation.ward_deciles().set_index("ward")
    ward_out, decile_out = [], []
    for _, app in out.iterrows():
        lsoa = app.get("lsoa_code")
        lsoa = lsoa.strip().upper() if isinstance(lsoa, str) and lsoa.strip() else None
        ward = app.get("ward")
        ward = deprivation.match_ward(ward) if isinstance(ward, str) and ward.strip() else None
        if ward is None and lsoa is not None:
            ward = str(lsoas.loc[lsoa, "ward"])
        decile = int(lsoas.loc[lsoa, "imd_decile"]) if lsoa is not None else int(wards.loc[ward, "imd_decile"])
        ward_out.append(ward)
        decile_out.append(decile)
    out["ward"] = ward_out
    out["imd_decile"] = pd.Series(decile_out, index=out.index, dtype="int64")
    blank = out["score"].isna()
    if blank.any():
        total = sum(weights.values())
        if total <= 0:
            raise InputError(
                "The criterion weights add up to zero, so scores cannot be computed from the criterion scores."
            )
        computed = sum(out[c].astype("float64") * w for c, w in weights.items()) / total
        out["score_source"] = np.where(blank, "computed from criterion scores", "moderated score")
        out["score"] = out["score"].where(~blank, computed.round(2))
    else:
        out["score_source"] = "moderated score"
    out["score"] = out["score"].astype("float64")
    out["minimum_award"] = out["minimum_award"].astype("float64").fillna(out["amount_requested"])
    return out


def load_applications(source: str | Path | bytes, *, filename: str | None = None) -> pd.DataFrame:
    """Load, check and prepare an applications file (CSV or .xlsx, a path or an upload's bytes).

    Raises
    ------
    InputError
        With the file, row and column of each problem.
    """
    name = filename or Path(str(source)).name
    table = load_table(source, APPLICATIONS, filename=filename)
    raise_for_errors(check_applications(table, filename=name))
    return prepare_applications(table)


# --------------------------------------------------------------------------- allocation


def _floor_pence(values: np.ndarray) -> np.ndarray:
    return np.floor(np.round(values * 100, 6)) / 100


def _as_rules(rules: AllocationRules | Settings) -> AllocationRules:
    if isinstance(rules, AllocationRules):
        return rules
    if hasattr(rules, "rules"):
        return rules.rules()
    raise TypeError(f"allocate() needs AllocationRules or Settings, not {type(rules).__name__}")


@dataclass(frozen=True)
class _Columns:
    id: str
    group: str
    ward: str
    score: str

    def output(self) -> tuple[str, ...]:
        names = {"application_id": self.id, "theme": self.group, "ward": self.ward}
        return tuple(dict.fromkeys(names.get(c, c) for c in ALLOCATION_COLUMNS))


def _base_frame(apps: pd.DataFrame, rules: AllocationRules, cols: _Columns) -> pd.DataFrame:
    # Built as one dict of columns (one DataFrame made, not one column inserted at a time: a redraw makes three).
    columns: dict[str, Any] = {}
    for col in dict.fromkeys((cols.id, "organisation", "project", cols.group, cols.ward)):
        columns[col] = apps[col].astype(object) if col in apps.columns else None
    columns["imd_decile"] = apps["imd_decile"] if "imd_decile" in apps.columns else pd.NA
    requested = apps["amount_requested"].astype("float64")
    columns["amount_requested"] = requested
    minimum = apps["minimum_award"] if "minimum_award" in apps.columns else apps["amount_requested"]
    columns["minimum_award"] = minimum.astype("float64").fillna(requested)
    cap = np.inf if rules.max_award is None else float(rules.max_award)
    columns["capped_request"] = np.minimum(requested, cap)
    score = apps[cols.score].astype("float64")
    columns["score"] = score
    deciles = apps["imd_decile"] if "imd_decile" in apps.columns else pd.Series(np.nan, index=apps.index)
    columns["weighted_score"] = score * deprivation.factor_for(deciles, rules.decile_factors)
    columns["eligible"] = score >= rules.min_score
    if "beneficiaries" in apps.columns:
        columns["beneficiaries"] = apps["beneficiaries"]
    return pd.DataFrame(columns, index=apps.index)


def _finish(out: pd.DataFrame, awarded: np.ndarray, cols: _Columns) -> pd.DataFrame:
    out["awarded"] = _floor_pence(np.asarray(awarded, dtype="float64"))
    out["funded"] = out["awarded"] > 0
    out["fraction_funded"] = np.where(out["capped_request"] > 0, out["awarded"] / out["capped_request"], 0.0).round(4)
    keep = [c for c in cols.output() if c in out.columns]
    return out[keep].reset_index(drop=True)


def _rank(out: pd.DataFrame, rules: AllocationRules, cols: _Columns) -> np.ndarray:
    """Fund eligible bids in descending weighted score (ties by id), skipping any that no longer fit.

    Budget £100; requests £60 (score 90), £50 (score 80), £40 (score 70): the
    first is funded, the second does not fit in the £40 left, the third does.
    """
    order = (
        out[out["eligible"]].sort_values(["weighted_score", cols.id], ascending=[False, True], kind="mergesort").index
    )
    left = rules.available
    awarded = pd.Series(0.0, index=out.index)
    for i in order:
        amount = out.at[i, "capped_request"]
        if amount <= left + PENNY:
            awarded[i] = amount
            left -= amount
    return awarded.to_numpy()


def _pro_rata(out: pd.DataFrame, rules: AllocationRules, cols: _Columns) -> np.ndarray:
    """Give every eligible bid the same fraction of its capped request: the largest (at most 1) within the budget."""
    demand = out.loc[out["eligible"], "capped_request"].sum()
    fraction = 1.0 if demand <= rules.available else rules.available / demand
    return np.where(out["eligible"], out["capped_request"] * fraction, 0.0)


def _optimal(out: pd.DataFrame, rules: AllocationRules, cols: _Columns, time_limit: float = 60.0) -> np.ndarray:
    """Maximise the total weighted score of funded bids within the budget (integer programme, HiGHS).

    All or nothing by default; with ``rules.partial`` an award may lie between
    the (capped) minimum award and the capped request, and counts its score
    times the fraction funded.  ``group_floors`` give a group at least a share
    of the money; ``ward_cap`` limits the total to any one ward.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp  # loaded when an optimal allocation is asked for
    from scipy.sparse import csr_matrix, diags, hstack, identity

    n = len(out)
    cap = out["capped_request"].to_numpy(float)
    lower = np.minimum(out["minimum_award"].to_numpy(float), cap)  # under a cap the least award is the smaller
    value = out["weighted_score"].to_numpy(float)
    eligible = out["eligible"].to_numpy(bool) & (cap > 0)
    budget = rules.available
    awarded = np.zeros(n)
    idx = np.flatnonzero(eligible)
    group_word = cols.group.replace("_", " ")
    floors = {g: s for g, s in rules.group_floors.items() if s > 0}
    known = sorted({str(t) for t in out[cols.group]})
    for group in floors:
        if group not in known:
            raise InputError(
                f"No application has the {group_word} '{group}', so it cannot have a minimum share. "
                f"The values of {group_word} in this round are: {', '.join(known)}."
            )
    if len(idx) == 0:
        return awarded
    m = len(idx)
    c, lo, v = cap[idx], lower[idx], value[idx]
    groups = out[cols.group].astype(str).to_numpy(object)[idx]
    wards = out[cols.ward].to_numpy(object)[idx]
    rows: list[np.ndarray] = []
    lb: list[float] = []
    ub: list[float] = []
    if rules.partial:
        # Variables: x (m binaries: funded) then a (m awards in pounds).
        cost = np.concatenate([np.zeros(m), -v / c])
        integrality = np.concatenate([np.ones(m), np.zeros(m)])
        bounds = Bounds(np.zeros(2 * m), np.concatenate([np.ones(m), c]))
        eye = identity(m, format="csr")
        link_lo = hstack([diags(-lo), eye], format="csr")  # a - lo*x >= 0
        link_hi = hstack([diags(-c), eye], format="csr")  # a - c*x <= 0
        constraints = [LinearConstraint(link_lo, 0, np.inf), LinearConstraint(link_hi, -np.inf, 0)]
        money = np.concatenate([np.zeros(m), np.ones(m)])  # a row picks the awards
    else:
        cost = -v
        integrality = np.ones(m)
        bounds = Bounds(np.zeros(m), np.ones(m))
        constraints = []
        money = c

    def picks(mask: np.ndarray) -> np.ndarray:
        return money * np.concatenate([mask, mask]) if rules.partial else money * mask

    rows.append(money)
    lb.append(-np.inf)
    ub.append(budget)
    for group, share in floors.items():
        rows.append(picks(groups == group))
        lb.append(share * budget)
        ub.append(np.inf)
    if rules.ward_cap is not None:
        for ward in sorted({w for w in wards if w is not None}):
            rows.append(picks(wards == ward))
            lb.append(-np.inf)
            ub.append(float(rules.ward_cap))
    constraints.append(LinearConstraint(csr_matrix(np.vstack(rows)), lb, ub))
    result = milp(
        cost,
        integrality=integrality,
        bounds=bounds,
        constraints=constraints,
        options={"mip_rel_gap": 0.0, "time_limit": time_limit, "presolve": True},
    )
    if result.status == 2:
        shown = ", ".join(f"{g} {s:.0%}" for g, s in floors.items())
        parts = ([f"minimum shares: {shown}"] if shown else []) + (
            [f"at most {format_money(rules.ward_cap)} per ward"] if rules.ward_cap is not None else []
        )
        raise InputError(
            f"No allocation meets all the rules together ({'; '.join(parts)}). "
            f"There may not be enough eligible requests in each {group_word} (after the score threshold and the cap) "
            "to reach its minimum share"
            + (", or the ward cap may stop it" if rules.ward_cap is not None else "")
            + f". Lower the minimum for a {group_word}"
            + (" or raise the ward cap." if rules.ward_cap is not None else ".")
        )
    if result.status != 0:
        raise InputError(
            f"The optimal allocation was not found within {time_limit:g} seconds. Try fewer rules, or the rank method."
        )
    x = np.round(result.x[:m])
    award = np.clip(result.x[m:], 0, c) * x if rules.partial else c * x
    awarded[idx] = award
    if awarded.sum() > budget + PENNY * max(1, m):  # pragma: no cover - a solver tolerance problem, not the user's
        raise RuntimeError(f"optimal allocation {awarded.sum()} exceeds the budget {budget}")
    return awarded


_METHODS = {"rank": _rank, "pro_rata": _pro_rata, "optimal": _optimal}


def allocate(
    bids: pd.DataFrame,
    rules: AllocationRules | Settings,
    *,
    group_column: str = "theme",
    ward_column: str = "ward",
    id_column: str = "application_id",
    score_column: str = "score",
) -> pd.DataFrame:
    """Allocate money to a table of bids under a named rule: the one allocator of the workbook.

    Parameters
    ----------
    bids : DataFrame
        One row per bid, with ``id_column``, ``amount_requested``, ``score_column``
        (0 to 100), ``group_column`` (for minimum shares) and ``ward_column``
        (for ward caps); optional ``minimum_award`` (the least viable award,
        default the request), ``imd_decile`` (for equity factors),
        ``organisation``, ``project`` and ``beneficiaries`` (carried through).
    rules : AllocationRules or Settings
        The method and its rules; a grants :class:`Settings` gives its :meth:`Settings.rules`.
    group_column, ward_column, id_column, score_column : str
        The names of those columns (``infrastructure_type`` for CIL bids, say).

    Returns
    -------
    DataFrame
        One row per bid in input order: the id, ``organisation``, ``project``,
        the group and ward columns, ``imd_decile, amount_requested,
        minimum_award, capped_request, score, weighted_score, eligible,
        awarded, funded, fraction_funded`` (and ``beneficiaries`` when given);
        ``awarded`` in pounds, rounded down to the penny; ``funded`` is ``awarded > 0``.

    Raises
    ------
    InputError
        When the rules cannot work (:func:`check_rules`), a floor names a group
        no bid has, or no allocation meets the floors and caps together.
    """
    rules = _as_rules(rules)
    raise_for_errors(check_rules(rules))
    missing = [
        c for c in (id_column, "amount_requested", score_column, group_column, ward_column) if c not in bids.columns
    ]
    if missing:
        raise InputError(
            f"The bids have no column {sentence_list([repr(m) for m in missing])}; the allocation needs it."
        )
    cols = _Columns(id=id_column, group=group_column, ward=ward_column, score=score_column)
    out = _base_frame(bids, rules, cols)
    return _finish(out, _METHODS[rules.method](out, rules, cols), cols)


def brute_force_best_score(bids: pd.DataFrame, rules: AllocationRules | Settings) -> float:
    """Return the best total weighted score of any all-or-nothing set within the budget, by trying every subset.

    For checking the optimal method on small instances (at most ~16 bids).
    """
    rules = _as_rules(rules)
    base = _base_frame(bids, rules, _Columns("application_id", "theme", "ward", "score"))
    base = base[base["eligible"]]
    c = base["capped_request"].to_numpy(float)
    v = base["weighted_score"].to_numpy(float)
    best = 0.0
    for mask in range(1 << len(c)):
        chosen = np.array([(mask >> k) & 1 for k in range(len(c))], dtype=bool)
        if c[chosen].sum() <= rules.available + PENNY:
            best = max(best, float(v[chosen].sum()))
    return best


# --------------------------------------------------------------------------- results of one allocation


def summarise_allocation(
    allocation: pd.DataFrame, settings: Settings, *, name: str | None = None, most_deprived_decile: int | None = None
) -> dict[str, Any]:
    """Return the headline figures of one allocation.

    Returns
    -------
    dict
        ``scenario, method, budget, committed, available, total_awarded,
        unallocated, number_funded, number_of_applications, unfunded_demand``
        (requests not met), ``most_deprived_share`` (percentage of the
        awarded total going to areas in deciles up to ``most_deprived_decile``),
        ``wards_reached`` and ``total_score_funded``.
    """
    if most_deprived_decile is None:
        most_deprived_decile = most_deprived_threshold()
    total = float(allocation["awarded"].sum())
    deprived = float(
        allocation.loc[allocation["imd_decile"].astype("float64") <= most_deprived_decile, "awarded"].sum()
    )
    return {
        "scenario": name or settings.name,
        "method": settings.method,
        "budget": float(settings.budget),
        "committed": settings.committed_total,
        "available": settings.available,
        "total_awarded": round(total, 2),
        "unallocated": round(settings.available - total, 2),
        "number_funded": int(allocation["funded"].sum()),
        "number_of_applications": int(len(allocation)),
        "unfunded_demand": round(float(allocation["amount_requested"].sum()) - total, 2),
        "most_deprived_share": round(100 * deprived / total, 1) if total > 0 else 0.0,
        "wards_reached": int(allocation.loc[allocation["funded"], "ward"].nunique()),
        "total_score_funded": round(float((allocation["weighted_score"] * allocation["fraction_funded"]).sum()), 2),
    }


def outcome_differences(allocations: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Return the applications whose award differs between the allocations (one award column per scenario)."""
    if not allocations:
        return pd.DataFrame(columns=["application_id", "organisation", "ward", "amount_requested"])
    first = next(iter(allocations.values()))
    table = first[["application_id", "organisation", "ward", "amount_requested"]].copy()
    for name, alloc in allocations.items():
        table[name] = alloc.set_index("application_id").loc[table["application_id"], "awarded"].to_numpy()
    awards = table[list(allocations)].to_numpy(float)
    differs = (np.abs(awards - awards[:, :1]) > PENNY).any(axis=1)
    return table[differs].reset_index(drop=True)


def compare_scenarios(
    applications: pd.DataFrame, scenarios: Mapping[str, Settings]
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], pd.DataFrame]:
    """Run several scenarios (name → settings) on the same applications and compare them.

    Returns
    -------
    summary : DataFrame
        One row per scenario: :func:`summarise_allocation`'s figures.
    allocations : dict of str to DataFrame
        Each scenario's allocation, by name.
    differences : DataFrame
        The applications whose award differs between scenarios:
        ``application_id, organisation, ward, amount_requested`` and one
        column of awards per scenario.
    """
    allocations = {name: allocate(applications, s.rules(name)) for name, s in scenarios.items()}
    summary = pd.DataFrame([summarise_allocation(allocations[n], s, name=n) for n, s in scenarios.items()])
    return summary, allocations, outcome_differences(allocations)


def funding_by(allocation: pd.DataFrame, column: str) -> pd.DataFrame:
    """Return the awarded total, number funded and amount requested per value of ``column`` (theme, ward, decile)."""
    groups = allocation.groupby(column, dropna=False)
    sums = groups[["awarded", "funded", "amount_requested"]].sum()
    out = pd.DataFrame(
        {
            "awarded": sums["awarded"],
            "number_funded": sums["funded"],
            "amount_requested": sums["amount_requested"],
            "applications": groups.size(),
        }
    ).reset_index()
    out["awarded"] = out["awarded"].round(2)
    out["number_funded"] = out["number_funded"].astype("int64")
    return out


def funding_by_decile(allocation: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`funding_by` for IMD deciles 1 to 10, with zero rows for deciles no application is in."""
    table = funding_by(allocation, "imd_decile").set_index("imd_decile")
    table = table.reindex(range(1, 11), fill_value=0)
    table.index.name = "imd_decile"
    return table.reset_index()


def funding_by_ward(allocation: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`funding_by` for every Sevenoaks ward (zero for wards with none), with each ward's decile."""
    wards = deprivation.ward_deciles()[["ward_code", "ward", "imd_decile"]]
    table = funding_by(allocation, "ward")
    out = wards.merge(table, on="ward", how="left")
    for col in ("awarded", "amount_requested"):
        out[col] = out[col].fillna(0.0)
    for col in ("number_funded", "applications"):
        out[col] = out[col].fillna(0).astype("int64")
    return out


def why_not_funded(allocation: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Return the applications not funded, each with the reason in plain English.

    Columns: ``application_id, organisation, theme, ward, amount_requested, score, weighted_score, reason``.
    """
    rules = settings.rules()
    reasons: dict[int, str] = {}
    if rules.method == "rank":
        order = (
            allocation[allocation["eligible"]]
            .sort_values(["weighted_score", "application_id"], ascending=[False, True], kind="mergesort")
            .index
        )
        left = rules.available
        for i in order:
            if allocation.at[i, "funded"]:
                left -= float(allocation.at[i, "awarded"])
            else:
                reasons[i] = (
                    f"Its request ({format_money(allocation.at[i, 'capped_request'])}) did not fit in the "
                    f"{format_money(max(left, 0.0))} left when its turn came in score order."
                )
    for i, row in allocation.iterrows():
        if row["funded"] or i in reasons:
            continue
        if not row["eligible"]:
            reasons[i] = f"Its score ({row['score']:g}) is below the minimum score ({rules.min_score:g})."
        elif rules.method == "optimal":
            reasons[i] = "Not in the set of awards with the best total score that fits the budget" + (
                " and the minimum shares and ward cap." if rules.group_floors or rules.ward_cap else "."
            )
        else:
            reasons[i] = "Its pro rata share rounds to nothing."
    unfunded = allocation[~allocation["funded"]]
    out = unfunded[
        ["application_id", "organisation", "theme", "ward", "amount_requested", "score", "weighted_score"]
    ].copy()
    out["reason"] = [reasons[i] for i in unfunded.index]
    return out.sort_values(["weighted_score", "application_id"], ascending=[False, True]).reset_index(drop=True)


def headline(summary: Mapping[str, Any]) -> str:
    """Return one plain sentence about an allocation, for the notebook and the app."""
    return (
        f"{summary['scenario']}: {format_money(summary['total_awarded'])} awarded to {summary['number_funded']} of "
        f"{summary['number_of_applications']} applications from {format_money(summary['available'])} available"
        + (
            f" ({format_money(summary['budget'])} less {format_money(summary['committed'])} committed)"
            if summary["committed"]
            else ""
        )
        + "; "
        f"{format_money(summary['unfunded_demand'])} of requests unfunded; {summary['wards_reached']} wards reached; "
        f"{summary['most_deprived_share']:.1f}% to the most deprived areas."
    )


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
    findings = check_applications(table, filename=path.name)
    raise_for_errors(findings)
    applications = prepare_applications(table)
    example = path.resolve() == resolve_path(EXAMPLE_APPLICATIONS).resolve()
    return Inputs(
        values={
            "applications": applications,
            "is_example": example,
            "filename": path.name,
            "findings": [f for f in findings if not f.is_error],
        },
        sources={
            "applications": path,
            "ward_deprivation": deprivation.DATA_FILES["wards"],
            "lsoa_deprivation": deprivation.DATA_FILES["lsoas"],
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
    inputs = inputs if inputs is not None else load(settings)
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
        by_ward=funding_by_ward(allocation),
        comparison=comparison,
        differences=differences,
        is_example=bool(inputs.get("is_example", False)),
        source_name=str(inputs.get("filename", "")),
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
    }
    return record


def threesixtygiving_files(result: Result) -> dict[str, str | bytes]:
    """The awards in the 360Giving Data Standard (``360giving.json`` and ``360giving.xlsx``), validated first.

    Empty when nothing is funded.
    """
    from sv_helpers.core import exports
    from sv_helpers.grants import threesixtygiving as tsg

    detail: Allocation = result.detail
    if not detail.allocation["funded"].any():
        return {}
    package = tsg.grants_package(detail.allocation, detail.applications, award_date=result.settings.award_date)
    tsg.validate_package(package)
    return {
        "360giving.json": exports.json_text(package),
        "360giving.xlsx": exports.excel_bytes({"grants": tsg.grants_spreadsheet(package)}, result.provenance),
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
        (
            "Scores",
            f"{apps['score'].min():g} to {apps['score'].max():g}"
            + (f" ({computed} computed from the criterion scores)" if computed else ""),
        ),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])
