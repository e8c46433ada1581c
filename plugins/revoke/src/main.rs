//! `kubectl vault-revoke`: the verb itself lives in the library ([`kubectl_vault_revoke`]).

fn main() -> std::process::ExitCode {
    vault_shared::exit::main(kubectl_vault_revoke::run)
}
