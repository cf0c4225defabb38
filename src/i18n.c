/*
 * i18n.c - text domain binding and run-time language switching (see
 * i18n.h). Uses glibc's gettext; nothing here prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>
#include <langinfo.h>
#include <unistd.h>
#include <sys/stat.h>

#include "i18n.h"
#include "util.h"

static char *localedir;
static char *saved_language;   /* LANGUAGE as the environment had it */
static int saved_set;

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *find_localedir(void)
{
	const char *env = getenv("BIENMUC_LOCALEDIR");
	if (env && *env)
		return xstrdup(env);
	char exe[4096];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k > 0) {
		exe[k] = 0;
		/* the binary (or a test binary under build/tests) in a source tree */
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');
			if (!slash)
				break;
			*slash = 0;
			strbuf p = STRBUF_INIT;
			sb_addf(&p, "%s/build/locale", exe);
			if (is_dir(p.buf))
				return sb_detach(&p, NULL);
			sb_release(&p);
		}
	}
	/* BM_DATADIR is PREFIX/share/bienmuc: the locales are PREFIX/share/locale */
	const char *dd = BM_DATADIR;
	const char *sl = strrchr(dd, '/');
	strbuf p = STRBUF_INIT;
	if (sl)
		sb_add(&p, dd, (size_t)(sl - dd));
	else
		sb_adds(&p, "/usr/local/share");
	sb_adds(&p, "/locale");
	return sb_detach(&p, NULL);
}

void i18n_init(void)
{
	if (localedir)
		return;
	localedir = find_localedir();
	bindtextdomain(BM_TEXTDOMAIN, localedir);
	bind_textdomain_codeset(BM_TEXTDOMAIN, "UTF-8");
	textdomain(BM_TEXTDOMAIN);
}

const char *i18n_localedir(void)
{
	return localedir;
}

int i18n_set_lang(const char *lang)
{
	i18n_init();
	if (!saved_set) {
		const char *l = getenv("LANGUAGE");
		saved_language = l ? xstrdup(l) : NULL;
		saved_set = 1;
	}
	if (!strcmp(lang, "auto")) {
		if (saved_language)
			setenv("LANGUAGE", saved_language, 1);
		else
			unsetenv("LANGUAGE");
	} else if (!strcmp(lang, "vi") || !strcmp(lang, "en")) {
		setenv("LANGUAGE", lang, 1);
		/* gettext ignores LANGUAGE in the C locale: use C.UTF-8 for messages */
		const char *cur = setlocale(LC_MESSAGES, NULL);
		if (!strcmp(lang, "vi") && cur && (!strcmp(cur, "C") || !strcmp(cur, "POSIX")))
			setlocale(LC_MESSAGES, "C.UTF-8");
	} else
		return -1;
	/* make gettext forget the translations it has looked up */
	textdomain(BM_TEXTDOMAIN);
	return 0;
}

int i18n_is_vi(void)
{
	i18n_init();
	/* the header entry's translation names the language */
	const char *probe = gettext("Vietnamese interface");
	return strcmp(probe, "Vietnamese interface") != 0;
}

int i18n_need_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	if (cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8")))
		return 0;
	const char *want = NULL;
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	for (size_t i = 0; i < sizeof vars / sizeof vars[0] && !want; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			want = v;
	}
	if (!want)
		want = "C";
	if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "C.utf8")) {
		fprintf(stderr, _("bienmuc: warning: the locale '%s' is not UTF-8 and C.UTF-8 "
		                  "is not installed: Vietnamese letters cannot be shown or typed\n"),
		        want);
		return -1;
	}
	fprintf(stderr, _("bienmuc: warning: the locale '%s' is not installed or not UTF-8; "
	                  "using C.UTF-8\n"), want);
	/* the interface language the environment asked for stays */
	const char *lm = getenv("LC_ALL");
	if (!lm || !*lm)
		lm = getenv("LC_MESSAGES");
	if (!lm || !*lm)
		lm = getenv("LANG");
	if (lm && !strncmp(lm, "vi", 2) && !getenv("LANGUAGE"))
		setenv("LANGUAGE", "vi", 1);     /* what "lang auto" keeps */
	textdomain(BM_TEXTDOMAIN);
	return 1;
}
