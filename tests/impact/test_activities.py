"""The council's own activities (sv_helpers.impact.activities)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import data_path
from sv_helpers.impact import activities as act

HEADER = "financial_year,source,activity,indicator,quantity,unit,measure_code,theme,infrastructure_type,ward\n"


def _measures() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure_code": ["VOL", "TALK"],
            "theme": ["social", "social"],
            "outcome": ["communities", "careers"],
            "description": ["d", "d"],
            "unit": ["hour", "talk"],
            "proxy_value_gbp": [17.0, np.nan],
            "source": ["example", "example"],
            "year": [2025, 2025],
        }
    )


def _load(rows: str) -> pd.DataFrame:
    return act.load_activities((HEADER + rows).encode(), filename="activities.csv")


VOLUNTEERING = (
    "2025/26,employer,Staff volunteering,Staff headcount,400,member of staff,,social,,\n"
    "2025/26,employer,Staff volunteering,Staff who volunteered,100,member of staff,,social,,\n"
    "2025/26,employer,Staff volunteering,Hours volunteered,740,hour,VOL,social,,\n"
    "2024/25,employer,Staff volunteering,Hours volunteered,500,hour,VOL,social,,\n"
)


def test_a_figure_is_valued_only_when_it_names_a_measure_with_a_proxy_value():
    table = act.value_activities(
        _load(VOLUNTEERING + "2025/26,employer,Talks,Careers talks,3,talk,TALK,social,,\n"), _measures()
    )
    assert table["value_gbp"].tolist()[2] == 740 * 17.0
    assert np.isnan(table["value_gbp"].tolist()[0])  # a headcount is a count
    assert np.isnan(table["value_gbp"].tolist()[4])  # the measure has no adopted value


def test_a_measure_gives_the_figure_its_theme():
    table = act.value_activities(
        _load("2025/26,employer,Staff volunteering,Hours volunteered,10,hour,VOL,economic,,\n"), _measures()
    )
    assert table["theme"].tolist() == ["social"]


def test_volunteering_take_up_and_hours_against_two_half_days_each():
    summary = act.volunteering_summary(_load(VOLUNTEERING), "2025/26")
    # 400 staff x 2 half days x 3.7 hours = 2,960 hours available; 740 used = 25%
    assert summary["take_up_pct"] == pytest.approx(25.0)
    assert summary["entitlement_hours"] == pytest.approx(2960.0)
    assert summary["pct_of_entitlement"] == pytest.approx(25.0)


def test_only_the_chosen_financial_year_is_used():
    table = _load(VOLUNTEERING)
    assert len(act.activities_for_year(table, "2024-25")) == 1
    assert act.volunteering_summary(table, "2024/25")["hours"] == 500
    assert np.isnan(act.volunteering_summary(table, "2024/25")["headcount"])


def test_planning_money_is_reported_by_infrastructure_type_and_ward():
    rows = (
        "2025/26,planning,Community Infrastructure Levy,CIL received,1000,£,,economic,,\n"
        "2025/26,planning,Community Infrastructure Levy,CIL spent,300,£,,economic,Transport,Kemsing\n"
        "2025/26,planning,Community Infrastructure Levy,CIL spent,200,£,,economic,Transport,Kemsing\n"
        "2025/26,planning,Developer contributions,Developer contributions spent,50,£,,social,Health,Hextable\n"
    )
    money = act.planning_money(_load(rows))
    assert money["amount_gbp"].tolist() == [1000.0, 500.0, 50.0]
    assert money["ward"].tolist() == ["", "Kemsing", "Hextable"]


def test_an_unknown_measure_code_is_an_error():
    findings = act.check_activities(_load("2025/26,employer,X,Y,1,hour,NOPE,social,,\n"), _measures())
    assert [f.level for f in findings] == ["error"]
    assert "NOPE" in findings[0].message and "clear it to report the figure as a count" in findings[0].message


def test_a_financial_year_written_wrongly_is_an_error_naming_the_row():
    findings = act.check_activities(_load("2025,employer,X,Y,1,hour,,social,,\n"), _measures())
    assert findings[0].message.startswith(
        "The activities file, row 2, column 'financial_year': '2025' is not a financial year"
    )


def test_a_figure_with_neither_theme_nor_measure_is_an_error():
    findings = act.check_activities(_load("2025/26,employer,X,Y,1,hour,,,,\n"), _measures())
    assert "give a theme" in findings[0].message


def test_a_negative_figure_is_refused_when_loading():
    with pytest.raises(
        InputError, match=r"activities\.csv, row 2, column 'quantity': -1 is below the lowest allowed value, 0"
    ):
        _load("2025/26,employer,X,Y,-1,hour,,social,,\n")


def test_the_example_file_loads_and_checks_clean():
    from sv_helpers.core.measures import load_measures

    table = act.load_activities(data_path("impact", "example_activities.csv"))
    assert act.check_activities(table, load_measures()) == []
    assert set(table["source"]) == set(act.ACTIVITY_SOURCES)


@settings(max_examples=50, deadline=None)
@given(
    quantities=st.lists(st.floats(min_value=0, max_value=1e7), min_size=1, max_size=10),
    codes=st.lists(st.sampled_from(["", "VOL", "TALK"]), min_size=10, max_size=10),
)
def test_valued_figures_are_never_negative_and_unvalued_ones_have_no_value(quantities, codes):
    frame = pd.DataFrame(
        {
            "financial_year": "2025/26",
            "source": "employer",
            "activity": "A",
            "indicator": "B",
            "quantity": quantities,
            "unit": "hour",
            "measure_code": codes[: len(quantities)],
            "theme": "social",
        }
    )
    table = act.value_activities(frame, _measures())
    assert (table["value_gbp"].dropna() >= 0).all()
    assert table.loc[table["measure_code"] != "VOL", "value_gbp"].isna().all()
