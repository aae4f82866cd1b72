# User commands (`make help` lists them). Every target installs the Debian packages it needs first
# and builds only what it runs; the build's own output goes to $(BUILD)/build.log.
BUILD   ?= build
JOBS    ?= $(shell nproc)
MODEL   ?= models/mnist_int8
# Empty: the model's own data set (model.json "reference": images and labels).
IMAGES  ?=
LABELS  ?=
LIMIT   ?= 100
# A configuration of rtl/configs.txt; empty: the first one with the model's widths.
CONFIG  ?=
CTEST_ARGS ?=
COSIM_ARGS ?=
# local: this machine, every core (cosim --jobs); slurm: one sbatch job array of SHARDS tasks,
# merged (scripts/slurm_launch.sh, docs/cluster.md: PARTITION, TIME, MEM, CPUS, SBATCH_ARGS).
LAUNCHER ?= local
SHARDS  ?= 4
# The configurations the tests name (two widths, the course's 16-bit psums, a non-square array):
# what make coverage and make mutate build, since the larger arrays repeat the same RTL.
TEST_CONFIGS := int8 int4 ece284 odd4x6
# $(call cmake_list,a b c) = a;b;c, a CMake list (ACCEL_CONFIGS_ONLY).
cmake_list = $(subst $(eval) ,;,$(strip $(1)))
comma := ,
# make coverage: its own build directory (-DACCEL_COVERAGE=ON), the configurations built there
# (applied when COV_BUILD is configured) and the regression's seeds.
COV_BUILD ?= build-cov
COV_CONFIGS ?= $(TEST_CONFIGS)
COV_SEEDS ?= 10
# The whole-network tests ([mnist]) leave out: at -O0 with coverage the core runs ~1,500 cycles/s,
# 20 MNIST images took 588 s, and they run no RTL line the regression does not (docs/coverage.md).
COV_CTEST_ARGS ?= -LE mnist
# make fuzz: seconds per harness; FUZZERS narrows the harnesses (fuzz_idx fuzz_npy ...).
FUZZ_SECONDS ?= 60
FUZZERS ?=

# make test SANITIZE=1 (docs/sanitizers.md): the suite built with ASan and UBSan in build-asan/.
SANITIZE ?=
ifeq ($(SANITIZE),1)
  ifeq ($(origin BUILD),file)
    BUILD := build-asan
  endif
  # Only the configurations the tests name (TEST_CONFIGS): the larger arrays repeat the same RTL,
  # and three more models of each kind under ASan did not fit CI's 90 minutes.
  export CMAKE_ARGS += -DACCEL_SANITIZE=ON -DACCEL_CONFIGS_ONLY=$(call cmake_list,$(TEST_CONFIGS))
  # A leak, an out-of-bounds access or undefined behaviour fails the test; the suppressions name
  # reports that are not bugs of ours (tests/sanitizers/*.supp, each entry explained there).
  ASAN_COMMON := detect_leaks=1:abort_on_error=0:strict_string_checks=1
  export ASAN_OPTIONS  = $(ASAN_COMMON):detect_stack_use_after_return=1
  # SystemC switches its threads' stacks by hand (QuickThreads), which ASan's fake stack for
  # use-after-return cannot follow (they crash in the kernel): the [systemc] tests run without
  # that one check, every other check on.
  SYSTEMC_ASAN_OPTIONS := $(ASAN_COMMON):detect_stack_use_after_return=0
  export UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1:suppressions=$(CURDIR)/tests/sanitizers/ubsan.supp
  export LSAN_OPTIONS  = suppressions=$(CURDIR)/tests/sanitizers/lsan.supp:print_suppressions=0
endif

COSIM      = $(BUILD)/sim/cosim
BUILD_CMD  = bash scripts/build.sh $(BUILD) $(JOBS)
CONFIG_ARG = $(if $(CONFIG),--config $(CONFIG))
DATA_ARGS  = $(if $(IMAGES),--images $(IMAGES) --labels $(LABELS))
# cosim brings the verilated model it needs up to date before it runs (sim/src/core_loader.cpp).
RUN_COSIM  = ACCEL_REBUILD_MODELS=1 $(COSIM)

.PHONY: format help all deps deps-test deps-wave deps-train deps-sweep configure build test sim mnist regress wave lint \
        bench train data clean test-slurm fuzz mutate coverage dataflow sweep lenet train-lenet conformance

help:
	@echo "make sim        build what it needs, then the quantized MNIST CNN on LIMIT=$(LIMIT) held-out images"
	@echo "                through the RTL, every psum and output checked (MODEL, CONFIG, LIMIT, COSIM_ARGS)"
	@echo "make mnist      the same on all 2,004 held-out images"
	@echo "make test       the CTest suite, what CI runs (CTEST_ARGS, e.g. CTEST_ARGS='-L golden')"
	@echo "                make test SANITIZE=1: the same suite under ASan and UBSan (build-asan/)"
	@echo "make regress    random layers and vector sets on every configuration (SEEDS, FIRST_SEED)"
	@echo "                make mnist / make regress LAUNCHER=slurm SHARDS=N: as one Slurm job array, merged"
	@echo "make dataflow   weight- vs output-stationary per layer on the RTL (MNIST, VGG16, CIFAR-10 shapes;"
	@echo "                8x8 and 16x16): docs/dataflow.md"
	@echo "make sweep      the precision sweep: the nine A/W in {2,4,8} MNIST models through their RTL builds,"
	@echo "                accuracy, memory, cycles and energy, and each in the SIMD mode where a core has it;"
	@echo "                CSV, JSON, simd.md and plots in results/sweep/ (SWEEP_ARGS)"
	@echo "make test-slurm a one-node Slurm cluster on this machine; sharded runs through it = local runs"
	@echo "make lenet      the reference LeNet from ONNX (LENET_ONNX, zero points) imported and run on the RTL,"
	@echo "                2,004 images; make train-lenet retrains it (docs/onnx.md)"
	@echo "make conformance ONNX's conformance tests of the quantized operators: importer, golden, RTL"
	@echo "make wave       a traced MNIST layer and the GTKWave layout (MODEL, LAYER, IMAGE, WINDOW, CONFIG)"
	@echo "make lint       verilator --lint-only -Wall, every configuration; no C++ function over 80 lines"
	@echo "make bench      simulation speed per configuration, build times, edit-to-result times"
	@echo "make coverage   Verilator line and toggle coverage of the RTL under the CTest suite and a COV_SEEDS=$(COV_SEEDS)"
	@echo "                regression: per-module table, lcov HTML in $(COV_BUILD)/coverage/html (COV_CONFIGS,"
	@echo "                COV_CTEST_ARGS='$(COV_CTEST_ARGS)'; docs/coverage.md)"
	@echo "make fuzz       the libFuzzer harnesses (fuzz/), each FUZZ_SECONDS=$(FUZZ_SECONDS) s, one at a time (FUZZERS)"
	@echo "make mutate     the RTL mutants of tests/mutants.txt, each rebuilt and tested: killed or survived (MUTANTS)"
	@echo "make format     clang-format -i the C++ (.clang-format)"
	@echo "make build      configure and build everything; make clean removes $(BUILD)/"
	@echo "make deps       install missing Debian packages (each target does this itself)"
	@echo "make train      retrain and re-export every model (PyTorch, CPU); make data re-fetches MNIST"
	@echo "variables: BUILD=$(BUILD) JOBS=$(JOBS) MODEL=$(MODEL) CONFIG=$(CONFIG) LIMIT=$(LIMIT)"
	@if [ -f $(BUILD)/configs.list ]; then echo "configurations (rtl/configs.txt): $$(cut -d' ' -f1 $(BUILD)/configs.list | tr '\n' ' ')"; \
	 else echo "configurations: rtl/configs.txt (one line each)"; fi

all: build

deps:
	@bash scripts/deps.sh

deps-test:
	@bash scripts/deps.sh --test

deps-wave:
	@bash scripts/deps.sh --wave

deps-train:
	@bash scripts/deps.sh --train

deps-sweep:
	@bash scripts/deps.sh --sweep

configure: deps
	@$(BUILD_CMD) accel_configs

build: deps
	@$(BUILD_CMD)

CTEST = ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
test: deps-test
	@$(BUILD_CMD)
ifeq ($(SANITIZE),1)
	$(CTEST) -LE systemc $(CTEST_ARGS)
	ASAN_OPTIONS=$(SYSTEMC_ASAN_OPTIONS) $(CTEST) -L systemc $(CTEST_ARGS)
else
	$(CTEST) $(CTEST_ARGS)
endif

# The main job: the quantized MNIST CNN on held-out images, every conv/linear layer on the RTL
# device, every psum and output checked against golden (docs/cosim.md).
sim: deps
	@$(BUILD_CMD) cosim
	@$(RUN_COSIM) mnist --model $(MODEL) $(DATA_ARGS) --limit $(LIMIT) $(CONFIG_ARG) $(COSIM_ARGS)

# The precision sweep (docs/sweep.md): every MNIST model of models/ on the RTL build of its widths.
# Its own build directory with the configurations tagged sweep (-DACCEL_SWEEP=ON); cosim builds
# the model of each pair on first use.
SWEEP_BUILD ?= build-sweep
sweep: deps-sweep
	@CMAKE_ARGS="-DACCEL_SWEEP=ON" bash scripts/build.sh $(SWEEP_BUILD) $(JOBS) cosim
	@ACCEL_REBUILD_MODELS=1 /usr/bin/python3 scripts/sweep.py --build $(SWEEP_BUILD) $(SWEEP_ARGS)

mnist: deps
	@$(BUILD_CMD) cosim $(if $(filter slurm,$(LAUNCHER)),accel_models)
ifeq ($(LAUNCHER),slurm)
	@SHARDS=$(SHARDS) MODEL=$(MODEL) IMAGES=$(IMAGES) LABELS=$(LABELS) CONFIG=$(CONFIG) COSIM_ARGS="$(COSIM_ARGS)" \
	  bash scripts/slurm_launch.sh mnist $(BUILD)
else
	@$(RUN_COSIM) mnist --model $(MODEL) $(DATA_ARGS) $(CONFIG_ARG) $(COSIM_ARGS)
endif

regress: deps
	@$(BUILD_CMD) cosim accel_models
ifeq ($(LAUNCHER),slurm)
	@SHARDS=$(SHARDS) bash scripts/slurm_launch.sh regress $(BUILD)
else
	@JOBS=$(JOBS) bash scripts/regress.sh $(BUILD)
endif

# The reference LeNet brought in from ONNX (docs/onnx.md "LeNet"): LENET_ONNX imported into
# $(BUILD)/onnx/lenet_affine, then all 2,004 held-out images on the RTL, every psum checked;
# make train-lenet retrains it (PyTorch, CPU, about 5 minutes). make conformance: ONNX's own
# conformance tests of the quantized operators through the importer, golden and the RTL.
LENET_ONNX ?= models/onnx/lenet_affine.onnx
LENET_DIR = $(BUILD)/onnx/lenet_affine
MNIST_TEST = --images data/mnist/test-images-idx3-ubyte.gz --labels data/mnist/test-labels-idx1-ubyte.gz
lenet: deps
	@$(BUILD_CMD) cosim
	@$(COSIM) import $(LENET_ONNX) --out $(LENET_DIR)
	@$(RUN_COSIM) mnist --model $(LENET_DIR) $(MNIST_TEST) $(CONFIG_ARG) $(COSIM_ARGS)

train-lenet: deps-train
	/usr/bin/python3 golden/train/lenet.py --out $(LENET_ONNX)

conformance: deps-test
	@$(BUILD_CMD) cosim
	@$(RUN_COSIM) conformance $(CONFIG_ARG)

# Weight- against output-stationary per layer on the RTL: MNIST, VGG16 and CIFAR-10 shapes on 8x8
# and 16x16 (docs/dataflow.md, written by scripts/dataflow_tables.py).
dataflow: deps
	@$(BUILD_CMD) cosim accel_models
	@python3 scripts/dataflow_tables.py $(BUILD)

test-slurm: deps-test
	@bash scripts/deps.sh --slurm
	@$(BUILD_CMD) cosim accel_models
	@bash scripts/test_slurm.sh $(BUILD)

wave: deps-wave
	@$(BUILD_CMD) cosim
	@ACCEL_REBUILD_MODELS=1 CONFIG=$(CONFIG) bash scripts/wave.sh $(BUILD)

lint: configure
	@bash scripts/deps.sh --lint
	@bash scripts/lint.sh $(BUILD)
	@bash scripts/function_size.sh $(BUILD)

bench: deps
	@$(BUILD_CMD) accel-bench cosim accel_models
	@bash scripts/bench.sh $(BUILD)

# The libFuzzer harnesses (docs/fuzzing.md): a clang build in build-fuzz/, each harness for
# FUZZ_SECONDS; non-zero exit on any finding (kept in build-fuzz/fuzz-findings/).
fuzz:
	@bash scripts/deps.sh --fuzz
	@bash scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS) $(JOBS) $(FUZZERS)

# The mutation score of the RTL tests (docs/mutation.md): every mutant of tests/mutants.txt alone,
# rebuilt and tested in build-mutate/; MUTANTS=id,id narrows the set.
MUTANTS ?=
MUTATE_CONFIGS ?= $(TEST_CONFIGS)
mutate: deps-test
	@bash scripts/deps.sh --mutate
	@python3 scripts/mutate.py --jobs $(JOBS) --configs $(subst $(eval) ,$(comma),$(strip $(MUTATE_CONFIGS))) \
	  $(if $(MUTANTS),--only $(MUTANTS))
# Coverage (docs/coverage.md): a build of every model with Verilator line and toggle coverage in
# $(COV_BUILD)/, the CTest suite and a COV_SEEDS-seed regression on it, merged; lcov's genhtml renders
# $(COV_BUILD)/coverage/html and the per-module table is printed.
coverage:
	@bash scripts/deps.sh --test --coverage
	@CMAKE_ARGS="-DACCEL_COVERAGE=ON -DACCEL_CONFIGS_ONLY=$(call cmake_list,$(COV_CONFIGS))" \
	  bash scripts/build.sh $(COV_BUILD) $(JOBS)
	@SEEDS=$(COV_SEEDS) JOBS=$(JOBS) CTEST_ARGS="$(COV_CTEST_ARGS)" bash scripts/coverage.sh $(COV_BUILD)

# Re-fetch MNIST, retrain and re-export every model (PyTorch, CPU).
data: deps-train
	/usr/bin/python3 scripts/make_mnist_idx.py --out data/mnist

train: deps-train
	bash golden/train/train_all.sh

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.h' | grep -E '^(sw|sim|golden|tests|fuzz)/')

clean:
	rm -rf $(BUILD)
