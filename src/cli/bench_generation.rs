//! `passk bench --generation MODEL`: llama-cpp-2 generation measured against llama.cpp's
//! own `llama-bench` on the same GGUF and thread count (prompt pp512, generation tg128,
//! printed as ratios), and n = 8 sequences decoded in one batch against 8 one-at-a-time,
//! in aggregate tokens/s. `llama-bench` is built once from the llama.cpp sources vendored
//! in llama-cpp-sys-2 (`--llama-src`) plus the tool's own source from the pinned
//! llama-cpp-python source package (the crate ships the library, not its tools).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::exit_codes::ExitStatus;
use crate::generate::llama::{LlamaGenerator, Throughput};
use crate::setup::{Paths, fetch_wheel, pins::pins, run as run_cmd};

const PROMPT: usize = 512;
const GEN: u32 = 128;
const BATCH: usize = 8;
const NO_AMX: &str = "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16";

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// The `llama-bench` binary, built from `llama_src` when it is not there yet.
fn llama_bench(paths: &Paths, llama_src: Option<&Path>) -> anyhow::Result<PathBuf> {
    let pin = pins().named("llama-cpp-python");
    let root = paths
        .tools()
        .join(format!("llama-bench-{}-noamx", pin.version));
    let exe = root.join("build/bin/llama-bench");
    if exe.is_file() {
        return Ok(exe);
    }
    let Some(src) = llama_src else {
        anyhow::bail!(
            "llama-bench is not built yet; pass --llama-src with llama-cpp-sys-2's vendored \
             llama.cpp folder (`make bench-generation` finds it with cargo metadata)"
        );
    };
    eprintln!(
        "bench: building llama-bench from {} (several minutes)",
        src.display()
    );
    let sdist = fetch_wheel(paths, pin)?;
    let tree = root.join("src");
    let _ = std::fs::remove_dir_all(&tree);
    std::fs::create_dir_all(&root)?;
    run_cmd(Command::new("cp").arg("-r").arg(src).arg(&tree))?;
    let tools = tree.join("tools");
    let _ = std::fs::remove_dir_all(tools.join("llama-bench"));
    let member = format!(
        "llama_cpp_python-{}/vendor/llama.cpp/tools/llama-bench",
        pin.version
    );
    run_cmd(
        Command::new("tar")
            .arg("xzf")
            .arg(&sdist)
            .arg("-C")
            .arg(&tools)
            .arg("--strip-components=4")
            .arg(&member),
    )?;
    std::fs::write(
        tools.join("CMakeLists.txt"),
        "add_subdirectory(llama-bench)\n",
    )?;
    let build = root.join("build");
    run_cmd(
        Command::new("cmake")
            .arg("-S")
            .arg(&tree)
            .arg("-B")
            .arg(&build)
            .args([
                "-DCMAKE_BUILD_TYPE=Release",
                "-DGGML_NATIVE=ON",
                "-DGGML_OPENMP=ON",
                "-DBUILD_SHARED_LIBS=OFF",
                "-DLLAMA_CURL=OFF",
                "-DLLAMA_BUILD_TESTS=OFF",
                "-DLLAMA_BUILD_EXAMPLES=OFF",
                "-DLLAMA_BUILD_SERVER=OFF",
                "-DLLAMA_BUILD_APP=OFF",
                "-DLLAMA_BUILD_TOOLS=ON",
            ])
            // As passk's own build (.cargo/config.toml): no AMX kernels.
            .arg(format!("-DCMAKE_C_FLAGS={NO_AMX}"))
            .arg(format!("-DCMAKE_CXX_FLAGS={NO_AMX}")),
    )?;
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    run_cmd(Command::new("cmake").arg("--build").arg(&build).args([
        "--target",
        "llama-bench",
        "-j",
        &jobs.to_string(),
    ]))?;
    Ok(exe)
}

/// llama-bench's pp and tg tokens/s on `model` with `threads`.
fn reference(exe: &Path, model: &Path, threads: i32) -> anyhow::Result<Throughput> {
    let out = Command::new(exe)
        .arg("-m")
        .arg(model)
        .args(["-t", &threads.to_string(), "-p", &PROMPT.to_string()])
        .args(["-n", &GEN.to_string(), "-r", "1", "-o", "json"])
        .output()?;
    if !out.status.success() {
        anyhow::bail!(
            "llama-bench failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)?;
    let rate = |prompt: bool| {
        rows.iter()
            .find(|r| (r["n_prompt"].as_u64().unwrap_or(0) > 0) == prompt)
            .and_then(|r| r["avg_ts"].as_f64())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "llama-bench printed no {} row",
                    if prompt { "pp" } else { "tg" }
                )
            })
    };
    Ok(Throughput {
        prompt_tok_s: rate(true)?,
        gen_tok_s: rate(false)?,
    })
}

pub fn run(
    model: &str,
    threads: Option<usize>,
    llama_src: Option<&Path>,
    reps: usize,
) -> anyhow::Result<ExitStatus> {
    let paths = Paths::from_env();
    let path = crate::generate::models::gguf_path(model, &paths)?;
    let g = LlamaGenerator::open(
        &path,
        model,
        model,
        Some(crate::generate::prompt::Style::Completion),
        threads.unwrap_or(0),
    )?;
    let exe = llama_bench(&paths, llama_src)?;
    let reps = reps.max(1);
    println!(
        "generation benchmark: {model} ({}), {} threads, {reps} repetitions",
        path.display(),
        g.threads()
    );
    g.bench(16, 8, 1)?; // warm-up: page the weights in
    // Interleaved, so that drift of a shared machine hits both sides alike; as llama-bench
    // does, pp on a PROMPT-token prompt and tg from an (almost) empty context.
    let (mut ours, mut theirs) = ((Vec::new(), Vec::new()), (Vec::new(), Vec::new()));
    for _ in 0..reps {
        ours.0.push(g.bench(PROMPT, 1, 1)?.prompt_tok_s);
        ours.1.push(g.bench(1, GEN, 1)?.gen_tok_s);
        let t = reference(&exe, &path, g.threads())?;
        theirs.0.push(t.prompt_tok_s);
        theirs.1.push(t.gen_tok_s);
    }
    let ours = Throughput {
        prompt_tok_s: median(ours.0),
        gen_tok_s: median(ours.1),
    };
    let theirs = Throughput {
        prompt_tok_s: median(theirs.0),
        gen_tok_s: median(theirs.1),
    };
    println!(
        "{:<28} {:>12} {:>12} {:>7}",
        "", "llama-cpp-2", "llama-bench", "ratio"
    );
    for (what, a, b) in [
        (
            format!("prompt pp{PROMPT} tok/s"),
            ours.prompt_tok_s,
            theirs.prompt_tok_s,
        ),
        (
            format!("generation tg{GEN} tok/s"),
            ours.gen_tok_s,
            theirs.gen_tok_s,
        ),
    ] {
        println!("{what:<28} {a:>12.1} {b:>12.1} {:>6.2}×", a / b);
    }
    // n samples of one prompt: one batch per step vs one sequence at a time.
    let mut sequential = Vec::new();
    for _ in 0..BATCH {
        sequential.push(g.bench(64, GEN, 1)?.gen_tok_s);
    }
    // Aggregate rate of 8 equal-length runs = harmonic mean of their rates.
    let seq = BATCH as f64 / sequential.iter().map(|r| 1.0 / r).sum::<f64>();
    let batched = median(
        (0..reps)
            .map(|_| g.bench(64, GEN, BATCH).map(|t| t.gen_tok_s))
            .collect::<Result<_, _>>()?,
    );
    println!(
        "{:<28} {:>12.1} {:>12.1} {:>6.2}×   (batched n={BATCH} vs {BATCH} sequential, aggregate tok/s)",
        "batched generation",
        batched,
        seq,
        batched / seq
    );
    Ok(ExitStatus::Success)
}
