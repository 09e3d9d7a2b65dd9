# bench/lib.sh: shared by the benchmark scripts. Not a test: it times
# whole processes on this machine, tk and the reference in the same run.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_N:-1000000}
RUNS=${RUNS:-3}
data=$top/bench/data
out=$top/bench/out
mkdir -p "$data" "$out"
PATH=$top/bin:$PATH
export TZ=UTC

# timeit NAME SETUP COMMAND: "median-seconds median-maxrss-KiB" of RUNS runs
# of COMMAND (in sh -c), each after SETUP.
timeit() {
	name=$1 setup=$2 cmd=$3 i=0
	: >"$out/$name.times"
	while [ $i -lt "$RUNS" ]; do
		sh -c "$setup" >/dev/null 2>&1
		sync	# each run starts with no write-back of the one before
		/usr/bin/time -f "%e %M" -o "$out/$name.one" sh -c "$cmd" >/dev/null 2>"$out/$name.err" || {
			echo "$name failed:" >&2; cat "$out/$name.err" >&2; exit 1; }
		cat "$out/$name.one" >>"$out/$name.times"
		i=$((i + 1))
	done
	t=$(sort -n "$out/$name.times" | awk -v n="$RUNS" 'NR == int((n + 1) / 2) { print $1 }')
	m=$(sort -n -k2 "$out/$name.times" | awk -v n="$RUNS" 'NR == int((n + 1) / 2) { print $2 }')
	echo "$t $m"
}

# hf NAME CMD...: mean seconds of hyperfine's runs of each command, one a line.
hf() {
	name=$1
	shift
	hyperfine -N -w 5 -r "${HF_RUNS:-40}" --export-json "$out/$name.json" "$@" >"$out/$name.txt" 2>&1 || {
		cat "$out/$name.txt" >&2; exit 1; }
	python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]: print("%.6f" % r["mean"])' "$out/$name.json"
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
