//! `kubectl vault-raft`: the verb itself lives in the library ([`kubectl_vault_raft`]).

fn main() -> std::process::ExitCode {
    vault_shared::exit::main(kubectl_vault_raft::run)
}
