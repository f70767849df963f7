fn main() {
    std::process::exit(tessera_server::cli::main());
}
