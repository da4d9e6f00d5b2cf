# make run   : set up .venv if needed, then start the app on the bundled defaults
# make test  : set up .venv if needed, then lint, type-check and run every test
# make bench : set up .venv if needed, then print the benchmarks' timings
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: run test lint typecheck unit bench browser screenshots examples clean

$(READY): pyproject.toml setup.py requirements/dev.txt src/sca_rates/ingest/_walk.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

run: $(READY)
	$(BIN)/streamlit run app.py

test: lint typecheck unit

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(READY)
	$(BIN)/mypy

unit: $(READY) browser
	$(BIN)/pytest

# The end-to-end test drives Debian's Chromium (never a browser Playwright downloads).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

screenshots: $(READY) browser
	$(BIN)/python scripts/screenshots.py

examples: $(READY)
	@command -v pdftoppm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }
	$(BIN)/python scripts/pdf_examples.py

bench: $(READY) browser
	$(BIN)/python benchmarks/cost.py
	$(BIN)/python benchmarks/recommend.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/simulate.py
	$(BIN)/python benchmarks/ui.py
	$(BIN)/python benchmarks/ingest.py --gb 1.0

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
