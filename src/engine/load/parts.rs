//! Cutting a file's text into one part per core, at line boundaries, and
//! reading the parts in parallel (results in part order).

/// Parts smaller than this are not worth a thread.
const MIN_PART: usize = 4 << 20;

/// `text` in parts that end at a newline (each part counts its own lines,
/// in its own thread; see [`offsets`]).
pub fn split_lines(text: &str) -> Vec<&str> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let n = cores.min(text.len() / MIN_PART).max(1);
    let mut out = Vec::with_capacity(n);
    let mut start = 0usize;
    for k in 1..=n {
        let end = if k == n {
            text.len()
        } else {
            let target = (text.len() * k / n).max(start);
            match text.as_bytes()[target..].iter().position(|&b| b == b'\n') {
                Some(p) => target + p + 1,
                None => text.len(),
            }
        };
        if end <= start && k != n {
            continue;
        }
        out.push(&text[start..end]);
        start = end;
    }
    out
}

/// The number to add to each part's own (1-based) line numbers, from the
/// newlines each part holds.
pub fn offsets(newlines: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut at = 0;
    newlines
        .map(|n| {
            let here = at;
            at += n;
            here
        })
        .collect()
}

/// `f` over every item, one thread per item beyond the first.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() <= 1 {
        return items.iter().map(&f).collect();
    }
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = items[1..].iter().map(|it| s.spawn(move || f(it))).collect();
        let mut out = vec![f(&items[0])];
        out.extend(handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))));
        out
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn parts_end_at_newlines_and_offsets_follow_their_lines() {
        let text = "a\n".repeat(3 << 20);
        let parts = super::split_lines(&text);
        assert_eq!(parts.concat(), text);
        assert!(parts.iter().all(|p| p.ends_with('\n')));
        let offsets = super::offsets(parts.iter().map(|p| p.matches('\n').count()));
        assert_eq!(offsets[0], 0);
        assert_eq!(offsets.last().copied(), Some(text.len() / 2 - parts.last().unwrap().len() / 2));
        assert_eq!(super::split_lines("x"), ["x"]);
    }
}
