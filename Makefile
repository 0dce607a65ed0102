# The hub's two everyday commands: `make run` and `make test`.
GO      ?= go
BIN     := bin/hub
VENDOR  := internal/web/assets/static/vendor/.built

.PHONY: build run test assets bench clean

build: $(VENDOR)
	$(GO) build -o $(BIN) ./cmd/hub

# Front-end components (govuk-frontend, @ministryofjustice/frontend) come from
# npm, pinned in package-lock.json, and are copied into the embedded assets.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(VENDOR): node_modules/.package-lock.json
	npm run --silent build:assets
	@touch $@

assets: $(VENDOR)

# Builds and starts the hub with SQLite under ./data and the development
# identity provider; open the address it prints and pick a demo persona.
run: build
	./$(BIN) serve

# The whole suite. With CI=true no suite may skip for a missing tool.
# staticcheck is pinned here and fetched through the Go module proxy.
# The suite runs on SQLite, then every package whose tests open stores
# through storetest or apptest runs again on PostgreSQL (internal/pgtest
# finds or starts a server; HUB_TEST_POSTGRES_URL points elsewhere).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
PG_PACKAGES := $(GO) list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... | grep -E ' github.com/stalking-hub/hub/internal/(store/storetest|app/apptest)( |$$)' | cut -d' ' -f1
test: $(VENDOR)
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) test -count=1 -timeout 30m ./...
	HUB_TEST_BACKEND=postgres $(GO) test -count=1 -timeout 30m $$($(PG_PACKAGES)) ./internal/store/storetest

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin internal/web/assets/static/vendor
