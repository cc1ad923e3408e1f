//! Issue 12: `generate`, `import` and `run --output` replace only what
//! sentinel-forge wrote; every refusal names the place and the flag.

use std::path::Path;

use crate::util::{forge_in, output, scratch_project, snapshot_tree};

/// Names beside `generated/` that a run left behind.
fn side_dirs(project: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(project)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn an_empty_content_directory_does_not_delete_the_output() {
    let project = scratch_project();
    forge_in(project.path()).arg("generate").assert().success();
    let before = snapshot_tree(&project.path().join("generated"));
    assert!(before.len() > 100, "{}", before.len());
    std::fs::create_dir(project.path().join("empty")).unwrap();
    let (code, _, err) = output(forge_in(project.path()).args(["--content", "empty", "generate"]));
    assert_eq!(code, 2, "{err}");
    insta::assert_snapshot!(err, @"error: refusing to replace `generated` with an empty tree: there is nothing to write (no content items), and the directory has files; check --content, or pass --allow-empty to empty it");
    assert_eq!(before, snapshot_tree(&project.path().join("generated")));
    // Asked for, it empties the output (the marker stays: it is still ours).
    let (code, _, err) = output(forge_in(project.path()).args(["--content", "empty", "generate", "--allow-empty"]));
    assert_eq!(code, 0, "{err}");
    let after = snapshot_tree(&project.path().join("generated"));
    assert_eq!(after.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), [".sentinel-forge-output"]);
    assert!(side_dirs(project.path()).is_empty());
}

#[test]
fn a_directory_generate_did_not_write_is_refused_unless_forced() {
    let project = scratch_project();
    let docs = project.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("important.md"), "notes\n").unwrap();
    let (code, _, err) = output(forge_in(project.path()).args(["generate", "--out", "docs"]));
    assert_eq!(code, 2, "{err}");
    insta::assert_snapshot!(err, @"error: refusing to replace `docs`: it holds files sentinel-forge did not write (no `.sentinel-forge-output` marker), and the output directory is replaced as a whole; choose another --out, empty it, or pass --force to replace it anyway");
    assert_eq!(std::fs::read_to_string(docs.join("important.md")).unwrap(), "notes\n");
    assert!(side_dirs(project.path()).is_empty(), "{:?}", side_dirs(project.path()));
    let (code, _, err) = output(forge_in(project.path()).args(["generate", "--out", "docs", "--force"]));
    assert_eq!(code, 0, "{err}");
    assert!(!docs.join("important.md").exists() && docs.join(".sentinel-forge-output").is_file());
}

#[test]
fn the_working_directory_and_the_inputs_are_refused_even_with_force() {
    let project = scratch_project();
    let before = snapshot_tree(project.path());
    for (out, why) in [
        (".", "it is the working directory"),
        ("..", "it contains the working directory"),
        ("content", "it overlaps the input directory `content`"),
        ("templates/custom", "it overlaps the input directory `templates`"),
    ] {
        let (code, _, err) = output(forge_in(project.path()).args(["generate", "--force", "--out", out]));
        assert_eq!(code, 2, "{out}: {err}");
        assert!(err.starts_with(&format!("error: refusing to write to `{out}`: {why};")), "{out}: {err}");
        assert_eq!(before, snapshot_tree(project.path()), "{out}");
        assert!(side_dirs(project.path()).is_empty(), "{out}: {:?}", side_dirs(project.path()));
    }
}

#[test]
fn leftovers_of_an_interrupted_run_are_removed_by_the_next() {
    let project = scratch_project();
    forge_in(project.path()).arg("generate").assert().success();
    // What a killed run leaves: a staged tree and a backup, both marked.
    for name in [".generated.new-1234-0", ".generated.old-1234-0"] {
        let dir = project.path().join(name);
        std::fs::create_dir_all(dir.join("kql")).unwrap();
        std::fs::write(dir.join(".sentinel-forge-output"), "").unwrap();
        std::fs::write(dir.join("kql/x.kql"), "x\n").unwrap();
    }
    // Not ours (no marker): kept.
    std::fs::create_dir(project.path().join(".generated.old-mine")).unwrap();
    std::fs::write(project.path().join(".generated.old-mine/notes"), "x").unwrap();
    let (code, _, err) = output(forge_in(project.path()).arg("generate"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(side_dirs(project.path()), [".generated.old-mine"]);
}

#[test]
fn one_environment_replaces_its_subdirectory_of_a_generated_tree() {
    let project = scratch_project();
    forge_in(project.path()).arg("generate").assert().success();
    let (code, _, err) = output(forge_in(project.path()).args(["generate", "--env", "prod"]));
    assert_eq!(code, 0, "{err}");
    assert!(project.path().join("generated/prod/.sentinel-forge-output").is_file());
    let (code, _, err) = output(forge_in(project.path()).args(["generate", "--check"]));
    assert_eq!(code, 0, "the environment's tree is the same files: {err}");
}

/// `import` never writes over a file it did not plan to replace: a custom
/// template with the name the new item would take is left alone.
#[test]
fn import_does_not_overwrite_a_template_it_does_not_own() {
    let project = scratch_project();
    let custom = project.path().join("templates/custom");
    std::fs::create_dir_all(&custom).unwrap();
    // The name `mass-vm-deletion-by-one-caller` comes from the rule's name.
    let mine = custom.join("mass-vm-deletion-by-one-caller.kql.tera");
    std::fs::write(&mine, "// my own template\n").unwrap();
    let rule = crate::util::root().join("tests/fixtures/import/scheduled-rule.yaml");
    let (code, out, err) = output(forge_in(project.path()).arg("import").arg(&rule));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "// my own template\n");
    assert!(out.contains("content/analytics/mass-vm-deletion-by-one-caller-2.toml"), "{out}");
    assert!(custom.join("mass-vm-deletion-by-one-caller-2.kql.tera").is_file());
    let names: Vec<_> = std::fs::read_dir(&custom).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
}

/// `run --output` replaces an existing file only with `--force`, and says
/// so before any query is sent (no workspace is configured here: the
/// refusal comes first).
#[test]
fn run_output_does_not_replace_an_existing_file_without_force() {
    let project = scratch_project();
    let notes = project.path().join("notes.md");
    std::fs::write(&notes, "mine\n").unwrap();
    let (code, _, err) = output(forge_in(project.path()).args([
        "run",
        "run-command-spike",
        "--workspace-id",
        "00000000-0000-4000-8000-000000000000",
        "--output",
        "notes.md",
    ]));
    assert_eq!(code, 2, "{err}");
    insta::assert_snapshot!(err, @"error: refusing to replace `notes.md`: the file exists; pass --force to replace it");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "mine\n");
    let (code, _, err) = output(forge_in(project.path()).args([
        "run",
        "run-command-spike",
        "--workspace-id",
        "00000000-0000-4000-8000-000000000000",
        "--output",
        "content",
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("refusing to write `content`: it is a directory"), "{err}");
}
