//! What a verb's status found, in one shape for every verb: a kind (each verb's own enum,
//! serialised to documented snake_case names), the pod or node it is about, a message, and
//! the command to run next. A triage pass can run every verb's status and read them alike
//! through [`Finding::erased`].

use serde::Serialize;

use crate::Exit;

/// A verb's kinds of finding.
pub trait Kind: Copy + Serialize {
    /// The documented name (`stale_peer`).
    fn as_str(self) -> &'static str;
}

impl Kind for &'static str {
    fn as_str(self) -> &'static str {
        self
    }
}

/// Declares a verb's finding kinds: the enum, its documented names, and [`Kind`].
#[macro_export]
macro_rules! finding_kinds {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)*
        }

        impl $crate::findings::Kind for $name {
            fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }
    };
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding<K> {
    pub kind: K,
    /// The pod or node it is about (`cluster` for the whole cluster).
    pub subject: String,
    pub message: String,
    /// What to run next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl<K: Kind> Finding<K> {
    pub fn new(kind: K, subject: &str, message: String, next: Option<String>) -> Finding<K> {
        Finding {
            kind,
            subject: subject.to_string(),
            message,
            next,
        }
    }

    /// The same finding with its kind as the documented name, to mix verbs' findings.
    pub fn erased(&self) -> Finding<&'static str> {
        Finding {
            kind: self.kind.as_str(),
            subject: self.subject.clone(),
            message: self.message.clone(),
            next: self.next.clone(),
        }
    }
}

/// Healthy when nothing was found, else the cluster needs attention.
pub fn exit<K>(findings: &[Finding<K>]) -> Exit {
    if findings.is_empty() {
        Exit::Healthy
    } else {
        Exit::Attention
    }
}

/// The findings as lines under the table: "No problems found.", or what needs attention
/// with the next command.
pub fn print<K: Kind>(findings: &[Finding<K>]) {
    if findings.is_empty() {
        println!("No problems found.");
        return;
    }
    println!("Needs attention:");
    for f in findings {
        match &f.next {
            Some(n) => println!("  - {}: {} → {n}", f.kind.as_str(), f.message),
            None => println!("  - {}: {}", f.kind.as_str(), f.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::finding_kinds! {
        enum Demo {
            StalePeer => "stale_peer",
        }
    }

    #[test]
    fn kinds_serialise_to_their_documented_names() {
        let f = Finding::new(Demo::StalePeer, "vault-3", "gone".into(), None);
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["kind"], "stale_peer");
        assert!(v.get("next").is_none());
        assert_eq!(f.erased().kind, "stale_peer");
        assert_eq!(exit(&[f]), Exit::Attention);
    }
}
