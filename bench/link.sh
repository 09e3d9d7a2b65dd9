#!/bin/sh
# bench/link.sh: issue 24's merge target. tk-link --merge of a ticket
# with 1,000 comments into another (the comments moved under the target's
# next numbers, watchers and tags moved, the source closed, the merge
# recorded, all logged) against the sqlite3 CLI moving the same 1,000
# comment rows to another ticket in one transaction (ticket and number
# are the primary key, as tk's comments are keyed). Target: at most 2x.
# Each run starts from a copy of the same store or database (hyperfine
# --prepare), so every run merges the same thread; both commit durably.
. "$(dirname "$0")/lib.sh"
C=${BENCH_COMMENTS:-1000}
dir=$data/link
rm -rf "$dir"
mkdir -p "$dir"

# The source's thread as tk-export writes it (JSON lines), a body of a
# few hundred bytes a comment, and the same rows for sqlite3.
python3 - "$C" "$dir" <<'EOF'
import json, sys
n, d = int(sys.argv[1]), sys.argv[2]
body = "The printer on the third floor still jams on tray 2; we replaced the roller last week. " * 3
comments = [{"time": "2026-11-%02dT%02d:%02d:00Z" % (1 + i // 1440, i // 60 % 24, i % 60),
             "author": "agent%d@example.com" % (i % 7), "internal": i % 5 == 0,
             "body": "%d: %s" % (i, body)} for i in range(n)]
with open(d + "/tickets.jsonl", "w") as f:
    f.write(json.dumps({"subject": "Printer jams", "requester": "bob@example.com", "watchers": "carol",
                        "tags": "printer", "comments": [{"time": "2026-10-31T09:00:00Z", "author": "bob@example.com",
                        "body": "It jams."}]}) + "\n")
    f.write(json.dumps({"subject": "Printer jams again", "requester": "dave@example.com", "watchers": "erin",
                        "tags": "urgent", "comments": comments}) + "\n")
with open(d + "/load.sql", "w") as f:
    f.write("CREATE TABLE comments(ticket INTEGER, n INTEGER, time TEXT, author TEXT, internal INTEGER, body TEXT,"
            " PRIMARY KEY(ticket, n));\nBEGIN;\n")
    f.write("INSERT INTO comments VALUES(1, 1, '2026-10-31T09:00:00Z', 'bob@example.com', 0, 'It jams.');\n")
    for i, c in enumerate(comments):
        f.write("INSERT INTO comments VALUES(2, %d, '%s', '%s', %d, '%s');\n" % (
            i + 1, c["time"], c["author"], int(c["internal"]), c["body"].replace("'", "''")))
    f.write("COMMIT;\n")
EOF
tk-import -q -d "$dir/tk0" "$dir/tickets.jsonl"
sqlite3 "$dir/sq0.db" <"$dir/load.sql"
[ "$(tk-ls -d "$dir/tk0" -a -t -o comments id=2)" = "$C" ] || { echo "link: the source has no $C comments" >&2; exit 1; }

move="BEGIN; UPDATE comments SET ticket = 1, n = n + (SELECT max(n) FROM comments WHERE ticket = 1) WHERE ticket = 2; COMMIT;"
per=$(( ${HF_RUNS:-40} / 2 ))
timeout 600 hyperfine -N -w 3 -r "$per" --export-json "$out/link.json" \
	--prepare "sh -c 'rm -rf $dir/tk && cp -r $dir/tk0 $dir/tk && rm -f $dir/sq.db && cp $dir/sq0.db $dir/sq.db && sync'" \
	"sqlite3 $dir/sq.db '$move'" \
	"tk-link -q -d $dir/tk --merge 2 into 1" >"$out/link.txt" 2>&1 || { cat "$out/link.txt" >&2; exit 1; }
set -- $(python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    t = sorted(r["times"]); n = len(t)
    print("%.6f" % (t[n // 2] if n % 2 else (t[n // 2 - 1] + t[n // 2]) / 2))' "$out/link.json")
sq=$1 tk=$2

# The merge undone and done again on one copy: the same work both ways.
rm -rf "$dir/tk" && cp -r "$dir/tk0" "$dir/tk"
tk-link -q -d "$dir/tk" --merge 2 into 1
[ "$(tk-ls -d "$dir/tk" -a -t -o comments id=1)" = "$((C + 1))" ] || { echo "link: the merge moved too little" >&2; exit 1; }
sqlite3 "$dir/sq.db" "$move"
[ "$(sqlite3 "$dir/sq.db" 'SELECT count(*) FROM comments WHERE ticket = 1')" = "$((C + 1))" ] ||
	{ echo "link: sqlite3 moved too little" >&2; exit 1; }
set -- $(timeout 600 hyperfine -N -w 2 -r "$per" --export-json "$out/unmerge.json" \
	--prepare "sh -c 'rm -rf $dir/tk && cp -r $dir/tk0 $dir/tk && tk-link -q -d $dir/tk --merge 2 into 1 && sync'" \
	"tk-link -q -d $dir/tk --unmerge 2" >"$out/unmerge.txt" 2>&1 && python3 -c 'import json, sys
t = sorted(json.load(open(sys.argv[1]))["results"][0]["times"]); n = len(t)
print("%.6f" % (t[n // 2] if n % 2 else (t[n // 2 - 1] + t[n // 2]) / 2))' "$out/unmerge.json")
un=$1

ms() { awk -v s="$1" 'BEGIN { printf "%.2f", s * 1000 }'; }
cat <<REPORT
link bench (issue 24), $(date -u +%F), $(nproc) cores; medians of $per hyperfine runs each, each from a fresh copy
tk-link --merge, a source of $C comments:   $(ms "$tk") ms
sqlite3 moving the same $C rows (1 txn):     $(ms "$sq") ms
  tk time / sqlite time:                     $(ratio "$tk" "$sq")x (target <= 2x)
tk-link --unmerge of that merge:             $(ms "$un") ms
REPORT
