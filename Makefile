# Two commands do all the set-up: `make demo` and `make test`.
# Each creates .venv when missing and installs everything needed.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test install clean lint

# torch 2.14.1 + torchvision 0.29.1 are the builds that work together on these machines
# (see ../shared/docs/OFFLINE.md); the extras pull transformers, open_clip, Lightning, MONAI, smp.
$(STAMP): pyproject.toml
	@# Debian's chromium for the web app's browser test (skipped with a reason where it cannot be installed)
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "note: could not install chromium; the browser test will be skipped"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "torch==2.14.1" "torchvision==0.29.1"
	$(PY) -m pip install -q -e ".[all,test]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/medvlseg demo

test: $(STAMP)
	$(PY) -m pytest -n 2 -q

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info .pytest_cache
