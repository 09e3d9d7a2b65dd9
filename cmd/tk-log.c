/* tk-log - the event log as records; the change feed for other systems. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk-log [-fHt] [--table] [--json] [-d dir] [--since time] [--until time]\n"
    "              [--after seq] [id ...]\n"
    "\n"
    "Prints the event log as records, oldest first: every change to every\n"
    "ticket, or with ids only those tickets' changes (agent:LOGIN,\n"
    "team:NAME: the changes to an agent or a team; config:workflow,\n"
    "config:fields: tk-config apply's); on a terminal, a table.\n"
    "\n"
    "Selecting:\n"
    "--since time\tevents at or after the time; 3d: three days ago\n"
    "--until time\tevents at or before the time\n"
    "--after seq\tevents numbered after seq, to resume a feed\n"
    "-f, --follow\twait for new events and print them\n"
    "Output:\n"
    "-H, --header\ta '#' header line first\n"
    "-t, --tsv\trecords even on a terminal\n"
    "--table\tthe aligned table even when not on a terminal\n"
    "--json\tJSON lines, one object an event\n"
    "Other:\n"
    "-d, --dir dir\tthe store (else $TK_DIR, else ~/.local/share/tk)\n"
    TK_COMMON_HELP;

static const char *const columns[] = { "id", "time", "actor", "field", "old", "new", "seq", "via" };
#define NCOLS 8

struct opts {
	char since[21], until[21];
	int json;
	tk_output *out;		/* records or the table */
	tk_buf shown;		/* a create event's fields as the table shows them */
	uint64_t after, last;
	long printed;
};

/* A record, or a row of the table: its times local, a changed time field's
 * values too, a create event's fields two spaces apart. The columns are
 * found by name, so one added to the record shows with no more work. */
static void
show(struct opts *o, const tk_event *ev, tk_str *f)
{
	int kinds[NCOLS], field, create;
	size_t i;

	if (o->out->fmt != TK_FMT_TABLE) {
		tk_output_row(o->out, f, NULL);
		return;
	}
	field = tk_field_lookup_n(ev->field.p, ev->field.n);
	create = tk_str_eq(ev->field, "create");
	for (i = 0; i < NCOLS; i++) {
		kinds[i] = -1;
		if (!strcmp(columns[i], "time"))
			kinds[i] = TK_K_TIME;
		else if (!strcmp(columns[i], "old") || !strcmp(columns[i], "new")) {
			if (field >= 0 && tk_fields[field].kind == TK_K_TIME)
				kinds[i] = TK_K_TIME;
			if (create && !strcmp(columns[i], "new")) {
				o->shown.len = 0;
				tk_summary_for_people(&o->shown, f[i], 1);
				f[i] = (tk_str){ o->shown.p ? o->shown.p : "", o->shown.len };
			}
		}
	}
	tk_output_row(o->out, f, kinds);
}

static void
print_event(struct opts *o, const tk_event *ev)
{
	char id[24], seq[24];
	tk_str f[NCOLS];
	tk_buf b = { 0 };
	size_t i;

	if ((o->since[0] && memcmp(ev->time.p, o->since, 20) < 0) ||
	    (o->until[0] && memcmp(ev->time.p, o->until, 20) > 0))
		return;
	snprintf(id, sizeof id, "%llu", (unsigned long long)ev->ticket);
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)ev->seq);
	/* an event about an agent or a team: its typed key (DESIGN.md 3) */
	f[0] = !ev->ticket && ev->key.n ? ev->key : TK_STR(id);
	f[1] = ev->time;
	f[2] = ev->actor;
	f[3] = ev->field;
	f[4] = ev->old;
	f[5] = ev->new;
	f[6] = TK_STR(seq);
	f[7] = ev->via;
	o->printed++;
	if (!o->json) {
		show(o, ev, f);
		return;
	}
	tk_buf_addc(&b, '{');
	for (i = 0; i < NCOLS; i++) {
		if (i)
			tk_buf_addc(&b, ',');
		tk_json_string(&b, columns[i], strlen(columns[i]));
		tk_buf_addc(&b, ':');
		if ((i == 0 && ev->ticket) || i == 6)
			tk_buf_add(&b, f[i].p, f[i].n);
		else
			tk_json_string(&b, f[i].p, f[i].n);
	}
	tk_buf_adds(&b, "}\n");
	tk_term_write(stdout, b.p, b.len);
	tk_buf_free(&b);
}

/* Every event after o->after, in order. */
static int
all_events(tk_txn *t, struct opts *o)
{
	unsigned char kb[8];
	MDB_cursor *c;
	MDB_val k = { 8, kb }, v;
	tk_event ev;
	int rc;

	tk_put_u64(kb, o->after + 1);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_LOG], &c)))
		return tk_mdb_error(rc, "log");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint64_t seq = tk_get_u64(k.mv_data);

		if (tk_event_decode(&ev, seq, v.mv_data, v.mv_size) < 0 || tk_event_complete(t, &ev) < 0) {
			mdb_cursor_close(c);
			return -1;
		}
		print_event(o, &ev);
		o->last = seq;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : tk_mdb_error(rc, "log");
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The events of some tickets (and of keys: agent:LOGIN, team:NAME),
 * merged in sequence order. */
static int
ticket_events(tk_txn *t, struct opts *o, const tk_ids *ids, char **keys, size_t nkeys)
{
	tk_ids seqs = { 0 };
	unsigned char kb[8];
	MDB_cursor *c;
	MDB_val k, d;
	tk_event ev;
	size_t i;
	int rc, db;

	for (db = 0; db < 2; db++) {
		if ((rc = mdb_cursor_open(t->txn, t->st->dbi[db ? TK_DB_LOG_KEY : TK_DB_LOG_TICKET], &c)))
			return tk_mdb_error(rc, db ? "log_key" : "log_ticket");
		for (i = 0; i < (db ? nkeys : ids->n); i++) {
			k.mv_size = db ? strlen(keys[i]) : 8;
			k.mv_data = db ? (void *)keys[i] : kb;
			if (!db)
				tk_put_u64(kb, ids->v[i]);
			for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_KEY); rc == 0;
			    rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_DUP))
				if (tk_get_u64(d.mv_data) > o->after)
					tk_ids_add(&seqs, tk_get_u64(d.mv_data));
		}
		mdb_cursor_close(c);
	}
	if (seqs.n)
		qsort(seqs.v, seqs.n, sizeof *seqs.v, cmp_u64);
	for (i = 0; i < seqs.n; i++) {
		if (i && seqs.v[i] == seqs.v[i - 1])
			continue;
		if (tk_event_get(t, seqs.v[i], &ev) > 0)
			print_event(o, &ev);
		o->last = seqs.v[i];
	}
	tk_ids_free(&seqs);
	return 0;
}

static void
parse_time(const char *opt, const char *arg, char out[21])
{
	time_t when;
	long long d;

	/* "--since 1h" means the last hour, as in git log. */
	if (tk_duration_parse(arg, &d) == 0)
		when = tk_now() - (d < 0 ? -d : d);
	else if (tk_time_parse(arg, &when, NULL) < 0)
		tk_die(TK_EXIT_USAGE, "%s %s", opt, tk_errmsg);
	tk_time_iso(when, out);
}

/* The ids that name no ticket, each said on stderr: how many. */
static int
no_tickets(tk_store *st, const tk_ids *ids)
{
	MDB_val v;
	size_t i;
	int n = 0, rc;
	tk_txn t;

	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	for (i = 0; i < ids->n; i++) {
		if ((rc = tk_get_id(&t, TK_DB_TICKETS, ids->v[i], &v)) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		if (!rc) {
			tk_warn("ticket %llu: no such ticket", (unsigned long long)ids->v[i]);
			n++;
		}
	}
	tk_txn_end(&t);
	return n;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "after", required_argument, NULL, 'A' },
		{ "follow", no_argument, NULL, 'f' },
		{ "header", no_argument, NULL, 'H' },
		{ "tsv", no_argument, NULL, 't' },
		{ "table", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *since = NULL, *until = NULL, *after = NULL;
	struct opts o = { 0 };
	int c, follow = 0, header = 0, tsv = 0, table = 0, i, missing = 0;
	tk_buf cols = { 0 };
	tk_output out;
	tk_ids ids = { 0 };
	char **keys = tk_xmalloc((size_t)argc * sizeof *keys);
	size_t nkeys = 0;
	uint64_t id;
	tk_store *st;
	tk_txn t;
	char *end;

	tk_cmd_start(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "fHtd:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'S':
			since = tk_opt_once("--since", since, optarg);
			parse_time("--since", optarg, o.since);
			break;
		case 'U':
			until = tk_opt_once("--until", until, optarg);
			parse_time("--until", optarg, o.until);
			break;
		case 'A':
			after = tk_opt_once("--after", after, optarg);
			errno = 0;
			o.after = strtoull(optarg, &end, 10);
			if (!isdigit((unsigned char)*optarg) || *end || errno)
				tk_die(TK_EXIT_USAGE, "--after %s: not a sequence number", optarg);
			break;
		case 'f': follow = 1; break;
		case 'H': header = 1; break;
		case 't': tsv = 1; break;
		case 'T': table = 1; break;
		case 'J': o.json = 1; break;
		case 'd': dir = tk_opt_once("-d", dir, optarg); break;
		default: tk_common_option(c);
		}
	}
	tk_opt_conflict("--follow", follow, "--until", until != NULL);
	if (since && until && strcmp(o.since, o.until) > 0)
		tk_die(TK_EXIT_USAGE, "--since %s (%s) is after --until %s (%s): no event can match",
		    since, o.since, until, o.until);
	for (i = optind; i < argc; i++) {
		if (!strncmp(argv[i], "agent:", 6) || !strncmp(argv[i], "team:", 5) || !strncmp(argv[i], "config:", 7)) {
			keys[nkeys++] = argv[i];
			continue;
		}
		if (tk_id_parse(argv[i], strlen(argv[i]), &id) < 0)
			tk_die(TK_EXIT_USAGE, "%s: not a ticket id (nor agent:LOGIN, team:NAME, config:FILE)", argv[i]);
		tk_ids_add(&ids, id);
	}
	if (tk_output_conflict(tsv, table, o.json, header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	for (i = 0; i < NCOLS; i++)
		tk_buf_printf(&cols, "%s%s", i ? "," : "", columns[i]);
	if (tk_output_init(&out, tk_output_choose(tsv, table, o.json), cols.p, header) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_buf_free(&cols);
	o.out = &out;
	st = tk_cmd_store(dir, TK_OPEN_READ);
	if (ids.n)
		missing = no_tickets(st, &ids);
	for (;;) {
		if (tk_txn_read(st, &t) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		if ((ids.n || nkeys ? ticket_events(&t, &o, &ids, keys, nkeys) : all_events(&t, &o)) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		tk_txn_end(&t);
		if (o.last > o.after)
			o.after = o.last;
		tk_output_flush(&out);
		tk_flush_stdout();
		if (!follow)
			break;
		sleep(1);
	}
	/* A person sees a message for an empty table, not nothing at all. */
	if (!o.printed && out.fmt == TK_FMT_TABLE)
		tk_warn("no events match");
	tk_output_free(&out);
	tk_buf_free(&o.shown);
	tk_cmd_leave(st);
	tk_ids_free(&ids);
	free(keys);
	return missing || !(o.printed || (header && out.fmt == TK_FMT_TSV)) ? TK_EXIT_NOMATCH : TK_EXIT_OK;
}
