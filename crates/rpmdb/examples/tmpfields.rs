fn main() {
    let path = std::env::args().nth(1).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let n = |o: &Option<String>| o.clone().unwrap_or("(none)".into());
    let u = |o: Option<u64>| o.map(|v| v.to_string()).unwrap_or("(none)".into());
    for p in sbomgen_rpmdb::read_packages(&bytes).unwrap() {
        println!(
            "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
            p.name,
            u(p.epoch),
            p.version,
            p.release,
            n(&p.arch),
            u(p.size),
            n(&p.license),
            n(&p.vendor),
            n(&p.source_rpm),
            u(p.install_time),
            n(&p.sig_md5),
            n(&p.packager),
            n(&p.summary),
            n(&p.modularity_label)
        );
        for f in &p.files {
            println!(
                "F {}|{}|{}|{}|{}|{}|{}",
                f.path,
                f.mode.map(|m| m.to_string()).unwrap_or_default(),
                u(f.size),
                f.digest.clone().unwrap_or_default(),
                u(f.flags.map(u64::from)),
                n(&f.username),
                n(&f.groupname)
            );
        }
        for r in &p.provides {
            println!("P {r}");
        }
        for r in &p.requires {
            println!("R {r}");
        }
    }
}
#[allow(dead_code)]
fn timing() {}
