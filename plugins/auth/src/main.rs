//! `kubectl vault-auth`: the verb itself lives in the library ([`kubectl_vault_auth`]).

fn main() -> std::process::ExitCode {
    vault_shared::exit::main(kubectl_vault_auth::run)
}
