//! What a token's capabilities (`sys/capabilities-self`) allow.

/// Whether `caps` (a path's capabilities) allow `needed` (`root` allows everything).
pub fn allows(caps: &[String], needed: &str) -> bool {
    caps.iter().any(|c| c == "root" || c == needed) && !caps.iter().any(|c| c == "deny")
}

#[cfg(test)]
mod tests {
    use super::allows;

    #[test]
    fn root_allows_and_deny_wins() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(allows(&v(&["root"]), "update"));
        assert!(allows(&v(&["read", "update"]), "update"));
        assert!(!allows(&v(&["read"]), "update"));
        assert!(!allows(&v(&["deny"]), "read"));
    }
}
