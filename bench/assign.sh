#!/bin/sh
# bench/assign.sh: issue 23's target for tk-assign --least-loaded: among
# 500 agents, the cost a ticket of assigning 100,000 tickets (committed in
# batches) no higher than of assigning 100. Both runs start from a copy of
# the same store: 100,000 new unassigned tickets in queues no team owns
# (so every agent is weighed for each) and 500 agents.
. "$(dirname "$0")/lib.sh"
AN=${ASSIGN_N:-100000}
AGENTS=${ASSIGN_AGENTS:-500}
store=$data/tk-assign-$AN
work=$data/tk-assign-work

if [ ! -s "$store/data.mdb" ]; then
	rm -rf "$store"
	awk -v n="$AN" 'BEGIN {
		print "subject\tqueue\tcategory"
		for (i = 1; i <= n; i++) printf "ticket %d\tq%d\tc%d\n", i, i % 10, i % 7
	}' | tk-new -q -b -d "$store"
	i=1
	while [ $i -le "$AGENTS" ]; do
		tk-agent -q -d "$store" add "a$i" teams=t$((i % 10)) capacity=1000 skills=c$((i % 7))
		i=$((i + 1))
	done
	tk-ls -d "$store" -t -o id >"$data/assign-ids-$AN"
	head -n 100 "$data/assign-ids-$AN" >"$data/assign-ids-100"
fi

txns() { mdb_stat -e "$work" | awk '/Last transaction ID/ { print $4 }'; }

# nanotime NAME INPUT: RUNS runs of tk-assign --least-loaded on a fresh copy
# of the store, ids from INPUT, alternating with the other size; the
# median seconds (with ns resolution: 100 tickets take a few ms) and max RSS.
nanotime() {
	rm -rf "$work" && cp -r "$store" "$work" && sync
	t0=$(date +%s%N)
	/usr/bin/time -f "%M" -o "$out/$1.rss" tk-assign -q -d "$work" --least-loaded <"$2" 2>"$out/$1.err" || {
		echo "$1 failed:" >&2; head -5 "$out/$1.err" >&2; exit 1; }
	t1=$(date +%s%N)
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }') $(cat "$out/$1.rss")" >>"$out/$1.times"
}
: >"$out/assign-100.times"
: >"$out/assign-all.times"
i=0
while [ $i -lt "$RUNS" ]; do
	nanotime assign-100 "$data/assign-ids-100"
	nanotime assign-all "$data/assign-ids-$AN"
	i=$((i + 1))
done
set -- $(med assign-100) $(med assign-all)
small=$1 big=$3 bigrss=$4
# one more run of the whole, to count its transactions and check its balance
rm -rf "$work" && cp -r "$store" "$work"
before=$(txns)
tk-assign -q -d "$work" --least-loaded <"$data/assign-ids-$AN"
after=$(txns)
spread=$(tk-agent -d "$work" ls -t -o load | sort -n | sed -n '1p;$p' | tr '\n' ' ')
per_small=$(awk -v s="$small" 'BEGIN { printf "%.1f", s / 100 * 1e6 }')
per_big=$(awk -v s="$big" -v n="$AN" 'BEGIN { printf "%.1f", s / n * 1e6 }')
cat <<REPORT
assign bench (issue 23), $(date -u +%F), $AN new tickets, $AGENTS agents, $(nproc) cores; medians of $RUNS runs each, in turn
tk-assign --least-loaded, 100 tickets:       $small s, $per_small us a ticket
tk-assign --least-loaded, $AN tickets:    $big s, $per_big us a ticket, max RSS $((bigrss / 1024)) MiB
  a ticket of $AN / a ticket of 100:            $(ratio "$per_big" "$per_small")x (target <= 1x)
  write transactions of the $AN:                $((after - before)) (batches of 5,000)
  loads after it, least and most:                  $spread
REPORT
