#!/bin/sh
# tk-org, and the CRM imports of tk-contact and tk-org: orgs and their
# domains, tiers, queues and tags; imports run again, presets, rejected
# rows with their line and reason; the config file; bad input.
. "$(dirname "$0")/lib.sh"

test_expect_success 'add, set, ls: domains lowercased and sorted, tags by +tag' '
	tk-org add initech name=Initech domains=Initech.IO,eu.initech.io tier=vip queue=key-accounts >out &&
	echo initech >expect && test_cmp expect out &&
	tk-org -q add globex name="Globex 环球有限公司" domains=globex.net,globex.cn tier=standard +manufacturing &&
	tk-org ls -t >out &&
	printf "globex\tGlobex 环球有限公司\tglobex.cn,globex.net\tstandard\t\tmanufacturing\t0\t0\t0\ninitech\tInitech\teu.initech.io,initech.io\tvip\tkey-accounts\t\t0\t0\t0\n" >expect &&
	test_cmp expect out &&
	tk-org set globex +tag=emea +domain=globex.de -domain=globex.net >/dev/null &&
	tk-org ls -t -o key,domains,tags key=globex >out &&
	printf "globex\tglobex.cn,globex.de\temea,manufacturing\n" >expect && test_cmp expect out &&
	tk-org ls -t -o key tier=vip >out && echo initech >expect && test_cmp expect out &&
	tk-org ls -H -o key,name "name~环球" >out && printf "#key\tname\nglobex\tGlobex 环球有限公司\n" >expect && test_cmp expect out
'

test_expect_success 'a new ticket of a member: the org queue when it names none, its tags' '
	tk-new -q -s one -r a@globex.cn &&
	tk-new -q -s two -r b@initech.io queue=desk +urgent &&
	tk-ls -t -o id,org,tier,queue,tags >out &&
	printf "1\tglobex\tstandard\t\temea,manufacturing\n2\tinitech\tvip\tdesk\turgent\n" >expect &&
	test_cmp expect out
'

test_expect_success 'ls counts contacts, tickets and open ones; show the profile' '
	tk-set -q status=closed 1 &&
	tk-new -q -s three -r c@globex.cn &&
	tk-org ls -t -o key,contacts,tickets,open >out &&
	printf "globex\t2\t2\t1\ninitech\t1\t1\t1\n" >expect && test_cmp expect out &&
	tk-org show globex >out &&
	test_grep "^Org globex: Globex 环球有限公司$" out &&
	test_grep "^domains  *globex.cn,globex.de$" out &&
	test_grep "^contacts  *2$" out &&
	test_grep "^tickets  *2: new 1, closed 1$" out &&
	tk-org show --json globex >out &&
	test_grep "^{\"key\":\"globex\",\"name\":\"Globex 环球有限公司\"" out &&
	test_grep "\"last_tickets\":\[3,1\]" out &&
	test_expect_code 1 tk-org show globx 2>err && test_grep "no org globx; did you mean globex?" err
'

test_expect_success 'events keyed org:KEY' '
	tk-log -t org:globex >out &&
	test_grep "^org:globex	.*	create		name=Globex" out &&
	test_grep "^org:globex	.*	domains	globex.cn,globex.net	globex.cn,globex.de	" out &&
	! grep -v "^org:globex	" out
'

test_expect_success 'a domain is one org'"'"'s; a free-mail one nobody'"'"'s; nothing half-written' '
	tk-log -t >log.before &&
	test_expect_code 3 tk-org add other domains=acme.example,globex.cn 2>err &&
	test_grep "domain globex.cn is org globex.s" err &&
	test_expect_code 3 tk-org add other domains=mail.qq.com 2>err &&
	test_grep "mail.qq.com is a free-mail domain" err &&
	test_expect_code 3 tk-org set initech +domain=163.com 2>err &&
	tk-log -t >log.after && test_cmp log.before log.after &&
	test_expect_code 1 tk-org ls key=other
'

test_expect_success 'bad input: keys, domains, tiers, fields, verbs' '
	test_expect_code 2 tk-org add 9lives 2>err && test_grep "not an org key" err &&
	test_expect_code 2 tk-org add ok domains=not_a_domain 2>err && test_grep "not_a_domain is not a domain" err &&
	test_expect_code 2 tk-org add ok tier=platinum 2>err && test_grep "tier platinum is not one of the store.s tiers (vip, gold, standard" err &&
	test_expect_code 2 tk-org add ok colour=red 2>err && test_grep "no field colour" err &&
	test_expect_code 2 tk-org add ok nam=X 2>err && test_grep "did you mean name?" err &&
	test_expect_code 2 tk-org frobnicate 2>err && test_grep "no such verb" err &&
	test_expect_code 3 tk-org add initech 2>err && test_grep "org initech exists" err &&
	test_expect_code 3 tk-org set nosuch name=X 2>err && test_grep "no org nosuch" err &&
	test_expect_code 1 tk-org ls key=ok
'

test_expect_success 'contacts: bad addresses, phones, tiers, orgs; nothing half-written' '
	tk-log -t >log.before &&
	test_expect_code 2 tk-contact add "not an address@" 2>err && test_grep "not an address" err &&
	test_expect_code 2 tk-contact add x@y.example +email=nope 2>err && test_grep "nope is not an e-mail address" err &&
	test_expect_code 2 tk-contact add x@y.example phone=call-me 2>err && test_grep "call-me is not a phone number" err &&
	test_expect_code 2 tk-contact add x@y.example "phone=+() -" 2>err && test_grep "is not a phone number" err &&
	test_expect_code 2 tk-contact add x@y.example tier=gld 2>err && test_grep "tier gld is not one" err &&
	test_expect_code 3 tk-contact add x@y.example org=nosuch 2>err && test_grep "no org nosuch" err &&
	test_expect_code 3 tk-contact add a@globex.cn 2>err && test_grep "a@globex.cn is the address of c1" err &&
	test_expect_code 3 tk-contact set nobody@y.example name=X 2>err && test_grep "no such contact" err &&
	test_expect_code 2 tk-contact set c1 2>err && test_grep "nothing to set" err &&
	test_expect_code 2 tk-contact merge c1 c2 2>err && test_grep "merge CONTACT into CONTACT" err &&
	tk-log -t >log.after && test_cmp log.before log.after
'

test_expect_success 'a broken config file is refused with file:line, exit 3' '
	printf "# tiers\ntiers vip gold\ntierz x\n" >"$TK_DIR/config" &&
	test_expect_code 3 tk-new -s x -r new@nowhere.example 2>err &&
	test_grep "config:3: tierz: unknown setting; did you mean tiers?" err &&
	test_expect_code 3 tk-contact add y@nowhere.example 2>err && test_grep "config:3" err &&
	test_expect_code 3 tk-ls -s tier 2>err && test_grep "config:3" err &&
	printf "tiers vip vip\n" >"$TK_DIR/config" &&
	test_expect_code 3 tk-org add z 2>err && test_grep "config:1: tiers: vip named twice" err &&
	printf "phone-country 0086\n" >"$TK_DIR/config" &&
	test_expect_code 3 tk-org add z 2>err && test_grep "config:1: phone-country 0086" err &&
	printf "fulltext tickets\n" >"$TK_DIR/config" &&
	test_expect_code 3 tk-org add z 2>err && test_grep "config:1: fulltext: fulltext tickets yes, or no" err &&
	printf "contact-lookup-timeout 0s\n" >"$TK_DIR/config" &&
	test_expect_code 3 tk-org add z 2>err && test_grep "config:1: contact-lookup-timeout 0s" err &&
	rm "$TK_DIR/config" &&
	test_expect_code 1 tk-ls -a subject=x &&
	test_expect_code 1 tk-org ls key=z
'

test_expect_success 'tiers of the config: tk-org takes them, tk-ls sorts by them' '
	printf "tiers platinum vip gold\n" >"$TK_DIR/config" &&
	tk-org -q add plat domains=plat.example tier=platinum &&
	tk-new -q -s p -r x@plat.example &&
	tk-ls -t -o id,tier -s tier >out &&
	printf "4\tplatinum\n2\tvip\n3\tstandard\n" >expect && test_cmp expect out &&
	rm "$TK_DIR/config"
'

test_expect_success 'rm: refused with contacts or tickets' '
	test_expect_code 3 tk-org rm globex 2>err && test_grep "org globex has 2 contacts" err &&
	tk-org -q add empty name=Empty &&
	tk-org rm empty &&
	test_expect_code 1 tk-org ls key=empty &&
	tk-log -t org:empty | grep -q "	rm	name=Empty"
'

test_expect_success 'org import: generic columns (the benchmark directory'"'"'s), run again changes nothing' '
	cat >orgs.csv <<-\EOF &&
	external_id,org,name,domains,tier
	ACC-0001,acme,Acme Corporation,acme-corp.com,gold
	ACC-0002,globex,Globex 环球有限公司,"globex.net,globex.cn",standard
	ACC-0007,example-cn,示例科技（上海）有限公司,example.cn,gold
	EOF
	tk-org import orgs.csv 2>err &&
	test_grep "3 read, 2 created, 1 updated, 0 unchanged, 0 rejected" err &&
	tk-org ls -t -o key,external_id,domains key=globex >out &&
	printf "globex\tACC-0002\tglobex.cn,globex.de,globex.net\n" >expect && test_cmp expect out &&
	tk-org import orgs.csv 2>err &&
	test_grep "3 read, 0 created, 0 updated, 3 unchanged, 0 rejected" err
'

test_expect_success 'org import: Salesforce accounts (a website is its domain; a key made of the name)' '
	cat >accounts.csv <<-\EOF &&
	Account ID,Account Name,Website,Industry,Type,Billing City
	001A000001,Umbrella Health,https://www.umbrella.org/,Healthcare,Customer,Raccoon City
	001A000002,Initech,initech.io,Software,Customer,Austin
	EOF
	tk-org import --preset salesforce accounts.csv 2>err &&
	test_grep "2 read, 1 created, 1 updated" err &&
	tk-org ls -t -o key,name,domains,tags,external_id "key=umbrella-health,initech" >out &&
	printf "initech\tInitech\teu.initech.io,initech.io\tCustomer,Software\t001A000002\numbrella-health\tUmbrella Health\tumbrella.org\tCustomer,Healthcare\t001A000001\n" >expect &&
	test_cmp expect out
'

test_expect_success 'contact import: rows refused with line and reason, the rest in; --rejects; again: nothing changes' '
	cat >contacts.csv <<-\EOF &&
	external_id,name,email,other_emails,phone,org,org_external_id,tier,lang,created
	CON-1,Karen Johnson,karen@acme-corp.com,,+1-579-833-0352,acme,ACC-0001,,en,2020-08-25T16:54:00Z
	CON-2,Wang Fang,wang.fang@qq.com,"wf@163.com,wangfang@gmail.com",+86 138 1111 2222,,,vip,zh,2019-01-02T03:04:00Z
	CON-3,Bad Mail,not-an-address,,,,,,en,
	CON-4,Bad Tier,bt@acme-corp.com,,,,,platinum,en,
	CON-5,No Org,no@org.example,,,nosuch,,,en,
	CON-6,By CRM Id,crm@partner.example,,,,ACC-0007,,zh,
	CON-7,Bad Phone,bp@acme-corp.com,,call me,,,,en,
	CON-8,Taken,karen@acme-corp.com,,,,,,en,
	EOF
	test_expect_code 3 tk-contact import --rejects rej.tsv contacts.csv 2>err &&
	test_grep "8 read, 3 created, 0 updated, 0 unchanged, 5 rejected" err &&
	test_grep "contacts.csv:4: column \"email\": not-an-address is not an e-mail address" err &&
	test_grep "contacts.csv:5: .*tier platinum is not one" err &&
	test_grep "contacts.csv:6: .*no org nosuch" err &&
	test_grep "contacts.csv:8: column \"phone\": call me is not a phone number" err &&
	test_grep "contacts.csv:9: .*karen@acme-corp.com is the address of c" err &&
	test "$(grep -c "^[0-9]" rej.tsv)" -eq 5 && head -n 1 rej.tsv | grep -q "^#line	reason	external_id" &&
	tk-contact ls -t -o external_id,emails,phones,org,tier,lang "external_id~^CON-" >out &&
	printf "CON-1\tkaren@acme-corp.com\t+1-579-833-0352\tacme\t\ten\nCON-2\twang.fang@qq.com,wangfang@gmail.com,wf@163.com\t+86 138 1111 2222\t\tvip\tzh\nCON-6\tcrm@partner.example\t\texample-cn\t\tzh\n" >expect &&
	test_cmp expect out &&
	tk-log -t >log.before &&
	test_expect_code 3 tk-contact import contacts.csv 2>err &&
	test_grep "8 read, 0 created, 0 updated, 3 unchanged, 5 rejected" err &&
	tk-log -t >log.after && test_cmp log.before log.after
'

test_expect_success 'contact import: a changed row updates (by external id, else by address); sets joined' '
	printf "external_id,email,tier\nCON-1,k.johnson@acme-corp.com,gold\n,wangfang@gmail.com,gold\n" >changed.csv &&
	tk-contact import changed.csv 2>err &&
	test_grep "2 read, 0 created, 2 updated" err &&
	tk-contact ls -t -o external_id,emails,tier "external_id=CON-1,CON-2" >out &&
	printf "CON-1\tk.johnson@acme-corp.com,karen@acme-corp.com\tgold\nCON-2\twang.fang@qq.com,wangfang@gmail.com,wf@163.com\tgold\n" >expect &&
	test_cmp expect out
'

test_expect_success 'contact import: Salesforce and HubSpot presets; -m maps a column' '
	cat >sf.csv <<-\EOF &&
	Contact ID,First Name,Last Name,Email,Mobile Phone,Account ID,Mailing City,Customer_Tier__c
	003A1,Ada,Lovelace,ada@umbrella.org,+44 20 7946 0000,001A000001,London,gold
	EOF
	tk-contact import --preset salesforce sf.csv 2>err &&
	test_grep "1 read, 1 created" err &&
	tk-contact ls -t -o name,org,tier,external_id emails=ada@umbrella.org >out &&
	printf "Ada Lovelace\tumbrella-health\tgold\t003A1\n" >expect && test_cmp expect out &&
	cat >hs.csv <<-\EOF &&
	Record ID,First Name,Last Name,Email,Phone Number,Company Name,Preferred language,Lifecycle Stage,Favourite Colour
	901,Grace,Hopper,grace@initech.io,+1 555 010 1234,Initech,en,customer,blue
	EOF
	tk-contact import --preset hubspot hs.csv 2>err &&
	test_grep "hs.csv:1: column 9, \"Favourite Colour\": no field of a contact: left out" err &&
	test_grep "1 read, 1 created" err &&
	tk-contact ls -t -o name,org,lang,external_id emails=grace@initech.io >out &&
	printf "Grace Hopper\tinitech\ten\t901\n" >expect && test_cmp expect out &&
	printf "Kunde,Mail\nHans,hans@initech.io\n" >de.csv &&
	tk-contact import -m "Kunde=name,Mail=emails" de.csv 2>err &&
	tk-contact ls -t -o name,org emails=hans@initech.io >out && printf "Hans\tinitech\n" >expect && test_cmp expect out &&
	test_expect_code 2 tk-contact import --preset sap de.csv 2>err && test_grep "no such preset" err &&
	test_expect_code 3 tk-contact import orgs.csv 2>err || true
'

test_expect_success 'contact import: new contacts kept as tk-contact add keeps them (addresses lowercased, sets sorted and once, times in UTC, orgs by CRM id and domain)' '
	cat >kept.csv <<-\EOF &&
	external_id,name,email,other_emails,phone,org,org_external_id,tier,lang,created
	K-1,Li Lei,Li.Lei@Example.COM,"b@x.example,a@x.example,li.lei@example.com",+86 138 0013 8000,,,gold,zh,2021-01-02T03:04:05Z
	K-2,Han Mei,han@acme-corp.com,,"+1 555 0199,+1 555 0100,+1 555 0199",,,,en,2021-01-02 03:04
	K-3,Zhang Wei,zw@else.example,,,,ACC-0007,,zh-Hans,
	K-4,Two Names,tn@globex.cn,,,globex,,,,
	K-5, Spaced ,sp@x.example,,,,,,,
	K-6,Bad Lang,bl@x.example,,,,,,e n,
	EOF
	test_expect_code 3 tk-contact import kept.csv 2>err &&
	test_grep "6 read, 5 created, 0 updated, 0 unchanged, 1 rejected" err &&
	test_grep "kept.csv:7: column \"lang\": e n is not a language tag" err &&
	tk-contact ls -a -t -o name,emails,phones,org,tier,lang,created "external_id~^K-" >out &&
	cat >expect <<-EOF &&
	Li Lei	a@x.example,b@x.example,li.lei@example.com	+86 138 0013 8000		gold	zh	2021-01-02T03:04:05Z
	Han Mei	han@acme-corp.com	+1 555 0100,+1 555 0199	acme		en	2021-01-02T03:04:00Z
	Zhang Wei	zw@else.example		example-cn		zh-Hans	2026-11-22T09:30:00Z
	Two Names	tn@globex.cn		globex			2026-11-22T09:30:00Z
	 Spaced 	sp@x.example					2026-11-22T09:30:00Z
	EOF
	test_cmp expect out &&
	tk-log -t "$(tk-contact find -t -o id li.lei@example.com)" | cut -f4,6 >log &&
	printf "create\tname=Li Lei\\\\temails=a@x.example,b@x.example,li.lei@example.com\\\\tphones=+86 138 0013 8000\\\\ttier=gold\\\\tlang=zh\\\\texternal_id=K-1\\\\tcreated=2021-01-02T03:04:05Z\n" >expect &&
	test_cmp expect log
'

test_expect_success 'contact import over two batches: an address of the first batch taken in the second is refused; again: nothing changes' '
	mkdir -p big &&
	awk "BEGIN { print \"external_id,name,email,phone\"; for (i = 1; i <= 25000; i++)
		printf \"B-%d,Person %d,p%d@big.example,+1 555 %07d\n\", i, i, i == 24000 ? 10 : i, i }" >big.csv &&
	test_expect_code 3 tk-contact -d big import big.csv 2>err &&
	test_grep "25000 read, 24999 created, 0 updated, 0 unchanged, 1 rejected" err &&
	test_grep "big.csv:24001: .*p10@big.example is the address of c10 " err &&
	tk-contact -d big find -t -o external_id p10@big.example >out && echo B-10 >expect && test_cmp expect out &&
	test_expect_code 3 tk-contact -d big import big.csv 2>err &&
	test_grep "25000 read, 0 created, 0 updated, 24999 unchanged, 1 rejected" err
'

test_expect_success 'a contact import with no column naming the contact is refused before anything' '
	printf "colour,size\nred,9\n" >x.csv &&
	test_expect_code 3 tk-contact import x.csv 2>err &&
	test_grep "no column names the contact" err
'

# org_view ARGS: tk-ls ARGS (an org= term first) reads the working set's
# copies under the org, and gives what a pass over every ticket gives.
org_view() {
	tk-ls -t -o id,status,org,subject "$@" --explain >view 2>err &&
	{ test_grep "plan: working set by org" err || test_grep "plan: index org" err; } &&
	first=$(echo "$1" | sed "s/=\(.*\)/~^(\1)\$/; s/,/|/g") && shift &&
	tk-ls -t -o id,status,org,subject "$first" "$@" >scan 2>/dev/null; test $? -le 1 && test_cmp scan view
}

test_expect_success 'an org'"'"'s open tickets: read by value from the working set, kept in step' '
	for i in 1 2 3 4 5; do tk-new -q -s "g$i" -r "p$i@globex.cn"; tk-new -q -s "i$i" -r "p$i@initech.io"; done &&
	org_view org=globex && test_grep "plan: working set by org" err && test $(wc -l <view) -ge 5 &&
	org_view org=initech && org_view org=globex,initech && org_view org=initech status=new &&
	g=$(sed -n 1p view | cut -f1) &&
	tk-set -q status=resolved $g && org_view org=initech && ! grep -q "^$g	" view &&
	tk-set -q status=open $g && org_view org=initech && grep -q "^$g	open" view &&
	c=$(tk-ls -t -o contact id=$g) && tk-contact set -q $c org=globex && org_view org=initech && ! grep -q "^$g	" view &&
	org_view org=globex && grep -q "^$g	open	globex" view &&
	tk-set -q subject=renamed $g && org_view org=globex && grep -q "^$g	open	globex	renamed" view &&
	tk-ls -a -t -o id org=globex >all && tk-ls -a -t -o id "org~^globex\$" >scan && test_cmp scan all
'

test_expect_success 'an org made after its people: contacts with no org join it by domain, open tickets follow' '
	tk-new -q -d late -s "VPN down" -r "Wang Li <wang.li@acme.example>" </dev/null &&
	tk-new -q -d late -s "old" -r wang.li@acme.example </dev/null && tk-set -q -d late status=closed 2 &&
	tk-new -q -d late -s "eu" -r "Ann <ann@eu.acme.example>" </dev/null &&
	tk-new -q -d late -s "gm" -r pat@gmail.com </dev/null &&
	tk-new -q -d late -s "other" -r "Bo <bo@acme.example>" </dev/null &&
	tk-org -q -d late add other name=Other &&
	tk-contact -q -d late set bo@acme.example org=other &&
	tk-org -d late add acme name=Acme domains=acme.example tier=vip >out 2>err &&
	echo acme >expect && test_cmp expect out &&
	test_grep "^tk-org: acme: 2 contacts with no org joined it by their domain$" err &&
	tk-contact -d late ls -t -o emails,org,tier >out &&
	printf "wang.li@acme.example\tacme\t\nann@eu.acme.example\tacme\t\npat@gmail.com\t\t\nbo@acme.example\tother\t\n" >expect &&
	test_cmp expect out &&
	tk-ls -d late -a -t -o id,status,org,tier >out &&
	printf "1\tnew\tacme\tvip\n2\tclosed\t\t\n3\tnew\tacme\tvip\n4\tnew\t\t\n5\tnew\tother\t\n" >expect &&
	test_cmp expect out &&
	tk-log -d late -t c1 | grep -q "	org		acme	" &&
	tk-log -d late -t 1 | grep -q "	org		acme	.*	contact$" &&
	tk-new -q -d late -s "de" -r "Kai <kai@acme.de>" </dev/null &&
	tk-org -d late set acme +domain=acme.de >/dev/null 2>err &&
	test_grep "^tk-org: acme: 1 contact with no org joined it by its domain$" err &&
	tk-ls -d late -t -o org,tier id=6 >out && printf "acme\tvip\n" >expect && test_cmp expect out &&
	tk-new -q -d late -s "lab" -r "Lu <lu@lab.acme.example>" </dev/null &&
	tk-org -d late add lab domains=lab.acme.example >/dev/null 2>err && ! test -s err &&
	tk-contact -d late ls -t -o org emails=lu@lab.acme.example >out && echo acme >expect && test_cmp expect out &&
	tk-new -q -d late -s "lab 2" -r "Mo <mo@lab.acme.example>" </dev/null &&
	tk-contact -d late ls -t -o org emails=mo@lab.acme.example >out && echo lab >expect && test_cmp expect out &&
	tk-org -d late set acme tier=gold >/dev/null 2>err && ! test -s err
'

test_done
