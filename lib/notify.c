/*
 * notify.c - tk-notify: a notice for each record read, queued in the
 * store, then sent through sendmail(1) or a hook (DESIGN.md 8).
 *
 * One write transaction makes every notice of a run (the message, or the
 * hook's environment and input, rendered from the ticket as it is then),
 * queues it (notice.c) and claims it for this run, and claims the older
 * ones this run may send (a mail, or a hook run with the same command as
 * this run's --exec); a notice held by --during waits, unclaimed, for the
 * first run after its time. After the commit each claimed notice is sent,
 * outside any transaction, and a write transaction of its own takes it
 * out of the queue (its mark moved, a "notify" event logged) or, when
 * sending failed, gives it back with the error for the next run. So a
 * notice is never lost to a failed send, and never sent by two runs.
 *
 * Commands are run from an argv with fork and exec, never through a
 * shell, so no ticket text is ever read as a command; a hook gets the
 * ticket in its environment (TK_ID, TK_SUBJECT, ...) and the record on its
 * standard input, sendmail the message on its standard input.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tk.h"

extern char **environ;

/* tk-sla's columns (tk-sla(1)): a stream with no header is read with these. */
static const char *const sla_columns[] = { "id", "metric", "deadline", "remaining", "policy", "state", "level", NULL };

/* Variables tk itself reads: a custom field never takes their place. */
static const char *const own_vars[] = {
	"TK_DIR", "TK_NOW", "TK_SENDMAIL", "TK_MAP_SIZE", "TK_HUGEPAGES", "TK_NOTICE", "TK_NOTICE_SUBJECT",
	"TK_NOTICE_BODY", "TK_BODY_TRUNCATED", NULL
};

#define ENV_VALUE_MAX 65536	/* Linux takes at most 128 KiB a string */

struct rcpt {
	char *name, *addr;
};

struct result {
	uint64_t seq;		/* the notice made, 0 for none */
	int problem;		/* skipped for want of something (exit 1) */
	char *why;		/* skipped: why */
	char held[21];		/* held by --during until then */
};

struct tk_notify {
	tk_notify_opts o;
	char **cols;		/* the input's column names */
	size_t ncols;
	size_t width;		/* the widest record's columns */
	const tk_template *tpl;	/* the one in use: o.tpl or tk's own */
	tk_template *own;
	char storeid[17];
	char domain[256];
	tk_buf from;		/* the From field's mailbox */
	tk_str from_name, from_addr;
	char **sendmail;	/* $TK_SENDMAIL as words */
	/* one write transaction's work */
	struct result *res;
	size_t nres;
	uint64_t *claimed;	/* seqs claimed for this run, ascending */
	size_t nclaimed, claimcap;
	/* rendering one notice */
	tk_txn *t;
	tk_ticket *tk;
	const tk_nrec *rec;
	tk_buf replies;
	char scratch[64];
	tk_buf val;
};

/* ---- recipients (--to) ---- */

int
tk_notify_to_parse(tk_notify_to *to, const char *arg)
{
	const char *p = arg, *c;
	char *w;
	size_t n;

	if (!*arg)
		return tk_error("--to '': give assignee, requester, watchers, lead or an address");
	while (*p) {
		c = strchr(p, ',');
		n = c ? (size_t)(c - p) : strlen(p);
		w = tk_xstrndup(p, n);
		if (!strcmp(w, "assignee"))
			to->kinds |= TK_TO_ASSIGNEE;
		else if (!strcmp(w, "requester"))
			to->kinds |= TK_TO_REQUESTER;
		else if (!strcmp(w, "watchers") || !strcmp(w, "watcher"))
			to->kinds |= TK_TO_WATCHERS;
		else if (!strcmp(w, "lead") || !strcmp(w, "leads"))
			to->kinds |= TK_TO_LEAD;
		else if (tk_mime_addr_ok(w, n)) {
			to->addrs = tk_xrealloc(to->addrs, (to->naddrs + 1) * sizeof *to->addrs);
			tk_address_lower(w, n);
			to->addrs[to->naddrs++] = w;
			w = NULL;
		} else {
			tk_nearest nr;
			static const char *const kinds[] = { "assignee", "requester", "watchers", "lead" };
			size_t i;

			tk_nearest_init(&nr, w);
			for (i = 0; i < 4; i++)
				tk_nearest_try(&nr, kinds[i]);
			if (nr.best)
				tk_error("--to %s: neither a recipient nor an address; did you mean %s?", w, nr.best);
			else
				tk_error("--to %s: neither assignee, requester, watchers, lead nor an address", w);
			free(w);
			return -1;
		}
		free(w);
		if (!c)
			break;
		p = c + 1;
		if (!*p)
			return tk_error("--to %s: a comma with nothing after it", arg);
	}
	return 0;
}

void
tk_notify_to_free(tk_notify_to *to)
{
	size_t i;

	for (i = 0; i < to->naddrs; i++)
		free(to->addrs[i]);
	free(to->addrs);
	memset(to, 0, sizeof *to);
}

static void
rcpt_add(struct rcpt **r, size_t *n, const char *name, const char *addr, size_t an)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strlen((*r)[i].addr) == an && !strncasecmp((*r)[i].addr, addr, an))
			return;
	*r = tk_xrealloc(*r, (*n + 1) * sizeof **r);
	(*r)[*n].name = tk_xstrdup(name ? name : "");
	(*r)[*n].addr = tk_xstrndup(addr, an);
	tk_address_lower((*r)[*n].addr, an);
	(*n)++;
}

static void
rcpts_free(struct rcpt *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].name);
		free(r[i].addr);
	}
	free(r);
}

/* An agent's login, or an address, to a recipient: 1 added, 0 not (why
 * in why, after what: "assignee bob"). -1 an error. */
static int
person(tk_txn *t, const char *what, const char *who, size_t n, struct rcpt **r, size_t *nr, tk_buf *why)
{
	tk_agent a;
	char *login = tk_xstrndup(who, n);
	int rc = 0;

	tk_agent_init(&a);
	if (tk_agent_name_ok(login) && (rc = tk_agent_get(t, login, &a)) != 0) {
		if (rc < 0)
			goto out;
		if (!a.v[TK_A_EMAIL][0]) {
			tk_buf_printf(why, "%s%s %s has no email (tk-agent set %s email=ADDRESS)", why->len ? "; " : "",
			    what, login, login);
			rc = 0;
		} else {
			rcpt_add(r, nr, a.v[TK_A_NAME], a.v[TK_A_EMAIL], strlen(a.v[TK_A_EMAIL]));
			rc = 1;
		}
	} else if (tk_mime_addr_ok(who, n)) {
		rcpt_add(r, nr, NULL, who, n);
		rc = 1;
	} else
		tk_buf_printf(why, "%s%s %s is no agent and no address (tk-agent add %s email=ADDRESS)",
		    why->len ? "; " : "", what, login, login);
out:
	tk_agent_free(&a);
	free(login);
	return rc;
}

/* The ticket's leads: those of the team that owns its queue. */
static int
leads(tk_txn *t, tk_ticket *tk, struct rcpt **r, size_t *nr, tk_buf *why)
{
	tk_str q = tk->f[TK_F_QUEUE];
	char *team = NULL;
	const char *p, *c;
	tk_team tm;
	int rc, got = 0;

	if (!q.n) {
		tk_buf_printf(why, "%sno lead: the ticket has no queue", why->len ? "; " : "");
		return 0;
	}
	if ((rc = tk_team_of_queue(t, q.p, q.n, &team)) <= 0) {
		if (rc == 0)
			tk_buf_printf(why, "%sno lead: queue %.*s belongs to no team (tk-agent team NAME queues=%.*s)",
			    why->len ? "; " : "", (int)q.n, q.p, (int)q.n, q.p);
		return rc;
	}
	tk_team_init(&tm);
	if ((rc = tk_team_get(t, team, &tm, 1)) > 0) {
		if (!tm.v[TK_T_LEADS][0])
			tk_buf_printf(why, "%sno lead: team %s has no lead (tk-agent set LOGIN role=lead)",
			    why->len ? "; " : "", team);
		for (p = tm.v[TK_T_LEADS]; *p; p = *c ? c + 1 : c) {
			c = strchr(p, ',');
			if (!c)
				c = p + strlen(p);
			if ((rc = person(t, "lead", p, (size_t)(c - p), r, nr, why)) < 0)
				break;
			got += rc;
		}
	}
	tk_team_free(&tm);
	free(team);
	return rc < 0 ? -1 : got > 0;
}

/* The recipients --to names for a notice about tk (not the requester's). */
static int
recipients(tk_notify *nf, tk_txn *t, tk_ticket *tk, struct rcpt **r, size_t *nr, tk_buf *why)
{
	unsigned k = nf->o.to.kinds;
	tk_str v;
	const char *p, *c;
	size_t i;

	if (k & TK_TO_ASSIGNEE) {
		v = tk->f[TK_F_ASSIGNEE];
		if (!v.n)
			tk_buf_printf(why, "%sno assignee", why->len ? "; " : "");
		else if (person(t, "assignee", v.p, v.n, r, nr, why) < 0)
			return -1;
	}
	if (k & TK_TO_WATCHERS) {
		v = tk->f[TK_F_WATCHERS];
		if (!v.n)
			tk_buf_printf(why, "%sno watchers", why->len ? "; " : "");
		for (p = v.p; p < v.p + v.n; p = c + 1) {
			c = memchr(p, ',', (size_t)(v.p + v.n - p));
			if (!c)
				c = v.p + v.n;
			if (c > p && person(t, "watcher", p, (size_t)(c - p), r, nr, why) < 0)
				return -1;
		}
	}
	if ((k & TK_TO_LEAD) && leads(t, tk, r, nr, why) < 0)
		return -1;
	for (i = 0; i < nf->o.to.naddrs; i++)
		rcpt_add(r, nr, NULL, nf->o.to.addrs[i], strlen(nf->o.to.addrs[i]));
	return 0;
}

/*
 * A public reply to mail the requester: an agent's, which is any public
 * reply not from the requester (as tk-comment(1) counts the first
 * response), compared without case.
 */
static int
agents_reply(const tk_ticket *tk, const tk_comment *cm)
{
	tk_str req = tk->f[TK_F_REQUESTER];

	if (cm->internal)
		return 0;
	return !(req.n && cm->author.n == req.n && !strncasecmp(cm->author.p, req.p, req.n));
}

struct replies {
	tk_notify *nf;
	tk_ticket *tk;
	uint32_t after, last;
	int count;
};

static int
reply_each(const tk_comment *cm, void *arg)
{
	struct replies *r = arg;

	r->last = cm->n;
	if (cm->n <= r->after || !agents_reply(r->tk, cm))
		return 0;
	if (r->count++)
		tk_buf_adds(&r->nf->replies, "\n\n");
	tk_buf_add(&r->nf->replies, cm->body.p, cm->body.n);
	return 0;
}

/* ---- rendering ---- */

static tk_str
value_of(const char *name, void *arg)
{
	tk_notify *nf = arg;
	size_t i;

	if (!strcmp(name, "replies") && (nf->o.to.kinds & TK_TO_REQUESTER))
		return (tk_str){ nf->replies.p ? nf->replies.p : "", nf->replies.len };
	if (tk_field_lookup(name) != TK_F_CUSTOM || tk_field_known(nf->t, name))
		return tk_template_field(nf->t, nf->tk, name, nf->scratch, sizeof nf->scratch);
	for (i = 1; i < nf->ncols && i < nf->rec->ncol; i++)
		if (!strcmp(nf->cols[i], name))
			return TK_STR(nf->rec->col[i]);
	return (tk_str){ "", 0 };
}

/* tk's own templates: the subject and a summary; the requester's, the replies. */
static tk_template *
own_template(tk_notify *nf)
{
	tk_buf b = { 0 };
	tk_template *tp;
	size_t i;
	int code;

	if (nf->o.to.kinds & TK_TO_REQUESTER)
		tk_buf_adds(&b, "Subject: Re: [tk #{{id}}] {{subject}}\n\n{{replies}}\n");
	else {
		tk_buf_adds(&b, "Subject: [tk #{{id}}] {{subject}}\n\n{{subject}}\n\n"
		    "id         {{id}}\nstatus     {{status}}\npriority   {{priority}}\nqueue      {{queue}}\n"
		    "assignee   {{assignee}}\nrequester  {{requester}}\n");
		for (i = 1; i < nf->ncols && i < nf->width; i++)
			if (tk_field_lookup(nf->cols[i]) == TK_F_CUSTOM && tk_field_name_ok(nf->cols[i]))
				tk_buf_printf(&b, "%-10s {{%s}}\n", nf->cols[i], nf->cols[i]);
	}
	tp = tk_template_parse("(tk-notify's own template)", b.p, b.len, &code);
	tk_buf_free(&b);
	return tp;
}

/* ---- the notifier ---- */

static void
domain_of(tk_notify *nf)
{
	const char *at = memchr(nf->from_addr.p, '@', nf->from_addr.n);
	size_t n;

	if (at) {
		n = (size_t)(nf->from_addr.p + nf->from_addr.n - at - 1);
		if (n >= sizeof nf->domain)
			n = sizeof nf->domain - 1;
		memcpy(nf->domain, at + 1, n);
		nf->domain[n] = '\0';
	} else if (gethostname(nf->domain, sizeof nf->domain - 1) < 0 || !nf->domain[0])
		strcpy(nf->domain, "localhost");
}

tk_notify *
tk_notify_new(const tk_notify_opts *o)
{
	tk_notify *nf = tk_xmalloc(sizeof *nf);
	const char *s = getenv("TK_SENDMAIL");
	char host[256], *copy, *w, *save;
	size_t n = 0;

	memset(nf, 0, sizeof *nf);
	nf->o = *o;
	if (o->from && *o->from)
		tk_buf_adds(&nf->from, o->from);
	else {
		if (gethostname(host, sizeof host - 1) < 0 || !host[0])
			strcpy(host, "localhost");
		host[sizeof host - 1] = '\0';
		tk_buf_printf(&nf->from, "%s@%s", tk_actor(), host);
	}
	if (!tk_address_split(nf->from.p, nf->from.len, &nf->from_name, &nf->from_addr))
		nf->from_name = (tk_str){ "", 0 };
	domain_of(nf);
	copy = tk_xstrdup(s && *s ? s : "/usr/sbin/sendmail -t -i");
	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		nf->sendmail = tk_xrealloc(nf->sendmail, (n + 2) * sizeof *nf->sendmail);
		nf->sendmail[n++] = tk_xstrdup(w);
		nf->sendmail[n] = NULL;
	}
	free(copy);
	return nf;
}

int
tk_notify_columns(tk_notify *nf, char **names, size_t n)
{
	size_t i;

	for (i = 0; i < nf->ncols; i++)
		free(nf->cols[i]);
	free(nf->cols);
	nf->width = n;
	if (!names) {
		for (n = 0; sla_columns[n]; n++)
			;
		names = (char **)sla_columns;
	}
	nf->cols = tk_xmalloc((n + 1) * sizeof *nf->cols);
	for (i = 0; i < n; i++) {
		nf->cols[i] = tk_xstrdup(names[i]);
		tk_field_name_lower(nf->cols[i]);
	}
	nf->cols[n] = NULL;
	nf->ncols = n;
	return 0;
}

int
tk_notify_prepare(tk_notify *nf, tk_txn *t)
{
	const char **extra;
	size_t i, n = 0;
	int rc;

	if (!nf->cols)
		tk_notify_columns(nf, NULL, 1);
	extra = tk_xmalloc((nf->ncols + 10) * sizeof *extra);
	/* The input's columns, and tk-sla's: a template made for its
	 * records says {{metric|...}} of a plain list of ids too. */
	for (i = 1; i < nf->ncols; i++)
		extra[n++] = nf->cols[i];
	for (i = 1; sla_columns[i]; i++)
		extra[n++] = sla_columns[i];
	if (nf->o.to.kinds & TK_TO_REQUESTER)
		extra[n++] = "replies";
	extra[n] = NULL;
	tk_template_free(nf->own);
	nf->own = NULL;
	if (!nf->o.tpl && !(nf->own = own_template(nf))) {
		free(extra);
		return -1;
	}
	nf->tpl = nf->o.tpl ? nf->o.tpl : nf->own;
	rc = 0;
	if (!(nf->o.to.kinds & TK_TO_REQUESTER) && tk_template_uses(nf->tpl, "replies") &&
	    !(t && tk_field_known(t, "replies")))
		rc = tk_error("%s: {{replies}}: only a --to requester notice carries replies", tk_template_path(nf->tpl));
	if (rc == 0)
		rc = tk_template_check(nf->tpl, t, extra);
	if (rc == 0 && tk_template_sets(nf->tpl)->n)
		rc = tk_error("%s: Set: a canned reply's field changes (tk-comment --template); a notice changes no field",
		    tk_template_path(nf->tpl));
	free(extra);
	return rc;
}

void
tk_notify_free(tk_notify *nf)
{
	size_t i;

	if (!nf)
		return;
	for (i = 0; i < nf->ncols; i++)
		free(nf->cols[i]);
	free(nf->cols);
	for (i = 0; nf->sendmail && nf->sendmail[i]; i++)
		free(nf->sendmail[i]);
	free(nf->sendmail);
	for (i = 0; i < nf->nres; i++)
		free(nf->res[i].why);
	free(nf->res);
	free(nf->claimed);
	tk_template_free(nf->own);
	tk_buf_free(&nf->from);
	tk_buf_free(&nf->replies);
	tk_buf_free(&nf->val);
	free(nf);
}

/* ---- making notices ---- */

static void
env_name(tk_buf *b, const char *name)
{
	const char *p;

	tk_buf_adds(b, "TK_");
	for (p = name; *p; p++)
		tk_buf_addc(b, isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_');
}

static int
own_var(const char *name, size_t n)
{
	size_t i;

	for (i = 0; own_vars[i]; i++)
		if (strlen(own_vars[i]) == n && !memcmp(own_vars[i], name, n))
			return 1;
	return 0;
}

/* NAME=VALUE into the notice, NUL bytes taken out, the value cut (at a
 * character's start) past ENV_VALUE_MAX bytes. Returns 1 when cut. */
static int
env_put(tk_notice *nt, tk_buf *b, const char *name, tk_str v, int custom)
{
	size_t i, n = v.n;
	int cut = 0;

	b->len = 0;
	env_name(b, name);
	if (custom && own_var(b->p, b->len))
		return 0;
	for (i = 0; i < nt->nenv; i++)	/* a field before a column of the same name */
		if (!strncmp(nt->env[i], b->p, b->len) && nt->env[i][b->len] == '=')
			return 0;
	tk_buf_addc(b, '=');
	if (n > ENV_VALUE_MAX) {
		n = ENV_VALUE_MAX;
		while (n && ((unsigned char)v.p[n] & 0xc0) == 0x80)
			n--;
		cut = 1;
	}
	for (i = 0; i < n; i++)
		if (v.p[i])
			tk_buf_addc(b, v.p[i]);
	tk_notice_env(nt, b->p, b->len);
	return cut;
}

/* A hook's notice: the ticket's fields and the record's columns in its
 * environment, the record (after the input's header, if it had one) on
 * its standard input. */
static void
make_exec(tk_notify *nf, tk_txn *t, tk_ticket *tk, const tk_nrec *rec, tk_notice *nt)
{
	tk_buf b = { 0 }, in = { 0 };
	char scratch[64], num[32];
	size_t i;
	int f;

	nt->kind = 'x';
	for (i = 0; nf->o.exec[i]; i++)
		tk_notice_arg(nt, nf->o.exec[i]);
	for (f = 0; f < TK_F_NFIELDS; f++)
		if (env_put(nt, &b, tk_fields[f].name, tk_ticket_value(t, tk, f, NULL, scratch, sizeof scratch), 0) &&
		    f == TK_F_BODY)
			env_put(nt, &b, "body_truncated", TK_STR("1"), 0);
	for (i = 0; i < tk->ncustom; i++) {
		char *name = tk_xstrndup(tk->custom[i].name.p, tk->custom[i].name.n);

		if (tk->custom[i].value.n)
			env_put(nt, &b, name, tk->custom[i].value, 1);
		free(name);
	}
	for (i = 1; i < nf->ncols && i < rec->ncol; i++)
		env_put(nt, &b, nf->cols[i], TK_STR(rec->col[i]), 1);
	env_put(nt, &b, "dir", TK_STR(nf->o.dir), 0);
	snprintf(num, sizeof num, "n%llu", (unsigned long long)nt->seq);
	env_put(nt, &b, "notice", TK_STR(num), 0);
	if (nf->o.tpl) {
		tk_buf s = { 0 };

		tk_template_render(nf->tpl, TK_TPL_SUBJECT, &s, value_of, nf);
		env_put(nt, &b, "notice_subject", (tk_str){ s.p ? s.p : "", s.len }, 0);
		s.len = 0;
		tk_template_render(nf->tpl, TK_TPL_BODY, &s, value_of, nf);
		env_put(nt, &b, "notice_body", (tk_str){ s.p ? s.p : "", s.len }, 0);
		tk_buf_free(&s);
	}
	if (rec->header) {
		tk_buf_addc(&in, '#');
		for (i = 0; i < nf->ncols; i++) {
			if (i)
				tk_buf_addc(&in, '\t');
			tk_rec_escape(&in, nf->cols[i], strlen(nf->cols[i]));
		}
		tk_buf_addc(&in, '\n');
	}
	for (i = 0; i < rec->ncol; i++) {
		if (i)
			tk_buf_addc(&in, '\t');
		tk_rec_escape(&in, rec->col[i], strlen(rec->col[i]));
	}
	tk_buf_addc(&in, '\n');
	nt->data = in.p;
	nt->len = in.len;
	nt->to = tk_xstrdup(nf->o.exec[0]);
	tk_buf_free(&b);
}

/* The thread's root Message-ID: every notice about a ticket refers to it. */
static void
thread_id(tk_notify *nf, uint64_t ticket, tk_buf *b)
{
	tk_buf_printf(b, "<tk.%llu.%s@%s>", (unsigned long long)ticket, nf->storeid, nf->domain);
}

/* A mail notice: the message, all but its Date (added when it is sent). */
static void
make_mail(tk_notify *nf, tk_ticket *tk, struct rcpt *r, size_t nr, tk_notice *nt)
{
	tk_buf m = { 0 }, s = { 0 }, body = { 0 }, id = { 0 }, tag = { 0 };
	tk_mime_addr *a = tk_xmalloc((nr ? nr : 1) * sizeof *a), from;
	size_t i;

	nt->kind = 'm';
	from.name = nf->from_name.n ? tk_xstrndup(nf->from_name.p, nf->from_name.n) : NULL;
	from.addr = tk_xstrndup(nf->from_addr.p, nf->from_addr.n);
	tk_mime_addresses(&m, "From", &from, 1);
	for (i = 0; i < nr; i++) {
		a[i].name = r[i].name;
		a[i].addr = r[i].addr;
		if (i)
			tk_buf_addc(&s, ',');
		tk_buf_adds(&s, r[i].addr);
	}
	nt->to = s.p;
	memset(&s, 0, sizeof s);
	tk_mime_addresses(&m, "To", a, nr);
	/* The subject, with the ticket's tag when the template left it out. */
	tk_template_render(nf->tpl, TK_TPL_SUBJECT, &s, value_of, nf);
	tk_buf_printf(&tag, "[tk #%llu]", (unsigned long long)tk->id);
	if (!s.p || !strstr(s.p, tag.p)) {
		tk_buf_adds(&tag, s.len ? " " : "");
		tk_buf_add(&tag, s.p ? s.p : "", s.len);
		tk_mime_header(&m, "Subject", tag.p, tag.len);
	} else
		tk_mime_header(&m, "Subject", s.p, s.len);
	tk_buf_printf(&id, "<tk.%llu.%llu.%s@%s>", (unsigned long long)tk->id, (unsigned long long)nt->seq,
	    nf->storeid, nf->domain);
	nt->msgid = tk_xstrdup(id.p);
	tk_buf_printf(&m, "Message-ID: %s\n", id.p);
	id.len = 0;
	thread_id(nf, tk->id, &id);
	tk_buf_printf(&m, "In-Reply-To: %s\nReferences: %s\n", id.p, id.p);
	tk_buf_adds(&m, "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n");
	tk_template_render(nf->tpl, TK_TPL_BODY, &body, value_of, nf);
	tk_buf_addc(&body, '\n');
	if (tk_mime_needs_qp(body.p, body.len)) {
		tk_buf_adds(&m, "Content-Transfer-Encoding: quoted-printable\n");
	} else
		tk_buf_adds(&m, "Content-Transfer-Encoding: 8bit\n");
	/* A reply an agent wrote is a person's mail; anything else is made by
	 * tk, and autoresponders leave it be (RFC 3834). */
	if (!(nf->o.to.kinds & TK_TO_REQUESTER))
		tk_buf_adds(&m, "Auto-Submitted: auto-generated\n");
	tk_buf_printf(&m, "X-Tk-Ticket: %llu\n\n", (unsigned long long)tk->id);
	if (tk_mime_needs_qp(body.p, body.len))
		tk_mime_qp(&m, body.p, body.len);
	else
		tk_buf_add(&m, body.p, body.len);
	nt->data = m.p;
	nt->len = m.len;
	free((char *)from.name);
	free((char *)from.addr);
	free(a);
	tk_buf_free(&s);
	tk_buf_free(&body);
	tk_buf_free(&id);
	tk_buf_free(&tag);
}

static void
result_set(tk_notify *nf, size_t i, uint64_t seq, int problem, const char *why)
{
	nf->res[i].held[0] = '\0';
	free(nf->res[i].why);
	nf->res[i].seq = seq;
	nf->res[i].problem = problem;
	nf->res[i].why = why ? tk_xstrdup(why) : NULL;
}

static void
claim(tk_notify *nf, tk_notice *nt, const char *now_iso)
{
	nt->claim_pid = (long)getpid();
	memcpy(nt->claim_time, now_iso, 21);
	if (nf->nclaimed == nf->claimcap) {
		nf->claimcap = nf->claimcap ? 2 * nf->claimcap : 64;
		nf->claimed = tk_xrealloc(nf->claimed, nf->claimcap * sizeof *nf->claimed);
	}
	nf->claimed[nf->nclaimed++] = nt->seq;
}

/* The notice of record i: 0 (made, or skipped with why), -1 an error. */
static int
make_one(tk_notify *nf, tk_txn *t, size_t i, const tk_nrec *rec)
{
	tk_ticket tk;
	tk_notice nt;
	tk_buf why = { 0 };
	struct rcpt *r = NULL;
	size_t nr = 0;
	uint32_t sent = 0, queued = 0, last = 0;
	int rc, due;

	tk_ticket_init(&tk);
	memset(&nt, 0, sizeof nt);
	/* Copied: the notice is written before the ticket's values are read. */
	if ((rc = tk_ticket_get(t, rec->id, &tk, 1)) <= 0) {
		if (rc == 0)
			result_set(nf, i, 0, 1, "no such ticket");
		tk_ticket_free(&tk);
		return rc;
	}
	nf->t = t;
	nf->tk = &tk;
	nf->rec = rec;
	nf->replies.len = 0;
	if (nf->o.to.kinds & TK_TO_REQUESTER) {
		struct replies rp = { nf, &tk, 0, 0, 0 };
		tk_str req = tk.f[TK_F_REQUESTER];

		if (tk_notice_mark_get(t, tk.id, &sent, &queued) < 0)
			goto fail;
		rp.after = queued > sent ? queued : sent;
		if (tk_comment_each(t, tk.id, reply_each, &rp) < 0)
			goto fail;
		last = rp.last;
		if (!rp.count) {
			result_set(nf, i, 0, 0, "no new reply");
			goto done;
		}
		if (!req.n || !tk_mime_addr_ok(req.p, req.n)) {
			tk_buf_printf(&why, req.n ? "new replies, but requester %.*s is no address" :
			    "new replies, but no requester", (int)req.n, req.p);
			result_set(nf, i, 0, 1, why.p);
			goto done;
		}
		{
			tk_str nm = tk.f[TK_F_REQUESTER_NAME];
			char *name = tk_xstrndup(nm.p, nm.n);

			rcpt_add(&r, &nr, name, req.p, req.n);
			free(name);
		}
	} else if (!nf->o.exec) {
		if (recipients(nf, t, &tk, &r, &nr, &why) < 0)
			goto fail;
		if (!nr) {
			result_set(nf, i, 0, 1, why.len ? why.p : "no recipient");
			goto done;
		}
		if (why.len)	/* some of them could not be reached: said, and the rest mailed */
			result_set(nf, i, 0, 1, why.p);
	}
	nt.ticket = tk.id;
	memcpy(nt.queued, t->now_iso, 21);
	nt.what = tk_xstrdup(tk_template_path(nf->tpl));
	due = 1;
	if (nf->o.during) {
		time_t open;

		if ((rc = nf->o.during(nf->o.during_arg, t->now, &open)) < 0)
			goto fail;
		if (rc == 0) {
			tk_time_iso(open, nt.not_before);
			memcpy(nf->res[i].held, nt.not_before, 21);
			due = 0;
		}
	}
	if (tk_notice_add(t, &nt) < 0)	/* for its seq; written again whole below */
		goto fail;
	if (nf->o.exec)
		make_exec(nf, t, &tk, rec, &nt);
	else
		make_mail(nf, &tk, r, nr, &nt);
	nt.mark = last;
	if (due)
		claim(nf, &nt, t->now_iso);
	if (tk_notice_put(t, &nt) < 0 || (last && tk_notice_mark_queued(t, tk.id, last) < 0))
		goto fail;
	nf->res[i].seq = nt.seq;
done:
	tk_notice_free(&nt);
	rcpts_free(r, nr);
	tk_buf_free(&why);
	tk_ticket_free(&tk);
	return 0;
fail:
	tk_notice_free(&nt);
	rcpts_free(r, nr);
	tk_buf_free(&why);
	tk_ticket_free(&tk);
	return -1;
}

static int
same_argv(char *const *a, char *const *b)
{
	size_t i;

	if (!a || !b)
		return 0;
	for (i = 0; a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]))
			return 0;
	return !a[i] && !b[i];
}

struct older {
	tk_notify *nf;
	uint64_t *seq;
	size_t n, cap;
};

static int
older_each(tk_txn *t, tk_notice *nt, void *arg)
{
	struct older *o = arg;

	if (nt->not_before[0] && strcmp(nt->not_before, t->now_iso) > 0)
		return 0;
	if (nt->kind == 'x' && !same_argv(nt->argv, o->nf->o.exec))
		return 0;
	if (nt->kind != 'm' && nt->kind != 'x')
		return 0;
	if (tk_notice_claimed(nt, t->now))
		return 0;
	if (o->n == o->cap)
		o->seq = tk_xrealloc(o->seq, (o->cap = o->cap ? 2 * o->cap : 64) * sizeof *o->seq);
	o->seq[o->n++] = nt->seq;
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct qjob {
	tk_notify *nf;
	const tk_nrec *recs;
	size_t n;
	int older;
};

static int
queue_txn(tk_txn *t, void *arg)
{
	struct qjob *q = arg;
	tk_notify *nf = q->nf;
	struct older o = { nf, NULL, 0, 0 };
	tk_notice nt;
	size_t i;
	int rc;

	for (i = 0; i < nf->nres; i++)
		free(nf->res[i].why);
	free(nf->res);
	nf->nres = q->n;
	nf->res = tk_xmalloc((q->n ? q->n : 1) * sizeof *nf->res);
	memset(nf->res, 0, (q->n ? q->n : 1) * sizeof *nf->res);
	nf->nclaimed = 0;
	if (tk_notice_store_id(t, nf->storeid) < 0)
		return TK_EXIT_FAIL;
	/* The older notices first: those this run may send, claimed. */
	if (q->older && tk_notice_each(t, older_each, &o) < 0) {
		free(o.seq);
		return TK_EXIT_FAIL;
	}
	for (i = 0; i < o.n; i++) {
		if ((rc = tk_notice_get(t, o.seq[i], &nt)) < 0) {
			free(o.seq);
			return TK_EXIT_FAIL;
		}
		claim(nf, &nt, t->now_iso);
		rc = tk_notice_put(t, &nt);
		tk_notice_free(&nt);
		if (rc < 0) {
			free(o.seq);
			return TK_EXIT_FAIL;
		}
	}
	free(o.seq);
	for (i = 0; i < q->n; i++)
		if (make_one(nf, t, i, &q->recs[i]) < 0)
			return TK_EXIT_FAIL;
	if (nf->nclaimed > 1)
		qsort(nf->claimed, nf->nclaimed, sizeof *nf->claimed, cmp_u64);
	return 0;
}

int
tk_notify_queue(tk_notify *nf, tk_store *st, const tk_nrec *recs, size_t n, int older)
{
	struct qjob q = { nf, recs, n, older };
	int rc = tk_store_write(st, queue_txn, &q);

	return rc ? -1 : 0;
}

const char *
tk_notify_result(const tk_notify *nf, size_t i, int *problem, uint64_t *seq, const char **held)
{
	*problem = nf->res[i].problem;
	*seq = nf->res[i].seq;
	*held = nf->res[i].held[0] ? nf->res[i].held : NULL;
	return nf->res[i].why;
}

/* ---- the records read ---- */

static uint64_t
rec_hash(uint64_t id, char **f, size_t *lens, size_t n, int by_id)
{
	uint64_t h = tk_hash(TK_HASH_SEED, &id, sizeof id);
	size_t i;

	for (i = 1; !by_id && i < n; i++) {
		h = tk_hash(h, "\t", 1);
		h = tk_hash(h, f[i], lens ? lens[i] : strlen(f[i]));
	}
	return h;
}

static void
slot_put(tk_nrecs *in, uint64_t h, size_t idx)
{
	size_t i = (size_t)h & (in->nslot - 1);

	while (in->slot[i])
		i = (i + 1) & (in->nslot - 1);
	in->slot[i] = idx + 1;
}

static int
same_rec(const tk_nrec *a, char **f, size_t n)
{
	size_t i;

	if (a->ncol != n)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(a->col[i], f[i]))
			return 0;
	return 1;
}

/* Each distinct record once (one a ticket with --to requester). */
void
tk_nrecs_add(tk_nrecs *in, uint64_t id, char **f, size_t *lens, size_t n, int by_id)
{
	uint64_t h = rec_hash(id, f, lens, n, by_id);
	size_t i, j;
	tk_nrec *r;

	if (in->n * 2 >= in->nslot) {
		free(in->slot);
		in->nslot = in->nslot ? 2 * in->nslot : 256;
		in->slot = tk_xmalloc(in->nslot * sizeof *in->slot);
		memset(in->slot, 0, in->nslot * sizeof *in->slot);
		for (j = 0; j < in->n; j++)
			slot_put(in, rec_hash(in->v[j].id, in->v[j].col, NULL, in->v[j].ncol, by_id), j);
	}
	for (i = (size_t)h & (in->nslot - 1); in->slot[i]; i = (i + 1) & (in->nslot - 1)) {
		r = &in->v[in->slot[i] - 1];
		if (r->id == id && (by_id || same_rec(r, f, n)))
			return;
	}
	slot_put(in, h, in->n);
	if (in->n == in->cap)
		in->v = tk_xrealloc(in->v, (in->cap = in->cap ? 2 * in->cap : 64) * sizeof *in->v);
	r = &in->v[in->n++];
	r->id = id;
	r->ncol = n;
	r->header = in->names != NULL;
	r->col = tk_xmalloc((n + 1) * sizeof *r->col);
	for (i = 0; i < n; i++)
		r->col[i] = tk_xstrndup(f[i], lens ? lens[i] : strlen(f[i]));
	r->col[n] = NULL;
}

int
tk_nrecs_read(tk_nrecs *in, FILE *fp, const char *name, int by_id)
{
	tk_reader r;
	uint64_t id;
	size_t i;
	int rc;

	tk_reader_init(&r, fp, name);
	while ((rc = tk_reader_next(&r)) != 0) {
		if (rc < 0) {
			tk_warn("%s:%ld: %s", name, r.lineno, tk_errmsg);
			in->bad++;
			continue;
		}
		if (r.header) {
			if (r.nfields == 1 && !strcmp(r.fields[0], "dry-run")) {
				tk_error("%s:%ld: a dry-run stream (#dry-run): only a --dry-run command reads it", name,
				    r.lineno);
				tk_reader_free(&r);
				return -1;
			}
			if (!in->names) {
				in->names = tk_xmalloc((r.nfields + 1) * sizeof *in->names);
				for (i = 0; i < r.nfields; i++)
					in->names[i] = tk_xstrndup(r.fields[i], r.lens[i]);
				in->nnames = r.nfields;
			}
			continue;
		}
		if (r.nfields == 1 && !r.lens[0])
			continue;
		if (tk_id_typed(r.fields[0], r.lens[0])) {
			tk_warn("%s:%ld: %s: not a ticket, skipped", name, r.lineno, r.fields[0]);
			continue;
		}
		if (tk_id_parse(r.fields[0], r.lens[0], &id) < 0) {
			tk_warn("%s:%ld: %s: not a ticket id", name, r.lineno, r.fields[0]);
			in->bad++;
			continue;
		}
		tk_nrecs_add(in, id, r.fields, r.lens, r.nfields, by_id);
	}
	tk_reader_free(&r);
	return 0;
}

void
tk_nrecs_free(tk_nrecs *in)
{
	size_t i, j;

	for (i = 0; i < in->n; i++) {
		for (j = 0; j < in->v[i].ncol; j++)
			free(in->v[i].col[j]);
		free(in->v[i].col);
	}
	free(in->v);
	free(in->slot);
	for (i = 0; i < in->nnames; i++)
		free(in->names[i]);
	free(in->names);
}

/* ---- running a command ---- */

/* The environment of a child: ours, with each NAME=VALUE of add in place
 * of a variable of that name. */
static char **
child_env(char *const *add, size_t nadd)
{
	size_t n = 0, i, j, k, len;
	char **env;

	while (environ && environ[n])
		n++;
	env = tk_xmalloc((n + nadd + 1) * sizeof *env);
	for (i = k = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');

		len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		for (j = 0; j < nadd; j++)
			if (!strncmp(add[j], environ[i], len) && add[j][len] == '=')
				break;
		if (j == nadd)
			env[k++] = environ[i];
	}
	for (j = 0; j < nadd; j++)
		env[k++] = add[j];
	env[k] = NULL;
	return env;
}

static void
argv_text(tk_buf *b, char *const *argv)
{
	size_t i;

	for (i = 0; argv[i]; i++) {
		if (i)
			tk_buf_addc(b, ' ');
		tk_buf_adds(b, argv[i]);
	}
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

int
tk_notify_run(char *const *argv, char *const *add, size_t nadd, const char *data, size_t len, long timeout)
{
	int in[2], ep[2], err = 0, status = 0, done = 0;
	struct sigaction ign, old;
	struct timespec t0;
	struct pollfd pfd;
	char **env;
	size_t off = 0;
	ssize_t w;
	long left, nap = 1;
	pid_t pid;
	tk_buf cmd = { 0 };
	int rc = -1;

	argv_text(&cmd, argv);
	if (pipe2(in, O_CLOEXEC) < 0)
		return tk_error("%s: pipe: %s", cmd.p, strerror(errno)), tk_buf_free(&cmd), -1;
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		tk_error("%s: pipe: %s", cmd.p, strerror(errno));
		tk_buf_free(&cmd);
		return -1;
	}
	env = child_env(add, nadd);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		tk_error("%s: fork: %s", cmd.p, strerror(errno));
		free(env);
		close(in[0]);
		close(in[1]);
		close(ep[0]);
		close(ep[1]);
		tk_buf_free(&cmd);
		return -1;
	}
	if (pid == 0) {
		/* Its output is no record of ours: to our stderr. Its own process
		 * group, so that a timeout ends whatever it started. */
		setpgid(0, 0);
		if (dup2(in[0], 0) < 0 || dup2(2, 1) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execvpe(argv[0], argv, env);
		err = errno;
		if (write(ep[1], &err, sizeof err) < 0)
			_exit(127);
		_exit(127);
	}
	free(env);
	close(in[0]);
	close(ep[1]);
	if (read(ep[0], &err, sizeof err) == (ssize_t)sizeof err) {
		close(ep[0]);
		close(in[1]);
		waitpid(pid, &status, 0);
		tk_error("%s: cannot run: %s", cmd.p, strerror(err));
		tk_buf_free(&cmd);
		return -1;
	}
	close(ep[0]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* A command that does not read all of its input is no failure in
	 * itself: its exit status says. */
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	while (off < len) {
		left = timeout * 1000 - ms_since(&t0);
		if (left <= 0)
			break;
		pfd.fd = in[1];
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR)
			break;
		w = write(in[1], data + off, len - off);
		if (w > 0)
			off += (size_t)w;
		else if (w < 0 && errno != EAGAIN && errno != EINTR)
			break;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			done = 1;
			break;
		}
	}
	close(in[1]);
	sigaction(SIGPIPE, &old, NULL);
	while (!done) {
		pid_t p = waitpid(pid, &status, WNOHANG);

		if (p == pid)
			break;
		if (p < 0 && errno != EINTR) {
			tk_error("%s: wait: %s", cmd.p, strerror(errno));
			goto out;
		}
		if (ms_since(&t0) >= timeout * 1000) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			tk_error("%s: no answer in %ld s (killed)", cmd.p, timeout);
			goto out;
		}
		poll(NULL, 0, (int)nap);
		nap = nap < 50 ? nap * 2 : 50;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		rc = 0;
	else if (WIFEXITED(status))
		tk_error("%s: exit %d", cmd.p, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		tk_error("%s: killed by signal %d", cmd.p, WTERMSIG(status));
	else
		tk_error("%s: ended oddly (status %d)", cmd.p, status);
out:
	tk_buf_free(&cmd);
	return rc;
}

/* ---- sending ---- */

struct done {
	tk_notify *nf;
	uint64_t seq;
	int ok;
	const char *error;
	tk_buf event;
};

static int
done_txn(tk_txn *t, void *arg)
{
	struct done *d = arg;
	tk_notice nt;
	int rc;

	if ((rc = tk_notice_get(t, d->seq, &nt)) <= 0)
		return rc < 0 ? TK_EXIT_FAIL : 0;	/* dropped meanwhile (--drop) */
	if (d->ok) {
		d->event.len = 0;
		tk_buf_printf(&d->event, "%s n%llu to %s", nt.kind == 'x' ? "exec" : "mail",
		    (unsigned long long)nt.seq, nt.to ? nt.to : "");
		rc = tk_notice_del(t, nt.seq) < 0 || (nt.mark && tk_notice_mark_sent(t, nt.ticket, nt.mark) < 0) ||
		    (nt.ticket && tk_log_append(t, nt.ticket, "notify", (tk_str){ "", 0 },
		    (tk_str){ d->event.p, d->event.len }) < 0);
	} else {
		nt.tries++;
		free(nt.error);
		nt.error = tk_xstrdup(d->error);
		nt.claim_pid = 0;
		nt.claim_time[0] = '\0';
		rc = tk_notice_put(t, &nt) < 0;
	}
	tk_notice_free(&nt);
	return rc ? TK_EXIT_FAIL : 0;
}

int
tk_notify_send(tk_notify *nf, tk_store *st, void (*report)(const tk_notice *, int ok, const char *error, void *),
    void *arg)
{
	struct done d = { nf, 0, 0, NULL, { 0 } };
	tk_notice nt;
	tk_buf msg = { 0 };
	tk_txn t;
	char date[64], err[sizeof tk_errmsg];
	struct tm tm;
	time_t now;
	size_t i;
	int rc, failed = 0;

	for (i = 0; i < nf->nclaimed; i++) {
		if (tk_txn_read(st, &t) < 0)
			return -1;
		rc = tk_notice_get(&t, nf->claimed[i], &nt);
		tk_txn_end(&t);
		if (rc < 0)
			return -1;
		if (rc == 0 || nt.claim_pid != (long)getpid()) {	/* dropped, or taken over */
			if (rc)
				tk_notice_free(&nt);
			continue;
		}
		if (nt.kind == 'm') {
			now = tk_now();
			gmtime_r(&now, &tm);
			strftime(date, sizeof date, "Date: %a, %d %b %Y %H:%M:%S +0000\n", &tm);
			msg.len = 0;
			tk_buf_adds(&msg, date);
			tk_buf_add(&msg, nt.data, nt.len);
			rc = tk_notify_run(nf->sendmail, NULL, 0, msg.p, msg.len, nf->o.timeout);
		} else
			rc = tk_notify_run(nt.argv, nt.env, nt.nenv, nt.data, nt.len, nf->o.timeout);
		d.seq = nt.seq;
		d.ok = rc == 0;
		if (rc) {
			snprintf(err, sizeof err, "%s", tk_errmsg);
			failed++;
		}
		d.error = rc ? err : NULL;
		if (tk_store_write(st, done_txn, &d)) {
			tk_notice_free(&nt);
			tk_buf_free(&msg);
			tk_buf_free(&d.event);
			return -1;
		}
		report(&nt, !rc, d.error, arg);
		tk_notice_free(&nt);
	}
	tk_buf_free(&msg);
	tk_buf_free(&d.event);
	return failed;
}
