/*
 * users.c - the users file of `bienmuc serve` (see users.h): salted
 * SHA-512 crypt(3) hashes, atomic rewrite on change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <crypt.h>

#include "users.h"
#include "i18n-lower.h"

char *users_default_path(void)
{
	const char *e = getenv("BIENMUC_USERS");
	if (e && *e)
		return xstrdup(e);
	strbuf sb = STRBUF_INIT;
	const char *x = getenv("XDG_CONFIG_HOME");
	if (x && *x)
		sb_addf(&sb, "%s/bienmuc/users", x);
	else
		sb_addf(&sb, "%s/.config/bienmuc/users", getenv("HOME") ? getenv("HOME") : ".");
	return sb_detach(&sb, NULL);
}

static int read_file(const char *path, strbuf *out, strbuf *err)
{
	if (sb_read_file(out, path) == 0 || errno == ENOENT)
		return 0;     /* no file yet: no users */
	if (err)
		sb_addf(err, _("cannot read users file '%s': %s"), path, strerror(errno));
	return -1;
}

/* Find the line for name; returns pointers into text, or NULL. */
static const char *find_user(const char *text, const char *name, size_t *linelen)
{
	size_t nl = strlen(name);
	for (const char *p = text; p && *p; ) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (*p != '#' && len > nl && !strncmp(p, name, nl) && p[nl] == ':') {
			*linelen = len;
			return p;
		}
		p = e ? e + 1 : NULL;
	}
	return NULL;
}

int users_check(const char *path, const char *name, const char *password,
                int *can_write, strbuf *err)
{
	strbuf text = STRBUF_INIT;
	if (read_file(path, &text, err) < 0)
		return -1;
	size_t len = 0;
	const char *line = text.buf ? find_user(text.buf, name, &len) : NULL;
	int ok = 0;
	if (line) {
		char *l = xstrndup(line, len);
		char *hash = strchr(l, ':') + 1;
		char *rights = strchr(hash, ':');
		if (rights)
			*rights++ = 0;
		struct crypt_data cd;
		memset(&cd, 0, sizeof cd);
		const char *h = crypt_r(password, hash, &cd);
		ok = h && h[0] != '*' && !strcmp(h, hash);
		if (can_write)
			*can_write = rights && strchr(rights, 'w') != NULL;
		free(l);
	}
	sb_release(&text);
	return ok;
}

int users_set(const char *path, const char *name, const char *password,
              const char *rights, strbuf *err)
{
	if (!*name || strchr(name, ':') || strchr(name, '\n') || strchr(name, '/')) {
		sb_addf(err, _("'%s' is not a valid user name"), name);
		return -1;
	}
	strbuf text = STRBUF_INIT, out = STRBUF_INIT;
	if (read_file(path, &text, err) < 0)
		return -1;
	/* copy every other line */
	size_t nl = strlen(name);
	for (const char *p = text.buf; p && *p; ) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (!(len > nl && !strncmp(p, name, nl) && p[nl] == ':')) {
			sb_add(&out, p, len);
			sb_addc(&out, '\n');
		}
		p = e ? e + 1 : NULL;
	}
	if (!text.len)
		sb_adds(&out, "# bienmuc users: NAME:CRYPT-HASH:RIGHTS (rw or r); edit with bienmuc passwd\n");
	if (password) {
		struct crypt_data cd;
		memset(&cd, 0, sizeof cd);
		const char *salt = crypt_gensalt_rn("$6$", 0, NULL, 0, cd.setting, sizeof cd.setting);
		const char *h = salt ? crypt_r(password, salt, &cd) : NULL;
		if (!h || h[0] == '*') {
			sb_adds(err, _("cannot hash the password (crypt failed)"));
			sb_release(&text);
			sb_release(&out);
			return -1;
		}
		sb_addf(&out, "%s:%s:%s\n", name, h, rights && *rights ? rights : "rw");
	}
	/* make the folder, write a temp file, rename */
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		for (char *q = dir + 1; *q; q++)
			if (*q == '/') {
				*q = 0;
				mkdir(dir, 0700);
				*q = '/';
			}
		mkdir(dir, 0700);
	}
	free(dir);
	strbuf tmp = STRBUF_INIT;
	sb_addf(&tmp, "%s.tmp%ld", path, (long)getpid());
	int fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int rc = -1;
	if (fd >= 0 && write(fd, out.buf, out.len) == (ssize_t)out.len && fsync(fd) == 0) {
		close(fd);
		fd = -1;
		if (rename(tmp.buf, path) == 0)
			rc = 0;
	}
	if (rc < 0) {
		sb_addf(err, _("cannot write users file '%s': %s"), path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp.buf);
	}
	sb_release(&tmp);
	sb_release(&text);
	sb_release(&out);
	return rc;
}
