fn main() {
    std::process::exit(passk::cli::main())
}
