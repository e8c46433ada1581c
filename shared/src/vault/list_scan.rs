//! A push scanner for one LIST answer of the lease tree (`{"data": {"keys": [...]}, ...}`):
//! it is fed the body's bytes as they arrive, in pieces split anywhere, and keeps only the
//! counts, the sub-directories and a bounded sample of lease IDs. Nothing of the body is held
//! but the one key (or field name) being read, so a directory of a million leases costs what
//! a directory of ten does. It runs on the task that reads the connection: no thread hop
//! and no queue of chunks between the socket and the count, so the transport's buffers never
//! fill up behind a lagging parser.
//!
//! The whole answer is checked to be JSON (as `serde_json` would), so that a proxy's HTML
//! page or a cut-off body is an error, not an empty directory.

use std::fmt;

/// Why a LIST answer could not be counted; `at` is the byte offset in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    pub at: u64,
    pub what: String,
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.at)
    }
}

impl std::error::Error for ScanError {}

/// What one directory of the lease tree holds: how many leases, which sub-directories, and
/// a few lease IDs spread over the listing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeaseDirCount {
    pub leases: u64,
    /// Sub-directories, relative to the directory, with their trailing slash.
    pub subdirs: Vec<String>,
    /// Lease IDs relative to the directory, in listing order: the first listed, then others
    /// at even steps through the listing.
    pub sample: Vec<String>,
}

/// The longest key (or field name) read: a lease ID is a path segment of a few dozen bytes.
const MAX_KEY: usize = 64 * 1024;
/// Nesting deeper than this is refused (serde_json's own limit).
const MAX_DEPTH: usize = 128;

/// Where a JSON value sits in the answer, for what the scanner does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The whole answer: an object.
    Root,
    /// The root's `data`: an object or null.
    Data,
    /// `data.keys`: an array of strings or null.
    Keys,
    /// One element of `data.keys`: a string.
    Key,
    /// Anything else: checked, then forgotten.
    Other,
}

/// A string being read, and what becomes of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Str {
    /// A value skipped (only checked).
    Skip,
    /// A field name of an object that does not matter, skipped.
    SkipName,
    /// A field name of the root or of `data`, compared once read.
    Name,
    /// An element of `data.keys`.
    Key,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A value of this role, after optional whitespace.
    Value(Role),
    /// Right after `[`: an element of this role or `]`.
    FirstElem(Role),
    /// Right after `{`: a field name or `}`.
    FirstName,
    /// After `,` in an object: a field name.
    Name,
    /// After a field name.
    Colon,
    /// After a value inside an object or array: `,` or the closing bracket.
    AfterValue,
    InStr(Str),
    /// After a backslash in a string.
    Escape(Str),
    /// In `\uXXXX`: `left` hex digits to go, `code` so far.
    Unicode {
        s: Str,
        left: u8,
        code: u16,
    },
    /// In `true`, `false` or `null`: the bytes still expected.
    Literal(&'static [u8]),
    Number,
    /// The answer is complete: only whitespace may follow.
    Done,
}

/// The scanner of one LIST answer.
pub struct ListScanner {
    tally: Tally,
    sample: usize,
    /// The open objects (`true`) and arrays (`false`) with their roles.
    stack: Vec<(bool, Role)>,
    state: State,
    /// The role of the value after the field name just read.
    next: Role,
    /// The string being kept (a key or a field name), escapes decoded.
    text: Vec<u8>,
    /// A `\uD800`–`\uDBFF` waiting for its low surrogate.
    high: Option<u16>,
    at: u64,
}

impl ListScanner {
    /// `sample`: how many lease IDs to keep for expiry lookups.
    pub fn new(sample: usize) -> ListScanner {
        ListScanner {
            tally: Tally::new(sample),
            sample,
            stack: Vec::new(),
            state: State::Value(Role::Root),
            next: Role::Other,
            text: Vec::new(),
            high: None,
            at: 0,
        }
    }

    /// Reads the next piece of the body; after an error the scanner must not be fed again.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), ScanError> {
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if self.step(b)? {
                i += 1;
                self.at += 1;
            }
        }
        Ok(())
    }

    /// The counts, once the whole body was fed.
    pub fn finish(self) -> Result<LeaseDirCount, ScanError> {
        if self.state != State::Done {
            return Err(self.error("EOF while parsing the answer"));
        }
        Ok(self.tally.finish(self.sample))
    }

    fn error(&self, what: impl Into<String>) -> ScanError {
        ScanError {
            at: self.at,
            what: what.into(),
        }
    }

    /// One byte; `Ok(false)` when the byte ends a number and must be read again in the
    /// state that follows.
    fn step(&mut self, b: u8) -> Result<bool, ScanError> {
        let ws = matches!(b, b' ' | b'\t' | b'\n' | b'\r');
        match self.state {
            State::Value(_)
            | State::FirstElem(_)
            | State::FirstName
            | State::Name
            | State::Colon
            | State::AfterValue
            | State::Done
                if ws => {}
            State::Value(role) => self.value(role, b)?,
            State::FirstElem(role) => {
                if b == b']' {
                    self.close();
                } else {
                    self.value(role, b)?;
                }
            }
            State::FirstName | State::Name => match b {
                b'"' => {
                    let top = self.stack.last().map(|t| t.1);
                    let kept = matches!(top, Some(Role::Root | Role::Data));
                    self.text.clear();
                    self.state = State::InStr(if kept { Str::Name } else { Str::SkipName });
                }
                b'}' if self.state == State::FirstName => self.close(),
                _ => return Err(self.error("expected a field name")),
            },
            State::Colon => {
                if b != b':' {
                    return Err(self.error("expected ':'"));
                }
                self.state = State::Value(self.next);
            }
            State::AfterValue => {
                let &(object, role) = self.stack.last().expect("inside a container");
                match (b, object) {
                    (b',', true) => self.state = State::Name,
                    (b',', false) => {
                        self.state = State::Value(if role == Role::Keys {
                            Role::Key
                        } else {
                            Role::Other
                        })
                    }
                    (b'}', true) | (b']', false) => self.close(),
                    (_, true) => return Err(self.error("expected ',' or '}'")),
                    (_, false) => return Err(self.error("expected ',' or ']'")),
                }
            }
            State::InStr(s) => match b {
                b'"' => self.end_string(s)?,
                b'\\' => self.state = State::Escape(s),
                0..=0x1f => return Err(self.error("control character in a string")),
                _ => self.push(s, &[b])?,
            },
            State::Escape(s) => {
                let c = match b {
                    b'"' | b'\\' | b'/' => b,
                    b'b' => 0x08,
                    b'f' => 0x0c,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'u' => {
                        self.state = State::Unicode {
                            s,
                            left: 4,
                            code: 0,
                        };
                        return Ok(true);
                    }
                    _ => return Err(self.error("invalid escape in a string")),
                };
                self.push(s, &[c])?;
                self.state = State::InStr(s);
            }
            State::Unicode { s, left, code } => {
                let digit = (b as char)
                    .to_digit(16)
                    .ok_or_else(|| self.error("invalid \\u escape in a string"))?;
                let code = code << 4 | digit as u16;
                if left > 1 {
                    self.state = State::Unicode {
                        s,
                        left: left - 1,
                        code,
                    };
                } else {
                    self.unit(s, code)?;
                    self.state = State::InStr(s);
                }
            }
            State::Literal(rest) => {
                if rest.first() != Some(&b) {
                    return Err(self.error("expected value"));
                }
                if rest.len() == 1 {
                    self.complete();
                } else {
                    self.state = State::Literal(&rest[1..]);
                }
            }
            State::Number => {
                if matches!(b, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                    return Ok(true);
                }
                self.complete();
                return Ok(false);
            }
            State::Done => return Err(self.error("trailing characters")),
        }
        Ok(true)
    }

    /// The first byte of a value of `role`.
    fn value(&mut self, role: Role, b: u8) -> Result<(), ScanError> {
        let wrong = match role {
            Role::Root => b != b'{',
            Role::Data => b != b'{' && b != b'n',
            Role::Keys => b != b'[' && b != b'n',
            Role::Key => b != b'"',
            Role::Other => false,
        };
        if wrong
            && matches!(
                b,
                b'{' | b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9'
            )
        {
            return Err(self.error(match role {
                Role::Root => "expected an object (with \"data\")",
                Role::Data => "expected an object (with \"keys\") or null",
                Role::Keys => "expected an array of keys",
                _ => "expected a key (a string)",
            }));
        }
        match b {
            b'{' | b'[' => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(self.error("nested too deeply"));
                }
                let object = b == b'{';
                self.stack.push((object, role));
                self.state = if object {
                    State::FirstName
                } else {
                    State::FirstElem(if role == Role::Keys {
                        Role::Key
                    } else {
                        Role::Other
                    })
                };
            }
            b'"' => {
                self.text.clear();
                self.state = State::InStr(if role == Role::Key {
                    Str::Key
                } else {
                    Str::Skip
                });
            }
            b't' => self.state = State::Literal(b"rue"),
            b'f' => self.state = State::Literal(b"alse"),
            b'n' => self.state = State::Literal(b"ull"),
            b'-' | b'0'..=b'9' => self.state = State::Number,
            _ => return Err(self.error("expected value")),
        }
        Ok(())
    }

    /// A value just ended.
    fn complete(&mut self) {
        self.state = if self.stack.is_empty() {
            State::Done
        } else {
            State::AfterValue
        };
    }

    /// The closing bracket of the innermost container.
    fn close(&mut self) {
        self.stack.pop();
        self.complete();
    }

    /// Bytes of a kept string (decoded), a pending high surrogate first.
    fn push(&mut self, s: Str, bytes: &[u8]) -> Result<(), ScanError> {
        if matches!(s, Str::Skip | Str::SkipName) {
            return Ok(());
        }
        if self.high.take().is_some() {
            self.text.extend_from_slice("\u{fffd}".as_bytes());
        }
        if self.text.len() + bytes.len() > MAX_KEY {
            return Err(self.error(format!("a key longer than {MAX_KEY} bytes")));
        }
        self.text.extend_from_slice(bytes);
        Ok(())
    }

    /// One UTF-16 unit from a `\u` escape; a lone surrogate becomes U+FFFD.
    fn unit(&mut self, s: Str, code: u16) -> Result<(), ScanError> {
        if matches!(s, Str::Skip | Str::SkipName) {
            return Ok(());
        }
        let c = match (self.high.take(), code) {
            (high, 0xd800..=0xdbff) => {
                if high.is_some() {
                    self.push(s, "\u{fffd}".as_bytes())?;
                }
                self.high = Some(code);
                return Ok(());
            }
            (Some(h), 0xdc00..=0xdfff) => {
                let c = 0x10000 + ((u32::from(h) - 0xd800) << 10) + (u32::from(code) - 0xdc00);
                char::from_u32(c).unwrap_or('\u{fffd}')
            }
            (high, _) => {
                if high.is_some() {
                    self.push(s, "\u{fffd}".as_bytes())?;
                }
                char::from_u32(u32::from(code)).unwrap_or('\u{fffd}')
            }
        };
        self.push(s, c.encode_utf8(&mut [0; 4]).as_bytes())
    }

    /// The closing quote of a string.
    fn end_string(&mut self, s: Str) -> Result<(), ScanError> {
        self.push(s, b"")?;
        match s {
            Str::Skip => self.complete(),
            Str::SkipName => {
                self.next = Role::Other;
                self.state = State::Colon;
            }
            Str::Name => {
                let top = self.stack.last().map(|t| t.1);
                self.next = match (top, self.text.as_slice()) {
                    (Some(Role::Root), b"data") => Role::Data,
                    (Some(Role::Data), b"keys") => Role::Keys,
                    _ => Role::Other,
                };
                self.state = State::Colon;
            }
            Str::Key => {
                let key = std::str::from_utf8(&self.text)
                    .map_err(|_| self.error("a key that is not UTF-8"))?;
                self.tally.key(key);
                self.complete();
            }
        }
        Ok(())
    }
}

/// The counts so far. Every `stride`-th lease ID is kept; when more than `cap` are, every
/// other one is dropped and the stride doubles, so the kept IDs stay spread over the whole
/// listing and few, however long it is.
struct Tally {
    leases: u64,
    subdirs: Vec<String>,
    kept: Vec<(u64, String)>,
    stride: u64,
    cap: usize,
}

impl Tally {
    fn new(sample: usize) -> Tally {
        Tally {
            leases: 0,
            subdirs: Vec::new(),
            kept: Vec::new(),
            stride: 1,
            // Enough that small directories sample exactly where a full listing would.
            cap: if sample == 0 { 0 } else { (4 * sample).max(64) },
        }
    }

    fn key(&mut self, key: &str) {
        if key.ends_with('/') {
            self.subdirs.push(key.to_string());
            return;
        }
        let i = self.leases;
        self.leases += 1;
        if self.cap == 0 || !i.is_multiple_of(self.stride) {
            return;
        }
        self.kept.push((i, key.to_string()));
        if self.kept.len() > self.cap {
            self.stride *= 2;
            let stride = self.stride;
            self.kept.retain(|(i, _)| i.is_multiple_of(stride));
        }
    }

    /// `n` IDs at even steps through the listing (the kept one at or before each step).
    fn finish(self, n: usize) -> LeaseDirCount {
        let step = (self.leases / n.max(1) as u64).max(1);
        let mut sample: Vec<String> = Vec::new();
        let mut last = None;
        for k in 0..n as u64 {
            let at = k * step;
            if at >= self.leases {
                break;
            }
            let pick = self.kept.partition_point(|(i, _)| *i <= at).checked_sub(1);
            if let Some(p) = pick
                && last != Some(p)
            {
                sample.push(self.kept[p].1.clone());
                last = Some(p);
            }
        }
        LeaseDirCount {
            leases: self.leases,
            subdirs: self.subdirs,
            sample,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(pieces: &[&[u8]], sample: usize) -> Result<LeaseDirCount, ScanError> {
        let mut s = ListScanner::new(sample);
        for p in pieces {
            s.feed(p)?;
        }
        s.finish()
    }

    fn whole(body: &str) -> Result<LeaseDirCount, ScanError> {
        scan(&[body.as_bytes()], 3)
    }

    /// A Vault answer with every kind of JSON value around the keys, and keys with escapes.
    const BODY: &str = r#" {"request_id":"7f\u00e9-\"x\"","lease_id":"","renewable":false,"lease_duration":0,
        "data":{"other":{"keys":["not/","these"]},"keys":["a\\b","ro\/","\u00e9t\u00e9","\ud83d\ude00x","t\tab/",
        "plain","x\u0041"],"n":-1.5e+3,"t":true,"z":[[],{},null]},
        "wrap_info":null,"warnings":["a", "b"],"auth":null,"keys":["nor/","those"]}
        "#;

    #[test]
    fn keys_with_escapes_are_decoded() {
        let c = whole(BODY).unwrap();
        assert_eq!(c.leases, 5);
        assert_eq!(c.subdirs, ["ro/", "t\tab/"]);
        assert_eq!(c.sample, ["a\\b", "été", "😀x"]);
        let c = scan(&[BODY.as_bytes()], 10).unwrap();
        assert_eq!(c.sample, ["a\\b", "été", "😀x", "plain", "xA"]);
    }

    #[test]
    fn an_answer_split_at_any_byte_counts_the_same() {
        let expected = whole(BODY).unwrap();
        let b = BODY.as_bytes();
        for i in 0..=b.len() {
            assert_eq!(
                scan(&[&b[..i], &b[i..]], 3).as_ref(),
                Ok(&expected),
                "at {i}"
            );
            for j in (i..=b.len()).step_by(7) {
                let three: [&[u8]; 3] = [&b[..i], &b[i..j], &b[j..]];
                assert_eq!(scan(&three, 3).as_ref(), Ok(&expected), "at {i} and {j}");
            }
        }
        let bytes: Vec<&[u8]> = b.chunks(1).collect();
        assert_eq!(scan(&bytes, 3), Ok(expected));
    }

    #[test]
    fn empty_and_null_listings_have_no_leases() {
        for body in [
            r#"{"data":{"keys":[]}}"#,
            r#"{"data":{"keys":[ ]}}"#,
            r#"{"data":{"keys":null}}"#,
            r#"{"data":null}"#,
            r#"{"data":{}}"#,
            r#"{}"#,
            r#"{"errors":[]}"#,
            r#"{"keys":["a"],"data":{"nested":{"keys":["b"]}}}"#,
        ] {
            assert_eq!(whole(body), Ok(LeaseDirCount::default()), "{body}");
        }
    }

    #[test]
    fn a_body_cut_anywhere_is_an_error() {
        let b = BODY.trim_end().as_bytes();
        for i in 0..b.len() {
            let e = scan(&[&b[..i]], 3).unwrap_err();
            assert!(e.what.contains("EOF"), "cut at {i}: {e}");
        }
    }

    #[test]
    fn what_is_not_a_listing_is_an_error() {
        let err = |body: &str| whole(body).unwrap_err().to_string();
        assert_eq!(err("<html>"), "expected value at byte 0");
        assert_eq!(err(""), "EOF while parsing the answer at byte 0");
        assert_eq!(err("[]"), "expected an object (with \"data\") at byte 0");
        assert_eq!(
            err(r#"{"data":[]}"#),
            "expected an object (with \"keys\") or null at byte 8"
        );
        assert_eq!(
            err(r#"{"data":{"keys":{}}}"#),
            "expected an array of keys at byte 16"
        );
        assert_eq!(
            err(r#"{"data":{"keys":["a",null]}}"#),
            "expected a key (a string) at byte 21"
        );
        assert_eq!(
            err(r#"{"data":{"keys":[]}}{}"#),
            "trailing characters at byte 20"
        );
        assert!(err(r#"{"data":{"keys":["a",]}}"#).starts_with("expected value"));
        assert!(err(r#"{"data" {"#).starts_with("expected ':'"));
        assert!(err(r#"{"a":1,}"#).starts_with("expected a field name"));
        assert!(err(r#"{"a":1]"#).starts_with("expected ',' or '}'"));
        assert!(err(r#"{"a":[1}"#).starts_with("expected ',' or ']'"));
        assert!(err(r#"{"a":tru}"#).starts_with("expected value"));
        assert!(err("{\"a\":\"x\ny\"}").starts_with("control character"));
        assert!(err(r#"{"a":"\x"}"#).starts_with("invalid escape"));
        assert!(err(r#"{"a":"\u12g4"}"#).starts_with("invalid \\u escape"));
        let deep = format!(r#"{{"a":{}{}}}"#, "[".repeat(200), "]".repeat(200));
        assert!(err(&deep).starts_with("nested too deeply"));
        let long = format!(r#"{{"data":{{"keys":["{}"]}}}}"#, "k".repeat(MAX_KEY + 1));
        assert!(err(&long).starts_with("a key longer than"));
        // A long value elsewhere is skipped, not kept.
        let long = format!(
            r#"{{"x":"{}","data":{{"keys":["a"]}}}}"#,
            "v".repeat(MAX_KEY + 1)
        );
        assert_eq!(whole(&long).unwrap().leases, 1);
        let e = scan(&[b"{\"data\":{\"keys\":[\"\xff\"]}}"], 1).unwrap_err();
        assert!(e.what.contains("not UTF-8"), "{e}");
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let c = scan(
            &[br#"{"data":{"keys":["\ud800","a\udc00","\ud800\ud800","\ud800x"]}}"#],
            10,
        )
        .unwrap();
        assert_eq!(
            c.sample,
            ["\u{fffd}", "a\u{fffd}", "\u{fffd}\u{fffd}", "\u{fffd}x"]
        );
    }

    /// A listing's memory is its sample and sub-directories, not its keys.
    #[test]
    fn a_long_listing_keeps_a_bounded_sample() {
        let mut s = ListScanner::new(2);
        s.feed(br#"{"data":{"keys":["#).unwrap();
        for i in 0..200_000 {
            s.feed(format!("\"lease-{i:06}\",").as_bytes()).unwrap();
        }
        s.feed(br#""sub/"]}}"#).unwrap();
        assert!(s.tally.kept.len() <= 64, "{}", s.tally.kept.len());
        assert!(s.text.capacity() < 1024);
        let c = s.finish().unwrap();
        assert_eq!(
            (c.leases, c.subdirs.as_slice()),
            (200_000, &["sub/".to_string()][..])
        );
        assert_eq!(c.sample[0], "lease-000000");
    }
}
