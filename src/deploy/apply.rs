//! Apply a plan: bounded concurrency, one failure never stops the others,
//! and the ownership manifest kept crash-safe (see [`crate::deploy::ownership`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::Semaphore;

use std::time::Duration;

use serde_json::Value;

use crate::deploy::client::{Condition, SentinelClient};
use crate::deploy::error::{DeployError, DeployErrorKind};
use crate::deploy::normalize::comparable;
use crate::deploy::ownership;
use crate::deploy::plan::{Action, Change, Plan};
use crate::deploy::resource::{Resource, ResourceType};

#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// Changes worked on at once. Requests in flight are bounded by the
    /// client ([`crate::deploy::client::SentinelClientOptions::concurrency`]);
    /// this bounds the tasks (some of which may be waiting out a
    /// `Retry-After`), so it is a multiple of that.
    pub concurrency: usize,
    /// Apply planned deletes.
    pub prune: bool,
    /// Draw a progress bar (on a terminal).
    pub progress: bool,
    /// A plan read longer ago than this is refused ([`DeployErrorKind::Stale`]):
    /// re-plan instead of deleting from a stale picture.
    pub max_plan_age: Duration,
}

/// The default bound on a plan's age.
pub const MAX_PLAN_AGE: Duration = Duration::from_secs(5 * 60);

/// How often a conditional manifest write is re-read, merged and retried
/// after another run wrote it first.
pub const MANIFEST_ATTEMPTS: usize = 5;

impl Default for ApplyOptions {
    fn default() -> Self {
        Self { concurrency: 32, prune: false, progress: false, max_plan_age: MAX_PLAN_AGE }
    }
}

/// The result of one change.
#[derive(Debug)]
pub struct Outcome {
    pub change: Change,
    pub error: Option<DeployError>,
}

#[derive(Debug, Default)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
    /// Deletes skipped because `--prune` was not given.
    pub skipped_deletes: usize,
    pub manifest_writes: usize,
    /// The final manifest update (after deletes) failed: the rules were
    /// deleted but are still listed. Harmless (a listed id whose rule is gone
    /// is dropped by the next run that deletes); reported so it is rerun.
    pub manifest_error: Option<DeployError>,
}

impl Report {
    pub fn failed(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| o.error.is_some())
    }

    pub fn ok(&self) -> bool {
        self.failed().next().is_none() && self.manifest_error.is_none()
    }

    pub fn count(&self, action: Action) -> usize {
        self.outcomes.iter().filter(|o| o.change.action == action && o.error.is_none()).count()
    }
}

/// Apply every write of `plan`. Refused (nothing written) for a blocked or
/// stale plan; a failure to record ownership in the manifest before creating
/// alert rules is the only fatal error once writing started.
pub async fn apply(client: Arc<SentinelClient>, plan: &Plan, options: &ApplyOptions) -> Result<Report, DeployError> {
    if !plan.blocked.is_empty() {
        return Err(DeployError::config(format!(
            "{} content resource(s) exist in the workspace and are not managed by owner `{}`; nothing changed",
            plan.blocked.len(),
            plan.owner
        )));
    }
    let age = plan.read_at.elapsed();
    if age > options.max_plan_age {
        return Err(DeployError::new(
            DeployErrorKind::Stale,
            format!(
                "the plan was read {} s ago (more than {} s): re-plan before applying; nothing changed",
                age.as_secs(),
                options.max_plan_age.as_secs()
            ),
        ));
    }
    let mut report = Report::default();
    let owner = plan.owner.as_str();
    // 1. Record ownership of every desired alert rule before creating any
    //    (also writes an empty manifest on an owner's first deploy, so a lost
    //    manifest is detected later).
    let mut manifest = ManifestState {
        ids: plan.manifest_before.clone(),
        etag: plan.manifest_etag().map(str::to_string),
        body: plan.manifest_body.clone(),
    };
    if update_manifest(&client, owner, &mut manifest, &plan.desired_alert_rules, &BTreeSet::new()).await? {
        report.manifest_writes += 1;
    }

    // 2. Creates, updates, replaces, adoptions and (with --prune) deletes, bounded.
    let work: Vec<Change> = plan
        .changes
        .iter()
        .filter(|c| c.action.is_write())
        .filter(|c| {
            let keep = c.action != Action::Delete || options.prune;
            if !keep {
                report.skipped_deletes += 1;
            }
            keep
        })
        .cloned()
        .collect();
    let bar = if options.progress { ProgressBar::new(work.len() as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
            .expect("static template")
            .progress_chars("=> "),
    );
    if options.progress {
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
    }
    let limit = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, change) in work.into_iter().enumerate() {
        let client = Arc::clone(&client);
        let limit = Arc::clone(&limit);
        let bar = bar.clone();
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore never closed");
            let result = apply_one(&client, &change).await;
            bar.inc(1);
            bar.set_message(format!("{} {}", change.action.label(), change.display_name));
            (index, Outcome { change, error: result.err() })
        });
    }
    let mut outcomes = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        outcomes.push(joined.expect("apply task panicked"));
    }
    bar.finish_and_clear();
    outcomes.sort_by_key(|(i, _)| *i);
    report.outcomes = outcomes.into_iter().map(|(_, o)| o).collect();

    // 3. Forget the alert rules that are really gone (re-read and merged on a
    //    conflict, so ids another run added meanwhile are kept).
    let mut deleted: BTreeSet<String> = report
        .outcomes
        .iter()
        .filter(|o| o.change.action == Action::Delete && o.error.is_none() && o.change.rtype == ResourceType::AlertRule)
        .map(|o| o.change.name.to_ascii_lowercase())
        .collect();
    if options.prune {
        deleted.extend(plan.gone_alert_rules.iter().cloned());
    }
    if !deleted.is_empty() {
        match update_manifest(&client, owner, &mut manifest, &BTreeSet::new(), &deleted).await {
            Ok(written) => report.manifest_writes += usize::from(written),
            Err(e) => report.manifest_error = Some(e),
        }
    }
    Ok(report)
}

/// The manifest as last read or written.
struct ManifestState {
    ids: BTreeSet<String>,
    etag: Option<String>,
    body: Option<Value>,
}

/// Write `(ids ∪ add) − remove` when it differs from what is stored, on the
/// condition that the manifest is still at the etag read (or absent). When
/// another run wrote it first (409/412), re-read, merge and retry, at most
/// [`MANIFEST_ATTEMPTS`] times. Returns whether it wrote.
async fn update_manifest(
    client: &SentinelClient,
    owner: &str,
    state: &mut ManifestState,
    add: &BTreeSet<String>,
    remove: &BTreeSet<String>,
) -> Result<bool, DeployError> {
    for _ in 0..MANIFEST_ATTEMPTS {
        let ids: BTreeSet<String> = state.ids.union(add).filter(|id| !remove.contains(*id)).cloned().collect();
        let wanted = ownership::manifest_resource(owner, &ids);
        let unchanged = state.body.as_ref().is_some_and(|actual| {
            comparable(ResourceType::SavedSearch, &wanted.body) == comparable(ResourceType::SavedSearch, actual)
        });
        if unchanged {
            return Ok(false);
        }
        match client.put(&wanted, &Condition::from_etag(state.etag.as_deref())).await {
            Ok(stored) => {
                state.etag = stored.etag().map(str::to_string);
                state.body = Some(stored.body);
                state.ids = ids;
                return Ok(true);
            }
            Err(e) if matches!(e.status(), Some(409 | 412)) => {
                let name = ownership::manifest_name(owner);
                let fresh = client.get(ResourceType::SavedSearch, &name, None).await?;
                state.ids = match &fresh {
                    Some(r) => ownership::manifest_ids(r)?,
                    None => BTreeSet::new(),
                };
                state.etag = fresh.as_ref().and_then(Resource::etag).map(str::to_string);
                state.body = fresh.map(|r| r.body);
            }
            Err(e) => return Err(e),
        }
    }
    Err(DeployError::new(
        DeployErrorKind::Stale,
        format!(
            "the manifest `{}` kept changing under this run ({MANIFEST_ATTEMPTS} attempts); rerun",
            ownership::manifest_name(owner)
        ),
    ))
}

async fn apply_one(client: &SentinelClient, change: &Change) -> Result<(), DeployError> {
    let resource = || Resource {
        rtype: change.rtype,
        name: change.name.clone(),
        kind: change.kind.clone(),
        body: change.body.clone().expect("a write carries a body"),
        source: change.source.clone(),
    };
    let stale = |e: DeployError| {
        if e.status() == Some(412) {
            DeployError::new(
                DeployErrorKind::Stale,
                format!("{}: changed in the workspace since the plan was read; not written (rerun)", e.message),
            )
        } else {
            e
        }
    };
    match change.action {
        Action::Create | Action::Update | Action::Adopt => {
            client.put(&resource(), &Condition::from_etag(change.etag.as_deref())).await.map(|_| ()).map_err(stale)
        }
        Action::Replace => {
            // The service refuses a kind change in place.
            let old_kind = change.actual_kind.as_deref();
            client.delete(change.rtype, &change.name, old_kind, change.etag.as_deref()).await.map_err(stale)?;
            client.put(&resource(), &Condition::IfNoneMatch).await.map(|_| ()).map_err(stale)
        }
        Action::Delete => {
            // Re-read first: delete only what the plan saw (another run may
            // have rewritten it since), at its own api-version.
            let kind = change.actual_kind.as_deref();
            match client.get(change.rtype, &change.name, kind).await? {
                None => Ok(()),
                Some(now) if now.etag().is_some() && now.etag() != change.etag.as_deref() => Err(DeployError::new(
                    DeployErrorKind::Stale,
                    format!(
                        "delete {} {}: changed in the workspace since the plan was read; not deleted (rerun)",
                        change.rtype, change.name
                    ),
                )),
                Some(_) => client.delete(change.rtype, &change.name, kind, change.etag.as_deref()).await.map_err(stale),
            }
        }
        Action::Unchanged => Ok(()),
    }
}

/// The summary table of a run, failures with their reason.
pub fn render_summary(report: &Report) -> String {
    let mut out = String::new();
    if !report.outcomes.is_empty() {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        table.set_header(["action", "type", "name", "id", "result"]);
        for o in &report.outcomes {
            let result = match &o.error {
                None => "ok".to_string(),
                Some(e) => format!("FAILED: {e}"),
            };
            table.add_row([
                o.change.action.label().to_string(),
                o.change.rtype.to_string(),
                o.change.display_name.clone(),
                o.change.name.clone(),
                result,
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }
    let failed = report.failed().count();
    out.push_str(&format!(
        "deploy: {} created, {} updated, {} deleted, {} failed",
        report.count(Action::Create),
        report.count(Action::Update),
        report.count(Action::Delete),
        failed
    ));
    for (action, word) in [(Action::Replace, "replaced"), (Action::Adopt, "adopted")] {
        let n = report.count(action);
        if n > 0 {
            out.push_str(&format!(", {n} {word}"));
        }
    }
    if report.skipped_deletes > 0 {
        out.push_str(&format!(", {} delete(s) skipped (use --prune)", report.skipped_deletes));
    }
    out.push('\n');
    if let Some(e) = &report.manifest_error {
        out.push_str(&format!(
            "error: the rules above were deleted but the ownership manifest still lists them: {e}\n\
             rerun the same `deploy --prune` to record it (it deletes nothing more)\n"
        ));
    }
    out
}
