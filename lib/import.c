/*
 * import.c - rows of other help desks' exports made into tk assignments.
 *
 * A header name is matched, after folding case, taking off the blanks
 * around it and turning spaces and hyphens into '_', against: -m mappings,
 * then the preset's names, then tk's own field names and common aliases,
 * English and Chinese. Another column is a custom field named after it,
 * which the store must know or its fields file declare, unless
 * --new-fields declares it (tk_import_undeclared); --strict refuses it.
 * Values are normalised: statuses, priorities and channels of other
 * systems map to tk's, dates in the usual export formats become ISO UTC,
 * tags split on commas, semicolons and spaces. Repeated columns add up: several Comment columns give several
 * comments, several Labels columns several tags.
 *
 * Each row is identified by its external id; a row without one by the
 * hash of its content (sub-database import_row: hash -> ticket), so
 * importing the same file twice changes nothing either way, and nothing
 * made up goes into a field of the ticket. The hash of the row's content
 * is kept by ticket id (sub-database import_hash), so a re-run can tell an
 * unchanged row without reading its ticket.
 *
 * A row's values stay in one piece of memory (tk_improw.data), with room
 * after them for the times made from them: the assignments only
 * point into it. tk-import takes these pieces from an arena per batch and
 * keeps each row slot's array of assignments, so a row costs no malloc at
 * all (freeing a million rows' blocks one by one was a tenth of the
 * reading thread).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tk.h"

enum { COL_IGNORE, COL_FIELD, COL_CUSTOM, COL_BODY, COL_COMMENT, COL_EXTERNAL, COL_TKID };

struct col {
	int kind, field;
	char *name;		/* custom field name, the header folded when no map names one */
	char *header;
	int unmapped;		/* a custom field by its header's name: -m and the preset do not map it */
	/* the last values word() found for this column: exports repeat a
	 * handful of statuses and priorities a million times */
	char last[8][32];
	const char *lastto[8];
	unsigned nlast;
};

struct tk_import {
	const char *preset;
	char **mapfrom, **mapto, **mapraw;
	size_t nmap;
	int strict, has_external;
	struct col *cols;
	size_t ncols;
	tk_buf hdrhash;
	uint64_t hdrh;		/* tk_hash of hdrhash: where each row's hash starts */
};

struct alias {
	const char *from, *to;
};

/* Names other systems use for tk's fields, after folding. */
static const struct alias generic[] = {
	{ "title", "subject" }, { "summary", "subject" },
	{ "description", "body" }, { "message", "body" }, { "text", "body" }, { "content", "body" },
	{ "email", "requester" }, { "requester_email", "requester" }, { "from", "requester" },
	{ "from_email", "requester" }, { "reporter", "requester" }, { "customer", "requester" },
	{ "state", "status" }, { "owner", "assignee" }, { "agent", "assignee" },
	{ "assigned_to", "assignee" }, { "group", "queue" }, { "department", "queue" }, { "team", "queue" },
	{ "labels", "tags" }, { "label", "tags" }, { "tag", "tags" },
	{ "created_at", "created" }, { "date_created", "created" }, { "created_date", "created" },
	{ "opened", "created" }, { "updated_at", "updated" }, { "last_updated", "updated" },
	{ "modified", "updated" }, { "solved_at", "resolved" }, { "resolved_at", "resolved" },
	{ "resolution_date", "resolved" }, { "closed_at", "closed" }, { "closed_date", "closed" },
	{ "due_date", "due" }, { "due_at", "due" }, { "comment", "comment" }, { "comments", "comment" },
	{ "source", "channel" }, { "via", "channel" }, { "first_response_at", "first_response" },
	{ "satisfaction", "csat" }, { "rating", "csat" }, { "ticket_number", "external_id" },
	{ "number", "external_id" }, { "key", "external_id" }, { "issue_key", "external_id" },
	{ "ticket_id", "external_id" },
	/* Chinese, as help desks (智齿, Udesk, 工单 systems, Excel sheets) name them */
	{ "主题", "subject" }, { "标题", "subject" }, { "工单标题", "subject" }, { "工单主题", "subject" },
	{ "问题标题", "subject" }, { "描述", "body" }, { "内容", "body" }, { "详情", "body" },
	{ "工单描述", "body" }, { "工单内容", "body" }, { "问题描述", "body" }, { "详细描述", "body" },
	{ "正文", "body" }, { "请求人", "requester" }, { "提交人", "requester" },
	{ "报告人", "requester" }, { "客户", "requester" }, { "申请人", "requester" },
	{ "发起人", "requester" }, { "客户邮箱", "requester" }, { "邮箱", "requester" },
	{ "状态", "status" }, { "工单状态", "status" }, { "处理状态", "status" },
	{ "优先级", "priority" }, { "紧急程度", "priority" }, { "处理人", "assignee" },
	{ "负责人", "assignee" }, { "受理人", "assignee" }, { "受理客服", "assignee" },
	{ "处理客服", "assignee" }, { "指派给", "assignee" }, { "经办人", "assignee" },
	{ "分类", "category" }, { "类别", "category" }, { "工单分类", "category" },
	{ "问题分类", "category" }, { "队列", "queue" }, { "受理组", "queue" },
	{ "处理组", "queue" }, { "客服组", "queue" }, { "技能组", "queue" }, { "部门", "queue" },
	{ "类型", "type" }, { "工单类型", "type" }, { "问题类型", "type" },
	{ "标签", "tags" }, { "工单标签", "tags" }, { "关注人", "watchers" }, { "抄送人", "watchers" },
	{ "创建时间", "created" }, { "创建日期", "created" }, { "提交时间", "created" },
	{ "更新时间", "updated" }, { "最后更新时间", "updated" }, { "修改时间", "updated" },
	{ "解决时间", "resolved" }, { "完成时间", "resolved" }, { "关闭时间", "closed" },
	{ "截止时间", "due" }, { "截止日期", "due" }, { "到期时间", "due" },
	{ "首次响应时间", "first_response" }, { "满意度", "csat" }, { "满意度评分", "csat" },
	{ "工单编号", "external_id" }, { "工单号", "external_id" }, { "编号", "external_id" },
	{ "工单id", "external_id" }, { "单号", "external_id" }, { "渠道", "channel" },
	{ "来源", "channel" }, { "工单来源", "channel" }, { "来源渠道", "channel" },
	{ "评论", "comment" }, { "回复", "comment" },
	{ NULL, NULL }
};

static const struct alias osticket[] = {
	{ "ticket_number", "external_id" }, { "number", "external_id" }, { "date_created", "created" },
	{ "created", "created" }, { "subject", "subject" }, { "from", "requester_name" },
	{ "name", "requester_name" }, { "from_email", "requester" }, { "email", "requester" },
	{ "priority", "priority" }, { "department", "queue" }, { "help_topic", "category" },
	{ "source", "channel" }, { "current_status", "status" }, { "status", "status" },
	{ "last_updated", "updated" }, { "due_date", "due" }, { "closed_date", "closed" },
	{ "agent_assigned", "assignee" }, { "assigned_to", "assignee" }, { "team_assigned", "team" },
	{ "thread_count", "thread_count" }, { "overdue", "overdue" },
	{ NULL, NULL }
};

static const struct alias zendesk[] = {
	{ "id", "external_id" }, { "requester", "requester_name" }, { "requester_email", "requester" },
	{ "subject", "subject" }, { "description", "body" }, { "status", "status" },
	{ "priority", "priority" }, { "type", "type" }, { "group", "queue" }, { "assignee", "assignee" },
	{ "created_at", "created" }, { "updated_at", "updated" }, { "solved_at", "resolved" },
	{ "tags", "tags" }, { "via", "channel" }, { "satisfaction_score", "csat" },
	{ "due_date", "due" }, { "organization", "organization" },
	{ NULL, NULL }
};

static const struct alias jira[] = {
	{ "issue_key", "external_id" }, { "summary", "subject" }, { "description", "body" },
	{ "issue_type", "type" }, { "status", "status" }, { "priority", "priority" },
	{ "assignee", "assignee" }, { "reporter", "requester" }, { "created", "created" },
	{ "updated", "updated" }, { "resolved", "resolved" }, { "due_date", "due" },
	{ "labels", "tags" }, { "comment", "comment" }, { "component/s", "category" },
	{ "issue_id", "jira_id" }, { "project_key", "project" },
	{ NULL, NULL }
};

static const struct alias rt[] = {
	{ "id", "external_id" }, { "subject", "subject" }, { "status", "status" }, { "queue", "queue" },
	{ "owner", "assignee" }, { "requestors", "requester" }, { "requestor", "requester" },
	{ "created", "created" }, { "lastupdated", "updated" }, { "last_updated", "updated" },
	{ "resolved", "resolved" }, { "priority", "priority" }, { "due", "due" }, { "told", "told" },
	{ NULL, NULL }
};

static const struct alias github[] = {
	{ "number", "external_id" }, { "title", "subject" }, { "body", "body" }, { "state", "status" },
	{ "author", "requester" }, { "user", "requester" }, { "assignees", "assignee" },
	{ "assignee", "assignee" }, { "labels", "tags" }, { "created_at", "created" },
	{ "updated_at", "updated" }, { "closed_at", "closed" }, { "url", "url" },
	{ "milestone", "milestone" },
	{ NULL, NULL }
};

static const struct {
	const char *name;
	const struct alias *map;
} presets[] = {
	{ "osticket", osticket }, { "zendesk", zendesk }, { "jira", jira }, { "rt", rt },
	{ "github", github }, { NULL, NULL }
};

int
tk_import_preset_ok(const char *name)
{
	size_t i;

	for (i = 0; presets[i].name; i++)
		if (!strcmp(presets[i].name, name))
			return 1;
	return 0;
}

/* The length of the blank at p (n bytes): an ASCII space, a no-break
 * space, an ideographic (full-width) space or a byte order mark, which
 * spreadsheets leave around header names; 0 for none. */
static size_t
blank(const char *p, size_t n)
{
	static const char *const wide[] = { "\xc2\xa0", "\xe3\x80\x80", "\xef\xbb\xbf" };
	size_t i, k;

	if (n && isspace((unsigned char)*p))
		return 1;
	for (i = 0; i < 3; i++)
		if (n >= (k = strlen(wide[i])) && !memcmp(p, wide[i], k))
			return k;
	return 0;
}

/* The same, ending at p + n. */
static size_t
blank_end(const char *p, size_t n)
{
	size_t k;

	for (k = n < 3 ? n : 3; k; k--)
		if (blank(p + n - k, k) == k)
			return k;
	return 0;
}

/* "Date Created" -> "date_created"; a name fit to be a field name. */
static char *
fold(const char *s, size_t n)
{
	return tk_import_fold(s, n);
}

char *
tk_import_fold(const char *s, size_t n)
{
	char *out = tk_xmalloc(n + 3), *o = out;
	size_t i, k;

	while ((k = blank(s, n)))
		s += k, n -= k;
	while ((k = blank_end(s, n)))
		n -= k;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '-' || c == '\t')
			c = '_';
		*o++ = (char)tolower(c);
	}
	*o = '\0';
	return out;
}

static const char *
lookup(const struct alias *map, const char *key)
{
	for (; map && map->from; map++)
		if (!strcmp(map->from, key))
			return map->to;
	return NULL;
}

/*
 * -m "Column=field,...": each item split at its last '=' (a column name may
 * hold one): the column as written (raw), folded as headers are (from),
 * and the field lowercased (to: field names are case-insensitive); the
 * arrays grow by each item. 0, or -1 with tk_errmsg naming the item. The
 * one parser of tk-import's and tk-contact/tk-org import's -m.
 */
int
tk_import_mapping(const char *mapping, char ***raw, char ***from, char ***to, size_t *n)
{
	char *copy, *tok, *save, *eq, *p;

	if (!mapping || !*mapping)
		return 0;
	copy = tk_xstrdup(mapping);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		eq = strrchr(tok, '=');
		if (!eq || eq == tok || !eq[1]) {
			tk_error("-m %s: not a mapping (Column Name=field,...)", tok);
			free(copy);
			return -1;
		}
		*eq = '\0';
		for (p = eq + 1; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		*raw = tk_xrealloc(*raw, (*n + 1) * sizeof **raw);
		*from = tk_xrealloc(*from, (*n + 1) * sizeof **from);
		*to = tk_xrealloc(*to, (*n + 1) * sizeof **to);
		(*raw)[*n] = tk_xstrdup(tok);
		(*from)[*n] = fold(tok, strlen(tok));
		(*to)[*n] = tk_xstrdup(eq + 1);
		(*n)++;
	}
	free(copy);
	return 0;
}

tk_import *
tk_import_new(const char *preset, const char *mapping, int strict)
{
	tk_import *im = tk_xmalloc(sizeof *im);
	size_t i;

	memset(im, 0, sizeof *im);
	im->preset = preset;
	im->strict = strict;
	if (preset && !tk_import_preset_ok(preset)) {
		tk_error("--preset %s: no such preset (osticket, zendesk, jira, rt, github)", preset);
		free(im);
		return NULL;
	}
	if (tk_import_mapping(mapping, &im->mapraw, &im->mapfrom, &im->mapto, &im->nmap) < 0) {
		tk_import_free(im);
		return NULL;
	}
	for (i = 0; i < im->nmap; i++) {
		const char *to = im->mapto[i];

		if (strcmp(to, "-") && strcmp(to, "comment") && tk_field_lookup(to) == TK_F_CUSTOM &&
		    !tk_field_name_ok(to)) {
			tk_error("-m %s=%s: %s is not a field name", im->mapraw[i], to, to);
			tk_import_free(im);
			return NULL;
		}
	}
	return im;
}

void
tk_import_free(tk_import *im)
{
	size_t i;

	if (!im)
		return;
	for (i = 0; i < im->nmap; i++) {
		free(im->mapfrom[i]);
		free(im->mapto[i]);
		free(im->mapraw[i]);
	}
	free(im->mapfrom);
	free(im->mapto);
	free(im->mapraw);
	for (i = 0; i < im->ncols; i++) {
		free(im->cols[i].name);
		free(im->cols[i].header);
	}
	free(im->cols);
	tk_buf_free(&im->hdrhash);
	free(im);
}

/* Where one column goes, by its target name. */
static void
target(struct col *c, const char *to)
{
	int f;

	if (!strcmp(to, "-")) {
		c->kind = COL_IGNORE;
		return;
	}
	if (!strcmp(to, "comment")) {
		c->kind = COL_COMMENT;
		return;
	}
	f = tk_field_lookup(to);
	if (f == TK_F_BODY)
		c->kind = COL_BODY;
	else if (f == TK_F_EXTERNAL_ID)
		c->kind = COL_EXTERNAL;
	else if (f == TK_F_ID)
		c->kind = COL_TKID;
	else if (f == TK_F_CUSTOM) {
		c->kind = COL_CUSTOM;
		free(c->name);
		c->name = tk_xstrdup(to);
	} else if (tk_fields[f].readonly && f != TK_F_UPDATED)
		c->kind = COL_IGNORE;	/* age, frt, comments: tk computes them */
	else {
		c->kind = COL_FIELD;
		c->field = f;
	}
	c->field = f;
}

int
tk_import_header(tk_import *im, char **fields, size_t *lens, size_t n)
{
	const struct alias *pm = NULL;
	const char *to;
	size_t i, j;
	int has_id = -1;

	for (i = 0; presets[i].name && im->preset; i++)
		if (!strcmp(presets[i].name, im->preset))
			pm = presets[i].map;
	for (i = 0; i < im->ncols; i++) {	/* a header read before */
		free(im->cols[i].name);
		free(im->cols[i].header);
	}
	free(im->cols);
	im->has_external = 0;
	/* Zeroed: a header refused part way (--strict) leaves the columns
	 * after it empty, not garbage for tk_import_free. */
	im->cols = tk_xmalloc((n ? n : 1) * sizeof *im->cols);
	memset(im->cols, 0, (n ? n : 1) * sizeof *im->cols);
	im->ncols = n;
	im->hdrhash.len = 0;
	for (i = 0; i < n; i++) {
		struct col *c = &im->cols[i];
		char *key = fold(fields[i], lens[i]);

		memset(c, 0, sizeof *c);
		c->header = tk_xstrndup(fields[i], lens[i]);
		tk_buf_add(&im->hdrhash, fields[i], lens[i] + 1);
		to = NULL;
		for (j = 0; j < im->nmap && !to; j++)
			if (!strcmp(im->mapfrom[j], key))
				to = im->mapto[j];
		if (!to)
			to = lookup(pm, key);
		if (!to && tk_field_lookup(key) != TK_F_CUSTOM)
			to = key;
		if (!to)
			to = lookup(generic, key);
		if (to)
			target(c, to);
		else if (im->strict) {
			tk_error("column %zu, \"%s\": not a tk field (--strict: map it with -m)",
			    i + 1, c->header);
			free(key);
			return -1;
		} else {
			c->kind = COL_CUSTOM;
			c->unmapped = 1;
			c->name = key;	/* checked by tk_import_undeclared */
			key = NULL;
		}
		if (c->kind == COL_EXTERNAL)
			im->has_external = 1;
		if (c->kind == COL_TKID)
			has_id = (int)i;
		free(key);
	}
	im->hdrh = tk_hash(TK_HASH_SEED, im->hdrhash.p, im->hdrhash.len);
	/* A tk export's own "id" identifies rows when there is no external id. */
	if (has_id >= 0 && !im->has_external)
		im->cols[has_id].kind = COL_EXTERNAL;
	else if (has_id >= 0)
		im->cols[has_id].kind = COL_IGNORE;
	for (i = 0; i < n; i++)
		if (im->cols[i].kind == COL_FIELD && im->cols[i].field == TK_F_SUBJECT)
			return 0;
	tk_error("no subject column (name one \"subject\", or map one with -m 'Title=subject')");
	return -1;
}

/*
 * -m maps columns by name: one the header does not have (a typo, another
 * export's name) would be left out in silence and its values lost. Each
 * is named, with the header's nearest column; -1 with tk_errmsg.
 */
int
tk_import_unmapped(const tk_import *im)
{
	tk_buf msg = { 0 };
	size_t i, j, missing = 0;
	tk_nearest nr;
	char **keys;
	int found;

	if (!im->nmap)
		return 0;
	keys = tk_xmalloc((im->ncols ? im->ncols : 1) * sizeof *keys);
	for (j = 0; j < im->ncols; j++)
		keys[j] = fold(im->cols[j].header, strlen(im->cols[j].header));
	for (i = 0; i < im->nmap; i++) {
		tk_nearest_init(&nr, im->mapfrom[i]);
		for (j = 0, found = 0; j < im->ncols && !found; j++) {
			found = !strcmp(im->mapfrom[i], keys[j]);
			tk_nearest_try(&nr, keys[j]);
		}
		if (found)
			continue;
		tk_buf_printf(&msg, "%s\"%s\"", missing++ ? ", " : "", im->mapraw[i]);
		for (j = 0; nr.best && j < im->ncols; j++)
			if (keys[j] == nr.best)
				tk_buf_printf(&msg, " (did you mean \"%s\"?)", im->cols[j].header);
	}
	if (missing) {
		tk_buf_adds(&msg, "; its columns are:");
		for (j = 0; j < im->ncols; j++)
			tk_buf_printf(&msg, "%s \"%s\"", j ? "," : "", im->cols[j].header);
		tk_error("-m: the header has no column %s", msg.p);
	}
	for (j = 0; j < im->ncols; j++)
		free(keys[j]);
	free(keys);
	tk_buf_free(&msg);
	return missing ? -1 : 0;
}

uint64_t
tk_import_header_hash(const tk_import *im)
{
	return im->hdrh;
}

/* ---- columns no one declared ---- */

/*
 * The name nearest to a folded header that a header is matched to: tk's
 * fields, the aliases (and the preset's names), the fields the store knows
 * and the declared ones (tk_nearest's rule: about a third of the name may
 * differ). NULL when none is near; else a copy.
 */
static char *
nearest(const tk_import *im, tk_txn *t, const tk_store *st, const char *name)
{
	const struct alias *pm = NULL;
	tk_nearest nr;
	tk_buf held = { 0 };
	MDB_cursor *c;
	MDB_val k, v;
	size_t i;
	char *got;

	tk_nearest_init(&nr, name);
	for (i = 0; i < TK_F_NFIELDS; i++)
		if (!tk_fields[i].readonly || i == TK_F_UPDATED)
			tk_nearest_try(&nr, tk_fields[i].name);
	tk_nearest_try(&nr, "comment");
	for (i = 0; presets[i].name && im->preset; i++)
		if (!strcmp(presets[i].name, im->preset))
			pm = presets[i].map;
	for (; pm && pm->from; pm++)
		tk_nearest_try(&nr, pm->from);
	for (pm = generic; pm->from; pm++)
		tk_nearest_try(&nr, pm->from);
	for (i = 0; i < st->ndeclared; i++)
		tk_nearest_try(&nr, st->declared[i]);
	if (t && mdb_cursor_open(t->txn, t->st->dbi[TK_DB_FIELDS], &c) == 0) {
		/* the store's names copied out first: nr keeps pointers */
		while (mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0) {
			tk_buf_add(&held, k.mv_data, k.mv_size);
			tk_buf_addc(&held, '\0');
		}
		mdb_cursor_close(c);
		for (i = 0; i < held.len; i += strlen(held.p + i) + 1)
			tk_nearest_try(&nr, held.p + i);
	}
	got = nr.best ? tk_xstrdup(nr.best) : NULL;
	tk_buf_free(&held);
	return got;
}

size_t
tk_import_undeclared(tk_import *im, tk_txn *t, const char *dir, int new_fields, tk_buf *out)
{
	tk_store none, *st = t ? t->st : &none;
	size_t i, n = 0;
	int read = 0;

	for (i = 0; i < im->ncols; i++) {
		struct col *c = &im->cols[i];
		char *near;

		if (!c->unmapped)
			continue;
		if (!*c->name) {
			tk_buf_printf(out, "column %zu has no name: name it in the header, or take it out", i + 1);
			tk_buf_addc(out, '\0');
			n++;
			continue;
		}
		if (!tk_field_name_ok(c->name)) {
			tk_buf_printf(out, "column %zu, \"%s\": not a tk field, nor a name one can be "
			    "(a letter, then letters, digits, _ - .): map it with -m '%s=NAME'",
			    i + 1, c->header, c->header);
			tk_buf_addc(out, '\0');
			n++;
			continue;
		}
		if (new_fields)
			continue;
		/* No store yet: its directory's fields file declares the names. */
		if (!t && !read++) {
			memset(&none, 0, sizeof none);
			none.dir = (char *)dir;
			if (tk_fields_load(&none) < 0) {
				tk_buf_printf(out, "%s", tk_errmsg);
				tk_buf_addc(out, '\0');
				n++;
				break;
			}
		}
		if ((t && tk_field_known(t, c->name)) || (!t && tk_field_declared(&none, c->name)))
			continue;
		near = nearest(im, t, st, c->name);
		tk_buf_printf(out, "column %zu, \"%s\": no field %s", i + 1, c->header, c->name);
		if (near)
			tk_buf_printf(out, " (did you mean %s?)", near);
		tk_buf_addc(out, '\0');
		free(near);
		n++;
	}
	if (!t && read) {
		for (i = 0; i < none.ndeclared; i++)
			free(none.declared[i]);
		free(none.declared);
	}
	return n;
}

int
tk_import_declare(const tk_import *im, tk_txn *t)
{
	size_t i;

	for (i = 0; i < im->ncols; i++)
		if (im->cols[i].kind == COL_CUSTOM && tk_field_register(t, TK_STR(im->cols[i].name)) < 0)
			return -1;
	return 0;
}

/* ---- values ---- */

struct word {
	const char *from, *to;
};

static const struct word status_words[] = {
	{ "new", "new" }, { "open", "open" }, { "pending", "pending" }, { "resolved", "resolved" },
	{ "closed", "closed" }, { "opened", "open" }, { "reopened", "open" },
	{ "in progress", "open" }, { "in-progress", "open" }, { "in_progress", "open" },
	{ "assigned", "open" }, { "active", "open" }, { "to do", "open" }, { "todo", "open" },
	{ "backlog", "open" }, { "selected for development", "open" }, { "answered", "open" },
	{ "waiting", "pending" }, { "on-hold", "pending" },
	{ "on hold", "pending" }, { "hold", "pending" }, { "stalled", "pending" },
	{ "waiting for customer", "pending" }, { "awaiting customer", "pending" },
	{ "waiting for support", "open" }, { "solved", "resolved" },
	{ "done", "resolved" }, { "fixed", "resolved" }, { "completed", "resolved" },
	{ "rejected", "closed" }, { "won't fix", "closed" },
	{ "wontfix", "closed" }, { "deleted", "closed" }, { "archived", "closed" },
	{ "cancelled", "closed" }, { "canceled", "closed" }, { "duplicate", "closed" },
	/* as help desks translated into Chinese name them (Zendesk, osTicket, Jira) */
	{ "新", "new" }, { "新建", "new" }, { "打开", "open" }, { "开放", "open" },
	{ "处理中", "open" }, { "进行中", "open" }, { "已分配", "open" }, { "待办", "open" },
	{ "重新打开", "open" }, { "已重新打开", "open" }, { "待回应", "pending" },
	{ "等待回应", "pending" }, { "等待客户", "pending" }, { "暂停", "pending" }, { "挂起", "pending" },
	{ "已解决", "resolved" }, { "解决", "resolved" }, { "完成", "resolved" }, { "已完成", "resolved" },
	{ "已修复", "resolved" }, { "已关闭", "closed" }, { "关闭", "closed" }, { "已存档", "closed" },
	{ "已删除", "closed" }, { "已取消", "closed" }, { "取消", "closed" }, { "重复", "closed" },
	{ NULL, NULL }
};

static const struct word priority_words[] = {
	{ "p1", "P1" }, { "p2", "P2" }, { "p3", "P3" }, { "p4", "P4" },
	{ "1", "P1" }, { "2", "P2" }, { "3", "P3" }, { "4", "P4" },
	{ "urgent", "P1" }, { "critical", "P1" }, { "emergency", "P1" }, { "blocker", "P1" },
	{ "highest", "P1" }, { "high", "P2" }, { "major", "P2" }, { "normal", "P3" },
	{ "medium", "P3" }, { "moderate", "P3" }, { "low", "P4" }, { "minor", "P4" },
	{ "lowest", "P4" }, { "trivial", "P4" },
	{ "紧急", "P1" }, { "严重", "P1" }, { "最高", "P1" }, { "高", "P2" }, { "重要", "P2" },
	{ "中", "P3" }, { "正常", "P3" }, { "普通", "P3" }, { "一般", "P3" }, { "低", "P4" },
	{ "最低", "P4" }, { "次要", "P4" },
	{ NULL, NULL }
};

static const struct word channel_words[] = {
	{ "email", "email" }, { "e-mail", "email" }, { "mail", "email" }, { "web", "web" },
	{ "portal", "web" }, { "web form", "web" }, { "form", "web" }, { "phone", "phone" },
	{ "call", "phone" }, { "voice", "phone" }, { "chat", "chat" }, { "live chat", "chat" },
	{ "messaging", "chat" }, { "api", "api" }, { "import", "import" }, { "other", "import" },
	{ "邮件", "email" }, { "电子邮件", "email" }, { "网页", "web" }, { "网站", "web" },
	{ "表单", "web" }, { "电话", "phone" }, { "聊天", "chat" }, { "在线聊天", "chat" },
	{ "微信", "chat" }, { "接口", "api" }, { "其他", "import" },
	{ NULL, NULL }
};

static const char *
word(struct col *c, const struct word *w, const char *v)
{
	size_t n, i;

	for (i = 0; i < 8 && c->lastto[i]; i++)
		if (c->last[i][0] == v[0] && !strcmp(c->last[i], v))
			return c->lastto[i];
	for (; w->from; w++)
		if (!strcasecmp(w->from, v)) {
			if ((n = strlen(v)) < sizeof c->last[0]) {
				i = c->nlast++ % 8;
				memcpy(c->last[i], v, n + 1);
				c->lastto[i] = w->to;
			}
			return w->to;
		}
	return NULL;
}

static const char *const months[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
};

/* Local broken-down time to ISO UTC through mktime (honours $TZ). */
static int
local_iso(int y, int mo, int d, int h, int mi, int se, char out[21])
{
	struct tm tm;
	time_t t;

	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1 || tm.tm_mday != d)
		return -1;
	tk_time_iso(t, out);
	return 0;
}

/* "2026年11月22日 9:30" (Excel's long date in Chinese and Japanese) made
 * "2026/11/22 9:30" in place; anything else is left as it is. */
static void
cjk_date(char *s)
{
	static const char *const from[] = { "\xe5\xb9\xb4", "\xe6\x9c\x88", "\xe6\x97\xa5" };	/* 年 月 日 */
	char *p = s, *q;
	int i;

	for (i = 0; i < 3; i++) {
		while (isdigit((unsigned char)*p))
			p++;
		if (p == s || strncmp(p, from[i], 3))
			return;
		q = p;
		if (i < 2)
			*q++ = '/';
		memmove(q, p + 3, strlen(p + 3) + 1);
		p = q;
	}
}

/*
 * Dates as other help desks export them: ISO 8601 (fractions of a second
 * dropped, "Z", "+08:00" or "+0800"), "2025-07-14 15:42:00 -0800", Jira's
 * "14/Jul/25 3:42 PM", US "7/14/2025 3:42 PM", year first "2026/11/22 9:30"
 * or "2026年11月22日 9:30" (Excel in Chinese and Japanese), and Unix
 * seconds. A time without a zone is local ($TZ).
 */
int
tk_import_time(const char *s, char out[21])
{
	char buf[64], *p, ampm[3] = "";
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0, i;
	char mon[4];
	time_t t;
	size_t len = strlen(s);

	/* Already as tk stores it: most exports, and every one of tk's own. */
	if (len == 20 && tk_iso_parse(s, len, NULL) == 0) {
		memcpy(out, s, 21);
		return 0;
	}
	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len + 1);
	/* Unix seconds */
	for (i = 0; buf[i] && isdigit((unsigned char)buf[i]); i++)
		;
	if (!buf[i] && i >= 9 && i <= 11) {
		t = (time_t)strtoll(buf, NULL, 10);
		tk_time_iso(t, out);
		return 0;
	}
	/* ISO with fractions: drop them. */
	if ((p = strchr(buf, '.')) && p > buf + 10 && isdigit((unsigned char)p[1])) {
		char *q = p + 1;

		while (isdigit((unsigned char)*q))
			q++;
		memmove(p, q, strlen(q) + 1);
	}
	/* "+0800" or " -0800" zones become "+08:00". */
	len = strlen(buf);
	if (len > 19 && (buf[len - 5] == '+' || buf[len - 5] == '-') && isdigit((unsigned char)buf[len - 4]) &&
	    isdigit((unsigned char)buf[len - 1]) && buf[len - 3] != ':') {
		char zone[8];

		snprintf(zone, sizeof zone, "%c%c%c:%c%c", buf[len - 5], buf[len - 4], buf[len - 3],
		    buf[len - 2], buf[len - 1]);
		buf[len - 5] = '\0';
		len = strlen(buf);
		while (len && buf[len - 1] == ' ')
			buf[--len] = '\0';
		if (len + 7 >= sizeof buf)
			return -1;
		strcat(buf, zone);
	}
	if (tk_iso_parse(buf, strlen(buf), NULL) == 0) {	/* already as tk stores it */
		memcpy(out, buf, 21);
		return 0;
	}
	if (strlen(buf) >= 10 && buf[4] == '-' && tk_time_parse(buf, &t, NULL) == 0) {
		tk_time_iso(t, out);
		return 0;
	}
	cjk_date(buf);
	/* 14/Jul/25 3:42 PM */
	if (sscanf(buf, "%d/%3[A-Za-z]/%d %d:%d%n", &d, mon, &y, &h, &mi, &n) >= 3) {
		for (mo = 0; mo < 12 && strcasecmp(mon, months[mo]); mo++)
			;
		if (mo == 12)
			return -1;
		mo++;
	} else if (sscanf(buf, "%d/%d/%d %d:%d%n", &mo, &d, &y, &h, &mi, &n) >= 3) {
		if (mo > 999) {	/* 2026/11/22 9:30: the year first, as Chinese and Japanese Excel write */
			int year = mo;

			mo = d;
			d = y;
			y = year;
		}
	} else
		return -1;
	if (n) {
		p = buf + n;
		if (*p == ':' && isdigit((unsigned char)p[1])) {
			se = atoi(p + 1);
			while (*++p && isdigit((unsigned char)*p))
				;
		}
		while (*p == ' ')
			p++;
		if (*p) {
			if ((strcasecmp(p, "AM") && strcasecmp(p, "PM")))
				return -1;
			memcpy(ampm, p, 2);
		}
	} else if (strchr(buf, ' '))
		return -1;
	if (y < 100)
		y += 2000;
	if (ampm[0]) {
		if (h < 1 || h > 12)
			return -1;
		h = h % 12 + (tolower((unsigned char)ampm[0]) == 'p' ? 12 : 0);
	}
	return local_iso(y, mo, d, h, mi, se, out);
}

/* field=value, the value living as long as the row: a word of tk's, the
 * row's own bytes, or a copy made by keep. */
static void
push(tk_assignments *as, int field, const char *value)
{
	tk_assign_borrow(as, field, tk_fields[field].name, value);
}

/* A copy of n bytes in the room after the row's values. */
static const char *
keep(tk_improw *r, size_t *used, const void *p, size_t n)
{
	char *s = r->spare + *used;

	*used += n;
	return memcpy(s, p, n);
}

void
tk_improw_clear(tk_improw *r)
{
	tk_arena *arena = r->arena;
	size_t i;
	tk_assignments as = r->as;

	as.n = 0;	/* every one borrows: from data, or a word of tk's */
	for (i = 0; i < r->ncomments; i++) {
		free(r->comments[i].time);
		free(r->comments[i].author);
		free(r->comments[i].body);
	}
	free(r->comments);
	if (!arena)
		free(r->data);
	memset(r, 0, sizeof *r);
	r->arena = arena;
	r->as = as;
}

void
tk_improw_free(tk_improw *r)
{
	tk_improw_clear(r);
	tk_assignments_free(&r->as);
	memset(r, 0, sizeof *r);
}

static void
add_comment(tk_improw *r, const char *v, size_t n)
{
	char iso[21], *copy = tk_xstrndup(v, n), *p, *q;
	struct tk_impcomment *c;

	r->comments = tk_xrealloc(r->comments, (r->ncomments + 1) * sizeof *r->comments);
	c = &r->comments[r->ncomments++];
	c->time = NULL;
	c->author = NULL;
	c->internal = 0;
	/* Jira: "14/Jul/25 3:42 PM;jsmith;text" */
	p = strchr(copy, ';');
	q = p ? strchr(p + 1, ';') : NULL;
	if (p && q && p - copy < 40 && q - p < 80) {
		*p = '\0';
		*q = '\0';
		if (tk_import_time(copy, iso) == 0) {
			c->time = tk_xstrdup(iso);
			c->author = tk_xstrdup(*(p + 1) ? p + 1 : "import");
			c->body = tk_xstrdup(q + 1);
			free(copy);
			return;
		}
		*p = ';';
		*q = ';';
	}
	c->body = copy;
}

int
tk_import_comment(tk_improw *r, const char *time, const char *author, int internal, const char *body, size_t n)
{
	struct tk_impcomment *c;
	char iso[21];

	if (time && *time && tk_import_time(time, iso) < 0)
		return tk_error("\"%s\" is not a date tk reads", time);
	if (!n)
		return 0;	/* (tk keeps no empty comment) */
	r->comments = tk_xrealloc(r->comments, (r->ncomments + 1) * sizeof *r->comments);
	c = &r->comments[r->ncomments++];
	c->time = time && *time ? tk_xstrdup(iso) : NULL;
	c->author = author && *author ? tk_xstrdup(author) : NULL;
	c->internal = internal;
	c->body = tk_xstrndup(body, n);
	/* A comment changed since is a row changed since. */
	r->hash = tk_hash(r->hash, c->time ? c->time : "", c->time ? 21 : 1);
	r->hash = tk_hash(r->hash, c->author ? c->author : "", c->author ? strlen(c->author) + 1 : 1);
	r->hash = tk_hash(r->hash, internal ? "i" : "p", 1);
	r->hash = tk_hash(r->hash, body, n);
	return 0;
}

/*
 * One data row into assignments, body, comments and an external id.
 * Returns 0, or -1 with the reason in tk_errmsg.
 */
int
tk_import_row(tk_import *im, char **fields, size_t *lens, size_t n, tk_improw *r)
{
	size_t i, total = 0, off = 0, used = 0;
	uint64_t h;
	char iso[21], latest[21] = "";
	const char *w;
	long bad;
	int has_channel = 0, has_updated = 0, has_first = 0;

	tk_improw_clear(r);	/* the last row's memory serves this one */
	if (n != im->ncols)
		return tk_error("%zu fields, the header has %zu", n, im->ncols);
	h = im->hdrh;	/* the header's hash, worked out once: each row's goes on from it */
	for (i = 0; i < n; i++) {
		if ((bad = tk_utf8_invalid(fields[i], lens[i])) >= 0)
			return tk_error("column \"%s\": invalid UTF-8 at byte %ld (is it another encoding? see --encoding)",
			    im->cols[i].header, bad + 1);
		total += lens[i] + 1;
		h = tk_hash(h, fields[i], lens[i] + 1);
	}
	r->hash = h;
	/* The values, then room for a time of each column, first response and
	 * updated. */
	r->data = r->arena ? tk_arena_alloc(r->arena, total + 21 * (n + 2)) :
	    tk_xmalloc(total + 21 * (n + 2));
	r->spare = r->data + total;
	for (i = 0; i < n; i++) {
		struct col *c = &im->cols[i];
		char *val = r->data + off;

		memcpy(val, fields[i], lens[i] + 1);
		off += lens[i] + 1;
		if (!lens[i])
			continue;
		switch (c->kind) {
		case COL_IGNORE:
			break;
		case COL_BODY:
			r->body = val;
			r->bodylen = lens[i];
			break;
		case COL_COMMENT:
			add_comment(r, val, lens[i]);
			break;
		case COL_EXTERNAL:
		case COL_TKID:
			r->external = val;
			break;
		case COL_CUSTOM:
			tk_assign_borrow(&r->as, TK_F_CUSTOM, c->name, val);
			break;
		case COL_FIELD:
			switch (c->field) {
			case TK_F_STATUS:
				/* The store's own statuses (its workflow's) as they are. */
				if (tk_status_known((tk_str){ val, lens[i] }))
					w = val;
				else if (!(w = word(c, status_words, val)))
					return tk_error("column \"%s\": status \"%s\" has no tk status (%s)",
					    c->header, val, tk_enum_words(TK_F_STATUS));
				push(&r->as, TK_F_STATUS, w);
				break;
			case TK_F_PRIORITY:
				w = word(c, priority_words, val);
				if (!w && im->preset && !strcmp(im->preset, "rt") && isdigit((unsigned char)val[0])) {
					long p = strtol(val, NULL, 10);	/* RT: 0..99, higher is more urgent */

					w = p >= 75 ? "P1" : p >= 50 ? "P2" : p >= 25 ? "P3" : "P4";
				}
				if (!w)
					return tk_error("column \"%s\": priority \"%s\" has no tk priority (P1..P4, urgent, high, normal, low)",
					    c->header, val);
				push(&r->as, TK_F_PRIORITY, w);
				break;
			case TK_F_CHANNEL:
				if (!(w = word(c, channel_words, val)))
					w = "import";
				push(&r->as, TK_F_CHANNEL, w);
				has_channel = 1;
				break;
			case TK_F_TAGS:
			case TK_F_WATCHERS: {
				char *tok, *save;

				/* Split in the row's own copy: nothing else reads this column. */
				for (tok = strtok_r(val, ",; ", &save); tok; tok = strtok_r(NULL, ",; ", &save))
					tk_assign_borrow_op(&r->as, c->field, tok, '+');
				break;
			}
			case TK_F_ASSIGNEE: {
				/* GitHub's assignees is a list: the first one owns it. */
				size_t k = strcspn(val, ",;");

				if (im->preset && !strcmp(im->preset, "rt") && !strcmp(val, "Nobody"))
					break;	/* RT's owner of unowned tickets */
				val[k] = '\0';
				push(&r->as, TK_F_ASSIGNEE, val);
				break;
			}
			case TK_F_CSAT:
				if (isdigit((unsigned char)val[0]))
					push(&r->as, TK_F_CSAT, val);	/* checked when the ticket is made */
				else if (!strcasecmp(val, "good"))
					push(&r->as, TK_F_CSAT, "5");
				else if (!strcasecmp(val, "bad"))
					push(&r->as, TK_F_CSAT, "1");
				else if (strcasecmp(val, "offered") && strcasecmp(val, "unoffered"))
					push(&r->as, TK_F_CSAT, val);
				break;
			default:
				if (tk_fields[c->field].kind == TK_K_TIME) {
					if (tk_import_time(val, iso) < 0)
						return tk_error("column \"%s\": \"%s\" is not a date tk reads", c->header, val);
					push(&r->as, c->field, keep(r, &used, iso, 21));
					if (c->field == TK_F_UPDATED)
						has_updated = 1;
					if (c->field == TK_F_FIRST_RESPONSE)
						has_first = 1;
					else if (strcmp(iso, latest) > 0)
						memcpy(latest, iso, sizeof latest);
				} else
					push(&r->as, c->field, val);
			}
			break;
		}
	}
	/* A row with no external id is known by its hash (import_row), not by
	 * a mark in a field of the user's. */
	if (r->external)
		push(&r->as, TK_F_EXTERNAL_ID, r->external);
	if (!has_channel)
		push(&r->as, TK_F_CHANNEL, "import");
	/* No first response column: the first comment not by the requester. */
	if (!has_first && r->ncomments) {
		const char *req = "";
		char first[21] = "";

		for (i = 0; i < r->as.n; i++)
			if (r->as.a[i].field == TK_F_REQUESTER)
				req = r->as.a[i].value;
		for (i = 0; i < r->ncomments; i++)
			if (r->comments[i].time && r->comments[i].author && strcasecmp(r->comments[i].author, req) &&
			    (!first[0] || strcmp(r->comments[i].time, first) < 0))
				memcpy(first, r->comments[i].time, sizeof first);
		if (first[0])
			push(&r->as, TK_F_FIRST_RESPONSE, keep(r, &used, first, 21));
	}
	/* Last known activity, when the export has no "updated" of its own. */
	if (!has_updated && latest[0])
		push(&r->as, TK_F_UPDATED, keep(r, &used, latest, 21));
	return 0;
}

/* tk-import's memory of rows with no external id: import_row, row hash -> ticket (store.c's header). */
int
tk_import_row_get(tk_txn *t, uint64_t hash, uint64_t *id)
{
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v;
	tk_ixbatch *b = tk_ixbatch_of(t);
	int rc;

	tk_put_u64(kb, hash);
	if (b && tk_ixbatch_find(b, TK_DB_IMPORT_ROW, kb, 8, id))
		return 1;	/* made earlier in this batch */
	rc = mdb_get(t->txn, t->st->dbi[TK_DB_IMPORT_ROW], &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc || v.mv_size != 8)
		return rc ? tk_mdb_error(rc, "import_row") : tk_error("import_row: damaged entry");
	*id = tk_get_u64(v.mv_data);
	return 1;
}

int
tk_import_row_put(tk_txn *t, uint64_t hash, uint64_t id)
{
	unsigned char kb[8], vb[8];
	MDB_val k = { 8, kb }, v = { 8, vb };
	tk_ixbatch *b = tk_ixbatch_of(t);
	int rc;

	tk_put_u64(kb, hash);
	tk_put_u64(vb, id);
	/* In a bulk batch, with its index entries: the hashes come in no
	 * order, and written one by one they copied a leaf page each. */
	if (b && t->first_new && id >= t->first_new) {
		tk_ixbatch_add(b, TK_DB_IMPORT_ROW, kb, 8, id);
		return 0;
	}
	if ((rc = tk_import_row_get(t, hash, &(uint64_t){ 0 })) != 0)
		return rc < 0 ? -1 : 0;	/* the first ticket of a row stays its ticket */
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_IMPORT_ROW], &k, &v, 0);
	return rc ? tk_mdb_error(rc, "import_row") : 0;
}
