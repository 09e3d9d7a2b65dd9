/*
 * sla.c - SLA policies (the store's sla file), the deadlines they give
 * tickets, and the escalation ledger.
 *
 *   policy vip
 *     match      priority=P1 tags~vip   # the filter language of tk-ls; "*" matches all
 *     match      tier=vip               # several match lines: any may hold
 *     response   15m                    # the first response
 *     update     4h                     # the next response after each customer reply
 *     resolution 2h
 *     calendar   office                 # of the calendars file; 24x7 (the default): wall-clock time
 *     warn       80%                    # a warning at this share of a target (80% unless given)
 *     level      2 after 1h             # further levels of escalation, after the breach
 *
 * The first policy whose match holds applies. Each metric has a clock,
 * kept as a deadline in the ticket's own stored fields (due_response,
 * due_update, due_resolution); sla_due is the earliest of them while the
 * clock runs, and indexed, so tk-sla reads only the tickets due in its
 * window. A deadline is the clock's start plus the target plus the
 * business time the ticket spent in a paused status since:
 *
 *   response    from the ticket's creation, until an agent's first reply
 *               (first_response)
 *   update      from the requester's latest public reply that no agent's
 *               public reply followed, until one does
 *   resolution  from the creation, or the last reopening, until the
 *               ticket is resolved or closed
 *
 * While the status's class is paused (status_paused: the workflow gives the class) a deadline stays
 * as it was when the pause began and sla_due is empty; when it ends the
 * deadline moves on by the business time the pause took. The calendar's
 * arithmetic counts every target in its business time ("3d" of business
 * time is three working days: tk_cal_day_seconds).
 *
 * The model calls sla_hook for every ticket it writes (tk_ticket_hook,
 * set by tk_sla_attach for every writing command), so every intake and
 * change path gets deadlines without the model knowing of this file. The
 * few changes that follow from one event alone (a pause, a first
 * response, a reply, a resolution) are done in place; every other one (a
 * new ticket, a reopening, the end of a pause, a change of the policy
 * that applies, a recompute) rebuilds the deadlines from the ticket's
 * history: its status changes in the event log and its replies. The two
 * agree by construction (tests/t2900-sla.t compares them). Changes are
 * logged via sla:POLICY.
 *
 * The files are read when the first ticket is written, at each run: no
 * compiled policy or calendar is kept in the store (DESIGN.md 11), and a
 * policy's regexes are not JIT-compiled for the few tickets of a run.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tk.h"

#define NONE INT64_MIN
#define TIME_MAX 253402300799LL	/* 9999-12-31T23:59:59Z */
#define MAXLEVELS 16

const char *const tk_sla_metrics[TK_SLA_NMETRICS] = { "response", "update", "resolution" };
const char *const tk_sla_state_names[] = { "ok", "warning", "breached", "paused" };
static const int due_field[TK_SLA_NMETRICS] = { TK_F_DUE_RESPONSE, TK_F_DUE_UPDATE, TK_F_DUE_RESOLUTION };
static const char metric_key[TK_SLA_NMETRICS] = { 'r', 'u', 's' };

/* A status whose class (the workflow's, status.c) stops the clock. */
static int
status_paused(tk_str s)
{
	return tk_status_class(s) == TK_CLASS_PAUSED;
}

/* A duration of business time: days and weeks of the schedule, and seconds. */
struct dur {
	int days, weeks;
	int64_t secs;
};

struct level {
	int n;
	struct dur after;
};

struct tk_policy {
	char *name;
	long line;
	tk_filter **match;	/* any may hold */
	size_t nmatch;
	int all;		/* match * */
	tk_buf matchtext;	/* the match lines, for --explain */
	int has[TK_SLA_NMETRICS];
	struct dur target[TK_SLA_NMETRICS];
	const tk_calendar *cal;
	int warn;		/* percent */
	struct level lv[MAXLEVELS];
	int nlv;
};

struct tk_sla {
	char *path;
	tk_calendars *cals;
	tk_policy **p;
	size_t n;
	int prepared;		/* field names checked against a store */
};

/* ---- reading the sla file ---- */

static void
policy_free(tk_policy *p)
{
	size_t i;

	for (i = 0; i < p->nmatch; i++)
		tk_filter_free(p->match[i]);
	free(p->match);
	tk_buf_free(&p->matchtext);
	free(p->name);
	free(p);
}

void
tk_sla_free(tk_sla *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		policy_free(s->p[i]);
	free(s->p);
	free(s->path);
	tk_calendars_free(s->cals);
	free(s);
}

/* "15m", "4h", "3d", "1w", "1h30m", "90s", plain seconds: 0 or -1. */
static int
dur_parse(const char *s, struct dur *d)
{
	const char *p = s;
	long long v;
	char *end;

	memset(d, 0, sizeof *d);
	if (!isdigit((unsigned char)*p))
		return -1;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = strtoll(p, &end, 10);
		if (v > 100000000LL)
			return -1;
		p = end;
		switch (*p) {
		case 's': d->secs += v; p++; break;
		case 'm': d->secs += v * 60; p++; break;
		case 'h': d->secs += v * 3600; p++; break;
		case 'd': d->days += (int)v; p++; break;
		case 'w': d->weeks += (int)v; p++; break;
		case '\0': d->secs += v; break;
		default:
			return -1;
		}
		if (d->days > 100000 || d->weeks > 10000 || d->secs > 100000000LL * 3600)
			return -1;
	}
	return d->days || d->weeks || d->secs ? 0 : -1;
}

/* A duration from moment from, in business seconds of calendar c. */
static int64_t
dur_secs(const tk_calendar *c, int64_t from, const struct dur *d)
{
	int days = d->days + d->weeks * tk_cal_workdays_week(c);

	return (days ? tk_cal_day_seconds(c, from, days) : 0) + d->secs;
}

static void
dur_text(tk_buf *b, const struct dur *d)
{
	int64_t s = d->secs;

	if (d->weeks)
		tk_buf_printf(b, "%dw", d->weeks);
	if (d->days)
		tk_buf_printf(b, "%dd", d->days);
	if (s >= 3600 && s % 60 == 0) {
		tk_buf_printf(b, "%lldh", (long long)(s / 3600));
		s %= 3600;
	}
	if (s >= 60 && s % 60 == 0) {
		tk_buf_printf(b, "%lldm", (long long)(s / 60));
		s = 0;
	}
	if (s || (!d->days && !d->weeks && !d->secs))
		tk_buf_printf(b, "%llds", (long long)s);
}

static int
policy_name_ok(const char *s)
{
	size_t i;

	if (!isalpha((unsigned char)s[0]) || strlen(s) > 64)
		return 0;
	for (i = 1; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_-.", s[i]))
			return 0;
	return 1;
}

/* One statement of a policy: 0, or -1 with tk_errmsg naming file:line. */
static int
policy_statement(tk_sla *s, tk_policy *p, tk_conf *cf)
{
	const char *kw = cf->w[0];
	size_t i;
	int m;

	if (!strcmp(kw, "match")) {
		tk_filter *q;

		if (cf->nw < 2)
			return tk_conf_error(cf, "match: a filter must follow (priority=P1 tags~vip, or * for all)");
		if (cf->nw == 2 && !strcmp(cf->w[1], "*")) {
			p->all = 1;
		} else {
			q = tk_filter_new();
			tk_filter_jit(q, 0);
			for (i = 1; i < cf->nw; i++)
				if (tk_filter_add(q, cf->w[i]) < 0) {
					tk_filter_free(q);
					return tk_conf_error(cf, "%s", tk_errmsg);
				}
			p->match = tk_xrealloc(p->match, (p->nmatch + 1) * sizeof *p->match);
			p->match[p->nmatch++] = q;
		}
		if (p->matchtext.len)
			tk_buf_adds(&p->matchtext, " | ");
		for (i = 1; i < cf->nw; i++)
			tk_buf_printf(&p->matchtext, "%s%s", i > 1 ? " " : "", cf->w[i]);
		return 0;
	}
	for (m = 0; m < TK_SLA_NMETRICS; m++)
		if (!strcmp(kw, tk_sla_metrics[m])) {
			if (cf->nw != 2 || dur_parse(cf->w[1], &p->target[m]) < 0)
				return tk_conf_error(cf, "%s %s: not a duration (15m, 4h, 3d, 1w, 1h30m or seconds)", kw,
				    cf->nw > 1 ? cf->w[1] : "");
			if (p->has[m])
				return tk_conf_error(cf, "policy %s: %s given twice", p->name, kw);
			p->has[m] = 1;
			return 0;
		}
	if (!strcmp(kw, "calendar")) {
		if (cf->nw != 2)
			return tk_conf_error(cf, "calendar NAME (of the calendars file), or calendar 24x7");
		if (!(p->cal = tk_calendar_find(s->cals, cf->w[1]))) {
			tk_nearest nr;
			size_t k;

			tk_nearest_init(&nr, cf->w[1]);
			tk_nearest_try(&nr, "24x7");
			for (k = 0; k < tk_calendars_count(s->cals); k++)
				tk_nearest_try(&nr, tk_calendar_name(tk_calendars_at(s->cals, k)));
			if (nr.best)
				return tk_conf_error(cf, "calendar %s: no such calendar; did you mean %s?", cf->w[1], nr.best);
			return tk_conf_error(cf, "calendar %s: no such calendar in calendars%s", cf->w[1],
			    s->cals ? "" : " (the store has no calendars file; 24x7 is wall-clock time)");
		}
		return 0;
	}
	if (!strcmp(kw, "warn")) {
		char *end;
		long v = cf->nw == 2 ? strtol(cf->w[1], &end, 10) : -1;

		if (cf->nw != 2 || end == cf->w[1] || strcmp(end, "%") || v < 1 || v > 99)
			return tk_conf_error(cf, "warn %s: a share of the target, 1%% to 99%% (warn 80%%)",
			    cf->nw > 1 ? cf->w[1] : "");
		p->warn = (int)v;
		return 0;
	}
	if (!strcmp(kw, "level")) {
		char *end;
		long n = cf->nw == 4 ? strtol(cf->w[1], &end, 10) : -1;
		struct level *l;

		if (cf->nw != 4 || *end || strcmp(cf->w[2], "after") || n < 2 || n > 99)
			return tk_conf_error(cf, "level N after DURATION (level 2 after 1h: N from 2, 1 is the breach)");
		if (p->nlv == MAXLEVELS)
			return tk_conf_error(cf, "policy %s: more than %d levels", p->name, MAXLEVELS);
		l = &p->lv[p->nlv];
		if (dur_parse(cf->w[3], &l->after) < 0)
			return tk_conf_error(cf, "%s: not a duration (15m, 4h, 3d, 1w or seconds)", cf->w[3]);
		if (p->nlv && n <= p->lv[p->nlv - 1].n)
			return tk_conf_error(cf, "level %ld: levels go up (the one before is %d)", n, p->lv[p->nlv - 1].n);
		l->n = (int)n;
		p->nlv++;
		return 0;
	}
	return tk_conf_error(cf, "%s: not a statement of a policy (match, response, update, resolution, calendar, warn, level)", kw);
}

static int
policy_check(tk_policy *p, tk_conf *cf)
{
	int m, any = 0;

	cf->lineno = p->line;
	if (!p->all && !p->nmatch)
		return tk_conf_error(cf, "policy %s: no match line (match * for every ticket)", p->name);
	for (m = 0; m < TK_SLA_NMETRICS; m++)
		any |= p->has[m];
	if (!any)
		return tk_conf_error(cf, "policy %s: no target (response, update or resolution)", p->name);
	if (!p->cal)
		p->cal = tk_calendar_24x7();
	if (!p->warn)
		p->warn = 80;
	return 0;
}

int
tk_sla_read(tk_sla **out, const char *dir, const char *policy)
{
	tk_sla *s;
	tk_conf cf;
	tk_policy *p = NULL;
	const char *d = dir, *name = "sla";
	char *pdir = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if (policy) {
		const char *slash = strrchr(policy, '/');

		pdir = slash ? tk_xstrndup(policy, (size_t)(slash - policy)) : tk_xstrdup(".");
		d = slash == policy ? "" : pdir;
		name = slash ? slash + 1 : policy;
	}
	rc = tk_conf_open(&cf, d, name);
	free(pdir);
	if (rc == 0 && policy)
		return tk_error("%s: no such file", policy);
	if (rc <= 0)
		return rc;
	s = tk_xmalloc(sizeof *s);
	memset(s, 0, sizeof *s);
	s->path = tk_xstrdup(cf.path);
	if (tk_calendars_read(&s->cals, dir, "calendars") < 0) {
		tk_conf_close(&cf);
		tk_sla_free(s);
		return -1;
	}
	while ((rc = tk_conf_next(&cf)) > 0) {
		if (!strcmp(cf.w[0], "policy")) {
			if (p && policy_check(p, &cf) < 0) {
				rc = -1;
				break;
			}
			if (cf.nw != 2 || !policy_name_ok(cf.w[1])) {
				rc = tk_conf_error(&cf, "policy NAME (a letter, then letters, digits, _ - .)");
				break;
			}
			for (i = 0; i < s->n; i++)
				if (!strcmp(s->p[i]->name, cf.w[1]))
					break;
			if (i < s->n) {
				rc = tk_conf_error(&cf, "policy %s: already defined on line %ld", cf.w[1], s->p[i]->line);
				break;
			}
			p = tk_xmalloc(sizeof *p);
			memset(p, 0, sizeof *p);
			p->name = tk_xstrdup(cf.w[1]);
			p->line = cf.lineno;
			s->p = tk_xrealloc(s->p, (s->n + 1) * sizeof *s->p);
			s->p[s->n++] = p;
			continue;
		}
		if (!p) {
			rc = tk_conf_error(&cf, "%s: outside a policy (policy NAME first)", cf.w[0]);
			break;
		}
		if (policy_statement(s, p, &cf) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && p && policy_check(p, &cf) < 0)
		rc = -1;
	tk_conf_close(&cf);
	if (rc < 0) {
		tk_sla_free(s);
		return -1;
	}
	*out = s;
	return 1;
}

/* The policies' custom field names checked against the store (once). */
static int
sla_prepare(tk_sla *s, tk_txn *t)
{
	size_t i, j;

	if (s->prepared)
		return 0;
	for (i = 0; i < s->n; i++)
		for (j = 0; j < s->p[i]->nmatch; j++)
			if (tk_filter_prepare(s->p[i]->match[j], t) < 0)
				return tk_error("%s:%ld: policy %s: %s", s->path, s->p[i]->line, s->p[i]->name, tk_errmsg);
	s->prepared = 1;
	return 0;
}

size_t
tk_sla_count(const tk_sla *s)
{
	return s ? s->n : 0;
}

const tk_policy *
tk_sla_at(const tk_sla *s, size_t i)
{
	return s->p[i];
}

const char *
tk_policy_name(const tk_policy *p)
{
	return p->name;
}

const tk_calendar *
tk_policy_calendar(const tk_policy *p)
{
	return p->cal;
}

/* The first policy whose match holds for tk (*out NULL: none): 0 or -1. */
int
tk_sla_policy(tk_sla *s, tk_txn *t, tk_ticket *tk, const tk_policy **out)
{
	size_t i, j;
	int rc;

	*out = NULL;
	if (!s)
		return 0;	/* no sla file */
	if (sla_prepare(s, t) < 0)
		return -1;
	for (i = 0; i < s->n; i++) {
		if (s->p[i]->all) {
			*out = s->p[i];
			return 0;
		}
		for (j = 0; j < s->p[i]->nmatch; j++) {
			if ((rc = tk_filter_match(s->p[i]->match[j], t, tk)) < 0)
				return tk_error("%s:%ld: policy %s: %s", s->path, s->p[i]->line, s->p[i]->name, tk_errmsg);
			if (rc) {
				*out = s->p[i];
				return 0;
			}
		}
	}
	return 0;
}

/* The policy of a ticket as it was (tk_ticket_hook's before): matched on
 * a copy whose memory is its own (a body read now goes there). */
static int
policy_before(tk_sla *s, tk_txn *t, const tk_ticket *before, const tk_policy **out)
{
	tk_ticket b = *before;
	int rc;

	b.arena = NULL;
	rc = tk_sla_policy(s, t, &b, out);
	b.custom = NULL;	/* the model's */
	tk_ticket_free(&b);
	return rc;
}

/* ---- fields ---- */

static int64_t
ftime(tk_str v)
{
	time_t x;

	return v.n && tk_iso_parse(v.p, v.n, &x) == 0 ? (int64_t)x : NONE;
}

static void
iso_of(int64_t t, char out[21])
{
	if (t > TIME_MAX)
		t = TIME_MAX;
	if (t < 0)
		t = 0;
	tk_time_iso((time_t)t, out);
}

/* ---- the escalation ledger ---- */

/* ledger key: id . metric . level (sla_ledger, store.c's header). */
static MDB_val
ledger_key(unsigned char kb[10], uint64_t id, int metric, int level)
{
	tk_put_u64(kb, id);
	kb[8] = (unsigned char)metric_key[metric];
	kb[9] = (unsigned char)level;
	return (MDB_val){ 10, kb };
}

int
tk_sla_claimed(tk_txn *t, uint64_t id, int metric)
{
	unsigned char kb[10];
	MDB_cursor *c;
	MDB_val k = ledger_key(kb, id, metric, 0), v;
	int rc, top = -1;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_SLA_LEDGER], &c)))
		return tk_mdb_error(rc, "sla_ledger"), -2;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 10 || memcmp(k.mv_data, kb, 9))
			break;
		top = ((unsigned char *)k.mv_data)[9];
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "sla_ledger"), -2;
	return top;
}

int
tk_sla_claim(tk_txn *t, uint64_t id, int metric, int level, int64_t deadline)
{
	unsigned char kb[10];
	char val[41];
	MDB_val k = ledger_key(kb, id, metric, level), v = { 40, val };
	int rc;

	memcpy(val, t->now_iso, 20);
	iso_of(deadline, val + 20);
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_SLA_LEDGER], &k, &v, 0)))
		return tk_mdb_error(rc, "sla_ledger");
	return 0;
}

/* Claims of ticket id (metric m, or all for -1) at level from and up
 * dropped: how many, or -1. top: only each metric's highest. */
static int
ledger_drop(tk_txn *t, uint64_t id, int m, int from, int top)
{
	unsigned char kb[10];
	MDB_cursor *c;
	MDB_val k, v;
	int rc, n = 0, mi;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_SLA_LEDGER], &c)))
		return tk_mdb_error(rc, "sla_ledger");
	for (mi = 0; mi < TK_SLA_NMETRICS; mi++) {
		int last = -1;

		if (m >= 0 && mi != m)
			continue;
		k = ledger_key(kb, id, mi, from);
		for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
		    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			if (k.mv_size != 10 || memcmp(k.mv_data, kb, 9))
				break;
			last = ((unsigned char *)k.mv_data)[9];
			if (!top && (rc = mdb_cursor_del(c, 0)))
				break;
			n += !top;
		}
		if (rc && rc != MDB_NOTFOUND)
			break;
		rc = 0;
		if (top && last >= 0) {
			k = ledger_key(kb, id, mi, last);
			if ((rc = mdb_del(t->txn, t->st->dbi[TK_DB_SLA_LEDGER], &k, NULL)))
				break;
			n++;
		}
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "sla_ledger");
	return n;
}

int
tk_sla_rearm(tk_txn *t, uint64_t id)
{
	return ledger_drop(t, id, -1, 0, 1);
}

/* ---- history ---- */

struct pause {
	int64_t a, b;		/* b NONE: still paused */
};

struct hist {
	int64_t created, reopened;	/* reopened NONE: never */
	int64_t agent, requester;	/* the latest public reply of each, NONE for none */
	struct pause *pz;
	size_t npz, cap;
};

static void
hist_free(struct hist *h)
{
	free(h->pz);
	memset(h, 0, sizeof *h);
}

/* The ticket's events, oldest first (backward: newest first), to fn
 * until it returns non-zero: 0 or -1. */
static int
events_each(tk_txn *t, uint64_t id, int backward, int (*fn)(const tk_event *, void *), void *arg)
{
	unsigned char kb[8];
	MDB_cursor *c;
	MDB_val k = { 8, kb }, v, e;
	tk_event ev;
	int rc;

	tk_put_u64(kb, id);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_LOG_TICKET], &c)))
		return tk_mdb_error(rc, "log_ticket");
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	if (!rc)
		rc = mdb_cursor_get(c, &k, &v, backward ? MDB_LAST_DUP : MDB_FIRST_DUP);
	for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, backward ? MDB_PREV_DUP : MDB_NEXT_DUP)) {
		uint64_t seq = tk_get_u64(v.mv_data);
		unsigned char sb[8];
		MDB_val sk = { 8, sb };

		tk_put_u64(sb, seq);
		if ((rc = mdb_get(t->txn, t->st->dbi[TK_DB_LOG], &sk, &e)))
			break;
		if (tk_event_decode(&ev, seq, e.mv_data, e.mv_size) < 0) {
			mdb_cursor_close(c);
			return -1;
		}
		if (fn(&ev, arg))
			break;
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "log");
	return 0;
}

struct statuses {
	struct hist *h;
	int seen, paused;
};

static int
on_event(const tk_event *ev, void *arg)
{
	struct statuses *s = arg;
	struct hist *h = s->h;
	int64_t when = ftime(ev->time);

	if (when == NONE || !tk_str_eq(ev->field, "status"))
		return 0;
	if (!s->seen) {
		/* The status it was made with: the first change's old one. */
		s->seen = 1;
		s->paused = 0;
		if (status_paused(ev->old)) {
			if (h->npz == h->cap)
				h->pz = tk_xrealloc(h->pz, (h->cap = h->cap ? 2 * h->cap : 8) * sizeof *h->pz);
			h->pz[h->npz].a = h->created;
			h->pz[h->npz++].b = NONE;
			s->paused = 1;
		}
	}
	if (!tk_active_status(ev->old) && tk_active_status(ev->new))
		h->reopened = when;
	if (s->paused && !status_paused(ev->new)) {
		h->pz[h->npz - 1].b = when;
	} else if (!s->paused && status_paused(ev->new)) {
		if (h->npz == h->cap)
			h->pz = tk_xrealloc(h->pz, (h->cap = h->cap ? 2 * h->cap : 8) * sizeof *h->pz);
		h->pz[h->npz].a = when;
		h->pz[h->npz++].b = NONE;
	}
	s->paused = status_paused(ev->new);
	return 0;
}

struct replies {
	struct hist *h;
	tk_str requester;
};

static int
on_comment(const tk_comment *cm, void *arg)
{
	struct replies *r = arg;
	int64_t when = ftime(cm->time);

	if (cm->internal || when == NONE)
		return 0;
	if (r->requester.n && cm->author.n == r->requester.n &&
	    !strncasecmp(cm->author.p, r->requester.p, r->requester.n))
		r->h->requester = when;
	else
		r->h->agent = when;
	return 0;
}

/* What the deadlines are made of, from the event log and the replies. */
static int
history(tk_txn *t, tk_ticket *tk, struct hist *h)
{
	struct statuses s = { h, 0, 0 };
	struct replies r = { h, tk->f[TK_F_REQUESTER] };

	memset(h, 0, sizeof *h);
	h->created = ftime(tk->f[TK_F_CREATED]);
	if (h->created == NONE)
		h->created = t->now;
	h->reopened = h->agent = h->requester = NONE;
	if (events_each(t, tk->id, 0, on_event, &s) < 0)
		return -1;
	/* No status change logged: the ticket has had its status since it was made. */
	if (!s.seen && status_paused(tk->f[TK_F_STATUS])) {
		h->pz = tk_xmalloc(sizeof *h->pz);
		h->cap = 1;
		h->pz[0].a = h->created;
		h->pz[0].b = NONE;
		h->npz = 1;
	}
	if (tk_comment_each(t, tk->id, on_comment, &r) < 0)
		return -1;
	return 0;
}

/*
 * The deadlines of tk under policy p from its history h at now (NONE for
 * a clock that is not running): each clock's start, its target in p's
 * business time from there, plus the pauses since that have ended. A
 * pause going on now is not counted: while it lasts the deadline stays
 * where it was when it began. start[] gets each clock's start.
 */
static void
compute(const tk_policy *p, tk_ticket *tk, const struct hist *h, int64_t d[TK_SLA_NMETRICS],
    int64_t start[TK_SLA_NMETRICS], int64_t paused[TK_SLA_NMETRICS])
{
	int m;
	size_t i;

	for (m = 0; m < TK_SLA_NMETRICS; m++)
		d[m] = start[m] = NONE, paused[m] = 0;
	if (!p || !tk_active_status(tk->f[TK_F_STATUS]))
		return;
	if (!tk->f[TK_F_FIRST_RESPONSE].n)
		start[TK_SLA_RESPONSE] = h->created;
	if (h->requester != NONE && (h->agent == NONE || h->requester > h->agent))
		start[TK_SLA_UPDATE] = h->requester;
	start[TK_SLA_RESOLUTION] = h->reopened != NONE ? h->reopened : h->created;
	for (m = 0; m < TK_SLA_NMETRICS; m++) {
		if (!p->has[m] || start[m] == NONE)
			continue;
		for (i = 0; i < h->npz; i++) {
			int64_t a = h->pz[i].a > start[m] ? h->pz[i].a : start[m];

			if (h->pz[i].b != NONE && h->pz[i].b > a)
				paused[m] += tk_cal_between(p->cal, a, h->pz[i].b);
		}
		d[m] = tk_cal_add(p->cal, start[m], dur_secs(p->cal, start[m], &p->target[m]) + paused[m]);
	}
}

/* The start of the pause going on: the latest change into a paused
 * status from one that is not, or the ticket's creation. */
struct pstart {
	int64_t at;
};

static int
on_pause(const tk_event *ev, void *arg)
{
	struct pstart *ps = arg;

	if (tk_str_eq(ev->field, "create")) {
		ps->at = ftime(ev->time);
		return 1;
	}
	if (tk_str_eq(ev->field, "status") && status_paused(ev->new) && !status_paused(ev->old)) {
		ps->at = ftime(ev->time);
		return 1;
	}
	return 0;
}

static int
pause_start(tk_txn *t, tk_ticket *tk, int64_t *at)
{
	struct pstart ps = { NONE };

	if (events_each(t, tk->id, 1, on_pause, &ps) < 0)
		return -1;
	*at = ps.at != NONE ? ps.at : ftime(tk->f[TK_F_CREATED]);
	if (*at == NONE)
		*at = t->now;
	return 0;
}

/* ---- the hook: deadlines kept as tickets are written ---- */

static struct {
	tk_sla *sla;
	int loaded;
	char *err;
	char *dir;
} cur;

/* The store's policies, read once a run: 1, 0 none, -1 (a broken file). */
int
tk_sla_get(tk_store *st, tk_sla **out)
{
	if (!cur.loaded || !cur.dir || strcmp(cur.dir, st->dir)) {
		tk_sla_free(cur.sla);
		free(cur.err);
		free(cur.dir);
		cur.sla = NULL;
		cur.err = NULL;
		cur.dir = tk_xstrdup(st->dir);
		if (tk_sla_read(&cur.sla, st->dir, NULL) < 0)
			cur.err = tk_xstrdup(tk_errmsg);
		cur.loaded = 1;
	}
	*out = cur.sla;
	if (cur.err)
		return tk_error("%s", cur.err);
	return cur.sla != NULL;
}

/*
 * Deadlines d (NONE: none) written into tk's fields with sla_due, the
 * earliest while the clock runs (not paused); each change logged via
 * sla:POLICY when log is set. 1 when a field changed, 0 not, -1.
 */
static int
set_due(tk_txn *t, tk_ticket *tk, const int64_t d[TK_SLA_NMETRICS], int paused, const char *policy, int log)
{
	int64_t min = NONE;
	tk_str now[TK_SLA_NMETRICS + 1];
	int fields[TK_SLA_NMETRICS + 1], m, changed = 0, rc = 0;
	char iso[21], via[80];
	const char *oldvia = t->via;

	for (m = 0; m < TK_SLA_NMETRICS; m++) {
		fields[m] = due_field[m];
		if (d[m] == NONE)
			now[m] = (tk_str){ "", 0 };
		else {
			iso_of(d[m], iso);
			now[m] = tk_str_eq(tk->f[fields[m]], iso) ? tk->f[fields[m]] : tk_ticket_own(tk, iso, 20);
			if (min == NONE || d[m] < min)
				min = d[m];
		}
	}
	fields[m] = TK_F_SLA_DUE;
	if (paused || min == NONE)
		now[m] = (tk_str){ "", 0 };
	else {
		iso_of(min, iso);
		now[m] = tk_str_eq(tk->f[TK_F_SLA_DUE], iso) ? tk->f[TK_F_SLA_DUE] : tk_ticket_own(tk, iso, 20);
	}
	snprintf(via, sizeof via, "sla:%s", policy ? policy : "none");
	t->via = via;
	for (m = 0; m <= TK_SLA_NMETRICS && rc == 0; m++) {
		if (tk_str_same(tk->f[fields[m]], now[m]))
			continue;
		if (log)
			rc = tk_log_append(t, tk->id, tk_fields[fields[m]].name, tk->f[fields[m]], now[m]);
		tk->f[fields[m]] = now[m];
		changed = 1;
	}
	t->via = oldvia;
	return rc < 0 ? -1 : changed;
}

static int
missing(const tk_policy *p, const tk_ticket *tk)
{
	return (p->has[TK_SLA_RESPONSE] && !tk->f[TK_F_FIRST_RESPONSE].n && !tk->f[TK_F_DUE_RESPONSE].n) ||
	    (p->has[TK_SLA_RESOLUTION] && !tk->f[TK_F_DUE_RESOLUTION].n);
}

/* Deadlines rebuilt from tk's history under p, written (logged when log). */
static int
rebuild(tk_txn *t, tk_ticket *tk, const tk_policy *p, int log)
{
	struct hist h;
	int64_t d[TK_SLA_NMETRICS], start[TK_SLA_NMETRICS], pz[TK_SLA_NMETRICS];
	int rc;

	if (history(t, tk, &h) < 0)
		return -1;
	compute(p, tk, &h, d, start, pz);
	hist_free(&h);
	rc = set_due(t, tk, d, status_paused(tk->f[TK_F_STATUS]), p ? p->name : NULL, log);
	return rc;
}

/* Rebuilt, and the claims of the ledger that no longer hold dropped: a
 * clock stopped, or a deadline moved past now (no breach then). */
static int
rebuild_drop(tk_txn *t, tk_ticket *tk, const tk_policy *p)
{
	int m, rc;

	if ((rc = rebuild(t, tk, p, 1)) <= 0)
		return rc;
	for (m = 0; m < TK_SLA_NMETRICS; m++) {
		int64_t nd = ftime(tk->f[due_field[m]]);

		if ((nd == NONE || nd > t->now) && ledger_drop(t, tk->id, m, nd == NONE ? 0 : 1, 0) < 0)
			return -1;
	}
	return rc;
}

static int
sla_hook(tk_txn *t, const tk_ticket *before, tk_ticket *tk, int flags)
{
	const tk_policy *p, *op = NULL;
	tk_sla *s;
	int64_t d[TK_SLA_NMETRICS];
	int act, m, rc;

	if ((rc = tk_sla_get(t->st, &s)) < 0 || (rc == 0 && !(flags & TK_APPLY_SLA)))
		return rc;
	act = tk_active_status(tk->f[TK_F_STATUS]);
	/* A resolved or closed ticket with no deadline, made or changed (most
	 * of an import of history): nothing to match. */
	if (!act && !tk->f[TK_F_DUE_RESPONSE].n && !tk->f[TK_F_DUE_UPDATE].n && !tk->f[TK_F_DUE_RESOLUTION].n &&
	    !tk->f[TK_F_SLA_DUE].n)
		return 0;
	if (tk_sla_policy(s, t, tk, &p) < 0)
		return -1;
	if (!before) {
		/* A new ticket: its clocks from its creation (an imported one's
		 * own time), no history yet. */
		struct hist h;
		int64_t start[TK_SLA_NMETRICS], pz[TK_SLA_NMETRICS];

		if (!p || !act)
			return 0;
		memset(&h, 0, sizeof h);
		h.created = ftime(tk->f[TK_F_CREATED]);
		if (h.created == NONE)
			h.created = t->now;
		h.reopened = h.agent = h.requester = NONE;
		compute(p, tk, &h, d, start, pz);
		return set_due(t, tk, d, status_paused(tk->f[TK_F_STATUS]), p->name, 0);
	}
	if (flags & TK_APPLY_SLA)
		return rebuild_drop(t, tk, p);
	if (!act) {
		/* Resolved or closed: every clock stops. */
		for (m = 0; m < TK_SLA_NMETRICS; m++)
			d[m] = NONE;
		if (ledger_drop(t, tk->id, -1, 0, 0) < 0)
			return -1;
		return set_due(t, tk, d, 0, p ? p->name : NULL, 1);
	}
	if (policy_before(s, t, before, &op) < 0)
		return -1;
	if (!p && !op)
		return 0;
	if (!tk_active_status(before->f[TK_F_STATUS]) || op != p ||
	    (status_paused(before->f[TK_F_STATUS]) && !status_paused(tk->f[TK_F_STATUS])) ||
	    (p && missing(p, tk))) {
		/* Reopened, a pause over, another policy, deadlines it should
		 * have and has not: rebuilt from the history. */
		if (!tk_active_status(before->f[TK_F_STATUS]) && ledger_drop(t, tk->id, -1, 0, 0) < 0)
			return -1;
		return rebuild_drop(t, tk, p);
	}
	for (m = 0; m < TK_SLA_NMETRICS; m++)
		d[m] = ftime(tk->f[due_field[m]]);
	if (!before->f[TK_F_FIRST_RESPONSE].n && tk->f[TK_F_FIRST_RESPONSE].n)
		d[TK_SLA_RESPONSE] = NONE;
	if (flags & TK_APPLY_AGENT_REPLY)
		d[TK_SLA_UPDATE] = NONE;
	if ((flags & TK_APPLY_REQUESTER_REPLY) && p->has[TK_SLA_UPDATE]) {
		d[TK_SLA_UPDATE] = tk_cal_add(p->cal, t->now, dur_secs(p->cal, t->now, &p->target[TK_SLA_UPDATE]));
		if (ledger_drop(t, tk->id, TK_SLA_UPDATE, 0, 0) < 0)
			return -1;
	}
	for (m = 0; m < TK_SLA_NMETRICS; m++)
		if (d[m] == NONE && tk->f[due_field[m]].n && ledger_drop(t, tk->id, m, 0, 0) < 0)
			return -1;
	return set_due(t, tk, d, status_paused(tk->f[TK_F_STATUS]), p->name, 1);
}

int
tk_sla_attach(tk_store *st)
{
	tk_sla *s;
	tk_txn t;
	int rc;

	tk_ticket_hook = sla_hook;
	if ((rc = tk_sla_get(st, &s)) <= 0)
		return rc;
	/* The policies' field names, checked before anything is written. */
	if (tk_txn_read(st, &t) < 0)
		return -1;
	rc = sla_prepare(s, &t);
	tk_txn_end(&t);
	return rc < 0 ? -1 : 1;
}

/* ---- tk-sla: the state of each clock ---- */

int
tk_sla_states(tk_sla *s, tk_txn *t, tk_ticket *tk, int64_t now, int replay, int warn, tk_sla_state *out)
{
	const tk_policy *p;
	const tk_calendar *cal;
	int64_t d[TK_SLA_NMETRICS], start[TK_SLA_NMETRICS], pz[TK_SLA_NMETRICS], from = now;
	int m, n = 0, paused = status_paused(tk->f[TK_F_STATUS]), i;

	if (!tk_active_status(tk->f[TK_F_STATUS]))
		return 0;
	if (tk_sla_policy(s, t, tk, &p) < 0)
		return -1;
	if (replay) {
		struct hist h;

		if (history(t, tk, &h) < 0)
			return -1;
		compute(p, tk, &h, d, start, pz);
		if (paused && h.npz && h.pz[h.npz - 1].b == NONE)
			from = h.pz[h.npz - 1].a;
		hist_free(&h);
	} else {
		for (m = 0; m < TK_SLA_NMETRICS; m++)
			d[m] = ftime(tk->f[due_field[m]]);
		if (paused && (d[0] != NONE || d[1] != NONE || d[2] != NONE) && pause_start(t, tk, &from) < 0)
			return -1;
	}
	cal = p ? p->cal : tk_calendar_24x7();
	for (m = 0; m < TK_SLA_NMETRICS; m++) {
		tk_sla_state *st = &out[n];
		int w = warn ? warn : p ? p->warn : 80;

		if (d[m] == NONE)
			continue;
		memset(st, 0, sizeof *st);
		st->metric = m;
		st->policy = p;
		st->deadline = d[m];
		st->remaining = tk_cal_between(cal, from, d[m]);
		st->target = 0;	/* (worked out below when a warning is weighed) */
		st->reached = -1;
		if (paused)
			st->state = TK_SLA_PAUSED;
		else if (now > d[m] || st->remaining < 0) {
			st->state = TK_SLA_BREACHED;
			st->reached = 1;
			for (i = 0; p && i < p->nlv; i++)
				if (now >= tk_cal_add(cal, d[m], dur_secs(cal, d[m], &p->lv[i].after)))
					st->reached = p->lv[i].n;
		} else if (p && p->has[m] && (st->target = dur_secs(cal, now, &p->target[m])) &&
		    st->remaining * 100 <= st->target * (100 - w)) {
			st->state = TK_SLA_WARNING;
			st->reached = 0;
		} else
			st->state = TK_SLA_OK;
		if ((st->claimed = tk_sla_claimed(t, tk->id, m)) < -1)
			return -1;
		n++;
	}
	return n;
}

static int
cmp_id(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
tk_sla_due_by(tk_txn *t, int64_t bound, tk_ids *ids)
{
	MDB_cursor *c;
	MDB_val k, v;
	char hi[21];
	size_t i;
	int rc;

	iso_of(bound, hi);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IX_SLA_DUE], &c)))
		return tk_mdb_error(rc, "ix_sla_due");
	/* From the first key, a key (a time) at a time, all of its ids at once. */
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && k.mv_size == 20 && memcmp(k.mv_data, hi, 20) <= 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_NODUP)) {
		if ((rc = mdb_cursor_get(c, &k, &v, MDB_GET_MULTIPLE)))
			break;
		do {
			for (i = 0; i < v.mv_size / 8; i++)
				tk_ids_add(ids, tk_get_u64((unsigned char *)v.mv_data + 8 * i));
		} while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_MULTIPLE)) == 0);
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "ix_sla_due");
	if (ids->n > 1)
		qsort(ids->v, ids->n, sizeof *ids->v, cmp_id);
	return 0;
}

int64_t
tk_sla_window(tk_sla *s, int64_t now, int64_t within, int warn, int warnings)
{
	int64_t bound = now, b;
	size_t i;
	int m;

	for (i = 0; s && i <= s->n; i++) {
		const tk_calendar *c = i < s->n ? s->p[i]->cal : tk_calendar_24x7();

		if (within > 0 && (b = tk_cal_add(c, now, within + 1)) > bound)
			bound = b;
		if (!warnings || i == s->n)
			continue;
		for (m = 0; m < TK_SLA_NMETRICS; m++) {
			int w = warn ? warn : s->p[i]->warn;

			if (!s->p[i]->has[m])
				continue;
			b = tk_cal_add(c, now, dur_secs(c, now, &s->p[i]->target[m]) * (100 - w) / 100 + 1);
			if (b > bound)
				bound = b;
		}
	}
	if (!s && within > 0)
		bound = now + within + 1;
	return bound;
}

int
tk_sla_deadlines(tk_sla *s, tk_txn *t, tk_ticket *tk, int64_t d[TK_SLA_NMETRICS], const tk_policy **pp)
{
	struct hist h;
	int64_t start[TK_SLA_NMETRICS], pz[TK_SLA_NMETRICS];

	if (tk_sla_policy(s, t, tk, pp) < 0 || history(t, tk, &h) < 0)
		return -1;
	compute(*pp, tk, &h, d, start, pz);
	hist_free(&h);
	return 0;
}

/* ---- --explain ---- */

static void
when_text(tk_buf *b, const tk_calendar *c, int64_t t)
{
	char iso[21], local[40];

	iso_of(t, iso);
	tk_buf_adds(b, iso);
	if (strcmp(tk_calendar_name(c), "24x7")) {
		tk_cal_local(c, t, local);
		tk_buf_printf(b, " (%s)", local);
	}
}

int
tk_sla_explain(tk_sla *s, tk_txn *t, tk_ticket *tk, int64_t now, tk_buf *out)
{
	const tk_policy *p;
	const tk_calendar *c;
	struct hist h;
	int64_t d[TK_SLA_NMETRICS], start[TK_SLA_NMETRICS], pz[TK_SLA_NMETRICS];
	int m;
	size_t i;

	if (tk_sla_policy(s, t, tk, &p) < 0)
		return -1;
	tk_buf_printf(out, "ticket %llu: status %.*s", (unsigned long long)tk->id, (int)tk->f[TK_F_STATUS].n,
	    tk->f[TK_F_STATUS].p);
	if (!p) {
		tk_buf_printf(out, "; no policy of %s matches it: no deadlines\n", s ? s->path : "the sla file (there is none)");
		return 0;
	}
	c = p->cal;
	tk_buf_printf(out, "\npolicy %s (%s:%ld): match %s\n", p->name, s->path, p->line, p->matchtext.p);
	tk_buf_adds(out, "calendar ");
	tk_cal_describe(c, out);
	tk_buf_addc(out, '\n');
	if (!tk_active_status(tk->f[TK_F_STATUS])) {
		tk_buf_adds(out, "resolved or closed: no clock runs\n");
		return 0;
	}
	if (history(t, tk, &h) < 0)
		return -1;
	compute(p, tk, &h, d, start, pz);
	for (i = 0; i < h.npz; i++) {
		tk_buf_adds(out, i ? "" : "pauses (status of class paused):\n");
		tk_buf_adds(out, "  from ");
		when_text(out, c, h.pz[i].a);
		if (h.pz[i].b == NONE)
			tk_buf_adds(out, ", still paused: the deadlines wait where they were when it began\n");
		else {
			tk_buf_adds(out, " to ");
			when_text(out, c, h.pz[i].b);
			tk_buf_printf(out, ": %lld business seconds\n", (long long)tk_cal_between(c, h.pz[i].a, h.pz[i].b));
		}
	}
	for (m = 0; m < TK_SLA_NMETRICS; m++) {
		tk_buf ex = { 0 };
		int64_t target, stored = ftime(tk->f[due_field[m]]), o;

		tk_buf_printf(out, "%s: ", tk_sla_metrics[m]);
		if (!p->has[m]) {
			tk_buf_adds(out, "no target in the policy\n");
			continue;
		}
		if (start[m] == NONE) {
			tk_buf_adds(out, m == TK_SLA_RESPONSE ? "met: first response at " :
			    "no clock: no customer reply waits for an answer\n");
			if (m == TK_SLA_RESPONSE)
				tk_buf_printf(out, "%.*s\n", (int)tk->f[TK_F_FIRST_RESPONSE].n, tk->f[TK_F_FIRST_RESPONSE].p);
			continue;
		}
		target = dur_secs(c, start[m], &p->target[m]);
		tk_buf_adds(out, "target ");
		dur_text(out, &p->target[m]);
		tk_buf_printf(out, " = %lld business seconds from ", (long long)target);
		when_text(out, c, start[m]);
		tk_buf_adds(out, m == TK_SLA_UPDATE ? " (the customer's reply)" :
		    m == TK_SLA_RESOLUTION && h.reopened != NONE ? " (reopened)" : " (created)");
		if (!tk_cal_open(c, start[m]) && (o = tk_cal_next_open(c, start[m])) != start[m]) {
			tk_buf_adds(out, ", outside the hours: counted from the opening at ");
			when_text(out, c, o);
		}
		tk_buf_adds(out, "\n");
		if (pz[m])
			tk_buf_printf(out, "  + %lld business seconds paused\n", (long long)pz[m]);
		if (tk_cal_exceptions(c, start[m], d[m], &ex))
			tk_buf_printf(out, "  on the way: %s\n", ex.p);
		tk_buf_free(&ex);
		tk_buf_adds(out, "  deadline ");
		when_text(out, c, d[m]);
		if (stored != d[m]) {
			tk_buf_adds(out, "; stored: ");
			if (stored == NONE)
				tk_buf_adds(out, "none");
			else
				when_text(out, c, stored);
			tk_buf_adds(out, " (tk-sla --recompute rebuilds it)");
		}
		tk_buf_addc(out, '\n');
		if (status_paused(tk->f[TK_F_STATUS]))
			tk_buf_printf(out, "  paused: %lld business seconds left when the pause began\n",
			    (long long)(h.npz ? tk_cal_between(c, h.pz[h.npz - 1].a, d[m]) : 0));
		else
			tk_buf_printf(out, "  at %s: %lld business seconds %s\n", "now",
			    (long long)llabs(tk_cal_between(c, now, d[m])),
			    tk_cal_between(c, now, d[m]) < 0 || now > d[m] ? "past the deadline: breached" : "left");
	}
	hist_free(&h);
	return 0;
}
