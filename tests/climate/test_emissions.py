"""Tests for sv_helpers.climate.emissions and .estate: the shipped file, the DESNZ long layout and the council estate."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from sv_helpers.climate import emissions as em
from sv_helpers.climate import estate as es
from sv_helpers.core.errors import InputError

# A test fixture in the official DESNZ long layout (column names as DESNZ publishes
# them); the numbers are made up for the test and are not DESNZ figures.
DESNZ_HEADER = (
    "Country,Country Code,Region,Region Code,Second Tier Authority,Local Authority,Local Authority Code,"
    "Calendar Year,LA GHG Sector,LA GHG Sub-sector,Greenhouse gas,Territorial emissions (kt CO2e),"
    "CO2 emissions within the scope of influence of LAs (kt CO2e),Mid-year Population (thousands),Area (km2)"
)


def desnz_fixture_csv(rows: list[tuple]) -> bytes:
    lines = [DESNZ_HEADER]
    for la, code, county, year, sector, sub, gas, terr, infl in rows:
        lines.append(
            f"England,E92000001,South East,E12000008,{county},{la},{code},{year},{sector},{sub},{gas},{terr},{infl},120.5,370.3"
        )
    return ("\n".join(lines) + "\n").encode()


FIXTURE_ROWS = [
    ("Sevenoaks", "E07000111", "Kent", 2021, "Domestic", "Domestic Gas", "CO2", 150.0, 150.0),
    ("Sevenoaks", "E07000111", "Kent", 2021, "Domestic", "Domestic Electricity", "CO2", 50.0, 50.0),
    ("Sevenoaks", "E07000111", "Kent", 2021, "Agriculture", "Agriculture Livestock", "CH4", 12.0, 0.0),
    ("Sevenoaks", "E07000111", "Kent", 2022, "Domestic", "Domestic Gas", "CO2", 140.0, 140.0),
    ("Sevenoaks", "E07000111", "Kent", 2022, "Agriculture", "Agriculture Livestock", "CH4", 11.0, 0.0),
    ("Tandridge", "E07000215", "Surrey", 2021, "Domestic", "Domestic Gas", "CO2", 90.0, 90.0),
    ("Tandridge", "E07000215", "Surrey", 2022, "Domestic", "Domestic Gas", "CO2", 85.0, 85.0),
]


# --------------------------------------------------------------------------- shipped mySociety file


@pytest.fixture(scope="module")
def shipped() -> em.EmissionsData:
    return em.load_emissions()


def test_shipped_file_covers_every_authority_2005_to_2020(shipped):
    assert shipped.years == list(range(2005, 2021))
    assert "SEV" in shipped.authorities.index
    assert shipped.authorities["SEV"] == "Sevenoaks District Council"
    assert shipped.sectors == list(em.MYSOCIETY_SECTORS)
    assert shipped.unit == "kt CO2"
    assert "mySociety" in shipped.attribution and "Open Government Licence" in shipped.attribution


def test_sector_totals_add_up_to_the_files_own_total(shipped):
    with open(em.DEFAULT_EMISSIONS_PATH, newline="", encoding="utf-8") as handle:
        total = {
            (r["local-authority-code"], int(r["Year"])): float(r["Total Emissions:kt CO2"])
            for r in csv.DictReader(handle)
        }
    sums = shipped.emissions.groupby(["authority_code", "year"])["emissions_kt"].sum()
    for key in [("SEV", 2005), ("SEV", 2020), ("TAN", 2012), ("ABC", 2019)]:
        assert sums[key] == pytest.approx(total[key], rel=1e-9)


def test_population_and_area_come_with_the_shipped_series(shipped):
    ctx = shipped.context.set_index(["authority_code", "year"])
    assert ctx.loc[("SEV", 2005), "population_thousands"] == pytest.approx(111.266)
    assert ctx.loc[("SEV", 2005), "area_km2"] == pytest.approx(370.3469)


# --------------------------------------------------------------------------- DESNZ long layout


def test_desnz_long_layout_sums_sub_sectors_and_gases_by_sector():
    data = em.load_emissions(desnz_fixture_csv(FIXTURE_ROWS), filename="desnz-2022.csv")
    e = data.emissions.set_index(["authority_code", "year", "sector"])["emissions_kt"]
    assert e[("E07000111", 2021, "Domestic")] == pytest.approx(200.0)
    assert e[("E07000111", 2021, "Agriculture")] == pytest.approx(12.0)
    assert e[("E07000215", 2022, "Domestic")] == pytest.approx(85.0)
    assert data.unit == "kt CO2e"
    assert "DESNZ" in data.series_name and "territorial" in data.series_name and "desnz-2022.csv" in data.series_name


def test_desnz_scope_of_influence_measure_can_be_chosen():
    data = em.load_desnz_long(desnz_fixture_csv(FIXTURE_ROWS), filename="d.csv", measure="scope_of_influence")
    e = data.emissions.set_index(["authority_code", "year", "sector"])["emissions_kt"]
    assert e[("E07000111", 2021, "Agriculture")] == 0.0
    assert "scope of influence" in data.series_name


def test_desnz_county_field_gives_the_kent_districts():
    data = em.load_desnz_long(desnz_fixture_csv(FIXTURE_ROWS), filename="d.csv")
    assert data.county["E07000111"] == "Kent"
    assert data.county["E07000215"] == "Surrey"


def test_sevenoaks_code_sev_finds_its_ons_code_in_a_desnz_file():
    data = em.load_desnz_long(desnz_fixture_csv(FIXTURE_ROWS), filename="d.csv")
    assert em.resolve_authority_code(data, "SEV") == "E07000111"
    assert em.resolve_authority_code(data, " e07000111 ") == "E07000111"


def test_desnz_file_without_its_emissions_column_is_refused_with_the_column_named():
    text = desnz_fixture_csv(FIXTURE_ROWS).decode()
    text = text.replace("Territorial emissions (kt CO2e)", "Emissions").replace(
        "CO2 emissions within the scope of influence of LAs (kt CO2e)", "Other"
    )
    with pytest.raises(InputError, match="'Territorial emissions \\(kt CO2e\\)' is missing"):
        em.load_desnz_long(text.encode(), filename="d.csv")


def test_desnz_cell_that_is_not_a_number_is_named_by_row_and_column():
    rows = list(FIXTURE_ROWS)
    rows[2] = rows[2][:7] + ("n/a",) + rows[2][8:]
    with pytest.raises(InputError) as err:
        em.load_desnz_long(desnz_fixture_csv(rows), filename="d.csv")
    assert "d.csv, row 4, column 'Territorial emissions (kt CO2e)': 'n/a' is not a number." in str(err.value)


def test_desnz_year_that_is_not_a_whole_number_is_refused():
    rows = list(FIXTURE_ROWS)
    rows[0] = rows[0][:3] + ("2021.5",) + rows[0][4:]
    with pytest.raises(InputError, match="row 2, column 'Calendar Year': '2021.5' is not a whole number"):
        em.load_desnz_long(desnz_fixture_csv(rows), filename="d.csv")


def test_file_in_neither_layout_is_refused_with_both_layouts_described():
    with pytest.raises(InputError, match="not a local authority emissions file"):
        em.load_emissions(b"name,value\na,1\n", filename="other.csv")


def test_missing_emissions_file_is_named():
    with pytest.raises(InputError, match="nowhere.csv was not found"):
        em.load_emissions("nowhere.csv")


# --------------------------------------------------------------------------- authorities


def test_unknown_authority_code_suggests_a_close_name(shipped):
    with pytest.raises(InputError) as err:
        em.resolve_authority_code(shipped, "Tandridge")
    message = str(err.value)
    assert "'Tandridge' is not in the emissions data" in message
    assert "TAN (Tandridge District Council)" in message


def test_kent_list_has_twelve_districts_all_in_the_shipped_data(shipped):
    kent = em.load_kent_districts()
    assert len(kent) == 12
    assert set(kent["authority_code"]) <= set(shipped.authorities.index)
    assert kent.set_index("authority_code").loc["SEV", "gss_code"] == "E07000111"


# --------------------------------------------------------------------------- council estate

FACTORS = (
    b"fuel,unit,scope,kgco2e_per_unit,factor_year,source\n"
    b"natural_gas,kWh,Scope 1,0.2,2020,test\n"
    b"natural_gas,kWh,Scope 1,0.1,2023,test\n"
    b"grid_electricity,kWh,Scope 2,0.5,2020,test\n"
)


def test_estate_emissions_are_activity_times_the_factor_in_force():
    estate = es.load_estate(
        b"source_name,fuel,activity_amount,financial_year\n"
        b"Offices,natural_gas,1000000,2022/23\n"  # 2022 uses the 2020 factor: 1e6 x 0.2 kg = 0.2 kt
        b"Offices,natural_gas,1000000,2024/25\n"  # 2024 uses the 2023 factor: 0.1 kt
        b"Offices,grid_electricity,2000000,2024/25\n",  # 1.0 kt, scope 2
        filename="estate.csv",
    )
    data = es.estate_emissions(estate, es.load_emission_factors(FACTORS, filename="factors.csv"))
    e = data.emissions.set_index(["year", "sector"])["emissions_kt"]
    assert e[(2022, "Scope 1")] == pytest.approx(0.2)
    assert e[(2024, "Scope 1")] == pytest.approx(0.1)
    assert e[(2024, "Scope 2")] == pytest.approx(1.0)
    assert e[(2022, "Scope 2")] == 0.0  # every scope in every year
    # a year without its own factors says which year's it uses (issue 24), once per financial year
    messages = [w.message for w in data.warnings]
    assert "Council estate, 2022/23: there is no 2022 factor for natural_gas, so the 2020 factor is used" in messages[0]
    assert len(messages) == len(set(messages)) == 3  # 2022/23 gas; 2024/25 gas (2023) and electricity (2020)


def test_estate_year_before_every_factor_uses_the_earliest_with_a_warning():
    estate = es.load_estate(
        b"source_name,fuel,activity_amount,financial_year\nOffices,natural_gas,1000,2018/19\n", filename="estate.csv"
    )
    data = es.estate_emissions(estate, es.load_emission_factors(FACTORS, filename="factors.csv"))
    assert data.emissions["emissions_kt"].sum() == pytest.approx(1000 * 0.2 / 1e6)
    assert "2020 factor is used" in data.warnings[0].message


def test_estate_fuel_without_a_factor_is_refused_with_its_row():
    estate = es.load_estate(
        b"source_name,fuel,activity_amount,financial_year\nOffices,natural_gas,1,2024/25\nVan,hydrogen,5,2024/25\n",
        filename="estate.csv",
    )
    with pytest.raises(InputError, match="row 3, column 'fuel': 'hydrogen' has no emission factor"):
        es.estate_emissions(estate, es.load_emission_factors(FACTORS, filename="factors.csv"))


def test_estate_financial_year_must_be_written_like_2024_25():
    with pytest.raises(InputError, match="estate.csv, row 2, column 'financial_year'"):
        es.load_estate(
            b"source_name,fuel,activity_amount,financial_year\nOffices,natural_gas,1,2024\n", filename="estate.csv"
        )


def test_factor_given_twice_for_one_year_is_refused():
    with pytest.raises(InputError, match="more than one factor for 2020"):
        es.load_emission_factors(FACTORS + b"natural_gas,kWh,Scope 1,0.3,2020,test\n", filename="factors.csv")


def test_example_estate_and_factors_load_and_are_labelled_example():
    estate = es.load_estate()
    factors = es.load_emission_factors()
    assert estate["source_name"].str.startswith("Example").all()
    assert factors["source"].str.contains("EXAMPLE").all()
    detail = es.estate_detail(estate, factors)
    data = es.estate_emissions(estate, factors)
    assert detail["emissions_tco2e"].sum() == pytest.approx(data.emissions["emissions_kt"].sum() * 1000)
    assert set(data.sectors) == {"Scope 1", "Scope 2", "Scope 3"}


def test_similarity_and_labels_have_one_row_per_authority(shipped):
    sim = em.read_similarity()
    labels = em.read_labels()
    assert sim["authority_code"].is_unique and labels["authority_code"].is_unique
    assert set(sim["authority_code"]) == set(shipped.authorities.index)
    assert pd.api.types.is_float_dtype(sim["pop_density"])
