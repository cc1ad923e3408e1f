//! Both cores for the loops over many rows (`where` kernels, gathering
//! columns): the rows are split into one contiguous chunk per thread and
//! the chunks' results come back in row order. Below
//! [`MIN_ROWS_PER_THREAD`] rows a thread costs more than it saves, so
//! small inputs (every rule test) stay on the calling thread.
//!
//! Only plain data crosses threads (cells are `Arc`-shared, `Send` and
//! `Sync`); the evaluation context, with its `Rc` scopes, never does.

use std::ops::Range;

/// Rows a thread must have to be worth starting. The library's own unit
/// tests use a low bar, so every engine test with more than a few hundred
/// rows runs the multi-core paths too.
#[cfg(not(test))]
pub const MIN_ROWS_PER_THREAD: usize = 1 << 16;
#[cfg(test)]
pub const MIN_ROWS_PER_THREAD: usize = 256;

/// The cores this process may use, read once (the standard library reads
/// cgroup files each time it is asked, which costs more than a small query).
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |c| c.get()).clamp(1, 8))
}

/// How many threads a loop over `n` rows uses.
pub fn threads_for(n: usize) -> usize {
    (n / MIN_ROWS_PER_THREAD).clamp(1, cores())
}

/// `f` over contiguous chunks of `0..n`, one per thread, results in order.
pub fn chunked<T: Send>(n: usize, f: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    let k = threads_for(n);
    if k == 1 {
        return vec![f(0..n)];
    }
    let ranges = split(n, k);
    std::thread::scope(|s| {
        let f = &f;
        let mut handles = Vec::with_capacity(k);
        for r in ranges.iter().skip(1).cloned() {
            handles.push(s.spawn(move || f(r)));
        }
        let mut out = vec![f(ranges[0].clone())];
        for h in handles {
            out.push(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    })
}

/// `f` over each item, spread over the threads when `rows` (the work per
/// item) is large; results in order.
pub fn map_items<I: Sync, T: Send>(items: &[I], rows: usize, f: impl Fn(&I) -> T + Sync) -> Vec<T> {
    if items.len() < 2 || rows < MIN_ROWS_PER_THREAD * 2 || cores() == 1 {
        return items.iter().map(f).collect();
    }
    let parts = split(items.len(), cores().min(items.len()));
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> =
            parts.into_iter().map(|r| s.spawn(move || items[r].iter().map(f).collect::<Vec<T>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// `0..n` cut into `k` contiguous ranges of near-equal length, in order.
fn split(n: usize, k: usize) -> Vec<Range<usize>> {
    let step = n.div_ceil(k.max(1));
    (0..k).map(|j| (j * step).min(n)..((j + 1) * step).min(n)).filter(|r| !r.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_row_once_in_order() {
        for n in [0, 1, 5, MIN_ROWS_PER_THREAD * 2 + 7, MIN_ROWS_PER_THREAD * 9] {
            let parts = chunked(n, |r| r.collect::<Vec<usize>>());
            let all: Vec<usize> = parts.into_iter().flatten().collect();
            assert_eq!(all, (0..n).collect::<Vec<_>>(), "n = {n}");
        }
    }

    #[test]
    fn items_map_in_order_on_any_thread_count() {
        let items: Vec<usize> = (0..13).collect();
        assert_eq!(map_items(&items, MIN_ROWS_PER_THREAD * 4, |x| x * 2), (0..13).map(|x| x * 2).collect::<Vec<_>>());
        assert_eq!(map_items(&items, 10, |x| x + 1), (1..14).collect::<Vec<_>>());
    }
}
