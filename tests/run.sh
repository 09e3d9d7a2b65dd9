#!/bin/sh
# tests/run.sh BINDIR [test.t ...]: every TAP script (or those named) with
# prove, against the commands in BINDIR; BINDIR/../tests/unit is the C unit
# test binary of the same build.
set -u
bindir=$(cd "${1:?usage: tests/run.sh BINDIR [test.t ...]}" && pwd) || exit 2
shift
top=$(cd "$(dirname "$0")/.." && pwd)
TK_BIN=$bindir
TK_UNIT=$bindir/../tests/unit
export TK_BIN TK_UNIT
cd "$top" || exit 2
[ $# -gt 0 ] || set -- tests/*.t
exec prove -e sh "$@"
