# feedloom's front door: `make run` builds the example feeds into public/,
# `make test` runs every test.
GO      ?= go
# Stamped into the binary, and printed by `feedloom version`. Each is worked
# out once (:=), so a long recipe stamps every binary alike.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
VERSION := $(VERSION)
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
COMMIT  := $(COMMIT)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
DATE    := $(DATE)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
BIN     := bin/feedloom

.PHONY: all build run serve check test test-race fuzz bench bench-scale bench-serve lint fmt man cross release clean

all: build

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/feedloom

# Builds the feeds from config.yaml and examples/stories, offline. Exit code 1
# (published, but some story failed) is reported, not hidden.
run: build
	./$(BIN) build --config config.yaml

serve: build
	./$(BIN) serve --config config.yaml

check: build
	./$(BIN) check --config config.yaml

# The notes say what was skipped, and are printed whether or not a test
# failed; the exit status is go test's.
test:
	$(GO) vet ./...
	@status=0; $(GO) test ./... || status=$$?; \
	if [ -z "$$FEEDLOOM_TEST_PG" ]; then echo 'note: FEEDLOOM_TEST_PG is not set, so the PostgreSQL tests were skipped (eval "$$(bash .ci/postgres.sh start)" runs them)'; fi; \
	command -v chromium >/dev/null || echo 'note: no Chromium installed, so the browser test was skipped (apt-get install chromium)'; \
	if [ -z "$$FEEDLOOM_SAMPLES" ] && [ ! -d ../shared/samples ]; then echo 'note: no ../shared/samples beside the repository, so the shared sample listing tests were skipped (the project'"'"'s own listing still ran)'; fi; \
	exit $$status

# The packages whose tests run concurrent code, under the race detector
# (needs cgo: gcc).
test-race:
	$(GO) test -race ./scheduler/... ./server/... ./sources/... ./store/... ./watch/...

# Every fuzz target in the module, each for FUZZTIME (go test runs one
# target at a time). A crasher is written under the package's
# testdata/fuzz/ and from then on runs with the tests: commit it. Each new
# input is minimized for at most FUZZMINIMIZE: by default go test spends
# up to a minute on one. A run that fails with no failing input written
# (a worker the fuzzer could not stop in time) is shown and tried once
# more; a failing input fails at once.
FUZZTIME ?= 10s
FUZZMINIMIZE ?= 2s
fuzz:
	@out=$$(mktemp); trap 'rm -f "$$out"' EXIT; \
	$(GO) list -f '{{.ImportPath}} {{.Dir}}' ./... | while read -r pkg dir; do \
		for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$$dir"/*_test.go 2>/dev/null); do \
			echo "fuzz: $$pkg $$target"; \
			for try in 1 2; do \
				if $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) "$$pkg" >"$$out" 2>&1; then break; fi; \
				if grep -q 'Failing input written' "$$out" || [ $$try = 2 ]; then \
					tail -40 "$$out"; $(GO) test -run "^$$target$$" "$$pkg"; exit 1; \
				fi; \
				echo "fuzz: $$target stopped with no failing input, once more; it said:"; tail -5 "$$out"; \
			done; \
		done; \
	done

# Every go test benchmark, then the end-to-end harness (bench/README.md):
# feedloom build against N synthetic upstreams, the naive baseline, publish
# alone and serve under wrk. It prints one table and writes bench/results.md.
BENCH_N       ?= 100,1000,5000
BENCH_LATENCY ?= 50ms
# With FEEDLOOM_TEST_PG set it also runs the cluster benchmark: 10,000
# sources fetched by 1 and by 3 feedloom serve nodes sharing PostgreSQL.
BENCH_CLUSTER ?= 10000
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./bench -n $(BENCH_N) -latency $(BENCH_LATENCY) -out bench/results.md
	@if [ -n "$$FEEDLOOM_TEST_PG" ]; then \
		$(GO) run ./bench -cluster $(BENCH_CLUSTER) -latency $(BENCH_LATENCY) -out bench/cluster-results.md; \
	else echo 'note: FEEDLOOM_TEST_PG is not set, so the cluster benchmark was skipped'; fi

# One node against BENCH_SCALE feed sources of one OPML list, SQLite, no
# latency: a cold build (~2M items, ~10 GB of store, minutes), the fetch-only
# floor and a warm build. Not part of `make bench`; writes
# bench/scale-results.md.
BENCH_SCALE ?= 100000
bench-scale:
	$(GO) run ./bench -scale $(BENCH_SCALE) -out bench/scale-results.md

# Load test of `feedloom serve` with wrk (Debian package wrk).
bench-serve:
	bash bench/serve-wrk.sh

# The container image (deploy/container/Dockerfile): FROM scratch with the
# static binary built here and this machine's CA bundle, so nothing is
# pulled and it builds offline. The context is a temporary folder, so the
# image holds only what is copied into it; modes are set because a strict
# umask would leave the binary unreadable to the image's user.
.PHONY: image
DOCKER    ?= docker
IMAGE     ?= feedloom:latest
CA_BUNDLE ?= /etc/ssl/certs/ca-certificates.crt
image:
	@test -r $(CA_BUNDLE) || { echo "image: no CA bundle at $(CA_BUNDLE) (apt-get install ca-certificates, or set CA_BUNDLE)" >&2; exit 1; }
	@ctx=$$(mktemp -d) && trap 'rm -rf "$$ctx"' EXIT && \
	echo "image: CGO_ENABLED=0 $(GO) build -trimpath -ldflags \"-s -w $(LDFLAGS)\"" && \
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w $(LDFLAGS)" -o "$$ctx/feedloom" ./cmd/feedloom && \
	cp deploy/container/Dockerfile "$$ctx/Dockerfile" && cp $(CA_BUNDLE) "$$ctx/ca-certificates.crt" && \
	mkdir -p "$$ctx/rootfs/tmp" "$$ctx/volume" && \
	chmod 0755 "$$ctx/feedloom" "$$ctx/volume" && chmod 0644 "$$ctx/ca-certificates.crt" && chmod 1777 "$$ctx/rootfs/tmp" && \
	$(DOCKER) build --label org.opencontainers.image.version=$(VERSION) --tag $(IMAGE) "$$ctx"

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# docs/feedloom.1 is generated from the command table in cmd/feedloom, like
# the usage text and the shell completions; a test fails while the
# checked-in page is stale.
man:
	$(GO) test ./cmd/feedloom -run '^TestManPageIsCurrent$$' -update

# Release archives in dist/, for every target below: a static binary (no
# cgo) stamped with VERSION, COMMIT and DATE, README.md and the man page,
# in a zip for Windows and a tar.gz elsewhere, and dist/SHA256SUMS for
# `sha256sum -c`. LICENSE goes in too once the repository has one (it has
# none yet: choosing it is the project's call, not the build's). Each cross-build takes a
# minute or two on two cores, so neither make test nor CI runs this; CI
# only checks that every target compiles (make cross).
RELEASE_TARGETS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
RELEASE_FILES   := README.md docs/feedloom.1 $(wildcard LICENSE)
DIST            := dist
# cross type-checks every package for the other systems the release
# targets, where their own files (the data folder's lock, the atomic file
# writer, file stamps) differ.
cross:
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 $(GO) vet ./...
	CGO_ENABLED=0 GOOS=darwin GOARCH=arm64 $(GO) vet ./...

release:
	rm -rf $(DIST)
	mkdir -p $(DIST)
	$(GO) build -o $(DIST)/.pack ./internal/release
	@set -e; for target in $(RELEASE_TARGETS); do \
		os=$${target%/*}; arch=$${target#*/}; name=feedloom-$(VERSION)-$$os-$$arch; exe=feedloom; ext=tar.gz; \
		if [ "$$os" = windows ]; then exe=feedloom.exe; ext=zip; fi; \
		echo "release: $(DIST)/$$name.$$ext"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "-s -w $(LDFLAGS)" -o $(DIST)/$$name/$$exe ./cmd/feedloom; \
		$(DIST)/.pack archive -o $(DIST)/$$name.$$ext -dir $$name -time $(DATE) $(DIST)/$$name/$$exe $(RELEASE_FILES); \
		rm -rf $(DIST)/$$name; \
	done
	cd $(DIST) && ./.pack sums -o SHA256SUMS $$(ls *.tar.gz *.zip 2>/dev/null)
	rm -f $(DIST)/.pack
	@cat $(DIST)/SHA256SUMS

clean:
	rm -rf bin public data dist
