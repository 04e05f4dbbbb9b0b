"""The council estate on the UK Government's official conversion factors, chosen by ID from each year's flat file."""

from __future__ import annotations

import csv

import pytest

from sv_helpers import climate as cl
from sv_helpers.climate import estate as es
from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import data_path


def _flat(year: int) -> dict[str, float]:
    """Each ID's kg CO2e value in a year's flat file, read with the csv module (not the workbook's reader)."""
    with open(data_path("climate", f"ghg_conversion_factors_{year}.csv"), encoding="utf-8-sig", newline="") as f:
        return {
            r["ID"]: float(r[f"GHG Conversion Factor {year}"])
            for r in csv.DictReader(f)
            if r["GHG/Unit"] == "kg CO2e" and r[f"GHG Conversion Factor {year}"]
        }


def _ids() -> dict[str, str]:
    with open(data_path("climate", "official_factor_ids.csv"), newline="") as f:
        return {r["fuel"]: r["factor_id"] for r in csv.DictReader(f)}


def _detail():
    return es.estate_detail(es.load_estate(), es.load_emission_factors(es.OFFICIAL_FACTOR_IDS_PATH))


def test_2025_26_electricity_is_kwh_times_0_17700():
    d = _detail()
    rows = d[(d["financial_year"] == "2025/26") & (d["fuel"] == "grid_electricity")]
    assert len(rows) == 2
    assert (rows["kgco2e_per_unit"] == 0.177).all() and (rows["factor_year"] == 2025).all()
    assert rows["emissions_tco2e"].tolist() == pytest.approx((rows["activity_amount"] * 0.17700 / 1000).tolist())


@pytest.mark.parametrize(("financial_year", "factor_year"), [("2024/25", 2024), ("2025/26", 2025)])
def test_each_year_uses_its_own_factors_by_id(financial_year, factor_year):
    flat, ids = _flat(factor_year), _ids()
    d = _detail()
    rows = d[d["financial_year"] == financial_year]
    assert set(rows["fuel"]) == set(ids)
    for _, r in rows.iterrows():
        assert r["factor_year"] == factor_year
        assert r["kgco2e_per_unit"] == flat[ids[r["fuel"]]], r["fuel"]
        assert r["emissions_tco2e"] == pytest.approx(r["activity_amount"] * flat[ids[r["fuel"]]] / 1000)
    assert flat[ids["grid_electricity"]] == (0.20705 if factor_year == 2024 else 0.177)
    assert flat[ids["natural_gas"]] == (0.1829 if factor_year == 2024 else 0.18296)
    assert flat[ids["diesel"]] == (2.51279 if factor_year == 2024 else 2.57082)


def test_the_estate_run_gives_the_2025_26_total_and_says_which_years_borrow_factors():
    flat, ids = _flat(2025), _ids()
    with open(data_path("climate", "council_estate_example.csv"), newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["financial_year"] == "2025/26"]
    total_kt = sum(float(r["activity_amount"]) * flat[ids[r["fuel"]]] for r in rows) / 1e6
    result = cl.run(cl.Settings(scope="council estate", target_year=2030))
    assert result.detail.summary["last_actual_year"] == 2025
    assert result.detail.summary["last_actual_kt"] == pytest.approx(total_kt)
    borrowed = [f.message for f in result.findings if "the 2024 factor is used (the earliest loaded)" in f.message]
    assert len(borrowed) == 1 and "2019/20, 2020/21, 2021/22, 2022/23, 2023/24" in borrowed[0]
    assert "official greenhouse gas conversion factors" in cl.ESTATE_EXAMPLE_NOTE
    assert "example activity" in cl.ESTATE_EXAMPLE_NOTE


def test_a_year_after_the_latest_factors_uses_the_latest_and_says_so():
    estate = es.load_estate(
        b"source_name,fuel,activity_amount,financial_year\nOffices,grid_electricity,1000,2026/27\n", filename="e.csv"
    )
    data = es.estate_emissions(estate, es.load_emission_factors(es.OFFICIAL_FACTOR_IDS_PATH))
    assert float(data.emissions["emissions_kt"].sum()) == pytest.approx(1000 * 0.177 / 1e6)
    assert (
        "2026/27: there is no 2026 factor for grid_electricity, so the 2025 factor is used" in data.warnings[0].message
    )


def test_an_id_not_in_the_flat_file_is_named_with_its_row_and_column():
    ids = b"fuel,unit,scope,factor_id\ngrid_electricity,kWh,Scope 2,7_400_4000_5_1\nnatural_gas,kWh,Scope 1,9_999\n"
    with pytest.raises(InputError, match=r"ids.csv, row 3, column 'factor_id': '9_999' is not an ID"):
        es.load_emission_factors(ids, filename="ids.csv")


def test_an_id_of_another_unit_is_refused():
    ids = b"fuel,unit,scope,factor_id\nnatural_gas,litres,Scope 1,1_100_1004_6_1\n"
    with pytest.raises(InputError, match="not kg CO2e per litres"):
        es.load_emission_factors(ids, filename="ids.csv")


def test_the_rounded_example_factors_still_load_and_say_they_are_examples():
    factors = es.load_emission_factors()
    assert factors["source"].str.contains("EXAMPLE").all()
    result = cl.run(
        cl.Settings(scope="council estate", target_year=2030, factors_path="data/climate/emission_factors_example.csv")
    )
    from sv_helpers.climate.charts import series_note

    assert "rounded example values" in series_note(result)
