//! Whole-buffer inflate with libdeflate, patched to accept only what Go's
//! compress/flate accepts.
//!
//! libdeflate inflates 1.5 to 2 times as fast as zlib-rs here, but stock libdeflate is
//! more lenient than Go: it decodes the unused bit pattern of a Huffman code with a
//! single codeword (Go's writer emits such distance codes) and of an empty code, and it
//! takes more than 286 literal/length or 30 distance codes and the symbols 286, 287, 30
//! and 31. One flipped bit there leaves the content and its CRC-32 intact, so a zip Go
//! cannot read would hash clean. The copy in `vendor/libdeflate` rejects all of those
//! (`vendor/libdeflate/README.md` lists the changes), which makes it *stricter* than
//! Go in one place: it refuses the incomplete codes Go accepts as long as their unused
//! pattern never occurs.
//!
//! So [`Inflater::inflate`] answers only "yes, and here is Go's output": a stream it
//! returns is one Go inflates to the same bytes. When it declines, nothing is known, and
//! the caller decides with the streaming inflater, which follows Go on damaged streams
//! too (see [`super::zip`]).
//!
//! This module is the only `unsafe` code in modcache: three calls into C.

use std::ffi::c_void;
use std::ptr::NonNull;

/// `enum libdeflate_result`'s success value.
const LIBDEFLATE_SUCCESS: i32 = 0;

unsafe extern "C" {
    fn libdeflate_alloc_decompressor() -> *mut c_void;
    fn libdeflate_free_decompressor(d: *mut c_void);
    fn libdeflate_deflate_decompress(
        d: *mut c_void,
        input: *const c_void,
        in_nbytes: usize,
        out: *mut c_void,
        out_nbytes_avail: usize,
        actual_out_nbytes_ret: *mut usize,
    ) -> i32;
}

/// One libdeflate decompressor (about 10 KB of decode tables), reused across streams.
pub(crate) struct Inflater {
    raw: NonNull<c_void>,
}

impl Inflater {
    pub(crate) fn new() -> Inflater {
        // SAFETY: no preconditions; the result is checked for NULL (out of memory).
        let raw = unsafe { libdeflate_alloc_decompressor() };
        Inflater {
            raw: NonNull::new(raw).expect("out of memory allocating a libdeflate decompressor"),
        }
    }

    /// Inflate the raw deflate stream at the start of `input` into `output`. `Some(n)`:
    /// the stream is complete, Go inflates it to exactly `output[..n]`, and bytes after
    /// it in `input` are ignored (as Go ignores them). `None`: the stream is damaged,
    /// needs more than `output.len()` bytes, or is one this copy declines; ask the
    /// streaming inflater.
    pub(crate) fn inflate(&mut self, input: &[u8], output: &mut [u8]) -> Option<usize> {
        let mut n = 0;
        // SAFETY: `raw` is a live decompressor used by one thread at a time (`&mut self`);
        // the pointers and lengths describe live slices, and libdeflate reads only
        // `input` and writes only `output` and `n`.
        let result = unsafe {
            libdeflate_deflate_decompress(
                self.raw.as_ptr(),
                input.as_ptr().cast(),
                input.len(),
                output.as_mut_ptr().cast(),
                output.len(),
                &mut n,
            )
        };
        (result == LIBDEFLATE_SUCCESS).then_some(n)
    }
}

impl Drop for Inflater {
    fn drop(&mut self) {
        // SAFETY: `raw` came from libdeflate_alloc_decompressor and is freed once.
        unsafe { libdeflate_free_decompressor(self.raw.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    /// LSB-first bit writer, as deflate packs bits.
    #[derive(Default)]
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }

    impl Bits {
        fn put(&mut self, value: u64, count: u32) {
            self.acc |= value << self.n;
            self.n += count;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }

        /// A Huffman code is sent most significant bit first.
        fn code(&mut self, code: u64, len: u32) {
            for i in (0..len).rev() {
                self.put((code >> i) & 1, 1);
            }
        }

        fn finish(mut self) -> Vec<u8> {
            if self.n > 0 {
                self.out.push(self.acc as u8);
            }
            self.out
        }
    }

    fn inflate(stream: &[u8], capacity: usize) -> Option<Vec<u8>> {
        let mut out = vec![0; capacity];
        let n = Inflater::new().inflate(stream, &mut out)?;
        out.truncate(n);
        Some(out)
    }

    /// A final fixed-Huffman block: literal 'a', then `symbol` (a length code) with
    /// distance code `dist`, then end of block.
    fn fixed_block(symbol: u64, dist: u64) -> Vec<u8> {
        let mut b = Bits::default();
        b.put(1, 1); // BFINAL
        b.put(1, 2); // fixed Huffman
        b.code(0x30 + u64::from(b'a'), 8); // literals 0-143: 8 bits from 0x30
        b.code(0xC0 + (symbol - 280), 8); // lengths 280-287: 8 bits from 0xC0
        b.code(dist, 5);
        if dist >= 4 {
            b.put(0, (dist as u32 - 2) / 2); // extra bits
        }
        b.code(0, 7); // end of block: 256 is 0000000
        b.finish()
    }

    #[test]
    fn inflates_what_go_writes() {
        let data: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("line {} of {}\n", i % 977, i % 13).into_bytes())
            .collect();
        let mut w = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        w.write_all(&data).unwrap();
        let stream = w.finish().unwrap();
        assert_eq!(inflate(&stream, data.len()).as_deref(), Some(&data[..]));
        // Bytes after the final block are ignored, as Go ignores them.
        let mut trailing = stream.clone();
        trailing.extend_from_slice(b"garbage");
        assert_eq!(inflate(&trailing, data.len()).as_deref(), Some(&data[..]));
        // Too little room, or a truncated stream: declined.
        assert_eq!(inflate(&stream, data.len() - 1), None);
        assert_eq!(inflate(&stream[..stream.len() - 1], data.len()), None);
    }

    #[test]
    fn fixed_block_symbols_go_rejects_are_declined() {
        // Length 285 (258 bytes) at distance 1 is valid; stock libdeflate took 286 and
        // 287 as 258 too, and distance codes 30 and 31 as 24577 and more.
        assert_eq!(inflate(&fixed_block(285, 0), 1000), Some(vec![b'a'; 259]));
        assert_eq!(inflate(&fixed_block(286, 0), 1000), None);
        assert_eq!(inflate(&fixed_block(287, 0), 1000), None);
        assert_eq!(inflate(&fixed_block(285, 30), 100_000), None);
        assert_eq!(inflate(&fixed_block(285, 31), 100_000), None);
    }

    /// Canonical Huffman codes (RFC 1951 3.2.2) for the given code lengths.
    fn canonical(lens: &[u32]) -> Vec<u64> {
        let mut next = [0u64; 17];
        let mut code = 0;
        for len in 1..=16 {
            code = (code + lens.iter().filter(|&&l| l == len - 1 && l > 0).count() as u64) << 1;
            next[len as usize] = code;
        }
        lens.iter()
            .map(|&l| {
                let c = next[l as usize];
                next[l as usize] += 1;
                c
            })
            .collect()
    }

    /// A final dynamic block with these literal/length and distance code lengths (their
    /// counts are HLIT and HDIST); `body` writes the symbols, given both codes.
    fn dynamic_block(
        litlen: &[u32],
        dist: &[u32],
        body: impl FnOnce(&mut Bits, &dyn Fn(&mut Bits, usize), &dyn Fn(&mut Bits, usize)),
    ) -> Vec<u8> {
        let mut b = Bits::default();
        b.put(1, 1);
        b.put(2, 2); // dynamic Huffman
        b.put(litlen.len() as u64 - 257, 5);
        b.put(dist.len() as u64 - 1, 5);
        // Code-length code: lengths 0-15 all get 4 bits (complete), 16-18 none.
        // Sent in the order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1 15.
        b.put(19 - 4, 4);
        for sym in [
            16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
        ] {
            b.put(if sym < 16 { 4 } else { 0 }, 3);
        }
        for &len in litlen.iter().chain(dist) {
            b.code(u64::from(len), 4); // symbol s has code s
        }
        let (lit_codes, dist_codes) = (canonical(litlen), canonical(dist));
        let lit = |b: &mut Bits, sym: usize| b.code(lit_codes[sym], litlen[sym]);
        let dst = |b: &mut Bits, sym: usize| b.code(dist_codes[sym], dist[sym]);
        body(&mut b, &lit, &dst);
        lit(&mut b, 256);
        b.finish()
    }

    /// Complete code lengths for `n` symbols, of two lengths `short` and `short + 1`.
    fn complete(n: usize, short: u32) -> Vec<u32> {
        let shorts = (1usize << (short + 1)) - n;
        (0..n)
            .map(|i| if i < shorts { short } else { short + 1 })
            .collect()
    }

    #[test]
    fn code_counts_go_rejects_are_declined() {
        let block = |hlit: usize, hdist: usize| {
            dynamic_block(&complete(hlit, 8), &complete(hdist, 4), |b, lit, _| {
                lit(b, usize::from(b'a'))
            })
        };
        assert_eq!(inflate(&block(286, 30), 10), Some(b"a".to_vec()));
        for (hlit, hdist) in [(287, 30), (288, 30), (286, 31), (286, 32)] {
            assert_eq!(inflate(&block(hlit, hdist), 10), None, "{hlit} {hdist}");
        }
    }

    /// Literal 'a', then a match of length 3 at distance 1 whose distance code has one
    /// codeword (length 1), sent as `dist_bit`. Go accepts the block with bit 0 and
    /// rejects it with bit 1, which stock libdeflate decoded as the same distance.
    fn single_distance_codeword(dist_bit: u64) -> Vec<u8> {
        let mut litlen = vec![0; 258];
        litlen[usize::from(b'a')] = 1;
        litlen[256] = 2;
        litlen[257] = 2;
        dynamic_block(&litlen, &[1], |b, lit, _| {
            lit(b, usize::from(b'a'));
            lit(b, 257);
            b.put(dist_bit, 1);
        })
    }

    #[test]
    fn single_codeword_codes_are_declined() {
        // Go reads the '0' form as "aaaa"; this copy declines both (the caller then
        // asks the streaming inflater, which accepts '0' and rejects '1' as Go does).
        assert_eq!(inflate(&single_distance_codeword(0), 10), None);
        assert_eq!(inflate(&single_distance_codeword(1), 10), None);
        // The streams are what they claim: zlib-rs, exact here, reads them as Go does.
        let zlib = |stream: &[u8]| {
            let mut out = vec![0; 10];
            let mut d = flate2::Decompress::new(false);
            d.decompress(stream, &mut out, flate2::FlushDecompress::Finish)
                .ok()
                .map(|_| out[..d.total_out() as usize].to_vec())
        };
        assert_eq!(zlib(&single_distance_codeword(0)), Some(b"aaaa".to_vec()));
        assert_eq!(zlib(&single_distance_codeword(1)), None);
    }
}
