/*
 * tk.h - the one header of libtk, the code every tk command shares.
 *
 * One .c file a concern, in layers: each calls only those below it
 * (../shared/tools/lib-loops checks; calls upward go through hooks such
 * as tk_batch_ops).
 *
 *   ground     util.c (errors, memory, buffers, UTF-8), address.c,
 *              record.c (tk-records(5)), timeutil.c, ids.c, config.c (the
 *              configuration files), key.c (key bytes and order, LMDB
 *              errors), status.c (status classes)
 *   store      store.c (the environment, sub-databases, transactions and
 *              their batch hooks, meta, import marks), postings.c,
 *              index.c (index keys, epochs, ids under a key), ixbatch.c,
 *              active.c (the working set), log.c (appending events),
 *              comment.c (storing comments), load.c (each assignee's
 *              count of tickets in the working set, kept by active.c)
 *   model      ticket.c (the ticket, its encoding, the assignment
 *              language, writes with their indexes and events)
 *   above it   fields.c (known field names), history.c (events read
 *              back), reply.c (replies and their effects), upgrade.c
 *              (schema upgrades), query.c (filters), output.c, csvin.c,
 *              import.c, pipe.c, cmd.c (what every command does),
 *              script.c (the derived field script), dryrun.c (the dry-run
 *              stream), agent.c (agents and teams), assign.c (tk-assign's
 *              strategies), sla.c (SLA policies, deadlines through the
 *              model's hook, the escalation ledger)
 */
#ifndef TK_H
#define TK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <lmdb.h>

#define TK_VERSION "0.1.0"

/* Exit codes shared by every command (tk(7), EXIT STATUS). */
enum {
	TK_EXIT_OK = 0,
	TK_EXIT_NOMATCH = 1,	/* a query matched nothing, a ticket does not exist */
	TK_EXIT_USAGE = 2,	/* bad options, filters, assignments, fields on the command line */
	TK_EXIT_DATA = 3,	/* input records or a change refused: bad record, value, transition */
	TK_EXIT_FAIL = 4	/* the store or the system failed: missing store, I/O, full disk */
};

/* ---- util.c ---- */

extern const char *tk_progname;
void tk_setprogname(const char *argv0);
void tk_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* fwrite, with control characters shown as '?' when fp is a terminal. */
void tk_term_write(FILE *fp, const char *p, size_t n);
/* The length of the control character at p (n bytes, n > 0) that must not
 * reach a terminal: C0 but LF and TAB, DEL, C1 (2 bytes); 0 for none. */
size_t tk_term_ctl(const char *p, size_t n);
_Noreturn void tk_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A library call that fails leaves its message here and returns -1. */
extern _Thread_local char tk_errmsg[1024];
int tk_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *tk_xmalloc(size_t n);
void *tk_xrealloc(void *p, size_t n);
char *tk_xstrdup(const char *s);
char *tk_xstrndup(const char *s, size_t n);

/* A counted string that need not end in NUL. */
typedef struct {
	const char *p;
	size_t n;
} tk_str;
#define TK_STR(s) ((tk_str){ (s), strlen(s) })

int tk_str_eq(tk_str a, const char *s);
int tk_str_same(tk_str a, tk_str b);

typedef struct {
	char *p;
	size_t len, cap;
} tk_buf;
void tk_buf_add(tk_buf *b, const void *p, size_t n);
void tk_buf_addc(tk_buf *b, char c);
void tk_buf_adds(tk_buf *b, const char *s);
void tk_buf_printf(tk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *tk_buf_cstr(tk_buf *b);	/* NUL-terminated view, not counted in len */
void tk_buf_free(tk_buf *b);

/* Memory handed out in pieces from large chunks and taken back all at
 * once (tk_arena_reset keeps the chunks for the next round). */
typedef struct tk_arena_chunk tk_arena_chunk;
typedef struct {
	tk_arena_chunk *head, *cur;
} tk_arena;
void *tk_arena_alloc(tk_arena *a, size_t n);
void tk_arena_reset(tk_arena *a);
void tk_arena_free(tk_arena *a);

/* A 64-bit hash of n bytes, going on from h (TK_HASH_SEED to start). */
#define TK_HASH_SEED 14695981039346656037ULL
uint64_t tk_hash(uint64_t h, const void *p, size_t n);

/* Returns the offset of the first invalid byte, or -1 when s is valid UTF-8. */
long tk_utf8_invalid(const char *s, size_t n);
/* Columns a UTF-8 string takes on a terminal: CJK and other wide characters count two. */
size_t tk_display_width(const char *s, size_t n);
/* Bytes of s that fit in at most cols columns. */
size_t tk_display_prefix(const char *s, size_t n, size_t cols);

/* Every text that enters the store passes here: valid UTF-8, no NUL
 * byte. 0, or -1 with tk_errmsg naming what and the byte. */
int tk_text_check(const char *what, const char *s, size_t n);
/* 1 when s is empty or only white space (Unicode's, U+3000 included). */
int tk_blank(const char *s, size_t n);
/* Edit distance (adjacent transpositions count one), for "did you mean". */
size_t tk_edit_distance(const char *a, const char *b);
/* The nearest of the candidates tried to word, NULL when none is near. */
typedef struct {
	const char *word, *best;
	size_t dist;
} tk_nearest;
void tk_nearest_init(tk_nearest *nr, const char *word);
void tk_nearest_try(tk_nearest *nr, const char *cand);

/* Treat EPIPE and SIGPIPE as a normal end of output (as mdb_dump does). */
void tk_sigpipe_default(void);
/* Flush stdout; a write error other than EPIPE is fatal. */
void tk_flush_stdout(void);

/* Common options every command takes; see tk_common_usage(). */
const char *tk_actor(void);	/* the real Unix user */
/* uid's name in a passwd(5) file: 1 found (in name), 0 not. */
int tk_passwd_name(const char *path, unsigned long uid, char *name, size_t size);

/*
 * Lines of an input stream, read in large blocks and handed out where they
 * lie (getline copied each one out): a line is good until the next call,
 * and the byte after it may be written (a NUL). A line longer than max
 * (the caller refuses it; its length says so) is handed out whole when its
 * end came in the same read, else as soon as what is held of it passes
 * max, and the rest of it comes in pieces with cont set: no line is held
 * in memory past max and a block. Reads with read(2) (a pipe's lines are taken as they
 * come), or fread for a stream with no file descriptor (fmemopen).
 */
typedef struct {
	FILE *fp;
	char *buf;
	size_t cap, pos, len;
	int eof, err;		/* err: the errno of a failed read, which ended the input */
	int cont;		/* the piece handed out continues a line over max */
	int skipping;
	int eol;		/* the byte lines end in: '\n', or '\r' (set after tk_lines_init) */
} tk_lines;
void tk_lines_init(tk_lines *l, FILE *fp);
/* Up to n bytes of fp into buf as they come: read(2) on its descriptor,
 * or fread for a stream with none (fmemopen). Bytes read, 0 at the end,
 * -1 on an error (errno). */
ssize_t tk_read_some(FILE *fp, char *buf, size_t n);
void tk_lines_free(tk_lines *l);
/* The next line or piece at *line: its length, or -1 at the end. */
ssize_t tk_lines_next(tk_lines *l, char **line, size_t max);
/* What is read ahead, at least a block unless the input is shorter: its
 * length, at *p (the next line's start). */
size_t tk_lines_peek(tk_lines *l, const char **p);
/* Bytes read ahead of the last line handed out. */
size_t tk_lines_ahead(const tk_lines *l);
/* Forgets what was read ahead: for a caller that moves the file offset. */
void tk_lines_reset(tk_lines *l);

/* ---- address.c: people as they are written ---- */

/* "Name <addr>", "<addr>", "addr (Name)" or "addr": 1 with the bare
 * address and the name (empty when none; both point into s), 0 when s
 * holds no address (addr is then s trimmed). */
int tk_address_split(const char *s, size_t n, tk_str *name, tk_str *addr);
/* ASCII letters lowercased in place: addresses are kept lowercased. */
void tk_address_lower(char *s, size_t n);

/* ---- record.c ---- */

/* One record read from a stream: fields unescaped and NUL-terminated. */
typedef struct {
	const char *name;	/* for messages: "stdin" or a file name */
	long lineno;
	tk_lines in;
	char *base;		/* the fields, unescaped in place in the line, each ending in NUL */
	size_t baselen;
	size_t nfields, fieldcap;
	char **fields;
	size_t *lens;
	int header;		/* the last line read was a '#' header */
} tk_reader;

#define TK_MAX_LINE (64u * 1024 * 1024)
/* A bulk command's batch also ends once its rows hold this much, so its
 * memory stays the same whether rows carry a line of text or pages of it. */
#define TK_BATCH_BYTES (8u << 20)

void tk_reader_init(tk_reader *r, FILE *fp, const char *name);
void tk_reader_free(tk_reader *r);
/*
 * Reads the next record. Returns 1 with a record, 0 at end of input, -1 on a
 * malformed line (tk_errmsg says why, r->lineno is its line; the caller
 * names the input and the line, and may go on to the next line).
 * Lines starting with '#' are returned as records with r->header set, the '#'
 * taken off the first field, so a caller can read a header.
 */
int tk_reader_next(tk_reader *r);

void tk_rec_escape(tk_buf *b, const char *s, size_t n);
/* Unescape in place; returns the new length or -1 on a bad escape. */
long tk_rec_unescape(char *s, size_t n);

/* ---- config.c: the one reader of the store's configuration files ---- */

typedef struct {
	char *path;		/* DIR/NAME, for messages */
	char *text;
	size_t len, pos;
	long lineno;		/* of the statement returned last */
	int indented;		/* it was indented: it continues a stanza */
	char *line;		/* the statement, comment and outer white space gone */
	char **w;		/* its words, split at white space */
	size_t *wcol;		/* the byte column of each word, from 1 */
	size_t nw, wcap;
} tk_conf;
/* 1 opened, 0 no such file (nothing to read), -1 with tk_errmsg. */
int tk_conf_open(tk_conf *c, const char *dir, const char *name);
/* The next statement: 1, 0 at the end, -1 (invalid UTF-8) with tk_errmsg. */
int tk_conf_next(tk_conf *c);
/* Sets tk_errmsg to "path:line: message"; returns -1. */
int tk_conf_error(const tk_conf *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tk_conf_close(tk_conf *c);

/* ---- calendar.c: business-hours calendars, business-time arithmetic ---- */

/*
 * The store's calendars file (tk-config(5)): calendars of weekly hours in
 * an IANA time zone, with holidays and adjusted working days. Times are
 * seconds since the epoch (UTC). The conventions (calendar.c's header):
 * an interval belongs to the day it starts on; adding business time to a
 * moment outside the hours starts at the next opening; a result exactly
 * at a closing time stays there. The arithmetic costs about the same for a
 * deadline an hour or a year ahead. Calendars are read-only once read, so
 * threads may share them.
 */
typedef struct tk_calendar tk_calendar;
typedef struct tk_calendars tk_calendars;
/* dir/name (name "calendars"): 1 read into *out, 0 no such file (*out
 * NULL), -1 with tk_errmsg "path:line: what" (an unknown time zone, an
 * interval that ends before it starts, overlapping intervals...). */
int tk_calendars_read(tk_calendars **out, const char *dir, const char *name);
void tk_calendars_free(tk_calendars *cs);
/* By name, "24x7" included (cs may be NULL); NULL when there is none. */
const tk_calendar *tk_calendar_find(const tk_calendars *cs, const char *name);
size_t tk_calendars_count(const tk_calendars *cs);
const tk_calendar *tk_calendars_at(const tk_calendars *cs, size_t i);
/* Wall-clock time: every second counts. */
const tk_calendar *tk_calendar_24x7(void);
const char *tk_calendar_name(const tk_calendar *c);
const char *tk_calendar_zone(const tk_calendar *c);	/* "" for 24x7 */
/* Business seconds from a to b (negative when b is before a). */
int64_t tk_cal_between(const tk_calendar *c, int64_t a, int64_t b);
/* The first moment n business seconds after t (before it when n < 0); t when n is 0. */
int64_t tk_cal_add(const tk_calendar *c, int64_t t, int64_t n);
/* 1 when t is inside the hours; the next opening at or after t. */
int tk_cal_open(const tk_calendar *c, int64_t t);
int64_t tk_cal_next_open(const tk_calendar *c, int64_t t);
/* A duration in days of the schedule (SPEC.md: "3d" of business time is
 * three working days, not 72 hours) from moment t, as business seconds:
 * the same moment of the working day, that many working days later. */
int64_t tk_cal_day_seconds(const tk_calendar *c, int64_t t, int days);
/* Weekdays with hours (7 for 24x7): the working days of "1w". */
int tk_cal_workdays_week(const tk_calendar *c);
/* For --explain: t on the calendar's clock ("Mon 2026-11-23 09:00 +08:00");
 * the hours; holidays, workdays and changes of the clocks from a to b (how
 * many were added to out). */
void tk_cal_local(const tk_calendar *c, int64_t t, char out[40]);
void tk_cal_describe(const tk_calendar *c, tk_buf *out);
int tk_cal_exceptions(const tk_calendar *c, int64_t a, int64_t b, tk_buf *out);
/* Test access: the offset east of UTC that calendar c's zone has at t. */
int32_t tk_cal_offset(const tk_calendar *c, int64_t t);

/* ---- timeutil.c ---- */

time_t tk_now(void);	/* $TK_NOW or the clock */
/* Parse an absolute or relative time: ISO 8601 UTC or with offset, local
 * "YYYY-MM-DD[ HH:MM[:SS]]", "now", "2h", "-30m", "3d". Sets *dateonly when
 * the input was a bare date (so a range can end at the end of that day). */
int tk_time_parse(const char *s, time_t *out, int *dateonly);
/* Parse a duration: "90s", "15m", "4h", "3d", "1w", plain seconds; sign allowed. */
int tk_duration_parse(const char *s, long long *out);
/* Strict parse of a stored ISO time "YYYY-MM-DDTHH:MM:SSZ"; out may be NULL (a check only). */
int tk_iso_parse(const char *s, size_t n, time_t *out);
void tk_time_iso(time_t t, char out[21]);
void tk_time_local(time_t t, char out[32]);
/* A stored time as people read it: local "YYYY-MM-DD HH:MM" in buf; v
 * itself when it is not a stored time. */
tk_str tk_time_for_people(tk_str v, char buf[32]);

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
	TK_DB_LOG_KEY,		/* events about agents and teams (log.c) */
	TK_DB_IX_SLA_DUE,	/* schema 11: the earliest running SLA deadline (sla.c) */
	TK_DB_SLA_LEDGER,	/* escalations claimed by tk-sla --new (sla.c) */
	TK_DB_COUNT
};

/* The schema this tk writes. An older store is opened no further than its
 * meta until upgrade.c (started by tk_cmd_store) brings it up to date. */
#define TK_SCHEMA_VERSION 11

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
	} batch[4];
	int nbatch;
	const char *via;	/* what makes this command's changes: "cli" unless set (the log's via) */
	char **declared;	/* custom field names of the store's fields file (fields.c) */
	size_t ndeclared;
} tk_store;

typedef struct tk_ixbatch tk_ixbatch;

/*
 * Work a module keeps during a bulk transaction and does just before it
 * commits (the index batch, ixbatch.c; the working set's new copies,
 * active.c): registered with the store the first time, called through
 * these pointers, so the store needs to know nothing of the modules above
 * it. write returns 0 or -1 with tk_errmsg and leaves the state empty.
 */
struct tk_txn;
typedef struct tk_batch_ops {
	void *(*make)(void);
	int (*write)(void *state, struct tk_txn *t);
	void (*reset)(void *state);
	void (*free)(void *state);
} tk_batch_ops;

typedef struct tk_txn {
	tk_store *st;
	int bulk;		/* a batch of a bulk command: work left to its commit (tk_txn_batch) */
	MDB_txn *txn;
	int write;
	uint64_t next_id;	/* write txns: the next ticket id, 0 until read */
	uint64_t first_new;	/* the first ticket this txn made, 0 for none */
	uint64_t next_seq;	/* write txns: the next log sequence number, 0 until read */
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
void tk_txn_end(tk_txn *t);

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
 * set (active) or not: an empty external id; an active status; an empty
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

/* The working set (active.c): a copy of each ticket whose status is new,
 * open or pending, under epoch . status . NUL . assignee . NUL . id.
 * tk_active_status: 1 for those statuses. tk_active_prefix: the keys of
 * an epoch's tickets of a status, and of assignee *a unless a is NULL (buf
 * of TK_ACTIVE_KEYBUF bytes, room for the id after). tk_active_write: a
 * ticket written (its encoded record enc), its copy kept in step with its
 * old and new status and assignee; 0 or -1. */
#define TK_ACTIVE_MAXSTATUS 64	/* status names up to 64 bytes (DESIGN.md 1) */
#define TK_ACTIVE_KEYBUF (2 + TK_ACTIVE_MAXSTATUS + 1 + TK_IX_MAXKEY + 1 + 8)
#define TK_ACTIVE_N 3
extern const char *const tk_active_names[TK_ACTIVE_N];	/* new, open, pending */
int tk_active_status(tk_str s);
/* 1 for a status whose class is paused (the SLA clock stops): pending,
 * until status classes are data (DESIGN.md 1). */
int tk_status_paused(tk_str s);
MDB_val tk_active_prefix(unsigned epoch, tk_str status, const tk_str *a, unsigned char *buf);
int tk_active_write(tk_txn *t, uint64_t id, tk_str ostatus, tk_str oassignee, tk_str status, tk_str assignee,
    const void *enc, size_t n, int creating);

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

/* ---- fields.c: the field names a store knows ---- */

/* Read the store's fields file into st->declared: 0 (also when there is
 * none), -1 with tk_errmsg naming file:line. */
int tk_fields_load(tk_store *st);
int tk_field_declared(const tk_store *st, const char *name);
/* A custom field name the store knows: declared, or holding values. */
int tk_field_known(tk_txn *t, const char *name);
/* 0 when name is tk's, declared or held by the store (t NULL: no store
 * yet, the directory's fields file only); else -1 with tk_errmsg:
 * "what: no field NAME; did you mean X?". */
int tk_field_check(tk_store *st, tk_txn *t, const char *what, const char *name);

/* ---- script.c: the derived field script ---- */

/* The subject and this much of the body say a ticket's script. */
#define TK_SCRIPT_WINDOW 4096
/* "han", "latin" or "mixed" from the share of Han letters in the subject
 * and the body's first TK_SCRIPT_WINDOW bytes (script.c says how); "" when
 * they hold no letter. */
const char *tk_script(const char *subject, size_t sn, const char *body, size_t bn);

/* ---- ticket.c ---- */

enum tk_field {
	TK_F_ID,
	TK_F_CREATED,
	TK_F_UPDATED,
	TK_F_STATUS,
	TK_F_PRIORITY,
	TK_F_TYPE,
	TK_F_CATEGORY,
	TK_F_QUEUE,
	TK_F_ASSIGNEE,
	TK_F_REQUESTER,
	TK_F_SUBJECT,
	TK_F_CHANNEL,
	TK_F_TAGS,
	TK_F_WATCHERS,
	TK_F_DUE,
	TK_F_ESCALATION,
	TK_F_FIRST_RESPONSE,
	TK_F_RESOLVED,
	TK_F_CLOSED,
	TK_F_REOPENS,
	TK_F_CSAT,
	TK_F_PARENT,
	TK_F_EXTERNAL_ID,
	TK_F_REQUESTER_NAME,	/* schema 6: the name given with the requester's address */
	TK_F_NPS,		/* 24..30: numbers kept for fields of other changes */
	TK_F_MERGED_INTO,
	TK_F_DUPLICATE_OF,
	TK_F_RELATED,
	TK_F_CONTACT,
	TK_F_ORG,
	TK_F_TIER,
	TK_F_DUE_RESPONSE,	/* schema 11: SLA deadlines, set by tk (sla.c) */
	TK_F_DUE_UPDATE,
	TK_F_DUE_RESOLUTION,
	TK_F_SLA_DUE,		/* the earliest still running; indexed */
	TK_F_NSTORED,		/* fields above are stored; those below are derived */
	TK_F_BODY = TK_F_NSTORED,
	TK_F_AGE,
	TK_F_FRT,
	TK_F_COMMENTS,
	TK_F_SCRIPT,		/* han, latin, mixed: script.c */
	TK_F_NFIELDS,
	TK_F_CUSTOM = -1
};

enum tk_kind {
	TK_K_TEXT,
	TK_K_ENUM,
	TK_K_TIME,
	TK_K_INT,
	TK_K_SET,
	TK_K_DURATION
};

typedef struct {
	const char *name;
	enum tk_kind kind;
	int dbi;		/* index sub-database or -1 */
	int readonly;		/* set by tk itself, not by assignments */
} tk_field_info;

extern const tk_field_info tk_fields[TK_F_NFIELDS];
/* Returns the field number, or TK_F_CUSTOM for a name that is none of tk's. */
int tk_field_lookup(const char *name);
const char *tk_enum_words(int field);
int tk_enum_ok(int field, const char *v, size_t n);
int tk_field_lookup_n(const char *name, size_t n);
/* A custom field name: a letter, then letters, digits, '_', '-', '.'; at most 64 bytes. */
int tk_field_name_ok(const char *name);
/* ASCII letters of a field name lowercased in place (names are ASCII). */
void tk_field_name_lower(char *name);

typedef struct {
	tk_str name, value;
} tk_custom;

/*
 * A ticket. Field values are counted strings that point either into the
 * store's memory map (valid until the transaction ends or, in a write
 * transaction, until the next write) or into memory the ticket owns.
 */
typedef struct tk_ticket {
	uint64_t id;
	tk_str f[TK_F_NSTORED];
	tk_custom *custom;
	size_t ncustom, customcap;
	tk_str body;
	int body_loaded;
	tk_str rec;		/* the encoded record last decoded, where f points */
	struct tk_chunk *arena;	/* memory the ticket owns, freed with it */
} tk_ticket;

void tk_ticket_init(tk_ticket *tk);
void tk_ticket_free(tk_ticket *tk);
/* Copy n bytes into memory the ticket owns and return them. */
tk_str tk_ticket_own(tk_ticket *tk, const char *p, size_t n);
void tk_ticket_encode(const tk_ticket *tk, tk_buf *out);
/* The same, added at the end of out (a batch's records, one after another). */
void tk_ticket_encode_append(const tk_ticket *tk, tk_buf *out);
int tk_ticket_decode(tk_ticket *tk, const void *data, size_t n);
/* Only the stored fields numbered up to maxtag (0xff: all, custom ones too). */
int tk_ticket_decode_upto(tk_ticket *tk, const void *data, size_t n, unsigned maxtag);
/* Read ticket id: 1 found, 0 missing, -1 error. copy: own the values (write paths). */
int tk_ticket_get(tk_txn *t, uint64_t id, tk_ticket *tk, int copy);
int tk_ticket_body(tk_txn *t, tk_ticket *tk);
/* The value of a field by name, derived ones computed; empty when unset. */
tk_str tk_ticket_value(tk_txn *t, tk_ticket *tk, int field, const char *cname, char *scratch, size_t scratchlen);
/* The value as filters and sorts compare it: counts (escalation, reopens) 0 when unset. */
tk_str tk_ticket_compared(tk_txn *t, tk_ticket *tk, int field, const char *cname, char *scratch, size_t scratchlen);
tk_str tk_ticket_custom(const tk_ticket *tk, const char *name);
/* The slot of custom field name (n bytes), made empty when the ticket has none. */
tk_custom *tk_ticket_custom_slot(tk_ticket *tk, const char *name, size_t n);
/* The stored fields but updated, set ones only, as "name=value" joined by TABs. */
void tk_ticket_summary(const tk_ticket *tk, tk_buf *out);

/* The assignment language: field=value, +tag, -tag, escalation=+1. */
typedef struct {
	int field;		/* tk_field or TK_F_CUSTOM */
	char *name;
	char *value;
	char op;		/* '=' set, '+' add tag, '-' remove tag */
	char borrowed;		/* name and value belong to the caller */
} tk_assign;

typedef struct {
	tk_assign *a;
	size_t n, cap;
} tk_assignments;

/* Does arg look like an assignment (name=value, +tag, -tag)? */
int tk_is_assignment(const char *arg);
/* Parse one assignment; -1 with tk_errmsg on a bad one. */
int tk_assign_parse(tk_assignments *as, const char *arg);
/* Parse "name=value" from a batch record column. */
int tk_assign_add(tk_assignments *as, const char *name, const char *value);
/*
 * Add an assignment whose field the caller has looked up and whose value it
 * has checked (valid UTF-8, no NUL); name and value are borrowed, not copied:
 * they must outlive the assignments. The fast path of batch input.
 */
void tk_assign_borrow(tk_assignments *as, int field, const char *name, const char *value);

/* The same for an addition to or removal from a set field: op '+' or '-'. */
void tk_assign_borrow_op(tk_assignments *as, int field, const char *value, char op);
/* Add to or take from a set field (tags, watchers): op '+' or '-'. */
void tk_assign_op(tk_assignments *as, int field, const char *value, char op);
void tk_assignments_free(tk_assignments *as);
/* Every custom field name of as known to the store (fields.c,
 * tk_field_check): 0, or -1 with tk_errmsg on the first that is not. */
int tk_assignments_check(tk_store *st, tk_txn *t, const tk_assignments *as);

/*
 * Apply assignments to an existing ticket held in a write transaction:
 * values are checked (types, enums, the workflow), indexes and the event
 * log updated, and the ticket written. New tickets are made by
 * tk_ticket_make (or tk_ticket_prepare and tk_ticket_insert). Flags:
 * TK_APPLY_IMPORT, history from another system: any status may follow any
 * other, created and updated may be given, and no times are filled in from
 * the clock but updated when none is given; TK_APPLY_UPGRADE, a store's
 * upgrade rewriting a value: updated stays; TK_APPLY_SLA, tk-sla
 * --recompute: the hook rebuilds the deadlines, updated stays; TK_APPLY_CREATE is for making
 * (defaults filled, id taken) and ignored here.
 * Returns 0, 1 when nothing changed, or -1 with tk_errmsg.
 */
enum { TK_APPLY_CREATE = 1, TK_APPLY_IMPORT = 2, TK_APPLY_BODY_CHECKED = 4, TK_APPLY_UPGRADE = 8,
	TK_APPLY_REQUESTER_REPLY = 16, TK_APPLY_AGENT_REPLY = 32, TK_APPLY_SLA = 64 };
int tk_ticket_apply(tk_txn *t, tk_ticket *tk, const tk_assignments *as, int flags);
/*
 * A hook the model calls for every ticket it writes, before the ticket's
 * index entries and record: after tk_ticket_apply has applied and logged
 * the assignments (before: the ticket as it was; flags: apply's, with
 * TK_APPLY_REQUESTER_REPLY or TK_APPLY_AGENT_REPLY from a public reply),
 * and for a new ticket once it has its id (before NULL, flags with
 * TK_APPLY_CREATE). It may change tk's stored fields (values it owns) and
 * log events of its own; it returns 1 when it changed a field, 0 when not,
 * -1 with tk_errmsg to refuse the write. The SLA (sla.c) sets it, so that
 * every path that makes or changes tickets computes their deadlines
 * without the model calling up into it. NULL: none.
 */
typedef int (*tk_ticket_hook_fn)(tk_txn *t, const tk_ticket *before, tk_ticket *tk, int flags);
extern tk_ticket_hook_fn tk_ticket_hook;
/* Create a ticket from assignments and an optional body; sets tk->id. */
int tk_ticket_create(tk_txn *t, tk_ticket *tk, const tk_assignments *as, const char *body, size_t bodylen);
/* Ticket tk's index entries, its fields having been old (in the working
 * set or not: oact) and being its own now (nact): each changed field's
 * entry moved and, when the ticket came into the working set or left it,
 * the entries tk_ix_skips leaves out for its tickets taken out or put
 * back. The updated time is the caller's (it is set last). 0 or -1. */
int tk_ticket_reindex(tk_txn *t, const tk_ticket *tk, const tk_str *old, int oact, int nact);
/* The same with TK_APPLY_ flags (TK_APPLY_IMPORT for imports;
 * TK_APPLY_BODY_CHECKED when the caller's reader has checked the body's
 * text already: valid UTF-8, no NUL). */
int tk_ticket_make(tk_txn *t, tk_ticket *tk, const tk_assignments *as, const char *body, size_t bodylen, int flags);
/* tk_ticket_make in two steps, the first needing no transaction (a bulk
 * command runs it in its reading thread): check and fill in a new ticket,
 * times from now_iso; the body is borrowed. -1 with tk_errmsg. */
int tk_ticket_prepare(tk_ticket *tk, const tk_assignments *as, const char *body, size_t bodylen, int flags, const char *now_iso);
/* Then write it from enc, the record tk_ticket_encode made of it, and its
 * body: id, index entries, body, create event. tk (its custom array reused)
 * gets the id and the fields, pointing into enc. 0, or -1 with tk_errmsg. */
int tk_ticket_insert(tk_txn *t, tk_ticket *tk, const void *enc, size_t enclen, const char *body, size_t bodylen);
/* Write the ticket record, the body if changed, and maintain indexes against old. */
int tk_status_transition_ok(tk_str from, const char *to);
/* Ticket id (0: one being made) may have parent: it exists, is not id,
 * and is not among id's descendants. 0, or -1 with tk_errmsg. */
int tk_ticket_parent_ok(tk_txn *t, uint64_t id, uint64_t parent);

/* ---- log.c ---- */

typedef struct {
	uint64_t seq, ticket;
	tk_str time, actor, field, old, new;
	tk_str via;		/* empty in events written before it was kept */
	tk_str key;		/* an event about no ticket (ticket 0): agent:LOGIN, team:NAME */
} tk_event;

int tk_log_append(tk_txn *t, uint64_t ticket, const char *field, tk_str old, tk_str new);
/* An event about something that is not a ticket, under its typed key
 * (agent:LOGIN, team:NAME: DESIGN.md 3), indexed in log_key. */
int tk_log_append_key(tk_txn *t, const char *key, const char *field, tk_str old, tk_str new);
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
} tk_comment;

int tk_comment_add(tk_txn *t, uint64_t ticket, const char *author, int internal, const char *body, size_t len);
/* The same at a given time (ISO UTC), for imported history. */
int tk_comment_add_at(tk_txn *t, uint64_t ticket, const char *time, const char *author, int internal,
    const char *body, size_t len);
/* Calls fn for each comment of a ticket in order. */
int tk_comment_each(tk_txn *t, uint64_t ticket, int (*fn)(const tk_comment *, void *), void *arg);
int tk_comment_count(tk_txn *t, uint64_t ticket);
/*
 * A reply or note on a ticket read for writing, with what follows from it:
 * an agent's first public reply records first_response and opens a new
 * ticket; a reply from the requester reopens a pending or resolved ticket;
 * "@name" adds name to the watchers.
 */
int tk_comment_post(tk_txn *t, tk_ticket *tk, const char *author, int internal, const char *body, size_t len);

/* ---- query.c ---- */

typedef struct tk_filter tk_filter;

/* Is arg a filter term (name op value)? */
int tk_is_filter(const char *arg);
tk_filter *tk_filter_new(void);
/* Parse and add one term; -1 with tk_errmsg. */
int tk_filter_add(tk_filter *q, const char *term);
/* Why the term last added can never match (a lower bound in the future
 * on a time that is always past, a negative bound on an age, a range's
 * ends the wrong way round), with the term it likely meant; NULL when it
 * can. The command warns; the term stays. */
const char *tk_filter_warning(const tk_filter *q);
void tk_filter_free(tk_filter *q);
/* Terms added after this compile their regexes without PCRE2's JIT: a
 * filter matched against one ticket or a few (a policy at intake) is done
 * sooner without it (DESIGN.md 11). */
void tk_filter_nojit(tk_filter *q);
/* With no status term, tickets resolved or closed are left out. */
void tk_filter_default_status(tk_filter *q, int all);
/* Restrict to these ids (the '-' operand of listing commands). */
void tk_filter_ids(tk_filter *q, const uint64_t *ids, size_t n);
/* Check names against the store (custom fields must exist); -1 on an unknown one. */
int tk_filter_prepare(tk_filter *q, tk_txn *t);
/* 1 match, 0 no match, -1 error (a regex hit its match limit). */
int tk_filter_match(tk_filter *q, tk_txn *t, tk_ticket *tk);
/*
 * Calls fn for every matching ticket in id order, through an index when a term
 * allows. fn returns 0 to go on, non-zero to stop. Returns the count matched,
 * or -1 on error.
 */
long tk_filter_run(tk_filter *q, tk_txn *t, int (*fn)(tk_txn *, tk_ticket *, void *), void *arg);
/* Which access path tk_filter_run chose, for --explain and tests. */
const char *tk_filter_plan(tk_filter *q);

/* ---- output.c ---- */

enum tk_format { TK_FMT_TSV, TK_FMT_TABLE, TK_FMT_JSON, TK_FMT_CSV };

typedef struct {
	int field;		/* tk_field or TK_F_CUSTOM */
	int kind;		/* enum tk_kind: how the table shows it (times local) */
	char *name;
} tk_column;

/* A table cell as shown, kept to at most the terminal's width (output.c). */
typedef struct tk_cell tk_cell;

typedef struct tk_output {
	enum tk_format fmt;
	tk_column *cols;
	size_t ncols;
	int header;
	int color;
	/* table mode buffers every row to align the columns */
	tk_cell *cells;		/* nrows rows of ncols cells */
	size_t nrows, rowcap;
	size_t shown;		/* table rows printed so far */
	size_t width;		/* the terminal's: no row is wider */
	size_t *widths;		/* the columns', fixed at the first rows printed */
	size_t tcols;		/* the columns that fit the terminal, from the left */
	tk_arena arena;		/* the cells' text */
	int header_done;
	char *scratch;		/* 32 bytes a column for computed values */
	/* JSON: called after the columns of a ticket, to add more members */
	void (*json_extra)(tk_buf *b, tk_txn *t, tk_ticket *tk, void *arg);
	void *json_arg;
	/* CSV for a spreadsheet: a text cell that could be read as a formula
	 * (=, +, -, @, TAB, CR first) gets an apostrophe in front */
	int defuse;
	tk_buf line, cellbuf;
	const char **sgr;	/* each table row's colour (SGR parameters), or NULL */
	const char *next_sgr;
} tk_output;

/* Default: TSV unless stdout is a terminal. force: -t (TSV) or --table. */
enum tk_format tk_output_choose(int force_tsv, int force_table, int json);
/* -t, --table, --json and -H given together that cannot all be obeyed:
 * -1 with tk_errmsg naming two of them, else 0. */
int tk_output_conflict(int tsv, int table, int json, int header);
/* Parse -o "a,b,c"; -1 with tk_errmsg naming an unknown column. */
int tk_output_init(tk_output *o, enum tk_format fmt, const char *cols, int header);
int tk_output_check(tk_output *o, tk_txn *t);
void tk_output_ticket(tk_output *o, tk_txn *t, tk_ticket *tk);
/* A row that is not a ticket (tk-log's events, agents, teams): one value a column;
 * kinds, when not NULL, says how the table shows each (enum tk_kind, or
 * -1 for the column's own). */
void tk_output_row(tk_output *o, const tk_str *vals, const int *kinds);
/* The same; in a table on a terminal (colour on, NO_COLOR unset) the row
 * in colour sgr ("31" red, "33" yellow; NULL none). */
void tk_output_row_sgr(tk_output *o, const tk_str *vals, const int *kinds, const char *sgr);
/* Print what is held: the table's rows so far, cut to the widths of the
 * first rows printed (tk-log -f); a record header not yet printed. */
void tk_output_flush(tk_output *o);
void tk_output_finish(tk_output *o);
void tk_output_free(tk_output *o);
/* Every stored field, the body, then the store's custom fields in name
 * order, comma-separated (tk-export's and tk-show --json's columns). */
char *tk_output_all_columns(tk_txn *t);
/* json_extra for tickets' comments and history (json_arg: a tk_json_with). */
typedef struct {
	int comments, history;
} tk_json_with;
void tk_json_extra(tk_buf *b, tk_txn *t, tk_ticket *tk, void *arg);
/* A create event's value (TAB-separated assignments) as people read it:
 * two spaces between, times local when local is set. */
void tk_summary_for_people(tk_buf *b, tk_str v, int local);
/* Write one record (fields escaped, TAB-separated, LF) to fp. */
void tk_write_record(FILE *fp, const tk_str *fields, size_t n);
void tk_json_string(tk_buf *b, const char *s, size_t n);
/* RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
void tk_csv_field(tk_buf *b, const char *s, size_t n);

#define TK_DEFAULT_COLUMNS "id,status,priority,queue,assignee,subject"

/* ---- ids from arguments or stdin (commands that act on tickets) ---- */

typedef struct {
	uint64_t *v;
	size_t n, cap;
} tk_ids;
int tk_id_parse(const char *s, size_t n, uint64_t *out);
/* Reads the first field of each record on fp; bad lines are reported and
 * counted. -1 (tk_errmsg) when fp is a dry-run stream, which only a
 * --dry-run command reads (DESIGN.md 11): the caller exits 3. */
int tk_ids_read(tk_ids *ids, FILE *fp, const char *name, int *bad);
void tk_ids_add(tk_ids *ids, uint64_t id);
/* Each id once, where it came first (a changing command applies each
 * distinct id once per run, DESIGN.md 4). */
void tk_ids_unique(tk_ids *ids);
void tk_ids_sort(tk_ids *ids);
void tk_ids_free(tk_ids *ids);

/* ---- dryrun.c: the dry-run stream between --dry-run steps (DESIGN.md 11) ---- */

/* The stream's columns for the store of t: id, every stored field, every
 * custom field the store knows; "a,b,c" added to cols. 0 or -1. */
int tk_dryrun_columns(tk_txn *t, tk_buf *cols);
/* Prints "#dry-run" and sets o up to write whole tickets of the stream:
 * tk_output_ticket for each, tk_output_finish (which prints the header
 * line even when no ticket came), tk_output_free. 0 or -1. */
int tk_dryrun_start(tk_output *o, tk_txn *t);
/* Standard input of a step: plain ids, or a dry-run stream. */
typedef struct tk_dryin tk_dryin;
tk_dryin *tk_dryin_open(FILE *fp, const char *name);
/* 1 when the input is a dry-run stream (its first line is read to know). */
int tk_dryin_stream(tk_dryin *d);
/* The next ticket, each id once: 1 with *id and, from a stream, tk made
 * anew with the record's fields (owned by tk; the body is left to be read
 * from the store); 0 at the end; -1 on a bad line (tk_errmsg names the
 * input and line; call again for the next). A typed id (c123) is skipped
 * with a warning. */
int tk_dryin_next(tk_dryin *d, uint64_t *id, tk_ticket *tk);
long tk_dryin_lineno(const tk_dryin *d);
void tk_dryin_close(tk_dryin *d);

/* ---- csvin.c: CSV rows through libcsv ---- */

typedef struct tk_csv tk_csv;
/* delim and quote 0: guessed from the header line, and '"'. encoding: NULL for UTF-8. */
tk_csv *tk_csv_open(FILE *fp, const char *name, int delim, int quote, const char *encoding);
/* 1 a row, 0 the end, -1 a malformed row (tk_errmsg names its line; call again). */
int tk_csv_next(tk_csv *c, char ***fields, size_t **lens, size_t *nfields, long *lineno);
/*
 * Marks: places in an input that tk-import committed everything before.
 * After tk_csv_hash_from, the reader hashes the raw bytes it reads;
 * tk_csv_mark says where it is between two rows (0 when it is not cleanly
 * between rows); tk_csv_skip reads over the bytes of matching marks.
 */
void tk_csv_hash_from(tk_csv *c, uint64_t seed);
int tk_csv_mark(tk_csv *c, tk_mark *m);
long tk_csv_skip(tk_csv *c, const tk_mark *m, size_t n);
void tk_csv_close(tk_csv *c);
/* Every row through libcsv, none split by tk_csv's own fast path (the
 * fuzz target reads each input both ways and compares). */
void tk_csv_libcsv_only(tk_csv *c);

/* ---- import.c: other help desks' exports into assignments ---- */

typedef struct tk_import tk_import;
struct tk_impcomment {
	char *time, *author, *body;	/* time ISO or NULL, author or NULL */
	int internal;		/* an internal note, not a reply */
};
typedef struct {
	tk_assignments as;	/* borrows from data and external */
	char *data;		/* the row's values, then room for values made from them */
	tk_arena *arena;	/* where data comes from, or NULL: malloc */
	char *spare;
	const char *body;
	size_t bodylen;
	struct tk_impcomment *comments;
	size_t ncomments;
	const char *external;	/* in data */
	uint64_t hash;		/* of the header and the row: unchanged rows are skipped */
} tk_improw;

int tk_import_preset_ok(const char *name);
/* preset: NULL or a preset name; mapping: -m "Column=field,..." or NULL. */
tk_import *tk_import_new(const char *preset, const char *mapping, int strict);
int tk_import_header(tk_import *im, char **fields, size_t *lens, size_t n);
/*
 * The columns of the header last read that would make custom fields no
 * one declared: not tk's, not mapped by -m or the preset, not known to the
 * store (t; NULL when there is none yet) nor declared in its fields file
 * (dir/fields, lines "field NAME"); with new_fields, only those whose
 * header makes no field name. Each is described in out, NUL after each
 * description, with the nearest known name; returns how many.
 */
size_t tk_import_undeclared(tk_import *im, tk_txn *t, const char *dir, int new_fields, tk_buf *out);
/* --new-fields: the header's custom fields declared in write txn t. 0 or -1. */
int tk_import_declare(const tk_import *im, tk_txn *t);
/* After tk_import_header: -1 with tk_errmsg when -m names a column the
 * header does not have (each named, with the nearest), else 0. */
int tk_import_unmapped(const tk_import *im);
/* A hash of the header row: the marks of inputs with this header. */
uint64_t tk_import_header_hash(const tk_import *im);
int tk_import_row(tk_import *im, char **fields, size_t *lens, size_t n, tk_improw *r);
/* A comment of row r given apart from its columns (tk-export's JSON):
 * time a date as help desks write them, or NULL (the ticket's updated
 * time); author or NULL (the requester); body valid UTF-8 of n bytes with
 * no NUL. Part of the row's hash. 0, or -1 (a bad time) with tk_errmsg. */
int tk_import_comment(tk_improw *r, const char *time, const char *author, int internal, const char *body, size_t n);
void tk_improw_free(tk_improw *r);
/* Empties r for its next row, keeping its arena and its assignments' array. */
void tk_improw_clear(tk_improw *r);
void tk_import_free(tk_import *im);
/* A date as help desks export them, to ISO UTC; -1 when it is none. */
int tk_import_time(const char *s, char out[21]);

/* ---- load.c: each assignee's count of tickets in the working set ---- */

/* agent_load under assignee a (n bytes): read (0 when none), or moved by
 * delta (the working set's writer does it, active.c). 0 or an LMDB error
 * code (the caller reports it). */
int tk_load_get(tk_txn *t, const char *a, size_t n, uint64_t *count);
int tk_load_add(tk_txn *t, const char *a, size_t n, long long delta);

/* ---- agent.c: agents and teams (tk-agent) ---- */

/* An agent's columns, as tk-agent ls prints them; load is not stored
 * (agent_load). A team's: queues stored, agents and leads from the agents. */
enum { TK_A_LOGIN, TK_A_NAME, TK_A_EMAIL, TK_A_TEAMS, TK_A_SKILLS, TK_A_CAPACITY, TK_A_ROLE, TK_A_DUTY,
	TK_A_LOAD, TK_A_NCOLS };
enum { TK_T_NAME, TK_T_QUEUES, TK_T_AGENTS, TK_T_LEADS, TK_T_NCOLS };
extern const char *const tk_agent_cols[TK_A_NCOLS];
extern const char *const tk_team_cols[TK_T_NCOLS];

typedef struct {
	char *v[TK_A_NCOLS];	/* owned, "" when unset; sets comma-separated, sorted */
} tk_agent;
typedef struct {
	char *v[TK_T_NCOLS];
} tk_team;

/* A login or team name: a letter, then letters, digits, '.', '_', '-'; at most 64 bytes. */
int tk_agent_name_ok(const char *s);
/* 1 when the comma-separated set holds item (n bytes). */
int tk_list_has(const char *set, const char *item, size_t n);
void tk_agent_init(tk_agent *a);
void tk_agent_free(tk_agent *a);
/* -1 for no limit. */
long tk_agent_capacity(const tk_agent *a);
/* 1 found (load filled in), 0 not, -1 error. */
int tk_agent_get(tk_txn *t, const char *login, tk_agent *a);
int tk_agent_exists(tk_txn *t, const char *login);
/* Each agent in login order; fn's non-zero return stops (-1 is returned). */
int tk_agent_each(tk_txn *t, int (*fn)(tk_txn *, tk_agent *, void *), void *arg);
/* Always -1, tk_errmsg "no agent X; did you mean Y?". */
int tk_agent_unknown(tk_txn *t, const char *login);
/* Stored, each change logged under agent:LOGIN against old (NULL: a new
 * agent, logged "create"); teams it names that do not exist are made. */
int tk_agent_write(tk_txn *t, const tk_agent *a, const tk_agent *old);
int tk_agent_remove(tk_txn *t, const tk_agent *a);
void tk_team_init(tk_team *tm);
void tk_team_free(tk_team *tm);
/* members: agents and leads filled in. 1 found, 0 not, -1 error. */
int tk_team_get(tk_txn *t, const char *name, tk_team *tm, int members);
int tk_team_each(tk_txn *t, int members, int (*fn)(tk_txn *, tk_team *, void *), void *arg);
int tk_team_unknown(tk_txn *t, const char *name);
/* The team owning queue (n bytes): 1 with *team (the caller frees it), 0 none, -1 error. */
int tk_team_of_queue(tk_txn *t, const char *queue, size_t n, char **team);
/* Stored and logged under team:NAME: 0, -1 an error, -2 refused (a queue
 * of another team), tk_errmsg saying why. */
int tk_team_write(tk_txn *t, const tk_team *tm, const tk_team *old);
/* The team made (logged) unless it exists: 0 or -1. */
int tk_team_make(tk_txn *t, const char *name);

/* Their assignment language: field=value, +field=value, -field=value for
 * sets (teams, skills; queues), singular aliases (team, skill, queue). */
typedef struct {
	int col;		/* TK_A_ or TK_T_ */
	char op;		/* '=', '+', '-' */
	char *value;
} tk_dir_asg;
typedef struct {
	tk_dir_asg *a;
	size_t n, cap;
} tk_dir_asgs;
/* team: a team's fields, else an agent's. -1 with tk_errmsg (a bad name
 * with the nearest, a capacity not a whole number, a role or duty not
 * one of its words, an email no address). */
int tk_dir_assign_parse(tk_dir_asgs *as, const char *arg, int team);
/* Applied to v, an agent's or a team's columns. */
void tk_dir_apply(char **v, const tk_dir_asgs *as, int team);
void tk_dir_asgs_free(tk_dir_asgs *as);

/* The tickets of login in the working set, or of one status: their ids. 0 or -1. */
int tk_agent_tickets(tk_txn *t, const char *login, const char *status, tk_ids *ids);
/* Every ticket of from in the working set given to to (each logged via
 * the transaction's via): 0 or -1. */
int tk_agent_reassign(tk_txn *t, const char *from, const char *to, size_t *moved);

/* tk-agent ls's filters: field=v (a,b any of; a set holds it), !=, ~ and
 * !~ (PCRE2), ranges on capacity and load (load=..5, "load<5"). */
typedef struct tk_agent_filter tk_agent_filter;
tk_agent_filter *tk_agent_filter_new(void);
int tk_agent_filter_add(tk_agent_filter *f, const char *term);
/* A team= naming no team: -1, with the nearest. */
int tk_agent_filter_check(tk_agent_filter *f, tk_txn *t);
int tk_agent_filter_match(tk_agent_filter *f, const tk_agent *a);
void tk_agent_filter_free(tk_agent_filter *f);

/* ---- assign.c: tk-assign's strategies ---- */

enum { TK_ASSIGN_TO, TK_ASSIGN_UNASSIGN, TK_ASSIGN_ROUND_ROBIN, TK_ASSIGN_LEAST_LOADED, TK_ASSIGN_SKILLS,
	TK_ASSIGN_TO_LEAD, TK_ASSIGN_NSTRATEGIES };
/* "to", "unassign", "round-robin", ...: the log's via is assign:NAME. */
extern const char *const tk_strategy_names[TK_ASSIGN_NSTRATEGIES];
typedef struct tk_assigner tk_assigner;
/* to: the login of TK_ASSIGN_TO; team: --team or NULL (the team owning
 * each ticket's queue, else every agent). */
tk_assigner *tk_assigner_new(int strategy, const char *to, const char *team, int explain);
void tk_assigner_free(tk_assigner *as);
/* The agents, their loads and the teams as t sees them (each batch's
 * write transaction; once for a dry run): 0, -1 an error, -2 an unknown
 * agent or team named (tk_errmsg with the nearest). */
int tk_assigner_begin(tk_assigner *as, tk_txn *t);
/* The agent for tk: 1 with *login (NULL: unassigned), 0 none will do
 * (tk_errmsg says why: off duty, at capacity, no skill, no lead), -1 an
 * error. tk_assigner_why: the choice and, with explain, the others. */
int tk_assigner_pick(tk_assigner *as, tk_txn *t, tk_ticket *tk, const char **login);
const char *tk_assigner_why(tk_assigner *as);
/* A ticket of status and assignee (before) went to login (NULL: none):
 * loads and cursor carried forward. */
void tk_assigner_took(tk_assigner *as, tk_str status, tk_str assignee, const char *login);
/* A ticket was ostatus, oassignee and is (in a dry-run stream) status,
 * assignee: the loads held moved to match. */
void tk_assigner_moved(tk_assigner *as, tk_str ostatus, tk_str oassignee, tk_str status, tk_str assignee);
/* The round-robin cursors moved, written in t (a write transaction): 0 or -1. */
int tk_assigner_end(tk_assigner *as, tk_txn *t);

/* ---- sla.c: SLA policies, deadlines, the escalation ledger ---- */

/*
 * The store's sla file (tk-config(5)): policies tried in order, the first
 * whose match holds applying, with targets for the first response, the
 * next response after each customer reply (update) and the resolution, in
 * the business time of a calendar. The deadlines are stored in the
 * ticket's fields due_response, due_update, due_resolution, and sla_due
 * (the earliest running; indexed), kept by the model's hook as every
 * ticket is written; sla.c's header says how the clock runs.
 */
enum { TK_SLA_RESPONSE, TK_SLA_UPDATE, TK_SLA_RESOLUTION, TK_SLA_NMETRICS };
extern const char *const tk_sla_metrics[TK_SLA_NMETRICS];	/* response, update, resolution */
enum { TK_SLA_OK, TK_SLA_WARNING, TK_SLA_BREACHED, TK_SLA_PAUSED };
extern const char *const tk_sla_state_names[];	/* ok, warning, breached, paused */
typedef struct tk_sla tk_sla;
typedef struct tk_policy tk_policy;
/* dir's sla (or policy, the path of another sla file: a what-if) and
 * calendars: 1 read, 0 no sla file, -1 with tk_errmsg "path:line: what". */
int tk_sla_read(tk_sla **out, const char *dir, const char *policy);
void tk_sla_free(tk_sla *s);
/* The store's, read once a run (kept by sla.c): 1, 0 none, -1 a broken file. */
int tk_sla_get(tk_store *st, tk_sla **out);
/* The model's hook (tk_ticket_hook) set, so that every ticket a command
 * writes gets its deadlines, and the store's sla and calendars files read
 * (their field names checked): 1, 0 no sla file, -1 a broken file
 * (tk_errmsg "path:line: what"; the caller refuses to write, exit 3). */
int tk_sla_attach(tk_store *st);
size_t tk_sla_count(const tk_sla *s);
const tk_policy *tk_sla_at(const tk_sla *s, size_t i);
const char *tk_policy_name(const tk_policy *p);
const tk_calendar *tk_policy_calendar(const tk_policy *p);
/* The first policy whose match holds for tk (*out NULL: none): 0 or -1. */
int tk_sla_policy(tk_sla *s, tk_txn *t, tk_ticket *tk, const tk_policy **out);

/* A clock of a ticket at a moment. */
typedef struct {
	int metric;		/* TK_SLA_RESPONSE, ... */
	int state;		/* TK_SLA_OK, ... */
	int64_t deadline;
	int64_t remaining;	/* business seconds; negative past the deadline; frozen while paused */
	int64_t target;		/* business seconds when a warning was weighed, else 0 */
	int reached;		/* the highest level reached: -1 none, 0 warning, 1 breach, 2... */
	int claimed;		/* the highest level in the ledger, -1 none */
	const tk_policy *policy;	/* NULL: deadlines no policy gives now (24x7) */
} tk_sla_state;
/* The running (or paused) clocks of tk at now into out (room for
 * TK_SLA_NMETRICS): how many, or -1. replay: deadlines rebuilt from the
 * history under s (a what-if), else the stored ones. warn: the warning
 * share in percent, 0 for each policy's. */
int tk_sla_states(tk_sla *s, tk_txn *t, tk_ticket *tk, int64_t now, int replay, int warn, tk_sla_state *out);
/* The latest sla_due a ticket may have to be in a listing at now:
 * breached, due within the business seconds given, or (warnings) at
 * its warning share. */
int64_t tk_sla_window(tk_sla *s, int64_t now, int64_t within, int warn, int warnings);
/* The tickets whose sla_due is at or before bound (ix_sla_due), in id order. 0 or -1. */
int tk_sla_due_by(tk_txn *t, int64_t bound, tk_ids *ids);
/* tk's deadlines rebuilt from its history (INT64_MIN: no clock), *pp the policy. 0 or -1. */
int tk_sla_deadlines(tk_sla *s, tk_txn *t, tk_ticket *tk, int64_t d[TK_SLA_NMETRICS], const tk_policy **pp);
/* How tk's deadlines are made, for people (tk-sla --explain). 0 or -1. */
int tk_sla_explain(tk_sla *s, tk_txn *t, tk_ticket *tk, int64_t now, tk_buf *out);
/* The ledger (sla_ledger): the highest level claimed for ticket id's
 * metric (-1 none, -2 an error); a claim written (t a write transaction);
 * each metric's highest claim of id dropped (how many, or -1). */
int tk_sla_claimed(tk_txn *t, uint64_t id, int metric);
int tk_sla_claim(tk_txn *t, uint64_t id, int metric, int level, int64_t deadline);
int tk_sla_rearm(tk_txn *t, uint64_t id);

/* ---- upgrade.c: upgrades that need the ticket model ---- */

/* Brings st (open for writing, st->schema older) up to
 * TK_SCHEMA_VERSION: 0, or -1 with tk_errmsg. tk_cmd_store runs it. */
int tk_store_upgrade(tk_store *st);
/* ---- jsonin.c: one JSON text into a tree ---- */

enum { TK_J_NULL, TK_J_FALSE, TK_J_TRUE, TK_J_NUMBER, TK_J_STRING, TK_J_ARRAY, TK_J_OBJECT };
#define TK_JSON_DEPTH 64
typedef struct {
	int type;
	const char *key;	/* a member's name (NUL after it), else NULL */
	const char *s;		/* a string, unescaped, or a number's text; NUL after it */
	size_t keylen, n;
	size_t first, next;	/* first child, next sibling: node numbers, 0 for none */
	size_t count;		/* children */
	size_t soff, koff;	/* (where s and key are, while parsing) */
} tk_jnode;
typedef struct {
	tk_jnode *nodes;	/* node 0 is the value parsed */
	size_t n, cap;
	tk_buf str;
} tk_jdoc;
/* Parse the JSON text of n bytes at s into d (reused from text to text):
 * 0, or -1 with tk_errmsg naming the byte. */
int tk_json_parse(tk_jdoc *d, const char *s, size_t n);
void tk_jdoc_free(tk_jdoc *d);

/* JSON lines for tk-import (jsonin.c): the first object's member names are
 * the header, each object a row of values under them; "comments" arrays
 * are comments, "history" is not read. Like tk_csv_next: 1 a row, 0 the
 * end, -1 a bad line (tk_errmsg; call again). */
typedef struct tk_jsonl tk_jsonl;
tk_jsonl *tk_jsonl_open(FILE *fp, const char *name);
int tk_jsonl_header(tk_jsonl *j, char ***fields, size_t **lens, size_t *n, long *lineno);
int tk_jsonl_next(tk_jsonl *j, char ***fields, size_t **lens, size_t *n, long *lineno);
/* The comments of the row last read, added to r after tk_import_row: 0 or -1. */
int tk_jsonl_comments(tk_jsonl *j, tk_improw *r);
/* 1 once a row held history, which tk-import does not take. */
int tk_jsonl_history(const tk_jsonl *j);
void tk_jsonl_close(tk_jsonl *j);

/* ---- pipe.c: reading the next batch while the last is written ---- */

/*
 * fill runs in a second thread and reads the next batch into a slot: it
 * returns 1 when more may follow, 0 at the end of the input (the slot may
 * still hold the last rows). drain runs in the calling thread, in order,
 * for every slot filled, with end set for the last; a non-zero return
 * stops everything and is returned. Without a thread the two take turns.
 */
typedef struct {
	void *slot[2];
	int (*fill)(void *slot, void *ctx);
	int (*drain)(void *slot, int end, void *ctx);
	void *ctx;
	/* set while the calling thread waits for fill: work fill can leave
	 * to drain then balances the two threads */
	volatile int drain_waiting;
} tk_pipe;
int tk_pipe_run(tk_pipe *p);

/* ---- cmd.c: what every command does alike ---- */

/* Long options every command takes besides its own. */
#define TK_COMMON_LONGOPTS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }
/* Their lines in a usage text's help (see tk_cmd_start), at its end. */
#define TK_COMMON_HELP \
	"-h, --help\tprint this help and exit\n" \
	"-V, --version\tprint the version and exit\n"

/*
 * usage: the synopsis as in the man page ("tk-ls [-a] ...\n", a second form
 * on a line of its own after seven spaces), a blank line, then the help:
 * free lines and option lines "-a, --all<TAB>what it does".
 */
void tk_cmd_start(int argc, char **argv, const char *usage);
/* 0: the whole help on stdout; else the synopsis and a hint on stderr. Exits with code. */
_Noreturn void tk_usage(int code);
/* Prints help text, its "spec<TAB>description" lines aligned. */
void tk_help_print(FILE *fp, const char *text);
/* -h, --version, or an unknown option. */
_Noreturn void tk_common_option(int c);
/* The store for a command: read, write (it must exist: exit 4 if not),
 * or create (made when missing: only commands about to write). Its
 * fields file is read (exit 3 on an error in it). */
enum { TK_OPEN_READ, TK_OPEN_WRITE, TK_OPEN_CREATE };
tk_store *tk_cmd_store(const char *dir, int mode);
/* The same for a command that writes assignments as: a custom field name
 * the store does not know is refused first (exit 2), before a missing
 * store would be made. */
tk_store *tk_cmd_store_assign(const char *dir, int mode, const tk_assignments *as);
/* A store the command is about to make, taken back at exit unless the
 * command calls this again with NULL (it wrote something). */
void tk_cmd_unmake_on_exit(const char *dir);
/* The command is done with st and about to exit: leave it to the kernel. */
void tk_cmd_leave(tk_store *st);
/* Ids from the operands, or from standard input when there are none; returns bad lines. */
int tk_cmd_ids(tk_ids *ids, int argc, char **argv);
/*
 * Where getopt must stop so that "-tag" operands (removals) are not read as
 * options: the first argument "-X..." whose X is not an option letter.
 */
int tk_getopt_end(int argc, char **argv, const char *shortopts);
char *tk_read_all(FILE *fp, const char *name, size_t *len);
/* Option values (exit 2 on a bad one): tk_opt_once refuses an empty value
 * and a second, different one (prev: the value so far, or NULL), and
 * returns arg; tk_opt_text refuses invalid UTF-8; tk_opt_conflict refuses
 * two options given together, naming both. */
const char *tk_opt_once(const char *opt, const char *prev, const char *arg);
const char *tk_opt_text(const char *opt, const char *arg);
void tk_opt_conflict(const char *a, int has_a, const char *b, int has_b);
/* "-todo was read as -t -o do; write -- -todo ..." for each word before
 * end that bundles option letters, for a message; nothing when none. */
void tk_opt_bundles(tk_buf *out, int end, char **argv, const char *shortopts);
/* Assignments refused on their face, whatever the ticket (exit 2): a field
 * set twice, created= when not creating. */
void tk_cmd_assignments(const tk_assignments *as, int creating);

#endif
