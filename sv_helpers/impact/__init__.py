"""The social value impact report: ``Settings``, ``load``, ``run`` and ``write`` (the scenario core), from :mod:`.model`.

The area's other functions live in its modules and are reached through this package as well
(``sv_helpers.impact.<name>`` delegates to :mod:`.model`).
"""

from sv_helpers.core.scenario import names_from
from sv_helpers.impact import model
from sv_helpers.impact.model import Settings, load, run
from sv_helpers.impact.report import write

__all__ = ["Settings", "load", "run", "write"]


__getattr__ = names_from(__name__, model)
