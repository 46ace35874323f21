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
    /// A plain file to read through memory maps instead of `reader`, with
    /// its size when opened ([`Chunks::map_file`]; Linux only).
    #[cfg(target_os = "linux")]
    pub file: Option<(File, u64)>,
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
                #[cfg(target_os = "linux")]
                if let Some(opened) = mappable(&name, &f, meta.len())? {
                    return Ok(Opened {
                        file: Some((f, meta.len())),
                        ..opened
                    });
                }
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

/// A plain file not compressed, opened for memory maps: `reader` reads
/// nothing (the chunks come from [`Chunks::map_file`]). `None` for a
/// compressed one.
#[cfg(target_os = "linux")]
fn mappable(name: &str, f: &File, len: u64) -> Result<Option<Opened<'static>>> {
    let head = read_at(f, 0, len.min(4) as usize).map_err(|source| Error::Io {
        path: PathBuf::from(name),
        source,
    })?;
    if compression_of(&head) != Compression::None {
        return Ok(None);
    }
    Ok(Some(Opened {
        name: name.to_string(),
        compression: Compression::None,
        reader: Box::new(io::empty()),
        size_hint: Some(len),
        file: None,
    }))
}

/// The compression that a stream's first bytes announce.
fn compression_of(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
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
    let compression = compression_of(head);
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
        #[cfg(target_os = "linux")]
        file: None,
    })
}

/// Size of one raw read.
pub(crate) const BLOCK: usize = 2 << 20;

/// A chunk of decoded text: read into memory, or, from a plain file on
/// Linux, mapped where it lies in the page cache.
pub enum Text {
    /// Read (or decoded) into memory.
    Owned(Vec<u8>),
    /// Mapped from the file, as it is.
    #[cfg(target_os = "linux")]
    Mapped(super::mapped::Mapping),
}

impl Text {
    /// Whether some of a mapped chunk could not be read (the file shrank
    /// while it was read, or its storage failed): its bytes there are zeros,
    /// not the file's.
    pub fn failed(&self) -> bool {
        match self {
            Text::Owned(_) => false,
            #[cfg(target_os = "linux")]
            Text::Mapped(m) => m.failed(),
        }
    }
}

impl std::ops::Deref for Text {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Text::Owned(v) => v,
            #[cfg(target_os = "linux")]
            Text::Mapped(m) => m.bytes(),
        }
    }
}

/// A plain file read through memory maps: what is left of it from `pos`.
#[cfg(target_os = "linux")]
struct MapSource {
    file: File,
    size: u64,
    pos: u64,
}

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
    /// The file to map instead of reading `reader` ([`Chunks::map_file`]).
    #[cfg(target_os = "linux")]
    map: Option<MapSource>,
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
            #[cfg(target_os = "linux")]
            map: None,
        }
    }

    /// Reads the first `size` bytes of `file` through memory maps, a chunk
    /// at a time, instead of reading `reader`: the chunks that need no
    /// decoding are [`Text::Mapped`], not copied.
    #[cfg(target_os = "linux")]
    pub fn map_file(&mut self, file: File, size: u64) {
        self.map = Some(MapSource { file, size, pos: 0 });
        self.done = size == 0;
    }

    /// Hands a chunk's buffer back, to be reused by a later read.
    pub(crate) fn recycle(&mut self, text: Text) {
        match text {
            Text::Owned(buf) => {
                if self.spare.len() < 16 && buf.capacity() >= self.block {
                    self.spare.push(buf);
                }
            }
            #[cfg(target_os = "linux")]
            Text::Mapped(_) => {}
        }
    }

    /// The decoder, for its counters.
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// The next chunk and whether it is the last one.
    pub fn next_chunk(&mut self) -> io::Result<Option<(Text, bool)>> {
        #[cfg(target_os = "linux")]
        if self.map.is_some() {
            return self.next_mapped();
        }
        Ok(self
            .next_read()?
            .map(|(buf, last)| (Text::Owned(buf), last)))
    }

    /// [`Chunks::next_chunk`] from the reader.
    fn next_read(&mut self) -> io::Result<Option<(Vec<u8>, bool)>> {
        loop {
            if self.done {
                return Ok(None);
            }
            let keep = self.carry.len();
            let mut buf = self.buffer();
            buf.reserve(self.block);
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
            let buf = {
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
            if let Some(buf) = self.cut(buf, keep) {
                return Ok(Some((buf, false)));
            }
        }
    }

    /// A buffer for the next chunk, starting with the text carried over: a
    /// spare one, or the carried text's own when it is a block or more (a
    /// long line then grows one buffer instead of being copied again with
    /// every block).
    fn buffer(&mut self) -> Vec<u8> {
        if self.carry.len() >= self.block {
            return std::mem::take(&mut self.carry);
        }
        let mut buf = self.spare.pop().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(&self.carry);
        self.carry.clear();
        buf
    }

    /// `buf` up to its last line end after `from`, the rest carried over to
    /// the next chunk; `None` (all of it carried over) when it has none.
    fn cut(&mut self, mut buf: Vec<u8>, from: usize) -> Option<Vec<u8>> {
        match last_line_end(&buf[from..]) {
            Some(k) => {
                let at = from + k;
                self.carry.extend_from_slice(&buf[at..]);
                buf.truncate(at);
                Some(buf)
            }
            None => {
                self.carry = buf;
                None
            }
        }
    }

    /// [`Chunks::next_chunk`] from the mapped file: a block mapped and cut
    /// after its last line end; passed on as it is when it needs no
    /// decoding, else decoded into memory as read blocks are.
    #[cfg(target_os = "linux")]
    fn next_mapped(&mut self) -> io::Result<Option<(Text, bool)>> {
        loop {
            if self.done {
                return Ok(None);
            }
            let Some(src) = self.map.as_mut() else {
                return Ok(None);
            };
            let mut want = (src.size - src.pos).min(self.block as u64) as usize;
            // Read instead when the block cannot be mapped (or guarded).
            let (mut map, read) = match super::mapped::Mapping::new(&src.file, src.pos, want) {
                Ok(map) => (Some(map), Vec::new()),
                Err(_) => {
                    let read = read_at(&src.file, src.pos, want)?;
                    if read.len() < want {
                        // The file is shorter than when it was opened: it ends here.
                        want = read.len();
                        src.size = src.pos + want as u64;
                    }
                    (None, read)
                }
            };
            let eof = src.pos + want as u64 == src.size;
            let raw = map.as_ref().map_or(&read[..], |m| m.bytes());
            let end = if eof { Some(want) } else { last_line_end(raw) };
            let take = end.unwrap_or(want);
            src.pos += take as u64;
            self.raw_bytes += take as u64;
            self.done = eof;
            let decoded = match self.decoder.decode(&raw[..take], eof) {
                std::borrow::Cow::Borrowed(_) => None,
                std::borrow::Cow::Owned(v) => Some(v),
            };
            if map.as_ref().is_some_and(|m| m.failed()) {
                return Err(shrank());
            }
            if decoded.is_none() && self.carry.is_empty() && end.is_some() {
                if let Some(mut map) = map.take() {
                    map.truncate(take);
                    return Ok(Some((Text::Mapped(map), eof)));
                }
            }
            // Decoded, read, or after a part carried over: in memory, as
            // read blocks are.
            let keep = self.carry.len();
            let mut buf = self.buffer();
            let raw = map.as_ref().map_or(&read[..], |m| m.bytes());
            buf.extend_from_slice(decoded.as_deref().unwrap_or(&raw[..take]));
            if eof {
                if buf.is_empty() {
                    return Ok(None);
                }
                return Ok(Some((Text::Owned(buf), true)));
            }
            if let Some(buf) = self.cut(buf, keep) {
                return Ok(Some((Text::Owned(buf), false)));
            }
        }
    }
}

/// Up to `want` bytes of `file` from `at`: fewer where the file ends first.
#[cfg(target_os = "linux")]
fn read_at(file: &File, at: u64, want: usize) -> io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0; want];
    let mut got = 0;
    while got < want {
        match file.read_at(&mut buf[got..], at + got as u64) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(got);
    Ok(buf)
}

/// The error for a mapped file that could not be read: part of it was gone.
pub(crate) fn shrank() -> io::Error {
    io::Error::other(
        "part of the file could not be read while it was read (did another program truncate it?)",
    )
}

/// Where the text after the last line end of `buf` starts: after its last
/// `\n`, else its last `\r` (old Mac line ends); `None` without either.
fn last_line_end(buf: &[u8]) -> Option<usize> {
    memchr::memrchr(b'\n', buf)
        .or_else(|| memchr::memrchr(b'\r', buf))
        .map(|k| k + 1)
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

    /// Every chunk of `c`, and whether each was mapped.
    #[cfg(target_os = "linux")]
    fn all_chunks<R: Read>(c: &mut Chunks<R>) -> Vec<(Vec<u8>, bool, bool)> {
        let mut out = Vec::new();
        while let Some((chunk, last)) = c.next_chunk().expect("chunk") {
            let mapped = matches!(chunk, Text::Mapped(_));
            out.push((chunk.to_vec(), last, mapped));
        }
        out
    }

    /// A log with what the decoder must change in places: a UTF-16LE stamp
    /// with BOM, stray NUL and Ctrl-Z bytes, a UTF-8 BOM, old Mac line ends,
    /// and a last line without a line end.
    #[cfg(target_os = "linux")]
    fn awkward_log() -> Vec<u8> {
        let mut text = b"\xef\xbb\xbf".to_vec();
        for i in 0..3000 {
            text.extend(format!(" Ab{:02} Nonp {i} 0 {i} 64 64\r\n", i % 100).bytes());
            if i == 1200 {
                text.extend([0xff, 0xfe]);
                for u in "Wed 11/25/2026 23:18:56.12\r\n".encode_utf16() {
                    text.extend(u.to_le_bytes());
                }
            }
            if i == 2000 {
                text.extend(b"\0\x1a \0Cd Paged 1 0 1 64 64\r\n");
            }
            if i == 2500 {
                text.extend(b" Old Nonp 1 0 1 64 64\r Mac Nonp 1 0 1 64 64\r");
            }
        }
        text.extend(b" Last Nonp 1 0 1 64 64");
        text
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn mapped_chunks_are_the_read_chunks_text() {
        let text = awkward_log();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.txt");
        std::fs::write(&path, &text).unwrap();
        for block in [16, 37, 100, 4096, 1 << 20] {
            let mut read = Chunks::new(&text[..], block);
            let read_chunks = all_chunks(&mut read);
            let mut mapped = Chunks::new(io::empty(), block);
            mapped.map_file(File::open(&path).unwrap(), text.len() as u64);
            let mapped_chunks = all_chunks(&mut mapped);
            let joined = |c: &[(Vec<u8>, bool, bool)]| {
                c.iter().flat_map(|c| c.0.clone()).collect::<Vec<u8>>()
            };
            assert_eq!(
                joined(&mapped_chunks),
                joined(&read_chunks),
                "block {block}"
            );
            for (k, (chunk, last, _)) in mapped_chunks.iter().enumerate() {
                assert_eq!(*last, k + 1 == mapped_chunks.len(), "block {block}");
                assert!(
                    *last || chunk.ends_with(b"\n") || chunk.ends_with(b"\r"),
                    "block {block}"
                );
            }
            assert_eq!(mapped.raw_bytes, text.len() as u64);
            assert_eq!(mapped.decoder().dropped, read.decoder().dropped);
            assert_eq!(mapped.decoder().utf16_blocks, read.decoder().utf16_blocks);
            if (100..text.len()).contains(&block) {
                assert!(
                    mapped_chunks.iter().any(|c| c.2),
                    "block {block}: some mapped"
                );
            }
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_that_cannot_be_mapped_is_read() {
        // sysfs files say they are 4096 bytes long, hold fewer and cannot
        // be mapped: they are read, up to where they end.
        let path = "/sys/kernel/mm/transparent_hugepage/enabled";
        let (Ok(file), Ok(want)) = (File::open(path), std::fs::read(path)) else {
            return;
        };
        let size = file.metadata().unwrap().len();
        let mut c = Chunks::new(io::empty(), 1 << 20);
        c.map_file(file, size);
        let chunks = all_chunks(&mut c);
        let joined: Vec<u8> = chunks.iter().flat_map(|c| c.0.clone()).collect();
        assert_eq!(joined, want);
        assert!(chunks.iter().all(|c| !c.2), "read, not mapped");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_truncated_while_mapped_is_an_error_not_a_crash() {
        let line = b" Ab01 Nonp 1 0 1 64 64\r\n";
        let text: Vec<u8> = line
            .iter()
            .copied()
            .cycle()
            .take(line.len() * 10_000)
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.txt");
        std::fs::write(&path, &text).unwrap();
        let mut c = Chunks::new(io::empty(), 64 << 10);
        c.map_file(File::open(&path).unwrap(), text.len() as u64);
        let (first, last) = c.next_chunk().unwrap().unwrap();
        assert!(!last && matches!(first, Text::Mapped(_)) && !first.failed());
        assert!(first.starts_with(line));
        // Another program empties the file: the pages mapped are gone.
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(0)
            .unwrap();
        assert!(first.iter().all(|&b| b == 0), "zeros where the file was");
        assert!(first.failed());
        let err = c.next_chunk().err().expect("an error for the next chunk");
        assert!(err.to_string().contains("truncate"), "{err}");
    }
}
