/*
 * i18n.h - the interface language: gettext for every interface string of
 * the workstation and the shell (_("text"), N_("text") for tables that are
 * translated where they are shown). The catalogue is po/vi.po, compiled
 * to build/locale/vi/LC_MESSAGES/bienmuc.mo by make and installed under
 * PREFIX/share/locale.
 *
 * The language comes from LANGUAGE / LC_ALL / LC_MESSAGES / LANG as usual
 * (setlocale is done in main), or from `set lang vi|en|auto` (option of
 * keys.h) through i18n_set_lang().
 */
#ifndef BIENMUC_I18N_H
#define BIENMUC_I18N_H

#include <libintl.h>

#define BM_TEXTDOMAIN "bienmuc"
#define _(s) gettext(s)
#define N_(s) (s)

/* Bind the text domain (once; later calls do nothing): the build tree's
 * build/locale when the binary runs from the source tree, else the
 * installed PREFIX/share/locale. $BIENMUC_LOCALEDIR overrides both. */
void i18n_init(void);
/* Switch the language at run time: "vi", "en" or "auto" (back to the
 * environment). Returns 0, or -1 for an unknown name. */
int i18n_set_lang(const char *lang);
/* 1 when the interface is in Vietnamese now (a translated string is in
 * use), so callers can prefer Vietnamese MARC names. */
int i18n_is_vi(void);
/* For the screen front ends, after setlocale(LC_ALL, ""): if that locale
 * is missing or not UTF-8, switch to C.UTF-8 (keeping a Vietnamese
 * interface the environment asked for) and warn once on stderr. Returns
 * 0 UTF-8 as it was, 1 switched, -1 no UTF-8 locale at all (warned). */
int i18n_need_utf8(void);
/* The locale directory in use (after i18n_init). */
const char *i18n_localedir(void);

#endif
