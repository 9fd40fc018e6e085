# policytext: the two commands are `make demo` and `make test`.
# Both create a virtual environment in .venv and install what they need.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo test test-fast evaluate benchmark clean chromium

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[all,test]"
	touch $(STAMP)

install: $(STAMP)

## Run the main job on the bundled demo corpus: writes an alignment summary to demo-output/
demo: $(STAMP)
	$(VENV)/bin/policytext demo --out demo-output --force

## Headless Chromium for the HTML briefing test (Debian package; needs root or sudo-less apt)
chromium:
	command -v chromium || (apt-get update && apt-get install -y chromium)

## Run the whole test suite (slow tests included), 2 processes
test: $(STAMP) chromium
	$(VENV)/bin/pytest -n 2 --dist loadfile

## Only the fast tests
test-fast: $(STAMP)
	$(VENV)/bin/pytest -n 2 -m "not slow"

SHARED ?= ../shared
evaluate: $(STAMP)
	$(VENV)/bin/policytext evaluate sentences $(SHARED)/eval/dev/sentences.jsonl --corpus $(SHARED)/corpora

clean:
	rm -rf $(VENV) demo-output .pytest_cache
