#!/bin/sh
# tk-mail on real-world messages (the raw test messages Debian's
# golang-github-jhillyerd-enmime-dev ships: good, broken and odd MIME) and
# on inputs built to hurt: a 1 MB header line, a 50 MB message, 10,000
# parts. Never a crash, exit 0, one record a message, memory bounded.
. "$(dirname "$0")/lib.sh"

corpus=
if command -v dpkg >/dev/null 2>&1; then
	corpus=$(dpkg -L golang-github-jhillyerd-enmime-dev 2>/dev/null | grep '/testdata/[a-z-]*/[^/]*\.raw$' | head -n 1)
	corpus=${corpus%/*/*}
fi

if [ -z "$corpus" ] || [ ! -d "$corpus/mail" ]; then
	reason='golang-github-jhillyerd-enmime-dev is not installed (make deps-mail installs it)'
	test_skip 'every enmime message: --dry-run and a real run exit 0 with one record' "$reason"
	test_skip 'enmime messages: subjects, charsets and senders as sent' "$reason"
else
	ls "$corpus"/*/*.raw >list

	test_expect_success 'every enmime message: --dry-run and a real run exit 0 with one record' '
		tk-mail -d dry </dev/null >/dev/null 2>&1 &&
		echo "$(wc -l <list) messages" && test "$(wc -l <list)" -ge 50 &&
		: >bad &&
		while read -r f; do
			rc=0; tk-mail -n -d dry <"$f" >out 2>err || rc=$?
			[ $rc -eq 0 ] && [ "$(wc -l <out)" -eq 1 ] || echo "dry run of $f: exit $rc, $(cat out err)" >>bad
			rc=0; tk-mail -d real <"$f" >out 2>err || rc=$?
			[ $rc -eq 0 ] && [ "$(wc -l <out)" -eq 1 ] || echo "$f: exit $rc, $(cat out err)" >>bad
			cat out >>all
		done <list &&
		test_empty bad &&
		test "$(wc -l <all)" -eq "$(wc -l <list)" &&
		echo "outcomes:" && cut -f2,3 all | sort | uniq -c &&
		! grep -v "	\(created\|stored\|refused\)	" all
	'

	# one FILE: the message into a store of its own; its ticket 1 is $out.
	one() {
		rm -rf s && tk-mail -d s <"$corpus/$1" >/dev/null &&
		tk-ls -d s -a -t -o requester,requester_name,subject >out
	}
	test_expect_success 'enmime messages: subjects, charsets and senders as sent' '
		one mail/qp-utf8-header.raw &&
		printf "jamehi03@jamehi03lx.noa.com\tJames Hillyerd\tMIME UTF8 Test ¢ More Text\n" >expect && test_cmp expect out &&
		one mail/qp-ascii-header.raw &&
		printf "james@hillyerd.com\tJames Hillyerd\tTest QP Subject!\n" >expect && test_cmp expect out &&
		one mail/mime-bad-8bit-filename.raw &&
		printf "pavel.bazika@some.domain\tPavel Bazika\tMalformed test\n" >expect && test_cmp expect out &&
		tk-ls -d s -a -t -o body >body && echo "Text part" >expect && test_cmp expect body &&
		one mail/html-mime-inline.raw &&
		printf "james@makita.skynet\tJames Hillyerd\tMIME test 1\n" >expect && test_cmp expect out &&
		tk-ls -d s -a -t -o body >body && echo "Test of text section" >expect && test_cmp expect body &&
		rm -rf s && tk-mail -d s <"$corpus/low-quality/unk-charset-part.raw" >/dev/null 2>err &&
		test_grep "unknown charset fakescii, read as undeclared" err &&
		tk-ls -d s -a -t -o requester,subject,body >out &&
		printf "james@makita.skynet\tAttachment\tA text section\n" >expect && test_cmp expect out
	'
fi

# bounded NAME KB COMMAND...: COMMAND's peak memory (GNU time) is under KB.
bounded() {
	name=$1 kb=$2
	shift 2
	/usr/bin/time -f %M -o "$name.rss" "$@" &&
	echo "$name: max RSS $(cat "$name.rss") KiB (bound $kb)" &&
	[ "$(cat "$name.rss")" -lt "$kb" ]
}

test_expect_success 'a 1 MB header line: stored whole, the subject cut' '
	{ printf "From: a@example.com\nSubject: "; head -c 1048576 /dev/zero | tr "\0" s
	  printf "\nX-Long: "; head -c 1048576 /dev/zero | tr "\0" x
	  printf "\nMessage-ID: <long@x>\n\nbody\n"; } >long.eml &&
	tk-mail -d h <long.eml >out && printf "1\tcreated\tnew\n" >expect && test_cmp expect out &&
	tk-ls -d h -a -t -o subject >subj && echo "subject of $(wc -c <subj) bytes" &&
	test "$(wc -c <subj)" -eq 1001 &&
	tk-show -d h --raw m1 >raw && cmp raw long.eml
'

python3 - <<'EOF'
import base64
# 50 MB: a line of text and a 37 MB attachment in base64
with open("big.eml", "w") as f:
    f.write('From: Big <big@example.com>\nSubject: huge\nMessage-ID: <huge@x>\nMIME-Version: 1.0\n'
            'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nsee attached\n'
            '--b\nContent-Type: application/octet-stream; name="dump.bin"\nContent-Transfer-Encoding: base64\n\n')
    line = base64.b64encode(bytes(range(57))).decode() + "\n"
    f.write(line * (50 * 1024 * 1024 // len(line)))
    f.write("--b--\n")
# 10,000 parts, each a small attachment
with open("parts.eml", "w") as f:
    f.write('From: Many <many@example.com>\nSubject: parts\nMessage-ID: <parts@x>\nMIME-Version: 1.0\n'
            'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nmany parts\n')
    for i in range(10000):
        f.write('--b\nContent-Type: text/plain; name="p%d.txt"\nContent-Disposition: attachment; '
                'filename="p%d.txt"\n\npart %d\n' % (i, i, i))
    f.write("--b--\n")
EOF

test_expect_success 'a 50 MB message: a ticket, its attachment and the raw message kept whole' '
	tk-mail -d big <big.eml >out && printf "1\tcreated\tnew\n" >expect && test_cmp expect out &&
	tk-show -d big 1 >show && test_grep "attachment a1  dump.bin  application/octet-stream  38810901 bytes" show &&
	tk-show -d big --raw m1 >raw && cmp raw big.eml && rm raw
'

skip_peak_memory 'a 50 MB message: tk-mail under 200 MB' ||
test_expect_success 'a 50 MB message: tk-mail under 200 MB' '
	bounded big 204800 tk-mail -d big2 <big.eml >out
'

test_expect_success 'a message of 10,000 parts: a ticket, the first 100 attachments, a warning' '
	tk-mail -d parts <parts.eml >out 2>err && printf "1\tcreated\tnew\n" >expect && test_cmp expect out &&
	test_grep "9900 parts past tk.s limits left in the raw message only" err &&
	tk-show -d parts 1 >show && test "$(grep -c "^attachment a" show)" -eq 100 &&
	tk-show -d parts --raw m1 >raw && cmp raw parts.eml
'

skip_peak_memory 'a message of 10,000 parts: tk-mail under 100 MB' ||
test_expect_success 'a message of 10,000 parts: tk-mail under 100 MB' '
	bounded parts 102400 tk-mail -d parts2 <parts.eml >out
'

test_done
