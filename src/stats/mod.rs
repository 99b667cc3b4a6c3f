//! Statistics over trajectory records: an exact, mergeable accumulator and the summary
//! (adequacy metrics with confidence intervals, distributions, hourly risk) read from it.
//!
//! The accumulator holds only integers, so adding records in any order, or splitting a run
//! into shards and merging them, gives the same state bit for bit, and therefore the same
//! summary (design principle 6). Its memory is bounded by the histograms (at most a few
//! MiB), not by the number of trajectories. It serializes (serde), so shards can be written
//! to files and merged elsewhere.

mod criterion;
mod histogram;
mod metric;
mod moments;
mod network;
mod rate;
mod summary;
mod wide;

pub use criterion::{Criterion, Verdict};
pub use histogram::{
    Binning, Bins, Bucket, COARSEST_LEVEL, Histogram, HistogramError, LogLinear, Pick, REPORT_BINS,
    Tail, bucket_bounds, bucket_index, log_linear_report, rank,
};
pub use metric::{Metric, fixed, is_year, readable};
pub use moments::{Moments, ratio_estimate};
pub use network::{FlowSums, NetworkSums};
pub use rate::{
    RATE_BINS, RATE_ONE, RateBin, RateBins, RateHistogram, RateHistogramError, rate_bin,
    rate_bin_bounds, rate_f64, rate_fixed,
};
pub use summary::{
    Bin, Distribution, Distributions, Estimate, HourRisk, Metrics, Point, Summary, Z_95,
};
pub use wide::Wide;

use serde::{Deserialize, Serialize};

use crate::engine::{ChunkRecords, HourlyRisk, TrajectoryRecord};
use crate::scenario::CompiledSystem;

/// What the integers in the records mean: power in units of `power_unit_w` watts, energy in
/// power units × hours, over a horizon of `hours`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Units {
    pub power_unit_w: u64,
    pub hours: u32,
}

/// Most trajectories one accumulator read from a file may hold: more than any run makes (a
/// billion trajectories a second for a century), and little enough that any four such
/// accumulators merge without overflowing a sum.
pub const MAX_TRAJECTORIES: u64 = 1 << 62;

/// Exact sums over trajectory records and per-hour counters; see the module docs.
///
/// Read from a file (a shard or a checkpoint), it is checked to be one that [`Accumulator::add`]
/// and [`Accumulator::merge`] could have made, so that merging it cannot overflow and its
/// summary cannot hold a NaN (a share of short trajectories above 1, say).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AccumulatorFile")]
pub struct Accumulator {
    trajectories: u64,
    /// Trajectories with at least one shortfall hour (LOLP).
    short_trajectories: u64,
    unserved_energy: Moments,
    curtailed_energy: Moments,
    renewable_energy: Moments,
    demand_energy: Moments,
    peak_shortfall: Moments,
    loss_of_load_hours: Moments,
    loss_of_load_days: Moments,
    loss_of_load_events: Moments,
    /// Σ unserved × demand, for the delta-method error of NEUE.
    unserved_x_demand: Wide,
    /// Σ curtailed × renewable, for the delta-method error of the curtailment rate.
    curtailed_x_renewable: Wide,
    unserved_histogram: Histogram,
    loss_of_load_hours_histogram: Histogram,
    curtailed_histogram: Histogram,
    /// Each trajectory's curtailment rate (curtailed / available renewable energy);
    /// trajectories without renewable energy are counted apart, not binned.
    curtailment_rate_histogram: RateHistogram,
    /// Per hour: trajectories short in that hour. (Our own vectors rather than an
    /// [`HourlyRisk`]: they serialize, and the shortfall sums are `u128`, since a `u64` of
    /// watts over a billion trajectories would overflow.)
    hourly_short: Vec<u64>,
    /// Per hour: Σ over trajectories of the shortfall (power units).
    hourly_shortfall: Vec<u128>,
    /// Per region, interface and store, in studies that have them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    network: Option<NetworkSums>,
}

/// The wire form of an [`Accumulator`], field for field, before its checks.
#[derive(Deserialize)]
struct AccumulatorFile {
    trajectories: u64,
    short_trajectories: u64,
    unserved_energy: Moments,
    curtailed_energy: Moments,
    renewable_energy: Moments,
    demand_energy: Moments,
    peak_shortfall: Moments,
    loss_of_load_hours: Moments,
    loss_of_load_days: Moments,
    loss_of_load_events: Moments,
    unserved_x_demand: Wide,
    curtailed_x_renewable: Wide,
    unserved_histogram: Histogram,
    loss_of_load_hours_histogram: Histogram,
    curtailed_histogram: Histogram,
    /// Absent from files written before egap kept it: such files are refused (the rates
    /// cannot be recovered from the sums), after every other check.
    #[serde(default)]
    curtailment_rate_histogram: Option<RateHistogram>,
    hourly_short: Vec<u64>,
    hourly_shortfall: Vec<u128>,
    #[serde(default)]
    network: Option<NetworkSums>,
}

/// An accumulator read from a file that no run could have made.
#[derive(Debug, thiserror::Error)]
#[error("invalid accumulator: {0}")]
pub struct AccumulatorError(pub(crate) &'static str);

impl TryFrom<AccumulatorFile> for Accumulator {
    type Error = AccumulatorError;

    fn try_from(a: AccumulatorFile) -> Result<Self, Self::Error> {
        let n = a.trajectories;
        if n > MAX_TRAJECTORIES {
            return Err(AccumulatorError("more than 2^62 trajectories"));
        }
        if a.short_trajectories > n {
            return Err(AccumulatorError(
                "more short trajectories than trajectories",
            ));
        }
        // Each record field is a u64, so Σx ≤ n·(2^64 − 1) and Σx² < n·2^128 < 2^192; so are
        // the cross products.
        let largest_sum = u128::from(n) * u128::from(u64::MAX);
        let moments = [
            &a.unserved_energy,
            &a.curtailed_energy,
            &a.renewable_energy,
            &a.demand_energy,
            &a.peak_shortfall,
            &a.loss_of_load_hours,
            &a.loss_of_load_days,
            &a.loss_of_load_events,
        ];
        if moments
            .iter()
            .any(|m| m.sum > largest_sum || m.sum_sq.bits() > 192)
            || a.unserved_x_demand.bits() > 192
            || a.curtailed_x_renewable.bits() > 192
        {
            return Err(AccumulatorError(
                "a sum exceeds what its trajectories can add up to",
            ));
        }
        let histograms = [
            &a.unserved_histogram,
            &a.loss_of_load_hours_histogram,
            &a.curtailed_histogram,
        ];
        if histograms.iter().any(|h| h.count() != n) {
            return Err(AccumulatorError(
                "a histogram's count differs from the trajectories",
            ));
        }
        if a.hourly_short.len() != a.hourly_shortfall.len()
            || a.hourly_short.iter().any(|&short| short > n)
            || a.hourly_shortfall.iter().any(|&sum| sum > largest_sum)
        {
            return Err(AccumulatorError(
                "the hourly counters do not fit the trajectories",
            ));
        }
        if let Some(net) = &a.network {
            net.check(n, a.hourly_short.len())?;
            if net.regions.iter().any(|r| r.network.is_some()) {
                return Err(AccumulatorError("a region holds regions of its own"));
            }
        }
        let Some(curtailment_rate_histogram) = a.curtailment_rate_histogram else {
            return Err(AccumulatorError(
                "it has no curtailment_rate_histogram: it was written by an egap older than the per-trajectory curtailment rate; run it again with this egap",
            ));
        };
        if curtailment_rate_histogram
            .count()
            .checked_add(curtailment_rate_histogram.undefined())
            != Some(n)
        {
            return Err(AccumulatorError(
                "the curtailment-rate histogram's count differs from the trajectories",
            ));
        }
        Ok(Accumulator {
            trajectories: a.trajectories,
            short_trajectories: a.short_trajectories,
            unserved_energy: a.unserved_energy,
            curtailed_energy: a.curtailed_energy,
            renewable_energy: a.renewable_energy,
            demand_energy: a.demand_energy,
            peak_shortfall: a.peak_shortfall,
            loss_of_load_hours: a.loss_of_load_hours,
            loss_of_load_days: a.loss_of_load_days,
            loss_of_load_events: a.loss_of_load_events,
            unserved_x_demand: a.unserved_x_demand,
            curtailed_x_renewable: a.curtailed_x_renewable,
            unserved_histogram: a.unserved_histogram,
            loss_of_load_hours_histogram: a.loss_of_load_hours_histogram,
            curtailed_histogram: a.curtailed_histogram,
            curtailment_rate_histogram,
            hourly_short: a.hourly_short,
            hourly_shortfall: a.hourly_shortfall,
            network: a.network,
        })
    }
}

impl Accumulator {
    /// An empty accumulator for a horizon of `hours` (the length of the hourly profile).
    pub fn new(hours: usize) -> Accumulator {
        Accumulator {
            trajectories: 0,
            short_trajectories: 0,
            unserved_energy: Moments::default(),
            curtailed_energy: Moments::default(),
            renewable_energy: Moments::default(),
            demand_energy: Moments::default(),
            peak_shortfall: Moments::default(),
            loss_of_load_hours: Moments::default(),
            loss_of_load_days: Moments::default(),
            loss_of_load_events: Moments::default(),
            unserved_x_demand: Wide::ZERO,
            curtailed_x_renewable: Wide::ZERO,
            unserved_histogram: Histogram::new(),
            loss_of_load_hours_histogram: Histogram::new(),
            curtailed_histogram: Histogram::new(),
            curtailment_rate_histogram: RateHistogram::new(),
            hourly_short: vec![0; hours],
            hourly_shortfall: vec![0; hours],
            network: None,
        }
    }

    /// An empty accumulator shaped like `sys`'s records (regions, interfaces, stores).
    pub fn for_system(sys: &CompiledSystem) -> Accumulator {
        Accumulator {
            network: NetworkSums::for_system(sys),
            ..Accumulator::new(sys.hours())
        }
    }

    /// Whether this accumulator can hold `sys`'s records (for checkpoints and resumed runs).
    pub fn fits_system(&self, sys: &CompiledSystem) -> bool {
        let fresh = Accumulator::for_system(sys);
        self.hours() == sys.hours()
            && match (&self.network, &fresh.network) {
                (None, None) => true,
                (Some(a), Some(b)) => a.same_shape(b),
                _ => false,
            }
    }

    /// Adds a chunk of the engines' output: per trajectory, the system's record, each
    /// region's, and the flow records.
    pub fn add_chunk(&mut self, chunk: &ChunkRecords) {
        let Some(net) = &mut self.network else {
            for r in &chunk.records {
                self.add(r);
            }
            self.add_hourly(&chunk.risk);
            return;
        };
        let slots = 1 + net.regions.len();
        let flow_slots = net.interfaces.len() + net.storage.len();
        let hours = self.hourly_short.len();
        for (t, records) in chunk.records.chunks_exact(slots).enumerate() {
            for (acc, r) in net.regions.iter_mut().zip(&records[1..]) {
                acc.add(r);
            }
            if flow_slots > 0 {
                net.add_flows(&chunk.flows[t * flow_slots..(t + 1) * flow_slots]);
            }
        }
        for (r, acc) in net.regions.iter_mut().enumerate() {
            let at = (r + 1) * hours..(r + 2) * hours;
            acc.add_hourly_counts(
                &chunk.risk.short_trajectories[at.clone()],
                chunk.risk.shortfall_sum[at].iter().map(|&s| u128::from(s)),
            );
        }
        for records in chunk.records.chunks_exact(slots) {
            self.add(&records[0]);
        }
        self.add_hourly_counts(
            &chunk.risk.short_trajectories[..hours],
            chunk.risk.shortfall_sum[..hours]
                .iter()
                .map(|&s| u128::from(s)),
        );
    }

    /// The per-region, per-interface and per-store sums, when the study has them.
    pub fn network(&self) -> Option<&NetworkSums> {
        self.network.as_ref()
    }

    pub fn add(&mut self, r: &TrajectoryRecord) {
        self.trajectories += 1;
        if r.loss_of_load_hours > 0 {
            self.short_trajectories += 1;
        }
        self.unserved_energy.add(r.unserved_energy);
        self.curtailed_energy.add(r.curtailed_energy);
        self.renewable_energy.add(r.renewable_energy);
        self.demand_energy.add(r.demand_energy);
        self.peak_shortfall.add(r.peak_shortfall.into());
        self.loss_of_load_hours.add(r.loss_of_load_hours.into());
        self.loss_of_load_days.add(r.loss_of_load_days.into());
        self.loss_of_load_events.add(r.loss_of_load_events.into());
        self.unserved_x_demand += u128::from(r.unserved_energy) * u128::from(r.demand_energy);
        self.curtailed_x_renewable +=
            u128::from(r.curtailed_energy) * u128::from(r.renewable_energy);
        self.unserved_histogram.record(r.unserved_energy);
        self.loss_of_load_hours_histogram
            .record(r.loss_of_load_hours.into());
        self.curtailed_histogram.record(r.curtailed_energy);
        self.curtailment_rate_histogram
            .record(r.curtailed_energy, r.renewable_energy);
    }

    /// Adds the per-hour counters of the trajectories passed to [`Accumulator::add`]. A
    /// longer profile than expected extends ours rather than being cut.
    pub fn add_hourly(&mut self, h: &HourlyRisk) {
        self.add_hourly_counts(
            &h.short_trajectories,
            h.shortfall_sum.iter().map(|&s| u128::from(s)),
        );
    }

    fn add_hourly_counts(&mut self, short: &[u64], shortfall: impl ExactSizeIterator<Item = u128>) {
        let hours = short.len().max(shortfall.len());
        if hours > self.hourly_short.len() {
            self.hourly_short.resize(hours, 0);
            self.hourly_shortfall.resize(hours, 0);
        }
        for (a, b) in self.hourly_short.iter_mut().zip(short) {
            *a += b;
        }
        for (a, b) in self.hourly_shortfall.iter_mut().zip(shortfall) {
            *a += b;
        }
    }

    /// Adds another accumulator's sums: disjoint shards merged in any order give exactly
    /// the state of one run over all their trajectories.
    pub fn merge(&mut self, other: &Accumulator) {
        self.trajectories += other.trajectories;
        self.short_trajectories += other.short_trajectories;
        self.unserved_energy.merge(&other.unserved_energy);
        self.curtailed_energy.merge(&other.curtailed_energy);
        self.renewable_energy.merge(&other.renewable_energy);
        self.demand_energy.merge(&other.demand_energy);
        self.peak_shortfall.merge(&other.peak_shortfall);
        self.loss_of_load_hours.merge(&other.loss_of_load_hours);
        self.loss_of_load_days.merge(&other.loss_of_load_days);
        self.loss_of_load_events.merge(&other.loss_of_load_events);
        self.unserved_x_demand += other.unserved_x_demand;
        self.curtailed_x_renewable += other.curtailed_x_renewable;
        self.unserved_histogram.merge(&other.unserved_histogram);
        self.loss_of_load_hours_histogram
            .merge(&other.loss_of_load_hours_histogram);
        self.curtailed_histogram.merge(&other.curtailed_histogram);
        self.curtailment_rate_histogram
            .merge(&other.curtailment_rate_histogram);
        self.add_hourly_counts(&other.hourly_short, other.hourly_shortfall.iter().copied());
        // Same-shaped accumulators only (shards of one study; checked by their fingerprint).
        if let (Some(a), Some(b)) = (&mut self.network, &other.network) {
            a.merge(b);
        }
    }

    pub fn trajectories(&self) -> u64 {
        self.trajectories
    }

    /// Length of the hourly profile.
    pub fn hours(&self) -> usize {
        self.hourly_short.len()
    }

    /// Per hour: the trajectories short in that hour, and Σ shortfall (power units).
    pub fn hourly(&self) -> (&[u64], &[u128]) {
        (&self.hourly_short, &self.hourly_shortfall)
    }

    pub fn unserved_energy_histogram(&self) -> &Histogram {
        &self.unserved_histogram
    }

    pub fn loss_of_load_hours_histogram(&self) -> &Histogram {
        &self.loss_of_load_hours_histogram
    }

    pub fn curtailed_energy_histogram(&self) -> &Histogram {
        &self.curtailed_histogram
    }

    /// Each trajectory's curtailment rate, and how many trajectories had no renewable
    /// energy to curtail.
    pub fn curtailment_rate_histogram(&self) -> &RateHistogram {
        &self.curtailment_rate_histogram
    }
}
