/* tk-route - apply a rules file to tickets. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk-route [-Hqt] [--table] [--json] [-o columns] [--all] [--explain] [--dry-run] [--stats]\n"
    "         [--rule name,...] [-d dir] [rules-file] [id ...]\n"
    "\n"
    "Applies a rules file (else the store's rules) to tickets given as ids, or\n"
    "read from standard input; every change logged via route:RULE.\n"
    "\n"
    "Routing:\n"
    "--all\tapply every rule that matches, not only the first\n"
    "--explain\tsay which rule matched, on what text, and what it set\n"
    "--dry-run\tchange nothing; print the dry-run stream\n"
    "--stats\tper rule: tickets matched and fields changed\n"
    "--rule name,...\tonly these rules\n"
    "Output:\n"
    "-H, --header\ta header line first\n"
    "-o, --output columns\tthe columns printed\n"
    "-q, --quiet\tprint nothing\n"
    "-t, --tsv\trecords, also on a terminal\n"
    "--table\tthe aligned table, also in a pipe\n"
    "--json\tJSON lines\n"
    "Other:\n"
    "-d, --dir dir\tthe store (else $TK_DIR)\n"
    TK_COMMON_HELP;

/* A transaction's worth of tickets: re-running a bulk run that stopped
 * redoes only what the last batches had not committed. */
#define BATCH 5000

struct job {
	tk_rules *rules;
	const uint64_t *ids;
	size_t n;
	char *state;		/* per id: 'm' missing, 'c' changed, 'u' unchanged */
};

static int
route_batch(tk_txn *t, void *arg)
{
	struct job *j = arg;
	tk_ticket tk;
	size_t i;
	int rc;

	tk_rules_begin(j->rules);
	for (i = 0; i < j->n; i++) {
		tk_ticket_init(&tk);
		rc = tk_ticket_get(t, j->ids[i], &tk, 1);
		j->state[i] = 'm';
		if (rc > 0) {
			rc = tk_route_ticket(j->rules, t, &tk);
			j->state[i] = rc == 0 ? 'c' : 'u';
		}
		tk_ticket_free(&tk);
		if (rc < 0)
			return TK_EXIT_FAIL;
	}
	return 0;
}

struct opts {
	int quiet, stats, json, dry, flags, header;
	tk_output out;
	int out_on;
};

static void
print_stats(tk_rules *rules, struct opts *o)
{
	tk_rule_stats s;
	tk_str f[4];
	char m[24], c[24];
	size_t i;
	int json = o->json;

	if (o->header && !json) {
		f[0] = TK_STR("#rule");
		f[1] = TK_STR("matched");
		f[2] = TK_STR("changed");
		f[3] = TK_STR("fields");
		tk_write_record(stdout, f, 4);
	}
	for (i = 0; i <= tk_rules_count(rules); i++) {
		if (i < tk_rules_count(rules))
			tk_rules_stats(rules, i, &s);
		else	/* the tickets no rule matched */
			s = (tk_rule_stats){ "-", tk_rules_unmatched(rules), 0, "" };
		if (json) {
			tk_buf b = { 0 };

			tk_buf_adds(&b, "{\"rule\":");
			tk_json_string(&b, s.name, strlen(s.name));
			tk_buf_printf(&b, ",\"matched\":%lu,\"changed\":%lu,\"fields\":", s.matched, s.changed);
			tk_json_string(&b, s.fields, strlen(s.fields));
			tk_buf_adds(&b, "}\n");
			fwrite(b.p, 1, b.len, stdout);
			tk_buf_free(&b);
			continue;
		}
		snprintf(m, sizeof m, "%lu", s.matched);
		snprintf(c, sizeof c, "%lu", s.changed);
		f[0] = TK_STR(s.name);
		f[1] = TK_STR(m);
		f[2] = TK_STR(c);
		f[3] = TK_STR(s.fields);
		tk_write_record(stdout, f, 4);
	}
}

/* --dry-run: one read-only transaction, each ticket routed in memory and
 * printed as it comes. Returns the exit status. */
static int
dry_run(tk_store *st, tk_txn *t, tk_rules *rules, struct opts *o, const uint64_t *args, size_t nargs, int stream_out)
{
	tk_dryin *in = NULL;
	tk_ticket tk;
	uint64_t id;
	size_t i = 0, n = 0;
	int rc, status = 0, fromstdin = nargs == 0;

	if (fromstdin) {
		if (isatty(STDIN_FILENO))
			tk_die(TK_EXIT_USAGE, "no ticket ids: give them as arguments or on standard input");
		in = tk_dryin_open(stdin, "stdin");
	}
	if (stream_out && tk_dryrun_start(&o->out, t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_ticket_init(&tk);
	for (;;) {
		if (fromstdin) {
			rc = tk_dryin_next(in, &id, &tk);
			if (rc == 0)
				break;
			if (rc < 0) {
				tk_warn("%s", tk_errmsg);
				status = TK_EXIT_DATA;
				continue;
			}
		} else if (i == nargs)
			break;
		else
			id = args[i++];
		if (!fromstdin || !tk_dryin_stream(in)) {
			tk_ticket_free(&tk);
			tk_ticket_init(&tk);
			if ((rc = tk_ticket_get(t, id, &tk, 0)) < 0)
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
			if (rc == 0) {
				tk_warn("ticket %llu: no such ticket", (unsigned long long)id);
				if (!status)
					status = TK_EXIT_NOMATCH;
				continue;
			}
		}
		tk_rules_begin(rules);
		rc = tk_route_ticket(rules, t, &tk);
		tk_rules_end(rules, 1);
		if (rc < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		if (o->out_on && (fromstdin || rc == 0))
			tk_output_ticket(&o->out, t, &tk);
		/* The map's pages read so far let go now and then: a store's
		 * worth of tickets routed in the memory of a stretch of it. */
		if (++n % 65536 == 0) {
			tk_ticket_free(&tk);
			tk_ticket_init(&tk);
			tk_store_forget(st);
		}
	}
	tk_ticket_free(&tk);
	tk_dryin_close(in);
	return status;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "tsv", no_argument, NULL, 't' },
		{ "table", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "output", required_argument, NULL, 'o' },
		{ "header", no_argument, NULL, 'H' },
		{ "all", no_argument, NULL, 'a' },
		{ "explain", no_argument, NULL, 'e' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "stats", no_argument, NULL, 's' },
		{ "rule", required_argument, NULL, 'r' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *cols = NULL, *file = NULL, *only = NULL;
	int c, tsv = 0, table = 0, explain = 0, status = 0, bad, missing, i, stream_out;
	struct opts o;
	tk_ids ids = { 0 };
	tk_rules *rules;
	tk_store *st;
	tk_txn t;
	tk_ticket tk;
	size_t k, off;
	uint64_t id;

	memset(&o, 0, sizeof o);
	tk_cmd_start(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "Hqto:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': o.quiet = 1; break;
		case 't': tsv = 1; break;
		case 'T': table = 1; break;
		case 'J': o.json = 1; break;
		case 'o': cols = optarg; break;
		case 'H': o.header = 1; break;
		case 'a': o.flags |= TK_ROUTE_ALL; break;
		case 'e': explain = 1; break;
		case 'n': o.dry = 1; o.flags |= TK_ROUTE_DRY; break;
		case 's': o.stats = 1; break;
		case 'r': only = optarg; break;
		case 'd': dir = optarg; break;
		default: tk_common_option(c);
		}
	}
	/* The first operand that is no ticket id names the rules file. */
	for (i = optind; i < argc; i++) {
		if (tk_id_parse(argv[i], strlen(argv[i]), &id) == 0)
			tk_ids_add(&ids, id);
		else if (i == optind)
			file = argv[i];
		else
			tk_die(TK_EXIT_USAGE, "%s: not a ticket id (the rules file comes first)", argv[i]);
	}
	if (file && !*file)
		tk_die(TK_EXIT_USAGE, "the rules file: an empty name");
	/* A dry run ends its stream with -o, --json or --table: records for people. */
	stream_out = o.dry && !cols && !o.json && !table;
	if (!stream_out && tk_output_init(&o.out, tk_output_choose(tsv, table, o.json), cols, o.header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	o.out_on = !o.quiet && !o.stats;
	tk_ids_unique(&ids);
	/* Many tickets: JIT and the literal prefilter pay for themselves. */
	if (!ids.n || ids.n > 16)
		o.flags |= TK_ROUTE_BULK;
	st = tk_cmd_store(dir, o.dry ? TK_OPEN_READ : TK_OPEN_WRITE);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (!(rules = tk_rules_load(st, &t, st->dir, file, o.flags, &missing)))
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	tk_rules_explain(rules, explain);
	if (only && tk_rules_only(rules, only) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (!stream_out && tk_output_check(&o.out, &t) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (o.dry) {
		if (!o.out_on)
			stream_out = 0;
		status = dry_run(st, &t, rules, &o, ids.v, ids.n, stream_out);
		if (o.out_on)
			tk_output_finish(&o.out);
		tk_txn_end(&t);
	} else {
		int nidargs = (int)ids.n;
		struct job j;

		tk_txn_end(&t);
		if (!nidargs) {
			bad = tk_cmd_ids(&ids, 0, NULL);
			if (bad)
				status = TK_EXIT_DATA;
		}
		j.rules = rules;
		j.state = tk_xmalloc(ids.n ? ids.n : 1);
		tk_ticket_init(&tk);
		for (off = 0; off < ids.n; off += j.n) {
			int rc;

			j.ids = ids.v + off;
			j.n = ids.n - off < BATCH ? ids.n - off : BATCH;
			rc = tk_store_write(st, route_batch, &j);
			tk_rules_end(rules, rc == 0);
			if (rc)
				tk_die(rc, "%s; %zu tickets routed before", tk_errmsg, off);
			for (k = 0; k < j.n; k++)
				if (j.state[k] == 'm') {
					tk_warn("ticket %llu: no such ticket", (unsigned long long)j.ids[k]);
					if (!status)
						status = TK_EXIT_NOMATCH;
				}
			if ((off / BATCH) % 13 == 12)
				tk_store_forget(st);	/* (about every 65,536 tickets, as in a dry run) */
			if (!o.out_on)
				continue;
			/* Ids from a pipe: every ticket that exists goes on, changed
			 * or not; ids as arguments: the changed ones (DESIGN.md 4). */
			if (tk_txn_read(st, &t) < 0)
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
			for (k = 0; k < j.n; k++)
				if ((nidargs ? j.state[k] == 'c' : j.state[k] != 'm') && tk_ticket_get(&t, j.ids[k], &tk, 0) == 1)
					tk_output_ticket(&o.out, &t, &tk);
			tk_txn_end(&t);
			tk_flush_stdout();
		}
		tk_ticket_free(&tk);
		free(j.state);
		if (o.out_on)
			tk_output_finish(&o.out);
	}
	if (tk_rules_refused(rules))
		status = TK_EXIT_DATA;
	if (o.stats && !o.quiet)
		print_stats(rules, &o);
	tk_rules_free(rules);
	tk_output_free(&o.out);
	tk_ids_free(&ids);
	tk_cmd_leave(st);
	tk_flush_stdout();
	return status;
}
