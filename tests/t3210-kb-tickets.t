#!/bin/sh
# The ticket full-text index: fulltext tickets in config, ft_pending and
# its batches, text= in the filter language, tk-kb reindex, suggest --tickets.
. "$(dirname "$0")/lib.sh"

test_expect_success 'a new store keeps its tickets in the index; text= finds them' '
	tk-new subject="打印机驱动无法安装" -m "安装 HP 打印机 驱动 失败" >/dev/null &&
	tk-new subject="VPN timeout" -m "cannot connect to the vpn" >/dev/null &&
	tk-new subject="other" -m "nothing here" >/dev/null &&
	tk-ls "text=打印机 驱动" -a -o id >out && echo 1 >expect && test_cmp expect out &&
	tk-ls "text=VPN" -a -o id >out && echo 2 >expect && test_cmp expect out &&
	tk-ls "text!=vpn" -a -o id >out && printf "1\n3\n" >expect && test_cmp expect out
'

test_expect_success 'comments are searched; tickets not yet indexed are read directly' '
	tk-comment -m "打印机 坏了" 3 >/dev/null &&
	tk-ls "text=打印机" -a -o id >out && printf "1\n3\n" >expect && test_cmp expect out &&
	tk-ls "text=坏了" -o id >out && echo 3 >expect && test_cmp expect out
'

test_expect_success 'after a batch the index answers alone, the same' '
	i=0 && while [ $i -lt 70 ]; do i=$((i + 1)); tk-new subject="n$i 打印机" </dev/null >/dev/null || return 1; done &&
	tk-ls "text=打印机" -a -o id | wc -l >out && echo 72 >expect && test_cmp expect out &&
	tk-ls "text=坏了" -a -o id --explain >out 2>plan && echo 3 >expect && test_cmp expect out &&
	test_grep "full-text index" plan
'

test_expect_success 'a changed subject leaves the old words behind' '
	tk-set 2 subject="printer jam" >/dev/null &&
	i=0 && while [ $i -lt 64 ]; do i=$((i + 1)); tk-new subject="m$i" </dev/null >/dev/null || return 1; done &&
	test_expect_code 1 tk-ls "text=timeout" -a -o id >out &&
	tk-ls "text=jam" -a -o id >out && echo 2 >expect && test_cmp expect out
'

test_expect_success 'suggest --tickets: similar resolved tickets' '
	tk-set 1 status=resolved >/dev/null &&
	tk-new subject="打印机 驱动 又坏了" -m "驱动 安装失败" >id && id=$(cat id) &&
	tk-kb suggest --tickets $id >out && cut -f1,2 out >got &&
	printf "%s\t1\n" $id >expect && test_cmp expect got
'

test_expect_success 'reindex builds the index of a store that had it off' '
	mkdir -p off && echo "fulltext tickets no" >off/config &&
	tk-new -d off subject="扫描仪 故障" </dev/null >/dev/null &&
	for s in a b c d e; do tk-new -d off subject=$s </dev/null >/dev/null || return 1; done &&
	tk-ls -d off "text=扫描仪" -o id >out && echo 1 >expect && test_cmp expect out &&
	rm off/config && tk-kb -d off reindex 2>err && test_grep "6 tickets indexed" err &&
	tk-ls -d off "text=扫描仪" -a --explain >/dev/null 2>plan && test_grep "full-text" plan
'

test_expect_success 'bad input: config and queries' '
	mkdir -p bad && echo "fulltext tickets maybe" >bad/config &&
	test_expect_code 3 tk-new -d bad subject=x 2>err && test_grep "yes or no" err &&
	echo "fulltext everything" >bad/config &&
	test_expect_code 3 tk-new -d bad subject=x 2>err && test_grep "fulltext tickets" err &&
	test_expect_code 2 tk-ls "text=" 2>err && test_grep "empty query" err &&
	test_expect_code 2 tk-ls "text~x" 2>err && test_grep "text= or text!=" err &&
	test_expect_code 2 tk-ls "text=的" 2>err && test_grep "nothing to search for" err
'

test_expect_success 'tk-comment --kb: the article in the reply, its use recorded' '
	printf "重新安装驱动。\nStep 2: restart the spooler.\n" | tk-kb add --title "打印机驱动" >id && kb=$(cat id) &&
	tk-comment -q --kb $kb -m "您好，请按以下步骤：" 1 2 &&
	tk-show 1 >out && test_grep "您好，请按以下步骤：" out && test_grep "打印机驱动" out &&
	test_grep "Step 2: restart the spooler." out &&
	tk-kb show $kb >out && test_grep "used-on: 1 " out && test_grep "used-on: 2 " out &&
	tk-ls "text=spooler" -a -o id >out && printf "1\n2\n" >expect && test_cmp expect out
'

test_expect_success 'tk-comment --kb: a missing article or a bad id adds nothing' '
	tk-show 3 >before &&
	test_expect_code 3 tk-comment --kb kb99 3 2>err && test_grep "kb99: no such article" err &&
	test_expect_code 2 tk-comment --kb 7 3 2>err && test_grep "not an article id" err &&
	test_expect_code 2 tk-comment --kb kb1 2>err && test_grep "ticket ids" err &&
	tk-show 3 >after && test_cmp before after
'

# Schema 15: ticket postings are ids alone; a phrase is checked on the
# candidates' text, a changed ticket's old words come out, and a bulk run
# lists its range until its flush.
test_expect_success 'a bulk load is indexed at its end: nothing left pending' '
	printf "subject\tbody\n打印机坏了\t纸卡住\n打印 任务 和 印机 型号\tno phrase\nprinter driver\tinstall it\ndriver of the printer\tx\n扫描仪\t坏\n" |
		tk-new -q -b -d bulk &&
	mdb_stat -s ft_pending bulk | grep -q "Entries: 0" &&
	mdb_stat -s fulltext bulk | awk "/Entries/ { print \$2 }" >n &&
	test "$(cat n)" -gt 20 &&
	tk-ls -d bulk -a "text=打印机" -o id >out && echo 1 >expect && test_cmp expect out
'

test_expect_success 'a phrase or a CJK run of three is exact without positions' '
	tk-ls -d bulk -a "text=打印" -o id >out && printf "1\n2\n" >expect && test_cmp expect out &&
	tk-ls -d bulk -a "text=\"printer driver\"" -o id >out && echo 3 >expect && test_cmp expect out &&
	tk-ls -d bulk -a "text=printer driver" -o id >out && printf "3\n4\n" >expect && test_cmp expect out &&
	tk-ls -d bulk -a "text!=打印机" -o id >out && printf "2\n3\n4\n5\n" >expect && test_cmp expect out &&
	tk-ls -d bulk -a "text=printer -\"printer driver\"" -o id >out && echo 4 >expect && test_cmp expect out
'

test_expect_success 'one CJK character: where it starts a pair and where it ends a run' '
	tk-ls -d bulk -a "text=坏" -o id >out && printf "1\n5\n" >expect && test_cmp expect out &&
	tk-ls -d bulk -a "text=机" -o id >out && printf "1\n2\n" >expect && test_cmp expect out &&
	tk-ls -d bulk -a "text=仪" -o id >out && echo 5 >expect && test_cmp expect out
'

test_expect_success 'a changed ticket is no longer found by its old words, before and after the drain' '
	tk-set -d bulk 1 subject="显示器 闪烁" >/dev/null &&
	test_expect_code 1 tk-ls -d bulk -a "text=打印机" -o id &&
	tk-ls -d bulk -a "text=闪烁" -o id >out && echo 1 >expect && test_cmp expect out &&
	printf "subject\nfiller\n" | tk-new -q -b -d bulk &&
	mdb_stat -s ft_pending bulk | grep -q "Entries: 0" &&
	test_expect_code 1 tk-ls -d bulk -a "text=打印机" -o id &&
	tk-ls -d bulk -a "text=纸卡住 闪烁" -o id >out && echo 1 >expect && test_cmp expect out &&
	tk-comment -d bulk -m "新的 打印机" 1 >/dev/null &&
	tk-ls -d bulk -a "text=打印机" -o id >out && echo 1 >expect && test_cmp expect out
'

test_expect_success 'a pending range (a bulk run cut short) is answered from the tickets, reindex empties it' '
	mkdir -p cut && echo "fulltext tickets no" >cut/config &&
	for s in 打印机坏了 扫描仪 "打印 印机"; do tk-new -d cut subject="$s" </dev/null >/dev/null || return 1; done &&
	rm cut/config &&
	printf "VERSION=3\nformat=print\ntype=btree\nHEADER=END\n \\\\00\\\\00\\\\00\\\\00\\\\00\\\\00\\\\00\\\\01\\\\00\\\\00\\\\00\\\\00\\\\00\\\\00\\\\00\\\\03\n \nDATA=END\n" |
		mdb_load -s ft_pending cut &&
	printf "VERSION=3\nformat=print\ntype=btree\nHEADER=END\n ft_tickets\n 1\nDATA=END\n" | mdb_load -s meta cut &&
	mdb_stat -s ft_pending cut | grep -q "Entries: 1" &&
	tk-ls -d cut -a "text=打印机" -o id >out && echo 1 >expect && test_cmp expect out &&
	tk-ls -d cut -a "text=扫描仪" -o id >out && echo 2 >expect && test_cmp expect out &&
	tk-new -d cut subject="打印机 又坏了" </dev/null >/dev/null &&
	tk-ls -d cut -a "text=打印机" -o id >out && printf "1\n4\n" >expect && test_cmp expect out &&
	tk-kb -d cut reindex 2>err && test_grep "4 tickets indexed" err &&
	mdb_stat -s ft_pending cut | grep -q "Entries: 0" &&
	tk-ls -d cut -a "text=打印机" -o id >out && printf "1\n4\n" >expect && test_cmp expect out
'

# A listing of 2,048 tickets and more has their records read ahead by a
# second thread (store.c, tk_ahead_start); TK_FETCH_AHEAD=0 turns it off.
# The same tickets, in the same order, either way: by text=, by ids on
# standard input (some no ticket, one given twice and listed once), and
# stopped early by -n.
test_expect_success 'a long listing read ahead by a second thread lists what one thread lists' '
	awk "BEGIN { print \"subject\tpriority\"; for (i = 1; i <= 6000; i++)
		printf \"%s %d\tP%d\n\", i % 2 ? \"打印机 卡纸\" : \"other\", i, i % 4 + 1 }" >many.tsv &&
	tk-new -q -d ahead -b <many.tsv &&
	tk-ls -d ahead -a "text=打印机" -o id,priority,subject >one.out &&
	TK_FETCH_AHEAD=0 tk-ls -d ahead -a "text=打印机" -o id,priority,subject >zero.out &&
	test "$(wc -l <one.out)" = 3000 && test_cmp zero.out one.out &&
	awk "BEGIN { for (i = 1; i <= 7000; i += 2) print i; print 8; print 8; print 99999 }" >ids &&
	tk-ls -d ahead -a -o id,subject - <ids >one.out &&
	TK_FETCH_AHEAD=0 tk-ls -d ahead -a -o id,subject - <ids >zero.out &&
	test "$(wc -l <one.out)" = 3001 && test_cmp zero.out one.out &&
	tk-ls -d ahead -a -n 5 "text=打印机" -o id >one.out &&
	printf "1\n3\n5\n7\n9\n" >expect && test_cmp expect one.out
'

# While the listing waits on a slow reader (a pager), the read-ahead
# thread sleeps, not spins: the command's CPU stays far below the 2 s it
# is kept waiting (it spun through all of them before). The listing is
# longer than a pipe holds and the thread's lead, so both do wait.
if ! test -x /usr/bin/time; then
	test_skip 'the read-ahead thread sleeps while the reader is slow' '/usr/bin/time is not installed (make deps installs it)'
else
test_expect_success 'the read-ahead thread sleeps while the reader is slow' '
	seq 1 6000 >all &&
	/usr/bin/time -f "%U %S" -o cpu tk-ls -d ahead -a -o id,priority,subject - <all |
		(sleep 2; cat >slow.out) &&
	TK_FETCH_AHEAD=0 tk-ls -d ahead -a -o id,priority,subject - <all >zero.out &&
	test "$(wc -c <zero.out)" -gt 100000 &&
	test_cmp zero.out slow.out &&
	awk "{ exit !(\$1 + \$2 < 0.5) }" cpu
'
fi

test_done
