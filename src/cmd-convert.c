/*
 * cmd-convert.c - `bienmuc convert`: stream MARC records from files (or
 * stdin) in any format and charset we read, to one output in any format
 * we write, as UTF-8 or MARC-8.
 *
 * Nothing is lost silently: a record that cannot be read, or that the
 * writer refuses (too long for ISO 2709, a character MARC-8 cannot hold),
 * is reported on stderr as "FILE: record N (byte B): why" and its raw
 * input bytes are appended to the rejects file; the run goes on.
 * Exit status: 0 all written, 1 some rejected, 2 usage or I/O error.
 * With -o, OUT is written whole or not at all (cmd_output): a run that
 * ends with status 2, or is killed, leaves an earlier OUT as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <sys/stat.h>

#include "cmd.h"
#include "i18n.h"
#include "isismap.h"
#include "charset-legacy.h"
#include "marcio.h"
#include "input.h"
#include "rec.h"
#include "util.h"

#define CMD_NAME "convert"
#define OUT_BUFSIZE (1u << 20)
#define IN_BUFSIZE (1u << 16)

static const char usage_text[] = N_(
	"usage: bienmuc convert [-q] [-f FMT] [-t FMT] [--from-charset CS] [--to-charset CS]\n"
	"                       [--lossless] [--tcvn3-caps] [--rejects FILE] [-o OUT] [FILE...]\n"
	"\n"
	"Convert MARC records between formats and character sets. Reads FILEs\n"
	"(standard input when none, or for '-') and writes OUT (standard output).\n"
	"\n"
	"  -f, --from FMT          input format: iso2709, marcxml, mrk, json\n"
	"                          (default: detected from the first bytes)\n"
	"  -t, --to FMT            output format: iso2709 (default), marcxml, mrk, json\n"
	"      --from-charset CS   auto (default), auto-vi (also guess the legacy\n"
	"                          Vietnamese ones), utf-8, marc8, latin1,\n"
	"                          tcvn3, vni, viscii, cp1258\n"
	"      --tcvn3-caps        with --from-charset tcvn3: put back the toned\n"
	"                          capitals TCVN3 (ABC) cannot hold, where they can\n"
	"                          be inferred (see bienmuc-charsets(7))\n"
	"      --map FILE          the input is a CDS/ISIS (non-MARC) ISO 2709 export:\n"
	"                          map it to MARC21 with FILE (see bienmuc-map(5))\n"
	"      --org CODE          the library's MARC code for {org} in the map\n"
	"      --to-charset CS     utf-8 (default) or marc8 (iso2709 and mrk only)\n"
	"      --lossless          MARC-8: write &#xXXXX; for characters MARC-8 lacks\n"
	"                          instead of rejecting the record\n"
	"      --rejects FILE      append rejected records here (default OUT.rejects,\n"
	"                          or rejects.mrc when writing to standard output\n"
	"                          or to a device such as /dev/null)\n"
	"  -o, --output OUT        write to OUT instead of standard output\n"
	"  -q, --quiet             no warnings, and no summary unless records were rejected\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 all records written, 1 some rejected, 2 usage or I/O error.\n");

enum { OPT_FROM_CS = 256, OPT_TO_CS, OPT_LOSSLESS, OPT_REJECTS, OPT_TCVN3_CAPS, OPT_MAP,
       OPT_ORG };

static const struct option long_opts[] = {
	{ "from", required_argument, NULL, 'f' },
	{ "to", required_argument, NULL, 't' },
	{ "from-charset", required_argument, NULL, OPT_FROM_CS },
	{ "to-charset", required_argument, NULL, OPT_TO_CS },
	{ "lossless", no_argument, NULL, OPT_LOSSLESS },
	{ "tcvn3-caps", no_argument, NULL, OPT_TCVN3_CAPS },
	{ "map", required_argument, NULL, OPT_MAP },
	{ "org", required_argument, NULL, OPT_ORG },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct convert {
	struct marc_read_opts ropts;
	struct marc_write_opts wopts;
	const char *out_name;       /* NULL = stdout */
	const char *rejects_name;   /* resolved before the run */
	char *rejects_alloc;
	FILE *rejects;              /* opened on the first reject */
	int quiet;
	int tcvn3_caps;             /* charset_tcvn3_recover_caps() on every record */
	isismap *map;               /* --map: CDS/ISIS input */
	const char *org;            /* --org: {org} in the map */
	int fatal;                  /* an I/O error that stops the run */
	int io_error;               /* an I/O error on some input */
	int gzip;                   /* the input being read is gzip (input.h) */
	long nread, nwritten, nrejected;
	struct cmd_warnings warn;
};

static int usage_error(const char *fmt, ...) BM_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	cmd_error(CMD_NAME, _("%s; see 'bienmuc convert --help'"), sb.buf);
	sb_release(&sb);
	return 2;
}

/* Append the raw bytes of a rejected record to the rejects file. */
static void save_reject(struct convert *c, const char *raw, size_t len)
{
	if (c->fatal)
		return;
	if (!c->rejects) {
		c->rejects = cmd_fopen_out(c->rejects_name, "ab");
		if (!c->rejects) {
			cmd_error(CMD_NAME, _("cannot open rejects file '%s': %s"),
			          c->rejects_name, cmd_output_strerror(errno));
			c->fatal = 1;
			return;
		}
	}
	if (len && fwrite(raw, 1, len, c->rejects) != len) {
		cmd_error(CMD_NAME, _("cannot write rejects file '%s': %s"),
		          c->rejects_name, strerror(errno));
		c->fatal = 1;
	}
}

/* Report a rejected record (refused by the reader, or by the writer) and
 * append its raw bytes, as they were in the input, to the rejects file. */
static void reject(struct convert *c, const char *file, const marc_reader *rd,
                   const char *why)
{
	size_t len;
	const char *raw = marc_reader_raw(rd, &len);
	c->nrejected++;
	if (c->gzip)
		cmd_error(CMD_NAME, _("%s: record %ld (byte %lld of the unpacked data): %s"), file,
		          marc_reader_recno(rd), marc_reader_offset(rd), why);
	else
		cmd_error(CMD_NAME, _("%s: record %ld (byte %lld): %s"), file,
		          marc_reader_recno(rd), marc_reader_offset(rd), why);
	save_reject(c, raw, len);
}

static const char *reader_warning(const void *rd, size_t i)
{
	return marc_reader_warning(rd, i);
}

/* Convert every record of one open input. Returns 0, or -1 when the run
 * must stop (output I/O error). */
static int convert_stream(struct convert *c, FILE *in, const char *file,
                          marc_writer *w, FILE *out, rec *r)
{
	strbuf err = STRBUF_INIT;
	marc_reader *rd = marc_reader_open(in, file, &c->ropts, &err);
	if (!rd) {
		cmd_error(CMD_NAME, "%s: %s", file, err.len ? err.buf : _("cannot read"));
		sb_release(&err);
		c->io_error = 1;
		return 0;
	}
	if (c->map)
		marc_reader_set_map(rd, c->map, c->org);
	int rc;
	while (!c->fatal && (rc = marc_reader_next(rd, r)) != MR_EOF) {
		c->nread++;
		if (rc == MR_BAD) {
			reject(c, file, rd, marc_reader_error(rd));
			continue;
		}
		cmd_record_warnings(&c->warn, file, marc_reader_recno(rd), marc_reader_offset(rd),
		                    marc_reader_nwarnings(rd), reader_warning, rd);
		if (c->tcvn3_caps)
			charset_tcvn3_recover_caps(r);
		sb_reset(&err);
		if (marc_writer_put(w, r, &err) == 0) {
			c->nwritten++;
			continue;
		}
		if (ferror(out)) {
			/* not the record's fault: not a reject (the summary's
			 * read and written counts differ by it) */
			cmd_write_failed(CMD_NAME, c->out_name, errno);
			c->fatal = 1;
			break;
		}
		reject(c, file, rd, err.len ? err.buf : _("record refused by the writer"));
	}
	if (!c->fatal && ferror(in)) {
		if (c->gzip) {
			strbuf why = STRBUF_INIT;
			input_damaged(file, &why);
			cmd_error(CMD_NAME, "%s", why.buf);
			sb_release(&why);
		} else {
			cmd_error(CMD_NAME, _("%s: read error: %s"), file, strerror(errno));
		}
		c->io_error = 1;
	}
	marc_reader_close(rd);
	sb_release(&err);
	return c->fatal ? -1 : 0;
}

static int same_file(FILE *a, const char *path)
{
	struct stat sa, sb;
	if (fstat(fileno(a), &sa) != 0 || stat(path, &sb) != 0)
		return 0;
	return S_ISREG(sa.st_mode) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int cmd_convert(int argc, char **argv)
{
	struct convert c;
	memset(&c, 0, sizeof c);
	c.warn.cmd = CMD_NAME;
	c.ropts.format = MF_AUTO;
	c.ropts.from_charset = CS_AUTO;
	c.wopts.format = MF_ISO2709;
	c.wopts.to_charset = CS_UTF8;
	const char *rejects_opt = NULL;
	int opt, v;

	optind = 0;        /* glibc: full re-initialisation (the shell may call us again) */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":f:t:o:qh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			v = marc_format_parse(optarg);
			if (v < 0)
				return usage_error(_("unknown input format '%s'"), optarg);
			c.ropts.format = v;
			break;
		case 't':
			v = marc_format_parse(optarg);
			if (v <= 0)
				return usage_error(_("unknown output format '%s'"), optarg);
			c.wopts.format = v;
			break;
		case OPT_FROM_CS:
			v = charset_parse_name(optarg);
			if (v < 0)
				return usage_error(_("unknown input charset '%s' (%s)"), optarg,
				                   charset_names());
			c.ropts.from_charset = v;
			break;
		case OPT_TO_CS:
			v = charset_parse_name(optarg);
			if (v == CS_AUTO)
				v = CS_UTF8;
			if (v != CS_UTF8 && v != CS_MARC8)
				return usage_error(_("cannot write charset '%s' (utf-8 or marc8)"), optarg);
			c.wopts.to_charset = v;
			break;
		case OPT_LOSSLESS:
			c.wopts.lossless = 1;
			break;
		case OPT_TCVN3_CAPS:
			c.tcvn3_caps = 1;
			break;
		case OPT_MAP: {
			strbuf merr = STRBUF_INIT;
			isismap_destroy(c.map);
			c.map = isismap_load(optarg, &merr);
			if (!c.map) {
				cmd_error(CMD_NAME, "%s", merr.buf);
				sb_release(&merr);
				return 2;
			}
			sb_release(&merr);
			c.ropts.raw = 1;
			break;
		}
		case OPT_ORG:
			c.org = optarg;
			break;
		case OPT_REJECTS:
			rejects_opt = optarg;
			break;
		case 'o':
			c.out_name = optarg;
			break;
		case 'q':
			c.quiet = c.warn.quiet = 1;
			break;
		case 'h':
			fputs(_(usage_text), stdout);
			return 0;
		case ':':
			return usage_error(_("option '%s' needs an argument"), argv[optind - 1]);
		default:
			return usage_error(_("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (c.wopts.to_charset == CS_MARC8 &&
	    (c.wopts.format == MF_MARCXML || c.wopts.format == MF_JSON)) {
		cmd_error(CMD_NAME, _("%s is always UTF-8: --to-charset marc8 needs -t iso2709 or -t mrk"),
		          marc_format_name(c.wopts.format));
		return 2;
	}
	if (c.tcvn3_caps && c.ropts.from_charset != CS_TCVN3) {
		cmd_error(CMD_NAME, _("--tcvn3-caps needs --from-charset tcvn3"));
		return 2;
	}
	if (c.wopts.lossless && c.wopts.to_charset != CS_MARC8)
		cmd_warn(CMD_NAME, _("--lossless only matters with --to-charset marc8"));

	char **files = argv + optind;
	int nfiles = argc - optind;
	static char *stdin_only[] = { "-", NULL };
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}

	/* Open every input first, so a missing file does not cost the output. */
	FILE **in = xcalloc((size_t)nfiles, sizeof *in);
	int *packing = xcalloc((size_t)nfiles, sizeof *packing);    /* input.h */
	int bad_input = 0;
	struct stat st;
	for (int i = 0; i < nfiles; i++) {
		if (!strcmp(files[i], "-")) {
			in[i] = stdin;
			continue;
		}
		in[i] = fopen(files[i], "rb");
		if (!in[i]) {
			cmd_error(CMD_NAME, _("cannot open '%s': %s"), files[i], strerror(errno));
			bad_input = 1;
			continue;
		}
		if (fstat(fileno(in[i]), &st) == 0 && S_ISDIR(st.st_mode)) {
			cmd_error(CMD_NAME, _("'%s' is a directory"), files[i]);
			bad_input = 1;
			continue;
		}
		if (c.out_name && same_file(in[i], c.out_name)) {
			cmd_error(CMD_NAME, _("'%s' is both input and output"), files[i]);
			fclose(in[i]);
			in[i] = NULL;
			free(in);
			free(packing);
			return 2;
		}
		strbuf why = STRBUF_INIT;
		FILE *u = input_unpack(in[i], files[i], &packing[i], NULL, &why);
		if (!u) {               /* a ZIP archive and the like */
			cmd_error(CMD_NAME, "%s", why.buf);
			sb_release(&why);
			if (in[i] != stdin)
				fclose(in[i]);
			in[i] = NULL;
			bad_input = 1;
			continue;
		}
		in[i] = u;
		setvbuf(in[i], NULL, _IOFBF, IN_BUFSIZE);
	}

	if (bad_input) {        /* convert all or nothing: a typo costs no output */
		for (int i = 0; i < nfiles; i++)
			if (in[i] && in[i] != stdin)
				fclose(in[i]);
		free(in);
		free(packing);
		return 2;
	}

	/* the rejects file: resolved now, so that it can be checked against
	 * the inputs and the output before the output is created */
	struct stat ost;
	if (rejects_opt)
		c.rejects_name = rejects_opt;
	else if (c.out_name && !(stat(c.out_name, &ost) == 0 && !S_ISREG(ost.st_mode))) {
		/* OUT.rejects next to a file (never /dev/null.rejects) */
		strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "%s.rejects", c.out_name);
		c.rejects_alloc = sb_detach(&sb, NULL);
		c.rejects_name = c.rejects_alloc;
	} else
		c.rejects_name = "rejects.mrc";
	/* rejects appended to an input would be read again, and rejected
	 * again, without end (converting last run's OUT.rejects to OUT);
	 * appended to the output they would be mixed into it */
	int clash = 0;
	for (int i = 0; i < nfiles && !clash; i++)
		if (in[i] && same_file(in[i], c.rejects_name)) {
			cmd_error(CMD_NAME, _("'%s' is both input and the rejects file; name another "
			                      "with --rejects"), files[i]);
			clash = 1;
		}
	if (!clash && c.out_name && same_path(c.out_name, c.rejects_name)) {
		cmd_error(CMD_NAME, _("'%s' is both output and the rejects file; name another "
		                      "with --rejects"), c.out_name);
		clash = 1;
	}
	if (clash) {
		for (int i = 0; i < nfiles; i++)
			if (in[i] && in[i] != stdin)
				fclose(in[i]);
		free(in);
		free(packing);
		free(c.rejects_alloc);
		isismap_destroy(c.map);
		return 2;
	}

	FILE *out = stdout;
	struct cmd_output o = { .warn = CMD_NAME };
	if (c.out_name) {
		/* never over a catalogue (convert -o catalog.db destroyed it);
		 * OUT whole or not at all: written as OUT.part.PID, renamed at
		 * the end, so a run killed or stopped leaves no partial OUT */
		out = cmd_output_open(&o, c.out_name);
		if (!out) {
			cmd_error(CMD_NAME, _("cannot create '%s': %s"), c.out_name,
			          cmd_output_strerror(errno));
			for (int i = 0; i < nfiles; i++)
				if (in[i] && in[i] != stdin)
					fclose(in[i]);
			free(in);
			free(packing);
			return 2;
		}
	}
	setvbuf(out, NULL, _IOFBF, OUT_BUFSIZE);

	int status = 0;
	marc_writer *w = marc_writer_open(out, &c.wopts);
	if (!w) {
		cmd_error(CMD_NAME, _("cannot write %s in %s"), marc_format_name(c.wopts.format),
		          marc_charset_name(c.wopts.to_charset));
		status = 2;
	} else {
		rec *r = rec_create();
		for (int i = 0; i < nfiles && !c.fatal; i++) {
			if (!in[i])
				continue;
			c.gzip = packing[i] == IN_GZIP;
			c.warn.unpacked = c.gzip;
			convert_stream(&c, in[i], files[i], w, out, r);
		}
		rec_destroy(r);
		if (marc_writer_close(w) != 0 && !c.fatal) {
			cmd_write_failed(CMD_NAME, c.out_name, errno);
			c.fatal = 1;
		}
	}
	for (int i = 0; i < nfiles; i++)
		if (in[i] && in[i] != stdin)
			fclose(in[i]);
	free(in);
	free(packing);
	if (c.rejects && fclose(c.rejects) != 0 && !c.fatal) {
		cmd_error(CMD_NAME, _("cannot write rejects file '%s': %s"), c.rejects_name,
		          strerror(errno));
		c.fatal = 1;
	}
	if (out != stdout) {
		/* kept unless the run failed (exit status 2): records refused
		 * (status 1) are in the rejects file, the rest in OUT */
		int staged = o.part != NULL;
		int keep = status == 0 && !c.fatal && !c.io_error;
		if (cmd_output_close(&o, keep) != 0 && keep) {
			cmd_error(CMD_NAME, _("cannot write '%s': %s"), c.out_name, strerror(errno));
			c.fatal = 1;
			keep = 0;
		}
		if (staged && !keep)
			cmd_error(CMD_NAME, _("'%s' was not written (a file of that name from before is unchanged)"),
			          c.out_name);
	} else if (fflush(stdout) != 0 && !c.fatal) {
		cmd_write_failed(CMD_NAME, NULL, errno);
		c.fatal = 1;
	}

	if (status == 0) {
		if (!c.quiet || c.nrejected > 0) {
			cmd_record_warnings_end(&c.warn);
			cmd_error(CMD_NAME, _("read %ld, written %ld, rejected %ld%s%s%s"), c.nread,
			          c.nwritten, c.nrejected,
			          c.nrejected && c.rejects ? _(" (saved in '") : "",
			          c.nrejected && c.rejects ? c.rejects_name : "",
			          c.nrejected && c.rejects ? "')" : "");
		}
		if (c.fatal || c.io_error)
			status = 2;
		else if (c.nrejected > 0)
			status = 1;
	}
	free(c.rejects_alloc);
	isismap_destroy(c.map);
	return status;
}
