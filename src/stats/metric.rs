//! The catalogue of scalar metrics: one place that knows each metric's key in
//! `summary.json`, its label and unit, what it means, and how to show it to people.
//!
//! The summary, the CSV and HTML tables, `compare`, `credit`, `capability`, the reliability
//! criterion and the CLI's `--metric` values all read this list, so a metric added here
//! appears everywhere at once and its name cannot drift between them.

use std::fmt;

use super::{Estimate, Metrics};

/// A scalar metric of a study: an expected value with its Monte Carlo error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    LoleHours,
    LoleDays,
    EueMwh,
    NeuePpm,
    Lolp,
    LolfEvents,
    PeakShortfallMw,
    CurtailmentMwh,
    CurtailmentRate,
    RenewableEnergyMwh,
    DemandEnergyMwh,
}

impl Metric {
    /// Every metric, in report order.
    pub const ALL: [Metric; 11] = [
        Metric::LoleHours,
        Metric::LoleDays,
        Metric::EueMwh,
        Metric::NeuePpm,
        Metric::Lolp,
        Metric::LolfEvents,
        Metric::PeakShortfallMw,
        Metric::CurtailmentMwh,
        Metric::CurtailmentRate,
        Metric::RenewableEnergyMwh,
        Metric::DemandEnergyMwh,
    ];

    /// The metrics a reliability standard is written in: the ones a criterion, a capacity
    /// credit or a load-carrying capability can hold to a limit. Each can only grow when
    /// demand grows, which the searches of `credit` and `capability` rely on.
    pub const RELIABILITY: [Metric; 5] = [
        Metric::LoleHours,
        Metric::LoleDays,
        Metric::EueMwh,
        Metric::NeuePpm,
        Metric::Lolp,
    ];

    /// The field of `summary.metrics` (and the value `--metric` takes).
    pub fn key(self) -> &'static str {
        match self {
            Metric::LoleHours => "lole_hours",
            Metric::LoleDays => "lole_days",
            Metric::EueMwh => "eue_mwh",
            Metric::NeuePpm => "neue_ppm",
            Metric::Lolp => "lolp",
            Metric::LolfEvents => "lolf_events",
            Metric::PeakShortfallMw => "peak_shortfall_mw",
            Metric::CurtailmentMwh => "curtailment_mwh",
            Metric::CurtailmentRate => "curtailment_rate",
            Metric::RenewableEnergyMwh => "renewable_energy_mwh",
            Metric::DemandEnergyMwh => "demand_energy_mwh",
        }
    }

    /// The name planners use, without the unit.
    pub fn label(self) -> &'static str {
        match self {
            Metric::LoleHours | Metric::LoleDays => "LOLE",
            Metric::EueMwh => "EUE",
            Metric::NeuePpm => "NEUE",
            Metric::Lolp => "LOLP",
            Metric::LolfEvents => "LOLF",
            Metric::PeakShortfallMw => "peak shortfall",
            Metric::CurtailmentMwh => "curtailment",
            Metric::CurtailmentRate => "curtailment rate",
            Metric::RenewableEnergyMwh => "renewable energy",
            Metric::DemandEnergyMwh => "demand energy",
        }
    }

    /// The unit of the value in `summary.json`, per horizon.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::LoleHours => "h",
            Metric::LoleDays => "d",
            Metric::EueMwh | Metric::CurtailmentMwh => "MWh",
            Metric::NeuePpm => "ppm",
            Metric::Lolp => "probability",
            Metric::LolfEvents => "events",
            Metric::PeakShortfallMw => "MW",
            Metric::CurtailmentRate => "fraction",
            Metric::RenewableEnergyMwh | Metric::DemandEnergyMwh => "MWh",
        }
    }

    /// The unit as people read it: per year when the horizon is one ([`is_year`])
    /// and the metric adds up over the horizon; a share shown as a percentage.
    pub fn unit_for(self, hours: u32) -> String {
        let yearly = is_year(hours);
        match self {
            Metric::Lolp => "probability".into(),
            Metric::CurtailmentRate => "%".into(),
            Metric::NeuePpm => "ppm".into(),
            Metric::PeakShortfallMw => "MW".into(),
            m if yearly => format!("{}/yr", m.unit()),
            m => m.unit().into(),
        }
    }

    /// What the metric measures, in a sentence.
    pub fn description(self) -> &'static str {
        match self {
            Metric::LoleHours => "expected hours with load that cannot be served",
            Metric::LoleDays => "expected days with at least one hour of shortfall",
            Metric::EueMwh => "expected energy that cannot be served",
            Metric::NeuePpm => "unserved energy as parts per million of demand",
            Metric::Lolp => "probability that a trajectory has any shortfall",
            Metric::LolfEvents => "expected number of shortfall events (runs of short hours)",
            Metric::PeakShortfallMw => "mean over trajectories of the largest hourly shortfall",
            Metric::CurtailmentMwh => "expected renewable energy that cannot be used",
            Metric::CurtailmentRate => "curtailed share of the available renewable energy",
            Metric::RenewableEnergyMwh => "expected available renewable energy",
            Metric::DemandEnergyMwh => "expected demand energy",
        }
    }

    /// The short name a criterion is written with: `LOLE_d` in `LOLE_d<=0.1`.
    pub fn criterion_name(self) -> &'static str {
        match self {
            Metric::LoleHours => "LOLE_h",
            Metric::LoleDays => "LOLE_d",
            Metric::EueMwh => "EUE_MWh",
            Metric::NeuePpm => "NEUE_ppm",
            Metric::Lolp => "LOLP",
            m => m.key(),
        }
    }

    /// Whether the metric is about renewable energy, so says nothing in a study without any.
    pub fn is_curtailment(self) -> bool {
        matches!(
            self,
            Metric::CurtailmentMwh | Metric::CurtailmentRate | Metric::RenewableEnergyMwh
        )
    }

    /// The metric whose `summary.json` key is `key`.
    pub fn from_key(key: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.key() == key)
    }

    /// The keys of `metrics`, for messages listing what is valid.
    pub fn keys(metrics: &[Metric]) -> String {
        metrics
            .iter()
            .map(|m| m.key())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// This metric's estimate in `m`.
    pub fn of(self, m: &Metrics) -> &Estimate {
        match self {
            Metric::LoleHours => &m.lole_hours,
            Metric::LoleDays => &m.lole_days,
            Metric::EueMwh => &m.eue_mwh,
            Metric::NeuePpm => &m.neue_ppm,
            Metric::Lolp => &m.lolp,
            Metric::LolfEvents => &m.lolf_events,
            Metric::PeakShortfallMw => &m.peak_shortfall_mw,
            Metric::CurtailmentMwh => &m.curtailment_mwh,
            Metric::CurtailmentRate => &m.curtailment_rate,
            Metric::RenewableEnergyMwh => &m.renewable_energy_mwh,
            Metric::DemandEnergyMwh => &m.demand_energy_mwh,
        }
    }

    /// A value of this metric for people: thousands separators, a rate as a percentage, and
    /// as many significant digits as a reader can use (three to four).
    pub fn show(self, x: f64) -> String {
        match self {
            Metric::CurtailmentRate => format!("{}%", readable(x * 100.0)),
            _ => readable(x),
        }
    }

    /// [`Metric::show`] with the unit for a horizon of `hours` ([`Metric::unit_for`]);
    /// a percentage or a probability needs none.
    pub fn show_with_unit(self, x: f64, hours: u32) -> String {
        match self {
            Metric::CurtailmentRate | Metric::Lolp => self.show(x),
            _ => format!("{} {}", self.show(x), self.unit_for(hours)),
        }
    }

    /// `mean ± standard error` for people: the error to two significant digits and the mean
    /// to the same decimal place, as measurements are written (`3.073 ± 0.087`,
    /// `216,830 ± 170`); a rate in percent.
    pub fn show_estimate(self, mean: f64, standard_error: f64) -> String {
        let (mean, se, percent) = if self == Metric::CurtailmentRate {
            (mean * 100.0, standard_error * 100.0, "%")
        } else {
            (mean, standard_error, "")
        };
        if !(se.is_finite() && se > 0.0) {
            return format!("{}{percent} ± 0{percent}", readable(mean));
        }
        let decimals = (1 - se.log10().floor() as i32).clamp(0, 12) as usize;
        format!(
            "{}{percent} ± {}{percent}",
            fixed(mean, decimals),
            fixed(se, decimals)
        )
    }
}

/// `v` with `decimals` decimals and thousands separators; no "-0", and 0 for a value that
/// is not finite.
pub fn fixed(v: f64, decimals: usize) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let t = format!("{:.*}", decimals, v.abs());
    let (whole, fraction) = t.split_once('.').unwrap_or((&t, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let negative = v < 0.0 && t.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&grouped);
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// A metric is read from JSON by its key (`"lole_hours"`), as every file egap writes
/// names it.
impl<'de> serde::Deserialize<'de> for Metric {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Metric, D::Error> {
        let key = String::deserialize(d)?;
        Metric::from_key(&key).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "\"{key}\" is not a metric; expected one of {}",
                Metric::keys(&Metric::ALL)
            ))
        })
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Whether a horizon of `hours` is a year: 364 to 366 days (RTS-79's year is 52 weeks,
/// 8,736 h), so that figures per horizon are figures per year.
pub fn is_year(hours: u32) -> bool {
    (8736..=8784).contains(&hours)
}

/// `x` for people: thousands separators from 1,000 up, at most four significant digits
/// below (`0.2652`, `12.35`, `8,462,084`), scientific notation only below 10⁻⁴, and no
/// "-0".
pub fn readable(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let a = x.abs();
    if a == 0.0 {
        return "0".into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    if a >= 999.5 {
        return format!("{sign}{}", crate::report::thousands(a.round() as u64));
    }
    if a < 1e-4 {
        return format!("{x:.2e}");
    }
    // Four significant digits, trailing zeros dropped.
    let decimals = (3 - a.log10().floor() as i32).clamp(0, 7) as usize;
    let text = format!("{a:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_has_one_key_and_reads_its_own_field() {
        let mut m = Metrics::default();
        for (i, metric) in Metric::ALL.into_iter().enumerate() {
            assert_eq!(Metric::from_key(metric.key()), Some(metric));
            let estimate = match metric {
                Metric::LoleHours => &mut m.lole_hours,
                Metric::LoleDays => &mut m.lole_days,
                Metric::EueMwh => &mut m.eue_mwh,
                Metric::NeuePpm => &mut m.neue_ppm,
                Metric::Lolp => &mut m.lolp,
                Metric::LolfEvents => &mut m.lolf_events,
                Metric::PeakShortfallMw => &mut m.peak_shortfall_mw,
                Metric::CurtailmentMwh => &mut m.curtailment_mwh,
                Metric::CurtailmentRate => &mut m.curtailment_rate,
                Metric::RenewableEnergyMwh => &mut m.renewable_energy_mwh,
                Metric::DemandEnergyMwh => &mut m.demand_energy_mwh,
            };
            estimate.mean = i as f64 + 1.0;
        }
        for (i, metric) in Metric::ALL.into_iter().enumerate() {
            assert_eq!(metric.of(&m).mean, i as f64 + 1.0, "{metric}");
        }
        // The keys are the JSON field names.
        let json = serde_json::to_value(&m).unwrap();
        let fields: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut keys: Vec<&str> = Metric::ALL.iter().map(|m| m.key()).collect();
        let mut fields = fields;
        fields.sort_unstable();
        keys.sort_unstable();
        assert_eq!(fields, keys);
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(readable(8_462_084.4), "8,462,084");
        assert_eq!(readable(1174.6326187800003), "1,175");
        assert_eq!(readable(0.2652), "0.2652");
        assert_eq!(readable(12.3456), "12.35");
        assert_eq!(readable(2.0), "2");
        assert_eq!(readable(0.0), "0");
        assert_eq!(readable(-0.0), "0");
        assert_eq!(readable(7.525e-3), "0.007525");
        assert_eq!(readable(3.0e-6), "3.00e-6");
        assert_eq!(readable(-1500.0), "-1,500");
        assert_eq!(Metric::CurtailmentRate.show(0.2652), "26.52%");
        assert_eq!(Metric::CurtailmentRate.show(0.0), "0%");
    }

    #[test]
    fn estimates_read_to_the_precision_of_their_error() {
        assert_eq!(
            Metric::LoleHours.show_estimate(3.0732, 0.08698),
            "3.073 ± 0.087"
        );
        assert_eq!(
            Metric::EueMwh.show_estimate(216830.1466, 170.2861),
            "216,830 ± 170"
        );
        assert_eq!(Metric::EueMwh.show_estimate(695.9591, 21.2108), "696 ± 21");
        assert_eq!(Metric::NeuePpm.show_estimate(43.3195, 1.3183), "43.3 ± 1.3");
        assert_eq!(Metric::LoleHours.show_estimate(0.0, 0.0), "0 ± 0");
        assert_eq!(
            Metric::CurtailmentRate.show_estimate(0.0319, 0.0000367),
            "3.1900% ± 0.0037%"
        );
        assert_eq!(
            Metric::DemandEnergyMwh.show_estimate(-0.0001, 0.5),
            "0.00 ± 0.50"
        );
    }

    #[test]
    fn per_year_units_only_for_a_year_and_for_sums() {
        assert_eq!(Metric::LoleDays.unit_for(8760), "d/yr");
        assert_eq!(Metric::EueMwh.unit_for(8784), "MWh/yr");
        assert_eq!(Metric::EueMwh.unit_for(168), "MWh");
        assert_eq!(Metric::LoleHours.unit_for(8736), "h/yr");
        assert_eq!(Metric::NeuePpm.unit_for(8760), "ppm");
        assert_eq!(Metric::CurtailmentRate.unit_for(8760), "%");
    }
}
