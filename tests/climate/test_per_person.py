"""Territorial emissions per person, 2005 to 2023, beside the sector detail: the latest year on the first screen."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sv_helpers import climate as cl
from sv_helpers.climate import emissions as em
from sv_helpers.climate import per_person as pp
from sv_helpers.core.paths import data_path

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def _published(gss: str, year: int) -> float:
    """The figure as ONS publishes it, read straight from the file (not through the workbook's reader)."""
    raw = pd.read_csv(data_path("emissions", "ons_ghg_per_capita_2005_2023.csv"), encoding="utf-8-sig")
    row = raw[(raw["areacd"] == gss) & (raw["period"] == f"{year}-01-01/P1Y")]
    assert len(row) == 1
    return float(row["observation"].iloc[0])


@pytest.mark.parametrize(
    ("code", "gss"),
    [
        ("SEV", "E07000111"),
        ("TAN", "E07000215"),
        ("TUN", "E07000116"),
        ("E07000215", "E07000215"),
        ("MAN", "E08000003"),
    ],
)
def test_a_run_for_any_authority_gives_its_2023_emissions_per_person_as_published(code, gss):
    result = cl.run(cl.Settings(authority_code=code))
    table = result.tables["emissions_per_person"].set_index("year")
    assert table.index.min() == 2005 and table.index.max() == 2023
    assert table.loc[2023, "per_person_tco2e"] == _published(gss, 2023)
    assert table.loc[2022, "per_person_tco2e"] == _published(gss, 2022)
    assert "t CO2e per person in 2023" in result.headline.split(". ")[0]


def test_the_headline_says_the_latest_year_and_what_changed_since_the_last():
    result = cl.run(cl.Settings())
    first = result.detail.sentences[0]
    assert first == (
        "Sevenoaks District Council: territorial greenhouse gas emissions were 6.00 t CO2e per person in 2023 "
        "(CO2, CH4 and N2O; DESNZ 2005 to 2023 statistics), down 3.8% from 6.24 in 2022."
    )
    # the sector detail is named as the other series
    assert result.detail.sentences[1].startswith(
        "Sector detail (CO2 within the scope of influence, DESNZ 2005 to 2020 release): emissions were"
    )


def test_peers_and_kent_districts_are_compared_on_2023():
    peers = cl.run(cl.Settings()).tables["peers_per_person"]
    assert set(peers["year"]) == {2023}
    assert peers["group"].iloc[0] == "Selected" and peers["gss_code"].iloc[0] == "E07000111"
    assert (peers["group"] == "Kent district").sum() == 11 and (peers["group"] == "Similar").sum() == 5
    for gss, value in zip(peers["gss_code"], peers["per_person_tco2e"], strict=True):
        assert value == _published(gss, 2023)


def test_the_screen_and_the_report_say_that_desnz_revises_and_the_sector_split_stops_at_2020():
    from sv_helpers.climate import report
    from sv_helpers.climate.charts import per_person_figure, series_note

    result = cl.run(cl.Settings())
    for page in (series_note(result), per_person_figure(result), report.report_html(result)):
        assert "DESNZ revises earlier years" in page and "sector split stops at 2020" in page
        assert "Open Government Licence" in page
    assert "Office for National Statistics" in per_person_figure(result) or "ONS Explore Local Statistics" in (
        per_person_figure(result)
    )


def test_the_council_estate_has_no_per_person_series():
    result = cl.run(cl.Settings(scope="council estate", target_year=2030))
    assert "emissions_per_person" not in result.tables and result.detail.per_person is None


def test_the_long_layout_loader_reads_a_desnz_file_made_from_the_shipped_figures(tmp_path):
    """The shipped sector figures written in DESNZ's long layout load back to the same totals."""
    shipped = em.load_emissions()
    codes = pp.authority_codes().set_index("authority_code")["gss_code"]
    rows = shipped.emissions[shipped.emissions["authority_code"].isin(["SEV", "TAN", "TUN"])]
    ctx = shipped.context.set_index(["authority_code", "year"])
    long = pd.DataFrame(
        {
            "Country": "England",
            "Local Authority": rows["authority_name"],
            "Local Authority Code": rows["authority_code"].map(codes),
            "Calendar Year": rows["year"],
            "LA GHG Sector": rows["sector"],
            "Greenhouse gas": "CO2",
            "Territorial emissions (kt CO2e)": rows["emissions_kt"],
            "Mid-year Population (thousands)": [
                ctx.loc[(c, y), "population_thousands"]
                for c, y in zip(rows["authority_code"], rows["year"], strict=True)
            ],
            "Area (km2)": [
                ctx.loc[(c, y), "area_km2"] for c, y in zip(rows["authority_code"], rows["year"], strict=True)
            ],
        }
    )
    path = tmp_path / "desnz_long_from_shipped.csv"
    long.to_csv(path, index=False)
    data = em.load_emissions(path)
    assert "DESNZ" in data.series_name
    for code in ("SEV", "TAN", "TUN"):
        ours = cl.actual_totals(data, codes[code])
        theirs = cl.actual_totals(shipped, code)
        pd.testing.assert_series_equal(ours, theirs, check_exact=False, rtol=1e-12)
    result = cl.run(cl.Settings(emissions_path=str(path), authority_code="SEV"))
    assert result.detail.authority_code == "E07000111"
    assert result.tables["emissions_per_person"]["year"].max() == 2023  # the per-person series matches by GSS code
    assert "Sector detail (DESNZ" in result.headline


def test_every_kent_district_has_its_ons_code():
    kent = em.load_kent_districts()
    for code, gss in zip(kent["authority_code"], kent["gss_code"], strict=True):
        assert pp.gss_code(code) == gss


@pytest.mark.skipif(not SHARED.is_dir(), reason="the developers' shared data is not beside the repository")
def test_the_shipped_per_person_file_is_the_shared_copy():
    name = "ons_ghg_per_capita_2005_2023.csv"
    assert data_path("emissions", name).read_bytes() == (SHARED / "emissions" / name).read_bytes()


def test_a_mysociety_code_or_a_gss_code_reaches_the_same_authority():
    data = em.load_emissions()
    assert em.resolve_authority_code(data, "E07000215") == "TAN"
