#!/bin/sh
# tk-notify through a real MTA: a Postfix instance of its own (its config,
# queue and mailboxes in the trash directory; smtpd on 127.0.0.1 at a free
# port), started for this test, stopped after it. tk-notify hands each
# message to Postfix's sendmail(1); Postfix delivers it to a Maildir, and
# the delivered message must say what tk-notify wrote: the encoded Chinese
# subject, the threading headers, the body. Optional: skipped, with the
# reason, where Postfix is not installed and cannot be (root and apt-get
# install it, with debconf's "No configuration", which starts nothing).
. "$(dirname "$0")/lib.sh"
top=$TEST_DIR/..

skip_all() {
	test_skip 'mail delivered by Postfix' "$1"
	test_done
	exit 0
}

[ "$(id -u)" = 0 ] || skip_all "Postfix's master runs as root, and this is not root"
if ! [ -x /usr/sbin/postfix ] && command -v apt-get >/dev/null 2>&1 && command -v debconf-set-selections >/dev/null 2>&1; then
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null
	sh "$top/tools/deps.sh" postfix >/dev/null 2>&1
fi
[ -x /usr/sbin/postfix ] && [ -x /usr/sbin/sendmail ] && [ -d /usr/lib/postfix/sbin ] ||
	skip_all "Postfix is not installed and could not be (apt-get install postfix)"
id postfix >/dev/null 2>&1 && getent group postdrop >/dev/null 2>&1 || skip_all "Postfix's users (postfix, postdrop) are missing"
command -v perl >/dev/null 2>&1 || skip_all "perl is not installed (make deps installs it)"

pf=$trash/postfix
mkdir -p "$pf/conf" "$pf/queue" "$pf/data" "$pf/mail"
chmod 755 "$trash" "$pf"	# (mktemp made the trash directory for root alone)
chown postfix "$pf/data"
chown nobody "$pf/mail"
# a port nothing listens on
port=
for p in $(awk -v s="$$" 'BEGIN { srand(s); for (i = 0; i < 20; i++) print 20000 + int(rand() * 20000) }'); do
	perl -MIO::Socket::INET -e 'exit(IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") ? 1 : 0)' "$p" && { port=$p; break; }
done
[ -n "$port" ] || skip_all "no free port on 127.0.0.1"

cat >"$pf/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = tk-test.localdomain
mydomain = localdomain
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
relay_domains =
alias_maps =
alias_database =
virtual_mailbox_domains = example.test
virtual_mailbox_base = $pf/mail
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
virtual_minimum_uid = 1
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
smtputf8_enable = yes
EOF
cat >"$pf/conf/master.cf" <<EOF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
proxymap  unix - - n - - proxymap
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
virtual   unix - n n - - virtual
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
trap 'postfix -c "$pf/conf" stop >/dev/null 2>&1; cd / && rm -rf "$trash"' EXIT
postfix -c "$pf/conf" start >"$pf/start.log" 2>&1 || {
	cat "$pf/start.log" "$pf/maillog" 2>/dev/null | sed 's/^/# /'
	skip_all "this Postfix instance did not start (its log is above)"
}
TK_SENDMAIL="/usr/sbin/sendmail -C $pf/conf -t -i"
export TK_SENDMAIL

# delivered N: wait (at most 30 s) for N messages in the Maildir.
delivered() {
	i=0
	while [ "$(find "$pf/mail/inbox/new" -type f 2>/dev/null | wc -l)" -lt "$1" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(find "$pf/mail/inbox/new" -type f 2>/dev/null | wc -l)" -ge "$1" ] || {
		echo "not delivered; the log:"; cat "$pf/maillog"; return 1; }
}
newest() {
	ls -t "$pf/mail/inbox/new"/* | head -n 1
}
# field FILE NAME: a header field as a mail client shows it (unfolded, RFC 2047 decoded)
field() {
	perl -CS -MEncode -e 'my ($f, $n) = @ARGV; open my $h, "<", $f or die; local $/; my $m = <$h>;
		my ($hd) = split /\n\n/, $m, 2; $hd =~ s/\n[ \t]+/ /g;
		for (split /\n/, $hd) { if (/^\Q$n\E:\s*(.*)$/i) { print decode("MIME-Header", $1), "\n"; exit } }' "$1" "$2"
}

test_expect_success 'Postfix listens on 127.0.0.1 and greets' '
	perl -MIO::Socket::INET -e "my \$s = IO::Socket::INET->new(PeerAddr => q(127.0.0.1:$port), Timeout => 5) or exit 1;
		my \$l = <\$s>; print \$l; exit(\$l =~ /^220 / ? 0 : 1)" >banner &&
	test_grep "^220 tk-test.localdomain" banner
'

test_expect_success 'a notice delivered as tk-notify wrote it' '
	tk-new -q -s "打印机卡纸，第三层，请尽快处理" -r "王磊 <wang.lei@example.test>" assignee=alice &&
	tk-agent -q add alice name="Alice Smith" email=alice@example.test &&
	echo "from Help Desk <help@example.test>" >"$TK_DIR/config" &&
	tk-notify --to assignee 1 >out &&
	printf "1\tsent\talice@example.test\n" >expect && test_cmp expect out &&
	delivered 1 && m=$(newest) &&
	test "$(field $m Subject)" = "[tk #1] 打印机卡纸，第三层，请尽快处理" &&
	test "$(field $m To)" = "Alice Smith <alice@example.test>" &&
	test "$(field $m From)" = "Help Desk <help@example.test>" &&
	field $m Message-ID | grep -E "^<tk\.1\.1\.[0-9a-f]{16}@example\.test>\$" &&
	field $m References | grep -E "^<tk\.1\.[0-9a-f]{16}@example\.test>\$" &&
	test "$(field $m Delivered-To)" = alice@example.test &&
	sed "1,/^\$/d" $m >body && test_grep "^打印机卡纸，第三层，请尽快处理\$" body
'

test_expect_success 'the agents reply delivered to the requester, in the same thread' '
	tk-comment -q -f alice -m "已更换硒鼓，请再试一次。" 1 &&
	tk-notify -q --to requester 1 &&
	delivered 2 && m=$(newest) &&
	test "$(field $m To)" = "王磊 <wang.lei@example.test>" &&
	test "$(field $m Subject)" = "Re: [tk #1] 打印机卡纸，第三层，请尽快处理" &&
	test "$(field $m In-Reply-To)" = "$(field $(ls -tr "$pf/mail/inbox/new"/* | head -n 1) References)" &&
	sed "1,/^\$/d" $m >body && echo "已更换硒鼓，请再试一次。" >expect && test_cmp expect body &&
	tk-notify --queue >q && test_empty q
'

test_done
