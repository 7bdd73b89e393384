# The project's one task runner. `make run` is the main job, `make test` runs every test;
# CI (.ci/run) calls `make test` and nothing else.

PACK     ?= rules/nmec-2024
OVERLAYS := $(wildcard rules/nmec-2024-*)
CARGO    ?= cargo
BAOKAO   := target/release/baokao

.PHONY: run test setup build rust-checks rust-tests pack-tests catalogue

## Check the bundled example applications against the bundled 2024 rule pack.
## Exit status 1 from `baokao check` only says some example is (deliberately) not eligible.
run: build
	$(BAOKAO) check --pack $(PACK) --lang zh $(PACK)/examples/*.json || [ $$? -eq 1 ]

## Every test: Rust (fmt, clippy, doc, unit/integration/doc tests, benches compile), the packs' examples.
test: setup rust-checks rust-tests pack-tests
	@echo "make test: all suites passed"

setup:
	./scripts/setup.sh

build: setup
	$(CARGO) build --release -q -p baokao-cli

rust-checks:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps -q

rust-tests:
	$(CARGO) test --workspace
	$(CARGO) test -p baokao-benches --benches -q

pack-tests: build
	$(BAOKAO) lint $(PACK)
	$(BAOKAO) test $(PACK)
	@for p in $(OVERLAYS); do echo "== $$p"; $(BAOKAO) test $$p || exit 1; done
	$(BAOKAO) doc $(PACK) --check docs/rules/nmec-2024.md

## Regenerate the rule catalogue after changing the pack.
catalogue: build
	$(BAOKAO) doc $(PACK) -o docs/rules/nmec-2024.md
