/*
 * query.c - the filter language of tk-ls, shared by every listing command,
 * the routing rules and the SLA policies.
 *
 * A filter is a list of terms, all of which must hold:
 *
 *   name=v      equal; "a,b" is a list (any of); an empty v means unset
 *   name!=v     none of the values
 *   name~re     PCRE2 regex matches (name!~re: does not)
 *   name=a..b   inclusive range on times, numbers, durations and priority;
 *               either end may be left out ("age=2d..", "due=..1h")
 *   name<v name<=v name>v name>=v   the same ranges, for those who quote
 *   assignee=me  the Unix user (watchers=me too)
 *   text=words  full-text: the subject, body and comments hold the words
 *               (tk-kb(1)'s query language; text!=words: they do not)
 *
 * Times in ranges are absolute or relative to now ("-2d", "1h"); a bare date
 * as the upper end means the end of that day, and "created=2026-11-01"
 * alone means that whole day.
 *
 * tk_filter_run picks an access path: the smallest equality index set
 * (status, priority, queue, assignee, requester, external_id, a custom
 * field the store indexes), a range of
 * the created or updated index, the ids given on standard input, the
 * working set (active.c) for active statuses, or, when none of these is
 * selective, one pass over all tickets in id order. Every ticket found
 * through an index is still checked against every term.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 10000

enum op { OP_EQ, OP_NE, OP_RE, OP_NRE, OP_RANGE, OP_NRANGE };

struct term {
	char *text;
	char *name;
	int field;
	int db;			/* the index it can use: tk_fields[field].dbi, ix_custom, or -1 */
	int kind;
	enum op op;
	char **vals;
	size_t nvals;
	pcre2_code *re;
	pcre2_match_data *md;
	const char *pat;	/* the pattern, in text */
	int has_lo, has_hi;
	long long lo, hi;	/* ints and durations */
	int ckind;		/* a declared custom field's: tk_hooks->kind (tk_fields_kind) */
	int retype;		/* a custom range read before the fields file: again after */
	int rexcl[2];		/* a range's ends as written: exclusive, */
	long roff[2], rlen[2];	/* their bytes in text (roff -1: none) */
	double dlo, dhi;	/* numbers (ckind 'n'); dates and times of day go in slo, shi */
	char slo[32], shi[32];	/* times as ISO, priorities */
	tk_ftq *ftq;		/* text=: the query (kb.c); field is the subject */
	int ftset;		/* the index answered: ftids, with pend read directly */
	int ftexact;		/* ftids are the matches (else candidates: tk_ftq_exact) */
	uint64_t *ftids, *pend, *franges;	/* franges: pending lo, hi pairs */
	size_t nftids, npend, nfranges;
};

struct tk_filter {
	struct term *t;
	size_t n, cap;
	int has_status;
	int want_default;	/* tk_filter_default_status: the working set's statuses */
	uint64_t *ids;
	size_t nids;
	int use_ids;
	const char *plan;
	pcre2_match_context *mctx;
	tk_buf planbuf;
	tk_buf warning;		/* why the term last added never matches, or empty */
	int nojit;		/* tk_filter_jit(q, 0): one ticket to match, JIT costs more than it saves */
	int lazy;		/* tk_filter_lazy: regexes compiled when first matched */
	int shared;		/* tk_filter_shared: matched from several threads */
};

_Thread_local long tk_filter_errpos = -1;

tk_filter *
tk_filter_new(void)
{
	tk_filter *q = tk_xmalloc(sizeof *q);

	memset(q, 0, sizeof *q);
	q->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(q->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(q->mctx, DEPTH_LIMIT);
	return q;
}

void
tk_filter_free(tk_filter *q)
{
	size_t i, j;

	if (!q)
		return;
	for (i = 0; i < q->n; i++) {
		for (j = 0; j < q->t[i].nvals; j++)
			free(q->t[i].vals[j]);
		free(q->t[i].vals);
		free(q->t[i].name);
		free(q->t[i].text);
		if (q->t[i].md)
			pcre2_match_data_free(q->t[i].md);
		if (q->t[i].re)
			pcre2_code_free(q->t[i].re);
		tk_ftq_free(q->t[i].ftq);
		free(q->t[i].ftids);
		free(q->t[i].pend);
		free(q->t[i].franges);
	}
	free(q->t);
	free(q->ids);
	pcre2_match_context_free(q->mctx);
	tk_buf_free(&q->planbuf);
	tk_buf_free(&q->warning);
	free(q);
}

static size_t
name_len(const char *s)
{
	size_t i = 0;

	while (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.')
		i++;
	return i;
}

int
tk_is_filter(const char *arg)
{
	size_t n = name_len(arg);

	return n > 0 && arg[n] && strchr("=!~<>", arg[n]) != NULL;
}

static int
rangeable(int field, int kind)
{
	return kind == TK_K_TIME || kind == TK_K_INT || kind == TK_K_DURATION ||
	    field == TK_F_PRIORITY || field == TK_F_CUSTOM;
}

static int
priority_norm(const char *v, char out[32], const char *term)
{
	if ((v[0] == 'p' || v[0] == 'P') && v[1] >= '1' && v[1] <= '4' && !v[2]) {
		out[0] = 'P';
		out[1] = v[1];
		out[2] = '\0';
		return 0;
	}
	return tk_error("%s: %s is not a priority (P1..P4)", term, v);
}

/*
 * One end of a range of a declared number, date or time-of-day field
 * (ckind): a number in dlo/dhi; a date (2026-11-30, or relative, 3d) as
 * the field keeps it, YYYY-MM-DD, and a time of day as HH:MM:SS, in
 * slo/shi, compared as text. An exclusive end moves by the smallest step
 * (a day, a second; a number's is none: dhi kept, the test strict).
 */
static int
custom_end(struct term *t, const char *v, int hi, int exclusive)
{
	char *end, *out = hi ? t->shi : t->slo;
	time_t when;
	struct tm tm;
	int h, m, s = 0, n;

	if (t->ckind == 'n') {
		double x = strtod(v, &end);

		if (!*v || *end || x != x)
			return tk_error("%s: %s is not a number", t->text, v);
		*(hi ? &t->dhi : &t->dlo) = x;
		if (exclusive)
			*(hi ? &t->has_hi : &t->has_lo) = 2;	/* (strict) */
		else
			*(hi ? &t->has_hi : &t->has_lo) = 1;
		return 0;
	}
	if (t->ckind == 'd') {
		if (tk_time_parse(v, &when, NULL) < 0)
			return tk_error("%s: %s", t->text, tk_errmsg);
		if (exclusive)
			when += hi ? -86400 : 86400;
		localtime_r(&when, &tm);
		strftime(out, sizeof t->slo, "%Y-%m-%d", &tm);
	} else {
		n = 0;
		if (sscanf(v, "%2d:%2d%n:%2d%n", &h, &m, &n, &s, &n) < 2 || v[n] || h > 23 || m > 59 || s > 59 ||
		    h < 0 || m < 0 || s < 0)
			return tk_error("%s: %s is not a time of day (HH:MM or HH:MM:SS)", t->text, v);
		n = h * 3600 + m * 60 + s + (exclusive ? (hi ? -1 : 1) : 0);
		if (n < 0 || n >= 86400)	/* (before midnight, or after the last second: none) */
			n = n < 0 ? -1 : 86400;
		if (n < 0)
			out[0] = '\0';	/* (an upper end before midnight: below every time) */
		else if (n >= 86400)
			strcpy(out, "24:00:00");	/* (a lower end past the last second: above every time) */
		else
			snprintf(out, sizeof t->slo, "%02d:%02d:%02d", n / 3600, n / 60 % 60, n % 60);
	}
	*(hi ? &t->has_hi : &t->has_lo) = 1;
	return 0;
}

/* One end of a range: sets lo/hi or slo/shi. hi: the upper end. */
static int
range_end(struct term *t, const char *v, int hi, int exclusive)
{
	long long n;
	time_t when;
	int dateonly;
	char *end;

	if (t->field == TK_F_CUSTOM && t->ckind && t->ckind != 'i')
		return custom_end(t, v, hi, exclusive);
	if (t->field == TK_F_PRIORITY) {
		if (priority_norm(v, hi ? t->shi : t->slo, t->text) < 0)
			return -1;
		if (exclusive)
			(hi ? t->shi : t->slo)[1] += hi ? -1 : 1;
	} else if (t->kind == TK_K_TIME) {
		if (tk_time_parse(v, &when, &dateonly) < 0)
			return tk_error("%s: %s", t->text, tk_errmsg);
		if (hi && dateonly)
			when += 86399;
		if (exclusive)
			when += hi ? -1 : 1;
		tk_time_iso(when, hi ? t->shi : t->slo);
	} else if (t->kind == TK_K_DURATION) {
		if (tk_duration_parse(v, &n) < 0)
			return tk_error("%s: %s", t->text, tk_errmsg);
		if (exclusive)
			n += hi ? -1 : 1;
		*(hi ? &t->hi : &t->lo) = n;
	} else {
		n = strtoll(v, &end, 10);
		if ((!*v || *end) && t->field == TK_F_CUSTOM && !tk_hooks) {
			t->retype = 1;	/* (its type known once the store is open: custom_retype) */
			return 0;
		}
		if (!*v || *end)
			return tk_error("%s: %s is not a number", t->text, v);
		if (exclusive)
			n += hi ? -1 : 1;
		*(hi ? &t->hi : &t->lo) = n;
	}
	*(hi ? &t->has_hi : &t->has_lo) = 1;
	return 0;
}

static void
add_val(struct term *t, const char *v, size_t n)
{
	t->vals = tk_xrealloc(t->vals, (t->nvals + 1) * sizeof *t->vals);
	t->vals[t->nvals++] = tk_xstrndup(v, n);
}

/*
 * A value of a number field in a list: a whole number (a ticket id for id
 * and parent), kept as the field stores it ("07" is 7), or empty for
 * unset. csat=9 or id=abc would match nothing and say nothing.
 */
static int
int_value(struct term *t, const char *p, size_t n)
{
	char buf[32], *end;
	long long v;
	uint64_t id;

	if (!n) {
		add_val(t, "", 0);
		return 0;
	}
	if (n >= sizeof buf)
		return tk_error("%s: %.20s... is not a number", t->text, p);
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (t->field == TK_F_ID || t->field == TK_F_PARENT) {
		/* 0 or a number past the largest id is one, that no ticket has. */
		if (tk_id_parse(buf, n, &id) == 0)
			snprintf(buf, sizeof buf, "%llu", (unsigned long long)id);
		else if (strspn(buf, "0123456789") != n)
			return tk_error("%s: %s is not a ticket id", t->text, buf);
	} else {
		v = strtoll(buf, &end, 10);
		if (!isdigit((unsigned char)buf[0]) || *end)
			return tk_error("%s: %s is not a whole number", t->text, buf);
		if (t->field == TK_F_CSAT && (v < 1 || v > 5))
			return tk_error("%s: %s is not a CSAT score (1 to 5)", t->text, buf);
		snprintf(buf, sizeof buf, "%lld", v);
	}
	add_val(t, buf, strlen(buf));
	return 0;
}

static int
parse_list(struct term *t, const char *v)
{
	const char *p = v, *c;
	char pr[32];

	/* Subject and body hold commas too often for a list to be meant. */
	if (t->field == TK_F_SUBJECT || t->field == TK_F_BODY || (!*v && t->field != TK_F_STATUS)) {
		add_val(t, v, strlen(v));
		return 0;
	}
	for (;;) {
		c = strchr(p, ',');
		if (!c)
			c = p + strlen(p);
		if (t->field == TK_F_PRIORITY) {
			char tmp[32];

			if ((size_t)(c - p) >= sizeof tmp)
				return tk_error("%s: not a priority (P1..P4)", t->text);
			memcpy(tmp, p, (size_t)(c - p));
			tmp[c - p] = '\0';
			if (priority_norm(tmp, pr, t->text) < 0)
				return -1;
			add_val(t, pr, 2);
		} else if (t->field == TK_F_STATUS ? tk_status_installed() && !tk_status_class((tk_str){ p, (size_t)(c - p) }) :
		    tk_enum_words(t->field) && !tk_enum_ok(t->field, p, (size_t)(c - p))) {
			/* status=opne would match nothing and say nothing: a typo.
			 * (The statuses are the store's: before it is open, this
			 * waits for tk_filter_prepare; a dropped one still finds
			 * its tickets.) */
			return tk_error("%s: \"%.*s\" is not a %s (%s)", t->text, (int)(c - p), p,
			    tk_fields[t->field].name, tk_enum_words(t->field));
		} else if (t->kind == TK_K_INT) {
			if (int_value(t, p, (size_t)(c - p)) < 0)
				return -1;
		} else
			add_val(t, p, (size_t)(c - p));
		if (!*c)
			break;
		p = c + 1;
	}
	return 0;
}

/* Times tk sets when something has happened: never later than now. */
static int
past_only(int field)
{
	return field == TK_F_CREATED || field == TK_F_UPDATED || field == TK_F_RESOLVED ||
	    field == TK_F_CLOSED || field == TK_F_FIRST_RESPONSE;
}

/* A relative time written without a sign ("1h", "+2d"): later than now. */
static int
forward(const char *v, size_t n)
{
	if (n && *v == '+')
		v++, n--;
	return n && *v >= '0' && *v <= '9' && memchr(v, '-', n) == NULL && memchr(v, ':', n) == NULL &&
	    (n < 5 || v[4] != '-');
}

/*
 * A range term that can never match leaves a warning in q->warning with
 * the term it likely meant: a lower end in the future on a time that is
 * always past ("created=1h.." for "created=-1h.."), an upper end below
 * zero on an age ("age=..-1h"), ends the wrong way round. lo and hi are
 * where the ends are written in term (NULL: none); a lower end runs to
 * ".." or the end, an upper end to the end.
 */
static void
never_matches(tk_filter *q, const struct term *t, const char *term, const char *lo, const char *hi)
{
	const char *dots = lo ? strstr(lo, "..") : NULL;
	size_t lon = lo ? (dots ? (size_t)(dots - lo) : strlen(lo)) : 0;
	char now[21];
	int backwards;

	tk_time_iso(tk_now(), now);
	if (past_only(t->field) && t->has_lo && strcmp(t->slo, now) > 0) {
		tk_buf_printf(&q->warning, "%s: never matches: %s is never in the future", term, t->name);
		/* "created=1h..2h" meant from two hours ago to one. */
		if (lo && forward(lo, lon) && dots && hi == dots + 2 && forward(hi, strlen(hi)))
			tk_buf_printf(&q->warning, " (did you mean %.*s-%s..-%.*s?)", (int)(lo - term), term,
			    hi + (*hi == '+'), (int)(lon - (*lo == '+')), lo + (*lo == '+'));
		else if (lo && forward(lo, lon))
			tk_buf_printf(&q->warning, " (did you mean %.*s-%s?)", (int)(lo - term), term,
			    lo + (*lo == '+'));
		return;
	}
	if ((t->field == TK_F_AGE || t->field == TK_F_FRT) && t->has_hi && t->hi < 0) {
		tk_buf_printf(&q->warning, "%s: never matches: %s is never negative", term, t->name);
		if (hi && *hi == '-')
			tk_buf_printf(&q->warning, " (did you mean %.*s%s?)", (int)(hi - term), term, hi + 1);
		return;
	}
	if (!t->has_lo || !t->has_hi)
		return;
	if (t->field == TK_F_PRIORITY || t->kind == TK_K_TIME || t->ckind == 'd' || t->ckind == 't')
		backwards = strcmp(t->slo, t->shi) > 0;
	else if (t->ckind == 'n')
		backwards = t->dlo > t->dhi;
	else
		backwards = t->lo > t->hi;
	if (!backwards)
		return;
	tk_buf_printf(&q->warning, "%s: never matches: its low end is above its high end", term);
	if (dots && hi == dots + 2)
		tk_buf_printf(&q->warning, " (did you mean %.*s%s..%.*s?)", (int)(lo - term), term, hi,
		    (int)lon, lo);
}

/*
 * Who "me" is in a filter: the Unix user running the command (tk_actor).
 * The one place that says so: where logins of agents differ from Unix
 * users, this is where "me" becomes the agent.
 */
static const char *
me(void)
{
	return tk_actor();
}

const char *
tk_filter_warning(const tk_filter *q)
{
	return q->warning.len ? q->warning.p : NULL;
}

/* A regex term's pattern compiled (-1 with tk_errmsg and the error's
 * offset in the pattern in tk_filter_errpos). */
static int
compile(tk_filter *q, struct term *t)
{
	int errcode;
	PCRE2_SIZE erroff;
	char msg[256];

	/* UCP: \w, \d, \b and [[:alpha:]] know Unicode, so \w+ matches 打印机 */
	t->re = pcre2_compile((PCRE2_SPTR)t->pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &errcode, &erroff, NULL);
	if (!t->re) {
		pcre2_get_error_message(errcode, (PCRE2_UCHAR *)msg, sizeof msg);
		tk_filter_errpos = (long)erroff;
		return tk_error("%s: bad regex at offset %zu: %s", t->text, (size_t)erroff, msg);
	}
	if (!q->nojit)
		pcre2_jit_compile(t->re, PCRE2_JIT_COMPLETE);
	t->md = pcre2_match_data_create_from_pattern(t->re, NULL);
	return 0;
}

/* Values of a custom field's term as its declared type keeps them (an
 * enum's alias as its value, 05 as 5); a value the type refuses stays as
 * written (a stored value the file no longer allows may hold it). */
static void
normalise(struct term *t)
{
	char buf[TK_VALUE_BUF];
	size_t j;
	tk_str v;

	for (j = 0; j < t->nvals && tk_hooks && tk_hooks->value; j++)
		if (*t->vals[j] && tk_hooks->value(TK_F_CUSTOM, t->name, t->vals[j], buf, &v) == 0 &&
		    !tk_str_eq(v, t->vals[j])) {
			free(t->vals[j]);
			t->vals[j] = tk_xstrndup(v.p, v.n);
		}
}

int
tk_filter_add(tk_filter *q, const char *term)
{
	struct term t;
	size_t n = name_len(term);
	const char *p = term + n, *v, *dots;
	int excl = 0;
	long bad;
	const char *lo = NULL, *hi = NULL;

	q->warning.len = 0;
	memset(&t, 0, sizeof t);
	t.db = -1;	/* no index unless the field has one (0 is meta's handle) */
	tk_filter_errpos = -1;
	if (!n || !*p || !strchr("=!~<>", *p))
		return tk_error("%s: not a filter (field=value, field!=value, field~regex, field=a..b)", term);
	if ((bad = tk_utf8_invalid(term, strlen(term))) >= 0)
		return tk_error("%s: invalid UTF-8 at byte %ld", term, bad + 1);
	t.text = tk_xstrdup(term);
	t.name = tk_xstrndup(term, n);
	tk_field_name_lower(t.name);
	if (!strcmp(t.name, "text")) {	/* full text: no field of its own */
		char *w = (char *)p + 1 + (*p == '!');

		t.field = TK_F_SUBJECT;	/* (decoded up to the subject) */
		t.kind = TK_K_TEXT;
		if (strncmp(p, "=", 1) && strncmp(p, "!=", 2)) {
			tk_error("%s: text= or text!= and words (text='printer driver')", term);
			goto fail;
		}
		t.op = *p == '!' ? OP_NE : OP_EQ;
		if (!(t.ftq = tk_ftq_parse(&w, 1))) {
			tk_error("%s: %s", term, tk_errmsg);
			goto fail;
		}
		goto add;
	}
	t.field = tk_field_lookup(t.name);
	tk_field_name_lower(t.name);
	t.kind = t.field == TK_F_CUSTOM ? TK_K_TEXT : (int)tk_fields[t.field].kind;
	t.ckind = t.field == TK_F_CUSTOM && tk_hooks ? tk_hooks->kind(t.name) : 0;
	t.db = t.field == TK_F_CUSTOM ? -1 : tk_fields[t.field].dbi;
	if (t.field == TK_F_CUSTOM && !tk_field_name_ok(t.name)) {
		tk_error("%s: %s is not a field name", term, t.name);
		goto fail;
	}
	if (!strncmp(p, "!~", 2)) {
		t.op = OP_NRE;
		v = p + 2;
	} else if (!strncmp(p, "!=", 2)) {
		t.op = OP_NE;
		v = p + 2;
	} else if (*p == '~') {
		t.op = OP_RE;
		v = p + 1;
	} else if (*p == '<' || *p == '>') {
		t.op = OP_RANGE;
		v = p + 1;
		excl = *v != '=';
		if (*v == '=')
			v++;
		if (!rangeable(t.field, t.kind)) {
			tk_error("%s: ranges work on times, numbers, durations and priority, not %s", term, t.name);
			goto fail;
		}
		if (range_end(&t, v, *p == '<', excl) < 0)
			goto fail;
		*(*p == '<' ? &hi : &lo) = v;
		t.roff[*p != '<'] = -1;
		t.roff[*p == '<'] = (long)(v - term);
		t.rlen[*p == '<'] = (long)strlen(v);
		t.rexcl[*p == '<'] = excl;
	} else if (*p == '=') {
		v = p + 1;
		t.op = OP_EQ;
		dots = strstr(v, "..");
		if (dots && rangeable(t.field, t.kind)) {
			char *low = tk_xstrndup(v, (size_t)(dots - v));
			int rc = 0;

			t.op = OP_RANGE;
			if (!*low && !dots[2])
				rc = tk_error("%s: a range needs at least one end", term);
			if (!rc && *low)
				rc = range_end(&t, low, 0, 0);
			if (!rc && dots[2])
				rc = range_end(&t, dots + 2, 1, 0);
			free(low);
			if (rc < 0)
				goto fail;
			lo = dots > v ? v : NULL;
			hi = dots[2] ? dots + 2 : NULL;
			t.roff[0] = lo ? (long)(v - term) : -1;
			t.rlen[0] = (long)(dots - v);
			t.roff[1] = hi ? (long)(hi - term) : -1;
			t.rlen[1] = hi ? (long)strlen(hi) : 0;
		} else if (t.kind == TK_K_TIME && *v) {
			time_t when;
			int dateonly;

			/* A time: that second, or with a bare date, that whole day. */
			if (tk_time_parse(v, &when, &dateonly) < 0) {
				tk_error("%s: %s", term, tk_errmsg);
				goto fail;
			}
			t.op = OP_RANGE;
			t.has_lo = t.has_hi = 1;
			tk_time_iso(when, t.slo);
			tk_time_iso(dateonly ? when + 86399 : when, t.shi);
			lo = hi = v;
		} else if ((t.kind == TK_K_DURATION) && *v) {
			t.op = OP_RANGE;
			if (range_end(&t, v, 0, 0) < 0 || range_end(&t, v, 1, 0) < 0)
				goto fail;
			lo = hi = v;
		} else if (parse_list(&t, v) < 0)
			goto fail;
	} else {
		tk_error("%s: not a filter", term);
		goto fail;
	}
	if (t.op == OP_NE && (t.kind == TK_K_TIME || t.kind == TK_K_DURATION) && *v) {
		/* created!=2026-11-01: not that day; the value checked as a time. */
		if (range_end(&t, v, 0, 0) < 0 || range_end(&t, v, 1, 0) < 0)
			goto fail;
		t.op = OP_NRANGE;
	} else if (t.op == OP_NE && parse_list(&t, v) < 0)
		goto fail;
	/* A declared field's values as it keeps them (product=x200 is X200),
	 * once the store's fields file is read (rules; tk-ls's wait for
	 * tk_filter_prepare). */
	if (t.field == TK_F_CUSTOM && (t.op == OP_EQ || t.op == OP_NE))
		normalise(&t);
	/* "me": whoever runs the command (watcher=me, assignee!=me). */
	if ((t.field == TK_F_WATCHERS || t.field == TK_F_ASSIGNEE) && (t.op == OP_EQ || t.op == OP_NE))
		for (n = 0; n < t.nvals; n++)
			if (!strcmp(t.vals[n], "me")) {
				free(t.vals[n]);
				t.vals[n] = tk_xstrdup(me());
			}
	/* Requesters are kept as bare lowercased addresses: so are the values
	 * asked for ("Wang Li <Wang.Li@Initech.io>" finds wang.li@initech.io). */
	if (t.field == TK_F_REQUESTER && (t.op == OP_EQ || t.op == OP_NE))
		for (n = 0; n < t.nvals; n++) {
			tk_str name, addr;

			if (tk_address_split(t.vals[n], strlen(t.vals[n]), &name, &addr)) {
				memmove(t.vals[n], addr.p, addr.n);
				t.vals[n][addr.n] = '\0';
				tk_address_lower(t.vals[n], addr.n);
			}
		}
	t.pat = t.text + (v - term);
	if ((t.op == OP_RE || t.op == OP_NRE) && !q->lazy && compile(q, &t) < 0) {
		tk_filter_errpos = (long)(v - term) + tk_filter_errpos;
		goto fail;
	}
	if (t.op == OP_RANGE)
		never_matches(q, &t, term, lo, hi);
	if (t.field == TK_F_STATUS)
		q->has_status = 1;
add:
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 8;
		q->t = tk_xrealloc(q->t, q->cap * sizeof *q->t);
	}
	q->t[q->n++] = t;
	return 0;
fail:
	free(t.text);
	free(t.name);
	for (n = 0; n < t.nvals; n++)
		free(t.vals[n]);
	free(t.vals);
	return -1;
}

/* The store's statuses are known once it is open (status.c): the term is
 * added then, by tk_filter_prepare (or tk_filter_run). */
void
tk_filter_jit(tk_filter *q, int on)
{
	q->nojit = !on;
}

void
tk_filter_lazy(tk_filter *q, int on)
{
	q->lazy = on;
}

void
tk_filter_shared(tk_filter *q, int on)
{
	q->shared = on;
}

size_t
tk_filter_size(const tk_filter *q)
{
	return q->n;
}

void
tk_filter_term(const tk_filter *q, size_t i, tk_term_info *ti)
{
	const struct term *t = &q->t[i];

	ti->text = t->text;
	ti->name = t->name;
	ti->field = t->field;
	/* The pattern follows the operator "~" of a positive regex term. */
	ti->pattern = t->op == OP_RE ? t->text + strlen(t->name) + 1 : NULL;
}

tk_str
tk_filter_matched(tk_filter *q, size_t i, tk_txn *tx, tk_ticket *tk, char *scratch, size_t n)
{
	struct term *t = &q->t[i];
	tk_str v = tk_ticket_compared(tx, tk, t->field, t->name, scratch, n);
	PCRE2_SIZE *ov;

	if (t->op != OP_RE)
		return v;
	ov = pcre2_get_ovector_pointer(t->md);
	if (ov[0] > ov[1] || ov[1] > v.n)
		return v;
	return (tk_str){ v.p + ov[0], ov[1] - ov[0] };
}

void
tk_filter_default_status(tk_filter *q, int all)
{
	q->want_default = !all;
}

/* With no status term: the working set (active.c), what people are
 * working on: every status of class open or paused. */
static void
add_default_status(tk_filter *q)
{
	tk_buf term = { 0 };
	const tk_status_def *d;
	size_t i;

	if (!q->want_default || q->has_status) {
		q->want_default = 0;
		return;
	}
	q->want_default = 0;
	tk_buf_adds(&term, "status=");
	for (i = 0; (d = tk_status_at(i)); i++)
		if (tk_class_active(d->cls))
			tk_buf_printf(&term, "%s%s", term.len > 7 ? "," : "", d->name);
	tk_filter_add(q, term.p);
	tk_buf_free(&term);
}

void
tk_filter_ids(tk_filter *q, const uint64_t *ids, size_t n)
{
	q->ids = tk_xrealloc(q->ids, (n ? n : 1) * sizeof *ids);
	if (n)
		memcpy(q->ids, ids, n * sizeof *ids);
	q->nids = n;
	q->use_ids = 1;
}

/*
 * Names and values against the store: a custom field must be known (and
 * takes ix_custom when the store indexes it; its values are written as the
 * fields file's type stores them, an enum's alias as its value), a status
 * must be one of the store's (status.c; dropped ones too: tickets may hold
 * them).
 */
/* A custom field's range read again once the fields file says its type
 * (a date, a time of day, a number): tk-ls reads its filter before it
 * opens the store. 0, or -1 with tk_errmsg. */
static int
custom_retype(struct term *t)
{
	int ck = tk_hooks ? tk_hooks->kind(t->name) : 0, e;
	char *v;

	if (t->field != TK_F_CUSTOM || t->op != OP_RANGE || (ck == t->ckind && !t->retype))
		return 0;
	t->ckind = ck;
	t->retype = 0;
	t->has_lo = t->has_hi = 0;
	for (e = 0; e < 2; e++) {
		if (t->roff[e] < 0)
			continue;
		v = tk_xstrndup(t->text + t->roff[e], (size_t)t->rlen[e]);
		if (range_end(t, v, e, t->rexcl[e]) < 0) {
			free(v);
			return -1;
		}
		free(v);
	}
	return 0;
}

int
tk_filter_prepare(tk_filter *q, tk_txn *t)
{
	size_t i, j;

	add_default_status(q);
	for (i = 0; i < q->n; i++) {
		struct term *tm = &q->t[i];

		if (tm->field == TK_F_STATUS && (tm->op == OP_EQ || tm->op == OP_NE))
			for (j = 0; j < tm->nvals; j++)
				if (!tk_status_class(TK_STR(tm->vals[j])))
					return tk_error("%s: \"%s\" is not a status (%s)", tm->text, tm->vals[j],
					    tk_status_words());
		if (tm->field != TK_F_CUSTOM)
			continue;
		if ((tk_hooks && tk_hooks->field_check(t->st, t, tm->text, tm->name) < 0) || custom_retype(tm) < 0)
			return -1;
		if (tm->op == OP_EQ || tm->op == OP_NE)
			normalise(tm);
		if (tk_store_indexed(t->st, tm->name, strlen(tm->name)))
			tm->db = TK_DB_IX_CUSTOM;
	}
	return 0;
}

static int
set_has(tk_str set, const char *item)
{
	size_t n = strlen(item);
	const char *p = set.p, *end = set.p + set.n, *c;

	while (p < end) {
		c = memchr(p, ',', (size_t)(end - p));
		if (!c)
			c = end;
		if ((size_t)(c - p) == n && !memcmp(p, item, n))
			return 1;
		p = c + 1;
	}
	return 0;
}

static int
eq_any(struct term *t, tk_str v)
{
	size_t i;

	for (i = 0; i < t->nvals; i++) {
		if (t->kind == TK_K_SET && t->vals[i][0]) {
			if (set_has(v, t->vals[i]))
				return 1;
		} else if (tk_str_eq(v, t->vals[i]))
			return 1;
	}
	return 0;
}

/* Byte order, as memcmp then length: ISO times and priorities sort so. */
static int
lexcmp(tk_str v, const char *s)
{
	size_t n = strlen(s);
	int c = memcmp(v.p, s, v.n < n ? v.n : n);

	return c ? c : (v.n > n) - (v.n < n);
}

static int
in_range(struct term *t, tk_str v)
{
	char buf[32];
	long long n;
	char *end;

	if (!v.n || v.n >= sizeof buf)
		return 0;
	if (t->ckind == 't' && v.n == 5) {	/* HH:MM is HH:MM:00 */
		memcpy(buf, v.p, 5);
		memcpy(buf + 5, ":00", 4);
		v = (tk_str){ buf, 8 };
	}
	if (t->field == TK_F_PRIORITY || t->kind == TK_K_TIME || t->ckind == 'd' || t->ckind == 't')
		return (!t->has_lo || lexcmp(v, t->slo) >= 0) && (!t->has_hi || lexcmp(v, t->shi) <= 0);
	memcpy(buf, v.p, v.n);
	buf[v.n] = '\0';
	if (t->ckind == 'n') {
		double x = strtod(buf, &end);

		if (*end || x != x)
			return 0;
		return (!t->has_lo || (t->has_lo == 2 ? x > t->dlo : x >= t->dlo)) &&
		    (!t->has_hi || (t->has_hi == 2 ? x < t->dhi : x <= t->dhi));
	}
	n = strtoll(buf, &end, 10);
	if (*end)
		return 0;
	return (!t->has_lo || n >= t->lo) && (!t->has_hi || n <= t->hi);
}

static int
cmp_u64p(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* text=: the index's answer when it gave one (tickets written since it was
 * brought up to date, listed in ft_pending, read directly), else the
 * ticket's own text (a rule at intake, a store without the index). */
static int
ft_pending_has(const struct term *t, uint64_t id)
{
	size_t i;

	for (i = 0; i < t->nfranges; i++)
		if (id >= t->franges[2 * i] && id <= t->franges[2 * i + 1])
			return 1;
	return t->npend && bsearch(&id, t->pend, t->npend, sizeof *t->pend, cmp_u64p);
}

static int
text_match(struct term *t, tk_txn *tx, tk_ticket *tk)
{
	static tk_buf body;
	int rc;

	if (t->ftset && tk->id && !ft_pending_has(t, tk->id)) {
		if (!t->nftids || !bsearch(&tk->id, t->ftids, t->nftids, sizeof *t->ftids, cmp_u64p))
			return 0;
		if (t->ftexact)
			return 1;
		/* a candidate of a phrase: its subject, body, else all its text */
		if (tk_ft_quick(t->ftq, tk->f[TK_F_SUBJECT].p, tk->f[TK_F_SUBJECT].n, "", 0))
			return 1;
		if (tk_ticket_body(tx, tk) < 0)
			return -1;
		if (tk_ft_quick(t->ftq, tk->f[TK_F_SUBJECT].p, tk->f[TK_F_SUBJECT].n, tk->body.p, tk->body.n))
			return 1;
	}
	if (tk_ft_ticket_text(tx, tk, &body) < 0)
		return -1;
	rc = tk_ft_match_text(t->ftq, tk->f[TK_F_SUBJECT].p, tk->f[TK_F_SUBJECT].n, body.p, body.len);
	return rc;
}

static int
term_match(tk_filter *q, struct term *t, tk_txn *tx, tk_ticket *tk)
{
	char scratch[32];
	tk_str v;
	int rc;

	if (t->ftq) {
		rc = text_match(t, tx, tk);
		return rc < 0 ? rc : t->op == OP_NE ? !rc : rc;
	}
	v = tk_ticket_compared(tx, tk, t->field, t->name, scratch, sizeof scratch);
	switch (t->op) {
	case OP_EQ:
		return eq_any(t, v);
	case OP_NE:
		return !eq_any(t, v);
	case OP_RANGE:
		return in_range(t, v);
	case OP_NRANGE:
		return !in_range(t, v);
	case OP_RE:
	case OP_NRE:
		if (!t->re && compile(q, t) < 0)
			return -1;
		if (q->shared) {	/* (match data of its own: several threads match q) */
			pcre2_match_data *md = pcre2_match_data_create(1, NULL);

			if (!md)
				return tk_error("%s: out of memory", t->text);
			rc = pcre2_match(t->re, (PCRE2_SPTR)(v.n ? v.p : ""), v.n, 0, PCRE2_NO_UTF_CHECK, md, q->mctx);
			pcre2_match_data_free(md);
		} else
			rc = pcre2_match(t->re, (PCRE2_SPTR)(v.n ? v.p : ""), v.n, 0, PCRE2_NO_UTF_CHECK, t->md,
			    q->mctx);
		if (rc >= 0)
			return t->op == OP_RE;
		if (rc == PCRE2_ERROR_NOMATCH)
			return t->op == OP_NRE;
		if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
			return tk_error("%s: regex gave up on ticket %llu: it backtracks too much (match limit %d)",
			    t->text, (unsigned long long)tk->id, MATCH_LIMIT);
		return tk_error("%s: regex failed on ticket %llu (PCRE2 error %d)", t->text,
		    (unsigned long long)tk->id, rc);
	}
	return 0;
}

int
tk_filter_match(tk_filter *q, tk_txn *tx, tk_ticket *tk)
{
	size_t i;
	int rc;

	for (i = 0; i < q->n; i++) {
		rc = term_match(q, &q->t[i], tx, tk);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

/* ---- access paths ---- */

typedef struct {
	uint64_t *v;
	size_t n, cap;
} idvec;

static void
idvec_add_raw(idvec *iv, const unsigned char *p, size_t count)
{
	size_t i;

	if (iv->n + count > iv->cap) {
		while (iv->n + count > iv->cap)
			iv->cap = iv->cap ? 2 * iv->cap : 256;
		iv->v = tk_xrealloc(iv->v, iv->cap * sizeof *iv->v);
	}
	for (i = 0; i < count; i++)
		iv->v[iv->n++] = tk_get_u64(p + 8 * i);
}

static void
idvec_add(idvec *iv, uint64_t id)
{
	unsigned char b[8];

	tk_put_u64(b, id);
	idvec_add_raw(iv, b, 1);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
idvec_sort(idvec *iv)
{
	size_t i, j;

	if (iv->n > 1)	/* none: v may be NULL, which qsort must not get */
		qsort(iv->v, iv->n, sizeof *iv->v, cmp_u64);
	for (i = 0, j = 0; i < iv->n; i++)
		if (!j || iv->v[j - 1] != iv->v[i])
			iv->v[j++] = iv->v[i];
	iv->n = j;
}

/* Ids under one key of an index, a run at a time. */
static int
collect_key(MDB_cursor *c, int db, MDB_val k, idvec *iv)
{
	MDB_val d;
	int rc;

	for (rc = tk_ix_first(c, db, k, &d); rc == 0; rc = tk_ix_next(c, db, k, &d))
		idvec_add_raw(iv, d.mv_data, d.mv_size / 8);
	return rc == MDB_NOTFOUND ? 0 : tk_mdb_error(rc, "index");
}

/* Epochs an index term must ask: all of a partitioned index, else one. */
static unsigned
epochs_of(tk_txn *tx, const struct term *t)
{
	return tk_ix_partitioned(t->db) ? tk_ix_nepochs(tx, t->db) : 1;
}

/* The index key of value v of term t in epoch e (buf: TK_IX_CUSTOM_KEYBUF bytes). */
static MDB_val
term_key(const struct term *t, const char *v, unsigned e, unsigned char *buf)
{
	if (t->db == TK_DB_IX_CUSTOM)
		return tk_ix_custom_key(TK_STR(t->name), TK_STR(v), buf);
	return tk_ix_key(t->db, v, strlen(v), e, buf);
}

/* Values of t whose tickets in the working set its index has no entries
 * for (tk_ix_skips): the active statuses, an empty assignee, queue or
 * requester. (eq_indexed keeps out external_id=, which has none at all.) */
static int
skipped(const struct term *t, size_t i)
{
	tk_str v = TK_STR(t->vals[i]);

	return tk_ix_skips(t->db, v.p, v.n, t->field == TK_F_STATUS ? tk_active_status(v) : 1);
}

static int
any_skipped(const struct term *t)
{
	size_t i;

	for (i = 0; i < t->nvals; i++)
		if (skipped(t, i))
			return 1;
	return 0;
}

static size_t
count_eq(tk_txn *tx, struct term *t)
{
	int db = t->db;
	unsigned char kb[TK_IX_CUSTOM_KEYBUF];
	unsigned e, ne = epochs_of(tx, t);
	MDB_cursor *c;
	MDB_val k;
	MDB_stat ms;
	size_t i, total = 0;
	size_t cnt;

	/* Tickets of the working set: at most all of it. */
	if (any_skipped(t) && mdb_stat(tx->txn, tx->st->dbi[TK_DB_ACTIVE], &ms) == 0)
		total += ms.ms_entries;
	if (mdb_cursor_open(tx->txn, tx->st->dbi[db], &c))
		return (size_t)-1;
	for (i = 0; i < t->nvals; i++)
		for (e = 0; e < ne; e++) {
			k = term_key(t, t->vals[i], e, kb);
			if (tk_ix_count(c, db, k, &cnt) == 0)
				total += cnt;
		}
	mdb_cursor_close(c);
	return total;
}

static int collect_active_skipped(tk_txn *tx, struct term *t, idvec *iv);

/* text=: the index's tickets, the pending ones and those of the pending
 * ranges, ascending, into iv. */
static void
ft_union(tk_txn *tx, const struct term *ft, idvec *iv)
{
	size_t a = 0, b = 0, r;

	iv->cap = ft->nftids + ft->npend + 1;
	iv->v = tk_xmalloc(iv->cap * sizeof *iv->v);
	iv->n = 0;
	while (a < ft->nftids || b < ft->npend) {	/* the union, ascending */
		if (b == ft->npend || (a < ft->nftids && ft->ftids[a] < ft->pend[b]))
			iv->v[iv->n++] = ft->ftids[a++];
		else {
			if (a < ft->nftids && ft->ftids[a] == ft->pend[b])
				a++;
			iv->v[iv->n++] = ft->pend[b++];
		}
	}
	if (!ft->nfranges)
		return;
	for (r = 0; r < ft->nfranges; r++) {	/* the tickets of the pending ranges */
		MDB_cursor *c;
		MDB_val k, v;
		unsigned char kb[8];
		int e;

		if (mdb_cursor_open(tx->txn, tx->st->dbi[TK_DB_TICKETS], &c))
			continue;
		tk_put_u64(kb, ft->franges[2 * r]);
		k.mv_size = 8, k.mv_data = kb;
		for (e = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !e && tk_get_u64(k.mv_data) <= ft->franges[2 * r + 1];
		    e = mdb_cursor_get(c, &k, &v, MDB_NEXT))
			idvec_add(iv, tk_get_u64(k.mv_data));
		mdb_cursor_close(c);
	}
	idvec_sort(iv);
	for (a = b = 0; a < iv->n; a++)	/* (duplicates out) */
		if (!b || iv->v[b - 1] != iv->v[a])
			iv->v[b++] = iv->v[a];
	iv->n = b;
}


static int
collect_eq(tk_txn *tx, struct term *t, idvec *iv)
{
	int db = t->db;
	unsigned char kb[TK_IX_CUSTOM_KEYBUF];
	unsigned e, ne = epochs_of(tx, t);
	MDB_cursor *c;
	size_t i;
	int rc = 0;

	if ((rc = mdb_cursor_open(tx->txn, tx->st->dbi[db], &c)))
		return tk_mdb_error(rc, "index");
	/* Epochs in order: a value's ids come out ascending. */
	for (i = 0; i < t->nvals && rc == 0; i++)
		for (e = 0; e < ne && rc == 0; e++)
			rc = collect_key(c, db, term_key(t, t->vals[i], e, kb), iv);
	mdb_cursor_close(c);
	if (!rc && any_skipped(t)) {
		rc = collect_active_skipped(tx, t, iv);
		idvec_sort(iv);
	} else if (t->nvals > 1)
		idvec_sort(iv);
	return rc;
}

/* Ids in a time range of ix_created or ix_updated (each epoch of a
 * partitioned one); gives up past limit. */
static int
collect_range(tk_txn *tx, struct term *t, idvec *iv, size_t limit)
{
	int db = tk_fields[t->field].dbi, part = tk_ix_partitioned(db);
	unsigned char kb[2 + 20];
	unsigned e, ne = part ? tk_ix_nepochs(tx, db) : 1;
	size_t off = part ? 2 : 0;
	MDB_cursor *c;
	MDB_val k, d;
	int rc = 0;

	if ((rc = mdb_cursor_open(tx->txn, tx->st->dbi[db], &c)))
		return tk_mdb_error(rc, "index");
	for (e = 0; e < ne; e++) {
		kb[0] = (unsigned char)(e >> 8);
		kb[1] = (unsigned char)e;
		memcpy(kb + off, t->has_lo ? t->slo : "", t->has_lo ? 20 : 0);
		k.mv_size = off + (t->has_lo ? 20 : 0);
		k.mv_data = kb;
		if (k.mv_size)
			rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
		else
			rc = mdb_cursor_get(c, &k, &d, MDB_FIRST);
		while (rc == 0) {
			if (k.mv_size < off + 20 || (part && memcmp(k.mv_data, kb, 2)) ||
			    (t->has_hi && memcmp((char *)k.mv_data + off, t->shi, 20) > 0))
				break;
			rc = mdb_cursor_get(c, &k, &d, MDB_GET_MULTIPLE);
			if (rc)
				break;
			idvec_add_raw(iv, d.mv_data, d.mv_size / 8);
			while ((rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_MULTIPLE)) == 0)
				idvec_add_raw(iv, d.mv_data, d.mv_size / 8);
			if (iv->n > limit) {
				mdb_cursor_close(c);
				return 1;
			}
			rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_NODUP);
		}
		if (rc && rc != MDB_NOTFOUND)
			break;
		rc = 0;
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "index");
	idvec_sort(iv);
	return 0;
}

static int
eq_indexed(const struct term *t)
{
	size_t i;

	if (t->db < 0 || t->op != OP_EQ || t->kind == TK_K_TIME)
		return 0;
	/* external_id= (and a custom field's): the index has no entries for an
	 * empty value. (The working set has the others an index skips:
	 * collect_eq.) */
	for (i = 0; i < t->nvals; i++)
		if (!*t->vals[i] && tk_ix_skips(t->db, "", 0, 0))
			return 0;
	return 1;
}

/* Keeps the ids of iv that t's index also has: a merge with each value's
 * ids as they are read, page by page (a value's ids come ascending, epoch
 * by epoch), when t's lists are not much longer, else a lookup of each id. */
static int
narrow(tk_txn *tx, struct term *t, idvec *iv, size_t tcount)
{
	int db = t->db;
	MDB_cursor *c;
	MDB_val k, d;
	unsigned char kb[TK_IX_CUSTOM_KEYBUF], *keep;
	size_t i, j, o, vi;
	unsigned e, ne;
	int rc = 0;

	if (tcount <= 16 * iv->n + 1024) {
		if ((rc = mdb_cursor_open(tx->txn, tx->st->dbi[db], &c)))
			return tk_mdb_error(rc, "index");
		keep = tk_xmalloc(iv->n ? iv->n : 1);
		memset(keep, 0, iv->n);
		ne = epochs_of(tx, t);
		for (vi = 0; vi < t->nvals && (!rc || rc == MDB_NOTFOUND); vi++)
			for (e = 0, i = 0; e < ne && i < iv->n; e++) {
				k = term_key(t, t->vals[vi], e, kb);
				rc = tk_ix_first(c, db, k, &d);
				while (rc == 0 && i < iv->n) {
					const unsigned char *p = d.mv_data;
					uint64_t x;

					for (j = 0; j < d.mv_size / 8 && i < iv->n; j++) {
						x = tk_get_u64(p + 8 * j);
						while (i < iv->n && iv->v[i] < x)
							i++;
						if (i < iv->n && iv->v[i] == x)
							keep[i++] = 1;
					}
					rc = tk_ix_next(c, db, k, &d);
				}
				if (rc && rc != MDB_NOTFOUND)
					break;
			}
		mdb_cursor_close(c);
		for (i = o = 0; i < iv->n; i++)
			if (keep[i])
				iv->v[o++] = iv->v[i];
		free(keep);
		if (rc && rc != MDB_NOTFOUND)
			return tk_mdb_error(rc, "index");
		iv->n = o;
		return 0;
	}
	if ((rc = mdb_cursor_open(tx->txn, tx->st->dbi[db], &c)))
		return tk_mdb_error(rc, "index");
	for (i = o = 0; i < iv->n; i++) {
		for (vi = 0; vi < t->nvals; vi++) {
			k = term_key(t, t->vals[vi], tk_ix_epoch(tx, db, iv->v[i]), kb);
			if (tk_ix_has(c, db, k, iv->v[i]) == 1) {
				iv->v[o++] = iv->v[i];
				break;
			}
		}
	}
	iv->n = o;
	mdb_cursor_close(c);
	return 0;
}

/* A term the working set's copies by value answer (active_ix, active.c):
 * field=a,b of an indexed custom field or of org, no value empty. */
static int
active_ix_term(const struct term *t)
{
	size_t i;

	if (t->op != OP_EQ || !(t->db == TK_DB_IX_CUSTOM || tk_active_ix_covers(t->field)) || !t->nvals)
		return 0;
	for (i = 0; i < t->nvals; i++)
		if (!*t->vals[i])
			return 0;
	return 1;
}

/* A status term of active statuses only: the working set holds its tickets. */
static int
active_only(const struct term *t)
{
	size_t i;

	if (t->field != TK_F_STATUS || t->op != OP_EQ || !t->nvals)
		return 0;
	for (i = 0; i < t->nvals; i++)
		if (!tk_active_status((tk_str){ t->vals[i], strlen(t->vals[i]) }))
			return 0;
	return 1;
}

typedef struct {
	uint64_t id;
	MDB_val v;	/* the ticket, in the map */
} arow;

static int
cmp_arow(const void *a, const void *b)
{
	uint64_t x = ((const arow *)a)->id, y = ((const arow *)b)->id;

	return x < y ? -1 : x > y;
}

/* Sorts rows [from, n) of av by id and drops repeats. */
static size_t
arow_sort(arow *av, size_t from, size_t n)
{
	size_t i, o;

	if (n - from < 2)
		return n;
	qsort(av + from, n - from, sizeof *av, cmp_arow);
	for (i = o = from + 1; i < n; i++)
		if (av[i].id != av[o - 1].id)
			av[o++] = av[i];
	return o;
}

/*
 * The working set's tickets (active.c) of the statuses of term st and the
 * assignees of term at (any when at is NULL), and of the ids of only when
 * it is not NULL, id ascending: epoch by epoch
 * (ids ascend from one to the next), each status and assignee a range of
 * keys, an epoch's rows sorted by id unless they are one assignee's.
 */
struct deliver;
static int prematch(struct deliver *d, uint64_t id, MDB_val v);
static int deliver_prematched(struct deliver *d, MDB_val v);

/* A set of ids as bits (the working set narrowed by an index). */
typedef struct {
	unsigned char *bits;
	uint64_t max;
} idset;

/* A set sized for ids up to max, and ids v[0..n) put in it. */
static void
idset_alloc(idset *s, uint64_t max)
{
	s->max = max;
	s->bits = tk_xmalloc(max / 8 + 1);
	memset(s->bits, 0, max / 8 + 1);
}

static void
idset_put(idset *s, const uint64_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		s->bits[v[i] / 8] |= (unsigned char)(1u << (v[i] % 8));
}

static void
idset_make(idset *s, const idvec *iv)
{
	idset_alloc(s, iv->n ? iv->v[iv->n - 1] : 0);	/* (iv ascending) */
	idset_put(s, iv->v, iv->n);
}

/* The set of a text= term's index answer and pending tickets, made from
 * its two lists without their union written out (tickets written in a
 * bulk run's pending ranges need ft_union). */
static void
idset_ft(idset *s, const struct term *t)
{
	uint64_t max = t->nftids ? t->ftids[t->nftids - 1] : 0;	/* (both ascending) */

	if (t->npend && t->pend[t->npend - 1] > max)
		max = t->pend[t->npend - 1];
	idset_alloc(s, max);
	idset_put(s, t->ftids, t->nftids);
	idset_put(s, t->pend, t->npend);
}

static int
idset_has(const idset *s, uint64_t id)
{
	return id <= s->max && (s->bits[id / 8] >> (id % 8) & 1);
}

static int
collect_active(tk_txn *tx, struct term *st, struct term *at, const idset *only, arow **out, size_t *nout,
    struct deliver *pre)
{
	unsigned char kb[TK_ACTIVE_KEYBUF];
	arow *av = NULL;
	size_t n = 0, cap = 0, from, i, j, na = at ? at->nvals : 1;
	unsigned e, ne = tk_ix_nepochs(tx, TK_DB_ACTIVE);
	MDB_cursor *c;
	MDB_val k, v, p;
	tk_str a;
	int rc = 0, m;

	if ((rc = mdb_cursor_open(tx->txn, tx->st->dbi[TK_DB_ACTIVE], &c)))
		return tk_mdb_error(rc, "active");
	for (e = 0; e < ne && (!rc || rc == MDB_NOTFOUND); e++) {
		from = n;
		for (i = 0; i < st->nvals && (!rc || rc == MDB_NOTFOUND); i++)
			for (j = 0; j < na && (!rc || rc == MDB_NOTFOUND); j++) {
				if (at)
					a = TK_STR(at->vals[j]);
				p = tk_active_prefix(e, TK_STR(st->vals[i]), at ? &a : NULL, kb);
				k = p;
				for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
				    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
					if (k.mv_size < p.mv_size + 8 || memcmp(k.mv_data, p.mv_data, p.mv_size))
						break;
					if (only && !idset_has(only, tk_get_u64((unsigned char *)k.mv_data + k.mv_size - 8)))
						continue;
					/* Only the rows the filter keeps are sorted (org=initech:
					 * 4,935 of 54,230 in the benchmark). */
					if (pre && (m = prematch(pre, tk_get_u64((unsigned char *)k.mv_data + k.mv_size - 8), v)) <= 0) {
						if (m < 0)
							goto failed;
						continue;
					}
					if (n == cap)
						av = tk_xrealloc(av, (cap = cap ? 2 * cap : 256) * sizeof *av);
					av[n].id = tk_get_u64((unsigned char *)k.mv_data + k.mv_size - 8);
					av[n++].v = v;
				}
			}
		if (!at || st->nvals * na > 1)	/* (a status's keys sort by assignee first) */
			n = arow_sort(av, from, n);
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND) {
		free(av);
		return tk_mdb_error(rc, "active");
	}
	*out = av;
	*nout = n;
	return 0;
failed:
	mdb_cursor_close(c);
	free(av);
	return -1;
}

/*
 * The working set's tickets under the values of t, a custom field the
 * store indexes (active_ix, active.c), that the terms match (pre), id
 * ascending: a run of keys a value, its copies side by side. With one
 * value they are delivered as they are read (*nout 0; 1 when the
 * receiver asked to stop), else returned to be sorted and delivered.
 */
static int
collect_active_ix(tk_txn *tx, struct term *t, arow **out, size_t *nout, struct deliver *pre)
{
	int stream = t->nvals == 1;
	unsigned char kb[TK_ACTIVE_IX_KEYBUF];
	arow *av = NULL;
	size_t n = 0, cap = 0, i;
	MDB_cursor *c;
	MDB_val k, v, p;
	uint64_t id;
	int rc, m;

	if ((rc = mdb_cursor_open(tx->txn, tx->st->dbi[TK_DB_ACTIVE_IX], &c)))
		return tk_mdb_error(rc, "active_ix");
	for (i = 0; i < t->nvals && (!rc || rc == MDB_NOTFOUND); i++) {
		p = tk_active_ix_prefix(TK_STR(t->name), TK_STR(t->vals[i]), kb);
		k = p;
		for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			if (k.mv_size != p.mv_size + 8 || memcmp(k.mv_data, p.mv_data, p.mv_size))
				break;
			id = tk_get_u64((unsigned char *)k.mv_data + p.mv_size);
			if ((m = prematch(pre, id, v)) <= 0) {
				if (m < 0) {
					mdb_cursor_close(c);
					free(av);
					return -1;
				}
				continue;
			}
			/* One value's rows come id ascending: given to fn at once,
			 * decoded once (stream; 1 when fn asks to stop). */
			if (stream) {
				if ((m = deliver_prematched(pre, v))) {
					mdb_cursor_close(c);
					return m;
				}
				continue;
			}
			if (n == cap)
				av = tk_xrealloc(av, (cap = cap ? 2 * cap : 256) * sizeof *av);
			av[n].id = id;
			av[n++].v = v;
		}
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND) {
		free(av);
		return tk_mdb_error(rc, "active_ix");
	}
	if (t->nvals > 1)
		n = arow_sort(av, 0, n);
	*out = av;
	*nout = n;
	return 0;
}

/*
 * The ids of the working set's tickets that t's index has no entries for
 * (skipped): an active status's are its ranges of keys, an empty
 * assignee's its range under each active status; an empty queue,
 * requester or contact, and any org or tier, are read from every copy.
 * The caller sorts them.
 */
static int
collect_active_skipped(tk_txn *tx, struct term *t, idvec *iv)
{
	char *act[TK_STATUS_MAX];
	struct term all = { .vals = act, .nvals = 0 };
	struct term unset = { .vals = (char *[]){ "" }, .nvals = 1 };
	/* org and tier: the working set holds every value's tickets */
	int any = t->field == TK_F_ORG || t->field == TK_F_TIER;
	int read = t->field == TK_F_QUEUE || t->field == TK_F_REQUESTER || t->field == TK_F_CONTACT || any;
	const tk_status_def *d;
	arow *av = NULL;
	size_t n = 0, i;
	tk_ticket tk;
	int rc = 0;

	if (tk_active_ix_covers(t->field) && active_ix_term(t)) {	/* org=: its copies by value */
		unsigned char kb[TK_ACTIVE_IX_KEYBUF];
		MDB_cursor *c;
		MDB_val k, v, p;

		if ((rc = mdb_cursor_open(tx->txn, tx->st->dbi[TK_DB_ACTIVE_IX], &c)))
			return tk_mdb_error(rc, "active_ix");
		for (i = 0; i < t->nvals && (!rc || rc == MDB_NOTFOUND); i++) {
			k = p = tk_active_ix_prefix(TK_STR(t->name), TK_STR(t->vals[i]), kb);
			for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 && k.mv_size == p.mv_size + 8 &&
			    !memcmp(k.mv_data, p.mv_data, p.mv_size); rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
				idvec_add(iv, tk_get_u64((unsigned char *)k.mv_data + p.mv_size));
		}
		mdb_cursor_close(c);
		return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "active_ix") : 0;
	}
	for (i = 0; (d = tk_status_at(i)); i++)
		if (tk_class_active(d->cls))
			act[all.nvals++] = (char *)d->name;
	if (collect_active(tx, t->field == TK_F_STATUS ? t : &all, t->field == TK_F_ASSIGNEE ? &unset : NULL,
	    NULL, &av, &n, NULL) < 0)
		return -1;
	tk_ticket_init(&tk);
	for (i = 0; i < n && !rc; i++) {
		tk.id = av[i].id;
		if (read && (rc = tk_ticket_decode_upto(&tk, av[i].v.mv_data, av[i].v.mv_size, (unsigned)t->field)) < 0)
			break;
		if (!read || (any ? eq_any(t, tk.f[t->field]) : !tk.f[t->field].n))
			idvec_add(iv, av[i].id);
	}
	tk_ticket_free(&tk);
	free(av);
	return rc;
}

/* The last stored field the terms read; custom fields are stored last. */
static unsigned
filter_maxtag(const tk_filter *q)
{
	unsigned maxtag = 0;
	size_t i;

	for (i = 0; i < q->n; i++) {
		int f = q->t[i].field;

		if (f == TK_F_CUSTOM)
			maxtag = 0xff;
		else if (f == TK_F_AGE && maxtag < TK_F_CREATED)
			maxtag = TK_F_CREATED;
		else if (f == TK_F_FRT && maxtag < TK_F_FIRST_RESPONSE)
			maxtag = TK_F_FIRST_RESPONSE;
		else if (f == TK_F_SCRIPT && maxtag < TK_F_SUBJECT)
			maxtag = TK_F_SUBJECT;
		else if (f < TK_F_NSTORED && (unsigned)f > maxtag)
			maxtag = (unsigned)f;
	}
	return maxtag;
}

/* What every access path does with a candidate. */
struct deliver {
	tk_filter *q;
	tk_txn *tx;
	tk_ticket *tk;
	unsigned maxtag;	/* filter_maxtag */
	long matched;
	int (*fn)(tk_txn *, tk_ticket *, void *);
	void *arg;
	size_t seen;		/* the working set's rows looked at (prematch) */
};

/* A row of the working set the terms match: 1, 0 not, -1 an error. */
static int
prematch(struct deliver *d, uint64_t id, MDB_val v)
{
	d->seen++;
	d->tk->id = id;
	if (tk_ticket_decode_upto(d->tk, v.mv_data, v.mv_size, d->maxtag) < 0)
		return -1;
	return tk_filter_match(d->q, d->tx, d->tk);
}

/* Ticket id's record v checked against the terms (decoded up to maxtag,
 * whole when it matches) and, when it matches, given to fn: 1 when fn
 * asks to stop, 0 to go on, -1 on an error. */
static int
deliver(struct deliver *d, uint64_t id, MDB_val v)
{
	int rc;

	d->tk->id = id;
	if (tk_ticket_decode_upto(d->tk, v.mv_data, v.mv_size, d->maxtag) < 0 ||
	    (rc = tk_filter_match(d->q, d->tx, d->tk)) < 0)
		return -1;
	if (!rc)
		return 0;
	if (d->maxtag != 0xff && tk_ticket_decode(d->tk, v.mv_data, v.mv_size) < 0)
		return -1;
	d->matched++;
	return d->fn(d->tx, d->tk, d->arg) != 0;
}

/* The row prematch just kept, still decoded in d->tk: whole, and given to
 * fn; 1 when fn asks to stop, -1 on an error. */
static int
deliver_prematched(struct deliver *d, MDB_val v)
{
	if (d->maxtag != 0xff && tk_ticket_decode(d->tk, v.mv_data, v.mv_size) < 0)
		return -1;
	d->matched++;
	return d->fn(d->tx, d->tk, d->arg) != 0;
}

/* A row prematch kept: decoded whole and given to fn, as deliver does. */
static int
deliver_matched(struct deliver *d, uint64_t id, MDB_val v)
{
	d->tk->id = id;
	if (tk_ticket_decode(d->tk, v.mv_data, v.mv_size) < 0)
		return -1;
	d->matched++;
	return d->fn(d->tx, d->tk, d->arg) != 0;
}

const char *
tk_filter_plan(tk_filter *q)
{
	return q->plan ? q->plan : "none";
}

long
tk_filter_run(tk_filter *q, tk_txn *tx, int (*fn)(tk_txn *, tk_ticket *, void *), void *arg)
{
	MDB_stat ms;
	idvec best = { 0 };
	struct term *bt = NULL;
	size_t i, bestn = (size_t)-1, total, n;
	struct deliver dl = { q, tx, NULL, filter_maxtag(q), 0, fn, arg, 0 };
	tk_ticket tk;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, usebest = 0, act = 0;
	size_t *cnt = NULL, atn = 0, actcost = 0, idspan;
	struct term *at = NULL, *ast = NULL, *ft = NULL;
	size_t ftn = (size_t)-1;
	uint64_t scan_lo = 1, scan_hi = UINT64_MAX;
	idvec pre = { 0 };	/* the working set narrowed to these ids (pt's) */
	struct term *pt = NULL;
	struct term *xt = NULL;	/* the working set read by this custom field's value */
	size_t xtn = 0;
	unsigned char lob[8];
	size_t scanned = 0;

	add_default_status(q);
	mdb_stat(tx->txn, tx->st->dbi[TK_DB_TICKETS], &ms);
	total = ms.ms_entries;
	if (q->use_ids) {
		best.v = tk_xmalloc((q->nids ? q->nids : 1) * sizeof *best.v);
		memcpy(best.v, q->ids, q->nids * sizeof *best.v);
		best.n = best.cap = q->nids;
		idvec_sort(&best);
		bestn = best.n;
		usebest = 1;
		q->plan = "ids from standard input";
	}
	/* id=3,5 names the tickets; id=100..200 is a stretch of the tickets' keys. */
	for (i = 0; i < q->n && !usebest; i++) {
		struct term *t = &q->t[i];
		size_t j;
		uint64_t id;

		if (t->field == TK_F_ID && t->op == OP_EQ) {
			for (j = 0; j < t->nvals; j++)
				if (tk_id_parse(t->vals[j], strlen(t->vals[j]), &id) == 0)
					idvec_add(&best, id);
			idvec_sort(&best);
			usebest = 1;
			q->plan = "ids named by the filter";
		} else if (t->field == TK_F_ID && t->op == OP_RANGE) {
			if (t->has_lo && t->lo > 0 && (uint64_t)t->lo > scan_lo)
				scan_lo = (uint64_t)t->lo;
			if (t->has_hi && (t->hi < 0 || (uint64_t)t->hi < scan_hi))
				scan_hi = t->hi < 0 ? 0 : (uint64_t)t->hi;
		}
	}
	/* How many ids an id range holds, at most (all when there is none). */
	idspan = scan_lo > 1 || scan_hi < UINT64_MAX ? (scan_hi < scan_lo ? 0 : scan_hi - scan_lo + 1) : (size_t)-1;
	cnt = tk_xmalloc((q->n ? q->n : 1) * sizeof *cnt);
	for (i = 0; i < q->n; i++) {
		struct term *t = &q->t[i];

		cnt[i] = (size_t)-1;
		if (!eq_indexed(t))
			continue;
		n = cnt[i] = count_eq(tx, t);
		if (n < bestn && !usebest) {
			bestn = n;
			bt = t;
		}
	}
	/* text=: the tickets of the index and the ones written since */
	for (i = 0; i < q->n; i++) {
		struct term *t = &q->t[i];
		long nf, np;
		int built;

		if (!t->ftq)
			continue;
		free(t->ftids);
		free(t->pend);
		free(t->franges);
		t->ftids = t->pend = t->franges = NULL;
		t->nfranges = 0;
		t->ftset = 0;
		if ((built = tk_ft_tickets_built(tx)) < 0)
			goto fail;
		if (!built)
			continue;
		if ((nf = tk_ft_ids(tx, 't', t->ftq, &t->ftids)) < 0 ||
		    (np = tk_ft_pending(tx, &t->pend, &t->franges, &t->nfranges)) < 0)
			goto fail;
		t->nftids = (size_t)nf, t->npend = (size_t)np;
		t->ftexact = tk_ftq_exact(t->ftq);
		t->ftset = 1;
		{
			size_t pn = t->nftids + t->npend, r;

			for (r = 0; r < t->nfranges; r++)	/* (a range's ids: the ones that exist at most) */
				pn += (size_t)(t->franges[2 * r + 1] - t->franges[2 * r] + 1 < total ?
				    t->franges[2 * r + 1] - t->franges[2 * r] + 1 : total);
			if (t->op == OP_EQ && !usebest && pn < ftn) {
				ft = t;
				ftn = pn;
			}
		}
	}
	if (ft && ftn < bestn)
		bt = NULL, bestn = ftn;
	else
		ft = NULL;
	/*
	 * Active statuses only (tk-ls's default): the working set has those
	 * tickets side by side, about 16 to a page, where fetching candidates
	 * costs about a page each; by assignee it also seeks once an epoch.
	 */
	for (i = 0; i < q->n && !usebest && !act; i++)
		if ((act = active_only(&q->t[i])))
			ast = &q->t[i];
	if (act) {
		MDB_stat as;
		size_t est, cost, limit = (size_t)-1;

		mdb_stat(tx->txn, tx->st->dbi[TK_DB_ACTIVE], &as);
		for (i = 0; i < q->n; i++) {
			/* (assignee= has no index count: as many as all.) */
			if (q->t[i].field == TK_F_ASSIGNEE && q->t[i].op == OP_EQ &&
			    (!at || (cnt[i] != (size_t)-1 ? cnt[i] : total) < atn)) {
				at = &q->t[i];
				atn = cnt[i] != (size_t)-1 ? cnt[i] : total;
			}
			/* (An active status's candidates come from the working set.) */
			if (cnt[i] < limit && !active_only(&q->t[i]))
				limit = cnt[i];
		}
		/* An agent's share of the working set, as if like the others'. */
		est = at ? (size_t)((double)atn * as.ms_entries / (total ? total : 1)) + 1 : as.ms_entries;
		if (est > as.ms_entries)
			est = as.ms_entries;
		cost = est / 16 + ast->nvals * (at ? at->nvals : 1) * tk_ix_nepochs(tx, TK_DB_ACTIVE);
		/* A value of an indexed custom field or of org: its active
		 * tickets side by side (active_ix), a subset of the copies
		 * read otherwise, at most as many as its index names. */
		for (i = 0; i < q->n; i++)
			if (active_ix_term(&q->t[i]) && cnt[i] != (size_t)-1 && (!xt || cnt[i] < xtn)) {
				xt = &q->t[i];
				xtn = cnt[i];
			}
		if (xt)
			cost = xt->db == TK_DB_IX_CUSTOM && xtn / 16 + xt->nvals < cost ? xtn / 16 + xt->nvals : 1;
		act = cost < limit && cost < idspan && (!ft || cost < ftn);
		actcost = cost;
	}
	/* A stretch of ids smaller than the best index's set: read that. */
	if (bt && idspan < bestn)
		bt = NULL;
	if (bt && !usebest && !act) {
		best.cap = bestn ? bestn : 1;	/* the count is exact (or, with active statuses, more): one allocation */
		best.v = tk_xmalloc(best.cap * sizeof *best.v);
		if (collect_eq(tx, bt, &best) < 0)
			goto fail;
		usebest = 1;
		tk_buf_free(&q->planbuf);
		tk_buf_printf(&q->planbuf, "index %s (%zu candidates)", bt->name, best.n);
		q->plan = q->planbuf.p;
	}
	if (ft && !usebest && !act && ftn < idspan) {
		size_t a = 0, b = 0;

		(void)a, (void)b;
		ft_union(tx, ft, &best);
		usebest = 1;
		tk_buf_free(&q->planbuf);
		tk_buf_printf(&q->planbuf, "full-text index (%zu candidates)", best.n);
		q->plan = q->planbuf.p;
	}
	for (i = 0; i < q->n && !q->use_ids; i++) {
		struct term *t = &q->t[i];
		idvec iv = { 0 };

		if (t->field < 0 || t->op != OP_RANGE || t->kind != TK_K_TIME || tk_fields[t->field].dbi < 0)
			continue;
		rc = collect_range(tx, t, &iv, usebest ? best.n : act ? actcost : total / 4);
		if (rc < 0) {
			free(iv.v);
			goto fail;
		}
		if (rc == 0) {
			free(best.v);
			best = iv;
			usebest = 1;
			act = 0;
			tk_buf_free(&q->planbuf);
			tk_buf_printf(&q->planbuf, "index %s range (%zu candidates)", t->name, best.n);
			q->plan = q->planbuf.p;
		} else
			free(iv.v);
	}
	/* Narrow the candidates with the other equality indexes, before any
	 * ticket is read: merge id lists of like size, probe a large one. */
	for (i = 0; i < q->n && usebest; i++) {
		struct term *t = &q->t[i];

		if (t == bt || cnt[i] == (size_t)-1 || any_skipped(t))
			continue;
		if (narrow(tx, t, &best, cnt[i]) < 0)
			goto fail;
		tk_buf_printf(&q->planbuf, "%s%s", q->planbuf.len ? ", narrowed by " : "index ", t->name);
		q->plan = q->planbuf.p;
	}
	if (usebest && q->planbuf.len) {
		tk_buf_printf(&q->planbuf, " (%zu left)", best.n);
		q->plan = q->planbuf.p;
	}
	/*
	 * The working set read for a term its index answers with fewer
	 * tickets (product=X200, a custom field's, among the open ones): that
	 * index's ids first, so only the copies they name are decoded and
	 * matched; the others are passed over by the id at the end of their
	 * key. (Their tickets lie one to a page in `tickets`: fetching them
	 * would cost a page each.)
	 */
	if (act) {
		MDB_stat as;
		size_t pn = (size_t)-1;

		mdb_stat(tx->txn, tx->st->dbi[TK_DB_ACTIVE], &as);
		for (i = 0; i < q->n && !xt; i++) {
			struct term *t = &q->t[i];

			if (cnt[i] != (size_t)-1 && cnt[i] < as.ms_entries / 2 && cnt[i] < pn && t != ast && t != at &&
			    t->field != TK_F_STATUS && !any_skipped(t)) {
				pn = cnt[i];
				pt = t;
			}
		}
		/* text= narrows the working set as an index does */
		for (i = 0; i < q->n && !pt; i++) {
			struct term *t = &q->t[i];

			if (t->ftq && t->ftset && t->op == OP_EQ && !t->nfranges &&
			    t->nftids + t->npend < as.ms_entries * 2) {
				if (t->nfranges)	/* (else the set is made from the term's lists) */
					ft_union(tx, t, &pre);
				pt = t;
			}
		}
		if (pt && !pt->ftq) {
			pre.cap = pn ? pn : 1;
			pre.v = tk_xmalloc(pre.cap * sizeof *pre.v);
			if (collect_eq(tx, pt, &pre) < 0)
				goto fail;
			for (i = 1; i < pre.n && pre.v[i - 1] < pre.v[i]; i++)
				;
			if (i < pre.n)	/* (several values: their ids one after the other) */
				idvec_sort(&pre);
		}
	}
	free(cnt);
	cnt = NULL;
	/* Fetching many tickets one by one costs more than reading them all in order. */
	if (usebest && !q->use_ids && best.n > total / 4) {
		usebest = 0;
		free(best.v);
		best.v = NULL;
	}
	tk_ticket_init(&tk);
	dl.tk = &tk;
	if (act) {
		arow *av = NULL;
		size_t nav = 0;

		idset only = { NULL, 0 };

		if (pt)
			pt->ftq && !pt->nfranges ? idset_ft(&only, pt) : idset_make(&only, &pre);
		if (xt) {
			rc = collect_active_ix(tx, xt, &av, &nav, &dl);
			if (rc > 0)
				rc = 0;	/* (streamed; the receiver stopped) */
		} else
			rc = collect_active(tx, ast, at, pt ? &only : NULL, &av, &nav, &dl);
		free(only.bits);
		if (rc < 0)
			goto fail_tk;
		tk_buf_free(&q->planbuf);
		if (xt)
			tk_buf_printf(&q->planbuf, "working set by %s (%zu candidates)", xt->name, dl.seen);
		else if (pt)
			tk_buf_printf(&q->planbuf, "working set%s, narrowed by index %s (%zu candidates)",
			    at ? ", by assignee" : "", pt->name, dl.seen);
		else
			tk_buf_printf(&q->planbuf, "working set%s (%zu candidates)", at ? ", by assignee" : "", dl.seen);
		q->plan = q->planbuf.p;
		for (i = 0, rc = 0; i < nav && !rc; i++)	/* (matched as they were collected) */
			rc = deliver_matched(&dl, av[i].id, av[i].v);
		free(av);
		if (rc < 0)
			goto fail_tk;
	} else if (usebest) {
		tk_ahead *ah = tk_ahead_start(tx, TK_DB_TICKETS, best.v, best.n);

		for (i = 0, rc = 0; i < best.n && !rc; i++) {
			if ((rc = tk_ahead_get(ah, i, &v)) < 0 &&
			    (rc = tk_get_id(tx, TK_DB_TICKETS, best.v[i], &v)) < 0)
				break;
			rc = rc ? deliver(&dl, best.v[i], v) : 0;	/* (an id from stdin may be no ticket) */
		}
		tk_ahead_stop(ah);
		if (rc < 0)
			goto fail_tk;
	} else {
		q->plan = scan_lo > 1 || scan_hi < UINT64_MAX ? "scan of an id range" : "scan of all tickets";
		if ((rc = mdb_cursor_open(tx->txn, tx->st->dbi[TK_DB_TICKETS], &c))) {
			tk_mdb_error(rc, "tickets");
			goto fail_tk;
		}
		tk_put_u64(lob, scan_lo);
		k.mv_size = 8;
		k.mv_data = lob;
		for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
		    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			/* Every 65,536 tickets the map's pages read so far are let go:
			 * tk-export of a million tickets in 95 MiB, not 870. */
			if (++scanned % 65536 == 0)
				tk_store_forget(tx->st);
			if (tk_get_u64(k.mv_data) > scan_hi)
				break;
			if ((rc = deliver(&dl, tk_get_u64(k.mv_data), v)) < 0)
				goto fail_tk;
			if (rc)
				break;
		}
		mdb_cursor_close(c);
		c = NULL;
	}
	tk_ticket_free(&tk);
	free(best.v);
	free(pre.v);
	return dl.matched;
fail_tk:
	if (c)
		mdb_cursor_close(c);
	tk_ticket_free(&tk);
fail:
	free(cnt);
	free(best.v);
	free(pre.v);
	return -1;
}
