"""Social Value Workbook helpers.

The package has two layers:

* the **model** (``tables``, ``formatting``, ``provenance``, ``params``,
  ``paths``, ``exports`` and the scoring, grants, climate and impact modules):
  pure functions on pandas objects that never import ipywidgets or matplotlib;
* the **interface** (``ui`` and ``charts``): widget builders, the error banner
  and accessible charts shared by every Voila app.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sv-helpers")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+source"

from sv_helpers.core.errors import Finding, InputError  # noqa: E402

__all__ = ["Finding", "InputError", "__version__"]
