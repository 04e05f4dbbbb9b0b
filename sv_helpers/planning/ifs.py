"""The annual Infrastructure Funding Statement: the CIL report and the section 106 report (model layer).

Regulation 121A of the CIL Regulations 2010 (SI 2010/948, as amended by SI
2019/1103) requires every contribution receiving authority to publish, by 31
December, a statement for the previous financial year holding the
infrastructure list, a CIL report with the matters in paragraph 1 of
Schedule 2 and a section 106 report with those in paragraph 3.  Each item
below carries its paragraph, e.g. ``1(b)`` is "the total amount of CIL
receipts for the reported year".

How the ledgers give each item (assumptions a reader should know):

* CIL is taken as it arrives: the neighbourhood portion (passed to parishes
  or kept for an unparished area, regulation 59F) and the administration
  share (the ``administration`` rows of the spending ledger for the year when
  there are any, else the chosen share) come off first; the rest is the
  strategic fund.
* Allocations draw on the oldest unallocated receipts first, and spending on
  the oldest money held (first in, first out): that splits items 1(c)/1(d)
  and 1(l)(i)–(iv) between the reported year and earlier years.
* CIL "passed" to parish councils in the reported year is the portion whose
  instalment fell due in it (28 October of the year, and 28 April of the year
  for the previous winter's receipts).
* Schedule 2 items the ledgers do not record (1(a) demand notices, 1(i)(ii)
  payments under regulation 59(4), 1(k) notices under regulation 59E, 3(h)(ii)
  borrowing repaid from S106 money) are listed by :data:`NOT_RECORDED`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from sv_helpers.core.formatting import financial_year_bounds, financial_year_of, format_pct, parse_financial_year
from sv_helpers.planning.neighbourhood import portion_by_receipt

IFS_COLUMNS: tuple[str, ...] = ("item", "paragraph", "amount")

#: Schedule 2 items these ledgers cannot give, with their paragraph.
NOT_RECORDED: tuple[tuple[str, str], ...] = (
    ("1(a)", "the total value of CIL set out in demand notices issued in the reported year"),
    ("1(i)(ii)", "CIL passed to any person under regulation 59(4)"),
    ("1(k)", "notices served under regulation 59E and the sums recovered from parish councils"),
    ("3(h)(ii)", "section 106 money spent repaying money borrowed"),
)


def _row(item: str, paragraph: str, amount: float) -> dict:
    return {"item": item, "paragraph": paragraph, "amount": round(float(amount), 2)}


def _years(receipts: pd.DataFrame, financial_year: str) -> list[str]:
    """Every financial year with receipts, up to and including the reported year, oldest first."""
    last = parse_financial_year(financial_year)
    found = {parse_financial_year(financial_year_of(d)) for d in receipts["date_received"].dropna()}
    return [f"{y}/{(y + 1) % 100:02d}" for y in sorted(y for y in found | {last} if y <= last)]


def _portion(receipts: pd.DataFrame, parishes: pd.DataFrame, fy: str, cache: dict | None) -> pd.DataFrame:
    """:func:`portion_by_receipt` for one year, worked out once per report (``cache`` keeps it by year)."""
    if cache is None:
        return portion_by_receipt(receipts, parishes, fy)
    if fy not in cache:
        cache[fy] = portion_by_receipt(receipts, parishes, fy)
    return cache[fy]


def cil_flows(
    receipts: pd.DataFrame,
    parishes: pd.DataFrame,
    spend: pd.DataFrame,
    financial_year: str,
    admin_share_pct: float,
    cache: dict | None = None,
) -> pd.DataFrame:
    """Return, for each financial year up to the reported one, what came in and went out of each CIL fund.

    Columns: ``financial_year, receipts, portion_passed`` (for the year's
    receipts), ``kept_59f, admin, strategic_in, neighbourhood_spent,
    strategic_spent, admin_recorded`` (whether the ledger recorded the administration).
    """
    return _with_admin(_ledger_flows(receipts, parishes, spend, financial_year, cache), admin_share_pct)


def _ledger_flows(
    receipts: pd.DataFrame, parishes: pd.DataFrame, spend: pd.DataFrame, financial_year: str, cache: dict | None
) -> list[dict]:
    """:func:`cil_flows` before the administration share is applied: ``admin`` is what the ledger recorded
    (None when it recorded none)."""
    rows = []
    for fy in _years(receipts, financial_year):
        start, end = financial_year_bounds(fy)
        by_receipt = _portion(receipts, parishes, fy, cache)
        total = float(by_receipt["amount"].sum())
        kept = float(by_receipt.loc[by_receipt["kept_by_council"], "portion"].sum())
        passed = float(by_receipt.loc[~by_receipt["kept_by_council"], "portion"].sum())
        in_year = spend[(spend["date"] >= start) & (spend["date"] <= end) & (spend["entry"] == "spent")]
        admin_rows = in_year[in_year["fund"] == "administration"]
        rows.append(
            {
                "financial_year": fy,
                "total": total,
                "passed": passed,
                "kept": kept,
                "admin": float(admin_rows["amount"].sum()) if len(admin_rows) else None,
                "neighbourhood_spent": round(float(in_year.loc[in_year["fund"] == "neighbourhood", "amount"].sum()), 2),
                "strategic_spent": round(float(in_year.loc[in_year["fund"] == "strategic", "amount"].sum()), 2),
            }
        )
    return rows


def _with_admin(ledger: list[dict], admin_share_pct: float) -> pd.DataFrame:
    """The flows with each year's administration: as recorded, or the chosen share of the year's receipts."""
    rows = []
    for year in ledger:
        total, passed, kept = year["total"], year["passed"], year["kept"]
        recorded = year["admin"] is not None
        admin = year["admin"] if recorded else round(total * admin_share_pct / 100, 2)
        rows.append(
            {
                "financial_year": year["financial_year"],
                "receipts": round(total, 2),
                "portion_passed": round(passed, 2),
                "kept_59f": round(kept, 2),
                "admin": round(admin, 2),
                "strategic_in": round(total - passed - kept - admin, 2),
                "neighbourhood_spent": year["neighbourhood_spent"],
                "strategic_spent": year["strategic_spent"],
                "admin_recorded": recorded,
            }
        )
    return pd.DataFrame(rows)


def _fifo_split(inflows: Iterable[float], outflows: Iterable[float]) -> tuple[float, float]:
    """Money held at the end of the last year, split into (from the last year's inflow, from earlier years).

    The oldest money is spent first, so what is held comes from the newest inflows.
    """
    inflows, outflows = list(inflows), list(outflows)
    held = max(0.0, sum(inflows) - sum(outflows))
    from_last = min(held, inflows[-1]) if inflows else 0.0
    return round(from_last, 2), round(held - from_last, 2)


def passed_in_year(
    receipts: pd.DataFrame, parishes: pd.DataFrame, financial_year: str, cache: dict | None = None
) -> float:
    """The neighbourhood portion whose instalment fell due within the financial year (both instalments)."""
    start, end = financial_year_bounds(financial_year)
    previous = f"{start.year - 1}/{start.year % 100:02d}"
    total = 0.0
    for fy in (previous, financial_year):
        by_receipt = _portion(receipts, parishes, fy, cache)
        due = by_receipt[
            ~by_receipt["kept_by_council"] & (by_receipt["due_date"] >= start) & (by_receipt["due_date"] <= end)
        ]
        total += float(due["portion"].sum())
    return round(total, 2)


def _project_balances(spend: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Allocated and spent to date per project (to ``end``), and what is allocated but not spent."""
    upto = spend[spend["date"] <= end]
    if len(upto) == 0:
        return pd.DataFrame(columns=["project", "infrastructure_type", "fund", "allocated", "spent", "unspent"])
    table = upto.pivot_table(
        index=["project", "infrastructure_type", "fund"],
        columns="entry",
        values="amount",
        aggfunc="sum",
        fill_value=0.0,
    ).reset_index()
    for col in ("allocated", "spent"):
        if col not in table.columns:
            table[col] = 0.0
    table["unspent"] = (table["allocated"] - table["spent"]).clip(lower=0).round(2)
    return table.sort_values(["project", "fund"], kind="mergesort").reset_index(drop=True)


def _ledger_year(
    receipts: pd.DataFrame, parishes: pd.DataFrame, spend: pd.DataFrame, financial_year: str, cache: dict
) -> dict:
    """What :func:`ifs_cil` reads from the ledgers for a year, none of which depends on the administration share."""
    start, end = financial_year_bounds(financial_year)
    allocations = spend[spend["entry"] == "allocated"]
    spent_in = spend[
        (spend["entry"] == "spent")
        & (spend["date"] >= start)
        & (spend["date"] <= end)
        & (spend["fund"] != "administration")
    ]
    infra = spent_in[~spent_in["repays_borrowing"].astype(bool)]
    balances = _project_balances(spend[spend["fund"] != "administration"], end)
    after_admin = [
        _row(f"Allocated and not spent: {b['project']} ({b['infrastructure_type']})", "1(h)", b["unspent"])
        for _, b in balances[balances["unspent"] > 0].iterrows()
    ]
    after_admin.append(
        _row(
            "CIL passed to parish and town councils under regulations 59A and 59B",
            "1(i)(i)",
            passed_in_year(receipts, parishes, financial_year, cache),
        )
    )
    flows = _ledger_flows(receipts, parishes, spend, financial_year, cache)
    after_admin.append(
        _row(
            "CIL receipts to which regulation 59F applied (kept for unparished areas)",
            "1(j)(i)",
            round(flows[-1]["kept"], 2),
        )
    )
    neighbourhood_spent = spent_in[spent_in["fund"] == "neighbourhood"]
    for (project, kind), part in neighbourhood_spent.groupby(["project", "infrastructure_type"], sort=True):
        after_admin.append(
            _row(f"Spent under regulation 59F on {project} ({kind})", "1(j)(ii)", float(part["amount"].sum()))
        )
    return {
        "flows": flows,
        "allocated_before": float(allocations.loc[allocations["date"] < start, "amount"].sum()),
        "allocated_in": float(
            allocations.loc[(allocations["date"] >= start) & (allocations["date"] <= end), "amount"].sum()
        ),
        "spent": float(spent_in["amount"].sum()),
        "unspent": float(balances["unspent"].sum()),
        "infrastructure": [
            _row(f"Spent on {project} ({kind})", "1(g)(i)", float(part["amount"].sum()))
            for (project, kind), part in infra.groupby(["project", "infrastructure_type"], sort=True)
        ],
        "repaying": _row(
            "Spent repaying money borrowed for infrastructure",
            "1(g)(ii)",
            float(spent_in.loc[spent_in["repays_borrowing"].astype(bool), "amount"].sum()),
        ),
        "after_admin": after_admin,
    }


def ifs_cil(
    receipts: pd.DataFrame,
    parishes: pd.DataFrame,
    spend: pd.DataFrame,
    financial_year: str,
    admin_share_pct: float,
    cache: dict | None = None,
) -> pd.DataFrame:
    """Return the CIL report of Schedule 2, paragraph 1: ``item, paragraph, amount`` (£), in the Schedule's order.

    ``cache`` (a dict, optional) keeps each year's neighbourhood portion by receipt, so a caller that has
    worked out the reported year already (``cache[financial_year]``) does not work it out again, and (under
    ``("ledger", year)``) what the ledgers say about the year, which does not depend on the administration
    share: moving that share then only works out the items it changes.
    """
    cache = {} if cache is None else cache
    ledger = cache.get(("ledger", financial_year))
    if ledger is None:
        ledger = cache[("ledger", financial_year)] = _ledger_year(receipts, parishes, spend, financial_year, cache)
    flows = _with_admin(ledger["flows"], admin_share_pct)
    this = flows.iloc[-1]
    earlier = flows.iloc[:-1]
    prior_in = float(earlier["strategic_in"].sum() + earlier["kept_59f"].sum())
    unallocated_at_start = max(0.0, prior_in - ledger["allocated_before"])
    from_prior = min(ledger["allocated_in"], unallocated_at_start)
    admin_pct = 100 * this["admin"] / this["receipts"] if this["receipts"] else 0.0

    rows = [
        _row("CIL receipts for the reported year", "1(b)", this["receipts"]),
        _row("CIL collected before the reported year and not allocated", "1(c)", unallocated_at_start - from_prior),
        _row("CIL collected before the reported year and allocated in it", "1(d)", from_prior),
        _row("CIL expenditure for the reported year", "1(e)", ledger["spent"] + this["admin"]),
        _row("CIL allocated and not spent at the end of the reported year", "1(f)", ledger["unspent"]),
        *ledger["infrastructure"],
        ledger["repaying"],
    ]
    source = "as recorded" if this["admin_recorded"] else "the chosen share"
    rows.append(
        _row(
            f"Spent on administrative expenses under regulation 61 ({source}): "
            f"{format_pct(admin_pct)} of CIL collected in the year",
            "1(g)(iii)",
            this["admin"],
        )
    )
    rows += ledger["after_admin"]
    main_last, main_prev = _fifo_split(flows["strategic_in"], flows["strategic_spent"])
    f_last, f_prev = _fifo_split(flows["kept_59f"], flows["neighbourhood_spent"])
    rows += [
        _row(
            "CIL receipts for the reported year retained at its end (other than regulation 59E/59F)",
            "1(l)(i)",
            main_last,
        ),
        _row(
            "CIL receipts from previous years retained at the end of the reported year (other than 59E/59F)",
            "1(l)(ii)",
            main_prev,
        ),
        _row("CIL receipts for the reported year under regulation 59E/59F retained at its end", "1(l)(iii)", f_last),
        _row(
            "CIL receipts from previous years under regulation 59E/59F retained at the end of the reported year",
            "1(l)(iv)",
            f_prev,
        ),
    ]
    return pd.DataFrame(rows, columns=list(IFS_COLUMNS))


def _in(dates: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    return (dates >= start) & (dates <= end)


def ifs_s106(s106: pd.DataFrame, financial_year: str) -> pd.DataFrame:
    """Return the section 106 report of Schedule 2, paragraph 3: ``item, paragraph, amount``.

    ``amount`` is pounds except for 3(d)(i) and 3(d)(ii), which count homes and
    school places (the item says so).  The money repaid to developers is not a
    Schedule 2 item; it is added last, with paragraph ``-``, because councils
    are asked for it.
    """
    start, end = financial_year_bounds(financial_year)
    s = s106.copy()
    for col in ("amount_agreed", "amount_received", "amount_allocated", "amount_spent", "amount_repaid"):
        s[col] = s[col].astype("float64").fillna(0.0)
    agreed_in = _in(s["date_agreed"], start, end)
    received_by_end = s["date_received"].isna() | (s["date_received"] <= end)
    committed = s[["amount_allocated", "amount_spent"]].max(axis=1)
    before = s["date_received"] < start
    spent_in = _in(s["date_spent"], start, end)
    unspent_alloc = (s["amount_allocated"] - s["amount_spent"]).clip(lower=0)
    label = s["purpose"].where(s["purpose"].notna() & (s["purpose"].astype(str).str.strip() != ""), s["obligation"])
    rows = [
        _row(
            "Money to be provided under planning obligations entered into in the reported year",
            "3(a)",
            s.loc[agreed_in, "amount_agreed"].sum(),
        ),
        _row(
            "Money received under planning obligations in the reported year",
            "3(b)",
            s.loc[_in(s["date_received"], start, end), "amount_received"].sum(),
        ),
        _row(
            "Money received before the reported year and not allocated",
            "3(c)",
            (s["amount_received"] - committed - s["amount_repaid"]).clip(lower=0)[before].sum(),
        ),
        _row(
            "Affordable homes to be provided under obligations entered into in the reported year (number of homes)",
            "3(d)(i)",
            pd.to_numeric(s.loc[agreed_in, "affordable_homes"], errors="coerce").fillna(0).sum(),
        ),
        _row(
            "School places to be provided under obligations entered into in the reported year (number of places)",
            "3(d)(ii)",
            pd.to_numeric(s.loc[agreed_in, "school_places"], errors="coerce").fillna(0).sum(),
        ),
        _row("Money allocated and not spent at the end of the reported year", "3(e)", unspent_alloc.sum()),
        _row("Money spent in the reported year", "3(f)", s.loc[spent_in, "amount_spent"].sum()),
    ]
    for i in s.index[unspent_alloc > 0]:
        rows.append(_row(f"Allocated and not spent: {label[i]} ({s.at[i, 'agreement_id']})", "3(g)", unspent_alloc[i]))
    monitoring = s["obligation"].astype(str).str.contains("monitoring", case=False)
    for i in s.index[spent_in & ~monitoring]:
        rows.append(_row(f"Spent on {label[i]} ({s.at[i, 'agreement_id']})", "3(h)(i)", s.at[i, "amount_spent"]))
    rows.append(
        _row(
            "Spent on monitoring the delivery of planning obligations",
            "3(h)(iii)",
            s.loc[spent_in & monitoring, "amount_spent"].sum(),
        )
    )
    held = (s["amount_received"] - s["amount_spent"] - s["amount_repaid"]).clip(lower=0)
    rows.append(_row("Money retained at the end of the reported year", "3(i)", held[received_by_end].sum()))
    rows.append(_row("Money repaid to developers (not a Schedule 2 item)", "-", s["amount_repaid"].sum()))
    return pd.DataFrame(rows, columns=list(IFS_COLUMNS))


def infrastructure_list(spend: pd.DataFrame, bids: pd.DataFrame) -> pd.DataFrame:
    """A draft infrastructure list (regulation 121A(1)(a)): the types and projects the ledger and the bids name.

    The council decides its list; this draft gathers what the ledgers already
    show (projects allocated strategic CIL, and projects bidding for it).
    """
    parts = []
    strategic = spend[(spend["fund"] == "strategic")]
    if len(strategic):
        parts.append(strategic[["infrastructure_type", "project"]].assign(source="allocated strategic CIL"))
    if len(bids):
        parts.append(bids[["infrastructure_type", "project"]].assign(source="bid for strategic CIL"))
    if not parts:
        return pd.DataFrame(columns=["infrastructure_type", "project", "source"])
    table = pd.concat(parts, ignore_index=True).drop_duplicates(["infrastructure_type", "project"])
    return table.sort_values(["infrastructure_type", "project"], kind="mergesort").reset_index(drop=True)
