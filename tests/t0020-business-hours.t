#!/bin/sh
# tk's business-time arithmetic against Request Tracker's Business::Hours
# (Debian libbusiness-hours-perl, make deps installs it) on thousands of
# random cases a scenario: New York with a lunch break, Saturday hours and
# holidays over both changes of the clocks; Shanghai with lunch and the
# National Day holidays; London night shifts past midnight over its
# changes; Sydney (the southern summer) with holidays. tests/business-hours.pl
# says what each counts and how their conventions are made to meet.
. "$(dirname "$0")/lib.sh"
driver=$(dirname "$TK_UNIT")/calendar

if ! perl -MBusiness::Hours -e 1 2>/dev/null; then
	for s in new-york shanghai night-london sydney; do
		test_skip "tk agrees with Business::Hours: $s" 'Business::Hours is not installed (make deps installs libbusiness-hours-perl)'
	done
	test_done
	exit
fi
for s in new-york shanghai night-london sydney; do
	test_expect_success "tk agrees with Business::Hours: $s (3,000 random cases)" "
		perl \"$TEST_DIR/business-hours.pl\" \"$driver\" $s 2400
	"
done
test_done
