# policytext: the two commands are `make demo` and `make test`.
# Both create a virtual environment in .venv and install what they need.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo test test-fast evaluate benchmark clean chromium

TORCH       := 2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, as the CPU build: from PyTorch's CPU wheel index where it is reachable (the plain pin
	# pulls a multi-GB CUDA build from PyPI on Linux), else the plain pin (a mirror or local wheels may
	# hold the CPU build). A torch 2.13.0 already in .venv (e.g. a GPU build, see the README) is kept.
	$(PY) -m pip install --quiet --timeout 20 --retries 1 --index-url $(TORCH_INDEX) torch==$(TORCH) \
	  || $(PY) -m pip install --quiet torch==$(TORCH)
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
	$(VENV)/bin/policytext evaluate sentences $(SHARED)/eval/dev/sentences.jsonl $(SHARED)/eval/dev/sentences-2.jsonl --corpus $(SHARED)/corpora

clean:
	rm -rf $(VENV) demo-output .pytest_cache
