#!/usr/bin/env bash
# Runs every Go fuzz target for FUZZTIME (default 60s) each and fails on any crash.
# Targets that evaluate arbitrary socket calls run in a fresh network namespace with only
# loopback (unshare -n, as root), so no generated host name can reach an outside resolver.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-60s}

# package  target  needs-isolation
targets=$(cat <<'LIST'
./internal/idna FuzzEncode no
./internal/pyexpr FuzzParseEval no
./internal/pysock FuzzEval yes
LIST
)
extra=${FUZZ_EXTRA:-}
[ -n "$extra" ] && targets="$targets"$'\n'"$extra"

status=0
while read -r pkg target isolate; do
	[ -n "$pkg" ] || continue
	echo "== fuzz $pkg $target for $fuzztime"
	# go test builds the package with the fuzzer's coverage instrumentation; the module
	# cache is already filled, so it needs no network inside the namespace.
	run=(go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg")
	go test -run='^$' "$pkg" >/dev/null # build (and fetch) outside the namespace
	if [ "$isolate" = yes ]; then
		if [ "$(id -u)" != 0 ]; then
			echo "skip: $target needs root for its network namespace"
			continue
		fi
		GOFLAGS=-mod=mod GOPROXY=off unshare -n sh -c 'ip link set lo up && exec "$@"' sh "${run[@]}" || status=1
	else
		"${run[@]}" || status=1
	fi
done <<<"$targets"
exit $status
