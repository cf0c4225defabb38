/*
 * store-ckpt.h - copies a catalogue's write-ahead log into the database
 * file on a thread of its own while a bulk import writes (store.c; part
 * of the store module).
 *
 * In WAL mode every page a transaction changes is appended to FILE-wal;
 * a checkpoint copies the committed pages into FILE and syncs it. The
 * writer makes one itself when the log passes wal_autocheckpoint pages,
 * and the last connection to close makes one of the rest: at that time
 * the writer copies and syncs everything written since the last one
 * (0.2 s of a 2.5 s 100k-record import, more at 1M). With a second
 * processor, this thread copies each commit's pages while the writer
 * goes on (a PASSIVE checkpoint: it never blocks the writer nor waits
 * for it); the writer's own checkpoints then find only the pages of the
 * last transaction left to copy. The writer's checkpoints stay as they
 * are: they start the log again from its beginning, which only a
 * checkpoint that has caught up with the writer can allow (so the log
 * grows no bigger than it did before).
 */
#ifndef BIENMUC_STORE_CKPT_H
#define BIENMUC_STORE_CKPT_H

typedef struct store_ckpt store_ckpt;

/* Start checkpointing the catalogue at path in the background, on a
 * connection of its own. NULL when the machine has one processor
 * (or BIENMUC_IMPORT_THREADS=1) or when the connection or thread cannot
 * be made: nothing changes then, the writer's own checkpoints do it all. */
store_ckpt *store_ckpt_start(const char *path);

/* A commit has been made: copy its pages soon. Accepts NULL. */
void store_ckpt_kick(store_ckpt *c);

/* Stop, after a checkpoint for the last kick (if not done yet); close and
 * free. Accepts NULL. A PASSIVE checkpoint copies no further than what
 * the writer's open transaction, if any, began from: the rest is left to
 * the writer's own checkpoints (or its closing), as is whatever was
 * committed after the last kick. */
void store_ckpt_stop(store_ckpt *c);

#endif
