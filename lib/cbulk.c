/*
 * cbulk.c - new contacts in bulk (tk-contact import): the same records,
 * index entries and events tk_contact_write makes, with fewer store
 * operations.
 *
 * A batch's new contacts are checked against two maps before the store:
 * the addresses and external ids this batch made, and those of the run's
 * committed batches. When the directory had no contacts as the run began
 * and nobody else has written since (the log's last event is the run's
 * own), those maps are all there is, and no store lookup is made at all;
 * otherwise each key the maps do not answer is asked of the store, as
 * tk_contact_check does. The new records, their index entries and their
 * events are kept in the batch's memory and written once, at the batch's
 * end (or before a row that changes a contact already written), each
 * sub-database through one cursor, in key order, appended where the keys
 * come past the last one (contact ids, events, and external ids a CRM
 * numbers in order). The contact id is taken from meta once a batch.
 * Orgs by domain, by key and by external id are asked once a batch each.
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

/* ---- a map of (kind, key) -> id and a string ---- */

struct ment {
	uint64_t h;
	const char *k;		/* NULL: a free slot */
	size_t n;
	uint64_t id;
	const char *s;
	int kind;
};

struct smap {
	struct ment *v;
	size_t n, cap;
	tk_arena arena;
};

static uint64_t
mhash(int kind, const char *k, size_t n)
{
	return tk_hash(TK_HASH_SEED + (uint64_t)kind, k, n) | 1;
}

static struct ment *
mslot(struct smap *m, int kind, const char *k, size_t n, uint64_t h)
{
	size_t i = (size_t)(h ^ (h >> 29)) & (m->cap - 1);

	while (m->v[i].k && (m->v[i].h != h || m->v[i].kind != kind || m->v[i].n != n || memcmp(m->v[i].k, k, n)))
		i = (i + 1) & (m->cap - 1);
	return &m->v[i];
}

static struct ment *
mget(struct smap *m, int kind, const char *k, size_t n)
{
	struct ment *e;

	if (!m->n)
		return NULL;
	e = mslot(m, kind, k, n, mhash(kind, k, n));
	return e->k ? e : NULL;
}

static void
mput(struct smap *m, int kind, const char *k, size_t n, uint64_t id, const char *s)
{
	struct ment *e;
	uint64_t h = mhash(kind, k, n);

	if (2 * (m->n + 1) > m->cap) {
		struct ment *old = m->v;
		size_t i, oldcap = m->cap;

		m->cap = m->cap ? 2 * m->cap : 1024;
		m->v = tk_xmalloc(m->cap * sizeof *m->v);
		memset(m->v, 0, m->cap * sizeof *m->v);
		for (i = 0; i < oldcap; i++)
			if (old[i].k)
				*mslot(m, old[i].kind, old[i].k, old[i].n, old[i].h) = old[i];
		free(old);
	}
	e = mslot(m, kind, k, n, h);
	if (!e->k) {
		char *copy = tk_arena_alloc(&m->arena, n + 1);

		memcpy(copy, k, n);
		copy[n] = '\0';
		e->k = copy;
		e->n = n;
		e->h = h;
		e->kind = kind;
		m->n++;
	}
	e->id = id;
	if (s) {
		size_t sn = strlen(s);

		e->s = memcpy(tk_arena_alloc(&m->arena, sn + 1), s, sn + 1);
	} else
		e->s = NULL;
}

static void
mreset(struct smap *m)
{
	if (m->n)
		memset(m->v, 0, m->cap * sizeof *m->v);
	m->n = 0;
	tk_arena_reset(&m->arena);
}

static void
mfree(struct smap *m)
{
	free(m->v);
	tk_arena_free(&m->arena);
	memset(m, 0, sizeof *m);
}

/* ---- the batch ---- */

enum { K_EMAIL = 1, K_EXT, K_ORG, K_DOMAIN, K_ORGEXT };

struct kv {
	const char *k;
	size_t n;
	uint64_t id;
};

struct kvs {
	struct kv *v;
	size_t n, cap;
};

struct crec {
	uint64_t id;
	const char *rec, *sum, *key;
	size_t nrec, nsum;
};

struct tk_cbulk {
	int committed;		/* a batch of the run has committed */
	int store;		/* the store may hold keys the maps do not: ask it */
	uint64_t log_last;	/* the log's last seq after the run's last commit */
	uint64_t log_end;	/* and after this batch's writes */
	uint64_t seq;		/* the last contact id given, as this batch has it */
	int seq_read;
	struct smap run, batch, cache;	/* committed, this batch's, orgs and domains of this batch */
	struct crec *recs;
	size_t nrecs, caprecs;
	struct kvs emails, exts, phones, orgs;
	tk_arena arena;
};

tk_cbulk *
tk_cbulk_new(void)
{
	tk_cbulk *b = tk_xmalloc(sizeof *b);

	memset(b, 0, sizeof *b);
	return b;
}

void
tk_cbulk_free(tk_cbulk *b)
{
	if (!b)
		return;
	mfree(&b->run);
	mfree(&b->batch);
	mfree(&b->cache);
	free(b->recs);
	free(b->emails.v);
	free(b->exts.v);
	free(b->phones.v);
	free(b->orgs.v);
	tk_arena_free(&b->arena);
	free(b);
}

static void
staged_reset(tk_cbulk *b)
{
	b->nrecs = 0;
	b->emails.n = b->exts.n = b->phones.n = b->orgs.n = 0;
	tk_arena_reset(&b->arena);
}

int
tk_cbulk_begin(tk_txn *t, tk_cbulk *b)
{
	uint64_t last;

	staged_reset(b);
	mreset(&b->batch);
	mreset(&b->cache);
	b->seq_read = 0;
	if (tk_log_last(t, &last) < 0)
		return -1;
	if (!b->committed) {
		MDB_stat e, x;

		if (mdb_stat(t->txn, t->st->dbi[TK_DB_CONTACT_EMAIL], &e) ||
		    mdb_stat(t->txn, t->st->dbi[TK_DB_CONTACT_EXTERNAL], &x))
			return tk_error("%s: cannot read the directory's indexes", t->st->dir);
		b->store = e.ms_entries || x.ms_entries;
	} else if (last != b->log_last)
		b->store = 1;	/* another writer since the last batch: the store knows more */
	return 0;
}

int
tk_cbulk_end(tk_txn *t, tk_cbulk *b)
{
	if (tk_cbulk_flush(t, b) < 0)
		return -1;
	return tk_log_last(t, &b->log_end);
}

void
tk_cbulk_committed(tk_cbulk *b)
{
	size_t i;

	b->committed = 1;
	b->log_last = b->log_end;
	if (!b->run.n) {	/* the run's first batch: its map becomes the run's */
		struct smap m = b->run;

		b->run = b->batch;
		b->batch = m;
	}
	for (i = 0; i < b->batch.cap && b->batch.n; i++)
		if (b->batch.v[i].k)
			mput(&b->run, b->batch.v[i].kind, b->batch.v[i].k, b->batch.v[i].n, b->batch.v[i].id, NULL);
	mreset(&b->batch);
	mreset(&b->cache);
	staged_reset(b);
}

/* The contact id a key of contact_email (kind K_EMAIL) or
 * contact_external (K_EXT) names: 1, 0 none, -1 an error. */
int
tk_cbulk_find(tk_txn *t, tk_cbulk *b, int external, const char *k, size_t n, uint64_t *id)
{
	struct ment *e;
	int kind = external ? K_EXT : K_EMAIL;

	if ((e = mget(&b->batch, kind, k, n)) || (e = mget(&b->run, kind, k, n))) {
		*id = e->id;
		return 1;
	}
	if (!b->store)
		return 0;
	if (external) {
		char *s = tk_xstrndup(k, n);
		int rc = tk_contact_by_external(t, s, id);

		free(s);
		return rc;
	}
	return tk_contact_by_address(t, k, n, id);
}

/* The org of an address's domain, asked once a batch a domain: 1 with
 * *key (the batch's; not to free), 0 none, -1 an error. */
int
tk_cbulk_org_of_address(tk_txn *t, tk_cbulk *b, const char *addr, size_t n, const char **key)
{
	const char *at = memchr(addr, '@', n);
	struct ment *e;
	char *k = NULL;
	size_t dn;
	int rc;

	if (!at)
		return 0;
	at++;
	dn = (size_t)(addr + n - at);
	if (!(e = mget(&b->cache, K_DOMAIN, at, dn))) {
		if ((rc = tk_org_of_address(t, addr, n, &k)) < 0)
			return -1;
		mput(&b->cache, K_DOMAIN, at, dn, 0, rc ? k : NULL);
		free(k);
		e = mget(&b->cache, K_DOMAIN, at, dn);
	}
	if (!e->s)
		return 0;
	*key = e->s;
	return 1;
}

/* The org of a CRM's account id, asked once a batch: as tk_cbulk_org_of_address. */
int
tk_cbulk_org_by_external(tk_txn *t, tk_cbulk *b, const char *ext, const char **key)
{
	struct ment *e;
	char *k = NULL;
	int rc;

	if (!(e = mget(&b->cache, K_ORGEXT, ext, strlen(ext)))) {
		if ((rc = tk_org_by_external(t, ext, &k)) < 0)
			return -1;
		mput(&b->cache, K_ORGEXT, ext, strlen(ext), 0, rc ? k : NULL);
		free(k);
		e = mget(&b->cache, K_ORGEXT, ext, strlen(ext));
	}
	if (!e->s)
		return 0;
	*key = e->s;
	return 1;
}

static int
org_known(tk_txn *t, tk_cbulk *b, const char *org)
{
	struct ment *e;
	int rc;

	if ((e = mget(&b->cache, K_ORG, org, strlen(org))))
		return (int)e->id;
	if ((rc = tk_org_exists(t, org)) < 0)
		return -1;
	mput(&b->cache, K_ORG, org, strlen(org), (uint64_t)rc, NULL);
	return rc;
}

static const char *
acopy(tk_cbulk *b, const char *s, size_t n)
{
	char *p = tk_arena_alloc(&b->arena, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void
kv_add(tk_cbulk *b, struct kvs *v, const char *k, size_t n, uint64_t id)
{
	if (v->n == v->cap)
		v->v = tk_xrealloc(v->v, (v->cap = v->cap ? 2 * v->cap : 1024) * sizeof *v->v);
	v->v[v->n].k = acopy(b, k, n);
	v->v[v->n].n = n;
	v->v[v->n].id = id;
	v->n++;
}

/* The addresses and external id of c (written by tk_contact_write in this
 * batch) noted, so that later rows find them without the store. */
void
tk_cbulk_note(tk_cbulk *b, const tk_contact *c)
{
	const char *p = c->v[TK_C_EMAILS], *e;

	while (*p) {
		e = p + strcspn(p, ",");
		if (e > p)
			mput(&b->batch, K_EMAIL, p, (size_t)(e - p), c->id, NULL);
		p = *e ? e + 1 : e;
	}
	if (c->v[TK_C_EXTERNAL_ID][0])
		mput(&b->batch, K_EXT, c->v[TK_C_EXTERNAL_ID], strlen(c->v[TK_C_EXTERNAL_ID]), c->id, NULL);
}

static int
next_id(tk_txn *t, tk_cbulk *b, uint64_t *id)
{
	MDB_val k = { 11, "contact_seq" }, v;
	int rc;

	if (!b->seq_read) {
		rc = mdb_get(t->txn, t->st->dbi[TK_DB_META], &k, &v);
		if (rc && rc != MDB_NOTFOUND)
			return tk_mdb_error(rc, "meta");
		b->seq = rc ? 0 : tk_get_u64(v.mv_data);
		b->seq_read = 1;
	}
	*id = ++b->seq;
	return 0;
}

/* A new contact of values v (TK_C_NCOLS strings, "" unset; an empty
 * created is the transaction's time), checked as tk_contact_check checks
 * one, kept for the batch's end: 0 with its id in *id, a TK_DIR_ code
 * (tk_errmsg says why), or -1. */
int
tk_cbulk_add_v(tk_txn *t, tk_cbulk *b, const char *const *v, uint64_t *id)
{
	static tk_buf rec;
	const char *w[TK_C_NCOLS];
	const char *p, *e, *ext = v[TK_C_EXTERNAL_ID];
	char num[24], d[64];
	struct crec *r;
	uint64_t other;
	size_t n, i;
	int rc;

	if (!tk_dir_settings(t))
		return TK_DIR_REFUSED;
	/* What tk_contact_check refuses, before anything is kept. */
	if ((rc = tk_tier_check(t, "contact", v[TK_C_TIER])) < 0)
		return rc;
	if (v[TK_C_ORG][0] && (rc = org_known(t, b, v[TK_C_ORG])) <= 0)
		return rc < 0 ? -1 : tk_org_unknown(t, "contact", v[TK_C_ORG]);
	for (p = v[TK_C_EMAILS]; *p; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		if ((n = (size_t)(e - p)) > 500) {
			tk_error("contact: address longer than 500 bytes");
			return TK_DIR_BAD;
		}
		if (n && (rc = tk_cbulk_find(t, b, 0, p, n, &other)) != 0) {
			if (rc < 0)
				return -1;
			tk_error("contact: %.*s is the address of c%llu (tk-contact merge joins two contacts)", (int)n, p,
			    (unsigned long long)other);
			return TK_DIR_REFUSED;
		}
	}
	if (*ext) {
		if (strlen(ext) > 500) {
			tk_error("contact: external id longer than 500 bytes");
			return TK_DIR_BAD;
		}
		if ((rc = tk_cbulk_find(t, b, 1, ext, strlen(ext), &other)) != 0) {
			if (rc < 0)
				return -1;
			tk_error("contact: external id %s is c%llu's", ext, (unsigned long long)other);
			return TK_DIR_REFUSED;
		}
	}
	if (next_id(t, b, id) < 0)
		return -1;
	snprintf(num, sizeof num, "c%llu", (unsigned long long)*id);
	for (i = 0; i < TK_C_NCOLS; i++)
		w[i] = v[i];
	w[TK_C_ID] = num;
	if (!w[TK_C_CREATED][0])
		w[TK_C_CREATED] = t->now_iso;
	/* kept for the batch's end */
	if (b->nrecs == b->caprecs)
		b->recs = tk_xrealloc(b->recs, (b->caprecs = b->caprecs ? 2 * b->caprecs : 1024) * sizeof *b->recs);
	r = &b->recs[b->nrecs++];
	r->id = *id;
	r->key = acopy(b, num, strlen(num));
	tk_pairs_encode(&rec, tk_contact_cols, (char *const *)w, TK_C_NAME, TK_C_NSTORED);
	r->rec = acopy(b, rec.p ? rec.p : "", rec.len);
	r->nrec = rec.len;
	tk_pairs_summary(&rec, tk_contact_cols, (char *const *)w, TK_C_NAME, TK_C_NSTORED);
	r->sum = acopy(b, rec.p, rec.len);
	r->nsum = rec.len;
	for (p = w[TK_C_EMAILS]; *p; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		if (e > p) {
			kv_add(b, &b->emails, p, (size_t)(e - p), *id);
			mput(&b->batch, K_EMAIL, p, (size_t)(e - p), *id, NULL);
		}
	}
	if (*ext) {
		kv_add(b, &b->exts, ext, strlen(ext), *id);
		mput(&b->batch, K_EXT, ext, strlen(ext), *id, NULL);
	}
	for (p = w[TK_C_PHONES]; *p; p = *e ? e + 1 : e) {
		const tk_settings *s = tk_dir_settings(t);

		e = p + strcspn(p, ",");
		if (e > p && (n = tk_phone_digits(p, (size_t)(e - p), s ? s->phone_country : NULL, d, sizeof d)) &&
		    n <= 500)
			kv_add(b, &b->phones, d, n, *id);	/* (a number twice: one entry, at the put) */
	}
	if (w[TK_C_ORG][0])
		kv_add(b, &b->orgs, w[TK_C_ORG], strlen(w[TK_C_ORG]), *id);
	return 0;
}

int
tk_cbulk_add(tk_txn *t, tk_cbulk *b, tk_contact *c)
{
	uint64_t id;
	char num[24];
	int rc;

	if ((rc = tk_cbulk_add_v(t, b, (const char *const *)c->v, &id)) != 0)
		return rc;
	c->id = id;
	snprintf(num, sizeof num, "c%llu", (unsigned long long)id);
	free(c->v[TK_C_ID]);
	c->v[TK_C_ID] = tk_xstrdup(num);
	if (!c->v[TK_C_CREATED][0]) {
		free(c->v[TK_C_CREATED]);
		c->v[TK_C_CREATED] = tk_xstrdup(t->now_iso);
	}
	return 0;
}

/* ---- the batch written ---- */

static int
cmp_kv(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->k, y->k, n);

	if (c)
		return c;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The key's first 8 bytes, big-endian, zeros past its end: in the order
 * of the keys (no key holds a NUL byte: addresses, ids, digits, keys). */
static uint64_t
kv_prefix(const struct kv *x)
{
	uint64_t p = 0;
	size_t i;

	for (i = 0; i < 8; i++)
		p = p << 8 | (i < x->n ? (unsigned char)x->k[i] : 0);
	return p;
}

/* v sorted as cmp_kv sorts it: by the prefixes, a byte at a time from the
 * last (a radix sort, stable, passes where every prefix has the same byte
 * left out), then each run of one prefix by cmp_kv unless in order. */
static void
kv_sort(struct kvs *v)
{
	struct pk {
		uint64_t p;
		size_t i;
	} *a, *b, *t;
	struct kv *out;
	size_t i, j, n = v->n, cnt[256];
	int byte;

	a = tk_xmalloc(n * sizeof *a);
	b = tk_xmalloc(n * sizeof *b);
	for (i = 0; i < n; i++) {
		a[i].p = kv_prefix(&v->v[i]);
		a[i].i = i;
	}
	for (byte = 0; byte < 8; byte++) {
		int sh = 8 * byte;
		size_t sum = 0, c;

		memset(cnt, 0, sizeof cnt);
		for (i = 0; i < n; i++)
			cnt[a[i].p >> sh & 0xff]++;
		if (cnt[a[0].p >> sh & 0xff] == n)
			continue;
		for (j = 0; j < 256; j++) {
			c = cnt[j];
			cnt[j] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[cnt[a[i].p >> sh & 0xff]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	out = tk_xmalloc(n * sizeof *out);
	for (i = 0; i < n; i++)
		out[i] = v->v[a[i].i];
	for (i = 0; i < n; i = j) {
		size_t k;

		for (j = i + 1; j < n && a[j].p == a[i].p; j++)
			;
		for (k = i + 1; k < j && cmp_kv(&out[k - 1], &out[k]) <= 0; k++)
			;
		if (k < j)	/* (an org's members came in order: the sort kept it) */
			qsort(out + i, j - i, sizeof *out, cmp_kv);
	}
	free(v->v);
	v->v = out;
	v->cap = n;
	free(a);
	free(b);
}

/* LMDB's order of keys: bytes, then length. */
static int
keycmp(const void *a, size_t an, const void *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : an < bn ? -1 : an > bn;
}

/*
 * v sorted, put through one cursor: the keys past the sub-database's last
 * key appended (a fresh page filled, no search), the others put where
 * they go (the cursor is on the page of the last, so a key near it needs
 * no search from the root). dup: a DUPSORT sub-database (the id is the
 * value; an entry already there is no error).
 */
static int
put_sorted(tk_txn *t, int db, struct kvs *v, int dup, const char *what)
{
	unsigned char ib[8];
	MDB_val k, d = { 8, ib }, lk, ld;
	MDB_cursor *c;
	tk_buf last = { 0 };
	size_t i;
	int rc, have, flags;

	if (!v->n)
		return 0;
	for (i = 1; i < v->n && cmp_kv(&v->v[i - 1], &v->v[i]) <= 0; i++)
		;
	if (i < v->n)	/* (a CRM's ids often come in order) */
		kv_sort(v);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[db], &c)))
		return tk_mdb_error(rc, what);
	rc = mdb_cursor_get(c, &lk, &ld, MDB_LAST);
	if (rc && rc != MDB_NOTFOUND) {
		mdb_cursor_close(c);
		return tk_mdb_error(rc, what);
	}
	have = rc == 0;
	if (have)
		tk_buf_add(&last, lk.mv_data, lk.mv_size);
	rc = 0;
	for (i = 0; i < v->n && !rc; i++) {
		if (i && dup && v->v[i].n == v->v[i - 1].n && !memcmp(v->v[i].k, v->v[i - 1].k, v->v[i].n) &&
		    v->v[i].id == v->v[i - 1].id)
			continue;	/* a contact's number twice */
		k.mv_size = v->v[i].n;
		k.mv_data = (void *)v->v[i].k;
		tk_put_u64(ib, v->v[i].id);
		d.mv_size = 8;
		d.mv_data = ib;
		flags = dup ? MDB_NODUPDATA : 0;
		if (dup && have && !keycmp(k.mv_data, k.mv_size, last.p, last.len)) {
			/* the last key again (an org's members): its ids come in
			 * order, past those it has, as a new contact's do */
			rc = mdb_cursor_put(c, &k, &d, flags | MDB_APPENDDUP);
			if (rc != MDB_KEYEXIST)
				continue;
			d.mv_size = 8;
			d.mv_data = ib;
		} else if (!have || keycmp(k.mv_data, k.mv_size, last.p, last.len) > 0) {
			rc = mdb_cursor_put(c, &k, &d, flags | MDB_APPEND);
			if (!rc) {
				last.len = 0;
				tk_buf_add(&last, k.mv_data, k.mv_size);
				have = 1;
				continue;
			}
			if (rc != MDB_KEYEXIST)
				break;
			d.mv_size = 8;
			d.mv_data = ib;
		}
		rc = mdb_cursor_put(c, &k, &d, flags);
		if (rc == MDB_KEYEXIST && dup)
			rc = 0;
	}
	mdb_cursor_close(c);
	tk_buf_free(&last);
	return rc ? tk_mdb_error(rc, what) : 0;
}

int
tk_cbulk_flush(tk_txn *t, tk_cbulk *b)
{
	unsigned char kb[8], sb[8];
	MDB_val k = { 8, kb }, v, mk = { 11, "contact_seq" };
	struct kvs events = { 0 };
	uint64_t seq;
	size_t i;
	int rc = 0;

	if (!b->nrecs)
		return 0;
	for (i = 0; i < b->nrecs && !rc; i++) {
		struct crec *r = &b->recs[i];

		tk_put_u64(kb, r->id);
		v.mv_size = r->nrec;
		v.mv_data = (void *)r->rec;
		rc = tk_append_or_put(t, TK_DB_CONTACTS, &k, &v);
		if (rc) {
			free(events.v);
			return tk_mdb_error(rc, "contacts");
		}
		if (tk_log_event_key(t, r->key, "create", (tk_str){ "", 0 }, (tk_str){ r->sum, r->nsum }, &seq) < 0) {
			free(events.v);
			return -1;
		}
		kv_add(b, &events, r->key, strlen(r->key), seq);
	}
	tk_put_u64(sb, b->seq);
	v.mv_size = 8;
	v.mv_data = sb;
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_META], &mk, &v, 0)))
		rc = tk_mdb_error(rc, "meta");
	if (!rc)
		rc = put_sorted(t, TK_DB_CONTACT_EMAIL, &b->emails, 0, "contact_email");
	if (!rc)
		rc = put_sorted(t, TK_DB_CONTACT_EXTERNAL, &b->exts, 0, "contact_external");
	if (!rc)
		rc = put_sorted(t, TK_DB_CONTACT_PHONE, &b->phones, 1, "contact_phone");
	if (!rc)
		rc = put_sorted(t, TK_DB_CONTACT_ORG, &b->orgs, 1, "contact_org");
	if (!rc)
		rc = put_sorted(t, TK_DB_LOG_KEY, &events, 1, "log_key");
	free(events.v);
	/* (the maps keep what was written: the batch's, until its commit) */
	staged_reset(b);
	if (rc)
		return -1;
	return 0;
}
