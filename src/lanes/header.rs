//! Header lanes: section titles ("Procs (4)") and goroutine group headers
//! (click to fold).

use super::common::{fill_lane, gutter_label};
use super::find::Marking;
use super::lane::{At, Cx, Drawn};
use crate::format::duration;
use crate::model::Model;
use crate::prim::{fit_text, Align, Prim};

pub fn draw_section(p: &mut Vec<Prim>, cx: Cx, at: At) -> Drawn {
    let (view, theme, lane, y) = (cx.view, cx.theme, at.lane, at.y);
    fill_lane(p, lane, y, view, theme.section_bg);
    gutter_label(p, lane, y, &lane.label, (true, 0.0, theme.fg));
    Drawn::default()
}

/// A group header: its label runs across the whole lane.
pub fn draw_group(p: &mut Vec<Prim>, cx: Cx, at: At) -> Drawn {
    let (view, theme, lane, y) = (cx.view, cx.theme, at.lane, at.y);
    fill_lane(p, lane, y, view, theme.lane_alt);
    if let Some(t) = fit_text(&lane.label, view.width - 16.0, 12.0) {
        // The group's name is marked where the search text is in it (not
        // in the count after it).
        if let Some(f) = cx.find {
            let name_end = lane.label.rfind(" (").unwrap_or(lane.label.len());
            Marking::Text(f, name_end, theme).push(p, (6.0, y + lane.h / 2.0), &t, (12.0, true));
        }
        p.push(Prim::Text {
            x: 6.0,
            y: y + lane.h / 2.0,
            text: t,
            color: theme.fg,
            align: Align::Left,
            bold: true,
            size: 12.0,
        });
    }
    Drawn::default()
}

/// Tooltip of group `gi`'s header.
pub fn describe_group(m: &Model, gi: u32) -> Vec<String> {
    let grp = &m.groups[gi as usize];
    vec![
        grp.name.clone(),
        format!(
            "{} goroutines, running {} in total",
            grp.goroutines.len(),
            duration(grp.running as f64)
        ),
        "click to expand or collapse (keyboard: ↑/↓ to it, then Enter)".into(),
    ]
}
