GO ?= go
BENCHTIME ?= 1s

.PHONY: all build release test bench bench-ingest bench-wait bench-memory bench-serve-memory bench-lint bench-hostile bench-resync budget fuzz vet playground

all: vet test

# The version and commit stamped into builds (`postmortem version`): the tag if HEAD has one
# (v1.2.3, v1.2.3-4-gabcdef1 after it), else the short commit; -dirty with local changes.
VERSION ?= $(shell git describe --tags --match 'v[0-9]*' --always --dirty 2>/dev/null || echo devel)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
BUILDINFO = github.com/postmortem-app/postmortem/app/buildinfo
LDFLAGS = -s -w -X $(BUILDINFO).version=$(VERSION) -X $(BUILDINFO).commit=$(COMMIT)

build:
	$(GO) build -trimpath -ldflags='$(LDFLAGS)' -o bin/postmortem ./cmd/postmortem

# Static binaries for every platform below, with SHA256SUMS (check: cd dist && sha256sum -c SHA256SUMS).
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
DIST ?= dist
SHA256SUM ?= $(shell command -v sha256sum >/dev/null 2>&1 && echo sha256sum || echo 'shasum -a 256')
release:
	@mkdir -p $(DIST) && rm -f $(DIST)/postmortem-* $(DIST)/SHA256SUMS
	@set -e; for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; out=postmortem-$(VERSION)-$$os-$$arch; \
	  echo "$$out"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags='$(LDFLAGS)' -o $(DIST)/$$out ./cmd/postmortem; \
	done
	cd $(DIST) && $(SHA256SUM) postmortem-* > SHA256SUMS

test:
	$(GO) test ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)

# Speed and memory live here, never in timed test assertions. Each target
# below reproduces a table of docs/BENCHMARKS.md.
bench: bench-ingest bench-wait bench-memory bench-serve-memory bench-lint bench-hostile bench-resync
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) ./...

bench-ingest:
	$(GO) test -run='^$$' -bench='IngestMix|IngestPaced500' -benchtime=5000x ./app

bench-wait:
	$(GO) test -run='^$$' -bench='ReviewerWait' -benchtime=3x ./app

bench-memory:
	$(GO) test -run='^$$' -bench='ClientsWarm1000' -benchtime=1x ./app/ghclient

# The real binary's peak RSS through 8 concurrent forged 24 MB deliveries,
# twice (Linux). POSTMORTEM_BENCH_MAX_INFLIGHT=200MiB shows it without the cap.
bench-serve-memory:
	$(GO) test -run='^$$' -bench='ServeForgedDeliveries' -benchtime=1x ./cmd/postmortem

# Resync requests per pass at 5 000 repositories, 20 incidents, and the
# walk it replaced (docs/BENCHMARKS.md §7).
bench-resync:
	POSTMORTEM_BENCH_RESYNC=1 $(GO) test -count=1 -run=TestResyncScalesWithIncidents -v ./app/flows

# alex and write-good (npm) are installed in a cache dir, not in the repo.
bench-lint:
	$(GO) test -run='^$$' -bench='LintCorpus|BenchmarkLint$$' -benchmem ./checks
	tools/lintbench/run.sh

# Every crafted 1 MB postmortem: CPU, peak heap and allocations, one row per
# construct, then the CLI's peak resident memory on each (docs/BENCHMARKS.md
# §4, "Hostile Markdown").
bench-hostile:
	$(GO) test -run='^$$' -bench='LintHostile' -benchmem -benchtime=3x ./checks
	GO=$(GO) tools/hostilerss/run.sh

# The GitHub call budget per flow runs in 'make test' (TestCallBudget).
budget:
	$(GO) test -run='TestCallBudget|TestRepeatReadIsConditional' -v ./app

# Run every fuzz target for FUZZTIME each (the seed corpora run in 'make test').
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list='^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

playground:
	$(GO) run ./cmd/postmortem playground
