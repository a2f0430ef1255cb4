//! Finding goroutines: the text typed in the search box matched against the
//! model's tables once per keystroke (never per frame): a goroutine matches
//! if its start function (its group's name), its id, or the name of one of
//! its regions or of a task it logged or opened a region in contains the
//! text (case-insensitive). A leaf over [`crate::model`].

use std::collections::HashMap;

use crate::model::Model;

/// The goroutines a search text matches.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// The text as typed (trimmed).
    pub text: String,
    /// Per goroutine index: whether it matches.
    pub goroutine: Vec<bool>,
    /// How many goroutines (of those drawn in groups) match.
    pub matches: usize,
    /// The text in lower case, as names are compared with it.
    pub needle: String,
    /// The goroutine id the text names (`G12`, `12`), if it is one.
    pub id: Option<i64>,
    /// Whether the goroutines that do not match are hidden (the default)
    /// or kept, dimmed, around the matches (the user's choice, kept by the
    /// page across searches; see `lanes::find`).
    pub hide: bool,
}

impl Filter {
    /// Whether goroutine index `g` is shown.
    pub fn shows(&self, g: u32) -> bool {
        self.goroutine.get(g as usize).copied().unwrap_or(false)
    }
}

/// A goroutine id typed as `G123`, `g123` or `123`.
pub fn parse_id(text: &str) -> Option<i64> {
    let t = text.trim();
    let t = t
        .strip_prefix('G')
        .or_else(|| t.strip_prefix('g'))
        .unwrap_or(t);
    t.parse().ok().filter(|&id: &i64| id >= 0)
}

/// Where `needle` (lower case) first occurs in `text`, compared as
/// [`filter`] compares names (case-insensitive): a byte range of `text`.
pub fn find_in(text: &str, needle: &str) -> Option<(usize, usize)> {
    if needle.is_empty() {
        return None;
    }
    // Lower-case the text, remembering where each lower-case byte came from
    // (lower-casing may change a character's length).
    let mut low = String::with_capacity(text.len());
    let mut from = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        for l in c.to_lowercase() {
            from.extend(std::iter::repeat_n(i, l.len_utf8()));
            low.push(l);
        }
    }
    let at = low.find(needle)?;
    let end = at + needle.len();
    let a = from[at];
    let b = from.get(end).copied().unwrap_or(text.len()).max(a);
    Some((a, b))
}

/// The goroutines matching `text`; `None` for an empty text (no filter).
pub fn filter(m: &Model, text: &str) -> Option<Filter> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let needle = text.to_lowercase();
    let id = parse_id(text);
    let tl = &m.tl;
    let mut hit = vec![false; tl.goroutines.len()];
    // Names are matched once per string, not once per use.
    let mut names: HashMap<u32, bool> = HashMap::new();
    let mut name_matches = |s: u32| {
        *names
            .entry(s)
            .or_insert_with(|| tl.strings.get(s).to_lowercase().contains(&needle))
    };
    // Tasks whose name matches: their regions and logs mark their goroutines.
    let tasks: std::collections::HashSet<u64> = tl
        .tasks
        .iter()
        .filter(|t| name_matches(t.ty))
        .map(|t| t.id)
        .collect();
    for r in &tl.regions {
        if let Some(h) = hit.get_mut(r.goroutine as usize) {
            if !*h && (name_matches(r.ty) || (r.task != 0 && tasks.contains(&r.task))) {
                *h = true;
            }
        }
    }
    if !tasks.is_empty() {
        for l in &tl.logs {
            if l.task != 0 && tasks.contains(&l.task) {
                if let Some(h) = hit.get_mut(l.goroutine as usize) {
                    *h = true;
                }
            }
        }
    }
    let mut matches = 0;
    for grp in &m.groups {
        let all = grp.name.to_lowercase().contains(&needle);
        for &g in &grp.goroutines {
            let gi = g as usize;
            let gid = tl.goroutines[gi].id;
            if all || id == Some(gid) || hit[gi] {
                hit[gi] = true;
                matches += 1;
            }
        }
    }
    Some(Filter {
        text: text.to_string(),
        goroutine: hit,
        matches,
        needle,
        id,
        hide: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    #[test]
    fn ids() {
        assert_eq!(parse_id("G123"), Some(123));
        assert_eq!(parse_id(" 7 "), Some(7));
        assert_eq!(parse_id("g1"), Some(1));
        assert_eq!(parse_id("main"), None);
    }

    #[test]
    fn finds_text_case_insensitively() {
        assert_eq!(find_in("main.Worker (3)", "worker"), Some((5, 11)));
        assert_eq!(
            find_in("main.worker", "WORKER".to_lowercase().as_str()),
            Some((5, 11))
        );
        assert_eq!(find_in("main.worker", "nope"), None);
        assert_eq!(find_in("main", ""), None);
        // A character whose lower case is longer: the range stays on char boundaries.
        let t = "İstanbul.run";
        let (a, b) = find_in(t, "run").unwrap();
        assert_eq!(&t[a..b], "run");
        let (a, b) = find_in("ÄÖ.x", "ö").unwrap();
        assert_eq!(&"ÄÖ.x"[a..b], "Ö");
    }

    #[test]
    fn by_function_and_id() {
        let m = fixture::model();
        assert!(filter(&m, "  ").is_none());
        let all: usize = m.groups.iter().map(|g| g.goroutines.len()).sum();
        let f = filter(&m, "WORKER").unwrap();
        assert_eq!(
            f.matches,
            m.groups
                .iter()
                .filter(|g| g.name.contains("worker"))
                .map(|g| g.goroutines.len())
                .sum::<usize>()
        );
        assert!(f.matches > 0);
        let none = filter(&m, "no such thing").unwrap();
        assert_eq!(none.matches, 0);
        assert!(!none.shows(0));
        let gi = m.groups[0].goroutines[0];
        let id = m.tl.goroutines[gi as usize].id;
        let by_id = filter(&m, &format!("G{id}")).unwrap();
        assert!(by_id.shows(gi));
        assert!(by_id.matches >= 1 && by_id.matches <= all);
    }
}
