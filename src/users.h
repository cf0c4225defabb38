/*
 * users.h - the server's users file: one line per user,
 *     NAME:HASH:RIGHTS
 * HASH is a crypt(3) string with a random salt (SHA-512, "$6$..."), RIGHTS
 * is "rw" (search and update) or "r" (search only). Lines starting with
 * '#' are comments. The file is written by `bienmuc passwd` and read by
 * `bienmuc serve`; passwords are never stored in clear.
 */
#ifndef BIENMUC_USERS_H
#define BIENMUC_USERS_H

#include "util.h"

/* Default users file: $BIENMUC_USERS, else $XDG_CONFIG_HOME/bienmuc/users
 * (~/.config/bienmuc/users). malloc'd. */
char *users_default_path(void);

/* Check name/password against the file. Returns 1 with *can_write set
 * when they match, 0 when they do not (or the user is unknown), -1 when
 * the file cannot be read (err says why). */
int users_check(const char *path, const char *name, const char *password,
                int *can_write, strbuf *err);

/* Add or change a user (new salt every time), or remove one (password
 * NULL). Rewrites the file atomically with mode 0600. Returns 0 or -1. */
int users_set(const char *path, const char *name, const char *password,
              const char *rights, strbuf *err);

#endif
