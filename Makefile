# Two commands do all the set-up on a fresh Debian machine:
#   make publish   install what is missing, then build every publication into output/
#   make test      install what is missing, then run the test suite
#   make preview   serve a publication in the browser, rebuilt as you edit (PUB=name)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Cores for a build: unset, the profile's (profiles/default/profile.yaml: all of them), as a
# bare `snakemake` uses; `make publish CORES=2` for fewer. The benchmark and the reference
# pages are measured on 2 unless told.
CORES ?=
# What WeasyPrint and the checks need from Debian (fonts-noto-core: the Latin faces of
# English and other Latin-script publications). libharfbuzz-subset0 matters: without
# it WeasyPrint subsets the CJK fonts about 12x slower and says nothing.
# libgs-common brings the CMYK profile the press edition's example output intent uses;
# libcairo2 is what cairosvg draws the text's SVG pictures with for the Word editions;
# libreoffice-writer lays out the Word edition once, for its contents' page numbers
# (src/paperpress/wordpages.py).
DEB_PACKAGES := fonts-noto-cjk fonts-noto-core libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
	poppler-utils libgs-common libcairo2 libreoffice-writer
# The tests also open the web edition in a real browser, Debian's chromium with its driver.
TEST_PACKAGES := chromium chromium-driver
STAMP := $(VENV)/.installed

.PHONY: publish approve test preview bench update-page-references setup system-packages clean

# The same run as a bare `snakemake`: the workflow's profile (profiles/default) sets the
# cores, the scheduler, keep-going and rerun-incomplete, and the workflow clears a lock a
# killed build left (workflow/rules/common.smk).
publish: setup
	$(BIN)/snakemake $(if $(CORES),--cores $(CORES))

# Mark the release output/$(PUB) shows as approved, once someone has signed it off: the
# next publishes' change reports (changes.html) compare with it, and it is never pruned.
approve: setup
	@test -n "$(PUB)" || { echo "usage: make approve PUB=<publication>"; exit 2; }
	$(BIN)/paperpress approve $(PUB)

test: setup
	@$(MAKE) --no-print-directory system-packages DEB_PACKAGES="$(TEST_PACKAGES)"
	$(BIN)/python -m pytest

# Live preview of one publication (PUB=its folder in sources/; default: the only one, else
# the first) on 127.0.0.1, rebuilt and reloaded as sources/ and templates/ change. Ctrl-C
# stops it. (paperpress preview clears a stale lock itself, as publish does.)
PUB ?=
preview: setup
	PYTHONPATH=src $(BIN)/python -m paperpress preview $(PUB)

# Timings of clean, no-op and incremental builds (by hand; not part of the tests).
bench: setup
	$(BIN)/python tools/bench.py --cores $(or $(CORES),2)

# The reference page images the page-image test compares with (tests/reference-pages/):
# renders the declared pages of a fresh build and writes those that changed. A deliberate
# step: look at what it reports (and build/page-diffs/) before committing the images.
update-page-references: setup
	$(BIN)/python tools/update_page_references.py --cores $(or $(CORES),2)

setup: system-packages $(STAMP)

system-packages:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf build figures/*/ output/*/ .snakemake

# qpdf checks the press edition's PDF structure (tests/test_press_edition.py).
TEST_PACKAGES += qpdf
