#!/usr/bin/env python3
"""Generate synthetic Go modules for modcache's benchmarks (scripts/bench-vs-go.sh).

Subcommands:

  proxy --out DIR --size-mb N --modules M [--seed S] [--jobs J] [--corpus DIR]
      Write a GOPROXY=file:// directory DIR/proxy of M module paths with several versions
      each, about N MB of file content in all versions together, and one project per
      version rank, DIR/projects/pK/go.mod, requiring version K of every module that has
      one: `go mod download all` in every project fills a cache with every version, and
      `go mod verify` in every project covers exactly those versions (Go verifies only
      the build list, one version per module path).

      The mix mimics real caches (2.7 GB extracted from 0.7 GB of zips for 2,700
      versions of Debian's Go packages): many small .go files cut from real Go source
      (the corpus, by default $GOROOT/src), a heavy tail of bigger packages, testdata
      binaries that do not compress, deep trees in some modules, a few modules with
      files of 1-50 MB, and one very large module version (up to 400 MB) so that a
      single version can keep every core busy. Deterministic for a given seed.

  modonly --out CACHE --versions N
      Write a module cache holding N versions that have only a .info and a .mod file
      (what Go keeps for versions it needed only the go.mod of), laid out as Go does.

  bytes CACHE
      Print, as JSON, what verifying CACHE has to hash: zip entries' uncompressed and
      compressed bytes, extracted tree bytes, and counts.
"""

import argparse
import json
import math
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

DOMAIN = "bench.example"
ZIP_DATE = (2024, 1, 2, 3, 4, 6)
INFO_TIME = "2024-01-02T03:04:05Z"
MAX_VERSION_BYTES = 400 << 20  # Go refuses zips over 500 MiB uncompressed.

# Shares of the total size.
LARGE_SHARE = 0.30  # files of 1-50 MB in a few modules
BINARY_SHARE = 0.10  # poorly compressible testdata
CORPUS_BYTES = 48 << 20

_corpus = b""


# --- corpus -----------------------------------------------------------------------------


def load_corpus(root):
    """Concatenated real Go source (about 48 MB), or Go-like text made up when none."""
    parts, total = [], 0
    if root and Path(root).is_dir():
        files = sorted(p for p in Path(root).rglob("*.go") if p.is_file())
        random.Random(1).shuffle(files)
        for p in files:
            try:
                data = p.read_bytes()
            except OSError:
                continue
            parts.append(data)
            total += len(data)
            if total >= CORPUS_BYTES:
                break
    if total < 1 << 20:
        rng = random.Random(2)
        words = [
            "func", "return", "if", "err", "!=", "nil", "{", "}", "for", "range", "var",
            "type", "struct", "interface", "string", "int", "byte", "package", "import",
            ":=", "ctx", "value", "index", "buf", "len(buf)", "make([]byte, n)", "//",
        ]
        while total < CORPUS_BYTES // 4:
            line = "\t" * rng.randint(0, 3) + " ".join(rng.choices(words, k=rng.randint(2, 12))) + "\n"
            parts.append(line.encode())
            total += len(parts[-1])
    return b"".join(parts)


def text(rng, n, header):
    """n bytes (at least the header) of Go-like text starting with header."""
    body = n - len(header)
    if body <= 0:
        return header
    chunks, left = [header], body
    while left > 0:
        take = min(left, len(_corpus) // 2, rng.randint(4 << 10, 4 << 20))
        start = rng.randrange(0, len(_corpus) - take)
        chunks.append(_corpus[start : start + take])
        left -= take
    return b"".join(chunks)


def lognormal_size(rng, median, sigma, lo, hi):
    return int(min(hi, max(lo, rng.lognormvariate(math.log(median), sigma))))


# --- plan -------------------------------------------------------------------------------


def plan(size_mb, modules, seed):
    """Decide every module's versions and how many bytes of each kind they hold."""
    rng = random.Random(seed)
    total = size_mb << 20
    mods = []
    for i in range(modules):
        group = i // 50
        path = f"{DOMAIN}/g{group:03d}/m{i:05d}"
        nver = rng.choices([1, 2, 3, 4], weights=[40, 30, 20, 10])[0]
        mods.append(
            {
                "index": i,
                "path": path,
                "versions": [f"v1.{k}.0" for k in range(nver)],
                "deep": rng.random() < 0.10,
                "weight": rng.lognormvariate(0, 1.3),
                "binary": rng.random() < 0.30,
                "source": 0,
                "binaries": 0,
                "large": [],
            }
        )

    # One very large module version, then a few modules with big files, each with one
    # version so that the large share is not multiplied by a random version count.
    large_budget = int(total * LARGE_SHARE)
    candidates = [m for m in mods if len(m["versions"]) == 1] or mods
    rng.shuffle(candidates)
    huge = min(MAX_VERSION_BYTES, large_budget // 2)
    pos = 0
    if modules > 1 and huge >= 1 << 20:
        m = candidates[pos]
        pos += 1
        left = huge
        while left >= 1 << 20:
            f = min(left, lognormal_size(rng, 20 << 20, 0.8, 1 << 20, 50 << 20))
            m["large"].append(f)
            left -= f
        large_budget -= huge - left
    while large_budget >= 1 << 20 and pos < len(candidates):
        m = candidates[pos]
        pos += 1
        want = min(large_budget, MAX_VERSION_BYTES // 2, rng.randint(5 << 20, 120 << 20))
        left = want
        while left >= 1 << 20:
            f = min(left, lognormal_size(rng, 6 << 20, 1.0, 1 << 20, 50 << 20))
            m["large"].append(f)
            left -= f
        large_budget -= want - left

    # The rest is source and binaries, spread by a heavy-tailed weight per module.
    large_total = sum(sum(m["large"]) * len(m["versions"]) for m in mods)
    rest = max(0, total - large_total)
    binary_total = int(total * BINARY_SHARE)
    source_total = max(0, rest - binary_total)
    w = sum(m["weight"] * len(m["versions"]) for m in mods)
    wb = sum(m["weight"] * len(m["versions"]) for m in mods if m["binary"]) or 1
    for m in mods:
        m["source"] = max(2048, int(source_total * m["weight"] / w))
        if m["binary"]:
            m["binaries"] = int(binary_total * m["weight"] / wb)
        cap = MAX_VERSION_BYTES - sum(m["large"])
        m["source"] = min(m["source"], cap // 2)
        m["binaries"] = min(m["binaries"], cap // 2)
    return mods


# --- one module version -------------------------------------------------------------------


def gomod(path):
    return f"module {path}\n\ngo 1.21\n".encode()


def version_files(m, version, rng):
    """(name, content, compressible) for every file of one version."""
    path = m["path"]
    header = f"// Generated for modcache's benchmark: {path}@{version}.\n".encode()
    files = [
        ("go.mod", gomod(path), True),
        ("LICENSE", text(rng, 1500, b"Synthetic license text.\n"), True),
        ("README.md", text(rng, rng.randint(500, 8000), b"# " + path.encode() + b"\n"), True),
    ]
    ndirs = max(1, int(math.sqrt(m["source"] / 60000)))
    dirs = []
    for d in range(ndirs):
        if m["deep"] and d % 2:
            depth = rng.randint(6, 14)
            dirs.append("/".join(["internal"] + [f"l{k}{d % 10}" for k in range(depth)]))
        else:
            dirs.append(f"pkg{d:03d}")
    # Version to version a module changes a little.
    left = int(m["source"] * rng.uniform(0.95, 1.05))
    n = 0
    while left > 0:
        size = min(left, lognormal_size(rng, 6000, 1.1, 200, 1 << 20))
        d = dirs[rng.randrange(len(dirs))]
        kind = "_test.go" if rng.random() < 0.3 else ".go"
        files.append((f"{d}/f{n:05d}{kind}", text(rng, size, header), True))
        left -= size
        n += 1
    left = m["binaries"]
    b = 0
    while left > 0:
        size = min(left, lognormal_size(rng, 64 << 10, 1.5, 512, 4 << 20))
        files.append((f"testdata/blob{b:04d}.bin", rng.randbytes(size), False))
        left -= size
        b += 1
    for k, size in enumerate(m["large"]):
        if k % 4 == 3:
            files.append((f"testdata/large/model{k:02d}.bin", rng.randbytes(size), False))
        else:
            files.append((f"internal/tables/table{k:02d}.go", text(rng, size, header), True))
    return files


def write_version(args):
    """Write the proxy files of one module version; returns its content size."""
    proxy, m, version = args
    rng = random.Random(f"{m['index']}/{version}")
    vdir = Path(proxy, m["path"], "@v")
    vdir.mkdir(parents=True, exist_ok=True)
    prefix = f"{m['path']}@{version}/"
    size = 0
    tmp = vdir / f"{version}.zip.tmp"
    with zipfile.ZipFile(tmp, "w") as z:
        for name, data, compressible in version_files(m, version, rng):
            info = zipfile.ZipInfo(prefix + name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            # Go's modzip.Create deflates everything at the default level; a low level
            # for random bytes gives the same stored-in-deflate blocks much sooner.
            z.writestr(info, data, compresslevel=6 if compressible else 1)
            size += len(data)
    tmp.rename(vdir / f"{version}.zip")
    (vdir / f"{version}.mod").write_bytes(gomod(m["path"]))
    info = {"Version": version, "Time": INFO_TIME}
    (vdir / f"{version}.info").write_text(json.dumps(info) + "\n")
    return size


def init_worker(corpus_root):
    global _corpus
    _corpus = load_corpus(corpus_root)


def cmd_proxy(a):
    out = Path(a.out)
    proxy = out / "proxy"
    if out.exists():
        shutil.rmtree(out)
    proxy.mkdir(parents=True)
    mods = plan(a.size_mb, a.modules, a.seed)
    jobs = [(str(proxy), m, v) for m in mods for v in m["versions"]]
    # Biggest first, so that the pool does not end on one huge zip.
    jobs.sort(key=lambda j: -(sum(j[1]["large"]) + j[1]["source"] + j[1]["binaries"]))
    with multiprocessing.Pool(a.jobs, initializer=init_worker, initargs=(a.corpus,)) as pool:
        sizes = pool.map(write_version, jobs, chunksize=1)
    for m in mods:
        (proxy / m["path"] / "@v" / "list").write_text("".join(v + "\n" for v in m["versions"]))

    ranks = max(len(m["versions"]) for m in mods)
    for k in range(ranks):
        proj = out / "projects" / f"p{k}"
        proj.mkdir(parents=True)
        req = "".join(f"\t{m['path']} {m['versions'][k]}\n" for m in mods if len(m["versions"]) > k)
        (proj / "go.mod").write_text(f"module {DOMAIN}/bench/p{k}\n\ngo 1.21\n\nrequire (\n{req})\n")
    summary = {
        "size_mb": a.size_mb,
        "modules": a.modules,
        "seed": a.seed,
        "versions": len(jobs),
        "content_bytes": sum(sizes),
        "projects": ranks,
    }
    (out / "manifest.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary))


# --- .mod-only cache ----------------------------------------------------------------------


def cmd_modonly(a):
    cache = Path(a.out)
    if cache.exists():
        subprocess.run(["chmod", "-R", "u+w", str(cache)], check=False)
        shutil.rmtree(cache)
    download = cache / "cache" / "download"
    per_module = 4
    for i in range((a.versions + per_module - 1) // per_module):
        path = f"{DOMAIN}/modonly/g{i // 100:03d}/m{i:05d}"
        vdir = download / path / "@v"
        vdir.mkdir(parents=True)
        versions = [f"v1.{k}.0" for k in range(per_module) if i * per_module + k < a.versions]
        for v in versions:
            (vdir / f"{v}.mod").write_bytes(gomod(path) + b"\nrequire golang.org/x/text v0.3.0\n")
            (vdir / f"{v}.info").write_text(json.dumps({"Version": v, "Time": INFO_TIME}) + "\n")
        (vdir / "list").write_text("".join(v + "\n" for v in versions))
    print(json.dumps({"versions": a.versions, "cache": str(cache)}))


# --- what verifying a cache hashes -----------------------------------------------------------


def cmd_bytes(a):
    root = Path(a.cache)
    out = {"zips": 0, "zip_files": 0, "zip_uncompressed": 0, "zip_compressed": 0, "zip_size": 0,
           "trees": 0, "tree_files": 0, "tree_bytes": 0}
    download = root / "cache" / "download"
    for dirpath, dirnames, filenames in os.walk(download):
        if Path(dirpath) == download and "sumdb" in dirnames:
            dirnames.remove("sumdb")
        for f in filenames:
            if f.endswith(".zip"):
                p = Path(dirpath, f)
                out["zips"] += 1
                out["zip_size"] += p.stat().st_size
                with zipfile.ZipFile(p) as z:
                    for info in z.infolist():
                        out["zip_files"] += 1
                        out["zip_uncompressed"] += info.file_size
                        out["zip_compressed"] += info.compress_size
    for dirpath, dirnames, filenames in os.walk(root):
        if Path(dirpath) == root and "cache" in dirnames:
            dirnames.remove("cache")
        if "@" in Path(dirpath).name and "@" not in Path(dirpath).parent.as_posix():
            out["trees"] += 1
        for f in filenames:
            p = Path(dirpath, f)
            if "@" in p.relative_to(root).as_posix():
                out["tree_files"] += 1
                out["tree_bytes"] += p.lstat().st_size
    print(json.dumps(out))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("proxy")
    pp.add_argument("--out", required=True)
    pp.add_argument("--size-mb", type=int, default=2500)
    pp.add_argument("--modules", type=int, default=1400)
    pp.add_argument("--seed", type=int, default=4)
    pp.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    pp.add_argument("--corpus", help="directory of .go files to cut source from (default: $GOROOT/src)")
    pm = sub.add_parser("modonly")
    pm.add_argument("--out", required=True)
    pm.add_argument("--versions", type=int, default=10000)
    pb = sub.add_parser("bytes")
    pb.add_argument("cache")
    a = p.parse_args()
    if a.cmd == "proxy":
        if a.corpus is None:
            go = os.environ.get("GO", "go")
            try:
                a.corpus = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True,
                                          check=True).stdout.strip() + "/src"
            except (OSError, subprocess.CalledProcessError):
                a.corpus = None
        cmd_proxy(a)
    elif a.cmd == "modonly":
        cmd_modonly(a)
    else:
        cmd_bytes(a)


if __name__ == "__main__":
    sys.exit(main())
