/*
 * t-journal-text.c - unit tests of journal-text.c: every summary form
 * store.c and store-copies.c write reads the same in English, and in
 * Vietnamese clause by clause; unknown clauses stay as stored.
 */

#include "harness.h"
#include "../src/i18n.h"
#include "../src/journal-text.h"
#include "../src/edit.h"

#define SHOWN(stored, want) do { char *s_ = journal_text(stored); CHECK_STR(s_, want); free(s_); \
	} while (0)

/* the forms bienmuc writes (store.c, store-copies.c, catalog.c) */
static const char *const forms[] = {
	"new record (17 fields)",
	"copied from z3950.loc.gov:7090/Voyager: new record (12 fields)",
	"245 changed",
	"245 changed (several); 650 added (several); 500 removed; 020 added; 100 removed (several)",
	"leader changed",
	"245 changed; leader changed",
	"no change",
	"deleted",
	"undeleted",
	"version 2 restored: 245 changed",
	"version 12 restored: no change",
	"batch 4 undone: deleted",
	"batch 4 undone: 650 removed",
	"batch 4 undone",
	"copy VN00012 added",
	"copy VN00012 removed",
	"copy VN00012: status withdrawn; location Kho mượn; note (none)",
	"copy VN00012: moved to record bm00000017",
	"change 31 (edit) undone",
	"batch 4 undone: copy VN00012 removed",
	"batch 4 undone: change 31 (remove) undone",
	"batch 4 undone: copy VN00012 kept with deleted record bm00000017",
	"",
	"something a later bienmuc wrote; 245 changed",
};

int main(void)
{
	const char *why = t_messages_setup();
	if (why) {
		SKIP(why);
		DONE();
	}
	i18n_init();

	/* English: every form exactly as stored */
	CHECK_INT(i18n_set_lang("en"), 0);
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
		SHOWN(forms[i], forms[i]);
	SHOWN(NULL, "");
	static const char *const acts[] = { "add", "edit", "delete", "undelete", "import",
	                                    "replace", "merge", "rollback", "undo", "auth" };
	for (size_t i = 0; i < sizeof acts / sizeof *acts; i++)
		CHECK_STR(journal_action(acts[i]), acts[i]);
	CHECK_STR(journal_action(NULL), "");

	/* Vietnamese */
	CHECK_INT(i18n_set_lang("vi"), 0);
	SHOWN("new record (17 fields)", "biểu ghi mới (17 trường)");
	SHOWN("copied from z3950.loc.gov:7090/Voyager: new record (12 fields)",
	      "sao từ z3950.loc.gov:7090/Voyager: biểu ghi mới (12 trường)");
	SHOWN("245 changed", "sửa 245");
	SHOWN("245 changed (several); 650 added (several); 500 removed; 020 added; "
	      "100 removed (several)",
	      "sửa 245 (nhiều trường); thêm 650 (nhiều trường); bỏ 500; thêm 020; "
	      "bỏ 100 (nhiều trường)");
	SHOWN("245 changed; leader changed", "sửa 245; sửa đầu biểu");
	SHOWN("no change", "không thay đổi");
	SHOWN("deleted", "đã xóa");
	SHOWN("undeleted", "đã phục hồi");
	SHOWN("version 2 restored: 245 changed", "khôi phục phiên bản 2: sửa 245");
	SHOWN("batch 4 undone: deleted", "hủy lô 4: đã xóa");
	SHOWN("batch 4 undone", "hủy lô 4");
	SHOWN("copy VN00012 added", "thêm bản VN00012");
	SHOWN("copy VN00012 removed", "bỏ bản VN00012");
	SHOWN("copy VN00012: status withdrawn; location Kho mượn; note (none)",
	      "bản VN00012: tình trạng withdrawn; kho Kho mượn; ghi chú (không có)");
	SHOWN("copy VN00012: moved to record bm00000017",
	      "bản VN00012: chuyển sang biểu ghi bm00000017");
	SHOWN("change 31 (edit) undone", "hủy thay đổi 31 (edit)");
	/* a batch undo's copies entries */
	SHOWN("batch 4 undone: copy VN00012 removed", "hủy lô 4: bỏ bản VN00012");
	SHOWN("batch 4 undone: change 31 (remove) undone", "hủy lô 4: hủy thay đổi 31 (remove)");
	SHOWN("batch 4 undone: copy VN00012 kept with deleted record bm00000017",
	      "hủy lô 4: giữ bản VN00012 cùng biểu ghi đã xóa bm00000017");
	/* what it does not know stays as stored, clause by clause */
	SHOWN("something a later bienmuc wrote; 245 changed",
	      "something a later bienmuc wrote; sửa 245");
	SHOWN("version two restored: 245 changed", "version two restored: 245 changed");
	SHOWN("24 changed", "24 changed");
	SHOWN("new record (many fields)", "new record (many fields)");
	/* the stray "; " older versions wrote after a note */
	SHOWN("version 1 restored: ; 245 changed", "khôi phục phiên bản 1: sửa 245");
	SHOWN("", "");
	/* actions: bienmuc's own translated, others as stored */
	CHECK_STR(journal_action("import"), "nhập");
	CHECK_STR(journal_action("replace"), "thay thế");
	CHECK_STR(journal_action("rollback"), "quay lại");
	CHECK_STR(journal_action("undo"), "hoàn tác");
	CHECK_STR(journal_action("auth"), "tđ chuẩn");
	CHECK_STR(journal_action("catalogue"), "catalogue");
	CHECK_STR(journal_action(""), "");
	for (size_t i = 0; i < sizeof acts / sizeof *acts; i++) {
		const char *a = journal_action(acts[i]);
		CHECK(strcmp(a, acts[i]) != 0);            /* every one translated */
		CHECK(edit_str_cells(a) <= 8);              /* fits the history list */
	}
	DONE();
}
