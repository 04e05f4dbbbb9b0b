"""Tender scoring for social value: ``Settings``, ``load`` and ``run`` (:mod:`.scenario`) and ``write`` (:mod:`.report`).

The rules are in :mod:`.tender` (the evaluation file, read), :mod:`.checks` (its problems in plain English),
:mod:`.model` (scoring a tender), :mod:`.summaries` (assessment summaries), :mod:`.sensitivity` (would the decision survive scrutiny),
:mod:`.explain` (its tables and sentences), :mod:`.charts` and :mod:`.report`; their names are reached through
this package as well (``sv_helpers.scoring.<name>`` looks in :mod:`.scenario`, :mod:`.model`, :mod:`.tender`, :mod:`.checks`
and :mod:`.summaries`).
"""

from sv_helpers.core.scenario import names_from
from sv_helpers.scoring import checks, model, scenario, summaries, tender
from sv_helpers.scoring.report import write
from sv_helpers.scoring.scenario import Settings, load, run

__all__ = ["Settings", "load", "run", "write"]


__getattr__ = names_from(__name__, scenario, model, tender, checks, summaries)
