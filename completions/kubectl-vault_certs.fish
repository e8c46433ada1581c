# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_vault_certs_global_optspecs
    string join \n server-name= warn= critical= kubeconfig= context= cluster= user= as= as-group= as-uid= server= certificate-authority= insecure-skip-tls-verify n/namespace= l/selector= statefulset= request-timeout= ca-cert= tls-server-name= tls-skip-verify vault-addr= vault-port= vault-timeout= token-file= o/output= no-color v/verbose h/help V/version
end

function __fish_kubectl_vault_certs_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_vault_certs_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_vault_certs_using_subcommand
    set -l cmd (__fish_kubectl_vault_certs_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l server-name -d 'The TLS server name (SNI) to ask for (default: the Service name `<release>.<ns>.svc`)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l warn -d 'A certificate (or CA) expiring within this needs attention' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l critical -d 'A certificate (or CA) expiring within this is critical' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -a "status" -d 'The certificate each pod serves, with findings (the default)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l server-name -d 'The TLS server name (SNI) to ask for (default: the Service name `<release>.<ns>.svc`)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l warn -d 'A certificate (or CA) expiring within this needs attention' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l critical -d 'A certificate (or CA) expiring within this is critical' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -s h -l help -d 'Print help'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand help; and not __fish_seen_subcommand_from status help" -f -a "status" -d 'The certificate each pod serves, with findings (the default)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand help; and not __fish_seen_subcommand_from status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
