//! Reading a data file's text defensively: line by line, so a file that is
//! binary, has an enormous line, or is not UTF-8 gives problems with
//! file:line instead of a panic or an unbounded allocation. A line over
//! [`MAX_LINE`] is skipped without being held in memory; after
//! [`MAX_BAD_LINES`] bad lines the rest of the file is skipped.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::LoadProblem;

/// Longest line read (bytes); longer lines are skipped and reported.
pub const MAX_LINE: usize = 16 << 20;

/// Longest line of a `.json` query API response (one document, often one line).
pub const MAX_DOCUMENT: usize = 512 << 20;

/// Bad lines reported per file before the rest of it is skipped.
pub const MAX_BAD_LINES: usize = 20;

/// The text of `reader`, with each line longer than `max_line` bytes or not
/// UTF-8 replaced by an empty line (so later lines keep their numbers) and
/// reported. `None` when reading failed or the file gave too many bad lines.
pub fn read_text_limited(
    reader: impl Read,
    path: &Path,
    problems: &mut Vec<LoadProblem>,
    max_line: usize,
) -> Option<String> {
    let mut r = BufReader::with_capacity(1 << 20, reader);
    let mut out = String::new();
    let mut line_no = 0usize;
    let mut bad = 0usize;
    let mut line: Vec<u8> = Vec::new();
    let problem = |problems: &mut Vec<LoadProblem>, line: usize, message: String| {
        problems.push(LoadProblem { file: path.to_path_buf(), line, column: None, message });
    };
    loop {
        line.clear();
        line_no += 1;
        // the common case: the whole line is in the buffer, and UTF-8
        match r.fill_buf() {
            Ok(buf) => {
                if let Some(i) = buf.iter().position(|&b| b == b'\n').filter(|&i| i <= max_line)
                    && let Ok(s) = std::str::from_utf8(&buf[..i])
                {
                    out.push_str(s);
                    out.push('\n');
                    r.consume(i + 1);
                    continue;
                }
            }
            Err(e) => {
                problem(problems, line_no, format!("cannot read: {e}"));
                return None;
            }
        }
        // read up to the newline, keeping at most `max_line` bytes
        let mut too_long = false;
        let mut ended = false;
        loop {
            let buf = match r.fill_buf() {
                Ok(b) => b,
                Err(e) => {
                    problem(problems, line_no, format!("cannot read: {e}"));
                    return None;
                }
            };
            if buf.is_empty() {
                ended = true;
                break;
            }
            let (chunk, found) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (&buf[..=i], true),
                None => (buf, false),
            };
            let used = chunk.len();
            if !too_long && line.len() + used <= max_line + 1 {
                line.extend_from_slice(chunk);
            } else {
                too_long = true;
                line.clear();
            }
            r.consume(used);
            if found {
                break;
            }
        }
        if ended && line.is_empty() && !too_long {
            break;
        }
        let had_newline = line.last() == Some(&b'\n');
        if too_long {
            bad += 1;
            problem(problems, line_no, format!("the line is longer than {} MiB; it is skipped", max_line >> 20));
        } else {
            match std::str::from_utf8(&line) {
                Ok(s) => out.push_str(s.trim_end_matches('\n')),
                Err(_) => {
                    bad += 1;
                    problem(problems, line_no, "not UTF-8 text (a binary file?); the line is skipped".into());
                }
            }
        }
        if bad >= MAX_BAD_LINES {
            problem(problems, line_no, format!("{bad} bad lines; the rest of the file is skipped"));
            return None;
        }
        out.push('\n');
        if ended || (!had_newline && !too_long) {
            break;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], max: usize) -> (Option<String>, Vec<LoadProblem>) {
        let mut p = Vec::new();
        let t = read_text_limited(bytes, Path::new("F.jsonl"), &mut p, max);
        (t, p)
    }

    #[test]
    fn long_and_binary_lines_are_skipped_with_their_line_numbers() {
        let mut data = b"ok1\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 5000));
        data.extend(b"\nok3\n\xff\xfe\nok5");
        let (t, p) = read(&data, 1024);
        assert_eq!(t.as_deref(), Some("ok1\n\nok3\n\nok5\n"));
        assert_eq!(p.iter().map(|p| p.line).collect::<Vec<_>>(), [2, 4]);
        assert!(p[0].message.contains("longer than"), "{}", p[0].message);
        assert!(p[1].message.contains("UTF-8"));
    }

    #[test]
    fn a_binary_file_stops_after_a_few_bad_lines() {
        let data: Vec<u8> = (0..100_000u32).map(|i| if i % 97 == 0 { b'\n' } else { 0x80 | (i % 64) as u8 }).collect();
        let (t, p) = read(&data, 1024);
        assert!(t.is_none());
        assert_eq!(p.len(), MAX_BAD_LINES + 1);
    }
}
