# Two commands: `make all` builds the four editions of the paper in $(SOURCE) into $(BUILD);
# `make test` runs the tests. Both set up what they need on a fresh machine.

SOURCE    ?= source
BUILD     ?= build
TEMPLATES ?=
PYTHON    ?= python3
VENV      := .venv
PY        := $(VENV)/bin/python

SLUG := $(shell sed -n "s/^slug:[[:space:]]*['\"]*\([^'\"]*\)['\"]*[[:space:]]*$$/\1/p" $(SOURCE)/paper.yaml 2>/dev/null)
TEMPLATE_ARG := $(if $(TEMPLATES),--templates $(TEMPLATES))
BUILD_CMD := $(PY) -m pipeline build --source $(SOURCE) --out $(BUILD) $(TEMPLATE_ARG)
# Everything an edition depends on: a change to any of these rebuilds; nothing changed, nothing runs.
DEPS := $(shell find $(SOURCE) templates pipeline $(TEMPLATES) -type f ! -name '*.pyc' 2>/dev/null) pyproject.toml
INSTALLED := $(VENV)/.installed

PDF  := $(BUILD)/$(SLUG).pdf
EPUB := $(BUILD)/$(SLUG).epub
DOCX := $(BUILD)/$(SLUG).docx
HTML := $(BUILD)/index.html

.PHONY: all html pdf epub docx check test test-fast tools lint format bench clean distclean
.DELETE_ON_ERROR:

all: $(HTML) $(PDF) $(EPUB) $(DOCX)

html: $(HTML)
pdf: $(PDF)
epub: $(EPUB)
docx: $(DOCX)

$(PDF): $(DEPS) | $(INSTALLED)
	$(BUILD_CMD) --formats pdf
$(EPUB): $(DEPS) | $(INSTALLED)
	$(BUILD_CMD) --formats epub
$(DOCX): $(DEPS) | $(INSTALLED)
	$(BUILD_CMD) --formats docx
# The web page lists the other editions with their sizes and checksums, so it comes after them.
$(HTML): $(PDF) $(EPUB) $(DOCX) $(DEPS) | $(INSTALLED)
	$(BUILD_CMD) --formats html

check: | $(INSTALLED)
	$(PY) -m pipeline check --source $(SOURCE)

# The virtual environment, made again whenever pyproject.toml changes.
$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# The validators and viewers the tests use (Debian and npm packages); installs only what is missing.
tools: | $(INSTALLED)
	bash scripts/install-tools.sh

test: tools | $(INSTALLED)
	$(PY) -m pytest -q

# The quick tests only (no validators, no fuzzing): for a fast edit-test loop.
test-fast: | $(INSTALLED)
	$(PY) -m pytest -q -m "not slow"

lint: | $(INSTALLED)
	$(PY) -m ruff check pipeline tests
	$(PY) -m ruff format --check pipeline tests

format: | $(INSTALLED)
	$(PY) -m ruff format pipeline tests
	$(PY) -m ruff check --fix pipeline tests

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(VENV) node_modules
