//! `ds-kafka-mock`: a Kafka-protocol broker for tests and local runs, librdkafka's mock
//! cluster (listening on 127.0.0.1, random ports) in a process of its own.
//!
//! ```sh
//! ds-kafka-mock --brokers 1 --topic test4 --partitions 3
//! ```
//! Prints `bootstrap.servers=<host:port,...>` on its first line, then serves until its stdin
//! is closed or it is terminated. Topics other than `--topic` are created on first use.
//!
//! Lines on stdin control the brokers, for outage tests: `down` takes every broker down
//! (connections closed, new ones refused; ports, topics and messages kept), `up` brings them
//! back. Each command is answered on stdout with `ok <command>` or `error <command>: <why>`.

use std::io::{BufRead as _, Write as _};

fn main() -> std::process::ExitCode {
    let mut brokers = 1;
    let mut topics: Vec<String> = Vec::new();
    let mut partitions = 1;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it.next();
        let num = |v: Option<&String>| v.and_then(|s| s.parse::<i32>().ok()).filter(|&n| n > 0);
        match (a.as_str(), v) {
            ("--brokers", v) if num(v).is_some() => brokers = num(v).unwrap_or(1),
            ("--partitions", v) if num(v).is_some() => partitions = num(v).unwrap_or(1),
            ("--topic", Some(t)) => topics.push(t.clone()),
            _ => {
                eprintln!("usage: ds-kafka-mock [--brokers N] [--topic NAME]... [--partitions N]");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    let cluster = match rdkafka::mocking::MockCluster::new(brokers) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ds-kafka-mock: cannot start the mock cluster: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    for t in &topics {
        if let Err(e) = cluster.create_topic(t, partitions, 1) {
            eprintln!("ds-kafka-mock: creating topic {t}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "bootstrap.servers={}", cluster.bootstrap_servers());
    let _ = out.flush();
    drop(out);
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let cmd = line.trim();
        let r = match cmd {
            "down" => (1..=brokers).try_for_each(|b| cluster.broker_down(b)),
            "up" => (1..=brokers).try_for_each(|b| cluster.broker_up(b)),
            "" => continue,
            _ => {
                println!("error {cmd}: unknown command (expected down or up)");
                continue;
            }
        };
        match r {
            Ok(()) => println!("ok {cmd}"),
            Err(e) => println!("error {cmd}: {e}"),
        }
    }
    std::process::ExitCode::SUCCESS
}
