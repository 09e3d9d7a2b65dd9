/*
 * contact.c - contacts of the customer directory: one profile a person,
 * with any number of addresses and phone numbers, an org and a tier of
 * its own (DESIGN.md 2; key layouts in doc/STORE.md).
 *
 * A contact is printed c123. Its addresses are kept bare and lowercased,
 * one contact an address (contact_email); its phones as written, indexed
 * by their digits with the country code (contact_phone), so a number is
 * found however it is written. Every change is an event keyed c123
 * (DESIGN.md 3).
 *
 * Tickets carry contact, org and tier as fields of their own (indexed in
 * ix_contact, ix_org, ix_tier). They are set in the transaction that
 * writes the ticket (tk_requester_hook, installed by the commands that
 * write): a known address gives its contact, an unknown one a new contact
 * whose org is the most specific org domain of the address (never a
 * free-mail one). When a contact's org or tier changes, its tickets in
 * the working set (open and paused) follow, logged via contact; resolved
 * and closed tickets keep what they had, so past reports stay as they
 * were.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

const tk_dcol tk_contact_cols[TK_C_NCOLS] = {
	[TK_C_ID] = { "id", NULL, TK_DK_WORD, 1 },
	[TK_C_NAME] = { "name", NULL, TK_DK_TEXT, 0 },
	[TK_C_EMAILS] = { "emails", "email", TK_DK_EMAILS, 0 },
	[TK_C_PHONES] = { "phones", "phone", TK_DK_PHONES, 0 },
	[TK_C_ORG] = { "org", NULL, TK_DK_WORD, 0 },
	[TK_C_TIER] = { "tier", NULL, TK_DK_WORD, 0 },
	[TK_C_LANG] = { "lang", NULL, TK_DK_LANG, 0 },
	[TK_C_TZ] = { "tz", NULL, TK_DK_TEXT, 0 },
	[TK_C_NOTES] = { "notes", NULL, TK_DK_TEXT, 0 },
	[TK_C_EXTERNAL_ID] = { "external_id", NULL, TK_DK_TEXT, 0 },
	[TK_C_CREATED] = { "created", NULL, TK_DK_TIME, 0 },
	[TK_C_LAST_CONTACT] = { "last_contact", NULL, TK_DK_TIME, 0 },
	[TK_C_LOOKED_UP] = { "looked_up", NULL, TK_DK_TIME, 1 },
	[TK_C_MERGED_INTO] = { "merged_into", NULL, TK_DK_WORD, 1 },
	[TK_C_MERGED_EMAILS] = { "merged_emails", NULL, TK_DK_EMAILS, 1 },
	[TK_C_MERGED_PHONES] = { "merged_phones", NULL, TK_DK_PHONES, 1 },
	[TK_C_MERGED_TICKETS] = { "merged_tickets", NULL, TK_DK_TEXT, 1 },
	[TK_C_TICKETS] = { "tickets", NULL, TK_DK_COUNT, 1 },
	[TK_C_OPEN] = { "open", NULL, TK_DK_COUNT, 1 },
};

void
tk_contact_init(tk_contact *c)
{
	c->id = 0;
	tk_dvals_init(c->v, TK_C_NCOLS);
}

void
tk_contact_free(tk_contact *c)
{
	tk_dvals_free(c->v, TK_C_NCOLS);
}

void
tk_contact_copy(tk_contact *dst, const tk_contact *src)
{
	dst->id = src->id;
	tk_dvals_copy(dst->v, src->v, TK_C_NCOLS);
}

static void
set_col(char **v, int i, const char *s)
{
	char *copy = tk_xstrdup(s);	/* (s may be v[i] itself) */

	free(v[i]);
	v[i] = copy;
}

int
tk_contact_id_parse(const char *s, size_t n, uint64_t *id)
{
	uint64_t v = 0;
	size_t i;

	if (n < 2 || n > 18 || s[0] != 'c' || s[1] == '0')
		return -1;
	for (i = 1; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*id = v;
	return 0;
}

static void
id_text(uint64_t id, char out[24])
{
	snprintf(out, 24, "c%llu", (unsigned long long)id);
}

static int
decode(uint64_t id, MDB_val rec, tk_contact *c)
{
	char num[24];

	c->id = id;
	id_text(id, num);
	set_col(c->v, TK_C_ID, num);
	set_col(c->v, TK_C_TICKETS, "");
	set_col(c->v, TK_C_OPEN, "");
	return tk_pairs_decode(rec.mv_data, rec.mv_size, tk_contact_cols, TK_C_NAME, TK_C_NSTORED, c->v, num);
}

int
tk_contact_get(tk_txn *t, uint64_t id, tk_contact *c)
{
	MDB_val v;
	int rc;

	if ((rc = tk_get_id(t, TK_DB_CONTACTS, id, &v)) <= 0)
		return rc;
	return decode(id, v, c) < 0 ? -1 : 1;
}

int
tk_contact_each(tk_txn *t, int (*fn)(tk_txn *, tk_contact *, void *), void *arg)
{
	MDB_cursor *cur;
	MDB_val k, v;
	tk_contact c;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_CONTACTS], &cur)))
		return tk_mdb_error(rc, "contacts");
	tk_contact_init(&c);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		if (k.mv_size != 8 || decode(tk_get_u64(k.mv_data), v, &c) < 0 || fn(t, &c, arg)) {
			rc = -1;
			break;
		}
	mdb_cursor_close(cur);
	tk_contact_free(&c);
	if (rc == -1)
		return -1;
	return rc == MDB_NOTFOUND ? 0 : tk_mdb_error(rc, "contacts");
}

/* The contact id under key k of a plain index: 1, 0 or -1. */
static int
id_get(tk_txn *t, int db, const char *k, size_t n, uint64_t *id)
{
	MDB_val kv = { n, (void *)k }, v;
	int rc;

	if (!n || n > 500)
		return 0;
	rc = mdb_get(t->txn, t->st->dbi[db], &kv, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return tk_mdb_error(rc, db == TK_DB_CONTACT_EMAIL ? "contact_email" : "contact_external");
	if (v.mv_size != 8)
		return tk_error("contact index: damaged entry");
	*id = tk_get_u64(v.mv_data);
	return 1;
}

int
tk_contact_by_address(tk_txn *t, const char *addr, size_t n, uint64_t *id)
{
	return id_get(t, TK_DB_CONTACT_EMAIL, addr, n, id);
}

int
tk_contact_by_external(tk_txn *t, const char *ext, uint64_t *id)
{
	return id_get(t, TK_DB_CONTACT_EXTERNAL, ext, strlen(ext), id);
}

static const char *
country(tk_txn *t)
{
	const tk_settings *s = tk_dir_settings(t);

	return s ? s->phone_country : NULL;
}

/* The contacts under phone key k (n bytes), added to ids. */
static int
phone_key(MDB_cursor *c, const char *k, size_t n, tk_ids *ids)
{
	MDB_val kv = { n, (void *)k }, d;
	int rc;

	for (rc = mdb_cursor_get(c, &kv, &d, MDB_SET_KEY); !rc; rc = mdb_cursor_get(c, &kv, &d, MDB_NEXT_DUP))
		tk_ids_add(ids, tk_get_u64(d.mv_data));
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * A number's digits with the country code, else as written (a number
 * indexed before phone-country was set), else, for a national number,
 * those that end in its digits without the trunk 0: one pass over the
 * phone index, which finds it however the other was written.
 */
int
tk_contact_by_phone(tk_txn *t, const char *phone, tk_ids *ids)
{
	char want[64], plain[64];
	size_t n, pn, nn;
	const char *nat;
	MDB_cursor *c;
	MDB_val k, d;
	int rc;

	if (!(n = tk_phone_digits(phone, strlen(phone), country(t), want, sizeof want)))
		return 0;
	pn = tk_phone_digits(phone, strlen(phone), NULL, plain, sizeof plain);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_CONTACT_PHONE], &c)))
		return tk_mdb_error(rc, "contact_phone");
	rc = phone_key(c, want, n, ids);
	if (!rc && !ids->n && strcmp(want, plain))
		rc = phone_key(c, plain, pn, ids);
	/* national: written with no + nor 00 (which tk_phone_digits drops) */
	if (!rc && !ids->n && phone[strspn(phone, " ")] != '+' && strncmp(phone + strspn(phone, " "), "00", 2) &&
	    pn >= 6) {
		nat = plain[0] == '0' ? plain + 1 : plain;
		nn = strlen(nat);
		for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT))
			if (k.mv_size >= nn && !memcmp((char *)k.mv_data + k.mv_size - nn, nat, nn))
				tk_ids_add(ids, tk_get_u64(d.mv_data));
		if (rc == MDB_NOTFOUND)
			rc = 0;
	}
	mdb_cursor_close(c);
	if (rc)
		return tk_mdb_error(rc, "contact_phone");
	tk_ids_unique(ids);
	tk_ids_sort(ids);
	return 0;
}

int
tk_contact_find(tk_txn *t, const char *word, uint64_t *id)
{
	tk_str name, addr;
	tk_ids ids = { 0 };
	char *a;
	int rc;

	if (tk_contact_id_parse(word, strlen(word), id) == 0) {
		MDB_val v;

		return tk_get_id(t, TK_DB_CONTACTS, *id, &v);
	}
	if (tk_address_split(word, strlen(word), &name, &addr)) {
		a = tk_xstrndup(addr.p, addr.n);
		tk_address_lower(a, addr.n);
		rc = tk_contact_by_address(t, a, addr.n, id);
		free(a);
		return rc;
	}
	if ((rc = tk_contact_by_external(t, word, id)) != 0)
		return rc;
	if (tk_contact_by_phone(t, word, &ids) < 0)
		return -1;
	rc = ids.n == 1;
	if (rc)
		*id = ids.v[0];
	tk_ids_free(&ids);
	return rc;
}

int
tk_contact_of_org(tk_txn *t, const char *org, tk_ids *ids)
{
	MDB_val k = { strlen(org), (void *)org }, d;
	MDB_cursor *c;
	size_t i;
	int rc;

	if (!*org)
		return 0;
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_CONTACT_ORG], &c)))
		return tk_mdb_error(rc, "contact_org");
	rc = mdb_cursor_get(c, &k, &d, MDB_SET);
	if (!rc)
		rc = mdb_cursor_get(c, &k, &d, MDB_GET_MULTIPLE);
	while (!rc) {
		for (i = 0; i + 8 <= d.mv_size; i += 8)
			tk_ids_add(ids, tk_get_u64((unsigned char *)d.mv_data + i));
		rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_MULTIPLE);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : tk_mdb_error(rc, "contact_org");
}

const char *
tk_contact_tier(const tk_contact *c, const tk_org *org)
{
	if (c->v[TK_C_TIER][0])
		return c->v[TK_C_TIER];
	return org ? org->v[TK_O_TIER] : "";
}

/* ---- tickets of a contact ---- */

int
tk_contact_tickets(tk_txn *t, uint64_t id, tk_ids *ids)
{
	unsigned char kb[TK_IX_KEYBUF];
	char key[24];
	unsigned e, ne = tk_ix_nepochs(t, TK_DB_IX_CONTACT);
	MDB_cursor *c;
	MDB_val k, d;
	size_t i;
	int rc = 0;

	id_text(id, key);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IX_CONTACT], &c)))
		return tk_mdb_error(rc, "ix_contact");
	for (e = 0; e < ne && (!rc || rc == MDB_NOTFOUND); e++) {
		k = tk_ix_key(TK_DB_IX_CONTACT, key, strlen(key), e, kb);
		for (rc = tk_ix_first(c, TK_DB_IX_CONTACT, k, &d); !rc; rc = tk_ix_next(c, TK_DB_IX_CONTACT, k, &d))
			for (i = 0; i + 8 <= d.mv_size; i += 8)
				tk_ids_add(ids, tk_get_u64((unsigned char *)d.mv_data + i));
	}
	mdb_cursor_close(c);
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "ix_contact") : 0;
}

/* Each ticket of ids in the working set whose org or tier is not the
 * contact's now takes them (logged via contact, its updated time kept):
 * resolved and closed tickets keep what they had (DESIGN.md 2). */
static int
follow(tk_txn *t, const tk_ids *ids, const char *org, const char *tier, const char *via)
{
	const char *was = t->via;
	tk_assignments as = { 0 };
	tk_ticket tk;
	size_t i;
	int rc = 0;

	tk_assign_borrow(&as, TK_F_ORG, "org", org);
	tk_assign_borrow(&as, TK_F_TIER, "tier", tier);
	t->via = via;
	for (i = 0; i < ids->n && rc >= 0; i++) {
		tk_ticket_init(&tk);
		rc = tk_ticket_get(t, ids->v[i], &tk, 1);
		if (rc > 0 && tk_active_status(tk.f[TK_F_STATUS]) &&
		    (!tk_str_eq(tk.f[TK_F_ORG], org) || !tk_str_eq(tk.f[TK_F_TIER], tier)))
			rc = tk_ticket_apply(t, &tk, &as, TK_APPLY_TK | TK_APPLY_UPGRADE);
		tk_ticket_free(&tk);
	}
	t->via = was;
	tk_assignments_free(&as);
	return rc < 0 ? -1 : 0;
}

/* ---- writing ---- */

static int
next_id(tk_txn *t, uint64_t *id)
{
	MDB_val k = { 11, "contact_seq" }, v;
	unsigned char b[8];
	int rc;

	rc = mdb_get(t->txn, t->st->dbi[TK_DB_META], &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "meta");
	*id = (rc ? 0 : tk_get_u64(v.mv_data)) + 1;
	tk_put_u64(b, *id);
	v.mv_size = 8;
	v.mv_data = b;
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_META], &k, &v, 0)))
		return tk_mdb_error(rc, "meta");
	return 0;
}

/* Calls fn for each item of the comma-separated set s. */
static int
each_item(const char *s, int (*fn)(tk_txn *, const char *, size_t, void *), tk_txn *t, void *arg)
{
	const char *p = s, *c;
	int rc;

	while (*p) {
		c = strchr(p, ',');
		if (!c)
			c = p + strlen(p);
		if (c > p && (rc = fn(t, p, (size_t)(c - p), arg)) < 0)
			return rc;
		p = *c ? c + 1 : c;
	}
	return 0;
}

struct ixarg {
	tk_contact *c;
	const char *other;	/* the set to compare with */
	int del;
	tk_buf *digits;		/* phones: their digits, NUL after each */
};

static int
email_ix(tk_txn *t, const char *a, size_t n, void *arg)
{
	struct ixarg *x = arg;
	unsigned char b[8];
	MDB_val k = { n, (void *)a }, v = { 8, b };
	uint64_t other;
	int rc;

	if (tk_list_has(x->other, a, n))
		return 0;
	if (n > 500) {
		tk_error("%s: address longer than 500 bytes", x->c->v[TK_C_ID]);
		return TK_DIR_BAD;
	}
	if (x->del) {
		if ((rc = id_get(t, TK_DB_CONTACT_EMAIL, a, n, &other)) <= 0 || other != x->c->id)
			return rc < 0 ? -1 : 0;
		rc = mdb_del(t->txn, t->st->dbi[TK_DB_CONTACT_EMAIL], &k, NULL);
		return rc ? tk_mdb_error(rc, "contact_email") : 0;
	}
	/* (tk_contact_check found it nobody else's) */
	tk_put_u64(b, x->c->id);
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_CONTACT_EMAIL], &k, &v, 0);
	return rc ? tk_mdb_error(rc, "contact_email") : 0;
}

/* The digits of each phone of set s, NUL after each. */
static int
digits_of(tk_txn *t, const char *s, size_t n, void *arg)
{
	tk_buf *b = arg;
	char d[64];

	(void)t;
	if (tk_phone_digits(s, n, country(t), d, sizeof d))
		tk_buf_add(b, d, strlen(d) + 1);
	return 0;
}

static int
has_digits(const tk_buf *b, const char *d)
{
	size_t i;

	for (i = 0; i < b->len; i += strlen(b->p + i) + 1)
		if (!strcmp(b->p + i, d))
			return 1;
	return 0;
}

/* The digits at offset at of b came earlier in it too. */
static int
has_digits_before(const tk_buf *b, size_t at)
{
	size_t i;

	for (i = 0; i < at; i += strlen(b->p + i) + 1)
		if (!strcmp(b->p + i, b->p + at))
			return 1;
	return 0;
}

/* Phone index entries: those of now not in before added (del: taken out). */
static int
phone_ix(tk_txn *t, tk_contact *c, const tk_buf *now, const tk_buf *before, int del)
{
	unsigned char b[8];
	MDB_val k, v = { 8, b };
	MDB_cursor *cur;
	size_t i;
	int rc = 0;

	tk_put_u64(b, c->id);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_CONTACT_PHONE], &cur)))
		return tk_mdb_error(rc, "contact_phone");
	for (i = 0; i < now->len && !rc; i += strlen(now->p + i) + 1) {
		if (has_digits(before, now->p + i) || has_digits_before(now, i))
			continue;
		k.mv_size = strlen(now->p + i);
		k.mv_data = now->p + i;
		if (k.mv_size > 500)
			continue;
		if (del) {
			if (!(rc = mdb_cursor_get(cur, &k, &v, MDB_GET_BOTH)))
				rc = mdb_cursor_del(cur, 0);
			if (rc == MDB_NOTFOUND)
				rc = 0;
		} else if ((rc = mdb_cursor_put(cur, &k, &v, MDB_NODUPDATA)) == MDB_KEYEXIST)
			rc = 0;
		v.mv_size = 8;
		v.mv_data = b;
	}
	mdb_cursor_close(cur);
	return rc ? tk_mdb_error(rc, "contact_phone") : 0;
}

/* A dup value put under key k of DUPSORT db (or taken out). */
static int
dup_put(tk_txn *t, int db, const char *k, uint64_t id, int del)
{
	unsigned char b[8];
	MDB_val kv = { strlen(k), (void *)k }, v = { 8, b };
	int rc;

	if (!*k)
		return 0;
	tk_put_u64(b, id);
	rc = del ? mdb_del(t->txn, t->st->dbi[db], &kv, &v) : mdb_put(t->txn, t->st->dbi[db], &kv, &v, MDB_NODUPDATA);
	if (rc == MDB_NOTFOUND || rc == MDB_KEYEXIST)
		rc = 0;
	return rc ? tk_mdb_error(rc, "contact_org") : 0;
}

static int
external_ix(tk_txn *t, tk_contact *c, const char *old)
{
	const char *ext = c->v[TK_C_EXTERNAL_ID];
	unsigned char b[8];
	MDB_val k, v = { 8, b };
	uint64_t other;
	int rc;

	if (!strcmp(old, ext))
		return 0;
	/* (tk_contact_check found the new one nobody else's) */
	if (*old && id_get(t, TK_DB_CONTACT_EXTERNAL, old, strlen(old), &other) > 0 && other == c->id) {
		k.mv_size = strlen(old);
		k.mv_data = (void *)old;
		if ((rc = mdb_del(t->txn, t->st->dbi[TK_DB_CONTACT_EXTERNAL], &k, NULL)))
			return tk_mdb_error(rc, "contact_external");
	}
	if (!*ext)
		return 0;
	tk_put_u64(b, c->id);
	k.mv_size = strlen(ext);
	k.mv_data = (void *)ext;
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_CONTACT_EXTERNAL], &k, &v, 0);
	return rc ? tk_mdb_error(rc, "contact_external") : 0;
}

/* The org and tier of a contact's tickets: its org (NULL key when none)
 * read into o. 1 when it has an org, 0 not, -1 an error. */
static int
org_of(tk_txn *t, const tk_contact *c, tk_org *o)
{
	int rc;

	if (!c->v[TK_C_ORG][0])
		return 0;
	if ((rc = tk_org_get(t, c->v[TK_C_ORG], o)) < 0)
		return -1;
	return rc;
}

static int
check_email(tk_txn *t, const char *a, size_t n, void *arg)
{
	struct ixarg *x = arg;
	uint64_t other;
	int rc;

	if (tk_list_has(x->other, a, n))
		return 0;
	if (n > 500) {
		tk_error("%s: address longer than 500 bytes", x->c->v[TK_C_ID]);
		return TK_DIR_BAD;
	}
	if ((rc = id_get(t, TK_DB_CONTACT_EMAIL, a, n, &other)) < 0)
		return -1;
	if (rc && other != x->c->id) {
		tk_error("%s: %.*s is the address of c%llu (tk-contact merge joins two contacts)", x->c->v[TK_C_ID],
		    (int)n, a, (unsigned long long)other);
		return TK_DIR_REFUSED;
	}
	return 0;
}

int
tk_contact_check(tk_txn *t, tk_contact *c, const tk_contact *old)
{
	struct ixarg x = { c, old ? old->v[TK_C_EMAILS] : "", 0, NULL };
	const char *ext = c->v[TK_C_EXTERNAL_ID];
	uint64_t other;
	int rc;

	if ((rc = tk_tier_check(t, c->v[TK_C_ID][0] ? c->v[TK_C_ID] : "contact", c->v[TK_C_TIER])) < 0)
		return rc;
	if (c->v[TK_C_ORG][0] && (!old || strcmp(old->v[TK_C_ORG], c->v[TK_C_ORG]))) {
		if ((rc = tk_org_exists(t, c->v[TK_C_ORG])) <= 0)
			return rc < 0 ? -1 : tk_org_unknown(t, c->v[TK_C_ID][0] ? c->v[TK_C_ID] : "contact", c->v[TK_C_ORG]);
	}
	if ((rc = each_item(c->v[TK_C_EMAILS], check_email, t, &x)) < 0)
		return rc;
	if (*ext && (!old || strcmp(old->v[TK_C_EXTERNAL_ID], ext))) {
		if (strlen(ext) > 500) {
			tk_error("%s: external id longer than 500 bytes", c->v[TK_C_ID]);
			return TK_DIR_BAD;
		}
		if ((rc = id_get(t, TK_DB_CONTACT_EXTERNAL, ext, strlen(ext), &other)) < 0)
			return -1;
		if (rc && other != c->id) {
			tk_error("%s: external id %s is c%llu's", c->v[TK_C_ID][0] ? c->v[TK_C_ID] : "contact", ext,
			    (unsigned long long)other);
			return TK_DIR_REFUSED;
		}
	}
	return 0;
}

int
tk_contact_write(tk_txn *t, tk_contact *c, const tk_contact *old)
{
	static tk_buf rec;
	tk_buf now = { 0 }, before = { 0 };
	struct ixarg x = { c, "", 0, NULL };
	const char *none = "";
	tk_org o, oo;
	int rc, has, had;
	size_t i;

	if (!tk_dir_settings(t))
		return TK_DIR_REFUSED;
	/* Everything that may refuse the change, before anything is written. */
	if ((rc = tk_contact_check(t, c, old)) < 0)
		return rc;
	if (!old && next_id(t, &c->id) < 0)
		return -1;
	if (!old) {
		char num[24];

		id_text(c->id, num);
		set_col(c->v, TK_C_ID, num);
		if (!c->v[TK_C_CREATED][0])
			set_col(c->v, TK_C_CREATED, t->now_iso);
	}
	/* Addresses: the old ones let go first, so that two contacts may
	 * trade one in a write each (merges). */
	if (old) {
		x.other = c->v[TK_C_EMAILS];
		x.del = 1;
		if ((rc = each_item(old->v[TK_C_EMAILS], email_ix, t, &x)) < 0)
			return rc;
	}
	x.other = old ? old->v[TK_C_EMAILS] : none;
	x.del = 0;
	if ((rc = each_item(c->v[TK_C_EMAILS], email_ix, t, &x)) < 0)
		return rc;
	each_item(c->v[TK_C_PHONES], digits_of, t, &now);
	if (old)
		each_item(old->v[TK_C_PHONES], digits_of, t, &before);
	rc = before.len ? phone_ix(t, c, &before, &now, 1) : 0;
	if (!rc && now.len)
		rc = phone_ix(t, c, &now, &before, 0);
	tk_buf_free(&now);
	tk_buf_free(&before);
	if (rc < 0)
		return rc;
	if ((rc = external_ix(t, c, old ? old->v[TK_C_EXTERNAL_ID] : none)) < 0)
		return rc;
	if (!old || strcmp(old->v[TK_C_ORG], c->v[TK_C_ORG])) {
		if ((old && dup_put(t, TK_DB_CONTACT_ORG, old->v[TK_C_ORG], c->id, 1) < 0) ||
		    dup_put(t, TK_DB_CONTACT_ORG, c->v[TK_C_ORG], c->id, 0) < 0)
			return -1;
	}
	if (!old) {
		tk_pairs_summary(&rec, tk_contact_cols, c->v, TK_C_NAME, TK_C_NSTORED);
		if (tk_log_append_key(t, c->v[TK_C_ID], "create", (tk_str){ "", 0 }, (tk_str){ rec.p, rec.len }) < 0)
			return -1;
	} else
		for (i = TK_C_NAME; i < TK_C_NSTORED; i++)
			if (strcmp(old->v[i], c->v[i]) && tk_log_append_key(t, c->v[TK_C_ID], tk_contact_cols[i].name,
			    TK_STR(old->v[i]), TK_STR(c->v[i])) < 0)
				return -1;
	tk_pairs_encode(&rec, tk_contact_cols, c->v, TK_C_NAME, TK_C_NSTORED);
	{
		unsigned char kb[8];
		MDB_val k = { 8, kb }, v = { rec.len, rec.p ? rec.p : "" };

		tk_put_u64(kb, c->id);
		rc = old ? mdb_put(t->txn, t->st->dbi[TK_DB_CONTACTS], &k, &v, 0) :
		    tk_append_or_put(t, TK_DB_CONTACTS, &k, &v);
		if (rc)
			return tk_mdb_error(rc, "contacts");
	}
	if (!old)
		return 0;
	/* Its open and paused tickets follow a new org or tier. */
	tk_org_init(&o);
	tk_org_init(&oo);
	has = org_of(t, c, &o);
	had = org_of(t, old, &oo);
	rc = has < 0 || had < 0 ? -1 : 0;
	if (!rc && (strcmp(old->v[TK_C_ORG], c->v[TK_C_ORG]) ||
	    strcmp(tk_contact_tier(old, had ? &oo : NULL), tk_contact_tier(c, has ? &o : NULL)))) {
		tk_ids ids = { 0 };

		rc = tk_contact_tickets(t, c->id, &ids);
		if (!rc)
			rc = follow(t, &ids, c->v[TK_C_ORG], tk_contact_tier(c, has ? &o : NULL), "contact");
		tk_ids_free(&ids);
	}
	tk_org_free(&o);
	tk_org_free(&oo);
	return rc;
}

int
tk_contact_remove(tk_txn *t, tk_contact *c)
{
	static tk_buf rec;
	tk_buf before = { 0 }, none = { 0 };
	tk_ids ids = { 0 };
	struct ixarg x = { c, "", 1, NULL };
	unsigned char kb[8];
	MDB_val k = { 8, kb };
	char *ext;
	int rc;

	if (tk_contact_tickets(t, c->id, &ids) < 0)
		return -1;
	if (ids.n) {
		tk_error("%s: has %zu tickets; a contact with tickets is not removed (tk-contact merge joins it "
		    "to another)", c->v[TK_C_ID], ids.n);
		tk_ids_free(&ids);
		return TK_DIR_REFUSED;
	}
	if ((rc = each_item(c->v[TK_C_EMAILS], email_ix, t, &x)) < 0)
		return rc;
	each_item(c->v[TK_C_PHONES], digits_of, t, &before);
	rc = phone_ix(t, c, &before, &none, 1);
	tk_buf_free(&before);
	if (rc < 0)
		return rc;
	ext = c->v[TK_C_EXTERNAL_ID];
	c->v[TK_C_EXTERNAL_ID] = tk_xstrdup("");
	rc = external_ix(t, c, ext);
	free(c->v[TK_C_EXTERNAL_ID]);
	c->v[TK_C_EXTERNAL_ID] = ext;
	if (rc < 0 || dup_put(t, TK_DB_CONTACT_ORG, c->v[TK_C_ORG], c->id, 1) < 0)
		return rc < 0 ? rc : -1;
	tk_pairs_summary(&rec, tk_contact_cols, c->v, TK_C_NAME, TK_C_NSTORED);
	if (tk_log_append_key(t, c->v[TK_C_ID], "rm", (tk_str){ rec.p, rec.len }, (tk_str){ "", 0 }) < 0)
		return -1;
	tk_put_u64(kb, c->id);
	if ((rc = mdb_del(t->txn, t->st->dbi[TK_DB_CONTACTS], &k, NULL)))
		return tk_mdb_error(rc, "contacts");
	return 0;
}

/* 1 when the domain of address a (n bytes) is domain d (dn) or one of
 * its sub-domains. */
static int
in_domain(const char *a, size_t n, const char *d, size_t dn)
{
	const char *at = memchr(a, '@', n);
	size_t an;

	if (!at)
		return 0;
	an = (size_t)(a + n - at - 1);
	return an >= dn && !memcmp(a + n - dn, d, dn) && (an == dn || a[n - dn - 1] == '.');
}

/*
 * An org that gains domains takes the contacts that have no org and
 * whose address now belongs to it by its most specific domain: contacts
 * made before the org or the domain (mail came first, the directory
 * after). Each is written with the org, logged, and its open and paused
 * tickets follow, as with tk-contact set org=; resolved and closed ones
 * keep what they had. A contact with an org keeps it. *n: how many.
 */
static int
adopt(tk_txn *t, const tk_org *o, const tk_org *old, size_t *n)
{
	const char *now = o->v[TK_O_DOMAINS], *before = old ? old->v[TK_O_DOMAINS] : "", *p, *e;
	tk_str *dom = NULL;
	size_t ndom = 0, i, j;
	tk_ids ids = { 0 };
	tk_contact c, nc;
	MDB_cursor *cur;
	MDB_val k, v;
	char *key;
	int rc;

	*n = 0;
	/* the domains it gains, found once */
	for (p = now; *p; p = *e ? e + 1 : e) {
		if (!(e = strchr(p, ',')))
			e = p + strlen(p);
		if (e > p && !tk_list_has(before, p, (size_t)(e - p))) {
			dom = tk_xrealloc(dom, (ndom + 1) * sizeof *dom);
			dom[ndom++] = (tk_str){ p, (size_t)(e - p) };
		}
	}
	if (!ndom)
		return 0;
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_CONTACT_EMAIL], &cur))) {
		free(dom);
		return tk_mdb_error(rc, "contact_email");
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		for (j = 0; j < ndom && !in_domain(k.mv_data, k.mv_size, dom[j].p, dom[j].n); j++)
			;
		if (j == ndom || v.mv_size != 8)
			continue;
		key = NULL;
		if ((rc = tk_org_of_address(t, k.mv_data, k.mv_size, &key)) < 0)
			break;
		if (rc && key && !strcmp(key, o->v[TK_O_KEY]))
			tk_ids_add(&ids, tk_get_u64(v.mv_data));
		free(key);
		rc = 0;
	}
	mdb_cursor_close(cur);
	free(dom);
	if (rc && rc != MDB_NOTFOUND) {
		tk_ids_free(&ids);
		return rc < 0 ? -1 : tk_mdb_error(rc, "contact_email");
	}
	tk_ids_unique(&ids);
	tk_contact_init(&c);
	tk_contact_init(&nc);
	for (i = 0, rc = 0; i < ids.n && !rc; i++) {
		if ((rc = tk_contact_get(t, ids.v[i], &c)) <= 0 || c.v[TK_C_ORG][0] || c.v[TK_C_MERGED_INTO][0]) {
			rc = rc < 0 ? -1 : 0;
			continue;
		}
		tk_contact_copy(&nc, &c);
		set_col(nc.v, TK_C_ORG, o->v[TK_O_KEY]);
		if ((rc = tk_contact_write(t, &nc, &c)) == 0)
			(*n)++;
	}
	tk_contact_free(&c);
	tk_contact_free(&nc);
	tk_ids_free(&ids);
	return rc;
}

int
tk_org_save(tk_txn *t, tk_org *o, const tk_org *old, size_t *adopted)
{
	tk_ids members = { 0 }, ids = { 0 };
	tk_contact c;
	size_t i, n;
	int rc;

	if ((rc = tk_org_write(t, o, old)) < 0 || (rc = adopt(t, o, old, adopted ? adopted : &n)) < 0 || !old ||
	    !strcmp(old->v[TK_O_TIER], o->v[TK_O_TIER]))
		return rc;
	/* A new tier: the open tickets of the members who take the org's. */
	if (tk_contact_of_org(t, o->v[TK_O_KEY], &members) < 0)
		return -1;
	tk_contact_init(&c);
	for (i = 0; i < members.n && !rc; i++) {
		if ((rc = tk_contact_get(t, members.v[i], &c)) <= 0 || c.v[TK_C_TIER][0]) {
			rc = rc < 0 ? -1 : 0;
			continue;
		}
		ids.n = 0;
		rc = tk_contact_tickets(t, c.id, &ids);
		if (!rc)
			rc = follow(t, &ids, o->v[TK_O_KEY], o->v[TK_O_TIER], "contact");
	}
	tk_contact_free(&c);
	tk_ids_free(&members);
	tk_ids_free(&ids);
	return rc;
}

/* ---- merge ---- */

/*
 * Merging a into b moves a's addresses, phones and tickets to b; a keeps
 * what moved (merged_emails, merged_phones, merged_tickets: each ticket
 * id, and with "/org/tier" the values it had when it took b's) and points
 * at b (merged_into), so unmerge puts everything back as it was.
 */
int
tk_contact_merge(tk_txn *t, uint64_t a, uint64_t b, int force, size_t *moved)
{
	tk_contact ca, cb, olda, oldb;
	tk_ids ids = { 0 };
	tk_assignments as = { 0 };
	tk_buf list = { 0 };
	tk_ticket tk;
	tk_org o;
	const char *tier, *was = t->via;
	int rc, has;
	size_t i;

	*moved = 0;
	if (a == b)
		return tk_error("c%llu: a contact is not merged into itself", (unsigned long long)a), TK_DIR_REFUSED;
	tk_contact_init(&ca);
	tk_contact_init(&cb);
	tk_contact_init(&olda);
	tk_contact_init(&oldb);
	tk_org_init(&o);
	tk_ticket_init(&tk);
	if ((rc = tk_contact_get(t, a, &ca)) <= 0 || (rc = tk_contact_get(t, b, &cb)) <= 0) {
		if (!rc)
			tk_error("c%llu: no such contact", (unsigned long long)(ca.id == a ? b : a));
		rc = rc < 0 ? -1 : TK_DIR_REFUSED;
		goto out;
	}
	rc = TK_DIR_REFUSED;
	if (ca.v[TK_C_MERGED_INTO][0]) {
		tk_error("%s: merged into %s already (tk-contact unmerge %s undoes it)", ca.v[TK_C_ID],
		    ca.v[TK_C_MERGED_INTO], ca.v[TK_C_ID]);
		goto out;
	}
	if (cb.v[TK_C_MERGED_INTO][0]) {
		tk_error("%s: merged into %s: merge into %s instead", cb.v[TK_C_ID], cb.v[TK_C_MERGED_INTO],
		    cb.v[TK_C_MERGED_INTO]);
		goto out;
	}
	if (!force && ca.v[TK_C_ORG][0] && cb.v[TK_C_ORG][0] && strcmp(ca.v[TK_C_ORG], cb.v[TK_C_ORG])) {
		tk_error("%s is of org %s, %s of org %s: --force merges them all the same", ca.v[TK_C_ID],
		    ca.v[TK_C_ORG], cb.v[TK_C_ID], cb.v[TK_C_ORG]);
		goto out;
	}
	tk_contact_copy(&olda, &ca);
	tk_contact_copy(&oldb, &cb);
	if ((has = org_of(t, &cb, &o)) < 0) {
		rc = -1;
		goto out;
	}
	tier = tk_contact_tier(&cb, has ? &o : NULL);
	if (tk_contact_tickets(t, a, &ids) < 0) {
		rc = -1;
		goto out;
	}
	/* The tickets: to b; in the working set, its org and tier too. */
	t->via = "merge";
	tk_assign_borrow(&as, TK_F_CONTACT, "contact", cb.v[TK_C_ID]);
	for (i = 0; i < ids.n; i++) {
		int act, change;

		tk_ticket_free(&tk);
		tk_ticket_init(&tk);
		if ((rc = tk_ticket_get(t, ids.v[i], &tk, 1)) < 0)
			goto fail;
		if (!rc)
			continue;
		act = tk_active_status(tk.f[TK_F_STATUS]);
		change = act && (!tk_str_eq(tk.f[TK_F_ORG], cb.v[TK_C_ORG]) || !tk_str_eq(tk.f[TK_F_TIER], tier));
		tk_buf_printf(&list, "%s%llu", list.len ? "," : "", (unsigned long long)ids.v[i]);
		if (change)
			tk_buf_printf(&list, "/%.*s/%.*s", (int)tk.f[TK_F_ORG].n, tk.f[TK_F_ORG].p,
			    (int)tk.f[TK_F_TIER].n, tk.f[TK_F_TIER].p);
		as.n = 1;
		if (change) {
			tk_assign_borrow(&as, TK_F_ORG, "org", cb.v[TK_C_ORG]);
			tk_assign_borrow(&as, TK_F_TIER, "tier", tier);
		}
		if (tk_ticket_apply(t, &tk, &as, TK_APPLY_TK | TK_APPLY_UPGRADE) < 0)
			goto fail;
		(*moved)++;
	}
	/* The identities: a's let go first, then b's taken. */
	set_col(ca.v, TK_C_MERGED_EMAILS, ca.v[TK_C_EMAILS]);
	set_col(ca.v, TK_C_MERGED_PHONES, ca.v[TK_C_PHONES]);
	set_col(ca.v, TK_C_MERGED_TICKETS, list.p ? list.p : "");
	set_col(ca.v, TK_C_MERGED_INTO, cb.v[TK_C_ID]);
	set_col(ca.v, TK_C_EMAILS, "");
	set_col(ca.v, TK_C_PHONES, "");
	{
		char *e = tk_list_op(cb.v[TK_C_EMAILS], olda.v[TK_C_EMAILS], '+', 0);
		char *p = tk_list_op(cb.v[TK_C_PHONES], olda.v[TK_C_PHONES], '+', 1);

		free(cb.v[TK_C_EMAILS]);
		free(cb.v[TK_C_PHONES]);
		cb.v[TK_C_EMAILS] = e;
		cb.v[TK_C_PHONES] = p;
	}
	if ((rc = tk_contact_write(t, &ca, &olda)) < 0 || (rc = tk_contact_write(t, &cb, &oldb)) < 0)
		goto out;
	rc = tk_log_append_key(t, cb.v[TK_C_ID], "merge", (tk_str){ "", 0 }, TK_STR(ca.v[TK_C_ID])) < 0 ? -1 : 0;
	goto out;
fail:
	rc = -1;
out:
	t->via = was;
	tk_ticket_free(&tk);
	tk_assignments_free(&as);
	tk_buf_free(&list);
	tk_ids_free(&ids);
	tk_org_free(&o);
	tk_contact_free(&ca);
	tk_contact_free(&cb);
	tk_contact_free(&olda);
	tk_contact_free(&oldb);
	return rc;
}

int
tk_contact_unmerge(tk_txn *t, uint64_t a, size_t *moved)
{
	tk_contact ca, cb, olda, oldb;
	tk_assignments as = { 0 };
	tk_ids ids = { 0 };
	tk_ticket tk;
	tk_org o;
	uint64_t b;
	const char *tier, *was = t->via;
	char *list = NULL, *tok, *save;
	int rc, has;
	size_t i;

	*moved = 0;
	tk_contact_init(&ca);
	tk_contact_init(&cb);
	tk_contact_init(&olda);
	tk_contact_init(&oldb);
	tk_org_init(&o);
	tk_ticket_init(&tk);
	if ((rc = tk_contact_get(t, a, &ca)) <= 0) {
		if (!rc)
			tk_error("c%llu: no such contact", (unsigned long long)a);
		rc = rc < 0 ? -1 : TK_DIR_REFUSED;
		goto out;
	}
	if (tk_contact_id_parse(ca.v[TK_C_MERGED_INTO], strlen(ca.v[TK_C_MERGED_INTO]), &b) < 0) {
		tk_error("%s: not merged into another contact", ca.v[TK_C_ID]);
		rc = TK_DIR_REFUSED;
		goto out;
	}
	if ((rc = tk_contact_get(t, b, &cb)) <= 0) {
		if (!rc)
			tk_error("%s: merged into %s, which is gone", ca.v[TK_C_ID], ca.v[TK_C_MERGED_INTO]);
		rc = rc < 0 ? -1 : TK_DIR_REFUSED;
		goto out;
	}
	tk_contact_copy(&olda, &ca);
	tk_contact_copy(&oldb, &cb);
	/* The identities back: b's let go first. */
	{
		char *e = tk_list_op(cb.v[TK_C_EMAILS], ca.v[TK_C_MERGED_EMAILS], '-', 0);
		char *p = tk_list_op(cb.v[TK_C_PHONES], ca.v[TK_C_MERGED_PHONES], '-', 1);

		free(cb.v[TK_C_EMAILS]);
		free(cb.v[TK_C_PHONES]);
		cb.v[TK_C_EMAILS] = e;
		cb.v[TK_C_PHONES] = p;
	}
	set_col(ca.v, TK_C_EMAILS, ca.v[TK_C_MERGED_EMAILS]);
	set_col(ca.v, TK_C_PHONES, ca.v[TK_C_MERGED_PHONES]);
	list = tk_xstrdup(ca.v[TK_C_MERGED_TICKETS]);
	set_col(ca.v, TK_C_MERGED_EMAILS, "");
	set_col(ca.v, TK_C_MERGED_PHONES, "");
	set_col(ca.v, TK_C_MERGED_TICKETS, "");
	set_col(ca.v, TK_C_MERGED_INTO, "");
	t->via = "merge";
	if ((rc = tk_contact_write(t, &cb, &oldb)) < 0 || (rc = tk_contact_write(t, &ca, &olda)) < 0)
		goto out;
	if ((has = org_of(t, &ca, &o)) < 0)
		goto fail;
	tier = tk_contact_tier(&ca, has ? &o : NULL);
	tk_assign_borrow(&as, TK_F_CONTACT, "contact", ca.v[TK_C_ID]);
	/* The tickets that moved, with the org and tier they had. */
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *org = strchr(tok, '/'), *tr = NULL;
		uint64_t id = strtoull(tok, NULL, 10);

		if (org) {
			*org++ = '\0';
			tr = strchr(org, '/');
			if (tr)
				*tr++ = '\0';
		}
		tk_ticket_free(&tk);
		tk_ticket_init(&tk);
		if ((rc = tk_ticket_get(t, id, &tk, 1)) < 0)
			goto fail;
		if (!rc || !tk_str_eq(tk.f[TK_F_CONTACT], cb.v[TK_C_ID]))
			continue;	/* gone, or another contact's since */
		as.n = 1;
		if (org) {
			tk_assign_borrow(&as, TK_F_ORG, "org", org);
			tk_assign_borrow(&as, TK_F_TIER, "tier", tr ? tr : "");
		}
		if (tk_ticket_apply(t, &tk, &as, TK_APPLY_TK | TK_APPLY_UPGRADE) < 0)
			goto fail;
		(*moved)++;
	}
	/* And those a's addresses filed with b since. */
	if (tk_contact_tickets(t, b, &ids) < 0)
		goto fail;
	for (i = 0; i < ids.n; i++) {
		tk_ticket_free(&tk);
		tk_ticket_init(&tk);
		if ((rc = tk_ticket_get(t, ids.v[i], &tk, 1)) < 0)
			goto fail;
		if (!rc || !tk.f[TK_F_REQUESTER].n ||
		    !tk_list_has(ca.v[TK_C_EMAILS], tk.f[TK_F_REQUESTER].p, tk.f[TK_F_REQUESTER].n))
			continue;
		as.n = 1;
		if (tk_active_status(tk.f[TK_F_STATUS])) {
			tk_assign_borrow(&as, TK_F_ORG, "org", ca.v[TK_C_ORG]);
			tk_assign_borrow(&as, TK_F_TIER, "tier", tier);
		}
		if (tk_ticket_apply(t, &tk, &as, TK_APPLY_TK | TK_APPLY_UPGRADE) < 0)
			goto fail;
		(*moved)++;
	}
	rc = tk_log_append_key(t, cb.v[TK_C_ID], "unmerge", TK_STR(ca.v[TK_C_ID]), (tk_str){ "", 0 }) < 0 ? -1 : 0;
	goto out;
fail:
	rc = -1;
out:
	t->via = was;
	free(list);
	tk_ticket_free(&tk);
	tk_assignments_free(&as);
	tk_ids_free(&ids);
	tk_org_free(&o);
	tk_contact_free(&ca);
	tk_contact_free(&cb);
	tk_contact_free(&olda);
	tk_contact_free(&oldb);
	return rc;
}

int
tk_contact_is_requester(tk_txn *t, const tk_ticket *tk, const char *addr, size_t n)
{
	uint64_t want, got;
	char *a;
	int rc;

	if (tk->f[TK_F_REQUESTER].n == n && !strncasecmp(tk->f[TK_F_REQUESTER].p, addr, n))
		return 1;
	if (!tk->f[TK_F_CONTACT].n || tk_contact_id_parse(tk->f[TK_F_CONTACT].p, tk->f[TK_F_CONTACT].n, &want) < 0)
		return 0;
	a = tk_xstrndup(addr, n);
	tk_address_lower(a, n);
	rc = tk_contact_by_address(t, a, n, &got);
	free(a);
	return rc < 0 ? -1 : rc && got == want;
}

/* ---- counts ---- */

int
tk_contact_stats_all(tk_txn *t, tk_cstats *st, size_t n)
{
	MDB_cursor *c;
	MDB_val k, d;
	uint64_t id;
	size_t cnt, i;
	tk_ticket tk;
	int rc;

	memset(st, 0, n * sizeof *st);
	/* Every key of ix_contact: epoch . c123, its ids the tickets. */
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IX_CONTACT], &c)))
		return tk_mdb_error(rc, "ix_contact");
	for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_NODUP)) {
		if (k.mv_size < 4 || tk_contact_id_parse((char *)k.mv_data + 2, k.mv_size - 2, &id) < 0 || id >= n)
			continue;
		if ((rc = mdb_cursor_count(c, &cnt)))
			break;
		st[id].tickets += cnt;
		if ((rc = mdb_cursor_get(c, &k, &d, MDB_LAST_DUP)))
			break;
		if (tk_get_u64(d.mv_data) > st[id].newest)
			st[id].newest = tk_get_u64(d.mv_data);
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "ix_contact");
	/* The working set's copies: the open ones. */
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_ACTIVE], &c)))
		return tk_mdb_error(rc, "active");
	tk_ticket_init(&tk);
	for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
		if (tk_ticket_decode_upto(&tk, d.mv_data, d.mv_size, TK_F_CONTACT) < 0)
			continue;
		if (tk_contact_id_parse(tk.f[TK_F_CONTACT].p, tk.f[TK_F_CONTACT].n, &id) == 0 && id < n)
			st[id].open++;
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND) {
		tk_ticket_free(&tk);
		return tk_mdb_error(rc, "active");
	}
	/* The newest ticket's time: the last contact. */
	for (i = 0; i < n; i++) {
		if (!st[i].newest || tk_get_id(t, TK_DB_TICKETS, st[i].newest, &d) <= 0)
			continue;
		tk.id = st[i].newest;
		if (tk_ticket_decode_upto(&tk, d.mv_data, d.mv_size, TK_F_CREATED) == 0 && tk.f[TK_F_CREATED].n == 20) {
			memcpy(st[i].last, tk.f[TK_F_CREATED].p, 20);
			st[i].last[20] = '\0';
		}
	}
	tk_ticket_free(&tk);
	return 0;
}

int
tk_org_tickets(tk_txn *t, const char *org, tk_ids *ids)
{
	MDB_cursor *c;
	MDB_val k = tk_ix_key(TK_DB_IX_ORG, org, strlen(org), 0, NULL), d;
	tk_ticket tk;
	size_t i;
	int rc;

	/* Out of the working set: ix_org; in it: its copies. */
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IX_ORG], &c)))
		return tk_mdb_error(rc, "ix_org");
	for (rc = tk_ix_first(c, TK_DB_IX_ORG, k, &d); !rc; rc = tk_ix_next(c, TK_DB_IX_ORG, k, &d))
		for (i = 0; i + 8 <= d.mv_size; i += 8)
			tk_ids_add(ids, tk_get_u64((unsigned char *)d.mv_data + i));
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "ix_org");
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_ACTIVE], &c)))
		return tk_mdb_error(rc, "active");
	tk_ticket_init(&tk);
	for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT))
		if (tk_ticket_decode_upto(&tk, d.mv_data, d.mv_size, TK_F_ORG) == 0 && tk_str_eq(tk.f[TK_F_ORG], org))
			tk_ids_add(ids, tk_get_u64((unsigned char *)k.mv_data + k.mv_size - 8));
	tk_ticket_free(&tk);
	mdb_cursor_close(c);
	tk_ids_sort(ids);
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "active") : 0;
}

/* ---- intake (DESIGN.md 2) ---- */

/*
 * What a bulk run learnt of requesters from its reader's snapshots: the
 * requester as the ticket holds it -> contact id, org, tier, and the
 * org's queue and tags. Only entries read from a committed snapshot go
 * in: a contact the writer makes may yet be rolled back (a full map runs
 * the transaction again), and is found by its index in the writer's
 * transaction until a later snapshot has it. The reading and the writing
 * thread share it, under a mutex.
 */
/* What a requester resolves to: strings that live as long as noted. */
struct centry {
	int lasting;		/* its strings outlive the ticket (the table's) */
	uint64_t id;
	const char *idtext, *org, *tier, *queue, *tags;	/* idtext NULL: made of id */
};

/*
 * The table, made to cost one cache miss a lookup (a million tickets'
 * lookups in a table of 60,000 addresses were 0.7 s of scattered reads when
 * an entry pointed at its key): a slot of 64 bytes holds the address, up to
 * 48 bytes of it (a longer one is kept apart), and the index of its
 * profile, the org, tier, queue and tags it gives, of which a directory
 * has a few dozen.
 */
#define KEY_INLINE 48
struct cslot {
	uint32_t hash;
	uint16_t prof;
	uint8_t used, klen;	/* klen 0: the key is kept apart, its pointer in key */
	uint64_t id;
	char key[KEY_INLINE];
};

struct cprof {
	const char *org, *tier, *queue, *tags;
};

static struct {
	pthread_mutex_t mu;
	struct cslot *v;
	size_t n, cap;
	struct cprof *prof;
	size_t nprof;
	tk_arena arena;
} cache = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, NULL, 0, { NULL, NULL } };

#define CACHE_MAX (4u << 20)	/* entries: a run with more requesters asks the store for the rest */
#define PRELOAD_MAX 200000	/* addresses read in at the start (about 20 MiB) */
#define PROF_MAX 65535

/* tk_hash's high half, mixed once more: its low bits vary little between
 * addresses that differ only at their end (as ixbatch.c found). */
static uint32_t
key_hash(const char *key, size_t n)
{
	uint64_t h = tk_hash(TK_HASH_SEED, key, n);

	h ^= h >> 32;
	h *= 0x9e3779b97f4a7c15ULL;
	return (uint32_t)(h >> 32);
}

static int
slot_is(const struct cslot *sl, const char *key, size_t n)
{
	const char *k;

	if (sl->klen)
		return sl->klen == n && !memcmp(sl->key, key, n);
	memcpy(&k, sl->key, sizeof k);
	return !strncmp(k, key, n) && !k[n];
}

static struct cslot *
cache_slot(const char *key, size_t n, uint32_t h)
{
	size_t i = h & (cache.cap - 1);

	while (cache.v[i].used && (cache.v[i].hash != h || !slot_is(&cache.v[i], key, n)))
		i = (i + 1) & (cache.cap - 1);
	return &cache.v[i];
}

/* The entry for key, 1 (its strings the table's, for the run); 0 none. */
static int
cache_get(const char *key, size_t n, struct centry *out)
{
	struct cslot *sl;
	int hit = 0;
	uint32_t h = key_hash(key, n);

	pthread_mutex_lock(&cache.mu);
	if (cache.n && (sl = cache_slot(key, n, h))->used) {
		const struct cprof *p = &cache.prof[sl->prof];

		out->lasting = 1;
		out->id = sl->id;
		out->idtext = NULL;
		out->org = p->org;
		out->tier = p->tier;
		out->queue = p->queue;
		out->tags = p->tags;
		hit = 1;
	}
	pthread_mutex_unlock(&cache.mu);
	return hit;
}

static const char *
cache_str(const char *s)
{
	size_t n = strlen(s);

	return n ? memcpy(tk_arena_alloc(&cache.arena, n + 1), s, n + 1) : "";
}

/* The profile of an entry's org, tier, queue and tags: its index, or -1
 * when there are too many. (The mutex is held.) */
static int
cache_prof(const struct centry *e)
{
	size_t i;

	for (i = 0; i < cache.nprof; i++)
		if (!strcmp(cache.prof[i].org, e->org) && !strcmp(cache.prof[i].tier, e->tier) &&
		    !strcmp(cache.prof[i].queue, e->queue) && !strcmp(cache.prof[i].tags, e->tags))
			return (int)i;
	if (cache.nprof == PROF_MAX)
		return -1;
	cache.prof = tk_xrealloc(cache.prof, (cache.nprof + 1) * sizeof *cache.prof);
	cache.prof[cache.nprof].org = cache_str(e->org);
	cache.prof[cache.nprof].tier = cache_str(e->tier);
	cache.prof[cache.nprof].queue = cache_str(e->queue);
	cache.prof[cache.nprof].tags = cache_str(e->tags);
	return (int)cache.nprof++;
}

static void
cache_put(const char *key, size_t n, const struct centry *e)
{
	struct cslot *slot, *old;
	size_t i, oldcap;
	uint32_t h = key_hash(key, n);
	int prof;

	pthread_mutex_lock(&cache.mu);
	if (cache.n >= CACHE_MAX || !n)
		goto out;
	if (2 * (cache.n + 1) > cache.cap) {
		old = cache.v;
		oldcap = cache.cap;
		cache.cap = cache.cap ? 2 * cache.cap : 4096;
		/* (from 2 MiB on, in huge pages: a lookup's one cache miss is
		 * not also a TLB miss; a million lookups in 8 MiB: 0.4 s of
		 * misses on the test machine) */
		cache.v = tk_huge_alloc(cache.cap * sizeof *cache.v);
		for (i = 0; i < oldcap; i++)
			if (old[i].used) {
				size_t j = old[i].hash & (cache.cap - 1);

				while (cache.v[j].used)
					j = (j + 1) & (cache.cap - 1);
				cache.v[j] = old[i];
			}
		tk_huge_free(old, oldcap * sizeof *old);
	}
	slot = cache_slot(key, n, h);
	if (slot->used || (prof = cache_prof(e)) < 0)
		goto out;
	slot->used = 1;
	slot->hash = h;
	slot->prof = (uint16_t)prof;
	slot->id = e->id;
	if (n <= KEY_INLINE && n < 256) {
		memcpy(slot->key, key, n);
		slot->klen = (uint8_t)n;
	} else {
		char *k = tk_arena_alloc(&cache.arena, n + 1);

		memcpy(k, key, n);
		k[n] = '\0';
		memcpy(slot->key, &k, sizeof k);
		slot->klen = 0;
	}
	cache.n++;
out:
	pthread_mutex_unlock(&cache.mu);
}

/* Answers of the contact-lookup program, kept until the contact is made
 * (a transaction run again finds them again), by address. */
struct answer {
	char *addr;
	int got;		/* 1 an answer, 0 none (unknown, or the lookup failed) */
	tk_lookup l;
};
static struct {
	pthread_mutex_t mu;
	struct answer **v;	/* each its own block: a reader's append never moves one a writer holds */
	size_t n;
	size_t *slot, cap;	/* index + 1 of the answer for an address's hash, 0 none */
	int warned;
} answers = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, NULL, 0, 0 };

/* The slot of addr in answers' table (its mutex held). */
static size_t *
answer_slot(const char *addr)
{
	size_t i = key_hash(addr, strlen(addr)) & (answers.cap - 1);

	while (answers.slot[i] && strcmp(answers.v[answers.slot[i] - 1]->addr, addr))
		i = (i + 1) & (answers.cap - 1);
	return &answers.slot[i];
}

/* The answer for addr: 1 with *out (the kept one's, not to free), 0 none
 * yet asked, -1 asked and nothing. */
static int
answer_get(const char *addr, tk_lookup **out)
{
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&answers.mu);
	if (answers.n && (i = *answer_slot(addr))) {
		rc = answers.v[i - 1]->got ? 1 : -1;
		*out = &answers.v[i - 1]->l;
	}
	pthread_mutex_unlock(&answers.mu);
	return rc;
}

static const char *install_error;	/* the config's, when it is broken */

/* Requester r (as the ticket keeps it) as an address (1, lowercased in
 * a), a phone number (2) or neither (0). */
static int
requester_kind(tk_str r, tk_buf *a)
{
	tk_str name, addr;
	char d[64];

	a->len = 0;
	tk_buf_add(a, r.p, r.n);
	tk_buf_cstr(a);
	if (tk_address_split(r.p, r.n, &name, &addr) && addr.n == r.n) {
		tk_address_lower(a->p, a->len);
		return 1;
	}
	/* six digits at least: a login of digits is no phone number */
	return memchr(r.p, '@', r.n) || tk_phone_digits(r.p, r.n, NULL, d, sizeof d) < 6 ? 0 : 2;
}

/* The entry of contact id as it is in txn t. 0, or -1. */
static int
entry_of(tk_txn *t, uint64_t id, struct centry *e, tk_contact *c, tk_org *o)
{
	int rc, has;

	if ((rc = tk_contact_get(t, id, c)) <= 0)
		return rc < 0 ? -1 : tk_error("c%llu: indexed, but no such contact", (unsigned long long)id);
	if ((has = org_of(t, c, o)) < 0)
		return -1;
	e->id = id;
	e->lasting = 0;
	e->idtext = c->v[TK_C_ID];
	e->org = c->v[TK_C_ORG];
	e->tier = tk_contact_tier(c, has ? o : NULL);
	e->queue = has ? o->v[TK_O_QUEUE] : "";
	e->tags = has ? o->v[TK_O_TAGS] : "";
	return 0;
}

/* The contact of a requester in txn t: 1 with its entry, 0 none. */
static int
find_requester(tk_txn *t, int kind, const char *key, struct centry *e, tk_contact *c, tk_org *o)
{
	tk_ids ids = { 0 };
	uint64_t id;
	int rc;

	if (kind == 1)
		rc = tk_contact_by_address(t, key, strlen(key), &id);
	else {
		rc = tk_contact_by_phone(t, key, &ids);
		if (!rc && (rc = ids.n > 0))
			id = ids.v[0];
		tk_ids_free(&ids);
	}
	if (rc <= 0)
		return rc;
	return entry_of(t, id, e, c, o) < 0 ? -1 : 1;
}

/* A value of the entry in ticket tk: the table's own strings stay for
 * the run, so the ticket points at them; others are copied. */
static tk_str
value(tk_ticket *tk, const struct centry *e, const char *s)
{
	if (!*s)
		return (tk_str){ "", 0 };
	return e->lasting ? TK_STR(s) : tk_ticket_own(tk, s, strlen(s));
}

static void
fill(tk_ticket *tk, const struct centry *e, int creating)
{
	char *tags;

	if (e->idtext)
		tk->f[TK_F_CONTACT] = value(tk, e, e->idtext);
	else {
		char num[24], *p = num + sizeof num;
		uint64_t id = e->id;

		do
			*--p = (char)('0' + id % 10);
		while ((id /= 10));
		*--p = 'c';
		tk->f[TK_F_CONTACT] = tk_ticket_own(tk, p, (size_t)(num + sizeof num - p));
	}
	tk->f[TK_F_ORG] = value(tk, e, e->org);
	tk->f[TK_F_TIER] = value(tk, e, e->tier);
	if (!creating)
		return;
	/* A new ticket of an org's member: the org's queue and tags. */
	if (!tk->f[TK_F_QUEUE].n && *e->queue)
		tk->f[TK_F_QUEUE] = value(tk, e, e->queue);
	if (*e->tags) {
		char *cur = tk_xstrndup(tk->f[TK_F_TAGS].p, tk->f[TK_F_TAGS].n);

		tags = tk_list_op(cur, e->tags, '+', 0);
		tk->f[TK_F_TAGS] = tk_ticket_own(tk, tags, strlen(tags));
		free(tags);
		free(cur);
	}
}

/* The lookup's answer into a new contact, or one refreshed: what it
 * knows that tk can take (an org that exists, a tier of the store's, an
 * external id no other contact has). */
static int
apply_answer(tk_txn *t, tk_contact *c, const tk_lookup *l)
{
	uint64_t other;
	char d[64], *p;
	int rc;

	if (l->v[TK_L_NAME][0] && !strpbrk(l->v[TK_L_NAME], "\t\n"))
		set_col(c->v, TK_C_NAME, l->v[TK_L_NAME]);
	if (l->v[TK_L_PHONE][0] && !strchr(l->v[TK_L_PHONE], ',') &&
	    tk_phone_digits(l->v[TK_L_PHONE], strlen(l->v[TK_L_PHONE]), NULL, d, sizeof d)) {
		p = tk_list_op(c->v[TK_C_PHONES], l->v[TK_L_PHONE], '+', 1);
		free(c->v[TK_C_PHONES]);
		c->v[TK_C_PHONES] = p;
	}
	if (l->v[TK_L_ORG][0]) {
		if ((rc = tk_org_exists(t, l->v[TK_L_ORG])) < 0)
			return -1;
		if (rc)
			set_col(c->v, TK_C_ORG, l->v[TK_L_ORG]);
	}
	if (l->v[TK_L_TIER][0] && tk_settings_tier_rank(tk_dir_settings(t), l->v[TK_L_TIER],
	    strlen(l->v[TK_L_TIER])) >= 0)
		set_col(c->v, TK_C_TIER, l->v[TK_L_TIER]);
	if (l->v[TK_L_LANG][0] && tk_dir_word_ok(l->v[TK_L_LANG]))
		set_col(c->v, TK_C_LANG, l->v[TK_L_LANG]);
	if (l->v[TK_L_EXTERNAL_ID][0] && !strpbrk(l->v[TK_L_EXTERNAL_ID], "\t\n")) {
		if ((rc = tk_contact_by_external(t, l->v[TK_L_EXTERNAL_ID], &other)) < 0)
			return -1;
		if (!rc || other == c->id)
			set_col(c->v, TK_C_EXTERNAL_ID, l->v[TK_L_EXTERNAL_ID]);
	}
	set_col(c->v, TK_C_LOOKED_UP, t->now_iso);
	return 0;
}

/* A new contact for the requester of ticket tk. */
static int
make_contact(tk_txn *t, int kind, const char *key, const tk_ticket *tk, struct centry *e, tk_contact *c, tk_org *o)
{
	tk_lookup *l = NULL;
	char *org = NULL;
	int rc;

	tk_contact_init(c);
	if (tk->f[TK_F_REQUESTER_NAME].n && !memchr(tk->f[TK_F_REQUESTER_NAME].p, '\t', tk->f[TK_F_REQUESTER_NAME].n)) {
		free(c->v[TK_C_NAME]);
		c->v[TK_C_NAME] = tk_xstrndup(tk->f[TK_F_REQUESTER_NAME].p, tk->f[TK_F_REQUESTER_NAME].n);
	}
	set_col(c->v, kind == 1 ? TK_C_EMAILS : TK_C_PHONES, key);
	/* made when the person first wrote: an imported ticket's own time */
	if (tk->f[TK_F_CREATED].n == 20) {
		free(c->v[TK_C_CREATED]);
		c->v[TK_C_CREATED] = tk_xstrndup(tk->f[TK_F_CREATED].p, 20);
	}
	if (kind == 1 && (rc = tk_org_of_address(t, key, strlen(key), &org)) != 0) {
		if (rc < 0)
			return -1;
		set_col(c->v, TK_C_ORG, org);
		free(org);
	}
	if (answer_get(key, &l) > 0 && apply_answer(t, c, l) < 0)
		return -1;
	if ((rc = tk_contact_write(t, c, NULL)) < 0)
		return rc;
	return entry_of(t, c->id, e, c, o);
}

/*
 * The contacts a bulk writer found or made in its transaction: they go in
 * the table once the transaction has committed (tk_contacts_committed),
 * so that the tickets of later batches find them there; a transaction run
 * again (a full map) starts the list anew (the batch hook's reset).
 */
static const tk_batch_ops pending_ops;

static struct {
	struct pend {
		const char *key;
		size_t n;
		struct centry e;
	} *v;
	size_t n, cap;
	tk_arena arena;
} pending;

static const char *
pend_str(const char *s)
{
	size_t n = strlen(s);

	return memcpy(tk_arena_alloc(&pending.arena, n + 1), s, n + 1);
}

static void
pend_add(tk_txn *t, const char *key, size_t n, const struct centry *e)
{
	struct pend *p;

	if (!tk_txn_batch(t, &pending_ops))
		return;		/* not a bulk transaction: nothing to carry over */
	if (pending.n == pending.cap)
		pending.v = tk_xrealloc(pending.v, (pending.cap = pending.cap ? 2 * pending.cap : 256) * sizeof *pending.v);
	p = &pending.v[pending.n++];
	p->key = memcpy(tk_arena_alloc(&pending.arena, n + 1), key, n + 1);
	p->n = n;
	p->e = *e;
	p->e.idtext = e->idtext ? pend_str(e->idtext) : NULL;
	p->e.org = pend_str(e->org);
	p->e.tier = pend_str(e->tier);
	p->e.queue = pend_str(e->queue);
	p->e.tags = pend_str(e->tags);
}

static void *
pend_make(void)
{
	return &pending;
}

static void
pend_reset(void *state)
{
	(void)state;
	pending.n = 0;
	tk_arena_reset(&pending.arena);
}

static void
pend_free(void *state)
{
	(void)state;
	free(pending.v);
	tk_arena_free(&pending.arena);
	memset(&pending, 0, sizeof pending);
}

static const tk_batch_ops pending_ops = { pend_make, NULL, pend_reset, pend_free, NULL };

void
tk_contacts_committed(void)
{
	size_t i;

	for (i = 0; i < pending.n; i++)
		cache_put(pending.v[i].key, pending.v[i].n, &pending.v[i].e);
	pending.n = 0;
	tk_arena_reset(&pending.arena);
}

/* tk_requester_hook: the contact of a ticket's requester, in the
 * transaction that writes the ticket. */
static int
resolve(tk_txn *t, tk_ticket *tk, int creating)
{
	static tk_buf key;
	struct centry e;
	tk_contact c;
	tk_org o;
	int kind, rc;

	if (install_error)
		return tk_error("%s", install_error);
	kind = tk->f[TK_F_REQUESTER].n ? requester_kind(tk->f[TK_F_REQUESTER], &key) : 0;
	if (!kind) {
		/* no requester, or one that is no address nor phone: no contact */
		if (creating || (!tk->f[TK_F_CONTACT].n && !tk->f[TK_F_ORG].n && !tk->f[TK_F_TIER].n))
			return 0;
		tk->f[TK_F_CONTACT] = tk->f[TK_F_ORG] = tk->f[TK_F_TIER] = (tk_str){ "", 0 };
		return 1;
	}
	if (cache_get(key.p, key.len, &e)) {
		fill(tk, &e, creating);
		return 1;
	}
	tk_contact_init(&c);
	tk_org_init(&o);
	rc = find_requester(t, kind, key.p, &e, &c, &o);
	if (rc == 0) {
		tk_contact_free(&c);
		rc = make_contact(t, kind, key.p, tk, &e, &c, &o);
		if (rc == 0)
			rc = 1;
	}
	if (rc > 0) {
		fill(tk, &e, creating);
		pend_add(t, key.p, key.len, &e);
	}
	tk_contact_free(&c);
	tk_org_free(&o);
	return rc < 0 ? -1 : 1;
}

int
tk_contact_backfill(tk_txn *t, uint64_t id)
{
	tk_assignments as = { 0 };
	tk_ticket tk, found;
	char *v[3];
	int rc, i;
	static const int fields[3] = { TK_F_CONTACT, TK_F_ORG, TK_F_TIER };
	static const char *const names[3] = { "contact", "org", "tier" };

	tk_ticket_init(&tk);
	if ((rc = tk_ticket_get(t, id, &tk, 1)) <= 0 || tk.f[TK_F_CONTACT].n || !tk.f[TK_F_REQUESTER].n) {
		tk_ticket_free(&tk);
		return rc < 0 ? -1 : 0;
	}
	/* The contact intake would give it (found, or made), on a copy; then
	 * written as tk writes what follows a contact (no new updated time). */
	tk_ticket_init(&found);
	if (tk_ticket_get(t, id, &found, 1) <= 0 || (rc = resolve(t, &found, 0)) < 0) {
		tk_ticket_free(&found);
		tk_ticket_free(&tk);
		return -1;
	}
	if (!found.f[TK_F_CONTACT].n) {	/* a requester that is no address nor phone */
		tk_ticket_free(&found);
		tk_ticket_free(&tk);
		return 0;
	}
	for (i = 0; i < 3; i++) {
		v[i] = tk_xstrndup(found.f[fields[i]].p, found.f[fields[i]].n);
		tk_assign_borrow(&as, fields[i], names[i], v[i]);
	}
	tk_ticket_free(&found);
	rc = tk_ticket_apply(t, &tk, &as, TK_APPLY_TK | TK_APPLY_UPGRADE);
	tk_assignments_free(&as);
	for (i = 0; i < 3; i++)
		free(v[i]);
	tk_ticket_free(&tk);
	return rc < 0 ? -1 : 1;
}

void
tk_contacts_install(tk_store *st)
{
	static char *msg;

	tk_requester_hook = resolve;
	if (!tk_settings_get(st->dir)) {
		free(msg);
		install_error = msg = tk_xstrdup(tk_errmsg);
	} else
		install_error = NULL;
}

/* The orgs of a store, read once for a preload. */
struct orglist {
	tk_org *v;
	size_t n;
};

static int
org_collect(tk_txn *t, tk_org *o, void *arg)
{
	struct orglist *l = arg;

	(void)t;
	l->v = tk_xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	tk_org_init(&l->v[l->n]);
	tk_org_copy(&l->v[l->n++], o);
	return 0;
}

static int preloaded;

/* The value of pair name in a contact's record (NAME NUL VALUE NUL ...),
 * "" when it has none; the record's bytes, in the map. */
static const char *
pair_value(const char *p, const char *end, const char *name)
{
	const char *z, *val;

	while (p < end) {
		if (!(z = memchr(p, '\0', (size_t)(end - p))) || (val = z + 1) >= end ||
		    !(z = memchr(val, '\0', (size_t)(end - val))))
			return "";
		if (!strcmp(p, name))
			return val;
		p = z + 1;
	}
	return "";
}

/* What the table needs of each contact: its org's index in orgs (-1
 * none) and its own tier, read in one pass over contacts in id order
 * (no record decoded whole). */
struct pre {
	int org;
	const char *orgkey, *tier;	/* (in the map) */
};

int
tk_contacts_preload(tk_store *st)
{
	struct orglist orgs = { NULL, 0 };
	struct centry e;
	struct pre *pre = NULL;
	MDB_cursor *cur;
	MDB_stat ms;
	MDB_val k, v;
	uint64_t id, maxid = 0;
	tk_txn t;
	size_t i;
	int rc;

	if (install_error || tk_txn_read(st, &t) < 0)
		return 0;
	if (mdb_stat(t.txn, st->dbi[TK_DB_CONTACT_EMAIL], &ms) || ms.ms_entries > PRELOAD_MAX ||
	    tk_org_each(&t, org_collect, &orgs) < 0 || mdb_cursor_open(t.txn, st->dbi[TK_DB_CONTACTS], &cur)) {
		tk_txn_end(&t);
		return 0;
	}
	if (!mdb_cursor_get(cur, &k, &v, MDB_LAST) && k.mv_size == 8)
		maxid = tk_get_u64(k.mv_data);
	rc = maxid > 4 * PRELOAD_MAX ? -1 : 0;	/* (ids are never given twice: a sparse range goes to the store) */
	if (!rc) {
		pre = tk_xmalloc((maxid + 1) * sizeof *pre);
		for (i = 0; i <= maxid; i++)
			pre[i] = (struct pre){ -1, NULL, NULL };
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			const char *rec = v.mv_data, *end = rec + v.mv_size, *org;

			if (k.mv_size != 8 || (id = tk_get_u64(k.mv_data)) > maxid)
				continue;
			pre[id].orgkey = org = pair_value(rec, end, "org");
			pre[id].tier = pair_value(rec, end, "tier");
			for (i = 0; i < orgs.n && *org; i++)
				if (!strcmp(orgs.v[i].v[TK_O_KEY], org))
					pre[id].org = (int)i;
		}
	}
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND && !mdb_cursor_open(t.txn, st->dbi[TK_DB_CONTACT_EMAIL], &cur)) {
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			const tk_org *o;

			if (v.mv_size != 8 || (id = tk_get_u64(v.mv_data)) > maxid || !pre[id].tier) {
				rc = -1;	/* indexed, but no such contact: the store answers */
				break;
			}
			o = pre[id].org >= 0 ? &orgs.v[pre[id].org] : NULL;
			e.id = id;
			e.lasting = 0;
			e.idtext = NULL;
			e.org = pre[id].orgkey;
			e.tier = *pre[id].tier ? pre[id].tier : o ? o->v[TK_O_TIER] : "";
			e.queue = o ? o->v[TK_O_QUEUE] : "";
			e.tags = o ? o->v[TK_O_TAGS] : "";
			cache_put(k.mv_data, k.mv_size, &e);
		}
		mdb_cursor_close(cur);
	}
	free(pre);
	for (i = 0; i < orgs.n; i++)
		tk_org_free(&orgs.v[i]);
	free(orgs.v);
	tk_txn_end(&t);
	/* the directory's pages read in let go (they stay in the page cache):
	 * a bulk load runs in the memory of a batch and this table */
	tk_store_forget(st);
	preloaded = rc == MDB_NOTFOUND;
	return preloaded;
}

int
tk_contact_intake_known(tk_txn *rt, tk_ticket *tk)
{
	char small[256];
	tk_buf key = { small, 0, sizeof small };	/* (grown on the heap past 256 bytes) */
	tk_str r = tk->f[TK_F_REQUESTER];
	struct centry e;
	tk_contact c;
	tk_org o;
	int kind, rc = 1;

	if (install_error || !r.n || tk->f[TK_F_CONTACT].n)
		return 0;
	/* The requester as the ticket keeps it (an address bare and
	 * lowercased) is the table's key. */
	if (cache_get(r.p, r.n, &e)) {
		fill(tk, &e, 1);
		return 1;
	}
	/* Every address the store held is in the table: the others are new
	 * (or phones, or made by the writer since), the writer's. */
	if (preloaded || !rt)
		return 0;
	if (r.n >= sizeof small)
		key = (tk_buf){ 0 };
	if (!(kind = requester_kind(r, &key)))
		goto out;	/* no contact to find or make */
	tk_contact_init(&c);
	tk_org_init(&o);
	rc = find_requester(rt, kind, key.p, &e, &c, &o);
	if (rc > 0) {
		cache_put(key.p, key.len, &e);
		fill(tk, &e, 1);
	}
	tk_contact_free(&c);
	tk_org_free(&o);
out:
	if (key.p != small)
		tk_buf_free(&key);
	return rc;
}

void
tk_contact_lookup_first(tk_store *st, tk_txn *rt, const char *requester)
{
	const tk_settings *s = tk_settings_get(st->dir);
	tk_str name, addr;
	tk_lookup *l, ans;
	struct answer *a;
	tk_txn own;
	uint64_t id;
	char *key;
	int rc;

	if (!s || !s->contact_lookup || !tk_address_split(requester, strlen(requester), &name, &addr))
		return;
	key = tk_xstrndup(addr.p, addr.n);
	tk_address_lower(key, addr.n);
	if (answer_get(key, &l)) {
		free(key);
		return;
	}
	if (!rt && tk_txn_read(st, &own) == 0) {
		rc = tk_contact_by_address(&own, key, addr.n, &id);
		tk_txn_end(&own);
	} else
		rc = rt ? tk_contact_by_address(rt, key, addr.n, &id) : 0;
	if (rc) {	/* known (or the store failed, which the write will say) */
		free(key);
		return;
	}
	rc = tk_lookup_run(s->contact_lookup, key, s->lookup_ms, &ans);
	pthread_mutex_lock(&answers.mu);
	if (rc < 0 && !answers.warned++)
		tk_warn("%s (its contact is made without it; said once)", tk_errmsg);
	if (2 * (answers.n + 1) > answers.cap) {
		size_t i;

		free(answers.slot);
		answers.cap = answers.cap ? 2 * answers.cap : 256;
		answers.slot = tk_xmalloc(answers.cap * sizeof *answers.slot);
		memset(answers.slot, 0, answers.cap * sizeof *answers.slot);
		for (i = 0; i < answers.n; i++)
			*answer_slot(answers.v[i]->addr) = i + 1;
	}
	answers.v = tk_xrealloc(answers.v, (answers.n + 1) * sizeof *answers.v);
	a = answers.v[answers.n++] = tk_xmalloc(sizeof *a);
	a->addr = key;
	*answer_slot(key) = answers.n;
	a->got = rc > 0;
	if (rc > 0)
		a->l = ans;
	else {
		tk_lookup_free(&ans);
		memset(&a->l, 0, sizeof a->l);
	}
	pthread_mutex_unlock(&answers.mu);
}

int
tk_contact_refresh(tk_txn *t, tk_contact *c, const tk_lookup *l)
{
	tk_contact old;
	int rc;

	tk_contact_init(&old);
	tk_contact_copy(&old, c);
	rc = apply_answer(t, c, l);
	if (!rc)
		rc = tk_contact_write(t, c, &old);
	tk_contact_free(&old);
	return rc;
}

/* ---- likely duplicates ---- */

struct dkey {
	char *key;
	uint64_t id;
};

static int
cmp_dkey(const void *a, const void *b)
{
	const struct dkey *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->id > y->id) - (x->id < y->id);
}

struct dcollect {
	struct dkey *names, *mails, *phones;
	size_t nn, nm, cn, cm, np, cp;
};

static void
dkey_add(struct dkey **v, size_t *n, size_t *cap, char *key, uint64_t id)
{
	if (*n == *cap)
		*v = tk_xrealloc(*v, (*cap = *cap ? 2 * *cap : 1024) * sizeof **v);
	(*v)[*n].key = key;
	(*v)[(*n)++].id = id;
}

/* An address as its mailbox is: the local part without dots and without
 * a +tag (bob.smith+support@x and bobsmith@x reach one person at most
 * providers), lowercased. */
static char *
mailbox(const char *a, size_t n)
{
	const char *at = memchr(a, '@', n);
	tk_buf b = { 0 };
	size_t i;

	if (!at)
		return NULL;
	for (i = 0; a + i < at && a[i] != '+'; i++)
		if (a[i] != '.')
			tk_buf_addc(&b, a[i]);
	tk_buf_add(&b, at, (size_t)(a + n - at));
	tk_buf_addc(&b, '\0');
	return b.p;
}

static int
collect_dupe(tk_txn *t, tk_contact *c, void *arg)
{
	struct dcollect *d = arg;
	const char *p, *e;
	tk_buf b = { 0 };
	size_t i;

	(void)t;
	if (c->v[TK_C_MERGED_INTO][0])
		return 0;
	if (c->v[TK_C_ORG][0] && c->v[TK_C_NAME][0]) {
		/* the name folded: case and runs of white space */
		tk_buf_printf(&b, "%s\t", c->v[TK_C_ORG]);
		for (i = 0; c->v[TK_C_NAME][i]; i++) {
			char ch = c->v[TK_C_NAME][i];

			if (ch == ' ' || ch == '\t') {
				if (b.len && b.p[b.len - 1] != ' ')
					tk_buf_addc(&b, ' ');
			} else
				tk_buf_addc(&b, ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch);
		}
		while (b.len && b.p[b.len - 1] == ' ')
			b.len--;
		tk_buf_addc(&b, '\0');
		dkey_add(&d->names, &d->nn, &d->cn, b.p, c->id);
	}
	for (p = c->v[TK_C_EMAILS]; *p; p = *e ? e + 1 : e) {
		char *m;

		e = p + strcspn(p, ",");
		if ((m = mailbox(p, (size_t)(e - p))))
			dkey_add(&d->mails, &d->nm, &d->cm, m, c->id);
	}
	return 0;
}

/* Pairs of a sorted run: the first of each key with every other. */
static int
runs(struct dkey *v, size_t n, const char *why, int (*fn)(uint64_t, uint64_t, const char *, const char *, void *),
    void *arg)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < n && !rc; i = j) {
		for (j = i + 1; j < n && !strcmp(v[j].key, v[i].key); j++)
			if (v[j].id != v[j - 1].id && !rc) {
				const char *shown = strchr(v[i].key, '\t');

				rc = fn(v[i].id, v[j].id, why, shown ? shown + 1 : v[i].key, arg);
			}
	}
	return rc;
}

int
tk_contact_dupes(tk_txn *t, int (*fn)(uint64_t a, uint64_t b, const char *why, const char *what, void *arg),
    void *arg)
{
	struct dcollect d = { 0 };
	tk_contact c;
	MDB_cursor *cur;
	MDB_val k, v;
	size_t i, x;
	int rc;

	tk_contact_init(&c);
	/*
	 * Same phone: the index's numbers with their digits reversed, sorted,
	 * so that one written with its country code and one without (before
	 * phone-country was set) come side by side: one the other's prefix,
	 * seven digits at least.
	 */
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_CONTACT_PHONE], &cur)))
		return tk_mdb_error(rc, "contact_phone");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		char *r = tk_xmalloc(k.mv_size + 1);

		for (i = 0; i < k.mv_size; i++)
			r[i] = ((char *)k.mv_data)[k.mv_size - 1 - i];
		r[k.mv_size] = '\0';
		dkey_add(&d.phones, &d.np, &d.cp, r, tk_get_u64(v.mv_data));
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND) {
		rc = tk_mdb_error(rc, "contact_phone");
		goto done;
	}
	rc = 0;
	if (d.np > 1)
		qsort(d.phones, d.np, sizeof *d.phones, cmp_dkey);
	for (i = 0; i < d.np && !rc; i++) {
		size_t j, a = strlen(d.phones[i].key);

		for (j = i + 1; j < d.np && !rc; j++) {
			size_t b = strlen(d.phones[j].key), m = a < b ? a : b;
			char *shown;

			if (m < 7 || memcmp(d.phones[i].key, d.phones[j].key, m))
				break;
			if (d.phones[i].id == d.phones[j].id)
				continue;
			shown = tk_xstrdup(d.phones[a > b ? i : j].key);
			for (x = 0; x < strlen(shown) / 2; x++) {
				char ch = shown[x];

				shown[x] = shown[strlen(shown) - 1 - x];
				shown[strlen(shown) - 1 - x] = ch;
			}
			rc = fn(d.phones[i].id < d.phones[j].id ? d.phones[i].id : d.phones[j].id,
			    d.phones[i].id < d.phones[j].id ? d.phones[j].id : d.phones[i].id, "phone", shown, arg) ? -1 : 0;
			free(shown);
		}
	}
	if (rc)
		goto done;
	if (tk_contact_each(t, collect_dupe, &d) < 0)
		rc = -1;
	else {
		rc = 0;
		if (d.nn > 1)
			qsort(d.names, d.nn, sizeof *d.names, cmp_dkey);
		if (d.nm > 1)
			qsort(d.mails, d.nm, sizeof *d.mails, cmp_dkey);
		if (runs(d.names, d.nn, "name", fn, arg) || runs(d.mails, d.nm, "address", fn, arg))
			rc = -1;
	}
done:
	for (i = 0; i < d.nn; i++)
		free(d.names[i].key);
	for (i = 0; i < d.nm; i++)
		free(d.mails[i].key);
	for (i = 0; i < d.np; i++)
		free(d.phones[i].key);
	free(d.names);
	free(d.mails);
	free(d.phones);
	tk_contact_free(&c);
	return rc;
}
