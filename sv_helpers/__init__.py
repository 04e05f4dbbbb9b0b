"""Social Value Workbook helpers.

The tree is the architecture (``docs/DEVELOPING.md`` says what may import what; ``tests/test_layers.py``
checks it): ``core`` (the scenario value, loading, parameters, provenance, the one writer), ``reports``
(the one document renderer and its charts), one package per area (``scoring``, ``grants``, ``climate``,
``impact``, ``planning``, each with ``Settings``, ``load``, ``run``, ``write``), ``store`` (saved scenarios),
``apps`` (the Voila apps: the only place with widgets), ``sweep`` and ``cli`` (``svw``).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sv-helpers")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+source"

from sv_helpers.core.errors import Finding, InputError  # noqa: E402

__all__ = ["Finding", "InputError", "__version__"]
