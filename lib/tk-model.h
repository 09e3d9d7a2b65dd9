/*
 * tk-model.h - the ticket model of libtk (ticket.c; tk.h says the layers):
 * the fields, the ticket and its encoding, the assignment language, writes
 * with their indexes and events, and the hooks through which the layers
 * above it are asked.
 */
#ifndef TK_MODEL_H
#define TK_MODEL_H

#include "tk-store.h"

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

typedef struct tk_custom {
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
	/* The filter language's questions (query.c sits below the fields
	 * file, whose conditions are filters): how custom field name compares
	 * in a range (tk_fields_kind), and whether a custom name may be
	 * asked for (tk_field_check). */
	int (*kind)(const char *name);
	int (*field_check)(tk_store *st, tk_txn *t, const char *what, const char *name);
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

#endif
