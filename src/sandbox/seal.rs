//! Sealing a benchmark program: what passk adds around the benchmark's tests so that a pass
//! needs positive evidence that every test ran, against the assertion machinery the benchmark
//! defines rather than the one the solution may have redefined.
//!
//! A program is `solution ++ tests`; `tests_at` is where the trusted part starts. Per
//! language, sealing adds up to three things (ARCHITECTURE.md, "Completion marker", has the
//! reasoning per language family):
//!
//! - a **boundary** inserted before the tests that undoes what the solution can redefine
//!   for them (C/C++ macros and `assert`, Bash functions shadowing builtins and traps, Perl
//!   `CORE::GLOBAL` overrides and test subs, Lua's library tables and luaunit, OCaml's
//!   operators), or wraps the tests in a scope the solution cannot name (JavaScript);
//! - **rewrites inside the tests** that bind the assertions to the harness's own copies
//!   (Rust `::std::assert_eq!`, Java/C# `PasskAssert`, Scala `_root_.scala.Predef.assert`);
//! - an **epilogue** that runs only after the last test and prints the run's marker, which
//!   it reads at that moment from a descriptor (process sandbox: a pipe on fd 3, filled by
//!   the supervisor; WASM: standard input). Compiled languages wrap the tests' `main` (C and
//!   C++ by linking with `--wrap=main`, the others by renaming it) in a `main` that calls it
//!   and then prints the marker; Go adds a `TestMain`.
//!
//! The marker is in no file, argument or environment variable, so a program that reads its
//! own source learns nothing, and a clean exit before the tests (from any hook) never prints
//! it. Sealing is a pure text transformation: same program in, same program out.

use crate::lang::Language;

/// Changes whenever sealing, or what the sandboxes put around a program (QuickJS's script
/// semantics, the C library's `rand()`, HumanEval-X's Rust crates), changes what runs: part
/// of every cached verdict's key, so a verdict from an older harness is never reused.
pub const VERSION: &str = "seal-2";

/// Which sandbox the sealed program runs in: it decides where the epilogue reads the marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The process sandbox: the marker is on descriptor 3.
    Process,
    /// A WASM guest: the marker is the guest's standard input.
    Wasm,
}

/// A sealed program: the source, and files it needs beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sealed {
    pub source: String,
    /// (file name, content) written next to the program.
    pub files: Vec<(String, String)>,
}

/// The file the process sandbox writes for Go's `TestMain`.
pub const GO_MAIN_FILE: &str = "passk_main_test.go";

/// Seals `source` (tests from byte `tests_at`) for `language` and `target`. Languages whose
/// pass needs no marker in this target are returned unchanged.
pub fn seal(
    language: Language,
    source: &str,
    tests_at: usize,
    entry: &str,
    target: Target,
) -> Sealed {
    let mut at = floor_boundary(source, tests_at.min(source.len()));
    // MultiPL-E's C, C++ and Bash tests begin with the `}` that closes the solution's
    // function: what passk inserts goes after it, at the top level.
    if matches!(language, Language::C | Language::Cpp | Language::Shell) {
        let rest = &source[at..];
        let ws = rest.len() - rest.trim_start().len();
        if rest[ws..].starts_with('}') {
            at += ws + 1;
        }
    }
    let (solution, tests) = source.split_at(at);
    let plain = |s: String| Sealed {
        source: s,
        files: Vec::new(),
    };
    match (language, target) {
        (Language::C | Language::Cpp, _) => plain(c_family(language, solution, tests, target)),
        (Language::JavaScript, _) => plain(javascript(solution, tests, target)),
        (Language::TypeScript, Target::Process) => plain(typescript(solution, tests)),
        // The WASM component's runner, as a file: solution and tests apart, the tests
        // guarded; it prints the marker itself.
        (Language::Python, Target::Process) => Sealed {
            source: crate::setup::paths::PYTHON_GUEST_EVALUATE.to_string(),
            files: vec![
                ("solution.py".into(), solution.to_string()),
                ("tests.py".into(), tests.to_string()),
                ("entry.txt".into(), entry.to_string()),
            ],
        },
        (Language::Php, Target::Process) => plain(format!(
            "{source}\necho \"\\n\", trim(file_get_contents('php://fd/3')), \"\\n\";\n"
        )),
        (Language::Perl, Target::Process) => plain(perl(solution, tests)),
        (Language::R, Target::Process) => plain(format!(
            "{solution}\n{R_BOUNDARY}{tests}\ncat('\\n', readLines(file('/dev/fd/3'), warn = FALSE), '\\n', sep = '')\n"
        )),
        (Language::Shell, Target::Process) => plain(shell(solution, tests)),
        (Language::OCaml, Target::Process) => plain(format!(
            "{solution}\nopen Stdlib;;\n{tests}\nlet () = print_string (\"\\n\" ^ input_line (open_in \"/dev/fd/3\") ^ \"\\n\");;\n"
        )),
        (Language::Ruby, Target::Process) => plain(ruby(source)),
        (Language::Lua, Target::Process) => plain(lua(solution, tests)),
        (Language::Racket, Target::Process) => plain(format!(
            "{solution}\n{}\n(display (string-append \"\\n\" (port->string (open-input-file \"/dev/fd/3\")) \"\\n\"))\n",
            racket_tests(tests)
        )),
        (Language::Elixir, Target::Process) => plain(format!("{source}\n{ELIXIR_EPILOGUE}")),
        (Language::Rust, Target::Process) => plain(rust(solution, tests)),
        (Language::Go, Target::Process) => Sealed {
            source: source.to_string(),
            files: vec![(GO_MAIN_FILE.to_string(), go_main(source))],
        },
        (Language::Java, Target::Process) => plain(java(solution, tests)),
        (Language::CSharp, Target::Process) => plain(csharp(solution, tests)),
        (Language::Scala, Target::Process) => plain(scala(solution, tests)),
        (Language::D, Target::Process) => plain(d(solution, tests)),
        (Language::Haskell, Target::Process) => plain(haskell(solution, tests)),
        _ => plain(source.to_string()),
    }
}

/// A program that runs without a marker (passk's own harness, a full program) in the
/// process sandbox: the files its language's commands expect all the same (C and C++ link
/// with `--wrap=main`; a compile command that names [`GO_MAIN_FILE`], `wants_go_main`,
/// needs passk's `TestMain` file).
pub fn unsealed(language: Language, source: &str, wants_go_main: bool) -> Sealed {
    let mut s = Sealed {
        source: source.to_string(),
        files: Vec::new(),
    };
    match language {
        Language::C | Language::Cpp => s.source.push_str(&c_main_wrapper(language)),
        Language::Go if wants_go_main => s.files.push((GO_MAIN_FILE.to_string(), go_main(source))),
        _ => {}
    }
    s
}

fn floor_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Names the solution part `#define`s (directives start a line; `%:` is the digraph of `#`;
/// backslash-newline continues a line; comments are skipped).
fn defined_macros(code: &str) -> Vec<String> {
    let joined = code.replace("\\\r\n", "").replace("\\\n", "");
    let stripped = strip_c_comments(&joined);
    let mut names = Vec::new();
    for line in stripped.lines() {
        let l = line.trim_start();
        let rest = l
            .strip_prefix('#')
            .or_else(|| l.strip_prefix("%:"))
            .or_else(|| l.strip_prefix("??="));
        let Some(rest) = rest else { continue };
        let Some(def) = rest.trim_start().strip_prefix("define") else {
            continue;
        };
        if !def.starts_with([' ', '\t']) {
            continue;
        }
        let name: String = def
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// C/C++ source without comments (string and character literals kept as they are).
fn strip_c_comments(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    if b[i] == b'\n' {
                        out.push(b'\n');
                    }
                    i += 1;
                }
                i += 2;
                out.push(b' ');
            }
            q @ (b'"' | b'\'') => {
                out.push(q);
                i += 1;
                while i < b.len() && b[i] != q && b[i] != b'\n' {
                    if b[i] == b'\\' && i + 1 < b.len() {
                        out.push(b[i]);
                        i += 1;
                    }
                    out.push(b[i]);
                    i += 1;
                }
                if i < b.len() {
                    out.push(b[i]);
                    i += 1;
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// C and C++: every macro the solution defined is undefined before the tests, `assert` is
/// redefined to call a function of the harness (a solution's `__assert_fail` or `NDEBUG` no
/// longer matter), and `main` is the tests' own. In the process sandbox [`c_main_wrapper`]
/// prints the marker after that `main` returned 0; in WASM the pass is `main` returning (the
/// host sees `_start` return), so no marker is needed.
fn c_family(language: Language, solution: &str, tests: &str, target: Target) -> String {
    let cpp = language == Language::Cpp;
    let linkage = if cpp { "extern \"C\" " } else { "" };
    let mut s = String::with_capacity(solution.len() + tests.len() + 1024);
    s.push_str(solution);
    s.push_str("\n/* passk: the tests below use the standard assert and their own main */\n");
    for name in defined_macros(solution) {
        s.push_str(&format!("#undef {name}\n"));
    }
    s.push_str("#undef assert\n#undef NDEBUG\n#undef main\n#include <assert.h>\n#undef assert\n");
    s.push_str(&format!(
        "{linkage}void passk_assert_failed(const char *, const char *, int, const char *);\n\
         #define assert(e) ((e) ? (void)0 : passk_assert_failed(#e, __FILE__, __LINE__, __func__))\n"
    ));
    s.push_str(tests);
    s.push_str("\n#undef main\n#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\n");
    // A failed assertion reads as glibc's (the process sandbox's pattern) and aborts; a
    // solution's SIGABRT handler that exits 0 still never prints the marker.
    s.push_str(&format!(
        "{linkage}void passk_assert_failed(const char *e, const char *file, int line, const char *fn) {{\n\
         \x20   fprintf(stderr, \"%s:%d: %s: Assertion `%s' failed.\\n\", file, line, fn, e);\n\
         \x20   fflush(stderr);\n\
         \x20   abort();\n\
         }}\n"
    ));
    if target == Target::Process {
        s.push_str(&c_main_wrapper(language));
    }
    s
}

/// The process sandbox links C and C++ with `-Wl,--wrap=main`: the tests' `main` (which
/// keeps `main`'s implicit `return 0`) becomes `__real_main`, and this `__wrap_main` prints
/// the marker after it returned 0. Every C/C++ program there gets it (one without a marker
/// pipe prints nothing).
pub fn c_main_wrapper(language: Language) -> String {
    let linkage = if language == Language::Cpp {
        "extern \"C\" "
    } else {
        ""
    };
    format!(
        "\n#include <stdio.h>\n#include <unistd.h>\n\
         {linkage}int __real_main(int, char **);\n\
         {linkage}int __wrap_main(int argc, char **argv) {{\n\
         \x20   int r = __real_main(argc, argv);\n\
         \x20   if (r == 0) {{\n\
         \x20       char m[80];\n\
         \x20       ssize_t n = read(3, m, sizeof m - 1);\n\
         \x20       fflush(stdout);\n\
         \x20       if (n > 0) {{ m[n] = 0; printf(\"\\n%s\", m); fflush(stdout); }}\n\
         \x20   }}\n\
         \x20   return r;\n\
         }}\n"
    )
}

/// JavaScript: the tests run inside a function whose `require` parameter is the real one,
/// bound before any solution code ran (Node: `--require ./passk-prelude.js`; QuickJS: the
/// prelude) to a global property that cannot be reassigned, and `node:assert` is frozen. A
/// solution that redefines `require`, the tests' `test` function or the assert functions
/// changes nothing the tests see. The epilogue inside that scope prints the marker.
fn javascript(solution: &str, tests: &str, target: Target) -> String {
    let read = match target {
        Target::Process => "require('fs').readFileSync(3, 'utf8')",
        Target::Wasm => "std.in.readAsString()",
    };
    let print = match target {
        Target::Process => "console.log",
        Target::Wasm => "std.out.puts",
    };
    format!(
        "{solution}\n;(function (require) {{\n{tests}\n;{print}('\\n' + {read}.trim() + '\\n');\n}})(passk$require);\n"
    )
}

/// TypeScript as JavaScript; `declare var require: any;` (which cannot stand inside a
/// function) moves to the top of the file.
fn typescript(solution: &str, tests: &str) -> String {
    let tests = tests.replace("declare var require: any;", "");
    format!(
        "declare var require: any;\ndeclare var passk$require: any;\n{}",
        javascript(solution, &tests, Target::Process)
    )
}

/// The module Node preloads before the program (`node --require ./passk-prelude.js`): the
/// real `require`, as a global property no program can reassign, and a frozen `node:assert`.
pub const NODE_PRELUDE: &str = "'use strict';\n\
Object.freeze(require('assert'));\n\
Object.freeze(require('assert').strict);\n\
Object.defineProperty(globalThis, 'passk$require', { value: require, writable: false, configurable: false, enumerable: false });\n";

/// The name of [`NODE_PRELUDE`] in the process sandbox's work dir.
pub const NODE_PRELUDE_FILE: &str = "passk-prelude.js";

/// Perl: `CORE::GLOBAL::exit`/`die` overrides are removed before the tests compile,
/// `eq_deeply` is the one `Test::Deep` defined before the solution ran, and every sub the
/// tests define is put back as compiled (a solution's runtime glob assignment undone).
fn perl(solution: &str, tests: &str) -> String {
    let subs: Vec<String> = tests
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("sub "))
        .map(|r| {
            r.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|n| !n.is_empty())
        .collect();
    let mut s = String::new();
    s.push_str("BEGIN { require Test::Deep; $PasskSeal::eq = \\&Test::Deep::eq_deeply; }\n");
    s.push_str(solution);
    s.push_str("\nBEGIN { delete $CORE::GLOBAL::{exit}; delete $CORE::GLOBAL::{die}; }\n");
    s.push_str("{ no strict 'refs'; no warnings; *main::eq_deeply = $PasskSeal::eq; *Test::Deep::eq_deeply = $PasskSeal::eq; ");
    s.push_str("*{\"main::$_\"} = $PasskSeal::subs{$_} for keys %PasskSeal::subs; }\n");
    s.push_str(tests);
    s.push_str("\nBEGIN { no strict 'refs'; ");
    for sub in &subs {
        s.push_str(&format!("$PasskSeal::subs{{'{sub}'}} = \\&main::{sub}; "));
    }
    s.push_str("}\nopen(my $passk_fd, '<&=', 3) or die 'no marker'; my $passk_m = <$passk_fd>; print \"\\n$passk_m\";\n");
    s
}

/// R: the solution's own copies of the functions the tests and the epilogue call are removed
/// from the global environment, so the tests reach base R's.
const R_BOUNDARY: &str = "base::rm(list = base::intersect(base::ls(globalenv(), all.names = TRUE), \
c('stopifnot', 'isTRUE', 'isFALSE', 'all.equal', 'identical', 'c', 'list', 'quit', 'q', 'cat', \
'readLines', 'file', 'function', 'invisible')), envir = globalenv())\n";

/// Racket: a module-level definition may shadow an import, so the tests call rackunit's
/// checks through a prefix the solution did not define.
fn racket_tests(tests: &str) -> String {
    tests
        .replacen(
            "(require rackunit)",
            "(require rackunit (prefix-in passk: rackunit))",
            1,
        )
        .replace("(check-", "(passk:check-")
}

/// Bash builtins the tests or the epilogue rely on: a solution's functions of these names
/// are removed before the tests.
const BASH_BUILTINS: &str = "set unset builtin command exit return eval source . trap shopt \
enable alias unalias read printf echo true false test [ local declare typeset export readonly \
shift exec wait cd pwd type hash let";

/// Bash: in POSIX mode special builtins win over functions, so `unset -f` is reached even
/// when the solution defined a function named `unset`; it removes functions shadowing
/// builtins and the ones the tests define (a readonly one makes `unset` fail: exit), turns
/// builtins back on, and clears traps, aliases and `extdebug` (a DEBUG trap that skips
/// commands).
fn shell(solution: &str, tests: &str) -> String {
    let mut own: Vec<&str> = tests
        .lines()
        .filter_map(|l| l.trim().strip_suffix("() {"))
        .map(str::trim)
        .collect();
    own.dedup();
    format!(
        "{solution}\nPOSIXLY_CORRECT=1 || : \"${{passk_abort:?the shell cannot be reset}}\"\nunset -f {BASH_BUILTINS} {own} || exit 97\n\
         enable {enable} || exit 97\nunset POSIXLY_CORRECT\nset +o posix\n\
         trap - DEBUG ERR RETURN EXIT\nshopt -u extdebug expand_aliases\nunalias -a\n\
         set +o functrace +o errtrace +u\nIFS=$' \\t\\n'\n{tests}\n\
         IFS= read -r passk_m <&3 || true\nprintf '\\n%s\\n' \"$passk_m\"\n",
        own = own.join(" "),
        enable = BASH_BUILTINS.replace(" [ ", " ").replace(" . ", " "),
    )
}

/// Ruby: test-unit runs at exit; the epilogue runs it explicitly (a solution that turned
/// autorun off, or exits from an `at_exit` block, changes nothing) after checking that every
/// assertion the test classes call resolves outside the program file, and prints the
/// marker only when the run passed.
fn ruby(source: &str) -> String {
    format!("{source}\n{RUBY_EPILOGUE}")
}

const RUBY_EPILOGUE: &str = r###"
passk_bad = lambda do |m|
  loc = m.source_location
  loc && !loc[0].start_with?('/usr/', '<internal:')
end
passk_seen = {}
passk_walk = lambda do |mod|
  next if passk_seen[mod]
  passk_seen[mod] = true
  (mod.instance_methods(false) + mod.private_instance_methods(false)).each do |n|
    raise "#{mod}##{n}" if passk_bad.(mod.instance_method(n))
  end
  mod.singleton_methods(false).each { |n| raise "#{mod}.#{n}" if passk_bad.(mod.method(n)) }
  mod.constants(false).each do |c|
    v = (mod.const_get(c, false) rescue nil)
    passk_walk.(v) if v.is_a?(Module) && v.name.to_s.start_with?('Test::Unit')
  end
end
passk_equality = [:==, :!=, :eql?, :equal?, :===, :<=>, :!, :hash, :nil?, :is_a?, :kind_of?, :instance_of?, :respond_to?, :class]
begin
  passk_walk.(Test::Unit)
  # A top-level `def` is a private method of Object: the solution's own functions.
  [BasicObject, Object, Kernel].each do |k|
    (k.instance_methods(false) + (k.private_instance_methods(false) & passk_equality)).each do |n|
      raise "#{k}##{n}" if passk_bad.(k.instance_method(n))
    end
  end
  [Module, Class, Comparable, Enumerable].each do |k|
    (k.instance_methods(false) + k.private_instance_methods(false)).each do |n|
      raise "#{k}##{n}" if passk_bad.(k.instance_method(n))
    end
  end
  [Integer, Float, String, Symbol, Array, Hash, NilClass, TrueClass, FalseClass, Range, Rational, Complex].each do |k|
    passk_equality.each { |n| raise "#{k}##{n}" if k.method_defined?(n) && passk_bad.(k.instance_method(n)) }
  end
  ObjectSpace.each_object(Class).select { |c| c < Test::Unit::TestCase }.each do |c|
    (Test::Unit::Assertions.instance_methods + Test::Unit::Assertions.private_instance_methods).each do |n|
      raise "#{c}##{n}" if passk_bad.(c.instance_method(n))
    end
  end
rescue RuntimeError => e
  $stderr.puts "passk: the program redefines #{e.message}, which the tests rely on"
  exit!(1)
end
Test::Unit::AutoRunner.need_auto_run = false
passk_ok = Test::Unit::AutoRunner.run
if passk_ok == true
  $stdout.puts("\n" + IO.new(3).read.strip)
  $stdout.flush
end
exit!(passk_ok == true ? 0 : 1)
"###;

/// Lua: a prelude loads luaunit and keeps copies of it and of the standard library before
/// the solution runs; at the boundary they are put back (a patched `assertEquals`, a fake
/// `package.loaded['luaunit']`, a replaced `os.exit` or `error` are undone), and the tests'
/// `os.exit(lu.LuaUnit.run())` becomes a run that prints the marker on success.
fn lua(solution: &str, tests: &str) -> String {
    let tests = tests.replace(
        "os.exit(lu.LuaUnit.run())",
        "local passk_r = lu.LuaUnit.run()\nif passk_r == 0 then local f = passk_open('/dev/fd/3'); passk_write('\\n', f:read('a'), '\\n') end\npassk_exit(passk_r)",
    );
    format!("{LUA_PRELUDE}{solution}\n{LUA_BOUNDARY}{tests}\n")
}

const LUA_PRELUDE: &str = "local passk_lu = require('luaunit')\n\
local passk_exit, passk_open, passk_write, passk_pairs = os.exit, io.open, io.write, pairs\n\
local passk_saved = {}\n\
for _, t in passk_pairs({_G, string, table, math, os, io, package, passk_lu, passk_lu.LuaUnit}) do\n\
  local c = {}\n  for k, v in passk_pairs(t) do c[k] = v end\n  passk_saved[t] = c\nend\n";

const LUA_BOUNDARY: &str = "for t, c in passk_pairs(passk_saved) do\n  \
for k, v in passk_pairs(c) do rawset(t, k, v) end\nend\n\
package.loaded['luaunit'] = passk_lu\n";

/// Elixir: ExUnit runs at exit; the epilogue turns autorun off, runs it, and prints the
/// marker only when tests ran and none failed.
const ELIXIR_EPILOGUE: &str = "Application.put_env(:ex_unit, :autorun, false)\n\
passk_result = ExUnit.run()\n\
if passk_result.failures == 0 and passk_result.total > 0 do\n  \
IO.puts(\"\\n\" <> String.trim(File.read!(\"/dev/fd/3\")))\nend\n";

/// Rust: the tests' assertion macros are called by path (`::std::assert_eq!`), which a
/// solution's `macro_rules!` cannot shadow; the tests' `main` is renamed and a `main` that
/// prints the marker after it is added (a solution's own `main` is a duplicate: compile
/// error).
fn rust(solution: &str, tests: &str) -> String {
    let tests = qualify_macros(tests, &["assert_eq", "assert_ne", "assert"], "::std::");
    let tests = tests.replacen("fn main()", "fn passk_tests_main()", 1);
    format!(
        "{solution}\n{tests}\nfn main() {{\n    passk_tests_main();\n    \
         let m = ::std::fs::read_to_string(\"/dev/fd/3\").unwrap_or_default();\n    \
         ::std::println!(\"\\n{{}}\", m.trim());\n}}\n"
    )
}

/// What HumanEval-X's harness puts before every Rust program: a `main` that libtest ignores.
pub const HUMANEVAL_X_RUST_MAIN: &str = "\nfn main(){ \n } \n";

/// HumanEval-X's Rust tests are `#[test]` functions of a `#[cfg(test)] mod tests`, which its
/// harness runs under libtest (`cargo test`, pass = exit 0). Sealed, they become public
/// functions of that module, called one after another by passk's `main` (see [`rust`]),
/// which then prints the marker: a panicking test fails the run as it fails libtest, a
/// solution that exits early never reaches the marker. The harness's own empty `main` at
/// the head of the program is dropped for passk's, and the tests' comments go first (a
/// commented-out test is no test, for libtest either).
pub fn rust_libtest(source: &str, tests_at: usize) -> Sealed {
    let at = floor_boundary(source, tests_at.min(source.len()));
    let (solution, tests) = source.split_at(at);
    let solution = solution
        .strip_prefix(HUMANEVAL_X_RUST_MAIN)
        .unwrap_or(solution);
    let tests = strip_c_comments(tests).replace("#[cfg(test)]", "");
    let mut out = String::with_capacity(tests.len() + 256);
    let mut calls = String::new();
    let mut rest = tests.as_str();
    while let Some(i) = rest.find("#[test]") {
        out.push_str(&rest[..i]);
        rest = rest[i + "#[test]".len()..].trim_start();
        if let Some(f) = rest.strip_prefix("fn ") {
            let name: String = f
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            calls.push_str(&format!("    tests::{name}();\n"));
            out.push_str("pub fn ");
            rest = f;
        }
    }
    out.push_str(rest);
    Sealed {
        source: rust(solution, &format!("{out}\nfn main() {{\n{calls}}}\n")),
        files: Vec::new(),
    }
}

/// Prefixes every call of the macros `names` (`name!`) not already path-qualified.
fn qualify_macros(code: &str, names: &[&str], prefix: &str) -> String {
    rewrite_words(code, b':', |rest| {
        let n = names
            .iter()
            .find(|n| rest.starts_with(**n) && rest.as_bytes().get(n.len()) == Some(&b'!'))?;
        Some((n.len(), format!("{prefix}{n}")))
    })
}

/// Walks `code` and, at each place where a word may start (not after an identifier
/// character or `not_after`), lets `hit` replace the `len` bytes there with its text.
fn rewrite_words(
    code: &str,
    not_after: u8,
    hit: impl Fn(&str) -> Option<(usize, String)>,
) -> String {
    let b = code.as_bytes();
    let mut out = String::with_capacity(code.len() + 64);
    let mut i = 0;
    while i < code.len() {
        let word_start = i == 0
            || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == not_after);
        if let Some((len, with)) = word_start.then(|| hit(&code[i..])).flatten() {
            out.push_str(&with);
            i += len;
            continue;
        }
        let c = code[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Go: a `TestMain` in its own file runs the tests with the test flags reset (a solution's
/// `init` cannot select no tests or a listing) and prints the marker when they passed; a
/// solution's own `TestMain` is a duplicate: compile error.
pub fn go_main(source: &str) -> String {
    let package = source
        .lines()
        .find_map(|l| l.trim().strip_prefix("package "))
        .map(|p| p.trim().to_string())
        .unwrap_or_else(|| "main".into());
    format!(
        "package {package}\n\nimport (\n\tpasskflag \"flag\"\n\tpasskos \"os\"\n\tpassktesting \"testing\"\n)\n\n\
         func TestMain(m *passktesting.M) {{\n\
         \tpasskflag.Parse()\n\
         \tfor _, f := range []string{{\"test.run\", \"test.list\", \"test.skip\", \"test.bench\"}} {{\n\
         \t\t_ = passkflag.Set(f, \"\")\n\t}}\n\
         \t_ = passkflag.Set(\"test.count\", \"1\")\n\
         \t_ = passkflag.Set(\"test.short\", \"false\")\n\
         \tcode := m.Run()\n\
         \tif code == 0 {{\n\
         \t\tb := make([]byte, 80)\n\
         \t\tn, _ := passkos.NewFile(3, \"marker\").Read(b)\n\
         \t\tpasskos.Stdout.Write(append([]byte(\"\\n\"), b[:n]...))\n\
         \t}}\n\
         \tpasskos.Exit(code)\n}}\n"
    )
}

/// Inserts `member` before the last `}` of `code` (the end of the class the tests close).
fn before_last_brace(code: &str, member: &str) -> String {
    match code.rfind('}') {
        Some(at) => format!("{}{member}\n{}", &code[..at], &code[at..]),
        None => format!("{code}{member}"),
    }
}

/// Java: `assert(…)` in the tests becomes `PasskAssert.check(…)` (assertions cannot be
/// switched off under it), the tests' `main` is renamed and a `main` that prints the marker
/// after it is added to the same class.
fn java(solution: &str, tests: &str) -> String {
    let tests = replace_calls(tests, "assert", "PasskAssert.check");
    let tests = tests.replacen(
        "public static void main(String[] args)",
        "public static void passk$tests(String[] args)",
        1,
    );
    let main = "    public static void main(String[] args) throws Throwable {\n        \
        passk$tests(args);\n        \
        String m = new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(\"/dev/fd/3\"))).trim();\n        \
        System.out.println();\n        System.out.println(m);\n        System.out.flush();\n    }\n";
    format!(
        "{solution}\n{}\nfinal class PasskAssert {{\n    static void check(boolean ok) {{\n        \
         if (!ok) throw new AssertionError(\"assertion failed\");\n    }}\n}}\n",
        before_last_brace(&tests, main)
    )
}

/// C#: `Debug.Assert(…)` becomes `PasskAssert.Check(…)` (trace listeners no longer decide),
/// the tests' `Main` is renamed and a `Main` that prints the marker after it is added.
fn csharp(solution: &str, tests: &str) -> String {
    let tests = tests.replace("Debug.Assert(", "PasskAssert.Check(");
    let (tests, call) = match tests.find("static void Main(") {
        Some(at) => {
            let args = tests[at..].starts_with("static void Main(string");
            (
                format!(
                    "{}static void PasskTests({}",
                    &tests[..at],
                    &tests[at + "static void Main(".len()..]
                ),
                if args {
                    "PasskTests(args)"
                } else {
                    "PasskTests()"
                },
            )
        }
        None => (tests, "PasskTests()"),
    };
    let main = "    public static void Main(string[] args) {\n        CALL;\n        \
        string m = System.IO.File.ReadAllText(\"/dev/fd/3\").Trim();\n        \
        System.Console.WriteLine();\n        System.Console.WriteLine(m);\n    }\n"
        .replace("CALL", call);
    format!(
        "{solution}\n{}\nstatic class PasskAssert {{\n    public static void Check(bool ok) {{\n        \
         if (!ok) throw new System.Exception(\"Assertion failed\");\n    }}\n}}\n",
        before_last_brace(&tests, &main)
    )
}

/// Scala: the tests' `assert` is `Predef`'s by its full path (a solution's own `assert` in
/// the same object does not shadow it), and `main` is wrapped as in Java.
fn scala(solution: &str, tests: &str) -> String {
    let tests = replace_calls(tests, "assert", "_root_.scala.Predef.assert");
    let tests = tests.replacen(
        "def main(args: Array[String]) = {",
        "def passkTests(args: Array[String]) = {",
        1,
    );
    let main = "    def main(args: Array[String]): Unit = {\n        passkTests(args)\n        \
        val m = scala.io.Source.fromFile(\"/dev/fd/3\").mkString.trim\n        \
        println()\n        println(m)\n    }\n";
    format!("{solution}\n{}", before_last_brace(&tests, main))
}

/// D: unittests run before `main`; the tests' empty `main` becomes one that prints the
/// marker.
fn d(solution: &str, tests: &str) -> String {
    let main = "void main(){ import std.stdio : File, write; write(\"\\n\", File(\"/dev/fd/3\").readln()); }";
    let tests = match empty_d_main(tests) {
        Some((a, b)) => format!("{}{main}{}", &tests[..a], &tests[b..]),
        None => format!("{tests}\n{main}\n"),
    };
    format!("{solution}\n{tests}")
}

/// The byte range of the last `void main() {}` (any spacing) in D tests.
fn empty_d_main(tests: &str) -> Option<(usize, usize)> {
    let mut found = None;
    let mut from = 0;
    while let Some(i) = tests[from..].find("void") {
        let start = from + i;
        let mut rest = tests[start + 4..].trim_start();
        let ok = (|| {
            rest = rest.strip_prefix("main")?.trim_start();
            rest = rest.strip_prefix('(')?.trim_start();
            rest = rest.strip_prefix(')')?.trim_start();
            rest = rest.strip_prefix('{')?.trim_start();
            rest = rest.strip_prefix('}')?;
            Some(())
        })();
        if ok.is_some() {
            found = Some((start, tests.len() - rest.len()));
        }
        from = start + 4;
    }
    found
}

/// Haskell: the tests' `main` is renamed; `main` runs it, then prints the marker.
fn haskell(solution: &str, tests: &str) -> String {
    let tests = tests
        .replacen("main :: IO ()", "passkTests :: IO ()", 1)
        .replacen("\nmain = ", "\npasskTests = ", 1);
    let tests = match tests.strip_prefix("main = ") {
        Some(rest) => format!("passkTests = {rest}"),
        None => tests,
    };
    format!(
        "{solution}\n{tests}\n\nmain :: IO ()\nmain = passkTests >> readFile \"/dev/fd/3\" >>= \\passkM -> putStrLn (\"\\n\" ++ passkM)\n"
    )
}

/// Replaces calls `name(` (a whole word, not a member access) with `with(`.
fn replace_calls(code: &str, name: &str, with: &str) -> String {
    rewrite_words(code, b'.', |rest| {
        let after_name = rest.strip_prefix(name)?;
        if after_name
            .as_bytes()
            .first()
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            return None;
        }
        let after = after_name.trim_start_matches([' ', '\t']);
        after.starts_with('(').then(|| {
            let gap = after_name.len() - after.len();
            (name.len() + gap, format!("{with}{}", &after_name[..gap]))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_macros_of_the_solution_are_found_through_digraphs_continuations_and_comments() {
        let code = "#define assert(e) ((void)0)\n  %:  define main foo\n#def\\\nine candidate(...) 1\n\
                    /* #define hidden 1 */\n// #define also_hidden\n#include <x.h>\n#defined_not\n";
        assert_eq!(defined_macros(code), ["assert", "main", "candidate"]);
    }

    #[test]
    fn rust_asserts_are_called_by_path() {
        let t = "assert_eq!(f(1), 2); assert!(x); my_assert!(y); ::std::assert_ne!(a, b);";
        assert_eq!(
            qualify_macros(t, &["assert_eq", "assert_ne", "assert"], "::std::"),
            "::std::assert_eq!(f(1), 2); ::std::assert!(x); my_assert!(y); ::std::assert_ne!(a, b);"
        );
    }

    #[test]
    fn java_asserts_become_harness_calls() {
        assert_eq!(
            replace_calls(
                "    assert(f(1) == 2);\n    x.assert(1); assertX(2); assert (y);",
                "assert",
                "PasskAssert.check"
            ),
            "    PasskAssert.check(f(1) == 2);\n    x.assert(1); assertX(2); PasskAssert.check (y);"
        );
    }

    #[test]
    fn sealing_keeps_the_marker_out_of_the_source() {
        for l in Language::ALL {
            let s = seal(*l, "x\n", 2, "f", Target::Process);
            assert!(!s.source.contains("passk-done-"), "{l}");
        }
    }
}
