# cellwright — `make run` shows the model on the built-in example, `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench validate clean serve

VALIDATE_STAMP := $(VENV)/.validate

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# plots, tables and reports go to out/ only (git-ignored); the commands write nothing else
run: $(STAMP)
	mkdir -p out
	$(BIN)/cellwright design examples/lfp-280ah-prismatic.toml
	$(BIN)/cellwright cost examples/lfp-280ah-prismatic.toml
	$(BIN)/cellwright cost examples/lfp-280ah-prismatic.toml --region united-states --archetype newcomer --scenario export-controls --trajectory 8
	$(BIN)/cellwright design examples/batpac-nmc811-pouch.toml
	$(BIN)/cellwright cost examples/batpac-nmc811-pouch.toml --plant examples/plants/batpac-baseline.toml
	$(BIN)/cellwright design examples/lg-m50-21700.toml
	$(BIN)/cellwright simulate examples/lg-m50-21700.toml --c-rates 0.2,0.5,1,2 --plot out/lg-m50-21700-discharge.png
	$(BIN)/cellwright simulate examples/lg-m50-21700.toml --c-rates 1,2 --model dfn --plot out/lg-m50-21700-dfn.png
	$(BIN)/cellwright simulate examples/lfp-280ah-prismatic.toml --c-rates 0.25,0.5,1,2 --plot out/lfp-280ah-prismatic-discharge.png
	$(BIN)/cellwright life examples/lfp-280ah-prismatic.toml --protocol "0.5C/0.5C, 25degC, 100% DOD" --plot out/lfp-280ah-prismatic-life.png
	$(BIN)/cellwright lcos examples/storage/lfp-100mw-4h-china.toml
	$(BIN)/cellwright lcos examples/storage/lfp-100mw-4h-us.toml
	$(BIN)/cellwright tender examples/storage/tender-100mw-4h.toml
	$(BIN)/cellwright tender examples/storage/tender-100mw-4h-localisation.toml --no-sensitivity
	$(BIN)/cellwright study run examples/studies/quick.toml --out out/study-quick --no-progress
	$(BIN)/cellwright study query out/study-quick "SELECT \"plant.region\" AS region, count(*) AS designs, min(cell_cost_usd_per_kWh) AS min_usd_per_kWh, max(specific_energy_Wh_kg) AS max_Wh_per_kg FROM results GROUP BY 1 ORDER BY 1"
	$(BIN)/cellwright study plot out/study-quick --plot out/study-quick.png --output cell_cost_usd_per_kWh
	$(BIN)/cellwright cost examples/lfp-280ah-prismatic.toml --compare --plot out/lfp-280ah-cost.png --csv out/lfp-280ah-cost.csv > /dev/null
	$(BIN)/cellwright tender examples/storage/tender-100mw-4h.toml --no-sensitivity --plot out/tender-100mw-4h.png > /dev/null
	$(BIN)/cellwright report examples/lfp-280ah-prismatic.toml --html out/lfp-280ah-report.html
	$(BIN)/cellwright upstream lfp-cathode.iron-phosphate --region china --year 2025
	$(BIN)/cellwright venture examples/ventures/incumbent-us.toml
	$(BIN)/cellwright venture examples/ventures/newcomer-us.toml --plot out/venture-newcomer-us.png
	$(BIN)/cellwright venture examples/ventures/stalled-ramp.toml
	$(BIN)/cellwright study run examples/studies/venture-ramp.toml --out out/study-venture-ramp --no-progress
	$(BIN)/cellwright study query out/study-venture-ramp "SELECT quantile_cont(npv_usd / 1e6, [0.05, 0.5, 0.95]) AS npv_musd_p5_p50_p95, avg((npv_usd > 0)::int) AS p_npv_positive, quantile_cont(peak_funding_usd / 1e6, [0.05, 0.5, 0.95]) AS peak_funding_musd FROM results"
	@echo "files written to out/: $$(ls out | tr '\n' ' ')"
	@echo "the web app: make serve (then open http://127.0.0.1:8000)"

# the web app on http://127.0.0.1:8000 (Ctrl+C stops it); stored studies in out/studies
serve: $(STAMP)
	$(BIN)/cellwright serve

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/design_throughput.py
	$(BIN)/python benchmarks/cost_throughput.py
	$(BIN)/python benchmarks/electrochem_vs_pybamm.py
	$(BIN)/python benchmarks/import_time.py
	$(BIN)/python benchmarks/aging_vs_blast.py --cells 2000
	$(BIN)/python benchmarks/stream_memory.py --n 1e8
	$(BIN)/python benchmarks/study_spme.py
	$(BIN)/python benchmarks/study_scaling.py --study benchmarks/studies/spme-scaling.toml --backend processes
	$(BIN)/python benchmarks/web_design_edit.py

$(VALIDATE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[validate]'
	touch $(VALIDATE_STAMP)

# Rebuild the PyBaMM references with live PyBaMM into a temporary folder and rerun the
# comparison on them (the test suite runs on the committed fixtures).
validate: $(VALIDATE_STAMP)
	rm -rf .validate && mkdir -p .validate
	$(BIN)/python tools/build_pybamm_references.py --any-version --out .validate
	CELLWRIGHT_PYBAMM_FIXTURES=.validate $(BIN)/python -m pytest -q tests/validation/test_pybamm.py

.PHONY: lint

LINT_STAMP := $(VENV)/.lint

$(LINT_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(LINT_STAMP)

# ruff (lint and format) and mypy, at the versions pinned in pyproject's dev extra.
lint: $(LINT_STAMP)
	$(BIN)/ruff check src tests tools benchmarks
	$(BIN)/ruff format --check src tests tools benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
