/* tk-import - bulk import of CSV (libcsv), tk records or JSON lines, idempotent on external id. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk-import [-qu] [--atomic] [--strict] [--new-fields] [--lookup] [--route]\n"
    "                 [--format csv | tsv | json] [-F delimiter] [--encoding name] [--preset name]\n"
    "                 [-m 'Column=field,...'] [--rejects file] [-d dir] file ... | -\n"
    "\n"
    "Makes or updates one ticket a row of each file (- is standard input): CSV\n"
    "exports of other help desks, or tk's own records and JSON lines.\n"
    "\n"
    "Input:\n"
    "--format csv | tsv | json\tthe format; CSV unless the name ends in .tsv or .json\n"
    "-F, --delimiter delimiter\tthe CSV delimiter; else guessed from the header\n"
    "--encoding name\tconvert from this encoding (GBK, BIG5, ...)\n"
    "--preset name\tosticket, zendesk, jira, rt or github columns\n"
    "-m, --map 'Column=field,...'\tmap columns to fields; =- leaves one out\n"
    "--strict\trefuse a column that is not a field or mapped\n"
    "--new-fields\tdeclare the columns no field or mapping names\n"
    "Writing:\n"
    "-u, --update\tapply changed rows to their tickets\n"
    "--atomic\tall rows or none, in one transaction\n"
    "--lookup\trun the contact-lookup program for new requesters\n"
    "--rejects file\twrite the rejected rows there, with reasons\n"
    "--route\trun the store's rules file on the tickets made\n"
    "Other:\n"
    "-q, --quiet\tno summary and no progress\n"
    "-d, --dir dir\tthe store (else $TK_DIR)\n"
    TK_COMMON_HELP;

#define BATCH 5000

enum { R_NONE, R_CREATED, R_UPDATED, R_UNCHANGED, R_REJECTED, R_MERGED };

struct row {
	long lineno;
	tk_improw r;
	int result;
	char *why;
	int refused;		/* while reading: why says why */
	/* a new ticket as stored, made while reading, in the batch's enc;
	 * prep_err says why none could be made (the row may still be known) */
	size_t enc, enclen;
	char *prep_err;
	int unprepared;		/* left to the writer */
	/* the row's fields as read, for --rejects: kept for rows refused
	 * while reading, rows whose values tk refuses, and every row when
	 * --rejects is given (only the writer finds a row changed) */
	tk_str *orig;
	size_t norig;
	char *origdata;
};

enum { F_GUESS, F_CSV, F_TSV, F_JSON };

struct opts {
	int atomic, update, quiet, strict, new_fields, format, delim, progress, lookup;
	int preloaded;		/* the store's requesters known at the start (contact.c) */
	const char *encoding, *preset, *mapping, *rejects;
	FILE *rejfp;
	tk_rules *rules;	/* routing of the tickets made, or NULL */
};

struct counts {
	long read, created, updated, unchanged, rejected, merged;
};

struct batch {
	struct row *rows;
	size_t n, cap;
	size_t inited;		/* rows ever used: each keeps its assignments' array */
	size_t bytes;		/* the rows' fields, read so far */
	tk_arena arena;		/* the rows' values, until the batch is written */
	const struct opts *o;
	const tk_import *im;	/* --new-fields: its columns are declared with the batch */
	long created, updated, unchanged, rejected, merged;
	/* where the input is after the batch's last row, and whether a mark
	 * saying "all before here is in" goes in with the batch */
	tk_mark mark;
	int mark_ok, write_mark;
	uint64_t header;
	tk_buf enc;
	time_t now;		/* the time its tickets are made */
	char now_iso[21];
};

/*
 * The ticket imported before under this external id (made earlier in this
 * batch, or found by ix_external_id) and the hash of the row it came from
 * (0 for a ticket tk-import did not make): 1 found, 0 not, -1 error.
 */
static int
lookup(tk_txn *t, MDB_cursor *c, const char *ext, uint64_t *id, uint64_t *hash)
{
	unsigned char kb[TK_IX_KEYBUF];
	size_t n = strlen(ext);
	MDB_val want = tk_ix_key(TK_DB_IX_EXTERNAL, ext, n, 0, kb), k = want, v;
	tk_ixbatch *b = tk_ixbatch_of(t);
	int rc, found = 0;

	/* A key cut short may be another id's: write what is pending, and let
	 * the tickets tell (below). */
	if (b && n > TK_IX_MAXKEY && tk_txn_flush(t) < 0)
		return -1;
	if (b && tk_ixbatch_find(b, TK_DB_IX_EXTERNAL, k.mv_data, k.mv_size, id))
		found = 1;
	else {
		/* SET_RANGE keeps the cursor on its page: the next row's external
		 * id, often the next key, is found without a search from the root. */
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		if (rc == 0 && (k.mv_size != want.mv_size || memcmp(k.mv_data, want.mv_data, k.mv_size)))
			rc = MDB_NOTFOUND;
		for (; rc == 0 && !found; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
			tk_ticket tk;

			*id = tk_get_u64(v.mv_data);
			if (n <= TK_IX_MAXKEY) {
				found = 1;
				break;
			}
			/* A cut key: the ticket says whether it is this one. */
			tk_ticket_init(&tk);
			if (tk_ticket_get(t, *id, &tk, 0) > 0 && tk.f[TK_F_EXTERNAL_ID].n == n &&
			    !memcmp(tk.f[TK_F_EXTERNAL_ID].p, ext, n))
				found = 1;
			tk_ticket_free(&tk);
		}
		if (rc && rc != MDB_NOTFOUND)
			return tk_mdb_error(rc, "ix_external_id");
	}
	if (!found)
		return 0;
	*hash = 0;
	if ((rc = tk_get_id(t, TK_DB_IMPORT_HASH, *id, &v)) < 0)
		return -1;
	if (rc && v.mv_size == 8)
		*hash = tk_get_u64(v.mv_data);
	return 1;
}

static int
remember(tk_txn *t, uint64_t id, uint64_t hash, int created)
{
	unsigned char kb[8], vb[8];
	MDB_val k = { 8, kb }, v = { 8, vb };
	int rc;

	tk_put_u64(kb, id);
	tk_put_u64(vb, hash);
	rc = created ? tk_append(t, TK_DB_IMPORT_HASH, &k, &v) : mdb_put(t->txn, t->st->dbi[TK_DB_IMPORT_HASH], &k, &v, 0);
	return rc ? tk_mdb_error(rc, "import_hash") : 0;
}

/* One row in the transaction: 0 done (result set), -1 a store failure. */
static int
import_row(tk_txn *t, MDB_cursor *ext, struct batch *b, struct row *w)
{
	tk_improw *r = &w->r;
	uint64_t id = 0, hash = 0;
	tk_ticket tk;
	size_t i;
	int rc, got = 0;

	/* A row with no external id: its hash finds the ticket made from it,
	 * which it then is unchanged from. */
	if (r->external)
		rc = lookup(t, ext, r->external, &id, &hash);
	else if ((rc = tk_import_row_get(t, r->hash, &id)) > 0)
		hash = r->hash;
	if (rc < 0)
		return -1;
	if (rc && hash == r->hash) {
		w->result = R_UNCHANGED;
		return 0;
	}
	tk_ticket_init(&tk);
	/* Its ticket merged into another: the external id stays with it
	 * (DESIGN.md 7), and the row is skipped, said so. */
	if (rc && (got = tk_ticket_get(t, id, &tk, 0)) > 0 && tk.f[TK_F_MERGED_INTO].n) {
		w->result = R_MERGED;
		w->why = tk_xstrndup(tk.f[TK_F_MERGED_INTO].p, tk.f[TK_F_MERGED_INTO].n);
		tk_ticket_free(&tk);
		return 0;
	}
	tk_ticket_free(&tk);
	tk_ticket_init(&tk);
	if (rc && got < 0)
		return -1;
	if (rc) {
		if (!b->o->update) {
			w->result = R_REJECTED;
			w->why = tk_xstrdup("changed since it was imported (ticket kept as it is; --update applies the change)");
			return 0;
		}
		if (r->body)
			tk_assign_borrow(&r->as, TK_F_BODY, "body", r->body);
		rc = tk_ticket_get(t, id, &tk, 1);
		if (rc > 0)
			rc = tk_ticket_apply(t, &tk, &r->as, TK_APPLY_IMPORT);
		else if (rc == 0)
			rc = tk_error("ticket %llu of this external id is gone", (unsigned long long)id);
		if (r->body)
			r->as.n--;
		w->result = rc == 0 ? R_UPDATED : R_UNCHANGED;
	} else if (w->prep_err) {
		rc = tk_error("%s", w->prep_err);
	} else {
		if (w->unprepared)	/* left by the reader to this thread */
			rc = tk_ticket_make(t, &tk, &r->as, r->body, r->bodylen, TK_APPLY_IMPORT | TK_APPLY_BODY_CHECKED);
		else if (tk_ticket_insert(t, &tk, b->enc.p + w->enc, w->enclen, r->body, r->bodylen) < 0) {
			tk_ticket_free(&tk);
			return -1;	/* made while reading (fill): only the store fails here */
		}
		w->result = R_CREATED;
		for (i = 0; rc == 0 && i < r->ncomments; i++) {
			struct tk_impcomment *c = &r->comments[i];
			tk_str req = tk.f[TK_F_REQUESTER], upd = tk.f[TK_F_UPDATED];
			char *author = c->author ? NULL : tk_xstrndup(req.n ? req.p : "import", req.n ? req.n : 6);
			char *when = c->time ? NULL : tk_xstrndup(upd.p, upd.n);

			rc = tk_comment_add_at(t, tk.id, c->time ? c->time : when,
			    c->author ? c->author : author, c->internal, c->body, strlen(c->body));
			free(author);
			free(when);
			if (rc < 0) {
				tk_ticket_free(&tk);
				return -1;	/* comments were checked: only the store fails here */
			}
		}
		/* History from another help desk was answered there: tk-notify
		 * --to requester mails only what comes after it (DESIGN.md 8). */
		if (r->ncomments && tk_notice_mark_new(t, tk.id, (uint32_t)r->ncomments) < 0) {
			tk_ticket_free(&tk);
			return -1;
		}
	}
	if (rc < 0) {
		tk_ticket_free(&tk);
		if (tk_map_full)
			return -1;
		w->result = R_REJECTED;
		w->why = tk_xstrdup(tk_errmsg);
		return 0;
	}
	/* A ticket made is routed in the transaction that makes it (its changes via route:RULE). */
	if (w->result == R_CREATED && b->o->rules && tk_route_ticket(b->o->rules, t, &tk) < 0) {
		tk_ticket_free(&tk);
		return -1;
	}
	/* Another row took this ticket's place: marks made before no longer hold. */
	if (w->result != R_CREATED && tk_import_gen_bump(t) < 0) {
		tk_ticket_free(&tk);
		return -1;
	}
	rc = remember(t, tk.id, r->hash, w->result == R_CREATED);
	if (rc == 0 && w->result == R_CREATED && !r->external)
		rc = tk_import_row_put(t, r->hash, tk.id);
	tk_ticket_free(&tk);
	return rc;
}

static int
import_batch(tk_txn *t, void *arg)
{
	struct batch *b = arg;
	MDB_cursor *ext;
	size_t i;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IX_EXTERNAL], &ext))) {
		tk_mdb_error(rc, "ix_external_id");
		return TK_EXIT_FAIL;
	}
	if (b->o->new_fields && tk_import_declare(b->im, t) < 0) {
		mdb_cursor_close(ext);
		return TK_EXIT_FAIL;
	}
	/* The tickets' times and their events' are the same. */
	t->now = b->now;
	memcpy(t->now_iso, b->now_iso, sizeof t->now_iso);
	b->created = b->updated = b->unchanged = b->rejected = b->merged = 0;
	for (i = 0; i < b->n; i++) {
		struct row *w = &b->rows[i];

		if (w->refused) {
			w->result = R_REJECTED;
			b->rejected++;
			continue;
		}
		free(w->why);
		w->why = NULL;
		if (import_row(t, ext, b, w) < 0) {
			mdb_cursor_close(ext);
			return TK_EXIT_FAIL;
		}
		b->created += w->result == R_CREATED;
		b->updated += w->result == R_UPDATED;
		b->unchanged += w->result == R_UNCHANGED;
		b->rejected += w->result == R_REJECTED;
		b->merged += w->result == R_MERGED;
		if (b->o->atomic && w->result == R_REJECTED) {
			mdb_cursor_close(ext);
			return TK_EXIT_DATA;
		}
	}
	mdb_cursor_close(ext);
	if (b->write_mark && !b->rejected) {
		tk_mark m = b->mark;

		m.gen = tk_import_gen(t);
		if (tk_mark_put(t, b->header, &m) < 0)
			return TK_EXIT_FAIL;
	}
	return 0;
}

static void
clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		tk_improw_clear(&b->rows[i].r);
		free(b->rows[i].why);
		free(b->rows[i].prep_err);
		free(b->rows[i].orig);
		free(b->rows[i].origdata);
	}
	b->n = 0;
	b->bytes = 0;
	b->enc.len = 0;
	tk_arena_reset(&b->arena);
	/* A last slot with no rows is drained too: it must count nothing. */
	b->created = b->updated = b->unchanged = b->rejected = b->merged = 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads rows from CSV, tk records or JSON lines alike. */
struct input {
	tk_csv *csv;
	tk_reader rec;
	tk_jsonl *json;
	int tsv;
};

/* One input file: the reading thread fills batches, the calling thread writes them. */
struct file {
	tk_store *st;
	const struct opts *o;
	const char *name;
	FILE *fp;
	off_t size;
	struct input in;
	tk_import *im;
	int status;		/* the input cannot be imported at all */
	uint64_t hdrhash;	/* its header's, for marks */
	uint64_t rows;		/* reader: data rows read, refused ones too */
	int marks;		/* marks are kept for this input */
	int clean;		/* writer: no row refused so far */
	int declared;		/* --new-fields: its columns are declared */
	long hdrline;		/* the header's line */
	long skipped_line;	/* the rows up to this line were known from a mark */
	struct counts c;	/* writer */
	double start;
	struct batch b[2];
	tk_ticket tk;		/* reader: the row's new ticket, then encoded */
	tk_pipe *pipe;
};

static int
next_row(struct input *in, char ***f, size_t **l, size_t *n, long *lineno)
{
	int rc;

	if (in->json)
		return tk_jsonl_next(in->json, f, l, n, lineno);
	if (!in->tsv)
		return tk_csv_next(in->csv, f, l, n, lineno);
	do {
		rc = tk_reader_next(&in->rec);
		*lineno = in->rec.lineno;
	} while (rc == 1 && in->rec.nfields == 1 && !in->rec.lens[0]);
	*f = in->rec.fields;
	*l = in->rec.lens;
	*n = in->rec.nfields;
	return rc;
}

static struct row *
new_row(struct batch *b, long lineno)
{
	struct row *w;

	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		b->rows = tk_xrealloc(b->rows, b->cap * sizeof *b->rows);
	}
	w = &b->rows[b->n++];
	if (b->n > b->inited) {		/* a slot never used */
		memset(w, 0, sizeof *w);
		b->inited = b->n;
	} else {			/* its row's array kept for this one */
		tk_improw r = w->r;

		memset(w, 0, sizeof *w);
		w->r = r;
	}
	w->r.arena = &b->arena;
	w->lineno = lineno;
	return w;
}

static void keep_fields(struct row *w, char **f, size_t *l, size_t n);

/* Row w refused while reading (tk_errmsg says why), with its fields when
 * there are any. */
static void
refuse(struct row *w, char **f, size_t *l, size_t n)
{
	w->refused = 1;
	w->result = R_REJECTED;
	w->why = tk_xstrdup(tk_errmsg);
	if (f)
		keep_fields(w, f, l, n);
}

/* A copy of a row's fields as read, for --rejects. */
static void
keep_fields(struct row *w, char **f, size_t *l, size_t n)
{
	size_t i, total = 0;
	char *p;

	for (i = 0; i < n; i++)
		total += l[i] + 1;
	w->orig = tk_xmalloc((n ? n : 1) * sizeof *w->orig);
	w->origdata = p = tk_xmalloc(total ? total : 1);
	for (i = 0; i < n; i++) {
		memcpy(p, f[i], l[i]);
		w->orig[i] = (tk_str){ p, l[i] };
		p += l[i] + 1;
	}
	w->norig = n;
}

static void
write_header(const struct opts *o, char **f, size_t *l, size_t n)
{
	tk_str *h = tk_xmalloc((n + 2) * sizeof *h);
	size_t i;

	h[0] = TK_STR("#line");
	h[1] = TK_STR("reason");
	for (i = 0; i < n; i++)
		h[i + 2] = (tk_str){ f[i], l[i] };
	tk_write_record(o->rejfp, h, n + 2);
	free(h);
}

/* The header row, read before the rows: 0, -1 when nothing can be imported,
 * -2 when -m names a column the header does not have (a usage error). */
static int
read_header(struct file *fl)
{
	char **f;
	size_t *l, n;
	long lineno;
	int rc;

	if (fl->in.json)
		rc = tk_jsonl_header(fl->in.json, &f, &l, &n, &lineno);
	else
		rc = next_row(&fl->in, &f, &l, &n, &lineno);
	if (rc == 0) {
		tk_warn("%s: empty: no header row", fl->name);
		return -1;
	}
	if (rc < 0) {
		tk_warn("%s:%ld: %s", fl->name, lineno, tk_errmsg);
		tk_warn("%s: no header row: nothing imported", fl->name);
		return -1;
	}
	fl->hdrline = lineno;
	if (tk_import_header(fl->im, f, l, n) < 0) {
		tk_warn("%s:%ld: %s", fl->name, lineno, tk_errmsg);
		return -1;
	}
	if (tk_import_unmapped(fl->im) < 0) {
		tk_warn("%s:%ld: %s", fl->name, lineno, tk_errmsg);
		return -2;
	}
	if (fl->o->rejfp)
		write_header(fl->o, f, l, n);
	return 0;
}

/*
 * Where an earlier run committed every row of this input before (its
 * marks): read over those bytes without parsing them. Their rows count as
 * read and unchanged, as comparing them one by one would have found.
 */
static void
skip_marked(struct file *fl)
{
	tk_mark *m = NULL;
	size_t n = 0;
	long i;
	tk_txn t;

	fl->hdrhash = tk_import_header_hash(fl->im);
	tk_csv_hash_from(fl->in.csv, fl->hdrhash);
	fl->marks = fl->clean = 1;
	if (tk_txn_read(fl->st, &t) < 0)
		return;
	if (tk_marks_get(&t, fl->hdrhash, &m, &n) == 0 && n) {
		i = tk_csv_skip(fl->in.csv, m, n);
		if (i < -1)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		if (i >= 0) {
			fl->rows = m[i].rows;
			fl->c.read = fl->c.unchanged = (long)m[i].rows;
			fl->skipped_line = (long)m[i].lineno;
		}
	}
	tk_txn_end(&t);
	free(m);
}

/* The reading thread: the next batch of rows, converted and checked. */
static int
fill(void *slot, void *ctx)
{
	struct batch *b = slot;
	struct file *fl = ctx;
	const struct opts *o = fl->o;
	char **f;
	size_t *l, n;
	long lineno;
	int rc = 0;	/* (the loop runs at least once: set there) */
	tk_txn rt;
	int snap;

	clear(b);
	b->now = tk_now();
	tk_time_iso(b->now, b->now_iso);
	/* The store as committed now: the requesters it knows (contact.c),
	 * unless they were all read in at the start. */
	snap = !o->preloaded && tk_txn_read(fl->st, &rt) == 0;
	while (o->atomic || (b->n < BATCH && b->bytes < TK_BATCH_BYTES)) {
		struct row *w;
		size_t i;

		rc = next_row(&fl->in, &f, &l, &n, &lineno);
		if (rc == 0)
			break;
		fl->rows++;
		w = new_row(b, lineno);
		if (rc < 0) {
			refuse(w, NULL, NULL, 0);
			continue;
		}
		for (i = 0; i < n; i++)
			b->bytes += l[i] + 1;
		if (tk_import_row(fl->im, f, l, n, &w->r) < 0 ||
		    (fl->in.json && tk_jsonl_comments(fl->in.json, &w->r) < 0)) {
			tk_improw_clear(&w->r);
			refuse(w, f, l, n);
			continue;
		}
		/* Only the writer can find a row changed since it was imported:
		 * with --rejects, every row keeps its fields. */
		if (o->rejfp)
			keep_fields(w, f, l, n);
		/* The ticket the row makes if it is new (the writer knows),
		 * unless the writer is idle, waiting for this batch: then it
		 * makes it itself. */
		if (fl->pipe && __atomic_load_n(&fl->pipe->drain_waiting, __ATOMIC_RELAXED)) {
			w->unprepared = 1;
			/* (its requester looked up here all the same: never by the writer) */
			for (i = 0; o->lookup && i < w->r.as.n; i++)
				if (w->r.as.a[i].field == TK_F_REQUESTER)
					tk_contact_lookup_first(fl->st, snap ? &rt : NULL, w->r.as.a[i].value);
			continue;
		}
		if (tk_ticket_prepare(&fl->tk, &w->r.as, w->r.body, w->r.bodylen,
		    TK_APPLY_IMPORT | TK_APPLY_BODY_CHECKED, b->now_iso) < 0) {
			w->prep_err = tk_xstrdup(tk_errmsg);
			if (!w->orig)
				keep_fields(w, f, l, n);	/* for --rejects, if it is rejected */
		} else {
			/* Its contact when the store knows it (else the writer's
			 * work), asked of the lookup program first with --lookup. */
			if (tk_contact_intake_known(snap ? &rt : NULL, &fl->tk) == 0 && o->lookup) {
				char *req = tk_xstrndup(fl->tk.f[TK_F_REQUESTER].p, fl->tk.f[TK_F_REQUESTER].n);

				tk_contact_lookup_first(fl->st, snap ? &rt : NULL, req);
				free(req);
			}
			w->enc = b->enc.len;
			tk_ticket_encode_append(&fl->tk, &b->enc);
			w->enclen = b->enc.len - w->enc;
		}
		tk_ticket_free(&fl->tk);
	}
	if (snap)
		tk_txn_end(&rt);
	b->mark_ok = fl->marks && tk_csv_mark(fl->in.csv, &b->mark);
	b->mark.rows = fl->rows;
	return rc != 0;
}

static void
reject_row(const struct opts *o, const char *name, const struct row *w)
{
	tk_str *out;
	char num[24];
	size_t i;

	tk_warn("%s:%ld: %s", name, w->lineno, w->why);
	if (!o->rejfp)
		return;
	out = tk_xmalloc((w->norig + 2) * sizeof *out);
	snprintf(num, sizeof num, "%ld", w->lineno);
	out[0] = TK_STR(num);
	out[1] = TK_STR(w->why);
	for (i = 0; i < w->norig; i++)
		out[i + 2] = w->orig[i];
	tk_write_record(o->rejfp, out, w->norig + 2);
	free(out);
}

static void
progress(struct file *fl)
{
	double el = now_s() - fl->start, rate = el > 0 ? fl->c.read / el : 0;
	off_t pos = fl->fp ? ftello(fl->fp) : -1;

	if (!fl->o->progress)
		return;
	fprintf(stderr, "\r%s: %ld rows, %.0f rows/s", fl->name, fl->c.read, rate);
	if (fl->size > 0 && pos > 0 && pos <= fl->size && el > 0)
		fprintf(stderr, ", %.0f%%, ETA %.0f s", 100.0 * pos / fl->size, el * (fl->size - pos) / pos);
	fputs("   ", stderr);
}

/* The calling thread: commit a batch and report its rows in input order. */
static int
drain(void *slot, int end, void *ctx)
{
	struct batch *b = slot;
	struct file *fl = ctx;
	const struct opts *o = fl->o;
	struct counts *c = &fl->c;
	long refused = 0;
	size_t i;
	int rc = 0;

	if (fl->status)
		return 0;
	b->o = o;
	for (i = 0; i < b->n; i++)
		refused += b->rows[i].refused;
	b->header = fl->hdrhash;
	b->im = fl->im;
	b->write_mark = b->n && b->mark_ok && fl->clean && !refused;
	if ((b->n || (o->new_fields && !fl->declared)) && !(o->atomic && refused)) {
		if (o->rules)
			tk_rules_begin(o->rules);
		rc = tk_store_write(fl->st, import_batch, b);
		if (o->rules)
			tk_rules_end(o->rules, rc == 0);
	}
	if (!rc) {
		fl->declared = 1;
		tk_contacts_committed();
	}
	if (rc && rc != TK_EXIT_DATA) {
		tk_warn("%s", tk_errmsg);
		tk_die(rc, "%s: stopped at line %ld; what was committed stays, re-run to finish",
		    fl->name, b->rows[0].lineno);
	}
	for (i = 0; i < b->n; i++)
		if (b->rows[i].result == R_REJECTED)
			reject_row(o, fl->name, &b->rows[i]);
		else if (b->rows[i].result == R_MERGED && !(o->atomic && (refused || rc)))
			tk_warn("%s:%ld: merged into %s: row skipped (tk-link --unmerge undoes the merge)",
			    fl->name, b->rows[i].lineno, b->rows[i].why);
	c->read += (long)b->n;
	if (o->atomic && (refused || rc)) {
		tk_warn(refused ? "%s: --atomic: %ld rows rejected, nothing imported" :
		    "%s: --atomic: a row was refused, nothing imported", fl->name, refused ? refused : 1);
		c->rejected += refused ? refused : 1;
		fl->status = TK_EXIT_DATA;
		return 0;
	}
	c->created += b->created;
	c->updated += b->updated;
	c->unchanged += b->unchanged;
	c->rejected += b->rejected;
	c->merged += b->merged;
	if (b->rejected)
		fl->clean = 0;
	if (!end)
		progress(fl);
	return 0;
}

static int
ends(const char *s, const char *end)
{
	size_t n = strlen(s), k = strlen(end);

	return n > k && !strcmp(s + n - k, end);
}

/*
 * Opens an input and reads its header: 0, or an exit code when it cannot
 * be imported at all (said why).
 */
static int
open_input(struct file *fl, const struct opts *o, const char *path)
{
	struct stat sb;
	int rc;

	memset(fl, 0, sizeof *fl);
	fl->o = o;
	fl->fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
	fl->name = strcmp(path, "-") ? path : "stdin";
	if (!fl->fp) {
		tk_warn("%s: %s", path, strerror(errno));
		return fl->status = TK_EXIT_FAIL;
	}
	if (fstat(fileno(fl->fp), &sb) == 0 && S_ISREG(sb.st_mode))
		fl->size = sb.st_size;
	if (o->format == F_JSON || (o->format == F_GUESS && (ends(path, ".json") || ends(path, ".jsonl") ||
	    ends(path, ".ndjson"))))
		fl->in.json = tk_jsonl_open(fl->fp, fl->name);
	else if (o->format == F_TSV || (o->format == F_GUESS && ends(path, ".tsv"))) {
		fl->in.tsv = 1;
		tk_reader_init(&fl->in.rec, fl->fp, fl->name);
	} else if (!(fl->in.csv = tk_csv_open(fl->fp, fl->name, o->delim,
	    o->preset && !strcmp(o->preset, "rt") ? 1 : 0, o->encoding)))
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (!(fl->im = tk_import_new(o->preset, o->mapping, o->strict)))
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if ((rc = read_header(fl)) < 0)
		fl->status = rc == -2 ? TK_EXIT_USAGE : TK_EXIT_DATA;
	return fl->status;
}

/*
 * The columns of every input that would make fields no one declared, each
 * named (file:line) with the nearest known name: how many. st: the store, or
 * NULL when there is none yet.
 */
static size_t
undeclared(struct file *files, int n, tk_store *st, const char *dir, const struct opts *o)
{
	tk_buf msgs = { 0 };
	size_t bad = 0, j, k;
	tk_txn t;
	int i;

	if (st && tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	for (i = 0; i < n; i++) {
		msgs.len = 0;
		k = tk_import_undeclared(files[i].im, st ? &t : NULL, dir, o->new_fields, &msgs);
		for (j = 0; j < msgs.len; j += strlen(msgs.p + j) + 1)
			tk_warn("%s:%ld: %s", files[i].name, files[i].hdrline, msgs.p + j);
		bad += k;
	}
	if (st)
		tk_txn_end(&t);
	tk_buf_free(&msgs);
	return bad;
}

/* Imports an input whose header open_input read: 0 or an exit code. */
static int
import_file(tk_store *st, struct file *fl, struct counts *total)
{
	const struct opts *o = fl->o;
	tk_pipe p;
	int status;
	size_t i, j;

	fl->st = st;
	fl->start = now_s();
	/* Marks: a CSV file imported batch by batch (see tk_csv_skip). */
	if (fl->in.csv && !o->atomic)
		skip_marked(fl);
	p.slot[0] = &fl->b[0];
	p.slot[1] = &fl->b[1];
	p.fill = fill;
	p.drain = drain;
	p.ctx = fl;
	fl->pipe = &p;
	tk_pipe_run(&p);
	status = fl->status;
	if (o->atomic && status)
		fl->c.created = fl->c.updated = fl->c.unchanged = 0;
	if (fl->in.json && tk_jsonl_history(fl->in.json))
		tk_warn("%s: the tickets' history is not imported: the log of a ticket made here starts with this import",
		    fl->name);
	if (o->progress)
		fputs("\r\033[K", stderr);
	if (!o->quiet) {
		fprintf(stderr, "%s: %s: %ld read, %ld created, %ld updated, %ld unchanged, %ld rejected",
		    tk_progname, fl->name, fl->c.read, fl->c.created, fl->c.updated, fl->c.unchanged, fl->c.rejected);
		if (fl->c.merged)
			fprintf(stderr, ", %ld skipped (merged into another ticket)", fl->c.merged);
		if (fl->skipped_line)
			fprintf(stderr, " (lines 2-%ld as an earlier run committed them)", fl->skipped_line);
		fputc('\n', stderr);
	}
	if (fl->c.rejected && !status)
		status = TK_EXIT_DATA;
	total->read += fl->c.read;
	for (i = 0; i < 2; i++) {
		clear(&fl->b[i]);
		for (j = 0; j < fl->b[i].inited; j++)
			tk_improw_free(&fl->b[i].rows[j].r);
		free(fl->b[i].rows);
		tk_arena_free(&fl->b[i].arena);
	}
	tk_buf_free(&fl->b[0].enc);
	tk_buf_free(&fl->b[1].enc);
	return status;
}

/* An input's reader and file closed. */
static void
close_input(struct file *fl)
{
	tk_import_free(fl->im);
	tk_jsonl_close(fl->in.json);
	if (fl->in.tsv)
		tk_reader_free(&fl->in.rec);
	else if (fl->in.csv)
		tk_csv_close(fl->in.csv);
	if (fl->fp && fl->fp != stdin)
		fclose(fl->fp);
}

/* A store is there to read (tk_store_open makes one only to write). */
static int
store_exists(const char *dir)
{
	tk_buf p = { 0 };
	struct stat sb;
	int yes;

	tk_buf_printf(&p, "%s/data.mdb", dir);
	yes = stat(tk_buf_cstr(&p), &sb) == 0 && sb.st_size > 0;
	tk_buf_free(&p);
	return yes;
}

/* Same file (device and inode) as path, which may not exist. */
static int
same_file(const struct stat *a, const char *path)
{
	struct stat b;

	return stat(path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

/*
 * Opens the --rejects file, which is written from its start: refused when
 * it is one of the inputs or a file of the store, which it would wipe.
 */
static void
open_rejects(struct opts *o, char **in, int nin, const char *dir)
{
	static const char *const store[][2] = { { "data.mdb", "data file" }, { "lock.mdb", "lock file" } };
	struct stat sb;
	tk_buf p = { 0 };
	int i;

	if (stat(o->rejects, &sb) == 0) {
		for (i = 0; i < nin; i++)
			if (strcmp(in[i], "-") && same_file(&sb, in[i]))
				tk_die(TK_EXIT_USAGE, "--rejects %s: is the input %s; name another file", o->rejects, in[i]);
		for (i = 0; i < 2; i++) {
			p.len = 0;
			tk_buf_printf(&p, "%s/%s", tk_store_path(dir), store[i][0]);
			if (same_file(&sb, p.p))
				tk_die(TK_EXIT_USAGE, "--rejects %s: is the store's %s; name another file",
				    o->rejects, store[i][1]);
		}
		tk_buf_free(&p);
	}
	if (!(o->rejfp = fopen(o->rejects, "w")))
		tk_die(TK_EXIT_FAIL, "--rejects %s: %s", o->rejects, strerror(errno));
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "update", no_argument, NULL, 'u' },
		{ "atomic", no_argument, NULL, 'A' },
		{ "strict", no_argument, NULL, 'S' },
		{ "new-fields", no_argument, NULL, 'N' },
		{ "lookup", no_argument, NULL, 'L' },
		{ "format", required_argument, NULL, 'f' },
		{ "delimiter", required_argument, NULL, 'F' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "preset", required_argument, NULL, 'p' },
		{ "map", required_argument, NULL, 'm' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "route", no_argument, NULL, 'R' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { 0 };
	struct counts total = { 0 };
	const char *dir = NULL, *format = NULL, *delim = NULL;
	tk_buf mapping = { 0 };
	int c, i, rc, nfiles, status = 0, route = 0;
	struct file *files;
	tk_store *st;

	tk_cmd_start(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "quF:m:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': o.quiet = 1; break;
		case 'u': o.update = 1; break;
		case 'A': o.atomic = 1; break;
		case 'S': o.strict = 1; break;
		case 'N': o.new_fields = 1; break;
		case 'L': o.lookup = 1; break;
		case 'f':
			format = tk_opt_once("--format", format, optarg);
			if (!strcmp(optarg, "tsv"))
				o.format = F_TSV;
			else if (!strcmp(optarg, "json"))
				o.format = F_JSON;
			else if (!strcmp(optarg, "csv"))
				o.format = F_CSV;
			else
				tk_die(TK_EXIT_USAGE, "--format %s: csv, tsv or json", optarg);
			break;
		case 'F':
			delim = tk_opt_once("-F", delim, optarg);
			if ((o.delim = tk_csv_delim(optarg)) < 0)
				tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
			break;
		case 'e': o.encoding = tk_opt_once("--encoding", o.encoding, optarg); break;
		case 'p':
			tk_opt_once("--preset", o.preset, optarg);
			if (!tk_import_preset_ok(optarg))
				tk_die(TK_EXIT_USAGE, "--preset %s: no such preset (osticket, zendesk, jira, rt, github)", optarg);
			o.preset = optarg;
			break;
		case 'R': route = 1; break;
		case 'm':
			/* Several -m add up, as one list. */
			if (mapping.len)
				tk_buf_addc(&mapping, ',');
			tk_buf_adds(&mapping, tk_opt_once("-m", NULL, tk_opt_text("-m", optarg)));
			o.mapping = mapping.p;
			break;
		case 'r': o.rejects = tk_opt_once("--rejects", o.rejects, optarg); break;
		case 'd': dir = tk_opt_once("-d", dir, optarg); break;
		default: tk_common_option(c);
		}
	}
	/* Records and JSON lines are read as they are: no delimiter, no encoding. */
	tk_opt_conflict("--format tsv", o.format == F_TSV, "-F", delim != NULL);
	tk_opt_conflict("--format tsv", o.format == F_TSV, "--encoding", o.encoding != NULL);
	tk_opt_conflict("--format json", o.format == F_JSON, "-F", delim != NULL);
	tk_opt_conflict("--format json", o.format == F_JSON, "--encoding", o.encoding != NULL);
	if (optind == argc)
		tk_die(TK_EXIT_USAGE, "no input: name files, or - for standard input");
	if (o.preset && !strcmp(o.preset, "rt") && !o.delim)
		o.delim = '\t';
	if (o.mapping) {
		tk_import *im = tk_import_new(o.preset, o.mapping, 0);

		if (!im)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
		tk_import_free(im);
	}
	for (i = optind; i < argc; i++)
		if (strcmp(argv[i], "-") && access(argv[i], R_OK) < 0)
			tk_die(TK_EXIT_FAIL, "%s: %s", argv[i], strerror(errno));
	if (o.rejects)
		open_rejects(&o, argv + optind, argc - optind, dir);
	o.progress = isatty(STDERR_FILENO) && !o.quiet;
	/* Every input's header first: one that cannot be imported, or a
	 * column no one declared, stops the run before anything is written
	 * (the store is not even made). */
	tk_cmd_bulk_memory();
	nfiles = argc - optind;
	files = tk_xmalloc(nfiles * sizeof *files);
	for (i = 0; i < nfiles; i++)
		if ((rc = open_input(&files[i], &o, argv[optind + i])) > status)
			status = rc;
	st = !status && store_exists(tk_store_path(dir)) ? tk_cmd_store(dir, TK_OPEN_WRITE) : NULL;
	if (!status && undeclared(files, nfiles, st, tk_store_path(dir), &o)) {
		if (o.new_fields)
			tk_warn("nothing imported: name these columns in the header, or map them with -m");
		else
			tk_warn("nothing imported: declare the fields in %s/fields (a line \"field NAME\" each), "
			    "map the columns with -m, or give --new-fields", tk_store_path(dir));
		status = TK_EXIT_DATA;
	} else if (status)
		tk_warn("nothing imported");
	if (status)
		exit(status);
	/* Rules read before the store is made: a broken file stops it all. */
	if (!st)
		o.rules = tk_rules_intake(NULL, tk_store_path(dir), route, TK_ROUTE_BULK);
	if (!st)
		st = tk_cmd_store(dir, TK_OPEN_CREATE);
	if (!o.rules)
		o.rules = tk_rules_intake(st, st->dir, route, TK_ROUTE_BULK);
	st->via = "import";
	if (!tk_settings_get(st->dir))
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	o.preloaded = tk_contacts_preload(st);
	tk_store_bulk(st);
	for (i = 0; i < nfiles; i++) {
		rc = import_file(st, &files[i], &total);
		if (rc > status)
			status = rc;
		close_input(&files[i]);
	}
	free(files);
	if (tk_store_sync(st) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_rules_free(o.rules);
	tk_cmd_leave(st);
	if (o.rejfp && fclose(o.rejfp) != 0)
		tk_die(TK_EXIT_FAIL, "--rejects %s: %s", o.rejects, strerror(errno));
	tk_buf_free(&mapping);
	return status;
}
