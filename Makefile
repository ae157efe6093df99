GO ?= go
BENCHTIME ?= 1s

.PHONY: all build test bench fuzz vet playground

all: vet test

build:
	$(GO) build -o bin/postmortem ./cmd/postmortem

test:
	$(GO) test ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)

# Speed and memory live here, never in timed test assertions.
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) ./...

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
