//! Scoring: pass@k and the run summary.

pub mod compare;
pub mod finished;
pub mod pass_at_k;
pub mod routing;
pub mod stats;
pub mod summary;
