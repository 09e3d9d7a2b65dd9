/*
 * calendar.c - business-hours calendars (the store's calendars file) and
 * business-time arithmetic.
 *
 *   calendar office Asia/Shanghai             # a name and an IANA time zone
 *   hours    office Mon-Fri 09:00-12:00 13:00-18:00
 *   hours    office Sat 22:00-06:00+1         # +1: ends the next day
 *   holiday  office 2026-10-01..2026-10-07 National Day
 *   workday  office 2026-09-27                # an adjusted working weekend day
 *
 * Conventions (tk-config(5) says them to users):
 * - An interval belongs to the day it starts on. A holiday takes away the
 *   intervals that start on it; one that started the evening before runs
 *   to its end. A workday has the hours of the first weekday from Monday
 *   that has any, or of the day named after the date ("workday office
 *   2026-09-27 Sat").
 * - Business time is elapsed time inside the intervals: an interval over
 *   a change of the clocks (22:00-06:00+1 on the night of a DST change)
 *   lasts 7 or 9 real hours, not 8.
 * - A local time the clocks skip (02:30 on the night they go forward) is
 *   read with the offset before the change (03:30 after it); a local time
 *   that happens twice is its first occurrence.
 * - Adding business time to a moment outside the hours starts at the next
 *   opening; a result that lands exactly on a closing time stays there (it
 *   is not moved to the next opening).
 *
 * Time zones are read from the system's zoneinfo (tzdata) files, TZif
 * (RFC 8536): their transitions, and the POSIX TZ rule at the end for the
 * years after the last one. The C library's localtime_r and mktime would
 * do the same under setenv("TZ"), but that setting is the whole process's:
 * a bulk intake parses local times in its reading thread while its writer
 * computes deadlines, and a calendar must not change the zone under it.
 * tests/calendar.c checks these offsets against localtime_r.
 *
 * The arithmetic is done on F(t), the business seconds from a fixed origin
 * to t. Days are numbered locally (day 0 is 1970-01-01 in the calendar's
 * zone). G(d), the business seconds of all days before d, is the weekly
 * pattern's (whole weeks times the week's seconds, plus the week's first
 * days: arithmetic) plus the sum of the differences of the irregular days
 * before d: holidays, workdays, and days whose hours hold a change of the
 * clocks. Those are few and sorted, each with the running sum of the
 * differences, so G is a binary search. F(t) is G of the day before t's
 * plus the parts of that day's and t's day's intervals before t. Adding n
 * seconds is finding the first moment where F reaches F(t) + n: a guess
 * from the weekly pattern, a galloping search over days with G, and a walk
 * over one day's intervals. A deadline a year ahead costs about what one
 * an hour ahead does: no day or week in between is visited.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tk.h"

#define DAY 86400
#define RULE_END_YEAR 2100	/* clock changes by rule are listed up to here */
#define MAXIV 16		/* intervals a weekday */
#define HOLIDAY_SPAN 366	/* days in one holiday or workday range at most */

/* ---- dates ---- */

static int64_t
fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t
fmodp(int64_t a, int64_t b)
{
	return a - fdiv(a, b) * b;
}

static int
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(int64_t y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : dm[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
static int64_t
civil_days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = fdiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = fdiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Monday 0 .. Sunday 6 of day number d (day 0, 1970-01-01, a Thursday). */
static int
weekday(int64_t d)
{
	return (int)fmodp(d + 3, 7);
}

static const char *const day_names[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

/* ---- time zones: TZif files ---- */

struct rdate {
	char kind;		/* 'J' day 1..365 without Feb 29, 'n' day 0..365, 'M' month.week.day */
	int m, w, d;
	int32_t time;		/* seconds after local midnight (may be negative or past 24h) */
};

struct zone {
	char *name;
	int64_t *at;		/* transitions, UTC, ascending */
	int32_t *off;		/* the offset from UTC from each on */
	size_t n;
	int32_t off0;		/* before the first */
	int rule;		/* after the table: the DST rule of the file's footer */
	int32_t std, dst;	/* offsets of the rule (east of UTC) */
	struct rdate start, end;
	int64_t rule_from;	/* times at or after it follow the rule */
	size_t cap;
	int extended;		/* the rule's changes listed (zone_extend) */
};

static const char *
tz_name(const char *p)
{
	const char *s = p;

	if (*p == '<') {
		while (*++p && *p != '>')
			if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-')
				return NULL;
		return *p == '>' && p - s >= 4 ? p + 1 : NULL;
	}
	while (isalpha((unsigned char)*p))
		p++;
	return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]]: seconds in *out; the end, or NULL. */
static const char *
tz_hms(const char *p, int32_t *out, int maxh)
{
	int sign = 1, part = 0;
	long v[3] = { 0, 0, 0 };

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (;;) {
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p)) {
			v[part] = v[part] * 10 + (*p++ - '0');
			if (v[part] > 999)
				return NULL;
		}
		if (*p != ':' || part == 2)
			break;
		p++;
		part++;
	}
	if (v[0] > maxh || v[1] > 59 || v[2] > 59)
		return NULL;
	*out = (int32_t)(sign * (v[0] * 3600 + v[1] * 60 + v[2]));
	return p;
}

static const char *
tz_rdate(const char *p, struct rdate *r)
{
	char *end;

	memset(r, 0, sizeof *r);
	r->time = 7200;
	if (*p == 'J' || isdigit((unsigned char)*p)) {
		r->kind = *p == 'J' ? 'J' : 'n';
		if (*p == 'J')
			p++;
		r->d = (int)strtol(p, &end, 10);
		if (end == p || r->d < (r->kind == 'J') || r->d > 365)
			return NULL;
		p = end;
	} else if (*p == 'M') {
		r->kind = 'M';
		r->m = (int)strtol(p + 1, &end, 10);
		if (*end != '.' || r->m < 1 || r->m > 12)
			return NULL;
		r->w = (int)strtol(end + 1, &end, 10);
		if (*end != '.' || r->w < 1 || r->w > 5)
			return NULL;
		p = end + 1;
		r->d = (int)strtol(p, &end, 10);
		if (end == p || r->d < 0 || r->d > 6)
			return NULL;
		p = end;
	} else
		return NULL;
	if (*p == '/')
		p = tz_hms(p + 1, &r->time, 167);
	return p;
}

/* The footer's POSIX TZ string: 0, or -1 when it is not one tk reads. */
static int
tz_posix(struct zone *z, const char *s)
{
	const char *p = s;
	int32_t v;

	if (!(p = tz_name(p)) || !(p = tz_hms(p, &v, 24)))
		return -1;
	z->std = -v;
	if (!*p) {
		z->dst = z->std;
		return 0;
	}
	if (!(p = tz_name(p)))
		return -1;
	z->dst = z->std + 3600;
	if (*p && *p != ',') {
		if (!(p = tz_hms(p, &v, 24)))
			return -1;
		z->dst = -v;
	}
	if (!*p) {	/* no rule: the United States' of 2007 (as glibc takes it) */
		tz_rdate("M3.2.0", &z->start);
		tz_rdate("M11.1.0", &z->end);
	} else if (*p != ',' || !(p = tz_rdate(p + 1, &z->start)) || *p != ',' ||
	    !(p = tz_rdate(p + 1, &z->end)) || *p)
		return -1;
	z->rule = 1;
	return 0;
}

/* The UTC moment of rule date r in year y, the clock showing offset before. */
static int64_t
rule_at(const struct rdate *r, int64_t y, int32_t before)
{
	int64_t day;

	if (r->kind == 'J')
		day = civil_days(y, 1, 1) + r->d - 1 + (leap(y) && r->d >= 60);
	else if (r->kind == 'n')
		day = civil_days(y, 1, 1) + r->d;
	else {
		int64_t first = civil_days(y, r->m, 1);
		int wd = (int)fmodp(first + 4, 7);	/* Sunday 0 */
		int dom = 1 + (r->d - wd + 7) % 7 + (r->w - 1) * 7;

		while (dom > mdays(y, r->m))
			dom -= 7;
		day = first + dom - 1;
	}
	return day * DAY + r->time - before;
}

static int32_t
rule_offset(const struct zone *z, int64_t t)
{
	int64_t y, s, e;
	int m, d;

	if (z->std == z->dst)
		return z->std;
	civil_from(fdiv(t + z->std, DAY), &y, &m, &d);
	s = rule_at(&z->start, y, z->std);
	e = rule_at(&z->end, y, z->dst);
	if (s < e)
		return t >= s && t < e ? z->dst : z->std;
	return t >= e && t < s ? z->std : z->dst;
}

/* The offset east of UTC, in seconds, at moment t. */
static int32_t
zone_offset(const struct zone *z, int64_t t)
{
	size_t lo = 0, hi;

	if (!z)
		return 0;
	if (z->rule && t >= z->rule_from)
		return rule_offset(z, t);
	if (!z->n || t < z->at[0])
		return z->off0;
	if (t >= z->at[z->n - 1])
		return z->off[z->n - 1];	/* (after the last change: most zones now) */
	hi = z->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->off[lo];
}

/*
 * A local time (seconds since 1970-01-01 00:00 on the zone's clock) as a
 * moment: one a day either side bound any moment that shows it (no offset
 * is a day), so the offsets there are those before and after any change
 * near it. Skipped: read with the offset before; repeated: the first.
 */
static int64_t
local_to_utc(const struct zone *z, int64_t l)
{
	int32_t a, b;
	int64_t ua, ub;
	int va, vb;

	if (!z)
		return l;
	a = zone_offset(z, l - DAY);
	b = zone_offset(z, l + DAY);
	if (a == b)
		return l - a;
	ua = l - a;
	ub = l - b;
	va = zone_offset(z, ua) == a;
	vb = zone_offset(z, ub) == b;
	if (va && vb)
		return ua < ub ? ua : ub;
	return va || !vb ? ua : ub;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static void
zone_add(struct zone *z, size_t *cap, int64_t at, int32_t off)
{
	if (z->n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		z->at = tk_xrealloc(z->at, *cap * sizeof *z->at);
		z->off = tk_xrealloc(z->off, *cap * sizeof *z->off);
	}
	z->at[z->n] = at;
	z->off[z->n++] = off;
}

/* A TZif file's data block (v1: 4-byte times; v2+: 8): its transitions. */
static int
zone_block(struct zone *z, const unsigned char *p, size_t len, int wide, size_t *used, size_t *cap, int skip)
{
	uint32_t isut, isstd, leapcnt, timecnt, typecnt, charcnt;
	size_t tsz = wide ? 8 : 4, need, i;
	const unsigned char *times, *idx, *types;

	if (len < 44 || memcmp(p, "TZif", 4))
		return -1;
	isut = be32(p + 20);
	isstd = be32(p + 24);
	leapcnt = be32(p + 28);
	timecnt = be32(p + 32);
	typecnt = be32(p + 36);
	charcnt = be32(p + 40);
	if (!typecnt || typecnt > 256 || timecnt > 100000 || leapcnt > 100000 || charcnt > 100000)
		return -1;
	need = 44 + timecnt * tsz + timecnt + typecnt * 6 + charcnt + leapcnt * (tsz + 4) + isstd + isut;
	if (need > len)
		return -1;
	*used = need;
	if (skip)
		return 0;	/* (a version 1 block before the 64-bit one) */
	times = p + 44;
	idx = times + timecnt * tsz;
	types = idx + timecnt;
	z->n = 0;
	z->off0 = (int32_t)be32(types);
	for (i = 0; i < timecnt; i++) {
		if (idx[i] >= typecnt)
			return -1;
		zone_add(z, cap, wide ? be64(times + 8 * i) : (int64_t)(int32_t)be32(times + 4 * i),
		    (int32_t)be32(types + 6 * idx[i]));
	}
	return 0;
}

static void
zone_free(struct zone *z)
{
	if (!z)
		return;
	free(z->name);
	free(z->at);
	free(z->off);
	free(z);
}

static const char *
zone_dir(void)
{
	const char *d = getenv("TZDIR");

	return d && *d ? d : "/usr/share/zoneinfo";
}

/* A zone name: letters, digits and "/_+-", no "." part, not absolute. */
static int
zone_name_ok(const char *s)
{
	const char *p;

	if (!*s || *s == '/' || strlen(s) > 200)
		return 0;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return 0;
	return 1;
}

/* Clock changes by the footer's rule, listed from the year of the last
 * transition of the file up to RULE_END_YEAR (the days they land in the
 * hours are the calendar's irregular days); past them the rule itself. */
static void
zone_extend(struct zone *z)
{
	size_t *cap = &z->cap;
	int64_t y, y0 = 1970, last = z->n ? z->at[z->n - 1] : INT64_MIN, s, e;
	int m, d;

	if (z->n && z->at[z->n - 1] > 0)
		civil_from(fdiv(z->at[z->n - 1], DAY), &y0, &m, &d);
	z->extended = 1;
	z->rule_from = last == INT64_MIN ? INT64_MIN : last + 1;
	if (!z->rule || z->std == z->dst)
		return;
	for (y = y0; y <= RULE_END_YEAR; y++) {
		s = rule_at(&z->start, y, z->std);
		e = rule_at(&z->end, y, z->dst);
		if (s < e) {
			if (s > last)
				zone_add(z, cap, s, z->dst);
			if (e > last)
				zone_add(z, cap, e, z->std);
		} else {
			if (e > last)
				zone_add(z, cap, e, z->std);
			if (s > last)
				zone_add(z, cap, s, z->dst);
		}
		if (z->n)
			last = z->at[z->n - 1];
	}
	z->rule_from = last + 1;
}

/* The zone name (its TZif file under $TZDIR or /usr/share/zoneinfo), or
 * NULL with tk_errmsg. */
static struct zone *
zone_load(const char *name)
{
	tk_buf path = { 0 }, data = { 0 };
	char chunk[8192], *foot = NULL;
	struct zone *z;
	size_t cap = 0, used, used2, len;
	ssize_t r = 0;
	int fd, rc = -1;
	const unsigned char *p, *f, *nl;

	if (!zone_name_ok(name)) {
		tk_error("%s: not a time zone name (Area/City, as Asia/Shanghai)", name);
		return NULL;
	}
	tk_buf_printf(&path, "%s/%s", zone_dir(), name);
	fd = open(tk_buf_cstr(&path), O_RDONLY | O_CLOEXEC);
	tk_buf_free(&path);
	if (fd < 0) {
		tk_error("%s: no such time zone in %s", name, zone_dir());
		return NULL;
	}
	while (data.len < (1u << 20) && (r = read(fd, chunk, sizeof chunk)) > 0)
		tk_buf_add(&data, chunk, (size_t)r);
	close(fd);
	z = tk_xmalloc(sizeof *z);
	memset(z, 0, sizeof *z);
	z->name = tk_xstrdup(name);
	p = (const unsigned char *)data.p;
	len = data.len;
	if (r < 0 || len < 44 || zone_block(z, p, len, 0, &used, &cap, p[4] >= '2') < 0)
		goto out;
	if (p[4] >= '2') {
		if (zone_block(z, p + used, len - used, 1, &used2, &cap, 0) < 0)
			goto out;
		f = p + used + used2;
		if (f < p + len && *f == '\n' && (nl = memchr(f + 1, '\n', (size_t)(p + len - f - 1))) && nl > f + 1) {
			foot = tk_xstrndup((const char *)f + 1, (size_t)(nl - f - 1));
			if (tz_posix(z, foot) < 0)
				goto out;
		}
	}
	z->cap = cap;
	z->rule_from = z->n ? z->at[z->n - 1] + 1 : INT64_MIN;
	rc = 0;
out:
	free(foot);
	tk_buf_free(&data);
	if (rc < 0) {
		tk_error("%s: not a time zone file tk can read (TZif) in %s", name, zone_dir());
		zone_free(z);
		return NULL;
	}
	return z;
}

/* ---- calendars ---- */

struct ival {
	int32_t s, e;		/* seconds from the local midnight of its day; e past 86400 ends the next day */
	long line;
};

struct tmpl {
	struct ival iv[MAXIV];
	int n;
	int64_t total;
};

struct exc {
	int64_t day;
	int as;			/* -1 a holiday, else a workday with the hours of weekday as */
	long line;
	char *label;
};

struct irr {
	int64_t day, cum;	/* cum: the differences of this irregular day and those before */
};

struct tk_calendar {
	char *name;
	const struct zone *z;	/* NULL: UTC, or 24x7 */
	int is24x7;
	long line;
	struct tmpl wk[7];
	int64_t week;		/* business seconds of a regular week */
	int64_t cum7[8];	/* of the regular days 0..j-1 from a Thursday (day 0) */
	int workdays;		/* weekdays with hours */
	struct exc *exc;
	size_t nexc, exccap;
	struct irr *irr;
	size_t nirr;
	unsigned char cover[1440 / 8];	/* minutes of the day some interval holds (cal_finish) */
	int ready;		/* cal_finish done: see cal_ready */
};

struct tk_calendars {
	tk_calendar **c;
	size_t n;
	struct zone **z;
	size_t nz;
};

static tk_calendar cal24x7 = { .name = "24x7", .is24x7 = 1, .ready = 1 };

static void cal_finish(tk_calendar *c);

/*
 * A calendar's sums and irregular days, and its zone's changes of the
 * clocks by rule, are worked out when it is first used, not when the file
 * is read: a command that makes one ticket uses one calendar of the file,
 * and reads the file in its time. Threads may share calendars, so the
 * first use takes a lock (later ones only read a flag).
 */
static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;

static const tk_calendar *
cal_ready(const tk_calendar *cc)
{
	tk_calendar *c = (tk_calendar *)cc;

	if (__atomic_load_n(&c->ready, __ATOMIC_ACQUIRE))
		return c;
	pthread_mutex_lock(&ready_lock);
	if (!c->ready) {
		if (c->z && !c->z->extended)
			zone_extend((struct zone *)c->z);
		cal_finish(c);
		__atomic_store_n(&c->ready, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&ready_lock);
	return c;
}

const tk_calendar *
tk_calendar_24x7(void)
{
	return &cal24x7;
}

const char *
tk_calendar_name(const tk_calendar *c)
{
	return c->name;
}

const char *
tk_calendar_zone(const tk_calendar *c)
{
	return c->is24x7 ? "" : c->z ? c->z->name : "UTC";
}

static const struct exc *
find_exc(const tk_calendar *c, int64_t day)
{
	size_t lo = 0, hi = c->nexc;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->exc[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nexc && c->exc[lo].day == day ? &c->exc[lo] : NULL;
}

static const struct tmpl no_hours;

static const struct tmpl *
day_tmpl(const tk_calendar *c, int64_t day, const struct exc **ex)
{
	const struct exc *e = c->nexc ? find_exc(c, day) : NULL;

	if (ex)
		*ex = e;
	if (e)
		return e->as < 0 ? &no_hours : &c->wk[e->as];
	return &c->wk[weekday(day)];
}

/*
 * Day d's intervals as moments, [s[i], e[i]), in order: its template's
 * (the weekday's, a workday's, none on a holiday) on the zone's clock. A
 * workday's hours may run into the next day's: a day after one starts
 * where the one before ended. Returns how many.
 */
static int
day_ivals(const tk_calendar *c, int64_t d, int64_t *s, int64_t *e)
{
	const struct exc *ex, *pex;
	const struct tmpl *t = day_tmpl(c, d, &ex), *pt;
	int64_t base = d * DAY, clip = INT64_MIN;
	int i, n = 0;

	if (c->nexc) {
		pt = day_tmpl(c, d - 1, &pex);
		if ((ex && ex->as >= 0) || (pex && pex->as >= 0))
			for (i = 0; i < pt->n; i++)
				if (pt->iv[i].e > DAY)
					clip = local_to_utc(c->z, base - DAY + pt->iv[i].e);
	}
	for (i = 0; i < t->n; i++) {
		s[n] = local_to_utc(c->z, base + t->iv[i].s);
		e[n] = local_to_utc(c->z, base + t->iv[i].e);
		if (s[n] < clip)
			s[n] = clip;
		if (e[n] > s[n])
			n++;
	}
	return n;
}

static int64_t
day_total(const tk_calendar *c, int64_t d)
{
	int64_t s[MAXIV], e[MAXIV], sum = 0;
	int i, n = day_ivals(c, d, s, e);

	for (i = 0; i < n; i++)
		sum += e[i] - s[i];
	return sum;
}

/* Business seconds of day d's intervals before moment t. */
static int64_t
day_part(const tk_calendar *c, int64_t d, int64_t t)
{
	int64_t s[MAXIV], e[MAXIV], sum = 0;
	int i, n = day_ivals(c, d, s, e);

	for (i = 0; i < n && s[i] < t; i++)
		sum += (t < e[i] ? t : e[i]) - s[i];
	return sum;
}

static int64_t
greg(const tk_calendar *c, int64_t d)
{
	return fdiv(d, 7) * c->week + c->cum7[fmodp(d, 7)];
}

/* The differences of the irregular days before d. */
static int64_t
irr_before(const tk_calendar *c, int64_t d)
{
	size_t lo = 0, hi = c->nirr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->irr[mid].day < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? c->irr[lo - 1].cum : 0;
}

/* G(d): business seconds of every day before d (from day 0). */
static int64_t
gdays(const tk_calendar *c, int64_t d)
{
	return greg(c, d) + irr_before(c, d);
}

static int64_t
local_day(const tk_calendar *c, int64_t t)
{
	return fdiv(t + zone_offset(c->z, t), DAY);
}

/* F(t): business seconds from day 0 to moment t. */
static int64_t
fpos(const tk_calendar *c, int64_t t)
{
	int64_t d;

	if (c->is24x7)
		return t;
	d = local_day(c, t);
	return gdays(c, d - 1) + day_part(c, d - 1, t) + day_part(c, d, t);
}

/* The first moment where F reaches x; hint: a day near the answer. */
static int64_t
finv(const tk_calendar *c, int64_t x, int64_t hint)
{
	int64_t lo, hi, step, d, s[MAXIV], e[MAXIV], rem;
	int i, n;

	if (c->is24x7)
		return x;
	/* The smallest d with G(d + 1) >= x: guessed from the weekly
	 * pattern with the irregular days before the hint, then galloped
	 * and halved. */
	d = fdiv(x - 1 - irr_before(c, hint), c->week) * 7;
	while (greg(c, d + 1) + irr_before(c, hint) < x)
		d++;
	if (gdays(c, d + 1) >= x) {
		hi = d;
		for (step = 1, lo = d - 1; gdays(c, lo + 1) >= x; step *= 2, lo = d - step)
			hi = lo;
	} else {
		lo = d;
		for (step = 1, hi = d + 1; gdays(c, hi + 1) < x; step *= 2, hi = d + step)
			lo = hi;
	}
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		if (gdays(c, mid + 1) >= x)
			hi = mid;
		else
			lo = mid;
	}
	rem = x - gdays(c, hi);
	n = day_ivals(c, hi, s, e);
	for (i = 0; i < n; i++) {
		if (rem <= e[i] - s[i])
			return s[i] + rem;
		rem -= e[i] - s[i];
	}
	return n ? e[n - 1] : hi * DAY;	/* (not reached: G counts these intervals) */
}

int64_t
tk_cal_between(const tk_calendar *c, int64_t a, int64_t b)
{
	c = cal_ready(c);
	return fpos(c, b) - fpos(c, a);
}

int64_t
tk_cal_add(const tk_calendar *c, int64_t t, int64_t n)
{
	c = cal_ready(c);
	if (!n)
		return t;
	if (c->is24x7)
		return t + n;
	return finv(c, fpos(c, t) + n, local_day(c, t));
}

int
tk_cal_open(const tk_calendar *c, int64_t t)
{
	int64_t s[MAXIV], e[MAXIV], d;
	int i, n, k;

	c = cal_ready(c);
	if (c->is24x7)
		return 1;
	d = local_day(c, t);
	for (k = -1; k <= 0; k++) {
		n = day_ivals(c, d + k, s, e);
		for (i = 0; i < n; i++)
			if (s[i] <= t && t < e[i])
				return 1;
	}
	return 0;
}

int64_t
tk_cal_next_open(const tk_calendar *c, int64_t t)
{
	c = cal_ready(c);
	if (tk_cal_open(c, t))
		return t;
	/* F is flat to the next opening o and one more there at o + 1. */
	return finv(c, fpos(c, t) + 1, local_day(c, t)) - 1;
}

int64_t
tk_cal_day_seconds(const tk_calendar *c, int64_t t, int days)
{
	int64_t d, d1, limit, s[MAXIV], e[MAXIV];
	int i, n, k = 0;

	c = cal_ready(c);
	if (c->is24x7)
		return (int64_t)days * DAY;
	if (days <= 0)
		return 0;
	/* The working day t is in: an interval of the day before that runs
	 * past t (a night shift) makes it that day; hours of t's day all
	 * over, or none, the next day with hours. */
	d = local_day(c, t);
	n = day_ivals(c, d - 1, s, e);
	for (i = 0; i < n; i++)
		if (e[i] > t)
			d--, i = n;
	n = day_ivals(c, d, s, e);
	if (!n || e[n - 1] <= t)
		d++;
	limit = d + 3660 + (int64_t)days * 7;
	while (d < limit && !day_total(c, d))
		d++;
	/* That many working days from it, counting it: the moment of t's day
	 * that many working days on, as business seconds. */
	for (d1 = d; k < days && d1 < limit; d1++)
		k += day_total(c, d1) > 0;
	return gdays(c, d1) - gdays(c, d);
}

int
tk_cal_workdays_week(const tk_calendar *c)
{
	c = cal_ready(c);
	return c->is24x7 ? 7 : c->workdays;
}

/* ---- describing (tk-sla --explain) ---- */

void
tk_cal_local(const tk_calendar *c, int64_t t, char out[40])
{
	c = cal_ready(c);
	int32_t off = c->is24x7 ? 0 : zone_offset(c->z, t);
	int64_t l = t + off, y;
	int m, d, hh, mm;
	long sec = (long)fmodp(l, DAY);

	civil_from(fdiv(l, DAY), &y, &m, &d);
	hh = off / 3600;
	mm = abs(off % 3600) / 60;
	char tmp[96];

	snprintf(tmp, sizeof tmp, "%s %04lld-%02d-%02d %02ld:%02ld %c%02d:%02d", day_names[weekday(fdiv(l, DAY))],
	    (long long)y, m, d, sec / 3600, sec / 60 % 60, off < 0 ? '-' : '+', abs(hh), mm);
	memcpy(out, tmp, 39);
	out[39] = '\0';
}

static void
hhmm(tk_buf *b, int32_t s)
{
	if (s > DAY)
		tk_buf_printf(b, "%02d:%02d+1", (s - DAY) / 3600, (s - DAY) / 60 % 60);
	else
		tk_buf_printf(b, "%02d:%02d", s / 3600, s / 60 % 60);
}

static int
same_hours(const struct tmpl *a, const struct tmpl *b)
{
	int i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->iv[i].s != b->iv[i].s || a->iv[i].e != b->iv[i].e)
			return 0;
	return 1;
}

void
tk_cal_describe(const tk_calendar *c, tk_buf *b)
{
	int w, v, i;

	if (c->is24x7) {
		tk_buf_adds(b, "24x7: every second counts (wall-clock time)");
		return;
	}
	tk_buf_printf(b, "%s (%s):", c->name, tk_calendar_zone(c));
	for (w = 0; w < 7; w = v) {
		for (v = w + 1; v < 7 && same_hours(&c->wk[w], &c->wk[v]); v++)
			;
		if (!c->wk[w].n)
			continue;
		tk_buf_printf(b, " %s%s%s", day_names[w], v - 1 > w ? "-" : "", v - 1 > w ? day_names[v - 1] : "");
		for (i = 0; i < c->wk[w].n; i++) {
			tk_buf_addc(b, ' ');
			hhmm(b, c->wk[w].iv[i].s);
			tk_buf_addc(b, '-');
			hhmm(b, c->wk[w].iv[i].e);
		}
		tk_buf_addc(b, ';');
	}
	if (b->len && b->p[b->len - 1] == ';')
		b->p[--b->len] = '\0';
}

static void
date_text(tk_buf *b, int64_t day)
{
	int64_t y;
	int m, d;

	civil_from(day, &y, &m, &d);
	tk_buf_printf(b, "%04lld-%02d-%02d", (long long)y, m, d);
}

int
tk_cal_exceptions(const tk_calendar *c, int64_t a, int64_t b, tk_buf *out)
{
	c = cal_ready(c);
	int64_t da, db;
	size_t i;
	int n = 0;

	if (c->is24x7 || b < a)
		return 0;
	da = local_day(c, a);
	db = local_day(c, b);
	for (i = 0; i < c->nexc; i++) {
		const struct exc *e = &c->exc[i];
		size_t j;

		if (e->day < da || e->day > db)
			continue;
		if (out->len)
			tk_buf_adds(out, ", ");
		tk_buf_adds(out, e->as < 0 ? "holiday " : "workday ");
		date_text(out, e->day);
		/* Days in a row of the same statement: a range. */
		for (j = i; j + 1 < c->nexc && c->exc[j + 1].day == c->exc[j].day + 1 && c->exc[j + 1].day <= db &&
		    c->exc[j + 1].line == e->line && c->exc[j + 1].as == e->as; j++)
			;
		if (j > i) {
			tk_buf_adds(out, "..");
			date_text(out, c->exc[j].day);
			i = j;
		}
		if (e->as >= 0)
			tk_buf_printf(out, " (%s hours)", day_names[e->as]);
		if (e->label && *e->label)
			tk_buf_printf(out, " %s", e->label);
		n++;
	}
	for (i = 0; c->z && i < c->z->n; i++) {
		int64_t at = c->z->at[i];

		if (at < a || at > b)
			continue;
		if (out->len)
			tk_buf_adds(out, ", ");
		{
			char when[40];
			int32_t o = c->z->off[i];

			tk_cal_local(c, at, when);
			tk_buf_printf(out, "clocks change %s (UTC%c%02d:%02d)", when, o < 0 ? '-' : '+',
			    abs(o) / 3600, abs(o) / 60 % 60);
		}
		n++;
	}
	return n;
}

/* ---- reading the calendars file ---- */

static void
cal_free(tk_calendar *c)
{
	size_t i;

	if (!c || c == &cal24x7)
		return;
	for (i = 0; i < c->nexc; i++)
		free(c->exc[i].label);
	free(c->exc);
	free(c->irr);
	free(c->name);
	free(c);
}

void
tk_calendars_free(tk_calendars *cs)
{
	size_t i;

	if (!cs)
		return;
	for (i = 0; i < cs->n; i++)
		cal_free(cs->c[i]);
	for (i = 0; i < cs->nz; i++)
		zone_free(cs->z[i]);
	free(cs->c);
	free(cs->z);
	free(cs);
}

const tk_calendar *
tk_calendar_find(const tk_calendars *cs, const char *name)
{
	size_t i;

	if (!strcmp(name, "24x7"))
		return &cal24x7;
	for (i = 0; cs && i < cs->n; i++)
		if (!strcmp(cs->c[i]->name, name))
			return cs->c[i];
	return NULL;
}

size_t
tk_calendars_count(const tk_calendars *cs)
{
	return cs ? cs->n : 0;
}

const tk_calendar *
tk_calendars_at(const tk_calendars *cs, size_t i)
{
	return cs->c[i];
}

static int
day_word(const char *s, size_t n)
{
	int i;

	for (i = 0; i < 7; i++)
		if (n == 3 && !strncasecmp(s, day_names[i], 3))
			return i;
	return -1;
}

/* "Mon-Fri", "Sat", "Mon,Wed,Fri", "Fri-Mon": which weekdays. */
static int
day_set(const char *s, int set[7])
{
	const char *p = s, *c, *dash;
	int a, b;

	memset(set, 0, 7 * sizeof *set);
	for (;;) {
		c = strchr(p, ',');
		if (!c)
			c = p + strlen(p);
		dash = memchr(p, '-', (size_t)(c - p));
		if (dash) {
			a = day_word(p, (size_t)(dash - p));
			b = day_word(dash + 1, (size_t)(c - dash - 1));
		} else
			a = b = day_word(p, (size_t)(c - p));
		if (a < 0 || b < 0)
			return -1;
		for (;; a = (a + 1) % 7) {
			set[a] = 1;
			if (a == b)
				break;
		}
		if (!*c)
			return 0;
		p = c + 1;
	}
}

/* "HH:MM" (00:00 to 24:00): seconds, or -1. */
static int32_t
clock_time(const char *s, size_t n)
{
	int h, m;

	if (n != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + s[1] - '0';
	m = (s[3] - '0') * 10 + s[4] - '0';
	if (m > 59 || h > 24 || (h == 24 && m))
		return -1;
	return h * 3600 + m * 60;
}

/* "09:00-18:00", "22:00-06:00+1": 0, or -1 with tk_errmsg. */
static int
interval(const char *w, struct ival *iv)
{
	const char *dash = strchr(w, '-');
	size_t n;
	int next;

	if (!dash)
		return tk_error("%s: not an interval (09:00-18:00, 22:00-06:00+1)", w);
	n = strlen(dash + 1);
	next = n > 2 && !strcmp(dash + 1 + n - 2, "+1");
	iv->s = clock_time(w, (size_t)(dash - w));
	iv->e = clock_time(dash + 1, next ? n - 2 : n);
	if (iv->s < 0 || iv->e < 0 || iv->s == DAY)
		return tk_error("%s: not an interval (09:00-18:00, 22:00-06:00+1)", w);
	if (next) {
		iv->e += DAY;
		if (iv->e > iv->s + DAY)
			return tk_error("%s: longer than a day", w);
	}
	if (iv->e <= iv->s)
		return tk_error("%s: ends %s it starts%s", w, iv->e == iv->s ? "when" : "before",
		    iv->e < iv->s ? " (one past midnight ends in +1: 22:00-06:00+1)" : "");
	return 0;
}

/* "2026-10-01": day number, or -1 (no such date). */
static int
date_word(const char *s, size_t n, int64_t *day)
{
	int y, m, d, i;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	y = atoi(s);
	m = (s[5] - '0') * 10 + s[6] - '0';
	d = (s[8] - '0') * 10 + s[9] - '0';
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays(y, m))
		return -1;
	*day = civil_days(y, m, d);
	return 0;
}

static int
cmp_exc(const void *a, const void *b)
{
	int64_t x = ((const struct exc *)a)->day, y = ((const struct exc *)b)->day;

	return x < y ? -1 : x > y;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_ival(const void *a, const void *b)
{
	const struct ival *x = a, *y = b;

	return x->s < y->s ? -1 : x->s > y->s;
}

static void
ival_text(tk_buf *b, const struct ival *iv)
{
	hhmm(b, iv->s);
	tk_buf_addc(b, '-');
	hhmm(b, iv->e);
}

/* The minutes of the day that some interval of the week holds, either
 * side of midnight: a change of the clocks at another minute changes no
 * interval's length. */
static void
cover_range(unsigned char *cover, int a, int b)
{
	/* minutes a..b of a day, whole bytes at once */
	while (a <= b && a % 8)
		cover[a / 8] |= (unsigned char)(1 << (a % 8)), a++;
	if (b - a + 1 >= 8) {
		memset(cover + a / 8, 0xff, (size_t)((b - a + 1) / 8));
		a += (b - a + 1) / 8 * 8;
	}
	for (; a <= b; a++)
		cover[a / 8] |= (unsigned char)(1 << (a % 8));
}

static void
cover_minutes(tk_calendar *c)
{
	int w, i, a, b;

	for (w = 0; w < 7; w++)
		for (i = 0; i < c->wk[w].n; i++) {
			a = c->wk[w].iv[i].s / 60;
			b = c->wk[w].iv[i].e / 60;
			if (b >= 1440) {
				cover_range(c->cover, 0, b - 1440 < 1439 ? b - 1440 : 1439);
				b = 1439;
			}
			cover_range(c->cover, a, b);
		}
}

static int
covered(const tk_calendar *c, int64_t h)
{
	int m = (int)(h / 60) % 1440;

	return c->cover[m / 8] >> (m % 8) & 1;
}

/*
 * After the file is read: the weekly pattern's sums, and the irregular
 * days (exceptions, the day after a workday, days with a change of the
 * clocks inside their hours) with the running sum of their differences.
 */
static void
cal_finish(tk_calendar *c)
{
	int64_t *cand = NULL, d;
	size_t n = 0, cap = 0, i, j;
	int w, k;

	for (w = 0; w < 7; w++) {
		qsort(c->wk[w].iv, (size_t)c->wk[w].n, sizeof *c->wk[w].iv, cmp_ival);
		c->wk[w].total = 0;
		for (k = 0; k < c->wk[w].n; k++)
			c->wk[w].total += c->wk[w].iv[k].e - c->wk[w].iv[k].s;
		c->week += c->wk[w].total;
		c->workdays += c->wk[w].total > 0;
	}
	for (k = 0; k < 7; k++)
		c->cum7[k + 1] = c->cum7[k] + c->wk[weekday(k)].total;
	cover_minutes(c);
	if (c->nexc)
		qsort(c->exc, c->nexc, sizeof *c->exc, cmp_exc);
#define CAND(x) do { if (n == cap) cand = tk_xrealloc(cand, (cap = cap ? 2 * cap : 64) * sizeof *cand); \
	cand[n++] = (x); } while (0)
	for (i = 0; i < c->nexc; i++) {
		CAND(c->exc[i].day);
		if (c->exc[i].as >= 0)
			CAND(c->exc[i].day + 1);
	}
	for (i = 0; c->z && i < c->z->n; i++) {
		int64_t at = c->z->at[i];
		int32_t before = i ? c->z->off[i - 1] : c->z->off0, after = c->z->off[i];

		if (at < 0 || before == after)
			continue;
		if (!covered(c, fmodp(at + before, DAY)) && !covered(c, fmodp(at + after, DAY)))
			continue;
		d = fdiv(at + before, DAY);
		CAND(d - 1);
		CAND(d);
		CAND(d + 1);
	}
#undef CAND
	if (n)
		qsort(cand, n, sizeof *cand, cmp_i64);
	c->irr = tk_xmalloc((n ? n : 1) * sizeof *c->irr);
	for (i = 0, j = 0; i < n; i++) {
		int64_t delta;

		if (i && cand[i] == cand[i - 1])
			continue;
		delta = day_total(c, cand[i]) - c->wk[weekday(cand[i])].total;
		if (!delta)
			continue;
		c->irr[j].day = cand[i];
		c->irr[j].cum = (j ? c->irr[j - 1].cum : 0) + delta;
		j++;
	}
	c->nirr = j;
	free(cand);
}

/* Overlaps within a day and into the next: -1 with tk_errmsg naming file:line. */
static int
cal_overlaps(const tk_calendar *c, tk_conf *cf)
{
	int w, i, j;
	tk_buf b = { 0 };

	for (w = 0; w < 7; w++) {
		const struct tmpl *t = &c->wk[w], *nt = &c->wk[(w + 1) % 7];
		const struct ival *x = NULL, *y = NULL;

		for (i = 0; i + 1 < t->n && !x; i++)
			if (t->iv[i].e > t->iv[i + 1].s) {
				x = &t->iv[i];
				y = &t->iv[i + 1];
			}
		for (i = 0; i < t->n && !x; i++)
			for (j = 0; j < nt->n && !x; j++)
				if (t->iv[i].e - DAY > nt->iv[j].s) {
					x = &t->iv[i];
					y = &nt->iv[j];
				}
		if (!x)
			continue;
		if (x->line > y->line) {
			const struct ival *z = x;

			x = y;
			y = z;
		}
		cf->lineno = y->line;
		tk_buf_printf(&b, "calendar %s: ", c->name);
		ival_text(&b, y);
		tk_buf_adds(&b, " overlaps ");
		ival_text(&b, x);
		tk_buf_printf(&b, " (line %ld)", x->line);
		tk_conf_error(cf, "%s", b.p);
		tk_buf_free(&b);
		return -1;
	}
	return 0;
}

static int
cal_name_ok(const char *s)
{
	size_t i;

	if (!isalpha((unsigned char)s[0]) || strlen(s) > 64)
		return 0;
	for (i = 1; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_-.", s[i]))
			return 0;
	return 1;
}

static struct zone *
zone_get(tk_calendars *cs, const char *name)
{
	struct zone *z;
	size_t i;

	if (!strcmp(name, "UTC") || !strcmp(name, "Etc/UTC"))
		return NULL;	/* no file needed: offset 0 */
	for (i = 0; i < cs->nz; i++)
		if (!strcmp(cs->z[i]->name, name))
			return cs->z[i];
	if (!(z = zone_load(name)))
		return (struct zone *)-1;
	cs->z = tk_xrealloc(cs->z, (cs->nz + 1) * sizeof *cs->z);
	cs->z[cs->nz++] = z;
	return z;
}

static void
exc_add(tk_calendar *c, int64_t day, int as, long line, const char *label)
{
	if (c->nexc == c->exccap) {
		c->exccap = c->exccap ? 2 * c->exccap : 32;
		c->exc = tk_xrealloc(c->exc, c->exccap * sizeof *c->exc);
	}
	c->exc[c->nexc].day = day;
	c->exc[c->nexc].as = as;
	c->exc[c->nexc].line = line;
	c->exc[c->nexc].label = label && *label ? tk_xstrdup(label) : NULL;
	c->nexc++;
}

/* One statement of the calendars file: 0, or -1 with tk_errmsg. */
static int
cal_statement(tk_calendars *cs, tk_conf *cf)
{
	const char *kw = cf->w[0];
	tk_calendar *c;
	size_t i;
	int k;

	if (cf->nw < 2)
		return tk_conf_error(cf, "%s: a calendar name must follow", kw);
	if (!strcmp(kw, "calendar")) {
		struct zone *z;

		if (cf->nw != 3)
			return tk_conf_error(cf, "calendar NAME ZONE (calendar office Asia/Shanghai)");
		if (!strcmp(cf->w[1], "24x7"))
			return tk_conf_error(cf, "24x7 is tk's own calendar (wall-clock time): choose another name");
		if (!cal_name_ok(cf->w[1]))
			return tk_conf_error(cf, "%s: not a calendar name (a letter, then letters, digits, _ - .)", cf->w[1]);
		if ((c = (tk_calendar *)tk_calendar_find(cs, cf->w[1])))
			return tk_conf_error(cf, "calendar %s: already defined on line %ld", cf->w[1], c->line);
		if ((z = zone_get(cs, cf->w[2])) == (struct zone *)-1)
			return tk_conf_error(cf, "%s", tk_errmsg);
		c = tk_xmalloc(sizeof *c);
		memset(c, 0, sizeof *c);
		c->name = tk_xstrdup(cf->w[1]);
		c->z = z;
		c->line = cf->lineno;
		cs->c = tk_xrealloc(cs->c, (cs->n + 1) * sizeof *cs->c);
		cs->c[cs->n++] = c;
		return 0;
	}
	if (strcmp(kw, "hours") && strcmp(kw, "holiday") && strcmp(kw, "workday"))
		return tk_conf_error(cf, "%s: not a statement of calendars (calendar, hours, holiday, workday)", kw);
	c = (tk_calendar *)tk_calendar_find(cs, cf->w[1]);
	if (!c || c == &cal24x7)
		return tk_conf_error(cf, "%s: no calendar %s above (calendar %s ZONE first)", kw, cf->w[1], cf->w[1]);
	if (!strcmp(kw, "hours")) {
		int set[7];

		if (cf->nw < 4)
			return tk_conf_error(cf, "hours %s DAYS INTERVAL... (hours %s Mon-Fri 09:00-12:00 13:00-18:00)",
			    c->name, c->name);
		if (day_set(cf->w[2], set) < 0)
			return tk_conf_error(cf, "%s: not days (Mon-Fri, Sat, Mon,Wed,Fri)", cf->w[2]);
		for (i = 3; i < cf->nw; i++) {
			struct ival iv;

			if (interval(cf->w[i], &iv) < 0)
				return tk_conf_error(cf, "%s", tk_errmsg);
			iv.line = cf->lineno;
			for (k = 0; k < 7; k++) {
				if (!set[k])
					continue;
				if (c->wk[k].n == MAXIV)
					return tk_conf_error(cf, "%s: more than %d intervals on %s", cf->w[i], MAXIV,
					    day_names[k]);
				c->wk[k].iv[c->wk[k].n++] = iv;
			}
		}
		return 0;
	}
	{
		const char *w = cf->w[2], *dots;
		int64_t from, to, d;
		int as = -1;
		size_t lab = 3;
		tk_buf label = { 0 };

		if (cf->nw < 3)
			return tk_conf_error(cf, "%s %s DATE[..DATE]", kw, c->name);
		dots = strstr(w, "..");
		if (date_word(w, dots ? (size_t)(dots - w) : strlen(w), &from) < 0 ||
		    (dots && date_word(dots + 2, strlen(dots + 2), &to) < 0))
			return tk_conf_error(cf, "%s: not a date or a range of dates (2026-10-01, 2026-10-01..2026-10-07)", w);
		if (!dots)
			to = from;
		if (to < from)
			return tk_conf_error(cf, "%s: the range ends before it starts", w);
		if (to - from >= HOLIDAY_SPAN)
			return tk_conf_error(cf, "%s: a range of more than a year", w);
		if (!strcmp(kw, "workday")) {
			as = -2;
			if (cf->nw > 3 && (as = day_word(cf->w[3], strlen(cf->w[3]))) >= 0)
				lab = 4;
			else
				as = -2;
		}
		for (i = lab; i < cf->nw; i++) {
			if (label.len)
				tk_buf_addc(&label, ' ');
			tk_buf_adds(&label, cf->w[i]);
		}
		for (d = from; d <= to; d++)
			exc_add(c, d, as, cf->lineno, label.p);
		tk_buf_free(&label);
		return 0;
	}
}

/* Checks across statements, then the sums: 0, or -1 naming file:line. */
static int
cal_check(tk_calendar *c, tk_conf *cf)
{
	size_t i;
	int w, first = -1;

	for (w = 0; w < 7 && first < 0; w++)
		if (c->wk[w].n)
			first = w;
	if (first < 0) {
		cf->lineno = c->line;
		return tk_conf_error(cf, "calendar %s: no hours (hours %s Mon-Fri 09:00-18:00)", c->name, c->name);
	}
	for (w = 0; w < 7; w++)
		qsort(c->wk[w].iv, (size_t)c->wk[w].n, sizeof *c->wk[w].iv, cmp_ival);
	if (cal_overlaps(c, cf) < 0)
		return -1;
	if (c->nexc)
		qsort(c->exc, c->nexc, sizeof *c->exc, cmp_exc);
	for (i = 0; i < c->nexc; i++) {
		if (c->exc[i].as == -2)
			c->exc[i].as = first;
		if (c->exc[i].as >= 0 && !c->wk[c->exc[i].as].n) {
			cf->lineno = c->exc[i].line;
			return tk_conf_error(cf, "workday %s: %s has no hours to work by", c->name, day_names[c->exc[i].as]);
		}
		if (i && c->exc[i].day == c->exc[i - 1].day && (c->exc[i].as < 0) != (c->exc[i - 1].as < 0)) {
			tk_buf b = { 0 };

			date_text(&b, c->exc[i].day);
			cf->lineno = c->exc[i].line > c->exc[i - 1].line ? c->exc[i].line : c->exc[i - 1].line;
			tk_conf_error(cf, "%s: both a holiday and a workday of calendar %s (lines %ld and %ld)", b.p,
			    c->name, c->exc[i - 1].line < c->exc[i].line ? c->exc[i - 1].line : c->exc[i].line,
			    cf->lineno);
			tk_buf_free(&b);
			return -1;
		}
	}
	/* The same day twice (ranges that overlap): once. */
	for (i = 1, w = 1; c->nexc && i < c->nexc; i++)
		if (c->exc[i].day != c->exc[w - 1].day)
			c->exc[w++] = c->exc[i];
		else
			free(c->exc[i].label);
	if (c->nexc)
		c->nexc = (size_t)w;
	return 0;
}

int
tk_calendars_read(tk_calendars **out, const char *dir, const char *name)
{
	tk_calendars *cs;
	tk_conf cf;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = tk_conf_open(&cf, dir, name)) <= 0)
		return rc;
	cs = tk_xmalloc(sizeof *cs);
	memset(cs, 0, sizeof *cs);
	while ((rc = tk_conf_next(&cf)) > 0)
		if (cal_statement(cs, &cf) < 0) {
			rc = -1;
			break;
		}
	for (i = 0; rc == 0 && i < cs->n; i++)
		if (cal_check(cs->c[i], &cf) < 0)
			rc = -1;
	tk_conf_close(&cf);
	if (rc < 0) {
		tk_calendars_free(cs);
		return -1;
	}
	*out = cs;
	return 1;
}

int32_t
tk_cal_offset(const tk_calendar *c, int64_t t)
{
	c = cal_ready(c);
	return c->is24x7 ? 0 : zone_offset(c->z, t);
}
