//! `passk merge`: joins the directories of a sharded run (`--shard i/N`) into one run
//! directory, identical to what an unsharded run writes.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::errors::RunError;
use crate::grade::summary::summarize;
use crate::rundir::jsonl::{Appender, for_each_line};
use crate::rundir::manifest::ExecManifest;
use crate::rundir::references::ReferenceCheck;
use crate::rundir::summary::{Summary, write_summary};
use crate::rundir::{
    MANIFEST, RESULTS, SAMPLES, SUMMARY, read_run_file, results, write_json_atomically,
};

/// Merges `shards` into `out` (which must not hold results yet). Returns the summary.
pub fn merge(shards: &[PathBuf], out: &Path) -> Result<Summary, RunError> {
    let mismatch = |m: String| Err(RunError::NotShards(m));
    if shards.is_empty() {
        return mismatch("nothing to merge: name the shard directories".into());
    }
    let manifests: Vec<ExecManifest> = shards
        .iter()
        .map(|d| read_run_file(d, MANIFEST))
        .collect::<Result<_, _>>()?;
    let first = &manifests[0];
    let Some(count) = first.shard.map(|s| s.count) else {
        return mismatch(format!(
            "{} is not a shard (run with --shard)",
            shards[0].display()
        ));
    };
    let mut seen = BTreeSet::new();
    for (dir, m) in shards.iter().zip(&manifests) {
        let same = m.problems_sha256 == first.problems_sha256
            && m.samples_sha256 == first.samples_sha256
            && m.limits == first.limits
            && m.deterministic == first.deterministic
            && m.generation == first.generation;
        if !same {
            return mismatch(format!(
                "{} was run on other problems, samples, models or limits than {}",
                dir.display(),
                shards[0].display()
            ));
        }
        match m.shard {
            Some(s) if s.count == count => {
                if !seen.insert(s.index) {
                    return mismatch(format!("shard {s} appears twice ({})", dir.display()));
                }
            }
            _ => return mismatch(format!("{} is not a shard of {count}", dir.display())),
        }
    }
    let missing: Vec<u32> = (0..count).filter(|i| !seen.contains(i)).collect();
    if !missing.is_empty() {
        return mismatch(format!("shards {missing:?} of {count} are missing"));
    }
    std::fs::create_dir_all(out).map_err(|e| RunError::Io {
        path: out.to_path_buf(),
        source: e,
    })?;
    let results_path = out.join(RESULTS);
    if results_path.exists() {
        return mismatch(format!(
            "{} already holds results; merge into a new directory",
            out.display()
        ));
    }
    let mut manifest = first.clone();
    manifest.shard = None;
    write_json_atomically(&out.join(MANIFEST), &manifest)?;
    let (mut writer, _) = results::open(&results_path)?;
    let mut keys = HashSet::new();
    let mut expected = 0;
    for dir in shards {
        expected += read_run_file::<Summary>(dir, SUMMARY)?.samples_expected;
        let mut err = None;
        results::for_each(&dir.join(RESULTS), |r| {
            if err.is_none() && keys.insert(r.key()) {
                err = writer.append(&r).err();
            }
        })?;
        if let Some(e) = err {
            return Err(e);
        }
    }
    // `passk run` shards: their generations too.
    if first.generation.is_some() {
        let mut samples = Appender::open(&out.join(SAMPLES))?;
        for dir in shards {
            let mut err = None;
            for_each_line(
                &dir.join(SAMPLES),
                "sample record",
                |r: serde_json::Value| {
                    if err.is_none() {
                        err = samples.append(&r).err();
                    }
                },
            )?;
            if let Some(e) = err {
                return Err(e);
            }
        }
        samples.sync()?;
    }
    writer.sync()?;
    // The shards checked the references of their own problems: together, all of them.
    let mut references: Option<ReferenceCheck> = None;
    for dir in shards {
        if let Some(c) = ReferenceCheck::load(dir)? {
            references
                .get_or_insert_with(ReferenceCheck::default)
                .merge(c);
        }
    }
    if let Some(c) = &references {
        c.save(out)?;
    }
    let summary = summarize(out, expected)?;
    write_summary(out, &summary)?;
    Ok(summary)
}
