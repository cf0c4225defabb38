/* t-vnime.c - the Telex and VNI input methods (src/vnime.c): a table of
 * 700+ real Vietnamese words (tests/data/vnime-words.tsv) typed both ways,
 * plus undo, tone placement styles and mixed text. */
#include "harness.h"
#include "vnime.h"

static void typed(int method, int new_style, const char *keys, const char *want)
{
	vnime m;
	vnime_init(&m, method);
	m.new_style = new_style;
	char *got = vnime_type(&m, keys);
	CHECKF(!strcmp(got, want), "%s '%s' -> '%s', want '%s'",
	       vnime_method_name(method), keys, got, want);
	free(got);
}

int main(void)
{
	typed(VNIME_TELEX, 0, "Tieengs Vieetj", "Tiếng Việt");
	typed(VNIME_VNI, 0, "Tie6ng1 Vie65t", "Tiếng Việt");
	typed(VNIME_TELEX, 0, "Tawst ddenf", "Tắt đèn");
	typed(VNIME_TELEX, 0, "truwowngf ddaij hocj", "trường đại học");
	typed(VNIME_TELEX, 0, "truowngf", "trường");
	typed(VNIME_TELEX, 0, "nguwowif", "người");
	typed(VNIME_TELEX, 0, "Nguyeenx Dux", "Nguyễn Dũ");
	typed(VNIME_TELEX, 0, "hoaf", "hòa");
	typed(VNIME_TELEX, 1, "hoaf", "hoà");
	typed(VNIME_TELEX, 0, "hoafn", "hoàn");
	typed(VNIME_TELEX, 1, "thuyr", "thuỷ");
	typed(VNIME_TELEX, 0, "thuyr", "thủy");
	typed(VNIME_TELEX, 0, "khoer", "khỏe");
	typed(VNIME_TELEX, 0, "quaf", "quà");
	typed(VNIME_TELEX, 0, "gif", "gì");
	typed(VNIME_TELEX, 0, "giuwax", "giữa");
	typed(VNIME_TELEX, 0, "w", "ư");
	typed(VNIME_TELEX, 0, "tw", "tư");
	/* undo with a repeated key */
	typed(VNIME_TELEX, 0, "aww", "aw");
	typed(VNIME_TELEX, 0, "awww", "aww");
	typed(VNIME_TELEX, 0, "ass", "as");
	typed(VNIME_TELEX, 0, "ddd", "dd");
	typed(VNIME_TELEX, 0, "aaa", "aa");
	typed(VNIME_VNI, 0, "a11", "a1");
	/* tone changes and removal */
	typed(VNIME_TELEX, 0, "asf", "à");
	typed(VNIME_TELEX, 0, "asz", "a");
	/* the tone moves as letters are added */
	typed(VNIME_TELEX, 0, "tosan", "toán");
	/* keys that are not Vietnamese stay as typed */
	typed(VNIME_TELEX, 0, "s1 $a", "s1 $a");
	typed(VNIME_OFF, 0, "Tieengs", "Tieengs");
	/* decomposed input in the word is understood */
	{
		vnime m;
		vnime_init(&m, VNIME_TELEX);
		char out[64];
		CHECK(vnime_key(&m, "Vie\xcc\xa3\xcc\x82", 't', out, sizeof out) == 1);
		CHECK_STR(out, "Việt");
	}
	CHECK_INT(vnime_method_parse("telex"), VNIME_TELEX);
	CHECK_INT(vnime_method_parse("vni"), VNIME_VNI);
	CHECK_INT(vnime_method_parse("xyz"), -1);

	/* the word table */
	FILE *fp = fopen(t_root("tests/data/vnime-words.tsv"), "r");
	CHECK(fp != NULL);
	int words = 0;
	char line[512];
	while (fp && fgets(line, sizeof line, fp)) {
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\r\n")] = 0;
		char *w = strtok(line, "\t"), *tel = strtok(NULL, "\t"),
		     *vni = strtok(NULL, "\t"), *style = strtok(NULL, "\t");
		if (!w || !tel || !vni || !style)
			continue;
		int ns = !strcmp(style, "new");
		typed(VNIME_TELEX, ns, tel, w);
		typed(VNIME_VNI, ns, vni, w);
		words++;
	}
	if (fp)
		fclose(fp);
	CHECKF(words >= 200, "only %d words in the table", words);
	DONE();
}
