#!/bin/sh
# bench/core.sh: issue 2's targets, tk against the sqlite3 CLI side by side,
# on stores with no ticket full-text index (the plain path of DESIGN.md 12).
#   tk-new -b of N tickets vs sqlite3 .import into a table with 5 indexes
#   (rows/s, and peak memory at N and N/10), one tk-new vs one sqlite3
#   INSERT on N tickets (and the raw LMDB floor: mdb_load of one record),
#   tk-ls assignee=X status=open vs the indexed SELECT, a regex over every
#   subject vs sqlite3's REGEXP.
. "$(dirname "$0")/lib.sh"
inputs tsv tabs
tsv=$full

# The stores keep no ticket full-text index (`fulltext tickets no`): issue
# 2's targets are those of the plain path, and DESIGN.md 12 gives each
# feature a budget of its own against it (the index's: bench/ft.sh). A new
# store's default, with the index, is timed once beside them.
plain="mkdir -p $data/tk-core && echo 'fulltext tickets no' >$data/tk-core/config"
set -- $(timepair sqlite-import-tsv "rm -f $data/core.db" "sqlite3 $data/core.db < $out/import-tsv.sql" \
	tk-new-b "rm -rf $data/tk-core && $plain" "tk-new -q -b -d $data/tk-core < $tsv")
sq=$1 tk=$3 tkrss=$4
set -- $(timeit tk-new-b-tenth "rm -rf $data/tk-tenth && mkdir -p $data/tk-tenth && echo 'fulltext tickets no' >$data/tk-tenth/config" \
	"tk-new -q -b -d $data/tk-tenth < $tenth")
tenthrss=$2
set -- $(RUNS=1 timeit tk-new-b-ft "rm -rf $data/tk-core-ft" "tk-new -q -b -d $data/tk-core-ft < $tsv")
tkft=$1 tkftrss=$2
rm -rf "$data/tk-core-ft"

# One durable insert into the N-ticket stores; copies, so the big ones stay as made.
rm -rf "$data/tk-one" "$data/one.db"
cp -r "$data/tk-core" "$data/tk-one"
cp "$data/core.db" "$data/one.db"
sync	# the copies written out first: each insert's flush should not carry 2 GB of them
printf 'VERSION=3\nformat=print\ntype=btree\nHEADER=END\n bench\n 1\nDATA=END\n' >"$out/one.dump"
set -- $(hf insert \
	"sqlite3 $data/one.db \"INSERT INTO tickets(external_id,subject,requester,priority,status,created) VALUES('X-1','VPN down','bob@example.com','P1','new','2026-11-22T09:30:00Z')\"" \
	"tk-new -q -d $data/tk-one -s 'VPN down' -r bob@example.com -p P1" \
	"mdb_load -s meta -f $out/one.dump $data/tk-one")
sqone=$1 tkone=$2 floor=$3

# The agent with the most open tickets, and the query both answer.
agent=$(sqlite3 "$data/core.db" "SELECT assignee FROM tickets WHERE status='open' AND assignee<>'' GROUP BY assignee ORDER BY count(*) DESC LIMIT 1")
rows=$(tk-ls -d "$data/tk-core" -t assignee="$agent" status=open | wc -l)
sqrows=$(sqlite3 "$data/core.db" "SELECT count(*) FROM tickets WHERE assignee='$agent' AND status='open'")
sqagent="sqlite3 $data/core.db \"SELECT rowid,status,priority,queue,assignee,subject FROM tickets WHERE assignee='$agent' AND status='open'\""
tkagent="tk-ls -d $data/tk-core -t assignee=$agent status=open"

re='VPN|打印机'
rerows=$(tk-ls -d "$data/tk-core" -a -t "subject~$re" | wc -l)
sqrerows=$(sqlite3 "$data/core.db" "SELECT count(*) FROM tickets WHERE subject REGEXP '$re'")
sqregex="sqlite3 $data/core.db \"SELECT rowid,status,priority,queue,assignee,subject FROM tickets WHERE subject REGEXP '$re'\""
tkregex="tk-ls -d $data/tk-core -a -t subject~$re"

set -- $(hf agent "$sqagent" "$tkagent")
sqls=$1 tkls=$2
set -- $(HF_RUNS=10 hf regex "$sqregex" "$tkregex")
sqre=$1 tkre=$2

# The same two queries once both stores have left memory and been read
# back by the programs themselves (each one's warm-up runs), as after a
# reboot: tk reads in huge pages (TK_HUGEPAGES, doc/STORE.md), sqlite3
# page by page; above, both read the files as their own writes left them.
drop "$data/core.db" "$data/tk-core/data.mdb"
set -- $(hf agent-back "$sqagent" "$tkagent")
sqlsb=$1 tklsb=$2
set -- $(HF_RUNS=10 hf regex-back "$sqregex" "$tkregex")
sqreb=$1 tkreb=$2

cat <<REPORT
core bench (issue 2), $(date -u +%F), N=$N, $(nproc) cores; bulk: medians of $RUNS runs each, tk and sqlite3 in turn; short commands: medians of hyperfine runs in 4 rounds, order turned
tk-new -b, N tickets:        $tk s ($(rate "$N" "$tk") tickets/s), max RSS $((tkrss / 1024)) MiB; N/10: max RSS $((tenthrss / 1024)) MiB (fulltext tickets no)
sqlite3 .import, 5 indexes:  $sq s ($(rate "$N" "$sq") rows/s)
  tk speed / sqlite speed:   $(ratio "$sq" "$tk")x (target >= 3x)
  with the ticket index (a new store's default), one run: $tkft s, max RSS $((tkftrss / 1024)) MiB ($(ratio "$tkft" "$tk")x the plain path; bench/ft.sh: target <= 3x)
one insert, store of N:      tk-new $(awk -v s="$tkone" 'BEGIN { printf "%.2f", s * 1000 }') ms, sqlite3 $(awk -v s="$sqone" 'BEGIN { printf "%.2f", s * 1000 }') ms, mdb_load of one record $(awk -v s="$floor" 'BEGIN { printf "%.2f", s * 1000 }') ms
  tk time / sqlite time:     $(ratio "$tkone" "$sqone")x (target <= 0.6x); LMDB floor / sqlite: $(ratio "$floor" "$sqone")x
tk-ls assignee=$agent status=open ($rows rows; sqlite3 $sqrows):
                             tk $(awk -v s="$tkls" 'BEGIN { printf "%.1f", s * 1000 }') ms, sqlite3 $(awk -v s="$sqls" 'BEGIN { printf "%.1f", s * 1000 }') ms: $(ratio "$sqls" "$tkls")x faster (target >= 10x)
tk-ls subject~$re over all ($rerows rows; sqlite3 $sqrerows):
                             tk $(awk -v s="$tkre" 'BEGIN { printf "%.3f", s }') s, sqlite3 REGEXP $(awk -v s="$sqre" 'BEGIN { printf "%.3f", s }') s: $(ratio "$sqre" "$tkre")x faster (target >= 2x)
the two queries with the stores read back after leaving memory (as after a reboot):
  tk-ls assignee=$agent status=open: tk $(awk -v s="$tklsb" 'BEGIN { printf "%.1f", s * 1000 }') ms, sqlite3 $(awk -v s="$sqlsb" 'BEGIN { printf "%.1f", s * 1000 }') ms: $(ratio "$sqlsb" "$tklsb")x faster (target >= 10x)
  tk-ls subject~$re: tk $(awk -v s="$tkreb" 'BEGIN { printf "%.3f", s }') s, sqlite3 $(awk -v s="$sqreb" 'BEGIN { printf "%.3f", s }') s: $(ratio "$sqreb" "$tkreb")x faster (target >= 2x)
REPORT
