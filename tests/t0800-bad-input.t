#!/bin/sh
# Bad input for every command: a clear message naming the input, the
# documented exit code, and nothing half-written.
. "$(dirname "$0")/lib.sh"

test_expect_success 'every command: --help, --version, an unknown option' '
	for c in tk-new tk-ls tk-show tk-set tk-comment tk-log tk-import tk-export; do
		$c --help >out && head -c 6 out | grep -q "^usage:" || { echo "$c --help"; exit 1; }
		$c --version | grep -q "^$c (tk) " || { echo "$c --version"; exit 1; }
		test_expect_code 2 $c --no-such-option 2>err || exit 1
		grep -q "^$c: " err || grep -q "usage:" err || { echo "$c: no message"; cat err; exit 1; }
	done
'

test_expect_success 'readers with no store: exit 4 and the directory named' '
	for c in "tk-ls" "tk-show 1" "tk-log" "tk-export"; do
		test_expect_code 4 $c -d "$trash/nowhere" 2>err || exit 1
		grep -q "$trash/nowhere: no tk store here" err || { cat err; exit 1; }
	done &&
	test ! -e "$trash/nowhere"
'

test_expect_success 'a store cut short (a bad copy, a damaged disk): a message, exit 4, no SIGBUS; an empty data.mdb is no store' '
	printf "#subject\n" >many && seq 3000 | sed "s/^/ticket /" >>many &&
	tk-new -q -b -d cut <many &&
	truncate -s 65536 cut/data.mdb &&
	for c in "tk-ls" "tk-show 1" "tk-log" "tk-export" "tk-new -s x" "tk-set status=open 1" "tk-comment -m x 1"; do
		test_expect_code 4 $c -d cut 2>err || { echo "$c"; exit 1; }
		grep -q "cut: store damaged: data.mdb has 65536 bytes of the [0-9]* its last commit wrote" err || { cat err; exit 1; }
	done &&
	mkdir empty && : >empty/data.mdb &&
	test_expect_code 4 tk-ls -d empty 2>err &&
	test_grep "empty: no tk store here" err &&
	tk-new -q -d empty -s first &&
	tk-ls -d empty -t -o subject >out && echo first >expect && test_cmp expect out
'

test_expect_success 'setup' '
	tk-new -q -s first -p P2 &&
	tk-log >log.before
'

test_expect_success 'malformed records in a batch: reported by line, good ones kept' '
	printf "#subject\tpriority\nok one\tP1\nbad\\\\xescape\tP1\nragged\nbad value\tP9\nok two\tP4\n" >in &&
	test_expect_code 3 tk-new -b <in >out 2>err &&
	printf "2\n3\n" >expect && test_cmp expect out &&
	test_grep "^tk-new: stdin:3: field 1: bad backslash escape" err &&
	test_grep "stdin:4: 1 fields, the header names 2" err &&
	test_grep "stdin:5: priority=P9: not a priority" err
'

test_expect_success 'invalid UTF-8 and NUL bytes in records' '
	printf "#subject\nbad \377 byte\nnul \000 byte\nfine\n" >in &&
	test_expect_code 3 tk-new -b <in >out 2>err &&
	echo 4 >expect && test_cmp expect out &&
	test_grep "^tk-new: stdin:2: invalid UTF-8 at byte 5" err &&
	test_grep "^tk-new: stdin:3: NUL byte" err
'

test_expect_success 'a store that cannot grow (ulimit -f): the reason said, what was committed kept' '
	awk "BEGIN { print \"#subject\trequester\"; for (i = 1; i <= 30000; i++) printf \"subject number %d with some words\tr%d@example.com\n\", i, i }" >many &&
	(trap "" XFSZ; ulimit -f 1000; tk-new -b -q -d capped <many >out 2>err; echo $? >rc) &&
	echo 4 >expect && test_cmp expect rc &&
	test_grep "capped: cannot write the store: it reached the file size limit (ulimit -f: [0-9]* bytes)" err &&
	test_grep "stopped after 0 tickets created" err &&
	(trap "" XFSZ; ulimit -f 40000; tk-new -b -q -d capped2 <many >/dev/null 2>err; echo $? >rc) &&
	test_cmp expect rc &&
	n=$(sed -n "s/.*stopped after \([0-9]*\) tickets created.*/\1/p" err) &&
	test "$n" -gt 0 && test "$n" -lt 30000 &&
	test "$(tk-ls -d capped2 -a -t -o id | wc -l)" -eq "$n"
'

test_expect_success 'a record line over 64 MiB is refused and read over, not held whole' '
	{ printf "#subject\nbefore\n"; head -c 70000000 /dev/zero | tr "\0" x; printf "\nafter\n"; } >long &&
	test_expect_code 3 tk-new -b <long >out 2>err &&
	test_grep "^tk-new: stdin:3: line longer than 67108864 bytes" err &&
	tk-ls -a -t -o subject id=$(head -n 1 out),$(tail -n 1 out) >subj &&
	printf "before\nafter\n" >expect && test_cmp expect subj &&
	rm -f long
'

test_expect_success '--atomic: one bad record and nothing is written' '
	tk-log >before &&
	printf "#subject\tpriority\nfine\tP1\nbad\tP0\n" | test_expect_code 3 tk-new -b --atomic >out 2>err &&
	test_empty out && test_grep "nothing written" err &&
	tk-log >after && test_cmp before after
'

test_expect_success 'a batch with no header, or a bad field name in it' '
	: | test_expect_code 3 tk-new -b 2>err && test_grep "no header line" err &&
	printf "#9bad\nx\n" | test_expect_code 3 tk-new -b 2>err && test_grep "9bad: not a field name" err
'

test_expect_success 'a bad field name before others in the header: a message, nothing written (it crashed)' '
	tk-log >before &&
	printf "#9bad\tsubject\tpriority\nx\ty\tP1\n" | test_expect_code 3 tk-new -b >out 2>err &&
	test_grep "^tk-new: stdin:1: 9bad: not a field name" err &&
	test_empty out &&
	tk-log >after && test_cmp before after
'

test_expect_success 'tk-new: missing subject, bad values, bad dates, invalid UTF-8 arguments' '
	tk-log >before &&
	test_expect_code 2 tk-new -r x@example.com 2>err && test_grep "needs a subject" err &&
	test_expect_code 2 tk-new -s x -p urgent 2>err && test_grep "priority=urgent: not a priority" err &&
	test_expect_code 2 tk-new -s x status=done 2>err && test_grep "status=done: not a status" err &&
	test_expect_code 2 tk-new -s x due=2026-02-30 2>err && test_grep "no such date" err &&
	test_expect_code 2 tk-new -s x due=+2933000d 2>err && test_grep "due=+2933000d: +2933000d: out of range (1970 to 9999)" err &&
	test_expect_code 2 tk-new -s x due=9999-12-31T23:59:59-01:00 2>err && test_grep "out of range" err &&
	test_expect_code 2 tk-new -s "$(printf "bad \377")" 2>err && test_grep "invalid UTF-8" err &&
	test_expect_code 2 tk-new -s x 9field=1 2>err && test_grep "not a field name" err &&
	test_expect_code 2 tk-new -s x notassignment 2>err && test_grep "not an assignment" err &&
	printf "nul\000body" | test_expect_code 3 tk-new -s x 2>err && test_grep "body: NUL byte" err &&
	tk-log >after && test_cmp before after
'

test_expect_success 'tk-ls: unknown fields and columns, bad filters, bad regex' '
	test_expect_code 2 tk-ls stauts=open 2>err && test_grep "stauts=open: no field stauts" err &&
	test_expect_code 2 tk-ls -o id,nosuch 2>err && test_grep "-o: no field nosuch" err &&
	test_expect_code 2 tk-ls "subject~(unclosed" 2>err && test_grep "bad regex at offset" err &&
	test_expect_code 2 tk-ls created=yesterday 2>err && test_grep "created=yesterday" err &&
	test_expect_code 2 tk-ls "queue<x" 2>err && test_grep "ranges work on" err &&
	test_expect_code 2 tk-ls =x 2>err && test_grep "not a filter" err &&
	test_expect_code 2 tk-ls status=open,opne 2>err &&
	test_grep "status=open,opne: \"opne\" is not a status (new, open, pending, resolved, closed)" err &&
	test_expect_code 2 tk-ls status!=clsoed 2>err && test_grep "\"clsoed\" is not a status" err &&
	test_expect_code 2 tk-ls status= 2>err && test_grep "\"\" is not a status" err &&
	test_expect_code 2 tk-export channel=emial 2>err && test_grep "\"emial\" is not a channel" err &&
	{ tk-ls -a channel= >out 2>err; test $? -le 1; } && ! test -s err &&
	test_expect_code 2 tk-ls -n 0 2>err && test_grep "not a positive count" err &&
	printf "1\nnot-an-id\n" | test_expect_code 3 tk-ls - 2>err && test_grep "stdin:2: not-an-id: not a ticket id" err
'

test_expect_success 'a regex that backtracks without end stops with a message' '
	tk-new -q -s "$(printf "%0100d" 0 | tr 0 a)b" &&
	test_expect_code 2 tk-ls -a "subject~^(a|a)*\$" 2>err &&
	test_grep "backtracks too much" err
'

test_expect_success 'tk-set and tk-comment with bad ids on standard input' '
	printf "1\nxyz\n" | test_expect_code 3 tk-set -q +x 2>err && test_grep "stdin:2: xyz: not a ticket id" err &&
	tk-ls -o tags id=1 >out && echo x >expect && test_cmp expect out &&
	test_expect_code 2 tk-set +x 0 2>err &&
	test_expect_code 2 tk-comment -m hi abc 2>err && test_grep "abc: not a ticket id" err
'

test_done
