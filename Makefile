# The reference TypeScript metrics stack: service-a, Prometheus and Grafana on Kubernetes.
# `make help` lists every target. Variables set with ?= can be overridden: make run SERVICE_PORT=9100

SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec
.DEFAULT_GOAL := help

# Settings (override on the command line)
NODE_VERSION ?= $(shell cat .nvmrc)
TOOLS_DIR ?= $(CURDIR)/.tools

# The machine's Node.js serves when it is at least the major version in .nvmrc (the container
# image's); otherwise that exact version is installed into .tools/ from the npm registry.
NODE_MAJOR := $(firstword $(subst ., ,$(NODE_VERSION)))
SYSTEM_NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
ifeq ($(shell test $(SYSTEM_NODE_MAJOR) -ge $(NODE_MAJOR) && echo ok),ok)
NODE := $(shell command -v node)
else
export PATH := $(TOOLS_DIR)/node/bin:$(PATH)
NODE := $(TOOLS_DIR)/node/bin/node
$(NODE):
	scripts/install-node.sh $(NODE_VERSION) $(TOOLS_DIR)/node
endif

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

# npm ci runs again only when the lockfile changes.
%/node_modules/.package-lock.json: %/package-lock.json | $(NODE)
	npm ci --prefix $* --no-audit --no-fund

.PHONY: deps
deps: service-a/node_modules/.package-lock.json ## Install every npm dependency (and Node.js itself where the machine's is too old).

##@ Run

.PHONY: run
run: service-a/node_modules/.package-lock.json ## Run the stack locally without a cluster: service-a on :9000.
	cd service-a && PORT=9000 node src/server.ts

##@ Test

.PHONY: test
test: test-service-a ## Run every test of the repository (what CI runs).

.PHONY: test-service-a
test-service-a: service-a/node_modules/.package-lock.json ## service-a: lint, type-check, tap suite with 100% coverage.
	cd service-a && npm run --silent lint && npm run --silent typecheck && npm test

##@ Build

.PHONY: build
build: service-a/node_modules/.package-lock.json ## Compile service-a's TypeScript into service-a/dist.
	cd service-a && npm run --silent build
