#!/bin/sh
# bench/import.sh: issue 3's targets, tk-import and tk-export against
# sqlite3 .import and sqlite3 -csv, side by side, on N generated tickets.
. "$(dirname "$0")/lib.sh"
inputs csv csv
csv=$full small=$tenth

set -- $(timepair sqlite-import "rm -f $data/bench.db" "sqlite3 $data/bench.db < $out/import-csv.sql" \
	tk-import "rm -rf $data/tk-import" "tk-import -q -d $data/tk-import $csv")
sq=$1 tk=$3 tkrss=$4
set -- $(timeit tk-import-again "true" "tk-import -q -d $data/tk-import $csv")
again=$1 againrss=$2
set -- $(timeit tk-import-tenth "rm -rf $data/tk-small" "tk-import -q -d $data/tk-small $small")
smallrss=$2
set -- $(timepair sqlite-export "true" "sqlite3 -csv -header $data/bench.db 'SELECT * FROM tickets' >/dev/null" \
	tk-export "true" "tk-export -d $data/tk-import --format csv >/dev/null")
sqx=$1 tkx=$3
rows=$(tk-ls -d "$data/tk-import" -a -t -o id -n 1 -s -id)
cat <<REPORT
import bench (issue 3), $(date -u +%F), N=$N ($(du -m "$csv" | cut -f1) MiB of CSV), $(nproc) cores; medians of $RUNS runs each, tk and sqlite3 in turn
tickets in the store:          $rows
sqlite3 .import (5 indexes):   $sq s ($(rate "$N" "$sq") rows/s)
tk-import:                     $tk s ($(rate "$N" "$tk") rows/s), max RSS $((tkrss / 1024)) MiB
  tk speed / sqlite speed:     $(ratio "$sq" "$tk")x (target >= 3x)
tk-import again (unchanged):   $again s: $(ratio "$tk" "$again")x faster than the first run (target >= 5x), max RSS $((againrss / 1024)) MiB
tk-import of N/10 rows:        max RSS $((smallrss / 1024)) MiB (target: below 64 MiB whatever N)
sqlite3 -csv SELECT *:         $sqx s
tk-export --format csv:        $tkx s: $(ratio "$sqx" "$tkx")x sqlite's speed (target >= 1x)
REPORT
