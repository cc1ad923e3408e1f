//! SNT033: the query changed since `--base` but `version` did not go up.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};

use super::{at, cmp_versions, for_kind};

crate::lint_code! {
    /// What: with `--base REV`, a rule whose `query` differs from the query
    /// at `REV` while its `version` is missing or not greater than the
    /// version at `REV`. Warning on hunting queries.
    ///
    /// Why: the content hub only offers an update when the version grows;
    /// Sentinel's pull-request template requires the bump for analytic rules
    ///. Without it, workspaces keep running the old query.
    ///
    /// Example: editing the `where` clause of a `version: 1.0.2` rule and
    /// leaving `1.0.2`.
    ///
    /// Fix: bump the version (`1.0.3` for a fix, `1.1.0` for new logic).
    CODE = ("SNT033", "version-not-bumped", Error);
}

pub struct VersionNotBumped;

fn normalise(q: &str) -> String {
    q.lines().map(str::trim_end).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

impl Rule for VersionNotBumped {
    fn code(&self) -> Code {
        CODE
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        let Some(base) = &doc.base else { return };
        let (Some(old_q), Some((new_q, qnode))) = (&base.query, doc.text_field(Field::Query)) else { return };
        if normalise(old_q) == normalise(new_q) {
            return;
        }
        let d = match (doc.text_field(Field::Version), &base.version) {
            (None, _) => {
                at(CODE, doc, qnode, "query changed but the rule has no `version`", "changed since the base revision")
                    .with_help("add `version: 1.0.0` and bump it on every query change")
            }
            (Some((new_v, vnode)), Some(old_v)) if cmp_versions(new_v, old_v).is_none_or(|o| o.is_le()) => at(
                CODE,
                doc,
                vnode,
                format!("query changed but version `{new_v}` is not above the base version `{old_v}`"),
                "bump this version",
            )
            .with_secondary(doc.file, qnode.range, "query changed")
            .with_help("increase the version so workspaces are offered the update"),
            _ => return,
        };
        out.push(for_kind(d, doc));
    }
}
