# The two set-up commands of the README: `make run` and `make test`.
# Each installs what it needs: Debian packages Qt needs (when apt is usable),
# a virtualenv in .venv, and the Python packages.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# axe-core (npm) for the web pages' accessibility tests, at the locked version.
AXE := node_modules/axe-core/axe.min.js

.PHONY: run test lint bench installer sysdeps-run sysdeps-test clean

run: sysdeps-run $(STAMP)
	$(BIN)/bippop-desk run --demo-if-empty

test: sysdeps-test $(STAMP) $(AXE)
	$(BIN)/ruff check .
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench all

# The Linux one-folder app in dist/bippop-desk/ (PyInstaller); the Windows installer is
# built from the same spec on Windows, then installer/bippop-desk.iss (Inno Setup).
installer: sysdeps-test $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python installer/build_resources.py
	QT_QPA_PLATFORM=offscreen $(BIN)/pyinstaller installer/bippop-desk.spec --noconfirm
	@echo "Application prête : dist/bippop-desk/bippop-desk"

sysdeps-run:
	@bash installer/debian-deps.sh run

sysdeps-test:
	@bash installer/debian-deps.sh test

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE)

clean:
	rm -rf node_modules $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
