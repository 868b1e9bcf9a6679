#!/usr/bin/env bash
# Runs every Go fuzz target for FUZZTIME (default 60s) each and fails on any crash.
# Targets that evaluate arbitrary socket calls, resolve arbitrary names or set arbitrary
# socket options as root run in a fresh network namespace with only loopback (unshare -n,
# as root), so no generated host name can reach an outside resolver and no option can
# change the machine's network.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-60s}

# package  target  needs-isolation
targets=$(cat <<'LIST'
./internal/idna FuzzEncode no
./internal/pyexpr FuzzParseEval no
./internal/pysock FuzzEval yes
./facade FuzzParseAddress yes
./facade FuzzGetNameInfo yes
./facade FuzzInet no
./facade FuzzSetSockOpt yes
LIST
)
extra=${FUZZ_EXTRA:-}
[ -n "$extra" ] && targets="$targets"$'\n'"$extra"

# count prints how many inputs a corpus directory holds (0 when it does not exist).
count() { if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
while read -r pkg target isolate; do
	[ -n "$pkg" ] || continue
	echo "== fuzz $pkg $target for $fuzztime"
	# go test builds the package with the fuzzer's coverage instrumentation; the module
	# cache is already filled, so it needs no network inside the namespace.
	run=(go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg")
	go test -run='^$' "$pkg" >/dev/null # build (and fetch) outside the namespace
	corpus="$pkg/testdata/fuzz/$target"
	before=$(count "$corpus")
	rc=0
	if [ "$isolate" = yes ]; then
		if [ "$(id -u)" != 0 ]; then
			echo "skip: $target needs root for its network namespace"
			continue
		fi
		GOFLAGS=-mod=mod GOPROXY=off unshare -n sh -c 'ip link set lo up && exec "$@"' sh "${run[@]}" 2>&1 | tee "$log" || rc=1
	else
		"${run[@]}" 2>&1 | tee "$log" || rc=1
	fi
	[ "$rc" = 0 ] && continue
	# Go 1.26's fuzz coordinator can fail a target with a bare "context deadline exceeded"
	# when -fuzztime ends while a worker is busy (go.dev/issue/75804, fixed in Go 1.27):
	# no input failed and none was written. Only that exact failure is forgiven, and only
	# after the whole corpus replays clean.
	after=$(count "$corpus")
	if [ "$after" = "$before" ] && ! grep -q 'Failing input written to' "$log" &&
		[ "$(grep -v '^fuzz: elapsed' "$log" | grep -cv -e "^--- FAIL: $target " -e '^    context deadline exceeded$' -e '^FAIL' -e '^exit status 1$')" = 0 ]; then
		echo "fuzz: $target: the coordinator's deadline race (go.dev/issue/75804), no failing input; replaying the corpus"
		go test -count=1 -run="^${target}\$" "$pkg" && continue
	fi
	status=1
done <<<"$targets"
exit $status
