# newsgen: `make run` builds and serves the example site; `make test` runs the tests.
# Both create their own virtual environment in .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run build test test-slow bench clean fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/newsgen build .

run: $(STAMP)
	$(BIN)/newsgen serve . --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

fuzz: $(STAMP)
	nice $(BIN)/python benchmarks/fuzz_campaign.py $(or $(EXAMPLES),5000)

clean:
	rm -rf $(VENV) public .newsgen-cache .pytest_cache
