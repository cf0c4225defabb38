# convert-lib.sh - helpers shared by the tests/convert-*.test scripts
# (sourced after tests/lib.sh). Records are compared as MARC-in-JSON text
# written by `bienmuc convert -t json` (lossless: it escapes every byte of
# a value; it refuses only control characters as indicators, and canon
# then fails loudly), one record per line, with the computed leader
# positions (0-4 record length, 12-16 base address) blanked.

# nfc: stdin to stdout in Unicode NFC (perl is always there: MARC::Lint needs it)
nfc() { perl -CSD -MUnicode::Normalize -ne 'print NFC($_)'; }

# canon_json: our JSON output on stdin -> one record per line, leader
# lengths blanked
canon_json() {
  sed -E '/^[][]$/d; s/,$//; s/^\{"leader":"(.{5})(.{7})(.{5})/{"leader":".....\2...../'
}

# canon FILE OUT [ARGS...]: FILE's records in canonical form in OUT (ARGS:
# options for reading FILE). Fails unless every record was read and
# written (exit 0) and there is at least one.
canon() {
  _f=$1 _o=$2; shift 2
  "$BM" convert -q -t json "$@" "$_f" 2>"$_o.err" >"$_o.raw"
  _rc=$?
  canon_json <"$_o.raw" >"$_o"
  [ $_rc -eq 0 ] && [ -s "$_o" ]
}

# show_diff A B: the first differences of two canonical files, a field a line
show_diff() {
  sed 's/},{"/},\n{"/g' "$1" >"$1.lines"
  sed 's/},{"/},\n{"/g' "$2" >"$2.lines"
  diff "$1.lines" "$2.lines" | head -n "${3:-8}" >&2
}

# same_records DESC A B [ARGS...]: one check: A and B hold the same records
# (ARGS are convert options used to read B, e.g. --from-charset).
same_records() {
  _d=$1 _a=$2 _b=$3; shift 3
  if canon "$_a" "$TMP/sr.a" && canon "$_b" "$TMP/sr.b" "$@" &&
     cmp -s "$TMP/sr.a" "$TMP/sr.b"; then ok
  else
    fail "$_d: records differ ($_a vs $_b)"
    show_diff "$TMP/sr.a" "$TMP/sr.b"
    cat "$TMP/sr.a.err" "$TMP/sr.b.err" 2>/dev/null | head -n 5 >&2
  fi
}

# yline_canon: yaz-marcdump `-o line` text with the leader positions 0-4
# (length), 9 (charset), 12-16 (base address) and 20-23 (entry map, which
# our writers always make 4500) blanked; a leader is the first line of a
# record. yaz's own warning lines "(...)" are dropped.
yline_canon() {
  awk 'BEGIN { l = 1 }
       /^\(.*\)$/ { next }
       /^$/ { l = 1; print; next }
       l == 1 && length($0) >= 24 { $0 = "....." substr($0, 6, 4) "." substr($0, 11, 2) "....." substr($0, 18, 3) "...." }
       { l = 0; print }'
}

# summary ERRFILE: "READ WRITTEN REJECTED" from convert's last summary line
summary() {
  sed -nE 's/^bienmuc: convert: read ([0-9]+), written ([0-9]+), rejected ([0-9]+).*/\1 \2 \3/p' "$1" | tail -n 1
}

# fixture NAME: tests/data/NAME, or the shared authored copy, or "" if neither
fixture() {
  if [ -f "$BM_ROOT/tests/data/$1" ]; then echo "$BM_ROOT/tests/data/$1"
  elif [ -f "$BM_SHARED/vi/authored/$1" ]; then echo "$BM_SHARED/vi/authored/$1"
  fi
}
