/* tk-show - everything about tickets: fields, links, body, comments, history. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk-show [--json] [-d dir] [--no-history] [id ...]\n"
    "       tk-show [-d dir] --attachment aN | --raw mN\n"
    "\n"
    "Prints everything about each ticket given or read from standard input:\n"
    "its fields, the links to it, its body, its replies and notes in the order\n"
    "they were written, and its history; times local on a terminal.\n"
    "\n"
    "Options:\n"
    "--json\tJSON lines, one object a ticket, as tk-export --format json prints\n"
    "--no-history\tleave out the history\n"
    "--attachment aN\twrite the bytes of attachment aN (tk-mail) to standard output\n"
    "--raw mN\twrite mail mN as it was received\n"
    "-d, --dir dir\tthe store (else $TK_DIR, else ~/.local/share/tk)\n"
    TK_COMMON_HELP;

/* On a terminal times are shown local; piped, as stored (ISO UTC). */
static int local;

static tk_str
when(tk_str v, char buf[32])
{
	return local ? tk_time_for_people(v, buf) : v;
}

static void
field(const char *name, int kind, tk_str v)
{
	char buf[32];

	if (!v.n)
		return;
	if (kind == TK_K_TIME)
		v = when(v, buf);
	printf("%-15s ", name);
	fputc(' ', stdout);
	tk_term_write(stdout, v.p, v.n);
	fputc('\n', stdout);
}

/* The mails and attachments of the ticket being shown (tk-mail). */
struct file {
	int kind;
	uint32_t n;
	uint64_t id;
};
static struct file *files;
static size_t nfiles;
static tk_txn *files_txn;

static int
gather_file(int kind, uint32_t n, uint64_t id, void *arg)
{
	(void)arg;
	files = tk_xrealloc(files, (nfiles + 1) * sizeof *files);
	files[nfiles].kind = kind;
	files[nfiles].n = n;
	files[nfiles++].id = id;
	return 0;
}

/* "mail m5" and "attachment a3  name  type  size" under comment n (0: the body). */
static void
list_files(uint32_t n)
{
	tk_mailfile f;
	size_t i;

	for (i = 0; i < nfiles; i++) {
		if (files[i].n != n)
			continue;
		if (files[i].kind == 'm' && tk_mail_raw_get(files_txn, files[i].id, &f) > 0)
			printf("mail m%llu (%zu bytes)\n", (unsigned long long)files[i].id, f.len);
		else if (files[i].kind == 'a' && tk_attach_get(files_txn, files[i].id, &f) > 0) {
			printf("attachment a%llu  ", (unsigned long long)files[i].id);
			tk_term_write(stdout, f.name.p, f.name.n);
			fputs("  ", stdout);
			tk_term_write(stdout, f.type.p, f.type.n);
			printf("  %zu bytes\n", f.len);
		}
	}
}

static void
comment(const tk_comment *c)
{
	char buf[32];
	tk_str t = when(c->time, buf);

	printf("\n--- %s %u by ", c->internal ? "internal note" : "reply", c->n);
	tk_term_write(stdout, c->author.p, c->author.n);
	printf(", %.*s", (int)t.n, t.p);
	if (c->from)
		printf(" (from #%llu)", (unsigned long long)c->from);
	fputc('\n', stdout);
	tk_term_write(stdout, c->body.p, c->body.n);
	fputc('\n', stdout);
	list_files(c->n);
}

static int
gather(const tk_comment *c, void *arg)
{
	tk_buf *b = arg;

	tk_buf_add(b, c, sizeof *c);
	return 0;
}

/* A thread in the order it was written: by time, then number (a merge
 * appends comments older than the ones before them). */
static int
by_time(const void *a, const void *b)
{
	const tk_comment *x = a, *y = b;
	int c = memcmp(x->time.p, y->time.p, x->time.n < y->time.n ? x->time.n : y->time.n);

	return c ? c : x->n < y->n ? -1 : x->n > y->n;
}

static void
thread(tk_txn *t, uint64_t id)
{
	tk_buf b = { 0 };
	tk_comment *c;
	size_t i, n;

	/* (the comments point into the map, which holds still while t reads) */
	if (tk_comment_each(t, id, gather, &b) < 0)
		tk_warn("ticket %llu: %s", (unsigned long long)id, tk_errmsg);
	c = (tk_comment *)b.p;
	n = b.len / sizeof *c;
	if (n)
		qsort(c, n, sizeof *c, by_time);
	for (i = 0; i < n; i++)
		comment(&c[i]);
	tk_buf_free(&b);
}

/* The links others hold to this ticket (links both ways, linkdb.c). */
static void
links(tk_txn *t, uint64_t id)
{
	static const struct {
		const char *rel, *label;
	} back[] = {
		{ "child", "children" }, { "duplicate", "duplicates" }, { "merged_from", "merged_from" },
	};
	tk_ids ids = { 0 };
	tk_buf b = { 0 };
	size_t i, k;

	for (i = 0; i < sizeof back / sizeof *back; i++) {
		ids.n = 0;
		if (tk_links_get(t, id, back[i].rel, &ids) < 0 || !ids.n)
			continue;
		b.len = 0;
		for (k = 0; k < ids.n; k++)
			tk_buf_printf(&b, "%s%llu", k ? "," : "", (unsigned long long)ids.v[k]);
		field(back[i].label, TK_K_SET, (tk_str){ b.p, b.len });
	}
	tk_ids_free(&ids);
	tk_buf_free(&b);
}

/* One line an event; a value with newlines or tabs is shown escaped, a
 * create event's fields two spaces apart. */
static void
history(tk_txn *t, uint64_t id)
{
	unsigned char kb[8];
	MDB_cursor *c;
	MDB_val k = { 8, kb }, d;
	tk_event ev;
	tk_buf b = { 0 }, first = { 0 };
	char tbuf[32], obuf[32], nbuf[32];
	tk_str tm;
	int rc, f;

	tk_put_u64(kb, id);
	if (mdb_cursor_open(t->txn, t->st->dbi[TK_DB_LOG_TICKET], &c))
		return;
	printf("\n--- history\n");
	for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_KEY); rc == 0;
	    rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_DUP)) {
		if (tk_event_get(t, tk_get_u64(d.mv_data), &ev) <= 0)
			continue;
		f = tk_field_lookup_n(ev.field.p, ev.field.n);
		if (f >= 0 && tk_fields[f].kind == TK_K_TIME) {
			ev.old = when(ev.old, obuf);
			ev.new = when(ev.new, nbuf);
		} else if (tk_str_eq(ev.field, "create")) {
			first.len = 0;
			tk_summary_for_people(&first, ev.new, local);
			ev.new = (tk_str){ first.p ? first.p : "", first.len };
		}
		b.len = 0;
		tm = when(ev.time, tbuf);
		tk_buf_add(&b, tm.p, tm.n);
		tk_buf_adds(&b, "  ");
		tk_buf_add(&b, ev.actor.p, ev.actor.n);
		tk_buf_adds(&b, "  ");
		tk_buf_add(&b, ev.field.p, ev.field.n);
		if (ev.old.n || ev.new.n) {
			tk_buf_adds(&b, "  ");
			if (ev.old.n) {
				tk_rec_escape(&b, ev.old.p, ev.old.n);
				tk_buf_adds(&b, " -> ");
			}
			tk_rec_escape(&b, ev.new.p, ev.new.n);
		}
		/* What made the change, when not a person at the command line. */
		if (ev.via.n && !tk_str_eq(ev.via, "cli")) {
			tk_buf_adds(&b, "  (via ");
			tk_buf_add(&b, ev.via.p, ev.via.n);
			tk_buf_addc(&b, ')');
		}
		tk_buf_addc(&b, '\n');
		tk_term_write(stdout, b.p, b.len);
	}
	mdb_cursor_close(c);
	tk_buf_free(&b);
	tk_buf_free(&first);
}

static void
show(tk_txn *t, tk_ticket *tk, int with_history)
{
	size_t i;

	printf("Ticket %llu: ", (unsigned long long)tk->id);
	tk_term_write(stdout, tk->f[TK_F_SUBJECT].p, tk->f[TK_F_SUBJECT].n);
	fputc('\n', stdout);
	if (tk->f[TK_F_MERGED_INTO].n)
		printf("merged into %.*s (its replies and notes went there)\n", (int)tk->f[TK_F_MERGED_INTO].n,
		    tk->f[TK_F_MERGED_INTO].p);
	for (i = 1; i < TK_F_NSTORED; i++)
		if (i != TK_F_SUBJECT)
			field(tk_fields[i].name, tk_fields[i].kind, tk->f[i]);
	links(t, tk->id);
	for (i = 0; i < tk->ncustom; i++) {
		char *name = tk_xstrndup(tk->custom[i].name.p, tk->custom[i].name.n);

		field(name, TK_K_TEXT, tk->custom[i].value);
		free(name);
	}
	nfiles = 0;
	files_txn = t;
	tk_mail_files_each(t, tk->id, gather_file, NULL);
	if (tk_ticket_body(t, tk) == 0 && tk->body.n) {
		fputc('\n', stdout);
		tk_term_write(stdout, tk->body.p, tk->body.n);
		fputc('\n', stdout);
	}
	list_files(0);
	thread(t, tk->id);
	if (with_history)
		history(t, tk->id);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-history", no_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'J' },
		{ "attachment", required_argument, NULL, 'A' },
		{ "raw", required_argument, NULL, 'M' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *attach = NULL, *raw = NULL;
	int c, status = 0, with_history = 1, json = 0, rc;
	tk_json_with with = { 1, 1, 1 };
	char *cols = NULL;
	tk_output out;
	tk_ids ids = { 0 };
	tk_ticket tk;
	tk_store *st;
	tk_txn t;
	size_t i;

	tk_cmd_start(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'N': with_history = 0; break;
		case 'J': json = 1; break;
		case 'A': attach = tk_opt_once("--attachment", attach, optarg); break;
		case 'M': raw = tk_opt_once("--raw", raw, optarg); break;
		case 'd': dir = tk_opt_once("-d", dir, optarg); break;
		default: tk_common_option(c);
		}
	}
	if (attach || raw) {
		tk_mailfile f;
		uint64_t fid;

		tk_opt_conflict("--attachment", attach != NULL, "--raw", raw != NULL);
		if (optind < argc)
			tk_die(TK_EXIT_USAGE, "%s: no ticket ids with %s", argv[optind], attach ? "--attachment" : "--raw");
		if (!tk_typed_id(attach ? attach : raw, attach ? 'a' : 'm', &fid))
			tk_die(TK_EXIT_USAGE, "%s: not %s id (%s)", attach ? attach : raw,
			    attach ? "an attachment" : "a mail", attach ? "a3" : "m5");
		st = tk_cmd_store(dir, TK_OPEN_READ);
		if (tk_txn_read(st, &t) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		rc = attach ? tk_attach_get(&t, fid, &f) : tk_mail_raw_get(&t, fid, &f);
		if (rc < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		if (!rc)
			tk_die(TK_EXIT_NOMATCH, "%s: no such %s", attach ? attach : raw, attach ? "attachment" : "mail");
		if (f.len && fwrite(f.data, 1, f.len, stdout) != f.len)
			tk_die(TK_EXIT_FAIL, "stdout: %s", strerror(errno));
		tk_txn_end(&t);
		tk_cmd_leave(st);
		tk_flush_stdout();
		return 0;
	}
	if (tk_cmd_ids(&ids, argc - optind, argv + optind))
		status = TK_EXIT_DATA;
	local = !json && isatty(STDOUT_FILENO);
	st = tk_cmd_store(dir, TK_OPEN_READ);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	/* JSON lines as tk-export --format json --with comments,history,links
	 * gives them (--no-history leaves the history out there too). */
	if (json) {
		cols = tk_output_all_columns(&t);
		if (tk_output_init(&out, TK_FMT_JSON, cols, 0) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		with.history = with_history;
		out.json_extra = tk_json_extra;
		out.json_arg = &with;
	}
	for (i = 0; i < ids.n; i++) {
		tk_ticket_init(&tk);
		rc = tk_ticket_get(&t, ids.v[i], &tk, 0);
		if (rc <= 0) {
			tk_warn("ticket %llu: %s", (unsigned long long)ids.v[i], rc ? tk_errmsg : "no such ticket");
			if (!status)
				status = rc ? TK_EXIT_FAIL : TK_EXIT_NOMATCH;
		} else if (json)
			tk_output_ticket(&out, &t, &tk);
		else {
			if (i)
				fputc('\n', stdout);
			show(&t, &tk, with_history);
		}
		tk_ticket_free(&tk);
	}
	if (json)
		tk_output_free(&out);
	free(cols);
	tk_txn_end(&t);
	tk_cmd_leave(st);
	tk_ids_free(&ids);
	tk_flush_stdout();
	return status;
}
