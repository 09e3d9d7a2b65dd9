/* tk-agent - agents and teams: skills, capacity, role, duty, queues. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static const char usage[] =
    "tk-agent [-q] [-d dir] add login [assignment ...]\n"
    "       tk-agent [-q] [-d dir] set login assignment ...\n"
    "       tk-agent [-d dir] rm [--reassign login] login\n"
    "       tk-agent [-Ht] [--table] [--json] [-d dir] [-o columns] ls [filter ...]\n"
    "       tk-agent [-d dir] show login\n"
    "       tk-agent [-qHt] [--table] [--json] [-d dir] [-o columns] team [name [assignment ...]]\n"
    "\n"
    "Keeps the agents who work the tickets and the teams that own the queues.\n"
    "\n"
    "Verbs:\n"
    "add login\ta new agent (role agent, duty on unless given)\n"
    "set login\tchange an agent (me: the Unix user)\n"
    "rm login\tremove an agent; refused while it has open tickets\n"
    "ls\tlist the agents the filters match\n"
    "show login\tan agent and its open tickets by status\n"
    "team [name]\tmake or change a team; alone, list the teams\n"
    "Assignments:\n"
    "name=, email=\tthe agent's name and mail address\n"
    "teams=a,b, skills=a,b\treplace a set (+skills=x, -skills=x: one item)\n"
    "capacity=n\tat most n open tickets (empty: no limit)\n"
    "role=agent|lead|admin\ta lead is the one --to-lead finds\n"
    "duty=on|off\toff: no strategy of tk-assign chooses the agent\n"
    "queues=a,b\ta team's queues (+queue=x, -queue=x)\n"
    "Options:\n"
    "--reassign login\twith rm: give the agent's open tickets to login\n"
    "-q, --quiet\tprint nothing (add, set, team print the record)\n"
    "-o, --output columns\tthe columns, comma-separated\n"
    "-H, --header\ta '#' header line first\n"
    "-t, --tsv\trecords even on a terminal\n"
    "--table\tthe aligned table even when not on a terminal\n"
    "--json\tJSON lines, one object a record\n"
    "-d, --dir dir\tthe store (else $TK_DIR, else ~/.local/share/tk)\n"
    TK_COMMON_HELP;

static struct {
	const char *dir, *cols, *reassign;
	int quiet, header, tsv, table, json;
} opt;

/* The rows of one kind: -o's columns as indexes into its columns. */
struct rows {
	tk_output out;
	int *col, *kinds;
	long printed;
};

static void
rows_init(struct rows *r, const char *const *names, size_t n)
{
	tk_buf all = { 0 };
	char *copy, *tok, *save;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		tk_buf_printf(&all, "%s%s", i ? "," : "", names[i]);
	copy = tk_xstrdup(opt.cols ? opt.cols : all.p);
	r->col = tk_xmalloc((strlen(copy) / 2 + 2) * sizeof *r->col);
	r->kinds = tk_xmalloc((strlen(copy) / 2 + 2) * sizeof *r->kinds);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save), k++) {
		tk_nearest nr;

		tk_nearest_init(&nr, tok);
		for (i = 0; i < n && strcmp(tok, names[i]); i++)
			tk_nearest_try(&nr, names[i]);
		if (i == n && nr.best)
			tk_die(TK_EXIT_USAGE, "-o: no column %s; did you mean %s?", tok, nr.best);
		if (i == n)
			tk_die(TK_EXIT_USAGE, "-o: no column %s (%s)", tok, all.p);
		r->col[k] = (int)i;
		r->kinds[k] = names == tk_agent_cols && (i == TK_A_CAPACITY || i == TK_A_LOAD) ? TK_K_INT : -1;
	}
	if (!k)
		tk_die(TK_EXIT_USAGE, "-o: no columns");
	if (tk_output_init(&r->out, tk_output_choose(opt.tsv, opt.table, opt.json), opt.cols ? opt.cols : all.p,
	    opt.header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	r->printed = 0;
	free(copy);
	tk_buf_free(&all);
}

static void
rows_put(struct rows *r, char *const *v)
{
	tk_str *vals = tk_xmalloc(r->out.ncols * sizeof *vals);
	size_t i;

	for (i = 0; i < r->out.ncols; i++)
		vals[i] = TK_STR(v[r->col[i]]);
	tk_output_row(&r->out, vals, r->kinds);
	free(vals);
	r->printed++;
}

static void
rows_end(struct rows *r)
{
	tk_output_finish(&r->out);
	tk_output_free(&r->out);
	free(r->col);
	free(r->kinds);
	tk_flush_stdout();
}

/* A login operand: "me" is the Unix user. */
static const char *
login_arg(const char *s)
{
	if (!strcmp(s, "me"))
		s = tk_actor();
	if (!tk_agent_name_ok(s))
		tk_die(TK_EXIT_USAGE, "%s: not a login (a letter, then letters, digits, '.', '_', '-')", s);
	return s;
}

struct change {
	const char *name, *other;
	tk_dir_asgs as;
	int creating;
	size_t moved;
};

static int
unknown_agent(tk_txn *t, const char *login)
{
	tk_agent_unknown(t, login);
	return TK_EXIT_USAGE;
}

static int
add_fn(tk_txn *t, void *arg)
{
	struct change *c = arg;
	tk_agent a;
	int rc;

	if ((rc = tk_agent_exists(t, c->name)) != 0) {
		if (rc > 0)
			tk_error("agent %s exists (tk-agent set %s changes it)", c->name, c->name);
		return rc > 0 ? TK_EXIT_DATA : TK_EXIT_FAIL;
	}
	tk_agent_init(&a);
	free(a.v[TK_A_LOGIN]);
	a.v[TK_A_LOGIN] = tk_xstrdup(c->name);
	free(a.v[TK_A_ROLE]);
	a.v[TK_A_ROLE] = tk_xstrdup("agent");
	free(a.v[TK_A_DUTY]);
	a.v[TK_A_DUTY] = tk_xstrdup("on");
	tk_dir_apply(a.v, &c->as, 0);
	rc = tk_agent_write(t, &a, NULL) < 0 ? TK_EXIT_FAIL : 0;
	tk_agent_free(&a);
	return rc;
}

static int
set_fn(tk_txn *t, void *arg)
{
	struct change *c = arg;
	tk_agent a, old;
	size_t i;
	int rc;

	tk_agent_init(&old);
	if ((rc = tk_agent_get(t, c->name, &old)) <= 0) {
		tk_agent_free(&old);
		return rc < 0 ? TK_EXIT_FAIL : unknown_agent(t, c->name);
	}
	tk_agent_init(&a);
	for (i = 0; i < TK_A_NCOLS; i++) {
		free(a.v[i]);
		a.v[i] = tk_xstrdup(old.v[i]);
	}
	tk_dir_apply(a.v, &c->as, 0);
	rc = tk_agent_write(t, &a, &old) < 0 ? TK_EXIT_FAIL : 0;
	tk_agent_free(&a);
	tk_agent_free(&old);
	return rc;
}

static int
rm_fn(tk_txn *t, void *arg)
{
	struct change *c = arg;
	tk_agent a;
	int rc;

	tk_agent_init(&a);
	if ((rc = tk_agent_get(t, c->name, &a)) <= 0) {
		tk_agent_free(&a);
		return rc < 0 ? TK_EXIT_FAIL : unknown_agent(t, c->name);
	}
	if (c->other && (rc = tk_agent_exists(t, c->other)) <= 0) {
		tk_agent_free(&a);
		return rc < 0 ? TK_EXIT_FAIL : unknown_agent(t, c->other);
	}
	if (!c->other && strcmp(a.v[TK_A_LOAD], "0")) {
		tk_error("agent %s has %s open tickets: --reassign LOGIN gives them to another agent",
		    c->name, a.v[TK_A_LOAD]);
		tk_agent_free(&a);
		return TK_EXIT_DATA;
	}
	if (c->other) {
		t->via = "assign:reassign";
		rc = tk_agent_reassign(t, c->name, c->other, &c->moved);
		t->via = "cli";
		if (rc < 0) {
			tk_agent_free(&a);
			return TK_EXIT_FAIL;
		}
	}
	rc = tk_agent_remove(t, &a) < 0 ? TK_EXIT_FAIL : 0;
	tk_agent_free(&a);
	return rc;
}

static int
team_fn(tk_txn *t, void *arg)
{
	struct change *c = arg;
	tk_team tm, old;
	size_t i;
	int rc;

	tk_team_init(&old);
	tk_team_init(&tm);
	if ((rc = tk_team_get(t, c->name, &old, 0)) < 0)
		goto out;
	c->creating = !rc;
	free(tm.v[TK_T_NAME]);
	tm.v[TK_T_NAME] = tk_xstrdup(c->name);
	for (i = 1; i < TK_T_NCOLS && !c->creating; i++) {
		free(tm.v[i]);
		tm.v[i] = tk_xstrdup(old.v[i]);
	}
	tk_dir_apply(tm.v, &c->as, 1);
	rc = 0;
	if (c->creating || strcmp(old.v[TK_T_QUEUES], tm.v[TK_T_QUEUES]))
		rc = tk_team_write(t, &tm, c->creating ? NULL : &old);
out:
	tk_team_free(&tm);
	tk_team_free(&old);
	return rc == -2 ? TK_EXIT_DATA : rc < 0 ? TK_EXIT_FAIL : 0;
}

static void
write_or_die(tk_store *st, tk_write_fn fn, struct change *c)
{
	int rc = tk_store_write(st, fn, c);

	if (rc)
		tk_die(rc, "%s", tk_errmsg);
}

static int
put_agent(tk_txn *t, tk_agent *a, void *arg)
{
	(void)t;
	rows_put(arg, a->v);
	return 0;
}

struct listing {
	struct rows r;
	tk_agent_filter *f;
};

static int
list_agent(tk_txn *t, tk_agent *a, void *arg)
{
	struct listing *l = arg;

	if (tk_agent_filter_match(l->f, a))
		put_agent(t, a, &l->r);
	return 0;
}

static int
put_team(tk_txn *t, tk_team *tm, void *arg)
{
	(void)t;
	rows_put(arg, tm->v);
	return 0;
}

/* The agent's or team's record, as it is now. */
static void
print_one(tk_store *st, const char *name, int team)
{
	struct rows r;
	tk_agent a;
	tk_team tm;
	tk_txn t;
	int rc;

	if (opt.quiet)
		return;
	rows_init(&r, team ? tk_team_cols : tk_agent_cols, team ? TK_T_NCOLS : TK_A_NCOLS);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (team) {
		tk_team_init(&tm);
		if ((rc = tk_team_get(&t, name, &tm, 1)) > 0)
			rows_put(&r, tm.v);
		tk_team_free(&tm);
	} else {
		tk_agent_init(&a);
		if ((rc = tk_agent_get(&t, name, &a)) > 0)
			rows_put(&r, a.v);
		tk_agent_free(&a);
	}
	if (rc < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_txn_end(&t);
	rows_end(&r);
}

static void
show(tk_store *st, const char *login)
{
	tk_output out;
	tk_ticket tk;
	tk_agent a;
	tk_ids ids = { 0 };
	tk_txn t;
	size_t i, k;
	int rc;

	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_agent_init(&a);
	if ((rc = tk_agent_get(&t, login, &a)) == 0)
		tk_agent_unknown(&t, login);
	if (rc <= 0)
		tk_die(rc < 0 ? TK_EXIT_FAIL : TK_EXIT_USAGE, "%s", tk_errmsg);
	printf("Agent %s", login);
	if (a.v[TK_A_NAME][0]) {
		fputs(": ", stdout);
		tk_term_write(stdout, a.v[TK_A_NAME], strlen(a.v[TK_A_NAME]));
	}
	fputc('\n', stdout);
	for (i = TK_A_EMAIL; i < TK_A_NCOLS; i++)
		if (a.v[i][0]) {
			printf("%-15s  ", tk_agent_cols[i]);
			tk_term_write(stdout, a.v[i], strlen(a.v[i]));
			fputc('\n', stdout);
		}
	if (tk_output_init(&out, tk_output_choose(0, 0, 0), NULL, 0) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_ticket_init(&tk);
	/* Open tickets by status (the workflow's of class open or paused), in
	 * the working set's order. */
	for (i = 0; tk_status_at(i); i++) {
		const tk_status_def *d = tk_status_at(i);

		if (!tk_class_active(d->cls))
			continue;
		ids.n = 0;
		if (tk_agent_tickets(&t, login, d->name, &ids) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		if (!ids.n)
			continue;
		printf("\n--- %s (%zu)\n", d->name, ids.n);
		for (k = 0; k < ids.n; k++)
			if (tk_ticket_get(&t, ids.v[k], &tk, 0) > 0)
				tk_output_ticket(&out, &t, &tk);
		tk_output_finish(&out);
		tk_output_free(&out);
		if (tk_output_init(&out, tk_output_choose(0, 0, 0), NULL, 0) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	}
	tk_output_free(&out);
	tk_ticket_free(&tk);
	tk_ids_free(&ids);
	tk_agent_free(&a);
	tk_txn_end(&t);
	tk_flush_stdout();
}

static int
list(tk_store *st, int argc, char **argv, int teams)
{
	struct listing l;
	tk_txn t;
	int i, rc;

	l.f = tk_agent_filter_new();
	for (i = 0; i < argc; i++)
		if (tk_agent_filter_add(l.f, argv[i]) < 0)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	rows_init(&l.r, teams ? tk_team_cols : tk_agent_cols, teams ? TK_T_NCOLS : TK_A_NCOLS);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (tk_agent_filter_check(l.f, &t) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	rc = teams ? tk_team_each(&t, 1, put_team, &l.r) : tk_agent_each(&t, list_agent, &l);
	if (rc < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_txn_end(&t);
	rc = l.r.printed ? TK_EXIT_OK : TK_EXIT_NOMATCH;
	rows_end(&l.r);
	tk_agent_filter_free(l.f);
	return rc;
}

static void
parse_assignments(struct change *c, int argc, char **argv, int team)
{
	int i;

	for (i = 0; i < argc; i++)
		if (tk_dir_assign_parse(&c->as, argv[i], team) < 0)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "header", no_argument, NULL, 'H' },
		{ "tsv", no_argument, NULL, 't' },
		{ "table", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "output", required_argument, NULL, 'o' },
		{ "reassign", required_argument, NULL, 'R' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct change ch = { 0 };
	const char *verb;
	int c, nopt, rc = TK_EXIT_OK, listing;
	tk_store *st;

	tk_cmd_start(argc, argv, usage);
	/* "-skills=vpn" is an operand (a removal), not options */
	nopt = tk_getopt_end(argc, argv, "qHto:d:hV");
	while ((c = getopt_long(nopt, argv, "qHto:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': opt.quiet = 1; break;
		case 'H': opt.header = 1; break;
		case 't': opt.tsv = 1; break;
		case 'T': opt.table = 1; break;
		case 'J': opt.json = 1; break;
		case 'o': opt.cols = tk_opt_once("-o", opt.cols, optarg); break;
		case 'R': opt.reassign = tk_opt_once("--reassign", opt.reassign, optarg); break;
		case 'd': opt.dir = tk_opt_once("-d", opt.dir, optarg); break;
		default: tk_common_option(c);
		}
	}
	/* getopt moved the options before the operands it stopped at */
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc)
		tk_die(TK_EXIT_USAGE, "no verb: add, set, rm, ls, show or team");
	verb = argv[optind++];
	argc -= optind;
	argv += optind;
	listing = !strcmp(verb, "ls") || (!strcmp(verb, "team") && argc <= 1);
	if (tk_output_conflict(opt.tsv, opt.table, opt.json, opt.header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	tk_opt_conflict("-q", opt.quiet, "-o", opt.cols != NULL);
	tk_opt_conflict("-q", opt.quiet, "--json", opt.json);
	if (opt.reassign && strcmp(verb, "rm"))
		tk_die(TK_EXIT_USAGE, "--reassign goes with rm");
	if ((opt.header || opt.cols) && !listing && strcmp(verb, "add") && strcmp(verb, "set") &&
	    strcmp(verb, "team"))
		tk_die(TK_EXIT_USAGE, "-H and -o go with ls, team, add and set");
	if (!strcmp(verb, "add") || !strcmp(verb, "set")) {
		if (argc < 1)
			tk_die(TK_EXIT_USAGE, "%s: no login", verb);
		ch.name = login_arg(argv[0]);
		parse_assignments(&ch, argc - 1, argv + 1, 0);
		if (!strcmp(verb, "set") && !ch.as.n)
			tk_die(TK_EXIT_USAGE, "set %s: nothing to set: give field=value, +field=value or -field=value",
			    ch.name);
		st = tk_cmd_store(opt.dir, !strcmp(verb, "add") ? TK_OPEN_CREATE : TK_OPEN_WRITE);
		write_or_die(st, !strcmp(verb, "add") ? add_fn : set_fn, &ch);
		print_one(st, ch.name, 0);
	} else if (!strcmp(verb, "rm")) {
		if (argc != 1)
			tk_die(TK_EXIT_USAGE, "rm: one login");
		ch.name = login_arg(argv[0]);
		if (opt.reassign && !strcmp((ch.other = login_arg(opt.reassign)), ch.name))
			tk_die(TK_EXIT_USAGE, "--reassign %s: the agent being removed", ch.other);
		st = tk_cmd_store(opt.dir, TK_OPEN_WRITE);
		write_or_die(st, rm_fn, &ch);
		if (ch.moved && !opt.quiet)
			tk_warn("%zu open tickets of %s given to %s", ch.moved, ch.name, ch.other);
	} else if (!strcmp(verb, "ls")) {
		st = tk_cmd_store(opt.dir, TK_OPEN_READ);
		rc = list(st, argc, argv, 0);
	} else if (!strcmp(verb, "show")) {
		if (argc != 1)
			tk_die(TK_EXIT_USAGE, "show: one login");
		st = tk_cmd_store(opt.dir, TK_OPEN_READ);
		show(st, login_arg(argv[0]));
	} else if (!strcmp(verb, "team")) {
		if (!argc) {
			st = tk_cmd_store(opt.dir, TK_OPEN_READ);
			rc = list(st, 0, NULL, 1);
		} else {
			if (!tk_agent_name_ok(argv[0]))
				tk_die(TK_EXIT_USAGE, "%s: not a team name (a letter, then letters, digits, '.', '_', '-')",
				    argv[0]);
			ch.name = argv[0];
			parse_assignments(&ch, argc - 1, argv + 1, 1);
			st = tk_cmd_store(opt.dir, TK_OPEN_CREATE);
			write_or_die(st, team_fn, &ch);
			print_one(st, ch.name, 1);
		}
	} else
		tk_die(TK_EXIT_USAGE, "%s: no such verb (add, set, rm, ls, show, team)", verb);
	tk_dir_asgs_free(&ch.as);
	tk_cmd_leave(st);
	return rc;
}
