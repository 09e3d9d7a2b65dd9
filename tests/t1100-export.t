#!/bin/sh
# tk-export: CSV, records and JSON lines, filters, comments and history.
. "$(dirname "$0")/lib.sh"
declare_fields "$TK_DIR" product
declare_fields xl x.note

test_expect_success 'setup' '
	tk-new -q -s "Printer, 3F" -r a@example.com -m "He said \"hi\"
second line" product=X200 &&
	tk-new -q -s "VPN 连接很慢" -r b@example.com -p P1 &&
	tk-set -q status=open 2 &&
	tk-comment -q -m "On it" 2 &&
	tk-set -q status=resolved 2
'

test_expect_success 'CSV: header, RFC 4180 quoting, CRLF, every ticket by default' '
	tk-export -o id,subject,status,body,product >out.csv &&
	printf "id,subject,status,body,product\r\n1,\"Printer, 3F\",new,\"He said \"\"hi\"\"\nsecond line\",X200\r\n2,VPN 连接很慢,resolved,,\r\n" >expect &&
	test_cmp expect out.csv
'

test_expect_success 'the default columns include custom fields' '
	tk-export | head -n 1 | tr -d "\r" >hdr &&
	test_grep ",subject,body,product$" hdr
'

test_expect_success '--bom writes the UTF-8 BOM for spreadsheets' '
	tk-export --bom -o id | head -c 3 | od -An -tx1 | tr -d " " >bom &&
	echo efbbbf >expect && test_cmp expect bom
'

test_expect_success '--excel: a text cell that a spreadsheet would take for a formula gets an apostrophe; numbers do not' '
	tk-new -q -d xl -s "=HYPERLINK(\"http://x\",\"y\")" escalation=+1 x.note=@SUM\(1\) &&
	tk-new -q -d xl -s "-2+3" &&
	tk-new -q -d xl -s "$(printf "\tTAB")" &&
	tk-new -q -d xl -s "plain = text" &&
	tk-export -d xl --excel -o id,subject,escalation,x.note >out &&
	head -c 3 out | od -An -tx1 | tr -d " " >bom && echo efbbbf >expect && test_cmp expect bom &&
	tail -c +4 out | tr -d "\r" >got &&
	printf "id,subject,escalation,x.note\n1,\"'"'"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1,'"'"'@SUM(1)\n2,'"'"'-2+3,,\n3,'"'"'\tTAB,,\n4,plain = text,,\n" >expect &&
	test_cmp expect got &&
	tk-export -d xl -o subject id=1,2 | tr -d "\r" >got &&
	printf "subject\n\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n-2+3\n" >expect &&
	test_cmp expect got
'

test_expect_success 'filters as in tk-ls, and ids from standard input' '
	tk-export --format tsv -o id,status status=resolved >out &&
	printf "#id\tstatus\n2\tresolved\n" >expect && test_cmp expect out &&
	echo 1 | tk-export --format tsv -o id - >out &&
	printf "#id\n1\n" >expect && test_cmp expect out &&
	test_expect_code 1 tk-export status=pending >/dev/null
'

test_expect_success 'JSON lines with comments and history' '
	tk-export --format json --with comments,history -o id,subject id=2 >out.json &&
	python3 -c "
import json,sys
t=json.loads(open(\"out.json\").read())
assert t[\"id\"]==2 and t[\"subject\"]==\"VPN 连接很慢\", t
assert [c[\"body\"] for c in t[\"comments\"]]==[\"On it\"], t
fields=[h[\"field\"] for h in t[\"history\"]]
assert fields[0]==\"create\" and \"status\" in fields and \"reply\" in fields, fields
"
'

# A long scan lets the map's pages go every 65,536 tickets: the peak of an
# export is a stretch of the store, not all of it (before: 76 MiB here).
if ! skip_peak_memory 'an export of 200,000 tickets stays small'; then
	test_expect_success 'an export of 200,000 tickets (an 80 MB store) stays small' '
		awk "BEGIN { print \"subject\trequester\tbody\"; for (i = 1; i <= 200000; i++)
		    printf \"VPN %d down\tr%d@example.com\tticket %d, a body long enough to fill the pages: lorem ipsum dolor sit amet\n\", i, i % 997, i }" |
		tk-new -q -b -d many &&
		/usr/bin/time -f %M -o rss tk-export -d many --format csv -o id,subject >many.csv &&
		test "$(wc -l <many.csv)" -eq 200001 &&
		test "$(cat rss)" -lt 51200 &&
		/usr/bin/time -f %M -o rss tk-ls -d many -a -t "subject~^VPN 1999" >out &&
		test "$(wc -l <out)" -eq 111 &&
		test "$(cat rss)" -lt 51200 &&
		rm -rf many many.csv
	'
fi

test_expect_success 'usage errors' '
	test_expect_code 2 tk-export --format xml &&
	test_expect_code 2 tk-export --with comments 2>err && test_grep "json" err &&
	test_expect_code 2 tk-export --format json --with nope &&
	test_expect_code 2 tk-export -o nosuchcol 2>err && test_grep "nosuchcol" err &&
	test_expect_code 4 tk-export -d "$trash/none" 2>err && test_grep "no tk store" err &&
	test_expect_code 2 tk-export --excel --format json 2>err && test_grep "excel goes with --format csv" err
'

test_done
