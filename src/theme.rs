//! Colours for the canvas, light and dark (chosen from `prefers-color-scheme`).

use gotrace::timeline::KEYS;

/// An sRGB colour with alpha.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgba(pub u8, pub u8, pub u8, pub u8);

impl Rgba {
    pub const fn hex(v: u32) -> Rgba {
        Rgba((v >> 16) as u8, (v >> 8) as u8, v as u8, 255)
    }
    pub const fn alpha(self, a: u8) -> Rgba {
        Rgba(self.0, self.1, self.2, a)
    }
    /// CSS colour text (`#rrggbb` or `rgba(...)`).
    pub fn css(self) -> String {
        if self.3 == 255 {
            format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
        } else {
            format!(
                "rgba({},{},{},{:.3})",
                self.0,
                self.1,
                self.2,
                self.3 as f64 / 255.0
            )
        }
    }
}

/// HSL (degrees, 0..1, 0..1) to RGB.
pub fn hsl(h: f64, s: f64, l: f64) -> Rgba {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = (h.rem_euclid(360.0)) / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let f = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    Rgba(f(r), f(g), f(b), 255)
}

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub dark: bool,
    pub bg: Rgba,
    pub fg: Rgba,
    pub muted: Rgba,
    pub grid: Rgba,
    pub lane_alt: Rgba,
    pub section_bg: Rgba,
    pub axis_bg: Rgba,
    pub selection: Rgba,
    pub selection_edge: Rgba,
    pub outline: Rgba,
    pub hover: Rgba,
    /// Goroutine state colours by colour key (`gotrace::timeline::color_key`).
    pub states: [Rgba; KEYS],
    /// Text on top of state colours.
    pub on_color: Rgba,
    /// Text on top of the goroutine tints of P and thread lanes.
    pub on_tint: Rgba,
    pub procs: [Rgba; 13],
    pub regions: [Rgba; 7],
    pub gc_mark: Rgba,
    pub stw: Rgba,
    pub heap: Rgba,
    pub heap_goal: Rgba,
    pub threads: Rgba,
    /// Behind the part of a label that matches the search (a highlighter
    /// pen: the text stays readable on it in both themes).
    pub find_mark: Rgba,
    /// The bar at the left edge of a lane that matches the search.
    pub find_edge: Rgba,
    /// Laid over a lane that does not match the search ("dim others").
    pub find_dim: Rgba,
    /// The keyboard focus on a section or group header.
    pub focus: Rgba,
}

impl Theme {
    pub fn new(dark: bool) -> Theme {
        let h = Rgba::hex;
        let mut states = [Rgba(0, 0, 0, 0); KEYS];
        let s = if dark {
            [
                0x3fb950, 0xd29922, 0xa371f7, 0xf47067, 0x58a6ff, 0x39c5cf, 0xbb8009, 0x8b949e,
            ]
        } else {
            [
                0x2da44e, 0xe3b341, 0x8250df, 0xe5534b, 0x54aeff, 0x1b7c83, 0x9a6700, 0x8c959f,
            ]
        };
        for (i, c) in s.iter().enumerate() {
            states[i + 1] = h(*c);
        }
        let mut procs = [Rgba(0, 0, 0, 0); 13];
        for (i, p) in procs.iter_mut().enumerate().skip(1) {
            // Which goroutine runs on a P or thread: hues spread by the golden
            // angle so neighbours differ, as pale tints (light) or deep shades
            // (dark), far from every state colour, so none reads as a state.
            *p = if dark {
                hsl(i as f64 * 137.508, 0.30, 0.27)
            } else {
                hsl(i as f64 * 137.508, 0.45, 0.86)
            };
        }
        let mut regions = [Rgba(0, 0, 0, 0); 7];
        for (i, r) in regions.iter_mut().enumerate().skip(1) {
            *r = hsl(
                200.0 + i as f64 * 53.0,
                0.45,
                if dark { 0.40 } else { 0.78 },
            );
        }
        // (dark, light) pairs.
        let pick = |d: u32, l: u32| h(if dark { d } else { l });
        let alpha = |d: u8, l: u8| if dark { d } else { l };
        Theme {
            dark,
            bg: pick(0x0d1117, 0xffffff),
            fg: pick(0xe6edf3, 0x1f2328),
            muted: pick(0x9198a1, 0x59636e),
            grid: pick(0x30363d, 0xd8dee4),
            lane_alt: pick(0x151b23, 0xf6f8fa),
            section_bg: pick(0x1f2630, 0xeaeef2),
            axis_bg: pick(0x161b22, 0xf6f8fa),
            selection: pick(0x388bfd, 0x0969da).alpha(alpha(50, 40)),
            selection_edge: pick(0x58a6ff, 0x0969da),
            outline: pick(0xffffff, 0x1f2328),
            hover: pick(0xe6edf3, 0x1f2328).alpha(90),
            states,
            on_color: pick(0x0d1117, 0x1f2328),
            on_tint: pick(0xe6edf3, 0x1f2328),
            procs,
            regions,
            gc_mark: pick(0xdb6d28, 0xfb8f44).alpha(alpha(200, 210)),
            stw: pick(0xf85149, 0xcf222e),
            heap: pick(0x58a6ff, 0x54aeff).alpha(170),
            heap_goal: pick(0xf0883e, 0xbc4c00),
            threads: pick(0xa371f7, 0x8250df).alpha(alpha(190, 170)),
            // Amber, as browsers and Perfetto mark search hits: light text
            // on a deep amber (dark), dark text on a pale yellow (light).
            find_mark: pick(0x845306, 0xffd33d),
            find_edge: pick(0xe3b341, 0xbf8700),
            find_dim: pick(0x0d1117, 0xffffff).alpha(alpha(185, 175)),
            focus: pick(0x58a6ff, 0x0969da),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_and_hsl() {
        assert_eq!(Rgba::hex(0x2da44e).css(), "#2da44e");
        assert_eq!(Rgba(1, 2, 3, 0).css(), "rgba(1,2,3,0.000)");
        assert_eq!(hsl(0.0, 1.0, 0.5), Rgba(255, 0, 0, 255));
        assert_eq!(hsl(120.0, 1.0, 0.5), Rgba(0, 255, 0, 255));
        assert_eq!(hsl(240.0, 1.0, 0.5), Rgba(0, 0, 255, 255));
    }

    #[test]
    fn goroutine_tints_cannot_be_read_as_states() {
        for dark in [false, true] {
            let t = Theme::new(dark);
            for p in &t.procs[1..] {
                for s in &t.states[1..9] {
                    let d = ((p.0 as f64 - s.0 as f64).powi(2)
                        + (p.1 as f64 - s.1 as f64).powi(2)
                        + (p.2 as f64 - s.2 as f64).powi(2))
                    .sqrt();
                    assert!(d > 70.0, "{p:?} is close to state {s:?} (dark {dark})");
                }
            }
        }
    }

    /// WCAG relative luminance.
    fn luminance(c: Rgba) -> f64 {
        let f = |v: u8| {
            let v = v as f64 / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * f(c.0) + 0.7152 * f(c.1) + 0.0722 * f(c.2)
    }

    #[test]
    fn search_marks_keep_text_readable_and_stand_out() {
        for dark in [false, true] {
            let t = Theme::new(dark);
            let (a, b) = (luminance(t.fg), luminance(t.find_mark));
            let contrast = (a.max(b) + 0.05) / (a.min(b) + 0.05);
            assert!(
                contrast >= 4.5,
                "label on the mark: {contrast:.2} (dark {dark})"
            );
            let (a, b) = (luminance(t.bg), luminance(t.find_edge));
            let contrast = (a.max(b) + 0.05) / (a.min(b) + 0.05);
            assert!(
                contrast >= 2.5,
                "match bar on the page: {contrast:.2} (dark {dark})"
            );
        }
    }

    #[test]
    fn state_colours_differ_from_the_background() {
        for dark in [false, true] {
            let t = Theme::new(dark);
            for c in &t.states[1..9] {
                assert_ne!(*c, t.bg);
                assert_eq!(c.3, 255);
            }
        }
    }
}
