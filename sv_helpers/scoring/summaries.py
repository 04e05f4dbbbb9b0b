"""Assessment summaries (Procurement Act 2023 s.50): for every bidder, its scores beside the winner's, in
plain English, as a table and as one text file each."""

from __future__ import annotations

import re

import pandas as pd

from sv_helpers.core.errors import InputError
from sv_helpers.core.formatting import format_money, format_number
from sv_helpers.scoring.model import TenderResult
from sv_helpers.scoring.tender import GROUP_LABELS, PRICE_METHODS

# --------------------------------------------------------------------------- assessment summaries


class _Lookups:
    """What the assessment summaries look up per bid and criterion, indexed once (not filtered per row)."""

    def __init__(self, result: TenderResult) -> None:
        tender = result.tender
        self.max_score = tender.settings.max_score
        self.prices = dict(zip(tender.bids["bidder"], tender.bids["price"].astype(float), strict=True))
        self.lowest = float(tender.bids["price"].min())
        values = result.social_value["social_value_gbp"]
        self.values = {b: float(v) for b, v in values.items()}
        social = result.social_value
        self.gross_net = (
            {
                b: (float(g), float(n))
                for b, g, n in zip(social.index, social["gross_value_gbp"], social["net_value_gbp"])
            }
            if "gross_value_gbp" in social.columns
            else {}
        )
        self.is_adjusted = any(abs(g - self.values[b]) > 0.005 for b, (g, _) in self.gross_net.items())
        self.highest = float(values.max())
        finals = result.finals
        self.finals: dict[tuple[str, str], tuple[float, str, str]] = {}
        for b, c, f, basis, reasons in zip(
            finals["bidder"],
            finals["criterion"],
            finals["final_score"],
            finals["basis"],
            finals["reasons"],
            strict=True,
        ):
            self.finals.setdefault((b, c), (float(f), str(basis), str(reasons)))

    def basis(self, bidder: str, criterion: str, method: str) -> str:
        if method in PRICE_METHODS:
            return f"Price {format_money(self.prices[bidder])}; lowest price {format_money(self.lowest)}"
        if method == "proxy_value":
            if self.is_adjusted:
                gross, net = self.gross_net[bidder]
                return (
                    f"Social value committed {format_money(self.values[bidder])} in present value "
                    f"({format_money(gross)} gross, {format_money(net)} net); highest {format_money(self.highest)}"
                )
            return f"Social value committed {format_money(self.values[bidder])}; highest {format_money(self.highest)}"
        final = self.finals.get((bidder, criterion))
        if final is None:
            return "No score"
        return f"Score {format_number(final[0], 2)} out of {format_number(self.max_score)} ({final[1]})"

    def reasons(self, bidder: str, criterion: str) -> str:
        final = self.finals.get((bidder, criterion))
        return final[2] if final else ""


def assessment_summaries(result: TenderResult) -> pd.DataFrame:
    """Each bidder's scores and reasons by criterion beside the winning bid's.

    The Procurement Act 2023 asks the authority to give every assessed
    supplier such a summary.

    Returns
    -------
    DataFrame
        ``bidder, rank, criterion, group, weight, basis, score, reasons,
        winning_bidder, winning_basis, winning_score, winning_reasons``;
        one row per bidder and criterion plus a ``Total`` row per bidder.
    """
    tender = result.tender
    winner = result.winners[0]
    look = _Lookups(result)
    scores = result.criterion_scores.set_index(["bidder", "criterion"])["score"].to_dict()
    ranks = result.ranking.set_index("bidder")["rank"]
    totals = result.ranking.set_index("bidder")["total_score"]
    rows = []
    for bidder in result.ranking["bidder"]:
        for criterion, group, weight, method in zip(
            tender.criterion_names, tender.criteria["group"], tender.criteria["weight"], tender.criteria["method"]
        ):
            rows.append(
                {
                    "bidder": bidder,
                    "rank": int(ranks[bidder]),
                    "criterion": criterion,
                    "group": group,
                    "weight": float(weight),
                    "basis": look.basis(bidder, criterion, method),
                    "score": float(scores[(bidder, criterion)]),
                    "reasons": look.reasons(bidder, criterion),
                    "winning_bidder": winner,
                    "winning_basis": look.basis(winner, criterion, method),
                    "winning_score": float(scores[(winner, criterion)]),
                    "winning_reasons": look.reasons(winner, criterion),
                }
            )
        rows.append(
            {
                "bidder": bidder,
                "rank": int(ranks[bidder]),
                "criterion": "Total",
                "group": "",
                "weight": float(tender.weights.sum()),
                "basis": "",
                "score": float(totals[bidder]),
                "reasons": "",
                "winning_bidder": winner,
                "winning_basis": "",
                "winning_score": float(totals[winner]),
                "winning_reasons": "",
            }
        )
    return pd.DataFrame(rows)


def assessment_summary_text(result: TenderResult, bidder: str, table: pd.DataFrame | None = None) -> str:
    """A plain-text (Markdown) assessment summary for one bidder (``table``: :func:`assessment_summaries`, if made)."""
    table = assessment_summaries(result) if table is None else table
    mine = table[table["bidder"] == bidder]
    if not len(mine):
        raise InputError(f"'{bidder}' is not a bidder in this tender.")
    winner = mine["winning_bidder"].iloc[0]
    rank = int(mine["rank"].iloc[0])
    # The total is each bidder's last row (a criterion may itself be called "Total").
    total = mine["score"].iloc[-1]
    win_total = mine["winning_score"].iloc[-1]
    lines = [
        f"# Assessment summary: {bidder}",
        "",
        f"Tender: {result.tender.name}. {bidder} scored {format_number(total, 2)} out of 100 and was ranked {rank} of {len(result.ranking)}. "
        + (
            "This is the winning bid."
            if bidder in result.winners
            else f"The winning bid, from {winner}, scored {format_number(win_total, 2)}."
        ),
        "",
    ]
    for _, r in mine.iloc[:-1].iterrows():
        lines += [
            f"## {r['criterion']} ({GROUP_LABELS.get(r['group'], r['group'])}, weight {format_number(r['weight'], 1)})",
            "",
            f"- Your bid: {format_number(r['score'], 2)} points. {r['basis']}."
            + (f" Reasons: {r['reasons']}" if r["reasons"] else ""),
        ]
        if bidder != winner:
            lines.append(
                f"- Winning bid ({winner}): {format_number(r['winning_score'], 2)} points. {r['winning_basis']}."
                + (f" Reasons: {r['winning_reasons']}" if r["winning_reasons"] else "")
            )
        lines.append("")
    return "\n".join(lines)


def _file_slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_") or "bidder"


def assessment_summary_files(
    result: TenderResult, created_note: str = "", table: pd.DataFrame | None = None
) -> dict[str, str]:
    """One Markdown assessment summary per bidder, keyed by file name.

    Parameters
    ----------
    result : TenderResult
    created_note : str
        A line added at the end of each summary (e.g. the provenance).
    table : DataFrame, optional
        :func:`assessment_summaries` of the result, when already made.

    Returns
    -------
    dict of str to str
        ``assessment_summary_<bidder>.md`` → its text, in ranking order.
    """
    files: dict[str, str] = {}
    table = assessment_summaries(result) if table is None else table
    for bidder in result.ranking["bidder"]:
        name = f"assessment_summary_{_file_slug(str(bidder))}.md"
        if name in files:  # two names that differ only in punctuation
            name = name.replace(".md", f"_{len(files) + 1}.md")
        files[name] = assessment_summary_text(result, bidder, table) + (f"\n{created_note}\n" if created_note else "")
    return files
