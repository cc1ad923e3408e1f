#!/usr/bin/env python3
"""Extract function facts (names, signatures, return types, result naming,
obsolete/hidden marks) from Kusto.Language's Functions.cs, Aggregates.cs and
PlugIns.cs into the compact table src/check/functions.tsv.

usage: extract.py <dir with Functions.cs Aggregates.cs PlugIns.cs> > src/check/functions.tsv

Only facts are kept (one line per signature); the table is read by
src/check/functions.rs.
"""
import re
import sys

def matching(s, i):
    """Index just past the parenthesis/brace group starting at s[i]."""
    opens = {'(': ')', '{': '}', '[': ']'}
    stack = []
    j = i
    while j < len(s):
        c = s[j]
        if c == '"':
            j += 1
            while s[j] != '"':
                j += 2 if s[j] == '\\' else 1
        elif c in opens:
            stack.append(opens[c])
        elif stack and c == stack[-1]:
            stack.pop()
            if not stack:
                return j + 1
        j += 1
    return j

def split_top(s):
    parts, depth, cur, j = [], 0, '', 0
    while j < len(s):
        c = s[j]
        if c == '"':
            k = j + 1
            while s[k] != '"':
                k += 2 if s[k] == '\\' else 1
            cur += s[j:k + 1]
            j = k + 1
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        if c == ',' and depth == 0:
            parts.append(cur.strip())
            cur = ''
        else:
            cur += c
        j += 1
    if cur.strip():
        parts.append(cur.strip())
    return parts

def ty(tok):
    m = re.match(r'(ScalarTypes|ParameterTypeKind|ReturnTypeKind)\.(\w+)', tok)
    if m:
        return m.group(2).lower()
    if tok.startswith('Tabularity') or tok.startswith('TableSymbol') or tok.startswith('context') or '=>' in tok:
        return 'custom'
    return None

def param(p):
    inner = p[p.index('(') + 1:p.rindex(')')]
    args = split_top(inner)
    t = None
    lo, hi = 1, 1
    for a in args[1:]:
        if a.startswith('minOccurring:'):
            lo = int(a.split(':')[1])
        elif a.startswith('maxOccurring:'):
            v = a.split(':')[1].strip()
            hi = 9999 if v == 'MaxRepeat' else int(v)
        elif t is None:
            if a.startswith('new') and 'ScalarTypes' in a:
                t = 'scalar'
            else:
                t = ty(a)
    if lo > hi:
        hi = lo
    constant = 'ArgumentKind.Constant' in inner or 'ArgumentKind.Literal' in inner
    return f"{t or 'scalar'}{'!' if constant else ''}{{{lo},{hi}}}"

PARAM_VARS = {}

def strip_comments(src):
    """Remove // comments outside string literals."""
    out, i = [], 0
    while i < len(src):
        c = src[i]
        if c == '"':
            j = i + 1
            while src[j] != '"':
                j += 2 if src[j] == '\\' else 1
            out.append(src[i:j + 1])
            i = j + 1
        elif src.startswith('//', i):
            i = src.find('\n', i)
            if i < 0:
                break
        else:
            out.append(c)
            i += 1
    return ''.join(out)

def signature(args):
    """args: list after the name (or inside Signature(...))."""
    ret = None
    params = []
    unknown = False
    for a in args:
        if a.startswith('new Parameter('):
            params.append(param(a))
        elif a in PARAM_VARS:
            params.append(param(PARAM_VARS[a]))
        elif a.startswith('new Parameter') or (params and re.match(r'^[A-Za-z_][\w.]*$', a) and not a.startswith('Tabularity')):
            unknown = True
        elif ret is None:
            t = ty(a)
            if t is not None:
                ret = t
            elif re.match(r'^[A-Za-z_]\w*$', a):
                ret = 'custom'
    return ret or 'custom', (['?'] if unknown else params)

def main(d):
    out = []
    for fname, kind in (('Functions.cs', 's'), ('Aggregates.cs', 'a'), ('PlugIns.cs', 'p')):
        src = strip_comments(open(f'{d}/{fname}', encoding='utf-8-sig').read())
        for m in re.finditer(r'static readonly Parameter (\w+)\s*=\s*(new Parameter\()', src):
            start = m.start(2) + len('new Parameter')
            PARAM_VARS[m.group(1)] = src[m.start(2):matching(src, start)]
        for m in re.finditer(r'new FunctionSymbol\(\s*"([^"]+)"', src):
            name = m.group(1)
            start = m.start() + len('new FunctionSymbol')
            end = matching(src, start)
            inner = src[start + 1:end - 1]
            args = split_top(inner)[1:]
            tail_end = src.find(';', end)
            tail = src[end:tail_end]
            naming = 'default'
            nk = re.search(r'WithResultNameKind\(ResultNameKind\.(\w+)\)', tail)
            if nk:
                naming = nk.group(1)
            pre = re.search(r'WithResultNamePrefix\("([^"]*)"\)', tail)
            if pre:
                naming += ':' + pre.group(1)
            flags = []
            ob = re.search(r'\.Obsolete\("([^"]*)"\)\s*$', tail.split('\n')[-1]) or re.search(r'\n\s*\.Obsolete\("([^"]*)"\)', tail)
            if ob:
                flags.append('obsolete=' + ob.group(1))
            if re.search(r'\n\s*\.Hide\(\)', tail) or tail.strip().endswith('.Hide()'):
                flags.append('hidden')
            sigs = [a for a in args if a.startswith('new Signature(')]
            if sigs:
                for s in sigs:
                    si = s[s.index('(') + 1:matching(s, s.index('(')) - 1]
                    ret, params = signature(split_top(si))
                    out.append((kind, name, ret, params, naming, flags))
            else:
                ret, params = signature(args)
                out.append((kind, name, ret, params, naming, flags))
    print('# kind\tname\treturn\tparams\tresult-naming\tflags')
    print('# generated by tools/kql-functions/extract.py from microsoft/Kusto-Query-Language (facts only)')
    for kind, name, ret, params, naming, flags in out:
        print('\t'.join([kind, name, ret, ' '.join(params) or '-', naming, ','.join(flags) or '-']))

main(sys.argv[1])
