//! What sealing costs per sample: the real MultiPL-E record HumanEval_53_add with a correct
//! solution (the controls of tests/data/tricks.toml), run sealed (the marker, the tests'
//! own assertions) and unsealed (the same program judged by its exit status alone), the two
//! interleaved, in each sandbox. Prints medians and the ratio sealed / unsealed, both
//! measured in this run (`cargo bench --bench seal_cost`, or `make bench-seal`).

#[path = "../tests/integration/common/tricks.rs"]
#[allow(dead_code)]
mod tricks;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use passk::sandbox::process::{ProcessOptions, ProcessSandbox};
use passk::sandbox::wasm::{WasmOptions, WasmSandbox};
use passk::sandbox::{Limits, Program, Sandbox};
use passk::setup::Paths;

const REPS: usize = 5;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let tables = tricks::tables();
    let process = Arc::new(
        ProcessSandbox::new(ProcessOptions {
            supervisor: PathBuf::from(env!("CARGO_BIN_EXE_passk")),
            unsafe_no_isolation: false,
            deterministic: false,
        })
        .expect("bubblewrap"),
    );
    let wasm = Arc::new(
        WasmSandbox::new(
            Paths::from_env(),
            WasmOptions {
                deterministic: false,
                python_fallback: false,
                slots: 2,
            },
        )
        .expect("engine"),
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let limits = Limits {
        time: Duration::from_secs(30),
        ..Limits::default()
    };
    println!("| language | sandbox | unsealed ms | sealed ms | sealed / unsealed |");
    println!("|---|---|---|---|---|");
    let mut ratios = Vec::new();
    for (key, t) in &tables {
        if !only.is_empty() && !only.contains(key) {
            continue;
        }
        let language = t.language();
        let sealed = tricks::program(key, t, &t.control);
        // The same program as a full program run on one (empty) input: no seal, exit status.
        let unsealed = Program {
            inputs: Some(Arc::new(vec![String::new()])),
            ..sealed.clone()
        };
        for sandbox in &t.sandboxes {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for i in 0..=REPS {
                for (prog, out) in [(&unsealed, &mut a), (&sealed, &mut b)] {
                    let start = Instant::now();
                    let e = rt.block_on(async {
                        match sandbox.as_str() {
                            "wasm" => wasm.run(prog, &limits).await,
                            _ => process.run(prog, &limits).await,
                        }
                    });
                    let ms = start.elapsed().as_secs_f64() * 1e3;
                    assert_eq!(
                        e.outcome,
                        passk::outcome::Outcome::Passed,
                        "{key} {sandbox}: {e:?}"
                    );
                    // The first round warms toolchain checks and caches.
                    if i > 0 {
                        out.push(ms);
                    }
                }
            }
            let (ma, mb) = (median(a), median(b));
            ratios.push(mb / ma);
            println!(
                "| {} | {sandbox} | {ma:.1} | {mb:.1} | {:.3}× |",
                language.as_str(),
                mb / ma
            );
        }
    }
    if !ratios.is_empty() {
        println!(
            "\nmedian ratio over {} language × sandbox pairs: {:.3}×",
            ratios.len(),
            median(ratios)
        );
    }
}
