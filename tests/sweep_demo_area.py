"""A tiny area on the scenario core, for testing sweeps without a real area's data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from sv_helpers.core.errors import InputError
from sv_helpers.core.scenario import Inputs, Result, SettingsBase, make_provenance, setting

SUMMARY_FIGURES = ("total", "n_chosen")


@dataclass(frozen=True)
class Settings(SettingsBase):
    AREA: ClassVar[str] = "demo"
    NOTEBOOK: ClassVar[str] = "demo.ipynb"

    data_path: str = setting("", kind="path", label="Data")
    budget: float = setting(10.0, label="Budget", minimum=0, maximum=1000)
    method: str = setting("smallest_first", label="Method", choices=("smallest_first", "largest_first"))


def load(settings: Settings) -> Inputs:
    return Inputs({"amounts": pd.read_csv(settings.data_path)["amount"]}, {"data": settings.data_path})


def run(settings: Settings, inputs: Inputs | None = None) -> Result:
    inputs = inputs or load(settings)
    if settings.budget == 13:
        raise InputError("A budget of 13 is unlucky.")
    amounts = inputs["amounts"].sort_values(ascending=settings.method == "smallest_first")
    chosen = amounts[amounts.cumsum() <= settings.budget]
    table = pd.DataFrame({"amount": chosen})
    summary = {"total": float(chosen.sum()), "n_chosen": int(len(chosen))}
    return Result(settings, {"chosen": table}, [], f"{len(chosen)} chosen", make_provenance(settings, {}), summary)
