/* tk-assign - give tickets to agents: by name or by strategy. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static const char usage[] =
    "tk-assign [-qt] [--table] [--json] [--explain] [--dry-run] [-d dir] [-o columns]\n"
    "       --to login | --unassign | --round-robin | --least-loaded | --skills | --to-lead\n"
    "       [--team team] [id ...]\n";

#define BATCH 5000

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
	int status = 0, bad, rc, nargs;
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
		case 'O': s = TK_ASSIGN_TO; to = optarg; break;
		case 'U': s = TK_ASSIGN_UNASSIGN; break;
		case 'R': s = TK_ASSIGN_ROUND_ROBIN; break;
		case 'L': s = TK_ASSIGN_LEAST_LOADED; break;
		case 'S': s = TK_ASSIGN_SKILLS; break;
		case 'E': s = TK_ASSIGN_TO_LEAD; break;
		case 'M': team = optarg; break;
		case 'X': explain = 1; break;
		case 'N': dry = 1; break;
		case 'q': quiet = 1; break;
		case 't': tsv = 1; break;
		case 'T': table = 1; break;
		case 'J': json = 1; break;
		case 'o': cols = optarg; break;
		case 'd': dir = optarg; break;
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
	if (to && !strcmp(to, "me"))
		to = tk_actor();
	if (to && !tk_agent_name_ok(to))
		tk_die(TK_EXIT_USAGE, "--to %s: not a login", to);
	if (team && (strategy == TK_ASSIGN_TO || strategy == TK_ASSIGN_UNASSIGN || strategy == TK_ASSIGN_TO_LEAD))
		tk_die(TK_EXIT_USAGE, "--team goes with --round-robin, --least-loaded or --skills");
	if (team && !tk_agent_name_ok(team))
		tk_die(TK_EXIT_USAGE, "--team %s: not a team name", team);
	if (tk_output_init(&out, tk_output_choose(tsv, table, json), cols, 0) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	nargs = argc - optind;
	bad = tk_cmd_ids(&ids, nargs, argv + optind);
	if (bad)
		status = TK_EXIT_DATA;
	st = tk_cmd_store(dir, dry ? TK_OPEN_READ : TK_OPEN_WRITE);
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
