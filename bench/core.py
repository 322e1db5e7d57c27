"""Timing helpers, the benchmark registry and the table every benchmark prints.

A benchmark never asserts a time. It measures the app's path and a bare baseline doing the same work
at the lowest level (sqlite3, reportlab canvas, an empty Qt window) in the same run, so the ratio
(app / baseline) says how much the app adds, whatever the machine's speed.
"""

from __future__ import annotations

import importlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Measure:
    name: str
    samples: list[float]  # seconds
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        s = sorted(self.samples)
        return s[min(len(s) - 1, max(0, round(0.95 * (len(s) - 1))))]


@dataclass
class Table:
    title: str
    measures: list[Measure]
    baseline: str  # name of the baseline measure
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        base = next(m for m in self.measures if m.name == self.baseline).median
        width = max(len(m.name) for m in self.measures)
        head = f"{'case':<{width}}  {'n':>5}  {'median ms':>10}  {'p95 ms':>10}  {'ratio':>8}"
        lines = [f"== {self.title} ==", head, "-" * len(head)]
        for m in self.measures:
            ratio = m.median / base if base > 0 else float("nan")
            lines.append(f"{m.name:<{width}}  {len(m.samples):>5}  {m.median * 1e3:>10.3f}  {m.p95 * 1e3:>10.3f}  "
                         f"{ratio:>7.2f}x" + (f"  {m.note}" if m.note else ""))
        lines.append(f"(ratio = median / median of '{self.baseline}', measured in the same run)")
        lines += self.notes
        return "\n".join(lines)


def time_calls(fn: Callable[[], object], n: int, *, warmup: int = 1, before: Callable[[], object] | None = None
               ) -> list[float]:
    """`n` timed calls of fn (after `warmup` untimed ones); `before` runs untimed before each call."""
    for _ in range(warmup):
        if before:
            before()
        fn()
    out = []
    for _ in range(n):
        if before:
            before()
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


@dataclass(frozen=True)
class Benchmark:
    name: str
    issue: str
    doc: str
    run: Callable[[bool], Table]  # run(quick) -> Table
    needs: tuple[str, ...]  # "module:attr" the benchmark cannot run without

    def missing(self) -> list[str]:
        """Which of the app APIs this benchmark needs are not there (yet)."""
        out = []
        for spec in self.needs:
            mod, _, attr = spec.partition(":")
            try:
                m = importlib.import_module(mod)
            except ImportError:
                out.append(spec)
                continue
            if attr and not hasattr(m, attr):
                out.append(spec)
        return out


REGISTRY: dict[str, Benchmark] = {}
MODULES = ("bench.counter", "bench.life", "bench.eventlog", "bench.daybook", "bench.kiosk", "bench.sync")


def all_benchmarks() -> dict[str, Benchmark]:
    """Every benchmark, in the order they run (importing their modules registers them)."""
    for name in MODULES:
        importlib.import_module(name)
    return REGISTRY


def benchmark(name: str, *, issue: str, needs: tuple[str, ...] = ()):
    def register(fn: Callable[[bool], Table]) -> Callable[[bool], Table]:
        REGISTRY[name] = Benchmark(name, issue, (fn.__doc__ or "").strip().splitlines()[0], fn, needs)
        return fn

    return register
