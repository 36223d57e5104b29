"""Turn a pytest-benchmark JSON file into the markdown tables of docs/performance.md.

    make bench PYTEST_ARGS="--benchmark-json=bench.json"
    .venv/bin/python benchmarks/report.py bench.json > table.md

The network benchmarks (bench_network.py) keep their figures in extra_info; `network_table`
renders them (also printed at the end of a run that includes them, by conftest.py).
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


NETWORK_COLUMNS = [
    ("what", "what"),
    ("p50 / predicted", lambda r: _ms(r.get("p50_ms", r.get("predicted_ms")))),
    ("p99", lambda r: _ms(r.get("p99_ms", r.get("max_ms")))),
    ("target", lambda r: r.get("target", "")),
    ("ratio", lambda r: f"{r['ratio']:.2f} ({'met' if r['met'] else 'not met'})" if "ratio" in r else ""),
    ("signatures/s", lambda r: f"{r['signatures_per_s']:.0f}" if "signatures_per_s" in r else ""),
    ("kB/node/sig (frames; signer)", lambda r: f"{r['kB_per_node']:.1f}; {r['kB_per_signer']:.1f}"
     if "kB_per_node" in r else (f"frame {r['frame_bytes']} B" if "frame_bytes" in r else "")),
    ("wire kB/node/sig", lambda r: f"{r['wire_kB_per_node']:.1f}" if "wire_kB_per_node" in r else ""),
    ("CPU ms/sig: nodes (kernel) / coord / broker", lambda r: f"{r['cpu_ms_nodes']:.1f} "
     f"({r.get('cpu_ms_nodes_system', 0):.1f}) / {r['cpu_ms_coordinator']:.1f} / {r['cpu_ms_broker']:.1f}"
     if "cpu_ms_nodes" in r else (f"coord busy {r['coordinator_busy_ms']:.0f}, signer {r['signer_busy_ms']:.1f}"
                                  if "coordinator_busy_ms" in r else "")),
    ("n", lambda r: str(r.get("signatures", r.get("rounds", "")))),
    ("others' CPU (cores); load", lambda r: (f"{r['others_cores']:.2f}; " if "others_cores" in r else "")
     + (f"{r['load']:.1f}" if "load" in r else "")),
]


def _ms(v) -> str:
    return "" if v is None else f"{v:.1f} ms" if v < 1000 else f"{v / 1e3:.2f} s"


def network_table(rows: list[dict]) -> list[str]:
    """Markdown lines of the network benchmarks' figures (rows as bench_network records them)."""
    cells = [[(col(r) if callable(col) else str(r.get(col, ""))) for _, col in NETWORK_COLUMNS] for r in rows]
    out = ["| " + " | ".join(h for h, _ in NETWORK_COLUMNS) + " |", "|" + "---|" * len(NETWORK_COLUMNS)]
    out += ["| " + " | ".join(c) + " |" for c in cells]
    return out


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
    network = [b["extra_info"] for b in data["benchmarks"]
               if b["fullname"].startswith("bench_network.py") and "what" in b.get("extra_info", {})]
    if network:
        print("### network (bench_network.py)\n")
        print("\n".join(network_table(network)) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
