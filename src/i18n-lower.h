/*
 * i18n-lower.h - gettext for the lower layers (codecs, charset firewall,
 * query translation, authority and form parsers, Z39.50 client): include
 * this instead of i18n.h. _() and ngettext() translate as usual, except
 * while the calling thread has asked for English with
 * i18n_lower_english(1): a caller that puts these messages into
 * machine-readable output meant to be the same in every language (lint
 * --json, for one) switches them off around the calls that make them.
 * Nothing here binds a text domain or sets a locale (main does that).
 */
#ifndef BIENMUC_I18N_LOWER_H
#define BIENMUC_I18N_LOWER_H

#include "i18n.h"

#if defined(__GNUC__)
#define BM_FORMAT_ARG(n) __attribute__((format_arg(n)))
#else
#define BM_FORMAT_ARG(n)
#endif

/* gettext / ngettext unless English was asked for on this thread. */
const char *i18n_lower_gettext(const char *msgid) BM_FORMAT_ARG(1);
const char *i18n_lower_ngettext(const char *msgid, const char *plural, unsigned long n)
	BM_FORMAT_ARG(1) BM_FORMAT_ARG(2);
/* 1: lower-layer messages of the calling thread stay English (msgids);
 * 0: translated again. Returns the previous setting, for nesting. */
int i18n_lower_english(int on);

#undef _
#define _(s) i18n_lower_gettext(s)
#undef ngettext
#define ngettext(s, p, n) i18n_lower_ngettext((s), (p), (unsigned long)(n))

#endif
