# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_vault_raft_global_optspecs
    string join \n kubeconfig= context= cluster= user= as= as-group= as-uid= server= certificate-authority= insecure-skip-tls-verify n/namespace= l/selector= statefulset= request-timeout= ca-cert= tls-server-name= tls-skip-verify vault-addr= vault-port= vault-timeout= token-file= o/output= no-color v/verbose h/help V/version
end

function __fish_kubectl_vault_raft_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_vault_raft_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_vault_raft_using_subcommand
    set -l cmd (__fish_kubectl_vault_raft_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -f -a "status" -d 'Every pod\'s view of the cluster, the raft configuration and what needs attention (the default)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -f -a "peers" -d 'The raft configuration from the leader, with the pod behind each peer and its autopilot health'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -f -a "leader" -d 'Which pod is the active node, as every pod sees it'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -f -a "step-down" -d 'Make the active node step down (or every node, --all) and wait for a new leader'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -f -a "join" -d 'Join a pod that is not in the cluster, then unseal it when keys are given'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -f -a "remove-peer" -d 'Remove a raft peer through the leader (refuses the leader and quorum loss without --force)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -f -a "rejoin" -d 'Remove a pod\'s peer, clear its raft data, recreate it, join, unseal, and wait until it is a healthy voter'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -f -a "autopilot" -d 'Autopilot state and configuration; --set changes the configuration'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -f -a "snapshot" -d 'Save a snapshot from the leader, or restore one'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -f -a "storage" -d 'Each pod\'s data volume: capacity, used, percent; raft storage errors from metrics'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand status" -s h -l help -d 'Print help'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand peers" -s h -l help -d 'Print help'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand leader" -s h -l help -d 'Print help'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l timeout -d 'How long to wait for a new leader' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l all -d 'Step down on every unsealed pod (the runbook\'s "force a new election")'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l force -d 'Step down even when no healthy standby can take over (or none can be confirmed)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l dry-run -d 'Only print what would be asked; change nothing'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand step-down" -s h -l help -d 'Print help'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l leader -d 'The leader\'s API address (default: the active node\'s, as it advertises it)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l leader-tls-server-name -d 'Server name the joining node verifies the leader\'s certificate against' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l keys-file -d 'File with the keys: the JSON `vault operator init -format=json` writes, or one key per line (base64 or hex). `-` reads stdin' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l keys-secret -d 'A Kubernetes Secret holding the keys: NAME or NAME/KEY' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l timeout -d 'How long to wait for the pod to become a healthy voter' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand join" -s h -l help -d 'Print help'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l force -d 'Remove the leader, or a peer whose removal loses quorum'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand remove-peer" -s h -l help -d 'Print help'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l keys-file -d 'File with the keys: the JSON `vault operator init -format=json` writes, or one key per line (base64 or hex). `-` reads stdin' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l keys-secret -d 'A Kubernetes Secret holding the keys: NAME or NAME/KEY' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l data-dir -d 'Where the pod\'s raft data lives (default: the mount path of its data PVC)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l timeout -d 'How long to wait for each step (pod recreated, healthy voter)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l force -d 'Go ahead even if removing the pod\'s peer loses quorum'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand rejoin" -s h -l help -d 'Print help'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l set -d 'Change settings: key=value,… (cleanup_dead_servers, dead_server_last_contact_threshold, last_contact_threshold, max_trailing_logs, min_quorum, server_stabilization_time)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand autopilot" -s h -l help -d 'Print help'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -s h -l help -d 'Print help'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -f -a "save" -d 'Stream a snapshot from the leader into FILE (mode 0600); prints its size and sha256'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -f -a "restore" -d 'Restore FILE into the cluster through the leader, then check every pod'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and not __fish_seen_subcommand_from save restore help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l force -d 'Overwrite FILE if it exists'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from save" -s h -l help -d 'Print help'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l timeout -d 'How long to wait for the upload and for the cluster to be healthy afterwards' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l force -d 'Restore a snapshot taken on another cluster (its unseal keys replace this cluster\'s)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from help" -f -a "save" -d 'Stream a snapshot from the leader into FILE (mode 0600); prints its size and sha256'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Restore FILE into the cluster through the leader, then check every pod'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand snapshot; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l threshold -d 'Percent used above which a volume needs attention (exit 2)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand storage" -s h -l help -d 'Print help'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand help; and not __fish_seen_subcommand_from status peers leader step-down join remove-peer rejoin autopilot snapshot storage help" -f -a "status" -d 'Every pod\'s view of the cluster, the raft configuration and what needs attention (the default)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand help; and not __fish_seen_subcommand_from status peers leader step-down join remove-peer rejoin autopilot snapshot storage help" -f -a "peers" -d 'The raft configuration from the leader, with the pod behind each peer and its autopilot health'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand help; and not __fish_seen_subcommand_from status peers leader step-down join remove-peer rejoin autopilot snapshot storage help" -f -a "leader" -d 'Which pod is the active node, as every pod sees it'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand help; and not __fish_seen_subcommand_from status peers leader step-down join remove-peer rejoin autopilot snapshot storage help" -f -a "step-down" -d 'Make the active node step down (or every node, --all) and wait for a new leader'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand help; and not __fish_seen_subcommand_from status peers leader step-down join remove-peer rejoin autopilot snapshot storage help" -f -a "join" -d 'Join a pod that is not in the cluster, then unseal it when keys are given'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand help; and not __fish_seen_subcommand_from status peers leader step-down join remove-peer rejoin autopilot snapshot storage help" -f -a "remove-peer" -d 'Remove a raft peer through the leader (refuses the leader and quorum loss without --force)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand help; and not __fish_seen_subcommand_from status peers leader step-down join remove-peer rejoin autopilot snapshot storage help" -f -a "rejoin" -d 'Remove a pod\'s peer, clear its raft data, recreate it, join, unseal, and wait until it is a healthy voter'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand help; and not __fish_seen_subcommand_from status peers leader step-down join remove-peer rejoin autopilot snapshot storage help" -f -a "autopilot" -d 'Autopilot state and configuration; --set changes the configuration'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand help; and not __fish_seen_subcommand_from status peers leader step-down join remove-peer rejoin autopilot snapshot storage help" -f -a "snapshot" -d 'Save a snapshot from the leader, or restore one'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand help; and not __fish_seen_subcommand_from status peers leader step-down join remove-peer rejoin autopilot snapshot storage help" -f -a "storage" -d 'Each pod\'s data volume: capacity, used, percent; raft storage errors from metrics'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand help; and not __fish_seen_subcommand_from status peers leader step-down join remove-peer rejoin autopilot snapshot storage help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand help; and __fish_seen_subcommand_from snapshot" -f -a "save" -d 'Stream a snapshot from the leader into FILE (mode 0600); prints its size and sha256'
complete -c kubectl-vault_raft -n "__fish_kubectl_vault_raft_using_subcommand help; and __fish_seen_subcommand_from snapshot" -f -a "restore" -d 'Restore FILE into the cluster through the leader, then check every pod'
