//! Native cost of building a frame (layout + scene) on a large trace, for the
//! keyboard pan/zoom sequence the viewer benchmark replays:
//!
//!     cargo run --release --example frame_bench -- bench/out/big.trace
fn main() {
    use gotrace_viewer::{layout, scene, theme::Theme, view::View};
    use std::time::Instant;
    let file = std::env::args().nth(1).expect("usage: frame_bench FILE");
    let data = std::fs::read(&file).expect("read trace");
    let tl = gotrace::timeline::build(&data, 0, |_, _, _| {}).expect("trace");
    let m = layout::Model::new(tl);
    let lanes = layout::lanes(&m, &m.default_collapsed());
    let theme = Theme::new(false);
    let mut v = View::new(m.tl.duration, 1400.0, 900.0);
    let keys = ["w", "w", "d", "d", "a", "s", "w", "d", "a", "a", "s", "s"];
    {
        let sc = scene::build(&m, &lanes, &v, &theme, None);
        let mut kinds = std::collections::BTreeMap::new();
        for p in &sc.prims {
            let k = format!("{p:?}");
            let k = k.split([' ', '(']).next().unwrap_or("").to_string();
            *kinds.entry(k).or_insert(0) += 1;
        }
        eprintln!("prims at full view: {kinds:?}");
    }
    let mut times = Vec::new();
    let mut prims = Vec::new();
    for i in 0..240 {
        match keys[i % keys.len()] {
            "w" => v.zoom_at(0.8, 700.0),
            "s" => v.zoom_at(1.25, 700.0),
            "a" => v.pan_px(-100.0),
            _ => v.pan_px(100.0),
        }
        let t = Instant::now();
        let sc = scene::build(&m, &lanes, &v, &theme, None);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        prims.push(sc.prims.len());
    }
    times.sort_by(|a, b| a.total_cmp(b));
    prims.sort();
    let p = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "{{\"frames\":{},\"scene_ms_p50\":{:.2},\"scene_ms_p95\":{:.2},\"scene_ms_max\":{:.2},\"prims_p50\":{},\"prims_max\":{},\"lanes\":{}}}",
        times.len(),
        p(0.5),
        p(0.95),
        times[times.len() - 1],
        prims[prims.len() / 2],
        prims[prims.len() - 1],
        lanes.len()
    );
}
