#!/bin/sh
# Workflows (tk-config(5), issue 24): statuses with classes kept in the
# store and changed only by tk-config apply, which moves tickets between
# the working set and the status index; writers refusing while the file
# and the store disagree; transitions per queue and type, refused naming
# the statuses allowed; ticket types; a status dropped under tickets.
. "$(dirname "$0")/lib.sh"

# same_by_index_and_scan STATUS...: tk-ls by index (or working set) finds
# what a pass over every ticket finds.
same_by_index_and_scan() {
	for s; do
		{ tk-ls -a -t -o id status=$s >by.index || test $? -eq 1; } &&
		{ tk-ls -a -t -o id "status~^$s\$" >by.scan || test $? -eq 1; } &&
		test_cmp by.scan by.index || return 1
	done
}

test_expect_success 'no workflow file: tk'"'"'s default workflow, nothing to apply' '
	tk-new -q -s one && tk-new -q -s two && tk-new -q -s three && tk-new -q -s four &&
	tk-set -q status=pending 2 && tk-set -q status=resolved 3 && tk-set -q status=closed 4 &&
	tk-ls -t -o id,status >out && printf "1\tnew\n2\tpending\n" >expect && test_cmp expect out &&
	tk-config check 2>err && test_empty err &&
	tk-config apply >out 2>err && test_empty out && test_grep "nothing to apply" err
'

test_expect_success 'an illegal transition is refused naming the statuses that may follow (exit 3)' '
	test_expect_code 3 tk-set status=new 2 2>err &&
	test_grep "ticket 2: status pending -> new is not allowed (from pending: open, resolved, closed)" err &&
	test_expect_code 3 tk-set status=pending 3 2>err &&
	test_grep "status resolved -> pending is not allowed (from resolved: open, closed)" err &&
	test_expect_code 3 tk-set status=open 4 2>err &&
	echo "tk-set: ticket 4: status closed -> open is not allowed (closed is final)" >expect && test_cmp expect err
'

cat >workflow.txt <<'EOF'
# the service desk's workflow
status new       open
status triage    open
status open      open
status pending   paused
status waiting   paused     # on a supplier
status resolved  resolved
status closed    closed
type incident request problem change
allow new -> triage open closed
allow triage -> open closed
allow open pending waiting -> open pending waiting resolved closed
allow resolved -> open closed
flow changes
  match type=change
  allow new -> open
  allow open -> resolved
  allow resolved -> closed
flow hardware
  match queue~^(hw|lab)(-.*)?$ priority!=P4
  allow * -> closed
  allow new -> open
EOF

test_expect_success 'a workflow with new statuses: writers refuse until tk-config apply, readers go on' '
	cp workflow.txt "$TK_DIR/workflow" &&
	tk-log >before &&
	test_expect_code 3 tk-set status=open 1 2>err &&
	test_grep "workflow:3: status triage is not in the store yet: .*run tk-config apply (writing commands refuse until then)" err &&
	test_expect_code 3 tk-new -s five 2>err && test_grep "run tk-config apply" err &&
	tk-log >after && test_cmp before after &&
	tk-ls -t -o id >out 2>err && printf "1\n2\n" >expect && test_cmp expect out && test_empty err &&
	test_expect_code 1 tk-config check 2>err && test_grep "workflow:3: status triage is not in the store yet" err &&
	tk-config apply >out &&
	printf "status\ttriage\t\topen\t0\nstatus\twaiting\t\tpaused\t0\n" >expect && test_cmp expect out &&
	tk-log config:workflow | cut -f4-6,8 >out &&
	printf "workflow\t\ttriage open\tconfig\nworkflow\t\twaiting paused\tconfig\n" >expect && test_cmp expect out &&
	tk-config check 2>err && test_empty err &&
	tk-set -q status=triage 1 && tk-new -q -s five && tk-ls -t -o id,status >out &&
	printf "1\ttriage\n2\tpending\n5\tnew\n" >expect && test_cmp expect out
'

test_expect_success 'transitions: the file'"'"'s allow lines, refused naming the allowed ones and the file' '
	test_expect_code 3 tk-set status=pending 1 2>err &&
	test_grep "ticket 1: status triage -> pending is not allowed (from triage: open, closed; workflow)" err &&
	tk-set -q status=open 1 && tk-set -q status=waiting 1 && tk-set -q status=resolved 1 &&
	test_expect_code 3 tk-set status=waiting 1 2>err &&
	test_grep "status resolved -> waiting is not allowed (from resolved: open, closed; workflow)" err &&
	tk-set -q status=open 1 &&
	tk-ls -t -o status,reopens,resolved id=1 >out && printf "open\t1\t\n" >expect && test_cmp expect out
'

test_expect_success 'types: checked against the file'"'"'s (exit 3 on the command line and in records: refused by the store), kept as it spells them' '
	test_expect_code 3 tk-new -s bad type=bug 2>err &&
	test_grep "type=bug: not a type of this store (incident, request, problem, change) (workflow:9)" err &&
	tk-new -s c1 type=Change >c1 && tk-ls -t -o type id=$(cat c1) >out && echo change >expect && test_cmp expect out &&
	printf "#subject\ttype\nr1\tincident\nr2\tstory\n" | test_expect_code 3 tk-new -b >ids 2>err &&
	test_grep "stdin:3: type=story: not a type of this store" err && test "$(wc -l <ids)" -eq 1
'

test_expect_success 'a type with its own transitions (flow changes), a queue with its own (flow hardware)' '
	test_expect_code 3 tk-set status=triage $(cat c1) 2>err &&
	test_grep "status new -> triage is not allowed (from new: open; flow changes, workflow:14)" err &&
	tk-set -q status=open $(cat c1) &&
	test_expect_code 3 tk-set status=closed $(cat c1) 2>err &&
	test_grep "status open -> closed is not allowed (from open: resolved; flow changes, workflow:14)" err &&
	tk-set -q status=resolved $(cat c1) && tk-set -q status=closed $(cat c1) &&
	tk-new -s hw1 queue=hw >hw1 &&
	test_expect_code 3 tk-set status=triage $(cat hw1) 2>err &&
	test_grep "from new: open, closed; flow hardware, workflow:19" err &&
	tk-set -q status=closed $(cat hw1) &&
	tk-new -s moved >moved &&
	test_expect_code 3 tk-set queue=lab status=triage $(cat moved) 2>err &&
	test_grep "flow hardware" err &&
	tk-set -q queue=lab status=open $(cat moved) &&
	tk-new -s hw2 queue=hw-cn priority=P2 >hw2 && tk-new -s hw3 queue=hw-cn priority=P4 >hw3 &&
	test_expect_code 3 tk-set status=triage $(cat hw2) 2>err && test_grep "flow hardware" err &&
	tk-set -q status=triage $(cat hw3)
'

test_expect_success 'tk-config apply moves a status'"'"'s tickets when its class changes: the default view follows' '
	tk-set -q status=open 5 && tk-set -q status=pending 5 && tk-set -q status=waiting 1 &&
	tk-ls -t -o id >before && grep -qx 2 before && grep -qx 5 before && grep -qx 1 before &&
	tk-ls -t -o id status=pending --explain >/dev/null 2>err && test_grep "plan: working set" err &&
	sed "s/^status pending   paused/status pending resolved/" workflow.txt >"$TK_DIR/workflow" &&
	test_expect_code 3 tk-set +x 1 2>err && test_grep "workflow:5: status pending is resolved in the file, paused in the store" err &&
	tk-config apply >out &&
	printf "status\tpending\tpaused\tresolved\t2\n" >expect && test_cmp expect out &&
	tk-ls -t -o id >after && ! grep -qx 2 after && ! grep -qx 5 after && grep -qx 1 after &&
	sort before >b.sorted && sort after >a.sorted && comm -23 b.sorted a.sorted >gone &&
	printf "2\n5\n" >expect && test_cmp expect gone &&
	tk-ls -a -t -o id status=pending --explain >out 2>err && test_grep "plan: index status" err &&
	printf "2\n5\n" >expect && test_cmp expect out &&
	same_by_index_and_scan new triage open pending waiting resolved closed &&
	tk-log config:workflow | tail -n 1 | cut -f4-6,8 >out &&
	printf "workflow\tpending paused\tpending resolved\tconfig\n" >expect && test_cmp expect out &&
	cp workflow.txt "$TK_DIR/workflow" && tk-config apply >out &&
	printf "status\tpending\tresolved\tpaused\t2\n" >expect && test_cmp expect out &&
	tk-ls -t -o id >again && test_cmp before again &&
	same_by_index_and_scan new triage open pending waiting resolved closed
'

test_expect_success 'a status of class resolved or closed sets its time; a reply reopens by class' '
	printf "status inbox open\nstatus doing open\nstatus parked paused\nstatus fixed resolved\nstatus gone closed\n" >wf2 &&
	mkdir -p two && cp wf2 two/workflow &&
	tk-new -d two -r bob@example.com -s w1 >w1 &&
	tk-ls -d two -t -o status >out && echo inbox >expect && test_cmp expect out &&
	tk-comment -d two -q -f agent@example.com -m "on it" 1 &&
	tk-ls -d two -t -o status >out && echo doing >expect && test_cmp expect out &&
	TK_NOW=2026-11-23T10:00:00Z tk-set -d two -q status=fixed 1 &&
	tk-ls -d two -a -t -o status,resolved,closed >out && printf "fixed\t2026-11-23T10:00:00Z\t\n" >expect && test_cmp expect out &&
	tk-comment -d two -q -f bob@example.com -m "still broken" 1 &&
	tk-ls -d two -t -o status,reopens,resolved >out && printf "doing\t1\t\n" >expect && test_cmp expect out &&
	tk-set -d two -q status=parked 1 && tk-comment -d two -q -f bob@example.com -m "here you are" 1 &&
	tk-ls -d two -t -o status >out && echo doing >expect && test_cmp expect out &&
	TK_NOW=2026-11-24T10:00:00Z tk-set -d two -q status=gone 1 &&
	tk-ls -d two -a -t -o status,resolved,closed >out &&
	printf "gone\t2026-11-24T10:00:00Z\t2026-11-24T10:00:00Z\n" >expect && test_cmp expect out &&
	test_expect_code 3 tk-set -d two status=doing 1 2>err && test_grep "gone is final" err &&
	tk-new -d two -q -s w2 && tk-new -d two -q -s w3 &&
	tk-link -d two -q --merge 3 into 2 &&
	tk-ls -d two -a -t -o id,status,merged_into id=3 >out && printf "3\tgone\t2\n" >expect && test_cmp expect out
'

test_expect_success 'a status dropped while tickets hold it: kept, listed by check --tickets, left by any move' '
	tk-set -q status=waiting 5 &&
	grep -v "^status waiting" workflow.txt | sed "s/ waiting//g" >"$TK_DIR/workflow" &&
	test_expect_code 3 tk-set +x 1 2>err &&
	test_grep "status waiting of the store is not in the file" err &&
	tk-config apply >out && printf "status\twaiting\tpaused\tdropped\t0\n" >expect && test_cmp expect out &&
	tk-ls -t -o id status=waiting >out && printf "1\n5\n" >expect && test_cmp expect out &&
	test_expect_code 1 tk-config check --tickets >out &&
	printf "%s\tstatus\twaiting\tstatus waiting: not a status of the workflow (the file dropped it)\n" 1 5 >expect &&
	test_cmp expect out &&
	test_expect_code 2 tk-set status=waiting 1 2>err && test_grep "status=waiting: not a status (new, triage, open, pending, resolved, closed)" err &&
	tk-set -q status=triage 1 5 && tk-config check --tickets >out && test_empty out &&
	cp workflow.txt "$TK_DIR/workflow" && tk-config apply >out &&
	printf "status\twaiting\tpaused\tpaused\t0\n" >expect && test_cmp expect out
'

test_expect_success 'status names up to 64 bytes' '
	long=$(printf "%064d" 0 | tr 0 s) &&
	{ cat workflow.txt; echo "status $long open"; echo "allow open -> $long"; echo "allow $long -> closed"; } >"$TK_DIR/workflow" &&
	tk-config apply -q && tk-new -s long >long.id &&
	tk-set -q status=open $(cat long.id) && tk-set -q status=$long $(cat long.id) &&
	tk-ls -t -o status status=$long >out && echo $long >expect && test_cmp expect out &&
	{ cat workflow.txt; echo "status ${long}x open"; } >"$TK_DIR/workflow" &&
	test_expect_code 1 tk-config check 2>err && test_grep "workflow:23: status ${long}x: not a status name (1 to 64 bytes" err &&
	cp workflow.txt "$TK_DIR/workflow" && tk-config apply -q
'

test_expect_success 'apply keeps the assignees'"'"' loads (tk-agent) in step with the working set' '
	tk-agent -q add alice &&
	tk-new -s l1 assignee=alice >l1 && tk-new -s l2 assignee=alice >l2 &&
	tk-set -q status=open $(cat l1) $(cat l2) && tk-set -q status=pending $(cat l1) $(cat l2) &&
	tk-agent ls -t -o login,load >before &&
	sed "s/^status pending   paused/status pending resolved/" workflow.txt >"$TK_DIR/workflow" &&
	tk-config apply -q &&
	tk-agent ls -t -o login,load >after &&
	b=$(cut -f2 before) && a=$(cut -f2 after) && test $((b - a)) -eq 2 &&
	cp workflow.txt "$TK_DIR/workflow" && tk-config apply -q &&
	tk-agent ls -t -o login,load >again && test_cmp before again
'

test_expect_success 'a writer that opened the store before tk-config apply changed it writes nothing (exit 4)' '
	tk-ls -a -t -o id >before
	( { printf "subject\nrace\n"; sleep 3; } | tk-import --format csv - 2>err.race || echo $? >rc.race ) &
	importer=$!
	sleep 1 &&
	sed "s/^status pending   paused/status pending resolved/" workflow.txt >"$TK_DIR/workflow" &&
	tk-config apply -q && wait $importer &&
	echo 4 >expect && test_cmp expect rc.race &&
	test_grep "workflow or indexes changed while this command ran (tk-config apply): nothing written" err.race &&
	tk-ls -a -t -o id >after && test_cmp before after &&
	cp workflow.txt "$TK_DIR/workflow" && tk-config apply -q
'

test_expect_success 'tk-config check reads the config and rules files too, with their own readers' '
	printf "route-on-create maybe\n" >"$TK_DIR/config" &&
	printf "rule r\n  match stauts=new\n  set queue=x\n" >"$TK_DIR/rules" &&
	test_expect_code 1 tk-config check 2>err &&
	test_grep "config:1: route-on-create maybe: yes or no" err &&
	test_grep "rules:2:.*stauts=new: no field stauts" err &&
	rm "$TK_DIR/config" "$TK_DIR/rules" && tk-config check
'

test_expect_success 'a broken workflow file: check lists each problem, writers refuse with workflow:line, readers warn' '
	printf "status new open\nstatus new open\nstatus odd strange\nstatus late pending\nallow new -> nowhere\nflow empty\nmood happy\ntype a,b\n" >"$TK_DIR/workflow" &&
	test_expect_code 1 tk-config check 2>err &&
	test_grep "workflow:2: status new: listed twice" err &&
	test_grep "workflow:3: status odd strange: no such class (open, paused, resolved, closed)" err &&
	test_grep "workflow:4: status late pending: no such class" err &&
	test_grep "workflow:5: nowhere: not a status of this file" err &&
	test_grep "workflow:6: flow empty: no match line" err &&
	test_grep "workflow:7: mood: not a statement of this file" err &&
	test_grep "workflow:8: type a,b: not a type name" err &&
	test "$(grep -c "workflow:" err)" -eq 7 &&
	test_expect_code 3 tk-set +x 1 2>err && test_grep "workflow:2: status new: listed twice" err &&
	tk-ls -t -o id id=1 >out 2>err && echo 1 >expect && test_cmp expect out &&
	test_grep "workflow:2: status new: listed twice.*read on" err &&
	cp workflow.txt "$TK_DIR/workflow" && tk-config apply
'

test_done
