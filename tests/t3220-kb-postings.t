#!/bin/sh
# tk-kb: the article index written in bulk (a term's postings gathered in
# their chunks' form, joined to the term's last chunk, MDB_APPEND past the
# tree's end) answers as exactly as one written an article at a time:
# across import batches (1,000 rows, then 10,000 each, their entries made
# in three threads), a second import with new and changed rows, a re-run,
# and add, edit and rm after them; a CJK character alone (kept as a
# unigram only where it ends a run) and in a phrase. An import ranks as
# the same articles added one at a time (the writer's own tokenizing).
. "$(dirname "$0")/lib.sh"

# gen FROM TO [CHANGED]: CSV rows FROM..TO; n % 10 == 0 holds the phrase
# "reset the password", n % 10 == 1 its words apart, n % 3 == 0 打印机驱动
# (else 驱动打印); CHANGED: rows from FROM to CHANGED lose "printer".
gen() {
	awk -v a="$1" -v b="$2" -v c="${3:-0}" 'BEGIN {
		print "kb_id,title,body,tags"
		for (n = a; n <= b; n++) {
			body = (n <= c ? "" : "printer ") "spooler w" n
			if (n % 10 == 0) body = body " reset the password"
			if (n % 10 == 1) body = body " the password must be reset"
			body = body (n % 3 == 0 ? " 打印机驱动" : " 驱动打印")
			printf "R%d,Article %d,%s,t%d\n", n, n, body, n % 7
		}
	}'
}

# hits QUERY: how many articles the query finds (0 when none).
hits() {
	{ tk-kb search -n 100000 "$1" || test $? = 1; } >hits.out &&
	wc -l <hits.out | tr -d " "
}

test_expect_success 'an import scores as the same articles added one by one' '
	awk "BEGIN { print \"title,body,tags\"; split(\"驱动 打印机 连接 网络超时 机 超时连接\", w, \" \")
		for (n = 1; n <= 300; n++)
			printf \"Note %d,%s printer w%d %s,t%d\\n\", n,
			    (n % 4 ? \"VPN 连接超时 reset the password\" : \"打印机驱动 toner\"), n, w[n % 6 + 1], n % 5 }" >one.csv &&
	mkdir bulk single &&
	TK_DIR=bulk tk-kb import one.csv 2>err && test_grep "300 added" err &&
	tail -n +2 one.csv | while IFS=, read -r title body tags; do
		printf %s "$body" | TK_DIR=single tk-kb add --title "$title" tags=$tags >/dev/null || exit 1
	done &&
	for q in printer 打印机 连接 "\"reset the password\"" w17 "toner -tag:t1" 网络超时 机; do
		TK_DIR=bulk tk-kb search -n 1000 "$q" >b.out &&
		TK_DIR=single tk-kb search -n 1000 "$q" >s.out &&
		test_cmp s.out b.out && test -s b.out || exit 1
	done
'

test_expect_success 'scores are BM25 as tk-kb.1 gives it (an independent count in Python)' '
	cat >bm.csv <<-\EOF &&
	title,body
	Printer offline,printer offline again after the driver update on floor two
	Toner low,replace the toner cartridge when the printer says toner low
	VPN 连接超时,the VPN client times out 连接超时 after login and the printer is fine
	Driver update,update the driver from the portal then restart the spooler
	EOF
	mkdir bm && TK_DIR=bm tk-kb import bm.csv 2>err && test_grep "4 added" err &&
	for q in printer toner driver offline 连接 超时 spooler; do
		TK_DIR=bm tk-kb search -n 10 "$q" | cut -f1,2 || exit 1
	done >out &&
	python3 - bm.csv >expect <<-\EOP &&
	import csv, math, re, sys
	rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
	def toks(s):    # ASCII words (none plural here) and each CJK character, a position each
	    return re.findall(r"[a-z0-9]+|[\u4e00-\u9fff]", s.lower())
	def grams(t):   # a CJK run gives the bigrams of neighbours
	    out = []
	    for i, x in enumerate(t):
	        if re.match(r"[a-z0-9]", x):
	            out.append(x)
	        elif i + 1 < len(t) and re.match(r"[\u4e00-\u9fff]", t[i + 1]):
	            out.append(x + t[i + 1])
	    return out
	docs = [(toks(r["title"]), toks(r["body"])) for r in rows]
	dls = [3 * len(a) + len(b) for a, b in docs]
	avg = sum(dls) / len(dls)
	for q in ["printer", "toner", "driver", "offline", "连接", "超时", "spooler"]:
	    tfs = [3 * grams(a).count(q) + grams(b).count(q) for a, b in docs]
	    n = sum(1 for x in tfs if x)
	    idf = math.log(1 + (len(docs) - n + 0.5) / (n + 0.5))
	    s = [(idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * dl / avg)), i + 1)
	         for i, (tf, dl) in enumerate(zip(tfs, dls)) if tf]
	    for sc, i in sorted(s, key=lambda x: (-x[0], x[1])):
	        print("kb%d\t%.3f" % (i, sc))
	EOP
	test_cmp expect out
'

test_expect_success 'import across batches: counts and phrases exact' '
	gen 1 20500 >a.csv &&
	tk-kb import a.csv 2>err && test_grep "20500 added" err &&
	echo 20500 >expect && hits printer >out && test_cmp expect out &&
	echo 2050 >expect && hits "\"reset the password\"" >out && test_cmp expect out &&
	echo 2050 >expect && hits "\"password must be reset\"" >out && test_cmp expect out &&
	echo 4100 >expect && hits "password reset" >out && test_cmp expect out &&
	echo 6833 >expect && hits 打印机 >out && test_cmp expect out &&
	echo 20500 >expect && hits 驱动 >out && test_cmp expect out &&
	echo 20500 >expect && hits 印 >out && test_cmp expect out &&
	echo 6833 >expect && hits 机 >out && test_cmp expect out &&
	echo 6833 >expect && hits "\"印 机\"" >out && test_cmp expect out &&
	echo 0 >expect && hits "\"驱 印\"" >out && test_cmp expect out &&
	echo 17572 >expect && hits "printer -tag:t0" >out && test_cmp expect out &&
	tk-kb search w20499 | cut -f1,3 >out && printf "kb20499\tArticle 20499\n" >expect && test_cmp expect out &&
	tk-kb search w1 | cut -f1 >out && echo kb1 >expect && test_cmp expect out
'

test_expect_success 'a second import: new rows join, changed rows leave the words they lost' '
	gen 20401 21000 20450 >b.csv &&
	tk-kb import b.csv 2>err && test_grep "500 added, 50 changed, 50 unchanged" err &&
	echo 20950 >expect && hits printer >out && test_cmp expect out &&
	echo 2100 >expect && hits "\"reset the password\"" >out && test_cmp expect out &&
	echo 7000 >expect && hits 打印机 >out && test_cmp expect out &&
	test_expect_code 1 tk-kb search "\"printer spooler w20450\"" &&
	tk-kb search "\"printer spooler w20451\"" | cut -f1 >out && echo kb20451 >expect && test_cmp expect out &&
	tk-kb search "spooler w20450" | cut -f1 >out && echo kb20450 >expect && test_cmp expect out &&
	tk-kb search "printer w21000" | cut -f1 >out && echo kb21000 >expect && test_cmp expect out
'

test_expect_success 'a re-run changes nothing' '
	tk-kb import b.csv 2>err && test_grep "0 added, 0 changed, 600 unchanged" err &&
	echo 20950 >expect && hits printer >out && test_cmp expect out
'

test_expect_success 'add, edit and rm after the imports keep the index in step' '
	echo "printer reset the password 打印机" | tk-kb add --title "Late article" >out &&
	echo kb21001 >expect && test_cmp expect out &&
	echo 20951 >expect && hits printer >out && test_cmp expect out &&
	echo 2101 >expect && hits "\"reset the password\"" >out && test_cmp expect out &&
	echo "the password reset portal" | tk-kb add --title "Later" >/dev/null &&
	echo 2101 >expect && hits "\"reset the password\"" >out && test_cmp expect out &&
	tk-kb edit kb20 title="Article twenty" >out && echo kb20@2 >expect && test_cmp expect out &&
	tk-kb search "article twenty" | cut -f1 >out && echo kb20 >expect && test_cmp expect out &&
	echo 2101 >expect && hits "\"reset the password\"" >out && test_cmp expect out &&
	cat >ed.sh <<-\EOS &&
	#!/bin/sh
	sed -i "s/reset the password/reset nothing/; s/打印机驱动/其他/" "$1"
	EOS
	chmod +x ed.sh &&
	EDITOR=./ed.sh tk-kb edit kb30 >out && echo kb30@2 >expect && test_cmp expect out &&
	echo 2100 >expect && hits "\"reset the password\"" >out && test_cmp expect out &&
	tk-kb rm kb21001 &&
	echo 20950 >expect && hits printer >out && test_cmp expect out &&
	echo 2099 >expect && hits "\"reset the password\"" >out && test_cmp expect out &&
	echo 6999 >expect && hits 打印机 >out && test_cmp expect out
'

test_expect_success 'words alike in their first eight bytes, in no order, are each found' '
	mkdir alike && cd alike &&
	awk "BEGIN { print \"title,body\"; srand(7); printf \"Alike,\"
		for (n = 0; n < 3000; n++) { k = int(rand() * 100000); printf \" qqqqqqqq%05d zzzz%d\", k, n }
		print \"\" }" >alike.csv &&
	TK_DIR=st tk-kb import alike.csv 2>err && test_grep "1 added" err &&
	for w in $(tr " " "\n" <alike.csv | grep "^qqqqqqqq" | sed -n "1p;500p;2999p"); do
		TK_DIR=st tk-kb search -n 5 "$w" >out && cut -f1 out >ids && echo kb1 >expect && test_cmp expect ids || return 1
	done &&
	TK_DIR=st tk-kb search -n 5 "qqqqqqqq12345" >out; test $? -le 1 &&
	if tr " " "\n" <alike.csv | grep -qx qqqqqqqq12345; then test -s out; else test ! -s out; fi
'

test_done
