//! Prints what the portable tracker makes of tracker configs (YAML or `[tracker]` INI):
//! `cargo run -p ds-tracker --example tracker_report -- FILE...`.

use std::path::Path;

fn main() {
    let mut failed = false;
    for arg in std::env::args().skip(1) {
        let path = Path::new(&arg);
        let is_ini = std::fs::read_to_string(path).is_ok_and(|t| t.contains("[tracker]"));
        if is_ini {
            match ds_tracker::TrackerIni::from_file(path) {
                Ok(ini) => println!("{arg}: {ini:?}"),
                Err(e) => {
                    failed = true;
                    println!("error: {e}")
                }
            }
            continue;
        }
        match ds_tracker::TrackerConfig::from_file(path) {
            Ok(c) => {
                println!(
                    "{arg}: {:?}, {} keys honoured",
                    c.kind,
                    c.report.honoured.len()
                );
                for l in c.report.lines() {
                    println!("  {l}");
                }
            }
            Err(e) => {
                failed = true;
                println!("error: {e}")
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
