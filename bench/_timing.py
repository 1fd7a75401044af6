"""Shared by the benchmark scripts: time a callable a few times and count its SQL statements; the load line."""

from __future__ import annotations

import os
import statistics
import time

from sqlalchemy import event


def load_line() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def timed(label: str, engine, run, repeat: int = 3, width: int = 62) -> None:
    """Print the median time of `repeat` runs of `run()` and the SQL statements one run issued."""
    counter = {"n": 0}

    def count(*_args):
        counter["n"] += 1

    times = []
    for _ in range(repeat):
        counter["n"] = 0
        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
        event.remove(engine, "before_cursor_execute", count)
    print(f"{label:{width}s} median {statistics.median(times):8.0f} ms, {counter['n']} SQL statements")
