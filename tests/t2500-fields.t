#!/bin/sh
# Declared custom fields (tk-config(5), issue 24): each type's values kept
# as the type keeps them and refused on the command line (exit 2), in
# records (exit 3) and in imported rows (rejected, named); required fields
# per queue; defaults; an indexed field tk-ls uses; CSAT and NPS; a change
# of the file under stored tickets; a broken file.
. "$(dirname "$0")/lib.sh"

cat >fields.txt <<'EOF'
# the hardware team's fields
field product  enum X100 X200 x-100=X100
  indexed
field seats    int 1..
field units    int ..100
field rack     int 1..5
field weight   number 0..1000
field ship_date date
field start    time
field onsite   bool
field buyer    email
field notes
  default none
required product in queue=hw
required seats in queue=hw type=request
default category hardware
EOF

test_expect_success 'setup: a store made with its fields file takes it as it is' '
	mkdir -p "$TK_DIR" && cp fields.txt "$TK_DIR/fields" &&
	tk-new -q -s first &&
	tk-config check 2>err && test_empty err
'

test_expect_success 'each type keeps its values its own way' '
	tk-new -s kept product=x-100 seats=+3 units=-5 rack=05 weight=2.50 ship_date=2026-12-01 \
		start=9:05 onsite=TRUE "buyer=Bob Li <Bob@Example.COM>" >id &&
	tk-ls -t -o product,seats,units,rack,weight,ship_date,start,onsite,buyer id=$(cat id) >out &&
	printf "X100\t3\t-5\t5\t2.50\t2026-12-01\t09:05\tyes\tbob@example.com\n" >expect &&
	test_cmp expect out &&
	tk-set -q product=x200 ship_date=3d start=23:59:59 onsite=no $(cat id) &&
	tk-ls -t -o product,ship_date,start,onsite id=$(cat id) >out &&
	printf "X200\t2026-11-25\t23:59:59\tno\n" >expect && test_cmp expect out
'

# refused_on_command_line ASSIGNMENT MESSAGE: tk-set and tk-new refuse it,
# exit 3 (a declared type refusing a value is the data's refusal, wherever
# the value came from: DESIGN.md 9), with the message; nothing is written.
refused_on_command_line() {
	tk-log >before &&
	test_expect_code 3 tk-set "$1" 1 2>err && test_grep "^tk-set: $2" err &&
	test_expect_code 3 tk-new -s x "$1" 2>err && test_grep "^tk-new: $2" err &&
	tk-log >after && test_cmp before after
}

test_expect_success 'a value its type refuses, on the command line: exit 3 naming field, value and rule' '
	refused_on_command_line product=X300 "product=X300: not one of X100, X200 (fields:2: field product enum X100 X200 x-100=X100)" &&
	refused_on_command_line seats=0 "seats=0: out of range (fields:4: field seats int 1\.\.)" &&
	refused_on_command_line seats=two "seats=two: not a whole number (fields:4: field seats int 1\.\.)" &&
	refused_on_command_line seats=1.5 "seats=1.5: not a whole number" &&
	refused_on_command_line units=101 "units=101: out of range (fields:5: field units int \.\.100)" &&
	refused_on_command_line rack=6 "rack=6: out of range (fields:6: field rack int 1\.\.5)" &&
	refused_on_command_line weight=heavy "weight=heavy: not a number (fields:7: field weight number 0\.\.1000)" &&
	refused_on_command_line weight=1000.5 "weight=1000.5: out of range" &&
	refused_on_command_line ship_date=2026-02-30 "ship_date=2026-02-30: not a date" &&
	refused_on_command_line start=25:00 "start=25:00: no such time of day (fields:9: field start time)" &&
	refused_on_command_line start=9h "start=9h: not a time of day" &&
	refused_on_command_line onsite=maybe "onsite=maybe: not yes or no (fields:10: field onsite bool)" &&
	refused_on_command_line buyer=bob "buyer=bob: not an e-mail address (fields:11: field buyer email)" &&
	refused_on_command_line buyer=bob@localhost "buyer=bob@localhost: not an e-mail address"
'

test_expect_success 'in records (tk-new -b): the bad ones refused naming field and value, exit 3, the good ones made' '
	printf "#subject\tproduct\tseats\tonsite\nr1\tX200\t2\ty\nr2\tX300\t1\t\nr3\tX100\t0\t\nr4\t\t\tsoon\nr5\tx200\t7\t\n" >recs &&
	test_expect_code 3 tk-new -b <recs >ids 2>err &&
	test_grep "^tk-new: stdin:3: product=X300: not one of X100, X200 (fields:2" err &&
	test_grep "^tk-new: stdin:4: seats=0: out of range (fields:4" err &&
	test_grep "^tk-new: stdin:5: onsite=soon: not yes or no (fields:10" err &&
	test "$(wc -l <err)" -eq 3 &&
	tk-ls -t -o subject,product,seats,onsite id=$(paste -sd, ids) >out &&
	printf "r1\tX200\t2\tyes\nr5\tX200\t7\t\n" >expect && test_cmp expect out
'

test_expect_success 'in imported rows: each bad row rejected with field and value, the rest imported' '
	printf "subject,product,seats,ship_date,buyer\ni1,X100,3,2026-12-01,a@example.com\ni2,X999,1,,\ni3,X200,-2,,\ni4,X200,1,tomorrow!,\ni5,X200,1,,not-mail\n" >rows.csv &&
	test_expect_code 3 tk-import --rejects rej.tsv rows.csv 2>err &&
	test_grep "rows.csv:3: product=X999: not one of X100, X200" err &&
	test_grep "rows.csv:4: seats=-2: out of range" err &&
	test_grep "rows.csv:5: ship_date=tomorrow!: not a date" err &&
	test_grep "rows.csv:6: buyer=not-mail: not an e-mail address" err &&
	test_grep "5 read, 1 created, 0 updated, 0 unchanged, 4 rejected" err &&
	cut -f1,2 rej.tsv | grep -v "^#" | sed "s/: .*//" >out &&
	printf "3\tproduct=X999\n4\tseats=-2\n5\tship_date=tomorrow!\n6\tbuyer=not-mail\n" >expect &&
	test_cmp expect out &&
	tk-ls -t -o product,seats,buyer subject=i1 >out && printf "X100\t3\ta@example.com\n" >expect && test_cmp expect out
'

test_expect_success 'required per queue: a new ticket, a move into the queue, a cleared value; exit 3' '
	tk-log >before &&
	test_expect_code 3 tk-new -s hw1 queue=hw 2>err &&
	test_grep "^tk-new: product: required in queue=hw, and the ticket has none (fields:14)" err &&
	test_expect_code 3 tk-new -s hw2 queue=hw product=X100 type=request 2>err &&
	test_grep "seats: required in queue=hw type=request, and the ticket has none (fields:15)" err &&
	tk-log >after && test_cmp before after &&
	tk-new -s hw3 queue=hw product=X100 type=incident >hw3 &&
	tk-new -s hw4 queue=hw product=X100 type=request seats=2 >hw4 &&
	tk-new -s desk1 queue=desk >desk1 &&
	test_expect_code 3 tk-set queue=hw $(cat desk1) 2>err &&
	test_grep "ticket $(cat desk1): product: required in queue=hw" err &&
	test_expect_code 3 tk-set product= $(cat hw3) 2>err &&
	test_grep "ticket $(cat hw3): product: required in queue=hw" err &&
	tk-set -q queue=hw product=X200 $(cat desk1) &&
	printf "#subject\tqueue\nb1\thw\nb2\tdesk\n" | test_expect_code 3 tk-new -b >ids 2>err &&
	test_grep "stdin:2: product: required in queue=hw" err && test "$(wc -l <ids)" -eq 1
'

test_expect_success 'a ticket made before a field was required is left alone until a change touches it' '
	tk-new -s old queue=net >old &&
	printf "required onsite in queue=net\n" >>"$TK_DIR/fields" &&
	tk-set -q status=open $(cat old) 2>err && test_empty err &&
	tk-ls -t -o status,onsite id=$(cat old) >out && printf "open\t\n" >expect && test_cmp expect out &&
	tk-set -q queue=lan $(cat old) &&
	test_expect_code 3 tk-set queue=net $(cat old) 2>err &&
	test_grep "onsite: required in queue=net, and the ticket has none (fields:17)" err &&
	cp fields.txt "$TK_DIR/fields"
'

test_expect_success 'defaults: a new ticket given no value gets the file'"'"'s, by every path' '
	tk-new -s d1 >d1 && tk-new -s d2 category=network notes=mine >d2 &&
	printf "#subject\nd3\n" | tk-new -b >d3 &&
	printf "subject\nd4\n" >d.csv && tk-import -q d.csv &&
	tk-ls -t -o subject,category,notes "subject~^d[1-4]\$" >out &&
	printf "d1\thardware\tnone\nd2\tnetwork\tmine\nd3\thardware\tnone\nd4\thardware\tnone\n" >expect &&
	test_cmp expect out &&
	tk-set -q notes= $(cat d1) && tk-ls -t -o notes id=$(cat d1) >out && echo >expect && test_cmp expect out
'

test_expect_success 'an indexed field: tk-ls reads its index (--explain), kept in step by every change' '
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do echo "x$i	X100"; done >many &&
	{ printf "#subject\tproduct\n"; cat many; } | tk-new -b -q &&
	tk-ls -a -t -o id product=X200 --explain >idx 2>err &&
	test_grep "plan: index product" err &&
	tk-ls -a -t -o id "product~^X200\$" >scan && test_cmp scan idx &&
	tk-ls -a -t -o id product=x200 >low && test_cmp scan low &&
	head -n 1 idx >one && tk-set -q product=X100 $(cat one) &&
	tk-ls -a -t -o id product=X200 >idx2 && tk-ls -a -t -o id "product~^X200\$" >scan2 &&
	test_cmp scan2 idx2 && ! grep -qx "$(cat one)" idx2 &&
	tk-set -q product=X200 $(cat one) &&
	tk-ls -a -t -o id product=X200 >idx3 && test_cmp idx idx3
'

# The default view (tickets not done) of an indexed field's value reads
# the working set's copies under that value (active_ix): the same rows as
# a pass over every ticket, through every change.
same_view() {
	tk-ls -t -o id,status,subject "$@" --explain >view 2>err &&
	test_grep "plan: working set by product" err &&
	first=$(echo "$1" | sed "s/=\(.*\)/~^(\1)\$/; s/,/|/g") && shift &&
	tk-ls -t -o id,status,subject "$first" "$@" >scan &&
	test_cmp scan view
}

test_expect_success 'an indexed field in the default view: its value'"'"'s copies in the working set, kept in step' '
	tk-ls -a -t -o id product=X200 >all && test $(wc -l <all) -gt 2 &&
	same_view product=X200 &&
	a=$(sed -n 1p all) b=$(sed -n 2p all) &&
	tk-set -q status=resolved $a && same_view product=X200 && ! grep -q "^$a	" view &&
	tk-set -q status=open $a && same_view product=X200 && grep -q "^$a	open" view &&
	tk-set -q subject="renamed 改名" $b && same_view product=X200 && grep -q "^$b	.*	renamed 改名" view &&
	tk-set -q product=X100 $b && same_view product=X200 && ! grep -q "^$b	" view &&
	same_view product=X100 && grep -q "^$b	" view &&
	same_view product=X100,X200 && test $(wc -l <view) -gt 20 &&
	same_view product=X200 status=open &&
	tk-set -q product= $a && same_view product=X200 && ! grep -q "^$a	" view &&
	tk-set -q product=X200 $a && same_view product=X200 && grep -q "^$a	" view
'

test_expect_success 'indexed in the file, not yet in the store: writers refuse naming fields:line and tk-config apply' '
	printf "field product enum X100 X200 x-100=X100\nfield seats int 1..\n  indexed\n" >"$TK_DIR/fields" &&
	test_expect_code 3 tk-set product=X200 1 2>err &&
	test_grep "fields:3: field seats is indexed in the file, not yet in the store: .*run tk-config apply" err &&
	tk-ls -a -o id product=X200 >/dev/null 2>err && test_empty err &&
	test_expect_code 1 tk-config check 2>err && test_grep "run tk-config apply" err &&
	tk-config apply >out &&
	printf "index\tproduct\tindexed\t\t0\n" >expect.a && test_grep "^index	seats		indexed	" out &&
	grep "^index	product" out >got && test_cmp expect.a got &&
	tk-ls -a -t -o id seats=2 --explain >idx 2>err && test_grep "plan: index seats" err &&
	tk-ls -a -t -o id "seats~^2\$" >scan && test_cmp scan idx &&
	tk-log config:fields | cut -f4-6,8 >out &&
	printf "index\t\tproduct\tconfig\nindex\tproduct\t\tconfig\nindex\t\tseats\tconfig\n" >expect && test_cmp expect out &&
	cp fields.txt "$TK_DIR/fields" && tk-config apply -q &&
	same_view product=X200 && test $(wc -l <view) -gt 2
'

test_expect_success 'the file changed under stored tickets: they stay readable, check --tickets lists them' '
	tk-new -s late seats=3 product=X200 >late &&
	sed "s/^field seats    int 1\.\./field seats int 5../; s/^field product  enum X100 X200 x-100=X100/field product enum X100 x-100=X100/" fields.txt >"$TK_DIR/fields" &&
	tk-ls -t -o seats,product id=$(cat late) >out && printf "3\tX200\n" >expect && test_cmp expect out &&
	test_expect_code 1 tk-config check --tickets >out &&
	grep "^$(cat late)	" out >mine &&
	printf "%s\tseats\t3\tseats=3: out of range (fields:4: field seats int 5..)\n" $(cat late) >expect &&
	printf "%s\tproduct\tX200\tproduct=X200: not one of X100 (fields:2: field product enum X100 x-100=X100)\n" $(cat late) >>expect &&
	test_cmp expect mine &&
	tk-set -q subject=later $(cat late) &&
	test_expect_code 3 tk-set seats=4 $(cat late) 2>/dev/null &&
	tk-config check --tickets | awk -F "\t" "\$2 == \"seats\"" | tk-set -q seats=5 &&
	tk-config check --tickets -H >out; head -n 1 out >hdr && printf "#id\tfield\tvalue\twhy\n" >expect && test_cmp expect hdr &&
	! grep "	seats	" out &&
	cp fields.txt "$TK_DIR/fields" && tk-config check --tickets >/dev/null
'

test_expect_success 'CSAT 1..5 and NPS 0..10: refused out of range everywhere, logged with time and via' '
	test_expect_code 2 tk-set csat=0 1 2>err && test_grep "csat=0: CSAT is 1 to 5" err &&
	test_expect_code 2 tk-set csat=6 1 2>err && test_grep "csat=6: CSAT is 1 to 5" err &&
	test_expect_code 2 tk-set nps=11 1 2>err && test_grep "nps=11: NPS is 0 to 10" err &&
	test_expect_code 2 tk-set nps=-1 1 2>err && test_grep "nps=-1: not a whole number" err &&
	tk-set -q csat=5 nps=0 1 &&
	tk-ls -t -o csat,nps id=1 >out && printf "5\t0\n" >expect && test_cmp expect out &&
	tk-log 1 | awk -F "\t" "\$4 == \"csat\" || \$4 == \"nps\" { print \$2, \$4, \$5, \$6, \$8 }" >out &&
	printf "2026-11-22T09:30:00Z csat  5 cli\n2026-11-22T09:30:00Z nps  0 cli\n" >expect && test_cmp expect out &&
	printf "#subject\tcsat\tnps\nc1\t4\t10\nc2\t9\t\nc3\t\t12\n" | test_expect_code 3 tk-new -b >ids 2>err &&
	test_grep "stdin:3: csat=9: CSAT is 1 to 5" err && test_grep "stdin:4: nps=12: NPS is 0 to 10" err &&
	printf "subject,nps\nn1,7\nn2,99\n" >n.csv && test_expect_code 3 tk-import n.csv 2>err &&
	test_grep "n.csv:3: nps=99: NPS is 0 to 10" err &&
	tk-log | awk -F "\t" "\$4 == \"create\" && \$6 ~ /nps=7/ { print \$8 }" >out && echo import >expect && test_cmp expect out
'

test_expect_success 'rules: an action validated as any value (refused naming field and value), a match written as people type' '
	printf "rule bad\n  match subject=first\n  set product=X999\n" >"$TK_DIR/rules" &&
	test_expect_code 3 tk-route 1 2>err &&
	test_grep "product=X999: not one of X100, X200" err &&
	tk-ls -t -o product id=1 >out && echo >expect && test_cmp expect out &&
	printf "rule good\n  match product=x200 subject=kept\n  set +model\n" >"$TK_DIR/rules" &&
	tk-route -q $(cat id) && tk-ls -t -o tags id=$(cat id) >out && echo model >expect && test_cmp expect out &&
	rm "$TK_DIR/rules"
'

test_expect_success 'a broken fields file: check lists every problem with file:line; writers refuse (3), readers warn' '
	printf "field product enum\nfield seats int 5..1\nfield size huge\nrequired ghost\nfield ok int\n  indexd\ndefault status new\nfield x date\n  default someday\n" >"$TK_DIR/fields" &&
	test_expect_code 1 tk-config check 2>err &&
	test_grep "fields:1: enum: give its values" err &&
	test_grep "fields:2: 5..1: its low end is above its high end" err &&
	test_grep "fields:3: field size huge: no such type" err &&
	test_grep "fields:6: indexd: not a line of a field" err &&
	test_grep "fields:7: default status: a new ticket" err &&
	test_grep "fields:4: required ghost: no such field" err &&
	test_grep "fields:9: default: x=someday: not a date" err &&
	test "$(grep -c "fields:" err)" -eq 7 &&
	test_expect_code 3 tk-set subject=y 1 2>err && test_grep "fields:1: enum: give its values" err &&
	tk-ls -o id id=1 >out 2>err && echo 1 >expect && test_cmp expect out &&
	test_grep "fields:1: enum: give its values.*read on" err &&
	test_expect_code 3 tk-config apply 2>err && test_grep "nothing applied" err &&
	cp fields.txt "$TK_DIR/fields"
'

# range QUERY EXPECTED-SUBJECTS: tk-ls -a of the r-tickets in the range
# (none: exit 1).
range() {
	{ tk-ls -a -t -o subject "subject~^r[123]\$" "$1" >got; test $? -le 1; } &&
	echo $(cat got) >out && echo "$2" >expect && test_cmp expect out
}

test_expect_success 'ranges on declared numbers, dates and times of day compare as their type, not as text' '
	printf "#subject\tweight\tship_date\tstart\tseats\n" >r &&
	printf "r1\t2.5\t2026-01-05\t9:30\t5\nr2\t10\t2026-03-01\t14:00:30\t12\nr3\t100\t2025-12-31\t23:59\t100\n" >>r &&
	tk-new -b -q <r &&
	range "weight<5" "r1" && range "weight>2.5" "r2 r3" && range "weight>=2.5" "r1 r2 r3" &&
	range "weight=3..99.5" "r2" &&
	range "ship_date=2026-01-01.." "r1 r2" && range "ship_date<2026-03-01" "r1 r3" &&
	range "ship_date<=2026-01-05" "r1 r3" && range "ship_date>2025-12-31" "r1 r2" &&
	range "start<9:30" "" && range "start<=09:30" "r1" && range "start=09:30..14:00:30" "r1 r2" &&
	range "start>14:00" "r2 r3" &&
	range "seats=6..100" "r2 r3" &&
	test_expect_code 2 tk-ls "weight<heavy" 2>err && test_grep "weight<heavy: heavy is not a number" err &&
	test_expect_code 2 tk-ls "start>25:00" 2>err && test_grep "start>25:00: 25:00 is not a time of day" err &&
	test_expect_code 2 tk-ls "ship_date=2026-13-01.." 2>err && test_grep "ship_date=2026-13-01..: 2026-13-01: no such date" err &&
	test_expect_code 2 tk-ls "seats>two" 2>err && test_grep "seats>two: two is not a number" err
'

test_expect_success 'conditions are filter terms: regexes, ranges and != in required, checked with file:line' '
	mkdir -p cond && cat >cond/fields <<-\EOF &&
	field serial
	field seats int 1..
	required serial in queue~^hw- priority=P1..P2
	required seats in category!=internal queue=sales
	EOF
	test_expect_code 3 tk-new -d cond -q -s a queue=hw-cn priority=P1 2>err &&
	test_grep "serial: required in queue~^hw- priority=P1..P2, and the ticket has none (fields:3)" err &&
	tk-new -d cond -q -s b queue=hw-cn priority=P3 && tk-new -d cond -q -s c queue=hw priority=P1 &&
	tk-new -d cond -q -s d queue=sales category=internal &&
	test_expect_code 3 tk-new -d cond -q -s e queue=sales 2>err && test_grep "seats: required in category!=internal" err &&
	{ printf "#subject\tqueue\tpriority\tserial\n"; i=0; while [ $i -lt 300 ]; do
		printf "r%d\thw-%d\tP%d\t%s\n" $i $((i % 7)) $((i % 4 + 1)) "$( [ $((i % 4)) -lt 2 ] && [ $((i % 5)) -eq 0 ] || echo s$i)"; i=$((i + 1)); done; } >bulk &&
	test_expect_code 3 tk-new -d cond -b <bulk >ids 2>err &&
	awk -F "\t" "NR > 1 && \$3 <= \"P2\" && \$4 == \"\"" bulk | wc -l >want && grep -c "required in queue~" err >got &&
	test_cmp want got && test $(($(wc -l <ids) + $(cat got))) -eq 300 &&
	for bad in "queue~[" "age>3d" "text=vpn" "id=3" "nosuch=1" "queue"; do
		printf "field serial\nrequired serial in %s\n" "$bad" >cond/fields &&
		test_expect_code 1 tk-config -d cond check 2>err && test_grep "fields:2: " err || return 1
	done
'

test_done
