/* tk-comment - add a public reply or an internal note to tickets. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk-comment [-iqt] [--table] [--json] [-d dir] [-f author] [-o columns]\n"
    "                  -m text [id ...]\n"
    "       tk-comment [-iqt] [-d dir] [-f author] [-o columns] id ... < text\n"
    "       tk-comment [-iqt] [--table] [--json] [-d dir] [-f author] [-o columns]\n"
    "                  --template name [id ...]\n"
    "       tk-comment [-iqt] [-d dir] [-f author] [-m text] --kb article id ...\n"
    "\n"
    "Adds the text as a public reply, or an internal note, to each ticket given\n"
    "or, with -m or --template and no ids, read from standard input.\n"
    "\n"
    "Comment:\n"
    "-m, --message text\tthe text; without it, read from standard input\n"
    "--template name\ta canned reply: the text of $TK_DIR/templates/name (or a\n"
    "\tpath with a /), fields filled in, and its Set: changes\n"
    "-i, --internal\tan internal note rather than a reply\n"
    "--kb article\tthe article (kb7) in the comment, its title first, after\n"
    "\tthe text of -m if any; its use on the ticket is recorded\n"
    "-f, --from author\tthe author (else the Unix user); the requester's\n"
    "\taddress makes a requester's reply\n"
    "Output:\n"
    "-q, --quiet\tprint nothing\n"
    "-o, --output columns\tthe columns printed, as in tk-ls\n"
    "-t, --tsv\trecords even on a terminal\n"
    "--table\tthe aligned table even when not on a terminal\n"
    "--json\tJSON lines, one object a ticket\n"
    "Other:\n"
    "-d, --dir dir\tthe store (else $TK_DIR, else ~/.local/share/tk)\n"
    TK_COMMON_HELP;

struct job {
	const tk_ids *ids;
	const char *author, *body;
	size_t len;
	const tk_template *tpl;	/* --template: the text made for each ticket */
	int internal;
	uint64_t kb;		/* --kb: the article, 0 for none */
	tk_buf full;		/* the text with the article */
	char **err;
	int missing, refused;
};

struct fill {
	tk_txn *t;
	tk_ticket *tk;
	char scratch[64];
};

static tk_str
fill_value(const char *name, void *arg)
{
	struct fill *f = arg;

	return tk_template_field(f->t, f->tk, name, f->scratch, sizeof f->scratch);
}

/* A canned reply: the template's text with this ticket's fields, then its
 * Set: changes, after what the reply itself changes (a first response
 * opens a new ticket; Set: status=resolved comes after). */
static int
canned(tk_txn *t, struct job *j, tk_ticket *tk)
{
	struct fill f = { t, tk, { 0 } };
	tk_buf text = { 0 };
	int rc;

	tk_template_render(j->tpl, TK_TPL_BODY, &text, fill_value, &f);
	if (tk_blank(text.p, text.len))
		rc = tk_error("%s: the text is blank for this ticket: nothing added", tk_template_path(j->tpl));
	else
		rc = tk_comment_post(t, tk, j->author, j->internal, text.p, text.len);
	tk_buf_free(&text);
	if (rc == 0 && tk_template_sets(j->tpl)->n && tk_ticket_apply(t, tk, tk_template_sets(j->tpl), 0) < 0)
		rc = -1;
	return rc < 0 ? -1 : 0;
}

/* The template read and checked against the store: exits on an error. */
static tk_template *
load_template(tk_store *st, const char *name)
{
	tk_template *tp;
	tk_txn t;
	int code;

	if (!(tp = tk_template_load(st->dir, name, &code)))
		tk_die(code, "%s", tk_errmsg);
	if (tk_template_has_subject(tp))
		tk_die(TK_EXIT_DATA, "%s: Subject: a notice's subject (tk-notify); a reply has none", tk_template_path(tp));
	if (!tk_template_has_text(tp))
		tk_die(TK_EXIT_DATA, "%s: no text after its header lines: a reply needs one", tk_template_path(tp));
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (tk_template_check(tp, &t, NULL) < 0 || tk_template_set_check(tp, st, &t) < 0)
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	tk_txn_end(&t);
	return tp;
}

static int
post(tk_txn *t, void *arg)
{
	struct job *j = arg;
	tk_ticket tk;
	size_t i;
	int rc;

	j->missing = j->refused = 0;
	if (j->kb) {	/* the article as it is in this transaction */
		tk_article a;

		if ((rc = tk_kb_get(t, j->kb, 0, &a)) < 0)
			return TK_EXIT_FAIL;
		if (!rc) {
			tk_error("--kb kb%llu: no such article", (unsigned long long)j->kb);
			return TK_EXIT_DATA;
		}
		j->full.len = 0;
		if (j->len) {
			tk_buf_add(&j->full, j->body, j->len);
			tk_buf_adds(&j->full, "\n\n");
		}
		tk_buf_adds(&j->full, a.title);
		tk_buf_adds(&j->full, "\n\n");
		tk_buf_add(&j->full, a.body, a.bodylen);
		while (j->full.len && j->full.p[j->full.len - 1] == '\n')
			j->full.len--;
		tk_article_free(&a);
	}
	for (i = 0; i < j->ids->n; i++) {
		free(j->err[i]);
		j->err[i] = NULL;
		tk_ticket_init(&tk);
		rc = tk_ticket_get(t, j->ids->v[i], &tk, 1);
		if (rc == 0) {
			j->err[i] = tk_xstrdup("no such ticket");
			j->missing++;
		} else if (rc > 0 && j->tpl)
			rc = canned(t, j, &tk);
		else if (rc > 0) {
			rc = j->kb ? tk_comment_post(t, &tk, j->author, j->internal, j->full.p, j->full.len) :
			    tk_comment_post(t, &tk, j->author, j->internal, j->body, j->len);
			if (rc >= 0 && j->kb && tk_kb_use(t, j->kb, j->ids->v[i], 'u') < 0)
				rc = -1;
		}
		tk_ticket_free(&tk);
		if (rc < 0) {
			if (tk_map_full)
				return TK_EXIT_FAIL;
			j->err[i] = tk_xstrdup(tk_errmsg);
			j->refused++;
		}
	}
	/* A comment refused for one ticket is refused for all: it is one message. */
	return j->refused ? TK_EXIT_DATA : 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "message", required_argument, NULL, 'm' },
		{ "template", required_argument, NULL, 'P' },
		{ "internal", no_argument, NULL, 'i' },
		{ "from", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "tsv", no_argument, NULL, 't' },
		{ "table", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "output", required_argument, NULL, 'o' },
		{ "dir", required_argument, NULL, 'd' },
		{ "kb", required_argument, NULL, 'K' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *cols = NULL, *author = NULL, *tplname = NULL, *kb = NULL;
	tk_template *tpl = NULL;
	tk_buf msg = { 0 };
	int nmsg = 0, mtext = 0;
	int c, quiet = 0, tsv = 0, table = 0, json = 0, rc, status = 0;
	struct job j = { 0 };
	tk_ids ids = { 0 };
	char *body = NULL;
	tk_output out;
	tk_ticket tk;
	tk_store *st;
	tk_txn t;
	size_t k;

	tk_cmd_start(argc, argv, usage);
	j.author = tk_actor();
	while ((c = getopt_long(argc, argv, "m:if:qto:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			/* Several -m are paragraphs, as git commit -m takes them. */
			nmsg++;
			mtext |= *optarg != '\0';
			if (!tk_blank(tk_opt_text("-m", optarg), strlen(optarg))) {
				if (msg.len)
					tk_buf_adds(&msg, "\n\n");
				tk_buf_adds(&msg, optarg);
			}
			break;
		case 'P': tplname = tk_opt_once("--template", tplname, tk_opt_text("--template", optarg)); break;
		case 'i': j.internal = 1; break;
		case 'f': author = tk_opt_once("-f", author, tk_opt_text("-f", optarg)); break;
		case 'q': quiet = 1; break;
		case 't': tsv = 1; break;
		case 'T': table = 1; break;
		case 'J': json = 1; break;
		case 'o': cols = tk_opt_once("-o", cols, tk_opt_text("-o", optarg)); break;
		case 'd': dir = tk_opt_once("-d", dir, optarg); break;
		case 'K': kb = tk_opt_once("--kb", kb, optarg); break;
		default: tk_common_option(c);
		}
	}
	if (tk_output_conflict(tsv, table, json, 0) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	tk_opt_conflict("-q", quiet, "-t", tsv);
	tk_opt_conflict("-q", quiet, "--table", table);
	tk_opt_conflict("-q", quiet, "--json", json);
	tk_opt_conflict("-q", quiet, "-o", cols != NULL);
	if (author)
		j.author = author;
	if (tk_text_check("-f", j.author, strlen(j.author)) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (tk_blank(j.author, strlen(j.author)) || strpbrk(j.author, "\t\n\r"))
		tk_die(TK_EXIT_USAGE, "-f %s: not an author", j.author);
	tk_opt_conflict("-m", nmsg, "--template", tplname != NULL);
	tk_opt_conflict("--kb", kb != NULL, "--template", tplname != NULL);
	if (kb && tk_kb_parse_id(kb, &j.kb, NULL) < 0)
		tk_die(TK_EXIT_USAGE, "--kb %s", tk_errmsg);
	if (kb && optind == argc)
		tk_die(TK_EXIT_USAGE, "--kb: the ticket ids as arguments");
	if (!nmsg && !tplname && optind == argc)
		tk_die(TK_EXIT_USAGE, "give the text with -m or --template, or the ids as arguments and the text on "
		    "standard input");
	if (nmsg && !msg.len)
		tk_die(TK_EXIT_USAGE, "-m: %s comment: nothing added", mtext ? "blank" : "empty");
	if (tk_output_init(&out, tk_output_choose(tsv, table, json), cols, 0) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (tk_cmd_ids(&ids, argc - optind, argv + optind))
		status = TK_EXIT_DATA;
	if (tplname) {
		j.body = NULL;
	} else if (nmsg) {
		j.body = msg.p;
		j.len = msg.len;
	} else if (kb) {	/* the article is the text */
		j.body = "";
		j.len = 0;
	} else {
		if (isatty(STDIN_FILENO))
			fprintf(stderr, "%s: type the comment, end with Ctrl-D\n", tk_progname);
		body = tk_read_all(stdin, "stdin", &j.len);
		while (j.len && body[j.len - 1] == '\n')
			j.len--;
		j.body = body;
	}
	if (!tplname && !kb && tk_blank(j.body, j.len))
		tk_die(TK_EXIT_USAGE, "%s: %s comment: nothing added", nmsg ? "-m" : "stdin", j.len ? "blank" : "empty");
	if (!tplname && tk_text_check(nmsg ? "-m" : "stdin", j.body, j.len) < 0)
		tk_die(nmsg ? TK_EXIT_USAGE : TK_EXIT_DATA, "%s", tk_errmsg);
	j.ids = &ids;
	j.err = tk_xmalloc((ids.n ? ids.n : 1) * sizeof *j.err);
	memset(j.err, 0, (ids.n ? ids.n : 1) * sizeof *j.err);
	st = tk_cmd_store(dir, TK_OPEN_WRITE);
	if (tplname)
		j.tpl = tpl = load_template(st, tplname);
	if (cols) {
		if (tk_txn_read(st, &t) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		if (tk_output_check(&out, &t) < 0)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
		tk_txn_end(&t);
	}
	rc = tk_store_write(st, post, &j);
	tk_buf_free(&j.full);
	if (rc && (rc != TK_EXIT_DATA || (j.kb && !j.refused)))
		tk_die(rc, "%s", tk_errmsg);
	for (k = 0; k < ids.n; k++)
		if (j.err[k])
			tk_warn("ticket %llu: %s", (unsigned long long)ids.v[k], j.err[k]);
	if (rc) {
		tk_warn("nothing added");
		status = rc;
	} else if (j.missing && !status)
		status = TK_EXIT_NOMATCH;
	if (!quiet && !rc) {
		if (tk_txn_read(st, &t) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		tk_ticket_init(&tk);
		for (k = 0; k < ids.n; k++)
			if (!j.err[k] && tk_ticket_get(&t, ids.v[k], &tk, 0) == 1)
				tk_output_ticket(&out, &t, &tk);
		tk_output_finish(&out);
		tk_ticket_free(&tk);
		tk_txn_end(&t);
	}
	for (k = 0; k < ids.n; k++)
		free(j.err[k]);
	free(j.err);
	free(body);
	tk_template_free(tpl);
	tk_buf_free(&msg);
	tk_output_free(&out);
	tk_ids_free(&ids);
	tk_cmd_leave(st);
	tk_flush_stdout();
	return status;
}
