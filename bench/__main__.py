"""python -m bench [name ...] [--quick] [--list]: run benchmarks, one table each (median, p95, ratio)."""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.core import all_benchmarks  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run in seconds")
    ap.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    a = ap.parse_args(argv)
    registry = all_benchmarks()
    if a.list:
        for b in registry.values():
            missing = b.missing()
            state = f"  [missing: {', '.join(missing)}]" if missing else ""
            print(f"{b.name:<9} ({b.issue}) {b.doc}{state}")
        return 0
    unknown = [n for n in a.names if n not in registry]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(registry)}", file=sys.stderr)
        return 2
    failed = 0
    for name in a.names or list(registry):
        b = registry[name]
        missing = b.missing()
        if missing:
            print(f"== {name}: skipped, not there yet: {', '.join(missing)} ==\n", flush=True)
            continue
        t = time.perf_counter()
        try:
            table = b.run(a.quick)
        except Exception:
            failed += 1
            print(f"== {name}: FAILED ==\n{traceback.format_exc()}", flush=True)
            continue
        print(table.render(), flush=True)
        print(f"({name} took {time.perf_counter() - t:.1f} s{', quick sizes' if a.quick else ''})\n", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
