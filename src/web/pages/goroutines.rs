//! Goroutine analysis: groups by start function (sortable), a filter box,
//! and a group's breakdown table with p50/p90/p99/max rows.

use leptos::prelude::*;

use crate::safe_text::visible;

use super::shared::{nav, Page, Scope, Status};
use super::{client, focus};
use crate::analysis::protocol::{GroupRow, GroupTable, Request, Response};
use crate::analysis::table::{self, dur, percent, GroupSort};

#[component]
pub fn GoroutinesPage() -> impl IntoView {
    let n = nav();
    let name = RwSignal::new(String::new());
    let id = RwSignal::new(String::new());
    let state = RwSignal::new(String::new());
    let min = RwSignal::new(String::new());
    let sort = RwSignal::new((GroupSort::ExecTime, true));
    let groups = RwSignal::new(None::<(Vec<GroupRow>, i64, usize)>);
    let detail = RwSignal::new(None::<GroupTable>);
    let col_sort = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let filter =
        Memo::new(move |_| table::filter_from(&name.get(), &id.get(), &state.get(), &min.get()));

    Effect::new(move |_| {
        n.generation.track();
        let (f, _) = filter.get();
        busy.set(true);
        client::request(
            &Request::Groups {
                window: None,
                filter: f,
            },
            move |r, _| {
                let _ = busy.try_set(false);
                match r {
                    Response::Groups {
                        groups: g,
                        total_exec,
                        goroutines,
                    } => {
                        let _ = groups.try_set(Some((g, total_exec, goroutines)));
                        let _ = error.try_set(None);
                    }
                    Response::Error(e) => {
                        let _ = error.try_set(Some(e));
                    }
                    _ => {}
                }
            },
        );
    });
    Effect::new(move |_| {
        n.generation.track();
        let Some(g) = n.group.get() else {
            detail.set(None);
            return;
        };
        let (f, _) = filter.get();
        client::request(
            &Request::Group {
                name: g,
                window: None,
                filter: f,
                sort: col_sort.get(),
            },
            move |r, _| match r {
                Response::Group(t) => {
                    let _ = detail.try_set(t);
                }
                Response::Error(e) => {
                    let _ = error.try_set(Some(e));
                }
                _ => {}
            },
        );
    });

    let sorted = move || {
        groups.with(|g| {
            g.as_ref().map(|(rows, total, count)| {
                let mut rows = rows.clone();
                let (k, desc) = sort.get();
                table::sort_groups(&mut rows, k, desc);
                (rows, *total, *count)
            })
        })
    };
    let sort_by = move |k: GroupSort| {
        sort.update(|s| {
            if s.0 == k {
                s.1 = !s.1
            } else {
                *s = (k, k != GroupSort::Name)
            }
        })
    };
    let arrow = move |k: GroupSort| {
        let (s, desc) = sort.get();
        if s != k {
            ""
        } else if desc {
            " ▼"
        } else {
            " ▲"
        }
    };

    view! {
        <div class="page goroutines-page">
            <h2>"Goroutines by start function"</h2>
            <form class="filters" on:submit=move |e| e.prevent_default() aria-label="Filter goroutines">
                <label>"Function contains "
                    <input id="f-name" type="search" placeholder="e.g. http" prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e)) />
                </label>
                <label>"Goroutine "
                    <input id="f-id" class="narrow" type="text" inputmode="numeric" placeholder="id" prop:value=move || id.get() on:input=move |e| id.set(event_target_value(&e)) />
                </label>
                <label>"State "
                    <select id="f-state" on:change=move |e| state.set(event_target_value(&e))>
                        <option value="">"any"</option>
                        <option value="running">"running"</option>
                        <option value="runnable">"runnable"</option>
                        <option value="waiting">"waiting"</option>
                        <option value="syscall">"in syscall"</option>
                        <option value="exited">"exited"</option>
                    </select>
                </label>
                <label>"Total time ≥ "
                    <input id="f-min" class="narrow" type="text" placeholder="e.g. 1ms" prop:value=move || min.get() on:input=move |e| min.set(event_target_value(&e)) />
                </label>
                {move || {
                    let (_, problems) = filter.get();
                    (!problems.is_empty()).then(|| view! { <span class="error-line">{problems.join("; ")}</span> })
                }}
            </form>
            <Status busy=busy.into() error=error.into() />
            <div class="split">
                <div class="table-wrap groups-wrap">
                    <table class="data" id="groups-table">
                        <thead>
                            <tr>
                                <th><button class="th" on:click=move |_| sort_by(GroupSort::Name)>"Start location" {move || arrow(GroupSort::Name)}</button></th>
                                <th class="num"><button class="th" id="sort-count" on:click=move |_| sort_by(GroupSort::Count)>"Count" {move || arrow(GroupSort::Count)}</button></th>
                                <th class="num"><button class="th" id="sort-exec" on:click=move |_| sort_by(GroupSort::ExecTime)>"Execution time" {move || arrow(GroupSort::ExecTime)}</button></th>
                                <th class="num">"Share"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                sorted().map(|(rows, total, _)| {
                                    rows.into_iter()
                                        .map(|r| {
                                            let nm = r.name.clone();
                                            let nm2 = r.name.clone();
                                            let label = if r.name.is_empty() { "(no start function)".to_string() } else { visible(&r.name, 160) };
                                            let full = visible(&r.name, 2000);
                                            view! {
                                                <tr class="group-row" class:selected=move || n.group.with(|g| g.as_deref() == Some(nm2.as_str())) data-name=r.name.clone() data-exec-ns=r.exec_time>
                                                    <td class="mono"><button class="link cut" title=full on:click=move |_| n.group.set(Some(nm.clone()))>{label}</button></td>
                                                    <td class="num count">{r.count}</td>
                                                    <td class="num">{dur(r.exec_time)}</td>
                                                    <td class="num">{percent(r.exec_time, total)}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()
                                })
                            }}
                        </tbody>
                    </table>
                    <p class="muted">{move || groups.with(|g| g.as_ref().map(|(r, _, c)| format!("{} goroutines in {} groups", crate::format::count(*c as u64), r.len())))}</p>
                </div>
                <div class="group-detail" id="group-detail">
                    {move || match detail.get() {
                        None => view! { <p class="muted">"Choose a group to see its goroutines."</p> }.into_any(),
                        Some(t) => view! { <GroupView t=t col_sort=col_sort /> }.into_any(),
                    }}
                </div>
            </div>
        </div>
    }
}

#[component]
fn GroupView(t: GroupTable, col_sort: RwSignal<String>) -> impl IntoView {
    let n = nav();
    let name = t.name.clone();
    let heading = if t.name.is_empty() {
        "(no start function)".to_string()
    } else {
        visible(&t.name, 300)
    };
    let share = t
        .exec_percent
        .map(|p| format!(" ({p:.1}% of all goroutines' execution time)"))
        .unwrap_or_default();
    let cols = t.columns.clone();
    let rcols = t.range_columns.clone();
    let max_total = t.rows.iter().map(|r| r.total).max().unwrap_or(0).max(1);
    // Columns: none that is zero in every row; the largest few (they fit),
    // the others on demand.
    let sums: Vec<i64> = (0..cols.len())
        .map(|i| {
            t.rows
                .iter()
                .map(|r| r.values.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let more = RwSignal::new(false);
    let few = table::shown_columns(&cols, &sums, false, 4);
    let all: Vec<usize> = (0..cols.len()).collect();
    let hidden = all.len() - few.len() + rcols.len();
    let shown = move || if more.get() { all.clone() } else { few.clone() };
    let dark = crate::web::js::prefers_dark();
    let theme = crate::theme::Theme::new(dark);
    let colors: Vec<String> = cols
        .iter()
        .map(|c| theme.states[table::column_key(c)].css())
        .collect();
    let profile = move |k: &'static str| {
        let g = name.clone();
        move |_| {
            n.profile_kind.set(k);
            n.profile_scope.set(Scope::Group(g.clone()));
            n.page.set(Some(Page::Profiles));
        }
    };
    let header = {
        let c = col_sort;
        let cols = cols.clone();
        let shown = shown.clone();
        move || {
            let mut hs = vec![("Total".to_string(), "".to_string())];
            hs.extend(
                shown()
                    .into_iter()
                    .map(|i| (cols[i].clone(), cols[i].clone())),
            );
            hs.into_iter()
                .map(move |(label, key)| {
                    let k2 = key.clone();
                    let active = move || c.get() == k2;
                    view! { <th class="num"><button class="th" class:active=active on:click=move |_| c.set(key.clone())>{label}</button></th> }
                })
                .collect_view()
        }
    };
    let legend = {
        let colors = colors.clone();
        let cols = cols.clone();
        let shown = shown.clone();
        move || {
            shown()
                .into_iter()
                .map(|i| {
                    let c = colors[i].clone();
                    view! { <span class="key"><span class="swatch" style:background=c></span>{cols[i].clone()}</span> }
                })
                .collect_view()
        }
    };
    let stats = t.stats.clone();
    let stat_rows = {
        let shown = shown.clone();
        let ncols = cols.len();
        move || {
            let shown = shown();
            let m = more.get();
            stats
                .iter()
                .map(|s| {
                    let v = |i: usize| dur(s.values.get(i).copied().unwrap_or(0));
                    view! {
                        <tr class="stat-row">
                            <th scope="row">{s.label.clone()}</th>
                            <td></td>
                            <td class="num">{v(0)}</td>
                            {shown.iter().map(|&i| view! { <td class="num">{v(1 + i)}</td> }).collect_view()}
                            {m.then(|| (0..rcols_len(&s.values, ncols)).map(|j| view! { <td class="num range-col">{v(1 + ncols + j)}</td> }).collect_view())}
                        </tr>
                    }
                })
                .collect_view()
        }
    };
    let rows = t.rows.clone();
    let body = {
        let shown = shown.clone();
        let cols = cols.clone();
        move || {
            let shown = shown();
            let m = more.get();
            rows.iter()
                .map(|r| {
                    let (id, a, b) = (r.id, r.start, r.end);
                    let bar = shown
                        .iter()
                        .map(|&i| {
                            let v = r.values.get(i).copied().unwrap_or(0);
                            let w = v as f64 / max_total as f64 * 100.0;
                            let tip = format!("{}: {}", cols[i], dur(v));
                            view! { <span class="seg" title=tip style:width=format!("{w:.2}%") style:background=colors[i].clone()></span> }
                        })
                        .collect_view();
                    view! {
                        <tr class="goroutine-row">
                            <td>
                                <button class="link goroutine-link" title="Show it on the timeline" on:click=move |_| focus::focus_goroutine(id, a, b)>
                                    {format!("G{id}")}
                                </button>
                            </td>
                            <td class="bar-cell"><div class="breakdown" role="img" aria-label="Time by state">{bar}</div></td>
                            <td class="num total">{dur(r.total)}</td>
                            {shown.iter().map(|&i| view! { <td class="num">{dur(r.values.get(i).copied().unwrap_or(0))}</td> }).collect_view()}
                            {m.then(|| r.ranges.iter().map(|v| view! { <td class="num range-col">{dur(*v)}</td> }).collect_view())}
                        </tr>
                    }
                })
                .collect_view()
        }
    };
    view! {
        <h3 class="mono">{heading}</h3>
        <p>
            {format!("{} goroutines, execution time {}", t.count, dur(t.exec_time))}
            {share}
        </p>
        <p class="profile-links">
            "Profiles of this group: "
            <button class="link" id="group-net" on:click=profile("net")>"network wait"</button>" · "
            <button class="link" id="group-sync" on:click=profile("sync")>"sync block"</button>" · "
            <button class="link" id="group-syscall" on:click=profile("syscall")>"syscall"</button>" · "
            <button class="link" id="group-sched" on:click=profile("sched")>"scheduler wait"</button>
        </p>
        <p class="breakdown-legend legend-inline">{legend}</p>
        <div class="table-wrap">
            <table class="data" id="group-table">
                <thead>
                    <tr>
                        <th>"Goroutine"</th>
                        <th class="bar-head">"Breakdown"</th>
                        {header}
                        {move || more.get().then(|| rcols.iter().map(|c| view! { <th class="num range-col" title="May overlap the other columns">{c.clone()}</th> }).collect_view())}
                    </tr>
                </thead>
                <tbody class="stats">{stat_rows}</tbody>
                <tbody>{body}</tbody>
            </table>
        </div>
        {(hidden > 0).then(|| view! {
            <button class="link" id="more-columns" aria-pressed=move || more.get().to_string() on:click=move |_| more.update(|m| *m = !*m)>
                {move || if more.get() { "fewer columns".to_string() } else { format!("more columns ({hidden})") }}
            </button>
        })}
        {(t.more > 0).then(|| view! { <p class="muted">{format!("… and {} more goroutines (narrow the filter to see them).", t.more)}</p> })}
    }
}

/// How many range columns a percentile row has after `Total` and the `ncols` value columns.
fn rcols_len(values: &[i64], ncols: usize) -> usize {
    values.len().saturating_sub(1 + ncols)
}
