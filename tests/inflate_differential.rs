//! Inflate exactness: modcache must read every deflate stream as Go's compress/flate
//! does, accepting what Go accepts and rejecting what Go rejects.
//!
//! Fast inflaters are lenient where Go is strict. Stock libdeflate (1.26) decodes the
//! unused codeword of a Huffman code with a single 1-bit codeword as the used one, reads
//! anything from an empty code as symbol 0, takes up to 288 literal/length and 32
//! distance codes, and gives the symbols 286, 287, 30 and 31 a meaning. Such a stream
//! inflates to exactly the content the zip declares, so no CRC-32 or size check can
//! tell: only the inflater can. Hence three tests, all against Go's verdict
//! (`tests/testdata/hashzip`):
//!
//! - crafted streams, written bit by bit, one per rule of compress/flate, each in a zip
//!   whose CRC-32 and size are those of what a lenient inflater produces (the content a
//!   [`Lenient`] model of stock libdeflate inflates). Each case states Go's verdict and
//!   whether stock libdeflate reads it, and both are checked, so a case is what it says;
//! - the same faults inside multi-block entries of ~200 KiB and ~2 MiB: entries up to
//!   256 KiB are inflated whole by libdeflate, larger ones stream through zlib-rs, and
//!   both paths must see each fault early, midway and at the end;
//! - seeded bit flips inside the compressed data of real zips, most of them written by
//!   Go's own archive/zip, whose compress/flate emits distance codes with a single
//!   codeword, and a share of flips aimed at exactly those codewords.

mod common;

use std::fs;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use base64::Engine as _;
use common::oracle::{
    Rng, build_go, example_zips, go_verdicts, modcache_verdict, oracle, same_verdict,
};
use common::{Module, testdata_dir, zip_bytes};
use sha2::{Digest as _, Sha256};

// ---------------------------------------------------------------------------------------
// Deflate, written bit by bit (RFC 1951)

/// Base and extra bits of the length symbols 257..=287. RFC 1951 defines 257..=285;
/// 286 and 287 are what stock libdeflate makes of them (Go and zlib reject them).
const LENGTHS: [(usize, u32); 31] = [
    (3, 0),
    (4, 0),
    (5, 0),
    (6, 0),
    (7, 0),
    (8, 0),
    (9, 0),
    (10, 0),
    (11, 1),
    (13, 1),
    (15, 1),
    (17, 1),
    (19, 2),
    (23, 2),
    (27, 2),
    (31, 2),
    (35, 3),
    (43, 3),
    (51, 3),
    (59, 3),
    (67, 4),
    (83, 4),
    (99, 4),
    (115, 4),
    (131, 5),
    (163, 5),
    (195, 5),
    (227, 5),
    (258, 0),
    (258, 0),
    (258, 0),
];

/// Base and extra bits of the distance symbols 0..=31. RFC 1951 defines 0..=29; 30 and
/// 31 are what stock libdeflate makes of them (Go and zlib reject them).
const DISTANCES: [(usize, u32); 32] = [
    (1, 0),
    (2, 0),
    (3, 0),
    (4, 0),
    (5, 1),
    (7, 1),
    (9, 2),
    (13, 2),
    (17, 3),
    (25, 3),
    (33, 4),
    (49, 4),
    (65, 5),
    (97, 5),
    (129, 6),
    (193, 6),
    (257, 7),
    (385, 7),
    (513, 8),
    (769, 8),
    (1025, 9),
    (1537, 9),
    (2049, 10),
    (3073, 10),
    (4097, 11),
    (6145, 11),
    (8193, 12),
    (12289, 12),
    (16385, 13),
    (24577, 13),
    (24577, 13),
    (24577, 13),
];

/// Extra bits of the code-length symbols 16 (repeat the previous), 17 and 18 (zeros).
const REPEAT_BITS: [u32; 3] = [2, 3, 7];

/// The order in which the precode's lengths are sent.
const PRECODE_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

const END: usize = 256;

fn fixed_litlen() -> Vec<u8> {
    (0..288)
        .map(|s| match s {
            0..=143 => 8,
            144..=255 => 9,
            256..=279 => 7,
            _ => 8,
        })
        .collect()
}

fn fixed_dist() -> Vec<u8> {
    vec![5; 32]
}

/// `n` code lengths: `at` gives some, the rest are 0.
fn lens(n: usize, at: &[(usize, u8)]) -> Vec<u8> {
    let mut v = vec![0; n];
    for &(sym, len) in at {
        v[sym] = len;
    }
    v
}

/// The lengths of a complete code in which all `n >= 2` symbols have a codeword.
fn complete(n: usize) -> Vec<u8> {
    let k = n.ilog2();
    let short = (1usize << (k + 1)) - n;
    (0..n)
        .map(|i| if i < short { k as u8 } else { k as u8 + 1 })
        .collect()
}

/// Bits packed LSB-first, as RFC 1951 packs them.
#[derive(Default, Clone)]
struct Bits {
    bytes: Vec<u8>,
    /// Bits used in the last byte; 0 when it is full.
    used: u32,
}

impl Bits {
    fn bit(&mut self, b: u64) {
        if self.used == 0 {
            self.bytes.push(0);
        }
        *self.bytes.last_mut().unwrap() |= ((b & 1) as u8) << self.used;
        self.used = (self.used + 1) % 8;
    }

    /// A number, least significant bit first (header fields, extra bits).
    fn put(&mut self, value: u64, n: u32) {
        for i in 0..n {
            self.bit(value >> i);
        }
    }

    /// A Huffman codeword: most significant bit first.
    fn code(&mut self, code: u32, len: u8) {
        for i in (0..len).rev() {
            self.bit(u64::from(code >> i));
        }
    }

    /// Bits to the next byte boundary, `pad` supplying them (RFC 1951 says zeros).
    fn align(&mut self, pad: u64) {
        let n = (8 - self.used) % 8;
        self.put(pad, n);
    }
}

/// A canonical Huffman code given by its code lengths (RFC 1951 3.2.2).
struct Code {
    lens: Vec<u8>,
    codes: Vec<u32>,
}

impl Code {
    fn new(lens: &[u8]) -> Code {
        let mut count = [0u32; 16];
        for &l in lens {
            count[usize::from(l)] += 1;
        }
        count[0] = 0;
        let mut next = [0u32; 16];
        let mut code = 0u32;
        for len in 1..16 {
            code = (code + count[len - 1]) << 1;
            next[len] = code;
        }
        let codes = lens
            .iter()
            .map(|&l| {
                let c = next[usize::from(l)];
                next[usize::from(l)] += 1;
                c
            })
            .collect();
        Code {
            lens: lens.to_vec(),
            codes,
        }
    }

    fn put(&self, w: &mut Bits, sym: usize) {
        let len = self.lens[sym];
        assert!(len > 0, "symbol {sym} has no codeword");
        w.code(self.codes[sym], len);
    }
}

/// What a compressed block holds.
#[derive(Clone, Copy, Debug)]
enum Tok {
    Lit(u8),
    /// A match (length, distance) coded with the block's codes.
    Match(usize, usize),
    /// A match whose distance codeword is the raw `bits` (`n` of them) instead of the
    /// block's; a lenient inflater takes it for distance `dist` (1..=4: no extra bits).
    RawDist {
        len: usize,
        dist: usize,
        bits: u64,
        n: u32,
    },
    /// A length symbol and a distance symbol with their extra bits, meaning what
    /// [`LENGTHS`] and [`DISTANCES`] say (symbols 286, 287, 30, 31 included).
    Syms {
        len_sym: usize,
        len_extra: u64,
        dist_sym: usize,
        dist_extra: u64,
    },
    /// The block's end as raw bits instead of its end-of-block codeword.
    RawEnd {
        bits: u64,
        n: u32,
    },
}

/// A code-length symbol (with its repeat count's extra bits), or raw bits.
#[derive(Clone, Copy, Debug)]
enum Pre {
    Sym(usize, u64),
    Raw(u64, u32),
}

/// The header of a dynamic block: its codes and how their lengths are sent.
struct Dynamic {
    litlen: Vec<u8>,
    dist: Vec<u8>,
    /// The precode's lengths (by symbol) and the code-length sequence. Without it, each
    /// length is sent as itself with a complete precode over 0..=15.
    lengths: Option<([u8; 19], Vec<Pre>)>,
}

impl Dynamic {
    fn new(litlen: Vec<u8>, dist: Vec<u8>) -> Dynamic {
        Dynamic {
            litlen,
            dist,
            lengths: None,
        }
    }

    fn sent_as(mut self, precode: [u8; 19], items: Vec<Pre>) -> Dynamic {
        self.lengths = Some((precode, items));
        self
    }
}

/// A precode with every code-length symbol: 13 of length 4, 6 of length 5.
fn full_precode() -> [u8; 19] {
    complete(19).try_into().unwrap()
}

/// `lens` as code-length symbols, zero runs as 17/18 and other runs as 16, as
/// encoders send them (for [`full_precode`]).
fn runs(lens: &[u8]) -> Vec<Pre> {
    let mut items = Vec::new();
    let mut i = 0;
    while i < lens.len() {
        let l = lens[i];
        let run = lens[i..].iter().take_while(|&&x| x == l).count();
        if l == 0 && run >= 11 {
            let n = run.min(138);
            items.push(Pre::Sym(18, (n - 11) as u64));
            i += n;
        } else if l == 0 && run >= 3 {
            items.push(Pre::Sym(17, (run - 3) as u64));
            i += run;
        } else if l != 0 && run >= 4 {
            items.push(Pre::Sym(usize::from(l), 0));
            let n = (run - 1).min(6);
            items.push(Pre::Sym(16, (n - 3) as u64));
            i += 1 + n;
        } else {
            items.push(Pre::Sym(usize::from(l), 0));
            i += 1;
        }
    }
    items
}

/// A raw deflate stream under construction, and the content a lenient inflater (stock
/// libdeflate) makes of it: the zip declares that content's CRC-32 and size.
#[derive(Default, Clone)]
struct Deflate {
    w: Bits,
    out: Vec<u8>,
}

impl Deflate {
    fn stored(&mut self, last: bool, data: &[u8]) -> &mut Self {
        let len = u16::try_from(data.len()).unwrap();
        self.stored_raw(last, 0, len, !len, data)
    }

    /// A stored block with its padding bits and both length fields as given.
    fn stored_raw(&mut self, last: bool, pad: u64, len: u16, nlen: u16, data: &[u8]) -> &mut Self {
        self.w.put(u64::from(last), 3);
        self.w.align(pad);
        self.w.put(u64::from(len), 16);
        self.w.put(u64::from(nlen), 16);
        self.w.bytes.extend_from_slice(data);
        self.out.extend_from_slice(data);
        self
    }

    fn fixed(&mut self, last: bool, toks: &[Tok]) -> &mut Self {
        self.w.put(u64::from(last) | 1 << 1, 3);
        self.tokens(&Code::new(&fixed_litlen()), &Code::new(&fixed_dist()), toks)
    }

    fn dynamic(&mut self, last: bool, d: &Dynamic, toks: &[Tok]) -> &mut Self {
        self.w.put(u64::from(last) | 2 << 1, 3);
        let (precode, items) = match &d.lengths {
            Some((p, items)) => (*p, items.clone()),
            None => {
                let mut p = [4; 19];
                p[16..].fill(0);
                let items = d.litlen.iter().chain(&d.dist);
                (p, items.map(|&l| Pre::Sym(usize::from(l), 0)).collect())
            }
        };
        let hclen = PRECODE_ORDER
            .iter()
            .rposition(|&s| precode[s] != 0)
            .map_or(4, |i| (i + 1).max(4));
        self.w.put((d.litlen.len() - 257) as u64, 5);
        self.w.put((d.dist.len() - 1) as u64, 5);
        self.w.put((hclen - 4) as u64, 4);
        for &s in &PRECODE_ORDER[..hclen] {
            self.w.put(u64::from(precode[s]), 3);
        }
        let pc = Code::new(&precode);
        for item in items {
            match item {
                Pre::Sym(s, extra) => {
                    pc.put(&mut self.w, s);
                    if s >= 16 {
                        self.w.put(extra, REPEAT_BITS[s - 16]);
                    }
                }
                Pre::Raw(bits, n) => self.w.put(bits, n),
            }
        }
        self.tokens(&Code::new(&d.litlen), &Code::new(&d.dist), toks)
    }

    /// Raw bits: a reserved block type, garbage.
    fn raw(&mut self, bits: u64, n: u32) -> &mut Self {
        self.w.put(bits, n);
        self
    }

    fn tokens(&mut self, litlen: &Code, dist: &Code, toks: &[Tok]) -> &mut Self {
        for &t in toks {
            match t {
                Tok::Lit(b) => {
                    litlen.put(&mut self.w, usize::from(b));
                    self.out.push(b);
                }
                Tok::Match(len, d) => {
                    self.length(litlen, len);
                    let ds = DISTANCES[..30].iter().rposition(|&(b, _)| b <= d).unwrap();
                    dist.put(&mut self.w, ds);
                    self.w.put((d - DISTANCES[ds].0) as u64, DISTANCES[ds].1);
                    self.copy(len, d);
                }
                Tok::RawDist {
                    len,
                    dist: d,
                    bits,
                    n,
                } => {
                    assert!((1..=4).contains(&d), "distance {d} needs extra bits");
                    self.length(litlen, len);
                    self.w.put(bits, n);
                    self.copy(len, d);
                }
                Tok::Syms {
                    len_sym,
                    len_extra,
                    dist_sym,
                    dist_extra,
                } => {
                    let (lbase, lbits) = LENGTHS[len_sym - 257];
                    let (dbase, dbits) = DISTANCES[dist_sym];
                    litlen.put(&mut self.w, len_sym);
                    self.w.put(len_extra, lbits);
                    dist.put(&mut self.w, dist_sym);
                    self.w.put(dist_extra, dbits);
                    self.copy(lbase + len_extra as usize, dbase + dist_extra as usize);
                }
                Tok::RawEnd { bits, n } => {
                    self.w.put(bits, n);
                    return self;
                }
            }
        }
        litlen.put(&mut self.w, END);
        self
    }

    fn length(&mut self, litlen: &Code, len: usize) {
        let ls = LENGTHS[..29].iter().rposition(|&(b, _)| b <= len).unwrap();
        litlen.put(&mut self.w, 257 + ls);
        self.w.put((len - LENGTHS[ls].0) as u64, LENGTHS[ls].1);
    }

    /// A match as a lenient inflater copies it; from before the start it copies zeros
    /// (zlib's INFLATE_ALLOW_INVALID_DISTANCE_TOOFAR_ARRR).
    fn copy(&mut self, len: usize, dist: usize) {
        for _ in 0..len {
            let b = match self.out.len().checked_sub(dist) {
                Some(i) => self.out[i],
                None => 0,
            };
            self.out.push(b);
        }
    }

    fn bytes(&self) -> Vec<u8> {
        self.w.bytes.clone()
    }
}

// ---------------------------------------------------------------------------------------
// A model of stock libdeflate

/// A Huffman code as stock libdeflate decodes it.
enum Huff {
    /// An empty code (symbol 0) or a single codeword of length 1: either bit decodes
    /// as that symbol.
    Any { sym: usize, single: bool },
    Canonical {
        count: [usize; 16],
        syms: Vec<usize>,
    },
}

impl Huff {
    /// `None` for an over-subscribed code and for an incomplete one other than the two
    /// above (libdeflate's `build_decode_table`).
    fn new(lens: &[u8]) -> Option<Huff> {
        let mut count = [0usize; 16];
        for &l in lens {
            count[usize::from(l)] += 1;
        }
        count[0] = 0;
        let mut left: i64 = 1;
        for &c in &count[1..] {
            left = left * 2 - c as i64;
            if left < 0 {
                return None;
            }
        }
        if left > 0 {
            let used: usize = count.iter().sum();
            return match used {
                0 => Some(Huff::Any {
                    sym: 0,
                    single: false,
                }),
                1 if count[1] == 1 => Some(Huff::Any {
                    sym: lens.iter().position(|&l| l == 1).unwrap(),
                    single: true,
                }),
                _ => None,
            };
        }
        let mut syms = Vec::new();
        for len in 1..16u8 {
            syms.extend((0..lens.len()).filter(|&s| lens[s] == len));
        }
        Some(Huff::Canonical { count, syms })
    }
}

/// What stock libdeflate 1.26 makes of a raw deflate stream, read the slow way (after
/// puff.c): strict where libdeflate is strict (input end, over-subscribed and other
/// incomplete codes, repeats, distances, stored lengths), lenient where it is lenient.
struct Lenient<'a> {
    data: &'a [u8],
    pos: usize,
    out: Vec<u8>,
    singles: Vec<usize>,
    ignored: Vec<usize>,
}

/// What the model read.
struct Inflated {
    /// The content, or `None` where libdeflate fails.
    content: Option<Vec<u8>>,
    /// Bit offsets of the codewords read from a code with a single 1-bit codeword:
    /// flipping one changes nothing for libdeflate and is an error for Go.
    singles: Vec<usize>,
    /// Bit offsets that nobody reads: padding before a stored block's length and after
    /// the final block, bytes after the stream.
    ignored: Vec<usize>,
}

impl Lenient<'_> {
    fn inflate(data: &[u8]) -> Inflated {
        let mut l = Lenient {
            data,
            pos: 0,
            out: Vec::new(),
            singles: Vec::new(),
            ignored: Vec::new(),
        };
        let ok = l.stream().is_some();
        if ok {
            l.ignored.extend(l.pos..data.len() * 8);
        }
        Inflated {
            content: ok.then_some(l.out),
            singles: l.singles,
            ignored: l.ignored,
        }
    }

    fn bits(&mut self, n: u32) -> Option<u64> {
        let mut v = 0;
        for i in 0..n {
            let byte = *self.data.get(self.pos / 8)?;
            v |= u64::from((byte >> (self.pos % 8)) & 1) << i;
            self.pos += 1;
        }
        Some(v)
    }

    fn sym(&mut self, h: &Huff) -> Option<usize> {
        match h {
            Huff::Any { sym, single } => {
                if *single {
                    self.singles.push(self.pos);
                }
                self.bits(1)?;
                Some(*sym)
            }
            Huff::Canonical { count, syms } => {
                let (mut code, mut first, mut index) = (0, 0, 0);
                for &c in &count[1..] {
                    code |= self.bits(1)? as usize;
                    if code < first + c {
                        return Some(syms[index + code - first]);
                    }
                    index += c;
                    first = (first + c) << 1;
                    code <<= 1;
                }
                None
            }
        }
    }

    fn stream(&mut self) -> Option<()> {
        loop {
            let last = self.bits(1)?;
            match self.bits(2)? {
                0 => {
                    let aligned = self.pos.div_ceil(8) * 8;
                    self.ignored.extend(self.pos..aligned);
                    self.pos = aligned;
                    let len = self.bits(16)? as usize;
                    let nlen = self.bits(16)? as usize;
                    if len != !nlen & 0xffff {
                        return None;
                    }
                    let start = self.pos / 8;
                    self.out
                        .extend_from_slice(self.data.get(start..start + len)?);
                    self.pos += len * 8;
                }
                1 => {
                    let litlen = Huff::new(&fixed_litlen())?;
                    let dist = Huff::new(&fixed_dist())?;
                    self.block(&litlen, &dist)?;
                }
                2 => {
                    let (litlen, dist) = self.header()?;
                    self.block(&litlen, &dist)?;
                }
                _ => return None,
            }
            if last == 1 {
                return Some(());
            }
        }
    }

    /// libdeflate takes HLIT and HDIST as they come: up to 288 and 32 codes.
    fn header(&mut self) -> Option<(Huff, Huff)> {
        let nlit = self.bits(5)? as usize + 257;
        let ndist = self.bits(5)? as usize + 1;
        let nclen = self.bits(4)? as usize + 4;
        let mut pre = [0u8; 19];
        for &s in &PRECODE_ORDER[..nclen] {
            pre[s] = self.bits(3)? as u8;
        }
        let pre = Huff::new(&pre)?;
        let mut lens: Vec<u8> = Vec::new();
        while lens.len() < nlit + ndist {
            let (len, n) = match self.sym(&pre)? {
                l @ 0..=15 => (l as u8, 1),
                16 => (*lens.last()?, 3 + self.bits(2)? as usize),
                17 => (0, 3 + self.bits(3)? as usize),
                _ => (0, 11 + self.bits(7)? as usize),
            };
            lens.extend(std::iter::repeat_n(len, n));
        }
        if lens.len() != nlit + ndist {
            return None;
        }
        Some((Huff::new(&lens[..nlit])?, Huff::new(&lens[nlit..])?))
    }

    fn block(&mut self, litlen: &Huff, dist: &Huff) -> Option<()> {
        loop {
            match self.sym(litlen)? {
                END => return Some(()),
                s @ 0..=255 => self.out.push(s as u8),
                s => {
                    let (base, extra) = LENGTHS[s - 257];
                    let len = base + self.bits(extra)? as usize;
                    let (base, extra) = DISTANCES[self.sym(dist)?];
                    let d = base + self.bits(extra)? as usize;
                    let from = self.out.len().checked_sub(d)?;
                    for i in from..from + len {
                        self.out.push(self.out[i]);
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Zips, written and read by hand

/// One entry of a hand-written zip: the bytes stored and what the headers declare.
#[derive(Clone)]
struct ZipEntry {
    name: String,
    method: u16,
    data: Vec<u8>,
    crc: u32,
    size: u32,
    /// What Go hashes when it reads the entry.
    content: Vec<u8>,
}

impl ZipEntry {
    /// A deflated entry declaring the CRC-32 and size of the stream's lenient content.
    fn deflated(name: &str, d: &Deflate) -> ZipEntry {
        ZipEntry {
            name: name.to_string(),
            method: 8,
            data: d.bytes(),
            crc: crc32fast::hash(&d.out),
            size: d.out.len() as u32,
            content: d.out.clone(),
        }
    }
}

fn u16le(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn u32le(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// Local headers and data, central directory, end record; no data descriptors.
fn zip_of(entries: &[ZipEntry]) -> Vec<u8> {
    let mut z = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = z.len() as u32;
        let name = e.name.as_bytes();
        for (v, sig) in [(&mut z, 0x0403_4b50), (&mut central, 0x0201_4b50)] {
            u32le(v, sig);
            if sig == 0x0201_4b50 {
                u16le(v, 20); // made by
            }
            u16le(v, 20); // needed
            u16le(v, 0); // flags
            u16le(v, e.method);
            u16le(v, 0); // time
            u16le(v, 0x21); // date: 1980-01-01
            u32le(v, e.crc);
            u32le(v, e.data.len() as u32);
            u32le(v, e.size);
            u16le(v, name.len() as u16);
            u16le(v, 0); // extra
            if sig == 0x0201_4b50 {
                u16le(v, 0); // comment
                u16le(v, 0); // disk
                u16le(v, 0); // internal attributes
                u32le(v, 0); // external attributes
                u32le(v, offset);
            }
            v.extend_from_slice(name);
        }
        z.extend_from_slice(&e.data);
    }
    let (cd_offset, cd_size) = (z.len() as u32, central.len() as u32);
    z.extend_from_slice(&central);
    u32le(&mut z, 0x0605_4b50);
    u16le(&mut z, 0);
    u16le(&mut z, 0);
    u16le(&mut z, entries.len() as u16);
    u16le(&mut z, entries.len() as u16);
    u32le(&mut z, cd_size);
    u32le(&mut z, cd_offset);
    u16le(&mut z, 0);
    z
}

/// A deflated entry of a zip: where its compressed data is and the CRC-32 it declares.
struct Located {
    name: String,
    data: Range<usize>,
    crc: u32,
}

fn le16(z: &[u8], at: usize) -> usize {
    usize::from(u16::from_le_bytes([z[at], z[at + 1]]))
}

fn le32(z: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(z[at..at + 4].try_into().unwrap())
}

/// The deflated entries of a well-formed zip (no zip64), from its central directory.
fn deflated_entries(z: &[u8]) -> Vec<Located> {
    let eocd = (0..=z.len() - 22)
        .rev()
        .find(|&i| le32(z, i) == 0x0605_4b50)
        .expect("end of central directory");
    let mut at = le32(z, eocd + 16) as usize;
    let mut found = Vec::new();
    for _ in 0..le16(z, eocd + 10) {
        assert_eq!(le32(z, at), 0x0201_4b50, "central directory header");
        let method = le16(z, at + 10);
        let csize = le32(z, at + 20) as usize;
        let name_len = le16(z, at + 28);
        let skip = name_len + le16(z, at + 30) + le16(z, at + 32);
        let local = le32(z, at + 42) as usize;
        assert_eq!(le32(z, local), 0x0403_4b50, "local header");
        let start = local + 30 + le16(z, local + 26) + le16(z, local + 28);
        if method == 8 && csize > 0 {
            found.push(Located {
                name: String::from_utf8_lossy(&z[at + 46..at + 46 + name_len]).into_owned(),
                data: start..start + csize,
                crc: le32(z, at + 16),
            });
        }
        at += 46 + skip;
    }
    found
}

/// Files by name, with their content.
type Files = Vec<(String, Vec<u8>)>;

/// dirhash.Hash1 of these files, computed here independently of modcache.
fn h1(files: &Files) -> String {
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut summary = Sha256::new();
    for (name, data) in sorted {
        let hex: String = Sha256::digest(data)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        summary.update(format!("{hex}  {name}\n"));
    }
    let sum = summary.finalize();
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(sum)
    )
}

// ---------------------------------------------------------------------------------------
// Crafted cases

/// What Go says about a case.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Go {
    /// It reads the zip, and its h1 is that of the declared contents.
    Reads,
    /// It rejects the zip with an error starting with this.
    Rejects(&'static str),
}

struct Case {
    name: String,
    entries: Vec<ZipEntry>,
    go: Go,
    /// Stock libdeflate inflates every entry to exactly what the zip declares. With
    /// `Go::Rejects`, the case fails unless the inflater is patched.
    libdeflate_reads: bool,
}

const FLATE: &str = "flate: corrupt input before offset";
const EOF: &str = "unexpected EOF";

fn case(name: &str, go: Go, libdeflate_reads: bool, d: &Deflate) -> Case {
    let entry = ZipEntry::deflated(&format!("example.com/m@v1.0.0/{name}"), d);
    Case {
        name: name.to_string(),
        entries: vec![entry],
        go,
        libdeflate_reads,
    }
}

/// Pseudo-random bytes, the same every run.
fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut rng = Rng(seed);
    (0..n).map(|_| rng.next() as u8).collect()
}

/// A match whose distance is coded as the single bit `bit`.
fn dist_bit(len: usize, dist: usize, bit: u64) -> Tok {
    Tok::RawDist {
        len,
        dist,
        bits: bit,
        n: 1,
    }
}

fn lits(s: &[u8]) -> Vec<Tok> {
    s.iter().map(|&b| Tok::Lit(b)).collect()
}

fn crafted() -> Vec<Case> {
    use Go::{Reads, Rejects};
    use Tok::{Lit, Match, RawEnd, Syms};
    let a = usize::from(b'a');
    let b = usize::from(b'b');
    // 'a', end of block, length 3: a complete literal/length code.
    let lit_a = || lens(258, &[(a, 1), (END, 2), (257, 2)]);
    let dist_one = |n: usize, sym: usize| lens(n, &[(sym, 1)]);
    let mut cases = Vec::new();
    let mut add = |name: &str, go: Go, lib: bool, d: &mut Deflate| {
        cases.push(case(name, go, lib, d));
    };
    let new = Deflate::default;

    // A distance code with one codeword, of length 1: '0' is that codeword, '1' is
    // unused. Go's writer emits such codes; libdeflate reads '1' as '0'.
    let single = Dynamic::new(lit_a(), dist_one(1, 0));
    add(
        "single-codeword distance code, match coded 0",
        Reads,
        true,
        new().dynamic(true, &single, &[Lit(b'a'), Match(3, 1)]),
    );
    add(
        "single-codeword distance code, match coded 1",
        Rejects(FLATE),
        true,
        new().dynamic(true, &single, &[Lit(b'a'), dist_bit(3, 1, 1)]),
    );
    add(
        "single-codeword distance code, second match coded 1",
        Rejects(FLATE),
        true,
        new().dynamic(true, &single, &[Lit(b'a'), Match(3, 1), dist_bit(3, 1, 1)]),
    );
    let abcd = lens(
        259,
        &[(a, 2), (b, 2), (a + 2, 3), (a + 3, 3), (END, 3), (258, 3)],
    );
    let single4 = Dynamic::new(abcd, dist_one(4, 3));
    for (bit, go) in [(0, Reads), (1, Rejects(FLATE))] {
        add(
            &format!("single-codeword distance code for distance 4, match coded {bit}"),
            go,
            true,
            new().dynamic(
                true,
                &single4,
                &[
                    Lit(b'a'),
                    Lit(b'b'),
                    Lit(b'c'),
                    Lit(b'd'),
                    dist_bit(4, 4, bit),
                ],
            ),
        );
    }

    // A literal/length code whose one codeword is end-of-block, after a stored block.
    let only_end = Dynamic::new(lens(257, &[(END, 1)]), vec![0]);
    add(
        "literal/length code with only end-of-block, coded 0",
        Reads,
        true,
        new().stored(false, b"hello").dynamic(true, &only_end, &[]),
    );
    add(
        "literal/length code with only end-of-block, coded 1",
        Rejects(FLATE),
        true,
        new()
            .stored(false, b"hello")
            .dynamic(true, &only_end, &[RawEnd { bits: 1, n: 1 }]),
    );

    // A precode with a single 1-bit codeword (18: a run of zeros). Go accepts the
    // precode (its error comes at offset 6, when the empty literal/length code it
    // produced is used, not at offset 4 after the precode), but no block can decode:
    // one repeated length never makes a complete code of 257..=286 symbols.
    let mut pre18 = [0; 19];
    pre18[18] = 1;
    let zeros = Dynamic::new(vec![0; 257], vec![0]);
    add(
        "precode with a single 1-bit codeword, coded 0",
        Rejects("flate: corrupt input before offset 6"),
        false,
        new().dynamic(
            true,
            &zeros.sent_as(pre18, vec![Pre::Sym(18, 127), Pre::Sym(18, 109)]),
            &[RawEnd { bits: 0, n: 8 }],
        ),
    );
    let zeros = Dynamic::new(vec![0; 257], vec![0]);
    add(
        "precode with a single 1-bit codeword, coded 1",
        Rejects(FLATE),
        false,
        new().dynamic(
            true,
            &zeros.sent_as(pre18, vec![Pre::Raw(1 | 127 << 1, 8), Pre::Sym(18, 109)]),
            &[RawEnd { bits: 0, n: 8 }],
        ),
    );

    // An empty distance code: fine until a match needs it; libdeflate reads symbol 0.
    let no_dist = |litlen| Dynamic::new(litlen, vec![0]);
    add(
        "empty distance code, literals only",
        Reads,
        true,
        new().dynamic(
            true,
            &no_dist(lens(257, &[(a, 1), (b, 2), (END, 2)])),
            &lits(b"ab"),
        ),
    );
    for bit in [0, 1] {
        add(
            &format!("empty distance code, match coded {bit}"),
            Rejects(FLATE),
            true,
            new().dynamic(true, &no_dist(lit_a()), &[Lit(b'a'), dist_bit(3, 1, bit)]),
        );
    }

    // Code counts: Go takes at most 286 literal/length and 30 distance codes, even
    // when the extra ones are unused.
    for (nlit, ndist, go) in [
        (286, 30, Reads),
        (287, 1, Rejects(FLATE)),
        (288, 1, Rejects(FLATE)),
        (258, 31, Rejects(FLATE)),
        (258, 32, Rejects(FLATE)),
    ] {
        let d = Dynamic::new(
            lens(nlit, &[(a, 1), (END, 2), (257, 2)]),
            dist_one(ndist, 0),
        );
        add(
            &format!("{nlit} literal/length and {ndist} distance codes"),
            go,
            true,
            new().dynamic(true, &d, &[Lit(b'a'), Match(3, 1)]),
        );
    }
    let d = Dynamic::new(lens(288, &[(a, 1), (END, 2), (287, 2)]), dist_one(1, 0));
    let sym = |len_sym, len_extra, dist_sym, dist_extra| Syms {
        len_sym,
        len_extra,
        dist_sym,
        dist_extra,
    };
    add(
        "dynamic block using length symbol 287",
        Rejects(FLATE),
        true,
        new().dynamic(true, &d, &[Lit(b'a'), sym(287, 0, 0, 0)]),
    );

    // Fixed-Huffman symbols outside RFC 1951: lengths 286, 287, distances 30, 31.
    for ls in [286, 287] {
        add(
            &format!("fixed block using length symbol {ls}"),
            Rejects(FLATE),
            true,
            new().fixed(true, &[Lit(b'a'), Lit(b'b'), sym(ls, 0, 0, 0)]),
        );
    }
    let history = noise(1, 40_000);
    for (ds, extra, go) in [
        (29, 8191, Reads), // distance 32768, the largest there is
        (30, 5, Rejects(FLATE)),
        (31, 8191, Rejects(FLATE)),
    ] {
        add(
            &format!("fixed block using distance symbol {ds}"),
            go,
            true,
            new()
                .stored(false, &history)
                .fixed(true, &[sym(257, 0, ds, extra)]),
        );
    }
    add(
        "length 258 as symbol 284 with 31 extra bits",
        Reads,
        true,
        new().fixed(true, &[Lit(b'a'), sym(284, 31, 0, 0)]),
    );

    // Distances.
    add(
        "distance reaching before the start of output",
        Rejects(FLATE),
        false,
        new().fixed(true, &[Lit(b'a'), Match(3, 2)]),
    );
    add(
        "distance reaching the start of output",
        Reads,
        true,
        new().fixed(true, &[Lit(b'a'), Lit(b'b'), Match(3, 2)]),
    );

    // Block framing.
    add(
        "stored block with LEN != ~NLEN",
        Rejects(FLATE),
        false,
        new().stored_raw(true, 0, 5, !5 ^ 0x0100, b"hello"),
    );
    add(
        "stored block after padding bits that are not zero",
        Reads,
        true,
        new()
            .fixed(false, &lits(b"hi"))
            .stored_raw(true, 0b111, 5, !5, b"there"),
    );
    add(
        "block type 3",
        Rejects(FLATE),
        false,
        new().raw(1 | 3 << 1, 3).raw(0, 21),
    );
    add(
        "block type 3 after a good block",
        Rejects(FLATE),
        false,
        new()
            .fixed(false, &lits(b"ok"))
            .raw(1 | 3 << 1, 3)
            .raw(0, 21),
    );

    // Code-length sequences and code shapes.
    let all = |dist: Vec<u8>| [lit_a(), dist].concat();
    let first_repeat = [vec![Pre::Sym(16, 0)], runs(&all(vec![1])[3..])].concat();
    add(
        "code-length repeat (16) as the first code",
        Rejects(FLATE),
        false,
        new().dynamic(
            true,
            &Dynamic::new(lit_a(), vec![1]).sent_as(full_precode(), first_repeat),
            &[Lit(b'a'), Match(3, 1)],
        ),
    );
    for (rep, extra) in [(16, 0), (17, 0), (18, 0)] {
        // The last distance length, 0, sent as a run of at least 3.
        let mut items = runs(&all(vec![1]));
        items.push(Pre::Sym(rep, extra));
        add(
            &format!("code-length repeat ({rep}) running past HLIT+HDIST"),
            Rejects(FLATE),
            false,
            new().dynamic(
                true,
                &Dynamic::new(lit_a(), vec![1, 0]).sent_as(full_precode(), items),
                &[Lit(b'a'), Match(3, 1)],
            ),
        );
    }
    add(
        "over-subscribed literal/length code",
        Rejects(FLATE),
        false,
        new().dynamic(
            true,
            &Dynamic::new(lens(257, &[(a, 1), (b, 1), (END, 1)]), vec![1]),
            &[RawEnd { bits: 0, n: 8 }],
        ),
    );
    let a_end = || lens(257, &[(a, 1), (END, 1)]);
    add(
        "over-subscribed distance code, unused",
        Rejects(FLATE),
        false,
        new().dynamic(true, &Dynamic::new(a_end(), vec![1, 1, 1]), &[Lit(b'a')]),
    );
    add(
        "incomplete literal/length code with 3 codewords",
        Rejects(FLATE),
        false,
        new().dynamic(
            true,
            &Dynamic::new(lens(258, &[(a, 2), (END, 2), (257, 2)]), vec![1]),
            &[Lit(b'a')],
        ),
    );
    add(
        "incomplete distance code with 2 codewords, unused",
        Rejects(FLATE),
        false,
        new().dynamic(true, &Dynamic::new(a_end(), vec![2, 2]), &[Lit(b'a')]),
    );
    add(
        "literal/length code without end-of-block",
        Rejects(EOF),
        false,
        new().dynamic(
            true,
            &Dynamic::new([vec![8; 256], vec![0]].concat(), vec![0]),
            &[Lit(b'a'), Lit(b'b'), RawEnd { bits: 0, n: 0 }],
        ),
    );
    add(
        "empty literal/length code",
        Rejects(FLATE),
        false,
        new().dynamic(
            true,
            &Dynamic::new(vec![0; 257], vec![0]),
            &[RawEnd { bits: 0, n: 16 }],
        ),
    );

    // The end of the stream.
    let hello = new().fixed(true, &lits(b"hello, world\n")).clone();
    let mut cut = hello.clone();
    cut.w.bytes.truncate(cut.w.bytes.len() - 2);
    add("final block cut short", Rejects(EOF), false, &mut cut);
    // Five 9-bit literals put the end-of-block codeword (seven 0 bits) alone in the
    // last byte: without it only zero bits are missing.
    let mut zero_tail = new().fixed(true, &lits(b"\xc0\xc1\xc2\xc3\xc4")).clone();
    assert_eq!(zero_tail.w.bytes.pop(), Some(0));
    add(
        "stream cut where only zero bits are missing",
        Rejects(EOF),
        false,
        &mut zero_tail,
    );
    add(
        "stream without a final block",
        Rejects(EOF),
        false,
        new().stored(false, b"hello"),
    );
    let mut stored_cut = new().stored(true, b"hello, world").clone();
    stored_cut.w.bytes.truncate(stored_cut.w.bytes.len() - 3);
    add(
        "stored block cut short",
        Rejects(EOF),
        false,
        &mut stored_cut,
    );
    let mut header_cut = new().dynamic(true, &single, &[Lit(b'a')]).clone();
    header_cut.w.bytes.truncate(5);
    add(
        "stream cut inside a dynamic header",
        Rejects(EOF),
        false,
        &mut header_cut,
    );
    let mut trailing = hello.clone();
    trailing.w.bytes.extend_from_slice(b"garbage\xff\x00");
    add(
        "trailing bytes after the final block",
        Reads,
        true,
        &mut trailing,
    );
    let mut two = hello.clone();
    two.w
        .bytes
        .extend(new().fixed(true, &lits(b"more")).bytes());
    add(
        "a second stream after the final block",
        Reads,
        true,
        &mut two,
    );

    // Declared sizes: more or less content than declared, with and without a CRC-32
    // (Go skips a zero CRC-32 when there is no data descriptor).
    for (name, delta, crc, go) in [
        (
            "content longer than declared",
            -1,
            true,
            Rejects("zip: not a valid zip file"),
        ),
        ("content shorter than declared", 1, true, Rejects(EOF)),
        (
            "content longer than declared, no CRC-32",
            -1,
            false,
            Rejects("zip: not a valid zip file"),
        ),
        (
            "content shorter than declared, no CRC-32",
            1,
            false,
            Rejects(EOF),
        ),
        ("no CRC-32, right size", 0, false, Reads),
    ] {
        let mut c = case(name, go, delta == 0, &hello);
        let e = &mut c.entries[0];
        e.size = e.size.checked_add_signed(delta).unwrap();
        if !crc {
            e.crc = 0;
        }
        cases.push(c);
    }
    let mut c = case(
        "empty content declared as one byte",
        Rejects(EOF),
        false,
        new().fixed(true, &[]),
    );
    c.entries[0].size = 1;
    cases.push(c);

    // A bad entry between good ones: the entries of a zip are inflated together.
    let bad = new()
        .dynamic(true, &single, &[Lit(b'a'), dist_bit(3, 1, 1)])
        .clone();
    let entries = vec![
        ZipEntry::deflated("example.com/m@v1.0.0/a.go", &hello),
        ZipEntry::deflated("example.com/m@v1.0.0/b.go", &bad),
        ZipEntry::deflated(
            "example.com/m@v1.0.0/c.go",
            new().dynamic(true, &single, &[Lit(b'a'), Match(3, 1)]),
        ),
    ];
    cases.push(Case {
        name: "a single-codeword distance coded 1 between good entries".into(),
        entries,
        go: Rejects(FLATE),
        libdeflate_reads: true,
    });
    cases
}

/// Whether stock libdeflate inflates every entry of `entries` to what it declares.
fn libdeflate_reads(entries: &[ZipEntry]) -> bool {
    entries.iter().all(|e| {
        e.method == 8
            && Lenient::inflate(&e.data).content.is_some_and(|out| {
                out.len() as u64 == u64::from(e.size)
                    && (e.crc == 0 || crc32fast::hash(&out) == e.crc)
            })
    })
}

/// Write each case's zip, ask Go and modcache, and list every disagreement.
fn check_cases(cases: &[Case], dir: &Path) -> Vec<String> {
    let bin = oracle(common::go().unwrap());
    let paths: Vec<PathBuf> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let path = dir.join(format!("case{i}.zip"));
            fs::write(&path, zip_of(&c.entries)).unwrap();
            path
        })
        .collect();
    let mut problems = Vec::new();
    for ((c, path), go) in cases.iter().zip(&paths).zip(go_verdicts(&bin, &paths)) {
        let ours = modcache_verdict(path);
        if !same_verdict(&go, &ours) {
            problems.push(format!("{}: Go: {go}; modcache: {ours}", c.name));
        }
        let files: Files = c
            .entries
            .iter()
            .map(|e| (e.name.clone(), e.content.clone()))
            .collect();
        match c.go {
            Go::Reads if go != h1(&files) => problems.push(format!(
                "{}: Go should read the declared content ({}), says: {go}",
                c.name,
                h1(&files)
            )),
            Go::Rejects(prefix) if !go.starts_with(&format!("ERR {prefix}")) => {
                problems.push(format!(
                    "{}: Go should reject it with {prefix:?}, says: {go}",
                    c.name
                ));
            }
            _ => {}
        }
        if libdeflate_reads(&c.entries) != c.libdeflate_reads {
            problems.push(format!(
                "{}: stock libdeflate should {} it (model)",
                c.name,
                if c.libdeflate_reads { "read" } else { "reject" }
            ));
        }
    }
    problems
}

#[test]
fn crafted_streams_get_go_verdicts() {
    require_go!();
    let cases = crafted();
    let dir = tempfile::tempdir().unwrap();
    let problems = check_cases(&cases, dir.path());
    assert!(
        problems.is_empty(),
        "{} problems in {} crafted cases:\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n")
    );
    let traps: Vec<&str> = cases
        .iter()
        .filter(|c| c.libdeflate_reads && matches!(c.go, Go::Rejects(_)))
        .map(|c| c.name.as_str())
        .collect();
    // The cases that fail with an unpatched lenient inflater.
    assert!(traps.len() >= 15, "{traps:?}");
}

// ---------------------------------------------------------------------------------------
// Large multi-block entries

#[derive(Clone, Copy, Debug, PartialEq)]
enum Damage {
    None,
    SingleDistOne,
    EmptyDistMatch,
    Hdist32,
    Hlit288,
    Fixed287,
    Dist30,
    /// The last 2 bytes of the stream are missing.
    Truncated,
    /// The zip declares one byte less than the content.
    Longer,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum At {
    Start,
    Middle,
    End,
}

/// A block with the damage: one match or one symbol Go rejects.
fn damage_block(d: &mut Deflate, damage: Damage, last: bool) {
    let x = usize::from(b'x');
    let x_len3 = || lens(258, &[(x, 1), (END, 2), (257, 2)]);
    let x_end = |n| lens(n, &[(x, 1), (END, 1)]);
    match damage {
        Damage::SingleDistOne => d.dynamic(
            last,
            &Dynamic::new(x_len3(), vec![1]),
            &[Tok::Lit(b'x'), dist_bit(3, 1, 1)],
        ),
        Damage::EmptyDistMatch => d.dynamic(
            last,
            &Dynamic::new(x_len3(), vec![0]),
            &[Tok::Lit(b'x'), dist_bit(3, 1, 0)],
        ),
        Damage::Hdist32 => d.dynamic(
            last,
            &Dynamic::new(x_end(257), lens(32, &[(0, 1)])),
            &[Tok::Lit(b'x')],
        ),
        Damage::Hlit288 => d.dynamic(last, &Dynamic::new(x_end(288), vec![1]), &[Tok::Lit(b'x')]),
        Damage::Fixed287 => d.fixed(
            last,
            &[
                Tok::Lit(b'x'),
                Tok::Syms {
                    len_sym: 287,
                    len_extra: 0,
                    dist_sym: 0,
                    dist_extra: 0,
                },
            ],
        ),
        Damage::Dist30 => d.fixed(
            last,
            &[Tok::Syms {
                len_sym: 257,
                len_extra: 0,
                dist_sym: 30,
                dist_extra: 100,
            }],
        ),
        Damage::None | Damage::Truncated | Damage::Longer => unreachable!(),
    };
}

/// Literals and matches as an encoder might choose them, `have` bytes already out.
fn random_tokens(rng: &mut Rng, n: usize, mut have: usize, only_dist_1: bool) -> Vec<Tok> {
    let mut toks = Vec::with_capacity(n);
    for _ in 0..n {
        if have > 0 && rng.below(4) == 0 {
            let len = 3 + rng.below(256);
            let dist = if only_dist_1 {
                1
            } else {
                1 + rng.below(have.min(32768))
            };
            toks.push(Tok::Match(len, dist));
            have += len;
        } else {
            toks.push(Tok::Lit(b'a' + rng.below(26) as u8));
            have += 1;
        }
    }
    toks
}

/// About `size` bytes of content in stored, fixed and dynamic blocks (complete codes,
/// and a single-codeword distance code as Go's writer makes), the damage at `at`.
fn large_stream(size: usize, damage: Damage, at: At) -> Deflate {
    let mut rng = Rng(size as u64 | 1);
    let mut d = Deflate::default();
    let mut pending = !matches!(damage, Damage::None | Damage::Truncated | Damage::Longer);
    let damage_at = match (at, damage) {
        (At::Start, Damage::Dist30) => 40_000, // it needs the history
        (At::Start, _) => 0,
        (At::Middle, _) => size / 2,
        (At::End, _) => usize::MAX,
    };
    let full = Dynamic::new(complete(286), complete(30));
    let single = Dynamic::new(complete(286), lens(30, &[(0, 1)]));
    let mut block = 0;
    while d.out.len() < size {
        if pending && d.out.len() >= damage_at {
            damage_block(&mut d, damage, false);
            pending = false;
        }
        let have = d.out.len();
        match block % 4 {
            0 => {
                let n = 1 + rng.below(16 * 1024);
                d.stored(false, &noise(rng.next(), n));
            }
            1 => {
                let toks = random_tokens(&mut rng, 2000, have, false);
                d.fixed(false, &toks);
            }
            2 => {
                let toks = random_tokens(&mut rng, 2000, have, false);
                d.dynamic(false, &full, &toks);
            }
            _ => {
                let toks = random_tokens(&mut rng, 2000, have, true);
                d.dynamic(false, &single, &toks);
            }
        }
        block += 1;
    }
    if pending {
        damage_block(&mut d, damage, true);
    } else {
        d.fixed(true, &lits(b"end\n"));
    }
    if damage == Damage::Truncated {
        let n = d.w.bytes.len();
        d.w.bytes.truncate(n - 2);
    }
    d
}

#[test]
fn large_multi_block_entries_get_go_verdicts() {
    require_go!();
    let mut cases = Vec::new();
    for (size, label) in [(200 << 10, "200 KiB"), (2 << 20, "2 MiB")] {
        let mut variants = vec![
            (Damage::None, At::End),
            (Damage::Truncated, At::End),
            (Damage::Longer, At::End),
        ];
        for damage in [
            Damage::SingleDistOne,
            Damage::EmptyDistMatch,
            Damage::Hdist32,
            Damage::Hlit288,
            Damage::Fixed287,
            Damage::Dist30,
        ] {
            for at in [At::Start, At::Middle, At::End] {
                variants.push((damage, at));
            }
        }
        for (damage, at) in variants {
            let d = large_stream(size, damage, at);
            let (go, libdeflate_reads) = match damage {
                Damage::None => (Go::Reads, true),
                Damage::Truncated => (Go::Rejects(EOF), false),
                Damage::Longer => (Go::Rejects("zip: not a valid zip file"), false),
                _ => (Go::Rejects(FLATE), true),
            };
            let gomod = Deflate::default()
                .fixed(true, &lits(b"module example.com/big\n"))
                .clone();
            let mut big = ZipEntry::deflated("example.com/big@v1.0.0/big.txt", &d);
            if damage == Damage::Longer {
                big.size -= 1;
            }
            cases.push(Case {
                name: format!(
                    "{label} entry of {} bytes, {damage:?} at {at:?}",
                    d.out.len()
                ),
                entries: vec![
                    ZipEntry::deflated("example.com/big@v1.0.0/go.mod", &gomod),
                    big,
                ],
                go,
                libdeflate_reads,
            });
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let problems = check_cases(&cases, dir.path());
    assert!(
        problems.is_empty(),
        "{} problems in {} large cases:\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// Bit flips in real zips

/// Writes module zips as cmd/go does (golang.org/x/mod/zip.Create): archive/zip's
/// `Writer.Create`, so each file is deflated by compress/flate at the default level and
/// followed by a data descriptor.
const GOZIP: &str = r#"// Command gozip writes zips with Go's archive/zip, as cmd/go writes module zips.
// Standard input: "zip<TAB>path" starts a zip, "name<TAB>file" adds a file to it.
package main

import (
	"archive/zip"
	"bufio"
	"io"
	"log"
	"os"
	"strings"
)

func main() {
	var out *os.File
	var zw *zip.Writer
	finish := func() {
		if zw != nil {
			must(zw.Close())
			must(out.Close())
		}
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		name, file, _ := strings.Cut(sc.Text(), "\t")
		if name == "zip" {
			finish()
			var err error
			out, err = os.Create(file)
			must(err)
			zw = zip.NewWriter(out)
			continue
		}
		w, err := zw.Create(name)
		must(err)
		f, err := os.Open(file)
		must(err)
		_, err = io.Copy(w, f)
		must(err)
		must(f.Close())
	}
	must(sc.Err())
	finish()
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
"#;

/// The gozip program, built once per test binary.
fn gozip() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let src = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gozip-src");
        fs::create_dir_all(&src).unwrap();
        for (name, text) in [("go.mod", "module gozip\n\ngo 1.21\n"), ("main.go", GOZIP)] {
            let path = src.join(name);
            if fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
                // Renamed into place: another test process may be building from it.
                let tmp = src.join(format!("{name}.{}", std::process::id()));
                fs::write(&tmp, text).unwrap();
                fs::rename(&tmp, &path).unwrap();
            }
        }
        build_go(common::go().unwrap(), &src, "gozip")
    })
    .clone()
}

/// Lines of `width` random letters said twice: every match is one half-line back, so
/// Go's compress/flate gives the block a distance code with a single codeword.
fn echoes(rng: &mut Rng, lines: usize, width: usize) -> Vec<u8> {
    let mut text = Vec::new();
    for _ in 0..lines {
        let word: Vec<u8> = (0..width).map(|_| b'a' + rng.below(26) as u8).collect();
        text.extend_from_slice(&word);
        text.extend_from_slice(&word);
        text.push(b'\n');
    }
    text
}

/// Random letters with runs of one letter: every match is at distance 1.
fn letter_runs(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut text = Vec::new();
    while text.len() < len {
        let c = b'a' + rng.below(26) as u8;
        let n = if rng.below(8) == 0 {
            5 + rng.below(40)
        } else {
            1
        };
        text.extend(std::iter::repeat_n(c, n));
    }
    text
}

/// Words at random: matches at all distances, several blocks when long.
fn prose(rng: &mut Rng, len: usize) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "module", "version", "cache", "zip", "hash", "the", "a", "of", "go", "sum", "tree",
        "verify", "download", "proxy", "path", "file", "error", "read", "write", "lock", "func",
        "return", "if", "err", "nil", "string", "int", "byte", "package", "import",
    ];
    let mut text = Vec::new();
    while text.len() < len {
        text.extend_from_slice(WORDS[rng.below(WORDS.len())].as_bytes());
        text.push(if rng.below(12) == 0 { b'\n' } else { b' ' });
    }
    text
}

/// Zips written by Go: one per module of tests/testdata/mod, one of text shaped for
/// single-codeword distance codes and multi-block streams, and one of Go's own
/// compress/flate sources when GOROOT has them.
fn go_written_zips(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zips: Vec<(String, Files)> = Vec::new();
    let mut txtars: Vec<PathBuf> = fs::read_dir(testdata_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    txtars.sort();
    for txtar in txtars {
        let m = Module::from_txtar(&txtar);
        let prefix = m.mv().zip_prefix();
        let files = m
            .files
            .iter()
            .map(|(n, d)| match n.strip_prefix('/') {
                Some(raw) => (raw.to_string(), d.clone()),
                None => (format!("{prefix}{n}"), d.clone()),
            })
            .collect();
        zips.push((m.spec(), files));
    }
    let mut rng = Rng(0x5EED);
    let p = "example.com/shapes@v1.0.0/";
    let mut shapes = vec![(
        format!("{p}go.mod"),
        b"module example.com/shapes\n".to_vec(),
    )];
    for (i, lines) in [2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 30, 40, 50, 60, 100]
        .into_iter()
        .enumerate()
    {
        let width = 8 + i * 7 % 40;
        let text = echoes(&mut rng, lines, width);
        shapes.push((format!("{p}echoes{lines}x{width}.txt"), text));
    }
    for len in [100, 400, 1_500, 6_000] {
        shapes.push((format!("{p}runs{len}.txt"), letter_runs(&mut rng, len)));
    }
    for len in [300, 2_000, 12_000, 80_000] {
        shapes.push((format!("{p}prose{len}.txt"), prose(&mut rng, len)));
    }
    zips.push(("example.com/shapes@v1.0.0".into(), shapes));
    let goroot = common::go().and_then(|go| go.parent()?.parent());
    let flate_src = goroot.map(|g| g.join("src/compress/flate"));
    if let Some(src) = flate_src.filter(|d| d.join("inflate.go").is_file()) {
        let p = "example.com/flate@v1.0.0/";
        let files = ["inflate.go", "huffman_code.go", "dict_decoder.go"]
            .iter()
            .filter_map(|f| Some((format!("{p}{f}"), fs::read(src.join(f)).ok()?)))
            .collect();
        zips.push(("example.com/flate@v1.0.0 (GOROOT sources)".into(), files));
    }

    let inputs = dir.join("gozip-inputs");
    fs::create_dir_all(&inputs).unwrap();
    let mut manifest = String::new();
    let mut paths = Vec::new();
    for (z, (_, files)) in zips.iter().enumerate() {
        let path = dir.join(format!("go{z}.zip"));
        manifest += &format!("zip\t{}\n", path.display());
        for (f, (name, data)) in files.iter().enumerate() {
            let file = inputs.join(format!("{z}-{f}"));
            fs::write(&file, data).unwrap();
            manifest += &format!("{name}\t{}\n", file.display());
        }
        paths.push(path);
    }
    let mut child = std::process::Command::new(gozip())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(manifest.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "gozip failed");
    zips.iter()
        .zip(&paths)
        .map(|((label, _), path)| (format!("Go-written {label}"), fs::read(path).unwrap()))
        .collect()
}

/// Zips written by others: the example cache's (Python's zipfile, i.e. zlib) and one
/// from the zip crate (zlib-rs).
fn other_zips() -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<(String, Vec<u8>)> = example_zips()
        .into_iter()
        .map(|(p, z)| (format!("example cache {}", p.display()), z))
        .collect();
    let mut rng = Rng(7);
    seeds.push((
        "zip crate".into(),
        zip_bytes(&[
            (
                "example.com/m@v1.0.0/go.mod",
                b"module example.com/m\n".to_vec(),
            ),
            ("example.com/m@v1.0.0/echoes.txt", echoes(&mut rng, 40, 24)),
            ("example.com/m@v1.0.0/prose.txt", prose(&mut rng, 5_000)),
        ]),
    ));
    seeds
}

/// One deflated entry of a seed zip, with what stock libdeflate reads from it.
struct SeedEntry {
    seed: usize,
    entry: Located,
    content: Vec<u8>,
    /// Bit offsets in the entry's data, as [`Inflated`] has them.
    singles: Vec<usize>,
    ignored: Vec<usize>,
}

/// Where a mutant's flips go.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Aim {
    /// 1 to 3 bits anywhere in one entry's compressed data.
    Anywhere,
    /// 1 to 3 bits in its first 16 bytes: block headers, code lengths.
    Head,
    /// One codeword of a single-codeword code: Go rejects it, libdeflate reads the
    /// original content.
    Single,
    /// 1 to 3 bits nobody reads (padding, bytes after the stream): Go reads it.
    Ignored,
}

#[test]
fn bit_flips_in_compressed_data_get_go_verdicts() {
    require_go!();
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let mut seeds = go_written_zips(dir.path());
    let go_written = seeds.len();
    seeds.extend(other_zips());

    let mut entries = Vec::new();
    for (s, (label, zip)) in seeds.iter().enumerate() {
        for entry in deflated_entries(zip) {
            let read = Lenient::inflate(&zip[entry.data.clone()]);
            // The model of libdeflate must read real streams as their writers meant.
            let content = read
                .content
                .unwrap_or_else(|| panic!("{label} {}: the model fails", entry.name));
            assert_eq!(
                crc32fast::hash(&content),
                entry.crc,
                "{label} {}",
                entry.name
            );
            entries.push(SeedEntry {
                seed: s,
                entry,
                content,
                singles: read.singles,
                ignored: read.ignored,
            });
        }
    }
    let with = |bits: fn(&SeedEntry) -> &Vec<usize>| -> Vec<usize> {
        (0..entries.len())
            .filter(|&e| !bits(&entries[e]).is_empty())
            .collect()
    };
    let (with_singles, with_ignored) = (with(|e| &e.singles), with(|e| &e.ignored));
    let single_bits: usize = entries.iter().map(|e| e.singles.len()).sum();
    assert!(
        with_singles.len() >= 6,
        "only {} entries have single-codeword codewords",
        with_singles.len()
    );

    const MUTANTS: usize = 3000;
    let mut rng = Rng(0x1F1A_7E5E_ED00_0001);
    let mut mutants = Vec::with_capacity(MUTANTS);
    for m in 0..MUTANTS {
        let aim = match rng.below(10) {
            0..=3 => Aim::Anywhere,
            4..=6 => Aim::Head,
            7 | 8 => Aim::Single,
            _ => Aim::Ignored,
        };
        let e = match aim {
            Aim::Single => with_singles[rng.below(with_singles.len())],
            Aim::Ignored => with_ignored[rng.below(with_ignored.len())],
            _ => rng.below(entries.len()),
        };
        let se = &entries[e];
        let data = se.entry.data.clone();
        let flips = 1 + rng.below(3);
        let mut bits: Vec<usize> = match aim {
            Aim::Anywhere => (0..flips).map(|_| rng.below(data.len() * 8)).collect(),
            Aim::Head => (0..flips)
                .map(|_| rng.below(data.len().min(16) * 8))
                .collect(),
            Aim::Single => vec![se.singles[rng.below(se.singles.len())]],
            Aim::Ignored => (0..flips)
                .map(|_| se.ignored[rng.below(se.ignored.len())])
                .collect(),
        };
        bits.sort_unstable();
        bits.dedup();
        let mut zip = seeds[se.seed].1.clone();
        for &b in &bits {
            zip[data.start + b / 8] ^= 1 << (b % 8);
        }
        let name = format!(
            "mutant {m} ({aim:?}): {} {}: bits {bits:?} of its data flipped",
            seeds[se.seed].0, se.entry.name
        );
        let same = Lenient::inflate(&zip[data]).content.as_deref() == Some(&se.content[..]);
        let path = dir.path().join(format!("mutant{m}.zip"));
        fs::write(&path, &zip).unwrap();
        mutants.push((name, path, aim, same));
    }

    let paths: Vec<PathBuf> = mutants.iter().map(|m| m.1.clone()).collect();
    let verdicts = go_verdicts(&oracle(common::go().unwrap()), &paths);
    let mut problems = Vec::new();
    let (mut readable, mut rejected, mut traps) = (0, 0, 0);
    for ((name, path, aim, libdeflate_same), go) in mutants.iter().zip(&verdicts) {
        let ours = modcache_verdict(path);
        if !same_verdict(go, &ours) {
            problems.push(format!("{name}: Go: {go}; modcache: {ours}"));
        }
        let go_reads = !go.starts_with("ERR");
        let expected = match aim {
            Aim::Single => !go_reads && *libdeflate_same,
            Aim::Ignored => go_reads && *libdeflate_same,
            _ => true,
        };
        if !expected {
            problems.push(format!(
                "{name}: not what it aims at: Go: {go}; stock libdeflate (model) reads the \
                 original: {libdeflate_same}"
            ));
        }
        if go_reads {
            readable += 1;
        } else {
            rejected += 1;
            traps += usize::from(*libdeflate_same);
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} mutants:\n{}",
        problems.len(),
        mutants.len(),
        problems.join("\n")
    );
    let _ = writeln!(
        std::io::stderr(),
        "inflate_differential: {} seed zips ({go_written} written by Go), {} deflated \
         entries ({} with {single_bits} single-codeword codewords); {} mutants: {readable} \
         readable, {rejected} rejected, {traps} of these read as the original by stock \
         libdeflate; {:.1?}",
        seeds.len(),
        entries.len(),
        with_singles.len(),
        mutants.len(),
        started.elapsed()
    );
    // Both outcomes, and many mutants that only a patched libdeflate rejects.
    assert!(readable >= MUTANTS / 20, "readable {readable}");
    assert!(rejected >= MUTANTS / 2, "rejected {rejected}");
    assert!(traps >= MUTANTS / 10, "traps {traps}");
}
