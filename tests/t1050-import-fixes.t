#!/bin/sh
# tk-import after issue 22: Chinese column names, no made-up marks in the
# user's fields (and the upgrade that takes the old ones out), columns no
# one declared, and the man page's examples run as it writes them.
. "$(dirname "$0")/lib.sh"
PAGE=$TEST_DIR/../man/tk-import.1

# The .Dl lines of tk-import(1) in the paragraph starting with $1, as a
# shell reads them (\(ti is ~).
man_example() {
	sed -n "/^$1/,/^\\.Pp/p" "$PAGE" | sed -n 's/^\.Dl //p' | sed 's/\\(ti/~/g; s/\\&//g'
}

test_expect_success 'Chinese column names are the fields they name, whatever blanks and byte order mark surround them' '
	printf "\357\273\277工单编号, 主题 ,描述,请求人,状态,优先级,处理人,分类,队列,类型,\343\200\200标签\343\200\200,创建时间,更新时间,解决时间,关闭时间,渠道,截止时间\n" >zh.csv &&
	printf "Z-1,打印机坏了,三楼的打印机不出纸,wang@example.com,已关闭,高,李四,硬件,desk,故障,\"printer,3f\",2026/11/20 9:30,2026/11/21 10:00,2026/11/21 9:00,2026/11/21 10:00,电话,2026/11/25 18:00\n" >>zh.csv &&
	TZ=Asia/Shanghai tk-import -d zh zh.csv 2>err &&
	test_grep "1 read, 1 created, 0 updated, 0 unchanged, 0 rejected" err &&
	tk-ls -d zh -a -t -o external_id,subject,body,requester,status,priority,assignee,category,queue,type,tags,created,updated,resolved,closed,channel,due >out &&
	printf "Z-1\t打印机坏了\t三楼的打印机不出纸\twang@example.com\tclosed\tP2\t李四\t硬件\tdesk\t故障\t3f,printer\t2026-11-20T01:30:00Z\t2026-11-21T02:00:00Z\t2026-11-21T01:00:00Z\t2026-11-21T02:00:00Z\tphone\t2026-11-25T10:00:00Z\n" >expect &&
	test_cmp expect out
'

test_expect_success 'the other Chinese names of a field: 标题, 内容, 详情, 提交人, 报告人, 客户, 负责人, 受理人, 类别, 工单号, 编号' '
	printf "工单号,标题,内容,提交人,负责人,类别\nA-1,一,正文一,a@example.com,张三,网络\n" >a.csv &&
	printf "编号,主题,详情,报告人,受理人,分类\nB-1,二,正文二,b@example.com,李四,硬件\n" >b.csv &&
	printf "编号\t标题\t描述\t客户\nC-1\t三\t正文三\tc@example.com\n" >c.tsv &&
	tk-import -d alt a.csv b.csv c.tsv &&
	tk-ls -d alt -a -t -o external_id,subject,body,requester,assignee,category >out &&
	printf "A-1\t一\t正文一\ta@example.com\t张三\t网络\nB-1\t二\t正文二\tb@example.com\t李四\t硬件\nC-1\t三\t正文三\tc@example.com\t\t\n" >expect &&
	test_cmp expect out
'

test_expect_success 'a row with no external id leaves the ticket'"'"'s external_id empty, and a re-run still finds it' '
	printf "subject,body\nno id,one\nno id,one\nother,two\n" >noid.csv &&
	tk-import -d noid noid.csv 2>err &&
	test_grep "3 read, 2 created, 0 updated, 1 unchanged, 0 rejected" err &&
	tk-ls -d noid -a -t -o id,external_id >out &&
	printf "1\t\n2\t\n" >expect && test_cmp expect out &&
	tk-export -d noid --format csv -o external_id,subject | tr -d "\r" >csv &&
	printf "external_id,subject\n,no id\n,other\n" >expect && test_cmp expect csv &&
	cat noid.csv | tk-import -d noid - 2>err &&
	test_grep "3 read, 0 created, 0 updated, 3 unchanged, 0 rejected" err &&
	tk-import -d noid --atomic noid.csv 2>err &&
	test_grep "3 read, 0 created, 0 updated, 3 unchanged, 0 rejected" err &&
	test "$(tk-ls -d noid -a -t -o id | wc -l)" -eq 2 &&
	awk "BEGIN { print \"subject\"; for (i = 1; i <= 6000; i++) print \"s\" (i % 5500) }" >two.csv &&
	tk-import -d noid2 two.csv 2>err &&
	test_grep "6000 read, 5500 created, 0 updated, 500 unchanged, 0 rejected" err &&
	cat two.csv | tk-import -d noid2 - 2>err &&
	test_grep "6000 read, 0 created, 0 updated, 6000 unchanged, 0 rejected" err
'

test_expect_success 'the upgrade takes the row- marks of an older tk-import out of external_id, logged, and re-runs still find the rows' '
	printf "subject,status,external_id\nold one,open,\nold two,closed,\nwith id,open,X-1\n" >old.csv &&
	tk-import -d old old.csv 2>err &&
	test "$("$TK_UNIT" row-marks old)" = 2 &&
	tk-ls -d old -a -t -o id,external_id,updated >before &&
	grep -c "	row-[0-9a-f]\{16\}	" before >n && test "$(cat n)" = 2 &&
	test "$(tk-ls -d old -a -t -o id "external_id~^row-" | tr "\n" " ")" = "1 2 " &&
	test "$("$TK_UNIT" upgrade-import-rows old)" = 2 &&
	tk-ls -d old -a -t -o id,external_id,updated >after &&
	printf "1\t\t2026-11-22T09:30:00Z\n2\t\t2026-11-22T09:30:00Z\n3\tX-1\t2026-11-22T09:30:00Z\n" >expect &&
	test_cmp expect after &&
	test_expect_code 1 tk-ls -d old -a "external_id~^row-" &&
	test "$(tk-ls -d old -o id status=open | tr "\n" " ")" = "1 3 " &&
	tk-log -d old | awk -F "\t" "\$4 == \"external_id\" { print \$1, \$5 \"->\" \$6 }" | sort >log &&
	sed -n "s/^\([12]\)\t\(row-[0-9a-f]*\)\t.*/\1 \2->/p" before >expect &&
	test_cmp expect log &&
	cat old.csv | tk-import -d old - 2>err &&
	test_grep "3 read, 0 created, 0 updated, 3 unchanged, 0 rejected" err &&
	test "$("$TK_UNIT" upgrade-import-rows old)" = 0
'

test_expect_success 'a column no one declared: named with the nearest field, nothing written, no store made' '
	printf "Subject,Prioirty,Emial,Product,stauts\nx,P1,a@example.com,X200,open\n" >typo.csv &&
	test_expect_code 3 tk-import -d fresh typo.csv 2>err &&
	cat >expect <<-\EOF &&
	tk-import: typo.csv:1: column 2, "Prioirty": no field prioirty (did you mean priority?)
	tk-import: typo.csv:1: column 3, "Emial": no field emial (did you mean email?)
	tk-import: typo.csv:1: column 4, "Product": no field product
	tk-import: typo.csv:1: column 5, "stauts": no field stauts (did you mean status?)
	EOF
	grep "column [0-9]" err >got && test_cmp expect got &&
	test_grep "^tk-import: nothing imported: declare the fields in fresh/fields" err &&
	! test -e fresh &&
	printf "subject,requester\nfirst,a@example.com\n" >ok.csv &&
	tk-import -d have ok.csv &&
	tk-log -d have >before &&
	test_expect_code 3 tk-import -d have ok.csv typo.csv 2>err &&
	test_grep "column 2, \"Prioirty\"" err &&
	tk-log -d have >after && test_cmp before after
'

test_expect_success '--new-fields declares them, lowercased; a field the store knows or the fields file declares needs none' '
	printf "Subject,Product,Region\nx,X200,north\n" >p.csv &&
	tk-import -d nf --new-fields p.csv 2>err &&
	test "$(tk-ls -d nf -a -t -o product,region)" = "X200	north" &&
	printf "subject,PRODUCT\ny,Y300\n" >p2.csv &&
	tk-import -d nf p2.csv &&
	test "$(tk-ls -d nf -a -t -o product | tr "\n" " ")" = "X200 Y300 " &&
	mkdir -p decl && printf "# fields of this store\n\nfield  product\nfield region # where\n" >decl/fields &&
	tk-import -d decl p.csv &&
	test "$(tk-ls -d decl -a -t -o product,region)" = "X200	north"
'

test_expect_success 'columns -m or a preset map count as declared; a header that makes no name must be mapped' '
	printf "标题,产品型号,Team Assigned\n一,X200,l2\n" >cn.csv &&
	test_expect_code 3 tk-import -d mp --new-fields cn.csv 2>err &&
	test_grep "column 2, \"产品型号\": not a tk field, nor a name one can be .*-m .产品型号=NAME." err &&
	test_expect_code 1 grep "Team Assigned" err && ! test -e mp &&
	tk-import -d mp -m "产品型号=Model,Team Assigned=team" cn.csv &&
	test "$(tk-ls -d mp -a -t -o subject,model,team)" = "一	X200	l2" &&
	printf "Subject,Team Assigned\nz,l3\n" >ost.csv &&
	tk-import -d mp2 --preset osticket ost.csv &&
	test "$(tk-ls -d mp2 -a -t -o team)" = l3 &&
	printf "subject,,x\na,b,c\n" >empty.csv &&
	test_expect_code 3 tk-import -d mp3 --new-fields empty.csv 2>err &&
	test_grep "column 2 has no name: name it in the header, or take it out" err
'

test_expect_success 'the man page: copy the tickets of a store with their comments into a new store, as it is written' '
	cmd=$(man_example "Copy the tickets of a store") &&
	test "$cmd" = "tk-export --format json --with comments | tk-import -d ~/tk-copy --format json --new-fields -" &&
	mkdir -p "$TK_DIR" && echo "field product" >"$TK_DIR/fields" &&
	tk-new -q -s "打印机坏了" -r wang@example.com -m "三楼" product=X200 channel=email &&
	tk-new -q -s "VPN" -r li@example.com +vpn +urgent &&
	tk-comment -q -m "看一下" 1 && tk-comment -q -i -m "internal: toner" 1 &&
	TK_NOW=2026-11-23T08:00:00Z tk-set -q status=resolved 1 &&
	tk-set -q parent=1 2 &&
	printf "external_id,subject,comment\nEXT-9,from elsewhere,\"2026/11/20 9:00;zhao;first\"\n" >ext.csv &&
	tk-import -q ext.csv &&
	(HOME=$trash && export HOME && eval "$cmd") 2>err &&
	test_grep "3 read, 3 created, 0 updated, 0 unchanged, 0 rejected" err &&
	tk-export --format json --with comments | sed "s/\"channel\":null/\"channel\":\"import\"/" >expect &&
	tk-export -d tk-copy --format json --with comments >got &&
	test_cmp expect got &&
	test_grep "\"internal\":true,\"body\":\"internal: toner\"" got &&
	tk-log -d tk-copy | cut -f 4 | sort -u >fields &&
	printf "create\nnote\nreply\n" >expect && test_cmp expect fields &&
	tk-log | cut -f 4 | sort -u | grep -q -x status &&
	(HOME=$trash && export HOME && eval "$cmd") 2>err &&
	test_grep "3 read, 0 created, 0 updated, 3 unchanged, 0 rejected" err &&
	tk-set -q escalation=+1 2 &&
	(HOME=$trash && export HOME && eval "$cmd") 2>err &&
	test_grep "3 read, 1 created, 0 updated, 2 unchanged, 0 rejected" err &&
	test "$(tk-ls -d tk-copy -a -t -o id,escalation subject=VPN | tr "\n" " ")" = "2	 4	1 "
'

test_expect_success 'the man page: copy a store with its history through mdb_copy, as it is written' '
	command -v mdb_copy >/dev/null || { echo "mdb_copy is not installed (make deps installs lmdb-utils)"; false; } &&
	cmd=$(sed -n "/^To copy a store with its history/,/^\\.Pp/p" "$PAGE" | sed -n "s/^\\.Dl //p" | sed "s/\\\\(ti/~/g") &&
	test "$cmd" = "mkdir ~/tk-full && mdb_copy -c ~/.local/share/tk ~/tk-full" &&
	mkdir -p .local/share && cp -R "$TK_DIR" .local/share/tk &&
	(HOME=$trash && export HOME && eval "$cmd") &&
	tk-log >expect && tk-log -d tk-full >got && test_cmp expect got &&
	tk-export --format json --with comments,history >expect && tk-export -d tk-full --format json --with comments,history >got &&
	test_cmp expect got
'

test_expect_success 'JSON lines: history is said not to be imported; a bad line or member rejects its row, named by line' '
	tk-export --format json --with comments,history >all.jsonl &&
	tk-import -d withhist --new-fields all.jsonl 2>err &&
	test_grep "^tk-import: all.jsonl: the tickets. history is not imported" err &&
	printf "{\"subject\":\"a\",\"tags\":[\"x\",\"y\"],\"n\":3}\n\n{\"subject\":\"b\",\"extra\":1}\n{\"subject\":\"c\",\"tags\":{\"k\":1}}\nnot json\n{\"subject\":\"d\",\"comments\":[{\"time\":\"when\",\"body\":\"x\"}]}\n[1]\n{\"subject\":\"e\\\\u0041\",\"comments\":[\"plain\"]}\n" >j.jsonl &&
	test_expect_code 3 tk-import -d js --new-fields j.jsonl 2>err &&
	test_grep "^tk-import: j.jsonl:3: member \"extra\" is not one of the first line.s" err &&
	test_grep "^tk-import: j.jsonl:4: member \"tags\": an object" err &&
	test_grep "^tk-import: j.jsonl:5: byte 1: not a value" err &&
	test_grep "^tk-import: j.jsonl:6: comment 1: \"when\" is not a date" err &&
	test_grep "^tk-import: j.jsonl:7: not an object" err &&
	test_grep "7 read, 2 created, 0 updated, 0 unchanged, 5 rejected" err &&
	tk-ls -d js -a -t -o subject,tags,n,comments >out &&
	printf "a\tx,y\t3\t0\neA\t\t\t1\n" >expect && test_cmp expect out
'

test_expect_success 'the man page: a Chinese sheet with a field of its own declared, as it is written' '
	cmd=$(man_example "A sheet from a Chinese help desk") &&
	printf "%s\n" "echo '"'"'field product'"'"' >> ~/.local/share/tk/fields" "tk-import --encoding GBK 工单导出.csv" >expect &&
	echo "$cmd" >got && test_cmp expect got &&
	mkdir -p zhhome/.local/share/tk &&
	printf "工单编号,主题,product\nG-1,打印机,X200\n" | iconv -f UTF-8 -t GBK >zhhome/工单导出.csv &&
	(cd zhhome && HOME=$trash/zhhome && export HOME && unset TK_DIR && eval "$cmd") &&
	test "$(tk-ls -d zhhome/.local/share/tk -a -t -o external_id,subject,product)" = "G-1	打印机	X200"
'

# A bulk run starts itself again once with glibc's malloc in huge pages
# (tk.7, TK_HUGEPAGES); what it runs sees the environment as it was given.
# The lookup program writes its own environment and its parent's (the
# tk-new process as exec'd: glibc may rewrite a list of several tunables
# there, so only a lone one is compared) for the test to read.
test_expect_success 'a bulk run takes huge pages for its memory, and what it runs sees the environment as given' '
	cat >envdump <<-\EOF &&
	#!/bin/sh
	env | grep -E "^(GLIBC_TUNABLES|TK_TUNABLES_WAS)=" >"$0.$1" || :
	tr "\0" "\n" </proc/$PPID/environ | grep -E "^GLIBC_TUNABLES=" >"$0.$1.parent" || :
	EOF
	chmod +x envdump &&
	mkdir lk && echo "contact-lookup $trash/envdump" >lk/config &&
	(unset GLIBC_TUNABLES; printf "subject\trequester\na\ta@example.com\n" | tk-new -q -d lk -b --lookup) &&
	test_empty envdump.a@example.com &&
	printf "subject\trequester\nb\tb@example.com\n" |
		GLIBC_TUNABLES=glibc.malloc.arena_max=2 tk-new -q -d lk -b --lookup &&
	echo GLIBC_TUNABLES=glibc.malloc.arena_max=2 >expect &&
	test_cmp expect envdump.b@example.com &&
	printf "subject\trequester\nc\tc@example.com\n" |
		(unset GLIBC_TUNABLES; TK_HUGEPAGES=0 tk-new -q -d lk -b --lookup) &&
	test_empty envdump.c@example.com.parent &&
	case $TK_BIN in
	*/asan/*) ;;	# (a sanitizer has a malloc of its own: no second start)
	*)
		echo GLIBC_TUNABLES=glibc.malloc.hugetlb=1 >expect &&
		test_cmp expect envdump.a@example.com.parent ;;
	esac &&
	test "$(tk-ls -d lk -a -t -o subject | tr "\n" " ")" = "a b c "
'

test_done
