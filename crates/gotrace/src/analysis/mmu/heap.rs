//! A binary min-heap over a slice with a caller-supplied order.
//!
//! The MMU search must visit bands and keep worst windows in exactly the
//! order Go's `container/heap` does (ties decide which of several equal
//! windows survive), so this is the textbook array heap with the same sift
//! rules: children `2i+1`/`2i+2`, the right child wins only when strictly
//! smaller, and a sift stops as soon as the parent is not larger.

/// Moves element `i` down within `v[..n]`; whether it moved.
pub(crate) fn sift_down<T>(
    v: &mut [T],
    start: usize,
    n: usize,
    less: &impl Fn(&T, &T) -> bool,
) -> bool {
    let mut i = start;
    loop {
        let left = 2 * i + 1;
        if left >= n {
            break;
        }
        let mut child = left;
        let right = left + 1;
        if right < n && less(&v[right], &v[left]) {
            child = right;
        }
        if !less(&v[child], &v[i]) {
            break;
        }
        v.swap(i, child);
        i = child;
    }
    i > start
}

/// Moves element `j` up.
pub(crate) fn sift_up<T>(v: &mut [T], mut j: usize, less: &impl Fn(&T, &T) -> bool) {
    while j > 0 {
        let parent = (j - 1) / 2;
        if !less(&v[j], &v[parent]) {
            break;
        }
        v.swap(parent, j);
        j = parent;
    }
}

/// Establishes the heap order over all of `v`.
pub(crate) fn heapify<T>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    let n = v.len();
    for i in (0..n / 2).rev() {
        sift_down(v, i, n, less);
    }
}

/// Removes and returns the least element.
pub(crate) fn pop<T>(v: &mut Vec<T>, less: &impl Fn(&T, &T) -> bool) -> Option<T> {
    let n = v.len().checked_sub(1)?;
    v.swap(0, n);
    sift_down(v, 0, n, less);
    v.pop()
}

/// Adds an element.
pub(crate) fn push<T>(v: &mut Vec<T>, x: T, less: &impl Fn(&T, &T) -> bool) {
    v.push(x);
    let last = v.len() - 1;
    sift_up(v, last, less);
}

/// Removes and returns the element at index `i`.
pub(crate) fn remove_at<T>(v: &mut Vec<T>, i: usize, less: &impl Fn(&T, &T) -> bool) -> Option<T> {
    let n = v.len().checked_sub(1)?;
    if i > n {
        return None;
    }
    if i != n {
        v.swap(i, n);
        if !sift_down(v, i, n, less) {
            sift_up(v, i, less);
        }
    }
    v.pop()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_order() {
        let less = |a: &i32, b: &i32| a < b;
        let mut v = vec![5, 3, 9, 1, 7, 3, 0];
        heapify(&mut v, &less);
        push(&mut v, 4, &less);
        let i = v.iter().position(|&x| x == 9).unwrap();
        assert_eq!(remove_at(&mut v, i, &less), Some(9));
        let mut out = Vec::new();
        while let Some(x) = pop(&mut v, &less) {
            out.push(x);
        }
        assert_eq!(out, vec![0, 1, 3, 3, 4, 5, 7]);
    }
}
