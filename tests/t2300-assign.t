#!/bin/sh
# tk-assign: --to, --unassign, --round-robin (two runs at once give no turn
# twice), --least-loaded (balanced), --skills, --to-lead; capacity and duty
# respected; tickets no one can take reported, passed on, exit 1;
# --explain; --dry-run writes nothing; bad input; via in tk-log.
. "$(dirname "$0")/lib.sh"
me=$(id -un)

store_dump() {
	mdb_dump -a "$TK_DIR" >"$1"
}

# new_tickets N [assignment...]: N new tickets, by tk-new -b.
new_tickets() {
	n=$1
	shift
	{
		printf "subject"
		for a; do printf "\t%s" "${a%%=*}"; done
		printf "\n"
		i=0
		while [ $i -lt "$n" ]; do
			i=$((i + 1))
			printf "t%s" $i
			for a; do printf "\t%s" "${a#*=}"; done
			printf "\n"
		done
	} | tk-new -q -b
}

test_expect_success 'setup: agents, teams, tickets' '
	tk-agent -q add alice teams=l1 skills=network,vpn capacity=3 &&
	tk-agent -q add bob teams=l1 role=lead skills=printer &&
	tk-agent -q add carol teams=l2 skills=vpn,zh capacity=10 &&
	tk-agent -q add dave teams=l2 duty=off &&
	tk-agent -q add erin teams=l2 role=lead &&
	tk-agent -q team l1 queues=desk,hw &&
	tk-agent -q team l2 queues=net &&
	new_tickets 6 queue=desk &&
	new_tickets 4 queue=net &&
	new_tickets 2
'

test_expect_success '--to: given, printed when changed; from a pipe every ticket; --to me' '
	tk-assign --to carol 11 >out &&
	printf "11\tnew\tP3\t\tcarol\tt1\n" >expect && test_cmp expect out &&
	tk-assign --to carol 11 >out && test_empty out &&
	printf "11\n12\n" | tk-assign -o id,assignee --to carol >out &&
	printf "11\tcarol\n12\tcarol\n" >expect && test_cmp expect out &&
	tk-agent -q add "$me" &&
	tk-assign -q --to me 12 && tk-ls -o assignee id=12 >out && echo "$me" >expect && test_cmp expect out &&
	tk-assign -q --unassign 11 12 &&
	tk-ls -o id assignee= id=11,12 >out && printf "11\n12\n" >expect && test_cmp expect out &&
	tk-agent -q rm "$me"
'

test_expect_success '--to: off duty and at capacity refused, reported, passed on, exit 1' '
	test_expect_code 1 tk-assign --to dave 11 2>err >out && test_empty out &&
	test_grep "ticket 11: not given to dave off duty" err &&
	tk-assign -q --to alice 1 2 3 &&
	printf "4\n11\n" | test_expect_code 1 tk-assign -o id,assignee --to alice >out 2>err &&
	printf "4\t\n11\t\n" >expect && test_cmp expect out &&
	test_grep "ticket 4: not given to alice at capacity (3 of 3)" err &&
	tk-assign -q --to alice 1 && tk-assign -q --unassign 1 2 3
'

test_expect_success '--least-loaded: balanced among the team that owns the queue, carried forward' '
	tk-ls -o id queue=desk | tk-assign -o id,assignee --least-loaded >out &&
	printf "1\tbob\n2\talice\n3\tbob\n4\talice\n5\tbob\n6\talice\n" >expect && test_cmp expect out &&
	tk-agent ls -o login,load team=l1 >out && printf "alice\t3\nbob\t3\n" >expect && test_cmp expect out &&
	tk-ls -o id queue=desk | tk-assign -q --least-loaded &&
	tk-agent ls -o login,load team=l1 >out && test_cmp expect out &&
	new_tickets 3 queue=hw &&
	tk-ls -o id queue=hw | tk-assign -o id,assignee --least-loaded >out 2>err &&
	printf "13\tbob\n14\tbob\n15\tbob\n" >expect && test_cmp expect out
'

test_expect_success '--least-loaded --team: off duty skipped; 30 tickets among equals, 10 each' '
	tk-assign -q --unassign $(tk-ls -t -o id queue=net) &&
	new_tickets 26 queue=net &&
	tk-agent -q set carol capacity= &&
	tk-ls -o id queue=net | tk-assign -q --least-loaded --team l2 &&
	tk-agent ls -o login,load team=l2 >out &&
	printf "carol\t15\ndave\t0\nerin\t15\n" >expect && test_cmp expect out &&
	tk-agent -q set dave duty=on &&
	tk-assign -q --unassign $(tk-ls -t -o id queue=net) &&
	tk-ls -o id queue=net | tk-assign -q --least-loaded --team l2 &&
	tk-agent ls -o login,load team=l2 >out &&
	printf "carol\t10\ndave\t10\nerin\t10\n" >expect && test_cmp expect out &&
	tk-agent -q set dave duty=off
'

test_expect_success '--round-robin: the turn persists between runs, per team' '
	tk-assign -q --unassign $(tk-ls -t -o id queue=net) &&
	tk-ls -o id queue=net | head -4 | tk-assign -t -o assignee --round-robin >out &&
	printf "carol\nerin\ncarol\nerin\n" >expect && test_cmp expect out &&
	tk-ls -o id queue=net | sed -n 5p | tk-assign -t -o assignee --round-robin >out &&
	echo carol >expect && test_cmp expect out &&
	mdb_dump -p -s rr_cursor "$TK_DIR" | sed -n "/^HEADER=END/,/^DATA=END/p" >cur &&
	printf "HEADER=END\n l2\n carol\nDATA=END\n" >expect && test_cmp expect cur
'

# Four runs started at once: each reads the turn in its own write
# transaction, which LMDB gives one process at a time, so the turns in the
# log's order go round the seven agents without a repeat or a gap.
test_expect_success '--round-robin: runs at once never give the same turn twice' '
	tk-agent -q add r1 teams=rr && tk-agent -q add r2 teams=rr && tk-agent -q add r3 teams=rr &&
	tk-agent -q add r4 teams=rr && tk-agent -q add r5 teams=rr && tk-agent -q add r6 teams=rr &&
	tk-agent -q add r7 teams=rr &&
	new_tickets 12000 queue=round &&
	tk-ls -t -o id queue=round | split -l 3000 - part. &&
	seq0=$(tk-log | tail -n 1 | cut -f7) &&
	pids= && for p in part.*; do tk-assign -q --round-robin --team rr <$p 2>err.$p & pids="$pids $!"; done &&
	for p in $pids; do wait $p || { echo "a run failed:"; cat err.part.*; exit 1; }; done &&
	tk-log --after "$seq0" | awk -F "\t" "\$4 == \"assignee\" { print \$6 }" >turns &&
	test "$(wc -l <turns)" -eq 12000 &&
	awk "{ want = \"r\" ((NR - 1) % 7 + 1); if (\$0 != want) { print NR \": \" \$0 \" after \" prev \", want \" want; bad = 1; exit } prev = \$0 } END { exit bad }" turns &&
	tk-agent ls -o login,load team=rr >out &&
	printf "r1\t1715\nr2\t1715\nr3\t1714\nr4\t1714\nr5\t1714\nr6\t1714\nr7\t1714\n" >expect && test_cmp expect out
'

test_expect_success '--skills: category and tags against skills, most matches, then least loaded' '
	tk-new -q -s "vpn down" category=network +vpn queue=desk &&
	tk-new -q -s "vpn only" +vpn queue=net &&
	tk-new -q -s "paper" +printer &&
	tk-new -q -s "nobody knows" +fax &&
	tk-new -q -s "nothing asked" &&
	last=$(tk-ls -t -a -o id | tail -n 1) &&
	tk-assign -q --unassign $(tk-ls -t -o id assignee=alice) &&
	test_expect_code 1 tk-assign -o subject,assignee --skills $((last - 4)) $((last - 3)) $((last - 2)) $((last - 1)) $last >out 2>err &&
	printf "vpn down\talice\nvpn only\tcarol\npaper\tbob\n" >expect && test_cmp expect out &&
	test_grep "ticket $((last - 1)): no agent on duty with room has a skill asked (tags=fax) in all agents" err &&
	test_grep "ticket $last: no skill asked: the ticket has no category or tags" err &&
	tk-new -q -s "打印机坏了" -m "办公室的打印机不能打印" &&
	tk-assign -t -o assignee --skills --explain $(tk-ls -t -o id subject~打印机) >out 2>err &&
	echo carol >expect && test_cmp expect out &&
	test_grep "carol load [0-9]*, skills zh (script=han)" err
'

test_expect_success '--to-lead: the lead of the team that owns the queue' '
	tk-assign -q --unassign 1 &&
	tk-assign -o id,assignee --to-lead 1 >out &&
	printf "1\tbob\n" >expect && test_cmp expect out &&
	tk-ls -t -o id queue=net | head -n 1 >id &&
	tk-assign -t -o assignee --to-lead $(cat id) >out && echo erin >expect && test_cmp expect out &&
	test_expect_code 1 tk-assign --to-lead $((last = $(tk-ls -t -a -o id | tail -n 1))) 2>err &&
	test_grep "no lead: the ticket has no queue" err &&
	tk-new -q -s orphan queue=nowhere &&
	test_expect_code 1 tk-assign --to-lead $(tk-ls -t -o id queue=nowhere) 2>err &&
	test_grep "no lead: queue nowhere belongs to no team" err &&
	tk-agent -q set erin duty=off &&
	tk-assign -q --unassign $(cat id) &&
	test_expect_code 1 tk-assign --to-lead $(cat id) 2>err &&
	test_grep "no lead on duty with room in team l2 (owns the queue): erin off duty" err &&
	tk-agent -q set erin duty=on
'

test_expect_success '--explain: the agent chosen, its load and capacity, the others' '
	tk-assign -q --unassign 2 &&
	tk-assign -q --least-loaded --explain 2 2>err &&
	test_grep "^tk-assign: ticket 2: alice load [0-9]* of 3; least loaded in team l1 (owns the queue); others: bob load [0-9]*$" err &&
	tk-assign -q --skills --explain $(tk-ls -t -o id subject="vpn down") 2>err &&
	test_grep "alice load [0-9]* of 3, skills category=network +vpn; most skills asked" err
'

test_expect_success 'bad input: exit 2, nothing written' '
	store_dump before &&
	test_expect_code 2 tk-assign --to alise 1 2>err && echo "tk-assign: no agent alise; did you mean alice?" >expect && test_cmp expect err &&
	test_expect_code 2 tk-assign --least-loaded --team l3 1 2>err && test_grep "no team l3; did you mean l1?" err &&
	test_expect_code 2 tk-assign --least-loaded --round-robin 1 2>err && test_grep "one way to assign at a time" err &&
	test_expect_code 2 tk-assign 1 2>err && test_grep "how?" err &&
	test_expect_code 2 tk-assign --to-lead --team l1 1 2>err && test_grep "team goes with" err &&
	test_expect_code 2 tk-assign --to "a b" 1 2>err && test_grep "not a login" err &&
	test_expect_code 2 tk-assign --least-loaded abc 2>err && test_grep "abc: not a ticket id" err &&
	store_dump after && test_cmp before after &&
	test_expect_code 1 tk-assign -q --least-loaded 99999 2>err && test_grep "ticket 99999: no such ticket" err &&
	printf "1\nxyz\n" | test_expect_code 3 tk-assign -o id --least-loaded >out 2>err && test_grep "xyz: not a ticket id" err &&
	echo 1 >expect && test_cmp expect out
'

test_expect_success 'via: every change logged assign:STRATEGY' '
	tk-log | awk -F "\t" "\$4 == \"assignee\" { print \$8 }" | sort -u >out &&
	printf "assign:least-loaded\nassign:round-robin\nassign:skills\nassign:to\nassign:to-lead\nassign:unassign\n" >expect &&
	test_cmp expect out
'

test_expect_success 'the loads still match the tickets after all of it' '
	tk-ls -t -o assignee | sort | uniq -c | awk "\$2 != \"\" { print \$2 \"\t\" \$1 }" >counted &&
	tk-agent ls -t -o login,load | awk -F "\t" "\$2 != 0" >loads &&
	test_cmp counted loads
'

test_expect_success '--dry-run writes nothing; balances as the real run would; -o ends the stream' '
	tk-ls -t -o id queue=net | tk-assign -q --unassign &&
	store_dump before &&
	tk-ls -o id queue=net | tk-assign --dry-run --least-loaded --team l2 >stream &&
	head -n 1 stream >mark && echo "#dry-run" >expect && test_cmp expect mark &&
	sed -n 2p stream | cut -f1-4 >hdr && printf "#id\tcreated\tupdated\tstatus\n" >expect && test_cmp expect hdr &&
	tk-ls -o id queue=net | tk-assign --dry-run --least-loaded --team l2 -o id,assignee >dry &&
	store_dump after && test_cmp before after &&
	tk-ls -o id queue=net | tk-assign --least-loaded --team l2 -o id,assignee >real &&
	test_cmp dry real &&
	cut -f2 dry | sort | uniq -c | awk "{ print \$1 }" | sort -u >counts && test "$(wc -l <counts)" -le 2
'

test_expect_success '--dry-run steps in a pipe: each takes the stream; a real step refuses it' '
	store_dump before &&
	tk-ls -o id queue=net | tk-assign --dry-run --unassign | tk-assign --dry-run --round-robin --team l2 -o id,assignee >out &&
	test "$(cut -f2 out | sort -u | tr "\n" " ")" = "carol erin " &&
	tk-ls -o id queue=net | tk-assign --dry-run --to carol | tk-assign --dry-run --to-lead -o assignee | sort -u >out &&
	echo erin >expect && test_cmp expect out &&
	tk-ls -o id queue=net | tk-assign --dry-run --unassign | test_expect_code 3 tk-assign --least-loaded 2>err &&
	test_grep "a dry-run stream (#dry-run): only a --dry-run command reads it" err &&
	store_dump after && test_cmp before after
'

test_expect_success 'tk-assign --dry-run counts what earlier steps would have changed' '
	tk-agent -q add x teams=bt && tk-agent -q add y teams=bt && tk-agent -q team bt queues=bt &&
	new_tickets 4 queue=bt &&
	tk-ls -o id queue=bt | tk-assign -q --to x &&
	tk-ls -o id queue=bt | tk-assign --dry-run --unassign | tk-assign --dry-run --least-loaded -t -o assignee >out &&
	printf "x\ny\nx\ny\n" >expect && test_cmp expect out &&
	tk-agent ls -o login,load team=bt >out && printf "x\t4\ny\t0\n" >expect && test_cmp expect out
'

test_done
