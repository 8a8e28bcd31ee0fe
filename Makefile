# Zarrscope — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
REF_VENV := .venv-ref
URL ?=

.PHONY: run test install install-ref system-deps lint bench package package-test clean servers-start servers-stop

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[all,test]'
	touch $@

# zarr-python 3 and tensorstore live in their own venv: they are reference engines used
# by interop tests and benchmarks through a subprocess (zarr 2.18 and 3 cannot share one).
$(REF_VENV)/.installed: scripts/ref-requirements.txt
	$(PYTHON) -m venv $(REF_VENV)
	$(REF_VENV)/bin/python -m pip install -q --upgrade pip
	$(REF_VENV)/bin/python -m pip install -q -r scripts/ref-requirements.txt
	touch $@

install: $(VENV)/.installed
install-ref: $(REF_VENV)/.installed

system-deps:
	bash scripts/install-system.sh

run: $(VENV)/.installed
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ] && [ -z "$$QT_QPA_PLATFORM" ]; then \
		echo "No display found: starting the app under xvfb-run (install a desktop to see it)"; \
		xvfb-run -a $(PY) -m app $(URL); \
	else \
		$(PY) -m app $(URL); \
	fi

test: system-deps $(VENV)/.installed $(REF_VENV)/.installed
	bash scripts/test.sh

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check zarrcore app tests bench packaging
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(VENV)/.installed $(REF_VENV)/.installed
	$(PY) -m bench

package: $(VENV)/.installed
	bash packaging/build_linux.sh

package-test: package
	$(PY) -m pytest -p no:cacheprovider packaging/test_package.py

servers-start:
	bash scripts/servers.sh start
servers-stop:
	bash scripts/servers.sh stop

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache .servers
