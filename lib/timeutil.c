/*
 * timeutil.c - times and durations.
 *
 * Stored times are ISO 8601 UTC with seconds, "2026-11-22T09:30:00Z", so
 * that byte order is time order in the indexes. Input also takes an offset
 * ("+08:00"), local "YYYY-MM-DD[ HH:MM[:SS]]" (or with a 'T'), "now", and
 * durations relative to now ("2h", "-30m", "3d"). $TK_NOW replaces the clock.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (civil_from_days inverse). */
static long long
days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int
date_ok(int y, int m, int d)
{
	return y >= 1970 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int
tk_iso_parse(const char *s, size_t n, time_t *out)
{
	int y, mo, d, h, mi, se;

	if (n != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
		return -1;
	if (!date_ok(y, mo, d) || h > 23 || mi > 59 || se > 60)
		return -1;
	if (out)	/* NULL: only whether it is one */
		*out = (time_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se);
	return 0;
}

void
tk_time_iso(time_t t, char out[21])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
tk_time_local(time_t t, char out[32])
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
}

time_t
tk_now(void)
{
	static int done;
	static time_t now;
	const char *s;
	time_t t;

	if (done)
		return now;
	done = 1;
	s = getenv("TK_NOW");
	if (s && *s) {
		if (tk_time_parse(s, &t, NULL) < 0)
			tk_die(TK_EXIT_USAGE, "TK_NOW: %s: not a time", s);
		now = t;
	} else
		now = time(NULL);
	return now;
}

/* The times tk writes down, ISO 8601 with four-digit years: 1970 to 9999. */
#define TIME_MAX 253402300799LL	/* 9999-12-31T23:59:59Z */

static int
in_range(const char *s, long long t, time_t *out)
{
	if (t < 0 || t > TIME_MAX)
		return tk_error("%s: out of range (1970 to 9999)", s);
	*out = (time_t)t;
	return 0;
}

/* A duration in seconds: 0, -1 when s is not one, -2 when it is longer
 * than any two times tk writes down are apart. */
static int
duration(const char *s, long long *out)
{
	const char *p = s;
	long long v, mult, total = 0;
	int neg = 0;
	char *end;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!*p)
		return -1;
	/* "1h30m" is allowed: several number-unit pairs add up. */
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno || v > TIME_MAX)
			return -2;
		p = end;
		switch (*p) {
		case 's': mult = 1; p++; break;
		case 'm': mult = 60; p++; break;
		case 'h': mult = 3600; p++; break;
		case 'd': mult = 86400; p++; break;
		case 'w': mult = 7 * 86400; p++; break;
		case '\0': mult = 1; break;
		default:
			return -1;
		}
		if (v > (TIME_MAX - total) / mult)
			return -2;
		total += v * mult;
	}
	*out = neg ? -total : total;
	return 0;
}

int
tk_duration_parse(const char *s, long long *out)
{
	switch (duration(s, out)) {
	case 0:
		return 0;
	case -2:
		return tk_error("%s: duration out of range", s);
	default:
		return tk_error("%s: not a duration (90s, 15m, 4h, 3d, 1w or seconds)", s);
	}
}

/* Local date and time to time_t through mktime, honouring $TZ. */
static int
local_time(int y, int mo, int d, int h, int mi, int se, time_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	tm.tm_isdst = -1;
	*out = mktime(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

int
tk_time_parse(const char *s, time_t *out, int *dateonly)
{
	size_t n = strlen(s);
	int y, mo, d, h = 0, mi = 0, se = 0, oh, om, sign;
	long long dur, utc;
	const char *p;

	if (dateonly)
		*dateonly = 0;
	if (!strcmp(s, "now")) {
		*out = tk_now();
		return 0;
	}
	if (n >= 10 && s[4] == '-' && s[7] == '-' && !digits(s, 4, &y) &&
	    !digits(s + 5, 2, &mo) && !digits(s + 8, 2, &d)) {
		if (!date_ok(y, mo, d))
			return tk_error("%s: no such date", s);
		p = s + 10;
		if (!*p) {
			if (dateonly)
				*dateonly = 1;
			if (local_time(y, mo, d, 0, 0, 0, out) < 0)
				return tk_error("%s: not a time", s);
			return in_range(s, (long long)*out, out);
		}
		if ((*p != 'T' && *p != ' ') || strlen(p) < 6 || p[3] != ':' ||
		    digits(p + 1, 2, &h) || digits(p + 4, 2, &mi))
			return tk_error("%s: not a time (2026-11-22T09:30:00Z, 2026-11-22 09:30, 2h, -30m)", s);
		p += 6;
		if (*p == ':') {
			if (digits(p + 1, 2, &se))
				return tk_error("%s: bad seconds", s);
			p += 3;
		}
		if (h > 23 || mi > 59 || se > 59)
			return tk_error("%s: no such time of day", s);
		utc = days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + se;
		if (*p == 'Z' && !p[1])
			return in_range(s, utc, out);
		if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
		    !digits(p + 1, 2, &oh) && !digits(p + 4, 2, &om) && oh <= 14 && om <= 59) {
			sign = *p == '-' ? -1 : 1;
			return in_range(s, utc - sign * (oh * 3600 + om * 60), out);
		}
		if (!*p) {
			if (local_time(y, mo, d, h, mi, se, out) < 0)
				return tk_error("%s: not a time", s);
			return in_range(s, (long long)*out, out);
		}
		return tk_error("%s: not a time (2026-11-22T09:30:00Z, 2026-11-22 09:30, 2h, -30m)", s);
	}
	switch (duration(s, &dur)) {
	case 0:
		return in_range(s, (long long)tk_now() + dur, out);
	case -2:
		return tk_error("%s: out of range (1970 to 9999)", s);
	}
	return tk_error("%s: not a time (2026-11-22T09:30:00Z, 2026-11-22 09:30, 2h, -30m)", s);
}

tk_str
tk_time_for_people(tk_str v, char buf[32])
{
	time_t when;

	if (tk_iso_parse(v.p, v.n, &when) < 0)
		return v;
	tk_time_local(when, buf);
	return TK_STR(buf);
}
