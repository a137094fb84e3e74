# tipring: build, run and test the gateway firmware.
# "make run" starts the daemon on the simulated board; "make test" runs every test.

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
BIN      := bin/tipring

.PHONY: build run test interop conformance bench cross lint deps clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/tipring

# The daemon, on the simulated board unless CONFIG=FILE names another.
run: build
	$(BIN) serve $(if $(CONFIG),-config $(CONFIG))

test:
	$(GO) test -race -count=1 ./...

# Tests against real SIP software (Kamailio, baresip), installed first when
# missing.
interop: deps
	$(GO) test -count=1 -run Interop ./...

# The conformance suites, printing their tables.
conformance:
	$(GO) test -count=1 -run Conformance -v ./dsp/...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

cross:
	GOOS=linux GOARCH=arm64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o dist/tipring-linux-arm64 ./cmd/tipring
	GOOS=linux GOARCH=arm GOARM=7 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o dist/tipring-linux-armv7 ./cmd/tipring

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt wants to change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# The outside programs the tests measure against (Debian packages).
deps:
	./.ci/deps

clean:
	rm -rf bin dist
