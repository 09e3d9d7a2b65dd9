#!/bin/sh
# bench/import.sh: tk-import and tk-export against sqlite3 .import and
# sqlite3 -csv, side by side, whole processes, on generated tickets.
# BENCH_N tickets (default 1000000); RUNS timed runs each (default 3, median).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_N:-1000000}
RUNS=${RUNS:-3}
data=$top/bench/data
out=$top/bench/out
mkdir -p "$data" "$out"
PATH=$top/bin:$PATH
csv=$data/tickets-$N.csv
[ -s "$csv" ] || python3 "$top/../shared/bench/gen-tickets.py" -n "$N" --seed 42 -o "$csv"

# median of the RUNS elapsed seconds of a command (run in sh -c), after a setup command
timeit() { # name setup command
	name=$1 setup=$2 cmd=$3 i=0
	: >"$out/$name.times"
	while [ $i -lt "$RUNS" ]; do
		sh -c "$setup" >/dev/null 2>&1
		/usr/bin/time -f "%e %M" -o "$out/$name.one" sh -c "$cmd" >/dev/null 2>"$out/$name.err" || {
			echo "$name failed:"; cat "$out/$name.err"; exit 1; }
		cat "$out/$name.one" >>"$out/$name.times"
		i=$((i + 1))
	done
	sort -n "$out/$name.times" | awk -v n="$RUNS" 'NR == int((n + 1) / 2) { print $1, $2 }'
}

schema="CREATE TABLE tickets(external_id TEXT, created TEXT, requester TEXT, channel TEXT, category TEXT,
 priority TEXT, queue TEXT, assignee TEXT, status TEXT, first_response TEXT, resolved TEXT, csat TEXT,
 subject TEXT, body TEXT);
CREATE INDEX t_status ON tickets(status); CREATE INDEX t_assignee ON tickets(assignee);
CREATE INDEX t_queue ON tickets(queue); CREATE INDEX t_priority ON tickets(priority);
CREATE INDEX t_created ON tickets(created);"
printf '%s\n.mode csv\n.import --skip 1 %s tickets\n' "$schema" "$csv" >"$out/import.sql"

set -- $(timeit sqlite-import "rm -f $data/bench.db" "sqlite3 $data/bench.db < $out/import.sql")
sq=$1
set -- $(timeit tk-import "rm -rf $data/tk-import" "tk-import -q -d $data/tk-import $csv")
tk=$1 tkrss=$2
set -- $(timeit tk-import-again "true" "tk-import -q -d $data/tk-import $csv")
again=$1 againrss=$2
small=$data/tickets-tenth-$N.csv
[ -s "$small" ] || python3 "$top/../shared/bench/gen-tickets.py" -n $((N / 10)) --seed 42 -o "$small"
set -- $(timeit tk-import-tenth "rm -rf $data/tk-small" "tk-import -q -d $data/tk-small $small")
smallrss=$2
set -- $(timeit sqlite-export "true" "sqlite3 -csv -header $data/bench.db 'SELECT * FROM tickets' > $data/sqlite-export.csv")
sqx=$1
set -- $(timeit tk-export "true" "tk-export -d $data/tk-import --format csv > $data/tk-export.csv")
tkx=$1

rows=$(tk-ls -d "$data/tk-import" -a -t -o id -n 1 -s -id)
cat <<REPORT
tk-import bench, $(date -u +%F), N=$N, $(nproc) cores, medians of $RUNS runs
rows imported: $rows
sqlite3 .import (5 indexes):   $sq s  ($(awk -v n="$N" -v s="$sq" 'BEGIN { printf "%.0f", n / s }') rows/s)
tk-import:                      $tk s  ($(awk -v n="$N" -v s="$tk" 'BEGIN { printf "%.0f", n / s }') rows/s), max RSS $((tkrss / 1024)) MiB
  speed vs sqlite:              $(awk -v a="$sq" -v b="$tk" 'BEGIN { printf "%.2fx", a / b }') (target 3x)
tk-import again (unchanged):    $again s, $(awk -v a="$tk" -v b="$again" 'BEGIN { printf "%.1fx", a / b }') faster than the first run (target 5x), max RSS $((againrss / 1024)) MiB
tk-import of N/10 rows:         max RSS $((smallrss / 1024)) MiB (target: below 64 MiB whatever N)
sqlite3 -csv SELECT *:          $sqx s
tk-export --format csv:         $tkx s  ($(awk -v a="$sqx" -v b="$tkx" 'BEGIN { printf "%.2fx", a / b }') of sqlite's speed, target >= 1x)
REPORT
