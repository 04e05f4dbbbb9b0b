"""The climate charts: the pathway, the wedges, the cost curve and the peers (SVG, each with its text
alternative and data table), the same on screen and in the climate progress report.
"""

from __future__ import annotations

import hashlib
import html
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sv_helpers.climate.estate import ESTATE_EXAMPLE_NOTE, FACTORS_EXAMPLE_NOTE
from sv_helpers.climate.interventions import INTERVENTIONS_EXAMPLE_NOTE, macc_sentence
from sv_helpers.climate.model import Scenario
from sv_helpers.climate.pathways import PATHWAY_LABELS
from sv_helpers.climate.peers import peer_totals
from sv_helpers.core.formatting import format_money, format_number
from sv_helpers.core.scenario import Result
from sv_helpers.reports import charts, svgcharts
from sv_helpers.reports import document as report


def _kt(value: float, unit: str) -> str:
    return f"{format_number(value, 1 if abs(value) >= 10 else 2)} {unit}"


def _screen(table: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """Format a table's numbers for the screen (blank where not applicable), with the shared screen labels."""
    out = table.copy()
    for col in out.columns:
        if col == "year" or col.endswith("_year") or col.endswith("years"):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else str(int(v)))
        elif col == "cost" or col.startswith("cost_per"):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else format_money(v, 2 if abs(v) < 100 else 0))
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else format_number(v, decimals))
    out.columns = [report.screen_label(str(c)) for c in out.columns]
    return out


# --------------------------------------------------------------------------- chart cache

#: Chart HTML by content key: a chart whose data did not change is not drawn again (the notebook's
#: charts are reused by the app, and a change of target year redraws only the charts it changes).
_CHARTS: OrderedDict[str, str] = OrderedDict()
_CHARTS_KEPT = 48


def _key(*parts: Any) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame):
            digest.update(pd.util.hash_pandas_object(part, index=True).to_numpy().tobytes())
            digest.update(",".join(map(str, part.columns)).encode())
        else:
            digest.update(repr(part).encode())
        digest.update(b"|")
    return digest.hexdigest()


def _cached(key: str, build: Callable[[], str]) -> str:
    if key in _CHARTS:
        _CHARTS.move_to_end(key)
        return _CHARTS[key]
    made = _CHARTS[key] = build()
    while len(_CHARTS) > _CHARTS_KEPT:
        _CHARTS.popitem(last=False)
    return made


def _scenario(result_or_scenario: Any) -> Scenario:
    return result_or_scenario.detail if isinstance(result_or_scenario, Result) else result_or_scenario


# --------------------------------------------------------------------------- charts


def pathway_figure(result: Any) -> str:
    """Actual emissions, the chosen pathway, the trend and the UK milestones, as an accessible figure."""
    s = _scenario(result)
    t = s.table[["year", "actual_kt", "pathway_kt", "trend_kt", "gap_kt"]]
    key = _key(
        "pathway",
        t,
        s.milestones,
        s.scope,
        s.authority_name,
        s.series.unit,
        s.series.attribution,
        s.summary["pathway"],
        s.summary["target_year"],
        s.summary["last_actual_kt"],
        s.summary["trend_net_zero_year"],
    )
    return _cached(key, lambda: _pathway_figure(s))


def _pathway_figure(s: Scenario) -> str:
    unit = s.series.unit
    t = s.table
    act = t.dropna(subset=["actual_kt"])
    last = s.summary["last_actual_year"]
    path = pd.concat(
        [
            pd.DataFrame({"year": [last], "pathway_kt": [s.summary["last_actual_kt"]]}),
            t.dropna(subset=["pathway_kt"])[["year", "pathway_kt"]],
        ]
    )
    label = PATHWAY_LABELS[s.summary["pathway"]].lower()
    title_place = s.authority_name if s.scope == "district" else "Council estate"
    plot = svgcharts.Plot(
        title=f"{title_place}: emissions and the pathway to {s.summary['target_year']}",
        x_label="Calendar year" if s.scope == "district" else "Financial year (shown at the year it starts)",
        y_label=f"Emissions ({unit})",
        x_format=lambda v: f"{v:.0f}",
        y_format=lambda v: format_number(v, 0 if abs(v) >= 10 or v == 0 else 1),
        width=800,
        height=280,  # low enough that the headline and the whole chart share the first screen (1280 × 800)
        legend="bottom",
    )
    plot.line(act["year"], act["actual_kt"], colour=charts.PALETTE[0], width=2.5, label="Actual")
    plot.line(path["year"], path["pathway_kt"], colour=charts.PALETTE[2], dash="--", label=f"Pathway: {label}")
    trend = t.dropna(subset=["trend_kt"])
    plot.line(trend["year"], trend["trend_kt"], colour=charts.PALETTE[5], width=2, dash=":", label="Current trend")
    m = s.milestones
    if s.scope == "district":
        plot.points(
            m["year"],
            m["local_equivalent_kt"],
            colour=charts.PALETTE[7],
            marker="D",
            label="UK targets, rebased (see note)",
        )
        for _, row in m.iterrows():
            plot.text(row["year"], row["local_equivalent_kt"], f"{row['pct_below_base']:g}%", dx=7, dy=7, size=11)
    plot.vline(s.summary["target_year"], colour="#767676")
    plot.y_min = min(0.0, float(np.nanmin(t[["actual_kt", "pathway_kt", "trend_kt"]].to_numpy())))
    first = int(act["year"].min())
    tnz = s.summary["trend_net_zero_year"]
    milestones = (
        (
            "; ".join(
                f"{r['label']}: {_kt(r['local_equivalent_kt'], unit)} if applied to the {first} level"
                for _, r in m.iterrows()
            )
            + "."
        )
        if s.scope == "district"
        else ""
    )
    alt = (
        f"Line chart of {title_place} emissions in {unit}. Actual emissions went from "
        f"{_kt(act['actual_kt'].iloc[0], unit)} in {first} "
        f"to {_kt(s.summary['last_actual_kt'], unit)} in {last}. The pathway ({label}) reaches "
        f"{_kt(s.summary['pathway_kt_in_target_year'], unit)} in {s.summary['target_year']}. "
        + (f"The current trend reaches zero in {tnz}." if tnz else "The current trend does not reach zero.")
        + (" " + milestones if milestones else "")
    )
    caption = s.series.attribution + (
        f" UK targets rebased: the local series starts in {first}, not 1990; each UK percentage "
        f"is applied to the {first} level."
        if s.scope == "district"
        else ""
    )
    data = _screen(t[["year", "actual_kt", "pathway_kt", "trend_kt", "gap_kt"]])
    return svgcharts.figure_html(plot.svg(), alt=alt, caption=caption, data=data)


def _plan_note(s: Scenario) -> str:
    if s.is_example.get("interventions"):
        return INTERVENTIONS_EXAMPLE_NOTE
    return "The interventions are the council's own plan as loaded."


def wedge_figure(result: Any) -> str:
    """Abatement wedges against the baseline, the residual and the chosen pathway."""
    s = _scenario(result)
    key = _key(
        "wedges",
        s.wedges,
        s.table[["year", "pathway_kt"]],
        s.series.unit,
        s.series.attribution,
        s.summary["target_year"],
        s.summary["last_actual_year"],
        s.summary["last_actual_kt"],
        s.plan,
        _plan_note(s),
    )
    return _cached(key, lambda: _wedge_figure(s))


def _wedge_figure(s: Scenario) -> str:
    unit = s.series.unit
    w = s.wedges
    names = [c for c in w.columns if c not in ("year", "baseline_kt", "total_abatement_kt", "residual_kt")]
    plot = svgcharts.Plot(
        title=f"Planned actions against a baseline held at the {s.summary['last_actual_year']} level",
        y_label=f"Emissions ({unit})",
        x_format=lambda v: f"{v:.0f}",
        y_format=lambda v: format_number(v, 0 if abs(v) >= 10 or v == 0 else 1),
        width=850,
        height=460,
        y_min=0.0,
    )
    layers = [w["residual_kt"].to_numpy()] + [w[n].to_numpy() for n in names]
    labels = ["Residual emissions"] + names
    colours = ["#BBBBBB"] + [charts.colour(i) for i in range(len(names))]
    low = np.zeros(len(w))
    for i, (layer, name, fill) in enumerate(zip(layers, labels, colours, strict=True)):
        high = low + np.nan_to_num(layer.astype(float))
        hatch = charts.HATCHES[i % len(charts.HATCHES)] if i else ""
        plot.area(w["year"], low, high, colour=fill, hatch=hatch, label=name)
        low = high
    path = s.table.dropna(subset=["pathway_kt"])
    plot.line(path["year"], path["pathway_kt"], colour="#000000", dash="--", width=2, label="Chosen pathway")
    plan = s.plan or {}
    target = s.summary["target_year"]
    verdict = (
        "meets the pathway"
        if plan.get("meets_target")
        else f"is {_kt(plan.get('shortfall_kt', 0.0), unit)} above the pathway"
    )
    totals = {n: w[n].iloc[-1] for n in names}
    alt = (
        f"Stacked area chart: the baseline of {_kt(s.summary['last_actual_kt'], unit)} a year split into residual "
        f"emissions and the saving of each of {len(names)} planned actions, from {int(w['year'].min())} to {target}, "
        "with the chosen pathway as a "
        f"dashed line. In {target} the actions save {_kt(w['total_abatement_kt'].iloc[-1], unit)}, leaving "
        f"{_kt(w['residual_kt'].iloc[-1], unit)}, which {verdict}. Savings in the target year: "
        + charts.describe_values(list(totals), [_kt(v, unit) for v in totals.values()])
        + "."
    )
    data = _screen(w.drop(columns=names), 2)
    caption = f"{_plan_note(s)} Baseline: {s.series.attribution}"
    return svgcharts.figure_html(plot.svg(), alt=alt, caption=caption, data=data)


def macc_figure(result: Any) -> str:
    """The marginal abatement cost curve: bar width = annual saving, height = cost per tonne."""
    s = _scenario(result)
    return _cached(_key("macc", s.macc, _plan_note(s)), lambda: _macc_figure(s))


def _macc_figure(s: Scenario) -> str:
    m = s.macc
    plot = svgcharts.Plot(
        title="Marginal abatement cost curve: cheapest tonnes first",
        x_label="Cumulative annual abatement at full delivery (tCO2e a year)",
        y_label="Cost per tonne saved over the lifetime (£/tCO2e)",
        x_format=format_number,
        y_format=format_money,
        width=850,
        height=450,
        x_min=0.0,
        y_min=min(0.0, float(m["cost_per_tco2e"].min()) if len(m) else 0.0),
    )
    for i, row in enumerate(m.itertuples(index=False)):
        start = float(row.cumulative_start_tco2e)
        plot.rect(
            start,
            start + float(row.annual_abatement_tco2e),
            0.0,
            float(row.cost_per_tco2e),
            colour=charts.colour(i),
            hatch=charts.HATCHES[i % len(charts.HATCHES)],
            label=str(row.intervention),
        )
    alt = (
        "Marginal abatement cost curve, bars from cheapest to dearest per tonne. "
        + macc_sentence(m)
        + " "
        + charts.describe_values(m["intervention"], [format_money(v, 2) for v in m["cost_per_tco2e"]])
        + "."
    )
    data = _screen(m.drop(columns=["cumulative_start_tco2e"]), 1)
    caption = f"{_plan_note(s)} Cost per tonne = cost ÷ (annual saving × lifetime), not discounted."
    return svgcharts.figure_html(plot.svg(), alt=alt, caption=caption, data=data)


def peer_figure(result: Any) -> str:
    """Emissions per person by sector (stacked) and per km², for the authority and its peers."""
    s = _scenario(result)
    key = _key(
        "peers", s.peers, tuple(s.sectors), s.series.unit, s.series.attribution, int(s.series.emissions["year"].max())
    )
    return _cached(key, lambda: _peer_figure(s))


def _peer_figure(s: Scenario) -> str:
    peers = s.peers
    totals = peer_totals(peers)
    order = totals["authority_code"].tolist()
    names = totals.set_index("authority_code")["authority_name"].str.replace(
        r"(?<!and) (District|Borough|City) Council$| Council$", "", regex=True
    )
    groups = totals.set_index("authority_code")["group"]
    kinds = {"Selected": "selected", "Similar": "similar"}
    ylabels = [f"{names[c]} ({kinds.get(groups[c], 'Kent')})" for c in order]
    pivot = peers.pivot_table(index="authority_code", columns="sector", values="per_person_t", aggfunc="sum")
    pivot = pivot.reindex(index=order, columns=s.sectors).fillna(0.0)
    year = int(s.series.emissions["year"].max())
    row_height = 24.0
    per_person = svgcharts.hbar_chart(
        ylabels,
        [
            (str(sector), pivot[sector].to_numpy(), charts.colour(i), charts.HATCHES[i % len(charts.HATCHES)])
            for i, sector in enumerate(pivot.columns)
        ],
        x_label=f"Tonnes per person ({s.series.unit.split()[-1]})",
        value_format=lambda v: format_number(v, 1 if v % 1 else 0),
        end_labels=[format_number(v, 1) for v in pivot.sum(axis=1)],
        width=620,
        row_height=row_height,
        legend="bottom",
    )
    per_km2 = totals.set_index("authority_code")["per_km2_t"].reindex(order)
    km2 = svgcharts.hbar_chart(
        [""] * len(order),
        [(None, per_km2.to_numpy(), [charts.PALETTE[0] if groups[c] == "Selected" else "#999999" for c in order], "")],
        x_label="Tonnes per km²",
        value_format=format_number,
        width=330,
        row_height=row_height,
        legend=None,
    )
    me = totals[totals["group"] == "Selected"].iloc[0]
    rank = int((totals["per_person_t"] < me["per_person_t"]).sum()) + 1
    alt = (
        f"Two bar charts for {year}: emissions per person split by sector, and emissions per square kilometre, for "
        f"{names[me['authority_code']]} ({format_number(me['per_person_t'], 1)} t per person, "
        f"{format_number(me['per_km2_t'])} t per km²), {int((totals['group'] == 'Similar').sum())} similar authorities "
        "and the other Kent districts. It is number "
        f"{rank} of {len(totals)} from lowest per person. Per person: "
        + charts.describe_values(
            [names[c] for c in order], [format_number(v, 1) + " t" for v in totals["per_person_t"]], limit=20
        )
        + "."
    )
    data = _screen(totals, 2)
    caption = (
        s.series.attribution
        + " Similar authorities: nearest on mySociety's emissions-profile inputs (county councils and "
        "combined authorities left out)."
    )
    return svgcharts.figure_html(
        svgcharts.side_by_side(
            per_person.svg(),
            km2.svg(),
            title=f"Emissions per person by sector and per km², {year}: similar authorities and Kent districts",
        ),
        alt=alt,
        caption=caption,
        data=data,
    )


def per_person_figure(result: Any, *, peers: bool = True) -> str:
    """Territorial emissions per person, 2005 to 2023, and (``peers``) the latest year against similar
    authorities and the Kent districts.

    Empty when the scenario has no per-person series (the council estate, or an authority not in it).
    """
    s = _scenario(result)
    if s.per_person is None:
        return ""
    compared = s.per_person_peers if (peers and s.per_person_peers is not None) else pd.DataFrame()
    key = _key("per_person", s.per_person, compared, s.authority_name)
    return _cached(key, lambda: _per_person_figure(s, compared))


def per_person_peers_figure(result: Any) -> str:
    """The latest year's emissions per person against similar authorities and the Kent districts alone."""
    s = _scenario(result)
    if s.per_person is None or s.per_person_peers is None or not len(s.per_person_peers):
        return ""
    key = _key("per_person_peers", s.per_person_peers)
    return _cached(key, lambda: _per_person_peers_figure(s.per_person_peers))


def _per_person_figure(s: Scenario, peers: pd.DataFrame) -> str:
    from sv_helpers.climate import per_person as pp

    own = s.per_person
    first, last = own.iloc[0], own.iloc[-1]
    year = int(last["year"])
    caption = pp.SERIES + ". " + pp.ATTRIBUTION + " " + pp.CAVEAT
    line = svgcharts.Plot(
        title=f"{s.authority_name}: greenhouse gas emissions per person, {int(first['year'])} to {year}",
        x_label="Calendar year",
        y_label="t CO2e per person",
        x_format=lambda v: f"{v:.0f}",
        y_format=lambda v: format_number(v, 1),
        width=800,
        height=320,
    )
    line.line(own["year"], own["per_person_tco2e"], colour=charts.PALETTE[0], width=2.5, label="Per person")
    line.y_min = 0.0
    alt = (
        f"Line chart of {s.authority_name}'s territorial greenhouse gas emissions per person (CO2, CH4 and N2O): "
        f"{format_number(first['per_person_tco2e'], 2)} t CO2e in {int(first['year'])}, "
        f"{format_number(last['per_person_tco2e'], 2)} t in {year}."
    )
    out = svgcharts.figure_html(line.svg(), alt=alt, caption=caption, data=_screen(own, 2))
    return out + (_per_person_peers_figure(peers) if len(peers) else "")


def _per_person_peers_figure(peers: pd.DataFrame) -> str:
    from sv_helpers.climate import per_person as pp

    year = int(peers["year"].iloc[0])
    caption = pp.SERIES + ". " + pp.ATTRIBUTION + " " + pp.CAVEAT
    names = [
        f"{n} (selected)" if g == "Selected" else f"{n} ({g.lower()})"
        for n, g in zip(peers["authority_name"], peers["group"], strict=True)
    ]
    colours = [
        charts.PALETTE[0] if g == "Selected" else charts.PALETTE[2] if g == "Similar" else "#767676"
        for g in peers["group"]
    ]
    bars = svgcharts.hbar_chart(
        names,
        [(None, peers["per_person_tco2e"].tolist(), colours, "")],
        title=f"Per person in {year}: similar authorities and the Kent districts",
        x_label="t CO2e per person",
        value_format=lambda v: format_number(v, 2),
        legend=None,
    )
    alt = (
        f"Bar chart of greenhouse gas emissions per person in {year}: "
        + charts.describe_values(names, [format_number(v, 2) + " t" for v in peers["per_person_tco2e"]], limit=20)
        + "."
    )
    return svgcharts.figure_html(bars.svg(), alt=alt, caption=caption, data=_screen(peers, 2))


def report_figures(result: Result) -> dict[str, str]:
    """The charts the climate progress report shows, by name (for :func:`sv_helpers.climate.write`)."""
    s = _scenario(result)
    out = {"per_person": per_person_figure(s)} if s.per_person is not None else {}
    out["pathway"] = pathway_figure(s)
    if len(s.interventions):
        out["wedges"] = wedge_figure(s)
        out["macc"] = macc_figure(s)
    if s.peers is not None:
        out["peers"] = peer_figure(s)
    return out


def series_note(result: Any) -> str:
    """What is loaded: the series, its caveats, and whether the estate or the plan are example figures."""
    s = _scenario(result)
    notes = [
        f"<p><strong>You are looking at:</strong> {html.escape(s.series.series_name)}.</p>",
        "<ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in s.series.caveats) + "</ul>",
    ]
    if s.per_person is not None:
        from sv_helpers.climate import per_person as pp

        notes.insert(0, f"<p><strong>The latest year:</strong> {html.escape(pp.SERIES)}.</p>")
        notes.append(f"<p>{html.escape(pp.CAVEAT)}</p><p>{html.escape(pp.ATTRIBUTION)}</p>")
    if s.scope == "council estate" and s.is_example.get("council_estate"):
        notes.append(f'<p class="sv-example-note"><strong>{html.escape(ESTATE_EXAMPLE_NOTE)}</strong></p>')
    if s.scope == "council estate" and s.is_example.get("emission_factors"):
        notes.append(f'<p class="sv-example-note"><strong>{html.escape(FACTORS_EXAMPLE_NOTE)}</strong></p>')
    if s.is_example.get("interventions"):
        notes.append(f'<p class="sv-example-note">{html.escape(INTERVENTIONS_EXAMPLE_NOTE)}</p>')
    if s.carbon_budget_source:
        notes.append(f"<p>Carbon budget source: {html.escape(s.carbon_budget_source)}</p>")
    return "".join(notes)


# --------------------------------------------------------------------------- controls
