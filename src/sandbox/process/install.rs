//! `passk setup --langs …`: installs the Debian packages of the process sandbox's languages
//! (listed per language in `sandboxes/languages.toml`) plus bubblewrap, only what is missing.

use std::process::Command;

use super::langs;
use crate::lang::Language;
use crate::setup::{SetupError, run};

/// The Debian packages `languages` (and `extra`) need that are not installed yet.
pub fn missing_packages(languages: &[Language], extra: &[&str]) -> Vec<String> {
    let mut wanted: Vec<String> = vec!["bubblewrap".into()];
    wanted.extend(extra.iter().map(|p| p.to_string()));
    for l in languages {
        if let Some(def) = langs::get(*l) {
            wanted.extend(def.apt.iter().cloned());
        }
    }
    wanted.sort();
    wanted.dedup();
    wanted
        .into_iter()
        .filter(|p| {
            !Command::new("dpkg")
                .args(["-s", p])
                .output()
                .is_ok_and(|o| {
                    o.status.success()
                        && String::from_utf8_lossy(&o.stdout)
                            .contains("Status: install ok installed")
                })
        })
        .collect()
}

/// Installs the toolchains of `languages`, and the `extra` packages, with apt-get (through
/// sudo when not root). Languages that cannot be installed here at all are reported, not
/// failed.
pub fn install(
    languages: &[Language],
    extra: &[&str],
    say: &mut dyn FnMut(&str),
) -> Result<(), SetupError> {
    for l in languages {
        if let Some(why) = langs::get(*l).and_then(|d| d.unavailable.as_ref()) {
            say(&format!("{l}: cannot be installed here: {why}"));
        }
    }
    let missing = missing_packages(languages, extra);
    if missing.is_empty() {
        say("language toolchains: all installed");
        return Ok(());
    }
    say(&format!(
        "installing Debian packages: {}",
        missing.join(" ")
    ));
    // SAFETY: getuid has no preconditions.
    let root = unsafe { libc::getuid() } == 0;
    let apt = |args: &[&str]| {
        let mut c = if root {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    run(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(&missing);
    run(&mut install)
}
