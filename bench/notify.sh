#!/bin/sh
# bench/notify.sh: tk-notify's costs (issue 26), each beside its floor in
# the same run:
# - NOTIFY_N notices to one agent through a sendmail that reads and drops
#   the message (dd), against the same number of those dd runs from sh
#   alone: what tk-notify adds to each notice (render, queue, claim, one
#   transaction to take it out);
# - an empty queue flushed (the cost of `tk-notify --flush` from cron every
#   minute), against tk-ls of one ticket (a reader's start);
# - tk-import of IMPORT_N JSON rows with two comments each, with the notice
#   marks it now writes and without (tk-import built from the same source
#   with the marks taken out), in turn.
. "$(dirname "$0")/lib.sh"
NN=${NOTIFY_N:-1000}
IN=${IMPORT_N:-100000}
store=$data/tk-notify-$NN
work=$data/tk-notify-work
SENDMAIL="dd of=/dev/null status=none"

if [ ! -s "$store/data.mdb" ]; then
	rm -rf "$store"
	awk -v n="$NN" 'BEGIN {
		print "subject\tassignee\trequester"
		for (i = 1; i <= n; i++) printf "Printer %d is broken\talice\tr%d@example.com\n", i, i
	}' | tk-new -q -b -d "$store"
	tk-agent -q -d "$store" add alice email=alice@example.com name="Alice Smith"
fi
tk-ls -d "$store" -t -o id >"$out/notify-ids"

# notices: RUNS runs of tk-notify over every ticket on a fresh copy, in
# turn with the floor: dd run NN times on a message of the same size.
rm -rf "$work" && cp -r "$store" "$work"
TK_SENDMAIL="dd of=$out/notify-msg status=none" tk-notify -q -d "$work" --to assignee 1
floor_cmd="i=0; while [ \$i -lt $NN ]; do $SENDMAIL <$out/notify-msg; i=\$((i + 1)); done"
set -- $(timepair notify "rm -rf $work && cp -r $store $work" \
	"TK_SENDMAIL='$SENDMAIL' timeout 300 tk-notify -q -d $work --to assignee <$out/notify-ids" \
	notify-floor ":" "$floor_cmd")
notify=$1 notify_rss=$2 floor=$3
per=$(awk -v a="$notify" -v b="$floor" -v n="$NN" 'BEGIN { printf "%.0f", (a - b) / n * 1e6 }')

# an empty queue, flushed; beside a reader of one ticket
rm -rf "$work" && cp -r "$store" "$work"
set -- $(TK_SENDMAIL=false hf notify-flush "tk-notify -q -d $work --flush" "tk-ls -d $work id=1")
flush=$1 ls1=$2

# tk-import with and without the marks
json=$data/notify-import-$IN.jsonl
[ -s "$json" ] || awk -v n="$IN" 'BEGIN {
	for (i = 1; i <= n; i++)
		printf "{\"external_id\": \"X-%d\", \"subject\": \"imported %d\", \"requester\": \"r%d@example.com\", \"comments\": [{\"author\": \"agent%d\", \"body\": \"first answer to %d\"}, {\"author\": \"r%d@example.com\", \"body\": \"thanks\"}]}\n", i, i, i % 500, i % 20, i, i % 500
}' >"$json"
# tk-import.c without the block that moves the marks
awk '/History from another help desk/ { skip = 1; sub(/\/\*.*/, ""); }
	skip && /^\t\t}$/ { skip = 0; next }
	!skip { print }' "$top/cmd/tk-import.c" >"$out/tk-import-nomark.c"
! grep -q tk_notice_mark_ "$out/tk-import-nomark.c"
${CC:-cc} -O2 -g -std=c11 -D_GNU_SOURCE -I"$top/lib" -o "$out/tk-import-nomark" "$out/tk-import-nomark.c" \
	"$top/lib/libtk.a" -Wl,-Bstatic -llmdb -lpcre2-8 -lutf8proc -Wl,-Bdynamic -lcsv -lpthread
set -- $(timepair import-marks "rm -rf $data/imp-a" "timeout 600 tk-import -q -d $data/imp-a --format json $json" \
	import-nomarks "rm -rf $data/imp-b" "timeout 600 $out/tk-import-nomark -q -d $data/imp-b --format json $json")
marks=$1 marks_rss=$2 nomarks=$3 nomarks_rss=$4
nmarks=$(mdb_stat -s notice_mark "$data/imp-a" | awk '/Entries/ { print $2 }')
rm -rf "$data/imp-a" "$data/imp-b" "$work"

cat <<REPORT
notify bench (issue 26), $(date -u +%F), $(nproc) cores; medians of $RUNS runs each, in turn
tk-notify --to assignee, $NN tickets, sendmail = dd:   $notify s ($(rate "$NN" "$notify") notices/s), max RSS $((notify_rss / 1024)) MiB
  the same $NN dd runs from sh alone:                 $floor s
  tk-notify's own cost a notice:                      $per us (render, queue, claim, one commit a notice sent)
tk-notify --flush, nothing queued:                      $flush s
  tk-ls of one ticket (a reader's start):             $ls1 s ($(ratio "$flush" "$ls1")x)
tk-import --format json, $IN rows, 2 comments each:  $marks s with the notice marks ($nmarks written), max RSS $((marks_rss / 1024)) MiB
  the same without them:                              $nomarks s ($(ratio "$marks" "$nomarks")x)
REPORT
