/*
 * i18n-lower.c - the per-thread English switch of i18n-lower.h.
 */
#include <libintl.h>

#include "i18n-lower.h"

static _Thread_local int english;

const char *i18n_lower_gettext(const char *msgid)
{
	return english ? msgid : gettext(msgid);
}

const char *i18n_lower_ngettext(const char *msgid, const char *plural, unsigned long n)
{
	if (english)
		return n == 1 ? msgid : plural;
	return dngettext(NULL, msgid, plural, n);
}

int i18n_lower_english(int on)
{
	int was = english;
	english = on != 0;
	return was;
}
