# The reference TypeScript metrics stack on Kubernetes: service-a and its load generator,
# Prometheus, Alertmanager, Grafana and Jaeger.
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
$(NODE): .nvmrc
	scripts/install-node.sh $(NODE_VERSION) $(TOOLS_DIR)/node
endif

# The real tools the tests run (Skaffold, kube-apiserver, etcd, kubectl, KWOK, Jaeger, Sloth) are pinned
# in the Go modules under hack/tools/ and built into .tools/bin by `make tools`; they come first
# on the PATH of every target, so `make dev` and `make run` use them too once built.
TOOLS_BIN ?= $(TOOLS_DIR)/bin
export TOOLS_DIR TOOLS_BIN
export PATH := $(TOOLS_BIN):$(PATH)
# Go: the PATH's, else where the official installer puts it (a non-interactive shell may lack it on its PATH).
export GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
PROMETHEUS_OPERATOR_CRDS := $(TOOLS_DIR)/prometheus-operator-crds.yaml
KWOK_STAGES := $(TOOLS_DIR)/kwok-stages.yaml

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-20s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

# npm ci runs again only when the lockfile changes. service-a and load-generator are packages of
# their own (each an image's build context); tools/ and bench/ are one npm workspace with one
# lockfile at the root.
%/node_modules/.package-lock.json: %/package-lock.json | $(NODE)
	npm ci --prefix $* --no-audit --no-fund

node_modules/.package-lock.json: package-lock.json | $(NODE)
	npm ci --no-audit --no-fund

# tap rebuilds its runner for a package's plugin list (TypeScript is left to Node.js) on first
# use; done up front, because a first run that rebuilds loses service-a's coverage data.
%/node_modules/.tap-built: %/node_modules/.package-lock.json
	cd $* && npx tap build >/dev/null && touch node_modules/.tap-built

# tools/ and bench/ share the hoisted tap and so its one build: their plugin lists must agree.
TOOLING := node_modules/.tap-built
$(TOOLING): node_modules/.package-lock.json
	cd tools && npx tap build >/dev/null && touch ../$(TOOLING)

.PHONY: tools
tools: $(PROMETHEUS_OPERATOR_CRDS) $(KWOK_STAGES) ## Build the pinned Skaffold, kube-apiserver, kubectl, kube-controller-manager, kube-scheduler, etcd, KWOK, Jaeger and Sloth into .tools/bin (needs Go; one of the pinned version on the PATH or in KUBEBUILDER_ASSETS is linked instead).
	hack/tools/install.sh $(TOOLS_BIN)

# The CustomResourceDefinitions that the Prometheus Operator's module ships, for the control plane of the tests.
$(PROMETHEUS_OPERATOR_CRDS): hack/tools/prometheus-operator/go.mod
	mkdir -p $(@D)
	cd hack/tools/prometheus-operator && $(GO) mod download github.com/prometheus-operator/prometheus-operator && \
	  cat "$$($(GO) list -m -f '{{.Dir}}' github.com/prometheus-operator/prometheus-operator)"/example/prometheus-operator-crd/*.yaml > $@.tmp
	mv $@.tmp $@

# KWOK's own "fast" stages, from its module: nodes turn Ready and keep their heartbeat, Pods turn
# Running and Ready, deleted Pods go (what kwokctl gives a cluster by default).
$(KWOK_STAGES): hack/tools/kwok/go.mod
	mkdir -p $(@D)
	cd hack/tools/kwok && $(GO) mod download sigs.k8s.io/kwok && stages="$$($(GO) list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage" && \
	  awk 'FNR == 1 { print "---" } 1' $$(ls "$$stages"/node/fast/*.yaml "$$stages"/node/heartbeat/*.yaml "$$stages"/pod/fast/*.yaml | grep -v /kustomization.yaml) > $@.tmp
	mv $@.tmp $@

.PHONY: deps
deps: service-a/node_modules/.tap-built load-generator/node_modules/.tap-built $(TOOLING) ## Install every npm dependency (and Node.js itself where the machine's is too old).

##@ Run

SERVICE_PORT ?= 9000
PROMETHEUS_PORT ?= 9090
GRAFANA_PORT ?= 3000
ALERTMANAGER_PORT ?= 9093
RUN_DIR ?= $(CURDIR)/.run
# 1: make run also starts the load generator (a few requests a second); 0: no traffic but yours.
LOAD ?= 1

# Alertmanager runs where it is installed: where the script cannot install it (no apt-get), it
# says how to get it, and the run goes on without it (`-`).
.PHONY: run
run: service-a/node_modules/.package-lock.json load-generator/node_modules/.package-lock.json node_modules/.package-lock.json ## Run the stack without a cluster: service-a :9000, Prometheus :9090 (data in .run/), Alertmanager :9093, Grafana :3000 and Jaeger :16686 if installed; logs in .run/, warnings and errors on the terminal. Ctrl-C stops it.
	scripts/install-prometheus.sh
	-scripts/install-alertmanager.sh
	SERVICE_PORT=$(SERVICE_PORT) PROMETHEUS_PORT=$(PROMETHEUS_PORT) GRAFANA_PORT=$(GRAFANA_PORT) ALERTMANAGER_PORT=$(ALERTMANAGER_PORT) RUN_DIR=$(RUN_DIR) LOAD=$(LOAD) node tools/src/local-run/main.ts

# Base URLs of the stack to check; the defaults are those of `make run` and of skaffold's port-forwards.
SERVICE_URL ?= http://localhost:$(SERVICE_PORT)
PROMETHEUS_URL ?= http://localhost:$(PROMETHEUS_PORT)
GRAFANA_URL ?= http://localhost:$(GRAFANA_PORT)
ALERTMANAGER_URL ?= http://localhost:$(ALERTMANAGER_PORT)

.PHONY: smoke
smoke: node_modules/.package-lock.json ## Check a running stack (make run or port-forwards); SERVICE_URL, PROMETHEUS_URL, GRAFANA_URL, ALERTMANAGER_URL override.
	SERVICE_URL=$(SERVICE_URL) PROMETHEUS_URL=$(PROMETHEUS_URL) GRAFANA_URL=$(GRAFANA_URL) ALERTMANAGER_URL=$(ALERTMANAGER_URL) node tools/src/smoke/main.ts

##@ Test

# Each tap run's summary is kept here, so that `make test` can close with one count of all.
TEST_RESULTS ?= $(RUN_DIR)/test-results
.PHONY: test
test: tools test-results-reset test-service-a test-load-generator lint-tools test-dashboards test-monitoring test-manifests test-containers test-cluster test-bench ## Run every test of the repository (what CI runs); builds the pinned tools first (make tools).
	@scripts/test-summary.sh $(TEST_RESULTS)

.PHONY: test-results-reset
test-results-reset:
	@rm -rf $(TEST_RESULTS) && mkdir -p $(TEST_RESULTS)

.PHONY: test-service-a
test-service-a: service-a/node_modules/.tap-built ## service-a: lint, type-check, tap suite with 100% coverage.
	cd service-a && npm run --silent lint && npm run --silent typecheck
	mkdir -p $(TEST_RESULTS) && cd service-a && npx tap | tee $(TEST_RESULTS)/service-a.tap

# Its tests send their traffic to a real service-a, run from service-a's sources.
.PHONY: test-load-generator
test-load-generator: load-generator/node_modules/.tap-built service-a/node_modules/.package-lock.json ## load-generator: lint, type-check, tap suite (against a real service-a) with 100% coverage.
	cd load-generator && npm run --silent lint && npm run --silent typecheck
	mkdir -p $(TEST_RESULTS) && cd load-generator && npx tap | tee $(TEST_RESULTS)/load-generator.tap

.PHONY: lint-tools
lint-tools: $(TOOLING) ## tools/ (make run, make smoke and the stack's tests): eslint and tsc.
	cd tools && npx eslint . && npx tsc --noEmit

# The tests run Prometheus 3.x, the cluster's major version, from Debian sid (no change to the
# machine); `make run` keeps the system's Prometheus (Debian bookworm: 2.42, with its web UI).
# Workarounds for machines without registries (Debian sid unpacking, stand-in images, podman
# settings) live in one folder; its README says what each one stands in for.
OFFLINE := hack/offline-workarounds
PROMETHEUS3_DIR ?= $(TOOLS_DIR)/prometheus-3
# Alertmanager and amtool for the tests, from Debian sid (the line nearest the cluster's image).
ALERTMANAGER_DIR ?= $(TOOLS_DIR)/alertmanager
.PHONY: test-monitoring
test-monitoring: service-a/node_modules/.package-lock.json load-generator/node_modules/.package-lock.json $(TOOLING) lint-tools tools ## Monitoring on Prometheus 3.x: promtool check/test of config and rules (the SLO burn-rate alerts too), the SLO rules against what Sloth generates, runbook links, dashboard checks, e2e against a real Prometheus; the config on make run's 2.42 too; amtool checks and alert delivery through a real Alertmanager.
	scripts/install-prometheus.sh
	PROMETHEUS3_DIR=$(PROMETHEUS3_DIR) $(OFFLINE)/install-prometheus3.sh
	scripts/install-alertmanager.sh
	ALERTMANAGER_DIR=$(ALERTMANAGER_DIR) $(OFFLINE)/install-alertmanager-sid.sh
	@echo "test-monitoring: $$($(PROMETHEUS3_DIR)/bin/prometheus --version 2>&1 | head -1)"
	$(PROMETHEUS3_DIR)/bin/promtool check config prometheus/prometheus.yml
	$(PROMETHEUS3_DIR)/bin/promtool test rules prometheus/tests/*.yml
	mkdir -p $(TEST_RESULTS) && cd tools && PROMETHEUS3_DIR=$(PROMETHEUS3_DIR) ALERTMANAGER_DIR=$(ALERTMANAGER_DIR) npx tap test/support/*.test.ts test/monitoring/*.test.ts | tee $(TEST_RESULTS)/monitoring.tap

.PHONY: test-manifests
test-manifests: $(TOOLING) lint-tools tools ## Kubernetes, offline: the real Skaffold's diagnose and render (k8s/, overlays/dev) of a fresh copy, every other kustomize root, cross-references, network flows, the real Prometheus and Alertmanager started with their Deployments' args.
	PROMETHEUS3_DIR=$(PROMETHEUS3_DIR) $(OFFLINE)/install-prometheus3.sh
	ALERTMANAGER_DIR=$(ALERTMANAGER_DIR) $(OFFLINE)/install-alertmanager-sid.sh
	mkdir -p $(TEST_RESULTS) && cd tools && PROMETHEUS3_DIR=$(PROMETHEUS3_DIR) ALERTMANAGER_DIR=$(ALERTMANAGER_DIR) npx tap test/manifests/*.test.ts | tee $(TEST_RESULTS)/manifests.tap

# The dashboards' JSON is generated from TypeScript (tools/src/dashboards, Grafana's foundation
# SDK) and stays checked in, since Grafana and kustomize read the files.
.PHONY: test-dashboards
test-dashboards: $(TOOLING) lint-tools ## The checked-in dashboard JSON is exactly what its TypeScript source generates (else: make dashboards).
	mkdir -p $(TEST_RESULTS) && cd tools && npx tap test/dashboards/*.test.ts | tee $(TEST_RESULTS)/dashboards.tap

##@ Build

.PHONY: dashboards
dashboards: node_modules/.package-lock.json ## Regenerate grafana/dashboards/*.json from their TypeScript source in tools/src/dashboards.
	node tools/src/dashboards/generate.ts
	@# The Prometheus Operator variant's dashboard ConfigMap is made from the JSON: kept in step.
	node tools/src/manifests/operator-files.ts

# The SLO rules are generated by Sloth from prometheus/slos/service-a.yml (the one source of the
# SLOs) and stay checked in, since Prometheus and kustomize read the file; make test-monitoring
# fails while prometheus/rules/service-a-slos.yml differs from what Sloth makes of the spec.
.PHONY: slos
slos: tools node_modules/.package-lock.json ## Regenerate prometheus/rules/service-a-slos.yml (and the operator's PrometheusRules) from the SLO spec prometheus/slos/service-a.yml with Sloth.
	node tools/src/monitoring/slos.ts
	node tools/src/manifests/operator-files.ts

.PHONY: build
build: service-a/node_modules/.package-lock.json ## Compile service-a's TypeScript into service-a/dist.
	cd service-a && npm run --silent build

##@ Containers

# podman with the project's own settings ($(OFFLINE)/containers.conf): nothing global changes.
CONTAINERS_CONF ?= $(CURDIR)/$(OFFLINE)/containers.conf
PODMAN ?= CONTAINERS_CONF=$(CONTAINERS_CONF) podman
# service-a's images are built by Skaffold (skaffold build --push=false through podman's Docker
# API); a Docker API names them as Docker does: docker.io/library/service-a:TAG.
SERVICE_A_TAG ?= latest
SERVICE_A_DEV_TAG ?= dev
SERVICE_A_IMAGE ?= docker.io/library/service-a:$(SERVICE_A_TAG)
SERVICE_A_DEV_IMAGE ?= docker.io/library/service-a:$(SERVICE_A_DEV_TAG)
# The one source of truth for each image is its Deployment; a stand-in takes that name.
PROMETHEUS_IMAGE ?= $(shell sed -n 's/^ *image: *//p' prometheus/k8s/prometheus-deployment.yaml)
ALERTMANAGER_IMAGE ?= $(shell sed -n 's/^ *image: *//p' alertmanager/k8s/alertmanager-deployment.yaml)

# Base images are present after setup.sh (pulled, or stand-ins built here), so builds never pull.
.PHONY: images
images: tools node_modules/.package-lock.json ## Build service-a's image, and its dev stage with the load generator's image (the dev profile), with skaffold build through podman (stand-in base images where no registry is reachable; CONTAINERS_STANDINS=auto|always|never).
	CONTAINERS_CONF=$(CONTAINERS_CONF) NODE_VERSION=$(NODE_VERSION) PROMETHEUS_IMAGE=$(PROMETHEUS_IMAGE) ALERTMANAGER_IMAGE=$(ALERTMANAGER_IMAGE) PROMETHEUS3_DIR=$(PROMETHEUS3_DIR) ALERTMANAGER_DIR=$(ALERTMANAGER_DIR) scripts/containers/setup.sh
	CONTAINERS_CONF=$(CONTAINERS_CONF) node tools/src/containers/build-images.ts $(SERVICE_A_TAG) $(SERVICE_A_DEV_TAG)
	$(PODMAN) images --format '{{.Repository}}:{{.Tag}} {{.Size}}' --filter reference=$(SERVICE_A_IMAGE) --filter reference=$(SERVICE_A_DEV_IMAGE)

.PHONY: test-containers
test-containers: images $(TOOLING) lint-tools ## Containers for real: skaffold build through podman; service-a's image hardened as in its Deployment, the dev stage's sync; kube play of what skaffold render gives (service-a, Prometheus, Alertmanager) with make smoke.
	mkdir -p $(TEST_RESULTS) && cd tools && CONTAINERS_CONF=$(CONTAINERS_CONF) SERVICE_A_IMAGE=$(SERVICE_A_IMAGE) SERVICE_A_DEV_IMAGE=$(SERVICE_A_DEV_IMAGE) npx tap test/containers/*.test.ts | tee $(TEST_RESULTS)/containers.tap

# A control plane of the tests' own (etcd, kube-apiserver, kube-controller-manager, kube-scheduler
# and KWOK's fake node on loopback), or the cluster that TEST_KUBECONFIG names.
.PHONY: test-cluster
test-cluster: tools images $(TOOLING) lint-tools ## Kubernetes for real: every rendered root applied to a real kube-apiserver (strict field validation, Pod Security admission); skaffold deploy, delete and deploy again of the images skaffold build made; skaffold dev, Ctrl-C and a restart.
	mkdir -p $(TEST_RESULTS) && cd tools && SERVICE_A_IMAGE=$(SERVICE_A_IMAGE) npx tap test/cluster/*.test.ts | tee $(TEST_RESULTS)/cluster.tap

##@ Kubernetes

# The kustomize root that `make manifests` renders (k8s, or overlays/multi-replica for several
# replicas scraped per pod), the pushed image of service-a it names, and the file it writes.
KUSTOMIZE_DIR ?= k8s
IMAGE ?= service-a:$(shell sed -n 's/^  "version": "\(.*\)",/\1/p' service-a/package.json)
MANIFESTS_FILE ?= dist/metrics-stack.yaml
GRAFANA_SECRET_FILE := grafana/grafana-admin.secret.env

# Created once with a random password (skaffold's render hook runs the same script).
$(GRAFANA_SECRET_FILE):
	scripts/grafana-admin-secret.sh

# skaffold forwards a random port, without failing, when one of skaffold.yaml's localPorts is
# taken (skaffold#5839, #9757): check them first and name the process that holds one.
.PHONY: dev
dev: $(GRAFANA_SECRET_FILE) ## Dev loop on minikube (started if not running): skaffold dev --port-forward, service-a :9000, Prometheus :9090, Grafana :3000, Alertmanager :9093, Jaeger :16686; fails first if a port is taken.
	@for tool in minikube skaffold kubectl; do command -v $$tool >/dev/null || { echo "make dev needs $$tool on PATH (see docs/kubernetes.md)" >&2; exit 1; }; done
	scripts/check-ports.sh
	minikube status >/dev/null 2>&1 || minikube start
	skaffold dev --port-forward

.PHONY: deploy
deploy: $(GRAFANA_SECRET_FILE) ## Build service-a and deploy the hardened stack to the current kube context (skaffold run).
	skaffold run

.PHONY: undeploy
undeploy: ## Remove what `make deploy` deployed (skaffold delete): the namespace, and the claims with their data.
	skaffold delete

.PHONY: manifests
manifests: $(GRAFANA_SECRET_FILE) ## Render one YAML to apply to a real cluster: KUSTOMIZE_DIR, IMAGE (a pushed service-a image), MANIFESTS_FILE.
	scripts/require-kubectl.sh
	scripts/render-manifests.sh $(KUSTOMIZE_DIR) $(IMAGE) $(MANIFESTS_FILE)

# The Prometheus Operator variant's PrometheusRules and dashboard ConfigMap are generated from
# prometheus/rules/ and grafana/dashboards/ (kustomize reads no file above a component's folder);
# make test-manifests fails while the checked-in files differ from what this writes.
.PHONY: operator-files
operator-files: node_modules/.package-lock.json ## Regenerate k8s/components/prometheus-operator's PrometheusRules and dashboard ConfigMap from prometheus/rules and grafana/dashboards.
	node tools/src/manifests/operator-files.ts

.PHONY: grafana-password
grafana-password: $(GRAFANA_SECRET_FILE) ## Print Grafana's admin password (user admin), from the git-ignored file the Secret is generated from.
	@sed -n 's/^admin-password=//p' $(GRAFANA_SECRET_FILE)

##@ Benchmark

# Each round starts every server afresh, then loads them in turn: BENCH_CYCLES bursts of
# BENCH_BURST seconds each, interleaved, so that the machine's load changes cancel out of the ratios.
BENCH_ROUNDS ?= 5
BENCH_CYCLES ?= 8
BENCH_BURST ?= 1
BENCH_WARMUP ?= 2

# The benchmark's own logic (burst order, ratios, target checks, the soak's parsing and verdict)
# is tested in seconds; the benchmark and the soak are not part of `make test`: they take minutes
# and their figures depend on the machine's load.
.PHONY: test-bench
test-bench: $(TOOLING) ## bench: lint, type-check, tests of the burst scheduler, ratios, target checks, the OTLP sink and the soak's verdict.
	cd bench && npm run --silent lint && npm run --silent typecheck
	mkdir -p $(TEST_RESULTS) && cd bench && npx tap | tee $(TEST_RESULTS)/bench.tap

.PHONY: bench
bench: build node_modules/.package-lock.json ## service-a's instrumentation and tracing cost against bare Fastify and peers in interleaved bursts; writes docs/benchmarks.md (BENCH_ROUNDS, BENCH_CYCLES, BENCH_BURST, BENCH_WARMUP, BENCH_ONLY, BENCH_BUILDS=untraced=DIR: see docs/benchmarks.md).
	command -v taskset >/dev/null || scripts/apt-install.sh util-linux
	cd bench && npm run --silent build && BENCH_ROUNDS=$(BENCH_ROUNDS) BENCH_CYCLES=$(BENCH_CYCLES) BENCH_BURST=$(BENCH_BURST) BENCH_WARMUP=$(BENCH_WARMUP) node src/run.ts

SOAK_DURATION ?= 180
SOAK_TRACE_PERCENT ?= 10
SOAK_COMPARE ?=

.PHONY: soak
soak: images build node_modules/.package-lock.json ## service-a's image under its Deployment's memory and CPU limits, SOAK_DURATION seconds of mixed traffic, untraced and traced at SOAK_TRACE_PERCENT, then SOAK_COMPARE=name=IMAGE,…; writes docs/benchmarks.md.
	cd bench && CONTAINERS_CONF=$(CONTAINERS_CONF) SERVICE_A_IMAGE=$(SERVICE_A_IMAGE) SOAK_DURATION=$(SOAK_DURATION) SOAK_TRACE_PERCENT=$(SOAK_TRACE_PERCENT) SOAK_COMPARE=$(SOAK_COMPARE) node src/soak.ts
