fn main() -> std::process::ExitCode {
    openbadges::cli::main()
}
