//! `kubectl vault-reinit`: the verb itself lives in the library ([`kubectl_vault_reinit`]).

fn main() -> std::process::ExitCode {
    vault_shared::exit::main(kubectl_vault_reinit::run)
}
