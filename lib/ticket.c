/*
 * ticket.c - the ticket model, its encoding, and the assignment language.
 *
 * A ticket is stored as a sequence of fields: one byte naming a stored
 * field (its enum tk_field number), a LEB128 length, the bytes. A custom
 * field is the byte 0xff, then the name and the value, each with a LEB128
 * length. Empty fields are not stored. The body lives in its own
 * sub-database so scans over tickets read only the short fields.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tk.h"

#define CUSTOM_TAG 0xff

const tk_field_info tk_fields[TK_F_NFIELDS] = {
	[TK_F_ID] = { "id", TK_K_INT, -1, 1 },
	[TK_F_CREATED] = { "created", TK_K_TIME, TK_DB_IX_CREATED, 0 },
	[TK_F_UPDATED] = { "updated", TK_K_TIME, TK_DB_IX_UPDATED, 1 },
	[TK_F_STATUS] = { "status", TK_K_ENUM, TK_DB_IX_STATUS, 0 },
	[TK_F_PRIORITY] = { "priority", TK_K_ENUM, TK_DB_IX_PRIORITY, 0 },
	[TK_F_TYPE] = { "type", TK_K_TEXT, -1, 0 },
	[TK_F_CATEGORY] = { "category", TK_K_TEXT, -1, 0 },
	[TK_F_QUEUE] = { "queue", TK_K_TEXT, TK_DB_IX_QUEUE, 0 },
	[TK_F_ASSIGNEE] = { "assignee", TK_K_TEXT, TK_DB_IX_ASSIGNEE, 0 },
	[TK_F_REQUESTER] = { "requester", TK_K_TEXT, TK_DB_IX_REQUESTER, 0 },
	[TK_F_SUBJECT] = { "subject", TK_K_TEXT, -1, 0 },
	[TK_F_CHANNEL] = { "channel", TK_K_ENUM, -1, 0 },
	[TK_F_TAGS] = { "tags", TK_K_SET, -1, 0 },
	[TK_F_WATCHERS] = { "watchers", TK_K_SET, -1, 0 },
	[TK_F_DUE] = { "due", TK_K_TIME, -1, 0 },
	[TK_F_ESCALATION] = { "escalation", TK_K_INT, -1, 0 },
	[TK_F_FIRST_RESPONSE] = { "first_response", TK_K_TIME, -1, 0 },
	[TK_F_RESOLVED] = { "resolved", TK_K_TIME, -1, 0 },
	[TK_F_CLOSED] = { "closed", TK_K_TIME, -1, 0 },
	[TK_F_REOPENS] = { "reopens", TK_K_INT, -1, 0 },
	[TK_F_CSAT] = { "csat", TK_K_INT, -1, 0 },
	[TK_F_PARENT] = { "parent", TK_K_INT, -1, 0 },
	[TK_F_EXTERNAL_ID] = { "external_id", TK_K_TEXT, TK_DB_IX_EXTERNAL, 0 },
	[TK_F_REQUESTER_NAME] = { "requester_name", TK_K_TEXT, -1, 0 },
	[TK_F_NPS] = { "nps", TK_K_INT, -1, 0 },
	/* tk-link sets these, both tickets of a link at once (link.c) */
	[TK_F_MERGED_INTO] = { "merged_into", TK_K_INT, -1, 1 },
	[TK_F_DUPLICATE_OF] = { "duplicate_of", TK_K_INT, -1, 1 },
	[TK_F_RELATED] = { "related", TK_K_SET, -1, 1 },
	/* the customer directory's (contact.c): they follow the contact */
	[TK_F_CONTACT] = { "contact", TK_K_TEXT, TK_DB_IX_CONTACT, 1 },
	[TK_F_ORG] = { "org", TK_K_TEXT, TK_DB_IX_ORG, 1 },
	[TK_F_TIER] = { "tier", TK_K_TEXT, TK_DB_IX_TIER, 1 },
	/* the SLA's deadlines, set by its hook (sla.c) */
	[TK_F_DUE_RESPONSE] = { "due_response", TK_K_TIME, -1, 1 },
	[TK_F_DUE_UPDATE] = { "due_update", TK_K_TIME, -1, 1 },
	[TK_F_DUE_RESOLUTION] = { "due_resolution", TK_K_TIME, -1, 1 },
	[TK_F_SLA_DUE] = { "sla_due", TK_K_TIME, TK_DB_IX_SLA_DUE, 1 },
	[TK_F_BODY] = { "body", TK_K_TEXT, -1, 0 },
	[TK_F_AGE] = { "age", TK_K_DURATION, -1, 1 },
	[TK_F_FRT] = { "frt", TK_K_DURATION, -1, 1 },
	[TK_F_COMMENTS] = { "comments", TK_K_INT, -1, 1 },
	[TK_F_SCRIPT] = { "script", TK_K_ENUM, -1, 1 },
};

static tk_custom *custom_slot(tk_ticket *tk, const char *name, size_t n, int create);

int (*tk_requester_hook)(tk_txn *t, tk_ticket *tk, int creating);
int (*tk_summary_hook)(tk_txn *t, const tk_str *old, const tk_ticket *tk);

/* contact, org and tier: kept by the customer directory, never assigned. */
static int
follows_contact(int f)
{
	return f == TK_F_CONTACT || f == TK_F_ORG || f == TK_F_TIER;
}

const tk_ticket_hooks *tk_hooks;
tk_ticket_hook_fn tk_ticket_hook;

/* The words of channel, written once: the list checked and the text
 * messages show are both made from them. (Statuses are the store's,
 * status.c.) */
#define CHANNELS(X) X(email) X(web) X(phone) X(chat) X(api) X(import)
#define SCRIPTS(X) X(han) X(latin) X(mixed)
#define AS_WORD(w) #w,
#define AS_TEXT(w) ", " #w

static const char *const channels[] = { CHANNELS(AS_WORD) NULL };
static const char *const scripts[] = { SCRIPTS(AS_WORD) NULL };
static const char channel_text[] = CHANNELS(AS_TEXT);
static const char script_text[] = SCRIPTS(AS_TEXT);

/*
 * The words an enum field may hold, for messages; NULL for a field whose
 * values are not a fixed list (priority is P1..P4, checked on its own).
 */
const char *
tk_enum_words(int field)
{
	return field == TK_F_STATUS ? tk_status_words() : field == TK_F_CHANNEL ? channel_text + 2 :
	    field == TK_F_SCRIPT ? script_text + 2 : NULL;
}

/* 1 when v is one of the store's statuses or a channel, else 0. */
int
tk_enum_ok(int field, const char *v, size_t n)
{
	const char *const *w = field == TK_F_CHANNEL ? channels : field == TK_F_SCRIPT ? scripts : NULL;

	if (field == TK_F_STATUS)
		return tk_status_known((tk_str){ v, n });
	for (; w && *w; w++)
		if (strlen(*w) == n && !memcmp(*w, v, n))
			return 1;
	return 0;
}

int
tk_field_lookup(const char *name)
{
	return tk_field_lookup_n(name, strlen(name));
}

int
tk_field_lookup_n(const char *name, size_t n)
{
	int i;

	/* Field names are case-insensitive: "Status" is status. (The first
	 * letter, folded, rules out most at once.) */
	for (i = 0; i < TK_F_NFIELDS; i++)
		if (n && ((tk_fields[i].name[0] ^ name[0]) & ~0x20) == 0 &&
		    !strncasecmp(tk_fields[i].name, name, n) && !tk_fields[i].name[n])
			return i;
	/* The singular names of set fields (DESIGN.md 5): +watcher=carol. */
	if (n == 7 && !strncasecmp(name, "watcher", 7))
		return TK_F_WATCHERS;
	if (n == 3 && !strncasecmp(name, "tag", 3))
		return TK_F_TAGS;
	return TK_F_CUSTOM;
}

int
tk_field_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 64 || !isalpha((unsigned char)name[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_-.", name[i]))
			return 0;
	return 1;
}

void
tk_field_name_lower(char *name)
{
	for (; *name; name++)
		if (*name >= 'A' && *name <= 'Z')
			*name = (char)(*name - 'A' + 'a');
}

void
tk_ticket_init(tk_ticket *tk)
{
	memset(tk, 0, sizeof *tk);
}

/* A ticket's own memory: chunks it fills and frees at once, so that making
 * a ticket costs a few mallocs rather than one a value. */
struct tk_chunk {
	struct tk_chunk *next;
	size_t size, used;
	char data[];
};

void
tk_ticket_free(tk_ticket *tk)
{
	struct tk_chunk *c, *next;

	for (c = tk->arena; c; c = next) {
		next = c->next;
		free(c);
	}
	free(tk->custom);
	memset(tk, 0, sizeof *tk);
}

tk_str
tk_ticket_own(tk_ticket *tk, const char *p, size_t n)
{
	struct tk_chunk *c = tk->arena;
	char *s;

	if (!c || c->size - c->used < n + 1) {
		size_t size = n + 1 > 960 ? n + 1 : 960;	/* small enough for malloc's fast path */

		c = tk_xmalloc(sizeof *c + size);
		c->size = size;
		c->used = 0;
		c->next = tk->arena;
		tk->arena = c;
	}
	s = c->data + c->used;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	c->used += n + 1;
	return (tk_str){ s, n };
}


static void
put_varint(tk_buf *b, size_t v)
{
	unsigned char c;

	do {
		c = v & 0x7f;
		v >>= 7;
		if (v)
			c |= 0x80;
		tk_buf_addc(b, (char)c);
	} while (v);
}

static int
get_varint(const unsigned char **p, const unsigned char *end, size_t *out)
{
	size_t v = 0;
	int shift = 0;

	while (*p < end && shift < 63) {
		unsigned char c = *(*p)++;

		v |= (size_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

void
tk_ticket_encode(const tk_ticket *tk, tk_buf *out)
{
	out->len = 0;
	tk_ticket_encode_append(tk, out);
}

void
tk_ticket_encode_append(const tk_ticket *tk, tk_buf *out)
{
	size_t i;

	for (i = 1; i < TK_F_NSTORED; i++) {
		if (!tk->f[i].n)
			continue;
		tk_buf_addc(out, (char)i);
		put_varint(out, tk->f[i].n);
		tk_buf_add(out, tk->f[i].p, tk->f[i].n);
	}
	for (i = 0; i < tk->ncustom; i++) {
		if (!tk->custom[i].value.n)
			continue;
		tk_buf_addc(out, (char)CUSTOM_TAG);
		put_varint(out, tk->custom[i].name.n);
		tk_buf_add(out, tk->custom[i].name.p, tk->custom[i].name.n);
		put_varint(out, tk->custom[i].value.n);
		tk_buf_add(out, tk->custom[i].value.p, tk->custom[i].value.n);
	}
}

tk_custom *
tk_ticket_custom_slot(tk_ticket *tk, const char *name, size_t n)
{
	return custom_slot(tk, name, n, 1);
}

static tk_custom *
custom_slot(tk_ticket *tk, const char *name, size_t n, int create)
{
	size_t i;

	for (i = 0; i < tk->ncustom; i++)
		if (tk->custom[i].name.n == n && !memcmp(tk->custom[i].name.p, name, n))
			return &tk->custom[i];
	if (!create)
		return NULL;
	if (tk->ncustom == tk->customcap) {
		tk->customcap = tk->customcap ? 2 * tk->customcap : 4;
		tk->custom = tk_xrealloc(tk->custom, tk->customcap * sizeof *tk->custom);
	}
	tk->custom[tk->ncustom].name = (tk_str){ name, n };
	tk->custom[tk->ncustom].value = (tk_str){ "", 0 };
	return &tk->custom[tk->ncustom++];
}

int
tk_ticket_decode(tk_ticket *tk, const void *data, size_t n)
{
	return tk_ticket_decode_upto(tk, data, n, 0xff);
}

/*
 * Fields are stored in the order of their numbers, custom ones last, so a
 * scan that filters on a few fields stops reading a record past the last of
 * them; fields after maxtag are left empty.
 */
int
tk_ticket_decode_upto(tk_ticket *tk, const void *data, size_t n, unsigned maxtag)
{
	const unsigned char *p = data, *end = p + n;
	size_t len, nlen;
	unsigned tag;
	tk_custom *c;

	memset(tk->f, 0, sizeof tk->f);
	tk->ncustom = 0;
	tk->body_loaded = 0;
	tk->body = (tk_str){ "", 0 };
	tk->rec = (tk_str){ data, n };
	while (p < end) {
		tag = *p++;
		if (tag > maxtag)
			break;
		if (tag == CUSTOM_TAG) {
			if (get_varint(&p, end, &nlen) || nlen > (size_t)(end - p))
				return tk_error("ticket %llu: corrupt record", (unsigned long long)tk->id);
			c = custom_slot(tk, (const char *)p, nlen, 1);
			p += nlen;
			if (get_varint(&p, end, &len) || len > (size_t)(end - p))
				return tk_error("ticket %llu: corrupt record", (unsigned long long)tk->id);
			c->value = (tk_str){ (const char *)p, len };
			p += len;
			continue;
		}
		if (tag == 0 || tag >= TK_F_NSTORED || get_varint(&p, end, &len) ||
		    len > (size_t)(end - p))
			return tk_error("ticket %llu: corrupt record", (unsigned long long)tk->id);
		tk->f[tag] = (tk_str){ (const char *)p, len };
		p += len;
	}
	return 0;
}

int
tk_ticket_get(tk_txn *t, uint64_t id, tk_ticket *tk, int copy)
{
	MDB_val v;
	int rc;

	if ((rc = tk_get_id(t, TK_DB_TICKETS, id, &v)) <= 0)
		return rc;
	tk->id = id;
	if (copy) {
		tk_str s = tk_ticket_own(tk, v.mv_data, v.mv_size);

		v.mv_data = (void *)s.p;
	}
	if (tk_ticket_decode(tk, v.mv_data, v.mv_size) < 0)
		return -1;
	return 1;
}

int
tk_ticket_body(tk_txn *t, tk_ticket *tk)
{
	MDB_val v;
	int rc;

	if (tk->body_loaded)
		return 0;
	if ((rc = tk_get_id(t, TK_DB_BODIES, tk->id, &v)) < 0)
		return -1;
	if (rc == 0)
		tk->body = (tk_str){ "", 0 };
	else
		tk->body = t->write ? tk_ticket_own(tk, v.mv_data, v.mv_size) :
		    (tk_str){ v.mv_data, v.mv_size };
	tk->body_loaded = 1;
	return 0;
}

tk_str
tk_ticket_custom(const tk_ticket *tk, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < tk->ncustom; i++)
		if (tk->custom[i].name.n == n && !memcmp(tk->custom[i].name.p, name, n))
			return tk->custom[i].value;
	return (tk_str){ "", 0 };
}

tk_str
tk_ticket_value(tk_txn *t, tk_ticket *tk, int field, const char *cname, char *scratch, size_t len)
{
	time_t a, b;
	int n;

	switch (field) {
	case TK_F_CUSTOM:
		return tk_ticket_custom(tk, cname);
	case TK_F_ID:
		n = (int)tk_u64_dec(scratch, len, tk->id);
		return (tk_str){ scratch, (size_t)n };
	case TK_F_BODY:
		if (tk_ticket_body(t, tk) < 0)
			return (tk_str){ "", 0 };
		return tk->body;
	case TK_F_AGE:
		if (tk_iso_parse(tk->f[TK_F_CREATED].p, tk->f[TK_F_CREATED].n, &a) < 0)
			return (tk_str){ "", 0 };
		n = snprintf(scratch, len, "%lld", (long long)(t->now - a));
		return (tk_str){ scratch, (size_t)n };
	case TK_F_FRT:
		if (tk_iso_parse(tk->f[TK_F_CREATED].p, tk->f[TK_F_CREATED].n, &a) < 0 ||
		    tk_iso_parse(tk->f[TK_F_FIRST_RESPONSE].p, tk->f[TK_F_FIRST_RESPONSE].n, &b) < 0)
			return (tk_str){ "", 0 };
		n = snprintf(scratch, len, "%lld", (long long)(b - a));
		return (tk_str){ scratch, (size_t)n };
	case TK_F_COMMENTS:
		n = snprintf(scratch, len, "%d", tk_comment_count(t, tk->id));
		return (tk_str){ scratch, (size_t)n };
	case TK_F_SCRIPT:
		if (tk_ticket_body(t, tk) < 0)
			tk->body = (tk_str){ "", 0 };
		return TK_STR(tk_script(tk->f[TK_F_SUBJECT].p, tk->f[TK_F_SUBJECT].n, tk->body.p, tk->body.n));
	default:
		if (field >= 0 && field < TK_F_NSTORED)
			return tk->f[field];
		return (tk_str){ "", 0 };
	}
}

/* Escalation and reopens are counts: a ticket never escalated or reopened
 * is at 0, so that escalation=0 and reopens<1 find it and a sort puts it
 * first. Output still leaves them empty. */
tk_str
tk_ticket_compared(tk_txn *t, tk_ticket *tk, int field, const char *cname, char *scratch, size_t len)
{
	tk_str v = tk_ticket_value(t, tk, field, cname, scratch, len);

	return !v.n && (field == TK_F_ESCALATION || field == TK_F_REOPENS) ? TK_STR("0") : v;
}

/* ---- the assignment language ---- */

int
tk_is_assignment(const char *arg)
{
	const char *eq;

	if ((arg[0] == '+' || arg[0] == '-') && arg[1] && !strchr(arg, '='))
		return arg[0] == '+' || !isdigit((unsigned char)arg[1]);
	eq = strchr(arg, '=');
	return eq && eq > arg && !strchr("!~<>", eq[-1]);
}

static void
push(tk_assignments *as, int field, const char *name, const char *value, char op)
{
	if (as->n == as->cap) {
		as->cap = as->cap ? 2 * as->cap : 8;
		as->a = tk_xrealloc(as->a, as->cap * sizeof *as->a);
	}
	as->a[as->n].field = field;
	as->a[as->n].name = tk_xstrdup(name);
	as->a[as->n].value = tk_xstrdup(value);
	as->a[as->n].op = op;
	as->a[as->n].borrowed = 0;
	as->n++;
}

void
tk_assign_borrow(tk_assignments *as, int field, const char *name, const char *value)
{
	if (as->n == as->cap) {
		as->cap = as->cap ? 2 * as->cap : 16;
		as->a = tk_xrealloc(as->a, as->cap * sizeof *as->a);
	}
	as->a[as->n].field = field;
	as->a[as->n].name = (char *)name;
	as->a[as->n].value = (char *)value;
	as->a[as->n].op = '=';
	as->a[as->n].borrowed = 1;
	as->n++;
}

void
tk_assign_borrow_op(tk_assignments *as, int field, const char *value, char op)
{
	tk_assign_borrow(as, field, tk_fields[field].name, value);
	as->a[as->n - 1].op = op;
}

static int assign_one(tk_ticket *tk, const tk_assign *a, int flags);

void
tk_assign_op(tk_assignments *as, int field, const char *value, char op)
{
	push(as, field, tk_fields[field].name, value, op);
}

int
tk_assign_add(tk_assignments *as, const char *name, const char *value)
{
	int f = tk_field_lookup(name);

	if (f == TK_F_CUSTOM && !tk_field_name_ok(name))
		return tk_error("%s: not a field name (a letter, then letters, digits, _ - .)", name);
	if (f != TK_F_CUSTOM && follows_contact(f))
		return tk_error("%s: follows the requester's contact (tk-contact set changes it)", name);
	if (f != TK_F_CUSTOM && tk_fields[f].readonly)
		return tk_error(f >= TK_F_MERGED_INTO && f <= TK_F_RELATED ?
		    "%s: set by tk-link (tk-link 42 relates 57, --merge), cannot be assigned" :
		    "%s: set by tk, cannot be assigned", name);
	if (tk_text_check(name, value, strlen(value)) < 0)
		return -1;
	push(as, f, f == TK_F_CUSTOM ? name : tk_fields[f].name, value, '=');
	if (f == TK_F_CUSTOM)
		tk_field_name_lower(as->a[as->n - 1].name);
	/* A value that no ticket could take is refused now, as a usage error.
	 * (What the store's configuration says of it is asked once the store
	 * is open: tk_assignments_check.) */
	if (f != TK_F_CUSTOM && f != TK_F_BODY) {
		tk_ticket scratch;
		int rc;

		tk_ticket_init(&scratch);
		rc = assign_one(&scratch, &as->a[as->n - 1], TK_APPLY_CREATE | TK_APPLY_SYNTAX);
		tk_ticket_free(&scratch);
		if (rc < 0) {
			as->n--;
			free(as->a[as->n].name);
			free(as->a[as->n].value);
			return -1;
		}
	}
	return 0;
}

/*
 * "+field=value", "-field=value": one item added to or taken from a set
 * field (watchers, tags; watcher and tag name them too). So a tag never
 * holds '=' (DESIGN.md 5).
 */
static int
set_item(tk_assignments *as, const char *arg, const char *eq)
{
	char *name = tk_xstrndup(arg + 1, (size_t)(eq - arg - 1));
	int f = tk_field_lookup(name);

	free(name);
	if (eq == arg + 1)
		return tk_error("%s: not an assignment (%cfield=value, %ctag)", arg, arg[0], arg[0]);
	if (f == TK_F_CUSTOM || tk_fields[f].kind != TK_K_SET || tk_fields[f].readonly)
		return tk_error("%s: %c adds to and takes from the set fields watchers and tags "
		    "(%.*s=value sets a field; a tag cannot hold =)", arg, arg[0], (int)(eq - arg - 1), arg + 1);
	if (!eq[1] || strpbrk(eq + 1, ", \t\n="))
		return tk_error("%s: one item, without commas, spaces or =", arg);
	push(as, f, tk_fields[f].name, eq + 1, arg[0]);
	return 0;
}

int
tk_assign_parse(tk_assignments *as, const char *arg)
{
	const char *eq;
	char *name;
	int rc;

	if (arg[0] == '+' || arg[0] == '-') {
		if (tk_text_check(arg, arg, strlen(arg)) < 0)
			return -1;
		if ((eq = strchr(arg, '=')))
			return set_item(as, arg, eq);
		if (!arg[1] || strpbrk(arg + 1, ", \t\n"))
			return tk_error("%s: a tag is one word without commas or spaces", arg);
		push(as, TK_F_TAGS, "tags", arg + 1, arg[0]);
		return 0;
	}
	eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return tk_error("%s: not an assignment (field=value, +tag, -tag)", arg);
	name = tk_xstrndup(arg, (size_t)(eq - arg));
	rc = tk_assign_add(as, name, eq + 1);
	free(name);
	return rc;
}

void
tk_assignments_free(tk_assignments *as)
{
	size_t i;

	for (i = 0; i < as->n; i++) {
		if (as->a[i].borrowed)
			continue;
		free(as->a[i].name);
		free(as->a[i].value);
	}
	free(as->a);
	memset(as, 0, sizeof *as);
}

/* ---- validation ---- */

/*
 * The default workflow: new -> open -> pending -> resolved -> closed, by
 * class (status.c), so that a workflow file's statuses follow the same
 * rules when it lists no transitions. An open or paused status may go to
 * any other but the first (a new ticket's); a resolved one may be reopened
 * (to an open status but the first) or closed; closed is final.
 */
int
tk_status_transition_ok(tk_str from, const char *to)
{
	tk_str t = TK_STR(to);
	int fc, tc;

	if (!from.n || tk_str_same(from, t))
		return 1;
	fc = tk_status_class(from);
	tc = tk_status_class(t);
	if (fc == TK_CLASS_CLOSED)
		return 0;
	if (!strcmp(to, tk_status_initial()))
		return 0;
	if (fc == TK_CLASS_RESOLVED)
		return tc == TK_CLASS_OPEN || tc == TK_CLASS_CLOSED;
	return 1;
}

int
tk_status_transition_check(tk_str from, const char *to)
{
	const tk_status_def *d;
	tk_buf b = { 0 };
	size_t i;

	if (tk_status_transition_ok(from, to))
		return 0;
	for (i = 0; (d = tk_status_at(i)); i++)
		if (!d->dropped && !tk_str_eq(from, d->name) && tk_status_transition_ok(from, d->name))
			tk_buf_printf(&b, "%s%s", b.len ? ", " : "", d->name);
	if (b.len)
		tk_error("status %.*s -> %s is not allowed (from %.*s: %s)", (int)from.n, from.p, to,
		    (int)from.n, from.p, b.p);
	else
		tk_error("status %.*s -> %s is not allowed (%.*s is final)", (int)from.n, from.p, to,
		    (int)from.n, from.p);
	tk_buf_free(&b);
	return -1;
}

static int
parse_int(const char *s, long long *v)
{
	char *end;

	if (!*s)
		return -1;
	*v = strtoll(s, &end, 10);
	return *end || *v < 0 || *v > 999999999 ? -1 : 0;
}

/* Split a set value on commas or spaces, add or remove items, and sort. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static tk_str
set_apply(tk_ticket *tk, tk_str cur, const char *value, char op)
{
	char **items = NULL, *copy, *tok, *save;
	size_t n = 0, cap = 0, i, j;
	tk_buf b = { 0 };
	tk_str out;

	copy = tk_xstrndup(cur.p, cur.n);
	if (op == '=') {
		free(copy);
		copy = tk_xstrdup(value);
	}
	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			items = tk_xrealloc(items, cap * sizeof *items);
		}
		items[n++] = tok;
	}
	if (op == '+') {
		if (n == cap)
			items = tk_xrealloc(items, (cap = cap + 1) * sizeof *items);
		items[n++] = (char *)value;
	}
	if (n)
		qsort(items, n, sizeof *items, cmp_str);
	for (i = 0, j = 0; i < n; i++) {
		if (op == '-' && !strcmp(items[i], value))
			continue;
		if (j && !strcmp(items[j - 1], items[i]))
			continue;
		items[j++] = items[i];
	}
	for (i = 0; i < j; i++) {
		if (i)
			tk_buf_addc(&b, ',');
		tk_buf_adds(&b, items[i]);
	}
	out = b.len ? tk_ticket_own(tk, b.p, b.len) : (tk_str){ "", 0 };
	tk_buf_free(&b);
	free(items);
	free(copy);
	return out;
}

/* Check and normalise one assigned value into the ticket. */
static int
assign_one(tk_ticket *tk, const tk_assign *a, int flags)
{
	int creating = flags & TK_APPLY_CREATE;
	const char *v = a->value;
	char iso[21], num[32];
	long long n, cur;
	time_t when;
	tk_custom *c;
	int f = a->field;

	if (f == TK_F_CUSTOM) {
		tk_str name = tk_ticket_own(tk, a->name, strlen(a->name)), out = TK_STR(v);
		char buf[TK_VALUE_BUF];

		/* The type the fields file declares: checked, and kept as it
		 * keeps it (an enum's alias as its value). */
		if (*v && !(flags & (TK_APPLY_SYNTAX | TK_APPLY_UPGRADE)) && tk_hooks && tk_hooks->value &&
		    tk_hooks->value(TK_F_CUSTOM, a->name, v, buf, &out) < 0)
			return -1;
		c = custom_slot(tk, name.p, name.n, 1);
		c->value = tk_ticket_own(tk, out.p, out.n);
		return 0;
	}
	if (f == TK_F_TYPE && *v && !(flags & (TK_APPLY_SYNTAX | TK_APPLY_UPGRADE)) && tk_hooks && tk_hooks->value) {
		char buf[TK_VALUE_BUF];
		tk_str out;

		if (tk_hooks->value(TK_F_TYPE, a->name, v, buf, &out) < 0)
			return -1;
		tk->f[f] = tk_ticket_own(tk, out.p, out.n);
		return 0;
	}
	if (tk_fields[f].readonly && !(f == TK_F_UPDATED && (flags & TK_APPLY_IMPORT)) &&
	    !((flags & TK_APPLY_LINK) && f >= TK_F_MERGED_INTO && f <= TK_F_RELATED) &&
	    !(follows_contact(f) && (flags & TK_APPLY_TK)))
		return tk_error("%s: set by tk, cannot be assigned", a->name);
	if (f == TK_F_BODY) {
		tk->body = tk_ticket_own(tk, v, strlen(v));
		tk->body_loaded = 2;
		return 0;
	}
	/* A ticket always has a subject a person can read. */
	if (f == TK_F_SUBJECT && tk_blank(v, strlen(v)))
		return tk_error("subject=%s: a subject cannot be %s", v, *v ? "blank" : "empty");
	if (f == TK_F_REQUESTER && *v) {
		tk_str name, addr;

		/* "Wang Li <Wang.Li@Initech.io>": the address, lowercased, and
		 * the name beside it (DESIGN.md 2). */
		if (tk_address_split(v, strlen(v), &name, &addr)) {
			tk->f[f] = tk_ticket_own(tk, addr.p, addr.n);
			tk_address_lower((char *)tk->f[f].p, tk->f[f].n);
			if (name.n)
				tk->f[TK_F_REQUESTER_NAME] = tk_ticket_own(tk, name.p, name.n);
			return 0;
		}
	}
	if (f == TK_F_PARENT && *v) {
		uint64_t pid;

		if (tk_id_parse(v, strlen(v), &pid) < 0)
			return tk_error("parent=%s: not a ticket id", v);
	}
	if (!*v && f != TK_F_STATUS && f != TK_F_PRIORITY && f != TK_F_CREATED) {
		tk->f[f] = (tk_str){ "", 0 };
		return 0;
	}
	switch (tk_fields[f].kind) {
	case TK_K_ENUM:
		if (f == TK_F_PRIORITY) {
			if ((v[0] == 'p' || v[0] == 'P') && v[1] >= '1' && v[1] <= '4' && !v[2]) {
				num[0] = 'P';
				num[1] = v[1];
				num[2] = '\0';
				v = num;
			} else
				return tk_error("priority=%s: not a priority (P1, P2, P3, P4)", a->value);
		} else if (f == TK_F_STATUS && (flags & TK_APPLY_SYNTAX)) {
			/* (the store's statuses are asked once it is open) */
			if (!tk_status_name_ok(v, strlen(v)))
				return tk_error("status=%s: not a status (%s)", v, tk_enum_words(f));
		} else if (tk_enum_words(f) && !tk_enum_ok(f, v, strlen(v)))
			return tk_error("%s=%s: not a %s (%s)", a->name, v, a->name, tk_enum_words(f));
		tk->f[f] = tk_ticket_own(tk, v, strlen(v));
		return 0;
	case TK_K_TIME:
		if (f == TK_F_CREATED && !creating && !(flags & TK_APPLY_IMPORT))
			return tk_error("created: set when the ticket is made, cannot be changed");
		if (tk_iso_parse(v, strlen(v), NULL) == 0) {	/* already as stored */
			tk->f[f] = tk_ticket_own(tk, v, 20);
			return 0;
		}
		if (tk_time_parse(v, &when, NULL) < 0)
			return tk_error("%s=%s: %s", a->name, v, tk_errmsg);
		tk_time_iso(when, iso);
		tk->f[f] = tk_ticket_own(tk, iso, 20);
		return 0;
	case TK_K_INT:
		if ((v[0] == '+' || v[0] == '-') && f == TK_F_ESCALATION) {
			if (parse_int(v + 1, &n) < 0)
				return tk_error("%s=%s: not a number", a->name, v);
			if (parse_int(tk->f[f].n ? tk_ticket_own(tk, tk->f[f].p, tk->f[f].n).p : "0", &cur) < 0)
				cur = 0;
			n = v[0] == '+' ? cur + n : cur - n;
			if (n < 0)
				n = 0;
		} else if (parse_int(v, &n) < 0)
			return tk_error("%s=%s: not a whole number", a->name, v);
		if (f == TK_F_CSAT && (n < 1 || n > 5))
			return tk_error("csat=%s: CSAT is 1 to 5", v);
		if (f == TK_F_NPS && n > 10)
			return tk_error("nps=%s: NPS is 0 to 10", v);
		if (f == TK_F_PARENT && n == 0)
			return tk_error("parent=%s: not a ticket id", v);
		if (f == TK_F_NPS) {	/* 0 is a score, not "unset" */
			snprintf(num, sizeof num, "%lld", n);
			tk->f[f] = tk_ticket_own(tk, num, strlen(num));
			return 0;
		}
		if (n == 0 && f != TK_F_ESCALATION && f != TK_F_REOPENS) {
			tk->f[f] = (tk_str){ "", 0 };
			return 0;
		}
		snprintf(num, sizeof num, "%lld", n);
		tk->f[f] = n ? tk_ticket_own(tk, num, strlen(num)) : (tk_str){ "", 0 };
		return 0;
	case TK_K_SET:
		if (a->op == '=' && strpbrk(v, "\t\n"))
			return tk_error("%s=%s: items cannot hold tabs or newlines", a->name, v);
		if (f == TK_F_TAGS && strchr(v, '='))
			return tk_error("%s=%s: a tag cannot hold = (+field=value adds to a set field)", a->name, v);
		tk->f[f] = set_apply(tk, tk->f[f], v, a->op);
		return 0;
	default:
		tk->f[f] = tk_ticket_own(tk, v, strlen(v));
		return 0;
	}
}

int
tk_ticket_assign_one(tk_ticket *tk, const tk_assign *a, int flags)
{
	return assign_one(tk, a, flags);
}

/*
 * A ticket's entry in index db: taken out under old, put under new. oact
 * and nact: the ticket was and is in the working set (active.c), which
 * holds some values' tickets instead of the index (tk_ix_skips); a change
 * in and out of it may add or take an entry whose value stays the same.
 */
static int
ix_update(tk_txn *t, int db, tk_str old, int oact, tk_str new, int nact, uint64_t id, int creating)
{
	unsigned char kb[TK_IX_KEYBUF];
	MDB_cursor *c = NULL;
	tk_ixbatch *b;
	MDB_val k;
	int rc = 0, oldin = !creating && !tk_ix_skips(db, old.p, old.n, oact);
	int newin = !tk_ix_skips(db, new.p, new.n, nact), same = tk_str_same(old, new);

	if (oldin && (!newin || !same)) {
		k = tk_ix_key(db, old.p, old.n, tk_ix_epoch(t, db, id), kb);
		if (!(rc = mdb_cursor_open(t->txn, t->st->dbi[db], &c)) && (rc = tk_ix_del(c, db, k, id)) == MDB_NOTFOUND)
			rc = 0;
	}
	if (!rc && newin && (!oldin || !same)) {
		k = tk_ix_key(db, new.p, new.n, tk_ix_epoch(t, db, id), kb);
		/* A batch writes new tickets' entries sorted, at commit (ixbatch.c). */
		if (creating && (b = tk_ixbatch_of(t)))
			tk_ixbatch_add(b, db, k.mv_data, k.mv_size, id);
		else if (c || !(rc = mdb_cursor_open(t->txn, t->st->dbi[db], &c)))
			rc = tk_ix_add(c, db, k, id);
	}
	if (c)
		mdb_cursor_close(c);
	return rc ? tk_mdb_error(rc, "index") : 0;
}

/* A custom field's entry in ix_custom, when the store indexes it (meta
 * "indexed"): taken out under old, put under new; none for an empty value. */
static int
custom_ix_update(tk_txn *t, uint64_t id, tk_str name, tk_str old, tk_str new, int creating)
{
	unsigned char kb[TK_IX_CUSTOM_KEYBUF];
	MDB_cursor *c = NULL;
	tk_ixbatch *b;
	MDB_val k;
	int rc = 0;

	if (!t->st->nindexed || !tk_store_indexed(t->st, name.p, name.n))
		return 0;
	if (old.n && !creating) {
		k = tk_ix_custom_key(name, old, kb);
		if (!(rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IX_CUSTOM], &c)) &&
		    (rc = tk_ix_del(c, TK_DB_IX_CUSTOM, k, id)) == MDB_NOTFOUND)
			rc = 0;
	}
	if (!rc && new.n) {
		k = tk_ix_custom_key(name, new, kb);
		if (creating && (b = tk_ixbatch_of(t)))
			tk_ixbatch_add(b, TK_DB_IX_CUSTOM, k.mv_data, k.mv_size, id);
		else if (c || !(rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IX_CUSTOM], &c)))
			rc = tk_ix_add(c, TK_DB_IX_CUSTOM, k, id);
	}
	if (c)
		mdb_cursor_close(c);
	return rc ? tk_mdb_error(rc, "ix_custom") : 0;
}

int
tk_ticket_custom_reindex(tk_txn *t, uint64_t id, tk_str name, tk_str old, tk_str new)
{
	return custom_ix_update(t, id, name, old, new, 0);
}

int
tk_ticket_reindex(tk_txn *t, const tk_ticket *tk, const tk_str *old, int oact, int nact)
{
	size_t i;

	for (i = 1; i < TK_F_NSTORED; i++)
		if (i != TK_F_UPDATED && tk_fields[i].dbi >= 0 && (oact != nact || !tk_str_same(old[i], tk->f[i])) &&
		    ix_update(t, tk_fields[i].dbi, old[i], oact, tk->f[i], nact, tk->id, 0) < 0)
			return -1;
	/* Links both ways (linkdb.c), as an index of the link fields. */
	for (i = 1; i < TK_F_NSTORED; i++)
		if (tk_links_field_is((int)i) && tk_links_field(t, tk->id, (int)i, old[i], tk->f[i]) < 0)
			return -1;
	return 0;
}

static int
next_id(tk_txn *t, uint64_t *id)
{
	uint64_t last;

	if (!t->next_id) {
		if (tk_last_id(t->txn, t->st, &last) < 0)
			return -1;
		t->first_new = t->next_id = last + 1;
	}
	if (t->next_id > TK_ID_MAX)
		return tk_error("%s: no ticket id is left (the largest is 2^56 - 2)", t->st->dir);
	*id = t->next_id++;
	return tk_ix_epoch_new(t, *id);
}

/* Side effects of a status change, by class (status.c): a resolved
 * status sets the resolved time, a closed one the closed time (and the
 * resolved time when there is none); a done ticket made active again is
 * reopened: counted, its resolved and closed times cleared. */
static int
status_effects(const char *now_iso, tk_ticket *tk, tk_str old)
{
	char iso[21], num[32];
	int cls = tk_status_class(tk->f[TK_F_STATUS]), ocls = old.n ? tk_status_class(old) : TK_CLASS_NONE;
	long long n = 0;

	memcpy(iso, now_iso, sizeof iso);
	if (cls == TK_CLASS_RESOLVED && !tk->f[TK_F_RESOLVED].n)
		tk->f[TK_F_RESOLVED] = tk_ticket_own(tk, iso, 20);
	if (cls == TK_CLASS_CLOSED && !tk->f[TK_F_CLOSED].n) {
		tk->f[TK_F_CLOSED] = tk_ticket_own(tk, iso, 20);
		if (!tk->f[TK_F_RESOLVED].n)
			tk->f[TK_F_RESOLVED] = tk->f[TK_F_CLOSED];
	}
	if ((ocls == TK_CLASS_RESOLVED || ocls == TK_CLASS_CLOSED) && tk_class_active(cls)) {
		if (tk->f[TK_F_REOPENS].n)
			n = strtoll(tk_ticket_own(tk, tk->f[TK_F_REOPENS].p, tk->f[TK_F_REOPENS].n).p, NULL, 10);
		snprintf(num, sizeof num, "%lld", n + 1);
		tk->f[TK_F_REOPENS] = tk_ticket_own(tk, num, strlen(num));
		tk->f[TK_F_RESOLVED] = (tk_str){ "", 0 };
		tk->f[TK_F_CLOSED] = (tk_str){ "", 0 };
	}
	return 0;
}

static int
put_body(tk_txn *t, tk_ticket *tk, int creating)
{
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v = { tk->body.n, (void *)tk->body.p };
	int rc;

	tk_put_u64(kb, tk->id);
	if (!tk->body.n) {
		rc = creating ? 0 : mdb_del(t->txn, t->st->dbi[TK_DB_BODIES], &k, NULL);
		return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "bodies") : 0;
	}
	rc = creating ? tk_append(t, TK_DB_BODIES, &k, &v) : mdb_put(t->txn, t->st->dbi[TK_DB_BODIES], &k, &v, 0);
	return rc ? tk_mdb_error(rc, "bodies") : 0;
}

void
tk_ticket_summary(const tk_ticket *tk, tk_buf *b)
{
	size_t i;

	for (i = 1; i < TK_F_NSTORED; i++) {
		if (!tk->f[i].n || i == TK_F_UPDATED)
			continue;
		if (b->len)
			tk_buf_addc(b, '\t');
		tk_buf_adds(b, tk_fields[i].name);
		tk_buf_addc(b, '=');
		tk_buf_add(b, tk->f[i].p, tk->f[i].n);
	}
	for (i = 0; i < tk->ncustom; i++) {
		if (!tk->custom[i].value.n)
			continue;
		if (b->len)
			tk_buf_addc(b, '\t');
		tk_buf_add(b, tk->custom[i].name.p, tk->custom[i].name.n);
		tk_buf_addc(b, '=');
		tk_buf_add(b, tk->custom[i].value.p, tk->custom[i].value.n);
	}
}

/*
 * Ticket id may take parent as its parent (id 0: a ticket not made yet):
 * the parent exists, is not the ticket itself, and does not descend from
 * it, so parent links never form a loop. The one check of parent links:
 * tk-set parent=, tk-new, imports and tk-link all come here.
 */
int
tk_ticket_parent_ok(tk_txn *t, uint64_t id, uint64_t parent)
{
	uint64_t p = parent, next;
	tk_ticket up;
	long steps;
	int rc;

	if (parent == id)
		return tk_error("parent=%llu: a ticket cannot be its own parent", (unsigned long long)id);
	tk_ticket_init(&up);
	for (steps = 0; p; steps++) {
		rc = tk_ticket_get(t, p, &up, 0);
		if (rc < 0)
			break;
		if (rc == 0) {
			rc = p == parent ? tk_error("parent=%llu: no such ticket", (unsigned long long)parent) :
			    0;	/* an ancestor gone missing ends the chain */
			break;
		}
		next = 0;
		if (up.f[TK_F_PARENT].n && tk_id_parse(up.f[TK_F_PARENT].p, up.f[TK_F_PARENT].n, &next) < 0)
			next = 0;
		if (id && next == id) {
			rc = tk_error("parent=%llu: ticket %llu descends from ticket %llu: that would make a loop",
			    (unsigned long long)parent, (unsigned long long)parent, (unsigned long long)id);
			break;
		}
		if (steps > 100000) {
			rc = tk_error("parent=%llu: its parents already form a loop", (unsigned long long)parent);
			break;
		}
		p = next;
		rc = 0;
	}
	tk_ticket_free(&up);
	return rc < 0 ? -1 : 0;
}

static int
parent_check(tk_txn *t, const tk_ticket *tk, tk_str old)
{
	uint64_t parent;

	if (!tk->f[TK_F_PARENT].n || tk_str_same(old, tk->f[TK_F_PARENT]))
		return 0;
	if (tk_id_parse(tk->f[TK_F_PARENT].p, tk->f[TK_F_PARENT].n, &parent) < 0)
		return tk_error("parent=%.*s: not a ticket id", (int)tk->f[TK_F_PARENT].n, tk->f[TK_F_PARENT].p);
	return tk_ticket_parent_ok(t, tk->id, parent);
}

/*
 * The assignments made to tk in memory and checked, old being its stored
 * fields before: values, the requester's name, the workflow (and what a
 * status change sets), the parent. What tk_ticket_apply and
 * tk_ticket_assign share. 0, or -1 with tk_errmsg (tk is then half changed).
 */
static int
change(tk_txn *t, tk_ticket *tk, const tk_assignments *as, int flags, const tk_str *old, const tk_custom *oldc,
    size_t noldc)
{
	size_t i;

	for (i = 0; i < as->n; i++)
		if (assign_one(tk, &as->a[i], flags & ~TK_APPLY_CREATE) < 0)
			return -1;
	/* A new requester given without a name does not keep the old one's. */
	if (!tk_str_same(old[TK_F_REQUESTER], tk->f[TK_F_REQUESTER]) &&
	    tk_str_same(old[TK_F_REQUESTER_NAME], tk->f[TK_F_REQUESTER_NAME])) {
		int named = 0;
		tk_str nm, ad;

		for (i = 0; i < as->n; i++)
			if (as->a[i].field == TK_F_REQUESTER_NAME || (as->a[i].field == TK_F_REQUESTER &&
			    tk_address_split(as->a[i].value, strlen(as->a[i].value), &nm, &ad) && nm.n))
				named = 1;
		if (!named)
			tk->f[TK_F_REQUESTER_NAME] = (tk_str){ "", 0 };
	}
	/* Another requester: another contact, and its org and tier (not in
	 * a read-only transaction: a --dry-run makes no contact). */
	if (!(flags & TK_APPLY_TK) && t->write && tk_requester_hook &&
	    !tk_str_same(old[TK_F_REQUESTER], tk->f[TK_F_REQUESTER]) && tk_requester_hook(t, tk, 0) < 0)
		return -1;
	/* Required fields and the workflow's transitions (fields.c,
	 * workflow.c); without them, tk's default workflow. (Callers say which
	 * ticket: "tk-set: ticket 1: ...".) */
	if (flags & TK_APPLY_UPGRADE)
		;	/* an upgrade rewrites what is stored, as it is */
	else if (tk_hooks && tk_hooks->check) {
		if (tk_hooks->check(old, oldc, noldc, tk, flags) < 0)
			return -1;
	} else if (!(flags & TK_APPLY_IMPORT) && !tk_str_same(old[TK_F_STATUS], tk->f[TK_F_STATUS])) {
		const char *to = tk_ticket_own(tk, tk->f[TK_F_STATUS].p, tk->f[TK_F_STATUS].n).p;

		if (tk_status_transition_check(old[TK_F_STATUS], to) < 0)
			return -1;
	}
	/* An import keeps the times it was given; it does not invent them. */
	if (!(flags & TK_APPLY_IMPORT) && !tk_str_same(old[TK_F_STATUS], tk->f[TK_F_STATUS]))
		status_effects(t->now_iso, tk, old[TK_F_STATUS]);
	return parent_check(t, tk, old[TK_F_PARENT]);
}

int
tk_ticket_assign(tk_txn *t, tk_ticket *tk, const tk_assignments *as, int flags)
{
	tk_str old[TK_F_NSTORED], oldbody;
	tk_custom *oldc = NULL;
	size_t noldc = tk->ncustom, i, j;
	int changed = 0, oldloaded;

	for (i = 0; i < as->n; i++)
		if (as->a[i].field == TK_F_BODY && tk_ticket_body(t, tk) < 0)
			return -1;
	oldbody = tk->body;
	oldloaded = tk->body_loaded;
	memcpy(old, tk->f, sizeof old);
	if (noldc) {
		oldc = tk_xmalloc(noldc * sizeof *oldc);
		memcpy(oldc, tk->custom, noldc * sizeof *oldc);
	}
	if (change(t, tk, as, flags, old, oldc, noldc) < 0) {
		/* As it was: the values it points to are still the ticket's. */
		memcpy(tk->f, old, sizeof old);
		if (noldc)
			memcpy(tk->custom, oldc, noldc * sizeof *oldc);
		tk->ncustom = noldc;
		tk->body = oldbody;
		tk->body_loaded = oldloaded;
		free(oldc);
		return -1;
	}
	for (i = 1; i < TK_F_NSTORED; i++)
		if (i != TK_F_UPDATED && !tk_str_same(old[i], tk->f[i]))
			changed = 1;
	for (i = 0; i < tk->ncustom && !changed; i++) {
		tk_str ov = { "", 0 };

		for (j = 0; j < noldc; j++)
			if (tk_str_same(oldc[j].name, tk->custom[i].name))
				ov = oldc[j].value;
		changed = !tk_str_same(ov, tk->custom[i].value);
	}
	if (tk->body_loaded == 2 && !tk_str_same(oldbody, tk->body))
		changed = 1;
	free(oldc);
	if (!changed)
		return 1;
	if (!(flags & TK_APPLY_IMPORT) || tk_str_same(old[TK_F_UPDATED], tk->f[TK_F_UPDATED]))
		tk->f[TK_F_UPDATED] = tk_ticket_own(tk, t->now_iso, 20);
	return 0;
}

int
tk_ticket_apply(tk_txn *t, tk_ticket *tk, const tk_assignments *as, int flags)
{
	int import = flags & TK_APPLY_IMPORT;
	tk_str old[TK_F_NSTORED], oldbody = tk->body;
	tk_custom *oldc = NULL;
	size_t noldc = tk->ncustom, i;
	int changed = 0, rc = -1, oact, nact;
	char iso[21];
	unsigned char kb[8];
	MDB_val k, v;
	static tk_buf enc;	/* reused: one ticket is written at a time */

	enc.len = 0;
	/* A change to a ticket made earlier in this batch finds its index
	 * entries written (only those tickets have entries pending). */
	if (t->bulk && t->first_new && tk->id >= t->first_new && tk_txn_flush(t) < 0)
		return -1;
	for (i = 0; i < as->n; i++)
		if (as->a[i].field == TK_F_BODY && tk_ticket_body(t, tk) < 0)
			return -1;
	oldbody = tk->body;
	memcpy(old, tk->f, sizeof old);
	if (noldc) {
		oldc = tk_xmalloc(noldc * sizeof *oldc);
		memcpy(oldc, tk->custom, noldc * sizeof *oldc);
	}
	if (change(t, tk, as, flags, old, oldc, noldc) < 0)
		goto out;
	/* the ticket index keeps the words it had before they change */
	if ((!tk_str_same(old[TK_F_SUBJECT], tk->f[TK_F_SUBJECT]) ||
	    (tk->body_loaded == 2 && !tk_str_same(oldbody, tk->body))) && tk_ft_changed(t, tk->id, 0) < 0)
		goto out;
	memcpy(iso, t->now_iso, sizeof iso);
	/* A ticket no longer found under its old external id: tk-import's marks
	 * (store.c) no longer hold. */
	if (!tk_str_same(old[TK_F_EXTERNAL_ID], tk->f[TK_F_EXTERNAL_ID]) && tk_import_gen_bump(t) < 0)
		goto out;
	/* What changed: log events, indexes. */
	for (i = 1; i < TK_F_NSTORED; i++) {
		if (i == TK_F_UPDATED || tk_str_same(old[i], tk->f[i]))
			continue;
		changed = 1;
		if (tk_log_append(t, tk->id, tk_fields[i].name, old[i], tk->f[i]) < 0)
			goto out;
	}
	/* The fields that follow from the others (SLA deadlines): the hook
	 * logs its own changes, which the indexes below take in. */
	if (tk_ticket_hook && !(flags & TK_APPLY_UPGRADE)) {
		tk_ticket before = *tk;
		int h;

		memcpy(before.f, old, sizeof old);
		before.custom = oldc;
		before.ncustom = before.customcap = noldc;
		before.body = oldbody;
		before.arena = NULL;
		if ((h = tk_ticket_hook(t, &before, tk, flags)) < 0)
			goto out;
		changed |= h > 0;
	}
	oact = tk_active_status(old[TK_F_STATUS]);
	nact = tk_active_status(tk->f[TK_F_STATUS]);
	if (tk_ticket_reindex(t, tk, old, oact, nact) < 0)
		goto out;
	for (i = 0; i < tk->ncustom; i++) {
		tk_str ov = { "", 0 };
		size_t j;

		for (j = 0; j < noldc; j++)
			if (tk_str_same(oldc[j].name, tk->custom[i].name))
				ov = oldc[j].value;
		if (tk_str_same(ov, tk->custom[i].value))
			continue;
		changed = 1;
		{
			char *name = tk_xstrndup(tk->custom[i].name.p, tk->custom[i].name.n);

			rc = tk_field_register(t, tk->custom[i].name);
			if (rc == 0)
				rc = custom_ix_update(t, tk->id, tk->custom[i].name, ov, tk->custom[i].value, 0);
			if (rc == 0)
				rc = tk_log_append(t, tk->id, name, ov, tk->custom[i].value);
			free(name);
			if (rc < 0)
				goto out;
			rc = -1;
		}
	}
	if (tk->body_loaded == 2 && !tk_str_same(oldbody, tk->body)) {
		changed = 1;
		if (tk_log_append(t, tk->id, "body", (tk_str){ "", 0 }, (tk_str){ "(changed)", 9 }) < 0)
			goto out;
		if (put_body(t, tk, 0) < 0)
			goto out;
	}
	if (!changed) {
		rc = 1;
		goto out;
	}
	if (!(flags & (TK_APPLY_UPGRADE | TK_APPLY_SLA)) &&
	    (!import || !tk->f[TK_F_UPDATED].n || tk_str_same(old[TK_F_UPDATED], tk->f[TK_F_UPDATED])))
		tk->f[TK_F_UPDATED] = tk_ticket_own(tk, iso, 20);
	if (ix_update(t, TK_DB_IX_UPDATED, old[TK_F_UPDATED], oact, tk->f[TK_F_UPDATED], nact, tk->id, 0) < 0)
		goto out;
	if (tk_summary_hook && tk_summary_hook(t, old, tk) < 0)
		goto out;
	tk_ticket_encode(tk, &enc);
	if (tk_active_write(t, tk->id, old[TK_F_STATUS], old[TK_F_ASSIGNEE], tk->f[TK_F_STATUS],
	    tk->f[TK_F_ASSIGNEE], enc.p, enc.len, 0) < 0)
		goto out;
	if (tk_active_ix_write(t, tk->id, old, oldc, noldc, tk_active_status(old[TK_F_STATUS]), tk->f, tk->custom,
	    tk->ncustom, tk_active_status(tk->f[TK_F_STATUS]), enc.p, enc.len) < 0)
		goto out;
	tk_put_u64(kb, tk->id);
	k.mv_size = 8;
	k.mv_data = kb;
	v.mv_size = enc.len;
	v.mv_data = enc.p;
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_TICKETS], &k, &v, 0))) {
		tk_mdb_error(rc, "tickets");
		rc = -1;
		goto out;
	}
	rc = 0;	/* (the ticket index took its text's change above) */
out:
	free(oldc);
	return rc;
}

/*
 * A new ticket, the part that needs no transaction: checks, defaults and
 * times (now_iso), so a bulk command does it in its reading thread.
 */
int
tk_ticket_prepare(tk_ticket *tk, const tk_assignments *as, const char *body, size_t bodylen, int flags, const char *now_iso)
{
	long bad;
	size_t i;

	tk_ticket_init(tk);
	if (body && bodylen && !(flags & TK_APPLY_BODY_CHECKED)) {
		if (memchr(body, '\0', bodylen))
			return tk_error("body: NUL byte");
		if ((bad = tk_utf8_invalid(body, bodylen)) >= 0)
			return tk_error("body: invalid UTF-8 at byte %ld", bad + 1);
	}
	if (body && bodylen) {
		tk->body = (tk_str){ body, bodylen };	/* the caller's, written before it goes */
		tk->body_loaded = 2;
	}
	for (i = 0; i < as->n; i++)
		if (assign_one(tk, &as->a[i], (flags & ~TK_APPLY_BODY_CHECKED) | TK_APPLY_CREATE) < 0)
			return -1;
	/* The fields file's defaults, then tk's: the first status, P3. */
	if (tk_hooks && tk_hooks->defaults && tk_hooks->defaults(tk) < 0)
		return -1;
	if (!tk->f[TK_F_SUBJECT].n)
		return tk_error("a ticket needs a subject (subject=... or -s)");
	if (!tk->f[TK_F_STATUS].n)
		tk->f[TK_F_STATUS] = tk_ticket_own(tk, tk_status_initial(), strlen(tk_status_initial()));
	if (!tk->f[TK_F_PRIORITY].n)
		tk->f[TK_F_PRIORITY] = (tk_str){ "P3", 2 };
	if (tk_hooks && tk_hooks->check && tk_hooks->check(NULL, NULL, 0, tk, flags) < 0)
		return -1;
	if (!tk->f[TK_F_CREATED].n)
		tk->f[TK_F_CREATED] = tk_ticket_own(tk, now_iso, 20);
	/* An import keeps the times it was given; it does not invent them. */
	if (!(flags & TK_APPLY_IMPORT))
		status_effects(now_iso, tk, (tk_str){ "", 0 });
	if (!(flags & TK_APPLY_IMPORT) || !tk->f[TK_F_UPDATED].n)
		tk->f[TK_F_UPDATED] = tk_ticket_own(tk, now_iso, 20);
	return 0;
}

/*
 * Write a prepared ticket: its id, index entries, body, create event, and
 * enc, its record as tk_ticket_encode made it. tk's values may point into enc.
 */
static int
write_new(tk_txn *t, tk_ticket *tk, const void *enc, size_t enclen)
{
	static tk_buf again;	/* the record once the requester's contact is in */
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v = { enclen, (void *)enc };
	size_t i;
	int rc, act = tk_active_status(tk->f[TK_F_STATUS]);

	if (tk->f[TK_F_PARENT].n && parent_check(t, tk, (tk_str){ "", 0 }) < 0)
		return -1;
	/* The requester's contact, in this transaction (a bulk reader has
	 * found those it knew already). */
	if (tk_requester_hook && tk->f[TK_F_REQUESTER].n && !tk->f[TK_F_CONTACT].n) {
		if ((rc = tk_requester_hook(t, tk, 1)) < 0)
			return -1;
		if (rc) {
			tk_ticket_encode(tk, &again);
			v.mv_size = again.len;
			v.mv_data = again.p;
			enc = again.p;
			enclen = again.len;
		}
	}
	if (next_id(t, &tk->id) < 0)
		return -1;
	if (tk_ticket_hook) {
		if ((rc = tk_ticket_hook(t, NULL, tk, TK_APPLY_CREATE)) < 0)
			return -1;
		if (rc > 0) {
			tk_ticket_encode(tk, &again);
			enc = again.p;
			enclen = again.len;
			v.mv_size = enclen;
			v.mv_data = (void *)enc;
		}
	}
	if (tk_summary_hook && tk_summary_hook(t, NULL, tk) < 0)
		return -1;
	for (i = 1; i < TK_F_NSTORED; i++)
		if (tk_fields[i].dbi >= 0 &&
		    ix_update(t, tk_fields[i].dbi, (tk_str){ "", 0 }, act, tk->f[i], act, tk->id, 1) < 0)
			return -1;
	for (i = 0; i < tk->ncustom; i++)
		if (tk->custom[i].value.n && (tk_field_register(t, tk->custom[i].name) < 0 ||
		    custom_ix_update(t, tk->id, tk->custom[i].name, (tk_str){ "", 0 }, tk->custom[i].value, 1) < 0))
			return -1;
	for (i = 1; i < TK_F_NSTORED; i++)
		if (tk->f[i].n && tk_links_field_is((int)i) &&
		    tk_links_field(t, tk->id, (int)i, (tk_str){ "", 0 }, tk->f[i]) < 0)
			return -1;
	if (tk->body_loaded == 2 && put_body(t, tk, 1) < 0)
		return -1;
	/* Its first fields are worked out when the event is read (history.c). */
	if (tk_log_append(t, tk->id, "create", (tk_str){ "", 0 }, (tk_str){ "", 0 }) < 0)
		return -1;
	if (tk_active_write(t, tk->id, (tk_str){ "", 0 }, (tk_str){ "", 0 }, tk->f[TK_F_STATUS],
	    tk->f[TK_F_ASSIGNEE], enc, enclen, 1) < 0)
		return -1;
	if (tk_active_ix_write(t, tk->id, NULL, NULL, 0, 0, tk->f, tk->custom, tk->ncustom,
	    tk_active_status(tk->f[TK_F_STATUS]), enc, enclen) < 0)
		return -1;
	tk_put_u64(kb, tk->id);
	if ((rc = tk_append(t, TK_DB_TICKETS, &k, &v)))
		return tk_mdb_error(rc, "tickets");
	/* the ticket index (tk-config(5) fulltext): a bulk command's is
	 * inverted from the text in hand */
	if (t->bulk && t->st->ft_new && t->st->ft_tickets)
		return t->st->ft_new(t, tk->id, tk->f[TK_F_SUBJECT].p, tk->f[TK_F_SUBJECT].n,
		    tk->body_loaded == 2 ? tk->body.p : "", tk->body_loaded == 2 ? tk->body.n : 0);
	return tk_ft_pending_add(t, tk->id);
}

int
tk_ticket_insert(tk_txn *t, tk_ticket *tk, const void *enc, size_t enclen, const char *body, size_t bodylen)
{
	if (tk_ticket_decode(tk, enc, enclen) < 0)
		return -1;
	if (bodylen) {
		tk->body = (tk_str){ body, bodylen };
		tk->body_loaded = 2;
	}
	return write_new(t, tk, enc, enclen);
}

int
tk_ticket_create(tk_txn *t, tk_ticket *tk, const tk_assignments *as, const char *body, size_t bodylen)
{
	return tk_ticket_make(t, tk, as, body, bodylen, 0);
}

int
tk_ticket_make(tk_txn *t, tk_ticket *tk, const tk_assignments *as, const char *body, size_t bodylen, int flags)
{
	static tk_buf enc;	/* reused: one ticket is written at a time */

	if (tk_ticket_prepare(tk, as, body, bodylen, flags, t->now_iso) < 0)
		return -1;
	tk_ticket_encode(tk, &enc);
	return write_new(t, tk, enc.p, enc.len);
}
