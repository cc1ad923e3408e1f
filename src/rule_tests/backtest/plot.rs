//! `backtest --plot FILE.svg`: alerts per swept value (bars) and alerts
//! per day for each value (lines), drawn with plotters' SVG backend.

use plotters::prelude::*;

use super::aggregate::ValueResult;
use super::output::measure;

fn label(r: &ValueResult) -> String {
    r.params
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The picture as SVG text.
pub fn svg(item: &str, results: &[ValueResult]) -> Result<String, String> {
    let mut buf = String::new();
    draw(&mut buf, item, results).map_err(|e| format!("drawing the plot: {e}"))?;
    Ok(buf)
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn draw(buf: &mut String, item: &str, results: &[ValueResult]) -> DrawResult {
    let root = SVGBackend::with_string(buf, (1100, 440)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(&format!("backtest of {item}"), ("sans-serif", 20))?;
    let (left, right) = root.split_horizontally(440);
    let unit = if results.iter().any(|r| r.alerts.is_some()) { "alerts" } else { "rows" };
    // One swept parameter: its values under the bars and its name below
    // them (a `name=value` per bar would run into the next one).
    let keys: Vec<&String> = results.iter().flat_map(|r| r.params.iter().map(|(k, _)| k)).collect();
    let single = keys.first().filter(|k| keys.iter().all(|x| x == *k) && results.iter().all(|r| r.params.len() == 1));
    let labels: Vec<String> = match single {
        Some(_) => results
            .iter()
            .map(|r| match &r.params[0].1 {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        None => results.iter().map(label).collect(),
    };
    let x_desc = single.map(|k| k.to_string()).unwrap_or_default();
    let n = results.len().max(1) as u32;
    let max = results.iter().map(measure).max().unwrap_or(0).max(1) as u32;
    let mut bars = ChartBuilder::on(&left)
        .caption(format!("{unit} per value"), ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d((0u32..n.max(2) - 1).into_segmented(), 0u32..(max + max / 10 + 1))?;
    bars.configure_mesh()
        .disable_x_mesh()
        .x_labels(results.len().max(1))
        .x_label_formatter(&|x| match x {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .x_desc(x_desc)
        .y_desc(unit)
        .draw()?;
    bars.draw_series(results.iter().enumerate().map(|(i, r)| {
        let i = i as u32;
        let mut bar = Rectangle::new(
            [(SegmentValue::Exact(i), 0), (SegmentValue::Exact(i + 1), measure(r) as u32)],
            Palette99::pick(i as usize).mix(0.7).filled(),
        );
        bar.set_margin(0, 0, 8, 8);
        bar
    }))?;

    let days = results.first().map_or(0, |r| r.per_day.len());
    if days > 0 {
        let day_max = results.iter().flat_map(|r| r.per_day.iter().map(|(_, n)| *n)).max().unwrap_or(0).max(1);
        let first_day = results[0].per_day[0].0;
        let mut lines = ChartBuilder::on(&right)
            .caption("alerts per day", ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(40)
            .build_cartesian_2d(0usize..days, 0usize..(day_max + 1))?;
        lines
            .configure_mesh()
            .x_label_formatter(&|d| (first_day + chrono::Duration::days(*d as i64)).format("%m-%d").to_string())
            .draw()?;
        for (i, r) in results.iter().enumerate() {
            let color = Palette99::pick(i);
            lines
                .draw_series(LineSeries::new(
                    r.per_day.iter().enumerate().map(|(d, (_, n))| (d, *n)),
                    color.stroke_width(2),
                ))?
                .label(label(r))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], Palette99::pick(i).stroke_width(2)));
        }
        lines.configure_series_labels().border_style(BLACK).background_style(WHITE.mix(0.85)).draw()?;
    } else {
        right.draw(&Text::new("hunting queries run once: no alerts over time", (40, 200), ("sans-serif", 14)))?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_svg_has_a_bar_and_a_line_per_value() {
        let day = |d| (chrono::NaiveDate::from_ymd_opt(2021, 11, d).unwrap(), d as usize % 3);
        let results: Vec<ValueResult> = [2, 5, 13]
            .iter()
            .map(|v| ValueResult {
                params: vec![("min_commands".into(), json!(v))],
                rows: 10,
                alerts: Some(20 / *v as usize),
                entities: 1,
                first: None,
                last: None,
                per_day: (1..=5).map(day).collect(),
            })
            .collect();
        let svg = svg("run-command-spike", &results).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        assert!(svg.contains("min_commands=13") && svg.contains("alerts per day"));
        assert_eq!(svg.matches("stroke-width=\"2\"").count(), 3 + 3, "three series and three legend marks");
    }
}
