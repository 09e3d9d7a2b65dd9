/*
 * tk.h - the one header of libtk, the code every tk command shares.
 *
 * One .c file a concern, in layers: each calls only those below it
 * (../shared/tools/lib-loops checks; calls upward go through hooks such
 * as tk_batch_ops and tk_hooks).
 *
 *   ground     util.c (errors, memory, buffers, UTF-8), address.c,
 *              record.c (tk-records(5)), timeutil.c, ids.c, config.c (the
 *              configuration files), key.c (key bytes and order, LMDB
 *              errors), status.c (the store's statuses and their classes)
 *   store      store.c (the environment, sub-databases, transactions and
 *              their batch hooks, meta, import marks), postings.c,
 *              index.c (index keys, epochs, ids under a key), ixbatch.c,
 *              active.c (the working set), log.c (appending events),
 *              comment.c (storing comments), load.c (each assignee's
 *              count of tickets in the working set, kept by active.c),
 *              linkdb.c (links both ways)
 *   model      ticket.c (the ticket, its encoding, the assignment
 *              language, writes with their indexes and events)
 *   above it   fields.c (known field names, the fields file: types,
 *              defaults, required fields), workflow.c (the workflow file:
 *              statuses, types, transitions), confapply.c (the files as
 *              commands see them: the model's hooks, tk-config check and
 *              apply), history.c (events read back), reply.c (replies and
 *              their effects), upgrade.c (schema upgrades), query.c
 *              (filters), output.c, csvin.c, import.c, pipe.c, cmd.c (what
 *              every command does), script.c (the derived field script),
 *              dryrun.c (the dry-run stream), agent.c (agents and teams),
 *              assign.c (tk-assign's strategies), link.c (links, merge,
 *              split), sla.c (SLA policies, deadlines through the model's
 *              ticket hook, the escalation ledger)
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
/* When set, tk_die exits with it instead of any failing code: tk-mail's
 * 75 (EX_TEMPFAIL), so that the MTA retries (DESIGN.md 9). */
extern int tk_exit_remap;
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
/* A phone number's digits with its country code (cc, NULL for none, put
 * before a national number): the count written to out, 0 when s is no
 * phone number (no digits, or letters). */
size_t tk_phone_digits(const char *s, size_t n, const char *cc, char *out, size_t size);

/* ---- mime.c: mail header fields and bodies (tk-notify) ---- */

/* A header field "name: value" and its LF added to b: control characters
 * made spaces (no value ends a header line early), the text folded at
 * 78 columns, or written as RFC 2047 encoded words (base64, UTF-8) when it
 * is not ASCII. */
void tk_mime_header(tk_buf *b, const char *name, const char *value, size_t n);
/* An address field of n mailboxes ("To: Name <a@b>, c@d"): names quoted
 * or encoded as they need, folded between mailboxes. */
typedef struct {
	const char *name;	/* NULL or "": the bare address */
	const char *addr;
} tk_mime_addr;
void tk_mime_addresses(tk_buf *b, const char *field, const tk_mime_addr *a, size_t n);
/* 1 when s (n bytes) can stand as an address in a header: one '@' with
 * text either side, no white space, control character or special. */
int tk_mime_addr_ok(const char *s, size_t n);
/* 1 when a body cannot go as 8bit (a line over 998 bytes, a CR, a NUL). */
int tk_mime_needs_qp(const char *s, size_t n);
void tk_mime_qp(tk_buf *b, const char *s, size_t n);

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
/* The same for a file given by its path (tk-route FILE). */
int tk_conf_open_file(tk_conf *c, const char *path);
/* The next statement: 1, 0 at the end, -1 (invalid UTF-8) with tk_errmsg. */
int tk_conf_next(tk_conf *c);
/* Sets tk_errmsg to "path:line: message"; returns -1. */
int tk_conf_error(const tk_conf *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tk_conf_close(tk_conf *c);

/* ---- status.c: statuses and their classes (DESIGN.md 1) ---- */

enum tk_class { TK_CLASS_NONE, TK_CLASS_OPEN, TK_CLASS_PAUSED, TK_CLASS_RESOLVED, TK_CLASS_CLOSED };
#define TK_ACTIVE_MAXSTATUS 64	/* status names up to 64 bytes (DESIGN.md 1) */
#define TK_STATUS_MAX 64	/* statuses a store may have */
typedef struct {
	char name[TK_ACTIVE_MAXSTATUS + 1];
	unsigned char len;
	unsigned char cls;	/* enum tk_class */
	unsigned char dropped;	/* no longer in the workflow: kept for tickets that hold it */
} tk_status_def;
/* The store's table (meta "statuses", installed when the store opens;
 * tk's default workflow until then). */
void tk_status_install(const tk_status_def *defs, size_t n);
/* 1 once a table was installed (a store opened): the statuses are known. */
int tk_status_installed(void);
void tk_status_defaults(tk_status_def *defs, size_t *n);
size_t tk_status_count(void);
const tk_status_def *tk_status_at(size_t i);
/* The class of a status (TK_CLASS_NONE for one the store does not have). */
int tk_status_class(tk_str s);
/* A status of the store's workflow (not dropped): 1, else 0. */
int tk_status_known(tk_str s);
/* 1 for a status of class open or paused: its tickets are the working set. */
int tk_active_status(tk_str s);
int tk_class_active(int cls);
/* "new, open, pending, resolved, closed": the workflow's statuses, for messages. */
const char *tk_status_words(void);
/* A new ticket's status: the first; where a reply reopens a ticket to. */
const char *tk_status_initial(void);
const char *tk_status_reopen(void);
/* The workflow's first status of class cls (a merge closes its source
 * with the first closed one), or NULL. */
const char *tk_status_first_of(int cls);
const char *tk_class_name(int cls);
int tk_class_lookup(const char *s, size_t n);
/* 1 to 64 bytes of UTF-8, no blank, control, ',', '=', '#'; not starting with + - *. */
int tk_status_name_ok(const char *s, size_t n);
/* meta "statuses": "NAME TAB CLASS [TAB dropped]" a line. decode: 0, or -1 with tk_errmsg. */
void tk_status_encode(const tk_status_def *defs, size_t n, tk_buf *out);
int tk_status_decode(const char *p, size_t n, tk_status_def *defs, size_t *count);
/* ---- settings.c: the store's config file (tk-config(5)) ---- */

typedef struct {
	char **tiers;		/* by rank, most important first; vip gold standard unless set */
	size_t ntiers;
	char **free_mail;	/* added to the built-in free-mail domains (org.c) */
	size_t nfree;
	char *contact_lookup;	/* run for a requester never seen (lookup.c), or NULL */
	long lookup_ms;		/* its time limit: contact-lookup-timeout, 2000 unless set */
	char *phone_country;	/* the country code of numbers written without one, or NULL */
	int route_on_create;	/* every intake path routes (tk-route) */
	long mail_rate_count;	/* mail-rate-limit COUNT PERIOD: tk-mail's tickets a sender */
	long long mail_rate_period;	/* a period (seconds); count 0: no limit */
	char mail_domain[256];	/* mail-domain: the right side of tk's own Message-IDs */
	char from[512];		/* tk-notify's sender, "Name <addr>" or the address; "" unset */
	int fulltext_tickets;	/* fulltext tickets yes|no: 1, 0, or -1 when not set */
	int seen_route, seen_from, seen_ft;	/* (while reading: each key once) */
} tk_settings;
/* dir/config read into s (defaults when there is none): 0, or -1 with
 * tk_errmsg "dir/config:line: ..." (the caller exits 3). What it holds is
 * freed by tk_settings_free. */
int tk_settings_load(const char *dir, tk_settings *s);
void tk_settings_free(tk_settings *s);
/* The settings of store directory dir, read once and kept: NULL on an
 * error. Commands read them through this, never freeing them. */
const tk_settings *tk_settings_get(const char *dir);
/* The rank of a tier (0 the most important), -1 for none of them. */
int tk_settings_tier_rank(const tk_settings *s, const char *tier, size_t n);

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
	TK_DB_CONTACT_STATS,	/* schema 16: contact id -> the summary of its tickets (cstats.c) */
	TK_DB_COUNT
};

/* The schema this tk writes. An older store is opened no further than its
 * meta until upgrade.c (started by tk_cmd_store) brings it up to date. */
#define TK_SCHEMA_VERSION 16

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
	} batch[4];
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
	int ft_listed;		/* tickets listed in ft_pending by this txn (tk_ft_pending_add) */
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
/* A ticket written (fields, body or comments): listed in ft_pending when the
 * store keeps a ticket index (st->ft_tickets); 0, or -1 with tk_errmsg. */
int tk_ft_pending_add(tk_txn *t, uint64_t id);
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
	TK_F_NPS,		/* 24: net promoter score, 0..10 */
	TK_F_MERGED_INTO,	/* 25: the ticket this one was merged into (tk-link --merge) */
	TK_F_DUPLICATE_OF,	/* 26: tk-link A duplicate-of B */
	TK_F_RELATED,		/* 27: a set of ticket ids, kept symmetric by tk-link */
	TK_F_CONTACT,		/* 28, schema 13: the requester's contact (c123), its org and tier */
	TK_F_ORG,
	TK_F_TIER,
	TK_F_DUE_RESPONSE,	/* SLA deadlines, set by tk (sla.c) */
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
 * upgrade rewriting a value: updated stays; TK_APPLY_LINK, tk-link's own
 * writes: the link fields only it sets (merged_into, duplicate_of,
 * related) may be assigned; TK_APPLY_SLA, tk-sla --recompute: the hook
 * rebuilds the deadlines, updated stays; TK_APPLY_CREATE is for making (defaults
 * filled, id taken) and ignored here.
 * Returns 0, 1 when nothing changed, or -1 with tk_errmsg.
 */
enum { TK_APPLY_CREATE = 1, TK_APPLY_IMPORT = 2, TK_APPLY_BODY_CHECKED = 4, TK_APPLY_UPGRADE = 8, TK_APPLY_LINK = 16,
	TK_APPLY_SYNTAX = 32,	/* (tk_assign_add's own check: the form of a value, no store asked) */
	TK_APPLY_TK = 64 };
/* TK_APPLY_TK: tk itself sets fields it keeps (contact, org and tier
 * following the contact, contact.c), which assignments may not. */
/* SLA flags (sla.c): a reply from the requester or an agent, a write by the SLA hook. */
enum { TK_APPLY_REQUESTER_REPLY = 128, TK_APPLY_AGENT_REPLY = 256, TK_APPLY_SLA = 512 };
int tk_ticket_apply(tk_txn *t, tk_ticket *tk, const tk_assignments *as, int flags);
/* The same changes made to tk in memory only, in a transaction that may
 * be read-only (a --dry-run): checked as tk_ticket_apply checks them,
 * updated set when something changed; nothing written, nothing logged.
 * Returns 0, 1 when nothing changed, or -1 with tk_errmsg (tk as it was). */
int tk_ticket_assign(tk_txn *t, tk_ticket *tk, const tk_assignments *as, int flags);
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
/* Custom field name of ticket id in ix_custom, from old to new, when the
 * store indexes it (tk_store_indexed). 0 or -1. */
int tk_ticket_custom_reindex(tk_txn *t, uint64_t id, tk_str name, tk_str old, tk_str new);
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
/* The default rules of status changes, by class (tk's default workflow,
 * and a workflow file with no "allow" lines): open and paused statuses go
 * to any status but the first, a resolved one to an open status but the
 * first or to a closed one; closed is final. ok: 1 allowed, else 0;
 * check: 0, or -1 with tk_errmsg naming the allowed ones. */
int tk_status_transition_ok(tk_str from, const char *to);
int tk_status_transition_check(tk_str from, const char *to);
/* An assignment checked and written into tk (no store, no log): what
 * tk_ticket_apply does with each (flags TK_APPLY_*). 0, or -1 with tk_errmsg. */
int tk_ticket_assign_one(tk_ticket *tk, const tk_assign *a, int flags);

/*
 * What a store's configuration adds to the model, set by the modules
 * above it (fields.c, workflow.c; tk_cmd_store installs them): the model
 * calls them and knows nothing of the files. NULL: none.
 * value: a value of a custom field (name) or of type, as given: 0 and the
 *   value to store in *out (v, a constant, or written into buf of
 *   TK_VALUE_BUF bytes), or -1 with tk_errmsg naming field, value and rule.
 * defaults: a ticket being made, its assignments applied: the configured
 *   defaults put where it has no value, and its status when none was
 *   given. 0 or -1.
 * check: a ticket about to be written, old its stored fields before and
 *   oldc its custom ones (old NULL: being made): required fields, and
 *   unless TK_APPLY_IMPORT the workflow's transitions. 0 or -1.
 * A store's upgrade (TK_APPLY_UPGRADE) rewrites what it holds as it is:
 *   neither value nor check is asked.
 * They run in bulk commands' reading threads too: no state of their own.
 */
#define TK_VALUE_BUF 320
typedef struct tk_ticket_hooks {
	int (*value)(int field, const char *name, const char *v, char *buf, tk_str *out);
	int (*defaults)(tk_ticket *tk);
	int (*check)(const tk_str *old, const tk_custom *oldc, size_t noldc, const tk_ticket *tk, int flags);
} tk_ticket_hooks;
extern const tk_ticket_hooks *tk_hooks;
/* Ticket id (0: one being made) may have parent: it exists, is not id,
 * and is not among id's descendants. 0, or -1 with tk_errmsg. */
int tk_ticket_parent_ok(tk_txn *t, uint64_t id, uint64_t parent);
/*
 * The requester of a ticket resolved to its contact, org and tier
 * (DESIGN.md 2), in the transaction that writes the ticket: set by the
 * customer directory (contact.c, tk_contacts_install), which the model
 * may not call. Called for a new ticket with a requester and no contact
 * yet, and for a ticket whose requester changes; it sets the ticket's
 * fields in memory it owns. 1 when it changed the ticket, 0 not, -1 with
 * tk_errmsg.
 */
extern int (*tk_requester_hook)(tk_txn *t, tk_ticket *tk, int creating);
/* Called for each ticket written, new (old NULL) or changed (old: its
 * fields before), once its fields are final, in its transaction: the
 * contacts' summaries (cstats.c) follow. 0 or -1. */
extern int (*tk_summary_hook)(tk_txn *t, const tk_str *old, const tk_ticket *tk);

/* ---- fields.c: the field names a store knows, its fields file ---- */

/* Errors of a configuration file kept to be told together (tk-config
 * check), a line each; a loader given none stops at the first. */
typedef struct {
	tk_buf msgs;
	size_t n;
} tk_conf_errs;

/* A condition: terms field=a,b (any of) or field!=a,b, all of which hold
 * (the fields file's "in", the workflow's "match"): stored and custom
 * fields only. add: 0, or -1 with tk_errmsg. */
typedef struct {
	struct tk_cond *c;
	size_t n;
} tk_when;
int tk_when_add(tk_when *w, const char *term);
int tk_when_holds(const tk_when *w, const tk_ticket *tk);
/* A custom name it asks that the fields file does not declare, or NULL. */
const char *tk_when_undeclared(const tk_when *w);
void tk_when_free(tk_when *w);

/* Read DIR/fields (what it declares, their types, defaults, required
 * fields, indexes) into the process's table: 0 (also when there is none),
 * -1 with tk_errmsg naming file:line, or with errs every problem kept. */
int tk_fields_read(const char *dir, tk_conf_errs *errs);
void tk_fields_unload(void);
/* tk_fields_read of st's directory, its names into st->declared. */
int tk_fields_load(tk_store *st);
/* The declared field name, or NULL. */
const char *tk_fields_def(const char *name);
const char *tk_fields_path(void);
/* The fields declared indexed, with the lines that say so (the arrays
 * are the module's, good until the next call). */
size_t tk_fields_indexed(const char ***names, long **lines);
/* A value of custom field name as its declared type keeps it: 0 with
 * *out (v, a constant, or written in buf of TK_VALUE_BUF bytes; v itself
 * for a field with no type), or -1 with tk_errmsg naming the field, the
 * value and the rule (fields:LINE). */
int tk_field_value(const char *name, const char *v, char *buf, tk_str *out);
/* An enum field's values (completions, messages): how many, at *vals. */
size_t tk_field_enum_values(const char *name, const char *const **vals);
/* The model's hooks' parts (tk_ticket_hooks): defaults of a ticket being
 * made; required fields of one being written (old NULL: being made). */
int tk_fields_defaults(tk_ticket *tk);
int tk_fields_required(const tk_str *old, const tk_custom *oldc, size_t noldc, const tk_ticket *tk);
/* fn(tk, field, value, why, arg) for each value of tk the file refuses
 * now and each required field it lacks; a non-zero return stops and is
 * returned. */
int tk_fields_ticket_problems(const tk_ticket *tk,
    int (*fn)(const tk_ticket *, const char *, tk_str, const char *, void *), void *arg);
/* 1 for a word of the event log no field may take. */
int tk_field_reserved(const char *name);
/* 1 when an event's field name is one of the log's own events (create,
 * link, merge, mention, reply, ...: DESIGN.md 3), not a field's change. */
int tk_event_reserved(const char *name, size_t n);
int tk_field_declared(const tk_store *st, const char *name);
/* A custom field name the store knows: declared, or holding values. */
int tk_field_known(tk_txn *t, const char *name);
/* 0 when name is tk's, declared or held by the store (t NULL: no store
 * yet, the directory's fields file only); else -1 with tk_errmsg:
 * "what: no field NAME; did you mean X?". */
int tk_field_check(tk_store *st, tk_txn *t, const char *what, const char *name);
/* ---- notice.c: tk-notify's queue and the tickets' notice marks ---- */

/* A queued notice (notice.c's header says how it is kept). */
typedef struct {
	uint64_t seq, ticket;
	int kind;		/* 'm' mail through sendmail, 'x' a hook (--exec) */
	char not_before[21];	/* held until then (--during); "" for at once */
	char queued[21];	/* when it was queued */
	long claim_pid;		/* the run sending it now, 0 for none */
	char claim_time[21];
	unsigned tries;		/* failed tries so far */
	uint32_t mark;		/* --to requester: the last comment it carries, 0 none */
	char *to;		/* the recipients, for people */
	char *what;		/* the template, for people */
	char *msgid;		/* mail: its Message-ID */
	char *error;		/* why the last try failed */
	char **argv;		/* a hook: its command; NULL-terminated */
	size_t argc;
	char **env;		/* a hook: NAME=VALUE for its environment */
	size_t nenv;
	char *data;		/* mail: the message (no Date yet); a hook: its stdin */
	size_t len;
} tk_notice;
void tk_notice_free(tk_notice *nt);
void tk_notice_arg(tk_notice *nt, const char *s);
void tk_notice_env(tk_notice *nt, const char *s, size_t n);
/* Queued in write txn t under the next seq (nt->seq set): 0 or -1. */
int tk_notice_add(tk_txn *t, tk_notice *nt);
/* Written back under nt->seq: 0 or -1. */
int tk_notice_put(tk_txn *t, const tk_notice *nt);
/* 1 found, 0 not, -1 an error. */
int tk_notice_get(tk_txn *t, uint64_t seq, tk_notice *nt);
/* 1 taken out, 0 not there, -1 an error. */
int tk_notice_del(tk_txn *t, uint64_t seq);
/* fn for each notice in seq order; a non-zero return stops (-1 returned). */
int tk_notice_each(tk_txn *t, int (*fn)(tk_txn *, tk_notice *, void *), void *arg);
/* 1 while another run holds it: its process is alive and the claim is
 * less than an hour old. */
int tk_notice_claimed(const tk_notice *nt, time_t now);
/* The store's 16 hex digits in Message-IDs, made in a write txn the
 * first time: 0 or -1. */
int tk_notice_store_id(tk_txn *t, char out[17]);
/* Ticket's notice mark: the last comment sendmail accepted in a --to
 * requester notice, and the last one queued (0 and 0 when none): 1, 0
 * (none yet), -1 an error. */
int tk_notice_mark_get(tk_txn *t, uint64_t ticket, uint32_t *sent, uint32_t *queued);
/* The mark moved past comment_n, never back: by tk-import and a merge
 * for the comments they add, so that nobody is mailed another thread
 * (DESIGN.md 8); by tk-notify when a notice is queued and when it is
 * accepted. 0 or -1. */
int tk_notice_mark_past(tk_txn *t, uint64_t ticket, uint32_t comment_n);
/* The same for a ticket this transaction made (its id the largest yet):
 * put at the right edge without a search (tk-import). */
int tk_notice_mark_new(tk_txn *t, uint64_t ticket, uint32_t comment_n);
int tk_notice_mark_queued(tk_txn *t, uint64_t ticket, uint32_t comment_n);
int tk_notice_mark_sent(tk_txn *t, uint64_t ticket, uint32_t comment_n);

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
/*
 * A reply or note on a ticket read for writing, with what follows from it:
 * an agent's first public reply records first_response and opens a new
 * ticket; a reply from the requester reopens a pending or resolved ticket;
 * "@name" adds name to the watchers and logs a mention event (field
 * "mention", the name its new value), one for each name.
 */
int tk_comment_post(tk_txn *t, tk_ticket *tk, const char *author, int internal, const char *body, size_t len);
/* reply.c: what the '@' at body[at] mentions (a name of at most size - 1
 * bytes into name): its length, 0 for no mention. */
size_t tk_mention_name(tk_txn *t, const char *body, size_t len, size_t at, char *name, size_t size);

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
/* Regexes of terms added after tk_filter_jit(q, 0) are not JIT-compiled:
 * a filter for one ticket (a rule at intake) compiles faster without. */
void tk_filter_jit(tk_filter *q, int on);
/* Regexes of terms added after tk_filter_lazy(q, 1) are compiled when a
 * ticket is first matched against them, not checked by tk_filter_add: for
 * rules known good (route.c), most of which one ticket never needs. */
void tk_filter_lazy(tk_filter *q, int on);
/* A failed tk_filter_add's byte offset in the term of a bad regex's error, else -1. */
extern _Thread_local long tk_filter_errpos;
/* Term i of q (i < tk_filter_size(q)): its text, field name and number
 * (TK_F_CUSTOM), and for a regex that must match (name~re), its pattern
 * (NULL for any other term). */
typedef struct {
	const char *text, *name, *pattern;
	int field;
} tk_term_info;
size_t tk_filter_size(const tk_filter *q);
void tk_filter_term(const tk_filter *q, size_t i, tk_term_info *ti);
/* Right after tk_filter_match gave 1 for tk: what term i held on, the text
 * its regex matched or the value it compared (for --explain). */
tk_str tk_filter_matched(tk_filter *q, size_t i, tk_txn *tx, tk_ticket *tk, char *scratch, size_t n);

/* ---- literals.c: which of many regexes could match a text ---- */

typedef struct tk_lits tk_lits;
tk_lits *tk_lits_new(void);
/* The literals a match of pattern must hold one of, kept under key: 1, or
 * 0 when none can be said (the pattern is a candidate for every text). */
int tk_lits_add(tk_lits *l, const char *pattern, unsigned key);
size_t tk_lits_count(const tk_lits *l);
/* Sets bit key of hits for every key one of whose literals s holds (the
 * automaton is built on the first scan); fold is scratch. */
void tk_lits_scan(tk_lits *l, const char *s, size_t n, uint64_t *hits, tk_buf *fold);
void tk_lits_build(tk_lits *l);
/* The same without the automaton, a search for each literal: for one
 * text, where building the automaton would cost more than it saves. */
void tk_lits_scan_each(tk_lits *l, const char *s, size_t n, uint64_t *hits, tk_buf *fold);
/* s case-folded (full Unicode folding) onto the end of out. */
void tk_lits_fold(const char *s, size_t n, tk_buf *out);
void tk_lits_free(tk_lits *l);

/* ---- route.c: the rules of tk-route, at intake too ---- */

typedef struct tk_rules tk_rules;
enum {
	TK_ROUTE_ALL = 1,	/* every rule that matches, not the first only */
	TK_ROUTE_BULK = 2,	/* many tickets: regexes JIT-compiled, literals prefiltered */
	TK_ROUTE_DRY = 4	/* tk_route_ticket changes tickets in memory only */
};
/*
 * The rules of path (NULL: the store directory dir's "rules"), checked
 * against the store (st and t; st NULL: no store yet, dir's fields file
 * only). Each error in the file is warned about as "path:line:column:
 * text: why"; then NULL with tk_errmsg, and *missing set when there was no
 * file at all.
 */
tk_rules *tk_rules_load(tk_store *st, tk_txn *t, const char *dir, const char *path, int flags, int *missing);
void tk_rules_free(tk_rules *r);
/* --explain: which rule matched, on which field and text, what it set. */
void tk_rules_explain(tk_rules *r, int on);
/*
 * Routes tk through the rules in transaction t: each rule that fires
 * applies its assignments, logged via "route:RULE" (TK_ROUTE_DRY: in
 * memory only, t may be read-only). A pattern that hits its limit, and a
 * rule whose values the ticket refuses, are warned about and go on;
 * tk_rules_refused counts the refusals. 0 changed, 1 not, -1 when the
 * store failed (tk_errmsg; tk_map_full may be set).
 *
 * Routing inside a transaction that may be run again (tk_store_write)
 * goes between tk_rules_begin and tk_rules_end: done 1 once it committed
 * (the warnings and explanations are written to standard error then, and
 * the counts kept), 0 when it did not (both forgotten).
 */
int tk_route_ticket(tk_rules *r, tk_txn *t, tk_ticket *tk);
void tk_rules_begin(tk_rules *r);
void tk_rules_end(tk_rules *r, int done);
unsigned long tk_rules_refused(const tk_rules *r);
/* Only the rules named ("a,b") take part: 0, or -1 with tk_errmsg naming
 * one the file does not have (and the nearest it does). */
int tk_rules_only(tk_rules *r, const char *names);
/* --stats: per rule, tickets matched and changed, and the fields changed. */
typedef struct {
	const char *name;
	unsigned long matched, changed;
	const char *fields;	/* "queue:12,tags:30" */
} tk_rule_stats;
size_t tk_rules_count(const tk_rules *r);
void tk_rules_stats(tk_rules *r, size_t i, tk_rule_stats *s);
/* The rules intake runs (DESIGN.md 2): with force (--route), or when the
 * store directory dir's config says route-on-create yes; NULL when none
 * are to. st: the store, or NULL when it is still to be made. Exits 3 on
 * a broken config or rules file, or with force on a missing rules file. */
tk_rules *tk_rules_intake(tk_store *st, const char *dir, int force, int flags);
/* Tickets routed and those no rule matched. */
unsigned long tk_rules_routed(const tk_rules *r);
unsigned long tk_rules_unmatched(const tk_rules *r);

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
	int links;		/* "links": the tickets that link to this one */
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
/* 1 for a typed id: letters, then digits (c123 a contact, kb7 an article, n12 a notice). */
int tk_id_typed(const char *s, size_t n);
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

/* ---- link.c: tk-link's relations, merge, unmerge and split ---- */

/* The relations a user writes, as sentences: "A relates B". */
enum tk_rel { TK_REL_RELATES, TK_REL_PARENT_OF, TK_REL_CHILD_OF, TK_REL_DUPLICATE_OF, TK_REL_NONE = -1 };
/* The relation a word names ("relates", "parent-of", ...), or TK_REL_NONE. */
int tk_rel_parse(const char *word);
/* The words, for messages: "relates, parent-of, child-of, duplicate-of". */
extern const char tk_rel_words[];
/*
 * Write txn t: ticket a REL b linked (unlink: taken apart). Both tickets
 * written and logged. 0 done, 1 nothing to do (already so; for unlink:
 * no such link), -1 refused or failed (tk_errmsg; tk_map_full says a
 * full map).
 */
int tk_link(tk_txn *t, uint64_t a, int rel, uint64_t b, int unlink);
/* Ticket src merged into dst (DESIGN.md 7): its comments appended to
 * dst's, its watchers and tags moved, src closed as merged into dst, what
 * moved kept in merges. 0, or -1 refused or failed (tk_errmsg). */
int tk_merge(tk_txn *t, uint64_t src, uint64_t dst);
/* The merge of src undone exactly; *dst gets the ticket it was merged
 * into. 0, or -1 refused (saying which later change stands in the way)
 * or failed. */
int tk_unmerge(tk_txn *t, uint64_t src, uint64_t *dst);
/* A child of ticket parent with its requester, queue and category:
 * subject, body (may be NULL). Its id in *id. 0, or -1. */
int tk_split(tk_txn *t, uint64_t parent, const char *subject, const char *body, size_t bodylen, uint64_t *id);

/* ---- mailstore.c: raw messages, attachments, Message-IDs, mail counters ---- */

/* What a raw message (m-id) or an attachment (a-id) belongs to: ticket
 * and comment number (0: the ticket's body; ticket 0: none). */
typedef struct {
	uint64_t ticket;
	uint32_t n;
	tk_str name, type;	/* attachments */
	const void *data;	/* the bytes, in the map */
	size_t len;
} tk_mailfile;
/* A raw message kept: *id its m-number. 0 or -1 with tk_errmsg. */
int tk_mail_raw_put(tk_txn *t, uint64_t ticket, uint32_t n, const void *raw, size_t len, uint64_t *id);
/* 1 found, 0 not, -1 error. */
int tk_mail_raw_get(tk_txn *t, uint64_t id, tk_mailfile *f);
/* An attachment kept, its bytes stored once whatever how many mails carry them. */
int tk_attach_put(tk_txn *t, uint64_t ticket, uint32_t n, const char *name, const char *type,
    const void *data, size_t len, uint64_t *id);
int tk_attach_get(tk_txn *t, uint64_t id, tk_mailfile *f);
/* Each raw message ('m') and attachment ('a') of ticket, by comment
 * number then id; fn's non-zero return stops. 0 or -1. */
int tk_mail_files_each(tk_txn *t, uint64_t ticket, int (*fn)(int kind, uint32_t n, uint64_t id, void *), void *arg);
/* xid: a Message-ID (without <>) to the ticket it first came with. */
int tk_xid_get(tk_txn *t, const char *mid, size_t n, uint64_t *ticket);
/* Put unless there: 0 or -1. */
int tk_xid_put(tk_txn *t, const char *mid, size_t n, uint64_t ticket);
/* Sender addr's count in the current period (period seconds), this
 * message counted when write: 1 over limit, 0 not, -1 error. */
int tk_mail_rate(tk_txn *t, const char *addr, long limit, long long period, int write);
/* "m34" / "a12": 1 with *id, 0 not such an id. */
int tk_typed_id(const char *s, char kind, uint64_t *id);

/* ---- mail.c: one message parsed (GMime; only tk-mail links it) ---- */

typedef struct {
	char *name, *type;
	char *data;
	size_t len;
} tk_mail_att;
typedef struct {
	int parsed;		/* 0: not a message GMime could read (kept raw) */
	char *from_addr, *from_name;	/* the bare address lowercased; "" when none */
	char *to, *cc;		/* bare addresses, comma-separated */
	char *subject;		/* decoded, one line */
	char *message_id, *in_reply_to;	/* without <>, "" when none */
	char **refs;		/* References, oldest first */
	size_t nrefs;
	time_t date;		/* 0 when none */
	char *body;		/* the text for the ticket, quotes and signature trimmed */
	size_t bodylen;
	tk_mail_att *att;
	size_t natt;
	const char *noise;	/* auto-reply, bulk, loop, bounce: never a reopen or answer; or NULL */
	int own;		/* an X-tk header: tk's own mail */
	char warn[256];		/* what was wrong with it, or "" */
} tk_mail;
#define TK_MAIL_MAX_ATT 100	/* attachments kept a message; the rest named in warn */
#define TK_MAIL_MAX_TEXT (4u << 20)	/* bytes of text kept as the body */
void tk_mail_init(void);
int tk_mail_parse(const char *raw, size_t n, tk_mail *m);
void tk_mail_free(tk_mail *m);
/* Helpers, exposed for the unit tests: RFC 2047 text decoded, charsets
 * as tk reads them (GB2312 as GB18030, Big5 as Big5-HKSCS, none: UTF-8
 * then GB18030); text/html made readable; quotes and signatures cut. */
char *tk_mail_decode_words(const char *s, size_t n);
char *tk_mail_to_utf8(const char *s, size_t n, const char *charset, size_t *outlen);
char *tk_mail_html_text(const char *s, size_t n, size_t *outlen);
size_t tk_mail_trim(const char *s, size_t n);

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
/* -m "Column=field,...", the one parser of import mappings: the columns as
 * written (raw) and folded as headers are (from), the fields lowercased
 * (to); the arrays grow by each item. 0, or -1 with tk_errmsg. */
int tk_import_mapping(const char *mapping, char ***raw, char ***from, char ***to, size_t *n);
/* A header name as imports match it: blanks around it off (no-break and
 * ideographic spaces too), letters lowercased, spaces and '-' as '_'. */
char *tk_import_fold(const char *s, size_t n);
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

/* ---- workflow.c: the store's workflow file ---- */

/* Read DIR/workflow (with none, tk's default workflow): 0, -1 with
 * tk_errmsg naming file:line, or with errs every problem kept. */
int tk_workflow_read(const char *dir, tk_conf_errs *errs);
void tk_workflow_unload(void);
int tk_workflow_present(void);
const char *tk_workflow_path(void);
/* The file's statuses in order with their lines; its types. */
size_t tk_workflow_statuses(const tk_status_def **defs, const long **lines);
size_t tk_workflow_types(const char *const **types);
/* type=v: 0 with the file's spelling in *out (v when it lists no type),
 * or -1 with tk_errmsg naming the types. */
int tk_workflow_type(const char *v, tk_str *out);
/* The name of the flow ticket tk follows ("" for the file's own). */
const char *tk_workflow_flow_of(const tk_ticket *tk);
/* Status from -> tk's status now allowed for tk: 0, or -1 with tk_errmsg
 * naming the statuses that may follow from. */
int tk_workflow_transition(tk_str from, const tk_ticket *tk);
/* The file's statuses and classes are the store's (status.c): 0, or -1
 * with tk_errmsg saying where they differ. */
int tk_workflow_agrees(void);

/* ---- confapply.c: the configuration as commands see it ---- */

/* Both files read (fields, workflow): 0, or -1 (see tk_fields_read). */
int tk_config_read(const char *dir, tk_conf_errs *errs);
/* The model's hooks set from what was read (tk_hooks). */
void tk_config_install(void);
/* For tk_cmd_store: the files read and the hooks installed; a writer
 * (mode) dies, exit 3, on a broken file or on files the store disagrees
 * with; a reader warns once and goes on; a store the command just made
 * takes the files as they are. */
void tk_config_load(tk_store *st, int mode);
/* The store keeps what the files say (statuses, classes, indexed
 * fields): 0, or -1 with tk_errmsg naming file:line. */
int tk_config_agrees(const tk_store *st);
/* Every value of as that the store's configuration refuses (a status it
 * does not have, a declared type, a type): 0, or -1 with tk_errmsg. */
int tk_assignments_validate(const tk_assignments *as);
/* tk-config apply: the store made to keep what the files say, in one
 * logged transaction; report gets a record a change ("status NAME OLD
 * NEW TICKETS", "index NAME OLD NEW TICKETS", "order"). 0 or an exit code. */
int tk_config_apply(tk_store *st, tk_buf *report);
/* tk-config check: every file of dir (config, fields, workflow, rules;
 * st and t the store's, or NULL), its problems in errs (the rules'
 * warned about as they are found): 0 when none, -1. */
int tk_config_check_files(const char *dir, tk_store *st, tk_txn *t, tk_conf_errs *errs);
/* tk-config check --tickets: a row "id field value why" in out for each
 * stored value the files refuse now; how many, or -1. */
long tk_config_check_tickets(tk_txn *t, tk_output *out);
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

/* ---- template.c: the store's templates (tk-notify, tk-comment --template) ---- */

typedef struct tk_template tk_template;
enum { TK_TPL_SUBJECT, TK_TPL_BODY };
/* A name (a letter or digit, then letters, digits, _ - .; at most 64 bytes). */
int tk_template_name_ok(const char *s);
/* word: a name in dir/templates, or a path when it holds a '/'. NULL with
 * tk_errmsg and *code: TK_EXIT_USAGE (no such template, a bad name),
 * TK_EXIT_DATA (path:line: what is wrong in it), TK_EXIT_FAIL (unreadable). */
tk_template *tk_template_load(const char *dir, const char *word, int *code);
/* The same from text in memory (tk's own templates); path for messages. */
tk_template *tk_template_parse(const char *path, const char *text, size_t n, int *code);
const char *tk_template_path(const tk_template *tp);
int tk_template_has_subject(const tk_template *tp);
int tk_template_has_text(const tk_template *tp);
/* Its Set: lines' assignments. */
const tk_assignments *tk_template_sets(const tk_template *tp);
/* The Set: lines' custom fields known to the store: 0, or -1 with "path:line: ...". */
int tk_template_set_check(const tk_template *tp, tk_store *st, tk_txn *t);
/* 1 when {{name}} is in it. */
int tk_template_uses(const tk_template *tp, const char *name);
/* Every {{name}} is one of tk's fields, a custom field t's store knows, or
 * one of extra (NULL-terminated; may be NULL): 0, or -1 with tk_errmsg
 * "path:line: {{x}}: no field x; did you mean y?". */
int tk_template_check(const tk_template *tp, tk_txn *t, const char *const *extra);
/* The subject or the text added to out, each {{name}} as value(name)
 * gives it (inserted as it is, never read for fields again). */
void tk_template_render(const tk_template *tp, int part, tk_buf *out, tk_str (*value)(const char *name, void *arg),
    void *arg);
/* Field name of tk (tk's, derived ones too, or a custom one) as a template
 * inserts it: empty when unset; scratch (n bytes, 64 will do) for numbers. */
tk_str tk_template_field(tk_txn *t, tk_ticket *tk, const char *name, char *scratch, size_t n);
void tk_template_free(tk_template *tp);

/* ---- notify.c: tk-notify's notices ---- */

/* Who --to names: kinds of people and addresses. */
enum { TK_TO_ASSIGNEE = 1, TK_TO_REQUESTER = 2, TK_TO_WATCHERS = 4, TK_TO_LEAD = 8 };
typedef struct {
	unsigned kinds;
	char **addrs;		/* lowercased */
	size_t naddrs;
} tk_notify_to;
/* "assignee", "lead,watchers", "ops@example.com", ... added to to: 0 or
 * -1 with tk_errmsg (with the nearest word). */
int tk_notify_to_parse(tk_notify_to *to, const char *arg);
void tk_notify_to_free(tk_notify_to *to);

typedef struct {
	const char *dir;	/* the store's directory: TK_DIR for a hook */
	tk_notify_to to;	/* mail to these; none with exec */
	char **exec;		/* --exec: the hook's argv, NULL-terminated; or NULL */
	const tk_template *tpl;	/* --template, or NULL for tk's own */
	const char *from;	/* config's from, or NULL: the Unix user at this host */
	long timeout;		/* seconds a command may take */
	/* --during: 1 when open at now, 0 closed (*open: its next opening),
	 * -1 an error (tk_errmsg); NULL for no hold */
	int (*during)(void *arg, time_t now, time_t *open);
	void *during_arg;
} tk_notify_opts;
/* A record read: the ticket, and its columns (col[0] the id) as read. */
typedef struct {
	uint64_t id;
	char **col;
	size_t ncol;
	int header;		/* the input had a header line before it */
} tk_nrec;
/* The records of a run: each distinct one once (with by_id, one a
 * ticket), typed ids (c123) skipped with a warning, bad lines counted;
 * the first '#' header names the columns. tk_nrecs_read: 0, or -1 (a
 * dry-run stream, tk_errmsg) for the caller to exit 3. */
typedef struct {
	tk_nrec *v;
	size_t n, cap;
	size_t *slot;		/* a hash table of the records: index + 1, 0 empty */
	size_t nslot;
	char **names;		/* the header's columns, or NULL */
	size_t nnames;
	int bad;
} tk_nrecs;
void tk_nrecs_add(tk_nrecs *in, uint64_t id, char **f, size_t *lens, size_t n, int by_id);
int tk_nrecs_read(tk_nrecs *in, FILE *fp, const char *name, int by_id);
void tk_nrecs_free(tk_nrecs *in);
typedef struct tk_notify tk_notify;
tk_notify *tk_notify_new(const tk_notify_opts *o);
/* The input's column names (its header, n of them), or NULL for tk-sla's,
 * n then the widest record's columns (tk's own template lists those). */
int tk_notify_columns(tk_notify *nf, char **names, size_t n);
/* The template checked against the store and the columns: 0 or -1 with
 * tk_errmsg (path:line). */
int tk_notify_prepare(tk_notify *nf, tk_txn *t);
/* One write transaction: a notice queued for each record (or why not,
 * tk_notify_result), claimed for sending when due, and with older the
 * earlier runs' notices this run may send claimed too. 0, or -1 with
 * tk_errmsg. */
int tk_notify_queue(tk_notify *nf, tk_store *st, const tk_nrec *recs, size_t n, int older);
/* Record i after tk_notify_queue: the notice's seq (0 for none), the time
 * --during holds it until (NULL: due now) and, when none was made or some
 * recipients are missing, why (problem set when it is a problem, not only
 * nothing to send). */
const char *tk_notify_result(const tk_notify *nf, size_t i, int *problem, uint64_t *seq, const char **held);
/* Every notice claimed, sent; report called for each. The count that
 * failed (each left queued with its error), or -1 (tk_errmsg). */
int tk_notify_send(tk_notify *nf, tk_store *st, void (*report)(const tk_notice *, int ok, const char *error, void *),
    void *arg);
void tk_notify_free(tk_notify *nf);
/* argv run with NAME=VALUE pairs of add in its environment and data on
 * its standard input, its standard output sent to our standard error, at
 * most timeout seconds: 0 when it exits 0, else -1 with tk_errmsg naming
 * the command and what happened. No shell. */
int tk_notify_run(char *const *argv, char *const *add, size_t nadd, const char *data, size_t len, long timeout);
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

/* ---- dirrec.c: the records of the customer directory ---- */

/* How a column's values are checked and kept (dirrec.c's header). */
enum { TK_DK_TEXT, TK_DK_WORD, TK_DK_LANG, TK_DK_EMAILS, TK_DK_PHONES, TK_DK_WORDS, TK_DK_DOMAINS,
	TK_DK_TIME, TK_DK_COUNT };
typedef struct {
	const char *name;
	const char *alias;	/* a set's singular name (email, phone, tag, domain), or NULL */
	int kind;
	int readonly;		/* kept by tk (merges, lookups): shown, never assigned */
} tk_dcol;
/* (tk_list_has, agent.c: 1 when item is one of a comma-separated set's.) */
/* set with the items added ('+'), taken out ('-') or instead ('='): a new
 * string, sorted, each item once. Items are split at commas, and at white
 * space too unless spaces is set (phone numbers). */
char *tk_list_op(const char *set, const char *items, char op, int spaces);
/* NAME NUL VALUE NUL for each column of v[from..to) that is set. */
void tk_pairs_encode(tk_buf *b, const tk_dcol *cols, char *const *v, size_t from, size_t to);
/* The reverse, into v's owned strings (columns not in the record emptied): 0 or -1. */
int tk_pairs_decode(const void *data, size_t n, const tk_dcol *cols, size_t from, size_t to, char **v,
    const char *what);
/* The columns set, as the assignment language writes them, TAB-separated. */
void tk_pairs_summary(tk_buf *b, const tk_dcol *cols, char *const *v, size_t from, size_t to);

int tk_dcol_lookup(const tk_dcol *cols, size_t ncols, const char *name, size_t n);
/* A letter, then letters, digits, _ - . (org keys, tiers); a domain. */
int tk_dir_word_ok(const char *s);
int tk_domain_ok(const char *d);

typedef struct {
	int col;
	char op;		/* '=' set, '+' add to a set, '-' take out of it */
	char *value;		/* checked and made as kept */
} tk_dasg;
typedef struct {
	tk_dasg *a;
	size_t n, cap;
} tk_dasgs;
/* name=value, +name=value, -name=value, +tag, -tag (DESIGN.md 5): -1
 * with tk_errmsg naming arg (a usage error). */
int tk_dasg_parse(tk_dasgs *as, const tk_dcol *cols, size_t ncols, const char *arg);
/* The same with the parts apart (imports): arg names the input in messages. */
int tk_dasg_add(tk_dasgs *as, const tk_dcol *cols, size_t ncols, const char *arg, const char *name, char op,
    const char *value);
/* The same of column col of cols (its index). */
int tk_dasg_add_col(tk_dasgs *as, const tk_dcol *cols, int col, const char *arg, char op, const char *value);
void tk_dasg_apply(char **v, const tk_dasgs *as, const tk_dcol *cols);
int tk_dasg_has(const tk_dasgs *as, int col);
void tk_dasgs_free(tk_dasgs *as);

/* Filter terms over records: field=a,b field!=a field~re field!~re, and
 * ranges a..b on counts and times; a set matches when an item does,
 * phones by their digits. */
typedef struct tk_dfilter tk_dfilter;
tk_dfilter *tk_dfilter_new(const tk_dcol *cols, size_t ncols);
int tk_dfilter_add(tk_dfilter *f, const char *term);
/* 1 match, 0 not, -1 (a regex gave up) with tk_errmsg. */
int tk_dfilter_match(tk_dfilter *f, char *const *v);
/* The one value of an equality term on col, or NULL: an index may answer. */
const char *tk_dfilter_eq(const tk_dfilter *f, int col);
int tk_dfilter_uses(const tk_dfilter *f, int col);
void tk_dfilter_free(tk_dfilter *f);

/* Listings of records: -o's columns (else defcols) as indexes into cols. */
typedef struct {
	tk_output out;
	int *col, *kinds;
	size_t n;
	long printed;
} tk_drows;
/* -1 with tk_errmsg for an unknown column. */
int tk_drows_init(tk_drows *r, const tk_dcol *cols, size_t ncols, const char *defcols, const char *ocols,
    enum tk_format fmt, int header);
int tk_drows_wants(const tk_drows *r, int col);
void tk_drows_put(tk_drows *r, char *const *v);
void tk_drows_end(tk_drows *r);

/* ---- org.c: organisations ---- */

/* What a directory function returns when it fails: -1 the store or the
 * system (exit 4), TK_DIR_REFUSED the data refuses (3), TK_DIR_BAD a word
 * of the command line is wrong (2); tk_dir_exit gives the exit code. */
#define TK_DIR_REFUSED (-2)
#define TK_DIR_BAD (-3)
int tk_dir_exit(int rc);
/* The store's config (settings.c) for directory code: NULL with tk_errmsg. */
const tk_settings *tk_dir_settings(tk_txn *t);
/* 0 when tier is empty or one of the store's, else TK_DIR_BAD (or
 * TK_DIR_REFUSED for a broken config) with tk_errmsg. */
int tk_tier_check(tk_txn *t, const char *what, const char *tier);
/* 1 when domain d (n bytes) is a free-mail domain or under one. */
int tk_free_mail(const tk_settings *s, const char *d, size_t n);

enum { TK_O_KEY, TK_O_NAME, TK_O_DOMAINS, TK_O_TIER, TK_O_QUEUE, TK_O_TAGS, TK_O_NOTES, TK_O_EXTERNAL_ID,
	TK_O_CREATED, TK_O_CONTACTS, TK_O_TICKETS, TK_O_OPEN, TK_O_NCOLS };
#define TK_O_NSTORED TK_O_CONTACTS	/* the columns after are counted */
extern const tk_dcol tk_org_cols[TK_O_NCOLS];
typedef struct {
	char *v[TK_O_NCOLS];	/* owned, "" when unset */
} tk_org;
void tk_org_init(tk_org *o);
void tk_org_free(tk_org *o);
void tk_org_copy(tk_org *dst, const tk_org *src);
/* 1 found, 0 not, -1 an error. */
int tk_org_get(tk_txn *t, const char *key, tk_org *o);
int tk_org_exists(tk_txn *t, const char *key);
int tk_org_each(tk_txn *t, int (*fn)(tk_txn *, tk_org *, void *), void *arg);
/* "what: no org KEY; did you mean ...": TK_DIR_REFUSED. */
int tk_org_unknown(tk_txn *t, const char *what, const char *key);
/* The org of a domain (the most specific one that has an org; none for
 * a free-mail domain) or of an address's domain: 1 with *key (to free), 0
 * none, -1 an error. */
int tk_org_of_domain(tk_txn *t, const char *dom, size_t n, char **key);
int tk_org_of_address(tk_txn *t, const char *addr, size_t n, char **key);
int tk_org_by_external(tk_txn *t, const char *ext, char **key);
/* o written (new when old is NULL): domains and external id claimed,
 * changes logged under org:KEY. 0 or a TK_DIR_ code. (tk_org_save, in
 * contact.c, also makes the org's contacts' open tickets follow.) */
int tk_org_write(tk_txn *t, tk_org *o, const tk_org *old);
/* What tk_org_write would refuse, said before anything is written. */
int tk_org_check(tk_txn *t, const tk_org *o, const tk_org *old);
int tk_org_remove(tk_txn *t, const tk_org *o);

/* ---- lookup.c: the contact-lookup program ---- */

/* Answers of the program: the fields it gave, "" when not. */
enum { TK_L_NAME, TK_L_PHONE, TK_L_ORG, TK_L_TIER, TK_L_LANG, TK_L_EXTERNAL_ID, TK_L_N };
typedef struct {
	char *v[TK_L_N];
} tk_lookup;
/* Runs program with addr as its only argument (fork and exec, no shell),
 * killed after ms milliseconds: 1 with an answer, 0 it knows nothing
 * (printed no record), -1 it failed (missing, not executable, exit
 * status, killed, garbage) with tk_errmsg. */
int tk_lookup_run(const char *program, const char *addr, long ms, tk_lookup *out);
void tk_lookup_free(tk_lookup *l);

/* ---- contact.c: contacts ---- */

enum { TK_C_ID, TK_C_NAME, TK_C_EMAILS, TK_C_PHONES, TK_C_ORG, TK_C_TIER, TK_C_LANG, TK_C_TZ, TK_C_NOTES,
	TK_C_EXTERNAL_ID, TK_C_CREATED, TK_C_LAST_CONTACT, TK_C_LOOKED_UP, TK_C_MERGED_INTO,
	TK_C_MERGED_EMAILS, TK_C_MERGED_PHONES, TK_C_MERGED_TICKETS, TK_C_TICKETS, TK_C_OPEN, TK_C_NCOLS };
#define TK_C_NSTORED TK_C_TICKETS	/* the columns after are counted */
extern const tk_dcol tk_contact_cols[TK_C_NCOLS];
typedef struct {
	uint64_t id;
	char *v[TK_C_NCOLS];	/* owned, "" when unset; v[TK_C_ID] is "c123" */
} tk_contact;
void tk_contact_init(tk_contact *c);
void tk_contact_free(tk_contact *c);
void tk_contact_copy(tk_contact *dst, const tk_contact *src);
/* "c123": 0 with the id, -1 when s is no contact id. */
int tk_contact_id_parse(const char *s, size_t n, uint64_t *id);
/* 1 found, 0 not, -1 an error. */
int tk_contact_get(tk_txn *t, uint64_t id, tk_contact *c);
/* The contact a word names: c123, an address of it, its external id, or
 * a phone number only it has. 1 with *id, 0 none, -1 an error. */
int tk_contact_find(tk_txn *t, const char *word, uint64_t *id);
int tk_contact_by_address(tk_txn *t, const char *addr, size_t n, uint64_t *id);
int tk_contact_by_external(tk_txn *t, const char *ext, uint64_t *id);
/* The contacts whose phones have these digits (tk_phone_digits with the
 * store's country code), or end in them when the number was written
 * without one: added to ids; -1 an error. */
int tk_contact_by_phone(tk_txn *t, const char *phone, tk_ids *ids);
/* Every contact in id order (merged ones too). */
int tk_contact_each(tk_txn *t, int (*fn)(tk_txn *, tk_contact *, void *), void *arg);
/* The contacts of an org (index contact_org), ascending. */
int tk_contact_of_org(tk_txn *t, const char *org, tk_ids *ids);
/* c written (new when old is NULL: its id given here): its addresses,
 * phones, external id and org membership indexed (an address or external
 * id another contact has is refused), each change logged under c123, and
 * when its org or tier changed its open and paused tickets follow
 * (logged via contact). 0 or a TK_DIR_ code with tk_errmsg. */
int tk_contact_write(tk_txn *t, tk_contact *c, const tk_contact *old);
/* What tk_contact_write would refuse, said before anything is written. */
int tk_contact_check(tk_txn *t, tk_contact *c, const tk_contact *old);
/* Removed, refused while it has tickets (TK_DIR_REFUSED). */
int tk_contact_remove(tk_txn *t, tk_contact *c);
/* The tier a contact's tickets get: its own, else its org's (org: its org
 * record, or NULL). */
const char *tk_contact_tier(const tk_contact *c, const tk_org *org);
/* The tickets of a contact (index ix_contact), ascending. */
int tk_contact_tickets(tk_txn *t, uint64_t id, tk_ids *ids);
/* tk_org_write, and the open and paused tickets of the org's contacts
 * that take its tier follow a new tier. */
int tk_org_save(tk_txn *t, tk_org *o, const tk_org *old);
/* Merge contact a into b (force: even when their orgs differ), and undo
 * it: 0 or a TK_DIR_ code. Tickets moved are counted in *moved. */
int tk_contact_merge(tk_txn *t, uint64_t a, uint64_t b, int force, size_t *moved);
int tk_contact_unmerge(tk_txn *t, uint64_t a, size_t *moved);
/* Does address addr (n bytes) belong to the contact of ticket tk? 1, 0, -1. */
int tk_contact_is_requester(tk_txn *t, const tk_ticket *tk, const char *addr, size_t n);

/* Likely duplicates, each pair once a reason: the same phone digits
 * ("phone"), the same name in one org ("name"), addresses differing by
 * dots or a +tag ("address"); what: the phone, name or mailbox. fn
 * returns non-zero to stop. 0 or -1. */
int tk_contact_dupes(tk_txn *t, int (*fn)(uint64_t a, uint64_t b, const char *why, const char *what, void *arg),
    void *arg);

/* What counts of a contact's or an org's tickets a listing shows. */
typedef struct {
	size_t tickets, open, status[5];	/* status: new, open, pending, resolved, closed */
	char last[21];		/* the newest ticket's created time */
	uint64_t newest;
} tk_cstats;
/* The counts of every contact (indexed by id, n entries, zeroed first)
 * in one pass over ix_contact and the working set. */
int tk_contact_stats_all(tk_txn *t, tk_cstats *st, size_t n);
int tk_contact_stats(tk_txn *t, uint64_t id, tk_cstats *st);
/* The same of an org's tickets (ix_org and the working set). */
int tk_org_tickets(tk_txn *t, const char *org, tk_ids *ids);

/* The customer directory's part of intake (DESIGN.md 2). Installed on
 * a store a command writes (tk_cmd_store): tk_requester_hook. */
void tk_contacts_install(tk_store *st);
/* A bulk reader's part: the requester of a prepared ticket that its
 * snapshot (read txn rt) or this run already knows given its contact,
 * org, tier (and the org's queue and tags): 1 done, 0 left to the writer,
 * -1 an error. */
int tk_contact_intake_known(tk_txn *rt, tk_ticket *tk);
/* Before a bulk run: every address the store holds put in that table at
 * once (one pass over contact_email), so the reader needs no snapshot (rt
 * NULL) and a requester not there is the writer's to find or make. 1
 * done, 0 not (a directory too large: the reader asks its snapshots). */
int tk_contacts_preload(tk_store *st);
/* After a bulk batch's transaction committed: the contacts its writer
 * found or made go in the table, for the tickets of later batches. */
void tk_contacts_committed(void);
/* Before the write transaction: a requester never seen is looked up with
 * the config's contact-lookup program (lookup.c), its answer kept for the
 * contact intake makes. A lookup that fails warns once; never an error. */
void tk_contact_lookup_first(tk_store *st, tk_txn *rt, const char *requester);
/* A lookup's answer taken into contact c, written (tk-contact refresh). */
int tk_contact_refresh(tk_txn *t, tk_contact *c, const tk_lookup *l);
/* Ticket id, made before the directory (no contact), given the contact
 * intake would give its requester now (found, or made), its org and tier,
 * logged with the transaction's via, its updated time kept: 1, 0 nothing
 * to do (it has a contact, or no requester that is an address or a
 * phone), -1 an error. */
int tk_contact_backfill(tk_txn *t, uint64_t id);
/* The line tk-show prints above a ticket (empty when it has no contact). */
void tk_contact_line(tk_txn *t, const tk_ticket *tk, tk_buf *out);

/* ---- cbulk.c: new contacts in bulk (tk-contact import) ---- */

/* A run's state: the keys its batches made, what the current batch keeps
 * to write at its end. Each batch's write transaction calls begin, then
 * for each row find / org_of_address / org_by_external and add (a new
 * contact, checked as tk_contact_write checks it: 0 or a TK_DIR_ code;
 * nothing kept when refused), flush before a row that changes a contact
 * through tk_contact_write (then note it), and end; after its commit,
 * committed. */
typedef struct tk_cbulk tk_cbulk;
tk_cbulk *tk_cbulk_new(void);
void tk_cbulk_free(tk_cbulk *b);
int tk_cbulk_begin(tk_txn *t, tk_cbulk *b);
int tk_cbulk_find(tk_txn *t, tk_cbulk *b, int external, const char *k, size_t n, uint64_t *id);
int tk_cbulk_org_of_address(tk_txn *t, tk_cbulk *b, const char *addr, size_t n, const char **key);
int tk_cbulk_org_by_external(tk_txn *t, tk_cbulk *b, const char *ext, const char **key);
int tk_cbulk_add(tk_txn *t, tk_cbulk *b, tk_contact *c);
int tk_cbulk_flush(tk_txn *t, tk_cbulk *b);
void tk_cbulk_note(tk_cbulk *b, const tk_contact *c);
int tk_cbulk_end(tk_txn *t, tk_cbulk *b);
void tk_cbulk_committed(tk_cbulk *b);

/* ---- dirimport.c: CRM exports into the directory ---- */

typedef struct tk_dimport tk_dimport;
typedef struct {
	int orgs;		/* tk-org import, else tk-contact import */
	const char *preset, *mapping, *encoding;
	int delim;		/* 0: guessed from the header */
	int quiet, progress;
	FILE *rejfp;		/* --rejects: the refused rows, with line and reason */
} tk_dimport_opts;
int tk_dimport_preset_ok(const char *name);
/* NULL with tk_errmsg on a bad preset or mapping (a usage error). */
tk_dimport *tk_dimport_new(int orgs, const char *preset, const char *mapping);
/* The header's columns matched; those left out said in said (NUL after
 * each). -1 with tk_errmsg when no column names the record. */
int tk_dimport_header(tk_dimport *im, char **f, size_t *l, size_t n, tk_buf *said);
void tk_dimport_free(tk_dimport *im);
/* One file (- standard input) imported in batches: its exit status. */
int tk_dimport_file(tk_store *st, const tk_dimport_opts *o, const char *path);

/* ---- profile.c: tk-contact show, tk-org show ---- */

typedef struct {
	size_t tickets, open, status[5];	/* new, open, pending, resolved, closed */
	size_t rated;		/* tickets with a CSAT */
	double csat_mean;
	int has_frt, has_ttr;
	long long frt_median, ttr_median;	/* seconds */
	uint64_t last[10];	/* the newest tickets, newest first */
	size_t nlast;
	char last_created[21];	/* the latest created time of them, "" none */
} tk_profile;
/* The profile of tickets ids (ascending): 0 or -1. */
int tk_profile_of(tk_txn *t, const tk_ids *ids, tk_profile *p);
/* title, the columns v[from..to) of cols that are set, then the
 * profile; or one JSON object with the columns v[0..to) and the counts. */
void tk_profile_print(tk_txn *t, const char *title, const tk_dcol *cols, char *const *v, size_t from, size_t to,
    const tk_profile *p, int json);

/* ---- cstats.c: a contact's summary of its tickets ---- */

/* tk_summary_hook's work (installed by tk_cmd_store with the directory's intake). */
int tk_cstats_hook(tk_txn *t, const tk_str *old, const tk_ticket *tk);
/* The profile of a contact from its summary and its last tickets (read
 * backwards in ix_contact): 1, 0 no ticket, -1 an error. */
int tk_cstats_profile(tk_txn *t, uint64_t contact, tk_profile *p);
/* Every summary made again from the tickets up to id until (schema 16:
 * all, UINT64_MAX; tests: a bulk run cut short). 0 or -1. */
int tk_cstats_rebuild(tk_txn *t, uint64_t until);
/* The tickets past the summaries' mark counted in, in txn t; and the
 * same in a transaction of its own (tk_bulk_end_hook). 0 or -1. */
int tk_cstats_fold(tk_txn *t);
int tk_cstats_fold_store(tk_store *st);

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
 * create (made when missing: only commands about to write), config
 * (tk-config apply: written, its files read as they are) or check
 * (tk-config check: read, its files' problems left to it). Its configuration
 * files are read (tk_config_load: a writer refuses, exit 3, a broken
 * file or files the store disagrees with). */
enum { TK_OPEN_READ, TK_OPEN_WRITE, TK_OPEN_CREATE, TK_OPEN_CONFIG, TK_OPEN_CHECK };
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
/* The same, and a word "-name=value" is an operand too (a removal from a
 * set of tk-contact, tk-org), whatever its letters. */
int tk_getopt_end_assign(int argc, char **argv, const char *shortopts);
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

/* ---- text.c: the words of a text for the full-text index ---- */

/* A word's bytes at most (longer ones are cut at a character). */
#define TK_TEXT_MAXTERM 120
enum { TK_TOK_WORD, TK_TOK_UNI, TK_TOK_BI };
typedef struct {
	uint32_t off, len;	/* the term in tk_tokens.text */
	uint32_t pos;		/* its position: words and CJK characters count one */
	uint32_t src, srcend;	/* the bytes of the text it came from */
	int kind;		/* TK_TOK_WORD, a CJK unigram or bigram */
} tk_token;
typedef struct {
	tk_token *v;
	size_t n, cap;
	tk_buf text;
} tk_tokens;
enum { TK_TEXT_QUERY = 1, TK_TEXT_NOSTEM = 2 };
/* The words of s[0..n) appended to tt, positions from pos: returns the
 * position after the last. TK_TEXT_QUERY: a CJK run of two or more gives
 * its bigrams only. Bytes that are not UTF-8 separate. */
uint32_t tk_text_tokens(tk_tokens *tt, const char *s, size_t n, uint32_t pos, int flags);
void tk_tokens_reset(tk_tokens *tt);
void tk_tokens_free(tk_tokens *tt);
/* The light English stemmer on an ASCII word in place: its new length. */
size_t tk_text_stem(char *w, size_t n);
/* A traditional Han character's simplified form (itself when none). */
int32_t tk_text_fold_han(int32_t c);
/* 1 for a word a query drops when it stands alone (the, 的). */
int tk_text_stop(const char *s, size_t n);

/* ---- kb.c: articles and the full-text index ---- */

typedef struct {
	uint64_t id;
	uint32_t rev;
	char *title, *tags, *author, *created, *updated, *ext, *body;
	size_t bodylen;
} tk_article;
void tk_article_free(tk_article *a);
/* "kb7" -> 7 (and "kb7@2" -> rev 2 when rev is not NULL): 0, or -1. */
int tk_kb_parse_id(const char *s, uint64_t *id, uint32_t *rev);
/* The article (revision rev, 0 for the current): 1 found, 0 not, -1 error. */
int tk_kb_get(tk_txn *t, uint64_t id, uint32_t rev, tk_article *a);
/* Store a new article (a->id 0: a new id, set) or a new revision of
 * a->id, its index entries in the same transaction: 0 or -1. */
int tk_kb_put(tk_txn *t, tk_article *a);
int tk_kb_rm(tk_txn *t, uint64_t id);
/* Each article in id order (fn returns nonzero to stop): 0 or -1. */
int tk_kb_each(tk_txn *t, int (*fn)(tk_article *a, void *arg), void *arg);
/* Revisions of id, oldest first, the current one last. */
int tk_kb_revs(tk_txn *t, uint64_t id, int (*fn)(tk_article *a, void *arg), void *arg);
/* The article an external id (or a row's hash, "#" hex) names: 1, 0, -1. */
int tk_kb_ext_get(tk_txn *t, const char *ext, uint64_t *id);
/* A ticket an article was made from ('f') or used on ('u'). */
int tk_kb_use(tk_txn *t, uint64_t id, uint64_t ticket, int kind);
int tk_kb_uses(tk_txn *t, uint64_t id, int (*fn)(uint64_t ticket, int kind, const char *when, void *arg),
    void *arg);
/* 1 when the comma-separated set tags holds tag. */
int tk_kb_has_tag(const char *tags, const char *tag, size_t n);

/* A search: the query language of tk-kb(1). kind 'a' articles, 't' tickets. */
typedef struct tk_ftq tk_ftq;
/* Parsed from words (joined by spaces): NULL with tk_errmsg when it is
 * empty or has nothing to search for. */
tk_ftq *tk_ftq_parse(char **words, int nwords);
void tk_ftq_free(tk_ftq *q);
typedef struct {
	uint64_t id;
	double score;
} tk_fthit;
/* Ranked hits, best first, at most max (0: all): the count, or -1. */
long tk_ft_search(tk_txn *t, int kind, tk_ftq *q, size_t max, tk_fthit **hits);
/* The snippet of text around the query's first match: the match between
 * on and off. */
void tk_ft_snippet(tk_ftq *q, const char *s, size_t n, const char *on, const char *off, tk_buf *out);
/* 1 when text (a ticket's own) matches the query, without the index. */
int tk_ft_match_text(tk_ftq *q, const char *title, size_t tn, const char *body, size_t bn);
/* The terms of a text by weight (tf-idf against the articles), best
 * first, at most max, joined by spaces into out. */
int tk_ft_top_terms(tk_txn *t, int kind, const char *title, size_t tn, const char *body, size_t bn,
    size_t max, tk_buf *out);
/* Index doc id of kind with its title and body (replacing what it had). */
int tk_ft_index(tk_txn *t, int kind, uint64_t id, const char *title, size_t tn, const char *body, size_t bn,
    const char *tags);
/* The entries of the text the doc was indexed with, taken out. */
int tk_ft_unindex(tk_txn *t, int kind, uint64_t id, const char *title, size_t tn, const char *body, size_t bn,
    const char *tags);
/* Index changes gathered so far written (each add and rm calls it unless
 * the transaction is a bulk one: then at its commit). */
int tk_ft_flush(tk_txn *t);
/* What is gathered and not yet written dropped (a transaction run again). */
void tk_ft_discard(void);
/* on: tk_kb_put leaves the flush to its caller (tk-kb import's batches). */
void tk_ft_defer(int on);
/* Docs of kind indexed, and the index's bytes (for tk-kb stats). */
int tk_ft_stats(tk_txn *t, int kind, uint64_t *ndocs);
/* The ticket index (kind 't'): a ticket's text (subject; body and comments
 * in out), the pending tickets indexed (all, or only once there are a
 * batch of them), every ticket indexed afresh (tk-kb reindex). */
int tk_ft_ticket_text(tk_txn *t, tk_ticket *tk, tk_buf *out);
int tk_ft_drain(tk_txn *t, int all);
int tk_ft_reindex_tickets(tk_store *st, uint64_t *count);
/* Ids of the documents matching every positive group (no OR fallback),
 * ascending; the count, or -1 with tk_errmsg. */
/* Ranked like tk_ft_search, but any positive group is enough (similar tickets). */
long tk_ft_search_any(tk_txn *t, int kind, tk_ftq *q, size_t max, tk_fthit **hits);
long tk_ft_ids(tk_txn *t, int kind, tk_ftq *q, uint64_t **ids);
/* The tickets listed in ft_pending, ascending. */
long tk_ft_pending_ids(tk_txn *t, uint64_t **ids);

#endif
