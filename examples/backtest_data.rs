//! A month of `AzureActivity` for back-tests: background administration by
//! many callers and a few Run Command bursts of different sizes, written
//! as JSON Lines (one `Type` per row, as Log Analytics exports).
//!
//! `cargo run --release --example backtest_data -- OUT_DIR [ROWS] [DAYS]`
//! (defaults: 1,000,000 rows over 30 days ending 2021-12-01T00:00:00Z),
//! then `sentinel-forge backtest run-command-spike --local OUT_DIR
//! --sweep min_commands=2,3,5,8,13 --plot spike.svg`. Deterministic: the
//! same arguments write the same file.

use std::io::Write;

/// A small linear congruential generator: deterministic without a dependency.
#[path = "common/lcg.rs"]
mod lcg;
use lcg::Lcg;

const RUN: &str = "Microsoft.Compute/virtualMachines/runCommand/action";
const SUB: &str = "3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b";
const OTHER_OPS: &[&str] = &[
    "Microsoft.Compute/virtualMachines/write",
    "Microsoft.Compute/virtualMachines/start/action",
    "Microsoft.Storage/storageAccounts/listKeys/action",
    "Microsoft.Resources/deployments/write",
    "Microsoft.Network/networkSecurityGroups/write",
];

fn main() {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().expect("usage: backtest_data OUT_DIR [ROWS] [DAYS]"));
    let rows: u64 = args.next().map_or(1_000_000, |a| a.parse().expect("ROWS is a number"));
    let days: i64 = args.next().map_or(30, |a| a.parse().expect("DAYS is a number"));
    let end = chrono::DateTime::parse_from_rfc3339("2021-12-01T00:00:00Z").unwrap().timestamp();
    let start = end - days * 86_400;
    std::fs::create_dir_all(&out).expect("creating OUT_DIR");
    let file = std::fs::File::create(out.join("AzureActivity.jsonl")).expect("creating the data file");
    let mut w = std::io::BufWriter::new(file);
    let mut rng = Lcg(15);
    let mut written = 0u64;
    let mut corr = 0u64;
    let event =
        |w: &mut std::io::BufWriter<std::fs::File>, t: i64, op: &str, status: &str, caller: &str, vm: &str, c: u64| {
            let time =
                chrono::DateTime::from_timestamp(t, 0).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let scope =
                format!("/subscriptions/{SUB}/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/{vm}");
            let row = serde_json::json!({
                "Type": "AzureActivity", "TimeGenerated": time, "OperationNameValue": op,
                "OperationName": if op == RUN { "Run Command on Virtual Machine" } else { op },
                "ActivityStatus": status, "ActivityStatusValue": status, "Caller": caller,
                "CallerIpAddress": caller_ip(caller, c), "CorrelationId": format!("c-{c}"),
                "Authorization": serde_json::json!({"action": op, "scope": scope}).to_string(),
                "Resource": vm.to_uppercase(), "ResourceGroup": "RG-PROD", "_ResourceId": scope, "SubscriptionId": SUB,
            });
            writeln!(w, "{row}").expect("writing");
        };
    let mut bursts = 0u64;
    while written < rows {
        let t = start + rng.below((end - start) as u64) as i64;
        corr += 1;
        if rng.below(2000) == 0 {
            // A burst: one caller from one address, 2 to 14 Run Commands a minute apart.
            bursts += 1;
            let caller = format!("attacker{bursts}@contoso.com");
            let n = 2 + rng.below(13);
            for k in 0..n {
                corr += 1;
                for (i, status) in ["Started", "Accepted", "Succeeded"].iter().enumerate() {
                    event(&mut w, t + k as i64 * 60 + i as i64 * 20, RUN, status, &caller, "vm-web-01", corr);
                    written += 1;
                }
            }
        } else {
            let caller = format!("admin{}@contoso.com", rng.below(200));
            let op = OTHER_OPS[rng.below(OTHER_OPS.len() as u64) as usize];
            let vm = format!("vm-{:03}", rng.below(300));
            event(&mut w, t, op, "Succeeded", &caller, &vm, corr);
            written += 1;
        }
    }
    w.flush().expect("writing");
    eprintln!("wrote {written} rows to {}", out.join("AzureActivity.jsonl").display());
}

/// An attacker works from one address for the whole burst (as the spike
/// hunt groups by caller and address); administrators vary by operation.
fn caller_ip(caller: &str, correlation: u64) -> String {
    if caller.starts_with("attacker") {
        let n: u64 = caller.bytes().map(u64::from).sum();
        format!("203.0.113.{}", n % 250)
    } else {
        format!("10.{}.{}.{}", correlation % 7, correlation % 11, correlation % 13)
    }
}
