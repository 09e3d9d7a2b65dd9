/*
 * calendar.c - TAP tests of lib/calendar.c: time zones against the C
 * library's localtime_r, business-time arithmetic on known cases (DST in
 * New York, Shanghai, holidays and China's adjusted workdays, lunch
 * breaks, hours past midnight), against a minute-by-minute count, and
 * the file's errors. With arguments it is the driver of the comparison
 * with Business::Hours (tests/business-hours.pl):
 *
 *   calendar between DIR NAME   lines "a b" -> business seconds from a to b
 *   calendar add DIR NAME       lines "t n" -> the moment n business seconds
 *                               after t, and the next opening at or after it
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tk.h"

static int n_tests, n_failed;
static char dir[] = "/tmp/tk-calendar.XXXXXX";

static void
ok(int cond, const char *what)
{
	n_tests++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", n_tests, what);
	if (!cond)
		n_failed++;
}

static void
is_long(long long got, long long want, const char *what)
{
	ok(got == want, what);
	if (got != want)
		printf("#   expected: %lld\n#        got: %lld\n", want, got);
}

static int64_t
iso(const char *s)
{
	time_t t;

	if (tk_time_parse(s, &t, NULL) < 0) {
		printf("Bail out! %s: %s\n", s, tk_errmsg);
		exit(1);
	}
	return t;
}

static void
is_time(int64_t got, const char *want, const char *what)
{
	char a[21], b[21];

	tk_time_iso((time_t)got, a);
	tk_time_iso((time_t)iso(want), b);
	ok(!strcmp(a, b), what);
	if (strcmp(a, b))
		printf("#   expected: %s\n#        got: %s\n", b, a);
}

/* The calendars of text, read through a file as the store's are. */
static tk_calendars *
cals(const char *text, int *rc)
{
	tk_buf path = { 0 };
	tk_calendars *cs = NULL;
	FILE *fp;

	tk_buf_printf(&path, "%s/calendars", dir);
	fp = fopen(path.p, "w");
	fputs(text, fp);
	fclose(fp);
	*rc = tk_calendars_read(&cs, dir, "calendars");
	tk_buf_free(&path);
	return cs;
}

static const tk_calendar *
cal(tk_calendars **keep, const char *text, const char *name)
{
	int rc;

	tk_calendars_free(*keep);
	*keep = cals(text, &rc);
	if (rc != 1) {
		printf("Bail out! calendars: %s\n", tk_errmsg);
		exit(1);
	}
	return tk_calendar_find(*keep, name);
}

/* The error of a calendars file holding text, containing want. */
static void
bad(const char *text, const char *want, const char *what)
{
	int rc;
	tk_calendars *cs = cals(text, &rc);

	ok(rc == -1 && strstr(tk_errmsg, want) != NULL, what);
	if (rc != -1 || !strstr(tk_errmsg, want))
		printf("#   expected an error with: %s\n#        got: %d %s\n", want, rc, rc < 0 ? tk_errmsg : "");
	tk_calendars_free(cs);
}

/* Every zone of zone1970.tab (or those given) at random moments of 1970
 * to 2300, against localtime_r under TZ (this program has one thread). */
static void
test_zones(void)
{
	const char *some[] = { "America/New_York", "Asia/Shanghai", "Europe/London", "Australia/Sydney",
		"America/Sao_Paulo", "Asia/Kolkata", "Pacific/Chatham", "Africa/Casablanca", "America/St_Johns",
		"Europe/Dublin", "Asia/Tehran", "America/Santiago", "Pacific/Apia", NULL };
	FILE *tab = fopen("/usr/share/zoneinfo/zone1970.tab", "r");
	char line[512], name[128];
	tk_calendars *cs = NULL;
	long zones = 0, checked = 0, wrong = 0;
	unsigned seed = 42;
	int i, k;

	for (i = 0;; i += some[i] != NULL) {
		const char *z;

		if (some[i])
			z = some[i];
		else if (tab && fgets(line, sizeof line, tab)) {
			if (line[0] == '#' || sscanf(line, "%*s %*s %127s", name) != 1)
				continue;
			z = name;
		} else
			break;
		{
			tk_buf text = { 0 };
			const tk_calendar *c;

			tk_buf_printf(&text, "calendar z %s\nhours z Mon-Fri 09:00-17:00\n", z);
			c = cal(&cs, text.p, "z");
			tk_buf_free(&text);
			setenv("TZ", z, 1);
			tzset();
			zones++;
			for (k = 0; k < 400; k++) {
				struct tm tm;
				time_t t = (time_t)(rand_r(&seed) % 2100000000LL);

				if (k >= 200)	/* the years of the rule: 2037 to 2100, and past */
					t = (time_t)(2114380800LL + (long long)rand_r(&seed) * 5);
				localtime_r(&t, &tm);
				checked++;
				if (tm.tm_gmtoff != tk_cal_offset(c, t)) {
					if (wrong++ < 5)
						printf("# %s at %lld: localtime_r %ld, tk %d\n", z, (long long)t,
						    (long)tm.tm_gmtoff, tk_cal_offset(c, t));
				}
			}
		}
	}
	if (tab)
		fclose(tab);
	unsetenv("TZ");
	tzset();
	tk_calendars_free(cs);
	printf("# %ld zones, %ld moments\n", zones, checked);
	ok(zones > 10 && wrong == 0, "zone offsets agree with localtime_r (zone1970.tab, 1970-2300)");
}

/* Business seconds of [a, b) by minutes (a and b whole minutes): one
 * tk_cal_open a minute, nothing of the prefix sums. */
static int64_t
by_minutes(const tk_calendar *c, int64_t a, int64_t b)
{
	int64_t t, n = 0;

	for (t = a; t < b; t += 60)
		n += tk_cal_open(c, t) ? 60 : 0;
	return n;
}

static void
test_shanghai(void)
{
	tk_calendars *cs = NULL;
	const tk_calendar *c = cal(&cs,
	    "calendar office Asia/Shanghai\n"
	    "hours office Mon-Fri 09:00-12:00 13:00-18:00\n"
	    "holiday office 2026-10-01..2026-10-07 National Day\n"
	    "workday office 2026-09-27\n"
	    "workday office 2026-10-10 Fri\n", "office");

	/* Shanghai is UTC+8 all year: 09:00 local is 01:00Z. */
	is_time(tk_cal_add(c, iso("2026-11-20T09:30:00Z"), 3600), "2026-11-23T01:30:00Z",
	    "Fri 17:30 + 1h: Mon 09:30 (Shanghai)");
	is_time(tk_cal_add(c, iso("2026-11-23T03:30:00Z"), 3600), "2026-11-23T05:30:00Z",
	    "11:30 + 1h over lunch: 13:30");
	is_time(tk_cal_add(c, iso("2026-11-23T09:00:00Z"), 3600), "2026-11-23T10:00:00Z",
	    "17:00 + 1h: 18:00, the closing time itself");
	is_time(tk_cal_add(c, iso("2026-11-23T04:00:00Z"), 3600 * 2), "2026-11-23T07:00:00Z",
	    "created at lunch (12:00) + 2h: counts from 13:00");
	is_time(tk_cal_add(c, iso("2026-11-21T02:00:00Z"), 60), "2026-11-23T01:01:00Z",
	    "created Saturday: starts at Monday's opening");
	is_time(tk_cal_add(c, iso("2026-09-25T09:00:00Z"), 7200), "2026-09-27T02:00:00Z",
	    "Fri 09-25 17:00 + 2h: Sunday 09-27 10:00, an adjusted workday");
	is_time(tk_cal_add(c, iso("2026-09-30T09:00:00Z"), 7200), "2026-10-08T02:00:00Z",
	    "Wed 09-30 17:00 + 2h: over National Day to Thu 10-08 10:00");
	is_time(tk_cal_add(c, iso("2026-10-09T09:00:00Z"), 7200), "2026-10-10T02:00:00Z",
	    "Fri 10-09 17:00 + 2h: Saturday 10-10 (a workday) 10:00");
	is_long(tk_cal_between(c, iso("2026-09-28T00:00:00Z"), iso("2026-10-12T00:00:00Z")), 8 * 3600 * 6,
	    "09-28..10-11: six working days (Mon-Wed, Thu 10-08, Fri 10-09, Sat 10-10)");
	is_long(tk_cal_between(c, iso("2026-10-12T00:00:00Z"), iso("2026-09-28T00:00:00Z")), -8 * 3600 * 6,
	    "between backwards is negative");
	ok(!tk_cal_open(c, iso("2026-10-02T03:00:00Z")) && tk_cal_open(c, iso("2026-09-27T03:00:00Z")) &&
	    !tk_cal_open(c, iso("2026-11-23T04:30:00Z")), "open: not on a holiday, on a workday, not at lunch");
	is_time(tk_cal_next_open(c, iso("2026-09-30T10:00:00Z")), "2026-10-08T01:00:00Z",
	    "next opening after 09-30 18:00: 10-08 09:00");
	is_time(tk_cal_next_open(c, iso("2026-11-23T04:10:00Z")), "2026-11-23T05:00:00Z",
	    "next opening at lunch: 13:00");
	is_time(tk_cal_add(c, iso("2026-11-23T02:00:00Z"), -3600), "2026-11-20T10:00:00Z",
	    "Mon 10:00 - 1h: Fri 18:00 (the first moment that far back: a closing time)");
	is_time(tk_cal_add(c, iso("2026-11-23T01:00:00Z"), -3600), "2026-11-20T09:00:00Z",
	    "Mon 09:00 - 1h: Fri 17:00");
	is_long(tk_cal_day_seconds(c, iso("2026-11-20T02:00:00Z"), 1), 8 * 3600, "1d of business time from Friday: a working day");
	is_time(tk_cal_add(c, iso("2026-09-30T02:00:00Z"), tk_cal_day_seconds(c, iso("2026-09-30T02:00:00Z"), 3)),
	    "2026-10-10T02:00:00Z", "Wed 09-30 10:00 + 3 working days (Thu, Fri, Sat 10-10): Sat 10-10 10:00");
	is_long(tk_cal_between(c, iso("2026-09-21T00:00:00Z"), iso("2026-10-19T00:00:00Z")),
	    by_minutes(c, iso("2026-09-21T00:00:00Z"), iso("2026-10-19T00:00:00Z")),
	    "four weeks around National Day: the same as counting minutes");
	tk_calendars_free(cs);
}

static void
test_new_york(void)
{
	tk_calendars *cs = NULL;
	const tk_calendar *c = cal(&cs,
	    "calendar ny America/New_York\n"
	    "hours ny Mon-Fri 09:00-17:00\n"
	    "hours ny Sat 22:00-06:00+1\n", "ny");
	char buf[40];

	/* 2026: clocks forward Sun 03-08 02:00 EST, back Sun 11-01 02:00 EDT. */
	is_time(tk_cal_add(c, iso("2026-03-06T21:00:00Z"), 3600 * 2), "2026-03-08T04:00:00Z",
	    "Fri 16:00 EST + 2h: Sat 23:00 EST in the night shift");
	is_time(tk_cal_add(c, iso("2026-03-06T21:00:00Z"), 3600 * 9), "2026-03-09T14:00:00Z",
	    "Fri 16:00 EST + 9h (the night shift is 7h over the change): Mon 10:00 EDT");
	is_long(tk_cal_between(c, iso("2026-03-08T03:00:00Z"), iso("2026-03-08T10:00:00Z")), 7 * 3600,
	    "Sat 22:00 EST to Sun 06:00 EDT: 7 real hours");
	is_long(tk_cal_between(c, iso("2026-10-31T00:00:00Z"), iso("2026-11-02T00:00:00Z")), 9 * 3600,
	    "Sat 22:00 EDT to Sun 06:00 EST: 9 real hours");
	is_long(tk_cal_between(c, iso("2026-03-02T00:00:00Z"), iso("2026-03-16T00:00:00Z")),
	    by_minutes(c, iso("2026-03-02T00:00:00Z"), iso("2026-03-16T00:00:00Z")),
	    "two weeks over the change in March: the same as counting minutes");
	is_long(tk_cal_between(c, iso("2026-10-26T00:00:00Z"), iso("2026-11-09T00:00:00Z")),
	    by_minutes(c, iso("2026-10-26T00:00:00Z"), iso("2026-11-09T00:00:00Z")),
	    "two weeks over the change in November: the same as counting minutes");
	is_time(tk_cal_add(c, iso("2026-07-10T20:00:00Z"), 3600), "2026-07-10T21:00:00Z",
	    "Fri 16:00 EDT + 1h: Fri 17:00 EDT, the closing");
	is_time(tk_cal_add(c, iso("2026-07-10T21:00:00Z"), 3600), "2026-07-12T03:00:00Z",
	    "Fri 17:00 EDT + 1h: Sat 23:00 EDT in the night shift");
	tk_cal_local(c, iso("2026-03-09T14:00:00Z"), buf);
	ok(!strcmp(buf, "Mon 2026-03-09 10:00 -04:00"), "local time on the calendar's clock");
	if (strcmp(buf, "Mon 2026-03-09 10:00 -04:00"))
		printf("# got %s\n", buf);
	/* Hours over the whole day: the day of the change is 23 or 25 hours. */
	c = cal(&cs, "calendar all America/New_York\nhours all Mon-Sun 00:00-24:00\n", "all");
	is_long(tk_cal_between(c, iso("2026-03-08T05:00:00Z"), iso("2026-03-09T04:00:00Z")), 23 * 3600,
	    "a day of hours 00:00-24:00 is 23 real hours when the clocks go forward");
	is_time(tk_cal_add(c, iso("2026-01-01T05:00:00Z"), 365LL * 86400), "2027-01-01T05:00:00Z",
	    "a year of round-the-clock hours in New York: a year of real time");
	tk_calendars_free(cs);
}

static void
test_midnight(void)
{
	tk_calendars *cs = NULL;
	const tk_calendar *c = cal(&cs,
	    "calendar night UTC\n"
	    "hours night Mon-Fri 22:00-06:00+1\n"
	    "holiday night 2026-11-25\n", "night");

	is_time(tk_cal_add(c, iso("2026-11-24T05:00:00Z"), 7200), "2026-11-24T23:00:00Z",
	    "Tue 05:00 + 2h: 1h of Monday's night, then Tuesday 22:00 + 1h");
	is_long(tk_cal_between(c, iso("2026-11-23T00:00:00Z"), iso("2026-11-30T00:00:00Z")), 4 * 8 * 3600,
	    "a week of night shifts, one of them a holiday: four");
	ok(tk_cal_open(c, iso("2026-11-25T03:00:00Z")) && !tk_cal_open(c, iso("2026-11-26T03:00:00Z")),
	    "a holiday on Wednesday: Tuesday's night runs into it, Wednesday's night is off");
	is_time(tk_cal_next_open(c, iso("2026-11-25T12:00:00Z")), "2026-11-26T22:00:00Z",
	    "after the holiday's day: Thursday 22:00");
	is_long(tk_cal_between(c, iso("2026-11-16T00:00:00Z"), iso("2026-12-07T00:00:00Z")),
	    by_minutes(c, iso("2026-11-16T00:00:00Z"), iso("2026-12-07T00:00:00Z")),
	    "three weeks of night shifts: the same as counting minutes");
	tk_calendars_free(cs);
}

static void
test_24x7_and_consistency(void)
{
	const tk_calendar *w = tk_calendar_24x7();
	tk_calendars *cs = NULL;
	const tk_calendar *c;
	unsigned seed = 7;
	int k, bad = 0, badmin = 0;
	int64_t base = iso("2026-01-01T00:00:00Z");

	is_long(tk_cal_between(w, 100, 4000), 3900, "24x7: wall-clock seconds");
	is_long(tk_cal_add(w, 100, 3600), 3700, "24x7: add");
	c = cal(&cs,
	    "calendar cn Asia/Shanghai\n"
	    "hours cn Mon-Fri 09:00-12:00 13:00-18:00\n"
	    "hours cn Sat 09:00-12:00\n"
	    "holiday cn 2026-01-01..2026-01-03\n"
	    "holiday cn 2026-02-15..2026-02-23\n"
	    "workday cn 2026-02-14\n"
	    "workday cn 2026-02-28\n"
	    "holiday cn 2026-10-01..2026-10-07\n"
	    "workday cn 2026-09-20 Sat\n", "cn");
	for (k = 0; k < 3000; k++) {
		int64_t t = base + (int64_t)(rand_r(&seed) % (400 * 86400));
		int64_t n = 1 + rand_r(&seed) % (k % 3 ? 20 * 3600 : 200 * 3600);
		int64_t r = tk_cal_add(c, t, n);

		if (tk_cal_between(c, t, r) != n || (r > t + 1 && tk_cal_between(c, t, r - 1) != n - 1))
			if (bad++ < 3)
				printf("# add(%lld, %lld) = %lld, between %lld\n", (long long)t, (long long)n, (long long)r,
				    (long long)tk_cal_between(c, t, r));
		if (k < 60) {
			int64_t a = t - t % 60, b = a + 60 * (rand_r(&seed) % (20 * 24 * 60));

			if (tk_cal_between(c, a, b) != by_minutes(c, a, b))
				badmin++;
		}
	}
	ok(!bad, "3000 random additions: the business seconds between t and t + n are n, and the result is the first such moment");
	ok(!badmin, "60 random stretches up to 20 days: the same as counting minutes");
	tk_calendars_free(cs);
}

static void
test_errors(void)
{
	bad("calendar office Asia/Shanghia\n", "calendars:1: Asia/Shanghia: no such time zone", "an unknown zone, with file:line");
	bad("calendar office UTC\nhours office Mon-Fri 13:00-12:00\n", "calendars:2: 13:00-12:00: ends before it starts",
	    "an interval that ends before it starts");
	bad("calendar office UTC\nhours office Mon-Fri 09:00-12:00\nhours office Wed 11:00-14:00\n",
	    "calendars:3: calendar office: 11:00-14:00 overlaps 09:00-12:00 (line 2)", "overlapping intervals");
	bad("calendar office UTC\nhours office Mon 22:00-06:00+1\nhours office Tue 05:00-09:00\n",
	    "calendars:3: calendar office: 05:00-09:00 overlaps 22:00-06:00+1 (line 2)", "overlap past midnight");
	bad("calendar office UTC\nhours office Mon-Fri 09:00-18:00\nholiday office 2026-10-01\nworkday office 2026-10-01\n",
	    "calendars:4: 2026-10-01: both a holiday and a workday", "a day both a holiday and a workday");
	bad("calendar office UTC\n", "calendars:1: calendar office: no hours", "a calendar with no hours");
	bad("hours office Mon 09:00-10:00\n", "calendars:1: hours: no calendar office above", "hours of no calendar");
	bad("calendar office UTC\nhours office Mon-Fry 09:00-10:00\n", "calendars:2: Mon-Fry: not days", "a bad day");
	bad("calendar office UTC\nhours office Mon 09:00-10:00\nholiday office 2026-02-30\n",
	    "calendars:3: 2026-02-30: not a date", "no such date");
	bad("calendar office UTC\ncalendar office UTC\n", "calendars:2: calendar office: already defined on line 1",
	    "a calendar twice");
	bad("calendar 24x7 UTC\n", "calendars:1: 24x7 is tk's own calendar", "24x7 is taken");
	bad("calendar office ../../etc/passwd\n", "not a time zone name", "a zone name with dots refused");
	bad("calendar office UTC\nhours office Mon 9:00-10:00\n", "9:00-10:00: not an interval", "times as HH:MM");
	bad("calendar office UTC\nopen office Mon 09:00-10:00\n", "calendars:2: open: not a statement of calendars",
	    "an unknown statement");
}

/* The driver of tests/business-hours.pl. */
static int
driver(const char *mode, const char *d, const char *name)
{
	tk_calendars *cs = NULL;
	const tk_calendar *c;
	long long a, b;
	int rc = tk_calendars_read(&cs, d, "calendars");

	if (rc != 1 || !(c = tk_calendar_find(cs, name))) {
		fprintf(stderr, "calendar: %s\n", rc < 0 ? tk_errmsg : "no such calendar");
		return 1;
	}
	while (scanf("%lld %lld", &a, &b) == 2) {
		if (!strcmp(mode, "between"))
			printf("%lld\n", (long long)tk_cal_between(c, a, b));
		else {
			int64_t r = tk_cal_add(c, a, b);

			printf("%lld %lld\n", (long long)r, (long long)tk_cal_next_open(c, r));
		}
	}
	tk_calendars_free(cs);
	return 0;
}

int
main(int argc, char **argv)
{
	tk_setprogname("calendar");
	if (argc == 4)
		return driver(argv[1], argv[2], argv[3]);
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	test_zones();
	test_shanghai();
	test_new_york();
	test_midnight();
	test_24x7_and_consistency();
	test_errors();
	{
		tk_buf p = { 0 };

		tk_buf_printf(&p, "%s/calendars", dir);
		unlink(p.p);
		rmdir(dir);
		tk_buf_free(&p);
	}
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
