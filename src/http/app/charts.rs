//! The dashboard's charts, drawn as SVG on the server with plotters: no
//! chart script for the Mini App to load, and the same picture for any
//! client of the API. Colours follow the Mini App's theme when it passes
//! them; text is drawn by the browser (plotters' SVG output names a font
//! family, so no font files are needed here).

use plotters::prelude::*;

use crate::services::web::stats::{Dashboard, DayFigures};
use crate::texts::Texts;

const SIZE: (u32, u32) = (640, 260);
const FONT: &str = "sans-serif";

/// Colours of a chart.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    fg: RGBColor,
    accent: RGBColor,
    second: RGBColor,
    third: RGBColor,
}

impl Palette {
    /// Text and axes in `fg`, the first series in `accent`; defaults that
    /// read on light and dark backgrounds alike.
    pub fn new(fg: Option<(u8, u8, u8)>, accent: Option<(u8, u8, u8)>) -> Self {
        let rgb = |(r, g, b): (u8, u8, u8)| RGBColor(r, g, b);
        Self {
            fg: fg.map(rgb).unwrap_or(RGBColor(0x70, 0x75, 0x79)),
            accent: accent.map(rgb).unwrap_or(RGBColor(0x24, 0x81, 0xcc)),
            second: RGBColor(0x31, 0xb5, 0x45),
            third: RGBColor(0xe5, 0x8a, 0x1f),
        }
    }
}

/// `dd.mm` under a day's tick.
fn day_label(days: &[DayFigures], index: i32) -> String {
    usize::try_from(index)
        .ok()
        .and_then(|i| days.get(i))
        .map(|d| d.date.format("%d.%m").to_string())
        .unwrap_or_default()
}

fn draw<F>(paint: F) -> String
where
    F: FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<(), String>,
{
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        if let Err(error) = paint(&root).and_then(|()| root.present().map_err(|e| e.to_string())) {
            // A chart that cannot be drawn must not take the dashboard
            // down; the figures are there in numbers too.
            tracing::warn!(error, "a chart could not be drawn");
        }
    }
    svg
}

/// Tickets opened and closed per day over the dashboard's 30 days.
pub fn opened_closed(dashboard: &Dashboard, palette: &Palette, texts: &Texts) -> String {
    let days = &dashboard.days;
    let top = days
        .iter()
        .map(|d| d.figures.opened.max(d.figures.closed))
        .max()
        .unwrap_or(0)
        .max(4) as i64;
    let last = days.len().saturating_sub(1).max(1) as i32;
    draw(|root| {
        let text = (FONT, 13).into_font().color(&palette.fg);
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(26)
            .y_label_area_size(34)
            .build_cartesian_2d(0..last, 0i64..top + top / 5)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(6)
            .y_labels(5)
            .x_label_formatter(&|x| day_label(days, *x))
            .y_label_formatter(&|y| y.to_string())
            .label_style(text.clone())
            .axis_style(palette.fg.mix(0.6))
            .bold_line_style(palette.fg.mix(0.15))
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(|e| e.to_string())?;
        for (label, colour, value) in [
            (
                texts.chart_opened(),
                palette.accent,
                (|d: &DayFigures| d.figures.opened) as fn(&DayFigures) -> u64,
            ),
            (texts.chart_closed(), palette.second, |d: &DayFigures| {
                d.figures.closed
            }),
        ] {
            let points: Vec<(i32, i64)> = days
                .iter()
                .enumerate()
                .map(|(i, d)| (i as i32, value(d) as i64))
                .collect();
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(text)
            .background_style(TRANSPARENT)
            .border_style(TRANSPARENT)
            .draw()
            .map_err(|e| e.to_string())
    })
}

/// The survey's three answers, averaged per day, over 30 days.
pub fn survey(dashboard: &Dashboard, palette: &Palette, texts: &Texts) -> String {
    let days = &dashboard.days;
    let last = days.len().saturating_sub(1).max(1) as i32;
    draw(|root| {
        let text = (FONT, 13).into_font().color(&palette.fg);
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(26)
            .y_label_area_size(34)
            .build_cartesian_2d(0..last, 1.0f64..5.2)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(6)
            .y_labels(5)
            .x_label_formatter(&|x| day_label(days, *x))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style(text.clone())
            .axis_style(palette.fg.mix(0.6))
            .bold_line_style(palette.fg.mix(0.15))
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(|e| e.to_string())?;
        type Pick = fn(&DayFigures) -> Option<f64>;
        let series: [(&str, RGBColor, Pick); 3] = [
            (texts.chart_speed(), palette.accent, |d| {
                d.figures.averages.map(|a| a.speed)
            }),
            (texts.chart_quality(), palette.second, |d| {
                d.figures.averages.map(|a| a.quality)
            }),
            (texts.chart_politeness(), palette.third, |d| {
                d.figures.averages.map(|a| a.politeness)
            }),
        ];
        for (label, colour, value) in series {
            let points: Vec<(i32, f64)> = days
                .iter()
                .enumerate()
                .filter_map(|(i, d)| Some((i as i32, value(d)?)))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|point| Circle::new(point, 3, colour.filled())),
                )
                .map_err(|e| e.to_string())?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .label_font(text)
            .background_style(TRANSPARENT)
            .border_style(TRANSPARENT)
            .draw()
            .map_err(|e| e.to_string())
    })
}
