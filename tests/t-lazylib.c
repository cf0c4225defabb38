/*
 * t-lazylib.c - src/lazylib.c: GnuTLS, libxslt and libicui18n are not
 * mapped until something needs them, the deferred initialisation calls are
 * made when they are, and calls reach the real libraries.
 */
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxslt/xslt.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/transform.h>
#include <libxslt/xsltutils.h>
#include <libexslt/exslt.h>
#include <unicode/ucol.h>

#include "harness.h"

/* Is a library whose file name starts with NAME mapped into this process? */
static int mapped(const char *name)
{
	FILE *fp = fopen("/proc/self/maps", "r");
	char line[4096];
	int found = 0;
	if (!fp)
		return -1;
	while (!found && fgets(line, sizeof line, fp)) {
		const char *slash = strrchr(line, '/');
		found = slash && !strncmp(slash + 1, name, strlen(name));
	}
	fclose(fp);
	return found;
}

static const char style_xml[] =
	"<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'"
	" xmlns:str='http://exslt.org/strings' extension-element-prefixes='str'>"
	"<xsl:output method='text'/>"
	"<xsl:template match='/'>[<xsl:value-of select='str:padding(2, \"-\")'/>"
	"<xsl:value-of select='/r/t'/>]</xsl:template></xsl:stylesheet>";
static const char doc_xml[] = "<r><t>Truyện Kiều</t></r>";

static void test_xslt(void)
{
	xsltInit();              /* what yaz_init_globals does: noted only */
	exsltRegisterAll();
	CHECK_INT(mapped("libxslt.so"), 0);
	CHECK_INT(mapped("libexslt.so"), 0);
	xmlDocPtr sd = xmlReadMemory(style_xml, (int)strlen(style_xml), "s.xsl", NULL, 0);
	xmlDocPtr d = xmlReadMemory(doc_xml, (int)strlen(doc_xml), "d.xml", NULL, 0);
	CHECK(sd && d);
	xsltStylesheetPtr st = sd ? xsltParseStylesheetDoc(sd) : NULL;
	CHECK(st != NULL);
	CHECK_INT(mapped("libexslt.so"), 1);
	if (st && d) {
		/* str:padding works only if exsltRegisterAll reached libexslt */
		xmlDocPtr res = xsltApplyStylesheet(st, d, NULL);
		xmlChar *txt = NULL;
		int len = 0;
		CHECK(res != NULL);
		CHECK_INT(res ? xsltSaveResultToString(&txt, &len, res, st) : -1, 0);
		CHECK_STR(txt ? (const char *)txt : NULL, "[--Truyện Kiều]");
		xmlFree(txt);
		xmlFreeDoc(res);
	}
	xsltFreeStylesheet(st);  /* frees sd */
	if (!st)
		xmlFreeDoc(sd);
	xmlFreeDoc(d);
	xsltCleanupGlobals();
}

static void test_tls(void)
{
	CHECK_INT(gnutls_global_init(), 0);  /* noted only */
	CHECK_INT(mapped("libgnutls.so"), 0);
	const char *m = gnutls_strerror(GNUTLS_E_AGAIN);
	CHECK_INT(mapped("libgnutls.so"), 1);
	CHECK(m && strstr(m, "again"));
	gnutls_session_t s;
	CHECK_INT(gnutls_init(&s, GNUTLS_CLIENT), 0);
	CHECK_INT(gnutls_set_default_priority(s), 0);
	gnutls_certificate_credentials_t cred;
	CHECK_INT(gnutls_certificate_allocate_credentials(&cred), 0);
	CHECK_INT(gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred), 0);
	CHECK_INT(gnutls_error_is_fatal(GNUTLS_E_AGAIN), 0);
	char *p = NULL;
	gnutls_free(p);          /* the variable, forwarded */
	CHECK(p == NULL);
	gnutls_deinit(s);
	gnutls_certificate_free_credentials(cred);
	gnutls_global_deinit();
}

static void test_collator(void)
{
	CHECK_INT(mapped("libicui18n.so"), 0);
	UErrorCode e = U_ZERO_ERROR;
	UCollator *c = ucol_open("vi", &e);
	CHECK(c != NULL && !U_FAILURE(e));
	CHECK_INT(mapped("libicui18n.so"), 1);
	if (c) {
		/* Vietnamese order: d < đ < e */
		static const UChar d[] = { 'd', 'z' }, dd[] = { 0x111, 'a' }, ee[] = { 'e' };
		uint8_t k1[64], k2[64], k3[64];
		CHECK(ucol_getSortKey(c, d, 2, k1, sizeof k1) > 0);
		CHECK(ucol_getSortKey(c, dd, 2, k2, sizeof k2) > 0);
		CHECK(ucol_getSortKey(c, ee, 1, k3, sizeof k3) > 0);
		CHECK(strcmp((char *)k1, (char *)k2) < 0);
		CHECK(strcmp((char *)k2, (char *)k3) < 0);
		UVersionInfo v;
		ucol_getVersion(c, v);
		CHECK(v[0] != 0);
	}
	ucol_close(c);
	e = U_ILLEGAL_ARGUMENT_ERROR;   /* a failed status is passed through */
	CHECK(ucol_open("vi", &e) == NULL && e == U_ILLEGAL_ARGUMENT_ERROR);
}

int main(void)
{
	if (mapped("libc.so") != 1) {
		SKIP("no /proc/self/maps");
		DONE();
	}
	test_xslt();
	test_tls();
	test_collator();
	DONE();
}
