# photoguard set-up and tasks. Two commands do everything on a fresh clone:
#   make demo   -> virtualenv, install, system packages, fetch models, protect examples/astronaut.png
#   make test   -> the same set-up, then the gate (ruff, mypy, doctests) and the whole test suite
# For daily work, on a set-up checkout:
#   make check  -> the gate and every test but the browser's, the clusters' and the slow ones (a few minutes)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Debian packages the tests use: exiftool (metadata oracle), chromium (app end-to-end test).
SYSTEM_PACKAGES := libimage-exiftool-perl chromium
# The app's browser test: Korean and emoji fonts for headless Chromium, axe-core (npm) for its accessibility check.
SYSTEM_PACKAGES += fonts-nanum fonts-noto-color-emoji
AXE := $(VENV)/node_modules/axe-core/axe.min.js

.PHONY: setup venv system models demo lint test check bench clean

setup: venv system models

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v 'is ignored' || true
	@# the reference ColorVideoVDP for the tests and benchmarks, without the torchvision its metadata asks for
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps cvvdp==0.5.7 2>&1 | grep -v 'is ignored' || true
	$(BIN)/python -c "import photoguard, torch; print('photoguard', photoguard.__version__, 'torch', torch.__version__)"

system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

models: venv
	$(BIN)/photoguard models fetch

demo: setup
	$(BIN)/photoguard protect examples/astronaut.png -o out/

# The gate: lint and format, types (strict on the public API), the docstring examples.
define GATE
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q --doctest-modules src/photoguard -p no:cacheprovider
endef

lint: venv
	$(GATE)

test: setup lint
	$(BIN)/python -m pytest -q

# The quick lane for daily work, on a checkout already set up (no install): the gate, then the tests
# that need no browser (Chromium), no cluster (Ray, S3 on loopback) and are not marked slow (the
# full-size measurements, the wheel build). `make test` stays the complete run CI does.
FAST := not browser and not cluster and not slow
check: $(BIN)/python
	$(GATE)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "$(FAST)"

test: $(AXE)
$(AXE):
	@command -v npm >/dev/null || { echo "npm not found: the app's browser test needs axe-core (install Node.js)"; exit 0; }; \
	npm install --prefix $(VENV) --no-save --no-audit --no-fund --silent axe-core@4.14.1

bench: setup
	$(BIN)/python benchmarks/encoders.py
	$(BIN)/python benchmarks/protection.py

clean:
	rm -rf out .pytest_cache
