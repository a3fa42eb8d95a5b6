//! report.html in a real browser: headless Chromium (Debian `chromium`) loads the page
//! without console errors, and every plot rendered (the page's own check sets
//! `data-plots-ok="1"` only when all three SVG plots have drawn marks).

use std::path::Path;
use std::process::Command;

const PASSK: &str = env!("CARGO_BIN_EXE_passk");

#[test]
fn report_html_loads_in_chromium_and_shows_the_plots() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let o = Command::new(PASSK)
        .args([
            "exec",
            "--no-cache",
            "--timeout",
            "2",
            "--problems",
            "problems/demo/problems.jsonl",
            "--samples",
            "problems/demo/samples.jsonl",
            "--out",
        ])
        .arg(&out)
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let page = out.join("report.html");
    assert!(page.is_file());

    let profile = tmp.path().join("chromium-profile");
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
        .arg(format!("file://{}", Path::new(&page).display()))
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
