//! What the details panel says about a selected goroutine span (pure).

use gotrace::timeline::SpanState;

use crate::model::Model;

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
    pub end: f64,
    pub duration: f64,
    /// The P and the thread (M) the goroutine ran on, for a running slice.
    pub proc: Option<i64>,
    pub thread: Option<i64>,
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

/// How far the details panel looks for the previous/next drawn span.
const NEIGHBOUR_SCAN: usize = 64;

/// Details of span `span` of goroutine index `g` (`None` if there is no such span).
pub fn span_details(m: &Model, g: u32, span: u32) -> Option<SpanDetails> {
    let tl = &m.tl;
    let gi = g as usize;
    let gr = tl.goroutines.get(gi)?;
    let i = span as usize;
    let sp = tl.span(gi, i)?;
    let k = sp.kind;
    let reason = tl.strings.get(k.reason);
    let state = if reason.is_empty() {
        k.state.name().to_string()
    } else {
        format!("{}: {}", k.state.name(), reason)
    };
    let before = tl.span(gi, i.wrapping_sub(1));
    let after = tl.span(gi, i + 1);
    let prev = (1..=NEIGHBOUR_SCAN.min(i))
        .filter_map(|d| tl.span(gi, i - d))
        .find(|s| s.kind.state.is_drawn())
        .map(|s| s.index as u32);
    let next = (i + 1..)
        .take(NEIGHBOUR_SCAN)
        .map_while(|j| tl.span(gi, j))
        .find(|s| s.kind.state.is_drawn())
        .map(|s| s.index as u32);

    // The stack that began this state; for a running span (which has none),
    // the stack where it stopped.
    let (stack_title, stack) = {
        let own = sp.stack;
        let prev_state = before.map(|s| s.kind.state);
        let next_stack = after.map_or(0, |s| s.stack);
        let prev_stack = before.map_or(0, |s| s.stack);
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
    let unblocker = tl
        .goroutine_index(sp.unblocker)
        .filter(|_| sp.unblocker >= 0)
        .map(|u| (u as u32, sp.unblocker, sp.end as f64));
    // Where it ran: the P / thread lane that has this goroutine mid-slice.
    let mid = sp.start + (sp.end - sp.start) / 2;
    let on = |lanes: &[gotrace::timeline::ExecLane]| {
        lanes
            .iter()
            .find(|l| {
                l.at(mid)
                    .is_some_and(|e| e.goroutine == gr.id && !e.syscall)
            })
            .map(|l| l.id)
    };
    let running = k.state == SpanState::Running;
    let proc = if running { on(&tl.procs) } else { None };
    let thread = if running { on(&tl.threads) } else { None };
    Some(SpanDetails {
        goroutine_index: g,
        goroutine_id: gr.id,
        name: tl.goroutine_name(gi),
        span,
        state,
        start: sp.start as f64,
        end: sp.end as f64,
        proc,
        thread,
        duration: (sp.end - sp.start) as f64,
        stack_title,
        stack,
        prev,
        next,
        unblocker,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_of_a_wait() {
        let m = crate::fixture::model();
        let i = m.tl.span_at(0, 500_000).unwrap() as u32;
        let d = span_details(&m, 0, i).unwrap();
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
        assert_eq!(span_details(&m, 0, 0).unwrap().prev, None);
        assert_eq!(span_details(&m, 0, 0).unwrap().state, "running");
        assert_eq!(span_details(&m, 0, 1 << 30), None);
    }
}
