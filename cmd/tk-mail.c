/* tk-mail - mail into tickets: one message on standard input, an mbox or a Maildir. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk-mail [-n] [--route] [--queue queue] [-d dir]\n"
    "       tk-mail --mbox file [-n] [--route] [--queue queue] [-d dir]\n"
    "       tk-mail --maildir dir [-n] [--route] [--queue queue] [-d dir]\n"
    "\n"
    "Makes a ticket of each mail, or a reply on the ticket it answers, and\n"
    "prints one record a message: the ticket (or the raw message, m34), the\n"
    "action (created, appended, stored, refused) and why. Exits 75 when the\n"
    "store or the configuration fails, so that the mail system retries.\n"
    "\n"
    "Options:\n"
    "--mbox file\tthe messages of an mbox file (- for standard input)\n"
    "--maildir dir\tthe messages of a Maildir folder (its new/ and cur/, or dir itself),\n"
    "\tmoved to cur/ once committed\n"
    "--queue queue\tthe queue of new tickets\n"
    "--route\trun the store's rules file on the new tickets\n"
    "-n, --dry-run\tsay what would be done; write nothing\n"
    "-d, --dir dir\tthe store, created if missing\n"
    TK_COMMON_HELP;

#define BATCH_MSGS 500
#define BATCH_BYTES (32u << 20)

struct msg {
	char *raw;
	size_t len;
	char *path;		/* maildir: its file */
	tk_mail m;
	/* the outcome, set in the write transaction */
	uint64_t id;		/* the ticket, or the raw message (typed) */
	int typed;
	const char *action, *reason;
	char why[sizeof tk_errmsg + 8];
};

struct run {
	tk_store *st;
	const tk_settings *set;
	tk_rules *rules;
	const char *queue;
	int dry;
	int mbox;		/* --mbox: each message at its Date */
	struct msg *v;
	size_t n, cap, bytes;
	uint64_t dry_next;	/* --dry-run: the id the next new ticket would take */
	unsigned long read, created, appended, stored, refused;
	int failed;
};

static void
on_alarm(int sig)
{
	static const char m[] = "tk-mail: the store stayed locked past tk-mail's bound; the mail system will retry\n";

	(void)sig;
	(void)!write(2, m, sizeof m - 1);
	_exit(75);
}

/* ---- who the sender is ---- */

/* The agent whose email is addr: 1 with its login in login. */
struct agent_find {
	const char *addr;
	char login[128];
	int found;
};

static int
agent_email(tk_txn *t, tk_agent *a, void *arg)
{
	struct agent_find *f = arg;
	const char *e = a->v[TK_A_EMAIL];
	tk_str name, addr;

	(void)t;
	if (!e || !*e)
		return 0;
	if (!tk_address_split(e, strlen(e), &name, &addr))
		addr = TK_STR(e);
	if (addr.n == strlen(f->addr) && !strncasecmp(addr.p, f->addr, addr.n)) {
		snprintf(f->login, sizeof f->login, "%s", a->v[TK_A_LOGIN]);
		f->found = 1;
		return 1;
	}
	return 0;
}

static int
agent_of(tk_txn *t, const char *addr, char login[128])
{
	struct agent_find f = { addr, "", 0 };

	if (!*addr)
		return 0;
	tk_agent_each(t, agent_email, &f);
	if (f.found)
		memcpy(login, f.login, 128);
	return f.found;
}

/*
 * Whether addr is the ticket's requester: the requester's address, or any
 * address of the ticket's contact (DESIGN.md 2), as a reply's reopening
 * asks (reply.c).
 */
static int
mail_sender_is_requester(tk_txn *t, const tk_ticket *tk, const char *addr)
{
	if (!*addr)
		return 0;
	if (tk->f[TK_F_REQUESTER].n == strlen(addr) && !strncasecmp(tk->f[TK_F_REQUESTER].p, addr, tk->f[TK_F_REQUESTER].n))
		return 1;
	return tk->f[TK_F_CONTACT].n && tk_contact_is_requester(t, tk, addr, strlen(addr)) == 1;
}

/*
 * Whether addr is someone of the ticket's org, when the store lets the
 * org's people thread into tickets of the ticket's queue (config
 * mail-org-replies): a contact of the org, or an address tk does not know
 * under one of its domains (never a free-mail one: org.c).
 */
static int
mail_sender_of_org(tk_txn *t, const tk_settings *set, const tk_ticket *tk, const char *addr)
{
	tk_contact c;
	uint64_t cid;
	char *key = NULL;
	int same = 0, rc;

	if (!*addr || !tk->f[TK_F_ORG].n || !tk_settings_org_replies(set, tk->f[TK_F_QUEUE]))
		return 0;
	if ((rc = tk_contact_by_address(t, addr, strlen(addr), &cid)) == 1) {
		tk_contact_init(&c);
		if (tk_contact_get(t, cid, &c) == 1)
			same = tk_str_eq(tk->f[TK_F_ORG], c.v[TK_C_ORG]);
		tk_contact_free(&c);
		return same;	/* (a known person is of the org the directory says) */
	}
	if (rc == 0 && tk_org_of_address(t, addr, strlen(addr), &key) == 1)
		same = tk_str_eq(tk->f[TK_F_ORG], key);
	free(key);
	return same;
}

static int
is_watcher(const tk_ticket *tk, const char *who)
{
	tk_str w = tk->f[TK_F_WATCHERS];
	size_t i = 0, j, n = strlen(who);

	while (i < w.n) {
		for (j = i; j < w.n && w.p[j] != ','; j++)
			;
		if (j - i == n && n && !strncasecmp(w.p + i, who, n))
			return 1;
		i = j + 1;
	}
	return 0;
}

/* "[tk #42]" in a subject: 1 with the id. */
static int
subject_tag(const char *s, uint64_t *id)
{
	const char *p = s;

	while ((p = strchr(p, '['))) {
		const char *q = p + 1;
		size_t n;

		if (!strncasecmp(q, "tk", 2)) {
			q += 2;
			while (*q == ' ')
				q++;
			if (*q == '#')
				q++;
			for (n = 0; q[n] >= '0' && q[n] <= '9'; n++)
				;
			if (n && q[n] == ']' && tk_id_parse(q, n, id) == 0 && *id)
				return 1;
		}
		p++;
	}
	return 0;
}

/* The ticket id leads to, following merged_into: 1, 0 none, -1 error. */
static int
follow(tk_txn *t, uint64_t id, uint64_t *out)
{
	tk_ticket tk;
	int rc, hops;

	for (hops = 0; hops < 32; hops++) {
		tk_ticket_init(&tk);
		rc = tk_ticket_get(t, id, &tk, 0);
		if (rc <= 0) {
			tk_ticket_free(&tk);
			return rc;
		}
		if (!tk.f[TK_F_MERGED_INTO].n || tk_id_parse(tk.f[TK_F_MERGED_INTO].p, tk.f[TK_F_MERGED_INTO].n, &id) < 0) {
			tk_ticket_free(&tk);
			*out = id;
			return 1;
		}
		tk_ticket_free(&tk);
	}
	*out = id;
	return 1;
}

/* The message's own id for xid: its Message-ID, or a hash of its bytes. */
static void
own_id(const struct msg *g, char *buf, size_t size)
{
	if (*g->m.message_id)
		snprintf(buf, size, "%s", g->m.message_id);
	else
		snprintf(buf, size, "raw-%016llx@tk.invalid",
		    (unsigned long long)tk_hash(TK_HASH_SEED, g->raw, g->len));
}

static void
outcome(struct msg *g, uint64_t id, int typed, const char *action, const char *reason)
{
	g->id = id;
	g->typed = typed;
	g->action = action;
	g->reason = reason;
}

/* Raw message kept; outcome with its m-id unless ticket. */
static int
keep_raw(tk_txn *t, struct run *r, struct msg *g, uint64_t ticket, uint32_t n, uint64_t *mid)
{
	*mid = 0;
	if (r->dry)
		return 0;
	return tk_mail_raw_put(t, ticket, n, g->raw, g->len, mid);
}

static int
keep_files(tk_txn *t, struct run *r, struct msg *g, uint64_t ticket, uint32_t n)
{
	uint64_t id;
	size_t i;
	char mid[1024];

	if (r->dry)
		return 0;
	if (keep_raw(t, r, g, ticket, n, &id) < 0)
		return -1;
	for (i = 0; i < g->m.natt; i++)
		if (tk_attach_put(t, ticket, n, g->m.att[i].name, g->m.att[i].type, g->m.att[i].data, g->m.att[i].len,
		    &id) < 0)
			return -1;
	own_id(g, mid, sizeof mid);
	return tk_xid_put(t, mid, strlen(mid), ticket);
}

static const char *
body_of(struct msg *g, size_t *len)
{
	if (tk_blank(g->m.body, g->m.bodylen)) {
		*len = strlen("(a mail with no text)");
		return "(a mail with no text)";
	}
	*len = g->m.bodylen;
	return g->m.body;
}

/* A reply on ticket id. */
static int
append(tk_txn *t, struct run *r, struct msg *g, uint64_t id, const char *reason)
{
	tk_ticket tk;
	char login[128], author[600];
	const char *body;
	size_t len;
	uint32_t n;
	int rc, agent;

	tk_ticket_init(&tk);
	if ((rc = tk_ticket_get(t, id, &tk, 1)) <= 0) {
		tk_ticket_free(&tk);
		return rc < 0 ? -1 : tk_error("ticket %llu vanished", (unsigned long long)id);
	}
	agent = agent_of(t, g->m.from_addr, login);
	if (agent)
		snprintf(author, sizeof author, "%s", login);
	else if (*g->m.from_name)
		snprintf(author, sizeof author, "%s <%s>", g->m.from_name, g->m.from_addr);
	else
		snprintf(author, sizeof author, "%s", *g->m.from_addr ? g->m.from_addr : "unknown sender");
	body = body_of(g, &len);
	outcome(g, id, 0, "appended", reason);
	if (r->dry) {
		tk_ticket_free(&tk);
		return 0;
	}
	/* The requester's reply reopens, an agent's is the public answer
	 * (first response); anyone else's is kept as a reply with no effect. */
	if (agent || mail_sender_is_requester(t, &tk, g->m.from_addr))
		rc = tk_comment_post(t, &tk, author, 0, body, len);
	else
		rc = tk_comment_add(t, id, author, 0, body, len);
	tk_ticket_free(&tk);
	if (rc < 0 || tk_comment_last(t, id, &n) < 0)
		return -1;
	/* Notice marks (DESIGN.md 8): the mark moves past the comment just
	 * added, so a mail that came in is never mailed back out. */
	if (tk_notice_mark_past(t, id, n) < 0)
		return -1;
	return keep_files(t, r, g, id, n);
}

static int
create(tk_txn *t, struct run *r, struct msg *g, const char *reason, uint64_t relates)
{
	tk_assignments as = { 0 };
	tk_ticket tk;
	const char *body;
	size_t len;
	int rc;

	tk_assign_add(&as, "subject", *g->m.subject ? g->m.subject : "(no subject)");
	if (*g->m.from_addr)
		tk_assign_add(&as, "requester", g->m.from_addr);
	if (*g->m.from_name)
		tk_assign_add(&as, "requester_name", g->m.from_name);
	tk_assign_add(&as, "channel", "email");
	if (*g->m.message_id && strlen(g->m.message_id) < 400)
		tk_assign_add(&as, "external_id", g->m.message_id);
	if (r->queue)
		tk_assign_add(&as, "queue", r->queue);
	body = body_of(g, &len);
	tk_ticket_init(&tk);
	if (r->dry) {
		rc = tk_ticket_prepare(&tk, &as, body, len, 0, t->now_iso);
		tk_ticket_free(&tk);
		tk_assignments_free(&as);
		if (rc < 0)
			return -2;
		outcome(g, r->dry_next++, 0, "created", reason);
		return 0;
	}
	rc = tk_ticket_create(t, &tk, &as, body, len);
	tk_assignments_free(&as);
	if (rc < 0) {
		tk_ticket_free(&tk);
		return tk_map_full ? -1 : -2;
	}
	if (r->rules && tk_route_ticket(r->rules, t, &tk) < 0) {
		tk_ticket_free(&tk);
		return -1;
	}
	outcome(g, tk.id, 0, "created", reason);
	if (relates && tk_link(t, tk.id, TK_REL_RELATES, relates, 0) < 0) {
		tk_ticket_free(&tk);
		return -1;
	}
	tk_ticket_free(&tk);
	return keep_files(t, r, g, g->id, 0);
}

/* What becomes of one message, done in write txn t (or said, dry). */
static int
one(tk_txn *t, struct run *r, struct msg *g)
{
	char mid[1024], login[128];
	uint64_t id = 0, raw, tag;
	size_t i;
	int rc;

	g->why[0] = '\0';
	if (!g->m.parsed) {
		if (keep_raw(t, r, g, 0, 0, &raw) < 0)
			return -1;
		outcome(g, raw, 1, "stored", "unparseable");
		return 0;
	}
	own_id(g, mid, sizeof mid);
	if ((rc = tk_xid_get(t, mid, strlen(mid), &id)) < 0)
		return -1;
	if (rc) {
		outcome(g, id, 0, "refused", "duplicate");
		return 0;
	}
	{
		const char *at = strrchr(g->m.message_id, '@');

		if (g->m.own || (at && *r->set->mail_domain && !strcasecmp(at + 1, r->set->mail_domain))) {
			if (keep_raw(t, r, g, 0, 0, &raw) < 0)
				return -1;
			outcome(g, raw, 1, "refused", "own-mail");
			return 0;
		}
	}
	/* Threading: the ids it answers, the nearest first. */
	id = 0;
	if ((rc = tk_xid_get(t, g->m.in_reply_to, strlen(g->m.in_reply_to), &id)) < 0)
		return -1;
	if (rc)
		g->reason = "in-reply-to";
	for (i = g->m.nrefs; !id && i-- > 0;) {
		if ((rc = tk_xid_get(t, g->m.refs[i], strlen(g->m.refs[i]), &id)) < 0)
			return -1;
		if (rc)
			g->reason = "references";
	}
	if (id && (rc = follow(t, id, &id)) < 0)
		return -1;
	if (id && !rc)
		id = 0;
	if (g->m.noise) {
		if (keep_raw(t, r, g, 0, 0, &raw) < 0)
			return -1;
		outcome(g, raw, 1, "refused", g->m.noise);
		return 0;
	}
	if (!r->dry && (rc = tk_mail_rate(t, g->m.from_addr, r->set->mail_rate_count, r->set->mail_rate_period, 1)) != 0) {
		if (rc < 0 || keep_raw(t, r, g, 0, 0, &raw) < 0)
			return -1;
		outcome(g, raw, 1, "refused", "rate-limit");
		return 0;
	}
	if (id)
		return append(t, r, g, id, g->reason);
	if (subject_tag(g->m.subject, &tag) && (rc = follow(t, tag, &id)) != 0) {
		tk_ticket tk;
		int ok;

		if (rc < 0)
			return -1;
		tk_ticket_init(&tk);
		if (tk_ticket_get(t, id, &tk, 0) < 0)
			return -1;
		ok = mail_sender_is_requester(t, &tk, g->m.from_addr) || is_watcher(&tk, g->m.from_addr) ||
		    agent_of(t, g->m.from_addr, login) || mail_sender_of_org(t, r->set, &tk, g->m.from_addr);
		tk_ticket_free(&tk);
		if (ok)
			return append(t, r, g, id, "tag");
		return create(t, r, g, "tag-from-stranger", id);
	}
	return create(t, r, g, "new", 0);
}

/*
 * one(), for --mbox at the message's own time: an old mailbox keeps its
 * history, so the ticket's created, the comment's time and the events
 * logged for it are the message's Date (not one in the future, nor a
 * missing one: those take the run's time).
 */
static int
one_dated(tk_txn *t, struct run *r, struct msg *g)
{
	time_t now = t->now;
	char iso[21];
	int rc;

	if (!r->mbox || !g->m.parsed || g->m.date <= 0 || g->m.date > now)
		return one(t, r, g);
	memcpy(iso, t->now_iso, sizeof iso);
	t->now = g->m.date;
	tk_time_iso(g->m.date, t->now_iso);
	rc = one(t, r, g);
	t->now = now;
	memcpy(t->now_iso, iso, sizeof iso);
	return rc;
}

static int
write_batch(tk_txn *t, void *arg)
{
	struct run *r = arg;
	size_t i;
	int rc;

	if (r->rules)
		tk_rules_begin(r->rules);
	t->via = "mail";
	for (i = 0; i < r->n; i++) {
		struct msg *g = &r->v[i];

		if ((rc = one_dated(t, r, g)) == -2) {
			/* A value the ticket refused (the queue): the mail is kept raw. */
			snprintf(g->why, sizeof g->why, "%s", tk_errmsg);
			if (keep_raw(t, r, g, 0, 0, &g->id) < 0)
				return TK_EXIT_FAIL;
			outcome(g, g->id, 1, "stored", "refused-by-ticket");
		} else if (rc < 0)
			return TK_EXIT_FAIL;
	}
	return 0;
}

static void
report(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct msg *g = &r->v[i];
		char idb[32];
		tk_str f[3];

		if (g->m.warn[0])
			tk_warn("%s: %s", g->path ? g->path : "message", g->m.warn);
		if (g->why[0])
			tk_warn("%s: %s", g->path ? g->path : "message", g->why);
		snprintf(idb, sizeof idb, "%s%llu", g->typed ? "m" : "", (unsigned long long)g->id);
		if (r->dry && g->typed)
			snprintf(idb, sizeof idb, "m-");
		f[0] = TK_STR(idb);
		f[1] = TK_STR(g->action);
		f[2] = TK_STR(g->reason);
		tk_write_record(stdout, f, 3);
		r->read++;
		if (!strcmp(g->action, "created"))
			r->created++;
		else if (!strcmp(g->action, "appended"))
			r->appended++;
		else if (!strcmp(g->action, "stored"))
			r->stored++;
		else
			r->refused++;
		/* Committed: the Maildir file moves to cur/ (":2," and its flags). */
		if (g->path && !r->dry) {
			char *slash = strrchr(g->path, '/');
			tk_buf to = { 0 };

			if (slash && slash - g->path >= 4 && !strncmp(slash - 4, "/new", 4)) {
				tk_buf_add(&to, g->path, (size_t)(slash - 4 - g->path));
				tk_buf_printf(&to, "/cur%s%s", slash, strstr(slash, ":2,") ? "" : ":2,S");
				if (rename(g->path, tk_buf_cstr(&to)) < 0)
					tk_warn("%s: cannot move to cur/: %s", g->path, strerror(errno));
			}
			tk_buf_free(&to);
		}
	}
	tk_flush_stdout();
}

static void
flush(struct run *r)
{
	size_t i;
	int rc;

	if (!r->n)
		return;
	if (r->dry) {
		tk_txn t;

		if (tk_txn_read(r->st, &t) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		if (!r->dry_next) {
			if (tk_last_id(t.txn, r->st, &r->dry_next) < 0)
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
			r->dry_next++;
		}
		for (i = 0; i < r->n; i++)
			if (one_dated(&t, r, &r->v[i]) == -2)
				outcome(&r->v[i], 0, 1, "stored", "refused-by-ticket");
		tk_txn_end(&t);
	} else {
		const char *e = getenv("TK_MAIL_TIMEOUT");
		long secs = e && *e ? strtol(e, NULL, 10) : 30;

		alarm(secs > 0 ? (unsigned)secs : 30);
		rc = tk_store_write(r->st, write_batch, r);
		alarm(0);
		if (r->rules)
			tk_rules_end(r->rules, rc == 0);
		if (rc)
			tk_die(75, "%s", tk_errmsg);
		tk_cmd_unmake_on_exit(NULL);
	}
	report(r);
	for (i = 0; i < r->n; i++) {
		free(r->v[i].raw);
		free(r->v[i].path);
		tk_mail_free(&r->v[i].m);
	}
	r->n = 0;
	r->bytes = 0;
}

static void
add(struct run *r, char *raw, size_t len, char *path)
{
	struct msg *g;

	if (r->n == r->cap)
		r->v = tk_xrealloc(r->v, (r->cap = r->cap ? 2 * r->cap : 64) * sizeof *r->v);
	g = &r->v[r->n++];
	memset(g, 0, sizeof *g);
	g->raw = raw;
	g->len = len;
	g->path = path;
	tk_mail_parse(raw, len, &g->m);
	r->bytes += len;
	if (r->n >= BATCH_MSGS || r->bytes >= BATCH_BYTES)
		flush(r);
}

/* An mbox: messages after "From " lines; ">From " lines unquoted once. */
static void
read_mbox(struct run *r, FILE *fp, const char *name)
{
	tk_lines l;
	tk_buf msg = { 0 };
	char *line;
	ssize_t n;
	int in = 0, blank = 1;

	tk_lines_init(&l, fp);
	while ((n = tk_lines_next(&l, &line, TK_MAX_LINE)) >= 0) {
		if (n && line[n - 1] == '\n')
			n--;
		if (!l.cont && n >= 5 && !memcmp(line, "From ", 5) && blank) {
			if (in) {
				if (msg.len && msg.p[msg.len - 1] == '\n')
					msg.len--;	/* the blank line before From is the mbox's */
				add(r, msg.p ? msg.p : tk_xstrdup(""), msg.len, NULL);
				memset(&msg, 0, sizeof msg);
			}
			in = 1;
			blank = 0;
			continue;
		}
		if (!in)
			continue;
		{
			size_t k = 0;

			while (!l.cont && k < (size_t)n && line[k] == '>')
				k++;
			if (k && (size_t)n - k >= 5 && !memcmp(line + k, "From ", 5))
				line++, n--;
		}
		tk_buf_add(&msg, line, (size_t)n);
		tk_buf_addc(&msg, '\n');
		blank = n == 0 || (n == 1 && line[0] == '\r');
	}
	if (l.err)
		tk_die(75, "%s: %s", name, strerror(l.err));
	if (in) {
		if (msg.len && msg.p[msg.len - 1] == '\n' && msg.len > 1 && msg.p[msg.len - 2] == '\n')
			msg.len--;
		add(r, msg.p ? msg.p : tk_xstrdup(""), msg.len, NULL);
	}
	tk_lines_free(&l);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
read_maildir_dir(struct run *r, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (!d)
		tk_die(75, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap)
			names = tk_xrealloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names);
		names[n++] = tk_xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (i = 0; i < n; i++) {
		tk_buf p = { 0 };
		FILE *fp;
		size_t len;
		char *raw;

		tk_buf_printf(&p, "%s/%s", dir, names[i]);
		free(names[i]);
		if (!(fp = fopen(p.p, "rb"))) {
			tk_warn("%s: %s", p.p, strerror(errno));
			tk_buf_free(&p);
			continue;
		}
		raw = tk_read_all(fp, p.p, &len);
		fclose(fp);
		add(r, raw, len, p.p);
	}
	free(names);
}

static void
read_maildir(struct run *r, const char *dir)
{
	tk_buf p = { 0 };
	struct stat sb;

	tk_buf_printf(&p, "%s/new", dir);
	if (stat(p.p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		read_maildir_dir(r, p.p);
		/* cur/ too: a re-run, idempotent on Message-ID, finds what it kept */
		p.len = 0;
		tk_buf_printf(&p, "%s/cur", dir);
		if (stat(p.p, &sb) == 0 && S_ISDIR(sb.st_mode))
			read_maildir_dir(r, p.p);
	} else
		read_maildir_dir(r, dir);
	tk_buf_free(&p);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mbox", required_argument, NULL, 'M' },
		{ "maildir", required_argument, NULL, 'D' },
		{ "queue", required_argument, NULL, 'Q' },
		{ "route", no_argument, NULL, 'R' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *mbox = NULL, *maildir = NULL;
	int c, route = 0;
	struct run r;
	const char *path;

	memset(&r, 0, sizeof r);
	tk_cmd_start(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "nd:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'M': mbox = tk_opt_once("--mbox", mbox, optarg); break;
		case 'D': maildir = tk_opt_once("--maildir", maildir, optarg); break;
		case 'Q': r.queue = tk_opt_text("--queue", tk_opt_once("--queue", r.queue, optarg)); break;
		case 'R': route = 1; break;
		case 'n': r.dry = 1; break;
		case 'd': dir = tk_opt_once("-d", dir, optarg); break;
		default: tk_common_option(c);
		}
	}
	if (optind < argc)
		tk_die(TK_EXIT_USAGE, "%s: no operands (the mail comes on standard input)", argv[optind]);
	tk_opt_conflict("--mbox", mbox != NULL, "--maildir", maildir != NULL);
	/* From here on, every failure is the mail system's to retry. */
	tk_exit_remap = 75;
	signal(SIGALRM, on_alarm);
	path = tk_store_path(dir);
	if (!(r.set = tk_settings_get(path)))
		tk_die(75, "%s", tk_errmsg);
	if (r.dry) {
		if (!tk_store_exists(path)) {
			/* No store: every message would make a ticket from 1. */
			r.st = NULL;
		}
	}
	if (!r.dry || tk_store_exists(path)) {
		if (!tk_store_exists(path))
			tk_cmd_unmake_on_exit(path);
		r.st = tk_cmd_store(dir, r.dry ? TK_OPEN_READ : TK_OPEN_CREATE);
		r.st->via = "mail";
		if (!r.dry)
			r.rules = tk_rules_intake(r.st, r.st->dir, route, mbox || maildir ? TK_ROUTE_BULK : 0);
	}
	if (!r.st)
		tk_die(75, "%s: no store to try the mail against", path);
	if (mbox || maildir)
		tk_store_bulk(r.st);
	r.mbox = mbox != NULL;
	if (maildir)
		read_maildir(&r, maildir);
	else if (mbox && strcmp(mbox, "-")) {
		FILE *fp = fopen(mbox, "rb");

		if (!fp)
			tk_die(75, "%s: %s", mbox, strerror(errno));
		read_mbox(&r, fp, mbox);
		fclose(fp);
	} else if (mbox)
		read_mbox(&r, stdin, "stdin");
	else {
		size_t len;
		char *raw = tk_read_all(stdin, "stdin", &len);

		add(&r, raw, len, NULL);
	}
	flush(&r);
	if ((mbox || maildir) && !r.dry && tk_store_sync(r.st) < 0)
		tk_die(75, "%s", tk_errmsg);
	fprintf(stderr, "tk-mail: %lu read, %lu created, %lu appended, %lu stored, %lu refused%s\n", r.read, r.created,
	    r.appended, r.stored, r.refused, r.dry ? " (dry run: nothing written)" : "");
	tk_rules_free(r.rules);
	free(r.v);
	tk_cmd_leave(r.st);
	tk_flush_stdout();
	return 0;
}
