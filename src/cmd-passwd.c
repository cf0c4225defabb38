/*
 * cmd-passwd.c - `bienmuc passwd`: add, change or remove a user of the
 * Z39.50/SRU server's users file (users.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "i18n.h"
#include "users.h"

static const char usage_text[] = N_(
	"usage: bienmuc passwd [-f USERS] [--read-only] [--stdin] USER\n"
	"       bienmuc passwd [-f USERS] -d USER\n"
	"\n"
	"Add a user of `bienmuc serve`, or change their password (asked twice\n"
	"on the terminal, or one line from standard input with --stdin).\n"
	"  -f, --file USERS   users file (default $BIENMUC_USERS or ~/.config/bienmuc/users)\n"
	"  -r, --read-only    the user may search but not update\n"
	"  -d, --delete       remove the user\n"
	"      --stdin        read the password from standard input\n");

static char *read_password(const char *prompt, int from_stdin)
{
	char buf[512];
	struct termios old, noecho;
	int tty = !from_stdin && isatty(0);
	if (tty) {
		fprintf(stderr, "%s", prompt);
		tcgetattr(0, &old);
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSANOW, &noecho);
	}
	char *r = fgets(buf, sizeof buf, stdin);
	if (tty) {
		tcsetattr(0, TCSANOW, &old);
		fputc('\n', stderr);
	}
	if (!r)
		return NULL;
	buf[strcspn(buf, "\r\n")] = 0;
	return xstrdup(buf);
}

int cmd_passwd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, 0, 'f' }, { "read-only", no_argument, 0, 'r' },
		{ "delete", no_argument, 0, 'd' }, { "stdin", no_argument, 0, 's' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	char *file = NULL;
	int ro = 0, del = 0, from_stdin = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:rdh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': free(file); file = xstrdup(optarg); break;
		case 'r': ro = 1; break;
		case 'd': del = 1; break;
		case 's': from_stdin = 1; break;
		case 'h': fputs(_(usage_text), stdout); free(file); return 0;
		default: fputs(_(usage_text), stderr); free(file); return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(_(usage_text), stderr);
		free(file);
		return 2;
	}
	const char *user = argv[optind];
	if (!file)
		file = users_default_path();
	strbuf err = STRBUF_INIT;
	int rc = 0;
	if (del) {
		if (users_set(file, user, NULL, NULL, &err) < 0)
			rc = 2;
	} else {
		char *p1 = read_password(_("New password: "), from_stdin);
		char *p2 = p1 && !from_stdin && isatty(0) ? read_password(_("Again: "), 0) : NULL;
		if (!p1 || !*p1) {
			sb_adds(&err, _("no password given"));
			rc = 2;
		} else if (p2 && strcmp(p1, p2)) {
			sb_adds(&err, _("the passwords differ; nothing changed"));
			rc = 2;
		} else if (users_set(file, user, p1, ro ? "r" : "rw", &err) < 0)
			rc = 2;
		if (p1)
			memset(p1, 0, strlen(p1));
		free(p1);
		free(p2);
	}
	if (rc)
		cmd_error("passwd", "%s", err.buf);
	else
		fprintf(stderr, del ? _("bienmuc: passwd: %s removed in %s\n") : _("bienmuc: passwd: %s saved in %s\n"),
		        user, file);
	sb_release(&err);
	free(file);
	return rc;
}
