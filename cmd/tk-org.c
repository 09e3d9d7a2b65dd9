/* tk-org - organisations of the customer directory: domains, tier, queue, tags. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk-org [-q] [-d dir] add key [assignment ...]\n"
    "       tk-org [-q] [-d dir] set key assignment ...\n"
    "       tk-org [-Ht] [--table] [--json] [-d dir] [-o columns] ls [filter ...]\n"
    "       tk-org [--json] [-d dir] show key\n"
    "       tk-org [-q] [-d dir] [--preset name] [-m map] [-F delimiter] [--encoding name]\n"
    "              [--rejects file] import file ...\n"
    "       tk-org [-d dir] rm key\n"
    "\n"
    "Keeps the organisations customers belong to: an address is its most specific\n"
    "domain's org, never a free-mail domain's.\n"
    "\n"
    "Verbs:\n"
    "add key\ta new org (a letter, then letters, digits, _ - .)\n"
    "set key\tchange an org; the open tickets of members that take its tier follow\n"
    "ls\tlist the orgs the filters match\n"
    "show key\tthe org and its tickets: by status, CSAT, FRT, TTR, the last ones\n"
    "import file\ta CRM's export of accounts (CSV); again changes nothing\n"
    "rm key\tremove an org with no contacts and no tickets\n"
    "Assignments:\n"
    "name=, tier=, queue=, notes=, external_id=\tset a field\n"
    "domains=a,b, tags=a,b\treplace a set (+domain=x, -tag=x: one item)\n"
    "+tag, -tag\tadd or take out a tag of its tickets\n"
    "Options:\n"
    "--preset name\twith import: salesforce, hubspot or generic columns\n"
    "-m, --map 'Column=field,...'\twith import: map columns to fields; =- leaves one out\n"
    "-F, --delimiter delimiter\twith import: the CSV delimiter; else guessed\n"
    "--encoding name\twith import: convert from this encoding (GBK, ...)\n"
    "--rejects file\twith import: write the rejected rows there, with reasons\n"
    "-q, --quiet\tprint no key, summary or progress\n"
    "-o, --output columns\tthe columns, comma-separated\n"
    "-H, --header\ta '#' header line first\n"
    "-t, --tsv\trecords even on a terminal\n"
    "--table\tthe aligned table even when not on a terminal\n"
    "--json\tJSON lines, one object a record\n"
    "-d, --dir dir\tthe store (else $TK_DIR, else ~/.local/share/tk)\n"
    TK_COMMON_HELP;

#define DEFAULT_COLUMNS "key,name,domains,tier,queue,tags,contacts,tickets,open"

static struct {
	const char *dir, *cols, *preset, *mapping, *encoding, *rejects;
	int quiet, header, tsv, table, json, delim;
} opt;

static tk_store *st;

/* The store for a change: its config read first (a broken one is exit 3). */
static tk_store *
store_to_write(int mode)
{
	tk_store *s = tk_cmd_store(opt.dir, mode);

	if (!tk_settings_get(s->dir))
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	return s;
}

struct change {
	const char *key;
	tk_dasgs as;
	int add, rm;
	size_t adopted;		/* contacts that joined by a new domain */
};

static int
change_fn(tk_txn *t, void *arg)
{
	struct change *ch = arg;
	tk_org o, old;
	tk_ids ids = { 0 };
	int rc, found;

	tk_org_init(&o);
	tk_org_init(&old);
	if ((found = tk_org_get(t, ch->key, &old)) < 0) {
		rc = -1;
		goto out;
	}
	if (ch->add && found) {
		tk_error("org %s exists (tk-org set %s changes it)", ch->key, ch->key);
		rc = TK_DIR_REFUSED;
		goto out;
	}
	if (!ch->add && !found) {
		rc = tk_org_unknown(t, "org", ch->key);
		goto out;
	}
	if (ch->rm) {
		if ((rc = tk_contact_of_org(t, ch->key, &ids)) == 0 && ids.n) {
			tk_error("org %s has %zu contacts: they leave it first (tk-contact set CONTACT org=)", ch->key,
			    ids.n);
			rc = TK_DIR_REFUSED;
		} else if (!rc && (rc = tk_org_tickets(t, ch->key, &ids)) == 0 && ids.n) {
			tk_error("org %s has %zu tickets: an org with tickets is not removed", ch->key, ids.n);
			rc = TK_DIR_REFUSED;
		} else if (!rc)
			rc = tk_org_remove(t, &old);
		goto out;
	}
	if (found)
		tk_org_copy(&o, &old);
	else {
		free(o.v[TK_O_KEY]);
		o.v[TK_O_KEY] = tk_xstrdup(ch->key);
	}
	tk_dasg_apply(o.v, &ch->as, tk_org_cols);
	rc = tk_org_save(t, &o, found ? &old : NULL, &ch->adopted);
out:
	tk_ids_free(&ids);
	tk_org_free(&o);
	tk_org_free(&old);
	return tk_dir_exit(rc);
}

struct listing {
	tk_drows r;
	tk_dfilter *f;
	int counts, status;
	char **open_keys;	/* the working set's orgs, one a ticket */
	size_t nopen;
};

static void
count(tk_txn *t, struct listing *l, tk_org *o)
{
	tk_ids ids = { 0 };
	MDB_cursor *c;
	MDB_val k;
	size_t n = 0, open = 0, i;
	char num[24];

	if (!l->counts)
		return;
	if (tk_contact_of_org(t, o->v[TK_O_KEY], &ids) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	snprintf(num, sizeof num, "%zu", ids.n);
	free(o->v[TK_O_CONTACTS]);
	o->v[TK_O_CONTACTS] = tk_xstrdup(num);
	tk_ids_free(&ids);
	for (i = 0; i < l->nopen; i++)
		open += !strcmp(l->open_keys[i], o->v[TK_O_KEY]);
	/* out of the working set: the count of its posting lists */
	k = tk_ix_key(TK_DB_IX_ORG, o->v[TK_O_KEY], strlen(o->v[TK_O_KEY]), 0, NULL);
	if (mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IX_ORG], &c) == 0) {
		tk_ix_count(c, TK_DB_IX_ORG, k, &n);
		mdb_cursor_close(c);
	}
	snprintf(num, sizeof num, "%zu", n + open);
	free(o->v[TK_O_TICKETS]);
	o->v[TK_O_TICKETS] = tk_xstrdup(num);
	snprintf(num, sizeof num, "%zu", open);
	free(o->v[TK_O_OPEN]);
	o->v[TK_O_OPEN] = tk_xstrdup(num);
}

static int
list_one(tk_txn *t, tk_org *o, void *arg)
{
	struct listing *l = arg;
	int rc;

	count(t, l, o);
	if ((rc = tk_dfilter_match(l->f, o->v)) < 0) {
		l->status = TK_EXIT_USAGE;
		return 1;
	}
	if (rc)
		tk_drows_put(&l->r, o->v);
	return 0;
}

/* The org of each ticket of the working set that has one. */
static void
open_orgs(tk_txn *t, struct listing *l)
{
	MDB_cursor *c;
	MDB_val k, d;
	tk_ticket tk;
	size_t cap = 0;

	if (mdb_cursor_open(t->txn, t->st->dbi[TK_DB_ACTIVE], &c))
		return;
	tk_ticket_init(&tk);
	while (mdb_cursor_get(c, &k, &d, MDB_NEXT) == 0) {
		if (tk_ticket_decode_upto(&tk, d.mv_data, d.mv_size, TK_F_ORG) < 0 || !tk.f[TK_F_ORG].n)
			continue;
		if (l->nopen == cap)
			l->open_keys = tk_xrealloc(l->open_keys, (cap = cap ? 2 * cap : 256) * sizeof *l->open_keys);
		l->open_keys[l->nopen++] = tk_xstrndup(tk.f[TK_F_ORG].p, tk.f[TK_F_ORG].n);
	}
	tk_ticket_free(&tk);
	mdb_cursor_close(c);
}

static int
list(int argc, char **argv)
{
	struct listing l = { 0 };
	tk_txn t;
	size_t i;
	int rc;

	l.f = tk_dfilter_new(tk_org_cols, TK_O_NCOLS);
	for (i = 0; i < (size_t)argc; i++)
		if (tk_dfilter_add(l.f, argv[i]) < 0)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (tk_drows_init(&l.r, tk_org_cols, TK_O_NCOLS, DEFAULT_COLUMNS, opt.cols,
	    tk_output_choose(opt.tsv, opt.table, opt.json), opt.header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	for (i = TK_O_CONTACTS; i < TK_O_NCOLS; i++)
		l.counts |= tk_drows_wants(&l.r, (int)i) || tk_dfilter_uses(l.f, (int)i);
	st = tk_cmd_store(opt.dir, TK_OPEN_READ);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (l.counts)
		open_orgs(&t, &l);
	if (tk_org_each(&t, list_one, &l) < 0 && !l.status)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (l.status)
		tk_die(l.status, "%s", tk_errmsg);
	rc = l.r.printed ? TK_EXIT_OK : TK_EXIT_NOMATCH;
	if (!l.r.printed && l.r.out.fmt == TK_FMT_TABLE)
		tk_warn("no orgs match");
	tk_drows_end(&l.r);
	tk_txn_end(&t);
	tk_dfilter_free(l.f);
	for (i = 0; i < l.nopen; i++)
		free(l.open_keys[i]);
	free(l.open_keys);
	return rc;
}

static int
show(const char *key)
{
	tk_ids ids = { 0 }, members = { 0 };
	tk_buf title = { 0 };
	tk_profile p;
	tk_org o;
	tk_txn t;
	char num[24];
	int rc;

	st = tk_cmd_store(opt.dir, TK_OPEN_READ);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_org_init(&o);
	if ((rc = tk_org_get(&t, key, &o)) <= 0) {
		if (!rc)
			tk_org_unknown(&t, "show", key);
		tk_die(rc < 0 ? TK_EXIT_FAIL : TK_EXIT_NOMATCH, "%s", tk_errmsg);
	}
	if (tk_org_tickets(&t, key, &ids) < 0 || tk_profile_of(&t, &ids, &p) < 0 ||
	    tk_contact_of_org(&t, key, &members) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	snprintf(num, sizeof num, "%zu", members.n);
	free(o.v[TK_O_CONTACTS]);
	o.v[TK_O_CONTACTS] = tk_xstrdup(num);
	tk_buf_printf(&title, "Org %s", key);
	if (o.v[TK_O_NAME][0])
		tk_buf_printf(&title, ": %s", o.v[TK_O_NAME]);
	tk_profile_print(&t, title.p, tk_org_cols, o.v, TK_O_DOMAINS, TK_O_CONTACTS + 1, &p, opt.json);
	tk_buf_free(&title);
	tk_ids_free(&ids);
	tk_ids_free(&members);
	tk_org_free(&o);
	tk_txn_end(&t);
	tk_flush_stdout();
	return 0;
}

static int
import(int argc, char **argv)
{
	tk_dimport_opts o = { 0 };
	tk_dimport *im;
	int i, rc, status = 0;

	if (!argc)
		tk_die(TK_EXIT_USAGE, "import: name files, or - for standard input");
	o.orgs = 1;
	o.preset = opt.preset;
	o.mapping = opt.mapping;
	o.encoding = opt.encoding;
	o.delim = opt.delim;
	o.quiet = opt.quiet;
	o.progress = isatty(STDERR_FILENO) && !opt.quiet;
	if (!(im = tk_dimport_new(1, opt.preset, opt.mapping)))
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	tk_dimport_free(im);
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") && access(argv[i], R_OK) < 0)
			tk_die(TK_EXIT_FAIL, "%s: cannot read it", argv[i]);
	if (opt.rejects && !(o.rejfp = fopen(opt.rejects, "w")))
		tk_die(TK_EXIT_FAIL, "--rejects %s: cannot write it", opt.rejects);
	st = store_to_write(TK_OPEN_CREATE);
	st->via = "import";
	for (i = 0; i < argc; i++)
		if ((rc = tk_dimport_file(st, &o, argv[i])) > status)
			status = rc;
	if (o.rejfp && fclose(o.rejfp) != 0)
		tk_die(TK_EXIT_FAIL, "--rejects %s: write error", opt.rejects);
	return status;
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
		{ "preset", required_argument, NULL, 'p' },
		{ "map", required_argument, NULL, 'm' },
		{ "delimiter", required_argument, NULL, 'F' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct change ch;
	const char *verb;
	int c, nopt, i, rc = TK_EXIT_OK;

	memset(&ch, 0, sizeof ch);
	tk_cmd_start(argc, argv, usage);
	/* "-tag" and "-domain=x" are operands (removals), not options */
	nopt = tk_getopt_end_assign(argc, argv, "qHto:m:F:d:hV");
	while ((c = getopt_long(nopt, argv, "qHto:m:F:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': opt.quiet = 1; break;
		case 'H': opt.header = 1; break;
		case 't': opt.tsv = 1; break;
		case 'T': opt.table = 1; break;
		case 'J': opt.json = 1; break;
		case 'o': opt.cols = optarg; break;
		case 'p':
			if (!tk_dimport_preset_ok(optarg))
				tk_die(TK_EXIT_USAGE, "--preset %s: no such preset (salesforce, hubspot, generic)", optarg);
			opt.preset = optarg;
			break;
		case 'm': opt.mapping = optarg; break;
		case 'F':
			if ((opt.delim = tk_csv_delim(optarg)) < 0)
				tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
			break;
		case 'e': opt.encoding = optarg; break;
		case 'r': opt.rejects = optarg; break;
		case 'd': opt.dir = optarg; break;
		default: tk_common_option(c);
		}
	}
	if (tk_output_conflict(opt.tsv, opt.table, opt.json, opt.header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc)
		tk_die(TK_EXIT_USAGE, "no verb: add, set, ls, show, import or rm");
	verb = argv[optind++];
	argc -= optind;
	argv += optind;
	if (!strcmp(verb, "add") || !strcmp(verb, "set") || !strcmp(verb, "rm")) {
		ch.add = !strcmp(verb, "add");
		ch.rm = !strcmp(verb, "rm");
		if (argc < 1)
			tk_die(TK_EXIT_USAGE, "%s: no org key", verb);
		if (!tk_dir_word_ok(argv[0]))
			tk_die(TK_EXIT_USAGE, "%s: not an org key (a letter, then letters, digits, _ - .)", argv[0]);
		ch.key = argv[0];
		if (ch.rm && argc != 1)
			tk_die(TK_EXIT_USAGE, "rm: one org key");
		for (i = 1; i < argc; i++)
			if (tk_dasg_parse(&ch.as, tk_org_cols, TK_O_NCOLS, argv[i]) < 0)
				tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
		if (!ch.add && !ch.rm && !ch.as.n)
			tk_die(TK_EXIT_USAGE, "set %s: nothing to set: give field=value, +field=value or -field=value",
			    ch.key);
		st = store_to_write(ch.add ? TK_OPEN_CREATE : TK_OPEN_WRITE);
		if ((rc = tk_store_write(st, change_fn, &ch)))
			tk_die(rc, "%s", tk_errmsg);
		if (!opt.quiet && !ch.rm)
			printf("%s\n", ch.key);
		if (!opt.quiet && ch.adopted)
			fprintf(stderr, "tk-org: %s: %zu contact%s with no org joined it by %s domain\n", ch.key,
			    ch.adopted, ch.adopted == 1 ? "" : "s", ch.adopted == 1 ? "its" : "their");
		tk_flush_stdout();
	} else if (!strcmp(verb, "ls")) {
		rc = list(argc, argv);
	} else if (!strcmp(verb, "show")) {
		if (argc != 1)
			tk_die(TK_EXIT_USAGE, "show: one org key");
		rc = show(argv[0]);
	} else if (!strcmp(verb, "import")) {
		tk_cmd_bulk_memory();
		rc = import(argc, argv);
	} else
		tk_die(TK_EXIT_USAGE, "%s: no such verb (add, set, ls, show, import, rm)", verb);
	tk_dasgs_free(&ch.as);
	if (st)
		tk_cmd_leave(st);
	return rc;
}
