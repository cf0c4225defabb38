/*
 * cmd-serve.c - `bienmuc serve`: share a catalogue over Z39.50 and SRU
 * on one port (yaz GFS; see server.c). Writes its GFS configuration
 * (listener, CQL index map, SRU explain record) into a private temporary
 * folder, then hands over to statserv_main.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <unistd.h>
#include <signal.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>

#include <yaz/comstack.h>

#include "cmd.h"
#include "i18n.h"
#include "catalog.h"
#include "server.h"
#include "users.h"

static const char usage_text[] = N_(
	"usage: bienmuc serve [-d DB] [-l ADDRESS] [options]\n"
	"\n"
	"Serve the catalogue over Z39.50 and SRU on one port. Anyone may search;\n"
	"updates (Z39.50 Extended Services Update, SRU Update) need a user of the\n"
	"users file (see bienmuc passwd).\n"
	"  -d, --db FILE          catalogue (default $BIENMUC_DB or ~/.local/share/bienmuc/catalog.db)\n"
	"  -l, --listen ADDRESS   where to listen (default tcp:127.0.0.1:2100; tcp:@:2100 = all)\n"
	"      --database NAME    database name clients use (default catalog)\n"
	"      --users FILE       users file (default $BIENMUC_USERS or ~/.config/bienmuc/users)\n"
	"      --config FILE      settings file (listen=, database=, users=, log=, read-only=)\n"
	"      --read-only        refuse all updates\n"
	"      --estimate-hits    on a large catalogue, answer broad searches with an\n"
	"                         estimated hit count (flagged as such; much faster)\n"
	"      --log FILE         log file (default standard error)\n"
	"  -T, --threads          a thread per connection (default: a process per connection)\n"
	"  -D, --daemon           run in the background\n"
	"      --pid-file FILE    write the process id there\n"
	"  -1, --once             serve one connection, then exit (for tests)\n");

static char *tmpdir;
static pid_t main_pid;
static int daemonized;          /* -D: the server is yaz's forked child */
static char *pidpath;           /* --pid-file, absolute (NULL without) */
static int pid_created;         /* the pid file was not there before us */

/* The server itself, not a connection's process (forked per connection
 * without -T): the process that started, or with -D the session leader
 * yaz made of its child (which has another pid). */
static int is_main(void)
{
	pid_t me = getpid();
	return me == main_pid || (daemonized && getsid(0) == me);
}

/* The process id a pid file names: > 0, 0 when empty, -1 when it is not
 * there or holds something else. Signal-safe (used by cleanup). */
static long pidfile_read(const char *path)
{
	char buf[32];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	if (n < 0 || n == (ssize_t)sizeof buf)
		return -1;
	long v = 0;
	ssize_t i = 0;
	for (; i < n && buf[i] >= '0' && buf[i] <= '9' && v < 100000000; i++)
		v = v * 10 + (buf[i] - '0');
	for (; i < n && (buf[i] == '\n' || buf[i] == '\r' || buf[i] == ' '); i++)
		;
	return i == n ? v : -1;
}

/* Is process PID a running bienmuc (a server the pid file speaks for)?
 * A process of that number that is another program (the number used
 * again since) does not count; without /proc, any running one does. */
static int bienmuc_running(long pid)
{
	if (kill((pid_t)pid, 0) != 0 && errno != EPERM)
		return 0;
	char path[64], cmd[4096];
	snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return 1;
	size_t n = fread(cmd, 1, sizeof cmd - 1, fp);
	fclose(fp);
	for (size_t i = 0; i < n; i++)
		if (!cmd[i])
			cmd[i] = ' ';
	cmd[n] = 0;
	return strstr(cmd, "bienmuc") && strstr(cmd, " serve");
}

static void cleanup(void)
{
	if (!main_pid || !is_main())
		return;
	/* the pid file, once it is ours: a clean stop (SIGTERM, SIGINT,
	 * SIGHUP, --once) leaves none naming a process that is gone */
	if (pidpath) {
		long p = pidfile_read(pidpath);
		if (p == (long)getpid() || (pid_created && p == 0))
			unlink(pidpath);
	}
	if (tmpdir) {
		strbuf p = STRBUF_INIT;
		sb_addf(&p, "%s/gfs.xml", tmpdir);
		unlink(p.buf);
		sb_reset(&p);
		sb_addf(&p, "%s/cql.properties", tmpdir);
		unlink(p.buf);
		rmdir(tmpdir);
		sb_release(&p);
	}
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

static void xml_escape(strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '<') sb_adds(sb, "&lt;");
		else if (*s == '>') sb_adds(sb, "&gt;");
		else if (*s == '&') sb_adds(sb, "&amp;");
		else if (*s == '"') sb_adds(sb, "&quot;");
		else sb_addc(sb, *s);
	}
}

/* Can the server listen on addr (yaz syntax: [tcp:|ssl:]host[:port],
 * unix:path)? Binds and closes a socket, so that a taken port is reported
 * once, in our words, before the banner (GFS would say "[fatal] Failed to
 * bind" after it). Returns 0, or -1 with the reason in why. Unix sockets
 * are left to GFS (it replaces a stale socket file). */
static int listener_ok(const char *addr, strbuf *why)
{
	if (!strncmp(addr, "unix:", 5))
		return 0;
	const char *hp = addr;
	if (!strncmp(hp, "tcp:", 4) || !strncmp(hp, "ssl:", 4))
		hp += 4;
	if (!addr_port_ok(hp, strlen(hp))) {
		sb_adds(why, _("the port is not a number from 1 to 65535"));
		return -1;
	}
	void *ap = NULL;
	errno = 0;
	COMSTACK cs = cs_create_host(addr, 1, &ap);
	if (!cs || !ap) {
		sb_adds(why, errno ? strerror(errno) : _("unknown host or bad address"));
		if (cs)
			cs_close(cs);
		return -1;
	}
	errno = 0;
	int rc = cs_bind(cs, ap, CS_SERVER);
	if (rc < 0)
		sb_adds(why, errno ? strerror(errno) : cs_errmsg(cs_errno(cs)));
	cs_close(cs);
	return rc < 0 ? -1 : 0;
}

/* The host and port SRU explain names: those of the listener address
 * (yaz syntax, as listener_ok); for a wildcard (@, 0.0.0.0, ::) this
 * machine's name. Port 210 when none is given (yaz's default). */
static void explain_host_port(const char *addr, strbuf *host, strbuf *port)
{
	if (!strncmp(addr, "tcp:", 4) || !strncmp(addr, "ssl:", 4))
		addr += 4;
	const char *colon = strrchr(addr, ':');
	size_t hl = colon ? (size_t)(colon - addr) : strlen(addr);
	if (hl >= 2 && addr[0] == '[' && addr[hl - 1] == ']') {   /* [::1]:2100 */
		addr++;
		hl -= 2;
	}
	sb_adds(port, colon && colon[1] ? colon + 1 : "210");
	if (!hl || (hl == 1 && *addr == '@') || (hl == 7 && !strncmp(addr, "0.0.0.0", 7)) ||
	    (hl == 2 && !strncmp(addr, "::", 2))) {
		char name[256];
		if (gethostname(name, sizeof name) == 0) {
			name[sizeof name - 1] = 0;
			sb_adds(host, name);
		} else
			sb_adds(host, "localhost");
	} else
		sb_add(host, addr, hl);
}

/* Settings file: key = value lines, # comments. */
static int read_config(const char *path, char **listen, char **dbname, char **users,
                       char **log, int *ro)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		cmd_error("serve", _("cannot open config '%s'"), path);
		return -1;
	}
	char line[1024];
	int n = 0;
	while (fgets(line, sizeof line, fp)) {
		n++;
		line[strcspn(line, "\r\n")] = 0;
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		char *eq = strchr(p, '=');
		if (!eq) {
			cmd_error("serve", _("%s:%d: expected key = value"), path, n);
			fclose(fp);
			return -1;
		}
		char *k = p, *v = eq + 1;
		*eq = 0;
		while (eq > k && (eq[-1] == ' ' || eq[-1] == '\t'))
			*--eq = 0;
		while (*v == ' ' || *v == '\t')
			v++;
		char **dst = !strcmp(k, "listen") ? listen : !strcmp(k, "database") ? dbname :
		             !strcmp(k, "users") ? users : !strcmp(k, "log") ? log : NULL;
		if (dst) {
			free(*dst);
			*dst = xstrdup(v);
		} else if (!strcmp(k, "read-only"))
			*ro = !strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "true");
		else {
			cmd_error("serve", _("%s:%d: unknown setting '%s'"), path, n, k);
			fclose(fp);
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, 0, 'd' }, { "listen", required_argument, 0, 'l' },
		{ "database", required_argument, 0, 'N' }, { "users", required_argument, 0, 'U' },
		{ "config", required_argument, 0, 'C' }, { "read-only", no_argument, 0, 'R' },
		{ "log", required_argument, 0, 'L' }, { "threads", no_argument, 0, 'T' },
		{ "daemon", no_argument, 0, 'D' }, { "pid-file", required_argument, 0, 'P' },
		{ "once", no_argument, 0, '1' }, { "help", no_argument, 0, 'h' },
		{ "estimate-hits", no_argument, 0, 'E' }, { 0, 0, 0, 0 },
	};
	char *db = NULL, *listen = NULL, *dbname = NULL, *users = NULL, *log = NULL, *pid = NULL;
	char *config = NULL;
	int ro = 0, threads = 0, daemon_ = 0, once = 0, estimate = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:l:TD1h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'l': free(listen); listen = xstrdup(optarg); break;
		case 'N': free(dbname); dbname = xstrdup(optarg); break;
		case 'U': free(users); users = xstrdup(optarg); break;
		case 'C': config = optarg; break;
		case 'R': ro = 1; break;
		case 'E': estimate = 1; break;
		case 'L': free(log); log = xstrdup(optarg); break;
		case 'T': threads = 1; break;
		case 'D': daemon_ = 1; break;
		case 'P': pid = optarg; break;
		case '1': once = 1; break;
		case 'h': fputs(_(usage_text), stdout); return 0;
		default: fputs(_(usage_text), stderr); return 2;
		}
	}
	if (optind != argc) {
		fputs(_(usage_text), stderr);
		return 2;
	}
	if (config && read_config(config, &listen, &dbname, &users, &log, &ro) < 0)
		return 2;
	char *dbpath = db ? xstrdup(db) : catalog_default_path();
	if (!listen)
		listen = xstrdup("tcp:127.0.0.1:2100");
	if (!dbname)
		dbname = xstrdup("catalog");
	int users_named = users != NULL;
	if (!users)
		users = users_default_path();

	/* the listener first: a taken port is one clear error, and no banner */
	strbuf why = STRBUF_INIT;
	if (listener_ok(listen, &why) < 0) {
		cmd_error("serve", _("cannot listen on %s: %s"), listen, why.buf ? why.buf : "");
		sb_release(&why);
		return 2;
	}
	sb_release(&why);

	/* a pid file from before: one naming a server still running is not
	 * taken over (its stop script would stop this one); one left by a
	 * server that was killed (kill -9, a crash, a power cut) is replaced,
	 * and said so */
	if (pid) {
		long old = pidfile_read(pid);
		pid_created = access(pid, F_OK) != 0;
		if (old > 0 && old != (long)getpid() && bienmuc_running(old)) {
			cmd_error("serve", _("'%s' says bienmuc serve is running as process %ld; stop it "
			                     "first, or give another --pid-file"), pid, old);
			return 2;
		}
		if (old > 0 && old != (long)getpid())
			fprintf(stderr, _("bienmuc: serve: '%s' named process %ld, which is not running "
			                  "(a server that was killed?); replacing it\n"), pid, old);
	}
	/* the log and the pid file: a wrong path is one clear error now (GFS
	 * would log nowhere, or stop with "[fatal] open ..." and status 1) */
	const char *files[] = { log, pid };
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		FILE *fp = files[i] ? fopen(files[i], "a") : NULL;
		if (files[i] && !fp) {
			cmd_error("serve", _("cannot write '%s': %s"), files[i], strerror(errno));
			return 2;
		}
		if (fp)
			fclose(fp);
	}
	if (pid) {
		pidpath = realpath(pid, NULL);
		if (!pidpath)
			pidpath = xstrdup(pid);
		main_pid = getpid();
		daemonized = daemon_;
		atexit(cleanup);          /* an empty pid file of ours goes on any exit */
	}

	/* open once here, so a wrong path fails now and not per connection */
	strbuf err = STRBUF_INIT;
	catalog *cat = catalog_open(dbpath, ro ? CAT_OPEN_READONLY : 0, &err);
	if (!cat) {
		cmd_error("serve", "%s", err.buf ? err.buf : _("cannot open the catalogue"));
		sb_release(&err);
		return 2;
	}
	catalog_close(cat);
	/* a users file named but not there (a typo?) would refuse every login
	 * as a wrong password: say so once (passwd may still create it; it is
	 * read at each login) */
	if (users_named && access(users, R_OK) != 0)
		cmd_warn("serve", _("users file '%s': %s; nobody can log in to update until "
		         "'bienmuc passwd -f %s' creates it"), users, strerror(errno), users);

	char tmpl[] = "/tmp/bienmuc-serve.XXXXXX";
	const char *td = getenv("TMPDIR");
	strbuf tp = STRBUF_INIT;
	sb_addf(&tp, "%s/bienmuc-serve.XXXXXX", td && *td ? td : "/tmp");
	tmpdir = mkdtemp(tp.buf) ? tp.buf : mkdtemp(tmpl);
	if (!tmpdir) {
		cmd_error("serve", _("cannot make a temporary folder"));
		return 2;
	}
	if (!pid) {
		main_pid = getpid();
		daemonized = daemon_;
		atexit(cleanup);
	}
	signal(SIGTERM, on_signal);       /* GFS sets its own: exit(0), then cleanup */
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);

	strbuf path = STRBUF_INIT, xml = STRBUF_INIT;
	sb_addf(&path, "%s/cql.properties", tmpdir);
	if (write_file(path.buf, server_cql_properties()) < 0) {
		cmd_error("serve", _("cannot write '%s'"), path.buf);
		return 2;
	}
	sb_adds(&xml, "<yazgfs>\n <listen id=\"l1\">");
	xml_escape(&xml, listen);
	sb_adds(&xml, "</listen>\n <server id=\"s1\" listenref=\"l1\">\n  <cql2rpn>");
	xml_escape(&xml, path.buf);
	sb_adds(&xml, "</cql2rpn>\n"
		"  <explain xmlns=\"http://explain.z3950.org/dtd/2.0/\">\n"
		"   <serverInfo protocol=\"SRU\"><host>");
	strbuf host = STRBUF_INIT, port = STRBUF_INIT;
	explain_host_port(listen, &host, &port);
	xml_escape(&xml, host.buf);
	sb_adds(&xml, "</host><port>");
	xml_escape(&xml, port.buf);
	sb_adds(&xml, "</port><database>");
	sb_release(&host);
	sb_release(&port);
	xml_escape(&xml, dbname);
	sb_adds(&xml, "</database></serverInfo>\n"
		"   <databaseInfo><title lang=\"vi\" primary=\"true\">Mục lục thư viện (bienmuc)</title>"
		"<title lang=\"en\">Library catalogue (bienmuc)</title></databaseInfo>\n"
		"   <indexInfo>\n"
		"    <set name=\"dc\" identifier=\"info:srw/cql-context-set/1/dc-v1.1\"/>\n"
		"    <set name=\"cql\" identifier=\"info:srw/cql-context-set/1/cql-v1.2\"/>\n"
		"    <set name=\"bath\" identifier=\"http://zing.z3950.org/cql/bath/2.0/\"/>\n"
		"    <set name=\"rec\" identifier=\"info:srw/cql-context-set/2/rec-1.1\"/>\n"
		"    <index><title>title</title><map><name set=\"dc\">title</name></map></index>\n"
		"    <index><title>author</title><map><name set=\"dc\">creator</name></map></index>\n"
		"    <index><title>subject</title><map><name set=\"dc\">subject</name></map></index>\n"
		"    <index><title>publisher</title><map><name set=\"dc\">publisher</name></map></index>\n"
		"    <index><title>year</title><map><name set=\"dc\">date</name></map></index>\n"
		"    <index><title>ISBN</title><map><name set=\"bath\">isbn</name></map></index>\n"
		"    <index><title>ISSN</title><map><name set=\"bath\">issn</name></map></index>\n"
		"    <index><title>LCCN</title><map><name set=\"bath\">lccn</name></map></index>\n"
		"    <index><title>series</title><map><name set=\"dc\">series</name></map></index>\n"
		"    <index><title>notes</title><map><name set=\"dc\">notes</name></map></index>\n"
		"    <index><title>local number</title><map><name set=\"rec\">id</name></map></index>\n"
		"    <index><title>any</title><map><name set=\"cql\">serverChoice</name></map></index>\n"
		"   </indexInfo>\n"
		"   <schemaInfo><schema identifier=\"info:srw/schema/1/marcxml-v1.1\" name=\"marcxml\">"
		"<title>MARCXML</title></schema></schemaInfo>\n"
		"   <configInfo><default type=\"numberOfRecords\">10</default></configInfo>\n"
		"  </explain>\n </server>\n</yazgfs>\n");
	sb_reset(&path);
	sb_addf(&path, "%s/gfs.xml", tmpdir);
	if (write_file(path.buf, xml.buf) < 0) {
		cmd_error("serve", _("cannot write '%s'"), path.buf);
		return 2;
	}

	struct server_conf sc = { dbpath, dbname, users, ro, estimate };
	server_set_conf(&sc);
	char *gargv[16];
	int gargc = 0;
	gargv[gargc++] = "bienmuc-serve";
	gargv[gargc++] = "-f";
	gargv[gargc++] = path.buf;
	if (log) {
		gargv[gargc++] = "-l";
		gargv[gargc++] = log;
	}
	if (threads)
		gargv[gargc++] = "-T";
	if (daemon_)
		gargv[gargc++] = "-D";
	if (pid) {
		gargv[gargc++] = "-p";
		gargv[gargc++] = pid;
	}
	if (once)
		gargv[gargc++] = "-1";
	gargv[gargc] = NULL;
	if (!daemon_)
		fprintf(stderr, _("bienmuc: serve: %s as database '%s' on %s\n"), dbpath, dbname, listen);
	int rc = server_run(gargc, gargv);
	sb_release(&path);
	sb_release(&xml);
	sb_release(&err);
	free(dbpath);
	free(listen);
	free(dbname);
	free(users);
	free(log);
	return rc ? 2 : 0;
}
