#!/bin/sh
# bench/fields.sh: issue 24's targets for declared fields, tk against the
# sqlite3 CLI side by side, on N tickets with a custom field product (101
# values, X100..X200, about 1% of the tickets each):
#   one tk-set of product, declared (an enum: validated) and indexed, vs
#   the same tk-set on a copy of the store with no fields file (the field
#   known by its values, no index): target <= 1.1x; and vs one sqlite3
#   UPDATE of the same row, product indexed: target <= 0.6x;
#   tk-ls -a product=X200 through its index vs sqlite3's indexed SELECT of
#   the same rows: target >= 10x faster.
# Every command is bounded (timeout); each run of a change is preceded by
# one that sets the value back (hyperfine --prepare), so it changes it.
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
if ! [ -s "$data/tk-fields/data.mdb" ]; then
	rm -rf "$data/tk-fields"
	mkdir -p "$data/tk-fields"
	cp "$fields" "$data/tk-fields/fields"
	timeout "$T" tk-new -q -b -d "$data/tk-fields" <"$prod"
fi
rm -rf "$data/tk-nofields"
cp -r "$data/tk-fields" "$data/tk-nofields"
rm "$data/tk-nofields/fields"
timeout "$T" tk-config -q -d "$data/tk-nofields" apply
if ! [ -s "$data/fields.db" ]; then
	printf '%s\nALTER TABLE tickets ADD COLUMN product TEXT;\nCREATE INDEX t_product ON tickets(product);\n.mode tabs\n.import --skip 1 %s tickets\n' \
		"$SCHEMA" "$prod" >"$out/import-fields.sql"
	timeout "$T" sqlite3 "$data/fields.db" <"$out/import-fields.sql"
fi
sync

id=$((N / 2))
sqrow=$(sqlite3 "$data/fields.db" "SELECT rowid FROM tickets WHERE external_id=(SELECT external_id FROM tickets WHERE rowid=$id)")
tkset() { echo "tk-set -q -d $data/$1 product=$2 $id"; }
sqset() { echo "sqlite3 $data/fields.db \"UPDATE tickets SET product='$1' WHERE rowid=$sqrow\""; }

# hfp NAME PREPARE CMD [PREPARE CMD]...: as hf (lib.sh), for commands
# that each have their own --prepare, the pairs' order turned each round;
# the median seconds of each CMD, one a line in the order given.
hfp() {
	python3 - "$out/$1" "${HF_RUNS:-40}" "$T" "$@" <<'PY'
import json, subprocess, sys
base, runs, limit, name = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
pairs = [(sys.argv[i], sys.argv[i + 1]) for i in range(5, len(sys.argv), 2)]
per = max(3, runs // 4)
times = {c: [] for _, c in pairs}
with open(base + ".txt", "w") as log:
    for r in range(4):
        order = pairs[r % len(pairs):] + pairs[:r % len(pairs)]
        args = ["timeout", limit, "hyperfine", "-N", "-w", "3", "-r", str(per), "--export-json", "%s.%d.json" % (base, r)]
        for p, _ in order:
            args += ["--prepare", p]
        args += [c for _, c in order]
        if subprocess.run(args, stdout=log, stderr=subprocess.STDOUT).returncode:
            sys.exit(open(base + ".txt").read())
        for res in json.load(open("%s.%d.json" % (base, r)))["results"]:
            times[res["command"]].extend(res["times"])
for _, c in pairs:
    t = sorted(times[c]); n = len(t)
    print("%.6f" % (t[n // 2] if n % 2 else (t[n // 2 - 1] + t[n // 2]) / 2))
PY
}

set -- $(hfp set \
	"$(tkset tk-fields X100)" "$(tkset tk-fields X200)" \
	"$(tkset tk-nofields X100)" "$(tkset tk-nofields X200)" \
	"$(sqset X100)" "$(sqset X200)")
tkf=$1 tkn=$2 sqs=$3
tk-ls -d "$data/tk-fields" -a -t -o product id=$id | grep -qx X200
tk-ls -d "$data/tk-nofields" -a -t -o product id=$id | grep -qx X200

rows=$(tk-ls -d "$data/tk-fields" -a -t product=X200 | wc -l)
sqrows=$(sqlite3 "$data/fields.db" "SELECT count(*) FROM tickets WHERE product='X200'")
plan=$(tk-ls -d "$data/tk-fields" -a -t product=X200 --explain 2>&1 >/dev/null)
sqls="sqlite3 $data/fields.db \"SELECT rowid,status,priority,queue,assignee,subject FROM tickets WHERE product='X200'\""
tkls="tk-ls -d $data/tk-fields -a -t product=X200"
scan="tk-ls -d $data/tk-nofields -a -t product=X200"
set -- $(hf ls "$sqls" "$tkls")
sql=$1 tkl=$2
set -- $(HF_RUNS=8 hf ls-scan "$scan")
tks=$1

ms() { awk -v s="$1" 'BEGIN { printf "%.2f", s * 1000 }'; }
cat <<REPORT
fields bench (issue 24), $(date -u +%F), N=$N, $(nproc) cores; medians of hyperfine runs in 4 rounds, order turned; each change preceded by one setting the value back
one tk-set product=X200 (enum of 101 values, indexed) on N tickets: $(ms "$tkf") ms
the same, no fields file (no type, no index):                       $(ms "$tkn") ms
  declared+validated+indexed / plain:  $(ratio "$tkf" "$tkn")x (target <= 1.1x)
one sqlite3 UPDATE of the same row (product indexed, 6 indexes):      $(ms "$sqs") ms
  tk-set / sqlite3 UPDATE:             $(ratio "$tkf" "$sqs")x (target <= 0.6x)
tk-ls -a product=X200 ($rows rows; sqlite3 $sqrows), $plan:
                             tk $(ms "$tkl") ms, sqlite3 indexed SELECT $(ms "$sql") ms: $(ratio "$sql" "$tkl")x faster (target >= 10x)
  the same with no index (a pass over every ticket): $(ms "$tks") ms
REPORT
