//! Renderers: pure functions from results to text. One per output.

pub mod compare_md;
pub mod gate_md;
