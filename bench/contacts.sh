#!/bin/sh
# bench/contacts.sh: issue 25's targets, the customer directory against the
# sqlite3 CLI side by side. The data: N generated tickets
# (../shared/bench/gen-tickets.py) and the directory behind them
# (../shared/bench/gen-contacts.py: about 59,000 contacts and 7 orgs for a
# million tickets).
#   tk-contact import of the directory vs sqlite3 .import of the same CSV
#     into a table with indexes on email and external_id;
#   tk-import of the N tickets into a store holding the directory (every
#     ticket's contact, org and tier resolved) vs sqlite3 .import with the
#     5 indexes of bench/core.sh, and tk-import into an empty store beside;
#   one tk-new whose requester is a known contact of an org vs one sqlite3
#     INSERT, and a tk-new with no requester beside;
#   tk-ls org=initech (its open tickets) vs sqlite3's query with an index
#     on org, the tickets' orgs put in from the directory;
#   tk-contact show of the contact with the most tickets vs sqlite3
#     answering the same profile (counts by status, the last ten tickets)
#     with an index on the tickets' contact.
# The two queries run on both files dropped from the page cache and read
# back by the warm-up runs (evict, as bench/ft.sh).
# The two bulk pairs report wall and CPU (user + system) seconds, medians of
# RUNS runs in turn. The stores have `fulltext tickets $FULLTEXT` in their
# config (default no: the ticket full-text index is another issue's
# target; FULLTEXT=yes measures the default). Every timed command runs
# under timeout $BENCH_TIMEOUT seconds (default 900).
. "$(dirname "$0")/lib.sh"
FULLTEXT=${FULLTEXT:-no}
to="timeout ${BENCH_TIMEOUT:-900}"
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# onec NAME SETUP COMMAND: one run, "wall cpu maxrss" added to $out/NAME.ctimes.
onec() {
	sh -c "$2" >/dev/null 2>&1
	sync
	/usr/bin/time -f "%e %U %S %M" -o "$out/$1.one" sh -c "$3" >/dev/null 2>"$out/$1.err" || {
		echo "$1 failed:" >&2; cat "$out/$1.err" >&2; exit 1; }
	awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$out/$1.one" >>"$out/$1.ctimes"
}

# medc NAME: "wall cpu maxrss", each the median of its column.
medc() {
	n=$(wc -l <"$out/$1.ctimes")
	for k in 1 2 3; do
		sort -n -k$k "$out/$1.ctimes" | awk -v n="$n" -v k=$k 'NR == int((n + 1) / 2) { printf "%s ", $k }'
	done
}

# bounded FUNCTION ARG...: a function of lib.sh (hf) under the timeout.
bounded() {
	$to sh -c '. "$0"; "$@"' "$top/bench/lib.sh" "$@"
}

# cpupair NAME SETUP COMMAND NAME2 SETUP2 COMMAND2: RUNS runs of each in
# turn; "wall cpu rss wall2 cpu2 rss2", medians.
cpupair() {
	: >"$out/$1.ctimes"
	: >"$out/$4.ctimes"
	i=0
	while [ $i -lt "$RUNS" ]; do
		onec "$1" "$2" "$3"
		onec "$4" "$5" "$6"
		i=$((i + 1))
	done
	echo "$(medc "$1")$(medc "$4")"
}
inputs csv csv
csv=$full
contacts=$data/contacts-$N.csv
orgs=$data/orgs-$N.csv
[ -s "$contacts" ] || python3 "$top/../shared/bench/gen-contacts.py" -n "$N" --seed 42 -o "$contacts" --orgs "$orgs"
ncontacts=$(($(wc -l <"$contacts") - 1))

# The directory for sqlite3: the contacts table with its two indexes (the
# import timed), then, untimed, a contact id for every address.
cat >"$out/contacts.sql" <<EOF
CREATE TABLE contacts(external_id TEXT, name TEXT, email TEXT, other_emails TEXT, phone TEXT, org TEXT,
 org_external_id TEXT, tier TEXT, lang TEXT, created TEXT);
CREATE INDEX c_email ON contacts(email); CREATE INDEX c_external ON contacts(external_id);
.mode csv
.import --skip 1 $contacts contacts
EOF

# The directory alone in a store, kept as made: each run starts from a copy.
rm -rf "$data/tk-dir"
mkdir -p "$data/tk-dir"
printf 'fulltext tickets %s\n' "$FULLTEXT" >"$data/tk-dir/config"
tk-org -q -d "$data/tk-dir" import "$orgs"
set -- $(cpupair sqlite-contacts "rm -f $data/contacts.db" "$to sqlite3 $data/contacts.db < $out/contacts.sql" \
	tk-contact-import "rm -rf $data/tk-dir-c; cp -r $data/tk-dir $data/tk-dir-c" \
	"$to tk-contact -q -d $data/tk-dir-c import $contacts")
sqc=$1 sqccpu=$2 tkc=$4 tkccpu=$5
rm -rf "$data/tk-dir" && mv "$data/tk-dir-c" "$data/tk-dir"
# The floor (bench/floor.c): the entries tk-contact import wrote, written
# again into an empty store in one transaction, each sub-database appended
# in key order, with the sync (malloc in huge pages, as tk's bulk runs);
# the median of RUNS.
cc -O2 -std=c11 -D_GNU_SOURCE -o "$out/floor" "$top/bench/floor.c" -llmdb
: >"$out/floor.times"
i=0
while [ $i -lt "$RUNS" ]; do
	rm -rf "$data/floor-dir" && mkdir -p "$data/floor-dir"
	GLIBC_TUNABLES=glibc.malloc.hugetlb=1 "$out/floor" "$data/tk-dir" "$data/floor-dir" >>"$out/floor.times"
	i=$((i + 1))
done
rm -rf "$data/floor-dir"
set -- $(sort -n "$out/floor.times" | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }')
flc=$1 flbytes=$2 flentries=$3

# The N tickets into the store of the directory, and into an empty one.
set -- $(cpupair sqlite-import-c "rm -f $data/contacts-t.db" "$to sqlite3 $data/contacts-t.db < $out/import-csv.sql" \
	tk-import-dir "rm -rf $data/tk-cont; cp -r $data/tk-dir $data/tk-cont" "$to tk-import -q -d $data/tk-cont $csv")
sqi=$1 sqicpu=$2 tki=$4 tkicpu=$5 tkirss=$6
set -- $(timeit tk-import-plain "rm -rf $data/tk-plain; mkdir -p $data/tk-plain; cp $data/tk-dir/config $data/tk-plain/" \
	"$to tk-import -q -d $data/tk-plain $csv")
tkp=$1
resolved=$($to tk-ls -d "$data/tk-cont" -a -t -o contact 'contact!=' | wc -l)
withorg=$($to tk-ls -d "$data/tk-cont" -a -t -o org 'org!=' | wc -l)

# sqlite3's tickets with their contact and org from the directory (untimed).
$to sqlite3 "$data/contacts-t.db" <<EOF
ATTACH '$data/contacts.db' AS d;
CREATE TABLE addr(email TEXT PRIMARY KEY, contact INTEGER, org TEXT, tier TEXT);
INSERT OR IGNORE INTO addr SELECT email, rowid, org, tier FROM d.contacts;
ALTER TABLE tickets ADD COLUMN contact INTEGER;
ALTER TABLE tickets ADD COLUMN org TEXT;
UPDATE tickets SET contact = (SELECT contact FROM addr WHERE addr.email = tickets.requester),
 org = (SELECT org FROM addr WHERE addr.email = tickets.requester);
CREATE INDEX t_contact ON tickets(contact); CREATE INDEX t_org ON tickets(org);
EOF

# One durable insert on the N-ticket stores: copies, so the big ones stay as made.
known=$(awk -F, 'NR > 1 && $6 == "initech" { print $3; exit }' "$contacts")
rm -rf "$data/tk-cont1" "$data/cont1.db"
cp -r "$data/tk-cont" "$data/tk-cont1"
cp "$data/contacts-t.db" "$data/cont1.db"
sync
set -- $(bounded hf contact-insert \
	"sqlite3 $data/cont1.db \"INSERT INTO tickets(external_id,subject,requester,priority,status,created) VALUES('X-1','VPN down','$known','P1','new','2026-11-22T09:30:00Z')\"" \
	"tk-new -q -d $data/tk-cont1 -s 'VPN down' -r $known -p P1" \
	"tk-new -q -d $data/tk-cont1 -s 'VPN down' -p P1")
sqone=$1 tkone=$2 tkbare=$3

# Both read from the disk once (evict, in lib.sh), as a store in use is
# held, not as its bulk load left it (bench/ft.sh does the same; the
# twelfth and thirteenth sessions in bench/RESULTS.md); hyperfine's warm-up
# runs read them back.
evict "$data/tk-cont/data.mdb" "$data/contacts-t.db"

# tk-ls org=initech: the open tickets of an org, as tk-ls lists by default.
rows=$($to tk-ls -d "$data/tk-cont" -t org=initech | wc -l)
sqrows=$($to sqlite3 "$data/contacts-t.db" "SELECT count(*) FROM tickets WHERE org='initech' AND status IN ('new','open','pending')")
set -- $(bounded hf org \
	"sqlite3 $data/contacts-t.db \"SELECT rowid,status,priority,queue,assignee,subject FROM tickets WHERE org='initech' AND status IN ('new','open','pending')\"" \
	"tk-ls -d $data/tk-cont -t org=initech")
sqorg=$1 tkorg=$2

# The profile of the contact with the most tickets.
top1=$($to tk-ls -d "$data/tk-cont" -a -t -o contact 'contact!=' | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
topn=$($to tk-ls -d "$data/tk-cont" -a -t -o id contact="$top1" | wc -l)
sqtop=${top1#c}
sqtopid=$($to sqlite3 "$data/contacts-t.db" "SELECT contact FROM tickets WHERE contact IS NOT NULL GROUP BY contact ORDER BY count(*) DESC LIMIT 1")
set -- $(bounded hf profile \
	"sqlite3 $data/contacts-t.db \"SELECT status,count(*) FROM tickets WHERE contact=$sqtopid GROUP BY status; SELECT rowid,status,priority,created,subject FROM tickets WHERE contact=$sqtopid ORDER BY rowid DESC LIMIT 10\"" \
	"tk-contact -d $data/tk-cont show $top1")
sqprof=$1 tkprof=$2

ms() { awk -v s="$1" 'BEGIN { printf "%.2f", s * 1000 }'; }
cat <<REPORT
contacts bench (issue 25), $(date -u +%F), N=$N tickets, $ncontacts contacts, $(nproc) cores, load $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end; fulltext tickets $FULLTEXT; bulk: medians of $RUNS runs each, tk and sqlite3 in turn, wall and CPU (user + system) seconds; short commands: medians of hyperfine runs in 4 rounds, order turned
tk-contact import of the directory: $tkc s wall, $tkccpu s CPU ($(rate "$ncontacts" "$tkc") contacts/s)
sqlite3 .import, 2 indexes:          $sqc s wall, $sqccpu s CPU
  tk speed / sqlite speed:           $(ratio "$sqc" "$tkc")x wall, $(ratio "$sqccpu" "$tkccpu")x CPU (target >= 2x)
  floor: the store's $flentries entries ($((flbytes / 1048576)) MiB) appended in one LMDB transaction: $flc s, $(ratio "$sqc" "$flc")x sqlite3's speed
tk-import of N tickets, directory loaded: $tki s wall, $tkicpu s CPU ($(rate "$N" "$tki") tickets/s), max RSS $((tkirss / 1024)) MiB; $resolved with a contact, $withorg with an org
tk-import of N tickets, empty store:  $tkp s wall
sqlite3 .import, 5 indexes:          $sqi s wall, $sqicpu s CPU
  tk speed / sqlite speed:           $(ratio "$sqi" "$tki")x wall, $(ratio "$sqicpu" "$tkicpu")x CPU (target >= 3x); the directory costs $(ratio "$tki" "$tkp")x the empty store's time
one insert, store of N with the directory: tk-new of a known contact ($known) $(ms "$tkone") ms, sqlite3 $(ms "$sqone") ms; tk-new with no requester $(ms "$tkbare") ms
  tk time / sqlite time:             $(ratio "$tkone" "$sqone")x (target <= 0.65x); with no requester $(ratio "$tkbare" "$sqone")x
tk-ls org=initech ($rows rows; sqlite3 $sqrows): tk $(ms "$tkorg") ms, sqlite3 $(ms "$sqorg") ms: $(ratio "$sqorg" "$tkorg")x faster (target >= 10x)
tk-contact show $top1 ($topn tickets): tk $(ms "$tkprof") ms, sqlite3 $(ms "$sqprof") ms: $(ratio "$sqprof" "$tkprof")x faster (target >= 5x)
REPORT
