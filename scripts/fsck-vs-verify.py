#!/usr/bin/env python3
"""Large differential: random damage on a copy of a cache real Go built, then
`go mod verify` (in every project of the cache) against `modcache fsck --json`.

Usage: scripts/fsck-vs-verify.py [--seeds 1-8] [--damage 120] [BENCH_CACHE_DIR]

BENCH_CACHE_DIR is a directory made by `scripts/bench-vs-go.sh --build-only SIZE MODULES`
(gomodcache/ and projects/; default /tmp/modcache-bench/s256-m200, which
`scripts/bench-vs-go.sh --build-only 256 200` builds in about a minute). For each seed
the cache is copied, `--damage` versions get one random damage each (a bit flipped in a
tree file or in a zip entry's data, a tree file halved, appended to, removed or added, a
zip truncated, a .ziphash removed, a tree file replaced by a link to an identical copy,
which Go accepts), and the (module, version, kind) findings of both tools are compared
for the kinds `go mod verify` reports: zip-modified, dir-modified, ziphash-missing,
zip-corrupt. fsck's zip-corrupt findings that come only from Go's extraction rules
(`Go refuses to extract it`, which `go mod verify` does not apply) are left out. Exits 1
on the first seed whose findings differ, printing the damage plan.

Environment: GO (default .venv/bin/go, then go on PATH), MODCACHE (default
target/release/modcache), WORK (default /tmp/modcache-fsck-vs-verify).
"""
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KINDS = {'zip-modified', 'dir-modified', 'ziphash-missing', 'zip-corrupt'}


def args():
    seeds, damage, src = range(1, 9), 120, '/tmp/modcache-bench/s256-m200'
    rest = sys.argv[1:]
    while rest:
        a = rest.pop(0)
        if a == '--seeds':
            lo, _, hi = rest.pop(0).partition('-')
            seeds = range(int(lo), int(hi or lo) + 1)
        elif a == '--damage':
            damage = int(rest.pop(0))
        elif a in ('-h', '--help'):
            print(__doc__)
            sys.exit(0)
        else:
            src = a
    return seeds, damage, src


def tool(var, *candidates):
    for c in [os.environ.get(var)] + list(candidates):
        if c and shutil.which(c):
            return shutil.which(c)
    sys.exit(f'fsck-vs-verify: no {var.lower()} binary: set {var}')


def unescape(p):
    return re.sub(r'!([a-z])', lambda m: m.group(1).upper(), p)


def tree_files(tree):
    return sorted(os.path.join(r, f) for r, _, fs in os.walk(tree) for f in fs)


def largest(tree):
    fs = tree_files(tree)
    return max(fs, key=lambda p: (os.path.getsize(p), p)) if fs else None


def entries_with_data(zpath):
    """(data offset, compressed size, size) of each entry with compressed data."""
    data = open(zpath, 'rb').read()
    out = []
    with zipfile.ZipFile(zpath) as z:
        for i in z.infolist():
            if i.compress_size > 0:
                n, e = struct.unpack('<HH', data[i.header_offset + 26:i.header_offset + 30])
                out.append((i.header_offset + 30 + n + e, i.compress_size, i.file_size))
    return out


def flip(path, lo, hi, rng):
    data = bytearray(open(path, 'rb').read())
    i = rng.randrange(lo, hi)
    data[i] ^= 1 << rng.randrange(8)
    open(path, 'wb').write(data)
    return i


def damage(rng, work, n, zpath, tree):
    """Damage one version; what was done, or None when the draw did not apply."""
    kind = rng.randrange(10)
    f = largest(tree)
    if kind == 0 and f and os.path.getsize(f) > 0:
        i = flip(f, 0, os.path.getsize(f), rng)
        return f'flip a bit of a {os.path.getsize(f)}-byte tree file at {i}'
    if kind == 1 and f:
        size = os.path.getsize(f)
        os.truncate(f, size // 2)
        return f'halve a {size}-byte tree file'
    if kind == 2 and f:
        open(rng.choice(tree_files(tree)), 'ab').write(b'x')
        return 'append a byte to a tree file'
    if kind == 3 and f:
        os.remove(rng.choice(tree_files(tree)))
        return 'remove a tree file'
    if kind == 4 and os.path.isdir(tree):
        open(os.path.join(tree, 'zz_extra.txt'), 'w').write('x')
        return 'add a tree file'
    ents = entries_with_data(zpath)
    if kind == 5 and ents:
        start, csize, size = max(ents, key=lambda e: e[1])
        flip(zpath, start, start + csize, rng)
        return f'flip a bit in the data of the largest entry ({size} bytes)'
    if kind == 6 and ents:
        start, csize, size = rng.choice(ents)
        flip(zpath, start, start + min(csize, 24), rng)
        return f'flip a bit in the first bytes of an entry ({size} bytes)'
    if kind == 7:
        data = open(zpath, 'rb').read()
        open(zpath, 'wb').write(data[:rng.randrange(len(data))])
        return 'truncate the zip'
    if kind == 8:
        os.remove(zpath[:-4] + '.ziphash')
        return 'remove the .ziphash'
    if kind == 9 and f:
        copy = f'{work}/copy-{n}'
        shutil.copy(f, copy)
        os.remove(f)
        os.symlink(copy, f)
        return 'replace a tree file by a link to an identical copy (healthy)'
    return None


def go_findings(go, work):
    env = dict(os.environ, GOMODCACHE=f'{work}/gomodcache', GOPATH=f'{work}/gopath',
               GOCACHE=f'{work}/gocache', GOPROXY='off', GOSUMDB='off',
               GOTOOLCHAIN='local', GOFLAGS='-mod=mod', GOTELEMETRY='off')
    found = set()
    for p in sorted(os.listdir(f'{work}/projects')):
        out = subprocess.run([go, 'mod', 'verify'], cwd=f'{work}/projects/{p}', env=env,
                             capture_output=True, text=True)
        for line in (out.stdout + out.stderr).splitlines():
            mv, _, what = line.partition(': ')
            m, _, v = mv.partition(' ')
            if not what or not v.startswith('v') or ' ' in v:
                continue
            for prefix, kind in [('dir has been modified', 'dir-modified'),
                                 ('zip has been modified', 'zip-modified'),
                                 ('missing ziphash', 'ziphash-missing'),
                                 ('zip: ', 'zip-corrupt'), ('flate: ', 'zip-corrupt'),
                                 ('unexpected EOF', 'zip-corrupt')]:
                if what.startswith(prefix):
                    found.add((m, v, kind))
                    break
            else:
                sys.exit(f'fsck-vs-verify: unexpected go mod verify line: {line}')
    return found


def main():
    seeds, n_damage, src = args()
    go = tool('GO', f'{REPO}/.venv/bin/go', 'go')
    modcache = tool('MODCACHE', f'{REPO}/target/release/modcache')
    for seed in seeds:
        rng = random.Random(seed)
        work = os.path.join(os.environ.get('WORK', '/tmp/modcache-fsck-vs-verify'), str(seed))
        if os.path.exists(work):
            subprocess.run(['chmod', '-R', 'u+w', work], check=True)
            shutil.rmtree(work)
        os.makedirs(work)
        subprocess.run(['cp', '-a', f'{src}/gomodcache', f'{src}/projects', work], check=True)
        dl = f'{work}/gomodcache/cache/download'
        versions = sorted(
            (os.path.relpath(os.path.dirname(r), dl), f[:-4], os.path.join(r, f))
            for r, _, fs in os.walk(dl) for f in fs if f.endswith('.zip'))
        rng.shuffle(versions)
        plan = []
        for n, (escaped, v, zpath) in enumerate(versions[:n_damage]):
            what = damage(rng, work, n, zpath, f'{work}/gomodcache/{escaped}@{v}')
            if what:
                plan.append(f'{unescape(escaped)}@{v}: {what}')

        go_says = go_findings(go, work)
        out = subprocess.run([modcache, 'fsck', '--json', '--modcache', f'{work}/gomodcache'],
                             capture_output=True, text=True)
        fsck_says = {(p['module'], p['version'], p['kind']) for p in json.loads(out.stdout)['problems']
                     if p['kind'] in KINDS and 'Go refuses to extract it' not in p['detail']}
        print(f'seed {seed}: {len(plan)} versions damaged; go mod verify: {len(go_says)} findings, '
              f'fsck: {len(fsck_says)}: {"equal" if go_says == fsck_says else "DIFFERENT"}')
        if go_says != fsck_says:
            print('only go mod verify:', sorted(go_says - fsck_says))
            print('only fsck:', sorted(fsck_says - go_says))
            print('\n'.join(plan))
            sys.exit(1)
        subprocess.run(['chmod', '-R', 'u+w', work], check=True)
        shutil.rmtree(work)


if __name__ == '__main__':
    main()
