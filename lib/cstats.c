/*
 * cstats.c - a contact's summary of its tickets (contact_stats, schema
 * 16): what tk-contact show prints, kept by the model's hook
 * (tk_cstats_hook) in the transaction that writes the tickets, so that a
 * profile reads one record and its last few tickets, however many
 * tickets the contact has.
 *
 * The summary holds the count of tickets, the count under each status
 * name (the class of a status is asked when the profile is shown, so a
 * workflow's new classes count at once), the CSAT sum and the number
 * rated, every first-response and resolution time in seconds, sorted
 * (the medians are exact: the middle of them), and the lowest and highest
 * ticket id the contact ever had (the range of epochs of ix_contact where
 * its last tickets are looked for, read backwards). A ticket counts for
 * the contact it holds: moving it to another contact (a merge, intake)
 * moves its part.
 *
 * The summaries hold the tickets up to a mark (meta "cstats_upto"): every
 * ticket whose id is at most the mark counts in its contact's summary, and
 * a change to one moves its part in the change's transaction (a bulk
 * batch adds its changes up by contact and writes each summary once, in id
 * order, at its end). A ticket made past the mark counts when the mark
 * passes it: a single new ticket right after the mark moves the mark in
 * its own transaction; the tickets of a bulk run are counted once, after
 * its last batch (tk_cstats_fold, through the store's bulk-end hook),
 * each contact's summary read and written once for the run, not once a
 * batch. A profile adds to the summary the contact's tickets past the
 * mark (none, unless a bulk run is under way or was cut short), read
 * through ix_contact: it is exact at every moment.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

/* A ticket's part in its contact's summary. */
struct part {
	uint64_t contact;	/* 0: none */
	tk_str status;
	int csat;		/* 1..5, 0 none */
	int has_frt, has_ttr;
	long long frt, ttr;
};

struct vals {
	long long *v;
	size_t n, cap;
};

struct stcount {
	char *name;
	long long n;
};

/* A summary, or the change to one (counts may be negative; del: times
 * to take out). */
struct cst {
	uint64_t contact;
	long long tickets, csat_sum, csat_n;
	uint64_t first, last;
	struct stcount *st;
	size_t nst;
	struct vals frt, ttr, frt_del, ttr_del;
};

static void
vals_add(struct vals *v, long long x)
{
	if (v->n == v->cap)
		v->v = tk_xrealloc(v->v, (v->cap = v->cap ? 2 * v->cap : 8) * sizeof *v->v);
	v->v[v->n++] = x;
}

static void
cst_free(struct cst *c)
{
	size_t i;

	for (i = 0; i < c->nst; i++)
		free(c->st[i].name);
	free(c->st);
	free(c->frt.v);
	free(c->ttr.v);
	free(c->frt_del.v);
	free(c->ttr_del.v);
	memset(c, 0, sizeof *c);
}

static void
st_add(struct cst *c, const char *name, size_t n, long long d)
{
	size_t i;

	for (i = 0; i < c->nst; i++)
		if (strlen(c->st[i].name) == n && !memcmp(c->st[i].name, name, n)) {
			c->st[i].n += d;
			return;
		}
	c->st = tk_xrealloc(c->st, (c->nst + 1) * sizeof *c->st);
	c->st[c->nst].name = tk_xstrndup(name, n);
	c->st[c->nst++].n = d;
}

/* ---- the record: varints ---- */

static void
put_uv(tk_buf *b, unsigned long long v)
{
	unsigned char x[10];
	size_t n = 0;

	do {
		x[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			x[n] |= 0x80;
		n++;
	} while (v);
	tk_buf_add(b, x, n);
}

static int
get_uv(const unsigned char **p, const unsigned char *end, unsigned long long *v)
{
	unsigned shift = 0;

	*v = 0;
	while (*p < end && shift < 64) {
		unsigned char c = *(*p)++;

		*v |= (unsigned long long)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
		shift += 7;
	}
	return -1;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void
put_vals(tk_buf *b, const struct vals *v)
{
	long long prev = 0;
	size_t i;

	put_uv(b, v->n);
	for (i = 0; i < v->n; i++) {
		put_uv(b, (unsigned long long)(v->v[i] - prev));	/* sorted, none below 0 */
		prev = v->v[i];
	}
}

static int
get_vals(const unsigned char **p, const unsigned char *end, struct vals *v)
{
	unsigned long long n, d;
	long long prev = 0;

	if (get_uv(p, end, &n) < 0 || n > (unsigned long long)(end - *p))
		return -1;
	while (n--) {
		if (get_uv(p, end, &d) < 0)
			return -1;
		prev += (long long)d;
		vals_add(v, prev);
	}
	return 0;
}

static void
encode_head(const struct cst *c, tk_buf *b)
{
	size_t i, n = 0;

	b->len = 0;
	put_uv(b, (unsigned long long)c->tickets);
	put_uv(b, c->first);
	put_uv(b, c->last);
	put_uv(b, (unsigned long long)c->csat_sum);
	put_uv(b, (unsigned long long)c->csat_n);
	for (i = 0; i < c->nst; i++)
		n += c->st[i].n > 0;
	put_uv(b, n);
	for (i = 0; i < c->nst; i++)
		if (c->st[i].n > 0) {
			put_uv(b, strlen(c->st[i].name));
			tk_buf_adds(b, c->st[i].name);
			put_uv(b, (unsigned long long)c->st[i].n);
		}
}

static void
encode(const struct cst *c, tk_buf *b)
{
	encode_head(c, b);
	put_vals(b, &c->frt);
	put_vals(b, &c->ttr);
}

/* The median of a sorted list as put_vals wrote it, read as far as its
 * middle (a profile needs no more); *n its length. */
static int
median_vals(const unsigned char **p, const unsigned char *end, unsigned long long *n, long long *med)
{
	unsigned long long i, d;
	long long prev = 0, before = 0;

	if (get_uv(p, end, n) < 0 || *n > (unsigned long long)(end - *p))
		return -1;
	for (i = 0; i < *n && i <= *n / 2; i++) {
		if (get_uv(p, end, &d) < 0)
			return -1;
		before = prev;
		prev += (long long)d;
	}
	*med = !*n ? 0 : *n % 2 ? prev : (before + prev) / 2;
	/* the rest skipped: varints end in a byte below 0x80 */
	for (; i < *n; i++)
		if (get_uv(p, end, &d) < 0)
			return -1;
	return 0;
}

/* lists: 1 the times read whole; 0 only their medians, into m[0], m[1],
 * their lengths into ln[0], ln[1]; 2 not at all, where they start in
 * *tail (ln cast: the offset). */
static int
decode_part(const void *data, size_t size, struct cst *c, int lists, unsigned long long ln[2], long long m[2])
{
	const unsigned char *p = data, *end = p + size;
	unsigned long long v[6], len, cnt;
	size_t i;

	for (i = 0; i < 6; i++)
		if (get_uv(&p, end, &v[i]) < 0)
			goto bad;
	c->tickets = (long long)v[0];
	c->first = v[1];
	c->last = v[2];
	c->csat_sum = (long long)v[3];
	c->csat_n = (long long)v[4];
	for (i = 0; i < v[5]; i++) {
		if (get_uv(&p, end, &len) < 0 || len > (unsigned long long)(end - p))
			goto bad;
		st_add(c, (const char *)p, (size_t)len, 0);
		p += len;
		if (get_uv(&p, end, &cnt) < 0)
			goto bad;
		c->st[c->nst - 1].n += (long long)cnt;
	}
	if (lists == 2) {
		ln[0] = (unsigned long long)(p - (const unsigned char *)data);
		return 0;
	}
	if (lists ? get_vals(&p, end, &c->frt) < 0 || get_vals(&p, end, &c->ttr) < 0 :
	    median_vals(&p, end, &ln[0], &m[0]) < 0 || median_vals(&p, end, &ln[1], &m[1]) < 0)
		goto bad;
	return 0;
bad:
	return tk_error("contact_stats: c%llu: damaged summary (tk-contact show reads the tickets instead)",
	    (unsigned long long)c->contact);
}

/* ---- a change applied ---- */

/* v: sorted; add and del taken in (each sorted here). */
static void
merge_vals(struct vals *v, struct vals *add, struct vals *del)
{
	struct vals out = { 0 };
	size_t i = 0, j = 0, k = 0;

	if (!add->n && !del->n)
		return;
	if (add->n > 1)
		qsort(add->v, add->n, sizeof *add->v, cmp_ll);
	if (del->n > 1)
		qsort(del->v, del->n, sizeof *del->v, cmp_ll);
	while (i < v->n || j < add->n) {
		long long x;

		if (j >= add->n || (i < v->n && v->v[i] <= add->v[j]))
			x = v->v[i++];
		else
			x = add->v[j++];
		while (k < del->n && del->v[k] < x)
			k++;	/* (not there: nothing to take out) */
		if (k < del->n && del->v[k] == x) {
			k++;
			continue;
		}
		vals_add(&out, x);
	}
	free(v->v);
	*v = out;
}

static void
apply(struct cst *s, struct cst *d)
{
	size_t i;

	s->tickets += d->tickets;
	if (s->tickets < 0)
		s->tickets = 0;
	s->csat_sum += d->csat_sum;
	s->csat_n += d->csat_n;
	if (s->csat_n <= 0 || s->csat_sum < 0)
		s->csat_n = s->csat_sum = 0;
	if (d->first && (!s->first || d->first < s->first))
		s->first = d->first;
	if (d->last > s->last)
		s->last = d->last;
	for (i = 0; i < d->nst; i++)
		if (d->st[i].n)
			st_add(s, d->st[i].name, strlen(d->st[i].name), d->st[i].n);
	merge_vals(&s->frt, &d->frt, &d->frt_del);
	merge_vals(&s->ttr, &d->ttr, &d->ttr_del);
}

/* ---- reading and writing one ---- */

static int
get_part(tk_txn *t, uint64_t contact, struct cst *c, int lists, unsigned long long ln[2], long long m[2])
{
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v;
	int rc;

	memset(c, 0, sizeof *c);
	c->contact = contact;
	tk_put_u64(kb, contact);
	rc = mdb_get(t->txn, t->st->dbi[TK_DB_CONTACT_STATS], &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return tk_mdb_error(rc, "contact_stats");
	return decode_part(v.mv_data, v.mv_size, c, lists, ln, m) < 0 ? -1 : 1;
}

static int
get(tk_txn *t, uint64_t contact, struct cst *c)
{
	return get_part(t, contact, c, 1, NULL, NULL);
}

static int
put(tk_txn *t, MDB_cursor *cur, const struct cst *c)
{
	static tk_buf rec;
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v;
	int rc;

	tk_put_u64(kb, c->contact);
	if (c->tickets <= 0) {
		rc = cur ? (mdb_cursor_get(cur, &k, &v, MDB_SET) ? 0 : mdb_cursor_del(cur, 0)) :
		    mdb_del(t->txn, t->st->dbi[TK_DB_CONTACT_STATS], &k, NULL);
		return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "contact_stats") : 0;
	}
	encode(c, &rec);
	v.mv_size = rec.len;
	v.mv_data = rec.p;
	rc = cur ? mdb_cursor_put(cur, &k, &v, 0) : mdb_put(t->txn, t->st->dbi[TK_DB_CONTACT_STATS], &k, &v, 0);
	return rc ? tk_mdb_error(rc, "contact_stats") : 0;
}

/* The change d written into its contact's summary. A change that moves
 * no time (a new ticket not yet answered, a status) keeps the record's
 * lists of times as they are, bytes copied, not read. */
static int
write_change(tk_txn *t, MDB_cursor *cur, struct cst *d)
{
	static tk_buf rec;
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v;
	struct cst s;
	int rc;

	if (!d->frt.n && !d->ttr.n && !d->frt_del.n && !d->ttr_del.n) {
		unsigned long long ln[2] = { 0, 0 };

		memset(&s, 0, sizeof s);
		s.contact = d->contact;
		tk_put_u64(kb, d->contact);
		rc = mdb_get(t->txn, t->st->dbi[TK_DB_CONTACT_STATS], &k, &v);
		if (rc && rc != MDB_NOTFOUND)
			return tk_mdb_error(rc, "contact_stats");
		if (!rc && decode_part(v.mv_data, v.mv_size, &s, 2, ln, NULL) < 0) {
			cst_free(&s);
			return -1;
		}
		apply(&s, d);
		if (s.tickets > 0) {
			encode_head(&s, &rec);
			if (rc)	/* (new: two empty lists) */
				tk_buf_add(&rec, "\0\0", 2);
			else
				tk_buf_add(&rec, (const char *)v.mv_data + ln[0], v.mv_size - (size_t)ln[0]);
			cst_free(&s);
			v.mv_size = rec.len;
			v.mv_data = rec.p;
			rc = cur ? mdb_cursor_put(cur, &k, &v, 0) : mdb_put(t->txn, t->st->dbi[TK_DB_CONTACT_STATS], &k, &v, 0);
			return rc ? tk_mdb_error(rc, "contact_stats") : 0;
		}
		rc = put(t, cur, &s);	/* (none left: taken out) */
		cst_free(&s);
		return rc;
	}
	if ((rc = get(t, d->contact, &s)) < 0) {
		cst_free(&s);
		return -1;
	}
	apply(&s, d);
	rc = put(t, cur, &s);
	cst_free(&s);
	return rc;
}

/* ---- a ticket's part ---- */

static void
part_of(const tk_str *f, struct part *p)
{
	time_t cr, r;

	memset(p, 0, sizeof *p);
	if (!f[TK_F_CONTACT].n || tk_contact_id_parse(f[TK_F_CONTACT].p, f[TK_F_CONTACT].n, &p->contact) < 0) {
		p->contact = 0;
		return;
	}
	p->status = f[TK_F_STATUS];
	if (f[TK_F_CSAT].n == 1 && f[TK_F_CSAT].p[0] >= '1' && f[TK_F_CSAT].p[0] <= '5')
		p->csat = f[TK_F_CSAT].p[0] - '0';
	if (tk_iso_parse(f[TK_F_CREATED].p, f[TK_F_CREATED].n, &cr) == 0) {
		if (tk_iso_parse(f[TK_F_FIRST_RESPONSE].p, f[TK_F_FIRST_RESPONSE].n, &r) == 0 && r >= cr) {
			p->has_frt = 1;
			p->frt = (long long)(r - cr);
		}
		if (tk_iso_parse(f[TK_F_RESOLVED].p, f[TK_F_RESOLVED].n, &r) == 0 && r >= cr) {
			p->has_ttr = 1;
			p->ttr = (long long)(r - cr);
		}
	}
}

static int
part_same(const struct part *a, const struct part *b)
{
	return a->contact == b->contact && tk_str_same(a->status, b->status) && a->csat == b->csat &&
	    a->has_frt == b->has_frt && a->frt == b->frt && a->has_ttr == b->has_ttr && a->ttr == b->ttr;
}

/* p added to d (sign 1) or taken out (-1). */
static void
change_by(struct cst *d, const struct part *p, int sign, uint64_t id)
{
	d->tickets += sign;
	st_add(d, p->status.p, p->status.n, sign);
	if (p->csat) {
		d->csat_sum += sign * p->csat;
		d->csat_n += sign;
	}
	if (p->has_frt)
		vals_add(sign > 0 ? &d->frt : &d->frt_del, p->frt);
	if (p->has_ttr)
		vals_add(sign > 0 ? &d->ttr : &d->ttr_del, p->ttr);
	if (sign > 0) {
		if (!d->first || id < d->first)
			d->first = id;
		if (id > d->last)
			d->last = id;
	}
}

/* ---- a bulk batch's changes, by contact ---- */

static const tk_batch_ops batch_ops;

struct batch {
	struct cst *v;
	size_t n, cap;
	size_t *slot, nslot;	/* index + 1 into v by the contact's hash */
	int upto_read;		/* the mark, read once a transaction */
	uint64_t upto;
};

static struct batch the_batch;

static struct cst *
batch_change(struct batch *b, uint64_t contact)
{
	size_t i;

	if (2 * (b->n + 1) > b->nslot) {
		size_t j;

		free(b->slot);
		b->nslot = b->nslot ? 2 * b->nslot : 1024;
		b->slot = tk_xmalloc(b->nslot * sizeof *b->slot);
		memset(b->slot, 0, b->nslot * sizeof *b->slot);
		for (j = 0; j < b->n; j++) {
			i = (size_t)(b->v[j].contact * 0x9e3779b97f4a7c15ULL >> 20) & (b->nslot - 1);
			while (b->slot[i])
				i = (i + 1) & (b->nslot - 1);
			b->slot[i] = j + 1;
		}
	}
	i = (size_t)(contact * 0x9e3779b97f4a7c15ULL >> 20) & (b->nslot - 1);
	while (b->slot[i] && b->v[b->slot[i] - 1].contact != contact)
		i = (i + 1) & (b->nslot - 1);
	if (b->slot[i])
		return &b->v[b->slot[i] - 1];
	if (b->n == b->cap)
		b->v = tk_xrealloc(b->v, (b->cap = b->cap ? 2 * b->cap : 1024) * sizeof *b->v);
	memset(&b->v[b->n], 0, sizeof b->v[b->n]);
	b->v[b->n].contact = contact;
	b->slot[i] = ++b->n;
	return &b->v[b->n - 1];
}

static void *
batch_make(void)
{
	return &the_batch;
}

static void
batch_reset(void *state)
{
	struct batch *b = state;
	size_t i;

	for (i = 0; i < b->n; i++)
		cst_free(&b->v[i]);
	b->n = 0;
	b->upto_read = 0;
	if (b->slot)
		memset(b->slot, 0, b->nslot * sizeof *b->slot);
}

static int
cmp_contact(const void *a, const void *b)
{
	const struct cst *x = a, *y = b;

	return x->contact < y->contact ? -1 : x->contact > y->contact;
}

/* Each contact's summary read and written once, in id order. */
static int
batch_write(void *state, tk_txn *t)
{
	struct batch *b = state;
	MDB_cursor *cur;
	size_t i;
	int rc = 0;

	if (!b->n)
		return 0;
	qsort(b->v, b->n, sizeof *b->v, cmp_contact);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_CONTACT_STATS], &cur)))
		return tk_mdb_error(rc, "contact_stats");
	for (i = 0; i < b->n && !rc; i++)
		rc = write_change(t, cur, &b->v[i]);
	mdb_cursor_close(cur);
	{
		int r = b->upto_read;
		uint64_t u = b->upto;

		batch_reset(b);	/* (written: a flush before the batch's end must not write it twice) */
		b->upto_read = r;
		b->upto = u;
	}
	return rc;
}

static void
batch_free(void *state)
{
	struct batch *b = state;

	batch_reset(b);
	free(b->v);
	free(b->slot);
	memset(b, 0, sizeof *b);
}

static const tk_batch_ops batch_ops = { batch_make, batch_write, batch_reset, batch_free, NULL };

/* ---- the mark ---- */

static int
upto_get(tk_txn *t, uint64_t *w)
{
	MDB_val k = { 11, "cstats_upto" }, v;
	int rc = mdb_get(t->txn, t->st->dbi[TK_DB_META], &k, &v);

	*w = 0;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc || v.mv_size != 8)
		return rc ? tk_mdb_error(rc, "meta") : tk_error("meta cstats_upto: damaged");
	*w = tk_get_u64(v.mv_data);
	return 0;
}

static int
upto_put(tk_txn *t, uint64_t w)
{
	unsigned char b[8];
	MDB_val k = { 11, "cstats_upto" }, v = { 8, b };
	int rc;

	tk_put_u64(b, w);
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_META], &k, &v, 0);
	return rc ? tk_mdb_error(rc, "meta") : 0;
}

/*
 * ---- a bulk run's own tickets ----
 *
 * The tickets a bulk run makes are past the mark until its end, where
 * fold_from would read every one of them again (most of a million-ticket
 * import's last second and a half). Instead, while every ticket past the
 * mark is one the run made and nothing else has written since the run's
 * last commit, the run adds up their parts as it writes them (a
 * transaction's in pend, taken into acc at its commit), and its end
 * writes acc. Anything else (tickets past the mark the run did not make,
 * another writer's events between two of its batches, the mark moved, a
 * ticket of the run changed by another command) turns this off, and the
 * end reads the tickets as before. Either way each contact's summary is
 * the same but for its range of ids, which may be wider (a ticket that
 * left the contact during the run): wider is never wrong (past_mark).
 */
/* A part noted by a transaction of the run (its status one of the run's
 * names). */
struct note {
	struct part p;
	uint64_t id;
	int sign;
};

static struct run {
	int started, off;
	uint64_t upto;		/* the mark as the run began */
	uint64_t top;		/* the run's last ticket, committed (its first: upto + 1) */
	uint64_t log_end;	/* the log's last seq after the run's last commit */
	struct batch acc;	/* its tickets' parts, committed */
	char **names;		/* the statuses its tickets had */
	size_t nnames;
	struct note *pend;	/* this transaction's parts */
	size_t npend, cappend;
	uint64_t pend_top;	/* this transaction's last new ticket, 0 none */
	int pend_off;
} the_run;

static const tk_batch_ops run_ops;

static void *
run_make(void)
{
	return &the_run;
}

static void
run_reset(void *state)
{
	struct run *r = state;

	r->npend = 0;
	r->pend_top = 0;
	r->pend_off = 0;
}

static void
run_free(void *state)
{
	struct run *r = state;

	batch_free(&r->acc);
	while (r->nnames)
		free(r->names[--r->nnames]);
	free(r->names);
	free(r->pend);
	memset(r, 0, sizeof *r);
}

/* A transaction of the run committed: its parts taken in, if it began
 * where the run's last commit left the log (its new tickets follow the
 * run's last: run_note saw to it). */
static void
run_committed(void *state, const tk_txn *t)
{
	struct run *r = state;
	size_t i;

	if (r->off)
		return;
	if (r->pend_off) {
		r->off = 1;
		return;
	}
	if (!r->started) {
		if (!r->pend_top)
			return;	/* (the run has made no ticket yet: nothing to check against) */
		r->started = 1;
	} else if (t->next_seq && t->log_first - 1 != r->log_end) {
		r->off = 1;	/* another writer since the run's last commit */
		return;
	}
	if (t->next_seq)
		r->log_end = t->next_seq - 1;
	if (r->pend_top)
		r->top = r->pend_top;
	for (i = 0; i < r->npend; i++)
		change_by(batch_change(&r->acc, r->pend[i].p.contact), &r->pend[i].p, r->pend[i].sign, r->pend[i].id);
	r->npend = 0;
}

static const tk_batch_ops run_ops = { run_make, NULL, run_reset, run_free, run_committed };

static void
run_part(struct run *r, const struct part *p, int sign, uint64_t id)
{
	struct note *n;
	size_t i;

	for (i = 0; i < r->nnames; i++)
		if (!strncmp(r->names[i], p->status.p, p->status.n) && !r->names[i][p->status.n])
			break;
	if (i == r->nnames) {
		r->names = tk_xrealloc(r->names, (r->nnames + 1) * sizeof *r->names);
		r->names[r->nnames++] = tk_xstrndup(p->status.p, p->status.n);
	}
	if (r->npend == r->cappend)
		r->pend = tk_xrealloc(r->pend, (r->cappend = r->cappend ? 2 * r->cappend : 4096) * sizeof *r->pend);
	n = &r->pend[r->npend++];
	n->p = *p;
	n->p.status = (tk_str){ r->names[i], p->status.n };	/* (the ticket's goes with it) */
	n->id = id;
	n->sign = sign;
}

/* A ticket past the mark written by a bulk transaction: its part noted
 * for the run (old: the ticket as it was, NULL for a new one). */
static void
run_note(tk_txn *t, uint64_t upto, const tk_str *old, const tk_ticket *tk)
{
	struct run *r = tk_txn_batch(t, &run_ops);
	struct part po, pn;
	uint64_t last;

	if (!r || r->off || r->pend_off)
		return;
	if (!r->started && !r->pend_top)
		r->upto = r->top = upto;	/* (the run's first ticket, or a retry of it) */
	else if (upto != r->upto) {
		r->pend_off = 1;
		return;
	}
	last = r->pend_top ? r->pend_top : r->top;	/* the tickets past the mark: the run's, up to last */
	if (old ? tk->id > last : tk->id != last + 1) {
		r->pend_off = 1;	/* one the run does not hold, or another made tickets too */
		return;
	}
	if (old)
		part_of(old, &po);
	else {
		r->pend_top = tk->id;
		memset(&po, 0, sizeof po);
	}
	part_of(tk->f, &pn);
	if (part_same(&po, &pn))
		return;
	if (po.contact)
		run_part(r, &po, -1, tk->id);
	if (pn.contact)
		run_part(r, &pn, 1, tk->id);
}

int
tk_cstats_hook(tk_txn *t, const tk_str *old, const tk_ticket *tk)
{
	struct part po, pn;
	struct cst one[2], *d;
	struct batch *b;
	uint64_t upto;
	int rc = 0, n = 0, i;

	b = tk_txn_batch(t, &batch_ops);
	if (b && !b->upto_read) {
		if (upto_get(t, &b->upto) < 0)
			return -1;
		b->upto_read = 1;
	}
	if (b)
		upto = b->upto;
	else if (upto_get(t, &upto) < 0)
		return -1;
	/* Past the mark: counted when the mark passes it (the fold reads
	 * the ticket as it is then), but a single new ticket right after
	 * the mark is counted now, and the mark moves. */
	if (tk->id > upto && (b || old || tk->id != upto + 1)) {
		if (b)
			run_note(t, upto, old, tk);
		return 0;
	}
	if (old)
		part_of(old, &po);
	else
		memset(&po, 0, sizeof po);
	part_of(tk->f, &pn);
	if (tk->id > upto && upto_put(t, tk->id) < 0)
		return -1;
	if (part_same(&po, &pn))
		return 0;
	memset(one, 0, sizeof one);
	if (po.contact) {
		d = b ? batch_change(b, po.contact) : &one[n++];
		d->contact = po.contact;
		change_by(d, &po, -1, tk->id);
	}
	if (pn.contact) {
		if (b)
			d = batch_change(b, pn.contact);
		else if (n && one[0].contact == pn.contact)
			d = &one[0];
		else
			d = &one[n++];
		d->contact = pn.contact;
		change_by(d, &pn, 1, tk->id);
	}
	for (i = 0; i < n; i++) {
		if (!rc)
			rc = write_change(t, NULL, &one[i]);
		cst_free(&one[i]);
	}
	return rc;
}

/* ---- the profile ---- */

/* The contact's tickets past the mark (ix_contact, in the epochs from the
 * mark's on) added to d. */
static int
past_mark(tk_txn *t, const char *key, uint64_t upto, uint64_t lastid, struct cst *d)
{
	unsigned char kb[TK_IX_KEYBUF];
	unsigned e, lo = tk_ix_epoch(t, TK_DB_IX_CONTACT, upto + 1), hi = tk_ix_epoch(t, TK_DB_IX_CONTACT, lastid);
	tk_ids ids = { 0 };
	MDB_cursor *c;
	MDB_val k, v;
	tk_ticket tk;
	struct part pt;
	size_t i;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IX_CONTACT], &c)))
		return tk_mdb_error(rc, "ix_contact");
	for (e = lo; e <= hi && (!rc || rc == MDB_NOTFOUND); e++) {
		k = tk_ix_key(TK_DB_IX_CONTACT, key, strlen(key), e, kb);
		for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP))
			if (tk_get_u64(v.mv_data) > upto)
				tk_ids_add(&ids, tk_get_u64(v.mv_data));
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND) {
		tk_ids_free(&ids);
		return tk_mdb_error(rc, "ix_contact");
	}
	rc = 0;
	tk_ticket_init(&tk);
	for (i = 0; i < ids.n && rc >= 0; i++) {
		if ((rc = tk_get_id(t, TK_DB_TICKETS, ids.v[i], &v)) <= 0)
			continue;
		tk.id = ids.v[i];
		if ((rc = tk_ticket_decode_upto(&tk, v.mv_data, v.mv_size, TK_F_CONTACT)) < 0)
			break;
		part_of(tk.f, &pt);
		if (pt.contact == d->contact)
			change_by(d, &pt, 1, tk.id);
	}
	tk_ticket_free(&tk);
	tk_ids_free(&ids);
	return rc < 0 ? -1 : 0;
}

int
tk_cstats_profile(tk_txn *t, uint64_t contact, tk_profile *p)
{
	static const char *const names[] = { "new", "open", "pending", "resolved", "closed" };
	unsigned char kb[TK_IX_KEYBUF];
	char key[24];
	struct cst s, d;
	MDB_cursor *c;
	MDB_val k, dv, tv;
	unsigned e, lo, hi;
	unsigned long long ln[2] = { 0, 0 };
	long long m[2] = { 0, 0 };
	uint64_t upto, lastid;
	tk_ticket tk;
	size_t i, j;
	int rc, backlog;

	memset(p, 0, sizeof *p);
	snprintf(key, sizeof key, "c%llu", (unsigned long long)contact);
	if (upto_get(t, &upto) < 0 || tk_last_id(t->txn, t->st, &lastid))
		return -1;
	/* No ticket past the mark (the rule): the medians read off the
	 * summary as far as their middle. */
	backlog = lastid > upto;
	if ((rc = get_part(t, contact, &s, backlog, ln, m)) < 0) {
		cst_free(&s);
		return -1;
	}
	if (backlog) {
		memset(&d, 0, sizeof d);
		d.contact = contact;
		if (past_mark(t, key, upto, lastid, &d) < 0) {
			cst_free(&s);
			cst_free(&d);
			return -1;
		}
		apply(&s, &d);
		cst_free(&d);
		ln[0] = s.frt.n;
		ln[1] = s.ttr.n;
		if (s.frt.n)
			m[0] = s.frt.n % 2 ? s.frt.v[s.frt.n / 2] : (s.frt.v[s.frt.n / 2 - 1] + s.frt.v[s.frt.n / 2]) / 2;
		if (s.ttr.n)
			m[1] = s.ttr.n % 2 ? s.ttr.v[s.ttr.n / 2] : (s.ttr.v[s.ttr.n / 2 - 1] + s.ttr.v[s.ttr.n / 2]) / 2;
	}
	if (s.tickets <= 0) {
		cst_free(&s);
		return 0;
	}
	p->tickets = (size_t)s.tickets;
	for (i = 0; i < s.nst; i++) {
		if (s.st[i].n <= 0)
			continue;
		for (j = 0; j < 5; j++)
			if (!strcmp(s.st[i].name, names[j]))
				p->status[j] += (size_t)s.st[i].n;
		if (tk_active_status((tk_str){ s.st[i].name, strlen(s.st[i].name) }))
			p->open += (size_t)s.st[i].n;
	}
	p->rated = (size_t)s.csat_n;
	p->csat_mean = s.csat_n ? (double)s.csat_sum / (double)s.csat_n : 0;
	if ((p->has_frt = ln[0] > 0))
		p->frt_median = m[0];
	if ((p->has_ttr = ln[1] > 0))
		p->ttr_median = m[1];
	/* The last tickets: ix_contact backwards, from the epoch of the
	 * highest id the contact had to that of the lowest. */
	lo = tk_ix_epoch(t, TK_DB_IX_CONTACT, s.first);
	hi = tk_ix_epoch(t, TK_DB_IX_CONTACT, s.last);
	cst_free(&s);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IX_CONTACT], &c)))
		return tk_mdb_error(rc, "ix_contact");
	rc = 0;
	for (e = hi + 1; e-- > lo && p->nlast < sizeof p->last / sizeof *p->last;) {
		k = tk_ix_key(TK_DB_IX_CONTACT, key, strlen(key), e, kb);
		if ((rc = mdb_cursor_get(c, &k, &dv, MDB_SET_KEY)) == MDB_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc || (rc = mdb_cursor_get(c, &k, &dv, MDB_LAST_DUP)))
			break;
		do
			p->last[p->nlast++] = tk_get_u64(dv.mv_data);
		while (p->nlast < sizeof p->last / sizeof *p->last && !(rc = mdb_cursor_get(c, &k, &dv, MDB_PREV_DUP)));
		if (rc == MDB_NOTFOUND)
			rc = 0;
		if (rc)
			break;
	}
	mdb_cursor_close(c);
	if (rc)
		return tk_mdb_error(rc, "ix_contact");
	/* the last contact: the latest created of them */
	tk_ticket_init(&tk);
	for (i = 0; i < p->nlast; i++) {
		if ((rc = tk_get_id(t, TK_DB_TICKETS, p->last[i], &tv)) < 0)
			break;
		tk.id = p->last[i];
		if (rc && tk_ticket_decode_upto(&tk, tv.mv_data, tv.mv_size, TK_F_CREATED) == 0 &&
		    tk.f[TK_F_CREATED].n == 20 && memcmp(tk.f[TK_F_CREATED].p, p->last_created, 20) > 0) {
			memcpy(p->last_created, tk.f[TK_F_CREATED].p, 20);
			p->last_created[20] = '\0';
		}
	}
	tk_ticket_free(&tk);
	return rc < 0 ? -1 : 1;
}

/* ---- made whole (schema 18, and tk-contact show --check's reference) ---- */

/* The changes of s added to those of d (one contact's, from two parts
 * of a fold). */
static void
cst_join(struct cst *d, const struct cst *s)
{
	size_t i;

	d->tickets += s->tickets;
	d->csat_sum += s->csat_sum;
	d->csat_n += s->csat_n;
	if (s->first && (!d->first || s->first < d->first))
		d->first = s->first;
	if (s->last > d->last)
		d->last = s->last;
	for (i = 0; i < s->nst; i++)
		st_add(d, s->st[i].name, strlen(s->st[i].name), s->st[i].n);
	for (i = 0; i < s->frt.n; i++)
		vals_add(&d->frt, s->frt.v[i]);
	for (i = 0; i < s->ttr.n; i++)
		vals_add(&d->ttr, s->ttr.v[i]);
	for (i = 0; i < s->frt_del.n; i++)
		vals_add(&d->frt_del, s->frt_del.v[i]);
	for (i = 0; i < s->ttr_del.n; i++)
		vals_add(&d->ttr_del, s->ttr_del.v[i]);
}

/* The tickets of ids (from, until] counted into b by contact; *last the
 * highest id read. Every mask + 1 tickets the map's pages are let go of
 * (for the whole process: with two threads reading, each does it twice as
 * often, so that the pages held stay those of one pass). */
static int
count_range(tk_txn *t, uint64_t from, uint64_t until, struct batch *b, uint64_t *last, uint64_t mask)
{
	unsigned char kb[8];
	MDB_cursor *c;
	MDB_val k = { 8, kb }, v;
	uint64_t seen = 0;
	tk_ticket tk;
	struct part pn;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_TICKETS], &c)))
		return tk_mdb_error(rc, "tickets");
	tk_ticket_init(&tk);
	tk_put_u64(kb, from + 1);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if ((tk.id = tk_get_u64(k.mv_data)) > until) {
			rc = MDB_NOTFOUND;
			break;
		}
		if (tk_ticket_decode_upto(&tk, v.mv_data, v.mv_size, TK_F_CONTACT) < 0) {
			rc = -1;
			break;
		}
		part_of(tk.f, &pn);
		if (pn.contact)
			change_by(batch_change(b, pn.contact), &pn, 1, tk.id);
		*last = tk.id;
		/* a run's tickets read: their pages let go as a bulk batch
		 * lets go of its own (no WRITEMAP: the map is only read) */
		if (!(++seen & mask))
			tk_store_forget(t->st);
	}
	mdb_cursor_close(c);
	tk_ticket_free(&tk);
	if (rc == MDB_NOTFOUND)
		return 0;
	return rc > 0 ? tk_mdb_error(rc, "tickets") : rc;
}

/* The second half of a long fold, counted in a thread of its own in a
 * read transaction (the run's batches are committed: it sees them). */
struct half {
	tk_store *st;
	uint64_t from, until, last;
	struct batch b;
	int rc;
	char err[sizeof tk_errmsg];
};

static void *
half_run(void *arg)
{
	struct half *h = arg;
	tk_txn rt;

	if ((h->rc = tk_txn_read(h->st, &rt)) == 0) {
		h->rc = count_range(&rt, h->from, h->until, &h->b, &h->last, 0x7fff);
		tk_txn_end(&rt);
	}
	if (h->rc)
		snprintf(h->err, sizeof h->err, "%s", tk_errmsg);
	return NULL;
}

/* A fold of more tickets than this is counted in two threads, the second
 * half in a thread of its own: at a bulk run's end both processors are
 * free, and the count is most of a million-ticket import's last second.
 * $TK_FOLD_SPLIT sets another bound (the tests split small runs). */
#define FOLD_SPLIT 200000

static uint64_t
fold_split(void)
{
	const char *e = getenv("TK_FOLD_SPLIT");
	char *end;
	unsigned long long n = e ? strtoull(e, &end, 10) : 0;

	return e && *e >= '1' && *e <= '9' && !*end && n ? (uint64_t)n : FOLD_SPLIT;
}

/* The tickets past the mark counted in (one pass over them, in id
 * order), each contact's summary written once, the mark at the last. */
static int
fold_from(tk_txn *t, uint64_t upto, uint64_t until)
{
	struct batch b = { 0 };
	struct half h;
	uint64_t last = upto, top;
	pthread_t th;
	int rc, split = 0;
	size_t i;

	/* the highest id there is: a long run's second half to a thread */
	if (tk_last_id(t->txn, t->st, &top) < 0)
		return -1;
	if (top > until)
		top = until;
	memset(&h, 0, sizeof h);
	if (top > upto && top - upto > fold_split()) {
		h.st = t->st;
		h.from = upto + (top - upto) / 2;
		h.until = top;
		h.last = h.from;
		split = pthread_create(&th, NULL, half_run, &h) == 0;
	}
	rc = count_range(t, upto, split ? h.from : until, &b, &last, split ? 0x7fff : 0xffff);
	if (split) {
		pthread_join(th, NULL);
		if (!rc && h.rc)
			rc = tk_error("%s", h.err);
		for (i = 0; !rc && i < h.b.n; i++)
			cst_join(batch_change(&b, h.b.v[i].contact), &h.b.v[i]);
		if (h.last > last)
			last = h.last;
		batch_free(&h.b);
	}
	if (!rc)
		rc = batch_write(&b, t);
	if (!rc && last > upto)
		rc = upto_put(t, last);
	batch_free(&b);
	return rc;
}

int
tk_cstats_rebuild(tk_txn *t, uint64_t until)
{
	int rc;

	if ((rc = mdb_drop(t->txn, t->st->dbi[TK_DB_CONTACT_STATS], 0)))
		return tk_mdb_error(rc, "contact_stats");
	return upto_put(t, 0) < 0 ? -1 : fold_from(t, 0, until);
}

int
tk_cstats_fold(tk_txn *t)
{
	uint64_t upto;

	if (upto_get(t, &upto) < 0)
		return -1;
	return fold_from(t, upto, UINT64_MAX);
}

/* A bulk run's end: its tickets' parts written as the run added them up,
 * if nothing else has written since and they are all the tickets past
 * the mark; else the fold reads them. */
static int
fold_txn(tk_txn *t, void *arg)
{
	struct run *r = &the_run;
	uint64_t upto, top, logged;
	int rc;

	(void)arg;
	if (!r->started || r->off)
		goto fold;
	if (upto_get(t, &upto) < 0 || tk_last_id(t->txn, t->st, &top) < 0 || tk_log_last(t, &logged) < 0)
		return TK_EXIT_FAIL;
	if (upto != r->upto || top != r->top || logged != r->log_end)
		goto fold;
	rc = batch_write(&r->acc, t);
	if (!rc && r->top > upto)
		rc = upto_put(t, r->top);
	run_free(r);
	return rc < 0 ? TK_EXIT_FAIL : 0;
fold:
	run_free(r);
	return tk_cstats_fold(t) < 0 ? TK_EXIT_FAIL : 0;
}

int
tk_cstats_fold_store(tk_store *st)
{
	int bulk = st->bulk, rc;

	st->bulk = 0;	/* (one transaction, not a batch) */
	rc = tk_store_write(st, fold_txn, NULL);
	st->bulk = bulk;
	return rc ? -1 : 0;
}

/*
 * The line tk-show prints above a ticket: its contact's name, org, tier,
 * open tickets and the last three others, from the contact's summary and
 * ix_contact read backwards (tk_cstats_profile), not from every ticket
 * of the contact.
 */
void
tk_contact_line(tk_txn *t, const tk_ticket *tk, tk_buf *out)
{
	tk_contact c;
	tk_org o;
	tk_profile p;
	uint64_t id;
	size_t i, shown = 0;
	int has = 0, rc;

	out->len = 0;
	if (tk_contact_id_parse(tk->f[TK_F_CONTACT].p, tk->f[TK_F_CONTACT].n, &id) < 0)
		return;
	tk_contact_init(&c);
	tk_org_init(&o);
	if (tk_contact_get(t, id, &c) > 0) {
		if (c.v[TK_C_ORG][0])
			has = tk_org_get(t, c.v[TK_C_ORG], &o) > 0;
		/* its name, else its first address or phone */
		if (c.v[TK_C_NAME][0])
			tk_buf_printf(out, "%s (%s)", c.v[TK_C_NAME], c.v[TK_C_ID]);
		else if (c.v[TK_C_EMAILS][0] || c.v[TK_C_PHONES][0]) {
			const char *q = c.v[TK_C_EMAILS][0] ? c.v[TK_C_EMAILS] : c.v[TK_C_PHONES];

			tk_buf_printf(out, "%.*s (%s)", (int)strcspn(q, ","), q, c.v[TK_C_ID]);
		} else
			tk_buf_adds(out, c.v[TK_C_ID]);
		if (has)
			tk_buf_printf(out, ", org %s%s%s%s", o.v[TK_O_KEY], o.v[TK_O_NAME][0] ? " (" : "",
			    o.v[TK_O_NAME], o.v[TK_O_NAME][0] ? ")" : "");
		if (*tk_contact_tier(&c, has ? &o : NULL))
			tk_buf_printf(out, ", tier %s", tk_contact_tier(&c, has ? &o : NULL));
		if ((rc = tk_cstats_profile(t, id, &p)) >= 0) {
			tk_buf_printf(out, "; %zu open", p.open);
			if (p.tickets > (tk->id != 0)) {
				tk_buf_adds(out, "; last");
				for (i = 0; i < p.nlast && shown < 3; i++)
					if (p.last[i] != tk->id) {
						tk_buf_printf(out, " #%llu", (unsigned long long)p.last[i]);
						shown++;
					}
			}
		}
	}
	tk_contact_free(&c);
	tk_org_free(&o);
}
