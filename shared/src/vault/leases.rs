//! Leases: listing the lease tree (`sys/leases/lookup/…`), one lease's times, revoking (one
//! lease, a prefix, or a prefix by force), tidying, and the token's own capabilities.
//!
//! Lease listing and prefix revocation need a `sudo` token. Every call goes to the active node:
//! a standby redirects some of them, which fails over a port-forward.

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use super::list_scan::LeaseDirCount;
use super::list_scan::ListScanner;
use super::{Body, ErrorKind, VaultClient, VaultError};

/// One lease's times, from `sys/leases/lookup`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LeaseInfo {
    pub id: String,
    #[serde(default)]
    pub issue_time: Option<String>,
    #[serde(default)]
    pub expire_time: Option<String>,
    /// Seconds left.
    #[serde(default)]
    pub ttl: i64,
    #[serde(default)]
    pub renewable: bool,
}

/// The path a lease lives under, as `sys/leases/lookup/<prefix>` wants it: no leading slash,
/// one trailing slash (the empty prefix is the root of the tree).
pub fn lease_dir(prefix: &str) -> String {
    let p = prefix.trim_matches('/');
    if p.is_empty() {
        String::new()
    } else {
        format!("{p}/")
    }
}

impl VaultClient {
    /// A second client for the same node with the same token, on a connection of its own:
    /// one client sends one request at a time, so concurrent walks take several.
    pub fn another_connection(&self) -> VaultClient {
        VaultClient::new(self.target.clone(), self.connector.clone(), self.timeout)
            .with_token(self.token.clone())
            .with_redirects(self.redirects.clone())
    }

    /// The keys directly under `prefix`: sub-prefixes end in `/`, the rest are lease IDs
    /// relative to `prefix`. An empty or unknown prefix is an empty list (Vault answers 404).
    pub async fn list_leases(&self, prefix: &str) -> Result<Vec<String>, VaultError> {
        let path = format!("sys/leases/lookup/{}", lease_dir(prefix));
        self.list_keys(&path).await
    }

    /// One directory of the lease tree, counted as its LIST answer streams in: the answer
    /// (every key of the directory in one JSON body) is never held whole, nor are its lease
    /// IDs, so memory stays the same whatever the number of leases. `sample` lease IDs,
    /// spread over the listing, are kept for expiry lookups. An empty or unknown prefix has
    /// no leases (Vault answers 404).
    pub async fn count_lease_dir(
        &self,
        prefix: &str,
        sample: usize,
    ) -> Result<LeaseDirCount, VaultError> {
        let path = format!("sys/leases/lookup/{}", lease_dir(prefix));
        let mut scan = ListScanner::new(sample);
        let bad = |e: super::list_scan::ScanError| VaultError::Protocol {
            target: self.target.clone(),
            status: 200,
            message: format!("{path}: not a LIST answer ({e}; is this a Vault server?)"),
        };
        let list = Method::from_bytes(b"LIST").expect("LIST is a method");
        // Each chunk is counted as soon as it arrives, on this task: the connection is read
        // only as fast as it is counted, so no buffer fills up with the answer.
        let streamed = tokio::time::timeout(
            self.timeout,
            self.stream(list, &path, self.timeout, async |chunk| {
                scan.feed(&chunk).map_err(bad)
            }),
        )
        .await
        .map_err(|_| self.timed_out(self.timeout))?;
        match streamed {
            Ok(0) => Err(self.redirected(&path)),
            Ok(_) => scan.finish().map_err(bad),
            Err(e) if e.kind() == ErrorKind::NotFound && e.errors().is_empty() => {
                Ok(LeaseDirCount::default())
            }
            Err(e) => Err(e),
        }
    }

    /// One lease's issue and expiry times.
    pub async fn lookup_lease(&self, lease_id: &str) -> Result<LeaseInfo, VaultError> {
        self.data(
            Method::PUT,
            "sys/leases/lookup",
            Body::Json(json!({ "lease_id": lease_id })),
        )
        .await
    }

    /// Revokes one lease (and, for a token lease, the token).
    pub async fn revoke_lease(&self, lease_id: &str) -> Result<(), VaultError> {
        self.lease_write("sys/leases/revoke".into(), json!({ "lease_id": lease_id }))
            .await
    }

    /// Revokes every lease under `prefix` in one request (Vault reads a prefix without its
    /// trailing slash as a directory, or as one lease ID when one matches exactly; it works through them before it
    /// answers: large prefixes run into client and proxy timeouts).
    pub async fn revoke_prefix(&self, prefix: &str) -> Result<(), VaultError> {
        self.lease_write(
            format!("sys/leases/revoke-prefix/{}", prefix.trim_matches('/')),
            json!({}),
        )
        .await
    }

    /// Deletes every lease under `prefix` from storage, whatever the backend says: secrets
    /// the backend could not revoke stay valid where they live.
    pub async fn revoke_force(&self, prefix: &str) -> Result<(), VaultError> {
        self.lease_write(
            format!("sys/leases/revoke-force/{}", prefix.trim_matches('/')),
            json!({}),
        )
        .await
    }

    /// The token's own capabilities on each of `paths` (`sys/capabilities-self`), so a
    /// command can refuse before its first change instead of failing half-way.
    pub async fn capabilities_self(
        &self,
        paths: &[String],
    ) -> Result<Vec<Vec<String>>, VaultError> {
        let v: Value = self
            .data(
                Method::POST,
                "sys/capabilities-self",
                Body::Json(json!({ "paths": paths })),
            )
            .await?;
        Ok(paths
            .iter()
            .map(|p| {
                v[p.as_str()]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.as_str().map(str::to_string))
                    .collect()
            })
            .collect())
    }

    /// Starts the lease tidy (it runs in the background on the active node).
    pub async fn tidy_leases(&self) -> Result<(), VaultError> {
        self.lease_write("sys/leases/tidy".into(), json!({})).await
    }

    async fn lease_write(&self, path: String, body: Value) -> Result<(), VaultError> {
        self.no_content(Method::PUT, &path, Body::Json(body)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lease_dirs_have_one_trailing_slash() {
        assert_eq!(lease_dir(""), "");
        assert_eq!(lease_dir("/"), "");
        assert_eq!(lease_dir("auth/token/create/a"), "auth/token/create/a/");
        assert_eq!(lease_dir("/auth/token/"), "auth/token/");
    }

    /// Counts `body` fed to the scanner in pieces of `piece` bytes.
    fn count_in_pieces(
        body: &str,
        piece: usize,
        sample: usize,
    ) -> Result<LeaseDirCount, super::super::list_scan::ScanError> {
        let mut scan = ListScanner::new(sample);
        for c in body.as_bytes().chunks(piece) {
            scan.feed(c)?;
        }
        scan.finish()
    }

    #[test]
    fn a_listing_is_counted_whatever_the_chunks() {
        let body = r#"{"request_id":"x","lease_id":"","data":{"keys":["a1","b\"2","ro/","c\u0033","d\/","rw/"],"x":[1]},"wrap_info":null,"warnings":null}"#;
        for piece in [1, 2, 3, 7, body.len()] {
            let c = count_in_pieces(body, piece, 2).unwrap();
            assert_eq!(c.leases, 3, "pieces of {piece}");
            // An escaped slash ends a key as a plain one does.
            assert_eq!(c.subdirs, ["ro/", "d/", "rw/"], "pieces of {piece}");
            assert_eq!(c.sample, ["a1", "b\"2"], "pieces of {piece}");
        }
    }

    #[test]
    fn empty_listings_have_no_leases() {
        for body in [
            r#"{"data":{"keys":[]}}"#,
            r#"{"data":null}"#,
            r#"{"data":{}}"#,
            r#"{"errors":[]}"#,
        ] {
            assert_eq!(
                count_in_pieces(body, 4, 2).unwrap(),
                LeaseDirCount::default()
            );
        }
    }

    #[test]
    fn a_malformed_listing_is_an_error() {
        let err = |body: &str| count_in_pieces(body, 5, 2).unwrap_err().to_string();
        assert!(err(r#"{"data":{"keys":["a","b"#).contains("EOF"));
        assert!(err(r#"{"data":{"keys":["a",2]}}"#).contains("expected a key (a string)"));
        assert!(err(r#"{"data":{"keys":"a"}}"#).contains("expected an array of keys"));
        assert!(err("<html>bad gateway</html>").contains("expected value"));
        assert!(err(r#"{"data":{"keys":[]}} trailing"#).contains("trailing"));
    }

    #[test]
    fn the_sample_is_spread_over_the_listing() {
        let keys: Vec<String> = (0..1000).map(|i| format!("\"k{i:04}\"")).collect();
        let body = format!(r#"{{"data":{{"keys":[{}]}}}}"#, keys.join(","));
        let c = count_in_pieces(&body, 4096, 4).unwrap();
        assert_eq!(c.leases, 1000);
        let at: Vec<u64> = c.sample.iter().map(|k| k[1..].parse().unwrap()).collect();
        // At or just before each quarter of the listing, as at most 64 IDs are kept.
        assert_eq!(at.len(), 4);
        for (k, i) in at.iter().enumerate() {
            let ideal = k as u64 * 250;
            assert!(*i <= ideal && ideal - i < 32, "{at:?}");
        }
        // A short listing samples exactly where a full one would: every 5th of 10.
        let body = r#"{"data":{"keys":["a","b","c","d","e","f","g","h","i","j"]}}"#;
        assert_eq!(count_in_pieces(body, 3, 2).unwrap().sample, ["a", "f"]);
        assert_eq!(
            count_in_pieces(body, 3, 0).unwrap().sample,
            Vec::<String>::new()
        );
    }

    /// Through HTTP: a long listing arrives in many frames; Vault's bare 404 is an empty
    /// directory; a refusal stays an error; an answer that is not Vault's says so.
    #[tokio::test]
    async fn count_lease_dir_reads_vault_answers() {
        let keys: Vec<String> = (0..20_000).map(|i| format!("\"lease-{i:05}\"")).collect();
        let long = format!(r#"{{"data":{{"keys":["sub/",{}]}}}}"#, keys.join(","));
        let answers: Vec<(u16, String)> = vec![
            (200, long),
            (404, r#"{"errors":[]}"#.into()),
            (403, r#"{"errors":["permission denied"]}"#.into()),
            (200, "<html>not vault</html>".into()),
        ];
        let mut clients = Vec::new();
        for (status, body) in answers {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
                .await
                .unwrap();
            let addr = listener.local_addr().unwrap();
            super::super::tests::server(listener, move || {
                http::Response::builder()
                    .status(status)
                    .body(http_body_util::Full::new(bytes::Bytes::from(body.clone())))
                    .unwrap()
            })
            .await;
            let args = crate::cli::VaultArgs::default();
            let connector =
                crate::transport::Connector::direct(&format!("http://{addr}"), &args).unwrap();
            clients.push(VaultClient::new(
                "vault-0",
                connector,
                std::time::Duration::from_secs(10),
            ));
        }
        let c = clients[0]
            .count_lease_dir("auth/token/create/ci", 2)
            .await
            .unwrap();
        assert_eq!(
            (c.leases, c.subdirs.as_slice()),
            (20_000, &["sub/".to_string()][..])
        );
        // The first listed, and one at or a little before the middle.
        assert_eq!(c.sample.len(), 2);
        assert_eq!(c.sample[0], "lease-00000");
        assert!(
            ("lease-09000".."lease-10001").contains(&c.sample[1].as_str()),
            "{c:?}"
        );
        let none = clients[1].count_lease_dir("nothing/here", 2).await.unwrap();
        assert_eq!(none, LeaseDirCount::default());
        let denied = clients[2].count_lease_dir("", 2).await.unwrap_err();
        assert_eq!(denied.kind(), ErrorKind::PermissionDenied, "{denied}");
        let odd = clients[3]
            .count_lease_dir("", 2)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            odd.contains("not a LIST answer") && odd.contains("sys/leases/lookup/"),
            "{odd}"
        );
    }
}
