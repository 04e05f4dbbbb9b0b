"""The tender scoring scenario: ``Settings`` (every setting of a run), ``load`` and ``run`` (the core), and the
headline and differences a notebook shows. The scoring rules are in :mod:`.model`; the sensitivity checks in
:mod:`.sensitivity`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from sv_helpers.core import valuation as val
from sv_helpers.core.errors import InputError
from sv_helpers.core.formatting import format_number, format_pct
from sv_helpers.core.measures import load_measures
from sv_helpers.core.paths import data_path, resolve_path
from sv_helpers.core.scenario import (
    Inputs,
    LazyFiles,
    Result,
    SettingsBase,
    Spec,
    make_provenance,
    numbers_mapping,
    setting,
)
from sv_helpers.scoring import ocds
from sv_helpers.scoring.model import score_tender
from sv_helpers.scoring.sensitivity import Evaluation
from sv_helpers.scoring.summaries import assessment_summary_files
from sv_helpers.scoring.tender import PRICE_METHOD_LABELS, PRICE_METHODS, TOTAL_WEIGHT, load_tender

# --------------------------------------------------------------------------- the scenario core


def _check_weights(value: Mapping[str, Any], spec: Spec) -> dict[str, float]:
    """Criterion weights: each a finite number from 0 to 100, and together 100 (or none, for the workbook's)."""
    weights = numbers_mapping(0.0, TOTAL_WEIGHT, key_label="criterion")(value, spec)
    total = sum(weights.values())
    if weights and abs(total - TOTAL_WEIGHT) > WEIGHT_TOLERANCE:
        raise InputError(
            f"The setting '{spec.label}' ({spec.name}) must add up to 100 points; these add up to "
            f"{format_number(total, 2)}. Leave it empty to use the evaluation workbook's own weights."
        )
    return weights


def _check_notice_date(value: str, spec: Spec) -> str:
    """A date written 2026-05-01, or blank (the evaluation workbook's own, if it gives one)."""
    import datetime as dt

    text = str(value).strip()
    if not text:
        return ""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise InputError(
            f"The setting '{spec.label}' ({spec.name}) must be a date written as 2026-05-01, or blank for the "
            f"evaluation workbook's own; '{text[:40]}' is not."
        ) from None


#: Weights may add up to 100 within this much (rounding of weights moved on screen).
WEIGHT_TOLERANCE = 1e-6
#: The example files, as the notebook's defaults name them.
EXAMPLE_TENDER = "data/tenders/example_tender.xlsx"
EXAMPLE_MEASURES = "data/measures.csv"


@dataclass(frozen=True)
class Settings(SettingsBase):
    """Every setting of one tender evaluation (the notebook's parameters and the app's controls).

    Examples
    --------
    >>> s = Settings.from_parameters({"price_method": "deviation_from_lowest", "seed": 7})
    >>> (s.price_method, s.seed, s.uncertainty_margin)
    ('deviation_from_lowest', 7, 0.5)
    >>> Settings.from_parameters(s.to_parameters()) == s
    True
    """

    AREA: ClassVar[str] = "scoring"
    NOTEBOOK: ClassVar[str] = "social_value_scoring.ipynb"

    tender_path: str = setting(EXAMPLE_TENDER, label="Evaluation workbook", kind="path")
    measures_path: str = setting(EXAMPLE_MEASURES, label="Measures library", kind="path")
    monte_carlo_draws: int = setting(10_000, label="Monte Carlo draws", kind="int", minimum=100, maximum=100_000)
    seed: int = setting(20260401, label="Random seed", kind="int", minimum=0, maximum=2**32 - 1)
    uncertainty_margin: float = setting(
        parameter="scoring.uncertainty_margin",
        label="Evaluator uncertainty (points either way)",
        minimum=0.0,
        maximum=10.0,
    )
    price_method: str = setting("", label="Price method", choices=("", *PRICE_METHODS))
    weights: dict = setting({}, label="Criterion weights", kind="mapping", check=_check_weights)
    notice_date: str = setting(
        "", label="Date the contract award notice is published", kind="str", check=_check_notice_date
    )
    discount_rate_pct: float = setting(
        val.default_rate_pct(), kind="float", label="Discount rate (% a year)", unit="percent", minimum=0, maximum=20
    )
    discount_convention: str = setting("green_book", label="First year discounted?", choices=tuple(val.CONVENTIONS))

    def discounting(self) -> val.Discounting:
        """The discount rate (the parameter file's schedule from this setting's rate) and convention."""
        return val.discounting(self.discount_rate_pct, self.discount_convention)

    @property
    def is_example(self) -> bool:
        """Whether the tender is the shipped (fictional) example."""
        return "example" in Path(self.tender_path).name

    @property
    def measures_is_example(self) -> bool:
        """Whether the measures library is the shipped example library."""
        return resolve_path(self.measures_path).resolve() == data_path("measures.csv").resolve()


def load(settings: Settings) -> Inputs:
    """Read the evaluation workbook and the measures library that the settings name.

    Raises
    ------
    InputError
        When a file is missing or cannot be read (the message names the file, sheet, row and column).
    """
    tender_file = resolve_path(settings.tender_path, setting="tender_path")
    measures_file = resolve_path(settings.measures_path, setting="measures_path")
    if not tender_file.exists():
        raise InputError(
            f"The evaluation workbook '{settings.tender_path}' was not found. "
            "Check the path (tender_path), or upload the workbook in the app."
        )
    if not measures_file.exists():
        raise InputError(
            f"The measures library '{settings.measures_path}' was not found. "
            "Check the path (measures_path), or upload the library in the app."
        )
    return Inputs(
        values={"tender": load_tender(tender_file), "measures": load_measures(measures_file)},
        sources={"tender": tender_file, "measures": measures_file},
    )


def headline(evaluation: Evaluation) -> str:
    """The answer in plain English: the winner, its score and its chance of winning under uncertainty."""
    result = evaluation.result
    tied = len(result.winners) > 1
    total = float(result.ranking["total_score"].iloc[0])
    method = PRICE_METHOD_LABELS.get(result.tender.price_method or "", "no price criterion")
    text = (
        f"{'Joint winners' if tied else 'Winner'}: {result.winner}, "
        f"with {format_number(total, 2)} points out of 100 "
        f"({len(result.ranking)} bids scored; price scored by “{method}”)."
    )
    if evaluation.uncertainty_margin > 0:
        chance = format_pct(100 * winner_probability(evaluation), 1)
        text += (
            " With every final score uncertain by up to "
            f"{format_number(evaluation.uncertainty_margin, 1)} points either way, "
            f"{'they share' if tied else 'it wins'} {chance} of {format_number(evaluation.draws)} draws."
        )
    return text


def winner_probability(evaluation: Evaluation) -> float:
    """The winner's (or joint winners' together) chance of winning in the Monte Carlo."""
    probs = evaluation.probabilities.set_index("bidder")["win_probability"]
    return float(sum(probs[b] for b in evaluation.result.winners))


def summary_text_note(version: str) -> str:
    """The line that closes every assessment summary file."""
    return f"Provenance: see provenance.json (sv-helpers {version})."


def run(settings: Settings, inputs: Inputs | None = None) -> Result:
    """Check, score and test one tender evaluation (pure: nothing is written or drawn).

    Returns
    -------
    Result
        ``tables``: ``ranking``, ``criterion_scores``, ``social_value_by_bidder``,
        ``assessment_summaries``, ``checks``, ``tipping_points``, ``winner_grid``,
        ``rank_reversal``, ``win_probabilities``; ``files``: one Markdown assessment
        summary per bidder; ``summary``: ``winner``, ``winner_total``,
        ``winner_probability``; ``detail``: the :class:`~sv_helpers.scoring.sensitivity.Evaluation`.

    Raises
    ------
    InputError
        When the evaluation has errors (all listed), or the weights do not name the workbook's criteria.
    """
    from sv_helpers import __version__
    from sv_helpers.scoring.sensitivity import evaluate_tender

    inputs = load(settings) if inputs is None else inputs
    tender, measures = inputs["tender"], inputs["measures"]
    if settings.weights:
        named, criteria = set(settings.weights), set(tender.criterion_names)
        if named != criteria:
            missing = ", ".join(repr(c) for c in tender.criterion_names if c not in named)
            extra = ", ".join(repr(c) for c in settings.weights if c not in criteria)
            raise InputError(
                "The setting 'Criterion weights' (weights) must give a weight to every criterion of the evaluation "
                f"workbook ({', '.join(tender.criterion_names)})"
                + (f"; it has none for {missing}" if missing else "")
                + (f"; {extra} is not a criterion" if extra else "")
                + ". Leave it empty to use the workbook's own weights."
            )
    # The final scores and the social value do not change with the weights or the price method: kept with the inputs.
    basis = settings.discounting()
    key = (id(tender), id(measures), basis)  # both held by ``inputs``, so their ids stay theirs
    derived = inputs.values.get("derived")
    if not isinstance(derived, dict) or derived.get("key") != key:
        derived = inputs.values["derived"] = {"key": key}
    result = score_tender(
        tender,
        measures,
        weights=settings.weights or None,
        price_method=settings.price_method or None,
        finals=derived.get("finals"),
        social=derived.get("social_value"),
        checked=derived.setdefault("checked", {}),
        basis=basis,
    )
    derived.update(finals=result.finals, social_value=result.social_value)
    # The winner grid depends on the scores and on each group's proportions, not on the groups' weights: moving
    # the price weight (the others scale with it) leaves it as it was.
    scored = result.tender
    shares = scored.weights / scored.weights.groupby(scored.groups).transform("sum").replace(0.0, np.nan)
    grid_key = (result.fractions.to_numpy(dtype=float).tobytes(), np.round(shares.to_numpy(dtype=float), 12).tobytes())
    grids = derived.setdefault("winner_grids", {})
    evaluation = evaluate_tender(
        result,
        uncertainty_margin=settings.uncertainty_margin,
        draws=settings.monte_carlo_draws,
        seed=settings.seed,
        grid=grids.get(grid_key),
    )
    if len(grids) > 32:
        grids.clear()
    grids[grid_key] = evaluation.grid
    tables = evaluation.tables()
    # Like the social value it varies, the sensitivity does not change with the weights: kept with the inputs.
    if "social_value_sensitivity" not in derived:
        derived["social_value_sensitivity"] = social_value_sensitivity(tender, measures, basis)
    tables["social_value_sensitivity"] = derived["social_value_sensitivity"].copy()
    provenance = make_provenance(settings, inputs.sources)
    standstill = ocds.standstill(result, settings.notice_date)

    def files() -> dict[str, str | bytes]:
        summaries = assessment_summary_files(result, summary_text_note(__version__), tables["assessment_summaries"])
        notice = ocds.ocds_files(
            result,
            summaries,
            notice_date_override=settings.notice_date,
            made_at=str(provenance.get("created_at", "")),
            provenance=provenance,
        )
        return {**summaries, **notice}

    return Result(
        settings=settings,
        tables=tables,
        findings=list(result.findings) + ocds.notice_findings(result),
        headline=headline(evaluation),
        provenance=provenance,
        summary={
            "winner": result.winner,
            "winner_total": float(result.ranking["total_score"].iloc[0]),
            "winner_probability": winner_probability(evaluation),
            "standstill_end": standstill.end.isoformat() if standstill else None,
        },
        files=LazyFiles(files),
        detail=evaluation,
    )


def social_value_sensitivity(tender, measures: pd.DataFrame, basis: val.Discounting) -> pd.DataFrame:
    """Each bid's committed social value in present value with every adjustment halved and doubled, and at the
    other discount rates (:func:`sv_helpers.core.valuation.sensitivity`), in the bids sheet's order.

    Returns
    -------
    DataFrame
        ``bidder, case, present_value_gbp, change_gbp, change_pct``.
    """
    commitments = tender.commitments
    parts = []
    for bidder in tender.bidders:
        mine = commitments[commitments["bidder"].astype(str) == str(bidder)]
        table = val.sensitivity(mine, measures, "quantity", basis)
        table.insert(0, "bidder", bidder)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def ranking_difference(first: Result, second: Result) -> pd.DataFrame:
    """How two scenarios of one tender rank the bids: totals and ranks side by side, and the change.

    Returns
    -------
    DataFrame
        ``bidder, total_score_first, total_score_second, change, rank_first, rank_second``, in the first
        scenario's ranking order.
    """
    a = first.tables["ranking"].set_index("bidder")
    b = second.tables["ranking"].set_index("bidder").reindex(a.index)
    return pd.DataFrame(
        {
            "bidder": a.index.to_numpy(),
            "total_score_first": a["total_score"].to_numpy(dtype=float),
            "total_score_second": b["total_score"].to_numpy(dtype=float),
            "change": (b["total_score"] - a["total_score"]).to_numpy(dtype=float),
            "rank_first": a["rank"].to_numpy(),
            "rank_second": b["rank"].to_numpy(),
        }
    )
