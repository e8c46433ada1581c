complete -c kubectl-vault_unseal -l keys-file -d 'File with the keys: the JSON `vault operator init -format=json` writes, or one key per line (base64 or hex). `-` reads stdin' -r -F
complete -c kubectl-vault_unseal -l keys-secret -d 'A Kubernetes Secret holding the keys: NAME or NAME/KEY' -r
complete -c kubectl-vault_unseal -l timeout -d 'How long to wait for each pod to become Ready' -r
complete -c kubectl-vault_unseal -l verify -d 'After unsealing, check that this KV secret can be read (never prints its value)' -r
complete -c kubectl-vault_unseal -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_unseal -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_unseal -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_unseal -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_unseal -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_unseal -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_unseal -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_unseal -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_unseal -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_unseal -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_unseal -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_unseal -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_unseal -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_unseal -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_unseal -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_unseal -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_unseal -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_unseal -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_unseal -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_unseal -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_unseal -l continue -d 'Add to an unseal someone else has in progress instead of refusing'
complete -c kubectl-vault_unseal -l reset -d 'Clear an unseal in progress (someone else\'s nonce) before unsealing'
complete -c kubectl-vault_unseal -l status -d 'Only show the status; never prompt for keys'
complete -c kubectl-vault_unseal -l no-wait -d 'Do not wait for the pods to become Ready after unsealing'
complete -c kubectl-vault_unseal -l why -d 'Show why each pod sealed: its recent seal-related log lines, last termination and events'
complete -c kubectl-vault_unseal -l restart -d 'Auto-unseal clusters: restart the sealed pods one at a time, waiting for each (with --dry-run: only print the plan; --yes: do not ask)'
complete -c kubectl-vault_unseal -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_unseal -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_unseal -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_unseal -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_unseal -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_unseal -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_unseal -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vault_unseal -s V -l version -d 'Print version'
