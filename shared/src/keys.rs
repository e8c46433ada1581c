//! Secret input: unseal key shares and Vault tokens.
//!
//! Shares come from a file (the JSON `vault operator init -format=json` writes, or one key per
//! line, base64 or hex), stdin, a Kubernetes Secret, or a no-echo prompt on the terminal —
//! never from argv or the environment. Tokens come from a file, `VAULT_TOKEN` (as the Vault
//! CLI reads it) or `~/.vault-token`. Both are held in zeroizing buffers, and anything that
//! names a share (errors, logs, JSON) uses its 1-based position in the input, never its value.

use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

/// A Shamir share of a 256-bit root key: 32 bytes plus the x-coordinate.
pub const SHARE_LEN: usize = 33;

/// The whole key of a Vault initialised with a single share (`-key-shares=1`), and some
/// recovery keys: not split, so no x-coordinate.
pub const WHOLE_KEY_LEN: usize = 32;

/// One unseal (or recovery) key share.
pub struct Share {
    /// 1-based position in the input, the only way the tool ever names a share.
    pub position: usize,
    bytes: Zeroizing<Vec<u8>>,
}

impl Share {
    /// The share in the form Vault's `sys/unseal` takes.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(self.bytes.as_slice()))
    }

    fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.bytes.as_slice()))
    }

    pub fn label(&self) -> String {
        format!("#{}", self.position)
    }
}

/// Checks that the shares have the length a Vault with `shares` key shares takes: the whole
/// 32-byte key with one share, 33-byte shares otherwise. Nothing is sent when they do not.
pub fn check_fit(given: &[Share], shares: u32) -> Result<(), String> {
    let want = if shares == 1 {
        WHOLE_KEY_LEN
    } else {
        SHARE_LEN
    };
    let misfits: Vec<String> = given
        .iter()
        .filter(|s| s.bytes.len() != want)
        .map(|s| format!("{} ({} bytes)", s.label(), s.bytes.len()))
        .collect();
    if misfits.is_empty() {
        return Ok(());
    }
    Err(format!(
        "key {} does not fit this Vault: it has {shares} key share(s), so each key is {want} bytes; nothing was sent",
        misfits.join(", ")
    ))
}

impl fmt::Debug for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Share(#{})", self.position)
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum KeyError {
    #[error("no unseal keys in {0}")]
    Empty(String),
    #[error("key #{pos} in {origin} is neither base64 nor hex")]
    Malformed { pos: usize, origin: String },
    #[error(
        "key #{pos} in {origin} is {len} bytes long; an unseal key share is {SHARE_LEN} bytes ({WHOLE_KEY_LEN} for a Vault with a single key share; was it copied whole?)"
    )]
    WrongLength {
        pos: usize,
        origin: String,
        len: usize,
    },
    #[error(
        "keys #{first} and #{second} in {origin} are the same share; each share may be given once"
    )]
    Duplicate {
        first: usize,
        second: usize,
        origin: String,
    },
    #[error(
        "{origin} is JSON but holds no unseal keys (expected unseal_keys_b64 or unseal_keys_hex)"
    )]
    JsonWithoutKeys { origin: String },
    #[error("{origin} is not valid JSON: {reason}")]
    BadJson { origin: String, reason: String },
}

fn decode(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let t = text.trim();
    let looks_hex = t.len().is_multiple_of(2) && t.chars().all(|c| c.is_ascii_hexdigit());
    if looks_hex && let Ok(b) = hex::decode(t) {
        return Some(Zeroizing::new(b));
    }
    base64::engine::general_purpose::STANDARD
        .decode(t)
        .ok()
        .map(Zeroizing::new)
}

/// Parses shares from text: an init JSON document, or one key per line (`#` comments allowed).
/// Rejects malformed keys, wrong lengths and duplicates before anything is sent.
pub fn parse(text: &str, origin: &str) -> Result<Vec<Share>, KeyError> {
    let trimmed = text.trim_start();
    let owned: Vec<Zeroizing<String>> = if trimmed.starts_with('{') {
        from_json(trimmed, origin)?
    } else {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| Zeroizing::new(l.to_string()))
            .collect()
    };
    if owned.is_empty() {
        return Err(KeyError::Empty(origin.to_string()));
    }
    let mut shares: Vec<Share> = Vec::with_capacity(owned.len());
    for (i, text) in owned.iter().enumerate() {
        let pos = i + 1;
        let bytes = decode(text).ok_or_else(|| KeyError::Malformed {
            pos,
            origin: origin.into(),
        })?;
        if bytes.len() != SHARE_LEN && bytes.len() != WHOLE_KEY_LEN {
            return Err(KeyError::WrongLength {
                pos,
                origin: origin.into(),
                len: bytes.len(),
            });
        }
        if let Some(dup) = shares.iter().find(|s| *s.bytes == *bytes) {
            return Err(KeyError::Duplicate {
                first: dup.position,
                second: pos,
                origin: origin.into(),
            });
        }
        shares.push(Share {
            position: pos,
            bytes,
        });
    }
    Ok(shares)
}

/// The key lists an init document may hold (what `vault operator init -format=json` writes,
/// or the sys/init API answer). Every list is moved into zeroizing strings as soon as it is
/// read, the ones not used too.
#[derive(serde::Deserialize)]
struct InitKeys {
    #[serde(default)]
    unseal_keys_b64: Option<Vec<String>>,
    #[serde(default)]
    unseal_keys_hex: Option<Vec<String>>,
    #[serde(default)]
    keys_base64: Option<Vec<String>>,
    #[serde(default)]
    keys: Option<Vec<String>>,
    #[serde(default)]
    recovery_keys_b64: Option<Vec<String>>,
    #[serde(default)]
    recovery_keys_hex: Option<Vec<String>>,
}

fn from_json(text: &str, origin: &str) -> Result<Vec<Zeroizing<String>>, KeyError> {
    let doc: InitKeys = serde_json::from_str(text).map_err(|e| KeyError::BadJson {
        origin: origin.into(),
        reason: format!("line {} column {}", e.line(), e.column()),
    })?;
    let secure = |v: Option<Vec<String>>| -> Vec<Zeroizing<String>> {
        v.unwrap_or_default()
            .into_iter()
            .map(Zeroizing::new)
            .collect()
    };
    // In order of preference.
    let lists = [
        secure(doc.unseal_keys_b64),
        secure(doc.unseal_keys_hex),
        secure(doc.keys_base64),
        secure(doc.keys),
        secure(doc.recovery_keys_b64),
        secure(doc.recovery_keys_hex),
    ];
    if let Some(list) = lists.into_iter().find(|l| !l.is_empty()) {
        return Ok(list);
    }
    Err(KeyError::JsonWithoutKeys {
        origin: origin.into(),
    })
}

/// Replaces every appearance of a share (base64 or hex) in `text` — a last guard on messages
/// that came from elsewhere.
pub fn redact(text: &str, shares: &[Share]) -> String {
    let mut out = text.to_string();
    for s in shares {
        for form in [s.to_base64(), s.to_hex()] {
            if out.contains(form.as_str()) {
                out = out.replace(form.as_str(), &format!("<share {}>", s.label()));
            }
        }
    }
    out
}

/// The largest secret file read: key and token files are a few KiB; anything larger is the
/// wrong file (a disk image, /dev/zero) and is refused before it is read.
pub const MAX_SECRET_FILE: u64 = 1024 * 1024;

/// Reads secret text from a file or from stdin (`-`), into a zeroizing buffer.
pub fn read_text(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    use anyhow::Context;
    use std::io::Read;
    let too_big = || {
        anyhow::anyhow!(
            "{} is larger than {} KiB: not a key or token file; nothing was read",
            path.display(),
            MAX_SECRET_FILE / 1024
        )
    };
    let len = std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    if len.is_some_and(|l| l > MAX_SECRET_FILE) {
        return Err(too_big());
    }
    // Sized up front: a growing buffer would leave unwiped copies behind as it reallocates.
    let size = len.map_or(64 * 1024, |l| l as usize + 1);
    let mut buf = Zeroizing::new(String::with_capacity(size));
    // A pipe or device has no size to check first: read at most one byte past the cap.
    let mut capped = |r: &mut dyn Read, what: &str| {
        r.take(MAX_SECRET_FILE + 1)
            .read_to_string(&mut buf)
            .with_context(|| what.to_string())
    };
    if path == Path::new("-") {
        capped(&mut std::io::stdin(), "read keys from stdin")?;
    } else {
        let mut f =
            std::fs::File::open(path).with_context(|| format!("read {}", path.display()))?;
        capped(&mut f, &format!("read {}", path.display()))?;
    }
    if buf.len() as u64 > MAX_SECRET_FILE {
        return Err(too_big());
    }
    Ok(buf)
}

/// Asks for shares on the terminal, without echo, until `needed` valid, distinct ones are in.
pub fn prompt(needed: usize, already: &[Share]) -> anyhow::Result<Vec<Share>> {
    let mut shares: Vec<Share> = Vec::new();
    let mut attempts = 0;
    while shares.len() < needed {
        attempts += 1;
        anyhow::ensure!(attempts <= needed + 5, "too many invalid keys entered");
        let n = shares.len() + 1;
        let entered = Zeroizing::new(
            rpassword::prompt_password(format!(
                "Unseal key share {n} of {needed} (input hidden): "
            ))
            .map_err(|e| anyhow::anyhow!("read a key from the terminal: {e}"))?,
        );
        let origin = "the prompt";
        match parse(&entered, origin) {
            Ok(mut one) if one.len() == 1 => {
                let mut share = one.remove(0);
                share.position = already.len() + n;
                if shares
                    .iter()
                    .chain(already)
                    .any(|s| *s.bytes == *share.bytes)
                {
                    eprintln!("That share was already entered; enter a different one.");
                    continue;
                }
                shares.push(share);
            }
            Ok(_) => eprintln!("Enter one key per prompt."),
            Err(e) => eprintln!("{e}"),
        }
    }
    Ok(shares)
}

/// A Secret's data, wiped when dropped (k8s-openapi's buffers are not zeroizing).
struct WipeOnDrop(std::collections::BTreeMap<String, k8s_openapi::ByteString>);

impl Drop for WipeOnDrop {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for v in self.0.values_mut() {
            v.0.zeroize();
        }
    }
}

/// Loads shares from `--keys-file` or `--keys-secret`; None when neither was given.
pub async fn load(
    args: &crate::cli::KeyArgs,
    kube: Option<&crate::cluster::Kube>,
) -> anyhow::Result<Option<Vec<Share>>> {
    if let Some(path) = &args.keys_file {
        let origin = if path == Path::new("-") {
            "stdin".to_string()
        } else {
            path.display().to_string()
        };
        let text = read_text(path)?;
        return Ok(Some(parse(&text, &origin)?));
    }
    let Some(spec) = &args.keys_secret else {
        return Ok(None);
    };
    let kube =
        kube.ok_or_else(|| anyhow::anyhow!("--keys-secret needs access to the Kubernetes API"))?;
    let (name, key) = match spec.split_once('/') {
        Some((n, k)) => (n, Some(k)),
        None => (spec.as_str(), None),
    };
    let secret = kube.secret(name).await?;
    let data = WipeOnDrop(secret.data.unwrap_or_default());
    let data = &data.0;
    let origin = format!("secret {name}");
    let text = match key {
        Some(k) => {
            let v = data.get(k).ok_or_else(|| {
                let keys: Vec<&str> = data.keys().map(String::as_str).collect();
                anyhow::anyhow!(
                    "secret {name} has no key {k:?} (it has: {})",
                    keys.join(", ")
                )
            })?;
            Zeroizing::new(
                String::from_utf8(v.0.clone())
                    .map_err(|_| anyhow::anyhow!("secret {name}/{k} is not text"))?,
            )
        }
        None if data.len() == 1 => {
            let v = data.values().next().expect("one value");
            Zeroizing::new(
                String::from_utf8(v.0.clone())
                    .map_err(|_| anyhow::anyhow!("secret {name} is not text"))?,
            )
        }
        None => {
            // One share per key, as tools like bank-vaults store them (vault-unseal-0, -1, …).
            let mut names: Vec<&String> = data.keys().filter(|k| k.contains("unseal")).collect();
            names.sort_by_key(|k| (k.len(), k.to_string()));
            if names.is_empty() {
                let keys: Vec<&str> = data.keys().map(String::as_str).collect();
                anyhow::bail!(
                    "secret {name} has several keys and none named *unseal*; name one with --keys-secret {name}/KEY (keys: {})",
                    keys.join(", ")
                );
            }
            let mut joined = Zeroizing::new(String::new());
            for k in names {
                let v = std::str::from_utf8(&data[k].0)
                    .map_err(|_| anyhow::anyhow!("secret {name}/{k} is not text"))?;
                joined.push_str(v.trim());
                joined.push('\n');
            }
            joined
        }
    };
    Ok(Some(parse(&text, &origin)?))
}

/// A Vault token, from `--token-file`, `VAULT_TOKEN`/`BAO_TOKEN`, or `~/.vault-token`.
#[derive(Clone)]
pub struct Token(SecretString);

impl Token {
    /// A token the verb itself obtained (a new cluster's root token), not read from a file.
    pub fn new(text: Zeroizing<String>) -> Token {
        Token(SecretString::from(text.trim().to_string()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Where the token was found, for messages.
pub fn token(file: Option<&Path>) -> anyhow::Result<Option<(Token, String)>> {
    let clean = |t: Zeroizing<String>| Token(SecretString::from(t.trim().to_string()));
    if let Some(path) = file {
        let text = read_text(path)?;
        anyhow::ensure!(
            !text.trim().is_empty(),
            "token file {} is empty",
            path.display()
        );
        return Ok(Some((
            clean(text),
            format!("--token-file {}", path.display()),
        )));
    }
    for var in ["VAULT_TOKEN", "BAO_TOKEN"] {
        if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            let t = Zeroizing::new(v.to_string_lossy().into_owned());
            return Ok(Some((clean(t), var.to_string())));
        }
    }
    if let Some(home) = std::env::var_os("HOME") {
        let path = PathBuf::from(home).join(".vault-token");
        if path.exists() {
            let text = read_text(&path)?;
            if !text.trim().is_empty() {
                return Ok(Some((clean(text), path.display().to_string())));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    #[test]
    fn secret_files_over_the_cap_are_refused_before_reading() {
        let dir = std::env::temp_dir().join(format!("keys-cap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big");
        let f = std::fs::File::create(&big).unwrap();
        // Sparse: a size past the cap without writing a byte of it.
        f.set_len(super::MAX_SECRET_FILE + 1).unwrap();
        let err = super::read_text(&big).unwrap_err().to_string();
        assert!(err.contains("larger than 1024 KiB"), "{err}");
        let small = dir.join("small");
        std::fs::write(&small, "abc").unwrap();
        assert_eq!(super::read_text(&small).unwrap().as_str(), "abc");
        // A device has no size: the read itself stops past the cap.
        let err = super::read_text(std::path::Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("larger than"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    use super::*;

    fn share(n: u8) -> String {
        base64::engine::general_purpose::STANDARD.encode([n; SHARE_LEN])
    }

    #[test]
    fn parses_init_json_and_lines() {
        let json = format!(
            r#"{{"unseal_keys_b64": ["{}", "{}"], "unseal_keys_hex": [], "root_token": "s.x"}}"#,
            share(1),
            share(2)
        );
        assert_eq!(parse(&json, "f").unwrap().len(), 2);
        let lines = format!(
            "# keys\n{}\n\n{}\n",
            share(1),
            hex::encode([3u8; SHARE_LEN])
        );
        let keys = parse(&lines, "f").unwrap();
        assert_eq!(keys[1].position, 2);
        assert_eq!(*keys[1].to_base64(), share(3));
    }

    #[test]
    fn rejects_bad_input_without_echoing_it() {
        let secret = share(7);
        let bad = format!("{secret}\nnot-a-key!!\n");
        let err = parse(&bad, "f").unwrap_err();
        assert_eq!(
            err,
            KeyError::Malformed {
                pos: 2,
                origin: "f".into()
            }
        );
        assert!(!err.to_string().contains(&secret));
        let short = base64::engine::general_purpose::STANDARD.encode([1u8; 16]);
        assert!(matches!(
            parse(&short, "f"),
            Err(KeyError::WrongLength { len: 16, .. })
        ));
        // The same share as base64 and as hex is still a duplicate.
        let dup = format!("{}\n{}\n", share(5), hex::encode([5u8; SHARE_LEN]));
        assert!(matches!(
            parse(&dup, "f"),
            Err(KeyError::Duplicate {
                first: 1,
                second: 2,
                ..
            })
        ));
        assert!(matches!(
            parse("\n# nothing\n", "f"),
            Err(KeyError::Empty(_))
        ));
        assert!(matches!(
            parse(r#"{"root_token": "s.x"}"#, "f"),
            Err(KeyError::JsonWithoutKeys { .. })
        ));
        assert!(matches!(
            parse("{ not json", "f"),
            Err(KeyError::BadJson { .. })
        ));
    }

    #[test]
    fn a_whole_key_fits_only_a_single_share_vault() {
        let whole = base64::engine::general_purpose::STANDARD.encode([4u8; WHOLE_KEY_LEN]);
        let keys = parse(&whole, "f").unwrap();
        assert!(check_fit(&keys, 1).is_ok());
        let err = check_fit(&keys, 5).unwrap_err();
        assert!(
            err.contains("#1 (32 bytes)") && err.contains("33 bytes"),
            "{err}"
        );
        let shares = parse(&format!("{}\n{}\n", share(1), share(2)), "f").unwrap();
        assert!(check_fit(&shares, 5).is_ok());
        assert!(check_fit(&shares, 1).is_err());
    }

    #[test]
    fn redacts_shares_in_any_form() {
        let keys = parse(&share(9), "f").unwrap();
        let msg = format!(
            "vault said {} and {}",
            share(9),
            hex::encode([9u8; SHARE_LEN])
        );
        let clean = redact(&msg, &keys);
        assert!(!clean.contains(&share(9)));
        assert_eq!(clean, "vault said <share #1> and <share #1>");
        assert_eq!(format!("{:?}", keys[0]), "Share(#1)");
    }
}
