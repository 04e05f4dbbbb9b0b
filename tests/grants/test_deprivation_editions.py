"""A grants round on IMD 2025 (today's wards) by default, and on IMD 2019 when a round was decided on it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sv_helpers import grants
from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import data_path

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
HEADER = b"application_id,organisation,project,theme,ward,lsoa_code,amount_requested,score\n"


def _round(rows: str) -> bytes:
    return HEADER + rows.encode()


def test_a_round_uses_imd_2025_unless_it_says_2019():
    assert grants.Settings().deprivation_edition == 2025
    assert grants.Settings.from_parameters({"deprivation_edition": 2019}).deprivation_edition == 2019
    with pytest.raises(InputError, match="deprivation_edition"):
        grants.Settings.from_parameters({"deprivation_edition": 2015})


def test_a_split_2011_lsoa_is_named_with_its_two_2021_codes_never_guessed():
    data = _round("A1,G,P,T,,E01024422,100,50\n")
    with pytest.raises(InputError) as info:
        grants.load_applications(data, filename="round.csv")
    message = str(info.value)
    assert "round.csv, row 2 (A1), column 'lsoa_code'" in message
    assert "E01035000 and E01035001" in message and "split" in message
    # the same code is a 2011 LSOA under IMD 2019
    out = grants.load_applications(data, filename="round.csv", edition=2019)
    assert out["imd_decile"].tolist() == [7]


def test_a_2021_code_under_imd_2019_is_told_to_choose_2025():
    data = _round("A1,G,P,T,,E01035000,100,50\n")
    with pytest.raises(InputError, match="2021 LSOA code.*Choose IMD 2025"):
        grants.load_applications(data, filename="round.csv", edition=2019)
    assert grants.load_applications(data, filename="round.csv")["ward"].tolist() == ["Dunton Green and Riverhead"]


def _independent_2025() -> tuple[pd.Series, pd.Series]:
    """Each 2021 LSOA's IMD 2025 decile, and each 2024 ward's (the decile of its LSOAs' mean rank), from the
    published England file and ONS's lookup in the developers' shared data."""
    imd = pd.read_csv(SHARED / "deprivation" / "imd2025_lsoa21_england.csv").set_index("lsoa21_code")
    ons = pd.read_csv(SHARED / "deprivation" / "sevenoaks_lsoa21_ward24_lookup.csv", encoding="utf-8-sig")
    cuts = imd.groupby("IMD_decile")["IMD_rank"].max().sort_index().to_numpy()
    mean = ons.assign(rank=ons["LSOA21CD"].map(imd["IMD_rank"])).groupby("WD24NM")["rank"].mean()
    return imd["IMD_decile"].astype(int), mean.map(lambda r: 1 + int((r > cuts).sum()))


@pytest.mark.skipif(not SHARED.is_dir(), reason="the developers' shared data is not beside the repository")
def test_every_application_gets_the_imd_2025_decile_by_lsoa_and_by_ward():
    by_lsoa, by_ward = _independent_2025()
    wards = sorted(by_ward.index)
    lsoas = ["E01024413", "E01035001", "E01024464", "E01035000"]
    rows = "".join(f'W{i},G,P,T,"{w}",,100,50\n' for i, w in enumerate(wards))
    rows += "".join(f"L{i},G,P,T,,{code},100,50\n" for i, code in enumerate(lsoas))
    out = grants.load_applications(_round(rows), filename="round.csv").set_index("application_id")
    for i, ward in enumerate(wards):
        assert out.loc[f"W{i}", "imd_decile"] == by_ward[ward], ward
    for i, code in enumerate(lsoas):
        assert out.loc[f"L{i}", "imd_decile"] == by_lsoa[code], code


@pytest.mark.skipif(not SHARED.is_dir(), reason="the developers' shared data is not beside the repository")
def test_the_example_round_on_imd_2025_has_the_independent_deciles(tmp_path):
    by_lsoa, by_ward = _independent_2025()
    result = grants.run(grants.Settings())
    apps = result.detail.applications.set_index("application_id")
    allocations = result.tables["allocations"].set_index("application_id")
    given = apps["lsoa_code"].fillna("").str.strip() != ""
    assert given.sum() == 3  # the example gives three LSOAs, the rest wards
    expected = apps["lsoa_code"].map(by_lsoa).where(given, apps["ward"].map(by_ward))
    assert (allocations["imd_decile"] == expected.reindex(allocations.index)).all()
    assert result.provenance["parameters"]["deprivation_edition"] == 2025
    assert "English Indices of Deprivation 2025" in result.provenance["policy_parameters"]["deprivation"]
    names = {Path(item["path"]).name for item in result.provenance["inputs"]}
    assert {"imd2025_sevenoaks_ward.csv", "imd2025_sevenoaks_lsoa.csv", "sevenoaks_lsoa21_ward_lookup.csv"} <= names


def test_the_360giving_file_gives_todays_ward_codes_and_a_2019_round_its_own():
    codes_2025 = grants.deprivation.ward_codes(2025)
    codes_2019 = grants.deprivation.ward_codes(2019)
    for edition, codes in ((2025, codes_2025), (2019, codes_2019)):
        result = grants.run(grants.Settings(deprivation_edition=edition))
        package = json.loads(grants.threesixtygiving_files(result)["360giving.json"])
        for grant in package["grants"]:
            place = grant["beneficiaryLocation"][0]
            assert place["geoCode"] == codes[place["name"]]
    assert (codes_2025 != codes_2019.reindex(codes_2025.index)).sum() == 11  # eleven wards re-coded


def test_the_map_is_drawn_on_the_editions_boundaries():
    from sv_helpers.grants import report

    detail = grants.run(grants.Settings()).detail
    html = report.ward_map_html(detail, "Rank")
    assert "May 2025 boundaries" in html and "Office for National Statistics (Wards, May 2025)" in html
    old = grants.run(grants.Settings(deprivation_edition=2019)).detail
    assert "2013 boundaries" in report.ward_map_html(old, "Rank")


def test_the_shipped_boundaries_are_the_shared_copies():
    for name in ("sevenoaks_wards_2025.geojson", "sevenoaks_lsoa_2021.geojson"):
        shipped = data_path("boundaries", name)
        assert shipped.is_file()
        if SHARED.is_dir():
            assert shipped.read_bytes() == (SHARED / "boundaries" / name).read_bytes()


def test_the_app_switches_edition_and_reads_the_deciles_again():
    from sv_helpers.apps import grants as grants_app

    settings = grants.Settings()
    inputs = grants.load(settings)
    app = grants_app.GrantsApp(grants.run(settings, inputs), inputs=inputs)
    widget = next(c for c in app.control_list if c.name == "deprivation_edition").widget
    assert widget.value == 2025
    widget.value = 2019
    app.wait()
    assert app.result.settings.deprivation_edition == 2019
    expected = grants.run(grants.Settings(deprivation_edition=2019)).tables["allocations"]
    assert app.result.tables["allocations"]["imd_decile"].tolist() == expected["imd_decile"].tolist()
    assert "deprivation_edition=2019" in app.result.settings.to_query()
