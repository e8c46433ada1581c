//! The krew distribution: the committed manifest templates, and the archives and manifests
//! `scripts/package.sh` makes from built executables, checked by krew's rules.

use packaging_tests::{Manifest, SUITE_PLATFORMS, parse, plugin_bin, validate};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const RELEASES: &str = "https://github.com/kubectl-vault/kubectl-vault/releases/download";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `(plugin name, template text)` for every file in krew-manifests/.
fn templates() -> Vec<(String, String)> {
    let mut templates: Vec<_> = fs::read_dir(root().join("krew-manifests"))
        .expect("krew-manifests/ exists")
        .map(|entry| entry.unwrap().path())
        .map(|path| {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            assert_eq!(
                path.extension().unwrap(),
                "yaml",
                "{path:?}: krew wants .yaml"
            );
            (stem, fs::read_to_string(&path).unwrap())
        })
        .collect();
    templates.sort();
    let names: Vec<_> = templates.iter().map(|(name, _)| name.as_str()).collect();
    for plugin in [
        "vault-unseal",
        "vault-raft",
        "vault-leases",
        "vault-certs",
        "vault-auth",
        "vault-revoke",
        "vault-reinit",
    ] {
        assert!(names.contains(&plugin), "no krew-manifests/{plugin}.yaml");
    }
    templates
}

/// Renders a template as krew-release-bot does, with `sha` standing for every archive's sum:
/// `{{ .TagName }}` becomes `tag`, `{{addURIAndSha "URL" .TagName}}` becomes
/// `uri: URL\n    sha256: SHA` (the bot's fixed 4-space indent). Any other expression fails.
fn render(template: &str, tag: &str, sha: &str) -> String {
    let mut out = String::new();
    for line in template.lines() {
        let line = line.replace("{{ .TagName }}", tag);
        let expr = line.trim_start();
        let line = match expr.strip_prefix("{{addURIAndSha \"") {
            Some(rest) => {
                let url = rest
                    .strip_suffix("\" .TagName}}")
                    .expect("addURIAndSha \"URL\" .TagName");
                line.replace(expr, &format!("uri: {url}\n    sha256: {sha}"))
            }
            None => line,
        };
        assert!(
            !line.contains("{{"),
            "unsupported template expression: {line}"
        );
        out += &line;
        out.push('\n');
    }
    out
}

fn manifest(name: &str, yaml: &str) -> Manifest {
    let manifest = parse(yaml).unwrap_or_else(|e| panic!("{name}: {e}\n{yaml}"));
    let errors = validate(name, &manifest);
    assert!(
        errors.is_empty(),
        "{name}.yaml breaks krew's rules:\n  {}",
        errors.join("\n  ")
    );
    manifest
}

/// The release archive of one plugin for one platform.
fn archive_url(tag: &str, name: &str, os: &str, arch: &str) -> String {
    format!("{RELEASES}/{tag}/kubectl-{name}-{tag}-{os}-{arch}.tar.gz")
}

#[test]
fn templates_render_to_valid_manifests_for_every_platform() {
    let placeholder = "f".repeat(64);
    for (name, template) in templates() {
        let m = manifest(&name, &render(&template, "v9.8.7", &placeholder));
        assert_eq!(
            m.spec.version, "v9.8.7",
            "{name}: spec.version must be \"{{{{ .TagName }}}}\""
        );
        assert_eq!(
            m.spec.homepage,
            "https://github.com/kubectl-vault/kubectl-vault"
        );
        let described =
            m.spec.description.contains("vault-login") && m.spec.description.contains("KubeVault");
        assert!(
            described,
            "{name}: description must set it apart from vault-login and KubeVault"
        );

        let platforms: Vec<_> = m.spec.platforms.iter().map(|p| (p.os_arch(), p)).collect();
        assert_eq!(
            platforms.len(),
            SUITE_PLATFORMS.len(),
            "{name}: one entry per platform"
        );
        for (os, arch, _) in SUITE_PLATFORMS {
            let at = format!("{name}: {os}/{arch}");
            let (_, p) = platforms
                .iter()
                .find(|(pair, _)| *pair == format!("{os}/{arch}"))
                .unwrap_or_else(|| panic!("{at}: missing"));
            assert_eq!(
                p.uri,
                archive_url("v9.8.7", &name, os, arch),
                "{at}: wrong archive"
            );
            let exe = if os == "windows" { ".exe" } else { "" };
            assert_eq!(p.bin, format!("{}{exe}", plugin_bin(&name)), "{at}: bin");
            assert_eq!(
                p.sha256, placeholder,
                "{at}: sha256 must come from addURIAndSha"
            );
        }

        // Every plugin has a completion helper in completions/, and it ships with the plugin
        // (a shell script: not on Windows).
        let helper = plugin_bin(&name).replacen("kubectl-", "kubectl_complete-", 1);
        assert!(
            root().join("completions").join(&helper).exists(),
            "{name}: no completions/{helper}"
        );
        for (pair, p) in platforms
            .iter()
            .filter(|(pair, _)| !pair.starts_with("windows"))
        {
            let ships = p.files.iter().flatten().any(|f| f.from == helper);
            assert!(ships, "{name}: {pair}: files must install {helper}");
        }
    }
}

/// Small executables standing in for the plugins: this test is about packaging.
fn fake_binaries(dir: &Path, label: &str) {
    use std::os::unix::fs::PermissionsExt;
    fs::create_dir_all(dir).unwrap();
    for (name, _) in templates() {
        let path = dir.join(plugin_bin(&name));
        fs::write(&path, format!("#!/bin/sh\necho {label} {name}\n")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

fn package(tag: &str, bin_dir: &Path, out_dir: &Path) -> std::process::Output {
    Command::new(root().join("scripts/package.sh"))
        .args([Path::new(tag), bin_dir, out_dir])
        .current_dir(root())
        .output()
        .expect("runs scripts/package.sh")
}

fn run_ok(output: std::process::Output, what: &str) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{stderr}",
        output.status
    );
    String::from_utf8(output.stdout).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn host_platform() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        os => os,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        arch => arch,
    };
    (os, arch)
}

#[test]
fn package_sh_builds_archives_and_renders_valid_manifests() {
    let tag = "v0.1.0";
    let tmp = scratch("package-sh");
    let dist = tmp.join("dist");
    // A cross build lands in target/<rust-target>/release; a host build anywhere else.
    let cross = tmp.join("target/aarch64-apple-darwin/release");
    fake_binaries(&cross, "darwin-arm64");
    fake_binaries(&tmp.join("bin"), "host");
    run_ok(
        package(tag, &cross, &dist),
        "package.sh (aarch64-apple-darwin)",
    );
    run_ok(package(tag, &tmp.join("bin"), &dist), "package.sh (host)");

    let (host_os, host_arch) = host_platform();
    let mut expected = vec![format!("{host_os}/{host_arch}"), "darwin/arm64".to_string()];
    expected.sort();
    let mut archive_shas = Vec::new();
    for (name, _) in templates() {
        let rendered = fs::read_to_string(dist.join(format!("{name}.yaml")))
            .unwrap_or_else(|e| panic!("dist/{name}.yaml: {e}"));
        let m = manifest(&name, &rendered);
        assert_eq!(m.spec.version, tag);
        let mut pairs: Vec<_> = m.spec.platforms.iter().map(|p| p.os_arch()).collect();
        pairs.sort();
        assert_eq!(
            pairs, expected,
            "{name}: only platforms with an archive are listed"
        );

        for p in &m.spec.platforms {
            let at = format!("{name}: {}", p.os_arch());
            let file = p.uri.rsplit('/').next().unwrap();
            assert_eq!(p.uri, format!("{RELEASES}/{tag}/{file}"), "{at}: uri");
            let archive = dist.join(file);
            let bytes = fs::read(&archive).unwrap_or_else(|e| panic!("{at}: {archive:?}: {e}"));
            let sha: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(p.sha256, sha, "{at}: sha256 is not the sum of {file}");
            archive_shas.push((file.to_string(), sha));

            let listing = run_ok(
                Command::new("tar")
                    .arg("tvzf")
                    .arg(&archive)
                    .output()
                    .unwrap(),
                "tar tvzf",
            );
            // "-rwxr-xr-x user/group size date time path"
            let entry = |path: &str| listing.lines().find(|l| l.ends_with(&format!(" {path}")));
            for op in p.files.iter().flatten() {
                assert!(
                    entry(&op.from).is_some(),
                    "{at}: {file} lacks {}:\n{listing}",
                    op.from
                );
            }
            let bin = entry(&p.bin).unwrap_or_else(|| panic!("{at}: {file} lacks {}", p.bin));
            assert!(
                bin.starts_with("-rwxr-xr-x"),
                "{at}: {} is not executable: {bin}",
                p.bin
            );
            for doc in ["LICENSE", "README.md"] {
                assert!(entry(doc).is_some(), "{at}: {file} lacks {doc}");
            }
            // One plugin per archive: no other plugin's executable rides along.
            let others = listing
                .lines()
                .filter(|l| l.contains(" kubectl-vault_") && !l.ends_with(&format!(" {}", p.bin)))
                .count();
            assert_eq!(others, 0, "{at}: {file} holds another plugin:\n{listing}");
        }
    }
    // One archive per plugin and platform, each listed in SHA256SUMS with its own sum.
    archive_shas.sort();
    archive_shas.dedup();
    assert_eq!(
        archive_shas.len(),
        2 * templates().len(),
        "{archive_shas:#?}"
    );
    let sums = fs::read_to_string(dist.join("SHA256SUMS")).expect("dist/SHA256SUMS");
    for (file, sha) in &archive_shas {
        assert!(
            sums.lines().any(|l| l == format!("{sha}  {file}")),
            "SHA256SUMS lacks {file}:\n{sums}"
        );
    }
    assert_eq!(sums.lines().count(), archive_shas.len(), "{sums}");

    // --render rebuilds the same manifests from the archives alone (the release workflow).
    let rendered_before = fs::read_to_string(dist.join("vault-unseal.yaml")).unwrap();
    fs::remove_file(dist.join("vault-unseal.yaml")).unwrap();
    run_ok(
        Command::new(root().join("scripts/package.sh"))
            .args([Path::new("--render"), Path::new(tag), &dist])
            .output()
            .unwrap(),
        "package.sh --render",
    );
    assert_eq!(
        fs::read_to_string(dist.join("vault-unseal.yaml")).unwrap(),
        rendered_before
    );
}

#[test]
fn package_sh_refuses_missing_binaries_and_bad_tags() {
    let tmp = scratch("package-sh-errors");
    let output = package("v0.1.0", &tmp, &tmp.join("dist"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains("missing executable"),
        "{stderr}"
    );

    fake_binaries(&tmp, "host");
    let output = package("0.1.0", &tmp, &tmp.join("dist"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains("TAG must look like v1.2.3"),
        "{stderr}"
    );
}

/// This build's plugin executables: cargo builds every plugin for its end-to-end tests, so
/// `cargo nextest run --workspace` has them in target/debug.
fn built_plugins() -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("debug");
    for (name, _) in templates() {
        let bin = target.join(plugin_bin(&name));
        assert!(
            bin.exists(),
            "{} is missing: build the plugins first (cargo build --workspace --bins)",
            bin.display()
        );
    }
    target
}

/// `kubectl` with only the krew-like bin directory and kubectl's own directory on PATH.
fn kubectl_with_plugins(bin: &Path) -> Command {
    let kubectl = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("kubectl"))
        .find(|p| p.exists())
        .expect("kubectl on PATH");
    let kubectl_dir = kubectl.parent().unwrap();
    let path = std::env::join_paths([bin, kubectl_dir]).unwrap();
    let mut cmd = Command::new(&kubectl);
    cmd.env("PATH", path);
    cmd
}

#[test]
fn host_archives_install_as_krew_does_and_answer_through_kubectl() {
    let tag = "v0.1.0";
    let tmp = scratch("krew-install");
    let dist = tmp.join("dist");
    run_ok(package(tag, &built_plugins(), &dist), "package.sh (host)");
    let (os, arch) = host_platform();
    let krew_bin = tmp.join("krew/bin");
    fs::create_dir_all(&krew_bin).unwrap();
    for (name, _) in templates() {
        let m = manifest(
            &name,
            &fs::read_to_string(dist.join(format!("{name}.yaml"))).unwrap(),
        );
        let p = m
            .spec
            .platforms
            .iter()
            .find(|p| p.os_arch() == format!("{os}/{arch}"))
            .unwrap_or_else(|| panic!("{name}: no {os}/{arch} entry"));
        // As krew install does: check the sum, unpack, apply `files`, link `bin`.
        let archive = dist.join(p.uri.rsplit('/').next().unwrap());
        let sha: String = Sha256::digest(fs::read(&archive).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sha, p.sha256, "{name}: sha256");
        let unpacked = tmp.join("unpacked").join(&name);
        fs::create_dir_all(&unpacked).unwrap();
        run_ok(
            Command::new("tar")
                .arg("xzf")
                .arg(&archive)
                .arg("-C")
                .arg(&unpacked)
                .output()
                .unwrap(),
            "tar xzf",
        );
        let store = tmp.join("krew/store").join(&name).join(tag);
        fs::create_dir_all(&store).unwrap();
        for op in p.files.iter().flatten() {
            assert_eq!(
                op.to, ".",
                "{name}: files install into the plugin's directory"
            );
            let from = unpacked.join(&op.from);
            let to = store.join(Path::new(&op.from).file_name().unwrap());
            fs::copy(&from, &to).unwrap_or_else(|e| panic!("{name}: {}: {e}", op.from));
        }
        std::os::unix::fs::symlink(store.join(&p.bin), krew_bin.join(plugin_bin(&name))).unwrap();
    }

    let list = kubectl_with_plugins(&krew_bin)
        .args(["plugin", "list"])
        .output()
        .unwrap();
    let listed = run_ok(list.clone(), "kubectl plugin list");
    let warnings = String::from_utf8_lossy(&list.stderr);
    assert!(!warnings.contains("warning"), "{warnings}");
    for (name, _) in templates() {
        let bin = krew_bin.join(plugin_bin(&name));
        assert!(
            listed.lines().any(|l| l == bin.to_str().unwrap()),
            "kubectl plugin list does not list {}:\n{listed}",
            bin.display()
        );
        let version = run_ok(
            kubectl_with_plugins(&krew_bin)
                .args([name.as_str(), "--version"])
                .output()
                .unwrap(),
            &format!("kubectl {name} --version"),
        );
        assert!(
            version.contains(env!("CARGO_PKG_VERSION")),
            "kubectl {name} --version: {version}"
        );
        // For bug reports: the version, the commit and the target, as data.
        let json = run_ok(
            kubectl_with_plugins(&krew_bin)
                .args([name.as_str(), "version", "-o", "json"])
                .output()
                .unwrap(),
            &format!("kubectl {name} version -o json"),
        );
        let build: serde_json::Value = serde_json::from_str(&json).expect("version JSON");
        assert_eq!(build["plugin"], name.as_str(), "{json}");
        assert_eq!(build["version"], env!("CARGO_PKG_VERSION"), "{json}");
        let commit = build["commit"].as_str().unwrap_or("");
        assert!(!commit.is_empty() && commit != "unknown", "{json}");
        assert!(
            version.contains(commit),
            "--version names the commit: {version}"
        );
        let target = build["target"].as_str().unwrap_or("");
        assert!(
            target.starts_with(std::env::consts::ARCH) && target.contains(std::env::consts::OS),
            "{json}"
        );
    }
}
