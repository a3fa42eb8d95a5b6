//! Turning a model's raw text into code: `<think>…</think>` reasoning is split off first,
//! then instruct answers yield their fenced block for the target language (with a fallback
//! for unfenced code), and completions are cut at the language's stop strings.

use serde::{Deserialize, Serialize};

use crate::lang::Language;

/// How the code was found, recorded with every sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Extraction {
    /// Completion style: the continuation, cut at stop strings.
    Completion,
    /// A fenced block tagged with the target language.
    Fenced,
    /// A fenced block with no tag (none tagged with the target language).
    FencedUntagged,
    /// A fenced block tagged with another language: the only code there was.
    FencedOther,
    /// No fence; the answer looked like code and was taken whole.
    Unfenced,
    /// Nothing extractable (scored `no_code`).
    NoCode,
    /// Read back from a samples file (`replay:`), used as is.
    Replayed,
}

/// Splits reasoning off an answer. Handles `<think>…</think>`, an opening tag the chat
/// template already emitted (text starts inside the reasoning, only `</think>` appears),
/// and reasoning cut off by `max_tokens` (no closing tag: all of it is reasoning).
pub fn split_reasoning(text: &str) -> (String, Option<String>) {
    const OPEN: &str = "<think>";
    const CLOSE: &str = "</think>";
    let open = text.find(OPEN);
    let close = text.find(CLOSE);
    match (open, close) {
        (Some(o), Some(c)) if o < c => {
            let reasoning = text[o + OPEN.len()..c].trim().to_string();
            let answer = format!("{}{}", &text[..o], &text[c + CLOSE.len()..]);
            (answer, Some(reasoning))
        }
        (None, Some(c)) => (
            text[c + CLOSE.len()..].to_string(),
            Some(text[..c].trim().to_string()),
        ),
        (Some(o), None) => (
            text[..o].to_string(),
            Some(text[o + OPEN.len()..].trim().to_string()),
        ),
        _ => (text.to_string(), None),
    }
}

/// Whether generation ended inside its reasoning: an opened `<think>` never closed, or a
/// server that returns reasoning apart (`reasoning_content`) returned no answer after it.
/// With `finish = length` this is a sample cut off before it could answer.
pub fn reasoning_unfinished(text: &str, separate_reasoning: Option<&str>) -> bool {
    let unclosed = text
        .rfind("<think>")
        .is_some_and(|o| !text[o..].contains("</think>"));
    let only_reasoning =
        separate_reasoning.is_some_and(|r| !r.trim().is_empty()) && text.trim().is_empty();
    unclosed || only_reasoning
}

/// Fence tags a model may use for `language`.
fn tags(language: Language) -> &'static [&'static str] {
    use Language::*;
    match language {
        Python => &["python", "py", "python3"],
        JavaScript => &["javascript", "js", "node", "jsx"],
        TypeScript => &["typescript", "ts"],
        C => &["c", "h"],
        Cpp => &["cpp", "c++", "cc", "cxx", "hpp"],
        Rust => &["rust", "rs"],
        Go => &["go", "golang"],
        Java => &["java"],
        CSharp => &["csharp", "cs", "c#"],
        D => &["d"],
        Elixir => &["elixir", "ex", "exs"],
        Haskell => &["haskell", "hs"],
        Julia => &["julia", "jl"],
        Lua => &["lua"],
        OCaml => &["ocaml", "ml"],
        Php => &["php"],
        Perl => &["perl", "pl"],
        R => &["r"],
        Ruby => &["ruby", "rb"],
        Racket => &["racket", "rkt", "scheme"],
        Scala => &["scala"],
        Shell => &["bash", "sh", "shell", "zsh"],
        Swift => &["swift"],
    }
}

struct Block<'a> {
    tag: &'a str,
    body: &'a str,
}

/// Every ``` block, in order; an unterminated last block (cut by `max_tokens`) runs to the
/// end of the text.
fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let line_end = after.find('\n').unwrap_or(after.len());
        let tag = after[..line_end].trim();
        let body_start = (line_end + 1).min(after.len());
        let body = &after[body_start..];
        match body.find("```") {
            Some(end) => {
                out.push(Block {
                    tag,
                    body: &body[..end],
                });
                rest = &body[end + 3..];
            }
            None => {
                out.push(Block { tag, body });
                break;
            }
        }
    }
    out
}

/// Whether unfenced text plausibly is code rather than prose.
fn looks_like_code(text: &str, language: Language) -> bool {
    let t = text.trim();
    if t.is_empty() {
        return false;
    }
    let markers: &[&str] = match language {
        Language::Python => &["def ", "return", "import ", "lambda"],
        Language::Ruby | Language::Lua | Language::Elixir => &["def ", "function", "end"],
        _ => &["{", "=>", "fn ", "func ", "function", "return"],
    };
    markers.iter().any(|m| t.contains(m))
}

/// The code in an instruct answer (reasoning already split off).
pub fn from_answer(answer: &str, language: Language) -> (Option<String>, Extraction) {
    from_answer_for(answer, language, None)
}

/// [`from_answer`], preferring among several blocks of the target language the first that
/// defines `name` (the function asked for, not a usage example). Without a block tagged
/// with the language: the first untagged block, else the first block of another tag.
pub fn from_answer_for(
    answer: &str,
    language: Language,
    name: Option<&str>,
) -> (Option<String>, Extraction) {
    let all = blocks(answer);
    let wanted = tags(language);
    let nonempty = |b: &&Block| !b.body.trim().is_empty();
    let tagged: Vec<&Block> = all
        .iter()
        .filter(nonempty)
        .filter(|b| wanted.contains(&b.tag.to_ascii_lowercase().as_str()))
        .collect();
    let named = name.and_then(|n| {
        tagged
            .iter()
            .find(|b| b.body.lines().any(|l| super::merge::defines(l, n)))
    });
    if let Some(b) = named.or(tagged.first()) {
        return (Some(b.body.trim_end().to_string()), Extraction::Fenced);
    }
    if let Some(b) = all.iter().filter(nonempty).find(|b| b.tag.is_empty()) {
        return (
            Some(b.body.trim_end().to_string()),
            Extraction::FencedUntagged,
        );
    }
    if let Some(b) = all.iter().find(nonempty) {
        return (Some(b.body.trim_end().to_string()), Extraction::FencedOther);
    }
    if all.is_empty() && looks_like_code(answer, language) {
        return (Some(answer.trim().to_string()), Extraction::Unfenced);
    }
    (None, Extraction::NoCode)
}

/// Cuts a continuation at the earliest stop string. Each stop is `(text, keep)`: the first
/// `keep` bytes of the stop stay in the code (a closing `}` or `end` belongs to it).
pub fn cut(text: &str, stops: &[(String, usize)]) -> String {
    let earliest = stops
        .iter()
        .filter_map(|(s, keep)| text.find(s.as_str()).map(|at| (at, at + keep)))
        .min_by_key(|(at, _)| *at);
    match earliest {
        Some((_, end)) => text[..end].to_string(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasoning_is_split_off_in_every_shape() {
        let (a, r) = split_reasoning("<think>plan it</think>\n```py\nx=1\n```");
        assert_eq!(r.as_deref(), Some("plan it"));
        assert!(a.contains("x=1") && !a.contains("plan"));
        let (a, r) = split_reasoning("template opened it</think>answer");
        assert_eq!(
            (a.as_str(), r.as_deref()),
            ("answer", Some("template opened it"))
        );
        let (a, r) = split_reasoning("<think>never finished");
        assert_eq!((a.as_str(), r.as_deref()), ("", Some("never finished")));
        assert_eq!(split_reasoning("plain").1, None);
    }

    #[test]
    fn the_target_languages_block_wins() {
        let text = "Here:\n```text\nusage\n```\n```python\ndef f():\n    return 1\n```\n";
        let (code, how) = from_answer(text, Language::Python);
        assert_eq!(code.as_deref(), Some("def f():\n    return 1"));
        assert_eq!(how, Extraction::Fenced);
    }

    #[test]
    fn fallbacks_untagged_unterminated_unfenced_and_none() {
        let (code, how) = from_answer("```\nint f() { return 1; }\n```", Language::C);
        assert_eq!(code.as_deref(), Some("int f() { return 1; }"));
        assert_eq!(how, Extraction::FencedUntagged);
        let (code, how) = from_answer("```rust\nfn f() -> i64 {\n    1", Language::Rust);
        assert_eq!(code.as_deref(), Some("fn f() -> i64 {\n    1"));
        assert_eq!(how, Extraction::Fenced);
        let (code, how) = from_answer("def f(x):\n    return x\n", Language::Python);
        assert_eq!(code.as_deref(), Some("def f(x):\n    return x"));
        assert_eq!(how, Extraction::Unfenced);
        assert_eq!(
            from_answer("I cannot help with that.", Language::Go),
            (None, Extraction::NoCode)
        );
        assert_eq!(
            from_answer("```go\n\n```", Language::Go).1,
            Extraction::NoCode
        );
    }

    /// Several blocks: the target language's block that has the function beats an
    /// example block of the same language; an untagged block beats another language's;
    /// another language's block is taken only when it is all there is.
    #[test]
    fn several_blocks_are_chosen_deterministically() {
        let text =
            "```python\nprint(add(1, 2))\n```\n```python\ndef add(a, b):\n    return a + b\n```";
        let (code, how) = from_answer_for(text, Language::Python, Some("add"));
        assert_eq!(code.as_deref(), Some("def add(a, b):\n    return a + b"));
        assert_eq!(how, Extraction::Fenced);
        let text = "```bash\npip install x\n```\n```\nint f() { return 1; }\n```";
        let (code, how) = from_answer(text, Language::C);
        assert_eq!(code.as_deref(), Some("int f() { return 1; }"));
        assert_eq!(how, Extraction::FencedUntagged);
        let (code, how) = from_answer("```python\ndef f(): pass\n```", Language::Ruby);
        assert_eq!(code.as_deref(), Some("def f(): pass"));
        assert_eq!(how, Extraction::FencedOther);
    }

    #[test]
    fn cut_keeps_the_closing_part_of_a_stop() {
        let stops = vec![("\n}".to_string(), 2), ("\nfunc ".to_string(), 0)];
        assert_eq!(
            cut("  return 1\n}\nfunc main() {}", &stops),
            "  return 1\n}"
        );
        assert_eq!(cut("  x\nfunc g() {\n}", &stops), "  x");
        assert_eq!(cut("no stop", &stops), "no stop");
    }
}
