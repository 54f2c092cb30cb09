# The README's commands. HOST and PORT choose where `make run` serves the site.
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint audit

# (Re)install the package and its test tools whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/lesson-app db upgrade
	$(BIN)/lesson-app lessons import content
	$(BIN)/lesson-app demo
	$(BIN)/lesson-app run --host $(HOST) --port $(PORT)

# The whole suite on SQLite, then again on PostgreSQL when a server answers
# (LESSON_APP_TEST_POSTGRES_URL, default postgres@127.0.0.1:5432); without one it says so.
test: $(VENV)/.installed
	$(BIN)/pytest
	@if problem=$$($(BIN)/python -m tests.databases); then \
	    echo "== The whole suite again, on PostgreSQL =="; \
	    LESSON_APP_TEST_DATABASE=postgresql $(BIN)/pytest --output=test-artifacts/postgresql; \
	else \
	    echo "SKIPPED the PostgreSQL run of the suite: $$problem"; \
	fi

lint: $(VENV)/.installed
	$(BIN)/ruff check .

# Known vulnerabilities in the installed dependencies (pip-audit); CI runs it after the tests.
audit: $(VENV)/.installed
	.ci/audit

# Lesson App's pages under gunicorn against a Flask hello world, on SQLite and on PostgreSQL
# (when a server answers on 127.0.0.1:5432); writes bench/results.md. Never part of `test`.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--tool python --database sqlite".
.PHONY: bench
bench: $(VENV)/.installed
	$(BIN)/python -m bench.run $(BENCH_ARGS)
