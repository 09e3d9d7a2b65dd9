#!/usr/bin/perl
# business-hours.pl DRIVER SCENARIO CASES: tk's business-time arithmetic
# (lib/calendar.c, through the driver tests/calendar) against Request
# Tracker's Business::Hours, an independent implementation, on random
# cases of one scenario. Business::Hours knows one time zone a process
# (TZ), one interval a day with breaks (lunch), hours past midnight and
# whole-day holidays; not adjusted workdays, nor a holiday under a night
# shift (it takes the holiday's whole local day, tk the shifts that start
# on it), so the scenarios keep to what both mean alike.
#
# Its conventions, turned into tk's: between(a, b) counts the business
# seconds a..b inclusive (tk: [a, b + 1)); add_seconds(t, n) is the
# business second after n of them, a moment inside the hours (tk: the
# first moment n business seconds after t, which may be a closing time;
# its next opening is Business::Hours' answer).
use strict;
use warnings;
use POSIX qw(tzset);
use Business::Hours;
use File::Temp qw(tempdir);

my ($driver, $scenario, $cases) = @ARGV;
die "usage: business-hours.pl DRIVER SCENARIO CASES\n" unless $cases;

my %scenarios = (
	# zone, tk's hours lines, Business::Hours' days (0 Sunday), holidays
	'new-york' => ['America/New_York',
		"hours c Mon-Fri 09:00-12:00 13:00-17:30\nhours c Sat 10:00-14:00\n",
		{ map({ $_ => ['09:00', '17:30', [['12:00', '13:00']]] } 1 .. 5), 6 => ['10:00', '14:00', []] },
		[qw(2026-07-03 2026-11-26 2026-12-25 2027-01-01 2027-05-31)]],
	'shanghai' => ['Asia/Shanghai',
		"hours c Mon-Fri 09:00-12:00 13:00-18:00\n",
		{ map({ $_ => ['09:00', '18:00', [['12:00', '13:00']]] } 1 .. 5) },
		[qw(2026-10-01 2026-10-02 2026-10-05 2026-10-06 2026-10-07 2027-02-08 2027-02-09 2027-02-10)]],
	'night-london' => ['Europe/London',
		"hours c Mon-Fri 22:00-06:00+1\nhours c Sun 08:00-11:00 11:30-16:00\n",
		{ map({ $_ => ['22:00', '06:00', []] } 1 .. 5), 0 => ['08:00', '16:00', [['11:00', '11:30']]] },
		[]],
	'sydney' => ['Australia/Sydney',
		"hours c Mon-Sat 07:30-12:15 12:45-19:00\n",
		{ map({ $_ => ['07:30', '19:00', [['12:15', '12:45']]] } 1 .. 6) },
		[qw(2026-12-25 2027-01-26 2027-04-26)]],
);
my $s = $scenarios{$scenario} or die "business-hours.pl: no scenario $scenario\n";
my ($zone, $tkhours, $days, $holidays) = @$s;

my $dir = tempdir(CLEANUP => 1);
open(my $cf, '>', "$dir/calendars") or die "$dir/calendars: $!\n";
print $cf "calendar c $zone\n$tkhours";
print $cf "holiday c $_\n" for @$holidays;
close $cf;

$ENV{TZ} = $zone;
tzset();
my %bh = (holidays => [@$holidays]);
my @names = qw(Sunday Monday Tuesday Wednesday Thursday Friday Saturday);
for my $d (0 .. 6) {
	my $h = $days->{$d};
	$bh{$d} = $h
	    ? { Name => $names[$d], Start => $h->[0], End => $h->[1],
		Breaks => [map { { Start => $_->[0], End => $_->[1] } } @{$h->[2]}] }
	    : { Name => $names[$d], Start => undef, End => undef };
}

# Random moments of 2026 and 2027 (both changes of the clocks in each);
# stretches up to 12 days, additions up to 3 days of business time.
srand(20261122);
my $from = 1767225600;	# 2026-01-01T00:00:00Z
my (@between, @add);
for (1 .. $cases) {
	my $a = $from + int(rand(2 * 365 * 86400));
	$a -= $a % 60 if rand() < 0.5;	# often on whole minutes, as hours are
	push @between, [$a, $a + int(rand(12 * 86400))];
}
for (1 .. int($cases / 4)) {
	my $t = $from + int(rand(2 * 365 * 86400));
	$t -= $t % 60 if rand() < 0.5;
	push @add, [$t, 1 + int(rand(3 * 8 * 3600))];
}

sub tk {
	my ($mode, $pairs) = @_;
	open(my $in, '>', "$dir/in") or die;
	print $in "$_->[0] $_->[1]\n" for @$pairs;
	close $in;
	my @out = `"$driver" $mode "$dir" c < "$dir/in"`;
	die "business-hours.pl: the driver failed\n" if $? || @out != @$pairs;
	chomp @out;
	return @out;
}

my @tkb = tk('between', [map { [$_->[0], $_->[1] + 1] } @between]);
my @tka = tk('add', \@add);
my ($bad, $n) = (0, 0);
for my $i (0 .. $#between) {
	my ($a, $b) = @{$between[$i]};
	my $h = Business::Hours->new;
	$h->business_hours(%bh);
	$h->for_timespan(Start => $a, End => $b);
	my $want = $h->between($a, $b);
	$n++;
	if ($want != $tkb[$i]) {
		print "# between $a $b ($zone): Business::Hours $want, tk $tkb[$i]\n" if $bad < 5;
		$bad++;
	}
}
for my $i (0 .. $#add) {
	my ($t, $secs) = @{$add[$i]};
	my $h = Business::Hours->new;
	$h->business_hours(%bh);
	my $want = $h->add_seconds($t, $secs);
	my (undef, $next) = split ' ', $tka[$i];
	$n++;
	if ($want != $next) {
		print "# add $t $secs ($zone): Business::Hours $want, tk $tka[$i]\n" if $bad < 5;
		$bad++;
	}
}
print "# $scenario: $n cases (", scalar(@between), " between, ", scalar(@add), " add), $bad differ\n";
exit($bad ? 1 : 0);
