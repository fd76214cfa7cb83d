# twincore: the one entry point. `make help` lists the targets.
#
# One source list (CORE_SRC: every .c file in core/) feeds every build of
# the core. V=1 shows the commands. Under CI (CI=true), warnings are errors.

SHELL := /bin/bash
.DEFAULT_GOAL := help

BUILD ?= build
CC ?= cc
EMCC ?= emcc
NODE ?= node
NPM ?= npm

ifeq ($(V),1)
Q :=
else
Q := @
endif

CORE_SRC := $(sort $(wildcard core/*.c))
CORE_HDR := $(wildcard core/*.h)
CTEST_SRC := $(sort $(wildcard test/c/*.c))
CTEST_HDR := $(wildcard test/c/*.h)
NATIVE_SRC := $(sort $(wildcard native/*.c))
NATIVE_HDR := $(wildcard native/*.h)
JS_SRC := $(wildcard js/*.js js/*.mjs) index.d.ts

# The addon as npm builds it (node-gyp, binding.gyp), and the same sources
# built with ASan+UBSan for `make test-asan`.
ADDON := $(BUILD)/Release/twincore.node
ASAN_ADDON := $(BUILD)/asan/twincore.node
# The wasm backend's module: the core and wasm/exports.c compiled with the
# flags above plus -pthread (a shared memory), linked at -O2 so that import
# and export names stay readable for the pool threads (wasm/worker.js).
# It ships in the package, so it lives in a folder of its own (wasm/dist/)
# that no node-gyp command cleans; its objects stay under build/.
WASM_MOD_DIR := wasm/dist
WASM_MODULE := $(WASM_MOD_DIR)/twincore.js
WASM_BINARY := $(WASM_MOD_DIR)/twincore.wasm
WASM_OBJ_DIR := $(BUILD)/wasm-obj
WASM_OBJ := $(patsubst core/%.c,$(WASM_OBJ_DIR)/%.o,$(CORE_SRC)) $(WASM_OBJ_DIR)/exports.o
# The same module built without -msimd128: scalar wasm, which the backend
# loads under TWINCORE_SIMD=scalar and where the engine has no wasm SIMD.
# It ships too.
WASM_SCALAR_MODULE := $(WASM_MOD_DIR)/twincore-scalar.js
WASM_SCALAR_BINARY := $(WASM_MOD_DIR)/twincore-scalar.wasm
WASM_SCALAR_OBJ_DIR := $(BUILD)/wasm-scalar-obj
WASM_SCALAR_OBJ := $(patsubst $(WASM_OBJ_DIR)/%,$(WASM_SCALAR_OBJ_DIR)/%,$(WASM_OBJ))
WASM_FILES := $(WASM_MODULE) $(WASM_BINARY) $(WASM_SCALAR_MODULE) $(WASM_SCALAR_BINARY)
WASM_EXPORTS := _malloc,_free,_tc_run,_tc_plan,_tc_job_work,_tc_job_init,_tc_strerror,_tc_kernel_name,_tc_kernel_path,_tc_wasm_layout,_tc_wasm_heap_used,_tc_wasm_compiler,_emscripten_stack_set_limits
# The link's optimiser (Binaryen) inlines every function that has one
# caller, whatever its size, which undoes the C's noinline (see
# tc__leaf_any in core/sort_impl.h); here it keeps to its small-function
# rules. The same code with and without this, a 16M-element wasm sort
# (threads 1, three rounds, least of 7 calls): uint32 126-132 ms against
# 148-155, float64 274-302 against 357-368; sha256, stats and matmul the
# same. A one-caller limit of 200 instead kept the sort's gain but slowed
# sha256 16 MiB from 39 to 59-70 ms.
WASM_INLINE := -sBINARYEN_EXTRA_PASSES=--one-caller-inline-max-function-size=0
WASM_LDFLAGS := -O2 $(WASM_INLINE) -msimd128 -pthread --no-entry -sEXPORTED_FUNCTIONS=$(WASM_EXPORTS) \
  -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=16MB -sMAXIMUM_MEMORY=4GB -Wno-pthreads-mem-growth \
  -sMODULARIZE=1 -sEXPORT_NAME=createTwincore -sENVIRONMENT=node,worker -sPTHREAD_POOL_SIZE=0

# The addon prebuilt for this platform (prebuildify; node-gyp-build loads it
# before compiling anything): what `npm pack` ships beside the wasm module.
PREBUILD := $(shell $(NODE) -p "'prebuilds/' + process.platform + '-' + process.arch + '/twincore.' + \
  (require('fs').existsSync('/etc/alpine-release') ? 'musl' : 'glibc') + '.node'")

# The core's fuzzer (libFuzzer: clang with ASan and UBSan), its corpus, and
# how long `make fuzz` runs.
FUZZ := $(BUILD)/fuzz/fuzz_core
FUZZ_SRC := test/fuzz/fuzz_core.c test/c/ref.c
FUZZ_CORPUS := test/fuzz/corpus
FUZZ_SECONDS ?= 600

# The bench's peers: a bare Node-API async work item, and OpenBLAS's sgemm.
BENCH_BARE := $(BUILD)/bench/bare.node
BENCH_BARE_CG := $(BUILD)/bench/bare-callgrind.node
BENCH_SGEMM := $(BUILD)/bench/sgemm
# A large sort's time per phase, from the same C built natively and to wasm
# at each backend's flags (`make sort-phases`).
SORT_PHASES := $(BUILD)/bench/sort-phases
SORT_PHASES_WASM := $(BUILD)/bench/sort-phases.js

# Node's headers: next to this node when it has them (Debian does), else
# node-gyp's download cache.
NODE_INCLUDE ?= $(shell $(NODE) -p "const p=require('path'),f=require('fs');const a=p.resolve(process.execPath,'../../include/node');f.existsSync(p.join(a,'node_api.h'))?a:p.join(require('os').homedir(),'.cache/node-gyp',process.versions.node,'include/node')")

# Bit-identical results across builds: no fused multiply-add, no fast-math.
FP_FLAGS := -ffp-contract=off -fno-fast-math
WARN := -Wall -Wextra -Wconversion -Wvla -Wstrict-prototypes
ifneq ($(filter true 1,$(CI)),)
WARN += -Werror
endif
CSTD := -std=c11 -D_POSIX_C_SOURCE=200809L

NATIVE_CFLAGS := $(CSTD) -O3 -g $(WARN) $(FP_FLAGS)
ASAN_CFLAGS := $(CSTD) -O1 -g $(WARN) $(FP_FLAGS) -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=all
# The same flags as the wasm backend's compute (-O3 -msimd128), so that the
# cross-build digest compares what ships; and those of its scalar module.
WASM_CFLAGS := $(CSTD) -O3 -msimd128 $(WARN) $(FP_FLAGS)
WASM_SCALAR_CFLAGS := $(filter-out -msimd128,$(WASM_CFLAGS))
# clang: libFuzzer with ASan and UBSan, the same arithmetic as every build.
FUZZ_CFLAGS := $(CSTD) -O1 -g $(WARN) $(FP_FLAGS) -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=all
WASM_TEST_LDFLAGS := $(WASM_INLINE) -sNODERAWFS=1 -sWASM_ASYNC_COMPILATION=0 \
  -sALLOW_MEMORY_GROWTH=1 -sEXIT_RUNTIME=1

# Debian's emcc finds acorn only through NODE_PATH.
export NODE_PATH := $(if $(NODE_PATH),$(NODE_PATH):,)/usr/share/nodejs

##@ Main

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} \
	  /^##@/ {printf "\n%s\n", substr($$0, 5); next} \
	  /^[a-zA-Z0-9_-]+:.*## / {printf "  make %-16s %s\n", $$1, $$2}' \
	  $(MAKEFILE_LIST)

.PHONY: test
test: deps deps-valgrind test-build ## install what is missing, build and run every test
	$(Q)$(NODE) test/run.js

.PHONY: bench
bench: deps deps-bench $(ADDON) $(WASM_FILES) $(BENCH_BARE) $(BENCH_SGEMM) ## build both backends, run the benchmark, write the report (BENCH=full for everything)
	$(Q)$(NODE) --expose-gc bench/run.js

.PHONY: sort-phases
sort-phases: $(SORT_PHASES) $(SORT_PHASES_WASM) ## a large sort's time per phase, native vs wasm (the same C; SORT_N elements)
	$(Q)$(NODE) bench/sort-phases.js $(SORT_PHASES) $(SORT_PHASES_WASM) $(SORT_N)

.PHONY: main-thread-ir
main-thread-ir: deps-valgrind $(ADDON) $(WASM_FILES) $(BENCH_BARE_CG) ## instructions the main thread runs per zero-copy async call, large input vs small (under callgrind; the least of 5 windows of IR_CALLS calls)
	$(Q)$(NODE) bench/main-thread-ir.js $(BENCH_BARE_CG) $(IR_CALLS)

.PHONY: test-report
test-report: deps-chromium ## render the latest bench report in headless Chromium to a PNG
	$(Q)if [ ! -f bench/results/latest.html ]; then $(MAKE) --no-print-directory bench BENCH=smoke; fi
	$(Q)$(NODE) bench/screenshot.js bench/results/latest.html $(BUILD)/report.png

##@ Tests, one build at a time

.PHONY: test-build
test-build: $(BUILD)/native/test_core $(BUILD)/asan/test_core \
  $(BUILD)/wasm/test_core.js $(BUILD)/wasm-scalar/test_core.js $(ADDON) $(ASAN_ADDON) $(WASM_FILES) $(FUZZ) \
  $(BENCH_BARE) $(BENCH_BARE_CG) $(SORT_PHASES) $(SORT_PHASES_WASM) ## build everything the tests run

.PHONY: test-js
test-js: deps-npm $(ADDON) $(WASM_FILES) ## uvu tests of the package (every backend)
	$(Q)$(NODE) test/run.js js

.PHONY: test-native
test-native: $(BUILD)/native/test_core ## C tests of the core, native build
	$(Q)$(NODE) test/run.js core-native

.PHONY: test-asan
test-asan: deps-npm $(BUILD)/asan/test_core $(ASAN_ADDON) ## C tests and the addon's uvu tests under ASan + UBSan
	$(Q)$(NODE) test/run.js core-asan js-asan

.PHONY: test-wasm
test-wasm: deps-emcc $(BUILD)/wasm/test_core.js $(BUILD)/wasm-scalar/test_core.js ## C tests built with emcc (simd128 and scalar), run by node
	$(Q)$(NODE) test/run.js core-wasm core-wasm-scalar

.PHONY: test-types
test-types: deps-npm $(ADDON) $(WASM_FILES) ## compile and run the types' usage file for every TypeScript module setting
	$(Q)$(NODE) test/run.js types

.PHONY: test-package
test-package: deps test-build ## npm pack, the tarball's files, installs into fresh projects (with and without a compiler)
	$(Q)$(NODE) test/run.js package

.PHONY: fuzz
fuzz: $(FUZZ) ## fuzz the core for FUZZ_SECONDS (600), adding new inputs to test/fuzz/corpus/
	@mkdir -p $(FUZZ_CORPUS)
	$(Q)$(FUZZ) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(FUZZ_CORPUS)

.PHONY: test-fuzz
test-fuzz: $(FUZZ) ## the fuzzer for 60 s from the checked-in corpus (what make test runs)
	$(Q)$(NODE) test/run.js fuzz

$(FUZZ): $(CORE_SRC) $(CORE_HDR) $(FUZZ_SRC) test/c/ref.h | deps-fuzz
	@mkdir -p $(@D)
	@echo "  CLANG   $@ (libFuzzer+asan+ubsan)"
	$(Q)clang $(FUZZ_CFLAGS) $(CORE_SRC) $(FUZZ_SRC) -o $@ -lm

.PHONY: test-digest
test-digest: deps-emcc test-build ## compare kernel outputs across the builds and TWINCORE_SIMD caps
	$(Q)$(NODE) test/run.js digest

$(BUILD)/native/test_core: $(CORE_SRC) $(CTEST_SRC) $(CORE_HDR) $(CTEST_HDR)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(NATIVE_CFLAGS) $(CORE_SRC) $(CTEST_SRC) -o $@ -lm -pthread

$(BUILD)/asan/test_core: $(CORE_SRC) $(CTEST_SRC) $(CORE_HDR) $(CTEST_HDR)
	@mkdir -p $(@D)
	@echo "  CC      $@ (asan+ubsan)"
	$(Q)$(CC) $(ASAN_CFLAGS) $(CORE_SRC) $(CTEST_SRC) -o $@ -lm -pthread

$(BUILD)/wasm/test_core.js: $(CORE_SRC) $(CTEST_SRC) $(CORE_HDR) $(CTEST_HDR) | deps-emcc
	@mkdir -p $(@D)
	@echo "  EMCC    $@"
	$(Q)$(EMCC) $(WASM_CFLAGS) $(CORE_SRC) $(CTEST_SRC) -o $@ $(WASM_TEST_LDFLAGS)

$(BUILD)/wasm-scalar/test_core.js: $(CORE_SRC) $(CTEST_SRC) $(CORE_HDR) $(CTEST_HDR) | deps-emcc
	@mkdir -p $(@D)
	@echo "  EMCC    $@ (scalar)"
	$(Q)$(EMCC) $(WASM_SCALAR_CFLAGS) $(CORE_SRC) $(CTEST_SRC) -o $@ $(WASM_TEST_LDFLAGS)

##@ The addon

.PHONY: addon
addon: $(ADDON) ## build the Node-API addon with node-gyp

$(ADDON): $(CORE_SRC) $(CORE_HDR) $(NATIVE_SRC) $(NATIVE_HDR) binding.gyp | deps-npm
	@echo "  GYP     $@"
	$(Q)$(NODE) native/build.js $(if $(Q),>/dev/null,)
	$(Q)touch $@

$(ASAN_ADDON): $(CORE_SRC) $(CORE_HDR) $(NATIVE_SRC) $(NATIVE_HDR)
	@mkdir -p $(@D)
	@echo "  CC      $@ (asan+ubsan)"
	$(Q)$(CC) $(ASAN_CFLAGS) -shared -fPIC -I$(NODE_INCLUDE) $(NATIVE_SRC) $(CORE_SRC) -o $@

.PHONY: prebuild
prebuild: $(PREBUILD) ## build the addon for the baseline ISA into prebuilds/ (prebuildify)

$(PREBUILD): $(CORE_SRC) $(CORE_HDR) $(NATIVE_SRC) $(NATIVE_HDR) binding.gyp | deps-npm
	$(Q)$(NODE) native/prebuild.js

##@ The package

.PHONY: dist
dist: $(WASM_FILES) $(PREBUILD) ## what npm pack ships besides sources: the wasm modules and the prebuild (npm's prepack runs this)

##@ The wasm module

.PHONY: wasm
wasm: $(WASM_FILES) ## build the wasm backend's modules (simd128 and scalar) with emcc

$(WASM_OBJ_DIR)/%.o: core/%.c $(CORE_HDR) | deps-emcc
	@mkdir -p $(@D)
	@echo "  EMCC    $@"
	$(Q)$(EMCC) $(WASM_CFLAGS) -pthread -c $< -o $@

$(WASM_OBJ_DIR)/exports.o: wasm/exports.c $(CORE_HDR) | deps-emcc
	@mkdir -p $(@D)
	@echo "  EMCC    $@"
	$(Q)$(EMCC) $(WASM_CFLAGS) -pthread -c $< -o $@

$(WASM_SCALAR_OBJ_DIR)/%.o: core/%.c $(CORE_HDR) | deps-emcc
	@mkdir -p $(@D)
	@echo "  EMCC    $@"
	$(Q)$(EMCC) $(WASM_SCALAR_CFLAGS) -pthread -c $< -o $@

$(WASM_SCALAR_OBJ_DIR)/exports.o: wasm/exports.c $(CORE_HDR) | deps-emcc
	@mkdir -p $(@D)
	@echo "  EMCC    $@"
	$(Q)$(EMCC) $(WASM_SCALAR_CFLAGS) -pthread -c $< -o $@

$(WASM_MODULE) $(WASM_BINARY) &: $(WASM_OBJ)
	@mkdir -p $(WASM_MOD_DIR)
	@echo "  EMLINK  $(WASM_MODULE)"
	$(Q)$(EMCC) $(WASM_OBJ) -o $(WASM_MODULE) $(WASM_LDFLAGS)
	@# Emscripten's own pthread worker script: unused, the pool is ours.
	$(Q)rm -f $(WASM_MOD_DIR)/twincore.worker.js

$(WASM_SCALAR_MODULE) $(WASM_SCALAR_BINARY) &: $(WASM_SCALAR_OBJ)
	@mkdir -p $(WASM_MOD_DIR)
	@echo "  EMLINK  $(WASM_SCALAR_MODULE)"
	$(Q)$(EMCC) $(WASM_SCALAR_OBJ) -o $(WASM_SCALAR_MODULE) $(filter-out -msimd128,$(WASM_LDFLAGS))
	$(Q)rm -f $(WASM_MOD_DIR)/twincore-scalar.worker.js

##@ The bench's peers

$(BENCH_BARE): bench/peers/bare.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) -std=c11 -O2 -shared -fPIC $(WARN) -I$(NODE_INCLUDE) $< -o $@

# The same peer with dump() (callgrind's client request, where valgrind's
# header is found), for make main-thread-ir and its test.
$(BENCH_BARE_CG): bench/peers/bare.c | deps-valgrind
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) -std=c11 -O2 -shared -fPIC $(WARN) -DBARE_CALLGRIND -I$(NODE_INCLUDE) $< -o $@

$(BENCH_SGEMM): bench/peers/sgemm.c | deps-bench
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) -std=c11 -O2 -D_POSIX_C_SOURCE=200809L $(WARN) $< -o $@ -lopenblas

$(SORT_PHASES): bench/sort-phases.c $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(NATIVE_CFLAGS) -Icore $< $(CORE_SRC) -o $@ -lm

# The wasm module's own objects, linked as the module is (-O2, WASM_INLINE,
# shared memory), in one file that node runs as it is.
SORT_PHASES_WASM_OBJ := $(filter-out %/exports.o,$(WASM_OBJ))
$(SORT_PHASES_WASM): bench/sort-phases.c $(SORT_PHASES_WASM_OBJ) | deps-emcc
	@mkdir -p $(@D)
	@echo "  EMCC    $@"
	$(Q)$(EMCC) $(WASM_CFLAGS) -pthread -Icore -c $< -o $(@:.js=.o)
	$(Q)$(EMCC) $(@:.js=.o) $(SORT_PHASES_WASM_OBJ) -o $@ -O2 $(WASM_INLINE) -msimd128 -pthread \
	  -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB -Wno-pthreads-mem-growth -sENVIRONMENT=node \
	  -sEXIT_RUNTIME=1 -sSINGLE_FILE=1
	$(Q)rm -f $(@D)/sort-phases.worker.js

##@ Set-up

.PHONY: deps
deps: deps-emcc deps-npm ## install emscripten and npm dependencies if missing

# $(call need,CHECK,PACKAGES,HINT): when the shell command CHECK fails,
# install Debian's PACKAGES if we are root and have apt-get; otherwise say
# HINT and fail. (A CHECK with a comma goes in through a variable.)
define need
	$(Q)if ! { $(1); } >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "  APT     $(2)"; \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null || exit 1; \
	  else \
	    echo "$(3)" >&2; \
	    exit 1; \
	  fi; \
	fi
endef

# Debian's emscripten package.
.PHONY: deps-emcc
deps-emcc:
	$(call need,command -v $(EMCC),emscripten,emcc not found: install emscripten (Debian: apt-get install emscripten) or set EMCC=)

# OpenBLAS for the bench's reference sgemm: a program that includes cblas.h
# must link with -lopenblas (Debian's reference BLAS has a cblas.h too, but
# no libopenblas).
HAS_OPENBLAS = printf '\#include <cblas.h>\nint main(void) { return 0; }\n' | $(CC) -x c - -lopenblas -o /dev/null
.PHONY: deps-bench
deps-bench:
	$(call need,$(HAS_OPENBLAS),libopenblas-dev,OpenBLAS not found: install libopenblas-dev (the bench compares matmul with it))

# clang with libFuzzer (Debian's clang and libclang-rt-14-dev), for the
# fuzzer: a program built with -fsanitize=fuzzer must link.
HAS_LIBFUZZER = printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }\n' | clang -x c - -fsanitize=fuzzer -o /dev/null
.PHONY: deps-fuzz
deps-fuzz:
	$(call need,$(HAS_LIBFUZZER),clang libclang-rt-14-dev,clang with libFuzzer not found: install clang and libclang-rt-14-dev (the fuzzer needs them))

# valgrind, for the soak test's leak check of the addon (Linux).
.PHONY: deps-valgrind
deps-valgrind:
	$(if $(filter Linux,$(shell uname -s)),$(call need,valgrind --version,valgrind,valgrind not found: install it (the soak test runs the addon under it)))

# Debian's Chromium, for make test-report.
.PHONY: deps-chromium
deps-chromium:
	$(call need,command -v chromium,chromium,chromium not found: install it (Debian: apt-get install chromium))

# npm ci also runs the package's install step, which builds the addon.
.PHONY: deps-npm
deps-npm: node_modules/.twincore-installed

node_modules/.twincore-installed: package.json package-lock.json
	@echo "  NPM     ci"
	$(Q)$(NPM) ci --no-audit --no-fund --loglevel=error
	$(Q)touch $@

##@ Housekeeping

.PHONY: format
format: ## clang-format every C source in place
	$(Q)clang-format -i $(CORE_SRC) $(CORE_HDR) $(CTEST_SRC) $(CTEST_HDR) $(NATIVE_SRC) $(NATIVE_HDR)

.PHONY: format-check
format-check: ## fail if a C source is not clang-formatted
	$(Q)clang-format --dry-run --Werror $(CORE_SRC) $(CORE_HDR) $(CTEST_SRC) $(CTEST_HDR) $(NATIVE_SRC) $(NATIVE_HDR)

.PHONY: clean
clean: ## remove build outputs (the wasm module and prebuilds included)
	$(Q)rm -rf $(BUILD) $(WASM_MOD_DIR) prebuilds
