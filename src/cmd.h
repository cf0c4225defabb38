/*
 * cmd.h - the command table. Every subcommand of the bienmuc binary is a
 * line in commands.def and a handler `int cmd_NAME(int argc, char **argv)`
 * in src/cmd-NAME.c; argv[0] is the command name.
 *
 * Exit status convention for every handler:
 *   0  success, nothing rejected
 *   1  done, but some records were rejected / findings reported
 *   2  usage error or I/O error (nothing or little done)
 *   3  internal error
 */
#ifndef BIENMUC_CMD_H
#define BIENMUC_CMD_H

#include "util.h"

#define CMD(name, summary) int cmd_##name(int argc, char **argv);
#include "commands.def"
#undef CMD

struct cmd_entry {
	const char *name;
	int (*exec)(int argc, char **argv);
	const char *summary;
};

extern const struct cmd_entry bm_commands[];
const struct cmd_entry *cmd_lookup(const char *name);

/* "bienmuc: CMD: message" on stderr, one line. */
void cmd_error(const char *cmd, const char *fmt, ...) BM_PRINTF(2, 3);
/* "bienmuc: CMD: warning: message" on stderr. */
void cmd_warn(const char *cmd, const char *fmt, ...) BM_PRINTF(2, 3);

/* The reader's warnings about the records of a run (convert, import):
 * "bienmuc: CMD: FILE: record N (byte B): warning: TEXT" (or "(byte B of
 * the unpacked data)" for a gzip file, see unpacked) for the first
 * CMD_WARN_RECORDS records that have any, after that only counted, and
 * none when quiet. cmd_record_warnings_end() says how many were not
 * shown (not when quiet). text(src, i) gives warning i of n. */
#define CMD_WARN_RECORDS 100
struct cmd_warnings {
	const char *cmd;
	int quiet;
	int unpacked;         /* the file is gzip: B is a byte of the data inside
	                         it, and the message says so (input.h) */
	long records, hidden;
};
void cmd_record_warnings(struct cmd_warnings *w, const char *file, long recno, long long off,
                         size_t n, const char *(*text)(const void *src, size_t i),
                         const void *src);
void cmd_record_warnings_end(const struct cmd_warnings *w);

/* An output file that is written whole or not at all (export -o,
 * labels -o, convert -o, :export, :saveform): a regular file, or a new
 * one, is written as NAME.part.PID (this process's own, so two runs
 * writing NAME at once never mix) and renamed to NAME only when
 * cmd_output_close(o, 1) has flushed and synced it, so a run killed or
 * stopped by an error never leaves a partial NAME. SIGINT, SIGTERM and
 * SIGHUP (where nothing else handles them) remove the .part file before
 * the process dies of them; that of a run killed otherwise (kill -9, a
 * power cut) says what it is, and is removed when NAME is next opened:
 * the .part file is locked (flock) while it is written, and a
 * NAME.part.PID or NAME.part.PID.N beside NAME that nobody holds locked
 * and whose process is gone is such a leftover.
 * Through a symbolic link, the file it names is replaced (made when the
 * link leads to no file yet; a loop: ELOOP); a replaced file
 * keeps its permissions. Anything else (/dev/null, a pipe, a terminal) is
 * written directly, as is a file we may write in a folder where we may
 * not make the .part file; /dev/stdout, /dev/stderr, /dev/fd/N and
 * /proc/self/fd/N through a duplicate of that descriptor (appending where
 * the shell's >> does, after what the process wrote there). cmd_output_open returns NULL with errno set;
 * cmd_output_close returns 0, or -1 with errno set, and with keep 0 (or
 * on failure) removes the .part file, leaving NAME as it was. */
struct cmd_output {
	FILE *fp;
	char *name, *part;
	const char *warn;     /* set by the caller: the command name for a
	                       * leftover .part that cannot be removed,
	                       * "bienmuc: WARN: cannot remove 'X' (left by
	                       * ...): why" on stderr; NULL: nothing said */
};
FILE *cmd_output_open(struct cmd_output *o, const char *name);
int cmd_output_close(struct cmd_output *o, int keep);
/* Why cmd_output_open failed: strerror(e), or for EEXIST that NAME is a
 * catalogue (an SQLite database), which it never writes over (export -o
 * with the catalogue's own name destroyed it). */
const char *cmd_output_strerror(int e);
/* Say that the output could not be written, in one wording everywhere:
 * "bienmuc: CMD: cannot write 'PATH': why", or for standard output (path
 * NULL) "bienmuc: CMD: cannot write the output: why". e: the errno (0:
 * "write error"). */
void cmd_write_failed(const char *cmd, const char *path, int e);
/* PATH is a file that begins as an SQLite database does: a catalogue. */
int cmd_is_catalogue(const char *path);
/* fopen(path, mode) for an output (a report, a rejects file), but NULL
 * with errno EEXIST (cmd_output_strerror) when PATH is a catalogue. */
FILE *cmd_fopen_out(const char *path, const char *mode);
/* Finish an output opened with cmd_fopen_out (or stdout, which stays
 * open): flush, then close. 0, or -1 with errno set when any of what was
 * written may be missing. */
int cmd_fclose_out(FILE *fp);

/* True if argv holds -h or --help before a "--". */
int cmd_wants_help(int argc, char **argv);

#define BM_VERSION "0.1.0"

#endif
