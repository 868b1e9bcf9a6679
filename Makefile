# csock: `make test` runs everything CI checks; `make bench` runs the benchmark table.

GO      ?= go
CC      ?= gcc
CSTRICT := -std=c11 -Wall -Wextra -Werror -pedantic
CSAN    := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
GOFILES  = $(shell find . -name '*.go' -not -path './build/*' -not -path './.git/*')
CTESTS  := $(wildcard test/c/*.c)

export ASAN_OPTIONS  := detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS := halt_on_error=1:print_stacktrace=1

.PHONY: all test lint fmt-check vet staticcheck gotest ctest ctest-san fuzz resolver-scale clean

all: build/libcsock.a

# The shim alone, for C programs: build/libcsock.a and build/include/csock.h.
build/libcsock.a: csock.c csock.h
	@mkdir -p build/obj build/include
	$(CC) $(CSTRICT) -O2 -fPIC -c csock.c -o build/obj/csock.o
	ar rcs $@ build/obj/csock.o
	cp csock.h build/include/csock.h

# The same shim with AddressSanitizer and UndefinedBehaviorSanitizer.
build/san/libcsock.a: csock.c csock.h
	@mkdir -p build/san
	$(CC) $(CSTRICT) $(CSAN) -c csock.c -o build/san/csock.o
	ar rcs $@ build/san/csock.o

test: lint build/libcsock.a ctest ctest-san gotest

lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

gotest:
	$(GO) test -race -count=1 ./...

# Each test/c/NAME.c is linked against the archive and run (stdin from NAME.in if present).
define run_ctests
	@mkdir -p $(2)
	@set -e; for src in $(CTESTS); do \
		name=$$(basename $$src .c); \
		$(CC) $(CSTRICT) $(3) -Ibuild/include $$src $(1) -o $(2)/$$name; \
		if [ -f test/c/$$name.in ]; then in=test/c/$$name.in; else in=/dev/null; fi; \
		echo "run $(2)/$$name"; $(2)/$$name < $$in > $(2)/$$name.out; \
	done
endef

ctest: build/libcsock.a
	$(call run_ctests,build/libcsock.a,build/ctest,-O2)

ctest-san: build/san/libcsock.a build/libcsock.a
	$(call run_ctests,build/san/libcsock.a,build/ctest-san,$(CSAN))

# Every fuzz target for FUZZTIME each (default 60s); fails on any crash. CI runs the seed
# corpora only, as part of go test.
fuzz:
	FUZZTIME=$(or $(FUZZTIME),60s) scripts/fuzz.sh

# The README's "Resolver: bounded threads and cancellation" table (as root: it measures
# inside the hermetic resolver world).
resolver-scale:
	$(GO) run ./test/hermetic/bounded/cmd/resolverscale

clean:
	rm -rf build bin

-include bench/bench.mk
