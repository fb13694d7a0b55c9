# Mynt's front door: `make dev` runs the whole product locally, `make test` runs every test.
# Both install what they need first (scripts/setup is idempotent).

JOBS ?= 2
CMAKE_RELEASE := cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMYNT_TESTS=OFF
CMAKE_ASAN := cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DMYNT_SANITIZE=ON
# libFuzzer harnesses (tests/fuzz): clang with ASan+UBSan. make test runs each FUZZ_RUNS times over its seeds
# (fixed seed: the same inputs every time; about a minute for all of them here); make fuzz runs each FUZZ_SECONDS.
CMAKE_FUZZ := CC=clang cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DMYNT_FUZZ=ON -DMYNT_TESTS=OFF
FUZZ_RUNS ?= 100000
FUZZ_SECONDS ?= 60

.PHONY: dev test package bench setup release asan unit lint api e2e package-test clean fuzz fuzz-build fuzz-short \
	deploy destroy deploy-dry-run

dev: release
	@python3 scripts/dev.py

test: setup asan release package deploy-dry-run fuzz-build
	@$(MAKE) --no-print-directory lint unit fuzz-short package-test api e2e

setup:
	@scripts/setup

release: setup
	@$(CMAKE_RELEASE) >/dev/null
	@cmake --build build/release -j$(JOBS) -- --no-print-directory

asan: setup
	@$(CMAKE_ASAN) >/dev/null
	@cmake --build build/asan -j$(JOBS) -- --no-print-directory

fuzz-build: setup
	@$(CMAKE_FUZZ) >/dev/null
	@cmake --build build/fuzz -j$(JOBS) --target mynt_fuzzers -- --no-print-directory

fuzz-short:
	scripts/fuzz runs $(FUZZ_RUNS)

fuzz: fuzz-build
	scripts/fuzz time $(FUZZ_SECONDS)

package: release
	@scripts/package build/release/bootstrap build/dist

lint:
	cfn-lint template.yaml

# Deployment to the user's AWS account (docs/deploy.md). Inputs from the environment or .env.
# `make deploy DRY_RUN=1` (= `make deploy-dry-run`, part of `make test`) needs no AWS account:
# the SAM transform done locally into build/deploy/, cfn-lint on both templates, the rendered
# parameters and config.json. The template's rules are held by ctest's template_* tests.
DRY_RUN ?=
deploy: package
	@DRY_RUN=$(DRY_RUN) scripts/deploy deploy

deploy-dry-run: package
	@DRY_RUN=1 scripts/deploy deploy

# Deletes the stack; the data only after a typed confirmation.
destroy:
	@scripts/deploy destroy

unit:
	ctest --test-dir build/asan --output-on-failure -j$(JOBS)

package-test:
	python3 tests/package/test_package.py

api:
	MYNT_BUILD=build/asan node --test --test-concurrency=1 tests/api/

# The benchmark (docs/performance.md): capacity figures, then the packaged bootstrap beside the static floor and the
# Node.js baseline (bench/baseline, its pinned npm packages installed here) on one seeded stack, then the API
# through mynt-local. Writes build/bench/results.json (the ratios and targets) and build/bench/api.json.
bench: package
	@cd bench/baseline && npm ci --no-audit --no-fund --silent
	@mkdir -p build/bench && BENCH_MERGE_JSON=build/bench/merge.json build/release/mynt_capacity
	@MYNT_BUILD=build/release node bench/bench.mjs
	@MYNT_BUILD=build/release node bench/api_bench.mjs

# Browser tests drive Debian's chromium (never a downloaded one) against the release build,
# the same binaries `make dev` runs.
e2e:
	MYNT_BUILD=build/release node --test --test-concurrency=1 tests/e2e/

clean:
	rm -rf build
