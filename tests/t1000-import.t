#!/bin/sh
# tk-import: CSV and records, presets, idempotence, rejects, atomicity.
. "$(dirname "$0")/lib.sh"
EX=$TEST_DIR/../examples/import

test_expect_success 'import a CSV with tk column names' '
	printf "external_id,subject,requester,priority,status,created\r\nA-1,Printer down,a@example.com,P2,open,2026-11-01T08:00:00Z\r\nA-2,\"VPN, again\",b@example.com,high,closed,2026-11-02 09:00\r\n" >a.csv &&
	tk-import a.csv 2>err &&
	echo "tk-import: a.csv: 2 read, 2 created, 0 updated, 0 unchanged, 0 rejected" >expect &&
	test_cmp expect err &&
	tk-ls -a -o external_id,subject,priority,status,created,channel >out &&
	printf "A-1\tPrinter down\tP2\topen\t2026-11-01T08:00:00Z\timport\nA-2\tVPN, again\tP2\tclosed\t2026-11-02T09:00:00Z\timport\n" >expect &&
	test_cmp expect out
'

test_expect_success 're-running the same file changes nothing and says so' '
	tk-log >before &&
	tk-import a.csv 2>err &&
	echo "tk-import: a.csv: 2 read, 0 created, 0 updated, 2 unchanged, 0 rejected (lines 2-3 as an earlier run committed them)" >expect &&
	test_cmp expect err &&
	tk-log >after &&
	test_cmp before after
'

test_expect_success 'marks: rows added at the end are imported, the rest read over' '
	printf "external_id,subject\nM-1,one\nM-2,two\n" >m1.csv &&
	tk-import -d marks m1.csv 2>err &&
	{ cat m1.csv; printf "M-3,three\n"; } >m2.csv &&
	tk-import -d marks m2.csv 2>err &&
	echo "tk-import: m2.csv: 3 read, 1 created, 0 updated, 2 unchanged, 0 rejected (lines 2-3 as an earlier run committed them)" >expect &&
	test_cmp expect err &&
	test "$(tk-ls -d marks -a -o external_id | tr "\n" " ")" = "M-1 M-2 M-3 "
'

test_expect_success 'marks: a changed row is found, the file read row by row' '
	printf "external_id,subject\nM-1,one\nM-2,TWO\nM-3,three\n" >m3.csv &&
	test_expect_code 3 tk-import -d marks m3.csv 2>err &&
	test_grep "m3.csv:3: changed since it was imported" err &&
	test_grep "3 read, 0 created, 0 updated, 2 unchanged, 1 rejected$" err
'

test_expect_success 'marks: refused rows are refused again on a re-run' '
	printf "external_id,subject,priority\nR-1,ok,P2\nR-2,bad,P9\n" >r.csv &&
	test_expect_code 3 tk-import -d marks r.csv 2>err &&
	test_expect_code 3 tk-import -d marks r.csv 2>err &&
	test_grep "r.csv:3: column \"priority\": priority \"P9\"" err &&
	test_grep "2 read, 0 created, 0 updated, 1 unchanged, 1 rejected$" err
'

test_expect_success 'marks: a changed external id puts every mark out of use' '
	tk-import -d marks m2.csv 2>err && test_grep "(lines 2-4 as" err &&
	tk-set -q -d marks external_id=M-2b 2 &&
	tk-import -d marks m2.csv 2>err &&
	test_grep "3 read, 1 created, 0 updated, 2 unchanged, 0 rejected$" err &&
	test "$(tk-ls -d marks -a -o id external_id=M-2)" = 5
'

test_expect_success 'marks: --update of a row puts every mark out of use' '
	tk-import -d marks m2.csv 2>err && test_grep "(lines 2-4 as" err &&
	tk-import -d marks --update m3.csv 2>err && test_grep "1 updated" err &&
	test_expect_code 3 tk-import -d marks m2.csv 2>err &&
	test_grep "m2.csv:3: changed since it was imported" err
'

test_expect_success 'a changed row is reported, not applied, without --update' '
	printf "external_id,subject,requester,priority,status,created\nA-1,Printer down,a@example.com,P1,open,2026-11-01T08:00:00Z\n" >b.csv &&
	test_expect_code 3 tk-import --rejects changed.tsv b.csv 2>err &&
	test_grep "b.csv:2: changed since it was imported" err &&
	test "$(tk-ls -a -o priority external_id=A-1)" = P2 &&
	tail -n 1 changed.tsv | cut -f 1,3- >got &&
	printf "2\tA-1\tPrinter down\ta@example.com\tP1\topen\t2026-11-01T08:00:00Z\n" >expect &&
	test_cmp expect got
'

test_expect_success '--update applies a changed row' '
	tk-import --update b.csv 2>err &&
	test_grep "1 updated" err &&
	test "$(tk-ls -a -o priority external_id=A-1)" = P1 &&
	tk-log 1 | cut -f4-6 | grep -x "priority	P2	P1"
'

test_expect_success 'a row changing a ticket made earlier in the same file leaves its indexes right' '
	printf "external_id,subject,priority,status\nDUP-1,first,P2,open\nDUP-1,second,P1,pending\n" >dup.csv &&
	tk-import -d dupstore --update dup.csv 2>err &&
	test_grep "2 read, 1 created, 1 updated" err &&
	test "$(tk-ls -d dupstore -o subject priority=P1 status=pending)" = second &&
	test_expect_code 1 tk-ls -d dupstore priority=P2 &&
	test_expect_code 1 tk-ls -d dupstore status=open
'

test_expect_success 'external ids longer than an index key are told apart' '
	long=$(printf "%0500d" 0) &&
	printf "external_id,subject\n${long}A,one\n${long}B,two\n" >long.csv &&
	tk-import -d longstore long.csv 2>err &&
	test_grep "2 read, 2 created" err &&
	tk-import -d longstore long.csv 2>err &&
	test_grep "2 read, 0 created, 0 updated, 2 unchanged" err
'

test_expect_success 'update times: a range finds them through the index, a change moves them' '
	{ printf "external_id,subject,updated\nU-1,one,2025-01-01T10:00:00Z\nU-2,two,2025-01-05T10:00:00Z\nU-3,three,2025-01-03T10:00:00Z\n" &&
	  awk "BEGIN { for (i = 10; i < 50; i++) printf \"F-%d,filler,2025-03-%02dT10:00:00Z\\n\", i, i % 28 + 1 }"; } >u.csv &&
	tk-import -d upd u.csv 2>err &&
	tk-ls -d upd -a --explain -o external_id updated=2025-01-02..2025-01-05 >out 2>plan &&
	printf "U-2\nU-3\n" >expect && test_cmp expect out &&
	test_grep "index updated range" plan &&
	tk-set -q -d upd priority=P1 1 &&
	test "$(tk-ls -d upd -a -o external_id updated=2026-11-22 | tr "\n" " ")" = "U-1 " &&
	test_expect_code 1 tk-ls -d upd -a updated=2025-01-01
'

test_expect_success 'bad rows are rejected with line and reason, good ones kept' '
	printf "external_id,subject,priority,created\nB-1,ok one,P3,2026-11-01\nB-2,bad priority,P9,2026-11-01\nB-3,bad date,P3,yesterday-ish\nB-4,ragged\nB-5,ok two,P4,2026-11-03\n" >bad.csv &&
	test_expect_code 3 tk-import --rejects rej.tsv bad.csv 2>err &&
	test_grep "bad.csv:3: column \"priority\": priority \"P9\"" err &&
	test_grep "bad.csv:4: column \"created\": \"yesterday-ish\" is not a date" err &&
	test_grep "bad.csv:5: 2 fields, the header has 4" err &&
	test_grep "5 read, 2 created, 0 updated, 0 unchanged, 3 rejected" err &&
	cut -f1,3 rej.tsv >got &&
	printf "#line\texternal_id\n3\tB-2\n4\tB-3\n5\tB-4\n" >expect &&
	test_cmp expect got &&
	test "$(tk-ls -a -o external_id external_id=B-1,B-5 | tr "\n" " ")" = "B-1 B-5 "
'

test_expect_success '--rejects naming an input or the store: refused before anything is written or wiped' '
	cp bad.csv keep.csv && ln -sf bad.csv bad-link.csv &&
	tk-log >before &&
	test_expect_code 2 tk-import --rejects bad.csv bad.csv 2>err &&
	test_grep "^tk-import: --rejects bad.csv: is the input bad.csv; name another file" err &&
	test_expect_code 2 tk-import --rejects bad-link.csv keep.csv bad.csv 2>err &&
	test_grep "is the input bad.csv" err &&
	test_cmp keep.csv bad.csv &&
	test_expect_code 2 tk-import --rejects "$TK_DIR/data.mdb" bad.csv 2>err &&
	test_grep "is the store.s data file" err &&
	tk-log >after && test_cmp before after
'

test_expect_success 'a value tk refuses (csat 9) rejects its row, kept whole in --rejects, on every run' '
	printf "external_id,subject,csat\nC-1,fine,4\nC-2,bad csat,9\n" >csat.csv &&
	test_expect_code 3 tk-import -d csat --rejects rej2.tsv csat.csv 2>err &&
	test_grep "csat.csv:3: csat=9: CSAT is 1 to 5" err &&
	test_grep "2 read, 1 created, 0 updated, 0 unchanged, 1 rejected" err &&
	printf "#line\treason\texternal_id\tsubject\tcsat\n3\tcsat=9: CSAT is 1 to 5\tC-2\tbad csat\t9\n" >expect &&
	test_cmp expect rej2.tsv &&
	test_expect_code 3 tk-import -d csat csat.csv 2>err &&
	test_grep "2 read, 0 created, 0 updated, 1 unchanged, 1 rejected" err
'

test_expect_success '--atomic: one bad row and nothing is written' '
	tk-log >before &&
	printf "external_id,subject,priority\nC-1,fine,P3\nC-2,bad,P0\n" >c.csv &&
	test_expect_code 3 tk-import --atomic c.csv 2>err &&
	test_grep "nothing imported" err &&
	tk-log >after &&
	test_cmp before after
'

test_expect_success 'malformed quotes, invalid UTF-8 and NUL bytes are rejected by line' '
	printf "external_id,subject\nD-1,\"unclosed quote\nD-2,\"x\"y\"\nD-3,\377\376\nD-4,fine\n" >q.csv &&
	test_expect_code 3 tk-import --rejects qrej.tsv q.csv 2>err &&
	test_grep "^tk-import: q.csv:2: malformed quotes (a quote inside an unquoted field, or text after a closing quote)\$" err &&
	test_grep "^tk-import: q.csv:4: column \"subject\": invalid UTF-8 at byte 1" err &&
	test_grep "3 read, 1 created, 0 updated, 0 unchanged, 2 rejected" err &&
	cut -f 1,2 qrej.tsv | sed -n 2p >out &&
	printf "2\tmalformed quotes (a quote inside an unquoted field, or text after a closing quote)\n" >expect &&
	test_cmp expect out &&
	printf "external_id,subject\nM-1,ok\nM-2,a\"b\nM-3,fine\n" >mid.csv &&
	test_expect_code 3 tk-import --rejects mrej.tsv mid.csv 2>err &&
	test_grep "^tk-import: mid.csv:3: malformed quotes" err &&
	test "$(cut -f 1 mrej.tsv | sed -n 2p)" = 3 &&
	printf "external_id\tsubject\nT-1\tok\nT-2\tbad\\\\q\n" >esc.tsv &&
	test_expect_code 3 tk-import --format tsv esc.tsv 2>err &&
	test_grep "^tk-import: esc.tsv:3: field 2: bad backslash escape" err &&
	mkdir adir && test_expect_code 3 tk-import adir 2>err &&
	test_grep "^tk-import: adir:1: cannot read on: Is a directory" err &&
	printf "external_id,subject\nE-1,a\000b\nE-2,fine\n" >nul.csv &&
	test_expect_code 3 tk-import nul.csv 2>err &&
	test_grep "nul.csv:2: NUL byte" err
'

test_expect_success 'embedded newlines, quotes, BOM, CRLF and semicolons' '
	printf "\357\273\277external_id;subject;body\r\nF-1;\"a \"\"quoted\"\" one\";\"line 1\r\nline 2; still body\"\r\n" >semi.csv &&
	tk-import semi.csv 2>err &&
	tk-ls -a -t -o subject,body external_id=F-1 >out &&
	printf "a \"quoted\" one\tline 1\\\\r\\\\nline 2; still body\n" >expect &&
	test_cmp expect out
'

test_expect_success 'an external id twice in one batch is one ticket: the second row refused, or with --update applied' '
	printf "external_id,subject\nD-1,first\nD-2,other\nD-1,second\n" >dup.csv &&
	test_expect_code 3 tk-import -d dup dup.csv 2>err &&
	test_grep "dup.csv:4: changed since it was imported" err &&
	test_grep "3 read, 2 created, 0 updated, 0 unchanged, 1 rejected" err &&
	tk-import --update -d dupu dup.csv 2>err &&
	test_grep "3 read, 2 created, 1 updated, 0 unchanged, 0 rejected" err &&
	tk-ls -d dupu -a -t -o id,external_id,subject >out &&
	printf "1\tD-1\tsecond\n2\tD-2\tother\n" >expect &&
	test_cmp expect out
'

# import_refusing STORE FILE MESSAGE COLUMNS: importing FILE exits 3 and
# says MESSAGE; the tickets' COLUMNS are then as in ./expect.
import_refusing() {
	test_expect_code 3 tk-import -d "$1" "$2" 2>err &&
	test_grep "$3" err &&
	tk-ls -d "$1" -a -t -o "$4" >out &&
	test_cmp expect out
}

# import_malformed STORE FILE LINE COUNTS: FILE has a malformed row on LINE;
# the import says so and COUNTS, and keeps the other rows' external ids and
# bodies as in ./expect.
import_malformed() {
	import_refusing "$1" "$2" "^tk-import: $2:$3: malformed quotes" external_id,body &&
	test_grep "$4" err
}

test_expect_success 'CR-only line ends (classic Mac OS): rows, their lines and a malformed one' '
	printf "external_id,subject,body\rM-1,first,\"two\rlines\"\rM-2,second,x\rM-3,\"bad\"x,y\rM-4,fourth,z\r" >mac.csv &&
	printf "M-1\ttwo\\\\rlines\nM-2\tx\nM-4\tz\n" >expect &&
	import_malformed mac mac.csv 5 "4 read, 3 created, 0 updated, 0 unchanged, 1 rejected"
'

test_expect_success 'Excel CSV (Macintosh): CR line ends, LF line breaks inside cells' '
	printf "external_id,subject,body\rX-1,first,\"line one\nline two\"\rX-2,\"bad\"x,y\rX-3,third,\"a\nb\nc\"\r" >excel.csv &&
	printf "X-1\tline one\\\\nline two\nX-3\ta\\\\nb\\\\nc\n" >expect &&
	import_malformed excel excel.csv 3 "3 read, 2 created, 0 updated, 0 unchanged, 1 rejected"
'

test_expect_success 'Excel Unicode Text (UTF-16LE with a byte order mark, TAB, CRLF) is imported, and a re-run finds it unchanged' '
	printf "external_id\tsubject\tbody\r\nU-1\t打印机无法连接\t\"第一行\n第二行\"\r\nU-2\tVPN down\tx\r\n" >u8.txt &&
	{ printf "\377\376" && iconv -f UTF-8 -t UTF-16LE u8.txt; } >u16.txt &&
	tk-import -d u16 u16.txt 2>err &&
	test_grep "2 read, 2 created, 0 updated, 0 unchanged, 0 rejected" err &&
	tk-ls -d u16 -a -t -o external_id,subject,body >out &&
	printf "U-1\t打印机无法连接\t第一行\\\\n第二行\nU-2\tVPN down\tx\n" >expect &&
	test_cmp expect out &&
	tk-import -d u16 u16.txt 2>err &&
	test_grep "2 read, 0 created, 0 updated, 2 unchanged, 0 rejected" err
'

test_expect_success 'UTF-16 without a mark needs --encoding UTF-16LE; UTF-32 by its mark' '
	printf "external_id,subject\nL-1,无标记\n" | iconv -f UTF-8 -t UTF-16LE >le.csv &&
	test_expect_code 3 tk-import -d le1 le.csv 2>err &&
	test_grep "NUL byte" err &&
	tk-import -d le2 --encoding UTF-16LE le.csv &&
	tk-ls -d le2 -a -t -o external_id,subject >out &&
	printf "L-1\t无标记\n" >expect &&
	test_cmp expect out &&
	printf "external_id,subject\nW-1,宽\n" | iconv -f UTF-8 -t UTF-32 >u32.csv &&
	tk-import -d u32 u32.csv &&
	tk-ls -d u32 -a -t -o external_id,subject >out &&
	printf "W-1\t宽\n" >expect &&
	test_cmp expect out
'

test_expect_success 'UTF-16 not valid on line 3: the rows before it kept, an error naming the line' '
	{ printf "\377\376" && printf "external_id,subject\nV-1,ok\nV-2," | iconv -f UTF-8 -t UTF-16LE && printf "\000\334x\000\n\000V\000-\0003\000,\000y\000\n\000"; } >bad16.csv &&
	test_expect_code 3 tk-import -d bad16 bad16.csv 2>err &&
	test_grep "^tk-import: bad16.csv:3: bytes that are not valid UTF-16: read no further" err &&
	tk-ls -d bad16 -a -t -o external_id >out &&
	echo V-1 >expect &&
	test_cmp expect out
'

test_expect_success 'dates as Excel writes them in Chinese (year first, local time by TZ)' '
	printf "external_id,subject,created\nZ-1,打印机,2026/11/22 9:30\nZ-2,网络,2026/11/22 17:05:09\nZ-3,坏日期,2026/13/01 9:30\nZ-4,长日期,2026年11月23日 8:00\n" >zh.csv &&
	printf "Z-1\t2026-11-22T01:30:00Z\nZ-2\t2026-11-22T09:05:09Z\nZ-4\t2026-11-23T00:00:00Z\n" >expect &&
	(TZ=Asia/Shanghai && export TZ &&
	import_refusing zh zh.csv "zh.csv:4: column \"created\": \"2026/13/01 9:30\" is not a date" external_id,created)
'

test_expect_success 'statuses, priorities and channels as help desks in Chinese name them' '
	printf "external_id,subject,status,priority,channel\nC-1,a,新建,紧急,邮件\nC-2,b,处理中,高,网页\nC-3,c,待回应,中,电话\nC-4,d,已解决,正常,微信\nC-5,e,已关闭,低,接口\nC-6,f,不知道,很高,x\n" >cn.csv &&
	printf "C-1\tnew\tP1\temail\nC-2\topen\tP2\tweb\nC-3\tpending\tP3\tphone\nC-4\tresolved\tP3\tchat\nC-5\tclosed\tP4\tapi\n" >expect &&
	import_refusing cn cn.csv "cn.csv:7: column \"status\"" external_id,status,priority,channel
'

test_expect_success 'a 10 MB field is imported whole' '
	{ echo "external_id,subject,body"; printf "G-1,big,"; head -c 10485760 /dev/zero | tr "\0" x; echo; } >big.csv &&
	tk-import big.csv 2>err &&
	test "$(tk-export --format tsv -o body external_id=G-1 | tail -n 1 | wc -c)" = 10485761
'

test_expect_success 'a line over 64 MiB is refused and read over, not held whole; the rows after it are kept' '
	{ printf "external_id,subject\nL-1,ok\nL-2,"; head -c 70000000 /dev/zero | tr "\0" x; printf "\nL-3,fine\n"; } >long.csv &&
	test_expect_code 3 tk-import -d long long.csv 2>err &&
	test_grep "^tk-import: long.csv:3: line 3 longer than 67108864 bytes" err &&
	test_grep "3 read, 2 created, 0 updated, 0 unchanged, 1 rejected" err &&
	tk-ls -d long -a -t -o external_id >out && printf "L-1\nL-3\n" >expect && test_cmp expect out &&
	rm -f long.csv
'

# Peak memory of the bulk commands with long rows: a batch ends at 8 MiB of
# rows as well as at its count (before, 2,000 rows of 40 KB were one batch
# of 80 MB and more than 120 MiB of memory).
if ! skip_peak_memory 'bulk loads of long rows stay small'; then
	test_expect_success 'bulk loads of long rows stay small (tk-import, tk-new -b)' '
		awk "BEGIN { b = \"x\"; while (length(b) < 40000) b = b b; print \"external_id,subject,body\";
		    for (i = 1; i <= 2000; i++) printf \"W-%d,wide %d,%s\n\", i, i, b }" >wide.csv &&
		/usr/bin/time -f %M -o rss tk-import -q -d wide wide.csv &&
		test "$(tk-ls -d wide -a -t -o id | wc -l)" -eq 2000 &&
		test "$(cat rss)" -lt 65536 &&
		tk-import -d wide wide.csv 2>err && test_grep "2000 unchanged" err &&
		tk-export -d wide --format tsv -o subject,body >wide.tsv &&
		/usr/bin/time -f %M -o rss tk-new -q -b -d wide2 <wide.tsv &&
		test "$(tk-ls -d wide2 -a -t -o id | wc -l)" -eq 2000 &&
		test "$(cat rss)" -lt 65536 &&
		rm -f wide.csv wide.tsv
	'
fi

test_expect_success '-m maps columns; an undeclared column stops the import, --new-fields declares it; --strict refuses it' '
	printf "Ticket,Title,Who,Product\nH-1,Mapped,x@example.com,X200\n" >m.csv &&
	test_expect_code 3 tk-import -m "Ticket=external_id,Title=subject,Who=requester" m.csv 2>err &&
	test_grep "^tk-import: m.csv:1: column 4, \"Product\": no field product" err &&
	test_expect_code 1 tk-ls -a external_id=H-1 &&
	tk-import --new-fields -m "Ticket=external_id,Title=subject,Who=requester" m.csv 2>err &&
	test "$(tk-ls -a -o subject,requester,product external_id=H-1)" = "Mapped	x@example.com	X200" &&
	test_expect_code 3 tk-import --strict -m "Ticket=external_id,Title=subject,Who=requester" m.csv 2>err &&
	test_grep "Product.*not a tk field" err &&
	printf "Weird,subject,more,other\n1,2,3,4\n" >w.csv &&
	test_expect_code 3 tk-import --strict -d strict w.csv 2>err &&
	test_grep "column 1, \"Weird\": not a tk field" err
'

test_expect_success 'GBK input with --encoding' '
	printf "external_id,subject\nK-1,\264\362\323\241\273\372\n" >gbk.csv &&
	tk-import --encoding GBK gbk.csv 2>err &&
	test "$(tk-ls -a -o subject external_id=K-1)" = "打印机" &&
	printf "external_id,subject\nK-2,\264\362\323\241\273\372\n" >gbk2.csv &&
	test_expect_code 3 tk-import gbk2.csv 2>err &&
	test_grep "invalid UTF-8" err
'

test_expect_success 'presets: osTicket, Zendesk, Jira, RT, GitHub' '
	TZ=UTC tk-import -d ost --preset osticket "$EX/osticket.csv" 2>err &&
	test "$(tk-ls -d ost -a -o external_id,status,priority,queue,requester,channel | head -n 1)" = "684012	open	P2	IT Support	alice@example.com	email" &&
	tk-import -d zd --preset zendesk "$EX/zendesk.csv" 2>err &&
	test "$(tk-ls -d zd -a -o external_id,status,priority,created,csat,tags | head -n 1)" = "1001	resolved	P1	2025-07-01T02:00:00Z	5	billing,vip" &&
	tk-import -d ji --preset jira "$EX/jira.csv" 2>err &&
	test "$(tk-ls -d ji -a -o external_id,status,tags,first_response,comments | head -n 1)" = "HD-12	resolved	erp,login	2025-07-14T16:00:00Z	2" &&
	tk-show -d ji 1 >show && test_grep "reply 2 by jsmith, 2025-07-15T09:05:00Z" show &&
	tk-import -d rt --preset rt "$EX/rt.tsv" 2>err &&
	test "$(tk-ls -d rt -a -o external_id,status,priority,assignee | tr "\n" " ")" = "42	open	P1	 43	pending	P4	ivan " &&
	tk-import -d gh --preset github "$EX/github.csv" 2>err &&
	test "$(tk-ls -d gh -a -o external_id,status,assignee,tags,closed | tail -n 1)" = "18	closed		docs	2025-06-03T12:00:00Z"
'

test_expect_success 'records (TSV) round trip through tk-export' '
	tk-export --format tsv >all.tsv &&
	tk-import -d copy --format tsv --new-fields - <all.tsv 2>err &&
	tk-export --format tsv -o subject,body,status,priority,created >a &&
	tk-export -d copy --format tsv -o subject,body,status,priority,created >b &&
	test_cmp a b
'

test_expect_success 'a file of exactly two batches (10000 rows): every row counted once' '
	awk "BEGIN { print \"external_id,subject\"; for (i = 1; i <= 10000; i++) printf \"B2-%05d,subject %d\\n\", i, i }" >b2.csv &&
	tk-import -d twobatch b2.csv 2>err &&
	echo "tk-import: b2.csv: 10000 read, 10000 created, 0 updated, 0 unchanged, 0 rejected" >expect &&
	test_cmp expect err &&
	test "$(tk-ls -d twobatch -a -t -o id | wc -l)" -eq 10000
'

test_expect_success 'each batch of a bulk load starts an epoch; requester, assignee and update time find all' '
	awk "BEGIN { print \"external_id,subject,requester,assignee,updated\";
	  for (i = 1; i <= 12000; i++) printf \"E-%05d,s %d,r%d@example.com,a%d,2025-%02d-%02dT10:00:00Z\\n\", i, i, i % 7, i % 3, (i * 7) % 12 + 1, i % 28 + 1 }" >ep.csv &&
	tk-import -q -d ep ep.csv &&
	mdb_dump -s meta ep | grep -x " 000000000000000000000000000013890000000000002711" &&
	test "$(tk-ls -d ep -a -o id requester=r3@example.com | wc -l)" -eq "$(grep -c ",r3@example.com," ep.csv)" &&
	test "$(tk-ls -d ep -a -o id assignee=a2 | wc -l)" -eq "$(grep -c ",a2,2025" ep.csv)" &&
	test "$(tk-ls -d ep -a -o id updated=2025-05-01..2025-06-01 | wc -l)" -eq "$(grep -c ",2025-05-" ep.csv)" &&
	tk-ls -d ep -a -o id requester=r3@example.com | sed -n "1p;\$p" | tr "\n" " " >out &&
	echo "3 11994 " >expect && echo "$(cat out)" >got && test_cmp expect got &&
	tk-set -d ep requester=moved@example.com 3 11994 >/dev/null &&
	test "$(tk-ls -d ep -a -o id requester=moved@example.com | tr "\n" " ")" = "3 11994 " &&
	tk-import -d ep ep.csv 2>err &&
	test_grep "12000 read, 0 created, 0 updated, 12000 unchanged" err
'

test_expect_success 'status, priority and queue as posting lists: a few changed among 12,000 are found by the index' '
	tk-set -d ep status=open 7 5000 5001 11999 >/dev/null &&
	test "$(tk-ls -d ep -a -o id status=open | tr "\n" " ")" = "7 5000 5001 11999 " &&
	tk-set -d ep status=pending 5000 >/dev/null &&
	test "$(tk-ls -d ep -a -o id status=open | tr "\n" " ")" = "7 5001 11999 " &&
	test "$(tk-ls -d ep -a -o id status=pending | tr "\n" " ")" = "5000 " &&
	tk-set -d ep priority=P1 queue=net 5001 >/dev/null &&
	test "$(tk-ls -d ep -a -o id priority=P1 queue=net status=open)" = 5001 &&
	test "$(tk-ls -d ep -a -o id status=new | wc -l)" -eq 11996
'

test_expect_success 'the map grows mid-batch (TK_MAP_SIZE=65536): nothing lost, a re-run changes nothing' '
	awk "BEGIN { print \"#subject\\tbody\"; for (i = 1; i <= 20000; i++) printf \"s%d\\tbody of ticket %d, long enough to fill pages\\n\", i, i }" >grow.tsv &&
	TK_MAP_SIZE=65536 tk-new -q -b -d grow <grow.tsv &&
	awk "BEGIN { print \"external_id,subject,requester,comment\"; for (i = 1; i <= 20000; i++) printf \"G-%05d,row %d,g%d@example.com,reply %d\\n\", i, i, i % 50, i }" >grow.csv &&
	TK_MAP_SIZE=65536 tk-import -d grow grow.csv 2>err &&
	test_grep "20000 read, 20000 created, 0 updated, 0 unchanged, 0 rejected" err &&
	test "$(tk-ls -d grow -a -t -o id | wc -l)" -eq 40000 &&
	test "$(tk-ls -d grow -a -t -o id requester=g7@example.com | wc -l)" -eq 400 &&
	test "$(TK_MAP_SIZE=65536 tk-show -d grow 20000 | grep -c "body of ticket 20000")" -eq 1 &&
	test "$(tk-log -d grow | grep -c "	reply	")" -eq 20000 &&
	tk-show -d grow 40000 >show && test_grep "^reply 20000" show && test_grep "g0@example.com" show &&
	tk-show -d grow 25000 >show && test_grep "^reply 5000" show &&
	TK_MAP_SIZE=65536 tk-import -d grow grow.csv 2>err &&
	test_grep "20000 read, 0 created, 0 updated, 20000 unchanged, 0 rejected" err
'

test_expect_success 'TK_MAP_SIZE that is not a size: usage error, no store made' '
	TK_MAP_SIZE=12x test_expect_code 2 tk-new -d nomap -s x 2>err &&
	test_grep "TK_MAP_SIZE=12x: not a size" err &&
	! test -e nomap
'

if command -v script >/dev/null 2>&1; then
	test_expect_success 'progress on a terminal (script gives a pty), none when stderr is a file' '
		awk "BEGIN { print \"external_id,subject\"; for (i = 1; i <= 12000; i++) printf \"P-%05d,subject %d\\n\", i, i }" >p.csv &&
		script -qec "tk-import -d progress p.csv" /dev/null >tty.out &&
		tr "\r" "\n" <tty.out >tty.lines &&
		test_grep "^p.csv: 5000 rows, [0-9]* rows/s, [0-9]*%, ETA [0-9]* s" tty.lines &&
		test_grep "12000 read, 12000 created, 0 updated, 0 unchanged, 0 rejected" tty.lines &&
		grep -q "$(printf "\033\\[K")tk-import: p.csv: 12000 read" tty.out &&
		tk-import -d progress2 p.csv 2>err &&
		echo "tk-import: p.csv: 12000 read, 12000 created, 0 updated, 0 unchanged, 0 rejected" >expect &&
		test_cmp expect err
	'
else
	test_skip 'progress on a terminal' 'script (util-linux) is not installed: no pty to run under'
fi

test_expect_success 'killed mid-import (kill -9): committed batches stay, a re-run completes it' '
	awk "BEGIN { print \"external_id,subject,requester\"; for (i = 1; i <= 12000; i++) printf \"K9-%05d,subject %d,r%d@example.com\\n\", i, i, i % 97 }" >k.csv &&
	head -n 7001 k.csv >k-part.csv &&
	mkfifo fifo || exit 1
	# The feeder sends 7000 rows and holds the pipe open: tk-import commits
	# its first batch of 5000 and waits for more, and is killed there.
	{ cat k-part.csv; sleep 600; } >fifo &
	feeder=$!
	tk-import -d killed fifo 2>imp.err &
	importer=$!
	n=0 tries=0
	while [ "$n" -lt 5000 ] && [ $tries -lt 600 ]; do
		sleep 0.1
		tries=$((tries + 1))
		n=$(tk-ls -d killed -a -t -o id 2>/dev/null | wc -l)
	done
	kill -9 $importer
	kill $feeder
	wait $importer || :
	{ test "$n" -eq 5000 || { echo "n=$n"; cat imp.err; false; }; } &&
	test "$(tk-ls -d killed -a -t -o id | wc -l)" -eq 5000 &&
	tk-import -d killed k.csv 2>err &&
	test_grep "12000 read, 7000 created, 0 updated, 5000 unchanged, 0 rejected (lines 2-5001 as an earlier run committed them)" err &&
	test "$(tk-ls -d killed -a -t -o external_id | sort -u | wc -l)" -eq 12000
'

test_expect_success 'usage errors' '
	test_expect_code 2 tk-import 2>err && test_grep "no input" err &&
	test_expect_code 2 tk-import --preset nope a.csv 2>err && test_grep "no such preset" err &&
	test_expect_code 2 tk-import --format xml a.csv &&
	test_expect_code 2 tk-import -m "nonsense" a.csv 2>err && test_grep "not a mapping" err &&
	test_expect_code 2 tk-import --encoding NOPE-1 a.csv 2>err && test_grep "not an encoding" err &&
	test_expect_code 4 tk-import missing.csv 2>err && test_grep "missing.csv" err &&
	test_expect_code 3 tk-import /dev/null 2>err && test_grep "no header" err
'

test_expect_success 'no subject column is refused before anything is written' '
	printf "a,b\n1,2\n" >nosub.csv &&
	test_expect_code 3 tk-import -d fresh nosub.csv 2>err &&
	test_grep "no subject column" err
'

test_done
