//! The krew plugin manifest and the rules a manifest must pass before it goes to krew-index.
//!
//! The rules are krew's own (`krew:internal/index/validation/validate.go`, the checks of
//! `validate-krew-manifest` and what `krew install` needs), plus the suite's conventions
//! (../shared/reference/plugin-conventions.md §2). krew's validator is a Go program
//! (sigs.k8s.io/krew's `validate-krew-manifest`, which krew-index's CI runs) that no package
//! registry CI reaches ships, and krew-index publishes no schema; so the tests in this crate
//! apply the same rules, each marked with the krew check it follows, to the committed
//! templates and to the manifests that `scripts/package.sh` renders.

use serde::Deserialize;
use std::collections::BTreeMap;

pub const API_VERSION: &str = "krew.googlecontainertools.github.com/v1alpha2";

/// The platforms the suite ships, as krew `os`/`arch` and the Rust target the release
/// workflow builds it with.
pub const SUITE_PLATFORMS: [(&str, &str, &str); 5] = [
    ("linux", "amd64", "x86_64-unknown-linux-musl"),
    ("linux", "arm64", "aarch64-unknown-linux-musl"),
    ("darwin", "amd64", "x86_64-apple-darwin"),
    ("darwin", "arm64", "aarch64-apple-darwin"),
    ("windows", "amd64", "x86_64-pc-windows-msvc"),
];

/// Every `os/arch` pair krew knows (validate-krew-manifest's allPlatforms).
const KREW_PLATFORMS: [(&str, &str); 10] = [
    ("linux", "386"),
    ("linux", "amd64"),
    ("linux", "arm"),
    ("linux", "arm64"),
    ("linux", "ppc64le"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "386"),
    ("windows", "amd64"),
    ("windows", "arm64"),
];

/// Names Windows reserves; krew refuses them as plugin names (its windowsForbidden).
const WINDOWS_FORBIDDEN: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

// Missing fields deserialize as empty so that `validate` can name them; unknown fields are
// rejected (krew ignores them, which would hide a misspelt key).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Manifest {
    pub api_version: String,
    pub kind: String,
    pub metadata: Metadata,
    pub spec: Spec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Metadata {
    pub name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Spec {
    pub version: String,
    pub homepage: String,
    pub short_description: String,
    pub description: String,
    pub caveats: String,
    pub platforms: Vec<Platform>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Platform {
    pub selector: Selector,
    pub uri: String,
    pub sha256: String,
    pub files: Option<Vec<FileOp>>,
    pub bin: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Selector {
    pub match_labels: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileOp {
    pub from: String,
    pub to: String,
}

impl Platform {
    /// `os/arch` of the selector, for messages.
    pub fn os_arch(&self) -> String {
        let label = |k: &str| {
            self.selector
                .match_labels
                .get(k)
                .map_or("?", String::as_str)
        };
        format!("{}/{}", label("os"), label("arch"))
    }

    /// The names `krew install` leaves in the plugin's directory (direct moves, no globs).
    pub fn installed_files(&self) -> Vec<&str> {
        fn installed(op: &FileOp) -> &str {
            match op.to.as_str() {
                "." => op.from.rsplit('/').next().unwrap_or_default(),
                to => to,
            }
        }
        self.files.iter().flatten().map(installed).collect()
    }
}

pub fn parse(yaml: &str) -> Result<Manifest, String> {
    serde_saphyr::from_str(yaml).map_err(|e| format!("not a krew manifest: {e}"))
}

/// The executable krew links for a plugin (its `pluginNameToBin`):
/// `vault-unseal` → `kubectl-vault_unseal`.
pub fn plugin_bin(name: &str) -> String {
    format!("kubectl-{}", name.replace('-', "_"))
}

/// Every rule `manifest`, read from `<file_stem>.yaml`, breaks; empty when it is valid.
pub fn validate(file_stem: &str, manifest: &Manifest) -> Vec<String> {
    let mut errors = Vec::new();
    macro_rules! ensure {
        ($ok:expr, $($message:tt)+) => {
            if !$ok {
                errors.push(format!($($message)+));
            }
        };
    }
    let (name, spec) = (&manifest.metadata.name, &manifest.spec);
    let (api_version, kind) = (&manifest.api_version, &manifest.kind);

    // krew ValidatePlugin: isSupportedAPIVersion, then kind == PluginKind.
    ensure!(
        api_version == API_VERSION,
        "apiVersion is {api_version:?}, must be {API_VERSION:?}"
    );
    ensure!(kind == "Plugin", "kind is {kind:?}, must be \"Plugin\"");
    // krew ValidatePlugin: IsSafePluginName; validate-krew-manifest takes the name from the
    // file name, and metadata.name must equal it.
    ensure!(
        is_safe_plugin_name(file_stem),
        "plugin name {file_stem:?} must match ^[\\w-]+$ and not be a Windows device name"
    );
    ensure!(
        name == file_stem,
        "metadata.name is {name:?}, must equal the file name {file_stem:?}"
    );
    // krew ValidatePlugin: a version, and semver.Parse accepts it.
    let version = &spec.version;
    ensure!(
        is_krew_version(version),
        "spec.version {version:?} must be semver with a leading v"
    );
    // krew-index review (not krew's validator): a homepage to send users to, over https.
    let homepage = &spec.homepage;
    ensure!(
        homepage.starts_with("https://"),
        "spec.homepage {homepage:?} must be an https URL"
    );
    // krew ValidatePlugin: a short description without line breaks. The description is
    // krew-index's requirement (plugin criteria), not the validator's.
    let short = &spec.short_description;
    ensure!(!short.is_empty(), "spec.shortDescription must be set");
    ensure!(
        !short.contains(['\r', '\n']),
        "spec.shortDescription must be one line"
    );
    ensure!(
        !spec.description.trim().is_empty(),
        "spec.description must be set"
    );
    // validate-krew-manifest validateLineLength: warnings over 70 (shortDescription) and 80
    // (description, caveats) characters unless the line is one word; krew-index reviewers ask
    // to fix them, so here they fail.
    for (field, text, max) in [
        ("shortDescription", short, 70),
        ("description", &spec.description, 80),
        ("caveats", &spec.caveats, 80),
    ] {
        for line in text
            .lines()
            .filter(|l| l.len() > max && l.trim().contains(' '))
        {
            ensure!(
                false,
                "spec.{field} has a line over {max} characters: {line:?}"
            );
        }
    }
    // krew ValidatePlugin: at least one platform.
    ensure!(
        !spec.platforms.is_empty(),
        "spec.platforms must list at least one platform"
    );

    let bin = plugin_bin(name);
    let mut seen = Vec::new();
    for (i, platform) in spec.platforms.iter().enumerate() {
        let at = format!("spec.platforms[{i}] ({})", platform.os_arch());
        // krew validateSelector: only os and arch keys. Both set (stricter than krew, which
        // takes any selector matching some platform) so each entry is one os/arch pair.
        let labels = &platform.selector.match_labels;
        let unsupported: Vec<_> = labels
            .keys()
            .filter(|k| *k != "os" && *k != "arch")
            .collect();
        ensure!(
            unsupported.is_empty(),
            "{at}: selector keys {unsupported:?} not supported, only os and arch"
        );
        if let (Some(os), Some(arch)) = (labels.get("os"), labels.get("arch")) {
            let pair = (os.as_str(), arch.as_str());
            // validate-krew-manifest findAnyMatchingPlatform (a supported platform) and
            // isOverlappingPlatformSelectors (no os/arch selected twice).
            ensure!(
                KREW_PLATFORMS.contains(&pair),
                "{at}: {os}/{arch} is not a platform krew supports"
            );
            ensure!(
                !seen.contains(&pair),
                "{at}: a second entry for {os}/{arch}"
            );
            seen.push(pair);
        } else {
            ensure!(false, "{at}: selector.matchLabels must set os and arch");
        }
        // krew validatePlatform: uri and sha256 set, sha256 matching ^[a-f0-9]{64}$.
        let (uri, sha256) = (&platform.uri, &platform.sha256);
        ensure!(!uri.is_empty(), "{at}: uri must be set");
        ensure!(
            is_sha256(sha256),
            "{at}: sha256 {sha256:?} must match ^[a-f0-9]{{64}}$"
        );
        // krew validatePlatform: bin set; krew links it as kubectl-<name with _ for ->
        // (pluginNameToBin), so it must be that name.
        // Windows executables carry `.exe`, as krew's own names for them do.
        let windows = labels.get("os").map(String::as_str) == Some("windows");
        let bin = if windows {
            format!("{bin}.exe")
        } else {
            bin.clone()
        };
        let platform_bin = &platform.bin;
        ensure!(
            *platform_bin == bin,
            "{at}: bin is {platform_bin:?}, must be {bin:?} for plugin {name:?}"
        );
        // krew validateFiles: every entry has from and to. krew allows no files at all; the
        // suite always lists them (the bin and LICENSE).
        let ops = platform.files.as_deref().unwrap_or_default();
        ensure!(!ops.is_empty(), "{at}: files must list what to install");
        for FileOp { from, to } in ops {
            ensure!(
                !from.is_empty() && !to.is_empty(),
                "{at}: files entry needs from and to"
            );
            // krew install refuses a `to` outside the plugin's directory.
            ensure!(
                is_clean_relative(to),
                "{at}: files to {to:?} must be a clean relative path"
            );
        }
        // validate-krew-manifest installs each platform, and validateLicenseFileExists wants
        // a LICENSE (or alike) extracted; the bin must be among what is installed.
        let installed = platform.installed_files();
        ensure!(
            installed.contains(&bin.as_str()),
            "{at}: files do not install the bin {bin:?}"
        );
        ensure!(
            installed.contains(&"LICENSE"),
            "{at}: files must install LICENSE"
        );
    }
    errors
}

fn is_safe_plugin_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !WINDOWS_FORBIDDEN
            .iter()
            .any(|w| w.eq_ignore_ascii_case(name))
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// krew's semver: a leading `v`, then MAJOR.MINOR.PATCH without leading zeros, then an
/// optional `-prerelease` and `+build` made of `[0-9A-Za-z-.]`.
fn is_krew_version(v: &str) -> bool {
    let Some(v) = v.strip_prefix('v') else {
        return false;
    };
    let (core, suffix) = v.split_at(v.find(['-', '+']).unwrap_or(v.len()));
    let number = |p: &str| {
        !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (p == "0" || !p.starts_with('0'))
    };
    let parts: Vec<_> = core.split('.').collect();
    let suffix_ok = suffix.split(['-', '+']).skip(1).all(|id| {
        id.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    });
    parts.len() == 3 && parts.iter().all(|p| number(p)) && suffix_ok
}

/// `to` as krew accepts it: equal to its `filepath.Clean` form and inside the install dir.
fn is_clean_relative(path: &str) -> bool {
    path == "."
        || (!path.starts_with('/') && path.split('/').all(|seg| !matches!(seg, "" | "." | "..")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "6968eb7a6e3b6a2e58e4f5b5f8a4c0c3bb3d4a9a29c5b3a1e5d0f3c2b1a09876";

    fn manifest(name: &str, platforms: &[(&str, &str, &str)]) -> String {
        let mut yaml = format!(
            "apiVersion: {API_VERSION}\nkind: Plugin\nmetadata:\n  name: {name}\nspec:\n  \
             version: v0.1.0\n  homepage: https://github.com/kubectl-vault/kubectl-vault\n  \
             shortDescription: Unseal every Vault pod\n  description: Unseals Vault pods.\n  \
             platforms:\n"
        );
        for (os, arch, sha) in platforms {
            yaml += &format!(
                "  - selector:\n      matchLabels: {{os: {os}, arch: {arch}}}\n    \
                 uri: https://example.com/a.tar.gz\n    sha256: {sha}\n    files:\n    \
                 - {{from: kubectl-vault_unseal, to: .}}\n    - {{from: LICENSE, to: .}}\n    \
                 bin: kubectl-vault_unseal\n"
            );
        }
        yaml
    }

    fn errors(stem: &str, yaml: &str) -> Vec<String> {
        validate(stem, &parse(yaml).expect("parses"))
    }

    #[test]
    fn a_valid_manifest_passes() {
        let yaml = manifest(
            "vault-unseal",
            &[("linux", "amd64", SHA), ("darwin", "arm64", SHA)],
        );
        assert_eq!(errors("vault-unseal", &yaml), Vec::<String>::new());
    }

    #[test]
    fn a_broken_manifest_is_rejected_with_clear_messages() {
        let upper = SHA.to_uppercase();
        let yaml = manifest(
            "vault-unsealer",
            &[("linux", "amd64", SHA), ("linux", "amd64", &upper)],
        );
        let errors = errors("vault-unseal", &yaml);
        let expected = [
            r#"metadata.name is "vault-unsealer", must equal the file name "vault-unseal""#,
            "spec.platforms[1] (linux/amd64): a second entry for linux/amd64",
            &format!(
                r#"spec.platforms[1] (linux/amd64): sha256 "{upper}" must match ^[a-f0-9]{{64}}$"#
            ),
            // The name is wrong, so the bin the files install is wrong for it too.
            r#"spec.platforms[0] (linux/amd64): bin is "kubectl-vault_unseal", must be "kubectl-vault_unsealer" for plugin "vault-unsealer""#,
        ];
        for message in expected {
            assert!(
                errors.iter().any(|e| e == message),
                "missing {message:?} in {errors:#?}"
            );
        }
    }

    #[test]
    fn selectors_versions_and_unknown_fields() {
        let yaml = manifest("vault-unseal", &[("linux", "sparc", SHA)])
            .replace("v0.1.0", "0.1")
            .replace(
                "{os: linux, arch: sparc}",
                "{os: linux, arch: sparc, distro: x}",
            );
        let errors = errors("vault-unseal", &yaml);
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert!(errors[0].contains("spec.version \"0.1\" must be semver"));
        assert!(errors[1].contains(r#"selector keys ["distro"] not supported"#));
        assert!(errors[2].contains("linux/sparc is not a platform krew supports"));

        let typo = manifest("vault-unseal", &[]).replace("shortDescription", "shortDescripton");
        assert!(parse(&typo).unwrap_err().contains("shortDescripton"));
    }

    #[test]
    fn krew_versions_and_names() {
        for ok in ["v0.1.0", "v1.20.3", "v1.0.0-rc.1", "v1.0.0+build.5"] {
            assert!(is_krew_version(ok), "{ok}");
        }
        for bad in [
            "0.1.0",
            "v1.0",
            "v01.0.0",
            "v1.0.0-",
            "v1.2.3.4",
            "{{ .TagName }}",
        ] {
            assert!(!is_krew_version(bad), "{bad}");
        }
        assert!(is_safe_plugin_name("vault-unseal"));
        assert!(!is_safe_plugin_name("vault unseal") && !is_safe_plugin_name("nul"));
        assert_eq!(plugin_bin("vault-unseal"), "kubectl-vault_unseal");
    }
}
