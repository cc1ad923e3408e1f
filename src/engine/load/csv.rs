//! RFC 4180 records: quoted fields with `""` escapes and line breaks inside
//! quotes; CRLF or LF line ends. Each record with its 1-based start line.

/// A record: its 1-based start line and fields.
pub type Record = (usize, Vec<String>);

/// The records, or the line and reason of the first malformed one.
pub fn parse(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut rec = Vec::new();
    let mut line = 1;
    let mut rec_line = 1;
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => in_quotes = true,
            ',' => rec.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                rec.push(std::mem::take(&mut field));
                out.push((rec_line, std::mem::take(&mut rec)));
                line += 1;
                rec_line = line;
                any = false;
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err((rec_line, "a quoted field is not closed".into()));
    }
    if any {
        rec.push(field);
        out.push((rec_line, rec));
    }
    // blank lines are no records
    out.retain(|(_, r)| !(r.len() == 1 && r[0].is_empty()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_escapes_and_line_breaks() {
        let r = super::parse("a,b\n\"x,1\",\"say \"\"hi\"\"\"\n\"multi\nline\",2\r\n").unwrap();
        assert_eq!(r[1].1, vec!["x,1", "say \"hi\""]);
        assert_eq!(r[2], (3, vec!["multi\nline".to_string(), "2".to_string()]));
        assert!(super::parse("a\n\"open").is_err());
    }
}
