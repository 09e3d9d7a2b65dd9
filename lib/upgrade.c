/*
 * upgrade.c - upgrades of a store that need the ticket model: from schema
 * TK_SCHEMA_STORE on, a store is brought up to date here, above the model,
 * by tk_cmd_store once the store is open (the upgrades of key layouts
 * before it are store.c's own). Each runs in batches of tickets, every
 * change logged "via upgrade" with its old value, and sets the new schema
 * in its last transaction: an upgrade cut short leaves the old schema and
 * changes that the next run finds already made.
 *
 * Schema 5 to 6 (the foundation fixes):
 * - custom field names are lowercased: the names in `fields` and in the
 *   tickets; a ticket holding both "Product" and "product" keeps
 *   product's value when it has one, else Product's;
 * - requesters written "Name <Addr>" or with capitals keep the bare
 *   address, lowercased, and the name in requester_name;
 * - the event log gains its via column (old events read it empty) and
 *   status names may be 64 bytes in `active`'s keys (every status name a
 *   schema 5 store holds is one of tk's five words, shorter than 16
 *   bytes, so no key changes).
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

#define BATCH 5000

static int
has_upper(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			return 1;
	return 0;
}

/* A requester that the model now keeps otherwise. */
static int
requester_changes(const char *p, size_t n)
{
	tk_str name, addr;

	if (!tk_address_split(p, n, &name, &addr))
		return 0;
	return name.n || addr.n != n || has_upper(addr.p, addr.n);
}

struct up5 {
	tk_ids ids;		/* tickets to rewrite, ascending */
	char **names;		/* custom names with capitals, from `fields` */
	size_t nnames;
	size_t off, n;		/* the batch */
};

/* What schema 5 to 6 must rewrite, read in one snapshot. */
static int
collect5(tk_store *st, struct up5 *u)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	tk_txn t;
	tk_ticket tk;
	size_t i;
	int rc;

	if (tk_txn_read(st, &t) < 0)
		return -1;
	/* Requesters, from their index: one key per value and epoch. */
	if ((rc = mdb_cursor_open(t.txn, st->dbi[TK_DB_IX_REQUESTER], &c)))
		goto fail;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_NODUP)) {
		MDB_val ids;

		if (k.mv_size <= 2 || !requester_changes((char *)k.mv_data + 2, k.mv_size - 2))
			continue;
		for (rc = tk_ix_first(c, TK_DB_IX_REQUESTER, k, &ids); !rc;
		    rc = tk_ix_next(c, TK_DB_IX_REQUESTER, k, &ids))
			for (i = 0; i < ids.mv_size / 8; i++)
				tk_ids_add(&u->ids, tk_get_u64((unsigned char *)ids.mv_data + 8 * i));
		if (rc != MDB_NOTFOUND)
			goto fail;
		/* back on this key's last duplicate for MDB_NEXT_NODUP */
		if ((rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY)))
			goto fail;
	}
	if (rc != MDB_NOTFOUND)
		goto fail;
	mdb_cursor_close(c);
	c = NULL;
	/* Custom names with capitals: the registry holds every name ever set. */
	if ((rc = mdb_cursor_open(t.txn, st->dbi[TK_DB_FIELDS], &c)))
		goto fail;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if (has_upper(k.mv_data, k.mv_size)) {
			u->names = tk_xrealloc(u->names, (u->nnames + 1) * sizeof *u->names);
			u->names[u->nnames++] = tk_xstrndup(k.mv_data, k.mv_size);
		}
	if (rc != MDB_NOTFOUND)
		goto fail;
	mdb_cursor_close(c);
	c = NULL;
	if (u->nnames) {
		/* Then which tickets hold them: one pass over the tickets. */
		if ((rc = mdb_cursor_open(t.txn, st->dbi[TK_DB_TICKETS], &c)))
			goto fail;
		tk_ticket_init(&tk);
		for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			if (tk_ticket_decode(&tk, v.mv_data, v.mv_size) < 0) {
				tk_ticket_free(&tk);
				mdb_cursor_close(c);
				tk_txn_end(&t);
				return -1;
			}
			for (i = 0; i < tk.ncustom; i++)
				if (tk.custom[i].value.n && has_upper(tk.custom[i].name.p, tk.custom[i].name.n)) {
					tk_ids_add(&u->ids, tk_get_u64(k.mv_data));
					break;
				}
		}
		tk_ticket_free(&tk);
		if (rc != MDB_NOTFOUND)
			goto fail;
		mdb_cursor_close(c);
		c = NULL;
	}
	tk_txn_end(&t);
	/* ascending, each once: tk_ids_unique keeps the first of each */
	tk_ids_sort(&u->ids);
	tk_ids_unique(&u->ids);
	return 0;
fail:
	if (c)
		mdb_cursor_close(c);
	tk_txn_end(&t);
	return tk_mdb_error(rc, "upgrade to schema 6");
}

static int
rewrite5(tk_txn *t, void *arg)
{
	struct up5 *u = arg;
	tk_assignments as = { 0 };
	tk_ticket tk;
	size_t i, j;
	char *lower;
	int rc = 0;

	for (i = u->off; i < u->off + u->n && !rc; i++) {
		tk_ticket_init(&tk);
		if ((rc = tk_ticket_get(t, u->ids.v[i], &tk, 1)) <= 0) {
			tk_ticket_free(&tk);
			if (rc < 0)
				break;
			continue;
		}
		rc = 0;
		if (requester_changes(tk.f[TK_F_REQUESTER].p, tk.f[TK_F_REQUESTER].n))
			tk_assign_add(&as, "requester",
			    tk_ticket_own(&tk, tk.f[TK_F_REQUESTER].p, tk.f[TK_F_REQUESTER].n).p);
		for (j = 0; j < tk.ncustom; j++) {
			tk_custom *c = &tk.custom[j];
			tk_str keep;

			if (!c->value.n || !has_upper(c->name.p, c->name.n))
				continue;
			lower = tk_xstrndup(c->name.p, c->name.n);
			tk_field_name_lower(lower);
			keep = tk_ticket_custom(&tk, lower);
			if (!keep.n)
				keep = c->value;
			/* the name as it was, emptied; the lowercased one set */
			tk_assign_borrow(&as, TK_F_CUSTOM, tk_ticket_own(&tk, c->name.p, c->name.n).p, "");
			tk_assign_borrow(&as, TK_F_CUSTOM, tk_ticket_own(&tk, lower, strlen(lower)).p,
			    tk_ticket_own(&tk, keep.p, keep.n).p);
			free(lower);
		}
		if (as.n && (rc = tk_ticket_apply(t, &tk, &as, TK_APPLY_UPGRADE)) >= 0)
			rc = 0;
		tk_assignments_free(&as);
		tk_ticket_free(&tk);
	}
	return rc < 0 ? TK_EXIT_FAIL : 0;
}

static int
finish5(tk_txn *t, void *arg)
{
	struct up5 *u = arg;
	MDB_val k;
	size_t i;
	int rc;

	for (i = 0; i < u->nnames; i++) {
		k.mv_size = strlen(u->names[i]);
		k.mv_data = u->names[i];
		rc = mdb_del(t->txn, t->st->dbi[TK_DB_FIELDS], &k, NULL);
		if (rc && rc != MDB_NOTFOUND) {
			tk_mdb_error(rc, "fields");
			return TK_EXIT_FAIL;
		}
		tk_field_name_lower(u->names[i]);
		if (tk_field_register(t, TK_STR(u->names[i])) < 0)
			return TK_EXIT_FAIL;
	}
	return tk_store_set_schema(t, 6) < 0 ? TK_EXIT_FAIL : 0;
}

static int
upgrade5(tk_store *st)
{
	struct up5 u;
	size_t i;
	int rc = 0;

	memset(&u, 0, sizeof u);
	if (collect5(st, &u) < 0)
		return -1;
	for (u.off = 0; u.off < u.ids.n && !rc; u.off += u.n) {
		u.n = u.ids.n - u.off < BATCH ? u.ids.n - u.off : BATCH;
		rc = tk_store_write(st, rewrite5, &u);
	}
	if (!rc)
		rc = tk_store_write(st, finish5, &u);
	for (i = 0; i < u.nnames; i++)
		free(u.names[i]);
	free(u.names);
	tk_ids_free(&u.ids);
	if (rc)
		return -1;
	return 0;
}

int
tk_store_upgrade(tk_store *st)
{
	const char *via = st->via;
	int rc = 0;

	st->via = "upgrade";
	if (st->schema == 5)
		rc = upgrade5(st);
	st->via = via;
	if (rc < 0)
		return tk_error("%s: upgrade to schema %d failed: %s", st->dir, TK_SCHEMA_VERSION, tk_errmsg);
	return 0;
}
