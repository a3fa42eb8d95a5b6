//! The results record of an executed job: its verdict, where it ran, and whether its
//! program is syntactically valid.

use super::Job;
use crate::lang::syntax;
use crate::outcome::Outcome;
use crate::rundir::results::ResultRecord;
use crate::sandbox::{Execution, SandboxId};

/// The record of `job`, with its syntax checked.
pub fn record(job: Job, sandbox: SandboxId, reused: bool, execution: Execution) -> ResultRecord {
    // A prediction's answer is a literal, read by the host: no grammar of programs applies.
    let literal = job.program.variant == Some(crate::problem::predict::VARIANT);
    let syntax =
        match execution.outcome {
            _ if literal => None,
            Outcome::NoCode => Some(syntax::SyntaxCheck {
                valid: false,
                errors: Vec::new(),
            }),
            Outcome::GenerationError => None,
            // The language's own toolchain accepted a program that ran its tests through:
            // it is valid whatever the grammar says (tree-sitter-cpp cannot parse
            // `typeid(int)`, used by HumanEval-X CPP/22 and /137).
            Outcome::Passed => syntax::check(job.program.language, &job.program.solution_text())
                .map(|_| syntax::SyntaxCheck {
                    valid: true,
                    errors: Vec::new(),
                }),
            _ => syntax::check(job.program.language, &job.program.solution_text()),
        };
    ResultRecord {
        task_id: job.task_id,
        language: job.program.language,
        model: job.model,
        sample_index: job.sample_index,
        turn: job.turn,
        sandbox,
        reused,
        syntax_valid: syntax.as_ref().map(|s| s.valid),
        syntax_errors: syntax.map(|s| s.errors).unwrap_or_default(),
        generation: job.generation,
        facets: job.facets,
        execution,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Language;

    /// tree-sitter-cpp rejects `typeid(int)`; a program that compiled and passed is valid,
    /// one that did not keeps the grammar's verdict.
    #[test]
    fn a_passing_program_is_syntactically_valid_whatever_the_grammar_says() {
        let source = "#include <typeinfo>\nint main(){ return typeid(int) == typeid(long); }\n";
        assert!(!syntax::check(Language::Cpp, source).unwrap().valid);
        let record = |o: Outcome| {
            let program = crate::sandbox::Program::plain(Language::Cpp, source);
            let job = Job::new("t", program, Default::default());
            let id = SandboxId {
                kind: "process".into(),
                version: "test".into(),
            };
            record(job, id, false, Execution::verdict(o, ""))
        };
        let passed = record(Outcome::Passed);
        assert_eq!(passed.syntax_valid, Some(true));
        assert!(passed.syntax_errors.is_empty());
        let failed = record(Outcome::CompileError);
        assert_eq!(failed.syntax_valid, Some(false));
        assert!(!failed.syntax_errors.is_empty());
    }
}
