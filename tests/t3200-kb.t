#!/bin/sh
# tk-kb: articles, revisions, the full-text index kept in step, ranked
# search in Chinese and English, suggest, from-ticket, bad input.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a small corpus in both scripts' '
	printf "VPN连接超时的排查步骤：检查证书是否过期。\nRestart the VPN client.\n" |
		tk-kb add --title "VPN 无法连接" tags=vpn,network >out &&
	echo kb1 >expect && test_cmp expect out &&
	printf "Reinstall the 打印机 驱动 from the vendor site. Printers go offline when the spooler stops.\n" |
		tk-kb add --title "Printer offline" tags=printer >out &&
	echo kb2 >expect && test_cmp expect out &&
	printf "Reset your password at the portal. Password reset links expire after one hour.\n" |
		tk-kb add --title "密碼重設 password reset" tags=account,internal &&
	printf "Outlook shows the password prompt again and again: remove the cached credentials.\n" |
		tk-kb add --title "Outlook asks for the password" tags=mail &&
	printf "网络打印机无法打印时，先检查网络连接，再重新安装驱动程序。\n" |
		tk-kb add --title "网络打印机故障" tags=printer &&
	tk-kb ls | cut -f1,4 >out &&
	printf "kb1\tvpn,network\nkb2\tprinter\nkb3\taccount,internal\nkb4\tmail\nkb5\tprinter\n" >expect &&
	test_cmp expect out
'

test_expect_success 'search: Chinese words, English words, top results' '
	tk-kb search 打印机 | cut -f1 >out && printf "kb5\nkb2\n" >expect && test_cmp expect out &&
	tk-kb search 打印机 驱动 | cut -f1 >out && test_cmp expect out &&
	tk-kb search password | cut -f1 >out && printf "kb3\nkb4\n" >expect && test_cmp expect out &&
	tk-kb search printers offline | cut -f1 >out && echo kb2 >expect && test_cmp expect out
'

test_expect_success 'search: full-width, case, script boundaries, traditional forms' '
	tk-kb search ＶＰＮ | cut -f1 >out && echo kb1 >expect && test_cmp expect out &&
	tk-kb search VPN连接超时 | cut -f1 >out && test_cmp expect out &&
	tk-kb search 網絡 | cut -f1 >out && echo kb5 >expect && test_cmp expect out &&
	tk-kb search 密码 | cut -f1 >out && echo kb3 >expect && test_cmp expect out
'

test_expect_success 'search: phrases, prefixes, exclusions, the OR fallback, -n' '
	tk-kb search "\"password reset\"" | cut -f1 >out && echo kb3 >expect && test_cmp expect out &&
	test_expect_code 1 tk-kb search "\"reset password\"" &&
	tk-kb search "\"password reset\" -tag:internal" >out; test $? = 1 && test_empty out &&
	tk-kb search "password -outlook" | cut -f1 >out && echo kb3 >expect && test_cmp expect out &&
	tk-kb search -- password -portal | cut -f1 >out && echo kb4 >expect && test_cmp expect out &&
	tk-kb search "print*" | cut -f1 | sort >out && printf "kb2\n" >expect && test_cmp expect out &&
	tk-kb search vpn outlook | cut -f1 | sort >out && printf "kb1\nkb4\n" >expect && test_cmp expect out &&
	tk-kb search -n 1 password | cut -f1 >out && echo kb3 >expect && test_cmp expect out
'

test_expect_success 'search: the snippet marks the match' '
	tk-kb search 驱动 | cut -f4 >out &&
	test_grep "\[驱动\]" out &&
	tk-kb search "\"password reset\"" | cut -f4 >out &&
	test_grep "\[Password reset\]" out
'

test_expect_success 'edit: a new revision, the index follows, show @rev, log' '
	cat >ed.sh <<-\EOS &&
	#!/bin/sh
	sed -i "s/Restart/Reboot/; s/^Tags: .*/Tags: vpn,howto/" "$1"
	EOS
	chmod +x ed.sh &&
	EDITOR=./ed.sh tk-kb edit kb1 >out && echo kb1@2 >expect && test_cmp expect out &&
	tk-kb search reboot | cut -f1 >out && echo kb1 >expect && test_cmp expect out &&
	test_expect_code 1 tk-kb search restart &&
	tk-kb ls tag=howto | cut -f1,2 >out && printf "kb1\t2\n" >expect && test_cmp expect out &&
	tk-kb show kb1@1 >out && test_grep "Restart the VPN" out &&
	tk-kb show kb1 >out && test_grep "Reboot the VPN" out &&
	tk-kb log kb1 | cut -f1,2 >out && printf "kb1@1\t1\nkb1@2\t2\n" >expect && test_cmp expect out &&
	tk-kb edit kb2 title="Printer offline (spooler)" +tag=hw >out && echo kb2@2 >expect && test_cmp expect out &&
	tk-kb search spooler | cut -f1 >out && echo kb2 >expect && test_cmp expect out
'

test_expect_success 'rm: the article and its words go' '
	tk-kb rm kb4 &&
	test_expect_code 1 tk-kb search outlook &&
	test_expect_code 1 tk-kb show kb4 &&
	tk-kb search password | cut -f1 >out && echo kb3 >expect && test_cmp expect out
'

test_expect_success 'import: CSV, idempotent, changes make revisions' '
	printf "kb_id,title,body,tags\nX1,Email bounce,\"Mail bounces with 550: check the address.\",mail\nX2,邮件退信,邮件被退回时检查收件人地址。,mail\n" >kb.csv &&
	tk-kb import kb.csv 2>err && test_grep "2 added" err &&
	tk-kb search 退信 | cut -f3 >out && echo 邮件退信 >expect && test_cmp expect out &&
	tk-kb import kb.csv 2>err && test_grep "0 added, 0 changed, 2 unchanged" err &&
	sed -i "s/550/554/" kb.csv &&
	tk-kb import kb.csv 2>err && test_grep "1 changed" err &&
	tk-kb search 554 | cut -f3 >out && echo "Email bounce" >expect && test_cmp expect out &&
	test_expect_code 1 tk-kb search 550
'

test_expect_success 'suggest and from-ticket' '
	tk-new -q -s "打印机脱机" -m "打印机驱动报错，无法打印" &&
	tk-kb suggest 1 >out && cut -f1 out | sort -u >ids && echo 1 >expect && test_cmp expect ids &&
	head -1 out | cut -f2 >top && echo kb5 >expect && test_cmp expect top &&
	echo 1 | tk-kb suggest -n 1 | cut -f1,2 >out && printf "1\tkb5\n" >expect && test_cmp expect out &&
	tk-comment -m "重新安装驱动后恢复。" 1 &&
	tk-kb from-ticket 1 >out && id=$(cat out) &&
	tk-kb show $id >out && test_grep "made-from: 1" out && test_grep "重新安装驱动后恢复" out &&
	test_grep "## Resolution" out
'

test_expect_success 'bad input: clear messages and exit codes, nothing written' '
	tk-kb ls >before &&
	test_expect_code 2 tk-kb search "" 2>err && test_grep "empty query" err &&
	test_expect_code 2 tk-kb search "的 ， the" 2>err && test_grep "nothing to search for" err &&
	test_expect_code 2 tk-kb search "$(printf "\377")" 2>err && test_grep "UTF-8" err &&
	printf "a\377b" >bad && test_expect_code 3 tk-kb add --title T <bad 2>err && test_grep "UTF-8" err &&
	printf "a\000b" >nul && test_expect_code 3 tk-kb add --title T <nul 2>err && test_grep "NUL" err &&
	head -c 52428800 /dev/zero | tr "\000" x >big &&
	test_expect_code 3 tk-kb add --title Big <big 2>err && test_grep "at most" err &&
	test_expect_code 2 tk-kb add tags=x <bad 2>err && test_grep "no title" err &&
	test_expect_code 1 tk-kb show kb99 2>err && test_grep "kb99: no such article" err &&
	test_expect_code 2 tk-kb show 7 2>err && test_grep "not an article id" err &&
	test_expect_code 1 tk-kb rm kb99 2>err && test_grep "no such article" err &&
	test_expect_code 2 tk-kb frobnicate 2>err && test_grep "no such verb" err &&
	tk-kb ls >after && test_cmp before after &&
	rm -f big
'

test_expect_success 'import: bad rows and files named, with their lines; nothing half-written' '
	mkdir imp && cd imp &&
	: >empty.csv && test_expect_code 3 tk-kb -d st import empty.csv 2>err &&
	test_grep "empty.csv: no header line" err && test ! -e st &&
	printf "a,b\\n1,2\\n" >nohead.csv && test_expect_code 3 tk-kb -d st import nohead.csv 2>err &&
	test_grep "nohead.csv:1: the header names no title and body column" err && test ! -e st &&
	printf "title,body\\n,no title\\nGood,one\\nLast,\"open quote\\n" >rows.csv &&
	test_expect_code 3 tk-kb -d st import rows.csv 2>err &&
	test_grep "rows.csv:2: an empty title" err &&
	test_grep "rows.csv:4: unterminated quoted field" err &&
	test_grep "1 added, 0 changed, 0 unchanged, 2 refused" err &&
	tk-kb -d st ls | cut -f1,5 >out && printf "kb1\\tGood\\n" >expect && test_cmp expect out &&
	test_expect_code 4 tk-kb -d st import missing.csv 2>err && test_grep "missing.csv: No such file" err
'

test_expect_success 'a read on a missing store fails and makes none' '
	test_expect_code 4 tk-kb -d nostore search vpn &&
	test ! -e nostore
'

test_done
