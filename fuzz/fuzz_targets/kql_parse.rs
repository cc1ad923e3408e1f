//! Fuzz `sentinel_forge::kql::parse`: never panics, every range in bounds and
//! on char boundaries, and accepted queries print to text that parses back
//! to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sentinel_forge::kql;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = kql::parse(text);
    let len = text.len() as u32;
    for e in &parsed.errors {
        assert!(e.range.start <= e.range.end && e.range.end <= len, "range {:?} out of bounds", e.range);
        assert!(text.is_char_boundary(e.range.start as usize) && text.is_char_boundary(e.range.end as usize));
    }
    if parsed.errors.is_empty() {
        let printed = parsed.query.to_string();
        let again = kql::parse(&printed);
        assert!(again.errors.is_empty(), "printed text does not parse: {printed:?}");
        assert!(again.query.same_shape(&parsed.query), "round trip changed the tree: {printed:?}");
    }
});
