# bench/lib.sh: shared by the benchmark scripts. Not a test: it times
# whole processes on this machine, tk and the reference in the same run.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_N:-1000000}
RUNS=${RUNS:-5}
data=$top/bench/data
out=$top/bench/out
mkdir -p "$data" "$out"
PATH=$top/bin:$PATH
export TZ=UTC

# one NAME SETUP COMMAND: one run of COMMAND (in sh -c) after SETUP, its
# seconds and max RSS added to $out/NAME.times.
one() {
	sh -c "$2" >/dev/null 2>&1
	sync	# each run starts with no write-back of the one before
	/usr/bin/time -f "%e %M" -o "$out/$1.one" sh -c "$3" >/dev/null 2>"$out/$1.err" || {
		echo "$1 failed:" >&2; cat "$out/$1.err" >&2; exit 1; }
	cat "$out/$1.one" >>"$out/$1.times"
}

# drop FILE...: the files leave the page cache (written back first), as
# after a reboot; the next reader brings them back in its own way.
drop() {
	sync
	for f in "$@"; do
		dd if="$f" iflag=nocache count=0 status=none
	done
}

# med NAME: "median-seconds median-maxrss-KiB" of $out/NAME.times.
med() {
	n=$(wc -l <"$out/$1.times")
	t=$(sort -n "$out/$1.times" | awk -v n="$n" 'NR == int((n + 1) / 2) { print $1 }')
	m=$(sort -n -k2 "$out/$1.times" | awk -v n="$n" 'NR == int((n + 1) / 2) { print $2 }')
	echo "$t $m"
}

# timeit NAME SETUP COMMAND: med of RUNS runs.
timeit() {
	: >"$out/$1.times"
	i=0
	while [ $i -lt "$RUNS" ]; do
		one "$1" "$2" "$3"
		i=$((i + 1))
	done
	med "$1"
}

# timepair NAME SETUP COMMAND NAME2 SETUP2 COMMAND2: RUNS runs of each, in
# turn (first, second, first, ...), so that both meet the machine as it is
# at the time (it drifts by tens of percent over minutes); prints
# "seconds rss seconds2 rss2", medians.
timepair() {
	: >"$out/$1.times"
	: >"$out/$4.times"
	i=0
	while [ $i -lt "$RUNS" ]; do
		one "$1" "$2" "$3"
		one "$4" "$5" "$6"
		i=$((i + 1))
	done
	echo "$(med "$1") $(med "$4")"
}

# evict FILE...: the files' pages dropped from the page cache (written back
# first; posix_fadvise DONTNEED, no root needed), so that the next reader
# reads them from the disk as after a reboot, not as the writer left them.
# (A store just written by tk sits in the cache in the 4 KiB pieces its
# writes made; read back through tk's huge-page advice it is held in large
# folios and a fault maps many pages: on the twelfth session's machine
# tk-ls 'text=...' took 916 faults and 27 ms on the first, 558 and 16 ms on
# the second. sqlite3's files get the same treatment.)
evict() {
	sync
	python3 -c 'import os, sys
for p in sys.argv[1:]:
    fd = os.open(p, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)' "$@"
}

# hf NAME CMD...: median seconds of each command over hyperfine's runs, one a
# line in the order given. The runs come in four rounds, the order of the
# commands turned by one each round, so that none always goes first.
hf() {
	name=$1
	shift
	per=$(( ${HF_RUNS:-40} / 4 ))
	[ "$per" -ge 3 ] || per=3
	: >"$out/$name.txt"
	r=0
	while [ $r -lt 4 ]; do
		hyperfine -N -w 3 -r "$per" --export-json "$out/$name.$r.json" "$@" >>"$out/$name.txt" 2>&1 || {
			cat "$out/$name.txt" >&2; exit 1; }
		first=$1
		shift
		set -- "$@" "$first"
		r=$((r + 1))
	done
	python3 -c 'import json, sys
runs = {}
order = []
for f in sys.argv[1:]:
    for r in json.load(open(f))["results"]:
        if r["command"] not in runs:
            order.append(r["command"])
        runs.setdefault(r["command"], []).extend(r["times"])
for c in order:
    t = sorted(runs[c])
    n = len(t)
    print("%.6f" % (t[n // 2] if n % 2 else (t[n // 2 - 1] + t[n // 2]) / 2))' "$out/$name".[0-3].json
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

# The 5-index table the issues name, for sqlite3.
SCHEMA="CREATE TABLE tickets(external_id TEXT, created TEXT, requester TEXT, channel TEXT, category TEXT,
 priority TEXT, queue TEXT, assignee TEXT, status TEXT, first_response TEXT, resolved TEXT, csat TEXT,
 subject TEXT, body TEXT);
CREATE INDEX t_status ON tickets(status); CREATE INDEX t_assignee ON tickets(assignee);
CREATE INDEX t_queue ON tickets(queue); CREATE INDEX t_priority ON tickets(priority);
CREATE INDEX t_created ON tickets(created);"

gen() { # gen N FORMAT FILE
	[ -s "$3" ] || python3 "$top/../shared/bench/gen-tickets.py" -n "$1" --seed 42 --format "$2" -o "$3"
}

# inputs FORMAT MODE: N tickets in $full and N/10 in $tenth, generated once,
# and $out/import-FORMAT.sql, the sqlite3 script loading $full (.mode MODE).
inputs() {
	full=$data/tickets-$N.$1
	tenth=$data/tickets-$((N / 10)).$1
	gen "$N" "$1" "$full"
	gen $((N / 10)) "$1" "$tenth"
	printf '%s\n.mode %s\n.import --skip 1 %s tickets\n' "$SCHEMA" "$2" "$full" >"$out/import-$1.sql"
}
