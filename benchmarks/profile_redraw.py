"""Where an app's redraw spends its kernel time: move one control back and forth in-process, time and profile it.

Not a benchmark (``make bench`` does not run it): a tool for finding what to make faster before measuring in
the browser with ``bench_apps.py``. The app is built as its notebook builds it, from the default settings,
without Voila or a browser, so the time is the kernel's CPU alone.

Run: ``.venv/bin/python benchmarks/profile_redraw.py scoring [--control NAME] [--changes 12] [--top 30]``.
The default control is the one ``bench_apps.py`` moves. It prints each change's CPU time in ms, then the
profile's slowest functions by cumulative time within ``sv_helpers``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time

from sv_helpers.core import scenario

#: The control each area's benchmark moves (see ``bench_apps.CHANGES``), and two values to move it between.
DEFAULT_CONTROL = {
    "scoring": "weights",
    "grants": "equity_weight",
    "climate": "target_year",
    "impact": "financial_year",
    "planning": "admin_share_pct",
}


def app_for(area: str):
    """The area's app on its default settings and inputs, and its core module."""
    import importlib

    core = scenario.area(area)
    settings = core.Settings.from_parameters({})
    inputs = core.load(settings)
    result = core.run(settings, inputs=inputs)
    module = importlib.import_module(f"sv_helpers.apps.{area}")
    cls = next(
        v
        for v in vars(module).values()
        if isinstance(v, type) and v.__module__ == module.__name__ and getattr(v, "core", None) is core
    )
    return cls(result, inputs=inputs)


def mover(app, name: str):
    """A function that moves the control one step (alternately forward and back), and the widget it moves."""
    control = next(c for c in app.control_list if c.name == name)
    widget = control.widget
    if name == "weights":  # the weights control is one slider per criterion: move the first
        widget = next(iter(widget.sliders.values()))
    options = getattr(widget, "options", None)
    if options:
        values = [o[1] if isinstance(o, tuple) else o for o in options]
        i = values.index(widget.value)
        pair = (values[i], values[i + 1] if i + 1 < len(values) else values[i - 1])
    else:
        step = getattr(widget, "step", 1) or 1
        ceiling = getattr(widget, "max", widget.value + step)
        pair = (widget.value, widget.value + step if widget.value + step <= ceiling else widget.value - step)
    state = {"n": 0}

    def move() -> None:
        state["n"] += 1
        widget.value = pair[state["n"] % 2]

    return move


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("area", choices=scenario.AREAS)
    parser.add_argument("--control", default=None, help="the setting's name (default: the benchmark's control)")
    parser.add_argument("--changes", type=int, default=12)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    app = app_for(args.area)
    move = mover(app, args.control or DEFAULT_CONTROL[args.area])
    move()  # the first change fills what a redraw keeps
    app.wait()
    times = []
    for _ in range(args.changes):
        start = time.process_time()
        move()
        app.wait()
        times.append((time.process_time() - start) * 1000)
    print(
        f"{args.area}: CPU ms per change: median {statistics.median(times):.1f}, max {max(times):.1f} "
        f"({', '.join(f'{t:.0f}' for t in times)})"
    )
    profile = cProfile.Profile()
    for _ in range(args.changes):
        profile.enable()
        move()
        app.wait()
        profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats("sv_helpers", args.top)


if __name__ == "__main__":
    main()
