# The project's one task runner. `make run` is the main job, `make test` runs every test;
# CI (.ci/run) calls `make test` and nothing else.

PACK     ?= rules/nmec-2024
OVERLAYS := $(wildcard rules/nmec-2024-*)
# Every pack directory, national first: each is linted, tested and has a catalogue in docs/rules/.
PACKS    := $(PACK) $(OVERLAYS)
CARGO    ?= cargo
BAOKAO   := target/release/baokao

.PHONY: run test setup build rust-checks rust-tests pack-tests python-tests wasm-tests catalogue bench compare fuzz

## Check the bundled example applications against the bundled 2024 rule pack.
## Exit status 1 from `baokao check` only says some example is (deliberately) not eligible.
run: build
	$(BAOKAO) check --pack $(PACK) --lang zh $(PACK)/examples/*.json || [ $$? -eq 1 ]

## Every test: Rust (fmt, clippy, doc, unit/integration/doc tests, benches compile), the packs'
## examples and catalogues, the Python binding (pytest), the WebAssembly binding (node:test) and the
## demo form in headless Chromium.
test: setup rust-checks rust-tests pack-tests python-tests wasm-tests
	@echo "make test: all suites passed"

setup:
	./scripts/setup.sh

build: setup
	$(CARGO) build --release -q -p baokao-cli

rust-checks:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) check -q -p baokao --no-default-features
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps -q

rust-tests:
	$(CARGO) test --workspace
	$(CARGO) test -p baokao-benches --benches -q

pack-tests: build
	@for p in $(PACKS); do echo "== $$p"; \
	  $(BAOKAO) lint $$p && $(BAOKAO) test $$p && $(BAOKAO) doc $$p --check docs/rules/$$(basename $$p).md || exit 1; \
	done

## The Python binding: venv, wheel (maturin), conformance vectors, pytest, stubtest.
python-tests:
	./scripts/test-python.sh

## The WebAssembly binding: wasm build (rustup target or Debian fallback), node:test, Chromium demo test.
wasm-tests:
	./scripts/test-wasm.sh

## Regenerate the rule catalogues after changing a pack.
catalogue: build
	@for p in $(PACKS); do $(BAOKAO) doc $$p -o docs/rules/$$(basename $$p).md; done

## Every measurement of docs/benchmarks.md but the peer comparison (not part of `test`: they time):
## the criterion benches, callgrind's instruction counts (scripts/callgrind.sh), the Python binding's
## bench and the WebAssembly bench in Node; then benches/report.py writes the Results and targets
## tables, naming the commit each ran at (`-dirty` with uncommitted changes). Each build runs before
## the bench that needs it, never during one. About 25 minutes on 2 cores.
## BENCH_ARGS are criterion's options (shorter: BENCH_ARGS="--warm-up-time 1 --measurement-time 2");
## a smoke run of the whole chain (its figures not for publication):
##   make bench BENCH_ARGS="validate_one --warm-up-time 0.2 --measurement-time 0.5" CALLGRIND_N=50 \
##     PY_BENCH_ARGS=--quick WASM_BENCH_ARGS="--iterations 500"
BENCH_ARGS ?= --warm-up-time 1 --measurement-time 5
export CALLGRIND_N
bench: build
	mkdir -p target/criterion
	scripts/commit-id.sh > target/criterion/commit.txt
	rustc --version > target/criterion/rustc.txt
	cut -d' ' -f1-3 /proc/loadavg > target/criterion/load-start.txt
	$(CARGO) bench -p baokao-benches --bench engine -- $(BENCH_ARGS)
	cut -d' ' -f1-3 /proc/loadavg > target/criterion/load-end.txt
	./scripts/callgrind.sh
	./scripts/test-python.sh --build-only
	target/py-venv/bin/python bindings-python/bench/bench.py $(PY_BENCH_ARGS)
	./scripts/build-wasm.sh
	$(CARGO) build --release -q -p baokao-wasm --example native_bench
	node bindings-wasm/bench/bench.mjs $(WASM_BENCH_ARGS)
	python3 benches/report.py --write docs/benchmarks.md

## The side-by-side comparison with peer engines (not part of `test`: it builds zen-engine and friends).
## Writes the tables into docs/benchmarks.md with the commit; `scripts/compare.sh --quick` for a smoke
## run (fewer samples, docs unchanged).
compare: setup
	./scripts/compare.sh

## Fuzz the engine (cargo-fuzz on nightly, not part of `test`): FUZZ_SECONDS per target (default 300).
fuzz:
	./scripts/fuzz.sh
