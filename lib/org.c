/*
 * org.c - organisations of the customer directory: a key (a word), a
 * name, domains, a tier, a default queue, tags for their tickets, notes
 * and the CRM's id (sub-databases orgs, org_domain, org_external;
 * doc/STORE.md). A domain belongs to one org at most and is never a
 * free-mail domain (the built-in list below, and free-mail in config), so
 * that one gmail.com user's org never becomes every gmail.com user's. An
 * address belongs to the org of its most specific domain: a sub-domain
 * with an org of its own (associates.fema.dhs.gov) is not its parent's.
 * Every change is an event keyed org:KEY (DESIGN.md 3).
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

const tk_dcol tk_org_cols[TK_O_NCOLS] = {
	[TK_O_KEY] = { "key", NULL, TK_DK_WORD, 1 },
	[TK_O_NAME] = { "name", NULL, TK_DK_TEXT, 0 },
	[TK_O_DOMAINS] = { "domains", "domain", TK_DK_DOMAINS, 0 },
	[TK_O_TIER] = { "tier", NULL, TK_DK_WORD, 0 },
	[TK_O_QUEUE] = { "queue", NULL, TK_DK_TEXT, 0 },
	[TK_O_TAGS] = { "tags", "tag", TK_DK_WORDS, 0 },
	[TK_O_NOTES] = { "notes", NULL, TK_DK_TEXT, 0 },
	[TK_O_EXTERNAL_ID] = { "external_id", NULL, TK_DK_TEXT, 0 },
	[TK_O_CREATED] = { "created", NULL, TK_DK_TIME, 0 },
	[TK_O_CONTACTS] = { "contacts", NULL, TK_DK_COUNT, 1 },
	[TK_O_TICKETS] = { "tickets", NULL, TK_DK_COUNT, 1 },
	[TK_O_OPEN] = { "open", NULL, TK_DK_COUNT, 1 },
};

/* Mail services anyone can sign up to: their domains are nobody's org. */
static const char *const free_mail[] = {
	"qq.com", "vip.qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn",
	"sohu.com", "139.com", "189.cn", "wo.cn", "aliyun.com", "tom.com", "21cn.com",
	"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
	"yahoo.com", "yahoo.co.jp", "yahoo.co.uk", "yahoo.fr", "ymail.com", "icloud.com", "me.com",
	"mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "gmx.net", "web.de",
	"mail.com", "yandex.ru", "yandex.com", "mail.ru", "zoho.com", "tutanota.com", "fastmail.com",
	"hey.com", "naver.com", "daum.net", "hanmail.net", "rediffmail.com",
	NULL
};

int
tk_free_mail(const tk_settings *s, const char *d, size_t n)
{
	const char *p = d, *end = d + n;
	size_t i, k;

	/* the domain or any domain it is under: mail.163.com is 163.com's */
	while (p < end) {
		k = (size_t)(end - p);
		for (i = 0; free_mail[i]; i++)
			if (strlen(free_mail[i]) == k && !memcmp(free_mail[i], p, k))
				return 1;
		for (i = 0; s && i < s->nfree; i++)
			if (strlen(s->free_mail[i]) == k && !memcmp(s->free_mail[i], p, k))
				return 1;
		p = memchr(p, '.', k);
		if (!p)
			break;
		p++;
	}
	return 0;
}

int
tk_dir_exit(int rc)
{
	return rc == TK_DIR_BAD ? TK_EXIT_USAGE : rc == TK_DIR_REFUSED ? TK_EXIT_DATA : rc < 0 ? TK_EXIT_FAIL : 0;
}

const tk_settings *
tk_dir_settings(tk_txn *t)
{
	return tk_settings_get(t->st->dir);
}

int
tk_tier_check(tk_txn *t, const char *what, const char *tier)
{
	const tk_settings *s = tk_dir_settings(t);
	tk_buf b = { 0 };
	size_t i;

	if (!s)
		return TK_DIR_REFUSED;
	if (!*tier || tk_settings_tier_rank(s, tier, strlen(tier)) >= 0)
		return 0;
	for (i = 0; i < s->ntiers; i++)
		tk_buf_printf(&b, "%s%s", i ? ", " : "", s->tiers[i]);
	tk_error("%s: tier %s is not one of the store's tiers (%s; tiers in %s/config)", what, tier, b.p,
	    t->st->dir);
	tk_buf_free(&b);
	return TK_DIR_BAD;
}

void
tk_org_init(tk_org *o)
{
	tk_dvals_init(o->v, TK_O_NCOLS);
}

void
tk_org_free(tk_org *o)
{
	tk_dvals_free(o->v, TK_O_NCOLS);
}

void
tk_org_copy(tk_org *dst, const tk_org *src)
{
	tk_dvals_copy(dst->v, src->v, TK_O_NCOLS);
}

static int
decode(const char *key, size_t n, MDB_val rec, tk_org *o)
{
	free(o->v[TK_O_KEY]);
	o->v[TK_O_KEY] = tk_xstrndup(key, n);
	return tk_pairs_decode(rec.mv_data, rec.mv_size, tk_org_cols, TK_O_NAME, TK_O_NSTORED, o->v, o->v[TK_O_KEY]);
}

int
tk_org_get(tk_txn *t, const char *key, tk_org *o)
{
	MDB_val k = { strlen(key), (void *)key }, v;
	int rc;

	if (!*key || k.mv_size > 64)
		return 0;
	rc = mdb_get(t->txn, t->st->dbi[TK_DB_ORGS], &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return tk_mdb_error(rc, "orgs");
	return decode(key, k.mv_size, v, o) < 0 ? -1 : 1;
}

int
tk_org_exists(tk_txn *t, const char *key)
{
	MDB_val k = { strlen(key), (void *)key }, v;
	int rc;

	if (!*key || k.mv_size > 64)
		return 0;
	rc = mdb_get(t->txn, t->st->dbi[TK_DB_ORGS], &k, &v);
	return rc == MDB_NOTFOUND ? 0 : rc ? tk_mdb_error(rc, "orgs") : 1;
}

int
tk_org_each(tk_txn *t, int (*fn)(tk_txn *, tk_org *, void *), void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	tk_org o;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_ORGS], &c)))
		return tk_mdb_error(rc, "orgs");
	tk_org_init(&o);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if (decode(k.mv_data, k.mv_size, v, &o) < 0 || fn(t, &o, arg)) {
			rc = -1;
			break;
		}
	mdb_cursor_close(c);
	tk_org_free(&o);
	if (rc == -1)
		return -1;
	return rc == MDB_NOTFOUND ? 0 : tk_mdb_error(rc, "orgs");
}

int
tk_org_unknown(tk_txn *t, const char *what, const char *key)
{
	MDB_cursor *c;
	MDB_val k, v;
	tk_nearest nr;
	tk_buf held = { 0 };
	size_t i;

	tk_nearest_init(&nr, key);
	if (!mdb_cursor_open(t->txn, t->st->dbi[TK_DB_ORGS], &c)) {
		while (!mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			tk_buf_add(&held, k.mv_data, k.mv_size);
			tk_buf_addc(&held, '\0');
		}
		mdb_cursor_close(c);
	}
	for (i = 0; i < held.len; i += strlen(held.p + i) + 1)
		tk_nearest_try(&nr, held.p + i);
	if (nr.best)
		tk_error("%s: no org %s; did you mean %s?", what, key, nr.best);
	else
		tk_error("%s: no org %s (tk-org add %s makes one)", what, key, key);
	tk_buf_free(&held);
	return TK_DIR_REFUSED;
}

/* The org key under k in a plain index (org_domain, org_external): 1
 * with *key (a copy), 0 none, -1 an error. */
static int
key_get(tk_txn *t, int db, const char *k, size_t n, char **key)
{
	MDB_val kv = { n, (void *)k }, v;
	int rc;

	if (!n || n > 500)
		return 0;
	rc = mdb_get(t->txn, t->st->dbi[db], &kv, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return tk_mdb_error(rc, db == TK_DB_ORG_DOMAIN ? "org_domain" : "org_external");
	*key = tk_xstrndup(v.mv_data, v.mv_size);
	return 1;
}

int
tk_org_by_external(tk_txn *t, const char *ext, char **key)
{
	return key_get(t, TK_DB_ORG_EXTERNAL, ext, strlen(ext), key);
}

int
tk_org_of_domain(tk_txn *t, const char *dom, size_t n, char **key)
{
	const tk_settings *s = tk_dir_settings(t);
	const char *p = dom, *end = dom + n, *dot;
	int rc;

	if (!s)
		return -1;
	if (tk_free_mail(s, dom, n))
		return 0;
	/* the most specific first: eu.initech.io before initech.io */
	while (p < end && (dot = memchr(p, '.', (size_t)(end - p)))) {
		if ((rc = key_get(t, TK_DB_ORG_DOMAIN, p, (size_t)(end - p), key)) != 0)
			return rc;
		p = dot + 1;
	}
	return 0;
}

int
tk_org_of_address(tk_txn *t, const char *addr, size_t n, char **key)
{
	const char *at = memchr(addr, '@', n);

	if (!at)
		return 0;
	return tk_org_of_domain(t, at + 1, (size_t)(addr + n - at - 1), key);
}

/* Each item of now not in before: fn(item). */
static int
each_new(const char *now, const char *before, int (*fn)(tk_txn *, const char *, size_t, void *), tk_txn *t,
    void *arg)
{
	const char *p = now, *c;
	int rc;

	while (*p) {
		c = strchr(p, ',');
		if (!c)
			c = p + strlen(p);
		if (c > p && !tk_list_has(before, p, (size_t)(c - p)) && (rc = fn(t, p, (size_t)(c - p), arg)) < 0)
			return rc;
		p = *c ? c + 1 : c;
	}
	return 0;
}

struct keyed {
	int db;
	const char *key;
};

static int
claim_domain(tk_txn *t, const char *d, size_t n, void *arg)
{
	struct keyed *kd = arg;
	MDB_val k = { n, (void *)d }, v = { strlen(kd->key), (void *)kd->key };
	char *other = NULL;
	int rc;

	if (tk_free_mail(tk_dir_settings(t), d, n)) {
		tk_error("org %s: %.*s is a free-mail domain: never an org's (free-mail in tk-config(5))",
		    kd->key, (int)n, d);
		return TK_DIR_REFUSED;
	}
	if ((rc = key_get(t, TK_DB_ORG_DOMAIN, d, n, &other)) < 0)
		return -1;
	if (rc && strcmp(other, kd->key)) {
		tk_error("org %s: domain %.*s is org %s's", kd->key, (int)n, d, other);
		free(other);
		return TK_DIR_REFUSED;
	}
	free(other);
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_ORG_DOMAIN], &k, &v, 0)))
		return tk_mdb_error(rc, "org_domain");
	return 0;
}

static int
drop_key(tk_txn *t, const char *d, size_t n, void *arg)
{
	struct keyed *kd = arg;
	MDB_val k = { n, (void *)d };
	int rc = mdb_del(t->txn, t->st->dbi[kd->db], &k, NULL);

	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "org index") : 0;
}

static int
check_domain(tk_txn *t, const char *d, size_t n, void *arg)
{
	struct keyed *kd = arg;
	char *other = NULL;
	int rc;

	if (tk_free_mail(tk_dir_settings(t), d, n)) {
		tk_error("org %s: %.*s is a free-mail domain: never an org's (free-mail in tk-config(5))",
		    kd->key, (int)n, d);
		return TK_DIR_REFUSED;
	}
	if ((rc = key_get(t, TK_DB_ORG_DOMAIN, d, n, &other)) < 0)
		return -1;
	if (rc && strcmp(other, kd->key)) {
		tk_error("org %s: domain %.*s is org %s's", kd->key, (int)n, d, other);
		free(other);
		return TK_DIR_REFUSED;
	}
	free(other);
	return 0;
}

int
tk_org_check(tk_txn *t, const tk_org *o, const tk_org *old)
{
	struct keyed kd = { TK_DB_ORG_DOMAIN, o->v[TK_O_KEY] };
	const char *ext = o->v[TK_O_EXTERNAL_ID];
	char what[80], *other = NULL;
	int rc;

	if (!tk_dir_settings(t))
		return TK_DIR_REFUSED;
	snprintf(what, sizeof what, "org %s", o->v[TK_O_KEY]);
	if ((rc = tk_tier_check(t, what, o->v[TK_O_TIER])) < 0)
		return rc;
	if ((rc = each_new(o->v[TK_O_DOMAINS], old ? old->v[TK_O_DOMAINS] : "", check_domain, t, &kd)) < 0)
		return rc;
	if (*ext && (!old || strcmp(old->v[TK_O_EXTERNAL_ID], ext))) {
		if (strlen(ext) > 500) {
			tk_error("org %s: external id longer than 500 bytes", o->v[TK_O_KEY]);
			return TK_DIR_BAD;
		}
		if ((rc = key_get(t, TK_DB_ORG_EXTERNAL, ext, strlen(ext), &other)) < 0)
			return -1;
		if (rc && strcmp(other, o->v[TK_O_KEY])) {
			tk_error("org %s: external id %s is org %s's", o->v[TK_O_KEY], ext, other);
			free(other);
			return TK_DIR_REFUSED;
		}
		free(other);
	}
	return 0;
}

int
tk_org_write(tk_txn *t, tk_org *o, const tk_org *old)
{
	static tk_buf rec, key;
	const char *none = "";
	struct keyed kd = { TK_DB_ORG_DOMAIN, o->v[TK_O_KEY] };
	MDB_val k, v;
	size_t i;
	int rc;

	key.len = 0;
	tk_buf_printf(&key, "org:%s", o->v[TK_O_KEY]);
	/* Everything that may refuse the change, before anything is written. */
	if ((rc = tk_org_check(t, o, old)) < 0)
		return rc;
	if (!old && !o->v[TK_O_CREATED][0]) {
		free(o->v[TK_O_CREATED]);
		o->v[TK_O_CREATED] = tk_xstrdup(t->now_iso);
	}
	/* Domains: the new ones claimed (refused when another org's or free
	 * mail), those dropped let go. */
	if ((rc = each_new(o->v[TK_O_DOMAINS], old ? old->v[TK_O_DOMAINS] : none, claim_domain, t, &kd)) < 0)
		return rc;
	if (old && (rc = each_new(old->v[TK_O_DOMAINS], o->v[TK_O_DOMAINS], drop_key, t, &kd)) < 0)
		return rc;
	if (!old || strcmp(old->v[TK_O_EXTERNAL_ID], o->v[TK_O_EXTERNAL_ID])) {
		char *other = NULL;
		const char *ext = o->v[TK_O_EXTERNAL_ID];

		if (*ext && (rc = key_get(t, TK_DB_ORG_EXTERNAL, ext, strlen(ext), &other)) != 0) {
			if (rc < 0)
				return -1;
			if (strcmp(other, o->v[TK_O_KEY])) {
				tk_error("org %s: external id %s is org %s's", o->v[TK_O_KEY], ext, other);
				free(other);
				return TK_DIR_REFUSED;
			}
			free(other);
		}
		kd.db = TK_DB_ORG_EXTERNAL;
		if (old && old->v[TK_O_EXTERNAL_ID][0] &&
		    drop_key(t, old->v[TK_O_EXTERNAL_ID], strlen(old->v[TK_O_EXTERNAL_ID]), &kd) < 0)
			return -1;
		if (*ext) {
			k.mv_size = strlen(ext);
			k.mv_data = (void *)ext;
			v.mv_size = strlen(o->v[TK_O_KEY]);
			v.mv_data = o->v[TK_O_KEY];
			if (k.mv_size > 500)
				return tk_error("org %s: external id longer than 500 bytes", o->v[TK_O_KEY]), TK_DIR_REFUSED;
			if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_ORG_EXTERNAL], &k, &v, 0)))
				return tk_mdb_error(rc, "org_external");
		}
	}
	if (!old) {
		tk_pairs_summary(&rec, tk_org_cols, o->v, TK_O_NAME, TK_O_NSTORED);
		if (tk_log_append_key(t, key.p, "create", (tk_str){ "", 0 }, (tk_str){ rec.p, rec.len }) < 0)
			return -1;
	} else
		for (i = TK_O_NAME; i < TK_O_NSTORED; i++)
			if (strcmp(old->v[i], o->v[i]) &&
			    tk_log_append_key(t, key.p, tk_org_cols[i].name, TK_STR(old->v[i]), TK_STR(o->v[i])) < 0)
				return -1;
	tk_pairs_encode(&rec, tk_org_cols, o->v, TK_O_NAME, TK_O_NSTORED);
	k.mv_size = strlen(o->v[TK_O_KEY]);
	k.mv_data = o->v[TK_O_KEY];
	v.mv_size = rec.len;
	v.mv_data = rec.p ? rec.p : "";
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_ORGS], &k, &v, 0)))
		return tk_mdb_error(rc, "orgs");
	return 0;
}

int
tk_org_remove(tk_txn *t, const tk_org *o)
{
	static tk_buf rec, key;
	struct keyed kd = { TK_DB_ORG_DOMAIN, o->v[TK_O_KEY] };
	MDB_val k = { strlen(o->v[TK_O_KEY]), o->v[TK_O_KEY] };
	int rc;

	key.len = 0;
	tk_buf_printf(&key, "org:%s", o->v[TK_O_KEY]);
	if (each_new(o->v[TK_O_DOMAINS], "", drop_key, t, &kd) < 0)
		return -1;
	kd.db = TK_DB_ORG_EXTERNAL;
	if (o->v[TK_O_EXTERNAL_ID][0] && drop_key(t, o->v[TK_O_EXTERNAL_ID], strlen(o->v[TK_O_EXTERNAL_ID]), &kd) < 0)
		return -1;
	tk_pairs_summary(&rec, tk_org_cols, o->v, TK_O_NAME, TK_O_NSTORED);
	if (tk_log_append_key(t, key.p, "rm", (tk_str){ rec.p, rec.len }, (tk_str){ "", 0 }) < 0)
		return -1;
	if ((rc = mdb_del(t->txn, t->st->dbi[TK_DB_ORGS], &k, NULL)))
		return tk_mdb_error(rc, "orgs");
	return 0;
}
