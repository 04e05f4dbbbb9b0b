"""The impact report app's behaviour without a browser: a setting rewrites the report, a bad upload keeps the last good one."""

from __future__ import annotations

import datetime as dt

import pytest

from sv_helpers.apps import impact as app
from sv_helpers.paths import resolve_path


def _upload(widget, name: str, content: bytes) -> None:
    widget.value = ({"name": name, "type": "text/csv", "size": len(content), "last_modified": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), "content": memoryview(content)},)


@pytest.fixture
def impact_app() -> app.ImpactApp:
    return app.ImpactApp({role: resolve_path(p) for role, p in app.EXAMPLE_FILES.items()}, "2025/26")


def test_the_app_opens_on_the_example_report(impact_app):
    assert "In 2025/26 contracts delivered £" in impact_app.summary.value
    assert "Example data." in impact_app.files_note.value
    assert impact_app.charts_html.value.count("<img ") == 3
    assert impact_app.banner.message == ""


def test_choosing_a_year_rewrites_the_summary(impact_app):
    impact_app.year.value = "2024/25"
    assert "In 2024/25 contracts delivered £" in impact_app.summary.value
    assert "impact-report-2024-25.html" in impact_app.downloads.value


def test_a_bad_upload_shows_the_message_and_keeps_the_last_good_report(impact_app):
    summary, sources = impact_app.summary.value, dict(impact_app.sources)
    _upload(impact_app.uploads["returns"], "q3.csv", b"contract_id,period_end,measure_code,quantity_delivered\nEX-C-001,31/12/2025,EX-ECO-01,-4\n")
    assert "q3.csv, row 2: the quantity delivered is negative (-4)" in impact_app.banner.message
    assert impact_app.summary.value == summary
    assert impact_app.sources == sources


def test_uploading_grant_results_switches_them_on(impact_app):
    impact_app.include["grants"].value = False
    assert "grant results" in impact_app.summary.value
    content = resolve_path("data/impact/example_grant_allocations.csv").read_bytes()
    _upload(impact_app.uploads["grant_allocations"], "allocations.csv", content)
    assert impact_app.include["grants"].value is True
    assert "community grants worth" in impact_app.summary.value


def test_a_date_that_is_not_a_date_is_refused_and_the_report_stays(impact_app):
    summary = impact_app.summary.value
    impact_app.as_of.value = "end of March"
    assert "'end of March' is not a date" in impact_app.banner.message
    assert impact_app.summary.value == summary


def test_without_chromium_the_app_says_the_pdf_needs_it(impact_app, monkeypatch):
    monkeypatch.setenv("SV_CHROMIUM", "")
    impact_app.pdf_button.click()
    assert "Chromium web browser is not installed" in impact_app.pdf_link.value


def test_a_link_with_a_wrong_year_says_so_and_shows_the_last_complete_year():
    sources = {role: resolve_path(p) for role, p in app.EXAMPLE_FILES.items()}
    opened = app.ImpactApp(sources, "2024", notices=["The link sets 'budget', which this app does not have, so it was ignored."])
    assert opened.year.value == app.last_complete_financial_year()
    assert "'2024' is not a financial year" in opened.banner.message
    assert "'budget'" in opened.banner.message


def test_own_files_with_the_example_measures_library_are_flagged_as_example_values(tmp_path):
    own = {}
    for role, path in app.EXAMPLE_FILES.items():
        copy = tmp_path / f"council_{role}{resolve_path(path).suffix}"
        copy.write_bytes(resolve_path(path).read_bytes())
        own[role] = copy
    assert app.example_note(own) is None
    own["measures"] = resolve_path(app.EXAMPLE_FILES["measures"])
    assert app.example_note(own) == app.EXAMPLE_MEASURES_NOTE
    opened = app.ImpactApp(own, "2025/26")
    assert "Example values." in opened.files_note.value and "Your data." in opened.files_note.value


def test_choosing_a_contract_shows_its_quarterly_profile(impact_app):
    assert impact_app.contract.value == "EX-C-001"
    impact_app.contract.value = "EX-C-003"
    detail = impact_app.contract_html.value
    assert "Grounds maintenance (example)" in detail and "Red: well behind" in detail
    assert detail.count("<img ") == 1
    impact_app.year.value = "2024/25"  # EX-C-003 starts in April 2025: nothing is expected by March 2025
    assert impact_app.contract.value == "EX-C-003"
    assert "Not due yet" in impact_app.contract_html.value


def test_the_year_list_runs_from_2019_20_to_next_year_and_the_last_complete_year_is_the_one_just_ended():
    import datetime as dt

    assert app.financial_year_options(dt.date(2026, 11, 25))[:3] == ["2027/28", "2026/27", "2025/26"]
    assert app.financial_year_options(dt.date(2026, 3, 31))[-1] == "2019/20"
    assert app.last_complete_financial_year(dt.date(2026, 11, 25)) == "2025/26"
    assert app.last_complete_financial_year(dt.date(2026, 3, 31)) == "2024/25"


def test_a_batch_run_reads_a_folder_of_returns_and_records_each_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SV_CHROMIUM", "")  # the PDF is tested elsewhere; here its absence must not stop the run
    folder = tmp_path / "returns"
    folder.mkdir()
    lines = resolve_path(app.EXAMPLE_FILES["returns"]).read_text().splitlines()
    # the first file holds the original trees figure (line 67); the second, its correction (the last line)
    (folder / "2025-q1.csv").write_text("\n".join(lines[:80]) + "\n")
    (folder / "2025-q2.csv").write_text("\n".join([lines[0], *lines[80:]]) + "\n")
    sources = {role: app.source_from_path(p) for role, p in app.EXAMPLE_FILES.items()}
    sources["returns"] = folder
    out = tmp_path / "out"
    report = app.run_batch(sources, "2025/26", None, out)
    whole = app.run_batch({**sources, "returns": resolve_path(app.EXAMPLE_FILES["returns"])}, "2025/26")
    assert report.status["delivered_value_gbp"].tolist() == whole.status["delivered_value_gbp"].tolist()
    assert report.replaced_returns[["source_file", "source_row", "replaced_by_file"]].values.tolist() == [["2025-q1.csv", 67, "2025-q2.csv"]]
    assert {"delivery.csv", "contract_status.csv", "impact_by_theme.csv", "report.html", "provenance.json"} <= {p.name for p in out.iterdir()}
    assert not (out / "report.pdf").exists()
