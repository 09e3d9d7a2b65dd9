#!/bin/sh
# bench/mail.sh: issue 27's mail targets, side by side in one run.
#   tk-mail --mbox of M generated real-world-sized messages (gen-mbox.py:
#   Received chains, DKIM, GBK/Big5/UTF-8 subjects, HTML alternatives,
#   attachments) into a fresh store, against Python's mailbox + email
#   parse of the same file (no store writes: the floor of parsing alone);
#   target: tk at least 3x faster; the rate in messages/s.
#   One tk-mail < one.eml against one tk-new, both into the same N-ticket
#   store (each mail made new by its Message-ID and sender, so that it is
#   a new ticket and no rate limit applies); target: at most 4x.
# BENCH_MAILS messages (default 10,000); BENCH_N tickets (default 1,000,000).
. "$(dirname "$0")/lib.sh"
M=${BENCH_MAILS:-10000}
mbox=$data/mail-$M.mbox
eml=$data/mail-one.eml
[ -s "$mbox" ] && [ -s "$eml" ] ||
	python3 "$top/../shared/bench/gen-mbox.py" -n "$M" --seed 9 -o "$mbox" --eml "$eml"

# The bulk: medians of RUNS runs each, in turn, the store fresh each time.
set -- $(timepair py-mbox-parse "true" "python3 $top/../shared/bench/py-mbox-parse.py $mbox" \
	tk-mail-mbox "rm -rf $data/tk-mail" "tk-mail -d $data/tk-mail --mbox $mbox")
py=$1 tk=$3 tkrss=$4
counts=$(tail -n 1 "$out/tk-mail-mbox.err")
rows=$(tk-ls -d "$data/tk-mail" -a -t -o id | wc -l)

# One message against one tk-new on the N-ticket store.
inputs tsv tabs
store=$data/tk-mail-one-$N
if [ ! -s "$store/data.mdb" ]; then
	rm -rf "$store"
	tk-new -q -b -d "$store" <"$full"
fi
sync
# Each run's mail gets a Message-ID and a sender of its own (hyperfine
# --prepare, for both commands alike): a new ticket every time.
cat >"$out/mail-prepare.sh" <<EOF
#!/bin/sh
u=\$(date +%s%N)
sed -e "s/^Message-ID:.*/Message-ID: <bench-\$u@example.com>/I" -e "s/^From:.*/From: bench-\$u@example.com/" \
	-e "/^In-Reply-To:/Id" -e "/^References:/Id" "$eml" >"$out/mail-cur.eml"
EOF
per=$(( ${HF_RUNS:-40} / 2 ))
timeout 900 hyperfine -N -w 3 -r "$per" --export-json "$out/mail-one.json" \
	--prepare "sh $out/mail-prepare.sh" \
	"tk-new -q -d $store -s 'Order not received' -r bob@example.com -m 'Where is my order?'" \
	"sh -c 'exec tk-mail -d $store < $out/mail-cur.eml'" >"$out/mail-one.txt" 2>&1 || {
	cat "$out/mail-one.txt" >&2; exit 1; }
set -- $(python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    t = sorted(r["times"]); n = len(t)
    print("%.6f" % (t[n // 2] if n % 2 else (t[n // 2 - 1] + t[n // 2]) / 2))' "$out/mail-one.json")
new=$1 one=$2
# The sh in front of tk-mail (the redirection) timed alone, to take it off.
set -- $(timeout 300 hyperfine -N -w 3 -r "$per" --export-json "$out/mail-sh.json" "sh -c 'exec true'" \
	>"$out/mail-sh.txt" 2>&1 && python3 -c 'import json, sys
t = sorted(json.load(open(sys.argv[1]))["results"][0]["times"]); n = len(t)
print("%.6f" % (t[n // 2] if n % 2 else (t[n // 2 - 1] + t[n // 2]) / 2))' "$out/mail-sh.json")
shell=$1
mail=$(awk -v a="$one" -v b="$shell" 'BEGIN { printf "%.6f", a - b }')
[ "$(sh "$out/mail-prepare.sh" && tk-mail -d "$store" <"$out/mail-cur.eml" | cut -f2)" = created ] ||
	{ echo "mail: the one message made no ticket" >&2; exit 1; }

ms() { awk -v s="$1" 'BEGIN { printf "%.2f", s * 1000 }'; }
cat <<REPORT
mail bench (issue 27), $(date -u +%F), M=$M messages ($(du -mL "$mbox" | cut -f1) MiB of mbox), N=$N, $(nproc) cores; bulk: medians of $RUNS runs each, in turn; one message: medians of $per hyperfine runs each
python3 mailbox + email parse:   $py s ($(rate "$M" "$py") messages/s), no store writes
tk-mail --mbox, fresh store:     $tk s ($(rate "$M" "$tk") messages/s), max RSS $((tkrss / 1024)) MiB; $rows tickets
                                 ($counts)
  tk speed / python speed:       $(ratio "$py" "$tk")x (target >= 3x)
one tk-new, store of N:          $(ms "$new") ms
one tk-mail < one.eml ($(($(wc -c <"$eml") / 1024)) KiB), same store: $(ms "$mail") ms (sh -c around it, $(ms "$shell") ms, taken off)
  tk-mail time / tk-new time:    $(ratio "$mail" "$new")x (target <= 4x)
REPORT
