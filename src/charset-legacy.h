/*
 * charset-legacy.h - the parts of the charset firewall beyond charset.h:
 * charset names (for --from-charset), the legacy Vietnamese 8-bit
 * encodings (TCVN3/ABC, VNI-Windows, VISCII, Windows-1258), the per-record
 * encoding detector, and recovery of the capitals TCVN3 (ABC) loses.
 *
 * Detection policy (see man/bienmuc-charsets.7):
 *   CS_AUTO     never picks a legacy encoding. UTF-8 or MARC-8 as the
 *               bytes and Leader/09 say; a record that is neither is
 *               rejected, and the message names the legacy encoding the
 *               bytes look like ("use --from-charset tcvn3").
 *   CS_AUTO_VI  ("auto-vi") scores UTF-8, MARC-8, TCVN3, VNI, VISCII and
 *               CP1258 on every value of the record (never on Leader/09)
 *               and takes the best when it is clearly the best; otherwise
 *               the record is rejected with the reason. The choice is
 *               reported as a warning "auto-vi: read as TCVN3 (97% sure)".
 */
#ifndef BIENMUC_CHARSET_LEGACY_H
#define BIENMUC_CHARSET_LEGACY_H

#include <stddef.h>
#include "rec.h"
#include "util.h"

/* --from-charset auto-vi: like CS_AUTO, but legacy Vietnamese encodings
 * are candidates too (enum marc_charset in marcio.h stops at CS_CP1258;
 * this value is kept well clear of it). */
#define CS_AUTO_VI 16

/* Parse a charset name, case-insensitively: "auto", "auto-vi" (or
 * "autovi", "auto-vietnamese"), "utf-8"/"utf8", "marc8"/"marc-8"/"ansel",
 * "latin1"/"latin-1"/"iso-8859-1"/"iso8859-1",
 * "tcvn3"/"tcvn"/"abc"/"vn3"/"tcvn5712"/"tcvn5712-1"/"tcvn-5712",
 * "vni"/"vni-win"/"vni-windows", "viscii",
 * "cp1258"/"windows-1258"/"win1258".
 * Returns a CS_* value (CS_AUTO_VI for auto-vi), or -1 if unknown. */
int charset_parse_name(const char *name);
/* Canonical name of a CS_* value ("auto", "auto-vi", "utf-8", "marc8",
 * "latin1", "tcvn3", "vni", "viscii", "cp1258"), or NULL. */
const char *charset_name(int cs);
/* All accepted canonical names, comma separated, for usage messages. */
const char *charset_names(void);

/* Decide the encoding of a record from the bytes of all its values
 * (control data and subfields; never from Leader/09 alone). A record
 * that is valid UTF-8 (or pure ASCII) is UTF-8. Otherwise the candidates
 * are MARC-8, TCVN3, VNI, VISCII, CP1258: every one that can decode the
 * record is scored by how many of the words with non-ASCII letters come
 * out as Vietnamese syllables (or, for MARC-8, as composed Latin
 * letters); confidence grows with the lead over the runner-up. MARC-8
 * that decodes cleanly (every mark on a letter) stays MARC-8 unless a
 * legacy reading is Vietnamese in 80% of its words and clearly ahead.
 * Returns the CS_* value chosen, with *confidence_pct 0..100 (may be
 * NULL), and a one-line reason in `why` (may be NULL), e.g.
 * "TCVN3: 41 of 41 words read as Vietnamese; next best VISCII: 3 of 41".
 * A pure-ASCII record gives CS_UTF8 at 100%. Returns -1 when no
 * candidate fits or the evidence is too thin (why says so). A caller
 * should accept the answer only at >= CHARSET_DETECT_MIN percent. */
int charset_detect_legacy(const rec *r, int *confidence_pct, strbuf *why);
#define CHARSET_DETECT_MIN 50

/* charset_fix_record(), also telling in *used (may be NULL; set only on
 * success) which charset the values were read in: CS_UTF8 (also for
 * plain ASCII), CS_MARC8, CS_LATIN1 or a legacy one. With CS_AUTO_VI this
 * is how a caller knows a record came from TCVN3 and may want
 * charset_tcvn3_recover_caps(). */
int charset_fix_record_as(rec *r, int cs, int flags, strbuf *warn, strbuf *err, int *used);

/* TCVN3 ("ABC" fonts) has no codes for the 60 capital vowels with a tone
 * mark (Á Ấ Ủ Ứ ...): they were typed with the lowercase code and shown
 * by an all-caps font, so after decoding they are lowercase. This puts
 * back the capitals that can be inferred, in a UTF-8 NFC record (call it
 * after charset_fix_record(.., CS_TCVN3, ..)). Only lowercase vowels with
 * a tone mark are ever changed, and only:
 *   1. inside an all-capitals word ("TRƯờNG" -> "TRƯỜNG"), or a word
 *      between all-capitals words;
 *   2. as the first letter of $a of fields 100-899 (not 300, 336-338,
 *      340-347, which are lower case by rule), of 6XX $v $x $y $z $t,
 *      X10 $b, 260/264 $b, 245/246 $n $p;
 *   3. as the first letter of every word of a personal name: $a and $q
 *      of X00 fields (100, 600, 700, 800), e.g. "Nguyễn Nhật ánh";
 *   4. in statements of responsibility and other name-bearing subfields
 *      (245 $c, 250 $b, 505 $r, 508 $a, 511 $a), a word right after a
 *      capitalised word that is followed by a capitalised word or ends
 *      the name ("Nguyễn ái Quốc", "Nguyễn Nhật ánh.");
 *   5. after "?", "!" or a full stop ending a real word (not "tr.",
 *      "Nxb.") in notes (5XX $a).
 * What cannot be recovered: a capitalised word in running text that
 * starts with a toned vowel ("... của ủy ban nhân dân" vs "Ủy ban"), and
 * the first letter of subfields other than those above.
 * Returns the number of letters changed. */
int charset_tcvn3_recover_caps(rec *r);

/* ---- internal to the charset module (charset*.c) ---- */

/* Decode n bytes of a single-byte legacy encoding (CS_TCVN3, CS_VNI,
 * CS_VISCII, CS_CP1258, CS_LATIN1) to UTF-8, appended to out, not yet
 * normalised (VNI and CP1258 give base letters + combining marks).
 * Returns 0; -1 with *bad = offset of a byte the encoding does not
 * define; -2 with *bad = offset of a mark byte (tone, or VNI's vowel
 * marks) that follows no letter: the bytes are not in this encoding. */
int charset_legacy_to_utf8(int cs, const char *s, size_t n, strbuf *out, size_t *bad);

/* Decode one MARC-8 value to UTF-8 NFC, appended to out. Returns 0, or
 * -1 with a reason (without tag) appended to why. Uses yaz for the
 * character tables, but refuses what yaz would silently drop. */
int charset_marc8_to_utf8(const char *s, size_t n, strbuf *out, strbuf *why);

/* Read the MARC-8 escape sequence whose ESC is p[i] (p[i] == 0x1B):
 * ESC [$] ( , ) - [!] F. Returns the index of its final byte F, or n when
 * the sequence is unfinished within [p, p+n); *g1 = 1 when it designates
 * G1 (the ')' or '-' forms), else 0. F is not checked. */
size_t charset_marc8_escape(const unsigned char *p, size_t n, size_t i, int *g1);

/* Append the NFC of valid UTF-8 [s, s+n) to out (fast when already NFC). */
void charset_nfc_append(const char *s, size_t n, strbuf *out);

/* 1 if the MARC-8 value decodes but looks wrong (combining marks left on
 * spaces, punctuation or nothing, after NFC): worth running the detector. */
int charset_marc8_suspicious(const char *utf8, size_t n);

/* How one word (UTF-8 NFC, letters only) reads: 2 = a Vietnamese
 * syllable (any case, one tone on the right vowel), 1 = some other word
 * of letters, 0 = neither (stray marks, odd case pattern). */
int charset_word_class(const char *s, size_t n);

/* Close the cached yaz converters (for leak checkers at exit). */
void charset_cleanup(void);

#endif
