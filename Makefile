# Quick start: `make report` (set up, then build the reports for the bundled demo years)
#              `make test`   (set up, then run the test suite)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# JupyterLab's settings overrides of this environment: the zh-CN language pack is the default locale, and no
# "Jupyter news" question on the first launch (nor any request for news or updates)
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
LAB_OVERRIDES := {"@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"}, \
  "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}
KERNEL := scitech-week

.PHONY: setup report ingest test bench lab demo clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,ocr,demo]"
	$(PY) -m analysis kernel
	touch $(STAMP)

$(LAB_SETTINGS)/overrides.json: Makefile $(STAMP)
	mkdir -p $(LAB_SETTINGS)
	printf '%s\n' '$(LAB_OVERRIDES)' > $@

report: $(STAMP) $(LAB_SETTINGS)/overrides.json
	$(PY) -m analysis report --all

ingest: $(STAMP)
	$(PY) -m analysis ingest data/raw/$(YEAR) --out data/processed/$(YEAR) --year $(YEAR)

test: $(STAMP)
	$(VENV)/bin/ruff check analysis tests bench
	$(VENV)/bin/ruff format --check analysis tests bench
	$(PY) -m pytest -n 2 --dist loadgroup

bench: $(STAMP)
	$(PY) bench/bench_ingest.py
	$(PY) bench/bench_cli.py
	$(PY) bench/bench_checks.py
	$(PY) bench/bench_report.py
	$(PY) bench/bench_figure_formats.py
	$(PY) bench/bench_new_readers.py
	$(PY) bench/bench_channels.py
	$(PY) bench/bench_ocr_photos.py
	$(PY) bench/bench_units_scale.py
	$(PY) bench/bench_web_formats.py
	$(PY) bench/bench_reruns.py

# The project folder as JupyterLab's root (reports/ and data/ reachable), the notebooks/ folder in front, and the
# project's kernel the only one offered
lab: $(STAMP) $(LAB_SETTINGS)/overrides.json
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. --ContentsManager.preferred_dir=notebooks \
		--KernelSpecManager.allowed_kernelspecs=$(KERNEL) --MappingKernelManager.default_kernel_name=$(KERNEL)

demo: $(STAMP)
	$(PY) -m analysis demo

clean:
	rm -rf data/processed/[0-9]* reports/[0-9]*
