/*
 * store.c - the LMDB store.
 *
 * One LMDB environment (a directory). The key layout of every sub-database
 * is here and in doc/STORE.md; keep the two together.
 *
 *   meta        "schema" -> decimal schema version; "epochs" -> first id of
 *               each epoch (8 bytes each, big-endian); "import_gen" ->
 *               the import generation (tk_import_gen); "statuses" -> the
 *               workflow's statuses and classes, "NAME TAB CLASS [TAB
 *               dropped]" a line (status.c; none: tk's default workflow);
 *               "indexed" -> the custom fields ix_custom holds, a name a
 *               line (none: no field); both written by tk-config apply
 *   tickets     id (8 bytes, big-endian) -> encoded ticket (ticket.c)
 *   bodies      id -> body text (kept apart so scans over tickets stay small)
 *   comments    id . n (8 + 4 bytes, big-endian) -> comment (comment.c)
 *   log         seq (8 bytes, big-endian) -> event (log.c)
 *   log_ticket  id -> seq, DUPSORT|DUPFIXED: each ticket's events
 *   fields      custom field name -> "" (names ever set, or declared by
 *               tk-import --new-fields)
 *   ix_external_id
 *               value -> id, DUPSORT|DUPFIXED (ids 8 bytes big-endian, sorted);
 *               values longer than TK_IX_MAXKEY bytes are cut, and every
 *               match is checked again against the ticket, so a cut key only
 *               costs a little work; an empty value is the key "\0" (LMDB
 *               refuses empty keys, and no stored value holds a NUL), but
 *               ix_external_id has no entries for it, nor ix_assignee,
 *               ix_queue and ix_requester for a ticket in the working set
 *               (tk_ix_skips)
 *   ix_status, ix_priority, ix_queue
 *               value . first id -> up to 250 ids, ascending: posting lists
 *               (postings.c), values as above; ix_status has none for
 *               the active statuses, whose tickets are in active
 *   ix_requester, ix_assignee
 *               epoch . value -> id, DUPSORT|DUPFIXED: as ix_external_id,
 *               after a 2-byte big-endian epoch, the run of ids the ticket
 *               is in (see tk_ix_key)
 *   ix_created  ISO time (20 bytes, so byte order is time order) -> id
 *   ix_updated  epoch . ISO time -> id
 *   import_marks
 *               hash of an input's header -> mark, DUPSORT|DUPFIXED, 40 bytes:
 *               offset, line, hash of the bytes after the header up to the
 *               offset, import generation, rows (8 bytes each, big-endian):
 *               tk-import committed every row before offset, none refused
 *   active      epoch . status . NUL . assignee . NUL . id -> encoded
 *               ticket: a copy of each ticket in an active status (new,
 *               open, pending), the working set, kept together by status
 *               and assignee (active.c); epochs as in ix_requester, the
 *               assignee as an index key
 *   import_hash id -> hash of the row tk-import made the ticket from
 *               (8 bytes): a re-run skips an unchanged row without reading
 *               its ticket; the ticket is found by ix_external_id, or by
 *               import_row for a row with no external id
 *   import_row  hash of a row with no external id (8 bytes, big-endian)
 *               -> id of the ticket tk-import made from it, DUPSORT|DUPFIXED
 *               as an index (a bulk batch writes it sorted, ixbatch.c;
 *               one id a key): a re-run finds the row's ticket without a
 *               mark in any of the ticket's own fields
 *               (tk_upgrade_import_rows moves the "row-" external ids of
 *               older stores here)
 *   agents, teams, agent_load, rr_cursor, log_key
 *               (schema 7) agents and teams, each assignee's count of
 *               tickets in the working set, tk-assign's round-robin
 *               cursors, the events about agents and teams: their layout
 *               is at the top of agent.c and load.c
 *   links       id . relation . NUL . other id (8 bytes each, big-endian)
 *               -> empty: every link both ways (linkdb.c): parent/child,
 *               duplicate_of/duplicate, merged_into/merged_from, related
 *               (schema 8)
 *   merges      id of a merged ticket -> what its merge did, so that
 *               tk-link --unmerge undoes it exactly (link.c; schema 8)
 *   mail_raw, attach, attach_data, mail_files, xid, mail_rate
 *               (schema 9) tk-mail's raw messages (m-ids), attachments
 *               (a-ids) and their content-addressed bytes, each ticket's
 *               list of them, Message-IDs to tickets, per-sender counters:
 *               their layout is at the top of mailstore.c
 *   kb          article id (8 bytes, big-endian) -> the article's current
 *               revision (kb.c: revision number, then title, tags, author,
 *               created, updated, external id, body, each a 4-byte
 *               big-endian length and its bytes); meta "kb_next" holds the
 *               next article id (8 bytes), so a removed id is never reused
 *               (schema 10)
 *   kb_rev      id . revision (8 + 4 bytes) -> an earlier revision, as kb
 *   kb_ext      an imported article's external id -> id (8 bytes); a row
 *               with none: "#" and the hex hash of its title and body
 *   kb_use      id . ticket id . 'f' or 'u' -> time: the tickets an article
 *               was made from (tk-kb from-ticket) and used on (tk-comment --kb)
 *   fulltext    the inverted index (kb.c), kind 'a' (articles) or 't'
 *               (tickets) first:
 *                 kind . term . NUL . first doc id (8 bytes) -> a chunk of
 *                   postings, ascending ids: varint id delta, varint length
 *                   of the rest, varint title count, varint body count, the
 *                   positions (varint deltas; body after the title's);
 *                   chunks of about 1,500 bytes; a tag is the term
 *                   "\x01" tag with no positions
 *                 kind . NUL . doc id -> varint title and body lengths (words)
 *                 kind . NUL -> docs, title words, body words (8 bytes each)
 *                 'T' . ticket id -> varint document length, then each
 *                   distinct term (varint length, bytes): what to take
 *                   out when the ticket changes
 *   ft_pending  ticket id -> "" : tickets written (in their own transaction)
 *               and not yet in fulltext; every text= query reads them too;
 *               drained into fulltext once 64 are listed (and by every
 *               batch of a bulk command)
 *   ix_custom   (schema 11) name . NUL . value (cut at TK_IX_MAXKEY bytes) -> id,
 *               DUPSORT|DUPFIXED: the values of the custom fields meta
 *               "indexed" names (the fields file says "indexed"), no entry
 *               for an empty one; kept by every write of a ticket
 *   active_ix   (schema 15) name . NUL . value . NUL . id -> encoded ticket:
 *               the working set's copies under each value of those
 *               fields and of org (active.c)
 *   notice_queue, notice_mark
 *               (schema 12) tk-notify's queue, seq (8 bytes) -> notice,
 *               and each ticket's notice mark, id -> the last comment
 *               sent . the last queued (4 bytes each); meta "notice_seq"
 *               and "notice_id": their layout is at the top of notice.c
 *   ix_sla_due  (schema 13) ISO time (20 bytes) -> id, DUPSORT|DUPFIXED: the
 *               earliest SLA deadline still running (field sla_due); no
 *               entry for a ticket with none (resolved, paused, no policy)
 *   sla_ledger  (schema 13) id (8 bytes) . metric (1 byte: 'r' response,
 *               'u' update, 's' resolution) . level (1 byte: 0 warning,
 *               1 breach, 2.. later levels) -> the ISO time it was
 *               claimed (20 bytes) and the deadline then (20 bytes):
 *               tk-sla --new's escalations, each listed once (sla.c)
 *
 * The customer directory (schema 13; contact.c, org.c):
 *
 *   contacts    contact id (8 bytes, big-endian; printed c123) -> contact:
 *               NAME NUL VALUE NUL for each field set (name, emails,
 *               phones, org, tier, lang, tz, notes, external_id, created,
 *               last_contact, looked_up, merged_into, merged_emails,
 *               merged_phones, merged_tickets); sets comma-separated
 *   contact_email
 *               bare lowercased address -> contact id (one contact an
 *               address)
 *   contact_phone
 *               phone number as its digits with the country code
 *               (tk_phone_digits) -> contact ids, DUPSORT|DUPFIXED
 *   contact_external
 *               the CRM's id -> contact id
 *   contact_org org key -> ids of its member contacts, DUPSORT|DUPFIXED
 *   orgs        org key -> org: NAME NUL VALUE NUL pairs (name, domains,
 *               tier, queue, tags, notes, external_id, created)
 *   org_domain  domain, lowercased -> org key (one org a domain)
 *   org_external
 *               the CRM's account id -> org key
 *   ix_contact  epoch . contact (c123) -> ticket id, DUPSORT|DUPFIXED,
 *               epochs as ix_requester's; no entry for an empty contact
 *               of a ticket in the working set
 *   ix_org, ix_tier
 *               value . first id -> up to 250 ids: posting lists as
 *               ix_queue's, for the tickets out of the working set only
 *               (its copies answer for the others, as for ix_status)
 *   log_key     (schema 7's, shared with the agents) also maps the typed
 *               keys c123 and org:KEY to the seq of each event about that
 *               contact or org (log.c)
 *   meta "contact_seq" -> the last contact id given (8 bytes)
 *
 * Ids and sequence numbers grow by one, so tickets, bodies and the log are
 * appended at the right edge of their B-trees; DUPFIXED index entries cost
 * 8 bytes a ticket.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "tk.h"

static const struct {
	const char *name;
	unsigned flags;
} dbs[TK_DB_COUNT] = {
	[TK_DB_META] = { "meta", 0 },
	[TK_DB_TICKETS] = { "tickets", 0 },
	[TK_DB_BODIES] = { "bodies", 0 },
	[TK_DB_COMMENTS] = { "comments", 0 },
	[TK_DB_LOG] = { "log", 0 },
	[TK_DB_LOG_TICKET] = { "log_ticket", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_FIELDS] = { "fields", 0 },
	[TK_DB_IX_STATUS] = { "ix_status", 0 },	/* posting lists (postings.c) */
	[TK_DB_IX_PRIORITY] = { "ix_priority", 0 },
	[TK_DB_IX_QUEUE] = { "ix_queue", 0 },
	[TK_DB_IX_ASSIGNEE] = { "ix_assignee", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_IX_REQUESTER] = { "ix_requester", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_IX_CREATED] = { "ix_created", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_IX_UPDATED] = { "ix_updated", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_IX_EXTERNAL] = { "ix_external_id", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_IMPORT_HASH] = { "import_hash", 0 },
	[TK_DB_IMPORT_MARKS] = { "import_marks", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_ACTIVE] = { "active", 0 },
	[TK_DB_IMPORT_ROW] = { "import_row", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_AGENTS] = { "agents", 0 },
	[TK_DB_TEAMS] = { "teams", 0 },
	[TK_DB_AGENT_LOAD] = { "agent_load", 0 },
	[TK_DB_RR_CURSOR] = { "rr_cursor", 0 },
	[TK_DB_LOG_KEY] = { "log_key", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_LINKS] = { "links", 0 },
	[TK_DB_MERGES] = { "merges", 0 },
	[TK_DB_MAIL_RAW] = { "mail_raw", 0 },
	[TK_DB_ATTACH] = { "attach", 0 },
	[TK_DB_ATTACH_DATA] = { "attach_data", 0 },
	[TK_DB_MAIL_FILES] = { "mail_files", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_XID] = { "xid", 0 },
	[TK_DB_MAIL_RATE] = { "mail_rate", 0 },
	[TK_DB_KB] = { "kb", 0 },
	[TK_DB_KB_REV] = { "kb_rev", 0 },
	[TK_DB_KB_EXT] = { "kb_ext", 0 },
	[TK_DB_KB_USE] = { "kb_use", 0 },
	[TK_DB_FULLTEXT] = { "fulltext", 0 },
	[TK_DB_FT_PENDING] = { "ft_pending", 0 },
	[TK_DB_IX_CUSTOM] = { "ix_custom", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_NOTICE_QUEUE] = { "notice_queue", 0 },
	[TK_DB_NOTICE_MARK] = { "notice_mark", 0 },
	[TK_DB_CONTACTS] = { "contacts", 0 },
	[TK_DB_CONTACT_EMAIL] = { "contact_email", 0 },
	[TK_DB_CONTACT_PHONE] = { "contact_phone", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_CONTACT_EXTERNAL] = { "contact_external", 0 },
	[TK_DB_CONTACT_ORG] = { "contact_org", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_ORGS] = { "orgs", 0 },
	[TK_DB_ORG_DOMAIN] = { "org_domain", 0 },
	[TK_DB_ORG_EXTERNAL] = { "org_external", 0 },
	[TK_DB_IX_CONTACT] = { "ix_contact", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_IX_ORG] = { "ix_org", 0 },	/* posting lists (postings.c) */
	[TK_DB_IX_TIER] = { "ix_tier", 0 },
	[TK_DB_IX_SLA_DUE] = { "ix_sla_due", MDB_DUPSORT | MDB_DUPFIXED },
	[TK_DB_SLA_LEDGER] = { "sla_ledger", 0 },
	[TK_DB_ACTIVE_IX] = { "active_ix", 0 },
	[TK_DB_CONTACT_STATS] = { "contact_stats", 0 },
};

#define TK_MAP_START ((size_t)1 << 30)

int
tk_last_id(MDB_txn *txn, tk_store *st, uint64_t *id)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	*id = 0;
	if ((rc = mdb_cursor_open(txn, st->dbi[TK_DB_TICKETS], &c)))
		return tk_mdb_error(rc, "tickets");
	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	mdb_cursor_close(c);
	if (rc == 0)
		*id = tk_get_u64(k.mv_data);
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "tickets") : 0;
}

const char *
tk_store_path(const char *opt)
{
	static tk_buf b;
	const char *s;

	if (opt && *opt)
		return opt;
	if ((s = getenv("TK_DIR")) && *s)
		return s;
	b.len = 0;
	if ((s = getenv("XDG_DATA_HOME")) && *s == '/')	/* a relative one is ignored, as XDG says */
		tk_buf_printf(&b, "%s/tk", s);
	else if ((s = getenv("HOME")) && *s)
		tk_buf_printf(&b, "%s/.local/share/tk", s);
	else
		tk_die(TK_EXIT_USAGE, "no store: give -d DIR or set TK_DIR (HOME is not set)");
	return tk_buf_cstr(&b);
}

/* mkdir -p with permissions from the umask. */
static int
mkdirs(const char *dir)
{
	char *p, *s = tk_xstrdup(dir);
	int rc = 0;

	for (p = s + 1; ; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = '\0';
			if (mkdir(s, 0777) < 0 && errno != EEXIST) {
				rc = tk_error("%s: cannot create: %s", s, strerror(errno));
				break;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	free(s);
	return rc;
}

/* The store's schema version: 0 for a store not yet made, -1 on error. */
static long
read_schema(tk_store *st, MDB_txn *txn, MDB_dbi meta)
{
	MDB_val k = { 6, "schema" }, v;
	char buf[32];
	int rc;

	rc = mdb_get(txn, meta, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return tk_mdb_error(rc, st->dir);
	if (v.mv_size >= sizeof buf)
		return tk_error("%s: bad schema version", st->dir);
	memcpy(buf, v.mv_data, v.mv_size);
	buf[v.mv_size] = '\0';
	return strtol(buf, NULL, 10);
}

static int
write_schema(tk_store *st, MDB_txn *txn, long ver)
{
	MDB_val k = { 6, "schema" }, v;
	char buf[32];
	int rc;

	snprintf(buf, sizeof buf, "%ld", ver);
	v.mv_data = buf;
	v.mv_size = strlen(buf);
	rc = mdb_put(txn, st->dbi[TK_DB_META], &k, &v, 0);
	return rc ? tk_mdb_error(rc, st->dir) : 0;
}

/* The map's size at opening: $TK_MAP_SIZE bytes, else TK_MAP_START. It
 * only says how much address space to take first: the map grows when a
 * write fills it, and never starts below what the store holds. */
int
tk_map_size(size_t *size)
{
	const char *e = getenv("TK_MAP_SIZE");
	unsigned long long v;
	char *end;

	*size = TK_MAP_START;
	if (!e || !*e)
		return 0;
	errno = 0;
	v = strtoull(e, &end, 10);
	if (errno || *end || e[0] == '-' || v < 65536 || v > SIZE_MAX / 4)
		return tk_error("TK_MAP_SIZE=%s: not a size in bytes (65536 or more)", e);
	*size = (size_t)v;
	return 0;
}

static int
grow(tk_store *st)
{
	MDB_envinfo info;
	int rc;

	mdb_env_info(st->env, &info);
	if (info.me_mapsize > SIZE_MAX / 2)
		return tk_error("%s: map cannot grow", st->dir);
	rc = mdb_env_set_mapsize(st->env, info.me_mapsize * 2);
	return rc ? tk_mdb_error(rc, st->dir) : 0;
}

/*
 * The order of keys that are ticket ids, 8 bytes big-endian: the order
 * LMDB's own memcmp gives them (so mdb_dump, mdb_stat and an older tk read
 * the same tree), compared as numbers instead of byte by byte. A key of
 * another length is compared as LMDB would (bytes, then length).
 */
static int
cmp_id_key(const MDB_val *a, const MDB_val *b)
{
	size_t n;
	int c;

	if (a->mv_size == 8 && b->mv_size == 8) {
		uint64_t x, y;

		memcpy(&x, a->mv_data, 8);
		memcpy(&y, b->mv_data, 8);
		x = __builtin_bswap64(x);
		y = __builtin_bswap64(y);
		return (x > y) - (x < y);
	}
	n = a->mv_size < b->mv_size ? a->mv_size : b->mv_size;
	if ((c = memcmp(a->mv_data, b->mv_data, n)))
		return c;
	return (a->mv_size > b->mv_size) - (a->mv_size < b->mv_size);
}

static void
set_compare(tk_store *st, MDB_txn *txn, int i)
{
	if (i == TK_DB_TICKETS || i == TK_DB_BODIES)
		mdb_set_compare(txn, st->dbi[i], cmp_id_key);
}

/* Opens sub-database i in txn, made when writing: 0 or -1 with a message.
 * A store of schema ver before 4 has DUPSORT indexes where there are now
 * posting lists (upgrade_3 rebuilds them). */
static int
open_db(tk_store *st, MDB_txn *txn, int i, int write, long ver)
{
	int was_dup = i == TK_DB_IX_STATUS || i == TK_DB_IX_PRIORITY || i == TK_DB_IX_QUEUE;
	unsigned flags = ver >= 1 && ver < 4 && was_dup ? MDB_DUPSORT | MDB_DUPFIXED : dbs[i].flags;
	int rc = mdb_dbi_open(txn, dbs[i].name, flags | (write ? MDB_CREATE : 0), &st->dbi[i]);

	if (rc == MDB_NOTFOUND)
		return tk_error("%s: not a tk store (no %s sub-database)", st->dir, dbs[i].name);
	if (rc)
		return tk_mdb_error(rc, st->dir);
	set_compare(st, txn, i);
	return 0;
}

/*
 * A data file shorter than the pages its last commit names (cut short by a
 * copy, a full disk or a damaged disk): LMDB would read past its end and
 * the command die of SIGBUS. Said instead; -1.
 */
static int
short_file(tk_store *st, unsigned long long size)
{
	MDB_envinfo info;
	MDB_stat ms;
	unsigned long long need;

	if (mdb_env_info(st->env, &info) || mdb_env_stat(st->env, &ms))
		return 0;	/* nothing to compare; LMDB's own errors come later */
	need = ((unsigned long long)info.me_last_pgno + 1) * ms.ms_psize;
	if (size >= need)
		return 0;
	return tk_error("%s: store damaged: data.mdb has %llu bytes of the %llu its last commit wrote "
	    "(cut short?); restore it from a backup", st->dir, size, need);
}

static void denied(const char *dir, int write);

int
tk_store_exists(const char *dir)
{
	tk_buf path = { 0 };
	struct stat sb;
	int ok;

	tk_buf_printf(&path, "%s/data.mdb", dir);
	ok = stat(path.p, &sb) == 0 && sb.st_size;	/* empty: made, never written */
	tk_buf_free(&path);
	if (!ok && access(dir, X_OK) < 0 && errno == EACCES)
		denied(dir, 0);	/* there may be one, closed to this user */
	else if (!ok)
		tk_error("%s: no tk store here (tk-new creates one; -d DIR or TK_DIR choose another)", dir);
	return ok;
}

/* A meta value of txn: 1 found, 0 not, -1 error. */
static int
meta_get(tk_store *st, MDB_txn *txn, const char *key, MDB_val *v)
{
	MDB_val k = { strlen(key), (void *)key };
	int rc = mdb_get(txn, st->dbi[TK_DB_META], &k, v);

	if (rc == MDB_NOTFOUND)
		return 0;
	return rc ? tk_mdb_error(rc, "meta") : 1;
}

static void
indexed_free(tk_store *st)
{
	size_t i;

	for (i = 0; i < st->nindexed; i++)
		free(st->indexed[i]);
	free(st->indexed);
	st->indexed = NULL;
	st->nindexed = 0;
}

/* meta "indexed" (names, '\n' between) into st->indexed. */
static void
indexed_set(tk_store *st, const char *p, size_t n)
{
	const char *end = p + n, *nl;

	indexed_free(st);
	while (p < end) {
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			nl = end;
		if (nl > p) {
			st->indexed = tk_xrealloc(st->indexed, (st->nindexed + 1) * sizeof *st->indexed);
			st->indexed[st->nindexed++] = tk_xstrndup(p, (size_t)(nl - p));
		}
		p = nl + 1;
	}
}

/* A hash of meta "statuses" and "indexed" in txn: 0 or -1. */
static int
conf_stamp(tk_store *st, MDB_txn *txn, uint64_t *h)
{
	MDB_val v;
	int rc;

	*h = TK_HASH_SEED;
	if ((rc = meta_get(st, txn, "statuses", &v)) < 0)
		return -1;
	*h = tk_hash(*h, rc ? v.mv_data : "", rc ? v.mv_size : 0);
	*h = tk_hash(*h, "", 1);
	if ((rc = meta_get(st, txn, "indexed", &v)) < 0)
		return -1;
	*h = tk_hash(*h, rc ? v.mv_data : "", rc ? v.mv_size : 0);
	return 0;
}

/* What the store keeps of its configuration (meta "statuses" and
 * "indexed"), so every command agrees without reading the files. */
static int
load_meta(tk_store *st, MDB_txn *txn)
{
	tk_status_def defs[TK_STATUS_MAX];
	size_t n;
	MDB_val v;
	int rc;

	if ((rc = meta_get(st, txn, "statuses", &v)) < 0)
		return -1;
	if (rc && tk_status_decode(v.mv_data, v.mv_size, defs, &n) < 0)
		return tk_error("%s: %s", st->dir, tk_errmsg);
	if (!rc)
		tk_status_defaults(defs, &n);
	tk_status_install(defs, n);
	if ((rc = meta_get(st, txn, "indexed", &v)) < 0)
		return -1;
	indexed_set(st, rc ? v.mv_data : "", rc ? v.mv_size : 0);
	return conf_stamp(st, txn, &st->confstamp);
}

int
tk_meta_get(tk_txn *t, const char *key, MDB_val *v)
{
	return meta_get(t->st, t->txn, key, v);
}

int
tk_meta_put(tk_txn *t, const char *key, const void *p, size_t n)
{
	MDB_val k = { strlen(key), (void *)key }, v = { n, (void *)p };
	int rc;

	rc = p ? mdb_put(t->txn, t->st->dbi[TK_DB_META], &k, &v, 0) : mdb_del(t->txn, t->st->dbi[TK_DB_META], &k, NULL);
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "meta") : 0;
}

int
tk_store_indexed(const tk_store *st, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < st->nindexed; i++)
		if (!strncmp(st->indexed[i], name, n) && !st->indexed[i][n])
			return 1;
	return 0;
}

int
tk_store_set_indexed(tk_txn *t, char **names, size_t n)
{
	tk_buf b = { 0 };
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		tk_buf_printf(&b, "%s%s", i ? "\n" : "", names[i]);
	rc = tk_meta_put(t, "indexed", n ? b.p : NULL, b.len);
	if (!rc)
		indexed_set(t->st, b.p ? b.p : "", b.len);
	tk_buf_free(&b);
	return rc || conf_stamp(t->st, t->txn, &t->st->confstamp) < 0 ? -1 : 0;
}

int
tk_store_set_statuses(tk_txn *t, const tk_status_def *defs, size_t n)
{
	tk_buf b = { 0 };
	int rc;

	tk_status_encode(defs, n, &b);
	rc = tk_meta_put(t, "statuses", b.p, b.len);
	tk_buf_free(&b);
	if (!rc)
		tk_status_install(defs, n);
	return rc || conf_stamp(t->st, t->txn, &t->st->confstamp) < 0 ? -1 : 0;
}

/*
 * Opens the environment and the sub-databases. A writer creates the
 * directory and every sub-database in its first transaction; a reader of a
 * directory with no store gets a message saying how to make one.
 */
static void map_advise(tk_store *st, int advice);

/*
 * Why the store could not be opened for want of permission, in words a
 * user can take to whoever owns it. LMDB's readers take a slot in
 * lock.mdb, so a reader needs write access to lock.mdb (LMDB's rule):
 * read access to the files is not enough. tk(7) shows the group setup.
 */
static void
denied(const char *dir, int write)
{
	const char *who = write ? "commands that write" : "readers";
	char ask[160], gr[64];
	struct stat sb;
	tk_buf p = { 0 };

	if (stat(dir, &sb) == 0 && (tk_passwd_name("/etc/group", sb.st_gid, gr, sizeof gr) ||
	    tk_getent_name("group", sb.st_gid, gr, sizeof gr)))
		snprintf(ask, sizeof ask, "ask for the store's group (%s) or see tk(7)", gr);
	else
		snprintf(ask, sizeof ask, "ask for the store's group or see tk(7)");
	if (faccessat(AT_FDCWD, dir, X_OK, AT_EACCESS) < 0) {
		tk_error("%s: no search access to the store's directory; %s", dir, ask);
		return;
	}
	tk_buf_printf(&p, "%s/data.mdb", dir);
	if (faccessat(AT_FDCWD, p.p, write ? R_OK | W_OK : R_OK, AT_EACCESS) < 0 && errno == EACCES) {
		tk_error("%s: %s need %s access to data.mdb; %s", p.p, who, write ? "read and write" : "read", ask);
		goto done;
	}
	p.len = 0;
	tk_buf_printf(&p, "%s/lock.mdb", dir);
	if (faccessat(AT_FDCWD, p.p, F_OK, AT_EACCESS) < 0 && errno == ENOENT)
		tk_error("%s: lock.mdb is missing, and only a user who may write the directory can make it "
		    "(readers need it too: LMDB's rule); %s", dir, ask);
	else if (faccessat(AT_FDCWD, p.p, R_OK | W_OK, AT_EACCESS) < 0)
		tk_error("%s: %s need write access to lock.mdb%s; %s", p.p, who,
		    write ? "" : " (LMDB's rule: a reader takes a slot in it)", ask);
	else
		tk_error("%s: %s", dir, strerror(EACCES));
done:
	tk_buf_free(&p);
}

tk_store *
tk_store_open(const char *dir, int write)
{
	tk_store *st = tk_xmalloc(sizeof *st);
	MDB_txn *txn = NULL;
	struct stat sb;
	tk_buf path = { 0 };
	size_t mapsize;
	long ver;
	int rc, i, existed;

	memset(st, 0, sizeof *st);
	st->dir = tk_xstrdup(dir);
	if (tk_map_size(&mapsize) < 0)
		goto fail;
	tk_buf_printf(&path, "%s/data.mdb", dir);
	existed = stat(path.p, &sb) == 0 && sb.st_size;	/* empty: made, never written */
	if (!existed && access(dir, X_OK) < 0 && errno == EACCES) {
		denied(dir, write);
		goto fail;
	}
	if (!existed) {
		if (!write) {
			tk_store_exists(dir);
			goto fail;
		}
		if (mkdirs(dir) < 0)
			goto fail;
	}
	if ((rc = mdb_env_create(&st->env)) ||
	    (rc = mdb_env_set_maxdbs(st->env, TK_DB_COUNT + 4)) ||
	    (rc = mdb_env_set_mapsize(st->env, mapsize))) {
		tk_mdb_error(rc, dir);
		goto fail;
	}
	rc = mdb_env_open(st->env, dir, MDB_NOTLS | (write ? 0 : MDB_RDONLY | MDB_NORDAHEAD), 0666);
	if (rc == EACCES || rc == EPERM) {
		denied(dir, write);
		goto fail;
	} else if (rc) {
		tk_mdb_error(rc, dir);
		goto fail;
	}
	/* (A store this writer just made is its own size.) */
	if (existed && short_file(st, (unsigned long long)sb.st_size) < 0)
		goto fail;
	st->rdonly = !write;
	/*
	 * A reader asks for the store's pages in huge pages (2 MiB): a page
	 * not yet in memory is read with the 2 MiB around it, and once the
	 * store is held that way a fault maps a huge page, not 16 small ones.
	 * tk-ls of 1,606 tickets scattered over a million: 590 faults and
	 * 3.8 ms instead of 1,994 faults and 6-9 ms. The first query after
	 * the store left memory reads more (0.8 s for a 700 MB store instead
	 * of 0.1 s), so only for a store that fits in memory several times
	 * over and is at most 4 GiB, or as $TK_HUGEPAGES says.
	 */
	if (!write && tk_hugepages(sb.st_size) == 1)	/* a reader's stat above found the store */
		map_advise(st, MADV_HUGEPAGE);
	rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &txn);
	if (rc == MDB_MAP_RESIZED) {
		mdb_env_set_mapsize(st->env, 0);
		rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &txn);
	}
	if (rc) {
		tk_mdb_error(rc, dir);
		goto fail;
	}
	if (open_db(st, txn, TK_DB_META, write, 0) < 0)
		goto fail;
	if ((ver = read_schema(st, txn, st->dbi[TK_DB_META])) < 0)
		goto fail;
	if (ver > TK_SCHEMA_VERSION) {
		tk_error("%s: store has schema version %ld, newer than this tk (%s, schema %d); upgrade tk",
		    dir, ver, TK_VERSION, TK_SCHEMA_VERSION);
		goto fail;
	}
	if (!write && ver < TK_SCHEMA_VERSION) {
		if (ver == 0) {
			tk_error("%s: store has no schema version", dir);
			goto fail;
		}
		/* An older store, not opened further: a writer upgrades it
		 * first (tk_store_upgrade, which tk_cmd_store runs). */
		st->schema = ver;
		mdb_txn_abort(txn);
		tk_buf_free(&path);
		return st;
	}
	for (i = 0; i < TK_DB_COUNT; i++)
		if (i != TK_DB_META && open_db(st, txn, i, write, ver) < 0)
			goto fail;
	if (ver == 0) {	/* a new store: its ticket index kept from the start */
		MDB_val fk = { 10, "ft_tickets" }, fv = { 1, "1" };

		if (write_schema(st, txn, TK_SCHEMA_VERSION) < 0)
			goto fail;
		if ((rc = mdb_put(txn, st->dbi[TK_DB_META], &fk, &fv, 0))) {
			tk_mdb_error(rc, dir);
			goto fail;
		}
	}
	st->created = ver == 0;
	if (load_meta(st, txn) < 0)
		goto fail;
	st->schema = ver ? ver : TK_SCHEMA_VERSION;
	/* Committed even when read-only: handles opened in an aborted txn close. */
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc) {
		tk_mdb_error(rc, dir);
		goto fail;
	}
	tk_buf_free(&path);
	return st;
fail:
	if (txn)
		mdb_txn_abort(txn);
	tk_buf_free(&path);
	tk_store_close(st);
	return NULL;
}

/*
 * A bulk command's store: new tickets' index entries are gathered and
 * written sorted at each commit, the map's pages are dropped after it, and
 * a commit flushes the data once, not the meta page after it
 * (MDB_NOMETASYNC): a crash of the system may undo the last batch, never
 * leave a half one, and a re-run puts it back. tk_store_sync at the end
 * makes everything durable.
 */
void
tk_store_bulk(tk_store *st)
{
	st->bulk = 1;
	mdb_env_set_flags(st->env, MDB_NOMETASYNC, 1);
}

int (*tk_bulk_end_hook)(tk_store *st);

int
tk_store_sync(tk_store *st)
{
	int rc;

	/* a bulk run's ticket index written first (kb.c's tk_ft_finish), then
	 * its contacts' summaries (cstats.c) */
	if (st->ft_finish && st->ft_finish(st) < 0)
		return -1;
	if (st->bulk && tk_bulk_end_hook && tk_bulk_end_hook(st) < 0)
		return -1;
	rc = mdb_env_sync(st->env, 1);
	return rc ? tk_mdb_error(rc, st->dir) : 0;
}

void
tk_store_close(tk_store *st)
{
	if (!st)
		return;
	/* a bulk run's ticket index written (kept listed if it fails) */
	if (st->env && st->ft_finish && st->ft_finish(st) < 0)
		tk_warn("%s", tk_errmsg);
	if (st->env)
		mdb_env_close(st->env);
	for (int i = 0; i < st->nbatch; i++)
		st->batch[i].ops->free(st->batch[i].state);
	for (size_t i = 0; i < st->ndeclared; i++)
		free(st->declared[i]);
	free(st->declared);
	indexed_free(st);
	free(st->dir);
	free(st);
}

int
tk_txn_read(tk_store *st, tk_txn *t)
{
	int rc;

	memset(t, 0, sizeof *t);
	t->st = st;
	t->now = tk_now();
	tk_time_iso(t->now, t->now_iso);
	t->actor = "";		/* readers log nothing; getpwuid may ask the network */
	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &t->txn);
	if (rc == MDB_MAP_RESIZED) {
		mdb_env_set_mapsize(st->env, 0);
		rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &t->txn);
	}
	return rc ? tk_mdb_error(rc, st->dir) : 0;
}

int
tk_get_id(tk_txn *t, int db, uint64_t id, MDB_val *v)
{
	unsigned char kb[8];
	MDB_val k = { 8, kb };
	int rc;

	tk_put_u64(kb, id);
	rc = mdb_get(t->txn, t->st->dbi[db], &k, v);
	if (rc == MDB_NOTFOUND)
		return 0;
	return rc ? tk_mdb_error(rc, dbs[db].name) : 1;
}

/* ---- values read ahead (tk_ahead_start) ---- */

#define AHEAD_MIN 2048		/* fewer ids: a thread is not worth its start */
#define AHEAD_WINDOW 512	/* at most this far ahead of the caller (its cache); then
				 * it sleeps till the caller is within half of it */
#define AHEAD_LEAP 16		/* past the caller when it caught up (it reads those) */

struct tk_ahead {
	pthread_t th;
	MDB_env *env;
	MDB_dbi dbi;
	size_t txnid;
	const uint64_t *ids;
	size_t n;
	MDB_val *v;		/* ids[i]'s value once ready[i]; mv_data NULL: no key */
	unsigned char *ready;	/* set (release) after v[i] is written */
	size_t need;		/* the caller's place (atomic) */
	int stop;		/* (atomic) */
	size_t wait_at;		/* (atomic) the helper waits at this place, 0: not */
	pthread_mutex_t mu;	/* over the helper's wait */
	pthread_cond_t cv;	/* the caller moved on, or stop */
};

static void *
ahead_run(void *arg)
{
	tk_ahead *a = arg;
	MDB_txn *txn;
	size_t i, at;

	if (mdb_txn_begin(a->env, NULL, MDB_RDONLY, &txn))
		return NULL;
	if (mdb_txn_id(txn) != a->txnid) {	/* another snapshot: the caller reads */
		mdb_txn_abort(txn);
		return NULL;
	}
	for (i = 0; i < a->n && !__atomic_load_n(&a->stop, __ATOMIC_RELAXED); i++) {
		unsigned char kb[8];
		MDB_val k = { 8, kb }, v;
		int rc;

		if ((at = __atomic_load_n(&a->need, __ATOMIC_RELAXED)) > i)
			i = at + AHEAD_LEAP;	/* the caller caught up: ahead again */
		if (i >= a->n)
			break;
		if (i > at + AHEAD_WINDOW) {	/* far enough ahead: sleep till the caller comes */
			pthread_mutex_lock(&a->mu);
			__atomic_store_n(&a->wait_at, i, __ATOMIC_SEQ_CST);
			while (i > __atomic_load_n(&a->need, __ATOMIC_SEQ_CST) + AHEAD_WINDOW / 2 &&
			    !__atomic_load_n(&a->stop, __ATOMIC_SEQ_CST))
				pthread_cond_wait(&a->cv, &a->mu);
			__atomic_store_n(&a->wait_at, 0, __ATOMIC_SEQ_CST);
			pthread_mutex_unlock(&a->mu);
			if (__atomic_load_n(&a->stop, __ATOMIC_SEQ_CST))
				break;
		}
		tk_put_u64(kb, a->ids[i]);
		rc = mdb_get(txn, a->dbi, &k, &v);
		if (rc == MDB_NOTFOUND)
			v = (MDB_val){ 0, NULL };
		else if (rc)
			break;	/* (the caller reads the rest, and says what is wrong) */
		else {	/* the record's first lines into the cache */
			const volatile unsigned char *p = v.mv_data;
			size_t o;

			for (o = 0; o < v.mv_size && o < 512; o += 64)
				(void)p[o];
		}
		a->v[i] = v;
		__atomic_store_n(&a->ready[i], 1, __ATOMIC_RELEASE);
	}
	mdb_txn_abort(txn);	/* (the caller's txn holds the same snapshot) */
	return NULL;
}

static void
ahead_free(tk_ahead *a)
{
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a->v);
	free(a->ready);
	free(a);
}

tk_ahead *
tk_ahead_start(tk_txn *t, int db, const uint64_t *ids, size_t n)
{
	const char *e = getenv("TK_FETCH_AHEAD");
	tk_ahead *a;

	if (t->write || n < AHEAD_MIN || (e && !strcmp(e, "0")) || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return NULL;
	a = tk_xmalloc(sizeof *a);
	memset(a, 0, sizeof *a);
	a->env = t->st->env;
	a->dbi = t->st->dbi[db];
	a->txnid = mdb_txn_id(t->txn);
	a->ids = ids;
	a->n = n;
	a->v = tk_xmalloc(n * sizeof *a->v);
	a->ready = tk_xmalloc(n);
	memset(a->ready, 0, n);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	if (pthread_create(&a->th, NULL, ahead_run, a)) {
		ahead_free(a);
		return NULL;
	}
	return a;
}

/* The helper woken (it rechecks why it slept). */
static void
ahead_wake(tk_ahead *a)
{
	pthread_mutex_lock(&a->mu);
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

int
tk_ahead_get(tk_ahead *a, size_t i, MDB_val *v)
{
	size_t w;

	if (!a || i >= a->n)
		return -1;
	__atomic_store_n(&a->need, i + 1, __ATOMIC_SEQ_CST);
	/* (a wake-up missed here comes with the next call, or with stop) */
	if ((w = __atomic_load_n(&a->wait_at, __ATOMIC_SEQ_CST)) && w <= i + 1 + AHEAD_WINDOW / 2)
		ahead_wake(a);
	if (!__atomic_load_n(&a->ready[i], __ATOMIC_ACQUIRE))
		return -1;
	*v = a->v[i];
	return v->mv_data != NULL;
}

void
tk_ahead_stop(tk_ahead *a)
{
	if (!a)
		return;
	__atomic_store_n(&a->stop, 1, __ATOMIC_SEQ_CST);
	ahead_wake(a);
	pthread_join(a->th, NULL);
	ahead_free(a);
}

int
tk_append(tk_txn *t, int db, MDB_val *k, MDB_val *v)
{
	int rc;

	if (!t->app[db] && (rc = mdb_cursor_open(t->txn, t->st->dbi[db], &t->app[db])))
		return rc;
	return mdb_cursor_put(t->app[db], k, v, MDB_APPEND);
}

int
tk_append_or_put(tk_txn *t, int db, MDB_val *k, MDB_val *v)
{
	int rc = tk_append(t, db, k, v);

	if (rc == MDB_KEYEXIST)	/* (a key below the last: put in its place) */
		rc = mdb_put(t->txn, t->st->dbi[db], k, v, 0);
	return rc;
}

/* The epochs a transaction read (index.c keeps them in the txn). */
static void
epochs_forget(tk_txn *t)
{
	free(t->epochs);
	t->epochs = NULL;
	t->nepochs = 0;
}

void *
tk_txn_batch(tk_txn *t, const tk_batch_ops *ops)
{
	tk_store *st = t->st;
	int i;

	if (!t->bulk)
		return NULL;
	for (i = 0; i < st->nbatch; i++)
		if (st->batch[i].ops == ops)
			return st->batch[i].state;
	if (st->nbatch == (int)(sizeof st->batch / sizeof *st->batch))
		tk_die(TK_EXIT_FAIL, "tk_txn_batch: too many batch parts");
	st->batch[st->nbatch].ops = ops;
	st->batch[st->nbatch].state = ops->make();
	return st->batch[st->nbatch++].state;
}

int
tk_txn_flush(tk_txn *t)
{
	int i;

	for (i = 0; i < t->st->nbatch; i++)
		if (t->st->batch[i].ops->write && t->st->batch[i].ops->write(t->st->batch[i].state, t) < 0)
			return -1;
	return 0;
}

void
tk_txn_end(tk_txn *t)
{
	epochs_forget(t);
	if (t->txn)
		mdb_txn_abort(t->txn);
	t->txn = NULL;
}

/*
 * madvise(2) over the map of data.mdb. LMDB tells its map's address only
 * with MDB_FIXEDMAP, so the kernel is asked: the mapping in
 * /proc/self/maps of a file named data.mdb with the store's inode (not
 * its device: on some file systems, btrfs subvolumes among them, the maps
 * may show another device number than stat).
 */
static void
map_advise(tk_store *st, int advice)
{
	char line[4096], *path;
	unsigned long lo, hi, ino;
	struct stat sb;
	size_t n;
	FILE *fp;
	int fd;

	if (mdb_env_get_fd(st->env, &fd) || fstat(fd, &sb) < 0 || !(fp = fopen("/proc/self/maps", "r")))
		return;
	while (fgets(line, sizeof line, fp)) {
		/* lo-hi perms offset dev inode path (by hand: sscanf cost a
		 * query of a few hundred tickets 5% of its instructions) */
		char *p = line;
		int skip;

		path = strchr(line, '/');
		lo = strtoul(p, &p, 16);
		if (!path || *p != '-')
			continue;
		hi = strtoul(p + 1, &p, 16);
		for (skip = 0; skip < 3 && p && *p == ' '; skip++)
			p = strchr(p + 1, ' ');
		if (!p || skip < 3)
			continue;
		ino = strtoul(p, NULL, 10);
		if (ino != (unsigned long)sb.st_ino || hi <= lo)
			continue;
		n = strcspn(path, "\n");
		if (n >= 9 && !strncmp(path + n - 9, "/data.mdb", 9))
			madvise((void *)lo, hi - lo, advice);
	}
	fclose(fp);
}

/*
 * Drop the pages of the map this process has touched: they stay in the
 * page cache, but not in its resident size. Between the batches of a bulk
 * command, so a million-row import runs in the memory of one batch; and
 * in long scans (query.c).
 */
void
tk_store_forget(tk_store *st)
{
	map_advise(st, MADV_DONTNEED);
}

/*
 * $TK_HUGEPAGES: 1 to read the store through huge pages, 0 not to; unset,
 * when the store is at least 64 MiB (below, a query meets few faults and
 * finding the map would cost more) and at most a quarter of the machine's
 * memory and 4 GiB (the first query after the store left memory may read
 * all of it). -1 for a value that is neither (tk_errmsg).
 */
int
tk_hugepages(long long size)
{
	const char *e = getenv("TK_HUGEPAGES");
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

	if (e && *e) {
		if (strcmp(e, "0") && strcmp(e, "1"))
			return tk_error("TK_HUGEPAGES=%s: not 0 or 1", e);
		return *e == '1';
	}
	return size >= 64LL << 20 && size <= 4LL << 30 && pages > 0 && psize > 0 &&
	    (double)size <= (double)pages * (double)psize / 4;
}

/*
 * A commit that could not write. LMDB turns a short write into EIO; when
 * the store's file system is full, or the file reached the size limit of
 * the process (ulimit -f), that is said instead of only the errno.
 */
static void
commit_error(tk_store *st, int rc)
{
	struct statvfs fs;
	struct rlimit rl;
	struct stat sb;
	int fd;

	if (rc == EIO || rc == ENOSPC || rc == EFBIG || rc == EDQUOT) {
		if (statvfs(st->dir, &fs) == 0 && (unsigned long long)fs.f_bavail * fs.f_frsize < 16ULL << 20) {
			tk_error("%s: cannot write the store: no space left on its file system (%s)",
			    st->dir, mdb_strerror(rc));
			return;
		}
		if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    mdb_env_get_fd(st->env, &fd) == 0 && fstat(fd, &sb) == 0 &&
		    (unsigned long long)sb.st_size + (64ULL << 20) >= (unsigned long long)rl.rlim_cur) {
			tk_error("%s: cannot write the store: it reached the file size limit (ulimit -f: %llu bytes) (%s)",
			    st->dir, (unsigned long long)rl.rlim_cur, mdb_strerror(rc));
			return;
		}
	}
	tk_mdb_error(rc, st->dir);
}

int
tk_store_write(tk_store *st, tk_write_fn fn, void *arg)
{
	tk_txn t;
	int rc, code, i;
	uint64_t h, stamp;

	for (;;) {
		memset(&t, 0, sizeof t);
		t.st = st;
		t.write = 1;
		t.now = tk_now();
		tk_time_iso(t.now, t.now_iso);
		t.actor = tk_actor();
		t.via = st->via ? st->via : "cli";

		rc = mdb_txn_begin(st->env, NULL, 0, &t.txn);
		if (rc == MDB_MAP_RESIZED) {
			mdb_env_set_mapsize(st->env, 0);
			continue;
		}
		if (rc) {
			tk_mdb_error(rc, st->dir);
			return TK_EXIT_FAIL;
		}
		tk_map_full = 0;
		/* The classes and indexes this command opened the store with are
		 * still the store's: tk-config apply may have changed them since
		 * (a ticket would go to the wrong side of the working set). */
		if (conf_stamp(st, t.txn, &h) < 0) {
			mdb_txn_abort(t.txn);
			return TK_EXIT_FAIL;
		}
		if (h != st->confstamp) {
			mdb_txn_abort(t.txn);
			tk_error("%s: the store's workflow or indexes changed while this command ran "
			    "(tk-config apply): nothing written; run it again", st->dir);
			return TK_EXIT_FAIL;
		}
		stamp = st->confstamp;	/* (tk-config apply's transaction moves it) */
		if (st->bulk) {
			for (i = 0; i < st->nbatch; i++)
				st->batch[i].ops->reset(st->batch[i].state);
			t.bulk = 1;
		}
		code = fn(&t, arg);
		if (!code && t.bulk && tk_txn_flush(&t) < 0)
			code = TK_EXIT_FAIL;
		/* tickets written: indexed in batches (kb.c, through the hook) */
		if (!code && t.ft_listed && st->ft_drain && st->ft_drain(&t, st->bulk) < 0)
			code = TK_EXIT_FAIL;
		t.bulk = 0;
		epochs_forget(&t);

		if (code)
			st->confstamp = stamp;
		if (code && tk_map_full) {
			mdb_txn_abort(t.txn);
			if (grow(st) < 0)
				return TK_EXIT_FAIL;
			continue;
		}
		if (code) {
			mdb_txn_abort(t.txn);
			if (st->ft_aborted)
				st->ft_aborted(&t);
			return code;
		}
		rc = mdb_txn_commit(t.txn);
		if (rc == 0 && st->ft_committed)
			st->ft_committed(&t);
		for (i = 0; rc == 0 && st->bulk && i < st->nbatch; i++)
			if (st->batch[i].ops->committed)
				st->batch[i].ops->committed(st->batch[i].state, &t);
		/* After every batch: the memory of one batch, whatever the count. */
		if (rc == 0 && st->bulk)
			tk_store_forget(st);
		if (rc == MDB_MAP_FULL) {
			st->confstamp = stamp;
			if (grow(st) < 0)
				return TK_EXIT_FAIL;
			continue;
		}
		if (rc) {
			commit_error(st, rc);
			return TK_EXIT_FAIL;
		}
		return 0;
	}
}

int
tk_ft_pending_add(tk_txn *t, uint64_t id)
{
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v = { 0, "" };
	int rc;

	if (!t->st->ft_tickets || !id)
		return 0;
	tk_put_u64(kb, id);
	/* (a value kept: the words the index has for a changed ticket) */
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_FT_PENDING], &k, &v, MDB_NOOVERWRITE);
	t->ft_listed = 1;
	return rc && rc != MDB_KEYEXIST ? tk_mdb_error(rc, "ft_pending") : 0;
}

int
tk_ft_changed(tk_txn *t, uint64_t id, int grow)
{
	if (!t->st->ft_tickets || !id)
		return 0;
	if (t->st->ft_touch)
		return t->st->ft_touch(t, id, grow);
	return tk_ft_pending_add(t, id);
}

int
tk_ft_tickets_built(tk_txn *t)
{
	MDB_val k = { 10, "ft_tickets" }, v;
	int rc = mdb_get(t->txn, t->st->dbi[TK_DB_META], &k, &v);

	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "meta");
	return !rc && v.mv_size == 1 && *(char *)v.mv_data == '1';
}

int
tk_ft_tickets_mark(tk_txn *t, int built)
{
	MDB_val k = { 10, "ft_tickets" }, v = { 1, "1" };
	int rc = built ? mdb_put(t->txn, t->st->dbi[TK_DB_META], &k, &v, 0) :
	    mdb_del(t->txn, t->st->dbi[TK_DB_META], &k, NULL);

	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "meta") : 0;
}

int
tk_field_register(tk_txn *t, tk_str name)
{
	MDB_val k = { name.n, (void *)name.p }, v = { 0, "" };
	size_t i;
	int rc;

	/* A batch names the same few fields ticket after ticket. */
	for (i = 0; i + name.n < t->reglen; i += strlen(t->reg + i) + 1)
		if (!memcmp(t->reg + i, name.p, name.n) && !t->reg[i + name.n])
			return 0;
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_FIELDS], &k, &v, MDB_NOOVERWRITE);
	if (rc && rc != MDB_KEYEXIST)
		return tk_mdb_error(rc, "fields");
	if (!memchr(name.p, '\0', name.n) && t->reglen + name.n + 1 <= sizeof t->reg) {
		memcpy(t->reg + t->reglen, name.p, name.n);
		t->reg[t->reglen + name.n] = '\0';
		t->reglen += name.n + 1;
	}
	return 0;
}

/*
 * The import generation (meta "import_gen"): counts the changes that could
 * make a row tk-import once took as it is come out otherwise: a ticket's
 * row hash replaced (--update), or its external id changed. A mark is good
 * only in the generation it was made in.
 */
uint64_t
tk_import_gen(tk_txn *t)
{
	MDB_val k = { 10, "import_gen" }, v;

	if (mdb_get(t->txn, t->st->dbi[TK_DB_META], &k, &v) == 0 && v.mv_size == 8)
		return tk_get_u64(v.mv_data);
	return 0;
}

int
tk_import_gen_bump(tk_txn *t)
{
	unsigned char b[8];
	MDB_val k = { 10, "import_gen" }, v = { 8, b };
	int rc;

	/* Once a transaction is enough: marks only ask whether it moved. */
	if (t->gen_bumped)
		return 0;
	tk_put_u64(b, tk_import_gen(t) + 1);
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_META], &k, &v, 0);
	if (rc)
		return tk_mdb_error(rc, "meta");
	t->gen_bumped = 1;
	return 0;
}

static void
mark_encode(const tk_mark *m, unsigned char *b)
{
	tk_put_u64(b, m->offset);
	tk_put_u64(b + 8, m->lineno);
	tk_put_u64(b + 16, m->hash);
	tk_put_u64(b + 24, m->gen);
	tk_put_u64(b + 32, m->rows);
}

/* The marks of inputs with this header made in this generation, by offset. */
int
tk_marks_get(tk_txn *t, uint64_t header, tk_mark **out, size_t *n)
{
	unsigned char kb[8];
	MDB_val k = { 8, kb }, d;
	MDB_cursor *c;
	uint64_t gen = tk_import_gen(t);
	size_t i, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	tk_put_u64(kb, header);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IMPORT_MARKS], &c)))
		return tk_mdb_error(rc, "import_marks");
	rc = mdb_cursor_get(c, &k, &d, MDB_SET);
	if (rc == 0)
		rc = mdb_cursor_get(c, &k, &d, MDB_GET_MULTIPLE);
	while (rc == 0) {
		for (i = 0; i + 40 <= d.mv_size; i += 40) {
			const unsigned char *p = (const unsigned char *)d.mv_data + i;
			tk_mark m = { tk_get_u64(p), tk_get_u64(p + 8), tk_get_u64(p + 16),
			    tk_get_u64(p + 24), tk_get_u64(p + 32) };

			if (m.gen != gen)
				continue;
			if (*n == cap) {
				cap = cap ? 2 * cap : 64;
				*out = tk_xrealloc(*out, cap * sizeof **out);
			}
			(*out)[(*n)++] = m;
		}
		rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_MULTIPLE);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : tk_mdb_error(rc, "import_marks");
}

/* Keeps mark m of inputs with this header, in place of any at its offset. */
int
tk_mark_put(tk_txn *t, uint64_t header, const tk_mark *m)
{
	unsigned char kb[8], vb[40];
	MDB_val k = { 8, kb }, d = { 40, vb };
	MDB_cursor *c;
	int rc;

	tk_put_u64(kb, header);
	memset(vb, 0, sizeof vb);
	tk_put_u64(vb, m->offset);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_IMPORT_MARKS], &c)))
		return tk_mdb_error(rc, "import_marks");
	for (rc = mdb_cursor_get(c, &k, &d, MDB_GET_BOTH_RANGE);
	    rc == 0 && tk_get_u64(d.mv_data) == m->offset;
	    rc = mdb_cursor_get(c, &k, &d, MDB_GET_BOTH_RANGE)) {
		if ((rc = mdb_cursor_del(c, 0)))
			break;
		k.mv_size = 8;
		k.mv_data = kb;
		d.mv_size = 40;
		d.mv_data = vb;
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "import_marks");
	mark_encode(m, vb);
	k.mv_size = 8;
	k.mv_data = kb;
	d.mv_size = 40;
	d.mv_data = vb;
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_IMPORT_MARKS], &k, &d, 0);
	return rc ? tk_mdb_error(rc, "import_marks") : 0;
}

int
tk_field_registered(tk_txn *t, const char *name, size_t n)
{
	MDB_val k = { n, (void *)name }, v;

	return mdb_get(t->txn, t->st->dbi[TK_DB_FIELDS], &k, &v) == 0;
}

int
tk_store_set_schema(tk_txn *t, long ver)
{
	return write_schema(t->st, t->txn, ver);
}

int
tk_store_db_recreate(tk_store *st, MDB_txn *txn, int db)
{
	int rc;

	if ((rc = mdb_drop(txn, st->dbi[db], 1)) ||
	    (rc = mdb_dbi_open(txn, dbs[db].name, dbs[db].flags | MDB_CREATE, &st->dbi[db])))
		return tk_mdb_error(rc, dbs[db].name);
	set_compare(st, txn, db);
	return 0;
}

int
tk_ix_postings(int db)
{
	return db == TK_DB_IX_STATUS || db == TK_DB_IX_PRIORITY || db == TK_DB_IX_QUEUE ||
	    db == TK_DB_IX_ORG || db == TK_DB_IX_TIER;
}
