"""Climate targets: ``Settings``, ``load``, ``run`` and ``write`` (the scenario core), from :mod:`.model`.

The area's other functions live in its modules and are reached through this package as well
(``sv_helpers.climate.<name>`` delegates to :mod:`.model`, :mod:`.pathways`, :mod:`.estate`,
:mod:`.interventions`, :mod:`.peers` and :mod:`.per_person`).
"""

from sv_helpers.climate import estate, interventions, model, pathways, peers, per_person
from sv_helpers.climate.model import Settings, load, run
from sv_helpers.climate.report import write
from sv_helpers.core.scenario import names_from

__all__ = ["Settings", "load", "run", "write"]


__getattr__ = names_from(__name__, model, pathways, estate, interventions, peers, per_person)
