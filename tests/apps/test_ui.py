"""The interface layer's shared pieces: banner, guard, labelled widgets, charts."""

import matplotlib.pyplot as plt
import pytest

from sv_helpers.apps import widgets as ui
from sv_helpers.core.errors import Finding, InputError
from sv_helpers.reports import charts


def test_banner_escapes_user_text_and_is_announced():
    banner = ui.ErrorBanner()
    banner.show_error("row 2, column 'bidder': '<script>' is not allowed")
    assert "<script>" not in banner.value and "&lt;script&gt;" in banner.value
    assert 'role="alert"' in banner.value
    banner.clear()
    assert banner.value == ""


def test_banner_shows_errors_before_warnings():
    banner = ui.ErrorBanner()
    banner.show_findings(
        [Finding("warning", "Social value weight is below 10%."), Finding("error", "Weights add up to 95, not 100.")]
    )
    assert "Weights add up to 95" in banner.value and "below 10%" not in banner.value
    banner.show_findings([Finding("warning", "Social value weight is below 10%.")])
    assert 'role="status"' in banner.value


def test_guard_turns_input_errors_into_the_banner_and_keeps_going():
    banner = ui.ErrorBanner()

    @ui.guarded(banner)
    def handler():
        raise InputError("The budget must be more than £0.")

    assert handler() is None
    assert "The budget must be more than £0." in banner.message


def test_guard_hides_programming_errors_behind_a_plain_message(capsys):
    banner = ui.ErrorBanner()
    ui.run_guarded(banner, lambda: 1 / 0)
    assert banner.message == ui.UNEXPECTED_MESSAGE
    assert "ZeroDivisionError" in capsys.readouterr().err  # the log, not the page
    assert "Traceback" not in banner.value


def test_every_builder_gives_a_visible_label():
    for w in [
        ui.slider("Price weight (%)", 50, 0, 100),
        ui.number_input("Budget (£)", 1.0, minimum=0),
        ui.dropdown("Method", ["rank"]),
        ui.checkbox("Cap awards"),
        ui.text_input("Name"),
        ui.int_slider("Year", 2030, 2025, 2050),
    ]:
        assert w.description


def test_chart_needs_alt_text_and_closes_the_figure():
    before = set(plt.get_fignums())
    fig, ax = charts.new_figure()
    with pytest.raises(ValueError):
        charts.figure_html(fig, alt=" ")
    fig, ax = charts.new_figure()
    ax.bar(["a"], [1])
    html = charts.figure_html(fig, alt="One bar", caption="Source: test", data=None)
    assert 'alt="One bar"' in html and "<figcaption>Source: test</figcaption>" in html
    assert set(plt.get_fignums()) == before


def test_palette_is_okabe_ito():
    assert charts.PALETTE[:3] == ("#0072B2", "#E69F00", "#009E73")


def test_download_link_carries_the_file():
    link = ui.download_link(b"a,b\n", "ranking.csv", "Download the ranking (CSV)", ui.CSV_MIME)
    assert 'download="ranking.csv"' in link and "base64,YSxiCg==" in link


def test_bar_chart_value_axis_reads_as_money():
    from sv_helpers.core.formatting import format_money

    fig = charts.bar_chart(["Arts", "Sport"], [12000, 5700], title="t", xlabel="Awarded (£)", value_format=format_money)
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    plt.close(fig)
    assert "£10,000" in ticks and all(t.startswith("£") for t in ticks)
