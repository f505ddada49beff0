# make run  - create the virtualenv, install, start the gateway with its embedded defaults
# make test - install what the tests need (Debian packages included) and run the whole suite
# make mutate MODULE=gateway/policy/engine.py [TESTS="tests/unit/policy"] - mutation testing of one module

PYTHON := $(shell sh scripts/find-python)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CONFIG ?= config/gateway.toml

.PHONY: run test install lint typecheck unit integration clean score bench screenshots mutate

$(STAMP): pyproject.toml requirements/model.txt scripts/install-gateway
	@test -n "$(PYTHON)" || { echo "Python 3.13 not found"; exit 1; }
	sh scripts/install-gateway $(PYTHON) $(VENV) test
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/gateway --config $(CONFIG) serve

lint: $(STAMP)
	$(BIN)/ruff check gateway tests benchmarks
	$(BIN)/ruff format --check gateway tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

integration: $(STAMP)
	sh scripts/install-test-deps
	$(BIN)/python -m pytest tests/integration -q

test: $(STAMP)
	sh scripts/install-test-deps
	$(MAKE) lint typecheck
	$(BIN)/python -m pytest tests -q

# refresh the review UI screenshots in docs/screenshots (tests write them to a temporary folder)
screenshots: $(STAMP)
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest tests/integration/test_web_browser.py -q

# one small change to MODULE at a time, its tests run after each; the work tree is left as it was
mutate: $(STAMP)
	@test -n "$(MODULE)" || { echo 'usage: make mutate MODULE=gateway/... [TESTS="tests/unit/..."]'; exit 2; }
	nice -n 10 $(BIN)/python scripts/mutate.py $(MODULE) $(TESTS)

score: $(STAMP)
	$(BIN)/python ../shared/corpus/score.py --corpus ../shared/corpus/dev -- $(BIN)/gateway

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
