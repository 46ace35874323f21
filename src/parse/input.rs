//! Inputs: files, directories, stdin; gzip and zstd by their magic bytes;
//! read in large blocks, decoded, and cut into chunks that end at a line end.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::parse::decode::Decoder;

/// One input as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file on disk.
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
}

impl Input {
    /// The name shown in tables and messages: the path as given, or `-`.
    pub fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "-".to_string(),
        }
    }
}

/// Expands the user's arguments: `-` is stdin, a directory gives its `*.log`
/// and `*.txt` files (sorted by name), anything else is a file.
pub fn expand<S: AsRef<str>>(args: &[S]) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    for a in args {
        let a = a.as_ref();
        if a == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let p = PathBuf::from(a);
        if p.is_dir() {
            let rd = std::fs::read_dir(&p).map_err(|source| Error::Io {
                path: p.clone(),
                source,
            })?;
            let mut files: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.is_file()
                        && f.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                            let e = e.to_ascii_lowercase();
                            e == "log" || e == "txt" || e == "gz" || e == "zst"
                        })
                })
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(Error::Invalid(format!(
                    "{a}: directory has no *.log or *.txt files"
                )));
            }
            out.extend(files.into_iter().map(Input::File));
        } else {
            out.push(Input::File(p));
        }
    }
    Ok(out)
}

/// Compression recognised by magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain text.
    None,
    /// gzip (`1f 8b`).
    Gzip,
    /// zstd (`28 b5 2f fd`).
    Zstd,
}

/// An opened input: a reader of its (decompressed) bytes.
pub(crate) struct Opened<'a> {
    /// The input's name.
    pub name: String,
    /// What compression was found.
    pub compression: Compression,
    /// The decompressed byte stream.
    pub reader: Box<dyn Read + Send + 'a>,
    /// Its size, when known (a plain file), to reserve memory once.
    pub size_hint: Option<u64>,
}

/// Opens an input and sniffs its compression.
pub(crate) fn open(input: &Input) -> Result<Opened<'static>> {
    let name = input.name();
    let mut size = None;
    let raw: Box<dyn Read + Send> = match input {
        Input::Stdin => Box::new(io::stdin()),
        Input::File(p) => {
            if p.is_dir() {
                return Err(Error::Io {
                    path: p.clone(),
                    source: io::Error::other("is a directory (give the directory itself as an input to read its *.log and *.txt files)"),
                });
            }
            let f = File::open(p).map_err(|source| Error::Io {
                path: p.clone(),
                source,
            })?;
            let meta = f.metadata().map_err(|source| Error::Io {
                path: p.clone(),
                source,
            })?;
            if is_device(&meta) {
                return Err(Error::Io {
                    path: p.clone(),
                    source: io::Error::other(
                        "is a device, not a file (to read standard input, give -)",
                    ),
                });
            }
            if meta.is_file() && meta.len() > 0 {
                // A log that is still being written is read as it was when
                // opened: reading stops even if a writer keeps appending.
                size = Some(meta.len());
                Box::new(f.take(meta.len()))
            } else {
                Box::new(f)
            }
        }
    };
    let mut opened = sniff(name, raw)?;
    if opened.compression == Compression::None {
        opened.size_hint = size;
    }
    Ok(opened)
}

/// Character and block devices and sockets: `/dev/zero` would never end.
/// Pipes (`<(zcat log.gz)`) are read like standard input.
#[cfg(unix)]
fn is_device(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    t.is_char_device() || t.is_block_device() || t.is_socket()
}

#[cfg(not(unix))]
fn is_device(_meta: &std::fs::Metadata) -> bool {
    false
}

/// Wraps a raw byte stream, recognising gzip and zstd by their magic bytes.
pub(crate) fn sniff<'a>(name: String, raw: Box<dyn Read + Send + 'a>) -> Result<Opened<'a>> {
    let mut buf = BufReader::with_capacity(1 << 16, raw);
    let head = buf.fill_buf().map_err(|source| Error::Io {
        path: PathBuf::from(&name),
        source,
    })?;
    let compression = if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    };
    let reader: Box<dyn Read + Send + 'a> = match compression {
        Compression::None => Box::new(buf),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(buf)),
        Compression::Zstd => {
            let d = ruzstd::decoding::StreamingDecoder::new(buf).map_err(|e| Error::Corrupt {
                path: name.clone(),
                what: "zstd",
                reason: e.to_string(),
            })?;
            Box::new(d)
        }
    };
    Ok(Opened {
        name,
        compression,
        reader,
        size_hint: None,
    })
}

/// Size of one raw read.
pub(crate) const BLOCK: usize = 2 << 20;

/// Reads decoded text in chunks that end at a line end.
pub struct Chunks<R> {
    reader: R,
    decoder: Decoder,
    carry: Vec<u8>,
    done: bool,
    block: usize,
    /// Buffers handed back with [`Chunks::recycle`], reused for the next reads.
    spare: Vec<Vec<u8>>,
    /// Raw bytes read so far.
    pub raw_bytes: u64,
}

impl<R: Read> Chunks<R> {
    /// Chunks of about `block` bytes from `reader`.
    pub fn new(reader: R, block: usize) -> Self {
        Chunks {
            reader,
            decoder: Decoder::new(),
            carry: Vec::new(),
            done: false,
            block: block.max(16),
            spare: Vec::new(),
            raw_bytes: 0,
        }
    }

    /// Hands a chunk's buffer back, to be reused by a later read.
    pub(crate) fn recycle(&mut self, buf: Vec<u8>) {
        if self.spare.len() < 16 && buf.capacity() >= self.block {
            self.spare.push(buf);
        }
    }

    /// The decoder, for its counters.
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// The next chunk and whether it is the last one.
    pub fn next_chunk(&mut self) -> io::Result<Option<(Vec<u8>, bool)>> {
        loop {
            if self.done {
                return Ok(None);
            }
            let keep = self.carry.len();
            let mut buf = self.spare.pop().unwrap_or_default();
            buf.clear();
            buf.reserve(keep + self.block);
            buf.extend_from_slice(&self.carry);
            self.carry.clear();
            // read_to_end fills the spare capacity without zeroing it first.
            let mut n = 0;
            while n < self.block {
                let want = (self.block - n) as u64;
                match (&mut self.reader).take(want).read_to_end(&mut buf) {
                    Ok(0) => break,
                    Ok(k) => n += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                        n = buf.len() - keep;
                    }
                    Err(e) => return Err(e),
                }
            }
            self.raw_bytes += n as u64;
            let eof = n < self.block;
            let mut buf = {
                let decoded = self.decoder.decode(&buf[keep..keep + n], eof);
                match decoded {
                    std::borrow::Cow::Borrowed(_) => {
                        buf.truncate(keep + n);
                        buf
                    }
                    std::borrow::Cow::Owned(v) => {
                        let mut b = buf;
                        b.truncate(keep);
                        b.extend_from_slice(&v);
                        b
                    }
                }
            };
            if eof {
                self.done = true;
                if buf.is_empty() {
                    return Ok(None);
                }
                return Ok(Some((buf, true)));
            }
            let cut = memchr::memrchr(b'\n', &buf[keep..])
                .or_else(|| memchr::memrchr(b'\r', &buf[keep..]));
            match cut {
                Some(k) => {
                    let at = keep + k + 1;
                    self.carry.extend_from_slice(&buf[at..]);
                    buf.truncate(at);
                    return Ok(Some((buf, false)));
                }
                None => self.carry = buf,
            }
        }
    }
}

/// Whether a path names something that exists, for error messages.
pub fn exists(p: &Path) -> bool {
    p.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_at_line_ends_and_cover_everything() {
        let text: Vec<u8> = (0..500)
            .flat_map(|i| format!(" Ab{:02} Nonp {i} 0 {i} 64 64\r\n", i % 100).into_bytes())
            .collect();
        for block in [16, 37, 100, 4096] {
            let mut c = Chunks::new(&text[..], block);
            let mut all = Vec::new();
            while let Ok(Some((chunk, last))) = c.next_chunk() {
                assert!(last || chunk.ends_with(b"\n"));
                all.extend_from_slice(&chunk);
            }
            assert_eq!(all, text, "block {block}");
        }
    }

    #[test]
    fn long_line_without_newline() {
        let text = vec![b'x'; 10_000];
        let mut c = Chunks::new(&text[..], 64);
        let mut all = Vec::new();
        while let Ok(Some((chunk, _))) = c.next_chunk() {
            all.extend_from_slice(&chunk);
        }
        assert_eq!(all.len(), 10_000);
    }
}
