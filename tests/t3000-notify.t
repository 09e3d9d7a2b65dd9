#!/bin/sh
# tk-notify: mail through a fake sendmail that keeps each message (headers,
# RFC 2047 subjects, threading), no shell anywhere (subjects that would run
# commands stay text), hooks (--exec: environment, standard input,
# arguments), the queue (a failed sendmail or hook leaves the notice queued,
# the next run sends it, two runs never send one twice), --to requester with
# notice marks (only new public replies of agents; tk-import moves the
# mark), templates (fields, defaults, errors with file:line), tk-comment
# --template (canned replies with Set: changes), bad input.
. "$(dirname "$0")/lib.sh"

# The fake sendmail: each message in mail/N (N from 1), its arguments in
# mail/N.args; FAKE_EXIT makes it fail, FAKE_SLEEP makes it slow.
mkdir mail bin
cat >bin/sendmail <<'EOF'
#!/bin/sh
dir=${FAKE_MAIL:-mail}
mkdir -p "$dir"
n=$( (ls "$dir" | grep -c '^[0-9]*$') 2>/dev/null)
[ -n "${FAKE_SLEEP:-}" ] && sleep "$FAKE_SLEEP"
[ -n "${FAKE_EXIT:-}" ] && { cat >/dev/null; echo "fake sendmail: refused" >&2; exit "$FAKE_EXIT"; }
# mkdir is atomic: two runs at once never write the same number
while ! mkdir "$dir/lock" 2>/dev/null; do sleep 0.01; done
n=$(ls "$dir" | grep -c '^[0-9]*$')
n=$((n + 1))
printf '%s\n' "$@" >"$dir/$n.args"
cat >"$dir/$n"
rmdir "$dir/lock"
EOF
chmod +x bin/sendmail
TK_SENDMAIL="$trash/bin/sendmail -t -i"
export TK_SENDMAIL

# last: the newest message's file name.
last() {
	ls mail | grep '^[0-9]*$' | sort -n | tail -n 1 | sed 's|^|mail/|'
}
count() {
	ls mail | grep -c '^[0-9]*$' || true
}
# header FILE NAME: the field's value, folded lines joined.
header() {
	awk -v name="$2" '
		/^$/ { exit }
		/^[ \t]/ { if (on) { v = v substr($0, 2) }; next }
		{ if (on) exit; on = (tolower(substr($0, 1, length(name) + 1)) == tolower(name) ":"); if (on) v = substr($0, length(name) + 3) }
		END { if (on || v != "") print v }' "$1"
}
# decoded FILE NAME: the field as a mail client shows it (RFC 2047 decoded).
decoded() {
	header "$1" "$2" | perl -CS -MEncode -ne 'chomp; print decode("MIME-Header", $_), "\n"'
}
body() {
	sed '1,/^$/d' "$1"
}

test_expect_success 'setup: agents with email, a team with a lead, tickets' '
	declare_fields "$TK_DIR" product &&
	tk-new -q -s "Printer on floor 3 is broken" -r "Bob Lee <bob@example.com>" queue=desk product=X200 &&
	tk-new -q -s "打印机卡纸，无法打印" -r "王磊 <wang.lei@example.cn>" queue=desk assignee=alice &&
	tk-new -q -s "\$(touch pwned); rm -rf x \`touch pwned2\`" -r carol@example.com assignee=alice &&
	tk-agent -q add alice name="Alice Smith" email=alice@example.com teams=l1 &&
	tk-agent -q add bob name="李明" email=li.ming@example.cn teams=l1 role=lead &&
	tk-agent -q add dave teams=l1 &&
	tk-agent -q team l1 queues=desk &&
	echo "from Help Desk <help@desk.example>" >"$TK_DIR/config"
'

test_expect_success 'a notice to the assignee: headers, body, printed record' '
	tk-notify --to assignee 2 >out &&
	printf "2\tsent\talice@example.com\n" >expect && test_cmp expect out &&
	test "$(count)" = 1 && m=$(last) &&
	printf "%s\n" -t -i >expect && test_cmp expect $m.args &&
	test "$(header $m From)" = "Help Desk <help@desk.example>" &&
	test "$(header $m To)" = "Alice Smith <alice@example.com>" &&
	test "$(header $m Date)" = "Sun, 22 Nov 2026 09:30:00 +0000" &&
	test "$(header $m MIME-Version)" = "1.0" &&
	test "$(header $m Content-Type)" = "text/plain; charset=UTF-8" &&
	test "$(header $m Content-Transfer-Encoding)" = 8bit &&
	test "$(header $m Auto-Submitted)" = auto-generated &&
	test "$(header $m X-Tk-Ticket)" = 2 &&
	header $m Message-ID | grep -E "^<tk\.2\.1\.[0-9a-f]{16}@desk\.example>\$" &&
	body $m >b && test_grep "^打印机卡纸，无法打印\$" b && test_grep "^assignee   alice\$" b
'

test_expect_success 'a Chinese subject: RFC 2047 encoded words, lines folded, decoded intact' '
	m=$(last) &&
	sed "/^\$/q" $m | grep -v "^[ -~]*\$" >nonascii || true &&
	test_empty nonascii &&
	sed -n "/^Subject:/,/^[^ ]/p" $m | sed "\$d" >subj &&
	test_grep "=?UTF-8?B?" subj &&
	awk "length > 76 { print; bad = 1 } END { exit bad }" subj &&
	test "$(decoded $m Subject)" = "[tk #2] 打印机卡纸，无法打印" &&
	tk-notify -q --to lead 1 && m=$(last) &&
	test "$(decoded $m To)" = "李明 <li.ming@example.cn>"
'

test_expect_success 'a long Chinese subject folds into several encoded words, each line at most 76' '
	s=$(printf "很长的主题%.0s" 1 2 3 4 5 6 7 8 9 10 11 12) &&
	tk-new -q -s "$s" -r z@example.com assignee=alice &&
	tk-notify -q --to assignee 4 && m=$(last) &&
	sed -n "/^Subject:/,/^[^ ]/p" $m | sed "\$d" >subj &&
	test "$(wc -l <subj)" -gt 2 &&
	awk "length > 76 { print; bad = 1 } END { exit bad }" subj &&
	test "$(decoded $m Subject)" = "[tk #4] $s"
'

test_expect_success 'threading: one References a ticket, a Message-ID a notice' '
	tk-notify -q --to assignee 2 && tk-notify -q --to alice@example.com 2 &&
	a=mail/$(($(count) - 1)) && b=$(last) &&
	test "$(header $a In-Reply-To)" = "$(header $b In-Reply-To)" &&
	test "$(header $a References)" = "$(header $a In-Reply-To)" &&
	header $a References | grep -E "^<tk\.2\.[0-9a-f]{16}@desk\.example>\$" &&
	test "$(header $a Message-ID)" != "$(header $b Message-ID)" &&
	test "$(header mail/1 References)" = "$(header $a References)" &&
	test "$(header mail/2 References)" != "$(header $a References)"
'

test_expect_success 'no shell: a subject that would run commands stays text, in mail and in a hook' '
	tk-notify -q --to assignee 3 && m=$(last) &&
	test "$(header $m Subject)" = "[tk #3] \$(touch pwned); rm -rf x \`touch pwned2\`" &&
	cat >hook <<-\EOF &&
	#!/bin/sh
	printf "%s\n" "$TK_SUBJECT" >hook.subject
	EOF
	chmod +x hook &&
	tk-notify -q 3 --exec ./hook &&
	echo "\$(touch pwned); rm -rf x \`touch pwned2\`" >expect && test_cmp expect hook.subject &&
	test ! -e pwned && test ! -e pwned2 && test ! -e "$TK_DIR/pwned"
'

test_expect_success 'a line break in a subject adds no header (no Bcc: injection)' '
	tk-new -q -s "$(printf "hello\nBcc: victim@example.org")" -r q@example.com assignee=alice &&
	tk-notify -q --to assignee 5 && m=$(last) &&
	sed "/^\$/q" $m >head &&
	! grep -i "^bcc:" head &&
	test "$(header $m Subject)" = "[tk #5] hello Bcc: victim@example.org"
'

test_expect_success 'recipients: lead of the queue team, watchers, an address; missing ones named, exit 1' '
	tk-agent -q set dave role=lead &&
	test_expect_code 1 tk-notify --to lead 1 >out 2>err &&
	printf "1\tsent\tli.ming@example.cn\n" >expect && test_cmp expect out &&
	test_grep "ticket 1: lead dave has no email (tk-agent set dave email=ADDRESS)" err &&
	tk-set -q watchers=alice,ops@example.com,nobody 1 &&
	test_expect_code 1 tk-notify --to watchers,x@example.com 1 >out 2>err &&
	printf "1\tsent\talice@example.com,ops@example.com,x@example.com\n" >expect && test_cmp expect out &&
	test_grep "watcher nobody is no agent and no address" err &&
	test_expect_code 1 tk-notify --to assignee 1 >out 2>err &&
	printf "1\tskipped\tno assignee\n" >expect && test_cmp expect out &&
	test_grep "ticket 1: no assignee" err &&
	tk-new -q -s "no queue" &&
	test_expect_code 1 tk-notify --to lead 6 2>err >out &&
	test_grep "no lead: the ticket has no queue" err &&
	tk-agent -q set dave role=agent
'

test_expect_success 'a missing ticket: named, the others sent, exit 1' '
	n=$(count) &&
	printf "99\n2\n" | test_expect_code 1 tk-notify --to assignee >out 2>err &&
	printf "99\tskipped\tno such ticket\n2\tsent\talice@example.com\n" >expect && test_cmp expect out &&
	test_grep "ticket 99: no such ticket" err &&
	test "$(count)" = $((n + 1))
'

test_expect_success 'tk-sla records: the columns fill the template; a record twice is sent once' '
	mkdir -p "$TK_DIR/templates" &&
	cp "$TEST_DIR/../examples/templates/"* "$TK_DIR/templates/" &&
	n=$(count) &&
	printf "2\tresolution\t2026-11-22T08:00:00Z\t-5400\tvip\tbreached\t1\n2\tresolution\t2026-11-22T08:00:00Z\t-5400\tvip\tbreached\t1\n2\tresponse\t2026-11-22T09:00:00Z\t-1800\tvip\tbreached\t1\n" |
		tk-notify --to lead --template breach >out &&
	test "$(wc -l <out)" = 2 && test "$(count)" = $((n + 2)) &&
	m=mail/$((n + 1)) &&
	test "$(decoded $m Subject)" = "[tk #2] SLA breached (resolution): 打印机卡纸，无法打印" &&
	body $m >b && test_grep "^  deadline   2026-11-22T08:00:00Z\$" b &&
	test_grep "^  assignee   alice\$" b && test_grep "^  policy     vip\$" b &&
	test "$(decoded $(last) Subject)" = "[tk #2] SLA breached (response): 打印机卡纸，无法打印" &&
	printf "#id\tstate\n2\tbreached\n" | tk-notify -q --to lead --template breach.zh &&
	body $(last) >b && test_grep "^  截止时间  未知\$" b && test_grep "^工单 #2 已超过 SLA 时限。\$" b
'

test_expect_success 'templates: defaults, values never read again, a subject without the tag gets it' '
	printf "Subject: About {{subject}}\n\nProduct: {{product|none}}; {{ queue }}; {{nosuch_col|x}}\n" >t1 &&
	test_expect_code 3 tk-notify --to assignee --template ./t1 2 2>err &&
	test_grep "t1:3: {{nosuch_col}}: no field nosuch_col" err &&
	printf "Subject: About {{subject}}\n\nProduct: {{product|none}}; {{ QUEUE }}.\n" >t1 &&
	tk-new -q -s "{{id}} {{requester}}" assignee=alice product="{{queue}}" &&
	tk-notify -q --to assignee --template ./t1 7 && m=$(last) &&
	test "$(header $m Subject)" = "[tk #7] About {{id}} {{requester}}" &&
	body $m >b && echo "Product: {{queue}}; ." >expect && test_cmp expect b &&
	tk-notify -q --to assignee --template ./t1 2 &&
	body $(last) >b && echo "Product: none; desk." >expect && test_cmp expect b
'

test_expect_success 'templates: errors with file:line, exit 3, nothing queued or sent' '
	n=$(count) &&
	printf "Subject: x\n\n{{subjct}}\n" >"$TK_DIR/templates/typo" &&
	test_expect_code 3 tk-notify --to assignee --template typo 2 2>err &&
	test_grep "templates/typo:3: {{subjct}}: no field subjct; did you mean subject?" err &&
	printf "Subject: x\nFrom: y\n\nz\n" >"$TK_DIR/templates/hdr" &&
	test_expect_code 3 tk-notify --to assignee --template hdr 2 2>err &&
	test_grep "templates/hdr:2: From: not a template header (Subject:, Set:)" err &&
	printf "a {{subject\n" >"$TK_DIR/templates/open" &&
	test_expect_code 3 tk-notify --to assignee --template open 2 2>err &&
	test_grep "templates/open:1: {{ with no }} on its line" err &&
	test_expect_code 3 tk-notify --to assignee --template resolved-printer 2 2>err &&
	test_grep "Set: a canned reply" err &&
	test_expect_code 3 tk-notify --to assignee --template reply 2 2>err &&
	test_grep "{{replies}}: only a --to requester notice" err &&
	test_expect_code 2 tk-notify --to assignee --template breech 2 2>err &&
	test_grep "no such template; did you mean breach?" err &&
	test_expect_code 2 tk-notify --to assignee --template ./no/such/template 2 2>err &&
	test_grep "no/such/template: No such file or directory" err &&
	test "$(count)" = $n && tk-notify --queue >q && test_empty q
'

test_expect_success '--exec: the ticket in the environment, the record on stdin, arguments as given' '
	cat >hook <<-\EOF &&
	#!/bin/sh
	env | grep "^TK_" | sort >hook.env
	cat >hook.in
	printf "%s\n" "$@" >hook.args
	echo "the hook talks"
	EOF
	chmod +x hook &&
	printf "1\tresponse\t2026-11-22T09:00:00Z\n" | tk-notify --exec ./hook "a b" "\$(touch pwned3)" >out 2>err &&
	printf "1\tsent\t./hook\n" >expect && test_cmp expect out &&
	test_grep "the hook talks" err &&
	printf "%s\n" "a b" "\$(touch pwned3)" >expect && test_cmp expect hook.args && test ! -e pwned3 &&
	printf "1\tresponse\t2026-11-22T09:00:00Z\n" >expect && test_cmp expect hook.in &&
	test_grep "^TK_ID=1\$" hook.env && test_grep "^TK_SUBJECT=Printer on floor 3 is broken\$" hook.env &&
	test_grep "^TK_STATUS=new\$" hook.env && test_grep "^TK_PRODUCT=X200\$" hook.env &&
	test_grep "^TK_REQUESTER=bob@example.com\$" hook.env && test_grep "^TK_REQUESTER_NAME=Bob Lee\$" hook.env &&
	test_grep "^TK_METRIC=response\$" hook.env && test_grep "^TK_DEADLINE=2026-11-22T09:00:00Z\$" hook.env &&
	test_grep "^TK_DIR=$TK_DIR\$" hook.env && test_grep "^TK_NOTICE=n[0-9]*\$" hook.env &&
	test_grep "^TK_ASSIGNEE=\$" hook.env && test_grep "^TK_NOW=2026-11-22T09:30:00Z\$" hook.env
'

test_expect_success '--exec: a body with lines keeps them; a header line reaches the hook' '
	printf "line one\nline two\n" | tk-new -q -s multi &&
	cat >hook2 <<-\EOF &&
	#!/bin/sh
	printf "%s" "$TK_BODY" >hook2.body
	cat >hook2.in
	EOF
	chmod +x hook2 &&
	printf "#id\tnote\n8\thi there\n" | tk-notify -q --exec ./hook2 &&
	printf "line one\nline two" >expect && test_cmp expect hook2.body &&
	printf "#id\tnote\n8\thi there\n" >expect && test_cmp expect hook2.in
'

test_expect_success 'a failing sendmail: exit 4, ticket and command named, the notice stays queued' '
	n=$(count) &&
	FAKE_EXIT=75 test_expect_code 4 tk-notify --to assignee 2 >out 2>err &&
	printf "2\tfailed\t$trash/bin/sendmail -t -i: exit 75\n" >expect && test_cmp expect out &&
	test_grep "ticket 2: .*bin/sendmail -t -i: exit 75; left queued (n[0-9]*) for the next run" err &&
	tk-notify --queue >q && test "$(wc -l <q)" = 1 &&
	cut -f2,3,4,7,8 q >got &&
	printf "2\tmail\talice@example.com\t1\t$trash/bin/sendmail -t -i: exit 75\n" >expect && test_cmp expect got &&
	FAKE_EXIT=1 test_expect_code 4 tk-notify --flush >out 2>/dev/null &&
	tk-notify --queue | cut -f7 >got && echo 2 >expect && test_cmp expect got &&
	test "$(count)" = $n
'

test_expect_success 'the next run sends it, with the Message-ID it was queued with, and logs it' '
	q=$(tk-notify --queue | cut -f1) &&
	n=$(count) &&
	tk-notify --to assignee 3 >out &&
	printf "2\tsent\talice@example.com\n3\tsent\talice@example.com\n" >expect && test_cmp expect out &&
	test "$(count)" = $((n + 2)) &&
	header mail/$((n + 1)) Message-ID | grep "^<tk\.2\.${q#n}\." &&
	tk-notify --queue >q && test_empty q &&
	tk-log 2 | grep "	notify	" | tail -n 1 >ev &&
	test_grep "	mail $q to alice@example.com	" ev && test_grep "notify\$" ev
'

test_expect_success 'a failing hook stays queued for a run with the same command line only' '
	printf "#!/bin/sh\nexit 3\n" >bad-hook && chmod +x bad-hook &&
	test_expect_code 4 tk-notify 1 --exec ./bad-hook x >out 2>err &&
	test_grep "ticket 1: ./bad-hook x: exit 3; left queued" err &&
	printf "#!/bin/sh\necho ran >>bad-hook.ran\n" >bad-hook &&
	tk-notify --flush >out && test_empty out && test ! -e bad-hook.ran &&
	tk-notify 2 --exec ./bad-hook y >out && test "$(wc -l <bad-hook.ran)" = 1 &&
	tk-notify --queue | cut -f3,4 >got && printf "exec\t./bad-hook\n" >expect && test_cmp expect got &&
	tk-notify 2 --exec ./bad-hook x >out &&
	printf "1\tsent\t./bad-hook\n2\tsent\t./bad-hook\n" >expect && test_cmp expect out &&
	tk-notify --queue >q && test_empty q
'

test_expect_success 'a hook that cannot run, or runs too long: failed, queued, killed' '
	test_expect_code 4 tk-notify 1 --exec ./no-such-hook 2>err >/dev/null &&
	test_grep "./no-such-hook: cannot run: No such file or directory" err &&
	printf "#!/bin/sh\nsleep 30\n" >slow && chmod +x slow &&
	start=$(date +%s) &&
	test_expect_code 4 tk-notify --timeout 1 1 --exec ./slow 2>err >/dev/null &&
	test $(($(date +%s) - start)) -lt 10 &&
	test_grep "./slow: no answer in 1 s (killed)" err &&
	tk-notify --queue | cut -f4 | sort >got && printf "./no-such-hook\n./slow\n" >expect && test_cmp expect got &&
	for n in $(tk-notify --queue | cut -f1); do tk-notify --drop $n || exit 1; done &&
	tk-notify --queue >q && test_empty q &&
	test_expect_code 1 tk-notify --drop n1 2>err && test_grep "not in the queue" err
'

test_expect_success 'two runs at once: every queued notice sent once' '
	n=$(count) &&
	for i in 1 2 3 4 5 6; do FAKE_EXIT=75 tk-notify -q --to assignee 2 2>/dev/null; done;
	test "$(tk-notify --queue | wc -l)" = 6 &&
	FAKE_SLEEP=0.2 tk-notify -q --flush & FAKE_SLEEP=0.2 tk-notify -q --flush; wait &&
	test "$(count)" = $((n + 6)) &&
	for i in 1 2 3 4 5 6; do header mail/$((n + i)) Message-ID; done | sort -u | wc -l >got &&
	echo 6 >expect && test_cmp expect got &&
	tk-notify --queue >q && test_empty q
'

test_expect_success '--to requester: the agents public replies after the mark, once' '
	tk-comment -q -f alice -m "We are on it." 1 &&
	tk-comment -q -i -f alice -m "internal: call the vendor" 1 &&
	tk-comment -q -f bob@example.com -m "Thanks!" 1 &&
	tk-notify --to requester 1 >out &&
	printf "1\tsent\tbob@example.com\n" >expect && test_cmp expect out &&
	m=$(last) && test "$(header $m To)" = "Bob Lee <bob@example.com>" &&
	test "$(header $m Subject)" = "Re: [tk #1] Printer on floor 3 is broken" &&
	test -z "$(header $m Auto-Submitted)" &&
	body $m >b && echo "We are on it." >expect && test_cmp expect b &&
	tk-notify --to requester 1 >out &&
	printf "1\tskipped\tno new reply\n" >expect && test_cmp expect out &&
	tk-comment -q -f alice -m "Fixed: new toner." 1 &&
	tk-comment -q -f dave -m "And cleaned it." 1 &&
	printf "1\n1\n" | tk-notify -q --to requester --template reply &&
	body $(last) >b && printf "Fixed: new toner.\n\nAnd cleaned it.\n\n--\nThe help desk. Answer this mail to add to ticket #1.\n" >expect &&
	test_cmp expect b
'

test_expect_success '--to requester: a failed send moves no mark, queues no reply twice' '
	tk-comment -q -f alice -m "One more thing." 1 &&
	n=$(count) &&
	FAKE_EXIT=75 test_expect_code 4 tk-notify --to requester 1 >/dev/null 2>&1 &&
	tk-notify --to requester 1 >out 2>&1 &&
	printf "1\tsent\tbob@example.com\n1\tskipped\tno new reply\n" >expect && test_cmp expect out &&
	test "$(count)" = $((n + 1)) && body $(last) >b && echo "One more thing." >expect && test_cmp expect b &&
	tk-notify --to requester 1 >out && printf "1\tskipped\tno new reply\n" >expect && test_cmp expect out
'

test_expect_success '--to requester: no address, new replies: named; none: quiet' '
	tk-new -q -s "by phone" -r "+86 10 1234 5678" &&
	tk-notify --to requester 9 >out 2>err &&
	printf "9\tskipped\tno new reply\n" >expect && test_cmp expect out && test_empty err &&
	tk-comment -q -f alice -m "Called back." 9 &&
	test_expect_code 1 tk-notify --to requester 9 >out 2>err &&
	test_grep "ticket 9: new replies, but requester +86 10 1234 5678 is no address" err
'

test_expect_success 'tk-import moves the mark past the comments it adds' '
	cat >imp.jsonl <<-\EOF &&
	{"external_id": "Z-1", "subject": "imported", "requester": "old@example.com", "comments": [{"author": "agent7", "body": "answered long ago"}, {"author": "agent7", "body": "and again"}]}
	EOF
	tk-import -q --format json imp.jsonl &&
	id=$(tk-ls -a -o id external_id=Z-1) &&
	test "$(tk-ls -a -o comments id=$id)" = 2 &&
	tk-notify --to requester $id >out &&
	printf "$id\tskipped\tno new reply\n" >expect && test_cmp expect out &&
	tk-comment -q -f alice -m "New answer." $id &&
	tk-notify -q --to requester $id && body $(last) >b && echo "New answer." >expect && test_cmp expect b
'

test_expect_success 'tk-comment --template: a canned reply with fields and Set: changes' '
	tk-set -q status=open 2 &&
	tk-comment --template resolved-printer -o id,status,tags 2 >out &&
	printf "2\tresolved\tprinter\n" >expect && test_cmp expect out &&
	tk-show 2 >show && test_grep "^Hello 王磊,\$" show &&
	test_grep "your request \"打印机卡纸，无法打印\" (ticket #2) is solved" show &&
	tk-comment --template resolved-printer.zh -o id,status 1 >out &&
	printf "1\tresolved\n" >expect && test_cmp expect out &&
	tk-show 1 >show && test_grep "^Bob Lee好：\$" show &&
	echo 3 | tk-comment -q --template "$TK_DIR/templates/resolved-printer" &&
	tk-ls -a -o status id=3 >out && echo resolved >expect && test_cmp expect out
'

test_expect_success 'tk-comment --template: refused before anything is written' '
	tk-log >before &&
	printf "Set: stauts=open\n\nx\n" >"$TK_DIR/templates/c1" &&
	test_expect_code 3 tk-comment --template c1 2 2>err &&
	test_grep "templates/c1:1: Set: stauts: no field stauts; did you mean status?" err &&
	printf "Subject: s\n\nx\n" >"$TK_DIR/templates/c2" &&
	test_expect_code 3 tk-comment --template c2 2 2>err && test_grep "a reply has none" err &&
	printf "Set: +x\n\n" >"$TK_DIR/templates/c3" &&
	test_expect_code 3 tk-comment --template c3 2 2>err && test_grep "no text after its header lines" err &&
	printf "Hi {{requestr}}\n" >"$TK_DIR/templates/c4" &&
	test_expect_code 3 tk-comment --template c4 2 2>err &&
	test_grep "templates/c4:1: {{requestr}}: no field requestr; did you mean requester?" err &&
	test_expect_code 2 tk-comment --template resolved 2 2>err &&
	test_grep "no such template; did you mean" err &&
	test_expect_code 2 tk-comment --template breach -m x 2 2>err && test_grep "choose one" err &&
	printf "Set: status=bogus\n\nx\n" >"$TK_DIR/templates/c5" &&
	test_expect_code 3 tk-comment --template c5 2 2>err &&
	tk-log >after && test_cmp before after
'

test_expect_success 'quoted-printable for a line longer than 998 bytes' '
	awk "BEGIN { for (i = 0; i < 1200; i++) printf \"x\"; print \"\" }" | tk-new -q -s long assignee=alice &&
	printf "Subject: long\n\n{{body}}\n" >"$TK_DIR/templates/long" &&
	id=$(tk-ls -o id subject=long) &&
	tk-notify -q --to assignee --template long $id && m=$(last) &&
	test "$(header $m Content-Transfer-Encoding)" = quoted-printable &&
	body $m | awk "length > 76 { bad = 1 } END { exit bad }" &&
	body $m | perl -MMIME::QuotedPrint -0777 -ne "print decode_qp(\$_)" | tr -d "\n" | wc -c >got &&
	echo 1200 >expect && test_cmp expect got
'

test_expect_success '--during: held outside the hours, sent by the first run after the opening' '
	printf "calendar office Asia/Shanghai\nhours office Mon-Fri 09:00-12:00 13:00-18:00\n" >"$TK_DIR/calendars" &&
	n=$(count) &&
	tk-notify --to assignee --during office 2 >out &&
	printf "2\theld\t2026-11-23T01:00:00Z\n" >expect && test_cmp expect out &&
	tk-notify --queue | cut -f2,5 >got && printf "2\t2026-11-23T01:00:00Z\n" >expect && test_cmp expect got &&
	TK_NOW=2026-11-23T00:59:59Z tk-notify --flush >out && test_empty out && test "$(count)" = $n &&
	TK_NOW=2026-11-23T00:59:59Z tk-notify --to assignee --during office 3 >out &&
	printf "3\theld\t2026-11-23T01:00:00Z\n" >expect && test_cmp expect out &&
	TK_NOW=2026-11-23T01:00:00Z tk-notify --to assignee --during office 4 >out &&
	printf "2\tsent\talice@example.com\n3\tsent\talice@example.com\n4\tsent\talice@example.com\n" >expect &&
	test_cmp expect out && test "$(count)" = $((n + 3)) &&
	test "$(header mail/$((n + 1)) Date)" = "Mon, 23 Nov 2026 01:00:00 +0000" &&
	tk-notify --queue >q && test_empty q
'

test_expect_success '--during: at lunch a hook waits for 13:00; within the hours it runs at once' '
	printf "#!/bin/sh\necho \$TK_ID >>during.ran\n" >dhook && chmod +x dhook &&
	TK_NOW=2026-11-23T04:30:00Z tk-notify 1 --during office --exec ./dhook >out &&
	printf "1\theld\t2026-11-23T05:00:00Z\n" >expect && test_cmp expect out && test ! -e during.ran &&
	TK_NOW=2026-11-23T05:00:00Z tk-notify --flush >out && test_empty out && test ! -e during.ran &&
	TK_NOW=2026-11-23T05:00:00Z tk-notify 2 --during office --exec ./dhook >out &&
	printf "1\tsent\t./dhook\n2\tsent\t./dhook\n" >expect && test_cmp expect out &&
	printf "1\n2\n" >expect && test_cmp expect during.ran
'

test_expect_success '--during: an unknown calendar is a usage error, a broken file 3; 24x7 always open' '
	test_expect_code 2 tk-notify --to assignee --during ofice 2 2>err &&
	test_grep "no such calendar; did you mean office?" err &&
	tk-notify -q --to assignee --during 24x7 2 &&
	printf "calendar office Mars/Olympus\nhours office Mon 09:00-10:00\n" >"$TK_DIR/calendars" &&
	test_expect_code 3 tk-notify --to assignee --during office 2 2>err &&
	test_grep "calendars:1:" err &&
	rm "$TK_DIR/calendars" && tk-notify --queue >q && test_empty q
'

test_expect_success 'bad input: usage errors exit 2, bad records 3, a dry-run stream 3' '
	test_expect_code 2 tk-notify 1 2>err && test_grep "say whom to notify" err &&
	test_expect_code 2 tk-notify --to leed 1 2>err && test_grep "did you mean lead?" err &&
	test_expect_code 2 tk-notify --to requester,lead 1 2>err && test_grep "requester alone" err &&
	test_expect_code 2 tk-notify --to lead 1 --exec ./hook 2>err && test_grep "choose one" err &&
	test_expect_code 2 tk-notify --timeout 0 --to lead 1 2>err && test_grep "not a number of seconds" err &&
	test_expect_code 2 tk-notify --drop 5 2>err && test_grep "not a notice" err &&
	test_expect_code 2 tk-notify --flush 1 2>err && test_grep "takes no ticket ids" err &&
	test_expect_code 2 tk-notify --exec 2>err && test_grep "give the command" err &&
	printf "4x\nc12\n2\n" | test_expect_code 3 tk-notify -q --to assignee 2>err &&
	test_grep "stdin:1: 4x: not a ticket id" err && test_grep "stdin:2: c12: not a ticket, skipped" err &&
	printf "#dry-run\n#id\n2\n" | test_expect_code 3 tk-notify --to assignee 2>err &&
	test_grep "a dry-run stream" err &&
	echo "bogus 1" >"$TK_DIR/config" &&
	test_expect_code 3 tk-notify --to assignee 2 2>err && test_grep "config:1: bogus: unknown setting" err &&
	echo "from not an address" >"$TK_DIR/config" &&
	test_expect_code 3 tk-notify --to assignee 2 2>err && test_grep "config:1: from not an address: not an address" err &&
	rm "$TK_DIR/config"
'

test_expect_success 'no from in config: the Unix user at this host' '
	tk-notify -q --to assignee 2 &&
	header $(last) From | grep "^$(id -un)@" &&
	header $(last) Message-ID | grep "@$(hostname)>\$"
'

test_expect_success 'a long input, in chunks of 1000 notices: each ticket once, in order' '
	awk "BEGIN { print \"subject\tassignee\"; for (i = 1; i <= 1005; i++) printf \"bulk %d\talice\n\", i }" |
		tk-new -q -b -d big &&
	tk-agent -q -d big add alice email=alice@example.com &&
	{ tk-ls -d big -t -o id; tk-ls -d big -t -o id; } |
		TK_SENDMAIL="dd of=/dev/null status=none" tk-notify -d big --to assignee >out &&
	test "$(wc -l <out)" = 1005 && test "$(cut -f2 out | sort -u)" = sent &&
	cut -f1 out >got && tk-ls -d big -t -o id >expect && test_cmp expect got &&
	tk-notify -d big --queue >q && test_empty q
'

test_expect_success 'no store: refused, none made' '
	TK_DIR=$trash/none test_expect_code 4 tk-notify --to assignee 1 2>err &&
	test ! -e none && test_grep "no tk store here" err
'

test_done
