//! User tasks and regions: type tables with count, percentiles and a
//! duration histogram; per task its event log, searchable; click-through to
//! the timeline.

use leptos::prelude::*;

use crate::safe_text::visible;

use super::shared::{at, nav, Status};
use super::{client, focus};
use crate::analysis::protocol::{RegionRow, Request, Response, TaskRow, TypeRow};
use crate::analysis::table::dur;

#[component]
fn Histogram(rows: Vec<(i64, i64, u64)>) -> impl IntoView {
    let max = rows.iter().map(|r| r.2).max().unwrap_or(0).max(1);
    let first = rows.first().map(|r| dur(r.0)).unwrap_or_default();
    let last = rows.last().map(|r| dur(r.1)).unwrap_or_default();
    view! {
        <div class="histo-wrap">
            <div class="histo" role="img" aria-label="Duration histogram">
                {rows
                    .iter()
                    .map(|&(lo, hi, c)| {
                        let h = c as f64 / max as f64 * 100.0;
                        view! {
                            <span class="b" title=format!("{} – {}: {c}", dur(lo), dur(hi))>
                                <span class="f" style:height=format!("{h:.0}%")></span>
                            </span>
                        }
                    })
                    .collect_view()}
            </div>
            <div class="histo-axis"><span>{first}</span><span>{last}</span></div>
        </div>
    }
}

fn type_label(ty: &str) -> String {
    if ty.is_empty() {
        "(none)".into()
    } else if ty.trim().is_empty() {
        // Only spaces: shown as something to click.
        format!("(blank: {} characters)", ty.chars().count())
    } else {
        visible(ty, 160)
    }
}

#[component]
pub fn TasksPage() -> impl IntoView {
    let n = nav();
    let types = RwSignal::new(None::<(Vec<TypeRow>, Vec<TypeRow>, usize)>);
    let task_type = RwSignal::new(None::<String>);
    let region_type = RwSignal::new(None::<usize>);
    let search = RwSignal::new(String::new());
    let tasks = RwSignal::new(None::<(Vec<TaskRow>, usize)>);
    let regions = RwSignal::new(None::<(Vec<RegionRow>, usize)>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    Effect::new(move |_| {
        n.generation.track();
        busy.set(true);
        client::request(&Request::Tasks, move |r, _| {
            let _ = busy.try_set(false);
            match r {
                Response::Tasks {
                    task_types,
                    region_types,
                    tasks,
                } => {
                    let _ = types.try_set(Some((task_types, region_types, tasks)));
                }
                Response::Error(e) => {
                    let _ = error.try_set(Some(e));
                }
                _ => {}
            }
        });
    });
    Effect::new(move |_| {
        n.generation.track();
        let ty = task_type.get();
        let text = search.get();
        let g = n.task_goroutine.get();
        if ty.is_none() && text.trim().is_empty() && g.is_none() {
            tasks.set(None);
            return;
        }
        client::request(
            &Request::TaskList {
                ty,
                search: text,
                goroutine: g,
                limit: 100,
            },
            move |r, _| {
                if let Response::TaskList { tasks: t, matched } = r {
                    let _ = tasks.try_set(Some((t, matched)));
                }
            },
        );
    });
    Effect::new(move |_| {
        n.generation.track();
        let Some(index) = region_type.get() else {
            regions.set(None);
            return;
        };
        client::request(&Request::RegionList { index, limit: 100 }, move |r, _| {
            if let Response::RegionList {
                regions: rs,
                matched,
            } = r
            {
                let _ = regions.try_set(Some((rs, matched)));
            }
        });
    });

    let type_table = move |rows: Vec<TypeRow>, regions_table: bool| {
        view! {
            <table class="data types" id=if regions_table { "region-types" } else { "task-types" }>
                <thead>
                    <tr>
                        <th>{if regions_table { "Region type" } else { "Task type" }}</th>
                        {regions_table.then(|| view! { <th>"Started in"</th> })}
                        <th class="num">"Count"</th>
                        <th class="num">"Complete"</th>
                        <th class="num">"Total"</th>
                        <th class="num">"p50"</th>
                        <th class="num">"p90"</th>
                        <th class="num">"p99"</th>
                        <th class="num">"max"</th>
                        <th>"Durations"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .enumerate()
                        .map(|(i, t)| {
                            let ty = t.ty.clone();
                            let ty2 = t.ty.clone();
                            let selected = move || {
                                if regions_table {
                                    region_type.get() == Some(i)
                                } else {
                                    task_type.with(|s| s.as_deref() == Some(ty2.as_str()))
                                }
                            };
                            let pick = move |_| {
                                if regions_table {
                                    region_type.set(Some(i));
                                } else {
                                    task_type.set(Some(ty.clone()));
                                }
                            };
                            // Durations only count complete tasks (Go shows "-" without any).
                            let complete = regions_table || t.complete > 0;
                            let stat = move |v: i64| if complete { dur(v) } else { "–".to_string() };
                            view! {
                                <tr class="type-row" class:selected=selected>
                                    <td><button class="link mono cut" title=visible(&t.ty, 2000) on:click=pick>{type_label(&t.ty)}</button></td>
                                    {regions_table.then(|| view! { <td class="mono"><span class="cut" title=visible(&t.func, 2000)>{visible(&t.func, 160)}</span></td> })}
                                    <td class="num">{t.count}</td>
                                    <td class="num">{t.complete}</td>
                                    <td class="num">{stat(t.durations.total)}</td>
                                    <td class="num">{stat(t.durations.p50)}</td>
                                    <td class="num">{stat(t.durations.p90)}</td>
                                    <td class="num">{stat(t.durations.p99)}</td>
                                    <td class="num">{stat(t.durations.max)}</td>
                                    <td><Histogram rows=t.histogram.clone() /></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
    };

    view! {
        <div class="page tasks-page">
            <Status busy=busy.into() error=error.into() />
            {move || {
                types.get().map(|(tt, rt, count)| {
                    let none = tt.is_empty() && rt.is_empty();
                    view! {
                        <h2>{format!("Tasks ({count})")}</h2>
                        {none.then(|| view! { <p class="muted">"This trace has no user tasks or regions (runtime/trace.NewTask, WithRegion, Log)."</p> })}
                        <div class="table-wrap">{type_table(tt, false)}</div>
                        <h2>"Regions"</h2>
                        <div class="table-wrap">{type_table(rt, true)}</div>
                    }
                })
            }}
            <h2>"Task event logs"</h2>
            <form class="filters" on:submit=move |e| e.prevent_default()>
                <label>"Search log text "
                    <input id="task-search" type="search" placeholder="type, region or log text" prop:value=move || search.get() on:input=move |e| search.set(event_target_value(&e)) />
                </label>
                {move || task_type.get().map(|t| view! {
                    <button class="button" on:click=move |_| task_type.set(None)>{format!("type {} ×", type_label(&t))}</button>
                })}
                {move || n.task_goroutine.get().map(|g| view! {
                    <button class="button" on:click=move |_| n.task_goroutine.set(None)>{format!("goroutine {g} ×")}</button>
                })}
            </form>
            <div id="task-list">
                {move || match tasks.get() {
                    None => view! { <p class="muted">"Choose a task type above, or search the logs."</p> }.into_any(),
                    Some((list, matched)) => view! {
                        <p class="muted">{format!("{matched} tasks{}", if matched > list.len() { format!(", the first {} shown", list.len()) } else { String::new() })}</p>
                        {list.into_iter().map(|t| view! { <TaskLog t=t /> }).collect_view()}
                    }.into_any(),
                }}
            </div>
            {move || regions.get().map(|(rs, matched)| view! {
                <h2>"Regions of the chosen type"</h2>
                <p class="muted">{format!("{matched} regions, longest first{}", if matched > rs.len() { format!(" (first {})", rs.len()) } else { String::new() })}</p>
                <table class="data" id="region-list">
                    <thead><tr><th>"Start"</th><th class="num">"Duration"</th><th>"Goroutine"</th><th>"Task"</th><th></th></tr></thead>
                    <tbody>
                        {rs.into_iter().map(|r| {
                            let (a, b) = (r.start, r.end);
                            view! {
                                <tr>
                                    <td>{at(r.start)}</td>
                                    <td class="num">{dur(r.end - r.start)}{(!r.complete).then_some(" (open)")}</td>
                                    <td>{format!("G{}", r.goroutine)}</td>
                                    <td>{if r.task == 0 { "–".to_string() } else { r.task.to_string() }}</td>
                                    <td><button class="link region-focus" data-start=a data-end=b on:click=move |_| focus::focus_range(a, b)>"show on timeline"</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </div>
    }
}

#[component]
fn TaskLog(t: TaskRow) -> impl IntoView {
    let (a, b) = (t.start, t.end);
    let start = t.start;
    let goroutines = t
        .goroutines
        .iter()
        .map(|g| format!("G{g}"))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <details class="task" open=true>
            <summary>
                <span class="mono">{format!("Task {} “{}”", t.id, type_label(&t.ty))}</span>
                <span class="muted">{format!(" {} · starts at {} · {}{}", dur(t.end - t.start), at(t.start), if t.complete { "complete" } else { "incomplete" }, t.parent.filter(|p| *p != 0).map(|p| if p == u64::MAX { " · parent none".to_string() } else { format!(" · parent {p}") }).unwrap_or_default())}</span>
                " "
                <button class="link task-focus" data-start=a data-end=b on:click=move |_| focus::focus_range(a, b)>"show on timeline"</button>
            </summary>
            <p class="muted">{format!("Goroutines: {goroutines}")}</p>
            <table class="data log">
                <thead><tr><th class="num">"When"</th><th class="num">"Elapsed"</th><th>"Goroutine"</th><th>"Event"</th></tr></thead>
                <tbody>
                    {t.events.into_iter().map(|e| {
                        let g = e.goroutine;
                        view! {
                            <tr>
                                <td class="num">{at(e.time)}</td>
                                <td class="num">{dur(e.time - start)}</td>
                                <td>
                                    <button class="link" title="Select this goroutine on the timeline, over the task's time range" on:click=move |_| focus::focus_goroutine(g, a, b)>
                                        {format!("G{g}")}
                                    </button>
                                </td>
                                <td class="mono"><span class="cut" title=visible(&e.text, 2000)>{visible(&e.text, 300)}</span></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}
