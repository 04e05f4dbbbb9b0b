"""The impact report's planning figures from the planning gain notebook's Infrastructure Funding Statement
(``ifs_cil.csv`` and ``ifs_s106.csv`` in ``planning_dir``; CIL Regulations 2010, regulation 121A and Schedule 2)."""

from __future__ import annotations

import pytest

from sv_helpers import impact
from sv_helpers.core.errors import InputError

IFS_CIL = """item,paragraph,amount
CIL receipts for the reported year,1(b),412000.0
CIL collected before the reported year and not allocated,1(c),90000.0
CIL expenditure for the reported year,1(e),150500.0
"""

IFS_S106 = """item,paragraph,amount
Money to be provided under planning obligations entered into in the reported year,3(a),300000.0
Money received under planning obligations in the reported year,3(b),210000.0
Money spent in the reported year,3(f),95000.0
Money retained at the end of the reported year,3(i),640000.0
"""


@pytest.fixture
def planning_dir(tmp_path):
    folder = tmp_path / "planning_gain"
    folder.mkdir()
    (folder / "ifs_cil.csv").write_text(IFS_CIL)
    (folder / "ifs_s106.csv").write_text(IFS_S106)
    return folder


def test_without_a_planning_folder_the_report_keeps_the_activities_figures():
    result = impact.run(impact.Settings())
    assert "planning_ifs" not in result.tables
    assert "Planning secured £2,790,000 in Community Infrastructure Levy" in " ".join(result.detail.summary)


def test_the_planning_figures_come_from_the_infrastructure_funding_statement(planning_dir):
    result = impact.run(impact.Settings(planning_dir=str(planning_dir)))
    text = " ".join(result.detail.summary)
    assert (
        "Planning, from the Infrastructure Funding Statement: £412,000 of Community Infrastructure Levy received "
        "and £150,500 spent; £210,000 of section 106 money received and £95,000 spent, with £640,000 held at "
        "the year's end."
    ) in text
    assert "Planning secured £2,790,000" not in text
    ifs = result.tables["planning_ifs"]
    assert list(ifs.columns) == ["statement", "item", "paragraph", "amount"]
    assert ifs.loc[ifs["paragraph"] == "1(b)", "amount"].item() == 412000.0
    assert result.summary["cil_received_gbp"] == 412000.0 and result.summary["s106_received_gbp"] == 210000.0
    assert {"planning_ifs_cil", "planning_ifs_s106"} <= {i["role"] for i in result.provenance["inputs"]}


def test_a_folder_without_the_statement_is_refused_naming_the_file(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    with pytest.raises(InputError, match="ifs_cil.csv"):
        impact.load(impact.Settings(planning_dir=str(folder)))


def test_a_statement_missing_an_item_the_report_needs_says_which(planning_dir):
    (planning_dir / "ifs_s106.csv").write_text(IFS_S106.replace("3(f)", "3(h)"))
    with pytest.raises(InputError, match=r"ifs_s106.csv has no item 3\(f\)"):
        impact.run(impact.Settings(planning_dir=str(planning_dir)))


def test_a_link_cannot_set_the_planning_folder():
    settings, notices = impact.Settings.from_query("planning_dir=/etc")
    assert settings.planning_dir == "" and "A link cannot set" in notices[0]


def test_a_statement_for_another_year_is_flagged(planning_dir):
    (planning_dir / "provenance.json").write_text('{"parameters": {"financial_year": "2024/25"}}')
    result = impact.run(impact.Settings(planning_dir=str(planning_dir)))
    assert any("Infrastructure Funding Statement for 2024/25" in w for w in result.warnings)
    assert result.detail.planning_ifs is not None


def test_the_report_page_has_the_statement(planning_dir):
    from sv_helpers.impact.report import impact_report_page

    page = impact_report_page(impact.run(impact.Settings(planning_dir=str(planning_dir))))
    assert "<h2>Planning gain</h2>" in page and "1(b)" in page
