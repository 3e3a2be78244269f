# The two commands of the README: `make book` and `make test`. Both bootstrap .venv first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PROFILE ?= cpu
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: book test venv vendor browser clean sync-notebooks

venv: $(STAMP)

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	@echo "== creating $(VENV) from requirements.txt (exact pins) =="
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -r requirements-nodeps.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	$(PY) -c "import dldna, torch, torchvision, jupyter_book; print('dldna', dldna.__version__, '| torch', torch.__version__)"
	$(PY) -m ipykernel install --sys-prefix --name python3 > /dev/null
	@# Real Fashion-MNIST (MD5-checked) into .venv/share/dldna/data; without a registry it says
	@# so in one line and the bundled stand-in is used, so the bootstrap goes on either way.
	$(PY) tools/fetch_fashion_mnist.py || true
	@# ELPV (solar cells, chapter 14; sha256-checked against dldna/data/elpv_manifest.sha256), the same way.
	$(PY) tools/fetch_elpv.py || true
	touch $(STAMP)

# MathJax, require.js and the ipywidgets HTML manager come from the npm registry at build time
# and are served from the book itself, so the HTML works with no internet.
vendor: $(STAMP)
	$(PY) tools/vendor_js.py

book: vendor
	@echo "== building the book (profile: $(PROFILE)) into _build/html =="
	DLDNA_PROFILE=$(PROFILE) $(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "open _build/html/index.html"

# The HTML tests drive Debian's Chromium through Playwright (which cannot download a browser here).
browser:
	@command -v chromium > /dev/null || { echo "== installing chromium (apt) =="; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null; }

# One torch thread per process: the two pytest workers already use both cores.
test: vendor browser
	OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadgroup --durations=15 tests

sync-notebooks: $(STAMP)
	$(PY) tools/sync_notebooks.py

clean:
	rm -rf _build
