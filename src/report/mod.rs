//! Renderers: pure functions from results to text. One per output.

pub mod compare_md;
pub mod gate_md;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod routing_md;

use std::path::Path;

use crate::errors::RunError;
use crate::grade::compare::{compare, tally};
use crate::grade::finished::RunDir;
use crate::rundir::results;

/// Writes `report.md`, `report.html` and `junit.xml` into a finished run directory.
pub fn write_all(dir: &Path) -> Result<(), RunError> {
    let run = RunDir::open(dir)?;
    let records = results::read_all(&run.results_path())?;
    let models: Vec<&String> = run.models.iter().collect();
    let mut comparisons = Vec::new();
    for (i, a) in models.iter().enumerate() {
        for b in &models[i + 1..] {
            let ta = tally(&records, |r| r.model.as_ref() == Some(*a));
            let tb = tally(&records, |r| r.model.as_ref() == Some(*b));
            comparisons.push(((*a).clone(), (*b).clone(), compare(&ta, &tb)));
        }
    }
    let io = |path: std::path::PathBuf| move |e| RunError::Io { path, source: e };
    let md = markdown::render(&run.manifest, &run.summary, &comparisons);
    std::fs::write(dir.join("report.md"), md).map_err(io(dir.join("report.md")))?;
    let html = html::render(&run.manifest, &run.summary);
    std::fs::write(dir.join("report.html"), html).map_err(io(dir.join("report.html")))?;
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("passk");
    let xml = junit::render(name, &records);
    std::fs::write(dir.join("junit.xml"), xml).map_err(io(dir.join("junit.xml")))?;
    Ok(())
}
