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
# divided by the number of cores; and the same bound without SHA-256 of the trees, which
# fsck compares with their zips' content instead of hashing them when they are intact.
#
# Environment: GO (go binary; default $MODCACHE_TEST_GO, `go` on PATH, .venv/bin/go),
# MODCACHE (modcache binary; default: cargo build --release), BENCH_DIR, JOBS (default nproc),
# REPEAT (default 1: run the whole sequence that many times, interleaved, and keep each
# command's best wall time; useful on a machine shared with other work). The table also
# gives CPU time (user+sys), which other processes disturb much less than wall time.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_dir=${BENCH_DIR:-/tmp/modcache-bench}
jobs=${JOBS:-$(nproc)}
repeat=${REPEAT:-1}

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

# Single-core inflate speed of libdeflate (MB/s of output), the fastest inflate on Debian, on
# about 64 MB of the cache's Go source gzipped eight times over; empty if not installed.
libdeflate_speed() {
    local dir=$1 corpus=$1/inflate-corpus.gz
    if ! command -v libdeflate-gunzip >/dev/null && command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
        apt-get install -y -qq libdeflate-tools >/dev/null 2>&1 || true
    fi
    command -v libdeflate-gunzip >/dev/null || return 0
    if [[ ! -s $corpus ]]; then
        find "$dir/gomodcache" -path '*@*' -name '*.go' -size -1000k -print0 |
            xargs -0 cat 2>/dev/null | head -c 64000000 | gzip -6 >"$corpus.1"
        for _ in 1 2 3 4 5 6 7 8; do cat "$corpus.1"; done >"$corpus"
        rm "$corpus.1"
    fi
    local bytes best=999 user
    bytes=$(libdeflate-gunzip -c "$corpus" | wc -c)
    for _ in 1 2 3; do
        user=$( { /usr/bin/time -f %U libdeflate-gunzip -c "$corpus" >/dev/null; } 2>&1)
        best=$(python3 -c "print(min($best, $user))")
    done
    python3 -c "print(round($bytes / $best / 1e6))"
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
    head -1 /proc/stat >"$tv.stat"
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$tv" "$@" >/dev/null 2>"$tv.err" || rc=$?
    end=$(date +%s.%N)
    head -1 /proc/stat >>"$tv.stat"
    if [[ $rc != 0 ]]; then
        log "$label exited with $rc:"
        tail -5 "$tv.err" >&2
    fi
    python3 - "$label" "$start" "$end" "$rc" "$tv" "$(getconf CLK_TCK)" >>"$results" <<'EOF'
import re, sys
label, start, end, rc, tv, tck = sys.argv[1:]
t = open(tv).read()
def field(name):
    m = re.search(re.escape(name) + r":\s*([\d.]+)", t)
    return m.group(1) if m else "nan"
wall = float(end) - float(start)
user, sys_ = field("User time (seconds)"), field("System time (seconds)")
# CPU that other processes used meanwhile, in cores: busy time of the whole machine
# (/proc/stat: all but idle and iowait) less this command's own.
a, b = ([int(x) for x in line.split()[1:]] for line in open(tv + ".stat"))
busy = sum(y - x for i, (x, y) in enumerate(zip(a, b)) if i not in (3, 4) and i < 8) / int(tck)
others = max(0.0, busy - float(user) - float(sys_)) / wall if wall > 0 else 0.0
print("\t".join([label, f"{wall:.3f}", field("Maximum resident set size (kbytes)"), user, sys_, rc,
                 f"{others:.2f}"]))
EOF
    rm -f "$tv" "$tv.err" "$tv.stat"
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

# report RESULTS TITLE [BYTES_JSON PRIMITIVES_JSON OPENSSL_MBPS]: the table, ratios, bound.
report() {
    python3 - "$@" <<'EOF'
import json, sys

args = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(args[0])]
jobs = int(args[1])
print(args[2])
runs = {}
for label, w, rss, user, sys_, rc, others in rows:
    runs.setdefault(label, []).append(
        (float(w), float(rss) / 1024, float(user) + float(sys_), user, sys_, rc, float(others)))
best = {label: min(r) for label, r in runs.items()}
peak = {label: max(x[1] for x in r) for label, r in runs.items()}
repeat = max(len(r) for r in runs.values())

bound = bound_compare = None
if len(args) > 3:
    b, p, openssl = json.load(open(args[3])), json.loads(args[4]), float(args[5] or 0)
    libdeflate = float(args[6] or 0) if len(args) > 6 else 0
    GB = 1e9
    sha = max(p["sha256_mbps"], openssl) * 1e6
    inflate = max(p["inflate_mbps"], libdeflate) * 1e6
    U, Z, T = b["zip_uncompressed"], b["zip_size"], b["tree_bytes"]
    core_s = {
        "inflate zip content": U / inflate,
        "SHA-256 of zip content": U / sha,
        "SHA-256 of trees": T / sha,
        "read(2) of zips and trees": (Z + T) / (p["read_mbps"] * 1e6),
    }
    bound = sum(core_s.values()) / jobs
    # The bound of what fsck does when every tree is an intact copy of its zip: the tree
    # is compared with the zip's content (memcmp, not counted) instead of hashed.
    bound_compare = bound - core_s["SHA-256 of trees"] / jobs
    print(f"cache: {b['zips']:,} module versions, {b['tree_files']:,} files, "
          f"{T / GB:.2f} GB extracted, {Z / GB:.2f} GB of zips ({U / GB:.2f} GB uncompressed)")
    print(f"one core (CPU time): SHA-256 {p['sha256_mbps']:.0f} MB/s (sha2)"
          + (f", {openssl:.0f} MB/s (openssl)" if openssl else "")
          + f"; inflate {p['inflate_mbps']:.0f} MB/s (flate2)"
          + (f", {libdeflate:.0f} MB/s (libdeflate)" if libdeflate else "")
          + f"; read(2) {p['read_mbps']:.0f} MB/s;"
          f" open+read+close of a small file {p['small_file_us']:.1f} us")
    print(f"lower bound on {jobs} cores: {bound:.2f} s = ("
          + " + ".join(f"{v:.2f} {k}" for k, v in core_s.items()) + f") core-s / {jobs}")
    print(f"the same without SHA-256 of trees (fsck compares intact trees with their zips): "
          f"{bound_compare:.2f} s")
print()
print("| command | wall s | CPU s (user+sys) | peak RSS MiB | exit | other load |")
print("|---|---:|---:|---:|---:|---:|")
for label, (w, _, cpu, user, sys_, rc, others) in best.items():
    print(f"| `{label}` | {w:.2f} | {cpu:.2f} ({user}+{sys_}) | {peak[label]:.1f} | {rc} | {others:.2f} |")
print("\n(other load: cores that other processes kept busy meanwhile, on average; "
      "wall times with a high one are not comparable)")
if repeat > 1:
    print(f"\n(best wall time of {repeat} runs each, interleaved; peak RSS is the largest seen)")


def ratio(a, b, i=0):
    if a in best and b in best and best[b][i] > 0:
        return f"{best[a][i] / best[b][i]:.2f}x"
    return "n/a"


fj, f1 = f"modcache fsck -j {jobs}", "modcache fsck -j 1"
gj, g1 = "go mod verify", "go mod verify, GOMAXPROCS=1"
if gj in best:
    print()
    print("| ratio | wall | CPU |")
    print("|---|---:|---:|")
    print(f"| {gj} / {fj} | {ratio(gj, fj)} | {ratio(gj, fj, 2)} |")
    print(f"| {g1} / {f1} | {ratio(g1, f1)} | {ratio(g1, f1, 2)} |")
    print(f"| {g1} / default (Go's speed-up) | {ratio(g1, gj)} | |")
    print(f"| {f1} / -j {jobs} (speed-up) | {ratio(f1, fj)} | |")
    if bound:
        print(f"| {fj} / lower bound | {best[fj][0] / bound:.2f}x | {best[fj][2] / (bound * jobs):.2f}x |")
        print(f"| {fj} / lower bound without SHA-256 of trees | {best[fj][0] / bound_compare:.2f}x "
              f"| {best[fj][2] / (bound_compare * jobs):.2f}x |")
if any(r[5] != "0" for r in rows):
    print("\nWARNING: a command failed (exit column); its figures are not comparable.")
EOF
}

main() {
    local bin results r load_before
    if [[ $mode == build ]]; then
        local dir="$bench_dir/s${1:-2500}-m${2:-1400}"
        build_cache "${1:-2500}" "${2:-1400}" "$dir" "$(find_go)"
        echo "$dir/gomodcache"
        return
    fi
    need_time
    bin=$(modcache_bin)
    results=$(mktemp)
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)

    if [[ $mode == modonly ]]; then
        local n=${1:-10000} cache
        cache="$bench_dir/modonly-$n"
        if [[ ! -f "$cache/complete" ]]; then
            python3 "$repo/scripts/gen-modules.py" modonly --out "$cache" --versions "$n" >&2
            touch "$cache/complete"
        fi
        warm "$cache"
        rm -f "$cache/cache/modcache/quick-v1"
        "$bin" fsck --modcache "$cache" -j "$jobs" --quick >/dev/null
        for ((r = 0; r < repeat; r++)); do
            time_run "modcache fsck -j $jobs" "$bin" fsck --modcache "$cache" -j "$jobs"
            time_run "modcache fsck -j 1" "$bin" fsck --modcache "$cache" -j 1
            time_run "modcache fsck --quick -j $jobs (2nd run)" "$bin" fsck --modcache "$cache" -j "$jobs" --quick
        done
        rm -f "$cache/cache/modcache/quick-v1"
        report "$results" "$jobs" "$(printf "%d .mod-only versions (.info + .mod) in %s, warm page cache, %s cores, load average %s before, %s after" \
            "$n" "$cache" "$(nproc)" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)")"
        rm -f "$results"
        return
    fi

    local size=${1:-2500} modules=${2:-1400} go dir cache prims openssl_sha="" libdeflate
    dir="$bench_dir/s${size}-m${modules}"
    go=$(find_go)
    build_cache "$size" "$modules" "$dir" "$go"
    cache="$dir/gomodcache"

    log "measuring SHA-256, inflate and read(2) speeds (cargo bench --bench scan -- --primitives)"
    prims=$(cd "$repo" && cargo bench --quiet --bench scan -- --cache "$cache" --primitives --json | tail -1) ||
        die "cargo bench --bench scan -- --primitives failed"
    if command -v openssl >/dev/null; then
        # The last column is the speed for 16384-byte blocks, in kB/s ("1990000.00k").
        openssl_sha=$(openssl speed -seconds 2 -bytes 16384 -evp sha256 2>/dev/null |
            awk '/^sha256/ {v = $NF; sub("k", "", v); printf "%.0f", v / 1000}') || true
    fi
    libdeflate=$(libdeflate_speed "$dir")

    log "warming the page cache"
    warm "$cache" "$dir/projects"
    rm -f "$cache/cache/modcache/quick-v1"
    export -f go_env verify_all
    for ((r = 0; r < repeat; r++)); do
        time_run "go mod verify" bash -c 'verify_all "$0" "$1"' "$dir" "$go"
        time_run "modcache fsck -j $jobs" "$bin" fsck --modcache "$cache" -j "$jobs"
        time_run "go mod verify, GOMAXPROCS=1" env GOMAXPROCS=1 bash -c 'verify_all "$0" "$1"' "$dir" "$go"
        time_run "modcache fsck -j 1" "$bin" fsck --modcache "$cache" -j 1
        rm -f "$cache/cache/modcache/quick-v1"
        time_run "modcache fsck --quick -j $jobs (1st run)" "$bin" fsck --modcache "$cache" -j "$jobs" --quick
        time_run "modcache fsck --quick -j $jobs (2nd run)" "$bin" fsck --modcache "$cache" -j "$jobs" --quick
    done
    rm -f "$cache/cache/modcache/quick-v1"
    report "$results" "$jobs" "$(printf '%s: %s cores, warm page cache, load average %s before, %s after' \
        "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)")" \
        "$dir/bytes.json" "$prims" "$openssl_sha" "$libdeflate"
    rm -f "$results"
}

main "$@"
