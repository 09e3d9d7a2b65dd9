/*
 * dirimport.c - a CRM's export into the customer directory: tk-contact
 * import and tk-org import. Rows are read by csvin.c (libcsv; the delimiter
 * guessed from the header, --encoding converted), header names folded as
 * tk-import folds them (tk_import_fold) and matched against -m mappings,
 * then the preset's names (salesforce, hubspot), then the record's own
 * columns and common aliases, English and Chinese. A column none of these
 * names is said once and left out.
 *
 * A row is the same contact as before by its external id, else by any of
 * its addresses (an org by its external id, else its key), so importing
 * the same file again changes nothing; a row with new values updates the
 * record (sets are joined: an address tk learnt is kept), and a row tk
 * refuses (a bad address, an unknown org or tier, an address another
 * contact has) is reported with its line and reason while the others go
 * in. Rows are committed in batches of 20,000, each checked whole before
 * anything of it is written.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "tk.h"

#define BATCH 20000

/* Columns a contact row may fill besides the record's own. */
enum { X_FIRST = TK_C_NCOLS, X_LAST, X_ORG_EXTERNAL, X_ORG_NAME, X_IGNORE };
/* and an org row */
enum { XO_IGNORE = TK_O_NCOLS };

struct alias {
	const char *from, *to;
};

static const struct alias contact_generic[] = {
	{ "email", "emails" }, { "e_mail", "emails" }, { "email_address", "emails" },
	{ "other_emails", "emails" }, { "secondary_email", "emails" }, { "work_email", "emails" },
	{ "phone", "phones" }, { "phone_number", "phones" }, { "mobile", "phones" }, { "mobile_phone", "phones" },
	{ "telephone", "phones" }, { "tel", "phones" }, { "full_name", "name" }, { "contact_name", "name" },
	{ "first_name", "first_name" }, { "given_name", "first_name" }, { "last_name", "last_name" },
	{ "family_name", "last_name" }, { "surname", "last_name" }, { "company", "org_name" },
	{ "company_name", "org_name" }, { "account", "org_name" }, { "account_name", "org_name" },
	{ "organization", "org_name" }, { "organisation", "org_name" }, { "org_key", "org" },
	{ "account_id", "org_external_id" }, { "company_id", "org_external_id" },
	{ "language", "lang" }, { "preferred_language", "lang" }, { "locale", "lang" },
	{ "timezone", "tz" }, { "time_zone", "tz" }, { "description", "notes" }, { "note", "notes" },
	{ "id", "external_id" }, { "contact_id", "external_id" }, { "record_id", "external_id" },
	{ "crm_id", "external_id" }, { "created_at", "created" }, { "create_date", "created" },
	{ "created_date", "created" }, { "last_activity", "last_contact" },
	{ "last_activity_date", "last_contact" }, { "last_contacted", "last_contact" },
	{ "level", "tier" }, { "customer_level", "tier" }, { "segment", "tier" },
	{ "姓名", "name" }, { "名字", "name" }, { "客户名称", "name" }, { "联系人", "name" },
	{ "邮箱", "emails" }, { "电子邮件", "emails" }, { "邮件", "emails" },
	{ "电话", "phones" }, { "手机", "phones" }, { "手机号", "phones" }, { "联系电话", "phones" },
	{ "公司", "org_name" }, { "公司名称", "org_name" }, { "单位", "org_name" },
	{ "客户级别", "tier" }, { "级别", "tier" }, { "等级", "tier" }, { "语言", "lang" },
	{ "时区", "tz" }, { "备注", "notes" }, { "创建时间", "created" }, { "最后联系时间", "last_contact" },
	{ NULL, NULL }
};

/* Salesforce contact exports: report labels and API names. */
static const struct alias contact_salesforce[] = {
	{ "id", "external_id" }, { "contact_id", "external_id" }, { "firstname", "first_name" },
	{ "lastname", "last_name" }, { "email", "emails" }, { "phone", "phones" },
	{ "mobilephone", "phones" }, { "mobile_phone", "phones" }, { "homephone", "phones" },
	{ "home_phone", "phones" }, { "accountid", "org_external_id" }, { "account_id", "org_external_id" },
	{ "account_name", "org_name" }, { "account", "org_name" }, { "description", "notes" },
	{ "createddate", "created" }, { "created_date", "created" }, { "lastactivitydate", "last_contact" },
	{ "last_activity", "last_contact" }, { "last_activity_date", "last_contact" },
	{ "customer_tier__c", "tier" }, { "tier__c", "tier" }, { "language__c", "lang" },
	{ "salutation", "-" }, { "title", "-" }, { "mailing_street", "-" }, { "mailing_city", "-" },
	{ "mailing_country", "-" }, { "contact_owner", "-" }, { "ownerid", "-" }, { "lead_source", "-" },
	{ NULL, NULL }
};

static const struct alias contact_hubspot[] = {
	{ "record_id", "external_id" }, { "contact_id", "external_id" }, { "email", "emails" },
	{ "phone_number", "phones" }, { "mobile_phone_number", "phones" }, { "company_name", "org_name" },
	{ "associated_company", "org_name" }, { "associated_company_id", "org_external_id" },
	{ "primary_associated_company_id", "org_external_id" }, { "preferred_language", "lang" },
	{ "time_zone", "tz" }, { "create_date", "created" }, { "last_activity_date", "last_contact" },
	{ "contact_owner", "-" }, { "lifecycle_stage", "-" }, { "lead_status", "-" },
	{ "marketing_contact_status", "-" }, { "job_title", "-" },
	{ NULL, NULL }
};

static const struct alias org_generic[] = {
	{ "org", "key" }, { "org_key", "key" }, { "slug", "key" }, { "handle", "key" },
	{ "id", "external_id" }, { "account_id", "external_id" }, { "company_id", "external_id" },
	{ "record_id", "external_id" }, { "crm_id", "external_id" }, { "account_name", "name" },
	{ "company", "name" }, { "company_name", "name" }, { "organization", "name" }, { "organisation", "name" },
	{ "domain", "domains" }, { "website", "domains" }, { "website_url", "domains" },
	{ "company_domain_name", "domains" }, { "industry", "tags" }, { "type", "tags" }, { "tag", "tags" },
	{ "labels", "tags" }, { "description", "notes" }, { "note", "notes" }, { "group", "queue" },
	{ "created_at", "created" }, { "create_date", "created" }, { "created_date", "created" },
	{ "level", "tier" }, { "customer_level", "tier" }, { "segment", "tier" },
	{ "公司", "name" }, { "公司名称", "name" }, { "名称", "name" }, { "域名", "domains" }, { "网站", "domains" },
	{ "行业", "tags" }, { "客户级别", "tier" }, { "级别", "tier" }, { "备注", "notes" }, { "队列", "queue" },
	{ NULL, NULL }
};

static const struct alias org_salesforce[] = {
	{ "id", "external_id" }, { "account_id", "external_id" }, { "account_name", "name" },
	{ "website", "domains" }, { "type", "tags" }, { "industry", "tags" }, { "description", "notes" },
	{ "createddate", "created" }, { "created_date", "created" }, { "customer_tier__c", "tier" },
	{ "tier__c", "tier" }, { "account_owner", "-" }, { "ownerid", "-" }, { "billing_city", "-" },
	{ "billing_country", "-" }, { "phone", "-" }, { "annual_revenue", "-" }, { "employees", "-" },
	{ NULL, NULL }
};

static const struct alias org_hubspot[] = {
	{ "record_id", "external_id" }, { "company_id", "external_id" }, { "company_name", "name" },
	{ "company_domain_name", "domains" }, { "website_url", "domains" }, { "industry", "tags" },
	{ "type", "tags" }, { "create_date", "created" }, { "company_owner", "-" }, { "phone_number", "-" },
	{ "city", "-" }, { "country/region", "-" }, { "lifecycle_stage", "-" },
	{ NULL, NULL }
};

static const struct {
	const char *name;
	const struct alias *contacts, *orgs;
} presets[] = {
	{ "salesforce", contact_salesforce, org_salesforce },
	{ "hubspot", contact_hubspot, org_hubspot },
	{ "generic", NULL, NULL },
	{ NULL, NULL, NULL }
};

int
tk_dimport_preset_ok(const char *name)
{
	size_t i;

	for (i = 0; presets[i].name; i++)
		if (!strcmp(presets[i].name, name))
			return 1;
	return 0;
}

struct tk_dimport {
	int orgs;
	const struct alias *preset, *generic;
	char **mapfrom, **mapto;
	size_t nmap;
	int *target;		/* a column's: a record column, an X_ one, or ignore */
	char **header;
	char **what;		/* "column \"Header\"": a refused value's messages say it */
	size_t ncols;
	const tk_dcol *cols;
	size_t ncolsrec;
};

static const char *
alias(const struct alias *a, const char *key)
{
	for (; a && a->from; a++)
		if (!strcmp(a->from, key))
			return a->to;
	return NULL;
}

tk_dimport *
tk_dimport_new(int orgs, const char *preset, const char *mapping)
{
	tk_dimport *im = tk_xmalloc(sizeof *im);
	char **raw = NULL;
	size_t i;

	memset(im, 0, sizeof *im);
	im->orgs = orgs;
	im->cols = orgs ? tk_org_cols : tk_contact_cols;
	im->ncolsrec = orgs ? TK_O_NCOLS : TK_C_NCOLS;
	im->generic = orgs ? org_generic : contact_generic;
	for (i = 0; preset && presets[i].name; i++)
		if (!strcmp(presets[i].name, preset))
			im->preset = orgs ? presets[i].orgs : presets[i].contacts;
	if (preset && !tk_dimport_preset_ok(preset)) {
		tk_error("--preset %s: no such preset (salesforce, hubspot, generic)", preset);
		free(im);
		return NULL;
	}
	if (tk_import_mapping(mapping, &raw, &im->mapfrom, &im->mapto, &im->nmap) < 0) {
		for (i = 0; i < im->nmap; i++)
			free(raw[i]);
		free(raw);
		tk_dimport_free(im);
		return NULL;
	}
	for (i = 0; i < im->nmap; i++) {
		char *to = tk_import_fold(im->mapto[i], strlen(im->mapto[i]));	/* matched as headers are */

		free(im->mapto[i]);
		im->mapto[i] = to;
		free(raw[i]);
	}
	free(raw);
	return im;
}

void
tk_dimport_free(tk_dimport *im)
{
	size_t i;

	if (!im)
		return;
	for (i = 0; i < im->nmap; i++) {
		free(im->mapfrom[i]);
		free(im->mapto[i]);
	}
	for (i = 0; i < im->ncols; i++) {
		free(im->header[i]);
		free(im->what[i]);
	}
	free(im->what);
	free(im->mapfrom);
	free(im->mapto);
	free(im->header);
	free(im->target);
	free(im);
}

/* The target of a name: a record column, an X_ one, ignore (-), or -1. */
static int
target(const tk_dimport *im, const char *to)
{
	int c;

	if (!strcmp(to, "-"))
		return im->orgs ? XO_IGNORE : X_IGNORE;
	c = tk_dcol_lookup(im->cols, im->ncolsrec, to, strlen(to));
	if (c >= 0 && !im->cols[c].readonly && im->cols[c].kind != TK_DK_COUNT)
		return c;
	if (c == TK_O_KEY && im->orgs)
		return c;
	if (!im->orgs) {
		if (!strcmp(to, "first_name"))
			return X_FIRST;
		if (!strcmp(to, "last_name"))
			return X_LAST;
		if (!strcmp(to, "org_external_id"))
			return X_ORG_EXTERNAL;
		if (!strcmp(to, "org_name"))
			return X_ORG_NAME;
	}
	return -1;
}

int
tk_dimport_header(tk_dimport *im, char **f, size_t *l, size_t n, tk_buf *said)
{
	const char *to;
	char *key;
	size_t i, j;
	int t, has_key = 0;

	im->target = tk_xmalloc((n ? n : 1) * sizeof *im->target);
	im->header = tk_xmalloc((n ? n : 1) * sizeof *im->header);
	im->what = tk_xmalloc((n ? n : 1) * sizeof *im->what);
	im->ncols = n;
	for (i = 0; i < n; i++) {
		im->header[i] = tk_xstrndup(f[i], l[i]);
		im->what[i] = tk_xmalloc(64);
		snprintf(im->what[i], 64, "column \"%.40s\"", im->header[i]);
		key = tk_import_fold(f[i], l[i]);
		to = NULL;
		for (j = 0; j < im->nmap && !to; j++)
			if (!strcmp(im->mapfrom[j], key))
				to = im->mapto[j];
		if (to && target(im, to) < 0) {
			tk_error("-m %s=%s: %s is no field of %s", im->header[i], to, to, im->orgs ? "an org" : "a contact");
			free(key);
			return -1;
		}
		if (!to)
			to = alias(im->preset, key);
		if (!to && target(im, key) >= 0)
			to = key;
		if (!to)
			to = alias(im->generic, key);
		t = to ? target(im, to) : -1;
		if (t < 0) {
			tk_buf_printf(said, "column %zu, \"%s\": no field of %s: left out (-m '%s=FIELD' maps it)",
			    i + 1, im->header[i], im->orgs ? "an org" : "a contact", im->header[i]);
			tk_buf_addc(said, '\0');
			t = im->orgs ? XO_IGNORE : X_IGNORE;
		}
		im->target[i] = t;
		if (im->orgs && (t == TK_O_KEY || t == TK_O_NAME || t == TK_O_EXTERNAL_ID))
			has_key = 1;
		if (!im->orgs && (t == TK_C_EMAILS || t == TK_C_EXTERNAL_ID || t == TK_C_PHONES))
			has_key = 1;
		free(key);
	}
	if (!has_key)
		return tk_error(im->orgs ? "no column names the org (key, name or external_id)" :
		    "no column names the contact (email, phone or external_id)");
	return 0;
}

/* ---- rows ---- */

/* A website's host: "https://www.initech.io/about" -> "initech.io". */
static char *
host_of(const char *s)
{
	const char *p = strstr(s, "://");
	char *h;
	size_t n;

	p = p ? p + 3 : s;
	n = strcspn(p, "/?#:");
	h = tk_xstrndup(p, n);
	tk_address_lower(h, n);
	if (!strncmp(h, "www.", 4))
		memmove(h, h + 4, strlen(h + 4) + 1);
	return h;
}

/* An org key made of a name: ASCII letters and digits lowercased, the
 * rest '-'; "" when that leaves no letter first. */
static char *
slug(const char *s)
{
	tk_buf b = { 0 };
	char *out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c))
			tk_buf_addc(&b, (char)tolower(c));
		else if (b.len && b.p[b.len - 1] != '-')
			tk_buf_addc(&b, '-');
	}
	while (b.len && b.p[b.len - 1] == '-')
		b.len--;
	if (b.len > 64)
		b.len = 64;
	tk_buf_addc(&b, '\0');
	out = tk_xstrdup(b.p);
	tk_buf_free(&b);
	if (!isalpha((unsigned char)out[0]) || !tk_dir_word_ok(out)) {
		free(out);
		return tk_xstrdup("");
	}
	return out;
}

struct byname {
	const char *name;
	char *key;
	int many;
};

static int
org_named(tk_txn *t, tk_org *o, void *arg)
{
	struct byname *b = arg;

	(void)t;
	if (strcasecmp(o->v[TK_O_NAME], b->name) && strcasecmp(o->v[TK_O_KEY], b->name))
		return 0;
	if (b->key)
		b->many = 1;
	else
		b->key = tk_xstrdup(o->v[TK_O_KEY]);
	return 0;
}

enum { R_CREATED = 1, R_UPDATED, R_UNCHANGED };

/* The assignments whose column was set to -1 taken out. */
static void
drop_unset(tk_dasgs *as)
{
	size_t i, o;

	for (i = o = 0; i < as->n; i++)
		if (as->a[i].col < 0)
			free(as->a[i].value);
		else
			as->a[o++] = as->a[i];
	as->n = o;
}

/*
 * A row that makes a new contact, the common case, without the general
 * path's copies (an assignment a value, a contact of malloc'd strings):
 * each value is checked as tk_dasg_add_col checks it and kept as
 * tk_dasg_apply keeps it (addresses bare and lowercased, sets sorted,
 * each item once). A row it does not take goes the general way, which
 * then says why it refuses one: a value it would change (spaces around
 * it, an address with a display name, a time not in ISO 8601 UTC), a
 * column twice, a first and last name, an org by name, anything refused,
 * a contact the directory or the run already has. Returns 1 with *result,
 * 0 for the general way (nothing done), a TK_DIR_ code from
 * tk_cbulk_add_v, or -1. a: scratch memory for the row.
 */
#define FAST_ITEMS 16

struct fitems {
	const char *p[FAST_ITEMS];
	size_t n;
};

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The items sorted, each once, joined with commas into a. */
static const char *
fast_join(tk_arena *a, struct fitems *it)
{
	size_t i, len = 0, o = 0;
	char *out;

	if (it->n == 1)
		return it->p[0];
	if (!it->n)
		return "";
	qsort(it->p, it->n, sizeof *it->p, cmp_cstr);
	for (i = 0; i < it->n; i++)
		len += strlen(it->p[i]) + 1;
	out = tk_arena_alloc(a, len);
	for (i = 0; i < it->n; i++) {
		size_t l = strlen(it->p[i]);

		if (i && !strcmp(it->p[i], it->p[i - 1]))
			continue;
		if (o)
			out[o++] = ',';
		memcpy(out + o, it->p[i], l);
		o += l;
	}
	out[o] = '\0';
	return out;
}

/* The comma-separated items of s, each as it would be kept, into it: 0
 * for the general way. */
static int
fast_items(tk_arena *a, int kind, const char *s, struct fitems *it)
{
	const char *p = s, *e;
	char digits[64], *c;
	tk_str name, addr;
	size_t n;

	for (;; p = e + 1) {
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		if (!n || it->n == FAST_ITEMS || p[0] == ' ' || p[0] == '\t' || p[n - 1] == ' ' || p[n - 1] == '\t')
			return 0;
		if (kind == TK_DK_EMAILS) {
			if (memchr(p, ' ', n) || memchr(p, '\t', n) || !tk_address_split(p, n, &name, &addr) ||
			    name.n || addr.p != p || addr.n != n)
				return 0;
		} else if (!tk_phone_digits(p, n, NULL, digits, sizeof digits))
			return 0;
		c = tk_arena_alloc(a, n + 1);
		memcpy(c, p, n);
		c[n] = '\0';
		if (kind == TK_DK_EMAILS)
			tk_address_lower(c, n);
		it->p[it->n++] = c;
		if (!*e)
			return 1;
	}
}

static int
fast_row(tk_txn *t, tk_dimport *im, tk_cbulk *cb, char **f, size_t n, tk_arena *a, int *result)
{
	const char *v[TK_C_NCOLS], *orgext = "", *org;
	struct fitems emails = { { 0 }, 0 }, phones = { { 0 }, 0 };
	uint64_t id;
	size_t i;
	int col, rc;

	tk_arena_reset(a);
	for (i = 0; i < TK_C_NCOLS; i++)
		v[i] = "";
	for (i = 0; i < n; i++) {
		const char *val = f[i];
		const tk_dcol *c;

		if (!val[0] || (col = im->target[i]) == X_IGNORE)
			continue;
		if (col == X_ORG_EXTERNAL) {
			orgext = val;
			continue;
		}
		if (col >= TK_C_NCOLS)
			return 0;	/* a first or last name, an org by name */
		c = &tk_contact_cols[col];
		if (c->kind == TK_DK_COUNT || c->readonly || strpbrk(val, "\t\n\r"))
			return 0;
		if (c->kind == TK_DK_EMAILS || c->kind == TK_DK_PHONES) {
			if (!fast_items(a, c->kind, val, c->kind == TK_DK_EMAILS ? &emails : &phones))
				return 0;
			continue;
		}
		if (!tk_dval_kept(c, val))
			return 0;
		if (v[col][0])
			return 0;	/* (two columns: the general way says which wins) */
		v[col] = val;
	}
	if (!v[TK_C_ORG][0] && *orgext) {
		if ((rc = tk_cbulk_org_by_external(t, cb, orgext, &org)) <= 0)
			return rc;
		v[TK_C_ORG] = org;
	}
	/* a contact already known: by its external id, else an address */
	if (v[TK_C_EXTERNAL_ID][0]) {
		if ((rc = tk_cbulk_find(t, cb, 1, v[TK_C_EXTERNAL_ID], strlen(v[TK_C_EXTERNAL_ID]), &id)) != 0)
			return rc < 0 ? -1 : 0;
	} else
		for (i = 0; i < emails.n; i++)
			if ((rc = tk_cbulk_find(t, cb, 0, emails.p[i], strlen(emails.p[i]), &id)) != 0)
				return rc < 0 ? -1 : 0;
	v[TK_C_EMAILS] = fast_join(a, &emails);
	v[TK_C_PHONES] = fast_join(a, &phones);
	if (!v[TK_C_ORG][0] && v[TK_C_EMAILS][0]) {
		if ((rc = tk_cbulk_org_of_address(t, cb, v[TK_C_EMAILS], strcspn(v[TK_C_EMAILS], ","), &org)) < 0)
			return -1;
		if (rc)
			v[TK_C_ORG] = org;
	}
	if ((rc = tk_cbulk_add_v(t, cb, v, &id)) != 0)
		return rc;
	*result = R_CREATED;
	return 1;
}

/* One contact row in write txn t: 0 with *result, a TK_DIR_ code (the row
 * refused, tk_errmsg says why), or -1. A new contact is kept in cb, written
 * at the batch's end; a change of one already written goes through
 * tk_contact_write, after what cb keeps. */
static int
contact_row(tk_txn *t, tk_dimport *im, tk_cbulk *cb, char **f, size_t n, int *result)
{
	tk_dasgs as = { 0 };
	tk_contact c, old;
	const char *first = "", *last = "", *orgext = "", *orgname = "", *org = NULL;
	char *named = NULL;
	uint64_t id = 0;
	size_t i;
	int rc = 0, found = 0, col, ext_row = 0;
	static tk_arena scratch;

	if ((rc = fast_row(t, im, cb, f, n, &scratch, result)) != 0)
		return rc == 1 ? 0 : rc;
	tk_contact_init(&c);
	for (i = 0; i < n && rc == 0; i++) {
		if (!f[i][0])
			continue;
		col = im->target[i];
		switch (col) {
		case X_IGNORE:
			break;
		case X_FIRST:
			first = f[i];
			break;
		case X_LAST:
			last = f[i];
			break;
		case X_ORG_EXTERNAL:
			orgext = f[i];
			break;
		case X_ORG_NAME:
			orgname = f[i];
			break;
		default:
			rc = tk_dasg_add_col(&as, tk_contact_cols, col, im->what[i],
			    col == TK_C_EMAILS || col == TK_C_PHONES ? '+' : '=', f[i]);
			if (rc < 0)
				rc = TK_DIR_REFUSED;
		}
	}
	if (rc)
		goto out;
	if ((*first || *last) && !tk_dasg_has(&as, TK_C_NAME)) {
		char *name = tk_xmalloc(strlen(first) + strlen(last) + 2);

		sprintf(name, "%s%s%s", first, *first && *last ? " " : "", last);
		if (tk_dasg_add(&as, tk_contact_cols, TK_C_NCOLS, "name", "name", '=', name) < 0)
			rc = TK_DIR_REFUSED;
		free(name);
		if (rc)
			goto out;
	}
	/* The org: by key, else by the CRM's id, else by name. */
	if (!tk_dasg_has(&as, TK_C_ORG) && (*orgext || *orgname)) {
		if (*orgext && (rc = tk_cbulk_org_by_external(t, cb, orgext, &org)) < 0)
			goto out;
		if (!org && *orgname) {
			struct byname b = { orgname, NULL, 0 };

			if ((rc = tk_org_each(t, org_named, &b)) < 0)
				goto out;
			if (b.many) {
				tk_error("org %s: several orgs have that name: give the org's key", orgname);
				free(b.key);
				rc = TK_DIR_REFUSED;
				goto out;
			}
			org = named = b.key;
		}
		if (!org) {
			tk_error("no org %s (tk-org import, or tk-org add, makes it first)", *orgext ? orgext : orgname);
			rc = TK_DIR_REFUSED;
			goto out;
		}
		tk_dasg_add(&as, tk_contact_cols, TK_C_NCOLS, "org", "org", '=', org);
	}
	rc = 0;
	/* The same contact: by its external id, else by an address (a row
	 * with an external id the store does not know is a new contact; its
	 * address, if another's, refuses it). */
	for (i = 0; i < as.n && !found; i++)
		if (as.a[i].col == TK_C_EXTERNAL_ID) {
			ext_row = 1;
			if ((found = tk_cbulk_find(t, cb, 1, as.a[i].value, strlen(as.a[i].value), &id)) < 0)
				goto fail;
		}
	for (i = 0; i < as.n && !found && !ext_row; i++)
		if (as.a[i].col == TK_C_EMAILS) {
			const char *p = as.a[i].value, *e;

			while (*p && !found) {
				e = p + strcspn(p, ",");
				if ((found = tk_cbulk_find(t, cb, 0, p, (size_t)(e - p), &id)) < 0)
					goto fail;
				p = *e ? e + 1 : e;
			}
		}
	if (!found) {
		tk_dasg_apply(c.v, &as, tk_contact_cols);
		if (!c.v[TK_C_ORG][0] && c.v[TK_C_EMAILS][0]) {
			const char *p = c.v[TK_C_EMAILS], *k;

			if ((rc = tk_cbulk_org_of_address(t, cb, p, strcspn(p, ","), &k)) < 0)
				goto fail;
			if (rc)
				free(c.v[TK_C_ORG]), c.v[TK_C_ORG] = tk_xstrdup(k);
		}
		/* (checked whole before anything of it is kept) */
		if ((rc = tk_cbulk_add(t, cb, &c)) < 0)
			goto out;
		*result = R_CREATED;
		goto out;
	}
	/* A contact already written: what the batch keeps goes first. */
	if (tk_cbulk_flush(t, cb) < 0)
		goto fail;
	tk_contact_init(&old);
	/* merged away: the one it joined */
	for (i = 0; i < 16; i++) {
		if ((rc = tk_contact_get(t, id, &old)) <= 0) {
			if (!rc)
				rc = tk_error("c%llu: indexed, but no such contact", (unsigned long long)id);
			goto fail_old;
		}
		if (!old.v[TK_C_MERGED_INTO][0] || tk_contact_id_parse(old.v[TK_C_MERGED_INTO],
		    strlen(old.v[TK_C_MERGED_INTO]), &id) < 0)
			break;
	}
	rc = 0;
	tk_contact_copy(&c, &old);
	/* What tk knows and the row does not say stays; created too. */
	for (i = 0; i < as.n; i++)
		if (as.a[i].col == TK_C_CREATED && old.v[TK_C_CREATED][0])
			as.a[i].col = -1;
		else if (as.a[i].col == TK_C_LAST_CONTACT && strcmp(as.a[i].value, old.v[TK_C_LAST_CONTACT]) < 0)
			as.a[i].col = -1;
	drop_unset(&as);
	tk_dasg_apply(c.v, &as, tk_contact_cols);
	for (i = TK_C_NAME; i < TK_C_NSTORED && !strcmp(c.v[i], old.v[i]); i++)
		;
	if (i == TK_C_NSTORED)
		*result = R_UNCHANGED;
	else if ((rc = tk_contact_write(t, &c, &old)) == 0) {	/* (it checks all before it writes anything) */
		tk_cbulk_note(cb, &c);
		*result = R_UPDATED;
	}
	tk_contact_free(&old);
	goto out;
fail_old:
	tk_contact_free(&old);
fail:
	rc = -1;
out:
	free(named);
	tk_dasgs_free(&as);
	tk_contact_free(&c);
	return rc;
}

static int
org_row(tk_txn *t, tk_dimport *im, char **f, size_t n, int *result)
{
	tk_dasgs as = { 0 };
	tk_org o, old;
	char *key = NULL, *byext = NULL;
	const char *what;
	size_t i;
	int rc = 0, found = 0, col;

	tk_org_init(&o);
	tk_org_init(&old);
	for (i = 0; i < n && rc == 0; i++) {
		if (!f[i][0] || (col = im->target[i]) == XO_IGNORE)
			continue;
		what = im->what[i];
		if (col == TK_O_KEY) {
			if (!tk_dir_word_ok(f[i])) {
				tk_error("%s: %s is not an org key (a letter, then letters, digits, _ - .)", what, f[i]);
				rc = TK_DIR_REFUSED;
			}
			free(key);
			key = tk_xstrdup(f[i]);
			continue;
		}
		if (col == TK_O_DOMAINS) {
			/* websites and lists of domains alike */
			char *copy = tk_xstrdup(f[i]), *tok, *save;
			tk_buf d = { 0 };

			for (tok = strtok_r(copy, ",; \t", &save); tok; tok = strtok_r(NULL, ",; \t", &save)) {
				char *h = host_of(tok);

				tk_buf_printf(&d, "%s%s", d.len ? "," : "", h);
				free(h);
			}
			rc = tk_dasg_add(&as, tk_org_cols, TK_O_NCOLS, what, "domains", '+', d.p ? d.p : "");
			tk_buf_free(&d);
			free(copy);
		} else
			rc = tk_dasg_add(&as, tk_org_cols, TK_O_NCOLS, what, tk_org_cols[col].name,
			    col == TK_O_TAGS ? '+' : '=', f[i]);
		if (rc < 0)
			rc = TK_DIR_REFUSED;
	}
	if (rc)
		goto out;
	for (i = 0; i < as.n; i++)
		if (as.a[i].col == TK_O_EXTERNAL_ID && (found = tk_org_by_external(t, as.a[i].value, &byext)) < 0)
			goto fail;
	if (found) {
		free(key);
		key = byext;
		byext = NULL;
	}
	if (!key) {
		for (i = 0; i < as.n && !key; i++)
			if (as.a[i].col == TK_O_NAME && *(key = slug(as.a[i].value)) == '\0') {
				free(key);
				key = NULL;
			}
		for (i = 0; i < as.n && !key; i++)
			if (as.a[i].col == TK_O_EXTERNAL_ID) {
				char *s = slug(as.a[i].value);

				key = tk_xmalloc(strlen(s) + 5);
				sprintf(key, "org-%s", s);
				free(s);
				if (!tk_dir_word_ok(key))
					free(key), key = NULL;
			}
		if (!key) {
			tk_error("no org key: give a key column, or a name of Latin letters");
			rc = TK_DIR_REFUSED;
			goto out;
		}
	}
	if ((found = tk_org_get(t, key, &old)) < 0)
		goto fail;
	if (found)
		tk_org_copy(&o, &old);
	else {
		free(o.v[TK_O_KEY]);
		o.v[TK_O_KEY] = tk_xstrdup(key);
	}
	for (i = 0; i < as.n; i++)
		if (as.a[i].col == TK_O_CREATED && found && old.v[TK_O_CREATED][0])
			as.a[i].col = -1;	/* made when tk first saw it */
	drop_unset(&as);
	tk_dasg_apply(o.v, &as, tk_org_cols);
	if (found) {
		for (i = TK_O_NAME; i < TK_O_NSTORED && !strcmp(o.v[i], old.v[i]); i++)
			;
		if (i == TK_O_NSTORED) {
			*result = R_UNCHANGED;
			goto out;
		}
	}
	if ((rc = tk_org_save(t, &o, found ? &old : NULL, NULL)) < 0)	/* (checks first) */
		goto out;
	*result = found ? R_UPDATED : R_CREATED;
	goto out;
fail:
	rc = -1;
out:
	free(key);
	free(byext);
	tk_dasgs_free(&as);
	tk_org_free(&o);
	tk_org_free(&old);
	return rc;
}

/* ---- files ---- */

struct row {
	long lineno;
	char **f;
	size_t n;
	int result;
	char *why;
};

struct batch {
	tk_dimport *im;
	tk_cbulk *cb;		/* contacts: the new ones, written at the batch's end */
	struct row *rows;
	size_t n, cap;
	tk_arena arena;
	long created, updated, unchanged, rejected;
};

static int
write_batch(tk_txn *t, void *arg)
{
	struct batch *b = arg;
	size_t i;
	int rc;

	b->created = b->updated = b->unchanged = b->rejected = 0;
	if (b->cb && tk_cbulk_begin(t, b->cb) < 0)
		return TK_EXIT_FAIL;
	for (i = 0; i < b->n; i++) {
		struct row *r = &b->rows[i];

		free(r->why);
		r->why = NULL;
		if (r->result < 0) {	/* refused while reading */
			b->rejected++;
			continue;
		}
		r->result = 0;
		rc = b->im->orgs ? org_row(t, b->im, r->f, r->n, &r->result) :
		    contact_row(t, b->im, b->cb, r->f, r->n, &r->result);
		if (rc == -1 || tk_map_full)
			return TK_EXIT_FAIL;
		if (rc < 0) {
			r->why = tk_xstrdup(tk_errmsg);
			b->rejected++;
			continue;
		}
		b->created += r->result == R_CREATED;
		b->updated += r->result == R_UPDATED;
		b->unchanged += r->result == R_UNCHANGED;
	}
	if (b->cb && tk_cbulk_end(t, b->cb) < 0)
		return TK_EXIT_FAIL;
	return 0;
}

static void
reject(FILE *rejfp, const char *name, const struct row *r, const char *why)
{
	tk_str *out;
	char num[24];
	size_t i;

	tk_warn("%s:%ld: %s", name, r->lineno, why);
	if (!rejfp)
		return;
	out = tk_xmalloc((r->n + 2) * sizeof *out);
	snprintf(num, sizeof num, "%ld", r->lineno);
	out[0] = TK_STR(num);
	out[1] = TK_STR(why);
	for (i = 0; i < r->n; i++)
		out[i + 2] = TK_STR(r->f[i]);
	tk_write_record(rejfp, out, r->n + 2);
	free(out);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
tk_dimport_file(tk_store *st, const tk_dimport_opts *o, const char *path)
{
	struct batch b = { 0 };
	tk_dimport *im;
	tk_csv *csv;
	FILE *fp;
	char **f, *p;
	size_t *l, n, i, j, total;
	long lineno, read = 0, created = 0, updated = 0, unchanged = 0, rejected = 0;
	tk_buf said = { 0 };
	const char *name = strcmp(path, "-") ? path : "stdin";
	double start = now_s();
	int rc, status = 0, end = 0;

	if (!(fp = strcmp(path, "-") ? fopen(path, "r") : stdin)) {
		tk_warn("%s: %s", path, strerror(errno));
		return TK_EXIT_FAIL;
	}
	if (!(csv = tk_csv_open(fp, name, o->delim, 0, o->encoding)))
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (!(im = tk_dimport_new(o->orgs, o->preset, o->mapping)))
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	rc = tk_csv_next(csv, &f, &l, &n, &lineno);
	if (rc <= 0) {
		tk_warn(rc ? "%s:%ld: %s" : "%s: empty: no header row", name, lineno, tk_errmsg);
		status = TK_EXIT_DATA;
		goto done;
	}
	if (tk_dimport_header(im, f, l, n, &said) < 0) {
		tk_warn("%s:%ld: %s", name, lineno, tk_errmsg);
		status = TK_EXIT_DATA;
		goto done;
	}
	for (i = 0; i < said.len; i += strlen(said.p + i) + 1)
		tk_warn("%s:%ld: %s", name, lineno, said.p + i);
	if (o->rejfp) {	/* the rejected rows' header: line, reason, the input's */
		tk_str *h = tk_xmalloc((n + 2) * sizeof *h);

		h[0] = TK_STR("#line");
		h[1] = TK_STR("reason");
		for (i = 0; i < n; i++)
			h[i + 2] = (tk_str){ f[i], l[i] };
		tk_write_record(o->rejfp, h, n + 2);
		free(h);
	}
	b.im = im;
	b.cb = o->orgs ? NULL : tk_cbulk_new();
	while (!end) {
		/* A batch of rows, copied (the reader's are good until its next). */
		b.n = 0;
		tk_arena_reset(&b.arena);
		while (b.n < BATCH) {
			struct row *r;

			rc = tk_csv_next(csv, &f, &l, &n, &lineno);
			if (rc == 0) {
				end = 1;
				break;
			}
			if (b.n == b.cap)
				b.rows = tk_xrealloc(b.rows, (b.cap = b.cap ? 2 * b.cap : 1024) * sizeof *b.rows);
			r = &b.rows[b.n++];
			memset(r, 0, sizeof *r);
			r->lineno = lineno;
			read++;
			if (rc < 0) {
				r->result = -1;
				r->why = tk_xstrdup(tk_errmsg);
				continue;
			}
			if (n != im->ncols) {
				r->result = -1;
				tk_error("%zu fields, the header has %zu", n, im->ncols);
				r->why = tk_xstrdup(tk_errmsg);
			}
			for (j = 0, total = 0; j < n; j++)
				total += l[j] + 1;
			r->f = tk_arena_alloc(&b.arena, (n ? n : 1) * sizeof *r->f);
			p = tk_arena_alloc(&b.arena, total ? total : 1);
			for (j = 0; j < n; j++) {
				r->f[j] = memcpy(p, f[j], l[j]);
				r->f[j][l[j]] = '\0';
				if (r->result >= 0 && memchr(f[j], '\0', l[j])) {
					r->result = -1;
					r->why = tk_xstrdup("a NUL byte in a field");
				} else if (r->result >= 0 && tk_utf8_invalid(f[j], l[j]) >= 0) {
					r->result = -1;
					r->why = tk_xstrdup("invalid UTF-8 (is it another encoding? see --encoding)");
				}
				p += l[j] + 1;
			}
			r->n = n;
		}
		if (!b.n)
			break;
		{
			char *whys[BATCH];

			/* (reasons of rows refused while reading: the writer clears why) */
			for (i = 0; i < b.n; i++) {
				whys[i] = b.rows[i].result < 0 ? b.rows[i].why : NULL;
				if (whys[i])
					b.rows[i].why = NULL;
			}
			if ((rc = tk_store_write(st, write_batch, &b))) {
				tk_warn("%s", tk_errmsg);
				tk_die(rc, "%s: stopped at line %ld; what was committed stays, re-run to finish", name,
				    b.rows[0].lineno);
			}
			if (b.cb)
				tk_cbulk_committed(b.cb);
			for (i = 0; i < b.n; i++) {
				if (whys[i])
					reject(o->rejfp, name, &b.rows[i], whys[i]);
				else if (b.rows[i].why)
					reject(o->rejfp, name, &b.rows[i], b.rows[i].why);
				free(whys[i]);
				free(b.rows[i].why);
				b.rows[i].why = NULL;
			}
		}
		created += b.created;
		updated += b.updated;
		unchanged += b.unchanged;
		rejected += b.rejected;
		if (o->progress && !end)
			fprintf(stderr, "\r%s: %ld rows, %.0f rows/s   ", name, read, read / (now_s() - start + 1e-9));
	}
	if (o->progress)
		fputs("\r\033[K", stderr);
	if (!o->quiet)
		fprintf(stderr, "%s: %s: %ld read, %ld created, %ld updated, %ld unchanged, %ld rejected\n",
		    tk_progname, name, read, created, updated, unchanged, rejected);
	if (rejected)
		status = TK_EXIT_DATA;
done:
	tk_buf_free(&said);
	tk_csv_close(csv);
	if (fp != stdin)
		fclose(fp);
	tk_dimport_free(im);
	tk_cbulk_free(b.cb);
	free(b.rows);
	tk_arena_free(&b.arena);
	return status;
}
