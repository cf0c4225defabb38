/*
 * vnime.h - built-in Vietnamese input methods (Telex and VNI) for consoles
 * and SSH sessions that have no system input method.
 *
 * The editor keeps the word being typed (the letters just before the
 * cursor) and hands each typed key to vnime_key(). The input method
 * either transforms the word ("Tieeng" + 's' -> "Tiếng") or says the key
 * is an ordinary character. Everything is UTF-8 NFC; no curses here.
 *
 * Rules: Telex aa/ee/oo -> â/ê/ô, aw/ow/uw -> ă/ơ/ư, uow -> ươ, w -> ư,
 * dd -> đ, tones s f r x j (sắc huyền hỏi ngã nặng), z removes the tone.
 * VNI: digits 1-5 tones, 6 circumflex, 7 horn, 8 breve, 9 đ, 0 no tone.
 * Pressing the same key again undoes the transformation and types the
 * key itself ("aw" + 'w' -> "aw", "á" + 's' -> "as"). The tone goes on
 * the vowel the spelling rules give; for oa/oe/uy with no final
 * consonant the traditional style puts it on the first vowel (hòa,
 * khỏe, thủy: the default, as in National Library records) and the new
 * style on the second (hoà, khoẻ, thuỷ).
 */
#ifndef BIENMUC_VNIME_H
#define BIENMUC_VNIME_H

#include <stddef.h>
#include <stdint.h>

enum vnime_method { VNIME_OFF = 0, VNIME_TELEX, VNIME_VNI };

typedef struct vnime {
	int method;        /* enum vnime_method */
	int new_style;     /* 1: hoà/khoẻ/thuỷ; 0 (default): hòa/khỏe/thủy */
	uint32_t undone;   /* internal: key whose transformation was just undone */
} vnime;

/* Initialise with a method and the traditional tone style. */
void vnime_init(vnime *m, int method);

/* Feed key c (a Unicode code point) typed right after `word` (the
 * letters before the cursor, UTF-8 NFC, may be empty).
 * Returns 1 if the input method handled the key: out holds the word that
 * replaces `word` (NUL-terminated, UTF-8 NFC). Returns 0 if c is to be
 * inserted as typed (it may also end the word). out must have room for
 * outsz bytes; a word that does not fit is left alone (returns 0). */
int vnime_key(vnime *m, const char *word, uint32_t c, char *out, size_t outsz);

/* Type a whole string through the input method, as a user would, and
 * return the text produced (malloc'd). For tests and scripts. */
char *vnime_type(vnime *m, const char *keys);

/* "telex", "vni", "off" -> enum, -1 if unknown; and the reverse. */
int vnime_method_parse(const char *name);
const char *vnime_method_name(int method);

#endif
