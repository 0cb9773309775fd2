# Quick start: `make report` (set up, then build the reports for the bundled demo years)
#              `make test`   (set up, then run the test suite)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# JupyterLab's settings overrides of this environment: the zh-CN language pack is the default locale
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings

.PHONY: setup report ingest test bench lab demo clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,ocr]"
	$(PY) -m analysis kernel
	mkdir -p $(LAB_SETTINGS)
	printf '%s\n' '{"@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"}}' > $(LAB_SETTINGS)/overrides.json
	touch $(STAMP)

report: $(STAMP)
	$(PY) -m analysis report --all

ingest: $(STAMP)
	$(PY) -m analysis ingest data/raw/$(YEAR) --out data/processed/$(YEAR) --year $(YEAR)

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup

bench: $(STAMP)
	$(PY) bench/bench_ingest.py
	$(PY) bench/bench_cli.py
	$(PY) bench/bench_checks.py
	$(PY) bench/bench_report.py
	$(PY) bench/bench_new_readers.py
	$(PY) bench/bench_reruns.py

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

demo: $(STAMP)
	$(PY) -m analysis demo

clean:
	rm -rf data/processed/[0-9]* reports/[0-9]*
