# pqzk — every target sets up .venv itself (created when missing, reused after).
#   make demo    end-to-end demonstration
#   make test    system packages (as root), then the whole test suite
#   make bench   benchmarks (pytest-benchmark)
#   make docs    the documentation site into site/ (mkdocs --strict: warnings are errors)
#   make dev     in-place native build for PYTHONPATH=src development

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEPS   := $(VENV)/.deps-stamp
# Debian packages the tests need; installed by `make test` when running as root.
SYSPKGS := softhsm2 opensc swtpm swtpm-tools tpm2-tools libtss2-dev pkg-config nats-server
PYTEST_ARGS ?=

.PHONY: demo test bench docs dev install sysdeps sanitize clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "pqzk needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV) || { echo "venv creation failed: on Debian run 'apt-get install python3-venv'"; exit 1; }

$(DEPS): pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel "cffi>=1.16"
	$(BIN)/python -m pip install -q ".[dev,docs,nats-server]" --no-build-isolation
	touch $(DEPS)

# Test-only extras that compile against system packages: installed after `sysdeps`.
TESTDEPS := $(VENV)/.testdeps-stamp
$(TESTDEPS): $(DEPS) pyproject.toml
	@if $(BIN)/python -m pip install -q ".[tpm]"; then touch $(TESTDEPS); \
	else echo "note: the [tpm] extra did not install (needs libtss2-dev and pkg-config); TPM tests will say so"; \
	  if [ "$$CI" = true ]; then exit 1; fi; fi

# The package itself is (re)installed on every run, so the installed native extension is current.
install: $(DEPS)
	rm -rf build/lib build/lib.* # setuptools would copy stale modules from an earlier build into the wheel
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation --force-reinstall .

dev: $(DEPS)
	$(BIN)/python setup.py -q build_ext --inplace

sysdeps:
	@missing=""; for p in $(SYSPKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing system packages:$$missing"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "note: missing system packages:$$missing (install them as root to run every test)"; fi

demo: install
	$(BIN)/pqzk demo

test: sysdeps $(TESTDEPS) install
	cd tests && ../$(BIN)/python -m pytest -q -n 2 -p no:cacheprovider $(PYTEST_ARGS) .

bench: install
	cd benchmarks && ../$(BIN)/python -m pytest -q -p no:cacheprovider -o python_files='bench_*.py' \
		--benchmark-only --benchmark-columns=median,iqr,ops,rounds --benchmark-sort=name $(PYTEST_ARGS) .

# The guides of docs/ and the API reference from the docstrings (read from src/, no install needed);
# tests/test_docs.py runs the same build in the test suite.
docs: $(DEPS)
	$(BIN)/python -m mkdocs build --strict --site-dir site

# One build and run of the native tests with AddressSanitizer + UBSan, in a private copy of the
# package (build/sanitize): the shared venv and the in-place extension are left alone.
SAN_DIR := build/sanitize
sanitize: $(DEPS)
	rm -rf $(SAN_DIR) && mkdir -p $(SAN_DIR)/obj && cp -r native $(SAN_DIR)/obj/native
	cp -r src/pqzk $(SAN_DIR)/pqzk && rm -f $(SAN_DIR)/pqzk/_native_ext*.so
	PQZK_NATIVE_SANITIZE=1 $(BIN)/python -c 'import sys; sys.path.insert(0, "native"); import build_native as b; \
		b.ffibuilder.compile(tmpdir="$(SAN_DIR)/obj")' >/dev/null
	cp $(SAN_DIR)/obj/pqzk/_native_ext*.so $(SAN_DIR)/pqzk/
	cd tests && PYTHONPATH=../$(SAN_DIR) ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		LD_PRELOAD="$$(gcc -print-file-name=libasan.so) $$(gcc -print-file-name=libubsan.so)" \
		$(abspath $(BIN))/python -m pytest -q -p no:cacheprovider -p no:xdist native $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build dist site src/*.egg-info src/pqzk/_native_ext*.so
