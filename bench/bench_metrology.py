"""Speed of the metrology engine, as ratios against floors measured in the same run.

Run: ``python bench/bench_metrology.py`` from the project root (``.venv/bin/python``). It
prints one line per case: the best time per call over several timeit repeats, and the
ratio to its floor (a trivial loop over the same data, measured the same way now), so the
figures compare across machines. Not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import os
import platform
import sys
import timeit
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspect_app.domain import optics, prepackages, rulepacks, scales  # noqa: E402

REPEATS = 7


def per_call(fn: Callable[[], object], number: int) -> float:
    """Best seconds per call over ``REPEATS`` timeit runs of ``number`` calls.

    The minimum, as the timeit documentation advises: slower runs measure other processes.
    """
    return min(timeit.repeat(fn, number=number, repeat=REPEATS)) / number


def main() -> None:
    pack = rulepacks.load("cn")
    # A realistic 125-package lot (lot > 3 200): 500 g, readings to 0.1 g, two T1 packages.
    lot = [Decimal(500) + Decimal(i % 17 - 6) / 10 for i in range(123)]
    lot += [Decimal("484.0"), Decimal("483.5")]
    spec = scales.ScaleSpec("III", Decimal(15000), Decimal(100), Decimal(5), Decimal(5))
    loads = [0, 100, 500, 2500, 2505, 5000, 7500, 10000, 10005, 15000]
    points = [(Decimal(x), Decimal(x) + Decimal(5)) for x in loads]

    def floor_lot() -> Decimal:
        return sum(lot, Decimal(0))

    def floor_points() -> Decimal:
        return sum((ind - load for load, ind in points), Decimal(0))

    cases: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        (
            "evaluate_lot, 125 packages",
            lambda: prepackages.evaluate_lot(pack, 500, "g", 5000, lot),
            floor_lot,
        ),
        (
            "evaluate_test, 10 points",
            lambda: scales.evaluate_test(pack, spec, points, "in_service"),
            floor_points,
        ),
        ("mpe, one load", lambda: scales.mpe(pack, "III", 5, 10000, "in_service"), floor_points),
        (
            "tolerable_deficiency",
            lambda: prepackages.tolerable_deficiency(pack, 1500, "g"),
            floor_points,
        ),
        (
            "check_lens (toric)",
            lambda: optics.check_lens(
                pack, optics.LensPower("-2.00", "-1.00", 90), optics.LensPower("-2.06", "-0.95", 92)
            ),
            floor_points,
        ),
        ("rulepacks.load (cached)", lambda: rulepacks.load("cn"), floor_points),
    ]
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs ({platform.platform()})"
    )
    floors = {"sum of 125 Decimals": floor_lot, "sum of 10 Decimal errors": floor_points}
    floor_times = {name: per_call(fn, 20000) for name, fn in floors.items()}
    for name, t in floor_times.items():
        print(f"floor  {name:<34} {t * 1e6:9.2f} µs")
    for name, fn, floor in cases:
        t = per_call(fn, 2000)
        floor_name = "sum of 125 Decimals" if floor is floor_lot else "sum of 10 Decimal errors"
        print(
            f"case   {name:<34} {t * 1e6:9.2f} µs  = {t / floor_times[floor_name]:7.1f} × "
            f"floor ({floor_name})"
        )


if __name__ == "__main__":
    main()
