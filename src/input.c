/*
 * input.c - compressed MARC inputs (see input.h): gzip through zlib and
 * fopencookie(), the other kinds named and refused.
 */
#define _GNU_SOURCE                 /* fopencookie */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>

#include "input.h"
#include "i18n.h"

int input_packing_of(const void *buf, size_t n)
{
	const unsigned char *b = buf;
	if (n >= 2 && b[0] == 0x1F && b[1] == 0x8B)
		return IN_GZIP;
	if (n >= 4 && b[0] == 'P' && b[1] == 'K' &&
	    ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6) || (b[2] == 7 && b[3] == 8)))
		return IN_ZIP;
	if (n >= 4 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h' && b[3] >= '1' && b[3] <= '9')
		return IN_BZIP2;
	if (n >= 6 && !memcmp(b, "\xFD" "7zXZ\0", 6))
		return IN_XZ;
	if (n >= 4 && !memcmp(b, "\x28\xB5\x2F\xFD", 4))
		return IN_ZSTD;
	if (n >= 6 && !memcmp(b, "7z\xBC\xAF\x27\x1C", 6))
		return IN_7Z;
	return IN_PLAIN;
}

int input_packing(FILE *fp)
{
	struct stat sb;
	int fd = fp ? fileno(fp) : -1;
	if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode))
		return IN_PLAIN;
	unsigned char b[8];
	ssize_t n = pread(fd, b, sizeof b, 0);
	return n > 0 ? input_packing_of(b, (size_t)n) : IN_PLAIN;
}

struct gz_cookie {
	gzFile g;
	FILE *fp;                /* the file itself, closed with the stream */
};

static ssize_t gz_read(void *c, char *buf, size_t n)
{
	struct gz_cookie *z = c;
	int k = gzread(z->g, buf, n > INT_MAX ? INT_MAX : (unsigned)n);
	if (k < 0) {
		errno = EIO;
		return -1;
	}
	if (k == 0) {
		/* the end of the data, or of a file that stops half-way */
		int zerr;
		gzerror(z->g, &zerr);
		if (zerr != Z_OK && zerr != Z_STREAM_END) {
			errno = EIO;
			return -1;
		}
	}
	return k;
}

static int gz_seek(void *c, off64_t *pos, int whence)
{
	struct gz_cookie *z = c;
	if (whence == SEEK_END) {
		errno = EINVAL;
		return -1;
	}
	z_off_t r = gzseek(z->g, (z_off_t)*pos, whence);
	if (r < 0) {
		errno = EINVAL;
		return -1;
	}
	*pos = r;
	return 0;
}

static int gz_close(void *c)
{
	struct gz_cookie *z = c;
	int r = gzclose(z->g);
	if (z->fp)
		fclose(z->fp);
	free(z);
	return r == Z_OK ? 0 : EOF;
}

/* The gzip trailer's ISIZE: the last 4 bytes, little-endian. */
static long long gz_size(int fd)
{
	struct stat sb;
	unsigned char b[4];
	if (fstat(fd, &sb) || sb.st_size < 18 || pread(fd, b, 4, sb.st_size - 4) != 4)
		return -1;
	return (long long)b[0] | (long long)b[1] << 8 | (long long)b[2] << 16 | (long long)b[3] << 24;
}

const char *input_packing_name(int p)
{
	switch (p) {
	case IN_GZIP: return _("gzip-compressed");
	/* TRANSLATORS: "'FILE' is a ZIP archive, not a MARC file" */
	case IN_ZIP: return _("a ZIP archive");
	case IN_BZIP2: return _("bzip2-compressed");
	case IN_XZ: return _("xz-compressed");
	case IN_ZSTD: return _("zstd-compressed");
	case IN_7Z: return _("a 7-Zip archive");
	}
	return "";
}

FILE *input_unpack(FILE *fp, const char *path, int *packing, long long *size, strbuf *why)
{
	int p = input_packing(fp);
	if (packing)
		*packing = p;
	if (p == IN_PLAIN)
		return fp;
	if (p != IN_GZIP) {
		static const char *const how[] = {
			[IN_ZIP] = "unzip", [IN_BZIP2] = "bunzip2 -k", [IN_XZ] = "unxz -k",
			[IN_ZSTD] = "unzstd", [IN_7Z] = "7z x",
		};
		if (why)
			/* TRANSLATORS: "'v.zip' is a ZIP archive, not a MARC file: unpack
			 * it first (unzip 'v.zip')" */
			sb_addf(why, _("'%s' is %s, not a MARC file: unpack it first (%s '%s')"), path,
			        input_packing_name(p), how[p], path);
		return NULL;
	}
	int fd = dup(fileno(fp));
	gzFile g = fd >= 0 ? gzdopen(fd, "rb") : NULL;
	if (!g) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		if (why)
			sb_addf(why, _("cannot read '%s': %s"), path, strerror(e ? e : ENOMEM));
		errno = e ? e : ENOMEM;
		return NULL;
	}
	gzbuffer(g, 128 * 1024);
	if (size)
		*size = gz_size(fileno(fp));
	struct gz_cookie *z = xmalloc(sizeof *z);
	z->g = g;
	z->fp = fp == stdin ? NULL : fp;      /* standard input stays open */
	cookie_io_functions_t io = { gz_read, NULL, gz_seek, gz_close };
	FILE *out = fopencookie(z, "rb", io);
	if (!out) {
		int e = errno;
		gzclose(g);
		free(z);
		if (why)
			sb_addf(why, _("cannot read '%s': %s"), path, strerror(e));
		errno = e;
		return NULL;
	}
	return out;
}

void input_damaged(const char *path, strbuf *why)
{
	sb_addf(why, _("'%s': the gzip data is damaged or ends early"), path);
}
