#!/usr/bin/env bash
# modcache fsck against `go mod verify`, side by side in one run, on a large synthetic
# module cache that real Go built.
#
# Usage:
#   scripts/bench-vs-go.sh [SIZE_MB] [MODULES]     full comparison (default 2500 MB, 1400 modules)
#   scripts/bench-vs-go.sh --build-only [SIZE_MB] [MODULES]
#                                                  only build the cache; print its path last
#   scripts/bench-vs-go.sh --mod-only [N]          fsck of a cache of N (10000) .mod-only versions
#
# The cache is built once and reused: $BENCH_DIR (default /tmp/modcache-bench)/s<SIZE>-m<MODULES>/.
# scripts/gen-modules.py writes a GOPROXY=file:// directory of generated modules and one
# project per version rank (Go verifies only the build list: one version per module path);
# `go mod download all` in each project fills gomodcache/. Remove the directory with
# `chmod -R u+w DIR && rm -rf DIR` (Go makes extracted trees read-only).
#
# Then, with the page cache warm, it times `go mod verify` (in every project, one after the
# other: together they cover every version in the cache) with GOMAXPROCS unset and =1,
# `modcache fsck` with -j N and -j 1 and a second `fsck --quick`, under /usr/bin/time -v
# (wall time from the shell's clock, peak RSS from time), and prints a table, the ratios and
# a lower bound: the bytes that must be hashed at this machine's single-core speeds of
# SHA-256, inflate and read(2) (measured by `cargo bench --bench scan -- --primitives`),
# divided by the number of cores.
#
# Environment: GO (go binary; default $MODCACHE_TEST_GO, `go` on PATH, .venv/bin/go),
# MODCACHE (modcache binary; default: cargo build --release), BENCH_DIR, JOBS (default nproc).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_dir=${BENCH_DIR:-/tmp/modcache-bench}
jobs=${JOBS:-$(nproc)}

mode=compare
case "${1:-}" in
    --build-only) mode=build; shift ;;
    --mod-only) mode=modonly; shift ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac

log() { echo "bench-vs-go: $*" >&2; }
die() { log "$*"; exit 1; }

find_go() {
    local g
    for g in "${GO:-}" "${MODCACHE_TEST_GO:-}" "$(command -v go || true)" "$repo/.venv/bin/go"; do
        if [[ -n "$g" && -x "$g" ]]; then
            echo "$g"
            return
        fi
    done
    die "no Go toolchain: set GO=/path/to/go (bash .ci/run installs one into .venv/)"
}

need_time() {
    [[ -x /usr/bin/time ]] && return
    if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
        log "installing GNU time"
        apt-get update -qq && apt-get install -y -qq time >/dev/null
    fi
    [[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed: apt-get install time"
}

modcache_bin() {
    if [[ -n "${MODCACHE:-}" ]]; then
        echo "$MODCACHE"
        return
    fi
    log "cargo build --release"
    (cd "$repo" && cargo build --release --quiet --bin modcache) >&2 || die "cargo build --release failed"
    echo "$repo/target/release/modcache"
}

# Read every file once so that all runs start with the page cache warm.
warm() {
    find "$@" -type f -print0 | xargs -0 -P "$jobs" -n 500 cat >/dev/null
}

# time_run LABEL CMD...: run CMD under /usr/bin/time -v, stdout discarded; append
# "label<TAB>wall<TAB>rss_kib<TAB>user<TAB>sys<TAB>exit" to $results.
time_run() {
    local label=$1 tv start end rc=0
    shift
    tv=$(mktemp)
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$tv" "$@" >/dev/null 2>"$tv.err" || rc=$?
    end=$(date +%s.%N)
    if [[ $rc != 0 ]]; then
        log "$label exited with $rc:"
        tail -5 "$tv.err" >&2
    fi
    python3 - "$label" "$start" "$end" "$rc" "$tv" >>"$results" <<'EOF'
import re, sys
label, start, end, rc, tv = sys.argv[1:]
t = open(tv).read()
def field(name):
    m = re.search(re.escape(name) + r":\s*([\d.]+)", t)
    return m.group(1) if m else "nan"
print("\t".join([label, f"{float(end) - float(start):.3f}", field("Maximum resident set size (kbytes)"),
                 field("User time (seconds)"), field("System time (seconds)"), rc]))
EOF
    rm -f "$tv" "$tv.err"
    log "$(tail -1 "$results" | cut -f1,2 | tr '\t' ' ') s"
}

build_cache() {
    local size=$1 modules=$2 dir=$3 go=$4
    if [[ -f "$dir/complete" ]]; then
        log "reusing $dir"
        return
    fi
    if [[ -d "$dir" ]]; then
        chmod -R u+w "$dir"
        rm -rf "$dir"
    fi
    mkdir -p "$dir"
    log "generating ${size} MB of modules (${modules} module paths) in $dir/proxy"
    GO="$go" python3 "$repo/scripts/gen-modules.py" proxy --out "$dir/gen" \
        --size-mb "$size" --modules "$modules" --jobs "$jobs" >&2
    mv "$dir/gen/proxy" "$dir/gen/projects" "$dir/gen/manifest.json" "$dir/"
    rmdir "$dir/gen"
    log "go mod download all (GOPROXY=file://$dir/proxy)"
    local p start
    start=$(date +%s)
    for p in "$dir"/projects/*/; do
        (cd "$p" && go_env "$dir" GOPROXY="file://$dir/proxy" "$go" mod download all)
    done
    log "downloaded in $(( $(date +%s) - start )) s; checking with go mod verify"
    for p in "$dir"/projects/*/; do
        (cd "$p" && go_env "$dir" "$go" mod verify >/dev/null)
    done
    python3 "$repo/scripts/gen-modules.py" bytes "$dir/gomodcache" >"$dir/bytes.json"
    touch "$dir/complete"
}

# go_env DIR [VAR=value...] CMD...: run CMD with Go confined to DIR's cache, offline.
go_env() {
    local dir=$1
    shift
    env GOMODCACHE="$dir/gomodcache" GOPATH="$dir/gopath" GOCACHE="$dir/gocache" \
        GOPROXY=off GOSUMDB=off GOTOOLCHAIN=local GOFLAGS=-mod=mod GOTELEMETRY=off \
        GOWORK=off GONOSUMDB= GOPRIVATE= GOENV=off "$@"
}

verify_all() {
    # Every project in turn: together they cover every version in the cache.
    local dir=$1 go=$2 p
    for p in "$dir"/projects/*/; do
        (cd "$p" && go_env "$dir" "$go" mod verify) || return
    done
}

if [[ $mode == modonly ]]; then
    n=${1:-10000}
    need_time
    bin=$(modcache_bin)
    cache="$bench_dir/modonly-$n"
    if [[ ! -f "$cache/complete" ]]; then
        python3 "$repo/scripts/gen-modules.py" modonly --out "$cache" --versions "$n" >&2
        touch "$cache/complete"
    fi
    warm "$cache"
    results=$(mktemp)
    rm -f "$cache/cache/modcache/quick-v1"
    time_run "modcache fsck -j $jobs" "$bin" fsck --modcache "$cache" -j "$jobs"
    time_run "modcache fsck -j 1" "$bin" fsck --modcache "$cache" -j 1
    "$bin" fsck --modcache "$cache" -j "$jobs" --quick >/dev/null
    time_run "modcache fsck --quick (2nd run)" "$bin" fsck --modcache "$cache" -j "$jobs" --quick
    rm -f "$cache/cache/modcache/quick-v1"
    python3 - "$results" "$n" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
print(f"{int(sys.argv[2]):,} .mod-only versions (.info + .mod), warm page cache\n")
print("| command | wall s | peak RSS MiB | exit |")
print("|---|---:|---:|---:|")
for label, wall, rss, user, sys_, rc in rows:
    print(f"| `{label}` | {float(wall):.3f} | {float(rss) / 1024:.1f} | {rc} |")
EOF
    rm -f "$results"
    exit 0
fi

size=${1:-2500}
modules=${2:-1400}
dir="$bench_dir/s${size}-m${modules}"
go=$(find_go)

if [[ $mode == build ]]; then
    build_cache "$size" "$modules" "$dir" "$go"
    echo "$dir/gomodcache"
    exit 0
fi

need_time
bin=$(modcache_bin)
build_cache "$size" "$modules" "$dir" "$go"
cache="$dir/gomodcache"

log "measuring SHA-256, inflate and read(2) speeds (cargo bench --bench scan -- --primitives)"
prims=$(cd "$repo" && cargo bench --quiet --bench scan -- --cache "$cache" --primitives --json 2>/dev/null | tail -1) ||
    die "cargo bench --bench scan -- --primitives failed"
openssl_sha=""
if command -v openssl >/dev/null; then
    # "sha256 ... <16384-byte figure in kB/s>k": the last column.
    openssl_sha=$(openssl speed -seconds 2 -bytes 16384 -evp sha256 2>/dev/null |
        awk '/^sha256/ {v=$NF; sub("k","",v); printf "%.0f", v * 1000 / 1e6}') || true
fi

log "warming the page cache"
warm "$cache" "$dir/projects"
rm -f "$cache/cache/modcache/quick-v1"

export -f go_env verify_all
results=$(mktemp)
time_run "go mod verify" bash -c 'verify_all "$0" "$1"' "$dir" "$go"
time_run "modcache fsck -j $jobs" "$bin" fsck --modcache "$cache" -j "$jobs"
time_run "go mod verify, GOMAXPROCS=1" env GOMAXPROCS=1 bash -c 'verify_all "$0" "$1"' "$dir" "$go"
time_run "modcache fsck -j 1" "$bin" fsck --modcache "$cache" -j 1
time_run "modcache fsck --quick -j $jobs (1st run)" "$bin" fsck --modcache "$cache" -j "$jobs" --quick
time_run "modcache fsck --quick -j $jobs (2nd run)" "$bin" fsck --modcache "$cache" -j "$jobs" --quick
rm -f "$cache/cache/modcache/quick-v1"

python3 - "$results" "$dir/bytes.json" "$prims" "${openssl_sha:-0}" "$jobs" "$(nproc)" <<'EOF'
import json, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
b = json.load(open(sys.argv[2]))
p = json.loads(sys.argv[3])
openssl_sha, jobs, cores = float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
GB = 1e9
sha = max(p["sha256_mbps"], openssl_sha) * 1e6
inflate, read = p["inflate_mbps"] * 1e6, p["read_mbps"] * 1e6
U, Z, T = b["zip_uncompressed"], b["zip_size"], b["tree_bytes"]
core_s = {
    "inflate zip content": U / inflate,
    "SHA-256 of zip content": U / sha,
    "SHA-256 of trees": T / sha,
    "read(2) of zips and trees": (Z + T) / read,
}
threads = min(jobs, cores)
bound = sum(core_s.values()) / threads

print(f"cache: {b['zips']:,} module versions, {b['tree_files']:,} files, "
      f"{T / GB:.2f} GB extracted, {Z / GB:.2f} GB of zips ({U / GB:.2f} GB uncompressed)")
print(f"machine: {cores} cores; one core: SHA-256 {p['sha256_mbps']:.0f} MB/s (sha2)"
      + (f", {openssl_sha:.0f} MB/s (openssl)" if openssl_sha else "")
      + f"; inflate {p['inflate_mbps']:.0f} MB/s (flate2); read(2) {p['read_mbps']:.0f} MB/s;"
      f" open+read+close of a small file {p['small_file_us']:.1f} us")
print(f"lower bound on {threads} cores: {bound:.2f} s  ("
      + ", ".join(f"{k} {v:.2f}" for k, v in core_s.items()) + " core-seconds)\n")

print("| command | wall s | peak RSS MiB | user s | sys s | exit |")
print("|---|---:|---:|---:|---:|---:|")
wall = {}
for label, w, rss, user, sys_, rc in rows:
    wall[label] = float(w)
    print(f"| `{label}` | {float(w):.2f} | {float(rss) / 1024:.1f} | {user} | {sys_} | {rc} |")


def ratio(a, b):
    return f"{wall[a] / wall[b]:.2f}x" if a in wall and b in wall and wall[b] > 0 else "n/a"


fj, f1 = f"modcache fsck -j {jobs}", "modcache fsck -j 1"
print()
print(f"go mod verify / modcache fsck -j {jobs}:                {ratio('go mod verify', fj)}")
print(f"go mod verify GOMAXPROCS=1 / modcache fsck -j 1: {ratio('go mod verify, GOMAXPROCS=1', f1)}")
print(f"modcache fsck -j 1 / -j {jobs}:                        {ratio(f1, fj)}")
if fj in wall:
    print(f"modcache fsck -j {jobs} / lower bound:                  {wall[fj] / bound:.2f}x")
if any(r[5] != "0" for r in rows):
    print("\nWARNING: a command failed (exit column); its figures are not comparable.")
EOF
rm -f "$results"
