/* tk-contact - the customer directory: contacts, their addresses, phones, org and tier. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk-contact [-q] [-d dir] add [person] [assignment ...]\n"
    "       tk-contact [-q] [-d dir] set contact assignment ...\n"
    "       tk-contact [-aHt] [--table] [--json] [-d dir] [-o columns] ls [filter ...]\n"
    "       tk-contact [--json] [-d dir] show contact\n"
    "       tk-contact [-Ht] [--table] [--json] [-d dir] [-o columns] find word\n"
    "       tk-contact [-q] [--force] [-d dir] merge contact into contact\n"
    "       tk-contact [-q] [-d dir] unmerge contact\n"
    "       tk-contact [-H] [-d dir] dupes\n"
    "       tk-contact [-q] [-d dir] [--preset name] [-m map] [-F delimiter] [--encoding name]\n"
    "                  [--rejects file] import file ...\n"
    "       tk-contact [-d dir] rm contact\n"
    "       tk-contact [-q] [-d dir] refresh contact\n"
    "       tk-contact [-q] [-d dir] backfill [id ...]\n"
    "\n"
    "Keeps the people who file tickets: their addresses and phones, org and tier.\n"
    "A contact is named by its id (c12), an address, its external id or a phone.\n"
    "\n"
    "Verbs:\n"
    "add [person]\ta new contact ('Name <address>', an address or a name); prints its id\n"
    "set contact\tchange a contact; its open tickets follow a new org or tier\n"
    "ls\tlist the contacts the filters match\n"
    "show contact\tthe profile: identities, org, tier, tickets, CSAT, FRT, TTR\n"
    "find word\tby a phone however written, a name, any address\n"
    "merge a into b\tmove a's addresses, phones and tickets to b\n"
    "unmerge a\tput back what a merge moved\n"
    "dupes\tlikely duplicates: same phone, same name in an org, like addresses\n"
    "import file\ta CRM's export (CSV); again changes nothing\n"
    "rm contact\tremove a contact with no tickets\n"
    "refresh contact\task the contact-lookup program again\n"
    "backfill [id ...]\tgive tickets made before the directory their requesters' contacts\n"
    "Assignments:\n"
    "name=, org=, tier=, lang=, tz=, notes=, external_id=\tset a field\n"
    "emails=a,b, phones=a,b\treplace a set (+email=x, -phone=x: one item)\n"
    "Options:\n"
    "-a, --all\twith ls: merged contacts too\n"
    "--force\twith merge: even when the two are of different orgs\n"
    "--preset name\twith import: salesforce, hubspot or generic columns\n"
    "-m, --map 'Column=field,...'\twith import: map columns to fields; =- leaves one out\n"
    "-F, --delimiter delimiter\twith import: the CSV delimiter; else guessed\n"
    "--encoding name\twith import: convert from this encoding (GBK, ...)\n"
    "--rejects file\twith import: write the rejected rows there, with reasons\n"
    "-q, --quiet\tprint no id, summary or progress\n"
    "-o, --output columns\tthe columns, comma-separated\n"
    "-H, --header\ta '#' header line first\n"
    "-t, --tsv\trecords even on a terminal\n"
    "--table\tthe aligned table even when not on a terminal\n"
    "--json\tJSON lines, one object a record\n"
    "-d, --dir dir\tthe store (else $TK_DIR, else ~/.local/share/tk)\n"
    TK_COMMON_HELP;

#define DEFAULT_COLUMNS "id,name,emails,phones,org,tier,lang,tickets,open,last_contact"

static struct {
	const char *dir, *cols, *preset, *mapping, *encoding, *rejects;
	int quiet, header, tsv, table, json, all, force, delim;
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

/* The contact a word names: its id, or exit code (said) when none. */
static uint64_t
contact_arg(tk_txn *t, const char *word, int code)
{
	uint64_t id;
	int rc = tk_contact_find(t, word, &id);

	if (rc < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (!rc)
		tk_die(code, "%s: no such contact (c12, an address, an external id or a phone only it has)", word);
	return id;
}

struct change {
	const char *who;	/* set, rm, refresh: the word naming the contact */
	tk_dasgs as;
	tk_contact c;		/* add: what the operand gave */
	uint64_t id;
	tk_lookup l;		/* refresh: the answer */
	int refresh;
};

static int
add_fn(tk_txn *t, void *arg)
{
	struct change *ch = arg;
	tk_contact c;
	char *org = NULL;
	int rc;

	tk_contact_init(&c);
	tk_contact_copy(&c, &ch->c);
	tk_dasg_apply(c.v, &ch->as, tk_contact_cols);
	/* org by the domain of its first address, unless given */
	if (!tk_dasg_has(&ch->as, TK_C_ORG) && c.v[TK_C_EMAILS][0]) {
		const char *p = c.v[TK_C_EMAILS];

		if ((rc = tk_org_of_address(t, p, strcspn(p, ","), &org)) < 0) {
			tk_contact_free(&c);
			return TK_EXIT_FAIL;
		}
		if (rc) {
			free(c.v[TK_C_ORG]);
			c.v[TK_C_ORG] = org;
		}
	}
	rc = tk_contact_write(t, &c, NULL);
	ch->id = c.id;
	tk_contact_free(&c);
	return tk_dir_exit(rc);
}

/* set, refresh: the contact changed in one transaction. */
static int
set_fn(tk_txn *t, void *arg)
{
	struct change *ch = arg;
	tk_contact c, old;
	int rc;

	ch->id = contact_arg(t, ch->who, TK_EXIT_DATA);
	tk_contact_init(&c);
	tk_contact_init(&old);
	if ((rc = tk_contact_get(t, ch->id, &old)) <= 0) {
		tk_contact_free(&c);
		tk_contact_free(&old);
		return TK_EXIT_FAIL;
	}
	if (old.v[TK_C_MERGED_INTO][0]) {
		tk_error("%s: merged into %s (change %s, or tk-contact unmerge %s first)", old.v[TK_C_ID],
		    old.v[TK_C_MERGED_INTO], old.v[TK_C_MERGED_INTO], old.v[TK_C_ID]);
		rc = TK_DIR_REFUSED;
	} else if (ch->refresh) {
		tk_contact_copy(&c, &old);
		t->via = "lookup";
		rc = tk_contact_refresh(t, &c, &ch->l);
	} else {
		tk_contact_copy(&c, &old);
		tk_dasg_apply(c.v, &ch->as, tk_contact_cols);
		rc = tk_contact_write(t, &c, &old);
	}
	tk_contact_free(&c);
	tk_contact_free(&old);
	return tk_dir_exit(rc);
}

static int
rm_fn(tk_txn *t, void *arg)
{
	struct change *ch = arg;
	tk_contact c;
	int rc;

	ch->id = contact_arg(t, ch->who, TK_EXIT_DATA);
	tk_contact_init(&c);
	rc = tk_contact_get(t, ch->id, &c);
	rc = rc <= 0 ? -1 : tk_contact_remove(t, &c);
	tk_contact_free(&c);
	return tk_dir_exit(rc);
}

struct merge {
	const char *a, *b;
	int undo;
	size_t moved;
	uint64_t ida, idb;
};

static int
merge_fn(tk_txn *t, void *arg)
{
	struct merge *m = arg;

	m->ida = contact_arg(t, m->a, TK_EXIT_DATA);
	if (m->undo)
		return tk_dir_exit(tk_contact_unmerge(t, m->ida, &m->moved));
	m->idb = contact_arg(t, m->b, TK_EXIT_DATA);
	return tk_dir_exit(tk_contact_merge(t, m->ida, m->idb, opt.force, &m->moved));
}

static void
write_or_die(tk_write_fn fn, void *arg)
{
	int rc = tk_store_write(st, fn, arg);

	if (rc)
		tk_die(rc, "%s", tk_errmsg);
}

/* ---- listings ---- */

struct listing {
	tk_drows r;
	tk_dfilter *f;
	tk_cstats *stats;	/* by id, when a column needs the counts */
	size_t nstats;
	int counts;
	int status;
};

static void
counted(tk_txn *t, struct listing *l, tk_contact *c)
{
	tk_cstats one, *s = &one;
	char num[24];

	if (!l->counts)
		return;
	if (l->stats && c->id < l->nstats)
		s = &l->stats[c->id];
	else {	/* a few contacts: each one's summary, not its tickets one by one */
		tk_profile p;
		int rc = tk_cstats_profile(t, c->id, &p);

		if (rc < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		memset(&one, 0, sizeof one);
		if (rc > 0) {
			one.tickets = p.tickets;
			one.open = p.open;
			memcpy(one.status, p.status, sizeof one.status);
			memcpy(one.last, p.last_created, sizeof one.last);
			one.newest = p.nlast ? p.last[0] : 0;
		}
	}
	snprintf(num, sizeof num, "%zu", s->tickets);
	free(c->v[TK_C_TICKETS]);
	c->v[TK_C_TICKETS] = tk_xstrdup(num);
	snprintf(num, sizeof num, "%zu", s->open);
	free(c->v[TK_C_OPEN]);
	c->v[TK_C_OPEN] = tk_xstrdup(num);
	/* the last contact: its newest ticket, or what the CRM said */
	if (strcmp(s->last, c->v[TK_C_LAST_CONTACT]) > 0) {
		free(c->v[TK_C_LAST_CONTACT]);
		c->v[TK_C_LAST_CONTACT] = tk_xstrdup(s->last);
	}
}

static int
list_one(tk_txn *t, tk_contact *c, void *arg)
{
	struct listing *l = arg;
	int rc;

	if (c->v[TK_C_MERGED_INTO][0] && !opt.all && !tk_dfilter_uses(l->f, TK_C_MERGED_INTO))
		return 0;
	counted(t, l, c);
	if ((rc = tk_dfilter_match(l->f, c->v)) < 0) {
		l->status = TK_EXIT_USAGE;
		return 1;
	}
	if (rc)
		tk_drows_put(&l->r, c->v);
	return 0;
}

static uint64_t
last_contact_id(tk_txn *t)
{
	MDB_val k = { 11, "contact_seq" }, v;

	return mdb_get(t->txn, t->st->dbi[TK_DB_META], &k, &v) == 0 && v.mv_size == 8 ? tk_get_u64(v.mv_data) : 0;
}

static void
listing_start(struct listing *l, tk_txn *t, int many)
{
	l->counts = tk_drows_wants(&l->r, TK_C_TICKETS) || tk_drows_wants(&l->r, TK_C_OPEN) ||
	    tk_drows_wants(&l->r, TK_C_LAST_CONTACT) || tk_dfilter_uses(l->f, TK_C_TICKETS) ||
	    tk_dfilter_uses(l->f, TK_C_OPEN) || tk_dfilter_uses(l->f, TK_C_LAST_CONTACT);
	/* Many contacts: every count in one pass over the index. */
	if (l->counts && many) {
		l->nstats = (size_t)last_contact_id(t) + 1;
		l->stats = tk_xmalloc(l->nstats * sizeof *l->stats);
		if (tk_contact_stats_all(t, l->stats, l->nstats) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	}
}

static int
list(int argc, char **argv)
{
	struct listing l = { 0 };
	tk_ids ids = { 0 };
	const char *org = NULL, *idv, *addr = NULL;
	tk_contact c;
	tk_txn t;
	size_t i;
	int rc;

	l.f = tk_dfilter_new(tk_contact_cols, TK_C_NCOLS);
	for (i = 0; i < (size_t)argc; i++)
		if (tk_dfilter_add(l.f, argv[i]) < 0)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (tk_drows_init(&l.r, tk_contact_cols, TK_C_NCOLS, DEFAULT_COLUMNS, opt.cols,
	    tk_output_choose(opt.tsv, opt.table, opt.json), opt.header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	st = tk_cmd_store(opt.dir, TK_OPEN_READ);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	/* id=c12, emails=ADDRESS, org=KEY: the candidates from an index (each
	 * still matched against the whole filter), not every contact read */
	if ((idv = tk_dfilter_eq(l.f, TK_C_ID)) || (addr = tk_dfilter_eq(l.f, TK_C_EMAILS)) ||
	    (org = tk_dfilter_eq(l.f, TK_C_ORG))) {
		uint64_t one;

		if (idv) {
			if (tk_contact_id_parse(idv, strlen(idv), &one) == 0)
				tk_ids_add(&ids, one);
		} else if (addr) {
			char *a = tk_xstrdup(addr);

			tk_address_lower(a, strlen(a));
			if ((rc = tk_contact_by_address(&t, a, strlen(a), &one)) < 0)
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
			if (rc)
				tk_ids_add(&ids, one);
			free(a);
		} else if (tk_contact_of_org(&t, org, &ids) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		listing_start(&l, &t, ids.n > 256);
		tk_contact_init(&c);
		for (i = 0; i < ids.n && !l.status; i++)
			if ((rc = tk_contact_get(&t, ids.v[i], &c)) < 0)
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
			else if (rc)
				list_one(&t, &c, &l);
		tk_contact_free(&c);
		tk_ids_free(&ids);
	} else {
		listing_start(&l, &t, 1);
		if (tk_contact_each(&t, list_one, &l) < 0 && !l.status)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	}
	if (l.status)
		tk_die(l.status, "%s", tk_errmsg);
	rc = l.r.printed ? TK_EXIT_OK : TK_EXIT_NOMATCH;
	if (!l.r.printed && l.r.out.fmt == TK_FMT_TABLE)
		tk_warn("no contacts match");
	tk_drows_end(&l.r);
	tk_txn_end(&t);
	tk_dfilter_free(l.f);
	free(l.stats);
	return rc;
}

/* find: a phone however written, an address, an id, or a piece of a name. */
struct found {
	tk_ids ids;
	const char *word;
	char *lower;
};

static int
by_name(tk_txn *t, tk_contact *c, void *arg)
{
	struct found *f = arg;
	char *name;

	(void)t;
	if (c->v[TK_C_MERGED_INTO][0])
		return 0;
	name = tk_xstrdup(c->v[TK_C_NAME]);
	tk_address_lower(name, strlen(name));
	if ((*name && strstr(name, f->lower)) || strstr(c->v[TK_C_EMAILS], f->lower))
		tk_ids_add(&f->ids, c->id);
	free(name);
	return 0;
}

static int
find(const char *word)
{
	struct listing l = { 0 };
	struct found f = { { 0 }, word, NULL };
	tk_contact c;
	uint64_t id;
	tk_txn t;
	size_t i;
	int rc;

	l.f = tk_dfilter_new(tk_contact_cols, TK_C_NCOLS);
	if (tk_drows_init(&l.r, tk_contact_cols, TK_C_NCOLS, DEFAULT_COLUMNS, opt.cols,
	    tk_output_choose(opt.tsv, opt.table, opt.json), opt.header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (!*word || tk_blank(word, strlen(word)))
		tk_die(TK_EXIT_USAGE, "find: give a phone, an address, a name or a piece of one");
	st = tk_cmd_store(opt.dir, TK_OPEN_READ);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (tk_contact_by_phone(&t, word, &f.ids) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (!f.ids.n && (rc = tk_contact_find(&t, word, &id)) != 0) {
		if (rc < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		tk_ids_add(&f.ids, id);
	}
	if (!f.ids.n) {
		f.lower = tk_xstrdup(word);
		tk_address_lower(f.lower, strlen(f.lower));
		if (tk_contact_each(&t, by_name, &f) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	}
	listing_start(&l, &t, 0);
	tk_contact_init(&c);
	for (i = 0; i < f.ids.n; i++)
		if (tk_contact_get(&t, f.ids.v[i], &c) > 0) {
			counted(&t, &l, &c);
			tk_drows_put(&l.r, c.v);
		}
	tk_contact_free(&c);
	rc = l.r.printed ? TK_EXIT_OK : TK_EXIT_NOMATCH;
	if (!l.r.printed)
		tk_warn("%s: no contact found", word);
	tk_drows_end(&l.r);
	tk_txn_end(&t);
	tk_dfilter_free(l.f);
	tk_ids_free(&f.ids);
	free(f.lower);
	return rc;
}

static int
show(const char *word)
{
	tk_contact c;
	tk_profile p;
	tk_org o;
	tk_buf title = { 0 }, tier = { 0 };
	uint64_t id;
	tk_txn t;
	int rc;

	st = tk_cmd_store(opt.dir, TK_OPEN_READ);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if ((rc = tk_contact_find(&t, word, &id)) <= 0)
		tk_die(rc < 0 ? TK_EXIT_FAIL : TK_EXIT_NOMATCH, rc < 0 ? "%s" : "%s: no such contact",
		    rc < 0 ? tk_errmsg : word);
	tk_contact_init(&c);
	tk_org_init(&o);
	/* its summary and its last tickets, not every ticket (cstats.c) */
	if (tk_contact_get(&t, id, &c) <= 0 || tk_cstats_profile(&t, id, &p) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	/* the last contact: its newest ticket, or what a CRM said, if later */
	if (strcmp(p.last_created, c.v[TK_C_LAST_CONTACT]) > 0) {
		free(c.v[TK_C_LAST_CONTACT]);
		c.v[TK_C_LAST_CONTACT] = tk_xstrdup(p.last_created);
	}
	if (c.v[TK_C_ORG][0] && tk_org_get(&t, c.v[TK_C_ORG], &o) > 0) {
		/* people read the org's name and the tier its tickets take */
		if (!opt.json && o.v[TK_O_NAME][0]) {
			tk_buf_printf(&tier, "%s (%s)", c.v[TK_C_ORG], o.v[TK_O_NAME]);
			free(c.v[TK_C_ORG]);
			c.v[TK_C_ORG] = tk_xstrdup(tier.p);
		}
		if (!opt.json && !c.v[TK_C_TIER][0] && o.v[TK_O_TIER][0]) {
			tier.len = 0;
			tk_buf_printf(&tier, "%s (the org's)", o.v[TK_O_TIER]);
			free(c.v[TK_C_TIER]);
			c.v[TK_C_TIER] = tk_xstrdup(tier.p);
		}
	}
	tk_buf_printf(&title, "Contact %s", c.v[TK_C_ID]);
	if (c.v[TK_C_NAME][0])
		tk_buf_printf(&title, ": %s", c.v[TK_C_NAME]);
	tk_profile_print(&t, title.p, tk_contact_cols, c.v, TK_C_EMAILS, TK_C_NSTORED, &p, opt.json);
	tk_buf_free(&title);
	tk_buf_free(&tier);
	tk_contact_free(&c);
	tk_org_free(&o);
	tk_txn_end(&t);
	tk_flush_stdout();
	return 0;
}

static int
dupe(uint64_t a, uint64_t b, const char *why, const char *what, void *arg)
{
	char x[24], y[24];
	tk_str f[4];

	++*(long *)arg;
	snprintf(x, sizeof x, "c%llu", (unsigned long long)a);
	snprintf(y, sizeof y, "c%llu", (unsigned long long)b);
	f[0] = TK_STR(x);
	f[1] = TK_STR(y);
	f[2] = TK_STR(why);
	f[3] = TK_STR(what);
	tk_write_record(stdout, f, 4);
	return 0;
}

static int
dupes(void)
{
	tk_txn t;
	long pairs = 0;

	st = tk_cmd_store(opt.dir, TK_OPEN_READ);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (opt.header)
		fputs("#contact\tother\treason\tsame\n", stdout);
	if (tk_contact_dupes(&t, dupe, &pairs) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_txn_end(&t);
	tk_flush_stdout();
	return pairs ? TK_EXIT_OK : TK_EXIT_NOMATCH;
}

static int
import(int argc, char **argv)
{
	tk_dimport_opts o = { 0 };
	int i, rc, status = 0;

	if (!argc)
		tk_die(TK_EXIT_USAGE, "import: name files, or - for standard input");
	o.preset = opt.preset;
	o.mapping = opt.mapping;
	o.encoding = opt.encoding;
	o.delim = opt.delim;
	o.quiet = opt.quiet;
	o.progress = isatty(STDERR_FILENO) && !opt.quiet;
	if (opt.mapping && !tk_dimport_new(0, opt.preset, opt.mapping))
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
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

static void
parse_assignments(struct change *ch, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (tk_dasg_parse(&ch->as, tk_contact_cols, TK_C_NCOLS, argv[i]) < 0)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
}

static void
print_id(uint64_t id)
{
	if (!opt.quiet)
		printf("c%llu\n", (unsigned long long)id);
	tk_flush_stdout();
}

/* ---- backfill ---- */

#define BACKFILL_BATCH 5000

struct backfill {
	tk_ids ids;		/* the tickets to link, ascending */
	size_t off, n;		/* this batch */
	long linked;
};

static int
backfill_fn(tk_txn *t, void *arg)
{
	struct backfill *b = arg;
	size_t i;
	int rc;

	b->linked = 0;
	for (i = b->off; i < b->off + b->n; i++) {
		if ((rc = tk_contact_backfill(t, b->ids.v[i])) < 0)
			return TK_EXIT_FAIL;
		b->linked += rc;
	}
	return 0;
}

/* The tickets with a requester and no contact (or those of ids that
 * have none), in a read transaction. */
static void
backfill_find(struct backfill *b, const tk_ids *want)
{
	MDB_cursor *c;
	MDB_val k, v;
	tk_ticket tk;
	size_t i;
	tk_txn t;
	int rc;

	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_ticket_init(&tk);
	if (want->n) {
		for (i = 0; i < want->n; i++) {
			if ((rc = tk_get_id(&t, TK_DB_TICKETS, want->v[i], &v)) < 0)
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
			if (!rc)
				tk_die(TK_EXIT_NOMATCH, "ticket %llu: no such ticket", (unsigned long long)want->v[i]);
			if (tk_ticket_decode_upto(&tk, v.mv_data, v.mv_size, TK_F_CONTACT) < 0)
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
			if (tk.f[TK_F_REQUESTER].n && !tk.f[TK_F_CONTACT].n)
				tk_ids_add(&b->ids, want->v[i]);
		}
	} else {
		if ((rc = mdb_cursor_open(t.txn, st->dbi[TK_DB_TICKETS], &c)))
			tk_die(TK_EXIT_FAIL, "%s: %s", st->dir, mdb_strerror(rc));
		for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			if (tk_ticket_decode_upto(&tk, v.mv_data, v.mv_size, TK_F_CONTACT) < 0)
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
			if (tk.f[TK_F_REQUESTER].n && !tk.f[TK_F_CONTACT].n)
				tk_ids_add(&b->ids, tk_get_u64(k.mv_data));
		}
		mdb_cursor_close(c);
		if (rc != MDB_NOTFOUND)
			tk_die(TK_EXIT_FAIL, "%s: %s", st->dir, mdb_strerror(rc));
	}
	tk_ticket_free(&tk);
	tk_txn_end(&t);
}

/*
 * backfill: the tickets made before the directory (or before contacts
 * were kept) get the contact intake would give their requesters now,
 * with its org and tier, in batches of BACKFILL_BATCH tickets, each one
 * transaction, every change logged via backfill. A ticket that has a
 * contact is left as it is, so a run cut short is finished by running
 * it again.
 */
static int
backfill(int argc, char **argv)
{
	struct backfill b = { { 0 }, 0, 0, 0 };
	tk_ids want = { 0 };
	uint64_t id, before, made;
	long linked = 0;
	tk_txn t;
	int i, rc, progress = isatty(STDERR_FILENO) && !opt.quiet;

	for (i = 0; i < argc; i++) {
		if (tk_id_parse(argv[i], strlen(argv[i]), &id) < 0)
			tk_die(TK_EXIT_USAGE, "backfill: %s: not a ticket id", argv[i]);
		tk_ids_add(&want, id);
	}
	tk_ids_unique(&want);
	tk_ids_sort(&want);
	st = store_to_write(TK_OPEN_WRITE);
	st->via = "backfill";
	backfill_find(&b, &want);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	before = last_contact_id(&t);
	tk_txn_end(&t);
	if (b.ids.n)
		tk_contacts_preload(st);
	tk_store_bulk(st);
	for (b.off = 0; b.off < b.ids.n; b.off += b.n) {
		b.n = b.ids.n - b.off < BACKFILL_BATCH ? b.ids.n - b.off : BACKFILL_BATCH;
		if ((rc = tk_store_write(st, backfill_fn, &b))) {
			tk_warn("%s", tk_errmsg);
			tk_die(rc, "backfill: stopped at ticket %llu; what was committed stays, run it again to finish",
			    (unsigned long long)b.ids.v[b.off]);
		}
		tk_contacts_committed();
		linked += b.linked;
		if (progress)
			fprintf(stderr, "\rtk-contact: backfill: %zu of %zu tickets   ", b.off + b.n, b.ids.n);
	}
	if (progress)
		fputs("\r\033[K", stderr);
	if (tk_store_sync(st) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	made = last_contact_id(&t) - before;
	tk_txn_end(&t);
	if (!opt.quiet)
		fprintf(stderr, "tk-contact: backfill: %zu tickets without a contact, %ld linked, %llu contacts made\n",
		    b.ids.n, linked, (unsigned long long)made);
	tk_ids_free(&b.ids);
	tk_ids_free(&want);
	return TK_EXIT_OK;
}

/* refresh: the lookup run before the write transaction, never in it. */
static void
refresh(struct change *ch)
{
	const tk_settings *s;
	tk_contact c;
	uint64_t id;
	tk_txn t;
	const char *p;
	char *addr;
	int rc;

	st = store_to_write(TK_OPEN_WRITE);
	if (!(s = tk_settings_get(st->dir)))
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	if (!s->contact_lookup)
		tk_die(TK_EXIT_DATA, "refresh: no contact-lookup program in %s/config", st->dir);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	id = contact_arg(&t, ch->who, TK_EXIT_DATA);
	tk_contact_init(&c);
	if (tk_contact_get(&t, id, &c) <= 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_txn_end(&t);
	p = c.v[TK_C_EMAILS];
	if (!*p)
		tk_die(TK_EXIT_DATA, "%s: no address to look up", c.v[TK_C_ID]);
	addr = tk_xstrndup(p, strcspn(p, ","));
	rc = tk_lookup_run(s->contact_lookup, addr, s->lookup_ms, &ch->l);
	if (rc < 0)
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	if (rc == 0)
		tk_die(TK_EXIT_NOMATCH, "%s: %s knows nothing of %s", c.v[TK_C_ID], s->contact_lookup, addr);
	free(addr);
	tk_contact_free(&c);
	write_or_die(set_fn, ch);
	tk_lookup_free(&ch->l);
	print_id(ch->id);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "all", no_argument, NULL, 'a' },
		{ "header", no_argument, NULL, 'H' },
		{ "tsv", no_argument, NULL, 't' },
		{ "table", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
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
	struct merge m = { 0 };
	const char *verb;
	int c, nopt, rc = TK_EXIT_OK;

	memset(&ch, 0, sizeof ch);
	tk_cmd_start(argc, argv, usage);
	/* "-email=x" is an operand (a removal), not options */
	nopt = tk_getopt_end_assign(argc, argv, "qaHto:m:F:d:hV");
	while ((c = getopt_long(nopt, argv, "qaHto:m:F:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': opt.quiet = 1; break;
		case 'a': opt.all = 1; break;
		case 'H': opt.header = 1; break;
		case 't': opt.tsv = 1; break;
		case 'T': opt.table = 1; break;
		case 'J': opt.json = 1; break;
		case 'o': opt.cols = optarg; break;
		case 'f': opt.force = 1; break;
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
		tk_die(TK_EXIT_USAGE, "no verb: add, set, ls, show, find, merge, unmerge, dupes, import, rm, refresh or backfill");
	verb = argv[optind++];
	argc -= optind;
	argv += optind;
	if (!strcmp(verb, "add")) {
		tk_contact_init(&ch.c);
		if (argc && !tk_is_assignment(argv[0])) {
			tk_str name, addr;

			/* "Wang Li <wang.li@initech.io>", an address, or a name */
			if (tk_address_split(argv[0], strlen(argv[0]), &name, &addr)) {
				free(ch.c.v[TK_C_EMAILS]);
				ch.c.v[TK_C_EMAILS] = tk_xstrndup(addr.p, addr.n);
				tk_address_lower(ch.c.v[TK_C_EMAILS], addr.n);
				free(ch.c.v[TK_C_NAME]);
				ch.c.v[TK_C_NAME] = tk_xstrndup(name.p, name.n);
			} else if (strchr(argv[0], '@') || strchr(argv[0], '<')) {
				tk_die(TK_EXIT_USAGE, "%s: not an address (Name <local@domain>)", argv[0]);
			} else {
				if (tk_text_check("name", argv[0], strlen(argv[0])) < 0 || tk_blank(argv[0], strlen(argv[0])) ||
				    strpbrk(argv[0], "\t\n"))
					tk_die(TK_EXIT_USAGE, "%s: not a name", argv[0]);
				free(ch.c.v[TK_C_NAME]);
				ch.c.v[TK_C_NAME] = tk_xstrdup(argv[0]);
			}
			argc--, argv++;
		}
		parse_assignments(&ch, argc, argv);
		st = store_to_write(TK_OPEN_CREATE);
		write_or_die(add_fn, &ch);
		print_id(ch.id);
		tk_contact_free(&ch.c);
	} else if (!strcmp(verb, "set")) {
		if (argc < 2)
			tk_die(TK_EXIT_USAGE, argc ? "set %s: nothing to set: give field=value, +field=value or -field=value" :
			    "set: no contact%s", argc ? argv[0] : "");
		ch.who = argv[0];
		parse_assignments(&ch, argc - 1, argv + 1);
		st = store_to_write(TK_OPEN_WRITE);
		write_or_die(set_fn, &ch);
		print_id(ch.id);
	} else if (!strcmp(verb, "ls")) {
		rc = list(argc, argv);
	} else if (!strcmp(verb, "show")) {
		if (argc != 1)
			tk_die(TK_EXIT_USAGE, "show: one contact");
		rc = show(argv[0]);
	} else if (!strcmp(verb, "find")) {
		if (argc != 1)
			tk_die(TK_EXIT_USAGE, "find: one word (quote a phone number with spaces)");
		rc = find(argv[0]);
	} else if (!strcmp(verb, "merge")) {
		if (argc != 3 || strcmp(argv[1], "into"))
			tk_die(TK_EXIT_USAGE, "merge: merge CONTACT into CONTACT");
		m.a = argv[0];
		m.b = argv[2];
		st = store_to_write(TK_OPEN_WRITE);
		write_or_die(merge_fn, &m);
		if (!opt.quiet)
			tk_warn("c%llu merged into c%llu: %zu tickets moved", (unsigned long long)m.ida,
			    (unsigned long long)m.idb, m.moved);
		print_id(m.idb);
	} else if (!strcmp(verb, "unmerge")) {
		if (argc != 1)
			tk_die(TK_EXIT_USAGE, "unmerge: one contact");
		m.a = argv[0];
		m.undo = 1;
		st = store_to_write(TK_OPEN_WRITE);
		write_or_die(merge_fn, &m);
		if (!opt.quiet)
			tk_warn("c%llu unmerged: %zu tickets back", (unsigned long long)m.ida, m.moved);
		print_id(m.ida);
	} else if (!strcmp(verb, "dupes")) {
		if (argc)
			tk_die(TK_EXIT_USAGE, "dupes: no operands");
		rc = dupes();
	} else if (!strcmp(verb, "import")) {
		tk_cmd_bulk_memory();
		rc = import(argc, argv);
	} else if (!strcmp(verb, "rm")) {
		if (argc != 1)
			tk_die(TK_EXIT_USAGE, "rm: one contact");
		ch.who = argv[0];
		st = store_to_write(TK_OPEN_WRITE);
		write_or_die(rm_fn, &ch);
	} else if (!strcmp(verb, "refresh")) {
		if (argc != 1)
			tk_die(TK_EXIT_USAGE, "refresh: one contact");
		ch.who = argv[0];
		ch.refresh = 1;
		refresh(&ch);
	} else if (!strcmp(verb, "backfill")) {
		rc = backfill(argc, argv);
	} else
		tk_die(TK_EXIT_USAGE, "%s: no such verb (add, set, ls, show, find, merge, unmerge, dupes, import, rm, refresh, "
		    "backfill)", verb);
	tk_dasgs_free(&ch.as);
	if (st)
		tk_cmd_leave(st);
	return rc;
}
