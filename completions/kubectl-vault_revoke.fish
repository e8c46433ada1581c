# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_vault_revoke_global_optspecs
    string join \n kubeconfig= context= cluster= user= as= as-group= as-uid= server= certificate-authority= insecure-skip-tls-verify n/namespace= l/selector= statefulset= request-timeout= ca-cert= tls-server-name= tls-skip-verify vault-addr= vault-port= vault-timeout= token-file= o/output= no-color v/verbose h/help V/version
end

function __fish_kubectl_vault_revoke_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_vault_revoke_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_vault_revoke_using_subcommand
    set -l cmd (__fish_kubectl_vault_revoke_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -f -a "scan" -d 'Read the audit logs of every pod: failures, counts, and the uses of a token, accessor or path'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -f -a "token" -d 'Look a leaked token up, confirm, revoke it (with the tokens it created), check it is gone'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -f -a "leases" -d 'Revoke every lease under a prefix: counted, confirmed, throttled and resumable (`kubectl vault-leases revoke`)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -f -a "kv" -d 'Destroy a KV secret\'s versions, or delete its whole history (KV v1 or v2, from the mount)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -f -a "rotate" -d 'New secrets: KV fields (random, never printed), database root or static-role passwords'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -f -a "policy" -d 'Show a policy (broad grants flagged, the roles that hand it out); --tighten-to rewrites it'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -f -a "respond" -d 'The whole response: scan for the token, revoke it and its children, destroy and rotate the named secrets, and a timeline report'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -f -a "audit-enable" -d 'Enable a file audit device: through the API, or on OpenBao in the server configuration with the pods restarted one at a time and unsealed'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l since -d 'Only entries from this long ago on (30m, 24h, 7d)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l leaked-token-file -d 'File holding the leaked token, one line (`-` for stdin). Not --token-file: that is your own token' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l accessor-file -d 'File holding the leaked token\'s accessor, one line' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l accessor -d 'The leaked token\'s accessor' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l path -d 'The requests on this path or under it (KV v2\'s data/metadata forms included)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand scan" -s h -l help -d 'Print help'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l leaked-token-file -d 'File holding the leaked token, one line (`-` for stdin). Not --token-file: that is your own token' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l accessor-file -d 'File holding the leaked token\'s accessor, one line' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l accessor -d 'The leaked token\'s accessor' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l orphan -d 'Revoke the token alone: the tokens it created stay valid (needs --leaked-token-file)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand token" -s h -l help -d 'Print help'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l batch -d 'Prefixes with more leases than this are revoked lease by lease, in batches of this many' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l rate -d 'At most this many revocations per second when revoking lease by lease (0: no limit)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l max-requests -d 'At most this many Vault requests (the counts are a lower bound when it stops the walk)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l concurrency -d 'Vault requests in flight at once' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l force -d 'Use revoke-force: delete the leases even where the backend cannot revoke the secrets'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand leases" -s h -l help -d 'Print help'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l versions -d 'The versions to destroy (KV v2): all, or numbers such as 1,3' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l delete-metadata -d 'Delete the metadata and every version (permanent; on a terminal, type the path to confirm)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand kv" -s h -l help -d 'Print help'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l kv -d 'The KV secret whose fields get new random values (a new version on KV v2)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l field -d 'A field of --kv to rotate (repeatable)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l length -d 'Length of each generated value' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l alphabet -d 'Characters of each generated value' -r -f -a "alnum\t''
hex\t''
base64url\t''"
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l from-file -d 'Take the new value of the one --field from this file (- for stdin) instead' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l db-connection -d 'Rotate the root credentials of this database connection (rotate-root)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l db-static-role -d 'Rotate the password of this database static role (rotate-role)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l db-mount -d 'The database secrets engine\'s mount' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand rotate" -s h -l help -d 'Print help'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l tighten-to -d 'Keep only these grants: PATH:CAPS (secret/data/app/db:read,list), repeatable' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand policy" -s h -l help -d 'Print help'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l leaked-token-file -d 'File holding the leaked token, one line (`-` for stdin). Not --token-file: that is your own token' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l accessor-file -d 'File holding the leaked token\'s accessor, one line' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l accessor -d 'The leaked token\'s accessor' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l since -d 'Scan only entries from this long ago on' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l kv -d 'A KV secret the token read: destroy its versions (repeatable)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l rotate -d 'A KV field to give a new random value: PATH:FIELD (repeatable)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l report -d 'Write the timeline to FILE.json and FILE.md (0600)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l force -d 'Overwrite existing report files'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand respond" -s h -l help -d 'Print help'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l path -d 'The file the device writes, inside the pods [default: audit-detailed.log on the pods\' audit volume, /vault/audit or /openbao/audit]' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l name -d 'The device\'s name (its path under sys/audit)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l timeout -d 'How long each pod may take to come back unsealed and Ready' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l keys-file -d 'File with the keys: the JSON `vault operator init -format=json` writes, or one key per line (base64 or hex). `-` reads stdin' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l keys-secret -d 'A Kubernetes Secret holding the keys: NAME or NAME/KEY' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l log-raw -d 'Log request and response values in clear (secrets included): type the namespace to confirm'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand audit-enable" -s h -l help -d 'Print help'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand help; and not __fish_seen_subcommand_from scan token leases kv rotate policy respond audit-enable help" -f -a "scan" -d 'Read the audit logs of every pod: failures, counts, and the uses of a token, accessor or path'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand help; and not __fish_seen_subcommand_from scan token leases kv rotate policy respond audit-enable help" -f -a "token" -d 'Look a leaked token up, confirm, revoke it (with the tokens it created), check it is gone'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand help; and not __fish_seen_subcommand_from scan token leases kv rotate policy respond audit-enable help" -f -a "leases" -d 'Revoke every lease under a prefix: counted, confirmed, throttled and resumable (`kubectl vault-leases revoke`)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand help; and not __fish_seen_subcommand_from scan token leases kv rotate policy respond audit-enable help" -f -a "kv" -d 'Destroy a KV secret\'s versions, or delete its whole history (KV v1 or v2, from the mount)'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand help; and not __fish_seen_subcommand_from scan token leases kv rotate policy respond audit-enable help" -f -a "rotate" -d 'New secrets: KV fields (random, never printed), database root or static-role passwords'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand help; and not __fish_seen_subcommand_from scan token leases kv rotate policy respond audit-enable help" -f -a "policy" -d 'Show a policy (broad grants flagged, the roles that hand it out); --tighten-to rewrites it'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand help; and not __fish_seen_subcommand_from scan token leases kv rotate policy respond audit-enable help" -f -a "respond" -d 'The whole response: scan for the token, revoke it and its children, destroy and rotate the named secrets, and a timeline report'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand help; and not __fish_seen_subcommand_from scan token leases kv rotate policy respond audit-enable help" -f -a "audit-enable" -d 'Enable a file audit device: through the API, or on OpenBao in the server configuration with the pods restarted one at a time and unsealed'
complete -c kubectl-vault_revoke -n "__fish_kubectl_vault_revoke_using_subcommand help; and not __fish_seen_subcommand_from scan token leases kv rotate policy respond audit-enable help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
