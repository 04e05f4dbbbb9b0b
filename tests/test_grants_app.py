"""The grant app's logic without a browser: settings update the results, errors keep the last good result, the map."""

from __future__ import annotations

import datetime as dt

import matplotlib.pyplot as plt
import pytest

from sv_helpers import grants, maps
from sv_helpers.apps import grants as grants_app
from sv_helpers.errors import InputError


@pytest.fixture(scope="module")
def app():
    return grants_app.GrantApp(grants_app.grants_example(), grants.Scenario(), award_date="2026-04-01")


def test_theme_minimums_are_read_as_shares():
    assert grants_app.parse_theme_floors("Older people: 20%; Environment: 12.5") == {"Older people": 0.2, "Environment": 0.125}
    assert grants_app.parse_theme_floors("  ") == {}
    with pytest.raises(InputError, match="Theme: 20%"):
        grants_app.parse_theme_floors("Older people 20%")
    with pytest.raises(InputError, match="is not a percentage"):
        grants_app.parse_theme_floors("Older people: lots")


def test_decile_factors_are_read_per_decile():
    assert grants_app.parse_decile_factors("1: 1.5; 2: 1.25") == {1: 1.5, 2: 1.25}
    with pytest.raises(InputError, match="decile: factor"):
        grants_app.parse_decile_factors("first: lots")


def test_changing_the_budget_changes_the_headline_and_the_table(app):
    headline, table = app.headline.value, app.allocation_html.value
    app.budget.value = 20000
    assert "£20,000 available" in app.headline.value
    assert app.allocation_html.value != table and app.headline.value != headline


def test_a_bad_setting_shows_the_banner_and_keeps_the_last_good_result(app):
    app.budget.value = 25000
    headline, charts_html = app.headline.value, app.charts_html.value
    app.budget.value = 0
    assert "must be more than £0" in app.banner.message
    assert app.headline.value == headline and app.charts_html.value == charts_html
    app.budget.value = 25000
    assert app.banner.message == ""


def test_a_bad_upload_keeps_the_loaded_round(app):
    headline = app.headline.value
    bad = b"application_id,organisation,project,theme,ward,amount_requested,score\nA1,G,P,T,Atlantis,100,50\n"
    app.upload.set_trait("value", ({"name": "round.csv", "type": "text/csv", "size": len(bad), "content": memoryview(bad), "last_modified": dt.datetime(2026, 4, 1, tzinfo=dt.timezone.utc)},))
    assert "'Atlantis' is not a Sevenoaks ward" in app.banner.message
    assert app.headline.value == headline and app.is_example


def test_added_scenarios_appear_in_the_comparison_and_downloads(app):
    app.scenario_name.value = "Ranked"
    app.add_button.click()
    app.method.value = "optimal"
    assert "Ranked" in app.comparison_html.value and "whose award differs" in app.comparison_html.value
    assert 'download="allocations-ranked.xlsx"' in app.downloads.value
    assert 'download="360giving-' in app.downloads.value
    app.scenario_name.value = "Ranked"
    app.add_button.click()
    assert "already in the comparison" in app.banner.message


def test_ward_map_draws_every_ward_and_hatches_those_with_nothing():
    shapes = maps.ward_shapes()
    assert len(shapes) == 26
    fig = maps.ward_map(grants.funding_by_ward(grants.allocate(grants.load_applications(grants_app.grants_example()), grants.Scenario())).set_index("ward")["awarded"], title="t", legend_label="£")
    patches = fig.axes[0].patches
    assert len(patches) == 26
    assert any(p.get_hatch() for p in patches) and any(not p.get_hatch() for p in patches)
    plt.close(fig)
