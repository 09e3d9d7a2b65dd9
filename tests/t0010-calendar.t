#!/bin/sh
# The C unit tests of lib/calendar.c (tests/calendar.c): time zones against
# localtime_r, business-time arithmetic, the calendars file's errors.
: "${TK_UNIT:?run through tests/run.sh}"
exec "$(dirname "$TK_UNIT")/calendar"
