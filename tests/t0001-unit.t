#!/bin/sh
# The C unit tests of lib/: they print TAP themselves.
: "${TK_UNIT:?run through tests/run.sh}"
exec "$TK_UNIT"
