# Makefile - bienmuc. `make run` and `make check` set everything up on a
# fresh Debian 12 machine (as root); see README.md.

PKG_CONFIG ?= pkg-config
PKGS        = yaz yaz-server sqlite3 ncursesw libedit libutf8proc icu-i18n icu-uc zlib
PREFIX     ?= /usr/local
BINDIR      = $(PREFIX)/bin
MANDIR      = $(PREFIX)/share/man
DATADIR     = $(PREFIX)/share/bienmuc
DESTDIR    ?=

CC         ?= cc
OPT        ?= -O2 -g
WARN        = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wpointer-arith -Wvla \
              -Wstrict-prototypes -Wmissing-prototypes
CFLAGS     ?= $(OPT)
PKG_CFLAGS  = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS  = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(PKG_CFLAGS) \
              -DBM_DATADIR='"$(DATADIR)"' $(CFLAGS)
# Linking (issue 5, the workstation's peak RSS; README "Memory"): these are
# linked statically, from the .a files of the -dev packages above and their
# dependencies, so only the objects bienmuc uses come in and start-up maps
# no dozens of shared libraries. GnuTLS, libxslt/libexslt and libicui18n
# are not linked at all: src/lazylib.c loads them on first use (-u pulls it
# in). libxml2 and libicuuc stay shared (libxslt needs that libxml2).
STATIC_LIBS = -lyaz_server -lyaz -lwrap -lnsl -ltirpc -lsqlite3 -ledit -lncursesw -ltinfo \
              -lbsd -lmd -lutf8proc -lz
# --wrap: GFS's SRU request decoding and its Bib-1 -> SRU diagnostic mapping
# go through server.c first (see there).
LIBS        = -Wl,-u,lazylib_linked -Wl,--wrap=yaz_sru_decode -Wl,--wrap=yaz_srw_decode -Wl,--wrap=yaz_srw_get_pdu_e \
              -Wl,--wrap=yaz_diag_bib1_to_srw \
              -Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic \
              $(shell $(PKG_CONFIG) --libs libxml-2.0 icu-uc 2>/dev/null) -lcrypt -lm -lutil

SRC         = $(filter-out src/main.c,$(wildcard src/*.c))
HDR         = $(wildcard src/*.h) src/commands.def
OBJ         = $(SRC:src/%.c=build/%.o)
ASAN_OBJ    = $(SRC:src/%.c=build-asan/%.o)
UNIT_SRC    = $(wildcard tests/t-*.c)
UNIT        = $(UNIT_SRC:tests/%.c=build/tests/%)
ASAN_UNIT   = $(UNIT_SRC:tests/%.c=build-asan/tests/%)
# Headers the unit tests include (harness.h, shared helpers): not programs.
UNIT_HDR    = $(wildcard tests/*.h)
SAN         = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# ThreadSanitizer, for the unit tests of code that runs on two threads
# (the import's read-ahead: tests/readahead-tsan.test runs them)
TSAN        = -fsanitize=thread -fno-omit-frame-pointer
TSAN_OBJ    = $(SRC:src/%.c=build-tsan/%.o)
TSAN_UNIT   = build-tsan/tests/t-readahead build-tsan/tests/t-ckpt

.PHONY: mo pot all deps run check check-unit check-asan check-shell bench fuzz install clean demo man-lint

all: bienmuc mo

# ---- dependencies: install only what is missing (Debian packages only) ----
# Build libraries, found with pkg-config, and the tools the tests use.
DEB_BUILD   = build-essential pkg-config libyaz-dev libsqlite3-dev libncurses-dev \
              libedit-dev libutf8proc-dev libicu-dev libcrypt-dev \
              libwrap0-dev libbsd-dev libmd-dev libtirpc-dev libnsl-dev libgnutls28-dev \
              libxslt1-dev libxml2-dev zlib1g-dev
DEB_TOOLS   = yaz tmux mandoc valgrind clang libclang-rt-14-dev libmarc-lint-perl \
              libmarc-record-perl libmarc-xml-perl idzebra-2.0 locales gettext \
              libxml2-utils curl poppler-utils python3 time fonts-dejavu-core sqlite3 qpdf
TOOL_CMDS   = yaz-marcdump sqlite3 tmux mandoc valgrind clang zebraidx xmllint curl pdftoppm qpdf msgfmt \
              python3 /usr/bin/time
deps:
	@missing=""; \
	for p in $(PKGS); do $(PKG_CONFIG) --exists $$p 2>/dev/null || missing=1; done; \
	for c in $(TOOL_CMDS) cc make; do command -v $$c >/dev/null 2>&1 || missing=1; done; \
	perl -MMARC::Lint -e1 2>/dev/null || missing=1; \
	test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || missing=1; \
	test -f /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a || \
	  ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || missing=1; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "bienmuc: deps: packages are missing; as root run: make deps" >&2; exit 2; fi; \
	  echo "bienmuc: deps: installing Debian packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    $(DEB_BUILD) $(DEB_TOOLS) >/dev/null || exit 2; \
	fi

# ---- build ----
# The data directory is compiled in (BM_DATADIR): a different PREFIX must
# rebuild the objects, so they depend on a stamp that changes with it.
build/datadir.stamp: FORCE | build
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@
.PHONY: FORCE
FORCE:
build/%.o: src/%.c $(HDR) build/datadir.stamp | build
	@echo "  CC      $<"; $(CC) $(ALL_CFLAGS) -Isrc -c -o $@ $<
build-asan/%.o: src/%.c $(HDR) | build-asan
	@echo "  CC-ASAN $<"; $(CC) $(ALL_CFLAGS) -O1 $(SAN) -Isrc -c -o $@ $<
build-tsan/%.o: src/%.c $(HDR) | build-tsan
	@echo "  CC-TSAN $<"; $(CC) $(ALL_CFLAGS) -O1 $(TSAN) -Isrc -c -o $@ $<
build build-asan build-tsan build/tests build-asan/tests build-tsan/tests:
	@mkdir -p $@

build/libbienmuc.a: $(OBJ)
	@rm -f $@; ar rcs $@ $(OBJ)
build-asan/libbienmuc.a: $(ASAN_OBJ)
	@rm -f $@; ar rcs $@ $(ASAN_OBJ)
build-tsan/libbienmuc.a: $(TSAN_OBJ)
	@rm -f $@; ar rcs $@ $(TSAN_OBJ)

bienmuc: build/main.o build/libbienmuc.a
	@echo "  LD      $@"; $(CC) $(ALL_CFLAGS) -o $@ build/main.o build/libbienmuc.a $(LIBS)

build/tests/%: tests/%.c $(UNIT_HDR) build/libbienmuc.a | build/tests
	@echo "  LD      $@"; $(CC) $(ALL_CFLAGS) -Isrc -Itests -o $@ $< build/libbienmuc.a $(LIBS)
build-asan/tests/%: tests/%.c $(UNIT_HDR) build-asan/libbienmuc.a | build-asan/tests
	@echo "  LD-ASAN $@"; $(CC) $(ALL_CFLAGS) -O1 $(SAN) -Isrc -Itests -o $@ $< build-asan/libbienmuc.a $(LIBS)
build-tsan/tests/%: tests/%.c $(UNIT_HDR) build-tsan/libbienmuc.a | build-tsan/tests
	@echo "  LD-TSAN $@"; $(CC) $(ALL_CFLAGS) -O1 $(TSAN) -Isrc -Itests -o $@ $< build-tsan/libbienmuc.a $(LIBS)

# ---- translations (po/vi.po -> build/locale; the binary finds it there) ----
PO          = $(wildcard po/*.po)
MO          = $(PO:po/%.po=build/locale/%/LC_MESSAGES/bienmuc.mo)
LOCALEDIR   = $(PREFIX)/share/locale
I18N_SRC    = $(sort $(wildcard src/*.c)) src/commands.def
mo: $(MO)
build/locale/%/LC_MESSAGES/bienmuc.mo: po/%.po
	@mkdir -p $(dir $@); echo "  MSGFMT  $<"; msgfmt -c -o $@ $<
pot:
	xgettext -L C --from-code=UTF-8 -k_ -kN_ -kUI:4 --add-comments=/ --package-name=bienmuc \
	  --msgid-bugs-address= -o po/bienmuc.pot $(I18N_SRC)
	for p in $(PO); do msgmerge -q -U --no-fuzzy-matching --backup=none $$p po/bienmuc.pot; done

# ---- tests ----
# Every test prints "N passed, N failed" last; tests/run-tests sums them.
check: deps
	@$(MAKE) --no-print-directory all $(UNIT) $(ASAN_UNIT) $(TSAN_UNIT)
	@sh tests/run-tests $(UNIT) -- $(ASAN_UNIT) -- $(sort $(wildcard tests/*.test))

check-unit: all $(UNIT)
	@sh tests/run-tests $(UNIT)
check-asan: $(ASAN_UNIT)
	@sh tests/run-tests -- $(ASAN_UNIT)
check-shell: all
	@sh tests/run-tests -- -- $(sort $(wildcard tests/*.test))

# ---- fuzzing (clang libFuzzer); a short run is part of `make check` ----
FUZZ_SRC    = $(wildcard tests/fuzz/fuzz-*.c)
FUZZ        = $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_TIME  ?= 300
FUZZ_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 $(PKG_CFLAGS) -Isrc \
              -DBM_DATADIR='"$(DATADIR)"'
FUZZ_OBJ    = $(SRC:src/%.c=build-fuzz/obj/%.o)
# the objects are built by a pattern rule as intermediates of the fuzz
# targets: keep them (make would delete them, under a concurrent build)
.SECONDARY: $(FUZZ_OBJ)
build-fuzz/obj/%.o: src/%.c $(HDR)
	@mkdir -p build-fuzz/obj
	@echo "  CC-FUZZ $<"; clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
build-fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) $(FUZZ_OBJ)
	@echo "  LD-FUZZ $@"; clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_OBJ) $(LIBS)
fuzz: deps $(FUZZ)
	@for f in $(FUZZ); do n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n; \
	  echo "fuzz: $$n for $(FUZZ_TIME)s"; \
	  $$f -max_total_time=$(FUZZ_TIME) -max_len=200000 build-fuzz/corpus-$$n tests/fuzz/seeds/$$n || exit 1; done

# ---- benchmarks (not tests) ----
bench: deps all
	@sh tests/bench/run

# ---- demo and run ----
demo: all
	@sh tests/demo-setup

run: deps
	@$(MAKE) --no-print-directory all demo
	@if [ -f demo/catalog.db ] && [ -t 0 ]; then exec ./bienmuc -d demo/catalog.db; \
	 else ./bienmuc --help; fi

# ---- install ----
MAN1 = $(wildcard man/*.1)
MAN5 = $(wildcard man/*.5)
MAN7 = $(wildcard man/*.7)
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	  $(DESTDIR)$(DATADIR)/marc $(DESTDIR)$(DATADIR)/forms
	install -m 755 bienmuc $(DESTDIR)$(BINDIR)/bienmuc
	for m in $(MAN1); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in $(MAN5); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man5/; done
	for m in $(MAN7); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man7/; done
	for f in marc/*; do [ -f "$$f" ] && install -m 644 $$f $(DESTDIR)$(DATADIR)/marc/ || true; done
	for f in forms/*; do [ -f "$$f" ] && install -m 644 $$f $(DESTDIR)$(DATADIR)/forms/ || true; done
	for m in $(MO); do l=$${m#build/locale/}; l=$${l%%/*}; \
	  install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES; \
	  install -m 644 $$m $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/bienmuc.mo; done

man-lint:
	mandoc -Tlint -W warning man/*.[157]

clean:
	rm -rf build build-asan build-tsan build-fuzz bienmuc tests/tmp
