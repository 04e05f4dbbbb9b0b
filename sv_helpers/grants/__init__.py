"""Community grant allocation: ``Settings``, ``load``, ``run`` and ``write`` (the scenario core), from :mod:`.model`.

The area's other functions live in its modules and are reached through this package as well
(``sv_helpers.grants.<name>`` delegates to :mod:`.model`, :mod:`.allocation`, :mod:`.applications` and
:mod:`.outcomes`).
"""

from sv_helpers.core.scenario import names_from
from sv_helpers.grants import allocation, applications, model, outcomes
from sv_helpers.grants.allocation import METHOD_LABELS, METHODS, AllocationRules, allocate
from sv_helpers.grants.deprivation import match_ward, ward_names
from sv_helpers.grants.model import Scenario, Settings, load, run
from sv_helpers.grants.report import write

#: What other areas use (planning spends CIL through the one allocator and matches wards by the same rule).
__all__ = [
    "METHODS",
    "METHOD_LABELS",
    "AllocationRules",
    "Scenario",
    "Settings",
    "allocate",
    "load",
    "match_ward",
    "run",
    "ward_names",
    "write",
]


__getattr__ = names_from(__name__, model, allocation, applications, outcomes)
