/*
 * ixbatch.c - index entries of new tickets, gathered during a batch
 * transaction and written together, in key order, just before it commits.
 *
 * Entries are grouped under their key as they come (an open-addressing
 * hash table over a flat array: nothing is allocated a ticket, and the
 * arrays are reused from batch to batch), so each key's ids stay in the
 * ascending order they were made in. At commit the keys are sorted (unless
 * they came sorted, as creation times and external ids of an import do)
 * and written with one cursor: a key with many new ids (status, priority,
 * queue, assignee) in one MDB_MULTIPLE put, and keys spread over the whole
 * tree (requesters) left to right, so each leaf page is copied once a batch
 * and is still in the CPU's cache when the next key lands on it. A new
 * ticket's id is larger than any in the index, so every id goes at the end
 * of its key's duplicates (MDB_APPENDDUP) without a search.
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

struct entry {
	size_t off;		/* a group's first entry: its key's bytes at keys.p + off */
	uint32_t klen;
	uint32_t next;		/* the next entry of the same key, +1; 0 ends */
	unsigned char id[8];	/* big-endian, as stored */
};

struct group {
	uint32_t first, last;	/* entries, +1 */
};

/* A slot of the hash table: the key's hash beside its group, so a probe
 * that meets another key is told so without reading the group's entry. */
struct slot {
	uint32_t hash;
	uint32_t group;		/* index + 1; 0 is an empty slot */
};

#define NBUCKETS 8192	/* a power of two */

struct ixdb {
	struct entry *e;
	size_t n, cap;
	tk_buf keys;
	struct slot *bucket;	/* open addressing */
	size_t nbucket;
	struct group *g;
	size_t ng, gcap;
};

/* A group to sort: 8 bytes of its key as a number, and where it is. */
struct skey {
	uint64_t pre;
	struct group g;
};

struct tk_ixbatch {
	struct ixdb db[TK_DB_COUNT];
	unsigned char *ids;	/* scratch: one run's ids for MDB_MULTIPLE */
	size_t idcap;
	struct skey *sk, *tmp;	/* scratch: sort_groups */
	size_t skcap;
};

tk_ixbatch *
tk_ixbatch_new(void)
{
	tk_ixbatch *b = tk_xmalloc(sizeof *b);

	memset(b, 0, sizeof *b);
	return b;
}

void
tk_ixbatch_reset(tk_ixbatch *b)
{
	size_t i;

	for (i = 0; i < TK_DB_COUNT; i++) {
		struct ixdb *d = &b->db[i];

		if (d->ng && d->bucket)
			memset(d->bucket, 0, d->nbucket * sizeof *d->bucket);
		d->n = 0;
		d->ng = 0;
		d->keys.len = 0;
	}
}

void
tk_ixbatch_free(tk_ixbatch *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < TK_DB_COUNT; i++) {
		free(b->db[i].e);
		free(b->db[i].bucket);
		free(b->db[i].g);
		tk_buf_free(&b->db[i].keys);
	}
	free(b->ids);
	free(b->sk);
	free(b->tmp);
	free(b);
}

/* tk_hash's low bits, which pick a slot, vary little between keys that
 * differ only at their end (external ids HD-0000001, HD-0000002, ...): the
 * probes ran 87 slots long on average. Its high half, mixed by one more
 * multiplication, spreads them. */
static uint32_t
hash(const void *s, size_t n)
{
	uint64_t h = tk_hash(TK_HASH_SEED, s, n);

	h ^= h >> 32;
	h *= 0x9e3779b97f4a7c15ULL;
	return (uint32_t)(h >> 32);
}

/* Indexes whose keys are nearly all distinct (times, and requesters and
 * their contacts in a batch) gain nothing from grouping: each entry is a
 * group of its own, and equal keys still end up side by side, in id
 * order, when the groups are sorted. */
static int
grouped(int dbi)
{
	return dbi != TK_DB_IX_CREATED && dbi != TK_DB_IX_UPDATED && dbi != TK_DB_IX_REQUESTER &&
	    dbi != TK_DB_IX_CONTACT &&
	    dbi != TK_DB_IX_SLA_DUE;
}

/* Doubles the hash table, placing each group by the hash its slot keeps. */
static void
rehash(struct ixdb *d)
{
	struct slot *old = d->bucket;
	size_t i, j, oldn = d->nbucket;

	d->nbucket = d->nbucket ? 2 * d->nbucket : NBUCKETS;
	d->bucket = tk_xmalloc(d->nbucket * sizeof *d->bucket);
	memset(d->bucket, 0, d->nbucket * sizeof *d->bucket);
	for (i = 0; i < oldn; i++) {
		if (!old[i].group)
			continue;
		for (j = old[i].hash & (d->nbucket - 1); d->bucket[j].group; j = (j + 1) & (d->nbucket - 1))
			;
		d->bucket[j] = old[i];
	}
	free(old);
}

/* Entry e (the last added) starts a group of its own, under key. */
static void
new_group(struct ixdb *d, struct entry *e, const void *key, size_t klen)
{
	if (d->ng == d->gcap) {
		d->gcap = d->gcap ? 2 * d->gcap : 256;
		d->g = tk_xrealloc(d->g, d->gcap * sizeof *d->g);
	}
	e->off = d->keys.len;
	e->klen = (uint32_t)klen;
	tk_buf_add(&d->keys, key, klen);
	d->g[d->ng].first = d->g[d->ng].last = (uint32_t)d->n;
	d->ng++;
}

/* The group under key (hash h): its index + 1, or 0 with *slot the empty
 * slot where it would go. */
static uint32_t
probe(const struct ixdb *d, const void *key, size_t klen, uint32_t h, size_t *slot)
{
	size_t j;

	for (j = h & (d->nbucket - 1); d->bucket[j].group; j = (j + 1) & (d->nbucket - 1)) {
		const struct entry *f;

		if (d->bucket[j].hash != h)
			continue;
		f = &d->e[d->g[d->bucket[j].group - 1].first - 1];
		if (f->klen == klen && !memcmp(d->keys.p + f->off, key, klen))
			return d->bucket[j].group;
	}
	*slot = j;
	return 0;
}

/* Entries are chained under their key as they come, so each key's ids
 * stay ascending; a key's bytes are kept once, with its first entry. */
void
tk_ixbatch_add(tk_ixbatch *b, int dbi, const void *key, size_t klen, uint64_t id)
{
	struct ixdb *d = &b->db[dbi];
	struct entry *e;
	uint32_t h, gi;
	size_t j;

	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 1024;
		d->e = tk_xrealloc(d->e, d->cap * sizeof *d->e);
	}
	e = &d->e[d->n++];
	e->next = 0;
	tk_put_u64(e->id, id);
	if (!grouped(dbi)) {
		new_group(d, e, key, klen);
		return;
	}
	h = hash(key, klen);
	if (2 * (d->ng + 1) > d->nbucket)
		rehash(d);
	if ((gi = probe(d, key, klen, h, &j))) {
		struct group *g = &d->g[gi - 1];

		d->e[g->last - 1].next = (uint32_t)d->n;
		g->last = (uint32_t)d->n;
		return;
	}
	new_group(d, e, key, klen);
	d->bucket[j].hash = h;
	d->bucket[j].group = (uint32_t)d->ng;
}

int
tk_ixbatch_find(tk_ixbatch *b, int dbi, const void *key, size_t klen, uint64_t *id)
{
	struct ixdb *d = &b->db[dbi];
	uint32_t gi;
	size_t j;

	if (!d->ng || !d->nbucket || !(gi = probe(d, key, klen, hash(key, klen), &j)))
		return 0;
	*id = tk_get_u64(d->e[d->g[gi - 1].first - 1].id);
	return 1;
}

/* Two groups by key, then by their first entry (ids ascend). */
static int
cmp_key(const struct ixdb *d, const struct group *a, const struct group *b)
{
	const struct entry *x = &d->e[a->first - 1], *y = &d->e[b->first - 1];
	int c = tk_keycmp(d->keys.p + x->off, x->klen, d->keys.p + y->off, y->klen);

	return c ? c : a->first < b->first ? -1 : a->first > b->first;
}

/* Sets each group's 8 bytes of key from offset off (zeros past its end). */
static void
prefixes(const struct ixdb *d, struct skey *a, size_t n, size_t off)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct entry *e = &d->e[a[i].g.first - 1];

		a[i].pre = tk_key_prefix(d->keys.p + e->off, e->klen, off);
	}
}

/*
 * Sorts a[0..n) (keys equal before offset off) by radix on the 8 bytes at
 * off, stable, so groups of one key stay in id order; runs that share those
 * bytes go on from off + 8, or, short or with no bytes left, by insertion.
 * Returns where the result is: a or t.
 */
static struct skey *
sort_from(const struct ixdb *d, struct skey *a, struct skey *t, size_t n, size_t off)
{
	size_t i, j;
	struct skey *x;

	prefixes(d, a, n, off);
	x = tk_radix_prefix(a, t, n, sizeof *a);
	if (x != a)
		t = a, a = x;
	for (i = 0; i < n; i = j) {
		size_t longer = 0;

		for (j = i + 1; j < n && a[j].pre == a[i].pre; j++)
			;
		if (j - i < 2)
			continue;
		for (x = a + i; x < a + j; x++)
			longer += d->e[x->g.first - 1].klen > off + 8;
		if (j - i > 16 && longer > 1) {
			if (sort_from(d, a + i, t + i, j - i, off + 8) != a + i)
				memcpy(a + i, t + i, (j - i) * sizeof *a);
			continue;
		}
		for (x = a + i + 1; x < a + j; x++) {	/* insertion, stable */
			struct skey v = *x, *y;

			for (y = x; y > a + i && cmp_key(d, &y[-1].g, &v.g) > 0; y--)
				*y = y[-1];
			*y = v;
		}
	}
	return a;
}

/*
 * Sorts an index's groups by key, from the first byte where the keys
 * differ (a batch's keys share their epoch, and times their century):
 * qsort with a comparator took a tenth of the writing of an import.
 */
static void
sort_groups(tk_ixbatch *b, struct ixdb *d)
{
	size_t n = d->ng, i, j, cp;
	const struct entry *e0 = &d->e[d->g[0].first - 1];
	const unsigned char *k0 = (const unsigned char *)d->keys.p + e0->off;
	struct skey *a;

	if (n > b->skcap) {
		b->skcap = n;
		b->sk = tk_xrealloc(b->sk, n * sizeof *b->sk);
		b->tmp = tk_xrealloc(b->tmp, n * sizeof *b->tmp);
	}
	cp = e0->klen;
	for (i = 1; i < n && cp; i++) {
		const struct entry *e = &d->e[d->g[i].first - 1];
		const unsigned char *k = (const unsigned char *)d->keys.p + e->off;

		if (e->klen < cp)
			cp = e->klen;
		for (j = 0; j < cp && k[j] == k0[j]; j++)
			;
		cp = j;
	}
	for (i = 0; i < n; i++)
		b->sk[i].g = d->g[i];
	a = sort_from(d, b->sk, b->tmp, n, cp);
	for (i = 0; i < n; i++)
		d->g[i] = a[i].g;
}

static int
same_key(const struct ixdb *d, const struct group *a, const struct group *b)
{
	const struct entry *x = &d->e[a->first - 1], *y = &d->e[b->first - 1];

	return !tk_keycmp(d->keys.p + x->off, x->klen, d->keys.p + y->off, y->klen);
}

/* A group's ids, in order, into b->ids: how many. */
static size_t
group_ids(tk_ixbatch *b, const struct ixdb *d, const struct group *g)
{
	size_t m;
	uint32_t x;

	for (m = 0, x = g->first; x; x = d->e[x - 1].next, m++) {
		if (m == b->idcap) {
			b->idcap = b->idcap ? 2 * b->idcap : 1024;
			b->ids = tk_xrealloc(b->ids, 8 * b->idcap);
		}
		memcpy(b->ids + 8 * m, d->e[x - 1].id, 8);
	}
	return m;
}

/* A posting-list index (postings.c): each key's new ids at the end of its
 * list, a chunk at a time. 0 or an LMDB error. */
static int
write_postings(tk_ixbatch *b, const struct ixdb *d, MDB_cursor *c)
{
	size_t i, j, m;
	int rc = 0;

	for (i = 0; i < d->ng && !rc; i++) {
		const struct entry *e = &d->e[d->g[i].first - 1];
		MDB_val k = { e->klen, d->keys.p + e->off };

		m = group_ids(b, d, &d->g[i]);
		rc = tk_pl_append(c, k, b->ids, m);
		if (rc == MDB_KEYEXIST)	/* not past the list's end (never new tickets): one by one */
			for (rc = 0, j = 0; !rc && j < m; j++)
				rc = tk_pl_add(c, k, tk_get_u64(b->ids + 8 * j));
	}
	return rc;
}

/*
 * One index: its keys in order (often they come in order already: creation
 * times and external ids of an import), each key's ids at the end of its
 * run of duplicates (MDB_APPENDDUP: a new ticket's id is the largest).
 */
static int
write_db(tk_ixbatch *b, tk_txn *t, int dbi)
{
	struct ixdb *d = &b->db[dbi];
	MDB_cursor *c;
	MDB_val k, v[2];
	tk_tail tl;
	size_t i, m;
	unsigned app;
	int rc;

	for (i = 1; i < d->ng && cmp_key(d, &d->g[i - 1], &d->g[i]) < 0; i++)
		;
	if (i < d->ng)
		sort_groups(b, d);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[dbi], &c)))
		return tk_mdb_error(rc, "index");
	if (tk_ix_postings(dbi)) {
		rc = write_postings(b, d, c);
		mdb_cursor_close(c);
		return rc ? tk_mdb_error(rc, "index") : 0;
	}
	/* Keys past the index's last (a new epoch's, new creation times and
	 * external ids of an import) go at its end with MDB_APPEND: no search,
	 * and pages filled, not split in half. */
	if ((rc = tk_tail_start(&tl, c))) {
		mdb_cursor_close(c);
		return tk_mdb_error(rc, "index");
	}
	for (i = 0; i < d->ng; i++) {
		const struct entry *e = &d->e[d->g[i].first - 1];

		/* (Creation and update times are not grouped: a key may come
		 * again, and MDB_APPEND takes only a new one.) */
		app = tk_tail_past(&tl, d->keys.p + e->off, e->klen) &&
		    !(i && same_key(d, &d->g[i - 1], &d->g[i])) ? MDB_APPEND : 0;
		k.mv_size = e->klen;
		k.mv_data = d->keys.p + e->off;
		if (!e->next) {
			v[0].mv_size = 8;
			v[0].mv_data = (void *)e->id;
			rc = mdb_cursor_put(c, &k, &v[0], MDB_APPENDDUP | app);
		} else {
			m = group_ids(b, d, &d->g[i]);
			v[0].mv_size = 8;
			v[0].mv_data = b->ids;
			v[1].mv_size = m;
			v[1].mv_data = NULL;
			rc = mdb_cursor_put(c, &k, v, MDB_MULTIPLE | MDB_APPENDDUP | app);
		}
		if (rc) {
			mdb_cursor_close(c);
			return tk_mdb_error(rc, "index");
		}
	}
	mdb_cursor_close(c);
	return 0;
}

int
tk_ixbatch_write(tk_ixbatch *b, tk_txn *t)
{
	int i;

	for (i = 0; i < TK_DB_COUNT; i++)
		if (b->db[i].ng && write_db(b, t, i) < 0)
			return -1;
	tk_ixbatch_reset(b);	/* written: what comes next starts empty */
	return 0;
}

static void *
batch_make(void)
{
	return tk_ixbatch_new();
}

static int
batch_write(void *b, tk_txn *t)
{
	return tk_ixbatch_write(b, t);
}

static void
batch_reset(void *b)
{
	tk_ixbatch_reset(b);
}

static void
batch_free(void *b)
{
	tk_ixbatch_free(b);
}

/* A bulk transaction's index batch, written at its commit (tk_store_write). */
static const tk_batch_ops ops = { batch_make, batch_write, batch_reset, batch_free, NULL };

tk_ixbatch *
tk_ixbatch_of(tk_txn *t)
{
	return tk_txn_batch(t, &ops);
}
