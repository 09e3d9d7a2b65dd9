/*
 * reply.c - a reply or note on a ticket with what follows from it (the
 * first response, a requester's reply reopening, @mentions as watchers
 * and mention events):
 * above the ticket model, whose assignments it applies; comment.c, below
 * it, only stores and reads comments.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "tk.h"

/*
 * A character of a mentioned name: a letter, mark or digit of any script
 * (utf8proc's Unicode categories, so @王磊 and @José are names), or . _ -
 * Its length at p, 0 when the name ends there.
 */
static size_t
name_char(const char *p, size_t n)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t len;
	utf8proc_category_t cat;

	if ((unsigned char)*p < 0x80)
		return isalnum((unsigned char)*p) || strchr("._-", *p) ? 1 : 0;
	len = utf8proc_iterate((const utf8proc_uint8_t *)p, (utf8proc_ssize_t)n, &cp);
	if (len <= 0)
		return 0;
	cat = utf8proc_category(cp);
	switch (cat) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ND:
		return (size_t)len;
	default:
		return 0;
	}
}

/* The longest known agent name at text (len bytes): an agent's login,
 * name or address, ASCII letters compared without case; a Latin name
 * must end where a word does ("@bobby" is not bob), a Chinese one need
 * not (请@王五处理 is 王五). */
struct mention {
	const char *text;
	size_t len, best;
	char login[65];
	int agents;
};

static int
mention_try(tk_txn *t, tk_agent *a, void *arg)
{
	struct mention *m = arg;
	const char *cand[3] = { a->v[TK_A_LOGIN], a->v[TK_A_NAME], a->v[TK_A_EMAIL] };
	size_t i, n;

	(void)t;
	m->agents++;
	for (i = 0; i < 3; i++) {
		n = cand[i] ? strlen(cand[i]) : 0;
		if (!n || n > m->len || n <= m->best || strncasecmp(m->text, cand[i], n))
			continue;
		if (n < m->len && (unsigned char)cand[i][n - 1] < 0x80 &&
		    (isalnum((unsigned char)m->text[n]) || m->text[n] == '_'))
			continue;
		if (strlen(a->v[TK_A_LOGIN]) >= sizeof m->login)
			continue;
		m->best = n;
		strcpy(m->login, a->v[TK_A_LOGIN]);
	}
	return 0;
}

/*
 * What the '@' at body[at] mentions: the name in name (size bytes with
 * its NUL) and its length, or 0 when it is no mention. The one place that
 * decides what a mention names (DESIGN.md 10).
 *
 * An '@' right after an ASCII letter, digit or . _ - + is inside an
 * address (bob@example.com), not a mention; after a Chinese character it
 * is one (请@王五 处理). Once the store has agents, a mention is the
 * longest known agent login, name or address after '@', and names that
 * agent's login; one that matches none is warned about and names nobody.
 * With no agents: the letters after '@' up to the next space or
 * punctuation.
 */
size_t
tk_mention_name(tk_txn *t, const char *body, size_t len, size_t at, char *name, size_t size)
{
	struct mention m;
	size_t j, k;

	if (body[at] != '@' || (at && (isalnum((unsigned char)body[at - 1]) || strchr("._-+", body[at - 1]))))
		return 0;
	for (j = at + 1; j < len && (k = name_char(body + j, len - j)) > 0; j += k)
		;
	while (j > at + 1 && strchr("._-", body[j - 1]))	/* "@bob." ends a sentence */
		j--;
	if (j == at + 1 || j - at - 1 >= size)
		return 0;
	memset(&m, 0, sizeof m);
	m.text = body + at + 1;
	m.len = len - at - 1 < 256 ? len - at - 1 : 256;
	if (t && tk_agent_each(t, mention_try, &m) == 0 && m.agents) {
		if (!m.best) {
			tk_warn("@%.*s: no agent of that name; nobody added (tk-agent ls)", (int)(j - at - 1), body + at + 1);
			return 0;
		}
		if (strlen(m.login) >= size)
			return 0;
		strcpy(name, m.login);
		return strlen(name);
	}
	memcpy(name, body + at + 1, j - at - 1);
	name[j - at - 1] = '\0';
	return j - at - 1;
}

/*
 * The people a body mentions, each once, in the order first mentioned,
 * NUL after each, in names; each is added to the watchers (as).
 */
static void
mentions(tk_txn *t, tk_assignments *as, const char *body, size_t len, tk_buf *names)
{
	size_t i, n, off;
	char name[65];

	for (i = 0; i < len; i++) {
		if (body[i] != '@' || !(n = tk_mention_name(t, body, len, i, name, sizeof name)))
			continue;
		for (off = 0; off < names->len; off += strlen(names->p + off) + 1)
			if (!strcmp(names->p + off, name))
				break;
		if (off < names->len)
			continue;
		tk_buf_add(names, name, n + 1);
		tk_assign_op(as, TK_F_WATCHERS, name, '+');
	}
}

static int
same_ci(tk_str a, tk_str b)
{
	return a.n == b.n && strncasecmp(a.p, b.p, a.n) == 0;
}

/* The workflow lets tk's status become to (a reply's move is left out
 * where the ticket's flow does not allow it). */
static int
may_become(const tk_ticket *tk, const char *to)
{
	tk_ticket moved = *tk;	/* (a shallow copy, only read) */

	moved.f[TK_F_STATUS] = TK_STR(to);
	return tk_workflow_transition(tk->f[TK_F_STATUS], &moved) == 0;
}

int
tk_comment_post(tk_txn *t, tk_ticket *tk, const char *author, int internal, const char *body, size_t len)
{
	tk_assignments as = { 0 };
	tk_buf names = { 0 };
	char iso[21];
	tk_str name, addr;
	int from_requester, rc, cls;
	size_t off;

	if (tk_blank(body, len))
		return tk_error(len ? "blank comment: nothing but white space" : "empty comment");
	if (tk_text_check("comment", body, len) < 0)
		return -1;
	if (!tk_address_split(author, strlen(author), &name, &addr))
		addr = TK_STR(author);
	/* any of the contact's addresses is the requester (DESIGN.md 2) */
	from_requester = tk->f[TK_F_REQUESTER].n && same_ci(tk->f[TK_F_REQUESTER], addr);
	if (!from_requester && tk->f[TK_F_CONTACT].n && (from_requester = tk_contact_is_requester(t, tk, addr.p, addr.n)) < 0)
		return -1;
	if (tk_comment_add(t, tk->id, author, internal, body, len) < 0)
		return -1;
	memcpy(iso, t->now_iso, sizeof iso);
	/* By class (DESIGN.md 1): the requester's reply reopens a paused or
	 * resolved ticket, an agent's first reply opens a new one; to the
	 * first open status after a new ticket's (open, in tk's default
	 * workflow). */
	cls = tk_status_class(tk->f[TK_F_STATUS]);
	if (from_requester) {
		if ((cls == TK_CLASS_PAUSED || cls == TK_CLASS_RESOLVED) && may_become(tk, tk_status_reopen()))
			tk_assign_add(&as, "status", tk_status_reopen());
	} else if (!internal) {
		if (!tk->f[TK_F_FIRST_RESPONSE].n)
			tk_assign_add(&as, "first_response", iso);
		if (tk_str_eq(tk->f[TK_F_STATUS], tk_status_initial()) && may_become(tk, tk_status_reopen()))
			tk_assign_add(&as, "status", tk_status_reopen());
	}
	mentions(t, &as, body, len, &names);
	/* The SLA's update clock starts at a requester's reply and stops at
	 * an agent's (sla.c, through the model's hook). */
	rc = tk_ticket_apply(t, tk, &as, internal ? 0 : from_requester ? TK_APPLY_REQUESTER_REPLY :
	    TK_APPLY_AGENT_REPLY);
	/* A mention event each, for a notifier or a tk-log -f reader to act on. */
	for (off = 0; rc >= 0 && off < names.len; off += strlen(names.p + off) + 1)
		if (tk_log_append(t, tk->id, "mention", (tk_str){ "", 0 }, TK_STR(names.p + off)) < 0)
			rc = -1;
	tk_assignments_free(&as);
	tk_buf_free(&names);
	return rc < 0 ? -1 : 0;
}
