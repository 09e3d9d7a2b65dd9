/*
 * tk-base.h - the ground of libtk: what every layer uses (tk.h says the layers).
 *
 * Errors, memory, buffers and UTF-8 (util.c), addresses (address.c), mail
 * header fields (mime.c), records (record.c), the configuration reader
 * (config.c), statuses and their classes (status.c), the store's config
 * file (settings.c), business-hours calendars (calendar.c), times
 * (timeutil.c), ids from arguments or stdin (ids.c), the words of a text
 * (text.c).
 */
#ifndef TK_BASE_H
#define TK_BASE_H



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
/* n bytes, zeroed; from 2 MiB on mapped with MADV_HUGEPAGE (2 MiB pages
 * where the kernel has them: one fault, one TLB entry for 512 small
 * pages). Freed by tk_huge_free with the same n. Dies when out of memory. */
void *tk_huge_alloc(size_t n);
void tk_huge_free(void *p, size_t n);
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
/* v in decimal in buf (len bytes, NUL after); its length, 0 when it does not fit. */
size_t tk_u64_dec(char *buf, size_t len, uint64_t v);
/* The value of custom field name among n custom fields (a ticket's, or
 * as they were before a change), empty when none. */
struct tk_custom;
tk_str tk_custom_value(const struct tk_custom *c, size_t n, tk_str name);
int tk_str_same(tk_str a, tk_str b);

typedef struct {
	char *p;
	size_t len, cap;
} tk_buf;
void tk_buf_add(tk_buf *b, const void *p, size_t n);
void tk_buf_room(tk_buf *b, size_t n);	/* room for n more bytes (and the NUL) */
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
int tk_getent_name(const char *db, unsigned long id, char *name, size_t size);

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
	char **org_reply;	/* mail-org-replies: queues ("*": all) where the org's people thread by tag */
	size_t norg_reply;
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
/* 1 when a [tk #N] mail from anyone of a ticket's org may thread into a
 * ticket of queue (mail-org-replies), else 0. */
int tk_settings_org_replies(const tk_settings *s, tk_str queue);
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

/* ---- text.c: the words of a text for the full-text index ---- */

/* A word's bytes at most (longer ones are cut at a character). */
#define TK_TEXT_MAXTERM 120
/* 1 for a character written without spaces between words (Han, kana,
 * Hangul syllables): text.c makes its runs bigrams. */
int tk_text_is_cjk(int32_t c);
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
enum { TK_TEXT_QUERY = 1, TK_TEXT_NOSTEM = 2, TK_TEXT_INDEX = 4 };
/* The words of s[0..n) appended to tt, positions from pos: returns the
 * position after the last. TK_TEXT_QUERY: a CJK run of two or more gives
 * its bigrams only. TK_TEXT_INDEX: a CJK character's unigram only where
 * no bigram starts at it (a run's last; the index finds a character as
 * the first of the bigrams it starts). Bytes that are not UTF-8 separate. */
uint32_t tk_text_tokens(tk_tokens *tt, const char *s, size_t n, uint32_t pos, int flags);
void tk_tokens_reset(tk_tokens *tt);
void tk_tokens_free(tk_tokens *tt);
/* The light English stemmer on an ASCII word in place: its new length. */
size_t tk_text_stem(char *w, size_t n);
/* A traditional Han character's simplified form (itself when none). */
int32_t tk_text_fold_han(int32_t c);
/* 1 for a word a query drops when it stands alone (the, 的). */
int tk_text_stop(const char *s, size_t n);

#endif
