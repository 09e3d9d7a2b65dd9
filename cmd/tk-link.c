/* tk-link - link tickets, merge them and take them apart, split one. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static const char usage[] =
    "tk-link [-qt] [--table] [--json] [-d dir] [-o columns] [--unlink] [id] relation id\n"
    "       tk-link [-qt] [--table] [--json] [-d dir] [-o columns] --merge [id] into id\n"
    "       tk-link [-qt] [--table] [--json] [-d dir] [-o columns] --unmerge [id ...]\n"
    "       tk-link [-q] [-d dir] --split id -s subject [-m text]\n"
    "\n"
    "Links two tickets as a sentence says: 42 relates 57, 42 parent-of 60,\n"
    "60 child-of 42, 42 duplicate-of 57. With no first id, each id read from\n"
    "standard input is linked. Prints the first ticket of each link made.\n"
    "\n"
    "Relations:\n"
    "relates\teach is related to the other\n"
    "parent-of, child-of\tthe child's parent field names the parent\n"
    "duplicate-of\tthe first is a duplicate of the second\n"
    "Actions:\n"
    "--unlink\ttake the link apart\n"
    "--merge\tmerge the first ticket (or each read) into the second: its\n"
    "\tcomments, watchers and tags move, and it is closed as merged\n"
    "--unmerge\tundo the merge of each ticket given or read, exactly\n"
    "--split\ta new child of the ticket, with its requester, queue, category\n"
    "-s, --subject text\tthe new ticket's subject (--split)\n"
    "-m, --message text\tthe new ticket's body (--split)\n"
    "Output:\n"
    "-q, --quiet\tprint nothing\n"
    "-o, --output columns\tthe columns printed, as in tk-ls\n"
    "-t, --tsv\trecords even on a terminal\n"
    "--table\tthe aligned table even when not on a terminal\n"
    "--json\tJSON lines, one object a ticket\n"
    "Other:\n"
    "-d, --dir dir\tthe store (else $TK_DIR, else ~/.local/share/tk)\n"
    TK_COMMON_HELP;

enum { M_LINK, M_UNLINK, M_MERGE, M_UNMERGE, M_SPLIT };
enum { R_DONE, R_NOTHING, R_MISSING, R_REFUSED };

struct job {
	int mode, rel, streamed;
	uint64_t a, b, made;
	const char *subject, *body;
	int result;
	char *err;
};

static int
run(tk_txn *t, void *arg)
{
	struct job *j = arg;
	tk_ticket tk;
	int rc = 0;

	free(j->err);
	j->err = NULL;
	j->result = R_DONE;
	/* A number read that is no ticket is reported and the rest go on
	 * (DESIGN.md 4); given as an argument, it is a link refused. */
	if (j->streamed) {
		tk_ticket_init(&tk);
		rc = tk_ticket_get(t, j->a, &tk, 0);
		tk_ticket_free(&tk);
		if (rc < 0)
			return TK_EXIT_FAIL;
		if (rc == 0) {
			j->result = R_MISSING;
			j->err = tk_xstrdup("no such ticket");
			return TK_EXIT_NOMATCH;
		}
	}
	switch (j->mode) {
	case M_LINK:
	case M_UNLINK:
		rc = tk_link(t, j->a, j->rel, j->b, j->mode == M_UNLINK);
		break;
	case M_MERGE:
		rc = tk_merge(t, j->a, j->b);
		break;
	case M_UNMERGE:
		rc = tk_unmerge(t, j->a, &j->b);
		break;
	case M_SPLIT:
		rc = tk_split(t, j->a, j->subject, j->body, j->body ? strlen(j->body) : 0, &j->made);
		break;
	}
	if (rc < 0) {
		if (tk_map_full)
			return TK_EXIT_FAIL;
		j->result = R_REFUSED;
		j->err = tk_xstrdup(tk_errmsg);
		return TK_EXIT_DATA;
	}
	if (rc == 1)
		j->result = R_NOTHING;
	return 0;
}

static uint64_t
id_arg(const char *s)
{
	uint64_t id;

	if (tk_id_parse(s, strlen(s), &id) < 0)
		tk_die(TK_EXIT_USAGE, "%s: not a ticket id", s);
	return id;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "unlink", no_argument, NULL, 'U' },
		{ "merge", no_argument, NULL, 'M' },
		{ "unmerge", no_argument, NULL, 'N' },
		{ "split", no_argument, NULL, 'S' },
		{ "subject", required_argument, NULL, 's' },
		{ "message", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "tsv", no_argument, NULL, 't' },
		{ "table", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "output", required_argument, NULL, 'o' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *cols = NULL, *word;
	int c, mode = M_LINK, modes = 0, quiet = 0, tsv = 0, table = 0, json = 0, status = 0, bad = 0, nops, rc;
	char **ops;
	struct job j = { 0 };
	tk_ids ids = { 0 }, shown = { 0 };
	tk_output out;
	tk_ticket tk;
	tk_store *st;
	tk_txn t;
	size_t k;

	tk_cmd_start(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "s:m:qto:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'U': mode = M_UNLINK; modes++; break;
		case 'M': mode = M_MERGE; modes++; break;
		case 'N': mode = M_UNMERGE; modes++; break;
		case 'S': mode = M_SPLIT; modes++; break;
		case 's': j.subject = optarg; break;
		case 'm': j.body = optarg; break;
		case 'q': quiet = 1; break;
		case 't': tsv = 1; break;
		case 'T': table = 1; break;
		case 'J': json = 1; break;
		case 'o': cols = optarg; break;
		case 'd': dir = optarg; break;
		default: tk_common_option(c);
		}
	}
	if (modes > 1)
		tk_die(TK_EXIT_USAGE, "--unlink, --merge, --unmerge and --split: one at a time");
	if ((j.subject || j.body) && mode != M_SPLIT)
		tk_die(TK_EXIT_USAGE, "-s and -m give a new ticket's subject and body: only with --split");
	ops = argv + optind;
	nops = argc - optind;
	j.mode = mode;
	/* The operands, as the sentence reads; no first id: the ids read. */
	switch (mode) {
	case M_LINK:
	case M_UNLINK:
		if (nops != 2 && nops != 3)
			tk_usage(TK_EXIT_USAGE);
		word = ops[nops - 2];
		if ((j.rel = tk_rel_parse(word)) == TK_REL_NONE)
			tk_die(TK_EXIT_USAGE, "%s: not a relation (%s)", word, tk_rel_words);
		j.b = id_arg(ops[nops - 1]);
		if (nops == 3)
			tk_ids_add(&ids, id_arg(ops[0]));
		break;
	case M_MERGE:
		if (nops == 3 && strcmp(ops[1], "into"))
			tk_die(TK_EXIT_USAGE, "%s: merge ID into ID", ops[1]);
		if (nops == 2 && strcmp(ops[0], "into"))
			tk_die(TK_EXIT_USAGE, "%s: merge ID into ID (or into ID, the ids read)", ops[0]);
		if (nops != 2 && nops != 3)
			tk_usage(TK_EXIT_USAGE);
		j.b = id_arg(ops[nops - 1]);
		if (nops == 3)
			tk_ids_add(&ids, id_arg(ops[0]));
		break;
	case M_UNMERGE:
		if (nops)
			tk_cmd_ids(&ids, nops, ops);
		break;
	case M_SPLIT:
		if (nops != 1)
			tk_usage(TK_EXIT_USAGE);
		if (!j.subject)
			tk_die(TK_EXIT_USAGE, "--split: give the new ticket's subject with -s");
		if (tk_blank(j.subject, strlen(j.subject)))
			tk_die(TK_EXIT_USAGE, "-s: a subject cannot be %s", *j.subject ? "blank" : "empty");
		if (tk_text_check("-s", j.subject, strlen(j.subject)) < 0 ||
		    (j.body && tk_text_check("-m", j.body, strlen(j.body)) < 0))
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
		tk_ids_add(&ids, id_arg(ops[0]));
		break;
	}
	if (!ids.n && mode != M_SPLIT) {
		j.streamed = 1;
		bad = tk_cmd_ids(&ids, 0, NULL);
	}
	if (bad)
		status = TK_EXIT_DATA;
	if (tk_output_init(&out, tk_output_choose(tsv, table, json), cols, 0) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	st = tk_cmd_store(dir, TK_OPEN_WRITE);
	/* Each link, merge or split in a transaction of its own: one refused
	 * leaves nothing of it, and the others stand. */
	for (k = 0; k < ids.n; k++) {
		j.a = ids.v[k];
		rc = tk_store_write(st, run, &j);
		if (rc && rc != TK_EXIT_DATA && rc != TK_EXIT_NOMATCH)
			tk_die(rc, "%s", tk_errmsg);
		switch (j.result) {
		case R_MISSING:
			tk_warn("ticket %llu: %s", (unsigned long long)j.a, j.err);
			if (!status)
				status = TK_EXIT_NOMATCH;
			continue;
		case R_REFUSED:
			tk_warn("%s", j.err);
			status = TK_EXIT_DATA;
			continue;
		case R_NOTHING:
			if (mode == M_UNLINK) {
				tk_warn("%llu %s %llu: no such link", (unsigned long long)j.a,
				    ops[nops - 2], (unsigned long long)j.b);
				if (!status)
					status = TK_EXIT_NOMATCH;
			}
			if (!j.streamed)
				continue;
			break;
		}
		if (mode == M_SPLIT)
			tk_ids_add(&shown, j.made);
		else if (mode == M_MERGE)
			tk_ids_add(&shown, j.b);
		else {
			tk_ids_add(&shown, j.a);
			if (mode == M_UNMERGE)
				tk_ids_add(&shown, j.b);
		}
	}
	free(j.err);
	if (!quiet && shown.n && mode == M_SPLIT) {
		for (k = 0; k < shown.n; k++)
			printf("%llu\n", (unsigned long long)shown.v[k]);
	} else if (!quiet && shown.n) {
		tk_ids_unique(&shown);
		if (tk_txn_read(st, &t) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		tk_ticket_init(&tk);
		for (k = 0; k < shown.n; k++)
			if (tk_ticket_get(&t, shown.v[k], &tk, 0) == 1)
				tk_output_ticket(&out, &t, &tk);
		tk_output_finish(&out);
		tk_ticket_free(&tk);
		tk_txn_end(&t);
	}
	tk_output_free(&out);
	tk_ids_free(&ids);
	tk_ids_free(&shown);
	tk_cmd_leave(st);
	tk_flush_stdout();
	return status;
}
