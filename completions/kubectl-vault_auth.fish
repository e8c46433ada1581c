# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_vault_auth_global_optspecs
    string join \n kubeconfig= context= cluster= user= as= as-group= as-uid= server= certificate-authority= insecure-skip-tls-verify n/namespace= l/selector= statefulset= request-timeout= ca-cert= tls-server-name= tls-skip-verify vault-addr= vault-port= vault-timeout= token-file= o/output= no-color v/verbose h/help V/version
end

function __fish_kubectl_vault_auth_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_vault_auth_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_vault_auth_using_subcommand
    set -l cmd (__fish_kubectl_vault_auth_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -f -a "check" -d 'Check the auth method\'s config and roles against the cluster (the default)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -f -a "login" -d 'Log in as a service account with a freshly minted token; name the cause of a failure'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -f -a "fix" -d 'Rewrite the config with what `check` finds right (host, CA, issuer, local-token mode or a fresh reviewer token); shows the change and asks first'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l mount -d 'The auth method\'s mount path' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l reviewer -d 'The service account the configured token_reviewer_jwt belongs to (Vault never returns the JWT, so this names it): checked to exist and to be allowed to create tokenreviews' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand check" -s h -l help -d 'Print help'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l service-account -d 'The service account to log in as' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l audience -d 'The audience of the minted token (default: the role\'s audience, else the API\'s)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l jwt-file -d 'Use the service-account token in this file (- for stdin) instead of minting one' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l mount -d 'The auth method\'s mount path' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l reviewer -d 'The service account the configured token_reviewer_jwt belongs to (Vault never returns the JWT, so this names it): checked to exist and to be allowed to create tokenreviews' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l keep -d 'Keep the Vault token the login made (default: revoke it at once)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand login" -s h -l help -d 'Print help'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l mount -d 'The auth method\'s mount path' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l reviewer -d 'The service account the configured token_reviewer_jwt belongs to (Vault never returns the JWT, so this names it): checked to exist and to be allowed to create tokenreviews' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l kubernetes-host -d 'Write this as kubernetes_host (default: this cluster\'s API when the configured host is wrong)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l reviewer-ttl -d 'How long the reviewer token minted for --reviewer is valid (Vault cannot renew it)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l local-token -d 'Local-token mode (recommended): no reviewer JWT, Vault reviews tokens with its pods\' own service-account token, which the kubelet renews; that account must be allowed to create tokenreviews'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l ca-from-cluster -d 'Write the CA of ConfigMap kube-root-ca.crt even when the configured one looks right'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand fix" -s h -l help -d 'Print help'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand help; and not __fish_seen_subcommand_from check login fix help" -f -a "check" -d 'Check the auth method\'s config and roles against the cluster (the default)'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand help; and not __fish_seen_subcommand_from check login fix help" -f -a "login" -d 'Log in as a service account with a freshly minted token; name the cause of a failure'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand help; and not __fish_seen_subcommand_from check login fix help" -f -a "fix" -d 'Rewrite the config with what `check` finds right (host, CA, issuer, local-token mode or a fresh reviewer token); shows the change and asks first'
complete -c kubectl-vault_auth -n "__fish_kubectl_vault_auth_using_subcommand help; and not __fish_seen_subcommand_from check login fix help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
