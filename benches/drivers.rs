//! Driver-scan throughput: a folder of generated driver images (PE files, x64, about 1 MiB
//! each, 512 MiB in all by default), written to a temporary directory at bench time, then
//! scanned as `poolscan analyze --drivers` does (the tags of 40 suspects) and as
//! `poolscan tags --write-localtag` does (discovery of every tag near a pool call).
//!
//! Each image holds 600 KiB of pseudo-random code with 150 allocations and frees of its own
//! tags mixed in, and 400 KiB of pseudo-random data. The files are in the page cache when
//! timed (they were just written): this measures the scan, not the disk.
//!
//! `cargo bench --bench drivers`; `POOLSCAN_BENCH_MB=N` changes the size.
//! `RAYON_NUM_THREADS=1` measures one core.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use poolscan::drivers::{self, Query};

#[path = "../tests/it/drivers/image.rs"]
mod image;

use image::{Driver, Machine, Op};

/// xorshift64: the same images every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn tag(&mut self) -> [u8; 4] {
        let mut t = [0u8; 4];
        for c in &mut t {
            *c = b'A' + (self.next() % 26) as u8;
        }
        t
    }
}

/// Writes `files` images of about 1 MiB into `dir`; returns their total size.
fn folder(dir: &Path, files: usize) -> u64 {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut total = 0;
    for k in 0..files {
        let mut d = Driver::new(Machine::X64);
        let tags: Vec<[u8; 4]> = (0..5).map(|_| rng.tag()).collect();
        for i in 0..150 {
            let tag = tags[i % tags.len()];
            d.code.push(Op::Raw(rng.bytes(4000)));
            d.code.push(Op::Alloc("ExAllocatePool2", tag));
            d.code.push(Op::Free("ExFreePoolWithTag", tag));
        }
        d.data = rng.bytes(400 << 10);
        let bytes = image::build(&d);
        total += bytes.len() as u64;
        std::fs::write(dir.join(format!("drv{k:04}.sys")), bytes).expect("writing an image");
    }
    total
}

fn scan(c: &mut Criterion) {
    let mb: usize = std::env::var("POOLSCAN_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let bytes = folder(dir.path(), mb);
    let suspects: Vec<String> = (0..40).map(|i| format!("T{i:03}")).collect();
    let mut g = c.benchmark_group("drivers");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(10);
    let label = format!("{} images, {} MiB", mb, bytes >> 20);
    g.bench_function(format!("scan for 40 tags: {label}"), |b| {
        let q = Query::tags(&suspects);
        b.iter(|| {
            let s = drivers::scan(black_box(dir.path()), &q).expect("scans");
            black_box(s.binaries.len())
        })
    });
    g.bench_function(format!("discover every tag: {label}"), |b| {
        let q = Query {
            discover: true,
            ..Query::default()
        };
        b.iter(|| {
            let s = drivers::scan(black_box(dir.path()), &q).expect("scans");
            black_box(s.localtag().len())
        })
    });
    g.finish();
}

criterion_group!(benches, scan);
criterion_main!(benches);
