"""The impact report app's behaviour without a browser: a setting rewrites the report, a bad upload keeps the last
good one, downloads are built when asked for, a link reproduces the settings."""

from __future__ import annotations

import datetime as dt

import pytest

from sv_helpers import impact
from sv_helpers.apps import impact as app
from sv_helpers.core.paths import resolve_path


def _upload(widget, *files: tuple[str, bytes]) -> None:
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    widget.value = tuple(
        {"name": name, "type": "text/csv", "size": len(content), "last_modified": when, "content": memoryview(content)}
        for name, content in files
    )


def _control(a: app.ImpactApp, name: str):
    return next(c.widget for c in a.control_list if c.name == name)


@pytest.fixture(scope="module")
def example():
    settings = impact.Settings()
    inputs = impact.load(settings)
    return impact.run(settings, inputs), inputs


@pytest.fixture
def impact_app(example) -> app.ImpactApp:
    result, inputs = example
    return app.ImpactApp(result, inputs=inputs)


def test_the_app_opens_on_the_example_report(impact_app):
    assert "In 2025/26 contracts delivered £" in impact_app.headline.value
    assert 'class="sv-headline"' in impact_app.headline.value
    assert "Example data." in impact_app.files_note.value
    shown = "".join(w.value for w in impact_app.view_widgets.values())
    assert shown.count("<img ") == 4  # status (main), by source and theme, climate, one contract's profile
    assert impact_app.view_widgets["status"].value.count("<img ") == 1
    assert impact_app.banner.message == ""


def test_choosing_a_year_rewrites_the_headline_and_the_link(impact_app):
    _control(impact_app, "financial_year").value = "2024/25"
    assert "In 2024/25 contracts delivered £" in impact_app.headline.value
    assert "financial_year=2024%2F25" in impact_app.link_html.value


def test_downloads_are_built_when_asked_for_and_cleared_when_the_report_changes(impact_app):
    assert impact_app.downloads.value == ""
    impact_app.downloads_button.click()
    for name in (
        "delivery.csv",
        "contract_status.csv",
        "impact_by_theme.csv",
        "provenance.json",
        "impact-report-2025-26.html",
        "impact-report-2025-26-tables.xlsx",
    ):
        assert f'download="{name}"' in impact_app.downloads.value, name
    assert impact_app.downloads_button.disabled is False
    _control(impact_app, "financial_year").value = "2024/25"
    assert impact_app.downloads.value == ""
    impact_app.downloads_button.click()
    assert 'download="impact-report-2024-25.html"' in impact_app.downloads.value


def test_a_bad_upload_shows_the_message_and_keeps_the_last_good_report(impact_app):
    headline, settings = impact_app.headline.value, impact_app.base_settings
    _upload(
        impact_app.uploads["returns"],
        ("q3.csv", b"contract_id,period_end,measure_code,quantity_delivered\nEX-C-001,31/12/2025,EX-ECO-01,-4\n"),
    )
    assert "q3.csv, row 2: the quantity delivered is negative (-4)" in impact_app.banner.message
    assert impact_app.headline.value == headline
    assert impact_app.base_settings == settings


def test_uploading_grant_results_switches_them_on(impact_app):
    _control(impact_app, "include_grants").value = False
    assert "grant results" in impact_app.view_widgets["summary"].value
    content = resolve_path("data/impact/example_grant_allocations.csv").read_bytes()
    _upload(impact_app.uploads["grant_allocations"], ("allocations.csv", content))
    assert _control(impact_app, "include_grants").value is True
    assert "community grants worth" in impact_app.view_widgets["summary"].value
    assert impact_app.base_settings.grants_allocations_path.endswith("allocations.csv")
    assert "Example data." in impact_app.files_note.value  # the other inputs are still the examples
    assert "A link cannot carry an uploaded file (allocations.csv" in impact_app.link_html.value


def test_several_return_files_are_read_in_name_order(impact_app):
    lines = resolve_path("data/impact/example_returns.csv").read_text().splitlines()
    first = ("\n".join(lines[:80]) + "\n").encode()
    second = ("\n".join([lines[0], *lines[80:]]) + "\n").encode()
    headline = impact_app.headline.value
    _upload(impact_app.uploads["returns"], ("2025-q2.csv", second), ("2025-q1.csv", first))
    assert impact_app.banner.message == ""
    assert impact_app.headline.value == headline  # the same figures as the single file
    replaced = impact_app.result.tables["replaced_returns"]
    assert replaced[["source_file", "replaced_by_file"]].values.tolist() == [["2025-q1.csv", "2025-q2.csv"]]


def test_a_date_that_is_not_a_date_is_refused_and_the_report_stays(impact_app):
    headline = impact_app.headline.value
    _control(impact_app, "as_of").value = "end of March"
    assert "'end of March' is not a date" in impact_app.banner.message
    assert impact_app.headline.value == headline


def test_an_amber_threshold_above_green_is_refused(impact_app):
    _control(impact_app, "amber_threshold_pct").value = 95
    assert "amber must not be above green" in impact_app.banner.message


def test_without_chromium_the_app_says_the_pdf_needs_it(impact_app, monkeypatch):
    monkeypatch.setenv("SV_CHROMIUM", "")
    impact_app.pdf_button.click()
    assert "Chromium web browser is not installed" in impact_app.pdf_area.value


def test_a_link_sets_the_controls_and_gives_the_same_result_as_a_run(impact_app, example):
    impact_app.apply_query("financial_year=2024%2F25&green_threshold_pct=100&include_climate=no&contract_id=EX-C-002")
    expected = impact.run(
        impact.Settings(
            financial_year="2024/25", green_threshold_pct=100.0, include_climate=False, contract_id="EX-C-002"
        )
    )
    assert impact_app.result.headline == expected.headline
    assert _control(impact_app, "financial_year").value == "2024/25"
    assert impact_app.contract.value == "EX-C-002"
    assert impact_app.result.tables["contract_status"].equals(expected.tables["contract_status"])


def test_a_link_with_a_wrong_year_says_so_and_keeps_the_year(impact_app):
    impact_app.apply_query("financial_year=2024&budget=5")
    notices = impact_app.notices.message
    assert "financial year written like 2025/26" in notices and "'budget'" in notices
    assert _control(impact_app, "financial_year").value == "2025/26"


def test_choosing_a_contract_shows_its_quarterly_profile(impact_app):
    assert impact_app.contract.value == "EX-C-001"
    impact_app.contract.value = "EX-C-003"
    detail = impact_app.view_widgets["contract"].value
    assert "Grounds maintenance (example)" in detail and "Red: well behind" in detail
    assert detail.count("<img ") == 1
    assert "contract_id=EX-C-003" in impact_app.link_html.value
    _control(impact_app, "financial_year").value = "2024/25"  # EX-C-003 starts in April 2025
    assert impact_app.contract.value == "EX-C-003"
    assert "Not due yet" in impact_app.view_widgets["contract"].value


def test_the_example_files_button_goes_back_to_the_examples(impact_app, tmp_path):
    _upload(
        impact_app.uploads["grant_allocations"],
        ("allocations.csv", resolve_path("data/impact/example_grant_allocations.csv").read_bytes()),
    )
    assert "var/uploads" in impact_app.base_settings.grants_allocations_path
    impact_app.example_button.click()
    assert "Example data." in impact_app.files_note.value
    assert impact_app.base_settings.grants_allocations_path == impact.Settings().grants_allocations_path


def test_only_changed_views_are_rewritten(impact_app):
    before = {n: w.value for n, w in impact_app.view_widgets.items()}
    impact_app.contract.value = "EX-C-002"
    after = {n: w.value for n, w in impact_app.view_widgets.items()}
    assert [n for n in before if before[n] != after[n]] == ["contract"]


def test_the_year_list_runs_from_2019_20_to_next_year_and_the_last_complete_year_is_the_one_just_ended():
    assert app.financial_year_options(dt.date(2026, 11, 25))[:3] == ["2027/28", "2026/27", "2025/26"]
    assert app.financial_year_options(dt.date(2026, 3, 31))[-1] == "2019/20"
    assert app.last_complete_financial_year(dt.date(2026, 11, 25)) == "2025/26"
    assert app.last_complete_financial_year(dt.date(2026, 3, 31)) == "2024/25"


def test_own_files_with_the_example_measures_library_are_flagged_as_example_values(tmp_path):
    defaults = impact.Settings()
    own = {}
    for role, (_, name, _) in impact.ROLES.items():
        if name == "measures_path":
            continue
        source = resolve_path(getattr(defaults, name))
        copy = tmp_path / f"council_{role}{source.suffix}"
        copy.write_bytes(source.read_bytes())
        own[name] = str(copy)
    opened = app.ImpactApp(impact.run(defaults.replace(**own)))
    note = opened.files_note.value
    assert "Your data." in note and "council_contracts.csv" in note and "Example values." in note


def test_a_preheated_app_has_every_year_s_report_ready_before_the_page_asks(example, monkeypatch):
    result, inputs = example
    monkeypatch.setenv("VOILA_PREHEAT", "True")  # as in Voila's pooled kernel
    built = []
    real = impact.model.build_impact_report
    monkeypatch.setattr(impact.model, "build_impact_report", lambda *a, **k: built.append(a[0]) or real(*a, **k))
    preheated = app.ImpactApp(result, inputs=inputs.__class__(dict(inputs.values), dict(inputs.sources)))
    assert set(built) >= set(app.financial_year_options()) - {result.settings.financial_year}
    built.clear()
    _control(preheated, "financial_year").value = "2024/25"
    assert built == [] and "2024/25" in preheated.headline.value  # drawn from what was worked out in advance
