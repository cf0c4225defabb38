/*
 * cmd.c - the command table (built from commands.def) and the helpers
 * every command uses for its messages. Kept apart from main.c so that
 * tests and fuzz targets can link everything but main().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "cmd.h"
#include "i18n.h"
#include "util.h"

#define CMD(name, summary) { #name, cmd_##name, summary },
const struct cmd_entry bm_commands[] = {
#include "commands.def"
	{ NULL, NULL, NULL },
};
#undef CMD

const struct cmd_entry *cmd_lookup(const char *name)
{
	for (const struct cmd_entry *c = bm_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void vmsg(const char *cmd, const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", bm_progname);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	if (kind)
		fprintf(stderr, "%s: ", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cmd_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(cmd, NULL, fmt, ap);
	va_end(ap);
}

void cmd_warn(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(cmd, _("warning"), fmt, ap);
	va_end(ap);
}

void cmd_record_warnings(struct cmd_warnings *w, const char *file, long recno, long long off,
                         size_t n, const char *(*text)(const void *src, size_t i),
                         const void *src)
{
	if (!n)
		return;
	if (w->quiet || w->records >= CMD_WARN_RECORDS) {
		w->hidden += (long)n;
		return;
	}
	w->records++;
	for (size_t i = 0; i < n; i++) {
		if (w->unpacked)
			/* TRANSLATORS: a gzip file: the byte is one of the data
			 * inside it, not of the file itself */
			cmd_error(w->cmd, _("%s: record %ld (byte %lld of the unpacked data): "
			          "warning: %s"), file, recno, off, text(src, i));
		else
			cmd_error(w->cmd, _("%s: record %ld (byte %lld): warning: %s"), file, recno,
			          off, text(src, i));
	}
	if (w->records == CMD_WARN_RECORDS)
		cmd_warn(w->cmd, _("further warnings are not shown (the summary counts them)"));
}

void cmd_record_warnings_end(const struct cmd_warnings *w)
{
	if (w->hidden > 0 && !w->quiet)
		cmd_error(w->cmd, _("%ld more warnings not shown"), w->hidden);
}

int cmd_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

/* see cmd.h */
int cmd_is_catalogue(const char *path)
{
	char head[16] = { 0 };
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return 0;
	size_t n = fread(head, 1, sizeof head, fp);
	fclose(fp);
	return n == sizeof head && !memcmp(head, "SQLite format 3", 16);
}

FILE *cmd_fopen_out(const char *path, const char *mode)
{
	if (cmd_is_catalogue(path)) {
		errno = EEXIST;
		return NULL;
	}
	return fopen(path, mode);
}

int cmd_fclose_out(FILE *fp)
{
	int bad = fflush(fp) || ferror(fp);
	int e = errno;
	if (fp != stdout && fclose(fp) && !bad) {
		bad = 1;
		e = errno;
	}
	errno = e;
	return bad ? -1 : 0;
}

void cmd_write_failed(const char *cmd, const char *path, int e)
{
	const char *why = e ? strerror(e) : _("write error");
	if (path)
		cmd_error(cmd, _("cannot write '%s': %s"), path, why);
	else
		cmd_error(cmd, _("cannot write the output: %s"), why);
}

const char *cmd_output_strerror(int e)
{
	return e == EEXIST ? _("it is a catalogue (an SQLite database); nothing is written over one")
	                   : strerror(e);
}

/* The .part file being written, removed when the run is interrupted
 * (SIGINT, SIGTERM, SIGHUP where nothing else handles them): a ^C leaves
 * no NAME.part.PID behind. One at a time; a second output opened while
 * one is pending is only removed by cmd_output_close. */
static char *volatile part_pending;
static const int part_signals[] = { SIGINT, SIGTERM, SIGHUP };
static int part_caught[sizeof part_signals / sizeof *part_signals];

static void part_on_signal(int sig)
{
	char *p = part_pending;
	if (p)
		unlink(p);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void part_watch(char *part)
{
	if (part_pending)
		return;
	part_pending = part;
	for (size_t i = 0; i < sizeof part_signals / sizeof *part_signals; i++) {
		struct sigaction old;
		part_caught[i] = sigaction(part_signals[i], NULL, &old) == 0 &&
		                 !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL;
		if (part_caught[i])
			signal(part_signals[i], part_on_signal);
	}
}

static void part_unwatch(const char *part)
{
	if (!part || part_pending != part)
		return;
	for (size_t i = 0; i < sizeof part_signals / sizeof *part_signals; i++)
		if (part_caught[i])
			signal(part_signals[i], SIG_DFL);
	part_pending = NULL;
}

/* The process number of `entry` when it is BASE.part.PID or
 * BASE.part.PID.N (digits only), else 0. */
static long part_leftover_pid(const char *entry, const char *base)
{
	size_t bl = strlen(base);
	if (strncmp(entry, base, bl) || strncmp(entry + bl, ".part.", 6))
		return 0;
	const char *p = entry + bl + 6, *d = p;
	long pid = 0;
	for (; *p >= '0' && *p <= '9'; p++)
		if (pid < 100000000)
			pid = pid * 10 + (*p - '0');
	if (p == d)
		return 0;
	if (*p == '.') {
		const char *n = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == n)
			return 0;
	}
	return *p || pid <= 0 ? 0 : pid;
}

/* Remove what runs killed outright (kill -9, a power cut) left of NAME:
 * NAME.part.PID[.N] in NAME's folder, a regular file whose writer is
 * gone. A writer holds flock(LOCK_EX) on its .part for as long as it
 * writes (part_create), and the lock goes with the process, so one we can
 * lock is nobody's; one whose process still runs here is left alone too
 * (it may have made the file and not locked it yet). The first one that
 * cannot be removed is said on stderr when o->warn names the command;
 * the output goes on regardless. */
static void part_sweep(struct cmd_output *o)
{
	const char *slash = strrchr(o->name, '/');
	char *dir = slash ? xstrndup(o->name, (size_t)(slash - o->name) + 1) : xstrdup(".");
	const char *base = slash ? slash + 1 : o->name;
	DIR *d = *base ? opendir(dir) : NULL;
	struct dirent *de;
	int warned = 0;
	strbuf path = STRBUF_INIT;
	while (d && (de = readdir(d))) {
		long pid = part_leftover_pid(de->d_name, base);
		if (!pid || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;                      /* not one, or its process runs */
		sb_reset(&path);
		sb_addf(&path, "%s%s", slash ? dir : "", de->d_name);
		struct stat st;
		int fd = open(path.buf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) || !S_ISREG(st.st_mode) || flock(fd, LOCK_EX | LOCK_NB)) {
			close(fd);                     /* being written: not a leftover */
			continue;
		}
		int e = unlink(path.buf) ? errno : 0;
		close(fd);
		if (e && e != ENOENT && o->warn && !warned++)
			cmd_error(o->warn, _("cannot remove '%s' (left by an earlier run that was killed): %s"),
			          path.buf, strerror(e));
	}
	if (d)
		closedir(d);
	sb_release(&path);
	free(dir);
}

/* A new NAME.part.PID (NAME.part.PID.N when a run of an earlier process
 * with the same number left one): its own file for each process, so two
 * runs writing the same NAME at once never write into each other's. It
 * stays locked (flock) until closed, so part_sweep knows it is no
 * leftover. */
static FILE *part_create(struct cmd_output *o)
{
	strbuf p = STRBUF_INIT;
	int fd = -1;
	for (int n = 0; n < 100; n++) {
		sb_reset(&p);
		sb_addf(&p, "%s.part.%ld", o->name, (long)getpid());
		if (n)
			sb_addf(&p, ".%d", n);
		fd = open(p.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	/* a file system without locks: written all the same (a sweep spares
	 * it while this process runs) */
	while (fd >= 0 && flock(fd, LOCK_EX) && errno == EINTR)
		;
	FILE *fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!fp) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(p.buf);
		}
		sb_release(&p);
		errno = e;
		return NULL;
	}
	o->part = sb_detach(&p, NULL);
	return fp;
}

/* The descriptor NAME stands for: /dev/stdout, /dev/stderr, /dev/fd/N,
 * /proc/self/fd/N; else -1. */
static int fd_name(const char *name)
{
	if (!strcmp(name, "/dev/stdout"))
		return 1;
	if (!strcmp(name, "/dev/stderr"))
		return 2;
	const char *p = !strncmp(name, "/dev/fd/", 8) ? name + 8
	              : !strncmp(name, "/proc/self/fd/", 14) ? name + 14 : NULL;
	if (!p || *p < '0' || *p > '9')
		return -1;
	long n = 0;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((n = n * 10 + (*p - '0')) > INT_MAX)
			return -1;
	return *p ? -1 : (int)n;
}

/* The file a symbolic link that names no file yet leads to (the link
 * followed, relative to its folder, until a name that is not a link),
 * or NULL (a loop). */
static char *link_target(const char *name)
{
	char *cur = xstrdup(name);
	for (int i = 0; i < 40; i++) {
		struct stat ls;
		if (lstat(cur, &ls) || !S_ISLNK(ls.st_mode))
			return cur;
		strbuf t = STRBUF_INIT;
		char buf[PATH_MAX];
		ssize_t n = readlink(cur, buf, sizeof buf - 1);
		if (n <= 0)
			break;
		buf[n] = '\0';
		const char *slash = strrchr(cur, '/');
		if (buf[0] != '/' && slash)
			sb_add(&t, cur, (size_t)(slash - cur) + 1);
		sb_add(&t, buf, (size_t)n);
		free(cur);
		cur = sb_detach(&t, NULL);
	}
	free(cur);
	errno = ELOOP;
	return NULL;
}

/* see cmd.h */
FILE *cmd_output_open(struct cmd_output *o, const char *name)
{
	struct stat st, lst;
	o->name = NULL;
	o->part = NULL;
	if (!*name) {                   /* -o '': refused before anything is read */
		errno = ENOENT;
		return NULL;
	}
	/* an open descriptor (-o /dev/stdout > FILE, >> FILE): written through
	 * it, after what the shell or the run wrote there; opened by name, the
	 * file would be emptied or replaced */
	int fd = fd_name(name);
	if (fd >= 0 && fcntl(fd, F_GETFD) != -1) {
		fflush(stdout);                        /* what went there first stays first */
		int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		o->fp = d >= 0 ? fdopen(d, "wb") : NULL;
		if (!o->fp) {
			int e = errno;
			if (d >= 0)
				close(d);
			errno = e;
			return NULL;
		}
		o->name = xstrdup(name);
		return o->fp;
	}
	/* through a symbolic link: the file it names is replaced, not the link */
	if (lstat(name, &lst) == 0 && S_ISLNK(lst.st_mode)) {
		o->name = realpath(name, NULL);
		if (!o->name && errno == ENOENT)
			o->name = link_target(name);
		if (!o->name) {                        /* a loop: not the link replaced */
			o->fp = NULL;
			errno = errno ? errno : ELOOP;
			return NULL;
		}
	}
	if (!o->name)
		o->name = xstrdup(name);
	int exists = stat(o->name, &st) == 0;
	if (exists && S_ISREG(st.st_mode) && cmd_is_catalogue(o->name)) {
		free(o->name);
		o->name = NULL;
		o->fp = NULL;
		errno = EEXIST;                        /* see cmd_output_strerror */
		return NULL;
	}
	o->fp = NULL;
	if (!exists || S_ISREG(st.st_mode)) {
		part_sweep(o);
		o->fp = part_create(o);
		if (!o->fp && exists && (errno == EACCES || errno == EPERM || errno == EROFS))
			/* a file we may write in a folder we may not: in place, as before */
			o->fp = fopen(o->name, "wb");
		else if (o->fp && exists) {            /* the replaced file's owner and permissions */
			/* root writing over a cataloguer's file leaves it theirs; anyone
			 * else cannot give a file away (EPERM), so it becomes theirs,
			 * as a new file would */
			if (st.st_uid != geteuid() || st.st_gid != getegid())
				(void)!fchown(fileno(o->fp), st.st_uid, st.st_gid);
			(void)fchmod(fileno(o->fp), st.st_mode & 07777);
		}
	} else
		o->fp = fopen(o->name, "wb");
	if (!o->fp) {
		int e = errno;
		free(o->name);
		free(o->part);
		o->name = o->part = NULL;
		errno = e;
	} else if (o->part)
		part_watch(o->part);
	return o->fp;
}

int cmd_output_close(struct cmd_output *o, int keep)
{
	int rc = 0, e = 0;
	if (!o->fp)
		return 0;
	if (keep && (fflush(o->fp) || ferror(o->fp) || (o->part && fsync(fileno(o->fp))))) {
		e = errno;
		rc = -1;
	}
	if (fclose(o->fp) && !rc) {
		e = errno;
		rc = -1;
	}
	o->fp = NULL;
	if (o->part) {
		if (keep && !rc && rename(o->part, o->name)) {
			e = errno;
			rc = -1;
		}
		if (!keep || rc)
			unlink(o->part);
		part_unwatch(o->part);             /* after: a signal now finds nothing */
	}
	free(o->name);
	free(o->part);
	o->name = o->part = NULL;
	errno = e;
	return rc;
}
