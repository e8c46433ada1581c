//! The leaked credential a run is about: a token (from a file, never argv) or its accessor
//! (not a secret: it can only look the token up or revoke it). A file must hold exactly one.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Args;
use vault_shared::keys;
use zeroize::Zeroizing;

/// Which leaked token a command is about.
#[derive(Args, Debug, Clone, Default)]
#[group(multiple = false)]
pub struct CredentialArgs {
    /// File holding the leaked token, one line (`-` for stdin). Not --token-file: that is
    /// your own token.
    #[arg(long, value_name = "PATH")]
    pub leaked_token_file: Option<PathBuf>,
    /// File holding the leaked token's accessor, one line.
    #[arg(long, value_name = "PATH")]
    pub accessor_file: Option<PathBuf>,
    /// The leaked token's accessor.
    #[arg(long, value_name = "ACCESSOR")]
    pub accessor: Option<String>,
}

#[derive(Clone)]
pub enum Credential {
    Token(Zeroizing<String>),
    Accessor(String),
}

impl CredentialArgs {
    pub fn given(&self) -> bool {
        self.leaked_token_file.is_some() || self.accessor_file.is_some() || self.accessor.is_some()
    }

    /// The credential named, checked before anything is sent; None when none is named.
    pub fn load(&self) -> Result<Option<Credential>> {
        if let Some(p) = &self.leaked_token_file {
            return Ok(Some(Credential::Token(one_value(p, "token")?)));
        }
        if let Some(p) = &self.accessor_file {
            let a = one_value(p, "accessor")?;
            return Ok(Some(Credential::Accessor(a.to_string())));
        }
        if let Some(a) = &self.accessor {
            if !well_formed(a) {
                bail!("--accessor: not an accessor (letters, digits, '.', '_' and '-' only)");
            }
            return Ok(Some(Credential::Accessor(a.clone())));
        }
        Ok(None)
    }
}

/// Tokens and accessors are made of these; anything else is the wrong file.
fn well_formed(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 512
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The one non-empty line of `path`; the error never quotes the file.
fn one_value(path: &Path, what: &str) -> Result<Zeroizing<String>> {
    let text = keys::read_text(path)?;
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    match lines.as_slice() {
        [one] if well_formed(one) => Ok(Zeroizing::new(one.to_string())),
        [_] => bail!(
            "{}: not a {what} (letters, digits, '.', '_' and '-' only); nothing was done",
            path.display()
        ),
        [] => bail!(
            "{}: empty: expected one {what}; nothing was done",
            path.display()
        ),
        more => bail!(
            "{}: {} lines: expected exactly one {what}; nothing was done",
            path.display(),
            more.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_holds_exactly_one_well_formed_value() {
        let dir = std::env::temp_dir().join(format!("revoke-cred-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let ok = file("ok", "\ns.abcDEF123-_.x\n\n");
        assert_eq!(one_value(&ok, "token").unwrap().as_str(), "s.abcDEF123-_.x");
        let two = file("two", "s.one\ns.two\n");
        let err = one_value(&two, "token").unwrap_err().to_string();
        assert!(err.contains("2 lines") && !err.contains("s.one"), "{err}");
        let bad = file("bad", "s.one two\n");
        let err = one_value(&bad, "token").unwrap_err().to_string();
        assert!(
            err.contains("not a token") && !err.contains("s.one"),
            "{err}"
        );
        assert!(one_value(&file("empty", "\n"), "token").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
