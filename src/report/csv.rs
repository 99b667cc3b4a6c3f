//! CSV tables for spreadsheets and plotting tools: one row per metric, distribution, bin,
//! exceedance point or hour.
//!
//! Every CSV egap writes goes through [`Table`], so quoting is the csv crate's (a region
//! named `North, coast` or `"A"` reads back as itself) and every number is written by one
//! rule, [`Cell::Number`].

use super::Document;
use crate::stats::{Distribution, Distributions, Estimate, Metric, Metrics, Summary};

/// Every scalar metric with its estimate, in report order.
pub fn metric_rows(s: &Summary) -> Vec<(Metric, &Estimate)> {
    metrics_of(&s.metrics)
}

/// [`metric_rows`] of one set of metrics (the system's or a region's).
pub fn metrics_of(m: &Metrics) -> Vec<(Metric, &Estimate)> {
    Metric::ALL
        .into_iter()
        .map(|metric| (metric, metric.of(m)))
        .collect()
}

/// One per-trajectory distribution as the tables show it.
pub struct DistributionRow<'a> {
    /// Its field in `summary.json`'s `distributions`.
    pub key: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub distribution: &'a Distribution,
}

impl DistributionRow<'_> {
    /// Whether it is about renewable energy, so says nothing in a study without any.
    pub fn is_curtailment(&self) -> bool {
        self.key.starts_with("curtailment")
    }
}

/// Every per-trajectory distribution, in report order. The curtailment rate's is over the
/// trajectories with renewable energy only, and left out when no trajectory has any (a
/// column of zeros would read as "never curtailed").
pub fn distribution_rows(s: &Summary) -> Vec<DistributionRow<'_>> {
    distributions_of(&s.distributions, s.trajectories)
}

/// [`distribution_rows`] of one set of distributions (the system's or a region's) over
/// `trajectories`.
pub fn distributions_of(d: &Distributions, trajectories: u64) -> Vec<DistributionRow<'_>> {
    let row = |key, label, unit, distribution| DistributionRow {
        key,
        label,
        unit,
        distribution,
    };
    let mut rows = vec![
        row(
            "unserved_energy_mwh",
            "shortfall energy",
            "MWh",
            &d.unserved_energy_mwh,
        ),
        row(
            "loss_of_load_hours",
            "loss-of-load hours",
            "h",
            &d.loss_of_load_hours,
        ),
        row("curtailment_mwh", "curtailment", "MWh", &d.curtailment_mwh),
    ];
    if d.trajectories_without_renewable < trajectories {
        rows.push(row(
            "curtailment_rate",
            "curtailment rate",
            "fraction",
            &d.curtailment_rate,
        ));
    }
    rows
}

/// The significant digits a number keeps in CSV: f64 arithmetic leaves noise in the last
/// three or four of its 17 (`1174.6326187800003`), and no Monte Carlo figure is known to
/// anywhere near 12, so 12 drop the noise and never a digit that means anything.
pub const SIGNIFICANT_DIGITS: usize = 12;

/// `x` as CSV writes it: rounded to [`SIGNIFICANT_DIGITS`] significant digits and written
/// as the shortest decimal of that value (trailing zeros dropped: `1174.63261878`, `0.3`,
/// `0.0002`); a whole number below 10^15 exactly and without a decimal point (`500`,
/// `80510921`); plain notation from 10^-6 to 10^15 and scientific outside (`1e-18`), which
/// spreadsheets and pandas read alike; an empty cell for a value that is not finite (egap
/// writes none), as pandas reads a missing value. `summary.json` keeps every digit.
pub fn decimal(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    if x == 0.0 {
        return "0".into(); // and not "-0"
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let digits = SIGNIFICANT_DIGITS - 1;
    let rounded: f64 = format!("{x:.digits$e}")
        .parse()
        .expect("a formatted float parses");
    // Display writes the shortest decimal that reads back as `rounded`: at most 12 digits.
    if (1e-6..1e15).contains(&rounded.abs()) {
        format!("{rounded}")
    } else {
        format!("{rounded:e}")
    }
}

/// One cell of a CSV table. Numbers are kept as numbers until the table writes them, so
/// that one rule decides how every number egap writes to CSV looks.
#[derive(Clone, Debug)]
pub enum Cell<'a> {
    Text(&'a str),
    /// An owned text (a path, a value made for the row).
    Owned(String),
    /// A measured or computed value.
    Number(f64),
    /// A count or an index, written exactly.
    Count(u64),
    /// No value (a z-score of exact figures): an empty cell, which pandas reads as NaN.
    Empty,
}

impl Cell<'_> {
    fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Text(t) => (*t).into(),
            Cell::Owned(t) => t.as_str().into(),
            Cell::Number(x) => decimal(*x).into(),
            Cell::Count(n) => n.to_string().into(),
            Cell::Empty => "".into(),
        }
    }
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(text: &'a str) -> Self {
        Cell::Text(text)
    }
}

impl<'a> From<&'a String> for Cell<'a> {
    fn from(text: &'a String) -> Self {
        Cell::Text(text)
    }
}

impl From<String> for Cell<'_> {
    fn from(text: String) -> Self {
        Cell::Owned(text)
    }
}

impl From<f64> for Cell<'_> {
    fn from(x: f64) -> Self {
        Cell::Number(x)
    }
}

impl From<u64> for Cell<'_> {
    fn from(n: u64) -> Self {
        Cell::Count(n)
    }
}

impl From<u32> for Cell<'_> {
    fn from(n: u32) -> Self {
        Cell::Count(n.into())
    }
}

impl From<usize> for Cell<'_> {
    fn from(n: usize) -> Self {
        Cell::Count(n as u64)
    }
}

impl From<bool> for Cell<'_> {
    fn from(b: bool) -> Self {
        Cell::Text(if b { "true" } else { "false" })
    }
}

/// A CSV table written into memory by the csv crate: an optional `#` preamble line, a
/// header, then rows.
pub struct Table {
    writer: ::csv::Writer<Vec<u8>>,
}

impl Table {
    /// A table starting with `preamble` (empty, or whole `# ...` lines) and `header`.
    pub fn new<S: AsRef<str>>(preamble: &str, header: &[S]) -> Table {
        let writer = ::csv::WriterBuilder::new()
            // Every row of a table has the header's length; the writer checks it.
            .flexible(false)
            .from_writer(preamble.as_bytes().to_vec());
        let mut table = Table { writer };
        table.record(header.iter().map(|h| h.as_ref()));
        table
    }

    /// Appends one row.
    pub fn row(&mut self, cells: &[Cell]) {
        let texts: Vec<_> = cells.iter().map(Cell::text).collect();
        self.record(texts.iter().map(|t| t.as_ref()));
    }

    fn record<'a>(&mut self, fields: impl Iterator<Item = &'a str>) {
        self.writer
            .write_record(fields)
            .expect("a row of the header's length, written into memory");
    }

    /// The table's text.
    pub fn finish(self) -> String {
        let bytes = self
            .writer
            .into_inner()
            .expect("CSV into memory cannot fail");
        String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8")
    }
}

/// The first line of every table of an interrupted run, so that partial results are never
/// taken for complete ones: `# interrupted: 1234 of 10000 trajectories completed`. A
/// complete run's tables start with their header. Tools that skip `#` lines (pandas'
/// `comment="#"`, R's `comment.char = "#"`) read both; others fail loudly on the partial one.
fn preamble(doc: &Document) -> String {
    if doc.run.interrupted {
        format!(
            "# interrupted: {} of {} trajectories completed\n",
            doc.summary.trajectories, doc.run.requested
        )
    } else {
        String::new()
    }
}

/// The columns of an estimate, after its key, label and unit.
const ESTIMATE: [&str; 4] = ["mean", "standard_error", "ci95_low", "ci95_high"];

pub fn metrics_csv(doc: &Document) -> String {
    let mut t = Table::new(
        &preamble(doc),
        &[&["metric", "label", "unit"][..], &ESTIMATE].concat(),
    );
    for (metric, e) in metric_rows(&doc.summary) {
        t.row(&metric_cells(metric, e));
    }
    t.finish()
}

/// The cells of one metric's row: key, label, unit, mean, standard error, 95% bounds.
fn metric_cells(metric: Metric, e: &Estimate) -> [Cell<'static>; 7] {
    [
        metric.key().into(),
        metric.label().into(),
        metric.unit().into(),
        e.mean.into(),
        e.standard_error.into(),
        e.ci95_low.into(),
        e.ci95_high.into(),
    ]
}

/// The columns of a distribution's row after its key, label and unit: the JSON's names.
const DISTRIBUTION: [&str; 11] = [
    "mean", "p5", "p25", "p50", "p75", "p90", "p95", "p99", "p999", "max", "cvar95",
];

/// The cells of one distribution's row: key, label, unit, then [`DISTRIBUTION`].
fn distribution_cells<'a>(r: &DistributionRow<'a>) -> Vec<Cell<'a>> {
    let d = r.distribution;
    let mut cells: Vec<Cell> = vec![r.key.into(), r.label.into(), r.unit.into()];
    cells.extend(
        [
            d.mean, d.p5, d.p25, d.p50, d.p75, d.p90, d.p95, d.p99, d.p999, d.max, d.cvar95,
        ]
        .map(Cell::from),
    );
    cells
}

/// Every distribution's mean, quantiles (all those `summary.json` holds, under its keys),
/// maximum and CVaR95, one row each.
pub fn distributions_csv(doc: &Document) -> String {
    let header = [&["distribution", "label", "unit"][..], &DISTRIBUTION].concat();
    let mut t = Table::new(&preamble(doc), &header);
    for r in distribution_rows(&doc.summary) {
        t.row(&distribution_cells(&r));
    }
    t.finish()
}

pub fn histograms_csv(doc: &Document) -> String {
    let header = [
        "distribution",
        "label",
        "unit",
        "lower",
        "upper",
        "trajectories",
    ];
    let mut t = Table::new(&preamble(doc), &header);
    for r in distribution_rows(&doc.summary) {
        for b in &r.distribution.histogram {
            t.row(&[
                r.key.into(),
                r.label.into(),
                r.unit.into(),
                b.lower.into(),
                b.upper.into(),
                b.count.into(),
            ]);
        }
    }
    t.finish()
}

pub fn exceedance_csv(doc: &Document) -> String {
    let header = [
        "distribution",
        "label",
        "unit",
        "value",
        "probability_at_least",
    ];
    let mut t = Table::new(&preamble(doc), &header);
    for r in distribution_rows(&doc.summary) {
        for p in &r.distribution.exceedance {
            t.row(&[
                r.key.into(),
                r.label.into(),
                r.unit.into(),
                p.value.into(),
                p.probability.into(),
            ]);
        }
    }
    t.finish()
}

pub fn hourly_csv(doc: &Document) -> String {
    let mut t = Table::new(&preamble(doc), &["hour", "lolp", "expected_shortfall_mw"]);
    for h in &doc.summary.hourly {
        t.row(&[h.hour.into(), h.lolp.into(), h.expected_shortfall_mw.into()]);
    }
    t.finish()
}

/// Every region's metrics (studies with several regions).
pub fn regions_csv(doc: &Document) -> String {
    let header = [&["region", "metric", "label", "unit"][..], &ESTIMATE].concat();
    let mut t = Table::new(&preamble(doc), &header);
    for r in &doc.summary.regions {
        for (metric, e) in metrics_of(&r.metrics) {
            let mut cells = vec![Cell::from(&r.name)];
            cells.extend(metric_cells(metric, e));
            t.row(&cells);
        }
    }
    t.finish()
}

/// Every region's distributions: the columns of `distributions.csv` after `region`, one
/// row per region and distribution (long form, as `regions.csv`), so that one table holds
/// them all and a pivot or a filter on `region` gives any view.
pub fn regions_distributions_csv(doc: &Document) -> String {
    let header = [
        &["region", "distribution", "label", "unit"][..],
        &DISTRIBUTION,
    ]
    .concat();
    let mut t = Table::new(&preamble(doc), &header);
    for r in &doc.summary.regions {
        for d in distributions_of(&r.distributions, doc.summary.trajectories) {
            let mut cells = vec![Cell::from(&r.name)];
            cells.extend(distribution_cells(&d));
            t.row(&cells);
        }
    }
    t.finish()
}

/// Every region's hourly risk profile.
pub fn regions_hourly_csv(doc: &Document) -> String {
    let header = ["region", "hour", "lolp", "expected_shortfall_mw"];
    let mut t = Table::new(&preamble(doc), &header);
    for r in &doc.summary.regions {
        for h in &r.hourly {
            t.row(&[
                (&r.name).into(),
                h.hour.into(),
                h.lolp.into(),
                h.expected_shortfall_mw.into(),
            ]);
        }
    }
    t.finish()
}

pub fn interfaces_csv(doc: &Document) -> String {
    let header = [
        "interface",
        "forward_energy_mwh",
        "backward_energy_mwh",
        "mean_flow_mw",
        "share_at_forward_limit",
        "share_at_backward_limit",
    ];
    let mut t = Table::new(&preamble(doc), &header);
    for i in &doc.summary.interfaces {
        t.row(&[
            (&i.name).into(),
            i.forward_energy_mwh.into(),
            i.backward_energy_mwh.into(),
            i.mean_flow_mw.into(),
            i.share_at_forward_limit.into(),
            i.share_at_backward_limit.into(),
        ]);
    }
    t.finish()
}

pub fn storage_csv(doc: &Document) -> String {
    let header = [
        "storage",
        "charged_mwh",
        "discharged_mwh",
        "cycles",
        "share_of_hours_full",
        "share_of_hours_empty",
    ];
    let mut t = Table::new(&preamble(doc), &header);
    for s in &doc.summary.storage {
        t.row(&[
            (&s.name).into(),
            s.charged_mwh.into(),
            s.discharged_mwh.into(),
            s.cycles.into(),
            s.share_of_hours_full.into(),
            s.share_of_hours_empty.into(),
        ]);
    }
    t.finish()
}

/// A header and one row of `(column, value)` pairs: the answer of a search (`egap credit`,
/// `egap capability --format csv`).
pub fn one_row(fields: &[(&str, Cell)]) -> String {
    let header: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
    let mut t = Table::new("", &header);
    let cells: Vec<Cell> = fields.iter().map(|(_, v)| v.clone()).collect();
    t.row(&cells);
    t.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_by_the_csv_rules_and_read_back_as_themselves() {
        let mut t = Table::new("# interrupted: 1 of 2\n", &["region", "mean", "z"]);
        t.row(&["North, coast".into(), 1.5.into(), Cell::Empty]);
        t.row(&["the \"A\" zone".into(), 7u64.into(), (-2.0).into()]);
        let text = t.finish();
        assert!(
            text.starts_with("# interrupted: 1 of 2\nregion,mean,z\n"),
            "{text}"
        );
        let mut reader = ::csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert_eq!(rows[0], ["North, coast", "1.5", ""]);
        assert_eq!(rows[1], ["the \"A\" zone", "7", "-2"]);
    }

    #[test]
    fn numbers_are_written_without_float_noise() {
        assert_eq!(decimal(1174.6326187800003), "1174.63261878");
        assert_eq!(decimal(0.1 + 0.2), "0.3");
        assert_eq!(decimal(50.022400000000005), "50.0224");
        assert_eq!(decimal(0.00002174908424908425), "0.0000217490842491");
        assert_eq!(decimal(0.31666666666666665), "0.316666666667");
        assert_eq!(decimal(500.0), "500");
        assert_eq!(decimal(80510921.0), "80510921");
        assert_eq!(decimal(123456789012345.0), "123456789012345");
        assert_eq!(decimal(2.9999999999999996), "3");
        assert_eq!(decimal(-0.0), "0");
        assert_eq!(decimal(-2.5), "-2.5");
        assert_eq!(decimal(1e-18), "1e-18");
        assert_eq!(decimal(1.25e-7), "1.25e-7");
        assert_eq!(decimal(3.0e20), "3e20");
        assert_eq!(decimal(f64::NAN), "");
        // Twelve digits carry every figure to within half a unit of the twelfth.
        for x in [
            1174.6326187800003,
            0.423124561260434,
            13499081.874310002,
            7.3e-9,
        ] {
            let back: f64 = decimal(x).parse().unwrap();
            assert!((back - x).abs() <= 5e-12 * x.abs(), "{x}");
        }
    }

    #[test]
    fn one_row_is_a_header_and_a_row() {
        let text = one_row(&[("resource", "units[a, b]".into()), ("steps", 3u64.into())]);
        assert_eq!(text, "resource,steps\n\"units[a, b]\",3\n");
    }
}
