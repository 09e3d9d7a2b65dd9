/*
 * reply.c - a reply or note on a ticket with what follows from it (the
 * first response, a requester's reply reopening, @mentions as watchers):
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

/*
 * Adds "@name" mentions in a body as watchers: the letters after '@' up
 * to the next space or punctuation (DESIGN.md 10, a store with no agents).
 * An '@' right after an ASCII letter, digit or . _ - + is inside an
 * address (bob@example.com), not a mention; after a Chinese character it
 * is one (请@王五 处理).
 */
static void
mentions(tk_assignments *as, const char *body, size_t len)
{
	size_t i, j, k;
	char name[65];

	for (i = 0; i < len; i++) {
		if (body[i] != '@' || (i && (isalnum((unsigned char)body[i - 1]) || strchr("._-+", body[i - 1]))))
			continue;
		for (j = i + 1; j < len && (k = name_char(body + j, len - j)) > 0; j += k)
			;
		while (j > i + 1 && strchr("._-", body[j - 1]))	/* "@bob." ends a sentence */
			j--;
		if (j == i + 1 || j - i - 1 > 64)
			continue;
		memcpy(name, body + i + 1, j - i - 1);
		name[j - i - 1] = '\0';
		tk_assign_op(as, TK_F_WATCHERS, name, '+');
	}
}

static int
same_ci(tk_str a, tk_str b)
{
	return a.n == b.n && strncasecmp(a.p, b.p, a.n) == 0;
}

int
tk_comment_post(tk_txn *t, tk_ticket *tk, const char *author, int internal, const char *body, size_t len)
{
	tk_assignments as = { 0 };
	char iso[21];
	tk_str name, addr;
	int from_requester, rc;

	if (tk_blank(body, len))
		return tk_error(len ? "blank comment: nothing but white space" : "empty comment");
	if (tk_text_check("comment", body, len) < 0)
		return -1;
	if (!tk_address_split(author, strlen(author), &name, &addr))
		addr = TK_STR(author);
	from_requester = tk->f[TK_F_REQUESTER].n && same_ci(tk->f[TK_F_REQUESTER], addr);
	if (tk_comment_add(t, tk->id, author, internal, body, len) < 0)
		return -1;
	memcpy(iso, t->now_iso, sizeof iso);
	if (from_requester) {
		if (tk_str_eq(tk->f[TK_F_STATUS], "pending") || tk_str_eq(tk->f[TK_F_STATUS], "resolved"))
			tk_assign_add(&as, "status", "open");
	} else if (!internal) {
		if (!tk->f[TK_F_FIRST_RESPONSE].n)
			tk_assign_add(&as, "first_response", iso);
		if (tk_str_eq(tk->f[TK_F_STATUS], "new"))
			tk_assign_add(&as, "status", "open");
	}
	mentions(&as, body, len);
	/* The SLA's update clock starts at a requester's reply and stops at
	 * an agent's (sla.c, through the model's hook). */
	rc = tk_ticket_apply(t, tk, &as, internal ? 0 : from_requester ? TK_APPLY_REQUESTER_REPLY :
	    TK_APPLY_AGENT_REPLY);
	tk_assignments_free(&as);
	return rc < 0 ? -1 : 0;
}
