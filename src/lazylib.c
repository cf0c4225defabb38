/*
 * lazylib.c - GnuTLS and libxslt, loaded on first use instead of at start-up.
 *
 * bienmuc links libyaz statically (Makefile LIBS), so only the yaz objects
 * it uses come in. Two libraries those objects call are big and rarely
 * needed: GnuTLS, only for an "ssl:" (Z39.50 over TLS) or https target, and
 * libxslt/libexslt, only for an XSLT step in a yaz retrieval configuration
 * (the server configuration bienmuc writes has none). Linked normally they,
 * and what they pull in (nettle, gmp, p11-kit, libgcrypt, ...), are mapped
 * into every process: about 3 MB of the workstation's resident memory
 * (issue 5: peak RSS <= 16 MB). This file defines the functions yaz calls;
 * each loads the real library with dlopen on first use and forwards to it.
 * The Makefile names lazylib_linked (-Wl,-u) so that this object is always
 * linked; bienmuc itself calls nothing here.
 *
 * yaz_init_globals() (run by the first ODR or log call) calls
 * gnutls_global_init(), xsltInit() and exsltRegisterAll(): those only note
 * the call, which is made when the library is loaded. When a library cannot
 * be loaded, calls fail as the library reports failures (GnuTLS: a negative
 * error code, GNUTLS_E_INTERNAL_ERROR; libxslt: NULL or -1), so yaz reports
 * a connection or configuration error. Thread-safe (the server may run
 * sessions in threads).
 *
 * The loaded libraries bind to their own symbols: the executable exports
 * none of these names (no shared library linked into it refers to them).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libxslt/xslt.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/transform.h>
#include <libxslt/xsltutils.h>
#include <libexslt/exslt.h>
#include <unicode/ucol.h>

/* The Makefile's -Wl,-u,lazylib_linked pulls this object in. */
extern const int lazylib_linked;
const int lazylib_linked = 1;

/* ---- GnuTLS ---- */

#define TLS_SONAME "libgnutls.so.30"

#define TLS_FUNCS(X) X(gnutls_global_init) X(gnutls_global_deinit) X(gnutls_init) \
	X(gnutls_deinit) X(gnutls_bye) X(gnutls_handshake) X(gnutls_error_is_fatal) \
	X(gnutls_strerror) X(gnutls_record_recv) X(gnutls_record_send) \
	X(gnutls_record_get_direction) X(gnutls_server_name_set) X(gnutls_set_default_priority) \
	X(gnutls_transport_set_int2) X(gnutls_credentials_set) \
	X(gnutls_certificate_allocate_credentials) X(gnutls_certificate_free_credentials) \
	X(gnutls_certificate_set_x509_key_file) X(gnutls_certificate_get_peers) \
	X(gnutls_certificate_type_get) X(gnutls_x509_crt_init) X(gnutls_x509_crt_deinit) \
	X(gnutls_x509_crt_import) X(gnutls_x509_crt_print)
/* (the name after macro expansion: ICU renames ucol_open to ucol_open_72) */
#define LZ_STR2(x) #x
#define LZ_STR(x) LZ_STR2(x)
#define FN_MEMBER(n) __typeof__(&n) n;
#define FN_LOOKUP(n) if (!(tls.n = (__typeof__(&n))dlsym(h, LZ_STR(n)))) ok = 0;

static struct {
	TLS_FUNCS(FN_MEMBER)
	gnutls_free_function *free_fn;  /* the library's variable gnutls_free */
} tls;
static pthread_mutex_t tls_mutex = PTHREAD_MUTEX_INITIALIZER;
static int tls_state;  /* 0 not tried, 1 loaded, -1 cannot be loaded */
static int tls_inits;  /* gnutls_global_init() calls not passed on yet */

/* Load GnuTLS unless done; 1 when it is there. */
static int tls_load(void)
{
	pthread_mutex_lock(&tls_mutex);
	if (!tls_state) {
		tls_state = -1;
		void *h = dlopen(TLS_SONAME, RTLD_NOW | RTLD_LOCAL);
		if (h) {
			int ok = 1;
			TLS_FUNCS(FN_LOOKUP)
			tls.free_fn = (gnutls_free_function *)dlsym(h, "gnutls_free");
			if (ok && tls.free_fn) {
				tls_state = 1;
				for (; tls_inits > 0; tls_inits--)
					tls.gnutls_global_init();
			} else {
				dlclose(h);
			}
		}
	}
	int ok = tls_state == 1;
	pthread_mutex_unlock(&tls_mutex);
	return ok;
}

#define TLS_CALL(fail, name, ...) (tls_load() ? tls.name(__VA_ARGS__) : (fail))
#define TLS_ERR GNUTLS_E_INTERNAL_ERROR

int gnutls_global_init(void)
{
	pthread_mutex_lock(&tls_mutex);
	int loaded = tls_state == 1;
	if (!loaded)
		tls_inits++;
	pthread_mutex_unlock(&tls_mutex);
	return loaded ? tls.gnutls_global_init() : 0;
}

void gnutls_global_deinit(void)
{
	pthread_mutex_lock(&tls_mutex);
	int loaded = tls_state == 1;
	if (!loaded && tls_inits > 0)
		tls_inits--;
	pthread_mutex_unlock(&tls_mutex);
	if (loaded)
		tls.gnutls_global_deinit();
}

/* gnutls_free is a variable holding the library's free function. */
static void tls_free(void *p)
{
	if (tls_load())
		(*tls.free_fn)(p);
	else
		free(p);  /* nothing GnuTLS allocated can exist: p is NULL */
}
gnutls_free_function gnutls_free = tls_free;

int gnutls_init(gnutls_session_t *session, unsigned int flags)
{
	return TLS_CALL(TLS_ERR, gnutls_init, session, flags);
}

void gnutls_deinit(gnutls_session_t session)
{
	if (tls_load())
		tls.gnutls_deinit(session);
}

int gnutls_bye(gnutls_session_t session, gnutls_close_request_t how)
{
	return TLS_CALL(TLS_ERR, gnutls_bye, session, how);
}

int gnutls_handshake(gnutls_session_t session)
{
	return TLS_CALL(TLS_ERR, gnutls_handshake, session);
}

int gnutls_error_is_fatal(int error)
{
	return TLS_CALL(1, gnutls_error_is_fatal, error);
}

const char *gnutls_strerror(int error)
{
	return TLS_CALL("GnuTLS (" TLS_SONAME ") cannot be loaded", gnutls_strerror, error);
}

ssize_t gnutls_record_recv(gnutls_session_t session, void *data, size_t data_size)
{
	return TLS_CALL(TLS_ERR, gnutls_record_recv, session, data, data_size);
}

ssize_t gnutls_record_send(gnutls_session_t session, const void *data, size_t data_size)
{
	return TLS_CALL(TLS_ERR, gnutls_record_send, session, data, data_size);
}

int gnutls_record_get_direction(gnutls_session_t session)
{
	return TLS_CALL(0, gnutls_record_get_direction, session);
}

int gnutls_server_name_set(gnutls_session_t session, gnutls_server_name_type_t type,
                           const void *name, size_t name_length)
{
	return TLS_CALL(TLS_ERR, gnutls_server_name_set, session, type, name, name_length);
}

int gnutls_set_default_priority(gnutls_session_t session)
{
	return TLS_CALL(TLS_ERR, gnutls_set_default_priority, session);
}

void gnutls_transport_set_int2(gnutls_session_t session, int r, int s)
{
	if (tls_load())
		tls.gnutls_transport_set_int2(session, r, s);
}

int gnutls_credentials_set(gnutls_session_t session, gnutls_credentials_type_t type, void *cred)
{
	return TLS_CALL(TLS_ERR, gnutls_credentials_set, session, type, cred);
}

int gnutls_certificate_allocate_credentials(gnutls_certificate_credentials_t *res)
{
	return TLS_CALL(TLS_ERR, gnutls_certificate_allocate_credentials, res);
}

void gnutls_certificate_free_credentials(gnutls_certificate_credentials_t sc)
{
	if (tls_load())
		tls.gnutls_certificate_free_credentials(sc);
}

int gnutls_certificate_set_x509_key_file(gnutls_certificate_credentials_t res,
                                         const char *certfile, const char *keyfile,
                                         gnutls_x509_crt_fmt_t type)
{
	return TLS_CALL(TLS_ERR, gnutls_certificate_set_x509_key_file, res, certfile, keyfile, type);
}

const gnutls_datum_t *gnutls_certificate_get_peers(gnutls_session_t session,
                                                   unsigned int *list_size)
{
	if (tls_load())
		return tls.gnutls_certificate_get_peers(session, list_size);
	if (list_size)
		*list_size = 0;
	return NULL;
}

gnutls_certificate_type_t gnutls_certificate_type_get(gnutls_session_t session)
{
	return TLS_CALL(GNUTLS_CRT_UNKNOWN, gnutls_certificate_type_get, session);
}

int gnutls_x509_crt_init(gnutls_x509_crt_t *cert)
{
	return TLS_CALL(TLS_ERR, gnutls_x509_crt_init, cert);
}

void gnutls_x509_crt_deinit(gnutls_x509_crt_t cert)
{
	if (tls_load())
		tls.gnutls_x509_crt_deinit(cert);
}

int gnutls_x509_crt_import(gnutls_x509_crt_t cert, const gnutls_datum_t *data,
                           gnutls_x509_crt_fmt_t format)
{
	return TLS_CALL(TLS_ERR, gnutls_x509_crt_import, cert, data, format);
}

int gnutls_x509_crt_print(gnutls_x509_crt_t cert, gnutls_certificate_print_formats_t format,
                          gnutls_datum_t *out)
{
	return TLS_CALL(TLS_ERR, gnutls_x509_crt_print, cert, format, out);
}

/* ---- libxslt and libexslt ---- */

/* libexslt's dependencies include libxslt; libxml2 is already loaded (linked). */
#define XSLT_SONAME "libexslt.so.0"

#define XSLT_FUNCS(X) X(xsltInit) X(xsltCleanupGlobals) X(exsltRegisterAll) \
	X(xsltSetGenericErrorFunc) X(xsltParseStylesheetDoc) X(xsltFreeStylesheet) \
	X(xsltApplyStylesheet) X(xsltSaveResultToString)
#define XSLT_LOOKUP(n) if (!(xs.n = (__typeof__(&n))dlsym(h, LZ_STR(n)))) ok = 0;

static struct {
	XSLT_FUNCS(FN_MEMBER)
} xs;
static pthread_mutex_t xslt_mutex = PTHREAD_MUTEX_INITIALIZER;
static int xslt_state;          /* as tls_state */
static int xslt_init, exslt_init;  /* xsltInit(), exsltRegisterAll() called */
static int xslt_err_set;        /* xsltSetGenericErrorFunc() called: */
static void *xslt_err_ctx;
static xmlGenericErrorFunc xslt_err_fn;

static int xslt_load(void)
{
	pthread_mutex_lock(&xslt_mutex);
	if (!xslt_state) {
		xslt_state = -1;
		void *h = dlopen(XSLT_SONAME, RTLD_NOW | RTLD_LOCAL);
		if (h) {
			int ok = 1;
			XSLT_FUNCS(XSLT_LOOKUP)
			if (ok) {
				xslt_state = 1;
				if (xslt_err_set)
					xs.xsltSetGenericErrorFunc(xslt_err_ctx, xslt_err_fn);
				if (xslt_init)
					xs.xsltInit();
				if (exslt_init)
					xs.exsltRegisterAll();
			} else {
				dlclose(h);
			}
		}
	}
	int ok = xslt_state == 1;
	pthread_mutex_unlock(&xslt_mutex);
	return ok;
}

/* Run now if loaded, else note *flag for xslt_load. 1 when loaded. */
static int xslt_note(int *flag, int value)
{
	pthread_mutex_lock(&xslt_mutex);
	int loaded = xslt_state == 1;
	if (!loaded)
		*flag = value;
	pthread_mutex_unlock(&xslt_mutex);
	return loaded;
}

void xsltInit(void)
{
	if (xslt_note(&xslt_init, 1))
		xs.xsltInit();
}

void exsltRegisterAll(void)
{
	if (xslt_note(&exslt_init, 1))
		xs.exsltRegisterAll();
}

void xsltCleanupGlobals(void)
{
	if (xslt_note(&xslt_init, 0))
		xs.xsltCleanupGlobals();
	else
		xslt_note(&exslt_init, 0);
}

void xsltSetGenericErrorFunc(void *ctx, xmlGenericErrorFunc handler)
{
	pthread_mutex_lock(&xslt_mutex);
	int loaded = xslt_state == 1;
	if (!loaded) {
		xslt_err_set = 1;
		xslt_err_ctx = ctx;
		xslt_err_fn = handler;
	}
	pthread_mutex_unlock(&xslt_mutex);
	if (loaded)
		xs.xsltSetGenericErrorFunc(ctx, handler);
}

xsltStylesheetPtr xsltParseStylesheetDoc(xmlDocPtr doc)
{
	return xslt_load() ? xs.xsltParseStylesheetDoc(doc) : NULL;
}

/* A stylesheet exists only once the library is loaded. */
void xsltFreeStylesheet(xsltStylesheetPtr style)
{
	if (style && xslt_load())
		xs.xsltFreeStylesheet(style);
}

xmlDocPtr xsltApplyStylesheet(xsltStylesheetPtr style, xmlDocPtr doc, const char **params)
{
	return style && xslt_load() ? xs.xsltApplyStylesheet(style, doc, params) : NULL;
}

int xsltSaveResultToString(xmlChar **doc_txt_ptr, int *doc_txt_len, xmlDocPtr result,
                           xsltStylesheetPtr style)
{
	return xslt_load() ? xs.xsltSaveResultToString(doc_txt_ptr, doc_txt_len, result, style) : -1;
}

/* ---- ICU collation (libicui18n) ---- */

/* libxml2 links libicuuc, so that is loaded anyway; libicui18n is needed
 * only for the "vi" collator (collate.c: sort keys when a record is saved,
 * opened on first use). Loading it costs ~1 MB resident by itself: its
 * symbol tables are large and every one of its relocations is resolved at
 * load. */
#define I18N_SONAME "libicui18n.so." LZ_STR(U_ICU_VERSION_MAJOR_NUM)

#define I18N_FUNCS(X) X(ucol_open) X(ucol_close) X(ucol_getSortKey) X(ucol_getVersion)
#define I18N_LOOKUP(n) if (!(icu.n = (__typeof__(&n))dlsym(h, LZ_STR(n)))) ok = 0;

static struct {
	I18N_FUNCS(FN_MEMBER)
} icu;
static pthread_mutex_t icu_mutex = PTHREAD_MUTEX_INITIALIZER;
static int icu_state;  /* as tls_state */

static int icu_load(void)
{
	pthread_mutex_lock(&icu_mutex);
	if (!icu_state) {
		icu_state = -1;
		void *h = dlopen(I18N_SONAME, RTLD_NOW | RTLD_LOCAL);
		if (h) {
			int ok = 1;
			I18N_FUNCS(I18N_LOOKUP)
			if (ok)
				icu_state = 1;
			else
				dlclose(h);
		}
	}
	int ok = icu_state == 1;
	pthread_mutex_unlock(&icu_mutex);
	return ok;
}

UCollator *ucol_open(const char *loc, UErrorCode *status)
{
	if (U_FAILURE(*status))
		return NULL;
	if (!icu_load()) {
		*status = U_MISSING_RESOURCE_ERROR;
		return NULL;
	}
	return icu.ucol_open(loc, status);
}

/* A collator exists only once the library is loaded. */
void ucol_close(UCollator *coll)
{
	if (coll && icu_load())
		icu.ucol_close(coll);
}

int32_t ucol_getSortKey(const UCollator *coll, const UChar *source, int32_t sourceLength,
                        uint8_t *result, int32_t resultLength)
{
	return coll && icu_load() ? icu.ucol_getSortKey(coll, source, sourceLength, result,
	                                                resultLength) : 0;
}

void ucol_getVersion(const UCollator *coll, UVersionInfo info)
{
	if (coll && icu_load())
		icu.ucol_getVersion(coll, info);
	else
		memset(info, 0, U_MAX_VERSION_LENGTH);
}
