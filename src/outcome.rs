//! The one outcome taxonomy: every executed sample ends in exactly one of these.
//!
//! Model faults are scored; harness faults are never counted against a model, they make a
//! run incomplete and are reported loudly.

use serde::{Deserialize, Serialize};

/// How one sample ended. Serialized in `snake_case`; the names are a stable interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every test ran and passed.
    Passed,
    /// A test assertion failed.
    WrongAnswer,
    /// The program raised, trapped or exited before its tests completed.
    RuntimeError,
    /// The program ran past its time (or fuel) budget.
    Timeout,
    /// The program asked for more memory than its cap.
    MemoryLimit,
    /// The program wrote more than its output cap.
    OutputLimit,
    /// A compiled language's compiler rejected the program.
    CompileError,
    /// An interpreted language's parser rejected the program.
    SyntaxError,
    /// Nothing extractable came out of the model.
    NoCode,
    /// Harness fault: the toolchain or guest the language needs is not installed.
    ToolchainMissing,
    /// Harness fault: the sandbox itself failed (not the program).
    SandboxError,
    /// Harness fault: the model could not generate (server down, load failure).
    GenerationError,
}

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 12] = [
        Outcome::Passed,
        Outcome::WrongAnswer,
        Outcome::RuntimeError,
        Outcome::Timeout,
        Outcome::MemoryLimit,
        Outcome::OutputLimit,
        Outcome::CompileError,
        Outcome::SyntaxError,
        Outcome::NoCode,
        Outcome::ToolchainMissing,
        Outcome::SandboxError,
        Outcome::GenerationError,
    ];

    /// True for faults of passk or its environment, which never count against a model.
    pub fn is_harness_fault(self) -> bool {
        matches!(
            self,
            Outcome::ToolchainMissing | Outcome::SandboxError | Outcome::GenerationError
        )
    }

    pub fn is_pass(self) -> bool {
        self == Outcome::Passed
    }

    /// The stable serialized name, e.g. `wrong_answer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::WrongAnswer => "wrong_answer",
            Outcome::RuntimeError => "runtime_error",
            Outcome::Timeout => "timeout",
            Outcome::MemoryLimit => "memory_limit",
            Outcome::OutputLimit => "output_limit",
            Outcome::CompileError => "compile_error",
            Outcome::SyntaxError => "syntax_error",
            Outcome::NoCode => "no_code",
            Outcome::ToolchainMissing => "toolchain_missing",
            Outcome::SandboxError => "sandbox_error",
            Outcome::GenerationError => "generation_error",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialized_names_are_stable_and_match_as_str() {
        for o in Outcome::ALL {
            let json = serde_json::to_string(&o).unwrap();
            assert_eq!(json, format!("\"{}\"", o.as_str()));
            let back: Outcome = serde_json::from_str(&json).unwrap();
            assert_eq!(back, o);
        }
        insta::assert_json_snapshot!(Outcome::ALL);
    }

    #[test]
    fn only_three_harness_faults() {
        let faults: Vec<_> = Outcome::ALL
            .iter()
            .filter(|o| o.is_harness_fault())
            .collect();
        assert_eq!(
            faults,
            [
                &Outcome::ToolchainMissing,
                &Outcome::SandboxError,
                &Outcome::GenerationError
            ]
        );
    }
}
