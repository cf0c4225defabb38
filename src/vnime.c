/*
 * vnime.c - Telex and VNI input methods (see vnime.h for the rules).
 *
 * The word is taken apart into letters, each a base ASCII letter with a
 * shape mark (circumflex, breve, horn, or the stroke of đ) and a tone.
 * A key changes that model and the word is put together again and
 * normalised to NFC, so precomposed or decomposed input both work and the
 * tone is always re-placed by the spelling rules after every letter.
 */
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <utf8proc.h>

#include "vnime.h"
#include "util.h"

enum { M_NONE, M_HAT, M_BREVE, M_HORN, M_STROKE };
enum { T_NONE, T_ACUTE, T_GRAVE, T_HOOK, T_TILDE, T_DOT };

#define MAXLET 32

struct letter {
	char base;     /* ASCII letter, original case */
	int mod;
	int tone;
};

struct word {
	struct letter l[MAXLET];
	int n;
};

static const uint32_t tone_mark[] = { 0, 0x301, 0x300, 0x309, 0x303, 0x323 };

void vnime_init(vnime *m, int method)
{
	m->method = method;
	m->new_style = 0;
	m->undone = 0;
}

int vnime_method_parse(const char *name)
{
	if (!strcmp(name, "telex"))
		return VNIME_TELEX;
	if (!strcmp(name, "vni"))
		return VNIME_VNI;
	if (!strcmp(name, "off") || !strcmp(name, "none"))
		return VNIME_OFF;
	return -1;
}

const char *vnime_method_name(int method)
{
	switch (method) {
	case VNIME_TELEX: return "telex";
	case VNIME_VNI: return "vni";
	}
	return "off";
}

static int is_vowel(char c)
{
	return c && strchr("aeiouyAEIOUY", c) != NULL;
}

/* Decompose an NFC word into letters. Returns 0 if it holds anything that
 * is not a (Vietnamese) letter. */
static int parse_word(const char *s, struct word *w)
{
	w->n = 0;
	utf8proc_uint8_t *d = NULL;
	if (utf8proc_map((const utf8proc_uint8_t *)s, 0, &d,
	                 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE) < 0)
		return 0;
	const utf8proc_uint8_t *p = d;
	int ok = 1;
	while (*p && ok) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &c);
		if (k <= 0) {
			ok = 0;
			break;
		}
		p += k;
		if (c < 128 && isalpha(c)) {
			if (w->n == MAXLET) {
				ok = 0;
				break;
			}
			w->l[w->n].base = (char)c;
			w->l[w->n].mod = M_NONE;
			w->l[w->n].tone = T_NONE;
			w->n++;
			continue;
		}
		if (c == 0x111 || c == 0x110) {
			if (w->n == MAXLET) {
				ok = 0;
				break;
			}
			w->l[w->n].base = c == 0x111 ? 'd' : 'D';
			w->l[w->n].mod = M_STROKE;
			w->l[w->n].tone = T_NONE;
			w->n++;
			continue;
		}
		if (w->n == 0) {
			ok = 0;
			break;
		}
		struct letter *l = &w->l[w->n - 1];
		switch (c) {
		case 0x302: l->mod = M_HAT; break;
		case 0x306: l->mod = M_BREVE; break;
		case 0x31B: l->mod = M_HORN; break;
		case 0x301: l->tone = T_ACUTE; break;
		case 0x300: l->tone = T_GRAVE; break;
		case 0x309: l->tone = T_HOOK; break;
		case 0x303: l->tone = T_TILDE; break;
		case 0x323: l->tone = T_DOT; break;
		default: ok = 0;
		}
	}
	free(d);
	return ok;
}

static void put_cp(strbuf *sb, uint32_t c)
{
	utf8proc_uint8_t b[4];
	utf8proc_ssize_t k = utf8proc_encode_char((utf8proc_int32_t)c, b);
	sb_add(sb, b, (size_t)k);
}

/* Put the word together, NFC, into out. Returns 0 if it does not fit. */
static int build_word(const struct word *w, char *out, size_t outsz)
{
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < w->n; i++) {
		const struct letter *l = &w->l[i];
		if (l->mod == M_STROKE) {
			put_cp(&sb, l->base == 'D' ? 0x110 : 0x111);
			continue;
		}
		sb_addc(&sb, l->base);
		if (l->mod == M_HAT)
			put_cp(&sb, 0x302);
		else if (l->mod == M_BREVE)
			put_cp(&sb, 0x306);
		else if (l->mod == M_HORN)
			put_cp(&sb, 0x31B);
		if (l->tone)
			put_cp(&sb, tone_mark[l->tone]);
	}
	utf8proc_uint8_t *c = utf8proc_NFC((const utf8proc_uint8_t *)(sb.buf ? sb.buf : ""));
	sb_release(&sb);
	if (!c)
		return 0;
	size_t n = strlen((char *)c);
	int ok = n + 1 <= outsz;
	if (ok)
		memcpy(out, c, n + 1);
	free(c);
	return ok;
}

static int lower(char c)
{
	return tolower((unsigned char)c);
}

/* The vowel nucleus: [*start, *end) indexes of the vowel run that carries
 * the tone, skipping the u of "qu" and the i of "gi" before another vowel.
 * Returns 0 if the word has no vowel. */
static int nucleus(const struct word *w, int *start, int *end)
{
	int i = 0;
	while (i < w->n && !is_vowel(w->l[i].base))
		i++;
	if (i == w->n)
		return 0;
	if (i > 0 && i + 1 < w->n && is_vowel(w->l[i + 1].base)) {
		char prev = (char)lower(w->l[i - 1].base), v = (char)lower(w->l[i].base);
		if ((prev == 'q' && v == 'u') || (prev == 'g' && v == 'i' && w->l[i].mod == M_NONE))
			i++;
	}
	int j = i;
	while (j < w->n && is_vowel(w->l[j].base))
		j++;
	*start = i;
	*end = j;
	return 1;
}

/* Index of the vowel that carries the tone, or -1. */
static int tone_pos(const struct word *w, int new_style)
{
	int s, e;
	if (!nucleus(w, &s, &e))
		return -1;
	int n = e - s;
	/* ươ: on ơ */
	for (int i = s; i + 1 < e; i++)
		if (lower(w->l[i].base) == 'u' && lower(w->l[i + 1].base) == 'o' &&
		    w->l[i + 1].mod == M_HORN)
			return i + 1;
	int last_mod = -1;
	for (int i = s; i < e; i++)
		if (w->l[i].mod != M_NONE)
			last_mod = i;
	if (last_mod >= 0)
		return last_mod;
	if (e < w->n)           /* final consonant */
		return e - 1;
	if (n >= 3)
		return s + 1;
	if (n == 2) {
		char a = (char)lower(w->l[s].base), b = (char)lower(w->l[s + 1].base);
		if (new_style && ((a == 'o' && (b == 'a' || b == 'e')) || (a == 'u' && b == 'y')))
			return s + 1;
		return s;
	}
	return s;
}

static int word_tone(const struct word *w)
{
	for (int i = 0; i < w->n; i++)
		if (w->l[i].tone)
			return w->l[i].tone;
	return T_NONE;
}

static void set_tone(struct word *w, int tone, int new_style)
{
	for (int i = 0; i < w->n; i++)
		w->l[i].tone = T_NONE;
	if (!tone)
		return;
	int p = tone_pos(w, new_style);
	if (p >= 0)
		w->l[p].tone = tone;
}

static void append(struct word *w, uint32_t c)
{
	w->l[w->n].base = (char)c;
	w->l[w->n].mod = M_NONE;
	w->l[w->n].tone = T_NONE;
	w->n++;
}

/* Apply a shape mark (hat/breve/horn on the letter(s) it fits). `which`
 * lists the lowercase bases the mark applies to. Returns 1 if applied,
 * -1 if it was already there (undo), 0 if nothing fits. */
static int apply_mod(struct word *w, int mod, const char *which)
{
	int s, e;
	if (mod == M_STROKE) {
		for (int i = w->n - 1; i >= 0; i--)
			if (lower(w->l[i].base) == 'd') {
				if (w->l[i].mod == M_STROKE) {
					w->l[i].mod = M_NONE;
					return -1;
				}
				w->l[i].mod = M_STROKE;
				return 1;
			}
		return 0;
	}
	if (!nucleus(w, &s, &e))
		return 0;
	/* also let the u of "qu" be skipped but allow "uo" pairs in the run */
	if (mod == M_HORN) {
		for (int i = s; i + 1 < e; i++)
			if (lower(w->l[i].base) == 'u' && lower(w->l[i + 1].base) == 'o') {
				if (w->l[i].mod == M_HORN && w->l[i + 1].mod == M_HORN) {
					w->l[i].mod = w->l[i + 1].mod = M_NONE;
					return -1;
				}
				/* "quo" + w: only the o */
				if (i > 0 && lower(w->l[i - 1].base) == 'q')
					w->l[i + 1].mod = M_HORN;
				else
					w->l[i].mod = w->l[i + 1].mod = M_HORN;
				return 1;
			}
	}
	for (int i = e - 1; i >= s; i--) {
		if (!strchr(which, lower(w->l[i].base)))
			continue;
		if (w->l[i].mod == mod) {
			w->l[i].mod = M_NONE;
			return -1;
		}
		w->l[i].mod = mod;
		return 1;
	}
	return 0;
}

int vnime_key(vnime *m, const char *word, uint32_t c, char *out, size_t outsz)
{
	struct word w;
	if (m->method == VNIME_OFF || c >= 128 || !isalnum((int)c))
		return 0;
	if (!parse_word(word ? word : "", &w))
		return 0;
	if (m->undone && m->undone == (uint32_t)lower((char)c)) {
		/* the key right after an undo is typed as itself */
		m->undone = 0;
		if (!isalpha((int)c) || w.n == MAXLET)
			return 0;
		int t = word_tone(&w);
		append(&w, c);
		set_tone(&w, t, m->new_style);
		return build_word(&w, out, outsz);
	}
	m->undone = 0;
	int lc = lower((char)c);
	int tone = -1, mod = -1;
	const char *which = NULL;
	if (m->method == VNIME_TELEX) {
		switch (lc) {
		case 's': tone = T_ACUTE; break;
		case 'f': tone = T_GRAVE; break;
		case 'r': tone = T_HOOK; break;
		case 'x': tone = T_TILDE; break;
		case 'j': tone = T_DOT; break;
		case 'z': tone = T_NONE; break;
		case 'w': mod = M_HORN; which = "ou"; break;
		case 'a': case 'e': case 'o':
			/* aa, ee, oo: circumflex on the last vowel when it is the same letter */
			if (w.n > 0) {
				int s, e;
				if (nucleus(&w, &s, &e)) {
					/* only on the last vowel: "ngoeo" stays ngoeo */
					if (lower(w.l[e - 1].base) == lc) {
						mod = M_HAT;
						which = lc == 'a' ? "a" : lc == 'e' ? "e" : "o";
					}
				}
			}
			break;
		case 'd':
			/* dd: the stroke goes on an initial d */
			if (w.n > 0 && lower(w.l[0].base) == 'd')
				mod = M_STROKE;
			break;
		}
	} else { /* VNI */
		switch (lc) {
		case '1': tone = T_ACUTE; break;
		case '2': tone = T_GRAVE; break;
		case '3': tone = T_HOOK; break;
		case '4': tone = T_TILDE; break;
		case '5': tone = T_DOT; break;
		case '0': tone = T_NONE; break;
		case '6': mod = M_HAT; which = "aeo"; break;
		case '7': mod = M_HORN; which = "ou"; break;
		case '8': mod = M_BREVE; which = "a"; break;
		case '9': mod = M_STROKE; break;
		}
	}
	if (tone >= 0) {
		int s, e;
		if (!nucleus(&w, &s, &e))
			return 0;
		int cur = word_tone(&w);
		if (tone == T_NONE) {
			if (cur == T_NONE)
				return 0;
			set_tone(&w, T_NONE, m->new_style);
		} else if (cur == tone) {
			/* same tone key again: undo and type the key */
			set_tone(&w, T_NONE, m->new_style);
			if (w.n == MAXLET)
				return 0;
			w.l[w.n].base = (char)c;
			w.l[w.n].mod = M_NONE;
			w.l[w.n].tone = T_NONE;
			w.n++;
			m->undone = (uint32_t)lc;
		} else
			set_tone(&w, tone, m->new_style);
		return build_word(&w, out, outsz);
	}
	if (mod >= 0) {
		int t = word_tone(&w);
		int r;
		if (m->method == VNIME_TELEX && lc == 'w') {
			r = apply_mod(&w, M_HORN, "ou");
			if (r == 0) {
				/* aw -> ă */
				r = apply_mod(&w, M_BREVE, "a");
			}
			if (r == 0) {
				int s, e;
				if (nucleus(&w, &s, &e) || w.n == MAXLET)
					return 0;
				/* a lone w is ư */
				w.l[w.n].base = c == 'W' ? 'U' : 'u';
				w.l[w.n].mod = M_HORN;
				w.l[w.n].tone = T_NONE;
				w.n++;
				r = 1;
			}
		} else
			r = apply_mod(&w, mod, which ? which : "");
		if (r == 0)
			return 0;
		if (r < 0) {
			if (w.n == MAXLET)
				return 0;
			append(&w, c);
			m->undone = (uint32_t)lc;
		}
		set_tone(&w, t, m->new_style);
		return build_word(&w, out, outsz);
	}
	/* an ordinary letter: append and re-place the tone */
	if (!isalpha((int)c) || w.n == MAXLET || word_tone(&w) == T_NONE)
		return 0;
	int t = word_tone(&w);
	append(&w, c);
	set_tone(&w, t, m->new_style);
	return build_word(&w, out, outsz);
}

char *vnime_type(vnime *m, const char *keys)
{
	strbuf text = STRBUF_INIT;
	size_t word_start = 0;
	char out[256];
	for (const unsigned char *p = (const unsigned char *)keys; *p; ) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &c);
		if (k <= 0)
			break;
		if (vnime_key(m, text.buf ? text.buf + word_start : "", (uint32_t)c, out, sizeof out)) {
			text.len = word_start;
			sb_adds(&text, out);
		} else {
			sb_add(&text, p, (size_t)k);
			if (!(c < 128 && isalpha(c)) && !(c >= 0xC0)) {
				word_start = text.len;
				m->undone = 0;
			}
		}
		p += k;
	}
	return sb_detach(&text, NULL);
}
