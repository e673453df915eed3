//! Compiles the vendored libdeflate decompressor (`vendor/libdeflate`, patched to be as
//! strict as Go's compress/flate; see `vendor/libdeflate/README.md`).

fn main() {
    let root = std::path::Path::new("vendor/libdeflate");
    let mut build = cc::Build::new();
    build
        .files([
            root.join("lib/deflate_decompress.c"),
            root.join("lib/utils.c"),
            root.join("lib/x86/cpu_features.c"),
        ])
        .include(root)
        .opt_level(2)
        .warnings(false);
    build.compile("deflate_go_exact");
    println!("cargo:rerun-if-changed=vendor/libdeflate");
}
