//! Throughput of `hash_zip`, `hash_tree` and `hash_zip_and_tree` (MB/s of zip and tree
//! content together) with 1 and 2 rayon threads, next to the
//! single-thread speed of their building blocks (SHA-256, inflate, CRC-32), which bound
//! them. Run with `cargo bench --bench hash`; `-- --small` uses a quarter of the data.
//!
//! The zip mixes many small entries (typical Go source) with a few large ones, deflated
//! and stored; the tree is the same content extracted. Both are hot in the page cache,
//! so the figures are CPU throughput in MB/s (10^6 bytes) of uncompressed content.

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use modcache::cache::ModuleVersion;
use modcache::hash::{hash_tree, hash_zip, hash_zip_and_tree};
use sha2::{Digest as _, Sha256};

const MB: f64 = 1e6;

fn main() {
    let small = std::env::args().any(|a| a == "--small");
    let scale = if small { 4 } else { 1 };
    let dir = tempfile::tempdir().expect("tempdir");
    let zip = dir.path().join("m.zip");
    let tree = dir.path().join("tree");
    let (files, bytes) = build(&zip, &tree, scale);
    println!(
        "data: {files} files, {:.0} MB uncompressed, zip {:.0} MB",
        bytes as f64 / MB,
        fs::metadata(&zip).expect("zip").len() as f64 / MB
    );

    // One large deflated entry: only overlapping inflate with SHA-256 can use 2 threads.
    let one = dir.path().join("one.zip");
    let one_bytes = (64 << 20) / scale as u64;
    let mut w = zip::ZipWriter::new(fs::File::create(&one).expect("create zip"));
    let options = zip::write::SimpleFileOptions::default();
    w.start_file("example.com/m@v1.0.0/big.txt", options)
        .expect("start_file");
    w.write_all(&content(one_bytes as usize, 300, true))
        .expect("write");
    w.finish().expect("finish zip");

    // Medium entries (1 MiB): each streamed on its own, too large for window batching.
    let medium = dir.path().join("medium.zip");
    let (medium_count, medium_len) = (64 / scale, 1 << 20);
    let mut w = zip::ZipWriter::new(fs::File::create(&medium).expect("create zip"));
    for i in 0..medium_count {
        w.start_file(format!("example.com/m@v1.0.0/m{i}.txt"), options)
            .expect("start_file");
        w.write_all(&content(medium_len, 400 + i as u64, true))
            .expect("write");
    }
    w.finish().expect("finish zip");
    let medium_bytes = (medium_count * medium_len) as u64;

    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let t = best_of(3, || {
            let d = pool.install(|| hash_zip(&zip, None)).expect("hash_zip");
            assert_eq!(d.bytes, bytes);
        });
        report(&format!("hash_zip  {threads} thread(s)"), bytes, t);
        let t = best_of(3, || {
            let d = pool.install(|| hash_zip(&one, None)).expect("hash_zip");
            assert_eq!(d.bytes, one_bytes);
        });
        report(
            &format!("hash_zip  1 entry, {threads} thread(s)"),
            one_bytes,
            t,
        );
        let t = best_of(3, || {
            let d = pool.install(|| hash_zip(&medium, None)).expect("hash_zip");
            assert_eq!(d.bytes, medium_bytes);
        });
        report(
            &format!("hash_zip  1 MiB entries, {threads} thr"),
            medium_bytes,
            t,
        );
        let t = best_of(3, || {
            let d = pool
                .install(|| hash_tree(&tree, "example.com/m@v1.0.0"))
                .expect("hash_tree");
            assert_eq!(d.bytes, bytes);
        });
        report(&format!("hash_tree {threads} thread(s)"), bytes, t);
        // What fsck does with an intact version: the zip hashed, its tree compared.
        let mv = ModuleVersion::new("example.com/m", "v1.0.0");
        let t = best_of(3, || {
            let (d, copy) = pool
                .install(|| hash_zip_and_tree(&zip, &mv, &tree))
                .expect("hash_zip_and_tree");
            assert!(copy && d.bytes == bytes);
        });
        report(&format!("zip + tree compared, {threads} thr"), 2 * bytes, t);
    }

    let data = content(64 << 20, 7, true);
    let t = best_of(3, || {
        std::hint::black_box(Sha256::digest(&data));
    });
    report("sha256 (sha2), 1 thread", data.len() as u64, t);
    // The ceiling for two threads on this machine: two independent SHA-256 streams.
    let (a, b) = data.split_at(data.len() / 2);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool");
    let t = best_of(3, || {
        pool.install(|| rayon::join(|| Sha256::digest(a), || Sha256::digest(b)));
    });
    report("sha256 (sha2), 2 threads", data.len() as u64, t);
    let t = best_of(3, || {
        std::hint::black_box(crc32fast::hash(&data));
    });
    report("crc32 (crc32fast), 1 thread", data.len() as u64, t);
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&data).expect("deflate");
    let deflated = enc.finish().expect("deflate");
    let mut out = vec![0; 256 << 10];
    let t = best_of(3, || {
        let mut d = flate2::Decompress::new(false);
        let mut input = &deflated[..];
        loop {
            let before = d.total_in();
            let status = d
                .decompress(input, &mut out, flate2::FlushDecompress::None)
                .expect("inflate");
            input = &input[(d.total_in() - before) as usize..];
            if status == flate2::Status::StreamEnd {
                break;
            }
        }
        assert_eq!(d.total_out(), data.len() as u64);
    });
    report("inflate (zlib-rs), 1 thread", data.len() as u64, t);
}

fn report(what: &str, bytes: u64, t: Duration) {
    println!(
        "{what:<30} {:>8.0} MB/s",
        bytes as f64 / MB / t.as_secs_f64()
    );
}

fn best_of(n: usize, mut f: impl FnMut()) -> Duration {
    (0..n)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .expect("n > 0")
}

/// Deterministic content: Go-source-like text (deflates about 3:1) or noise.
fn content(len: usize, seed: u64, text: bool) -> Vec<u8> {
    const WORDS: &[&[u8]] = &[
        b"func ",
        b"return ",
        b"err ",
        b"!= nil {\n",
        b"\t",
        b"x",
        b"(ctx, ",
        b"); ",
        b"if ",
        b"}\n",
        b"string",
        b"// comment about the code\n",
        b"0x1f",
        b"package ",
        b":= ",
    ];
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut out = Vec::with_capacity(len + 32);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if text {
            out.extend_from_slice(WORDS[(x % WORDS.len() as u64) as usize]);
            if x.is_multiple_of(7) {
                out.extend_from_slice(format!("v{}", x % 1000).as_bytes());
            }
        } else {
            out.extend_from_slice(&x.to_le_bytes());
        }
    }
    out.truncate(len);
    out
}

/// Write the zip and the same files as a tree. Returns (files, uncompressed bytes).
fn build(zip: &Path, tree: &Path, scale: usize) -> (u64, u64) {
    let prefix = "example.com/m@v1.0.0/";
    let mut w = zip::ZipWriter::new(fs::File::create(zip).expect("create zip"));
    let (mut files, mut bytes) = (0, 0);
    let mut add = |name: String, data: Vec<u8>, deflate: bool| {
        let method = if deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        w.start_file(format!("{prefix}{name}"), options)
            .expect("start_file");
        w.write_all(&data).expect("write");
        let path = tree.join(&name);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, &data).expect("write tree");
        files += 1;
        bytes += data.len() as u64;
    };
    // Typical module: many small files, mostly deflated.
    for i in 0..20_000 / scale {
        let len = 200 + (i * 7919) % 12_000;
        add(
            format!("pkg{}/file{i}.go", i / 200),
            content(len, i as u64, true),
            i % 5 != 0,
        );
    }
    // A few large files: deflated text, stored noise (testdata, vendored binaries).
    for i in 0..4 {
        add(
            format!("large/text{i}.txt"),
            content((24 << 20) / scale, 100 + i, true),
            true,
        );
    }
    add(
        "large/noise.bin".into(),
        content((16 << 20) / scale, 200, false),
        false,
    );
    w.finish().expect("finish zip");
    (files, bytes)
}
