//! The largest system egap accepts runs without overflow on both engines: 8784 hours,
//! 100,000 units, 5 TW of dispatchable capacity, 1 TW of renewables and a 4.9 TW load.

use egap::Study;
use egap::engine::gpu::GpuEngine;

fn largest_system(dir: &std::path::Path) -> Study {
    let hours = 8784;
    let mut csv = String::from("hour,load,cf\n");
    for h in 0..hours {
        // 4.5-4.9 TW of load and a renewable capacity factor from 0 to 1 over each day.
        let load = 4.5e6 + 4.0e5 * ((h % 24) as f64 / 23.0);
        let cf = ((h % 24) as f64 / 23.0).min(1.0);
        csv.push_str(&format!("{h},{load:.4},{cf:.4}\n"));
    }
    std::fs::write(dir.join("profiles.csv"), csv).unwrap();
    let toml = r#"
[study]
name = "largest accepted system"
hours = 8784

[[regions]]
name = "continent"
load_mw = { file = "profiles.csv", column = "load" }

[[units]]
name = "fleet"
count = 100000
capacity_mw = 50
mttf_h = 20000
mttr_h = 200

[[renewables]]
name = "wind and solar"
capacity_mw = 1000000
capacity_factor = { file = "profiles.csv", column = "cf" }
"#;
    let path = dir.join("largest.toml");
    std::fs::write(&path, toml).unwrap();
    Study::load(&path).unwrap()
}

#[test]
fn the_largest_accepted_system_runs_exactly_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let study = largest_system(dir.path());
    assert_eq!(study.system.units.len(), 100_000);
    let cpu = egap::engine::cpu::run_chunk(&study.system, &study.laws, 1, 0, 3).records;
    let unit_mwh = study.system.power_unit_w as f64 / 1.0e6;
    for r in &cpu {
        // Demand energy is the exact sum of the hourly loads.
        let demand = r.demand_energy as f64 * unit_mwh;
        assert!(
            (demand - 8784.0 / 24.0 * (24.0 * 4.5e6 + 4.0e5 * 12.0)).abs() < 1.0,
            "{demand}"
        );
        // Renewable energy: a TW at the daily mean capacity factor of 0.5.
        let renewable = r.renewable_energy as f64 * unit_mwh;
        assert!(
            (renewable - 1.0e6 * 8784.0 * 0.5).abs() < 1.0e3,
            "{renewable}"
        );
        assert!(r.curtailed_energy <= r.renewable_energy);
    }
    match GpuEngine::new(None) {
        // Mesa's software adapter ends shader loops after 65,535 iterations; a study this large
        // would be silently wrong there, so egap must refuse it with a clear error.
        Ok(gpu) if gpu.adapter.device_type == "Cpu" => {
            let err = gpu
                .prepare(&study.system)
                .err()
                .expect("the software adapter refuses this study")
                .to_string();
            assert!(
                err.contains("65,535") && err.contains("--backend cpu"),
                "{err}"
            );
        }
        Ok(gpu) => {
            let prepared = gpu.prepare(&study.system).unwrap();
            let g = gpu.run_chunk(&prepared, &study.laws, 1, 0, 3).unwrap();
            let c = egap::engine::cpu::run_chunk(&study.system, &study.laws, 1, 0, 3);
            let (g, gh, c, ch) = (g.records, g.risk, c.records, c.risk);
            assert_eq!(g, c);
            assert_eq!(gh, ch);
        }
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI needs a GPU adapter: {e}")
        }
        Err(e) => eprintln!("GPU half skipped: {e}"),
    }
}

#[test]
fn a_system_beyond_the_limits_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let toml = "[study]\nhours = 24\n\n[[regions]]\nname = \"r\"\nload_mw = 1000\n\n[[units]]\nname = \"g\"\ncount = 100000\ncapacity_mw = 200\nfailure_probability = 0\nrepair_probability = 1\n";
    let path = dir.path().join("huge.toml");
    std::fs::write(&path, toml).unwrap();
    let err = Study::load(&path)
        .err()
        .expect("20 TW is refused")
        .to_string();
    assert!(err.contains("10 TW") || err.contains("10000000"), "{err}");
}
