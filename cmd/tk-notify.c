/* tk-notify - send notices about tickets: mail through sendmail(1), or a hook. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk-notify [-qHt] [--table] [--json] [-d dir] [--during calendar]\n"
    "          [--template name] [--timeout seconds] --to who [id ...]\n"
    "       tk-notify [-qHt] [--table] [--json] [-d dir] [--during calendar]\n"
    "          [--template name] [--timeout seconds] [id ...]\n"
    "          --exec command [argument ...]\n"
    "       tk-notify [-qHt] [--table] [--json] [-d dir] [--timeout seconds] --flush\n"
    "       tk-notify [-Ht] [--table] [--json] [-d dir] --queue\n"
    "       tk-notify [-d dir] --drop notice\n"
    "\n"
    "Sends a notice about each ticket given, or each record read from standard\n"
    "input: a mail through sendmail ($TK_SENDMAIL), or a hook run with the\n"
    "ticket in its environment. Each notice is queued in the store first; one\n"
    "that cannot be sent stays queued, and the next run sends it. Prints\n"
    "\"id action detail\" for each: sent, held, failed or skipped.\n"
    "\n"
    "Notice:\n"
    "--to who\tmail assignee, requester, watchers, lead, or an address;\n"
    "\tseveral, comma-separated or repeated (requester alone)\n"
    "--exec command\trun command with its arguments (the rest of the line)\n"
    "--template name\tthe text: a name in $TK_DIR/templates, or a path with a /\n"
    "--during calendar\thold notices until the calendar's hours (calendars)\n"
    "--timeout seconds\tthe longest sendmail or the hook may take (60)\n"
    "Queue:\n"
    "--flush\tsend what is queued and due; read no ticket\n"
    "--queue\tlist the queued notices\n"
    "--drop notice\ttake a notice (n12) out of the queue, unsent\n"
    "Output:\n"
    "-q, --quiet\tprint nothing\n"
    "-H, --header\tprint a header line first\n"
    "-t, --tsv\trecords even on a terminal\n"
    "--table\tthe aligned table even when not on a terminal\n"
    "--json\tJSON lines, one object a notice\n"
    "Other:\n"
    "-d, --dir dir\tthe store (else $TK_DIR, else ~/.local/share/tk)\n"
    TK_COMMON_HELP;

struct run {
	tk_output out;
	int quiet;
	int status;
	uint64_t first_new;	/* seqs from here are this run's own */
	char **done;		/* this run's notices: their outcome, by seq - first_new */
	size_t ndone;
};

static void
row(struct run *r, const char *id, const char *action, const char *detail)
{
	tk_str v[3] = { TK_STR(id), TK_STR(action), TK_STR(detail ? detail : "") };

	if (!r->quiet)
		tk_output_row(&r->out, v, NULL);
}

static void
set_status(struct run *r, int code)
{
	if (code > r->status)
		r->status = code;
}

/* A notice sent or failed: an older one printed now, this run's kept for
 * its record's turn. */
static void
report(const tk_notice *nt, int ok, const char *error, void *arg)
{
	struct run *r = arg;
	char id[24];
	tk_buf b = { 0 };

	if (!ok) {
		tk_warn("ticket %llu: %s; left queued (n%llu) for the next run", (unsigned long long)nt->ticket, error,
		    (unsigned long long)nt->seq);
		set_status(r, TK_EXIT_FAIL);
	}
	tk_buf_printf(&b, "%s\t%s", ok ? "sent" : "failed", ok ? (nt->to ? nt->to : "") : error);
	if (r->first_new && nt->seq >= r->first_new && nt->seq - r->first_new < r->ndone) {
		r->done[nt->seq - r->first_new] = b.p;
		return;
	}
	snprintf(id, sizeof id, "%llu", (unsigned long long)nt->ticket);
	*strchr(b.p, '\t') = '\0';
	row(r, id, b.p, b.p + strlen(b.p) + 1);
	tk_buf_free(&b);
}

/* ---- the queue: --queue, --drop ---- */

struct lister {
	tk_output *out;
	const int *kinds;
};

static int
list_each(tk_txn *t, tk_notice *nt, void *arg)
{
	struct lister *l = arg;
	char seq[24], id[24], tries[16];
	tk_str v[8];

	(void)t;
	snprintf(seq, sizeof seq, "n%llu", (unsigned long long)nt->seq);
	snprintf(id, sizeof id, "%llu", (unsigned long long)nt->ticket);
	snprintf(tries, sizeof tries, "%u", nt->tries);
	v[0] = TK_STR(seq);
	v[1] = TK_STR(id);
	v[2] = TK_STR(nt->kind == 'x' ? "exec" : "mail");
	v[3] = TK_STR(nt->to ? nt->to : "");
	v[4] = TK_STR(nt->not_before);
	v[5] = TK_STR(nt->queued);
	v[6] = TK_STR(tries);
	v[7] = TK_STR(nt->error ? nt->error : "");
	tk_output_row(l->out, v, l->kinds);
	return 0;
}

static void
list_queue(tk_store *st, enum tk_format fmt, int header)
{
	static const int kinds[8] = { -1, TK_K_INT, -1, -1, TK_K_TIME, TK_K_TIME, TK_K_INT, -1 };
	struct lister l;
	tk_output out;
	tk_txn t;

	if (tk_output_init(&out, fmt, "notice,id,kind,to,not_before,queued,tries,error", header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	l.out = &out;
	l.kinds = kinds;
	if (tk_notice_each(&t, list_each, &l) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_txn_end(&t);
	tk_output_finish(&out);
	tk_output_free(&out);
}

struct drop {
	uint64_t *seq;
	size_t n;
	int missing;
};

static int
drop_txn(tk_txn *t, void *arg)
{
	struct drop *d = arg;
	size_t i;
	int rc;

	d->missing = 0;
	for (i = 0; i < d->n; i++) {
		if ((rc = tk_notice_del(t, d->seq[i])) < 0)
			return TK_EXIT_FAIL;
		if (rc == 0)
			d->missing++;
	}
	return 0;
}

static uint64_t
notice_id(const char *s)
{
	uint64_t v;

	if (s[0] != 'n' || tk_id_parse(s + 1, strlen(s + 1), &v) < 0 || s[1] == '#')
		tk_die(TK_EXIT_USAGE, "--drop %s: not a notice (n12, as --queue lists them)", s);
	return v;
}

/* ---- --during ---- */

static int
during_open(void *arg, time_t now, time_t *open)
{
	const tk_calendar *c = arg;

	if (tk_cal_open(c, (int64_t)now))
		return 1;
	*open = (time_t)tk_cal_next_open(c, (int64_t)now);
	return 0;
}

/* The calendar named, from the store's calendars file: exits on a broken
 * file (3) or a name it does not have (2, with the nearest). */
static const tk_calendar *
calendar(const char *dir, const char *name, tk_calendars **cs)
{
	const tk_calendar *c;
	tk_nearest nr;
	size_t i;

	if (tk_calendars_read(cs, dir, "calendars") < 0)
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	if ((c = tk_calendar_find(*cs, name)))
		return c;
	tk_nearest_init(&nr, name);
	tk_nearest_try(&nr, "24x7");
	for (i = 0; i < tk_calendars_count(*cs); i++)
		tk_nearest_try(&nr, tk_calendar_name(tk_calendars_at(*cs, i)));
	if (nr.best)
		tk_die(TK_EXIT_USAGE, "--during %s: no such calendar; did you mean %s?", name, nr.best);
	tk_die(TK_EXIT_USAGE, "--during %s: no such calendar in %s/calendars (calendar NAME ZONE, tk-config(5))",
	    name, dir);
}

/*
 * A run's records, CHUNK at a time: each chunk's notices made and queued
 * in one transaction (the first also claims what earlier runs left), sent,
 * and printed, so a long input is not held whole as mail in memory and
 * the first notices go out early.
 */
#define CHUNK 1000

static void
chunk(struct run *r, tk_notify *nf, tk_store *st, const tk_nrec *v, size_t n, int first)
{
	size_t i;
	int problem;
	uint64_t seq;
	const char *held, *why;
	char id[24], *tab;

	if (tk_notify_queue(nf, st, v, n, first) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	/* This chunk's notices have seqs in input order; older ones come first. */
	r->first_new = 0;
	for (i = 0; i < n && !r->first_new; i++)
		tk_notify_result(nf, i, &problem, &r->first_new, &held);
	r->ndone = n;
	r->done = tk_xmalloc((n ? n : 1) * sizeof *r->done);
	memset(r->done, 0, (n ? n : 1) * sizeof *r->done);
	if (tk_notify_send(nf, st, report, r) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	for (i = 0; i < n; i++) {
		why = tk_notify_result(nf, i, &problem, &seq, &held);
		snprintf(id, sizeof id, "%llu", (unsigned long long)v[i].id);
		if (why && problem) {
			tk_warn("ticket %s: %s", id, why);
			set_status(r, TK_EXIT_NOMATCH);
		}
		if (!seq)
			row(r, id, "skipped", why);
		else if (held)
			row(r, id, "held", held);
		else if (r->first_new && seq - r->first_new < r->ndone && r->done[seq - r->first_new]) {
			tab = strchr(r->done[seq - r->first_new], '\t');
			*tab = '\0';
			row(r, id, r->done[seq - r->first_new], tab + 1);
		}
	}
	for (i = 0; i < n; i++)
		free(r->done[i]);
	free(r->done);
	r->done = NULL;
	r->ndone = 0;
}

/* ---- main ---- */

/* Where --exec starts: everything after it is the hook's command line. */
static int
exec_at(int argc, char **argv)
{
	static const char *const takes[] = { "-d", "--dir", "--to", "--template", "--during", "--timeout", "--drop", NULL };
	int i, j;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return argc;
		if (!strcmp(argv[i], "--exec") || !strncmp(argv[i], "--exec=", 7))
			return i;
		for (j = 0; takes[j]; j++)
			if (!strcmp(argv[i], takes[j]))
				i++;
	}
	return argc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 'r' },
		{ "exec", required_argument, NULL, 'E' },
		{ "template", required_argument, NULL, 'P' },
		{ "during", required_argument, NULL, 'D' },
		{ "timeout", required_argument, NULL, 'W' },
		{ "flush", no_argument, NULL, 'F' },
		{ "queue", no_argument, NULL, 'Q' },
		{ "drop", required_argument, NULL, 'X' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "header", no_argument, NULL, 'H' },
		{ "tsv", no_argument, NULL, 't' },
		{ "table", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *tplname = NULL, *during = NULL, *timeout_s = NULL;
	int c, nopt, header = 0, tsv = 0, table = 0, json = 0, flush = 0, queue = 0, code, nto = 0;
	char **exec = NULL, *end;
	tk_notify_opts o;
	struct drop drop = { 0 };
	tk_nrecs in;
	struct run r;
	tk_template *tpl = NULL;
	tk_settings set;
	tk_calendars *cals = NULL;
	tk_notify *nf;
	tk_store *st;
	tk_txn t;
	size_t i;

	tk_cmd_start(argc, argv, usage);
	memset(&o, 0, sizeof o);
	memset(&in, 0, sizeof in);
	memset(&r, 0, sizeof r);
	o.timeout = 60;
	nopt = exec_at(argc, argv);
	if (nopt < argc) {
		/* --exec CMD ARG... or --exec=CMD ARG... */
		if (argv[nopt][6] == '=') {
			argv[nopt] += 7;
			exec = argv + nopt;
		} else
			exec = argv + nopt + 1;
		if (!exec[0] || !exec[0][0])
			tk_die(TK_EXIT_USAGE, "--exec: give the command to run");
	}
	while ((c = getopt_long(nopt, argv, "qHtd:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (tk_notify_to_parse(&o.to, tk_opt_text("--to", optarg)) < 0)
				tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
			nto++;
			break;
		case 'P': tplname = tk_opt_once("--template", tplname, tk_opt_text("--template", optarg)); break;
		case 'D': during = tk_opt_once("--during", during, tk_opt_text("--during", optarg)); break;
		case 'W': timeout_s = tk_opt_once("--timeout", timeout_s, optarg); break;
		case 'F': flush = 1; break;
		case 'Q': queue = 1; break;
		case 'X':
			drop.seq = tk_xrealloc(drop.seq, (drop.n + 1) * sizeof *drop.seq);
			drop.seq[drop.n++] = notice_id(optarg);
			break;
		case 'q': r.quiet = 1; break;
		case 'H': header = 1; break;
		case 't': tsv = 1; break;
		case 'T': table = 1; break;
		case 'J': json = 1; break;
		case 'd': dir = tk_opt_once("-d", dir, optarg); break;
		default: tk_common_option(c);
		}
	}
	if (tk_output_conflict(tsv, table, json, header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	tk_opt_conflict("-q", r.quiet, "-t", tsv);
	tk_opt_conflict("-q", r.quiet, "--table", table);
	tk_opt_conflict("-q", r.quiet, "--json", json);
	tk_opt_conflict("-q", r.quiet, "-H", header);
	tk_opt_conflict("--to", nto, "--exec", exec != NULL);
	tk_opt_conflict("--queue", queue, "--flush", flush);
	tk_opt_conflict("--queue", queue, "--drop", drop.n);
	tk_opt_conflict("--flush", flush, "--drop", drop.n);
	tk_opt_conflict("--queue", queue, "-q", r.quiet);
	if (queue || flush || drop.n) {
		const char *what = queue ? "--queue" : flush ? "--flush" : "--drop";

		tk_opt_conflict(what, 1, "--to", nto);
		tk_opt_conflict(what, 1, "--exec", exec != NULL);
		tk_opt_conflict(what, 1, "--template", tplname != NULL);
		tk_opt_conflict(what, 1, "--during", during != NULL);
		if (optind < nopt)
			tk_die(TK_EXIT_USAGE, "%s takes no ticket ids (%s)", what, argv[optind]);
	} else if (!nto && !exec)
		tk_die(TK_EXIT_USAGE, "say whom to notify: --to assignee|requester|watchers|lead|ADDRESS, or --exec COMMAND");
	if ((o.to.kinds & TK_TO_REQUESTER) && (o.to.kinds != TK_TO_REQUESTER || o.to.naddrs))
		tk_die(TK_EXIT_USAGE, "--to requester: the agents' replies go to the requester alone; "
		    "run tk-notify again for the others");
	if (timeout_s) {
		long v = strtol(timeout_s, &end, 10);

		if (*end || v < 1 || v > 86400 || !(timeout_s[0] >= '0' && timeout_s[0] <= '9'))
			tk_die(TK_EXIT_USAGE, "--timeout %s: not a number of seconds (1 to 86400)", timeout_s);
		o.timeout = v;
	}
	if (drop.n && (header || tsv || table || json))
		tk_die(TK_EXIT_USAGE, "--drop prints nothing: leave out -H, -t, --table and --json");
	o.dir = tk_store_path(dir);
	o.exec = exec;

	st = tk_cmd_store(dir, queue ? TK_OPEN_READ : TK_OPEN_WRITE);
	st->via = "notify";
	if (queue) {
		list_queue(st, tk_output_choose(tsv, table, json), header);
		tk_cmd_leave(st);
		tk_flush_stdout();
		return 0;
	}
	if (drop.n) {
		if ((code = tk_store_write(st, drop_txn, &drop)))
			tk_die(code, "%s", tk_errmsg);
		if (drop.missing)
			tk_warn("%d of the notices given %s not in the queue", drop.missing, drop.missing == 1 ? "was" : "were");
		free(drop.seq);
		tk_cmd_leave(st);
		return drop.missing ? TK_EXIT_NOMATCH : 0;
	}
	if (tk_settings_load(o.dir, &set) < 0)
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	o.from = set.from;
	if (tplname && !(tpl = tk_template_load(o.dir, tplname, &code)))
		tk_die(code, "%s", tk_errmsg);
	o.tpl = tpl;
	if (during) {
		o.during = during_open;
		o.during_arg = (void *)calendar(o.dir, during, &cals);
	}
	if (!flush) {
		int by_id = o.to.kinds == TK_TO_REQUESTER;

		if (optind < nopt) {
			for (i = (size_t)optind; i < (size_t)nopt; i++) {
				uint64_t id;

				if (tk_id_parse(argv[i], strlen(argv[i]), &id) < 0)
					tk_die(TK_EXIT_USAGE, "%s: not a ticket id", argv[i]);
				tk_nrecs_add(&in, id, &argv[i], NULL, 1, by_id);
			}
		} else {
			if (isatty(STDIN_FILENO))
				tk_die(TK_EXIT_USAGE, "no ticket ids: give them as arguments or on standard input "
				    "(--flush sends what is queued)");
			if (tk_nrecs_read(&in, stdin, "stdin", by_id) < 0)
				tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
		}
	}
	nf = tk_notify_new(&o);
	if (in.names)
		tk_notify_columns(nf, in.names, in.nnames);
	else {
		size_t wide = 1;

		for (i = 0; i < in.n; i++)
			if (in.v[i].ncol > wide)
				wide = in.v[i].ncol;
		tk_notify_columns(nf, NULL, wide);
	}
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (!flush && tk_notify_prepare(nf, &t) < 0)
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	tk_txn_end(&t);
	if (tk_output_init(&r.out, tk_output_choose(tsv, table, json), "id,action,detail", header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (in.bad)
		set_status(&r, TK_EXIT_DATA);
	for (i = 0; i == 0 || i < in.n; i += CHUNK)
		chunk(&r, nf, st, in.v + i, in.n - i < CHUNK ? in.n - i : CHUNK, i == 0);
	tk_output_finish(&r.out);
	tk_output_free(&r.out);
	tk_notify_free(nf);
	tk_notify_to_free(&o.to);
	tk_template_free(tpl);
	tk_calendars_free(cals);
	tk_nrecs_free(&in);
	tk_cmd_leave(st);
	tk_flush_stdout();
	return r.status;
}
