/* unit.c - TAP tests of lib functions: escaping, times, durations, widths, encoding. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <iconv.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static int n_tests, n_failed;

static void
ok(int cond, const char *what)
{
	n_tests++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", n_tests, what);
	if (!cond)
		n_failed++;
}

static void
is_str(const char *got, const char *want, const char *what)
{
	int same = got && !strcmp(got, want);

	ok(same, what);
	if (!same)
		printf("#   expected: '%s'\n#        got: '%s'\n", want, got ? got : "(null)");
}

static void
is_long(long long got, long long want, const char *what)
{
	ok(got == want, what);
	if (got != want)
		printf("#   expected: %lld\n#        got: %lld\n", want, got);
}

static void
test_escape(void)
{
	tk_buf b = { 0 };
	char s[64];
	long n;

	tk_rec_escape(&b, "a\tb\nc\\d\re", 9);
	is_str(tk_buf_cstr(&b), "a\\tb\\nc\\\\d\\re", "escape tab, newline, backslash, CR");
	strcpy(s, "a\\tb\\nc\\\\d\\re");
	n = tk_rec_unescape(s, strlen(s));
	ok(n == 9 && !memcmp(s, "a\tb\nc\\d\re", 9), "unescape inverts escape");
	strcpy(s, "bad\\x");
	ok(tk_rec_unescape(s, strlen(s)) < 0, "unknown escape refused");
	strcpy(s, "end\\");
	ok(tk_rec_unescape(s, strlen(s)) < 0, "trailing backslash refused");
	tk_buf_free(&b);
}

static void
test_reader(void)
{
	const char in[] = "#id\tsubject\n1\ta\\tb\n\n2\t\xe6\x89\x93\xe5\x8d\xb0\r\nbad\\q\n3\t\xff\n4\tlast";
	FILE *fp = fmemopen((void *)in, sizeof in - 1, "r");
	tk_reader r;

	tk_reader_init(&r, fp, "mem");
	ok(tk_reader_next(&r) == 1 && r.header && r.nfields == 2 && !strcmp(r.fields[0], "id"),
	    "header line, '#' taken off");
	ok(tk_reader_next(&r) == 1 && !r.header && !strcmp(r.fields[1], "a\tb"), "escaped tab in field");
	ok(tk_reader_next(&r) == 1 && r.nfields == 1 && r.lens[0] == 0, "empty line is one empty field");
	ok(tk_reader_next(&r) == 1 && !strcmp(r.fields[1], "\xe6\x89\x93\xe5\x8d\xb0"), "CJK kept, CR LF ending");
	ok(tk_reader_next(&r) == -1 && r.lineno == 5 && strstr(tk_errmsg, "bad backslash escape"), "bad escape, line 5");
	ok(tk_reader_next(&r) == -1 && strstr(tk_errmsg, "invalid UTF-8"), "invalid UTF-8 refused");
	ok(tk_reader_next(&r) == 1 && !strcmp(r.fields[1], "last"), "last line without LF");
	ok(tk_reader_next(&r) == 0, "end of input");
	tk_reader_free(&r);
	fclose(fp);
}

static void
test_times(void)
{
	char iso[21];
	time_t t;
	int dateonly;
	long long d;

	setenv("TZ", "UTC", 1);
	tzset();
	ok(tk_iso_parse("2026-11-22T09:30:00Z", 20, &t) == 0 && t == 1795339800, "ISO UTC parse");
	tk_time_iso(t, iso);
	is_str(iso, "2026-11-22T09:30:00Z", "ISO format round trip");
	ok(tk_iso_parse("2026-02-29T00:00:00Z", 20, &t) < 0, "no 29 February in 2026");
	ok(tk_iso_parse("2028-02-29T00:00:00Z", 20, &t) == 0, "29 February 2028 exists");
	ok(tk_time_parse("2026-11-22T17:30:00+08:00", &t, NULL) == 0 && t == 1795339800, "offset +08:00");
	ok(tk_time_parse("2026-11-22 09:30", &t, &dateonly) == 0 && t == 1795339800 && !dateonly,
	    "local time (TZ=UTC)");
	ok(tk_time_parse("2026-11-22", &t, &dateonly) == 0 && dateonly && t == 1795305600, "bare date");
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	ok(tk_time_parse("2026-11-22 17:30", &t, NULL) == 0 && t == 1795339800, "local time in Asia/Shanghai");
	setenv("TZ", "UTC", 1);
	tzset();
	ok(tk_time_parse("2026-13-01", &t, NULL) < 0, "month 13 refused");
	ok(tk_time_parse("yesterday", &t, NULL) < 0, "unknown word refused");
	ok(tk_time_parse("2h", &t, NULL) == 0 && t == tk_now() + 7200, "2h from now");
	ok(tk_time_parse("-30m", &t, NULL) == 0 && t == tk_now() - 1800, "-30m");
	ok(tk_duration_parse("90s", &d) == 0 && d == 90, "90s");
	ok(tk_duration_parse("1h30m", &d) == 0 && d == 5400, "1h30m");
	ok(tk_duration_parse("1w", &d) == 0 && d == 604800, "1w");
	ok(tk_duration_parse("600", &d) == 0 && d == 600, "plain seconds");
	ok(tk_duration_parse("3x", &d) < 0, "3x refused");
	ok(tk_duration_parse("", &d) < 0, "empty refused");
	/* Times tk can write down: 1970 to 9999, four-digit years. */
	ok(tk_time_parse("9999-12-31T23:59:59Z", &t, NULL) == 0 && t == 253402300799, "the last second of 9999");
	ok(tk_time_parse("9999-12-31T23:59:59-01:00", &t, NULL) < 0, "past 9999 by its offset refused");
	ok(tk_time_parse("1970-01-01T00:30:00+01:00", &t, NULL) < 0, "before 1970 by its offset refused");
	ok(tk_time_parse("+2933000d", &t, NULL) < 0, "a duration past 9999 refused");
	ok(tk_time_parse("-99999d", &t, NULL) < 0, "a duration back before 1970 refused");
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	ok(tk_time_parse("1970-01-01 07:59", &t, NULL) < 0, "a local time before 1970 in UTC refused");
	ok(tk_time_parse("1970-01-01 08:00", &t, NULL) == 0 && t == 0, "the first second of 1970 as a local time");
	setenv("TZ", "UTC", 1);
	tzset();
	{
		/* 6,000 times 3e9 weeks: past what a long long holds */
		tk_buf many = { 0 };
		int i;

		for (i = 0; i < 6000; i++)
			tk_buf_add(&many, "3000000000w", 11);
		ok(tk_duration_parse(tk_buf_cstr(&many), &d) < 0, "a sum of many large durations refused, not overflowed");
		tk_buf_free(&many);
	}
}

static void
test_width(void)
{
	is_long((long long)tk_display_width("abc", 3), 3, "ASCII width");
	is_long((long long)tk_display_width("\xe6\x89\x93\xe5\x8d\xb0\xe6\x9c\xba", 9), 6, "three CJK characters take 6 columns");
	is_long((long long)tk_display_prefix("\xe6\x89\x93\xe5\x8d\xb0\xe6\x9c\xba", 9, 5), 6,
	    "a prefix of 5 columns holds two CJK characters");
	ok(tk_utf8_invalid("\xe6\x89", 2) == 0, "truncated sequence is invalid");
	ok(tk_utf8_invalid("\xc0\xaf", 2) == 0, "overlong encoding is invalid");
	ok(tk_utf8_invalid("\xed\xa0\x80", 3) == 0, "surrogate is invalid");
	ok(tk_utf8_invalid("ok \xe2\x9c\x93", 6) == -1, "valid UTF-8");
	/* runs of CJK take a faster path: its ends and what may follow it */
	ok(tk_utf8_invalid("\xe4\xb8\xad\xe6\x96\x87", 6) == -1, "a run of CJK to the end");
	ok(tk_utf8_invalid("\xe4\xb8\xad\xed\xa0\x80", 6) == 3, "a surrogate after a run, at its offset");
	ok(tk_utf8_invalid("\xe4\xb8\xad\xe0\x80\x80", 6) == 3, "an overlong after a run, at its offset");
	ok(tk_utf8_invalid("\xe4\xb8\xad\xe4\xb8", 5) == 3, "a run, then a cut character");
	ok(tk_utf8_invalid("\xe4\xb8\xad\xe0\xa0\x80\xed\x9f\xbf" "a\xe4\xb8\xad", 13) == -1,
	    "a run, E0 and ED at their limits, ASCII, a run");
}

static void
test_encoding(void)
{
	tk_ticket a, b;
	tk_buf enc = { 0 };
	tk_custom c = { { "product", 7 }, { "X200", 4 } };

	tk_ticket_init(&a);
	tk_ticket_init(&b);
	a.f[TK_F_SUBJECT] = (tk_str){ "VPN down", 8 };
	a.f[TK_F_STATUS] = (tk_str){ "new", 3 };
	a.custom = &c;
	a.ncustom = 1;
	tk_ticket_encode(&a, &enc);
	ok(tk_ticket_decode(&b, enc.p, enc.len) == 0, "decode what was encoded");
	ok(tk_str_eq(b.f[TK_F_SUBJECT], "VPN down") && tk_str_eq(b.f[TK_F_STATUS], "new") &&
	    b.f[TK_F_QUEUE].n == 0, "core fields survive");
	ok(tk_str_eq(tk_ticket_custom(&b, "product"), "X200"), "custom field survives");
	ok(tk_ticket_decode(&b, enc.p, enc.len - 1) < 0, "truncated record is corrupt");
	ok(tk_ticket_decode(&b, "\x7f\x01x", 3) < 0, "unknown field tag is corrupt");
	a.custom = NULL;
	a.ncustom = 0;
	tk_ticket_free(&a);
	tk_ticket_free(&b);
	tk_buf_free(&enc);
}

static void
test_assignments(void)
{
	tk_assignments as = { 0 };

	ok(tk_assign_parse(&as, "priority=P1") == 0 && as.a[0].field == TK_F_PRIORITY, "priority=P1");
	ok(tk_assign_parse(&as, "+vip") == 0 && as.a[1].op == '+' && as.a[1].field == TK_F_TAGS, "+vip adds a tag");
	ok(tk_assign_parse(&as, "-vip") == 0 && as.a[2].op == '-', "-vip removes a tag");
	ok(tk_assign_parse(&as, "product=X200") == 0 && as.a[3].field == TK_F_CUSTOM, "custom field");
	ok(tk_assign_parse(&as, "9x=1") < 0, "field name must start with a letter");
	ok(tk_assign_parse(&as, "id=5") < 0, "id cannot be assigned");
	ok(tk_assign_parse(&as, "+a,b") < 0, "a tag has no comma");
	ok(tk_assign_parse(&as, "+watcher=carol") == 0 && as.a[as.n - 1].field == TK_F_WATCHERS &&
	    as.a[as.n - 1].op == '+' && !strcmp(as.a[as.n - 1].value, "carol"), "+watcher=carol adds a watcher");
	ok(tk_assign_parse(&as, "-watchers=dave") == 0 && as.a[as.n - 1].field == TK_F_WATCHERS &&
	    as.a[as.n - 1].op == '-', "-watchers=dave takes one away");
	ok(tk_assign_parse(&as, "+tag=vip") == 0 && as.a[as.n - 1].field == TK_F_TAGS && as.a[as.n - 1].op == '+',
	    "+tag=vip is +vip");
	ok(tk_assign_parse(&as, "watcher=erin") == 0 && as.a[as.n - 1].field == TK_F_WATCHERS &&
	    as.a[as.n - 1].op == '=', "watcher= names the set");
	ok(tk_assign_parse(&as, "+priority=P1") < 0 && strstr(tk_errmsg, "set fields"), "+ only on set fields");
	ok(tk_assign_parse(&as, "+a=b") < 0, "a tag cannot hold = (+a=b is no field's)");
	ok(tk_assign_parse(&as, "tags=a=b") < 0, "tags=a=b: a tag cannot hold =");
	ok(tk_assign_parse(&as, "+watcher=a,b") < 0 && tk_assign_parse(&as, "+watcher=") < 0,
	    "one item, not none nor a list");
	ok(tk_assign_parse(&as, "related=5") < 0 && strstr(tk_errmsg, "tk-link"), "related is tk-link's");
	ok(tk_assign_parse(&as, "merged_into=5") < 0 && tk_assign_parse(&as, "duplicate_of=5") < 0,
	    "merged_into, duplicate_of are tk-link's");
	ok(tk_field_lookup("Watcher") == TK_F_WATCHERS && tk_field_lookup("tag") == TK_F_TAGS,
	    "watcher and tag name the set fields");
	ok(tk_rel_parse("relates") == TK_REL_RELATES && tk_rel_parse("child-of") == TK_REL_CHILD_OF &&
	    tk_rel_parse("duplicate-of") == TK_REL_DUPLICATE_OF && tk_rel_parse("related") == TK_REL_NONE,
	    "relations read as sentences");
	ok(tk_is_assignment("status=open") && !tk_is_assignment("status!=open") && !tk_is_assignment("42"),
	    "assignment or not");
	ok(tk_status_transition_ok((tk_str){ "new", 3 }, "open"), "new -> open");
	ok(tk_status_transition_ok((tk_str){ "resolved", 8 }, "open"), "resolved -> open (reopen)");
	ok(!tk_status_transition_ok((tk_str){ "resolved", 8 }, "pending"), "resolved -> pending refused");
	ok(!tk_status_transition_ok((tk_str){ "closed", 6 }, "open"), "closed is final");
	ok(!tk_status_transition_ok((tk_str){ "open", 4 }, "new"), "nothing goes back to new");
	tk_assignments_free(&as);
}

/* Statuses and classes (status.c): meta "statuses" read and written,
 * damaged ones refused, the default rules of transitions by class. */
static void
test_statuses(void)
{
	tk_status_def defs[TK_STATUS_MAX], back[TK_STATUS_MAX];
	tk_buf b = { 0 };
	size_t n, m;

	tk_status_defaults(defs, &n);
	ok(n == 5 && tk_active_status(TK_STR("pending")) && !tk_active_status(TK_STR("resolved")),
	    "default classes: pending active, resolved done");
	memset(&defs[n], 0, sizeof defs[n]);
	memcpy(defs[n].name, "triage", 6);
	defs[n].len = 6;
	defs[n].cls = TK_CLASS_PAUSED;
	defs[n++].dropped = 1;
	tk_status_encode(defs, n, &b);
	ok(!strcmp(tk_buf_cstr(&b), "new\topen\nopen\topen\npending\tpaused\nresolved\tresolved\n"
	    "closed\tclosed\ntriage\tpaused\tdropped\n"), "meta statuses: NAME TAB CLASS [TAB dropped]");
	ok(tk_status_decode(b.p, b.len, back, &m) == 0 && m == n && back[5].dropped && back[5].cls == TK_CLASS_PAUSED &&
	    !memcmp(back[2].name, "pending", 8), "meta statuses read back");
	ok(tk_status_decode("new\tsoon\n", 9, back, &m) < 0, "an unknown class: damaged");
	ok(tk_status_decode("new open\n", 9, back, &m) < 0, "no TAB: damaged");
	ok(tk_status_decode("", 0, back, &m) < 0, "no status: damaged");
	tk_status_install(back, m);
	ok(tk_status_class(TK_STR("triage")) == TK_CLASS_PAUSED && !tk_status_known(TK_STR("triage")),
	    "a dropped status keeps its class, is no longer known");
	ok(!strcmp(tk_status_words(), "new, open, pending, resolved, closed"), "the words leave dropped ones out");
	ok(!strcmp(tk_status_initial(), "new") && !strcmp(tk_status_reopen(), "open"), "first status, reopen status");
	ok(tk_status_name_ok("待处理", strlen("待处理")) && !tk_status_name_ok("a,b", 3) && !tk_status_name_ok("-x", 2) &&
	    !tk_status_name_ok("a b", 3), "status names: UTF-8, no comma, blank, leading -");
	/* A store's own: inbox (open), doing (open), parked (paused), fixed, gone. */
	memset(defs, 0, sizeof defs);
	{
		static const char *const nm[] = { "inbox", "doing", "parked", "fixed", "gone" };
		static const int cl[] = { TK_CLASS_OPEN, TK_CLASS_OPEN, TK_CLASS_PAUSED, TK_CLASS_RESOLVED, TK_CLASS_CLOSED };
		size_t i;

		for (i = 0; i < 5; i++) {
			memcpy(defs[i].name, nm[i], strlen(nm[i]));
			defs[i].len = (unsigned char)strlen(nm[i]);
			defs[i].cls = (unsigned char)cl[i];
		}
		tk_status_install(defs, 5);
	}
	ok(!strcmp(tk_status_initial(), "inbox") && !strcmp(tk_status_reopen(), "doing"), "their first and reopen statuses");
	ok(tk_status_transition_ok(TK_STR("fixed"), "doing") && !tk_status_transition_ok(TK_STR("fixed"), "parked") &&
	    !tk_status_transition_ok(TK_STR("fixed"), "inbox") && tk_status_transition_ok(TK_STR("fixed"), "gone"),
	    "resolved class: to an open status but the first, or closed");
	ok(!tk_status_transition_ok(TK_STR("gone"), "doing") && tk_status_transition_check(TK_STR("gone"), "doing") < 0 &&
	    strstr(tk_errmsg, "(gone is final)"), "closed class is final, and said so");
	ok(tk_status_transition_check(TK_STR("parked"), "inbox") < 0 &&
	    strstr(tk_errmsg, "(from parked: doing, fixed, gone)"), "a refusal names the statuses allowed");
	tk_status_defaults(defs, &n);
	tk_status_install(defs, n);
	tk_buf_free(&b);
}

static void
test_filters(void)
{
	tk_filter *q = tk_filter_new();

	ok(tk_filter_add(q, "status=open,pending") == 0, "list filter");
	ok(tk_filter_add(q, "created=2026-11-01..2026-11-08") == 0, "date range");
	ok(tk_filter_add(q, "age=2d..") == 0, "open-ended duration range");
	ok(tk_filter_add(q, "due=..1h") == 0, "due within the hour");
	ok(tk_filter_add(q, "priority<P3") == 0, "priority<P3");
	ok(tk_filter_add(q, "subject~(?i)vpn|\xe6\x89\x93\xe5\x8d\xb0") == 0, "regex with CJK");
	ok(tk_filter_add(q, "subject~(unclosed") < 0 && strstr(tk_errmsg, "bad regex"), "bad regex refused");
	ok(tk_filter_add(q, "subject=a..b") == 0, "no range on text: a literal value");
	ok(tk_filter_add(q, "queue<x") < 0, "no < on text fields");
	ok(tk_filter_add(q, "created=tomorrowish") < 0, "bad time refused");
	ok(tk_filter_add(q, "age=..") < 0, "range with no end refused");
	ok(tk_filter_add(q, "=x") < 0 && !tk_is_filter("=x"), "filter needs a name");
	tk_filter_free(q);
}

/* Removes a test store (data.mdb, lock.mdb) and its directory. */
#include "remove_store.h"

static void
test_passwd(void)
{
	char path[] = "/tmp/tk-unit-passwd.XXXXXX", name[16];
	const char *text =
	    "+nis:x:1000:1000::/:/bin/sh\n"
	    "-banned:x:1000:1000::/:/bin/sh\n"
	    "nocolons\n"
	    "carol:x:12a:12::/:/bin/sh\n"
	    ":x:1500:1500::/:/bin/sh\n"
	    "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
	    "bob:x:1000:1000::/:/bin/sh\n"
	    "averyveryverylongname:x:3000:3000::/:/bin/sh\n"
	    "dave:x:2000";	/* no newline at the end, and too few fields */
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		ok(0, "passwd file written");
		return;
	}
	close(fd);
	name[0] = '\0';
	ok(tk_passwd_name(path, 1000, name, sizeof name) == 1, "passwd: uid 1000 found");
	is_str(name, "alice", "passwd: the first plain line wins, NIS +/- lines are not read");
	ok(tk_passwd_name(path, 12, name, sizeof name) == 0, "passwd: a uid with trailing junk matches nothing");
	ok(tk_passwd_name(path, 1500, name, sizeof name) == 0, "passwd: an empty name is no name");
	ok(tk_passwd_name(path, 3000, name, sizeof name) == 0, "passwd: a name longer than the buffer is not cut");
	ok(tk_passwd_name(path, 2000, name, sizeof name) == 0, "passwd: a line of too few fields is skipped");
	ok(tk_passwd_name(path, 4000, name, sizeof name) == 0, "passwd: an unknown uid is not found");
	unlink(path);
	ok(tk_passwd_name(path, 1000, name, sizeof name) == 0, "passwd: a missing file finds nothing");
	/* getent(1), for names NSS knows beyond the files (LDAP, SSSD):
	 * uid and gid 0 are root everywhere */
	if (access("/usr/bin/getent", X_OK) == 0 || access("/bin/getent", X_OK) == 0) {
		ok(tk_getent_name("passwd", 0, name, sizeof name) == 1, "getent: uid 0 found");
		is_str(name, "root", "getent: uid 0 is root");
		ok(tk_getent_name("group", 0, name, sizeof name) == 1, "getent: gid 0 found");
		is_str(name, "root", "getent: gid 0 is root");
		ok(tk_getent_name("passwd", 4294967000UL, name, sizeof name) == 0, "getent: an unknown uid is not found");
		ok(tk_getent_name("passwd", 0, name, 3) == 0, "getent: a name longer than the buffer is not cut");
	} else
		ok(1, "# SKIP getent(1) is not installed");
}

static void
test_schema(void)
{
	char dir[] = "/tmp/tk-unit.XXXXXX";
	tk_store *st;
	MDB_txn *txn;
	MDB_val k = { 6, "schema" }, v = { 2, "99" };

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	st = tk_store_open(dir, 1);
	ok(st != NULL, "a new store is made");
	if (!st)
		return;
	mdb_txn_begin(st->env, NULL, 0, &txn);
	mdb_put(txn, st->dbi[TK_DB_META], &k, &v, 0);
	mdb_txn_commit(txn);
	tk_store_close(st);
	ok(tk_store_open(dir, 0) == NULL && strstr(tk_errmsg, "schema version 99, newer than this tk"),
	    "a store with a newer schema is refused");
	if (!strstr(tk_errmsg, "newer"))
		printf("#   got: %s\n", tk_errmsg);
	remove_store(dir);
}

/* tk-import keeps row hashes in the store: the function must not change. */
static void
test_hash(void)
{
	is_long((long long)(tk_hash(TK_HASH_SEED, "", 0) == 14695981039346656037ULL), 1, "hash of nothing is the seed");
	ok(tk_hash(TK_HASH_SEED, "external_id\0subject\0HD-1\0VPN \xe8\xbf\x9e\xe6\x8e\xa5\xe5\xbe\x88\xe6\x85\xa2\0", 40) ==
	    6399243119344605356ULL, "hash of a row is what stores made before hold");
}

/* tk_lines: lines across blocks, the last one without LF, a line over max
 * handed out once and the rest of it read over in pieces. */
static void
test_lines(void)
{
	static const char in[] = "one\r\nthe long line\nthree\nlast";
	tk_buf big = { 0 };
	tk_lines l;
	FILE *fp = fmemopen((void *)in, sizeof in - 1, "r");
	char *s, num[32];
	ssize_t n;
	size_t i, pieces = 0, bad = 0;

	tk_lines_init(&l, fp);
	n = tk_lines_next(&l, &s, 10);
	ok(n == 5 && !memcmp(s, "one\r\n", 5) && !l.cont, "a line with CR LF");
	n = tk_lines_next(&l, &s, 10);
	ok(n > 10 && !l.cont && !memcmp(s, "the long l", 10), "a line over max: its start, not continued");
	n = tk_lines_next(&l, &s, 10);
	ok(n == 6 && !memcmp(s, "three\n", 6), "its end was read with it: the next line follows");
	n = tk_lines_next(&l, &s, 10);
	ok(n == 4 && !memcmp(s, "last", 4) && !l.cont, "a last line without LF");
	ok(tk_lines_next(&l, &s, 10) == -1 && !l.err, "then the end");
	tk_lines_free(&l);
	fclose(fp);

	/* A line of 600,000 bytes, more than a block: handed out once past
	 * max, the rest in continued pieces, then the next line whole. */
	for (i = 0; i < 600000; i++)
		tk_buf_addc(&big, 'x');
	tk_buf_adds(&big, "\nnext\n");
	fp = fmemopen(big.p, big.len, "r");
	tk_lines_init(&l, fp);
	n = tk_lines_next(&l, &s, 10);
	ok(n > 10 && n < 600000 && !l.cont, "a line longer than a block: handed out past max, not whole");
	i = (size_t)n;
	while ((n = tk_lines_next(&l, &s, 10)) >= 0 && l.cont) {
		pieces++;
		i += (size_t)n;
	}
	ok(pieces >= 1 && i == 600001 && n == 5 && !memcmp(s, "next\n", 5),
	    "its rest in pieces (all its bytes), then the next line");
	tk_lines_free(&l);
	fclose(fp);
	big.len = 0;

	/* 100,000 numbered lines, 700 KB: lines cross the 256 KiB blocks. */
	for (i = 0; i < 100000; i++) {
		snprintf(num, sizeof num, "line %zu\n", i);
		tk_buf_adds(&big, num);
	}
	fp = fmemopen(big.p, big.len, "r");
	tk_lines_init(&l, fp);
	for (i = 0; (n = tk_lines_next(&l, &s, TK_MAX_LINE)) >= 0; i++) {
		snprintf(num, sizeof num, "line %zu\n", i);
		if ((size_t)n != strlen(num) || memcmp(s, num, (size_t)n) || l.cont)
			bad++;
	}
	ok(i == 100000 && bad == 0, "100,000 lines across blocks, each whole and in order");
	tk_lines_free(&l);
	fclose(fp);
	tk_buf_free(&big);
}

#include "csv_transcript.h"

/* The fast path gives what libcsv gives, held rows and all. */
static void
csv_both(const char *in, size_t len, const char *what, const char *want)
{
	tk_buf fast = { 0 }, slow = { 0 };
	char msg[200];

	csv_transcript(in, len, 0, &fast);
	csv_transcript(in, len, 1, &slow);
	snprintf(msg, sizeof msg, "csv fast path = libcsv: %s", what);
	ok(fast.len == slow.len && !memcmp(fast.p, slow.p, fast.len), msg);
	snprintf(msg, sizeof msg, "csv: %s", what);
	ok(strstr(fast.p ? fast.p : "", want) != NULL, msg);
	if (!strstr(fast.p ? fast.p : "", want))
		fprintf(stderr, "# got:\n%.300s\n# want: %s\n", fast.p, want);
	tk_buf_free(&fast);
	tk_buf_free(&slow);
}

/* s (UTF-8) in enc, after bom (n bytes) */
static void
encode(tk_buf *b, const char *enc, const char *bom, size_t n, const char *s, size_t len)
{
	iconv_t cd = iconv_open(enc, "UTF-8");
	char *ip = (char *)s, *op;
	size_t il = len, ol = 4 * len + 8;

	b->len = 0;
	tk_buf_add(b, bom, n);
	tk_buf_add(b, "", 0);
	if (b->cap < b->len + ol)
		b->p = tk_xrealloc(b->p, b->cap = b->len + ol);
	op = b->p + b->len;
	if (cd == (iconv_t)-1 || iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
		abort();
	b->len = (size_t)(op - b->p);
	iconv_close(cd);
}

/* The dates of other help desks' exports (tk_import_time), in UTC. */
static void
test_import_time(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "2026-11-22T09:30:00Z", "2026-11-22T09:30:00Z" },
		{ "2026-11-22T09:30:00.123456Z", "2026-11-22T09:30:00Z" },
		{ "2026-11-22T17:30:00+08:00", "2026-11-22T09:30:00Z" },
		{ "2026-11-22T17:30:00+0800", "2026-11-22T09:30:00Z" },
		{ "2025-07-14 15:42:00 -0800", "2025-07-14T23:42:00Z" },
		{ "2026-11-22 09:30", "2026-11-22T09:30:00Z" },
		{ "14/Jul/25 3:42 PM", "2025-07-14T15:42:00Z" },
		{ "14/Jul/25 12:05 AM", "2025-07-14T00:05:00Z" },
		{ "7/14/2025 3:42 PM", "2025-07-14T15:42:00Z" },
		{ "7/14/2025", "2025-07-14T00:00:00Z" },
		{ "1795339800", "2026-11-22T09:30:00Z" },
		/* year first, as Excel writes dates in Chinese and Japanese */
		{ "2026/11/22 9:30", "2026-11-22T09:30:00Z" },
		{ "2026/11/22 09:30:15", "2026-11-22T09:30:15Z" },
		{ "2026/1/5", "2026-01-05T00:00:00Z" },
		{ "2026年11月22日 9:30", "2026-11-22T09:30:00Z" },
		{ "2026年1月5日", "2026-01-05T00:00:00Z" },
		{ "2026年11月22日9:30", NULL },
		{ "2026年11月", NULL },
		{ "2026/13/01 9:30", NULL },
		{ "2026/02/30", NULL },
		{ "14/Foo/25 3:42 PM", NULL },
		{ "7/14/2025 13:42 PM", NULL },
		{ "yesterday", NULL },
		{ "", NULL },
	};
	char out[21], msg[120];
	size_t i;
	int rc;

	setenv("TZ", "UTC", 1);
	tzset();
	for (i = 0; i < sizeof t / sizeof *t; i++) {
		memset(out, 0, sizeof out);
		rc = tk_import_time(t[i].in, out);
		snprintf(msg, sizeof msg, "import date \"%s\" %s", t[i].in, t[i].want ? t[i].want : "refused");
		ok(t[i].want ? rc == 0 && !strcmp(out, t[i].want) : rc < 0, msg);
		if (t[i].want && (rc || strcmp(out, t[i].want)))
			fprintf(stderr, "# got %d %s\n", rc, out);
	}
}

/* UTF-16 and UTF-32 by their byte order marks: the same rows and lines as
 * the input in UTF-8. */
static void
test_csv_wide(void)
{
	static const char in[] = "a\tb\r\n1\t\"打印\nlines\"\r\n2\t3\r\n";
	static const char want[] = "1 1 1:a 1:b\n1 2 1:1 12:打印\nlines\n1 4 1:2 1:3\n";
	tk_buf b = { 0 };

	encode(&b, "UTF-16LE", "\xff\xfe", 2, in, sizeof in - 1);
	csv_both(b.p, b.len, "UTF-16LE with its byte order mark (Excel's Unicode Text)", want);
	encode(&b, "UTF-16BE", "\xfe\xff", 2, in, sizeof in - 1);
	csv_both(b.p, b.len, "UTF-16BE with its byte order mark", want);
	encode(&b, "UTF-32LE", "\xff\xfe\0\0", 4, in, sizeof in - 1);
	csv_both(b.p, b.len, "UTF-32LE with its byte order mark", want);
	/* A lone low surrogate on line 3: the rows before it, then the error. */
	encode(&b, "UTF-16LE", "\xff\xfe", 2, in, sizeof in - 1);
	b.p[2 + 2 * 12] = 0x00, b.p[2 + 2 * 12 + 1] = 0xdc;
	csv_both(b.p, b.len, "UTF-16 not valid on line 3",
	    "1 1 1:a 1:b\n-1 3 bytes that are not valid UTF-16: read no further\n");
	tk_buf_free(&b);
}

static void
test_csv_fast(void)
{
	static const char plain[] = "a,b,c\r\n1,\"two\r\nlines, \"\"q\"\"\",3\r\n\r\n4,,\"\"\r\n";
	static const char stray[] = "a,b\n1,\"x\ny\nz\"w\n2,3\n";
	static const char nul[] = "a,b\n1,\"x\ny\0\n\"\n2,3\n";
	static const char cr[] = "a,b\n1,2\r3,4\n";
	static const char open[] = "a,b\n1,\"never\nclosed\n";
	static const char mac[] = "a,b\r1,2\r3,\"x\ry\"\r4,\"bad\"z\r5,6\r";
	static const char maclf[] = "a,b\n1,\"q\"x\r2,3\n4,5\n";
	/* Excel's "CSV (Macintosh)" of cells with line breaks in them: rows end
	 * in CR, the breaks inside quoted fields are LF. */
	static const char macq[] = "a,b\r1,\"one\ntwo\"\r2,\"bad\"z\r3,4\r";
	tk_buf big = { 0 };
	size_t i;

	csv_both(plain, sizeof plain - 1, "quoted CR LF and doubled quotes",
	    "1 2 1:1 15:two\r\nlines, \"q\" 1:3\n1 5 1:4 0: 0:\n");
	csv_both(stray, sizeof stray - 1, "a stray quote on a held row's third line",
	    "-1 2 malformed quotes");
	csv_both(stray, sizeof stray - 1, "the row after it", "1 5 1:2 1:3\n");
	csv_both(nul, sizeof nul - 1, "NUL on a held line", "-1 2 NUL byte");
	csv_both(cr, sizeof cr - 1, "CR alone ends a row", "1 2 1:1 1:2\n1 3 1:3 1:4\n");
	csv_both(open, sizeof open - 1, "a quote never closed", "-1 2 unterminated quoted field");
	csv_both(mac, sizeof mac - 1, "CR-only line ends: rows on their own lines",
	    "1 2 1:1 1:2\n1 3 1:3 3:x\ry\n-1 5 malformed quotes");
	csv_both(mac, sizeof mac - 1, "CR-only line ends: the row after a malformed one", "\n1 6 1:5 1:6\n");
	/* An LF in the first block: lines end in LF, and a malformed row
	 * takes the rest of its line (2,3) with it, as before. */
	csv_both(maclf, sizeof maclf - 1, "an LF in the first block: lines end in LF",
	    "1 1 1:a 1:b\n-1 2 malformed quotes (a quote inside an unquoted field, or text after a closing quote)\n1 3 1:4 1:5\n");
	csv_both(macq, sizeof macq - 1, "CR-only line ends, LF inside quotes: a multi-line cell, then a malformed row on its line",
	    "1 1 1:a 1:b\n1 2 1:1 7:one\ntwo\n-1 3 malformed quotes");
	csv_both(macq, sizeof macq - 1, "CR-only line ends, LF inside quotes: the row after it",
	    "closing quote)\n1 4 1:3 1:4\n");
	/* A quoted field of 1.5 MiB over many lines: past what is held. */
	tk_buf_add(&big, "a,b\n1,\"", 7);
	for (i = 0; i < 24576; i++)
		tk_buf_add(&big, "sixty-four bytes of a long field, over many lines, all kept....\n", 64);
	tk_buf_add(&big, "\"\n2,3\n", 6);
	csv_both(big.p, big.len, "a 1.5 MiB field (libcsv's, whole)", "1 2 1:1 1572864:sixty-four");
	csv_both(big.p, big.len, "the row after the 1.5 MiB field", "1 24579 1:2 1:3\n");
	tk_buf_free(&big);
}

/* Posting lists against a plain set: random adds and deletes of ids of
 * one value, appends past its end, beside the lists of two other values
 * ("ope" and "opened" sort around "open"). */
#define PL_IDS 3000
static unsigned char pl_set[PL_IDS];
static int pl_ok;

static int
pl_check(MDB_cursor *c, MDB_val v)
{
	MDB_val d;
	size_t i, n = 0, count;
	uint64_t want = 0, prev = 0;
	int rc;

	for (rc = tk_pl_first(c, v, &d); rc == 0; rc = tk_pl_next(c, v, &d))
		for (i = 0; i < d.mv_size / 8; i++) {
			uint64_t id = tk_get_u64((unsigned char *)d.mv_data + 8 * i);

			while (want < PL_IDS && !pl_set[want])
				want++;
			if (id != want || (n && id <= prev))
				return 0;
			prev = id;
			want++;
			n++;
		}
	while (want < PL_IDS && !pl_set[want])
		want++;
	if (rc != MDB_NOTFOUND || want != PL_IDS || tk_pl_count(c, v, &count) || count != n)
		return 0;
	for (i = 0; i < PL_IDS; i += 7)
		if (tk_pl_has(c, v, i) != pl_set[i])
			return 0;
	return 1;
}

static int
pl_ops(tk_txn *t, void *arg)
{
	MDB_val v = { 4, "open" }, o1 = { 3, "ope" }, o2 = { 6, "opened" };
	MDB_cursor *c;
	unsigned char ids[8 * 600];
	unsigned seed = 42, r;
	uint64_t top = PL_IDS / 2;
	size_t i, j, n;
	int round, ok = 1;

	(void)arg;
	if (mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IX_STATUS], &c))
		return TK_EXIT_FAIL;
	for (i = 0; i < 300; i++)	/* neighbours */
		if (tk_pl_add(c, o1, 2 * i) || tk_pl_add(c, o2, 2 * i + 1))
			ok = 0;
	for (round = 0; round < 40 && ok; round++) {
		for (i = 0; i < 200 && ok; i++) {
			r = (seed = seed * 1103515245 + 12345) >> 8;
			j = r % top;
			if (r & 0x100000) {
				ok = tk_pl_add(c, v, j) == 0;
				pl_set[j] = 1;
			} else {
				int rc = tk_pl_del(c, v, j);

				ok = pl_set[j] ? rc == 0 : rc == MDB_NOTFOUND;
				pl_set[j] = 0;
			}
		}
		if (round % 4 == 3 && top < PL_IDS) {	/* a batch past the end */
			n = (seed >> 8) % 600 + 1;
			for (j = 0; j < n && top < PL_IDS; j++, top++) {
				tk_put_u64(ids + 8 * j, top);
				pl_set[top] = 1;
			}
			ok = ok && tk_pl_append(c, v, ids, j) == 0;
		}
		ok = ok && pl_check(c, v);
	}
	/* Appending ids not past the end is refused. */
	tk_put_u64(ids, 0);
	ok = ok && tk_pl_append(c, v, ids, 1) == MDB_KEYEXIST;
	{
		size_t n1, n2;

		ok = ok && !tk_pl_count(c, o1, &n1) && n1 == 300 && !tk_pl_count(c, o2, &n2) && n2 == 300;
	}
	mdb_cursor_close(c);
	pl_ok = ok;
	return 0;
}

static void
test_postings(void)
{
	char dir[] = "/tmp/tk-unit.XXXXXX";
	tk_store *st;

	if (!mkdtemp(dir) || !(st = tk_store_open(dir, 1))) {
		ok(0, "posting lists: a store");
		return;
	}
	ok(tk_store_write(st, pl_ops, NULL) == 0 && pl_ok,
	    "posting lists: 8,000 adds and deletes, appends, splits: the same ids as a plain set");
	tk_store_close(st);
	remove_store(dir);
}

/*
 * The working set (active.c) after random work: tickets made in bulk
 * batches (copies written sorted at commit) and one by one, changed in the
 * batch that made them and later, in status and assignee; then `active`
 * must hold exactly the tickets whose status is new, open or pending, each
 * under its assignee with the bytes `tickets` has, and ix_status the
 * others only; ix_assignee and ix_queue an empty value outside it only.
 */
static unsigned long act_seed = 12345;

static unsigned
act_rand(unsigned n)
{
	act_seed = act_seed * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((act_seed >> 33) % n);
}

static int
act_ops(tk_txn *t, void *arg)
{
	static const char *status[] = { "new", "open", "pending", "resolved", "closed" };
	static const char *who[] = { "", "ann", "bo", "张伟", "dee" };
	uint64_t last = 0, *made = arg;
	tk_assignments as;
	tk_ticket tk;
	char v[64];
	int i, rc = 0;

	for (i = 0; i < 300 && !rc; i++) {
		memset(&as, 0, sizeof as);
		tk_ticket_init(&tk);
		if (*made == 0 || act_rand(3)) {
			tk_assign_add(&as, "subject", "s");
			tk_assign_add(&as, "assignee", who[act_rand(5)]);
			if (act_rand(2))
				tk_assign_add(&as, "status", status[act_rand(5)]);
			rc = tk_ticket_make(t, &tk, &as, NULL, 0, TK_APPLY_IMPORT) < 0;
			last = tk.id;
			++*made;
		} else {
			/* an earlier ticket, or one just made in this batch */
			rc = tk_ticket_get(t, act_rand(2) && last ? last : 1 + act_rand((unsigned)*made), &tk, 1) != 1;
			snprintf(v, sizeof v, "%s", act_rand(2) ? status[act_rand(5)] : "");
			if (*v)
				tk_assign_add(&as, "status", v);
			if (!*v || act_rand(2))
				tk_assign_add(&as, "assignee", who[act_rand(5)]);
			tk_assign_add(&as, "queue", act_rand(2) ? "q1" : "");
			if (!rc)
				rc = tk_ticket_apply(t, &tk, &as, TK_APPLY_IMPORT) < 0;
		}
		tk_ticket_free(&tk);
		tk_assignments_free(&as);
	}
	return rc ? TK_EXIT_FAIL : 0;
}

/* 1 when active holds exactly the active tickets, as stored, and
 * ix_status the others (and no active status). */
static int
act_check(tk_store *st, size_t *nactive)
{
	static const char *const act[] = { "new", "open", "pending" };
	unsigned char kb[TK_ACTIVE_KEYBUF];
	MDB_cursor *c, *sc, *ic;
	MDB_val k, v, ak, av;
	MDB_stat ms;
	tk_txn t;
	tk_ticket tk;
	size_t n = 0, i;
	int good = 1;

	if (tk_txn_read(st, &t) < 0 || mdb_cursor_open(t.txn, st->dbi[TK_DB_TICKETS], &c))
		return 0;
	if (mdb_cursor_open(t.txn, st->dbi[TK_DB_IX_STATUS], &sc))
		return 0;
	for (i = 0; i < 3; i++) {
		k.mv_size = strlen(act[i]);
		k.mv_data = (void *)act[i];
		if (mdb_cursor_get(sc, &k, &v, MDB_SET_RANGE) == 0 && k.mv_size == strlen(act[i]) + 8 &&
		    !memcmp(k.mv_data, act[i], strlen(act[i])))
			good = 0;
	}
	tk_ticket_init(&tk);
	while (good && mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0) {
		tk.id = tk_get_u64(k.mv_data);
		if (tk_ticket_decode(&tk, v.mv_data, v.mv_size) < 0)
			good = 0;
		else if (tk_active_status(tk.f[TK_F_STATUS])) {
			ak = tk_active_prefix(tk_ix_epoch(&t, TK_DB_ACTIVE, tk.id), tk.f[TK_F_STATUS],
			    &tk.f[TK_F_ASSIGNEE], kb);
			tk_put_u64(kb + ak.mv_size, tk.id);
			ak.mv_size += 8;
			good = mdb_get(t.txn, st->dbi[TK_DB_ACTIVE], &ak, &av) == 0 && av.mv_size == v.mv_size &&
			    !memcmp(av.mv_data, v.mv_data, v.mv_size);
			n++;
		} else {
			ak.mv_size = tk.f[TK_F_STATUS].n;
			ak.mv_data = (void *)tk.f[TK_F_STATUS].p;
			good = tk_ix_has(sc, TK_DB_IX_STATUS, ak, tk.id) == 1;
		}
		/* An empty assignee or queue is indexed outside the working set only. */
		for (i = 0; i < 2 && good; i++) {
			int db = i ? TK_DB_IX_QUEUE : TK_DB_IX_ASSIGNEE, f = i ? TK_F_QUEUE : TK_F_ASSIGNEE;
			int want = tk.f[f].n || !tk_active_status(tk.f[TK_F_STATUS]);

			ak = tk_ix_key(db, tk.f[f].p, tk.f[f].n, tk_ix_epoch(&t, db, tk.id), kb);
			good = mdb_cursor_open(t.txn, st->dbi[db], &ic) == 0 && tk_ix_has(ic, db, ak, tk.id) == want;
			mdb_cursor_close(ic);
		}
	}
	mdb_cursor_close(sc);
	mdb_cursor_close(c);
	if (mdb_stat(t.txn, st->dbi[TK_DB_ACTIVE], &ms) || ms.ms_entries != n)
		good = 0;
	tk_txn_end(&t);
	*nactive = n;
	return good;
}

static void
test_active(void)
{
	char dir[] = "/tmp/tk-unit.XXXXXX";
	uint64_t made = 0;
	size_t n = 0;
	tk_store *st;
	int i, rc = 0;

	if (!mkdtemp(dir) || !(st = tk_store_open(dir, 1))) {
		ok(0, "working set: a store");
		return;
	}
	for (i = 0; i < 6 && !rc; i++)	/* one by one */
		rc = tk_store_write(st, act_ops, &made);
	tk_store_bulk(st);
	for (i = 0; i < 6 && !rc; i++)	/* in batches */
		rc = tk_store_write(st, act_ops, &made);
	ok(!rc && act_check(st, &n) && n > 100 && n < made,
	    "working set: after 3,600 creations and changes, one by one and in batches, the active tickets exactly; ix_status the others; an empty assignee or queue indexed outside it");
	if (rc)
		fprintf(stderr, "# %s\n", tk_errmsg);
	tk_store_close(st);
	remove_store(dir);
	{
		/* Status names up to 64 bytes keep every byte in the key. */
		char status[65];
		unsigned char kb[TK_ACTIVE_KEYBUF];
		tk_str a = TK_STR("bob");
		MDB_val k;

		memset(status, 's', 64);
		status[64] = '\0';
		k = tk_active_prefix(3, TK_STR(status), &a, kb);
		ok(k.mv_size == 2 + 64 + 1 + 3 + 1 && !memcmp(kb + 2, status, 64) && kb[66] == 0 &&
		    !memcmp(kb + 67, "bob", 3), "working set: a 64-byte status name whole in the key");
	}
}

/* tests/unit v2-store DIR: a store as schema 2 left it, with tickets 1,
 * 16383 (new), 16384 and 40000 (resolved) of alice@example.com, whose partitioned index
 * keys carry the epoch id >> 14 (t0050 upgrades it). The tickets are made
 * by this tk, whose epochs start at 16384 and 40000 here: the same numbers
 * (0, 0, 1, 2); then meta "epochs" goes, status, priority and queue are
 * indexed as DUPSORT again, the working set (schema 5) goes, and the
 * schema is set to 2. */
static int
make_ticket(tk_txn *t, void *arg)
{
	static const uint64_t ids[] = { 1, 16383, 16384, 40000 };
	tk_assignments as;
	tk_ticket tk;
	size_t i;
	int rc = 0;

	(void)arg;
	for (i = 0; i < sizeof ids / sizeof *ids && !rc; i++) {
		memset(&as, 0, sizeof as);
		t->next_id = ids[i];
		tk_assign_add(&as, "subject", "old ticket");
		tk_assign_add(&as, "requester", "alice@example.com");
		tk_assign_add(&as, "assignee", "bob");
		if (ids[i] >= 16384)
			tk_assign_add(&as, "status", "resolved");
		tk_ticket_init(&tk);
		rc = tk_ticket_create(t, &tk, &as, NULL, 0) < 0;
		tk_ticket_free(&tk);
		tk_assignments_free(&as);
	}
	return rc ? TK_EXIT_FAIL : 0;
}

/* The last ticket id is given, the one after it refused. */
static int
last_ids(tk_txn *t, void *arg)
{
	uint64_t *got = arg;
	tk_assignments as;
	tk_ticket tk;
	int i, rc;

	t->next_id = TK_ID_MAX;
	for (i = 0; i < 2; i++) {
		memset(&as, 0, sizeof as);
		tk_assign_add(&as, "subject", "the last");
		tk_ticket_init(&tk);
		rc = tk_ticket_create(t, &tk, &as, NULL, 0);
		got[i] = rc < 0 ? 0 : tk.id;
		tk_ticket_free(&tk);
		tk_assignments_free(&as);
	}
	return 0;
}

static void
test_id_limit(void)
{
	char dir[] = "/tmp/tk-unit.XXXXXX";
	uint64_t got[2] = { 1, 1 };
	tk_store *st;

	if (!mkdtemp(dir) || !(st = tk_store_open(dir, 1))) {
		ok(0, "store for the id limit");
		return;
	}
	ok(tk_store_write(st, last_ids, got) == 0 && got[0] == TK_ID_MAX, "id limit: 2^56 - 2 is given");
	ok(got[1] == 0 && strstr(tk_errmsg, "no ticket id is left"), "id limit: the one after it is refused");
	tk_store_close(st);
	remove_store(dir);
}

/* Schema 2 kept status, priority and queue as DUPSORT indexes, not posting
 * lists: made again that way from the tickets. */
static int
dupsort_again(tk_store *st, MDB_txn *txn)
{
	static const struct { int db; const char *name; int field; } ix[] = {
		{ TK_DB_IX_STATUS, "ix_status", TK_F_STATUS },
		{ TK_DB_IX_PRIORITY, "ix_priority", TK_F_PRIORITY },
		{ TK_DB_IX_QUEUE, "ix_queue", TK_F_QUEUE },
	};
	unsigned char kb[TK_IX_KEYBUF];
	MDB_cursor *c;
	MDB_val k, v, ik;
	tk_ticket tk;
	size_t i;
	int rc = 0;

	for (i = 0; i < 3 && !rc; i++)
		rc = mdb_drop(txn, st->dbi[ix[i].db], 1) ||
		    mdb_dbi_open(txn, ix[i].name, MDB_CREATE | MDB_DUPSORT | MDB_DUPFIXED, &st->dbi[ix[i].db]);
	if (rc || mdb_cursor_open(txn, st->dbi[TK_DB_TICKETS], &c))
		return 1;
	tk_ticket_init(&tk);
	while (!rc && mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0) {
		if (tk_ticket_decode(&tk, v.mv_data, v.mv_size) < 0)
			rc = 1;
		for (i = 0; i < 3 && !rc; i++) {
			ik = tk_ix_key(ix[i].db, tk.f[ix[i].field].p, tk.f[ix[i].field].n, 0, kb);
			rc = mdb_put(txn, st->dbi[ix[i].db], &ik, &k, 0);
		}
	}
	mdb_cursor_close(c);
	tk_ticket_free(&tk);
	return rc;
}

static int
make_v2_store(const char *dir)
{
	tk_store *st = tk_store_open(dir, 1);
	MDB_txn *txn;
	MDB_val k = { 6, "schema" }, v = { 1, "2" }, e = { 6, "epochs" };

	if (!st || tk_store_write(st, make_ticket, NULL) != 0) {
		fprintf(stderr, "v2-store: %s\n", tk_errmsg);
		return 1;
	}
	if (mdb_txn_begin(st->env, NULL, 0, &txn) || mdb_put(txn, st->dbi[TK_DB_META], &k, &v, 0) ||
	    mdb_del(txn, st->dbi[TK_DB_META], &e, NULL) || dupsort_again(st, txn) ||
	    mdb_drop(txn, st->dbi[TK_DB_ACTIVE], 1) || mdb_txn_commit(txn)) {
		fprintf(stderr, "v2-store: cannot set schema 2\n");
		return 1;
	}
	tk_store_close(st);
	return 0;
}

/* tests/unit v4-store DIR: a store as schema 4 left it: the tickets of
 * v2-store, their active statuses in ix_status, the empty queue of all
 * four in ix_queue, no working set. */
static int
make_v4_store(const char *dir)
{
	tk_store *st = tk_store_open(dir, 1);
	MDB_txn *txn;
	MDB_cursor *c, *qc;
	MDB_val k = { 6, "schema" }, v = { 1, "4" }, nv = { 3, "new" }, e = { 1, "" };

	if (!st || tk_store_write(st, make_ticket, NULL) != 0) {
		fprintf(stderr, "v4-store: %s\n", tk_errmsg);
		return 1;
	}
	if (mdb_txn_begin(st->env, NULL, 0, &txn) || mdb_put(txn, st->dbi[TK_DB_META], &k, &v, 0) ||
	    mdb_cursor_open(txn, st->dbi[TK_DB_IX_STATUS], &c) || tk_pl_add(c, nv, 1) || tk_pl_add(c, nv, 16383) ||
	    mdb_cursor_open(txn, st->dbi[TK_DB_IX_QUEUE], &qc) || tk_pl_add(qc, e, 1) || tk_pl_add(qc, e, 16383) ||
	    tk_pl_add(qc, e, 16384) || tk_pl_add(qc, e, 40000) ||
	    mdb_drop(txn, st->dbi[TK_DB_ACTIVE], 1) || mdb_txn_commit(txn)) {
		fprintf(stderr, "v4-store: cannot set schema 4\n");
		return 1;
	}
	tk_store_close(st);
	return 0;
}

/* A ticket written as it is, past the model's normalising: status, the
 * requester and nps, custom fields (up to two, names as given) and their
 * names registered in `fields` when reg. */
static int
raw_insert(tk_txn *t, const char *status, const char *req, const char *nps, const char *const cname[2],
    const char *const cval[2], int reg)
{
	tk_ticket tk;
	tk_buf enc = { 0 };
	size_t j;
	int rc = 0;

	tk_ticket_init(&tk);
	tk.f[TK_F_SUBJECT] = TK_STR("old ticket");
	tk.f[TK_F_STATUS] = TK_STR(status);
	tk.f[TK_F_PRIORITY] = TK_STR("P3");
	tk.f[TK_F_CREATED] = tk.f[TK_F_UPDATED] = TK_STR("2026-11-01T08:00:00Z");
	tk.f[TK_F_REQUESTER] = TK_STR(req);
	tk.f[TK_F_NPS] = TK_STR(nps);
	for (j = 0; j < 2 && cname[j]; j++) {
		tk_ticket_custom_slot(&tk, cname[j], strlen(cname[j]))->value = TK_STR(cval[j]);
		if (reg && tk_field_register(t, TK_STR(cname[j])) < 0)
			rc = -1;
	}
	tk_ticket_encode(&tk, &enc);
	tk_ticket_free(&tk);
	tk_ticket_init(&tk);
	if (!rc)
		rc = tk_ticket_insert(t, &tk, enc.p, enc.len, NULL, 0);
	tk_ticket_free(&tk);
	tk_buf_free(&enc);
	return rc < 0 ? -1 : 0;
}

/* Tickets as schema 5 kept them: requesters as given, custom names with
 * capitals (written field by field, past the model's normalising). */
static int
raw_tickets(tk_txn *t, void *arg)
{
	static const struct { const char *req, *status, *cname[2], *cval[2]; } raw[] = {
		{ "Wang Li <Wang.Li@Initech.io>", "new", { "Product", NULL }, { "X200", NULL } },
		{ "BOB@Example.com", "resolved", { "Product", "product" }, { "A", "B" } },
		{ "alice", "open", { "product", NULL }, { "C", NULL } },
		{ "\"Li, Wang\" <WLI@initech.io>", "closed", { "Region", NULL }, { "EU", NULL } },
	};
	size_t i;
	int rc = 0;

	(void)arg;
	for (i = 0; i < sizeof raw / sizeof *raw && !rc; i++)
		rc = raw_insert(t, raw[i].status, raw[i].req, "", raw[i].cname, raw[i].cval, 0);
	return rc ? TK_EXIT_FAIL : 0;
}

/* A store of the tickets fill writes, its meta saying schema ver (what
 * an older tk left): 0, or 1 with a message naming what (name). */
static int
store_at(const char *dir, int (*fill)(tk_txn *, void *), const char *ver, const char *name)
{
	tk_store *st = tk_store_open(dir, 1);
	MDB_txn *txn;
	MDB_val k = { 6, "schema" }, v = { strlen(ver), (void *)ver };

	if (!st || tk_store_write(st, fill, NULL) != 0) {
		fprintf(stderr, "%s: %s\n", name, tk_errmsg);
		return 1;
	}
	if (mdb_txn_begin(st->env, NULL, 0, &txn) || mdb_put(txn, st->dbi[TK_DB_META], &k, &v, 0) ||
	    mdb_txn_commit(txn)) {
		fprintf(stderr, "%s: cannot set schema %s\n", name, ver);
		return 1;
	}
	tk_store_close(st);
	return 0;
}

/* tests/unit v5-store DIR: a schema 5 store for the upgrade to 6. */
static int
make_v5_store(const char *dir)
{
	return store_at(dir, raw_tickets, "5", "v5-store");
}

/* Tickets for v6-store: assignees in and out of the working set. */
static int
assigned_tickets(tk_txn *t, void *arg)
{
	static const struct { const char *assignee, *status; } v[] = {
		{ "alice", "new" }, { "alice", "open" }, { "alice", "pending" }, { "alice", "resolved" },
		{ "bob", "new" }, { "", "new" }, { "carol", "closed" }, { "alice", "open" },
	};
	tk_assignments as;
	tk_ticket tk;
	size_t i;
	int rc = 0;

	(void)arg;
	for (i = 0; i < sizeof v / sizeof *v && !rc; i++) {
		memset(&as, 0, sizeof as);
		tk_assign_add(&as, "subject", "old ticket");
		tk_assign_add(&as, "assignee", v[i].assignee);
		tk_assign_add(&as, "status", v[i].status);
		tk_ticket_init(&tk);
		rc = tk_ticket_create(t, &tk, &as, NULL, 0) < 0;
		tk_ticket_free(&tk);
		tk_assignments_free(&as);
	}
	return rc ? TK_EXIT_FAIL : 0;
}

/* tests/unit v6-store DIR: a schema 6 store for the upgrade to 7: the
 * tickets above, and none of the sub-databases schema 7 brought. */
static int
make_v6_store(const char *dir)
{
	static const int since7[] = { TK_DB_AGENTS, TK_DB_TEAMS, TK_DB_AGENT_LOAD, TK_DB_RR_CURSOR, TK_DB_LOG_KEY };
	tk_store *st = tk_store_open(dir, 1);
	MDB_txn *txn;
	MDB_val k = { 6, "schema" }, v = { 1, "6" };
	size_t i;
	int rc = 0;

	if (!st || tk_store_write(st, assigned_tickets, NULL) != 0) {
		fprintf(stderr, "v6-store: %s\n", tk_errmsg);
		return 1;
	}
	if (mdb_txn_begin(st->env, NULL, 0, &txn))
		return 1;
	for (i = 0; i < sizeof since7 / sizeof *since7 && !rc; i++)
		rc = mdb_drop(txn, st->dbi[since7[i]], 1);
	if (rc || mdb_put(txn, st->dbi[TK_DB_META], &k, &v, 0) || mdb_txn_commit(txn)) {
		fprintf(stderr, "v6-store: cannot set schema 6\n");
		return 1;
	}
	tk_store_close(st);
	return 0;
}

/* tests/unit v8-store DIR: a schema 8 store with the tickets of v5-store
 * (those named "product", tickets 2 and 3, as schema 8 names them): no
 * ix_custom, no meta "statuses" or "indexed". */
static int
make_v8_store(const char *dir)
{
	tk_store *st = tk_store_open(dir, 1);
	MDB_txn *txn;
	MDB_val k = { 6, "schema" }, v = { 1, "8" };

	if (!st || tk_store_write(st, raw_tickets, NULL) != 0) {
		fprintf(stderr, "v8-store: %s\n", tk_errmsg);
		return 1;
	}
	if (mdb_txn_begin(st->env, NULL, 0, &txn) || mdb_put(txn, st->dbi[TK_DB_META], &k, &v, 0) ||
	    mdb_drop(txn, st->dbi[TK_DB_IX_CUSTOM], 1) || mdb_txn_commit(txn)) {
		fprintf(stderr, "v8-store: cannot set schema 8\n");
		return 1;
	}
	tk_store_close(st);
	return 0;
}

/* Tickets as a store before schema 16 may hold them: custom values
 * under names that became tk's fields (DESIGN.md 6). */
static int
builtin_named_tickets(tk_txn *t, void *arg)
{
	static const struct { const char *nps, *cname[2], *cval[2]; } raw[] = {
		{ "", { "nps", "requester_name" }, { "9", "Wang Li" } },
		{ "", { "nps", NULL }, { "12", NULL } },
		{ "", { "tier", NULL }, { "vip", NULL } },
		{ "", { "related", "due_response" }, { "1", "2026-12-01T10:00:00Z" } },
		{ "3", { "nps", NULL }, { "7", NULL } },
	};
	size_t i;
	int rc = 0;

	(void)arg;
	for (i = 0; i < sizeof raw / sizeof *raw && !rc; i++)
		rc = raw_insert(t, "open", "", raw[i].nps, raw[i].cname, raw[i].cval, 1);
	return rc ? TK_EXIT_FAIL : 0;
}

/* tests/unit v15-store DIR: a schema 15 store with the tickets above. */
static int
make_v15_store(const char *dir)
{
	return store_at(dir, builtin_named_tickets, "15", "v15-store");
}

/*
 * tests/unit row-marks DIR: the tickets tk-import made from rows with no
 * external id made as an older tk-import left them: external_id "row-"
 * and the row's hash (16 hex digits), indexed, and no import_row. Written
 * under the events, as that tk-import wrote the value at creation.
 */
static int
put_row_marks(tk_txn *t, void *arg)
{
	MDB_cursor *c;
	MDB_val k, v, tk_key, tv;
	unsigned char kb[8];
	tk_str old[TK_F_NSTORED];
	tk_ticket tk;
	tk_buf enc = { 0 };
	char mark[32];
	long *n = arg;
	int rc, act;

	if (mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IMPORT_ROW], &c))
		return TK_EXIT_FAIL;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		tk_ticket_init(&tk);
		if (tk_ticket_get(t, tk_get_u64(v.mv_data), &tk, 1) <= 0) {
			rc = 1;
			break;
		}
		snprintf(mark, sizeof mark, "row-%016llx", (unsigned long long)tk_get_u64(k.mv_data));
		memcpy(old, tk.f, sizeof old);
		tk.f[TK_F_EXTERNAL_ID] = TK_STR(mark);
		act = tk_active_status(tk.f[TK_F_STATUS]);
		enc.len = 0;
		tk_ticket_encode(&tk, &enc);
		tk_put_u64(kb, tk.id);
		tk_key.mv_size = 8;
		tk_key.mv_data = kb;
		tv.mv_size = enc.len;
		tv.mv_data = enc.p;
		rc = tk_ticket_reindex(t, &tk, old, act, act) < 0 ||
		    tk_active_write(t, tk.id, old[TK_F_STATUS], old[TK_F_ASSIGNEE], tk.f[TK_F_STATUS],
		    tk.f[TK_F_ASSIGNEE], enc.p, enc.len, 0) < 0 ||
		    mdb_put(t->txn, t->st->dbi[TK_DB_TICKETS], &tk_key, &tv, 0);
		tk_ticket_free(&tk);
		if (rc)
			break;
		++*n;
	}
	mdb_cursor_close(c);
	tk_buf_free(&enc);
	return rc == MDB_NOTFOUND && !mdb_drop(t->txn, t->st->dbi[TK_DB_IMPORT_ROW], 0) ? 0 : TK_EXIT_FAIL;
}

static int
upgrade_rows(tk_txn *t, void *arg)
{
	long *n = arg;

	*n = tk_upgrade_import_rows(t);
	return *n < 0 ? TK_EXIT_FAIL : 0;
}

/* tests/unit row-marks DIR, tests/unit upgrade-import-rows DIR: the store
 * made as above, or upgraded (t1050), saying how many tickets changed. */
static int
store_job(const char *what, const char *dir, tk_write_fn fn)
{
	tk_store *st = tk_store_open(dir, 1);
	long n = 0;

	if (!st || tk_store_write(st, fn, &n) != 0) {
		fprintf(stderr, "%s: %s\n", what, tk_errmsg);
		return 1;
	}
	printf("%ld\n", n);
	tk_store_close(st);
	return 0;
}

/* The dry-run stream (dryrun.c): plain ids and streams read back. */
static int
dry_make(tk_txn *t, void *arg)
{
	tk_assignments as = { 0 };
	tk_ticket tk;
	int rc;

	(void)arg;
	tk_assign_parse(&as, "subject=s");
	tk_assign_parse(&as, "zeta=1");
	rc = tk_ticket_create(t, &tk, &as, NULL, 0);
	tk_ticket_free(&tk);
	tk_assignments_free(&as);
	return rc < 0 ? TK_EXIT_DATA : 0;
}

static void
test_dryrun(void)
{
	static const char plain[] = "5\n#id\tsubject\n7\tfoo\n5\nc12\nabc\n\n9\n";
	static const char stream[] = "#dry-run\n#id\tsubject\tqueue\tproduct\tage\n3\tHello\tdesk\tx\t99\n"
	    "3\tagain\t\t\t\n4\tWorld\\tW\t\t\t\n";
	char got[128] = "", dir[] = "/tmp/tk-unit.XXXXXX";
	tk_dryin *d;
	tk_ticket tk;
	tk_ids ids = { 0 };
	uint64_t id;
	FILE *fp;
	int rc, bad = 0;

	fp = fmemopen((void *)plain, sizeof plain - 1, "r");
	d = tk_dryin_open(fp, "plain");
	tk_ticket_init(&tk);
	ok(tk_dryin_stream(d) == 0, "dry-run reader: plain ids are no stream");
	while ((rc = tk_dryin_next(d, &id, &tk)) != 0)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%llu,", rc < 0 ? "bad:" : "",
		    rc < 0 ? 0ULL : (unsigned long long)id);
	is_str(got, "5,7,bad:0,9,", "dry-run reader: plain ids each once, headers and typed ids skipped, a bad line said");
	tk_dryin_close(d);
	fclose(fp);

	got[0] = '\0';
	fp = fmemopen((void *)stream, sizeof stream - 1, "r");
	d = tk_dryin_open(fp, "stream");
	ok(tk_dryin_stream(d) == 1, "dry-run reader: #dry-run starts a stream");
	while ((rc = tk_dryin_next(d, &id, &tk)) == 1)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%llu:%.*s:%.*s:%.*s;", (unsigned long long)tk.id,
		    (int)tk.f[TK_F_SUBJECT].n, tk.f[TK_F_SUBJECT].p, (int)tk.f[TK_F_QUEUE].n, tk.f[TK_F_QUEUE].p,
		    (int)tk_ticket_custom(&tk, "product").n, tk_ticket_custom(&tk, "product").p);
	is_str(got, "3:Hello:desk:x;4:World\tW::;", "dry-run reader: each ticket's fields from its record, the first of an id kept");
	tk_ticket_free(&tk);
	tk_dryin_close(d);
	fclose(fp);

	fp = fmemopen((void *)stream, sizeof stream - 1, "r");
	ok(tk_ids_read(&ids, fp, "stream", &bad) < 0 && strstr(tk_errmsg, "dry-run"),
	    "a reader of ids refuses a dry-run stream");
	fclose(fp);
	tk_ids_free(&ids);

	if (!mkdtemp(dir)) {
		ok(0, "dry-run columns: a store");
		return;
	}
	{
		tk_store *st = tk_store_open(dir, 1);
		tk_buf cols = { 0 };
		tk_txn t;
		char *decl[] = { "alpha" };

		st->declared = decl;
		st->ndeclared = 1;
		rc = tk_store_write(st, dry_make, NULL);
		rc = rc || tk_txn_read(st, &t) < 0 || tk_dryrun_columns(&t, &cols) < 0;
		ok(!rc && !strncmp(tk_buf_cstr(&cols), "id,created,updated,status,", 26) &&
		    strstr(cols.p, ",requester_name,nps,") && strstr(cols.p, ",sla_due,alpha,zeta") && !strstr(cols.p, "body"),
		    "dry-run columns: id, the stored fields, the custom ones declared or held, sorted; no body");
		if (!rc)
			tk_txn_end(&t);
		printf("# %s\n", tk_buf_cstr(&cols));
		tk_buf_free(&cols);
		st->declared = NULL;
		st->ndeclared = 0;
		tk_store_close(st);
		remove_store(dir);
	}
}

/* The derived field script (script.c): its thresholds and its window. */
static void
test_script(void)
{
	char *big = tk_xmalloc(TK_SCRIPT_WINDOW + 30001);
	size_t i;

	is_str(tk_script("", 0, "", 0), "", "script: no letter, empty");
	is_str(tk_script("12 34!", 6, "", 0), "", "script: digits and punctuation are no letters");
	is_str(tk_script("VPN down", 8, "", 0), "latin", "script: English is latin");
	is_str(tk_script("\xe6\x89\x93\xe5\x8d\xb0\xe6\x9c\xba", 9, "", 0), "han", "script: 打印机 is han");
	/* 1 Han letter of 10: not under a tenth; of 11: under. */
	is_str(tk_script("abcdefghi\xe6\x89\x93", 12, "", 0), "mixed", "script: a tenth Han is mixed");
	is_str(tk_script("abcdefghij\xe6\x89\x93", 13, "", 0), "latin", "script: under a tenth Han is latin");
	/* 打印机 + "abc": 3 of 6, not over half; 打印机 + "ab": over half. */
	is_str(tk_script("\xe6\x89\x93\xe5\x8d\xb0\xe6\x9c\xba abc", 13, "", 0), "mixed", "script: half Han is mixed");
	is_str(tk_script("\xe6\x89\x93\xe5\x8d\xb0\xe6\x9c\xba", 9, "ab", 2), "han", "script: the body counts with the subject");
	is_str(tk_script("Привет", 12, "", 0), "latin", "script: other letters count on the latin side");
	is_str(tk_script("\xe4\xbd\xa0\xe5\xa5\xbd\xef\xbc\x8c\xe3\x80\x82", 12, "", 0), "han", "script: CJK punctuation is no letter");
	memset(big, 'a', TK_SCRIPT_WINDOW);
	for (i = TK_SCRIPT_WINDOW; i + 3 <= TK_SCRIPT_WINDOW + 30000; i += 3)
		memcpy(big + i, "\xe6\x89\x93", 3);
	is_str(tk_script("x", 1, big, i), "latin", "script: the body past its first 4 KiB is not counted");
	memset(big, 'a', 10);
	for (i = 10; i + 3 <= TK_SCRIPT_WINDOW + 30000; i += 3)
		memcpy(big + i, "\xe6\x89\x93", 3);
	is_str(tk_script("", 0, big, i), "han", "script: a window cut in the middle of a character");
	free(big);
}

/* The literal prefilter (literals.c) never leaves out a pattern that
 * matches: every pattern against every text, PCRE2's answer against it. */
static void
test_literals(void)
{
	static const char *const pats[] = {
		"(?i)printer|打印机|toner", "error\\s+0x[0-9a-f]+", "\\d+", "colou?r", "ab+c", "a\\.b",
		"(?x) foo bar", "x(?:foo|bar)y", "foo|\\w+", "(?i)STRASSE", "(?i)ſtop", "K", "(?i)σοφία",
		"VPN\\s*断线", "^re:\\s*urgent", "[abc]def", "de{2}p", "de{0,2}p", "a{1,}b", "(?i)\\bvpn\\b",
		"\\Qa.b\\E", "c\\+\\+", "x*y", "(ab|cd)ef", "sent\\s+from\\s+my\\s+(?:iphone|ipad)", "错误代码\\s*\\S+",
		"(?i)ÉCOLE", "a|b|", "(?:)", "\\bE-\\d{3}\\b", "[[:alpha:]]+x", "\\p{Han}+机", "gr[ae]y|grey",
		NULL
	};
	static const char *const texts[] = {
		"The PRINTER is off", "打印机坏了", "Error  0x1F", "colour", "color", "abbbc", "a.b", "foobar",
		"xbary", "anything", "straße", "STOP", "Kelvin \xe2\x84\xaa", "ΣΟΦΊΑ", "vpn断线", "RE:  Urgent", "cdef",
		"deep", "dp", "aab", "VPN down", "C++", "y", "cdef", "Sent from my iPad", "错误代码 E-102", "école",
		"", "E-102", "打印机", "grey", "ſtop", "k", NULL
	};
	tk_lits *l = tk_lits_new(), *e = tk_lits_new();
	uint64_t hits[2], hite[2];
	int always[64] = { 0 }, bad = 0, ok_each = 1;
	tk_buf fold = { 0 };
	size_t i, j;

	for (i = 0; pats[i]; i++) {
		always[i] = !tk_lits_add(l, pats[i], (unsigned)i);
		tk_lits_add(e, pats[i], (unsigned)i);
	}
	ok(always[2] && always[6] && always[8] && always[20] && !always[0] && !always[3],
	    "literals: \\d+, (?x), a branch without one and \\Q are candidates always; keywords are not");
	for (j = 0; texts[j]; j++) {
		memset(hits, 0, sizeof hits);
		memset(hite, 0, sizeof hite);
		tk_lits_scan(l, texts[j], strlen(texts[j]), hits, &fold);
		tk_lits_scan_each(e, texts[j], strlen(texts[j]), hite, &fold);
		if (memcmp(hits, hite, sizeof hits))
			ok_each = 0;
		for (i = 0; pats[i]; i++) {
			int ec, m;
			PCRE2_SIZE eo;
			pcre2_code *re = pcre2_compile((PCRE2_SPTR)pats[i], PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP,
			    &ec, &eo, NULL);
			pcre2_match_data *md = re ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;

			m = re && pcre2_match(re, (PCRE2_SPTR)texts[j], strlen(texts[j]), 0, 0, md, NULL) >= 0;
			if (m && !always[i] && !(hits[i >> 6] & 1ULL << (i & 63))) {
				printf("#   %s matches \"%s\", but no literal of it was found\n", pats[i], texts[j]);
				bad++;
			}
			pcre2_match_data_free(md);
			pcre2_code_free(re);
		}
	}
	ok(!bad, "literals: every pattern that matches a text has a literal found in it (case-folded)");
	ok(ok_each, "literals: the automaton and the search of each literal find the same");
	memset(hits, 0, sizeof hits);
	tk_lits_scan(l, "nothing here", 12, hits, &fold);
	ok(!(hits[0] & 1) && !(hits[0] & 1ULL << 19), "literals: a text without them leaves keywords out");
	tk_buf_free(&fold);
	tk_lits_free(l);
	tk_lits_free(e);
}

/* tests/unit v6-nolinks DIR: a store made by this tk taken back to schema 6
 * as it was before links: the links sub-database emptied. */
static int
to_v6(tk_txn *t, void *arg)
{
	MDB_val k = { 6, "schema" }, v = { 1, "6" };

	(void)arg;
	if (mdb_drop(t->txn, t->st->dbi[TK_DB_LINKS], 0) || mdb_drop(t->txn, t->st->dbi[TK_DB_MERGES], 0) ||
	    mdb_put(t->txn, t->st->dbi[TK_DB_META], &k, &v, 0))
		return tk_error("cannot go back to schema 6"), TK_EXIT_FAIL;
	return 0;
}

/* text.c: the words of the full-text index. */
static void
tokens_are(const char *text, int flags, const char *want, const char *what)
{
	tk_tokens tt = { 0 };
	tk_buf b = { 0 };
	size_t i;

	tk_text_tokens(&tt, text, strlen(text), 0, flags);
	for (i = 0; i < tt.n; i++)
		tk_buf_printf(&b, "%s%.*s@%u", i ? " " : "", (int)tt.v[i].len, tt.text.p + tt.v[i].off, tt.v[i].pos);
	is_str(tk_buf_cstr(&b), want, what);
	tk_buf_free(&b);
	tk_tokens_free(&tt);
}

static void
test_text(void)
{
	tokens_are("VPN连接超时", TK_TEXT_QUERY, "vpn@0 连接@1 接超@2 超时@3", "text: script boundary, query bigrams");
	tokens_are("ＶＰＮ Vpn VPN", 0, "vpn@0 vpn@1 vpn@2", "text: full-width and case fold to one word");
	tokens_are("端口８０８０", 0, "端@0 端口@0 口@1 8080@2", "text: full-width digits, unigrams and bigrams");
	tokens_are("打", TK_TEXT_QUERY, "打@0", "text: a one-character query is a unigram");
	tokens_are("網絡連線", TK_TEXT_QUERY, "网络@0 络连@1 连线@2", "text: traditional folded to simplified");
	tokens_are("Drivers, policies; class!", 0, "driver@0 policy@1 class@2", "text: the light stemmer");
	tokens_are("Drivers", TK_TEXT_NOSTEM, "drivers@0", "text: no stemmer when asked");
	tokens_are("Café naïve", 0, "café@0 naïve@1", "text: NFKC keeps composed letters");
	tokens_are("，。！？ ... ---", 0, "", "text: punctuation only gives no words");
	tokens_are("a\xff\xfe" "b", 0, "a@0 b@1", "text: bytes that are not UTF-8 separate");
	ok(tk_text_stop("the", 3) && tk_text_stop("的", 3) && !tk_text_stop("vpn", 3), "text: stop words");
	ok(tk_text_fold_han(0x7DB2) == 0x7F51 && tk_text_fold_han(0x7F51) == 0x7F51, "text: 網 -> 网, 网 stays");
}

/* ---- mime.c and template.c ---- */

static int
b64val(int c)
{
	const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", *p;

	return c && (p = strchr(t, c)) ? (int)(p - t) : -1;
}

/* The text of a header field's encoded words and plain text, decoded
 * (white space between two encoded words dropped, as RFC 2047 says). */
static void
unfold_decode(const char *field, tk_buf *out)
{
	const char *p = strchr(field, ':') + 1, *q, *e;
	int prev_ew = 0;
	tk_buf ws = { 0 };

	out->len = 0;
	while (*p == ' ')
		p++;
	while (*p && !(p[0] == '\n' && p[1] != ' ')) {
		if (!strncmp(p, "=?UTF-8?B?", 10) && (e = strstr(p + 10, "?="))) {
			unsigned v = 0;
			int bits = 0, c;

			if (ws.len && !prev_ew)
				tk_buf_add(out, ws.p, ws.len);
			for (q = p + 10; q < e; q++) {
				if (*q == '=' || (c = b64val(*q)) < 0)
					continue;
				v = v << 6 | (unsigned)c;
				bits += 6;
				if (bits >= 8) {
					bits -= 8;
					tk_buf_addc(out, (char)(v >> bits & 0xff));
				}
			}
			ws.len = 0;
			prev_ew = 1;
			p = e + 2;
			continue;
		}
		if (*p == ' ' || *p == '\n') {
			/* a fold is the blank after it */
			if (*p == ' ')
				tk_buf_addc(&ws, ' ');
			p++;
			continue;
		}
		tk_buf_add(out, ws.p, ws.len);
		ws.len = 0;
		prev_ew = 0;
		tk_buf_addc(out, *p++);
	}
	tk_buf_cstr(out);
	tk_buf_free(&ws);
}

static int
lines_within(const char *s, size_t max)
{
	const char *nl;

	for (; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		if (!nl)
			nl = s + strlen(s);
		if ((size_t)(nl - s) > max)
			return 0;
		if (!*nl)
			break;
	}
	return 1;
}

static void
qp_decode(const char *s, tk_buf *out)
{
	out->len = 0;
	for (; *s; s++) {
		if (s[0] == '=' && s[1] == '\n') {
			s++;
			continue;
		}
		if (s[0] == '=' && s[1] && s[2]) {
			char h[3] = { s[1], s[2], 0 };

			tk_buf_addc(out, (char)strtol(h, NULL, 16));
			s += 2;
			continue;
		}
		tk_buf_addc(out, *s);
	}
	tk_buf_cstr(out);
}

static tk_str
tpl_value(const char *name, void *arg)
{
	(void)arg;
	if (!strcmp(name, "subject"))
		return TK_STR("{{id}} is {{subject}}");
	if (!strcmp(name, "id"))
		return TK_STR("42");
	return TK_STR("");
}

static void
test_mime(void)
{
	tk_buf b = { 0 }, d = { 0 };
	const char *zh = "打印机卡纸，无法打印。第三层的打印机从昨天开始一直卡纸，请尽快处理，谢谢！";
	tk_mime_addr a[3] = { { "Li, Wang", "wli@example.com" }, { "王磊", "wang@example.cn" }, { NULL, "x@y.z" } };
	char longascii[400];
	tk_template *tp;
	int code;
	size_t i;

	tk_mime_header(&b, "Subject", "hello world", 11);
	is_str(tk_buf_cstr(&b), "Subject: hello world\n", "mime: an ASCII subject as it is");
	b.len = 0;
	tk_mime_header(&b, "Subject", "a\r\nBcc: x@y.z\tend", 17);
	is_str(tk_buf_cstr(&b), "Subject: a Bcc: x@y.z end\n", "mime: CR, LF and TAB become one space: no header added");
	b.len = 0;
	tk_mime_header(&b, "Subject", "打印机", strlen("打印机"));
	is_str(tk_buf_cstr(&b), "Subject: =?UTF-8?B?5omT5Y2w5py6?=\n", "mime: UTF-8 as a base64 encoded word");
	b.len = 0;
	tk_mime_header(&b, "Subject", zh, strlen(zh));
	unfold_decode(tk_buf_cstr(&b), &d);
	is_str(d.p, zh, "mime: a long Chinese subject decodes to itself");
	ok(lines_within(b.p, 76) && strchr(b.p, '\n') < b.p + b.len - 1, "mime: its encoded words fold, lines at most 76");
	b.len = 0;
	tk_mime_header(&b, "Subject", "see =?x?", 8);
	ok(strstr(b.p, "=?UTF-8?B?") != NULL, "mime: ASCII that reads as an encoded word is encoded");
	for (i = 0; i < sizeof longascii - 1; i++)
		longascii[i] = i % 7 == 6 ? ' ' : 'a' + (char)(i % 26);
	longascii[sizeof longascii - 2] = 'z';
	longascii[sizeof longascii - 1] = '\0';
	b.len = 0;
	tk_mime_header(&b, "Subject", longascii, strlen(longascii));
	ok(lines_within(b.p, 78), "mime: long ASCII folded at 78 columns");
	unfold_decode(b.p, &d);
	is_str(d.p, longascii, "mime: the folded ASCII unfolds to itself");
	b.len = 0;
	tk_mime_addresses(&b, "To", a, 3);
	unfold_decode(b.p, &d);
	is_str(d.p, "\"Li, Wang\" <wli@example.com>, 王磊 <wang@example.cn>, x@y.z",
	    "mime: names quoted or encoded, a bare address as it is");
	ok(strstr(b.p, "=?UTF-8?B?546L56OK?= <wang@example.cn>") != NULL, "mime: a Chinese name is an encoded word");
	{
		char slashes[601];
		tk_mime_addr la = { slashes, "a@b.c" };

		memset(slashes, '\\', 600);
		slashes[600] = '\0';
		b.len = 0;
		tk_mime_addresses(&b, "To", &la, 1);
		unfold_decode(b.p, &d);
		ok(lines_within(b.p, 78) && !strncmp(d.p, slashes, 600), "mime: a name too long to quote on a line is encoded");
	}
	ok(tk_mime_addr_ok("a@b.c", 5) && !tk_mime_addr_ok("a b@c", 5) && !tk_mime_addr_ok("a@b@c", 5) &&
	    !tk_mime_addr_ok("ab.c", 4) && !tk_mime_addr_ok("a@b\n", 4) && !tk_mime_addr_ok("<a@b>", 5),
	    "mime: addresses: one @, no blank, control or special");
	ok(!tk_mime_needs_qp("short\nlines\n", 12), "mime: short lines go as 8bit");
	b.len = 0;
	{
		tk_buf in = { 0 };

		for (i = 0; i < 1500; i++)
			tk_buf_adds(&in, i % 100 == 99 ? "é" : "x");
		tk_buf_adds(&in, " =tail \n中文 \n");
		ok(tk_mime_needs_qp(in.p, in.len), "mime: a line over 998 bytes needs quoted-printable");
		tk_mime_qp(&b, in.p, in.len);
		ok(lines_within(tk_buf_cstr(&b), 76), "mime: quoted-printable lines at most 76");
		qp_decode(b.p, &d);
		ok(d.len == in.len && !memcmp(d.p, in.p, in.len), "mime: quoted-printable decodes to the text");
		ok(strstr(b.p, "=3Dtail=20\n") != NULL, "mime: = and a blank before a line end encoded");
		tk_buf_free(&in);
	}

	tp = tk_template_parse("t", "Subject: [tk #{{id}}] {{ Subject }}\n\nHi {{requester_name|there}},\n{{subject}}.\n\n\n",
	    strlen("Subject: [tk #{{id}}] {{ Subject }}\n\nHi {{requester_name|there}},\n{{subject}}.\n\n\n"), &code);
	ok(tp && tk_template_has_subject(tp) && tk_template_has_text(tp), "template: a subject and a text");
	b.len = 0;
	tk_template_render(tp, TK_TPL_SUBJECT, &b, tpl_value, NULL);
	is_str(b.p, "[tk #42] {{id}} is {{subject}}", "template: values inserted once, never read again");
	b.len = 0;
	tk_template_render(tp, TK_TPL_BODY, &b, tpl_value, NULL);
	is_str(b.p, "Hi there,\n{{id}} is {{subject}}.", "template: a default for an empty field; trailing lines dropped");
	tk_template_free(tp);
	tp = tk_template_parse("t", "Set: status=resolved +done 'category=Hardware issue'\n\nok\n", 55, &code);
	ok(tp && tk_template_sets(tp)->n == 3 && !strcmp(tk_template_sets(tp)->a[2].value, "Hardware issue"),
	    "template: Set: lines in the assignment language, quotes keep blanks");
	tk_template_free(tp);
	tp = tk_template_parse("t", "Hello {{x y}}\n", 14, &code);
	ok(!tp && code == TK_EXIT_DATA && strstr(tk_errmsg, "t:1: {{x y}}: not a field name"),
	    "template: a bad name is file:line, exit 3");
	tp = tk_template_parse("t", "a\n\nb {{c\n", 9, &code);
	ok(!tp && strstr(tk_errmsg, "t:3: {{ with no }}"), "template: an open {{ is named with its line");
	tp = tk_template_parse("t", "Subject: x\nSet: +a\nNote: y\n\nz", 29, &code);
	ok(!tp && strstr(tk_errmsg, "t:3: Note: not a template header"), "template: an unknown header line");
	tp = tk_template_parse("t", "Set: stat=\"open\n\nz", 18, &code);
	ok(!tp && strstr(tk_errmsg, "t:1: Set: \" with no closing"), "template: an unclosed quote");
	tp = tk_template_parse("t", "x\xff\n", 3, &code);
	ok(!tp && strstr(tk_errmsg, "t:1: invalid UTF-8"), "template: invalid UTF-8 named with its line");
	tp = tk_template_parse("t", "Note: not a header\nx", 20, &code);
	ok(tp && !tk_template_has_subject(tp), "template: a first line no header is text");
	tk_template_free(tp);
	ok(tk_template_name_ok("breach.zh") && !tk_template_name_ok(".hidden") && !tk_template_name_ok("a/b"),
	    "template: names");
	tk_buf_free(&b);
	tk_buf_free(&d);
}

/* Tickets with comments for v7-store. */
static int
commented_tickets(tk_txn *t, void *arg)
{
	tk_assignments as;
	tk_ticket tk;
	int i, rc = 0;

	(void)arg;
	for (i = 0; i < 3 && !rc; i++) {
		memset(&as, 0, sizeof as);
		tk_assign_add(&as, "subject", "old ticket");
		tk_assign_add(&as, "requester", "old@example.com");
		tk_ticket_init(&tk);
		rc = tk_ticket_create(t, &tk, &as, NULL, 0) < 0;
		/* ticket 1: two replies; 2: none; 3: one */
		if (!rc && i != 1)
			rc = tk_comment_add(t, tk.id, "agent7", 0, "answered", 8) < 0;
		if (!rc && i == 0)
			rc = tk_comment_add(t, tk.id, "agent7", 0, "again", 5) < 0;
		tk_ticket_free(&tk);
		tk_assignments_free(&as);
	}
	return rc ? TK_EXIT_FAIL : 0;
}

/* tests/unit v7-store DIR: a schema 7 store for the upgrade to 12:
 * tickets with replies, and no notice sub-databases. */
static int
make_v7_store(const char *dir)
{
	static const int since12[] = { TK_DB_NOTICE_QUEUE, TK_DB_NOTICE_MARK };
	tk_store *st = tk_store_open(dir, 1);
	MDB_txn *txn;
	MDB_val k = { 6, "schema" }, v = { 1, "7" };
	size_t i;
	int rc = 0;

	if (!st || tk_store_write(st, commented_tickets, NULL) != 0) {
		fprintf(stderr, "v7-store: %s\n", tk_errmsg);
		return 1;
	}
	if (mdb_txn_begin(st->env, NULL, 0, &txn))
		return 1;
	for (i = 0; i < sizeof since12 / sizeof *since12 && !rc; i++)
		rc = mdb_drop(txn, st->dbi[since12[i]], 1);
	if (rc || mdb_put(txn, st->dbi[TK_DB_META], &k, &v, 0) || mdb_txn_commit(txn)) {
		fprintf(stderr, "v7-store: cannot set schema 7\n");
		return 1;
	}
	tk_store_close(st);
	return 0;
}

/* tests/unit to-v14 DIR: a store made by this tk taken back to schema 14:
 * no contact_stats (the contacts' summaries schema 16 brought). */
static int
to_v14(const char *dir)
{
	tk_store *st = tk_store_open(dir, 1);
	MDB_txn *txn;
	MDB_val k = { 6, "schema" }, v = { 2, "14" };

	if (!st || mdb_txn_begin(st->env, NULL, 0, &txn) || mdb_drop(txn, st->dbi[TK_DB_CONTACT_STATS], 1) ||
	    mdb_put(txn, st->dbi[TK_DB_META], &k, &v, 0) || mdb_txn_commit(txn)) {
		fprintf(stderr, "to-v14: cannot set schema 14\n");
		return 1;
	}
	tk_store_close(st);
	return 0;
}

/* tests/unit old-tickets DIR < lines "requester TAB status": tickets as a
 * tk before the customer directory made them (no intake hooks: no
 * contact, org or tier), subjects "old 1", "old 2"... */
static int
old_tickets(tk_txn *t, void *arg)
{
	char line[512], subject[32], *tab;
	tk_assignments as;
	tk_ticket tk;
	long n = 0;
	int rc = 0;

	(void)arg;
	while (!rc && fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!(tab = strchr(line, '\t')))
			continue;
		*tab = '\0';
		snprintf(subject, sizeof subject, "old %ld", ++n);
		memset(&as, 0, sizeof as);
		tk_assign_add(&as, "subject", subject);
		tk_assign_add(&as, "requester", line);
		tk_assign_add(&as, "status", tab + 1);
		tk_ticket_init(&tk);
		rc = tk_ticket_create(t, &tk, &as, NULL, 0) < 0;
		tk_ticket_free(&tk);
		tk_assignments_free(&as);
	}
	return rc ? TK_EXIT_FAIL : 0;
}

static int
old_tickets_store(const char *dir)
{
	tk_store *st = tk_store_open(dir, 1);

	if (!st || tk_store_write(st, old_tickets, NULL)) {
		fprintf(stderr, "old-tickets: %s\n", tk_errmsg);
		return 1;
	}
	tk_store_close(st);
	return 0;
}

/* tests/unit cstats-until DIR N: the contacts' summaries as a bulk run
 * cut short after ticket N leaves them (the later tickets past the mark). */
static int
cstats_until(tk_txn *t, void *arg)
{
	return tk_cstats_rebuild(t, (uint64_t)strtoull(arg, NULL, 10)) < 0 ? TK_EXIT_FAIL : 0;
}

static int
cstats_until_store(const char *dir, const char *n)
{
	tk_store *st = tk_store_open(dir, 1);

	if (!st || tk_store_write(st, cstats_until, (void *)n)) {
		fprintf(stderr, "cstats-until: %s\n", tk_errmsg);
		return 1;
	}
	tk_store_close(st);
	return 0;
}

int
main(int argc, char **argv)
{
	setenv("TK_NOW", "2026-11-22T09:30:00Z", 1);
	if (argc == 3 && !strcmp(argv[1], "v6-store"))
		return make_v6_store(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "v7-store"))
		return make_v7_store(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "v2-store"))
		return make_v2_store(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "v4-store"))
		return make_v4_store(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "v5-store"))
		return make_v5_store(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "v15-store"))
		return make_v15_store(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "v8-store"))
		return make_v8_store(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "to-v14"))
		return to_v14(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "old-tickets"))
		return old_tickets_store(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "cstats-until"))
		return cstats_until_store(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "v6-nolinks"))
		return store_job(argv[1], argv[2], to_v6);
	if (argc == 3 && !strcmp(argv[1], "row-marks"))
		return store_job(argv[1], argv[2], put_row_marks);
	if (argc == 3 && !strcmp(argv[1], "upgrade-import-rows"))
		return store_job(argv[1], argv[2], upgrade_rows);
	test_escape();
	test_text();
	test_reader();
	test_times();
	test_width();
	test_encoding();
	test_assignments();
	test_statuses();
	test_filters();
	test_passwd();
	test_id_limit();
	test_schema();
	test_hash();
	test_lines();
	test_csv_fast();
	test_csv_wide();
	test_import_time();
	test_postings();
	test_active();
	test_dryrun();
	test_script();
	test_literals();
	test_mime();
	printf("1..%d\n", n_tests);
	return n_failed != 0;
}
