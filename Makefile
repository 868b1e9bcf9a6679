# csock: `make test` runs everything CI checks; `make bench` runs the benchmark table.

GO      ?= go
CC      ?= gcc
CSTRICT := -std=c11 -Wall -Wextra -Werror -pedantic
CSAN    := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
GOFILES  = $(shell find . -name '*.go' -not -path './build/*' -not -path './.git/*')
CTESTS  := $(wildcard test/c/*.c)

export ASAN_OPTIONS  := detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS := halt_on_error=1:print_stacktrace=1

.PHONY: all FORCE test external lint fmt-check vet staticcheck cross-vet gotest ctest ctest-san fuzz soak load lsan-selftest resolver-scale clean cpysock cpysock-san cpysock-valgrind

all: build/libcsock.a bin/pysock bin/resolvdiff

# The pysock CLI (go build decides whether it is up to date).
bin/pysock: FORCE
	$(GO) build -o $@ ./cmd/pysock

# resolvdiff: libc's, Go's pure and Go's cgo resolvers side by side, and why they differ.
bin/resolvdiff: FORCE
	$(GO) build -o $@ ./cmd/resolvdiff

FORCE:

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

test: lint build/libcsock.a ctest ctest-san lsan-selftest cpysock cpysock-san cpysock-valgrind gotest external

lint: fmt-check vet staticcheck cross-vet

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

# On another platform the packages over the shim (csock, facade, everything importing
# them) are left out by their //go:build linux (csock/platform_test.go checks every file)
# instead of stopping in the C compiler, and what is left vets clean.
cross-vet:
	GOOS=freebsd $(GO) vet ./...
	GOOS=darwin $(GO) vet ./...
	@set -e; for p in ./csock ./facade; do \
		out=$$(GOOS=darwin $(GO) build $$p 2>&1 || true); \
		case "$$out" in *"build constraints exclude all Go files"*) ;; \
		*) echo "GOOS=darwin go build $$p: want \"build constraints exclude all Go files\", got: $$out"; exit 1;; esac; \
	done

gotest:
	$(GO) test -race -count=1 ./...

# test/external is a module of its own that requires this one as a user's module does:
# it runs the README's Go code and every Example of the public packages from outside.
external:
	cd test/external && $(GO) vet ./... && $(GO) test -count=1 ./...

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

# ctest-san's LeakSanitizer is really on: shim_test built the same way against a copy of
# csock.c with a deliberate leak must fail with LeakSanitizer's report.
lsan-selftest:
	CC="$(CC)" CFLAGS="$(CSTRICT) $(CSAN)" scripts/lsan_selftest.sh

# The facade for C programs: build/libpysock.a (go build -buildmode=c-archive of
# cmd/libpysock), with the hand-written build/include/pysock.h that C programs include and
# the header cgo generates (build/include/libpysock.h, which includes export.h).
PYSOCK_DEPS   = $(shell find cmd/libpysock facade csock internal -name '*.go' -not -name '*_test.go') \
                cmd/libpysock/pysock.h cmd/libpysock/export.h cmd/libpysock/pysock.c csock.c csock.h go.mod go.sum
# What a program linking libpysock.a needs: the LDFLAGS its cgo packages declare (runtime/cgo,
# net), which a c-archive cannot carry. README.md's link line is the same.
PYSOCK_LIBS  := -lpthread -lresolv
CPYSOCK_TESTS := $(wildcard test/cpysock/c/*.c)
VALGRIND     := GODEBUG=cpu.rdtscp=off,asyncpreemptoff=1 valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible \
                --read-inline-info=no --error-exitcode=99 --suppressions=test/cpysock/valgrind.supp

build/libpysock.a: $(PYSOCK_DEPS)
	@mkdir -p build/include
	$(CC) $(CSTRICT) -fsyntax-only cmd/libpysock/pysock.c
	$(GO) build -buildmode=c-archive -o $@ ./cmd/libpysock
	mv build/libpysock.h build/include/libpysock.h
	cp cmd/libpysock/pysock.h cmd/libpysock/export.h build/include/

# The same archive with the Go runtime's valgrind annotations (-tags valgrind) and DWARF 4,
# which valgrind 3.19 reads; test/cpysock/valgrind.supp says why both are needed.
build/valgrind/libpysock.a: $(PYSOCK_DEPS)
	@mkdir -p build/valgrind
	GOEXPERIMENT=nodwarf5 $(GO) build -tags valgrind -buildmode=c-archive -o $@ ./cmd/libpysock

# Each test/cpysock/c/NAME.c is linked against a libpysock.a and run (stdin from NAME.in
# if present): $(1) the archive, $(2) the output directory, $(3) CFLAGS, $(4) a runner.
define run_cpysock
	@mkdir -p $(2)
	@set -e; for src in $(CPYSOCK_TESTS); do \
		name=$$(basename $$src .c); \
		$(CC) $(CSTRICT) $(3) -Ibuild/include $$src $(1) $(PYSOCK_LIBS) -o $(2)/$$name; \
		if [ -f test/cpysock/c/$$name.in ]; then in=test/cpysock/c/$$name.in; else in=/dev/null; fi; \
		echo "run $(2)/$$name"; $(4) $(2)/$$name < $$in > $(2)/$$name.out; \
	done
endef

cpysock: build/libpysock.a
	$(call run_cpysock,build/libpysock.a,build/cpysock,-O2,)

cpysock-san: build/libpysock.a
	$(call run_cpysock,build/libpysock.a,build/cpysock-san,$(CSAN),)

cpysock-valgrind: build/libpysock.a build/valgrind/libpysock.a
	$(call run_cpysock,build/valgrind/libpysock.a,build/cpysock-valgrind,-O1 -g,$(VALGRIND))

# Every fuzz target for FUZZTIME each (default 60s); fails on any crash. CI runs the seed
# corpora only, as part of go test.
fuzz:
	FUZZTIME=$(or $(FUZZTIME),60s) scripts/fuzz.sh

# As root, soak and load run in a network namespace of their own with only loopback: no
# lookup can reach a name server, and the load test's 10,000 connections (and their
# TIME_WAIT) stay out of the machine's port space. Not as root they run as they are.
LOOPBACK_NS = $(if $(filter 0,$(shell id -u)),unshare -n sh -c 'ip link set lo up && exec "$$@"' sh,)

# 100,000 sockets opened and closed and 100,000 names resolved (numeric and /etc/hosts
# only), then descriptors, goroutines, OS threads and RSS checked against their level after
# a warm-up; bounded to 60 s. go test (make test) runs 5,000 of each.
soak:
	@mkdir -p build
	$(GO) test -c -o build/soak.test ./test/soak
	$(LOOPBACK_NS) build/soak.test -test.run '^TestSoak$$' -test.v -soak.sockets=100000 -soak.lookups=100000 -soak.deadline=60s

# 10,000 concurrent loopback TCP echo clients (a child process, facade sockets; LOAD_CLIENT=net
# for Go's net) against a facade echo server for LOAD_DURATION (default 30s). go test (make
# test) runs 200 clients for 2 s.
load:
	@mkdir -p build
	$(GO) test -c -o build/load.test ./test/load
	$(LOOPBACK_NS) build/load.test -test.run '^TestLoad$$' -test.v -test.timeout=20m -load.clients=$(or $(LOAD_CLIENTS),10000) \
		-load.duration=$(or $(LOAD_DURATION),30s) -load.client=$(or $(LOAD_CLIENT),facade)

# The README's "Resolver: bounded threads and cancellation" table (as root: it measures
# inside the hermetic resolver world).
resolver-scale:
	$(GO) run ./test/hermetic/bounded/cmd/resolverscale

clean:
	rm -rf build bin

-include bench/bench.mk
