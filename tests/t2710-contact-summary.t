#!/bin/sh
# tk-contact show reads each contact's summary (contact_stats, schema 18),
# kept in the transaction of every ticket written: after each kind of
# change (new tickets, tk-set, a requester changed, merge and unmerge,
# bulk imports and updates, tk-new -b) every contact's profile is compared
# with one worked out from its tickets as tk-ls lists them; a store of
# schema 14 gets its summaries counted when it is opened (the 17 to 18 step).
. "$(dirname "$0")/lib.sh"

# profiles FILE: the profile of each contact from its summary
# (tk-contact show --json, from "tickets" on).
profiles() {
	tk-contact ls -a -t -o id | while read -r c; do
		printf "%s " "$c"
		tk-contact show --json "$c" | sed 's/.*"tickets":/"tickets":/'
	done >"$1"
}

# reference FILE: the same worked out from every ticket (tk-ls).
reference() {
	tk-contact ls -a -t -o id >ids &&
	tk-ls -a -t -o contact,id,status,csat,created,first_response,resolved "contact!=" >tickets &&
	perl -MTime::Local -e '
		sub t { my ($y,$m,$d,$H,$M,$S) = $_[0] =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)Z$/ or return undef;
			timegm($S, $M, $H, $d, $m - 1, $y) }
		sub med { my @v = sort { $a <=> $b } @_; return "null" unless @v;
			my $n = @v; $n % 2 ? $v[$n / 2] : int(($v[$n / 2 - 1] + $v[$n / 2]) / 2) }
		open my $f, "<", "tickets" or die; my %t;
		while (<$f>) { chomp; my @x = split /\t/, $_, -1; push @{$t{$x[0]}}, [@x[1..6]] }
		open my $i, "<", "ids" or die;
		while (my $c = <$i>) { chomp $c; my @k = @{$t{$c} || []};
			my %s; my ($sum, $n, @frt, @ttr) = (0, 0);
			for (@k) { my ($id, $st, $cs, $cr, $fr, $re) = @$_; $s{$st}++;
				if ($cs =~ /^[1-5]$/) { $sum += $cs; $n++ }
				my $c0 = t($cr); next unless defined $c0;
				my $f0 = t($fr); push @frt, $f0 - $c0 if defined $f0 && $f0 >= $c0;
				my $r0 = t($re); push @ttr, $r0 - $c0 if defined $r0 && $r0 >= $c0 }
			my $open = ($s{new} || 0) + ($s{open} || 0) + ($s{pending} || 0);
			my @last = (sort { $b <=> $a } map { $_->[0] } @k)[0 .. 9]; @last = grep { defined } @last;
			printf "%s \"tickets\":%d,\"open\":%d,\"by_status\":{%s},\"csat_mean\":%s,\"csat_rated\":%d," .
			    "\"frt_median\":%s,\"ttr_median\":%s,\"last_tickets\":[%s]}\n", $c, scalar @k, $open,
			    join(",", map { "\"$_\":" . ($s{$_} || 0) } qw(new open pending resolved closed)),
			    $n ? sprintf("%.2f", $sum / $n) : "null", $n, med(@frt), med(@ttr), join(",", @last) }
	' >"$1"
}

check() {
	profiles got && reference want && test_cmp want got
}

test_expect_success 'setup: an org, contacts, tickets with times and ratings' '
	tk-org -q add acme name=Acme domains=acme.example tier=gold &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		tk-new -q -s "ticket $i" -r "p$((i % 3))@acme.example" || return 1
	done &&
	tk-set -q status=open first_response=2026-11-22T10:30:00Z 1 2 3 &&
	tk-set -q status=resolved resolved=2026-11-23T09:30:00Z csat=4 4 5 &&
	tk-set -q status=closed csat=2 first_response=2026-11-22T09:45:00Z 6 &&
	tk-set -q status=pending 7 &&
	check
'

test_expect_success 'a changed status, rating and time move their counts' '
	tk-set -q status=closed csat=5 1 &&
	tk-set -q csat= 4 &&
	tk-set -q first_response=2026-11-22T11:30:00Z 2 &&
	tk-set -q status=open 5 &&
	check
'

test_expect_success 'a requester changed: the ticket counts for its new contact' '
	tk-set -q requester=p1@acme.example 3 6 &&
	tk-set -q requester=someone@new.example 9 &&
	check
'

test_expect_success 'merge and unmerge move the tickets and their parts' '
	c=$(tk-contact find -t -o id p2@acme.example) &&
	tk-contact -q merge "$c" into p0@acme.example &&
	check &&
	tk-contact -q unmerge "$c" &&
	check
'

test_expect_success 'bulk: tk-import in batches, updates with --update, tk-new -b' '
	awk "BEGIN { print \"external_id,subject,requester,status,csat,created,first_response,resolved\";
		for (i = 1; i <= 7000; i++) printf \"X-%d,row %d,q%d@acme.example,%s,%s,2026-01-0%dT08:00:00Z,2026-01-0%dT%02d:00:00Z,%s\n\",
			i, i, i % 40, i % 3 ? \"closed\" : \"open\", i % 5 ? i % 5 : \"\", i % 9 + 1, i % 9 + 1, 8 + i % 13,
			i % 3 ? \"2026-01-2\" i % 8 \"T12:00:00Z\" : \"\" }" >bulk.csv &&
	tk-import -q bulk.csv &&
	check &&
	sed "s/,closed,/,resolved,/; s/q\([0-9]*\)@acme/r\1@acme/" bulk.csv | awk "NR == 1 || NR % 4 == 0" >changed.csv &&
	tk-import -q --update changed.csv &&
	check &&
	printf "#subject\trequester\tstatus\none\tq1@acme.example\tclosed\ntwo\tnew1@acme.example\topen\n" | tk-new -q -b &&
	check
'

test_expect_success 'a long run counted in two threads (TK_FOLD_SPLIT): the same summaries' '
	mkdir -p one two &&
	tk-import -q -d one bulk.csv &&
	TK_FOLD_SPLIT=500 tk-import -q -d two bulk.csv &&
	mdb_dump -s contact_stats one | grep "^ " >one.dump && test "$(wc -l <one.dump)" -gt 40 &&
	mdb_dump -s contact_stats two | grep "^ " >two.dump && test_cmp one.dump two.dump &&
	TK_DIR=$PWD/two check
'

test_expect_success 'a run adds up its own tickets as it writes them: the summaries a count of every ticket gives' '
	mkdir -p three &&
	tk-import -q -d three bulk.csv &&
	mdb_dump -s contact_stats three | grep "^ " >run.dump && test "$(wc -l <run.dump)" -gt 40 &&
	"$TK_UNIT" cstats-until "$PWD/three" 999999999 &&
	mdb_dump -s contact_stats three | grep "^ " >count.dump && test_cmp count.dump run.dump &&
	mdb_dump -p -s meta three | grep -A1 -x " cstats_upto" >mark && test "$(wc -l <mark)" = 2
'

test_expect_success 'another command writing between two batches of a run: its change is counted' '
	mkdir -p four &&
	cat >four/lookup <<-EOF &&
	#!/bin/sh
	# (run by tk-import --lookup for the one new requester, in batch 2:
	# it changes a ticket batch 1 made, between the two commits)
	test "\$1" = brand.new@else.example &&
	    TK_DIR=$PWD/four tk-set -q status=closed csat=1 first_response=2026-01-01T09:00:00Z 10
	echo "#name"
	echo Somebody
	EOF
	chmod +x four/lookup &&
	echo "contact-lookup $PWD/four/lookup" >four/config &&
	sed "6001s/q[0-9]*@acme.example/brand.new@else.example/" bulk.csv >bulk2.csv &&
	tk-import -q -d four --lookup bulk2.csv &&
	tk-show -d four 10 >st && test_grep "^status  *closed" st && test_grep "^csat  *1" st &&
	TK_DIR=$PWD/four check
'

test_expect_success 'a bulk run that changes its own new tickets (an external id twice, a requester changed)' '
	printf "%s\n" "external_id,subject,requester,status,csat" "D-1,a,d1@dup.example,open," \
	    "D-2,b,d2@dup.example,open," "D-1,a,d1@dup.example,closed,5" "D-3,c,d1@dup.example,new," \
	    "D-2,b,d3@dup.example,open,4" >dup.csv &&
	tk-import -q --update dup.csv &&
	check &&
	tk-contact show --json d1@dup.example >out &&
	test_grep "\"tickets\":2,\"open\":1" out && test_grep "\"csat_mean\":5.00" out &&
	tk-contact show --json d2@dup.example >out && test_grep "\"tickets\":0" out
'

test_expect_success 'a bulk run cut short: tickets past the mark are read, the next bulk run counts them in' '
	"$TK_UNIT" cstats-until "$TK_DIR" 3000 &&
	check &&
	tk-set -q status=closed csat=1 2999 3001 5000 &&
	tk-set -q requester=q7@acme.example 3002 &&
	tk-new -q -s "one more" -r q3@acme.example &&
	check &&
	printf "#subject\trequester\nlast\tq3@acme.example\n" | tk-new -q -b &&
	check &&
	"$TK_UNIT" cstats-until "$TK_DIR" 0 &&
	mdb_stat -s contact_stats "$TK_DIR" | grep -q "Entries: 0" &&
	printf "#subject\trequester\nlast\tq3@acme.example\n" | tk-new -q -b &&
	check
'

test_expect_success 'a contact with no ticket shows none; summaries are one a contact with tickets' '
	tk-contact -q add "Nobody <nobody@acme.example>" &&
	tk-contact show --json nobody@acme.example >out &&
	test_grep "\"tickets\":0,\"open\":0" out && test_grep "\"last_tickets\":\[\]" out &&
	tk-ls -a -t -o contact "contact!=" | sort -u | wc -l >n &&
	mdb_stat -s contact_stats "$TK_DIR" | sed -n "s/^ *Entries: //p" >m &&
	test_cmp n m
'

test_expect_success 'a store of schema 14 gets every summary counted from its tickets' '
	profiles before &&
	"$TK_UNIT" to-v14 "$TK_DIR" &&
	mdb_dump -p -s meta "$TK_DIR" | grep -x " 14" &&
	profiles after &&
	mdb_dump -p -s meta "$TK_DIR" | grep -x " $TK_SCHEMA" &&
	test_cmp before after &&
	tk-log -t | grep -c "	upgrade" >n || true &&
	echo 0 >expect && test_cmp expect n
'

test_done
