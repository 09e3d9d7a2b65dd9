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

struct tk_ixbatch {
	struct ixdb db[TK_DB_COUNT];
	unsigned char *ids;	/* scratch: one run's ids for MDB_MULTIPLE */
	size_t idcap;
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
	free(b);
}

static uint32_t
hash(const void *s, size_t n)
{
	return (uint32_t)tk_hash(TK_HASH_SEED, s, n);
}

/* Indexes whose keys are nearly all distinct (times) gain nothing from
 * grouping: each entry is a group of its own, and equal keys still end up
 * side by side, in id order, when the groups are sorted. */
static int
grouped(int dbi)
{
	return dbi != TK_DB_IX_CREATED && dbi != TK_DB_IX_UPDATED;
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

/* Entries are chained under their key as they come, so each key's ids
 * stay ascending; a key's bytes are kept once, with its first entry. */
void
tk_ixbatch_add(tk_ixbatch *b, int dbi, const void *key, size_t klen, uint64_t id)
{
	struct ixdb *d = &b->db[dbi];
	struct entry *e;
	uint32_t h;
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
	for (j = h & (d->nbucket - 1); d->bucket[j].group; j = (j + 1) & (d->nbucket - 1)) {
		struct group *g;
		const struct entry *f;

		if (d->bucket[j].hash != h)
			continue;
		g = &d->g[d->bucket[j].group - 1];
		f = &d->e[g->first - 1];
		if (f->klen == klen && !memcmp(d->keys.p + f->off, key, klen)) {
			d->e[g->last - 1].next = (uint32_t)d->n;
			g->last = (uint32_t)d->n;
			return;
		}
	}
	new_group(d, e, key, klen);
	d->bucket[j].hash = h;
	d->bucket[j].group = (uint32_t)d->ng;
}

int
tk_ixbatch_find(tk_ixbatch *b, int dbi, const void *key, size_t klen, uint64_t *id)
{
	struct ixdb *d = &b->db[dbi];
	uint32_t h = hash(key, klen);
	size_t j;

	if (!d->ng || !d->nbucket)
		return 0;
	for (j = h & (d->nbucket - 1); d->bucket[j].group; j = (j + 1) & (d->nbucket - 1)) {
		const struct entry *f;

		if (d->bucket[j].hash != h)
			continue;
		f = &d->e[d->g[d->bucket[j].group - 1].first - 1];
		if (f->klen == klen && !memcmp(d->keys.p + f->off, key, klen)) {
			*id = tk_get_u64(f->id);
			return 1;
		}
	}
	return 0;
}

/* qsort has no context argument: the index being sorted. */
static const struct ixdb *sorting;

/* LMDB's default key order: bytes, then the shorter first. */
static int
cmp_key(const struct ixdb *d, const struct group *a, const struct group *b)
{
	const struct entry *x = &d->e[a->first - 1], *y = &d->e[b->first - 1];
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(d->keys.p + x->off, d->keys.p + y->off, n);

	if (c)
		return c;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;	/* ids ascend */
}

static int
cmp_group(const void *a, const void *b)
{
	return cmp_key(sorting, a, b);
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
	size_t i, m;
	uint32_t x;
	int rc;

	for (i = 1; i < d->ng && cmp_key(d, &d->g[i - 1], &d->g[i]) < 0; i++)
		;
	if (i < d->ng) {
		sorting = d;
		qsort(d->g, d->ng, sizeof *d->g, cmp_group);
	}
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[dbi], &c)))
		return tk_mdb_error(rc, "index");
	for (i = 0; i < d->ng; i++) {
		const struct entry *e = &d->e[d->g[i].first - 1];

		k.mv_size = e->klen;
		k.mv_data = d->keys.p + e->off;
		if (!e->next) {
			v[0].mv_size = 8;
			v[0].mv_data = (void *)e->id;
			rc = mdb_cursor_put(c, &k, &v[0], MDB_APPENDDUP);
		} else {
			for (m = 0, x = d->g[i].first; x; x = d->e[x - 1].next, m++) {
				if (m == b->idcap) {
					b->idcap = b->idcap ? 2 * b->idcap : 1024;
					b->ids = tk_xrealloc(b->ids, 8 * b->idcap);
				}
				memcpy(b->ids + 8 * m, d->e[x - 1].id, 8);
			}
			v[0].mv_size = 8;
			v[0].mv_data = b->ids;
			v[1].mv_size = m;
			v[1].mv_data = NULL;
			rc = mdb_cursor_put(c, &k, v, MDB_MULTIPLE | MDB_APPENDDUP);
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
