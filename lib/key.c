/*
 * key.c - the ground floor of the store's keys: big-endian numbers (they
 * sort numerically under memcmp), LMDB's key order, the right edge of a
 * tree for appends, and LMDB errors as messages.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "tk.h"

void
tk_put_u64(unsigned char *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

uint64_t
tk_get_u64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

int tk_map_full;

int
tk_mdb_error(int rc, const char *what)
{
	if (rc == MDB_MAP_FULL)
		tk_map_full = 1;
	if (rc == MDB_MAP_FULL || rc == ENOSPC)
		return tk_error("%s: %s (disk or map full)", what, mdb_strerror(rc));
	return tk_error("%s: %s", what, mdb_strerror(rc));
}

/* LMDB's default key order: bytes, then the shorter first. */
int
tk_keycmp(const void *a, size_t an, const void *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : an < bn ? -1 : an > bn;
}

int
tk_tail_start(tk_tail *tl, MDB_cursor *c)
{
	MDB_val v;
	int rc = mdb_cursor_get(c, &tl->last, &v, MDB_LAST);

	tl->past = rc == MDB_NOTFOUND;	/* an empty tree */
	if (rc)
		return tl->past ? 0 : rc;
	tl->last.mv_size = tl->last.mv_size < sizeof tl->key ? tl->last.mv_size : sizeof tl->key;
	memcpy(tl->key, tl->last.mv_data, tl->last.mv_size);
	tl->last.mv_data = tl->key;
	return 0;
}

int
tk_tail_past(tk_tail *tl, const void *key, size_t n)
{
	if (!tl->past && tk_keycmp(key, n, tl->last.mv_data, tl->last.mv_size) > 0)
		tl->past = 1;
	return tl->past;
}
