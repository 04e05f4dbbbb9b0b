"""``svw``: the workbook's command line for officers and administrators.

::

    svw scenarios list [--store URL] [--json] [--notebook AREA]
    svw scenarios show ID [--json]
    svw scenarios rerun ID --output-dir DIR
    svw audit log [--json]
    svw audit verify
    svw store export DIR
    svw store import DIR

Every command takes ``--store URL``; without it the default store (or
``SV_STORE_URL``) is used.  Exit status: 0 when all is well, 1 when a rerun
differs or the audit trail does not verify, 2 when the command could not be
done (the message says why, in plain English).

Other modules add commands: a module named in :data:`EXTENSIONS` that defines
``add_commands(subparsers, common)`` gets to add its own (``svw sweep``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from sv_helpers.core.errors import InputError

#: Modules that add commands of their own (each defines ``add_commands(subparsers, common)``).
EXTENSIONS = ("sv_helpers.sweep",)

log = logging.getLogger("sv_helpers")


def _store(args: argparse.Namespace):
    from sv_helpers.store import open_store

    return open_store(args.store)


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False))


def _when(text: str) -> str:
    return text[:16].replace("T", " ")


# --------------------------------------------------------------------------- scenarios


def scenarios_list(args: argparse.Namespace) -> int:
    """List the saved scenarios, newest first."""
    with _store(args) as store:
        items = store.list(args.notebook)
    if args.json:
        keys = ("id", "notebook", "name", "created_at", "user", "parameters", "inputs", "outputs", "decision")
        _print_json([{k: item[k] for k in keys} for item in items])
        return 0
    if not items:
        print("No scenarios have been saved yet.")
        return 0
    rows = [("ID", "Notebook", "Name", "Saved by", "Saved (UTC)", "Decision")]
    for item in items:
        decision = item["decision"]
        mark = "" if decision is None else ("decision" if decision["current"] else "earlier decision")
        rows.append((item["id"], item["notebook"], item["name"], item["user"], _when(item["created_at"]), mark))
    widths = [min(max(len(r[i]) for r in rows), 40) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell[:40].ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def scenarios_show(args: argparse.Namespace) -> int:
    """Show one saved scenario in full."""
    with _store(args) as store:
        item = store.get(args.id)
    if args.json:
        _print_json(item)
        return 0
    print(f"Scenario {item['id']}: {item['name']}")
    print(f"  Notebook:  {item['notebook']}")
    print(f"  Saved by:  {item['user']} on {_when(item['created_at'])} UTC")
    if item["note"]:
        print(f"  Note:      {item['note']}")
    print(f"  Headline:  {item['headline']}")
    print(
        f"  Code:      sv-helpers {item['package_version']}"
        + (f", commit {item['code_commit'][:12]}" if item["code_commit"] else "")
    )
    print("  Settings:")
    for name, value in item["parameters"].items():
        print(f"    {name} = {json.dumps(value, ensure_ascii=False)}")
    print("  Inputs (kept in the store):")
    for name, info in item["input_files"].items():
        kind = "folder" if info["folder"] else "file"
        print(f"    {name}: {kind} {info['file_name']}  SHA-256 {info['sha256']}")
    print("  Outputs:")
    for name, digest in item["outputs"].items():
        print(f"    {name}  SHA-256 {digest}")
    for d in item["decisions"]:
        state = "current" if d["current"] else "superseded"
        print(f"  Decision ({state}): {d['note']} (by {d['user']} on {_when(d['at'])} UTC)")
    return 0


def scenarios_rerun(args: argparse.Namespace) -> int:
    """Run a saved scenario again from its stored inputs and compare the outputs."""
    with _store(args) as store:
        comparison = store.rerun(args.id, args.output_dir)
    print(comparison.summary())
    for note in comparison.notes:
        print(note, file=sys.stderr)
    return 0 if comparison.identical else 1


# --------------------------------------------------------------------------- audit


def audit_log(args: argparse.Namespace) -> int:
    """Print the audit log, oldest first."""
    with _store(args) as store:
        entries = store.audit_log()
    if args.json:
        _print_json(entries)
        return 0
    if not entries:
        print("The audit log is empty.")
        return 0
    for e in entries:
        detail = f"  ({e['detail']})" if e["detail"] else ""
        print(f"{e['id']:>6}  {_when(e['at'])}  {e['user']:<16} {e['action']:<9} {e['scenario_id'] or '-'}{detail}")
    return 0


def audit_verify(args: argparse.Namespace) -> int:
    """Check the audit chain and every stored record; exit 1 naming the first that does not match."""
    with _store(args) as store:
        problems = store.verify()
        head = store.head()
        count = len(store.audit_log())
    if problems:
        print(f"The audit trail does NOT verify. First problem: {problems[0]}", file=sys.stderr)
        for more in problems[1:20]:
            print(f"  also: {more}", file=sys.stderr)
        if len(problems) > 20:
            print(f"  ... and {len(problems) - 20} more.", file=sys.stderr)
        return 1
    print(
        f"The audit trail is intact: {count} entries, every scenario and decision matches its record. "
        f"Latest entry's hash: {head}"
    )
    return 0


# --------------------------------------------------------------------------- store


def store_export(args: argparse.Namespace) -> int:
    """Write a portable copy of the whole store into a folder."""
    with _store(args) as store:
        out = store.export(args.dir)
    print(f"The store was copied to {out}.")
    return 0


def store_import(args: argparse.Namespace) -> int:
    """Load a copy made by ``svw store export`` into an empty store; a copy that does not verify is not kept."""
    from sv_helpers.store import CopyDoesNotVerify

    with _store(args) as store:
        try:
            counts = store.import_(args.dir)
        except CopyDoesNotVerify as exc:
            print(str(exc), file=sys.stderr)
            return 1
        problems = store.verify()
    print(
        f"Loaded {counts.get('scenarios', 0)} scenarios, {counts.get('decisions', 0)} decisions, "
        f"{counts.get('audit_log', 0)} audit entries and {counts.get('blobs', 0)} stored files."
    )
    if problems:
        print(f"The loaded copy does not verify. First problem: {problems[0]}", file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------- the parser


def build_parser() -> argparse.ArgumentParser:
    """The ``svw`` argument parser, with every extension's commands added."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store",
        metavar="URL",
        default=None,
        help="the store's address (default: SV_STORE_URL, else var/workbook.sqlite)",
    )
    parser = argparse.ArgumentParser(prog="svw", description="The Social Value Workbook's command line.")
    groups = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)

    scenarios = groups.add_parser("scenarios", help="saved scenarios").add_subparsers(dest="command", required=True)
    p = scenarios.add_parser("list", parents=[common], help="list saved scenarios")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--notebook", default=None, help="only this notebook's (area's) scenarios")
    p.set_defaults(func=scenarios_list)
    p = scenarios.add_parser("show", parents=[common], help="show one saved scenario")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=scenarios_show)
    p = scenarios.add_parser("rerun", parents=[common], help="run a saved scenario again from its stored inputs")
    p.add_argument("id")
    p.add_argument("--output-dir", required=True, help="where to write the outputs")
    p.set_defaults(func=scenarios_rerun)

    audit = groups.add_parser("audit", help="the audit trail").add_subparsers(dest="command", required=True)
    p = audit.add_parser("log", parents=[common], help="print the audit log")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=audit_log)
    p = audit.add_parser("verify", parents=[common], help="check that nothing was changed after the fact")
    p.set_defaults(func=audit_verify)

    store = groups.add_parser("store", help="copies of the store").add_subparsers(dest="command", required=True)
    p = store.add_parser("export", parents=[common], help="write a portable copy of the store into DIR")
    p.add_argument("dir")
    p.set_defaults(func=store_export)
    p = store.add_parser("import", parents=[common], help="load a copy from DIR into an empty store")
    p.add_argument("dir")
    p.set_defaults(func=store_import)

    for name in EXTENSIONS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        add: Callable | None = getattr(module, "add_commands", None)
        if add is not None:
            add(groups, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``svw``; returns the exit status (0 all well, 1 differs or does not verify, 2 could not be done)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - the user gets a sentence, the details go to the log
        log.exception("svw failed")
        print(
            "Something went wrong inside the workbook, not in what you asked for; the details are above. "
            "Please tell the workbook's maintainers.",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
