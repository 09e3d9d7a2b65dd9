/*
 * tk.h - libtk, the code every tk command shares: one header to include,
 * made of four by layer: tk-base.h (ground), tk-store.h (store),
 * tk-model.h (model), tk-desk.h (above it).
 *
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

#include "tk-desk.h"

#endif
