GO ?= go
BENCHTIME ?= 1s

.PHONY: all build test bench bench-ingest bench-wait bench-memory bench-serve-memory bench-lint budget fuzz vet playground

all: vet test

build:
	$(GO) build -o bin/postmortem ./cmd/postmortem

test:
	$(GO) test ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)

# Speed and memory live here, never in timed test assertions. Each target
# below reproduces a table of docs/BENCHMARKS.md.
bench: bench-ingest bench-wait bench-memory bench-serve-memory bench-lint
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

# alex and write-good (npm) are installed in a cache dir, not in the repo.
bench-lint:
	$(GO) test -run='^$$' -bench='LintCorpus|BenchmarkLint$$' -benchmem ./checks
	tools/lintbench/run.sh

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
