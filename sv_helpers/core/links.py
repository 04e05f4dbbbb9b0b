"""Notebook parameters from the Voila page's URL query string.

A scenario can be shared as a link such as
``/voila/render/grant_allocation.ipynb?budget=60000&method=optimal``.  Each
value is checked against the notebook's own parameter defaults: a value of the
wrong type is refused with a plain-English message and the default is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def _convert(name: str, text: str, default: Any, kind: type | None) -> Any:
    target = kind or (type(default) if default is not None else None)
    stripped = text.strip()
    if target is bool:
        low = stripped.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError(f"'{text}' is not yes or no")
    if target in (int, float) or (target is None and stripped.lower() not in ("none", "")):
        cleaned = stripped.replace("£", "").replace(",", "").replace("%", "")
        if target is None:
            try:
                return float(cleaned)
            except ValueError:
                return stripped
        if stripped.lower() in ("none", "") and default is None:
            return None
        try:
            number = float(cleaned)
        except ValueError:
            raise ValueError(f"'{text}' is not a number") from None
        if target is int:
            if not number.is_integer():
                raise ValueError(f"'{text}' is not a whole number")
            return int(number)
        return number
    if target is None:
        return None
    return stripped


def parameters_from_query(
    query: str,
    defaults: Mapping[str, Any],
    *,
    types: Mapping[str, type] | None = None,
    choices: Mapping[str, tuple[Any, ...]] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Read parameter values from a URL query string, checked against their defaults.

    Parameters
    ----------
    query : str
        The query string, with or without the leading ``?``.
    defaults : mapping
        The notebook's parameters and their default values; a value's type
        is the type the link must give (``int``, ``float``, ``bool`` or ``str``).
    types : mapping, optional
        Types for parameters whose default is ``None`` (e.g. ``max_award``).
    choices : mapping, optional
        Allowed values for parameters that take one of a few options.

    Returns
    -------
    values : dict
        The defaults, with every valid value from the link applied.
    problems : list of str
        A plain-English message for each value that was refused (the
        default is kept for it), and for each name the notebook does not have.

    Examples
    --------
    >>> parameters_from_query("budget=60%2C000&method=optimal", {"budget": 54790.0, "method": "rank"})
    ({'budget': 60000.0, 'method': 'optimal'}, [])
    """
    values = dict(defaults)
    problems: list[str] = []
    for name, text in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        if name.startswith("voila") or name in ("token",):
            continue
        if name not in defaults:
            known = ", ".join(sorted(defaults))
            problems.append(
                f"The link sets '{name}', which this app does not have, so it was ignored. The settings a link can give are: {known}."
            )
            continue
        try:
            value = _convert(name, text, defaults[name], (types or {}).get(name))
        except ValueError as exc:
            problems.append(
                f"The link's value for '{name}' was not used: {exc}. The default, {defaults[name]!r}, is used instead."
            )
            continue
        allowed = (choices or {}).get(name)
        if allowed is not None and value not in allowed:
            problems.append(
                f"The link's value for '{name}', '{text}', is not one of {', '.join(map(str, allowed))}; the default, {defaults[name]!r}, is used instead."
            )
            continue
        values[name] = value
    return values, problems
