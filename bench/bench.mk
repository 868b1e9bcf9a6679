# bench/bench.mk — benchmark targets, included by the top-level Makefile.
#
#   make bench             full run: 5 rounds, 300 ms per measurement, 1.5 s for bulk (4-11 min here)
#   make bench QUICK=1     smoke run: 2 rounds, 30 ms, idle_10k with 1,000 conns (~30 s),
#                          written to bench/results/quick/ (not committed) so a smoke run
#                          never replaces the full run's figures
#   make bench BENCH_FLAGS='-ops pingpong_tcp,bulk_tcp -impls c,go'
#   make bench-test        the driver's unit tests and the protocol smoke test
#
# Results: bench/results/latest.json, latest.md, ratios.svg (see bench/README.md).

BENCH_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
GO ?= go
BENCH_FLAGS ?=

.PHONY: bench bench-test

bench:
	$(GO) run ./$(BENCH_DIR)/cmd/benchrun $(if $(filter-out 0 false no,$(QUICK)),-quick -out $(BENCH_DIR)/results/quick) $(BENCH_FLAGS)

bench-test:
	$(GO) test -count=1 ./$(BENCH_DIR)/...
