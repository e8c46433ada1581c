//! `kubectl vault-certs`: the verb itself lives in the library ([`kubectl_vault_certs`]).

fn main() -> std::process::ExitCode {
    vault_shared::exit::main(kubectl_vault_certs::run)
}
