#!/bin/sh
# tk-kb: the article index written in bulk (a term's postings gathered in
# their chunks' form, joined to the term's last chunk, MDB_APPEND past the
# tree's end) answers as exactly as one written an article at a time:
# across import batches (20,000 rows each), a second import with new and
# changed rows, a re-run, and add, edit and rm after them; a CJK character
# alone (kept as a unigram only where it ends a run) and in a phrase.
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

test_done
