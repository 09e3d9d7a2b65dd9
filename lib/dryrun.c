/*
 * dryrun.c - the dry-run stream between --dry-run steps of a pipe
 * (DESIGN.md 11): what tk-route, tk-assign and later steps would have done,
 * with nothing written, handed to the next step.
 *
 * A stream is a line "#dry-run", then a header line naming every column
 * ("#id<TAB>created<TAB>..."), then one record per ticket, written by
 * output.c's record writer. The columns are the ticket's id, every stored
 * field (tk_fields up to TK_F_NSTORED), then every custom field the store
 * knows (declared in its fields file, or holding values), in name order.
 * The body is not carried: no --dry-run step changes it, and a reader that
 * needs it reads it from the store.
 *
 * A reader given a stream takes each ticket's fields from its record
 * rather than from the store: the one place a stream's columns are trusted,
 * since nothing was written. Given plain ids (any records whose first field
 * is an id) it yields the ids only. A command run without --dry-run refuses
 * a stream (ids.c, tk_ids_read).
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

/* The custom field names of the store, declared or registered, sorted, each once. */
static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
tk_dryrun_columns(tk_txn *t, tk_buf *cols)
{
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	for (i = 0; i < t->st->ndeclared; i++) {
		if (n == cap)
			names = tk_xrealloc(names, (cap = cap ? 2 * cap : 16) * sizeof *names);
		names[n++] = tk_xstrdup(t->st->declared[i]);
	}
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_FIELDS], &c))) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return tk_mdb_error(rc, "fields");
	}
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (n == cap)
			names = tk_xrealloc(names, (cap = cap ? 2 * cap : 16) * sizeof *names);
		names[n++] = tk_xstrndup(k.mv_data, k.mv_size);
	}
	mdb_cursor_close(c);
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_name);
	tk_buf_adds(cols, "id");
	for (i = 1; i < TK_F_NSTORED; i++)
		tk_buf_printf(cols, ",%s", tk_fields[i].name);
	for (i = 0; i < n; i++)
		/* (A name tk made a built-in since it was registered is a column already.) */
		if ((!i || strcmp(names[i], names[i - 1])) && tk_field_lookup(names[i]) == TK_F_CUSTOM &&
		    tk_field_name_ok(names[i]))
			tk_buf_printf(cols, ",%s", names[i]);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc == MDB_NOTFOUND ? 0 : tk_mdb_error(rc, "fields");
}

int
tk_dryrun_start(tk_output *o, tk_txn *t)
{
	tk_buf cols = { 0 };
	tk_str mark = TK_STR("#dry-run");
	int rc;

	if (tk_dryrun_columns(t, &cols) < 0) {
		tk_buf_free(&cols);
		return -1;
	}
	rc = tk_output_init(o, TK_FMT_TSV, tk_buf_cstr(&cols), 1);
	tk_buf_free(&cols);
	if (rc < 0)
		return -1;
	tk_write_record(stdout, &mark, 1);
	return 0;
}

/* ---- the reader ---- */

struct tk_dryin {
	tk_reader r;
	int stream;		/* the input is a dry-run stream */
	int started;		/* its first line has been read */
	int pending;		/* a record read ahead (the first) is yet to be handed out */
	int *cf;		/* the stream's columns: field number, or TK_F_CUSTOM */
	char **cname;
	size_t ncols;
	int idcol;
	uint64_t *seen;		/* ids handed out, an open-addressing set (0 empty) */
	size_t nseen, seencap;
};

static void
free_cols(tk_dryin *d)
{
	size_t i;

	for (i = 0; i < d->ncols; i++)
		free(d->cname[i]);
	free(d->cname);
	free(d->cf);
	d->cname = NULL;
	d->cf = NULL;
	d->ncols = 0;
	d->idcol = -1;
}

/* The header of a stream: the columns of the records after it. */
static int
read_columns(tk_dryin *d)
{
	tk_reader *r = &d->r;
	size_t i;

	free_cols(d);
	d->cf = tk_xmalloc(r->nfields * sizeof *d->cf);
	d->cname = tk_xmalloc(r->nfields * sizeof *d->cname);
	for (i = 0; i < r->nfields; i++) {
		d->cname[i] = tk_xstrdup(r->fields[i]);
		tk_field_name_lower(d->cname[i]);
		d->cf[i] = tk_field_lookup(d->cname[i]);
		d->ncols++;
		if (d->cf[i] == TK_F_ID)
			d->idcol = (int)i;
		else if (d->cf[i] == TK_F_CUSTOM && !tk_field_name_ok(d->cname[i]))
			return tk_error("%s:%ld: %s: not a field name", r->name, r->lineno, d->cname[i]);
	}
	if (d->idcol < 0)
		return tk_error("%s:%ld: a dry-run stream's header names no id column", r->name, r->lineno);
	return 0;
}

tk_dryin *
tk_dryin_open(FILE *fp, const char *name)
{
	tk_dryin *d = tk_xmalloc(sizeof *d);

	memset(d, 0, sizeof *d);
	d->idcol = -1;
	tk_reader_init(&d->r, fp, name);
	return d;
}

/* 1 when the record read last is the line "#dry-run". */
static int
is_mark(const tk_reader *r)
{
	return r->header && r->nfields == 1 && !strcmp(r->fields[0], "dry-run");
}

int
tk_dryin_stream(tk_dryin *d)
{
	int rc;

	if (d->started)
		return d->stream;
	d->started = 1;
	/* The first line that is not empty says what the input is. */
	while ((rc = tk_reader_next(&d->r)) == 1 && !d->r.header && d->r.nfields == 1 && !d->r.lens[0])
		;
	if (rc == 1 && is_mark(&d->r))
		d->stream = 1;
	else
		d->pending = rc;	/* a record, a bad line, or a header: handed out as usual */
	return d->stream;
}

/* Adds id to the set of ids handed out: 1 when it was new. */
static int
seen_add(tk_dryin *d, uint64_t id)
{
	size_t i, mask;

	if (2 * (d->nseen + 1) > d->seencap) {
		uint64_t *old = d->seen;
		size_t oldcap = d->seencap;

		d->seencap = d->seencap ? 2 * d->seencap : 1024;
		d->seen = tk_xmalloc(d->seencap * sizeof *d->seen);
		memset(d->seen, 0, d->seencap * sizeof *d->seen);
		d->nseen = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i])
				seen_add(d, old[i]);
		free(old);
	}
	mask = d->seencap - 1;
	for (i = (size_t)(id * 0x9e3779b97f4a7c15ULL >> 20) & mask; d->seen[i]; i = (i + 1) & mask)
		if (d->seen[i] == id)
			return 0;
	d->seen[i] = id;
	d->nseen++;
	return 1;
}

/* A typed id (c123, kb7): a record about something else (DESIGN.md 4). */
static int
typed_id(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] >= 'a' && s[i] <= 'z')
		i++;
	if (!i || i > 4 || i == n)
		return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The record read last, as a ticket of the stream. */
static int
stream_ticket(tk_dryin *d, tk_ticket *tk)
{
	tk_reader *r = &d->r;
	size_t i;

	if (r->nfields != d->ncols)
		return tk_error("%s:%ld: %zu fields, the dry-run header names %zu", r->name, r->lineno, r->nfields,
		    d->ncols);
	for (i = 0; i < d->ncols; i++) {
		int f = d->cf[i];

		if (f == TK_F_ID || !r->lens[i])
			continue;
		if (f == TK_F_CUSTOM) {
			tk_custom *c = tk_ticket_custom_slot(tk, d->cname[i], strlen(d->cname[i]));

			c->value = tk_ticket_own(tk, r->fields[i], r->lens[i]);
		} else if (f > 0 && f < TK_F_NSTORED)
			tk->f[f] = tk_ticket_own(tk, r->fields[i], r->lens[i]);
		/* (derived columns, and a body, are the store's: left out) */
	}
	return 0;
}

int
tk_dryin_next(tk_dryin *d, uint64_t *id, tk_ticket *tk)
{
	tk_reader *r = &d->r;
	int rc;

	tk_dryin_stream(d);
	for (;;) {
		if (d->pending) {
			rc = d->pending;
			d->pending = 0;
		} else
			rc = tk_reader_next(r);
		if (rc == 0)
			return 0;
		if (rc < 0) {
			tk_error("%s:%ld: %s", r->name, r->lineno, tk_errmsg);
			return -1;
		}
		if (r->header) {
			/* Streams one after another (cat a b): each has its header. */
			if (is_mark(r)) {
				d->stream = 1;
				free_cols(d);
				continue;
			}
			if (d->stream && read_columns(d) < 0)
				return -1;
			continue;
		}
		if (r->nfields == 1 && !r->lens[0])
			continue;
		if (d->stream && d->idcol < 0)
			return tk_error("%s:%ld: a dry-run stream without its header line", r->name, r->lineno);
		{
			size_t c = d->stream ? (size_t)d->idcol : 0;

			if (c >= r->nfields)
				return tk_error("%s:%ld: no id column", r->name, r->lineno);
			if (typed_id(r->fields[c], r->lens[c])) {
				tk_warn("%s:%ld: %s: not a ticket, skipped", r->name, r->lineno, r->fields[c]);
				continue;
			}
			if (tk_id_parse(r->fields[c], r->lens[c], id) < 0)
				return tk_error("%s:%ld: %s: not a ticket id", r->name, r->lineno, r->fields[c]);
		}
		/* Each ticket once, where it came first (DESIGN.md 4). */
		if (!seen_add(d, *id))
			continue;
		if (d->stream) {
			tk_ticket_free(tk);
			tk_ticket_init(tk);
			tk->id = *id;
			if (stream_ticket(d, tk) < 0)
				return -1;
		}
		return 1;
	}
}

long
tk_dryin_lineno(const tk_dryin *d)
{
	return d->r.lineno;
}

void
tk_dryin_close(tk_dryin *d)
{
	if (!d)
		return;
	free_cols(d);
	free(d->seen);
	tk_reader_free(&d->r);
	free(d);
}
