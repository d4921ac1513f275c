# fibstack: `make run` starts the whole stack natively, `make test` runs
# every test. Both install what is missing first.

GO       ?= go
NPM      ?= npm
BIN_DIR  ?= bin
GO_PKGS  := ./shared/... ./services/api/... ./services/worker/... ./devstack/...

.PHONY: run test deps web web-deps build test-unit test-web test-integration bench-fib lint clean

run: deps build web
	$(GO) build -o $(BIN_DIR)/devstack ./devstack/cmd/devstack
	BIN_DIR=$(BIN_DIR) $(BIN_DIR)/devstack

test: deps build web test-unit test-web test-integration

deps:
	./scripts/install-deps.sh

build:
	$(GO) build -o $(BIN_DIR)/api ./services/api
	$(GO) build -o $(BIN_DIR)/worker ./services/worker

web-deps:
	cd web && $(NPM) ci --no-audit --no-fund

web: web-deps
	cd web && $(NPM) run build

test-unit:
	$(GO) vet $(GO_PKGS) ./test/integration/...
	$(GO) test -race $(GO_PKGS)

test-web: web-deps
	cd web && $(NPM) run lint && $(NPM) test

# The integration tests start the real stack on free loopback ports, so
# they can run while `make run` is up.
test-integration: build web
	FIBSTACK_BIN_DIR=$(CURDIR)/$(BIN_DIR) $(GO) test -count=1 -timeout 15m ./test/integration/...

bench-fib:
	./scripts/bench-fib.sh $(BENCH_FIB_FLAGS)

clean:
	rm -rf $(BIN_DIR) web/dist
