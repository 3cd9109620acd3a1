# Vigie: `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
DEMO_DIR := var/demo
DEMO_PORT ?= 8765
DASHBOARD_PORT ?= 8501

.PHONY: setup demo demo-data dashboard test browser bench lint clean

setup: $(STAMP)

$(STAMP): requirements.txt
	@echo "==> creating the virtual environment in $(VENV) (about 30 s the first time)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v 'is ignored' || true
	@echo "==> installing pinned requirements"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt 2>&1 | grep -v 'is ignored' || true
	@$(PY) -c "import streamlit, scrapy, duckdb, feedparser, altair" || (echo "installation failed" >&2; exit 1)
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

# Build the demo site, serve it on 127.0.0.1, collect it through the real
# crawlers, then open the dashboard. Ctrl-C stops the dashboard and the server.
demo: setup
	@bash examples/run_demo.sh "$(PY)" "$(DEMO_DIR)" "$(DEMO_PORT)" "$(DASHBOARD_PORT)"

# The same, without opening the dashboard (used by tests and CI smoke runs).
demo-data: setup
	@NO_DASHBOARD=1 bash examples/run_demo.sh "$(PY)" "$(DEMO_DIR)" "$(DEMO_PORT)" "$(DASHBOARD_PORT)"

dashboard: setup
	VIGIE_DB=$(DEMO_DIR)/vigie.duckdb VIGIE_CONFIG=$(DEMO_DIR)/vigie.toml \
	  $(VENV)/bin/streamlit run dashboard/app.py --server.address 127.0.0.1 --server.port $(DASHBOARD_PORT)

# The browser tests need Debian's chromium; install it when missing (root on CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "==> installing chromium for the browser test"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null \
	    || echo "warning: chromium could not be installed; the browser test will be skipped"; }

test: setup browser
	@$(PY) -m pytest -q

bench: setup
	@$(PY) -m benchmarks --write-results

clean:
	rm -rf var .pytest_cache tests/screenshots
