"""Turn a pytest-benchmark JSON file into the markdown tables of docs/performance.md.

    make bench PYTEST_ARGS="--benchmark-json=bench.json"
    .venv/bin/python benchmarks/report.py bench.json > table.md
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict


def fmt(seconds: float) -> str:
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"


def main(path: str) -> None:
    data = json.load(open(path))
    info = data["machine_info"]
    print(f"Machine: {info.get('cpu', {}).get('brand_raw', info.get('processor'))}, "
          f"{info.get('cpu', {}).get('count', '?')} cores, Python {info['python_version']}; "
          f"{data['datetime'][:10]}.\n")
    by_file = defaultdict(list)
    for b in data["benchmarks"]:
        by_file[b["fullname"].split("::")[0]].append(b)
    for fname in sorted(by_file):
        print(f"### {fname}\n\n| benchmark | median | rounds | notes |\n|---|---|---|---|")
        for b in by_file[fname]:
            extra = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                              for k, v in b.get("extra_info", {}).items())
            print(f"| {b['name']} | {fmt(b['stats']['median'])} | {b['stats']['rounds']} | {extra} |")
        print()


if __name__ == "__main__":
    main(sys.argv[1])
