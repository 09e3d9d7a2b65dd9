#!/bin/sh
# tk-contact: contacts made and matched at intake, second identities,
# free-mail and sub-domain orgs, phones however written, tiers by rank, a
# contact moving org with open and closed tickets, merge and unmerge
# compared field by field, the lookup program failing, hanging and
# printing garbage, imports run again, and bad input.
. "$(dirname "$0")/lib.sh"

# fields FILE: every contact and ticket as records, the times of changes
# left out (for comparing a store before and after).
fields() {
	tk-contact ls -a -t -o id,name,emails,phones,org,tier,lang,external_id,merged_into >"$1" &&
	tk-ls -a -t -o id,status,requester,contact,org,tier,queue,tags,updated >>"$1"
}

test_expect_success 'setup: orgs, one with a sub-domain of its own' '
	tk-org -q add initech name=Initech domains=initech.io tier=vip queue=key-accounts &&
	tk-org -q add initech-eu name="Initech Europe" domains=eu.initech.io tier=gold &&
	tk-org -q add globex name="Globex 环球有限公司" domains=globex.net,globex.cn tier=standard +manufacturing
'

test_expect_success 'a new requester becomes a contact: named from Name <addr>, org by its domain' '
	tk-new -s "VPN 断线" -r "Wang Li <Wang.Li@Initech.io>" >id &&
	test "$(cat id)" = 1 &&
	tk-ls -t -o id,requester,requester_name,contact,org,tier,queue 1 >out &&
	printf "1\twang.li@initech.io\tWang Li\tc1\tinitech\tvip\tkey-accounts\n" >expect &&
	test_cmp expect out &&
	tk-contact ls -t -o id,name,emails,org,tier,tickets,open,last_contact >out &&
	printf "c1\tWang Li\twang.li@initech.io\tinitech\t\t1\t1\t2026-11-22T09:30:00Z\n" >expect &&
	test_cmp expect out
'

test_expect_success 'a known address gives its contact; no second contact' '
	tk-new -q -s again -r wang.li@initech.io &&
	tk-ls -t -o contact 2 >out && echo c1 >expect && test_cmp expect out &&
	test "$(tk-contact ls -t | wc -l)" -eq 1
'

test_expect_success 'a sub-domain has its own org; free mail never has one' '
	tk-new -q -s eu -r anna@eu.initech.io &&
	tk-new -q -s deep -r bob@mail.eu.initech.io &&
	tk-new -q -s home -r someone@gmail.com &&
	tk-new -q -s qq -r 张三@qq.com &&
	tk-new -q -s vip-qq -r x@vip.qq.com &&
	tk-ls -t -o id,org,tier 3 4 5 6 7 >out &&
	printf "3\tinitech-eu\tgold\n4\tinitech-eu\tgold\n5\t\t\n6\t\t\n7\t\t\n" >expect &&
	test_cmp expect out
'

test_expect_success 'free-mail in config adds a domain; an org may not claim one' '
	echo "free-mail example-mail.cn" >"$TK_DIR/config" &&
	test_expect_code 3 tk-org add bad domains=example-mail.cn 2>err &&
	test_grep "example-mail.cn is a free-mail domain" err &&
	test_expect_code 3 tk-org add bad2 domains=gmail.com 2>err &&
	test_grep "gmail.com is a free-mail domain" err &&
	test_expect_code 1 tk-org ls key=bad &&
	rm "$TK_DIR/config"
'

test_expect_success 'tk-contact add: Name <addr>, org by domain unless given; prints the id' '
	tk-contact add "Pat Doe <pat@gmail.com>" org=globex tier=gold >id &&
	echo c7 >expect && test_cmp expect id &&
	tk-contact add "Carol <carol@globex.cn>" phone="+86 138 0013 8000" lang=zh >id &&
	echo c8 >expect && test_cmp expect id &&
	tk-contact ls -t -o id,org,tier,phones,lang org=globex >out &&
	printf "c7\tglobex\tgold\t\t\nc8\tglobex\t\t+86 138 0013 8000\tzh\n" >expect &&
	test_cmp expect out
'

test_expect_success 'a second identity: a ticket from it is the same contact, and a reply from it reopens' '
	tk-contact set wang.li@initech.io +email=wli@gmail.com tier=vip >out &&
	echo c1 >expect && test_cmp expect out &&
	tk-new -s "from home" -r wli@gmail.com >id &&
	tk-ls -t -o contact,org,tier "$(cat id)" >out &&
	printf "c1\tinitech\tvip\n" >expect && test_cmp expect out &&
	tk-set -q status=pending 1 &&
	tk-comment -q -f wli@gmail.com -m "still down" 1 &&
	tk-ls -t -o status 1 >out && echo open >expect && test_cmp expect out
'

test_expect_success 'phones: one number however written, found by any form' '
	echo "phone-country 86" >"$TK_DIR/config" &&
	tk-contact set c8 +phone="(010) 6552-9988" &&
	for p in "+86 138-0013-8000" 008613800138000 +8613800138000 "138 0013 8000" 13800138000; do
		tk-contact find "$p" -t -o id >out 2>err || { echo "find $p"; cat err; exit 1; }
		echo c8 >expect && test_cmp expect out || exit 1
	done &&
	tk-contact find -t -o id "010 6552 9988" >out && echo c8 >expect && test_cmp expect out &&
	tk-contact find -t -o id "+86 10 6552 9988" >out && test_cmp expect out &&
	tk-contact ls -t -o id phone=13800138000 >out && test_cmp expect out &&
	rm "$TK_DIR/config"
'

test_expect_success 'find: by a name, any address, an id; nothing found is exit 1' '
	tk-contact find -t -o id "wang l" >out && echo c1 >expect && test_cmp expect out &&
	tk-contact find -t -o id WLI@GMAIL.COM >out && test_cmp expect out &&
	tk-contact find -t -o id c1 >out && test_cmp expect out &&
	test_expect_code 1 tk-contact find nobody-at-all 2>err &&
	test_grep "no contact found" err
'

test_expect_success 'a phone requester: its contact by the number' '
	tk-new -q -s "called in" -r "+86 138 0013 8000" channel=phone &&
	tk-ls -t -o contact,org channel=phone >out &&
	printf "c8\tglobex\n" >expect && test_cmp expect out
'

test_expect_success 'tiers sort by their rank, not by name; the config changes the order' '
	tk-ls -t -o id,tier -s tier,id id=1,3,5,8 >out &&
	printf "1\tvip\n8\tvip\n3\tgold\n5\t\n" >expect && test_cmp expect out &&
	tk-ls -t -o id,tier -s -tier id=1,3 >out &&
	printf "3\tgold\n1\tvip\n" >expect && test_cmp expect out &&
	echo "tiers gold vip standard" >"$TK_DIR/config" &&
	tk-ls -t -o id -s tier,id id=1,3 >out && printf "3\n1\n" >expect && test_cmp expect out &&
	rm "$TK_DIR/config"
'

test_expect_success 'org= and tier= are filters, from the working set and the indexes alike' '
	tk-ls -t -o id org=initech >out && printf "1\n2\n8\n" >expect && test_cmp expect out &&
	tk-set -q status=closed 2 &&
	tk-ls -a -t -o id org=initech tier=vip >out && test_cmp expect out &&
	tk-ls -a -t -o id org=initech-eu,globex >out && printf "3\n4\n9\n" >expect && test_cmp expect out &&
	tk-ls -a -t -o id contact=c1 >out && printf "1\n2\n8\n" >expect && test_cmp expect out &&
	tk-ls -a -t -o id "tier!=vip" org=initech-eu >out && printf "3\n4\n" >expect && test_cmp expect out &&
	tk-set -q status=closed 6 &&
	tk-ls -a -t -o id,status org= id=3..7 >out && printf "5\tnew\n6\tclosed\n7\tnew\n" >expect && test_cmp expect out &&
	tk-ls -a -t -o id org=,initech-eu id=3..7 >out && printf "3\n4\n5\n6\n7\n" >expect && test_cmp expect out
'

test_expect_success 'contact, org and tier are not assigned to tickets (they follow the contact)' '
	test_expect_code 2 tk-set org=globex 1 2>err &&
	test_grep "org: follows the requester.s contact" err &&
	test_expect_code 2 tk-new -s x tier=vip 2>err &&
	test_grep "tier: follows" err
'

test_expect_success 'a contact moving org: its open and paused tickets follow, closed ones keep theirs' '
	tk-new -q -s paused -r wang.li@initech.io && tk-set -q status=pending 10 &&
	tk-new -q -s done -r wang.li@initech.io && tk-set -q status=resolved 11 &&
	tk-ls -a -t -o id,updated contact=c1 >before &&
	tk-contact set c1 org=globex tier= >/dev/null &&
	tk-ls -a -t -o id,status,org,tier contact=c1 >out &&
	printf "1\topen\tglobex\tstandard\n2\tclosed\tinitech\tvip\n8\tnew\tglobex\tstandard\n10\tpending\tglobex\tstandard\n11\tresolved\tinitech\tvip\n" >expect &&
	test_cmp expect out &&
	tk-ls -a -t -o id,updated contact=c1 >after &&
	test_cmp before after &&
	tk-log -t 10 | grep "	org	" >log &&
	test_grep "initech	globex	[0-9]*	contact$" log &&
	tk-ls -a -t -o id org=initech >out && printf "2\n11\n" >expect && test_cmp expect out
'

test_expect_success 'an org changing tier: the open tickets of members with no tier of their own follow' '
	tk-contact set c8 tier=gold >/dev/null &&
	tk-new -q -s "carol asks" -r carol@globex.cn &&
	tk-org set globex tier=gold >/dev/null &&
	tk-ls -t -o id,tier 1 8 10 12 >out &&
	printf "1\tgold\n8\tgold\n10\tgold\n12\tgold\n" >expect && test_cmp expect out &&
	tk-org set globex tier=vip >/dev/null &&
	tk-ls -a -t -o id,tier 1 8 10 11 12 >out &&
	printf "1\tvip\n8\tvip\n10\tvip\n11\tvip\n12\tgold\n" >expect && test_cmp expect out
'

test_expect_success 'events keyed by the contact: tk-log c1' '
	tk-log -t c1 >out &&
	test_grep "^c1	.*	create		" out &&
	test_grep "^c1	.*	emails	wang.li@initech.io	wang.li@initech.io,wli@gmail.com	" out &&
	test_grep "^c1	.*	org	initech	globex	" out &&
	! grep -v "^c1	" out
'

test_expect_success 'tk-show: the customer line above the ticket' '
	tk-show 8 >out &&
	head -n 1 out >line &&
	echo "Customer: Wang Li (c1), org globex (Globex 环球有限公司), tier vip; 3 open; last #11 #10 #2" >expect &&
	test_cmp expect line
'

test_expect_success 'show: the profile, counts by status, CSAT, medians; --json' '
	tk-set -q csat=4 first_response=2026-11-22T10:30:00Z 2 &&
	tk-set -q csat=5 11 &&
	tk-contact show c1 >out &&
	test_grep "^Contact c1: Wang Li$" out &&
	test_grep "^emails  *wang.li@initech.io,wli@gmail.com$" out &&
	test_grep "^org  *globex (Globex 环球有限公司)$" out &&
	test_grep "^tier  *vip (the org.s)$" out &&
	test_grep "^tickets  *5: new 1, open 1, pending 1, resolved 1, closed 1$" out &&
	test_grep "^csat  *4.50 (2 rated)$" out &&
	test_grep "^frt median  *1h$" out &&
	test_grep "^--- last tickets$" out &&
	tk-contact show --json wli@gmail.com >out &&
	test_grep "\"id\":\"c1\"" out &&
	test_grep "\"by_status\":{\"new\":1,\"open\":1,\"pending\":1,\"resolved\":1,\"closed\":1}" out &&
	test_grep "\"csat_mean\":4.50" out &&
	test_grep "\"last_tickets\":\[11,10,8,2,1\]" out &&
	test_expect_code 1 tk-contact show nobody@nowhere.example 2>err &&
	test_grep "no such contact" err
'

test_expect_success 'ls: filters, records, -H, --json; merged ones with -a' '
	tk-contact ls -H -o id,name org=globex >out &&
	printf "#id\tname\nc1\tWang Li\nc7\tPat Doe\nc8\tCarol\n" >expect && test_cmp expect out &&
	tk-contact ls -t -o id "name~^wang" >out && echo c1 >expect && test_cmp expect out &&
	tk-contact ls -t -o id tickets=3.. >out && test_cmp expect out &&
	tk-contact ls --json -o id,tickets id=c1 >out &&
	test_grep "{\"id\":\"c1\",\"tickets\":5}" out &&
	test_expect_code 1 tk-contact ls org=nosuch &&
	test_expect_code 2 tk-contact ls nosuchfield=1 2>err && test_grep "no field nosuchfield" err
'

test_expect_success 'merge into oneself, into a merged contact, across orgs: refused, nothing written' '
	fields before &&
	test_expect_code 3 tk-contact merge c1 into wli@gmail.com 2>err &&
	test_grep "not merged into itself" err &&
	test_expect_code 3 tk-contact merge c7 into c3 2>err &&
	test_grep "c7 is of org globex, c3 of org initech-eu: --force" err &&
	fields after && test_cmp before after
'

test_expect_success 'merge and unmerge: every field of contacts and tickets as before' '
	tk-new -q -s "home one" -r someone@gmail.com &&
	tk-new -q -s "home two" -r someone@gmail.com && tk-set -q status=closed 14 &&
	fields before &&
	tk-log -t >log.before &&
	tk-contact merge someone@gmail.com into pat@gmail.com >out 2>err &&
	echo c7 >expect && test_cmp expect out &&
	test_grep "c4 merged into c7: 3 tickets moved" err &&
	tk-ls -a -t -o id,contact,org,tier requester=someone@gmail.com >out &&
	printf "5\tc7\tglobex\tgold\n13\tc7\tglobex\tgold\n14\tc7\t\t\n" >expect &&
	test_cmp expect out &&
	tk-contact find -t -o id someone@gmail.com >out && echo c7 >expect && test_cmp expect out &&
	tk-contact ls -t -o id,emails id=c7 >out &&
	printf "c7\tpat@gmail.com,someone@gmail.com\n" >expect && test_cmp expect out &&
	test_expect_code 1 tk-contact ls -t id=c4 &&
	tk-contact ls -a -t -o id merged_into=c7 >out && echo c4 >expect && test_cmp expect out &&
	test_expect_code 3 tk-contact merge c8 into c4 2>err && test_grep "merged into c7" err &&
	test_expect_code 3 tk-contact set c4 name=X 2>err && test_grep "merged into c7" err &&
	tk-contact unmerge c4 >out 2>err &&
	echo c4 >expect && test_cmp expect out && test_grep "c4 unmerged: 3 tickets back" err &&
	fields after &&
	test_cmp before after &&
	tk-log -t c4 c7 >log && test_grep "^c7	.*	merge		c4	.*	merge$" log &&
	test_grep "^c7	.*	unmerge	c4		.*	merge$" log &&
	tk-log -t 5 >log && test_grep "	contact	c4	c7	.*	merge$" log && test_grep "	contact	c7	c4	.*	merge$" log
'

test_expect_success 'rm: refused with tickets; a contact with none goes' '
	test_expect_code 3 tk-contact rm c1 2>err && test_grep "has 5 tickets" err &&
	tk-contact add "Nobody <nobody@nowhere.example>" >/dev/null &&
	tk-contact rm nobody@nowhere.example &&
	test_expect_code 1 tk-contact find -t nobody@nowhere.example &&
	tk-log -t | grep -q "	rm	name=Nobody"
'

test_expect_success 'dupes: same phone, same name in one org, addresses differing by dots or +tags' '
	tk-contact add "Carol Two <carol2@globex.net>" phone=13800138000 >/dev/null &&
	tk-contact add "wang li <w.li+support@gmail.com>" org=globex >/dev/null &&
	tk-contact add "Other <wli@gmail.com.cn>" >/dev/null &&
	tk-contact add "Dotted <wl.i@gmail.com>" >/dev/null &&
	tk-contact dupes >out &&
	test_grep "^c8	c[0-9]*	phone	8613800138000$\\|^c8	c[0-9]*	phone	13800138000$" out &&
	test_grep "^c1	c[0-9]*	name	wang li$" out &&
	test_grep "^c1	c[0-9]*	address	wli@gmail.com$" out &&
	! grep "gmail.com.cn" out
'

# The lookup programs: one that knows, one that fails, one that hangs
# (and starts a child that would hold the pipe), one that prints garbage,
# one that writes to the store itself while it runs (it would wait for
# ever if the write lock were held).
test_expect_success 'setup: lookup programs' '
	mkdir bin &&
	cat >bin/crm <<-\EOF &&
	#!/bin/sh
	echo "$1" >>"$0.asked"
	case $1 in
	lin@acme.example) printf "#name\tphone\torg\ttier\tlang\texternal_id\nLin Wei\t+86 139 1234 5678\tglobex\tgold\tzh\tCRM-42\n" ;;
	nobody@acme.example) ;;
	*) printf "#name\nSomeone Known\n" ;;
	esac
	EOF
	printf "#!/bin/sh\necho oops >&2\nexit 3\n" >bin/fails &&
	printf "#!/bin/sh\nsleep 30 &\necho \$! >\"\$0.child\"\nsleep 30\n" >bin/hangs &&
	printf "#!/bin/sh\nprintf \"#name\\\\tshoe_size\\\\nX\\\\t42\\\\n\"\n" >bin/garbage &&
	printf "#!/bin/sh\ntk-new -q -s \"written while looking up\" && printf \"#name\\\\nLocked Out\\\\n\"\n" >bin/writes &&
	printf "#!/bin/sh\nexit 0\n" >bin/noexec &&
	chmod +x bin/crm bin/fails bin/hangs bin/garbage bin/writes &&
	printf "contact-lookup %s\ncontact-lookup-timeout 1s\n" "$PWD/bin/crm" >"$TK_DIR/config"
'

test_expect_success 'a new requester is looked up: its answer goes into the contact, once' '
	tk-new -q -s "lookup me" -r lin@acme.example &&
	tk-contact ls -t -o name,phones,org,tier,lang,external_id,looked_up emails=lin@acme.example >out &&
	printf "Lin Wei\t+86 139 1234 5678\tglobex\tgold\tzh\tCRM-42\t2026-11-22T09:30:00Z\n" >expect &&
	test_cmp expect out &&
	tk-ls -t -o org,tier requester=lin@acme.example >out && printf "globex\tgold\n" >expect && test_cmp expect out &&
	tk-new -q -s "again" -r lin@acme.example &&
	tk-new -q -s "known" -r wang.li@initech.io &&
	test "$(grep -c . bin/crm.asked)" -eq 1
'

test_expect_success 'a lookup that knows nothing leaves the contact as intake made it' '
	tk-new -q -s "unknown" -r "Nobody Here <nobody@acme.example>" 2>err &&
	test_empty err &&
	tk-contact ls -t -o name,looked_up emails=nobody@acme.example >out &&
	printf "Nobody Here\t\n" >expect && test_cmp expect out
'

test_expect_success 'the lookup runs before the write transaction, never holding the lock' '
	printf "contact-lookup %s\n" "$PWD/bin/writes" >"$TK_DIR/config" &&
	tk-new -s "meanwhile" -r locked@acme.example >id 2>err &&
	test_empty err &&
	tk-ls -a -t -o subject "subject=written while looking up" >out && test -s out &&
	tk-contact ls -t -o name emails=locked@acme.example >out && echo "Locked Out" >expect && test_cmp expect out
'

test_expect_success 'a lookup failing, hanging, printing garbage, missing: warned once, the ticket made' '
	for p in fails hangs garbage missing noexec; do
		printf "contact-lookup %s\ncontact-lookup-timeout 1s\n" "$PWD/bin/$p" >"$TK_DIR/config" &&
		start=$(date +%s) &&
		tk-new -s "with $p" -r "$p@lookup.example" >id 2>err || { echo "$p: tk-new failed"; cat err; exit 1; }
		end=$(date +%s) &&
		test "$(grep -c . err)" -eq 1 || { echo "$p: not one warning:"; cat err; exit 1; }
		tk-ls -t -o contact "$(cat id)" | grep -q "^c[0-9]" || { echo "$p: no contact"; exit 1; }
		test $((end - start)) -le 5 || { echo "$p: took $((end - start)) s"; exit 1; }
		case $p in
		fails) test_grep "exit status 3" err ;;
		hangs) test_grep "no answer in 1000 ms: killed" err ;;
		garbage) test_grep "shoe_size is no field of a lookup" err ;;
		missing) test_grep "No such file" err ;;
		noexec) test_grep "not executable" err ;;
		esac || exit 1
	done &&
	child=$(cat bin/hangs.child) && test -n "$child" &&
	sleep 1 &&
	{ ! kill -0 "$child" 2>/dev/null || grep -q "^$child ([a-z]*) Z" /proc/$child/stat 2>/dev/null ||
	  { echo "the lookup'"'"'s child $child still runs:"; cat /proc/$child/stat; false; }; }
'

test_expect_success 'bulk intake asks the program only with --lookup, and warns once' '
	printf "contact-lookup %s\n" "$PWD/bin/crm" >"$TK_DIR/config" &&
	: >bin/crm.asked &&
	printf "#subject\trequester\none\tbulk1@acme.example\ntwo\tbulk2@acme.example\n" | tk-new -q -b &&
	test_empty bin/crm.asked &&
	tk-contact ls -t -o name emails=bulk1@acme.example >out && echo >expect && test_cmp expect out &&
	printf "#subject\trequester\nthree\tbulk3@acme.example\nfour\tbulk4@acme.example\nfive\tbulk3@acme.example\n" |
		tk-new -q -b --lookup &&
	printf "bulk3@acme.example\nbulk4@acme.example\n" >expect && test_cmp expect bin/crm.asked &&
	tk-contact ls -t -o name emails=bulk4@acme.example >out && echo "Someone Known" >expect && test_cmp expect out &&
	printf "contact-lookup %s\n" "$PWD/bin/fails" >"$TK_DIR/config" &&
	printf "subject,requester\na,f1@acme.example\nb,f2@acme.example\n" >f.csv &&
	tk-import -q --lookup f.csv 2>err &&
	test "$(grep -c . err)" -eq 1 && test_grep "said once" err &&
	test_expect_code 2 tk-new --lookup -s x 2>err && test_grep "goes with -b" err
'

test_expect_success 'refresh asks the program again and takes its answer' '
	printf "contact-lookup %s\n" "$PWD/bin/crm" >"$TK_DIR/config" &&
	tk-contact refresh bulk1@acme.example >out && echo c40 >expect ||
	tk-contact refresh bulk1@acme.example >out &&
	tk-contact ls -t -o name emails=bulk1@acme.example >out && echo "Someone Known" >expect && test_cmp expect out &&
	tk-log -t "$(tk-contact find -t -o id bulk1@acme.example)" | grep "	name		Someone Known	[0-9]*	lookup$" &&
	rm "$TK_DIR/config" &&
	test_expect_code 3 tk-contact refresh bulk1@acme.example 2>err && test_grep "no contact-lookup program" err
'

test_expect_success 'bulk: contacts made earlier in the run count, across batches, one contact a requester' '
	awk "BEGIN { print \"external_id,subject,requester\"; for (i = 1; i <= 12000; i++) printf \"B-%d,row %d,Person %d <p%d@bulk.example>\n\", i, i, i % 3000, i % 3000 }" >bulk.csv &&
	tk-import -q bulk.csv &&
	tk-contact ls -t -o emails "emails~@bulk\\.example" | wc -l >n && test "$(cat n)" -eq 3000 &&
	tk-ls -a -t -o requester,contact "requester~@bulk\\.example" | sort -u >pairs &&
	test "$(wc -l <pairs)" -eq 3000 &&
	test "$(cut -f2 pairs | sort -u | wc -l)" -eq 3000 &&
	tk-import -q bulk.csv 2>err && test_empty err &&
	tk-contact ls -t "emails~@bulk\\.example" | wc -l >n && test "$(cat n)" -eq 3000 &&
	awk "BEGIN { print \"#subject\trequester\"; for (i = 1; i <= 21000; i++) printf \"new %d\tq%d@bulk.example\n\", i, i % 700 }" |
		tk-new -q -b &&
	tk-contact ls -t "emails~^q[0-9]*@bulk" | wc -l >n && test "$(cat n)" -eq 700 &&
	tk-ls -t -o requester,contact "requester~^q[0-9]*@bulk" | sort -u | wc -l >n && test "$(cat n)" -eq 700
'

test_expect_success 'ls id=, emails=, org=: read through their indexes, the same rows as a pass over all' '
	tk-contact -q -d ix add "Ann <ann@acme.example>" &&
	tk-contact -q -d ix add "Bo <Bo.X@acme.example>" +email=bo@gmail.com &&
	tk-contact -q -d ix add "Cy <cy@other.example>" &&
	for f in "id=c2 id~^c2\$" "emails=bo@gmail.com emails~bo@gmail" "emails=BO.X@ACME.EXAMPLE emails~(?i)bo.x@acme" "id=c9 id~^c9\$"; do
		set -- $f &&
		{ tk-contact -d ix ls -t -o id,name,emails "$1" >fast; echo $? >>fast; } &&
		{ tk-contact -d ix ls -t -o id,name,emails "$2" >scan; echo $? >>scan; } &&
		test_cmp scan fast || return 1
	done &&
	tk-contact -d ix ls -t -o id emails=bo@gmail.com >out && echo c2 >expect && test_cmp expect out
'

test_done
