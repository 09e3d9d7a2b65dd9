/* tk-new - create tickets from field assignments, or many from records. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk-new [-q] [--route] [-d dir] [-s subject] [-r requester] [-p priority] [-m body]\n"
    "              [field=value | +tag ...]\n"
    "       tk-new -b [--atomic] [--lookup] [-q] [--route] [-d dir] [field=value ...] < records\n"
    "\n"
    "Creates a ticket from field assignments and prints its id; with -b, one\n"
    "ticket a record read from standard input.\n"
    "\n"
    "Fields:\n"
    "-s, --subject subject\tthe subject (subject=...), required\n"
    "-r, --requester requester\tthe requester (requester=...)\n"
    "-p, --priority priority\tP1 (most urgent) to P4; P3 if not given\n"
    "-m, --message body\tthe body; else standard input if not a terminal\n"
    "field=value, +tag\tassignments, as tk-set takes them\n"
    "Batch:\n"
    "-b, --batch\tone ticket a record read from standard input\n"
    "--atomic\twith -b: all records or none\n"
    "--lookup\twith -b: run the contact-lookup program for new requesters\n"
    "Routing:\n"
    "--route\trun the store's rules file on the new tickets\n"
    "Other:\n"
    "-q, --quiet\tprint no ids\n"
    "-d, --dir dir\tthe store, created if missing\n"
    TK_COMMON_HELP;

#define BATCH 10000

struct rec {
	long lineno;
	char *data;		/* the record's text: the body points into it */
	char *body;
	size_t bodylen;
	size_t enc, enclen;	/* the ticket as stored, in the batch's enc */
	uint64_t id;
	char *err;		/* refused while reading: why */
};

/* A batch is read, checked and encoded by the reading thread (fill), then
 * written by the calling one (create_batch): ids, indexes, body, log. */
struct batch {
	struct rec *r;
	size_t n, cap;
	size_t bytes;		/* the records' text, read so far */
	tk_buf enc;
	char now_iso[21];	/* the time its tickets are made */
	time_t now;
	tk_rules *rules;	/* routing at intake, or NULL */
};

/* Batch mode's input, read in a second thread (tk_pipe), and its results. */
struct input {
	tk_store *st;
	const tk_assignments *common;
	int atomic, quiet, lookup;
	int preloaded;		/* the store's requesters known at the start (contact.c) */
	tk_rules *rules;
	tk_reader r;
	char **hdr;
	int *hf;
	size_t nhdr;
	int body_col;
	int nohdr;		/* the input had no header line */
	size_t created;
	int status;
	struct batch b[2];
	tk_assignments as;	/* the reading thread's: one record's, after common */
	tk_ticket tk;
};

static int
create_batch(tk_txn *t, void *arg)
{
	struct batch *b = arg;
	tk_ticket tk;
	size_t i;
	int rc = 0;

	/* The tickets' times and their create events' are the same. */
	t->now = b->now;
	memcpy(t->now_iso, b->now_iso, sizeof t->now_iso);
	tk_ticket_init(&tk);
	if (b->rules)
		tk_rules_begin(b->rules);
	for (i = 0; i < b->n; i++) {
		struct rec *r = &b->r[i];

		r->id = 0;
		if (r->err)
			continue;
		if (tk_ticket_insert(t, &tk, b->enc.p + r->enc, r->enclen, r->body, r->bodylen) < 0 ||
		    (b->rules && tk_route_ticket(b->rules, t, &tk) < 0)) {
			rc = TK_EXIT_FAIL;	/* a store error: the map is full, or worse */
			break;
		}
		r->id = tk.id;
	}
	tk_ticket_free(&tk);
	return rc;
}

/* Prints the new ids and the refused records of a committed batch. */
static void
report(struct batch *b, int quiet)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (b->r[i].err)
			tk_warn("stdin:%ld: %s", b->r[i].lineno, b->r[i].err);
		else if (!quiet && b->r[i].id)
			printf("%llu\n", (unsigned long long)b->r[i].id);
	}
}

static void
clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->r[i].data);
		free(b->r[i].err);
	}
	b->n = 0;
	b->bytes = 0;
	b->enc.len = 0;
}

static struct rec *
new_rec(struct batch *b, long lineno)
{
	struct rec *rec;

	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		b->r = tk_xrealloc(b->r, b->cap * sizeof *b->r);
	}
	rec = &b->r[b->n++];
	memset(rec, 0, sizeof *rec);
	rec->lineno = lineno;
	return rec;
}

static void
refuse(struct batch *b, long lineno, const char *why)
{
	struct rec *rec = new_rec(b, lineno);

	rec->err = tk_xstrdup(why);
}

/* The header line: the fields the records' columns set. 0, or -1 to stop. */
static int
read_header(struct input *in)
{
	tk_reader *r = &in->r;
	size_t i;
	int f;

	in->nhdr = r->nfields;
	in->hdr = tk_xmalloc(in->nhdr * sizeof *in->hdr);
	in->hf = tk_xmalloc(in->nhdr * sizeof *in->hf);
	memset(in->hdr, 0, in->nhdr * sizeof *in->hdr);	/* freed whole when a name is refused */
	for (i = 0; i < in->nhdr; i++) {
		f = tk_field_lookup(r->fields[i]);
		in->hf[i] = f;
		in->hdr[i] = tk_xstrdup(r->fields[i]);
		if (f == TK_F_BODY)
			in->body_col = (int)i;
		else if (f == TK_F_CUSTOM && !tk_field_name_ok(in->hdr[i])) {
			tk_error("stdin:%ld: %s: not a field name", r->lineno, in->hdr[i]);
			return -1;
		} else if (f == TK_F_CUSTOM) {
			tk_txn t;
			int rc;

			/* A column names a field the store knows, never makes one. */
			tk_field_name_lower(in->hdr[i]);
			if (tk_txn_read(in->st, &t) < 0)
				return -1;
			rc = tk_field_check(in->st, &t, "header", in->hdr[i]);
			tk_txn_end(&t);
			if (rc < 0) {
				tk_error("stdin:%ld: %s", r->lineno, tk_errmsg);
				return -1;
			}
		}
	}
	return 0;
}

static int fill_batch(struct input *in, struct batch *b, tk_txn *rt);

/* The reading thread: the next batch of records. */
static int
fill(void *slot, void *ctx)
{
	struct batch *b = slot;
	struct input *in = ctx;
	int rc;

	tk_txn rt;
	int snap;

	clear(b);
	b->now = tk_now();
	tk_time_iso(b->now, b->now_iso);
	/* The store as committed now: the requesters it knows (contact.c),
	 * unless they were all read in at the start. */
	snap = !in->preloaded && tk_txn_read(in->st, &rt) == 0;
	rc = fill_batch(in, b, snap ? &rt : NULL);
	if (snap)
		tk_txn_end(&rt);
	return rc;
}

static int
fill_batch(struct input *in, struct batch *b, tk_txn *rt)
{
	tk_reader *r = &in->r;
	struct rec *rec;
	size_t i;
	int rc;

	while (in->atomic || (b->n < BATCH && b->bytes < TK_BATCH_BYTES)) {
		rc = tk_reader_next(r);
		if (rc == 0)
			return 0;
		if (rc < 0) {
			if (!in->hdr) {
				tk_warn("stdin:%ld: %s", r->lineno, tk_errmsg);
				in->nohdr = 1;
				return 0;
			}
			refuse(b, r->lineno, tk_errmsg);
			continue;
		}
		if (!in->hdr) {
			if (r->nfields == 1 && !r->lens[0])
				continue;
			if (read_header(in) < 0) {
				tk_warn("%s", tk_errmsg);
				in->status = TK_EXIT_DATA;
				return 0;
			}
			continue;
		}
		if (r->header || (r->nfields == 1 && !r->lens[0]))
			continue;
		if (r->nfields != in->nhdr) {
			tk_error("%zu fields, the header names %zu", r->nfields, in->nhdr);
			refuse(b, r->lineno, tk_errmsg);
			continue;
		}
		rec = new_rec(b, r->lineno);
		/* The reader checked the text; the values stay in one copy of the record. */
		rec->data = tk_xmalloc(r->baselen);
		memcpy(rec->data, r->base, r->baselen);
		b->bytes += r->baselen;
		/* Operand assignments first, so a record's own columns win. */
		in->as.n = 0;
		for (i = 0; i < in->common->n; i++) {
			tk_assign_borrow(&in->as, in->common->a[i].field, in->common->a[i].name, in->common->a[i].value);
			in->as.a[i].op = in->common->a[i].op;
		}
		for (i = 0; i < in->nhdr; i++) {
			int f = in->hf[i];

			if (!r->lens[i])
				continue;
			if ((int)i == in->body_col) {
				rec->body = rec->data + (r->fields[i] - r->base);
				rec->bodylen = r->lens[i];
				continue;
			}
			/* Columns tk sets itself (id, updated, age...) are left out, so
			 * tk-ls -H output feeds tk-new -b. */
			if (f != TK_F_CUSTOM && tk_fields[f].readonly)
				continue;
			tk_assign_borrow(&in->as, f, in->hdr[i], rec->data + (r->fields[i] - r->base));
		}
		if (in->as.n == in->common->n && !rec->body)
			rc = tk_error("empty record");
		else
			rc = tk_ticket_prepare(&in->tk, &in->as, rec->body, rec->bodylen, TK_APPLY_BODY_CHECKED, b->now_iso);
		/* Its contact when the store knows it (else the writer's work),
		 * asked of the lookup program first with --lookup. */
		if (rc == 0 && (rc = tk_contact_intake_known(rt, &in->tk)) == 0 && in->lookup) {
			char *req = tk_xstrndup(in->tk.f[TK_F_REQUESTER].p, in->tk.f[TK_F_REQUESTER].n);

			tk_contact_lookup_first(in->st, rt, req);
			free(req);
		}
		if (rc > 0)
			rc = 0;
		if (rc < 0)
			rec->err = tk_xstrdup(tk_errmsg);
		else {
			rec->enc = b->enc.len;
			tk_ticket_encode_append(&in->tk, &b->enc);
			rec->enclen = b->enc.len - rec->enc;
		}
		tk_ticket_free(&in->tk);
	}
	return 1;
}

/* The calling thread: commit a batch, print its ids and its refused records. */
static int
drain(void *slot, int end, void *ctx)
{
	struct batch *b = slot;
	struct input *in = ctx;
	size_t i, refused = 0;
	int rc = 0;

	(void)end;
	if (in->status || in->nohdr || !b->n)
		return 0;
	for (i = 0; i < b->n; i++)
		refused += b->r[i].err != NULL;
	if (in->atomic && refused) {
		for (i = 0; i < b->n; i++)
			if (b->r[i].err)
				tk_warn("stdin:%ld: %s", b->r[i].lineno, b->r[i].err);
		tk_warn("--atomic: %zu bad records, nothing written", refused);
		in->status = TK_EXIT_DATA;
		return 0;
	}
	/* Every record was checked while reading: only the store can fail here. */
	b->rules = in->rules;
	rc = tk_store_write(in->st, create_batch, b);
	if (b->rules)
		tk_rules_end(b->rules, rc == 0);
	if (rc) {
		tk_warn("%s", tk_errmsg);
		tk_die(rc, "stopped after %zu tickets created; re-run with the rest", in->created);
	}
	tk_contacts_committed();
	report(b, in->quiet);
	for (i = 0; i < b->n; i++)
		in->created += b->r[i].id != 0;
	if (in->created)
		tk_cmd_unmake_on_exit(NULL);
	if (refused)
		in->status = TK_EXIT_DATA;
	tk_flush_stdout();
	return 0;
}

/* Batch mode: a header line naming the fields, then one ticket a record. */
static int
batch_mode(tk_store *st, const tk_assignments *common, int atomic, int quiet, int lookup, tk_rules *rules)
{
	struct input in;
	tk_pipe p;
	size_t i;

	memset(&in, 0, sizeof in);
	in.st = st;
	in.common = common;
	in.atomic = atomic;
	in.quiet = quiet;
	in.lookup = lookup;
	in.preloaded = tk_contacts_preload(st);
	in.rules = rules;
	in.body_col = -1;
	tk_reader_init(&in.r, stdin, "stdin");
	p.slot[0] = &in.b[0];
	p.slot[1] = &in.b[1];
	p.fill = fill;
	p.drain = drain;
	p.ctx = &in;
	tk_pipe_run(&p);
	if (in.nohdr || (!in.hdr && !in.status))
		tk_die(TK_EXIT_DATA, "stdin: no header line naming the fields");
	for (i = 0; i < 2; i++) {
		clear(&in.b[i]);
		free(in.b[i].r);
		tk_buf_free(&in.b[i].enc);
	}
	tk_assignments_free(&in.as);
	for (i = 0; i < in.nhdr; i++)
		free(in.hdr[i]);
	free(in.hdr);
	free(in.hf);
	tk_reader_free(&in.r);
	return in.status;
}

/* The rules of a one-ticket run, left to the exit like its store. */
static tk_rules *volatile kept;

struct one {
	tk_assignments *as;
	char *body;
	size_t len;
	uint64_t id;
	tk_rules *rules;
};

static int
create_one(tk_txn *t, void *arg)
{
	struct one *o = arg;
	tk_ticket tk;
	int rc;

	if (o->rules)
		tk_rules_begin(o->rules);
	rc = tk_ticket_create(t, &tk, o->as, o->body, o->len);
	o->id = tk.id;
	/* Routed in the transaction that makes it, its changes via route:RULE. */
	if (rc == 0 && o->rules && tk_route_ticket(o->rules, t, &tk) < 0) {
		tk_ticket_free(&tk);
		return TK_EXIT_FAIL;
	}
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
		{ "lookup", no_argument, NULL, 'L' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "route", no_argument, NULL, 'R' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	tk_assignments as = { 0 };
	const char *dir = NULL;
	int c, nopt, batch = 0, atomic = 0, quiet = 0, lookup = 0, route = 0, rc, i, nmsg = 0, subject = 0, existed;
	tk_buf msg = { 0 };
	struct one one = { &as, NULL, 0, 0, NULL };
	tk_rules *rules = NULL;
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
		case 'm':
			/* Several -m are paragraphs, as git commit -m takes them. */
			nmsg++;
			if (tk_blank(tk_opt_text("-m", optarg), strlen(optarg)))
				break;
			if (msg.len)
				tk_buf_adds(&msg, "\n\n");
			tk_buf_adds(&msg, optarg);
			break;
		case 'b': batch = 1; break;
		case 'A': atomic = 1; break;
		case 'L': lookup = 1; break;
		case 'q': quiet = 1; break;
		case 'R': route = 1; break;
		case 'd': dir = tk_opt_once("-d", dir, optarg); break;
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
	tk_cmd_assignments(&as, 1);
	if (atomic && !batch)
		tk_die(TK_EXIT_USAGE, "--atomic goes with -b");
	if (lookup && !batch)
		tk_die(TK_EXIT_USAGE, "--lookup goes with -b (one ticket's new requester is always looked up)");
	tk_opt_conflict("-b", batch, "-m", nmsg);
	for (i = 0; i < (int)as.n; i++)
		subject |= as.a[i].field == TK_F_SUBJECT;
	if (!batch && !subject)
		tk_die(TK_EXIT_USAGE, "a ticket needs a subject: give -s subject or subject=...");
	if (batch)
		tk_cmd_bulk_memory();
	/* The rules are read before the store is made, and a broken file
	 * stops everything before it is (DESIGN.md 9). */
	existed = tk_store_exists(tk_store_path(dir));
	if (!existed)
		rules = tk_rules_intake(NULL, tk_store_path(dir), route, batch ? TK_ROUTE_BULK : 0);
	if (batch) {
		/* A store this run makes is taken back if the run writes nothing
		 * (no header, a refused one, every record refused). */
		if (!tk_store_exists(tk_store_path(dir)))
			tk_cmd_unmake_on_exit(tk_store_path(dir));
		st = tk_cmd_store_assign(dir, TK_OPEN_CREATE, &as);
		if (!tk_settings_get(st->dir))
			tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
		if (existed)
			rules = tk_rules_intake(st, st->dir, route, TK_ROUTE_BULK);
		tk_store_bulk(st);
		rc = batch_mode(st, &as, atomic, quiet, lookup, rules);
		tk_rules_free(rules);
		if (tk_store_sync(st) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		tk_cmd_leave(st);
		tk_assignments_free(&as);
		tk_flush_stdout();
		return rc;
	}
	if (nmsg) {
		one.body = msg.p ? msg.p : tk_xstrdup("");
		one.len = msg.len;
	} else if (!isatty(STDIN_FILENO)) {
		one.body = tk_read_all(stdin, "stdin", &one.len);
		while (one.len && one.body[one.len - 1] == '\n')
			one.len--;
	}
	st = tk_cmd_store_assign(dir, TK_OPEN_CREATE, &as);
	if (existed)
		rules = tk_rules_intake(st, st->dir, route, 0);
	one.rules = rules;
	/* A requester never seen: the contact-lookup program, before the
	 * write transaction (never while holding the store's lock). */
	for (i = 0; i < (int)as.n; i++)
		if (as.a[i].field == TK_F_REQUESTER)
			tk_contact_lookup_first(st, NULL, as.a[i].value);
	rc = tk_store_write(st, create_one, &one);
	if (rules)
		tk_rules_end(rules, rc == 0);
	if (rc)
		tk_die(rc, "%s", tk_errmsg);
	kept = rules;	/* (freed by the exit, as the store is: tk_cmd_leave) */
	if (!quiet)
		printf("%llu\n", (unsigned long long)one.id);
	tk_cmd_leave(st);
	tk_assignments_free(&as);
	free(one.body);
	tk_flush_stdout();
	return 0;
}
