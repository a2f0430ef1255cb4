//! What the details panel says about a selected goroutine span (pure).

use gotrace::timeline::{SpanState, NO_INDEX};

use crate::layout::Model;
use crate::scene::is_drawn;

#[derive(Clone, Debug, PartialEq)]
pub struct StackLine {
    pub func: String,
    /// `file:line`
    pub location: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SpanDetails {
    pub goroutine_index: u32,
    pub goroutine_id: i64,
    /// Start function.
    pub name: String,
    pub span: u32,
    /// `"running"`, `"waiting: chan receive"`, ...
    pub state: String,
    pub start: f64,
    pub duration: f64,
    /// What the stack is ("Blocked at", ...), and its frames, leaf first.
    pub stack_title: String,
    pub stack: Vec<StackLine>,
    /// Previous / next drawn span of the same goroutine.
    pub prev: Option<u32>,
    pub next: Option<u32>,
    /// Goroutine (index, id) that ended this wait, and when.
    pub unblocker: Option<(u32, i64, f64)>,
}

fn stack_lines(m: &Model, stack: u32) -> Vec<StackLine> {
    let tl = &m.tl;
    tl.stacks
        .get(stack)
        .map(|f| StackLine {
            func: tl.strings.get(f.func).into_owned(),
            location: format!("{}:{}", tl.strings.get(f.file), f.line),
        })
        .collect()
}

/// Details of span `span` of goroutine index `g`.
pub fn span_details(m: &Model, g: u32, span: u32) -> SpanDetails {
    let tl = &m.tl;
    let gr = &tl.goroutines[g as usize];
    let i = span as usize;
    let k = tl.spans.kind_of(i);
    let reason = tl.strings.get(k.reason);
    let state = if reason.is_empty() {
        k.state.name().to_string()
    } else {
        format!("{}: {}", k.state.name(), reason)
    };
    let start = tl.spans.start[i] as f64;
    let end = tl.span_end(gr, i) as f64;
    let range = gr.spans_start as usize..gr.spans_end as usize;
    let drawn = |j: &usize| is_drawn(tl.spans.kind_of(*j).state);
    let prev = (range.start..i).rev().find(drawn).map(|j| j as u32);
    let next = (i + 1..range.end).find(drawn).map(|j| j as u32);

    // The stack that began this state; for a running span (which has none),
    // the stack where it stopped.
    let (stack_title, stack) = {
        let own = tl.spans.stack[i];
        let prev_state = (i > range.start).then(|| tl.spans.kind_of(i - 1).state);
        let next_stack = if i + 1 < range.end {
            tl.spans.stack[i + 1]
        } else {
            0
        };
        let prev_stack = if i > range.start {
            tl.spans.stack[i - 1]
        } else {
            0
        };
        if own != 0 {
            let title = match (k.state, prev_state) {
                (SpanState::Waiting, _) => "Blocked at",
                (SpanState::Syscall, _) => "System call at",
                (SpanState::Runnable, None | Some(SpanState::NotExist)) => {
                    "Created at (creator's stack)"
                }
                (SpanState::Runnable, Some(SpanState::Waiting)) => "Woken up by (waker's stack)",
                (SpanState::Runnable, _) => "Stopped at",
                _ => "Stack",
            };
            (title.to_string(), stack_lines(m, own))
        } else if k.state == SpanState::Running && next_stack != 0 {
            ("Stopped running at".to_string(), stack_lines(m, next_stack))
        } else if prev_state == Some(SpanState::Waiting) && prev_stack != 0 {
            ("Was blocked at".to_string(), stack_lines(m, prev_stack))
        } else {
            ("Stack".to_string(), Vec::new())
        }
    };
    let u = tl.spans.unblocker[i];
    let unblocker = (u != NO_INDEX).then(|| (u, tl.goroutines[u as usize].id, end));
    SpanDetails {
        goroutine_index: g,
        goroutine_id: gr.id,
        name: tl.goroutine_name(g as usize),
        span,
        state,
        start,
        duration: end - start,
        stack_title,
        stack,
        prev,
        next,
        unblocker,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_of_a_wait() {
        let m = crate::layout::tests::model();
        let i = m.tl.span_at(0, 500_000).unwrap() as u32;
        let d = span_details(&m, 0, i);
        assert_eq!(d.goroutine_id, 1);
        assert_eq!(d.name, "main.worker");
        assert_eq!(d.state, "waiting: chan receive");
        assert_eq!(d.stack_title, "Blocked at");
        assert_eq!(
            d.stack,
            vec![StackLine {
                func: "main.worker".into(),
                location: "w.go:3".into()
            }]
        );
        assert_eq!(d.unblocker.map(|u| u.1), Some(2));
        assert_eq!(d.unblocker.unwrap().2, 1_000_000.0);
        assert!(d.prev.is_some());
        assert!(d.next.is_some());
        assert!(d.duration > 900_000.0);
        // The first span has no previous one.
        let first = m.tl.goroutines[0].spans_start;
        assert_eq!(span_details(&m, 0, first).prev, None);
        assert_eq!(span_details(&m, 0, first).state, "running");
    }
}
