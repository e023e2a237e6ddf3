# Two commands do all set-up on a fresh machine (Python 3.11, pip, apt):
#   make run   – the dashboard on the bundled demo data (no Google account)
#   make test  – every check: ruff, unit, AppTest, headless-Chromium tests
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO_DB := data/demo.duckdb
# PORT=8600 make run, or Streamlit's own STREAMLIT_SERVER_PORT (each process of a cluster needs its own);
# neither set: Streamlit's default 8501.
PORT ?=

.PHONY: runtime-venv run test check lint format demo demo-files browser-deps report-deps clean bench bench-quick \
        loadtest serve serve-cluster check-config cluster-deps

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# A venv from requirements.txt alone: what `make run` and a production server install. The sign-in
# test (tests/test_runtime_venv.py) serves from it, so a package that only requirements-dev.txt brings
# cannot hide a broken «Đăng nhập»; pip check proves the pins agree.
RUNTIME_VENV := .venv-runtime
$(RUNTIME_VENV)/.installed: requirements.txt
	rm -rf $(RUNTIME_VENV)
	$(PYTHON) -m venv $(RUNTIME_VENV)
	$(RUNTIME_VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements.txt
	$(RUNTIME_VENV)/bin/python -m pip check
	touch $@

runtime-venv: $(RUNTIME_VENV)/.installed

# The demo database is built from the committed demo sheets through the real
# ingestion code, and rebuilt when either changes.
$(DEMO_DB): $(VENV)/.installed $(wildcard catalog/demo/*) $(wildcard catalog/*.csv catalog/*.toml) \
            $(wildcard core/*.py data_sources/*.py data_sources/*/*.py) $(wildcard queries/*.sql data_sources/sql/*.sql)
	$(PY) -m data_sources build-demo --db $@ > /dev/null
	@echo "Đã tạo cơ sở dữ liệu demo: $@"

demo: $(DEMO_DB)

run: $(VENV)/.installed $(DEMO_DB)
	NQ71_DB=$(DEMO_DB) NQ71_SCHOOLS=catalog/demo/truong_hoc.csv NQ71_UNITS=catalog/demo/don_vi.csv NQ71_ROSTER=catalog/demo/roster.csv $(PY) -m ui.serve $(if $(PORT),--server.port $(PORT),)  # = streamlit run app.py (see ui/serve.py)

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list | grep -qi "Noto Sans"; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "Cài Chromium và phông Noto từ Debian (apt-get)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-core > /dev/null; \
	else \
	  echo "Thiếu Chromium: chạy với quyền root 'apt-get install chromium chromium-driver fonts-noto-core' rồi chạy lại make test."; \
	  exit 1; \
	fi

# The report's PDF (LibreOffice Writer headless), a serif font with Times New Roman's metrics that has
# every Vietnamese letter (Liberation Serif 2; version 1 of fonts-liberation lacks them); for the tests:
# LibreOffice Calc (evaluates the form kit's validation formulas), pdftotext/pdftoppm (the PDF's text
# and pages), zbarimg and rsvg-convert (decode the QR code, PNG and SVG).
REPORT_DEBS := libreoffice-writer-nogui libreoffice-calc-nogui fonts-liberation2 poppler-utils zbar-tools librsvg2-bin
report-deps:
	@if command -v soffice > /dev/null && command -v pdftotext > /dev/null && command -v zbarimg > /dev/null \
	   && command -v rsvg-convert > /dev/null && [ -e /usr/lib/libreoffice/program/libsclo.so ] \
	   && fc-list | grep -q "liberation2/LiberationSerif"; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "Cài LibreOffice (xuất PDF), phông Liberation, poppler-utils, zbar-tools từ Debian (apt-get)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    $(REPORT_DEBS) > /dev/null; \
	else \
	  echo "Thiếu LibreOffice/poppler/zbar: chạy với quyền root 'apt-get install $(REPORT_DEBS)' rồi chạy lại make test."; \
	  exit 1; \
	fi

test: $(VENV)/.installed-dev $(RUNTIME_VENV)/.installed browser-deps report-deps cluster-deps
	$(PY) -m pip check
	$(PY) -m pytest

# Benchmarks (bench/): national scale, writes bench/RESULTS.md; quick: 3 provinces, < 2 min, run by CI.
bench: $(VENV)/.installed-dev browser-deps
	$(PY) -m bench.run

bench-quick: $(VENV)/.installed-dev browser-deps
	$(PY) -m bench.run --quick

# Load test (bench/loadtest.py, bench/load/): SESSIONS people (default 30) at once on the national benchmark
# data, speaking Streamlit's protocol (Locust), with PROBES real Chromium users (default 2) timing the drawn
# page beside them; one server, or WORKERS=N processes behind haproxy. CURVE=1: the capacity curve instead
# (1, 10, 30, 60, 100, 150 people on 1 process and on 2 behind haproxy; CURVE_SIZES=… to choose). Writes
# bench/LOADTEST.md.
SESSIONS ?= 30
PROBES ?= 2
WORKERS ?=
CURVE ?=
CURVE_SIZES ?= 1,10,30,60,100,150
loadtest: $(VENV)/.installed-dev browser-deps $(if $(or $(WORKERS),$(CURVE)),cluster-deps,)
	$(PY) -m bench.loadtest $(if $(CURVE),--curve --curve-sizes $(CURVE_SIZES) --rounds 1 --ramp 30,--sessions $(SESSIONS) $(if $(WORKERS),--cluster $(WORKERS),)) --probes $(PROBES)

# Debian's haproxy in front of several Streamlit processes (deploy/cluster.py); rsync ships each published
# version to a second host (deploy/ship.py) and iproute2's ip netns makes the two hosts of
# tests/test_two_hosts.py (README «Hai máy chủ»).
CLUSTER_DEBS := haproxy rsync iproute2
cluster-deps:
	@if { command -v haproxy > /dev/null || [ -x /usr/sbin/haproxy ]; } && command -v rsync > /dev/null \
	   && { command -v ip > /dev/null || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ]; }; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "Cài haproxy, rsync, iproute2 từ Debian (apt-get)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(CLUSTER_DEBS) > /dev/null; \
	else \
	  echo "Thiếu haproxy/rsync/iproute2: chạy với quyền root 'apt-get install $(CLUSTER_DEBS)' rồi chạy lại."; \
	  exit 1; \
	fi

# A province's server from its own configuration (README «Chạy thật cho một tỉnh»): CONFIG=/etc/nq71/tinh.toml
# (or NQ71_CONFIG). python -m deploy serve checks the configuration first and refuses to start on a ✗.
CONFIG ?= $(NQ71_CONFIG)
serve: $(VENV)/.installed
	@if [ -z "$(CONFIG)" ]; then echo "Cần tệp cấu hình: make serve CONFIG=/etc/nq71/tinh.toml (mẫu: deploy/templates/tinh.toml)"; exit 2; fi
	NQ71_CONFIG=$(abspath $(CONFIG)) $(PY) -m deploy serve

check-config: $(VENV)/.installed
	@if [ -z "$(CONFIG)" ]; then echo "Cần tệp cấu hình: make check-config CONFIG=/etc/nq71/tinh.toml"; exit 2; fi
	NQ71_CONFIG=$(abspath $(CONFIG)) $(PY) -m deploy check

# WORKERS Streamlit processes (default 2) behind haproxy on PORT (default 8500), sticky sessions, one
# published database: the configured one (CONFIG=…), or NQ71_DB=… (the demo: NQ71_DB=data/demo.duckdb).
# Ctrl-C stops all. See README, «Mở rộng / Scale-out».
serve-cluster: $(VENV)/.installed cluster-deps
	$(if $(CONFIG),NQ71_CONFIG=$(abspath $(CONFIG)),) $(PY) -m deploy.cluster --workers $(or $(WORKERS),2) --port $(or $(PORT),8500) $(if $(NQ71_DB),--db $(NQ71_DB),)

lint:
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

format:
	$(PY) -m ruff format . && $(PY) -m ruff check --fix .

# Rewrite the committed demo sheets (seeded: the same files every time).
demo-files: $(VENV)/.installed
	$(PY) -m data_sources demo

clean:
	rm -rf data/*.duckdb* tests/artifacts .pytest_cache
