#!/bin/sh
# tk-mail behind a real MTA: a Postfix instance of this test's own (its
# configuration, queue and data directories in the trash directory, local
# delivery only, no network listener) delivers support@localhost to
# "|tk-mail" through an alias, as tk-mail.1 shows. The pipe runs as
# nobody (default_privs): the store directory belongs to nobody's group,
# group-writable and set-group-id, as tk-mail.1 documents. Skipped, with
# the reason, where Postfix is not installed (make deps-mail installs it)
# or cannot run here.
. "$(dirname "$0")/lib.sh"

pf=$trash/pf
store=$trash/mailstore
privs=nobody
group=$(id -gn "$privs" 2>/dev/null || true)

# Why this test cannot run here, or nothing.
why_not() {
	command -v postfix >/dev/null 2>&1 && command -v postalias >/dev/null 2>&1 &&
		test -x /usr/sbin/sendmail || { echo 'Postfix is not installed (make deps-mail installs it)'; return; }
	[ "$(id -u)" -eq 0 ] || { echo 'running a Postfix instance takes root (its master and the pipe as nobody)'; return; }
	id postfix >/dev/null 2>&1 || { echo 'no postfix user (the package is not set up)'; return; }
	[ -n "$group" ] || { echo "no user $privs for the pipe"; return; }
	# nobody must reach tk-mail and the store (mktemp made the trash private)
	chmod 755 "$trash"
	su -s /bin/sh "$privs" -c "test -x '$TK_BIN/tk-mail' && test -x '$trash'" 2>/dev/null ||
		echo "user $privs cannot reach $TK_BIN/tk-mail or $trash"
}
reason=$(why_not)

# wait_for N: until the store holds N tickets' worth of deliveries (the
# log of the instance says "status=sent" N times), 30 seconds at most.
wait_for() {
	i=0
	while [ "$(grep -c 'status=sent' "$pf/maillog" 2>/dev/null)" -lt "$1" ]; do
		i=$((i + 1))
		[ $i -le 300 ] || { echo "after 30 s, $(grep -c 'status=sent' "$pf/maillog") of $1 delivered:"; cat "$pf/maillog"; return 1; }
		grep -q 'status=\(deferred\|bounced\)' "$pf/maillog" 2>/dev/null && { cat "$pf/maillog"; return 1; }
		sleep 0.1
	done
}

send() { # send FILE: through the instance's sendmail, from the file's sender
	/usr/sbin/sendmail -C "$pf/conf" -f "$(sed -n 's/^From: .*<\(.*\)>$/\1/p; s/^From: \([^<]*@[^<]*\)$/\1/p' "$1" | head -n 1)" \
		support@localhost <"$1"
}

if [ -n "$reason" ]; then
	test_skip 'a Postfix instance of the test starts' "$reason"
	test_skip 'a mail to support@ through Postfix becomes a ticket' "$reason"
	test_skip 'a reply through Postfix threads into the same ticket' "$reason"
	test_skip 'the Postfix instance stops' "$reason"
	test_done
	exit
fi

mkdir -p "$pf/conf" "$pf/queue" "$pf/data" "$store"
chown postfix "$pf/data"
chgrp "$group" "$store"
chmod 2775 "$store"
# Local delivery (umask 077) would leave the store's files for nobody alone:
# the pipe sets the umask the store's writers share.
printf 'support: "|umask 002; exec %s/tk-mail -d %s"\n' "$TK_BIN" "$store" >"$pf/conf/aliases"
cat >"$pf/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = localhost
mydomain = localdomain
myorigin = localhost
mydestination = localhost
local_recipient_maps =
alias_maps = hash:$pf/conf/aliases
alias_database = hash:$pf/conf/aliases
default_privs = $privs
default_transport = error:no mail leaves this test
relay_transport = error:no mail leaves this test
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
biff = no
EOF
# No smtpd: nothing listens on the network; mail comes in by sendmail(1).
cat >"$pf/conf/master.cf" <<EOF
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
stop_postfix() { postfix -c "$pf/conf" stop >/dev/null 2>&1 || true; }
trap 'stop_postfix; cd / && rm -rf "$trash"' EXIT

if ! postalias -c "$pf/conf" "$pf/conf/aliases" >"$pf/start.err" 2>&1 ||
	! postfix -c "$pf/conf" start >>"$pf/start.err" 2>&1; then
	reason="Postfix cannot start here: $(cat "$pf/start.err" "$pf/maillog" 2>/dev/null | grep -m 1 -i 'fatal\|error' || echo 'no reason given')"
	test_skip 'a Postfix instance of the test starts' "$reason"
	test_skip 'a mail to support@ through Postfix becomes a ticket' "$reason"
	test_skip 'a reply through Postfix threads into the same ticket' "$reason"
	test_skip 'the Postfix instance stops' "$reason"
	test_done
	exit
fi

test_expect_success 'a Postfix instance of the test starts' '
	postfix -c "$pf/conf" status &&
	# postlogd writes the log a moment later
	i=0 && while ! grep -q "the Postfix mail system is running" "$pf/maillog" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1)); done &&
	test_grep "the Postfix mail system is running" "$pf/maillog" &&
	test_grep "configuration $pf/conf" "$pf/maillog"
'

test_expect_success 'a mail to support@ through Postfix becomes a ticket' '
	printf "From: Bob Li <bob@example.com>\nTo: support@localhost\nSubject: =?UTF-8?B?5omT5Y2w5py6?= on fire\nMessage-ID: <mta1@example.com>\nContent-Type: text/plain; charset=utf-8\n\nIt burns.\n" >m1 &&
	send m1 && wait_for 1 &&
	tk-ls -d "$store" -a -t -o id,requester,requester_name,channel,external_id,subject >out &&
	printf "1\tbob@example.com\tBob Li\temail\tmta1@example.com\t打印机 on fire\n" >expect && test_cmp expect out &&
	tk-ls -d "$store" -a -t -o body >out && echo "It burns." >expect && test_cmp expect out &&
	tk-log -d "$store" -t >log && test_grep "	mail" log
'

test_expect_success 'a reply through Postfix threads into the same ticket' '
	printf "From: Bob Li <bob@example.com>\nTo: support@localhost\nSubject: Re: on fire\nMessage-ID: <mta2@example.com>\nIn-Reply-To: <mta1@example.com>\nReferences: <mta1@example.com>\n\nStill burning.\n" >m2 &&
	tk-ls -d "$store" -a -t -o id,comments >out &&
	printf "1\t0\n" >expect && test_cmp expect out &&
	send m2 && wait_for 2 &&
	tk-ls -d "$store" -a -t -o id,comments >out &&
	printf "1\t1\n" >expect && test_cmp expect out &&
	tk-show -d "$store" 1 >show && test_grep "Still burning." show
'

test_expect_success 'the Postfix instance stops' '
	postfix -c "$pf/conf" stop && sleep 0.5 &&
	test_must_fail postfix -c "$pf/conf" status
'

test_done
