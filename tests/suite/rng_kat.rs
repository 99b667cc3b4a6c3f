//! Philox4x32-10 against the published known-answer vectors (Random123, Salmon et al. SC11),
//! read from the bundled reference data (`data/philox4x32-10-kat.txt`, see data/README.md).

use std::path::Path;

use egap::engine::rng::philox4x32_10;

fn kat_file() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/philox4x32-10-kat.txt");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn philox_matches_the_published_known_answers() {
    let mut checked = 0;
    for line in kat_file()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let w: Vec<u32> = line
            .split_whitespace()
            .map(|h| u32::from_str_radix(h, 16).expect("hex word"))
            .collect();
        assert_eq!(w.len(), 10, "line: {line}");
        let out = philox4x32_10([w[0], w[1], w[2], w[3]], [w[4], w[5]]);
        assert_eq!(
            out,
            [w[6], w[7], w[8], w[9]],
            "counter {:08x?} key {:08x?}",
            &w[..4],
            &w[4..6]
        );
        checked += 1;
    }
    assert_eq!(
        checked, 3,
        "the known-answer file should hold three vectors"
    );
}
