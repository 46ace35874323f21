use super::*;

#[test]
fn one_noisy_host_is_not_a_fleet_leak() {
    assert_eq!(verdict(200, 1, 0), Verdict::Suspect);
    assert_eq!(verdict(1, 1, 0), Verdict::Suspect);
    assert_eq!(verdict(200, 0, 1), Verdict::Ok);
    assert_eq!(verdict(200, 0, 0), Verdict::Ok);
}

#[test]
fn agreement_makes_a_fleet_leak() {
    assert_eq!(verdict(2, 2, 0), Verdict::Leak);
    assert_eq!(verdict(10, 2, 0), Verdict::Leak);
    assert_eq!(verdict(200, 30, 0), Verdict::Leak);
    // Ten of 200 is below a tenth: worth a look, not a fleet verdict.
    assert_eq!(verdict(200, 10, 0), Verdict::Suspect);
    // A slow leak that is only suspect on each host.
    assert_eq!(verdict(200, 0, 40), Verdict::Leak);
    assert_eq!(verdict(5, 1, 2), Verdict::Leak);
}

#[test]
fn score_is_bounded_and_led_by_agreement() {
    assert!((score(10, 10, 0, 1.0) - 1.0).abs() < 1e-12);
    assert_eq!(score(10, 0, 0, 0.0), 0.0);
    assert!(score(10, 5, 0, 0.3) > score(10, 1, 0, 0.9));
    assert!(score(3, 0, 0, 7.0) <= 1.0);
}

#[test]
fn median_of_odd_and_even_counts() {
    assert_eq!(median_rate(&mut []), None);
    assert_eq!(median_rate(&mut [3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median_rate(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
}

#[test]
fn host_names_from_paths() {
    assert_eq!(host_name(Path::new("logs/web-07.log.gz")), "web-07");
    assert_eq!(host_name(Path::new("a/host1.txt")), "host1");
    assert_eq!(host_name(Path::new("h.poolmon.log")), "h.poolmon");
    assert_eq!(host_name(Path::new(".log")), ".log");
}

fn hs(tag: &str, verdict: Verdict, score: f64, rate: Option<f64>) -> HostSeries {
    HostSeries {
        tag: tag.into(),
        pool: "Nonpaged",
        verdict,
        score,
        bytes_per_hour: rate,
        bytes_last: 0,
        driver: None,
    }
}

fn host(name: &str, series: Vec<HostSeries>) -> HostReport {
    HostReport {
        name: name.into(),
        inputs: vec![],
        snapshots: 10,
        hours: Some(1.0),
        epochs: 1,
        skipped_lines: 0,
        leak: 0,
        suspect: 0,
        series,
    }
}

#[test]
fn aggregate_counts_hosts_and_ranks_shared_leaks_first() {
    let f = aggregate(vec![
        host(
            "a",
            vec![
                hs("Lk", Verdict::Leak, 0.9, Some(100.0)),
                hs("Nz", Verdict::Leak, 0.95, Some(900.0)),
            ],
        ),
        host(
            "b",
            vec![
                hs("Lk", Verdict::Leak, 0.8, Some(300.0)),
                hs("Nz", Verdict::Ok, 0.05, None),
            ],
        ),
        host("c", vec![hs("Lk", Verdict::Suspect, 0.25, Some(200.0))]),
    ]);
    assert_eq!(f.schema, "poolscan.fleet/1");
    let lk = &f.series[0];
    assert_eq!((lk.tag.as_str(), lk.rank), ("Lk", 1));
    assert_eq!((lk.hosts_seen, lk.hosts_leak, lk.hosts_suspect), (3, 2, 1));
    assert_eq!(lk.leak_hosts, vec!["a", "b"]);
    assert_eq!(lk.median_bytes_per_hour, Some(200.0));
    assert_eq!(lk.max_bytes_per_hour, Some(300.0));
    assert_eq!(lk.verdict, Verdict::Leak);
    let nz = &f.series[1];
    assert_eq!((nz.tag.as_str(), nz.verdict), ("Nz", Verdict::Suspect));
    assert_eq!(nz.median_bytes_per_hour, Some(900.0));
}
