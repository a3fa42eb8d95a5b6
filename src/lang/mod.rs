//! Languages passk knows, with their names and aliases (including MultiPL-E's short keys).
//! How each one is compiled and run in the process sandbox is data, in
//! `sandboxes/languages.toml`; per-language rendering and grammars grow here.

pub mod literal;
pub mod syntax;
pub mod types;

use serde::{Deserialize, Serialize};

macro_rules! languages {
    ($($variant:ident => $name:literal [$($alias:literal),*]),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum Language {
            $($variant),*
        }

        impl Language {
            pub const ALL: &'static [Language] = &[$(Language::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Language::$variant => $name),*
                }
            }

            /// Parses a canonical name or an alias (`py`, `js`, `c++`, `rs`, `go_test.go`, …).
            pub fn parse(name: &str) -> Option<Language> {
                let n = name.trim().to_ascii_lowercase();
                match n.as_str() {
                    $($name $(| $alias)* => Some(Language::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

languages! {
    Python => "python" ["py", "python3"],
    JavaScript => "javascript" ["js", "node"],
    TypeScript => "typescript" ["ts"],
    C => "c" [],
    Cpp => "cpp" ["c++", "cxx", "cc"],
    Rust => "rust" ["rs"],
    Go => "go" ["golang", "go_test.go"],
    Java => "java" [],
    CSharp => "csharp" ["cs", "c#"],
    D => "d" ["dlang"],
    Elixir => "elixir" ["ex", "exs"],
    Haskell => "haskell" ["hs"],
    Julia => "julia" ["jl"],
    Lua => "lua" [],
    OCaml => "ocaml" ["ml"],
    Php => "php" [],
    Perl => "perl" ["pl"],
    R => "r" [],
    Ruby => "ruby" ["rb"],
    Racket => "racket" ["rkt"],
    Scala => "scala" [],
    Shell => "shell" ["sh", "bash"],
    Swift => "swift" [],
}

impl Language {
    /// The name people write (`C++`, `C#`, `JavaScript`), for prompts and reports.
    pub fn display_name(self) -> &'static str {
        use Language::*;
        match self {
            Python => "Python",
            JavaScript => "JavaScript",
            TypeScript => "TypeScript",
            C => "C",
            Cpp => "C++",
            Rust => "Rust",
            Go => "Go",
            Java => "Java",
            CSharp => "C#",
            D => "D",
            Elixir => "Elixir",
            Haskell => "Haskell",
            Julia => "Julia",
            Lua => "Lua",
            OCaml => "OCaml",
            Php => "PHP",
            Perl => "Perl",
            R => "R",
            Ruby => "Ruby",
            Racket => "Racket",
            Scala => "Scala",
            Shell => "Bash",
            Swift => "Swift",
        }
    }

    /// Languages with a compile step before anything runs (their samples can end in
    /// `compile_error`; reports give their compile rate).
    pub fn is_compiled(self) -> bool {
        matches!(
            self,
            Language::C
                | Language::Cpp
                | Language::Rust
                | Language::Go
                | Language::Java
                | Language::CSharp
                | Language::D
                | Language::Scala
                | Language::TypeScript
                | Language::Haskell
                | Language::Swift
        )
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &l in Language::ALL {
            assert_eq!(Language::parse(l.as_str()), Some(l));
            let json = serde_json::to_string(&l).unwrap();
            assert_eq!(json, format!("\"{}\"", l.as_str()));
        }
        assert_eq!(Language::parse("C++"), Some(Language::Cpp));
        assert_eq!(Language::parse("cobol"), None);
    }

    #[test]
    fn every_multipl_e_key_parses() {
        for key in [
            "cpp",
            "cs",
            "d",
            "elixir",
            "go_test.go",
            "hs",
            "java",
            "jl",
            "js",
            "lua",
            "ml",
            "php",
            "pl",
            "py",
            "r",
            "rb",
            "rkt",
            "rs",
            "scala",
            "sh",
            "swift",
            "ts",
        ] {
            assert!(Language::parse(key).is_some(), "{key}");
        }
    }
}
