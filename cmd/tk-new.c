/* tk-new - create tickets from field assignments, or many from records. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk-new [-q] [-d dir] [-s subject] [-r requester] [-p priority] [-m body] [field=value | +tag ...]\n"
    "       tk-new -b [--atomic] [-q] [-d dir] [field=value ...] < records\n";

#define BATCH 10000

struct rec {
	long lineno;
	tk_assignments as;	/* borrowing from data */
	char *data;
	char *body;
	uint64_t id;
	char *err;
};

struct batch {
	struct rec *r;
	size_t n, cap;
	const tk_assignments *common;
	int atomic;
	size_t bad;
};

static int
create_batch(tk_txn *t, void *arg)
{
	struct batch *b = arg;
	tk_assignments all = { 0 };
	tk_ticket tk;
	size_t i, j;

	b->bad = 0;
	for (i = 0; i < b->n; i++) {
		struct rec *r = &b->r[i];

		free(r->err);
		r->err = NULL;
		r->id = 0;
		if (!r->as.n && !r->body) {
			r->err = tk_xstrdup("empty record");
			b->bad++;
			continue;
		}
		/* Operand assignments first, so a record's own columns win. */
		all.n = 0;
		if (all.cap < b->common->n + r->as.n) {
			all.cap = b->common->n + r->as.n;
			all.a = tk_xrealloc(all.a, all.cap * sizeof *all.a);
		}
		for (j = 0; j < b->common->n; j++)
			all.a[all.n++] = b->common->a[j];
		for (j = 0; j < r->as.n; j++)
			all.a[all.n++] = r->as.a[j];
		if (tk_ticket_create(t, &tk, &all, r->body, r->body ? strlen(r->body) : 0) < 0) {
			if (tk_map_full)
				goto fail;
			r->err = tk_xstrdup(tk_errmsg);
			b->bad++;
		} else
			r->id = tk.id;
		tk_ticket_free(&tk);
		if (b->atomic && b->bad)
			break;
	}
	free(all.a);
	if (b->atomic && b->bad)
		return TK_EXIT_DATA;
	return 0;
fail:
	tk_ticket_free(&tk);
	free(all.a);
	return TK_EXIT_FAIL;
}

/* Prints the new ids and the refused records of a committed batch. */
static void
report(struct batch *b, const char *name, int quiet)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (b->r[i].err)
			tk_warn("%s:%ld: %s", name, b->r[i].lineno, b->r[i].err);
		else if (!quiet && b->r[i].id)
			printf("%llu\n", (unsigned long long)b->r[i].id);
	}
}

static void
clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		tk_assignments_free(&b->r[i].as);
		free(b->r[i].data);
		free(b->r[i].err);
	}
	b->n = 0;
}

static int
flush(tk_store *st, struct batch *b, int quiet, size_t *created)
{
	size_t i;
	int rc;

	if (!b->n)
		return 0;
	rc = tk_store_write(st, create_batch, b);
	if (rc == TK_EXIT_DATA) {
		for (i = 0; i < b->n; i++)
			if (b->r[i].err)
				tk_warn("stdin:%ld: %s", b->r[i].lineno, b->r[i].err);
		return rc;
	}
	if (rc) {
		tk_warn("%s", tk_errmsg);
		return rc;
	}
	report(b, "stdin", quiet);
	for (i = 0; i < b->n; i++)
		*created += b->r[i].id != 0;
	tk_flush_stdout();
	return b->bad ? TK_EXIT_DATA : 0;
}

/* Batch mode: a header line naming the fields, then one ticket a record. */
static int
batch_mode(tk_store *st, const tk_assignments *common, int atomic, int quiet)
{
	struct batch b = { 0 };
	tk_reader r;
	char **hdr = NULL;
	int *hf = NULL;
	size_t nhdr = 0, i, created = 0, bad = 0;
	int rc, status = 0, body_col = -1;

	b.common = common;
	b.atomic = atomic;
	tk_reader_init(&r, stdin, "stdin");
	while ((rc = tk_reader_next(&r)) != 0) {
		struct rec *rec;

		if (rc < 0) {
			tk_warn("%s", tk_errmsg);
			bad++;
			if (!hdr)
				tk_die(TK_EXIT_DATA, "stdin: no header line naming the fields");
			continue;
		}
		if (!hdr) {
			if (r.nfields == 1 && !r.lens[0])
				continue;
			nhdr = r.nfields;
			hdr = tk_xmalloc(nhdr * sizeof *hdr);
			hf = tk_xmalloc(nhdr * sizeof *hf);
			for (i = 0; i < nhdr; i++) {
				int f = tk_field_lookup(r.fields[i]);

				hf[i] = f;
				hdr[i] = tk_xstrdup(r.fields[i]);
				if (f == TK_F_BODY)
					body_col = (int)i;
				else if (f == TK_F_CUSTOM && !tk_field_name_ok(hdr[i]))
					tk_die(TK_EXIT_DATA, "stdin:%ld: %s: not a field name", r.lineno, hdr[i]);
			}
			continue;
		}
		if (r.header)
			continue;
		if (r.nfields == 1 && !r.lens[0])
			continue;
		if (r.nfields != nhdr) {
			tk_warn("stdin:%ld: %zu fields, the header names %zu", r.lineno, r.nfields, nhdr);
			bad++;
			continue;
		}
		if (b.n == b.cap) {
			b.cap = b.cap ? 2 * b.cap : 1024;
			b.r = tk_xrealloc(b.r, b.cap * sizeof *b.r);
		}
		rec = &b.r[b.n];
		memset(rec, 0, sizeof *rec);
		rec->lineno = r.lineno;
		/* The reader checked the text; the values stay in one copy of the record. */
		rec->data = tk_xmalloc(r.baselen);
		memcpy(rec->data, r.base, r.baselen);
		for (i = 0; i < nhdr; i++) {
			int f = hf[i];

			if (!r.lens[i])
				continue;
			if ((int)i == body_col) {
				rec->body = rec->data + (r.fields[i] - r.base);
				continue;
			}
			/* Columns tk sets itself (id, updated, age...) are left out, so
			 * tk-ls -H output feeds tk-new -b. */
			if (f != TK_F_CUSTOM && tk_fields[f].readonly)
				continue;
			tk_assign_borrow(&rec->as, f, hdr[i], rec->data + (r.fields[i] - r.base));
		}
		b.n++;
		if (!atomic && b.n == BATCH) {
			rc = flush(st, &b, quiet, &created);
			if (rc == TK_EXIT_DATA)
				status = rc;
			else if (rc)
				tk_die(rc, "stopped after %zu tickets created; re-run with the rest", created);
			clear(&b);
		}
	}
	if (!hdr)
		tk_die(TK_EXIT_DATA, "stdin: no header line naming the fields");
	if (atomic && bad) {
		tk_warn("--atomic: %zu bad records, nothing written", bad);
		status = TK_EXIT_DATA;
	} else {
		rc = flush(st, &b, quiet, &created);
		if (rc == TK_EXIT_DATA) {
			status = rc;
			if (atomic)
				tk_warn("--atomic: nothing written");
		} else if (rc)
			tk_die(rc, "stopped after %zu tickets created; re-run with the rest", created);
	}
	if (bad)
		status = TK_EXIT_DATA;
	clear(&b);
	free(b.r);
	for (i = 0; i < nhdr; i++)
		free(hdr[i]);
	free(hdr);
	free(hf);

	tk_reader_free(&r);
	return status;
}

struct one {
	tk_assignments *as;
	char *body;
	size_t len;
	uint64_t id;
};

static int
create_one(tk_txn *t, void *arg)
{
	struct one *o = arg;
	tk_ticket tk;
	int rc;

	rc = tk_ticket_create(t, &tk, o->as, o->body, o->len);
	o->id = tk.id;
	tk_ticket_free(&tk);
	if (rc < 0)
		return tk_map_full ? TK_EXIT_FAIL : TK_EXIT_DATA;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "subject", required_argument, NULL, 's' },
		{ "requester", required_argument, NULL, 'r' },
		{ "priority", required_argument, NULL, 'p' },
		{ "message", required_argument, NULL, 'm' },
		{ "batch", no_argument, NULL, 'b' },
		{ "atomic", no_argument, NULL, 'A' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	tk_assignments as = { 0 };
	const char *dir = NULL, *msg = NULL;
	int c, nopt, batch = 0, atomic = 0, quiet = 0, rc, i;
	struct one one = { &as, NULL, 0, 0 };
	tk_store *st;

	tk_cmd_start(argc, argv, usage);
	nopt = tk_getopt_end(argc, argv, "s:r:p:m:bqd:hV");
	while ((c = getopt_long(nopt, argv, "s:r:p:m:bqd:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
		case 'r':
		case 'p':
			if (tk_assign_add(&as, c == 's' ? "subject" : c == 'r' ? "requester" : "priority", optarg) < 0)
				tk_die(TK_EXIT_USAGE, "-%c: %s", c, tk_errmsg);
			break;
		case 'm': msg = optarg; break;
		case 'b': batch = 1; break;
		case 'A': atomic = 1; break;
		case 'q': quiet = 1; break;
		case 'd': dir = optarg; break;
		default: tk_common_option(c);
		}
	}
	for (i = optind; i < argc; i++) {
		if (i < nopt && !strcmp(argv[i], "--"))
			continue;
		if (!tk_is_assignment(argv[i]))
			tk_die(TK_EXIT_USAGE, "%s: not an assignment (field=value, +tag, -tag)", argv[i]);
		if (tk_assign_parse(&as, argv[i]) < 0)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	}
	if (atomic && !batch)
		tk_die(TK_EXIT_USAGE, "--atomic goes with -b");
	if (batch && msg)
		tk_die(TK_EXIT_USAGE, "-m does not go with -b (give a body column)");
	if (batch) {
		st = tk_cmd_store(dir, 1);
		st->batch_index = 1;
	st->forget_every = 8;
		rc = batch_mode(st, &as, atomic, quiet);

		tk_store_close(st);
		tk_assignments_free(&as);
		tk_flush_stdout();
		return rc;
	}
	if (msg) {
		one.body = tk_xstrdup(msg);
		one.len = strlen(msg);
	} else if (!isatty(STDIN_FILENO)) {
		one.body = tk_read_all(stdin, "stdin", &one.len);
		while (one.len && one.body[one.len - 1] == '\n')
			one.len--;
	}
	st = tk_cmd_store(dir, 1);
	rc = tk_store_write(st, create_one, &one);
	if (rc)
		tk_die(rc, "%s", tk_errmsg);
	if (!quiet)
		printf("%llu\n", (unsigned long long)one.id);
	tk_store_close(st);
	tk_assignments_free(&as);
	free(one.body);
	tk_flush_stdout();
	return 0;
}
