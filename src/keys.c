/*
 * keys.c - key names, key bindings per view, options and the config file
 * parser (see keys.h). The default bindings are config text parsed by the
 * same code as the user's file, so defaults and overrides cannot drift.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>

#include "keys.h"
#include "i18n-lower.h"

static const struct { const char *name; int key; } key_names[] = {
	{ "Up", KEYC_UP }, { "Down", KEYC_DOWN }, { "Left", KEYC_LEFT },
	{ "Right", KEYC_RIGHT }, { "Home", KEYC_HOME }, { "End", KEYC_END },
	{ "PgUp", KEYC_PPAGE }, { "PPage", KEYC_PPAGE },
	{ "PgDn", KEYC_NPAGE }, { "NPage", KEYC_NPAGE },
	{ "IC", KEYC_IC }, { "Insert", KEYC_IC },
	{ "DC", KEYC_DC }, { "Delete", KEYC_DC },
	{ "BSpace", KEYC_BSPACE }, { "Enter", KEYC_ENTER }, { "Tab", KEYC_TAB },
	{ "BTab", KEYC_BTAB }, { "Escape", KEYC_ESCAPE }, { "Space", ' ' },
	{ "Resize", KEYC_RESIZE },
	{ NULL, 0 },
};

int keys_parse(const char *name)
{
	int meta = 0;
	if (!name || !*name)
		return -1;
	if (!strncmp(name, "M-", 2) && name[2]) {
		meta = KEYC_META;
		name += 2;
	}
	if (!strncmp(name, "C-", 2) && name[2] && !name[3]) {
		int c = tolower((unsigned char)name[2]);
		if (c >= 'a' && c <= 'z')
			return meta | (c - 'a' + 1);
		if (c == ' ' || c == '@')
			return -1;
		return -1;
	}
	if (name[0] == 'F' && isdigit((unsigned char)name[1])) {
		char *end;
		long n = strtol(name + 1, &end, 10);
		if (!*end && n >= 1 && n <= 20)
			return meta | KEYC_F(n);
	}
	for (int i = 0; key_names[i].name; i++)
		if (!strcasecmp(name, key_names[i].name))
			return meta | key_names[i].key;
	/* one character (UTF-8) */
	unsigned char c = (unsigned char)name[0];
	int cp = -1, len = 0;
	if (c < 0x80) { cp = c; len = 1; }
	else if ((c & 0xe0) == 0xc0) { cp = c & 0x1f; len = 2; }
	else if ((c & 0xf0) == 0xe0) { cp = c & 0x0f; len = 3; }
	else if ((c & 0xf8) == 0xf0) { cp = c & 0x07; len = 4; }
	for (int i = 1; i < len; i++) {
		if (((unsigned char)name[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (name[i] & 0x3f);
	}
	if (len == 0 || name[len] || cp <= 0x20 || cp == 0x7f)
		return -1;
	return meta | cp;
}

char *keys_name(int key, char *buf, size_t n)
{
	const char *m = (key & KEYC_META) ? "M-" : "";
	int k = key & ~KEYC_META;
	if (k >= 1 && k <= 26 && k != 9 && k != 13) {
		snprintf(buf, n, "%sC-%c", m, 'a' + k - 1);
		return buf;
	}
	if (k == 9)
		k = KEYC_TAB;
	if (k == 13 || k == 10)
		k = KEYC_ENTER;
	if (k == 27)
		k = KEYC_ESCAPE;
	if (k == 127)
		k = KEYC_BSPACE;
	if (k > KEYC_F0 && k <= KEYC_F(20)) {
		snprintf(buf, n, "%sF%d", m, k - KEYC_F0);
		return buf;
	}
	for (int i = 0; key_names[i].name; i++)
		if (key_names[i].key == k) {
			snprintf(buf, n, "%s%s", m, key_names[i].name);
			return buf;
		}
	char u[8] = { 0 };
	if (k < 0x80)
		u[0] = (char)k;
	else if (k < 0x800) {
		u[0] = (char)(0xc0 | (k >> 6)); u[1] = (char)(0x80 | (k & 0x3f));
	} else if (k < 0x10000) {
		u[0] = (char)(0xe0 | (k >> 12)); u[1] = (char)(0x80 | ((k >> 6) & 0x3f));
		u[2] = (char)(0x80 | (k & 0x3f));
	} else {
		u[0] = (char)(0xf0 | (k >> 18)); u[1] = (char)(0x80 | ((k >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((k >> 6) & 0x3f)); u[3] = (char)(0x80 | (k & 0x3f));
	}
	snprintf(buf, n, "%s%s", m, u);
	return buf;
}

static const char *view_names[KV_NVIEWS] = {
	"global", "search", "list", "view", "edit", "line", "conflict",
	"history", "help", "form", "fixed",
};

int key_view_parse(const char *name)
{
	for (int i = 0; i < KV_NVIEWS; i++)
		if (!strcmp(name, view_names[i]))
			return i;
	return -1;
}

const char *key_view_name(int view)
{
	return view >= 0 && view < KV_NVIEWS ? view_names[view] : "?";
}

/* ---------------------------------------------------------------- */

struct binding {
	int key;
	char *cmd;
};

struct keymap {
	struct binding *b[KV_NVIEWS];
	size_t n[KV_NVIEWS], cap[KV_NVIEWS];
};

keymap *keymap_create(void)
{
	return xcalloc(1, sizeof(keymap));
}

void keymap_destroy(keymap *km)
{
	if (!km)
		return;
	for (int v = 0; v < KV_NVIEWS; v++) {
		for (size_t i = 0; i < km->n[v]; i++)
			free(km->b[v][i].cmd);
		free(km->b[v]);
	}
	free(km);
}

/* Keys that are the same for binding purposes. */
static int canon(int key)
{
	int m = key & KEYC_META, k = key & ~KEYC_META;
	if (k == 13 || k == 10)
		k = KEYC_ENTER;
	else if (k == 9)
		k = KEYC_TAB;
	else if (k == 127 || k == 8)
		k = KEYC_BSPACE;
	else if (k == 27)
		k = KEYC_ESCAPE;
	return m | k;
}

void keymap_bind(keymap *km, int view, int key, const char *command)
{
	key = canon(key);
	for (size_t i = 0; i < km->n[view]; i++)
		if (km->b[view][i].key == key) {
			free(km->b[view][i].cmd);
			km->b[view][i].cmd = xstrdup(command);
			return;
		}
	if (km->n[view] == km->cap[view]) {
		km->cap[view] = km->cap[view] ? km->cap[view] * 2 : 32;
		km->b[view] = xrealloc(km->b[view], km->cap[view] * sizeof(struct binding));
	}
	km->b[view][km->n[view]].key = key;
	km->b[view][km->n[view]].cmd = xstrdup(command);
	km->n[view]++;
}

void keymap_unbind(keymap *km, int view, int key)
{
	key = canon(key);
	for (size_t i = 0; i < km->n[view]; i++)
		if (km->b[view][i].key == key) {
			free(km->b[view][i].cmd);
			memmove(km->b[view] + i, km->b[view] + i + 1,
			        (km->n[view] - i - 1) * sizeof(struct binding));
			km->n[view]--;
			return;
		}
}

static const char *lookup1(const keymap *km, int view, int key)
{
	for (size_t i = 0; i < km->n[view]; i++)
		if (km->b[view][i].key == key)
			return km->b[view][i].cmd;
	return NULL;
}

const char *keymap_lookup(const keymap *km, int view, int key)
{
	key = canon(key);
	const char *c = lookup1(km, view, key);
	if (!c && view != KV_GLOBAL && view != KV_LINE && view != KV_SEARCH && view != KV_FORM)
		c = lookup1(km, KV_GLOBAL, key);
	if (c && !strcmp(c, "none"))
		return NULL;
	return c;
}

int keymap_get(const keymap *km, int view, size_t i, int *key, const char **command)
{
	if (i >= km->n[view])
		return 0;
	*key = km->b[view][i].key;
	*command = km->b[view][i].cmd;
	return 1;
}

void keymap_keys_for(const keymap *km, int view, const char *command, strbuf *out)
{
	char buf[32];
	int first = 1;
	for (int pass = 0; pass < 2; pass++) {
		int v = pass ? KV_GLOBAL : view;
		if (pass && (view == KV_GLOBAL || view == KV_LINE || view == KV_SEARCH ||
		             view == KV_FORM))
			break;
		for (size_t i = 0; i < km->n[v]; i++) {
			if (strcmp(km->b[v][i].cmd, command))
				continue;
			/* shadowed by the view's own binding? */
			if (pass && lookup1(km, view, km->b[v][i].key))
				continue;
			if (!first)
				sb_adds(out, ", ");
			sb_adds(out, keys_name(km->b[v][i].key, buf, sizeof buf));
			first = 0;
		}
	}
	if (!out->buf)
		sb_adds(out, "");
}

void key_options_default(struct key_options *o)
{
	o->labelled = 0;
	o->input = 0;
	o->live_lint = 1;
	o->page = 500;
	o->input_last = 1;
	o->tone_new = 0;
	o->lang = 0;
	o->esc_delay = 100;
}

/* ---------------------------------------------------------------- */
/* Default bindings. Function keys have Ctrl or ESC-digit twins for vt100
 * and consoles. Keep in step with the KEYS section of bienmuc(1). */
const char keys_default_config[] =
	"# global: every view\n"
	"bind global F1 help\n"
	"bind global M-1 help\n"
	"bind global ? help\n"
	"bind global : cmdline\n"
	"bind global F10 quit\n"
	"bind global M-0 quit\n"
	"bind global C-q quit\n"
	"bind global C-l redraw\n"
	"bind global C-z suspend\n"
	"bind global / search-prompt\n"
	"bind global F3 search-prompt\n"
	"bind global M-3 search-prompt\n"
	"bind global C-t input\n"
	"bind global F8 input\n"
	"bind global M-8 input\n"
	"bind global Escape back\n"
	"bind global q back\n"
	"bind global Up up\n"
	"bind global C-p up\n"
	"bind global k up\n"
	"bind global Down down\n"
	"bind global C-n down\n"
	"bind global j down\n"
	"bind global PgUp page-up\n"
	"bind global M-v page-up\n"
	"bind global PgDn page-down\n"
	"bind global C-v page-down\n"
	"bind global Space page-down\n"
	"bind global Home top\n"
	"bind global g top\n"
	"bind global End bottom\n"
	"bind global G bottom\n"
	"# search line\n"
	"bind search Enter search-run\n"
	"bind search Escape back\n"
	"bind search C-g back\n"
	"bind search F1 help\n"
	"bind search M-1 help\n"
	"bind search F10 quit\n"
	"bind search M-0 quit\n"
	"bind search C-q quit\n"
	"bind search Down back\n"
	"bind search C-t input\n"
	"bind search F8 input\n"
	"bind search M-8 input\n"
	"# results list\n"
	"bind list Enter open\n"
	"bind list n new\n"
	"bind list N new empty\n"
	"bind list Z cmdline \"zsearch \"\n"
	"bind list S cmdline \"shelf \"\n"
	"# record view\n"
	"bind view e edit\n"
	"bind view Enter edit\n"
	"bind view F4 edit\n"
	"bind view M-4 edit\n"
	"bind view t labels\n"
	"bind view F5 labels\n"
	"bind view M-5 labels\n"
	"bind view h history\n"
	"bind view F6 history\n"
	"bind view M-6 history\n"
	"bind view D delete\n"
	"bind view n new\n"
	"bind view N new empty\n"
	"bind view c new copy\n"
	"bind view l lint\n"
	"bind view ] next\n"
	"bind view C copies\n"
	"bind view [ prev\n"
	"# tagged editor (not typing)\n"
	"bind edit Enter edit-line\n"
	"bind edit e edit-line\n"
	"bind edit Right edit-line\n"
	"bind edit C-s save\n"
	"bind edit F2 save\n"
	"bind edit M-2 save\n"
	"bind edit C-u undo\n"
	"bind edit u undo\n"
	"bind edit C-r redo\n"
	"bind edit C-y redo\n"
	"bind edit i field ins\n"
	"bind edit IC field ins\n"
	"bind edit o field new\n"
	"bind edit a field new\n"
	"bind edit d field del\n"
	"bind edit DC field del\n"
	"bind edit C-d field del\n"
	"bind edit D field dup\n"
	"bind edit K field up\n"
	"bind edit J field down\n"
	"bind edit M-Up field up\n"
	"bind edit M-Down field down\n"
	"bind edit y field copy\n"
	"bind edit C-c field copy\n"
	"bind edit p field paste\n"
	"bind edit l lint\n"
	"bind edit F7 lint\n"
	"bind edit M-7 lint\n"
	"bind edit t labels\n"
	"bind edit F5 labels\n"
	"bind edit M-5 labels\n"
	"bind edit h history\n"
	"bind edit F6 history\n"
	"bind edit M-6 history\n"
	"bind edit C copies\n"
	"bind edit f fixed\n"
	"bind edit F9 fixed\n"
	"bind edit M-9 fixed\n"
	"bind edit F4 lookup\n"
	"bind edit M-4 lookup\n"
	"bind edit Escape back\n"
	"bind edit q back\n"
	"# field line editor (typing inserts text)\n"
	"bind line Enter line-done\n"
	"bind line Escape line-cancel\n"
	"bind line C-g line-cancel\n"
	"bind line F10 line-cancel\n"
	"bind line M-0 line-cancel\n"
	"bind line C-q line-cancel\n"
	"bind line Left line-left\n"
	"bind line C-b line-left\n"
	"bind line Right line-right\n"
	"bind line C-f line-right\n"
	"bind line Home line-home\n"
	"bind line C-a line-home\n"
	"bind line End line-end\n"
	"bind line C-e line-end\n"
	"bind line M-b line-word-left\n"
	"bind line M-f line-word-right\n"
	"bind line BSpace line-backspace\n"
	"bind line DC line-delete\n"
	"bind line C-d line-delete\n"
	"bind line C-k line-kill\n"
	"bind line C-u line-kill-start\n"
	"bind line Tab line-next-sub\n"
	"bind line BTab line-prev-sub\n"
	"bind line M-Tab line-prev-sub\n"
	"bind line C-s save\n"
	"bind line F2 save\n"
	"bind line M-2 save\n"
	"bind line Up line-up\n"
	"bind line Down line-down\n"
	"bind line F4 lookup\n"
	"bind line M-4 lookup\n"
	"bind line F1 help\n"
	"bind line M-1 help\n"
	"bind line C-t input\n"
	"bind line F8 input\n"
	"bind line M-8 input\n"
	"bind line M-t input telex\n"
	"bind line M-v input vni\n"
	"# workform fill-in screen (typing fills the prompt)\n"
	"bind form Tab form-next\n"
	"bind form Enter form-next\n"
	"bind form Down form-next\n"
	"bind form C-n form-next\n"
	"bind form BTab form-prev\n"
	"bind form Up form-prev\n"
	"bind form C-p form-prev\n"
	"bind form PgDn form-page-down\n"
	"bind form PgUp form-page-up\n"
	"bind form C-o form-repeat\n"
	"bind form F2 form-done\n"
	"bind form M-2 form-done\n"
	"bind form C-s form-done\n"
	"bind form Escape form-cancel\n"
	"bind form C-g form-cancel\n"
	"bind form F10 quit\n"
	"bind form M-0 quit\n"
	"bind form C-q quit\n"
	"bind form C-t input\n"
	"bind form F8 input\n"
	"bind form M-8 input\n"
	"bind form M-t input telex\n"
	"bind form M-v input vni\n"
	"bind form Left line-left\n"
	"bind form C-b line-left\n"
	"bind form Right line-right\n"
	"bind form C-f line-right\n"
	"bind form Home line-home\n"
	"bind form C-a line-home\n"
	"bind form End line-end\n"
	"bind form C-e line-end\n"
	"bind form M-b line-word-left\n"
	"bind form M-f line-word-right\n"
	"bind form BSpace line-backspace\n"
	"bind form DC line-delete\n"
	"bind form C-d line-delete\n"
	"bind form C-k line-kill\n"
	"bind form C-u line-kill-start\n"
	"# fixed-field editor\n"
	"bind fixed Enter fixed-pick\n"
	"bind fixed Space fixed-pick\n"
	"bind fixed e fixed-type\n"
	"bind fixed = fixed-type\n"
	"bind fixed F2 fixed-done\n"
	"bind fixed M-2 fixed-done\n"
	"bind fixed C-s fixed-done\n"
	"bind fixed Escape fixed-cancel\n"
	"bind fixed q fixed-cancel\n"
	"bind fixed C-g fixed-cancel\n"
	"# conflict screen\n"
	"bind conflict m take mine\n"
	"bind conflict t take theirs\n"
	"bind conflict b take both\n"
	"bind conflict M take-all mine\n"
	"bind conflict T take-all theirs\n"
	"bind conflict C-s save\n"
	"bind conflict F2 save\n"
	"bind conflict M-2 save\n"
	"bind conflict Escape back\n"
	"# history\n"
	"bind history Enter history-view\n"
	"bind history r rollback\n"
	"bind history Escape back\n"
	"# help\n"
	"bind help Escape back\n"
	"bind help q back\n"
	"# options\n"
	"set display tagged\n"
	"set input off\n"
	"set live-lint on\n"
	"set page 500\n"
	"set tonestyle old\n"
	"set lang auto\n"
	"set esc-delay 100\n";

static int set_option(struct key_options *o, const char *name, const char *val,
                      strbuf *msg)
{
	if (!strcmp(name, "display")) {
		if (!strcmp(val, "tagged")) o->labelled = 0;
		else if (!strcmp(val, "labelled") || !strcmp(val, "labeled")) o->labelled = 1;
		else { sb_addf(msg, _("display must be tagged or labelled, not '%s'"), val); return -1; }
	} else if (!strcmp(name, "input")) {
		if (!strcmp(val, "off")) o->input = 0;
		else if (!strcmp(val, "telex")) o->input = o->input_last = 1;
		else if (!strcmp(val, "vni")) o->input = o->input_last = 2;
		else { sb_addf(msg, _("input must be off, telex or vni, not '%s'"), val); return -1; }
	} else if (!strcmp(name, "tonestyle")) {
		if (!strcmp(val, "old")) o->tone_new = 0;
		else if (!strcmp(val, "new")) o->tone_new = 1;
		else { sb_addf(msg, _("tonestyle must be old (hòa) or new (hoà), not '%s'"), val); return -1; }
	} else if (!strcmp(name, "lang")) {
		if (!strcmp(val, "auto")) o->lang = 0;
		else if (!strcmp(val, "en")) o->lang = 1;
		else if (!strcmp(val, "vi")) o->lang = 2;
		else { sb_addf(msg, _("lang must be auto, en or vi, not '%s'"), val); return -1; }
	} else if (!strcmp(name, "live-lint")) {
		if (!strcmp(val, "on")) o->live_lint = 1;
		else if (!strcmp(val, "off")) o->live_lint = 0;
		else { sb_addf(msg, _("live-lint must be on or off, not '%s'"), val); return -1; }
	} else if (!strcmp(name, "page")) {
		char *end;
		long n = strtol(val, &end, 10);
		if (*end || n < 10 || n > 100000) {
			sb_addf(msg, _("page must be a number from 10 to 100000, not '%s'"), val);
			return -1;
		}
		o->page = n;
	} else if (!strcmp(name, "esc-delay")) {
		char *end;
		long n = strtol(val, &end, 10);
		if (*end || end == val || n < 10 || n > 2000) {
			sb_addf(msg, _("esc-delay must be a number of milliseconds from 10 to 2000, not '%s'"), val);
			return -1;
		}
		o->esc_delay = (int)n;
	} else {
		sb_addf(msg, _("unknown option '%s' (display, input, live-lint, page, tonestyle, lang, esc-delay)"), name);
		return -1;
	}
	return 0;
}

int key_set_option(struct key_options *o, const char *name, const char *val, strbuf *msg)
{
	return set_option(o, name, val, msg);
}

/* Split off the next blank-separated word; returns NULL at end. */
static char *word(char **p)
{
	char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	char *e = s;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	if (*e)
		*e++ = 0;
	*p = e;
	return s;
}

int keys_load_text(keymap *km, struct key_options *o, const char *name,
                   const char *text, key_cmd_check check, strbuf *err)
{
	int nerr = 0, lineno = 0;
	const char *p = text;
	strbuf msg = STRBUF_INIT;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n);
		p += n + (nl ? 1 : 0);
		lineno++;
		if (n && line[n - 1] == '\r')
			line[n - 1] = 0;
		char *s = line, *w = word(&s);
		sb_reset(&msg);
		if (!w || w[0] == '#') {
			free(line);
			continue;
		}
		if (!strcmp(w, "bind") || !strcmp(w, "unbind")) {
			int bind = w[0] == 'b';
			char *vn = word(&s), *kn = word(&s);
			while (*s == ' ' || *s == '\t')
				s++;
			int v = vn ? key_view_parse(vn) : -1, k = kn ? keys_parse(kn) : -1;
			if (!vn || !kn || (bind && !*s))
				sb_addf(&msg, _("usage: %s"), bind ? "bind VIEW KEY COMMAND [ARGS]" : "unbind VIEW KEY");
			else if (v < 0)
				sb_addf(&msg, _("unknown view '%s' (global, search, list, view, edit, line, conflict, history, help)"), vn);
			else if (k < 0)
				sb_addf(&msg, _("unknown key '%s'"), kn);
			else if (bind && check && strcmp(s, "none") && !check(s))
				sb_addf(&msg, _("unknown command '%s'"), s);
			else if (bind)
				keymap_bind(km, v, k, s);
			else
				keymap_unbind(km, v, k);
		} else if (!strcmp(w, "set")) {
			char *on = word(&s);
			while (*s == ' ' || *s == '\t')
				s++;
			if (!on || !*s)
				sb_adds(&msg, _("usage: set OPTION VALUE"));
			else
				set_option(o, on, s, &msg);
		} else
			sb_addf(&msg, _("unknown directive '%s' (bind, unbind, set)"), w);
		if (msg.len) {
			sb_addf(err, "%s%s:%d: %s", err->len ? "\n" : "", name, lineno, msg.buf);
			nerr++;
		}
		free(line);
	}
	sb_release(&msg);
	return nerr;
}

int keys_load_file(keymap *km, struct key_options *o, const char *path,
                   key_cmd_check check, strbuf *err)
{
	strbuf sb = STRBUF_INIT;
	int got = sb_read_file(&sb, path);
	if (got < 0) {                 /* -2: opened but not read (a directory, ...) */
		sb_release(&sb);
		if (got == -1 && errno == ENOENT)
			return 0;
		sb_addf(err, "%s%s: %s", err->len ? "\n" : "", path, strerror(errno));
		return 1;
	}
	int r = keys_load_text(km, o, path, sb.buf ? sb.buf : "", check, err);
	sb_release(&sb);
	return r;
}

char *keys_config_path(void)
{
	const char *e = getenv("BIENMUC_CONFIG");
	strbuf sb = STRBUF_INIT;
	if (e && *e)
		return xstrdup(e);
	e = getenv("XDG_CONFIG_HOME");
	if (e && *e)
		sb_addf(&sb, "%s/bienmuc/config", e);
	else {
		const char *h = getenv("HOME");
		sb_addf(&sb, "%s/.config/bienmuc/config", h ? h : ".");
	}
	return sb_detach(&sb, NULL);
}
