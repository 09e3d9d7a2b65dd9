/* tk-assign - give tickets to agents: by name or by strategy. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk-assign [-qt] [--table] [--json] [--explain] [--dry-run] [-d dir] [-o columns]\n"
    "          --to login | --unassign | --round-robin | --least-loaded | --skills |\n"
    "          --to-lead [--team team] [id ...]\n"
    "\n"
    "Gives each ticket given, or each id read from standard input, to an agent,\n"
    "and prints the tickets: from standard input every one read, from the\n"
    "command line those that changed. Agents off duty or at their capacity\n"
    "are skipped; a ticket no agent can take is named on standard error with\n"
    "the reason, still printed, and the exit status is 1.\n"
    "\n"
    "How:\n"
    "--to login\tto this agent (me: the Unix user)\n"
    "--unassign\tto nobody\n"
    "--round-robin\tto the next agent in turn (a turn kept per team)\n"
    "--least-loaded\tto the agent with the fewest open tickets\n"
    "--skills\tto an agent whose skills hold the category or tags, least loaded\n"
    "--to-lead\tto the lead of the team that owns the ticket's queue\n"
    "--team team\tamong this team's agents (else the team owning the queue)\n"
    "--explain\tsay on standard error why each agent was chosen\n"
    "--dry-run\twrite nothing; print the dry-run stream of what would be\n"
    "Output:\n"
    "-q, --quiet\tprint nothing\n"
    "-o, --output columns\tthe columns printed (with --dry-run: plain records)\n"
    "-t, --tsv\trecords even on a terminal\n"
    "--table\tthe aligned table even when not on a terminal\n"
    "--json\tJSON lines, one object a ticket\n"
    "Other:\n"
    "-d, --dir dir\tthe store (else $TK_DIR, else ~/.local/share/tk)\n"
    TK_COMMON_HELP;

#define BATCH 5000

static int as_explain;	/* --explain */

struct job {
	tk_assigner *as;
	const uint64_t *ids;
	size_t n;
	char **err;		/* per id: why it was not assigned */
	char **why;		/* per id, with --explain: why this agent */
	int *changed, *printable;
	int explain;
	int missing, unassigned, refused;
};

static void
note(char **slot, const char *msg)
{
	free(*slot);
	*slot = msg ? tk_xstrdup(msg) : NULL;
}

/* One batch in one write transaction: fn of tk_store_write, run again
 * from the start when the map grows, so it only records what to say. */
static int
assign_batch(tk_txn *t, void *arg)
{
	struct job *j = arg;
	tk_assignments a = { 0 };
	const char *login;
	tk_str ostatus, oassignee;
	tk_ticket tk;
	size_t i;
	int rc;

	j->missing = j->unassigned = j->refused = 0;
	if ((rc = tk_assigner_begin(j->as, t)) < 0)
		return rc == -2 ? TK_EXIT_USAGE : TK_EXIT_FAIL;
	for (i = 0; i < j->n; i++) {
		note(&j->err[i], NULL);
		note(&j->why[i], NULL);
		j->changed[i] = j->printable[i] = 0;
		tk_ticket_init(&tk);
		rc = tk_ticket_get(t, j->ids[i], &tk, 1);
		if (rc <= 0) {
			tk_ticket_free(&tk);
			if (rc < 0)
				return TK_EXIT_FAIL;
			note(&j->err[i], "no such ticket");
			j->missing++;
			continue;
		}
		j->printable[i] = 1;
		if ((rc = tk_assigner_pick(j->as, t, &tk, &login)) <= 0) {
			tk_ticket_free(&tk);
			if (rc < 0)
				return TK_EXIT_FAIL;
			note(&j->err[i], tk_errmsg);
			j->unassigned++;
			continue;
		}
		if (j->explain)
			note(&j->why[i], tk_assigner_why(j->as));
		a.n = 0;
		tk_assign_add(&a, "assignee", login ? login : "");
		/* (the old values stay where they are: apply sets new ones beside them) */
		ostatus = tk.f[TK_F_STATUS];
		oassignee = tk.f[TK_F_ASSIGNEE];
		if ((rc = tk_ticket_apply(t, &tk, &a, 0)) >= 0)
			tk_assigner_took(j->as, ostatus, oassignee, login);
		tk_assignments_free(&a);
		if (rc < 0) {
			tk_ticket_free(&tk);
			if (tk_map_full)
				return TK_EXIT_FAIL;
			note(&j->err[i], tk_errmsg);
			j->printable[i] = 0;
			j->refused++;
			continue;
		}
		j->changed[i] = rc == 0;
		tk_ticket_free(&tk);
	}
	return tk_assigner_end(j->as, t) < 0 ? TK_EXIT_FAIL : 0;
}

static void
copy_stdin(FILE *to)
{
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
		if (fwrite(buf, 1, n, to) != n)
			tk_die(TK_EXIT_FAIL, "a temporary file: %s", strerror(errno));
	if (ferror(stdin))
		tk_die(TK_EXIT_FAIL, "stdin: %s", strerror(errno));
	if (fflush(to) || fseek(to, 0, SEEK_SET))
		tk_die(TK_EXIT_FAIL, "a temporary file: %s", strerror(errno));
}

/*
 * In a real pipe each step has written all of its changes before the next
 * reads its first ticket: so the loads a backtest starts from are the
 * store's with every change the earlier --dry-run steps made to the
 * stream's tickets (a first pass over it). Bad lines are said by the second.
 */
static void
earlier_steps(tk_assigner *as, tk_txn *t, tk_dryin *d)
{
	tk_ticket tk, was;
	uint64_t id;
	int rc;

	tk_ticket_init(&tk);
	while ((rc = tk_dryin_next(d, &id, &tk)) != 0) {
		if (rc < 0)
			continue;
		tk_ticket_init(&was);
		if ((rc = tk_ticket_get(t, id, &was, 0)) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		if (rc)
			tk_assigner_moved(as, was.f[TK_F_STATUS], was.f[TK_F_ASSIGNEE], tk.f[TK_F_STATUS],
			    tk.f[TK_F_ASSIGNEE]);
		tk_ticket_free(&was);
	}
	tk_ticket_free(&tk);
}

/*
 * --dry-run: one read-only transaction for the whole run; each choice made
 * on the ticket in memory (its assignee, and updated as a real run sets
 * it) and carried forward in the loads, so a backtest balances as a real
 * run would. From standard input, plain ids or a dry-run stream, whose
 * tickets are taken as the stream says (DESIGN.md 11). Printed as it
 * goes: the stream, or with -o, --json or --table plain records.
 */
static int
dry_run(tk_store *st, tk_assigner *as, int nargs, char **args, tk_output *out, int stream_out, int quiet)
{
	tk_dryin *d = NULL;
	tk_ids ids = { 0 };
	const char *login;
	tk_ticket tk;
	tk_txn t;
	FILE *in = NULL;
	uint64_t id;
	size_t k = 0;
	int rc, status = 0, stream = 0, changed;

	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if ((rc = tk_assigner_begin(as, &t)) < 0)
		tk_die(rc == -2 ? TK_EXIT_USAGE : TK_EXIT_FAIL, "%s", tk_errmsg);
	if (nargs) {
		if (tk_cmd_ids(&ids, nargs, args))
			status = TK_EXIT_DATA;
	} else {
		if (isatty(STDIN_FILENO))
			tk_die(TK_EXIT_USAGE, "no ticket ids: give them as arguments or on standard input");
		if (!(in = tmpfile()))
			tk_die(TK_EXIT_FAIL, "a temporary file: %s", strerror(errno));
		copy_stdin(in);
		d = tk_dryin_open(in, "stdin");
		if ((stream = tk_dryin_stream(d))) {
			earlier_steps(as, &t, d);
			tk_dryin_close(d);
			rewind(in);
			d = tk_dryin_open(in, "stdin");
		}
	}
	if (!quiet && stream_out && tk_dryrun_start(out, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_ticket_init(&tk);
	for (;;) {
		if (nargs && k == ids.n)
			break;
		if (nargs)
			id = ids.v[k++];
		else if ((rc = tk_dryin_next(d, &id, &tk)) == 0)
			break;
		else if (rc < 0) {
			tk_warn("%s", tk_errmsg);
			status = TK_EXIT_DATA;
			continue;
		}
		if (!stream) {
			tk_ticket_free(&tk);
			tk_ticket_init(&tk);
			if ((rc = tk_ticket_get(&t, id, &tk, 1)) < 0)
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
			if (!rc) {
				tk_warn("ticket %llu: no such ticket", (unsigned long long)id);
				if (!status)
					status = TK_EXIT_NOMATCH;
				continue;
			}
		}
		changed = 0;
		if ((rc = tk_assigner_pick(as, &t, &tk, &login)) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		if (!rc) {
			tk_warn("ticket %llu: %s", (unsigned long long)id, tk_errmsg);
			if (!status)
				status = TK_EXIT_NOMATCH;
		} else {
			tk_str now = TK_STR(login ? login : "");

			if (as_explain)
				tk_warn("ticket %llu: %s", (unsigned long long)id, tk_assigner_why(as));
			if (!tk_str_same(now, tk.f[TK_F_ASSIGNEE])) {
				tk_assigner_took(as, tk.f[TK_F_STATUS], tk.f[TK_F_ASSIGNEE], login);
				tk.f[TK_F_ASSIGNEE] = tk_ticket_own(&tk, now.p, now.n);
				tk.f[TK_F_UPDATED] = tk_ticket_own(&tk, t.now_iso, 20);
				changed = 1;
			}
		}
		if (!quiet && (!nargs || changed))
			tk_output_ticket(out, &t, &tk);
	}
	if (!quiet)
		tk_output_finish(out);
	tk_ticket_free(&tk);
	tk_dryin_close(d);
	if (in)
		fclose(in);
	tk_ids_free(&ids);
	tk_txn_end(&t);
	return status;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 'O' },
		{ "unassign", no_argument, NULL, 'U' },
		{ "round-robin", no_argument, NULL, 'R' },
		{ "least-loaded", no_argument, NULL, 'L' },
		{ "skills", no_argument, NULL, 'S' },
		{ "to-lead", no_argument, NULL, 'E' },
		{ "team", required_argument, NULL, 'M' },
		{ "explain", no_argument, NULL, 'X' },
		{ "dry-run", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "tsv", no_argument, NULL, 't' },
		{ "table", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "output", required_argument, NULL, 'o' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *cols = NULL, *to = NULL, *team = NULL;
	int c, strategy = -1, quiet = 0, tsv = 0, table = 0, json = 0, explain = 0, dry = 0;
	int status = 0, bad, rc, nargs, stream_out;
	struct job j = { 0 };
	tk_ids ids = { 0 };
	tk_output out;
	tk_store *st;
	tk_ticket tk;
	tk_txn t;
	size_t k, off;
	char via[64];

	tk_cmd_start(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "qto:d:hV", longopts, NULL)) != -1) {
		int s = -1;

		switch (c) {
		case 'O': s = TK_ASSIGN_TO; to = tk_opt_once("--to", to, optarg); break;
		case 'U': s = TK_ASSIGN_UNASSIGN; break;
		case 'R': s = TK_ASSIGN_ROUND_ROBIN; break;
		case 'L': s = TK_ASSIGN_LEAST_LOADED; break;
		case 'S': s = TK_ASSIGN_SKILLS; break;
		case 'E': s = TK_ASSIGN_TO_LEAD; break;
		case 'M': team = tk_opt_once("--team", team, optarg); break;
		case 'X': explain = 1; break;
		case 'N': dry = 1; break;
		case 'q': quiet = 1; break;
		case 't': tsv = 1; break;
		case 'T': table = 1; break;
		case 'J': json = 1; break;
		case 'o': cols = tk_opt_once("-o", cols, optarg); break;
		case 'd': dir = tk_opt_once("-d", dir, optarg); break;
		default: tk_common_option(c);
		}
		if (s >= 0 && strategy >= 0 && s != strategy)
			tk_die(TK_EXIT_USAGE, "--%s and --%s: one way to assign at a time",
			    tk_strategy_names[strategy], tk_strategy_names[s]);
		if (s >= 0)
			strategy = s;
	}
	if (strategy < 0)
		tk_die(TK_EXIT_USAGE, "how? --to LOGIN, --unassign, --round-robin, --least-loaded, --skills or --to-lead");
	if (tk_output_conflict(tsv, table, json, 0) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	tk_opt_conflict("-q", quiet, "-t", tsv);
	tk_opt_conflict("-q", quiet, "--table", table);
	tk_opt_conflict("-q", quiet, "--json", json);
	tk_opt_conflict("-q", quiet, "-o", cols != NULL);
	if (to && !strcmp(to, "me"))
		to = tk_actor();
	if (to && !tk_agent_name_ok(to))
		tk_die(TK_EXIT_USAGE, "--to %s: not a login", to);
	if (team && (strategy == TK_ASSIGN_TO || strategy == TK_ASSIGN_UNASSIGN || strategy == TK_ASSIGN_TO_LEAD))
		tk_die(TK_EXIT_USAGE, "--team goes with --round-robin, --least-loaded or --skills");
	if (team && !tk_agent_name_ok(team))
		tk_die(TK_EXIT_USAGE, "--team %s: not a team name", team);
	/* A dry run prints the stream unless asked for records people read. */
	stream_out = dry && !cols && !json && !table;
	memset(&out, 0, sizeof out);
	if (!stream_out && tk_output_init(&out, tk_output_choose(tsv, table, json), cols, 0) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	as_explain = explain;
	nargs = argc - optind;
	if (dry) {
		st = tk_cmd_store(dir, TK_OPEN_READ);
		j.as = tk_assigner_new(strategy, to, team, explain);
		if (!stream_out) {
			if (tk_txn_read(st, &t) < 0)
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
			if (tk_output_check(&out, &t) < 0)
				tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
			tk_txn_end(&t);
		}
		status = dry_run(st, j.as, nargs, argv + optind, &out, stream_out, quiet);
		tk_assigner_free(j.as);
		tk_output_free(&out);
		tk_cmd_leave(st);
		tk_flush_stdout();
		return status;
	}
	bad = tk_cmd_ids(&ids, nargs, argv + optind);
	if (bad)
		status = TK_EXIT_DATA;
	st = tk_cmd_store(dir, TK_OPEN_WRITE);
	snprintf(via, sizeof via, "assign:%s", tk_strategy_names[strategy]);
	st->via = via;
	j.as = tk_assigner_new(strategy, to, team, explain);
	j.explain = explain;
	/* An unknown agent or team is a mistake of the command line: said
	 * before anything is written. */
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if ((rc = tk_assigner_begin(j.as, &t)) < 0)
		tk_die(rc == -2 ? TK_EXIT_USAGE : TK_EXIT_FAIL, "%s", tk_errmsg);
	if (tk_output_check(&out, &t) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	tk_txn_end(&t);
	k = ids.n ? ids.n : 1;
	j.err = tk_xmalloc(k * sizeof *j.err);
	j.why = tk_xmalloc(k * sizeof *j.why);
	j.changed = tk_xmalloc(k * sizeof *j.changed);
	j.printable = tk_xmalloc(k * sizeof *j.printable);
	memset(j.err, 0, k * sizeof *j.err);
	memset(j.why, 0, k * sizeof *j.why);
	for (off = 0; off < ids.n; off += j.n) {
		struct job sub = j;

		sub.ids = ids.v + off;
		sub.n = ids.n - off < BATCH ? ids.n - off : BATCH;
		sub.err = j.err + off;
		sub.why = j.why + off;
		sub.changed = j.changed + off;
		sub.printable = j.printable + off;
		j.n = sub.n;
		if ((rc = tk_store_write(st, assign_batch, &sub)))
			tk_die(rc, "%s", tk_errmsg);
		for (k = 0; k < sub.n; k++) {
			if (sub.why[k])
				tk_warn("ticket %llu: %s", (unsigned long long)sub.ids[k], sub.why[k]);
			if (sub.err[k])
				tk_warn("ticket %llu: %s", (unsigned long long)sub.ids[k], sub.err[k]);
		}
		if (sub.refused)
			status = TK_EXIT_DATA;
		else if ((sub.missing || sub.unassigned) && !status)
			status = TK_EXIT_NOMATCH;
	}
	if (!quiet) {
		if (tk_txn_read(st, &t) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		tk_ticket_init(&tk);
		/* Ids from a pipe: every ticket read that exists and was not
		 * refused goes on, assigned or not (DESIGN.md 4); from the
		 * command line, the ones changed. */
		for (k = 0; k < ids.n; k++)
			if ((nargs ? j.changed[k] : j.printable[k]) && tk_ticket_get(&t, ids.v[k], &tk, 0) == 1)
				tk_output_ticket(&out, &t, &tk);
		tk_output_finish(&out);
		tk_ticket_free(&tk);
		tk_txn_end(&t);
	}
	for (k = 0; k < ids.n; k++) {
		free(j.err[k]);
		free(j.why[k]);
	}
	free(j.err);
	free(j.why);
	free(j.changed);
	free(j.printable);
	tk_assigner_free(j.as);
	tk_output_free(&out);
	tk_ids_free(&ids);
	tk_cmd_leave(st);
	tk_flush_stdout();
	return status;
}
