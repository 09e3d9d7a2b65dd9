#!/bin/sh
# tk-mail: mail into tickets, threading, noise, charsets, attachments, mbox.
. "$(dirname "$0")/lib.sh"

# mail FROM SUBJECT MSGID [HEADER...]: a plain message on stdout, body "text of MSGID".
mail() {
	from=$1 subj=$2 id=$3; shift 3
	printf 'From: %s\nSubject: %s\nMessage-ID: <%s>\n' "$from" "$subj" "$id"
	for h in "$@"; do printf '%s\n' "$h"; done
	printf 'Content-Type: text/plain; charset=utf-8\n\ntext of %s\n\n-- \nsig\n' "$id"
}

test_expect_success 'a new mail makes a ticket: requester, name, channel, external id; signature trimmed' '
	mail "Bob Li <Bob@Example.com>" "Printer broken" a1@x >m1 &&
	tk-mail <m1 >out 2>err &&
	printf "1\tcreated\tnew\n" >expect && test_cmp expect out &&
	tk-ls -t -o requester,requester_name,channel,external_id,subject >out &&
	printf "bob@example.com\tBob Li\temail\ta1@x\tPrinter broken\n" >expect && test_cmp expect out &&
	tk-ls -t -o body >out && echo "text of a1@x" >expect && test_cmp expect out &&
	tk-show --raw m1 >raw && test_cmp m1 raw
'

test_expect_success 'GB2312 subject split across encoded words, GBK body, Big5 subject' '
	printf "From: a@x\nSubject: =?GB2312?B?tPLTobv6?= =?GB2312?B?ssQ=?= =?GB2312?B?xOM=?=\nMessage-ID: <g1@x>\nContent-Type: text/plain; charset=gb2312\nContent-Transfer-Encoding: base64\n\n1MvQ0NDo0qrKsbzk\n" >gb &&
	tk-mail <gb >out && printf "2\tcreated\tnew\n" >expect && test_cmp expect out &&
	tk-ls -t -o subject,body id=2 >out && printf "打印机材你\t运行需要时间\n" >expect && test_cmp expect out &&
	printf "From: b@x\nSubject: =?big5?B?pl2ssA==?=\nMessage-ID: <b1@x>\n\nhi\n" >big5 &&
	tk-mail <big5 >out && tk-ls -t -o subject id=3 >out && echo "因為" >expect && test_cmp expect out
'

test_expect_success 'a reply by In-Reply-To appends; the same mail again is a duplicate' '
	mail "bob@example.com" "Re: Printer broken" a2@x "In-Reply-To: <a1@x>" >m2 &&
	tk-mail <m2 >out && printf "1\tappended\tin-reply-to\n" >expect && test_cmp expect out &&
	tk-mail <m2 >out && printf "1\trefused\tduplicate\n" >expect && test_cmp expect out &&
	mail "bob@example.com" "Re: Printer broken" a3@x "References: <zz@x> <a2@x>" >m3 &&
	tk-mail <m3 >out && printf "1\tappended\treferences\n" >expect && test_cmp expect out
'

test_expect_success 'a [tk #N] tag threads only from allowed senders' '
	mail "bob@example.com" "[tk #1] more" t1@x >t1 &&
	tk-mail <t1 >out && printf "1\tappended\ttag\n" >expect && test_cmp expect out &&
	mail "eve@evil.example" "[tk #1] more" t2@x >t2 &&
	tk-mail <t2 >out && printf "4\tcreated\ttag-from-stranger\n" >expect && test_cmp expect out &&
	tk-ls -t -o related id=4 >out && echo 1 >expect && test_cmp expect out
'

test_expect_success 'a tag threads from any address of the contact, and from the org only where config lets it' '
	mkdir -p org && export TK_DIR_SAVE="$TK_DIR" && TK_DIR=$PWD/org &&
	tk-org add -q initech name=Initech domains=initech.io queue=key-accounts &&
	tk-contact add -q "Wang Li <wang.li@initech.io>" && tk-contact set -q wang.li@initech.io +email=wli@gmail.com &&
	tk-contact add -q "Pat <pat@initech.io>" org= &&
	tk-new -q -s VPN -r wang.li@initech.io && tk-ls -t -o queue,org >out &&
	printf "key-accounts\tinitech\n" >expect && test_cmp expect out &&
	mail wli@gmail.com "[tk #1] from my other address" o1@x | tk-mail >out &&
	printf "1\tappended\ttag\n" >expect && test_cmp expect out &&
	mail joe@initech.io "[tk #1] a colleague" o2@x | tk-mail >out &&
	printf "2\tcreated\ttag-from-stranger\n" >expect && test_cmp expect out &&
	echo "mail-org-replies desk key-accounts" >org/config &&
	mail joe@initech.io "[tk #1] a colleague" o3@x | tk-mail >out &&
	printf "1\tappended\ttag\n" >expect && test_cmp expect out &&
	mail pat@initech.io "[tk #1] of no org" o4@x | tk-mail >out && cut -f2,3 out >got &&
	printf "created\ttag-from-stranger\n" >expect && test_cmp expect got &&
	mail someone@gmail.com "[tk #1] free mail" o5@x | tk-mail >out && cut -f2,3 out >got && test_cmp expect got &&
	echo "mail-org-replies desk" >org/config &&
	mail joe@initech.io "[tk #1] a colleague" o6@x | tk-mail >out && cut -f2,3 out >got && test_cmp expect got &&
	echo "mail-org-replies key accounts!" >org/config &&
	mail joe@initech.io "[tk #1] again" o7@x >o7 && test_expect_code 75 tk-mail <o7 2>err &&
	test_grep "config:1: mail-org-replies: accounts! is not a queue name" err &&
	TK_DIR=$TK_DIR_SAVE
'

test_expect_success 'auto-replies, bounces, lists and own mail are refused, kept raw' '
	mail "bob@example.com" "Away" n1@x "Auto-Submitted: auto-replied" "In-Reply-To: <a1@x>" >n1 &&
	tk-mail <n1 >out && cut -f2,3 out >got && printf "refused\tauto-reply\n" >expect && test_cmp expect got &&
	mail "MAILER-DAEMON@x" "Undelivered" n2@x >n2 &&
	tk-mail <n2 >out && cut -f2,3 out >got && printf "refused\tbounce\n" >expect && test_cmp expect got &&
	mail "list@x" "news" n3@x "Precedence: bulk" >n3 &&
	tk-mail <n3 >out && cut -f2,3 out >got && printf "refused\tbulk\n" >expect && test_cmp expect got &&
	mail "tk@x" "[tk #1] reply" n4@x "X-tk-Ticket: 1" >n4 &&
	tk-mail <n4 >out && cut -f2,3 out >got && printf "refused\town-mail\n" >expect && test_cmp expect got &&
	id=$(cut -f1 out) && tk-show --raw $id >raw && test_cmp n4 raw &&
	tk-ls -a -t -o id >out && test $(wc -l <out) -eq 4
'

test_expect_success 'the rate limit keeps mail raw past the limit' '
	echo "mail-rate-limit 2 1h" >"$TK_DIR/config" &&
	for i in 1 2 3; do mail "spam@x" "s$i" r$i@x | tk-mail >>out3 || exit 1; done &&
	cut -f2,3 out3 | tail -n 1 >got && printf "refused\trate-limit\n" >expect && test_cmp expect got &&
	rm "$TK_DIR/config"
'

test_expect_success 'a reply to a merged ticket follows merged_into' '
	tk-link -q --merge 4 into 1 &&
	mail "eve@evil.example" "Re: more" m9@x "In-Reply-To: <t2@x>" >m9 &&
	tk-mail <m9 >out && printf "1\tappended\tin-reply-to\n" >expect && test_cmp expect out
'

test_expect_success 'attachments: RFC 2231 names, listed, extracted, stored once' '
	printf "From: c@x\nSubject: files\nMessage-ID: <f1@x>\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nsee\n--B\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=UTF-8'"''"'%%E5%%8F%%91%%E7%%A5%%A8.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--B\nContent-Type: application/pdf; name=copy.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--B--\n" >f1 &&
	tk-mail <f1 >out && id=$(cut -f1 out) &&
	tk-show --no-history $id | grep "^attachment" >got &&
	printf "attachment a1  发票.pdf  application/pdf  9 bytes\nattachment a2  copy.pdf  application/pdf  9 bytes\n" >expect && test_cmp expect got &&
	tk-show --attachment a2 >pdf && printf "%%PDF-1.4\n" >expect && test_cmp expect pdf
'

test_expect_success 'bad input: no headers, NUL bytes, broken boundary, bad base64: never a crash' '
	printf "just text\000 and a NUL\n" | tk-mail >out 2>err && test -s out &&
	printf "From: d@x\nSubject: broken\nContent-Type: multipart/mixed; boundary=Q\n\n--Q\nContent-Transfer-Encoding: base64\n\n!!!not base64***\n" | tk-mail >out &&
	cut -f2 out >got && echo created >expect && test_cmp expect got &&
	printf "From: d@x\nSubject: cs\nContent-Type: text/plain; charset=x-unknown\n\nhello\n" | tk-mail >out 2>err &&
	test_grep "unknown charset" err
'

test_expect_success '--dry-run writes nothing' '
	tk-log >before && mail "new@x" "dry" d1@x | tk-mail --dry-run >out &&
	cut -f2,3 out >got && printf "created\tnew\n" >expect && test_cmp expect got &&
	tk-log >after && test_cmp before after
'

test_expect_success '--mbox: a re-run is idempotent; --maildir moves files to cur/' '
	{ for i in 1 2 3; do echo "From x@y Mon Jan  1 00:00:00 2024"; mail "u$i@x" "mbox $i" mb$i@x; echo; done; } >box &&
	tk-mail --mbox box >out 2>err && test_grep "3 read, 3 created" err &&
	tk-mail --mbox box >out 2>err && test_grep "3 read, 0 created, 0 appended, 0 stored, 3 refused" err &&
	mkdir -p md/new md/cur md/tmp && mail "v@x" "md" md1@x >md/new/1.eml &&
	tk-mail --maildir md >out 2>err && test_grep "1 created" err &&
	test ! -e md/new/1.eml && test -e "md/cur/1.eml:2,S"
'

test_expect_success 'a store that cannot be opened is exit 75' '
	mkdir ro && echo "garbage" >ro/data.mdb &&
	test_expect_code 75 tk-mail -d ro <m1 2>err
'

test_expect_success '--mbox: each message at its Date (not a missing one, nor one in the future)' '
	printf "From x\nFrom: bob@example.com\nSubject: old\nDate: Tue, 03 Mar 2015 10:00:00 +0100\nMessage-ID: <o1@x>\n\nold one\n\nFrom x\nFrom: bob@example.com\nSubject: Re: old\nDate: Wed, 04 Mar 2015 11:00:00 +0000\nMessage-ID: <o2@x>\nIn-Reply-To: <o1@x>\n\nreply\n\nFrom x\nFrom: carol@example.com\nSubject: nodate\nMessage-ID: <o3@x>\n\nno date\n\nFrom x\nFrom: dave@example.com\nSubject: future\nDate: Fri, 01 Jan 2100 00:00:00 +0000\nMessage-ID: <o4@x>\n\nfuture\n" >old.mbox &&
	tk-mail -d dated --mbox old.mbox >out 2>/dev/null &&
	tk-ls -d dated -a -t -o id,created,subject >out &&
	printf "1\t2015-03-03T09:00:00Z\told\n2\t2026-11-22T09:30:00Z\tnodate\n3\t2026-11-22T09:30:00Z\tfuture\n" >expect &&
	test_cmp expect out &&
	tk-show -d dated 1 >show && test_grep "^--- reply 1 by bob@example.com, 2015-03-04T11:00:00Z" show &&
	test_grep "^2015-03-04T11:00:00Z  .*  reply  1" show &&
	mail "erin@example.com" "single" d1@x "Date: Tue, 03 Mar 2015 10:00:00 +0000" >d1 &&
	tk-mail -d dated <d1 >/dev/null && tk-ls -d dated -t -o created id=4 >out &&
	echo 2026-11-22T09:30:00Z >expect && test_cmp expect out
'

test_expect_success 'a mail appended moves the notice mark: an agent'"'"'s mailed answer is not mailed again' '
	mail "pat@example.com" "Need help" n1@x >n1 && tk-mail -d nm <n1 >out &&
	tk-agent -d nm -q add sam email=sam@corp.example &&
	tid=$(cut -f1 out) &&
	tk-comment -d nm -q -f agent@corp.example -m "We are on it." $tid &&
	printf "#!/bin/sh\ncat >>sent\n" >sendmail && chmod +x sendmail &&
	TK_SENDMAIL=./sendmail tk-notify -d nm --to requester $tid >/dev/null &&
	grep -c "^Message-ID:" sent >n && echo 1 >expect && test_cmp expect n &&
	mail "Sam <sam@corp.example>" "Re: Need help" n2@x "In-Reply-To: <n1@x>" >n2 && tk-mail -d nm <n2 >/dev/null &&
	tk-show -d nm $tid | grep -q "reply 2 by sam" &&
	TK_SENDMAIL=./sendmail tk-notify -d nm --to requester $tid >out &&
	printf "%s\tskipped\tno new reply\n" $tid >expect && test_cmp expect out &&
	grep -c "^Message-ID:" sent >n && echo 1 >expect && test_cmp expect n
'

test_done
