# make run   : set up .venv if needed, then start the app on the bundled defaults
# make test  : set up .venv if needed, then lint, type-check and run every test
# make bench : set up .venv if needed, then print the benchmarks' timings
# Setting up needs Python 3.11+ with venv, its headers and a C compiler, and PyPI
# (scripts/setup-venv.sh). `browser` and `examples` install Debian packages with apt-get when
# missing (scripts/apt-install.sh: root or sudo, waiting while another process holds apt).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: run test lint typecheck unit bench browser screenshots examples clean

$(READY): pyproject.toml setup.py requirements/dev.txt src/sca_rates/ingest/_walk.c
	@bash scripts/setup-venv.sh $(PYTHON) $(VENV)
	@touch $@

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
	@command -v chromium >/dev/null 2>&1 || bash scripts/apt-install.sh chromium

screenshots: $(READY) browser
	$(BIN)/python scripts/screenshots.py

examples: $(READY)
	@command -v pdftoppm >/dev/null 2>&1 || bash scripts/apt-install.sh poppler-utils
	$(BIN)/python scripts/pdf_examples.py

bench: $(READY) browser
	$(BIN)/python benchmarks/cost.py
	$(BIN)/python benchmarks/recommend.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/simulate.py
	$(BIN)/python benchmarks/ui.py
	$(BIN)/python benchmarks/ingest.py --gb 1.0
	$(BIN)/python benchmarks/providers.py --mb 2000

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
