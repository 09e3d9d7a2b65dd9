#!/bin/sh
# bench/fields.sh: issue 24's targets for declared fields, tk against the
# sqlite3 CLI side by side, on N tickets with a custom field product (101
# values, X100..X200, about 1% of the tickets each):
#   one tk-set of product, declared (an enum: validated) and indexed, vs
#   the same tk-set on a copy of the store with no fields file (the field
#   known by its values, no index): target <= 1.1x; and vs one sqlite3
#   UPDATE of the same row, product indexed: target <= 0.6x;
#   tk-ls product=X200 as the issue writes it (the default view: tickets
#   not yet done, read from the working set's copies under the value,
#   active_ix) vs sqlite3's indexed SELECT of the same rows (status IN
#   new, open, pending): target >= 10x faster; and tk-ls -a product=X200
#   (every status, through the index, a page a ticket) vs the SELECT
#   without the status test, reported.
# Every command is bounded (timeout); each run of a change is preceded by
# one that sets the value back, so it changes it.
. "$(dirname "$0")/lib.sh"
inputs tsv tabs
T=${BENCH_TIMEOUT:-1800}

prod=$data/fields-$N.tsv
fields=$out/fields.file
awk 'BEGIN { FS = OFS = "\t" } NR == 1 { print $0, "product"; next } { print $0, "X" (100 + (NR * 7919) % 101) }' \
	"$full" >"$prod"
{
	printf 'field product enum'
	i=100
	while [ $i -le 200 ]; do printf ' X%d' $i; i=$((i + 1)); done
	printf '\n  indexed\n'
} >"$fields"

# A: declared, validated, indexed (the store made with its fields file
# takes the index from the start). B: a copy with no fields file and the
# index dropped (tk-config apply), product known by the values it holds.
if ! [ -s "$data/tk-fields-$N/data.mdb" ]; then
	rm -rf "$data/tk-fields-$N"
	mkdir -p "$data/tk-fields-$N"
	cp "$fields" "$data/tk-fields-$N/fields"
	timeout "$T" tk-new -q -b -d "$data/tk-fields-$N" <"$prod"
fi
rm -rf "$data/tk-nofields-$N"
cp -r "$data/tk-fields-$N" "$data/tk-nofields-$N"
rm "$data/tk-nofields-$N/fields"
timeout "$T" tk-config -q -d "$data/tk-nofields-$N" apply
if ! [ -s "$data/fields-$N.db" ]; then
	printf '%s\nALTER TABLE tickets ADD COLUMN product TEXT;\nCREATE INDEX t_product ON tickets(product);\n.mode tabs\n.import --skip 1 %s tickets\n' \
		"$SCHEMA" "$prod" >"$out/import-fields.sql"
	timeout "$T" sqlite3 "$data/fields-$N.db" <"$out/import-fields.sql"
fi
sync

id=$((N / 2))
sqrow=$(sqlite3 "$data/fields-$N.db" "SELECT rowid FROM tickets WHERE external_id=(SELECT external_id FROM tickets WHERE rowid=$id)")
tkset() { echo "tk-set -q -d $data/$1-$N product=$2 $id"; }
sqset() { echo "sqlite3 $data/fields-$N.db \"UPDATE tickets SET product='$1' WHERE rowid=$sqrow\""; }

# alt NAME PREPARE CMD [PREPARE CMD]...: RUNS_ALT runs of each CMD after
# its PREPARE, the commands taking turns run by run (their order turned
# each run), so that all meet the disk as it is at the moment (a commit's
# fsync varies by several times over seconds on a shared machine);
# hyperfine would run all of one command's runs, then the next's. Wall
# time of each CMD from fork to exit (the driver's own cost is the same
# for all); the median seconds of each, one a line in the order given.
alt() {
	timeout "$T" python3 - "$out/$1" "${RUNS_ALT:-200}" "$@" <<'PY'
import shlex, subprocess, sys, time
base, runs = sys.argv[1], int(sys.argv[2])
pairs = [(shlex.split(sys.argv[i]), shlex.split(sys.argv[i + 1])) for i in range(4, len(sys.argv), 2)]
times = [[] for _ in pairs]
def run(argv):
    if subprocess.run(argv, stdout=subprocess.DEVNULL).returncode:
        sys.exit("failed: " + " ".join(argv))
for r in range(runs + 3):
    for k in range(len(pairs)):
        j = (k + r) % len(pairs)
        run(pairs[j][0])
        t0 = time.perf_counter()
        run(pairs[j][1])
        if r >= 3:	# (three warm-up rounds)
            times[j].append(time.perf_counter() - t0)
with open(base + ".times", "w") as f:
    for (p, c), t in zip(pairs, times):
        f.write(" ".join(c) + "\t" + " ".join("%.6f" % x for x in t) + "\n")
for t in times:
    t.sort(); n = len(t)
    print("%.6f" % (t[n // 2] if n % 2 else (t[n // 2 - 1] + t[n // 2]) / 2))
PY
}

set -- $(alt set \
	"$(tkset tk-fields X100)" "$(tkset tk-fields X200)" \
	"$(tkset tk-nofields X100)" "$(tkset tk-nofields X200)" \
	"$(sqset X100)" "$(sqset X200)")
tkf=$1 tkn=$2 sqs=$3
tk-ls -d "$data/tk-fields-$N" -a -t -o product id=$id | grep -qx X200
tk-ls -d "$data/tk-nofields-$N" -a -t -o product id=$id | grep -qx X200

rows=$(tk-ls -d "$data/tk-fields-$N" -a -t product=X200 | wc -l)
sqrows=$(sqlite3 "$data/fields-$N.db" "SELECT count(*) FROM tickets WHERE product='X200'")
plan=$(tk-ls -d "$data/tk-fields-$N" -a -t product=X200 --explain 2>&1 >/dev/null)
sqls="sqlite3 $data/fields-$N.db \"SELECT rowid,status,priority,queue,assignee,subject FROM tickets WHERE product='X200'\""
tkls="tk-ls -d $data/tk-fields-$N -a -t product=X200"
scan="tk-ls -d $data/tk-nofields-$N -a -t product=X200"
set -- $(hf ls "$sqls" "$tkls")
sql=$1 tkl=$2
vrows=$(tk-ls -d "$data/tk-fields-$N" -t product=X200 | wc -l)
vplan=$(tk-ls -d "$data/tk-fields-$N" -t product=X200 --explain 2>&1 >/dev/null)
sqview="sqlite3 $data/fields-$N.db \"SELECT rowid,status,priority,queue,assignee,subject FROM tickets WHERE product='X200' AND status IN ('new','open','pending')\""
set -- $(hf view "$sqview" "tk-ls -d $data/tk-fields-$N -t product=X200")
sqv=$1 tkv=$2
set -- $(HF_RUNS=8 hf ls-scan "$scan")
tks=$1

ms() { awk -v s="$1" 'BEGIN { printf "%.2f", s * 1000 }'; }
cat <<REPORT
fields bench (issue 24), $(date -u +%F), N=$N, $(nproc) cores; a change: median of ${RUNS_ALT:-200} runs each, the three taking turns run by run, each preceded by one setting the value back; a query: medians of hyperfine runs in 4 rounds, order turned
one tk-set product=X200 (enum of 101 values, indexed) on N tickets: $(ms "$tkf") ms
the same, no fields file (no type, no index):                       $(ms "$tkn") ms
  declared+validated+indexed / plain:  $(ratio "$tkf" "$tkn")x (target <= 1.1x)
one sqlite3 UPDATE of the same row (product indexed, 6 indexes):      $(ms "$sqs") ms
  tk-set / sqlite3 UPDATE:             $(ratio "$tkf" "$sqs")x (target <= 0.6x)
tk-ls product=X200 as the issue writes it, the default view ($vrows rows), $vplan:
                             tk $(ms "$tkv") ms, sqlite3 ... AND status IN (new, open, pending) $(ms "$sqv") ms: $(ratio "$sqv" "$tkv")x faster (target >= 10x)
tk-ls -a product=X200, every status ($rows rows; sqlite3 $sqrows), $plan:
                             tk $(ms "$tkl") ms, sqlite3 indexed SELECT $(ms "$sql") ms: $(ratio "$sql" "$tkl")x faster (reported)
  the same with no index (a pass over every ticket): $(ms "$tks") ms
REPORT
