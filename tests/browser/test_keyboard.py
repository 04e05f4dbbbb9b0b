"""Every app works with the keyboard alone (WCAG 2.1.1): Tab reaches every control, and a
slider moves with the arrow keys."""

from __future__ import annotations

import pytest
from conftest import assert_clean

APPS = [
    "social_value_scoring.ipynb",
    "grant_allocation.ipynb",
    "climate_targets.ipynb",
    "impact_report.ipynb",
    "planning_gain.ipynb",
]

#: Controls a keyboard user must be able to reach, when they are visible and enabled.
CONTROLS = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea, button:not([disabled]), [role=slider], a[href], summary"

MARK_CONTROLS = """
sel => {
  const visible = el => {
    const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0 && !el.closest('[hidden], details:not([open]) > :not(summary)');
  };
  const els = [...document.querySelectorAll(sel)].filter(visible);
  els.forEach((el, i) => el.setAttribute('data-kb', String(i)));
  return els.map(el => (el.getAttribute('aria-label') || el.textContent || el.tagName).trim().slice(0, 60));
}
"""


@pytest.mark.parametrize("notebook", APPS)
def test_tab_reaches_every_control(open_app, notebook):
    app = open_app(notebook)
    page = app.page
    labels = page.evaluate(MARK_CONTROLS, CONTROLS)
    assert labels, "the app has controls"
    reached: set[str] = set()
    page.locator("body").focus()
    for _ in range(4 * len(labels) + 40):
        page.keyboard.press("Tab")
        marker = page.evaluate(
            "() => { const a = document.activeElement; const m = a && a.closest('[data-kb]'); return m ? m.getAttribute('data-kb') : null; }"
        )
        if marker is not None:
            reached.add(marker)
        if len(reached) == len(labels):
            break
    missing = [labels[int(i)] for i in range(len(labels)) if str(i) not in reached]
    assert missing == [], f"controls the Tab key never reaches: {missing}"
    assert_clean(app)


def test_a_weight_slider_moves_with_the_arrow_keys(open_app):
    app = open_app("social_value_scoring.ipynb")
    page = app.page
    slider = page.locator(".sv-app [role=slider]").first
    readout = page.locator(".sv-app .widget-slider .widget-readout").first
    before = readout.inner_text()
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([el, text]) => el.textContent.trim() !== text", arg=[readout.element_handle(), before.strip()], timeout=30_000
    )
    assert readout.inner_text() != before
