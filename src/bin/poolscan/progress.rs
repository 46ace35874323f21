//! A progress bar on stderr while large inputs are read (indicatif).
//!
//! The library only counts bytes ([`poolscan::log::Progress`]); this thread
//! draws them. Nothing is drawn for reads that finish within `DELAY`, so small
//! logs never flash a bar, and nothing at all unless stderr is a terminal.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use poolscan::log::Progress;

/// How long a read runs before the bar appears.
const DELAY: Duration = Duration::from_millis(400);
const TICK: Duration = Duration::from_millis(50);

/// A running display; [`Display::finish`] (or drop) removes it.
pub struct Display {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Display {
    /// Starts drawing `progress` on stderr.
    pub fn start(progress: &Progress) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let p = progress.clone();
        let flag = stop.clone();
        let thread = std::thread::spawn(move || draw(&p, &flag));
        Display {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops and clears the bar.
    pub fn finish(mut self) {
        self.end();
    }

    fn end(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        self.end();
    }
}

fn draw(p: &Progress, stop: &AtomicBool) {
    let begun = Instant::now();
    let mut bar: Option<ProgressBar> = None;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(TICK);
        if begun.elapsed() < DELAY {
            continue;
        }
        let total = p.total.load(Ordering::Relaxed);
        let b = bar.get_or_insert_with(|| new_bar(total));
        b.set_position(p.done.load(Ordering::Relaxed));
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
}

fn new_bar(total: u64) -> ProgressBar {
    let (bar, template) = if total > 0 {
        (
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
            "reading {bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
        )
    } else {
        (
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            "reading {spinner} {binary_bytes} {binary_bytes_per_sec}",
        )
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
