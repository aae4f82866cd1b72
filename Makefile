# User commands. Every target installs missing Debian packages first (deps).
BUILD   ?= build
JOBS    ?= $(shell nproc)
MODEL   ?= models/mnist_int8
IMAGES  ?= data/mnist/test-images-idx3-ubyte.gz
LABELS  ?= data/mnist/test-labels-idx1-ubyte.gz
LIMIT   ?= 100
CTEST_ARGS ?=

.PHONY: all deps deps-train configure build test sim mnist regress wave lint bench train data clean

all: build

deps:
	@bash scripts/deps.sh

deps-train:
	@bash scripts/deps.sh --train

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The main job: the quantized MNIST CNN on held-out images.
# Every conv/linear layer on the RTL device, every psum and output checked against golden
# (docs/cosim.md). COSIM_ARGS adds options, e.g. COSIM_ARGS='--rtl-layers conv2 --json r.json'.
COSIM_ARGS ?=
sim: build
	$(BUILD)/sim/cosim mnist --model $(MODEL) --images $(IMAGES) --labels $(LABELS) --limit $(LIMIT) $(COSIM_ARGS)

mnist: build
	$(BUILD)/sim/cosim mnist --model $(MODEL) --images $(IMAGES) --labels $(LABELS) $(COSIM_ARGS)

# Random layers and vector sets on the int8, int4 and ece284 RTL (SEEDS=N, default 100).
regress: build
	JOBS=$(JOBS) bash scripts/regress.sh $(BUILD)

wave: build
	bash scripts/wave.sh $(BUILD)

lint: deps
	bash scripts/lint.sh

bench: build
	bash scripts/bench.sh $(BUILD)

# Re-fetch MNIST, retrain and re-export every model (PyTorch, CPU).
data: deps-train
	/usr/bin/python3 scripts/make_mnist_idx.py --out data/mnist

train: deps-train
	bash golden/train/train_all.sh

clean:
	rm -rf $(BUILD)
