/*
 * upgrade.c - a store made by an older tk brought up to date, above the
 * ticket model, by tk_cmd_store once the store is open (store.c opens an
 * older store no further than its meta). Schemas 1 to 5 changed key
 * layouts and are rebuilt in one transaction; from 5 on an upgrade runs in
 * batches of tickets, every change logged "via upgrade" with its old value,
 * and sets the new schema in its last transaction: an upgrade cut short
 * leaves the old schema and changes that the next run finds already made.
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
 *
 * Schema 6 to 7 (agents and assignment): the sub-databases agents, teams,
 * agent_load, rr_cursor and log_key are made as the store opens for
 * writing; agent_load, each assignee's count of tickets in the working
 * set, is then counted from `active` (whose keys hold status and
 * assignee: no ticket is read) and written whole, in one transaction
 * with the new schema. What was there is replaced, so counts made by the
 * key layout upgrades before it (store.c's, which write the working set
 * through the model) are not counted twice.
 *
 * Schema 7 to 8: the links sub-database (upgrade_links).
 *
 * Schema 10 to 11 (declared fields and workflows): see upgrade_fields.
 *
 * Schema 11 to 12 (notices): the sub-databases notice_queue and
 * notice_mark are made as the store opens for writing; every ticket with
 * comments gets its notice mark at its last comment, sent and queued, so
 * that the first tk-notify --to requester mails no reply written before
 * tk-notify was there (the replies of the past reached their requesters
 * some other way, or never will). The comments' keys are read, one seek a
 * ticket, no comment's text; the marks are appended in ticket order, in
 * one transaction with the new schema.
 *
 * Schema 13 to 14 (SLA): see upgrade_sla.
 *
 * Schema 14 to 15 (the working set by value), 15 to 16 (custom values
 * under names that became tk's fields), 16 to 17 (the ticket full-text
 * index of ids alone), 17 to 18 (the contacts' summaries): see
 * upgrade_active_ix, upgrade_builtins, upgrade_ft, upgrade_cstats.
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

/* A "row-" external id of an older tk-import: "row-" and 16 lowercase hex
 * digits, the row's hash. 1 (and *hash), or 0. */
static int
row_mark(const char *p, size_t n, uint64_t *hash)
{
	uint64_t h = 0;
	size_t i;

	if (n != 20 || memcmp(p, "row-", 4))
		return 0;
	for (i = 4; i < 20; i++) {
		int c = (unsigned char)p[i];

		if (c >= '0' && c <= '9')
			h = h << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			h = h << 4 | (uint64_t)(c - 'a' + 10);
		else
			return 0;
	}
	*hash = h;
	return 1;
}

/*
 * tk-import's marks out of the tickets' external ids (tk.h). The tickets
 * are found by ix_external_id, whose keys "row-..." lie together: their
 * ids are gathered first, then each ticket is written without the mark
 * (its index entries, its copy in the working set and the event), the
 * way tk_ticket_apply writes a change, but for "updated": no one changed
 * the ticket. The import generation stays: every row a mark says was
 * committed still is, now found by import_row.
 */
long
tk_upgrade_import_rows(tk_txn *t)
{
	struct { uint64_t id, hash; } *rows = NULL;
	size_t n = 0, cap = 0, i;
	MDB_cursor *c;
	MDB_val k = { 4, "row-" }, v;
	tk_str old[TK_F_NSTORED], none = { "", 0 };
	tk_ticket tk;
	tk_buf enc = { 0 };
	unsigned char kb[8];
	uint64_t hash;
	long changed = 0;
	int rc, act;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IX_EXTERNAL], &c)))
		return tk_mdb_error(rc, "ix_external_id");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 && k.mv_size >= 4 &&
	    !memcmp(k.mv_data, "row-", 4); rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (!row_mark(k.mv_data, k.mv_size, &hash) || v.mv_size != 8)
			continue;
		if (n == cap)
			rows = tk_xrealloc(rows, (cap = cap ? 2 * cap : 256) * sizeof *rows);
		rows[n].id = tk_get_u64(v.mv_data);
		rows[n++].hash = hash;
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND) {
		free(rows);
		return tk_mdb_error(rc, "ix_external_id");
	}
	rc = 0;
	for (i = 0; i < n; i++) {
		tk_ticket_init(&tk);
		rc = tk_ticket_get(t, rows[i].id, &tk, 1);
		/* (an index entry the ticket no longer agrees with: left to tk-check) */
		if (rc <= 0 || !row_mark(tk.f[TK_F_EXTERNAL_ID].p, tk.f[TK_F_EXTERNAL_ID].n, &hash) ||
		    hash != rows[i].hash) {
			tk_ticket_free(&tk);
			if (rc < 0)
				break;
			rc = 0;
			continue;
		}
		memcpy(old, tk.f, sizeof old);
		tk.f[TK_F_EXTERNAL_ID] = none;
		act = tk_active_status(tk.f[TK_F_STATUS]);
		enc.len = 0;
		tk_ticket_encode(&tk, &enc);
		tk_put_u64(kb, tk.id);
		k.mv_size = 8;
		k.mv_data = kb;
		v.mv_size = enc.len;
		v.mv_data = enc.p;
		if (tk_log_append(t, tk.id, "external_id", old[TK_F_EXTERNAL_ID], none) < 0 ||
		    tk_ticket_reindex(t, &tk, old, act, act) < 0 ||
		    tk_active_write(t, tk.id, old[TK_F_STATUS], old[TK_F_ASSIGNEE], tk.f[TK_F_STATUS],
		    tk.f[TK_F_ASSIGNEE], enc.p, enc.len, 0) < 0 ||
		    tk_import_row_put(t, hash, tk.id) < 0)
			rc = -1;
		else if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_TICKETS], &k, &v, 0)))
			rc = tk_mdb_error(rc, "tickets");
		tk_ticket_free(&tk);
		if (rc < 0)
			break;
		changed++;
	}
	free(rows);
	tk_buf_free(&enc);
	return rc < 0 ? -1 : changed;
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
	/* tk-import's row marks out of the tickets' external ids */
	if (tk_upgrade_import_rows(t) < 0)
		return TK_EXIT_FAIL;
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

/*
 * Schema 1 to 2: ix_requester, ix_assignee and ix_updated are partitioned
 * by epoch (rebuilt from the tickets), and tk-import's memory of rows moves
 * from "imports" (external id -> id . hash) to import_hash (id -> hash).
 */
static int
upgrade_1(tk_store *st, MDB_txn *txn)
{
	unsigned char kb[TK_IX_KEYBUF];
	MDB_cursor *c;
	MDB_val k, v, ik, iv;
	MDB_dbi old;
	tk_ticket tk;
	int rc, f;

	rc = mdb_dbi_open(txn, "imports", 0, &old);
	if (rc == 0) {
		if ((rc = mdb_cursor_open(txn, old, &c)))
			return tk_mdb_error(rc, "imports");
		while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
			if (v.mv_size != 16)
				continue;
			ik.mv_size = 8;
			ik.mv_data = v.mv_data;
			iv.mv_size = 8;
			iv.mv_data = (unsigned char *)v.mv_data + 8;
			if ((rc = mdb_put(txn, st->dbi[TK_DB_IMPORT_HASH], &ik, &iv, 0)))
				break;
		}
		mdb_cursor_close(c);
		if (rc != MDB_NOTFOUND)
			return tk_mdb_error(rc, "import_hash");
		if ((rc = mdb_drop(txn, old, 1)))
			return tk_mdb_error(rc, "imports");
	} else if (rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "imports");
	for (f = 0; f < TK_F_NSTORED; f++)
		if (tk_fields[f].dbi >= 0 && tk_ix_partitioned(tk_fields[f].dbi) &&
		    (rc = mdb_drop(txn, st->dbi[tk_fields[f].dbi], 0)))
			return tk_mdb_error(rc, "index");
	if ((rc = mdb_cursor_open(txn, st->dbi[TK_DB_TICKETS], &c)))
		return tk_mdb_error(rc, "tickets");
	tk_ticket_init(&tk);
	while (rc == 0 && (rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
		tk.id = tk_get_u64(k.mv_data);
		if (tk_ticket_decode(&tk, v.mv_data, v.mv_size) < 0) {
			rc = -1;
			break;
		}
		for (f = 0; f < TK_F_NSTORED && rc == 0; f++) {
			int db = tk_fields[f].dbi;

			if (db < 0 || !tk_ix_partitioned(db))
				continue;
			ik = tk_ix_key(db, tk.f[f].p, tk.f[f].n, tk_ix_epoch_v2(tk.id), kb);
			if ((rc = mdb_put(txn, st->dbi[db], &ik, &k, MDB_NODUPDATA)) == MDB_KEYEXIST)
				rc = 0;
		}
	}
	mdb_cursor_close(c);
	tk_ticket_free(&tk);
	if (rc == -1)
		return -1;
	if (rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "index");
	return 0;
}

/*
 * Schema 2 to 3: epochs were id >> 14; the first id of each, up to the last
 * ticket's, goes into meta "epochs", and the keys stay as they are.
 */
static int
upgrade_2(tk_store *st, MDB_txn *txn)
{
	uint64_t last, *ep;
	unsigned i, n;
	int rc;

	if (tk_last_id(txn, st, &last) < 0)
		return -1;
	n = tk_ix_epoch_v2(last) + 1;
	ep = tk_xmalloc(n * sizeof *ep);
	for (i = 0; i < n; i++)
		ep[i] = (uint64_t)i << 14;
	rc = tk_ix_epochs_put(txn, st, ep, n);
	free(ep);
	return rc;
}

/*
 * Schema 3 to 4: ix_status, ix_priority and ix_queue become posting lists,
 * rebuilt from the tickets, 50,000 at a time through an index batch.
 */
static int
upgrade_3(tk_store *st, MDB_txn *txn)
{
	unsigned char kb[TK_IX_KEYBUF];
	MDB_cursor *c;
	MDB_val k, v, ik;
	tk_ticket tk;
	tk_txn t;
	tk_ixbatch *b;
	long n = 0;
	int rc = 0, f, db;

	for (db = 0; db < TK_DB_COUNT; db++) {
		if (!tk_ix_postings(db))
			continue;
		if (tk_store_db_recreate(st, txn, db) < 0)
			return -1;
	}
	memset(&t, 0, sizeof t);
	t.st = st;
	t.txn = txn;
	t.write = 1;
	b = tk_ixbatch_new();
	if ((rc = mdb_cursor_open(txn, st->dbi[TK_DB_TICKETS], &c))) {
		tk_ixbatch_free(b);
		return tk_mdb_error(rc, "tickets");
	}
	tk_ticket_init(&tk);
	while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
		tk.id = tk_get_u64(k.mv_data);
		if (tk_ticket_decode(&tk, v.mv_data, v.mv_size) < 0) {
			rc = -1;
			break;
		}
		for (f = 0; f < TK_F_NSTORED; f++)
			if (tk_fields[f].dbi >= 0 && tk_ix_postings(tk_fields[f].dbi) &&
			    !tk_ix_skips(tk_fields[f].dbi, tk.f[f].p, tk.f[f].n, tk_active_status(tk.f[TK_F_STATUS]))) {
				ik = tk_ix_key(tk_fields[f].dbi, tk.f[f].p, tk.f[f].n, 0, kb);
				tk_ixbatch_add(b, tk_fields[f].dbi, ik.mv_data, ik.mv_size, tk.id);
			}
		if (++n % 50000 == 0 && tk_ixbatch_write(b, &t) < 0) {
			rc = -1;
			break;
		}
	}
	mdb_cursor_close(c);
	tk_ticket_free(&tk);
	if (rc == MDB_NOTFOUND)
		rc = tk_ixbatch_write(b, &t) < 0 ? -1 : 0;
	tk_ixbatch_free(b);
	if (rc == -1)
		return -1;
	return rc ? tk_mdb_error(rc, "tickets") : 0;
}

/*
 * Schema 4 to 5: the working set (active.c), copied from the tickets in an
 * active status, whose statuses ix_status no longer holds, nor ix_assignee,
 * ix_queue and ix_requester their empty values; ix_external_id keeps no
 * entries for an empty value (tk_ix_skips).
 */
static int
upgrade_4(tk_store *st, MDB_txn *txn)
{
	/* (a schema 4 store has tk's five statuses: these three are active) */
	static const char *const act[] = { "new", "open", "pending" };
	size_t i, n;
	MDB_cursor *c;
	MDB_val k, v;
	tk_ticket tk;
	tk_txn t;
	int rc;

	if ((rc = mdb_cursor_open(txn, st->dbi[TK_DB_IX_STATUS], &c)))
		return tk_mdb_error(rc, "ix_status");
	for (i = 0; i < 3 && (!rc || rc == MDB_NOTFOUND); i++) {
		n = strlen(act[i]);
		do {	/* (sought again: a cursor on a tree it emptied has no current item) */
			k.mv_size = n;
			k.mv_data = (void *)act[i];
			rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		} while (rc == 0 && k.mv_size == n + 8 && !memcmp(k.mv_data, act[i], n) &&
		    (rc = mdb_cursor_del(c, 0)) == 0);
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "ix_status");
	k.mv_size = 1;
	k.mv_data = "";
	if ((rc = mdb_del(txn, st->dbi[TK_DB_IX_EXTERNAL], &k, NULL)) && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "ix_external_id");
	memset(&t, 0, sizeof t);
	t.st = st;
	t.txn = txn;
	if ((rc = mdb_cursor_open(txn, st->dbi[TK_DB_TICKETS], &c)))
		return tk_mdb_error(rc, "tickets");
	tk_ticket_init(&tk);
	/* Each active ticket as if it had just come into the working set: its
	 * copy written, the entries it no longer has taken out. */
	while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
		tk.id = tk_get_u64(k.mv_data);
		/* (the status first: most tickets of a large store are closed) */
		if (tk_ticket_decode_upto(&tk, v.mv_data, v.mv_size, TK_F_STATUS) < 0) {
			rc = -1;
			break;
		}
		if (!tk_active_status(tk.f[TK_F_STATUS]))
			continue;
		if (tk_ticket_decode(&tk, v.mv_data, v.mv_size) < 0 ||
		    tk_active_write(&t, tk.id, (tk_str){ "", 0 }, (tk_str){ "", 0 }, tk.f[TK_F_STATUS],
		    tk.f[TK_F_ASSIGNEE], v.mv_data, v.mv_size, 1) < 0 ||
		    tk_ticket_reindex(&t, &tk, tk.f, 0, 1) < 0) {
			rc = -1;
			break;
		}
	}
	mdb_cursor_close(c);
	tk_ticket_free(&tk);
	tk_ix_epochs_free(&t);
	if (rc == -1)
		return -1;
	return rc != MDB_NOTFOUND ? tk_mdb_error(rc, "tickets") : 0;
}

/*
 * Schema 6 to 8 (links; 7 is another change's): the links sub-database,
 * made empty as the store was opened for writing, gets both ways of every
 * parent link the tickets hold (the other link fields are new with it, so
 * no older store has any). No ticket changes, so nothing is logged. One
 * transaction: it writes two entries a child, and reads each ticket's
 * fields only up to parent.
 */
static int
upgrade_links(tk_txn *t, void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	tk_ticket tk;
	int rc;

	(void)arg;
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_TICKETS], &c))) {
		tk_mdb_error(rc, "tickets");
		return TK_EXIT_FAIL;
	}
	tk_ticket_init(&tk);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		tk.id = tk_get_u64(k.mv_data);
		if (tk_ticket_decode_upto(&tk, v.mv_data, v.mv_size, TK_F_PARENT) < 0)
			break;
		if (tk.f[TK_F_PARENT].n &&
		    tk_links_field(t, tk.id, TK_F_PARENT, (tk_str){ "", 0 }, tk.f[TK_F_PARENT]) < 0)
			break;
	}
	mdb_cursor_close(c);
	tk_ticket_free(&tk);
	if (rc == 0)
		return TK_EXIT_FAIL;	/* (a break: tk_errmsg says why) */
	if (rc != MDB_NOTFOUND) {
		tk_mdb_error(rc, "tickets");
		return TK_EXIT_FAIL;
	}
	return tk_store_set_schema(t, 8) < 0 ? TK_EXIT_FAIL : 0;
}

/*
 * Schema 8 to 9 (tk-mail): the mail
 * sub-databases (mail_raw, attach, attach_data, mail_files, xid,
 * mail_rate) were made empty as the store was opened for writing; no
 * older store has mail in them, so only the version moves.
 */
static int
upgrade_mail(tk_txn *t, void *arg)
{
	(void)arg;
	return tk_store_set_schema(t, 9) < 0 ? TK_EXIT_FAIL : 0;
}

/*
 * Schema 10 to 11 (declared fields and workflows): the opening writer has
 * made ix_custom, empty (no store indexes a field before tk-config apply
 * says so); meta "statuses" and "indexed" stay unwritten, which means tk's
 * default workflow and no indexed field. Nothing of a ticket changes, so
 * nothing is logged.
 */
static int
upgrade_fields(tk_txn *t, void *arg)
{
	(void)arg;
	return tk_store_set_schema(t, 11) < 0 ? TK_EXIT_FAIL : 0;
}

/* Schemas 1 to 5: key layouts, in one transaction. */
static int
upgrade_layout(tk_txn *t, void *arg)
{
	tk_store *st = t->st;
	MDB_txn *txn = t->txn;
	long ver = st->schema;

	(void)arg;
	if ((ver == 1 && upgrade_1(st, txn) < 0) || (ver <= 2 && upgrade_2(st, txn) < 0) ||
	    (ver <= 3 && upgrade_3(st, txn) < 0) || (ver <= 4 && upgrade_4(st, txn) < 0) ||
	    tk_store_set_schema(t, 5) < 0)
		return TK_EXIT_FAIL;
	return 0;
}

/* One assignee's count in a run of `active`'s keys. */
struct run6 {
	char *a;
	size_t n;
	uint64_t count;
};

static int
cmp_run6(const void *x, const void *y)
{
	const struct run6 *a = x, *b = y;

	return tk_keycmp(a->a, a->n, b->a, b->n);
}

/* The loads from the working set: a run of keys under one epoch, status
 * and assignee is one count, merged with the assignee's other runs. */
static int
count6(tk_txn *t, void *arg)
{
	struct run6 *r = NULL;
	size_t n = 0, cap = 0, i, j;
	MDB_cursor *c;
	MDB_val k, v;
	const unsigned char *a;
	size_t len;
	unsigned char be[8];
	int rc;

	(void)arg;
	if ((rc = mdb_drop(t->txn, t->st->dbi[TK_DB_AGENT_LOAD], 0)))
		return tk_mdb_error(rc, "agent_load"), TK_EXIT_FAIL;
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_ACTIVE], &c)))
		return tk_mdb_error(rc, "active"), TK_EXIT_FAIL;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const unsigned char *kp = k.mv_data, *z;

		if (k.mv_size < 2 + 2 + 2 + 8 || !(z = memchr(kp + 2, '\0', k.mv_size - 2)))
			continue;
		a = z + 1;
		len = (size_t)(kp + k.mv_size - 9 - a);
		if (a > kp + k.mv_size - 9 || (len == 1 && !a[0]))
			continue;	/* no assignee: no count */
		if (n && r[n - 1].n == len && !memcmp(r[n - 1].a, a, len)) {
			r[n - 1].count++;
			continue;
		}
		if (n == cap)
			r = tk_xrealloc(r, (cap = cap ? 2 * cap : 256) * sizeof *r);
		r[n].a = tk_xstrndup((const char *)a, len);
		r[n].n = len;
		r[n++].count = 1;
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND) {
		tk_mdb_error(rc, "active");
		goto out;
	}
	if (n)
		qsort(r, n, sizeof *r, cmp_run6);
	for (i = 0, rc = 0; i < n && !rc; i = j) {
		uint64_t total = 0;

		for (j = i; j < n && r[j].n == r[i].n && !memcmp(r[j].a, r[i].a, r[i].n); j++)
			total += r[j].count;
		k.mv_size = r[i].n;
		k.mv_data = r[i].a;
		tk_put_u64(be, total);
		v.mv_size = 8;
		v.mv_data = be;
		if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_AGENT_LOAD], &k, &v, MDB_APPEND)))
			tk_mdb_error(rc, "agent_load");
	}
	if (!rc && tk_store_set_schema(t, 7) < 0)
		rc = -1;
out:
	for (i = 0; i < n; i++)
		free(r[i].a);
	free(r);
	return rc ? TK_EXIT_FAIL : 0;
}

/*
 * Schema 9 to 10: the knowledge base's sub-databases (kb, kb_rev, kb_ext,
 * kb_use, fulltext, ft_pending), made empty by the write that opened the
 * store; nothing to move. An old store's tickets stay out of the full-text
 * index until tk-kb reindex.
 */
static int
upgrade_kb(tk_txn *t, void *arg)
{
	(void)arg;
	return tk_store_set_schema(t, 10) < 0 ? TK_EXIT_FAIL : 0;
}

/* Each ticket's notice mark at its last comment. */
static int
marks12(tk_txn *t, void *arg)
{
	unsigned char kb[12], mb[8], vb[8];
	MDB_cursor *c;
	MDB_val k, v, mk = { 8, mb }, mv = { 8, vb };
	uint64_t ticket;
	int rc, i;

	(void)arg;
	if ((rc = mdb_drop(t->txn, t->st->dbi[TK_DB_NOTICE_MARK], 0)))
		return tk_mdb_error(rc, "notice_mark"), TK_EXIT_FAIL;
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_COMMENTS], &c)))
		return tk_mdb_error(rc, "comments"), TK_EXIT_FAIL;
	rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	while (rc == 0) {
		if (k.mv_size != 12) {
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
			continue;
		}
		ticket = tk_get_u64(k.mv_data);
		/* The first key past the ticket's comments, and the one before it. */
		tk_put_u64(kb, ticket + 1);
		memset(kb + 8, 0, 4);
		k.mv_size = 12;
		k.mv_data = kb;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		if (rc == 0)
			rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
		else if (rc == MDB_NOTFOUND)
			rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
		if (rc)
			break;
		tk_put_u64(mb, ticket);
		for (i = 0; i < 2; i++)	/* sent . queued: the comment's n, twice */
			memcpy(vb + 4 * i, (unsigned char *)k.mv_data + 8, 4);
		if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_NOTICE_MARK], &mk, &mv, MDB_APPEND)))
			break;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "upgrade to schema 12"), TK_EXIT_FAIL;
	return tk_store_set_schema(t, 12) < 0 ? TK_EXIT_FAIL : 0;
}

/*
 * Schema 12 to 13: the customer directory. Its sub-databases (contacts,
 * orgs, their indexes, ix_contact, ix_org, ix_tier) are made
 * empty as the writer opens the store (store.c), so nothing is rewritten:
 * tickets made before keep no contact, org or tier, and every ticket made
 * from here on gets its requester's (contact.c).
 */
static int
upgrade_directory(tk_txn *t, void *arg)
{
	(void)arg;
	return tk_store_set_schema(t, 13) < 0 ? TK_EXIT_FAIL : 0;
}

/*
 * Schema 13 to 14 (SLA): the stored fields due_response, due_update,
 * due_resolution and sla_due (numbers 31 to 34) and the sub-databases
 * ix_sla_due and sla_ledger, which the store opened for writing has made.
 * No ticket is rewritten: tickets get deadlines as they change, or all
 * open ones at once with tk-sla --recompute (logged via sla:POLICY).
 */
static int
upgrade_sla(tk_txn *t, void *arg)
{
	(void)arg;
	return tk_store_set_schema(t, 14) < 0 ? TK_EXIT_FAIL : 0;
}

/*
 * Schema 14 to 15: active_ix, the working set's copies under each value
 * of an indexed custom field and of org (active.c), made from the copies
 * in `active`.
 */
static int
upgrade_active_ix(tk_txn *t, void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	tk_ticket tk;
	int rc = 0;

	(void)arg;
	{
		if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_ACTIVE], &c)))
			return tk_mdb_error(rc, "active"), TK_EXIT_FAIL;
		tk_ticket_init(&tk);
		for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			tk.id = tk_get_u64((unsigned char *)k.mv_data + k.mv_size - 8);
			if (tk_ticket_decode(&tk, v.mv_data, v.mv_size) < 0 ||
			    tk_active_ix_write(t, tk.id, NULL, NULL, 0, 0, tk.f, tk.custom, tk.ncustom, 1, v.mv_data,
			    v.mv_size) < 0) {
				rc = -1;
				break;
			}
		}
		tk_ticket_free(&tk);
		mdb_cursor_close(c);
		if (rc == -1)
			return TK_EXIT_FAIL;
		if (rc != MDB_NOTFOUND)
			return tk_mdb_error(rc, "active"), TK_EXIT_FAIL;
	}
	return tk_store_set_schema(t, 15) < 0 ? TK_EXIT_FAIL : 0;
}

/*
 * Schema 15 to 16 (DESIGN.md 6): a custom value kept under a name that a
 * later schema made one of tk's fields (requester_name and nps at 6,
 * merged_into, duplicate_of and related at 8, contact, org and tier at
 * 13, the SLA's deadlines at 14) moves into that field, logged via
 * upgrade, when the field is empty and the value is one it takes:
 * requester_name any text, nps a whole number 0 to 10. The others stay
 * where they are (no name reaches them) and tk-config check --tickets
 * lists each with why: links are made by tk-link, a contact, org or tier
 * by the directory, the deadlines by the SLA's policies. Only when the store ever
 * held such a name (its `fields` sub-database): else nothing is read.
 */
static int
builtin_value(int f, tk_str v, char *buf, size_t len)
{
	char tmp[40], *end;
	long n;

	if (f == TK_F_REQUESTER_NAME)
		return v.n < len ? (memcpy(buf, v.p, v.n), buf[v.n] = '\0', 0) : -1;
	if (v.n >= sizeof tmp)
		return -1;
	memcpy(tmp, v.p, v.n);
	tmp[v.n] = '\0';
	if (f == TK_F_NPS) {
		n = strtol(tmp, &end, 10);
		if (!v.n || *end || n < 0 || n > 10)
			return -1;
		snprintf(buf, len, "%ld", n);
		return 0;
	}
	return -1;
}

static int
upgrade_builtins(tk_txn *t, void *arg)
{
	static const int moved[] = { TK_F_REQUESTER_NAME, TK_F_NPS, TK_F_MERGED_INTO, TK_F_DUPLICATE_OF,
		TK_F_RELATED, TK_F_CONTACT, TK_F_ORG, TK_F_TIER, TK_F_DUE_RESPONSE, TK_F_DUE_UPDATE,
		TK_F_DUE_RESOLUTION, TK_F_SLA_DUE };
	char vals[TK_F_NSTORED][TK_VALUE_BUF];
	tk_assignments as = { 0 };
	tk_ticket tk;
	tk_ids ids = { 0 };
	MDB_cursor *c;
	MDB_val k, v;
	size_t i, j, any = 0, n;
	int rc = 0, f;

	(void)arg;
	for (i = 0; i < sizeof moved / sizeof *moved; i++)
		any += tk_field_registered(t, tk_fields[moved[i]].name, strlen(tk_fields[moved[i]].name)) == 1;
	if (!any)
		return tk_store_set_schema(t, 16) < 0 ? TK_EXIT_FAIL : 0;
	/* The tickets holding one, then each changed (the cursor is not
	 * read across a change of the tree). */
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_TICKETS], &c)))
		return tk_mdb_error(rc, "tickets"), TK_EXIT_FAIL;
	tk_ticket_init(&tk);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		tk.id = tk_get_u64(k.mv_data);
		if (tk_ticket_decode(&tk, v.mv_data, v.mv_size) < 0) {
			rc = -1;
			break;
		}
		for (i = 0; i < tk.ncustom; i++)
			if (tk.custom[i].value.n && tk_field_lookup_n(tk.custom[i].name.p, tk.custom[i].name.n) != TK_F_CUSTOM) {
				tk_ids_add(&ids, tk.id);
				break;
			}
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND) {
		tk_ticket_free(&tk);
		tk_ids_free(&ids);
		return (rc == -1 ? 0 : tk_mdb_error(rc, "tickets")), TK_EXIT_FAIL;
	}
	rc = 0;
	for (j = 0; j < ids.n && !rc; j++) {
		if ((rc = tk_ticket_get(t, ids.v[j], &tk, 1)) <= 0) {
			rc = -1;
			break;
		}
		rc = 0;
		as.n = 0;
		for (i = 0; i < tk.ncustom;) {
			f = tk_field_lookup_n(tk.custom[i].name.p, tk.custom[i].name.n);
			if (f == TK_F_CUSTOM || f >= TK_F_NSTORED || tk.f[f].n ||
			    builtin_value(f, tk.custom[i].value, vals[f], sizeof vals[f]) < 0) {
				i++;
				continue;
			}
			tk_assign_borrow(&as, f, tk_fields[f].name, vals[f]);
			n = tk.ncustom - i - 1;	/* out of the custom fields */
			memmove(&tk.custom[i], &tk.custom[i + 1], n * sizeof *tk.custom);
			tk.ncustom--;
		}
		if (as.n && tk_ticket_apply(t, &tk, &as, TK_APPLY_UPGRADE) < 0)
			rc = -1;
	}
	tk_assignments_free(&as);
	tk_ticket_free(&tk);
	tk_ids_free(&ids);
	if (rc < 0)
		return TK_EXIT_FAIL;
	return tk_store_set_schema(t, 16) < 0 ? TK_EXIT_FAIL : 0;
}

/*
 * Schema 16 to 17: the ticket side of the full-text index in its new form
 * (doc/STORE.md: a term's postings are ticket ids alone, no positions or
 * counts, no forward records `T`; ft_pending lists a changed ticket's old
 * words and a bulk run's range). Its old entries (keys `t` and `T` of
 * fulltext) and ft_pending are emptied; articles are not touched. A store
 * whose ticket index was built (meta ft_tickets) gets every ticket indexed
 * again, UP17_BATCH tickets a transaction, the ones not yet done listed
 * meanwhile as a pending range (text= reads them directly); the last batch
 * sets the schema. Stopped half-way, the store answers text= in full and
 * the next writer starts the step again.
 */
#define UP17_BATCH 100000

struct up17 {
	int step;
	uint64_t from, next;
	long n;
};

static int
upgrade_ft(tk_txn *t, void *arg)
{
	struct up17 *u = arg;
	unsigned char kb[16];
	MDB_val k = { 16, kb }, v = { 0, "" };
	uint64_t next = u->from;
	int built, rc = 0;

	tk_put_u64(kb + 8, UINT64_MAX);
	if (!u->step) {
		if (tk_ft_tickets_clear(t) < 0 || (built = tk_ft_tickets_built(t)) < 0)
			return TK_EXIT_FAIL;
		u->n = built ? UP17_BATCH : 0;
		tk_put_u64(kb, 1);
		if (built && (rc = mdb_put(t->txn, t->st->dbi[TK_DB_FT_PENDING], &k, &v, 0)))
			return tk_mdb_error(rc, "upgrade to schema 17"), TK_EXIT_FAIL;
		return built || tk_store_set_schema(t, 17) == 0 ? 0 : TK_EXIT_FAIL;
	}
	if ((u->n = tk_ft_index_tickets(t, u->from, UP17_BATCH, &next)) < 0)
		return TK_EXIT_FAIL;
	tk_put_u64(kb, u->from);
	if ((rc = mdb_del(t->txn, t->st->dbi[TK_DB_FT_PENDING], &k, NULL)) && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "upgrade to schema 17"), TK_EXIT_FAIL;
	if (u->n < UP17_BATCH)
		return tk_store_set_schema(t, 17) < 0 ? TK_EXIT_FAIL : 0;
	tk_put_u64(kb, next);
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_FT_PENDING], &k, &v, 0)))
		return tk_mdb_error(rc, "upgrade to schema 17"), TK_EXIT_FAIL;
	u->next = next;	/* (from moves once this commits: a rerun starts again) */
	return 0;
}

/*
 * Schema 17 to 18: contact_stats, each contact's summary of its tickets
 * (cstats.c), which the store opened for writing has made empty, is
 * counted from the tickets in one pass (a ticket's record, no index) and
 * written in contact order, in one transaction with the new schema. No
 * ticket changes and nothing is logged: the summary is derived, as an
 * index is. From here on the model's hook keeps it.
 */
static int
upgrade_cstats(tk_txn *t, void *arg)
{
	(void)arg;
	if (tk_cstats_rebuild(t, UINT64_MAX) < 0)
		return TK_EXIT_FAIL;
	return tk_store_set_schema(t, 18) < 0 ? TK_EXIT_FAIL : 0;
}

/*
 * Schema 18 to 19: the articles' side of fulltext rebuilt from the
 * articles (in one transaction), a CJK character's unigram kept only where
 * it ends a run: elsewhere a one-character query finds it as the first of
 * the bigrams it starts, their counts summed. The tickets' side stays.
 */
static int
upgrade_kb_unigrams(tk_txn *t, void *arg)
{
	(void)arg;
	if (tk_ft_articles_rebuild(t) < 0)
		return TK_EXIT_FAIL;
	return tk_store_set_schema(t, 19) < 0 ? TK_EXIT_FAIL : 0;
}

int
tk_store_upgrade(tk_store *st)
{
	const char *via = st->via;
	int rc = 0;

	st->via = "upgrade";
	if (st->schema < 5 && !(rc = tk_store_write(st, upgrade_layout, NULL)))
		st->schema = 5;
	if (!rc && st->schema == 5 && !(rc = upgrade5(st)))
		st->schema = 6;
	if (!rc && st->schema == 6 && !(rc = tk_store_write(st, count6, NULL)))
		st->schema = 7;
	if (!rc && st->schema == 7 && !(rc = tk_store_write(st, upgrade_links, NULL)))
		st->schema = 8;
	if (!rc && st->schema == 8 && !(rc = tk_store_write(st, upgrade_mail, NULL)))
		st->schema = 9;
	if (!rc && st->schema == 9 && !(rc = tk_store_write(st, upgrade_kb, NULL)))
		st->schema = 10;
	if (!rc && st->schema == 10 && !(rc = tk_store_write(st, upgrade_fields, NULL)))
		st->schema = 11;
	if (!rc && st->schema == 11 && !(rc = tk_store_write(st, marks12, NULL)))
		st->schema = 12;
	if (!rc && st->schema == 12 && !(rc = tk_store_write(st, upgrade_directory, NULL)))
		st->schema = 13;
	if (!rc && st->schema == 13 && !(rc = tk_store_write(st, upgrade_sla, NULL)))
		st->schema = 14;
	if (!rc && st->schema == 14 && !(rc = tk_store_write(st, upgrade_active_ix, NULL)))
		st->schema = 15;
	if (!rc && st->schema == 15 && !(rc = tk_store_write(st, upgrade_builtins, NULL)))
		st->schema = 16;
	if (!rc && st->schema == 16) {
		struct up17 u = { 0, 1, 1, 0 };
		int ft = st->ft_tickets;

		st->ft_tickets = 0;	/* (nothing listed meanwhile: it is rebuilt) */
		rc = tk_store_write(st, upgrade_ft, &u);
		for (u.step = 1; !rc && u.n == UP17_BATCH; u.from = u.next)
			rc = tk_store_write(st, upgrade_ft, &u);
		st->ft_tickets = ft;
		if (!rc)
			st->schema = 17;
	}
	if (!rc && st->schema == 17 && !(rc = tk_store_write(st, upgrade_cstats, NULL)))
		st->schema = 18;
	if (!rc && st->schema == 18 && !(rc = tk_store_write(st, upgrade_kb_unigrams, NULL)))
		st->schema = 19;
	st->via = via;
	if (rc)
		return tk_error("%s: upgrade to schema %d failed: %s", st->dir, TK_SCHEMA_VERSION, tk_errmsg);
	return 0;
}
