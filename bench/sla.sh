#!/bin/sh
# bench/sla.sh: issue 26's SLA targets, side by side in one run.
#   tk-sla --breached --new with nothing new, on a store of N tickets and on
#     one of 10,000, each holding the same 1,000 open tickets with SLA
#     deadlines (500 of them breached and claimed): within 1.5x (its cost is
#     the answer's, not the store's);
#   tk-sla --breached on the big store beside sqlite3 answering the same
#     from a table with an indexed deadline column;
#   the business-time arithmetic (bench/calendar.c): a deadline a year
#     ahead against one an hour ahead, at most 2x;
#   one tk-new with a policy and a calendar against one without: at most 1.1x.
# Bounded: each command runs under timeout; SLA_N tickets (default BENCH_N).
. "$(dirname "$0")/lib.sh"
SN=${SLA_N:-$N}
SMALL=10000
OPEN=1000
T=${SLA_TIMEOUT:-600}
big=$data/tk-sla-$SN
small=$data/tk-sla-$SMALL
now=2026-11-23T09:00:00Z	# a Monday, 17:00 in Shanghai

cat >"$out/calendars" <<'EOF'
calendar office Asia/Shanghai
hours    office Mon-Fri 09:00-12:00 13:00-18:00
holiday  office 2026-01-01..2026-01-03
workday  office 2026-01-04
holiday  office 2026-02-15..2026-02-23
workday  office 2026-02-14
workday  office 2026-02-28
holiday  office 2026-04-04..2026-04-06
holiday  office 2026-05-01..2026-05-05
workday  office 2026-05-09
holiday  office 2026-06-19..2026-06-21
holiday  office 2026-09-25..2026-09-27
holiday  office 2026-10-01..2026-10-07
workday  office 2026-09-20
workday  office 2026-10-10
calendar ny America/New_York
hours    ny Mon-Fri 09:00-17:00
EOF
cat >"$out/sla" <<'EOF'
policy vip
  match      priority=P1
  response   15m
  resolution 4h
  calendar   office
policy default
  match      *
  response   8h
  resolution 3d
  calendar   office
EOF

# store DIR COUNT: COUNT generated tickets loaded with no SLA files (their
# open ones get no deadline), then the files, then OPEN new tickets made
# on the Friday before $now: P1 and P4 in turn, so that by then some of
# their clocks are breached and some not.
store() {
	[ -s "$1/data.mdb" ] && [ -s "$1/sla" ] && return
	rm -rf "$1"
	gen "$2" tsv "$data/tickets-$2.tsv"
	timeout "$T" tk-new -q -b -d "$1" <"$data/tickets-$2.tsv"
	cp "$out/calendars" "$out/sla" "$1/"
	awk -v n="$OPEN" 'BEGIN { print "subject\tpriority"; for (i = 1; i <= n; i++) printf "sla %d\tP%d\n", i, i % 2 ? 1 : 4 }' |
		TK_NOW=2026-11-20T02:00:00Z timeout "$T" tk-new -q -b -d "$1"
	# the breaches of today, claimed: a cron run every minute finds nothing new
	TK_NOW=$now timeout "$T" tk-sla -q -d "$1" --breached --new || true
}
store "$small" "$SMALL"
store "$big" "$SN"
breached=$(TK_NOW=$now tk-sla -d "$big" --breached | wc -l)
breached_small=$(TK_NOW=$now tk-sla -d "$small" --breached | wc -l)

# The same question for sqlite3: the big store's deadlines in a table with
# an index on the earliest (as sla_due).
if [ ! -s "$data/sla-$SN.db" ]; then
	tk-ls -d "$big" -a -t -o id,status,priority,due_response,due_update,due_resolution,sla_due >"$out/sla-rows.tsv"
	printf '%s\n' "CREATE TABLE tickets(id INTEGER PRIMARY KEY, status TEXT, priority TEXT, due_response TEXT,
 due_update TEXT, due_resolution TEXT, sla_due TEXT); CREATE INDEX t_sla_due ON tickets(sla_due);" \
		'.mode tabs' ".import $out/sla-rows.tsv tickets" "UPDATE tickets SET sla_due = NULL WHERE sla_due = '';" |
		sqlite3 "$data/sla-$SN.db"
fi
sqrows=$(sqlite3 "$data/sla-$SN.db" "SELECT count(*) FROM tickets WHERE sla_due <= '$now'")

# hf of lib.sh with failures allowed: --new with nothing new exits 1.
hfi() {
	name=$1
	shift
	per=$(( ${HF_RUNS:-40} / 4 ))
	[ "$per" -ge 3 ] || per=3
	: >"$out/$name.txt"
	r=0
	while [ $r -lt 4 ]; do
		hyperfine -N -i -w 3 -r "$per" --export-json "$out/$name.$r.json" "$@" >>"$out/$name.txt" 2>&1 || {
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

export TK_NOW=$now
set -- $(HF_RUNS=${HF_RUNS:-40} hfi sla-new \
	"timeout $T tk-sla -q -d $small --breached --new" \
	"timeout $T tk-sla -q -d $big --breached --new")
newsmall=$1 newbig=$2
set -- $(HF_RUNS=${HF_RUNS:-40} hf sla-breached \
	"timeout $T tk-sla -t -d $big --breached" \
	"sqlite3 $data/sla-$SN.db \"SELECT id, due_response, due_update, due_resolution, sla_due FROM tickets WHERE sla_due <= '$now'\"")
tkbr=$1 sqbr=$2
unset TK_NOW

# The arithmetic.
cc -O2 -std=c11 -D_GNU_SOURCE -I"$top/lib" -o "$out/calendar-bench" "$top/bench/calendar.c" "$top/lib/libtk.a" \
	-Wl,-Bstatic -llmdb -lpcre2-8 -lutf8proc -Wl,-Bdynamic -lcsv -lpthread
mkdir -p "$out/cal" && cp "$out/calendars" "$out/cal/calendars"
timeout "$T" "$out/calendar-bench" "$out/cal" >"$out/calendar.txt"

# One tk-new into a store with a policy and a calendar, and into the same
# without: copies of the small store, so both write to a B-tree alike.
rm -rf "$data/tk-sla-with" "$data/tk-sla-without"
cp -r "$small" "$data/tk-sla-with"
cp -r "$small" "$data/tk-sla-without"
rm "$data/tk-sla-without/sla" "$data/tk-sla-without/calendars"
sync
set -- $(HF_RUNS=${HF_RUNS:-60} hf sla-tknew \
	"tk-new -q -d $data/tk-sla-without -s 'VPN down' -r bob@example.com -p P1" \
	"tk-new -q -d $data/tk-sla-with -s 'VPN down' -r bob@example.com -p P1")
without=$1 with=$2
# the same in CPU: user+system over 300 runs each, in turn
cpu() { /usr/bin/time -f "%U %S" sh -c "i=0; while [ \$i -lt 300 ]; do tk-new -q -d $1 -s 'VPN down' -r bob@example.com -p P1; i=\$((i + 1)); done" 2>&1 | awk '{ printf "%.3f", ($1 + $2) / 300 * 1000 }'; }
cpuwithout=$(cpu "$data/tk-sla-without") cpuwith=$(cpu "$data/tk-sla-with")
cpuwithout2=$(cpu "$data/tk-sla-without") cpuwith2=$(cpu "$data/tk-sla-with")

ms() { awk -v s="$1" 'BEGIN { printf "%.2f", s * 1000 }'; }
cat <<REPORT
sla bench (issue 26), $(date -u +%F), $(nproc) cores; short commands: medians of hyperfine runs in 4 rounds, order turned
stores: $SN tickets and $SMALL, each with the same $OPEN open SLA tickets ($breached clocks breached in the big one, $breached_small in the small; all claimed)
tk-sla --breached --new, nothing new:   $SN: $(ms "$newbig") ms, $SMALL: $(ms "$newsmall") ms
  big / small:                          $(ratio "$newbig" "$newsmall")x (target <= 1.5x)
tk-sla --breached, $breached records ($SN tickets): tk $(ms "$tkbr") ms, sqlite3 (indexed sla_due, $sqrows rows) $(ms "$sqbr") ms
  tk / sqlite3:                         $(ratio "$tkbr" "$sqbr")x
the arithmetic, ns a deadline (calendar, hour ahead, week ahead, year ahead, year/hour):
$(sed 's/^/  /' "$out/calendar.txt")
  (target: year / hour <= 2x)
one tk-new, store of $SMALL:            without SLA $(ms "$without") ms, with a policy and a calendar $(ms "$with") ms
  with / without:                       $(ratio "$with" "$without")x (target <= 1.1x)
  CPU a tk-new (user+system, 300 runs, twice): without $cpuwithout / $cpuwithout2 ms, with $cpuwith / $cpuwith2 ms
REPORT
