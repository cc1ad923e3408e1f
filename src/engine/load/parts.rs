//! Cutting a file's text into one part per core, at line boundaries, and
//! reading the parts in parallel (results in part order).

/// Parts smaller than this are not worth a thread.
const MIN_PART: usize = 4 << 20;

/// `text` in parts that end at a newline, each with its first line's
/// 1-based number.
pub fn split_lines(text: &str) -> Vec<(&str, usize)> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let n = cores.min(text.len() / MIN_PART).max(1);
    let mut out = Vec::with_capacity(n);
    let (mut start, mut line) = (0usize, 1usize);
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
        let piece = &text[start..end];
        out.push((piece, line));
        line += piece.bytes().filter(|&b| b == b'\n').count();
        start = end;
    }
    out
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
    fn parts_end_at_newlines_and_know_their_first_line() {
        let text = "a\n".repeat(3 << 20);
        let parts = super::split_lines(&text);
        assert_eq!(parts.iter().map(|p| p.0.len()).sum::<usize>(), text.len());
        let mut line = 1;
        for (piece, first) in &parts {
            assert_eq!(*first, line);
            assert!(piece.ends_with('\n'));
            line += piece.matches('\n').count();
        }
        assert_eq!(super::split_lines("x").len(), 1);
    }
}
