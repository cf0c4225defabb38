#!/usr/bin/env python3
# make-isis.py - builds tests/data/isis-books.iso, a CDS/ISIS-style ISO 2709
# export (the library's own tags, "^a" subfield delimiters, no indicators)
# from the authored MARC records in bib-vi.mrk, with the reverse of
# marc/cdsisis-books.map. Run once; the output is committed.
#   usage: make-isis.py bib-vi.mrk isis-books.iso [encoding]
import re, sys, unicodedata, subprocess

def records(path):
    rec = []
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\r\n')
        if not line:
            if rec: yield rec
            rec = []
            continue
        rec.append((line[1:4], line[6:]))
    if rec: yield rec

def subs(v):
    parts = v[2:].split('$')[1:]
    return [(p[0], p[1:]) for p in parts if p]

def clean(s):
    s = s.strip()
    s = re.sub(r'\s*[:;/,=]$', '', s)
    s = re.sub(r'(?<![A-Z.])\.$', '', s)
    return s.strip()

def convert(rec):
    out = []
    for tag, v in rec:
        if tag == 'LDR': continue
        if tag == '001': out.append(('001', v)); continue
        if tag < '010': continue
        sf = subs(v)
        d = {}
        for c, x in sf: d.setdefault(c, []).append(x)
        g = lambda c: clean(d[c][0]) if c in d else None
        if tag == '020':
            s = '^a' + g('a') if g('a') else ''
            if g('c'): s += '^c' + g('c')
            if s: out.append(('002', s))
        elif tag == '041': out.append(('101', g('a')))
        elif tag == '082': out.append(('010', g('a')))
        elif tag == '100':
            s = g('a')
            if g('d'): s += '^d' + g('d')
            out.append(('100', s))
        elif tag == '700': out.append(('110', g('a')))
        elif tag == '245':
            s = '^a' + g('a')
            if g('b'): s += '^b' + g('b')
            if g('c'): s += '^c' + g('c')
            out.append(('200', s))
        elif tag == '250': out.append(('205', g('a')))
        elif tag in ('260', '264'):
            s = ''.join('^' + c + g(c) for c in 'abc' if g(c))
            out.append(('210', s))
        elif tag == '300':
            s = ''.join('^' + c + g(c) for c in 'abc' if g(c))
            out.append(('215', s))
        elif tag == '490':
            s = ''.join('^' + c + g(c) for c in 'av' if g(c))
            out.append(('225', s))
        elif tag == '500': out.append(('300', g('a')))
        elif tag == '520': out.append(('330', g('a')))
        elif tag == '650': out.append(('610', g('a')))
        elif tag == '653':
            for x in d.get('a', []): out.append(('600', clean(x)))
        elif tag == '852':
            if g('h'): out.append(('020', g('h')))
            if g('p'): out.append(('900', g('p')))
    out = [(t, v) for t, v in out if v]
    out.append(('902', '20050317'))
    out.sort(key=lambda t: t[0])
    return out

def iso(fields, enc):
    data = b''; dirs = b''
    for tag, v in fields:
        b = v.encode(enc) + b'\x1e'
        dirs += tag.encode() + b'%04d%05d' % (len(b), len(data))
        data += b
    base = 24 + len(dirs) + 1
    length = base + len(data) + 1
    ldr = b'%05dnam  22%05d   4500' % (length, base)
    return ldr + dirs + b'\x1e' + data + b'\x1d'

src, dst = sys.argv[1], sys.argv[2]
enc = sys.argv[3] if len(sys.argv) > 3 else 'utf-8'
with open(dst, 'wb') as f:
    for r in records(src):
        f.write(iso(convert(r), enc))
