/*
 * confapply.c - a store's configuration files as the commands see them:
 * read when the store opens and made the model's hooks (tk_config_load),
 * compared with what the store keeps of them (its statuses and their
 * classes, meta "statuses"; the fields it indexes, meta "indexed"),
 * checked whole (tk-config check) and applied (tk-config apply).
 *
 * The store changes only here, in one logged transaction: a status whose
 * class moves between active (open, paused) and done (resolved, closed)
 * has its tickets moved between the working set (active) and ix_status
 * with the index entries the working set leaves out (as a change of
 * status moves one ticket, tk_ticket_reindex); a field newly indexed gets
 * ix_custom's entries of every ticket, one no longer indexed loses them.
 * While the files and the store disagree, writing commands refuse
 * (tk_config_load) and readers go on with what the store keeps.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tk.h"

/* ---- the model's hooks ---- */

static int
hook_value(int field, const char *name, const char *v, char *buf, tk_str *out)
{
	if (field == TK_F_TYPE)
		return tk_workflow_type(v, out);
	return tk_field_value(name, v, buf, out);
}

static int
hook_defaults(tk_ticket *tk)
{
	return tk_fields_defaults(tk);
}

static int
hook_check(const tk_str *old, const tk_custom *oldc, size_t noldc, const tk_ticket *tk, int flags)
{
	if (tk_fields_required(old, oldc, noldc, tk) < 0)
		return -1;
	/* (a merge closes its source whatever the flow: tk-link, TK_APPLY_LINK) */
	if (old && !(flags & (TK_APPLY_IMPORT | TK_APPLY_LINK)) && !tk_str_same(old[TK_F_STATUS], tk->f[TK_F_STATUS]))
		return tk_workflow_transition(old[TK_F_STATUS], tk);
	return 0;
}

static const tk_ticket_hooks hooks = { hook_value, hook_defaults, hook_check, tk_fields_kind, tk_field_check };

void
tk_config_install(void)
{
	tk_hooks = &hooks;
}

int
tk_assignments_validate(const tk_assignments *as)
{
	char buf[TK_VALUE_BUF];
	tk_str out;
	size_t i;

	for (i = 0; i < as->n; i++) {
		const tk_assign *a = &as->a[i];

		if (a->field == TK_F_STATUS && !tk_status_known(TK_STR(a->value)))
			return tk_error("status=%s: not a status (%s)", a->value, tk_status_words());
		if ((a->field == TK_F_CUSTOM || a->field == TK_F_TYPE) && *a->value &&
		    hook_value(a->field, a->name, a->value, buf, &out) < 0)
			return -2;
	}
	return 0;
}

/* ---- the files and the store ---- */

/* The fields the file indexes and those the store does: 0 when the same. */
static int
indexes_agree(const tk_store *st)
{
	const char **names;
	long *lines;
	size_t n = tk_fields_indexed(&names, &lines), i, j;

	for (i = 0; i < n; i++)
		if (!tk_store_indexed(st, names[i], strlen(names[i])))
			return tk_error("%s:%ld: field %s is indexed in the file, not yet in the store", tk_fields_path(),
			    lines[i], names[i]);
	for (i = 0; i < st->nindexed; i++) {
		for (j = 0; j < n && strcmp(names[j], st->indexed[i]); j++)
			;
		if (j == n)
			return tk_error("%s: field %s: the store indexes it, the file no longer says \"indexed\"",
			    tk_fields_path(), st->indexed[i]);
	}
	return 0;
}

int
tk_config_agrees(const tk_store *st)
{
	return tk_workflow_agrees() < 0 || indexes_agree(st) < 0 ? -1 : 0;
}

int
tk_config_read(const char *dir, tk_conf_errs *errs)
{
	int a = tk_fields_read(dir, errs), b;

	if (a < 0 && !errs)
		return -1;
	b = tk_workflow_read(dir, errs);
	return a < 0 || b < 0 ? -1 : 0;
}

static int apply_txn(tk_txn *t, void *arg);

void
tk_config_load(tk_store *st, int mode)
{
	int rc = tk_fields_load(st);
	char first[sizeof tk_errmsg];

	/* Both read, whatever the first says: a reader goes on with them. */
	snprintf(first, sizeof first, "%s", tk_errmsg);
	if (tk_workflow_read(st->dir, NULL) < 0 && !rc)
		rc = -1;
	else if (rc < 0)
		tk_error("%s", first);
	tk_config_install();
	if (mode == TK_OPEN_CONFIG || mode == TK_OPEN_CHECK)
		return;
	if (rc < 0) {
		if (mode != TK_OPEN_READ)
			tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
		/* A reader goes on with the store's statuses (and what it read
		 * of the fields file), and says so once. */
		tk_warn("%s (read on; writing commands refuse until it is mended)", tk_errmsg);
		return;
	}
	if (mode == TK_OPEN_READ)
		return;
	/* A store this command made takes its files as they are: it has no
	 * tickets to move. */
	if (st->created) {
		tk_buf report = { 0 };

		if ((rc = tk_store_write(st, apply_txn, &report)))
			tk_die(rc, "%s", tk_errmsg);
		tk_buf_free(&report);
		return;
	}
	if (tk_config_agrees(st) < 0)
		tk_die(TK_EXIT_DATA, "%s: the store keeps another configuration: run tk-config apply "
		    "(writing commands refuse until then)", tk_errmsg);
}

/* ---- tk-config apply ---- */

/* The store's statuses as meta keeps them, in txn t (not the installed
 * table: the transaction may be run again). */
static int
stored_statuses(tk_txn *t, tk_status_def *defs, size_t *n)
{
	MDB_val v;
	int rc = tk_meta_get(t, "statuses", &v);

	if (rc < 0)
		return -1;
	if (!rc) {
		tk_status_defaults(defs, n);
		return 0;
	}
	return tk_status_decode(v.mv_data, v.mv_size, defs, n);
}

static const tk_status_def *
find_def(const tk_status_def *defs, size_t n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (defs[i].len == len && !memcmp(defs[i].name, name, len))
			return &defs[i];
	return NULL;
}

/* The ids of a status's tickets: in the working set (active) or in ix_status. */
static int
status_ids(tk_txn *t, const tk_status_def *d, int active, tk_ids *ids)
{
	unsigned char kb[TK_ACTIVE_KEYBUF];
	MDB_cursor *c;
	MDB_val k, v, p;
	unsigned e, ne;
	size_t i;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[active ? TK_DB_ACTIVE : TK_DB_IX_STATUS], &c)))
		return tk_mdb_error(rc, active ? "active" : "ix_status");
	if (active) {
		ne = tk_ix_nepochs(t, TK_DB_ACTIVE);
		for (e = 0, rc = 0; e < ne && (!rc || rc == MDB_NOTFOUND); e++) {
			p = tk_active_prefix(e, (tk_str){ d->name, d->len }, NULL, kb);
			k = p;
			for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
				if (k.mv_size < p.mv_size + 8 || memcmp(k.mv_data, p.mv_data, p.mv_size))
					break;
				tk_ids_add(ids, tk_get_u64((unsigned char *)k.mv_data + k.mv_size - 8));
			}
		}
	} else {
		k.mv_size = d->len;
		k.mv_data = (void *)d->name;
		for (rc = tk_ix_first(c, TK_DB_IX_STATUS, k, &v); rc == 0; rc = tk_ix_next(c, TK_DB_IX_STATUS, k, &v))
			for (i = 0; i < v.mv_size / 8; i++)
				tk_ids_add(ids, tk_get_u64((unsigned char *)v.mv_data + 8 * i));
	}
	mdb_cursor_close(c);
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, active ? "active" : "ix_status") : 0;
}

/* A status's tickets moved into the working set (in) or out of it, with
 * the index entries it holds instead of the indexes (tk_ticket_reindex).
 * Returns how many, or -1. */
static long
move_status(tk_txn *t, const tk_status_def *d, int in)
{
	tk_ids ids = { 0 };
	tk_ticket tk;
	size_t i;
	int rc = 0;

	if (status_ids(t, d, !in, &ids) < 0)
		return -1;
	tk_ticket_init(&tk);
	for (i = 0; i < ids.n && !rc; i++) {
		if ((rc = tk_ticket_get(t, ids.v[i], &tk, 1)) <= 0) {
			rc = rc ? -1 : tk_error("ticket %llu: in the %s of status %s, but no such ticket (tk-check)",
			    (unsigned long long)ids.v[i], in ? "index" : "working set", d->name);
			break;
		}
		/* The working set first when leaving it, the indexes first when coming in. */
		rc = in ? tk_ticket_reindex(t, &tk, tk.f, 0, 1) : tk_active_move(t, tk.id, tk.f[TK_F_STATUS],
		    tk.f[TK_F_ASSIGNEE], NULL, 0, 0);
		if (!rc)
			rc = in ? tk_active_move(t, tk.id, tk.f[TK_F_STATUS], tk.f[TK_F_ASSIGNEE], tk.rec.p, tk.rec.n, 1) :
			    tk_ticket_reindex(t, &tk, tk.f, 1, 0);
		/* (its copies under its indexed custom fields with it, active.c) */
		if (!rc)
			rc = in ? tk_active_ix_write(t, tk.id, NULL, NULL, 0, 0, tk.f, tk.custom, tk.ncustom, 1, tk.rec.p,
			    tk.rec.n) : tk_active_ix_write(t, tk.id, tk.f, tk.custom, tk.ncustom, 1, NULL, NULL, 0, 0, NULL, 0);
	}
	tk_ticket_free(&tk);
	tk_ids_free(&ids);
	return rc < 0 ? -1 : (long)i;
}

static void
report_line(tk_buf *r, const char *kind, const char *name, const char *old, const char *new, long n)
{
	tk_str f[5];
	char num[24];

	snprintf(num, sizeof num, "%ld", n);
	f[0] = TK_STR(kind);
	f[1] = TK_STR(name);
	f[2] = TK_STR(old);
	f[3] = TK_STR(new);
	f[4] = TK_STR(num);
	{
		size_t i;

		for (i = 0; i < 5; i++) {
			if (i)
				tk_buf_addc(r, '\t');
			tk_rec_escape(r, f[i].p, f[i].n);
		}
		tk_buf_addc(r, '\n');
	}
}

/* An event about the store's configuration (DESIGN.md 3: ticket 0 and a
 * typed key): config:workflow for a status, config:fields for an index. */
static int
log_change(tk_txn *t, const char *field, const char *old, const char *new)
{
	return tk_log_append_key(t, !strcmp(field, "index") ? "config:fields" : "config:workflow", field, TK_STR(old),
	    TK_STR(new));
}

/* The workflow's statuses into the store: moved tickets, meta, events. */
static int
apply_statuses(tk_txn *t, tk_buf *report)
{
	tk_status_def old[TK_STATUS_MAX], new[TK_STATUS_MAX];
	const tk_status_def *file, *o, *d;
	const long *lines;
	size_t nold, nfile = tk_workflow_statuses(&file, &lines), nnew = 0, i;
	char was[2 * TK_ACTIVE_MAXSTATUS + 32], now[2 * TK_ACTIVE_MAXSTATUS + 32];
	int changed = 0;
	long moved;

	if (stored_statuses(t, old, &nold) < 0)
		return -1;
	for (i = 0; i < nfile; i++)
		new[nnew++] = file[i];
	/* A status the file no longer has is kept, dropped, with its class:
	 * tickets may hold it (tk-config check --tickets lists them). */
	for (i = 0; i < nold; i++)
		if (!find_def(file, nfile, old[i].name, old[i].len) && nnew < TK_STATUS_MAX) {
			new[nnew] = old[i];
			new[nnew++].dropped = 1;
		}
	for (i = 0; i < nnew; i++) {
		d = &new[i];
		o = find_def(old, nold, d->name, d->len);
		snprintf(was, sizeof was, "%.*s %s%s", o ? (int)d->len : 0, d->name, o ? tk_class_name(o->cls) : "",
		    o && o->dropped ? " dropped" : "");
		snprintf(now, sizeof now, "%.*s %s%s", (int)d->len, d->name, tk_class_name(d->cls),
		    d->dropped ? " dropped" : "");
		if (o && o->cls == d->cls && o->dropped == d->dropped)
			continue;
		changed = 1;
		moved = 0;
		if (o && tk_class_active(o->cls) != tk_class_active(d->cls) &&
		    (moved = move_status(t, d, tk_class_active(d->cls))) < 0)
			return -1;
		if (log_change(t, "workflow", o ? was : "", now) < 0)
			return -1;
		report_line(report, "status", d->name, o ? tk_class_name(o->cls) : "",
		    d->dropped ? "dropped" : tk_class_name(d->cls), moved);
	}
	/* The order (the first is a new ticket's). */
	{
		tk_buf a = { 0 }, b = { 0 };

		for (i = 0; i < nold; i++)
			if (!old[i].dropped)
				tk_buf_printf(&a, "%s%s", a.len ? "," : "", old[i].name);
		for (i = 0; i < nnew; i++)
			if (!new[i].dropped)
				tk_buf_printf(&b, "%s%s", b.len ? "," : "", new[i].name);
		if (!changed && strcmp(a.p ? a.p : "", b.p ? b.p : "")) {
			changed = 1;
			if (log_change(t, "workflow", a.p, b.p) < 0) {
				tk_buf_free(&a);
				tk_buf_free(&b);
				return -1;
			}
			report_line(report, "order", "", a.p, b.p, 0);
		}
		tk_buf_free(&a);
		tk_buf_free(&b);
	}
	if (changed && tk_store_set_statuses(t, new, nnew) < 0)
		return -1;
	return 0;
}

static int
in_list(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

/* ix_custom's entries of every ticket for the fields in add, and none
 * for those in drop. counts[i]: the tickets of add[i]. */
static int
build_indexes(tk_txn *t, const char *const *add, size_t nadd, const char *const *drop, size_t ndrop, long *counts)
{
	unsigned char kb[TK_IX_CUSTOM_KEYBUF];
	MDB_cursor *c = NULL, *ix = NULL;
	MDB_val k, v, p;
	tk_ticket tk;
	size_t i, j;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IX_CUSTOM], &ix)))
		return tk_mdb_error(rc, "ix_custom");
	for (i = 0; i < ndrop && !rc; i++) {
		if (tk_active_ix_drop(t, drop[i]) < 0) {
			mdb_cursor_close(ix);
			return -1;
		}
		p = tk_ix_custom_key(TK_STR(drop[i]), (tk_str){ "", 0 }, kb);
		/* (sought again after each key: a cursor may have no current item) */
		for (;;) {
			k = p;
			if ((rc = mdb_cursor_get(ix, &k, &v, MDB_SET_RANGE)) || k.mv_size < p.mv_size ||
			    memcmp(k.mv_data, p.mv_data, p.mv_size))
				break;
			if ((rc = mdb_cursor_del(ix, MDB_NODUPDATA)))
				break;
		}
		if (rc == MDB_NOTFOUND)
			rc = 0;
	}
	if (rc || !nadd) {
		mdb_cursor_close(ix);
		return rc ? tk_mdb_error(rc, "ix_custom") : 0;
	}
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_TICKETS], &c))) {
		mdb_cursor_close(ix);
		return tk_mdb_error(rc, "tickets");
	}
	tk_ticket_init(&tk);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		tk.id = tk_get_u64(k.mv_data);
		if (tk_ticket_decode(&tk, v.mv_data, v.mv_size) < 0) {
			rc = -1;
			break;
		}
		for (i = 0; i < tk.ncustom && !rc; i++) {
			if (!tk.custom[i].value.n)
				continue;
			for (j = 0; j < nadd; j++)
				if (tk_str_eq(tk.custom[i].name, add[j]))
					break;
			if (j == nadd)
				continue;
			p = tk_ix_custom_key(tk.custom[i].name, tk.custom[i].value, kb);
			rc = tk_ix_add(ix, TK_DB_IX_CUSTOM, p, tk.id);
			counts[j]++;
			/* an active ticket's copy under the value (the store
			 * indexes the field already: apply_indexes) */
			if (!rc && tk_active_status(tk.f[TK_F_STATUS]) &&
			    tk_active_ix_write(t, tk.id, NULL, NULL, 0, 0, NULL, &tk.custom[i], 1, 1, v.mv_data, v.mv_size) < 0)
				rc = -1;
		}
		if (rc)
			break;
	}
	tk_ticket_free(&tk);
	mdb_cursor_close(c);
	mdb_cursor_close(ix);
	if (rc == -1)
		return -1;
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "ix_custom") : 0;
}

static int
apply_indexes(tk_txn *t, tk_buf *report)
{
	const char **want, **add, **drop;
	char **stored = NULL;
	long *lines, *counts;
	size_t nwant = tk_fields_indexed(&want, &lines), nstored = 0, nadd = 0, ndrop = 0, i;
	const char *p, *end, *nl;
	MDB_val v;
	int rc;

	if ((rc = tk_meta_get(t, "indexed", &v)) < 0)
		return -1;
	for (p = rc ? v.mv_data : "", end = p + (rc ? v.mv_size : 0); p < end; p = nl + 1) {
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			nl = end;
		stored = tk_xrealloc(stored, (nstored + 1) * sizeof *stored);
		stored[nstored++] = tk_xstrndup(p, (size_t)(nl - p));
	}
	add = tk_xmalloc((nwant + 1) * sizeof *add);
	drop = tk_xmalloc((nstored + 1) * sizeof *drop);
	counts = tk_xmalloc((nwant + 1) * sizeof *counts);
	for (i = 0; i < nwant; i++)
		if (!in_list((const char *const *)stored, nstored, want[i])) {
			counts[nadd] = 0;
			add[nadd++] = want[i];
		}
	for (i = 0; i < nstored; i++)
		if (!in_list(want, nwant, stored[i]))
			drop[ndrop++] = stored[i];
	rc = 0;
	if (nadd || ndrop) {
		/* (meta first: the working set's copies follow the fields the
		 * store indexes, active.c) */
		rc = tk_store_set_indexed(t, (char **)want, nwant);
		if (!rc)
			rc = build_indexes(t, add, nadd, drop, ndrop, counts);
		for (i = 0; i < ndrop && !rc; i++) {
			rc = log_change(t, "index", drop[i], "");
			report_line(report, "index", drop[i], "indexed", "", 0);
		}
		for (i = 0; i < nadd && !rc; i++) {
			rc = log_change(t, "index", "", add[i]);
			report_line(report, "index", add[i], "", "indexed", counts[i]);
		}
	}
	for (i = 0; i < nstored; i++)
		free(stored[i]);
	free(stored);
	free(add);
	free(drop);
	free(counts);
	return rc < 0 ? -1 : 0;
}

static int
apply_txn(tk_txn *t, void *arg)
{
	tk_buf *report = arg;

	report->len = 0;
	t->via = "config";
	if (apply_statuses(t, report) < 0 || apply_indexes(t, report) < 0)
		return TK_EXIT_FAIL;
	return 0;
}

int
tk_config_apply(tk_store *st, tk_buf *report)
{
	tk_status_def keep[TK_STATUS_MAX];
	size_t nkeep = tk_status_count(), i;
	int rc;

	for (i = 0; i < nkeep; i++)
		keep[i] = *tk_status_at(i);
	rc = tk_store_write(st, apply_txn, report);
	if (rc) {
		tk_status_install(keep, nkeep);	/* what the store still keeps */
		return rc;
	}
	return 0;
}

/* ---- tk-config check ---- */

int
tk_config_check_files(const char *dir, tk_store *st, tk_txn *t, tk_conf_errs *errs)
{
	tk_rules *rules;
	tk_calendars *cals = NULL;
	tk_sla *sla = NULL;
	int missing;

	/* config and rules: their own readers' (settings.c, route.c), which
	 * stop at their first error (rules: warned about, each one). */
	if (!tk_settings_get(dir)) {
		tk_buf_printf(&errs->msgs, "%s\n", tk_errmsg);
		errs->n++;
	}
	tk_config_read(dir, errs);
	if ((rules = tk_rules_load(st, t, dir, NULL, 0, &missing)))
		tk_rules_free(rules);
	else if (!missing) {
		tk_buf_printf(&errs->msgs, "%s\n", tk_errmsg);
		errs->n++;
	}
	/* calendars and sla: their readers' (calendar.c, sla.c), the first
	 * error of each; the sla file is read only with good calendars. */
	if (tk_calendars_read(&cals, dir, "calendars") < 0) {
		tk_buf_printf(&errs->msgs, "%s\n", tk_errmsg);
		errs->n++;
	} else if (tk_sla_read(&sla, dir, NULL) < 0) {
		tk_buf_printf(&errs->msgs, "%s\n", tk_errmsg);
		errs->n++;
	}
	tk_calendars_free(cals);
	tk_sla_free(sla);
	return errs->n ? -1 : 0;
}

struct tcheck {
	tk_output *out;
	long problems;
};

static int ticket_problem(const tk_ticket *tk, const char *field, tk_str value, const char *why, void *arg);

/* A custom value under a name that became one of tk's fields, which the
 * upgrade (upgrade.c, schema 16) did not move: no name reaches it. */
static void
builtin_problems(const tk_ticket *tk, void *tc)
{
	char name[80], why[256];
	size_t i;
	int f;

	for (i = 0; i < tk->ncustom; i++) {
		if (!tk->custom[i].value.n || tk->custom[i].name.n >= sizeof name ||
		    (f = tk_field_lookup_n(tk->custom[i].name.p, tk->custom[i].name.n)) == TK_F_CUSTOM)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)tk->custom[i].name.n, tk->custom[i].name.p);
		snprintf(why, sizeof why, "a custom value from before %s was one of tk's fields, not moved into it: %s", name,
		    tk->f[f].n ? "the field has a value of its own" :
		    f == TK_F_MERGED_INTO || f == TK_F_DUPLICATE_OF || f == TK_F_RELATED ? "links are made with tk-link" :
		    f == TK_F_CONTACT || f == TK_F_ORG || f == TK_F_TIER ? "the customer directory sets it (tk-contact, tk-org)" :
		    f == TK_F_SLA_DUE || f == TK_F_DUE_RESPONSE || f == TK_F_DUE_UPDATE || f == TK_F_DUE_RESOLUTION ?
		    "the SLA's policies set it (tk-sla)" : "not a value the field takes");
		ticket_problem(tk, name, tk->custom[i].value, why, tc);
	}
}

static int
ticket_problem(const tk_ticket *tk, const char *field, tk_str value, const char *why, void *arg)
{
	struct tcheck *tc = arg;
	char id[24];
	tk_str f[4];

	snprintf(id, sizeof id, "%llu", (unsigned long long)tk->id);
	f[0] = TK_STR(id);
	f[1] = TK_STR(field);
	f[2] = value;
	f[3] = TK_STR(why);
	tk_output_row(tc->out, f, NULL);
	tc->problems++;
	return 0;
}

long
tk_config_check_tickets(tk_txn *t, tk_output *out)
{
	struct tcheck tc = { out, 0 };
	const tk_status_def *file;
	const char *const *types;
	const long *lines;
	size_t nfile = tk_workflow_statuses(&file, &lines), ntypes = tk_workflow_types(&types);
	MDB_cursor *c;
	MDB_val k, v;
	tk_ticket tk;
	char why[256];
	tk_str out1;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_TICKETS], &c)))
		return tk_mdb_error(rc, "tickets");
	tk_ticket_init(&tk);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		tk.id = tk_get_u64(k.mv_data);
		if (tk_ticket_decode(&tk, v.mv_data, v.mv_size) < 0) {
			rc = -1;
			break;
		}
		if (!find_def(file, nfile, tk.f[TK_F_STATUS].p, tk.f[TK_F_STATUS].n)) {
			snprintf(why, sizeof why, "status %.*s: not a status of the workflow (%s)",
			    (int)tk.f[TK_F_STATUS].n, tk.f[TK_F_STATUS].p, tk_workflow_present() ?
			    "the file dropped it" : "tk's default workflow has none such");
			ticket_problem(&tk, "status", tk.f[TK_F_STATUS], why, &tc);
		}
		if (ntypes && tk.f[TK_F_TYPE].n) {
			char *ty = tk_xstrndup(tk.f[TK_F_TYPE].p, tk.f[TK_F_TYPE].n);

			if (tk_workflow_type(ty, &out1) < 0)
				ticket_problem(&tk, "type", tk.f[TK_F_TYPE], tk_errmsg, &tc);
			free(ty);
		}
		tk_fields_ticket_problems(&tk, ticket_problem, &tc);
		builtin_problems(&tk, &tc);
		if (tc.problems && tc.problems % 4096 == 0)
			tk_flush_stdout();
	}
	tk_ticket_free(&tk);
	mdb_cursor_close(c);
	if (rc == -1)
		return -1;
	if (rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "tickets");
	return tc.problems;
}
