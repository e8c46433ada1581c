//! `kubectl vault-unseal`: the verb itself lives in the library ([`kubectl_vault_unseal`]).

fn main() -> std::process::ExitCode {
    vault_shared::exit::main(kubectl_vault_unseal::run)
}
