//! What every lane kind shares: the lane list's element ([`Lane`], its
//! [`LaneKind`]), what a pointer can hit ([`Hit`]), lane heights and the
//! vertical mapping. A leaf under the lane kinds.

use crate::filter::Filter;
use crate::model::Model;
use crate::theme::Theme;
use crate::view::{View, AXIS_H};

pub const COUNTER_H: f64 = 44.0;
pub const GC_H: f64 = 18.0;
pub const PROC_H: f64 = 20.0;
pub const SECTION_H: f64 = 22.0;
pub const GROUP_H: f64 = 20.0;
pub const GOROUTINE_H: f64 = 16.0;
pub const REGION_H: f64 = 12.0;
pub const LANE_GAP: f64 = 2.0;

/// What a lane shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaneKind {
    /// A section title ("Procs", "Goroutines").
    Section,
    /// Goroutines running / runnable / in syscall, stacked.
    Goroutines,
    /// Goroutines waiting.
    Waiting,
    /// Heap in use vs heap goal.
    Heap,
    /// Threads: Ps running Go code and goroutines in syscalls.
    Threads,
    /// GC mark phases and stop-the-world pauses.
    Gc,
    /// Goroutines running on P (index into `Timeline::procs`).
    Proc(u32),
    /// Goroutines running on an OS thread (index into `Timeline::threads`).
    Thread(u32),
    /// CPU profile samples.
    Samples,
    /// Header of a goroutine group (index into `Model::groups`).
    Group(u32),
    /// Goroutine states (goroutine index).
    Goroutine(u32),
    /// User regions of a goroutine at one nesting depth.
    Regions(u32, u16),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub kind: LaneKind,
    /// Top, in content coordinates (before scrolling, below the axis).
    pub y: f64,
    pub h: f64,
    pub label: String,
}
/// What is under a canvas point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Hit {
    /// A goroutine span (goroutine index, span index).
    Span(u32, u32),
    /// A P span (P index, span index in its lane).
    ProcSpan(u32, u32),
    /// A thread span (thread index, span index in its lane).
    ThreadSpan(u32, u32),
    /// A CPU sample (index in `Timeline::samples`).
    Sample(u32),
    /// A region (index in `Timeline::regions`).
    Region(u32),
    /// A GC range (index in `Timeline::ranges`).
    Range(u32),
    /// A user log message (index in `Timeline::logs`).
    Log(u32),
    /// A group header (group index).
    Group(u32),
    /// A foldable section header (its `SECTION_*` bit).
    Section(u8),
    /// A counter lane at time t.
    Counter(LaneKind, f64),
}
/// Canvas y of a lane's top.
pub fn lane_screen_y(lane: &Lane, view: &View) -> f64 {
    AXIS_H + lane.y - view.scroll_y
}

/// What a lane kind drew (exposed to tests through `scene::LaneStat`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Drawn {
    /// Runs (or ticks, or counter series) drawn.
    pub runs: usize,
    /// Centre x of the widest drawn run, if any.
    pub widest_x: Option<f64>,
}

/// What a lane kind draws with: the model, the view, the colours and the
/// search whose hits it marks.
#[derive(Clone, Copy)]
pub struct Cx<'a> {
    pub m: &'a Model,
    pub view: &'a View,
    pub theme: &'a Theme,
    pub find: Option<&'a Filter>,
}

/// Where a lane is drawn: the lane, its top (canvas y), and its position in
/// the lane list (for the alternating stripes).
#[derive(Clone, Copy)]
pub struct At<'a> {
    pub lane: &'a Lane,
    pub y: f64,
    pub index: usize,
}
