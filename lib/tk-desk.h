/*
 * tk-desk.h - what stands on the ticket model (tk.h says the layers): the
 * fields and workflow files and the configuration as commands see it,
 * filters and output, imports, links, mail, agents and assignment, rules,
 * notices, SLA, the customer directory, the knowledge base and full text,
 * upgrades, and what every command does alike (cmd.c).
 */
#ifndef TK_DESK_H
#define TK_DESK_H

#include "tk-model.h"

/* ---- reply.c: replies and notes with their effects ---- */

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

/* ---- script.c: the derived field script ---- */

/* The subject and this much of the body say a ticket's script. */
#define TK_SCRIPT_WINDOW 4096
/* "han", "latin" or "mixed" from the share of Han letters in the subject
 * and the body's first TK_SCRIPT_WINDOW bytes (script.c says how); "" when
 * they hold no letter. */
const char *tk_script(const char *subject, size_t sn, const char *body, size_t bn);

/* ---- fields.c: the field names a store knows, its fields file ---- */

/* Errors of a configuration file kept to be told together (tk-config
 * check), a line each; a loader given none stops at the first. */
typedef struct {
	tk_buf msgs;
	size_t n;
} tk_conf_errs;

/* A condition (the fields file's "in", the workflow's "match"): filter
 * terms of tk-ls(1), all of which hold, on stored and custom fields only.
 * add: 0, or -1 with tk_errmsg. */
typedef struct {
	struct tk_filter *q;
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
/* How a declared custom field's values compare in a range (tk-ls
 * seats=2..10, ship_date<3d): 'i' whole numbers, 'n' numbers, 'd' dates,
 * 't' times of day; 0 for any other type or an undeclared name. */
int tk_fields_kind(const char *name);
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
/* tk_filter_shared(q, 1): q is matched from several threads at once (a
 * condition of the fields file in a bulk command's readers): each regex
 * match gets match data of its own. */
void tk_filter_shared(tk_filter *q, int on);
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
/* -F's word (one character, "tab" or "\\t"): the delimiter, or -1 with tk_errmsg. */
int tk_csv_delim(const char *arg);
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
/* Every value of as that the store's configuration refuses: 0, or with
 * tk_errmsg -1 for a status it does not have (a malformed word, exit 2),
 * -2 for a value a declared type or the types refuse (the data's
 * refusal, exit 3: DESIGN.md 9). */
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

/* A directory record's values (a contact's, an org's: n of them, owned):
 * each made "", freed, or copied over from src. */
void tk_dvals_init(char **v, size_t n);
void tk_dvals_free(char **v, size_t n);
void tk_dvals_copy(char **dst, char *const *src, size_t n);
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
/* 1 when value (not empty) is a value of c's kind (one of the scalar
 * ones: a word, a language tag, an ISO 8601 UTC time, text not blank)
 * exactly as it is kept; 0 when tk_dasg_add_col would change it or
 * refuse it (then it says why), and for sets. */
int tk_dval_kept(const tk_dcol *c, const char *value);

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
 * that take its tier follow a new tier; an org that gains domains takes
 * the contacts with no org whose addresses are now its (*adopted of
 * them, when adopted is not NULL), and their open tickets follow. */
int tk_org_save(tk_txn *t, tk_org *o, const tk_org *old, size_t *adopted);
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
int tk_cbulk_add_v(tk_txn *t, tk_cbulk *b, const char *const *v, uint64_t *id);
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
/* Every summary made again from the tickets up to id until (schema 18:
 * all, UINT64_MAX; tests: a bulk run cut short). 0 or -1. */
int tk_cstats_rebuild(tk_txn *t, uint64_t until);
/* The tickets past the summaries' mark counted in, in txn t; and the
 * same in a transaction of its own (tk_bulk_end_hook). 0 or -1. */
int tk_cstats_fold(tk_txn *t);
int tk_cstats_fold_store(tk_store *st);
/* The line tk-show prints above a ticket (empty when it has no contact):
 * from the contact's summary, not its every ticket. */
void tk_contact_line(tk_txn *t, const tk_ticket *tk, tk_buf *out);

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
void tk_cmd_bulk_memory(void);	/* a bulk run: malloc in huge pages (cmd.c) */
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
/* A document's index entries made apart from the store: any thread may
 * prepare one (a bulk import prepares its articles in threads of their
 * own) and the writer then stores it with tk_kb_put_doc. */
typedef struct {
	tk_buf b;	/* per term: u8 key length, key, u64 hash, u32 payload length, payload */
	size_t n;	/* terms */
	uint64_t dl;	/* the document's length for BM25 */
	int kind;
} tk_ftdoc;
void tk_ft_prepare(tk_ftdoc *d, int kind, const char *title, size_t tn, const char *body, size_t bn,
    const char *tags);
void tk_ftdoc_free(tk_ftdoc *d);
/* The calling thread's scratch for tk_ft_prepare freed: a thread that
 * prepared documents calls it before it ends. */
void tk_ft_scratch_free(void);
/* tk_kb_put with the article's entries prepared (d of its title, body and
 * tags; NULL: made here). */
int tk_kb_put_doc(tk_txn *t, tk_article *a, const tk_ftdoc *d);
/* kbimport.c: tk-kb import of fp (named name; CSV or TSV with a header),
 * bodies of at most maxbody bytes, into the store open(arg) gives at the
 * first batch with a row (*st set to it, or NULL): n[] the rows added,
 * changed, unchanged and refused (each refusal warned of). 0, or an exit
 * code with tk_errmsg. */
int tk_kb_import(FILE *fp, const char *name, size_t maxbody, tk_store *(*open)(void *arg), void *arg, tk_store **st,
    long n[4]);
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
/* What ft_pending lists: its single tickets (ascending; the count, or -1)
 * and its ranges (lo, hi pairs, nranges of them). */
long tk_ft_pending(tk_txn *t, uint64_t **ids, uint64_t **ranges, size_t *nranges);
/* 1 when the index's answer for tickets is the query's (no phrase or CJK
 * run of three or more characters: tickets keep no positions). */
int tk_ftq_exact(const tk_ftq *q);
/* 1 when the subject and body alone prove that a ticket the index answered
 * matches (each phrase found as it is written); 0: read its whole text. */
int tk_ft_quick(const tk_ftq *q, const char *subj, size_t sn, const char *body, size_t bn);
/* The ticket index's hooks (tk_store's ft_new, ft_touch, ft_committed,
 * ft_finish), a reading back of tickets from..(max of them) into it (next:
 * the id after the last), and its ticket side emptied. */
int tk_ft_bulk_new(tk_txn *t, uint64_t id, const char *subj, size_t sn, const char *body, size_t bn);
int tk_ft_touch(tk_txn *t, uint64_t id, int grow);
void tk_ft_committed(tk_txn *t);
void tk_ft_aborted(tk_txn *t);
int tk_ft_finish(tk_store *st);
long tk_ft_index_tickets(tk_txn *t, uint64_t from, size_t max, uint64_t *next);
int tk_ft_tickets_clear(tk_txn *t);
/* The articles' side of fulltext built again from the articles (the
 * upgrade to schema 19): 0, or -1. */
int tk_ft_articles_rebuild(tk_txn *t);
void tk_ft_inv_free(void);

#endif
