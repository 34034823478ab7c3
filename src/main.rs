fn main() -> std::process::ExitCode {
    billingctl::main(std::env::args_os())
}
