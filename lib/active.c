/*
 * active.c - the working set: a copy of every ticket in an active status
 * (class open or paused, status.c: new, open and pending in tk's default
 * workflow), kept together by status and assignee.
 *
 *   active   epoch . status . NUL . assignee . NUL . id -> encoded ticket
 *            (the same bytes as in tickets)
 *
 * The epoch is the run of ids the ticket is in, as in ix_requester (meta
 * "epochs", index.c): each bulk batch starts one, so a batch's copies sort
 * after everything in the table and go in sorted at its end (MDB_APPEND:
 * pages filled, nothing split or searched). The assignee is the value cut
 * at TK_IX_MAXKEY bytes, "\0" when unset. The tickets an agent works on are
 * a few per cent of a store that keeps its history, and lie one to a page
 * among the closed ones: listing an agent's open tickets from `tickets`
 * reads a page for nearly every row. Here they are side by side, a page or
 * two an epoch; so are all the tickets of one active status, and the whole
 * working set, which tk-ls shows when no status is asked for
 * (doc/STORE.md). ix_status has no entries for these statuses: this is
 * their index.
 *
 * Every write of a ticket keeps its copy here in step, in the same
 * transaction: written when the ticket is active, taken out when it no
 * longer is or its status or assignee changed; and with it its
 * assignee's count of tickets in the working set (agent_load, load.c).
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static size_t
put_part(unsigned char *p, const char *v, size_t n, size_t max)
{
	if (!n) {
		v = "";
		n = 1;
	} else if (n > max)
		n = max;
	memcpy(p, v, n);
	p[n] = '\0';
	return n + 1;
}

MDB_val
tk_active_prefix(unsigned epoch, tk_str status, const tk_str *a, unsigned char *buf)
{
	MDB_val k;

	buf[0] = (unsigned char)(epoch >> 8);
	buf[1] = (unsigned char)epoch;
	k.mv_size = 2 + put_part(buf + 2, status.p, status.n, TK_ACTIVE_MAXSTATUS);
	if (a)
		k.mv_size += put_part(buf + k.mv_size, a->p, a->n, TK_IX_MAXKEY);
	k.mv_data = buf;
	return k;
}

static MDB_val
active_key(tk_txn *t, uint64_t id, tk_str status, tk_str a, unsigned char *buf)
{
	MDB_val k = tk_active_prefix(tk_ix_epoch(t, TK_DB_ACTIVE, id), status, &a, buf);

	tk_put_u64(buf + k.mv_size, id);
	k.mv_size += 8;
	return k;
}

/* A batch's new copies, written sorted at its commit (tk_txn_flush):
 * each a key and a value, side by side in one buffer. */
typedef struct tk_actbatch {
	tk_buf b;
	struct acopy {
		size_t off;
		unsigned klen;
		size_t vlen;
	} *e;
	size_t n, cap;
} tk_actbatch;

static void *
batch_make(void)
{
	tk_actbatch *ab = tk_xmalloc(sizeof *ab);

	memset(ab, 0, sizeof *ab);
	return ab;
}

static void
batch_add(tk_actbatch *ab, MDB_val k, const void *enc, size_t n)
{
	if (ab->n == ab->cap)
		ab->e = tk_xrealloc(ab->e, (ab->cap = ab->cap ? 2 * ab->cap : 1024) * sizeof *ab->e);
	ab->e[ab->n].off = ab->b.len;
	ab->e[ab->n].klen = (unsigned)k.mv_size;
	ab->e[ab->n++].vlen = n;
	tk_buf_add(&ab->b, k.mv_data, k.mv_size);
	tk_buf_add(&ab->b, enc, n);
}

static int
cmp_copy(const void *a, const void *b, void *base)
{
	const struct acopy *x = a, *y = b;

	return tk_keycmp((char *)base + x->off, x->klen, (char *)base + y->off, y->klen);
}

static void batch_reset(void *state);

/* The assignee in a copy's key: after epoch and status, before the id;
 * empty when unset (stored as "\0"). */
static tk_str
key_assignee(const unsigned char *k, size_t n)
{
	const unsigned char *a = memchr(k + 2, '\0', n - 2) + 1;
	size_t len = (size_t)(k + n - 9 - a);

	return len == 1 && !a[0] ? (tk_str){ "", 0 } : (tk_str){ (const char *)a, len };
}

/* The batch's new copies counted in agent_load (load.c): sorted, an
 * assignee's copies of one epoch and status are a run, one update each. */
static int
batch_loads(tk_actbatch *ab, tk_txn *t)
{
	size_t i, run;
	tk_str a, next;
	int rc = 0;

	for (i = 0; i < ab->n && !rc; i += run) {
		a = key_assignee((unsigned char *)ab->b.p + ab->e[i].off, ab->e[i].klen);
		for (run = 1; i + run < ab->n; run++) {
			next = key_assignee((unsigned char *)ab->b.p + ab->e[i + run].off, ab->e[i + run].klen);
			if (!tk_str_same(a, next))
				break;
		}
		rc = tk_load_add(t, a.p, a.n, (long long)run);
	}
	return rc ? tk_mdb_error(rc, "agent_load") : 0;
}

static int
batch_write(void *state, tk_txn *t)
{
	tk_actbatch *ab = state;
	MDB_cursor *c;
	MDB_val k, v;
	tk_tail tl;
	size_t i;
	int rc;

	if (!ab || !ab->n)
		return 0;
	qsort_r(ab->e, ab->n, sizeof *ab->e, cmp_copy, ab->b.p);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_ACTIVE], &c)))
		return tk_mdb_error(rc, "active");
	for (i = 0, rc = tk_tail_start(&tl, c); i < ab->n && !rc; i++) {
		k.mv_size = ab->e[i].klen;
		k.mv_data = ab->b.p + ab->e[i].off;
		v.mv_size = ab->e[i].vlen;
		v.mv_data = ab->b.p + ab->e[i].off + ab->e[i].klen;
		rc = mdb_cursor_put(c, &k, &v, tk_tail_past(&tl, k.mv_data, k.mv_size) ? MDB_APPEND : 0);
	}
	mdb_cursor_close(c);
	if (rc) {
		batch_reset(ab);
		return tk_mdb_error(rc, "active");
	}
	rc = batch_loads(ab, t);
	batch_reset(ab);
	return rc;
}

static void
batch_reset(void *state)
{
	tk_actbatch *ab = state;

	ab->n = 0;
	ab->b.len = 0;
}

static void
batch_free(void *state)
{
	tk_actbatch *ab = state;

	tk_buf_free(&ab->b);
	free(ab->e);
	free(ab);
}

/* A bulk transaction's new copies, written sorted at its commit, after
 * the index batch (which registers first: a new ticket's index entries
 * are gathered before its copy). */
static const tk_batch_ops ops = { batch_make, batch_write, batch_reset, batch_free, NULL };

int
tk_active_write(tk_txn *t, uint64_t id, tk_str ostatus, tk_str oassignee, tk_str status, tk_str assignee,
    const void *enc, size_t n, int creating)
{
	unsigned char kb[TK_ACTIVE_KEYBUF];
	MDB_dbi db = t->st->dbi[TK_DB_ACTIVE];
	MDB_val k, v = { n, (void *)enc };
	int rc = 0, was = !creating && tk_active_status(ostatus), now = tk_active_status(status);
	int later = creating && t->bulk;	/* counted with the batch's copies */

	/* The assignees' loads (load.c): a ticket that stays with its
	 * assignee in the working set, or has none, moves no count. */
	if (!(was && now && tk_str_same(oassignee, assignee))) {
		if (was)
			rc = tk_load_add(t, oassignee.p, oassignee.n, -1);
		if (!rc && now && !later)
			rc = tk_load_add(t, assignee.p, assignee.n, 1);
		if (rc)
			return tk_mdb_error(rc, "agent_load");
	}
	if (was && (!now || !tk_str_same(ostatus, status) || !tk_str_same(oassignee, assignee))) {
		k = active_key(t, id, ostatus, oassignee, kb);
		if ((rc = mdb_del(t->txn, db, &k, NULL)) == MDB_NOTFOUND)
			rc = 0;
	}
	if (!rc && now) {
		k = active_key(t, id, status, assignee, kb);
		tk_actbatch *ab;

		if (creating && (ab = tk_txn_batch(t, &ops))) {	/* a batch: at its commit, sorted (and counted) */
			batch_add(ab, k, enc, n);
			return 0;
		}
		rc = mdb_put(t->txn, db, &k, &v, 0);
	}
	return rc ? tk_mdb_error(rc, "active") : 0;
}

int
tk_active_move(tk_txn *t, uint64_t id, tk_str status, tk_str assignee, const void *enc, size_t n, int in)
{
	unsigned char kb[TK_ACTIVE_KEYBUF];
	MDB_val k = active_key(t, id, status, assignee, kb), v = { n, (void *)enc };
	int rc;

	/* (its assignee's load, load.c, with it) */
	if ((rc = tk_load_add(t, assignee.p, assignee.n, in ? 1 : -1)))
		return tk_mdb_error(rc, "agent_load");
	rc = in ? mdb_put(t->txn, t->st->dbi[TK_DB_ACTIVE], &k, &v, 0) : mdb_del(t->txn, t->st->dbi[TK_DB_ACTIVE], &k, NULL);
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "active") : 0;
}

/*
 * active_ix: the working set's copies once more, under each value of a
 * custom field the store indexes (meta "indexed", ix_custom) and of org:
 *
 *   active_ix  name . NUL . value (cut at TK_IX_MAXKEY) . NUL . id
 *              -> encoded ticket (the same bytes as in tickets)
 *
 * tk-ls product=X200 shows the tickets not yet done whose product is
 * X200: ix_custom names every ticket of the value (9,901 of a million in
 * the benchmark), most of them done, each on a page of its own in
 * `tickets`; the working set holds the 559 that are active, but among
 * 54,000 others. Here they lie side by side, a few pages, read in one
 * pass. Kept in step by every write of a ticket, as `active` is: a copy
 * while the ticket is active and the field has a value.
 */
static MDB_val
aix_key(tk_str name, tk_str value, uint64_t id, int withid, unsigned char *buf)
{
	MDB_val k = tk_ix_custom_key(name, value, buf);
	unsigned char *p = buf + k.mv_size;

	*p = '\0';
	k.mv_size++;
	if (withid) {
		tk_put_u64(p + 1, id);
		k.mv_size += 8;
	}
	return k;
}

MDB_val
tk_active_ix_prefix(tk_str name, tk_str value, unsigned char *buf)
{
	return aix_key(name, value, 0, 0, buf);
}

/* tk's fields whose working set active_ix holds by value too: a
 * customer's open tickets (tk-ls org=initech) among everyone's. */
static const struct {
	int field;
	const char *name;	/* (its name: the field table is the model's, above) */
} covered[] = { { TK_F_ORG, "org" } };

int
tk_active_ix_covers(int field)
{
	size_t i;

	for (i = 0; i < sizeof covered / sizeof *covered; i++)
		if (covered[i].field == field)
			return 1;
	return 0;
}

int
tk_active_ix_write(tk_txn *t, uint64_t id, const tk_str *of, const tk_custom *oc, size_t noc, int was,
    const tk_str *nf, const tk_custom *nc, size_t nnc, int now, const void *enc, size_t n)
{
	unsigned char kb[TK_ACTIVE_IX_KEYBUF];
	MDB_dbi db = t->st->dbi[TK_DB_ACTIVE_IX];
	MDB_val k, v = { n, (void *)enc };
	size_t i;
	int rc = 0, f;

	if (!was && !now)
		return 0;
	for (i = 0; i < sizeof covered / sizeof *covered && !rc; i++) {
		f = covered[i].field;
		if (was && of && of[f].n && !(now && nf && tk_str_same(of[f], nf[f]))) {
			k = aix_key(TK_STR(covered[i].name), of[f], id, 1, kb);
			if ((rc = mdb_del(t->txn, db, &k, NULL)) == MDB_NOTFOUND)
				rc = 0;
		}
		if (!rc && now && nf && nf[f].n) {
			k = aix_key(TK_STR(covered[i].name), nf[f], id, 1, kb);
			rc = mdb_put(t->txn, db, &k, &v, 0);
		}
	}
	if (rc || !t->st->nindexed)
		return rc ? tk_mdb_error(rc, "active_ix") : 0;
	/* A copy whose key stays is written over below. */
	for (i = 0; was && i < noc && !rc; i++) {
		if (!oc[i].value.n || !tk_store_indexed(t->st, oc[i].name.p, oc[i].name.n) ||
		    (now && tk_str_same(tk_custom_value(nc, nnc, oc[i].name), oc[i].value)))
			continue;
		k = aix_key(oc[i].name, oc[i].value, id, 1, kb);
		if ((rc = mdb_del(t->txn, db, &k, NULL)) == MDB_NOTFOUND)
			rc = 0;
	}
	for (i = 0; now && i < nnc && !rc; i++) {
		if (!nc[i].value.n || !tk_store_indexed(t->st, nc[i].name.p, nc[i].name.n))
			continue;
		k = aix_key(nc[i].name, nc[i].value, id, 1, kb);
		rc = mdb_put(t->txn, db, &k, &v, 0);
	}
	return rc ? tk_mdb_error(rc, "active_ix") : 0;
}

int
tk_active_ix_drop(tk_txn *t, const char *name)
{
	unsigned char kb[TK_ACTIVE_IX_KEYBUF];
	MDB_val p = aix_key(TK_STR(name), (tk_str){ "", 0 }, 0, 0, kb), k, v;
	MDB_cursor *c;
	int rc;

	p.mv_size--;	/* name . NUL: every value's keys */
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_ACTIVE_IX], &c)))
		return tk_mdb_error(rc, "active_ix");
	for (;;) {	/* (sought again after each delete) */
		k = p;
		if ((rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE)) || k.mv_size < p.mv_size ||
		    memcmp(k.mv_data, p.mv_data, p.mv_size))
			break;
		if ((rc = mdb_cursor_del(c, 0)))
			break;
	}
	mdb_cursor_close(c);
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "active_ix") : 0;
}
