//! Reading inputs: each input is decoded and cut into chunks, the chunks are
//! parsed in parallel on the rayon pool while the assembler takes them in
//! order, then times are resolved and epochs found.

use super::*;

/// Reads, parses and merges the inputs.
pub fn read(inputs: &[Input], opts: &ReadOptions) -> Result<Log> {
    let opened = inputs.iter().map(input::open).collect::<Result<Vec<_>>>()?;
    read_opened(opened, opts)
}

/// Reads, parses and merges inputs that are already open.
pub(crate) fn read_opened(inputs: Vec<input::Opened<'_>>, opts: &ReadOptions) -> Result<Log> {
    let mut log = Log::default();
    let mut keys: IdMap<u64, u32> = IdMap::default();
    let mut driver_ids: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut last_snap = Vec::new();
    let mut last_row = Vec::new();
    if let Some(p) = &opts.progress {
        let sizes: Option<u64> = inputs.iter().map(|o| o.size_hint).sum();
        p.total.store(sizes.unwrap_or(0), Ordering::Relaxed);
    }
    for (k, opened) in inputs.into_iter().enumerate() {
        let name = opened.name.clone();
        let compression = opened.compression;
        if let Some(size) = opened.size_hint {
            // Narrow rows take 66 to 70 bytes: reserve for 60 once instead of growing (and
            // copying) the columns at the end; capacity never touched costs no memory.
            let rows = (size / 60) as usize;
            let r = &mut log.rows;
            r.series.reserve(rows);
            r.ensure_numeric(r.series.len() + rows);
        }
        let done_before = opts
            .progress
            .as_ref()
            .map_or(0, |p| p.done.load(Ordering::Relaxed));
        let mut chunks = Chunks::new(opened.reader, input::BLOCK);
        #[cfg(target_os = "linux")]
        if let Some((file, size)) = opened.file {
            chunks.map_file(file, size);
        }
        let mut asm = Assembler {
            log: &mut log,
            keys: &mut keys,
            driver_ids: &mut driver_ids,
            last_snap: std::mem::take(&mut last_snap),
            last_row: std::mem::take(&mut last_row),
            source: k as u32,
            info: InputInfo {
                path: name.clone(),
                compression: format!("{compression:?}").to_lowercase(),
                ..Default::default()
            },
            cur: None,
            pending_stamp: None,
            line_base: 0,
            strict: opts.strict,
            warned_headerless: false,
            pending: Vec::new(),
            spare: Vec::new(),
        };
        let mut reader = TextReader {
            chunks: &mut chunks,
            name: &name,
            compression,
            progress: opts.progress.as_ref(),
            done_before,
        };
        if rayon::current_thread_index().is_none() && rayon::current_num_threads() > 1 {
            // On a pool thread, so that this thread's reading and placing
            // rows take turns with parsing instead of competing with it.
            let (reader, asm) = (&mut reader, &mut asm);
            rayon::scope(|_| pipelined(reader, asm))?;
        } else {
            batched(&mut reader, &mut asm)?;
        }
        asm.flush();
        if asm.pending_stamp.is_some() {
            let line = asm.line_base;
            asm.info
                .warn(line, "timestamp line with no snapshot after it");
        }
        asm.close();
        asm.info.lines = asm.line_base;
        asm.info.bytes = chunks.raw_bytes;
        asm.info.utf16_blocks = chunks.decoder().utf16_blocks;
        let info = asm.info;
        last_snap = asm.last_snap;
        last_row = asm.last_row;
        if info.snapshots == 0 {
            let dropped = chunks.decoder().dropped;
            let hint = match info.warnings.first() {
                Some(w) => format!("; line {}: {}", w.line, w.reason),
                None if dropped > 0 && dropped == info.bytes => {
                    format!("; all {dropped} bytes are NUL, Ctrl-Z or byte-order marks")
                }
                None => String::new(),
            };
            return Err(Error::NoSnapshot {
                path: info.path,
                lines: info.lines,
                hint,
            });
        }
        log.inputs.push(info);
    }
    log.rows.trim_numeric();
    mark_partial(&mut log);
    resolve_times(&mut log, opts)?;
    order_by_time(&mut log);
    find_epochs(&mut log);
    log.counter_wraps = unwrap_counters(&mut log);
    Ok(log)
}

/// Chunks of decoded text from one input, with its errors named and progress counted.
pub(super) struct TextReader<'r, 'a> {
    pub(super) chunks: &'r mut Chunks<Box<dyn std::io::Read + Send + 'a>>,
    pub(super) name: &'r str,
    pub(super) compression: input::Compression,
    pub(super) progress: Option<&'r Progress>,
    pub(super) done_before: u64,
}

impl TextReader<'_, '_> {
    /// An error when a mapped chunk could not be read whole (its bytes
    /// there were zeros, not the file's, so its rows are not kept).
    pub(super) fn check(&self, text: &Text) -> Result<()> {
        if text.failed() {
            return Err(Error::Io {
                path: self.name.into(),
                source: input::shrank(),
            });
        }
        Ok(())
    }

    pub(super) fn next(&mut self) -> Result<Option<(Text, bool)>> {
        let got = self
            .chunks
            .next_chunk()
            .map_err(|e| match self.compression {
                input::Compression::None => Error::Io {
                    path: self.name.into(),
                    source: e,
                },
                c => Error::Corrupt {
                    path: self.name.to_string(),
                    what: if c == input::Compression::Gzip {
                        "gzip"
                    } else {
                        "zstd"
                    },
                    reason: e.to_string(),
                },
            })?;
        if let Some(p) = self.progress {
            p.done
                .store(self.done_before + self.chunks.raw_bytes, Ordering::Relaxed);
        }
        Ok(got)
    }
}

/// Reads chunks on this thread while the rayon pool parses the ones read
/// before, and assembles the parsed chunks in order as they come back: reading,
/// parsing and assembling overlap. At most two chunks per worker, plus two,
/// are in flight (so that the workers have chunks to parse while they also
/// copy rows, [`Assembler::flush`]). Runs on a pool thread (see
/// [`read_opened`]), which parses chunks itself while the one it needs next
/// is not ready: one thread per core, none waiting idle while another one
/// competes with the workers for the cores.
pub(super) fn pipelined(reader: &mut TextReader, asm: &mut Assembler) -> Result<()> {
    let in_flight = rayon::current_num_threads() * 2 + 2;
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Part, Text)>();
    let mut ready: HashMap<usize, (Part, Text)> = HashMap::new();
    let (mut issued, mut next) = (0usize, 0usize);
    let mut finished = false;
    loop {
        while !finished && issued - next < in_flight {
            match reader.next()? {
                Some((text, last)) => {
                    let tx = tx.clone();
                    let i = issued;
                    let spare = asm.spare_part();
                    rayon::spawn(move || {
                        let part = parse::parse_chunk_into(&text, last, spare);
                        // The receiver is gone only when reading failed: nothing to do then.
                        let _ = tx.send((i, part, text));
                    });
                    issued += 1;
                    finished = last;
                }
                None => finished = true,
            }
        }
        if next == issued {
            return Ok(());
        }
        let (part, text) = loop {
            if let Some(done) = ready.remove(&next) {
                break done;
            }
            // A chunk that is done, or else one to parse here; wait only
            // when neither (a worker is parsing every chunk in flight).
            let got = match rx.try_recv() {
                Err(TryRecvError::Empty) => {
                    if rayon::yield_now() == Some(rayon::Yield::Executed) {
                        continue;
                    }
                    rx.recv().map_err(|_| TryRecvError::Disconnected)
                }
                got => got,
            };
            match got {
                Ok((i, part, text)) => {
                    ready.insert(i, (part, text));
                }
                Err(_) => {
                    return Err(Error::Invalid(format!(
                        "{}: a parser thread stopped",
                        reader.name
                    )))
                }
            }
        };
        reader.check(&text)?;
        reader.chunks.recycle(text);
        asm.part(part)?;
        next += 1;
    }
}

/// Reads a batch of chunks, parses them in parallel, assembles them; repeats.
/// Safe inside the rayon pool (e.g. when `fleet` reads several hosts at once).
pub(super) fn batched(reader: &mut TextReader, asm: &mut Assembler) -> Result<()> {
    let batch = rayon::current_num_threads().max(1) * 2;
    let mut finished = false;
    while !finished {
        let mut texts = Vec::with_capacity(batch);
        while texts.len() < batch {
            match reader.next()? {
                Some((t, last)) => {
                    texts.push((t, last));
                    if last {
                        finished = true;
                        break;
                    }
                }
                None => {
                    finished = true;
                    break;
                }
            }
        }
        let jobs: Vec<_> = texts
            .iter()
            .map(|(t, last)| (t, *last, asm.spare_part()))
            .collect();
        let parse = |(t, last, spare): (&Text, bool, Part)| parse::parse_chunk_into(t, last, spare);
        let parts: Vec<Part> = if jobs.len() == 1 {
            jobs.into_iter().map(parse).collect()
        } else {
            jobs.into_par_iter().map(parse).collect()
        };
        for (t, _) in texts {
            reader.check(&t)?;
            reader.chunks.recycle(t);
        }
        for p in parts {
            asm.part(p)?;
        }
    }
    Ok(())
}
