//! The merge's two bookkeeping structures, built to break timestamp ties
//! exactly as Go's v1 parser does: its list of Ps not in the frontier, and
//! its binary heap of ready events.

use std::collections::BTreeSet;

/// Go's list of streams not in the heap ("available procs"), scanned from
/// the front after every merged event; a stream leaving it is replaced by the
/// list's last one. That order decides how timestamp ties fall, so we keep
/// the list, but visit only the entries whose readiness may have changed
/// (new or woken), in the order the full scan would reach them.
pub struct Available {
    list: Vec<usize>,
    /// Position in `list` of each stream (if it is in the list).
    pos: Vec<Option<usize>>,
    /// List positions to visit.
    candidates: BTreeSet<usize>,
}

impl Available {
    pub fn new(n: usize) -> Self {
        Available {
            list: (0..n).collect(),
            pos: (0..n).map(Some).collect(),
            candidates: (0..n).collect(),
        }
    }

    /// The first position still to visit, and its stream.
    pub fn next_candidate(&mut self) -> Option<(usize, usize)> {
        let i = self.candidates.pop_first()?;
        Some((i, *self.list.get(i)?))
    }

    /// Removes position `i`, moving the last entry there (as Go does).
    pub fn remove_at(&mut self, i: usize) {
        let Some(last) = self.list.len().checked_sub(1) else {
            return;
        };
        if i > last {
            return;
        }
        self.list.swap(i, last);
        if let Some(s) = self.list.pop() {
            if let Some(p) = self.pos.get_mut(s) {
                *p = None;
            }
        }
        if i != last {
            if let Some(&moved) = self.list.get(i) {
                if let Some(p) = self.pos.get_mut(moved) {
                    *p = Some(i);
                }
                // A moved candidate is now visited at its new position.
                if self.candidates.remove(&last) {
                    self.candidates.insert(i);
                }
            }
        }
    }

    /// Appends a stream (taken from the heap) and marks it to visit.
    pub fn push(&mut self, s: usize) {
        let i = self.list.len();
        self.list.push(s);
        if let Some(p) = self.pos.get_mut(s) {
            *p = Some(i);
        }
        self.candidates.insert(i);
    }

    /// Marks a waiting stream to visit again.
    pub fn wake(&mut self, s: usize) {
        if let Some(&Some(i)) = self.pos.get(s) {
            self.candidates.insert(i);
        }
    }
}

/// Binary min-heap on time, with the sifts of Go's v1 parser: a new item
/// rises only above strictly later items, and a sinking item follows the
/// right child only if it is strictly earlier than the left. Equal times
/// therefore come out in the same order as in Go.
#[derive(Default)]
pub struct TieHeap {
    items: Vec<(i64, usize)>,
}

impl TieHeap {
    fn earlier(&self, a: usize, b: usize) -> bool {
        match (self.items.get(a), self.items.get(b)) {
            (Some(x), Some(y)) => x.0 < y.0,
            _ => false,
        }
    }

    pub fn push(&mut self, ts: i64, s: usize) {
        self.items.push((ts, s));
        let mut j = self.items.len() - 1;
        while j > 0 {
            let parent = (j - 1) / 2;
            if !self.earlier(j, parent) {
                break;
            }
            self.items.swap(j, parent);
            j = parent;
        }
    }

    pub fn pop(&mut self) -> Option<usize> {
        let n = self.items.len().checked_sub(1)?;
        self.items.swap(0, n);
        let mut i = 0;
        loop {
            let left = 2 * i + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && self.earlier(right, left) {
                right
            } else {
                left
            };
            if !self.earlier(child, i) {
                break;
            }
            self.items.swap(i, child);
            i = child;
        }
        self.items.pop().map(|(_, s)| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heap_breaks_ties_like_go() {
        // Equal times: a pushed item never rises above an equal parent, and
        // popping moves the last item to the root and sinks it to the left.
        let mut h = TieHeap::default();
        for s in 0..5 {
            h.push(7, s);
        }
        let order: Vec<usize> = std::iter::from_fn(|| h.pop()).collect();
        assert_eq!(order, vec![0, 4, 3, 2, 1]);
        let mut h = TieHeap::default();
        for (t, s) in [(3, 0), (1, 1), (2, 2), (1, 3)] {
            h.push(t, s);
        }
        let order: Vec<usize> = std::iter::from_fn(|| h.pop()).collect();
        assert_eq!(order, vec![1, 3, 2, 0]);
    }

    #[test]
    fn available_list_moves_the_last_entry_into_gaps() {
        let mut a = Available::new(4);
        assert_eq!(a.next_candidate(), Some((0, 0)));
        a.remove_at(0); // stream 3 moves to position 0 and is visited next
        assert_eq!(a.next_candidate(), Some((0, 3)));
        assert_eq!(a.next_candidate(), Some((1, 1)));
        assert_eq!(a.next_candidate(), Some((2, 2)));
        assert_eq!(a.next_candidate(), None);
        a.push(0);
        a.wake(1);
        assert_eq!(a.next_candidate(), Some((1, 1)));
        assert_eq!(a.next_candidate(), Some((3, 0)));
    }
}
