//! Scraping `go tool trace`'s pages: entities, text, tables, histograms,
//! and the numbers Go prints in them.

/// Parses Go's `time.Duration.String()` output to ns (the library's parser).
pub fn parse_go_duration(s: &str) -> Option<i64> {
    gotrace::godur::parse_go_duration(s.trim())
}

/// Decodes the entities Go's html/template produces.
pub fn html_unescape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        o.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(j) = rest.find(';') else { break };
        let ent = &rest[1..j];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => ent
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                o.push(c);
                rest = &rest[j + 1..];
            }
            None => {
                o.push('&');
                rest = &rest[1..];
            }
        }
    }
    o.push_str(rest);
    o
}

/// Text of an HTML fragment: tags removed, entities decoded, trimmed.
pub fn text(s: &str) -> String {
    let mut o = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => o.push(c),
            _ => {}
        }
    }
    html_unescape(&o).trim().to_string()
}

/// The contents of every `<tag ...>...</tag>` in `s`, in order.
pub fn elements<'a>(s: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        // `<tr` must not match `<track`, etc.
        if !after.starts_with(['>', ' ', '\n', '\t']) {
            rest = after;
            continue;
        }
        let Some(gt) = after.find('>') else { break };
        let body = &after[gt + 1..];
        let end = body.find(&close).unwrap_or(body.len());
        out.push(&body[..end]);
        rest = &body[end..];
    }
    out
}

/// A table: header texts and rows of cell texts (cells = `<td>`).
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Parses the `<table ...>` bodies of `html` whose opening tag contains `marker`.
pub fn tables(html: &str, marker: &str) -> Vec<Table> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<table") {
        let after = &rest[i..];
        let Some(gt) = after.find('>') else { break };
        let open_tag = &after[..gt];
        let body_start = &after[gt + 1..];
        let end = body_start.find("</table>").unwrap_or(body_start.len());
        let body = &body_start[..end];
        rest = &body_start[end..];
        if !open_tag.contains(marker) {
            continue;
        }
        let mut t = Table::default();
        for row in body.split("<tr>").skip(1) {
            let ths = elements(row, "th");
            if !ths.is_empty() {
                t.header = ths.iter().map(|h| text(h)).collect();
                continue;
            }
            let tds = elements(row, "td");
            if !tds.is_empty() {
                t.rows.push(tds.iter().map(|c| text(c)).collect());
            }
        }
        out.push(t);
    }
    out
}

/// Parses Go's `%2.9f` seconds (optionally with a trailing `s`) to ns.
pub fn parse_seconds9(s: &str) -> Option<i64> {
    let s = s.trim().trim_end_matches('s');
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = s.split_once('.')?;
    if frac.len() != 9 {
        return None;
    }
    let v = int.parse::<i64>().ok()? * 1_000_000_000 + frac.parse::<i64>().ok()?;
    Some(if neg { -v } else { v })
}

/// Rows of one of Go's duration histograms: (bucket start label in ns,
/// count), and the final label.
pub fn parse_histogram(html: &str) -> (Vec<(i64, u64)>, Option<i64>) {
    let row = regex::Regex::new(
        r#"<tr><td class="histoTime" align="right">(?:<a href=[^>]*>)?([^<]+)(?:</a>)?</td><td><div style="width:\d+px;[^"]*">&nbsp;</div></td><td align="right"><div style="position:relative">(\d+)</div></td></tr>"#,
    )
    .expect("regex");
    let last =
        regex::Regex::new(r#"<tr><td align="right">([^<]+)</td></tr></table>"#).expect("regex");
    let rows = row
        .captures_iter(html)
        .map(|c| {
            let label = parse_go_duration(&c[1])
                .unwrap_or_else(|| panic!("bad duration label {:?}", &c[1]));
            (label, c[2].parse().expect("count"))
        })
        .collect();
    let fin = last.captures(html).and_then(|c| parse_go_duration(&c[1]));
    (rows, fin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_go_duration("1.584893192s"), Some(1_584_893_192));
        assert_eq!(parse_go_duration("3.981µs"), Some(3981));
        assert_eq!(parse_go_duration("100ms"), Some(100_000_000));
        assert_eq!(parse_go_duration("1m40s"), Some(100_000_000_000));
        assert_eq!(parse_go_duration("999ns"), Some(999));
        assert_eq!(parse_seconds9("0.000087360"), Some(87_360));
        assert_eq!(parse_seconds9("1.152756161s"), Some(1_152_756_161));
    }
}
