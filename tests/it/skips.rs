//! Issue 12: nothing passes silently. Linked content is read, broken links
//! are reported, a skipped file says why, a run that checks nothing fails,
//! a dry run finds what the real run would, an OS error is printed once.

use crate::util::{forge_in, output, root, scratch_project};

#[cfg(unix)]
#[test]
fn linked_content_is_read_and_a_broken_link_is_reported() {
    let project = scratch_project();
    let shared = tempfile::tempdir().unwrap();
    // A rule kept elsewhere and linked in, file and directory.
    let hunting = project.path().join("content/hunting");
    std::fs::rename(hunting.join("run-command-spike.toml"), shared.path().join("run-command-spike.toml")).unwrap();
    std::os::unix::fs::symlink(shared.path().join("run-command-spike.toml"), hunting.join("run-command-spike.toml"))
        .unwrap();
    let (code, _, err) = output(forge_in(project.path()).arg("generate"));
    assert_eq!(code, 0, "{err}");
    assert!(project.path().join("generated/kql/run-command-spike.kql").is_file(), "the linked rule is generated");
    let (_, list, _) = output(forge_in(project.path()).arg("list"));
    assert!(list.contains("run-command-spike"), "{list}");

    std::os::unix::fs::symlink("nowhere.toml", hunting.join("gone.toml")).unwrap();
    std::os::unix::fs::symlink("..", hunting.join("loop")).unwrap();
    let (code, _, err) = output(forge_in(project.path()).arg("validate"));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error[CNT027]: cannot follow `content/hunting/gone.toml`: the link points to `nowhere.toml`"),
        "{err}"
    );
    assert!(err.contains("error[CNT027]: cannot follow `content/hunting/loop`: the link leads back to"), "{err}");
}

#[test]
fn validate_says_why_each_file_is_skipped_and_fails_when_nothing_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let (code, _, err) = output(forge_in(dir.path()).args(["validate", "empty"]));
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(err, @r"
    0 files read, 0 with Sentinel content (0 documents), 0 skipped: 0 error(s), 0 warning(s)
    error: nothing to check: no Sentinel analytic rule, hunting query or ARM template under `empty`
    ");
    // Deeper than the YAML loader goes, yet valid JSON; and a YAML file of another kind.
    std::fs::write(dir.path().join("deep.json"), format!("{}{}", "[".repeat(300), "]".repeat(300))).unwrap();
    std::fs::write(dir.path().join("other.yaml"), "a: 1\n").unwrap();
    let (code, _, err) = output(forge_in(dir.path()).args(["validate", "deep.json", "other.yaml"]));
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(err, @r"
    skipped deep.json: valid JSON, but not YAML the linter reads (recursion limit exceeded); no Sentinel document is, so it is not linted
    skipped other.yaml: not an analytic rule, hunting query or ARM template (no `query` string, no ARM `resources`)
    2 files read, 0 with Sentinel content (0 documents), 2 skipped: 0 error(s), 0 warning(s)
    error: nothing to check: no Sentinel analytic rule, hunting query or ARM template under `deep.json`, `other.yaml`
    ");
    // With a real rule beside them, the run passes and still names the skips.
    std::fs::copy(root().join("tests/fixtures/import/scheduled-rule.yaml"), dir.path().join("rule.yaml")).unwrap();
    let (_, _, err) = output(forge_in(dir.path()).args(["validate", "deep.json", "other.yaml", "rule.yaml"]));
    assert!(err.contains("skipped other.yaml: ") && err.contains("3 files read, 1 with Sentinel content"), "{err}");
    assert!(!err.contains("nothing to check"), "{err}");
}

#[test]
fn validate_without_content_items_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("content")).unwrap();
    let (code, _, err) =
        output(forge_in(dir.path()).args(["--templates"]).arg(root().join("templates")).arg("validate"));
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(err, @"error: nothing to check: no content items under `content`");
}

#[test]
fn an_os_error_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = output(forge_in(dir.path()).args(["validate", "/nonexistent.yaml"]));
    assert_eq!(code, 2);
    insta::assert_snapshot!(err, @"error: validate: /nonexistent.yaml: No such file or directory (os error 2)");
}

/// A rule the real import writes and then reports (CNT019: a query
/// frequency above Sentinel's limit): the dry run reports the same and
/// exits the same way, writing nothing.
#[test]
fn a_dry_run_finds_what_the_real_import_finds() {
    let project = scratch_project();
    let rule = std::fs::read_to_string(root().join("tests/fixtures/import/scheduled-rule.yaml"))
        .unwrap()
        .replace("queryFrequency: PT1H", "queryFrequency: P20D")
        .replace("queryPeriod: P1D", "queryPeriod: P20D");
    std::fs::write(project.path().join("rule.yaml"), rule).unwrap();
    let before = crate::util::snapshot_tree(project.path());
    let (dry_code, dry_out, dry_err) = output(forge_in(project.path()).args(["import", "--dry-run", "rule.yaml"]));
    assert_eq!(before, crate::util::snapshot_tree(project.path()), "a dry run writes nothing");
    let (code, out, err) = output(forge_in(project.path()).args(["import", "rule.yaml"]));
    assert_eq!((dry_code, code), (1, 1), "{dry_err}\n---\n{err}");
    assert_eq!(dry_out, out);
    // The same diagnostics; only the summary and closing lines differ.
    let diagnostics = |e: &str| {
        e.lines().filter(|l| !l.contains("imported") && !l.contains("would write")).collect::<Vec<_>>().join("\n")
    };
    assert!(dry_err.contains("(dry run: nothing written)"), "{dry_err}");
    assert!(err.contains("error[CNT019]"), "{err}");
    assert_eq!(diagnostics(&dry_err), diagnostics(&err));
}

/// `import DIR` follows links and reports one that leads nowhere.
#[cfg(unix)]
#[test]
fn import_reports_a_broken_link_instead_of_dropping_it() {
    let project = scratch_project();
    let dir = project.path().join("incoming");
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::symlink(root().join("tests/fixtures/import/scheduled-rule.yaml"), dir.join("rule.yaml"))
        .unwrap();
    std::os::unix::fs::symlink("nowhere.yaml", dir.join("gone.yaml")).unwrap();
    let (code, out, err) = output(forge_in(project.path()).args(["import", "--dry-run", "incoming"]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("skipped   incoming/gone.yaml: cannot be read: "), "{out}");
    assert!(out.contains("imported  content/analytics/mass-vm-deletion-by-one-caller.toml"), "the linked rule: {out}");
}
