#!/usr/bin/env python3
"""Build examples/modcache: a small, real Go module cache with four damaged versions.

The real `go` command fills a fresh GOMODCACHE from the modules in tests/testdata/mod
(served through a GOPROXY=file:// directory, the way Go's own proxy_test.go serves them),
writes examples/go.mod and examples/go.sum, and then four versions are damaged the way
real life damages caches. Go's own `go mod verify` must report exactly three of them (it
treats a tree with a .partial marker as not extracted at all, and says nothing about it);
the script checks that and fails otherwise. examples/README.md documents the result.

Usage: scripts/make-example-cache.py   (Go from $MODCACHE_TEST_GO, PATH or .venv/bin/go)
The output is deterministic: running it again reproduces the same files.
"""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TESTDATA = REPO / "tests" / "testdata" / "mod"
OUT = REPO / "examples"

# The example project's direct requirements; with their dependencies (rsc.io/sampler,
# golang.org/x/text) they make the go.sum. rsc.io/quote v1.5.1 is downloaded besides:
# a cached version no go.sum mentions.
REQUIRES = [
    ("rsc.io/quote", "v1.5.2"),
    ("rsc.io/QUOTE", "v1.5.2"),
    ("rsc.io/quote/v3", "v3.0.0"),
    ("rsc.io/breaker", "v2.0.0+incompatible"),
    ("example.com/notags", "v0.0.0-20190507143103-cc8cbe209b64"),
]
EXTRA = [("rsc.io/quote", "v1.5.1")]

EDITED = ("rsc.io/sampler", "v1.3.0")
TRUNCATED = ("golang.org/x/text", "v0.0.0-20170915032832-14c0d48ead0c")
PARTIAL = ("rsc.io/QUOTE", "v1.5.2")
NO_ZIPHASH = ("rsc.io/quote/v3", "v3.0.0")


def escape(s):
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), s)


def unescape(s):
    return re.sub(r"!([a-z])", lambda m: m.group(1).upper(), s)


def parse_txtar(data):
    """Go's internal/txtar.Parse: (comment, [(name, data)])."""
    files, comment, name, buf = [], None, None, []
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    for line in lines:
        m = re.fullmatch(rb"-- (.*) --", line)
        if m and m.group(1).strip():
            if name is None:
                comment = b"".join(buf)
            else:
                files.append((name, b"".join(buf)))
            name, buf = m.group(1).strip().decode(), []
        else:
            buf.append(line + b"\n")
    if name is not None:
        files.append((name, b"".join(buf)))
    return comment, files


def build_proxy(proxy):
    for txt in sorted(TESTDATA.glob("*.txt")):
        stem = txt.name[: -len(".txt")]
        i = stem.rfind("_v")
        path, version = unescape(stem[:i].replace("_", "/")), unescape(stem[i + 1 :])
        _, files = parse_txtar(txt.read_bytes())
        vdir = proxy / escape(path) / "@v"
        vdir.mkdir(parents=True, exist_ok=True)
        ver = escape(version)
        meta = dict(files)
        (vdir / f"{ver}.info").write_bytes(meta.get(".info", b""))
        (vdir / f"{ver}.mod").write_bytes(meta.get(".mod", b""))
        with zipfile.ZipFile(vdir / f"{ver}.zip", "w") as z:
            for name, data in files:
                if name in (".info", ".mod", ".zip"):
                    continue
                zname = name[1:] if name.startswith("/") else f"{path}@{version}/{name}"
                info = zipfile.ZipInfo(zname, date_time=(1980, 1, 1, 0, 0, 0))
                z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        if not re.search(r"[-.]\d{14}-[0-9a-zA-Z]+$", version.split("+")[0]):
            with open(vdir / "list", "a") as f:
                f.write(version + "\n")


def find_go():
    if os.environ.get("MODCACHE_TEST_GO"):
        return os.path.abspath(os.environ["MODCACHE_TEST_GO"])
    return shutil.which("go") or str(REPO / ".venv" / "bin" / "go")


def make_writable(root):
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o644)


def main():
    go = find_go()
    with tempfile.TemporaryDirectory(prefix="modcache-example-") as tmp:
        tmp = Path(tmp)
        proxy, cache, project = tmp / "proxy", tmp / "modcache", tmp / "project"
        for d in (proxy, cache, project, tmp / "home", tmp / "work"):
            d.mkdir()
        build_proxy(proxy)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp / "home"),
            "GOMODCACHE": str(cache),
            "GOPATH": str(tmp / "gopath"),
            "GOCACHE": str(tmp / "gocache"),
            "GOENV": "off",
            "GOFLAGS": "",
            "GOTOOLCHAIN": "local",
            "GOPROXY": "file://" + str(proxy),
            "GOSUMDB": "off",
            "GO111MODULE": "on",
            "GOWORK": "off",
        }

        def run_go(*args, cwd, check=True):
            r = subprocess.run([go, *args], cwd=cwd, env=env, capture_output=True, text=True)
            if check and r.returncode != 0:
                sys.exit(f"go {' '.join(args)} failed:\n{r.stdout}{r.stderr}")
            return r

        go_mod = "module example.com/app\n\ngo 1.21\n\nrequire (\n"
        go_mod += "".join(f"\t{p} {v}\n" for p, v in REQUIRES) + ")\n"
        (project / "go.mod").write_text(go_mod)
        run_go("mod", "download", "all", cwd=project)
        run_go("mod", "download", *(f"{p}@{v}" for p, v in EXTRA), cwd=tmp / "work")
        ok = run_go("mod", "verify", cwd=project)
        assert ok.stdout == "all modules verified\n", ok.stdout + ok.stderr
        make_writable(cache)

        def paths(mv):
            p, v = escape(mv[0]), escape(mv[1])
            vdir = cache / "cache" / "download" / p / "@v"
            return vdir / f"{v}.zip", vdir / f"{v}.ziphash", vdir / f"{v}.partial", cache / f"{p}@{v}"

        # 1. An edited tree file: someone "fixed" a dependency in place.
        _, _, _, tree = paths(EDITED)
        hello = tree / "hello.go"
        hello.write_bytes(hello.read_bytes().replace(b"Hello, world.", b"Hello, modcache."))

        # 2. A truncated zip: the write was cut short (crash, full disk).
        zip_path, _, _, _ = paths(TRUNCATED)
        data = zip_path.read_bytes()
        zip_path.write_bytes(data[: len(data) // 2])

        # 3. An interrupted extraction: .partial marker and the first half of the zip's files.
        zip_path, _, partial, tree = paths(PARTIAL)
        with zipfile.ZipFile(zip_path) as z:
            infos = z.infolist()
            shutil.rmtree(tree)
            tree.mkdir()
            prefix = f"{PARTIAL[0]}@{PARTIAL[1]}/"
            for info in infos[: len(infos) // 2]:
                dst = tree / info.filename[len(prefix) :]
                dst.parent.mkdir(parents=True, exist_ok=True)
                dst.write_bytes(z.read(info))
        partial.write_bytes(b"")

        # 4. A missing .ziphash: zip and tree intact, the hash record lost.
        _, ziphash, _, _ = paths(NO_ZIPHASH)
        ziphash.unlink()

        verify = run_go("mod", "verify", cwd=project, check=False)
        report = (verify.stdout + verify.stderr).replace(str(cache), "examples/modcache")
        expected = [
            f"{EDITED[0]} {EDITED[1]}: dir has been modified",
            f"{TRUNCATED[0]} {TRUNCATED[1]}: zip: not a valid zip file",
            f"{NO_ZIPHASH[0]} {NO_ZIPHASH[1]}: missing ziphash",
        ]
        missing = [e for e in expected if e not in report]
        if verify.returncode == 0 or missing or report.count("\n") != len(expected):
            sys.exit(f"go mod verify does not report exactly the damage {missing}:\n{report}")

        shutil.rmtree(OUT / "modcache", ignore_errors=True)
        OUT.mkdir(exist_ok=True)
        shutil.copytree(cache, OUT / "modcache", symlinks=True)
        make_writable(OUT / "modcache")
        shutil.copy(project / "go.mod", OUT / "go.mod")
        shutil.copy(project / "go.sum", OUT / "go.sum")
        print("go mod verify, run in examples/ with GOMODCACHE=examples/modcache, says:")
        print(report, end="")
        size = sum(f.stat().st_size for f in (OUT / "modcache").rglob("*") if f.is_file())
        print(f"wrote {OUT / 'modcache'} ({size} bytes), {OUT / 'go.mod'}, {OUT / 'go.sum'}")


if __name__ == "__main__":
    main()
