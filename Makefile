# rjc: `make demo` and `make test` work on a fresh machine with Python 3.11+ and git.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RJC    := $(BIN)/rjc
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
DEMO   := .demo/records
BENCH_SIZES ?= 1000 10000 100000
BENCH_DEEP_SIZES ?= 10000 100000
BENCH_SEAL_SIZES ?= 10000

.PHONY: install demo test lint docs slow-test bench bench-deep bench-seal sample clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "rjc needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,lint]'
	@$(BIN)/python -m compileall -q rjc >/dev/null  # as a normal install does: no compiling at each start
	@rm -f $(VENV)/.installed-*
	@touch $@

# A throwaway copy of the sample records, as a real git repository, then the daily work on it.
demo: $(STAMP)
	@rm -rf .demo && mkdir -m 700 .demo
	@cp -R records $(DEMO) && chmod -R go-rwx $(DEMO)
	@cd $(DEMO) && git init --quiet --initial-branch=main && git add --all \
	  && git -c user.name="rjc demo" -c user.email=demo@rjc.invalid commit --quiet -m "sample records" \
	  && git config rjc.coordinator KB
	$(RJC) --records $(DEMO) check
	$(RJC) --records $(DEMO) list cases --status open --program restorative-panel
	$(RJC) --records $(DEMO) list referrals --since 2026-10-01
	$(RJC) --records $(DEMO) show $$($(RJC) --records $(DEMO) list cases --status monitoring --format csv | sed -n 2p | cut -d, -f1)
	$(RJC) --records $(DEMO) remind --as-of 2026-11-24
	$(RJC) --records $(DEMO) report quarterly --as-of 2026-11-24
	@echo
	@echo "The sample records are in $(DEMO); try: cd $(DEMO) && ../../$(RJC) list panels"

# One worker a core (pytest-xdist): every test has its own directories, ports and environment.
test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" -n auto

# Style, the direction of imports between the layers, and types (settings in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check rjc tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy rjc

# The command reference, docs/cli.md, from every command's --help (a test fails when it is stale).
docs: $(STAMP)
	$(BIN)/python -m rjc.cli.reference docs/cli.md

slow-test: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --sizes $(BENCH_SIZES)

# The audit commands, a mutation, sync and clone on repositories with twenty years of commits (benchmarks/deep.py).
bench-deep: $(STAMP)
	$(BIN)/python -m benchmarks.deep --sizes $(BENCH_DEEP_SIZES)

# rjc seal and rjc expunge of 1 and 50 cases on a deep history, beside git filter-repo alone.
bench-seal: $(STAMP)
	$(BIN)/python -m benchmarks.seal --sizes $(BENCH_SEAL_SIZES)

# Regenerate the bundled sample records (deterministic).
sample: $(STAMP)
	rm -rf records && $(BIN)/python -m benchmarks.synth sample records

clean:
	rm -rf $(VENV) .demo build .pytest_cache .mypy_cache
