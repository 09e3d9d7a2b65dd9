#!/bin/sh
# The foundation fixes of issue 22: field names, blank and invalid values,
# parent links, ids given twice, stores made only by writers, addresses,
# mentions, the event log's via column.
. "$(dirname "$0")/lib.sh"

test_expect_success 'a typo of a field name is refused with a suggestion, nothing written' '
	tk-new -q -s "Printer" &&
	tk-export -o id,status >before &&
	test_expect_code 2 tk-set stauts=open 1 2>err &&
	test_grep "stauts=open: no field stauts; did you mean status?" err &&
	tk-export -o id,status >after && test_cmp before after &&
	tk-export -H -o id 1 >hdr 2>/dev/null || true &&
	test_expect_code 2 tk-new -s x prodcut=X200 2>err &&
	test_grep "no field prodcut" err &&
	tk-ls -a -o id >ids && echo 1 >expect && test_cmp expect ids
'

test_expect_success 'field names are case-insensitive: Status is status, Product is product' '
	declare_fields "$TK_DIR" product &&
	tk-set -q Status=open Product=X200 1 &&
	tk-ls -o id,STATUS,product PRODUCT=X200 >out &&
	printf "1\topen\tX200\n" >expect && test_cmp expect out &&
	tk-log 1 | cut -f4 | sort -u >fields &&
	test_grep "^product$" fields && ! grep -q "^Product$" fields
'

test_expect_success 'the fields file: declared names, errors with file:line' '
	mkdir -p fs && tk-new -q -d fs -s one &&
	printf "# custom fields\nfield seats\n\nfield Region\n" >fs/fields &&
	tk-set -q -d fs seats=20 region=EU 1 &&
	tk-ls -d fs -o seats,region >out && printf "20\tEU\n" >expect && test_cmp expect out &&
	printf "field seats\nfeild x\n" >fs/fields &&
	test_expect_code 3 tk-set -d fs seats=3 1 2>err &&
	test_grep "fs/fields:2: feild: not a statement" err &&
	tk-ls -d fs -o id >out 2>err && echo 1 >expect && test_cmp expect out &&
	test_grep "fs/fields:2: feild: not a statement.*read on" err &&
	printf "field status\n" >fs/fields &&
	test_expect_code 3 tk-set -d fs seats=3 1 2>err && test_grep "fields:1: field status: a built-in field" err &&
	printf "field seats integer 1..\n" >fs/fields &&
	test_expect_code 3 tk-set -d fs seats=3 1 2>err && test_grep "fields:1: field seats integer: no such type" err &&
	printf "field note\n" >fs/fields &&
	test_expect_code 3 tk-set -d fs seats=3 1 2>err && test_grep "reserved word" err &&
	rm fs/fields &&
	tk-set -q -d fs seats=30 1 && tk-ls -d fs -o seats >out && echo 30 >expect && test_cmp expect out
'

test_expect_success 'tk-new -b: a header naming an unknown field stops before anything is written' '
	tk-new -q -d b -s first &&
	printf "#subject\tstauts\nx\topen\n" | test_expect_code 3 tk-new -b -d b 2>err &&
	test_grep "stdin:1: header: no field stauts; did you mean status?" err &&
	tk-ls -d b -a -o id >out && echo 1 >expect && test_cmp expect out
'

test_expect_success 'an empty or blank subject is refused everywhere, exit 2' '
	test_expect_code 2 tk-new -s "   " 2>err && test_grep "subject cannot be blank" err &&
	test_expect_code 2 tk-new -s "　" 2>err &&
	test_expect_code 2 tk-set subject= 1 2>err && test_grep "subject cannot be empty" err &&
	test_expect_code 2 tk-set "subject= " 1 &&
	tk-ls -o subject id=1 >out && echo Printer >expect && test_cmp expect out
'

test_expect_success 'parent links: a missing ticket, itself and loops are refused (exit 3)' '
	tk-new -q -s child parent=1 &&
	test_expect_code 3 tk-new -s orphan parent=99 2>err && test_grep "parent=99: no such ticket" err &&
	test_expect_code 3 tk-set parent=99 2 2>err && test_grep "ticket 2: parent=99: no such ticket" err &&
	test_expect_code 3 tk-set parent=2 2 2>err && test_grep "cannot be its own parent" err &&
	test_expect_code 3 tk-set parent=2 1 2>err && test_grep "would make a loop" err &&
	tk-ls -a -o id,parent >out && printf "1\t\n2\t1\n" >expect && test_cmp expect out &&
	test_expect_code 2 tk-set parent=abc 2 2>err && test_grep "parent=abc: not a ticket id" err
'

test_expect_success 'the same id twice in a pipe is applied once; typed ids are skipped' '
	printf "1\n1\n#1\nc12\n1\n" | tk-set -q escalation=+1 2>err &&
	test_grep "c12: not a ticket, skipped" err &&
	tk-ls -o escalation id=1 >out && echo 1 >expect && test_cmp expect out
'

test_expect_success 'ids from a pipe: every ticket read goes on, changed or not' '
	printf "1\n2\n" | tk-set -t -o id escalation=1 >out &&
	printf "1\n2\n" >expect && test_cmp expect out &&
	tk-set -t -o id escalation=2 2 >out && echo 2 >expect && test_cmp expect out &&
	tk-set -t -o id escalation=2 1 2 >out && echo 1 >expect && test_cmp expect out
'

test_expect_success 'a writer that is not tk-new or tk-import makes no store' '
	test_expect_code 4 tk-set -d typo status=open 1 2>err &&
	test_grep "typo: no tk store here" err && test ! -e typo &&
	echo hi | test_expect_code 4 tk-comment -d typo2 1 2>err && test ! -e typo2 &&
	test_expect_code 4 tk-ls -d typo3 && test ! -e typo3 &&
	test_expect_code 2 tk-new -d typo4 -s x nosuch=1 2>err && test ! -e typo4 &&
	test_grep "no field nosuch" err &&
	printf "#subject\tstauts\nx\topen\n" | test_expect_code 3 tk-new -b -d typo5 2>err && test ! -e typo5 &&
	printf "" | test_expect_code 3 tk-new -b -d typo6 2>err && test ! -e typo6 &&
	printf "#subject\nx\n" | tk-new -q -b -d typo7 && test -f typo7/data.mdb
'

test_expect_success 'requesters: the bare address, lowercased, and the name beside it' '
	tk-new -q -d ad -s one -r "Wang Li <Wang.Li@Initech.io>" &&
	tk-ls -d ad -o id,requester,requester_name requester=wang.li@initech.io >out &&
	printf "1\twang.li@initech.io\tWang Li\n" >expect && test_cmp expect out &&
	tk-ls -d ad -o id "requester=Wang Li <WANG.LI@initech.io>" >out && echo 1 >expect && test_cmp expect out &&
	printf "#subject\trequester\ntwo\t\"Li, Wang\" <WLi@Initech.IO>\nthree\tgithub-login\n" | tk-new -q -b -d ad &&
	tk-ls -d ad -o id,requester,requester_name id=2,3 >out &&
	printf "2\twli@initech.io\tLi, Wang\n3\tgithub-login\t\n" >expect && test_cmp expect out &&
	tk-set -q -d ad requester=pat@gmail.com 1 &&
	tk-ls -d ad -o requester,requester_name id=1 >out && printf "pat@gmail.com\t\n" >expect && test_cmp expect out &&
	tk-ls -d ad -H -t -o subject,requester,requester_name id=2 | tk-new -b -d ad >id &&
	tk-ls -d ad -t -o requester,requester_name id=$(cat id) >out && printf "wli@initech.io\tLi, Wang\n" >expect &&
	test_cmp expect out
'

test_expect_success 'a reply from the requester written as "Name <Addr>" reopens a pending ticket' '
	tk-set -q -d ad status=pending 2 &&
	tk-comment -q -d ad -f "Wang LI <WLI@initech.io>" -m "still broken" 2 &&
	tk-ls -d ad -o status id=2 >out && echo open >expect && test_cmp expect out &&
	tk-show -d ad 2 >show && test_grep "wli@initech.io" show
'

test_expect_success 'mentions take letters of any script, up to a space or punctuation' '
	tk-comment -q -d ad -i -m "@bob can you check? @王磊 too; 请@王五 处理, mail x@example.com, @李四。@José." 1 &&
	tk-ls -d ad -o watchers id=1 >out && echo "José,bob,李四,王五,王磊" >expect && test_cmp expect out
'

test_expect_success 'comments: blank refused, -m and -f checked for UTF-8 (exit 2, nothing added)' '
	tk-export -d ad --format json --with comments >before &&
	test_expect_code 2 tk-comment -d ad -m "   " 1 2>err && test_grep "blank comment" err &&
	test_expect_code 2 tk-comment -d ad -m "　" 1 &&
	test_expect_code 2 tk-comment -d ad -f "$(printf "x\377")" -m hi 1 2>err &&
	test_grep "^tk-comment: -f: invalid UTF-8 at byte 2" err &&
	test_expect_code 2 tk-comment -d ad -m "$(printf "a\377")" 1 2>err && test_grep "invalid UTF-8" err &&
	printf "a\377b" | test_expect_code 3 tk-comment -d ad 1 2>err && test_grep "stdin: invalid UTF-8" err &&
	tk-export -d ad --format json --with comments >after && test_cmp before after
'

test_expect_success 'the event log says what made each change (via): cli, import' '
	tk-log -d ad 1 | grep -v "	mention	" | tail -n 1 | cut -f4,8 >out && printf "watchers\tcli\n" >expect && test_cmp expect out &&
	tk-log -d ad 1 | grep "	mention	" | cut -f8 | sort -u >out && echo cli >expect && test_cmp expect out &&
	printf "subject,id\nImported,77\n" >in.csv && tk-import -q -d ad in.csv 2>/dev/null &&
	tk-log -d ad | tail -n 1 | cut -f4,8 >out && printf "create\timport\n" >expect && test_cmp expect out
'

test_done
