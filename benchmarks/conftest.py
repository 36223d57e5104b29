"""Benchmark session settings. The kit is single-threaded; OpenBLAS (loaded with numpy, which
pqzk.math imports) would otherwise start a worker thread per core that spins after use and takes
cycles from the timed code on this 2-core machine. Set before numpy is imported."""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
