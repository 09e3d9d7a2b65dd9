/* tk-show - everything about tickets: fields, body, comments, history. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static const char usage[] =
    "tk-show [-d dir] [--no-history] [id ...]\n";

static void
field(const char *name, tk_str v)
{
	if (!v.n)
		return;
	printf("%-15s ", name);
	fputc(' ', stdout);
	tk_term_write(stdout, v.p, v.n);
	fputc('\n', stdout);
}

static int
comment(const tk_comment *c, void *arg)
{
	(void)arg;
	printf("\n--- %s %u by ", c->internal ? "internal note" : "reply", c->n);
	tk_term_write(stdout, c->author.p, c->author.n);
	printf(", %.*s\n", (int)c->time.n, c->time.p);
	tk_term_write(stdout, c->body.p, c->body.n);
	fputc('\n', stdout);
	return 0;
}

/* One line an event; a value with newlines or tabs is shown escaped. */
static void
history(tk_txn *t, uint64_t id)
{
	unsigned char kb[8];
	MDB_cursor *c;
	MDB_val k = { 8, kb }, d;
	tk_event ev;
	tk_buf b = { 0 };
	int rc;

	tk_put_u64(kb, id);
	if (mdb_cursor_open(t->txn, t->st->dbi[TK_DB_LOG_TICKET], &c))
		return;
	printf("\n--- history\n");
	for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_KEY); rc == 0;
	    rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_DUP)) {
		if (tk_event_get(t, tk_get_u64(d.mv_data), &ev) <= 0)
			continue;
		b.len = 0;
		tk_buf_add(&b, ev.time.p, ev.time.n);
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
}

static void
show(tk_txn *t, tk_ticket *tk, int with_history)
{
	size_t i;

	printf("Ticket %llu: ", (unsigned long long)tk->id);
	tk_term_write(stdout, tk->f[TK_F_SUBJECT].p, tk->f[TK_F_SUBJECT].n);
	fputc('\n', stdout);
	for (i = 1; i < TK_F_NSTORED; i++)
		if (i != TK_F_SUBJECT)
			field(tk_fields[i].name, tk->f[i]);
	for (i = 0; i < tk->ncustom; i++) {
		char *name = tk_xstrndup(tk->custom[i].name.p, tk->custom[i].name.n);

		field(name, tk->custom[i].value);
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
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL;
	int c, status = 0, with_history = 1, rc;
	tk_ids ids = { 0 };
	tk_ticket tk;
	tk_store *st;
	tk_txn t;
	size_t i;

	tk_cmd_start(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'N': with_history = 0; break;
		case 'd': dir = optarg; break;
		default: tk_common_option(c);
		}
	}
	if (tk_cmd_ids(&ids, argc - optind, argv + optind))
		status = TK_EXIT_DATA;
	st = tk_cmd_store(dir, TK_OPEN_READ);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	for (i = 0; i < ids.n; i++) {
		tk_ticket_init(&tk);
		rc = tk_ticket_get(&t, ids.v[i], &tk, 0);
		if (rc <= 0) {
			tk_warn("ticket %llu: %s", (unsigned long long)ids.v[i], rc ? tk_errmsg : "no such ticket");
			if (!status)
				status = rc ? TK_EXIT_FAIL : TK_EXIT_NOMATCH;
		} else {
			if (i)
				fputc('\n', stdout);
			show(&t, &tk, with_history);
		}
		tk_ticket_free(&tk);
	}
	tk_txn_end(&t);
	tk_cmd_leave(st);
	tk_ids_free(&ids);
	tk_flush_stdout();
	return status;
}
