# The two commands of the README. Both set everything up from a fresh clone.
#   make demo   load the example reviews into the embedded graph and show what it finds
#   make test   the whole test suite, on both backends (starts a real Neo4j from Maven Central jars)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test setup bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/dhrgraph --workspace .dhrgraph load examples/
	$(BIN)/dhrgraph --workspace .dhrgraph stats
	$(BIN)/dhrgraph --workspace .dhrgraph timeline Jade --review dhr-northbrook-2021
	mkdir -p out
	$(BIN)/dhrgraph --workspace .dhrgraph findings --output out/findings.html
	$(BIN)/dhrgraph --workspace .dhrgraph findings --review dhr-northbrook-2021

test: $(STAMP)
	tools/ensure-chromium
	NEO4J_LOCAL_TIMEOUT=$${NEO4J_LOCAL_TIMEOUT:-300} $(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py

clean:
	rm -rf $(VENV) .dhrgraph .pytest_cache
