//! Deploy errors: the run could not talk to the workspace (as opposed to a
//! per-resource failure, which the apply step records and goes on).

use std::fmt;

/// Coarse classes of deploy failure.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeployErrorKind {
    /// The environment file or an endpoint override is unusable.
    Config,
    /// No credential could produce a token.
    Auth,
    /// The service answered with a non-success status.
    Http { status: u16, code: Option<String> },
    /// The connection failed (after retries).
    Transport,
    /// A response body was not what the API describes.
    Decode,
    /// The ownership manifest cannot be trusted (unreadable, missing):
    /// nothing is planned or written until it is repaired.
    Manifest,
    /// The plan can no longer be applied as shown (too old, or the workspace
    /// changed under it).
    Stale,
}

/// A deploy error. Its message never contains a token or secret: messages are
/// built from status, error code, request ids and resource names only, and
/// credential errors go through [`crate::deploy::auth::redact`].
#[derive(Debug, thiserror::Error)]
pub struct DeployError {
    pub kind: DeployErrorKind,
    pub message: String,
    /// `x-ms-request-id` of the failing response, when there was one.
    pub request_id: Option<String>,
    /// `x-ms-correlation-request-id` of the failing response.
    pub correlation_id: Option<String>,
}

impl DeployError {
    pub fn new(kind: DeployErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), request_id: None, correlation_id: None }
    }

    pub fn config(message: impl Into<String>) -> Self {
        Self::new(DeployErrorKind::Config, message)
    }

    /// HTTP status of the failure, if it was an HTTP response.
    pub fn status(&self) -> Option<u16> {
        match self.kind {
            DeployErrorKind::Http { status, .. } => Some(status),
            _ => None,
        }
    }
}

impl fmt::Display for DeployError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (x-ms-request-id: {id}")?;
            if let Some(c) = &self.correlation_id {
                write!(f, ", correlation id: {c}")?;
            }
            f.write_str(")")?;
        } else if let Some(c) = &self.correlation_id {
            write!(f, " (correlation id: {c})")?;
        }
        Ok(())
    }
}
