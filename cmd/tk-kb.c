/* tk-kb - knowledge-base articles and full-text search. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk-kb [-d dir] add --title title [tags=a,b]\n"
    "       tk-kb [-d dir] import [file]\n"
    "       tk-kb [-d dir] edit article\n"
    "       tk-kb [-d dir] ls [tag=name]\n"
    "       tk-kb [-d dir] show article[@rev]\n"
    "       tk-kb [-d dir] log article\n"
    "       tk-kb [-d dir] rm article\n"
    "       tk-kb [-d dir] [-n count] search query ...\n"
    "       tk-kb [-d dir] [-n count] [--tickets] suggest [ticket ...]\n"
    "       tk-kb [-d dir] from-ticket ticket\n"
    "       tk-kb [-d dir] reindex\n"
    "\n"
    "Keeps articles (kb7) and finds them: ranked full-text search in Chinese and English.\n"
    "\n"
    "Verbs:\n"
    "add\ta new article, its body read from standard input; prints its id\n"
    "import [file]\tarticles from CSV or TSV (title, body, tags, external id)\n"
    "edit article\tthe article in $EDITOR, saved as a new revision\n"
    "ls [tag=name]\tthe articles (id, revision, updated, tags, title)\n"
    "show article[@rev]\tan article, or one revision of it\n"
    "log article\tits revisions\n"
    "rm article\tremove an article and its revisions\n"
    "search query\tranked articles: id, score, title, snippet\n"
    "suggest [ticket]\tarticles for each ticket's subject and body\n"
    "from-ticket ticket\ta draft article from a resolved ticket\n"
    "reindex\tbuild the ticket full-text index afresh (text=, suggest --tickets)\n"
    "Options:\n"
    "--title title\twith add: the article's title\n"
    "-n, --count count\tat most count results (search 10, suggest 3)\n"
    "--tickets\twith suggest: similar resolved tickets, not articles\n"
    "-d, --dir dir\tthe store (else $TK_DIR, else ~/.local/share/tk)\n"
    TK_COMMON_HELP;

static struct {
	const char *dir, *title;
	long count;
	int tickets;
} opt = { .count = -1 };

#define MAX_BODY (16u << 20)

static void
check_text(const char *what, const char *s, size_t n, int code)
{
	if (tk_text_check(what, s, n) < 0)
		tk_die(code, "%s", tk_errmsg);
}

static char *
read_body(size_t *n)
{
	char *b;

	if (isatty(STDIN_FILENO))
		tk_die(TK_EXIT_USAGE, "add: the body is read from standard input (tk-kb add --title T < body.md)");
	b = tk_read_all(stdin, "standard input", n);
	if (*n > MAX_BODY)
		tk_die(TK_EXIT_DATA, "standard input: an article of %zu bytes; at most %u", *n, MAX_BODY);
	check_text("body", b, *n, TK_EXIT_DATA);
	return b;
}

/* tags=a,b (a set; +tag=x and -tag=x change one) and title=. */
static void
assign(tk_article *a, const char *w)
{
	if (!strncmp(w, "tags=", 5) || !strncmp(w, "tag=", 4)) {
		const char *v = strchr(w, '=') + 1;

		check_text("tags", v, strlen(v), TK_EXIT_USAGE);
		if (strchr(v, ' ') || strchr(v, '\t'))
			tk_die(TK_EXIT_USAGE, "%s: tags are separated by commas, no spaces", w);
		free(a->tags);
		a->tags = tk_xstrdup(v);
	} else if (!strncmp(w, "+tag=", 5) || !strncmp(w, "-tag=", 5)) {
		const char *v = w + 5;
		tk_buf b = { 0 };
		const char *p = a->tags ? a->tags : "";

		if (!*v || strchr(v, ',') || strchr(v, ' '))
			tk_die(TK_EXIT_USAGE, "%s: one tag", w);
		while (*p) {
			const char *e = strchr(p, ',');
			size_t l = e ? (size_t)(e - p) : strlen(p);

			if (l && !(l == strlen(v) && !memcmp(p, v, l)))
				tk_buf_printf(&b, "%s%.*s", b.len ? "," : "", (int)l, p);
			p = e ? e + 1 : p + l;
		}
		if (*w == '+')
			tk_buf_printf(&b, "%s%s", b.len ? "," : "", v);
		free(a->tags);
		a->tags = tk_xstrdup(tk_buf_cstr(&b));
		tk_buf_free(&b);
	} else if (!strncmp(w, "title=", 6)) {
		check_text("title", w + 6, strlen(w + 6), TK_EXIT_USAGE);
		if (tk_blank(w + 6, strlen(w + 6)))
			tk_die(TK_EXIT_USAGE, "title=: an empty title");
		free(a->title);
		a->title = tk_xstrdup(w + 6);
	} else
		tk_die(TK_EXIT_USAGE, "%s: not an assignment of an article (title=, tags=, +tag=, -tag=)", w);
}

static uint64_t
article_arg(const char *s, uint32_t *rev)
{
	uint64_t id;

	if (tk_kb_parse_id(s, &id, rev) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	return id;
}

static void
write_or_die(tk_store *st, tk_write_fn fn, void *arg)
{
	int rc = tk_store_write(st, fn, arg);

	if (rc)
		tk_die(rc, "%s", tk_errmsg);
}

static int
put_fn(tk_txn *t, void *arg)
{
	tk_article *a = arg;
	uint64_t id = a->id;

	tk_ft_discard();
	if (a->id) {
		tk_article old;
		int rc = tk_kb_get(t, a->id, 0, &old);

		if (rc < 0)
			return TK_EXIT_FAIL;
		tk_article_free(&old);
		if (!rc) {
			tk_error("kb%llu: no such article", (unsigned long long)a->id);
			return TK_EXIT_NOMATCH;
		}
	}
	free(a->updated);
	a->updated = tk_xstrdup(t->now_iso);
	if (!a->created)
		a->created = tk_xstrdup(t->now_iso);
	if (tk_kb_put(t, a) < 0) {
		a->id = id;
		return TK_EXIT_FAIL;
	}
	return 0;
}

static void
cmd_add(tk_store **st, int argc, char **argv)
{
	tk_article a = { 0 };
	int i;

	if (!opt.title)
		tk_die(TK_EXIT_USAGE, "add: no title: give --title");
	for (i = 0; i < argc; i++)
		assign(&a, argv[i]);
	a.title = tk_xstrdup(opt.title);
	a.author = tk_xstrdup(tk_actor());
	a.body = read_body(&a.bodylen);
	*st = tk_cmd_store(opt.dir, TK_OPEN_CREATE);
	write_or_die(*st, put_fn, &a);
	printf("kb%llu\n", (unsigned long long)a.id);
	tk_article_free(&a);
}

/* ---- import ---- */

static tk_store *
open_store(void *arg)
{
	return tk_cmd_store(arg, TK_OPEN_CREATE);
}

static void
cmd_import(tk_store **st, int argc, char **argv)
{
	const char *name = argc ? argv[0] : "-";
	FILE *fp;
	long n[4];
	int rc;

	if (argc > 1)
		tk_die(TK_EXIT_USAGE, "import: one file");
	if (!(fp = strcmp(name, "-") ? fopen(name, "r") : stdin))
		tk_die(TK_EXIT_FAIL, "%s: %m", name);
	if ((rc = tk_kb_import(fp, name, MAX_BODY, open_store, (void *)opt.dir, st, n)))
		tk_die(rc, "%s", tk_errmsg);
	if (fp != stdin)
		fclose(fp);
	fprintf(stderr, "tk-kb: import %s: %ld added, %ld changed, %ld unchanged, %ld refused\n", name, n[0], n[1],
	    n[2], n[3]);
	if (n[3])
		exit(TK_EXIT_DATA);
}

/* ---- reading ---- */

static void
read_txn(tk_store *st, tk_txn *t)
{
	if (tk_txn_read(st, t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
}

static void
record(const char *const *v, size_t n)
{
	tk_str f[8];
	size_t i;

	for (i = 0; i < n; i++)
		f[i] = TK_STR(v[i]);
	tk_write_record(stdout, f, n);
}

struct lsarg {
	const char *tag;
	long n;
};

static int
ls_one(tk_article *a, void *arg)
{
	struct lsarg *l = arg;
	char id[32], rev[16];

	if (l->tag && !tk_kb_has_tag(a->tags, l->tag, strlen(l->tag)))
		return 0;
	snprintf(id, sizeof id, "kb%llu", (unsigned long long)a->id);
	snprintf(rev, sizeof rev, "%u", a->rev);
	record((const char *const[]){ id, rev, a->updated, a->tags, a->title }, 5);
	l->n++;
	return 0;
}

static int
cmd_ls(tk_store *st, int argc, char **argv)
{
	struct lsarg l = { NULL, 0 };
	tk_txn t;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "tag=", 4) && argv[i][4])
			l.tag = argv[i] + 4;
		else
			tk_die(TK_EXIT_USAGE, "%s: not a filter of articles (tag=name)", argv[i]);
	}
	read_txn(st, &t);
	if (tk_kb_each(&t, ls_one, &l) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_txn_end(&t);
	return l.n ? TK_EXIT_OK : TK_EXIT_NOMATCH;
}

static int
show_use(uint64_t ticket, int kind, const char *when, void *arg)
{
	(void)arg;
	printf("%s: %llu %s\n", kind == 'f' ? "made-from" : "used-on", (unsigned long long)ticket, when);
	return 0;
}

static int
cmd_show(tk_store *st, const char *arg)
{
	uint32_t rev;
	uint64_t id = article_arg(arg, &rev);
	tk_article a;
	tk_txn t;
	int rc;

	read_txn(st, &t);
	if ((rc = tk_kb_get(&t, id, rev, &a)) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (!rc)
		tk_die(TK_EXIT_NOMATCH, "%s: no such article%s", arg, rev ? " or revision" : "");
	printf("id: kb%llu\nrevision: %u\ntitle: %s\ntags: %s\nauthor: %s\ncreated: %s\nupdated: %s\n",
	    (unsigned long long)a.id, a.rev, a.title, a.tags, a.author, a.created, a.updated);
	if (*a.ext)
		printf("external-id: %s\n", a.ext);
	if (!rev && tk_kb_uses(&t, id, show_use, NULL) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	printf("\n");
	fwrite(a.body, 1, a.bodylen, stdout);
	if (a.bodylen && a.body[a.bodylen - 1] != '\n')
		putchar('\n');
	tk_article_free(&a);
	tk_txn_end(&t);
	return 0;
}

static int
log_one(tk_article *a, void *arg)
{
	char id[40], rev[16];

	(void)arg;
	snprintf(id, sizeof id, "kb%llu@%u", (unsigned long long)a->id, a->rev);
	snprintf(rev, sizeof rev, "%u", a->rev);
	record((const char *const[]){ id, rev, a->updated, a->author, a->title }, 5);
	return 0;
}

static int
cmd_log(tk_store *st, const char *arg)
{
	uint64_t id = article_arg(arg, NULL);
	tk_article a;
	tk_txn t;
	int rc;

	read_txn(st, &t);
	if ((rc = tk_kb_get(&t, id, 0, &a)) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (!rc)
		tk_die(TK_EXIT_NOMATCH, "%s: no such article", arg);
	tk_article_free(&a);
	if (tk_kb_revs(&t, id, log_one, NULL) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_txn_end(&t);
	return 0;
}

static int
rm_fn(tk_txn *t, void *arg)
{
	tk_ft_discard();
	if (tk_kb_rm(t, *(uint64_t *)arg) < 0)
		return strstr(tk_errmsg, "no such article") ? TK_EXIT_NOMATCH : TK_EXIT_FAIL;
	return 0;
}

/* ---- edit ---- */

static void
cmd_edit(tk_store *st, int argc, char **argv)
{
	uint64_t id = article_arg(argv[0], NULL);
	char path[] = "/tmp/tk-kb-XXXXXX.md";
	const char *ed = getenv("VISUAL") ? getenv("VISUAL") : getenv("EDITOR");
	tk_article a, b = { 0 };
	tk_txn t;
	tk_buf cmd = { 0 };
	FILE *fp;
	char *text, *p, *end;
	size_t n;
	int fd, rc, i;

	read_txn(st, &t);
	if ((rc = tk_kb_get(&t, id, 0, &a)) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_txn_end(&t);
	if (!rc)
		tk_die(TK_EXIT_NOMATCH, "%s: no such article", argv[0]);
	if (argc > 1) {	/* assignments: no editor */
		b = a;
		for (i = 1; i < argc; i++)
			assign(&b, argv[i]);
		b.id = id;
		write_or_die(st, put_fn, &b);
		printf("kb%llu@%u\n", (unsigned long long)id, b.rev);
		tk_article_free(&b);
		return;
	}
	if (!ed || !*ed)
		ed = "vi";
	if ((fd = mkstemps(path, 3)) < 0 || !(fp = fdopen(fd, "w")))
		tk_die(TK_EXIT_FAIL, "%s: %m", path);
	fprintf(fp, "Title: %s\nTags: %s\n\n", a.title, a.tags);
	fwrite(a.body, 1, a.bodylen, fp);
	if (fclose(fp))
		tk_die(TK_EXIT_FAIL, "%s: %m", path);
	tk_buf_printf(&cmd, "%s '%s'", ed, path);
	rc = system(tk_buf_cstr(&cmd));
	tk_buf_free(&cmd);
	if (rc) {
		unlink(path);
		tk_die(TK_EXIT_FAIL, "%s: the editor failed; nothing saved", ed);
	}
	if (!(fp = fopen(path, "r")))
		tk_die(TK_EXIT_FAIL, "%s: %m", path);
	text = tk_read_all(fp, path, &n);
	fclose(fp);
	unlink(path);
	check_text(path, text, n, TK_EXIT_DATA);
	end = text + n;
	p = text;
	b.id = id;
	b.author = tk_xstrdup(tk_actor());
	b.created = tk_xstrdup(a.created);
	b.ext = tk_xstrdup(a.ext);
	while (p < end && *p != '\n') {
		char *e = memchr(p, '\n', (size_t)(end - p));
		size_t l = e ? (size_t)(e - p) : (size_t)(end - p);

		if (l > 7 && !strncasecmp(p, "Title: ", 7))
			b.title = tk_xstrndup(p + 7, l - 7);
		else if (l >= 5 && !strncasecmp(p, "Tags:", 5)) {
			char *v = p + 5;

			while (*v == ' ')
				v++;
			b.tags = tk_xstrndup(v, l - (size_t)(v - p));
		} else
			tk_die(TK_EXIT_DATA, "%s: %.*s: the header has Title: and Tags:, then an empty line", path,
			    (int)l, p);
		p += l + (e != NULL);
	}
	if (p < end)
		p++;
	if (!b.title || tk_blank(b.title, strlen(b.title)))
		tk_die(TK_EXIT_DATA, "%s: no title; nothing saved", path);
	if (!b.tags)
		b.tags = tk_xstrdup("");
	b.bodylen = (size_t)(end - p);
	b.body = tk_xstrndup(p, b.bodylen);
	free(text);
	if (!strcmp(a.title, b.title) && !strcmp(a.tags, b.tags) && a.bodylen == b.bodylen &&
	    !memcmp(a.body, b.body, b.bodylen)) {
		tk_warn("kb%llu: unchanged; no new revision", (unsigned long long)id);
	} else {
		write_or_die(st, put_fn, &b);
		printf("kb%llu@%u\n", (unsigned long long)id, b.rev);
	}
	tk_article_free(&a);
	tk_article_free(&b);
}

/* ---- search ---- */

static int
color_on(void)
{
	return isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
}

static long
print_hits(tk_txn *t, tk_ftq *q, tk_fthit *h, long n, const char *ticket)
{
	int col = color_on();
	long i, shown = 0;

	for (i = 0; i < n; i++) {
		tk_article a;
		char id[32], score[32];
		tk_buf snip = { 0 };
		int rc = tk_kb_get(t, h[i].id, 0, &a);

		if (rc < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		if (!rc)
			continue;
		snprintf(id, sizeof id, "kb%llu", (unsigned long long)a.id);
		snprintf(score, sizeof score, "%.3f", h[i].score);
		tk_ft_snippet(q, a.body, a.bodylen, col ? "\033[1;31m" : "[", col ? "\033[0m" : "]", &snip);
		if (ticket)
			record((const char *const[]){ ticket, id, score, a.title, tk_buf_cstr(&snip) }, 5);
		else if (col)
			printf("\033[1m%s\033[0m  %s  %s\n    %s\n", id, score, a.title, tk_buf_cstr(&snip));
		else
			record((const char *const[]){ id, score, a.title, tk_buf_cstr(&snip) }, 4);
		tk_buf_free(&snip);
		tk_article_free(&a);
		shown++;
	}
	return shown;
}

static int
cmd_search(tk_store *st, int argc, char **argv)
{
	tk_ftq *q;
	tk_fthit *h;
	tk_txn t;
	long n;

	if (!argc)
		tk_die(TK_EXIT_USAGE, "search: no query");
	if (!(q = tk_ftq_parse(argv, argc)))
		tk_die(TK_EXIT_USAGE, "search: %s", tk_errmsg);
	read_txn(st, &t);
	if ((n = tk_ft_search(&t, 'a', q, (size_t)(opt.count < 0 ? 10 : opt.count), &h)) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	n = print_hits(&t, q, h, n, NULL);
	free(h);
	tk_ftq_free(q);
	tk_txn_end(&t);
	return n ? TK_EXIT_OK : TK_EXIT_NOMATCH;
}

/* ---- tickets ---- */

static int
last_public(const tk_comment *c, void *arg)
{
	tk_buf *b = arg;

	if (!c->internal) {
		b->len = 0;
		tk_buf_add(b, c->body.p, c->body.n);
	}
	return 0;
}

/* Similar tickets: resolved or closed, not the ticket itself, best first:
 * ticket, similar ticket, score, its subject. */
static long
print_tickets(tk_txn *t, tk_fthit *h, long n, uint64_t self, const char *idb)
{
	long i, shown = 0, max = opt.count < 0 ? 3 : opt.count;

	for (i = 0; i < n && shown < max; i++) {
		tk_ticket tk;
		char id[32], score[32];
		int rc;

		if (h[i].id == self)
			continue;
		tk_ticket_init(&tk);
		if ((rc = tk_ticket_get(t, h[i].id, &tk, 0)) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		if (rc && !tk_active_status(tk.f[TK_F_STATUS]) && tk.f[TK_F_STATUS].n) {
			tk_str su = tk.f[TK_F_SUBJECT];
			char *subj = tk_xstrndup(su.p ? su.p : "", su.n);

			snprintf(id, sizeof id, "%llu", (unsigned long long)h[i].id);
			snprintf(score, sizeof score, "%.3f", h[i].score);
			record((const char *const[]){ idb, id, score, subj }, 4);
			free(subj);
			shown++;
		}
		tk_ticket_free(&tk);
	}
	return shown;
}

static int
suggest_one(tk_txn *t, uint64_t tid, int *found)
{
	tk_ticket tk;
	tk_buf terms = { 0 };
	char idb[32];
	long n = 0;
	int rc;

	tk_ticket_init(&tk);
	if ((rc = tk_ticket_get(t, tid, &tk, 0)) < 0 || (rc && tk_ticket_body(t, &tk) < 0))
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (!rc) {
		tk_warn("%llu: no such ticket", (unsigned long long)tid);
		tk_ticket_free(&tk);
		return TK_EXIT_NOMATCH;
	}
	if (tk_ft_top_terms(t, opt.tickets ? 't' : 'a', tk.f[TK_F_SUBJECT].p, tk.f[TK_F_SUBJECT].n, tk.body.p,
	    tk.body.n, 8, &terms) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (terms.len) {
		char *w = (char *)tk_buf_cstr(&terms);
		tk_ftq *q = tk_ftq_parse(&w, 1);
		tk_fthit *h;

		if (q && opt.tickets) {
			snprintf(idb, sizeof idb, "%llu", (unsigned long long)tid);
			if ((n = tk_ft_search_any(t, 't', q, 0, &h)) < 0)
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
			n = print_tickets(t, h, n, tid, idb);
			free(h);
			tk_ftq_free(q);
		} else if (q) {
			if ((n = tk_ft_search(t, 'a', q, (size_t)(opt.count < 0 ? 3 : opt.count), &h)) < 0)
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
			snprintf(idb, sizeof idb, "%llu", (unsigned long long)tid);
			n = print_hits(t, q, h, n, idb);
			free(h);
			tk_ftq_free(q);
		}
	}
	if (n)
		*found = 1;
	tk_buf_free(&terms);
	tk_ticket_free(&tk);
	return 0;
}

static int
cmd_suggest(tk_store *st, int argc, char **argv)
{
	tk_ids ids = { 0 };
	tk_txn t;
	size_t i;
	int rc = TK_EXIT_OK, found = 0, bad;

	bad = tk_cmd_ids(&ids, argc, argv);
	read_txn(st, &t);
	for (i = 0; i < ids.n; i++)
		if (suggest_one(&t, ids.v[i], &found))
			rc = TK_EXIT_NOMATCH;
	tk_txn_end(&t);
	tk_ids_free(&ids);
	if (bad)
		return TK_EXIT_DATA;
	return rc ? rc : found ? TK_EXIT_OK : TK_EXIT_NOMATCH;
}

struct draft {
	uint64_t ticket;
	tk_article a;
};

static int
from_ticket_fn(tk_txn *t, void *arg)
{
	struct draft *d = arg;

	tk_ft_discard();
	if (put_fn(t, &d->a))
		return TK_EXIT_FAIL;
	return tk_kb_use(t, d->a.id, d->ticket, 'f') < 0 ? TK_EXIT_FAIL : 0;
}

static void
cmd_from_ticket(tk_store *st, const char *arg)
{
	struct draft d = { 0 };
	tk_ticket tk;
	tk_txn t;
	tk_buf body = { 0 }, reply = { 0 };
	char *end;
	int rc;

	d.ticket = strtoull(arg, &end, 10);
	if (!*arg || *end || !d.ticket)
		tk_die(TK_EXIT_USAGE, "%s: not a ticket id", arg);
	read_txn(st, &t);
	tk_ticket_init(&tk);
	if ((rc = tk_ticket_get(&t, d.ticket, &tk, 1)) < 0 || (rc && tk_ticket_body(&t, &tk) < 0))
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (!rc)
		tk_die(TK_EXIT_NOMATCH, "%s: no such ticket", arg);
	if (tk_comment_each(&t, d.ticket, last_public, &reply) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_buf_printf(&body, "## Problem\n\n%.*s\n\n%.*s\n\n## Resolution\n\n%.*s\n", (int)tk.f[TK_F_SUBJECT].n,
	    tk.f[TK_F_SUBJECT].p, (int)tk.body.n, tk.body.p, (int)reply.len, reply.len ? reply.p : "(no public reply yet)");
	d.a.title = tk_xstrndup(tk.f[TK_F_SUBJECT].p, tk.f[TK_F_SUBJECT].n);
	if (!*d.a.title) {
		free(d.a.title);
		d.a.title = tk_xstrdup(arg);
	}
	d.a.tags = tk_xstrdup("draft");
	d.a.author = tk_xstrdup(tk_actor());
	d.a.body = tk_xstrndup(body.p, body.len);
	d.a.bodylen = body.len;
	tk_ticket_free(&tk);
	tk_txn_end(&t);
	write_or_die(st, from_ticket_fn, &d);
	printf("kb%llu\n", (unsigned long long)d.a.id);
	tk_article_free(&d.a);
	tk_buf_free(&body);
	tk_buf_free(&reply);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "title", required_argument, NULL, 'T' },
		{ "count", required_argument, NULL, 'n' },
		{ "tickets", no_argument, NULL, 'K' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	tk_store *st = NULL;
	const char *verb;
	int c, nopt, rc = TK_EXIT_OK;

	tk_cmd_start(argc, argv, usage);
	nopt = tk_getopt_end(argc, argv, "n:d:hV");
	while ((c = getopt_long(nopt, argv, "n:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'T': opt.title = tk_opt_text("--title", tk_opt_once("--title", opt.title, optarg)); break;
		case 'n': {
			char *e;

			opt.count = strtol(optarg, &e, 10);
			if (*e || opt.count < 1 || opt.count > 100000)
				tk_die(TK_EXIT_USAGE, "-n %s: a count from 1 to 100000", optarg);
			break;
		}
		case 'K': opt.tickets = 1; break;
		case 'd': opt.dir = tk_opt_once("-d", opt.dir, optarg); break;
		default: tk_common_option(c);
		}
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc)
		tk_die(TK_EXIT_USAGE, "no verb: add, import, edit, ls, show, log, rm, search, suggest, from-ticket or reindex");
	verb = argv[optind++];
	argc -= optind;
	argv += optind;
	if (argc && !strcmp(argv[0], "--"))	/* search -- -word */
		argc--, argv++;
	if (opt.title && strcmp(verb, "add"))
		tk_die(TK_EXIT_USAGE, "--title goes with add");
	if (opt.tickets && strcmp(verb, "suggest"))
		tk_die(TK_EXIT_USAGE, "--tickets goes with suggest");
	if (opt.count >= 0 && strcmp(verb, "search") && strcmp(verb, "suggest"))
		tk_die(TK_EXIT_USAGE, "-n goes with search and suggest");
	if (!strcmp(verb, "add")) {
		cmd_add(&st, argc, argv);
	} else if (!strcmp(verb, "import")) {
		tk_cmd_bulk_memory();
		cmd_import(&st, argc, argv);
	} else if (!strcmp(verb, "edit")) {
		if (argc < 1)
			tk_die(TK_EXIT_USAGE, "edit: an article id");
		article_arg(argv[0], NULL);
		st = tk_cmd_store(opt.dir, TK_OPEN_WRITE);
		cmd_edit(st, argc, argv);
	} else if (!strcmp(verb, "ls")) {
		st = tk_cmd_store(opt.dir, TK_OPEN_READ);
		rc = cmd_ls(st, argc, argv);
	} else if (!strcmp(verb, "show") || !strcmp(verb, "log")) {
		if (argc != 1)
			tk_die(TK_EXIT_USAGE, "%s: one article id", verb);
		{
			uint32_t rev;

			article_arg(argv[0], !strcmp(verb, "show") ? &rev : NULL);
		}
		st = tk_cmd_store(opt.dir, TK_OPEN_READ);
		rc = !strcmp(verb, "show") ? cmd_show(st, argv[0]) : cmd_log(st, argv[0]);
	} else if (!strcmp(verb, "rm")) {
		uint64_t id;

		if (argc != 1)
			tk_die(TK_EXIT_USAGE, "rm: one article id");
		id = article_arg(argv[0], NULL);
		st = tk_cmd_store(opt.dir, TK_OPEN_WRITE);
		write_or_die(st, rm_fn, &id);
	} else if (!strcmp(verb, "search")) {
		if (!argc)
			tk_die(TK_EXIT_USAGE, "search: no query");
		{
			tk_ftq *q = tk_ftq_parse(argv, argc);	/* refused before the store is opened */

			if (!q)
				tk_die(TK_EXIT_USAGE, "search: %s", tk_errmsg);
			tk_ftq_free(q);
		}
		st = tk_cmd_store(opt.dir, TK_OPEN_READ);
		rc = cmd_search(st, argc, argv);
	} else if (!strcmp(verb, "suggest")) {
		st = tk_cmd_store(opt.dir, TK_OPEN_READ);
		rc = cmd_suggest(st, argc, argv);
	} else if (!strcmp(verb, "from-ticket")) {
		if (argc != 1)
			tk_die(TK_EXIT_USAGE, "from-ticket: one ticket id");
		st = tk_cmd_store(opt.dir, TK_OPEN_WRITE);
		cmd_from_ticket(st, argv[0]);
	} else if (!strcmp(verb, "reindex")) {
		uint64_t n;
		int code;

		tk_cmd_bulk_memory();
		if (argc)
			tk_die(TK_EXIT_USAGE, "reindex: no arguments");
		st = tk_cmd_store(opt.dir, TK_OPEN_WRITE);
		if ((code = tk_ft_reindex_tickets(st, &n)))
			tk_die(code, "reindex: %s", tk_errmsg);
		fprintf(stderr, "tk-kb: reindex: %llu tickets indexed\n", (unsigned long long)n);
	} else
		tk_die(TK_EXIT_USAGE, "%s: no such verb (add, import, edit, ls, show, log, rm, search, suggest, from-ticket, reindex)",
		    verb);
	tk_flush_stdout();
	if (st)
		tk_cmd_leave(st);
	return rc;
}
