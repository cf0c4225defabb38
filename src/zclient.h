/*
 * zclient.h - copy cataloguing over Z39.50 and SRU: the targets file,
 * one CCL query sent to several targets at once (ZOOM asynchronous), and
 * the records that come back brought through the charset firewall.
 *
 * The search never blocks: zsearch_start() only queues work; a front end
 * asks zsearch_pollfds() which sockets to watch (and for how long), polls
 * them together with its own (the keyboard), and hands the result to
 * zsearch_process(). zsearch_run() is that loop for the command line.
 * Each target has its own status (connecting, searching, done with a hit
 * count, error with ZOOM's or the server's diagnostic, timeout) and its
 * own timeout: one target that never answers does not hold up the others.
 *
 * Targets file (bienmuc.conf(5), TARGETS): one target a line,
 *   target NAME ADDRESS [syntax=usmarc|marcxml] [charset=marc8|utf-8|auto]
 *          [timeout=SECONDS] [org=CODE] [user=NAME] [password=SECRET]
 *   map NAME QUALIFIER CCL-ATTRIBUTES...   (e.g. map loc ti u=4 s=pw t=r)
 * ADDRESS: tcp:host:port/db, host:port/db, z3950://host:port/db, or an
 * SRU http:// URL.
 */
#ifndef BIENMUC_ZCLIENT_H
#define BIENMUC_ZCLIENT_H

#include <stddef.h>
#include <poll.h>
#include "rec.h"
#include "util.h"

enum { ZT_USMARC = 0, ZT_MARCXML = 1 };

struct ztarget {
	char *name;              /* as in the targets file, or the address */
	char *address;           /* tcp:host:port/db or http://... (ZOOM form) */
	int syntax;              /* ZT_USMARC or ZT_MARCXML */
	int charset;             /* enum marc_charset: CS_AUTO, CS_MARC8, CS_UTF8 */
	int timeout;             /* seconds without an answer before giving up */
	char *org;               /* MARC org code of the source (fallback for 035) */
	char *user, *password;   /* NULL: anonymous */
	char *qualifiers;        /* CCL qualifier overrides, "ti u=4 s=pw\n"... */
	int sru;                 /* address is http(s):// */
};

struct ztargets {
	struct ztarget *t;
	size_t n;
};

/* $BIENMUC_TARGETS, else $XDG_CONFIG_HOME/bienmuc/targets, else
 * ~/.config/bienmuc/targets. malloc'd. */
char *ztargets_default_path(void);
/* Read a targets file into ts (appended). A missing file is not an error
 * when missing_ok. Returns 0, or -1 with "FILE:LINE: what is wrong" in err. */
int ztargets_load(struct ztargets *ts, const char *path, int missing_ok,
                  strbuf *err);
void ztargets_release(struct ztargets *ts);
/* Find `spec` by name in ts, or take it as an address (tcp:, z3950://,
 * host:port/db, http://). Fills out with a deep copy. Returns 0, or -1 when
 * spec is neither a known name nor an address. */
int ztarget_resolve(const struct ztargets *ts, const char *spec,
                    struct ztarget *out, strbuf *err);
void ztarget_release(struct ztarget *t);
/* Deep copy. */
void ztarget_copy(struct ztarget *dst, const struct ztarget *src);

/* The CCL query as PQF with the target's qualifier overrides (the
 * default qualifiers are the catalogue's, cclquery.h). Returns 0, or -1
 * with "column N: ..." in err and *pos set. */
int zclient_ccl_to_pqf(const struct ztarget *t, const char *ccl, strbuf *out,
                       int *pos, strbuf *err);

/* ---- asynchronous multi-target search ---- */
enum zt_state {
	ZS_CONNECTING = 0,       /* waiting for the target */
	ZS_DONE,                 /* answered: hits known, records fetched */
	ZS_ERROR,                /* connect failed, diagnostic, bad query */
	ZS_TIMEOUT,              /* no answer within its timeout */
};

struct zt_status {
	const char *name;        /* target name */
	int state;               /* enum zt_state */
	long hits;               /* when ZS_DONE */
	size_t nrecords;         /* records received and converted */
	size_t nbad;             /* records the firewall rejected */
	int code;                /* ZOOM/Bib-1 error code (ZS_ERROR/TIMEOUT) */
	const char *error;       /* message (ZS_ERROR/TIMEOUT), else NULL */
	double seconds;          /* time to answer */
};

struct zrecord {
	size_t target;           /* index in the target list */
	long position;           /* 1-based position in that target's result */
	rec *r;                  /* UTF-8 NFC; owned by the search */
};

typedef struct zsearch zsearch;

/* Start the search of `ccl` on n targets, asking each for the first
 * `want` records (0 = only count). Never blocks. Returns NULL with a
 * message in err only for a malformed query (*pos as cclq_parse); a target
 * that cannot be reached is reported in its status instead. */
zsearch *zsearch_start(const struct ztarget *t, size_t n, const char *ccl,
                       long want, int *pos, strbuf *err);
/* Fill fds (at most max) with the sockets to watch; *timeout_ms gets the
 * longest the caller may wait before calling zsearch_process (the nearest
 * target timeout; -1 when nothing is pending). Returns the number of fds. */
size_t zsearch_pollfds(zsearch *zs, struct pollfd *fds, size_t max,
                       int *timeout_ms);
/* After poll() (or on a timeout): do the I/O that is ready, fire expired
 * timeouts, convert records of targets that finished. fds/nfds as filled
 * by zsearch_pollfds (with revents). Returns the number of targets whose
 * status changed. */
int zsearch_process(zsearch *zs, const struct pollfd *fds, size_t nfds);
/* 1 when every target is done, failed or timed out. */
int zsearch_finished(const zsearch *zs);
/* Blocking loop (poll) until finished; calls fn (may be NULL) each time a
 * target's status changes. */
void zsearch_run(zsearch *zs, void (*fn)(void *arg, zsearch *zs, size_t target),
                 void *arg);
size_t zsearch_ntargets(const zsearch *zs);
const struct zt_status *zsearch_status(const zsearch *zs, size_t target);
/* Records received so far, in arrival order (target by target). */
size_t zsearch_nrecords(const zsearch *zs);
const struct zrecord *zsearch_record(const zsearch *zs, size_t i);
/* Messages about records the firewall rejected ("loc: record 3: ..."). */
size_t zsearch_nproblems(const zsearch *zs);
const char *zsearch_problem(const zsearch *zs, size_t i);
void zsearch_destroy(zsearch *zs);      /* accepts NULL; closes connections */

/* Parse one record as ZOOM hands it over ("raw": ISO 2709 or MARCXML)
 * through the charset firewall. Returns 0, or -1 with err set. */
int zclient_parse_record(const char *buf, size_t len, int charset, rec *r,
                         strbuf *err);

/* Note the source of a copied record, as is customary: 035 $a
 * "(ORG)001" (ORG = 003, else 040 $a, else fallback_org; skipped when an
 * equal 035 is there), then remove 001, 003 and 005 so it becomes a new
 * local record, and 852 and 952 (the source's holdings and items, which
 * import would turn into copies). When our_org is not NULL (we edit the record), 040 $d
 * our_org is added (040 created with $a/$c of the source when missing). */
void zclient_note_source(rec *r, const char *fallback_org, const char *our_org);

#endif
