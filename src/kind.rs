//! What an item deploys as: the vocabulary every layer above shares
//! (models declare the kinds they support, content reads it, emitters and
//! sinks branch on it).

use std::fmt;

/// What Sentinel document an item becomes.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A hunting query (savedSearch).
    Hunting,
    /// A scheduled analytic rule.
    Scheduled,
    /// A near-real-time analytic rule.
    Nrt,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[Kind::Hunting, Kind::Scheduled, Kind::Nrt];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Hunting => "hunting",
            Kind::Scheduled => "scheduled",
            Kind::Nrt => "nrt",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.as_str() == text)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
