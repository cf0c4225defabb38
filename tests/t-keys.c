/*
 * t-keys.c - unit tests of key names, bindings and the config parser
 * (keys.h), including that every default binding names a real command.
 */
#include "harness.h"
#include "keys.h"
#include "tcmd.h"

static void test_names(void)
{
	char buf[32];
	CHECK_INT(keys_parse("C-s"), 19);
	CHECK_INT(keys_parse("C-S"), 19);
	CHECK_INT(keys_parse("F2"), KEYC_F(2));
	CHECK_INT(keys_parse("M-2"), KEYC_META | '2');
	CHECK_INT(keys_parse("M-Up"), KEYC_META | KEYC_UP);
	CHECK_INT(keys_parse("PgDn"), KEYC_NPAGE);
	CHECK_INT(keys_parse("Space"), ' ');
	CHECK_INT(keys_parse("?"), '?');
	CHECK_INT(keys_parse("đ"), 0x111);
	CHECK_INT(keys_parse("F99"), -1);
	CHECK_INT(keys_parse("Nope"), -1);
	CHECK_INT(keys_parse(""), -1);
	CHECK_STR(keys_name(19, buf, sizeof buf), "C-s");
	CHECK_STR(keys_name(KEYC_F(10), buf, sizeof buf), "F10");
	CHECK_STR(keys_name(KEYC_META | '0', buf, sizeof buf), "M-0");
	CHECK_STR(keys_name(13, buf, sizeof buf), "Enter");
	CHECK_STR(keys_name(127, buf, sizeof buf), "BSpace");
	CHECK_STR(keys_name(0x111, buf, sizeof buf), "đ");
	/* names round-trip */
	const char *names[] = { "C-a", "M-x", "F12", "Home", "End", "PgUp", "DC", "IC",
	                        "Tab", "BTab", "Escape", "Up", "M-Down", "a", ":", NULL };
	for (int i = 0; names[i]; i++)
		CHECK_STR(keys_name(keys_parse(names[i]), buf, sizeof buf), names[i]);
	CHECK_INT(key_view_parse("edit"), KV_EDIT);
	CHECK_INT(key_view_parse("x"), -1);
	CHECK_STR(key_view_name(KV_CONFLICT), "conflict");
}

static int check_cmd(const char *c)
{
	return tcmd_known(c);
}

static void test_bindings(void)
{
	keymap *km = keymap_create();
	struct key_options o;
	strbuf err = STRBUF_INIT;
	key_options_default(&o);
	CHECK_INT(keys_load_text(km, &o, "defaults", keys_default_config, check_cmd, &err), 0);
	if (err.len)
		fprintf(stderr, "%s\n", err.buf);
	CHECK_STR(keymap_lookup(km, KV_EDIT, 19), "save");
	CHECK_STR(keymap_lookup(km, KV_EDIT, KEYC_F(2)), "save");
	CHECK_STR(keymap_lookup(km, KV_EDIT, KEYC_META | '2'), "save");
	/* fallback to global, but not from text-entry views */
	CHECK_STR(keymap_lookup(km, KV_LIST, KEYC_F(1)), "help");
	CHECK_STR(keymap_lookup(km, KV_LIST, 13), "open");
	CHECK_STR(keymap_lookup(km, KV_LIST, 10), "open");
	CHECK(keymap_lookup(km, KV_LINE, 'q') == NULL);
	CHECK(keymap_lookup(km, KV_SEARCH, 'q') == NULL);
	CHECK_STR(keymap_lookup(km, KV_LINE, 127), "line-backspace");
	CHECK_STR(keymap_lookup(km, KV_LINE, 8), "line-backspace");
	/* every F-key binding has a Ctrl or ESC twin in the same view */
	for (int v = 0; v < KV_NVIEWS; v++) {
		int key;
		const char *cmd;
		for (size_t i = 0; keymap_get(km, v, i, &key, &cmd); i++) {
			if (key < KEYC_F(1) || key > KEYC_F(20))
				continue;
			strbuf keys = STRBUF_INIT;
			keymap_keys_for(km, v, cmd, &keys);
			CHECKF(strstr(keys.buf, "M-") || strstr(keys.buf, "C-"),
			       "%s %s has only %s", key_view_name(v), cmd, keys.buf);
			sb_release(&keys);
		}
	}
	strbuf keys = STRBUF_INIT;
	keymap_keys_for(km, KV_EDIT, "save", &keys);
	CHECK_STR(keys.buf, "C-s, F2, M-2");
	sb_release(&keys);

	/* user config overrides, unbinds, options, errors with line numbers */
	const char *user =
		"# mine\n"
		"bind edit C-w save\n"
		"unbind edit C-s\n"
		"bind global F12 quit!\n"
		"set display labelled\n"
		"set input telex\n"
		"bind nowhere C-a help\n"
		"bind edit Hyper-x help\n"
		"bind edit C-x frobnicate\n"
		"set colour red\n"
		"frob\n";
	sb_reset(&err);
	CHECK_INT(keys_load_text(km, &o, "config", user, check_cmd, &err), 5);
	CHECK(strstr(err.buf, "config:7: unknown view 'nowhere'") != NULL);
	CHECK(strstr(err.buf, "config:8: unknown key 'Hyper-x'") != NULL);
	CHECK(strstr(err.buf, "config:9: unknown command 'frobnicate'") != NULL);
	CHECK(strstr(err.buf, "config:10: unknown option 'colour'") != NULL);
	CHECK(strstr(err.buf, "config:11:") != NULL);
	CHECK_STR(keymap_lookup(km, KV_EDIT, 23), "save");
	CHECK(keymap_lookup(km, KV_EDIT, 19) == NULL);
	CHECK_STR(keymap_lookup(km, KV_VIEW, KEYC_F(12)), "quit!");
	CHECK_INT(o.labelled, 1);
	CHECK_INT(o.input, 1);
	/* "none" hides a global binding in one view */
	keys_load_text(km, &o, "x", "bind list ? none\n", check_cmd, &err);
	CHECK(keymap_lookup(km, KV_LIST, '?') == NULL);
	CHECK_STR(keymap_lookup(km, KV_VIEW, '?'), "help");
	/* esc-delay: how soon after Esc a special key is Meta */
	CHECK_INT(o.esc_delay, 100);
	sb_reset(&err);
	CHECK_INT(keys_load_text(km, &o, "x", "set esc-delay 250\nset esc-delay 5\n", check_cmd, &err), 1);
	CHECK_INT(o.esc_delay, 250);
	CHECK(strstr(err.buf, "x:2: esc-delay must be") != NULL);
	CHECK_INT(keys_load_file(km, &o, "/nonexistent/bienmuc/config", check_cmd, &err), 0);
	sb_release(&err);
	keymap_destroy(km);
	keymap_destroy(NULL);
}

/* bienmuc.conf(5) DEFAULTS is the default config, line for line (its
 * comments left out): the table in keys.c is the one source. */
static void test_man_defaults(void)
{
	const char *root = getenv("BM_ROOT");
	char path[1024];
	snprintf(path, sizeof path, "%s/man/bienmuc.conf.5", root && *root ? root : ".");
	FILE *f = fopen(path, "r");
	CHECKF(f != NULL, "cannot read %s", path);
	if (!f)
		return;
	strbuf man = STRBUF_INIT;
	char line[512];
	int state = 0;       /* 0 before DEFAULTS, 1 before the display, 2 in it */
	while (fgets(line, sizeof line, f)) {
		if (state == 0 && !strncmp(line, ".Sh DEFAULTS", 12))
			state = 1;
		else if (state == 1 && !strncmp(line, ".Bd -literal", 12))
			state = 2;
		else if (state == 2 && !strncmp(line, ".Ed", 3))
			break;
		else if (state == 2) {
			const char *p = line;
			if (!strncmp(p, "\\&", 2))
				p += 2;
			for (; *p; p++) {
				if (p[0] == '\\' && p[1] == 'e') {
					sb_addc(&man, '\\');
					p++;
				} else
					sb_addc(&man, *p);
			}
		}
	}
	fclose(f);
	strbuf want = STRBUF_INIT;
	for (const char *p = keys_default_config; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		if (*p != '#')
			sb_add(&want, p, n);
		p += n;
	}
	CHECK_STR(man.buf ? man.buf : "", want.buf ? want.buf : "");
	sb_release(&man);
	sb_release(&want);
}

int main(void)
{
	test_names();
	test_bindings();
	test_man_defaults();
	DONE();
}
