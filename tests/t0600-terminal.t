#!/bin/sh
# What a person at a terminal sees: local times, tables fitted to the
# terminal, tk-log's table, empty results, never-matching filters, ticket
# numbers as filters, tk-show --json; and that scripts see none of it.
. "$(dirname "$0")/lib.sh"
me=$(id -un)

# on_tty COLS CMD: CMD run by sh on a pseudo-terminal COLS wide (0: as
# the pty comes, no size set), its output with the pty's CRs taken out;
# its exit status. Standard error goes to the terminal too unless CMD
# sends it elsewhere.
on_tty() {
	python3 -c '
import fcntl, os, pty, struct, sys, termios
cols, cmd = int(sys.argv[1]), sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    if cols:
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    os.execvp("sh", ["sh", "-c", cmd])
out = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
_, st = os.waitpid(pid, 0)
sys.stdout.buffer.write(out.replace(b"\r\n", b"\n"))
sys.exit(os.waitstatus_to_exitcode(st))
' "$@"
}

# widest FILE: the display width of FILE's widest line (CJK counting two).
widest() {
	python3 -c '
import sys, unicodedata
w = 0
for line in open(sys.argv[1], encoding="utf-8", errors="strict"):
    line = line.rstrip("\n")
    w = max(w, sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line))
print(w)
' "$1"
}

# width_is FILE -le|-eq N: FILE's widest line is at most (exactly) N
# columns, else it is shown.
width_is() {
	got=$(widest "$1")
	test "$got" "$2" "$3" || { echo "widest line of $1: $got columns, want $2 $3:"; cat "$1"; return 1; }
}

# starts FILE WORD: the display column where WORD starts on each line of
# FILE that holds it, one a line.
starts() {
	python3 -c '
import sys, unicodedata
for line in open(sys.argv[1], encoding="utf-8"):
    i = line.find(sys.argv[2])
    if i >= 0:
        print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:i]))
' "$1" "$2"
}

# aligned FILE: a table whose every row leaves the two spaces before each
# column of the header blank, never half a wide character there.
aligned() {
	python3 -c '
import sys, unicodedata
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
hdr = lines[0]
starts = [i for i in range(1, len(hdr)) if hdr[i] != " " and hdr[i - 1] == " "]
for line in lines[1:]:
    cells = []
    for c in line:
        cells.append(c)
        if unicodedata.east_asian_width(c) in "WF":
            cells.append(None)
    for s in starts:
        if len(cells) > s and (cells[s - 2] != " " or cells[s - 1] != " " or cells[s] is None):
            sys.exit("column %d not aligned in: %s" % (s, line))
' "$1"
}

if ! python3 -c 'import pty, termios' 2>/dev/null; then
	test_skip 'terminal output' 'python3 with pty and termios is needed for a pseudo-terminal'
	test_done
	exit 0
fi

test_expect_success 'setup' '
	tk-new -q -s "Printer down" -r ann@example.com -m "It jams." &&
	tk-comment -q -m "Looking at it" 1 &&
	tk-set -q due=2026-12-01T00:00:00Z 1 &&
	tk-new -q -s "打印机无法连接，请帮忙看看" queue=hardware-support &&
	tk-new -q -s "VPN down since this morning" queue=net
'

test_expect_success 'on a terminal tk-show, tk-log and tk-ls show local time (TZ); records stay ISO UTC' '
	TZ=Asia/Shanghai on_tty 0 "tk-show 1" >tty &&
	test_grep "^created          2026-11-22 17:30$" tty &&
	test_grep "^due              2026-12-01 08:00$" tty &&
	test_grep "^--- reply 1 by $me, 2026-11-22 17:30$" tty &&
	test_grep "^2026-11-22 17:30  $me  create  created=2026-11-22 17:30  status=new" tty &&
	test_grep "^2026-11-22 17:30  $me  due  2026-12-01 08:00$" tty &&
	! grep "T09:30:00Z" tty &&
	TZ=Asia/Shanghai COLUMNS=200 on_tty 0 "tk-log 1" >tty &&
	test_grep "2026-11-22 17:30  $me" tty &&
	test_grep "  due  .*  2026-12-01 08:00" tty &&
	! grep "T09:30:00Z" tty &&
	TZ=Asia/Shanghai COLUMNS=200 on_tty 0 "tk-ls -o id,created,due id=1" >tty &&
	test_grep "^1   2026-11-22 17:30  2026-12-01 08:00$" tty &&
	TZ=Asia/Shanghai tk-show 1 >out &&
	test_grep "^created          2026-11-22T09:30:00Z$" out &&
	test_grep "^--- reply 1 by $me, 2026-11-22T09:30:00Z$" out &&
	TZ=Asia/Shanghai tk-log 1 | cut -f2 | sort -u >out &&
	echo 2026-11-22T09:30:00Z >expect && test_cmp expect out &&
	TZ=Asia/Shanghai on_tty 0 "tk-log -t 1" | cut -f2 | sort -u >out &&
	test_cmp expect out &&
	TZ=Asia/Shanghai on_tty 0 "tk-ls -t -o created,due id=1" >out &&
	printf "2026-11-22T09:30:00Z\t2026-12-01T00:00:00Z\n" >expect && test_cmp expect out &&
	TZ=Asia/Shanghai on_tty 0 "tk-show --json 1" >out &&
	test_grep "\"created\":\"2026-11-22T09:30:00Z\"" out
'

test_expect_success 'tk-show: the creation line lists the first fields two spaces apart, no escaped TAB' '
	tk-show 1 >out &&
	grep "  create  " out >got &&
	printf "%s\n" "2026-11-22T09:30:00Z  $me  create  created=2026-11-22T09:30:00Z  status=new  priority=P3  requester=ann@example.com  subject=Printer down" >expect &&
	test_cmp expect got &&
	! grep -F "\\t" out
'

test_expect_success 'tk-log on a terminal: an aligned table whose columns are the record'"'"'s fields' '
	COLUMNS=200 on_tty 0 "tk-log" >tty &&
	head -n 1 tty >hdr &&
	test_grep "^ID  TIME              ACTOR" hdr &&
	n=$(tk-log -t | head -n 1 | awk -F "\t" "{ print NF }") &&
	{ test "$(wc -w <hdr)" -eq "$n" || { echo "want $n columns, as the records have:"; cat hdr; false; }; } &&
	{ test "$(tk-log -t | wc -l)" -eq "$(($(wc -l <tty) - 1))" || { echo "not a row an event:"; cat tty; false; }; } &&
	aligned tty &&
	grep "  create  " tty >rows && test "$(wc -l <rows)" -eq 3 &&
	{ test "$(starts rows create | sort -u)" = "$(starts hdr FIELD)" || { echo "create not under FIELD:"; cat tty; false; }; } &&
	test_grep "^1   2026-11-22 09:30  $me *create *created=2026-11-22 09:30  status=new  priority=P3" tty &&
	! grep -F "\\t" tty &&
	tk-log --table | head -n 1 >out && test_grep "^ID  TIME  " out &&
	on_tty 0 "tk-log -t" >out && test_grep "^1	2026-11-22T09:30:00Z	$me	create	" out &&
	on_tty 0 "tk-log --tsv 2" >out && test_grep "^2	2026-11-22T09:30:00Z	" out
'

test_expect_success 'tk-log -f with the table: one header, new events as rows in the same columns' '
	(timeout 3 tk-log --table -f 3 >follow; true) &
	sleep 1 && tk-set -q +followed 3 &&
	wait &&
	test "$(grep -c "^ID  TIME  " follow)" -eq 1 &&
	test_grep "^3   2026-11-22 09:30  $me *tags *followed" follow &&
	aligned follow
'

test_expect_success 'conflicting output options are usage errors naming both (tk-ls, tk-log)' '
	for c in "tk-ls --json --table" "tk-log --json --table"; do
		test_expect_code 2 $c >out 2>err && test_empty out &&
		test_grep "--json.*--table" err || return 1
	done &&
	for c in "tk-ls -t --table" "tk-log -t --table"; do
		test_expect_code 2 $c >out 2>err && test_empty out &&
		test_grep "-t.*--table" err || return 1
	done &&
	for c in "tk-ls --json -H" "tk-log --json -H"; do
		test_expect_code 2 $c >out 2>err && test_empty out &&
		test_grep "--json.*-H" err || return 1
	done &&
	test_expect_code 2 tk-ls --json -t 2>err && test_grep "--json.*-t" err
'

test_expect_success 'the table fits the terminal: the widest columns cut first, with an ellipsis, CJK counted two' '
	COLUMNS=40 tk-ls --table -o id,queue,subject >out &&
	cat >expect <<-\EOF &&
	ID  QUEUE             SUBJECT
	1                     Printer down
	2   hardware-support  打印机无法连接，…
	3   net               VPN down since th…
	EOF
	test_cmp expect out &&
	COLUMNS=30 tk-ls --table -o id,queue,subject >out &&
	cat >expect <<-\EOF &&
	ID  QUEUE         SUBJECT
	1                 Printer down
	2   hardware-su…  打印机无法…
	3   net           VPN down si…
	EOF
	test_cmp expect out &&
	COLUMNS=31 tk-ls --table -o id,queue,subject >out &&
	width_is out -le 31 && test_grep "^2   hardware-sup…  打印机无法…$" out &&
	COLUMNS=200 tk-ls --table -o id,queue,subject >out &&
	! grep "…" out && test_grep "打印机无法连接，请帮忙看看$" out
'

test_expect_success 'the terminal'"'"'s width: COLUMNS, else the terminal'"'"'s own, else 80; no row wider' '
	x=$(awk "BEGIN { while (n++ < 300) printf \"长x\" }") &&
	tk-new -q -s "$x" queue=$x assignee=$x &&
	on_tty 50 "tk-ls" >tty && width_is tty -eq 50 &&
	COLUMNS=70 on_tty 50 "tk-ls" >tty && width_is tty -eq 70 &&
	tk-ls --table >out && width_is out -eq 80 &&
	for c in 20 33 57 101; do
		COLUMNS=$c tk-ls --table -o id,subject,queue,assignee,requester >out &&
		width_is out -le "$c" && aligned out || return 1
	done
'

test_expect_success 'a 100 kB subject: one terminal line, never a UTF-8 sequence cut' '
	awk "BEGIN { print \"#subject\"; while (n++ < 15000) printf \"数据x\"; print \"\" }" | tk-new -q -b &&
	id=$(tk-ls -t -o id | tail -n 1) &&
	COLUMNS=80 tk-ls --table -o id,subject id=$id >out &&
	test "$(wc -c <out)" -lt 400 && width_is out -le 80 &&
	test_grep "…$" out &&
	on_tty 0 "tk-ls -o id,subject $id" >tty &&
	test "$(wc -c <tty)" -lt 400 &&
	python3 -c "open(\"tty\", encoding=\"utf-8\", errors=\"strict\").read()"
'

if ! skip_peak_memory 'a table of long subjects holds a screen'"'"'s width of each, not the subject'; then
	test_expect_success 'a table of long subjects holds a screen'"'"'s width of each, not the subject' '
		awk "BEGIN { b = \"x\"; while (length(b) < 100000) b = b b; print \"#subject\";
		    for (i = 1; i <= 400; i++) printf \"%d %s\n\", i, b }" | tk-new -q -b -d long &&
		/usr/bin/time -f %M -o rss.tsv tk-ls -d long -t -o id,subject >/dev/null &&
		COLUMNS=80 /usr/bin/time -f %M -o rss tk-ls -d long --table -o id,subject >out &&
		test "$(wc -l <out)" -eq 401 && width_is out -le 80 &&
		echo "peak KiB: records $(cat rss.tsv), table $(cat rss)" &&
		test "$(cat rss)" -lt "$(($(cat rss.tsv) + 8192))"
	'
fi

test_expect_success 'a filter that can never match warns and names the likely one; the query still runs' '
	test_expect_code 1 tk-ls created=1h.. >out 2>err && test_empty out &&
	test_grep "created=1h..: never matches" err && test_grep "created=-1h\.\." err &&
	test_expect_code 1 tk-ls "updated>2h" 2>err && test_grep "updated>-2h" err &&
	test_expect_code 1 tk-ls -a resolved=1d..2d 2>err && test_grep "resolved=-2d..-1d" err &&
	test_expect_code 1 tk-ls -a closed=2026-12-01.. 2>err && test_grep "closed is never in the future" err &&
	test_expect_code 1 tk-ls first_response=30m.. 2>err && test_grep "first_response=-30m\.\." err &&
	test_expect_code 1 tk-ls age=..-1h 2>err && test_grep "age=\.\.1h" err &&
	test_expect_code 1 tk-ls priority=P4..P1 2>err && test_grep "priority=P1..P4" err &&
	test_expect_code 1 tk-export --format tsv created=1h.. 2>err && test_grep "never matches" err &&
	tk-ls -t -o id created=-1h.. >out 2>err && test_empty err && test -s out &&
	tk-ls -t -o id "due=..2026-12-02" >out 2>err && test_empty err && echo 1 >expect && test_cmp expect out &&
	TK_NOW=2026-11-23T00:00:00Z tk-new -q -d future -s later &&
	tk-ls -d future -t -o subject created=1h.. >out 2>err &&
	echo later >expect && test_cmp expect out && test_grep "never matches" err
'

test_expect_success 'an empty result: on a terminal nothing on stdout and a message; piped exit 1, stderr unchanged' '
	test_expect_code 1 on_tty 0 "tk-ls status=closed 2>err" >tty &&
	test_empty tty && echo "tk-ls: no tickets match" >expect && test_cmp expect err &&
	test_expect_code 1 on_tty 0 "tk-log --since 2026-11-23 2>err" >tty &&
	test_empty tty && echo "tk-log: no events match" >expect && test_cmp expect err &&
	test_expect_code 1 tk-ls status=closed >out 2>err && test_empty out && test_empty err &&
	test_expect_code 1 tk-log --since 2026-11-23 >out 2>err && test_empty out && test_empty err &&
	test_expect_code 1 on_tty 0 "tk-ls -t status=closed 2>err" >tty && test_empty tty && test_empty err
'

test_expect_success 'a ticket number is id=N; several are a list; #N too' '
	tk-ls -t -o id 3 >out && echo 3 >expect && test_cmp expect out &&
	tk-ls -t -o id 3 1 >out && printf "1\n3\n" >expect && test_cmp expect out &&
	tk-ls -t -o id "#2" queue=hardware-support >out && echo 2 >expect && test_cmp expect out &&
	test_expect_code 1 tk-ls -t 2 queue=net >out && test_empty out &&
	test_expect_code 2 tk-ls 0 2>err && test_grep "0: not a ticket id" err &&
	on_tty 0 "tk-ls -o id,subject 2" >tty && test_grep "^2   打印机" tty
'

test_expect_success 'tk-show --json: one object a ticket, as tk-export --format json --with comments,history,links' '
	mkdir -p "$TK_DIR" && echo "field product" >"$TK_DIR/fields" &&
	tk-set -q product=X200 2 &&
	tk-show --json 2 1 >out &&
	tk-export --format json --with comments,history,links id=2 >expect &&
	tk-export --format json --with comments,history,links id=1 >>expect &&
	test_cmp expect out &&
	python3 -c "
import json
rows = [json.loads(l) for l in open(\"out\")]
assert [r[\"id\"] for r in rows] == [2, 1], rows
one = rows[1]
assert one[\"body\"] == \"It jams.\", one
assert one[\"comments\"][0][\"body\"] == \"Looking at it\", one
assert one[\"history\"][0][\"field\"] == \"create\", one
assert rows[0][\"product\"] == \"X200\" and one[\"product\"] is None, rows
" &&
	tk-show --json --no-history 1 >out &&
	python3 -c "
import json
r = json.loads(open(\"out\").read())
assert \"history\" not in r and r[\"comments\"], r
" &&
	test_expect_code 1 tk-show --json 99 >out 2>err && test_empty out &&
	test_grep "ticket 99: no such ticket" err
'

test_done
