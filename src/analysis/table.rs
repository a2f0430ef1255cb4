//! Table models (pure): sorting the goroutine-group table, reading the
//! filter box, formatting cells.

use super::protocol::{Filter, GroupRow};

/// What the groups table is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupSort {
    Name,
    Count,
    ExecTime,
}

/// Sorts `rows` by `key` (descending for numbers, ascending for names when
/// `desc` is false); ties by name.
pub fn sort_groups(rows: &mut [GroupRow], key: GroupSort, desc: bool) {
    rows.sort_by(|a, b| {
        let o = match key {
            GroupSort::Name => a.name.cmp(&b.name),
            GroupSort::Count => a.count.cmp(&b.count),
            GroupSort::ExecTime => a.exec_time.cmp(&b.exec_time),
        };
        let o = if desc { o.reverse() } else { o };
        o.then_with(|| a.name.cmp(&b.name))
    });
}

/// Parses a duration typed by a user: "1.5ms", "20 µs", "300us", "2s",
/// "150" (ns). `None` if it does not parse.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let v: f64 = num.parse().ok()?;
    let mul = match unit.trim() {
        "" | "ns" => 1.0,
        "us" | "µs" | "μs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        "m" | "min" => 60e9,
        "h" => 3600e9,
        _ => return None,
    };
    let ns = v * mul;
    (ns.is_finite() && (0.0..9.2e18).contains(&ns)).then_some(ns.round() as i64)
}

/// Builds the filter from the text boxes (bad numbers are ignored, and
/// reported in the second value).
pub fn filter_from(name: &str, id: &str, state: &str, min: &str) -> (Filter, Vec<String>) {
    let mut problems = Vec::new();
    let id = id.trim();
    let id = if id.is_empty() {
        None
    } else {
        match id
            .trim_start_matches('G')
            .trim_start_matches('g')
            .parse::<i64>()
        {
            Ok(v) => Some(v),
            Err(_) => {
                problems.push(format!("“{id}” is not a goroutine id"));
                None
            }
        }
    };
    let min = min.trim();
    let min_total = if min.is_empty() {
        None
    } else {
        match parse_duration(min) {
            Some(v) => Some(v),
            None => {
                problems.push(format!("“{min}” is not a duration (try 1ms, 250µs, 2s)"));
                None
            }
        }
    };
    (
        Filter {
            name_contains: name.trim().to_string(),
            id,
            state: state.to_string(),
            min_total,
        },
        problems,
    )
}

/// A share in percent with one decimal ("12.3%"), "–" when the whole is 0.
pub fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "–".into();
    }
    format!("{:.1}%", part as f64 / whole as f64 * 100.0)
}

/// A table cell for a duration in ns (with its unit, "0 s" too).
pub fn dur(ns: i64) -> String {
    if ns == 0 {
        "0 s".into()
    } else {
        crate::format::duration(ns as f64)
    }
}

/// The colour (index into `Theme::states`, as in the timeline's legend) of a
/// goroutine-table column, by its name.
pub fn column_key(name: &str) -> usize {
    let n = name.to_ascii_lowercase();
    if n.starts_with("execution") {
        1
    } else if n.contains("sched") {
        2
    } else if n.contains("syscall") {
        3
    } else if n.contains("sync") {
        4
    } else if n.contains("sleep") {
        5
    } else if n.contains("network") || n.contains("io") {
        6
    } else if n.contains("gc") {
        7
    } else {
        8
    }
}

/// The value columns a goroutine table shows (indices, in their order):
/// never one that is zero in every row (`sums[i] == 0`); with `all` every
/// other, else at most `max`: "Execution time" and the largest others.
pub fn shown_columns(columns: &[String], sums: &[i64], all: bool, max: usize) -> Vec<usize> {
    let mut nonzero: Vec<usize> = (0..columns.len())
        .filter(|&i| sums.get(i).copied().unwrap_or(0) != 0)
        .collect();
    if all || nonzero.len() <= max {
        return nonzero;
    }
    nonzero.sort_by_key(|&i| {
        let exec = columns[i].starts_with("Execution");
        (!exec, std::cmp::Reverse(sums[i]))
    });
    nonzero.truncate(max);
    nonzero.sort_unstable();
    nonzero
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, count: usize, exec: i64) -> GroupRow {
        GroupRow {
            name: name.into(),
            count,
            exec_time: exec,
        }
    }

    #[test]
    fn sorts_groups() {
        let mut v = vec![row("b", 1, 50), row("a", 3, 10), row("c", 2, 90)];
        sort_groups(&mut v, GroupSort::Count, true);
        assert_eq!(v.iter().map(|r| r.count).collect::<Vec<_>>(), [3, 2, 1]);
        sort_groups(&mut v, GroupSort::ExecTime, true);
        assert_eq!(v[0].name, "c");
        sort_groups(&mut v, GroupSort::ExecTime, false);
        assert_eq!(v[0].name, "a");
        sort_groups(&mut v, GroupSort::Name, false);
        assert_eq!(v[0].name, "a");
    }

    #[test]
    fn parses_durations_and_filters() {
        assert_eq!(parse_duration("1.5ms"), Some(1_500_000));
        assert_eq!(parse_duration("20 µs"), Some(20_000));
        assert_eq!(parse_duration("300us"), Some(300_000));
        assert_eq!(parse_duration("2s"), Some(2_000_000_000));
        assert_eq!(parse_duration("150"), Some(150));
        assert_eq!(parse_duration("1h"), Some(3_600_000_000_000));
        assert_eq!(parse_duration("fast"), None);
        assert_eq!(parse_duration("1e999s"), None);
        let (f, p) = filter_from(" http ", "g12", "waiting", "1ms");
        assert_eq!(f.name_contains, "http");
        assert_eq!(f.id, Some(12));
        assert_eq!(f.min_total, Some(1_000_000));
        assert!(p.is_empty());
        let (f, p) = filter_from("", "x", "", "soon");
        assert_eq!((f.id, f.min_total), (None, None));
        assert_eq!(p.len(), 2);
        assert_eq!(percent(1, 4), "25.0%");
        assert_eq!(percent(1, 0), "–");
        assert_eq!(dur(0), "0 s");
        assert_eq!(dur(1500), "1.50 µs");
    }

    #[test]
    fn group_table_columns() {
        let cols: Vec<String> = [
            "Execution time",
            "Sched wait time",
            "Block time (sync)",
            "Unknown time",
            "Network wait time",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let sums = [5, 0, 9, 1, 7];
        assert_eq!(shown_columns(&cols, &sums, true, 2), vec![0, 2, 3, 4]);
        assert_eq!(shown_columns(&cols, &sums, false, 3), vec![0, 2, 4]);
        assert_eq!(shown_columns(&cols, &sums, false, 9), vec![0, 2, 3, 4]);
        assert_eq!(column_key("Execution time"), 1);
        assert_eq!(column_key("Network wait time"), 6);
        assert_eq!(column_key("Syscall execution time"), 3);
    }
}
