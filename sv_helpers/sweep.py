"""Sweeps: run one area's scenario for every combination of a grid of settings, on ``dask.distributed``.

A grid file (YAML) names a base scenario and the settings to vary::

    base:                      # the notebook's parameter names; left out = the defaults
      applications_path: data/grants/example_applications.csv
    grid:                      # every combination is run
      budget: [40000, 50000, 60000]
      method: [rank, optimal]

:func:`run_sweep` runs ``area.run(settings)`` for each combination on a
``LocalCluster`` (or a scheduler's address), in chunks, and writes
``sweep.csv`` (the grid's settings as columns, then the area's summary
figures) and ``provenance.json``.  Each finished chunk is kept in
``chunks/``, so a sweep that is stopped and started again resumes where it was.

Examples
--------
>>> combinations({"a": [1, 2], "b": ["x"]})
[{'a': 1, 'b': 'x'}, {'a': 2, 'b': 'x'}]
"""

from __future__ import annotations

import importlib
import itertools
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sv_helpers.core.errors import InputError
from sv_helpers.core.exports import output_csv_bytes
from sv_helpers.core.frontier import frontier  # noqa: F401  (sweep.frontier, as the notebooks call it)
from sv_helpers.core.provenance import json_safe, provenance_record
from sv_helpers.core.scenario import AREAS
from sv_helpers.core.scenario import area as area_module

#: The summary figures each area gives a sweep, in column order.
SUMMARY_FIGURES: dict[str, tuple[str, ...]] = {
    "grants": ("total_awarded", "n_funded", "unfunded_demand", "share_most_deprived", "total_score_funded"),
    "scoring": ("winner", "winner_total", "winner_probability"),
    "climate": (
        "required_annual_reduction_pct",
        "cumulative_to_target_kt",
        "trend_net_zero_year",
        "budget_exhausted_year",
    ),
}
#: The most combinations one sweep may have (a grid is a file an officer writes, not a denial of service).
MAX_COMBINATIONS = 1_000_000
CHUNKS_DIR = "chunks"


def combinations(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of a grid, in a stable order (the first setting varies slowest)."""
    names = list(grid)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*(grid[n] for n in names))]


def read_grid(path: str | Path) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Read a grid file: ``(base, grid)``, with plain-English messages for anything wrong."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"The grid file {path} was not found.") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"The grid file {path.name} could not be read as YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("grid"), Mapping) or not raw["grid"]:
        raise InputError(
            f"The grid file {path.name} must have a 'grid:' section naming at least one setting and its values."
        )
    base = raw.get("base") or {}
    if not isinstance(base, Mapping):
        raise InputError(f"In {path.name}, 'base:' must be a list of settings and their values.")
    grid = {}
    for name, values in raw["grid"].items():
        if not isinstance(values, list) or not values:
            raise InputError(
                f"In {path.name}, the grid's '{name}' must be a list of one or more values, e.g. [1, 2, 3]."
            )
        grid[str(name)] = values
    return dict(base), grid


def summary_figures(area: str) -> tuple[str, ...]:
    """The summary figures an area gives a sweep (its ``SUMMARY_FIGURES``, else :data:`SUMMARY_FIGURES`)."""
    figures = getattr(area_module(area), "SUMMARY_FIGURES", None) or SUMMARY_FIGURES.get(area)
    if not figures:
        raise InputError(f"Sweeps are for {', '.join(SUMMARY_FIGURES)}; '{area}' has no summary figures to sweep.")
    return tuple(figures)


def check_grid(area: str, base: Mapping[str, Any], grid: Mapping[str, Sequence[Any]]) -> Any:
    """Check the base settings and every value of the grid; return the base ``Settings``."""
    module = area_module(area)
    summary_figures(area)
    settings = module.Settings.from_parameters(base)
    specs = module.Settings.specs()
    for name, values in grid.items():
        if name not in specs:
            raise InputError(
                f"The grid varies '{name}', which is not a setting of {area}. Its settings are: {', '.join(specs)}."
            )
        if specs[name].is_input:
            raise InputError(f"The grid varies '{name}', an input file; sweep over settings, and run a sweep per file.")
        for value in values:
            settings.replace(**{name: value})  # raises InputError naming the setting
    n = math.prod(len(v) for v in grid.values())
    if n > MAX_COMBINATIONS:
        raise InputError(f"The grid has {n:,} combinations; a sweep may have at most {MAX_COMBINATIONS:,}. Split it.")
    return settings


# --------------------------------------------------------------------------- the work of one chunk

_INPUTS_CACHE: dict[Any, Any] = {}


def _inputs_for(module: Any, settings: Any) -> Any:
    key = (
        module.__name__,
        tuple(sorted(settings.input_paths().items())),
        tuple((n, getattr(settings, n)) for n in getattr(module, "LOAD_SETTINGS", ())),
    )
    if key not in _INPUTS_CACHE:
        _INPUTS_CACHE.clear()
        _INPUTS_CACHE[key] = module.load(settings)
    return _INPUTS_CACHE[key]


def summary_row(module: Any, figures: Sequence[str], settings: Any, inputs: Any = None) -> dict[str, Any]:
    """Run one scenario and return its summary figures (``error`` holds a plain-English reason if it cannot run)."""
    try:
        result = module.run(settings, inputs=inputs if inputs is not None else _inputs_for(module, settings))
    except InputError as exc:
        return {**{f: None for f in figures}, "error": str(exc)}
    return {**{f: result.summary.get(f) for f in figures}, "error": ""}


def run_chunk(
    module_name: str, figures: Sequence[str], base: Mapping[str, Any], chunk: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Run a chunk of combinations (on a worker): one row each, the grid's values then the figures."""
    module = importlib.import_module(module_name)
    settings = module.Settings.from_parameters(base)
    rows = []
    for combination in chunk:
        try:
            one = settings.replace(**combination)
        except InputError as exc:
            rows.append({**combination, **{f: None for f in figures}, "error": str(exc)})
            continue
        rows.append({**combination, **summary_row(module, figures, one)})
    return rows


# --------------------------------------------------------------------------- the sweep


def _chunk_path(out: Path, index: int) -> Path:
    return out / CHUNKS_DIR / f"chunk-{index:06d}.json"


def run_sweep(
    area: str,
    base: Mapping[str, Any],
    grid: Mapping[str, Sequence[Any]],
    output_dir: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run every combination of ``grid`` over ``base`` and write ``sweep.csv`` and ``provenance.json``.

    Parameters
    ----------
    area : str
        ``grants``, ``scoring`` or ``climate``.
    base : mapping
        Settings shared by every run (the notebook's parameter names).
    grid : mapping of str to list
        The settings to vary and their values.
    output_dir : path
        Where ``sweep.csv``, ``provenance.json`` and the finished chunks go.
    scheduler : str, optional
        A ``dask.distributed`` scheduler's address; default a ``LocalCluster`` on this machine.
    workers : int, optional
        The local cluster's worker processes (default: the machine's cores).
    chunk_size : int, optional
        Combinations per task (default: about 20 tasks per worker, at most 500 each).
    client : distributed.Client, optional
        An existing client to use (tests, notebooks).
    progress : callable, optional
        Called with (chunks done, chunks in all); default a progress bar on the terminal.

    Returns
    -------
    DataFrame
        The rows of ``sweep.csv``.
    """
    settings = check_grid(area, base, grid)
    figures = summary_figures(area)
    base_parameters = settings.to_parameters()
    out = Path(output_dir)
    (out / CHUNKS_DIR).mkdir(parents=True, exist_ok=True)
    todo = combinations(grid)
    n_workers = workers or _cores()
    size = chunk_size or max(1, min(500, math.ceil(len(todo) / (20 * n_workers))))
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    manifest = {"area": area, "base": base_parameters, "grid": json_safe(dict(grid)), "chunk_size": size}
    manifest_path = out / CHUNKS_DIR / "manifest.json"
    if manifest_path.exists() and json.loads(manifest_path.read_text()) != manifest:
        for old in (out / CHUNKS_DIR).glob("chunk-*.json"):
            old.unlink()  # a different sweep: start again
    manifest_path.write_text(json.dumps(manifest, sort_keys=True))
    pending = [i for i in range(len(chunks)) if not _chunk_path(out, i).exists()]
    report = progress or _progress_bar(len(chunks))
    done = len(chunks) - len(pending)
    report(done, len(chunks))
    started = time.perf_counter()
    if pending:
        own_client = client is None
        if own_client:
            client = _client(scheduler, n_workers)
        try:
            futures = {
                client.submit(run_chunk, AREAS[area], figures, base_parameters, chunks[i], pure=False): i
                for i in pending
            }
            from distributed import as_completed

            for future in as_completed(futures):
                i = futures[future]
                rows = future.result()
                tmp = _chunk_path(out, i).with_suffix(".part")
                tmp.write_text(json.dumps(json_safe(rows)))
                tmp.replace(_chunk_path(out, i))
                done += 1
                report(done, len(chunks))
        finally:
            if own_client:
                cluster = getattr(client, "cluster", None)
                client.close()
                if cluster is not None:
                    cluster.close()
    rows = [row for i in range(len(chunks)) for row in json.loads(_chunk_path(out, i).read_text())]
    table = pd.DataFrame(rows, columns=[*grid, *figures, "error"]).convert_dtypes()
    (out / "sweep.csv").write_bytes(output_csv_bytes(table))  # the one writer: formulas and precision
    inputs = {name: path for name, path in settings.input_paths().items()}
    from sv_helpers.core.paths import resolve_path

    record = provenance_record(
        {"base": base_parameters, "grid": dict(grid)},
        {name: resolve_path(p) for name, p in inputs.items() if resolve_path(p).exists()},
        notebook=getattr(settings, "NOTEBOOK", area),
    )
    record.update(
        {
            "area": area,
            "base": base_parameters,
            "grid": dict(grid),
            "combinations": len(todo),
            "chunks": len(chunks),
            "seconds": round(time.perf_counter() - started, 3),
        }
    )
    (out / "provenance.json").write_text(json.dumps(json_safe(record), indent=2, ensure_ascii=False) + "\n")
    return table


def _cores() -> int:
    import os

    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def _client(scheduler: str | None, workers: int) -> Any:
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler)
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
        silence_logs=40,
    )
    return Client(cluster)


def _progress_bar(total: int) -> Callable[[int, int], None]:
    import sys

    def show(done: int, all_: int) -> None:
        width = 30
        filled = int(width * done / max(all_, 1))
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{all_} chunks")
        if done >= all_:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


# --------------------------------------------------------------------------- the command line


def add_commands(subparsers: Any, common: Any = None) -> None:
    """Add ``svw sweep AREA --grid GRID.yaml --output DIR`` to the ``svw`` command line (``sv_helpers.cli``)."""
    p = subparsers.add_parser("sweep", help="run one area's scenario for every combination of a grid of settings")
    p.add_argument("area", help="grants, scoring or climate")
    p.add_argument("--grid", required=True, help="YAML file with 'base:' and 'grid:'")
    p.add_argument("--output", required=True, help="folder for sweep.csv and provenance.json")
    p.add_argument("--scheduler", default=None, help="address of a dask scheduler (default: a cluster on this machine)")
    p.add_argument("--workers", type=int, default=None, help="worker processes of the local cluster")
    p.add_argument("--chunk-size", type=int, default=None)
    p.set_defaults(func=_command)


def _command(args: Any) -> int:
    base, grid = read_grid(args.grid)
    table = run_sweep(
        args.area, base, grid, args.output, scheduler=args.scheduler, workers=args.workers, chunk_size=args.chunk_size
    )
    failed = int((table["error"] != "").sum())
    print(
        f"{len(table):,} scenarios written to {Path(args.output) / 'sweep.csv'}"
        + (f"; {failed:,} could not run (see the 'error' column)" if failed else "")
    )
    return 0
