#!/bin/sh
# bench/ft.sh: the ticket full-text index (issue 28) against SQLite FTS5 on
# the same subjects and bodies of BENCH_N tickets (default 1,000,000):
#   - tk-new -b with the index (fulltext tickets, the default) and without
#     it, in turn (RUNS each, medians): the ratio (target <= 3x) and the
#     time beside FTS5's;
#   - FTS5 (unicode61 and trigram): the whole build (.import, then INSERT
#     INTO the FTS5 table) and the index alone (the INSERT on a copy of the
#     imported table), FT_RUNS runs each (default 1: the trigram build takes
#     minutes), each bounded by FT_TIMEOUT seconds (default 900);
#   - index sizes: tk's fulltext sub-database, FTS5's index (its database
#     less the table alone);
#   - one tk-new with the index and without (hyperfine; target <= 1.5x);
#   - tk-ls 'text=打印机' (the default view: status new, open, pending; and
#     -a) against the sqlite3 CLI's FTS5 trigram query returning the same
#     tickets (target: 5x faster), the counts checked equal; both files
#     dropped from the page cache first and read back by the warm-up runs.
. "$(dirname "$0")/lib.sh"
FT_RUNS=${FT_RUNS:-1}
RUNS0=$RUNS
TMO=${FT_TIMEOUT:-900}
command -v sqlite3 >/dev/null || { echo "ft.sh: sqlite3 is needed" >&2; exit 1; }
tsv=$data/tickets-$N.tsv
gen "$N" tsv "$tsv"
on=$data/tk-ft-on
off=$data/tk-ft-off
echo "ft.sh: $N tickets ($(du -hL "$tsv" | cut -f1) TSV), load $(cut -d' ' -f1-3 /proc/loadavg)"

# --- the bulk load, with the index and without
set -- $(timepair tk-ft-on "rm -rf $on" "timeout $TMO tk-new -q -b -d $on < $tsv" \
	tk-ft-off "rm -rf $off && mkdir -p $off && echo 'fulltext tickets no' >$off/config" \
	"timeout $TMO tk-new -q -b -d $off < $tsv")
ton=$1 toff=$3
echo "tk-new -b: index on $ton s (max RSS $2 KiB), off $toff s (max RSS $4 KiB): $(ratio "$ton" "$toff")x (target <= 3)"

# --- FTS5: the whole build and the index alone, both tokenizers
base=$data/ft-base.db
cat >"$out/ft-base.sql" <<SQL
CREATE TABLE t(external_id, created, requester, channel, category, priority, queue, assignee, status,
 first_response, resolved, csat, subject, body);
.mode tabs
.import --skip 1 $tsv t
SQL
for tok in unicode61 trigram; do
	db=$data/ft-$tok.db
	cat >"$out/ft-$tok-index.sql" <<SQL
CREATE VIRTUAL TABLE f USING fts5(subject, body, content='t', content_rowid='rowid', tokenize='$tok');
INSERT INTO f(rowid, subject, body) SELECT rowid, subject, body FROM t;
SQL
	cat "$out/ft-base.sql" "$out/ft-$tok-index.sql" >"$out/ft-$tok-all.sql"
	RUNS=$FT_RUNS
	set -- $(timeit fts-$tok-all "rm -f $db" "timeout $TMO sqlite3 $db < $out/ft-$tok-all.sql")
	all=$1
	set -- $(timeit fts-$tok-base "rm -f $base" "timeout $TMO sqlite3 $base < $out/ft-base.sql")
	set -- $(timeit fts-$tok-index "rm -f $db.ix && cp $base $db.ix" "timeout $TMO sqlite3 $db.ix < $out/ft-$tok-index.sql")
	ix=$1
	rm -f "$db.ix"
	size=$(( ($(stat -c %s "$db") - $(stat -c %s "$base")) / 1024 ))
	echo "FTS5 $tok: build $all s (import and index), index alone $ix s, index $size KiB;" \
		"tk-new -b with the index $(ratio "$ton" "$all")x its build, $(ratio "$ton" "$ix")x its index alone (target < 1)"
	eval "fts_$tok=\$size"
done
RUNS=$RUNS0
pages=$(mdb_stat -s fulltext "$on" | awk '/Branch pages|Leaf pages|Overflow pages/ { n += $3 } END { print n }')
echo "index size: tk fulltext $((pages * 4)) KiB (store $(du -k "$on/data.mdb" | cut -f1) KiB, without the index $(du -k "$off/data.mdb" | cut -f1) KiB);" \
	"FTS5 unicode61 $fts_unicode61 KiB, trigram $fts_trigram KiB"

# --- one tk-new (on copies: each run adds a ticket). The store without
# the index has no config file: "fulltext tickets no" there makes each
# writer check the store's mark in a write transaction of its own.
rm -rf "$data/tk-ft-on1" "$data/tk-ft-off1"
cp -r "$on" "$data/tk-ft-on1"
cp -r "$off" "$data/tk-ft-off1"
rm -f "$data/tk-ft-off1/config"
set -- $(hf ft-one "tk-new -q -d $data/tk-ft-on1 subject=打印机无法连接网络 -m 请帮忙看看打印机为什么连不上" \
	"tk-new -q -d $data/tk-ft-off1 subject=打印机无法连接网络 -m 请帮忙看看打印机为什么连不上")
echo "one tk-new: index on $(awk -v s="$1" 'BEGIN { printf "%.2f", s * 1000 }') ms, off $(awk -v s="$2" 'BEGIN { printf "%.2f", s * 1000 }') ms: $(ratio "$1" "$2")x (target <= 1.5)"
rm -rf "$data/tk-ft-on1" "$data/tk-ft-off1"

# --- text=打印机 against FTS5 trigram, the same tickets
tri=$data/ft-trigram.db
# Both read from the disk once (evict, in lib.sh), as a store in use is
# held, not as its bulk load left it; hyperfine's warm-up runs read them.
evict "$on/data.mdb" "$tri"
cols="t.rowid, t.status, t.priority, t.queue, t.assignee, t.subject"
act="AND t.status IN ('new', 'open', 'pending')"
for view in default all; do
	if [ $view = default ]; then a="" w=$act; else a="-a" w=""; fi
	n1=$(timeout 60 tk-ls -d "$on" $a "text=打印机" | wc -l)
	n2=$(timeout 60 sqlite3 -readonly "$tri" "SELECT count(*) FROM f JOIN t ON t.rowid = f.rowid WHERE f MATCH '打印机' $w;")
	set -- $(hf ft-q-$view "tk-ls -d $on $a text=打印机" \
		"sqlite3 -readonly $tri \"SELECT $cols FROM f JOIN t ON t.rowid = f.rowid WHERE f MATCH '打印机' $w;\"")
	echo "tk-ls text=打印机 ($view view): $n1 tickets in $(awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }') ms;" \
		"FTS5 trigram $n2 in $(awk -v s="$2" 'BEGIN { printf "%.1f", s * 1000 }') ms: tk $(ratio "$2" "$1")x faster (target >= 5)"
done
# The floor under the -a figure (bench/floor.c -g): the same tickets' records
# found by id with mdb_get and read, nothing else (no query, no output), in a
# process of its own; the median of RUNS.
cc -O2 -std=c11 -D_GNU_SOURCE -o "$out/floor" "$top/bench/floor.c" -llmdb
timeout 60 tk-ls -d "$on" -a -t -o id "text=打印机" >"$out/ft-ids"
: >"$out/ft-floor.times"
i=0
while [ $i -lt "$RUNS" ]; do
	"$out/floor" -g "$on" tickets <"$out/ft-ids" | cut -d' ' -f1 >>"$out/ft-floor.times"
	i=$((i + 1))
done
fl=$(sort -n "$out/ft-floor.times" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo "  floor: the $(wc -l <"$out/ft-ids") records found by id and read (mdb_get, bench/floor.c -g): $(awk -v s="$fl" 'BEGIN { printf "%.1f", s * 1000 }') ms," \
	"$(ratio "$2" "$fl")x faster than FTS5 trigram's $(awk -v s="$2" 'BEGIN { printf "%.1f", s * 1000 }') ms with nothing else done (the target asks 5x of tk)"
