//! Prompt styles: *completion* continues the problem's prompt and cuts the
//! continuation at the language's stop strings; *instruct* asks through the chat template
//! for the whole function in a fenced block and extracts it. Both end in a [`Code`] the
//! problem assembles into a program, or in `no_code`.

use serde::{Deserialize, Serialize};

use super::extract::{self, Extraction};
use super::{Message, PromptText};
use crate::lang::Language;
use crate::problem::{Assembly, Code, Problem, cruxeval, polyglot, predict};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// Base models: the prompt is continued.
    #[default]
    Completion,
    /// Chat models: the chat template is applied, the fenced code block extracted and merged
    /// with the prompt and tests (the function found by name; `merge` in samples.jsonl).
    Instruct,
}

impl Style {
    /// Parses a style's name as the command line and `pins.toml` write it.
    pub fn parse(name: &str) -> Option<Style> {
        <Style as clap::ValueEnum>::from_str(name, true).ok()
    }
}

/// A prompt ready for a generator, with its stop strings.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub prompt: PromptText,
    /// Stops whose text is dropped (sent to servers as `stop`).
    pub stop: Vec<String>,
    /// Stops that end the function and stay in the code (a closing `}` or `end`): cut
    /// client-side; in-process backends also halt on them.
    pub halt: Vec<(String, usize)>,
}

const PYTHON_STOPS: [&str; 6] = [
    "\ndef ",
    "\nclass ",
    "\nif __name__",
    "\nprint(",
    "\n#",
    "\nassert",
];

/// Where a completion ends: stops whose text is dropped, stops that are kept and halt
/// (a closing `}` or `end`), and what is appended after a kept stop (Java/C# close the class).
struct Stops {
    stop: Vec<String>,
    halt: Vec<(String, usize)>,
    closer: &'static str,
}

/// The completion-style stops of `problem`: MultiPL-E's own stop tokens, else those of a
/// language whose prompt ends at a function's opening line.
fn stops(problem: &Problem) -> Stops {
    use Language::*;
    if let Assembly::MultiplE { stop_tokens, .. } = &problem.assembly {
        return Stops {
            stop: stop_tokens.clone(),
            halt: vec![],
            closer: "",
        };
    }
    // A prediction completes one line of an assertion.
    if let Assembly::Cruxeval(_) | Assembly::Predict(_) = &problem.assembly {
        return Stops {
            stop: vec!["\n".into()],
            halt: vec![],
            closer: "",
        };
    }
    // A full program has no natural end a stop string could mark but a closing fence.
    if let Assembly::Io { .. } | Assembly::LiveCodeBench(_) | Assembly::Contest(_) =
        &problem.assembly
    {
        return Stops {
            stop: vec!["\n```".into()],
            halt: vec![],
            closer: "",
        };
    }
    let keep = |s: &str, closer| Stops {
        stop: vec![],
        halt: vec![(s.to_string(), s.len())],
        closer,
    };
    match problem.language {
        Python => Stops {
            stop: PYTHON_STOPS.map(String::from).to_vec(),
            halt: vec![],
            closer: "",
        },
        Java | CSharp => keep("\n    }", "\n}\n"),
        Ruby | Lua | Elixir | Julia => keep("\nend", "\n"),
        _ => keep("\n}", "\n"),
    }
}

fn tag(language: Language) -> &'static str {
    use Language::*;
    match language {
        Cpp => "cpp",
        CSharp => "csharp",
        Shell => "bash",
        other => other.as_str(),
    }
}

/// A chat of a system message naming the language's expert and one user message.
fn expert_chat(language: Language, user: String) -> PromptText {
    PromptText::Chat(vec![
        Message {
            role: "system".into(),
            content: format!("You are an expert {} programmer.", language.display_name()),
        },
        Message {
            role: "user".into(),
            content: user,
        },
    ])
}

/// How `language` starts a line comment.
fn comment_mark(language: Language) -> &'static str {
    use Language::*;
    match language {
        Python | Ruby | Perl | R | Julia | Elixir | Shell => "# ",
        Lua | Haskell => "-- ",
        Racket => ";; ",
        _ => "// ",
    }
}

/// A task text as line comments in `language`.
fn task_comment(language: Language, text: &str) -> String {
    crate::problem::render::comment_lines(text.trim(), comment_mark(language))
}

/// The prompt of a typed problem's output prediction: completion models continue a
/// `// CALL` / `// => ` comment after the function; chat models are asked for the literal
/// between `[ANSWER]` tags.
fn literal_prompt(record: &predict::Record, style: Style) -> PromptText {
    let language = record.language;
    let mark = comment_mark(language);
    match style {
        Style::Completion => PromptText::Text(format!(
            "{}

{mark}{}
{mark}=> ",
            record.code, record.call
        )),
        Style::Instruct => expert_chat(
            language,
            format!(
                "{} Put only the answer between [ANSWER] and [/ANSWER].\n\n```{}\n{}\n```",
                record.question(),
                tag(language),
                record.code
            ),
        ),
    }
}

/// The prompt of a comprehension problem: completion models continue the assertion, chat
/// models are asked for the answer between `[ANSWER]` tags.
fn prediction_prompt(record: &cruxeval::Record, style: Style) -> PromptText {
    use cruxeval::Prediction::*;
    match (style, record.task) {
        (Style::Completion, OutputPrediction) => {
            PromptText::Text(format!("{}\nassert f({}) == ", record.code, record.input))
        }
        (Style::Completion, InputPrediction) => {
            PromptText::Text(format!("{}\nassert {} == f(", record.code, record.output))
        }
        (Style::Instruct, task) => {
            let ask = match task {
                OutputPrediction => {
                    "Replace ?? with the value the function returns for this input, written as \
                     a Python literal (no function calls, nothing left to compute)"
                }
                InputPrediction => {
                    "Replace ?? with arguments for which the function returns this output, and \
                     answer with the whole call f(...)"
                }
            };
            expert_chat(
                Language::Python,
                format!(
                    "{ask}. Put only the answer between [ANSWER] and [/ANSWER].\n\n\
                     ```python\n{}\n```",
                    record.shown()
                ),
            )
        }
    }
}

/// The prompt for `problem` in `style`.
pub fn prepare(problem: &Problem, style: Style) -> Prepared {
    let language = problem.language;
    let prediction = match &problem.assembly {
        Assembly::Cruxeval(record) => Some(prediction_prompt(record, style)),
        Assembly::Predict(record) => Some(literal_prompt(record, style)),
        _ => None,
    };
    if let Assembly::Exercise(_) = &problem.assembly {
        // The task and the stub files, in one message; the answer is whole files.
        let prompt = match style {
            Style::Completion => PromptText::Text(problem.prompt.clone()),
            Style::Instruct => expert_chat(language, problem.prompt.clone()),
        };
        return Prepared {
            prompt,
            stop: vec![],
            halt: vec![],
        };
    }
    if let Some(prompt) = prediction {
        return Prepared {
            prompt,
            stop: match style {
                Style::Completion => stops(problem).stop,
                Style::Instruct => vec![],
            },
            halt: vec![],
        };
    }
    let Stops { stop, halt, .. } = stops(problem);
    let prompt_is_code = !problem.prompt_is_task();
    match style {
        Style::Completion => {
            let text = match &problem.assembly {
                // A full program's task: a comment at the top of the file, the code follows.
                Assembly::Io { .. } | Assembly::LiveCodeBench(_) | Assembly::Contest(_) => {
                    task_comment(language, &problem.prompt)
                }
                // MBPP's prompt is a task text: shown as a docstring, the code follows.
                Assembly::Mbpp { .. } => format!("\"\"\"\n{}\n\"\"\"\n", problem.prompt.trim()),
                _ => problem.prompt.clone(),
            };
            Prepared {
                prompt: PromptText::Text(text),
                stop,
                halt,
            }
        }
        Style::Instruct => {
            let name = language.display_name();
            let fence = tag(language);
            let user = if prompt_is_code {
                format!(
                    "Complete the following {name} function so that it does what its \
                     documentation says. Reply with the complete function, signature \
                     included, in a single ```{fence} code block.\n\n```{fence}\n{}\n```",
                    problem.prompt.trim_end()
                )
            } else {
                format!(
                    "{}\n\nWrite the solution in {name}, in a single ```{fence} code block.",
                    problem.prompt.trim()
                )
            };
            Prepared {
                prompt: expert_chat(language, user),
                stop: vec![],
                halt: vec![],
            }
        }
    }
}

/// One earlier attempt of a repair episode, as the next turn's prompt shows it.
pub struct Attempt<'a> {
    /// What the model answered, unedited.
    pub answer: &'a str,
    /// The code passk took from it (completion style shows it again).
    pub code: Option<Code>,
    /// What its verdict said ([`super::feedback::describe`]).
    pub feedback: String,
}

/// The prompt of a repair turn after `attempts`. Chat models continue the conversation:
/// each earlier answer (its reasoning left out), then its feedback and a request for the
/// corrected code. Completion models, which have no conversation, get the last attempt and
/// its feedback as comments before a fresh prompt. No attempts: the first turn's prompt.
pub fn repair(problem: &Problem, style: Style, attempts: &[Attempt<'_>]) -> Prepared {
    let mut prepared = prepare(problem, style);
    let Some(last) = attempts.last() else {
        return prepared;
    };
    let language = problem.language;
    match &mut prepared.prompt {
        PromptText::Chat(messages) => {
            let what = if problem.prompt_is_task() {
                "solution"
            } else {
                "function, signature included"
            };
            for a in attempts {
                messages.push(Message {
                    role: "assistant".into(),
                    content: extract::split_reasoning(a.answer).0.trim().to_string(),
                });
                let ask = match &problem.assembly {
                    Assembly::Exercise(ex) => polyglot::answer::repair_request(ex),
                    _ => format!(
                        "Fix the code. Reply with the complete corrected {what}, in a single \
                         ```{} code block.",
                        tag(language)
                    ),
                };
                messages.push(Message {
                    role: "user".into(),
                    content: format!("{}\n\n{ask}", a.feedback),
                });
            }
        }
        PromptText::Text(text) => {
            let code = match &last.code {
                Some(Code::Completion(c) | Code::Solution(c)) => c.trim_end(),
                None => "(no code)",
            };
            let note = format!(
                "A previous attempt failed.\n{}\n\nThe previous attempt was:\n{code}\n\n\
                 A corrected version follows.",
                last.feedback
            );
            *text = format!("{}\n{text}", task_comment(language, &note));
        }
    }
    prepared
}

/// What came out of one generation.
#[derive(Debug, Clone, PartialEq)]
pub struct Coded {
    pub code: Option<Code>,
    pub extraction: Extraction,
    /// How an instruct answer was merged with the prompt.
    pub merge: Option<super::merge::Merge>,
    /// `<think>` reasoning found in the text.
    pub reasoning: Option<String>,
}

/// A prediction's answer as the sample's code.
fn predicted(
    found: Option<String>,
    answer: &str,
    style: Style,
    reasoning: Option<String>,
) -> Coded {
    let extraction = match (&found, style) {
        (None, _) => Extraction::NoCode,
        (Some(_), Style::Completion) => Extraction::Completion,
        (Some(_), Style::Instruct) if answer.contains("```") => Extraction::Fenced,
        (Some(_), Style::Instruct) => Extraction::Unfenced,
    };
    Coded {
        code: found.map(Code::Solution),
        extraction,
        merge: None,
        reasoning,
    }
}

/// Turns generated text into the sample's code.
pub fn code_from(problem: &Problem, style: Style, text: &str) -> Coded {
    let (answer, reasoning) = extract::split_reasoning(text);
    let language = problem.language;
    if let Assembly::Predict(record) = &problem.assembly {
        let answer = match style {
            Style::Completion => extract::cut(&answer, &[("\n".into(), 0)]),
            Style::Instruct => answer,
        };
        return predicted(
            predict::answer_from(&answer, record),
            &answer,
            style,
            reasoning,
        );
    }
    if let Assembly::Cruxeval(record) = &problem.assembly {
        // A completion continued the assertion; what it wrote is the answer (an input
        // prediction's call was opened by the prompt).
        let answer = match (style, record.task) {
            (Style::Completion, cruxeval::Prediction::InputPrediction) => {
                format!("f({}", extract::cut(&answer, &[("\n".into(), 0)]))
            }
            (Style::Completion, _) => extract::cut(&answer, &[("\n".into(), 0)]),
            (Style::Instruct, _) => answer,
        };
        let found = cruxeval::answer_from(&answer, record.task);
        return predicted(found, &answer, style, reasoning);
    }
    if let Assembly::Exercise(ex) = &problem.assembly {
        // Whole files, in fenced blocks named by path; the answer is kept as it is and
        // split into files when the program is assembled.
        let found = polyglot::answer::files_from(&answer, ex).is_ok();
        return Coded {
            code: found.then(|| Code::Solution(answer.clone())),
            extraction: if found {
                Extraction::Fenced
            } else {
                Extraction::NoCode
            },
            merge: None,
            reasoning,
        };
    }
    let mut merged = None;
    let (code, extraction) = match style {
        Style::Completion => {
            let Stops { stop, halt, closer } = stops(problem);
            let all: Vec<(String, usize)> = stop
                .into_iter()
                .map(|s| (s, 0))
                .chain(halt.iter().cloned())
                .collect();
            let mut c = extract::cut(&answer, &all);
            if halt.iter().any(|(h, _)| c.ends_with(h.as_str())) {
                c.push_str(closer);
            }
            let code = match &problem.assembly {
                Assembly::Mbpp { .. } | Assembly::Io { .. } => Code::Solution(c),
                _ => Code::Completion(c),
            };
            (Some(code), Extraction::Completion)
        }
        Style::Instruct => match extract::from_answer_for(
            &answer,
            language,
            super::merge::target_name(problem).as_deref(),
        ) {
            (Some(c), how) => {
                let (solution, path) = super::merge::merge(problem, &c);
                merged = Some(path);
                (Some(Code::Solution(solution)), how)
            }
            (None, how) => (None, how),
        },
    };
    Coded {
        code,
        extraction,
        merge: merged,
        reasoning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::ProblemSet;

    fn problem(language: Language) -> Problem {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("problems/core");
        let set = ProblemSet::load(&dir).unwrap();
        set.find("core/vowel-runs", Some(language)).unwrap().clone()
    }

    #[test]
    fn instruct_prompt_asks_for_a_fenced_block_in_the_language() {
        let p = prepare(&problem(Language::Cpp), Style::Instruct);
        let PromptText::Chat(m) = p.prompt else {
            panic!("instruct is a chat")
        };
        insta::assert_snapshot!(m[1].content);
        assert_eq!(m[0].content, "You are an expert C++ programmer.");
    }

    #[test]
    fn completions_are_cut_where_the_function_ends() {
        let py = problem(Language::Python);
        let c = code_from(
            &py,
            Style::Completion,
            "    return 1\n\nprint(vowel_runs('a'))\n",
        );
        assert_eq!(c.code, Some(Code::Completion("    return 1\n".into())));
        let go = problem(Language::Go);
        let c = code_from(&go, Style::Completion, "\treturn 0\n}\n\nfunc main() {}\n");
        assert_eq!(c.code, Some(Code::Completion("\treturn 0\n}\n".into())));
        let java = problem(Language::Java);
        let c = code_from(
            &java,
            Style::Completion,
            "        return 0;\n    }\n}\nclass X {}",
        );
        assert_eq!(
            c.code,
            Some(Code::Completion("        return 0;\n    }\n}\n".into()))
        );
        assert!(prepare(&java, Style::Completion).halt[0].0 == "\n    }");
    }

    #[test]
    fn instruct_answers_get_their_preamble_and_class_back() {
        let java = problem(Language::Java);
        let answer =
            "Sure:\n```java\npublic static long vowelRuns(String text) {\n    return 0;\n}\n```";
        let c = code_from(&java, Style::Instruct, answer);
        let Some(Code::Solution(s)) = c.code else {
            panic!("a solution")
        };
        assert!(
            s.starts_with("import java.util.*;\nimport org.javatuples.*;\n\nclass Solution {\n"),
            "{s}"
        );
        assert!(
            s.contains("*/\npublic static long vowelRuns(String text) {\n    return 0;\n}\n}\n"),
            "{s}"
        );
        assert_eq!(c.extraction, Extraction::Fenced);
        assert_eq!(c.merge, Some(super::super::merge::Merge::Function));
        let none = code_from(&java, Style::Instruct, "<think>hmm</think>I don't know.");
        assert_eq!((none.code, none.extraction), (None, Extraction::NoCode));
        assert_eq!(none.reasoning.as_deref(), Some("hmm"));
    }

    #[test]
    fn full_programs_are_asked_for_whole_and_kept_whole() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("problems/io");
        let set = ProblemSet::load(&dir).unwrap();
        let go = set.find("io/column-sums", Some(Language::Go)).unwrap();
        let p = prepare(go, Style::Instruct);
        let PromptText::Chat(m) = p.prompt else {
            panic!("instruct is a chat")
        };
        insta::assert_snapshot!(m[1].content);
        let answer = "```go\npackage main\n\nfunc main() {}\n```";
        let c = code_from(go, Style::Instruct, answer);
        assert_eq!(
            c.code,
            Some(Code::Solution("package main\n\nfunc main() {}".into()))
        );
        // Completion style: the task as comments, the continuation is the whole program.
        let py = set.find("io/column-sums", Some(Language::Python)).unwrap();
        let p = prepare(py, Style::Completion);
        let PromptText::Text(t) = p.prompt else {
            panic!("completion is text")
        };
        assert!(t.starts_with("# Column sums\n#\n# The first line"), "{t}");
        assert_eq!(p.stop, vec!["\n```".to_string()]);
        let c = code_from(py, Style::Completion, "import sys\nprint(1)\n```\nmore");
        assert_eq!(c.code, Some(Code::Solution("import sys\nprint(1)".into())));
    }

    #[test]
    fn a_repair_turn_continues_the_chat_and_recomments_a_completion() {
        let cpp = problem(Language::Cpp);
        let attempt = Attempt {
            answer: "<think>easy</think>```cpp\nlong long vowel_runs(std::string s) { return 0; }\n```",
            code: None,
            feedback: "Your solution failed a test.\ntest 1: expected 2, got 0".into(),
        };
        let p = repair(&cpp, Style::Instruct, &[attempt]);
        let PromptText::Chat(m) = p.prompt else {
            panic!("instruct is a chat")
        };
        let roles: Vec<&str> = m.iter().map(|m| m.role.as_str()).collect();
        assert_eq!(roles, ["system", "user", "assistant", "user"]);
        assert!(!m[2].content.contains("think"), "{}", m[2].content);
        insta::assert_snapshot!(m[3].content);
        let py = problem(Language::Python);
        let attempt = Attempt {
            answer: "",
            code: Some(Code::Completion("    return 0\n".into())),
            feedback: "Your solution failed a test.".into(),
        };
        let PromptText::Text(t) = repair(&py, Style::Completion, &[attempt]).prompt else {
            panic!("completion is text")
        };
        let PromptText::Text(fresh) = prepare(&py, Style::Completion).prompt else {
            panic!("completion is text")
        };
        insta::assert_snapshot!(t.strip_suffix(fresh.as_str()).unwrap());
    }
}
