# make setup: a virtualenv with the digitizer, its models and the test tools.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: setup setup-paddle system-deps foreign-deps test test-fast eval eval-hard eval-degraded eval-foreign eval-foreign-half bench bench-samples lint samples clean

setup: $(BIN)/digitize

$(BIN)/digitize: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,ray]'
	# paddlex requires the opencv-contrib-python distribution (it checks its metadata), which shares
	# the cv2 module with opencv-python-headless. Both are pinned to one version; reinstalling the
	# headless build last leaves its cv2 binary on disk (no libGL needed).
	$(BIN)/pip install -q --force-reinstall --no-deps 'opencv-python-headless==4.10.0.84'
	$(BIN)/python -c "import cv2, paddleocr, onnxruntime; from digitizer.ocr.models import model_folder, pins; from digitizer.settings import Settings; [model_folder(n, Settings().resolved_model_dir()) for n in pins()]"
	touch $(BIN)/digitize

# The tests also cover the paddle engine (native PaddlePaddle, CPU build, ~700 MB): extra `paddle`.
setup-paddle: $(VENV)/.paddle

$(VENV)/.paddle: $(BIN)/digitize
	$(BIN)/pip install -q -e '.[dev,ray,paddle]'
	$(BIN)/pip install -q --force-reinstall --no-deps 'opencv-python-headless==4.10.0.84'
	$(BIN)/python -c "import paddle, x2paddle, cv2"
	touch $@

# Debian packages the tests need (installed with apt-get when missing; CI runs as root):
# a CJK font for the sample generator, PostgreSQL for the archive tests, Chromium for the review page test.
# LibreOffice and the CJK fonts: the independent renderers of the foreign-variant tests.
DEB_PACKAGES = fonts-wqy-microhei fontconfig postgresql chromium libreoffice-writer-nogui fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming fonts-cwtex-fs
system-deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=sudo; \
	  else echo "warning: Debian packages missing: $$missing (install them as root: apt-get install $$missing); tests that need them skip"; exit 0; fi; \
	  echo "installing $$missing"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi

test: setup setup-paddle system-deps
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

# The stages one by one, from stored inputs and small drawn pages, through the real OpenCV and the
# pinned ONNX models: no PaddlePaddle, PostgreSQL, LibreOffice or Chromium; under 2 minutes.
FAST_TESTS = tests/stages tests/test_house.py tests/test_aliases.py tests/test_checks.py tests/test_load.py \
	tests/test_mapping.py tests/test_numbers.py tests/test_reconstruct.py tests/test_schema.py \
	tests/test_verify.py tests/test_workbook.py
test-fast: setup
	$(BIN)/python -m pytest -q -n 2 $(FAST_TESTS)

eval: setup
	$(BIN)/digitize eval scans/

eval-hard: setup
	$(BIN)/digitize eval scans/hard/

eval-degraded: setup
	$(BIN)/digitize eval scans/degraded/

# Reports drawn by the independent renderers (Word/LibreOffice, HTML/Chromium), every drawing
# choice of layout-variants.md at random, levels 0-2 and the hard conditions, from a fresh seed
# each run (printed; SEED=N repeats a run). Needs the Debian packages of foreign-deps.
FOREIGN_DIR ?= /tmp/digitizer-foreign
FOREIGN_ARGS ?= --count 60 --hard-each 2
eval-foreign: setup foreign-deps
	rm -rf $(FOREIGN_DIR)
	$(BIN)/python -m digitizer_tools.synth --foreign $(FOREIGN_DIR) $(FOREIGN_ARGS) $(if $(SEED),--seed $(SEED))
	$(BIN)/digitize eval $(FOREIGN_DIR)

eval-foreign-half: setup foreign-deps
	$(MAKE) eval-foreign FOREIGN_DIR=$(FOREIGN_DIR)-half FOREIGN_ARGS="--count 30 --hard-each 0 --scale 0.5"

FOREIGN_PACKAGES = libreoffice-writer-nogui chromium fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming fonts-cwtex-fs
foreign-deps:
	@missing=$$(for p in $(FOREIGN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=sudo; \
	  else echo "warning: Debian packages missing: $$missing (install them as root: apt-get install $$missing); tests that need them skip"; exit 0; fi; \
	  echo "installing $$missing"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi

# The benchmark runs on reports drawn by the independent renderers (a fixed seed, so that runs
# compare the same pages); bench-samples on the shipped scans/.
BENCH_DIR ?= /tmp/digitizer-bench-foreign
BENCH_SEED ?= 4242
bench: setup foreign-deps
	test -f $(BENCH_DIR)/truth/SEED || $(BIN)/python -m digitizer_tools.synth --foreign $(BENCH_DIR) --seed $(BENCH_SEED) --count 6 --hard-each 0
	$(BIN)/python -m digitizer_tools.bench $(BENCH_DIR) --docs 8 --repeats 3

bench-samples: setup
	$(BIN)/python -m digitizer_tools.bench scans/ --docs 4 --repeats 3

lint: setup
	$(BIN)/ruff check digitizer digitizer_tools tests
	$(BIN)/mypy  # the files and settings are pyproject.toml's [tool.mypy]

samples: setup
	$(BIN)/python -m digitizer_tools.synth scans/

clean:
	rm -rf out .pytest_cache
