//! SNT008: `name` above 256 or `description` above 5000 characters.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};

use super::{at, for_kind};

crate::lint_code! {
    /// What: a `name` longer than 256 characters or a `description` longer
    /// than 5000 characters.
    ///
    /// Why: CI's model has `StringLength(256)` / `StringLength(5000)`
    ///, and the portal truncates longer text.
    /// For hunting queries this is a warning (CI checks analytic rules only).
    ///
    /// Example: a description that pastes a whole blog post.
    ///
    /// Fix: shorten it and link to the long form.
    CODE = ("SNT008", "text-too-long", Error);
}

pub struct TextTooLong;

impl Rule for TextTooLong {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        for (field, key, max) in [(Field::Name, "name", 256), (Field::Description, "description", 5000)] {
            let Some((text, node)) = doc.text_field(field) else { continue };
            let n = text.chars().count();
            if n > max {
                let d = at(
                    CODE,
                    doc,
                    node,
                    format!("`{key}` is {n} characters, above {max}"),
                    format!("at most {max} characters"),
                );
                out.push(for_kind(d, doc));
            }
        }
    }
}
