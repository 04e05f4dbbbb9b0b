"""The planning gain app: CIL and section 106 for one financial year, on the one app pattern.

Load the ledgers (or the fictional example), choose the financial year and the
as-of date, and see the headline, where the year's CIL goes, the neighbourhood
portion by parish with its instalments, S106 money at risk, the Infrastructure
Funding Statement, the strategic CIL scenarios and a ward map; download the
tables (Excel, CSV) and the statement (HTML, PDF) when asked.

Interface layer: controls and views around :mod:`sv_helpers.planning`.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

import ipywidgets as widgets
import pandas as pd

from sv_helpers import planning
from sv_helpers.apps import widgets as ui
from sv_helpers.apps.base import Control, ScenarioApp
from sv_helpers.core import exports
from sv_helpers.core.errors import InputError
from sv_helpers.core.formatting import format_money
from sv_helpers.core.paths import data_path
from sv_helpers.core.scenario import Result
from sv_helpers.planning.charts import _source_caption, allocation_chart, money_flow_chart
from sv_helpers.planning.model import INPUTS
from sv_helpers.planning.report import html_table, render_statement
from sv_helpers.reports import charts, maps, svgcharts

PDF_MIME = "application/pdf"
HTML_MIME = "text/html"
UPLOAD_LABELS = {
    "cil_receipts_path": "Upload CIL receipts",
    "parishes_path": "Upload parishes",
    "cil_spend_path": "Upload CIL spending",
    "s106_path": "Upload S106 ledger",
    "cil_bids_path": "Upload bids",
}


# --------------------------------------------------------------------------- reading and writing the text controls


def optional_money(text: str) -> float | None:
    """Read a money box where blank means none: ``"£250,000"`` → 250000.0, ``""`` → ``None``."""
    cleaned = str(text).strip().replace("£", "").replace(",", "")
    if not cleaned:
        return None
    try:
        return float(cleaned)
    except ValueError:
        raise InputError(
            f"'{text}' is not an amount of money; write it like 250000 or £250,000, or leave it blank."
        ) from None


def shown_money(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def read_floors(text: str) -> dict[str, float]:
    """Read ``"Education: 20%; Health: 0.1"`` into ``{"Education": 0.2, "Health": 0.1}``."""
    out: dict[str, float] = {}
    for part in re.split(r"[;\n]", str(text)):
        if not part.strip():
            continue
        name, sep, value = part.rpartition(":")
        if not sep or not name.strip():
            raise InputError(
                f"'{part.strip()}' is not 'type: share'; write the least shares like Education: 20%; Health: 10%."
            )
        raw = value.strip()
        try:
            number = float(raw.rstrip("%").strip())
        except ValueError:
            raise InputError(f"The share for '{name.strip()}' ('{raw}') is not a number; write it like 20%.") from None
        out[name.strip()] = number / 100 if raw.endswith("%") or number > 1 else number
    return out


def shown_floors(floors: dict[str, float]) -> str:
    return "; ".join(f"{k}: {v * 100:g}%" for k, v in floors.items())


# --------------------------------------------------------------------------- views


def _scroll(inner: str, label: str) -> str:
    return (
        f'<div class="sv-scroll" role="region" tabindex="0" aria-label="{html.escape(label, quote=True)}" '
        f'style="max-height:30em;overflow:auto;max-width:100%">{inner}</div>'
    )


def portion_view(result: Result) -> str:
    table = result.tables["neighbourhood_portion"]
    shown = table[table["cil_receipts"] > 0]
    intro = (
        "<h2>Neighbourhood portion by parish</h2><p>25% where a neighbourhood plan was in effect when permission was "
        "first granted; otherwise 15%, capped at £100 per council tax dwelling a year, used up in the order receipts "
        "arrive (regulation 59A). Receipts of April to September are due to the parish by 28 October, of October to "
        "March by 28 April (regulation 59D). Parishes with no receipts this year are in the download.</p>"
    )
    return intro + _scroll(
        html_table(shown, f"Neighbourhood portion by parish, {result.detail.financial_year}"),
        "Neighbourhood portion by parish",
    )


def s106_view(result: Result) -> str:
    d = result.detail
    at_risk = result.tables["s106_at_risk"]
    return (
        "<h2>Section 106 money at risk</h2>"
        f"<p>Money received and not spent whose deadline falls within {result.settings.at_risk_months} months of "
        f"{d.as_of:%d/%m/%Y}, or has already passed: the amount that would be repaid.</p>"
        + _scroll(html_table(at_risk, "S106 money at risk or past its deadline"), "S106 money at risk")
        + _scroll(
            html_table(d.s106_by_obligation, "S106 money by obligation type (all years to date)"),
            "S106 money by obligation type",
        )
    )


def ifs_view(result: Result) -> str:
    fy = result.detail.financial_year
    return (
        "<h2>Infrastructure Funding Statement</h2><p>Each item with its paragraph of Schedule 2 to the CIL "
        "Regulations 2010 (to be published by 31 December, regulation 121A).</p>"
        + _scroll(html_table(result.tables["ifs_cil"], f"CIL report {fy}"), "CIL report")
        + _scroll(html_table(result.tables["ifs_s106"], f"Section 106 report {fy}"), "Section 106 report")
    )


def allocation_view(result: Result) -> str:
    d = result.detail
    return (
        "<h2>Strategic CIL spending scenarios</h2>"
        f"<p>Available: {format_money(d.strategic_available)} = the year's receipts less the neighbourhood portion and "
        f"administration ({format_money(d.administration)}), plus {format_money(d.carried_forward)} carried forward. "
        "Bids are allocated with the grants area's rules; floors and the ward cap apply to the optimal method.</p>"
        + _scroll(html_table(d.methods, "The methods compared"), "The methods compared")
        + allocation_chart(result)
        + _scroll(
            html_table(result.tables["cil_allocation"], "Awards to each bid under each method"), "Awards to each bid"
        )
    )


def ward_map_view(result: Result) -> str:
    """The ward map of S106 money received and CIL spent (drawn again only when those figures change)."""
    money = result.detail.ward_money
    key = tuple(money[["ward", "s106_received", "cil_spent", "total"]].itertuples(index=False, name=None))
    return _ward_map_html(result.detail.financial_year, key, _source_caption(result))


@lru_cache(maxsize=8)
def _ward_map_html(financial_year: str, rows: tuple, caption: str) -> str:
    money = pd.DataFrame(list(rows), columns=["ward", "s106_received", "cil_spent", "total"])
    values = money.set_index("ward")["total"]
    svg = maps.ward_map_svg(
        values,
        title=f"S106 money received and CIL spent by ward, {financial_year}",
        legend_label="S106 received + CIL spent (£)",
    )
    top = money[money["total"] > 0].sort_values("total", ascending=False)
    alt = (
        f"Map of the 26 wards of Sevenoaks District (2013 boundaries) shaded by S106 money received and CIL spent in "
        f"{financial_year}; {int((money['total'] == 0).sum())} wards have none and are hatched grey. "
        + (
            "Largest: " + charts.describe_values(top["ward"], [format_money(v) for v in top["total"]], limit=5) + "."
            if len(top)
            else ""
        )
    )
    data = pd.DataFrame(
        {
            "Ward": money["ward"],
            "S106 received": money["s106_received"].map(format_money),
            "CIL spent": money["cil_spent"].map(format_money),
        }
    )
    return "<h2>Where the money goes, by ward</h2>" + svgcharts.figure_html(
        svg, alt=alt, caption=maps.ATTRIBUTION + " " + caption, data=data
    )


# --------------------------------------------------------------------------- the app


class PlanningApp(ScenarioApp):
    """CIL and section 106: controls for the year, the rules and the scenarios; views of each rule's result."""

    core = planning
    views_shown = ("flow", "portion", "s106", "ifs", "allocation", "map")

    def controls(self, settings: planning.Settings) -> list[Control]:
        specs = settings.specs()

        def text(name: str, value: str, placeholder: str = "") -> widgets.Text:
            w = ui.text_input(specs[name].label, value, placeholder=placeholder)
            w.continuous_update = False
            w.add_class(f"sv-{name.replace('_', '-')}")
            return w

        year = text("financial_year", settings.financial_year, "e.g. 2025/26")
        as_of = text("as_of", settings.as_of, "e.g. 2026-03-31")
        admin = ui.slider(
            specs["admin_share_pct"].label,
            settings.admin_share_pct,
            0,
            specs["admin_share_pct"].maximum,
            0.5,
            readout_format=".1f",
        )
        admin.add_class("sv-admin-share")
        months = ui.int_slider(specs["at_risk_months"].label, settings.at_risk_months, 1, 120)
        months.add_class("sv-at-risk-months")
        carried = text("carried_forward", shown_money(settings.carried_forward), "blank: from the ledger")
        score = ui.slider(specs["min_score"].label, settings.min_score, 0, 100, 1)
        score.add_class("sv-min-score")
        partial = ui.checkbox(specs["partial"].label, settings.partial)
        partial.add_class("sv-partial")
        floors = text("type_floors", shown_floors(settings.type_floors), "e.g. Flood defence: 20%; Health: 10%")
        cap = text("ward_cap", shown_money(settings.ward_cap), "blank: no cap")
        return [
            Control("financial_year", year),
            Control("as_of", as_of),
            Control("admin_share_pct", admin),
            Control("at_risk_months", months),
            Control("carried_forward", carried, read=optional_money, write=shown_money),
            Control("min_score", score),
            Control("partial", partial),
            Control("type_floors", floors, read=read_floors, write=shown_floors),
            Control("ward_cap", cap, read=optional_money, write=shown_money),
        ]

    def views(self, result: Result) -> dict[str, str]:
        s = result.settings
        return {
            "flow": money_flow_chart(result),
            # Tables that only the year, the date or the months change are written once for the loaded ledgers.
            "portion": self._kept(("portion", s.financial_year), lambda: portion_view(result)),
            "s106": self._kept(("s106", s.financial_year, s.as_of, s.at_risk_months), lambda: s106_view(result)),
            "ifs": ifs_view(result),
            "allocation": allocation_view(result),
            "map": ward_map_view(result),
        }

    def _kept(self, key: tuple, make: Any) -> str:
        if self.inputs is None or self.result.detail is None:
            return make()
        return self.inputs.remember(("view", *key), make)

    def below(self) -> list[widgets.Widget]:
        self.data_note = widgets.HTML()
        self.data_note.add_class("sv-data-note")
        uploads = [
            self.file_upload(label, INPUTS[name].replace("_", "-"), name) for name, label in UPLOAD_LABELS.items()
        ]
        example = self.example_button = self.action_button(
            "Use the example ledgers", "use-example", self.use_example, style=""
        )
        template = data_path("planning", "planning_template.xlsx")
        # A white backing: the page shell is #eee, on which the link blue falls just short of 4.5:1.
        template_link = widgets.HTML(
            '<div style="background:#fff">'
            + ui.downloads_html(
                [
                    (
                        template.read_bytes(),
                        template.name,
                        "Download the blank template (Excel, one sheet per ledger)",
                        ui.XLSX_MIME,
                    )
                ]
            )
            + "</div>"
        )
        return [
            self.data_note,
            ui.section(
                "Your ledgers",
                ui.paragraph(
                    "Each ledger is a CSV or Excel file with the columns of the template below "
                    "(each is optional). A file replaces the example one; the others stay as they are."
                ),
                template_link,
                widgets.HBox(uploads, layout=widgets.Layout(flex_flow="row wrap")),
                example,
            ),
            self.downloads_section(),
        ]

    def after_show(self, result: Result) -> None:
        if result.detail.is_example:
            note = html.escape(planning.EXAMPLE_NOTE)
            text = f'<p class="sv-example" role="note"><strong>Example data.</strong> {note}</p>'
        else:
            text = f"<p>{html.escape(_source_caption(result))}</p>"
        if self.data_note.value != text:
            self.data_note.value = text

    # ------------------------------------------------------------------ handlers

    def use_example(self) -> None:
        defaults = planning.Settings()
        self.use_settings(**{n: getattr(defaults, n) for n in INPUTS})

    report_title = "Infrastructure Funding Statement"

    def report_page(self, result: Result) -> str:
        return render_statement(result)

    def download_files(self, result: Result) -> list[tuple[bytes, str, str, str]]:
        """Every table, in one workbook with its provenance and each as CSV."""
        tables = dict(result.tables)
        files = [
            (
                exports.excel_bytes(tables, result.provenance),
                "planning_gain.xlsx",
                "All tables (Excel, with provenance)",
                ui.XLSX_MIME,
            )
        ]
        files += [(exports.csv_bytes(t), f"{name}.csv", f"{name}.csv", ui.CSV_MIME) for name, t in tables.items()]
        files.append(
            (
                exports.json_text(result.provenance).encode("utf-8"),
                "provenance.json",
                "Provenance record (JSON)",
                ui.JSON_MIME,
            )
        )
        return files


def build_app(result: Result, inputs: Any = None, notices: list[str] | None = None) -> PlanningApp:
    """The app for a result already computed (the notebook's last step)."""
    return PlanningApp(result, inputs=inputs, notices=notices or [])


__all__ = ["PlanningApp", "build_app", "money_flow_chart", "allocation_chart", "ward_map_view"]
