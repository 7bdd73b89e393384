//! Reading applications: `.json` files (one document), JSON Lines (`.jsonl`/`.ndjson`, one per
//! line) and stdin (either), in UTF-8 or another encoding, a record at a time.
//!
//! A record that cannot be read — not in its encoding, not JSON, over the size limit — is that
//! record's [`Problem`], and the next record is read. Memory is bounded by the largest document
//! accepted, whatever the size of the input.

use std::io::{BufRead, Read};

use encoding_rs::{DecoderResult, Encoding};

use crate::Fatal;

/// Why a record could not be judged: a stable code and a message, as the output shows them.
#[derive(Debug)]
pub struct Problem {
    /// The code (`malformed_json`, `invalid_encoding`, `document_too_large` …).
    pub code: String,
    /// For people.
    pub message: String,
}

impl From<baokao::Error> for Problem {
    fn from(e: baokao::Error) -> Self {
        Problem {
            code: e.code().to_owned(),
            message: e.to_string(),
        }
    }
}

impl From<baokao::ApplicationError> for Problem {
    fn from(e: baokao::ApplicationError) -> Self {
        baokao::Error::from(e).into()
    }
}

/// The encoding of the inputs.
pub enum Decoding {
    /// UTF-8, the default: bytes go to the core as they are (it checks them and skips a byte order
    /// mark).
    Utf8,
    /// Another encoding (GB18030, GBK, Big5 …): each record is decoded here first.
    Other(&'static Encoding),
}

impl Decoding {
    /// The encoding with this WHATWG label (`utf-8`, `gb18030`, `gbk` …). Records are split at the
    /// byte `\n`, so an encoding whose newline is another byte (UTF-16) is refused.
    pub fn parse(label: &str) -> Result<Decoding, String> {
        let Some(encoding) = Encoding::for_label(label.trim().as_bytes()) else {
            return Err(format!(
                "unknown encoding `{label}` (utf-8, gb18030, gbk, big5 … as the WHATWG Encoding Standard names them)"
            ));
        };
        if encoding == encoding_rs::UTF_8 {
            return Ok(Decoding::Utf8);
        }
        if !encoding.is_ascii_compatible() {
            return Err(format!(
                "encoding `{label}` is not supported: lines are split at the byte `\\n` (UTF-8, GB18030 … are)"
            ));
        }
        Ok(Decoding::Other(encoding))
    }

    /// The application in `bytes`, decoded and parsed with the core's size and depth limits.
    pub fn document(&self, bytes: &[u8]) -> Result<serde_json::Value, Problem> {
        match self {
            Decoding::Utf8 => Ok(baokao::parse_application_bytes(bytes)?),
            Decoding::Other(encoding) => {
                let text = decode(encoding, bytes)?;
                Ok(baokao::parse_application(&text)?)
            }
        }
    }

    /// The bytes as text, for guessing the shape of stdin (bad bytes replaced).
    fn lossy<'a>(&self, bytes: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        match self {
            Decoding::Utf8 => std::borrow::Cow::Borrowed(bytes),
            Decoding::Other(encoding) => {
                let (text, _) = encoding.decode_without_bom_handling(bytes);
                std::borrow::Cow::Owned(text.into_owned().into_bytes())
            }
        }
    }
}

/// Decode a record; the first byte the encoding cannot read is an `invalid_encoding` problem with
/// its line and (1-based, byte) column, as the core locates bytes that are not UTF-8.
fn decode(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, Problem> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let Some(room) = decoder.max_utf8_buffer_length_without_replacement(bytes.len()) else {
        return Err(too_large(bytes.len()).into());
    };
    let mut text = String::with_capacity(room);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        DecoderResult::InputEmpty => Ok(text),
        DecoderResult::Malformed(bad, extra) => {
            let at = read.saturating_sub(usize::from(bad) + usize::from(extra));
            let before = bytes.get(..at).unwrap_or(bytes);
            let line = before.split(|&b| b == b'\n').count();
            let column = at
                - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1)
                + 1;
            let byte = bytes.get(at).copied().unwrap_or_default();
            Err(Problem {
                code: "invalid_encoding".into(),
                message: format!(
                    "text is not {} at line {line}, column {column} (byte `0x{byte:02X}`)",
                    encoding.name()
                ),
            })
        }
        // INVARIANT: `text` has room for the longest decoding of `bytes`.
        DecoderResult::OutputFull => Err(too_large(bytes.len()).into()),
    }
}

/// Whether `name` is a spreadsheet export (CSV or Excel), which the Python command line reads.
pub fn is_table(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".csv", ".xlsx", ".xlsm", ".xls"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

fn is_lines(name: &str) -> bool {
    let ext = std::path::Path::new(name)
        .extension()
        .map(std::ffi::OsStr::to_ascii_lowercase);
    ext.is_some_and(|e| e == "jsonl" || e == "ndjson")
}

/// What is done with each record: its label (`file:line`, `stdin:n`, `file`) and its document.
pub type Visit<'a> = dyn FnMut(&str, Result<serde_json::Value, Problem>) -> Result<(), Fatal> + 'a;

/// Read every record of the inputs, in order, and hand each to `visit`.
pub fn each_record(
    inputs: &[String],
    decoding: &Decoding,
    visit: &mut Visit<'_>,
) -> Result<(), Fatal> {
    // The one record buffer: at most `HOLD` bytes, whatever the size of the input.
    let mut buf = Vec::new();
    for input in inputs {
        if input == "-" {
            stdin(decoding, visit, &mut buf)?;
            continue;
        }
        let cannot = |e: std::io::Error| Fatal::Failed(format!("cannot read `{input}`: {e}"));
        let mut file = std::fs::File::open(input).map_err(cannot)?;
        if is_lines(input) {
            let mut reader = std::io::BufReader::with_capacity(SKIP as usize, file);
            lines(decoding, visit, input, &mut reader, &mut buf)?;
        } else {
            let doc = match read_document(&mut file, &mut buf).map_err(cannot)? {
                Record::Held => decoding.document(&buf),
                Record::TooLarge(size) => Err(too_large(size).into()),
            };
            visit(input, doc)?;
        }
    }
    Ok(())
}

/// The UTF-8 byte order mark a document may start with (the core skips it; it is not counted).
pub const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// Most bytes of one record the command holds: the document limit, a byte order mark and a
/// carriage return. A longer record is over the limit whatever it holds, so it is read through and
/// counted, never kept: memory stays bounded by the largest document accepted, whatever the input.
pub const HOLD: usize = baokao::MAX_DOCUMENT_BYTES + BYTE_ORDER_MARK.len() + 1;

/// Bytes read at a time while counting a record too large to hold.
const SKIP: u64 = 64 * 1024;

/// One record of an input, as read into the record buffer.
pub enum Record {
    /// The record is in the buffer, whole (a line without its `\n` or `\r\n`).
    Held,
    /// Too large to hold: its size in bytes (without line terminator and byte order mark).
    TooLarge(usize),
}

/// The size of a record too large to hold, of which `head` was read and `rest` bytes more counted,
/// without its byte order mark and, when `cr`, the carriage return of its line terminator.
fn oversize(head: &[u8], rest: u64, cr: bool) -> usize {
    let bom = if head.starts_with(BYTE_ORDER_MARK) {
        BYTE_ORDER_MARK.len()
    } else {
        0
    };
    // INVARIANT: `head` holds `HOLD` bytes, more than a byte order mark and a carriage return.
    usize::try_from(rest)
        .map_or(usize::MAX, |rest| head.len().saturating_add(rest))
        .saturating_sub(bom + usize::from(cr))
}

fn too_large(size: usize) -> baokao::ApplicationError {
    baokao::ApplicationError::TooLarge {
        size,
        limit: baokao::MAX_DOCUMENT_BYTES,
    }
}

/// Read a whole input (a `.json` file, stdin) as one record into `buf`.
pub fn read_document(r: &mut impl Read, buf: &mut Vec<u8>) -> std::io::Result<Record> {
    buf.clear();
    r.by_ref().take(HOLD as u64).read_to_end(buf)?;
    if buf.len() < HOLD {
        return Ok(Record::Held);
    }
    let rest = std::io::copy(r, &mut std::io::sink())?;
    Ok(Record::TooLarge(oversize(buf, rest, false)))
}

/// Read the next line into `buf`, without its terminator; `None` at the end of the input.
pub fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<Option<Record>> {
    buf.clear();
    // One byte more than a held line: room for its `\n`.
    let n = r.by_ref().take(HOLD as u64 + 1).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    let ended = buf.last() == Some(&b'\n');
    if ended || n <= HOLD {
        if ended {
            buf.pop();
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        return Ok(Some(Record::Held));
    }
    // Too long to be a document: count the rest of the line, `SKIP` bytes at a time.
    let mut rest = 0u64;
    let mut last = buf.last().copied();
    let mut chunk = Vec::new();
    loop {
        chunk.clear();
        if r.by_ref().take(SKIP).read_until(b'\n', &mut chunk)? == 0 {
            break;
        }
        let ended = chunk.last() == Some(&b'\n');
        if ended {
            chunk.pop();
        }
        rest += chunk.len() as u64;
        last = chunk.last().copied().or(last);
        if ended {
            break;
        }
    }
    let size = oversize(buf, rest, last == Some(b'\r'));
    buf.clear();
    Ok(Some(Record::TooLarge(size)))
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Whether stdin holds JSON Lines rather than one document, judged from its start `head` (all of
/// it when `complete`). A pretty-printed document's first line (`{`) is a JSON value cut short, and
/// so is its second; a JSON Lines record's line is a whole value, or wrong for another reason (not
/// UTF-8, say) — so one bad record, even the first, does not turn a batch into one error.
pub fn is_json_lines(head: &[u8], complete: bool) -> bool {
    let head = head.strip_prefix(BYTE_ORDER_MARK).unwrap_or(head);
    let mut lines: Vec<&[u8]> = head.split(|&b| b == b'\n').collect();
    if !complete {
        // The last piece was cut by the hold, not by its writer.
        lines.pop();
    }
    let mut lines = lines.into_iter().filter(|l| !is_blank(l));
    let Some(first) = lines.next() else {
        // A first line longer than the hold: a record of its own either way.
        return !complete;
    };
    let second = lines.next();
    if complete && second.is_none() {
        return false;
    }
    let parse = |line: &[u8]| serde_json::from_slice::<serde_json::Value>(line).map(|_| ());
    !parse(first).is_err_and(|e| e.is_eof()) || second.is_some_and(|l| parse(l).is_ok())
}

/// Every line of JSON Lines input; `label` names the input (`file:line`).
fn lines(
    decoding: &Decoding,
    visit: &mut Visit<'_>,
    label: &str,
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
) -> Result<(), Fatal> {
    let mut n = 0;
    loop {
        let record = read_line(reader, buf)
            .map_err(|e| Fatal::Failed(format!("cannot read `{label}`: {e}")))?;
        n += 1;
        let doc = match record {
            None => return Ok(()),
            Some(Record::Held) if is_blank(buf) => continue,
            Some(Record::Held) => decoding.document(buf),
            Some(Record::TooLarge(size)) => Err(too_large(size).into()),
        };
        visit(&format!("{label}:{n}"), doc)?;
    }
}

/// Stdin: one document, or JSON Lines (see [`is_json_lines`]).
fn stdin(decoding: &Decoding, visit: &mut Visit<'_>, buf: &mut Vec<u8>) -> Result<(), Fatal> {
    let cannot = |e: std::io::Error| Fatal::Failed(format!("cannot read stdin: {e}"));
    let mut stdin = std::io::stdin().lock();
    buf.clear();
    stdin
        .by_ref()
        .take(HOLD as u64)
        .read_to_end(buf)
        .map_err(cannot)?;
    let complete = buf.len() < HOLD;
    if complete {
        let single = decoding.document(buf);
        let unread = single.as_ref().is_err_and(|e| {
            matches!(
                e.code.as_str(),
                "malformed_json" | "invalid_encoding" | "too_deep"
            )
        });
        if !(unread && is_json_lines(&decoding.lossy(buf), true)) {
            return visit("stdin", single);
        }
    } else if !is_json_lines(&decoding.lossy(buf), false) {
        let rest = std::io::copy(&mut stdin, &mut std::io::sink()).map_err(cannot)?;
        return visit("stdin", Err(too_large(oversize(buf, rest, false)).into()));
    }
    let head = std::mem::take(buf);
    let mut reader = std::io::Cursor::new(head).chain(stdin);
    lines(decoding, visit, "stdin", &mut reader, buf)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
mod tests {
    use super::*;

    /// Every line of `input` as `read_line` gives it: the held text, or `TooLarge(size)`.
    fn lines(input: &[u8]) -> Vec<Result<Vec<u8>, usize>> {
        // A small buffer, so that lines cross the reader's refills.
        let mut reader = std::io::BufReader::with_capacity(1000, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(record) = read_line(&mut reader, &mut buf).unwrap() {
            out.push(match record {
                Record::Held => Ok(buf.clone()),
                Record::TooLarge(size) => Err(size),
            });
        }
        out
    }

    #[test]
    fn lines_lose_their_terminator_and_long_ones_are_counted_not_kept() {
        let limit = baokao::MAX_DOCUMENT_BYTES;
        let x = |n: usize| vec![b'x'; n];
        let mut input = b"a\nb\r\n\n".to_vec();
        // Held: the longest line that can be a document (a byte order mark, `limit` bytes, `\r`).
        let longest = [BYTE_ORDER_MARK, &x(limit), b"\r"].concat();
        input.extend_from_slice(&[&longest[..], b"\n"].concat());
        // Counted: one byte more, with or without a mark or `\r`; 3 MiB; the last line without `\n`.
        for line in [
            [&x(limit + 4)[..], b"\r\n"].concat(),
            [BYTE_ORDER_MARK, &x(limit + 2), b"\r\r\n"].concat(),
            [&x(3 * limit)[..], b"\n"].concat(),
            x(limit + 10),
        ] {
            input.extend_from_slice(&line);
        }
        let got = lines(&input);
        assert_eq!(
            got[..3],
            [Ok(b"a".to_vec()), Ok(b"b".to_vec()), Ok(Vec::new())]
        );
        assert_eq!(got[3], Ok(longest[..longest.len() - 1].to_vec()));
        assert_eq!(
            got[4..],
            [
                Err(limit + 4),
                Err(limit + 3),
                Err(3 * limit),
                Err(limit + 10)
            ]
        );
    }

    #[test]
    fn a_document_is_held_or_counted() {
        let limit = baokao::MAX_DOCUMENT_BYTES;
        let mut buf = Vec::new();
        let held = [BYTE_ORDER_MARK, &vec![b' '; limit]].concat();
        assert!(matches!(
            read_document(&mut &held[..], &mut buf).unwrap(),
            Record::Held
        ));
        assert_eq!(buf, held);
        let big = [BYTE_ORDER_MARK, &vec![b' '; 5 * limit]].concat();
        assert!(matches!(
            read_document(&mut &big[..], &mut buf).unwrap(),
            Record::TooLarge(size) if size == 5 * limit
        ));
        assert!(buf.len() <= HOLD);
    }

    #[test]
    fn stdin_is_json_lines_when_its_lines_are_records() {
        let pretty = b"{\n  \"basic\": {\n    \"name\": \"\xD5\xC5\"\n  }\n}\n";
        let compact = b"{\"basic\": {\"name\": \"\xD5\xC5\"}}\n";
        for (input, complete, expected) in [
            // One document: on one line, or pretty-printed (even with an error in it).
            (&compact[..], true, false),
            (&pretty[..], true, false),
            (&pretty[..], false, false),
            (b"\xEF\xBB\xBF{\r\n\"a\": 1}\r\n", true, false),
            // JSON Lines: a whole first record, or a first record wrong other than cut short.
            (b"{}\n{}\n", true, true),
            (b"{}\n{\"a\"", false, true),
            (&[&compact[..], b"{}\n"].concat()[..], true, true),
            (b"[]\nnot json\n", true, true),
            // A first record cut short, followed by a whole one.
            (b"{\"basic\": {\n{}\n", true, true),
            // A first line longer than the hold.
            (b"{\"a\": \"xxxx", false, true),
        ] {
            assert_eq!(
                is_json_lines(input, complete),
                expected,
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn other_encodings_are_decoded_and_a_bad_byte_is_located() {
        let gb = Decoding::parse("GB18030").unwrap();
        // 张 in GBK is D5 C5.
        let doc = gb
            .document(b"{\"basic\": {\"name\": \"\xD5\xC5\"}}")
            .unwrap();
        assert_eq!(doc["basic"]["name"], "张");
        let bad = gb.document(b"{\"a\": 1,\n \"b\": \"\xFF\"}").err().unwrap();
        assert_eq!(bad.code, "invalid_encoding");
        assert!(
            bad.message.contains("line 2, column 8 (byte `0xFF`)"),
            "{}",
            bad.message
        );
        assert!(matches!(Decoding::parse("utf8"), Ok(Decoding::Utf8)));
        for refused in ["utf-16", "UTF-16LE", "klingon"] {
            assert!(Decoding::parse(refused).is_err(), "{refused}");
        }
    }
}
