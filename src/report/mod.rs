//! Everything modcache writes to the terminal: human text, JSON documents, progress bars.
//! The rest of the crate returns values; only this module (and `main`) prints.
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod env;
pub mod fsck;
pub mod json;
pub mod repair;
pub mod usage;

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A path for people: control characters escaped so a hostile file name cannot drive the
/// terminal.
pub fn show_path(path: &Path) -> String {
    show_text(&path.to_string_lossy())
}

/// Text for people with control characters escaped.
pub fn show_text(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// Human-readable byte counts (`1.21 MB`), as humansize prints them.
pub fn show_bytes(n: u64) -> String {
    humansize::format_size(n, humansize::DECIMAL)
}

/// `1 version`, `2 versions`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn show_duration(d: Duration) -> String {
    format!("{:.2}s", d.as_secs_f64())
}

/// A progress bar over versions, drawn on stderr only when stderr is a terminal.
pub struct VersionProgress {
    bar: Option<ProgressBar>,
}

impl VersionProgress {
    pub fn new(enabled: bool) -> Self {
        let bar = (enabled && io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::hidden();
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {pos}/{len} versions {bar:30} {msg} {elapsed}",
                )
                .expect("valid template"),
            );
            bar
        });
        VersionProgress { bar }
    }
}

impl modcache::check::Progress for VersionProgress {
    fn start(&self, versions: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(versions);
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
        }
    }

    fn version_done(&self, _bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Print one line on stdout.
pub fn print_line(line: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()
}

/// A warning on stderr that does not change the outcome.
pub fn warn(message: &str) {
    eprintln!("modcache: warning: {}", show_text(message));
}
