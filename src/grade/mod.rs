//! Scoring: pass@k, the run summary, repair turns.

pub mod compare;
pub mod efficiency;
pub mod finished;
pub mod pass_at_k;
pub mod routing;
pub mod stats;
pub mod summary;
pub mod turns;
