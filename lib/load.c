/*
 * load.c - each assignee's count of tickets in the working set:
 *
 *   agent_load  assignee (cut at TK_IX_MAXKEY bytes, as in the indexes)
 *               -> count, 8 bytes big-endian; no entry for a count of 0
 *
 * tk-assign --least-loaded, capacities and tk-agent ls read an agent's
 * load here with one lookup instead of counting its tickets. The working
 * set's writer (tk_active_write, active.c) keeps it in step in the same
 * transaction as every ticket it writes: a ticket that comes into the
 * working set with an assignee, leaves it, or changes hands there moves
 * one count; a ticket with no assignee costs nothing. A bulk batch's new
 * tickets are counted when the batch's copies are written (sorted, so
 * each assignee's run is one update). The counter is kept for every
 * assignee, an agent or not, so an agent added later finds its load.
 *
 * This file calls nothing of the store's model (its callers are the
 * model): it returns LMDB's codes and they report them.
 */
#include <endian.h>
#include <string.h>

#include "tk.h"

static MDB_val
load_key(const char *a, size_t n)
{
	MDB_val k;

	k.mv_size = n > TK_IX_MAXKEY ? TK_IX_MAXKEY : n;
	k.mv_data = (void *)a;
	return k;
}

int
tk_load_get(tk_txn *t, const char *a, size_t n, uint64_t *count)
{
	MDB_val k = load_key(a, n), v;
	uint64_t be;
	int rc;

	*count = 0;
	if (!n)
		return 0;
	rc = mdb_get(t->txn, t->st->dbi[TK_DB_AGENT_LOAD], &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (v.mv_size == 8) {
		memcpy(&be, v.mv_data, 8);
		*count = be64toh(be);
	}
	return 0;
}

int
tk_load_add(tk_txn *t, const char *a, size_t n, long long delta)
{
	MDB_dbi db = t->st->dbi[TK_DB_AGENT_LOAD];
	MDB_val k = load_key(a, n), v;
	uint64_t count, be;
	int rc;

	if (!n || !delta)
		return 0;
	if ((rc = tk_load_get(t, a, n, &count)))
		return rc;
	/* (never below 0: a count out of step stops there rather than wrap) */
	count = delta < 0 && (uint64_t)-delta >= count ? 0 : count + (uint64_t)delta;
	if (!count) {
		rc = mdb_del(t->txn, db, &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	be = htobe64(count);
	v.mv_size = 8;
	v.mv_data = &be;
	return mdb_put(t->txn, db, &k, &v, 0);
}
