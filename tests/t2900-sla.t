#!/bin/sh
# SLA: deadlines from the sla and calendars files on every path that makes
# or changes tickets (lunch breaks, holidays and adjusted workdays, DST in
# New York, hours past midnight), pauses, re-targeting that keeps the time
# spent, replies, tk-sla's listings (--breached, --within, --warn, --at),
# --new claiming each breach once (two runs at once), --rearm, levels,
# --explain, --recompute and --policy, broken files (exit 3 naming
# file:line, deadlines kept).
. "$(dirname "$0")/lib.sh"

# Times: Shanghai is UTC+8 (office 09:00-12:00 13:00-18:00 is 01:00Z-04:00Z
# and 05:00Z-10:00Z); 2026-11-23 is a Monday.
cols=id,due_response,due_update,due_resolution,sla_due
mkdir -p "$TK_DIR"
cat >"$TK_DIR/calendars" <<'EOF'
calendar office Asia/Shanghai
hours    office Mon-Fri 09:00-12:00 13:00-18:00
holiday  office 2026-10-01..2026-10-07 National Day
workday  office 2026-09-27
workday  office 2026-10-10
calendar ny America/New_York
hours    ny Mon-Fri 09:00-17:00
calendar night UTC
hours    night Mon-Fri 22:00-06:00+1   # night shifts, into the next morning
EOF
cat >"$TK_DIR/sla" <<'EOF'
policy vip
  match      priority=P1
  response   15m
  update     1h
  resolution 4h
  calendar   office
  warn       50%
  level      2 after 1h
policy us
  match      queue=us
  response   2h
  resolution 1d
  calendar   ny
policy nights
  match      queue=noc
  response   2h
  calendar   night
policy default
  match      *
  response   8h
  resolution 3d
  calendar   office
EOF

# at TIME CMD...: CMD with the clock at TIME.
at() {
	TK_NOW=$1
	shift
	TK_NOW=$TK_NOW "$@"
}

# new TIME [assignment...]: a ticket made at TIME; its id on stdout.
new() {
	t=$1
	shift
	at "$t" tk-new -s "ticket at $t" -r cust@example.com "$@"
}

test_expect_success 'a new ticket: deadlines in business time, over lunch; sla_due the earliest' '
	new 2026-11-23T03:30:00Z -p P1 >id && test "$(cat id)" = 1 &&
	tk-ls -o $cols id=1 >out &&
	printf "1\t2026-11-23T03:45:00Z\t\t2026-11-23T08:30:00Z\t2026-11-23T03:45:00Z\n" >expect &&
	test_cmp expect out
'

test_expect_success 'made outside the hours (Sunday evening): counted from the opening; 3d is three working days' '
	new 2026-11-22T09:30:00Z >id && test "$(cat id)" = 2 &&
	tk-ls -o $cols id=2 >out &&
	printf "2\t2026-11-23T10:00:00Z\t\t2026-11-25T10:00:00Z\t2026-11-23T10:00:00Z\n" >expect &&
	test_cmp expect out
'

test_expect_success 'holidays: National Day is skipped; an adjusted working Sunday counts; 12:00 is a closing time' '
	new 2026-09-30T08:00:00Z -p P1 >/dev/null &&
	new 2026-09-25T09:00:00Z -p P1 >/dev/null &&
	tk-ls -a -o id,due_resolution id=3,4 >out &&
	printf "3\t2026-10-08T03:00:00Z\n4\t2026-09-27T04:00:00Z\n" >expect &&
	test_cmp expect out
'

test_expect_success 'New York over the change to summer time' '
	new 2026-03-06T21:00:00Z queue=us >/dev/null &&
	tk-ls -o $cols id=5 >out &&
	printf "5\t2026-03-09T14:00:00Z\t\t2026-03-09T20:00:00Z\t2026-03-09T14:00:00Z\n" >expect &&
	test_cmp expect out
'

test_expect_success 'hours past midnight: inside Monday night, then Tuesday night' '
	new 2026-11-24T05:00:00Z queue=noc >/dev/null &&
	tk-ls -o $cols id=6 >out &&
	printf "6\t2026-11-24T23:00:00Z\t\t\t2026-11-24T23:00:00Z\n" >expect &&
	test_cmp expect out
'

test_expect_success 'the filter language sees the deadlines: sla_due=..1h' '
	TK_NOW=2026-11-23T03:00:00Z tk-ls -o id sla_due=-1h..1h >out &&
	printf "1\n" >expect && test_cmp expect out &&
	TK_NOW=2026-11-23T03:00:00Z tk-ls -o id sla_due=..1h >out &&
	printf "1\n3\n4\n5\n" >expect && test_cmp expect out &&
	tk-ls -o id sla_due=2026-11-23T00:00:00Z..2026-11-23T12:00:00Z >out &&
	printf "1\n2\n" >expect && test_cmp expect out &&
	tk-ls -o id due_resolution=2026-11-25 >out && echo 2 >expect && test_cmp expect out &&
	test_expect_code 2 tk-set due_response=2026-12-01 1 2>err && test_grep "set by tk" err
'

test_expect_success 'pending pauses: sla_due cleared, deadlines kept, logged via sla:vip; the state is paused, remaining frozen' '
	new 2026-11-23T01:00:00Z -p P1 >id && test "$(cat id)" = 7 &&
	at 2026-11-23T01:30:00Z tk-set -q status=pending 7 &&
	tk-ls -o $cols id=7 >out &&
	printf "7\t2026-11-23T01:15:00Z\t\t2026-11-23T06:00:00Z\t\n" >expect && test_cmp expect out &&
	tk-log 7 | awk -F "\t" "\$4 == \"sla_due\" { print \$5, \$6 \"|\", \$8 }" >out &&
	printf "2026-11-23T01:15:00Z | sla:vip\n" >expect && test_cmp expect out &&
	at 2026-11-23T05:00:00Z tk-sla 7 >out &&
	printf "7\tresponse\t2026-11-23T01:15:00Z\t-900\tvip\tpaused\t\n7\tresolution\t2026-11-23T06:00:00Z\t12600\tvip\tpaused\t\n" >expect &&
	test_cmp expect out
'

test_expect_success 'the pause ends: each deadline moves by the business time it took (3h: 09:30-12:00, 13:00-13:30)' '
	at 2026-11-23T05:30:00Z tk-set -q status=open 7 &&
	tk-ls -o $cols id=7 >out &&
	printf "7\t2026-11-23T05:15:00Z\t\t2026-11-23T09:00:00Z\t2026-11-23T05:15:00Z\n" >expect && test_cmp expect out &&
	tk-log 7 | awk -F "\t" "\$2 == \"2026-11-23T05:30:00Z\" { print \$4, \$8 }" >out &&
	printf "status cli\ndue_response sla:vip\ndue_resolution sla:vip\nsla_due sla:vip\n" >expect && test_cmp expect out
'

test_expect_success 're-targeting: P3 to P1 moves to policy vip keeping the time spent since creation' '
	new 2026-11-23T01:00:00Z >id && test "$(cat id)" = 8 &&
	tk-ls -o $cols id=8 >out &&
	printf "8\t2026-11-23T10:00:00Z\t\t2026-11-25T10:00:00Z\t2026-11-23T10:00:00Z\n" >expect && test_cmp expect out &&
	at 2026-11-23T02:00:00Z tk-set -q priority=P1 8 &&
	tk-ls -o $cols id=8 >out &&
	printf "8\t2026-11-23T01:15:00Z\t\t2026-11-23T06:00:00Z\t2026-11-23T01:15:00Z\n" >expect && test_cmp expect out &&
	tk-log 8 | awk -F "\t" "\$2 == \"2026-11-23T02:00:00Z\" { print \$4, \$8 }" >out &&
	printf "priority cli\ndue_response sla:vip\ndue_resolution sla:vip\nsla_due sla:vip\n" >expect && test_cmp expect out
'

test_expect_success 'replies: the first response stops its clock, a customer reply starts the update clock, an answer stops it' '
	new 2026-11-23T01:00:00Z -p P1 >id && test "$(cat id)" = 9 &&
	at 2026-11-23T01:10:00Z tk-comment -q -m "on it" 9 &&
	tk-ls -o first_response,due_response,sla_due id=9 >out &&
	printf "2026-11-23T01:10:00Z\t\t2026-11-23T06:00:00Z\n" >expect && test_cmp expect out &&
	at 2026-11-23T03:30:00Z tk-comment -q -f cust@example.com -m "still broken" 9 &&
	tk-ls -o due_update,sla_due id=9 >out &&
	printf "2026-11-23T05:30:00Z\t2026-11-23T05:30:00Z\n" >expect && test_cmp expect out &&
	at 2026-11-23T03:40:00Z tk-comment -q -i -m "a note answers nobody" 9 &&
	tk-ls -o due_update id=9 >out && echo 2026-11-23T05:30:00Z >expect && test_cmp expect out &&
	at 2026-11-23T05:10:00Z tk-comment -q -m "try now" 9 &&
	tk-ls -o due_update,sla_due id=9 >out &&
	printf "\t2026-11-23T06:00:00Z\n" >expect && test_cmp expect out
'

test_expect_success 'resolved: every clock stops; a reopening reply starts resolution and update again' '
	at 2026-11-23T05:20:00Z tk-set -q status=resolved 9 &&
	tk-ls -a -o $cols id=9 >out && printf "9\t\t\t\t\n" >expect && test_cmp expect out &&
	at 2026-11-24T01:00:00Z tk-comment -q -f cust@example.com -m "back again" 9 &&
	tk-ls -o status,$cols id=9 >out &&
	printf "open\t9\t\t2026-11-24T02:00:00Z\t2026-11-24T06:00:00Z\t2026-11-24T02:00:00Z\n" >expect &&
	test_cmp expect out
'

test_expect_success 'what the hooks kept is what the history gives: --recompute --dry-run finds nothing' '
	tk-sla --recompute --dry-run >out && test_empty out
'

test_expect_success 'every intake path: tk-new -b, tk-import, a dry-run-free tk-assign and tk-comment write deadlines' '
	printf "subject\tpriority\nbatch one\tP1\nbatch two\tP3\n" | at 2026-11-23T01:00:00Z tk-new -q -b &&
	printf "subject,priority,created\nimported,P1,2026-11-23T01:00:00Z\n" >in.csv &&
	at 2026-11-23T01:00:00Z tk-import -q in.csv &&
	tk-ls -o id,due_response,due_resolution id=10,11,12 >out &&
	printf "10\t2026-11-23T01:15:00Z\t2026-11-23T06:00:00Z\n11\t2026-11-23T10:00:00Z\t2026-11-25T10:00:00Z\n12\t2026-11-23T01:15:00Z\t2026-11-23T06:00:00Z\n" >expect &&
	test_cmp expect out &&
	tk-agent -q add alice &&
	cat >"$TK_DIR/sla.new" <<-EOF &&
	policy mine
	  match assignee=alice
	  response 1h
	  calendar office
	EOF
	cat "$TK_DIR/sla" >>"$TK_DIR/sla.new" && mv "$TK_DIR/sla" sla.orig && mv "$TK_DIR/sla.new" "$TK_DIR/sla" &&
	at 2026-11-23T01:30:00Z tk-assign -q --to alice 11 &&
	tk-ls -o id,due_response,due_resolution id=11 >out &&
	printf "11\t2026-11-23T02:00:00Z\t\n" >expect && test_cmp expect out &&
	mv sla.orig "$TK_DIR/sla" && tk-sla --recompute -q &&
	tk-ls -o id,due_response,due_resolution id=11 >out &&
	printf "11\t2026-11-23T10:00:00Z\t2026-11-25T10:00:00Z\n" >expect && test_cmp expect out
'

test_expect_success 'tk-sla: one record a clock, id metric deadline remaining policy state level' '
	TK_NOW=2026-11-23T03:40:00Z tk-sla -H id=1,2 >out &&
	cat >expect <<-EOF &&
	#id	metric	deadline	remaining	policy	state	level
	1	response	2026-11-23T03:45:00Z	300	vip	warning	
	1	resolution	2026-11-23T08:30:00Z	13800	vip	ok	
	2	response	2026-11-23T10:00:00Z	19200	default	ok	
	2	resolution	2026-11-25T10:00:00Z	76800	default	ok	
	EOF
	test_cmp expect out &&
	TK_NOW=2026-11-23T03:40:00Z tk-sla -o id,metric,state,subject --json id=1 >out &&
	head -n 1 out >first && echo "{\"id\":1,\"metric\":\"response\",\"state\":\"warning\",\"subject\":\"ticket at 2026-11-23T03:30:00Z\"}" >expect &&
	test_cmp expect first
'

test_expect_success '--breached, --within (business time), --warn, --at: the windows' '
	TK_NOW=2026-11-23T03:50:00Z tk-sla --breached -o id,metric,remaining id=1,2 >out &&
	printf "1\tresponse\t-300\n" >expect && test_cmp expect out &&
	TK_NOW=2026-11-23T03:50:00Z tk-sla --breached -o id,metric,state id=5 >out &&
	printf "5\tresponse\tbreached\n5\tresolution\tbreached\n" >expect && test_cmp expect out &&
	TK_NOW=2026-11-23T03:50:00Z tk-sla --within 5h -o id,metric,remaining id=1,2,5 >out &&
	printf "1\tresolution\t13200\n" >expect && test_cmp expect out &&
	TK_NOW=2026-11-23T03:50:00Z tk-sla --within 7h -o id,metric,remaining id=1,2,5 >out &&
	printf "1\tresolution\t13200\n2\tresponse\t18600\n" >expect && test_cmp expect out &&
	TK_NOW=2026-11-23T03:50:00Z tk-sla --within 7h --breached -o id,metric id=1,2,5 >out &&
	printf "1\tresponse\n1\tresolution\n2\tresponse\n5\tresponse\n5\tresolution\n" >expect && test_cmp expect out &&
	TK_NOW=2026-11-23T03:35:00Z tk-sla --warn 20% -o id,metric,state id=1,2 >out &&
	printf "1\tresponse\twarning\n2\tresponse\twarning\n" >expect && test_cmp expect out &&
	tk-sla --at "2026-11-25 09:00" -o id,metric,state id=2 >out &&
	printf "2\tresponse\tbreached\n2\tresolution\twarning\n" >expect && test_cmp expect out &&
	TK_NOW=2026-11-23T03:00:00Z test_expect_code 1 tk-sla --breached id=2
'

test_expect_success 'the windows are read through sla_due: a ticket whose field says later is not looked at' '
	TK_NOW=2026-11-23T03:50:00Z tk-sla --breached -o id >all &&
	mdb_stat -s ix_sla_due "$TK_DIR" | grep -q "Entries" &&
	! grep -x 2 all
'

test_expect_success '--new: each breach listed once, the level claimed; again nothing (exit 1); --rearm lists it again' '
	TK_NOW=2026-11-23T03:50:00Z tk-sla --breached --new -o id,metric,level id=1,5 >out &&
	printf "1\tresponse\t1\n5\tresponse\t1\n5\tresolution\t1\n" >expect && test_cmp expect out &&
	TK_NOW=2026-11-23T03:51:00Z test_expect_code 1 tk-sla --breached --new id=1,5 >out && test_empty out &&
	TK_NOW=2026-11-23T03:51:00Z tk-sla -o id,metric,level id=1 >out &&
	printf "1\tresponse\t1\n1\tresolution\t\n" >expect && test_cmp expect out &&
	tk-sla --rearm 1 &&
	TK_NOW=2026-11-23T03:52:00Z tk-sla --breached --new -o id,metric,level id=1 >out &&
	printf "1\tresponse\t1\n" >expect && test_cmp expect out &&
	test_expect_code 1 tk-sla --rearm 2 2>err && test_grep "ticket 2: no breach or warning claimed" err
'

test_expect_success 'levels: level 2 an hour of business time after the breach; warnings with --warn --new once' '
	TK_NOW=2026-11-23T05:40:00Z test_expect_code 1 tk-sla --breached --new id=1 &&
	TK_NOW=2026-11-23T05:50:00Z tk-sla --breached --new -o id,metric,level id=1 >out &&
	printf "1\tresponse\t2\n" >expect && test_cmp expect out &&
	TK_NOW=2026-11-23T07:00:00Z tk-sla --warn 50% --new -o id,metric,state,level id=1 >out &&
	printf "1\tresolution\twarning\t0\n" >expect && test_cmp expect out &&
	TK_NOW=2026-11-23T07:01:00Z test_expect_code 1 tk-sla --warn 50% --new id=1
'

test_expect_success 'two --new runs at once: no breach listed twice, none lost' '
	i=0 && while [ $i -lt 60 ]; do echo "breach $i"; i=$((i + 1)); done >subjects &&
	{ printf "subject\tpriority\n"; sed "s/$/\tP1/" subjects; } | at 2026-11-23T01:00:00Z tk-new -q -b &&
	tk-ls -o id subject~^breach >ids &&
	(TK_NOW=2026-11-23T09:00:00Z tk-sla --breached --new -o id,metric,level - <ids >run1 &
	 TK_NOW=2026-11-23T09:00:00Z tk-sla --breached --new -o id,metric,level - <ids >run2 &
	 TK_NOW=2026-11-23T09:00:00Z tk-sla --breached --new -o id,metric,level - <ids >run3 &
	 wait) &&
	cat run1 run2 run3 | sort >all && sort -u all >uniq &&
	test_cmp uniq all &&
	test "$(wc -l <all)" -eq 120 &&
	echo "runs printed $(wc -l <run1) $(wc -l <run2) $(wc -l <run3)"
'

test_expect_success 'a --new step whose pipe failed: --rearm ID, and the next run lists it' '
	id=$(head -n 1 ids) &&
	tk-sla --rearm "$id" &&
	TK_NOW=2026-11-23T09:01:00Z tk-sla --breached --new -o id,metric - <ids >out &&
	printf "%s\tresponse\n%s\tresolution\n" "$id" "$id" >expect && test_cmp expect out
'

test_expect_success '--explain: the calendar, hours, pauses, holidays and policy behind each deadline' '
	tk-sla --explain 7 >out &&
	test_grep "^policy vip (.*sla:1): match priority=P1" out &&
	test_grep "^calendar office (Asia/Shanghai): Mon-Fri 09:00-12:00 13:00-18:00" out &&
	test_grep "from 2026-11-23T01:30:00Z (Mon 2026-11-23 09:30 +08:00) to 2026-11-23T05:30:00Z (Mon 2026-11-23 13:30 +08:00): 10800 business seconds" out &&
	test_grep "^resolution: target 4h = 14400 business seconds from 2026-11-23T01:00:00Z" out &&
	test_grep "deadline 2026-11-23T09:00:00Z (Mon 2026-11-23 17:00 +08:00)" out &&
	tk-sla --explain 3 >out &&
	test_grep "on the way: holiday 2026-10-01..2026-10-07 National Day" out &&
	tk-sla --explain 5 >out && test_grep "clocks change Sun 2026-03-08 03:00 -04:00" out &&
	tk-sla --explain 2 >out && test_grep "outside the hours: counted from the opening at 2026-11-23T01:00:00Z" out &&
	test_expect_code 1 tk-sla --explain 999 2>err && test_grep "ticket 999: no such ticket" err
'

test_expect_success '--policy FILE: a what-if of another sla file; nothing written' '
	sed "s/resolution 4h/resolution 8h/" "$TK_DIR/sla" >what-if &&
	mdb_dump -a "$TK_DIR" >before &&
	TK_NOW=2026-11-23T03:00:00Z tk-sla -o id,metric,deadline id=1 >now &&
	TK_NOW=2026-11-23T03:00:00Z tk-sla --policy what-if -o id,metric,deadline id=1 >then &&
	printf "1\tresponse\t2026-11-23T03:45:00Z\n1\tresolution\t2026-11-23T08:30:00Z\n" >expect && test_cmp expect now &&
	printf "1\tresponse\t2026-11-23T03:45:00Z\n1\tresolution\t2026-11-24T03:30:00Z\n" >expect && test_cmp expect then &&
	mdb_dump -a "$TK_DIR" >after && test_cmp before after
'

test_expect_success '--recompute after a change of the file: --dry-run shows, writes nothing; then re-targets, logged' '
	cp "$TK_DIR/sla" sla.keep && cp what-if "$TK_DIR/sla" &&
	mdb_dump -a "$TK_DIR" >before &&
	tk-sla --recompute --dry-run >dry &&
	mdb_dump -a "$TK_DIR" >after && test_cmp before after &&
	grep -x "1	resolution	2026-11-23T08:30:00Z	2026-11-24T03:30:00Z	vip" dry &&
	at 2026-11-23T04:00:00Z tk-sla --recompute >done && test_cmp dry done &&
	tk-log 1 | awk -F "\t" "\$2 == \"2026-11-23T04:00:00Z\" { print \$4, \$6, \$8 }" >out &&
	printf "due_resolution 2026-11-24T03:30:00Z sla:vip\n" >expect && test_cmp expect out &&
	tk-sla --recompute --dry-run >out && test_empty out &&
	cp sla.keep "$TK_DIR/sla" && tk-sla --recompute -q
'

test_expect_success 'broken files: exit 3 naming file:line; existing deadlines stay; tk-sla refuses too' '
	tk-ls -a -o $cols >deadlines &&
	cp "$TK_DIR/calendars" cal.keep && cp "$TK_DIR/sla" sla.keep &&
	echo "calendar bad Mars/Olympus" >>"$TK_DIR/calendars" &&
	test_expect_code 3 tk-new -s x 2>err && test_grep "calendars:10: Mars/Olympus: no such time zone" err &&
	test_expect_code 3 tk-set -q priority=P2 1 2>err && test_grep "calendars:10:" err &&
	test_expect_code 3 tk-sla 2>err && test_grep "calendars:10:" err &&
	cp cal.keep "$TK_DIR/calendars" &&
	echo "hours office Sat 10:00-09:00" >>"$TK_DIR/calendars" &&
	test_expect_code 3 tk-comment -q -m hi 1 2>err && test_grep "calendars:10: 10:00-09:00: ends before it starts" err &&
	cp cal.keep "$TK_DIR/calendars" &&
	echo "hours office Mon 11:00-12:30" >>"$TK_DIR/calendars" &&
	test_expect_code 3 tk-sla --breached 2>err &&
	test_grep "calendars:10: calendar office: 11:00-12:30 overlaps 09:00-12:00 (line 2)" err &&
	cp cal.keep "$TK_DIR/calendars" &&
	printf "policy x\n  match *\n  response soon\n" >"$TK_DIR/sla" &&
	test_expect_code 3 tk-new -s x 2>err && test_grep "sla:3: response soon: not a duration" err &&
	printf "policy x\n  match prioirty=P1\n  response 1h\n" >"$TK_DIR/sla" &&
	test_expect_code 3 tk-new -s x 2>err && test_grep "sla:1: policy x: .*prioirty" err &&
	printf "policy x\n  match *\n  response 1h\n  calendar ofice\n" >"$TK_DIR/sla" &&
	test_expect_code 3 tk-import in.csv 2>err && test_grep "sla:4: calendar ofice: no such calendar; did you mean office?" err &&
	printf "  response 1h\n" >"$TK_DIR/sla" &&
	test_expect_code 3 tk-sla --new 2>err && test_grep "sla:1: response: outside a policy" err &&
	cp sla.keep "$TK_DIR/sla" &&
	tk-ls -a -o $cols >now && test_cmp deadlines now &&
	mkdir fresh && printf "policy x\n  response soon\n" >fresh/sla &&
	test_expect_code 3 tk-new -d fresh -s x 2>err && test_grep "fresh/sla:2:" err &&
	test ! -e fresh/data.mdb && test -e fresh/sla
'

test_expect_success 'bad words on the command line: exit 2' '
	test_expect_code 2 tk-sla --within soon 2>err && test_grep "soon" err &&
	test_expect_code 2 tk-sla --warn 150% 2>err && test_grep "1% to 99%" err &&
	test_expect_code 2 tk-sla --at yesterday 2>err &&
	test_expect_code 2 tk-sla --new --at 2026-11-23 2>err && test_grep "choose one" err &&
	test_expect_code 2 tk-sla --dry-run 2>err && test_grep "goes with --recompute" err &&
	test_expect_code 2 tk-sla --rearm x 2>err &&
	test_expect_code 2 tk-sla --explain 1 status=open 2>err
'

test_expect_success 'no sla file: no deadlines made; tk-sla lists what is stored' '
	mv "$TK_DIR/sla" sla.away &&
	new 2026-11-23T01:00:00Z -p P1 >id &&
	tk-ls -o $cols id=$(cat id) >out && printf "%s\t\t\t\t\n" "$(cat id)" >expect && test_cmp expect out &&
	mv sla.away "$TK_DIR/sla"
'

# on_tty CMD: CMD run on a pseudo-terminal 100 columns wide.
on_tty() {
	python3 -c '
import fcntl, os, pty, struct, sys, termios
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    os.execvp("sh", ["sh", "-c", sys.argv[1]])
out = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
os.waitpid(pid, 0)
sys.stdout.buffer.write(out.replace(b"\r\n", b"\n"))
' "$1"
}

test_expect_success 'on a terminal: a countdown, breached rows red, warnings yellow; NO_COLOR none' '
	on_tty "env -u NO_COLOR TK_NOW=2026-11-23T03:40:00Z tk-sla id=1,2,5" | cat -v >out &&
	test_grep "^\^\[\[33m1  *response .* 5m  *vip  *warning" out &&
	test_grep "^1  *resolution .* 3h50m  *vip  *ok" out &&
	test_grep "^\^\[\[31m5  *response .*-[0-9]*d[0-9]*h  *us  *breached" out &&
	on_tty "NO_COLOR=1 TK_NOW=2026-11-23T03:40:00Z tk-sla id=1,2,5" | cat -v >out &&
	test_grep "^1  *response" out && ! grep "\^\[" out
'

# tk-config check reads the calendars and sla files too.
test_expect_success 'tk-config check names a broken calendars or sla file' '
	mkdir -p cc && cp "$TK_DIR/calendars" "$TK_DIR/sla" cc/ &&
	tk-new -d cc -q subject=x &&
	tk-config -d cc check &&
	echo "calendar bad Mars/Olympus" >>cc/calendars &&
	test_expect_code 1 tk-config -d cc check 2>err &&
	test_grep "cc/calendars:[0-9]*: Mars/Olympus: no such time zone" err &&
	cp "$TK_DIR/calendars" cc/ &&
	printf "policy x\n  response soon\n" >>cc/sla &&
	test_expect_code 1 tk-config -d cc check 2>err &&
	test_grep "cc/sla:[0-9]*: response soon: not a duration" err
'

test_done
