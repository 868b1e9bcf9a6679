#!/usr/bin/env bash
# Shows that the sanitizer build of the shim's C tests (make ctest-san) really runs
# LeakSanitizer: shim_test built the same way against a copy of csock.c holding one
# deliberate leak must fail with LeakSanitizer's report naming the leaking function, and
# against the unchanged copy must pass. CC, CFLAGS and ASAN_OPTIONS come from the Makefile.
set -euo pipefail
cd "$(dirname "$0")/.."
cc=${CC:-gcc}
cflags=${CFLAGS:--std=c11 -Wall -Wextra -Werror -pedantic -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/clean" "$tmp/leaky"
cp csock.c csock.h "$tmp/clean/"
cp csock.h "$tmp/leaky/"
# Every call of csock_inet_pton overwrites the only pointer to the previous call's block:
# shim_test calls it three times, so two blocks are unreachable at exit.
awk '
	{ print }
	/^int csock_inet_pton\(/ { inpton = 1 }
	inpton && /^\{/ { print "    { static char *volatile lsan_selftest_sink; lsan_selftest_sink = malloc(16); if (lsan_selftest_sink != NULL) lsan_selftest_sink[0] = 0; } /* deliberate leak */"; inpton = 0 }
' csock.c >"$tmp/leaky/csock.c"
grep -q 'deliberate leak' "$tmp/leaky/csock.c" || { echo "lsan selftest: could not plant the leak"; exit 1; }

for v in clean leaky; do
	# shellcheck disable=SC2086
	$cc $cflags -I"$tmp/$v" test/c/shim_test.c "$tmp/$v/csock.c" -o "$tmp/$v/shim_test"
done
"$tmp/clean/shim_test" >/dev/null 2>"$tmp/clean.err" || { cat "$tmp/clean.err"; echo "lsan selftest: the unchanged shim fails"; exit 1; }
if "$tmp/leaky/shim_test" >/dev/null 2>"$tmp/leaky.err"; then
	echo "lsan selftest: FAIL: a leaking shim passed: LeakSanitizer is not active (ASAN_OPTIONS=$ASAN_OPTIONS)"
	exit 1
fi
if ! grep -q 'ERROR: LeakSanitizer: detected memory leaks' "$tmp/leaky.err" || ! grep -q 'in csock_inet_pton' "$tmp/leaky.err"; then
	cat "$tmp/leaky.err"
	echo "lsan selftest: FAIL: the leaking shim failed without LeakSanitizer's report"
	exit 1
fi
echo "lsan selftest: ok: $(grep -m1 '^SUMMARY' "$tmp/leaky.err")"
