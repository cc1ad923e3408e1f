//! From the service's `line`/`pos` of a syntax error to a byte range in the
//! query that was sent.
//!
//! `line` is 1-based. `pos` counts characters from the start of the line,
//! from 0: for `completely invalid syntax` the service answers
//! "Query could not be parsed at 'invalid' on line [1,11]", and `invalid`
//! starts at character 11. Answers quoted elsewhere read as 1-based, so
//! when the reported `token` is not found at `pos` but one character
//! earlier, that is used. The range covers the token when it is found, one
//! character otherwise; a position past the text is clamped to its end, so
//! a diagnostic always has a place to point at.

use crate::span::TextRange;

/// The byte range of a syntax error reported at (`line`, `pos`) with `token`.
pub fn line_pos_to_range(text: &str, line: u32, pos: u32, token: Option<&str>) -> TextRange {
    let Some((line_start, line_text)) = nth_line(text, line) else {
        let end = text.len() as u32;
        return TextRange::empty(end);
    };
    let at = |chars: u32| -> usize { line_text.char_indices().nth(chars as usize).map_or(line_text.len(), |(i, _)| i) };
    let token = token.map(str::trim).filter(|t| !t.is_empty());
    let start = match token {
        Some(t) if !line_text[at(pos)..].starts_with(t) && pos > 0 && line_text[at(pos - 1)..].starts_with(t) => {
            at(pos - 1)
        }
        _ => at(pos),
    };
    let rest = &line_text[start..];
    let len = match token {
        Some(t) if rest.starts_with(t) => t.len(),
        _ => rest.chars().next().map_or(0, char::len_utf8),
    };
    let start = (line_start + start) as u32;
    TextRange::new(start, start + len as u32)
}

/// Byte offset and text (without its line break) of 1-based line `n`.
fn nth_line(text: &str, n: u32) -> Option<(usize, &str)> {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == n as usize {
            return Some((offset, line.trim_end_matches('\n').trim_end_matches('\r')));
        }
        offset += line.len();
    }
    // A query ending with a line break has an empty last line.
    (n as usize == text.split_inclusive('\n').count() + 1 && (text.is_empty() || text.ends_with('\n')))
        .then_some((text.len(), ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, r: TextRange) -> &str {
        &text[r.as_usize_range()]
    }

    #[test]
    fn recorded_position_is_zero_based_and_covers_the_token() {
        let q = "completely invalid syntax";
        assert_eq!(slice(q, line_pos_to_range(q, 1, 11, Some("invalid"))), "invalid");
    }

    #[test]
    fn one_based_answers_are_recognised_by_their_token() {
        let q = "T\n| where x == 1 | | take 5";
        // `| |`: the second bar is character 17 (0-based) of line 2; a
        // 1-based answer says 18, where there is a space.
        let r = line_pos_to_range(q, 2, 18, Some("|"));
        assert_eq!(r.start, 2 + 17);
        assert_eq!(slice(q, r), "|");
    }

    #[test]
    fn multibyte_lines_and_out_of_range_positions_stay_in_bounds() {
        let q = "let s = \"é\";\nT | wher x";
        let r = line_pos_to_range(q, 2, 4, Some("wher"));
        assert_eq!(slice(q, r), "wher");
        let r = line_pos_to_range(q, 1, 9, None);
        assert_eq!(slice(q, r), "é");
        let r = line_pos_to_range(q, 2, 99, Some("zzz"));
        assert_eq!(r, TextRange::empty(q.len() as u32));
        let r = line_pos_to_range(q, 7, 0, None);
        assert_eq!(r, TextRange::empty(q.len() as u32));
        let q = "T |\r\nwhere\n";
        assert_eq!(slice(q, line_pos_to_range(q, 2, 0, Some("where"))), "where");
        assert_eq!(line_pos_to_range(q, 3, 0, None), TextRange::empty(q.len() as u32));
    }
}
