//! `kubectl vault-leases`: the verb itself lives in the library ([`kubectl_vault_leases`]).

fn main() -> std::process::ExitCode {
    vault_shared::exit::main(kubectl_vault_leases::run)
}
