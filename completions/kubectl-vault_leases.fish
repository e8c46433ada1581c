# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_vault_leases_global_optspecs
    string join \n kubeconfig= context= cluster= user= as= as-group= as-uid= server= certificate-authority= insecure-skip-tls-verify n/namespace= l/selector= statefulset= request-timeout= ca-cert= tls-server-name= tls-skip-verify vault-addr= vault-port= vault-timeout= token-file= o/output= no-color v/verbose h/help V/version
end

function __fish_kubectl_vault_leases_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_vault_leases_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_vault_leases_using_subcommand
    set -l cmd (__fish_kubectl_vault_leases_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -f -a "status" -d 'Memory and leases per pod, with findings (the default)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -f -a "top" -d 'Count leases by mount and by prefix, within a request budget'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -f -a "revoke" -d 'Count, confirm, then revoke every lease under a prefix, in throttled batches'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -f -a "tidy" -d 'Run sys/leases/tidy on the active node (cleans up leases whose tokens are gone)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -f -a "resize" -d 'New memory/CPU for the Vault container, rolled out one pod at a time (standbys first, the active node last after a step-down), each unsealed and Ready before the next'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -f -a "debug" -d 'Everything the runbook\'s `vault debug` and `kubectl cp` gather, from every pod at once, into one 0600 archive on this machine (no Secret read, secret-looking env redacted)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l memory-threshold -d 'Memory working set above this percent of the container\'s limit needs attention' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l interval -d 'Sample twice, this long apart (30s, 2m), and show growth per minute and, against the memory limit, roughly when each pod will hit it' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l oom-window -d 'An OOM kill that ended within this long needs attention (an older one is shown, not flagged: the container\'s last state keeps it until the next termination)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand status" -s h -l help -d 'Print help'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l depth -d 'Group by prefixes this many path segments deep (counted from the root)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l limit -d 'Show this many prefixes (the largest)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l sample -d 'Look up this many leases per prefix for the soonest and latest expiry (0: none)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l max-requests -d 'At most this many Vault requests (the counts are a lower bound when it stops the walk)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l concurrency -d 'Vault requests in flight at once' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand top" -s h -l help -d 'Print help'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l batch -d 'Prefixes with more leases than this are revoked lease by lease, in batches of this many' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l rate -d 'At most this many revocations per second when revoking lease by lease (0: no limit)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l max-requests -d 'At most this many Vault requests (the counts are a lower bound when it stops the walk)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l concurrency -d 'Vault requests in flight at once' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l force -d 'Use revoke-force: delete the leases even where the backend cannot revoke the secrets'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand revoke" -s h -l help -d 'Print help'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand tidy" -s h -l help -d 'Print help'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l memory -d 'The container\'s memory limit (512Mi, 4Gi)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l memory-request -d 'The container\'s memory request (default: unchanged, lowered to a lowered limit)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l cpu -d 'The container\'s CPU limit (500m, 2)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l cpu-request -d 'The container\'s CPU request' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l keys-file -d 'File with the keys: the JSON `vault operator init -format=json` writes, or one key per line (base64 or hex). `-` reads stdin' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l keys-secret -d 'A Kubernetes Secret holding the keys: NAME or NAME/KEY' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l timeout -d 'How long each pod may take to come back (recreated, unsealed and Ready)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand resize" -s h -l help -d 'Print help'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -s f -l file -d 'The archive to write (default: vault-debug-<namespace>-<time>.tar.gz here)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l tail -d 'Lines of each container\'s log (current and previous)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l force -d 'Replace an existing archive'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l pprof -d 'Also the heap and goroutine profiles (sys/pprof; the token needs sudo there)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand debug" -s h -l help -d 'Print help'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand help; and not __fish_seen_subcommand_from status top revoke tidy resize debug help" -f -a "status" -d 'Memory and leases per pod, with findings (the default)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand help; and not __fish_seen_subcommand_from status top revoke tidy resize debug help" -f -a "top" -d 'Count leases by mount and by prefix, within a request budget'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand help; and not __fish_seen_subcommand_from status top revoke tidy resize debug help" -f -a "revoke" -d 'Count, confirm, then revoke every lease under a prefix, in throttled batches'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand help; and not __fish_seen_subcommand_from status top revoke tidy resize debug help" -f -a "tidy" -d 'Run sys/leases/tidy on the active node (cleans up leases whose tokens are gone)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand help; and not __fish_seen_subcommand_from status top revoke tidy resize debug help" -f -a "resize" -d 'New memory/CPU for the Vault container, rolled out one pod at a time (standbys first, the active node last after a step-down), each unsealed and Ready before the next'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand help; and not __fish_seen_subcommand_from status top revoke tidy resize debug help" -f -a "debug" -d 'Everything the runbook\'s `vault debug` and `kubectl cp` gather, from every pod at once, into one 0600 archive on this machine (no Secret read, secret-looking env redacted)'
complete -c kubectl-vault_leases -n "__fish_kubectl_vault_leases_using_subcommand help; and not __fish_seen_subcommand_from status top revoke tidy resize debug help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
