//! Apply a plan: bounded concurrency, one failure never stops the others,
//! and the ownership manifest kept crash-safe (see [`crate::deploy::ownership`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::Semaphore;

use crate::deploy::client::SentinelClient;
use crate::deploy::error::DeployError;
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
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self { concurrency: 32, prune: false, progress: false }
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
}

impl Report {
    pub fn failed(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| o.error.is_some())
    }

    pub fn ok(&self) -> bool {
        self.failed().next().is_none()
    }

    pub fn count(&self, action: Action) -> usize {
        self.outcomes.iter().filter(|o| o.change.action == action && o.error.is_none()).count()
    }
}

/// Apply every write of `plan`. A failure to record ownership in the
/// manifest before creating alert rules is the only fatal error.
pub async fn apply(client: Arc<SentinelClient>, plan: &Plan, options: &ApplyOptions) -> Result<Report, DeployError> {
    let mut report = Report::default();
    // 1. Record ownership of every desired alert rule before creating any.
    let before = plan.manifest_before.clone();
    let recorded: BTreeSet<String> = before.union(&plan.desired_alert_rules).cloned().collect();
    if !recorded.is_empty() && manifest_needs_write(plan, &recorded) {
        client.put(&ownership::manifest_resource(&recorded)).await?;
        report.manifest_writes += 1;
    }

    // 2. Creates, updates and (with --prune) deletes, bounded.
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

    // 3. Forget the alert rules that are really gone.
    let deleted: BTreeSet<String> = report
        .outcomes
        .iter()
        .filter(|o| o.change.action == Action::Delete && o.error.is_none() && o.change.rtype == ResourceType::AlertRule)
        .map(|o| o.change.name.to_ascii_lowercase())
        .collect();
    if !deleted.is_empty() {
        let remaining: BTreeSet<String> = recorded.difference(&deleted).cloned().collect();
        client.put(&ownership::manifest_resource(&remaining)).await?;
        report.manifest_writes += 1;
    }
    Ok(report)
}

fn manifest_needs_write(plan: &Plan, ids: &BTreeSet<String>) -> bool {
    let wanted = ownership::manifest_resource(ids);
    match &plan.manifest_body {
        None => true,
        Some(actual) => {
            comparable(ResourceType::SavedSearch, &wanted.body) != comparable(ResourceType::SavedSearch, actual)
        }
    }
}

async fn apply_one(client: &SentinelClient, change: &Change) -> Result<(), DeployError> {
    match change.action {
        Action::Create | Action::Update => {
            let resource = Resource {
                rtype: change.rtype,
                name: change.name.clone(),
                kind: change.kind.clone(),
                body: change.body.clone().expect("create/update carries a body"),
                source: change.source.clone(),
            };
            client.put(&resource).await.map(|_| ())
        }
        Action::Delete => client.delete(change.rtype, &change.name).await,
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
    if report.skipped_deletes > 0 {
        out.push_str(&format!(", {} delete(s) skipped (use --prune)", report.skipped_deletes));
    }
    out.push('\n');
    out
}
