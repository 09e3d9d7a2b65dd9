/*
 * ixbatch.c - index entries of new tickets, gathered during a batch
 * transaction and written together just before it commits.
 *
 * Most indexed fields have few distinct values (status, priority, queue,
 * assignee, updated), so a batch of 10,000 new tickets has only a handful of
 * distinct keys per index. Grouping the ids under their key (a hash table)
 * and writing each group with one MDB_MULTIPLE put replaces thousands of
 * B-tree descents with a few. Ids arrive in ascending order, so each group
 * is already sorted, as DUPFIXED wants.
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

struct group {
	struct group *next;	/* hash chain */
	size_t klen, n, cap;
	unsigned char *ids;	/* n big-endian ids, 8 bytes each */
	char key[];
};

struct ixdb {
	struct group **bucket;
	struct group **order;	/* groups in the order their key first came */
	size_t ngroups, cap;
};

#define NBUCKETS 16384

struct tk_ixbatch {
	struct ixdb db[TK_DB_COUNT];
};

tk_ixbatch *
tk_ixbatch_new(void)
{
	tk_ixbatch *b = tk_xmalloc(sizeof *b);

	memset(b, 0, sizeof *b);
	return b;
}

void
tk_ixbatch_free(tk_ixbatch *b)
{
	size_t i, j;

	if (!b)
		return;
	for (i = 0; i < TK_DB_COUNT; i++) {
		for (j = 0; j < b->db[i].ngroups; j++) {
			free(b->db[i].order[j]->ids);
			free(b->db[i].order[j]);
		}
		free(b->db[i].order);
		free(b->db[i].bucket);
	}
	free(b);
}

static uint32_t
hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *s++) * 16777619u;
	return h;
}

void
tk_ixbatch_add(tk_ixbatch *b, int dbi, const void *key, size_t klen, uint64_t id)
{
	struct ixdb *d = &b->db[dbi];
	struct group *g;
	uint32_t h = hash(key, klen) % NBUCKETS;

	if (!d->bucket) {
		d->bucket = tk_xmalloc(NBUCKETS * sizeof *d->bucket);
		memset(d->bucket, 0, NBUCKETS * sizeof *d->bucket);
	}
	for (g = d->bucket[h]; g; g = g->next)
		if (g->klen == klen && !memcmp(g->key, key, klen))
			break;
	if (!g) {
		g = tk_xmalloc(sizeof *g + klen);
		g->klen = klen;
		memcpy(g->key, key, klen);
		g->n = 0;
		g->cap = 4;
		g->ids = tk_xmalloc(8 * g->cap);
		g->next = d->bucket[h];
		d->bucket[h] = g;
		if (d->ngroups == d->cap) {
			d->cap = d->cap ? 2 * d->cap : 256;
			d->order = tk_xrealloc(d->order, d->cap * sizeof *d->order);
		}
		d->order[d->ngroups++] = g;
	}
	if (g->n == g->cap) {
		g->cap *= 2;
		g->ids = tk_xrealloc(g->ids, 8 * g->cap);
	}
	tk_put_u64(g->ids + 8 * g->n++, id);
}

int
tk_ixbatch_write(tk_ixbatch *b, tk_txn *t)
{
	MDB_cursor *c;
	MDB_val k, d[2];
	size_t i, j;
	int rc;

	for (i = 0; i < TK_DB_COUNT; i++) {
		if (!b->db[i].ngroups)
			continue;
		if ((rc = mdb_cursor_open(t->txn, t->st->dbi[i], &c)))
			return tk_mdb_error(rc, "index");
		for (j = 0; j < b->db[i].ngroups; j++) {
			struct group *g = b->db[i].order[j];

			k.mv_size = g->klen;
			k.mv_data = g->key;
			d[0].mv_size = 8;
			d[0].mv_data = g->ids;
			if (g->n == 1)
				rc = mdb_cursor_put(c, &k, &d[0], 0);
			else {
				d[1].mv_size = g->n;
				d[1].mv_data = NULL;
				rc = mdb_cursor_put(c, &k, d, MDB_MULTIPLE);
			}
			if (rc) {
				mdb_cursor_close(c);
				return tk_mdb_error(rc, "index");
			}
		}
		mdb_cursor_close(c);
	}
	return 0;
}
