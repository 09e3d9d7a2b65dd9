#!/bin/sh
# tk-link: links read as sentences, stored both ways; merge, unmerge and
# split; watchers in the assignment language; mention events.
. "$(dirname "$0")/lib.sh"
me=$(id -un)

# json ID: ticket ID as tk-export --format json --with comments prints it,
# but its updated time (an unmerge is a change: it sets updated).
json() {
	tk-export --format json --with comments "id=$1" | sed 's/"updated":"[^"]*",//'
}

test_expect_success 'setup' '
	tk-new -q -s "Printer broken" -r "Bob Li <bob@example.com>" queue=desk category=hw +printer watchers=carol &&
	tk-new -q -s "Printer still broken" -r dave@example.com queue=desk +urgent watchers=erin external_id=EXT-57 &&
	tk-new -q -s "Toner" -r bob@example.com &&
	tk-new -q -s "Other" &&
	tk-ls -a -t -o id >out && printf "1\n2\n3\n4\n" >expect && test_cmp expect out
'

test_expect_success 'relates: both tickets hold the link, both log it, tk-ls sees it' '
	tk-link 1 relates 3 >out &&
	printf "1\tnew\tP3\tdesk\t\tPrinter broken\n" >expect && test_cmp expect out &&
	tk-ls -a -t -o id,related id=1..4 >out && printf "1\t3\n2\t\n3\t1\n4\t\n" >expect && test_cmp expect out &&
	tk-ls -t -o id related=3 >out && echo 1 >expect && test_cmp expect out &&
	tk-ls -t -o id related=1 >out && echo 3 >expect && test_cmp expect out &&
	tk-log 1 | cut -f4,6 | grep "^link" >out && printf "link\t1 relates 3\n" >expect && test_cmp expect out &&
	tk-log 3 | cut -f4,6 | grep "^link" >out && test_cmp expect out &&
	tk-log >before && tk-link 1 relates 3 >out && test_empty out && tk-log >after && test_cmp before after
'

test_expect_success '--unlink takes both ends apart; a link not there is exit 1' '
	tk-link -q --unlink 3 relates 1 &&
	tk-ls -a -t -o id,related id=1,3 >out && printf "1\t\n3\t\n" >expect && test_cmp expect out &&
	tk-log 3 | cut -f4,6 | grep "^unlink" >out && printf "unlink\t3 relates 1\n" >expect && test_cmp expect out &&
	test_expect_code 1 tk-link --unlink 3 relates 1 2>err &&
	echo "tk-link: 3 relates 1: no such link" >expect && test_cmp expect err &&
	tk-log 1 | head -n 1 | cut -f6 >out && ! grep -q link out
'

test_expect_success 'parent-of and child-of: the child holds the parent, tk-show shows both ways' '
	tk-link -q 1 parent-of 3 && tk-link -q 4 child-of 1 &&
	tk-ls -a -t -o id parent=1 >out && printf "3\n4\n" >expect && test_cmp expect out &&
	tk-show --no-history 1 >show && test_grep "^children  *3,4\$" show &&
	tk-show --no-history 4 >show && test_grep "^parent  *1\$" show &&
	tk-export --format json --with links id=1 | grep -o "\"links\":{[^}]*}" >out &&
	echo "\"links\":{\"children\":[3,4],\"duplicates\":[],\"merged_from\":[]}" >expect && test_cmp expect out &&
	tk-link -q --unlink 1 parent-of 4 &&
	tk-ls -a -t -o id parent=1 >out && echo 3 >expect && test_cmp expect out &&
	tk-show --no-history 1 >show && test_grep "^children  *3\$" show
'

test_expect_success 'refused, nothing written: itself, a missing ticket, a parent loop' '
	tk-log >before && mdb_dump -a "$TK_DIR" >dump.before &&
	test_expect_code 3 tk-link 1 relates 1 2>err && test_grep "cannot be linked to itself" err &&
	test_expect_code 3 tk-link 1 parent-of 1 2>err && test_grep "cannot be linked to itself" err &&
	test_expect_code 3 tk-link 1 relates 99 2>err && echo "tk-link: ticket 99: no such ticket" >expect && test_cmp expect err &&
	test_expect_code 3 tk-link 99 parent-of 1 2>err && test_cmp expect err &&
	test_expect_code 3 tk-link 3 parent-of 1 2>err && test_grep "that would make a loop" err &&
	test_expect_code 3 tk-link 1 child-of 3 2>err && test_grep "that would make a loop" err &&
	test_expect_code 3 tk-set parent=3 1 2>err && test_grep "that would make a loop" err &&
	test_expect_code 3 tk-link --merge 99 into 1 2>err && test_grep "ticket 99: no such ticket" err &&
	tk-log >after && test_cmp before after &&
	mdb_dump -a "$TK_DIR" >dump.after && test_cmp dump.before dump.after
'

test_expect_success 'usage errors: exit 2' '
	test_expect_code 2 tk-link 1 befriends 2 2>err && test_grep "befriends: not a relation (relates, parent-of" err &&
	test_expect_code 2 tk-link 1 relates x 2>err && test_grep "x: not a ticket id" err &&
	test_expect_code 2 tk-link 1 relates 2 3 2>err &&
	test_expect_code 2 tk-link --merge 2 onto 1 2>err && test_grep "onto: merge ID into ID" err &&
	test_expect_code 2 tk-link --merge --split 2 into 1 &&
	test_expect_code 2 tk-link -s x 1 relates 2 2>err && test_grep "only with --split" err &&
	test_expect_code 2 tk-link --split 1 2>err && test_grep "subject with -s" err &&
	test_expect_code 2 tk-set related=2 1 2>err && test_grep "related: set by tk-link" err &&
	test_expect_code 2 tk-set merged_into=2 1 && test_expect_code 2 tk-set duplicate_of=2 1
'

test_expect_success 'duplicate-of: the duplicate holds it, a loop refused' '
	tk-link -q 4 duplicate-of 3 &&
	tk-ls -a -t -o id duplicate_of=3 >out && echo 4 >expect && test_cmp expect out &&
	tk-show --no-history 3 >show && test_grep "^duplicates  *4\$" show &&
	test_expect_code 3 tk-link 3 duplicate-of 4 2>err && test_grep "ticket 4 is a duplicate of ticket 3 already" err &&
	tk-link -q --unlink 4 duplicate-of 3 &&
	tk-ls -a -t -o id duplicate_of= id=3,4 >out && printf "3\n4\n" >expect && test_cmp expect out
'

test_expect_success 'ids from standard input: each read is linked; one that is no ticket is exit 1' '
	printf "3\n4\n99\n4\n" | test_expect_code 1 tk-link -o id relates 2 >out 2>err &&
	printf "3\n4\n" >expect && test_cmp expect out &&
	echo "tk-link: ticket 99: no such ticket" >expect && test_cmp expect err &&
	tk-ls -a -t -o id,related id=2 >out && printf "2\t3,4\n" >expect && test_cmp expect out &&
	printf "3\n4\n" | tk-link -q --unlink relates 2 &&
	test_expect_code 1 tk-ls -a -t -o id related~. >out && test_empty out
'

test_expect_success 'merge setup: threads whose times interleave, a mention, a snapshot' '
	TK_NOW=2026-11-22T10:00:00Z tk-comment -q -m "first on 1" 1 &&
	TK_NOW=2026-11-22T09:50:00Z tk-comment -q -f dave@example.com -m "first on 2" 2 &&
	TK_NOW=2026-11-22T10:10:00Z tk-comment -q -i -m "note on 2 @frank" 2 &&
	TK_NOW=2026-11-22T10:20:00Z tk-comment -q -m "second on 1" 1 &&
	tk-link -q 1 relates 2 &&
	json 1 >before1 && json 2 >before2 &&
	tk-ls -a -t -o watchers,tags,external_id id=2 >out && printf "erin,frank\turgent\tEXT-57\n" >expect && test_cmp expect out
'

test_expect_success 'merge 2 into 1: comments, watchers, tags move; 2 closed as merged; via merge' '
	TK_NOW=2026-11-22T11:00:00Z tk-link --merge 2 into 1 >out &&
	printf "1\topen\tP3\tdesk\t\tPrinter broken\n" >expect && test_cmp expect out &&
	tk-ls -a -t -o watchers,tags id=1 >out && printf "carol,erin,frank\tprinter,urgent\n" >expect && test_cmp expect out &&
	tk-ls -a -t -o status,merged_into,watchers,tags,external_id,closed,comments id=2 >out &&
	printf "closed\t1\t\t\tEXT-57\t2026-11-22T11:00:00Z\t0\n" >expect && test_cmp expect out &&
	tk-ls -a -t -o id merged_into=1 >out && echo 2 >expect && test_cmp expect out &&
	tk-ls -a -t -o id external_id=EXT-57 >out && echo 2 >expect && test_cmp expect out
'

test_expect_success 'the moved comments one by one: new numbers, their times, from #2, the thread by time' '
	tk-show --no-history 1 | sed -n "/^---/,\$p" >out &&
	cat >expect <<-\EOF &&
	--- reply 3 by dave@example.com, 2026-11-22T09:50:00Z (from #2)
	first on 2

	--- reply 1 by ROOT, 2026-11-22T10:00:00Z
	first on 1

	--- internal note 4 by ROOT, 2026-11-22T10:10:00Z (from #2)
	note on 2 @frank

	--- reply 2 by ROOT, 2026-11-22T10:20:00Z
	second on 1
	EOF
	sed "s/ROOT/$me/" expect >expect.me && test_cmp expect.me out &&
	tk-export --format json --with comments id=1 | grep -o "{\"n\":[^}]*}" >out &&
	test_grep "^{\"n\":3,\"time\":\"2026-11-22T09:50:00Z\",\"author\":\"dave@example.com\",\"internal\":false,\"body\":\"first on 2\",\"from\":2,\"from_n\":1}\$" out &&
	test_grep "^{\"n\":4,\"time\":\"2026-11-22T10:10:00Z\",.*\"internal\":true,\"body\":\"note on 2 @frank\",\"from\":2,\"from_n\":2}\$" out &&
	test_grep "^{\"n\":1,.*\"body\":\"first on 1\"}\$" out &&
	tk-export --format json --with comments id=2 | grep -o "\"comments\":\[\]" >out && test -s out
'

test_expect_success 'tk-show 2 says merged into 1; 1 shows it merged from 2; both histories kept, via merge' '
	tk-show 2 >show && sed -n "/^Ticket 2:/{n;p;}" show >out && echo "merged into 1 (its replies and notes went there)" >expect &&
	test_cmp expect out &&
	tk-show --no-history 1 >show && test_grep "^merged_from  *2\$" show &&
	tk-log 2 | cut -f4 | grep -c "^reply\$\|^note\$" >out && echo 2 >expect && test_cmp expect out &&
	tk-log | awk -F "	" "\$2 == \"2026-11-22T11:00:00Z\" { print \$1, \$4, \$8 }" >out &&
	cat >expect <<-\EOF &&
	1 tags merge
	1 watchers merge
	2 status merge
	2 tags merge
	2 watchers merge
	2 resolved merge
	2 closed merge
	2 merged_into merge
	2 merge merge
	1 merge merge
	EOF
	test_cmp expect out &&
	tk-log 1 | awk -F "	" "\$4 == \"merge\" { print \$6 }" >out && echo "from 2 (comments 3-4)" >expect && test_cmp expect out &&
	tk-log 2 | awk -F "	" "\$4 == \"merge\" { print \$6 }" >out && echo "into 1" >expect && test_cmp expect out
'

test_expect_success 'refused: a merge of a merged ticket, into itself, into a merged one; unmerge of one not merged' '
	tk-log >before && mdb_dump -a "$TK_DIR" >dump.before &&
	test_expect_code 3 tk-link --merge 2 into 1 2>err &&
	echo "tk-link: ticket 2 is merged into 1 already (tk-link --unmerge 2 first)" >expect && test_cmp expect err &&
	test_expect_code 3 tk-link --merge 1 into 1 2>err && test_grep "cannot be merged into itself" err &&
	test_expect_code 3 tk-link --merge 4 into 2 2>err &&
	echo "tk-link: ticket 2 is merged into 1 itself: merge into 1" >expect && test_cmp expect err &&
	test_expect_code 3 tk-link --unmerge 4 2>err && echo "tk-link: ticket 4 is not merged into another" >expect &&
	test_cmp expect err &&
	test_expect_code 3 tk-link --unmerge 99 2>err && test_grep "ticket 99: no such ticket" err &&
	tk-log >after && test_cmp before after &&
	mdb_dump -a "$TK_DIR" >dump.after && test_cmp dump.before dump.after
'

test_expect_success 'an import row for the merged ticket is reported merged into 1 and skipped' '
	printf "external_id,subject\nEXT-57,Printer broken again\n" >in.csv &&
	tk-import -u in.csv 2>err &&
	test_grep "^tk-import: in.csv:2: merged into 1: row skipped" err &&
	test_grep "1 read, 0 created, 0 updated, 0 unchanged, 0 rejected, 1 skipped (merged into another ticket)" err &&
	tk-ls -a -t -o subject id=2 >out && echo "Printer still broken" >expect && test_cmp expect out
'

test_expect_success 'unmerge restores both tickets exactly (all but updated), comments to their numbers' '
	TK_NOW=2026-11-22T12:00:00Z tk-link --unmerge 2 >out &&
	printf "2\tnew\tP3\tdesk\t\tPrinter still broken\n1\topen\tP3\tdesk\t\tPrinter broken\n" >expect &&
	test_cmp expect out &&
	json 1 >after1 && json 2 >after2 &&
	test_cmp before1 after1 && test_cmp before2 after2 &&
	tk-ls -a -t -o id,status,closed,resolved,merged_into,watchers,tags id=2 >out &&
	printf "2\tnew\t\t\t\terin,frank\turgent\n" >expect && test_cmp expect out &&
	tk-log | awk -F "	" "\$2 == \"2026-11-22T12:00:00Z\" { print \$8 }" | sort -u >out &&
	echo unmerge >expect && test_cmp expect out &&
	mdb_dump -p -s merges "$TK_DIR" | sed -n "/HEADER=END/,/DATA=END/p" >out &&
	printf "HEADER=END\nDATA=END\n" >expect && test_cmp expect out
'

test_expect_success 'unmerge after later unrelated changes: they stay, the merge goes' '
	TK_NOW=2026-11-22T13:00:00Z tk-link -q --merge 2 into 1 &&
	TK_NOW=2026-11-22T13:10:00Z tk-set -q priority=P1 +later 1 &&
	TK_NOW=2026-11-22T13:20:00Z tk-comment -q -m "after the merge" 1 &&
	TK_NOW=2026-11-22T13:30:00Z tk-link -q --unmerge 2 &&
	json 2 >after2 && test_cmp before2 after2 &&
	tk-ls -a -t -o priority,tags,watchers,comments id=1 >out && printf "P1\tlater,printer\tcarol\t3\n" >expect &&
	test_cmp expect out &&
	tk-show --no-history 1 | grep "^--- " >out &&
	printf "%s\n" "--- reply 1 by $me, 2026-11-22T10:00:00Z" "--- reply 2 by $me, 2026-11-22T10:20:00Z" \
		"--- reply 5 by $me, 2026-11-22T13:20:00Z" >expect && test_cmp expect out
'

test_expect_success 'unmerge refused, saying which later change stands in the way' '
	tk-link -q --merge 2 into 1 &&
	tk-link -q --merge 1 into 4 &&
	test_expect_code 3 tk-link --unmerge 2 2>err &&
	echo "tk-link: ticket 1 has been merged into 4 since: tk-link --unmerge 1 first" >expect && test_cmp expect err &&
	tk-link -q --unmerge 1 && tk-link -q --unmerge 2 &&
	json 2 >after2 && test_cmp before2 after2 &&
	tk-link -q --merge 2 into 1 &&
	tk-set -q closed=2026-12-01T00:00:00Z 2 &&
	tk-log >before && test_expect_code 3 tk-link --unmerge 2 2>err &&
	test_grep "ticket 2: closed is \"2026-12-01T00:00:00Z\" now, the merge left it \"2026-11-22T09:30:00Z\": changed since" err &&
	tk-log >after && test_cmp before after &&
	tk-set -q closed=2026-11-22T09:30:00Z 2 &&
	tk-comment -q -m "late word on 2" 2 &&
	test_expect_code 3 tk-link --unmerge 2 2>err &&
	test_grep "ticket 2 has a comment 1 again, added since the merge" err
'

test_expect_success 'a target left with a gap in its numbers: its next comment, its JSON' '
	tk-new -q -s "Empty target" >/dev/null && t=$(tk-ls -a -t -o id subject="Empty target") &&
	tk-new -q -s "Source of one" && s=$(tk-ls -a -t -o id subject="Source of one") &&
	tk-comment -q -m "the one" "$s" &&
	tk-link -q --merge "$s" into "$t" && tk-comment -q -m "its own" "$t" && tk-link -q --unmerge "$s" &&
	tk-export --format json --with comments "id=$t" | grep -o "\"comments\":\[{\"n\":2,[^]]*\]" >out &&
	test_grep "\"body\":\"its own\"}\]\$" out &&
	tk-ls -a -t -o comments "id=$t,$s" >out && printf "1\n1\n" >expect && test_cmp expect out
'

test_expect_success 'split: a child with the requester, its name, queue and category' '
	TK_NOW=2026-11-22T14:00:00Z tk-link --split 3 -s "Replace the toner" -m "Tray 2 is empty" >id &&
	id=$(cat id) && test "$id" -gt 4 &&
	tk-ls -a -t -o requester,requester_name,queue,category,parent,subject,body "id=$id" >out &&
	printf "bob@example.com\t\t\t\t3\tReplace the toner\tTray 2 is empty\n" >expect && test_cmp expect out &&
	tk-link --split 1 -s "Order a fuser" >id2 && id2=$(cat id2) &&
	tk-ls -a -t -o requester,requester_name,queue,category,parent "id=$id2" >out &&
	printf "bob@example.com\tBob Li\tdesk\thw\t1\n" >expect && test_cmp expect out &&
	tk-log "$id2" | cut -f4,8 | head -n 1 >out && printf "create\tsplit\n" >expect && test_cmp expect out &&
	tk-log 1 | awk -F "	" "\$4 == \"split\" { print \$6, \$8 }" >out && echo "$id2 split" >expect && test_cmp expect out &&
	tk-show --no-history 1 >show && test_grep "^children  *3,$id2\$" show &&
	test_expect_code 3 tk-link --split 99 -s x 2>err && test_grep "ticket 99: no such ticket" err &&
	test_expect_code 3 tk-link --split 2 -s x 2>err && test_grep "ticket 2 is merged into 1: split that one" err
'

test_expect_success '+watcher= and -watcher=, the singular and plural names; tk-ls watcher=me' '
	tk-set -q +watcher=carol +watchers=dave +tag=blue 4 &&
	tk-ls -a -t -o watchers,tags id=4 >out && printf "carol,dave\tblue\n" >expect && test_cmp expect out &&
	tk-set -q -watcher=dave -tag=blue 4 &&
	tk-ls -a -t -o watchers,tags id=4 >out && printf "carol\t\n" >expect && test_cmp expect out &&
	test_expect_code 2 tk-set +priority=P1 4 2>err && test_grep "set fields watchers and tags" err &&
	test_expect_code 2 tk-set +a=b 4 && test_expect_code 2 tk-set tags=a=b 4 &&
	test_expect_code 2 tk-set +watcher=a,b 4 2>err && test_grep "one item" err &&
	tk-new -q -s "Mine" +watcher=$me &&
	tk-ls -a -t -o subject watcher=me >out && echo Mine >expect && test_cmp expect out &&
	tk-ls -a -t -o subject watchers=carol id=4 >out && echo Other >expect && test_cmp expect out
'

test_expect_success 'mentions: a watcher and a mention event each, once a name' '
	tk-comment -q -i -m "@bob can you check the switch logs? @王磊 too, and @bob again" 4 &&
	tk-log 4 | awk -F "	" "\$4 == \"mention\" { print \$5 \"|\" \$6 }" >out &&
	printf "|bob\n|王磊\n" >expect && test_cmp expect out &&
	tk-ls -a -t -o watchers id=4 >out && echo "bob,carol,王磊" >expect && test_cmp expect out &&
	tk-log 4 | head -n 1 | cut -f6 >out && ! grep -q mention out
'

test_expect_success 'a store of schema 6 gets its links from the parents it holds' '
	tk-new -q -d old -s p && tk-new -q -d old -s c1 parent=1 && tk-new -q -d old -s c2 parent=1 &&
	"$TK_UNIT" v6-nolinks old >/dev/null &&
	mdb_dump -p -s meta old | grep -x " 6" &&
	tk-show -d old --no-history 1 >show && test_grep "^children  *2,3\$" show &&
	mdb_dump -p -s meta old | grep -x " 16" &&
	tk-link -d old -q --unlink 1 parent-of 2 &&
	tk-show -d old --no-history 1 >show && test_grep "^children  *3\$" show
'

test_expect_success 'a merge moves the target'"'"'s notice mark past the comments it brings' '
	tk-new -q -d nm -s target -r t@example.com && tk-new -q -d nm -s source -r s@example.com &&
	tk-comment -q -d nm -f agent@corp.example -m "answered on the source" 2 &&
	tk-link -d nm -q --merge 2 into 1 &&
	printf "#!/bin/sh\ncat >>sent\n" >sendmail && chmod +x sendmail &&
	TK_SENDMAIL=./sendmail tk-notify -d nm --to requester 1 >out &&
	printf "1\tskipped\tno new reply\n" >expect && test_cmp expect out && test ! -e sent
'

test_done
