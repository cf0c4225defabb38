/*
 * charset.h - the charset firewall and Unicode helpers.
 *
 * Every way into bienmuc passes charset_fix_record(): whatever the bytes
 * were (UTF-8, MARC-8, Latin-1, or a legacy Vietnamese 8-bit encoding),
 * the record comes out UTF-8 NFC with Leader/09 'a', or is rejected with
 * a reason. Every way out to MARC-8 passes charset_to_marc8(), which
 * refuses (or, lossless, writes NCRs for) what MARC-8 cannot hold instead
 * of silently dropping it as yaz does.
 *
 * Folding for search keys (tones off, đ/Đ/ð/Ð -> d, case folded) lives
 * here too, so the catalogue and the authority code share one definition.
 */
#ifndef BIENMUC_CHARSET_H
#define BIENMUC_CHARSET_H

#include <stddef.h>
#include "rec.h"
#include "util.h"

/* Bring every value of r (leader, control data, subfield values) to
 * UTF-8 NFC. `cs` is the declared source charset (enum marc_charset in
 * marcio.h; CS_AUTO = decide per record). flags: CHARSET_UNICODE when the
 * source syntax is already Unicode (MARCXML, JSON): then only validation
 * and NFC apply; CHARSET_NCR below. Sets Leader/09 to 'a'.
 * Returns 0 on success (warnings, if any, are appended to `warn`, one per
 * line, without trailing newline on the last), or -1 if the record cannot
 * be converted without loss (err says why, naming the tag and subfield,
 * e.g. "245 $a: invalid UTF-8 at byte 12 of the value"). */
#define CHARSET_UNICODE 1       /* flags of charset_fix_record: see above */
#define CHARSET_NCR 2           /* MARC-8 values: read hexadecimal NCRs
                                   "&#xHHHH;" as their characters (LC's
                                   lossless convention; for ISO 2709) */
#define CHARSET_TARGET 4        /* the record comes from a Z39.50/SRU
                                   target: a hint names the targets file's
                                   charset= (zsearch has no --from-charset) */
#define CHARSET_QUIET_CTRL 8    /* no warning for a C0 control character or
                                   DEL kept in a subfield value: the caller
                                   reports those itself (lint's control-char) */
int charset_fix_record(rec *r, int cs, int flags, strbuf *warn, strbuf *err);

/* MARCXML or JSON whose text is 8-bit data read as Latin-1 or Windows-1252
 * (an old export of TCVN3 or VNI, "TruyÖn KiÒu"): turn every value back
 * into those bytes, each character U+0000-U+00FF (or, unless cs is
 * CS_LATIN1, one of the Windows-1252 characters of 0x80-0x9F) becoming
 * its byte, so that charset_fix_record can decode them as cs. A character
 * that is no such byte (the text is Unicode already) makes it return -1,
 * err naming tag, subfield and character; r is then unchanged. */
int charset_unicode_to_bytes(rec *r, int cs, strbuf *err);

/* Convert a UTF-8 record to MARC-8 in place (values become MARC-8 bytes,
 * Leader/09 becomes ' '). Vietnamese is kept: o/u with horn stay the
 * MARC-8 letters, tone marks become MARC-8 combining marks. A character
 * MARC-8 cannot hold makes it return -1 (err names tag, subfield and the
 * character as U+XXXX), unless `lossless`, in which case it is written as
 * an NCR "&#xXXXX;"; lossless 2 also writes "&#x0026;" for a '&' of the
 * data that would read back as an NCR (for ISO 2709, whose reader,
 * charset_fix_record, decodes hexadecimal NCRs in MARC-8 records). */
int charset_to_marc8(rec *r, int lossless, strbuf *err);

/* Convert one string between charsets (for tests and tools).
 * Returns a malloc'd NUL-terminated UTF-8 NFC string, or NULL with err set. */
char *charset_decode(const char *s, size_t n, int cs, strbuf *err);

/* NFC of a UTF-8 string (malloc'd), or NULL if s is not valid UTF-8. */
char *utf8_nfc(const char *s, size_t n);

/* Search key: NFC, tone marks and other diacritics removed, đ/Đ and the
 * look-alikes ð/Ð folded to d, case folded. "Đào Duy Anh" -> "dao duy anh".
 * malloc'd; NULL only for invalid UTF-8. */
char *fold_search(const char *s, size_t n);

/* Matching key for headings: NFC, case folded, spacing collapsed, ISBD
 * punctuation at the ends trimmed, but tone marks KEPT
 * ("Nguyễn, Du," -> "nguyễn, du"). malloc'd. */
char *fold_match(const char *s, size_t n);

#endif
