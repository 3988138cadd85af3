fn main() {
    let path = std::env::args().nth(1).unwrap();
    let step: usize = std::env::args().nth(2).unwrap().parse().unwrap();
    let orig = std::fs::read(&path).unwrap();
    let mut b = orig.clone();
    let mut seed = 12345u64;
    let mut errs = std::collections::BTreeMap::<String, usize>::new();
    let mut ok = 0;
    for at in (0..orig.len()).step_by(step) {
        for _ in 0..3 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let m = ((seed >> 33) % 255) as u8 + 1;
            b[at] ^= m;
            match sbomgen_rpmdb::read_packages(&b) {
                Ok(_) => ok += 1,
                Err(e) => {
                    let s = e.to_string();
                    let key: String = s.chars().filter(|c| !c.is_ascii_digit()).take(70).collect();
                    *errs.entry(key).or_default() += 1;
                }
            }
            b[at] = orig[at];
        }
    }
    for cut in (0..orig.len()).step_by(step) {
        let _ = sbomgen_rpmdb::read_packages(&orig[..cut]);
    }
    println!("ok {ok}");
    for (k, v) in errs {
        println!("{v:6} {k}");
    }
}
