# newsgen: `make run` builds and serves the example site; `make test` runs the tests.
# Both create their own virtual environment in .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run build test test-slow bench clean browser bench-serve fuzz invariant docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dask]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/newsgen build .

run: $(STAMP)
	$(BIN)/newsgen serve . --port $(PORT)

# One test process more than there are cores: tests that wait on a server or a killed build leave
# a core idle, and the extra process fills it (about a fifth less time on two cores).
test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" -n $$($(BIN)/python -c "$$TEST_PROCESSES")

define TEST_PROCESSES
import os
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
print(cores + 1)
endef
export TEST_PROCESSES

# The configuration reference, docs/configuration.md, from SiteConfig's field docstrings in src/newsgen/config.py.
docs: $(STAMP)
	$(BIN)/python tools/config_reference.py

# Headless Chromium (Debian's package) for the browser tests: live reload in newsgen serve, the search page.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q --no-install-recommends chromium; }

test-slow: $(STAMP) browser
	$(BIN)/python -m pytest -q -m slow

# Build benchmark: newsgen cold and incremental builds beside Hugo and Pelican, like with like:
# the peers build no search index, so neither does newsgen here.
# BENCH_ARGS="--sizes 100000 --no-search" runs newsgen alone at 100k (the peers run up to 10k); leave out --no-search to include
# Pagefind. See benchmarks/bench.py.
# HUGO=path/to/hugo names the Hugo binary (default: `hugo` on PATH when it is 0.168 or later).
BENCH_ARGS ?= --sizes 10000 --peers hugo --no-search
bench: $(STAMP)
	nice $(BIN)/python benchmarks/bench.py $(BENCH_ARGS) $(if $(HUGO),--hugo $(HUGO))

# Preview server (newsgen serve) under load: 20 clients for 10 s while articles change.
bench-serve: $(STAMP)
	$(BIN)/python benchmarks/serve_load.py

# Long fuzz campaign over every article reader: EXAMPLES inputs per reader (default 5000).
fuzz: $(STAMP)
	nice $(BIN)/python benchmarks/fuzz_campaign.py $(or $(EXAMPLES),5000)

# Incremental builds equal clean builds after random sequences of changes (the test's long campaign).
# INVARIANT_ARGS="--skip hugo --keep-going" leaves operation kinds out and goes on after a failure.
invariant: $(STAMP)
	nice $(BIN)/python benchmarks/invariant_campaign.py $(or $(EXAMPLES),500) $(INVARIANT_ARGS)

clean:
	rm -rf $(VENV) public .newsgen-cache .pytest_cache
