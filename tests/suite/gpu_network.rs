//! GPU == CPU for studies with several regions, failing interfaces and storage: every
//! per-trajectory record, flow record and hourly counter equal, field by field.
//!
//! Runs on whatever adapter wgpu finds (Mesa lavapipe in CI, where CI=true makes a missing
//! adapter a failure); skips with a message on a machine without Vulkan.

use std::path::Path;

use egap::Study;
use egap::engine::gpu::GpuEngine;

use crate::common;

fn engine() -> Option<GpuEngine> {
    common::gpu_engine()
}

/// A random network of 2-3 regions over 12 hours: loads, wind, units (one group with an
/// hourly capacity), interfaces with failing circuits (some with hourly limits), stores
/// (some failing, one queued), an added load and a load multiplier.
fn random_network(dir: &Path, case: u64) -> Study {
    let mut rng = common::Random(case.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut uniform =
        move |lo: f64, hi: f64| lo + (hi - lo) * rng.below(1_000_000) as f64 / 1_000_000.0;
    let hours = 12;
    let regions = 2 + (uniform(0.0, 2.0) as usize);
    let mut csv = String::from("hour");
    for r in 0..regions {
        csv.push_str(&format!(",load{r},wind{r},cap{r},limit{r}"));
    }
    csv.push('\n');
    for h in 0..hours {
        csv.push_str(&h.to_string());
        for _ in 0..regions {
            csv.push_str(&format!(
                ",{:.3},{:.4},{:.2},{:.2}",
                uniform(100.0, 600.0),
                uniform(0.0, 1.0),
                uniform(20.0, 120.0),
                uniform(0.0, 300.0)
            ));
        }
        csv.push('\n');
    }
    std::fs::write(dir.join("profiles.csv"), csv).unwrap();
    let mut toml = format!("[study]\nhours = {hours}\n");
    toml.push_str("\n[[queued_projects]]\nname = \"q\"\nprobability = 0.5\n");
    toml.push_str("\n[load_multiplier]\ndistribution = \"uniform\"\nlow = 0.9\nhigh = 1.15\n");
    for r in 0..regions {
        toml.push_str(&format!(
            "\n[[regions]]\nname = \"R{r}\"\nload_mw = {{ file = \"profiles.csv\", column = \"load{r}\" }}\n"
        ));
        toml.push_str(&format!(
            "\n[[renewables]]\nname = \"wind{r}\"\nregion = \"R{r}\"\ncapacity_mw = {:.1}\ncapacity_factor = {{ file = \"profiles.csv\", column = \"wind{r}\" }}\n",
            uniform(0.0, 700.0)
        ));
        toml.push_str(&format!(
            "\n[[units]]\nname = \"u{r}\"\nregion = \"R{r}\"\ncount = {}\ncapacity_mw = {:.1}\nmttf_h = {:.1}\nmttr_h = {:.1}\n",
            1 + (uniform(0.0, 4.0) as usize),
            uniform(30.0, 150.0),
            uniform(4.0, 60.0),
            uniform(1.0, 12.0)
        ));
        if r == 0 {
            toml.push_str(
                "\n[[units]]\nname = \"hourly0\"\nregion = \"R0\"\ncount = 2\ncapacity_mw = { file = \"profiles.csv\", column = \"cap0\" }\nfailure_probability = 0.1\nrepair_probability = 0.3\n",
            );
        }
    }
    toml.push_str(&format!(
        "\n[[added_loads]]\nname = \"campus\"\nregion = \"R{}\"\nsize_mw = {{ distribution = \"uniform\", low = 0, high = 200 }}\n",
        regions - 1
    ));
    let mut interfaces = 0;
    for a in 0..regions {
        for b in a + 1..regions {
            if interfaces > 0 && uniform(0.0, 1.0) < 0.3 {
                continue;
            }
            toml.push_str(&format!(
                "\n[[interfaces]]\nname = \"i{a}{b}\"\nfrom = \"R{a}\"\nto = \"R{b}\"\ncircuits = {}\nfailure_probability = {:.3}\nrepair_probability = {:.3}\n",
                1 + (uniform(0.0, 3.0) as usize),
                uniform(0.02, 0.3),
                uniform(0.1, 0.8)
            ));
            if uniform(0.0, 1.0) < 0.4 {
                toml.push_str(&format!(
                    "limit_forward_mw = {{ file = \"profiles.csv\", column = \"limit{a}\" }}\nlimit_backward_mw = {:.1}\n",
                    uniform(0.0, 200.0)
                ));
            } else {
                toml.push_str(&format!("limit_mw = {:.1}\n", uniform(20.0, 300.0)));
            }
            interfaces += 1;
        }
    }
    let stores = 1 + (uniform(0.0, 2.0) as usize);
    for s in 0..stores {
        let r = (uniform(0.0, regions as f64) as usize).min(regions - 1);
        toml.push_str(&format!(
            "\n[[storage]]\nname = \"s{s}\"\nregion = \"R{r}\"\ncharge_mw = {:.1}\ndischarge_mw = {:.1}\nenergy_mwh = {:.1}\nround_trip_efficiency = {:.3}\ninitial_soc = {:.2}\n",
            uniform(10.0, 150.0),
            uniform(10.0, 150.0),
            uniform(20.0, 500.0),
            uniform(0.6, 1.0),
            uniform(0.0, 1.0)
        ));
        if s == 1 {
            toml.push_str("mttf_h = 20\nmttr_h = 5\nproject = \"q\"\n");
        }
        if (case + s as u64).is_multiple_of(2) {
            toml.push_str("dispatch = \"shift\"\n");
        }
    }
    let path = dir.join("network.toml");
    std::fs::write(&path, toml).unwrap();
    Study::load(&path).unwrap_or_else(|e| panic!("random network {case}: {e}"))
}

#[test]
fn random_networks_are_identical_on_gpu_and_cpu() {
    let Some(gpu) = engine() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (mut short, mut curtailing, mut discharging, mut flowing) = (0, 0, 0, 0);
    for case in 1..=12 {
        let study = random_network(dir.path(), case);
        let prepared = gpu.prepare(&study.system).unwrap();
        let g = gpu.run_chunk(&prepared, &study.laws, case, 0, 300).unwrap();
        let c = egap::engine::cpu::run_chunk(&study.system, &study.laws, case, 0, 300);
        let slots = study.system.header.record_slots as usize;
        assert_eq!(g.records.len(), c.records.len());
        for (i, (a, b)) in g.records.iter().zip(&c.records).enumerate() {
            assert_eq!(
                a,
                b,
                "random network {case}: trajectory {} slot {} differs",
                i / slots,
                i % slots
            );
        }
        assert_eq!(
            g.flows, c.flows,
            "random network {case}: flow records differ"
        );
        assert_eq!(
            g.risk, c.risk,
            "random network {case}: hourly counters differ"
        );
        short += usize::from(c.records.iter().any(|r| r.loss_of_load_hours > 0));
        curtailing += usize::from(c.records.iter().any(|r| r.curtailed_energy > 0));
        let links = study.system.interfaces.len();
        let flow_slots = study.system.header.flow_slots as usize;
        discharging += usize::from(
            c.flows
                .chunks(flow_slots)
                .any(|f| f[links..].iter().any(|s| s.second_energy > 0)),
        );
        flowing += usize::from(c.flows.chunks(flow_slots).any(|f| {
            f[..links]
                .iter()
                .any(|l| l.first_energy + l.second_energy > 0)
        }));
    }
    assert!(
        short >= 6 && curtailing >= 6 && discharging >= 6 && flowing >= 6,
        "most random networks should fall short ({short} of 12), curtail ({curtailing}), \
         discharge storage ({discharging}) and move power ({flowing})"
    );
}

/// The bundled two-region example, whole-year walk, record by record (every adapter: the
/// network walk runs in windows within lavapipe's loop budget).
#[test]
fn the_west_east_example_is_identical_on_gpu_and_cpu_for_a_whole_year() {
    let Some(gpu) = engine() else { return };
    let study = Study::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/west-east/west-east.toml"),
    )
    .unwrap();
    let prepared = gpu.prepare(&study.system).unwrap();
    let g = gpu.run_chunk(&prepared, &study.laws, 3, 0, 64).unwrap();
    let c = egap::engine::cpu::run_chunk(&study.system, &study.laws, 3, 0, 64);
    assert_eq!(g, c);
}

/// Within a chunk the engines count what they finish (GPU: each window of hours; CPU: each
/// batch), and the count ends at the chunk's size.
#[test]
fn engines_count_progress_within_a_chunk() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let study = Study::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/west-east/west-east.toml"),
    )
    .unwrap();
    let counted = AtomicU64::new(0);
    egap::engine::cpu::run_chunk_counted(&study.system, &study.laws, 3, 0, 1500, Some(&counted));
    assert_eq!(counted.load(Ordering::Relaxed), 1500);
    let Some(gpu) = engine() else { return };
    let prepared = gpu.prepare(&study.system).unwrap();
    let counted = AtomicU64::new(0);
    let g = gpu
        .run_chunk_counted(&prepared, &study.laws, 3, 0, 64, Some(&counted))
        .unwrap();
    assert_eq!(counted.load(Ordering::Relaxed), 64);
    assert_eq!(
        g,
        egap::engine::cpu::run_chunk(&study.system, &study.laws, 3, 0, 64)
    );
}
