# tests/lib.sh - TAP helpers in the spirit of git's test-lib, sourced by tests/*.t.
# Each test script runs in its own trash directory with its own store, the
# clock pinned by TK_NOW and the time zone by TZ, so results never depend on
# the machine or the day.
set -u
: "${TK_BIN:?set TK_BIN to the directory of the tk commands (tests/run.sh does)}"
PATH=$TK_BIN:$PATH
TK_NOW=2026-11-22T09:30:00Z
TZ=UTC
NO_COLOR=1
LC_ALL=C.UTF-8
export PATH TK_NOW TZ NO_COLOR LC_ALL
unset TK_DIR XDG_DATA_HOME COLUMNS
TEST_DIR=$(cd "$(dirname "$0")" && pwd)
# The schema this tk writes (tests of upgrades check a store reaches it).
TK_SCHEMA=$(sed -n "s/^#define TK_SCHEMA_VERSION //p" "$TEST_DIR/../lib/tk-store.h")
trash=$(mktemp -d "${TMPDIR:-/tmp}/tk-test.XXXXXX") || exit 1
trap 'cd / && rm -rf "$trash"' EXIT
cd "$trash" || exit 1
TK_DIR=$trash/store
export TK_DIR
test_count=0
test_failed=0

# test_expect_success 'title' 'shell commands': ok when the commands succeed.
test_expect_success() {
	test_count=$((test_count + 1))
	if (eval "set -e; $2") >"$trash/.out" 2>&1; then
		echo "ok $test_count - $1"
	else
		echo "not ok $test_count - $1"
		sed 's/^/# /' "$trash/.out"
		test_failed=$((test_failed + 1))
	fi
}

# test_skip 'title' 'reason': a test that cannot run here, and why.
test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # SKIP $2"
}

# skip_peak_memory 'title': true, and the test skipped saying why, where a
# command's peak memory cannot be measured: no GNU time, or a sanitizer
# build (its shadow memory and its quarantine of freed blocks are the peak).
skip_peak_memory() {
	if ! test -x /usr/bin/time; then
		test_skip "$1" '/usr/bin/time is not installed (make deps installs it)'
	else
		case $TK_BIN in
		*/asan/*) test_skip "$1" 'a sanitizer build keeps shadow and freed memory: its peak says nothing' ;;
		*) return 1 ;;
		esac
	fi
}

# test_cmp expected actual: the same, else the difference is shown.
test_cmp() {
	diff -u "$1" "$2"
}

# test_expect_code N command...: the command exits with status N.
test_expect_code() {
	want=$1
	shift
	"$@" && got=0 || got=$?
	if [ "$got" != "$want" ]; then
		echo "expected exit $want, got $got from: $*"
		return 1
	fi
}

# test_must_fail command...: fails with a status below 128 (no crash).
test_must_fail() {
	"$@" && { echo "expected failure from: $*"; return 1; }
	got=$?
	if [ "$got" -ge 128 ]; then
		echo "crashed ($got): $*"
		return 1
	fi
	return 0
}

# test_grep pattern file: file has a line matching pattern, else show file.
test_grep() {
	grep -q -e "$1" "$2" || { echo "no line matches '$1' in $2:"; cat "$2"; return 1; }
}

# test_empty file: nothing was written.
test_empty() {
	[ ! -s "$1" ] || { echo "$1 is not empty:"; cat "$1"; return 1; }
}

test_done() {
	echo "1..$test_count"
	[ "$test_failed" -eq 0 ]
}

# declare_fields DIR name...: a store directory's fields file declares
# these custom fields (a writing command refuses undeclared names).
declare_fields() {
	dir=$1
	shift
	mkdir -p "$dir"
	for f; do echo "field $f"; done >>"$dir/fields"
}
