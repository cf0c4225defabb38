/*
 * keys.h - keys and key bindings as data, free of curses.
 *
 * A key is an int: a Unicode character is itself; Ctrl-A..Ctrl-Z are
 * 1..26; special keys are KEYC_* (the curses front end maps KEY_* codes to
 * them); Meta/ESC-prefixed keys have KEYC_META set ("M-x" = ESC then x,
 * which is also how consoles without function keys reach F1..F10:
 * ESC 1 .. ESC 0).
 *
 * Key names are tmux's: "C-s", "M-1", "F2", "Up", "PgDn", "BSpace",
 * "Enter", "Tab", "BTab", "Escape", "Space", "DC" or "Delete", "IC" or
 * "Insert", a plain character ("?", "a", ":").
 *
 * Bindings map (view, key) to a command line of the shared command table
 * (tcmd.h), e.g. bind edit C-s save. The defaults are written in the
 * config syntax (keys_default_config) and go through the same parser as
 * ~/.config/bienmuc/config (format in bienmuc.conf(5)):
 *   bind VIEW KEY COMMAND [ARGS...]
 *   unbind VIEW KEY
 *   set OPTION VALUE
 *   # comment
 * Views: global (every view), search, list, view, edit, line (the field
 * line editor), conflict, history, help. The text-entry views (search,
 * line) do not fall back to global: typed characters are text there.
 * The workform screen (form) is a text-entry view too; the fixed-field
 * editor has its own view (fixed).
 */
#ifndef BIENMUC_KEYS_H
#define BIENMUC_KEYS_H

#include <stddef.h>
#include "util.h"

enum {
	KEYC_BASE = 0x200000,
	KEYC_UP = KEYC_BASE, KEYC_DOWN, KEYC_LEFT, KEYC_RIGHT,
	KEYC_HOME, KEYC_END, KEYC_PPAGE, KEYC_NPAGE,
	KEYC_IC, KEYC_DC, KEYC_BSPACE, KEYC_ENTER, KEYC_TAB, KEYC_BTAB,
	KEYC_ESCAPE, KEYC_RESIZE,
	KEYC_F0 = KEYC_BASE + 0x40,          /* KEYC_F(n) = KEYC_F0 + n */
	KEYC_META = 0x1000000,
};
#define KEYC_F(n) (KEYC_F0 + (n))
#define KEYC_CTRL(c) ((c) & 0x1f)

enum key_view {
	KV_GLOBAL = 0, KV_SEARCH, KV_LIST, KV_VIEW, KV_EDIT, KV_LINE,
	KV_CONFLICT, KV_HISTORY, KV_HELP, KV_FORM, KV_FIXED, KV_NVIEWS
};

/* Parse a key name; -1 if unknown. */
int keys_parse(const char *name);
/* Name of a key into buf (at least 32 bytes); returns buf. */
char *keys_name(int key, char *buf, size_t n);
/* View name <-> enum (-1 if unknown). */
int key_view_parse(const char *name);
const char *key_view_name(int view);

typedef struct keymap keymap;

keymap *keymap_create(void);
void keymap_destroy(keymap *km);             /* accepts NULL */
/* Bind (replaces an existing binding) / unbind. */
void keymap_bind(keymap *km, int view, int key, const char *command);
void keymap_unbind(keymap *km, int view, int key);
/* Command bound to key in view, else in global; NULL if none. */
const char *keymap_lookup(const keymap *km, int view, int key);
/* Bindings of one view (not global), in the order they were made:
 * i-th key and command; returns 0 past the end. */
int keymap_get(const keymap *km, int view, size_t i, int *key,
               const char **command);
/* Every key of `view` (then global) bound to exactly `command`, joined
 * with ", " into out (e.g. "C-s, F2"); "" if unbound. */
void keymap_keys_for(const keymap *km, int view, const char *command,
                     strbuf *out);

/* Options set with "set NAME VALUE". */
struct key_options {
	int labelled;        /* display: 0 tagged, 1 labelled */
	int input;           /* enum vnime_method: 0 off, 1 telex, 2 vni */
	int live_lint;       /* show lint findings next to fields: 1 */
	long page;           /* results fetched per search, default 500 */
	int input_last;      /* method the input toggle switches on (telex) */
	int tone_new;        /* input tone style: 0 old (hòa), 1 new (hoà) */
	int lang;            /* interface: 0 auto (environment), 1 en, 2 vi */
	int esc_delay;       /* ms after Esc within which an arrow or other
	                        special key counts as Alt (M-), default 100 */
};
void key_options_default(struct key_options *o);
/* Set one option by name ("display", "input", "live-lint", "page",
 * "tonestyle" old|new, "lang" auto|en|vi, "esc-delay" ms);
 * returns 0, or -1 with a message in msg. */
int key_set_option(struct key_options *o, const char *name, const char *val,
                   strbuf *msg);

/* The default bindings, in config syntax. */
extern const char keys_default_config[];

/* A checker for command names (so a typo in the config is reported);
 * returns 1 if `command`'s first word names a command. NULL = accept. */
typedef int (*key_cmd_check)(const char *command);

/* Parse config text; `name` is used in messages. Errors are appended to
 * err as "NAME:LINE: message" lines; parsing goes on after an error.
 * Returns the number of errors. */
int keys_load_text(keymap *km, struct key_options *o, const char *name,
                   const char *text, key_cmd_check check, strbuf *err);
/* Load a file; a missing file is not an error (returns 0). */
int keys_load_file(keymap *km, struct key_options *o, const char *path,
                   key_cmd_check check, strbuf *err);
/* $BIENMUC_CONFIG, else $XDG_CONFIG_HOME/bienmuc/config, else
 * ~/.config/bienmuc/config. malloc'd. */
char *keys_config_path(void);

#endif
