//! Shared test helpers.

use std::path::{Path, PathBuf};

use sentinel_forge::content::api_versions::ApiVersions;
use sentinel_forge::{Compiled, ProjectPaths};

/// A known fake client secret and bearer token: tests assert neither ever
/// appears in any output.
pub const FAKE_SECRET: &str = "fake-client-secret-Zq9!xK2#not-real";
pub const FAKE_TOKEN: &str = "fake-bearer-token-8c1f0e-never-print";
/// The id of the bundled `run-command-spike` item.
pub const SPIKE_ID: &str = "55e239f0-9d77-4ffa-8dfc-c08a15324ef4";

/// The repository root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compile the bundled content with the bundled templates.
pub fn compile_bundled() -> Compiled {
    let paths = ProjectPaths { content: root().join("content"), templates: root().join("templates") };
    sentinel_forge::compile(&paths, &ApiVersions::default()).expect("bundled content compiles")
}

/// Copy a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A scratch project: the bundled content and templates copied into a
/// temporary directory.
pub fn scratch_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("content"), &dir.path().join("content"));
    copy_tree(&root().join("templates"), &dir.path().join("templates"));
    // The rule tests' data: `generate` runs the `[[tests]]` before writing.
    copy_tree(&root().join("tests/data"), &dir.path().join("tests/data"));
    dir
}

/// Every file under `dir` with its bytes, for "nothing changed" assertions.
pub fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::read(entry.path()).unwrap()));
        }
    }
    out
}

/// `sentinel-forge` run in `dir`, without colour.
pub fn forge_in(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("sentinel-forge").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// Exit code, stdout and stderr of a command.
pub fn output(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// `sentinel-forge` in `dir` with every Azure endpoint on the emulator, the
/// static test token, and no credential from the machine running the tests.
#[cfg(feature = "emulator")]
pub fn emulator_cli(dir: &Path, emu: &sentinel_forge::emulator::Emulator) -> assert_cmd::Command {
    let mut cmd = forge_in(dir);
    for v in [
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "IDENTITY_ENDPOINT",
        "MSI_ENDPOINT",
    ] {
        cmd.env_remove(v);
    }
    cmd.env("SENTINEL_FORGE_ARM_ENDPOINT", emu.url())
        .env("SENTINEL_FORGE_LOG_ANALYTICS_ENDPOINT", emu.url())
        .env("AZURE_AUTHORITY_HOST", emu.url())
        .env("SENTINEL_FORGE_TOKEN", FAKE_TOKEN);
    cmd
}

/// [`output`], asserting no fake secret or token reached stdout or stderr.
pub fn output_without_secrets(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let (code, so, se) = output(cmd);
    for text in [&so, &se] {
        for secret in [FAKE_TOKEN, FAKE_SECRET, "emulator-access-token"] {
            assert!(!text.contains(secret), "secret leaked:\n{text}");
        }
    }
    (code, so, se)
}
