"""Make the fictional example round in data/grants/example_applications.csv (seeded, reproducible).

Run from the repository root: ``.venv/bin/python scripts/make_example_grants.py``.
Every organisation and project is invented and marked "(example)".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sv_helpers import grants
from sv_helpers.core.paths import data_path
from sv_helpers.core.tables import write_template
from sv_helpers.grants import deprivation

SEED = 20120401
THEMES = {
    "Children and young people": ["Youth Club", "Scout Group", "Toddler Group", "Young Carers"],
    "Older people": ["Lunch Club", "Good Neighbours", "Memory Cafe", "Befriending Scheme"],
    "Health and wellbeing": ["Mental Health Drop-in", "Walking Group", "Carers Support", "Community Larder"],
    "Arts and heritage": ["Local History Society", "Community Choir", "Arts Festival", "Village Archive"],
    "Environment": ["Conservation Volunteers", "Community Garden", "Litter Pickers", "Repair Cafe"],
    "Sport and physical activity": ["Football Club", "Cricket Club", "Boxing Club", "Inclusive Cycling"],
}
PROJECTS = {
    "Children and young people": [
        "Holiday activity programme",
        "New equipment for weekly sessions",
        "Training for volunteer leaders",
    ],
    "Older people": ["Weekly hot meals and transport", "Home visits by volunteers", "Digital skills sessions"],
    "Health and wellbeing": ["Peer support sessions", "Food bank chiller and shelving", "Counselling for carers"],
    "Arts and heritage": [
        "Exhibition and oral history recordings",
        "Concert series in the village hall",
        "Workshops for schools",
    ],
    "Environment": ["Tools and training for volunteers", "Raised beds and water butts", "Monthly repair events"],
    "Sport and physical activity": [
        "Coaching for girls' teams",
        "Pitch drainage repair",
        "Adapted bikes for disabled riders",
    ],
}

#: Each ward's postcode district (the outward code only, so no real address is named): the example
#: organisations' postcodes, approximate, for the 360Giving file's recipient location.
POSTCODE_DISTRICTS = {
    "Ash and New Ash Green": "DA3",
    "Brasted, Chevening and Sundridge": "TN16",
    "Cowden and Hever": "TN8",
    "Crockenhill and Well Hill": "BR8",
    "Dunton Green and Riverhead": "TN13",
    "Edenbridge North and East": "TN8",
    "Edenbridge South and West": "TN8",
    "Eynsford": "DA4",
    "Farningham, Horton Kirby and South Darenth": "DA4",
    "Fawkham and West Kingsdown": "TN15",
    "Halstead, Knockholt and Badgers Mount": "TN14",
    "Hartley and Hodsoll Street": "DA3",
    "Hextable": "BR8",
    "Kemsing": "TN15",
    "Leigh and Chiddingstone Causeway": "TN11",
    "Otford and Shoreham": "TN14",
    "Penshurst, Fordcombe and Chiddingstone": "TN11",
    "Seal and Weald": "TN15",
    "Sevenoaks Eastern": "TN13",
    "Sevenoaks Kippington": "TN13",
    "Sevenoaks Northern": "TN13",
    "Sevenoaks Town and St John's": "TN13",
    "Swanley Christchurch and Swanley Village": "BR8",
    "Swanley St Mary's": "BR8",
    "Swanley White Oak": "BR8",
    "Westerham and Crockham Hill": "TN16",
}


def main() -> None:
    rng = np.random.default_rng(SEED)
    wards = deprivation.ward_deciles()
    lsoas = deprivation.lsoa_deciles()
    rows = []
    # More applications from the larger towns, as in most rounds.
    weights = wards["lsoa_count"].to_numpy(float)
    weights /= weights.sum()
    for k in range(48):
        theme = list(THEMES)[k % len(THEMES)]
        ward = str(rng.choice(wards["ward"], p=weights))
        place = ward.split(" and ")[0].split(",")[0].replace("Sevenoaks ", "Sevenoaks ").strip()
        kind = THEMES[theme][int(rng.integers(len(THEMES[theme])))]
        request = float(np.round(rng.lognormal(np.log(2300), 0.6) / 50) * 50)
        request = float(min(max(request, 400), 9500))
        criteria = {c: int(np.clip(rng.normal(66, 14), 25, 98)) for c in grants.CRITERIA}
        minimum = float(np.round(request * rng.uniform(0.5, 0.85) / 50) * 50) if rng.random() < 0.35 else None
        lsoa = None
        if k % 16 == 5:  # a few applications give an LSOA instead of a ward
            lsoa = str(rng.choice(lsoas.loc[lsoas["ward"] == ward, "lsoa_code"]))
        rows.append(
            {
                "application_id": f"EX-{k + 1:03d}",
                "organisation": f"{place} {kind} (example)",
                "project": PROJECTS[theme][int(rng.integers(3))],
                "theme": theme,
                "ward": None if lsoa else ward,
                "lsoa_code": lsoa,
                "amount_requested": request,
                "minimum_award": minimum,
                "beneficiaries": int(np.round(rng.lognormal(np.log(120), 0.9))),
                **criteria,
                "score": None,
                "charity_number": None,
                # Example company numbers start EX (no Companies House series we know of does), so none is real.
                "company_number": f"EX{k + 1:06d}",
                "postcode": POSTCODE_DISTRICTS[ward],
                # The round's grants run for the financial year 2026/27; every third for its first half only.
                "planned_start": "2026-04-01",
                "planned_end": "2026-09-30" if k % 3 == 0 else "2027-03-31",
            }
        )
    table = pd.DataFrame(rows)
    cols = [c.name for c in grants.APPLICATIONS.columns]
    table = table[cols]
    dup = table["organisation"].duplicated(keep=False)
    table.loc[dup, "organisation"] = (
        table.loc[dup, "organisation"].str.replace(" (example)", "", regex=False)
        + " "
        + table.loc[dup, "application_id"].str[-2:]
        + " (example)"
    )
    table.to_csv(data_path("grants", "example_applications.csv"), index=False)
    write_template(data_path("grants", "applications_template.xlsx"), {"applications": grants.APPLICATIONS})
    print(table[["amount_requested"]].sum(), len(table))


if __name__ == "__main__":
    main()
