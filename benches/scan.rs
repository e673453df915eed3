//! Whole-cache benchmark: `scan::scan` + `check::check_all` per thread count, on a real
//! Go module cache, plus the speed of the building blocks that bound it.
//!
//! ```text
//! cargo bench --bench scan                      # builds (once) a 256 MB cache with real Go
//! cargo bench --bench scan -- --cache DIR       # or MODCACHE_BENCH_CACHE=DIR
//! cargo bench --bench scan -- --threads 1,2 --runs 3
//! cargo bench --bench scan -- --primitives      # SHA-256, inflate and read speed per core
//! ```
//!
//! Without a cache, `scripts/bench-vs-go.sh --build-only 256 200` makes one (it needs Go:
//! `$GO`, `$MODCACHE_TEST_GO`, `go` on PATH or `.venv/bin/go`). The cache must be clean:
//! a check that finds problems measures the wrong path, so the benchmark fails then.
//!
//! Per thread count the figures are the fastest of `--runs` runs after one warm-up run
//! (page cache warm), and the peak RSS of those runs (the high-water mark is reset
//! through `/proc/self/clear_refs` before each thread count). `quick` is `check_all`
//! with a `--quick` state that knows every version: the cost of an unchanged cache.

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use modcache::cache::ModCache;
use modcache::check::{self, CacheReport, NoProgress};
use modcache::gosum::SumIndex;
use modcache::quick::QuickState;
use modcache::scan;
use sha2::{Digest as _, Sha256};

const MB: f64 = 1e6;
const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
const MIB: u64 = 1 << 20;

struct Options {
    cache: Option<PathBuf>,
    threads: Vec<usize>,
    runs: usize,
    primitives: bool,
    json: bool,
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bench scan: {e}");
            return ExitCode::from(2);
        }
    };
    let root = match opts.cache.clone().map_or_else(build_cache, Ok) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bench scan: {e}");
            return ExitCode::from(2);
        }
    };
    let result = if opts.primitives {
        primitives(&root, opts.json)
    } else {
        scan_and_check(&root, &opts)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench scan: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Options, String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut opts = Options {
        cache: std::env::var_os("MODCACHE_BENCH_CACHE").map(PathBuf::from),
        threads: if cores > 1 { vec![1, cores] } else { vec![1] },
        runs: 3,
        primitives: false,
        json: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--cache" => opts.cache = Some(value("--cache")?.into()),
            "--threads" => {
                opts.threads = value("--threads")?
                    .split(',')
                    .map(|t| t.parse().ok().filter(|&n| n > 0))
                    .collect::<Option<_>>()
                    .ok_or("--threads takes a list of counts like 1,2")?;
            }
            "--runs" => {
                opts.runs = value("--runs")?
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or("--runs takes a count")?;
            }
            "--primitives" => opts.primitives = true,
            "--json" => opts.json = true,
            // What `cargo bench` passes to every benchmark binary.
            "--bench" => {}
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(opts)
}

/// Build (or reuse) the default benchmark cache with the repository's script.
fn build_cache() -> Result<PathBuf, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench-vs-go.sh");
    eprintln!(
        "bench scan: no --cache given; running {} --build-only 256 200",
        script.display()
    );
    let out = Command::new("bash")
        .arg(&script)
        .args(["--build-only", "256", "200"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(format!("{} failed ({})", script.display(), out.status));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default().trim();
    if last.is_empty() {
        return Err(format!("{} printed no cache path", script.display()));
    }
    Ok(PathBuf::from(last))
}

// --- whole-cache scan and check ------------------------------------------------------------

struct Sample {
    scan: Duration,
    check: Duration,
    /// CPU seconds of all threads over scan and check.
    cpu: f64,
    report: CacheReport,
}

fn run_once(cache: &ModCache, pool: &rayon::ThreadPool, quick: Option<&QuickState>) -> Sample {
    pool.install(|| {
        let cpu = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
        let t = Instant::now();
        let inventory = scan::scan(cache);
        let scan = t.elapsed();
        let t = Instant::now();
        let report = check::check_all(cache, &inventory, &SumIndex::default(), quick, &NoProgress);
        Sample {
            scan,
            check: t.elapsed(),
            cpu: cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu,
            report,
        }
    })
}

fn scan_and_check(root: &Path, opts: &Options) -> Result<(), String> {
    let cache = ModCache::open(root).map_err(|e| e.to_string())?;
    println!("cache: {}", root.display());
    println!("load average before: {}", load_average());
    println!(
        "{:>7} {:>11} {:>8} {:>8} {:>8} {:>8} {:>7} {:>8} {:>12}",
        "threads", "versions", "scan s", "check s", "wall s", "cpu s", "MB/s", "vs 1", "peak RSS"
    );
    let mut baseline = None;
    let mut warm = false;
    for &threads in &opts.threads {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| e.to_string())?;
        if !warm {
            let s = run_once(&cache, &pool, None);
            if let Some(p) = s.report.problems.first() {
                return Err(format!(
                    "the cache is not clean ({} problems, first: {} {})",
                    s.report.problems.len(),
                    p.path.display(),
                    p.detail
                ));
            }
            warm = true;
        }
        reset_peak_rss();
        let best = fastest(opts.runs, || run_once(&cache, &pool, None));
        let rss = peak_rss_mib();
        let wall = (best.scan + best.check).as_secs_f64();
        let speedup = *baseline.get_or_insert(wall) / wall;
        let stats = best.report.stats;
        println!(
            "{threads:>7} {:>11} {:>8.3} {:>8.3} {wall:>8.3} {:>8.3} {:>7.0} {speedup:>7.2}x {rss:>8.1} MiB",
            stats.versions_checked,
            best.scan.as_secs_f64(),
            best.check.as_secs_f64(),
            best.cpu,
            stats.bytes_hashed as f64 / MB / wall,
        );

        // A first `--quick` run records what it verified, as `fsck --quick` does.
        let first = run_once(&cache, &pool, Some(&QuickState::default()));
        let mut state = QuickState::default();
        for (mv, fp, h1) in first.report.verified {
            state.insert(mv, fp, h1);
        }
        let quick = fastest(opts.runs, || run_once(&cache, &pool, Some(&state)));
        println!(
            "{:>7} {:>11} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
            "quick",
            format!("{} skip", quick.report.stats.versions_skipped),
            quick.scan.as_secs_f64(),
            quick.check.as_secs_f64(),
            (quick.scan + quick.check).as_secs_f64(),
            quick.cpu,
        );
    }
    println!("load average after: {}", load_average());
    Ok(())
}

/// The run with the least wall time of `runs`.
fn fastest(runs: usize, mut run: impl FnMut() -> Sample) -> Sample {
    (0..runs)
        .map(|_| run())
        .min_by_key(|s| s.scan + s.check)
        .expect("at least one run")
}

fn load_average() -> String {
    let l = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    l.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

#[repr(C)]
struct Timespec {
    sec: i64,
    nsec: i64,
}

unsafe extern "C" {
    fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
}

/// CPU time of this process or thread, in seconds: unlike wall time, it does not count
/// the time other processes on a busy machine take from us.
fn cpu_seconds(clock: i32) -> f64 {
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: clock_gettime writes one timespec (two C longs on 64-bit Linux) into `ts`.
    let rc = unsafe { clock_gettime(clock, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime({clock})");
    ts.sec as f64 + ts.nsec as f64 * 1e-9
}

/// Reset this process's peak RSS (VmHWM) so that the next reading covers what follows.
fn reset_peak_rss() {
    let _ = fs::write("/proc/self/clear_refs", "5");
}

fn peak_rss_mib() -> f64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

// --- building blocks ----------------------------------------------------------------------

/// Single-core speed of SHA-256 (sha2), raw inflate (flate2's backend) and read(2) of
/// page-cached files: what `scripts/bench-vs-go.sh` computes its lower bound from.
fn primitives(root: &Path, json: bool) -> Result<(), String> {
    let mut sources = Vec::new();
    let mut zips = Vec::new();
    collect_files(root, &mut sources, &mut zips);
    if sources.is_empty() || zips.is_empty() {
        return Err(format!(
            "{}: no .go files or zips to measure with",
            root.display()
        ));
    }

    // Real Go source from the cache's trees, as compressible as module content is.
    let mut text = Vec::with_capacity(64 * MIB as usize);
    for p in &sources {
        if text.len() >= 64 * MIB as usize {
            break;
        }
        if let Ok(mut f) = File::open(p) {
            let _ = f.read_to_end(&mut text);
        }
    }

    let sha_mbps = best_of(5, || {
        let t = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
        let mut h = Sha256::new();
        for chunk in text.chunks(256 * 1024) {
            h.update(chunk);
        }
        std::hint::black_box(h.finalize());
        text.len() as f64 / MB / (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - t)
    });

    let deflated = deflate(&text)?;
    let mut out = vec![0u8; 256 * 1024];
    let inflate_mbps = best_of(5, || {
        let t = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
        let mut d = Decompress::new(false);
        let mut produced = 0u64;
        loop {
            let before_in = d.total_in();
            let before_out = d.total_out();
            let status = d
                .decompress(
                    &deflated[before_in as usize..],
                    &mut out,
                    FlushDecompress::None,
                )
                .expect("our own deflate stream");
            produced += d.total_out() - before_out;
            if status == Status::StreamEnd {
                break;
            }
        }
        assert_eq!(produced, text.len() as u64);
        produced as f64 / MB / (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - t)
    });

    let mut buf = vec![0u8; 256 * 1024];
    let read_bytes = |paths: &[PathBuf], buf: &mut [u8]| -> u64 {
        let mut n = 0;
        for p in paths {
            if let Ok(mut f) = File::open(p) {
                while let Ok(k) = f.read(buf) {
                    if k == 0 {
                        break;
                    }
                    n += k as u64;
                }
            }
        }
        n
    };
    read_bytes(&zips, &mut buf);
    let read_mbps = best_of(3, || {
        let t = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
        let n = read_bytes(&zips, &mut buf);
        n as f64 / MB / (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - t)
    });
    let few: Vec<PathBuf> = sources.iter().take(20_000).cloned().collect();
    read_bytes(&few, &mut buf);
    let small_file_us = (0..3)
        .map(|_| {
            let t = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
            read_bytes(&few, &mut buf);
            (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - t) * 1e6 / few.len() as f64
        })
        .fold(f64::MAX, f64::min);

    if json {
        println!(
            "{{\"sha256_mbps\": {sha_mbps:.0}, \"inflate_mbps\": {inflate_mbps:.0}, \
             \"read_mbps\": {read_mbps:.0}, \"small_file_us\": {small_file_us:.2}, \
             \"deflate_ratio\": {:.2}}}",
            text.len() as f64 / deflated.len() as f64
        );
    } else {
        println!(
            "one core, {} MB of Go source from the cache:",
            text.len() / 1_000_000
        );
        println!("  SHA-256 (sha2):         {sha_mbps:>6.0} MB/s");
        println!("  inflate (flate2):       {inflate_mbps:>6.0} MB/s of output");
        println!("  read(2) of cached zips: {read_mbps:>6.0} MB/s");
        println!("  open+read+close of a small source file: {small_file_us:.1} us");
    }
    Ok(())
}

fn best_of(n: usize, mut f: impl FnMut() -> f64) -> f64 {
    (0..n).map(|_| f()).fold(f64::MIN, f64::max)
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut c = Compress::new(Compression::default(), false);
    let mut out = Vec::with_capacity(data.len() / 2 + 1024);
    loop {
        let consumed = c.total_in() as usize;
        if out.len() == out.capacity() {
            out.reserve(out.capacity());
        }
        let status = c
            .compress_vec(&data[consumed..], &mut out, FlushCompress::Finish)
            .map_err(|e| e.to_string())?;
        if status == Status::StreamEnd {
            return Ok(out);
        }
    }
}

/// Source files of the extracted trees, and the zips, of the cache at `root`.
fn collect_files(root: &Path, sources: &mut Vec<PathBuf>, zips: &mut Vec<PathBuf>) {
    for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let p = entry.path();
        let name = entry.file_name().to_string_lossy();
        if name.ends_with(".zip") && p.components().any(|c| c.as_os_str() == "download") {
            zips.push(p.to_path_buf());
        } else if name.ends_with(".go") && entry.metadata().is_ok_and(|m| m.len() < MIB) {
            sources.push(p.to_path_buf());
        }
    }
}
