#!/bin/sh
# The commands run clean under valgrind's memcheck: no invalid reads or
# writes, no use of uninitialised memory, no leaks, threads included (tk-new
# -b and tk-import read in a second thread). The sanitizer run of make check
# covers the whole suite; this covers what it cannot see the same way.
# A command leaves its store open at exit (tk_cmd_leave): still reachable,
# or "possibly" lost where LMDB keeps a pointer inside a block, and shown
# neither.
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null 2>&1; then
	test_skip 'commands under valgrind' 'valgrind is not installed (make deps installs it)'
	test_done
	exit
fi
case $TK_BIN in
*/asan/*) test_skip 'commands under valgrind' 'a sanitizer build does not run under valgrind'; test_done; exit ;;
esac

# The commands are linked statically (Makefile: STATIC), and valgrind
# cannot follow malloc in a static program: make check links the same
# objects dynamically into vg/bin (make vg), which this test runs.
if ! ldd "$TK_BIN/tk-new" >/dev/null 2>&1; then
	vgbin=$(cd "$TK_BIN/.." && pwd)/vg/bin
	if ! [ -x "$vgbin/tk-new" ] || ! ldd "$vgbin/tk-new" >/dev/null 2>&1; then
		test_skip 'commands under valgrind' "the commands in $TK_BIN are linked statically and $vgbin has no dynamically linked ones (make vg builds them)"
		test_done
		exit
	fi
	PATH=$vgbin:$PATH
fi

vg() {
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect "$@"
}

test_expect_success 'tk-new -b and tk-import, new and re-run' '
	awk "BEGIN { print \"subject\trequester\tpriority\tbody\"; for (i = 1; i <= 6000; i++) printf \"VPN %d\tr%d@example.com\tP%d\tbody\\\\nline\n\", i, i % 37, i % 4 + 1 }" >in.tsv &&
	vg tk-new -q -b <in.tsv &&
	tk-export --format csv -o subject,requester,priority >all.csv &&
	vg tk-import -d imp all.csv 2>err && test_grep "6000 created" err &&
	vg tk-import -d imp all.csv 2>err && test_grep "6000 unchanged" err &&
	printf "Weird,subject,more,other\n1,2,3,4\n" >w.csv &&
	{ vg tk-import --strict -d strict w.csv 2>err; test $? -eq 3; } && test_grep "not a tk field" err
'

test_expect_success 'tk-import of UTF-16 (read through iconv as it comes), and of UTF-16 not valid' '
	{ printf "\377\376" && iconv -f UTF-8 -t UTF-16LE all.csv; } >all16.csv &&
	vg tk-import -d imp16 all16.csv 2>err && test_grep "6000 created" err &&
	{ cat all16.csv && printf "\000\334"; } >bad16.csv &&
	{ vg tk-import -d imp16 bad16.csv 2>err; test $? -eq 3; } && test_grep "not valid UTF-16" err
'

test_expect_success 'readers and single changes' '
	vg tk-ls -a requester=r5@example.com status=new >out && test -s out &&
	vg tk-ls -a "subject~VPN 1[0-9]$" >out && test -s out &&
	vg tk-set -q status=open +vpn 3 &&
	vg tk-ls priority=P1 >out && test -s out &&
	vg tk-ls -a status=open,closed,new >out && test -s out &&
	vg tk-set -q assignee=ann status=pending 4 5 &&
	vg tk-ls assignee=ann >out && test "$(wc -l <out)" -eq 2 &&
	vg tk-comment -q -m "On it" 3 &&
	vg tk-show 3 >out && test_grep "reply 1" out &&
	vg tk-log 3 >out && test_grep "create" out &&
	vg tk-export --format json --with comments,history id=3 >out && test_grep "On it" out
'

test_expect_success 'tk-notify (mail, a hook, --to requester, the queue) and tk-comment --template' '
	printf "#!/bin/sh\ncat >>sent\n" >sendmail && chmod +x sendmail &&
	printf "#!/bin/sh\nexit 1\n" >fail && chmod +x fail &&
	mkdir -p "$TK_DIR/templates" &&
	printf "Subject: {{subject}} ({{metric|none}})\n\nHi {{requester}}: {{status}}\n" >"$TK_DIR/templates/n" &&
	printf "Set: status=resolved +done\n\nSolved: {{subject}}\n" >"$TK_DIR/templates/c" &&
	vg tk-comment -q --template c 3 &&
	printf "3\tresponse\t2026-11-22T09:00:00Z\n4\n" | TK_SENDMAIL=./sendmail vg tk-notify -q --to ops@example.com --template n &&
	TK_SENDMAIL=./sendmail vg tk-notify -q --to requester 3 &&
	{ TK_SENDMAIL=./fail vg tk-notify -q --to ops@example.com 5 2>err; test $? -eq 4; } &&
	vg tk-notify --queue >q && test "$(wc -l <q)" = 1 &&
	TK_SENDMAIL=./sendmail vg tk-notify -q --flush &&
	vg tk-notify -q 3 --exec ./sendmail &&
	test "$(grep -c "^Subject:" sent)" = 4
'

test_done
