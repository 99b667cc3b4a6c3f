//! Hand-made SVG, as `sweep::svg` writes it: a text buffer with the few elements the plots
//! draw, axes (linear or by decades) with round ticks, and a sequential colour scale.
//!
//! Every coordinate goes through [`num`], which writes one decimal and turns anything that
//! is not finite into 0, so no plot can carry NaN or infinity; every log goes through
//! [`Axis::px`], which clamps to the axis. Text is XML-escaped.

use std::fmt::Write;

/// The font of every text: DejaVu Sans where it is installed, then common fallbacks.
pub use crate::stats::fixed;

pub const FONT: &str = "DejaVu Sans, Arial, sans-serif";
/// Sizes of text, in px at the SVG's size.
pub const TITLE: f64 = 18.0;
pub const LABEL: f64 = 14.0;
pub const TICK: f64 = 13.0;
/// Width of an average character of DejaVu Sans, per px of font size (layout estimates).
const CHAR: f64 = 0.6;

/// Colours of successive series (as `sweep::svg`); the system is drawn in [`SYSTEM`].
pub const COLOURS: [&str; 6] = [
    "#08519c", "#a63603", "#006d2c", "#54278f", "#b30000", "#525252",
];
pub const SYSTEM: &str = "#252525";
pub const GRID: &str = "#e3e3e3";
pub const MUTED: &str = "#555555";

/// A coordinate or length with one decimal; 0 when not finite; never "-0".
pub fn num(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let t = format!("{v:.1}");
    let t = t.strip_suffix(".0").unwrap_or(&t).to_string();
    if t == "-0" { "0".to_string() } else { t }
}

/// `text` safe inside an element or attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Estimated width of `text` at `size` (DejaVu Sans is wide; this errs on the wide side).
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * CHAR
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn name(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// An SVG document being written.
pub struct Svg {
    out: String,
    width: f64,
}

impl Svg {
    /// A white page of `width` × `height` px.
    pub fn new(width: f64, height: f64) -> Svg {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" font-family=\"{FONT}\" font-size=\"{2}\">",
            num(width),
            num(height),
            num(TICK)
        );
        let _ = writeln!(out, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        Svg { out, width }
    }

    /// The title, centred at the top, and an optional grey line under it.
    pub fn title(&mut self, title: &str, subtitle: &str) {
        let x = self.width / 2.0;
        self.text(
            x,
            28.0,
            TITLE,
            Anchor::Middle,
            "font-weight=\"bold\"",
            title,
        );
        if !subtitle.is_empty() {
            let attrs = format!("fill=\"{MUTED}\"");
            self.text(x, 50.0, TICK, Anchor::Middle, &attrs, subtitle);
        }
    }

    /// Text with its baseline at `y`; `attrs` are extra attributes written as given.
    pub fn text(&mut self, x: f64, y: f64, size: f64, anchor: Anchor, attrs: &str, text: &str) {
        let _ = write!(self.out, "<text x=\"{}\" y=\"{}\"", num(x), num(y));
        if size != TICK {
            let _ = write!(self.out, " font-size=\"{}\"", num(size));
        }
        if anchor != Anchor::Start {
            let _ = write!(self.out, " text-anchor=\"{}\"", anchor.name());
        }
        if !attrs.is_empty() {
            let _ = write!(self.out, " {attrs}");
        }
        let _ = writeln!(self.out, ">{}</text>", escape(text));
    }

    /// Text turned a quarter left (reading upwards), centred on (x, y): a y-axis label.
    pub fn vertical_text(&mut self, x: f64, y: f64, size: f64, text: &str) {
        let attrs = format!("transform=\"rotate(-90 {} {})\"", num(x), num(y));
        self.text(x, y, size, Anchor::Middle, &attrs, text);
    }

    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str, attrs: &str) {
        let _ = write!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\"",
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
        if !attrs.is_empty() {
            let _ = write!(self.out, " {attrs}");
        }
        self.out.push_str("/>\n");
    }

    /// A rectangle from (x, y) of width `w` and height `h` (negative sizes are flipped).
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, attrs: &str) {
        let (x, w) = if w < 0.0 { (x + w, -w) } else { (x, w) };
        let (y, h) = if h < 0.0 { (y + h, -h) } else { (y, h) };
        let _ = write!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"",
            num(x),
            num(y),
            num(w),
            num(h)
        );
        if !attrs.is_empty() {
            let _ = write!(self.out, " {attrs}");
        }
        self.out.push_str("/>\n");
    }

    pub fn circle(&mut self, x: f64, y: f64, r: f64, fill: &str) {
        let _ = writeln!(
            self.out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\"/>",
            num(x),
            num(y),
            num(r)
        );
    }

    /// A polyline through `points`, leaving out points that round to the previous one.
    pub fn polyline(&mut self, points: &[(f64, f64)], stroke: &str, width: f64, dash: &str) {
        let mut coordinates: Vec<String> = Vec::with_capacity(points.len());
        for &(x, y) in points {
            let c = format!("{},{}", num(x), num(y));
            if coordinates.last() != Some(&c) {
                coordinates.push(c);
            }
        }
        if coordinates.len() == 1 {
            coordinates.push(coordinates[0].clone());
        }
        let _ = write!(
            self.out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{}\" stroke-linejoin=\"round\"",
            coordinates.join(" "),
            num(width)
        );
        if !dash.is_empty() {
            let _ = write!(self.out, " stroke-dasharray=\"{dash}\"");
        }
        self.out.push_str("/>\n");
    }

    /// Writes `raw` as it is (an opening or closing group).
    pub fn raw(&mut self, raw: &str) {
        self.out.push_str(raw);
        self.out.push('\n');
    }

    /// A centred message in a framed box: what a plot says when it has nothing to draw.
    pub fn message(&mut self, frame: &Frame, lines: &[&str]) {
        let widest = lines
            .iter()
            .map(|l| text_width(l, LABEL))
            .fold(0.0, f64::max);
        let (cx, cy) = (
            (frame.left + frame.right) / 2.0,
            (frame.top + frame.bottom) / 2.0,
        );
        let h = 22.0 * lines.len() as f64 + 18.0;
        self.rect(
            cx - widest / 2.0 - 18.0,
            cy - h / 2.0,
            widest + 36.0,
            h,
            "#f7f7f7",
            "stroke=\"#bdbdbd\"",
        );
        for (i, line) in lines.iter().enumerate() {
            let y = cy - h / 2.0 + 9.0 + 22.0 * (i as f64 + 1.0) - 6.0;
            self.text(cx, y, LABEL, Anchor::Middle, "", line);
        }
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// The plotting area, in px.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Frame {
    pub fn width(&self) -> f64 {
        self.right - self.left
    }
    pub fn height(&self) -> f64 {
        self.bottom - self.top
    }
}

/// How values map along an axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// From `min` to `max` (max > min), ticks every `step`.
    Linear { min: f64, max: f64, step: f64 },
    /// From 10^`low` to 10^`high` (high > low).
    Log { low: i32, high: i32 },
}

impl Scale {
    /// Round limits around [lo, hi] (lo ≥ 0 reads from 0 when that costs little).
    pub fn linear(lo: f64, hi: f64) -> Scale {
        let (lo, hi) = if lo.is_finite() && hi.is_finite() && hi >= lo {
            (lo, hi)
        } else {
            (0.0, 1.0)
        };
        // Start from 0 unless the data sit far from it.
        let lo = if lo >= 0.0 && lo < 0.5 * hi { 0.0 } else { lo };
        let span = hi - lo;
        if span <= 0.0 {
            let top = if hi > 0.0 {
                nice_ceiling(hi * 1.2)
            } else {
                1.0
            };
            return Scale::linear(0.0, top);
        }
        let step = nice_step(span / 5.0);
        let min = (lo / step).floor() * step;
        let mut max = (hi / step).ceil() * step;
        if max <= min {
            max = min + step;
        }
        Scale::Linear { min, max, step }
    }

    /// Whole decades around [lo, hi] (both > 0).
    pub fn log(lo: f64, hi: f64) -> Scale {
        let low = decade_floor(lo);
        let mut high = decade_ceiling(hi);
        if high <= low {
            high = low + 1;
        }
        Scale::Log { low, high }
    }

    /// A log scale when the positive values span `decades` decades or more, else linear.
    pub fn auto(lo: f64, hi: f64, decades: f64) -> Scale {
        if lo > 0.0 && hi / lo >= 10f64.powf(decades) {
            Scale::log(lo, hi)
        } else {
            Scale::linear(lo, hi)
        }
    }

    /// The position of `v` from 0 (start) to 1 (end), clamped to the axis.
    pub fn fraction(&self, v: f64) -> f64 {
        let f = match *self {
            Scale::Linear { min, max, .. } => {
                if max > min {
                    (v - min) / (max - min)
                } else {
                    0.5
                }
            }
            Scale::Log { low, high } => {
                if v > 0.0 && high > low {
                    (v.log10() - f64::from(low)) / f64::from(high - low)
                } else {
                    0.0
                }
            }
        };
        if f.is_finite() {
            f.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    pub fn contains(&self, v: f64) -> bool {
        match *self {
            Scale::Linear { min, max, .. } => v >= min && v <= max,
            Scale::Log { low, high } => {
                v > 0.0 && v >= 10f64.powi(low) * 0.999_999 && v <= 10f64.powi(high) * 1.000_001
            }
        }
    }

    /// Labelled ticks (value, label) and unlabelled minor ticks.
    pub fn ticks(&self) -> (Vec<(f64, String)>, Vec<f64>) {
        match *self {
            Scale::Linear { min, max, step } => {
                let decimals = decimals(step);
                let n = ((max - min) / step).round().clamp(0.0, 100.0) as i64;
                let major = (0..=n)
                    .map(|k| {
                        let v = min + step * k as f64;
                        (v, fixed(v, decimals))
                    })
                    .collect();
                (major, Vec::new())
            }
            Scale::Log { low, high } => {
                let decades = high - low;
                // Label every decade up to 8 of them, else every other (third, ...) one.
                let every = (decades + 7) / 8;
                let major = (low..=high)
                    .filter(|e| (e - low) % every == 0)
                    .map(|e| (10f64.powi(e), decade_label(e)))
                    .collect();
                let mut minor = Vec::new();
                for e in low..=high {
                    if every > 1 && (e - low) % every != 0 {
                        minor.push(10f64.powi(e));
                    }
                    if decades <= 6 && e < high {
                        minor.extend((2..10).map(|m| f64::from(m) * 10f64.powi(e)));
                    }
                }
                (major, minor)
            }
        }
    }
}

/// One axis of a frame: a scale laid from pixel `from` to pixel `to`.
#[derive(Clone, Copy, Debug)]
pub struct Axis {
    pub scale: Scale,
    pub from: f64,
    pub to: f64,
}

impl Axis {
    pub fn px(&self, v: f64) -> f64 {
        self.from + self.scale.fraction(v) * (self.to - self.from)
    }
}

/// Draws the frame, grid lines, ticks, tick labels and the axis labels of an x–y plot.
pub fn axes(svg: &mut Svg, frame: &Frame, x: &Axis, y: &Axis, x_label: &str, y_label: &str) {
    let (x_major, x_minor) = x.scale.ticks();
    for &(v, _) in &x_major {
        let px = x.px(v);
        svg.line((px, frame.top), (px, frame.bottom), GRID, "");
    }
    y_axis(svg, frame, y, y_label);
    for v in x_minor {
        let px = x.px(v);
        svg.line((px, frame.bottom), (px, frame.bottom + 3.0), "black", "");
    }
    for (v, label) in &x_major {
        let px = x.px(*v);
        svg.line((px, frame.bottom), (px, frame.bottom + 6.0), "black", "");
        svg.text(px, frame.bottom + 21.0, TICK, Anchor::Middle, "", label);
    }
    svg.text(
        (frame.left + frame.right) / 2.0,
        frame.bottom + 44.0,
        LABEL,
        Anchor::Middle,
        "",
        x_label,
    );
}

/// The frame's outline, horizontal grid lines, the y ticks and labels, and the y label.
pub fn y_axis(svg: &mut Svg, frame: &Frame, y: &Axis, y_label: &str) {
    let (y_major, y_minor) = y.scale.ticks();
    for &(v, _) in &y_major {
        let py = y.px(v);
        svg.line((frame.left, py), (frame.right, py), GRID, "");
    }
    svg.rect(
        frame.left,
        frame.top,
        frame.width(),
        frame.height(),
        "none",
        "stroke=\"black\"",
    );
    for v in y_minor {
        let py = y.px(v);
        svg.line((frame.left - 3.0, py), (frame.left, py), "black", "");
    }
    let mut widest: f64 = 0.0;
    for (v, label) in &y_major {
        let py = y.px(*v);
        svg.line((frame.left - 6.0, py), (frame.left, py), "black", "");
        svg.text(frame.left - 9.0, py + 4.5, TICK, Anchor::End, "", label);
        widest = widest.max(text_width(label, TICK));
    }
    let label_x = (frame.left - 9.0 - widest - 12.0).max(LABEL);
    svg.vertical_text(label_x, (frame.top + frame.bottom) / 2.0, LABEL, y_label);
}

/// The smallest of 1, 2, 2.5, 5 × 10^k at or above `v` (1 for v ≤ 0).
pub fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|&c| c >= v * (1.0 - 1e-12))
        .unwrap_or(10.0 * p)
}

/// A round tick step near `v`: 1, 2, 2.5 or 5 × 10^k.
fn nice_step(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    let m = v / p;
    let m = if m < 1.5 {
        1.0
    } else if m < 2.25 {
        2.0
    } else if m < 3.5 {
        2.5
    } else if m < 7.5 {
        5.0
    } else {
        10.0
    };
    m * p
}

fn decade_floor(v: f64) -> i32 {
    if v > 0.0 && v.is_finite() {
        // A hair above the decade so 1000 reads as 10^3, not 10^2.999….
        (v.log10() + 1e-9).floor().clamp(-300.0, 300.0) as i32
    } else {
        0
    }
}

fn decade_ceiling(v: f64) -> i32 {
    if v > 0.0 && v.is_finite() {
        (v.log10() - 1e-9).ceil().clamp(-300.0, 300.0) as i32
    } else {
        0
    }
}

/// Decimals a tick step needs: 0 for whole steps, 1 for 0.5 and 0.1, 2 for 0.25 …
fn decimals(step: f64) -> usize {
    (0..12)
        .find(|&d| {
            let scaled = step * 10f64.powi(d);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(12) as usize
}

/// 10^e written plainly from 0.001 to 100,000, else as 1e-4, 1e6.
fn decade_label(e: i32) -> String {
    if (0..=5).contains(&e) {
        fixed(10f64.powi(e), 0)
    } else if (-3..0).contains(&e) {
        fixed(10f64.powi(e), (-e) as usize)
    } else {
        format!("1e{e}")
    }
}

/// A value for a sentence: three significant digits, thousands separators, no exponent
/// below 10^9.
pub fn amount(v: f64) -> String {
    if !v.is_finite() || v == 0.0 {
        return "0".to_string();
    }
    let a = v.abs();
    if !(1e-3..1e9).contains(&a) {
        return format!("{v:.2e}");
    }
    let digits = a.log10().floor() as i32;
    let decimals = (2 - digits).max(0) as usize;
    fixed(v, decimals)
}

/// A share (0–1) as a percentage with sensible precision: 12.3%, 0.45%, 0.0012%.
pub fn percent(share: f64) -> String {
    let p = if share.is_finite() {
        share * 100.0
    } else {
        0.0
    };
    if p == 0.0 {
        "0%".to_string()
    } else if p >= 10.0 {
        format!("{p:.1}%")
    } else {
        let digits = p.abs().log10().floor() as i32;
        let decimals = (1 - digits).clamp(1, 8) as usize;
        format!("{p:.decimals$}%")
    }
}

/// YlOrRd (ColorBrewer, 9 classes): pale yellow to dark red.
const SEQUENTIAL: [(u8, u8, u8); 9] = [
    (0xff, 0xff, 0xcc),
    (0xff, 0xed, 0xa0),
    (0xfe, 0xd9, 0x76),
    (0xfe, 0xb2, 0x4c),
    (0xfd, 0x8d, 0x3c),
    (0xfc, 0x4e, 0x2a),
    (0xe3, 0x1a, 0x1c),
    (0xbd, 0x00, 0x26),
    (0x80, 0x00, 0x26),
];

/// The colour at `t` ∈ [0, 1] of the sequential scale, as #rrggbb.
pub fn sequential(t: f64) -> String {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (SEQUENTIAL.len() - 1) as f64;
    let i = (x.floor() as usize).min(SEQUENTIAL.len() - 2);
    let f = x - i as f64;
    let (a, b) = (SEQUENTIAL[i], SEQUENTIAL[i + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * f).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}
