#!/bin/sh
# bench/route.sh: issue 23's routing targets, side by side in one run.
#   tk-route with 200 rules (bench/gen-rules.py: keywords and regexes,
#   Chinese and English, on subject and body) over N tickets, against the
#   floor: one grep -P pass (PCRE2, JIT) with the 200 rules' patterns joined
#   in one alternation over the same subjects and bodies, exported to a file
#   first (pcre2grep refuses a pattern over 8 KiB); the rate reported.
#   tk-route --dry-run against the real run (each run on a fresh copy).
#   tk-new --route with the same 200 rules against a plain tk-new.
# BENCH_N tickets (default 1,000,000); a bounded run: BENCH_N=100000.
. "$(dirname "$0")/lib.sh"
inputs tsv tabs
export LC_ALL=C.UTF-8

store=$data/tk-route-$N
if [ ! -s "$store/data.mdb" ]; then
	rm -rf "$store"
	tk-import -q --format tsv -d "$store" "$full"
fi
python3 "$top/bench/gen-rules.py" 200 >"$out/rules200"
python3 "$top/bench/gen-rules.py" 200 --patterns >"$out/patterns200"
# One alternation; each pattern in a group of its own, so its (?i) stays its own.
awk '{ printf "%s(?:%s)", (NR > 1 ? "|" : ""), $0 } END { print "" }' "$out/patterns200" >"$out/alternation200"
ids=$data/route-ids-$N
text=$data/route-text-$N
[ -s "$ids" ] || tk-ls -d "$store" -a -t -o id >"$ids"
[ -s "$text" ] || tk-ls -d "$store" -a -t -o subject,body >"$text"
matched=$(grep -cP -f "$out/alternation200" "$text" || true)

# (Into a file: GNU grep writing to /dev/null stops at the first match.)
set -- $(timepair floor "" "grep -cP -f $out/alternation200 $text >$out/floor.count" \
	route-dry "" "tk-route -d $store --dry-run -q $out/rules200 < $ids")
floor=$1 dry=$3 dryrss=$4
set -- $(timepair route-real "rm -rf $data/tk-route-copy; cp -r $store $data/tk-route-copy; sync" \
	"tk-route -d $data/tk-route-copy -q $out/rules200 < $ids" \
	route-dry2 "" "tk-route -d $store --dry-run -q $out/rules200 < $ids")
real=$1 realrss=$2 dry2=$3
tk-route -d "$store" --dry-run --stats "$out/rules200" <"$ids" >"$out/route.stats"
routed=$(awk -F'\t' '$1 != "-" { m += $2 } END { print m + 0 }' "$out/route.stats")
events=$(tk-log -d "$data/tk-route-copy" | wc -l)

# One ticket: a small store with the rules file in it, tk-new with and without --route.
one=$data/tk-route-one
rm -rf "$one"
mkdir -p "$one"
cp "$out/rules200" "$one/rules"
tk-new -q -d "$one" -s first
tk-new -q -d "$one" --route -s second	# the file checked whole once (meta rules_checked)
set -- $(hf new-route \
	"tk-new -q -d $one --route -s 'Printer jam on floor 3' -r a@b.example -p P2" \
	"tk-new -q -d $one -s 'Printer jam on floor 3' -r a@b.example -p P2")
newroute=$1 newplain=$2

cat <<REPORT
route bench (issue 23), $(date -u +%F), N=$N, $(nproc) cores; bulk: medians of $RUNS runs each, in turn; tk-new: medians of hyperfine runs in 4 rounds, order turned
floor, grep -P of 200 patterns in one alternation over N subjects and bodies: $floor s ($(rate "$N" "$floor") tickets/s; $matched lines match)
tk-route --dry-run, 200 rules, N tickets:  $dry s ($(rate "$N" "$dry") tickets/s), max RSS $((dryrss / 1024)) MiB: $(ratio "$dry" "$floor")x the floor (target <= 3x)
tk-route, real run on a copy:             $real s ($(rate "$N" "$real") tickets/s), max RSS $((realrss / 1024)) MiB: $(ratio "$real" "$floor")x the floor (target <= 3x); $routed rule firings, $events events in the copy's log
tk-route --dry-run over the real run:     $(ratio "$dry2" "$real")x ($dry2 / $real s; target <= 1x)
tk-new --route, 200 rules, over tk-new:    $(ratio "$newroute" "$newplain")x ($newroute / $newplain s; target <= 1.5x)
REPORT
