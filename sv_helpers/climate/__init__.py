"""Climate targets: ``Settings``, ``load``, ``run`` and ``write`` (the scenario core), from :mod:`.model`.

The area's other functions live in its modules and are reached through this package as well
(``sv_helpers.climate.<name>`` delegates to :mod:`.model`).
"""

from sv_helpers.climate import model
from sv_helpers.climate.model import Settings, load, run
from sv_helpers.climate.report import write

__all__ = ["Settings", "load", "run", "write"]


def __getattr__(name: str):
    try:
        return getattr(model, name)
    except AttributeError:
        raise AttributeError(f"module 'sv_helpers.climate' has no attribute '{name}'") from None
