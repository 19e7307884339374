# photoguard set-up and tasks. Two commands do everything on a fresh clone:
#   make demo   -> virtualenv, install, system packages, fetch models, protect examples/astronaut.png
#   make test   -> the same set-up, then the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Debian packages the tests use: exiftool (metadata oracle), chromium (app end-to-end test).
SYSTEM_PACKAGES := libimage-exiftool-perl chromium

.PHONY: setup venv system models demo test bench clean

setup: venv system models

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v 'is ignored' || true
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

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/encoders.py
	$(BIN)/python benchmarks/protection.py

clean:
	rm -rf out .pytest_cache
