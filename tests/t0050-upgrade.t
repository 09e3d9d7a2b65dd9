#!/bin/sh
# A store made by an older tk (schema 1, tests/data/store-v1.dump, loaded
# with mdb_load; schema 2 and 4, made by `tests/unit v2-store` and
# `v4-store`) is upgraded by the first command that opens it, reader or
# writer, and keeps its tickets, indexes and tk-import's memory of rows.
. "$(dirname "$0")/lib.sh"
DATA=$TEST_DIR/data

if ! command -v mdb_load >/dev/null 2>&1; then
	test_skip 'schema 1, 2 and 4 stores are upgraded' 'mdb_load and mdb_dump are not installed (make deps installs lmdb-utils)'
	test_done
	exit
fi

test_expect_success 'a reader upgrades a schema 1 store and finds tickets by requester and status' '
	mkdir v1 && mdb_load -f "$DATA/store-v1.dump" v1 2>/dev/null &&
	mdb_dump -p -s meta v1 | grep -x " 1" &&
	tk-ls -d v1 -a -o id,requester requester=alice@example.com >out &&
	printf "1\talice@example.com\n3\talice@example.com\n" >expect &&
	test_cmp expect out &&
	test "$(tk-ls -d v1 -a -o id status=new,open,pending,resolved,closed | wc -l)" -eq "$(tk-ls -d v1 -a -t -o id | wc -l)" &&
	mdb_dump -p -s meta v1 | grep -x " $TK_SCHEMA" &&
	test_expect_code 1 mdb_dump -s imports v1 2>/dev/null &&
	tk-ls -d v1 -a -t -o id,status | awk "\$2 ~ /^(new|open|pending)\$/ { print \$1 }" >expect &&
	test -s expect &&
	tk-ls -d v1 -t -o id --explain >out 2>err &&
	test_grep "plan: working set" err &&
	test_cmp expect out
'

test_expect_success 're-importing the rows of a schema 1 import changes nothing' '
	tk-import -d v1 "$DATA/store-v1.csv" 2>err &&
	test_grep "3 read, 0 created, 0 updated, 3 unchanged, 0 rejected" err
'

test_expect_success 'a writer upgrades too, and new tickets are indexed' '
	mkdir v1w && mdb_load -f "$DATA/store-v1.dump" v1w 2>/dev/null &&
	tk-new -d v1w -s "New one" -r alice@example.com >id &&
	test "$(cat id)" = 5 &&
	test "$(tk-ls -d v1w -a -o id requester=alice@example.com | tr "\n" " ")" = "1 3 5 "
'

# Schema 2 to 3: epochs were id >> 14 and are written down as such.
test_expect_success 'a schema 2 store keeps finding tickets in every epoch' '
	"$TK_UNIT" v2-store v2 &&
	mdb_dump -p -s meta v2 | grep -x " 2" &&
	tk-ls -d v2 -a -o id requester=alice@example.com >out &&
	printf "1\n16383\n16384\n40000\n" >expect &&
	test_cmp expect out &&
	mdb_dump -p -s meta v2 | grep -x " $TK_SCHEMA" &&
	mdb_dump -s meta v2 | grep -x " 000000000000000000000000000040000000000000008000" &&
	tk-ls -d v2 -a -o id assignee=bob >out &&
	test_cmp expect out &&
	tk-ls -d v2 -o id assignee=bob >out &&
	printf "1\n16383\n" >expect.active &&
	test_cmp expect.active out &&
	tk-ls -d v2 -o id status=new --explain >out 2>err &&
	test_cmp expect.active out &&
	test_grep "plan: working set (2 candidates)" err &&
	mdb_dump -s ix_status v2 >ix &&
	grep -x " 7265736f6c7665640000000000004000" ix &&
	grep -x " 00000000000040000000000000009c40" ix &&
	! grep "^ 6e6577" ix
'

test_expect_success 'after the upgrade, a change re-indexes a ticket of an old epoch' '
	tk-set -d v2 assignee=carol 16384 >/dev/null &&
	tk-ls -d v2 -a -o id assignee=carol >out &&
	echo 16384 >expect &&
	test_cmp expect out &&
	tk-new -d v2 -s new -r alice@example.com >id &&
	test "$(cat id)" = 40001 &&
	test "$(tk-ls -d v2 -a -o id requester=alice@example.com | tr "\n" " ")" = "1 16383 16384 40000 40001 "
'

# Schema 4 to 5: the working set is made, ix_status loses the active
# statuses it holds, and ix_queue the empty queue of the active tickets.
test_expect_success 'a schema 4 store gets its working set' '
	"$TK_UNIT" v4-store v4 &&
	mdb_dump -p -s meta v4 | grep -x " 4" &&
	mdb_dump -s ix_status v4 | grep "^ 6e6577" &&
	mdb_dump -s ix_queue v4 | grep -x " 00000000000000010000000000003fff00000000000040000000000000009c40" &&
	tk-ls -d v4 -o id,status status=new --explain >out 2>err &&
	printf "1\tnew\n16383\tnew\n" >expect &&
	test_cmp expect out &&
	test_grep "plan: working set (2 candidates)" err &&
	mdb_dump -p -s meta v4 | grep -x " $TK_SCHEMA" &&
	mdb_dump -s ix_status v4 >ix &&
	! grep "^ 6e6577" ix && grep -x " 7265736f6c7665640000000000004000" ix &&
	mdb_dump -s ix_queue v4 >ix &&
	grep -x " 00000000000040000000000000009c40" ix && ! grep "0000000000000001" ix &&
	tk-ls -d v4 -a -o id queue= >out &&
	printf "1\n16383\n16384\n40000\n" >expect &&
	test_cmp expect out &&
	tk-ls -d v4 -a -o id status=resolved >out &&
	printf "16384\n40000\n" >expect &&
	test_cmp expect out &&
	mdb_dump -s agent_load v4 | sed -n "/^HEADER=END/,/^DATA=END/p" >load &&
	printf "HEADER=END\n 626f62\n 0000000000000002\nDATA=END\n" >expect &&
	test_cmp expect load
'

# Schema 5 to 6: requesters kept as bare lowercased addresses with the
# name beside them; custom names lowercased, merged; every change logged
# via upgrade; updated times kept.
test_expect_success 'a schema 5 store: requesters and field names are normalised, logged via upgrade' '
	"$TK_UNIT" v5-store v5 &&
	mdb_dump -p -s meta v5 | grep -x " 5" &&
	tk-ls -d v5 -a -t -o id,requester,requester_name,product,region,updated >out &&
	printf "1\twang.li@initech.io\tWang Li\tX200\t\t2026-11-01T08:00:00Z\n" >expect &&
	printf "2\tbob@example.com\t\tB\t\t2026-11-01T08:00:00Z\n" >>expect &&
	printf "3\talice\t\tC\t\t2026-11-01T08:00:00Z\n" >>expect &&
	printf "4\twli@initech.io\tLi, Wang\t\tEU\t2026-11-01T08:00:00Z\n" >>expect &&
	test_cmp expect out &&
	mdb_dump -p -s meta v5 | grep -x " $TK_SCHEMA" &&
	mdb_dump -p -s fields v5 >f && ! grep -x " Product" f && grep -x " product" f && grep -x " region" f &&
	tk-ls -d v5 -o id requester=wang.li@initech.io >out && echo 1 >expect && test_cmp expect out &&
	tk-ls -d v5 -a -o id requester=bob@example.com >out && echo 2 >expect && test_cmp expect out &&
	tk-log -d v5 1 | awk -F "\t" "\$8 == \"upgrade\" { print \$4 \"|\" \$5 \"|\" \$6 }" | sort >out &&
	printf "Product|X200|\nproduct||X200\nrequester_name||Wang Li\nrequester|Wang Li <Wang.Li@Initech.io>|wang.li@initech.io\n" | sort >expect &&
	test_cmp expect out &&
	tk-ls -d v5 -a -o id >/dev/null && mdb_dump -p -s meta v5 | grep -x " $TK_SCHEMA"
'

# Schema 6 to 7: the agents' sub-databases made, each assignee's count of
# tickets in the working set counted from it (alice: new, open, pending
# and open again; her resolved ticket and carol's closed one not counted).
test_expect_success 'a schema 6 store: a reader upgrades it and loads are counted' '
	"$TK_UNIT" v6-store v6 &&
	mdb_dump -p -s meta v6 | grep -x " 6" &&
	test_must_fail mdb_dump -s agent_load v6 &&
	tk-ls -d v6 -o id,assignee assignee=bob >out && printf "5\tbob\n" >expect && test_cmp expect out &&
	mdb_dump -p -s meta v6 | grep -x " $TK_SCHEMA" &&
	mdb_dump -s agent_load v6 | sed -n "/^HEADER=END/,/^DATA=END/p" >load &&
	printf "HEADER=END\n 616c696365\n 0000000000000004\n 626f62\n 0000000000000001\nDATA=END\n" >expect &&
	test_cmp expect load &&
	tk-agent -d v6 -q add alice && tk-agent -d v6 -q add carol &&
	tk-agent -d v6 ls -o login,load >out && printf "alice\t4\ncarol\t0\n" >expect && test_cmp expect out &&
	tk-set -d v6 -q status=resolved 2 && tk-set -d v6 -q assignee=carol 6 &&
	tk-agent -d v6 ls -o login,load >out && printf "alice\t3\ncarol\t1\n" >expect && test_cmp expect out
'

# Schema 10 to 11 (from 8 here, through mail's 9 and the KB's 10, on to 12):
# ix_custom made (by a reader too), empty; the store keeps
# tk'"'"'s default workflow and no index until tk-config apply.
test_expect_success 'a schema 8 store gets ix_custom; tk-config apply indexes its tickets' '
	"$TK_UNIT" v8-store v8 &&
	mdb_dump -p -s meta v8 | grep -x " 8" &&
	test_expect_code 1 mdb_dump -s ix_custom v8 2>/dev/null &&
	tk-ls -d v8 -a -o id,status >out &&
	printf "1\tnew\n2\tresolved\n3\topen\n4\tclosed\n" >expect && test_cmp expect out &&
	mdb_dump -p -s meta v8 | grep -x " $TK_SCHEMA" &&
	mdb_dump -s ix_custom v8 >/dev/null &&
	printf "field product\n  indexed\nfield region\n" >v8/fields &&
	test_expect_code 3 tk-set -d v8 product=D 3 2>err &&
	test_grep "v8/fields:2: field product is indexed in the file, not yet in the store: .*run tk-config apply" err &&
	tk-config -d v8 apply >out &&
	printf "index\tproduct\t\tindexed\t2\n" >expect && test_cmp expect out &&
	tk-ls -d v8 -a -o id product=C --explain >out 2>err &&
	echo 3 >expect && test_cmp expect out && test_grep "plan: index product" err
'

# Schema 11 to 12 (from 7 here): the notice sub-databases made, each ticket's notice mark
# at its last comment: the first tk-notify --to requester mails no reply
# of the past, and the next reply alone.
test_expect_success 'a schema 7 store: notice marks at the last comments' '
	"$TK_UNIT" v7-store v7 &&
	mdb_dump -p -s meta v7 | grep -x " 7" &&
	test_must_fail mdb_dump -s notice_mark v7 2>/dev/null &&
	tk-ls -d v7 -a -o id >/dev/null &&
	mdb_dump -p -s meta v7 | grep -x " $TK_SCHEMA" &&
	mdb_dump -s notice_mark v7 | sed -n "/^HEADER=END/,/^DATA=END/p" >marks &&
	printf "HEADER=END\n 0000000000000001\n 0000000200000002\n 0000000000000003\n 0000000100000001\nDATA=END\n" >expect &&
	test_cmp expect marks &&
	printf "#!/bin/sh\ncat >>sent\n" >sendmail && chmod +x sendmail &&
	TK_SENDMAIL=./sendmail tk-notify -d v7 --to requester 1 2 3 >out &&
	printf "1\tskipped\tno new reply\n2\tskipped\tno new reply\n3\tskipped\tno new reply\n" >expect &&
	test_cmp expect out && test ! -e sent &&
	tk-comment -d v7 -q -m "new" 1 &&
	TK_SENDMAIL=./sendmail tk-notify -d v7 --to requester 1 >out &&
	printf "1\tsent\told@example.com\n" >expect && test_cmp expect out &&
	sed "1,/^\$/d" sent >body && echo new >expect && test_cmp expect body
'

# Schema 13 to 14 (the SLA; from 6 here): ix_sla_due and sla_ledger made, no ticket
# rewritten (deadlines come with the next change, or tk-sla --recompute).
test_expect_success 'an older store gets the SLA sub-databases, its tickets untouched' '
	"$TK_UNIT" v6-store vs &&
	tk-ls -d vs -a -o id >/dev/null &&
	mdb_dump -p -s meta vs | grep -x " $TK_SCHEMA" &&
	mdb_stat -s ix_sla_due vs >/dev/null && mdb_stat -s sla_ledger vs >/dev/null &&
	tk-log -d vs | grep -c "	sla:" >n || true &&
	echo 0 >expect && test_cmp expect n
'

# Schema 15 to 16 (DESIGN.md 6): custom values under names that became
# tk's fields move into them when empty and valid (requester_name, nps),
# logged via upgrade; the rest stay and check --tickets says why.
test_expect_success 'a schema 15 store: values under names that became tk'"'"'s fields move, the rest are listed' '
	"$TK_UNIT" v15-store v15 &&
	mdb_dump -p -s meta v15 | grep -x " 15" &&
	tk-ls -d v15 -a -t -o id,nps,requester_name,tier,related >out &&
	printf "1\t9\tWang Li\t\t\n2\t\t\t\t\n3\t\t\t\t\n4\t\t\t\t\n5\t3\t\t\t\n" >expect && test_cmp expect out &&
	mdb_dump -p -s meta v15 | grep -x " $TK_SCHEMA" &&
	tk-log -d v15 1 | awk -F "\t" "\$8 == \"upgrade\" { print \$4 \"|\" \$5 \"|\" \$6 }" | sort >out &&
	printf "nps||9\nrequester_name||Wang Li\n" >expect && test_cmp expect out &&
	tk-ls -d v15 -a -t -o id nps=9 >out && echo 1 >expect && test_cmp expect out &&
	test_expect_code 1 tk-config -d v15 check --tickets >out &&
	cut -f1-3 out >got &&
	printf "2\tnps\t12\n3\ttier\tvip\n4\trelated\t1\n4\tdue_response\t2026-12-01T10:00:00Z\n5\tnps\t7\n" >expect &&
	test_cmp expect got &&
	test_grep "^5	nps	7	.*the field has a value of its own" out &&
	test_grep "^4	related	1	.*links are made with tk-link" out
'

# Schema 16 to 17 (from 14 here): the ticket side of fulltext rebuilt in its new form (ids
# alone, no forward records T), ft_pending emptied, articles kept.
test_expect_success 'an older ticket index is rebuilt: no forward records, old chunks gone' '
	tk-new -d v14 subject="打印机 坏了" </dev/null >/dev/null &&
	tk-new -d v14 subject="vpn timeout" </dev/null >/dev/null &&
	echo "重新安装驱动" | tk-kb -d v14 add --title "打印机驱动" >/dev/null &&
	printf "VERSION=3\nformat=print\ntype=btree\nHEADER=END\n schema\n 14\nDATA=END\n" | mdb_load -s meta v14 &&
	printf "VERSION=3\nformat=print\ntype=btree\nHEADER=END\n T\\\\00\\\\00\\\\00\\\\00\\\\00\\\\00\\\\00\\\\01\n \\\\05\\\\03zzz\n tzzz\\\\00\\\\00\\\\00\\\\00\\\\00\\\\00\\\\00\\\\00\\\\02\n \\\\00\\\\05\\\\01\\\\01\\\\05\\\\05\\\\00\nDATA=END\n" |
		mdb_load -s fulltext v14 &&
	mdb_dump -p -s fulltext v14 | grep -q "^ T" &&
	tk-ls -d v14 -a "text=打印机" -o id >out && echo 1 >expect && test_cmp expect out &&
	mdb_dump -p -s meta v14 | grep -x " $TK_SCHEMA" &&
	! mdb_dump -p -s fulltext v14 | grep -q "^ T" &&
	test_expect_code 1 tk-ls -d v14 -a "text=zzz" -o id &&
	tk-ls -d v14 -a "text=timeout" -o id >out && echo 2 >expect && test_cmp expect out &&
	mdb_stat -s ft_pending v14 | grep -q "Entries: 0" &&
	tk-kb -d v14 search 打印机 >out && test_grep "打印机驱动" out
'

# Schema 17 to 19 (through 18): the articles' side of fulltext rebuilt from the articles (a CJK
# character's unigram only where it ends a run), the tickets' side kept.
test_expect_success 'a schema 17 store: the article index is rebuilt from the articles' '
	tk-new -d v17 subject="打印机 坏了" </dev/null >/dev/null &&
	echo "重新安装驱动 印" | tk-kb -d v17 add --title "打印机驱动" >/dev/null &&
	printf "VERSION=3\nformat=print\ntype=btree\nHEADER=END\n schema\n 17\nDATA=END\n" | mdb_load -s meta v17 &&
	printf "VERSION=3\nformat=print\ntype=btree\nHEADER=END\n azzz\\\\00\\\\00\\\\00\\\\00\\\\00\\\\00\\\\00\\\\00\\\\01\n \\\\00\\\\03\\\\01\\\\00\\\\03\nDATA=END\n" |
		mdb_load -s fulltext v17 &&
	mdb_dump -p -s fulltext v17 | grep -q "^ azzz" &&
	tk-kb -d v17 search 印 | cut -f1 >out && echo kb1 >expect && test_cmp expect out &&
	mdb_dump -p -s meta v17 | grep -x " $TK_SCHEMA" &&
	! mdb_dump -p -s fulltext v17 | grep -q "^ azzz" &&
	test_expect_code 1 tk-kb -d v17 search zzz &&
	tk-kb -d v17 search 驱动 | cut -f1 >out && echo kb1 >expect && test_cmp expect out &&
	tk-ls -d v17 -a "text=打印机" -o id >out && echo 1 >expect && test_cmp expect out
'

test_done
