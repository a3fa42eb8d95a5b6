//! report.html in a real browser: headless Chromium (Debian `chromium`) loads the page
//! without console errors, and every plot rendered (the page's own check sets
//! `data-plots-ok="1"` only when every SVG plot has drawn marks), for a scored samples file
//! and for a run passk generated itself (which adds the tokens-vs-pass@1 plot).

use std::path::Path;
use std::process::Command;

/// Runs passk with `args` plus `--out OUT` and expects success.
fn passk_ok(args: &[&str], out: &Path) {
    let o = crate::common::passk()
        .args(args)
        .arg("--out")
        .arg(out)
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn report_html_loads_in_chromium_and_shows_the_plots() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    passk_ok(
        &[
            "exec",
            "--no-cache",
            "--timeout",
            "2",
            "--problems",
            "problems/demo/problems.jsonl",
            "--samples",
            "problems/demo/samples.jsonl",
        ],
        &out,
    );
    let page = out.join("report.html");
    assert!(page.is_file());
    check_in_chromium(&page, tmp.path());
}

#[test]
fn generated_runs_plot_tokens_against_pass_at_1() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    passk_ok(
        &[
            "run",
            "--models",
            "gemma3-270m,qwen2.5-coder-0.5b",
            "--langs",
            "python",
            "--limit",
            "2",
            "--max-tokens",
            "64",
            "--no-cache",
        ],
        &out,
    );
    let page = out.join("report.html");
    let text = std::fs::read_to_string(&page).unwrap();
    assert!(text.contains("data-plot=\"tokens\""), "no tokens plot");
    assert!(text.contains("gemma3-270m/python") && text.contains("qwen2.5-coder-0.5b/python"));
    check_in_chromium(&page, tmp.path());
}

fn check_in_chromium(page: &Path, tmp: &Path) {
    let profile = tmp.join("chromium-profile");
    let dom = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium is installed by `make deps` (Debian package chromium)");
    let html = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(dom.status.success(), "{log}");
    assert!(
        html.contains("data-plots-ok=\"1\""),
        "plots did not render:\n{html}\n{log}"
    );
    let console: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
}
