/*
 * tk-store.h - the store layer of libtk (tk.h says the layers).
 *
 * The LMDB environment, sub-databases, transactions and their batch hooks,
 * meta and import marks (store.c), index keys and epochs (index.c), posting
 * lists (postings.c), index batches (ixbatch.c), the working set (active.c),
 * the event log (log.c), comments (comment.c), links both ways (linkdb.c),
 * assignees' loads (load.c).
 */
#ifndef TK_STORE_H
#define TK_STORE_H

#include "tk-base.h"

/* ---- store.c ---- */

enum tk_dbi {
	TK_DB_META,
	TK_DB_TICKETS,
	TK_DB_BODIES,
	TK_DB_COMMENTS,
	TK_DB_LOG,
	TK_DB_LOG_TICKET,
	TK_DB_FIELDS,
	TK_DB_IX_STATUS,
	TK_DB_IX_PRIORITY,
	TK_DB_IX_QUEUE,
	TK_DB_IX_ASSIGNEE,
	TK_DB_IX_REQUESTER,
	TK_DB_IX_CREATED,
	TK_DB_IX_UPDATED,
	TK_DB_IX_EXTERNAL,
	TK_DB_IMPORT_HASH,
	TK_DB_IMPORT_MARKS,
	TK_DB_ACTIVE,
	TK_DB_IMPORT_ROW,
	TK_DB_AGENTS,		/* schema 7: agents and teams (agent.c) */
	TK_DB_TEAMS,
	TK_DB_AGENT_LOAD,	/* each assignee's tickets in the working set (load.c) */
	TK_DB_RR_CURSOR,	/* tk-assign --round-robin's cursor per team (assign.c) */
	TK_DB_LOG_KEY,		/* events about agents, teams, contacts, orgs (log.c) */
	TK_DB_LINKS,		/* schema 8: links both ways (linkdb.c) */
	TK_DB_MERGES,		/* schema 8: what each merge did (link.c) */
	TK_DB_MAIL_RAW,		/* schema 9: raw messages, m-ids (mailstore.c) */
	TK_DB_ATTACH,		/* schema 9: attachments, a-ids */
	TK_DB_ATTACH_DATA,	/* schema 9: attachment bytes, content-addressed */
	TK_DB_MAIL_FILES,	/* schema 9: a ticket's raw messages and attachments */
	TK_DB_XID,		/* schema 9: Message-IDs -> ticket, never moved */
	TK_DB_MAIL_RATE,	/* schema 9: per-sender intake counters */
	TK_DB_KB,		/* schema 10: articles (kb.c) */
	TK_DB_KB_REV,		/* schema 10: articles' earlier revisions */
	TK_DB_KB_EXT,		/* schema 10: an imported article's external id -> id */
	TK_DB_KB_USE,		/* schema 10: tickets an article was made from or used on */
	TK_DB_FULLTEXT,		/* schema 10: the inverted index (kb.c) */
	TK_DB_FT_PENDING,	/* schema 10: tickets written but not yet in the index */
	TK_DB_IX_CUSTOM,	/* schema 11: custom fields declared indexed */
	TK_DB_NOTICE_QUEUE,	/* schema 12: tk-notify's queue (notice.c) */
	TK_DB_NOTICE_MARK,	/* each ticket's notice mark (notice.c) */
	/* schema 13: the customer directory (contact.c, org.c) */
	TK_DB_CONTACTS,		/* id -> contact */
	TK_DB_CONTACT_EMAIL,	/* address -> contact id */
	TK_DB_CONTACT_PHONE,	/* phone digits -> contact ids */
	TK_DB_CONTACT_EXTERNAL,	/* the CRM's id -> contact id */
	TK_DB_CONTACT_ORG,	/* org key -> its contacts' ids */
	TK_DB_ORGS,		/* org key -> org */
	TK_DB_ORG_DOMAIN,	/* domain -> org key */
	TK_DB_ORG_EXTERNAL,	/* the CRM's id -> org key */
	TK_DB_IX_CONTACT,	/* tickets by contact, org and tier */
	TK_DB_IX_ORG,
	TK_DB_IX_TIER,
	TK_DB_IX_SLA_DUE,	/* schema 14: the earliest running SLA deadline (sla.c) */
	TK_DB_SLA_LEDGER,	/* escalations claimed by tk-sla --new (sla.c) */
	TK_DB_ACTIVE_IX,	/* schema 15: the working set by org and indexed custom field (active.c) */
	TK_DB_CONTACT_STATS,	/* schema 18: contact id -> the summary of its tickets (cstats.c) */
	TK_DB_COUNT
};

/* The schema this tk writes. An older store is opened no further than its
 * meta until upgrade.c (started by tk_cmd_store) brings it up to date. */
#define TK_SCHEMA_VERSION 19

struct tk_txn;
typedef struct tk_store {
	char *dir;
	MDB_env *env;
	MDB_dbi dbi[TK_DB_COUNT];
	int rdonly;
	long schema;		/* the store's schema version once opened */
	int bulk;		/* tk_store_bulk: batches of new tickets (tk_txn_batch) */
	struct tk_batch_part {	/* bulk: what modules keep for a batch's commit */
		const struct tk_batch_ops *ops;
		void *state;	/* reused from transaction to transaction */
	} batch[6];
	int nbatch;
	const char *via;	/* what makes this command's changes: "cli" unless set (the log's via) */
	char **declared;	/* custom field names of the store's fields file (fields.c) */
	size_t ndeclared;
	char **indexed;		/* custom fields the store indexes (meta "indexed", ix_custom) */
	size_t nindexed;
	int created;		/* this command made the store */
	uint64_t confstamp;	/* hash of meta "statuses" and "indexed" as the store opened */
	int ft_tickets;		/* ticket writes listed in ft_pending (tk_ft_pending_add) */
	/* Called by tk_store_write before each commit when ft_tickets is on:
	 * brings the ticket index up to date in batches (kb.c's tk_ft_drain). */
	int (*ft_drain)(struct tk_txn *t, int all);
	/* A bulk command's new ticket, its text in hand (kb.c's
	 * tk_ft_bulk_new): inverted in memory, its batch's ids listed. */
	int (*ft_new)(struct tk_txn *t, uint64_t id, const char *subj, size_t sn, const char *body, size_t bn);
	/* Before a ticket's text changes (tk_ft_changed): its words now kept. */
	int (*ft_touch)(struct tk_txn *t, uint64_t id, int grow);
	/* After each commit of tk_store_write; at tk_store_close. */
	void (*ft_committed)(struct tk_txn *t);
	void (*ft_aborted)(struct tk_txn *t);	/* a transaction given up (not run again) */
	int (*ft_finish)(struct tk_store *st);
} tk_store;

typedef struct tk_ixbatch tk_ixbatch;

/*
 * Work a module keeps during a bulk transaction and does just before it
 * commits (the index batch, ixbatch.c; the working set's new copies,
 * active.c): registered with the store the first time, called through
 * these pointers, so the store needs to know nothing of the modules above
 * it. write returns 0 or -1 with tk_errmsg and leaves the state empty
 * (NULL: nothing to write before the commit).
 */
struct tk_txn;
typedef struct tk_batch_ops {
	void *(*make)(void);
	int (*write)(void *state, struct tk_txn *t);
	void (*reset)(void *state);
	void (*free)(void *state);
	/* Optional: after the transaction committed (t's fields as it left
	 * them; its MDB_txn gone). */
	void (*committed)(void *state, const struct tk_txn *t);
} tk_batch_ops;

typedef struct tk_txn {
	tk_store *st;
	int bulk;		/* a batch of a bulk command: work left to its commit (tk_txn_batch) */
	MDB_txn *txn;
	int write;
	uint64_t next_id;	/* write txns: the next ticket id, 0 until read */
	uint64_t first_new;	/* the first ticket this txn made, 0 for none */
	int ft_listed;		/* tickets listed in ft_pending by this txn (tk_ft_pending_add) */
	int ft_flushed;		/* the ticket index's gathered changes written (kb.c) */
	uint64_t ft_keyhi;	/* a bulk run's range key as this txn left it (kb.c) */
	uint64_t ft_first;	/* the first ticket this txn gave a bulk run (kb.c) */
	uint64_t next_seq;	/* write txns: the next log sequence number, 0 until read */
	uint64_t log_first;	/* the first seq this txn gave an event, once next_seq is read */
	time_t now;
	char now_iso[21];	/* now as stored: every event and change of a txn */
	const char *actor;
	const char *via;	/* what made the changes (DESIGN.md 3): cli, import, upgrade, ... */
	MDB_cursor *app[TK_DB_COUNT];	/* tk_append's cursors, freed with the write txn */
	char reg[256];		/* custom field names registered in this txn, NUL after each */
	size_t reglen;
	int gen_bumped;		/* tk_import_gen_bump done in this txn */
	uint64_t *epochs;	/* the epochs' first ids (meta "epochs"), once read */
	unsigned nepochs;
} tk_txn;


/* The store directory: -d DIR, else $TK_DIR, else $XDG_DATA_HOME/tk or ~/.local/share/tk. */
const char *tk_store_path(const char *opt);
/* Open for reading: fails with a message when there is no store. */
tk_store *tk_store_open(const char *dir, int write);
void tk_store_close(tk_store *st);
/* 1 when dir holds a store; 0 with tk_errmsg saying there is none. */
int tk_store_exists(const char *dir);
/* The map's size at opening: $TK_MAP_SIZE bytes, else 1 GiB; -1 when the
 * variable is not a size. The map grows as writes need. */
int tk_map_size(size_t *size);
/* $TK_HUGEPAGES (or, unset, a store of size bytes against the machine's
 * memory; -1 to check the variable only): 1 read through huge pages, 0
 * not, -1 a bad value. */
int tk_hugepages(long long size);
/* Bulk writing (store.c); then tk_store_sync before closing. */
void tk_store_bulk(tk_store *st);
int tk_store_sync(tk_store *st);
/* Run by tk_store_sync after a bulk run, before the sync (the contacts'
 * summaries catch up: cstats.c). 0 or -1. */
extern int (*tk_bulk_end_hook)(tk_store *st);
/* meta KEY: 1 found (v), 0 not, -1 error; set: 0 or -1 (n 0 and p NULL: deleted). */
int tk_meta_get(tk_txn *t, const char *key, MDB_val *v);
int tk_meta_put(tk_txn *t, const char *key, const void *p, size_t n);
/* The custom fields st indexes (ix_custom), as meta "indexed" said when
 * it opened: 1 for name (n bytes), else 0. tk_store_set_indexed: the list
 * replaced (names, NUL after each, joined by '\n' in meta) in txn t. */
int tk_store_indexed(const tk_store *st, const char *name, size_t n);
int tk_store_set_indexed(tk_txn *t, char **names, size_t n);
/* meta "statuses" written from defs in txn t and installed (status.c). */
int tk_store_set_statuses(tk_txn *t, const tk_status_def *defs, size_t n);
/* meta "schema" set to ver in write txn t: 0 or -1. */
int tk_store_set_schema(tk_txn *t, long ver);
/* Sub-database db emptied and made again with today's flags (upgrades). */
int tk_store_db_recreate(tk_store *st, MDB_txn *txn, int db);
/* Drop the pages of the store's map this process has touched (they stay
 * in the page cache): a long scan then runs in the memory of a stretch. */
void tk_store_forget(tk_store *st);

int tk_txn_read(tk_store *st, tk_txn *t);
/* The value under id (8 bytes, big-endian) in db: 1 found, 0 not, -1 error. */
int tk_get_id(tk_txn *t, int db, uint64_t id, MDB_val *v);
/* Put at the right edge of db (MDB_APPEND) with a cursor kept for the txn:
 * it stays on the last leaf, so the next append needs no search. */
int tk_append(tk_txn *t, int db, MDB_val *k, MDB_val *v);
/* tk_append, else (a key below the last, MDB_KEYEXIST) put in its place. */
int tk_append_or_put(tk_txn *t, int db, MDB_val *k, MDB_val *v);
void tk_txn_end(tk_txn *t);

/*
 * Many ids' values read ahead by a second thread, in a read transaction
 * of its own on the same snapshot: it walks the B-tree for each while the
 * caller decodes and writes the ones before, so the caller finds the
 * value's pages in the cache and its place known. NULL when it would not
 * help or cannot be had (a write txn, few ids, one core, TK_FETCH_AHEAD=0,
 * another snapshot); then the caller reads for itself. ids ascending or
 * not; the values stay valid while the caller's txn is open.
 */
typedef struct tk_ahead tk_ahead;
tk_ahead *tk_ahead_start(tk_txn *t, int db, const uint64_t *ids, size_t n);
/* ids[i]'s value: 1 found (*v), 0 no such key, -1 not read yet. */
int tk_ahead_get(tk_ahead *a, size_t i, MDB_val *v);
void tk_ahead_stop(tk_ahead *a);

/*
 * Runs fn in one write transaction and commits it. When the map is full the
 * transaction is aborted, the map doubled and fn run again, so fn must do all
 * of its work through the transaction and print nothing. fn returns 0 to
 * commit or an exit code to abort. Returns 0 or the failing exit code.
 */
typedef int (*tk_write_fn)(tk_txn *t, void *arg);
int tk_store_write(tk_store *st, tk_write_fn fn, void *arg);

/* A bulk write transaction's state for ops, made and registered with the
 * store the first time (in the order they come, which is the order they
 * are written); NULL when t is no bulk transaction. */
void *tk_txn_batch(tk_txn *t, const tk_batch_ops *ops);
/* A ticket written (fields, body or comments): listed in ft_pending when the
 * store keeps a ticket index (st->ft_tickets); 0, or -1 with tk_errmsg. */
int tk_ft_pending_add(tk_txn *t, uint64_t id);
/* Before ticket id's text (subject, body, comments) changes: grow when it
 * only grows (a comment added). 0, or -1 with tk_errmsg. */
int tk_ft_changed(tk_txn *t, uint64_t id, int grow);
/* 1 when meta says the ticket index is complete (with ft_pending), 0 if not. */
int tk_ft_tickets_built(tk_txn *t);
int tk_ft_tickets_mark(tk_txn *t, int built);
/* Everything the batch holds written now, in that order: 0 or -1. */
int tk_txn_flush(tk_txn *t);

/* ixbatch.c: index entries of new tickets, grouped and written at commit.
 * tk_store_bulk turns it on; tk_store_write does the rest. The batch of a
 * bulk transaction (NULL for any other), or one of a caller's own. */
tk_ixbatch *tk_ixbatch_of(tk_txn *t);
tk_ixbatch *tk_ixbatch_new(void);
void tk_ixbatch_reset(tk_ixbatch *b);
void tk_ixbatch_add(tk_ixbatch *b, int dbi, const void *key, size_t klen, uint64_t id);
/* Writes what is gathered, in key order, and empties the batch. */
int tk_ixbatch_write(tk_ixbatch *b, tk_txn *t);
/* The first id gathered under key, not yet written: 1 found, 0 not. */
int tk_ixbatch_find(tk_ixbatch *b, int dbi, const void *key, size_t klen, uint64_t *id);
void tk_ixbatch_free(tk_ixbatch *b);
/* LMDB's default key order: bytes, then the shorter first. */
int tk_keycmp(const void *a, size_t an, const void *b, size_t bn);
/* Eight bytes of key k (n long) from off as a number, big-endian, zeros
 * past its end: keys without NUL bytes compare as tk_keycmp has them. */
static inline uint64_t
tk_key_prefix(const void *k, size_t n, size_t off)
{
	const unsigned char *p = k;
	uint64_t v = 0;
	size_t j;

	for (j = 0; j < 8; j++)
		v = v << 8 | (off + j < n ? p[off + j] : 0);
	return v;
}
/* A stable radix sort of n elements of size bytes at a, each led by a
 * uint64_t (a tk_key_prefix) it is sorted by; t has room for n. Returns a
 * or t, whichever holds them sorted. (Inline: size is the caller's
 * constant, each element's move a plain copy.) */
static inline void *
tk_radix_prefix(void *a, void *t, size_t n, size_t size)
{
	unsigned char *x = a, *y = t, *z;
	size_t i, cnt[256];
	unsigned sh;
	uint64_t v;

	for (sh = 0; sh < 64; sh += 8) {
		size_t sum = 0;

		memset(cnt, 0, sizeof cnt);
		for (i = 0; i < n; i++) {
			memcpy(&v, x + i * size, 8);
			cnt[v >> sh & 0xff]++;
		}
		memcpy(&v, x, 8);
		if (cnt[v >> sh & 0xff] == n)	/* one byte for all: nothing to do */
			continue;
		for (i = 0; i < 256; i++) {
			size_t c = cnt[i];

			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++) {
			memcpy(&v, x + i * size, 8);
			memcpy(y + cnt[v >> sh & 0xff]++ * size, x + i * size, size);
		}
		z = x, x = y, y = z;
	}
	return x;
}
/* A batch's sorted keys going into a tree: tk_tail_start keeps the tree's
 * last key (0 or an LMDB error); tk_tail_past says whether key sorts past
 * it, and so every key after it too: those go with MDB_APPEND, at the end
 * without a search, pages filled instead of split in half. */
typedef struct {
	unsigned char key[512];	/* LMDB's keys are at most 511 bytes */
	MDB_val last;
	int past;
} tk_tail;
int tk_tail_start(tk_tail *tl, MDB_cursor *c);
int tk_tail_past(tk_tail *tl, const void *key, size_t n);

/* Big-endian 64-bit keys sort numerically under memcmp. */

void tk_put_u64(unsigned char *p, uint64_t v);
uint64_t tk_get_u64(const unsigned char *p);

/* Index keys (index.c; layout in store.c's header): the value cut at TK_IX_MAXKEY bytes, "\0"
 * when empty, after the ticket's epoch in a partitioned index. buf holds
 * TK_IX_KEYBUF bytes; the key may point into v instead. */
#define TK_IX_MAXKEY 400
#define TK_IX_KEYBUF (TK_IX_MAXKEY + 2)
int tk_ix_partitioned(int db);
/* 1 when index db keeps no entry for value v of a ticket, in the working
 * set (active) or not: an empty external id or custom value; a status of
 * the working set (active: its class is open or paused); an empty
 * assignee, queue or requester of an active ticket (index.c). */
int tk_ix_skips(int db, const char *v, size_t n, int active);
/* The epoch of ticket id in partitioned index db (index.c), and how many
 * epochs db has. */
unsigned tk_ix_epoch(tk_txn *t, int db, uint64_t id);
unsigned tk_ix_nepochs(tk_txn *t, int db);
/* The largest ticket id in the store (0 when it has none): 0 or -1. */
int tk_last_id(MDB_txn *txn, tk_store *st, uint64_t *id);
/* Ticket id is new in write txn t: it may start an epoch. 0, or -1. */
int tk_ix_epoch_new(tk_txn *t, uint64_t id);
/* A transaction's memory of the epochs, forgotten (after a change to them
 * from outside the transaction's own writes: upgrades). */
void tk_ix_epochs_free(tk_txn *t);
/* Schema 2's epochs, id >> 14 (ix_assignee's still), and meta "epochs"
 * written as ep[0..n): for upgrades. */
unsigned tk_ix_epoch_v2(uint64_t id);
int tk_ix_epochs_put(MDB_txn *txn, tk_store *st, const uint64_t *ep, unsigned n);
MDB_val tk_ix_key(int db, const char *v, size_t n, unsigned epoch, unsigned char *buf);
/* ix_custom's key: name . NUL . value (cut at TK_IX_MAXKEY; no entry for
 * an empty value); buf of TK_IX_CUSTOM_KEYBUF bytes. */
#define TK_IX_CUSTOM_KEYBUF (64 + 1 + TK_IX_MAXKEY)
MDB_val tk_ix_custom_key(tk_str name, tk_str value, unsigned char *buf);
/* 1 for an index kept as posting lists (postings.c): ix_status, ix_priority, ix_queue. */
int tk_ix_postings(int db);
/* The largest ticket id: posting-list keys (value . id, postings.c) sort
 * right for ids below 2^56, and 2^56 - 1 is their search bound. */
#define TK_ID_MAX ((1ULL << 56) - 2)

/* Posting lists (postings.c): the ids of index key v in chunks. tk_pl_first
 * and tk_pl_next give a chunk's ids (8 bytes each, big-endian, ascending
 * within and across chunks): 0, MDB_NOTFOUND past the last, or an LMDB
 * error; the others return 0 or an LMDB error code (tk_pl_del
 * MDB_NOTFOUND when id was not there; tk_pl_has 1 or 0, or minus an
 * error). */
int tk_pl_first(MDB_cursor *c, MDB_val v, MDB_val *ids);
int tk_pl_next(MDB_cursor *c, MDB_val v, MDB_val *ids);
int tk_pl_count(MDB_cursor *c, MDB_val v, size_t *count);
int tk_pl_has(MDB_cursor *c, MDB_val v, uint64_t id);
int tk_pl_add(MDB_cursor *c, MDB_val v, uint64_t id);
int tk_pl_del(MDB_cursor *c, MDB_val v, uint64_t id);
int tk_pl_append(MDB_cursor *c, MDB_val v, const unsigned char *ids, size_t n);
/* Any index's ids under key k (a cursor on index db), whichever way the
 * index keeps them: runs of 8-byte ids, ascending (first, next: 0,
 * MDB_NOTFOUND past the last, or an error); their count; whether id is
 * there (1, 0, or minus an error); id added (0 when already there) or
 * taken out (MDB_NOTFOUND when it was not there). */
int tk_ix_first(MDB_cursor *c, int db, MDB_val k, MDB_val *ids);
int tk_ix_next(MDB_cursor *c, int db, MDB_val k, MDB_val *ids);
int tk_ix_count(MDB_cursor *c, int db, MDB_val k, size_t *count);
int tk_ix_has(MDB_cursor *c, int db, MDB_val k, uint64_t id);
int tk_ix_add(MDB_cursor *c, int db, MDB_val k, uint64_t id);
int tk_ix_del(MDB_cursor *c, int db, MDB_val k, uint64_t id);

/* The working set (active.c): a copy of each ticket whose status is
 * active (status.c), under epoch . status . NUL . assignee . NUL . id.
 * tk_active_prefix: the keys of
 * an epoch's tickets of a status, and of assignee *a unless a is NULL (buf
 * of TK_ACTIVE_KEYBUF bytes, room for the id after). tk_active_write: a
 * ticket written (its encoded record enc), its copy kept in step with its
 * old and new status and assignee; 0 or -1. */
#define TK_ACTIVE_KEYBUF (2 + TK_ACTIVE_MAXSTATUS + 1 + TK_IX_MAXKEY + 1 + 8)
MDB_val tk_active_prefix(unsigned epoch, tk_str status, const tk_str *a, unsigned char *buf);
int tk_active_write(tk_txn *t, uint64_t id, tk_str ostatus, tk_str oassignee, tk_str status, tk_str assignee,
    const void *enc, size_t n, int creating);
/* Ticket id's copy put in the working set (in) or taken out, under its
 * status and assignee, whatever its status's class: tk-config apply moving
 * the tickets of a status whose class changes (its assignee's load too). 0 or -1. */
int tk_active_move(tk_txn *t, uint64_t id, tk_str status, tk_str assignee, const void *enc, size_t n, int in);
/* active_ix (active.c): the working set's copies under each value of an
 * indexed custom field and of org (tk_active_ix_covers), name . NUL .
 * value . NUL . id. tk_active_ix_write: ticket id written (enc), whose
 * stored fields were of and custom ones oc (in the working set when was)
 * and are nf and nc (now); of or nf NULL: only custom fields are looked
 * at; tk_active_ix_drop: every copy under field name;
 * tk_active_ix_prefix: the keys of name=value (buf of TK_ACTIVE_IX_KEYBUF
 * bytes). 0 or -1. */
#define TK_ACTIVE_IX_KEYBUF (TK_IX_CUSTOM_KEYBUF + 1 + 8)
struct tk_custom;
int tk_active_ix_covers(int field);
int tk_active_ix_write(tk_txn *t, uint64_t id, const tk_str *of, const struct tk_custom *oc, size_t noc, int was,
    const tk_str *nf, const struct tk_custom *nc, size_t nnc, int now, const void *enc, size_t n);
int tk_active_ix_drop(tk_txn *t, const char *name);
MDB_val tk_active_ix_prefix(tk_str name, tk_str value, unsigned char *buf);

/* Set when an LMDB call failed with MDB_MAP_FULL: tk_store_write grows the map and retries. */
extern int tk_map_full;
/* Report an LMDB failure as "what: reason" in tk_errmsg; returns -1. */
int tk_mdb_error(int rc, const char *what);

/* tk-import's marks (store.c, csvin.c) and the generation they hold in. */
typedef struct {
	uint64_t offset, lineno, hash, gen, rows;
} tk_mark;
uint64_t tk_import_gen(tk_txn *t);
int tk_import_gen_bump(tk_txn *t);
int tk_marks_get(tk_txn *t, uint64_t header, tk_mark **out, size_t *n);
int tk_mark_put(tk_txn *t, uint64_t header, const tk_mark *m);
/* import_row (import.c): the ticket tk-import made from a row with no external id,
 * by the row's hash. tk_import_row_get: 1 found (*id), 0 not, -1 error;
 * tk_import_row_put: 0 or -1 (an entry already there is kept; a ticket
 * new in a bulk batch's txn goes in at its commit, with its index
 * entries, and is found by tk_import_row_get until then). */
int tk_import_row_get(tk_txn *t, uint64_t hash, uint64_t *id);
int tk_import_row_put(tk_txn *t, uint64_t hash, uint64_t id);
/*
 * The upgrade (upgrade.c, in schema 5 to 6) that takes tk-import's marks out of the tickets: before,
 * a row with no external id was stored with external_id "row-" and the
 * hash of the row (16 hex digits). Each such ticket gets an import_row
 * entry under that hash and its external_id cleared, logged as a change
 * of external_id (old value, new empty), at t->now by t->actor; nothing
 * else of the ticket changes (updated neither). t: a write transaction.
 * Returns how many tickets changed, or -1 with tk_errmsg.
 */
long tk_upgrade_import_rows(tk_txn *t);

/* Custom field names ever set (sub-database fields): a name is registered
 * in the transaction that first stores a value under it. */
int tk_field_register(tk_txn *t, tk_str name);
/* 1 when a custom field name is in the fields sub-database, 0 not. */
int tk_field_registered(tk_txn *t, const char *name, size_t n);

/* ---- log.c ---- */

typedef struct {
	uint64_t seq, ticket;
	tk_str time, actor, field, old, new;
	tk_str via;		/* empty in events written before it was kept */
	tk_str key;		/* an event about no ticket (ticket 0): agent:LOGIN, team:NAME, c123, org:KEY */
} tk_event;

int tk_log_append(tk_txn *t, uint64_t ticket, const char *field, tk_str old, tk_str new);
/* An event about something that is not a ticket, under its typed key
 * (agent:LOGIN, team:NAME, c123, org:KEY: DESIGN.md 3), indexed in log_key. */
int tk_log_append_key(tk_txn *t, const char *key, const char *field, tk_str old, tk_str new);
/* The event of tk_log_append_key written to log only, its seq in *seq: the
 * caller puts key -> seq in log_key itself (a bulk writer, sorted). */
int tk_log_event_key(tk_txn *t, const char *key, const char *field, tk_str old, tk_str new, uint64_t *seq);
/* The log's last seq as t sees it (its own events included), 0 for none:
 * 0 or -1. A bulk run compares it between its batches (another writer). */
int tk_log_last(tk_txn *t, uint64_t *seq);
int tk_event_decode(tk_event *ev, uint64_t seq, const void *data, size_t n);
/* A create event's value: the ticket's first fields (worked out, see log.c). */
int tk_event_complete(tk_txn *t, tk_event *ev);
/* Read, decode and complete event seq: 1 found, 0 not, -1 error. */
int tk_event_get(tk_txn *t, uint64_t seq, tk_event *ev);

/* ---- comment.c ---- */

typedef struct {
	uint64_t ticket;
	uint32_t n;
	tk_str time, author, body;
	int internal;
	tk_str marks;		/* where a merge moved it from: "57:3 50:1", latest first; or empty */
	uint64_t from;		/* the first mark's ticket (57), 0 when none */
	uint32_t from_n;	/* and its number there */
} tk_comment;

int tk_comment_add(tk_txn *t, uint64_t ticket, const char *author, int internal, const char *body, size_t len);
/* The same at a given time (ISO UTC), for imported history. */
int tk_comment_add_at(tk_txn *t, uint64_t ticket, const char *time, const char *author, int internal,
    const char *body, size_t len);
/* Calls fn for each comment of a ticket in order. */
int tk_comment_each(tk_txn *t, uint64_t ticket, int (*fn)(const tk_comment *, void *), void *arg);
int tk_comment_count(tk_txn *t, uint64_t ticket);
/* The number of a ticket's last comment (0: none): 0 or -1. */
int tk_comment_last(tk_txn *t, uint64_t ticket, uint32_t *n);
/* Comment n of a ticket: 1 found, 0 not, -1 error. */
int tk_comment_get(tk_txn *t, uint64_t ticket, uint32_t n, tk_comment *c);
/* Comment c written as comment n of ticket (its time, flags, author, body
 * and marks as they are; no event), or taken out: 0 or -1 (merges). */
int tk_comment_put(tk_txn *t, uint64_t ticket, uint32_t n, const tk_comment *c);
int tk_comment_del(tk_txn *t, uint64_t ticket, uint32_t n);

/* ---- linkdb.c: the links sub-database, every link both ways ---- */

/* Relations (linkdb.c's header): "parent" and its reverse "child",
 * "duplicate_of" and "duplicate", "merged_into" and "merged_from",
 * "related" (symmetric: each side's own entry). 0 or -1 with tk_errmsg. */
int tk_links_put(tk_txn *t, uint64_t id, const char *rel, uint64_t other);
int tk_links_del(tk_txn *t, uint64_t id, const char *rel, uint64_t other);
/* The ids linked to id by rel, ascending, added to out: 0 or -1. */
int tk_links_get(tk_txn *t, uint64_t id, const char *rel, tk_ids *out);
/* 1 for a link field (parent, duplicate_of, merged_into, related). */
int tk_links_field_is(int field);
/* Ticket id's link field changing from old to new: its entries, and the
 * reverse ones, moved (the model calls it as it writes). 0 or -1. */
int tk_links_field(tk_txn *t, uint64_t id, int field, tk_str old, tk_str new);

/* ---- load.c: each assignee's count of tickets in the working set ---- */

/* agent_load under assignee a (n bytes): read (0 when none), or moved by
 * delta (the working set's writer does it, active.c). 0 or an LMDB error
 * code (the caller reports it). */
int tk_load_get(tk_txn *t, const char *a, size_t n, uint64_t *count);
int tk_load_add(tk_txn *t, const char *a, size_t n, long long delta);

#endif
