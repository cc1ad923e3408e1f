//! Microsoft Sentinel reference tables shared by the linter and the emitters.
//!
//! Everything here is data from the Azure-Sentinel repository's CI (see
//! `schemas/sentinel/README.md` for provenance), embedded into the binary so
//! the tool works from any directory:
//!
//! - [`tactics`]: the MITRE ATT&CK tactics Sentinel accepts;
//! - [`techniques`]: technique id → tactics table used for pairing checks;
//! - [`entities`]: entity types with their valid and required identifiers;
//! - [`connectors`]: the valid `requiredDataConnectors[].connectorId` values.

pub mod connectors;
pub mod entities;
pub mod limits;
pub mod tactics;
pub mod techniques;
