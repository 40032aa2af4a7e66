# hinagata: top-level wrapper around CMake. `make demo` and `make test` do all
# set-up on a fresh Debian machine (scripts/setup-deps.sh installs what is
# missing). The CMake build lives in _build/ because build/ is where
# `hinagata compile` writes templates by default.

BUILD      ?= _build
ASAN_BUILD ?= _build-asan
FUZZ_BUILD ?= _build-fuzz
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 20
FUZZ_SMOKE_SECONDS ?= 3
HINAGATA   := $(BUILD)/hinagata

.PHONY: all deps test-deps build demo test test-asan fuzz fuzz-build fuzz-smoke bench install clean format format-check

all: build

deps:
	@sh scripts/setup-deps.sh

test-deps:
	@sh scripts/setup-deps.sh --test

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The main job on the bundled samples: compile the mandatory templates and
# the sample municipal system.
demo: build
	@sh scripts/demo.sh $(HINAGATA)

test: test-deps
	cmake -S . -B $(BUILD) -DHG_WERROR=ON -DHG_REQUIRE_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && LC_ALL=C ctest --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory fuzz-smoke

# The same tests under AddressSanitizer and UBSan.
test-asan: test-deps
	cmake -S . -B $(ASAN_BUILD) -DHG_WERROR=ON -DHG_REQUIRE_TESTS=ON -DHG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && LC_ALL=C ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

# libFuzzer targets (clang), each run for FUZZ_SECONDS on its seed corpus.
FUZZ_TARGETS := fuzz_template fuzz_expr fuzz_semver fuzz_export fuzz_jv fuzz_check fuzz_config fuzz_arm fuzz_cfn fuzz_git fuzz_state fuzz_fleet fuzz_import fuzz_diff fuzz_cache
fuzz: test-deps fuzz-build
	sh scripts/run-fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-build:
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DHG_FUZZ=ON -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(FUZZ_TARGETS)

# The smoke run `make test` ends with: every target a few seconds on its
# seeds and the crashes found before (fuzz/regressions/), so CI runs them.
fuzz-smoke: fuzz-build
	sh scripts/run-fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS)

bench: build test-deps
	@sh scripts/setup-deps.sh --bench
	sh bench/run.sh $(HINAGATA)
	sh bench/drift.sh $(HINAGATA) $(BUILD)/hg_bench_jansson
	sh bench/fleet.sh $(HINAGATA) $(BUILD)/hg_bench_jansson
	sh bench/check.sh $(HINAGATA) .
	sh bench/history.sh $(HINAGATA) $(BUILD)/hg_bench_history
	sh bench/diff.sh $(HINAGATA)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

format:
	clang-format -i common/*.[ch] compiler/*.[ch] cli/*.[ch] tests/unit/*.c

format-check:
	clang-format --dry-run --Werror common/*.[ch] compiler/*.[ch] cli/*.[ch] tests/unit/*.c

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) build
