//! A reliability criterion — a metric and the largest value a planner accepts, such as
//! LOLE ≤ 0.1 d/yr (the "one day in ten years" standard) or NEUE ≤ 20 ppm (0.002% of demand
//! unserved) — and the verdict of a study's estimate against it.
//!
//! The verdict reads the 95% interval, not only the mean: a study whose interval holds the
//! limit has not shown either answer, and saying "met" there would hide that more
//! trajectories are needed.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Estimate, Metric};

/// A metric of `summary.json` and its largest acceptable value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CriterionFile")]
pub struct Criterion {
    #[serde(serialize_with = "as_key")]
    pub metric: Metric,
    pub limit: f64,
}

fn as_key<S: serde::Serializer>(metric: &Metric, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(metric.key())
}

/// A criterion as files hold it (a shard carries its study's), checked on reading.
#[derive(Deserialize)]
struct CriterionFile {
    metric: String,
    limit: f64,
}

impl TryFrom<CriterionFile> for Criterion {
    type Error = String;

    fn try_from(c: CriterionFile) -> Result<Self, Self::Error> {
        Criterion::parse(&format!("{}<={}", c.metric, c.limit))
    }
}

/// How an estimate stands against a criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole 95% interval is at or below the limit.
    Met,
    /// The whole 95% interval is above the limit.
    NotMet,
    /// The interval holds the limit: more trajectories would tell.
    Undecided,
}

impl Criterion {
    /// Parses `LOLE_h<=2.4`, `LOLE_d<=0.1`, `EUE_MWh<=1000`, `NEUE_ppm<=10` or `LOLP<=0.1`
    /// (names in any case; `summary.json` keys such as `lole_days` also do).
    pub fn parse(text: &str) -> Result<Criterion, String> {
        let examples = Metric::RELIABILITY
            .iter()
            .zip(["2.4", "0.1", "1000", "20", "0.1"])
            .map(|(m, x)| format!("{}<={x}", m.criterion_name()))
            .collect::<Vec<_>>()
            .join(", ");
        let bad = || format!("a criterion looks like one of {examples}; got \"{text}\"");
        let (name, limit) = text.split_once("<=").ok_or_else(bad)?;
        let name = name.trim().to_ascii_lowercase();
        let alias = match name.as_str() {
            "lole" => "lole_h",
            "eue" => "eue_mwh",
            "neue" => "neue_ppm",
            other => other,
        };
        let metric = Metric::RELIABILITY
            .into_iter()
            .find(|m| m.criterion_name().eq_ignore_ascii_case(alias) || m.key() == alias)
            .ok_or_else(bad)?;
        let limit: f64 = limit.trim().parse().map_err(|_| bad())?;
        if !(limit.is_finite() && limit > 0.0) {
            return Err(format!(
                "the criterion's limit must be a positive number, got {limit} in \"{text}\""
            ));
        }
        Ok(Criterion { metric, limit })
    }

    /// Where `estimate` stands against the limit.
    pub fn verdict(&self, estimate: &Estimate) -> Verdict {
        if estimate.ci95_high <= self.limit {
            Verdict::Met
        } else if estimate.ci95_low > self.limit {
            Verdict::NotMet
        } else {
            Verdict::Undecided
        }
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}<={}", self.metric.criterion_name(), self.limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(mean: f64, half: f64) -> Estimate {
        Estimate {
            mean,
            standard_error: half / 1.96,
            ci95_low: mean - half,
            ci95_high: mean + half,
        }
    }

    #[test]
    fn criteria_read_as_written_and_print_back() {
        for text in [
            "LOLE_h<=2.4",
            "LOLE_d<=0.1",
            "EUE_MWh<=1000",
            "NEUE_ppm<=20",
            "LOLP<=0.1",
        ] {
            assert_eq!(Criterion::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(
            Criterion::parse("lole_days <= 0.1").unwrap().metric,
            Metric::LoleDays
        );
        assert_eq!(Criterion::parse("eue<=5").unwrap().metric, Metric::EueMwh);
        for bad in [
            "LOLE>2",
            "LOLE_h<=x",
            "LOLE_h<=-1",
            "LOLE_h<=inf",
            "FOO<=1",
            "curtailment_mwh<=1",
        ] {
            let e = Criterion::parse(bad).unwrap_err();
            assert!(e.contains("criterion"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_criterion_reads_back_what_it_wrote_and_refuses_what_it_would_not_parse() {
        let c = Criterion::parse("NEUE_ppm<=20").unwrap();
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(text, r#"{"metric":"neue_ppm","limit":20.0}"#);
        assert_eq!(serde_json::from_str::<Criterion>(&text).unwrap(), c);
        for bad in [
            r#"{"metric":"curtailment_mwh","limit":1}"#,
            r#"{"metric":"lolp","limit":-1}"#,
        ] {
            assert!(serde_json::from_str::<Criterion>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_verdict_reads_the_whole_interval() {
        let c = Criterion::parse("LOLE_d<=0.1").unwrap();
        assert_eq!(c.verdict(&estimate(0.05, 0.02)), Verdict::Met);
        assert_eq!(c.verdict(&estimate(0.09, 0.01)), Verdict::Met);
        assert_eq!(c.verdict(&estimate(0.09, 0.02)), Verdict::Undecided);
        assert_eq!(c.verdict(&estimate(0.11, 0.02)), Verdict::Undecided);
        assert_eq!(c.verdict(&estimate(0.2, 0.05)), Verdict::NotMet);
        assert_eq!(c.verdict(&estimate(0.0, 0.0)), Verdict::Met);
    }
}
