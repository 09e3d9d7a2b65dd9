#!/bin/sh
# tk-route: rules files, first match, --all, continue and stop, --explain,
# --stats, --dry-run and its stream, broken rules files, a regex that
# backtracks without end, and routing at intake (tk-new, tk-import, config).
. "$(dirname "$0")/lib.sh"
declare_fields "$TK_DIR" product

cat >"$TK_DIR/rules" <<'EOF'
# routing rules of the test store
rule vpn
  match subject~(?i)\bvpn\b|断线|远程办公
  match body~(?i)virtual\s+private\s+network
  set queue=network category=vpn +vpn
rule vip
  match requester~@bigcorp\.example$
  set priority=P1 +vip
  continue
rule printer
  match subject~(?i)打印机|printer|toner
  set category=hardware queue=desk +printer
rule zh
  match script=han
  set +zh product=cn
EOF

test_expect_success 'setup: tickets in Chinese and English' '
	tk-new -q -s "VPN 断线" -r boss@bigcorp.example -m "我的VPN连接不上，总是掉线。" &&
	tk-new -q -s "Printer jam" -r a@bigcorp.example -m "The printer on floor 3 is jammed." &&
	tk-new -q -s "打印机卡纸" -m "三楼的打印机又卡纸了" &&
	tk-new -q -s "hello" -r x@elsewhere.example -m "nothing to route" &&
	tk-new -q -s "Remote access" -r y@elsewhere.example -m "Our Virtual  Private Network client fails" &&
	tk-new -q -s "远程办公 VPN" -r z@bigcorp.example -m "在家办公" &&
	tk-export --format json --with comments,history | md5sum >before
'

test_expect_success 'the script field: han, latin, mixed, and in filters' '
	tk-ls -a -t -o id,script >out &&
	printf "1\thanx\n" >/dev/null &&
	printf "1\than\n2\tlatin\n3\than\n4\tlatin\n5\tlatin\n6\than\n" >expect && test_cmp expect out &&
	tk-ls -a -t -o id script=han >out && printf "1\n3\n6\n" >expect && test_cmp expect out &&
	test_expect_code 2 tk-ls script=hna 2>err && test_grep "not a script (han, latin, mixed)" err
'

test_expect_success '--dry-run with -o: what each rule would set, first match only' '
	tk-route --dry-run -o id,queue,category,tags,priority 1 2 3 4 5 6 >out &&
	printf "%s\n" "1	network	vpn	vpn	P3" "2	desk	hardware	printer,vip	P1" "3	desk	hardware	printer	P3" \
	    "5	network	vpn	vpn	P3" "6	network	vpn	vpn	P3" >expect &&
	test_cmp expect out
'

test_expect_success '--dry-run wrote nothing: the export is the same to the byte' '
	tk-export --format json --with comments,history | md5sum >after && test_cmp before after &&
	tk-log >log && ! grep -q route: log
'

test_expect_success '--all: every rule that matches; continue goes on without it' '
	tk-route --dry-run --all -o id,queue,category,tags,product 1 3 6 >out &&
	printf "%s\n" "1	desk	hardware	printer,vip,vpn,zh	cn" >/dev/null &&
	printf "%s\n" "1	network	vpn	vip,vpn,zh	cn" "3	desk	hardware	printer,zh	cn" \
	    "6	network	vpn	vip,vpn,zh	cn" >expect &&
	test_cmp expect out
'

test_expect_success 'stop ends routing even with --all' '
	cat >stop.rules <<-EOF &&
	rule one
	  match *
	  set +one
	  stop
	rule two
	  match *
	  set +two
	EOF
	tk-route --dry-run --all -o id,tags stop.rules 4 >out && printf "4\tone\n" >expect && test_cmp expect out
'

test_expect_success 'ids from a pipe: every ticket goes on, routed or not; as arguments: the changed ones' '
	tk-ls -a -t -o id | tk-route -o id,queue >out &&
	printf "1\tnetwork\n2\tdesk\n3\tdesk\n4\t\n5\tnetwork\n6\tnetwork\n" >expect && test_cmp expect out &&
	tk-route -o id 1 2 3 4 >out && test_empty out
'

test_expect_success 'every change is logged via route:RULE; tk-show history says so' '
	tk-log 2 >log && test_grep "	priority	P3	P1	.*	route:vip\$" log &&
	test_grep "	queue		desk	.*	route:printer\$" log &&
	tk-show 1 >show && test_grep "queue  network  (via route:vpn)" show
'

test_expect_success '--explain: the rule, the field, the text it matched, what it set' '
	tk-new -q -s "VPN again" -r q@bigcorp.example &&
	tk-route --explain -q 7 2>err &&
	test_grep "ticket 7: rule vpn (line 3) matched: subject~(?i)\\\\bvpn\\\\b|断线|远程办公 on subject: \"VPN\"" err &&
	test_grep "ticket 7: rule vpn set queue=network category=vpn +vpn: category \"\" -> \"vpn\", queue \"\" -> \"network\", tags \"\" -> \"vpn\"" err &&
	tk-route --explain --dry-run -q 4 2>err && test_grep "ticket 4: no rule matched" err
'

test_expect_success '--stats: per rule, tickets matched and fields changed' '
	cat >stats.rules <<-EOF &&
	rule zh
	  match script=han
	  set +chinese
	rule rest
	  match *
	  set +other
	EOF
	tk-ls -a -t -o id | tk-route --dry-run --stats -H stats.rules >out &&
	printf "%s\n" "#rule	matched	changed	fields" "zh	3	3	tags:3" "rest	4	4	tags:4" "-	0	0	" >expect &&
	test_cmp expect out &&
	tk-ls -a -t -o id | tk-route --dry-run --stats --json stats.rules >out &&
	test_grep "{\"rule\":\"zh\",\"matched\":3,\"changed\":3,\"fields\":\"tags:3\"}" out
'

test_expect_success 'a dry-run stream: the next --dry-run step sees what the last would have set' '
	tk-new -q -s "打印机没墨了" &&
	tk-ls -t -o id id=8 | tk-route --dry-run >stream &&
	head -1 stream >first && echo "#dry-run" >expect && test_cmp expect first &&
	sed -n 2p stream | grep -q "^#id	created	updated	status	priority" &&
	tk-route --dry-run --all -o id,queue,tags stats.rules <stream >out &&
	printf "8\tdesk\tchinese,other,printer\n" >expect && test_cmp expect out &&
	tk-ls -a -t -o queue id=8 >out && echo >expect && test_cmp expect out
'

test_expect_success 'a command without --dry-run refuses a dry-run stream (exit 3)' '
	test_expect_code 3 tk-route <stream 2>err && test_grep "dry-run stream" err &&
	test_expect_code 3 tk-set +x <stream 2>err && test_grep "only a --dry-run command reads it" err &&
	tk-ls -a -t -o tags id=8 >out && echo >expect && test_cmp expect out
'

test_expect_success 'broken rules files: every error with file:line:column and its text, nothing routed (exit 3)' '
	cat >bad.rules <<-EOF &&
	rule ok
	  match subject~fine
	  set queue=x
	rule bad
	  match subjcet~vpn body~(?i)打印(机
	  set prodcut=x priority=P9
	tiers vip gold
	rule ok
	  match status=opne
	  frobnicate
	  set +a
	rule empty
	EOF
	tk-export --format json --with comments,history | md5sum >before &&
	test_expect_code 3 tk-route bad.rules 1 2 2>err &&
	test_grep "^tk-route: bad.rules:5:9: subjcet~vpn: no field subjcet; did you mean subject?" err &&
	test_grep "^tk-route: bad.rules:5:34: body~(?i)打印(机: bad regex at offset 14: missing closing parenthesis" err &&
	test_grep "^tk-route: bad.rules:6:7: prodcut=x: no field prodcut; did you mean product?" err &&
	test_grep "^tk-route: bad.rules:6:17: priority=P9: not a priority" err &&
	test_grep "^tk-route: bad.rules:7:1: tiers: unknown statement" err &&
	test_grep "^tk-route: bad.rules:8:6: ok: a second rule of this name (the first is on line 1)" err &&
	test_grep "^tk-route: bad.rules:9:9: status=opne: \"opne\" is not a status" err &&
	test_grep "^tk-route: bad.rules:10:3: frobnicate: unknown statement (match, set, continue, stop)" err &&
	test_grep "^tk-route: bad.rules:12:1: rule empty: no match line" err &&
	test_grep "^tk-route: bad.rules: 9 errors: nothing routed" err &&
	tk-export --format json --with comments,history | md5sum >after && test_cmp before after &&
	test_expect_code 3 tk-route no-such.rules 1 2>err && test_grep "no-such.rules: no such rules file" err &&
	test_expect_code 2 tk-route bad.rules x 2>err && test_grep "x: not a ticket id" err
'

test_expect_success 'a regex that backtracks without end on a 1 MB body: warned, no match there, other rules go on' '
	awk "BEGIN { s = \"a\"; while (length(s) < 1048576) s = s s; print s \"!\" }" >big &&
	tk-new -q -s "big one" <big &&
	cat >slow.rules <<-EOF &&
	rule slow
	  match body~(a|aa)+\$
	  set +slow
	rule next
	  match subject~big
	  set +next
	EOF
	tk-route -o id,tags slow.rules 9 >out 2>err &&
	printf "9\tnext\n" >expect && test_cmp expect out &&
	test_grep "rule slow: body~(a|aa)+\\\$: regex gave up on ticket 9: .*limit" err
'

test_expect_success 'a rule the ticket refuses is said, the others apply, exit 3' '
	tk-set -q status=closed 4 &&
	cat >refuse.rules <<-EOF &&
	rule reopen
	  match *
	  set status=new
	  continue
	rule tag
	  match *
	  set +seen
	EOF
	test_expect_code 3 tk-route -o id,status,tags refuse.rules 4 >out 2>err &&
	test_grep "ticket 4: rule reopen: status closed -> new is not allowed" err &&
	printf "4\tclosed\tseen\n" >expect && test_cmp expect out
'

test_expect_success 'many tickets (prefilter, JIT) route as one at a time does' '
	i=0 && while [ $i -lt 30 ]; do
		tk-new -q -s "ticket $i $(test $((i % 3)) = 0 && echo VPN || echo 打印机)" -r "u$i@bigcorp.example"; i=$((i + 1))
	done &&
	tk-ls -a -t -o id id=10.. >ids &&
	tk-route --dry-run --all -o id,queue,tags,priority <ids >bulk &&
	xargs -n 5 tk-route --dry-run --all -o id,queue,tags,priority <ids >one &&
	test_cmp bulk one && test $(wc -l <bulk) = 30
'

test_expect_success 'intake: tk-new --route routes in the creating transaction, via route:RULE' '
	id=$(tk-new --route -s "VPN 断线了" -r w@corp.example) &&
	tk-ls -a -t -o queue,tags id=$id >out && printf "network\tvpn,zh\n" >/dev/null &&
	printf "network\tvpn\n" >expect && test_cmp expect out &&
	tk-log $id >log && test_grep "	queue		network	.*	route:vpn\$" log &&
	id=$(tk-new -s "VPN 断线了") && tk-ls -a -t -o queue id=$id >out && echo >expect && test_cmp expect out
'

test_expect_success 'intake: the second run of a checked file builds rules when needed, the same answer' '
	id=$(tk-new --route -s "printer out of toner" -r p@bigcorp.example) &&
	tk-ls -a -t -o queue,priority,tags id=$id >out && printf "desk\tP1\tprinter,vip\n" >expect && test_cmp expect out &&
	mdb_dump -s meta -p "$TK_DIR" | grep -q rules_checked
'

test_expect_success 'intake: a broken rules file makes nothing (exit 3), even after a checked one' '
	cp "$TK_DIR/rules" good.rules &&
	echo "  set stauts=open" >>"$TK_DIR/rules" &&
	n=$(tk-ls -a -t -o id | wc -l) &&
	test_expect_code 3 tk-new --route -s "VPN" 2>err && test_grep "rules:16:7: stauts=open: no field stauts; did you mean status?" err &&
	test $(tk-ls -a -t -o id | wc -l) = $n &&
	cp good.rules "$TK_DIR/rules"
'

test_expect_success 'route-on-create in config: tk-new, tk-new -b and tk-import route' '
	echo "route-on-create yes" >"$TK_DIR/config" &&
	id=$(tk-new -s "printer broken") && tk-ls -a -t -o queue id=$id >out && echo desk >expect && test_cmp expect out &&
	printf "subject\tbody\nvpn down\tx\nhello\ty\n" | tk-new -b >ids &&
	tk-ls -a -t -o queue - <ids >out && printf "network\n\n" >expect && test_cmp expect out &&
	printf "external_id,subject\nE1,toner empty\nE2,nothing\n" >in.csv &&
	tk-import -q in.csv && tk-ls -a -t -o queue,tags external_id=E1 >out && printf "desk\tprinter\n" >expect &&
	test_cmp expect out && tk-log >log && test_grep "	route:printer\$" log
'

test_expect_success 'config: unknown keys and later ones refused with file:line (exit 3)' '
	printf "route-on-create yes\ntiers vip gold\n" >"$TK_DIR/config" &&
	test_expect_code 3 tk-new -s x 2>err && test_grep "config:2: tiers: not implemented yet" err &&
	printf "route-on-create maybe\n" >"$TK_DIR/config" &&
	test_expect_code 3 tk-import in.csv 2>err && test_grep "config:1: route-on-create maybe: yes or no" err &&
	printf "bogus 1\n" >"$TK_DIR/config" &&
	test_expect_code 3 tk-new -s x 2>err && test_grep "config:1: bogus: unknown setting" err &&
	rm "$TK_DIR/config" &&
	rm "$TK_DIR/rules" && test_expect_code 3 tk-new --route -s x 2>err && test_grep "no rules file" err &&
	cp good.rules "$TK_DIR/rules"
'

test_expect_success 'examples/rules.conf is a good rules file: Chinese and English tickets routed' '
	printf "1\n2\n3\n4\n" | tk-route --dry-run -o id,queue,category "$TEST_DIR/../examples/rules.conf" >out &&
	printf "1\tnetwork\tvpn\n2\thw-depot\tprinter\n3\thw-depot\tprinter\n4\ttriage\t\n" >expect &&
	test_cmp expect out
'

test_expect_success '--rule: only the rules named; an unknown one refused with the nearest' '
	tk-route --dry-run --rule zh -o id,tags 3 >out && printf "3\tprinter,zh\n" >expect && test_cmp expect out &&
	test_expect_code 2 tk-route --rule vpm 1 2>err && test_grep "no such rule; did you mean vpn?" err
'

test_expect_success 'a new store with --route: rules checked before it is made' '
	mkdir fresh && printf "rule r\n  match subject~(\n  set +x\n" >fresh/rules &&
	test_expect_code 3 tk-new -d fresh --route -s x 2>err && test_grep "rules:2:18: subject~(: bad regex" err &&
	! test -e fresh/data.mdb
'

test_done
