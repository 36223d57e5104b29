"""Benchmark session settings. The kit is single-threaded; OpenBLAS (loaded with numpy, which
pqzk.math imports) would otherwise start a worker thread per core that spins after use and takes
cycles from the timed code on this 2-core machine. Set before numpy is imported."""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def pytest_terminal_summary(terminalreporter):
    """The network benchmarks' table (bench_network.py), when they ran; also written as markdown
    to $PQZK_BENCH_NET_REPORT if that is set."""
    import sys
    rows = getattr(sys.modules.get("bench_network"), "RESULTS", None)
    if not rows:
        return
    from report import network_table
    lines = network_table(rows)
    terminalreporter.write_sep("=", "network benchmarks (bench_network.py)")
    for line in lines:
        terminalreporter.write_line(line)
    out = os.environ.get("PQZK_BENCH_NET_REPORT")
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
