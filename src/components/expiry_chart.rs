//! A bar chart of counts per month, drawn as SVG by the app: one stacked bar per month,
//! a series per colour. The bars scale with the box; the labels are HTML so they stay
//! readable at any width. Screen readers get a sentence and a table of the months instead
//! of the picture.
//!
//! The bars and cells are drawn once; a change of the counts (a search, a filter) only
//! moves their heights and texts.

use leptos::prelude::*;

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The SVG's units: each month is this wide, the plot 100 high.
const SLOT: f64 = 10.0;
const BAR: f64 = 6.4;

/// The month `offset` months after `month0` (0 = January) of `year`: (year, month0).
pub fn month_at(year: i32, month0: u32, offset: usize) -> (i32, u32) {
    let total = i64::from(year) * 12 + i64::from(month0) + offset as i64;
    (total.div_euclid(12) as i32, total.rem_euclid(12) as u32)
}

/// "Mar 2027".
pub fn month_name(year: i32, month0: u32) -> String {
    format!("{} {year}", MONTHS[month0 as usize % 12])
}

/// The top of the scale: the smallest 1, 2 or 5 × 10ⁿ at or above `max`, at least 2 (so
/// that its middle line is a whole number).
pub fn scale_top(max: u32) -> u32 {
    let max = max.max(2);
    let mut step = 1u32;
    loop {
        for m in [1, 2, 5] {
            if step.saturating_mul(m) >= max {
                return step.saturating_mul(m);
            }
        }
        step = step.saturating_mul(10);
    }
}

/// A coordinate with two decimals, `12.35`, by integer arithmetic: `format!("{:.2}")` would
/// bring the float printer into the wasm for the chart alone.
pub fn hundredths(v: f64) -> String {
    let n = (v * 100.0).round() as i64;
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", n.abs() / 100, n.abs() % 100)
}

/// A series of the chart: its name in the legend and its CSS class (the colour).
pub type Series = (&'static str, &'static str);

/// Counts per month (`months[i][s]`: month `i` from the start, series `s`) as stacked bars.
#[component]
pub fn ExpiryChart(
    /// The first month: year and month0 (0 = January).
    start: (i32, u32),
    /// How many months.
    count: usize,
    /// The counts, `count` months × 3 series.
    #[prop(into)]
    months: Signal<Vec<[u32; 3]>>,
    /// The series, bottom of the bar first.
    series: [Series; 3],
    /// The chart's heading id (the table of months is named by it too).
    title_id: &'static str,
) -> impl IntoView {
    let cell = move |i: usize, s: usize| months.with(|m| m.get(i).map_or(0, |c| c[s]));
    let total = move |i: usize| months.with(|m| m.get(i).map_or(0, |c| c.iter().sum::<u32>()));
    let top =
        Memo::new(move |_| scale_top(months.with(|m| m.iter().map(|c| c.iter().sum::<u32>()).max().unwrap_or(0))));
    let summary = move || {
        let (sum, busiest) = months.with(|m| {
            let sum: u32 = m.iter().map(|c| c.iter().sum::<u32>()).sum();
            let busiest = (0..m.len()).max_by_key(|&i| (total(i), std::cmp::Reverse(i))).unwrap_or(0);
            (sum, busiest)
        });
        if sum == 0 {
            return format!("Nothing expires in the next {count} months.");
        }
        let (y, m) = month_at(start.0, start.1, busiest);
        let noun = if sum == 1 { "item expires" } else { "items expire" };
        format!(
            "{} {noun} in the next {count} months; the most in {} ({}).",
            crate::format::count(sum as usize),
            month_name(y, m),
            total(busiest)
        )
    };
    let segments = (0..count)
        .flat_map(|i| (0..3).map(move |s| (i, s)))
        .map(|(i, s)| {
            let below = move || (0..s).map(|b| cell(i, b)).sum::<u32>();
            let scale = move || 100.0 / f64::from(top.get());
            let y = move || hundredths(100.0 - f64::from(below() + cell(i, s)) * scale());
            let h = move || hundredths(f64::from(cell(i, s)) * scale());
            let x = hundredths(i as f64 * SLOT + (SLOT - BAR) / 2.0);
            view! { <rect class=series[s].1 x=x width=BAR y=y height=h /> }
        })
        .collect_view();
    let labels = (0..count)
        .map(|i| {
            let (y, m) = month_at(start.0, start.1, i);
            let class = if i % 3 == 0 { "chart-label" } else { "chart-label chart-label-minor" };
            let year = (i == 0 || m == 0).then(|| view! { <span class="chart-year">{y}</span> });
            view! {
                <span class=class>
                    {MONTHS[m as usize % 12]} {year}
                </span>
            }
        })
        .collect_view();
    let rows = (0..count)
        .map(|i| {
            let (y, m) = month_at(start.0, start.1, i);
            view! {
                <tr>
                    <th scope="row">{month_name(y, m)}</th>
                    <td>{move || total(i)}</td>
                    <td>{move || cell(i, 0)}</td>
                    <td>{move || cell(i, 1)}</td>
                    <td>{move || cell(i, 2)}</td>
                </tr>
            }
        })
        .collect_view();
    let legend = series
        .iter()
        .map(|(name, class)| {
            view! {
                <li>
                    <span class=format!("chart-key {class}") aria-hidden="true"></span>
                    {*name}
                </li>
            }
        })
        .collect_view();

    view! {
        <div class="chart">
            <p class="chart-summary">{summary}</p>
            <div class="chart-plot" aria-hidden="true">
                <div class="chart-scale">
                    <span>{move || crate::format::count(top.get() as usize)}</span>
                    <span>{move || crate::format::count(top.get() as usize / 2)}</span>
                    <span>"0"</span>
                </div>
                <div class="chart-area">
                    <svg class="chart-svg" viewBox=format!("0 0 {} 100", count as f64 * SLOT) preserveAspectRatio="none">
                        <line class="chart-grid" x1="0" x2="100%" y1="0" y2="0" vector-effect="non-scaling-stroke" />
                        <line class="chart-grid" x1="0" x2="100%" y1="50" y2="50" vector-effect="non-scaling-stroke" />
                        <line class="chart-axis" x1="0" x2="100%" y1="100" y2="100" vector-effect="non-scaling-stroke" />
                        {segments}
                    </svg>
                    <div class="chart-labels">{labels}</div>
                </div>
            </div>
            <ul class="chart-legend" aria-hidden="true">{legend}</ul>
            <div class="visually-hidden">
            <table aria-labelledby=title_id>
                <thead>
                    <tr>
                        <th scope="col">"Month"</th>
                        <th scope="col">"Items expiring"</th>
                        <th scope="col">{series[0].0}</th>
                        <th scope="col">{series[1].0}</th>
                        <th scope="col">{series[2].0}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_roll_over_years() {
        assert_eq!(month_at(2026, 11, 0), (2026, 11));
        assert_eq!(month_at(2026, 11, 1), (2027, 0));
        assert_eq!(month_at(2026, 2, 23), (2028, 1));
        assert_eq!(month_name(2027, 2), "Mar 2027");
    }

    #[test]
    fn scales_are_round() {
        assert_eq!(scale_top(0), 2);
        assert_eq!(scale_top(1), 2);
        assert_eq!(scale_top(3), 5);
        assert_eq!(scale_top(7), 10);
        assert_eq!(scale_top(101), 200);
        assert_eq!(scale_top(500), 500);
        assert_eq!(scale_top(1201), 2000);
    }

    #[test]
    fn hundredths_are_two_decimals_as_format_would() {
        for v in [0.0, 12.345_6, 99.995, 3.0, 0.004, -1.25, 41.666_666] {
            assert_eq!(super::hundredths(v), format!("{v:.2}").replace("-0.00", "0.00"), "{v}");
        }
    }
}
