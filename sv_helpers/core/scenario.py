"""The scenario core every area shares: ``Settings`` → ``run`` → ``Result`` → ``write``.

A scenario is a value.  Each area (``scoring``, ``grants``, ``climate``,
``impact``, ``planning``) exposes the same names:

* ``Settings`` — a frozen dataclass built on :class:`SettingsBase`, one field
  per setting, each declared with :func:`setting` (label, kind, range,
  whether a link may carry it, whether it names an input file).  Defaults
  that are policy come from ``data/parameters`` (``parameter=...``).
* ``load(settings) -> Inputs`` — reads the files the settings name.
* ``run(settings, inputs=None) -> Result`` — pure: no widgets, no charts,
  no writing.
* ``write(result, output_dir) -> list[Path]`` — the batch outputs.

Notebooks, apps, the store, reports, links and sweeps are callers of these.

Examples
--------
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Demo(SettingsBase):
...     budget: float = setting(1000.0, label="Budget", minimum=0, maximum=1e6)
...     method: str = setting("rank", label="Method", choices=("rank", "pro_rata"))
>>> Demo.from_parameters({"budget": "2,500"}).budget
2500.0
>>> Demo.from_parameters({"budget": float("nan")})
Traceback (most recent call last):
...
sv_helpers.core.errors.InputError: The setting 'Budget' (budget) must be a finite number, not nan.
>>> s, notices = Demo.from_query("budget=-5&method=optimal")
>>> (s.budget, s.method)
(1000.0, 'rank')
>>> len(notices)
2
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode

import pandas as pd

from sv_helpers.core.errors import Finding, InputError
from sv_helpers.core.formatting import format_number

#: Notebook parameters that say where a run writes or records, not what it computes.
RUN_PARAMETERS = frozenset({"output_dir", "store_url"})

#: Where each area's core lives.
AREAS: dict[str, str] = {
    "scoring": "sv_helpers.scoring",
    "grants": "sv_helpers.grants",
    "climate": "sv_helpers.climate",
    "impact": "sv_helpers.impact",
    "planning": "sv_helpers.planning",
}

_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}
#: The longest text a link may give one setting (a link is not a file upload).
MAX_LINK_VALUE = 4000


# --------------------------------------------------------------------------- declaring settings


@dataclass(frozen=True)
class Spec:
    """How one setting is checked, shown and carried in a link.

    ``kind`` is one of ``float``, ``int``, ``bool``, ``str``, ``path`` (an input
    file or folder, kept in the store, never set by a link) and ``mapping``
    (e.g. criterion weights; ``check`` normalises it and raises ``InputError``).
    """

    name: str
    label: str
    kind: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] | None = None
    link: bool = True
    optional: bool = False
    unit: str = ""
    check: Callable[[Any, Spec], Any] | None = None

    @property
    def is_input(self) -> bool:
        return self.kind == "path"

    def allowed(self) -> str:
        """The allowed values in plain English (for messages)."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) if isinstance(c, str) else str(c) for c in self.choices)
        if self.kind in ("float", "int"):
            lo = (
                None
                if self.minimum is None
                else format_number(self.minimum, 0 if float(self.minimum).is_integer() else 2)
            )
            hi = (
                None
                if self.maximum is None
                else format_number(self.maximum, 0 if float(self.maximum).is_integer() else 2)
            )
            whole = "a whole number" if self.kind == "int" else "a number"
            if lo is not None and hi is not None:
                return f"{whole} from {lo} to {hi}"
            if lo is not None:
                return f"{whole} of at least {lo}"
            if hi is not None:
                return f"{whole} of at most {hi}"
            return whole
        if self.kind == "bool":
            return "yes or no"
        return "text"


_KINDS = {float: "float", int: "int", bool: "bool", str: "str", dict: "mapping"}


def setting(
    default: Any = None,
    *,
    label: str | None = None,
    kind: str | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    choices: tuple[Any, ...] | None = None,
    link: bool = True,
    optional: bool = False,
    parameter: str | None = None,
    unit: str = "",
    check: Callable[[Any, Spec], Any] | None = None,
) -> Any:
    """Declare one field of a ``Settings`` dataclass.

    Parameters
    ----------
    default : any
        The default value; ignored when ``parameter`` is given.
    label : str
        The name on screen ("Budget"); taken from the parameter file when omitted.
    kind : str, optional
        ``float``, ``int``, ``bool``, ``str``, ``path`` or ``mapping``; guessed from the default.
    minimum, maximum : float, optional
        The allowed range of a number (inclusive).
    choices : tuple, optional
        The allowed values.
    link : bool
        Whether a shared link may set it (never for paths).
    optional : bool
        Whether ``None`` (or an empty text) is allowed.
    parameter : str, optional
        The dotted name of the ``data/parameters`` file the default comes from.
    unit : str
        Shown in messages and reports.
    check : callable, optional
        ``check(value, spec)`` returns the normalised value or raises ``InputError``.
    """
    if parameter is not None:
        from sv_helpers.core.parameters import load_parameter

        param = load_parameter(parameter)
        default = param.value_on()
        label = label or param.label
        unit = unit or param.unit
    if kind is None:
        kind = _KINDS.get(type(default), "str") if default is not None else "float"
        if kind == "int" and unit.startswith("currency"):
            kind = "float"
    if kind == "float" and isinstance(default, int) and not isinstance(default, bool):
        default = float(default)
    if kind == "path":
        link = False
    meta = {
        "label": label,
        "kind": kind,
        "minimum": minimum,
        "maximum": maximum,
        "choices": choices,
        "link": link,
        "optional": optional,
        "unit": unit,
        "check": check,
    }
    if isinstance(default, (dict, list)):
        frozen = json.loads(json.dumps(default))
        return field(default_factory=lambda: json.loads(json.dumps(frozen)), metadata={"sv": meta})
    return field(default=default, metadata={"sv": meta})


def _number(text: Any, spec: Spec) -> float:
    if isinstance(text, bool):
        raise InputError(f"The setting '{spec.label}' ({spec.name}) must be {spec.allowed()}, not {text}.")
    if isinstance(text, (int, float)):
        number = float(text)
    else:
        cleaned = str(text).strip().replace("£", "").replace(",", "").replace("%", "").replace("\u2212", "-")
        try:
            number = float(cleaned)
        except ValueError:
            raise InputError(
                f"The setting '{spec.label}' ({spec.name}) must be {spec.allowed()}; '{text}' is not a number."
            ) from None
    if not math.isfinite(number):
        raise InputError(f"The setting '{spec.label}' ({spec.name}) must be a finite number, not {text}.")
    return number


def _has_lone_surrogate(text: str) -> bool:
    """Whether text holds half of a UTF-16 pair (no file, link or database can store it)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def coerce(value: Any, spec: Spec) -> Any:
    """Check one value against its spec and return it in its proper type, or raise ``InputError``."""
    if spec.optional and (value is None or (isinstance(value, str) and value.strip().lower() in ("", "none"))):
        return None
    if value is None:
        raise InputError(f"The setting '{spec.label}' ({spec.name}) needs a value: {spec.allowed()}.")
    if spec.kind in ("float", "int"):
        number = _number(value, spec)
        if spec.kind == "int":
            if not number.is_integer():
                raise InputError(f"The setting '{spec.label}' ({spec.name}) must be a whole number, not {value}.")
            number = int(number)
        if (spec.minimum is not None and number < spec.minimum) or (spec.maximum is not None and number > spec.maximum):
            shown = format_number(number, 0 if float(number).is_integer() else 2)
            raise InputError(
                f"The setting '{spec.label}' ({spec.name}) must be {spec.allowed()}; {shown} is outside that range."
            )
        value = number
    elif spec.kind == "bool":
        if isinstance(value, str):
            low = value.strip().lower()
            if low not in _TRUE | _FALSE:
                raise InputError(f"The setting '{spec.label}' ({spec.name}) must be yes or no, not '{value}'.")
            value = low in _TRUE
        elif isinstance(value, (bool, int)) and value in (0, 1):
            value = bool(value)
        else:
            raise InputError(f"The setting '{spec.label}' ({spec.name}) must be yes or no, not {value!r}.")
    elif spec.kind in ("str", "path"):
        if isinstance(value, Path):
            value = str(value)
        if not isinstance(value, str):
            raise InputError(f"The setting '{spec.label}' ({spec.name}) must be text, not {value!r}.")
        if "\x00" in value or _has_lone_surrogate(value):
            raise InputError(f"The setting '{spec.label}' ({spec.name}) contains a character that text cannot hold.")
    elif spec.kind == "mapping":
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else {}
            except ValueError:
                raise InputError(
                    f"The setting '{spec.label}' ({spec.name}) must be a list of names and values; "
                    f"'{value[:60]}' could not be read."
                ) from None
        if not isinstance(value, Mapping):
            raise InputError(
                f"The setting '{spec.label}' ({spec.name}) must be a list of names and values, not {value!r}."
            )
        value = {str(k): v for k, v in value.items()}
    if spec.choices is not None and value not in spec.choices:
        raise InputError(f"The setting '{spec.label}' ({spec.name}) must be {spec.allowed()}; '{value}' is not.")
    if spec.check is not None:
        value = spec.check(value, spec)
    return value


def numbers_mapping(minimum: float | None = None, maximum: float | None = None, *, key_label: str = "name") -> Callable:
    """A ``check`` for mappings of names to finite numbers within a range (weights, caps, floors)."""

    def check(value: Mapping[str, Any], spec: Spec) -> dict[str, float]:
        item = Spec(spec.name, spec.label, "float", None, minimum, maximum)
        out = {}
        for key, number in value.items():
            if not str(key).strip():
                raise InputError(f"The setting '{spec.label}' ({spec.name}) has an item with no {key_label}.")
            try:
                out[str(key)] = coerce(number, item)
            except InputError as exc:
                raise InputError(
                    f"In '{spec.label}', the value for '{key}' is not usable: "
                    + str(exc).split(": ", 1)[-1].split("; ", 1)[-1]
                ) from None
        return out

    return check


# --------------------------------------------------------------------------- settings base


class SettingsBase:
    """Behaviour shared by every area's frozen ``Settings`` dataclass."""

    #: The area's short name (``grants``) and its notebook.
    AREA: ClassVar[str] = ""
    NOTEBOOK: ClassVar[str] = ""
    #: Settings added after scenarios were first saved, each with the value a record saved without it was computed
    #: with (``{"deprivation_edition": 2019}``): a saved scenario reopens as it was decided, not on today's default.
    ADDED_SETTINGS: ClassVar[dict[str, Any]] = {}

    @classmethod
    def specs(cls) -> dict[str, Spec]:
        """Every setting's :class:`Spec`, in declaration order."""
        cached = cls.__dict__.get("_specs_cache")
        if cached is not None:
            return cached
        out = {}
        for f in dataclasses.fields(cls):
            meta = dict(f.metadata.get("sv", {}))
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            out[f.name] = Spec(
                name=f.name,
                label=meta.pop("label", None) or f.name.replace("_", " ").capitalize(),
                default=default,
                kind=meta.pop("kind", "str"),
                **meta,
            )
        cls._specs_cache = out
        return out

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """The default parameters (as :meth:`to_parameters` gives them)."""
        return cls().to_parameters()

    @classmethod
    def from_saved(cls, parameters: Mapping[str, Any]):
        """Settings from a saved record's parameters: a setting the record predates takes the value it was
        computed with (:attr:`ADDED_SETTINGS`), every other missing one its default; names no longer known are
        left out."""
        known = cls.specs()
        given = {k: v for k, v in parameters.items() if k in known}
        return cls.from_parameters({**{k: v for k, v in cls.ADDED_SETTINGS.items() if k not in given}, **given})

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any] | None = None, **changes: Any):
        """Build and check settings from notebook parameter names; names left out take their defaults.

        Raises
        ------
        InputError
            For a name the notebook does not have, or a value of the wrong type,
            not finite, or outside its range; the message names the setting.
        """
        given = {**dict(parameters or {}), **changes}
        specs = cls.specs()
        unknown = sorted(k for k in given if k not in specs and k not in RUN_PARAMETERS)
        if unknown:
            raise InputError(f"'{unknown[0]}' is not a setting of this notebook. Its settings are: {', '.join(specs)}.")
        values = {name: coerce(given[name], spec) if name in given else spec.default for name, spec in specs.items()}
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        """Checks across settings (an area overrides it); raise ``InputError`` when they do not fit together."""

    def to_parameters(self) -> dict[str, Any]:
        """The settings as notebook parameters: plain JSON values, so ``from_parameters`` gives them back."""
        return {name: _plain(getattr(self, name)) for name in self.specs()}

    def replace(self, **changes: Any):
        """A copy with some settings changed, checked like :meth:`from_parameters`."""
        return type(self).from_parameters({**self.to_parameters(), **changes})

    def input_paths(self) -> dict[str, str]:
        """The input files the settings name (setting name → path), empty ones left out."""
        return {n: getattr(self, n) for n, s in self.specs().items() if s.is_input and getattr(self, n)}

    def changed(self, other: SettingsBase | None = None) -> dict[str, Any]:
        """The settings that differ from ``other`` (default: the defaults), as parameters."""
        base = (other or type(self)()).to_parameters()
        return {k: v for k, v in self.to_parameters().items() if base.get(k) != v}

    # ------------------------------------------------------------------ links

    @classmethod
    def from_query(cls, query: str, base: SettingsBase | None = None) -> tuple[Any, list[str]]:
        """Settings from a page's query string, never failing: each refused value becomes a notice.

        ``base`` (default: the defaults) gives every value the link does not set
        or sets badly.  Paths and unknown names are refused; so is a value too
        long for a link.  ``scenario`` (a saved scenario's id) and Voila's own
        names are passed over: the caller handles them.
        """
        specs = cls.specs()
        base = base if base is not None else cls()
        values = base.to_parameters()
        notices: list[str] = []
        given: dict[str, Any] = {}
        for name, text in parse_qsl(query.lstrip("?"), keep_blank_values=True):
            if name.startswith("voila") or name in ("token", "scenario"):
                continue
            spec = specs.get(name)
            if spec is None:
                linkable = ", ".join(n for n, s in specs.items() if s.link)
                notices.append(
                    f"The link sets '{name[:40]}', which this app does not have, so it was ignored. "
                    f"The settings a link can give are: {linkable}."
                )
                continue
            if not spec.link:
                notices.append(
                    f"A link cannot set '{spec.label}' ({name}); it was ignored. Upload the file in the app instead."
                )
                continue
            if len(text) > MAX_LINK_VALUE:
                notices.append(
                    f"The link's value for '{spec.label}' ({name}) is too long to be a setting; it was not used."
                )
                continue
            try:
                given[name] = coerce(text, spec)
            except InputError as exc:
                notices.append(
                    f"The link's value for '{spec.label}' was not used. {exc} "
                    f"The value {_shown(values[name])} is used instead."
                )
        # Settings that only fit together (a carbon budget with the budget pathway) are checked together first;
        # when they do not fit, each is tried in turn, twice, so the order of the link's values does not matter.
        try:
            cls.from_parameters({**values, **given})
            values.update(given)
        except InputError:
            pending = dict(given)
            for _ in range(2):
                for name, value in list(pending.items()):
                    try:
                        cls.from_parameters({**values, name: value})
                    except InputError:
                        continue
                    values[name] = value
                    del pending[name]
            for name, value in pending.items():
                try:
                    cls.from_parameters({**values, name: value})
                except InputError as exc:
                    notices.append(f"The link's value for '{specs[name].label}' was not used: {exc}")
        return cls.from_parameters(values), notices

    def to_query(self, base: SettingsBase | None = None) -> str:
        """The query string a link needs to reproduce these settings (only what differs from ``base``)."""
        specs = self.specs()
        pairs = []
        for name, value in self.changed(base).items():
            if not specs[name].link:
                continue
            if isinstance(value, (dict, list)):
                text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
            elif value is None:
                text = ""
            elif isinstance(value, bool):
                text = "yes" if value else "no"
            else:
                text = str(value)
            pairs.append((name, text))
        return urlencode(pairs)


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _shown(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value, 0 if float(value).is_integer() else 2)
    return repr(value) if isinstance(value, str) else json.dumps(value)


# --------------------------------------------------------------------------- inputs and results


@dataclass
class Inputs:
    """What ``load(settings)`` read: loaded objects by name, and each source file by role for provenance."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Path | bytes] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def remember(self, key: tuple, make: Callable[[], Any]) -> Any:
        """What ``make()`` gives for these inputs and ``key`` (the settings it depends on), made once.

        A redraw that changes one setting recomputes only what depends on it. DataFrames (also inside a
        tuple) come back as copies, so a caller cannot change what is kept.

        >>> inputs, calls = Inputs(), []
        >>> inputs.remember(("portion", "2025/26"), lambda: calls.append(1) or 42)
        42
        >>> inputs.remember(("portion", "2025/26"), lambda: calls.append(1) or 42), len(calls)
        (42, 1)
        """
        memo = self.values.setdefault("_remembered", {})
        if key not in memo:
            memo[key] = make()
        value = memo[key]
        if isinstance(value, pd.DataFrame):
            return value.copy()
        if isinstance(value, tuple):
            return tuple(v.copy() if isinstance(v, pd.DataFrame) else v for v in value)
        return value


@dataclass
class Result:
    """The outcome of one run.

    Attributes
    ----------
    settings : Settings
        The settings it was run with.
    tables : dict of str to DataFrame
        Output tables by file stem (``allocations`` → ``allocations.csv``).
    findings : list of Finding
        The checks' warnings (errors stop a run with ``InputError``).
    headline : str
        The plain-English answer, one or a few sentences.
    provenance : dict
        The record written beside every export.
    summary : dict
        The area's summary figures (the columns of a sweep).
    files : mapping of str to str or bytes
        Other output files, by name (``summary.json``, assessment summaries); may be a
        :class:`LazyFiles`, made only when read (an app's redraw never reads them).
    detail : any
        The area's own result object, for the app's views and the report.
    """

    settings: Any
    tables: dict[str, pd.DataFrame]
    findings: list[Finding]
    headline: str
    provenance: dict[str, Any]
    summary: dict[str, Any] = field(default_factory=dict)
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    detail: Any = None

    @property
    def warnings(self) -> list[str]:
        return [f.message for f in self.findings if not f.is_error]


class LazyFiles(Mapping):
    """Output files made when first read: a run's files cost nothing until they are written or saved.

    >>> made = []
    >>> files = LazyFiles(lambda: made.append(1) or {"a.md": "text"})
    >>> len(made)
    0
    >>> dict(files), dict(files), len(made)
    ({'a.md': 'text'}, {'a.md': 'text'}, 1)
    """

    def __init__(self, build: Callable[[], Mapping[str, str | bytes]]) -> None:
        self._build: Callable[[], Mapping[str, str | bytes]] | None = build
        self._files: dict[str, str | bytes] = {}

    def _made(self) -> dict[str, str | bytes]:
        if self._build is not None:
            self._files, self._build = dict(self._build()), None
        return self._files

    def __getitem__(self, name: str) -> str | bytes:
        return self._made()[name]

    def __iter__(self):
        return iter(self._made())

    def __len__(self) -> int:
        return len(self._made())

    def __reduce__(self):  # pickled (a sweep's worker) as the plain dict it makes
        return (dict, (self._made(),))

    def __repr__(self) -> str:
        return "LazyFiles(not made yet)" if self._build is not None else f"LazyFiles({self._files!r})"


def make_provenance(settings: SettingsBase, sources: Mapping[str, Path | bytes]) -> dict[str, Any]:
    """The provenance record of a run: its settings, each input's SHA-256, the code's version."""
    from sv_helpers.core.provenance import provenance_record

    return provenance_record(settings.to_parameters(), sources, notebook=settings.NOTEBOOK)


def write_result(
    result: Result,
    output_dir: str | Path,
    *,
    excel_name: str | None = None,
    extra_files: Mapping[str, str | bytes] | None = None,
) -> list[Path]:
    """Write every table as CSV (byte for byte the same for the same result), the extra files and provenance."""
    from sv_helpers.core.exports import write_outputs

    return write_outputs(
        output_dir,
        result.tables,
        result.provenance,
        excel_name=excel_name,
        extra_files={**result.files, **dict(extra_files or {})},
    )


# --------------------------------------------------------------------------- the areas


def names_from(package: str, *modules: Any) -> Callable[[str], Any]:
    """An area package's ``__getattr__``: a name the package does not define is looked up in ``modules`` in turn.

    ``sv_helpers.grants.allocate`` then reaches ``sv_helpers.grants.model.allocate``, while the package itself
    names only its scenario core (``Settings``, ``load``, ``run``, ``write``) and what other areas use.
    """

    def __getattr__(name: str) -> Any:
        for module in modules:
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(f"module '{package}' has no attribute '{name}'")

    return __getattr__


def area(name: str):
    """The module of one area's core (``area("grants").run(...)``)."""
    if name not in AREAS:
        raise InputError(f"'{name}' is not an area of the workbook; the areas are {', '.join(AREAS)}.")
    return importlib.import_module(AREAS[name])


def area_of_notebook(notebook: str):
    """The area whose notebook is ``notebook`` (e.g. ``grant_allocation.ipynb``)."""
    for name in AREAS:
        try:
            module = area(name)
        except ImportError:
            continue
        if getattr(module.Settings, "NOTEBOOK", None) == Path(notebook).name:
            return module
    raise InputError(f"No area of the workbook has the notebook '{notebook}'.")
