# Set-up, build, serve and test. Every target installs what it is missing, so
# `make dev` and `make test` work on a fresh machine with rustup, Node and npm.

SHELL := /bin/bash
# No -u: bash sources the system bashrc when its stdin is a socket (as under
# node's child_process), and that file reads unset variables.
.SHELLFLAGS := -e -o pipefail -c
.DEFAULT_GOAL := dev

CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
NODE_BIN := $(CURDIR)/node_modules/.bin
PORT ?= 8787

# Tools run from node_modules (Node 22 for wrangler) and cargo's bin folder.
export PATH := $(NODE_BIN):$(CARGO_BIN):$(PATH)
# worker-build would download wasm-bindgen and esbuild without these; the
# machines this builds on reach the package registries only.
export WASM_BINDGEN_BIN := $(CARGO_BIN)/wasm-bindgen
export ESBUILD_BIN := $(NODE_BIN)/esbuild
# wrangler: no telemetry, no download of request.cf data.
export WRANGLER_SEND_METRICS := false
export CLOUDFLARE_CF_FETCH_ENABLED := false

WORKER_BUILD_VERSION := 0.8.7
CARGO_MUTANTS_VERSION := 27.1.0
# The wasm-bindgen CLI must be exactly the library's version in Cargo.lock.
WASM_BINDGEN_VERSION = $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/[^0-9.]/, ""); print }' Cargo.lock)

.PHONY: setup toolchain npm build build-panic build-recipe hello dev deploy tail test lint unit e2e bench profile mutants clean

setup: toolchain npm

toolchain:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	@worker-build --version 2>/dev/null | grep -q "$(WORKER_BUILD_VERSION)" \
	  || cargo install worker-build --version $(WORKER_BUILD_VERSION) --locked
	@# --locked fails for this CLI (a locked dependency is missing from the index).
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" \
	  || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

npm: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-fund --no-audit
	@touch $@

# The routes built besides the recipe's, each a Cargo feature: all of them
# unless WORKER_ROUTES says otherwise. `wrangler deploy` and `wrangler dev`
# run `make build`, so `WORKER_ROUTES=stream make deploy` deploys the stream
# and the recipe, and `WORKER_ROUTES= make deploy` the recipe alone; a route
# left out answers 404.
ALL_ROUTES := stream ingest proxy page
WORKER_ROUTES ?= $(ALL_ROUTES)

# The module is built from wasm/, the crate that links the library into one
# cdylib (see wasm/Cargo.toml); worker-build writes its output folder
# relative to that crate.
WASM_BUILD := cd wasm && worker-build --release --no-opt

build: setup
	$(WASM_BUILD) --out-dir ../build -- --no-default-features --features "$(WORKER_ROUTES)"

# The worker with a route that panics on purpose (the panic-route feature),
# for tests/e2e/panic.test.js only; never deployed.
build-panic: setup
	$(WASM_BUILD) --out-dir ../target/panic-build -- --features panic-route

# The recipe's route alone (every other route is a Cargo feature; `build`
# has all unless WORKER_ROUTES says otherwise): what a team that ports only
# the recipe deploys, kept apart from build/ for its test
# (tests/e2e/recipe-build.test.js) and for `make bench`, which weighs it.
build-recipe: setup
	$(WASM_BUILD) --out-dir ../target/recipe-build -- --no-default-features

# The benchmarks' Rust peers, built with the same profile: the hello-world
# worker, the plain port of the recipe (the floors of bundle and CPU), and the
# plain port with the worker's other routes, written the plainest way.
hello: setup
	cd bench/hello && CARGO_TARGET_DIR=$(CURDIR)/target/hello worker-build --release --no-opt
	cd bench/plain-port && CARGO_TARGET_DIR=$(CURDIR)/target/hello worker-build --release --no-opt
	cd bench/plain-port && CARGO_TARGET_DIR=$(CURDIR)/target/hello worker-build --release --no-opt \
	  --out-dir build-routes -- --features routes

dev: build
	wrangler dev --ip 127.0.0.1 --port $(PORT)

deploy: setup
	wrangler deploy $(DEPLOY_ARGS)

# Silent, so that `make tail TAIL_ARGS="--format json" | jq` sees only JSON.
tail: npm
	@wrangler tail $(TAIL_ARGS)

lint: toolchain
	cargo fmt --check
	cargo clippy --all-targets --locked -- -D warnings
	cargo clippy --all-targets --locked --target wasm32-unknown-unknown -- -D warnings
	@# The builds that leave routes out: the recipe's alone, each route with
	@# what it needs, and all but the page.
	for features in "" stream ingest proxy page "stream ingest proxy"; do \
	  cargo clippy --lib --locked --target wasm32-unknown-unknown --no-default-features \
	    --features "$$features" -- -D warnings || exit 1; \
	done

unit:
	cargo test --locked

e2e: build build-panic build-recipe
	node --test --test-concurrency=1 "tests/e2e/*.test.js"

test: setup lint unit e2e

# The tests and the benchmarks are of the whole worker, whatever the shell's
# WORKER_ROUTES; exported, so that the `make build` wrangler runs (the dry
# run, `make dev`) builds the same.
test e2e bench: export WORKER_ROUTES := $(ALL_ROUTES)

# Figures against the peers (bench/run.js), then the full reliability suite
# and a longer property-test run.
bench: build build-recipe hello
	node bench/run.js
	RELIABILITY=full node --test --test-concurrency=1 tests/e2e/reliability.test.js
	PROPTEST_CASES=20000 cargo test --release --locked --test properties

# Where the CPU goes (bench/profile.js), on a build that keeps function names.
PROFILE_PATH ?= /api/handle-backpressure?count=20&readMs=1&produceMs=1
profile: setup
	CARGO_PROFILE_RELEASE_STRIP=debuginfo $(WASM_BUILD) --out-dir ../target/profile-build
	node bench/profile.js '$(PROFILE_PATH)'

# Mutation testing of the core with cargo-mutants (.cargo/mutants.toml says
# what is mutated). Long, so not part of `make test`. The outcome and the list
# of missed mutants are copied to tests/mutants/, to be committed; the run
# fails if any mutant was missed. A timeout (cargo-mutants' status 3) is a
# mutant the tests did not let pass: they never finished. Two builds at a time, without the debug
# info that mutation runs never read.
mutants:
	@cargo mutants --version 2>/dev/null | grep -q "$(CARGO_MUTANTS_VERSION)" \
	  || cargo install cargo-mutants --version $(CARGO_MUTANTS_VERSION) --locked
	status=0; CARGO_PROFILE_TEST_DEBUG=0 CARGO_PROFILE_DEV_DEBUG=0 \
	  cargo mutants --no-shuffle --jobs 2 $(MUTANTS_ARGS) || status=$$?; \
	  cp mutants.out/missed.txt tests/mutants/missed.txt; \
	  for outcome in caught missed timeout unviable; do \
	    printf '%s %s\n' "$$(wc -l < mutants.out/$$outcome.txt)" "$$outcome"; \
	  done > tests/mutants/outcome.txt; \
	  cat tests/mutants/outcome.txt; \
	  cp mutants.out/timeout.txt tests/mutants/timeout.txt; \
	  if [ -s mutants.out/missed.txt ]; then status=2; elif [ $$status -eq 3 ]; then status=0; fi; \
	  exit $$status

clean:
	rm -rf build target node_modules mutants.out mutants.out.old
