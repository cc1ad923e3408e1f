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

/// Records of CSV text with borrowed fields (the rules of [`parse`]): a
/// field is a slice of the text unless quotes or `""` escapes make it a
/// copy. The same records, lines and errors as [`parse`], without a
/// `String` per field.
pub struct Records<'a> {
    text: &'a str,
    at: usize,
    line: usize,
}

/// A field being read: a slice of the text, until it cannot be one.
enum Building {
    Slice(usize, usize),
    Owned(Vec<u8>),
}

impl Building {
    fn len(&self) -> usize {
        match self {
            Building::Slice(s, e) => e - s,
            Building::Owned(v) => v.len(),
        }
    }

    fn push(&mut self, text: &[u8], at: usize) {
        self.push_range(text, at, at + 1);
    }

    /// Add `text[from..to]` (a run of plain bytes).
    fn push_range(&mut self, text: &[u8], from: usize, to: usize) {
        match self {
            Building::Slice(_, e) if *e == from => *e = to,
            Building::Slice(s, e) if s == e => {
                *s = from;
                *e = to;
            }
            Building::Slice(s, e) => {
                let mut v = text[*s..*e].to_vec();
                v.extend_from_slice(&text[from..to]);
                *self = Building::Owned(v);
            }
            Building::Owned(v) => v.extend_from_slice(&text[from..to]),
        }
    }

    fn take<'a>(&mut self, text: &'a str, next: usize) -> std::borrow::Cow<'a, str> {
        match std::mem::replace(self, Building::Slice(next, next)) {
            Building::Slice(s, e) => std::borrow::Cow::Borrowed(&text[s..e]),
            // the bytes are whole UTF-8 sequences: every cut is at an ASCII byte
            Building::Owned(v) => std::borrow::Cow::Owned(String::from_utf8_lossy(&v).into_owned()),
        }
    }
}

impl<'a> Records<'a> {
    /// The records of `text`, whose first line is `first_line`.
    pub fn new(text: &'a str, first_line: usize) -> Self {
        Records { text, at: 0, line: first_line }
    }

    /// The text not read yet and the line it starts on.
    pub fn rest(&self) -> (&'a str, usize) {
        (&self.text[self.at..], self.line)
    }

    /// The next record into `out` (cleared): `Some(Ok(line))` with its
    /// start line, `Some(Err(line))` for a quoted field left open, `None`
    /// at the end. Blank lines are no records.
    pub fn next_into(&mut self, out: &mut Vec<std::borrow::Cow<'a, str>>) -> Option<Result<usize, usize>> {
        let b = self.text.as_bytes();
        loop {
            out.clear();
            if self.at >= b.len() {
                return None;
            }
            let rec_line = self.line;
            let mut field = Building::Slice(self.at, self.at);
            let mut in_quotes = false;
            let mut i = self.at;
            let mut ended = false;
            while i < b.len() {
                let c = b[i];
                if in_quotes {
                    // a run of bytes with no quote or newline in one step
                    let run = b[i..].iter().position(|&x| x == b'"' || x == b'\n').map_or(b.len(), |p| i + p);
                    if run > i {
                        field.push_range(b, i, run);
                        i = run;
                        continue;
                    }
                    match c {
                        b'"' if b.get(i + 1) == Some(&b'"') => {
                            field.push(b, i + 1);
                            i += 1;
                        }
                        b'"' => in_quotes = false,
                        b'\n' => {
                            self.line += 1;
                            field.push(b, i);
                        }
                        _ => field.push(b, i),
                    }
                    i += 1;
                    continue;
                }
                match c {
                    b'"' if field.len() == 0 => {
                        in_quotes = true;
                        field = Building::Slice(i + 1, i + 1);
                    }
                    b',' => out.push(field.take(self.text, i + 1)),
                    b'\r' if b.get(i + 1) == Some(&b'\n') => {}
                    b'\n' => {
                        out.push(field.take(self.text, i + 1));
                        self.line += 1;
                        i += 1;
                        ended = true;
                        break;
                    }
                    b'\r' => field.push(b, i),
                    _ => {
                        // a run of plain bytes in one step
                        // (this byte is plain, even a quote inside a field)
                        let run = b[i + 1..]
                            .iter()
                            .position(|&x| matches!(x, b',' | b'\n' | b'\r' | b'"'))
                            .map_or(b.len(), |p| i + 1 + p);
                        field.push_range(b, i, run);
                        i = run;
                        continue;
                    }
                }
                i += 1;
            }
            self.at = i;
            if in_quotes {
                self.at = b.len();
                return Some(Err(rec_line));
            }
            if !ended {
                out.push(field.take(self.text, i));
            }
            if out.len() == 1 && out[0].is_empty() {
                continue;
            }
            return Some(Ok(rec_line));
        }
    }
}

#[cfg(test)]
mod borrowed_tests {
    use super::*;

    fn all(text: &str) -> Result<Vec<Record>, (usize, String)> {
        let mut r = Records::new(text, 1);
        let mut out = Vec::new();
        let mut rec = Vec::new();
        while let Some(next) = r.next_into(&mut rec) {
            match next {
                Ok(line) => out.push((line, rec.iter().map(|f| f.to_string()).collect())),
                Err(line) => return Err((line, "a quoted field is not closed".into())),
            }
        }
        Ok(out)
    }

    #[test]
    fn borrowed_records_are_the_records_of_parse() {
        for text in [
            "a,b\n\"x,1\",\"say \"\"hi\"\"\"\n\"multi\nline\",2\r\n",
            "a\n\n\nb,\"\"\n\"\"\nc\r\nd\re\n\"q\"tail,x\"y\"",
            "h\n\"open",
            "",
            "\n\n",
            "x,y\n1,2",
            "\"\"\"a\",\"\"x\n",
            "é,ü\n\"ñ\"\"ñ\",ß\n",
            "ab\"c\"d,\"x\"\"\"\"y\"z\n\"a\r\nb\"\r\n1\r2,3",
        ] {
            assert_eq!(all(text), parse(text), "{text:?}");
        }
    }
}
