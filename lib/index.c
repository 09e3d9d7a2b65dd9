/*
 * index.c - the secondary indexes' keys and epochs, and their ids read
 * and changed whichever way an index keeps them (DUPSORT runs of ids, or
 * posting lists, postings.c). Key layouts: store.c's header and
 * doc/STORE.md.
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

/*
 * Index keys. A value is its bytes, cut at TK_IX_MAXKEY, or "\0" when empty.
 * A partitioned index puts the ticket's epoch (two bytes) before the value:
 * requesters are many and come in no order, and the update times of
 * imported history nearly none, so a batch of new tickets spread over the
 * whole of a plain index would copy most of its leaf pages at every commit;
 * under an epoch, new entries land in the last epoch's stretch of the tree.
 * Assignees are fewer, but each has a tree of its own ids that a batch
 * would copy a path of; under an epoch an assignee's ids mostly fit in its
 * key's node. A lookup asks each epoch in turn and gets the ids in
 * ascending order.
 *
 * An epoch is a run of ticket ids. In ix_assignee it is id >> 14: 62 for
 * a million tickets, so that tk-ls by agent asks few. In ix_requester and
 * ix_updated, meta "epochs" holds the first id of each, ascending (8 bytes
 * each, big-endian; none stored means one epoch from 0): a new epoch
 * starts at a new ticket 16,384 ids after the last one began, or at the
 * first ticket of a bulk batch (tk-import, tk-new -b) 4,096 ids or more
 * after it; then every key of the batch is past the end of the index, and
 * the batch's sorted entries are appended, not inserted among the last
 * epoch's (a million imported tickets: 200 epochs, and these two indexes
 * written in a third of the time). Schema 2 had epochs of id >> 14 in all
 * three; its upgrade writes them down as such.
 */
#define EPOCH_SPAN 16384
#define EPOCH_BATCH 4096
#define EPOCHS_MAX 65536	/* two bytes of key */

int
tk_ix_partitioned(int db)
{
	return db == TK_DB_IX_REQUESTER || db == TK_DB_IX_UPDATED || db == TK_DB_IX_ASSIGNEE ||
	    db == TK_DB_IX_CONTACT;
}

/*
 * Values an index keeps no entries for. An empty external id: most
 * tickets have none (only imports give one), and a key "\0" holding the id
 * of every ticket made by hand or mail would be written at every tk-new
 * for no query worth it: external_id= is answered by a scan; so an
 * empty custom field in ix_custom. The active statuses (new, open,
 * pending; class open or paused): the working set (active.c) holds those
 * tickets, so ix_status holds only the resolved and closed ones, and a new
 * ticket or a change between active statuses writes one tree less. An
 * empty assignee, queue or requester of a ticket in the working set: a
 * ticket that comes in by mail or the web has no assignee or queue yet,
 * and those two entries were two trees more at every such tk-new; the
 * working set answers for it (by its key for assignee=, by reading it for
 * the others), and the entry is written when the ticket leaves it. So
 * too an empty contact; and the org and tier of every ticket in the
 * working set: ix_org and ix_tier hold the tickets out of it, so a
 * ticket of a known customer writes one tree more at intake (ix_contact),
 * not three, and its copy in the working set answers org= and tier=.
 * Nor the tickets with no org or tier at all (a free-mail customer's):
 * org= is answered by a pass over the tickets, as external_id= is.
 */
int
tk_ix_skips(int db, const char *v, size_t n, int active)
{
	(void)v;	/* (only its length matters: empty or not) */
	switch (db) {
	case TK_DB_IX_EXTERNAL:
	case TK_DB_IX_CUSTOM:
	case TK_DB_IX_SLA_DUE:	/* only tickets with a clock running */
		return n == 0;
	case TK_DB_IX_ASSIGNEE:
	case TK_DB_IX_QUEUE:
	case TK_DB_IX_REQUESTER:
	case TK_DB_IX_CONTACT:
		return n == 0 && active;
	case TK_DB_IX_STATUS:
		return active;	/* a status of the working set (the caller's class, so
				 * tk-config apply can move a status's tickets) */
	case TK_DB_IX_ORG:
	case TK_DB_IX_TIER:
		return active || n == 0;
	}
	return 0;
}

/* meta "epochs" := ep[0..n). 0 or -1. */
int
tk_ix_epochs_put(MDB_txn *txn, tk_store *st, const uint64_t *ep, unsigned n)
{
	MDB_val k = { 6, "epochs" }, v = { 8 * (size_t)n, NULL };
	unsigned char *buf = tk_xmalloc(8 * (size_t)n);
	unsigned i;
	int rc;

	for (i = 0; i < n; i++)
		tk_put_u64(buf + 8 * i, ep[i]);
	v.mv_data = buf;
	rc = mdb_put(txn, st->dbi[TK_DB_META], &k, &v, 0);
	free(buf);
	return rc ? tk_mdb_error(rc, "meta") : 0;
}

/* The epoch of a ticket in ix_assignee, and in every partitioned index of
 * schema 2: its id >> 14. */
unsigned
tk_ix_epoch_v2(uint64_t id)
{
	return id >> 14 > 0xffff ? 0xffff : (unsigned)(id >> 14);
}

static int
epochs_load(tk_txn *t)
{
	MDB_val k = { 6, "epochs" }, v;
	unsigned i;
	int rc;

	if (t->epochs)
		return 0;
	rc = mdb_get(t->txn, t->st->dbi[TK_DB_META], &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "meta");
	t->nepochs = rc ? 1 : (unsigned)(v.mv_size / 8);
	if (!t->nepochs || t->nepochs > EPOCHS_MAX)
		return tk_error("%s: meta \"epochs\" is damaged (%zu bytes)", t->st->dir, v.mv_size);
	t->epochs = tk_xmalloc((t->nepochs + 1) * sizeof *t->epochs);	/* room for one more */
	for (i = 0; i < t->nepochs; i++)
		t->epochs[i] = rc ? 0 : tk_get_u64((unsigned char *)v.mv_data + 8 * i);
	return 0;
}

void
tk_ix_epochs_free(tk_txn *t)
{
	free(t->epochs);
	t->epochs = NULL;
	t->nepochs = 0;
}

/* Indexes whose epochs are meta "epochs" (the others' are id >> 14), and
 * the working set (active.c). */
static int
run_epochs(int db)
{
	return db == TK_DB_IX_REQUESTER || db == TK_DB_IX_UPDATED || db == TK_DB_ACTIVE || db == TK_DB_IX_CONTACT;
}

unsigned
tk_ix_epoch(tk_txn *t, int db, uint64_t id)
{
	unsigned lo = 0, hi;

	if (!run_epochs(db))
		return tk_ix_epoch_v2(id);
	if (epochs_load(t) < 0)
		return 0;	/* reported; a lookup under epoch 0 finds less, never wrong */
	hi = t->nepochs;
	if (id >= t->epochs[hi - 1])	/* new tickets: the last */
		return hi - 1;
	while (hi - lo > 1) {	/* epochs[lo] <= id < epochs[hi] */
		unsigned mid = lo + (hi - lo) / 2;

		if (t->epochs[mid] <= id)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

unsigned
tk_ix_nepochs(tk_txn *t, int db)
{
	uint64_t last;

	if (run_epochs(db))
		return epochs_load(t) < 0 ? 1 : t->nepochs;
	return tk_last_id(t->txn, t->st, &last) < 0 ? 1 : tk_ix_epoch_v2(last) + 1;
}

int
tk_ix_epoch_new(tk_txn *t, uint64_t id)
{
	uint64_t span;

	if (epochs_load(t) < 0)
		return -1;
	span = t->bulk && id == t->first_new ? EPOCH_BATCH : EPOCH_SPAN;
	if (t->nepochs == EPOCHS_MAX || id - t->epochs[t->nepochs - 1] < span)
		return 0;
	t->epochs[t->nepochs++] = id;
	t->epochs = tk_xrealloc(t->epochs, (t->nepochs + 1) * sizeof *t->epochs);
	return tk_ix_epochs_put(t->txn, t->st, t->epochs, t->nepochs);
}

MDB_val
tk_ix_key(int db, const char *v, size_t n, unsigned epoch, unsigned char *buf)
{
	MDB_val k;

	if (!n) {
		v = "";
		n = 1;
	} else if (n > TK_IX_MAXKEY)
		n = TK_IX_MAXKEY;
	if (!tk_ix_partitioned(db)) {
		k.mv_size = n;
		k.mv_data = (void *)v;
		return k;
	}
	buf[0] = (unsigned char)(epoch >> 8);
	buf[1] = (unsigned char)epoch;
	memcpy(buf + 2, v, n);
	k.mv_size = n + 2;
	k.mv_data = buf;
	return k;
}

/*
 * An index's ids under key k, whatever the index keeps them in: a
 * DUPFIXED key's sorted ids read a page at a time, or a posting list read
 * a chunk at a time (tk_ix_postings). Callers (queries, ticket changes)
 * do not need to know which.
 */
int
tk_ix_first(MDB_cursor *c, int db, MDB_val k, MDB_val *ids)
{
	int rc;

	if (tk_ix_postings(db))
		return tk_pl_first(c, k, ids);
	rc = mdb_cursor_get(c, &k, ids, MDB_SET);
	return rc ? rc : mdb_cursor_get(c, &k, ids, MDB_GET_MULTIPLE);
}

int
tk_ix_next(MDB_cursor *c, int db, MDB_val k, MDB_val *ids)
{
	return tk_ix_postings(db) ? tk_pl_next(c, k, ids) : mdb_cursor_get(c, &k, ids, MDB_NEXT_MULTIPLE);
}

int
tk_ix_count(MDB_cursor *c, int db, MDB_val k, size_t *count)
{
	MDB_val d;
	int rc;

	if (tk_ix_postings(db))
		return tk_pl_count(c, k, count);
	*count = 0;
	rc = mdb_cursor_get(c, &k, &d, MDB_SET);
	if (rc == MDB_NOTFOUND)
		return 0;
	return rc ? rc : mdb_cursor_count(c, count);
}

/* A DUPSORT index's cursor put on id under k: 0, MDB_NOTFOUND, or an error. */
static int
dup_seek(MDB_cursor *c, MDB_val k, uint64_t id)
{
	unsigned char b[8];
	MDB_val d = { 8, b };

	tk_put_u64(b, id);
	return mdb_cursor_get(c, &k, &d, MDB_GET_BOTH);
}

int
tk_ix_has(MDB_cursor *c, int db, MDB_val k, uint64_t id)
{
	int rc;

	if (tk_ix_postings(db))
		return tk_pl_has(c, k, id);
	rc = dup_seek(c, k, id);
	return rc == 0 ? 1 : rc == MDB_NOTFOUND ? 0 : -rc;
}

int
tk_ix_add(MDB_cursor *c, int db, MDB_val k, uint64_t id)
{
	unsigned char b[8];
	MDB_val d = { 8, b };
	int rc;

	if (tk_ix_postings(db))
		return tk_pl_add(c, k, id);
	tk_put_u64(b, id);
	rc = mdb_cursor_put(c, &k, &d, MDB_NODUPDATA);
	return rc == MDB_KEYEXIST ? 0 : rc;
}

int
tk_ix_del(MDB_cursor *c, int db, MDB_val k, uint64_t id)
{
	int rc;

	if (tk_ix_postings(db))
		return tk_pl_del(c, k, id);
	rc = dup_seek(c, k, id);
	return rc ? rc : mdb_cursor_del(c, 0);
}

MDB_val
tk_ix_custom_key(tk_str name, tk_str value, unsigned char *buf)
{
	size_t nn = name.n > 64 ? 64 : name.n, vn = value.n > TK_IX_MAXKEY ? TK_IX_MAXKEY : value.n;
	MDB_val k;

	memcpy(buf, name.p, nn);
	buf[nn] = '\0';
	memcpy(buf + nn + 1, value.p, vn);
	k.mv_size = nn + 1 + vn;
	k.mv_data = buf;
	return k;
}
