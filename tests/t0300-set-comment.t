#!/bin/sh
# tk-set, tk-comment, tk-show and tk-log.
. "$(dirname "$0")/lib.sh"
declare_fields "$TK_DIR" product
declare_fields hist product os
me=$(id -un)

test_expect_success 'setup' '
	tk-new -q -s one -r bob@example.com &&
	tk-new -q -s two -r bob@example.com &&
	tk-new -q -s three -r carol@example.com
'

test_expect_success 'ids from a pipe; only changed tickets are printed' '
	tk-ls requester=bob@example.com | tk-set status=open +urgent >out &&
	printf "1\topen\tP3\t\t\tone\n2\topen\tP3\t\t\ttwo\n" >expect && test_cmp expect out &&
	tk-set status=open 1 2 >out && test_empty out &&
	tk-ls -o id,tags tags=urgent >out && printf "1\turgent\n2\turgent\n" >expect && test_cmp expect out
'

test_expect_success 'tags: add, remove (also as first operand), set' '
	tk-set -q +vip +a 1 && tk-set -q -urgent 1 && tk-set -q -- -a 1 &&
	tk-ls -o tags id=1 >out && echo vip >expect && test_cmp expect out &&
	tk-set -q tags=z,y,y 1 && tk-ls -o tags id=1 >out && echo y,z >expect && test_cmp expect out
'

test_expect_success 'escalation=+1 twice, custom fields, clearing a field' '
	tk-set -q escalation=+1 3 && tk-set -q escalation=+1 3 &&
	tk-set -q product=X200 queue=desk 3 && tk-set -q queue= 3 &&
	tk-ls -o escalation,product,queue id=3 >out && printf "2\tX200\t\n" >expect && test_cmp expect out &&
	tk-ls -a -t -o id escalation=0 id=1..3 >out && printf "1\n2\n" >expect && test_cmp expect out &&
	tk-ls -a -t -o id "escalation<1" reopens=0 id=1..3 >out && test_cmp expect out &&
	tk-ls -a -t -o id "escalation>=1" id=1..3 >out && echo 3 >expect && test_cmp expect out &&
	tk-ls -a -t -o id -s escalation,-id id=1..3 >out && printf "2\n1\n3\n" >expect && test_cmp expect out
'

test_expect_success 'external ids: none is no index entry, external_id= by a scan, tk-set moves the entry' '
	mdb_stat -s ix_external_id "$TK_DIR" >stat && test_grep "Entries: 0\$" stat &&
	tk-ls -a -t -o id external_id= >out && printf "1\n2\n3\n" >expect && test_cmp expect out &&
	tk-ls -a -t --explain external_id= 2>err >/dev/null && test_grep "scan of all tickets" err &&
	tk-set -q external_id=EXT-2 2 &&
	tk-ls -a -t -o id external_id=EXT-2 >out && echo 2 >expect && test_cmp expect out &&
	mdb_stat -s ix_external_id "$TK_DIR" >stat && test_grep "Entries: 1\$" stat &&
	tk-ls -a -t -o id external_id= >out && printf "1\n3\n" >expect && test_cmp expect out &&
	tk-set -q external_id= 2 &&
	test_expect_code 1 tk-ls -a -t -o id external_id=EXT-2 &&
	mdb_stat -s ix_external_id "$TK_DIR" >stat && test_grep "Entries: 0\$" stat
'

test_expect_success 'workflow: pending, resolved (time set), reopen counts, closed is final' '
	TK_NOW=2026-11-22T10:00:00Z tk-set -q status=pending 1 &&
	TK_NOW=2026-11-22T11:00:00Z tk-set -q status=resolved 1 &&
	tk-ls -a -o status,resolved id=1 >out && printf "resolved\t2026-11-22T11:00:00Z\n" >expect && test_cmp expect out &&
	tk-set -q status=open 1 &&
	tk-ls -o status,reopens,resolved id=1 >out && printf "open\t1\t\n" >expect && test_cmp expect out &&
	tk-set -q status=closed 1 &&
	tk-log >before &&
	test_expect_code 3 tk-set status=open 1 2>err &&
	echo "tk-set: ticket 1: status closed -> open is not allowed (closed is final)" >expect && test_cmp expect err &&
	test_expect_code 3 tk-set status=new 2 2>err && test_grep "open -> new is not allowed" err &&
	tk-log >after && test_cmp before after
'

test_expect_success 'bad values and read-only fields are usage errors, nothing changed' '
	tk-log >before &&
	test_expect_code 2 tk-set priority=P9 2 2>err && test_grep "priority=P9: not a priority" err &&
	test_expect_code 2 tk-set id=5 2 2>err && test_grep "id: set by tk" err &&
	test_expect_code 2 tk-set updated=now 2 &&
	test_expect_code 2 tk-set created=2026-01-01 2 2>err && test_grep "created=2026-01-01: set when the ticket is made" err &&
	test_expect_code 2 tk-set csat=9 2 2>err && test_grep "CSAT is 1 to 5" err &&
	test_expect_code 2 tk-set due=someday 2 2>err && test_grep "due=someday" err &&
	test_expect_code 2 tk-set 2 2>err && test_grep "nothing to set" err &&
	tk-log >after && test_cmp before after
'

test_expect_success 'a missing ticket: exit 1, the others changed; --atomic changes none' '
	test_expect_code 1 tk-set -q +seen 2 99 2>err && test_grep "ticket 99: no such ticket" err &&
	tk-ls -o tags id=2 >out && echo seen,urgent >expect && test_cmp expect out &&
	test_expect_code 3 tk-set -q --atomic +again 2 99 2>err && test_grep "nothing changed" err &&
	tk-ls -o tags id=2 >out && test_cmp expect out
'

test_expect_success 'tk-comment: a first public reply records first response and opens a new ticket' '
	TK_NOW=2026-11-22T09:45:00Z tk-comment -m "We are on it." 3 >out &&
	printf "3\topen\tP3\t\t\tthree\n" >expect && test_cmp expect out &&
	tk-ls -o first_response,frt id=3 >out && printf "2026-11-22T09:45:00Z\t900\n" >expect && test_cmp expect out &&
	TK_NOW=2026-11-22T10:45:00Z tk-comment -q -m "Second reply" 3 &&
	tk-ls -o first_response id=3 >out && echo 2026-11-22T09:45:00Z >expect && test_cmp expect out
'

test_expect_success 'an internal note records nothing; @mentions add watchers' '
	tk-new -q -s four &&
	tk-comment -q -i -m "ask @carol and @dave." 4 &&
	tk-ls -o status,first_response,watchers id=4 >out && printf "new\t\tcarol,dave\n" >expect && test_cmp expect out
'

test_expect_success 'a requester reply reopens a pending ticket and is no first response' '
	tk-new -q -s five -r bob@example.com &&
	tk-set -q status=pending 5 &&
	tk-comment -q -f BOB@example.com -m "still broken" 5 &&
	tk-ls -o status,first_response id=5 >out && printf "open\t\n" >expect && test_cmp expect out &&
	tk-set -q status=pending 5 &&
	tk-comment -q -f agent@example.com -m "an agent from elsewhere" 5 &&
	tk-ls -o status,first_response id=5 >out && printf "pending\t2026-11-22T09:30:00Z\n" >expect && test_cmp expect out
'

test_expect_success 'comment body from standard input; empty comment refused' '
	printf "from stdin\n\n" | tk-comment -q 4 &&
	tk-show 4 >out && test_grep "^from stdin$" out &&
	: | test_expect_code 2 tk-comment 4 2>err && test_grep "empty comment" err &&
	test_expect_code 1 tk-comment -q -m hi 99 2>err && test_grep "ticket 99: no such ticket" err
'

test_expect_success 'tk-show: fields, body, comments, history' '
	tk-new -q -s "Show me" -r eve@example.com -m "The body
has two lines" product=Z &&
	tk-comment -q -m "Reply text" 6 &&
	tk-show 6 >out &&
	cat >expect <<-EOT &&
	Customer: eve@example.com (c3); 1 open
	Ticket 6: Show me
	created          2026-11-22T09:30:00Z
	updated          2026-11-22T09:30:00Z
	status           open
	priority         P3
	requester        eve@example.com
	first_response   2026-11-22T09:30:00Z
	contact          c3
	product          Z

	The body
	has two lines

	--- reply 1 by $me, 2026-11-22T09:30:00Z
	Reply text

	--- history
	2026-11-22T09:30:00Z  $me  create  created=2026-11-22T09:30:00Z  status=new  priority=P3  requester=eve@example.com  subject=Show me  contact=c3  product=Z
	2026-11-22T09:30:00Z  $me  reply  1
	2026-11-22T09:30:00Z  $me  status  new -> open
	2026-11-22T09:30:00Z  $me  first_response  2026-11-22T09:30:00Z
	EOT
	test_cmp expect out &&
	test_expect_code 1 tk-show 99 2>err && test_grep "ticket 99: no such ticket" err
'

test_expect_success 'tk-log: records, header, ticket operands, --since, --after, --json' '
	tk-log -H 6 >out &&
	head -n 1 out >got && printf "#id\ttime\tactor\tfield\told\tnew\tseq\tvia\n" >expect && test_cmp expect got &&
	tail -n 1 out | cut -f8 >got && echo cli >expect && test_cmp expect got &&
	tail -n 1 out | cut -f1,3-6 >got && printf "6\t$me\tfirst_response\t\t2026-11-22T09:30:00Z\n" >expect && test_cmp expect got &&
	last=$(tk-log | tail -n 1 | cut -f7) &&
	test_expect_code 1 tk-log --after "$last" >out && test_empty out &&
	tk-set -q +later 1 &&
	tk-log --after "$last" | cut -f1,4,6 >out && printf "1\ttags\tlater,y,z\n" >expect && test_cmp expect out &&
	test_expect_code 1 tk-log --since 2026-11-23 >out &&
	tk-log --since 1h | wc -l >n && test "$(cat n)" -gt 20 &&
	tk-log --json 1 | python3 -c "import json,sys; [json.loads(l) for l in sys.stdin]"
'

test_expect_success 'the create event shows the first fields, whatever changed after' '
	tk-new -q -d hist -s "First subject" -r ann@example.com -p P2 +net product=A &&
	tk-set -q -d hist priority=P1 -net +vpn product=B os=linux subject="Second subject" 1 &&
	tk-set -q -d hist status=open 1 && tk-set -q -d hist status=resolved 1 &&
	tk-log -d hist 1 | grep "	create	" | cut -f6 >out &&
	printf "%s\n" "created=2026-11-22T09:30:00Z\\tstatus=new\\tpriority=P2\\trequester=ann@example.com\\tsubject=First subject\\ttags=net\\tcontact=c1\\tproduct=A" >expect &&
	test_cmp expect out &&
	tk-ls -d hist -a -o priority,tags,product,os,status >out &&
	printf "P1\tvpn\tB\tlinux\tresolved\n" >expect &&
	test_cmp expect out
'

if command -v script >/dev/null 2>&1; then
	test_expect_success 'on a terminal, control characters from ticket text are shown as ?; piped, kept' '
		printf "#subject\tbody\n\\033]0;owned\\007hi \302\233x\tred \\033[31mtext\\\\r\\\\nline two\\001\n" | tk-new -d ctl -b >/dev/null &&
		tk-comment -d ctl -q -m "$(printf "reply \033[2J")" 1 &&
		for c in "tk-show -d ctl 1" "tk-ls -d ctl -o id,subject" "tk-ls -d ctl -t -o id,subject" "tk-log -d ctl -t 1" "COLUMNS=300 tk-log -d ctl 1" "tk-log -d ctl --json 1" \
		    "tk-export -d ctl --format csv -o subject,body" "tk-export -d ctl --format json -o subject" \
		    "tk-set -d ctl -q due=$(printf "\033")x 1"; do
			script -qec "$c" /dev/null >tty.out 2>&1;
			tr -d "\r" <tty.out >tty &&
			! grep -q "$(printf "[\001\007\033]")" tty &&
			! grep -q "$(printf "\302\233")" tty &&
			test_grep "?" tty || { echo "$c"; return 1; }
		done &&
		script -qec "tk-show -d ctl 1" /dev/null >tty.out &&
		tr -d "\r" <tty.out >tty &&
		test_grep "^Ticket 1: ?]0;owned?hi ?x" tty &&
		test_grep "^red ?\[31mtext$" tty &&
		test_grep "^line two?" tty &&
		test_grep "^reply ?\[2J" tty &&
		tk-show -d ctl 1 >out &&
		test_grep "$(printf "^Ticket 1: \033]0;owned\007hi \302\233x")" out &&
		test_grep "$(printf "^red \033\\[31mtext\r$")" out
	'
else
	test_skip 'control characters on a terminal' 'script (util-linux) is not installed: no pty to run under'
fi

test_done
