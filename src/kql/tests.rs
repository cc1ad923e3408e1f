//! Parser tests: constructs, diagnostics, fixtures, round trips, depth.
