/* tk-show - everything about tickets: fields, body, comments, history. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk-show [--json] [-d dir] [--no-history] [id ...]\n"
    "\n"
    "Prints everything about each ticket given or read from standard input:\n"
    "the customer, its fields, body, replies and notes, and history; times local\n"
    "on a terminal.\n"
    "\n"
    "Options:\n"
    "--json\tJSON lines, one object a ticket, as tk-export --format json prints\n"
    "--no-history\tleave out the history\n"
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

static int
comment(const tk_comment *c, void *arg)
{
	char buf[32];
	tk_str t = when(c->time, buf);

	(void)arg;
	printf("\n--- %s %u by ", c->internal ? "internal note" : "reply", c->n);
	tk_term_write(stdout, c->author.p, c->author.n);
	printf(", %.*s\n", (int)t.n, t.p);
	tk_term_write(stdout, c->body.p, c->body.n);
	fputc('\n', stdout);
	return 0;
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
	tk_buf who = { 0 };
	size_t i;

	/* Who asks, first: the customer's name, org, tier, open and last tickets. */
	tk_contact_line(t, tk, &who);
	if (who.len) {
		fputs("Customer: ", stdout);
		tk_term_write(stdout, who.p, who.len);
		fputc('\n', stdout);
	}
	tk_buf_free(&who);
	printf("Ticket %llu: ", (unsigned long long)tk->id);
	tk_term_write(stdout, tk->f[TK_F_SUBJECT].p, tk->f[TK_F_SUBJECT].n);
	fputc('\n', stdout);
	for (i = 1; i < TK_F_NSTORED; i++)
		if (i != TK_F_SUBJECT)
			field(tk_fields[i].name, tk_fields[i].kind, tk->f[i]);
	for (i = 0; i < tk->ncustom; i++) {
		char *name = tk_xstrndup(tk->custom[i].name.p, tk->custom[i].name.n);

		field(name, TK_K_TEXT, tk->custom[i].value);
		free(name);
	}
	if (tk_ticket_body(t, tk) == 0 && tk->body.n) {
		fputc('\n', stdout);
		tk_term_write(stdout, tk->body.p, tk->body.n);
		fputc('\n', stdout);
	}
	tk_comment_each(t, tk->id, comment, NULL);
	if (with_history)
		history(t, tk->id);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-history", no_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'J' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL;
	int c, status = 0, with_history = 1, json = 0, rc;
	tk_json_with with = { 1, 1 };
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
		case 'd': dir = optarg; break;
		default: tk_common_option(c);
		}
	}
	if (tk_cmd_ids(&ids, argc - optind, argv + optind))
		status = TK_EXIT_DATA;
	local = !json && isatty(STDOUT_FILENO);
	st = tk_cmd_store(dir, TK_OPEN_READ);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	/* JSON lines as tk-export --format json --with comments,history
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
